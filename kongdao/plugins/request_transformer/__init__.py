"""The bundled ``request-transformer`` plugin (configuration only).

Kong 2.8's ``kong/plugins/request-transformer`` (version 1.3.3, priority 801).
"""

from __future__ import annotations

from kongdao.plugins.request_transformer.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="request-transformer", version="1.3.3", priority=801, schema=SCHEMA)
"""The ``request-transformer`` plugin."""
