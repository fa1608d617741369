"""The validation engine: Kong's ``kong.db.schema`` for Python data.

A :class:`Schema` is an ordered list of named :class:`~kongdao.schema.fields.Field` s plus
schema-level rules (entity checks, shorthand fields, transformations, subschemas). It works on
JSON-like Python values: ``dict`` for Lua tables with string keys, ``list`` for sequences, a
missing key for Lua ``nil`` (absent) and ``None`` for ``ngx.null`` (explicit null).

The methods mirror Kong's (``kong/db/schema/init.lua``):

* :meth:`Schema.process_auto_fields` fills defaults and auto values, expands shorthands,
  de-duplicates sets and post-processes rows read back (``context`` ``"select"``);
* :meth:`Schema.validate` (and ``validate_insert`` / ``validate_update`` / ``validate_upsert``)
  returns ``None`` or Kong's error table: ``{"@entity": [msg, ...], field: msg | {...}}``, where
  array element errors are keyed by their **1-based** index;
* :meth:`Schema.merge_values` deep-merges records for partial updates, replaces everything else;
* :meth:`Schema.transform` runs ``on_write`` / ``on_read`` transformations.

Errors are returned as data here; the DAO turns them into
:class:`~kongdao.errors.SchemaViolation`.
"""

from __future__ import annotations

import math
import re
import secrets
import time
import uuid as uuid_mod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from kongdao.schema.checks import EntityCheck
from kongdao.schema.fields import UNSET, Field
from kongdao.schema.pcre import compile_pcre

__all__ = [
    "MESSAGES",
    "Context",
    "Errors",
    "Schema",
    "Shorthand",
    "Transformation",
    "TransformationFailed",
    "is_nonempty",
    "lua_tostring",
    "quoted_list",
]

Context = Literal["insert", "update", "upsert", "select"]
Errors = dict[Any, Any]
"""Kong's error table: field name (or 1-based index, or ``"@entity"``) to message or sub-table."""

MESSAGES: Mapping[str, str] = {
    "ARRAY": "expected an array",
    "SET": "expected a set",
    "MAP": "expected a map",
    "RECORD": "expected a record",
    "STRING": "expected a string",
    "NUMBER": "expected a number",
    "BOOLEAN": "expected a boolean",
    "INTEGER": "expected an integer",
    "EQ": "value must be %s",
    "NE": "value must not be %s",
    "GT": "value must be greater than %s",
    "BETWEEN": "value should be between %s and %s",
    "LEN_EQ": "length must be %s",
    "LEN_MIN": "length must be at least %s",
    "LEN_MAX": "length must be at most %s",
    "MATCH": "invalid value: %s",
    "NOT_MATCH": "invalid value: %s",
    "MATCH_ALL": "invalid value: %s",
    "MATCH_NONE": "invalid value: %s",
    "MATCH_ANY": "invalid value: %s",
    "STARTS_WITH": "should start with: %s",
    "CONTAINS": "expected to contain: %s",
    "ONE_OF": "expected one of: %s",
    "NOT_ONE_OF": "must not be one of: %s",
    "IS_REGEX": "not a valid regex: %s",
    "TIMESTAMP": "expected a valid timestamp",
    "UUID": "expected a valid UUID",
    "VALIDATION": "failed validating: %s",
    "BAD_INPUT": "expected an input table",
    "REQUIRED": "required field missing",
    "NO_FOREIGN_DEFAULT": "will not generate a default value for a foreign field",
    "UNKNOWN": "unknown field",
    "IMMUTABLE": "immutable field cannot be updated",
    "REQUIRED_FOR_ENTITY_CHECK": "field required for entity check",
    "ENTITY_CHECK": "failed entity check: %s(%s)",
    "CONDITIONAL": "failed conditional validation given value of field '%s'",
    "AT_LEAST_ONE_OF": "at least one of these fields must be non-empty: %s",
    "CONDITIONAL_AT_LEAST_ONE_OF": "at least one of these fields must be non-empty: %s",
    "ONLY_ONE_OF": "exactly one of these fields must be non-empty: %s",
    "DISTINCT": "values of these fields must be distinct: %s",
    "MUTUALLY_REQUIRED": "all or none of these fields must be set: %s",
    "MUTUALLY_EXCLUSIVE": "only one or none of these fields must be set: %s",
    "MUTUALLY_EXCLUSIVE_SETS": "these sets are mutually exclusive: %s",
    "NOT_PK": "not a primary key",
    "MISSING_PK": "missing primary key",
    "SCHEMA_BAD_REFERENCE": "schema refers to an invalid foreign entity: %s",
    "SUBSCHEMA_UNKNOWN": "unknown type: %s",
    "SUBSCHEMA_BAD_PARENT": (
        "error in definition of '%s': entities of type '%s' cannot have subschemas"
    ),
    "SUBSCHEMA_UNDEFINED_FIELD": (
        "error in definition of '%s': %s: abstract field was not specialized"
    ),
    "SUBSCHEMA_BAD_TYPE": (
        "error in definition of '%s': %s: cannot change type in a specialized field"
    ),
    "SUBSCHEMA_BAD_FIELD": "error in definition of '%s': %s: cannot create a new field",
    "SUBSCHEMA_ABSTRACT_FIELD": "error in schema definition: abstract field was not specialized",
    "TRANSFORMATION_ERROR": "transformation failed: %s",
    "NUL": "must not contain NUL characters",
    "UTF8": "invalid utf-8 character sequence detected at position %s",
    "INT_RANGE": "value should be between %s and %s",
}
"""Kong's validation messages (``validation_errors`` of ``kong/db/schema/init.lua``).

``NUL``, ``UTF8`` and ``INT_RANGE`` are kongdao's own: Lua strings are bytes and Lua numbers
doubles, so Kong never meets these cases; PostgreSQL and Cassandra would otherwise fail with a
database error instead of an error naming the field.
"""

_UPDATE_MESSAGES = {
    "REQUIRED_FOR_ENTITY_CHECK": MESSAGES["REQUIRED_FOR_ENTITY_CHECK"] + " when updating",
    "AT_LEAST_ONE_OF": "when updating, " + MESSAGES["AT_LEAST_ONE_OF"],
    "CONDITIONAL_AT_LEAST_ONE_OF": "when updating, " + MESSAGES["CONDITIONAL_AT_LEAST_ONE_OF"],
}

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
_REFERENCE_RE = re.compile(r"^\{vault://[^}]+\}\Z")


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


class TransformationFailed(Exception):  # noqa: N818  (a signal raised by user functions)
    """Raised by a transformation function to report ``transformation failed: <message>``."""


@attrs.frozen
class Shorthand:
    """An input-only field expanded into real fields before validation (Kong's shorthand_fields).

    Args:
        name: the shorthand's name (e.g. ``url``).
        field: how its value is validated.
        func: turns the value into a partial entity merged over the input.
    """

    name: str
    field: Field
    func: Callable[[Any], Mapping[str, Any] | None]


@attrs.frozen
class Transformation:
    """A schema transformation (Kong's ``transformations``).

    The function is called with the values of ``input`` then ``needs`` (only when all are
    non-empty) and returns a partial entity merged over the entity; it raises
    :class:`TransformationFailed` to fail.
    """

    input: tuple[str, ...] = attrs.field(converter=_to_tuple)
    needs: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    on_write: Callable[..., Mapping[str, Any]] | None = None
    on_read: Callable[..., Mapping[str, Any]] | None = None

    def __attrs_post_init__(self) -> None:
        if self.on_write is None and self.on_read is None:
            raise ValueError("a transformation needs at least one of on_write / on_read")


# --------------------------------------------------------------------------------------------
# small helpers shared by the engine


def lua_tostring(value: Any) -> str:
    """Format a value as Lua's ``tostring`` would (``true``, ``5``, ``null``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def lua_format(fmt: str, *args: Any) -> str:
    """Substitute ``%s`` / ``%d`` in order, ignoring extra arguments (as Lua's format does)."""
    out: list[str] = []
    it = iter(args)
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c == "%" and i + 1 < n:
            nxt = fmt[i + 1]
            if nxt in "sd":
                out.append(lua_tostring(next(it, "")))
                i += 2
                continue
            if nxt == "%":
                out.append("%")
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


def quoted_list(words: Sequence[Any]) -> str:
    """Kong's quoted list: ``'a', 'b'``, or ``('a', 'b'), ('c')`` for nested sequences."""
    parts = []
    for w in words:
        if isinstance(w, (list, tuple)):
            parts.append(f"({quoted_list(w)})")
        else:
            parts.append(f"'{w}'")
    return ", ".join(parts)


def is_nonempty(value: Any) -> bool:
    """Kong's ``is_nonempty``: not absent, not null, not ``""`` and not an empty container."""
    if value is UNSET or value is None:
        return False
    if type(value) is bool or type(value) is int:
        return True
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    return not (isinstance(value, Mapping) and len(value) == 0)


def is_reference(value: Any) -> bool:
    """Whether a string is a vault reference (``{vault://...}``)."""
    return isinstance(value, str) and _REFERENCE_RE.match(value) is not None


def is_sequence(value: Any) -> bool:
    """Whether a value is a JSON array (list or tuple)."""
    return isinstance(value, (list, tuple))


def get_path(data: Any, name: str) -> Any:
    """``get_field``: read a possibly dotted path (``config.redis_host``); UNSET when absent."""
    if "." not in name:
        if type(data) is dict or isinstance(data, Mapping):
            return data.get(name, UNSET)
        return UNSET
    head, _, tail = name.partition(".")
    if not isinstance(data, Mapping):
        return UNSET
    return get_path(data.get(head, UNSET), tail)


def set_path(data: dict[str, Any], name: str, value: Any) -> None:
    """``set_field``: write a possibly dotted path, creating intermediate dicts."""
    head, dot, tail = name.partition(".")
    if not dot:
        data[head] = value
        return
    sub = data.get(head)
    if sub is None:
        sub = {}
        data[head] = sub
    if isinstance(sub, dict):
        set_path(sub, tail, value)


_SCALARS = frozenset((str, int, float, bool, type(None)))
_PLAIN = frozenset(("string", "integer", "number", "boolean", "foreign"))


MAX_NESTING = 64
"""The deepest nesting of dicts and lists a written value may have (Kong's entities need a
handful of levels); deeper input is a schema violation of its field, before any recursive code
(copying, validation, JSON encoding) could exhaust Python's stack on it."""


def nesting_exceeds(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` nests dicts or lists deeper than ``limit`` levels.

    Iterative (no recursion, whatever the depth); a self-referencing value counts as too deep.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, Mapping) else item
        for child in children:
            t = type(child)
            if t in _SCALARS:
                continue
            if t is dict or t is list or t is tuple or isinstance(child, Mapping):
                stack.append((child, depth + 1))
    return False


def deepcopy_json(value: Any) -> Any:
    """Deep-copy JSON-like data (dicts, lists, tuples); other values are immutable."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is dict or isinstance(value, Mapping):
        return {k: v if type(v) in _SCALARS else deepcopy_json(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [v if type(v) in _SCALARS else deepcopy_json(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):  # a typed entity given where Kong accepts an entity table
        return deepcopy_json(to_dict())
    return value


def json_equal(a: Any, b: Any) -> bool:
    """Deep equality of JSON-like values that does not confuse ``True`` with ``1``."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if is_sequence(a) and is_sequence(b):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None or a is UNSET or b is UNSET:
        return False
    return bool(a == b)


def _dedup(values: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[Any] = set()
    for v in values:
        # Lua table keys: true and 1 are different keys (1 and 1.0 are the same)
        key = (bool, v) if isinstance(v, bool) else v
        try:
            if key in seen:
                continue
            seen.add(key)
        except TypeError:  # records and other unhashable elements: compare by value
            if any(json_equal(v, o) for o in out):
                continue
        out.append(v)
    return out


def random_string() -> str:
    """A random 32-character string, as Kong's ``utils.random_string``."""
    return secrets.token_hex(16)


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _utf8_error(value: str) -> str | None:
    if "\x00" in value:
        return MESSAGES["NUL"]
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return lua_format(MESSAGES["UTF8"], exc.start + 1)
    return None


_record_schemas: dict[int, tuple[Field, Schema]] = {}
_required_elements: dict[int, tuple[Field, Field]] = {}
_specialised: dict[tuple[int, str], tuple[Field, Mapping[str, Any], Field]] = {}


def record_schema(field: Field) -> Schema:
    """The :class:`Schema` of a record field (built once per field)."""
    cached = _record_schemas.get(id(field))
    if cached is not None and cached[0] is field:
        return cached[1]
    schema = Schema(
        fields=field.fields or (),
        entity_checks=field.entity_checks,
        shorthand_fields=field.shorthand_fields,
    )
    _record_schemas[id(field)] = (field, schema)
    return schema


def _required(field: Field) -> Field:
    """Elements, keys and values of containers are always required (Kong sets it)."""
    if field.required is True:
        return field
    cached = _required_elements.get(id(field))
    if cached is not None and cached[0] is field:
        return cached[1]
    req = field.evolve(required=True)
    _required_elements[id(field)] = (field, req)
    return req


def _specialise(field: Field, match: Mapping[str, Any], key: str) -> Field:
    """A field with a check's partial definition laid over it (Lua ``__index`` inheritance)."""
    cache_key = (id(match), key)
    cached = _specialised.get(cache_key)
    if cached is not None and cached[0] is field and cached[1] is match:
        return cached[2]
    spec = field.evolve(**{k: v for k, v in match.items() if k != "required"})
    _specialised[cache_key] = (field, match, spec)
    return spec


# --------------------------------------------------------------------------------------------
# validators, in Kong's order


def _length(value: Any) -> int:
    return len(value)


def _v_eq(value: Any, wanted: Any, _f: Field) -> str | None:
    if json_equal(value, wanted):
        return None
    return lua_format(MESSAGES["EQ"], "null" if wanted is None else lua_tostring(wanted))


def _v_ne(value: Any, wanted: Any, _f: Field) -> str | None:
    if not json_equal(value, wanted):
        return None
    return lua_format(MESSAGES["NE"], "null" if wanted is None else lua_tostring(value))


def _in(value: Any, options: Sequence[Any]) -> bool:
    return any(json_equal(value, o) for o in options)


def _compare_no_order(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Penlight's ``tablex.compare_no_order``: same elements, same multiplicities."""
    if len(a) != len(b):
        return False
    unmatched = list(b)
    for v in a:
        for i, o in enumerate(unmatched):
            if json_equal(v, o):
                del unmatched[i]
                break
        else:
            return False
    return True


def _v_not_one_of(value: Any, options: Sequence[Any], _f: Field) -> str | None:
    if _in(value, options):
        return lua_format(MESSAGES["NOT_ONE_OF"], ", ".join(lua_tostring(o) for o in options))
    return None


def _v_one_of(value: Any, options: Sequence[Any], _f: Field) -> str | None:
    if _in(value, options):
        return None
    return lua_format(MESSAGES["ONE_OF"], ", ".join(lua_tostring(o) for o in options))


def _v_gt(value: Any, limit: float, _f: Field) -> str | None:
    return None if value > limit else lua_format(MESSAGES["GT"], limit)


def _v_timestamp(value: Any, _arg: Any, _f: Field) -> str | None:
    return None if value > 0 else MESSAGES["TIMESTAMP"]


def _v_uuid(value: Any, _arg: Any, _f: Field) -> str | None:
    if len(value) == 36 and _UUID_RE.match(value):
        return None
    return MESSAGES["UUID"]


def _v_is_regex(value: Any, _arg: Any, _f: Field) -> str | None:
    try:
        compile_pcre(value)
    except (re.error, RecursionError, OverflowError):
        return lua_format(MESSAGES["IS_REGEX"], value)
    return None


def _v_between(value: Any, limits: tuple[float, float], _f: Field) -> str | None:
    if value < limits[0] or value > limits[1]:
        return lua_format(MESSAGES["BETWEEN"], limits[0], limits[1])
    return None


def _v_len_eq(value: Any, n: int, _f: Field) -> str | None:
    return None if _length(value) == n else lua_format(MESSAGES["LEN_EQ"], n)


def _v_len_min(value: Any, n: int, _f: Field) -> str | None:
    return None if _length(value) >= n else lua_format(MESSAGES["LEN_MIN"], n)


def _v_len_max(value: Any, n: int, _f: Field) -> str | None:
    return None if _length(value) <= n else lua_format(MESSAGES["LEN_MAX"], n)


def _v_starts_with(value: Any, prefix: str, _f: Field) -> str | None:
    return None if value.startswith(prefix) else lua_format(MESSAGES["STARTS_WITH"], prefix)


def _v_not_match(value: Any, pattern: re.Pattern[str], _f: Field) -> str | None:
    return lua_format(MESSAGES["NOT_MATCH"], value) if pattern.search(value) else None


def _pattern_err(err: str | None, key: str, value: str) -> str:
    """A pattern's own message, else Kong's fallback for a validator without one."""
    return err if err is not None else lua_format(MESSAGES[key], value)


def _v_match_none(value: Any, patterns: Sequence[Any], _f: Field) -> str | None:
    for p in patterns:
        if p.pattern.search(value):
            return _pattern_err(p.err, "MATCH_NONE", value)
    return None


def _v_match(value: Any, pattern: re.Pattern[str], _f: Field) -> str | None:
    return None if pattern.search(value) else lua_format(MESSAGES["MATCH"], value)


def _v_match_all(value: Any, patterns: Sequence[Any], _f: Field) -> str | None:
    for p in patterns:
        if not p.pattern.search(value):
            return _pattern_err(p.err, "MATCH_ALL", value)
    return None


def _v_match_any(value: Any, arg: Any, _f: Field) -> str | None:
    if any(p.search(value) for p in arg.patterns):
        return None
    return _pattern_err(arg.err, "MATCH_ANY", value)


def _v_contains(value: Any, wanted: Any, _f: Field) -> str | None:
    if _in(wanted, value):
        return None
    return lua_format(MESSAGES["CONTAINS"], wanted)


def _v_custom(value: Any, fn: Callable[[Any], Any], _f: Field) -> str | None:
    result = fn(value)
    if result is None or result is True:
        return None
    if isinstance(result, str):
        return result
    return lua_format(MESSAGES["VALIDATION"], value)


def _v_mutually_exclusive_subsets(
    value: Any, subsets: Sequence[Sequence[str]], _f: Field
) -> str | None:
    owner: dict[Any, int] = {}
    for i, subset in enumerate(subsets):
        for element in subset:
            owner[element] = i
    member_of: list[int] = []
    for v in value:
        owner_index = owner.get(v) if isinstance(v, str) else None
        if owner_index is not None and owner_index not in member_of:
            member_of.append(owner_index)
    if len(member_of) <= 1:
        return None
    return lua_format(
        MESSAGES["MUTUALLY_EXCLUSIVE_SETS"], quoted_list([list(subsets[i]) for i in member_of])
    )


_VALIDATORS: tuple[tuple[str, Callable[[Any, Any, Field], str | None]], ...] = (
    ("eq", _v_eq),
    ("ne", _v_ne),
    ("not_one_of", _v_not_one_of),
    ("one_of", _v_one_of),
    ("gt", _v_gt),
    ("timestamp", _v_timestamp),
    ("uuid", _v_uuid),
    ("is_regex", _v_is_regex),
    ("between", _v_between),
    ("len_eq", _v_len_eq),
    ("len_min", _v_len_min),
    ("len_max", _v_len_max),
    ("starts_with", _v_starts_with),
    ("not_match", _v_not_match),
    ("match_none", _v_match_none),
    ("match", _v_match),
    ("match_all", _v_match_all),
    ("match_any", _v_match_any),
    ("contains", _v_contains),
    ("custom_validator", _v_custom),
    ("mutually_exclusive_subsets", _v_mutually_exclusive_subsets),
)

Check = Callable[[Any], "str | None"]
_compiled_validators: dict[int, tuple[Field, tuple[Check, ...]]] = {}


def _membership(options: Sequence[Any], *, inside: bool, message: str) -> Check:
    """``one_of`` (``inside``) / ``not_one_of`` with the message computed once.

    Options that are all strings are looked up in a set; anything else is compared with
    :func:`json_equal`, which keeps ``True`` and ``1`` apart as Lua does.
    """
    if options and all(type(o) is str for o in options):
        members = frozenset(options)

        def check_str(value: Any) -> str | None:
            found = type(value) is str and value in members
            return None if found is inside else message

        return check_str

    def check_any(value: Any) -> str | None:
        return None if _in(value, options) is inside else message

    return check_any


def _bind(fn: Callable[[Any, Any, Field], str | None], arg: Any, field: Field) -> Check:
    def check(value: Any) -> str | None:
        return fn(value, arg, field)

    return check


def _validators_of(field: Field) -> tuple[Check, ...]:
    """The validators a field declares, in Kong's order, compiled once per field."""
    cached = _compiled_validators.get(id(field))
    if cached is not None and cached[0] is field:
        return cached[1]
    out: list[Check] = []
    for name, fn in _VALIDATORS:
        arg = getattr(field, name)
        if name in ("eq", "ne", "contains"):
            # eq=None (must be null) is handled before the type check; ne/contains None are
            # "compare with null", which a non-null value always passes or fails trivially
            if arg is UNSET or arg is None:
                continue
        elif name == "len_min" and arg is None and field.type == "string":
            arg = 1  # empty strings are not accepted unless len_min says otherwise
        elif arg is None or arg is False:
            continue
        if name in ("one_of", "not_one_of"):
            listed = ", ".join(lua_tostring(o) for o in arg)
            key = "ONE_OF" if name == "one_of" else "NOT_ONE_OF"
            out.append(
                _membership(arg, inside=name == "one_of", message=lua_format(MESSAGES[key], listed))
            )
        else:
            out.append(_bind(fn, arg, field))
    compiled = tuple(out)
    _compiled_validators[id(field)] = (field, compiled)
    return compiled


# --------------------------------------------------------------------------------------------
# the Schema


def _fields_tuple(
    value: Sequence[tuple[str, Field]] | Mapping[str, Field],
) -> tuple[tuple[str, Field], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((name, f) for name, f in items)


@attrs.frozen(kw_only=True, eq=False)
class Schema:
    """A Kong schema: ordered fields plus schema-level rules.

    Records, plugin configurations and subschemas are plain :class:`Schema` s; entities are
    :class:`~kongdao.schema.entity.EntitySchema` s, which add the database-facing attributes.

    Args:
        name: the schema's name (an entity name, or a subschema key).
        fields: ordered ``(name, Field)`` pairs (or a dict, whose order is kept).
        entity_checks: cross-field checks (:mod:`kongdao.schema.checks`).
        shorthand_fields: input-only fields expanded before validation.
        transformations: ``on_write`` / ``on_read`` transformations.
        subschema_key: the field whose value selects a subschema (plugins: ``name``).
        subschema_error: message for an unknown subschema (``%s`` is the key's value).
        ttl: whether the schema accepts the ``ttl`` option (``ttl`` is then a reserved name).
    """

    name: str | None = None
    fields: tuple[tuple[str, Field], ...] = attrs.field(converter=_fields_tuple)
    entity_checks: tuple[EntityCheck, ...] = attrs.field(default=(), converter=_to_tuple)
    shorthand_fields: tuple[Shorthand, ...] = attrs.field(default=(), converter=_to_tuple)
    transformations: tuple[Transformation, ...] = attrs.field(default=(), converter=_to_tuple)
    subschema_key: str | None = None
    subschema_error: str | None = None
    ttl: bool = False
    primary_key: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    subschemas: dict[str, Schema] = attrs.field(factory=dict)
    field_map: Mapping[str, Field] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        names = [n for n, _ in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate field names in schema {self.name!r}")
        if self.ttl and "ttl" in names:
            raise ValueError("ttl is a reserved field name when ttl is enabled")
        object.__setattr__(self, "field_map", dict(self.fields))
        if self.subschema_key is not None and self.subschema_key not in self.field_map:
            raise ValueError(f"subschema_key {self.subschema_key!r} is not a field")
        for t in self.transformations:
            for name in (*t.input, *t.needs):
                head = self.field_map.get(name.partition(".")[0])
                # a foreign key's columns (``consumer.id``) belong to a schema declared elsewhere
                if self.schema_field(name) is None and (head is None or head.type != "foreign"):
                    raise ValueError(f"transformation refers to an unknown field {name!r}")
        # Kong refuses a foreign reference to an unknown entity here; kongdao checks it when a
        # DB assembles its entities (entities may be declared in any order, and some core
        # references, such as certificates, arrive in later releases).

    # -- introspection -----------------------------------------------------------------------

    def schema_field(self, name: str) -> Field | None:
        """``get_schema_field``: the definition of a possibly dotted field name."""
        head, dot, tail = name.partition(".")
        f = self.field_map.get(head)
        if not dot or f is None:
            return f
        if f.type != "record":
            return None
        return record_schema(f).schema_field(tail)

    def get_subschema(self, data: Mapping[str, Any]) -> Schema | None:
        """The subschema selected by ``data[subschema_key]`` (first match for a set)."""
        if not self.subschemas or self.subschema_key is None:
            return None
        key = data.get(self.subschema_key)
        if isinstance(key, str):
            return self.subschemas.get(key)
        if isinstance(key, (list, tuple)):
            for k in key:
                if isinstance(k, str) and k in self.subschemas:
                    return self.subschemas[k]
        return None

    def each_field(self, data: Mapping[str, Any] | None = None) -> Iterator[tuple[str, Field]]:
        """The fields in order, specialised by the subschema ``data`` selects (if any)."""
        sub = self.get_subschema(data) if data is not None else None
        if sub is None:
            yield from self.fields
            return
        for name, f in self.fields:
            yield name, sub.field_map.get(name, f)

    def new_subschema(self, key: str, definition: Schema) -> None:
        """Register a subschema (Kong's ``Schema.new_subschema``).

        A subschema may only specialise fields of this schema (same type) and must specialise
        every abstract required field.

        Raises:
            ValueError: with Kong's definition error when the subschema breaks those rules.
        """
        if self.subschema_key is None:
            raise ValueError(lua_format(MESSAGES["SUBSCHEMA_BAD_PARENT"], key, self.name))
        for fname, f in definition.fields:
            parent = self.field_map.get(fname)
            if parent is None:
                raise ValueError(lua_format(MESSAGES["SUBSCHEMA_BAD_FIELD"], key, fname))
            if not _compatible(parent, f):
                raise ValueError(lua_format(MESSAGES["SUBSCHEMA_BAD_TYPE"], key, fname))
        for fname, parent in self.fields:
            if parent.abstract and parent.is_required and fname not in definition.field_map:
                raise ValueError(lua_format(MESSAGES["SUBSCHEMA_UNDEFINED_FIELD"], key, fname))
        self.subschemas[key] = definition

    # -- field validation -------------------------------------------------------------------

    def validate_field(self, field: Field, value: Any) -> Any:
        """Validate one value against a field; ``None`` when valid, else the error.

        The error is a message, or a table for records, arrays, sets and foreign keys.
        """
        if value is None:
            if field.ne is None:
                return field.err or lua_format(MESSAGES["NE"], "null")
            if field.eq is not UNSET and field.eq is not None:
                return lua_format(MESSAGES["EQ"], lua_tostring(field.eq))
            if field.required:
                return MESSAGES["REQUIRED"]
            return None
        if value is UNSET:
            return MESSAGES["REQUIRED"] if field.required else None

        if field.eq is None:
            return field.err or lua_format(MESSAGES["EQ"], "null")
        if field.abstract:
            return MESSAGES["SUBSCHEMA_ABSTRACT_FIELD"]

        t = field.type
        if t == "string":
            if not isinstance(value, str):
                return MESSAGES["STRING"]
            bad = _utf8_error(value)
            if bad is not None:
                return bad
            if field.referenceable and is_reference(value):
                return None
        elif t == "integer":
            if not _is_int(value):
                return MESSAGES["INTEGER"]
            if not INT64_MIN <= value <= INT64_MAX:
                return lua_format(MESSAGES["INT_RANGE"], INT64_MIN, INT64_MAX)
        elif t == "number":
            if not _is_number(value):
                return MESSAGES["NUMBER"]
        elif t == "boolean":
            if not isinstance(value, bool):
                return MESSAGES["BOOLEAN"]
        elif t in ("array", "set"):
            if not is_sequence(value):
                return MESSAGES["ARRAY" if t == "array" else "SET"]
            assert field.elements is not None
            elements = _required(field.elements)
            errs: Errors = {}
            for i, v in enumerate(value, 1):
                err = self.validate_field(elements, v)
                if err is not None:
                    errs[i] = err
            if errs:
                return errs
        elif t == "map":
            if not isinstance(value, Mapping):
                return MESSAGES["MAP"]
            assert field.keys is not None
            assert field.values is not None
            keys, values = _required(field.keys), _required(field.values)
            for k, v in value.items():
                err = self.validate_field(keys, k)
                if err is None:
                    err = self.validate_field(values, v)
                if err is not None:
                    return err
        elif t == "record":
            if not isinstance(value, Mapping):
                return MESSAGES["RECORD"]
            rs = record_schema(field)
            try:
                processed = rs.process_auto_fields(value, "insert")
            except ShorthandError as exc:
                return exc.errors
            record_errs = rs.validate(processed)
            if record_errs is not None:
                return record_errs
            # a valid record still goes through the record's own validators (rate-limiting's
            # config has a custom_validator), as Kong's validate_field does
        elif t == "foreign":
            return self._validate_foreign(field, value)

        for check in _validators_of(field):
            err = check(value)
            if err is not None:
                return field.err or err
        return None

    def _validate_foreign(self, field: Field, value: Any) -> Any:
        from kongdao.schema.entity import catalog

        foreign = catalog.get(field.reference or "")
        if foreign is None:
            return None
        errs = foreign.validate_primary_key(value, ignore_others=True)
        if errs is None:
            return None
        if isinstance(value, Mapping):
            ferrs = foreign.validate(value, full_check=False)
            if ferrs is not None:
                return ferrs
        return errs

    def validate_primary_key(self, pk: Any, *, ignore_others: bool = False) -> Errors | None:
        """Check that ``pk`` holds exactly the primary key fields, each valid.

        Returns:
            ``None``, or the errors by field (``missing primary key``, ``not a primary key``).
        """
        errors: Errors = {}
        data = pk if isinstance(pk, Mapping) else {}
        primary_key = self.primary_key
        for k in primary_key:
            f = self.field_map[k]
            v = data.get(k, UNSET)
            if v is UNSET:
                errors[k] = MESSAGES["MISSING_PK"]
            elif v is None and (f.required or f.auto):
                errors[k] = MESSAGES["REQUIRED"]
            else:
                err = self.validate_field(f, v)
                if err is not None:
                    errors[k] = err
        if not ignore_others:
            for k in data:
                if k not in primary_key:
                    errors[k] = MESSAGES["NOT_PK"]
        return errors or None

    # -- whole-entity validation ------------------------------------------------------------

    def _validate_fields(self, data: Mapping[str, Any], sub: Schema | None) -> Errors:
        errors: Errors = {}
        for k, v in data.items():
            f = self.field_map.get(k) if isinstance(k, str) else None
            if f is None:
                if k == "ttl" and self.ttl:
                    continue
                errors[k] = MESSAGES["UNKNOWN"]
                continue
            if sub is not None:
                f = sub.field_map.get(k, f)
            err = self.validate_field(f, v)
            if err is not None:
                errors[k] = err
        return errors

    def validate(
        self,
        data: Mapping[str, Any],
        full_check: bool = True,
        original_input: Mapping[str, Any] | None = None,
        rbw_entity: Mapping[str, Any] | None = None,
        *,
        updating: bool = False,
    ) -> Errors | None:
        """Validate an entity or record; ``None`` when valid, else Kong's error table.

        Args:
            data: the (processed) input.
            full_check: demand every required field (insert/upsert); ``False`` for updates.
            original_input: the input as the caller gave it (for transformation checks).
            rbw_entity: the stored entity an update reads before writing.
            updating: use the "when updating" wording of entity-check messages.

        Raises:
            TypeError: when ``data`` is not a mapping (Kong: ``expected an input table``).
        """
        if not isinstance(data, Mapping):
            raise TypeError(MESSAGES["BAD_INPUT"])
        if self.subschema_key is not None:
            key = data.get(self.subschema_key)
            if key is None:
                return {self.subschema_key: MESSAGES["REQUIRED"]}
            if self.get_subschema(data) is None:
                # Kong formats key[1]: nil for an empty set or a table
                shown = (
                    key if isinstance(key, str) else (key[0] if is_sequence(key) and key else "nil")
                )
                msg = self.subschema_error or MESSAGES["SUBSCHEMA_UNKNOWN"]
                return {self.subschema_key: lua_format(msg, shown)}

        sub = self.get_subschema(data)
        errors = self._validate_fields(data, sub)
        for name, f in self.fields:
            if f.required and (data.get(name, UNSET) is None or (full_check and name not in data)):
                errors[name] = MESSAGES["REQUIRED"]

        messages = _UPDATE_MESSAGES if updating else {}
        self._run_checks(self, self.entity_checks, data, full_check, errors, messages)
        if sub is not None and sub.entity_checks:
            self._run_checks(
                _merged(sub, self), sub.entity_checks, data, full_check, errors, messages
            )
        self._transformation_checks(data, original_input, rbw_entity, errors)
        return errors or None

    def validate_insert(
        self, data: Mapping[str, Any], original_input: Mapping[str, Any] | None = None
    ) -> Errors | None:
        """Full validation, as for an insert."""
        return self.validate(data, True, original_input)

    def validate_upsert(
        self, data: Mapping[str, Any], original_input: Mapping[str, Any] | None = None
    ) -> Errors | None:
        """Full validation, as for an upsert (a replacement)."""
        return self.validate(data, True, original_input)

    def validate_update(
        self,
        data: Mapping[str, Any],
        original_input: Mapping[str, Any] | None = None,
        rbw_entity: Mapping[str, Any] | None = None,
    ) -> Errors | None:
        """Partial validation of a merged update, with Kong's "when updating" messages."""
        return self.validate(data, False, original_input, rbw_entity, updating=True)

    def validate_immutable_fields(
        self, data: Mapping[str, Any], entity: Mapping[str, Any]
    ) -> Errors | None:
        """Errors for immutable fields whose new value differs from the stored one."""
        errors: Errors = {}
        for key, f in self.each_field(data):
            if not f.immutable or key not in data:
                continue
            stored = entity.get(key, UNSET)
            if stored is UNSET:
                continue
            new = data[key]
            if is_sequence(new) and is_sequence(stored):
                same = _compare_no_order(new, stored)
            else:
                same = json_equal(new, stored)
            if not same:
                errors[key] = MESSAGES["IMMUTABLE"]
        return errors or None

    # -- entity checks ----------------------------------------------------------------------

    def _run_checks(
        self,
        fields_of: Schema | _Merged,
        checks: Sequence[EntityCheck],
        data: Mapping[str, Any],
        full_check: bool,
        errors: Errors,
        messages: Mapping[str, str],
    ) -> None:
        for check in checks:
            _run_entity_check(self, fields_of, check, data, full_check, errors, messages)

    def _transformation_checks(
        self,
        data: Mapping[str, Any],
        original_input: Mapping[str, Any] | None,
        rbw_entity: Mapping[str, Any] | None,
        errors: Errors,
    ) -> None:
        source = original_input if original_input is not None else data
        for t in self.transformations:
            none_set = not any(is_nonempty(get_path(source, n)) for n in t.input)
            needs_changed = rbw_entity is not None and any(
                not json_equal(get_path(source, n), get_path(rbw_entity, n)) for n in t.needs
            )
            if needs_changed or not none_set:
                target = source if needs_changed else data
                names = (*t.input, *t.needs)
                if not _mutually_required(target, names):
                    _entity_error(
                        errors, lua_format(MESSAGES["MUTUALLY_REQUIRED"], quoted_list(names))
                    )
                elif not _mutually_required(source, t.input):
                    _entity_error(
                        errors, lua_format(MESSAGES["MUTUALLY_REQUIRED"], quoted_list(t.input))
                    )
        sub = self.get_subschema(data)
        if sub is not None:
            sub._transformation_checks(data, original_input, rbw_entity, errors)

    # -- processing ---------------------------------------------------------------------------

    def process_auto_fields(
        self,
        data: Mapping[str, Any],
        context: Context,
        nulls: bool = False,
        *,
        no_defaults: bool = False,
        show_ws_id: bool = False,
    ) -> dict[str, Any]:
        """Kong's ``process_auto_fields``: a processed deep copy of ``data``.

        On writes: shorthands expanded, ``auto`` values generated, defaults filled (not on
        ``update``), absent optional fields turned into explicit nulls, sets de-duplicated. On
        ``select``: required fields read back null get their default, nulls are dropped unless
        ``nulls``, integers floored, empty strings turned into null, unknown columns removed.

        Raises:
            ShorthandError: when a shorthand field's value is invalid; a record's shorthand is
                reported under the record (``{"config": {"whitelist": "expected an array"}}``);
                also when a value of a write nests dicts or lists deeper than
                :data:`MAX_NESTING` levels (``{"config": "nested too deeply (more than 64
                levels)"}``).
        """
        if context != "select" and data:
            deep = {
                key: f"nested too deeply (more than {MAX_NESTING} levels)"
                for key, value in data.items()
                if type(value) not in _SCALARS
                and (isinstance(value, Mapping) or type(value) in (list, tuple))
                and nesting_exceeds(value)
            }
            if deep:
                raise ShorthandError(deep)
        out: dict[str, Any] = deepcopy_json(data) if data else {}
        if self.shorthand_fields:
            self._expand_shorthands(out)

        is_select = context == "select"
        is_insert_or_upsert = context in ("insert", "upsert")
        now: float | None = None
        fields = self.fields if not self.subschemas else tuple(self.each_field(out))
        for key, f in fields:
            value = out.get(key, UNSET)
            if f.type in _PLAIN and not f.auto and not f.legacy:
                # the common case, kept short: scalar fields need defaults and nulls only
                if value is UNSET:
                    if context != "update":
                        value = _handle_missing(f, value, no_defaults)
                        if is_select and value is None and not nulls:
                            value = UNSET
                elif value is None:
                    if is_select:
                        if f.required is True:
                            value = _handle_missing(f, value, no_defaults)
                        if value is None and not nulls:
                            value = UNSET
                elif is_select and f.type == "integer" and type(value) is float:
                    if math.isfinite(value):
                        value = math.floor(value)
                elif f.type == "integer" and type(value) is float and _is_int(value):
                    value = int(value)
                if value is UNSET:
                    out.pop(key, None)
                else:
                    out[key] = value
                continue
            if f.legacy and f.uuid and value == "":
                value = None
            if not is_select and f.auto:
                if f.uuid:
                    if is_insert_or_upsert and value is UNSET:
                        value = str(uuid_mod.uuid4())
                elif f.type == "string":
                    if is_insert_or_upsert and value is UNSET:
                        value = random_string()
                elif (key == "created_at" and is_insert_or_upsert and value in (None, UNSET)) or (
                    key == "updated_at" and (is_insert_or_upsert or context == "update")
                ):
                    if now is None:
                        now = time.time()
                    if f.type == "number":
                        value = round(now, 3)
                    elif f.type == "integer":
                        value = int(now)

            try:
                value = _adjust(f, value, context, nulls, no_defaults)
            except ShorthandError as exc:  # a nested record's shorthand: report it in place
                raise ShorthandError({key: exc.errors}) from None

            if is_select:
                if value is None and not nulls:
                    value = UNSET
                elif f.type == "integer" and isinstance(value, float) and math.isfinite(value):
                    value = math.floor(value)

            if value is UNSET:
                out.pop(key, None)
            else:
                out[key] = value

        if not is_select:
            return out

        if self.ttl and out.get("ttl", UNSET) is None and not nulls:
            del out["ttl"]
        for key in list(out):
            fdef = self.field_map.get(key)
            if fdef is not None:
                if (
                    not fdef.legacy
                    and fdef.type == "string"
                    and (fdef.len_min if fdef.len_min is not None else 1) > 0
                    and out[key] == ""
                ):
                    if nulls:
                        out[key] = None
                    else:
                        del out[key]
            elif not ((key == "ttl" and self.ttl) or (key == "ws_id" and show_ws_id)):
                del out[key]
        return out

    def _expand_shorthands(self, out: dict[str, Any]) -> None:
        errs: Errors = {}
        for sh in self.shorthand_fields:
            value = out.get(sh.name, UNSET)
            if value is UNSET:
                continue
            err = self.validate_field(sh.field, value)
            if err is not None:
                errs[sh.name] = err
                continue
            del out[sh.name]
            new_values = sh.func(value)
            if new_values:
                out.update(new_values)
        if errs:
            raise ShorthandError(errs)

    def merge_values(self, top: Mapping[str, Any], bottom: Any) -> dict[str, Any]:
        """Kong's ``merge_values``: records deep-merged, every other value replaced by ``top``."""
        bottom_map: Mapping[str, Any] = bottom if isinstance(bottom, Mapping) else {}
        out = {**bottom_map, **top}
        for key, f in self.each_field(bottom_map):
            if key not in top:
                if key in bottom_map:
                    out[key] = bottom_map[key]
                continue
            top_v = top[key]
            if f.type == "record" and not f.abstract and top_v is not None:
                out[key] = record_schema(f).merge_values(top_v, bottom_map.get(key))
            else:
                out[key] = top_v
        return out

    def transform(
        self,
        data: Mapping[str, Any],
        original_input: Mapping[str, Any] | None = None,
        context: Context = "insert",
    ) -> dict[str, Any]:
        """Run ``on_write`` (or, for ``select``, ``on_read``) transformations.

        Raises:
            TransformationFailed: when a transformation fails; the message is Kong's.
        """
        output: dict[str, Any] | None = None
        if self.transformations:
            output = _run_transformations(self, self.transformations, data, original_input, context)
        sub = self.get_subschema(data)
        if sub is not None and sub.transformations:
            output = _run_transformations(
                sub,
                sub.transformations,
                output if output is not None else data,
                original_input,
                context,
            )
        return output if output is not None else dict(data)

    def extract_pk_values(self, entity: Mapping[str, Any]) -> dict[str, Any]:
        """The primary key part of an entity."""
        return {k: entity.get(k) for k in self.primary_key}


class ShorthandError(Exception):
    """Processing refused the input before validation (carries Kong's error table).

    A shorthand field's value is invalid, or a value nests too deeply; the DAO raises a
    SchemaViolation with the table.
    """

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


@attrs.frozen
class _Merged:
    """Field lookup for subschema entity checks: the subschema's fields, then the parent's."""

    sub: Schema
    parent: Schema

    def schema_field(self, name: str) -> Field | None:
        head = name.partition(".")[0]
        if head in self.sub.field_map:
            return self.sub.schema_field(name)
        return self.parent.schema_field(name)


_merged_cache: dict[tuple[int, int], tuple[Schema, Schema, _Merged]] = {}


def _merged(sub: Schema, parent: Schema) -> _Merged:
    """The (cached) field lookup of a subschema over its parent."""
    key = (id(sub), id(parent))
    cached = _merged_cache.get(key)
    if cached is not None and cached[0] is sub and cached[1] is parent:
        return cached[2]
    merged = _Merged(sub, parent)
    _merged_cache[key] = (sub, parent, merged)
    return merged


CheckPlan = tuple[tuple[str, bool, bool], ...]
"""Per field of a check: (name, dotted path?, referenceable string field?)."""
_check_plans: dict[tuple[int, int], tuple[object, EntityCheck, CheckPlan]] = {}


def _plan(fields_of: Schema | _Merged, check: EntityCheck) -> CheckPlan:
    key = (id(fields_of), id(check))
    cached = _check_plans.get(key)
    if cached is not None and cached[0] is fields_of and cached[1] is check:
        return cached[2]
    plan = []
    for name in check.fields:
        f = fields_of.schema_field(name)
        referenceable = f is not None and f.type == "string" and f.referenceable
        plan.append((name, "." in name, referenceable))
    result = tuple(plan)
    _check_plans[key] = (fields_of, check, result)
    return result


def _compatible(parent: Field, f: Field) -> bool:
    if parent.type != f.type:
        return False
    if parent.type in ("array", "set"):
        return (parent.elements is None or f.elements is None) or (
            parent.elements.type == f.elements.type
        )
    if parent.type == "map":
        if parent.keys is None or f.keys is None or parent.values is None or f.values is None:
            return True
        return parent.keys.type == f.keys.type and parent.values.type == f.values.type
    return True


def _handle_missing(field: Field, value: Any, no_defaults: bool) -> Any:
    if field.default is not UNSET and not no_defaults:
        return deepcopy_json(field.default)
    if field.required is not True:
        return None
    if field.abstract:
        return UNSET
    if field.type == "record":
        return record_schema(field).process_auto_fields({}, "insert")
    return UNSET


def _adjust(field: Field, value: Any, context: Context, nulls: bool, no_defaults: bool) -> Any:
    if context == "select" and value is None and field.required is True:
        return _handle_missing(field, value, no_defaults)
    if field.abstract:
        return value
    t = field.type
    if t == "record":
        recurse = (
            value is not None and value is not UNSET
            if context == "update"
            else value is not None and (value is not UNSET or field.required is True)
        )
        if recurse:
            if value is UNSET:
                value = _handle_missing(field, value, no_defaults)
            if isinstance(value, Mapping):
                return record_schema(field).process_auto_fields(
                    value, context, nulls, no_defaults=no_defaults
                )
    elif t in ("array", "set") and is_sequence(value):
        items = _dedup(value) if t == "set" else list(value)
        assert field.elements is not None
        sub = field.elements
        if sub.type in ("record", "array", "set") or sub.auto or sub.default is not UNSET:
            try:
                items = [_adjust(sub, v, context, nulls, no_defaults) for v in items]
            except ShorthandError:
                _raise_at_index(sub, items, context, nulls, no_defaults)
                raise
        value = items
    elif t == "integer" and isinstance(value, float) and _is_int(value):
        value = int(value)

    if value is UNSET and context != "update":
        return _handle_missing(field, value, no_defaults)
    return value


def _raise_at_index(
    sub: Field, items: Sequence[Any], context: Context, nulls: bool, no_defaults: bool
) -> None:
    """Re-raise the shorthand error of the first failing element, keyed by its 1-based index.

    Only called once an element has failed, so that the loop over valid elements stays a
    comprehension.
    """
    for i, v in enumerate(items, 1):
        try:
            _adjust(sub, v, context, nulls, no_defaults)
        except ShorthandError as exc:
            raise ShorthandError({i: exc.errors}) from None


def _mutually_required(data: Mapping[str, Any], names: Sequence[str]) -> bool:
    count = sum(1 for n in names if is_nonempty(get_path(data, n)))
    return count in (0, len(names))


def _entity_error(errors: Errors, message: str) -> None:
    errors.setdefault("@entity", []).append(message)


def _field_error(errors: Errors, name: str, message: Any) -> None:
    head, dot, _ = name.partition(".")
    if dot and head in errors and not isinstance(errors[head], dict):
        return  # the record itself already failed; keep that error
    set_path(errors, name, message)


def _validate_with(
    schema: Schema, field: Field | None, match: Mapping[str, Any], key: str, value: Any
) -> bool:
    if value is UNSET:
        return False  # Lua: validating nil against a typed field fails the type check
    base = field if field is not None else Field(type="any")
    return schema.validate_field(_specialise(base, match, key), value) is None


def _run_entity_check(
    schema: Schema,
    fields_of: Schema | _Merged,
    check: EntityCheck,
    data: Mapping[str, Any],
    full_check: bool,
    errors: Errors,
    messages: Mapping[str, str],
) -> None:
    projection: dict[str, Any] = {}
    missing: list[str] = []
    all_absent = True
    all_ok = True
    for name, dotted, referenceable in _plan(fields_of, check):
        value = get_path(data, name) if dotted else data.get(name, UNSET)
        if value is UNSET:
            if not check.run_with_missing_fields and name in check.required:
                missing.append(name)
        else:
            all_absent = False
            if referenceable and is_reference(value):
                return
            if dotted:
                set_path(projection, name, value)
            else:
                projection[name] = value
        if name in errors:
            all_ok = False

    if not all_ok and not check.run_with_invalid_fields:
        return
    if all_absent and not (check.run_with_missing_fields and full_check):
        return
    if missing:
        msg = messages.get("REQUIRED_FOR_ENTITY_CHECK", MESSAGES["REQUIRED_FOR_ENTITY_CHECK"])
        for name in missing:
            _field_error(errors, name, msg)
        return

    failed, detail, custom = _CHECKERS[check.name](schema, fields_of, projection, check, errors)
    if not failed:
        return
    if custom is not None:
        _entity_error(errors, custom)
        return
    key = check.name.upper()
    fmt = messages.get(key, MESSAGES.get(key))
    if fmt is not None:
        _entity_error(errors, lua_format(fmt, detail))
    elif detail is not None:
        _entity_error(errors, str(detail))
    else:
        _entity_error(
            errors, lua_format(MESSAGES["ENTITY_CHECK"], check.name, ", ".join(check.fields))
        )


CheckOutcome = tuple[bool, Any, str | None]
"""(failed, detail for the message, custom entity-level message)."""

_PASS: CheckOutcome = (False, None, None)


def _c_at_least_one_of(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    if any(is_nonempty(get_path(data, n)) for n in check.arg):
        return _PASS
    return (True, quoted_list(check.arg), None)


def _c_only_one_of(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    count = sum(1 for n in check.arg if is_nonempty(get_path(data, n)))
    return _PASS if count == 1 else (True, quoted_list(check.arg), None)


def _c_distinct(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    seen: list[Any] = []
    for n in check.arg:
        v = get_path(data, n)
        if is_nonempty(v):
            if any(json_equal(v, s) for s in seen):
                return (True, quoted_list(check.arg), None)
            seen.append(v)
    return _PASS


def _c_mutually_required(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    if _mutually_required(data, check.arg):
        return _PASS
    return (True, quoted_list(check.arg), None)


def _c_mutually_exclusive(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    count = sum(1 for n in check.arg if is_nonempty(get_path(data, n)))
    return _PASS if count <= 1 else (True, quoted_list(check.arg), None)


def _c_mutually_exclusive_sets(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    set1 = [n for n in check.arg["set1"] if is_nonempty(get_path(data, n))]
    set2 = [n for n in check.arg["set2"] if is_nonempty(get_path(data, n))]
    if set1 and set2:
        return (True, f"({quoted_list(set1)}), ({quoted_list(set2)})", None)
    return _PASS


def _c_conditional(
    schema: Schema,
    fields_of: Schema | _Merged,
    data: Mapping[str, Any],
    check: EntityCheck,
    errors: Errors,
) -> CheckOutcome:
    arg = check.arg
    if_field, then_field = arg["if_field"], arg["then_field"]
    if_value = get_path(data, if_field)
    then_value = get_path(data, then_field)
    if then_value is UNSET:
        then_value = None
    if not _validate_with(
        schema, fields_of.schema_field(if_field), arg["if_match"], "if", if_value
    ):
        return _PASS
    if arg["then_match"].get("required") is True and then_value is None:
        _field_error(errors, then_field, MESSAGES["REQUIRED"])
        return (True, if_field, None)
    then_def = fields_of.schema_field(then_field) or Field(type="any")
    err = schema.validate_field(_specialise(then_def, arg["then_match"], "then"), then_value)
    if err is None:
        return _PASS
    _field_error(errors, then_field, err)
    then_err = arg["then_err"]
    return (True, if_field, lua_format(then_err, if_field) if then_err else None)


def _c_conditional_at_least_one_of(
    schema: Schema,
    fields_of: Schema | _Merged,
    data: Mapping[str, Any],
    check: EntityCheck,
    _e: Errors,
) -> CheckOutcome:
    arg = check.arg
    if_value = get_path(data, arg["if_field"])
    if if_value is UNSET:
        return _PASS
    if_def = fields_of.schema_field(arg["if_field"])
    if not _validate_with(schema, if_def, arg["if_match"], "if", if_value):
        if arg["else_match"] is None:
            return _PASS
        if not _validate_with(schema, if_def, arg["else_match"], "else", if_value):
            return _PASS
        names, err_fmt = arg["else_then_at_least_one_of"], arg["else_then_err"]
    else:
        names, err_fmt = arg["then_at_least_one_of"], arg["then_err"]
    if any(is_nonempty(get_path(data, n)) for n in names):
        return _PASS
    listed = quoted_list(names)
    return (True, listed, lua_format(err_fmt, listed) if err_fmt else None)


def _c_custom_entity_check(
    _s: Schema, _f: Schema | _Merged, data: Mapping[str, Any], check: EntityCheck, _e: Errors
) -> CheckOutcome:
    result = check.arg["fn"](data)
    if result is None or result is True:
        return _PASS
    if isinstance(result, str):
        return (True, result, None)
    return (True, None, None)


_CHECKERS: dict[str, Callable[..., CheckOutcome]] = {
    "at_least_one_of": _c_at_least_one_of,
    "conditional_at_least_one_of": _c_conditional_at_least_one_of,
    "only_one_of": _c_only_one_of,
    "distinct": _c_distinct,
    "conditional": _c_conditional,
    "custom_entity_check": _c_custom_entity_check,
    "mutually_required": _c_mutually_required,
    "mutually_exclusive": _c_mutually_exclusive,
    "mutually_exclusive_sets": _c_mutually_exclusive_sets,
}


def _transform_args(
    data: Mapping[str, Any],
    original_input: Mapping[str, Any] | None,
    output: Mapping[str, Any] | None,
    t: Transformation,
) -> list[Any] | None:
    # Lua's ``output or original_input or input``: an empty table is true in Lua
    current = output if output is not None else data
    source = output if output is not None else original_input
    if source is None:
        source = data
    args: list[Any] = []
    for name in t.input:
        value = get_path(source, name)
        if not is_nonempty(value):
            return None
        args.append(get_path(current, name) if original_input is not None else value)
    for name in t.needs:
        value = get_path(current, name)
        if not is_nonempty(value):
            return None
        args.append(value)
    return args


def _run_transformations(
    schema: Schema,
    transformations: Sequence[Transformation],
    data: Mapping[str, Any],
    original_input: Mapping[str, Any] | None,
    context: Context,
) -> dict[str, Any]:
    output: dict[str, Any] | None = None
    for t in transformations:
        fn = t.on_read if context == "select" else t.on_write
        if fn is None:
            continue
        args = _transform_args(data, original_input, output, t)
        if args is None:
            continue
        try:
            result = fn(*args)
        except TransformationFailed as exc:
            raise TransformationFailed(
                lua_format(MESSAGES["TRANSFORMATION_ERROR"], str(exc))
            ) from exc
        output = schema.merge_values(result, output if output is not None else data)
    return output if output is not None else dict(data)
