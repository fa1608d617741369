"""Per-entity SQL for PostgreSQL, built once from the schema.

Table layout (what the migrations create for every entity):

* one column per field, named after it; a foreign field ``service`` is the column
  ``service_id`` (``<field>_<primary key>``), a real ``FOREIGN KEY`` with the schema's
  ``ON DELETE`` rule;
* UUID strings are ``UUID``; strings ``TEXT``; integers ``BIGINT``; numbers ``DOUBLE PRECISION``;
  booleans ``BOOLEAN``; arrays and sets of scalars native arrays (``TEXT[]``...); records, maps and
  arrays of records ``JSONB``; auto timestamps (``created_at``/``updated_at``) ``TIMESTAMPTZ``,
  exchanged as seconds;
* ``cache_key TEXT UNIQUE`` for composite cache keys, ``ttl TIMESTAMPTZ`` (the absolute expiry)
  for schemas with ``ttl``;
* constraints named ``<table>_pkey``, ``<table>_<column>_key``, ``<table>_<column>_fkey``, which is
  how errors are mapped back to fields.

Every statement is a fixed text with ``$n`` parameters (asyncpg prepares it once per connection and
caches it); values are always bound, identifiers come only from registered schemas and are
quoted. Reads filter out expired rows. Pages are keyset pages ordered by primary key; the offset is
the base64 of the JSON list of the last primary key (standard alphabet, no padding), as Kong's.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg

from kongdao import errors
from kongdao.connector import ApplyFn, DeleteResult, Page, Row, WriteResult
from kongdao.connectors.postgres.errors import STRATEGY, constraint_of, database_error
from kongdao.connectors.postgres.pool import PoolClosedError
from kongdao.schema.fields import Field

if TYPE_CHECKING:
    from kongdao.connectors.postgres.connector import PostgresConnector
    from kongdao.schema.entity import EntitySchema

__all__ = [
    "Column",
    "PostgresStrategy",
    "column_type",
    "decode_offset",
    "encode_offset",
    "quote_ident",
]

_SHAPES_KEPT = 256
"""Filter shapes whose SQL a strategy keeps (legacy filters come in few shapes)."""

_SCALAR_ARRAY_TYPES = {
    "string": "TEXT[]",
    "integer": "BIGINT[]",
    "number": "DOUBLE PRECISION[]",
    "boolean": "BOOLEAN[]",
}


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (names only ever come from registered schemas)."""
    return '"' + name.replace('"', '""') + '"'


def column_type(field: Field, foreign_pk: Field | None = None) -> str:
    """The SQL type of a field's column."""
    if field.type == "foreign":
        return column_type(foreign_pk) if foreign_pk is not None else "UUID"
    if field.is_auto_timestamp:
        return "TIMESTAMP WITH TIME ZONE"
    if field.is_nested:
        return "JSONB"
    if field.type in ("array", "set"):
        assert field.elements is not None
        if field.elements.uuid:
            return "TEXT[]"
        return _SCALAR_ARRAY_TYPES[field.elements.type]
    if field.type == "string":
        return "UUID" if field.uuid else "TEXT"
    return {"integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN"}[field.type]


class Column:
    """How one field is stored: column name, SQL expressions and value conversions."""

    __slots__ = ("column", "field", "fk_key", "kind", "param", "select")

    def __init__(self, name: str, field: Field, fk_key: str = "id") -> None:
        self.field = name
        self.fk_key = fk_key
        if field.type == "foreign":
            self.kind = "foreign"
            self.column = f"{name}_{fk_key}"
        else:
            self.kind = "timestamp" if field.is_auto_timestamp else "plain"
            self.column = name
        q = quote_ident(self.column)
        if self.kind == "timestamp":
            if field.type == "integer":
                self.select = f"FLOOR(EXTRACT(EPOCH FROM {q}))::BIGINT AS {quote_ident(name)}"
            else:
                self.select = f"EXTRACT(EPOCH FROM {q})::DOUBLE PRECISION AS {quote_ident(name)}"
            self.param = "TO_TIMESTAMP({}::DOUBLE PRECISION)"
        else:
            self.select = q if self.column == name else f"{q} AS {quote_ident(name)}"
            self.param = "{}"

    def to_db(self, value: Any) -> Any:
        """The bound value of a Kong value."""
        if self.kind == "foreign":
            return value.get(self.fk_key) if isinstance(value, Mapping) else None
        return value


def encode_offset(values: Sequence[Any]) -> str:
    """Kong's PostgreSQL offset: base64 (standard, unpadded) of the JSON list of the last key."""
    return base64.b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_offset(offset: str, pk_fields: Sequence[Field]) -> list[Any]:
    """Decode an offset made by :func:`encode_offset`.

    Raises:
        InvalidOffset: ``bad base64 encoding``, ``bad json encoding`` or ``bad offset``.
    """
    try:
        raw = base64.b64decode(offset + "=" * (-len(offset) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise errors.invalid_offset(offset, "bad base64 encoding", strategy=STRATEGY) from None
    try:
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_offset(offset, "bad json encoding", strategy=STRATEGY) from None
    if not isinstance(values, list) or len(values) != len(pk_fields):
        raise errors.invalid_offset(offset, "bad offset", strategy=STRATEGY)
    from kongdao.schema.schema import Schema

    checker = Schema(fields=())
    for v, f in zip(values, pk_fields, strict=True):
        if v is None or checker.validate_field(f.evolve(required=True), v) is not None:
            raise errors.invalid_offset(offset, "bad offset", strategy=STRATEGY)
    return values


class PostgresStrategy:
    """The SQL of one entity (see the module docstring for the layout)."""

    def __init__(
        self,
        connector: PostgresConnector,
        schema: EntitySchema,
        schemas: Mapping[str, EntitySchema],
    ) -> None:
        self.connector = connector
        self.schema = schema
        self.name = schema.name or ""
        self.table = f"{quote_ident(connector.settings.schema)}.{quote_ident(self.name)}"
        cols: list[Column] = []
        for fname, f in schema.fields:
            if f.type == "foreign":
                ref = schemas.get(f.reference or "")
                fk_key = ref.primary_key[0] if ref is not None else "id"
                cols.append(Column(fname, f, fk_key))
            else:
                cols.append(Column(fname, f))
        self.columns = cols
        self.by_field = {c.field: c for c in cols}
        self.pk = [self.by_field[k] for k in schema.primary_key]
        self.pk_fields = [schema.field_map[k] for k in schema.primary_key]
        self.has_ttl = schema.ttl
        self.has_cache_key = schema.composite_cache_key
        self.workspaceable = schema.workspaceable
        self._convert_foreign = [c for c in cols if c.kind == "foreign"]
        self._foreign_keys = tuple((c.field, c.fk_key) for c in self._convert_foreign)
        # values(): every column's field (then cache_key), foreign keys reduced to their key
        self._value_names = tuple(c.field for c in cols) + (
            ("cache_key",) if schema.composite_cache_key else ()
        )
        self._foreign_at = tuple((i, c.fk_key) for i, c in enumerate(cols) if c.kind == "foreign")
        # children: (entity name, foreign field, on_delete) of every schema referencing this one
        self.children: list[tuple[str, str, str]] = [
            (other.name or "", fname, f.on_delete or "restrict")
            for other in schemas.values()
            for fname, f in other.fields
            if f.type == "foreign" and f.reference == self.name
        ]
        self._build()

    # -- SQL text -------------------------------------------------------------------------

    def _build(self) -> None:
        sel = [c.select for c in self.columns]
        names = [c.field for c in self.columns]
        if self.workspaceable:
            sel.append('"ws_id"::TEXT AS "ws_id"')
            names.append("ws_id")
        if self.has_ttl:
            sel.append('FLOOR(EXTRACT(EPOCH FROM ("ttl" - CURRENT_TIMESTAMP)))::BIGINT AS "ttl"')
            names.append("ttl")
        self.select_cols = ", ".join(sel)
        # the keys of every record read (all statements return select_cols), in order
        self._record_names = tuple(names)
        alive = '("ttl" IS NULL OR "ttl" >= CURRENT_TIMESTAMP)' if self.has_ttl else ""
        self.alive = alive
        and_alive = f" AND {alive}" if alive else ""

        write_cols = [c.column for c in self.columns]
        params = [c.param for c in self.columns]
        if self.has_cache_key:
            write_cols.append("cache_key")
            params.append("{}")
        if self.workspaceable:
            write_cols.append("ws_id")
            params.append("{}::UUID")
        self.n_values = len(write_cols)
        placeholders = [p.format(f"${i}") for i, p in enumerate(params, 1)]
        ttl_param = f"${self.n_values + 1}"
        cols_sql = ", ".join(quote_ident(c) for c in write_cols)
        if self.has_ttl:
            cols_sql += ', "ttl"'
            placeholders.append(f"TO_TIMESTAMP({ttl_param}::DOUBLE PRECISION)")
        values_sql = ", ".join(placeholders)
        self.insert_sql = (
            f"INSERT INTO {self.table} ({cols_sql}) VALUES ({values_sql}) "
            f"RETURNING {self.select_cols}"
        )
        pk_where = " AND ".join(f"{quote_ident(c.column)} = ${i}" for i, c in enumerate(self.pk, 1))
        npk = len(self.pk)
        # every statement that finds rows has a second, workspace-scoped form (Kong's scoped
        # and _global statements): [0] any workspace, [1] "ws_id" = the next parameter
        ws_pk = f' AND "ws_id" = ${npk + 1}::UUID' if self.workspaceable else ""
        select_sql = f"SELECT {self.select_cols} FROM {self.table} WHERE {pk_where}{and_alive}"
        self.select_sql = (select_sql, select_sql + ws_pk)
        self.select_for_update_sql = (
            select_sql + " FOR UPDATE",
            select_sql + ws_pk + " FOR UPDATE",
        )
        self.by_field_sql: dict[str, tuple[str, str]] = {}
        self.by_field_for_update_sql: dict[str, tuple[str, str]] = {}
        ws_1 = ' AND "ws_id" = $2::UUID' if self.workspaceable else ""
        for fname in (*self.schema.unique_fields, *(("cache_key",) if self.has_cache_key else ())):
            col = "cache_key" if fname == "cache_key" else self.by_field[fname].column
            base = f"SELECT {self.select_cols} FROM {self.table} WHERE {quote_ident(col)} = $1"
            sqls = (f"{base}{and_alive} LIMIT 1", f"{base}{ws_1}{and_alive} LIMIT 1")
            self.by_field_sql[fname] = sqls
            self.by_field_for_update_sql[fname] = (sqls[0] + " FOR UPDATE", sqls[1] + " FOR UPDATE")

        # UPDATE by primary key: every non-pk column from $k+1.., pk in $1..$k (the row was
        # found and locked first: the workspace is already checked, and never changes)
        pk_cols = {c.column for c in self.pk}
        sets: list[str] = []
        idx = npk
        self.update_value_cols: list[int] = []
        for i, c in enumerate(self.columns):
            if c.column in pk_cols:
                continue
            idx += 1
            sets.append(f"{quote_ident(c.column)} = {c.param.format(f'${idx}')}")
            self.update_value_cols.append(i)
        if self.has_cache_key:
            idx += 1
            sets.append(f'"cache_key" = ${idx}')
        self.n_update = idx
        set_sql = ", ".join(sets)
        self.update_sql = (
            f"UPDATE {self.table} SET {set_sql} WHERE {pk_where} RETURNING {self.select_cols}"
        )
        if self.has_ttl:
            ttl_set = f', "ttl" = TO_TIMESTAMP(${idx + 1}::DOUBLE PRECISION)'
            self.update_ttl_sql = (
                f"UPDATE {self.table} SET {set_sql}{ttl_set} WHERE {pk_where} "
                f"RETURNING {self.select_cols}"
            )
        non_pk = [c for c in write_cols if c not in pk_cols and c != "ws_id"]
        if self.has_ttl:
            non_pk.append("ttl")
        excluded = ", ".join(f"{quote_ident(c)} = EXCLUDED.{quote_ident(c)}" for c in non_pk)
        if self.workspaceable:
            # a key held in another workspace is not replaced (no row comes back)
            excluded += f' WHERE {self.table}."ws_id" = EXCLUDED."ws_id"'

        pk_list = ", ".join(quote_ident(c.column) for c in self.pk)
        # Upserts insert with ON CONFLICT DO NOTHING first: when a concurrent writer created
        # the row in between, nothing is written and the row is then locked and updated, so
        # exactly one caller reports "create". The DO UPDATE form only serves a second attempt,
        # which meets an expired row still holding the key (reads skip it, the index does not).
        insert_sql = f"INSERT INTO {self.table} ({cols_sql}) VALUES ({values_sql}) "
        returning = f" RETURNING {self.select_cols}"
        self.upsert_sql = (
            f"{insert_sql}ON CONFLICT ({pk_list}) DO NOTHING{returning}",
            f"{insert_sql}ON CONFLICT ({pk_list}) DO UPDATE SET {excluded}{returning}",
        )
        self.upsert_on_field_sql = {}
        for fname in self.schema.unique_fields:
            f = self.schema.field_map[fname]
            if not f.unique:
                continue
            target = quote_ident(self.by_field[fname].column)
            if self.workspaceable and not f.unique_across_ws:
                target = f'"ws_id", {target}'
            self.upsert_on_field_sql[fname] = (
                f"{insert_sql}ON CONFLICT ({target}) DO NOTHING{returning}",
                f"{insert_sql}ON CONFLICT ({target}) DO UPDATE SET {excluded}{returning}",
            )
        self.delete_sql = f"DELETE FROM {self.table} WHERE {pk_where}"
        # without cascade rows to report, a delete is one statement (the foreign keys cascade
        # or refuse by themselves)
        delete_returning = f"DELETE FROM {self.table} WHERE {pk_where}"
        self.delete_returning_sql = (
            f"{delete_returning}{and_alive} RETURNING {self.select_cols}",
            f"{delete_returning}{ws_pk}{and_alive} RETURNING {self.select_cols}",
        )
        self.delete_by_field_returning_sql = {}
        for fname in self.schema.unique_fields:
            # an endpoint key need not be unique: one statement could delete several rows
            if not self.schema.field_map[fname].unique:
                continue
            base = f"DELETE FROM {self.table} WHERE {quote_ident(self.by_field[fname].column)} = $1"
            self.delete_by_field_returning_sql[fname] = (
                f"{base}{and_alive} RETURNING {self.select_cols}",
                f"{base}{ws_1}{and_alive} RETURNING {self.select_cols}",
            )
        count_conds = [alive] if alive else []
        self.count_sql = (
            f"SELECT count(*) FROM {self.table}"
            + (f" WHERE {' AND '.join(count_conds)}" if count_conds else ""),
            f"SELECT count(*) FROM {self.table} WHERE "
            + " AND ".join([*count_conds, '"ws_id" = $1::UUID'])
            if self.workspaceable
            else "",
        )
        self.truncate_sql = f"TRUNCATE {self.table} CASCADE"
        self.order_by = ", ".join(quote_ident(c.column) for c in self.pk)
        self._page_sql: dict[tuple[Any, ...], str] = {}
        # find_page/count_where: conditions and statements per filter shape (bounded)
        self._filter_sql: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._find_sql: dict[tuple[Any, ...], str] = {}

    def page_sql(self, *, fk: str | None, tags: str | None, after: bool, ws: bool = False) -> str:
        """The keyset page query for one combination of filters (built once, cached).

        Parameters in order: the workspace id (``ws``), the foreign key, the tags, the last key
        of the previous page, the limit.
        """
        key = (fk, tags, after, ws)
        sql = self._page_sql.get(key)
        if sql is not None:
            return sql
        conds: list[str] = []
        n = 0
        if ws:
            n += 1
            conds.append(f'"ws_id" = ${n}::UUID')
        if fk is not None:
            n += 1
            conds.append(f"{quote_ident(self.by_field[fk].column)} = ${n}")
        if tags is not None:
            n += 1
            op = "@>" if tags == "and" else "&&"
            conds.append(f'"tags" {op} ${n}::TEXT[]')
        if after:
            lhs = ", ".join(quote_ident(c.column) for c in self.pk)
            rhs = ", ".join(f"${n + i}" for i in range(1, len(self.pk) + 1))
            n += len(self.pk)
            conds.append(f"({lhs}) > ({rhs})")
        if self.alive:
            conds.append(self.alive)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        sql = (
            f"SELECT {self.select_cols} FROM {self.table}{where} "
            f"ORDER BY {self.order_by} LIMIT ${n + 1}"
        )
        self._page_sql[key] = sql
        return sql

    # -- conversions ------------------------------------------------------------------------

    def to_row(self, record: asyncpg.Record) -> Row:
        """A database record as a Kong row."""
        names = self._record_names
        # zipping the known column names is twice as fast as dict(record) (which looks every
        # key up through the record's mapping protocol); any other shape takes dict(record)
        if len(record) == len(names):
            row = dict(zip(names, record))  # noqa: B905 (lengths checked)
        else:
            row = dict(record)
        for field, key in self._foreign_keys:
            v = row.get(field)
            row[field] = None if v is None else {key: v}
        return row

    def to_rows(self, records: Sequence[asyncpg.Record]) -> list[Row]:
        """:meth:`to_row` of every record of a page, in one loop."""
        names = self._record_names
        n = len(names)
        foreign = self._foreign_keys
        rows: list[Row] = []
        append = rows.append
        for record in records:
            row = dict(zip(names, record)) if len(record) == n else dict(record)  # noqa: B905
            for field, key in foreign:
                v = row.get(field)
                row[field] = None if v is None else {key: v}
            append(row)
        return rows

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """The bound values of a Kong row, in insert column order."""
        get = row.get
        out = [get(name) for name in self._value_names]
        for i, key in self._foreign_at:  # Column.to_db of the foreign keys
            v = out[i]
            out[i] = v.get(key) if isinstance(v, Mapping) else None
        return out

    def insert_args(
        self, row: Mapping[str, Any], ttl: int | None, ws: str | None = None
    ) -> list[Any]:
        """The bound values of an INSERT: the row's values, the workspace, the expiry."""
        args = self.values(row)
        if self.workspaceable:
            args.append(ws)
        if self.has_ttl:
            args.append(self._expiry(ttl))
        return args

    def _expiry(self, ttl: int | None) -> float | None:
        return None if not ttl else time.time() + ttl

    def _pk_values(self, pk: Mapping[str, Any]) -> list[Any]:
        return [c.to_db(pk.get(c.field)) for c in self.pk]

    def _field_value(self, field: str, value: Any) -> Any:
        if field == "cache_key":
            return value
        return self.by_field[field].to_db(value)

    def _scoped(self, sqls: tuple[str, str], args: list[Any], ws: str | None) -> str:
        """The statement of ``sqls`` for ``ws`` (``args`` gets the workspace id appended)."""
        if ws is None or not self.workspaceable:
            return sqls[0]
        args.append(ws)
        return sqls[1]

    def _by_field(
        self, sqls: Mapping[str, tuple[str, str]], field: str, value: Any, ws: str | None
    ) -> tuple[str, list[Any]]:
        """A by-field statement and its arguments.

        Fields unique across workspaces are looked up globally.
        """
        args = [self._field_value(field, value)]
        if field != "cache_key" and self.schema.field_map[field].unique_across_ws:
            ws = None
        return self._scoped(sqls[field], args, ws), args

    # -- error mapping ------------------------------------------------------------------------

    def _error(
        self, exc: BaseException, row: Mapping[str, Any] | None = None, ws: str | None = None
    ) -> errors.KongDAOError:
        if isinstance(exc, errors.KongDAOError):
            return exc
        if isinstance(exc, PoolClosedError):
            return errors.InterfaceError(f"cannot use '{self.name}': the DB is closed")
        if isinstance(exc, asyncpg.UniqueViolationError) and row is not None:
            return self._unique_error(constraint_of(exc), row) or database_error(exc)
        # PostgreSQL 18 reports ON DELETE RESTRICT as restrict_violation (23001), earlier
        # versions as foreign_key_violation (23503): both are Kong's restricted delete
        if isinstance(exc, (asyncpg.ForeignKeyViolationError, asyncpg.RestrictViolationError)):
            constraint = constraint_of(exc)
            table = getattr(exc, "table_name", "") or ""
            if table == self.name and constraint == f"{self.name}_ws_id_fkey":
                return errors.invalid_workspace(str(ws or ""), strategy=STRATEGY)
            if row is not None and table == self.name:
                for c in self._convert_foreign:
                    if constraint == f"{self.name}_{c.column}_fkey":
                        f = self.schema.field_map[c.field]
                        return errors.foreign_key_violation_invalid_reference(
                            dict(row[c.field]), c.field, f.reference or "", strategy=STRATEGY
                        )
            if table and table != self.name:
                return errors.foreign_key_violation_restricted(self.name, table, strategy=STRATEGY)
        return database_error(exc)

    def _unique_error(self, constraint: str, row: Mapping[str, Any]) -> errors.KongDAOError | None:
        if constraint == f"{self.name}_pkey":
            pk = {k: row.get(k) for k in self.schema.primary_key}
            return errors.primary_key_violation(pk, strategy=STRATEGY)
        if constraint == f"{self.name}_cache_key_key" and self.schema.cache_key:
            key = {k: row.get(k) for k in self.schema.cache_key}
            return errors.unique_violation(key, strategy=STRATEGY)
        for c in self.columns:
            if constraint == f"{self.name}_{c.column}_key":
                return errors.unique_violation({c.field: row.get(c.field)}, strategy=STRATEGY)
        return None

    # -- operations ---------------------------------------------------------------------------

    async def insert(self, row: Row, *, ttl: int | None = None, ws: str | None = None) -> Row:
        """See :meth:`kongdao.connector.Strategy.insert`."""
        args = self.insert_args(row, ttl, ws)
        try:
            record = await self.connector.pool.fetchrow(self.insert_sql, *args)
        except Exception as exc:
            raise self._error(exc, row, ws) from exc
        return self.to_row(record)

    async def select(
        self, pk: Mapping[str, Any], *, primary: bool = False, ws: str | None = None
    ) -> Row | None:
        """See :meth:`kongdao.connector.Strategy.select`."""
        args = self._pk_values(pk)
        sql = self._scoped(self.select_sql, args, ws)
        connector = self.connector
        try:
            record = await (connector.pool if primary else connector.reads).fetchrow(sql, *args)
        except Exception as exc:
            raise self._error(exc) from exc
        return None if record is None else self.to_row(record)

    async def select_by_field(self, field: str, value: Any, *, ws: str | None = None) -> Row | None:
        """See :meth:`kongdao.connector.Strategy.select_by_field`."""
        sql, args = self._by_field(self.by_field_sql, field, value, ws)
        try:
            record = await self.connector.reads.fetchrow(sql, *args)
        except Exception as exc:
            raise self._error(exc) from exc
        return None if record is None else self.to_row(record)

    async def _page(self, sql: str, args: list[Any], size: int) -> Page:
        try:
            records = await self.connector.reads.fetch(sql, *args, size + 1)
        except Exception as exc:
            raise self._error(exc) from exc
        next_offset = None
        if len(records) > size:
            records = records[:size]
            last = records[-1]
            next_offset = encode_offset([last[c.field] for c in self.pk])
        return self.to_rows(records), next_offset

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
        scoped = ws is not None and self.workspaceable
        args: list[Any] = [ws] if scoped else []
        tag_mode = None
        if tags is not None:
            tag_mode = "or" if tags_cond == "or" and len(tags) > 1 else "and"
            args.append(list(tags))
        if offset is not None:
            args.extend(decode_offset(offset, self.pk_fields))
        sql = self.page_sql(fk=None, tags=tag_mode, after=offset is not None, ws=scoped)
        return await self._page(sql, args, size)

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
        scoped = ws is not None and self.workspaceable
        args: list[Any] = [ws] if scoped else []
        args.append(self.by_field[field].to_db(foreign_pk))
        if offset is not None:
            args.extend(decode_offset(offset, self.pk_fields))
        sql = self.page_sql(fk=field, tags=None, after=offset is not None, ws=scoped)
        return await self._page(sql, args, size)

    async def _write_locked(
        self,
        lock_sql: str,
        lock_args: list[Any],
        apply: ApplyFn,
        ttl: int | None,
        *,
        missing_ok: bool,
        on_conflict_sql: tuple[str, str] | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        new: Row | None = None
        insert_sqls = on_conflict_sql or self.upsert_sql
        try:
            async with self.connector.pool.acquire() as conn, conn.transaction():
                for attempt in (0, 1):
                    record = await conn.fetchrow(lock_sql, *lock_args)
                    old = None if record is None else self.to_row(record)
                    if old is None and not missing_ok:
                        return None
                    new = apply(old)
                    if old is not None:
                        new_values = self.values(new)
                        args = self._pk_values(old) + [
                            new_values[i] for i in self.update_value_cols
                        ]
                        if self.has_cache_key:
                            args.append(new.get("cache_key"))
                        if self.has_ttl and (ttl is not None or missing_ok):
                            args.append(self._expiry(ttl))
                            written = await conn.fetchrow(self.update_ttl_sql, *args)
                        else:
                            written = await conn.fetchrow(self.update_sql, *args)
                        break
                    args = self.insert_args(new, ttl, ws)
                    written = await conn.fetchrow(insert_sqls[attempt], *args)
                    if written is not None:
                        break
        except Exception as exc:
            raise self._error(exc, new, ws) from exc
        if written is None:
            if missing_ok and new is not None:
                # the key is held by a row of another workspace
                pk = {k: new.get(k) for k in self.schema.primary_key}
                raise errors.primary_key_violation(pk, strategy=STRATEGY)
            return None
        return WriteResult(self.to_row(written), old)

    async def update(
        self,
        pk: Mapping[str, Any],
        apply: ApplyFn,
        *,
        ttl: int | None = None,
        ws: str | None = None,
    ) -> WriteResult | None:
        """See :meth:`kongdao.connector.Strategy.update`."""
        args = self._pk_values(pk)
        sql = self._scoped(self.select_for_update_sql, args, ws)
        return await self._write_locked(sql, args, apply, ttl, missing_ok=False, ws=ws)

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
        sql, args = self._by_field(self.by_field_for_update_sql, field, value, ws)
        return await self._write_locked(sql, args, apply, ttl, missing_ok=False, ws=ws)

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
        if not with_old:
            # nobody needs the replaced row: one INSERT ... ON CONFLICT DO UPDATE
            new = apply(None)
            args = self.insert_args(new, ttl, ws)
            try:
                written = await self.connector.pool.fetchrow(self.upsert_sql[1], *args)
            except asyncpg.UniqueViolationError:
                # ON CONFLICT only arbitrates the primary key: a concurrent insert of the same
                # new key can trip another unique index first. The locked path below waits for
                # that writer, then updates its row (or reports a real violation).
                pass
            except Exception as exc:
                raise self._error(exc, new, ws) from exc
            else:
                if written is not None:
                    return WriteResult(self.to_row(written), None)
                # the key is held by a row of another workspace: the locked path reports it
        args = self._pk_values(pk)
        sql = self._scoped(self.select_for_update_sql, args, ws)
        result = await self._write_locked(sql, args, apply, ttl, missing_ok=True, ws=ws)
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
        sql, args = self._by_field(self.by_field_for_update_sql, field, value, ws)
        result = await self._write_locked(
            sql,
            args,
            apply,
            ttl,
            missing_ok=True,
            on_conflict_sql=self.upsert_on_field_sql.get(field),
            ws=ws,
        )
        assert result is not None
        return result

    async def _delete(self, lock_sql: str, lock_args: list[Any]) -> DeleteResult:
        try:
            async with self.connector.pool.acquire() as conn, conn.transaction():
                record = await conn.fetchrow(lock_sql, *lock_args)
                if record is None:
                    return DeleteResult(None)
                row = self.to_row(record)
                pk_args = self._pk_values(row)
                cascaded: list[tuple[str, Row]] = []
                await self._collect_cascade(conn, [pk_args[0]], cascaded, depth=0)
                await conn.execute(self.delete_sql, *pk_args)
        except Exception as exc:
            raise self._error(exc) from exc
        return DeleteResult(row, tuple(cascaded))

    async def _collect_cascade(
        self,
        conn: asyncpg.Connection,
        parent_ids: list[Any],
        out: list[tuple[str, Row]],
        depth: int,
    ) -> None:
        """Lock and collect the rows a cascade will delete, children before grandchildren."""
        if depth > 16 or not parent_ids:
            return
        for child_name, field, on_delete in self.children:
            if on_delete != "cascade":
                continue
            child = self.connector.strategies.get(child_name)
            if child is None:
                continue
            sql = child.cascade_select_sql(field)
            records = await conn.fetch(sql, [str(p) for p in parent_ids])
            rows = [child.to_row(r) for r in records]
            out.extend((child_name, r) for r in rows)
            if len(child.pk) == 1 and rows:
                ids = [r[child.pk[0].field] for r in rows]
                await child._collect_cascade(conn, ids, out, depth + 1)

    def cascade_select_sql(self, field: str) -> str:
        """Rows whose foreign key ``field`` is any of ``$1`` (text), locked."""
        col = quote_ident(self.by_field[field].column)
        return (
            f"SELECT {self.select_cols} FROM {self.table} "
            f"WHERE {col} = ANY($1::TEXT[]::UUID[]) FOR UPDATE"
        )

    async def _delete_returning(self, sql: str, args: list[Any]) -> DeleteResult:
        try:
            record = await self.connector.pool.fetchrow(sql, *args)
        except Exception as exc:
            raise self._error(exc) from exc
        return DeleteResult(None if record is None else self.to_row(record))

    async def delete(
        self, pk: Mapping[str, Any], *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """See :meth:`kongdao.connector.Strategy.delete`."""
        args = self._pk_values(pk)
        if not cascaded:
            return await self._delete_returning(
                self._scoped(self.delete_returning_sql, args, ws), args
            )
        return await self._delete(self._scoped(self.select_for_update_sql, args, ws), args)

    async def delete_by_field(
        self, field: str, value: Any, *, cascaded: bool = True, ws: str | None = None
    ) -> DeleteResult:
        """See :meth:`kongdao.connector.Strategy.delete_by_field`."""
        single = self.delete_by_field_returning_sql.get(field)
        if not cascaded and single is not None:
            sql, args = self._by_field(self.delete_by_field_returning_sql, field, value, ws)
            return await self._delete_returning(sql, args)
        sql, args = self._by_field(self.by_field_for_update_sql, field, value, ws)
        return await self._delete(sql, args)

    async def truncate(self) -> None:
        """See :meth:`kongdao.connector.Strategy.truncate`."""
        try:
            async with self.connector.pool.acquire() as conn:
                await conn.execute(self.truncate_sql)
        except Exception as exc:
            raise self._error(exc) from exc

    async def count(self, *, ws: str | None = None) -> int:
        """See :meth:`kongdao.connector.Strategy.count`."""
        args: list[Any] = []
        sql = self._scoped(self.count_sql, args, ws)
        try:
            record = await self.connector.reads.fetchrow(sql, *args)
        except Exception as exc:
            raise self._error(exc) from exc
        return int(record[0])

    async def delete_expired(self, batch: int = 1000) -> int:
        """Delete expired rows in batches; the number deleted (TTL cleanup)."""
        if not self.has_ttl:
            return 0
        pk_cols = ", ".join(quote_ident(c.column) for c in self.pk)
        sql = (
            f"DELETE FROM {self.table} WHERE ({pk_cols}) IN (SELECT {pk_cols} FROM {self.table} "
            f'WHERE "ttl" < CURRENT_TIMESTAMP LIMIT {int(batch)})'
        )
        total = 0
        while True:
            try:
                async with self.connector.pool.acquire() as conn:
                    status = await conn.execute(sql)
            except Exception as exc:
                raise self._error(exc) from exc
            n = int(status.split()[-1])
            total += n
            if n < batch:
                return total

    # -- equality filters on any field (Capabilities.filters; used by kongdao.legacy) ---------

    def _filter_conditions(
        self, filters: Mapping[str, Any]
    ) -> tuple[tuple[Any, ...], list[str], list[Any]]:
        """``WHERE`` conditions and bound values for equality on each filtered field.

        Foreign keys compare their ``<field>_id`` column, timestamps go through
        ``TO_TIMESTAMP``, arrays compare as arrays (``= $n::TEXT[]``), sets as sets (contained
        both ways, so order does not matter), JSON columns (records, maps) by content with null
        members left out (``jsonb_strip_nulls``); ``None`` is ``IS NULL``. Values are always
        bound.

        Returns:
            The filter's shape (the fields, and which are null: what the conditions depend
            on), the conditions and the bound values. Conditions are built once per shape.
        """
        names: list[str] = []
        nulls: list[bool] = []
        args: list[Any] = []
        for name, value in filters.items():
            column = self.by_field.get(name)
            if column is None:
                raise errors.schema_violation({name: "unknown field"}, strategy=STRATEGY)
            # (strings first: isinstance against the Mapping ABC costs a Python-level check)
            mapping = not isinstance(value, str) and isinstance(value, Mapping)
            bound = column.to_db(value) if mapping else value
            names.append(name)
            nulls.append(bound is None)
            if bound is not None:
                args.append(bound)
        shape = (tuple(names), tuple(nulls))
        conds = self._filter_sql.get(shape)
        if conds is None:
            conds = self._build_conditions(names, nulls)
            if len(self._filter_sql) < _SHAPES_KEPT:
                self._filter_sql[shape] = conds
        return shape, list(conds), args

    def _build_conditions(self, names: Sequence[str], nulls: Sequence[bool]) -> tuple[str, ...]:
        conds: list[str] = []
        n = 0
        for name, null in zip(names, nulls, strict=True):
            column = self.by_field[name]
            q = quote_ident(column.column)
            if null:
                conds.append(f"{q} IS NULL")
                continue
            n += 1
            p = f"${n}"
            f = self.schema.field_map[name]
            if column.kind == "timestamp":
                conds.append(f"{q} = {column.param.format(p)}")
            elif column.kind == "foreign" or not (f.is_nested or f.type in ("array", "set")):
                conds.append(f"{q} = {p}")
            elif f.is_nested:  # by content: a null member equals an absent one
                conds.append(f"jsonb_strip_nulls({q}) = jsonb_strip_nulls({p}::JSONB)")
            elif f.type == "set":
                t = column_type(f)
                conds.append(f"({q} @> {p}::{t} AND {q} <@ {p}::{t})")
            else:
                conds.append(f"{q} = {p}::{column_type(f)}")
        if self.alive:
            conds.append(self.alive)
        return tuple(conds)

    async def find_page(self, filters: Mapping[str, Any], size: int, offset: str | None) -> Page:
        """One keyset page of the rows whose fields equal ``filters`` (like :meth:`page`).

        Raises:
            InvalidOffset: the offset was not produced by this strategy.
        """
        shape, conds, args = self._filter_conditions(filters)
        key = (shape, offset is not None)
        sql = self._find_sql.get(key)
        if offset is not None:
            after = decode_offset(offset, self.pk_fields)
            if sql is None:
                lhs = ", ".join(quote_ident(c.column) for c in self.pk)
                rhs = ", ".join(f"${len(args) + i}" for i in range(1, len(after) + 1))
                conds.append(f"({lhs}) > ({rhs})")
            args.extend(after)
        if sql is None:
            where = f" WHERE {' AND '.join(conds)}" if conds else ""
            sql = (
                f"SELECT {self.select_cols} FROM {self.table}{where} "
                f"ORDER BY {self.order_by} LIMIT ${len(args) + 1}"
            )
            if len(self._find_sql) < _SHAPES_KEPT:
                self._find_sql[key] = sql
        return await self._page(sql, args, size)

    async def count_where(self, filters: Mapping[str, Any]) -> int:
        """The number of live rows whose fields equal ``filters``."""
        _, conds, args = self._filter_conditions(filters)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        try:
            record = await self.connector.reads.fetchrow(
                f"SELECT count(*) FROM {self.table}{where}", *args
            )
        except Exception as exc:
            raise self._error(exc) from exc
        return int(record[0])


_Converter = Callable[[Any], Any]
