"""Kong's error model: one exception root that keeps Kong's 18 numeric codes.

Every failure the datastore layer reports (besides programmer errors such as a wrong argument
*type*, which raise :class:`TypeError`) is a :class:`KongDAOError`. Each Kong error code of
``kong/db/errors.lua`` (Kong 2.8) has exactly one subclass carrying the code and Kong's name as
class attributes; :data:`CODES` maps a code back to its class. Where a standard library base
class describes the failure, it is a second base, so generic handlers keep working
(``except ValueError`` catches a bad page size).

Exception tree (code, Kong's name, the HTTP status of :attr:`KongDAOError.http_status`)::

    Exception
     └── KongDAOError                                   0   (root, not raised by kongdao itself)
          ├── InvalidPrimaryKey       (ValueError)      1   invalid primary key                400
          ├── SchemaViolation         (ValueError)      2   schema violation                   400
          ├── PrimaryKeyViolation                       3   primary key violation              400
          ├── ForeignKeyViolation                       4   foreign key violation              400
          ├── UniqueViolation                           5   unique constraint violation        409
          ├── NotFound                (LookupError)     6   not found                          404
          ├── InvalidOffset           (ValueError)      7   invalid offset                     400
          ├── DatabaseError                             8   database error                     500
          ├── InvalidSize             (ValueError)      9   invalid size                       400
          ├── InvalidUnique           (ValueError)     10   invalid unique <field>             400
          ├── InvalidOptions          (ValueError)     11   invalid options                    400
          ├── OperationUnsupported                     12   operation unsupported              405
          ├── ForeignKeysUnresolved                    13   foreign keys unresolved            400
          ├── DeclarativeConfigError  (ValueError)     14   invalid declarative configuration  400
          ├── TransformationError                      15   transformation error               500
          ├── InvalidForeignKey       (ValueError)     16   invalid foreign key                500
          ├── InvalidWorkspace                         17   invalid workspace                  500
          ├── InvalidUniqueGlobal     (ValueError)     18   invalid global query               500
          └── InterfaceError          (RuntimeError)    0   interface error (not a Kong code)  500

Each error carries Kong's ``err_t`` fields as attributes: ``code``, ``name``, ``message``,
``strategy`` (``"postgres"``, ``"cassandra"``, ``"off"``; ``None`` when raised outside any
strategy, e.g. by pure schema validation), ``fields`` (per-field details) and ``options`` (only
for :class:`InvalidOptions`). ``str(err)`` is Kong's ``tostring(err_t)``:
``"[postgres] schema violation (host: required field missing)"``.

The lowercase factories (:func:`schema_violation`, :func:`unique_violation`, ...) mirror the
methods of Kong's ``Errors`` object and build Kong's exact messages. Tables inside messages are
rendered the way Kong renders them, with Penlight's ``pretty.write(t, "")``
(:func:`lua_pretty`), e.g. ``'{consumer=null,name="key-auth",route={id="..."},service=null}'``.
Field and option error trees are assembled into one message by :func:`format_violations`.

Deviations from Kong 2.8, all deliberate:

* Nested error tables are flattened recursively into dotted paths (``config.redis.host: ...``),
  one message entry per leaf. Kong flattens one level only and pretty-prints anything deeper
  as a multi-line Lua table. An ``"@entity"`` list inside a record is reported at the record's
  path (``config: <message>``) before the record's fields, where Kong 2.8 prints
  ``config.@entity: {...}``.
* ``None`` (Kong's ``ngx.null``) is rendered as ``null`` in every message. Kong does so only in
  the unique-violation message and prints ``"userdata: NULL"`` elsewhere.
* A ``uuid.UUID`` (or any other value that is not a string, number, boolean, ``None``, mapping,
  list or tuple) is rendered like a string, because in Kong such values are strings.
* Number keys outside the array part of a table are rendered in ascending order; Lua's order for
  them is unspecified.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self

__all__ = [
    "CODES",
    "database_error",
    "DatabaseError",
    "declarative_config",
    "DeclarativeConfigError",
    "foreign_key_violation_invalid_reference",
    "foreign_key_violation_restricted",
    "foreign_keys_unresolved",
    "ForeignKeysUnresolved",
    "ForeignKeyViolation",
    "format_violations",
    "InterfaceError",
    "invalid_foreign_key",
    "invalid_offset",
    "invalid_options",
    "invalid_primary_key",
    "invalid_size",
    "invalid_unique",
    "invalid_unique_global",
    "invalid_workspace",
    "InvalidForeignKey",
    "InvalidOffset",
    "InvalidOptions",
    "InvalidPrimaryKey",
    "InvalidSize",
    "InvalidUnique",
    "InvalidUniqueGlobal",
    "InvalidWorkspace",
    "KongDAOError",
    "lua_pretty",
    "not_found",
    "not_found_by_field",
    "NotFound",
    "operation_unsupported",
    "OperationUnsupported",
    "primary_key_violation",
    "PrimaryKeyViolation",
    "schema_violation",
    "SchemaViolation",
    "transformation_error",
    "TransformationError",
    "unique_violation",
    "UniqueViolation",
]

#: Key of the entity-level messages in a field error tree (Kong's ``"@entity"``).
_ENTITY = "@entity"

#: Admin API status per code (``kong/api/endpoints.lua``, plus 14, which ``/config`` sends
#: itself); every other code is a 500.
_HTTP_STATUS: Mapping[int, int] = MappingProxyType(
    {
        1: 400,
        2: 400,
        3: 400,
        4: 400,
        5: 409,
        6: 404,
        7: 400,
        8: 500,
        9: 400,
        10: 400,
        11: 400,
        12: 405,
        13: 400,
        14: 400,
    }
)

# lua-cjson's sparse-array limit as Kong configures it (globalpatches.lua): an integer-keyed
# table whose largest key is at most this is always encoded as a JSON array.
_CJSON_SPARSE_SAFE = 2**15
_CJSON_SPARSE_RATIO = 2


# ---------------------------------------------------------------------------------------------
# Rendering values the way Lua (LuaJIT) and Penlight do


_LUA_KEYWORDS = frozenset(
    [
        "and",
        "break",
        "do",
        "else",
        "elseif",
        "end",
        "false",
        "for",
        "function",
        "if",
        "in",
        "local",
        "nil",
        "not",
        "or",
        "repeat",
        "return",
        "then",
        "true",
        "until",
        "while",
    ]
)
_LUA_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LONG_BRACKET = re.compile(r"([\[\]])(=*)\1")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping | list | tuple)


def _lua_number(value: float, *, pretty: bool) -> str:
    # `pretty` selects Penlight's patched tostring (integral floats as "%d", "NaN", "Inf");
    # otherwise LuaJIT's own tostring ("%.14g", "nan", "inf"), which string.format("%s") uses.
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN" if pretty else "nan"
    if math.isinf(value):
        sign = "-" if value < 0 else ""
        return sign + ("Inf" if pretty else "inf")
    if pretty and value.is_integer():
        return str(int(value))
    return f"{value:.14g}"


def _lua_tostring(value: object) -> str:
    """Render a leaf as Lua's ``string.format("%s", v)`` would (``None`` as ``null``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _lua_number(value, pretty=False)
    return str(value)


def _long_bracket_level(text: str) -> int | None:
    # Penlight looks for "[[", "]]", "[=[", "]==]"... (overlapping) and keeps the most "=".
    level: int | None = None
    pos = 0
    while (match := _LONG_BRACKET.search(text, pos)) is not None:
        found = len(match.group(2))
        level = found if level is None else max(level, found)
        pos = match.end() - 1
    return level


def _lua_quote(text: str) -> str:
    # LuaJIT's string.format("%q"): escape quote, backslash and newline with a backslash, and
    # control characters as decimal escapes (three digits when a digit follows).
    out = ['"']
    for index, char in enumerate(text):
        code = ord(char)
        if char in '"\\\n':
            out.append("\\" + char)
        elif code < 32 or code == 127:
            following = text[index + 1 : index + 2]
            if code >= 100 or "0" <= following <= "9":
                out.append(f"\\{code:03d}")
            else:
                out.append(f"\\{code}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _quote_string(text: str) -> str:
    # Penlight's stringx.quote_string: long brackets for strings with newlines or bracket
    # sequences (unless they hold a carriage return), "%q" otherwise.
    level = _long_bracket_level(text + "]")
    if ("\n" in text or level is not None) and "\r" not in text:
        equals = "=" * (0 if level is None else level + 1)
        if text.startswith("\n"):
            text = "\n" + text
        return f"[{equals}[{text}]{equals}]"
    return _lua_quote(text)


def _pretty_key(key: object) -> str:
    if isinstance(key, int | float) and not isinstance(key, bool):
        return f"[{_lua_number(key, pretty=True)}]"
    name = _lua_tostring(key)
    if _LUA_IDENTIFIER.match(name) and name not in _LUA_KEYWORDS:
        return name
    quoted = _quote_string(name)
    if quoted.startswith("["):
        quoted = f" {quoted} "
    return f"[{quoted}]"


def _pretty_scalar(value: object) -> str:
    # Penlight leaves numbers and booleans bare; everything else here stands for a Lua string.
    if value is None or isinstance(value, bool):
        return _lua_tostring(value)
    if isinstance(value, int | float):
        return _lua_number(value, pretty=True)
    return _quote_string(_lua_tostring(value))


def _table_items(table: Mapping[Any, Any] | list[Any] | tuple[Any, ...]) -> list[tuple[str, Any]]:
    """Return ``(key prefix, value)`` pairs in Penlight's order (key prefix without ``=``)."""
    if not isinstance(table, Mapping):
        return [("", value) for value in table]
    items: list[tuple[str, Any]] = []
    index = 1
    while index in table:  # the array part: 1, 2, ... up to the first hole
        items.append(("", table[index]))
        index += 1
    named = [key for key in table if not _is_number(key)]
    named.sort(key=lambda key: (not isinstance(key, bool), _lua_tostring(key)))
    items.extend((_pretty_key(key), table[key]) for key in named)
    numbered = sorted(key for key in table if _is_number(key) and not 1 <= key < index)
    items.extend((_pretty_key(key), table[key]) for key in numbered)
    return items


def _pretty_lines(value: object, outer: str, inner: str, space: str, seen: set[int]) -> list[str]:
    if not isinstance(value, Mapping | list | tuple):
        return [_pretty_scalar(value)]
    if id(value) in seen:
        return ["<cycle>"]
    seen.add(id(value))
    assign = "=" if space == "" else " = "
    lines = ["{"]
    items = _table_items(value)
    for prefix, item in items:
        sub = _pretty_lines(item, inner, inner + space, space, seen)
        sub[0] = inner + (prefix + assign if prefix else "") + sub[0]
        sub[-1] += ","
        lines.extend(sub)
    if items:
        lines[-1] = lines[-1][:-1]  # Penlight drops the comma after the last item
    lines.append(outer + "}")
    seen.discard(id(value))
    return lines


def lua_pretty(value: object, *, indent: str = "") -> str:
    """Render a value as Penlight's ``pl.pretty.write`` (1.12, used by Kong 2.8) does.

    Kong embeds keys and filters in its messages this way. Mappings become Lua tables: the
    array part (keys ``1, 2, ...``) first, then the other keys sorted, as ``name="x"`` or
    ``["not an identifier"]="x"``, then the remaining number keys as ``[7]=...``. Lists and
    tuples become arrays (``{"a","b"}``), strings are quoted as Lua would (``"x"`` or a long
    bracket), numbers and booleans are bare, ``None`` is ``null``.

    Args:
        value: The value to render; usually a mapping such as a primary key.
        indent: Penlight's indent. ``""`` (Kong's choice) renders everything on one line; any
            other string puts one item per line, indented by it, with ``" = "`` between keys and
            values.

    Returns:
        The rendered text, e.g. ``{id="0f3c..."}`` or
        ``{consumer=null,name="key-auth",route={id="..."},service=null}``.
    """
    lines = _pretty_lines(value, "", indent, indent, set())
    return ("\n" if indent else "").join(lines)


# ---------------------------------------------------------------------------------------------
# Error trees: copying, flattening, JSON rendering


def _copy_tree(value: Any, seen: frozenset[int] = frozenset()) -> Any:
    """Copy the containers of an error tree (mappings become dicts), keeping the leaves."""
    if not _is_table(value):
        return value
    if id(value) in seen:
        raise ValueError("error trees must not contain cycles")
    seen = seen | {id(value)}
    if isinstance(value, Mapping):
        return {key: _copy_tree(item, seen) for key, item in value.items()}
    copied = [_copy_tree(item, seen) for item in value]
    return tuple(copied) if isinstance(value, tuple) else copied


def _sort_key(key: object) -> tuple[int, Any]:
    # Lua sorts numbers numerically and strings bytewise but cannot compare the two; numbers
    # (1-based array indexes) come first here, then strings, then anything else by its text.
    if _is_number(key) or isinstance(key, bool):
        return (0, key)
    if isinstance(key, str):
        return (1, key)
    return (2, _lua_tostring(key))


def _path_entries(
    value: object, path: str | None, out: list[str], seen: set[int], *, entity: bool
) -> None:
    # `entity` marks the content of an "@entity" key: its leaves are messages about the
    # enclosing record, so they get the record's path and no index of their own.
    if value is None:  # Lua nil: nothing to report
        return
    if not isinstance(value, Mapping | list | tuple):
        message = _lua_tostring(value)
        out.append(message if path is None else f"{path}: {message}")
        return
    if id(value) in seen:
        out.append("<cycle>" if path is None else f"{path}: <cycle>")
        return
    seen.add(id(value))
    if isinstance(value, Mapping):
        if not entity and _ENTITY in value:
            _path_entries(value[_ENTITY], path, out, seen, entity=True)
        keys = sorted((key for key in value if entity or key != _ENTITY), key=_sort_key)
        children = [(key, value[key]) for key in keys]
    else:
        children = list(enumerate(value, 1))
    for key, item in children:
        if entity:
            _path_entries(item, path, out, seen, entity=True)
        else:
            name = _lua_tostring(key)
            _path_entries(item, name if path is None else f"{path}.{name}", out, seen, entity=False)
    seen.discard(id(value))


def format_violations(errors: Mapping[Any, Any]) -> list[str]:
    """Flatten a field error tree into Kong's message entries (``kong/db/errors.lua``).

    Entity-level messages (the ``"@entity"`` list) come first, in their order; then every field,
    sorted by name, as ``"<field>: <message>"``. Nested mappings produce dotted paths
    (``"config.sub: <message>"``); array errors are keyed by 1-based integer indexes, in a
    mapping (``{"protocols": {2: "expected a string"}}``) or as a list, and give
    ``"protocols.2: expected a string"``. An ``"@entity"`` list inside a record gives
    ``"<record path>: <message>"`` entries before the record's fields. Leaves that are not
    strings are rendered as Lua's ``tostring`` does (``5``, ``true``; ``None`` is skipped, as a
    Lua ``nil`` would be). Never raises, whatever the keys' types.

    Args:
        errors: The error tree, ``{"@entity": [msg, ...], field: msg | tree}``.

    Returns:
        One entry per message leaf, in Kong's order.
    """
    out: list[str] = []
    _path_entries(errors, None, out, set(), entity=False)
    return out


def _assemble(entries: list[str], one: str, many: str) -> str:
    if len(entries) == 1:
        return f"{one} ({entries[0]})"
    return f"{len(entries)} {many} ({'; '.join(entries)})"


def _json_key(key: object) -> str:
    return key if isinstance(key, str) else _lua_tostring(key)


def _to_json(value: Any) -> Any:
    # What lua-cjson (as Kong configures it) would send: tables with only positive integer keys
    # are arrays with null in the gaps; other tables are objects with string keys.
    if isinstance(value, Mapping):
        keys = list(value)
        if keys and all(
            isinstance(key, int) and not isinstance(key, bool) and key >= 1 for key in keys
        ):
            top = max(keys)
            if top <= _CJSON_SPARSE_SAFE or top <= _CJSON_SPARSE_RATIO * len(keys):
                return [_to_json(value[i]) if i in value else None for i in range(1, top + 1)]
        return {_json_key(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


def _require_mapping(value: object, what: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a mapping, not {type(value).__name__}")
    return value


def _require_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    return value


def _optional_str(value: object, what: str) -> str | None:
    return None if value is None else _require_str(value, what)


def _optional_mapping(value: object, what: str) -> dict[Any, Any] | None:
    if value is None:
        return None
    copied: dict[Any, Any] = _copy_tree(_require_mapping(value, what))
    return copied


# ---------------------------------------------------------------------------------------------
# The exception tree


class KongDAOError(Exception):
    """Root of every kongdao error; carries Kong's ``err_t``.

    Catch this to handle any datastore failure; catch a subclass (or look at :attr:`code`) to
    handle one kind. Subclasses fix :attr:`code` and :attr:`name`; the factories of this module
    (:func:`schema_violation`, :func:`not_found`, ...) build Kong's exact messages and are the
    usual way to create one.

    Errors are picklable; the detail trees passed in are copied, never kept by reference.

    Args:
        message: Kong's formatted message; ``None`` makes ``str()`` fall back to :attr:`name`.
        strategy: The strategy that raised it (``"postgres"``, ``"cassandra"``, ``"off"``), or
            ``None`` outside any strategy.
        fields: Per-field details (Kong's ``err_t.fields``).
        options: Per-option details (Kong's ``err_t.options``, used by :class:`InvalidOptions`).
        name: Overrides the class's :attr:`name` for this instance.

    Attributes:
        code: Kong's numeric error code (``0`` for errors that are not Kong's).
        name: Kong's name for the code, e.g. ``"schema violation"``.
        message: The formatted message, or ``None``.
        strategy: The strategy that raised the error, or ``None``.
        fields: Per-field details, or ``None``.
        options: Per-option details, or ``None``.
    """

    code: int = 0
    name: str = "kongdao error"

    message: str | None
    strategy: str | None
    fields: dict[Any, Any] | None
    options: dict[Any, Any] | None

    def __init__(
        self,
        message: str | None = None,
        *,
        strategy: str | None = None,
        fields: Mapping[Any, Any] | None = None,
        options: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        message = _optional_str(message, "message")
        super().__init__(*(() if message is None else (message,)))
        self.message = message
        self.strategy = _optional_str(strategy, "strategy")
        self.fields = _optional_mapping(fields, "fields")
        self.options = _optional_mapping(options, "options")
        if name is not None:
            self.name = _require_str(name, "name")

    def __str__(self) -> str:
        text = self.name if self.message is None else self.message
        return text if self.strategy is None else f"[{self.strategy}] {text}"

    def _default_name(self) -> str:
        return type(self).name

    def _repr_extra(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        parts = [] if self.message is None else [repr(self.message)]
        if self.strategy is not None:
            parts.append(f"strategy={self.strategy!r}")
        parts.extend(self._repr_extra())
        if self.name != self._default_name():
            parts.append(f"name={self.name!r}")
        if self.fields is not None:
            parts.append(f"fields={self.fields!r}")
        if self.options is not None:
            parts.append(f"options={self.options!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def err_t(self) -> dict[str, Any]:
        """Kong's ``err_t`` table as a new dict.

        Keys: ``code``, ``name``, ``message`` (``None`` when absent, Kong's ``null``), then
        ``strategy`` when the error has one (Kong leaves the key out otherwise) and ``fields``
        or ``options`` when present (copies).
        """
        err_t: dict[str, Any] = {"code": self.code, "name": self.name, "message": self.message}
        if self.strategy is not None:
            err_t["strategy"] = self.strategy
        if self.fields is not None:
            err_t["fields"] = _copy_tree(self.fields)
        if self.options is not None:
            err_t["options"] = _copy_tree(self.options)
        return err_t

    def to_kong_body(self) -> dict[str, Any]:
        """Return the JSON body Kong's Admin API sends for this error.

        That is :attr:`err_t` without ``strategy``, made JSON-serialisable as lua-cjson would:
        integer-keyed mappings (array element errors, 1-based) become JSON lists with ``None``
        in the gaps, other keys become strings, and values that JSON lacks (``uuid.UUID``...)
        become strings.

        Note: for codes whose :attr:`http_status` is 500, Kong's Admin API logs the error and
        sends ``{"message": "An unexpected error occurred"}`` instead; this method still
        returns the detailed body, and the caller decides what to expose.

        Returns:
            A new dict of JSON-compatible values.
        """
        body = self.err_t
        body.pop("strategy", None)
        for key in ("fields", "options"):
            if key in body:
                body[key] = _to_json(body[key])
        return body

    @property
    def http_status(self) -> int:
        """The HTTP status Kong's Admin API answers with for this error's code.

        Kong's mapping (``kong/api/endpoints.lua``): 400 for codes 1-4, 7, 9-11 and 13, 409 for
        5, 404 for 6, 405 for 12, 500 for 8. Code 14 is 400, the status ``/config`` sends for
        it. Every other code (15-18, and :class:`InterfaceError`) is 500, as in Kong.
        """
        return _HTTP_STATUS.get(self.code, 500)

    def with_strategy(self, strategy: str | None) -> Self:
        """Return a copy of this error tagged with a strategy.

        Connectors use it to tag errors that the strategy-agnostic core raised, e.g.
        ``raise err.with_strategy("postgres") from None``. The copy keeps the message, details,
        ``__cause__`` and notes; the original is left unchanged.

        Args:
            strategy: The strategy name, or ``None`` to remove it.

        Returns:
            A new error of the same class.
        """
        clone = copy.copy(self)
        clone.strategy = _optional_str(strategy, "strategy")
        clone.fields = None if self.fields is None else _copy_tree(self.fields)
        clone.options = None if self.options is None else _copy_tree(self.options)
        if hasattr(self, "__notes__"):
            clone.__notes__ = list(self.__notes__)
        clone.__cause__ = self.__cause__
        clone.__suppress_context__ = self.__suppress_context__
        return clone


class InvalidPrimaryKey(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """A primary key argument is invalid (code 1).

    A part is missing, is not a valid UUID, or is not part of the primary key at all.
    ``fields`` holds the key. Built by :func:`invalid_primary_key`.
    """

    code = 1
    name = "invalid primary key"


class SchemaViolation(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """The entity fails schema validation (code 2).

    ``fields`` holds the per-field messages (``"@entity"`` for entity-level ones). Built by
    :func:`schema_violation`.
    """

    code = 2
    name = "schema violation"


class PrimaryKeyViolation(KongDAOError):  # noqa: N818 (Kong's name)
    """An entity with this primary key already exists (code 3).

    ``fields`` holds the key. Built by :func:`primary_key_violation`.
    """

    code = 3
    name = "primary key violation"


class ForeignKeyViolation(KongDAOError):  # noqa: N818 (Kong's name)
    """A foreign key references nothing, or a delete is restricted by references (code 4).

    Built by :func:`foreign_key_violation_invalid_reference` (``fields`` is
    ``{<column>: <foreign key>}``) or :func:`foreign_key_violation_restricted` (``fields`` is
    ``{"@referenced_by": <child entity>}``).
    """

    code = 4
    name = "foreign key violation"


class UniqueViolation(KongDAOError):  # noqa: N818 (Kong's name)
    """A unique field or composite cache key is already used (code 5).

    ``fields`` holds the unique key. Built by :func:`unique_violation`.
    """

    code = 5
    name = "unique constraint violation"


class NotFound(KongDAOError, LookupError):  # noqa: N818 (Kong's name)
    """The entity to update does not exist (code 6).

    It is also a :class:`LookupError`, the standard base for "this key leads nowhere", so
    generic lookup handlers catch it (it is not a :class:`KeyError`: ``except KeyError`` around
    dict access never swallows it). ``fields`` holds the key. Built by :func:`not_found` or
    :func:`not_found_by_field`.
    """

    code = 6
    name = "not found"


class InvalidOffset(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """A pagination offset cannot be decoded (code 7). Built by :func:`invalid_offset`."""

    code = 7
    name = "invalid offset"


class DatabaseError(KongDAOError):
    """The database or its driver failed (code 8).

    The message is the driver's error text. Built by :func:`database_error`.
    """

    code = 8
    name = "database error"


class InvalidSize(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """A page size is not an integer in range (code 9). Built by :func:`invalid_size`."""

    code = 9
    name = "invalid size"


class InvalidUnique(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """A value given to ``select_by_<field>`` and friends fails validation (code 10).

    Kong's name is a template, ``"invalid unique %s"``; an instance's :attr:`name` is
    ``"invalid unique <field>"``. Built by :func:`invalid_unique`.

    Args:
        message: The field's validation message.
        field: The unique field's name; sets the instance's name.
        strategy: See :class:`KongDAOError`.
        fields: See :class:`KongDAOError`.
        options: See :class:`KongDAOError`.
        name: Overrides the name computed from ``field``.

    Attributes:
        field: The unique field's name, or ``None``.
    """

    code = 10
    name = "invalid unique %s"

    field: str | None

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        strategy: str | None = None,
        fields: Mapping[Any, Any] | None = None,
        options: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self.field = _optional_str(field, "field")
        super().__init__(
            message,
            strategy=strategy,
            fields=fields,
            options=options,
            name=self._default_name() if name is None else name,
        )

    def _default_name(self) -> str:
        if self.field is None:
            return "invalid unique"
        return type(self).name % self.field

    def _repr_extra(self) -> list[str]:
        return [] if self.field is None else [f"field={self.field!r}"]


class InvalidOptions(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """The options of a DAO call are invalid (code 11).

    ``options`` (not ``fields``) holds the per-option messages. Built by
    :func:`invalid_options`.
    """

    code = 11
    name = "invalid options"


class OperationUnsupported(KongDAOError):  # noqa: N818 (Kong's name)
    """The strategy cannot perform this operation (code 12), e.g. writes on ``off``.

    Built by :func:`operation_unsupported`.
    """

    code = 12
    name = "operation unsupported"


class ForeignKeysUnresolved(KongDAOError):  # noqa: N818 (Kong's name)
    """A foreign key given by a unique field could not be resolved (code 13).

    Built by :func:`foreign_keys_unresolved`.
    """

    code = 13
    name = "foreign keys unresolved"


class DeclarativeConfigError(KongDAOError, ValueError):
    """A declarative (DB-less) configuration is invalid (code 14).

    Built by :func:`declarative_config`.
    """

    code = 14
    name = "invalid declarative configuration"


class TransformationError(KongDAOError):
    """A field transformation (``on_write``/``on_read``) failed (code 15).

    Built by :func:`transformation_error`.
    """

    code = 15
    name = "transformation error"


class InvalidForeignKey(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """A foreign key value given to ``select_by_<unique foreign>`` is invalid (code 16).

    Built by :func:`invalid_foreign_key`.
    """

    code = 16
    name = "invalid foreign key"


class InvalidWorkspace(KongDAOError):  # noqa: N818 (Kong's name)
    """The strategy met a workspace id that does not exist or does not match (code 17).

    Built by :func:`invalid_workspace`.
    """

    code = 17
    name = "invalid workspace"


class InvalidUniqueGlobal(KongDAOError, ValueError):  # noqa: N818 (Kong's name)
    """A global (all-workspaces) query used a field that is unique per workspace (code 18).

    Built by :func:`invalid_unique_global`.
    """

    code = 18
    name = "invalid global query"


class InterfaceError(KongDAOError, RuntimeError):
    """kongdao was used wrongly, e.g. a DAO called after its DB was closed.

    Not one of Kong's codes, so it is absent from :data:`CODES`. Its :attr:`code` is ``0`` (not
    ``None``) so that ``code`` is an ``int`` on every error; Kong's codes start at 1. It is a
    :class:`RuntimeError`: the call is refused because of the object's state, not its
    arguments. Its HTTP status is 500.
    """

    code = 0
    name = "interface error"


#: Kong's error code -> the kongdao class for it (codes 1 to 18).
CODES: Mapping[int, type[KongDAOError]] = MappingProxyType(
    {
        cls.code: cls
        for cls in (
            InvalidPrimaryKey,
            SchemaViolation,
            PrimaryKeyViolation,
            ForeignKeyViolation,
            UniqueViolation,
            NotFound,
            InvalidOffset,
            DatabaseError,
            InvalidSize,
            InvalidUnique,
            InvalidOptions,
            OperationUnsupported,
            ForeignKeysUnresolved,
            DeclarativeConfigError,
            TransformationError,
            InvalidForeignKey,
            InvalidWorkspace,
            InvalidUniqueGlobal,
        )
    }
)


# ---------------------------------------------------------------------------------------------
# Factories: Kong's Errors methods, with Kong's exact messages


def invalid_primary_key(
    primary_key: Mapping[Any, Any], *, strategy: str | None = None
) -> InvalidPrimaryKey:
    """Build an :class:`InvalidPrimaryKey`: ``invalid primary key: '{id="x"}'``.

    Args:
        primary_key: The offending key, or its per-part errors; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``primary_key`` is not a mapping.
    """
    primary_key = _require_mapping(primary_key, "primary_key")
    message = f"invalid primary key: '{lua_pretty(primary_key)}'"
    return InvalidPrimaryKey(message, strategy=strategy, fields=primary_key)


def schema_violation(errors: Mapping[Any, Any], *, strategy: str | None = None) -> SchemaViolation:
    """Build a :class:`SchemaViolation` from a field error tree.

    The message is ``schema violation (<entry>)`` for one entry, or
    ``<n> schema violations (<entry>; <entry>; ...)``, with entries from
    :func:`format_violations`.

    Args:
        errors: ``{"@entity": [msg, ...], field: msg | tree}``; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``errors`` is not a mapping.
    """
    errors = _require_mapping(errors, "errors")
    message = _assemble(format_violations(errors), "schema violation", "schema violations")
    return SchemaViolation(message, strategy=strategy, fields=errors)


def primary_key_violation(
    primary_key: Mapping[Any, Any], *, strategy: str | None = None
) -> PrimaryKeyViolation:
    """Build a :class:`PrimaryKeyViolation`: ``primary key violation on key '{id="..."}'``.

    Args:
        primary_key: The key that already exists; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``primary_key`` is not a mapping.
    """
    primary_key = _require_mapping(primary_key, "primary_key")
    message = f"primary key violation on key '{lua_pretty(primary_key)}'"
    return PrimaryKeyViolation(message, strategy=strategy, fields=primary_key)


def foreign_key_violation_invalid_reference(
    foreign_key: Mapping[Any, Any],
    column_name: str,
    parent_name: str,
    *,
    strategy: str | None = None,
) -> ForeignKeyViolation:
    """Build a :class:`ForeignKeyViolation` for a foreign key that references nothing.

    Message: ``the foreign key '{id="..."}' does not reference an existing 'services' entity.``
    (with Kong's final period); ``fields`` is ``{column_name: foreign_key}``.

    Args:
        foreign_key: The foreign key value, e.g. ``{"id": "..."}``.
        column_name: The foreign field's name, e.g. ``"service"``.
        parent_name: The referenced entity, e.g. ``"services"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``foreign_key`` is not a mapping, or a name is not a string.
    """
    foreign_key = _require_mapping(foreign_key, "foreign_key")
    column_name = _require_str(column_name, "column_name")
    parent_name = _require_str(parent_name, "parent_name")
    message = (
        f"the foreign key '{lua_pretty(foreign_key)}' does not reference "
        f"an existing '{parent_name}' entity."
    )
    return ForeignKeyViolation(message, strategy=strategy, fields={column_name: foreign_key})


def foreign_key_violation_restricted(
    parent_name: str, child_name: str, *, strategy: str | None = None
) -> ForeignKeyViolation:
    """Build a :class:`ForeignKeyViolation` for a delete that references restrict.

    Message: ``an existing 'routes' entity references this 'services' entity``; ``fields`` is
    ``{"@referenced_by": child_name}``.

    Args:
        parent_name: The entity being deleted, e.g. ``"services"``.
        child_name: The entity still referencing it, e.g. ``"routes"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: A name is not a string.
    """
    parent_name = _require_str(parent_name, "parent_name")
    child_name = _require_str(child_name, "child_name")
    message = f"an existing '{child_name}' entity references this '{parent_name}' entity"
    return ForeignKeyViolation(message, strategy=strategy, fields={"@referenced_by": child_name})


def _is_unresolved_reference(node: Mapping[Any, Any]) -> bool:
    return {"name", "value", "parent"} <= node.keys()


def _describe_unresolved(node: Any, depth: int) -> Any:
    if isinstance(node, Mapping):
        if depth > 0 and _is_unresolved_reference(node):
            return (
                "the foreign key cannot be resolved with "
                f"'{lua_pretty({node['name']: node['value']})}' "
                f"for an existing '{_lua_tostring(node['parent'])}' entity"
            )
        return {key: _describe_unresolved(item, depth + 1) for key, item in node.items()}
    if isinstance(node, list | tuple):
        return [_describe_unresolved(item, depth + 1) for item in node]
    return node


def foreign_keys_unresolved(
    errors: Mapping[Any, Any], *, strategy: str | None = None
) -> ForeignKeysUnresolved:
    """Build a :class:`ForeignKeysUnresolved` from the foreign keys that could not be resolved.

    ``errors`` maps each foreign field to ``{unique_field: reference}``, where a reference is
    ``{"name": unique_field, "value": value, "parent": "services"}`` (as Kong's DAO builds it)
    or already a message. References become
    ``the foreign key cannot be resolved with '{name="x"}' for an existing 'services' entity``
    in the message and in ``fields`` (the input is not modified). The message is
    ``foreign key unresolved (<entry>)`` or ``<n> foreign keys unresolved (...)``.

    Args:
        errors: The unresolved foreign keys.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``errors`` is not a mapping.
    """
    errors = _require_mapping(errors, "errors")
    described: dict[Any, Any] = _describe_unresolved(errors, 0)
    entries = format_violations(described)
    message = _assemble(entries, "foreign key unresolved", "foreign keys unresolved")
    return ForeignKeysUnresolved(message, strategy=strategy, fields=described)


def unique_violation(
    unique_key: Mapping[Any, Any], *, strategy: str | None = None
) -> UniqueViolation:
    """Build a :class:`UniqueViolation`: ``UNIQUE violation detected on '{name="x"}'``.

    Composite keys render sorted with ``None`` as ``null``, e.g.
    ``'{consumer=null,name="key-auth",route={id="..."},service=null}'``.

    Args:
        unique_key: The unique field(s) and value(s) already used; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``unique_key`` is not a mapping.
    """
    unique_key = _require_mapping(unique_key, "unique_key")
    message = f"UNIQUE violation detected on '{lua_pretty(unique_key)}'"
    return UniqueViolation(message, strategy=strategy, fields=unique_key)


def not_found(primary_key: Mapping[Any, Any], *, strategy: str | None = None) -> NotFound:
    """Build a :class:`NotFound`: ``could not find the entity with primary key '{id="..."}'``.

    Args:
        primary_key: The key that leads nowhere; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``primary_key`` is not a mapping.
    """
    primary_key = _require_mapping(primary_key, "primary_key")
    message = f"could not find the entity with primary key '{lua_pretty(primary_key)}'"
    return NotFound(message, strategy=strategy, fields=primary_key)


def not_found_by_field(filter: Mapping[Any, Any], *, strategy: str | None = None) -> NotFound:
    """Build a :class:`NotFound` by field: ``could not find the entity with '{name="x"}'``.

    Args:
        filter: The field and value that lead nowhere; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``filter`` is not a mapping.
    """
    filter = _require_mapping(filter, "filter")
    message = f"could not find the entity with '{lua_pretty(filter)}'"
    return NotFound(message, strategy=strategy, fields=filter)


def invalid_offset(offset: str, err: str, *, strategy: str | None = None) -> InvalidOffset:
    """Build an :class:`InvalidOffset`: ``'<offset>' is not a valid offset: <err>``.

    Args:
        offset: The offset token as given.
        err: Why it is invalid, e.g. ``"bad base64 encoding"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: An argument is not a string.
    """
    offset = _require_str(offset, "offset")
    err = _require_str(err, "err")
    return InvalidOffset(f"'{offset}' is not a valid offset: {err}", strategy=strategy)


def database_error(err: str | None = None, *, strategy: str | None = None) -> DatabaseError:
    """Build a :class:`DatabaseError` whose message is the driver's text.

    Args:
        err: The error text; ``None`` gives the message ``"database error"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``err`` is neither a string nor ``None``.
    """
    err = _optional_str(err, "err")
    return DatabaseError(DatabaseError.name if err is None else err, strategy=strategy)


def invalid_size(err: str, *, strategy: str | None = None) -> InvalidSize:
    """Build an :class:`InvalidSize`; the message is ``err`` as given.

    Args:
        err: E.g. ``"size must be an integer between 1 and 50000"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``err`` is not a string.
    """
    return InvalidSize(_require_str(err, "err"), strategy=strategy)


def invalid_unique(name: str, err: str, *, strategy: str | None = None) -> InvalidUnique:
    """Build an :class:`InvalidUnique` named ``invalid unique <name>``; the message is ``err``.

    Args:
        name: The unique field's name.
        err: The field's validation message, e.g. ``"expected a string"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: An argument is not a string.
    """
    name = _require_str(name, "name")
    return InvalidUnique(_require_str(err, "err"), field=name, strategy=strategy)


def invalid_options(errors: Mapping[Any, Any], *, strategy: str | None = None) -> InvalidOptions:
    """Build an :class:`InvalidOptions` from per-option messages.

    The message is ``invalid option (ttl: cannot be used with 'routes')`` for one entry, or
    ``<n> option violations (a: ...; b.c: ...)``; entries as in :func:`format_violations`.

    Args:
        errors: ``{option: msg | tree}``; becomes ``options`` (not ``fields``).
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``errors`` is not a mapping.
    """
    errors = _require_mapping(errors, "errors")
    message = _assemble(format_violations(errors), "invalid option", "option violations")
    return InvalidOptions(message, strategy=strategy, options=errors)


def operation_unsupported(err: str, *, strategy: str | None = None) -> OperationUnsupported:
    """Build an :class:`OperationUnsupported`; the message is ``err`` as given.

    Args:
        err: E.g. ``"cannot create 'services' entities when not using a database"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``err`` is not a string.
    """
    return OperationUnsupported(_require_str(err, "err"), strategy=strategy)


def declarative_config(
    err_t: Mapping[Any, Any], *, strategy: str | None = None
) -> DeclarativeConfigError:
    """Build a :class:`DeclarativeConfigError`: ``declarative config is invalid: {...}``.

    Args:
        err_t: The validation errors of the configuration; rendered with :func:`lua_pretty`
            and kept as ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``err_t`` is not a mapping.
    """
    err_t = _require_mapping(err_t, "err_t")
    message = f"declarative config is invalid: {lua_pretty(err_t)}"
    return DeclarativeConfigError(message, strategy=strategy, fields=err_t)


def transformation_error(
    err: str | None = None, *, strategy: str | None = None
) -> TransformationError:
    """Build a :class:`TransformationError`; the message is ``err`` as given.

    As in Kong, the schema layer formats ``err`` (``"transformation failed: <why>"``); this
    factory does not add the prefix again.

    Args:
        err: The transformation's error; ``None`` gives ``"transformation error"``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``err`` is neither a string nor ``None``.
    """
    err = _optional_str(err, "err")
    return TransformationError(TransformationError.name if err is None else err, strategy=strategy)


def invalid_foreign_key(
    foreign_key: Mapping[Any, Any], *, strategy: str | None = None
) -> InvalidForeignKey:
    """Build an :class:`InvalidForeignKey`: ``invalid foreign key: '{id="x"}'``.

    Args:
        foreign_key: The foreign key value, or its validation errors; becomes ``fields``.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``foreign_key`` is not a mapping.
    """
    foreign_key = _require_mapping(foreign_key, "foreign_key")
    message = f"invalid foreign key: '{lua_pretty(foreign_key)}'"
    return InvalidForeignKey(message, strategy=strategy, fields=foreign_key)


def invalid_workspace(ws_id: str | uuid.UUID, *, strategy: str | None = None) -> InvalidWorkspace:
    """Build an :class:`InvalidWorkspace`: ``invalid workspace '<ws_id>'``.

    Args:
        ws_id: The workspace id the strategy met (a string or a UUID).
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``ws_id`` is neither a string nor a UUID.
    """
    text = str(ws_id) if isinstance(ws_id, uuid.UUID) else _require_str(ws_id, "ws_id")
    return InvalidWorkspace(f"invalid workspace '{text}'", strategy=strategy)


def invalid_unique_global(name: str, *, strategy: str | None = None) -> InvalidUniqueGlobal:
    """Build an :class:`InvalidUniqueGlobal`: ``unique key <name> is invalid for global query``.

    Args:
        name: The unique field's name.
        strategy: The strategy name, if any.

    Returns:
        The error (not raised).

    Raises:
        TypeError: ``name`` is not a string.
    """
    name = _require_str(name, "name")
    message = f"unique key {name} is invalid for global query"
    return InvalidUniqueGlobal(message, strategy=strategy)
