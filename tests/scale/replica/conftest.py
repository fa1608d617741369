"""The PostgreSQL half of the scale tests: a primary and its streaming read replica.

``make test-scale`` starts the pair (``python -m kongdao.testing.replica up``: primary on
127.0.0.1:5434, replica on 5433, synchronous ``remote_apply`` replication) before pytest and
stops it after. These tests stop, start and pause the replica; each works in a database of its
own that sets ``synchronous_commit = local``, so that its writes never wait for a replica the
test has stopped or paused.

When the pair is not running the tests are skipped with the reason, and fail under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from kongdao.testing.replica import Pair

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def pair() -> Pair:
    """The running pair (started by ``make test-scale``)."""
    pair = Pair(Path(os.environ.get("KONGDAO_SCALE_PG_DIR") or ROOT / ".cache" / "scale-pg"))
    if not (pair.primary.running() and pair.replica.running()):
        why = (
            f"the PostgreSQL pair is not running (primary 127.0.0.1:{pair.primary.port}, "
            f"replica {pair.replica.port}): run `python -m kongdao.testing.replica up` "
            "or `make test-scale`"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return pair


@pytest.fixture
async def database(pair: Pair) -> AsyncIterator[str]:
    """A fresh, bootstrapped database on the primary (replicated); its name. Dropped after."""
    import kongdao

    name = f"kongdao_scale_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(pair.admin_dsn(), timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        # writes must not wait for a replica the test stops or pauses
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = local')
    finally:
        await admin.close()
    async with kongdao.connect(
        pair.admin_dsn(name), check_migrations=False, ttl_cleanup_interval=None
    ) as db:
        await db.migrations.bootstrap()
    control = Control(pair)
    await control.wait_replayed()
    try:
        yield name
    finally:
        if not pair.replica.running():
            pair.replica.start()
        await control.resume_replay()
        admin = await asyncpg.connect(pair.admin_dsn(), timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class Control:
    """What the tests do to the pair: SQL on the replica, pausing its replay, waiting for it."""

    def __init__(self, pair: Pair) -> None:
        self.pair = pair

    async def replica_sql(self, sql: str) -> object:
        """One statement on the replica's ``postgres`` database; its first value."""
        conn = await asyncpg.connect(
            f"postgresql://postgres@127.0.0.1:{self.pair.replica.port}/postgres", timeout=10
        )
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    async def pause_replay(self) -> None:
        """Stop applying WAL on the replica: what it serves stays as it is now."""
        await self.replica_sql("SELECT pg_wal_replay_pause()")

    async def resume_replay(self) -> None:
        """Apply WAL on the replica again."""
        await self.replica_sql("SELECT pg_wal_replay_resume()")

    async def wait_replayed(self, within: float = 30) -> None:
        """Wait until the replica has applied everything the primary has written so far."""
        admin = await asyncpg.connect(self.pair.admin_dsn(), timeout=10)
        try:
            lsn = await admin.fetchval("SELECT pg_current_wal_lsn()::text")
        finally:
            await admin.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not await self.replica_sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"):
            if loop.time() > deadline:
                raise AssertionError(f"the replica did not replay up to {lsn} in {within} s")
            await asyncio.sleep(0.05)


@pytest.fixture
def control(pair: Pair) -> Control:
    """:class:`Control` of the pair."""
    return Control(pair)
