"""The configuration schema of ``request-size-limiting`` (``kong/plugins/request-size-limiting``).

Kong 2.8's plugin refuses request bodies larger than ``allowed_payload_size`` (128 by default)
``size_unit`` s (``megabytes`` by default; ``kilobytes`` or ``bytes``), and, with
``require_content_length``, requests without a ``Content-Length``. It runs on HTTP protocols
only, and may be applied to a consumer.

As in Kong, ``allowed_payload_size`` is any integer: negative sizes are accepted.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA", "SIZE_UNITS"]

SIZE_UNITS: Final = ("megabytes", "kilobytes", "bytes")
"""The units of ``size_unit``, in Kong's order (the first one is the default)."""

SCHEMA: Final = Schema(
    name="request-size-limiting",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("allowed_payload_size", Field(type="integer", default=128)),
                    (
                        "size_unit",
                        Field(
                            type="string",
                            required=True,
                            default=SIZE_UNITS[0],
                            one_of=SIZE_UNITS,
                        ),
                    ),
                    (
                        "require_content_length",
                        Field(type="boolean", required=True, default=False),
                    ),
                ],
            ),
        ),
    ],
)
"""The ``request-size-limiting`` subschema of ``plugins``."""
