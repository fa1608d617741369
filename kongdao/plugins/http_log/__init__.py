"""The bundled ``http-log`` plugin: its configuration (Kong 2.8, version 2.1.1, priority 12).

Configuration only: the plugin has no entity.
"""

from __future__ import annotations

from kongdao.plugins.http_log.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="http-log", version="2.1.1", priority=12, schema=SCHEMA)
"""The ``http-log`` plugin."""
