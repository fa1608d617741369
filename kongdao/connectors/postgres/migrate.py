"""The connector's migration and lock methods, for PostgreSQL (Kong's ``postgres/connector.lua``).

:class:`PostgresMigrations` is a mixin of
:class:`~kongdao.connectors.postgres.connector.PostgresConnector`; it needs ``self.pool``
(``async with self.pool.acquire() as conn`` yields an asyncpg connection), ``self.settings.schema``
(the PostgreSQL schema holding kongdao's tables) and ``self.name``.

Tables, always qualified with the configured schema:

* ``schema_meta(key, subsystem, last_executed, executed TEXT[], pending TEXT[])``, Kong's, one row
  per subsystem under ``key = 'schema_meta'``;
* ``locks(key TEXT PRIMARY KEY, owner TEXT, ttl TIMESTAMPTZ)``, Kong's cluster locks. Expiry
  times come from the server's clock (Kong used the client's), so nodes with skewed clocks agree.

Migration DDL runs with ``search_path`` set to the configured schema for its transaction only
(``SET LOCAL``), so migrations name their tables unqualified and leave no session state behind.

Deviation from Kong: recording a migration that is already recorded (``up --force`` re-runs)
does not append its name a second time to ``executed`` or ``pending``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import asyncpg

from kongdao.connectors.postgres.errors import database_error, is_connection_error

if TYPE_CHECKING:
    from kongdao.connectors.postgres.connector import PostgresSettings
    from kongdao.connectors.postgres.pool import Pool

__all__ = ["PostgresMigrations"]

_META_KEY: Final = "schema_meta"

# SQL templates: ``{s}`` is the quoted schema, ``$n`` are bound values.
_SET_SEARCH_PATH: Final = "SET LOCAL search_path TO {s}"
_TABLE_EXISTS: Final = (
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2)"
)
_SCHEMA_EXISTS: Final = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)"
_SERIALIZE_BOOTSTRAP: Final = "SELECT pg_advisory_xact_lock(hashtext($1))"
_CREATE_SCHEMA: Final = "CREATE SCHEMA IF NOT EXISTS {s}"
_CREATE_META_TABLES: Final = """
CREATE TABLE IF NOT EXISTS {s}.schema_meta (
  key            TEXT,
  subsystem      TEXT,
  last_executed  TEXT,
  executed       TEXT[],
  pending        TEXT[],
  PRIMARY KEY (key, subsystem)
);
CREATE TABLE IF NOT EXISTS {s}.locks (
  key    TEXT PRIMARY KEY,
  owner  TEXT,
  ttl    TIMESTAMP WITH TIME ZONE
);
CREATE INDEX IF NOT EXISTS locks_ttl_idx ON {s}.locks (ttl);
"""
_READ_META: Final = (
    "SELECT subsystem, last_executed, executed, pending FROM {s}.schema_meta WHERE key = $1"
)
_EXECUTED: Final = "COALESCE(m.executed, ARRAY[]::TEXT[])"
_PENDING: Final = "COALESCE(m.pending, ARRAY[]::TEXT[])"
_ADD_EXECUTED: Final = (
    f"CASE WHEN $3 = ANY({_EXECUTED}) THEN {_EXECUTED} ELSE ARRAY_APPEND({_EXECUTED}, $3) END"
)
_ADD_PENDING: Final = (
    f"CASE WHEN $3 = ANY({_PENDING}) THEN {_PENDING} ELSE ARRAY_APPEND({_PENDING}, $3) END"
)
_RECORD: Final = {
    "executed": f"""
INSERT INTO {{s}}.schema_meta AS m (key, subsystem, last_executed, executed)
     VALUES ($1, $2, $3, ARRAY[$3]::TEXT[])
ON CONFLICT (key, subsystem) DO UPDATE
        SET last_executed = EXCLUDED.last_executed,
            executed = {_ADD_EXECUTED}
""",
    "pending": f"""
INSERT INTO {{s}}.schema_meta AS m (key, subsystem, pending)
     VALUES ($1, $2, ARRAY[$3]::TEXT[])
ON CONFLICT (key, subsystem) DO UPDATE
        SET pending = {_ADD_PENDING}
""",
    "teardown": f"""
INSERT INTO {{s}}.schema_meta AS m (key, subsystem, last_executed, executed)
     VALUES ($1, $2, $3, ARRAY[$3]::TEXT[])
ON CONFLICT (key, subsystem) DO UPDATE
        SET last_executed = EXCLUDED.last_executed,
            executed = {_ADD_EXECUTED},
            pending = ARRAY_REMOVE({_PENDING}, $3)
""",
}
_RESET_SCHEMA: Final = "DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s}"
_LIST_TABLES: Final = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1"
_DROP_TABLES: Final = "DROP TABLE IF EXISTS {tables} CASCADE"
_DELETE_EXPIRED_LOCKS: Final = "DELETE FROM {s}.locks WHERE ttl < CURRENT_TIMESTAMP"
_INSERT_LOCK: Final = """
INSERT INTO {s}.locks (key, owner, ttl)
     VALUES ($1, $2, CURRENT_TIMESTAMP + make_interval(secs => $3))
ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner WHERE {s}.locks.owner = EXCLUDED.owner
  RETURNING key
"""
_READ_LOCK: Final = "SELECT owner FROM {s}.locks WHERE key = $1 AND ttl >= CURRENT_TIMESTAMP"
_REMOVE_LOCK: Final = "DELETE FROM {s}.locks WHERE key = $1 AND owner = $2"


def _quote_ident(name: str) -> str:
    """Quote an SQL identifier: wrap in double quotes, doubling the ones inside."""
    if "\x00" in name:
        raise ValueError("an SQL identifier cannot contain NUL")
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def _driver_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if isinstance(exc, asyncpg.PostgresError) or is_connection_error(exc):
            raise database_error(exc) from exc
        raise


class PostgresMigrations:
    """Migration and lock methods of the :class:`~kongdao.connector.Connector` protocol.

    Every method takes a connection from ``self.pool`` for its own use, binds every value as a
    parameter and raises :class:`~kongdao.errors.DatabaseError` (strategy ``postgres``) on
    driver and server errors.
    """

    if TYPE_CHECKING:
        name: str
        settings: PostgresSettings

        @property
        def pool(self) -> Pool:
            """The connection pool (the connector's)."""

    def _sql(self, template: str) -> str:
        # The only identifier ever put into SQL text is the configured schema, quoted.
        return template.format(s=_quote_ident(self.settings.schema))

    async def execute_ddl(self, statements: str) -> None:
        """Run migration DDL in one transaction, with ``search_path`` set to the schema.

        The text is sent as one simple-protocol script, so ``DO $$ ... $$`` blocks and
        semicolons inside them are fine; it must not contain transaction control
        (``BEGIN`` / ``COMMIT``). On error nothing of it remains.

        Args:
            statements: DDL statements separated by ``;``.

        Raises:
            DatabaseError: a statement failed (the server's message).
        """
        with _driver_errors():
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute(self._sql(_SET_SEARCH_PATH))
                await conn.execute(statements)

    async def schema_meta_exists(self) -> bool:
        """Whether ``schema_meta`` exists in the configured schema (bootstrapped)."""
        with _driver_errors():
            async with self.pool.acquire() as conn:
                found = await conn.fetchval(_TABLE_EXISTS, self.settings.schema, _META_KEY)
        return bool(found)

    async def bootstrap_meta(self) -> None:
        """Create the schema (if missing), ``schema_meta`` and ``locks``; idempotent.

        The schema is created only when it does not exist, so a role without the ``CREATE``
        privilege on the database can bootstrap a schema prepared for it.
        """
        with _driver_errors():
            async with self.pool.acquire() as conn, conn.transaction():
                # Concurrent CREATE ... IF NOT EXISTS of one table can still collide in the
                # catalog (duplicate pg_type row): nodes bootstrapping at once take turns.
                await conn.execute(
                    _SERIALIZE_BOOTSTRAP, f"kongdao bootstrap {self.settings.schema}"
                )
                if not await conn.fetchval(_SCHEMA_EXISTS, self.settings.schema):
                    await conn.execute(self._sql(_CREATE_SCHEMA))
                await conn.execute(self._sql(_CREATE_META_TABLES))

    async def read_schema_meta(self, subsystems: Any = None) -> list[dict[str, Any]]:
        """The ``schema_meta`` rows: ``subsystem``, ``last_executed``, ``executed``, ``pending``.

        ``executed`` and ``pending`` are lists (empty for SQL ``NULL``).
        """
        with _driver_errors():
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(self._sql(_READ_META), _META_KEY)
        return [
            {
                "subsystem": row["subsystem"],
                "last_executed": row["last_executed"],
                "executed": list(row["executed"] or ()),
                "pending": list(row["pending"] or ()),
            }
            for row in rows
        ]

    async def record_migration(self, subsystem: str, name: str, state: str) -> None:
        """Record one migration's progress (Kong's rules).

        * ``executed``: ``last_executed = name``, ``name`` added to ``executed``;
        * ``pending``: ``name`` added to ``pending`` (its teardown has not run);
        * ``teardown``: ``last_executed = name``, ``name`` moved from ``pending`` to ``executed``.

        Args:
            subsystem: The subsystem's name.
            name: The migration's name.
            state: ``executed``, ``pending`` or ``teardown``.

        Raises:
            ValueError: an unknown ``state``.
        """
        try:
            template = _RECORD[state]
        except KeyError:
            raise ValueError(f"unknown migration state: {state!r}") from None
        with _driver_errors():
            async with self.pool.acquire() as conn:
                await conn.execute(self._sql(template), _META_KEY, subsystem, name)

    async def reset(self) -> None:
        """Drop everything in the configured schema (Kong's ``schema_reset``).

        ``DROP SCHEMA <schema> CASCADE`` then ``CREATE SCHEMA <schema>``, in one transaction:
        this removes *every* object of the schema, kongdao's or not, so give kongdao a schema
        (or database) of its own. The schema comes back owned by the current role, with default
        privileges. A role allowed to drop tables but not the schema gets every table of the
        schema dropped instead (Kong's fallback).
        """
        with _driver_errors():
            async with self.pool.acquire() as conn:
                try:
                    async with conn.transaction():
                        await conn.execute(self._sql(_RESET_SCHEMA))
                except asyncpg.InsufficientPrivilegeError:
                    async with conn.transaction():
                        rows = await conn.fetch(_LIST_TABLES, self.settings.schema)
                        if rows:
                            schema = _quote_ident(self.settings.schema)
                            tables = ", ".join(
                                f"{schema}.{_quote_ident(row['tablename'])}" for row in rows
                            )
                            await conn.execute(_DROP_TABLES.format(tables=tables))

    async def insert_lock(self, key: str, owner: str, ttl: float) -> bool:
        """Take lock ``key`` for ``ttl`` seconds unless a live lock exists.

        One transaction deletes the expired locks, then inserts; a live lock ``owner`` already
        holds counts as taken (see :meth:`kongdao.connector.Connector.insert_lock`).

        Returns:
            ``True`` when this call took the lock.
        """
        with _driver_errors():
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute(self._sql(_DELETE_EXPIRED_LOCKS))
                taken = await conn.fetchval(self._sql(_INSERT_LOCK), key, owner, float(ttl))
        return taken is not None

    async def read_lock(self, key: str) -> str | None:
        """The owner of the live (unexpired) lock ``key``, or ``None``."""
        with _driver_errors():
            async with self.pool.acquire() as conn:
                owner = await conn.fetchval(self._sql(_READ_LOCK), key)
        return None if owner is None else str(owner)

    async def remove_lock(self, key: str, owner: str) -> None:
        """Release lock ``key`` if ``owner`` holds it."""
        with _driver_errors():
            async with self.pool.acquire() as conn:
                await conn.execute(self._sql(_REMOVE_LOCK), key, owner)

    async def wait_for_schema_consensus(self) -> None:
        """Nothing to wait for: a PostgreSQL schema change is visible once committed."""
