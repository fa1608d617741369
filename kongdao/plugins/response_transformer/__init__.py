"""The bundled ``response-transformer`` plugin (configuration only).

Kong 2.8's ``kong/plugins/response-transformer`` (version 2.0.2, priority 800).
"""

from __future__ import annotations

from kongdao.plugins.response_transformer.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="response-transformer", version="2.0.2", priority=800, schema=SCHEMA)
"""The ``response-transformer`` plugin."""
