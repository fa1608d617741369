"""The bundled ``request-termination`` plugin (configuration only).

Kong 2.8's ``kong/plugins/request-termination`` (version 2.1.0, priority 2).
"""

from __future__ import annotations

from kongdao.plugins.request_termination.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="request-termination", version="2.1.0", priority=2, schema=SCHEMA)
"""The ``request-termination`` plugin."""
