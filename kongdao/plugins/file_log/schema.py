"""The configuration schema of the ``file-log`` plugin (``kong/plugins/file-log/schema.lua``, 2.8).

The plugin appends a JSON line per request to the file at ``path`` (``not a valid filename``
when the path holds ``*``, ``&``, ``%``, a backslash or a backquote). It runs on every protocol,
HTTP and stream, and may be applied to a consumer.

``custom_fields_by_lua`` maps log fields to Lua code. Kong compiles each value in its sandbox;
kongdao cannot run Lua, so it checks the shape only (non-empty strings to non-empty strings).
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs
from kongdao.schema.lua import lua_pattern

__all__ = ["SCHEMA"]

SCHEMA: Final = Schema(
    name="file-log",
    fields=[
        ("protocols", typedefs.protocols()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    (
                        "path",
                        Field(
                            type="string",
                            required=True,
                            match=lua_pattern(r"^[^*&%%\`]+$"),
                            err="not a valid filename",
                        ),
                    ),
                    ("reopen", Field(type="boolean", required=True, default=False)),
                    ("custom_fields_by_lua", typedefs.lua_code()),
                ],
            ),
        ),
    ],
)
"""The ``file-log`` subschema of ``plugins``."""
