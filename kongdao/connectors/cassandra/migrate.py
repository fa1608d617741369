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
import ipaddress
import logging
import math
import socket
from typing import TYPE_CHECKING, Any, Final

import acsylla

from kongdao import errors
from kongdao.connectors.cassandra.statement import Stmt, applied

if TYPE_CHECKING:
    from kongdao.connectors.cassandra.connector import CassandraSettings

__all__ = ["CassandraMigrations", "split_statements"]

log = logging.getLogger("kongdao.cassandra")

_META_KEY: Final = "schema_meta"
_CONSENSUS_POLL: Final = 0.1
# How long one node may take to answer a system-table read while we wait for consensus (a node
# that is down fails at once; one that hangs must not stall the wait beyond its deadline).
_PROBE_TIMEOUT: Final = 2.0

# First words of the statements that change the schema (the others read or write data).
_SCHEMA_VERBS: Final = frozenset(("CREATE", "ALTER", "DROP"))

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

        generation: int

        @property
        def session(self) -> Any:
            """The acsylla session."""

        def error(self, exc: BaseException | str) -> errors.KongDAOError:
            """Map a driver exception to a kongdao error."""

    _meta_stmts: dict[str, Stmt]
    # (connector generation, address or None): the schema node of the current session.
    _schema_node: tuple[int, str | None] | None = None

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
        migration can be re-run. Every statement runs on the schema node (see
        :meth:`schema_node`); before a data statement that follows schema changes, and at the
        end, the connector waits until the whole ring has the new schema (a replica without the
        table would drop the write). Nothing is rolled back on error: Cassandra DDL is not
        transactional, which is why migrations must be additive and re-entrant.

        Args:
            statements: CQL statements separated by ``;`` (tables unqualified).

        Raises:
            DatabaseError: a statement failed (the server's message), or the keyspace is missing.
        """
        if self.__dict__.get("_used_keyspace") != self.generation:
            await self.execute_simple(f"USE {self.keyspace}")
            # USE sets the keyspace of the whole driver session, and Cassandra 2.1 derives a
            # prepared statement's id from the session's keyspace too: a statement prepared
            # before, re-prepared by the driver on a node that restarted, would come back with
            # another id ("ID mismatch while trying to prepare query"). A new generation makes
            # every statement prepare again, under the keyspace.
            self.generation += 1
            self.__dict__["_used_keyspace"] = self.generation
        changed = False
        for statement in split_statements(statements):
            schema_change = statement.split(None, 1)[0].upper() in _SCHEMA_VERBS
            if changed and not schema_change:
                # Data statements (the default workspace's INSERT in 000_base) reach replicas
                # that must know the tables first: a replica that does not drops the write and
                # the coordinator times out. DDL runs on one node without waiting, so wait now.
                await self.wait_for_schema_consensus()
                changed = False
            try:
                await self.execute_simple(statement)
            except errors.DatabaseError as exc:
                if not _tolerated(exc.message or ""):
                    raise
                log.debug("ignored on re-run: %s (%s)", exc.message, statement.split("(")[0])
            changed = changed or schema_change
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
        taken, current = applied(result)
        # Not applied, yet held by this owner: an earlier attempt of this very statement (run
        # again after an unknown outcome or a lost connection, see statement.py) took it.
        return taken or current.get("owner") == owner

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

    async def _on_node(self, cql: str, host: str) -> Any:
        """Run a system-table read on node ``host`` (by address) itself, at ONE."""
        statement = acsylla.create_statement(cql, consistency=self.local_cl, timeout=_PROBE_TIMEOUT)
        statement.set_host(host, self.settings.port)
        return await self.session.execute(statement)

    async def _node_addresses(self) -> list[str]:
        """The contact points as IP addresses (the driver pins a statement by address only)."""
        out: list[str] = []
        loop = asyncio.get_running_loop()
        for host in self.settings.contact_points:
            try:
                ipaddress.ip_address(host)
                addresses = [host]
            except ValueError:
                try:
                    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
                except OSError:
                    continue
                addresses = [str(info[4][0]) for info in infos]
            out.extend(a for a in addresses if a not in out)
        return out

    async def schema_node(self) -> str | None:
        """The node that runs DDL and system-table reads: the first contact point that answers.

        Returns:
            Its address, or ``None`` when no contact point is an address that answers (then
            whichever node the driver picks runs each statement).
        """
        picked = self._schema_node
        if picked is not None and picked[0] == self.generation:
            return picked[1]
        node = None
        for host in await self._node_addresses():
            if await self._reachable(host):
                node = host
                break
        self._schema_node = (self.generation, node)
        return node

    def forget_schema_node(self) -> None:
        """Pick the schema node again on next use (the current one stopped answering)."""
        self._schema_node = None

    async def schema_versions(self) -> dict[str, str | None]:
        """Each node's schema version, as one reachable node sees the ring.

        The node's own version comes from its ``system.local``, the list of the others and
        their versions from its ``system.peers`` (what gossip last told it: for a node that is
        down, the version it had when it went down). Both are read on the same node, pinned by
        address; the schema node first. A peer whose gossiped version differs is asked for its
        own ``system.local`` directly: a node applies a pushed schema change at once, but
        gossip spreads its new version only about once a second, which made every wait after
        DDL last ~0.7 s on a 3-node ring.

        Returns:
            ``{address: schema version}``; the answering node first. A version is ``None`` while
            a node has not announced one yet.

        Raises:
            DatabaseError: no contact point answered.
        """
        last: BaseException | None = None
        hosts = await self._node_addresses()
        first = await self.schema_node()
        if first in hosts:  # the node that ran the DDL: it has the new version
            hosts.remove(first)
            hosts.insert(0, first)
        for host in hosts:
            try:
                local = await self._on_node("SELECT * FROM system.local", host)
                peers = await self._on_node(
                    "SELECT peer, rpc_address, schema_version FROM system.peers", host
                )
            except Exception as exc:
                last = exc
                continue
            versions: dict[str, str | None] = {}
            row = local.first()
            if row is not None:
                values = row.as_dict()
                # Cassandra 3+ names its own address; 2.1 does not: it is the node we asked.
                address = values.get("broadcast_address") or values.get("listen_address") or host
                version = values.get("schema_version")
                versions[str(address)] = None if version is None else str(version)
            mine = next(iter(versions.values()), None)
            asked = []
            for row in peers:
                peer, rpc, version = row.as_list()
                versions[str(peer)] = None if version is None else str(version)
                if versions[str(peer)] != mine:
                    direct = str(rpc) if rpc not in (None, "0.0.0.0", "::") else str(peer)  # noqa: S104
                    asked.append((str(peer), direct))
            answers = await asyncio.gather(
                *(self._on_node("SELECT schema_version FROM system.local", d) for _, d in asked),
                return_exceptions=True,
            )
            for (peer, _), answer in zip(asked, answers, strict=True):
                if isinstance(answer, BaseException):
                    continue  # keep what gossip says; the message marks it (down?)
                first_row = answer.first()
                if first_row is not None and first_row.as_list()[0] is not None:
                    versions[peer] = str(first_row.as_list()[0])
            return versions
        if last is None:
            # No contact point is an address, and none resolves: ask whichever node answers.
            return await self._schema_versions_unpinned()
        raise self.error(last) from last

    async def _schema_versions_unpinned(self) -> dict[str, str | None]:
        local = self._meta("schema_local", "SELECT schema_version FROM system.local")
        peers = self._meta("schema_peers", "SELECT peer, schema_version FROM system.peers")
        versions: dict[str, str | None] = {}
        for row in await local.run():
            version = row.as_list()[0]
            versions["(coordinator)"] = None if version is None else str(version)
        for row in await peers.run():
            peer, version = row.as_list()
            versions[str(peer)] = None if version is None else str(version)
        return versions

    async def _reachable(self, host: str) -> bool:
        try:
            await self._on_node("SELECT key FROM system.local", host)
        except Exception:
            return False
        return True

    async def _disagreement(self, versions: dict[str, str | None]) -> str:
        """``127.0.1.1, 127.0.1.2 report <v>, 127.0.1.3 reports <w> (down?)``."""
        groups: dict[str | None, list[str]] = {}
        for address, version in versions.items():
            groups.setdefault(version, []).append(address)
        parts = []
        # The answering node's version first: it is the one the DDL just produced.
        for version, nodes in groups.items():
            verb = "report" if len(nodes) > 1 else "reports"
            text = f"{', '.join(nodes)} {verb} {version or 'no version yet'}"
            if version != next(iter(versions.values())):
                down = [n for n in nodes if n != "(coordinator)" and not await self._reachable(n)]
                if down and len(down) == len(nodes):
                    text += " (down?)"
                elif down:
                    text += f" ({', '.join(down)} down?)"
            parts.append(text)
        return ", ".join(parts)

    async def wait_for_schema_consensus(self) -> None:
        """Poll the nodes' schema versions every 100 ms until they are all the same.

        The versions are read from one node's ``system.local`` and ``system.peers`` (see
        :meth:`schema_versions`), so every node the ring knows counts, also one that is down:
        a node that missed a schema change would serve stale tables when it comes back, which
        is why Kong refuses to go on (its migrations wait for consensus the same way).

        Raises:
            DatabaseError: the nodes still disagree after ``schema_consensus_timeout`` seconds;
                the message names each node and the version it reports, and marks the nodes
                that do not answer (``(down?)``).
        """
        timeout = self.settings.schema_consensus_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            versions = await self.schema_versions()
            if len({v for v in versions.values() if v is not None}) <= 1:
                return
            if loop.time() >= deadline:
                raise errors.database_error(
                    f"schema agreement not reached after {timeout:g} s: "
                    f"{await self._disagreement(versions)}; bring the nodes back (or remove "
                    "dead ones from the ring) and run this again, or raise "
                    "schema_consensus_timeout",
                    strategy=self.name,
                )
            await asyncio.sleep(_CONSENSUS_POLL)
