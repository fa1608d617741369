"""Concurrent writes: uniqueness, consistent rows, upserts and foreign keys under races.

Connector-agnostic: guarantees that need the database's help are asked of
``db.connector.capabilities`` (``enforces_unique``, ``enforces_foreign_keys``, ``transactions``),
never of the backend's name.

Consistency model: writes to one row are last-writer-wins *per row*: a row always equals what one
single write produced (never a mix of two writes). Where ``capabilities.transactions`` holds, a
partial ``update`` is also a locked read-merge-write, so concurrent updates of different fields
are all kept (no lost update).
"""

import asyncio
import uuid

import pytest

from kongdao import errors

pytestmark = pytest.mark.postgres

N = 50


async def gather(coros):
    return await asyncio.gather(*coros, return_exceptions=True)


def split(results):
    ok = [r for r in results if not isinstance(r, BaseException)]
    failed = [r for r in results if isinstance(r, BaseException)]
    return ok, failed


def require(db, capability):
    if not getattr(db.connector.capabilities, capability):
        pytest.skip(f"the backend does not guarantee this ({capability} is False)")


# -- uniqueness ------------------------------------------------------------------------------


async def test_concurrent_inserts_of_one_name(db):
    require(db, "enforces_unique")
    name = "contended"
    results = await gather(
        db.services.insert({"name": name, "host": f"h{i}.example.com"}) for i in range(N)
    )
    ok, failed = split(results)

    assert len(ok) == 1
    assert len(failed) == N - 1
    message = f"UNIQUE violation detected on '{{name=\"{name}\"}}'"
    for exc in failed:
        assert isinstance(exc, errors.UniqueViolation), repr(exc)
        assert exc.err_t == {
            "code": 5,
            "name": "unique constraint violation",
            "message": message,
            "strategy": db.connector.name,
            "fields": {"name": name},
        }
    rows = [s async for s in db.services.each()]
    assert rows == ok
    assert await db.services.select_by_name(name) == ok[0]


async def test_concurrent_plugins_with_one_cache_key(db, bp):
    require(db, "enforces_unique")
    svc = await bp.services()
    other = await bp.services()
    results = await gather(
        db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}}) for _ in range(N)
    )
    ok, failed = split(results)

    assert len(ok) == 1
    assert len(failed) == N - 1
    message = (
        "UNIQUE violation detected on "
        f'\'{{consumer=null,name="key-auth",route=null,service={{id="{svc.id}"}}}}\''
    )
    for exc in failed:
        assert isinstance(exc, errors.UniqueViolation), repr(exc)
        assert exc.message == message
        assert exc.fields == {
            "consumer": None,
            "name": "key-auth",
            "route": None,
            "service": {"id": svc.id},
        }
    assert [p async for p in db.plugins.each()] == ok
    assert await db.plugins.select_by_cache_key(ok[0]) == ok[0]
    # another scope is another cache key
    assert (await bp.plugins(service={"id": other.id})).service == {"id": other.id}


async def test_concurrent_inserts_of_different_names_all_succeed(db):
    results = await gather(
        db.services.insert({"name": f"svc-{i}", "host": "example.com"}) for i in range(N)
    )
    ok, failed = split(results)
    assert failed == []
    assert sorted(s.name for s in ok) == sorted(f"svc-{i}" for i in range(N))
    assert len({s.id for s in ok}) == N


# -- consistent rows -------------------------------------------------------------------------

# 20 distinct fields (or field combinations) of a service, each set by one task.
FIELD_UPDATES = [
    {"retries": 7},
    {"port": 8080},
    {"connect_timeout": 1111},
    {"write_timeout": 2222},
    {"read_timeout": 3333},
    {"path": "/updated"},
    {"host": "updated.example.com"},
    {"name": "renamed"},
    {"tags": ["t1", "t2"]},
    {"enabled": False},
    {"retries": 7, "port": 8080},
    {"path": "/updated", "retries": 7},
    {"connect_timeout": 1111, "write_timeout": 2222},
    {"read_timeout": 3333, "enabled": False},
    {"tags": ["t1", "t2"], "host": "updated.example.com"},
    {"name": "renamed", "port": 8080},
    {"write_timeout": 2222, "read_timeout": 3333},
    {"port": 8080, "path": "/updated"},
    {"enabled": False, "tags": ["t1", "t2"]},
    {"host": "updated.example.com", "connect_timeout": 1111},
]


async def test_concurrent_updates_of_different_fields(db):
    """Every field ends with its original value or the value written to it, never another."""
    svc = await db.services.insert({"name": "orig", "host": "orig.example.com", "path": "/orig"})
    results = await gather(db.services.update({"id": svc.id}, u) for u in FIELD_UPDATES)
    ok, failed = split(results)
    assert failed == []
    assert len(ok) == len(FIELD_UPDATES)

    final = await db.services.select({"id": svc.id})
    written = {k: v for u in FIELD_UPDATES for k, v in u.items()}
    for name, value in written.items():
        assert final[name] in (svc[name], value), name
    # fields nobody touched are unchanged
    for name in ("protocol", "created_at", "id"):
        assert final[name] == svc[name]
    if db.connector.capabilities.transactions:
        # locked read-merge-write: no update is lost
        for name, value in written.items():
            assert final[name] == value, name


async def test_concurrent_updates_never_mix_rows(db):
    """Each task writes a whole consistent set of values; the row shows exactly one of them."""
    svc = await db.services.insert({"name": "mix", "host": "example.com"})

    def values(i):
        return {
            "connect_timeout": 1000 + i,
            "write_timeout": 2000 + i,
            "read_timeout": 3000 + i,
            "path": f"/v{i}",
            "tags": [f"v{i}"],
        }

    results = await gather(db.services.update({"id": svc.id}, values(i)) for i in range(20))
    ok, failed = split(results)
    assert failed == []

    final = await db.services.select({"id": svc.id})
    i = final.connect_timeout - 1000
    assert 0 <= i < 20
    assert {k: final[k] for k in values(i)} == values(i)
    # every returned entity is itself consistent
    for entity in ok:
        j = entity.connect_timeout - 1000
        assert {k: entity[k] for k in values(j)} == values(j)


async def test_concurrent_increments(db):
    """Increments through update are read-modify-write in the caller: last writer wins."""
    svc = await db.services.insert({"name": "counter", "host": "example.com", "retries": 0})

    async def bump(i):
        await db.services.update({"id": svc.id}, {"retries": i, "path": f"/{i}"})

    await gather(bump(i) for i in range(1, 21))
    final = await db.services.select({"id": svc.id})
    assert 1 <= final.retries <= 20
    assert final.path == f"/{final.retries}"


# -- upserts ---------------------------------------------------------------------------------


async def test_concurrent_upsert_by_name_creates_one_row(db):
    name = "upserted"
    results = await gather(
        db.services.upsert_by_name(name, {"host": f"h{i}.example.com"}) for i in range(20)
    )
    ok, failed = split(results)
    if db.connector.capabilities.enforces_unique:
        assert failed == []
    else:
        assert all(isinstance(f, errors.UniqueViolation) for f in failed)
    assert ok

    rows = [s async for s in db.services.each()]
    assert len(rows) == 1
    row = rows[0]
    assert row.name == name
    assert {e.id for e in ok} == {row.id}  # every caller saw the same row
    assert row.host in {f"h{i}.example.com" for i in range(20)}
    assert row.host in {e.host for e in ok}


async def test_concurrent_upserts_of_one_primary_key(db):
    pk = {"id": str(uuid.uuid4())}
    results = await gather(
        db.services.upsert(pk, {"name": "pk-upsert", "host": f"h{i}.example.com"})
        for i in range(20)
    )
    ok, failed = split(results)
    assert failed == []
    rows = [s async for s in db.services.each()]
    assert [r.id for r in rows] == [pk["id"]]
    assert rows[0].host in {e.host for e in ok}


# -- deletes -----------------------------------------------------------------------------------


async def test_concurrent_deletes_of_one_row(db, bp):
    require(db, "transactions")
    svc = await bp.services()
    deleted = []
    db.events.subscribe(lambda ev: deleted.append(ev.entity.id), operation="delete")
    results = await gather(db.services.delete({"id": svc.id}) for _ in range(10))
    ok, failed = split(results)
    assert failed == []
    assert [r for r in ok if r is not None] == [svc]
    assert deleted == [svc.id]


async def test_updates_racing_a_delete_never_resurrect_the_row(db, bp):
    for _ in range(3):
        svc = await bp.services()
        updates = [db.services.update({"id": svc.id}, {"retries": i}) for i in range(10)]
        results = await gather([*updates[:5], db.services.delete({"id": svc.id}), *updates[5:]])
        _, failed = split(results)
        assert all(isinstance(f, errors.NotFound) for f in failed), failed
        assert await db.services.select({"id": svc.id}) is None
        assert [s async for s in db.services.each()] == []


async def test_service_delete_racing_route_inserts(db, bp):
    """No route is ever left pointing at a deleted service.

    Each round starts the delete at a different moment among 20 staggered route inserts (the
    first round gives the delete a head start): either the delete wins and every later insert
    is refused, or an insert wins and the delete is restricted.
    """
    require(db, "enforces_foreign_keys")
    for round_ in range(6):
        svc = await bp.services()

        async def insert_route(i, svc=svc, round_=round_):
            await asyncio.sleep((0.02 if round_ == 0 else 0) + 0.001 * i)
            return await db.routes.insert({"paths": [f"/r{round_}-{i}"], "service": {"id": svc.id}})

        async def delete_service(svc=svc, round_=round_):
            await asyncio.sleep(0.002 * round_)
            return await db.services.delete({"id": svc.id})

        results = await gather([delete_service(), *(insert_route(i) for i in range(20))])
        delete_result, route_results = results[0], results[1:]
        routes_ok, routes_failed = split(route_results)

        for exc in routes_failed:
            assert isinstance(exc, errors.ForeignKeyViolation), repr(exc)
            assert exc.fields == {"service": {"id": svc.id}}

        stored_routes = [r async for r in db.routes.each()]
        service_exists = await db.services.select({"id": svc.id}) is not None
        if isinstance(delete_result, BaseException):
            assert isinstance(delete_result, errors.ForeignKeyViolation), repr(delete_result)
            assert delete_result.fields == {"@referenced_by": "routes"}
            assert service_exists
            assert routes_ok
        else:
            assert delete_result == svc
            assert not service_exists
            assert routes_ok == []
            assert stored_routes == []
        # the invariant: every stored route references an existing service
        for route in stored_routes:
            assert await db.services.select({"id": route.service.id}) is not None
        assert sorted(r.id for r in stored_routes) == sorted(r.id for r in routes_ok)

        for route in stored_routes:
            await db.routes.delete({"id": route.id})
        await db.services.delete({"id": svc.id})
