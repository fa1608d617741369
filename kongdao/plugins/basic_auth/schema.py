"""The configuration schema of the ``basic-auth`` plugin (Kong 2.8's ``basic-auth/schema.lua``).

The plugin authenticates consumers by HTTP Basic credentials. It cannot be applied to a
consumer, and runs on HTTP protocols only.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA"]

SCHEMA: Final = Schema(
    name="basic-auth",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("anonymous", Field(type="string")),
                    ("hide_credentials", Field(type="boolean", required=True, default=False)),
                ],
            ),
        ),
    ],
)
"""The ``basic-auth`` subschema of ``plugins``."""
