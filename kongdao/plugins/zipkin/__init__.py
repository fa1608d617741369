"""The bundled ``zipkin`` plugin: its configuration (Kong 2.8, version 1.5.0, priority 100000).

Configuration only: the plugin has no entity.
"""

from __future__ import annotations

from kongdao.plugins.spec import PluginSpec
from kongdao.plugins.zipkin.schema import PROTECTED_TAGS, SCHEMA

__all__ = ["PLUGIN", "PROTECTED_TAGS", "SCHEMA"]

PLUGIN = PluginSpec(name="zipkin", version="1.5.0", priority=100000, schema=SCHEMA)
"""The ``zipkin`` plugin."""
