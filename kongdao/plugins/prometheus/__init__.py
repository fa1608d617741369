"""The bundled ``prometheus`` plugin: its configuration (Kong 2.8, version 1.6.0, priority 13).

Configuration only: the plugin has no entity. Its schema is Kong 2.8's plus the metric switches
Kong 3.x added (see :mod:`kongdao.plugins.prometheus.schema`); the version and priority stay
those of Kong 2.8's handler (Kong 3 numbers the plugin with Kong's own version).
"""

from __future__ import annotations

from kongdao.plugins.prometheus.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="prometheus", version="1.6.0", priority=13, schema=SCHEMA)
"""The ``prometheus`` plugin."""
