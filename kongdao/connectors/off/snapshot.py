"""One loaded configuration of the ``off`` connector: immutable rows and their indexes.

A :class:`Snapshot` is built once per :meth:`~kongdao.connectors.off.OffConnector.load`, away
from the readers, and never changes afterwards: readers take the connector's current snapshot
once per call and see one consistent configuration, whatever reload happens meanwhile.

What :func:`build` accepts (the rows contract) is documented on
:meth:`~kongdao.connectors.off.OffConnector.load`. Per entity, a :class:`Table` holds

* the rows in primary-key order (the order PostgreSQL pages in), each reduced to the schema's
  fields, deep-copied from the input;
* the absolute expiry of each row (schemas with ``ttl``; on the connector's clock);
* ``by_pk``: primary key -> row position;
* ``by_field``: for every unique field, endpoint key and the composite ``cache_key``, value ->
  positions of the rows holding it (one, except for an endpoint key that is not unique);
* ``by_foreign``: for every foreign key, referenced primary key -> positions of the children;
* ``by_tag``: tag -> positions of the rows carrying it.

Lookup values are normalised the way the databases compare them: UUIDs case-insensitively,
foreign keys by the referenced primary key's values.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from kongdao import errors
from kongdao.schema.entity import entity_cache_key
from kongdao.schema.schema import deepcopy_json, lua_tostring
from kongdao.workspaces import DEFAULT_WORKSPACE_ID

if TYPE_CHECKING:
    from kongdao.schema.entity import EntitySchema
    from kongdao.schema.fields import Field

__all__ = ["Snapshot", "Table", "TagPair", "build", "cache_key", "empty"]

STRATEGY: Final = "off"

Normalizer = Callable[[Any], Hashable | None]

_MAX_TTL: Final = 100_000_000


def cache_key(schema: EntitySchema, row: Mapping[str, Any]) -> str:
    """The DAO's cache key of ``row`` (``"<entity>:a:b:c:d:e:<ws_id>"``), as ``DAO.cache_key``.

    A declarative configuration is the ``default`` workspace.
    """
    return entity_cache_key(schema, row, DEFAULT_WORKSPACE_ID)


def _hashable(value: Any) -> Hashable:
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return value  # type: ignore[no-any-return]


def _lower_uuid(value: Any) -> Hashable | None:
    if value is None:
        return None
    return value.lower() if isinstance(value, str) else _hashable(value)


def _plain(value: Any) -> Hashable | None:
    return None if value is None else _hashable(value)


def normalizer(field: Field, schemas: Mapping[str, EntitySchema]) -> Normalizer:
    """How values of ``field`` are compared (``None``: never equal to anything)."""
    if field.type == "foreign":
        ref = schemas.get(field.reference or "")
        names = ref.primary_key if ref is not None else ("id",)
        parts = [_lower_uuid if ref is None or ref.field_map[n].uuid else _plain for n in names]

        def foreign(value: Any) -> Hashable | None:
            if not isinstance(value, Mapping):
                return None
            key = tuple(norm(value.get(n)) for n, norm in zip(names, parts, strict=True))
            return None if any(k is None for k in key) else key

        return foreign
    if field.type == "string" and field.uuid:
        return _lower_uuid
    return _plain


@attrs.frozen(eq=False)
class TagPair:
    """One tag of one entity: a row of the ``tags`` entity."""

    tag: str
    entity_name: str
    entity_id: str
    expiry: float | None

    def row(self) -> dict[str, Any]:
        """The ``tags`` row."""
        return {"tag": self.tag, "entity_name": self.entity_name, "entity_id": self.entity_id}


@attrs.frozen(eq=False)
class Table:
    """The rows of one entity in one snapshot, with their indexes (see the module docstring)."""

    schema: EntitySchema
    rows: tuple[Mapping[str, Any], ...]
    expiry: tuple[float | None, ...] | None
    by_pk: Mapping[Hashable, int]
    by_field: Mapping[str, Mapping[Hashable, tuple[int, ...]]]
    by_foreign: Mapping[str, Mapping[Hashable, tuple[int, ...]]]
    by_tag: Mapping[str, tuple[int, ...]]
    normalizers: Mapping[str, Normalizer]

    def pk_key(self, pk: Mapping[str, Any]) -> Hashable | None:
        """The ``by_pk`` key of a primary key (``None`` when a part is missing)."""
        key = tuple(self.normalizers[n](pk.get(n)) for n in self.schema.primary_key)
        return None if any(k is None for k in key) else key

    def field_key(self, field: str, value: Any) -> Hashable | None:
        """The ``by_field`` / ``by_foreign`` key of a value of ``field``."""
        norm = self.normalizers.get(field, _plain)
        return norm(value)

    def alive(self, position: int, now: float) -> bool:
        """Whether the row at ``position`` has not expired at ``now``."""
        if self.expiry is None:
            return True
        expiry = self.expiry[position]
        return expiry is None or expiry >= now

    def row(self, position: int, now: float) -> dict[str, Any]:
        """A fresh copy of the row at ``position``, with its remaining ``ttl`` if any."""
        row: dict[str, Any] = deepcopy_json(self.rows[position])
        if self.expiry is not None:
            expiry = self.expiry[position]
            row["ttl"] = None if expiry is None else math.floor(expiry - now)
        return row


@attrs.frozen(eq=False)
class Snapshot:
    """One loaded configuration: a table per entity and the ``tags`` pairs."""

    id: str
    tables: Mapping[str, Table]
    tags: tuple[TagPair, ...]
    """Every (tag, entity) pair, ordered by entity id then tag position (as PostgreSQL)."""
    tags_by_tag: Mapping[str, tuple[int, ...]]
    """Tag -> positions in :attr:`tags`, ordered by entity id."""

    @property
    def size(self) -> int:
        """The number of entities loaded."""
        return sum(len(t.rows) for t in self.tables.values())


def empty() -> Snapshot:
    """The configuration before anything is loaded: no entities."""
    return Snapshot(secrets.token_hex(6), MappingProxyType({}), (), MappingProxyType({}))


# ---------------------------------------------------------------------------------------------
# Building


def _sort_key(schema: EntitySchema, row: Mapping[str, Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    for name in schema.primary_key:
        value = row.get(name)
        if isinstance(value, Mapping):
            value = _hashable(value)
        if isinstance(value, str) and schema.field_map[name].uuid:
            value = value.lower()
        # numbers before strings, never compared with each other
        out.append((0, value, "") if isinstance(value, int | float) else (1, 0, str(value)))
    return tuple(out)


class _Errors:
    """Problems found in a configuration, in Kong's nested shape (1-based item indexes)."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, entity: str, index: int | None, message: Any) -> None:
        if index is None:
            self.tree[entity] = message
            return
        items = self.tree.setdefault(entity, {})
        if isinstance(items, dict):
            items.setdefault(index, message)

    def raise_if_any(self) -> None:
        if self.tree:
            raise errors.declarative_config(self.tree, strategy=STRATEGY)


def _uniqueness(entity: str, key: str, value: str) -> str:
    # Kong 3's uniqueness_error_msg, as kongdao.declarative words it
    return f"uniqueness violation: '{entity}' entity with {key} set to '{value}' already declared"


def _shown(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("id", _hashable(value))
    return lua_tostring(value)


def _ttl_error(ttl: Any) -> str | None:
    if ttl is None:
        return None
    if (
        isinstance(ttl, bool)
        or not isinstance(ttl, int | float)
        or not math.isfinite(ttl)
        or ttl != math.floor(ttl)
        or not 0 <= ttl <= _MAX_TTL
    ):
        return f"must be an integer between 0 and {_MAX_TTL}"
    return None


@attrs.frozen(eq=False)
class _Item:
    row: dict[str, Any]
    expiry: float | None
    index: int  # 1-based, in the list given, for error reports


def _stored(
    schema: EntitySchema, schemas: Mapping[str, EntitySchema], item: Mapping[str, Any]
) -> dict[str, Any]:
    """The row as a database returns it: every field, UUIDs in canonical (lower) case."""
    row: dict[str, Any] = {}
    for fname, f in schema.fields:
        value = deepcopy_json(item.get(fname))
        if isinstance(value, str) and f.type == "string" and f.uuid:
            value = value.lower()
        elif isinstance(value, dict) and f.type == "foreign":
            ref = schemas.get(f.reference or "")
            if ref is not None:
                value = {
                    k: v.lower()
                    if isinstance(v, str) and k in ref.field_map and ref.field_map[k].uuid
                    else v
                    for k, v in value.items()
                }
        row[fname] = value
    return row


def build(
    entities: Mapping[str, Iterable[Any]],
    schemas: Mapping[str, EntitySchema],
    now: float,
) -> Snapshot:
    """Check a configuration and build its snapshot (see ``OffConnector.load``).

    Raises:
        DeclarativeConfigError: an unknown entity, an item that is not a mapping, a missing or
            repeated primary key, a repeated unique value or composite cache key, a foreign key
            that references no loaded entity, or an invalid ``ttl``; every problem at once.
    """
    problems = _Errors()
    prepared: dict[str, list[_Item]] = {}
    for name, items in entities.items():
        schema = schemas.get(name)
        if schema is None:
            problems.add(name, None, "unknown entity")
            continue
        if name == "tags":
            problems.add(name, None, "derived from the tags of the other entities; not loadable")
            continue
        rows: list[_Item] = []
        for index, item in enumerate(items, 1):
            if not isinstance(item, Mapping):
                problems.add(name, index, "expected a record")
                continue
            row = _stored(schema, schemas, item)
            missing = {k: "missing primary key" for k in schema.primary_key if row[k] is None}
            if missing:
                problems.add(name, index, missing)
                continue
            expiry = None
            if schema.ttl:
                ttl = item.get("ttl")
                err = _ttl_error(ttl)
                if err is not None:
                    problems.add(name, index, {"ttl": err})
                    continue
                expiry = None if not ttl else now + ttl
            if schema.composite_cache_key:
                stored = item.get("cache_key")
                row["cache_key"] = stored if isinstance(stored, str) else cache_key(schema, row)
            rows.append(_Item(row, expiry, index))
        rows.sort(key=lambda it: _sort_key(schema, it.row))
        prepared[name] = rows

    tables = {
        name: _table(name, schemas[name], schemas, items, problems)
        for name, items in prepared.items()
    }
    _check_references(tables, prepared, problems)
    problems.raise_if_any()
    tags, tags_by_tag = _tag_pairs(tables)
    return Snapshot(secrets.token_hex(6), MappingProxyType(tables), tags, tags_by_tag)


def _table(
    name: str,
    schema: EntitySchema,
    schemas: Mapping[str, EntitySchema],
    items: Sequence[_Item],
    problems: _Errors,
) -> Table:
    norms: dict[str, Normalizer] = {fname: normalizer(f, schemas) for fname, f in schema.fields}
    norms["cache_key"] = _plain
    indexed = [*schema.unique_fields]
    if schema.composite_cache_key:
        indexed.append("cache_key")
    by_pk: dict[Hashable, int] = {}
    by_field: dict[str, dict[Hashable, list[int]]] = {f: {} for f in indexed}
    by_foreign: dict[str, dict[Hashable, list[int]]] = {f: {} for f, _ in schema.foreign_fields}
    by_tag: dict[str, list[int]] = {}
    has_tags = "tags" in schema.field_map
    for position, item in enumerate(items):
        row = item.row
        pk = tuple(norms[k](row[k]) for k in schema.primary_key)
        if pk in by_pk:
            shown = ":".join(_shown(row[k]) for k in schema.primary_key)
            problems.add(name, item.index, _uniqueness(name, "primary key", shown))
            continue
        by_pk[pk] = position
        for fname in indexed:
            key = norms[fname](row.get(fname))
            if key is None:
                continue
            holders = by_field[fname].setdefault(key, [])
            # an endpoint key that is not unique (targets' target) may repeat
            if holders and (fname == "cache_key" or schema.field_map[fname].unique):
                problems.add(name, item.index, _uniqueness(name, fname, _shown(row[fname])))
            holders.append(position)
        for fname, index in by_foreign.items():
            key = norms[fname](row.get(fname))
            if key is not None:
                index.setdefault(key, []).append(position)
        tags = row.get("tags") if has_tags else None
        if isinstance(tags, list):
            for tag in dict.fromkeys(t for t in tags if isinstance(t, str)):
                by_tag.setdefault(tag, []).append(position)
    return Table(
        schema=schema,
        rows=tuple(MappingProxyType(item.row) for item in items),
        expiry=tuple(item.expiry for item in items) if schema.ttl else None,
        by_pk=MappingProxyType(by_pk),
        by_field=MappingProxyType(
            {f: MappingProxyType({k: tuple(v) for k, v in m.items()}) for f, m in by_field.items()}
        ),
        by_foreign=MappingProxyType(
            {
                f: MappingProxyType({k: tuple(v) for k, v in m.items()})
                for f, m in by_foreign.items()
            }
        ),
        by_tag=MappingProxyType({t: tuple(p) for t, p in by_tag.items()}),
        normalizers=MappingProxyType(norms),
    )


def _check_references(
    tables: Mapping[str, Table], prepared: Mapping[str, Sequence[_Item]], problems: _Errors
) -> None:
    for name, table in tables.items():
        for fname, f in table.schema.foreign_fields:
            target = f.reference or ""
            parent = tables.get(target)
            for item in prepared[name]:
                value = item.row.get(fname)
                if value is None:
                    continue
                key = parent.pk_key(value) if parent and isinstance(value, Mapping) else None
                if parent is None or key is None or key not in parent.by_pk:
                    shown = json.dumps(value, separators=(",", ":"), default=str)
                    problems.add(
                        name,
                        item.index,
                        f"invalid reference '{fname}: {shown}' (no such entry in '{target}')",
                    )


def _tag_pairs(
    tables: Mapping[str, Table],
) -> tuple[tuple[TagPair, ...], Mapping[str, tuple[int, ...]]]:
    found: list[tuple[str, str, int, TagPair]] = []
    for name, table in tables.items():
        schema = table.schema
        if "tags" not in schema.field_map or schema.primary_key != ("id",):
            continue
        for position, row in enumerate(table.rows):
            tags = row.get("tags")
            if not isinstance(tags, list):
                continue
            expiry = table.expiry[position] if table.expiry is not None else None
            entity_id = str(row["id"])
            for ordinal, tag in enumerate(tags, 1):
                if isinstance(tag, str):
                    found.append((entity_id, name, ordinal, TagPair(tag, name, entity_id, expiry)))
    found.sort(key=lambda item: item[:3])
    pairs = tuple(item[3] for item in found)
    by_tag: dict[str, list[int]] = {}
    for position, pair in enumerate(pairs):
        by_tag.setdefault(pair.tag, []).append(position)
    return pairs, MappingProxyType({t: tuple(p) for t, p in by_tag.items()})
