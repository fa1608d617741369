"""The legacy DAO of one entity and the factory that holds them (``db.dao``).

See :mod:`kongdao.legacy` for the mapping onto the modern DAO, the costs of filters and what is
not reproduced from Kong 0.13.
"""

from __future__ import annotations

import contextlib
import functools
import math
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kongdao import errors
from kongdao.legacy import errors as legacy_errors
from kongdao.schema.entity import Entity
from kongdao.schema.fields import Field

if TYPE_CHECKING:
    from kongdao.connector import Page
    from kongdao.dao.base import DAO
    from kongdao.db import DB
    from kongdao.schema.entity import EntitySchema

__all__ = [
    "DEFAULT_MAX_SCAN",
    "DEFAULT_PAGE_SIZE",
    "FilteringStrategy",
    "LegacyDAO",
    "LegacyFactory",
    "LegacyRow",
]

DEFAULT_MAX_SCAN = 10_000
"""Rows a filtered read may examine where the database cannot filter (see :mod:`kongdao.legacy`)."""

DEFAULT_PAGE_SIZE = 100
"""0.13's ``find_page`` page size."""

_FETCH_SIZE = 1000
"""Rows per round trip when ``find_all`` / ``count`` page through a table."""

LegacyRow = dict[str, Any]
"""A 0.13 row: a plain dict, foreign keys as ``<field>_id`` columns, timestamps in ms."""

_Pager = Callable[[int, "str | None"], Awaitable[tuple[list[Any], "str | None"]]]


@runtime_checkable
class FilteringStrategy(Protocol):
    """The optional strategy methods behind ``Capabilities.filters`` (equality on any field).

    ``filters`` maps field names to values as the modern DAO gives them: foreign keys as
    primary-key dicts (``{"service": {"id": "..."}}``), timestamps in seconds, ``None`` for a
    null column. Pages are keyset pages ordered like :meth:`Strategy.page`.
    """

    async def find_page(self, filters: Mapping[str, Any], size: int, offset: str | None) -> Page:
        """One page of the rows whose fields equal ``filters``; the next offset or ``None``.

        Raises:
            InvalidOffset: the offset was not produced by this strategy.
        """
        ...

    async def count_where(self, filters: Mapping[str, Any]) -> int:
        """The number of live rows whose fields equal ``filters``."""
        ...


def _lua_type(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping | list | tuple):
        return "table"
    return type(value).__name__


def _check_table(value: Any, n: int, method: str) -> None:
    if not isinstance(value, Mapping):
        raise TypeError(f"bad argument #{n} to '{method}' (table expected, got {_lua_type(value)})")


def _check_not_empty(value: Mapping[str, Any], n: int, method: str) -> None:
    if not value:
        raise ValueError(f"bad argument #{n} to '{method}' (expected table to not be empty)")


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "set": (list, tuple),
    "map": (Mapping,),
    "record": (Mapping,),
}
_TYPE_MESSAGES = {
    "string": "expected a string",
    "integer": "expected an integer",
    "number": "expected a number",
    "boolean": "expected a boolean",
    "array": "expected an array",
    "set": "expected a set",
    "map": "expected a map",
    "record": "expected a record",
}


def _strip_nulls(value: Any) -> Any:
    """JSON content without null members (PostgreSQL's ``jsonb_strip_nulls``)."""
    if isinstance(value, Mapping):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_strip_nulls(v) for v in value]
    return value


def _matches(entity: Entity, filters: Mapping[str, Any]) -> bool:
    """Equality of every filtered field, as a filtering strategy compares.

    Sets compare in any order; records, maps and lists of records by content, a null member
    being the same as an absent one.
    """
    schema = type(entity).__kongdao_schema__
    for name, wanted in filters.items():
        stored = entity.get(name)
        if wanted is None or stored is None:
            if wanted is not stored:
                return False
        elif (
            schema.field_map[name].type == "set"
            and isinstance(wanted, list | tuple)
            and isinstance(stored, list | tuple)
            and not any(isinstance(v, Mapping) for v in (*wanted, *stored))
        ):
            if set(stored) != set(wanted):
                return False
        elif _strip_nulls(stored) != _strip_nulls(wanted):
            return False
    return True


class LegacyDAO:
    """Kong 0.13's DAO of one entity (``db.dao.plugins``), over the modern async DAO.

    Rows are plain dicts: foreign keys as ``<field>_id`` columns (``service_id``), timestamps
    in milliseconds, null columns left out. Inputs use the same shape (the modern names,
    ``service={"id": ...}``, are accepted too). Failures raise
    :class:`~kongdao.legacy.errors.LegacyError`; wrong argument types raise :class:`TypeError`
    and incomplete primary keys or empty tables :class:`ValueError`, as 0.13 raised Lua errors.

    Attributes:
        table: the entity (0.13's table) name.
        schema: the modern schema.
        dao: the modern DAO every call goes through.
        max_scan: this entity's bound on rows examined by a filtered read where the database
            cannot filter (``None``: the factory's).

    .. versionadded:: 0.1
    """

    def __init__(self, factory: LegacyFactory, dao: DAO[Any]) -> None:
        self.factory = factory
        self.dao = dao
        self.schema: EntitySchema = dao.schema
        self.table: str = dao.name
        self.max_scan: int | None = None
        self._db_name = dao.db.connector.name
        schema = self.schema
        self._fk_columns: dict[str, tuple[str, str]] = {}
        self._column_of: dict[str, str] = {}
        for name, f in schema.foreign_fields:
            ref = dao.db.schemas.get(f.reference or "")
            pk = ref.primary_key[0] if ref is not None and len(ref.primary_key) == 1 else "id"
            column = f"{name}_{pk}"
            if column in schema.field_map:
                continue
            self._fk_columns[column] = (name, pk)
            self._column_of[name] = column
        self._timestamps = {
            n: f for n, f in schema.fields if f.timestamp and f.auto and f.type != "string"
        }
        self._unique = tuple(n for n in schema.unique_fields if schema.field_map[n].unique)
        self.cache_key_columns: tuple[str, ...] | None = (
            tuple(self._column_of.get(n, n) for n in schema.cache_key) if schema.cache_key else None
        )

    def __repr__(self) -> str:
        return f"<LegacyDAO {self.table} ({self._db_name})>"

    # -- rows ---------------------------------------------------------------------------------

    def to_legacy(self, entity: Entity) -> LegacyRow:
        """The 0.13 row of a modern entity."""
        data = entity.to_dict()
        for name, column in self._column_of.items():
            ref = data.pop(name, None)
            if isinstance(ref, Mapping):
                value = ref.get(self._fk_columns[column][1])
                if value is not None:
                    data[column] = value
        for name in self._timestamps:
            value = data.get(name)
            if isinstance(value, int | float):
                data[name] = round(value * 1000)
        return data

    def from_legacy(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The modern input of 0.13 values (``service_id`` -> ``service``, ms -> s)."""
        out: dict[str, Any] = {}
        for key, value in values.items():
            fk = self._fk_columns.get(key)
            if fk is not None:
                out[fk[0]] = None if value is None else {fk[1]: value}
                continue
            f = self._timestamps.get(key)
            if (
                f is not None
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                value = int(value // 1000) if f.type == "integer" else value / 1000
            out[key] = value
        return out

    def _column(self, path: str) -> str:
        head = path.split(".", 1)[0]
        return self._column_of.get(head, path)

    @contextlib.contextmanager
    def _translating(self) -> Iterator[None]:
        try:
            yield
        except errors.InterfaceError:
            raise
        except errors.KongDAOError as exc:
            raise legacy_errors.translate(exc, self._db_name, self._column) from exc

    def _primary_key(self, values: Mapping[str, Any]) -> dict[str, Any]:
        modern = self.from_legacy(values)
        pk: dict[str, Any] = {}
        for name in self.schema.primary_key:
            if modern.get(name) is None:
                raise ValueError("Missing PRIMARY KEY field")
            pk[name] = modern[name]
        return pk

    def _effective_max_scan(self) -> int:
        return self.max_scan if self.max_scan is not None else self.factory.max_scan

    # -- filters ------------------------------------------------------------------------------

    def _filters(self, filter: Any, method: str) -> dict[str, Any] | None:
        """Check a 0.13 filter and return it as modern field values (``None``: no filter)."""
        if filter is None:
            return None
        _check_table(filter, 1, method)
        _check_not_empty(filter, 1, method)
        modern = self.from_legacy(filter)
        errs: dict[str, str] = {}
        for name, value in modern.items():
            f = self.schema.field_map.get(name)
            if f is None:
                errs[name] = f"{name} is an unknown field"
                continue
            if value is None:
                continue
            column = self._column_of.get(name, name)
            err, normalised = self._check_filter_value(column, f, value)
            if err is not None:
                errs[column] = err
            else:
                modern[name] = normalised
        if errs:
            raise legacy_errors.schema(errs, self._db_name)
        return modern

    def _check_filter_value(self, column: str, f: Field, value: Any) -> tuple[str | None, Any]:
        # 0.13 checked only that a filter names fields and that ids are UUIDs; values of the
        # wrong type are refused too (0.13 left that to the database, with a database error).
        if f.type == "foreign":
            if not isinstance(value, Mapping):  # the modern name given a bare key
                value = {self._fk_columns[column][1]: value} if column in self._fk_columns else {}
            inner = next(iter(value.values()), None)
            if not _is_uuid(inner):
                return f"{legacy_errors.lua_tostring(inner)} is not a valid uuid", value
            return None, {k: str(v).lower() for k, v in value.items()}
        if f.uuid:
            if not _is_uuid(value):
                return f"{legacy_errors.lua_tostring(value)} is not a valid uuid", value
            return None, value.lower()
        types = _PY_TYPES.get(f.type)
        if types is not None and (
            not isinstance(value, types)
            or (isinstance(value, bool) and f.type in ("integer", "number"))
        ):
            return legacy_errors.legacy_message(column, _TYPE_MESSAGES[f.type]), value
        return None, value

    def _filtering(self) -> FilteringStrategy | None:
        strategy = self.dao.strategy
        if self.dao.db.connector.capabilities.filters and isinstance(strategy, FilteringStrategy):
            return strategy
        return None

    async def _select_unique(self, filters: Mapping[str, Any]) -> list[Any] | None:
        """The 0 or 1 entity matching a filter holding the primary key or a unique field.

        ``None`` when the filter holds neither. A value the schema would never store matches
        nothing (as in 0.13, where the query simply found no row).
        """
        schema = self.schema
        if all(filters.get(k) is not None for k in schema.primary_key):
            pk = {k: filters[k] for k in schema.primary_key}
            if schema.validate_primary_key(pk) is not None:
                return []
            found = await self.dao.select(pk)
        else:
            name = next((n for n in self._unique if filters.get(n) is not None), None)
            if name is None:
                return None
            value = filters[name]
            if schema.validate_field(schema.field_map[name], value) is not None:
                return []
            found = await self.dao.select_by(name, value)
        return [found] if found is not None and _matches(found, filters) else []

    def _scan_limit_error(self, filters: Mapping[str, Any]) -> legacy_errors.LegacyDBError:
        columns = ", ".join(sorted(self._column_of.get(n, n) for n in filters))
        return legacy_errors.db(
            f"cannot filter '{self.table}' by {columns}: the database cannot filter on "
            f"these columns and more than {self._effective_max_scan()} rows would be scanned; "
            f"this filter needs an index (or a unique column), or raise max_scan",
            self._db_name,
        )

    def _candidates(self, filters: Mapping[str, Any]) -> tuple[_Pager, int | None]:
        """How to page through the rows a filter may match, and the bound on rows examined.

        A filter holding a foreign key pages through that parent's children (``page_for``:
        served by an index or a table keyed by the parent on every database), unbounded: its
        cost is the number of children. Otherwise the whole table, at most ``max_scan`` rows.
        """
        for name, _f in self.schema.foreign_fields:
            fk = filters.get(name)
            if isinstance(fk, Mapping):
                return functools.partial(self.dao.page_for, name, fk), None
        return self.dao.page, self._effective_max_scan()

    async def _scan(self, filters: Mapping[str, Any]) -> list[Any]:
        pager, limit = self._candidates(filters)
        size = _FETCH_SIZE if limit is None else min(_FETCH_SIZE, limit + 1)
        found: list[Any] = []
        examined = 0
        offset: str | None = None
        while True:
            entities, offset = await pager(size, offset)
            examined += len(entities)
            if limit is not None and examined > limit:
                raise self._scan_limit_error(filters)
            found.extend(e for e in entities if _matches(e, filters))
            if offset is None:
                return found

    async def _scan_page(
        self, filters: Mapping[str, Any], size: int, offset: str | None
    ) -> tuple[list[Any], str | None]:
        pager, limit = self._candidates(filters)
        examined = 0
        while True:
            entities, offset = await pager(size, offset)
            examined += len(entities)
            found = [e for e in entities if _matches(e, filters)]
            if found or offset is None:
                return found, offset
            if limit is not None and examined >= limit:
                raise self._scan_limit_error(filters)

    async def _find_filtered(self, filters: Mapping[str, Any]) -> list[Any]:
        found = await self._select_unique(filters)
        if found is not None:
            return found
        strategy = self._filtering()
        if strategy is None:
            return await self._scan(filters)
        entities: list[Any] = []
        offset: str | None = None
        while True:
            rows, offset = await strategy.find_page(filters, _FETCH_SIZE, offset)
            entities.extend(self.dao.row_to_entity(r) for r in rows)
            if offset is None:
                return entities

    # -- 0.13's methods -------------------------------------------------------------------------

    async def insert(
        self, values: Mapping[str, Any], *, ttl: int | None = None, quiet: bool = False
    ) -> LegacyRow:
        """Insert a row; return it with defaults and generated columns (0.13's ``insert``).

        Args:
            values: the columns (``{"name": "key-auth", "service_id": service.id}``).
            ttl: seconds before the row expires (entities whose schema has ``ttl`` only).
            quiet: do not emit the ``create`` event.

        Raises:
            TypeError: ``values`` is not a mapping.
            LegacySchemaError: the row is invalid (``{"host": "host is required"}``).
            LegacyUniqueError: a unique column, the cache key or the primary key is taken.
            LegacyForeignError: a ``<field>_id`` column references nothing.
        """
        _check_table(values, 1, "insert")
        with self._translating():
            entity = await self.dao.insert(
                self.from_legacy(values), ttl=ttl, no_broadcast_crud_event=quiet
            )
        return self.to_legacy(entity)

    async def find(self, pk: Mapping[str, Any]) -> LegacyRow | None:
        """The row with this primary key (other columns are ignored), or ``None``.

        Raises:
            TypeError: ``pk`` is not a mapping.
            ValueError: ``Missing PRIMARY KEY field``.
            LegacySchemaError: the key is invalid (not a UUID...).
        """
        _check_table(pk, 1, "find")
        key = self._primary_key(pk)
        with self._translating():
            entity = await self.dao.select(key)
        return None if entity is None else self.to_legacy(entity)

    async def find_all(self, filter: Mapping[str, Any] | None = None) -> list[LegacyRow]:
        """Every row, or every row whose columns equal ``filter`` (0.13's ``find_all``).

        A filter holding the primary key or a unique column is one lookup. Otherwise the
        database filters where ``capabilities.filters`` holds (PostgreSQL: one query);
        elsewhere a filter holding a foreign key pages through that parent's children, and any
        other filter scans the table page by page, at most ``max_scan`` rows, beyond which
        :class:`~kongdao.legacy.errors.LegacyDBError` says the filter needs an index.

        Raises:
            TypeError: ``filter`` is not a mapping.
            ValueError: ``filter`` is empty.
            LegacySchemaError: ``{"foo": "foo is an unknown field"}``, an id that is not a UUID,
                a value of the wrong type.
            LegacyDBError: the scan bound was reached.
        """
        filters = self._filters(filter, "find_all")
        with self._translating():
            if filters is None:
                entities = [e async for e in self.dao.each(size=_FETCH_SIZE)]
            else:
                entities = await self._find_filtered(filters)
        return [self.to_legacy(e) for e in entities]

    async def find_page(
        self,
        filter: Mapping[str, Any] | None = None,
        offset: str | None = None,
        size: int = DEFAULT_PAGE_SIZE,
    ) -> tuple[list[LegacyRow], str | None]:
        """One page of rows (filtered as :meth:`find_all`) and the offset of the next page.

        Offsets are kongdao's opaque strings (keyset or paging state), not 0.13's PostgreSQL
        page numbers; the last page returns ``None``. Where the table is scanned (no
        ``capabilities.filters``), a page may hold fewer than ``size`` rows even when more
        follow; it is empty only at the end.

        Raises:
            TypeError: ``offset`` is not a string (a page number), ``size`` not a number.
            LegacySchemaError: invalid filter, size (1 to 50000) or offset.
            LegacyDBError: the scan bound was reached.
        """
        if offset is not None and not isinstance(offset, str):
            raise TypeError(
                "offset must be the string returned by the previous find_page: kongdao's "
                "offsets are opaque (0.13's page numbers are not supported)"
            )
        if not isinstance(size, int | float) or isinstance(size, bool):
            raise TypeError(
                f"bad argument #3 to 'find_page' (number expected, got {_lua_type(size)})"
            )
        filters = self._filters(filter, "find_page")
        with self._translating():
            if filters is None:
                entities, next_offset = await self.dao.page(size, offset)
            else:
                size = self.dao._check_options(size=size, offset=offset, check_size=True)
                found = await self._select_unique(filters)
                strategy = self._filtering()
                if found is not None:
                    entities, next_offset = found, None
                elif strategy is not None:
                    rows, next_offset = await strategy.find_page(filters, size, offset)
                    entities = [self.dao.row_to_entity(r) for r in rows]
                else:
                    entities, next_offset = await self._scan_page(filters, size, offset)
        return [self.to_legacy(e) for e in entities], next_offset

    async def count(self, filter: Mapping[str, Any] | None = None) -> int:
        """How many rows there are, or how many match ``filter`` (filtered as :meth:`find_all`).

        Without a filter this is the modern ``count()``: one ``COUNT(*)`` on PostgreSQL; on
        Cassandra it pages through the whole table (see :mod:`kongdao.legacy`).

        Raises:
            LegacySchemaError: invalid filter.
            LegacyDBError: the scan bound was reached.
        """
        filters = self._filters(filter, "count")
        with self._translating():
            if filters is None:
                return await self.dao.count()
            found = await self._select_unique(filters)
            if found is not None:
                return len(found)
            strategy = self._filtering()
            if strategy is not None:
                return await strategy.count_where(filters)
            return len(await self._scan(filters))

    async def update(
        self,
        values: Mapping[str, Any],
        filter_keys: Mapping[str, Any],
        *,
        full: bool = False,
        ttl: int | None = None,
        quiet: bool = False,
    ) -> LegacyRow | None:
        """Update the row whose primary key is in ``filter_keys``; ``None`` when there is none.

        Partial by default (PATCH: only the given columns change, records are merged);
        ``full=True`` replaces the row (PUT restricted to existing rows: absent columns take
        their defaults or become null, required ones are checked; ``created_at`` is kept).
        Either way the read and the write are one atomic step of the modern ``update``.

        Args:
            values: the new column values.
            filter_keys: holds the primary key; its other columns fill absent ``values``.
            full: replace instead of merge.
            ttl: seconds before the row expires (entities with ``ttl`` only).
            quiet: do not emit the ``update`` event.

        Raises:
            TypeError: an argument is not a mapping.
            ValueError: an argument is empty, or the primary key is missing.
            LegacySchemaError: the result would be invalid.
            LegacyUniqueError: a unique column is taken.
            LegacyForeignError: a ``<field>_id`` column references nothing.
        """
        _check_table(values, 1, "update")
        _check_not_empty(values, 1, "update")
        _check_table(filter_keys, 2, "update")
        _check_not_empty(filter_keys, 2, "update")
        pk = self._primary_key(filter_keys)
        merged = {**filter_keys, **values}
        changes = {k: v for k, v in self.from_legacy(merged).items() if k not in pk}
        with self._translating():
            if full:
                changes = self._full_values(changes)
            try:
                entity = await self.dao.update(pk, changes, ttl=ttl, no_broadcast_crud_event=quiet)
            except errors.NotFound:
                return None
        return self.to_legacy(entity)

    def _full_values(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Every column of a full update: the given ones, defaults, explicit nulls."""
        from kongdao.schema.schema import ShorthandError

        try:
            full = self.schema.process_auto_fields(changes, "upsert")
        except ShorthandError as exc:
            raise errors.schema_violation(exc.errors) from None
        for name in self.schema.primary_key:
            full.pop(name, None)
        if "created_at" not in changes:
            full.pop("created_at", None)
        for name, f in self.schema.each_field(full):
            # required columns without a default: absent means null, which validation reports
            if name not in full and not f.auto and name not in self.schema.primary_key:
                full[name] = None
        return full

    async def delete(self, pk: Mapping[str, Any], *, quiet: bool = False) -> LegacyRow | None:
        """Delete the row (and cascade); return the deleted row, or ``None`` when there was none.

        Raises:
            TypeError: ``pk`` is not a mapping.
            ValueError: ``Missing PRIMARY KEY field``.
            LegacyForeignError: a ``restrict`` reference prevents the delete.
        """
        _check_table(pk, 1, "delete")
        key = self._primary_key(pk)
        with self._translating():
            entity = await self.dao.delete(key, no_broadcast_crud_event=quiet)
        return None if entity is None else self.to_legacy(entity)

    async def truncate(self) -> None:
        """Remove every row (no events)."""
        with self._translating():
            await self.dao.truncate()

    def cache_key(
        self,
        arg1: Any = None,
        arg2: Any = None,
        arg3: Any = None,
        arg4: Any = None,
        arg5: Any = None,
    ) -> str:
        """0.13's cache key: ``"<table>:a1:a2:a3:a4:a5"`` (missing values are empty).

        It differs from the modern ``DAO.cache_key`` (which adds a workspace segment): caches
        shared by legacy and modern code must use one of the two.
        """
        args = (arg1, arg2, arg3, arg4, arg5)
        parts = ["" if a is None else legacy_errors.lua_tostring(a) for a in args]
        return ":".join([self.table, *parts])

    def entity_cache_key(self, entity: Mapping[str, Any] | Entity) -> str | None:
        """The cache key of a row from the schema's ``cache_key`` columns (``None`` without)."""
        columns = self.cache_key_columns
        if not columns:
            return None
        row = self.to_legacy(entity) if isinstance(entity, Entity) else entity
        return self.cache_key(*(row.get(c) for c in columns[:5]))


class LegacyFactory:
    """Kong 0.13's DAO factory (``singletons.dao``): ``db.dao.<entity>`` over one DB.

    One :class:`LegacyDAO` per entity the DB serves: ``services``, ``routes``, ``consumers``,
    ``plugins`` and ``tags`` as typed attributes, others (plugin entities) by attribute or
    item (``db.dao.keyauth_credentials``, ``db.dao["keyauth_credentials"]``).

    Args:
        db: the DB every call goes through (opened before the first call).
        max_scan: the bound on rows examined by a filtered read where the database cannot
            filter (see :mod:`kongdao.legacy`).

    .. versionadded:: 0.1
    """

    def __init__(self, db: DB, *, max_scan: int = DEFAULT_MAX_SCAN) -> None:
        self.db = db
        self.max_scan = max_scan
        self._daos: dict[str, LegacyDAO] = {}

    def __repr__(self) -> str:
        return f"<LegacyFactory {self.db!r}>"

    @property
    def db_name(self) -> str:
        """``postgres`` or ``cassandra`` (0.13's ``db.name``)."""
        return self.db.connector.name

    def get(self, name: str) -> LegacyDAO:
        """The legacy DAO of entity ``name``.

        Raises:
            InterfaceError: the DB is not open yet.
            KeyError: the DB serves no such entity.
        """
        legacy = self._daos.get(name)
        if legacy is not None:
            return legacy
        dao = self.db.daos.get(name)
        if dao is None:
            from kongdao.db import DBState

            if self.db.state is not DBState.OPEN:
                raise errors.InterfaceError(
                    f"cannot use db.dao.{name}: the DB is {self.db.state.value} "
                    "(await kongdao.connect(...) first)"
                )
            raise KeyError(name)
        return self._daos.setdefault(name, LegacyDAO(self, dao))

    def __getitem__(self, name: str) -> LegacyDAO:
        return self.get(name)

    def __getattr__(self, name: str) -> LegacyDAO:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.get(name)
        except KeyError:
            raise AttributeError(f"the DB serves no entity named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.db.daos

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.db.daos))

    @property
    def services(self) -> LegacyDAO:
        """The legacy DAO of ``services``."""
        return self.get("services")

    @property
    def routes(self) -> LegacyDAO:
        """The legacy DAO of ``routes``."""
        return self.get("routes")

    @property
    def consumers(self) -> LegacyDAO:
        """The legacy DAO of ``consumers``."""
        return self.get("consumers")

    @property
    def plugins(self) -> LegacyDAO:
        """The legacy DAO of ``plugins``."""
        return self.get("plugins")

    @property
    def tags(self) -> LegacyDAO:
        """The legacy DAO of ``tags`` (read-only)."""
        return self.get("tags")

    async def truncate_table(self, name: str) -> None:
        """Remove every row of one entity (0.13's ``truncate_table``)."""
        await self.get(name).truncate()

    async def truncate_tables(self) -> None:
        """Remove every row of every entity, children first (0.13's ``truncate_tables``)."""
        for name in reversed(list(self.db.daos)):
            await self.get(name).truncate()
