"""Per-entity CQL for Cassandra, built once from the schema.

Tables (see :mod:`.model` for columns and types)
    ``E`` keyed by the primary key (rows spread over the ring); ``E_by_<unique field>`` and
    ``E_by_cache_key`` (value -> id) where uniqueness is claimed; ``E_by_<foreign key>``
    (parent id, id) listing the children of each parent; ``E_by_tag`` (tag, id).

Statements
    Fixed CQL texts with ``?`` markers, built when the strategy is built and prepared on first
    use (:class:`.statement.Stmt`); identifiers come only from schemas and are quoted, values
    are always bound (partition keys included, for token-aware routing). Reads use the read
    consistency, writes the write consistency, lightweight transactions (LWT) the serial
    consistency.

Uniqueness (race-free)
    A unique value is claimed *before* the row is written, with
    ``INSERT INTO E_by_f (value, id) ... IF NOT EXISTS``: Paxos lets exactly one of any number
    of concurrent claimers win, so 50 concurrent inserts of one name give one row and 49
    UNIQUE_VIOLATIONs. A claim held by another id is honoured while that row holds the value;
    a claim whose holder row is missing or no longer holds the value (a writer that crashed
    between claiming and writing, or between writing and releasing) is taken over with
    ``UPDATE ... SET id = ? IF id = <stale>``, but only once it is older than ``claim_grace``
    seconds, because a fresh claim without its row is usually a writer about to write it. Claims
    are released (``DELETE ... IF id = ?``) after the row stops holding the value (update,
    delete).

Rows (compare-and-set, then last-writer-wins)
    Inserts are ``INSERT ... IF NOT EXISTS`` (PRIMARY_KEY_VIOLATION when not applied). Every
    write stores a fresh random ``kongdao_version``. ``update`` reads the row, ``apply(stored)``
    builds the whole new row, and the write is conditional on the version read
    (``UPDATE ... IF kongdao_version = ?``): if somebody wrote in between, the row is read and
    applied again, so under light contention no concurrent update is lost. After three such
    conflicts the write falls back to being conditional only on the row still existing
    (``IF kongdao_live = true``): last-writer-wins per row, the whole row, never half-merged, so
    that twenty writers of one row all finish. Either way an update racing a delete cannot
    resurrect the row (it gets NOT_FOUND). Deletes work the same way.

Order of writes (what is atomic, what is not)
    Nothing spanning two partitions is atomic. A write runs in phases: (1) parents checked
    (FOREIGN_KEY_VIOLATION) and unique values claimed, concurrently; (2) child-index and tag
    rows added; (3) the row itself, conditionally; (4) claims and index rows of values the row
    no longer has released. A crash leaves at worst claims and index rows pointing at a row
    that does not (or no longer) hold them: readers check every index hit against the row,
    and stale claims are taken over after ``claim_grace``. It never leaves a row whose
    values are unclaimed or unindexed. Deletes go the other way: children first (cascade,
    ``null``), the row last, then its claims and index rows, so a retried delete finishes the
    job. Bounded windows remain: a child inserted while its parent is being deleted (after the
    parent's check, before its delete) can outlive the parent, as can a ``restrict`` child
    whose insert is in flight; an update that puts a value back while a concurrent update of
    the *same* row releases it can leave that value unclaimed; a writer stalled longer than
    ``claim_grace`` between claiming and writing can lose its claim. A lightweight transaction
    that times out (heavy contention, replicas down) has an unknown outcome: DATABASE_ERROR is
    raised, and a claim it may have taken is recovered after ``claim_grace``.

TTL
    ``USING TTL`` on every write of the row *and* of its claims and index rows, so they expire
    together; the remaining time is read with ``TTL(kongdao_version)`` (a column every write
    sets). ``update`` without ``ttl`` re-applies the remaining time; with ``ttl`` (and
    ``upsert``, where no ``ttl`` means none) claims and index rows are re-stamped too.

Pages
    Token order (not primary-key order as on PostgreSQL); offsets wrap the driver's paging
    state (:mod:`.offsets`). ``page_for_<fk>`` pages the parent's partition of ``E_by_<fk>`` and
    fetches the rows by id concurrently; tag pages do the same on ``E_by_tag``. Such pages can
    hold fewer rows than asked (index hits whose row is gone or changed are dropped) and the
    last page can be empty.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from kongdao import errors
from kongdao.connector import ApplyFn, DeleteResult, Page, Row, WriteResult
from kongdao.connectors.cassandra.errors import STRATEGY
from kongdao.connectors.cassandra.model import (
    EMPTY_COLUMN,
    LIVE_COLUMN,
    VERSION_COLUMN,
    WS_FIELD,
    ChildIndex,
    EntityModel,
    LookupTable,
    _json_loads,
    _seconds_float,
    _seconds_int,
    quote_ident,
)
from kongdao.connectors.cassandra.statement import Stmt, applied

if TYPE_CHECKING:
    from kongdao.connectors.cassandra.connector import CassandraConnector
    from kongdao.schema.entity import EntitySchema

__all__ = ["CassandraStrategy", "Stored"]

log = logging.getLogger("kongdao.cassandra")

_MAX_TRIES: Final = 8
"""Attempts of one conditional write before giving up (contention)."""
_CAS_TRIES: Final = 3
"""Compare-and-set attempts of a row write before it falls back to last-writer-wins."""
_FETCH_CHUNK: Final = 256
"""Rows fetched by id at once (the driver's request queue is bounded)."""
_SCAN_PAGE: Final = 1000
_COUNT_PAGE: Final = 5000
_MAX_DEPTH: Final = 16
"""Deepest cascade followed (as on PostgreSQL), which also stops reference cycles."""


class Stored(NamedTuple):
    """A row as read: the Kong row and the version it was read at."""

    row: Row
    version: str


class _LookupStmts(NamedTuple):
    claim: Stmt
    take: Stmt
    owner: Stmt
    release: Stmt


class _IndexStmts(NamedTuple):
    add: Stmt | None
    remove: Stmt | None
    page: Stmt


class _Relation(NamedTuple):
    child: str
    field: str
    on_delete: str


class _Plan:
    """What a delete will do, found before anything is deleted."""

    def __init__(self) -> None:
        self.levels: list[list[tuple[CassandraStrategy, str, Any, Stored]]] = []
        self.nullify: list[tuple[CassandraStrategy, str, Any, Stored]] = []

    def add(self, depth: int, item: tuple[CassandraStrategy, str, Any, Stored]) -> None:
        while len(self.levels) <= depth:
            self.levels.append([])
        self.levels[depth].append(item)

    def cascaded(self) -> tuple[tuple[str, Row], ...]:
        """Cascaded rows, children before grandchildren."""
        return tuple((s.name, stored.row) for level in self.levels for s, _, _, stored in level)

    async def run(self) -> None:
        """Null the references, then delete the deepest rows first."""
        await _gather_chunked([s._nullify(f, p, st) for s, f, p, st in self.nullify])
        for level in reversed(self.levels):
            await _gather_chunked([s._remove_child(f, p, st) for s, f, p, st in level])


async def _gather_chunked(aws: Sequence[Awaitable[Any]]) -> list[Any]:
    """Await ``aws`` concurrently, at most :data:`_FETCH_CHUNK` at a time, in order."""
    out: list[Any] = []
    for i in range(0, len(aws), _FETCH_CHUNK):
        out.extend(await asyncio.gather(*aws[i : i + _FETCH_CHUNK]))
    return out


async def truncate_tables(
    connector: CassandraConnector, targets: Iterable[tuple[Stmt, str]]
) -> None:
    """Probe every table at once, then ``TRUNCATE`` the ones that hold a row, at once."""

    async def holds_a_row(probe: Stmt, table: str) -> str | None:
        return table if (await probe.run()).first() is not None else None

    tables = await asyncio.gather(*(holds_a_row(probe, table) for probe, table in targets))
    await asyncio.gather(*(connector.execute_simple(f"TRUNCATE {t}") for t in tables if t))


def _ws_of(row: Mapping[str, Any]) -> str | None:
    """The workspace id a row being written carries (see ``CassandraStrategy._stamped``)."""
    ws = row.get(WS_FIELD)
    return ws.get("id") if isinstance(ws, Mapping) else None


async def _backoff(attempt: int) -> None:
    """A short random pause before retrying a conflicting write (de-synchronises writers)."""
    await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 (not crypto)


def _first_error(failures: Iterable[BaseException]) -> BaseException:
    """The error to report among several: unique, then foreign key, then any."""
    failures = list(failures)
    for kind in (errors.UniqueViolation, errors.ForeignKeyViolation, errors.KongDAOError):
        for exc in failures:
            if isinstance(exc, kind):
                return exc
    return failures[0]


class CassandraStrategy:
    """The CQL of one entity (see the module docstring for the model and its guarantees)."""

    def __init__(
        self,
        connector: CassandraConnector,
        schema: EntitySchema,
        schemas: Mapping[str, EntitySchema],
    ) -> None:
        self.connector = connector
        self.schema = schema
        self.model = m = EntityModel(schema, schemas)
        self.name = m.name
        self.pk = m.pk
        self.pk_field = m.pk.field
        self.has_ttl = schema.ttl
        self.relations = [
            _Relation(other.name or "", fname, f.on_delete or "restrict")
            for other in schemas.values()
            for fname, f in other.fields
            if f.type == "foreign" and f.reference == self.name
        ]
        self.workspaceable = schema.workspaceable
        if self.name == "workspaces":
            # a workspace holding rows cannot go (the rows' "ws" acts as a restricting key)
            self.relations += [
                _Relation(other.name or "", WS_FIELD, "restrict")
                for other in schemas.values()
                if other.workspaceable
            ]
        self._references = {n: f.reference or "" for n, f in schema.foreign_fields}
        if schema.workspaceable:
            self._references[WS_FIELD] = "workspaces"
        self._foreign = [c for c in m.columns if c.kind == "foreign"]
        self._own_indexes = [ix for ix in m.children.values() if ix.lookup is None]
        self._names = [c.field for c in m.columns]
        self._converted = [
            (i, c.field, c.from_db) for i, c in enumerate(m.columns) if c.from_db is not None
        ]
        self._writers = [(c.field, c.to_db) for c in m.columns]
        self._normalizers = [(c.field, c.normalize) for c in m.columns]
        pk_index = m.columns.index(m.pk)
        self._regular_index = [i for i in range(len(m.columns)) if i != pk_index]
        self._list_fields = [c.field for c in m.list_columns]
        self._build()
        self._to_stored = self._compile_stored()

    # -- statements ---------------------------------------------------------------------------

    def _build(self) -> None:
        c, m = self.connector, self.model
        t = c.table(self.name)
        pk = self.pk.quoted
        version = quote_ident(VERSION_COLUMN)
        live = quote_ident(LIVE_COLUMN)

        names = [col.quoted for col in m.columns] + [version, live]
        extra: list[str] = []
        if m.list_columns:
            extra.append(quote_ident(EMPTY_COLUMN))
        if m.has_cache_key:
            extra.append('"cache_key"')
        select = names + extra
        self.i_version = len(m.columns)
        self.i_live = self.i_version + 1
        self.i_empty = select.index(quote_ident(EMPTY_COLUMN)) if m.list_columns else None
        self.i_cache = select.index('"cache_key"') if m.has_cache_key else None
        self.i_ttl = len(select) if self.has_ttl else None
        if self.has_ttl:
            select.append(f"TTL({version})")
        cols = ", ".join(select)

        self.s_select = c.read(f"SELECT {cols} FROM {t} WHERE {pk} = ?")
        self.s_exists = c.read(f"SELECT {version} FROM {t} WHERE {pk} = ?")
        # a reference's check needs the row's liveness and workspace, not the whole row
        self.s_exists_ws = (
            c.read(f'SELECT {version}, {live}, "ws_id" FROM {t} WHERE {pk} = ?')
            if m.workspaceable
            else None
        )
        self.s_page = c.read(f"SELECT {cols} FROM {t}")
        ws_col = ', "ws_id"' if m.workspaceable else ""
        self.s_count = c.read(f"SELECT {version}{ws_col} FROM {t}")
        written = names + extra
        marks = ", ".join("?" for _ in written)
        self.s_insert = c.lwt(
            f"INSERT INTO {t} ({', '.join(written)}) VALUES ({marks}) IF NOT EXISTS USING TTL ?"
        )
        sets = ", ".join(f"{n} = ?" for n in written if n != pk)
        # Compare-and-set on the version read, or (last-writer-wins) on the row existing; the
        # second also overwrites a row marker left by an expired row (``IF live = null``).
        self.s_update = c.lwt(f"UPDATE {t} USING TTL ? SET {sets} WHERE {pk} = ? IF {version} = ?")
        self.s_update_live = c.lwt(
            f"UPDATE {t} USING TTL ? SET {sets} WHERE {pk} = ? IF {live} = ?"
        )
        self.s_delete = c.lwt(f"DELETE FROM {t} WHERE {pk} = ? IF {version} = ?")
        self.s_delete_live = c.lwt(f"DELETE FROM {t} WHERE {pk} = ? IF {live} = true")
        # Refreshes the row marker's TTL after an update changed the row's (see _write).
        self.s_touch = c.write(f"INSERT INTO {t} ({pk}) VALUES (?) USING TTL ?")

        self._lk: dict[str, _LookupStmts] = {}
        for lk in m.lookups.values():
            lt = c.table(lk.table)
            self._lk[lk.field] = _LookupStmts(
                claim=c.lwt(
                    f'INSERT INTO {lt} ("value", {pk}) VALUES (?, ?) IF NOT EXISTS USING TTL ?'
                ),
                take=c.lwt(f'UPDATE {lt} USING TTL ? SET {pk} = ? WHERE "value" = ? IF {pk} = ?'),
                owner=c.read(f'SELECT {pk}, WRITETIME({pk}) FROM {lt} WHERE "value" = ?'),
                release=c.lwt(f'DELETE FROM {lt} WHERE "value" = ? IF {pk} = ?'),
            )
        self._ix: dict[str, _IndexStmts] = {}
        for ix in m.children.values():
            if ix.lookup is not None:
                self._ix[ix.field] = _IndexStmts(None, None, self._lk[ix.field].owner)
                continue
            it, key = c.table(ix.table), quote_ident(ix.key)
            self._ix[ix.field] = _IndexStmts(
                add=c.write(f"INSERT INTO {it} ({key}, {pk}) VALUES (?, ?) USING TTL ?"),
                remove=c.write(f"DELETE FROM {it} WHERE {key} = ? AND {pk} = ?"),
                page=c.read(f"SELECT {pk} FROM {it} WHERE {key} = ?"),
            )
        self.s_tag_add: Stmt | None = None
        if m.tag_table is not None:
            tt = c.table(m.tag_table)
            self.s_tag_add = c.write(f'INSERT INTO {tt} ("tag", {pk}) VALUES (?, ?) USING TTL ?')
            self.s_tag_remove = c.write(f'DELETE FROM {tt} WHERE "tag" = ? AND {pk} = ?')
            self.s_tag_page = c.read(f'SELECT {pk} FROM {tt} WHERE "tag" = ?')
            self.s_tag_page_any = c.read(f'SELECT "tag", {pk} FROM {tt} WHERE "tag" IN ?')
        # Truncation probes read at ALL: TRUNCATE needs every node anyway.
        self._truncate = [
            (c.stmt(f"SELECT * FROM {c.table(table)} LIMIT 1", c.all_cl), c.table(table))
            for table in m.tables
        ]
        ks, digest_key = c.settings.keyspace, c.offsets.key
        self._page_key = digest_key(ks, self.name, "page")
        self._tags_key = digest_key(ks, self.name, "tags")
        self._page_for_keys = {f: digest_key(ks, self.name, "page_for", f) for f in m.children}

    # -- conversions --------------------------------------------------------------------------

    def _compile_stored(self) -> Callable[[list[Any]], Stored | None]:
        """:meth:`_stored` as generated source: one straight function for this model.

        Every fetched row goes through it (each select, each row of each page), and the
        general loop over the converted columns (a tuple unpacked and a converter called per
        column) costs about as much as the conversions themselves. The source inlines the
        model's converters; any other converter is called as :meth:`_stored` calls it.
        """
        ns: dict[str, Any] = {
            "_Stored": Stored,
            "_names": tuple(self._names),
            "_floor": math.floor,
            "_loads": json.loads,
            "_Mapping": Mapping,
        }
        lines = [
            "def stored(values):",
            f"    version = values[{self.i_version}]",
            f"    if version is None or values[{self.i_live}] is None:",
            "        return None",
            "    row = dict(zip(_names, values))",
        ]
        for i, name, conv in self._converted:
            column = self.model.by_field[name]
            if conv is _seconds_int:
                expr = "_floor(v.timestamp())"
            elif conv is _seconds_float:
                expr = "v.timestamp()"
            elif conv is _json_loads:
                expr = "_loads(v)"
            elif column.kind == "foreign":
                expr = f"{{{column.fk_key!r}: v}}"
            else:
                ns[f"conv{i}"] = conv
                expr = f"conv{i}(v)"
            lines += [f"    v = values[{i}]", f"    if v is not None: row[{name!r}] = {expr}"]
        if self.i_empty is not None:
            lines += [
                f"    for name in values[{self.i_empty}] or ():",
                "        if row.get(name) is None: row[name] = []",
            ]
        if self.i_cache is not None:
            lines.append(f"    row['cache_key'] = values[{self.i_cache}]")
        if self.i_ttl is not None:
            lines.append(f"    row['ttl'] = values[{self.i_ttl}]")
        if self.workspaceable:
            lines += [
                f"    ws = row.get({WS_FIELD!r})",
                "    row['ws_id'] = ws.get('id') if isinstance(ws, _Mapping) else None",
            ]
        lines.append("    return _Stored(row, str(version))")
        source = "\n".join(lines) + "\n"
        exec(compile(source, f"<kongdao cassandra rows {self.name}>", "exec"), ns)  # noqa: S102
        fn: Callable[[list[Any]], Stored | None] = ns["stored"]
        return fn

    def _stored(self, values: list[Any]) -> Stored | None:
        """A fetched row as a Kong row, or ``None`` for a row without version (expired)."""
        version = values[self.i_version]
        if version is None or values[self.i_live] is None:
            # Only a row marker left: an update shortened the TTL of a row inserted with a
            # longer one, and the cells expired first. The row is gone.
            return None
        # ``values`` goes on with bookkeeping columns: zip stops after the entity's own.
        row: Row = dict(zip(self._names, values, strict=False))
        for i, name, conv in self._converted:
            value = values[i]
            if value is not None:
                row[name] = conv(value)
        if self.i_empty is not None:
            for name in values[self.i_empty] or ():
                if row.get(name) is None:
                    row[name] = []
        if self.i_cache is not None:
            row["cache_key"] = values[self.i_cache]
        if self.i_ttl is not None:
            row["ttl"] = values[self.i_ttl]
        if self.workspaceable:
            ws = row.get(WS_FIELD)
            row["ws_id"] = ws.get("id") if isinstance(ws, Mapping) else None
        return Stored(row, str(version))

    def _values(self, row: Mapping[str, Any]) -> list[Any]:
        """Bound values of every column, the version placeholder and extras excluded."""
        return [
            row.get(name) if conv is None else conv(row.get(name)) for name, conv in self._writers
        ]

    def _extras(self, row: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        if self.i_empty is not None:
            empty = {n for n in self._list_fields if row.get(n) is not None and not row.get(n)}
            out.append(empty or None)
        if self.i_cache is not None:
            out.append(row.get("cache_key"))
        return out

    def _returned(self, row: Mapping[str, Any], ttl: int) -> Row:
        """``row`` as reading it back would give it (without reading it)."""
        out: Row = {}
        for name, norm in self._normalizers:
            value = row.get(name)
            out[name] = value if norm is None or value is None else norm(value)
        if self.has_ttl:
            out["ttl"] = ttl or None
        if self.workspaceable:
            ws = out.get(WS_FIELD)
            out["ws_id"] = ws.get("id") if isinstance(ws, Mapping) else None
        return out

    def _ttl(self, ttl: int | None) -> int:
        return int(ttl or 0) if self.has_ttl else 0

    def _tags(self, row: Mapping[str, Any] | None) -> list[str]:
        if row is None or self.s_tag_add is None:
            return []
        return list(dict.fromkeys(row.get("tags") or ()))

    def _contention(self) -> errors.KongDAOError:
        return errors.database_error(
            f"gave up writing '{self.name}' after {_MAX_TRIES} attempts: "
            "too many concurrent changes of the same row or value",
            strategy=STRATEGY,
        )

    def _unique_error(self, lk: LookupTable, row: Mapping[str, Any]) -> errors.KongDAOError:
        if lk.column is None:
            key = {k: row.get(k) for k in self.schema.cache_key or ()}
            return errors.unique_violation(key, strategy=STRATEGY)
        return errors.unique_violation({lk.field: row.get(lk.field)}, strategy=STRATEGY)

    # -- workspaces ---------------------------------------------------------------------------

    def _in_ws(self, stored: Stored | None, ws: str | None) -> Stored | None:
        """``stored`` if it belongs to ``ws`` (any row when ``ws`` is ``None``), else ``None``."""
        if stored is None or ws is None or not self.workspaceable:
            return stored
        return stored if stored.row.get("ws_id") == ws.lower() else None

    def _stamped(self, row: Mapping[str, Any], ws: str | None) -> Row:
        """``row`` carrying its workspace, as the model stores it."""
        if not self.workspaceable:
            return dict(row)
        return {**row, WS_FIELD: None if ws is None else {"id": ws.lower()}}

    # -- reads --------------------------------------------------------------------------------

    async def _read(self, key: Any) -> Stored | None:
        row = (await self.s_select.run([key])).first()
        return None if row is None else self._to_stored(row.as_list())

    async def _read_many(self, keys: Sequence[Any]) -> list[Stored | None]:
        return await _gather_chunked([self._read(k) for k in keys])

    async def _exists(self, key: Any) -> bool:
        row = (await self.s_exists.run([key])).first()
        return row is not None and row.as_list()[0] is not None

    async def _exists_in_ws(self, key: Any, ws: str | None) -> bool:
        """Whether the live row ``key`` is in workspace ``ws`` (any row when ``ws`` is None).

        ``_in_ws(_read(key), ws) is not None``, reading three columns instead of the row.
        """
        if self.s_exists_ws is None:
            return self._in_ws(await self._read(key), ws) is not None
        row = (await self.s_exists_ws.run([key])).first()
        if row is None:
            return False
        version, live, ws_id = row.as_list()
        if version is None or live is None:
            return False  # only a row marker left (see _stored)
        return ws is None or ws_id == ws.lower()

    async def _find(self, field: str, value: Any, ws: str | None = None) -> Stored | None:
        """The row holding ``value`` in a unique field (in workspace ``ws``), by its lookup."""
        lk = self.model.lookups.get(field)
        if lk is None or (lk.per_ws and ws is None):
            return self._in_ws(await self._scan_find(field, value), ws)
        bound = lk.bound(value, None if ws is None else ws.lower())
        row = (await self._lk[field].owner.run([bound])).first()
        owner = None if row is None else row.as_list()[0]
        if owner is None:
            return None
        stored = await self._read(owner)
        # The claim may be stale (its holder gone or changed): the row has the last word.
        if stored is None or lk.value(stored.row) != bound:
            return None
        return self._in_ws(stored, ws)

    async def _scan_find(self, field: str, value: Any) -> Stored | None:
        """A non-unique endpoint key has no lookup table: scan the table (costly)."""
        column = self.model.by_field[field]
        bound = column.db_value(value)
        state: bytes | None = None
        while True:
            result = await self.s_page.run(None, page_size=_SCAN_PAGE, page_state=state)
            for r in result:
                stored = self._to_stored(r.as_list())
                if stored is not None and column.db_value(stored.row.get(field)) == bound:
                    return stored
            if not result.has_more_pages():
                return None
            state = result.page_state()

    async def select(
        self, pk: Mapping[str, Any], *, primary: bool = False, ws: str | None = None
    ) -> Row | None:
        """See :meth:`kongdao.connector.Strategy.select` (``primary`` changes nothing here)."""
        stored = self._in_ws(await self._read(self.pk.db_value(pk.get(self.pk_field))), ws)
        return None if stored is None else stored.row

    async def select_by_field(self, field: str, value: Any, *, ws: str | None = None) -> Row | None:
        """See :meth:`kongdao.connector.Strategy.select_by_field` (two reads: claim, row)."""
        stored = await self._find(field, value, ws)
        return None if stored is None else stored.row

    def _next_offset(self, result: Any, key: bytes, partition: bytes = b"") -> str | None:
        if not result.has_more_pages():
            return None
        return self.connector.offsets.encode(key, result.page_state(), partition)

    async def page(
        self,
        size: int,
        offset: str | None,
        *,
        tags: Sequence[str] | None = None,
        tags_cond: str = "and",
        ws: str | None = None,
    ) -> Page:
        """See :meth:`kongdao.connector.Strategy.page`. Token order; see the module docstring.

        A workspace's page is a page of its ``E_by_ws`` partition; with tags, the tag pages
        keep the workspace's rows only (a page may then hold fewer than ``size`` rows).
        """
        if tags:
            rows, nxt = await self._page_tags(size, offset, list(dict.fromkeys(tags)), tags_cond)
            if ws is not None and self.workspaceable:
                rows = [r for r in rows if r.get("ws_id") == ws.lower()]
            return rows, nxt
        if ws is not None and self.workspaceable:
            return await self.page_for(WS_FIELD, {"id": ws}, size, offset)
        state = None if offset is None else self.connector.offsets.decode(offset, self._page_key)
        result = await self.s_page.run(None, page_size=size, page_state=state, offset=offset)
        rows = []
        for r in result:
            stored = self._to_stored(r.as_list())
            if stored is not None:
                rows.append(stored.row)
        return rows, self._next_offset(result, self._page_key)

    async def _page_tags(self, size: int, offset: str | None, tags: list[str], cond: str) -> Page:
        """One page of the rows carrying ``tags``.

        ``and``: page the first tag's partition, keep rows carrying every tag. ``or``: page every
        tag's partition at once (``IN``), and keep a row under the first listed tag it carries
        only, so that it appears once.
        """
        if self.s_tag_add is None:
            return [], None
        mode = "or" if cond == "or" and len(tags) > 1 else "and"
        partition = "\x00".join([mode, *tags]).encode()
        codec = self.connector.offsets
        state = None if offset is None else codec.decode(offset, self._tags_key, partition)
        rows: list[Row] = []
        if mode == "and":
            result = await self.s_tag_page.run(
                [tags[0]], page_size=size, page_state=state, offset=offset
            )
            ids = [r.as_list()[0] for r in result]
            wanted = set(tags)
            rows.extend(
                stored.row
                for stored in await self._read_many(ids)
                if stored is not None and wanted.issubset(stored.row.get("tags") or ())
            )
        else:
            result = await self.s_tag_page_any.run(
                [tags], page_size=size, page_state=state, offset=offset
            )
            pairs = [r.as_list() for r in result]
            ids = list(dict.fromkeys(i for _, i in pairs))
            found = dict(zip(ids, await self._read_many(ids), strict=True))
            for tag, key in pairs:
                stored = found.get(key)
                if stored is None:
                    continue
                carried = stored.row.get("tags") or ()
                if next((t for t in tags if t in carried), None) == tag:
                    rows.append(stored.row)
        return rows, self._next_offset(result, self._tags_key, partition)

    async def page_for(
        self,
        field: str,
        foreign_pk: Mapping[str, Any],
        size: int,
        offset: str | None,
        *,
        ws: str | None = None,
    ) -> Page:
        """See :meth:`kongdao.connector.Strategy.page_for`.

        One partition of ``E_by_<fk>``, then the rows by id, concurrently.
        """
        ix = self.model.children[field]
        key = ix.column.db_value(foreign_pk)
        partition = str(key).encode()
        qkey = self._page_for_keys[field]
        codec = self.connector.offsets
        state = None if offset is None else codec.decode(offset, qkey, partition)
        result = await self._ix[field].page.run(
            [key], page_size=size, page_state=state, offset=offset
        )
        ids = [r.as_list()[0] for r in result]
        # _in_ws for each row, with the workspace lowered once
        wanted = ws.lower() if ws is not None and self.workspaceable else None
        value_of = ix.value
        rows = [
            s.row
            for s in await self._read_many(ids)
            if s is not None
            and value_of(s.row) == key
            and (wanted is None or s.row.get("ws_id") == wanted)
        ]
        return rows, self._next_offset(result, qkey, partition)

    async def count(self, *, ws: str | None = None) -> int:
        """The number of live rows.

        Cassandra keeps no count: this pages through the whole table (``SELECT`` of one column,
        5,000 rows a page), so it reads every row on every node, costing about as much as
        :meth:`page` over everything. Fine for tests and small tables, not for hot paths
        (hence ``capabilities.count`` is ``False``).
        """
        n = 0
        state: bytes | None = None
        while True:
            result = await self.s_count.run(None, page_size=_COUNT_PAGE, page_state=state)
            if ws is not None and self.workspaceable:
                wanted = ws.lower()
                n += sum(
                    1
                    for r in result
                    if (v := r.as_list())[0] is not None and str(v[1]).lower() == wanted
                )
            else:
                n += sum(1 for r in result if r.as_list()[0] is not None)
            if not result.has_more_pages():
                return n
            state = result.page_state()

    # -- claims -------------------------------------------------------------------------------

    async def _holds(self, lk: LookupTable, owner: Any, value: Any) -> bool:
        stored = await self._read(owner)
        return stored is not None and lk.value(stored.row) == value

    async def _claim(
        self, lk: LookupTable, value: Any, rid: Any, ttl: int, row: Mapping[str, Any]
    ) -> bool:
        """Claim ``value`` for row ``rid``; ``True`` when newly claimed, ``False`` when held.

        Raises:
            UniqueViolation: another live row holds it (or may be about to).
        """
        st = self._lk[lk.field]
        pk_name = self.pk.name
        for _ in range(_MAX_TRIES):
            ok, current = applied(await st.claim.run([value, rid, ttl]))
            if ok:
                return True
            owner = current.get(pk_name)
            if owner is None:
                # A claim row whose holder cell expired before its row marker: free.
                ok, _ = applied(await st.take.run([ttl, rid, value, None]))
                if ok:
                    return True
                continue
            if owner == rid:
                if self.has_ttl:  # re-stamp it with this write's TTL
                    ok, _ = applied(await st.take.run([ttl, rid, value, rid]))
                    if not ok:
                        continue
                return False
            if await self._holds(lk, owner, value):
                raise self._unique_error(lk, row)
            found = (await st.owner.run([value])).first()
            if found is None:
                continue
            current_owner, written = found.as_list()
            if current_owner != owner:
                continue
            age = time.time() - written / 1e6 if written is not None else float("inf")
            if age < self.connector.settings.claim_grace:
                # Young claim, no row yet: most likely a writer between its claim and its row.
                raise self._unique_error(lk, row)
            ok, _ = applied(await st.take.run([ttl, rid, value, owner]))
            if ok:
                log.info(
                    "'%s': took over the abandoned claim of %s on '%s' (%.0f s old)",
                    self.name,
                    owner,
                    lk.field,
                    age,
                )
                return True
        raise self._contention()

    async def _quietly(self, aws: Sequence[Awaitable[Any]], what: str) -> None:
        """Best-effort cleanup: failures leave stale claims/index rows, which are harmless."""
        if not aws:
            return
        for r in await asyncio.gather(*aws, return_exceptions=True):
            if isinstance(r, BaseException):
                log.warning("'%s': %s failed (left stale, harmless): %s", self.name, what, r)

    def _release(self, claims: Iterable[tuple[LookupTable, Any]], rid: Any) -> list[Any]:
        return [self._lk[lk.field].release.run([v, rid]) for lk, v in claims]

    # -- writes -------------------------------------------------------------------------------

    async def _check_parent(self, field: str, row: Mapping[str, Any], key: Any) -> None:
        reference = self._references[field]
        parent = self.connector.strategies.get(reference)
        if parent is None:
            return
        if field == WS_FIELD:
            if not await parent._exists(key):
                raise errors.invalid_workspace(str(key), strategy=STRATEGY)
            return
        if not self.workspaceable or not parent.workspaceable:
            if not await parent._exists(key):
                raise errors.foreign_key_violation_invalid_reference(
                    dict(row[field]), field, reference, strategy=STRATEGY
                )
            return
        # a reference never crosses workspaces: a parent of another workspace is missing here
        if not await parent._exists_in_ws(key, _ws_of(row)):
            raise errors.foreign_key_violation_invalid_reference(
                dict(row[field]), field, reference, strategy=STRATEGY
            )

    async def _write(
        self, new: Row, old: Stored | None, ttl: int, refresh: bool, *, lww: bool = False
    ) -> bool:
        """Write ``new`` (over ``old``, read at ``old.version``); see the module docstring.

        ``lww``: write over whatever version is stored, provided the row still exists
        (last-writer-wins), instead of only over ``old.version`` (compare-and-set).

        Returns:
            ``False`` when ``old`` changed meanwhile, or (``lww``) the row is gone: the caller
            reads it again.

        Raises:
            PrimaryKeyViolation, UniqueViolation, ForeignKeyViolation, DatabaseError.
        """
        m = self.model
        rid = self.pk.db_value(new.get(self.pk_field))
        old_row = None if old is None else old.row

        # 1. parents exist, unique values claimed (concurrently)
        checks = []
        for c in self._foreign:
            key = c.db_value(new.get(c.field))
            if key is None or (old_row is not None and c.db_value(old_row.get(c.field)) == key):
                continue
            checks.append(self._check_parent(c.field, new, key))
        claims = []
        for lk in m.lookups.values():
            value = lk.value(new)
            unchanged = old_row is not None and not refresh and lk.value(old_row) == value
            if value is None or unchanged:
                continue
            claims.append((lk, value))
        won: list[tuple[LookupTable, Any]] = []
        if checks or claims:
            results = await asyncio.gather(
                *checks,
                *(self._claim(lk, v, rid, ttl, new) for lk, v in claims),
                return_exceptions=True,
            )
            won = [cv for cv, r in zip(claims, results[len(checks) :], strict=True) if r is True]
            failures = [r for r in results if isinstance(r, BaseException)]
            if failures:
                await self._quietly(self._release(won, rid), "releasing claims")
                raise _first_error(failures)

        # 2. child-index and tag rows, before the row: a crash leaves stale hits, never misses
        adds = []
        for ix in self._own_indexes:
            key = ix.value(new)
            if key is None or (old_row is not None and not refresh and ix.value(old_row) == key):
                continue
            stmt = self._ix[ix.field].add
            assert stmt is not None
            adds.append(stmt.run([key, rid, ttl]))
        old_tags = self._tags(old_row)
        if self.s_tag_add is not None:
            add_tag = self.s_tag_add
            adds.extend(
                add_tag.run([tag, rid, ttl])
                for tag in self._tags(new)
                if refresh or tag not in old_tags
            )
        if adds:
            results = await asyncio.gather(*adds, return_exceptions=True)
            failures = [r for r in results if isinstance(r, BaseException)]
            if failures:
                await self._quietly(self._release(won, rid), "releasing claims")
                raise _first_error(failures)

        # 3. the row, conditionally
        values = self._values(new)
        regular = [values[i] for i in self._regular_index]
        extras = self._extras(new)
        version = str(uuid.uuid4())
        if old is None:
            ok, current = applied(await self.s_insert.run([*values, version, True, *extras, ttl]))
            # Not applied, yet the row holds this very write's fresh version: an earlier attempt
            # of this insert applied and only its answer was lost (see statement.py).
            ok = ok or current.get(VERSION_COLUMN) == version
            if not ok and current.get(LIVE_COLUMN) is None:
                # Only an expired row's marker is left (see _stored): write over it.
                ok, _ = applied(
                    await self.s_update_live.run([ttl, *regular, version, True, *extras, rid, None])
                )
            if not ok:
                await self._undo_insert(new, won, rid)
                raise errors.primary_key_violation(
                    {self.pk_field: new.get(self.pk_field)}, strategy=STRATEGY
                )
        else:
            condition: Any
            if lww:
                stmt, condition = self.s_update_live, True
            else:
                stmt, condition = self.s_update, old.version
            ok, current = applied(
                await stmt.run([ttl, *regular, version, True, *extras, rid, condition])
            )
            if not ok and current.get(VERSION_COLUMN) != version:  # else: ours (see insert)
                return False
            if refresh:
                # UPDATE leaves the row marker of the original INSERT with its old TTL: give it
                # the new one, or it would outlive (or expire before) the row's cells.
                await self._quietly([self.s_touch.run([rid, ttl])], "refreshing the row TTL")

        # 4. release what the old row held and the new one does not
        if old_row is not None:
            await self._release_old(old_row, new, rid)
        return True

    async def _undo_insert(self, new: Row, won: list[tuple[LookupTable, Any]], rid: Any) -> None:
        """Clean up after a primary key violation.

        Drops the claims and index rows this insert added that the existing row (same id) does
        not hold.
        """
        existing = await self._read(rid)
        held = existing.row if existing is not None else {}
        undo = [self._lk[lk.field].release.run([v, rid]) for lk, v in won if lk.value(held) != v]
        for ix in self._own_indexes:
            key = ix.value(new)
            remove = self._ix[ix.field].remove
            if key is not None and ix.value(held) != key and remove is not None:
                undo.append(remove.run([key, rid]))
        kept = set(self._tags(held))
        undo += [self.s_tag_remove.run([t, rid]) for t in self._tags(new) if t not in kept]
        await self._quietly(undo, "undoing a failed insert")

    async def _release_old(self, old: Row, new: Row, rid: Any) -> None:
        aws: list[Any] = []
        for lk in self.model.lookups.values():
            value = lk.value(old)
            if value is not None and value != lk.value(new):
                aws.append(self._lk[lk.field].release.run([value, rid]))
        for ix in self._own_indexes:
            key = ix.value(old)
            remove = self._ix[ix.field].remove
            if key is not None and key != ix.value(new) and remove is not None:
                aws.append(remove.run([key, rid]))
        kept = set(self._tags(new))
        aws += [self.s_tag_remove.run([t, rid]) for t in self._tags(old) if t not in kept]
        await self._quietly(aws, "releasing old values")

    async def insert(self, row: Row, *, ttl: int | None = None, ws: str | None = None) -> Row:
        """See :meth:`kongdao.connector.Strategy.insert` (returns the row without re-reading)."""
        ttl_ = self._ttl(ttl)
        row = self._stamped(row, ws)
        await self._write(row, None, ttl_, refresh=False)
        return self._returned(row, ttl_)

    async def _update(
        self,
        fetch: Callable[[], Awaitable[Stored | None]],
        apply: ApplyFn,
        ttl: int | None,
        *,
        upsert: bool,
        by_field: str | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """The optimistic read-modify-write loop of update and upsert.

        ``fetch`` reads the row whatever its workspace: a row of another workspace is missing
        for an update, and holds the key for an upsert (PrimaryKeyViolation).
        """
        for attempt in range(_MAX_TRIES):
            old = await fetch()
            if old is not None and self._in_ws(old, ws) is None:
                if not upsert:
                    return None
                raise errors.primary_key_violation(
                    {self.pk_field: old.row.get(self.pk_field)}, strategy=STRATEGY
                )
            if old is None:
                if not upsert:
                    return None
                new = self._stamped(apply(None), ws)
                ttl_ = self._ttl(ttl)
                try:
                    await self._write(new, None, ttl_, refresh=False)
                except errors.PrimaryKeyViolation:
                    continue  # created meanwhile: replace it
                except errors.UniqueViolation as exc:
                    if by_field is None or by_field not in (exc.fields or {}):
                        raise
                    # Created meanwhile by another upsert of the same value: find it, after
                    # giving its writer a moment to write the row it claimed.
                    await asyncio.sleep(0.02 * (attempt + 1))
                    continue
                return WriteResult(self._returned(new, ttl_), None)
            new = dict(apply(old.row))
            new[self.pk_field] = old.row[self.pk_field]
            if self.workspaceable:
                new[WS_FIELD] = old.row.get(WS_FIELD)  # a row never changes workspace
            remaining = old.row.get("ttl")
            if not self.has_ttl:
                ttl_, refresh = 0, False
            elif upsert:
                ttl_, refresh = self._ttl(ttl), True
            elif ttl is None:  # keep the expiry: re-apply what remains of it
                ttl_, refresh = (0 if remaining is None else max(1, int(remaining))), False
            else:
                ttl_, refresh = int(ttl), True
            if await self._write(new, old, ttl_, refresh, lww=attempt >= _CAS_TRIES):
                return WriteResult(self._returned(new, ttl_), old.row)
            await _backoff(attempt)
        raise self._contention()

    async def update(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """See :meth:`kongdao.connector.Strategy.update`."""
        key = self.pk.db_value(pk.get(self.pk_field))
        return await self._update(lambda: self._read(key), apply, ttl, upsert=False, ws=ws)

    async def update_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """See :meth:`kongdao.connector.Strategy.update_by_field`."""
        return await self._update(
            lambda: self._find(field, value, ws), apply, ttl, upsert=False, ws=ws
        )

    async def upsert(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        with_old: bool = True,
        ws: str | None = None,
    ) -> WriteResult:
        """See :meth:`kongdao.connector.Strategy.upsert`."""
        key = self.pk.db_value(pk.get(self.pk_field))
        result = await self._update(lambda: self._read(key), apply, ttl, upsert=True, ws=ws)
        assert result is not None
        return result

    async def upsert_by_field(
        self,
        field: str,
        value: Any,
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult:
        """See :meth:`kongdao.connector.Strategy.upsert_by_field`."""
        result = await self._update(
            lambda: self._find(field, value, ws), apply, ttl, upsert=True, by_field=field, ws=ws
        )
        assert result is not None
        return result

    # -- deletes ------------------------------------------------------------------------------

    async def _children(self, field: str, parent: Any, *, first: bool = False) -> list[Stored]:
        """The live rows whose foreign key ``field`` is ``parent`` (index hits checked)."""
        ix: ChildIndex = self.model.children[field]
        page = self._ix[field].page
        out: list[Stored] = []
        state: bytes | None = None
        while True:
            result = await page.run(
                [parent], page_size=10 if first else _SCAN_PAGE, page_state=state
            )
            ids = [r.as_list()[0] for r in result]
            for stored in await self._read_many(ids):
                if stored is not None and ix.value(stored.row) == parent:
                    out.append(stored)
                    if first:
                        return out
            if not result.has_more_pages():
                return out
            state = result.page_state()

    async def _plan_delete(self, stored: Stored, plan: _Plan, depth: int) -> None:
        """Check restrictions and collect cascades below ``stored``, deleting nothing."""
        if depth >= _MAX_DEPTH or not self.relations:
            return
        key = self.pk.db_value(stored.row.get(self.pk_field))
        related = [
            (self.connector.strategies.get(rel.child), rel)
            for rel in self.relations
            if rel.child in self.connector.strategies
        ]
        for child, rel in related:
            assert child is not None
            if rel.on_delete == "restrict" and await child._children(rel.field, key, first=True):
                raise errors.foreign_key_violation_restricted(
                    self.name, rel.child, strategy=STRATEGY
                )
        for child, rel in related:
            assert child is not None
            if rel.on_delete == "restrict":
                continue
            kids = await child._children(rel.field, key)
            if rel.on_delete == "null":
                plan.nullify.extend((child, rel.field, key, k) for k in kids)
                continue
            for kid in kids:
                plan.add(depth, (child, rel.field, key, kid))
            await _gather_chunked([child._plan_delete(k, plan, depth + 1) for k in kids])

    async def _remove(self, stored: Stored, *, lww: bool = False) -> bool:
        """Delete the row, then its claims and index rows.

        Only if the row is still at ``stored.version`` (``lww``: if it still exists).
        """
        row = stored.row
        rid = self.pk.db_value(row.get(self.pk_field))
        if lww:
            ok, _ = applied(await self.s_delete_live.run([rid]))
        else:
            ok, _ = applied(await self.s_delete.run([rid, stored.version]))
        if not ok:
            return False
        aws = [
            self._lk[lk.field].release.run([v, rid])
            for lk in self.model.lookups.values()
            if (v := lk.value(row)) is not None
        ]
        for ix in self._own_indexes:
            key = ix.value(row)
            remove = self._ix[ix.field].remove
            if key is not None and remove is not None:
                aws.append(remove.run([key, rid]))
        aws += [self.s_tag_remove.run([t, rid]) for t in self._tags(row)]
        await self._quietly(aws, "releasing a deleted row's claims")
        return True

    async def _remove_child(self, field: str, parent: Any, stored: Stored | None) -> None:
        """Delete a cascading child, re-reading it if it changed meanwhile."""
        ix = self.model.children[field]
        for attempt in range(_MAX_TRIES):
            if stored is None or ix.value(stored.row) != parent:
                return
            if await self._remove(stored, lww=attempt >= _CAS_TRIES):
                return
            await _backoff(attempt)
            stored = await self._read(self.pk.db_value(stored.row.get(self.pk_field)))
        raise self._contention()

    async def _nullify(self, field: str, parent: Any, stored: Stored | None) -> None:
        """Clear a child's reference to a deleted parent (``on_delete = "null"``)."""
        ix = self.model.children[field]
        for attempt in range(_MAX_TRIES):
            if stored is None or ix.value(stored.row) != parent:
                return
            new = dict(stored.row)
            new[field] = None
            remaining = stored.row.get("ttl")
            ttl = 0 if not self.has_ttl or remaining is None else max(1, int(remaining))
            if await self._write(new, stored, ttl, refresh=False, lww=attempt >= _CAS_TRIES):
                return
            await _backoff(attempt)
            stored = await self._read(self.pk.db_value(stored.row.get(self.pk_field)))
        raise self._contention()

    async def _delete(self, fetch: Callable[[], Awaitable[Stored | None]]) -> DeleteResult:
        for attempt in range(_MAX_TRIES):
            stored = await fetch()
            if stored is None:
                return DeleteResult(None)
            plan = _Plan()
            await self._plan_delete(stored, plan, 0)
            await plan.run()
            if await self._remove(stored, lww=attempt >= _CAS_TRIES):
                return DeleteResult(stored.row, plan.cascaded())
            await _backoff(attempt)
        raise self._contention()

    async def delete(
        self, pk: Mapping[str, Any], *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """See :meth:`kongdao.connector.Strategy.delete`: children first, the row last.

        ``cascaded`` is accepted for the protocol; this strategy deletes children itself, so it
        always knows them.
        """
        key = self.pk.db_value(pk.get(self.pk_field))

        async def fetch() -> Stored | None:
            return self._in_ws(await self._read(key), ws)

        return await self._delete(fetch)

    async def delete_by_field(
        self, field: str, value: Any, *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """See :meth:`kongdao.connector.Strategy.delete_by_field`."""
        return await self._delete(lambda: self._find(field, value, ws))

    @property
    def truncate_targets(self) -> list[tuple[Stmt, str]]:
        """``(probe, table)`` for each table of the entity: the probe reads one row at ALL."""
        return list(self._truncate)

    async def truncate(self) -> None:
        """Truncate the entity's tables (main, lookups, child indexes, tags).

        Empty tables are skipped: ``TRUNCATE`` needs every node and flushes memtables, while a
        probe for one row is cheap.
        """
        await truncate_tables(self.connector, self._truncate)
