"""The connector contract: what a database backend implements for kongdao.

Kong's three layers, kept: the generic :class:`~kongdao.dao.DAO` validates, defaults, resolves
foreign keys, runs the pipelines and emits events; a per-entity :class:`Strategy` builds and runs
the queries of one entity on one database; a :class:`Connector` owns the connection pool (or
session), builds strategies, runs migrations and holds the cluster lock. The core never imports a
driver; a connector never validates user input and never words an error itself beyond mapping
the driver's errors to kongdao's (:mod:`kongdao.errors`).

Rows
    Strategies speak *Kong rows*: dicts keyed by field name, with foreign keys as primary-key
    dicts (``{"service": {"id": "..."}}``), timestamps as numbers of seconds, sets and arrays as
    lists, records and maps as dicts, and a ``ttl`` key (remaining seconds, or ``None``) for
    schemas with ``ttl``. Column names, JSON encoding and the like are the connector's business.

Offsets
    Page offsets are opaque strings produced by the strategy. The DAO never looks inside; a
    strategy raises :class:`~kongdao.errors.InvalidOffset` for one it cannot decode.

Atomic read-modify-write
    ``update`` and ``upsert`` take an ``apply`` callback: the strategy reads the stored row (under
    a row lock where the database has one), calls ``apply(stored)`` to get the row to write (the
    DAO merges and validates there, without I/O), then writes it, all in one transaction where the
    database has transactions. That closes Kong's read-before-write race on PostgreSQL.

Workspaces
    Methods take ``ws``: the workspace id the call works in, or ``None`` for every workspace
    (and for entities that are not workspaceable). A strategy of a workspaceable entity stores
    the workspace of each row (``insert`` and the insert of ``upsert`` write ``ws``), returns
    it in rows as ``ws_id``, and with ``ws`` set finds, pages, counts, updates and deletes only
    the rows of that workspace. Unique fields are unique per workspace (except
    ``unique_across_ws`` ones, looked up globally); ``upsert`` of a key held in another
    workspace raises PrimaryKeyViolation; a write into a workspace that does not exist raises
    InvalidWorkspace.

Everything a connector can or cannot do is declared in :class:`Capabilities`; core code and tests
ask it (``connector.capabilities.transactions``), never the connector's name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from kongdao.migrations import Subsystem
    from kongdao.schema.entity import EntitySchema

__all__ = [
    "ApplyFn",
    "Capabilities",
    "Connector",
    "DeleteResult",
    "Page",
    "Row",
    "Strategy",
    "WriteResult",
]

Row = dict[str, Any]
"""A Kong row (see the module docstring)."""

Page = tuple[list[Row], str | None]
"""Rows of one page and the offset of the next page (``None`` on the last page)."""

ApplyFn = Callable[[Row | None], Row]
"""Given the stored row (``None`` when absent), return the row to write; may raise."""


@attrs.frozen
class WriteResult:
    """What ``update`` / ``upsert`` return: the row written and the row it replaced."""

    row: Row
    old: Row | None


@attrs.frozen
class DeleteResult:
    """What ``delete`` returns: the deleted row and the rows removed with it by cascades.

    ``cascaded`` holds ``(entity name, row)`` pairs, children before grandchildren, so that the DAO
    can emit one ``delete`` event per removed row.
    """

    row: Row | None
    cascaded: tuple[tuple[str, Row], ...] = ()


@attrs.frozen
class Capabilities:
    """What a connector can do; core code and tests branch on these, never on names.

    Args:
        transactions: multi-statement writes are atomic (and the read-modify-write is locked).
        enforces_unique: the database itself rejects duplicate unique values, race-free.
        enforces_foreign_keys: the database rejects dangling references and restricted deletes.
        atomic_cascade: a cascading delete happens entirely or not at all.
        native_ttl: rows expire by themselves (no cleanup task needed).
        paging_state: offsets are driver paging states (page order is the database's).
        ordered_pages: pages come in primary-key order.
        count: ``count()`` is cheap.
        filters: the strategy serves equality filters on any field (``find_page`` /
            ``count_where``) with one query; without it, legacy ``find_all`` scans.
    """

    transactions: bool
    enforces_unique: bool
    enforces_foreign_keys: bool
    atomic_cascade: bool
    native_ttl: bool
    paging_state: bool
    ordered_pages: bool
    count: bool
    filters: bool = False


@runtime_checkable
class Strategy(Protocol):
    """The queries of one entity on one database (Kong's strategy).

    Every method raises only :class:`~kongdao.errors.KongDAOError` subclasses carrying the
    connector's strategy name. Unless said otherwise, rows returned are Kong rows of live
    (unexpired) entities.
    """

    schema: EntitySchema

    async def insert(self, row: Row, *, ttl: int | None = None, ws: str | None = None) -> Row:
        """Insert a complete row; return it as stored.

        Raises:
            PrimaryKeyViolation: the primary key exists.
            UniqueViolation: a unique field or the composite cache key is taken.
            ForeignKeyViolation: a foreign key references nothing.
        """
        ...

    async def select(
        self, pk: Mapping[str, Any], *, primary: bool = False, ws: str | None = None
    ) -> Row | None:
        """The row with this primary key, or ``None``. ``primary``: read from the primary."""
        ...

    async def select_by_field(self, field: str, value: Any, *, ws: str | None = None) -> Row | None:
        """The row whose unique ``field`` (or the stored ``cache_key``) equals ``value``."""
        ...

    async def page(
        self,
        size: int,
        offset: str | None,
        *,
        tags: Sequence[str] | None = None,
        tags_cond: str = "and",
        ws: str | None = None,
    ) -> Page:
        """One page of rows, optionally those carrying all (``and``) or any (``or``) tags.

        Raises:
            InvalidOffset: the offset was not produced by this strategy.
        """
        ...

    async def page_for(
        self,
        field: str,
        foreign_pk: Mapping[str, Any],
        size: int,
        offset: str | None,
        *,
        ws: str | None = None,
    ) -> Page:
        """One page of the rows whose foreign key ``field`` references ``foreign_pk``."""
        ...

    async def update(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """Read the row, ``apply`` it, write the result; ``None`` when no row has this key.

        ``ttl`` ``None`` keeps the row's expiry; ``0`` removes it.
        """
        ...

    async def update_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """As :meth:`update`, finding the row by a unique field."""
        ...

    async def upsert(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        with_old: bool = True,
        ws: str | None = None,
    ) -> WriteResult:
        """Insert or replace the row with this key; ``apply`` gets the stored row or ``None``.

        ``with_old=False``: nobody needs the replaced row (no event subscriber, and ``apply``
        ignores it); the strategy may then write in one statement and return ``old=None``.
        """
        ...

    async def upsert_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult:
        """As :meth:`upsert`, by a unique field; an existing row keeps its primary key."""
        ...

    async def delete(
        self, pk: Mapping[str, Any], *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """Delete the row and cascade as the schemas say; ``row`` is ``None`` if it was absent.

        ``cascaded=False`` tells the strategy that nobody needs the rows removed by cascades
        (no event subscriber): it may then leave ``DeleteResult.cascaded`` empty and delete in
        one statement where the database cascades by itself.

        Raises:
            ForeignKeyViolation: a ``restrict`` reference prevents the delete.
        """
        ...

    async def delete_by_field(
        self, field: str, value: Any, *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """As :meth:`delete`, by a unique field."""
        ...

    async def truncate(self) -> None:
        """Remove every row of the entity."""
        ...

    async def count(self, *, ws: str | None = None) -> int:
        """The number of live rows (cheap only where ``capabilities.count``)."""
        ...


@runtime_checkable
class Connector(Protocol):
    """A database backend: lifecycle, strategies, migrations and the cluster lock."""

    name: str
    """The strategy name used in error messages: ``postgres``, ``cassandra``, ``off``."""
    capabilities: Capabilities

    async def connect(self) -> None:
        """Open the pool (or session). Raises DatabaseError when the server is unreachable."""
        ...

    async def close(self) -> None:
        """Close every connection; idempotent."""
        ...

    async def infos(self) -> dict[str, Any]:
        """Server facts: ``strategy``, ``db_name``, ``db_desc``, ``db_ver`` (as Kong's)."""
        ...

    def strategy_for(self, schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> Strategy:
        """Build the strategy of ``schema``, once; statements are prepared here.

        ``schemas`` are all the entities the DB serves (for cascades and restrictions).
        """
        ...

    # -- migrations and locks (used by kongdao.migrations) --------------------------------

    async def execute_ddl(self, statements: str) -> None:
        """Run migration DDL (idempotent statements) in one transaction where possible."""
        ...

    async def schema_meta_exists(self) -> bool:
        """Whether the database was bootstrapped (the ``schema_meta`` table exists)."""
        ...

    async def bootstrap_meta(self) -> None:
        """Create the schema/keyspace, ``schema_meta`` and ``locks`` (idempotent)."""
        ...

    async def read_schema_meta(
        self, subsystems: Iterable[Subsystem] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of ``schema_meta``: ``subsystem``, ``last_executed``, ``executed``, ``pending``.

        ``subsystems`` are the ones the caller asks about (Kong's ``schema_migrations``): a
        database answers from its table whatever they are; a connector without one (``off``)
        answers for them.
        """
        ...

    async def record_migration(self, subsystem: str, name: str, state: str) -> None:
        """Record ``executed`` / ``pending`` / ``teardown`` for one migration (Kong's rules)."""
        ...

    async def reset(self) -> None:
        """Drop every table kongdao created (``migrations reset``)."""
        ...

    async def insert_lock(self, key: str, owner: str, ttl: float) -> bool:
        """Take the lock ``key`` for ``ttl`` seconds unless someone else holds it.

        Expired locks are taken over. A live lock ``owner`` already holds counts as taken (its
        expiry unchanged): a call run again because its first answer was lost must not lose
        the lock that first attempt took. Returns ``True`` when taken.
        """
        ...

    async def read_lock(self, key: str) -> str | None:
        """The owner of a live lock ``key``, or ``None``."""
        ...

    async def remove_lock(self, key: str, owner: str) -> None:
        """Release ``key`` if ``owner`` holds it."""
        ...

    async def wait_for_schema_consensus(self) -> None:
        """Wait until every node agrees on the schema (a no-op on single-node databases)."""
        ...


LifecycleHook = Callable[[], Awaitable[None]]
