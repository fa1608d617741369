"""The configuration schema of the ``post-function`` plugin (Kong 2.8).

The same schema as ``pre-function``'s, under this plugin's name, as Kong builds both from
``pre-function/_schema.lua``: see :mod:`kongdao.plugins.pre_function.schema` for the fields,
checks and what is left out (the Lua code is not compiled).
"""

from __future__ import annotations

from typing import Final

from kongdao.plugins.pre_function.schema import function_schema

__all__ = ["SCHEMA"]

SCHEMA: Final = function_schema("post-function")
"""The ``post-function`` subschema of ``plugins``."""
