"""pytest plugin: real databases, a ``db`` fixture per backend, and blueprints.

Backends come from ``KONGDAO_TEST_BACKENDS`` (comma-separated; default: ``postgres``,
``cassandra`` and ``off``). Servers:

* PostgreSQL: ``KONGDAO_TEST_PG_DSN`` (an administrative DSN, default
  ``postgresql://postgres@127.0.0.1:5432/postgres``, or kongdao's embedded PostgreSQL when
  nothing answers there: :mod:`kongdao.testing.postgres`); a fresh database is created for the
  session and dropped at the end.
* Cassandra: ``KONGDAO_TEST_CASSANDRA_DSN`` (default
  ``cassandra://127.0.0.1:9042/?protocol_version=3``, the local Cassandra 2.1 that
  ``make cassandra-up`` starts; its keyspace part is ignored); a fresh keyspace
  ``kongdao_test_<hex>`` is created by the bootstrap and dropped at the end.
* ``off`` (DB-less): the ``db`` fixture is a :class:`~kongdao.testing.dbless.DBLessMirror`:
  writes go to a PostgreSQL database of its own (on the server above), reads are served by a
  DB-less DB reloaded from that database's export before a read that follows a write. Only
  tests marked ``reads`` run on it; the others are deselected at collection, and one line of
  the report says how many.

A backend that cannot be reached is skipped with the reason locally, and fails the run under CI
(``CI=true``): CI must prove every connector, every time.

Fixtures:

* ``db``: a bootstrapped :class:`~kongdao.db.DB`, emptied before each test, parametrised over
  the backends (test ids ``[postgres]``...);
* ``bp``: blueprints that insert valid entities with unique names (``await bp.routes()``
  creates its service);
* ``backend``: the backend's name; ``dsn_for``: a DSN for a fresh :func:`kongdao.connect`
  (none for ``off``: a test that opens its own DB fails there, so it is not a ``reads`` test).

Marker:

* ``reads``: the test checks read behaviour only (its setup may write); it runs on ``off``
  too. Mark a test, a parameter (``pytest.param(..., marks=pytest.mark.reads)``) or a module
  (``pytestmark = pytest.mark.reads``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import kongdao
from kongdao.db import DB
from kongdao.testing.dbless import DBLessMirror
from kongdao.testing.postgres import admin_dsn, ensure_admin_dsn, with_database
from kongdao.testing.postgres import release as release_embedded

__all__ = [
    "OFF",
    "READS",
    "Blueprints",
    "backend_dsn",
    "create_pg_database",
    "create_tables",
    "known_backends",
]

OFF = "off"
"""The DB-less backend's name (and its test ids: ``test_x[off]``)."""

READS = "reads"
"""The marker of tests that check read behaviour only: they run on :data:`OFF` too."""

FixtureDB = DB | DBLessMirror

_CASSANDRA = "cassandra://127.0.0.1:9042/?protocol_version=3"


def known_backends() -> list[str]:
    """The backends to test, from ``KONGDAO_TEST_BACKENDS`` or every known one."""
    env = os.environ.get("KONGDAO_TEST_BACKENDS")
    if env:
        return [b.strip() for b in env.split(",") if b.strip()]
    return ["postgres", "cassandra", OFF]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(backend: str, why: str) -> None:
    message = f"{backend} is not reachable: {why}"
    if _in_ci():
        pytest.fail(f"{message} (under CI every backend must run)", pytrace=False)
    pytest.skip(message)


async def create_pg_database(
    backend: str = "postgres", prefix: str = "kongdao_test"
) -> tuple[str, Callable[[], Any]]:
    """A fresh PostgreSQL database ``<prefix>_<hex>`` on the tests' server; its DSN and a drop.

    The server is :func:`kongdao.testing.postgres.admin_dsn`'s. An unreachable server skips the
    calling test with the reason (fails it under CI), as for every backend.
    """
    import asyncpg

    admin = admin_dsn()
    try:
        conn = await asyncpg.connect(admin, timeout=10)
    except Exception as exc:
        why = f"{type(exc).__name__}: {exc}"
        _unavailable(backend, why if backend == "postgres" else f"its PostgreSQL: {why}")
        raise
    name = f"{prefix}_{secrets.token_hex(4)}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()

    async def drop() -> None:
        c = await asyncpg.connect(admin, timeout=10)
        try:
            await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await c.close()

    return with_database(admin, name), drop


async def _create_cassandra_keyspace() -> tuple[str, Callable[[], Any]]:
    import urllib.parse

    from kongdao.connectors.cassandra import from_dsn

    base = urllib.parse.urlsplit(os.environ.get("KONGDAO_TEST_CASSANDRA_DSN", _CASSANDRA))
    name = f"kongdao_test_{secrets.token_hex(4)}"
    dsn = urllib.parse.urlunsplit(base._replace(path=f"/{name}"))
    probe = from_dsn(dsn)
    try:
        await probe.connect()
    except Exception as exc:
        _unavailable("cassandra", str(exc))
        raise
    await probe.close()

    async def drop() -> None:
        connector = from_dsn(dsn)
        await connector.connect()
        try:
            await connector.drop_keyspace()
        finally:
            await connector.close()

    return dsn, drop


_databases: dict[str, str] = {}


async def backend_dsn(backend: str) -> str:
    """The DSN of this session's test database on ``backend`` (created on first use).

    For :data:`OFF`, the PostgreSQL database that takes the writes of its tests.
    """
    if backend in _databases:
        return _databases[backend]
    if backend in ("postgres", OFF):
        dsn, drop = await create_pg_database(backend)
        _cleanups.append(drop)
    elif backend == "cassandra":
        dsn, drop = await _create_cassandra_keyspace()
        _cleanups.append(drop)
    else:
        raise ValueError(f"unknown test backend {backend!r}")
    _databases[backend] = dsn
    return dsn


_cleanups: list[Callable[[], Any]] = []


@pytest.fixture(scope="session", params=known_backends())
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test."""
    return str(request.param)


@pytest.fixture(scope="session")
async def _session_cleanup() -> AsyncIterator[None]:
    yield
    for drop in reversed(_cleanups):
        await drop()
    _cleanups.clear()
    _databases.clear()
    _bootstrapped.clear()


_bootstrapped: set[str] = set()


async def _bootstrapped_dsn(backend: str) -> str:
    dsn = await backend_dsn(backend)
    if dsn not in _bootstrapped:
        async with kongdao.connect(dsn, ttl_cleanup_interval=None, check_migrations=False) as db:
            await db.migrations.bootstrap()
        _bootstrapped.add(dsn)
    return dsn


async def _connect(dsn: str) -> DB:
    # The pool size is a PostgreSQL setting (the Cassandra driver multiplexes connections).
    settings: dict[str, Any] = {"pool_max_size": 20} if dsn.startswith("postgres") else {}
    return await kongdao.connect(dsn, ttl_cleanup_interval=None, **settings)


@pytest.fixture(scope="session")
async def dsn_for(backend: str, _session_cleanup: None) -> str:
    """The DSN of the session's bootstrapped test database on ``backend``.

    ``off`` has none: a DB opened on a DSN would be a database, not DB-less.
    """
    if backend == OFF:
        pytest.fail(
            "the off backend has no DSN: a test that opens its own DB does not read through "
            "the off connector (leave it unmarked: it runs on the databases only)",
            pytrace=False,
        )
    return await _bootstrapped_dsn(backend)


@pytest.fixture(scope="session")
async def _session_db(backend: str, _session_cleanup: None) -> AsyncIterator[FixtureDB]:
    if backend == OFF:
        source = await _connect(await _bootstrapped_dsn(OFF))
        try:
            off = await kongdao.connect(OFF, plugins=list(source.loaded_plugins.values()))
        except BaseException:
            await source.close()
            raise
        mirror = DBLessMirror(source, off)
        yield mirror
        await mirror.close()
        return
    db = await _connect(await _bootstrapped_dsn(backend))
    yield db
    await db.close()


@pytest.fixture
async def db(_session_db: FixtureDB) -> FixtureDB:
    """The session's DB on the backend under test, emptied and without subscribers.

    On ``off``, a :class:`~kongdao.testing.dbless.DBLessMirror`.
    """
    _session_db.events.clear()
    await _session_db.truncate()
    return _session_db


class Blueprints:
    """Factories of valid entities with unique names, for tests.

    ``await bp.services(**overrides)``, ``await bp.routes(**overrides)`` (creates a service
    unless ``service`` is given), ``await bp.consumers(**overrides)``,
    ``await bp.plugins(**overrides)`` (a key-auth plugin on a new service).
    """

    def __init__(self, db: FixtureDB) -> None:
        self.db = db
        self._n = itertools.count(1)
        self._tag = secrets.token_hex(3)

    def unique(self, prefix: str) -> str:
        """A name unique in this session."""
        return f"{prefix}-{self._tag}-{next(self._n)}"

    async def services(self, **overrides: Any) -> Any:
        """Insert a service (``http://<unique>.example.com/``)."""
        name = self.unique("svc")
        values = {"name": name, "host": f"{name}.example.com", **overrides}
        return await self.db.services.insert(values)

    async def routes(self, **overrides: Any) -> Any:
        """Insert a route with a unique path; creates its service unless given."""
        if "service" not in overrides:
            svc = await self.services()
            overrides["service"] = {"id": svc.id}
        values = {"paths": [f"/{self.unique('r')}"], **overrides}
        return await self.db.routes.insert(values)

    async def consumers(self, **overrides: Any) -> Any:
        """Insert a consumer with a unique username."""
        return await self.db.consumers.insert({"username": self.unique("user"), **overrides})

    async def plugins(self, **overrides: Any) -> Any:
        """Insert a key-auth plugin; on a new service unless a scope is given."""
        if not any(k in overrides for k in ("service", "route", "consumer", "global_")):
            svc = await self.services()
            overrides["service"] = {"id": svc.id}
        overrides.pop("global_", None)
        return await self.db.plugins.insert({"name": "key-auth", **overrides})


@pytest.fixture
def bp(db: FixtureDB) -> Blueprints:
    """Blueprints bound to ``db``."""
    return Blueprints(db)


async def create_tables(db: DB, *entities: type[Any]) -> None:
    """Create the tables of extra test entities served by ``db`` (idempotent).

    Real plugins ship migrations; tests declaring throwaway entities use this instead.
    """
    from kongdao.schema.entity import schema_of

    for cls in entities:
        schema = schema_of(cls)
        if db.connector.name == "postgres":
            from kongdao.connectors.postgres.ddl import create_table_sql

            await db.connector.execute_ddl(create_table_sql(schema, db.schemas))
        elif db.connector.name == "cassandra":
            from kongdao.connectors.cassandra.ddl import create_table_cql

            await db.connector.execute_ddl(create_table_cql(schema, db.schemas))
        else:
            raise NotImplementedError(f"create_tables: no DDL for {db.connector.name}")


# -- the reads marker and the off backend's selection ----------------------------------------

_OFF_DESELECTED = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``reads`` marker; start the embedded PostgreSQL when there is no server.

    With no ``$KONGDAO_TEST_PG_DSN`` and nothing on 127.0.0.1:5432, the PostgreSQL-backed
    tests use kongdao's embedded server (:mod:`kongdao.testing.postgres`), stopped at the end
    of the run.
    """
    if any(b in ("postgres", OFF) for b in known_backends()):
        with contextlib.suppress(ImportError):  # no kongdao[embedded]: the tests say so
            ensure_admin_dsn()
    config.addinivalue_line(
        "markers",
        f"{READS}: checks read behaviour only (setup may write); runs on the off (DB-less) "
        "backend too",
    )


@pytest.hookimpl(trylast=True)  # after -k / -m: count only what would have run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the ``[off]`` variants of the tests not marked ``reads``.

    DB-less refuses writes: a test of writes would only run the database under the mirror a
    second time. Deselected, not skipped: pytest counts them, and
    :func:`pytest_report_collectionfinish` says why.
    """
    keep: list[pytest.Item] = []
    writes: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_off = callspec is not None and callspec.params.get("backend") == OFF
        if on_off and item.get_closest_marker(READS) is None:
            writes.append(item)
        else:
            keep.append(item)
    config.stash[_OFF_DESELECTED] = len(writes)
    if writes:
        config.hook.pytest_deselected(items=writes)
        items[:] = keep


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the embedded PostgreSQL :func:`pytest_configure` started, if any."""
    release_embedded()


def pytest_report_collectionfinish(config: pytest.Config) -> str | list[str]:
    """One line: how many ``[off]`` tests were deselected, and why."""
    n = config.stash.get(_OFF_DESELECTED, 0)
    if not n:
        return []
    return (
        f"kongdao: {n} [{OFF}] tests deselected: not marked '{READS}' "
        "(they test writes, which DB-less refuses)"
    )
