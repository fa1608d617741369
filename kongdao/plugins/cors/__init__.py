"""The bundled ``cors`` plugin (configuration only).

Kong 2.8's ``kong/plugins/cors`` (version 2.1.1, priority 2000).
"""

from __future__ import annotations

from kongdao.plugins.cors.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="cors", version="2.1.1", priority=2000, schema=SCHEMA)
"""The ``cors`` plugin."""
