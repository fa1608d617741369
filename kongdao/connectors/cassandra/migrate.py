"""The connector's migration and lock methods, for Cassandra (Kong's ``cassandra/connector.lua``).

:class:`CassandraMigrations` is a mixin of
:class:`~kongdao.connectors.cassandra.connector.CassandraConnector`.

Tables, in the configured keyspace:

* ``schema_meta(key, subsystem, last_executed, executed set<text>, pending set<text>)``, Kong's,
  one row per subsystem under ``key = 'schema_meta'``. Sets make recording idempotent (a
  re-run migration is not listed twice), as on PostgreSQL.
* ``locks(key text PRIMARY KEY, owner text)``, Kong's cluster locks: a lock is taken with
  ``INSERT ... IF NOT EXISTS USING TTL <ttl>`` (a lightweight transaction, so two nodes can
  never both take it; the TTL frees it if its holder dies), read at ``SERIAL`` and released with
  ``DELETE ... IF owner = ?``.

Migration CQL is split on ``;`` and run statement by statement (Cassandra has no multi-statement
DDL, let alone transactional DDL), tolerating the errors a re-run produces ("already exists",
"conflicts with an existing column"...), then the connector waits until every node agrees on
the schema.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING, Any, Final

from kongdao import errors
from kongdao.connectors.cassandra.statement import Stmt, applied

if TYPE_CHECKING:
    from kongdao.connectors.cassandra.connector import CassandraSettings

__all__ = ["CassandraMigrations", "split_statements"]

log = logging.getLogger("kongdao.cassandra")

_META_KEY: Final = "schema_meta"
_CONSENSUS_POLL: Final = 0.1

# Errors a re-run of additive DDL produces (Kong's list, lower-cased).
_TOLERATED: Final = (
    "already exists",
    "conflicts with an existing column",
    "cannot add existing column",
    "was not found in table",
    "undefined column name",
    "no column definition found",
)


def split_statements(text: str) -> list[str]:
    """Split migration CQL on ``;`` into statements, dropping ``--`` comment lines and blanks."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _tolerated(message: str) -> bool:
    lowered = message.lower()
    return any(t in lowered for t in _TOLERATED)


class CassandraMigrations:
    """Migration and lock methods of the :class:`~kongdao.connector.Connector` protocol.

    Every method raises :class:`~kongdao.errors.DatabaseError` (strategy ``cassandra``) on driver
    and server errors, and binds every value.
    """

    if TYPE_CHECKING:
        name: str
        settings: CassandraSettings
        server_version: tuple[int, ...]
        lock_cl: Any
        serial_cl: Any
        local_cl: Any

        @property
        def keyspace(self) -> str:
            """The quoted keyspace name."""

        def table(self, name: str) -> str:
            """A qualified, quoted table name."""

        def stmt(self, cql: str, consistency: Any, serial: Any = None) -> Stmt:
            """A statement with explicit consistency levels."""

        async def execute_simple(self, cql: str) -> Any:
            """Run an unprepared statement without values."""

    _meta_stmts: dict[str, Stmt]

    def _meta(self, key: str, cql: str, *, lock: bool = False, serial: bool = False) -> Stmt:
        """A statement of this mixin, built once per connector.

        ``lock``: QUORUM (and SERIAL for conditions); ``serial``: a SERIAL read; otherwise a
        read of node-local system tables at ONE.
        """
        cache: dict[str, Stmt] = self.__dict__.setdefault("_meta_stmts", {})
        stmt = cache.get(key)
        if stmt is None:
            if serial:
                stmt = self.stmt(cql, self.serial_cl)
            elif lock:
                stmt = self.stmt(cql, self.lock_cl, self.serial_cl)
            else:
                stmt = self.stmt(cql, self.local_cl)
            cache[key] = stmt
        return stmt

    def _replication(self) -> str:
        s = self.settings
        if s.replication_strategy == "SimpleStrategy":
            return (
                f"{{'class': 'SimpleStrategy', 'replication_factor': {int(s.replication_factor)}}}"
            )
        dcs = ", ".join(
            "'{}': {}".format(name.replace("'", "''"), int(n)) for name, n in s.data_centers
        )
        return f"{{'class': 'NetworkTopologyStrategy', {dcs}}}"

    async def execute_ddl(self, statements: str) -> None:
        """Run migration CQL statement by statement in the keyspace, then await consensus.

        Statements that fail because what they create already exists are skipped, so a
        migration can be re-run. Nothing is rolled back on error: Cassandra DDL is not
        transactional, which is why migrations must be additive and re-entrant.

        Args:
            statements: CQL statements separated by ``;`` (tables unqualified).

        Raises:
            DatabaseError: a statement failed (the server's message), or the keyspace is missing.
        """
        await self.execute_simple(f"USE {self.keyspace}")
        for statement in split_statements(statements):
            try:
                await self.execute_simple(statement)
            except errors.DatabaseError as exc:
                if not _tolerated(exc.message or ""):
                    raise
                log.debug("ignored on re-run: %s (%s)", exc.message, statement.split("(")[0])
        await self.wait_for_schema_consensus()

    async def _table_exists(self, table: str) -> bool:
        if self.server_version and self.server_version[0] >= 3:
            stmt = self._meta(
                "exists3",
                "SELECT table_name FROM system_schema.tables "
                "WHERE keyspace_name = ? AND table_name = ?",
            )
        else:
            stmt = self._meta(
                "exists2",
                "SELECT columnfamily_name FROM system.schema_columnfamilies "
                "WHERE keyspace_name = ? AND columnfamily_name = ?",
            )
        result = await stmt.run([self.settings.keyspace, table])
        return result.first() is not None

    async def _tables(self) -> list[str]:
        if self.server_version and self.server_version[0] >= 3:
            stmt = self._meta(
                "tables3", "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?"
            )
        else:
            stmt = self._meta(
                "tables2",
                "SELECT columnfamily_name FROM system.schema_columnfamilies "
                "WHERE keyspace_name = ?",
            )
        result = await stmt.run([self.settings.keyspace])
        return [str(row.as_list()[0]) for row in result]

    async def schema_meta_exists(self) -> bool:
        """Whether ``schema_meta`` exists in the keyspace (bootstrapped)."""
        return await self._table_exists(_META_KEY)

    async def bootstrap_meta(self) -> None:
        """Create the keyspace (with the replication settings), ``schema_meta`` and ``locks``.

        Idempotent. An existing keyspace is kept as it is (its replication is not changed).
        """
        await self.execute_simple(
            f"CREATE KEYSPACE IF NOT EXISTS {self.keyspace} "
            f"WITH replication = {self._replication()}"
        )
        await self.execute_simple(
            f"CREATE TABLE IF NOT EXISTS {self.table('schema_meta')} ("
            "key text, subsystem text, last_executed text, executed set<text>, "
            "pending set<text>, PRIMARY KEY (key, subsystem))"
        )
        await self.execute_simple(
            f"CREATE TABLE IF NOT EXISTS {self.table('locks')} (key text PRIMARY KEY, owner text)"
        )
        await self.wait_for_schema_consensus()

    async def read_schema_meta(self, subsystems: Any = None) -> list[dict[str, Any]]:
        """The ``schema_meta`` rows: ``subsystem``, ``last_executed``, ``executed``, ``pending``.

        ``executed`` and ``pending`` are sorted lists (empty for null).
        """
        stmt = self._meta(
            "read_meta",
            "SELECT subsystem, last_executed, executed, pending "
            f"FROM {self.table('schema_meta')} WHERE key = ?",
            lock=True,
        )
        result = await stmt.run([_META_KEY])
        out = []
        for row in result:
            subsystem, last_executed, executed, pending = row.as_list()
            out.append(
                {
                    "subsystem": subsystem,
                    "last_executed": last_executed,
                    "executed": sorted(executed or ()),
                    "pending": sorted(pending or ()),
                }
            )
        return out

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
        t = self.table("schema_meta")
        where = "WHERE key = ? AND subsystem = ?"
        if state == "executed":
            cql = f"UPDATE {t} SET last_executed = ?, executed = executed + ? {where}"
            params: list[Any] = [name, {name}, _META_KEY, subsystem]
        elif state == "pending":
            cql = f"UPDATE {t} SET pending = pending + ? {where}"
            params = [{name}, _META_KEY, subsystem]
        elif state == "teardown":
            cql = (
                f"UPDATE {t} SET last_executed = ?, executed = executed + ?, "
                f"pending = pending - ? {where}"
            )
            params = [name, {name}, {name}, _META_KEY, subsystem]
        else:
            raise ValueError(f"unknown migration state: {state!r}")
        await self._meta(f"record_{state}", cql, lock=True).run(params)

    async def reset(self) -> None:
        """Drop every table of the keyspace (Kong's ``schema_reset``); the keyspace stays.

        Every table goes, kongdao's or not, so give kongdao a keyspace of its own. Keeping the
        keyspace keeps its replication settings and grants. Tables are dropped one at a time
        (concurrent schema changes can make nodes disagree), then the connector waits for
        schema consensus.
        """
        for table in await self._tables():
            await self.execute_simple(f"DROP TABLE IF EXISTS {self.table(table)}")
        await self.wait_for_schema_consensus()

    async def drop_keyspace(self) -> None:
        """Drop the whole keyspace (tests and tooling; not part of the connector protocol)."""
        await self.execute_simple(f"DROP KEYSPACE IF EXISTS {self.keyspace}")
        await self.wait_for_schema_consensus()

    async def insert_lock(self, key: str, owner: str, ttl: float) -> bool:
        """Take lock ``key`` for ``ttl`` seconds (rounded up) unless a live lock exists.

        Returns:
            ``True`` when this call took the lock.
        """
        stmt = self._meta(
            "insert_lock",
            f"INSERT INTO {self.table('locks')} (key, owner) VALUES (?, ?) IF NOT EXISTS "
            "USING TTL ?",
            lock=True,
        )
        result = await stmt.run([key, owner, max(1, math.ceil(ttl))])
        taken, _ = applied(result)
        return taken

    async def read_lock(self, key: str) -> str | None:
        """The owner of the live (unexpired) lock ``key``, or ``None`` (read at ``SERIAL``)."""
        stmt = self._meta(
            "read_lock", f"SELECT owner FROM {self.table('locks')} WHERE key = ?", serial=True
        )
        row = (await stmt.run([key])).first()
        if row is None:
            return None
        owner = row.as_list()[0]
        return None if owner is None else str(owner)

    async def remove_lock(self, key: str, owner: str) -> None:
        """Release lock ``key`` if ``owner`` holds it."""
        stmt = self._meta(
            "remove_lock",
            f"DELETE FROM {self.table('locks')} WHERE key = ? IF owner = ?",
            lock=True,
        )
        await stmt.run([key, owner])

    async def wait_for_schema_consensus(self) -> None:
        """Poll ``system.local`` and ``system.peers`` every 100 ms until one schema version.

        Raises:
            DatabaseError: the nodes still disagree after ``schema_consensus_timeout`` seconds.
        """
        local = self._meta("schema_local", "SELECT schema_version FROM system.local")
        peers = self._meta("schema_peers", "SELECT peer, schema_version FROM system.peers")
        timeout = self.settings.schema_consensus_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            versions: set[str] = set()
            for row in await local.run():
                if row.as_list()[0] is not None:
                    versions.add(str(row.as_list()[0]))
            for row in await peers.run():
                version = row.as_list()[1]
                if version is not None:
                    versions.add(str(version))
            if len(versions) <= 1:
                return
            if loop.time() >= deadline:
                raise errors.database_error(
                    f"timeout waiting for schema consensus: the nodes still report "
                    f"{len(versions)} schema versions after {timeout:g} s "
                    "(raise schema_consensus_timeout, or check for nodes that are down)",
                    strategy=self.name,
                )
            await asyncio.sleep(_CONSENSUS_POLL)
