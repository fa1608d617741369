"""kongdao.migrations.runner and the PostgreSQL migration methods, against a real PostgreSQL.

One fresh database per module (``kongdao_test_mig_<random>``), one fresh PostgreSQL schema per
test, named with a space, capitals and a double quote to exercise identifier quoting. The
subsystems are this module's own tiny ones, not kongdao's core migrations.

Behaviour follows Kong 2.8: ``kong/db/migrations/state.lua``, ``kong/cmd/utils/migrations.lua``,
``kong/db/init.lua`` (``run_migrations``, ``cluster_mutex``) and
``spec/02-integration/03-db/04-db_cluster_mutex_spec.lua``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from kongdao.connectors.postgres.migrate import PostgresMigrations, _quote_ident
from kongdao.errors import DatabaseError
from kongdao.migrations import (
    NEEDS_BOOTSTRAP_MSG,
    NEW_MIGRATIONS_MSG,
    NOT_LEADER_MSG,
    PENDING_MIGRATIONS_MSG,
    LockError,
    Migration,
    MigrationError,
    Step,
    Subsystem,
)
from kongdao.migrations.runner import ListCode, Migrations, cluster_mutex

pytestmark = pytest.mark.postgres


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    p = await asyncpg.create_pool(database, min_size=1, max_size=4)
    yield p
    await p.close()


@pytest.fixture(scope="module")
async def other_pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    """A second pool: another node's connections."""
    p = await asyncpg.create_pool(database, min_size=1, max_size=4)
    yield p
    await p.close()


@pytest.fixture
def schema() -> str:
    return f'Mig "{secrets.token_hex(3)}" x'


class _Conn(PostgresMigrations):
    """The smallest connector the runner needs: a real asyncpg pool plus the mixin."""

    name = "postgres"

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool  # asyncpg's Pool.acquire() is already an async context manager
        self.settings = SimpleNamespace(schema=schema)

    async def infos(self) -> dict[str, Any]:
        return {"db_desc": "database", "db_name": "test"}


@pytest.fixture
def conn(pool: asyncpg.Pool, schema: str) -> _Conn:
    return _Conn(pool, schema)


@pytest.fixture
def other(other_pool: asyncpg.Pool, schema: str) -> _Conn:
    """The same schema, through the second pool."""
    return _Conn(other_pool, schema)


class Progress(list[str]):
    """An ``on_progress`` callback that keeps the messages."""

    def __call__(self, message: str) -> None:
        self.append(message)

    @property
    def text(self) -> str:
        return "\n".join(self)


def runner(connector: _Conn, *subsystems: Subsystem) -> tuple[Migrations, Progress]:
    progress = Progress()
    return Migrations(connector, subsystems, on_progress=progress), progress


# -- test subsystems ------------------------------------------------------------------------


def q(connector: Any, table: str) -> str:
    return f"{_quote_ident(connector.settings.schema)}.{_quote_ident(table)}"


def record(migration: str, part: str, delay: float = 0.0) -> Callable[[Any], Awaitable[None]]:
    """An up_f / teardown that logs its run in the ``runs`` table."""

    async def fn(connector: Any) -> None:
        if delay:
            await asyncio.sleep(delay)
        async with connector.pool.acquire() as c:
            await c.execute(f"INSERT INTO {q(connector, 'runs')} VALUES ($1, $2)", migration, part)

    return fn


async def drop_legacy(connector: Any) -> None:
    await record("002_drop_legacy", "teardown")(connector)
    async with connector.pool.acquire() as c:
        await c.execute(f"ALTER TABLE {q(connector, 'widgets')} DROP COLUMN IF EXISTS legacy")


M000 = Migration(
    "000_base",
    postgres=Step(
        up="""
        CREATE TABLE IF NOT EXISTS runs (migration TEXT, part TEXT);
        CREATE TABLE IF NOT EXISTS widgets (id INT PRIMARY KEY, legacy TEXT);
        """
    ),
)
M001 = Migration(
    "001_add_color",
    postgres=Step(
        up="ALTER TABLE widgets ADD COLUMN IF NOT EXISTS color TEXT",
        up_f=record("001_add_color", "up_f"),
    ),
)
M002 = Migration(
    "002_drop_legacy",
    postgres=Step(up="ALTER TABLE widgets ADD COLUMN IF NOT EXISTS size INT", teardown=drop_legacy),
)
M003 = Migration(
    "003_gadgets", postgres=Step(up="CREATE TABLE IF NOT EXISTS gadgets (id INT PRIMARY KEY)")
)
P000 = Migration(
    "000_base",
    postgres=Step(up="CREATE TABLE IF NOT EXISTS my_plugin_items (id INT PRIMARY KEY)"),
    cassandra=Step(up="CREATE TABLE IF NOT EXISTS my_plugin_items (id int PRIMARY KEY)"),
)

CORE_V1 = Subsystem("core", [M000])
CORE_V2 = Subsystem("core", [M000, M001, M002])
CORE_V3 = Subsystem("core", [M000, M001, M002, M003])
PLUGIN = Subsystem("my-plugin", [P000])


async def runs(connector: _Conn) -> list[tuple[str, str]]:
    async with connector.pool.acquire() as c:
        rows = await c.fetch(f"SELECT migration, part FROM {q(connector, 'runs')}")
    return sorted((r["migration"], r["part"]) for r in rows)


async def columns(connector: _Conn, table: str) -> set[str]:
    async with connector.pool.acquire() as c:
        rows = await c.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = $2",
            connector.settings.schema,
            table,
        )
    return {r["column_name"] for r in rows}


async def tables(connector: _Conn) -> set[str]:
    async with connector.pool.acquire() as c:
        rows = await c.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", connector.settings.schema
        )
    return {r["tablename"] for r in rows}


async def meta(connector: _Conn) -> dict[str, dict[str, Any]]:
    return {row["subsystem"]: row for row in await connector.read_schema_meta()}


def names(groups: dict[str, tuple[Migration, ...]]) -> dict[str, list[str]]:
    return {subsystem: [m.name for m in ms] for subsystem, ms in groups.items()}


# -- a fresh database -----------------------------------------------------------------------


async def test_fresh_database_needs_bootstrap(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V2, PLUGIN)

    state = await migrations.state()
    assert state.needs_bootstrap
    assert not state.is_up_to_date
    assert names(state.new_migrations) == {
        "core": ["000_base", "001_add_color", "002_drop_legacy"],
        "my-plugin": ["000_base"],
    }
    assert state.executed_migrations == {}

    state, code = await migrations.list()
    assert code == ListCode.NEEDS_BOOTSTRAP == 3
    assert progress == [NEEDS_BOOTSTRAP_MSG]


async def test_commands_refuse_an_unbootstrapped_database(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V2)

    for command in (migrations.up, migrations.finish):
        with pytest.raises(MigrationError) as info:
            await command()
        assert str(info.value) == f"Cannot run migrations: {NEEDS_BOOTSTRAP_MSG}"
        assert "kongdao migrations bootstrap" in str(info.value)

    assert await migrations.reset() is False
    assert progress == ["Database not bootstrapped, nothing to reset"]
    assert not await conn.schema_meta_exists()


# -- bootstrap ------------------------------------------------------------------------------


async def test_bootstrap_runs_every_migration_up_and_teardown(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V2, PLUGIN)

    assert await migrations.bootstrap() is True

    assert progress[:2] == ["Bootstrapping database...", "migrating core on database 'test'..."]
    assert "core migrated up to: 002_drop_legacy (executed)" in progress
    assert "my-plugin migrated up to: 000_base (executed)" in progress
    assert progress[-3:] == ["4 migrations processed", "4 executed", "Database is up-to-date"]

    assert {"schema_meta", "locks", "runs", "widgets", "my_plugin_items"} <= await tables(conn)
    assert await columns(conn, "widgets") == {"id", "color", "size"}  # teardown dropped legacy
    assert await runs(conn) == [("001_add_color", "up_f"), ("002_drop_legacy", "teardown")]
    assert await meta(conn) == {
        "core": {
            "subsystem": "core",
            "last_executed": "002_drop_legacy",
            "executed": ["000_base", "001_add_color", "002_drop_legacy"],
            "pending": [],
        },
        "my-plugin": {
            "subsystem": "my-plugin",
            "last_executed": "000_base",
            "executed": ["000_base"],
            "pending": [],
        },
    }

    state, code = await migrations.list()
    assert code == ListCode.UP_TO_DATE == 0
    assert state.is_up_to_date
    assert not state.has_pending
    assert state.is_migration_executed("core", "002_drop_legacy")
    assert state.is_migration_executed("my-plugin", "000_base")
    assert not state.is_migration_executed("my-plugin", "001_nope")
    assert not state.is_migration_executed("nope", "000_base")
    state.check()
    assert await conn.read_lock("migrations") is None


async def test_bootstrap_of_a_bootstrapped_database_does_nothing(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V1)
    assert await migrations.bootstrap()
    progress.clear()

    assert await migrations.bootstrap() is False
    assert progress == ["Database already bootstrapped"]


async def test_bootstrap_force_resets_first(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V2)
    await migrations.bootstrap()
    async with conn.pool.acquire() as c:
        await c.execute(f"INSERT INTO {q(conn, 'widgets')} (id) VALUES (1)")
    progress.clear()

    assert await migrations.bootstrap(force=True) is True

    assert progress[:3] == [
        "Resetting database...",
        "Database successfully reset",
        "Bootstrapping database...",
    ]
    async with conn.pool.acquire() as c:
        assert await c.fetchval(f"SELECT count(*) FROM {q(conn, 'widgets')}") == 0
    assert (await migrations.list()).exit_code == ListCode.UP_TO_DATE


async def test_concurrent_bootstraps_run_the_migrations_once(conn: _Conn, other: _Conn) -> None:
    slow = Subsystem("core", [M000, _slow_migration("001_slow")])
    first, first_progress = runner(conn, slow)
    second, second_progress = runner(other, slow)

    results = await asyncio.gather(first.bootstrap(), second.bootstrap())

    assert True in results
    assert await runs(conn) == [("001_slow", "up_f")]
    if False in results:
        # the loser either met the leader's lock, or (when it looked after the leader had
        # finished) a bootstrapped database: both leave the migrations run once
        loser = second_progress if results[0] else first_progress
        assert loser[-1] in (NOT_LEADER_MSG, "Database already bootstrapped")
    assert (await first.list()).exit_code == ListCode.UP_TO_DATE


# -- up / finish ----------------------------------------------------------------------------


async def test_up_then_finish_a_migration_with_a_teardown(conn: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    migrations, progress = runner(conn, CORE_V2, PLUGIN)

    state, code = await migrations.list()
    assert code == ListCode.NEW == 5
    assert names(state.new_migrations) == {
        "core": ["001_add_color", "002_drop_legacy"],
        "my-plugin": ["000_base"],
    }
    assert progress[-1] == "Run 'kongdao migrations up' to proceed"
    with pytest.raises(MigrationError, match="New migrations available"):
        state.check()
    progress.clear()

    assert await migrations.up() is True
    assert "core migrated up to: 001_add_color (executed)" in progress
    assert "core migrated up to: 002_drop_legacy (pending)" in progress
    assert progress[-4:] == [
        "3 migrations processed",
        "2 executed",
        "1 pending",
        f"{PENDING_MIGRATIONS_MSG} when ready",
    ]
    # ``up`` only adds: the legacy column is still there for old nodes
    assert await columns(conn, "widgets") == {"id", "legacy", "color", "size"}
    assert (await meta(conn))["core"] == {
        "subsystem": "core",
        "last_executed": "001_add_color",
        "executed": ["000_base", "001_add_color"],
        "pending": ["002_drop_legacy"],
    }

    state, code = await migrations.list()
    assert code == ListCode.PENDING == 4
    assert names(state.pending_migrations) == {"core": ["002_drop_legacy"]}
    assert state.is_up_to_date  # pending migrations do not stop a node, as in Kong
    state.check()

    with pytest.raises(MigrationError) as info:
        await migrations.up()
    assert (
        str(info.value)
        == PENDING_MIGRATIONS_MSG
        == ("Database has pending migrations; run 'kongdao migrations finish'")
    )
    progress.clear()

    assert await migrations.finish() is True
    assert progress == [
        "migrating core on database 'test'...",
        "core migrated up to: 002_drop_legacy (executed)",
        "1 migration processed",
        "1 executed",
    ]
    assert await columns(conn, "widgets") == {"id", "color", "size"}
    assert await runs(conn) == [("001_add_color", "up_f"), ("002_drop_legacy", "teardown")]
    assert (await meta(conn))["core"]["pending"] == []
    assert (await meta(conn))["core"]["last_executed"] == "002_drop_legacy"
    assert (await migrations.list()).exit_code == ListCode.UP_TO_DATE
    progress.clear()

    assert await migrations.finish() is True
    assert progress == ["No pending migrations to finish"]


async def test_list_with_pending_and_new_migrations_exits_4(conn: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    v2, _ = runner(conn, CORE_V2)
    await v2.up()
    v3, progress = runner(conn, CORE_V3)

    state, code = await v3.list()

    assert code == ListCode.PENDING
    assert names(state.pending_migrations) == {"core": ["002_drop_legacy"]}
    assert names(state.new_migrations) == {"core": ["003_gadgets"]}
    assert progress[:3] == [
        "Executed migrations:\ncore: 000_base, 001_add_color",
        "Pending migrations:\ncore: 002_drop_legacy",
        "New migrations available:\ncore: 003_gadgets",
    ]
    assert "pending migrations from a previous upgrade" in progress[3]
    assert progress[4].startswith("Run 'kongdao migrations finish' when ready")
    progress.clear()

    # finish runs the teardown and points at the new migration
    assert await v3.finish() is True
    assert progress[-1] == NEW_MIGRATIONS_MSG


async def test_list_output_aligns_subsystems(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V1, PLUGIN)
    await migrations.bootstrap()
    progress.clear()

    await migrations.list()

    assert progress == ["Executed migrations:\n     core: 000_base\nmy-plugin: 000_base"]


async def test_up_twice_is_idempotent(conn: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    migrations, progress = runner(conn, Subsystem("core", [M000, M001]))

    assert await migrations.up() is True
    progress.clear()
    assert await migrations.up() is True

    assert progress == ["Database is already up-to-date"]
    assert await runs(conn) == [("001_add_color", "up_f")]
    assert (await meta(conn))["core"]["executed"] == ["000_base", "001_add_color"]


async def test_up_force_reruns_executed_migrations(conn: _Conn) -> None:
    migrations, progress = runner(conn, Subsystem("core", [M000, M001]))
    await migrations.bootstrap()
    progress.clear()

    assert await migrations.up(force=True) is True

    assert "core migrated up to: 001_add_color (executed)" in progress
    assert await runs(conn) == [("001_add_color", "up_f")] * 2
    # re-recording does not duplicate names (Kong appends them again)
    assert (await meta(conn))["core"]["executed"] == ["000_base", "001_add_color"]
    assert (await migrations.list()).exit_code == ListCode.UP_TO_DATE


async def test_up_force_runs_despite_pending_migrations(conn: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    v2, _ = runner(conn, CORE_V2)
    await v2.up()
    v3, progress = runner(conn, CORE_V3)

    assert await v3.up(force=True) is True

    # executed ones re-ran (up_f again), the pending one's teardown was left for finish
    assert await runs(conn) == [("001_add_color", "up_f")] * 2
    assert names((await v3.state()).pending_migrations) == {"core": ["002_drop_legacy"]}
    assert progress[-1] == f"{PENDING_MIGRATIONS_MSG} when ready"
    assert "gadgets" not in await tables(conn)


async def test_finish_force_reruns_executed_migrations(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V2)
    await migrations.bootstrap()
    progress.clear()

    assert await migrations.finish(force=True) is True

    assert await runs(conn) == [
        ("001_add_color", "up_f"),
        ("001_add_color", "up_f"),
        ("002_drop_legacy", "teardown"),
        ("002_drop_legacy", "teardown"),
    ]
    assert "No pending migrations to finish" not in progress
    assert (await meta(conn))["core"]["executed"] == [
        "000_base",
        "001_add_color",
        "002_drop_legacy",
    ]


async def test_waiting_up_returns_false_without_rerunning(conn: _Conn, other: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    slow = Subsystem("core", [M000, _slow_migration("001_slow")])
    first, first_progress = runner(conn, slow)
    second, second_progress = runner(other, slow)

    results = await asyncio.gather(first.up(), _later(0.1, second.up()))

    assert results == [True, False]
    assert await runs(conn) == [("001_slow", "up_f")]
    assert "core migrated up to: 001_slow (executed)" in first_progress
    assert second_progress == [NOT_LEADER_MSG]
    assert (await second.list()).exit_code == ListCode.UP_TO_DATE


async def test_concurrent_ups_run_each_migration_once(conn: _Conn, other: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    slow = Subsystem("core", [M000, _slow_migration("001_slow")])
    first, _ = runner(conn, slow)
    second, _ = runner(other, slow)

    results = await asyncio.gather(first.up(), second.up())

    assert sorted(results) == [False, True]
    assert await runs(conn) == [("001_slow", "up_f")]


async def test_concurrent_finish_does_not_wait(conn: _Conn, other: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    slow = Subsystem(
        "core", [M000, Migration("001_slow", postgres=Step(teardown=record("001", "td", 0.4)))]
    )
    first, _ = runner(conn, slow)
    second, second_progress = runner(other, slow)
    await first.up()

    started = time.monotonic()
    results = await asyncio.gather(first.finish(), _later(0.1, second.finish()))

    assert results == [True, False]
    assert second_progress == [NOT_LEADER_MSG]
    assert time.monotonic() - started < 2
    assert await runs(conn) == [("001", "td")]


# -- missing / new in the middle --------------------------------------------------------------


async def _set_meta(conn: _Conn, last: str, executed: list[str], pending: list[str]) -> None:
    await conn.bootstrap_meta()
    async with conn.pool.acquire() as c:
        await c.execute(
            f"INSERT INTO {q(conn, 'schema_meta')} VALUES ('schema_meta', 'core', $1, $2, $3)",
            last,
            executed,
            pending,
        )


async def test_missing_migration(conn: _Conn) -> None:
    # recorded as last executed, yet in neither list: Kong's "missing"
    await _set_meta(conn, "001_add_color", ["000_base"], [])
    migrations, progress = runner(conn, CORE_V3)

    state, code = await migrations.list()

    assert names(state.missing_migrations) == {"core": ["001_add_color"]}
    assert names(state.new_migrations) == {"core": ["002_drop_legacy", "003_gadgets"]}
    assert state.subsystems[0].missing == (M001,)
    assert code == ListCode.NEW
    assert any(p.startswith("Missing migrations") and "001_add_color" in p for p in progress)


async def test_only_missing_migrations_still_count_as_up_to_date(conn: _Conn) -> None:
    await _set_meta(conn, "001_add_color", ["000_base"], [])
    migrations, _ = runner(conn, Subsystem("core", [M000, M001]))

    state, code = await migrations.list()

    assert names(state.missing_migrations) == {"core": ["001_add_color"]}
    assert state.is_up_to_date
    assert code == ListCode.UP_TO_DATE
    await migrations.up()
    # no command runs a missing migration, as in Kong (000_base was only recorded, not run)
    assert await tables(conn) == {"schema_meta", "locks"}


async def test_migration_added_before_the_last_executed_one_is_new(conn: _Conn) -> None:
    # Kong's state.lua only flags last_executed itself; earlier unrecorded ones are new
    await _set_meta(conn, "003_gadgets", ["000_base", "003_gadgets"], [])
    migrations, _ = runner(conn, Subsystem("core", [M000, M001, M003]))

    state = await migrations.state()

    assert names(state.new_migrations) == {"core": ["001_add_color"]}
    assert state.missing_migrations == {}


async def test_unknown_last_executed_makes_unrecorded_migrations_new(conn: _Conn) -> None:
    await _set_meta(conn, "999_gone", ["000_base", "999_gone"], [])
    migrations, _ = runner(conn, CORE_V2)

    state = await migrations.state()

    assert names(state.executed_migrations) == {"core": ["000_base"]}
    assert names(state.new_migrations) == {"core": ["001_add_color", "002_drop_legacy"]}


# -- failures -------------------------------------------------------------------------------


async def test_missing_postgres_strategy_fails_before_running_anything(conn: _Conn) -> None:
    cassandra_only = Migration("002_cassandra_only", cassandra=Step(up="CREATE TABLE x (id int)"))
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    migrations, _ = runner(conn, Subsystem("core", [M000, M001, cassandra_only]))

    with pytest.raises(MigrationError) as info:
        await migrations.up()

    assert info.value.message == "missing postgres strategy for migration '002_cassandra_only'"
    assert str(info.value) == f"[postgres] {info.value.message}"
    assert await runs(conn) == []
    assert "color" not in await columns(conn, "widgets")
    assert await conn.read_lock("migrations") is None


async def test_failing_ddl_rolls_back_and_releases_the_lock(conn: _Conn) -> None:
    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    broken = Migration(
        "001_broken",
        postgres=Step(up="CREATE TABLE IF NOT EXISTS half (id INT); CREATE TABLE oops (;"),
    )
    migrations, _ = runner(conn, Subsystem("core", [M000, broken]))

    with pytest.raises(MigrationError) as info:
        await migrations.up()

    assert info.value.message is not None
    assert info.value.message.startswith("failed to run migration '001_broken' up: ")
    assert "syntax error" in info.value.message
    assert isinstance(info.value.__cause__, DatabaseError)
    assert "half" not in await tables(conn)
    assert names((await migrations.state()).new_migrations) == {"core": ["001_broken"]}
    assert await conn.read_lock("migrations") is None


async def test_failing_up_f_and_teardown_are_reported(conn: _Conn) -> None:
    async def boom(connector: Any) -> None:
        raise RuntimeError("boom")

    v1, _ = runner(conn, CORE_V1)
    await v1.bootstrap()
    bad_up_f = Subsystem("core", [M000, Migration("001_bad", postgres=Step(up_f=boom))])
    with pytest.raises(
        MigrationError, match=r"^\[postgres\] failed to run migration '001_bad' up_f: boom$"
    ):
        await runner(conn, bad_up_f)[0].up()

    bad_teardown = Subsystem("core", [M000, Migration("001_bad", postgres=Step(teardown=boom))])
    migrations, _ = runner(conn, bad_teardown)
    await migrations.up()
    with pytest.raises(MigrationError, match="failed to run migration '001_bad' teardown: boom"):
        await migrations.finish()
    assert names((await migrations.state()).pending_migrations) == {"core": ["001_bad"]}
    assert await conn.read_lock("migrations") is None


# -- reset ----------------------------------------------------------------------------------


async def test_reset_drops_everything(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V2, PLUGIN)
    await migrations.bootstrap()
    progress.clear()

    assert await migrations.reset() is True

    assert progress == ["Resetting database...", "Database successfully reset"]
    assert await tables(conn) == set()
    assert not await conn.schema_meta_exists()
    assert (await migrations.list()).exit_code == ListCode.NEEDS_BOOTSTRAP
    assert await migrations.bootstrap() is True
    assert (await migrations.list()).exit_code == ListCode.UP_TO_DATE


async def test_reset_without_a_locks_table_retries_without_the_lock(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V1)
    await migrations.bootstrap()
    async with conn.pool.acquire() as c:
        await c.execute(f"DROP TABLE {q(conn, 'locks')}")
    progress.clear()

    assert await migrations.reset() is True

    assert progress[0].startswith("[postgres] failed to insert cluster lock: ")
    assert progress[0].endswith(" - retrying without cluster lock")
    assert progress[1:] == ["Resetting database...", "Database successfully reset"]
    assert await tables(conn) == set()


async def test_reset_while_another_node_holds_the_lock(conn: _Conn) -> None:
    migrations, progress = runner(conn, CORE_V1)
    await migrations.bootstrap()
    assert await conn.insert_lock("migrations", "another node", 60)
    progress.clear()

    assert await migrations.reset() is False

    assert progress == [NOT_LEADER_MSG]
    assert "widgets" in await tables(conn)


# -- connector methods ----------------------------------------------------------------------


async def test_record_migration_follows_kongs_rules(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    await conn.bootstrap_meta()  # idempotent

    await conn.record_migration("core", "000_a", "executed")
    await conn.record_migration("core", "001_b", "pending")
    await conn.record_migration("core", "002_c", "pending")
    await conn.record_migration("core", "002_c", "pending")
    await conn.record_migration("plug", "000_p", "pending")
    assert await meta(conn) == {
        "core": {
            "subsystem": "core",
            "last_executed": "000_a",
            "executed": ["000_a"],
            "pending": ["001_b", "002_c"],
        },
        "plug": {"subsystem": "plug", "last_executed": None, "executed": [], "pending": ["000_p"]},
    }

    await conn.record_migration("core", "001_b", "teardown")
    await conn.record_migration("core", "000_a", "executed")
    await conn.record_migration("plug", "000_p", "teardown")
    assert await meta(conn) == {
        "core": {
            "subsystem": "core",
            "last_executed": "000_a",
            "executed": ["000_a", "001_b"],
            "pending": ["002_c"],
        },
        "plug": {
            "subsystem": "plug",
            "last_executed": "000_p",
            "executed": ["000_p"],
            "pending": [],
        },
    }

    with pytest.raises(ValueError, match="unknown migration state: 'done'"):
        await conn.record_migration("core", "003", "done")


async def test_execute_ddl_runs_a_script_in_the_schema(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    await conn.execute_ddl(
        """
        CREATE TABLE IF NOT EXISTS t (id INT);
        DO $$
        BEGIN
          ALTER TABLE t ADD COLUMN id INT;
        EXCEPTION WHEN duplicate_column THEN
          -- already there; a re-entrant migration ignores it
        END;
        $$;
        """
    )
    assert await columns(conn, "t") == {"id"}
    async with conn.pool.acquire() as c:
        # SET LOCAL: the connection's search_path is untouched afterwards
        assert await c.fetchval("SHOW search_path") == '"$user", public'


async def test_schema_names_are_quoted(pool: asyncpg.Pool) -> None:
    evil = _Conn(pool, 'x"; DROP TABLE pg_class; --')
    await evil.bootstrap_meta()
    assert await evil.schema_meta_exists()
    await evil.reset()
    assert not await evil.schema_meta_exists()
    async with pool.acquire() as c:
        await c.execute(f"DROP SCHEMA {_quote_ident(evil.settings.schema)} CASCADE")


async def test_database_errors_are_translated(conn: _Conn) -> None:
    with pytest.raises(DatabaseError) as info:
        await conn.read_schema_meta()  # not bootstrapped: no table
    assert info.value.strategy == "postgres"
    assert "does not exist" in str(info.value)


# -- the cluster mutex (Kong's 04-db_cluster_mutex_spec) -------------------------------------


async def test_lock_ttl_expiry(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    assert await conn.insert_lock("k", "a", 0.5) is True
    assert await conn.insert_lock("k", "b", 60) is False
    assert await conn.read_lock("k") == "a"
    await conn.remove_lock("k", "b")  # not the owner: no effect
    assert await conn.read_lock("k") == "a"

    await asyncio.sleep(0.6)
    assert await conn.read_lock("k") is None
    assert await conn.insert_lock("k", "b", 60) is True  # the expired lock is taken over
    assert await conn.read_lock("k") == "b"
    await conn.remove_lock("k", "b")
    assert await conn.read_lock("k") is None


async def test_a_lock_its_owner_already_holds_counts_as_taken(conn: _Conn) -> None:
    """A re-run of insert_lock (its first answer lost) must not lose the lock it took."""
    await conn.bootstrap_meta()
    assert await conn.insert_lock("k", "a", 60) is True
    assert await conn.insert_lock("k", "a", 60) is True
    assert await conn.insert_lock("k", "b", 60) is False
    assert await conn.read_lock("k") == "a"
    await conn.remove_lock("k", "a")
    assert await conn.insert_lock("k", "b", 60) is True
    assert await conn.insert_lock("k", "a", 60) is False


async def test_mutex_returns_true_when_it_ran_and_false_otherwise(
    conn: _Conn, other: _Conn
) -> None:
    await conn.bootstrap_meta()
    calls: list[str] = []

    async def cb(name: str, delay: float) -> None:
        calls.append(name)
        await asyncio.sleep(delay)

    results = await asyncio.gather(
        cluster_mutex(conn, "my_key", lambda: cb("first", 0.3)),
        _later(0.1, cluster_mutex(other, "my_key", lambda: cb("second", 0))),
    )

    assert results == [True, False]
    assert calls == ["first"]
    # released: it can be acquired again
    assert await cluster_mutex(other, "my_key", lambda: cb("third", 0)) is True
    assert calls == ["first", "third"]


async def test_mutex_no_wait(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    await conn.insert_lock("k", "another node", 60)
    called = False

    async def cb() -> None:
        nonlocal called
        called = True

    started = time.monotonic()
    assert await cluster_mutex(conn, "k", cb, no_wait=True) is False
    assert time.monotonic() - started < 0.5
    assert not called


async def test_mutex_is_taken_over_after_the_holders_ttl(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    assert await conn.insert_lock("k", "crashed node", 0.5)
    called: list[int] = []

    async def cb() -> None:
        called.append(1)

    assert await cluster_mutex(conn, "k", cb, no_wait=True) is False
    await asyncio.sleep(0.6)
    assert await cluster_mutex(conn, "k", cb, no_wait=True) is True
    assert called == [1]
    assert await conn.read_lock("k") is None


async def test_waiting_mutex_ends_when_the_holders_ttl_expires(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    assert await conn.insert_lock("k", "crashed node", 0.5)
    called: list[int] = []

    async def cb() -> None:
        called.append(1)

    started = time.monotonic()
    assert await cluster_mutex(conn, "k", cb, timeout=5) is False
    assert 0.4 < time.monotonic() - started < 3
    assert called == []


async def test_mutex_timeout(conn: _Conn) -> None:
    await conn.bootstrap_meta()
    await conn.insert_lock("k", "slow node", 60)

    async def cb() -> None:
        raise AssertionError("must not run")

    started = time.monotonic()
    with pytest.raises(LockError) as info:
        await cluster_mutex(conn, "k", cb, timeout=0.3)
    assert str(info.value) == "[postgres] timeout"
    assert 0.25 < time.monotonic() - started < 1.5


async def test_mutex_releases_the_lock_when_the_callback_fails(conn: _Conn) -> None:
    await conn.bootstrap_meta()

    async def cb() -> None:
        assert await conn.read_lock("k") is not None
        raise KeyError("oops")

    with pytest.raises(KeyError, match="oops"):
        await cluster_mutex(conn, "k", cb)
    assert await conn.read_lock("k") is None


async def test_mutex_no_cleanup_keeps_the_lock(conn: _Conn) -> None:
    await conn.bootstrap_meta()

    async def cb() -> None:
        pass

    assert await cluster_mutex(conn, "k", cb, no_cleanup=True, ttl=30) is True
    owner = await conn.read_lock("k")
    assert owner is not None
    assert str(os.getpid()) in owner


async def test_mutex_without_a_locks_table_is_a_lock_error(conn: _Conn) -> None:
    async def cb() -> None:
        raise AssertionError("must not run")

    with pytest.raises(LockError, match=r"failed to insert cluster lock: .*does not exist"):
        await cluster_mutex(conn, "k", cb)


async def test_mutex_arguments(conn: _Conn) -> None:
    async def cb() -> None:
        raise AssertionError("must not run")

    with pytest.raises(ValueError, match="ttl must be a positive number of seconds"):
        await cluster_mutex(conn, "k", cb, ttl=0)
    with pytest.raises(ValueError, match="timeout must be"):
        await cluster_mutex(conn, "k", cb, timeout=-1)


async def test_migrations_lock_settings_apply(conn: _Conn) -> None:
    migrations, _ = runner(conn, CORE_V1)
    await migrations.bootstrap()
    await conn.insert_lock("migrations", "slow node", 60)
    migrations.lock_timeout = 0.2

    with pytest.raises(LockError, match="timeout"):
        await migrations.up()


# -- helpers --------------------------------------------------------------------------------


def _slow_migration(name: str) -> Migration:
    return Migration(name, postgres=Step(up_f=record(name, "up_f", 0.5)))


async def _later(delay: float, awaitable: Awaitable[Any]) -> Any:
    await asyncio.sleep(delay)
    return await awaitable
