"""The configuration schema of the ``key-auth`` plugin (``kong/plugins/key-auth/schema.lua``, 2.8).

The plugin authenticates consumers by an API key read from a header, the query string or the
body (under one of ``key_names``). It cannot be applied to a consumer, and runs on HTTP
protocols only.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA"]

SCHEMA: Final = Schema(
    name="key-auth",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    (
                        "key_names",
                        Field(
                            type="array",
                            required=True,
                            elements=typedefs.header_name(),
                            default=["apikey"],
                        ),
                    ),
                    ("hide_credentials", Field(type="boolean", required=True, default=False)),
                    ("anonymous", Field(type="string")),
                    ("key_in_header", Field(type="boolean", required=True, default=True)),
                    ("key_in_query", Field(type="boolean", required=True, default=True)),
                    ("key_in_body", Field(type="boolean", required=True, default=False)),
                    ("run_on_preflight", Field(type="boolean", required=True, default=True)),
                ],
            ),
        ),
    ],
)
"""The ``key-auth`` subschema of ``plugins``."""
