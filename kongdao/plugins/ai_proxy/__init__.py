"""The bundled ``ai-proxy`` plugin: its configuration (Kong 3.9.3, version 3.9.3, priority 770).

Configuration only: the plugin has no entity. Kong bundles it since 3.6 (it does not exist in
2.8, kongdao's baseline); real configuration files use it, so kongdao bundles it with Kong
3.9.3's OSS schema (see :mod:`kongdao.plugins.ai_proxy.schema`, which also says why Kong's one
data-repair migration is left out). The version is Kong 3.9.3's handler's (``kong.meta``'s
version), and so is the priority.
"""

from __future__ import annotations

from kongdao.plugins.ai_proxy.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="ai-proxy", version="3.9.3", priority=770, schema=SCHEMA)
"""The ``ai-proxy`` plugin."""
