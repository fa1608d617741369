"""The bundled ``file-log`` plugin: its configuration (Kong 2.8, version 2.1.0, priority 9).

Configuration only: the plugin has no entity.
"""

from __future__ import annotations

from kongdao.plugins.file_log.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="file-log", version="2.1.0", priority=9, schema=SCHEMA)
"""The ``file-log`` plugin."""
