"""The configuration schema of ``request-transformer`` (``kong/plugins/request-transformer``, 2.8).

The plugin rewrites the request before it is proxied: ``remove``, ``rename``, ``replace``,
``add`` and ``append`` each hold arrays of ``body`` parameters, ``headers`` and ``querystring``
parameters (``replace`` also the ``uri``), and ``http_method`` changes the method. Every record
and array is filled with its default (``[]``), as Kong stores them. Unlike most bundled plugins,
it may be applied to a consumer and to any protocol.

Entries are ``name`` (``remove``) or ``name:value`` (the others; ``rename``'s value is the new
name). Kong's checks, with its messages, on the element that fails:

* a ``name:value`` entry without a value: ``key 'x-foo' has no value``;
* a header entry without a colon (``add``, ``append``, ``replace``, ``rename``):
  ``invalid value: x-foo``;
* a header name that is not one: ``'x foo' is not a valid header``; for ``rename``, the new name
  too (``'' is not a valid header`` when it is empty);
* ``http_method`` not in upper-case letters: ``invalid value: HELLO!``.

Left out: Kong also compiles each value as a Penlight template, whose ``$(...)`` expressions
are Lua, and refuses it with ``value '...' is not in supported format, error:<Lua's syntax
error>``. kongdao cannot compile Lua, so a value with a malformed expression (Kong's own
example: ``uri_param2:$(uri_captures user2)``) is accepted. Values without ``$(`` always
compile, so for them kongdao agrees with Kong. An entry that starts with a colon makes Kong
raise a Lua error (it concatenates a nil name) where kongdao reports ``invalid value: <entry>``,
the message of the header arrays' colon check.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs
from kongdao.schema.lua import lua_pattern

__all__ = ["SCHEMA", "validate_header_pair"]

# Kong's ``entry:match("^([^:]+):*(.-)$")``: the name is everything before the first colon.
_PAIR: Final = lua_pattern("^([^:]+):*(.-)$")
_COLON_PAIR: Final = lua_pattern("^[^:]+:.*$")


def validate_header_pair(pair: str, *, validate_value: bool = False) -> str | None:
    """Kong's ``validate_headers`` of request- and response-transformer.

    The name before the first colon must be a valid header name; with ``validate_value``
    (``rename``: ``old:new``), so must the text after the colons.

    Returns:
        ``None`` when valid, else Kong's message (``'x foo' is not a valid header``; an entry
        starting with a colon has no name, which Kong prints as ``'nil'``).
    """
    m = _PAIR.search(pair)
    if m is None or typedefs.validate_header_name(m.group(1)) is not None:
        return f"'{'nil' if m is None else m.group(1)}' is not a valid header"
    if validate_value and typedefs.validate_header_name(m.group(2)) is not None:
        return f"'{m.group(2)}' is not a valid header"
    return None


def _validate_headers(pair: str) -> str | None:
    return validate_header_pair(pair)


def _validate_colon_headers(pair: str) -> str | None:
    return validate_header_pair(pair, validate_value=True)


def _check_for_value(entry: str) -> str | None:
    """Kong's ``check_for_value``, without the template compilation (see the module)."""
    m = _PAIR.search(entry)
    if m is None:
        return f"invalid value: {entry}"
    if m.group(2) == "":
        return f"key '{m.group(1)}' has no value"
    return None


def _array(element: Field) -> Field:
    return Field(type="array", default=[], required=True, elements=element)


_STRINGS_ARRAY: Final = _array(Field(type="string"))
_HEADERS_ARRAY: Final = _array(Field(type="string", custom_validator=_validate_headers))
_COLON_STRINGS_ARRAY: Final = _array(Field(type="string", custom_validator=_check_for_value))
_COLON_HEADER_VALUE_ARRAY: Final = _array(
    Field(type="string", match=_COLON_PAIR, custom_validator=_validate_headers)
)
_COLON_HEADERS_ARRAY: Final = _array(
    Field(type="string", match=_COLON_PAIR, custom_validator=_validate_colon_headers)
)

_STRINGS_ARRAY_RECORD: Final = Field(
    type="record",
    fields=[
        ("body", _STRINGS_ARRAY),
        ("headers", _HEADERS_ARRAY),
        ("querystring", _STRINGS_ARRAY),
    ],
)
_COLON_STRINGS_ARRAY_RECORD: Final = Field(
    type="record",
    fields=[
        ("body", _COLON_STRINGS_ARRAY),
        ("headers", _COLON_HEADER_VALUE_ARRAY),
        ("querystring", _COLON_STRINGS_ARRAY),
    ],
)
_COLON_RENAME_STRINGS_ARRAY_RECORD: Final = Field(
    type="record",
    fields=[
        ("body", _COLON_STRINGS_ARRAY),
        ("headers", _COLON_HEADERS_ARRAY),
        ("querystring", _COLON_STRINGS_ARRAY),
    ],
)
_COLON_STRINGS_ARRAY_RECORD_PLUS_URI: Final = _COLON_STRINGS_ARRAY_RECORD.evolve(
    fields=[*(_COLON_STRINGS_ARRAY_RECORD.fields or ()), ("uri", Field(type="string"))]
)

SCHEMA: Final = Schema(
    name="request-transformer",
    fields=[
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("http_method", typedefs.http_method()),
                    ("remove", _STRINGS_ARRAY_RECORD),
                    ("rename", _COLON_RENAME_STRINGS_ARRAY_RECORD),
                    ("replace", _COLON_STRINGS_ARRAY_RECORD_PLUS_URI),
                    ("add", _COLON_STRINGS_ARRAY_RECORD),
                    ("append", _COLON_STRINGS_ARRAY_RECORD),
                ],
            ),
        ),
    ],
)
"""The ``request-transformer`` subschema of ``plugins``."""
