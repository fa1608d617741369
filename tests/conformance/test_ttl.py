"""Entities that expire: the ``ttl`` option, expiry on reads, and the cleanup of expired rows.

Connector-agnostic (KONG.md 1.4, 6.6): rows written with ``ttl=n`` expire ``n`` seconds later and
read back with ``ttl`` = the remaining whole seconds. Databases without native TTL keep expired
rows until a cleanup deletes them (``db.cleanup_expired()``, and a background task started and
stopped with the DB); those tests only run where ``not capabilities.native_ttl``.

Sleeps are kept short: expiry tests use one- or two-second TTLs.
"""

import asyncio
import time

import pytest

import kongdao
from kongdao import errors
from kongdao.schema import Entity, Field, Ref, entity, field, typedefs, virtual
from kongdao.testing.plugin import create_tables

pytestmark = pytest.mark.postgres


@entity("t_ttl_creds", endpoint_key="key", cache_key=("key",), ttl=True)
class TtlCred(Entity):
    """Like keyauth_credentials: a unique key, optionally owned by a consumer, with a TTL."""

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref | None = field(Field(type="foreign", reference="consumers", on_delete="cascade"))
    key: str | None = field(Field(type="string", unique=True))
    note: str | None = field(Field(type="string"))
    ttl: int | None = virtual()


@pytest.fixture
async def tdb(db, dsn_for):
    """A DB serving ``t_ttl_creds`` (no background cleanup), the table emptied."""
    db2 = await kongdao.connect(dsn_for, entities=[TtlCred], ttl_cleanup_interval=None)
    try:
        await create_tables(db2, TtlCred)
        await db2.truncate("t_ttl_creds")
        yield db2
    finally:
        await db2.close()


def needs_cleanup(db):
    if db.connector.capabilities.native_ttl:
        pytest.skip("rows expire natively on this backend: there is no cleanup to test")


async def keys_of(dao):
    return sorted([e.key async for e in dao.each()])


def assert_remaining(ttl, at_most):
    assert isinstance(ttl, int)
    assert 0 <= ttl <= at_most


# -- reading and expiring ----------------------------------------------------------------------


async def test_expired_rows_are_invisible(tdb):
    creds = tdb.t_ttl_creds
    consumer = await tdb.consumers.insert({"username": "ttl-user"})
    by_pk = await creds.insert({"key": "by-pk"}, ttl=2)
    by_key = await creds.insert({"key": "by-key"}, ttl=2)
    upserted = await creds.upsert_by_key("upserted", {"note": "u"}, ttl=2)
    owned = await creds.insert({"key": "owned", "consumer": {"id": consumer.id}}, ttl=2)
    forever = await creds.insert({"key": "forever", "consumer": {"id": consumer.id}})

    assert_remaining(by_pk.ttl, 2)
    assert_remaining(upserted.ttl, 2)
    assert_remaining(owned.ttl, 2)
    assert_remaining((await creds.select({"id": by_pk.id})).ttl, 2)
    assert_remaining((await creds.select_by_key("by-key")).ttl, 2)
    assert forever.ttl is None
    assert await keys_of(creds) == ["by-key", "by-pk", "forever", "owned", "upserted"]
    page, _ = await creds.page_for_consumer({"id": consumer.id})
    assert sorted(c.key for c in page) == ["forever", "owned"]

    await asyncio.sleep(2.5)

    assert await creds.select({"id": by_pk.id}) is None
    assert await creds.select({"id": by_key.id}) is None
    assert await creds.select_by_key("by-key") is None
    assert await creds.select_by_cache_key("upserted") is None
    page, offset = await creds.page()
    assert ([c.key for c in page], offset) == (["forever"], None)
    assert await keys_of(creds) == ["forever"]
    page, offset = await creds.page_for_consumer({"id": consumer.id})
    assert ([c.key for c in page], offset) == (["forever"], None)
    assert [c.key async for c in creds.each_for_consumer({"id": consumer.id})] == ["forever"]
    assert await creds.count() == 1
    # an expired row cannot be updated: it is not found
    with pytest.raises(errors.NotFound):
        await creds.update({"id": by_pk.id}, {"note": "late"})
    with pytest.raises(errors.NotFound):
        await creds.update_by_key("by-key", {"note": "late"})


async def test_ttl_zero_means_no_expiry(tdb):
    cred = await tdb.t_ttl_creds.insert({"key": "zero"}, ttl=0)
    assert cred.ttl is None
    assert (await tdb.t_ttl_creds.select({"id": cred.id})).ttl is None
    assert (await tdb.t_ttl_creds.select({"id": cred.id}, nulls=True)).ttl is None


async def test_insert_without_ttl_never_expires(tdb):
    cred = await tdb.t_ttl_creds.insert({"key": "plain"})
    assert cred.ttl is None
    assert (await tdb.t_ttl_creds.select_by_key("plain")).ttl is None


# -- ttl on update and upsert -------------------------------------------------------------------


async def test_update_without_ttl_keeps_the_expiry(tdb):
    creds = tdb.t_ttl_creds
    cred = await creds.insert({"key": "k"}, ttl=100)
    assert_remaining(cred.ttl, 100)
    assert cred.ttl >= 98

    updated = await creds.update({"id": cred.id}, {"note": "changed"})
    assert updated.note == "changed"
    assert_remaining(updated.ttl, 100)
    assert updated.ttl >= 98

    updated = await creds.update_by_key("k", {"note": "again"})
    assert_remaining(updated.ttl, 100)
    assert updated.ttl >= 98
    assert_remaining((await creds.select({"id": cred.id})).ttl, 100)


async def test_update_with_ttl_changes_the_expiry(tdb):
    creds = tdb.t_ttl_creds
    cred = await creds.insert({"key": "k"}, ttl=100)

    longer = await creds.update({"id": cred.id}, {"note": "x"}, ttl=5000)
    assert 4998 <= longer.ttl <= 5000
    assert 4998 <= (await creds.select({"id": cred.id})).ttl <= 5000

    shorter = await creds.update_by_key("k", {"note": "y"}, ttl=50)
    assert 48 <= shorter.ttl <= 50

    # ttl=0 removes the expiry
    forever = await creds.update({"id": cred.id}, {"note": "z"}, ttl=0)
    assert forever.ttl is None
    assert (await creds.select({"id": cred.id})).ttl is None

    # and an update can make a permanent row expire
    plain = await creds.insert({"key": "plain"})
    expiring = await creds.update({"id": plain.id}, {}, ttl=30)
    assert 28 <= expiring.ttl <= 30


async def test_upsert_without_ttl_clears_the_expiry(tdb):
    creds = tdb.t_ttl_creds
    cred = await creds.insert({"key": "k"}, ttl=100)

    replaced = await creds.upsert({"id": cred.id}, {"key": "k", "note": "put"})
    assert replaced.id == cred.id
    assert replaced.ttl is None
    assert (await creds.select({"id": cred.id})).ttl is None

    await creds.update({"id": cred.id}, {}, ttl=100)
    replaced = await creds.upsert_by_key("k", {"note": "put again"})
    assert (replaced.id, replaced.ttl) == (cred.id, None)


async def test_upsert_with_ttl_sets_the_expiry(tdb):
    creds = tdb.t_ttl_creds
    cred = await creds.insert({"key": "k"})
    replaced = await creds.upsert({"id": cred.id}, {"key": "k"}, ttl=200)
    assert 198 <= replaced.ttl <= 200
    created = await creds.upsert_by_key("new", {}, ttl=300)
    assert 298 <= created.ttl <= 300
    assert 298 <= (await creds.select_by_key("new")).ttl <= 300


# -- invalid options ---------------------------------------------------------------------------


@pytest.mark.parametrize("ttl", [-1, 100_000_001, 1.5, "10", True, float("inf"), float("nan")])
async def test_ttl_out_of_range(tdb, ttl):
    creds = tdb.t_ttl_creds
    message = "must be an integer between 0 and 100000000"
    stored = await creds.insert({"key": "stored"})
    calls = [
        lambda: creds.insert({"key": "k"}, ttl=ttl),
        lambda: creds.update({"id": stored.id}, {"note": "x"}, ttl=ttl),
        lambda: creds.update_by_key("stored", {"note": "x"}, ttl=ttl),
        lambda: creds.upsert({"id": stored.id}, {"key": "stored"}, ttl=ttl),
        lambda: creds.upsert_by_key("stored", {}, ttl=ttl),
    ]
    for call in calls:
        with pytest.raises(errors.InvalidOptions) as ei:
            await call()
        assert ei.value.err_t == {
            "code": 11,
            "name": "invalid options",
            "message": f"invalid option (ttl: {message})",
            "strategy": tdb.connector.name,
            "options": {"ttl": message},
        }
    assert await keys_of(creds) == ["stored"]
    assert (await creds.select({"id": stored.id})) == stored


async def test_ttl_bounds_are_accepted(tdb):
    cred = await tdb.t_ttl_creds.insert({"key": "max"}, ttl=100_000_000)
    assert 100_000_000 - 2 <= cred.ttl <= 100_000_000
    cred = await tdb.t_ttl_creds.insert({"key": "float"}, ttl=10.0)
    assert 8 <= cred.ttl <= 10


async def test_ttl_on_entity_without_ttl(db, bp):
    svc = await bp.services()
    message = "cannot be used with 'services'"
    calls = [
        lambda: db.services.insert({"host": "example.com"}, ttl=100),
        lambda: db.services.update({"id": svc.id}, {"retries": 1}, ttl=100),
        lambda: db.services.update_by_name(svc.name, {"retries": 1}, ttl=100),
        lambda: db.services.upsert({"id": svc.id}, {"host": "example.com"}, ttl=100),
        lambda: db.services.upsert_by_name(svc.name, {"host": "example.com"}, ttl=0),
    ]
    for call in calls:
        with pytest.raises(errors.InvalidOptions) as ei:
            await call()
        assert ei.value.err_t == {
            "code": 11,
            "name": "invalid options",
            "message": f"invalid option (ttl: {message})",
            "strategy": db.connector.name,
            "options": {"ttl": message},
        }
    assert [s.id async for s in db.services.each()] == [svc.id]
    assert await db.services.select({"id": svc.id}) == svc


# -- cleanup -----------------------------------------------------------------------------------


async def test_cleanup_expired_deletes_expired_rows(tdb):
    needs_cleanup(tdb)
    creds = tdb.t_ttl_creds
    expiring = [await creds.insert({"key": f"gone-{i}"}, ttl=1) for i in range(3)]
    await creds.insert({"key": "kept-1"})
    await creds.insert({"key": "kept-2"}, ttl=1000)
    assert await creds.count() == 5

    await asyncio.sleep(1.3)

    assert await creds.count() == 2  # expired rows are not counted...
    assert await tdb.cleanup_expired() == 3  # ...but are still stored until the cleanup
    assert await tdb.cleanup_expired() == 0
    assert await creds.count() == 2
    assert await keys_of(creds) == ["kept-1", "kept-2"]
    # the expired rows are physically gone: their id and key can be used again
    again = await creds.insert({"id": expiring[0].id, "key": expiring[0].key})
    assert again.id == expiring[0].id
    assert await creds.count() == 3


async def test_background_cleanup_starts_and_stops_with_the_db(db, dsn_for):
    needs_cleanup(db)
    before = {t for t in asyncio.all_tasks() if not t.done()}

    db2 = await kongdao.connect(dsn_for, entities=[TtlCred], ttl_cleanup_interval=0.2)
    try:
        await create_tables(db2, TtlCred)
        await db2.truncate("t_ttl_creds")
        started = {t for t in asyncio.all_tasks() if not t.done()} - before
        assert started, "the DB started no cleanup task"

        creds = db2.t_ttl_creds
        expired = await creds.insert({"key": "bg"}, ttl=1)
        await creds.insert({"key": "bg-kept"})
        await asyncio.sleep(1.0)

        # nobody calls cleanup_expired(): the background task must free the id and the key
        deadline = time.monotonic() + 5
        while True:
            try:
                await creds.insert({"id": expired.id, "key": "bg"})
                break
            except (errors.PrimaryKeyViolation, errors.UniqueViolation):
                assert time.monotonic() < deadline, "the expired row was never cleaned up"
                await asyncio.sleep(0.1)
        assert await keys_of(creds) == ["bg", "bg-kept"]
    finally:
        await db2.close()

    leftover = {t for t in asyncio.all_tasks() if not t.done()} - before
    assert leftover == set()
    assert all(t.done() for t in started)


async def test_no_cleanup_task_without_interval(db, dsn_for):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    db2 = await kongdao.connect(dsn_for, entities=[TtlCred], ttl_cleanup_interval=None)
    try:
        assert {t for t in asyncio.all_tasks() if not t.done()} - before == set()
    finally:
        await db2.close()
    assert {t for t in asyncio.all_tasks() if not t.done()} - before == set()
