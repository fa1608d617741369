"""Workspaces: the default one, scoped reads and writes, per-workspace uniqueness, options.

Connector-agnostic: these tests run on every database backend of the ``db`` fixture.

Kong references: KONG.md 1.4 (the ``workspace`` and ``show_ws_id`` options), 1.10 (the 7th
cache-key segment), 2 (INVALID_WORKSPACE, INVALID_UNIQUE_GLOBAL), 4.7 (``ws_id`` restricts the
deletion of a workspace), 6.8; ``kong/db/schema/entities/workspaces.lua``.
"""

import asyncio
import uuid

import pytest

from kongdao import errors
from kongdao.testing.certs import certificate_pair
from kongdao.workspaces import DEFAULT_WORKSPACE, current_workspace

pytestmark = pytest.mark.postgres


@pytest.fixture
async def team(db):
    """A second workspace, ``team-a``."""
    return await db.workspaces.insert({"name": "team-a", "comment": "the A team"})


# -- the default workspace -----------------------------------------------------------------


async def test_the_default_workspace_exists_and_is_where_entities_go(db, bp):
    default = await db.workspaces.select_by_name(DEFAULT_WORKSPACE)
    assert default is not None
    assert default.id == db.default_workspace_id
    assert default.meta == {}
    assert default.config == {}
    svc = await bp.services()
    # ws_id is only shown when asked for
    assert svc.ws_id is None
    assert "ws_id" not in svc.to_dict(nulls=True)
    shown = await db.services.select({"id": svc.id}, show_ws_id=True)
    assert shown is not None
    assert shown.ws_id == default.id
    assert shown.to_dict()["ws_id"] == default.id
    # single-workspace users never mention workspaces: the default is found by name and id
    assert await db.services.select({"id": svc.id}, workspace="default") == svc
    assert await db.services.select({"id": svc.id}, workspace=default.id) == svc


async def test_truncate_keeps_the_default_workspace_and_drops_the_others(db, team):
    default_id = db.default_workspace_id
    await db.services.insert({"name": "s", "host": "example.com"}, workspace="team-a")
    await db.truncate()
    names = [ws.name async for ws in db.workspaces.each()]
    assert names == [DEFAULT_WORKSPACE]
    assert db.default_workspace_id == default_id
    assert (await db.workspaces.select_by_name("default")).id == default_id


async def test_workspace_names_follow_kongs_rules(db):
    with pytest.raises(errors.SchemaViolation) as ei:
        await db.workspaces.insert({"name": "services"})
    assert ei.value.fields["name"].startswith("must not be one of: workspaces, consumers")
    with pytest.raises(errors.SchemaViolation) as ei:
        await db.workspaces.insert({})
    assert ei.value.fields == {"name": "required field missing"}
    with pytest.raises(errors.SchemaViolation) as ei:
        await db.workspaces.insert({"name": "a b"})
    assert "name" in ei.value.fields
    await db.workspaces.insert({"name": "team-x"})
    with pytest.raises(errors.UniqueViolation) as ei:
        await db.workspaces.insert({"name": "team-x"})
    assert ei.value.fields == {"name": "team-x"}


# -- scoping --------------------------------------------------------------------------------


async def test_the_same_name_may_live_in_two_workspaces(db, team):
    a = await db.services.insert({"name": "shop", "host": "a.example.com"})
    b = await db.services.insert({"name": "shop", "host": "b.example.com"}, workspace="team-a")
    assert a.id != b.id
    assert (await db.services.select_by_name("shop")).host == "a.example.com"
    assert (await db.services.select_by_name("shop", workspace="team-a")).host == "b.example.com"
    assert (await db.services.select_by_name("shop", workspace=team.id)).id == b.id
    # still unique inside one workspace
    with pytest.raises(errors.UniqueViolation) as ei:
        await db.services.insert({"name": "shop", "host": "c.example.com"}, workspace="team-a")
    assert ei.value.fields == {"name": "shop"}


async def test_reads_see_only_their_workspace_unless_global(db, team):
    a = await db.consumers.insert({"username": "alice"})
    b = await db.consumers.insert({"username": "bob"}, workspace="team-a")
    assert await db.consumers.select({"id": b.id}) is None
    assert await db.consumers.select({"id": b.id}, workspace="team-a") == b
    assert await db.consumers.select({"id": b.id}, workspace=None) == b
    page, _ = await db.consumers.page()
    assert [c.username for c in page] == ["alice"]
    page, _ = await db.consumers.page(workspace="team-a", show_ws_id=True)
    assert [(c.username, c.ws_id) for c in page] == [("bob", team.id)]
    everyone = {
        c.username: c.ws_id async for c in db.consumers.each(workspace=None, show_ws_id=True)
    }
    assert everyone == {"alice": a.ws_id or db.default_workspace_id, "bob": team.id}
    assert await db.consumers.count() == 1
    assert await db.consumers.count(workspace="team-a") == 1
    assert await db.consumers.count(workspace=None) == 2


async def test_pages_of_a_workspace_follow_offsets(db, team):
    for i in range(7):
        await db.consumers.insert({"username": f"a{i}"})
        await db.consumers.insert({"username": f"b{i}"}, workspace="team-a")
    seen: list[str] = []
    offset = None
    while True:
        page, offset = await db.consumers.page(3, offset, workspace="team-a")
        seen += [c.username for c in page]
        if offset is None:
            break
    assert sorted(seen) == [f"b{i}" for i in range(7)]


async def test_a_global_query_by_a_field_unique_per_workspace_is_refused(db, bp):
    await bp.services(name="svc-g")
    with pytest.raises(errors.InvalidUniqueGlobal) as ei:
        await db.services.select_by_name("svc-g", workspace=None)
    assert ei.value.message == "unique key name is invalid for global query"
    assert ei.value.code == 18
    for call in (
        lambda: db.services.update_by_name("svc-g", {"retries": 1}, workspace=None),
        lambda: db.services.upsert_by_name("svc-g", {"host": "x.org"}, workspace=None),
        lambda: db.services.delete_by_name("svc-g", workspace=None),
    ):
        with pytest.raises(errors.InvalidUniqueGlobal):
            await call()
    assert await db.services.select_by_name("svc-g") is not None


async def test_snis_are_unique_across_workspaces(db, team):
    cert, key = certificate_pair(name="example.com")
    mine = await db.certificates.insert({"cert": cert, "key": key})
    theirs = await db.certificates.insert({"cert": cert, "key": key}, workspace="team-a")
    sni = await db.snis.insert({"name": "example.com", "certificate": {"id": mine.id}})
    with pytest.raises(errors.UniqueViolation) as ei:
        await db.snis.insert(
            {"name": "example.com", "certificate": {"id": theirs.id}}, workspace="team-a"
        )
    assert ei.value.fields == {"name": "example.com"}
    # unique across workspaces: a global lookup by name is allowed
    assert await db.snis.select_by_name("example.com", workspace=None) == sni


async def test_writes_never_reach_another_workspace(db, team):
    b = await db.services.insert({"name": "theirs", "host": "b.example.com"}, workspace="team-a")
    with pytest.raises(errors.NotFound):
        await db.services.update({"id": b.id}, {"retries": 1})
    with pytest.raises(errors.NotFound):
        await db.services.update_by_name("theirs", {"retries": 1})
    assert await db.services.delete({"id": b.id}) is None
    assert await db.services.delete_by_name("theirs") is None
    # the key is held in team-a: an upsert elsewhere cannot take it over
    with pytest.raises(errors.PrimaryKeyViolation):
        await db.services.upsert({"id": b.id}, {"host": "a.example.com"})
    assert await db.services.select({"id": b.id}, workspace="team-a") == b
    # a global update finds it, and it stays in its workspace
    updated = await db.services.update(
        {"id": b.id}, {"retries": 2}, workspace=None, show_ws_id=True
    )
    assert updated.retries == 2
    assert updated.ws_id == team.id
    # an upsert by name in team-a creates a row there, not in default
    made = await db.services.upsert_by_name("fresh", {"host": "f.example.com"}, workspace="team-a")
    assert await db.services.select_by_name("fresh") is None
    assert await db.services.select_by_name("fresh", workspace="team-a") == made
    deleted = await db.services.delete({"id": b.id}, workspace="team-a", show_ws_id=True)
    assert deleted == updated


async def test_references_never_cross_workspaces(db, team):
    svc = await db.services.insert({"name": "api", "host": "api.example.com"})
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.insert({"paths": ["/x"], "service": {"id": svc.id}}, workspace="team-a")
    assert ei.value.message == (
        f"the foreign key '{{id=\"{svc.id}\"}}' does not reference an existing 'services' entity."
    )
    # by name, a reference resolves in the workspace of the call only
    with pytest.raises(errors.ForeignKeysUnresolved):
        await db.routes.insert({"paths": ["/x"], "service": {"name": "api"}}, workspace="team-a")
    theirs = await db.services.insert({"name": "api", "host": "b.example.com"}, workspace="team-a")
    route = await db.routes.insert(
        {"paths": ["/x"], "service": {"name": "api"}}, workspace="team-a"
    )
    assert route.service.id == theirs.id


async def test_a_workspace_holding_entities_cannot_be_deleted(db, team):
    svc = await db.services.insert({"name": "s", "host": "example.com"}, workspace="team-a")
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.workspaces.delete({"id": team.id})
    assert ei.value.message == "an existing 'services' entity references this 'workspaces' entity"
    assert await db.workspaces.select({"id": team.id}) == team
    await db.services.delete({"id": svc.id}, workspace="team-a")
    assert await db.workspaces.delete({"id": team.id}) == team
    with pytest.raises(errors.InvalidOptions):
        await db.services.page(workspace="team-a")


async def test_a_write_into_a_workspace_that_does_not_exist_is_invalid_workspace(db):
    ghost = str(uuid.uuid4())
    with pytest.raises(errors.InvalidWorkspace) as ei:
        await db.consumers.insert({"username": "nobody"}, workspace=ghost)
    assert ei.value.message == f"invalid workspace '{ghost}'"
    assert ei.value.code == 17
    assert await db.consumers.count(workspace=None) == 0
    # reads of a workspace id that does not exist simply find nothing
    assert (await db.consumers.page(workspace=ghost)) == ([], None)


# -- options ----------------------------------------------------------------------------------


async def test_workspace_and_show_ws_id_options_are_checked(db, bp):
    svc = await bp.services()
    with pytest.raises(errors.InvalidOptions) as ei:
        await db.services.select({"id": svc.id}, workspace="nope")
    assert ei.value.options == {"workspace": "invalid workspace"}
    with pytest.raises(errors.InvalidOptions) as ei:
        await db.services.page(workspace=42)  # type: ignore[arg-type]
    assert ei.value.options == {"workspace": "must be a string or null"}
    with pytest.raises(errors.InvalidOptions) as ei:
        await db.services.page(show_ws_id="yes")  # type: ignore[arg-type]
    assert ei.value.options == {"show_ws_id": "must be a boolean"}
    with pytest.raises(errors.InvalidOptions) as ei:
        await db.services.insert({"host": "x.org"}, workspace="nope")
    assert ei.value.options == {"workspace": "invalid workspace"}
    assert await db.services.count(workspace=None) == 1


async def test_use_workspace_scopes_every_call_in_the_block(db, team):
    async with db.use_workspace("team-a") as ws_id:
        assert ws_id == team.id == current_workspace()
        svc = await db.services.insert({"name": "inside", "host": "example.com"})

        async def child() -> object:
            # tasks created in the block inherit its workspace
            return await db.services.select_by_name("inside")

        assert await asyncio.create_task(child()) == svc
        # an explicit option still wins
        assert await db.services.select_by_name("inside", workspace="default") is None
    assert current_workspace() is None
    assert await db.services.select_by_name("inside") is None
    found = await db.services.select_by_name("inside", workspace="team-a", show_ws_id=True)
    assert found is not None
    assert found.ws_id == team.id
    with pytest.raises(errors.InvalidOptions):
        async with db.use_workspace("nope"):
            pass
    with pytest.raises(errors.InvalidOptions):
        async with db.use_workspace(str(uuid.uuid4())):
            pass


async def test_a_renamed_workspace_is_found_by_its_new_name(db, team):
    assert await db.services.page(workspace="team-a") == ([], None)
    await db.workspaces.update({"id": team.id}, {"name": "team-b"})
    with pytest.raises(errors.InvalidOptions):
        await db.services.page(workspace="team-a")
    assert await db.services.page(workspace="team-b") == ([], None)


# -- cache keys -----------------------------------------------------------------------------


async def test_cache_keys_end_with_the_workspace(db, team):
    mine = await db.plugins.insert({"name": "key-auth"})
    # the same global plugin in another workspace: its cache key differs by the 7th segment
    theirs = await db.plugins.insert({"name": "key-auth"}, workspace="team-a")
    assert db.plugins.cache_key(mine) == f"plugins:key-auth:::::{db.default_workspace_id}"
    shown = await db.plugins.select({"id": theirs.id}, workspace="team-a", show_ws_id=True)
    assert db.plugins.cache_key(shown) == f"plugins:key-auth:::::{team.id}"
    assert await db.plugins.select_by_cache_key({"name": "key-auth"}) == mine
    assert await db.plugins.select_by_cache_key({"name": "key-auth"}, workspace="team-a") == (
        theirs
    )
    async with db.use_workspace("team-a"):
        assert db.plugins.cache_key("key-auth") == f"plugins:key-auth:::::{team.id}"
        assert await db.plugins.select_by_cache_key(f"plugins:key-auth:::::{team.id}") == theirs
    with pytest.raises(errors.UniqueViolation):
        await db.plugins.insert({"name": "key-auth"}, workspace="team-a")
    # entities that belong to no workspace keep an empty last segment
    assert db.workspaces.cache_key(team) == "workspaces:team-a:::::"


async def test_events_carry_the_workspace_of_the_entity(db, team):
    seen: list[str | None] = []
    db.events.subscribe(lambda event: seen.append(event.cache_key))
    svc = await db.services.insert({"name": "e", "host": "example.com"}, workspace="team-a")
    await db.services.delete({"id": svc.id}, workspace="team-a")
    assert seen == [f"services:{svc.id}:::::{team.id}"] * 2
