"""Reads on a PostgreSQL read replica, with a fall-back to the primary.

Kong 2.x's ``pg_ro_*`` settings send the DAO's reads to a read-only server (a streaming replica)
and keep writes on the primary. :class:`ReplicaRouter` does that for kongdao's strategies: a
plain read (``select``, ``select_by_*``, pages, counts) goes to the replica, unless the task
reads from the primary (a write's own reads, ``db.use_primary()``, ``primary=True``, a
transaction: :mod:`kongdao.routing`).

Unlike Kong, a replica that cannot be reached does not fail the read: the read is sent to the
primary instead, and the replica is skipped for ``retry_interval`` seconds, then tried again by
the next read. The log says so once when reads leave the replica (WARNING) and once when they
come back (INFO), not once per read.

What counts as "cannot be reached": a refused or lost connection, a timeout, a server shutting
down or starting up (SQLSTATE 57P01-57P03), a connection-class error (08xxx), too many
connections (53300). A statement cancelled by a recovery conflict (40001 on a hot standby) is
retried on the primary without marking the replica down. Every other error (a bad value, a
missing table) is the caller's, as it would be on the primary.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

import asyncpg
from asyncpg.exceptions._base import ClientConfigurationError
from asyncpg.exceptions._base import DataError as ClientDataError

from kongdao.connectors.postgres.pool import Pool, PoolClosedError
from kongdao.routing import reads_primary

__all__ = ["ReplicaRouter", "ReplicaUnavailableError"]

log = logging.getLogger("kongdao.postgres")

_DOWN_STATES: Final = frozenset(("57P01", "57P02", "57P03", "53300"))
_RETRY_STATES: Final = frozenset(("40001",))


class ReplicaUnavailableError(Exception):
    """A connection to the replica could not be opened (the reason, password-free, as text)."""


def _classify(exc: Exception) -> str | None:
    """``"down"`` (the replica is unreachable), ``"retry"`` (this read only) or ``None``."""
    if isinstance(exc, asyncpg.PostgresError):
        state = getattr(exc, "sqlstate", None) or ""
        if state.startswith("08") or state in _DOWN_STATES:
            return "down"
        return "retry" if state in _RETRY_STATES else None
    if isinstance(exc, (ClientDataError, ClientConfigurationError)):
        return None  # a bad argument or setting: the caller's error, on any server
    if isinstance(
        exc,
        (
            ReplicaUnavailableError,
            OSError,
            TimeoutError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,  # a connection left mid-operation by a lost server
            PoolClosedError,
        ),
    ):
        return "down"  # refused, lost or closed connections, timeouts
    return None


class ReplicaRouter:
    """``fetchrow`` / ``fetch`` on the replica's pool, or on the primary's (see the module).

    Args:
        primary: the primary's pool.
        replica: the replica's pool (it opens connections on demand, so a replica that is
            down when kongdao starts is used once it answers).
        where: ``host:port`` of the replica, for the log.
        retry_interval: seconds reads skip an unreachable replica before trying it again.
    """

    __slots__ = ("_retry_at", "down", "fallbacks", "primary", "replica", "retry_interval", "where")

    def __init__(self, primary: Pool, replica: Pool, *, where: str, retry_interval: float) -> None:
        self.primary = primary
        self.replica = replica
        self.where = where
        self.retry_interval = retry_interval
        self.down = False
        """Whether reads currently skip the replica."""
        self.fallbacks = 0
        """Reads sent to the replica that the primary answered instead."""
        self._retry_at = 0.0

    def _pool(self) -> Pool:
        """The pool a plain read goes to now."""
        if reads_primary() or (self.down and time.monotonic() < self._retry_at):
            return self.primary
        return self.replica

    def mark_down(self, exc: BaseException | str) -> None:
        """Skip the replica for ``retry_interval`` seconds; log the first time only."""
        self._retry_at = time.monotonic() + self.retry_interval
        if self.down:
            log.debug("read replica %s still unreachable: %s", self.where, exc)
            return
        self.down = True
        reason = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        log.warning(
            "read replica %s is unreachable (%s): reads go to the primary, and the replica is "
            "tried again every %g s",
            self.where,
            reason,
            self.retry_interval,
        )

    def _answered(self) -> None:
        """A read sent to the replica while it was down (a retry) succeeded."""
        if self.down:
            self.down = False
            log.info("read replica %s answers again: reads go to it", self.where)

    def _failed(self, exc: Exception) -> bool:
        """Whether a replica error sends the read to the primary (marking the replica down)."""
        kind = _classify(exc)
        if kind is None:
            return False
        self.fallbacks += 1
        if kind == "down":
            self.mark_down(exc)
        return True

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """``Connection.fetchrow`` on the replica, or the primary (see the module)."""
        pool = self._pool()
        if pool is self.primary:
            return await pool.fetchrow(query, *args)
        retrying = self.down
        try:
            record = await pool.fetchrow(query, *args)
        except Exception as exc:
            if not self._failed(exc):
                raise
            return await self.primary.fetchrow(query, *args)
        if retrying:
            self._answered()
        return record

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        """``Connection.fetch`` on the replica, or the primary (see the module)."""
        pool = self._pool()
        if pool is self.primary:
            return await pool.fetch(query, *args)
        retrying = self.down
        try:
            records = await pool.fetch(query, *args)
        except Exception as exc:
            if not self._failed(exc):
                raise
            return await self.primary.fetch(query, *args)
        if retrying:
            self._answered()
        return records
