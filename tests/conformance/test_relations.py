"""Foreign keys between entities: restrict, cascade, null, invalid references, generated methods.

Connector-agnostic: these tests run on every backend of the ``db`` fixture and never look at
the backend's name; where behaviour depends on what a database can do, they ask
``db.connector.capabilities``.

Kong references: ``spec/02-integration/03-db/02-db_core_entities_spec.lua`` (routes/services),
``03-plugins_spec.lua``, ``10-db_unique_foreign_spec.lua``; KONG.md 4.4-4.7, 6.3, 6.4.
"""

import uuid

import pytest

import kongdao
from kongdao import errors
from kongdao.plugins import PluginSpec
from kongdao.schema import Entity, Field, Ref, Schema, entity, field, typedefs
from kongdao.testing.plugin import create_tables

pytestmark = pytest.mark.postgres


# -- test entities (names are global to the process: prefix t_rel_) -------------------------


@entity("t_rel_parents", endpoint_key="name")
class RelParent(Entity):
    id: str = field(typedefs.uuid())
    name: str | None = field(Field(type="string", unique=True))


@entity("t_rel_nullables")
class RelNullable(Entity):
    """on_delete="null": the reference is cleared when the parent goes."""

    id: str = field(typedefs.uuid())
    note: str | None = field(Field(type="string"))
    parent: Ref | None = field(Field(type="foreign", reference="t_rel_parents", on_delete="null"))


@entity("t_rel_pins")
class RelPin(Entity):
    """Default on_delete (restrict)."""

    id: str = field(typedefs.uuid())
    parent: Ref = field(Field(type="foreign", reference="t_rel_parents", required=True))


@entity("t_rel_uniques")
class RelUnique(Entity):
    """A unique foreign key (Kong's ``unique_references`` fixture)."""

    id: str = field(typedefs.uuid())
    note: str | None = field(Field(type="string"))
    parent: Ref = field(
        Field(type="foreign", reference="t_rel_parents", unique=True, on_delete="cascade")
    )


@entity("t_rel_keys", endpoint_key="key")
class RelKey(Entity):
    """A credential of a consumer (like keyauth_credentials): cascade on consumer delete."""

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    key: str | None = field(Field(type="string", unique=True))


@entity("t_rel_key_uses")
class RelKeyUse(Entity):
    """A grandchild of consumers: cascade on credential delete."""

    id: str = field(typedefs.uuid())
    credential: Ref = field(
        Field(type="foreign", reference="t_rel_keys", required=True, on_delete="cascade")
    )
    note: str | None = field(Field(type="string"))


TEST_ENTITIES = (RelParent, RelNullable, RelPin, RelUnique, RelKey, RelKeyUse)

# A plugin that may be applied to consumers (the bundled key-auth cannot).
AUDIT_PLUGIN = "t-rel-audit"
AUDIT_SCHEMA = Schema(
    name=AUDIT_PLUGIN,
    fields=[
        (
            "config",
            Field(type="record", fields=[("level", Field(type="string", default="info"))]),
        )
    ],
)
AUDIT = PluginSpec(name=AUDIT_PLUGIN, schema=AUDIT_SCHEMA)


@pytest.fixture
async def rdb(db, dsn_for):
    """A DB serving the test entities and the ``t-rel-audit`` plugin, its tables emptied."""
    db2 = await kongdao.connect(
        dsn_for,
        entities=TEST_ENTITIES,
        plugins=["key-auth", AUDIT],
        ttl_cleanup_interval=None,
    )
    try:
        await create_tables(db2, *TEST_ENTITIES)
        for cls in reversed(TEST_ENTITIES):
            await db2.truncate(kongdao.schema_of(cls).name)
        yield db2
    finally:
        await db2.close()


def fresh_id():
    return str(uuid.uuid4())


def fk_message(fk_id, parent):
    return f"the foreign key '{{id=\"{fk_id}\"}}' does not reference an existing '{parent}' entity."


def assert_fk_violation(exc, db, fk_id, field_name, parent):
    message = fk_message(fk_id, parent)
    assert isinstance(exc, errors.ForeignKeyViolation)
    assert exc.err_t == {
        "code": 4,
        "name": "foreign key violation",
        "message": message,
        "strategy": db.connector.name,
        "fields": {field_name: {"id": fk_id}},
    }
    assert str(exc) == f"[{db.connector.name}] {message}"


async def all_of(dao):
    return [e async for e in dao.each()]


# -- restrict ---------------------------------------------------------------------------------


async def test_routes_restrict_service_delete(db, bp):
    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})

    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.services.delete({"id": svc.id})

    message = "an existing 'routes' entity references this 'services' entity"
    assert ei.value.err_t == {
        "code": 4,
        "name": "foreign key violation",
        "message": message,
        "strategy": db.connector.name,
        "fields": {"@referenced_by": "routes"},
    }
    assert str(ei.value) == f"[{db.connector.name}] {message}"
    assert await db.services.select({"id": svc.id}) == svc
    assert await db.routes.select({"id": route.id}) == route


async def test_restrict_delete_by_unique_field(db, bp):
    svc = await bp.services()
    await bp.routes(service={"id": svc.id})
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.services.delete_by_name(svc.name)
    assert ei.value.fields == {"@referenced_by": "routes"}
    assert await db.services.select_by_name(svc.name) == svc


async def test_delete_route_keeps_its_service(db, bp):
    route = await bp.routes()
    assert (await db.routes.delete({"id": route.id})).id == route.id
    assert await db.routes.select({"id": route.id}) is None
    assert (await db.services.select({"id": route.service.id})).id == route.service.id
    # once unreferenced, the service can go
    assert (await db.services.delete({"id": route.service.id})).id == route.service.id
    assert await db.services.select({"id": route.service.id}) is None


async def test_restrict_on_custom_entity(rdb):
    parent = await rdb.t_rel_parents.insert({"name": "p"})
    pin = await rdb.t_rel_pins.insert({"parent": {"id": parent.id}})
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await rdb.t_rel_parents.delete({"id": parent.id})
    assert str(ei.value) == (
        f"[{rdb.connector.name}] an existing 't_rel_pins' entity references "
        "this 't_rel_parents' entity"
    )
    assert ei.value.fields == {"@referenced_by": "t_rel_pins"}
    assert await rdb.t_rel_parents.select({"id": parent.id}) == parent
    assert await rdb.t_rel_pins.select({"id": pin.id}) == pin


# -- cascade ----------------------------------------------------------------------------------


async def test_plugins_cascade_on_service_delete(db, bp):
    svc = await bp.services()
    other = await bp.services()
    plugin = await bp.plugins(service={"id": svc.id})
    kept = await bp.plugins(service={"id": other.id})

    deleted = await db.services.delete({"id": svc.id})

    assert deleted == svc
    assert await db.services.select({"id": svc.id}) is None
    assert await db.plugins.select({"id": plugin.id}) is None
    assert await db.plugins.select_by_cache_key(plugin) is None
    assert await db.plugins.select({"id": kept.id}) == kept
    assert [p.id for p in await all_of(db.plugins)] == [kept.id]


async def test_plugins_cascade_on_route_delete(db, bp):
    route = await bp.routes()
    plugin = await bp.plugins(route={"id": route.id})
    svc_plugin = await bp.plugins(service={"id": route.service.id})

    await db.routes.delete({"id": route.id})

    assert await db.routes.select({"id": route.id}) is None
    assert await db.plugins.select({"id": plugin.id}) is None
    # the service and its plugin are untouched
    assert await db.services.select({"id": route.service.id}) is not None
    assert await db.plugins.select({"id": svc_plugin.id}) == svc_plugin


async def test_plugins_cascade_on_consumer_delete(rdb):
    alice = await rdb.consumers.insert({"username": "alice"})
    bob = await rdb.consumers.insert({"username": "bob"})
    p1 = await rdb.plugins.insert({"name": AUDIT_PLUGIN, "consumer": {"id": alice.id}})
    p2 = await rdb.plugins.insert({"name": AUDIT_PLUGIN, "consumer": {"id": bob.id}})
    assert p1.config == {"level": "info"}

    await rdb.consumers.delete_by_username("alice")

    assert await rdb.consumers.select({"id": alice.id}) is None
    assert await rdb.plugins.select({"id": p1.id}) is None
    assert await rdb.plugins.select({"id": p2.id}) == p2


async def test_three_level_cascade(rdb):
    """consumer -> credential (cascade) -> credential use (cascade): everything below goes."""
    consumer = await rdb.consumers.insert({"username": "carol"})
    other = await rdb.consumers.insert({"username": "dave"})
    k1 = await rdb.t_rel_keys.insert({"consumer": {"id": consumer.id}, "key": "k1"})
    k2 = await rdb.t_rel_keys.insert({"consumer": {"id": consumer.id}, "key": "k2"})
    k3 = await rdb.t_rel_keys.insert({"consumer": {"id": other.id}, "key": "k3"})
    uses = [
        await rdb.t_rel_key_uses.insert({"credential": {"id": k.id}, "note": f"use of {k.key}"})
        for k in (k1, k1, k2, k3)
    ]

    await rdb.consumers.delete({"id": consumer.id})

    assert await rdb.consumers.select({"id": consumer.id}) is None
    assert [k.id for k in await all_of(rdb.t_rel_keys)] == [k3.id]
    assert await rdb.t_rel_keys.select_by_key("k1") is None
    remaining = await all_of(rdb.t_rel_key_uses)
    assert [u.id for u in remaining] == [uses[3].id]
    assert await rdb.consumers.select({"id": other.id}) == other


async def test_failed_delete_leaves_everything_in_place(db, bp):
    """A restricted delete changes nothing, not even the cascading children."""
    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})
    svc_plugin = await bp.plugins(service={"id": svc.id})
    route_plugin = await bp.plugins(route={"id": route.id})

    with pytest.raises(errors.ForeignKeyViolation):
        await db.services.delete({"id": svc.id})

    assert await db.services.select({"id": svc.id}) == svc
    assert await db.routes.select({"id": route.id}) == route
    assert await db.plugins.select({"id": route_plugin.id}) == route_plugin
    if db.connector.capabilities.atomic_cascade:
        # a non-atomic cascade may have removed some children before meeting the restriction
        assert await db.plugins.select({"id": svc_plugin.id}) == svc_plugin
        assert sorted(p.id for p in await all_of(db.plugins)) == sorted(
            [svc_plugin.id, route_plugin.id]
        )


async def test_failed_delete_on_custom_entities_leaves_everything(rdb):
    parent = await rdb.t_rel_parents.insert({"name": "p"})
    unique_child = await rdb.t_rel_uniques.insert({"parent": {"id": parent.id}})
    nullable = await rdb.t_rel_nullables.insert({"parent": {"id": parent.id}})
    pin = await rdb.t_rel_pins.insert({"parent": {"id": parent.id}})

    with pytest.raises(errors.ForeignKeyViolation):
        await rdb.t_rel_parents.delete({"id": parent.id})

    assert await rdb.t_rel_parents.select({"id": parent.id}) == parent
    assert await rdb.t_rel_pins.select({"id": pin.id}) == pin
    if rdb.connector.capabilities.atomic_cascade:
        assert await rdb.t_rel_uniques.select({"id": unique_child.id}) == unique_child
        assert await rdb.t_rel_nullables.select({"id": nullable.id}) == nullable


# -- on_delete = "null" -------------------------------------------------------------------------


async def test_on_delete_null_clears_the_reference(rdb):
    parent = await rdb.t_rel_parents.insert({"name": "p1"})
    other = await rdb.t_rel_parents.insert({"name": "p2"})
    orphan = await rdb.t_rel_nullables.insert({"note": "a", "parent": {"id": parent.id}})
    sibling = await rdb.t_rel_nullables.insert({"note": "b", "parent": {"id": parent.id}})
    kept = await rdb.t_rel_nullables.insert({"note": "c", "parent": {"id": other.id}})
    assert orphan.parent == {"id": parent.id}

    await rdb.t_rel_parents.delete({"id": parent.id})

    assert await rdb.t_rel_parents.select({"id": parent.id}) is None
    for child in (orphan, sibling):
        stored = await rdb.t_rel_nullables.select({"id": child.id})
        assert stored is not None
        assert stored.parent is None
        assert stored.note == child.note
    assert await rdb.t_rel_nullables.select({"id": kept.id}) == kept
    page, offset = await rdb.t_rel_nullables.page_for_parent({"id": parent.id})
    assert (page, offset) == ([], None)


# -- references to missing rows ---------------------------------------------------------------


async def test_insert_with_missing_foreign_key(db):
    missing = fresh_id()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.insert({"paths": ["/x"], "service": {"id": missing}})
    assert_fk_violation(ei.value, db, missing, "service", "services")
    assert await all_of(db.routes) == []


async def test_update_with_missing_foreign_key(db, bp):
    route = await bp.routes()
    missing = fresh_id()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.update({"id": route.id}, {"service": {"id": missing}})
    assert_fk_violation(ei.value, db, missing, "service", "services")
    assert await db.routes.select({"id": route.id}) == route


async def test_update_by_name_with_missing_foreign_key(db, bp):
    route = await bp.routes(name="r1")
    missing = fresh_id()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.update_by_name("r1", {"service": {"id": missing}})
    assert_fk_violation(ei.value, db, missing, "service", "services")
    assert await db.routes.select({"id": route.id}) == route


async def test_upsert_with_missing_foreign_key(db, bp):
    missing = fresh_id()
    new_id = fresh_id()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.upsert({"id": new_id}, {"paths": ["/x"], "service": {"id": missing}})
    assert_fk_violation(ei.value, db, missing, "service", "services")
    assert await db.routes.select({"id": new_id}) is None

    # replacing an existing route fails the same way and keeps the stored row
    route = await bp.routes()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.upsert({"id": route.id}, {"paths": ["/y"], "service": {"id": missing}})
    assert_fk_violation(ei.value, db, missing, "service", "services")
    assert await db.routes.select({"id": route.id}) == route


async def test_upsert_by_name_with_missing_foreign_key(db):
    missing = fresh_id()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await db.routes.upsert_by_name("r2", {"paths": ["/x"], "service": {"id": missing}})
    assert_fk_violation(ei.value, db, missing, "service", "services")
    assert await db.routes.select_by_name("r2") is None


async def test_plugin_with_missing_scope(db):
    for scope, parent in (("service", "services"), ("route", "routes")):
        missing = fresh_id()
        with pytest.raises(errors.ForeignKeyViolation) as ei:
            await db.plugins.insert({"name": "key-auth", scope: {"id": missing}})
        assert_fk_violation(ei.value, db, missing, scope, parent)
    assert await all_of(db.plugins) == []


async def test_custom_entity_with_missing_foreign_key(rdb):
    missing = fresh_id()
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await rdb.t_rel_keys.insert({"consumer": {"id": missing}, "key": "nope"})
    assert_fk_violation(ei.value, rdb, missing, "consumer", "consumers")
    assert await rdb.t_rel_keys.select_by_key("nope") is None


# -- foreign keys given by a unique field -----------------------------------------------------


async def test_foreign_key_resolved_by_unique_field(db, bp):
    svc = await bp.services()
    route = await db.routes.insert({"paths": ["/by-name"], "service": {"name": svc.name}})
    assert route.service == {"id": svc.id}
    assert (await db.routes.select({"id": route.id})).service == {"id": svc.id}

    other = await bp.services()
    updated = await db.routes.update({"id": route.id}, {"service": {"name": other.name}})
    assert updated.service == {"id": other.id}


async def test_foreign_key_unresolved(db, bp):
    with pytest.raises(errors.ForeignKeysUnresolved) as ei:
        await db.routes.insert({"paths": ["/x"], "service": {"name": "non-existing"}})
    described = (
        "the foreign key cannot be resolved with '{name=\"non-existing\"}' "
        "for an existing 'services' entity"
    )
    assert ei.value.err_t == {
        "code": 13,
        "name": "foreign keys unresolved",
        "message": f"foreign key unresolved (service.name: {described})",
        "strategy": db.connector.name,
        "fields": {"service": {"name": described}},
    }
    assert await all_of(db.routes) == []


async def test_unique_foreign_key_methods(rdb):
    """Kong's 10-db_unique_foreign_spec: *_by_<unique foreign>."""
    p1 = await rdb.t_rel_parents.insert({"name": "u1"})
    p2 = await rdb.t_rel_parents.insert({"name": "u2"})
    r1 = await rdb.t_rel_uniques.insert({"note": "n1", "parent": {"id": p1.id}})
    r2 = await rdb.t_rel_uniques.insert({"note": "n2", "parent": {"id": p2.id}})

    assert await rdb.t_rel_uniques.select_by_parent({"id": p1.id}) == r1
    assert await rdb.t_rel_uniques.select_by_parent({"id": fresh_id()}) is None
    with pytest.raises(TypeError, match=r"^parent must be a table$"):
        await rdb.t_rel_uniques.select_by_parent(123)

    updated = await rdb.t_rel_uniques.update_by_parent({"id": p1.id}, {"note": "updated"})
    assert (updated.id, updated.note) == (r1.id, "updated")

    missing = fresh_id()
    with pytest.raises(errors.NotFound) as ei:
        await rdb.t_rel_uniques.update_by_parent({"id": missing}, {"note": "x"})
    assert ei.value.message == f"could not find the entity with '{{parent={{id=\"{missing}\"}}}}'"

    # the unique foreign key is unique
    with pytest.raises(errors.UniqueViolation) as ei:
        await rdb.t_rel_uniques.update({"id": r1.id}, {"parent": {"id": p2.id}})
    assert ei.value.err_t == {
        "code": 5,
        "name": "unique constraint violation",
        "message": f"UNIQUE violation detected on '{{parent={{id=\"{p2.id}\"}}}}'",
        "strategy": rdb.connector.name,
        "fields": {"parent": {"id": p2.id}},
    }
    with pytest.raises(errors.UniqueViolation):
        await rdb.t_rel_uniques.insert({"parent": {"id": p2.id}})

    # upsert by a missing unique foreign key: the reference is invalid
    with pytest.raises(errors.ForeignKeyViolation) as ei:
        await rdb.t_rel_uniques.upsert_by_parent({"id": missing}, {"note": "x"})
    assert_fk_violation(ei.value, rdb, missing, "parent", "t_rel_parents")

    # the unique foreign key given with the entity is ignored when upserting by it
    upserted = await rdb.t_rel_uniques.upsert_by_parent(
        {"id": p2.id}, {"note": "up", "parent": {"id": p1.id}}
    )
    assert (upserted.id, upserted.parent, upserted.note) == (r2.id, {"id": p2.id}, "up")

    assert (await rdb.t_rel_uniques.delete_by_parent({"id": p2.id})).id == r2.id
    assert await rdb.t_rel_uniques.select({"id": r2.id}) is None
    assert await rdb.t_rel_uniques.delete_by_parent({"id": fresh_id()}) is None


# -- page_for_<fk> on a custom child entity ----------------------------------------------------


# Not `reads`: its DB is opened on `dsn_for`, which the off backend does not have.
async def test_page_for_on_custom_child(rdb):
    c1 = await rdb.consumers.insert({"username": "erin"})
    c2 = await rdb.consumers.insert({"username": "frank"})
    mine = {(await rdb.t_rel_keys.insert({"consumer": {"id": c1.id}})).id for _ in range(5)}
    theirs = {(await rdb.t_rel_keys.insert({"consumer": {"id": c2.id}})).id for _ in range(2)}

    seen = []
    offset = None
    pages = 0
    while True:
        page, offset = await rdb.t_rel_keys.page_for_consumer({"id": c1.id}, 2, offset)
        pages += 1
        assert len(page) <= 2
        assert all(k.consumer == {"id": c1.id} for k in page)
        seen.extend(k.id for k in page)
        if offset is None:
            break
        assert pages < 10
    assert len(seen) == len(set(seen))
    assert set(seen) == mine
    assert pages >= 3

    assert {k.id async for k in rdb.t_rel_keys.each_for_consumer({"id": c2.id})} == theirs
    assert await rdb.t_rel_keys.page_for_consumer({"id": fresh_id()}) == ([], None)

    with pytest.raises(TypeError, match=r"^foreign_key must be a table$"):
        await rdb.t_rel_keys.page_for_consumer("nope")
    with pytest.raises(AttributeError):
        rdb.t_rel_keys.page_for_key  # noqa: B018 (a unique field, not a foreign key)
