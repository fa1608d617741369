"""PostgreSQL read replicas: which reads go where, and what happens when the replica goes away.

The routing tests pause WAL replay on the replica: a row written after the pause exists on the
primary only, so whether a call saw it tells which server answered.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time

import pytest

import kongdao
from kongdao import errors

pytestmark = pytest.mark.postgres


def _name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


async def test_plain_reads_go_to_the_replica_and_writes_read_the_primary(pair, control, database):
    async with kongdao.connect(pair.dsn(database), ttl_cleanup_interval=None) as db:
        assert db.connector.replica is not None
        assert (await db.connector.infos())["db_readonly"] is True
        old = await db.services.insert({"name": _name("old"), "host": "old.example"})
        upstream = await db.upstreams.insert({"name": _name("up")})
        await control.wait_replayed()
        await control.pause_replay()
        try:
            svc = await db.services.insert({"name": _name("new"), "host": "new.example"})

            # plain reads: the replica, which has not seen the new service
            assert await db.services.select({"id": svc.id}) is None
            assert await db.services.select_by_name(svc.name) is None
            assert [s.id for s in (await db.services.page())[0]] == [old.id]
            assert [s.id async for s in db.services.each()] == [old.id]
            assert await db.services.count() == 1
            assert (await db.services.select({"id": old.id})).name == old.name

            # reads on the primary: the option, the block, a transaction
            assert (await db.services.select({"id": svc.id}, primary=True)).id == svc.id
            assert (await db.services.select_by_name(svc.name, primary=True)).id == svc.id
            assert len((await db.services.page(primary=True))[0]) == 2
            assert len([s async for s in db.services.each(primary=True)]) == 2
            assert await db.services.count(primary=True) == 2
            with db.use_primary():
                assert (await db.services.select({"id": svc.id})).id == svc.id
            assert await db.services.select({"id": svc.id}) is None  # the block ended
            async with db.connector.transaction():
                assert (await db.services.select({"id": svc.id})).id == svc.id

            # every read a write depends on: the primary
            updated = await db.services.update({"id": svc.id}, {"port": 8080})
            assert updated.port == 8080  # read-before-write found it
            patched = await db.services.update_by_name(svc.name, {"retries": 3})
            assert patched.retries == 3
            route = await db.routes.insert({"service": {"id": svc.id}, "paths": ["/new"]})
            by_name = await db.routes.insert({"service": {"name": svc.name}, "paths": ["/n2"]})
            assert by_name.service == {"id": svc.id}  # foreign key given by name: resolved
            with pytest.raises(errors.UniqueViolation):
                await db.services.insert({"name": svc.name, "host": "dup.example"})
            put = await db.services.upsert_by_name(svc.name, {"host": "put.example"})
            assert put.id == svc.id  # the existing row was found and replaced
            target = await db.targets.insert(
                {"upstream": {"id": upstream.id}, "target": "10.0.0.1:80"}
            )
            assert target.upstream == {"id": upstream.id}
            plugin = await db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
            for r in (route, by_name):
                assert (await db.routes.delete({"id": r.id})).id == r.id
            gone = await db.services.delete({"id": svc.id})
            assert gone is not None
            assert gone.id == svc.id
            assert await db.plugins.select({"id": plugin.id}, primary=True) is None  # cascade
            assert db.connector.replica.fallbacks == 0
        finally:
            await control.resume_replay()
        await control.wait_replayed()
        assert (await db.upstreams.select({"id": upstream.id})).name == upstream.name


async def test_ttl_cleanup_deletes_on_the_primary(pair, control, database):
    """The cleanup is a write: it runs on the primary (the replica would refuse a DELETE)."""
    async with kongdao.connect(pair.dsn(database), ttl_cleanup_interval=None) as db:
        consumer = await db.consumers.insert({"username": _name("c")})
        cred = await db.keyauth_credentials.insert(
            {"consumer": {"id": consumer.id}, "key": _name("k")}, ttl=1
        )
        await asyncio.sleep(2.1)
        assert await db.keyauth_credentials.select({"id": cred.id}, primary=True) is None
        assert await db.cleanup_expired() >= 1
        await control.wait_replayed()
        count = await control.replica_sql(
            "SELECT 1"  # the replica is up and serving: the cleanup did not go there
        )
        assert count == 1


async def test_unreachable_replica_at_connect_reads_from_the_primary(pair, database, caplog):
    caplog.set_level(logging.INFO, logger="kongdao.postgres")
    closed = pair.replica.port + 1000  # nothing listens there
    dsn = f"{pair.admin_dsn(database)}?ro_host=127.0.0.1&ro_port={closed}"
    async with kongdao.connect(dsn, ttl_cleanup_interval=None, connect_timeout=2) as db:
        svc = await db.services.insert({"name": _name("s"), "host": "a.example"})
        for _ in range(5):
            assert (await db.services.select({"id": svc.id})).id == svc.id
        assert db.connector.replica.down
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert f"127.0.0.1:{closed}" in warnings[0].getMessage()


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_replica_stopped_under_load(pair, control, database, mode, caplog):
    """Stop the replica under load: no call fails, reads go to the primary, then come back."""
    caplog.set_level(logging.INFO, logger="kongdao.postgres")
    retry = 0.5
    dsn = f"{pair.dsn(database)}&ro_retry_interval={retry}"
    async with kongdao.connect(
        dsn, ttl_cleanup_interval=None, connect_timeout=2, pool_max_size=10
    ) as db:
        router = db.connector.replica
        seed = [
            await db.services.insert({"name": _name("seed"), "host": "s.example"})
            for _ in range(20)
        ]
        await control.wait_replayed()
        failures: list[BaseException] = []
        counts = {"reads": 0, "writes": 0}
        stop = asyncio.Event()

        async def reader() -> None:
            while not stop.is_set():
                try:
                    svc = random.choice(seed)
                    got = await db.services.select({"id": svc.id})
                    assert got is not None
                    assert got.id == svc.id
                    page, _ = await db.services.page(size=5)
                    assert len(page) == 5
                    counts["reads"] += 2
                except Exception as exc:  # every failure is a test failure
                    failures.append(exc)
                    await asyncio.sleep(0.01)

        async def writer() -> None:
            while not stop.is_set():
                try:
                    await db.services.insert({"name": _name("w"), "host": "w.example"})
                    counts["writes"] += 1
                except Exception as exc:
                    failures.append(exc)
                    await asyncio.sleep(0.01)

        tasks = [asyncio.create_task(reader()) for _ in range(6)]
        tasks += [asyncio.create_task(writer()) for _ in range(2)]
        try:
            await asyncio.sleep(1.0)
            before = dict(counts)
            stopped_at = time.monotonic()
            await asyncio.to_thread(pair.replica.stop, mode)
            await asyncio.sleep(2.0)  # under load, the replica down
            during = {k: counts[k] - before[k] for k in counts}
            fallbacks = router.fallbacks
            assert router.down
            await asyncio.to_thread(pair.replica.start)
            restarted = time.monotonic()
            while router.down:  # the next read after the retry interval finds it again
                assert time.monotonic() - restarted < retry + 10, "reads never came back"
                await asyncio.sleep(0.05)
            back_after = time.monotonic() - restarted
            await asyncio.sleep(0.5)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
        assert not failures, failures[:3]
        assert during["reads"] > 0, during
        assert during["writes"] > 0, during
        assert fallbacks >= 1
        warned = [r for r in caplog.records if "unreachable" in r.getMessage()]
        back = [r for r in caplog.records if "answers again" in r.getMessage()]
        assert len(warned) == 1
        assert warned[0].levelno == logging.WARNING
        assert len(back) == 1
        assert back[0].levelno == logging.INFO

        # and the reads really are on the replica again
        await control.wait_replayed()
        await control.pause_replay()
        try:
            svc = await db.services.insert({"name": _name("after"), "host": "a.example"})
            assert await db.services.select({"id": svc.id}) is None
            assert (await db.services.select({"id": svc.id}, primary=True)).id == svc.id
        finally:
            await control.resume_replay()
        print(
            f"\nreplica stop -m {mode} under load: {counts['reads']} reads, {counts['writes']} "
            f"writes, 0 failed; while down ({time.monotonic() - stopped_at:.1f} s run): "
            f"{during['reads']} reads answered by the primary, {fallbacks} fell back; reads on "
            f"the replica again {back_after:.2f} s after its restart"
        )
