"""Faults: servers restarted under load, pool exhaustion, cancelled callers, timeouts.

The restart tests (marked ``reliability``: ``make test-reliability``) run a steady load
(:mod:`tests.reliability.load`) through one :class:`~kongdao.db.DB` against a *private* server
they start themselves (:mod:`tests.reliability.servers`), stop that server, start it again, and
check:

* every call made while the server is down fails with DATABASE_ERROR (a
  :class:`~kongdao.errors.DatabaseError`, nothing else escapes), and none takes longer than the
  configured timeouts;
* calls succeed again once the server is back, on the same DB object (no restart of the
  process, no reconnect by the caller), within a measured time;
* every write that returned success is in the database afterwards.

The pool and cancellation tests run in ``make test``, on the shared servers.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time

import asyncpg
import pytest

import kongdao
from kongdao import errors
from tests.reliability.load import Load, run_load
from tests.reliability.servers import PrivateCassandra, PrivatePostgres

pytestmark = pytest.mark.postgres


def _summary(load, marks, recovered):
    during = load.between(marks["stopped"], marks["starting"])
    slowest = max((c.seconds for c in during), default=0)
    return (
        f"{len(load.calls)} calls, {len(load.inserted)} acknowledged inserts; "
        f"{len(during)} calls during the outage, "
        f"{len(load.failed(during))} failed, slowest {slowest:.2f} s; "
        f"first success {recovered:+.2f} s after the server's start returned; "
        "lost acknowledged writes: 0"
    )


async def _restart_under_load(db, restart, *, timeout_bound, figures, what, backend):
    """Load ``db``, call ``restart(mark)`` in the middle, check the outcome, return figures."""
    stop = asyncio.Event()
    load = Load()
    task = asyncio.create_task(
        run_load(db, load, workers=8, stop=stop, prefix=f"load-{secrets.token_hex(3)}")
    )
    await asyncio.sleep(2)
    marks: dict[str, float] = {}
    await asyncio.to_thread(restart, marks)
    # keep the load running until it has succeeded for a while after the server came back
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        if task.done():
            break
        if any(c.error is None and c.start > marks["up"] + 2 for c in load.calls):
            break
    stop.set()
    await task

    # 1. nothing but DATABASE_ERROR escaped, and no call hung past the timeouts
    unexpected = [c for c in load.calls if c.error is not None and not _is_db_error(c.error)]
    assert not unexpected, [(c.op, repr(c.error)) for c in unexpected[:5]]
    slowest = max(load.calls, key=lambda c: c.seconds)
    assert slowest.seconds <= timeout_bound, (slowest.op, slowest.seconds, slowest.error)
    during = load.between(marks["stopped"], marks["starting"])
    assert during, "no call was made while the server was down"
    assert all(c.error is not None for c in during)

    # 2. calls succeed again without a new DB
    first = load.first_success_after(marks["up"])
    assert first is not None, "no call succeeded after the server came back"
    recovered = first.end - marks["up"]
    assert all(c.error is None for c in load.between(first.end + 1, float("inf")))

    # 3. every acknowledged write is there
    checked, problems = await load.check_acknowledged(db)
    assert checked > 0
    assert problems == []
    figures.add(what, backend, _summary(load, marks, recovered))
    return load, recovered


def _is_db_error(exc):
    return isinstance(exc, errors.DatabaseError) and exc.code == 8


# -- PostgreSQL restarts (private cluster) ----------------------------------------------------


@pytest.fixture
async def private_pg():
    server = PrivatePostgres()
    server.start()
    try:
        conn = await asyncpg.connect(server.dsn("postgres"))
        await conn.execute("CREATE DATABASE kong")
        await conn.close()
        async with kongdao.connect(
            server.dsn("kong"), check_migrations=False, ttl_cleanup_interval=None
        ) as db:
            await db.migrations.bootstrap()
        yield server
    finally:
        await asyncio.to_thread(server.destroy)


@pytest.mark.reliability
@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_postgres_restart_under_load(private_pg, mode, figures):
    """``pg_ctl stop -m fast`` (clean) or ``-m immediate`` (a crash: recovery at start)."""
    server = private_pg
    settings = {"pool_max_size": 10, "statement_timeout": 3.0, "connect_timeout": 2.0}
    async with kongdao.connect(server.dsn("kong"), ttl_cleanup_interval=None, **settings) as db:

        def restart(marks):
            marks["down"] = time.monotonic()
            server.stop(mode)
            marks["stopped"] = time.monotonic()
            time.sleep(3)
            marks["starting"] = time.monotonic()
            server.start()
            marks["up"] = time.monotonic()

        await _restart_under_load(
            db,
            restart,
            timeout_bound=settings["statement_timeout"] + settings["connect_timeout"] + 0.5,
            figures=figures,
            what=f"restart under load (pg_ctl stop -m {mode}, 3 s down)",
            backend="postgres",
        )
        pool = db.connector.pool
        assert pool.size <= settings["pool_max_size"]


# -- Cassandra restarts (private node) --------------------------------------------------------


@pytest.fixture
async def private_cassandra():
    node = PrivateCassandra()
    try:
        await asyncio.to_thread(node.up)
        dsn = node.dsn(f"kongdao_rel_{secrets.token_hex(3)}")
        async with kongdao.connect(dsn, check_migrations=False, ttl_cleanup_interval=None) as db:
            await db.migrations.bootstrap()
        yield node, dsn
    finally:
        await asyncio.to_thread(node.destroy)


@pytest.mark.reliability
@pytest.mark.cassandra
async def test_cassandra_restart_under_load(private_cassandra, figures):
    """SIGTERM (Cassandra drains its memtables), 3 s down, then a fresh start."""
    node, dsn = private_cassandra
    settings = {"request_timeout": 3.0, "connect_timeout": 2.0, "reconnect_max_delay": 4.0}
    async with kongdao.connect(dsn, ttl_cleanup_interval=None, **settings) as db:

        def restart(marks):
            marks["down"] = time.monotonic()
            node.down()
            marks["stopped"] = time.monotonic()
            time.sleep(3)
            marks["starting"] = time.monotonic()
            node.up()
            marks["up"] = time.monotonic()

        _, recovered = await _restart_under_load(
            db,
            restart,
            timeout_bound=2 * settings["request_timeout"] + 1,
            figures=figures,
            what="restart under load (SIGTERM, 3 s down, reconnect_max_delay=4 s)",
            backend="cassandra",
        )
        # the driver tries the node again at most reconnect_max_delay after its last attempt
        assert recovered <= settings["reconnect_max_delay"] + 1.5


# -- pool exhaustion and cancellation (shared servers, make test) -----------------------------


async def test_pool_exhaustion(dsn_for, backend, figures):
    """1,000 concurrent calls through a pool of 10 connections all complete, none fails."""
    settings = {"pool_max_size": 10, "pool_min_size": 1} if backend == "postgres" else {}
    async with kongdao.connect(dsn_for, ttl_cleanup_interval=None, **settings) as db:
        svc = await db.services.insert({"name": f"pool-{secrets.token_hex(4)}", "host": "a.b"})
        peak = 0

        async def one(i):
            nonlocal peak
            if backend == "postgres":
                peak = max(peak, db.connector.pool.size)
            if i % 4 == 0:
                created = await db.routes.insert(
                    {"paths": [f"/p{i}-{secrets.token_hex(3)}"], "service": {"id": svc.id}}
                )
                await db.routes.delete({"id": created.id})
                return created
            return await db.services.select({"id": svc.id})

        start = time.monotonic()
        results = await asyncio.gather(*(one(i) for i in range(1000)), return_exceptions=True)
        elapsed = time.monotonic() - start
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []
        if backend == "postgres":
            pool = db.connector.pool
            assert peak <= 10
            assert pool.size <= 10
            assert pool.idle == pool.size
        assert await db.services.select({"id": svc.id}) == svc
        await db.services.delete({"id": svc.id})
    figures.add(
        "1,000 concurrent calls, pool of 10" if backend == "postgres" else "1,000 concurrent calls",
        backend,
        f"0 errors, {elapsed:.2f} s ({1000 / elapsed:,.0f} calls/s, a quarter of them 2 writes)",
    )


WAVE = 20
DEADLINES = [0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, None]


async def test_cancelled_callers_leave_the_pool_healthy(dsn_for, backend, figures):
    """Callers cancelled mid-call (asyncio timeouts) leave no broken or leaked connection.

    500 calls (inserts, updates, deletes, reads), in waves of 20, each get a deadline between 0
    and 100 ms (or none), so that they are cancelled at every stage: waiting for a connection,
    mid-statement, mid-transaction, or not at all.
    Afterwards the pool holds at most its size, no connection is stuck in a transaction, 200
    calls in a row succeed, every row is whole, and every name a cancelled insert used can be
    inserted again (on Cassandra a cancelled insert may leave its name claimed without a row:
    the claim is taken over once older than ``claim_grace``, here 1 s).
    """
    settings = {"pool_max_size": 5} if backend == "postgres" else {"claim_grace": 1.0}
    rng = random.Random(8)
    async with kongdao.connect(dsn_for, ttl_cleanup_interval=None, **settings) as db:
        tag = secrets.token_hex(3)
        seeds = [
            await db.services.insert({"name": f"c-{tag}-{i}", "host": "a.b", "retries": 1})
            for i in range(10)
        ]
        attempted: list[str] = []

        async def one(i, phase="a"):
            svc = seeds[i % len(seeds)]
            op = i % 4
            if op == 0:
                return await db.services.update(
                    {"id": svc.id}, {"retries": i % 7, "path": f"/{i % 7}"}
                )
            if op == 1:
                name = f"c-{tag}-{phase}{i}"
                attempted.append(name)
                created = await db.services.insert({"name": name, "host": "a.b"})
                return await db.services.delete({"id": created.id})
            if op == 2:
                return await db.services.page(5)
            return await db.services.select_by_name(svc.name)

        # each call gets a deadline drawn from 0 to 100 ms, or none: early ones are cancelled
        # while waiting for a connection or their first statement, later ones mid-transaction,
        # the rest not at all, whatever the machine's speed
        async def with_deadline(i):
            try:
                async with asyncio.timeout(rng.choice(DEADLINES)):
                    return await one(i)
            except TimeoutError:
                return "cancelled"

        results = []
        for wave in range(500 // WAVE):
            results += await asyncio.gather(
                *(with_deadline(wave * WAVE + i) for i in range(WAVE)), return_exceptions=True
            )
        cancelled = sum(1 for r in results if r == "cancelled")
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []
        assert 0 < cancelled < len(results)

        if backend == "postgres":
            pool = db.connector.pool
            assert pool.size <= 5
            for _ in range(pool.idle):
                async with pool.acquire() as conn:
                    assert not conn.is_in_transaction()
                    assert await conn.fetchval("SELECT 1") == 1
        start = time.monotonic()
        for i in range(200):
            await one(i, phase="b")
        after = time.monotonic() - start
        for svc in seeds:
            row = await db.services.select({"id": svc.id})
            assert row is not None
            assert row.path in (None, f"/{row.retries}")  # whole rows: both fields of one write
        # every name a cancelled insert used is free again (once claim_grace has passed)
        if backend != "postgres":
            await asyncio.sleep(1.2)
        for name in {n for n in attempted if n.startswith(f"c-{tag}-a")}:
            existing = await db.services.select_by_name(name)
            if existing is not None:  # cancelled after its insert, before its delete
                await db.services.delete({"id": existing.id})
            await db.services.delete(
                {"id": (await db.services.insert({"name": name, "host": "a.b"})).id}
            )
    figures.add(
        "callers cancelled mid-call",
        backend,
        f"{cancelled} of {len(results)} calls cancelled at random points; "
        f"then 200 calls in {after:.2f} s, 0 errors, "
        "every name of a cancelled insert insertable again"
        + (", no connection left in a transaction" if backend == "postgres" else ""),
    )


async def test_statement_timeout_fails_fast(dsn_for, backend, figures):
    """A statement stuck behind a lock fails with DATABASE_ERROR at ``statement_timeout``."""
    if backend != "postgres":
        pytest.skip("row locks held by another client: a PostgreSQL mechanism")
    async with kongdao.connect(dsn_for, ttl_cleanup_interval=None, statement_timeout=1.0) as db:
        svc = await db.services.insert({"name": f"locked-{secrets.token_hex(4)}", "host": "a.b"})
        other = await asyncpg.connect(dsn_for)
        try:
            tx = other.transaction()
            await tx.start()
            await other.execute("SELECT 1 FROM services WHERE id = $1 FOR UPDATE", svc.id)
            start = time.monotonic()
            with pytest.raises(errors.DatabaseError) as excinfo:
                await db.services.update({"id": svc.id}, {"retries": 1})
            elapsed = time.monotonic() - start
            await tx.rollback()
        finally:
            await other.close()
        assert excinfo.value.code == 8
        assert str(excinfo.value) == "[postgres] timeout"
        assert 0.9 <= elapsed < 2.0
        # the DB is usable right after
        assert (await db.services.update({"id": svc.id}, {"retries": 2})).retries == 2
        assert db.connector.pool.size <= db.connector.settings.pool_max_size
    figures.add(
        "statement stuck behind a row lock (statement_timeout=1 s)",
        backend,
        f"DATABASE_ERROR 'timeout' after {elapsed:.2f} s; the next call succeeds",
    )
