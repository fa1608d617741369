"""The bundled ``request-size-limiting`` plugin (configuration only).

Kong 2.8's ``kong/plugins/request-size-limiting`` (version 2.0.0, priority 951).
"""

from __future__ import annotations

from kongdao.plugins.request_size_limiting.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="request-size-limiting", version="2.0.0", priority=951, schema=SCHEMA)
"""The ``request-size-limiting`` plugin."""
