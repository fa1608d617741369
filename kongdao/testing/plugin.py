"""pytest plugin: real databases, a ``db`` fixture per backend, and blueprints.

Backends come from ``KONGDAO_TEST_BACKENDS`` (comma-separated; default: every connector this
plugin knows). Servers:

* PostgreSQL: ``KONGDAO_TEST_PG_DSN`` (an administrative DSN, default
  ``postgresql://postgres@127.0.0.1:5432/postgres``); a fresh database is created for the
  session and dropped at the end.
* Cassandra: ``KONGDAO_TEST_CASSANDRA_DSN`` (default
  ``cassandra://127.0.0.1:9042/?protocol_version=3``, the local Cassandra 2.1 that
  ``make cassandra-up`` starts; its keyspace part is ignored); a fresh keyspace
  ``kongdao_test_<hex>`` is created by the bootstrap and dropped at the end.

A backend that cannot be reached is skipped with the reason locally, and fails the run under CI
(``CI=true``): CI must prove every connector, every time.

Fixtures:

* ``db``: a bootstrapped :class:`~kongdao.db.DB`, emptied before each test, parametrised over
  the backends (test ids ``[postgres]``...);
* ``bp``: blueprints that insert valid entities with unique names (``await bp.routes()``
  creates its service);
* ``backend``: the backend's name; ``dsn_for``: a DSN for a fresh :func:`kongdao.connect`.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import kongdao
from kongdao.db import DB

__all__ = ["Blueprints", "backend_dsn", "create_tables", "known_backends"]

_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
_CASSANDRA = "cassandra://127.0.0.1:9042/?protocol_version=3"


def known_backends() -> list[str]:
    """The backends to test, from ``KONGDAO_TEST_BACKENDS`` or every known one."""
    env = os.environ.get("KONGDAO_TEST_BACKENDS")
    if env:
        return [b.strip() for b in env.split(",") if b.strip()]
    return ["postgres", "cassandra"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(backend: str, why: str) -> None:
    message = f"{backend} is not reachable: {why}"
    if _in_ci():
        pytest.fail(f"{message} (under CI every backend must run)", pytrace=False)
    pytest.skip(message)


async def _create_pg_database() -> tuple[str, Callable[[], Any]]:
    import asyncpg

    admin = os.environ.get("KONGDAO_TEST_PG_DSN", _PG_ADMIN)
    try:
        conn = await asyncpg.connect(admin, timeout=10)
    except Exception as exc:
        _unavailable("postgres", f"{type(exc).__name__}: {exc}")
        raise
    name = f"kongdao_test_{secrets.token_hex(4)}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    base = admin.rsplit("/", 1)[0]

    async def drop() -> None:
        c = await asyncpg.connect(admin, timeout=10)
        try:
            await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await c.close()

    return f"{base}/{name}", drop


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
    """The DSN of this session's test database on ``backend`` (created on first use)."""
    if backend in _databases:
        return _databases[backend]
    if backend == "postgres":
        dsn, drop = await _create_pg_database()
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


@pytest.fixture(scope="session")
async def dsn_for(backend: str, _session_cleanup: None) -> str:
    """The DSN of the session's bootstrapped test database on ``backend``."""
    dsn = await backend_dsn(backend)
    async with kongdao.connect(dsn, ttl_cleanup_interval=None, check_migrations=False) as db:
        await db.migrations.bootstrap()
    return dsn


@pytest.fixture(scope="session")
async def _session_db(dsn_for: str) -> AsyncIterator[DB]:
    # The pool size is a PostgreSQL setting (the Cassandra driver multiplexes connections).
    settings: dict[str, Any] = {"pool_max_size": 20} if dsn_for.startswith("postgres") else {}
    db = await kongdao.connect(dsn_for, ttl_cleanup_interval=None, **settings)
    yield db
    await db.close()


@pytest.fixture
async def db(_session_db: DB) -> DB:
    """The session's DB on the backend under test, emptied and without subscribers."""
    _session_db.events.clear()
    await _session_db.truncate()
    return _session_db


class Blueprints:
    """Factories of valid entities with unique names, for tests.

    ``await bp.services(**overrides)``, ``await bp.routes(**overrides)`` (creates a service
    unless ``service`` is given), ``await bp.consumers(**overrides)``,
    ``await bp.plugins(**overrides)`` (a key-auth plugin on a new service).
    """

    def __init__(self, db: DB) -> None:
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
def bp(db: DB) -> Blueprints:
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
