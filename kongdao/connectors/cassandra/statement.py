"""One CQL statement: prepared on first use, then bound and run with fixed consistency levels.

Statements are built once per entity and operation (the CQL text is fixed at strategy build
time); each :class:`Stmt` prepares itself the first time it runs on a session and keeps the
prepared statement until the connector reconnects. Values are always bound, which also makes the
driver route each request to a replica of its partition (token-aware routing needs the
partition key bound; acsylla cannot find it in literals).

Every driver exception raised while binding or running is mapped to a kongdao error here, so
none escapes the connector.

Lightweight transactions on a ring: when concurrent proposers on one partition make a
proposal be accepted by some replicas and refused by others, Cassandra answers "Write timeout"
at once (in 2.1: "received only 1 responses") and the outcome is unknown; a single node never
does this. The next Paxos round on that partition first completes (or discards) the half-accepted
proposal, so a conditional statement that fails that way is run again, up to
:data:`_CAS_RETRIES` times after a short random pause: it then either applies, or answers "not
applied" with the current values, from which the strategy recognises its own earlier write
(every row write stores a fresh ``kongdao_version``, every claim the claimer's id).

A node lost with requests in flight (killed, restarted, its connection reset): the driver fails
every request it had sent on that connection with "Request timed out" at once, unless the
statement is marked idempotent, which makes it send the request to the next node instead. Every
statement run here is idempotent in that sense: reads; unconditional writes, which set whole
values (no counters, no list appends); and conditional ones, whose re-run answers "not applied"
with the values an applied earlier attempt wrote, which the strategy and the migration lock
recognise, as above. So each is sent as idempotent, except a page fetched with a paging state
(the driver would retry the server error a forged state provokes on every node, hiding the
INVALID_OFFSET) and except with ``retry_policy=fallthrough`` (no retries at all).

Cassandra 2.1.0 race (CASSANDRA-8054, fixed in 2.1.1): a ``SELECT`` prepared while the same
statement is being executed (by this or any other client) can be handed result metadata marked
"no metadata"; the driver then executes it without skipping metadata, and a concurrent
execution makes the server answer without any, which the driver reports as "Expected metadata
but no metadata in response". A statement is therefore prepared by one task at a time, and a
``SELECT`` failing that way is prepared again and re-run (reads are idempotent).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import acsylla

from kongdao import errors
from kongdao.connectors.cassandra.errors import PAGING_STATE_ERROR, STRATEGY, is_paging_state_error

if TYPE_CHECKING:
    from kongdao.connectors.cassandra.connector import CassandraConnector

__all__ = ["Stmt", "applied"]

_CASSANDRA_8054 = "CASSANDRA-8054"
_CAS_RETRIES = 4


def applied(result: Any) -> tuple[bool, dict[str, Any]]:
    """Whether a lightweight transaction applied, and the current values when it did not."""
    row = result.first()
    if row is None:  # pragma: no cover - a conditional statement always answers one row
        return True, {}
    values: dict[str, Any] = row.as_dict()
    return bool(values.pop("[applied]", True)), values


class Stmt:
    """A statement of one connector, with its consistency levels.

    Args:
        connector: The connector whose session runs it.
        cql: The CQL text, with ``?`` markers for every value.
        consistency: The consistency level (an ``acsylla.Consistency``).
        serial: The serial consistency of a lightweight transaction, or ``None``.
    """

    __slots__ = (
        "_generation",
        "_lock",
        "_prepared",
        "connector",
        "consistency",
        "cql",
        "is_read",
        "serial",
    )

    def __init__(
        self,
        connector: CassandraConnector,
        cql: str,
        consistency: Any,
        serial: Any = None,
    ) -> None:
        self.connector = connector
        self.cql = cql
        self.consistency = consistency
        self.serial = serial
        self._prepared: Any = None
        self._generation = -1
        self._lock: asyncio.Lock | None = None
        self.is_read = cql.lstrip()[:6].upper() == "SELECT"

    def __repr__(self) -> str:
        return f"<Stmt {self.cql!r}>"

    async def _prepare(self, stale: Any = None) -> Any:
        """Prepare once on the current session; ``stale``: a prepared statement to replace."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            connector = self.connector
            prepared = self._prepared
            if (
                prepared is not None
                and prepared is not stale
                and self._generation == connector.generation
            ):
                return prepared  # prepared by another task meanwhile
            session = connector.session
            generation = connector.generation
            try:
                prepared = await session.create_prepared(self.cql)
            except Exception as exc:
                raise connector.error(exc) from exc
            self._prepared, self._generation = prepared, generation
            return prepared

    async def run(
        self,
        params: Sequence[Any] | None = None,
        *,
        page_size: int | None = None,
        page_state: bytes | None = None,
        offset: str | None = None,
    ) -> Any:
        """Bind ``params`` and run the statement; return the driver's result.

        Args:
            params: The values of the ``?`` markers, in order.
            page_size: Rows per page (paged statements).
            page_state: The driver's paging state of the page to fetch.
            offset: The offset ``page_state`` came from (for the error message).

        Raises:
            InvalidOffset: the server refused the paging state.
            DatabaseError: the driver or the server failed.
            InterfaceError: the connector is not connected.
        """
        connector = self.connector
        prepared = self._prepared
        if prepared is None or self._generation != connector.generation:
            prepared = await self._prepare()
        retries = 2 if self.is_read else 0
        cas_retries = _CAS_RETRIES if self.serial is not None and not self.is_read else 0
        idempotent = connector.idempotent and page_state is None  # see the module docstring
        while True:
            session = connector.session
            try:
                if page_size is None:
                    statement = prepared.bind(
                        params, consistency=self.consistency, serial_consistency=self.serial
                    )
                else:
                    statement = prepared.bind(
                        params,
                        page_size=page_size,
                        page_state=page_state,
                        consistency=self.consistency,
                        serial_consistency=self.serial,
                    )
                if idempotent:
                    statement.set_is_idempotent(True)
                return await session.execute(statement)
            except Exception as exc:
                if retries and _CASSANDRA_8054 in str(exc):
                    retries -= 1
                    prepared = await self._prepare(stale=prepared)
                    continue
                if cas_retries and isinstance(exc, acsylla.errors.CassErrorServerWriteTimeout):
                    cas_retries -= 1
                    await asyncio.sleep(random.uniform(0.01, 0.1))  # noqa: S311 (not a secret)
                    continue
                if page_state is not None and (
                    is_paging_state_error(exc)
                    # Cassandra 2.1 fails on some forged states with a server-side exception.
                    or isinstance(exc, acsylla.errors.CassErrorServerServerError)
                ):
                    raise errors.invalid_offset(
                        offset or "", PAGING_STATE_ERROR, strategy=STRATEGY
                    ) from exc
                raise connector.error(exc) from exc
