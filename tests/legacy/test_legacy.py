"""The legacy 0.13 ``dao`` API (``db.dao``): every method, 0.13's semantics and error shapes.

KONG.md 7.3/7.4/7.6. Connector-agnostic: the tests ask ``db.connector.capabilities``, never a
backend's name; error prefixes use ``db.connector.name``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest

import kongdao
from kongdao import errors, singletons
from kongdao.legacy import (
    DEFAULT_MAX_SCAN,
    LegacyDAO,
    LegacyDBError,
    LegacyError,
    LegacyFactory,
    LegacyForeignError,
    LegacySchemaError,
    LegacyUniqueError,
    translate,
)
from kongdao.legacy import errors as legacy_errors
from kongdao.registry import connector_from_dsn
from kongdao.schema import Entity, Field, Ref, entity, field, typedefs, virtual
from kongdao.testing.plugin import create_tables

MISSING = "6e3a4a3c-1f3e-4c4a-9a57-000000000000"


def prefix(db: Any) -> str:
    return f"[{db.connector.name} error] "


def assert_ms(ts: Any, before: float) -> None:
    assert isinstance(ts, int)
    assert ts % 1000 == 0  # second precision
    assert int(before) * 1000 <= ts <= (int(time.time()) + 1) * 1000


@entity("legacy_test_creds", cache_key=("key",), ttl=True)
class Cred(Entity):
    """Like 0.13's keyauth_credentials: a consumer's unique key, with a TTL."""

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref | None = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    key: str | None = field(Field(type="string", unique=True))
    kind: str | None = field(Field(type="string", immutable=True))
    ttl: int | None = virtual()


@pytest.fixture
async def cdb(db: Any, dsn_for: str) -> AsyncIterator[Any]:
    """A DB that also serves ``legacy_test_creds`` (an extra entity), emptied."""
    async with kongdao.connect(dsn_for, entities=[Cred], ttl_cleanup_interval=None) as db2:
        await create_tables(db2, Cred)
        await db2.truncate("legacy_test_creds")
        yield db2


@pytest.fixture
def no_filters(db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The same DB, as if its connector could not filter (the scanning path of Cassandra)."""
    caps = attrs.evolve(db.connector.capabilities, filters=False)
    monkeypatch.setattr(db.connector, "capabilities", caps)
    return db


@pytest.fixture(params=["native", "scan"])
def fdb(request: pytest.FixtureRequest, db: Any) -> Any:
    """The DB through both filtering paths: the connector's own, and the bounded scan."""
    if request.param == "scan":
        return request.getfixturevalue("no_filters")
    if not db.connector.capabilities.filters:
        pytest.skip("this connector cannot filter: only the scanning path applies")
    return db


# -- the seed example and the factory --------------------------------------------------------------


async def test_seed_example(db):
    before = time.time()
    svc = await db.services.insert({"name": "mockbin", "url": "http://mockbin.org/request"})
    plugin = await db.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    assert type(plugin) is dict
    assert plugin["service_id"] == svc.id
    for absent in ("service", "route_id", "consumer_id"):
        assert absent not in plugin
    assert plugin["name"] == "key-auth"
    assert plugin["enabled"] is True
    assert plugin["config"]["key_names"] == ["apikey"]
    assert_ms(plugin["created_at"], before)
    modern = await db.plugins.select({"id": plugin["id"]})
    assert plugin["created_at"] == modern.created_at * 1000
    assert modern.service == {"id": svc.id}
    assert await db.dao.plugins.find_all({"name": "key-auth"}) == [plugin]


async def test_factory_serves_every_entity(cdb):
    factory = cdb.dao
    assert isinstance(factory, LegacyFactory)
    assert cdb.dao is factory  # built once
    for name in ("services", "routes", "consumers", "plugins", "tags", "legacy_test_creds"):
        assert name in factory
        assert isinstance(factory[name], LegacyDAO)
        assert factory[name].table == name
    assert factory.services is factory["services"]
    assert factory.legacy_test_creds is factory["legacy_test_creds"]
    assert set(factory) >= {"services", "legacy_test_creds"}
    with pytest.raises(AttributeError, match="no entity named 'apis'"):
        _ = factory.apis
    with pytest.raises(KeyError):
        factory["apis"]
    assert factory.db_name == cdb.connector.name


async def test_factory_before_open_and_after_close(dsn_for):
    db = kongdao.DB(connector_from_dsn(dsn_for), ttl_cleanup_interval=None)
    with pytest.raises(errors.InterfaceError, match=r"db\.dao\.services: the DB is new"):
        _ = db.dao.services
    await db.open()
    dao = db.dao.services
    await db.close()
    with pytest.raises(errors.InterfaceError):
        await dao.find_all()


async def test_extra_entity_rows_and_ttl(cdb):
    before = time.time()
    consumer = await cdb.dao.consumers.insert({"username": "alice"})
    assert_ms(consumer["created_at"], before)
    cred = await cdb.dao.legacy_test_creds.insert(
        {"consumer_id": consumer["id"], "key": "k1", "kind": "a"}, ttl=100
    )
    assert cred["consumer_id"] == consumer["id"]
    assert 98 <= cred["ttl"] <= 100
    found = await cdb.dao.legacy_test_creds.find_all({"consumer_id": consumer["id"]})
    assert [{k: v for k, v in r.items() if k != "ttl"} for r in found] == [
        {k: v for k, v in cred.items() if k != "ttl"}
    ]
    assert [r["id"] for r in await cdb.dao.legacy_test_creds.find_all({"key": "k1"})] == [
        cred["id"]
    ]
    # immutable column: 0.13's wording
    with pytest.raises(LegacySchemaError) as excinfo:
        await cdb.dao.legacy_test_creds.update({"kind": "b"}, {"id": cred["id"]})
    assert excinfo.value.tbl == {"kind": "kind cannot be updated"}
    # ttl on an entity without one: a schema error naming it
    with pytest.raises(LegacySchemaError) as excinfo:
        await cdb.dao.services.insert({"host": "x.org"}, ttl=10)
    assert excinfo.value.tbl == {"ttl": "cannot be used with 'services'"}
    # the consumer's deletion cascades, and legacy returns the consumer's row
    deleted = await cdb.dao.consumers.delete({"id": consumer["id"]})
    assert deleted == consumer
    assert await cdb.dao.legacy_test_creds.count() == 0


# -- insert ----------------------------------------------------------------------------------------


async def test_insert_returns_plain_row_without_nulls(db):
    before = time.time()
    row = await db.dao.services.insert({"host": "example.org"})
    assert type(row) is dict
    assert None not in row.values()
    assert "name" not in row
    assert "path" not in row
    assert (row["protocol"], row["port"], row["retries"]) == ("http", 80, 5)
    assert_ms(row["created_at"], before)
    assert_ms(row["updated_at"], before)
    uuid.UUID(row["id"])


async def test_insert_accepts_modern_names_too(db, bp):
    svc = await bp.services()
    plugin = await db.dao.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
    assert plugin["service_id"] == svc.id


async def test_insert_events_and_quiet(db):
    seen: list[Any] = []
    db.events.subscribe(seen.append)
    await db.dao.services.insert({"host": "a.org"}, quiet=True)
    assert seen == []
    row = await db.dao.services.insert({"host": "b.org"})
    assert [(e.operation, e.entity.id) for e in seen] == [("create", row["id"])]


async def test_insert_argument_errors(db):
    with pytest.raises(
        TypeError, match=r"bad argument #1 to 'insert' \(table expected, got string\)"
    ):
        await db.dao.services.insert("nope")


# -- find ------------------------------------------------------------------------------------------


async def test_find(db):
    row = await db.dao.services.insert({"name": "s1", "host": "example.org"})
    assert await db.dao.services.find({"id": row["id"]}) == row
    # other columns are ignored, as in 0.13
    assert await db.dao.services.find({"id": row["id"], "name": "other"}) == row
    assert await db.dao.services.find({"id": MISSING}) is None


async def test_find_argument_errors(db):
    with pytest.raises(ValueError, match="Missing PRIMARY KEY field"):
        await db.dao.services.find({"name": "s1"})
    with pytest.raises(TypeError, match=r"bad argument #1 to 'find' \(table expected, got nil\)"):
        await db.dao.services.find(None)
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.services.find({"id": "not-a-uuid"})
    assert excinfo.value.tbl == {"id": "expected a valid UUID"}


# -- find_all / count / find_page ------------------------------------------------------------------


async def make_services(db: Any) -> list[dict[str, Any]]:
    rows = [
        await db.dao.services.insert(
            {"name": f"svc{i}", "host": f"h{i % 2}.org", "retries": i, "tags": ["t", f"n{i}"]}
        )
        for i in range(5)
    ]
    rows.append(await db.dao.services.insert({"host": "h0.org", "protocol": "https"}))
    return rows


def ids(rows: list[dict[str, Any]]) -> set[str]:
    return {r["id"] for r in rows}


async def test_find_all_without_filter(db):
    rows = await make_services(db)
    found = await db.dao.services.find_all()
    assert len(found) == 6
    assert sorted(found, key=lambda r: r["id"]) == sorted(rows, key=lambda r: r["id"])


async def test_find_all_and_count_by_columns(fdb):
    db = fdb
    rows = await make_services(db)
    by_host = [r for r in rows if r["host"] == "h0.org"]
    assert ids(await db.dao.services.find_all({"host": "h0.org"})) == ids(by_host)
    assert await db.dao.services.count({"host": "h0.org"}) == len(by_host) == 4
    # several columns: AND
    found = await db.dao.services.find_all({"host": "h0.org", "protocol": "https"})
    assert ids(found) == {rows[5]["id"]}
    assert await db.dao.services.count({"host": "h0.org", "protocol": "http"}) == 3
    # integers, booleans, sets (in any order), milliseconds, nulls
    assert ids(await db.dao.services.find_all({"retries": 3})) == {rows[3]["id"]}
    assert await db.dao.services.count({"enabled": True}) == 6
    assert await db.dao.services.count({"enabled": False}) == 0
    assert ids(await db.dao.services.find_all({"tags": ["n2", "t"]})) == {rows[2]["id"]}
    assert await db.dao.services.count({"tags": ["t"]}) == 0
    created = rows[0]["created_at"]
    same_second = [r for r in rows if r["created_at"] == created]
    assert ids(await db.dao.services.find_all({"created_at": created})) == ids(same_second)
    assert ids(await db.dao.services.find_all({"name": None})) == {rows[5]["id"]}
    assert await db.dao.services.find_all({"host": "nowhere.org"}) == []


async def test_filters_on_foreign_keys(fdb, bp):
    db = fdb
    svc1, svc2 = await bp.services(), await bp.services()
    p1 = await db.dao.plugins.insert({"name": "key-auth", "service_id": svc1.id})
    route = await bp.routes(service={"id": svc2.id})
    p2 = await db.dao.plugins.insert({"name": "key-auth", "route_id": route.id})
    assert await db.dao.plugins.find_all({"service_id": svc1.id}) == [p1]
    assert await db.dao.plugins.find_all({"route_id": route.id}) == [p2]
    assert await db.dao.plugins.count({"service_id": svc2.id}) == 0
    assert ids(await db.dao.plugins.find_all({"service_id": None})) == {p2["id"]}
    # ids compare as UUIDs, whatever their case; the modern names work too
    assert await db.dao.plugins.find_all({"service_id": svc1.id.upper()}) == [p1]
    assert await db.dao.plugins.find_all({"service": {"id": svc1.id}}) == [p1]
    assert await db.dao.plugins.find_all({"service": svc1.id}) == [p1]
    assert (await db.dao.routes.find_all({"service_id": svc2.id}))[0]["id"] == route.id


async def test_filters_on_arrays_maps_and_records(fdb, bp):
    db = fdb
    svc = await bp.services()
    r1 = await db.dao.routes.insert(
        {"paths": ["/a", "/b"], "headers": {"x-v": ["1"]}, "service_id": svc.id}
    )
    r2 = await db.dao.routes.insert({"paths": ["/b", "/a"], "service_id": svc.id})
    # arrays keep their order; maps (JSON) compare by content
    assert ids(await db.dao.routes.find_all({"paths": ["/a", "/b"]})) == {r1["id"]}
    assert ids(await db.dao.routes.find_all({"paths": ["/b", "/a"]})) == {r2["id"]}
    assert ids(await db.dao.routes.find_all({"headers": {"x-v": ["1"]}})) == {r1["id"]}
    assert await db.dao.routes.count({"headers": {"x-v": ["2"]}}) == 0
    # sets compare as sets
    assert await db.dao.routes.count({"protocols": ["https", "http"]}) == 2
    p = await db.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    assert await db.dao.plugins.find_all({"config": dict(reversed(p["config"].items()))}) == [p]
    other = {**p["config"], "hide_credentials": True}
    assert await db.dao.plugins.find_all({"config": other}) == []


async def test_unique_filters_are_lookups(fdb):
    db = fdb
    rows = await make_services(db)
    assert await db.dao.services.find_all({"name": "svc3"}) == [rows[3]]
    assert await db.dao.services.find_all({"name": "svc3", "host": "h1.org"}) == [rows[3]]
    assert await db.dao.services.find_all({"name": "svc3", "host": "h0.org"}) == []
    assert await db.dao.services.count({"name": "svc3"}) == 1
    assert await db.dao.services.count({"name": "nope"}) == 0
    assert await db.dao.services.find_all({"id": rows[1]["id"]}) == [rows[1]]
    assert await db.dao.services.find_page({"name": "svc1"}) == ([rows[1]], None)
    # a value the schema would never store matches nothing, as in 0.13
    assert await db.dao.services.find_all({"name": "not a valid name!"}) == []
    consumer = await db.dao.consumers.insert({"username": "bob", "custom_id": "c1"})
    assert await db.dao.consumers.find_all({"custom_id": "c1"}) == [consumer]


async def test_find_page_walks_every_row(fdb):
    db = fdb
    rows = await make_services(db)
    seen: list[dict[str, Any]] = []
    offset = None
    for _ in range(10):
        page, offset = await db.dao.services.find_page(None, offset, 2)
        assert len(page) <= 2
        seen.extend(page)
        if offset is None:
            break
        assert isinstance(offset, str)
    assert offset is None
    assert sorted(seen, key=lambda r: r["id"]) == sorted(rows, key=lambda r: r["id"])
    # filtered pages: every match exactly once, no page larger than asked
    seen = []
    offset = None
    for _ in range(10):
        page, offset = await db.dao.services.find_page({"host": "h0.org"}, offset, 1)
        assert len(page) <= 1
        seen.extend(page)
        if offset is None:
            break
    assert len(seen) == 4
    assert ids(seen) == {r["id"] for r in rows if r["host"] == "h0.org"}
    # defaults: 100 rows
    page, offset = await db.dao.services.find_page()
    assert len(page) == 6
    assert offset is None


async def test_find_page_argument_errors(db):
    await make_services(db)
    with pytest.raises(TypeError, match=r"0\.13's page numbers are not supported"):
        await db.dao.services.find_page(None, 2)
    with pytest.raises(TypeError, match=r"bad argument #3 to 'find_page' \(number expected"):
        await db.dao.services.find_page(None, None, "10")
    with pytest.raises(LegacySchemaError, match="size must be an integer between 1 and 50000"):
        await db.dao.services.find_page(None, None, 0)
    with pytest.raises(LegacySchemaError, match="size must be an integer between 1 and 50000"):
        await db.dao.services.find_page({"host": "h0.org"}, None, 0)
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.services.find_page(None, "@@not an offset@@", 2)
    assert isinstance(excinfo.value.__cause__, errors.InvalidOffset)


async def test_filter_errors(db):
    dao = db.dao.services
    with pytest.raises(LegacySchemaError) as excinfo:
        await dao.find_all({"foo": "bar"})
    err = excinfo.value
    assert err.tbl == {"foo": "foo is an unknown field"}
    assert err.message == "foo=foo is an unknown field"
    assert str(err) == prefix(db) + "foo=foo is an unknown field"
    assert (err.schema, err.unique, err.foreign, err.db) == (True, False, False, False)
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.plugins.count({"service_id": "abc"})
    assert excinfo.value.tbl == {"service_id": "abc is not a valid uuid"}
    with pytest.raises(LegacySchemaError) as excinfo:
        await dao.find_page({"id": "abc"})
    assert excinfo.value.tbl == {"id": "abc is not a valid uuid"}
    with pytest.raises(LegacySchemaError) as excinfo:
        await dao.find_all({"retries": "5", "enabled": 1, "tags": "t"})
    assert excinfo.value.tbl == {
        "retries": "retries is not a number",
        "enabled": "enabled is not a boolean",
        "tags": "tags is not an array",
    }
    with pytest.raises(ValueError, match=r"bad argument #1 to 'find_all' \(expected table to not"):
        await dao.find_all({})
    with pytest.raises(ValueError, match=r"bad argument #1 to 'count'"):
        await dao.count({})
    with pytest.raises(TypeError, match=r"bad argument #1 to 'find_all' \(table expected"):
        await dao.find_all("name=x")


async def test_count_without_filter(db):
    await make_services(db)
    assert await db.dao.services.count() == 6
    assert await db.dao.routes.count() == 0


# -- the scan bound where the database cannot filter -----------------------------------------------


async def test_scan_is_bounded(no_filters):
    db = no_filters
    assert db.dao.max_scan == DEFAULT_MAX_SCAN
    rows = await make_services(db)
    dao = db.dao.services
    dao.max_scan = 4
    try:
        for call in (
            dao.find_all({"host": "h1.org"}),
            dao.count({"host": "h1.org"}),
        ):
            with pytest.raises(LegacyDBError) as excinfo:
                await call
            err = excinfo.value
            assert err.db
            assert err.tbl is None
            assert "this filter needs an index" in str(err)
            assert str(err).startswith(prefix(db) + "cannot filter 'services' by host")

        # find_page stops at the bound too, but a page found before it is returned
        async def walk() -> None:
            offset = None
            while True:
                _page, offset = await dao.find_page({"host": "nowhere.org"}, offset, 1)
                assert offset is not None

        with pytest.raises(LegacyDBError, match="needs an index"):
            await walk()
        # unique columns are lookups, never scans; foreign keys read the parent's children
        assert await dao.find_all({"name": "svc4"}) == [rows[4]]
        route = await db.dao.routes.insert({"paths": ["/r"], "service_id": rows[0]["id"]})
        db.dao.routes.max_scan = 0
        try:
            found = await db.dao.routes.find_all({"service_id": rows[0]["id"], "paths": ["/r"]})
            assert found == [route]
            assert await db.dao.routes.count({"service_id": rows[1]["id"]}) == 0
            page = await db.dao.routes.find_page({"service_id": rows[0]["id"], "paths": ["/x"]})
            assert page == ([], None)
            with pytest.raises(LegacyDBError, match="needs an index"):
                await db.dao.routes.count({"paths": ["/r"]})
        finally:
            db.dao.routes.max_scan = None
        assert await dao.count({"id": rows[0]["id"]}) == 1
        # unfiltered reads return everything: their cost is their result
        assert len(await dao.find_all()) == 6
        dao.max_scan = None
        db.dao.max_scan = 6
        assert await dao.count({"host": "h1.org"}) == 2
    finally:
        dao.max_scan = None
        db.dao.max_scan = DEFAULT_MAX_SCAN


async def test_native_filters_need_no_scan(db):
    if not db.connector.capabilities.filters:
        pytest.skip("this connector scans: covered by test_scan_is_bounded")
    await make_services(db)
    db.dao.services.max_scan = 1
    try:
        assert await db.dao.services.count({"host": "h0.org"}) == 4
    finally:
        db.dao.services.max_scan = None


# -- update ----------------------------------------------------------------------------------------


async def test_partial_update(db):
    seen: list[Any] = []
    db.events.subscribe(seen.append)
    row = await db.dao.services.insert({"name": "s1", "host": "a.org", "retries": 3, "path": "/p"})
    seen.clear()
    updated = await db.dao.services.update({"host": "b.org"}, {"id": row["id"]})
    assert updated == {**row, "host": "b.org", "updated_at": updated["updated_at"]}
    assert updated["updated_at"] >= row["updated_at"]
    assert await db.dao.services.find({"id": row["id"]}) == updated
    assert [(e.operation, e.old_entity.host, e.entity.host) for e in seen] == [
        ("update", "a.org", "b.org")
    ]
    seen.clear()
    again = await db.dao.services.update({"retries": 1}, {"id": row["id"]}, quiet=True)
    assert again["retries"] == 1
    assert again["path"] == "/p"
    assert seen == []
    # records are merged
    plugin = await db.dao.plugins.insert({"name": "key-auth", "service_id": row["id"]})
    patched = await db.dao.plugins.update(
        {"config": {"hide_credentials": True}}, {"id": plugin["id"]}
    )
    assert patched["config"] == {**plugin["config"], "hide_credentials": True}


async def test_update_not_found_returns_none(db):
    assert await db.dao.services.update({"host": "x.org"}, {"id": MISSING}) is None
    assert await db.dao.services.update({"host": "x.org"}, {"id": MISSING}, full=True) is None
    assert await db.dao.services.count() == 0  # a full update never creates


async def test_full_update_replaces(db):
    row = await db.dao.services.insert(
        {"name": "s1", "host": "a.org", "retries": 3, "path": "/p", "tags": ["x"]}
    )
    replaced = await db.dao.services.update({"host": "b.org"}, {"id": row["id"]}, full=True)
    assert replaced["id"] == row["id"]
    assert replaced["created_at"] == row["created_at"]
    assert replaced["host"] == "b.org"
    assert replaced["retries"] == 5  # back to the default
    for gone in ("name", "path", "tags"):
        assert gone not in replaced
    assert await db.dao.services.find({"id": row["id"]}) == replaced
    # required columns are checked on a full update, with 0.13's wording
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.services.update({"retries": 2}, {"id": row["id"]}, full=True)
    assert excinfo.value.tbl == {"host": "host is required"}


async def test_update_foreign_keys_and_errors(db, bp):
    svc1, svc2 = await bp.services(), await bp.services()
    plugin = await db.dao.plugins.insert({"name": "key-auth", "service_id": svc1.id})
    moved = await db.dao.plugins.update({"service_id": svc2.id}, {"id": plugin["id"]})
    assert moved["service_id"] == svc2.id
    with pytest.raises(LegacyForeignError) as excinfo:
        await db.dao.plugins.update({"service_id": MISSING}, {"id": plugin["id"]})
    assert excinfo.value.tbl == {"service_id": f"does not exist with value '{MISSING}'"}
    await db.dao.services.update({"name": "taken"}, {"id": svc1.id})
    with pytest.raises(LegacyUniqueError) as excinfo:
        await db.dao.services.update({"name": "taken"}, {"id": svc2.id})
    assert excinfo.value.tbl == {"name": "already exists with value 'taken'"}
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.services.update({"retries": "many"}, {"id": svc2.id})
    assert excinfo.value.tbl == {"retries": "retries is not a number"}


async def test_update_argument_errors(db):
    dao = db.dao.services
    with pytest.raises(ValueError, match=r"bad argument #1 to 'update' \(expected table to not"):
        await dao.update({}, {"id": MISSING})
    with pytest.raises(ValueError, match=r"bad argument #2 to 'update' \(expected table to not"):
        await dao.update({"host": "x.org"}, {})
    with pytest.raises(TypeError, match=r"bad argument #2 to 'update' \(table expected, got nil\)"):
        await dao.update({"host": "x.org"}, None)
    with pytest.raises(ValueError, match="Missing PRIMARY KEY field"):
        await dao.update({"host": "x.org"}, {"name": "s1"})


# -- delete / truncate -----------------------------------------------------------------------------


async def test_delete_returns_the_deleted_row(db, bp):
    svc = await bp.services()
    plugin = await db.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    seen: list[Any] = []
    db.events.subscribe(seen.append)
    svc_row = await db.dao.services.find({"id": svc.id})
    deleted = await db.dao.services.delete({"id": svc.id})
    assert deleted == svc_row
    assert await db.dao.plugins.find({"id": plugin["id"]}) is None  # cascaded
    assert {(e.operation, e.entity_name) for e in seen} == {
        ("delete", "services"),
        ("delete", "plugins"),
    }
    assert await db.dao.services.delete({"id": svc.id}) is None
    with pytest.raises(ValueError, match="Missing PRIMARY KEY field"):
        await db.dao.services.delete({})


async def test_delete_quiet_and_restricted(db, bp):
    route = await bp.routes()
    with pytest.raises(LegacyForeignError) as excinfo:
        await db.dao.services.delete({"id": route.service.id})
    err = excinfo.value
    assert err.foreign
    assert err.tbl is None
    assert str(err) == prefix(db) + "an existing 'routes' entity references this 'services' entity"
    assert isinstance(err.__cause__, errors.ForeignKeyViolation)
    seen: list[Any] = []
    db.events.subscribe(seen.append)
    assert (await db.dao.routes.delete({"id": route.id}, quiet=True))["id"] == route.id
    assert seen == []


async def test_truncate(db):
    await make_services(db)
    await db.dao.services.truncate()
    assert await db.dao.services.count() == 0
    await make_services(db)
    await db.dao.truncate_table("services")
    assert await db.dao.services.find_all() == []
    await make_services(db)
    await db.dao.truncate_tables()
    assert await db.dao.services.count() == 0


# -- cache keys ------------------------------------------------------------------------------------


async def test_cache_keys(db, bp):
    svc = await bp.services()
    consumer_id = str(uuid.uuid4())
    assert db.dao.consumers.cache_key(consumer_id) == f"consumers:{consumer_id}::::"
    assert db.dao.plugins.cache_key("key-auth", None, svc.id) == f"plugins:key-auth::{svc.id}::"
    assert db.dao.services.cache_key(1, True, 2.0) == "services:1:true:2::"
    plugin = await db.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    assert db.dao.plugins.entity_cache_key(plugin) == f"plugins:key-auth::{svc.id}::"
    modern = await db.plugins.select({"id": plugin["id"]})
    assert db.dao.plugins.entity_cache_key(modern) == f"plugins:key-auth::{svc.id}::"
    assert db.dao.consumers.entity_cache_key({"id": consumer_id}) is None  # no cache_key


# -- errors ----------------------------------------------------------------------------------------


async def test_unique_error_shape(db):
    await db.dao.services.insert({"name": "mockbin", "host": "a.org"})
    with pytest.raises(LegacyUniqueError) as excinfo:
        await db.dao.services.insert({"name": "mockbin", "host": "b.org"})
    err = excinfo.value
    assert isinstance(err, LegacyError)
    assert (err.unique, err.foreign, err.schema, err.db) == (True, False, False, False)
    assert err.kind == "unique"
    assert err.db_name == db.connector.name
    assert err.tbl == {"name": "already exists with value 'mockbin'"}
    assert err.message == "name=already exists with value 'mockbin'"
    assert str(err) == prefix(db) + "name=already exists with value 'mockbin'"
    assert isinstance(err.__cause__, errors.UniqueViolation)


async def test_composite_unique_error_names_legacy_columns(db, bp):
    svc = await bp.services()
    await db.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    with pytest.raises(LegacyUniqueError) as excinfo:
        await db.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    assert excinfo.value.tbl == {
        "name": "already exists with value 'key-auth'",
        "service_id": f"already exists with value '{svc.id}'",
    }


async def test_primary_key_taken_is_unique(db):
    row = await db.dao.services.insert({"host": "a.org"})
    with pytest.raises(LegacyUniqueError) as excinfo:
        await db.dao.services.insert({"id": row["id"], "host": "b.org"})
    assert excinfo.value.tbl == {"id": f"already exists with value '{row['id']}'"}
    assert isinstance(excinfo.value.__cause__, errors.PrimaryKeyViolation)


async def test_foreign_error_shape(db):
    with pytest.raises(LegacyForeignError) as excinfo:
        await db.dao.plugins.insert({"name": "key-auth", "service_id": MISSING})
    err = excinfo.value
    assert (err.unique, err.foreign, err.schema, err.db) == (False, True, False, False)
    assert err.tbl == {"service_id": f"does not exist with value '{MISSING}'"}
    assert str(err) == prefix(db) + f"service_id=does not exist with value '{MISSING}'"
    assert isinstance(err.__cause__, errors.ForeignKeyViolation)


async def test_schema_error_shapes(db):
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.services.insert({"name": "x", "port": "80", "foo": 1})
    err = excinfo.value
    assert (err.unique, err.foreign, err.schema, err.db) == (False, False, True, False)
    assert err.tbl == {
        "host": "host is required",
        "port": "port is not a number",
        "foo": "foo is an unknown field",
    }
    assert isinstance(err.__cause__, errors.SchemaViolation)
    # nested columns are dotted; foreign fields are named by their column
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.plugins.insert(
            {"name": "key-auth", "service_id": "nope", "config": {"key_names": "apikey"}}
        )
    assert excinfo.value.tbl == {
        "service_id": "expected a valid UUID",
        "config.key_names": "config.key_names is not an array",
    }
    # an entity check alone: one message, no tbl (0.13's self_check errors)
    with pytest.raises(LegacySchemaError) as excinfo:
        await db.dao.consumers.insert({})
    err = excinfo.value
    assert err.tbl is None
    assert err.message == "at least one of these fields must be non-empty: 'custom_id', 'username'"


def test_translate_every_kind():
    db_name = "postgres"
    cases = [
        (errors.database_error("boom"), LegacyDBError, "boom"),
        (errors.transformation_error("bad"), LegacyDBError, None),
        (errors.operation_unsupported("nope"), LegacyDBError, None),
        (errors.invalid_size("size must be..."), LegacySchemaError, "size must be..."),
        (errors.invalid_options({"ttl": "must be x"}), LegacySchemaError, "ttl=must be x"),
        (errors.not_found({"id": MISSING}), LegacyDBError, None),
        (
            errors.foreign_keys_unresolved(
                {"service": {"name": {"name": "name", "value": "x", "parent": "services"}}}
            ),
            LegacyForeignError,
            None,
        ),
    ]
    for modern, cls, message in cases:
        legacy = translate(modern, db_name)
        assert type(legacy) is cls, modern
        assert legacy.db_name == db_name
        assert legacy.message == (message if message is not None else modern.message)
        assert str(legacy) == f"[postgres error] {legacy.message}"
    # 0.13's constructors
    assert str(legacy_errors.unique({"a": 1}, "cassandra")) == (
        "[cassandra error] a=already exists with value '1'"
    )
    assert str(legacy_errors.foreign({"a": True})) == "a=does not exist with value 'true'"
    assert legacy_errors.schema("oops").tbl is None
    assert legacy_errors.db("down", "postgres").kind == "db"
    assert legacy_errors.printable({"a": ["x", "y"], "b": {"c": 1}}) == "a=x,y b=c=1"


# -- singletons ------------------------------------------------------------------------------------


async def test_singletons_door(db):
    singletons.reset()
    with pytest.raises(errors.InterfaceError, match=r"call kongdao.singletons.init\(db\) first"):
        _ = singletons.db
    with pytest.raises(errors.InterfaceError):
        _ = singletons.dao
    with pytest.raises(TypeError):
        singletons.init("postgresql://nope")  # type: ignore[arg-type]
    try:
        singletons.init(db)
        assert singletons.db is db
        assert singletons.dao is db.dao
        svc = await singletons.db.services.insert({"name": "mockbin", "host": "mockbin.org"})
        await singletons.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
        assert len(await singletons.dao.plugins.find_all({"name": "key-auth"})) == 1
        assert await singletons.db.services.select_by_name("mockbin") == svc
    finally:
        singletons.reset()
    with pytest.raises(AttributeError):
        _ = singletons.nothing  # type: ignore[attr-defined]
