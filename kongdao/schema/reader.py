"""Compiled readers: database rows to typed entities in one pass.

Reading is the gateway's hot path: every ``select`` and every row of every page goes through
Kong's select-processing (``process_auto_fields(row, "select")``) and then the converter. For a
schema without subschemas or ``on_read`` transformations, :func:`compile_reader` builds one
function per schema that does exactly what those two steps do, field by field, with the
decisions taken once at build time (a schema whose shorthands are named after its fields, whose
select-processing rewrites rows, takes the general path):

* absent or null values get the field's default when Kong would give one, else ``None``;
* integers read back as floats are floored; ``""`` reads as null for (non-legacy) strings;
* sets are de-duplicated; records, maps and arrays of records go through Kong's full
  select-processing (their nested defaults and nulls);
* foreign keys become :class:`~kongdao.schema.fields.Ref`.

``tests/unit/test_reader.py`` checks, on generated rows, that a compiled reader and the general
path give equal entities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kongdao.schema.fields import SCALAR_TYPES, UNSET, Field, Ref
from kongdao.schema.schema import _adjust, _dedup, deepcopy_json

if TYPE_CHECKING:
    from kongdao.schema.entity import Entity, EntitySchema

__all__ = ["compile_reader"]

Reader = Callable[[Mapping[str, Any]], "Entity"]


def _missing(f: Field) -> Callable[[], Any]:
    """What an absent or null value reads as (Kong's handle_missing_field, then nulls dropped)."""
    if f.default is not UNSET:
        default = f.default
        if isinstance(default, (dict, list, tuple)):
            return lambda: deepcopy_json(default)
        return lambda: default
    return lambda: None


def _converter(name: str, f: Field) -> Callable[[Any], Any]:
    missing = _missing(f)
    required = f.required is True
    t = f.type

    def absent_or_null(value: Any) -> Any:
        # absent: handle_missing always; null: only for required fields
        if value is UNSET or required:
            v = missing()
            return None if v is UNSET else v
        return None

    if t == "foreign":

        def foreign(value: Any) -> Any:
            if value is UNSET or value is None:
                return absent_or_null(value)
            return value if isinstance(value, Ref) else Ref(value)

        return foreign
    if t in ("string", "boolean", "number") or (t == "integer"):
        empty_is_null = (
            t == "string" and not f.legacy and (f.len_min if f.len_min is not None else 1) > 0
        )
        legacy_uuid = f.legacy and f.uuid

        def scalar(value: Any) -> Any:
            if value is UNSET or value is None:
                return absent_or_null(value)
            if t == "integer" and type(value) is float and math.isfinite(value):
                return math.floor(value)
            if value == "" and (legacy_uuid or empty_is_null):
                if legacy_uuid:
                    return absent_or_null(None)
                return None
            return value

        return scalar
    simple_elements = (
        t in ("array", "set")
        and f.elements is not None
        and f.elements.type in SCALAR_TYPES
        and not f.elements.auto
        and f.elements.default is UNSET
    )
    if simple_elements:
        is_set = t == "set"

        def sequence(value: Any) -> Any:
            if value is UNSET or value is None:
                return absent_or_null(value)
            if isinstance(value, (list, tuple)):
                return _dedup(value) if is_set else list(value)
            return value

        return sequence

    def general(value: Any) -> Any:
        v = _adjust(f, value, "select", False, False)
        return None if v is UNSET else v

    return general


def _read_shape(f: Field) -> tuple[Any, ...]:
    """What decides how a field reads back (see :func:`_converter`)."""
    elements = f.elements
    return (
        f.type,
        f.required,
        repr(f.default),
        f.legacy,
        f.uuid,
        f.len_min,
        None if elements is None else (elements.type, elements.auto, repr(elements.default)),
    )


def compile_reader(schema: EntitySchema) -> Reader | None:
    """A row-to-entity function for ``schema``, or ``None`` when it needs the general path."""
    cls = schema.entity_class
    if cls is None or schema.transformations:
        return None
    if any(sh.name in schema.field_map for sh in schema.shorthand_fields):
        # Kong expands shorthands on select too: one named after a column rewrites rows read
        # back (upstreams' hash_on sets algorithm)
        return None
    base = tuple((name, _converter(name, f)) for name, f in schema.fields)
    plans: dict[int, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}
    for sub in schema.subschemas.values():
        if sub.transformations:
            return None
        changed = False
        for name, f in sub.fields:
            parent = schema.field_map[name]
            if f.abstract != parent.abstract or _read_shape(f) != _read_shape(parent):
                changed = True
        if changed:
            # the subschema changes how some field reads back (routes: grpc's strip_path
            # default): rows it selects get their own plan
            plans[id(sub)] = tuple(
                (name, _converter(name, sub.field_map.get(name, f))) for name, f in schema.fields
            )
    with_ttl = schema.ttl
    pick = schema.get_subschema if plans else None

    def read(row: Mapping[str, Any]) -> Entity:
        plan = base
        if pick is not None:
            sub = pick(row)
            if sub is not None:
                plan = plans.get(id(sub), base)
        get = row.get
        kwargs = {name: conv(get(name, UNSET)) for name, conv in plan}
        if with_ttl:
            kwargs["ttl"] = get("ttl")
        return cls(**kwargs)

    return read
