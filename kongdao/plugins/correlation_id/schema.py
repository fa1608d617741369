"""The configuration schema of the ``correlation-id`` plugin (``kong/plugins/correlation-id``, 2.8).

The plugin tags each request with an id in the ``header_name`` header (``Kong-Request-ID`` by
default), made by the ``generator`` (``uuid``, ``uuid#counter`` by default, or ``tracker``),
and with ``echo_downstream`` sends it back in the response. It runs on HTTP protocols only, and
may be applied to a consumer.

As in Kong, ``header_name`` is any non-empty string: it is not checked as a header name.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["GENERATORS", "SCHEMA"]

GENERATORS: Final = ("uuid", "uuid#counter", "tracker")
"""The values of ``generator``."""

SCHEMA: Final = Schema(
    name="correlation-id",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("header_name", Field(type="string", default="Kong-Request-ID")),
                    (
                        "generator",
                        Field(type="string", default="uuid#counter", one_of=GENERATORS),
                    ),
                    ("echo_downstream", Field(type="boolean", required=True, default=False)),
                ],
            ),
        ),
    ],
)
"""The ``correlation-id`` subschema of ``plugins``."""
