"""Per-entity strategies of the ``off`` connector: reads from the loaded snapshot, no writes.

Kong's ``kong/db/strategies/off/init.lua`` answers reads from the declarative configuration in
the node's cache and refuses every write with OPERATION_UNSUPPORTED (code 12). kongdao's does
the same from the connector's current :class:`~kongdao.connectors.off.snapshot.Snapshot`:

``select`` / ``select_by_field``
    The row with this primary key, unique value, endpoint key or stored ``cache_key`` (a
    dictionary lookup), or ``None``. An endpoint key that is not unique (``targets.target``)
    finds the first row in primary-key order.
``page`` / ``page_for``
    Rows in primary-key order, as PostgreSQL pages them; ``page_for`` the children of one
    foreign key; ``tags`` filters with ``and`` (every tag) or ``or`` (any tag). The offset is a
    position in the snapshot that produced it (see :mod:`.offsets`), so an iteration that
    spans a reload finishes on the configuration it started on.
``count``
    The number of live rows.
TTL
    A row loaded with ``ttl`` disappears from every read once it has expired, and is read back
    with its remaining whole seconds, as on PostgreSQL.
Writes
    ``insert``, ``update``, ``upsert``, ``delete`` and their ``*_by_field`` forms raise
    :class:`~kongdao.errors.OperationUnsupported` with Kong's messages, e.g. ``cannot create
    'services' entities when not using a database`` or ``cannot remove 'services' entities by
    'name' when not using a database``. Like Kong (whose DAO reads before it writes), an update
    of a missing row is NOT_FOUND, a delete of a missing row succeeds (nothing to do), and an
    update whose merged entity is invalid is a schema violation: the strategy reads the row and
    runs ``apply`` before refusing. ``truncate`` is refused too (``cannot truncate 'services'
    entities when not using a database``), where Kong 2.8 returns success and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from kongdao import errors
from kongdao.connector import ApplyFn, DeleteResult, Page, Row, WriteResult
from kongdao.connectors.off import offsets
from kongdao.workspaces import DEFAULT_WORKSPACE_ID

if TYPE_CHECKING:
    from kongdao.connectors.off.connector import OffConnector
    from kongdao.connectors.off.snapshot import Snapshot, Table
    from kongdao.schema.entity import EntitySchema

__all__ = ["OffStrategy", "OffTagsStrategy"]

STRATEGY: Final = "off"


def unsupported(operation: str, entity: str) -> errors.OperationUnsupported:
    """Kong's ``cannot <operation> '<entity>' entities when not using a database``."""
    return errors.operation_unsupported(
        f"cannot {operation} '{entity}' entities when not using a database", strategy=STRATEGY
    )


def unsupported_by(operation: str, entity: str, field: str) -> errors.OperationUnsupported:
    """Kong's ``cannot <operation> '<entity>' entities by '<field>' when not using a database``."""
    return errors.operation_unsupported(
        f"cannot {operation} '{entity}' entities by '{field}' when not using a database",
        strategy=STRATEGY,
    )


def _window(
    positions: Sequence[int], start: int, size: int, alive: Callable[[int], bool]
) -> tuple[list[int], int | None]:
    """Up to ``size`` live items of ``positions`` from ``start``; the index of the next live one.

    ``alive(position)`` says whether an item is live. The next index is ``None`` when no live
    item follows, so the last page has no offset (as on PostgreSQL, which reads one row more).
    """
    out: list[int] = []
    i, n = start, len(positions)
    while i < n and len(out) < size:
        p = positions[i]
        i += 1
        if alive(p):
            out.append(p)
    while i < n and not alive(positions[i]):
        i += 1
    return out, (i if i < n else None)


class _Base:
    """What both strategies share: the snapshot an offset names, and refused writes."""

    connector: OffConnector
    schema: EntitySchema
    name: str

    def _snapshot(self, offset: str | None) -> tuple[Snapshot, int]:
        """The snapshot to read (the offset's, or the current one) and the start position."""
        current = self.connector.snapshot
        if offset is None:
            return current, 0
        position, snapshot_id = offsets.decode(offset)
        snapshot = self.connector.kept_snapshot(snapshot_id)
        if snapshot is None:
            raise errors.invalid_offset(offset, offsets.STALE, strategy=STRATEGY)
        return snapshot, position

    def _elsewhere(self, ws: str | None) -> bool:
        """Whether ``ws`` names a workspace other than ``default``, where DB-less has nothing.

        A declarative configuration is one workspace (Kong refuses ``_workspace`` in it): its
        entities belong to ``default``.
        """
        return ws is not None and self.schema.workspaceable and ws != DEFAULT_WORKSPACE_ID

    async def insert(self, row: Row, *, ttl: int | None = None, ws: str | None = None) -> Row:
        """Refused: ``cannot create '<entity>' entities when not using a database``."""
        raise unsupported("create", self.name)

    async def upsert(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        with_old: bool = True,
        ws: str | None = None,
    ) -> WriteResult:
        """Refused: ``cannot create or update '<entity>' entities when not using a database``."""
        raise unsupported("create or update", self.name)

    async def upsert_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult:
        """Refused: ``cannot create or update '<entity>' entities by '<field>' ...``."""
        raise unsupported_by("create or update", self.name, field)

    async def truncate(self) -> None:
        """Refused: ``cannot truncate '<entity>' entities when not using a database``.

        Kong 2.8 answers success and leaves every entity in place; a truncate that empties
        nothing would mislead whoever relies on it, so kongdao refuses it like the other writes.
        Load an empty configuration to empty the connector.
        """
        raise unsupported("truncate", self.name)


class OffStrategy(_Base):
    """The reads of one entity from the loaded configuration (see the module docstring)."""

    def __init__(self, connector: OffConnector, schema: EntitySchema) -> None:
        self.connector = connector
        self.schema = schema
        self.name = schema.name or ""

    def __repr__(self) -> str:
        return f"<OffStrategy {self.name}>"

    def _table(self, snapshot: Snapshot) -> Table | None:
        return snapshot.tables.get(self.name)

    def _find(self, table: Table | None, position: int | None, now: float) -> Row | None:
        if table is None or position is None or not table.alive(position, now):
            return None
        return table.row(position, now)

    def _select(self, pk: Mapping[str, Any]) -> Row | None:
        table = self._table(self.connector.snapshot)
        now = self.connector.now()
        if table is None:
            return None
        key = table.pk_key(pk)
        return self._find(table, None if key is None else table.by_pk.get(key), now)

    def _select_by_field(self, field: str, value: Any) -> Row | None:
        table = self._table(self.connector.snapshot)
        now = self.connector.now()
        if table is None:
            return None
        index = table.by_field.get(field)
        key = table.field_key(field, value)
        if index is None or key is None:
            return None
        # one row for a unique value; an endpoint key that is not unique takes the first live one
        position = next((p for p in index.get(key, ()) if table.alive(p, now)), None)
        return self._find(table, position, now)

    # -- reads --------------------------------------------------------------------------------

    async def select(
        self, pk: Mapping[str, Any], *, primary: bool = False, ws: str | None = None
    ) -> Row | None:
        """See :meth:`kongdao.connector.Strategy.select`."""
        self.connector.check_open(self.name)
        return None if self._elsewhere(ws) else self._select(pk)

    async def select_by_field(self, field: str, value: Any, *, ws: str | None = None) -> Row | None:
        """See :meth:`kongdao.connector.Strategy.select_by_field`."""
        self.connector.check_open(self.name)
        return None if self._elsewhere(ws) else self._select_by_field(field, value)

    def _page(
        self, snapshot: Snapshot, positions: Sequence[int] | None, start: int, size: int
    ) -> Page:
        table = self._table(snapshot)
        if table is None:
            return [], None
        now = self.connector.now()
        items = range(len(table.rows)) if positions is None else positions
        found, nxt = _window(items, start, size, lambda p: table.alive(p, now))
        rows = [table.row(p, now) for p in found]
        return rows, None if nxt is None else offsets.encode(nxt, snapshot.id)

    async def page(
        self,
        size: int,
        offset: str | None,
        *,
        tags: Sequence[str] | None = None,
        tags_cond: str = "and",
        ws: str | None = None,
    ) -> Page:
        """See :meth:`kongdao.connector.Strategy.page`."""
        self.connector.check_open(self.name)
        snapshot, start = self._snapshot(offset)
        positions: Sequence[int] | None = None
        if self._elsewhere(ws):
            positions = ()
        elif tags is not None:
            positions = self._tagged(snapshot, tags, tags_cond)
        return self._page(snapshot, positions, start, size)

    def _tagged(self, snapshot: Snapshot, tags: Sequence[str], tags_cond: str) -> list[int]:
        """Positions of the rows with every tag (``and``) or any tag (``or``), in order."""
        table = self._table(snapshot)
        if table is None:
            return []
        if not tags:
            # PostgreSQL's ``tags @> '{}'``: every row whose tags are not null
            return [p for p, row in enumerate(table.rows) if row.get("tags") is not None]
        sets = [table.by_tag.get(t, ()) for t in tags]
        if tags_cond == "or" and len(tags) > 1:
            return sorted(set().union(*sets))
        common = set(sets[0]).intersection(*sets[1:])
        return sorted(common)

    async def page_for(
        self,
        field: str,
        foreign_pk: Mapping[str, Any],
        size: int,
        offset: str | None,
        *,
        ws: str | None = None,
    ) -> Page:
        """See :meth:`kongdao.connector.Strategy.page_for`."""
        self.connector.check_open(self.name)
        snapshot, start = self._snapshot(offset)
        table = self._table(snapshot)
        if table is None or self._elsewhere(ws):
            return [], None
        key = table.field_key(field, foreign_pk)
        index = table.by_foreign.get(field, {})
        children = () if key is None else index.get(key, ())
        return self._page(snapshot, children, start, size)

    async def count(self, *, ws: str | None = None) -> int:
        """See :meth:`kongdao.connector.Strategy.count`."""
        self.connector.check_open(self.name)
        table = self._table(self.connector.snapshot)
        if table is None or self._elsewhere(ws):
            return 0
        if table.expiry is None:
            return len(table.rows)
        now = self.connector.now()
        return sum(1 for p in range(len(table.rows)) if table.alive(p, now))

    # -- writes: Kong reads first, then refuses ------------------------------------------------

    async def update(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """``None`` for a missing row; otherwise ``apply`` it, then refuse (``cannot update``)."""
        self.connector.check_open(self.name)
        stored = None if self._elsewhere(ws) else self._select(pk)
        if stored is None:
            return None
        apply(stored)
        raise unsupported("update", self.name)

    async def update_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """As :meth:`update`: ``cannot update '<entity>' entities by '<field>' ...``."""
        self.connector.check_open(self.name)
        stored = None if self._elsewhere(ws) else self._select_by_field(field, value)
        if stored is None:
            return None
        apply(stored)
        raise unsupported_by("update", self.name, field)

    async def delete(
        self, pk: Mapping[str, Any], *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """Nothing to do for a missing row; otherwise refused (``cannot remove``)."""
        self.connector.check_open(self.name)
        if self._elsewhere(ws) or self._select(pk) is None:
            return DeleteResult(None)
        raise unsupported("remove", self.name)

    async def delete_by_field(
        self, field: str, value: Any, *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """As :meth:`delete`: ``cannot remove '<entity>' entities by '<field>' ...``."""
        self.connector.check_open(self.name)
        if self._elsewhere(ws) or self._select_by_field(field, value) is None:
            return DeleteResult(None)
        raise unsupported_by("remove", self.name, field)


class OffTagsStrategy(_Base):
    """The read-only ``tags`` entity: the (tag, entity) pairs of every tagged loaded entity.

    Pairs come in the order of PostgreSQL's ``tags`` view: by entity id, then by the tag's
    position in the entity's ``tags``; ``page_by_tag`` lists one tag's entities by id.
    """

    def __init__(self, connector: OffConnector, schema: EntitySchema) -> None:
        self.connector = connector
        self.schema = schema
        self.name = schema.name or "tags"

    def __repr__(self) -> str:
        return f"<OffTagsStrategy {self.name}>"

    def _pairs(
        self, snapshot: Snapshot, positions: Sequence[int] | None, start: int, size: int
    ) -> Page:
        now = self.connector.now()
        pairs = snapshot.tags
        items = range(len(pairs)) if positions is None else positions

        def alive(p: int) -> bool:
            expiry = pairs[p].expiry
            return expiry is None or expiry >= now

        found, nxt = _window(items, start, size, alive)
        rows: list[Row] = [pairs[p].row() for p in found]
        return rows, None if nxt is None else offsets.encode(nxt, snapshot.id)

    def _first(self, tag: Any) -> Row | None:
        snapshot = self.connector.snapshot
        rows, _ = self._pairs(snapshot, snapshot.tags_by_tag.get(tag, ()), 0, 1)
        return rows[0] if rows else None

    async def select(
        self, pk: Mapping[str, Any], *, primary: bool = False, ws: str | None = None
    ) -> Row | None:
        """The first pair (by entity id) of the tag ``pk["tag"]``, or ``None``."""
        self.connector.check_open(self.name)
        return self._first(pk.get("tag"))

    async def select_by_field(self, field: str, value: Any, *, ws: str | None = None) -> Row | None:
        """As :meth:`select`, for the ``tag`` field (the only unique one)."""
        self.connector.check_open(self.name)
        return self._first(value) if field == "tag" else None

    async def page(
        self,
        size: int,
        offset: str | None,
        *,
        tags: Sequence[str] | None = None,
        tags_cond: str = "and",
        ws: str | None = None,
    ) -> Page:
        """Every (tag, entity) pair, by entity id then tag position."""
        self.connector.check_open(self.name)
        snapshot, start = self._snapshot(offset)
        return self._pairs(snapshot, None, start, size)

    async def page_by_tag(self, tag: str, size: int, offset: str | None) -> Page:
        """The entities carrying ``tag``, by entity id (``db.tags.page_by_tag``)."""
        self.connector.check_open(self.name)
        snapshot, start = self._snapshot(offset)
        return self._pairs(snapshot, snapshot.tags_by_tag.get(tag, ()), start, size)

    async def page_for(
        self,
        field: str,
        foreign_pk: Mapping[str, Any],
        size: int,
        offset: str | None,
        *,
        ws: str | None = None,
    ) -> Page:
        """``tags`` has no foreign key: always an empty page."""
        self.connector.check_open(self.name)
        self._snapshot(offset)  # a bad offset is still an error
        return [], None

    async def count(self, *, ws: str | None = None) -> int:
        """The number of live (tag, entity) pairs."""
        self.connector.check_open(self.name)
        snapshot = self.connector.snapshot
        rows, _ = self._pairs(snapshot, None, 0, len(snapshot.tags))
        return len(rows)

    async def update(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """Refused: ``cannot update 'tags' entities when not using a database``."""
        raise unsupported("update", self.name)

    async def update_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """Refused: ``cannot update 'tags' entities by '<field>' ...``."""
        raise unsupported_by("update", self.name, field)

    async def delete(
        self, pk: Mapping[str, Any], *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """Refused: ``cannot remove 'tags' entities when not using a database``."""
        raise unsupported("remove", self.name)

    async def delete_by_field(
        self, field: str, value: Any, *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """Refused: ``cannot remove 'tags' entities by '<field>' ...``."""
        raise unsupported_by("remove", self.name, field)
