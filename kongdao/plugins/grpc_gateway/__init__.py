"""The bundled ``grpc-gateway`` plugin (configuration only).

Kong 2.8's ``kong/plugins/grpc-gateway`` (version 0.2.0, priority 998).
"""

from __future__ import annotations

from kongdao.plugins.grpc_gateway.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="grpc-gateway", version="0.2.0", priority=998, schema=SCHEMA)
"""The ``grpc-gateway`` plugin."""
