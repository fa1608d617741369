r"""The configuration schema of the ``cors`` plugin (``kong/plugins/cors/schema.lua``, 2.8).

The plugin answers CORS preflight requests and adds the CORS headers to responses, for the
``origins`` (each ``*`` or a regular expression), ``headers``, ``exposed_headers`` and
``methods`` it is given. It cannot be applied to a consumer, and runs on HTTP protocols only.

Kong's messages:

* an origin that is neither ``*`` nor a valid regular expression:
  ``'invalid_**regex' is not a valid regex`` (on its element of ``config.origins``);
* a method outside Kong's list: ``expected one of: GET, HEAD, PUT, PATCH, POST, DELETE,
  OPTIONS, TRACE, CONNECT``.

Origins are compiled with Python's :mod:`re` after :func:`~kongdao.schema.pcre.pcre_to_python`,
where Kong compiles them with PCRE: PCRE-only constructs (``\p{L}``, possessive quantifiers)
are refused here.
"""

from __future__ import annotations

import re
from typing import Final

from kongdao.schema import Field, Schema, typedefs
from kongdao.schema.pcre import compile_pcre

__all__ = ["METHODS", "SCHEMA"]

METHODS: Final = (
    "GET",
    "HEAD",
    "PUT",
    "PATCH",
    "POST",
    "DELETE",
    "OPTIONS",
    "TRACE",
    "CONNECT",
)
"""The methods ``config.methods`` accepts, and its default, in Kong's order."""


def _is_regex(value: str) -> bool:
    """Kong's ``Schema.validators.is_regex``: the pattern compiles."""
    try:
        compile_pcre(value)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _validate_asterisk_or_regex(value: str) -> str | None:
    """Kong's ``validate_asterisk_or_regex``."""
    if value == "*" or _is_regex(value):
        return None
    return f"'{value}' is not a valid regex"


def _strings() -> Field:
    return Field(type="array", elements=Field(type="string"))


SCHEMA: Final = Schema(
    name="cors",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    (
                        "origins",
                        Field(
                            type="array",
                            elements=Field(
                                type="string", custom_validator=_validate_asterisk_or_regex
                            ),
                        ),
                    ),
                    ("headers", _strings()),
                    ("exposed_headers", _strings()),
                    (
                        "methods",
                        Field(
                            type="array",
                            default=list(METHODS),
                            elements=Field(type="string", one_of=METHODS),
                        ),
                    ),
                    ("max_age", Field(type="number")),
                    ("credentials", Field(type="boolean", required=True, default=False)),
                    ("preflight_continue", Field(type="boolean", required=True, default=False)),
                ],
            ),
        ),
    ],
)
"""The ``cors`` subschema of ``plugins``."""
