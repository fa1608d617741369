"""The configuration schema of ``response-transformer`` (``kong/plugins/response-transformer``).

Kong 2.8's plugin rewrites the upstream's response: ``remove``, ``rename``, ``replace``, ``add`` and
``append`` hold arrays of ``headers`` and of top-level ``json`` body properties (``rename``:
headers only); ``json_types`` says how each added or replaced ``json`` value is typed
(``boolean``, ``number`` or ``string``). Every record and array is filled with its default
(``[]``), as Kong stores them. It runs on HTTP protocols only, and may be applied to a consumer.

Entries are ``name`` (``remove``) or ``name:value``. Kong's messages, on the element that fails:

* a ``name:value`` entry without a colon: ``invalid value: x-foo``;
* a ``rename`` header whose old or new name is not a header name:
  ``'x foo' is not a valid header``;
* an unknown JSON type: ``expected one of: boolean, number, string``.

Unlike ``request-transformer``, header names are only checked for ``rename``, and values are
not templates: nothing here needs Lua, so every check is Kong's.
"""

from __future__ import annotations

from typing import Final

from kongdao.plugins.request_transformer.schema import validate_header_pair
from kongdao.schema import Field, Schema, typedefs
from kongdao.schema.lua import lua_pattern

__all__ = ["JSON_TYPES", "SCHEMA"]

JSON_TYPES: Final = ("boolean", "number", "string")
"""The types ``json_types`` accepts."""

_COLON_PAIR: Final = lua_pattern("^[^:]+:.*$")


def _validate_colon_headers(pair: str) -> str | None:
    return validate_header_pair(pair, validate_value=True)


def _array(element: Field) -> Field:
    return Field(type="array", default=[], required=True, elements=element)


_STRING_ARRAY: Final = _array(Field(type="string"))
_COLON_STRING_ARRAY: Final = _array(Field(type="string", match=_COLON_PAIR))
_COLON_HEADERS_ARRAY: Final = _array(
    Field(type="string", match=_COLON_PAIR, custom_validator=_validate_colon_headers)
)

_STRING_RECORD: Final = Field(
    type="record", fields=[("json", _STRING_ARRAY), ("headers", _STRING_ARRAY)]
)
_COLON_STRING_RECORD: Final = Field(
    type="record",
    fields=[
        ("json", _COLON_STRING_ARRAY),
        ("json_types", _array(Field(type="string", one_of=JSON_TYPES))),
        ("headers", _COLON_STRING_ARRAY),
    ],
)
_COLON_RENAME_STRINGS_ARRAY_RECORD: Final = Field(
    type="record", fields=[("headers", _COLON_HEADERS_ARRAY)]
)

SCHEMA: Final = Schema(
    name="response-transformer",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("remove", _STRING_RECORD),
                    ("rename", _COLON_RENAME_STRINGS_ARRAY_RECORD),
                    ("replace", _COLON_STRING_RECORD),
                    ("add", _COLON_STRING_RECORD),
                    ("append", _COLON_STRING_RECORD),
                ],
            ),
        ),
    ],
)
"""The ``response-transformer`` subschema of ``plugins``."""
