"""Field definitions: Kong's schema language as immutable Python data.

A :class:`Field` carries exactly the attributes of a field in a Kong schema (``type``,
``required``, ``default``, ``unique``, the validators, ``elements``/``keys``/``values`` for
containers, ``fields`` for records, ...). Fields are plain data: the validation engine in
:mod:`kongdao.schema.schema` interprets them, and :func:`kongdao.schema.field` attaches one to an
attribute of an attrs entity class.

Absent and explicit null are different values everywhere in kongdao: a key missing from a dict
(or the :data:`UNSET` sentinel where a value has to be passed) means *absent*, ``None`` means
*explicit null* (Lua's ``ngx.null``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

if TYPE_CHECKING:
    from kongdao.schema.schema import Shorthand

__all__ = [
    "FIELD_TYPES",
    "SCALAR_TYPES",
    "UNSET",
    "Field",
    "MatchAny",
    "Pattern",
    "Ref",
    "UnsetType",
]


class UnsetType(enum.Enum):
    """The type of :data:`UNSET`: a value that is absent, as opposed to ``None`` (explicit null)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = UnsetType.UNSET
"""Marks an absent value (Lua ``nil``); ``None`` is an explicit null (Lua ``ngx.null``)."""

FieldType = Literal[
    "string", "number", "integer", "boolean", "array", "set", "map", "record", "foreign", "any"
]
FIELD_TYPES: Final[frozenset[str]] = frozenset(
    ("string", "number", "integer", "boolean", "array", "set", "map", "record", "foreign", "any")
)

SCALAR_TYPES: Final[frozenset[str]] = frozenset(("string", "integer", "number", "boolean"))
"""Field types holding one plain value (what arrays and sets of scalars contain)."""

OnDelete = Literal["restrict", "cascade", "null"]
CustomValidator = Callable[[Any], "str | None"]
"""A custom validator returns ``None`` when the value is valid, else the error message."""


def _compile(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    return pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.DOTALL)


def _compile_all(patterns: Sequence[str | re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    return tuple(_compile(p) for p in patterns)


@attrs.frozen
class Pattern:
    """One entry of ``match_all`` / ``match_none``: a regular expression and its error message.

    Args:
        pattern: a Python regular expression, searched (not anchored unless it says so). Kong's
            Lua patterns are translated with :func:`kongdao.schema.lua.lua_pattern`.
        err: the message reported when the entry fails (Kong's ``invalid value: <value>`` when
            omitted).
    """

    pattern: re.Pattern[str] = attrs.field(converter=_compile)
    err: str | None = None


@attrs.frozen
class MatchAny:
    """The argument of ``match_any``: passes when any pattern matches, else reports ``err``.

    Without ``err``, the message is Kong's ``invalid value: <value>``.
    """

    patterns: tuple[re.Pattern[str], ...] = attrs.field(converter=_compile_all)
    err: str | None = None


def _opt_regex(value: str | re.Pattern[str] | None) -> re.Pattern[str] | None:
    return None if value is None else _compile(value)


def _patterns(value: Sequence[Pattern] | None) -> tuple[Pattern, ...] | None:
    return None if value is None else tuple(value)


def _opt_tuple(value: Sequence[Any] | None) -> tuple[Any, ...] | None:
    return None if value is None else tuple(value)


def _tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _subsets(value: Sequence[Sequence[str]] | None) -> tuple[tuple[str, ...], ...] | None:
    return None if value is None else tuple(tuple(s) for s in value)


def _record_fields(
    value: Sequence[tuple[str, Field]] | Mapping[str, Field] | None,
) -> tuple[tuple[str, Field], ...] | None:
    if value is None:
        return None
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((name, f) for name, f in items)


@attrs.frozen(kw_only=True, eq=False)
class Field:
    """One field of a Kong schema, with every attribute of Kong's schema language.

    Only ``type`` is mandatory. ``UNSET`` for ``default``, ``eq``, ``ne`` and ``contains`` means
    "no such attribute", so that ``None`` can mean "the value null" (``eq=None`` is how Kong says
    "this field must not be set", e.g. ``typedefs.no_consumer``).

    Args:
        type: ``string``, ``number``, ``integer``, ``boolean``, ``array``, ``set``, ``map``,
            ``record``, ``foreign`` or ``any``.
        required: must be present and non-null on a full validation. ``None`` means "not said":
            records inside entities then default to required, as in Kong.
        default: deep-copied into absent fields on insert/upsert (and on select when a required
            field reads back null).
        auto: generated when absent: a UUID (``uuid=True``), a random 32-character string
            (other strings), or the current time (``created_at`` / ``updated_at``).
        unique: the database enforces uniqueness; generates ``*_by_<field>`` DAO methods.
        unique_across_ws: unique in every workspace at once.
        immutable: an update may not change it.
        reference: for ``foreign``: the name of the referenced entity.
        on_delete: for ``foreign``: ``restrict`` (default), ``cascade`` or ``null``.
        eq: the value must equal this (``None``: the field must be null/absent).
        ne: the value must not equal this.
        gt: numbers must be strictly greater.
        between: inclusive ``(low, high)`` range for numbers.
        len_eq: exact length of a string, array, set or map.
        len_min: minimum length (strings default to 1: empty strings are rejected).
        len_max: maximum length.
        match: a regular expression the string must match (searched, like Lua's ``match``).
        not_match: a regular expression the string must not match.
        match_all: every :class:`Pattern` must match, else its ``err``.
        match_none: no :class:`Pattern` may match, else its ``err``.
        match_any: at least one pattern must match.
        starts_with: string prefix.
        one_of: allowed values.
        not_one_of: forbidden values.
        contains: an array or set must contain this value.
        is_regex: the string must compile as a regular expression.
        timestamp: numbers must be positive.
        uuid: the string must be a UUID.
        custom_validator: ``fn(value) -> None | error message``.
        mutually_exclusive_subsets: a set's elements may come from one of these subsets only.
        elements: for ``array`` / ``set``: the definition of each element.
        keys: for ``map``: the definition of each key.
        values: for ``map``: the definition of each value.
        fields: for ``record``: the ordered ``(name, Field)`` pairs.
        entity_checks: for ``record``: cross-field checks of the record.
        shorthand_fields: for ``record``: input-only fields of the record, expanded into its
            real fields when the record is processed (Kong's record-level ``shorthand_fields``,
            e.g. the ``acl`` plugin's deprecated ``whitelist`` for ``allow``).
        err: overrides the message of a failing validator.
        abstract: a placeholder that subschemas specialise (plugins' ``config``).
        legacy: Kong's legacy behaviours (``""`` reads as null for UUIDs; empty strings kept).
        referenceable: the string may be a vault reference (``{vault://...}``).
        description: documentation only.
    """

    type: FieldType
    required: bool | None = None
    default: Any = UNSET
    auto: bool = False
    unique: bool = False
    unique_across_ws: bool = False
    immutable: bool = False
    reference: str | None = None
    on_delete: OnDelete | None = None
    eq: Any = UNSET
    ne: Any = UNSET
    gt: float | None = None
    between: tuple[float, float] | None = attrs.field(default=None, converter=_opt_tuple)
    len_eq: int | None = None
    len_min: int | None = None
    len_max: int | None = None
    match: re.Pattern[str] | None = attrs.field(default=None, converter=_opt_regex)
    not_match: re.Pattern[str] | None = attrs.field(default=None, converter=_opt_regex)
    match_all: tuple[Pattern, ...] | None = attrs.field(default=None, converter=_patterns)
    match_none: tuple[Pattern, ...] | None = attrs.field(default=None, converter=_patterns)
    match_any: MatchAny | None = None
    starts_with: str | None = None
    one_of: tuple[Any, ...] | None = attrs.field(default=None, converter=_opt_tuple)
    not_one_of: tuple[Any, ...] | None = attrs.field(default=None, converter=_opt_tuple)
    contains: Any = UNSET
    is_regex: bool = False
    timestamp: bool = False
    uuid: bool = False
    custom_validator: CustomValidator | None = None
    mutually_exclusive_subsets: tuple[tuple[str, ...], ...] | None = attrs.field(
        default=None, converter=_subsets
    )
    elements: Field | None = None
    keys: Field | None = None
    values: Field | None = None
    fields: tuple[tuple[str, Field], ...] | None = attrs.field(
        default=None, converter=_record_fields
    )
    entity_checks: tuple[Any, ...] = attrs.field(default=(), converter=_tuple)
    shorthand_fields: tuple[Shorthand, ...] = attrs.field(default=(), converter=_tuple)
    err: str | None = None
    abstract: bool = False
    legacy: bool = False
    referenceable: bool = False
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"invalid type: {self.type}")
        if self.type in ("array", "set") and self.elements is None and not self.abstract:
            raise ValueError(f"a field of type {self.type} needs 'elements'")
        if self.type == "map" and (self.keys is None or self.values is None) and not self.abstract:
            raise ValueError("a field of type map needs 'keys' and 'values'")
        if self.type == "record" and self.fields is None and not self.abstract:
            raise ValueError("a field of type record needs 'fields'")
        if self.shorthand_fields and self.type != "record":
            raise ValueError("'shorthand_fields' is only allowed on records")
        if self.type == "foreign" and not self.reference:
            raise ValueError("a field of type foreign needs a 'reference'")
        if self.between is not None and self.type not in ("integer", "number"):
            raise ValueError("'between' is only allowed on numbers")
        if self.unique and self.type not in ("string", "number", "integer", "foreign"):
            raise ValueError("'unique' is only allowed on strings, numbers and foreign keys")
        if self.one_of is not None and self.type not in ("string", "number", "integer"):
            raise ValueError("'one_of' is only allowed on strings and numbers")
        if self.unique_across_ws and not self.unique:
            raise ValueError("'unique_across_ws' requires 'unique'")

    def evolve(self, **changes: Any) -> Field:
        """Return a copy with ``changes`` applied (the way typedefs are specialised)."""
        return attrs.evolve(self, **changes)

    @property
    def is_required(self) -> bool:
        """Whether the field is required (``required=None`` counts as not required)."""
        return self.required is True

    @property
    def has_default(self) -> bool:
        """Whether the field declares a default (which may be ``None``)."""
        return self.default is not UNSET

    @property
    def is_auto_timestamp(self) -> bool:
        """Whether this is an auto timestamp (``created_at`` / ``updated_at``)."""
        return self.timestamp and self.auto and self.type in ("integer", "number")

    @property
    def is_nested(self) -> bool:
        """Whether values have nested structure.

        Records, maps, ``any``, and arrays or sets whose elements are not scalars: connectors
        store these as JSON documents.
        """
        if self.type in ("record", "map", "any"):
            return True
        if self.type in ("array", "set"):
            return self.elements is None or self.elements.type not in SCALAR_TYPES
        return False

    def record_field(self, name: str) -> Field | None:
        """The sub-field ``name`` of a record, or ``None``."""
        for fname, f in self.fields or ():
            if fname == name:
                return f
        return None


class Ref(Mapping[str, Any]):
    """The value of a foreign key in a typed entity: its primary key, e.g. ``{"id": "..."}``.

    It is a read-only mapping that also exposes the keys as attributes, so that both
    ``route.service.id`` and ``route.service["id"]`` work, and it compares equal to a plain dict
    with the same content.
    """

    __slots__ = ("_pk",)
    _pk: dict[str, Any]

    def __init__(self, pk: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_pk", dict(pk))

    def __getitem__(self, key: str) -> Any:
        return self._pk[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._pk[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("Ref is immutable")

    def __iter__(self) -> Iterator[str]:
        return iter(self._pk)

    def __len__(self) -> int:
        return len(self._pk)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ref):
            return self._pk == other._pk
        if isinstance(other, Mapping):
            return self._pk == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._pk.items())))

    def __repr__(self) -> str:
        return f"Ref({self._pk!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Ref, (self._pk,))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict copy of the primary key."""
        return dict(self._pk)
