"""The blocking wrapper (``kongdao.sync``): one loop thread, many caller threads, clean shutdown.

These are plain (sync) test functions: the sync DB runs its own event loop in its own thread,
so it is created here, in the test's thread, never inside the async tests' loop. Backends come
from the ``dsn_for`` fixture (parametrised); nothing branches on a backend's name.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import kongdao
import kongdao.sync
from kongdao import errors
from kongdao.legacy import LegacyForeignError, LegacySchemaError, LegacyUniqueError
from kongdao.schema import Entity, Field, Ref, entity, field, typedefs
from kongdao.sync import SyncAnyDAO, SyncDB, SyncServicesDAO
from kongdao.sync.portal import PortalState
from kongdao.testing.plugin import create_tables

MISSING = "6e3a4a3c-1f3e-4c4a-9a57-000000000000"


def portal_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("kongdao-sync")]


@pytest.fixture
def sdb(dsn_for: str) -> Iterator[SyncDB]:
    """A sync DB on the test database, emptied; closed (and its thread gone) afterwards."""
    before = set(portal_threads())
    with kongdao.sync.connect(dsn_for, ttl_cleanup_interval=None) as db:
        db.truncate()
        yield db
    assert set(portal_threads()) <= before


def test_seed_example_end_to_end(sdb):
    svc = sdb.services.insert({"name": "mockbin", "url": "http://mockbin.org/request"})
    assert isinstance(svc, kongdao.Service)
    assert (svc.host, svc.port, svc.path) == ("mockbin.org", 80, "/request")
    assert sdb.services.select({"id": svc.id}) == svc
    assert sdb.services.select_by_name("mockbin") == svc
    route = sdb.routes.insert({"paths": ["/mock"], "service": {"id": svc.id}})
    rows, offset = sdb.routes.page_for_service({"id": svc.id}, size=100)
    assert (rows, offset) == ([route], None)
    assert list(sdb.routes.each_for_service({"id": svc.id})) == [route]

    plugin = sdb.dao.plugins.insert({"name": "key-auth", "service_id": svc.id})
    assert plugin["service_id"] == svc.id
    assert sdb.dao.plugins.find_all({"name": "key-auth"}) == [plugin]
    assert sdb.dao.plugins.count({"service_id": svc.id}) == 1
    assert sdb.dao.plugins.find_page({"name": "key-auth"}) == ([plugin], None)
    assert sdb.dao.plugins.find({"id": plugin["id"]}) == plugin
    assert sdb.dao.plugins.update({"enabled": False}, {"id": plugin["id"]})["enabled"] is False
    assert sdb.dao.plugins.update({"enabled": False}, {"id": MISSING}) is None
    assert sdb.dao.plugins.entity_cache_key(plugin) == f"plugins:key-auth::{svc.id}::"

    updated = sdb.services.update({"id": svc.id}, {"retries": 3})
    assert updated.retries == 3
    assert sdb.services.upsert_by_name("mockbin", {"host": "example.org"}).host == "example.org"
    assert sdb.services.count() == 1
    assert sdb.routes.delete({"id": route.id}) == route
    deleted = sdb.dao.services.delete({"id": svc.id})
    assert deleted is not None
    assert deleted["id"] == svc.id
    assert sdb.dao.plugins.count() == 0  # cascaded


def test_same_values_and_errors_as_async(sdb):
    svc = sdb.services.insert({"name": "s1", "host": "a.org"})
    adb = sdb.async_db
    assert isinstance(adb, kongdao.DB)
    assert sdb.run(adb.services.select, {"id": svc.id}) == sdb.services.select({"id": svc.id})
    assert sdb.run(adb.dao.services.find_all) == sdb.dao.services.find_all()
    assert sdb.services.async_dao is adb.services
    # modern errors, unchanged
    with pytest.raises(errors.UniqueViolation) as excinfo:
        sdb.services.insert({"name": "s1", "host": "b.org"})
    assert str(excinfo.value) == (
        f"[{adb.connector.name}] UNIQUE violation detected on '{{name=\"s1\"}}'"
    )
    with pytest.raises(errors.NotFound):
        sdb.services.update({"id": MISSING}, {"retries": 1})
    with pytest.raises(TypeError, match="entity must be a table"):
        sdb.services.insert("nope")  # type: ignore[arg-type]
    # legacy errors, unchanged
    with pytest.raises(LegacyUniqueError) as lexc:
        sdb.dao.services.insert({"name": "s1", "host": "b.org"})
    assert str(lexc.value) == f"[{adb.connector.name} error] name=already exists with value 's1'"
    with pytest.raises(LegacyForeignError):
        sdb.dao.plugins.insert({"name": "key-auth", "service_id": MISSING})
    with pytest.raises(LegacySchemaError, match="foo is an unknown field"):
        sdb.dao.services.find_all({"foo": 1})
    with pytest.raises(ValueError, match="Missing PRIMARY KEY field"):
        sdb.dao.services.find({})


def test_iterators_fetch_page_by_page(sdb):
    svc = sdb.services.insert({"host": "a.org"})
    made = {sdb.routes.insert({"paths": [f"/{i}"], "service": {"id": svc.id}}).id for i in range(7)}
    calls: list[Any] = []
    real_call = sdb.routes._portal.call

    def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", fn))
        return real_call(fn, *args, **kwargs)

    sdb.routes._portal.call = counting  # type: ignore[method-assign]
    try:
        it = sdb.routes.each(size=3)
        assert not calls  # lazy, like the async iterator
        assert {r.id for r in it} == made
        assert set(calls) == {"page"}
        assert 3 <= len(calls) <= 4  # 7 rows, 3 a page
        calls.clear()
        assert {r.id for r in sdb.routes.each_for_service({"id": svc.id}, 2)} == made
        assert set(calls) == {"page_for"}
        assert 4 <= len(calls) <= 5
        calls.clear()
        first = next(iter(sdb.routes.each(size=2)))  # stopping early fetches one page only
        assert first.id in made
        assert calls == ["page"]
    finally:
        del sdb.routes._portal.call
    assert sorted(r.id for r in sdb.routes.each_for("service", {"id": svc.id})) == sorted(made)
    tags, _ = sdb.tags.page_by_tag("nothing")
    assert tags == []


@entity("sync_test_gadgets", endpoint_key="name")
class Gadget(Entity):
    id: str = field(typedefs.uuid())
    name: str = field(Field(type="string", required=True, unique=True))
    consumer: Ref | None = field(Field(type="foreign", reference="consumers"))


def test_typed_attributes_and_extra_entities(dsn_for):
    with kongdao.sync.connect(dsn_for, entities=[Gadget], ttl_cleanup_interval=None) as sdb:
        sdb.run(create_tables, sdb.async_db, Gadget)
        sdb.truncate()
        assert isinstance(sdb.services, SyncServicesDAO)
        assert sdb.daos["services"] is sdb.services
        assert set(sdb.daos) >= {"services", "routes", "consumers", "plugins", "tags"}
        with pytest.raises(AttributeError):
            _ = sdb.consumers.select_by_nothing  # typed classes have no runtime fallback
        with pytest.raises(AttributeError):
            _ = sdb.no_such_entity
        # an extra entity: Kong's generated names at runtime, modern and legacy
        gadgets = sdb.sync_test_gadgets
        assert isinstance(gadgets, SyncAnyDAO)
        consumer = sdb.consumers.insert({"username": "alice"})
        g = gadgets.insert({"name": "g1", "consumer": {"id": consumer.id}})
        assert gadgets.select_by_name("g1") == g
        assert gadgets.page_for_consumer({"id": consumer.id}) == ([g], None)
        assert list(gadgets.each_for_consumer({"id": consumer.id})) == [g]
        assert gadgets.update_by_name("g1", {"consumer": None}).consumer is None
        assert gadgets.delete_by_name("g1") is not None
        with pytest.raises(AttributeError):
            _ = gadgets.select_by_nothing
        row = sdb.dao.sync_test_gadgets.insert({"name": "g2", "consumer_id": consumer.id})
        assert row["consumer_id"] == consumer.id
        assert sdb.dao["sync_test_gadgets"].find_all({"consumer_id": consumer.id}) == [row]


def test_many_threads_mixed_calls(sdb):
    n_threads, n_calls = 8, 200
    barrier = threading.Barrier(n_threads)
    failures: list[BaseException] = []
    inserted = [0] * n_threads
    deleted = [0] * n_threads

    def worker(t: int) -> None:
        try:
            barrier.wait()
            mine: list[str] = []
            for i in range(n_calls):
                op = i % 8
                if op in (0, 1, 2):
                    c = sdb.consumers.insert({"username": f"u{t}-{i}"})
                    mine.append(c.id)
                    inserted[t] += 1
                elif op == 3:
                    assert sdb.consumers.select({"id": mine[-1]}).id == mine[-1]
                elif op == 4:
                    sdb.consumers.update({"id": mine[-1]}, {"custom_id": f"c{t}-{i}"})
                elif op == 5:
                    row = sdb.dao.consumers.find_all({"username": f"u{t}-{i - 5}"})
                    assert [r["id"] for r in row] == [mine[-3]]
                elif op == 6:
                    assert sdb.dao.consumers.insert({"username": f"l{t}-{i}"})["id"]
                    inserted[t] += 1
                else:
                    assert sdb.consumers.delete({"id": mine.pop(0)}) is not None
                    deleted[t] += 1
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not any(th.is_alive() for th in threads)
    assert failures == []
    expected = sum(inserted) - sum(deleted)
    assert sum(inserted) == n_threads * 100
    assert sdb.consumers.count() == expected
    assert sum(1 for _ in sdb.consumers.each(size=500)) == expected


def test_shutdown_with_calls_in_flight(dsn_for):
    before = set(portal_threads())
    db = kongdao.sync.connect(dsn_for, ttl_cleanup_interval=None)
    started = threading.Event()
    outcomes: list[Any] = []

    def sleeper() -> None:
        started.set()
        try:
            db.run(asyncio.sleep, 30)
            outcomes.append("finished")
        except BaseException as exc:
            outcomes.append(exc)

    def busy(t: int) -> None:
        try:
            while True:
                db.consumers.insert({"username": f"busy{t}-{uuid.uuid4().hex}"})
        except BaseException as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=sleeper)] + [
        threading.Thread(target=busy, args=(t,)) for t in range(4)
    ]
    for th in threads:
        th.start()
    started.wait(5)
    time.sleep(0.3)
    t0 = time.perf_counter()
    db.close(timeout=0.5)
    closing_took = time.perf_counter() - t0
    for th in threads:
        th.join(10)
    assert not any(th.is_alive() for th in threads)
    assert closing_took < 8
    assert len(outcomes) == 5
    assert all(isinstance(o, errors.InterfaceError) for o in outcomes), outcomes
    assert any("in flight" in str(o) for o in outcomes)  # the sleeper was cancelled
    assert db.state is PortalState.CLOSED
    assert db.closed
    with pytest.raises(errors.InterfaceError, match="the sync DB is closed"):
        db.services.count()
    db.close()  # idempotent
    assert set(portal_threads()) <= before


def test_close_lets_short_calls_finish(dsn_for):
    db = kongdao.sync.connect(dsn_for, ttl_cleanup_interval=None)
    result: list[Any] = []
    th = threading.Thread(target=lambda: result.append(db.run(asyncio.sleep, 0.3, "done")))
    th.start()
    time.sleep(0.1)
    db.close(timeout=5)
    th.join(5)
    assert result == ["done"]


def test_refused_inside_a_running_loop(sdb):
    async def inside() -> None:
        with pytest.raises(errors.InterfaceError, match="from a running event loop"):
            sdb.services.count()
        with pytest.raises(errors.InterfaceError, match="from a running event loop"):
            sdb.dao.services.find_all()
        with pytest.raises(errors.InterfaceError, match="from a running event loop"):
            kongdao.sync.connect("postgresql://nobody@127.0.0.1:1/none")
        with pytest.raises(errors.InterfaceError, match="from a running event loop"):
            sdb.close()
        # the way out: run the blocking call in a worker thread
        assert await asyncio.to_thread(sdb.services.count) == 0

    loop = asyncio.new_event_loop()  # a loop of the test's own, like an async caller's
    try:
        loop.run_until_complete(inside())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
    assert sdb.services.count() == 0  # still usable


def test_refused_on_its_own_loop(sdb):
    seen: list[BaseException] = []

    def subscriber(event: Any) -> None:
        try:
            sdb.services.count()  # would deadlock: runs on the portal's loop
        except errors.InterfaceError as exc:
            seen.append(exc)

    sdb.async_db.events.subscribe(subscriber)
    sdb.services.insert({"host": "a.org"})
    assert len(seen) == 1
    assert "would deadlock" in str(seen[0])


def test_no_thread_left_and_context_manager(dsn_for):
    before = set(threading.enumerate())

    def use_and_fail() -> SyncDB:
        with kongdao.sync.connect(dsn_for) as db:
            assert len(portal_threads()) >= 1
            db.services.count()
            raise RuntimeError(db)

    with pytest.raises(RuntimeError) as excinfo:
        use_and_fail()
    db = excinfo.value.args[0]
    assert db.closed
    assert set(threading.enumerate()) <= before
    # a failed connect leaves nothing behind either
    with pytest.raises(errors.KongDAOError):
        kongdao.sync.connect("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
    assert set(threading.enumerate()) <= before


def test_unclosed_sync_db_is_closed_at_exit(dsn_for):
    script = (
        "import atexit, sys\n"
        "held = {}\n"  # registered first, so it runs after kongdao's own exit hook
        "atexit.register(lambda: print(held['db'].state.value, held['db'].async_db.state.value))\n"
        "import kongdao.sync\n"
        "held['db'] = kongdao.sync.connect(sys.argv[1], ttl_cleanup_interval=None)\n"
        "held['db'].services.count()\n"
        "print('exiting without close')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, dsn_for],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "exiting without close\nclosed closed\n"
    assert proc.stderr == ""  # no warning, no traceback, no unclosed resource


def test_overhead_of_a_sync_select(sdb):
    svc = sdb.services.insert({"name": "bench", "host": "a.org"})
    key = {"id": svc.id}
    adb = sdb.async_db
    n = 300

    async def async_selects() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            await adb.services.select(key)
        return time.perf_counter() - t0

    def sync_selects() -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            sdb.services.select(key)
        return time.perf_counter() - t0

    sdb.run(async_selects)  # warm up both paths
    sync_selects()
    rounds = 5
    timings = [(sdb.run(async_selects), sync_selects()) for _ in range(rounds)]  # interleaved
    a = min(t[0] for t in timings) / n * 1e6
    s = min(t[1] for t in timings) / n * 1e6
    median = sorted((t[1] - t[0]) / n * 1e6 for t in timings)[rounds // 2]
    print(
        f"\n[{adb.connector.name}] select by primary key, {n} calls x {rounds} rounds: "
        f"async {a:.0f} us/call, sync {s:.0f} us/call (best of each), "
        f"overhead {s - a:+.0f} us/call ({(s / a - 1) * 100:+.0f}%), "
        f"median overhead of a round {median:+.0f} us/call"
    )
