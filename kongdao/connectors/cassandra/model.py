"""The Cassandra table model of an entity, derived once from its schema.

Used by :mod:`.ddl` (to print the tables) and :mod:`.strategy` (to build the statements), so
the two can never disagree. For an entity ``E`` with primary key ``id``:

``E``
    The main table, one row per entity, partitioned by the primary key, so rows spread over
    the ring (Kong put every row of a core table in one constant partition). One column per
    field: a foreign field ``service`` is ``service_id``; UUID strings ``uuid``; strings
    ``text``; integers ``bigint``; numbers ``double``; booleans ``boolean``; auto timestamps
    (``created_at``, ``updated_at``) ``timestamp`` (seconds in rows); arrays and sets of scalars
    ``list<...>`` (a list, not a CQL ``set``, because sets come back sorted while Kong rows
    keep the order given); records, maps, ``any`` and arrays of records JSON ``text``
    (Cassandra 2.1 has no frozen nested collections); ``cache_key text`` for composite cache
    keys. Bookkeeping columns: ``kongdao_version uuid``, a fresh random value on every
    write, which compare-and-set writes compare (``IF kongdao_version = ?``) and whose
    ``TTL()`` is the row's remaining time to live; ``kongdao_live boolean``, always ``true``,
    for writes conditional on the row existing (``IF kongdao_live = true``: Cassandra 2.1.0
    has no ``UPDATE ... IF EXISTS``); and, when the entity has list columns,
    ``kongdao_empty set<text>``, the names of the fields holding an empty list (Cassandra
    stores an empty collection as null).
``E_by_<field>`` (one per unique field, and ``E_by_cache_key``)
    ``(value <type> PRIMARY KEY, id <pk type>)``: who holds a unique value. Uniqueness is
    claimed here with a lightweight transaction before the row is written.
``E_by_<foreign field>`` (one per foreign key)
    ``(<field>_id <type>, id <pk type>, PRIMARY KEY (<field>_id, id))``: the children of one
    parent in one partition, for ``page_for_<fk>``, cascades and restrictions. A *unique*
    foreign key needs no such table: its lookup table already maps the parent to its child.
``E_by_tag`` (entities with ``tags``)
    ``(tag text, id <pk type>, PRIMARY KEY (tag, id))``: the entities carrying one tag.

Workspaceable entities carry their workspace as if it were a foreign key ``ws`` to
``workspaces``: a ``ws_id uuid`` column and an ``E_by_ws`` child index (a workspace's rows, for
its pages and for refusing to delete a workspace that holds rows). Unique values held per
workspace are claimed in their lookup table as ``"<ws_id>:<value>"`` (Kong's prefixed values);
``unique_across_ws`` fields and the composite cache key (which ends with the workspace id)
are claimed as they are.

Table names must be at most 48 characters of letters, digits and underscores (Cassandra's
rule); every identifier is quoted in statements. Composite primary keys are not supported.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from kongdao.schema.entity import EntitySchema
from kongdao.schema.fields import Field

__all__ = [
    "EMPTY_COLUMN",
    "WS_FIELD",
    "LIVE_COLUMN",
    "VERSION_COLUMN",
    "ChildIndex",
    "Column",
    "EntityModel",
    "LookupTable",
    "column_type",
    "quote_ident",
]

VERSION_COLUMN: Final = "kongdao_version"
"""Bookkeeping column: a random uuid written with every write of the row."""
LIVE_COLUMN: Final = "kongdao_live"
"""Bookkeeping column: ``true`` in every live row (Cassandra 2.1 has no ``UPDATE ... IF
EXISTS``: ``IF kongdao_live = true`` says it)."""
EMPTY_COLUMN: Final = "kongdao_empty"
"""Bookkeeping column: names of the list fields holding an empty list."""

WS_FIELD: Final = "ws"
"""The name under which the strategy holds a row's workspace (``{"id": ...}``), stored as the
column ``ws_id`` like a foreign key to ``workspaces``."""
_WS_REF: Final = Field(type="foreign", reference="workspaces")

_NAME = re.compile(r"^[A-Za-z0-9_]{1,48}$")
_SCALARS: Final = {"string": "text", "integer": "bigint", "number": "double", "boolean": "boolean"}

Converter = Callable[[Any], Any]


def quote_ident(name: str) -> str:
    """Quote a CQL identifier (names only ever come from registered schemas)."""
    return '"' + name.replace('"', '""') + '"'


def check_table_name(name: str, what: str = "table") -> str:
    """Return ``name`` if Cassandra accepts it as a table name, else raise ``ValueError``."""
    if not _NAME.match(name):
        raise ValueError(
            f"'{name}' cannot be a Cassandra {what} name: at most 48 letters, digits or underscores"
        )
    return name


def column_type(field: Field, foreign_pk: Field | None = None) -> str:
    """The CQL type of a field's column."""
    if field.type == "foreign":
        return column_type(foreign_pk) if foreign_pk is not None else "uuid"
    if field.is_auto_timestamp:
        return "timestamp"
    if field.is_nested:
        return "text"
    if field.type in ("array", "set"):
        assert field.elements is not None
        return f"list<{_SCALARS[field.elements.type]}>"
    if field.type == "string":
        return "uuid" if field.uuid else "text"
    return _SCALARS[field.type]


def _json_dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_loads(value: Any) -> Any:
    return None if value is None else json.loads(value)


def _list_to_db(value: Any) -> Any:
    return list(value) if value else None


def _seconds_int(value: Any) -> Any:
    return None if value is None else math.floor(value.timestamp())


def _seconds_float(value: Any) -> Any:
    return None if value is None else value.timestamp()


def _lower(value: Any) -> Any:
    # UUIDs come back from Cassandra in canonical (lower-case) form, as from PostgreSQL.
    return value.lower() if isinstance(value, str) else value


def _same(value: Any) -> Any:
    return value


def _norm_int(value: Any) -> Any:
    return None if value is None else math.floor(value)


def _norm_ms(value: Any) -> Any:
    return None if value is None else round(float(value), 3)


class Column:
    """How one field is stored: column name, CQL type and value conversions.

    ``to_db`` turns a Kong value into the bound value, ``from_db`` a fetched value into the Kong
    value, and ``normalize`` a Kong value into what reading it back would give (so ``insert``
    can return the row as stored without reading it). ``None`` means "no conversion".
    """

    __slots__ = (
        "cql_type",
        "field",
        "fk_key",
        "from_db",
        "is_list",
        "kind",
        "name",
        "normalize",
        "quoted",
        "to_db",
    )

    def __init__(self, name: str, field: Field, foreign_pk: Field | None, fk_key: str) -> None:
        self.field = name
        self.fk_key = fk_key
        self.cql_type = column_type(field, foreign_pk)
        self.is_list = self.cql_type.startswith("list<")
        self.to_db: Converter | None = None
        self.from_db: Converter | None = None
        self.normalize: Converter | None = None
        if field.type == "foreign":
            self.kind = "foreign"
            self.name = f"{name}_{fk_key}"

            canon = _lower if self.cql_type == "uuid" else _same

            def fk_to_db(value: Any, key: str = fk_key) -> Any:
                return canon(value.get(key)) if isinstance(value, Mapping) else None

            def fk_from_db(value: Any, key: str = fk_key) -> Any:
                return None if value is None else {key: value}

            def fk_normalize(value: Any, key: str = fk_key) -> Any:
                return {key: canon(value.get(key))} if isinstance(value, Mapping) else value

            self.to_db, self.from_db, self.normalize = fk_to_db, fk_from_db, fk_normalize
        else:
            self.name = name
            if field.is_auto_timestamp:
                self.kind = "timestamp"
                if field.type == "integer":
                    self.from_db, self.normalize = _seconds_int, _norm_int
                else:
                    self.from_db, self.normalize = _seconds_float, _norm_ms
            elif field.is_nested:
                self.kind = "json"
                self.to_db, self.from_db = _json_dumps, _json_loads

                def json_normalize(value: Any) -> Any:
                    return _json_loads(_json_dumps(value))

                self.normalize = json_normalize
            elif self.is_list:
                self.kind = "list"
                self.to_db = _list_to_db
            elif self.cql_type == "uuid":
                self.kind = "uuid"
                self.to_db = self.normalize = _lower
            else:
                self.kind = "plain"
        check_table_name(self.name, "column")
        self.quoted = quote_ident(self.name)

    def db_value(self, value: Any) -> Any:
        """The bound value of a Kong value."""
        return value if self.to_db is None else self.to_db(value)


class LookupTable:
    """``<entity>_by_<field>``: the holder of each value of a unique field (or cache key).

    ``per_ws``: the value is unique per workspace, and claimed as ``"<ws_id>:<value>"``.
    """

    __slots__ = ("column", "field", "per_ws", "quoted", "table", "value_type")

    def __init__(
        self, entity: str, field: str, column: Column | None, *, per_ws: bool = False
    ) -> None:
        self.field = field
        self.column = column
        self.per_ws = per_ws
        self.table = check_table_name(f"{entity}_by_{field}")
        self.quoted = quote_ident(self.table)
        if per_ws and column is not None and column.cql_type != "text":
            raise ValueError(
                f"'{entity}.{field}': a value unique per workspace must be a string on Cassandra"
            )
        self.value_type = "text" if column is None else column.cql_type

    def value(self, row: Mapping[str, Any]) -> Any:
        """The bound value of this field in a Kong row (``None`` when unset)."""
        if self.column is None:
            return row.get("cache_key")
        value = self.column.db_value(row.get(self.field))
        if value is None or not self.per_ws:
            return value
        ws = row.get(WS_FIELD)
        return f"{ws.get('id') if isinstance(ws, Mapping) else ''}:{value}"

    def bound(self, value: Any, ws: str | None) -> Any:
        """The claimed value of a lookup of ``value`` in workspace ``ws``."""
        if self.column is None:
            return value
        value = self.column.db_value(value)
        if value is None or not self.per_ws:
            return value
        return f"{ws or ''}:{value}"


class ChildIndex:
    """How to find the children of one parent through the foreign key ``field``.

    Either its own table ``<child>_by_<field>`` (``key`` = the foreign column, clustered by
    the child's primary key) or, for a unique foreign key, the field's lookup table (``key`` =
    ``value``).
    """

    __slots__ = ("column", "field", "key", "lookup", "quoted", "table")

    def __init__(self, entity: str, column: Column, lookup: LookupTable | None) -> None:
        self.field = column.field
        self.column = column
        self.lookup = lookup
        if lookup is not None:
            self.table, self.key = lookup.table, "value"
        else:
            self.table = check_table_name(f"{entity}_by_{column.field}")
            self.key = column.name
        self.quoted = quote_ident(self.table)

    def value(self, row: Mapping[str, Any]) -> Any:
        """The bound parent key in a Kong row (``None`` when unset)."""
        return self.column.db_value(row.get(self.field))


class EntityModel:
    """Every table and column of one entity on Cassandra (see the module docstring).

    Args:
        schema: The entity's schema.
        schemas: Every schema served (to type foreign keys); references to entities missing
            from it are stored as ``uuid`` and not checked.

    Raises:
        ValueError: a composite primary key, or a name Cassandra cannot take.
    """

    def __init__(self, schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> None:
        self.schema = schema
        self.name = check_table_name(schema.name or "")
        self.quoted = quote_ident(self.name)
        if len(schema.primary_key) != 1:
            raise ValueError(
                f"'{self.name}': the Cassandra connector supports single-column primary keys only"
            )
        columns: list[Column] = []
        for fname, f in schema.fields:
            if f.type == "foreign":
                ref = schemas.get(f.reference or "")
                fk_key = ref.primary_key[0] if ref is not None else "id"
                foreign_pk = ref.field_map[fk_key] if ref is not None else None
                columns.append(Column(fname, f, foreign_pk, fk_key))
            else:
                columns.append(Column(fname, f, None, "id"))
        self.workspaceable = schema.workspaceable
        if schema.workspaceable:
            if WS_FIELD in schema.field_map:
                raise ValueError(f"'{self.name}': a workspaceable entity cannot have a field 'ws'")
            columns.append(Column(WS_FIELD, _WS_REF, None, "id"))
        self.columns = columns
        self.by_field = {c.field: c for c in columns}
        self.pk = self.by_field[schema.primary_key[0]]
        self.regular = [c for c in columns if c is not self.pk]
        self.list_columns = [c for c in columns if c.is_list]
        self.has_cache_key = schema.composite_cache_key
        self.has_ttl = schema.ttl

        self.lookups: dict[str, LookupTable] = {
            n: LookupTable(
                self.name,
                n,
                self.by_field[n],
                per_ws=schema.workspaceable and not schema.field_map[n].unique_across_ws,
            )
            for n in schema.unique_fields
            if schema.field_map[n].unique
        }
        if self.has_cache_key:
            self.lookups["cache_key"] = LookupTable(self.name, "cache_key", None)
        self.children: dict[str, ChildIndex] = {
            c.field: ChildIndex(self.name, c, self.lookups.get(c.field))
            for c in columns
            if c.kind == "foreign"
        }
        tags = schema.field_map.get("tags")
        self.tag_table: str | None = None
        if tags is not None and self.by_field["tags"].cql_type == "list<text>":
            self.tag_table = check_table_name(f"{self.name}_by_tag")

        tables = [self.name, *(lk.table for lk in self.lookups.values())]
        tables += [ix.table for ix in self.children.values() if ix.lookup is None]
        if self.tag_table is not None:
            tables.append(self.tag_table)
        if len(set(tables)) != len(tables):
            raise ValueError(f"'{self.name}': two of its Cassandra tables would share a name")
        self.tables: tuple[str, ...] = tuple(tables)
