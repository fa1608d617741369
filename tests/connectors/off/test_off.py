"""The ``off`` connector (Kong's DB-less strategy) through the normal DAO: no database needed.

A small configuration (services, routes, consumers, key-auth plugins and credentials) is made
valid with the schemas, loaded, then read back through ``db.<entity>``: results must equal the
loaded entities, writes must fail with Kong's OPERATION_UNSUPPORTED messages, reloads must be
atomic (a pager that spans one finishes on its own configuration), and offsets must be checked.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest

from kongdao import errors
from kongdao.connector import Connector, Strategy
from kongdao.connectors.off import CAPABILITIES, OffConnector, from_dsn
from kongdao.connectors.off import offsets as off_offsets
from kongdao.db import DB


class Clock:
    """A monotonic clock the tests move by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def db(clock: Clock) -> AsyncIterator[DB]:
    database = DB(
        OffConnector(clock=clock),
        plugins=["key-auth"],
        ttl_cleanup_interval=None,
        check_migrations=False,
    )
    await database.open()
    yield database
    await database.close()


def connector_of(db: DB) -> OffConnector:
    connector = db.connector
    assert isinstance(connector, OffConnector)
    return connector


def make(db: DB, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A processed, validated entity dict, as the declarative parser produces."""
    schema = db.schemas[name]
    processed = schema.process_auto_fields(data, "insert")
    errs = schema.validate_insert(processed, data)
    assert not errs, errs
    return processed


def uid(n: int) -> str:
    """Ids whose order is known: ``...0001`` < ``...0002`` < ..."""
    return f"00000000-0000-4000-8000-{n:012d}"


def config(db: DB) -> dict[str, list[dict[str, Any]]]:
    """Entities listed out of id order, so that page order is the connector's doing."""
    s1 = make(
        db,
        "services",
        {"id": uid(12), "name": "s1", "url": "http://one.test/a", "tags": ["a", "b"]},
    )
    s2 = make(db, "services", {"id": uid(11), "name": "s2", "host": "two.test", "tags": ["b"]})
    s3 = make(db, "services", {"id": uid(13), "name": "s3", "host": "three.test"})
    r1 = make(
        db, "routes", {"id": uid(23), "name": "r1", "paths": ["/1"], "service": {"id": s1["id"]}}
    )
    r2 = make(
        db,
        "routes",
        {"id": uid(21), "name": "r2", "hosts": ["x.test"], "service": {"id": s1["id"]}},
    )
    r3 = make(
        db, "routes", {"id": uid(22), "name": "r3", "paths": ["/3"], "service": {"id": s2["id"]}}
    )
    c1 = make(db, "consumers", {"id": uid(31), "username": "alice", "custom_id": "A"})
    c2 = make(db, "consumers", {"id": uid(32), "username": "bob"})
    p1 = make(db, "plugins", {"id": uid(41), "name": "key-auth", "service": {"id": s1["id"]}})
    p2 = make(db, "plugins", {"id": uid(42), "name": "key-auth", "route": {"id": r3["id"]}})
    k1 = make(
        db, "keyauth_credentials", {"id": uid(51), "key": "k-alice", "consumer": {"id": c1["id"]}}
    )
    k2 = make(
        db, "keyauth_credentials", {"id": uid(52), "key": "k-bob", "consumer": {"id": c2["id"]}}
    )
    k2["ttl"] = 60
    return {
        "services": [s1, s2, s3],
        "routes": [r1, r2, r3],
        "consumers": [c2, c1],
        "plugins": [p2, p1],
        "keyauth_credentials": [k2, k1],
    }


@pytest.fixture
async def loaded(db: DB) -> dict[str, list[dict[str, Any]]]:
    entities = config(db)
    await connector_of(db).load(copy.deepcopy(entities))
    return entities


def by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r["id"])


def expected(db: DB, name: str, row: dict[str, Any]) -> Any:
    """The entity the database connectors return for this stored row."""
    return db.daos[name].row_to_entity(row)


# ---------------------------------------------------------------------------------------------
# The connector itself


def test_protocols_and_capabilities() -> None:
    connector = OffConnector()
    assert isinstance(connector, Connector)
    assert connector.name == "off"
    assert connector.capabilities == CAPABILITIES
    assert not CAPABILITIES.transactions
    assert not CAPABILITIES.enforces_unique
    assert CAPABILITIES.native_ttl
    assert CAPABILITIES.ordered_pages
    assert not CAPABILITIES.paging_state


async def test_strategies_are_strategies(db: DB) -> None:
    for name, dao in db.daos.items():
        assert isinstance(dao.strategy, Strategy), name
        assert dao.strategy.schema is db.schemas[name]


def test_from_dsn() -> None:
    assert isinstance(from_dsn("off://"), OffConnector)
    assert isinstance(from_dsn(None), OffConnector)
    for bad in ("postgresql://kong@127.0.0.1/kong", "off://host", "off:///kong.yml", "off://?x=1"):
        with pytest.raises(ValueError, match="off://"):
            from_dsn(bad)
    with pytest.raises(TypeError):
        from_dsn("off://", pool_size=3)
    with pytest.raises(ValueError, match="keep_snapshots"):
        OffConnector(keep_snapshots=-1)
    with pytest.raises(TypeError, match="configuration"):
        OffConnector(declarative_config=["services"])


async def test_declarative_config_given_to_from_dsn_is_served_once_open() -> None:
    probe = DB(OffConnector(), plugins=["key-auth"], ttl_cleanup_interval=None)
    entities = config(probe)
    db = DB(
        from_dsn("off://", declarative_config=entities),
        plugins=["key-auth"],
        ttl_cleanup_interval=None,
    )
    await db.open()  # check_migrations=True: the off connector is always up to date
    try:
        found = await db.services.select_by_name("s2")
        assert found is not None
        assert found.id == uid(11)
        assert await db.routes.count() == 3
    finally:
        await db.close()


async def test_infos_migrations_and_locks(db: DB) -> None:
    connector = connector_of(db)
    assert await db.infos() == {
        "strategy": "off",
        "db_name": "in memory",
        "db_desc": "cache",
        "db_ver": __import__("kongdao").__version__,
    }
    state = await db.migrations.state()
    assert state.is_up_to_date
    assert not state.needs_bootstrap
    assert not state.has_pending
    assert state.is_migration_executed("core", "000_base")
    assert state.is_migration_executed("key-auth", "000_base_key_auth")
    await db.migrations.up()  # nothing to run (a migration would fail in execute_ddl)
    assert (await db.migrations.state()).is_up_to_date
    rows = await connector.read_schema_meta(db.subsystems)
    assert [r["subsystem"] for r in rows] == [s.name for s in db.subsystems]
    assert all(r["pending"] == [] and r["executed"] for r in rows)
    assert await connector.insert_lock("migrations", "me", 10) is True
    assert await connector.read_lock("migrations") is None
    with pytest.raises(errors.OperationUnsupported) as exc:
        await connector.execute_ddl("CREATE TABLE x (id int)")
    assert str(exc.value) == "[off] cannot perform queries without a database"
    with pytest.raises(errors.OperationUnsupported):
        await connector.record_migration("core", "000_base", "executed")


async def test_reads_need_an_open_connector(loaded: dict[str, Any], db: DB) -> None:
    connector = connector_of(db)
    await connector.close()
    with pytest.raises(errors.InterfaceError, match="not connected"):
        await db.services.select({"id": uid(12)})
    with pytest.raises(errors.InterfaceError, match="not connected"):
        await db.services.page()
    await connector.connect()
    assert await db.services.select({"id": uid(12)}) is not None


async def test_load_needs_schemas() -> None:
    connector = OffConnector()
    with pytest.raises(errors.InterfaceError, match="schemas"):
        await connector.load({"services": []})
    with pytest.raises(TypeError):
        await connector.load([("services", [])])


# ---------------------------------------------------------------------------------------------
# Reads


async def test_select_returns_the_loaded_entities(loaded: dict[str, Any], db: DB) -> None:
    for name, rows in loaded.items():
        for row in rows:
            found = await db.daos[name].select({"id": row["id"]})
            assert found is not None, (name, row["id"])
            assert found.id == row["id"]
            if name != "keyauth_credentials" or row.get("ttl") is None:
                assert found == expected(db, name, row)
    s1 = await db.services.select({"id": uid(12)})
    assert s1 is not None
    assert (s1.name, s1.host, s1.path, s1.port, s1.tags) == ("s1", "one.test", "/a", 80, ["a", "b"])
    assert await db.services.select({"id": uid(99)}) is None


async def test_select_by_unique_fields(loaded: dict[str, Any], db: DB) -> None:
    s2 = await db.services.select_by_name("s2")
    assert s2 == expected(db, "services", loaded["services"][1])
    r3 = await db.routes.select_by_name("r3")
    assert r3 is not None
    assert r3.id == uid(22)
    alice = await db.consumers.select_by_username("alice")
    assert alice is not None
    assert alice.id == uid(31)
    by_custom_id = await db.consumers.select_by_custom_id("A")
    assert by_custom_id == alice
    assert await db.services.select_by_name("nope") is None
    assert await db.consumers.select_by_custom_id("B") is None


async def test_uuids_compare_case_insensitively(loaded: dict[str, Any], db: DB) -> None:
    found = await db.services.select({"id": uid(12).upper()})
    assert found is not None
    assert found.id == uid(12)
    routes, _ = await db.routes.page_for_service({"id": uid(12).upper()})
    assert [r.id for r in routes] == [uid(21), uid(23)]


async def test_select_by_cache_key(loaded: dict[str, Any], db: DB) -> None:
    p1 = loaded["plugins"][1]
    # the rows were loaded without a cache_key: the connector computed the DAO's
    found = await db.plugins.select_by_cache_key(db.plugins.cache_key(p1))
    assert found == expected(db, "plugins", p1)
    by_entity = await db.plugins.select_by_cache_key({"name": "key-auth", "route": {"id": uid(22)}})
    assert by_entity is not None
    assert by_entity.id == uid(42)
    assert (
        await db.plugins.select_by_cache_key({"name": "key-auth", "route": {"id": uid(21)}}) is None
    )
    # single-field cache key: keyauth's key
    k1 = await db.keyauth_credentials.select_by_cache_key("k-alice")
    assert k1 == expected(db, "keyauth_credentials", loaded["keyauth_credentials"][1])
    k1_again = await db.keyauth_credentials.select_by_key("k-alice")
    assert k1_again == k1
    assert await db.keyauth_credentials.select_by_cache_key("k-nobody") is None


async def test_a_stored_cache_key_is_kept(db: DB) -> None:
    entities = config(db)
    entities["plugins"][0]["cache_key"] = "plugins:custom"
    await connector_of(db).load(entities)
    found = await db.plugins.select_by_cache_key("plugins:custom")
    assert found is not None
    assert found.id == uid(42)


async def test_page_in_primary_key_order(loaded: dict[str, Any], db: DB) -> None:
    rows, offset = await db.services.page()
    assert rows == [expected(db, "services", r) for r in by_id(loaded["services"])]
    assert offset is None
    first, offset = await db.services.page(2)
    assert [s.id for s in first] == [uid(11), uid(12)]
    assert isinstance(offset, str)
    second, last = await db.services.page(2, offset)
    assert [s.id for s in second] == [uid(13)]
    assert last is None
    # a page that takes exactly the rest has no offset (as on PostgreSQL)
    _, none = await db.services.page(3)
    assert none is None
    # the same offset gives the same page
    again, _ = await db.services.page(2, offset)
    assert again == second


async def test_each_and_count(loaded: dict[str, Any], db: DB) -> None:
    for name, rows in loaded.items():
        seen = [e async for e in db.daos[name].each(size=1)]
        assert [e.id for e in seen] == [r["id"] for r in by_id(rows)], name
        assert await db.daos[name].count() == len(rows), name
    assert await db.snis.count() == 0
    assert await db.snis.page() == ([], None)


async def test_page_for_foreign_keys(loaded: dict[str, Any], db: DB) -> None:
    routes, offset = await db.routes.page_for_service({"id": uid(12)})
    assert routes == [expected(db, "routes", r) for r in by_id(loaded["routes"][:2])]
    assert offset is None
    first, offset = await db.routes.page_for_service({"id": uid(12)}, 1)
    assert [r.id for r in first] == [uid(21)]
    assert offset is not None
    rest, none = await db.routes.page_for_service({"id": uid(12)}, 1, offset)
    assert [r.id for r in rest] == [uid(23)]
    assert none is None
    assert await db.routes.page_for_service({"id": uid(13)}) == ([], None)
    each = [r.id async for r in db.routes.each_for_service({"id": uid(11)})]
    assert each == [uid(22)]
    creds, _ = await db.keyauth_credentials.page_for_consumer({"id": uid(31)})
    assert [c.id for c in creds] == [uid(51)]
    plugins, _ = await db.plugins.page_for_route({"id": uid(22)})
    assert [p.id for p in plugins] == [uid(42)]


async def test_tags_filters(loaded: dict[str, Any], db: DB) -> None:
    async def ids(tags: list[str], cond: str | None = None) -> list[str]:
        rows, _ = await db.services.page(tags=tags, tags_cond=cond)
        return [s.id for s in rows]

    assert await ids(["b"]) == [uid(11), uid(12)]
    assert await ids(["a"]) == [uid(12)]
    assert await ids(["a", "b"], "and") == [uid(12)]
    assert await ids(["a", "b"], "or") == [uid(11), uid(12)]
    assert await ids(["a", "zzz"], "and") == []
    assert await ids(["a", "zzz"], "or") == [uid(12)]
    first, offset = await db.services.page(1, tags=["b"])
    assert [s.id for s in first] == [uid(11)]
    assert offset is not None
    rest, none = await db.services.page(1, offset, tags=["b"])
    assert [s.id for s in rest] == [uid(12)]
    assert none is None
    with pytest.raises(errors.InvalidOptions):
        await db.services.page(tags=["a", "b"])  # tags_cond needed, checked by the DAO


async def test_the_tags_entity(loaded: dict[str, Any], db: DB) -> None:
    pairs, _ = await db.tags.page()
    assert [(t.tag, t.entity_name, t.entity_id) for t in pairs] == [
        ("b", "services", uid(11)),
        ("a", "services", uid(12)),
        ("b", "services", uid(12)),
    ]
    by_tag, _ = await db.tags.page_by_tag("b")
    assert [t.entity_id for t in by_tag] == [uid(11), uid(12)]
    first, offset = await db.tags.page_by_tag("b", 1)
    assert [t.entity_id for t in first] == [uid(11)]
    assert offset is not None
    rest, _ = await db.tags.page_by_tag("b", 1, offset)
    assert [t.entity_id for t in rest] == [uid(12)]
    assert await db.tags.count() == 3
    with pytest.raises(errors.SchemaViolation):
        await db.tags.insert({"tag": "x", "entity_name": "services", "entity_id": uid(11)})


async def test_ttl_expiry(loaded: dict[str, Any], db: DB, clock: Clock) -> None:
    bob_key = await db.keyauth_credentials.select({"id": uid(52)})
    assert bob_key is not None
    assert bob_key.ttl == 60
    clock.t += 20.5
    bob_key = await db.keyauth_credentials.select_by_key("k-bob")
    assert bob_key is not None
    assert bob_key.ttl == 39
    alice_key = await db.keyauth_credentials.select({"id": uid(51)})
    assert alice_key is not None
    assert alice_key.ttl is None
    clock.t += 40
    assert await db.keyauth_credentials.select({"id": uid(52)}) is None
    assert await db.keyauth_credentials.select_by_key("k-bob") is None
    assert await db.keyauth_credentials.select_by_cache_key("k-bob") is None
    assert await db.keyauth_credentials.count() == 1
    rows, _ = await db.keyauth_credentials.page()
    assert [k.id for k in rows] == [uid(51)]
    # only expired rows follow: this is the last page (no offset to an empty one)
    assert [k.id for k in (await db.keyauth_credentials.page(1))[0]] == [uid(51)]
    assert (await db.keyauth_credentials.page(1))[1] is None
    creds, _ = await db.keyauth_credentials.page_for_consumer({"id": uid(32)})
    assert creds == []
    # an expired row is missing for writes too, as on a database
    assert await db.keyauth_credentials.delete({"id": uid(52)}) is None


async def test_returned_entities_do_not_share_state_with_the_configuration(
    db: DB,
) -> None:
    entities = config(db)
    await connector_of(db).load(entities)
    entities["services"][0]["name"] = "changed after load"
    entities["plugins"][1]["config"]["key_names"].append("changed")
    plugin = await db.plugins.select({"id": uid(41)})
    assert plugin is not None
    assert plugin.config["key_names"] == ["apikey"]
    plugin.config["key_names"].append("mutated by a reader")
    again = await db.plugins.select({"id": uid(41)})
    assert again is not None
    assert again.config["key_names"] == ["apikey"]
    found = await db.services.select({"id": uid(12)})
    assert found is not None
    assert found.name == "s1"


async def test_readers_cannot_change_the_configuration(db: DB) -> None:
    entities = config(db)
    entities["routes"][0]["headers"] = {"x-a": ["1"]}
    await connector_of(db).load(entities)
    route = await db.routes.select({"id": uid(23)})
    assert route is not None
    assert route.headers is not None
    route.headers["x-a"].append("mutated by a reader")
    row = await db.routes.strategy.select({"id": uid(23)})
    assert row is not None
    assert row["headers"] == {"x-a": ["1"]}
    row["headers"]["x-a"].append("mutated by a strategy caller")
    row["service"]["id"] = uid(11)
    again = await db.routes.select({"id": uid(23)})
    assert again is not None
    assert again.headers == {"x-a": ["1"]}
    assert again.service is not None
    assert again.service["id"] == uid(12)


# ---------------------------------------------------------------------------------------------
# Writes: Kong's OPERATION_UNSUPPORTED


def _writes(db: DB) -> list[tuple[str, Callable[[], Coroutine[Any, Any, Any]]]]:
    s1 = {"id": uid(12)}
    return [
        (
            "cannot create 'services' entities when not using a database",
            lambda: db.services.insert({"name": "new", "host": "new.test"}),
        ),
        (
            "cannot update 'services' entities when not using a database",
            lambda: db.services.update(s1, {"retries": 3}),
        ),
        (
            "cannot update 'services' entities by 'name' when not using a database",
            lambda: db.services.update_by_name("s1", {"retries": 3}),
        ),
        (
            "cannot create or update 'services' entities when not using a database",
            lambda: db.services.upsert(s1, {"name": "s1", "host": "x.test"}),
        ),
        (
            "cannot create or update 'services' entities by 'name' when not using a database",
            lambda: db.services.upsert_by_name("s1", {"host": "x.test"}),
        ),
        (
            "cannot remove 'services' entities when not using a database",
            lambda: db.services.delete(s1),
        ),
        (
            "cannot remove 'services' entities by 'name' when not using a database",
            lambda: db.services.delete_by_name("s1"),
        ),
        (
            "cannot truncate 'services' entities when not using a database",
            lambda: db.services.truncate(),
        ),
        (
            "cannot create 'plugins' entities when not using a database",
            lambda: db.plugins.insert({"name": "key-auth", "service": {"id": uid(13)}}),
        ),
        (
            "cannot create 'keyauth_credentials' entities when not using a database",
            lambda: db.keyauth_credentials.insert({"key": "k-new", "consumer": {"id": uid(31)}}),
        ),
        (
            "cannot remove 'keyauth_credentials' entities by 'key' when not using a database",
            lambda: db.keyauth_credentials.delete_by_key("k-alice"),
        ),
        (
            "cannot create 'routes' entities when not using a database",
            # the service given by name is resolved from the configuration first
            lambda: db.routes.insert({"paths": ["/new"], "service": {"name": "s3"}}),
        ),
    ]


async def test_writes_are_unsupported(loaded: dict[str, Any], db: DB) -> None:
    for message, call in _writes(db):
        with pytest.raises(errors.OperationUnsupported) as exc:
            await call()
        err = exc.value
        assert err.message == message
        assert err.code == 12
        assert err.name == "operation unsupported"
        assert err.strategy == "off"
        assert str(err) == f"[off] {message}"
        assert err.http_status == 405
    # nothing changed
    assert await db.services.count() == 3
    assert await db.plugins.count() == 2


async def test_writes_check_like_kong_before_refusing(loaded: dict[str, Any], db: DB) -> None:
    missing = {"id": uid(99)}
    # Kong's DAO reads before it writes: a missing row is NOT_FOUND, or nothing to delete
    with pytest.raises(errors.NotFound):
        await db.services.update(missing, {"retries": 3})
    with pytest.raises(errors.NotFound):
        await db.services.update_by_name("nope", {"retries": 3})
    assert await db.services.delete(missing) is None
    assert await db.services.delete_by_name("nope") is None
    # validation comes first too
    with pytest.raises(errors.SchemaViolation):
        await db.services.update({"id": uid(12)}, {"port": 99999})
    with pytest.raises(errors.SchemaViolation):
        await db.services.insert({"name": "bad"})
    with pytest.raises(errors.ForeignKeysUnresolved):
        await db.routes.insert({"paths": ["/x"], "service": {"name": "nope"}})
    # a full truncate is refused at the first entity and empties nothing
    with pytest.raises(errors.OperationUnsupported):
        await db.truncate()
    assert await db.services.count() == 3


# ---------------------------------------------------------------------------------------------
# Reloads


def config_b(db: DB) -> dict[str, list[dict[str, Any]]]:
    return {
        "services": [
            make(db, "services", {"id": uid(100 + i), "name": f"b{i}", "host": "b.test"})
            for i in range(4)
        ]
    }


async def test_reload_replaces_everything(loaded: dict[str, Any], db: DB) -> None:
    await connector_of(db).load(config_b(db))
    rows, _ = await db.services.page()
    assert [s.name for s in rows] == ["b0", "b1", "b2", "b3"]
    assert await db.routes.count() == 0
    assert await db.services.select_by_name("s1") is None
    assert (
        await db.plugins.select_by_cache_key({"name": "key-auth", "route": {"id": uid(22)}}) is None
    )
    await connector_of(db).load({})
    assert await db.services.count() == 0


async def test_a_pager_spanning_a_reload_stays_on_its_configuration(
    loaded: dict[str, Any], db: DB
) -> None:
    first, offset = await db.services.page(1)
    await connector_of(db).load(config_b(db))
    names = [s.name for s in first]
    while offset is not None:
        rows, offset = await db.services.page(1, offset)
        names += [s.name for s in rows]
    assert names == ["s2", "s1", "s3"]
    # a new iteration sees the new configuration
    assert [s.name async for s in db.services.each(size=1)] == ["b0", "b1", "b2", "b3"]


async def test_each_spanning_a_reload_does_not_mix(loaded: dict[str, Any], db: DB) -> None:
    names: list[str | None] = []
    async for service in db.services.each(size=1):
        names.append(service.name)
        if len(names) == 1:
            await connector_of(db).load(config_b(db))
    assert names == ["s2", "s1", "s3"]


async def test_offsets_of_dropped_configurations_are_stale(clock: Clock) -> None:
    db = DB(
        OffConnector(keep_snapshots=0, clock=clock),
        plugins=["key-auth"],
        ttl_cleanup_interval=None,
        check_migrations=False,
    )
    await db.open()
    try:
        await connector_of(db).load(config(db))
        _, offset = await db.services.page(1)
        assert offset is not None
        await connector_of(db).load(config_b(db))
        with pytest.raises(errors.InvalidOffset) as exc:
            await db.services.page(1, offset)
        assert str(exc.value) == (
            f"[off] '{offset}' is not a valid offset: stale data detected while paginating"
        )
    finally:
        await db.close()


async def test_keep_snapshots_bounds_the_kept_configurations(db: DB) -> None:
    connector = OffConnector(keep_snapshots=2)
    schemas = db.schemas
    ids = []
    for i in range(4):
        await connector.load({"services": config_b(db)["services"][: i + 1]}, schemas=schemas)
        ids.append(connector.snapshot.id)
    assert [connector.kept_snapshot(i) is not None for i in ids] == [False, True, True, True]


async def test_reads_during_a_load_see_one_configuration(loaded: dict[str, Any], db: DB) -> None:
    old = {"s1", "s2", "s3"}
    new = {"b0", "b1", "b2", "b3"}
    connector = connector_of(db)

    async def reader() -> list[set[str | None]]:
        seen = []
        for _ in range(200):
            rows, _ = await db.services.page()
            seen.append({s.name for s in rows})
            await asyncio.sleep(0)
        return seen

    big_b = config_b(db)
    results = await asyncio.gather(reader(), connector.load(big_b), reader())
    for seen in (results[0], results[2]):
        assert all(names in (old, new) for names in seen), seen
    assert {s.name async for s in db.services.each()} == new


async def test_a_refused_load_keeps_the_current_configuration(
    loaded: dict[str, Any], db: DB
) -> None:
    bad = config(db)
    bad["services"].append(make(db, "services", {"name": "s1", "host": "dup.test"}))
    bad["routes"].append(make(db, "routes", {"paths": ["/d"], "service": {"id": uid(99)}}))
    bad["consumers"].append(copy.deepcopy(bad["consumers"][0]))
    bad["plugins"].append(make(db, "plugins", {"name": "key-auth", "service": {"id": uid(12)}}))
    bad["unknown"] = []
    bad["keyauth_credentials"][0]["ttl"] = -1
    before = connector_of(db).snapshot
    with pytest.raises(errors.DeclarativeConfigError) as exc:
        await connector_of(db).load(bad)
    err = exc.value
    assert err.code == 14
    assert err.strategy == "off"
    assert err.fields is not None
    assert err.fields["services"] == {
        4: "uniqueness violation: 'services' entity with name set to 's1' already declared"
    }
    assert err.fields["routes"] == {
        4: f"invalid reference 'service: {{\"id\":\"{uid(99)}\"}}' (no such entry in 'services')"
    }
    assert err.fields["consumers"] == {
        3: f"uniqueness violation: 'consumers' entity with primary key set to '{uid(32)}' "
        "already declared"
    }
    (plugin_error,) = err.fields["plugins"].values()
    assert plugin_error.startswith("uniqueness violation: 'plugins' entity with cache_key set to")
    assert err.fields["keyauth_credentials"] == {
        1: {"ttl": "must be an integer between 0 and 100000000"}
    }
    assert err.fields["unknown"] == "unknown entity"
    assert connector_of(db).snapshot is before
    assert await db.services.count() == 3


async def test_load_refuses_malformed_items(db: DB) -> None:
    connector = connector_of(db)
    with pytest.raises(errors.DeclarativeConfigError) as exc:
        await connector.load({"services": ["nope", {"name": "no id"}], "tags": []})
    assert exc.value.fields == {
        "services": {1: "expected a record", 2: {"id": "missing primary key"}},
        "tags": "derived from the tags of the other entities; not loadable",
    }


# ---------------------------------------------------------------------------------------------
# Offsets


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("offset", "why"),
    [
        ("!!!", "bad base64 encoding"),
        ("a", "bad base64 encoding"),
        (b64("hello"), "invalid offset"),
        (b64("0:abc"), "invalid offset"),
        (b64("-1:abc"), "invalid offset"),
        (b64('["00000000-0000-4000-8000-000000000011"]'), "invalid offset"),
        ("", "invalid offset"),
    ],
)
async def test_malformed_offsets(loaded: dict[str, Any], db: DB, offset: str, why: str) -> None:
    message = f"'{offset}' is not a valid offset: {why}"
    for call in (
        lambda: db.services.page(1, offset),
        lambda: db.services.page(1, offset, tags=["b"]),
        lambda: db.routes.page_for_service({"id": uid(12)}, 1, offset),
        lambda: db.tags.page(1, offset),
        lambda: db.tags.page_by_tag("b", 1, offset),
    ):
        with pytest.raises(errors.InvalidOffset) as exc:
            await call()
        assert exc.value.message == message
        assert exc.value.code == 7
        assert exc.value.strategy == "off"


async def test_offsets_of_unknown_configurations(loaded: dict[str, Any], db: DB) -> None:
    forged = off_offsets.encode(0, "0123456789ab")
    with pytest.raises(errors.InvalidOffset, match="stale data detected while paginating"):
        await db.services.page(1, forged)
    # offsets of this configuration are positions: past the end is an empty last page
    current = connector_of(db).snapshot.id
    assert await db.services.page(1, off_offsets.encode(10, current)) == ([], None)


def test_bad_base64_reads_as_on_postgres() -> None:
    pg = pytest.importorskip("kongdao.connectors.postgres.strategy")
    with pytest.raises(errors.InvalidOffset) as on_pg:
        pg.decode_offset("!!!", [])
    with pytest.raises(errors.InvalidOffset) as on_off:
        off_offsets.decode("!!!")
    assert on_off.value.message == on_pg.value.message
    assert type(on_off.value) is type(on_pg.value)


async def test_a_random_uuid_reads_nothing(loaded: dict[str, Any], db: DB) -> None:
    assert await db.consumers.select({"id": str(uuid.uuid4())}) is None
