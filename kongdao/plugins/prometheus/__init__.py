"""The bundled ``prometheus`` plugin: its configuration (Kong 2.8, version 1.6.0, priority 13).

Configuration only: the plugin has no entity.
"""

from __future__ import annotations

from kongdao.plugins.prometheus.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="prometheus", version="1.6.0", priority=13, schema=SCHEMA)
"""The ``prometheus`` plugin."""
