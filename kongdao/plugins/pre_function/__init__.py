"""The bundled ``pre-function`` plugin (configuration only).

Kong 2.8's ``kong/plugins/pre-function`` (version 2.1.0, priority ``math.huge``, recorded as
``math.inf``, so that it runs before every other plugin).
"""

from __future__ import annotations

import math
from typing import Final

from kongdao.plugins.pre_function.schema import SCHEMA, function_schema
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "PRIORITY", "SCHEMA", "function_schema"]

PRIORITY: Final = math.inf
"""Kong's ``math.huge``: pre-function runs before every other plugin."""

PLUGIN = PluginSpec(name="pre-function", version="2.1.0", priority=PRIORITY, schema=SCHEMA)
"""The ``pre-function`` plugin."""
