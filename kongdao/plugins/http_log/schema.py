"""The configuration schema of the ``http-log`` plugin (``kong/plugins/http-log/schema.lua``, 2.8).

The plugin sends each request's log, as JSON, to ``http_endpoint`` (batched by ``queue_size``
and ``flush_timeout``, retried ``retry_count`` times), with extra ``headers``. It runs on every
protocol, HTTP and stream, and may be applied to a consumer.

Kong's checks, with its messages:

* ``headers`` may not set ``Host``, ``Content-Length`` or ``Content-Type`` (``cannot contain
  'Host' header``, ...), compared without case, except that Kong's pattern for
  ``Content-Length`` only accepts a lower-case ``n`` in ``Length`` (``[nn]``): kongdao keeps
  that slip, so ``Content-LeNgth`` passes as it does in Kong;
* an ``Authorization`` header may not be combined with user info in ``http_endpoint``
  (``specifying both an 'Authorization' header and user info in 'http_endpoint' is not
  allowed``, reported on ``config``).

``custom_fields_by_lua`` is checked for shape only: kongdao cannot compile Lua.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Pattern, Schema, typedefs
from kongdao.schema.lua import lua_pattern
from kongdao.schema.typedefs import parse_url

__all__ = ["SCHEMA"]

_FORBIDDEN_HEADERS: Final = [
    Pattern(lua_pattern("^[Hh][Oo][Ss][Tt]$"), "cannot contain 'Host' header"),
    Pattern(
        lua_pattern("^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Ll][Ee][nn][Gg][Tt][Hh]$"),
        "cannot contain 'Content-Length' header",
    ),
    Pattern(
        lua_pattern("^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Tt][Yy][Pp][Ee]$"),
        "cannot contain 'Content-Type' header",
    ),
]


def _no_double_authorization(config: Any) -> str | None:
    """No ``Authorization`` header next to user info in ``http_endpoint``."""
    parsed = parse_url(config.get("http_endpoint") or "")
    headers = config.get("headers")
    if parsed is None or parsed.userinfo is None or not isinstance(headers, dict):
        return None
    if any(isinstance(name, str) and name.lower() == "authorization" for name in headers):
        return (
            "specifying both an 'Authorization' header and user info in 'http_endpoint' "
            "is not allowed"
        )
    return None


SCHEMA: Final = Schema(
    name="http-log",
    fields=[
        ("protocols", typedefs.protocols()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("http_endpoint", typedefs.url(required=True)),
                    (
                        "method",
                        Field(type="string", default="POST", one_of=("POST", "PUT", "PATCH")),
                    ),
                    (
                        "content_type",
                        Field(
                            type="string",
                            default="application/json",
                            one_of=("application/json",),
                        ),
                    ),
                    ("timeout", Field(type="number", default=10000)),
                    ("keepalive", Field(type="number", default=60000)),
                    ("retry_count", Field(type="integer", default=10)),
                    ("queue_size", Field(type="integer", default=1)),
                    ("flush_timeout", Field(type="number", default=2)),
                    (
                        "headers",
                        typedefs.headers(keys=typedefs.header_name(match_none=_FORBIDDEN_HEADERS)),
                    ),
                    ("custom_fields_by_lua", typedefs.lua_code()),
                ],
                custom_validator=_no_double_authorization,
            ),
        ),
    ],
)
"""The ``http-log`` subschema of ``plugins``."""
