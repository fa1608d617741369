"""The bundled ``correlation-id`` plugin (configuration only).

Kong 2.8's ``kong/plugins/correlation-id`` (version 2.0.2, priority 1).
"""

from __future__ import annotations

from kongdao.plugins.correlation_id.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="correlation-id", version="2.0.2", priority=1, schema=SCHEMA)
"""The ``correlation-id`` plugin."""
