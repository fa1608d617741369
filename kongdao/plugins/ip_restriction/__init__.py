"""The bundled ``ip-restriction`` plugin (configuration only).

Kong 2.8's ``kong/plugins/ip-restriction`` (version 2.0.0, priority 990).
"""

from __future__ import annotations

from kongdao.plugins.ip_restriction.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="ip-restriction", version="2.0.0", priority=990, schema=SCHEMA)
"""The ``ip-restriction`` plugin."""
