"""The bundled ``opentelemetry`` plugin: its configuration (Kong 3.0.0, version 0.1.0, priority 14).

Configuration only: the plugin has no entity. Kong bundles it since 3.0 (it does not exist in
2.8, kongdao's baseline), so it follows Kong 3.0.0, the release that first shipped it.
"""

from __future__ import annotations

from kongdao.plugins.opentelemetry.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="opentelemetry", version="0.1.0", priority=14, schema=SCHEMA)
"""The ``opentelemetry`` plugin."""
