"""The bundled ``proxy-cache`` plugin (configuration only).

Kong 2.8's ``kong/plugins/proxy-cache`` (version 1.3.2, priority 100).

The cached responses live in nginx's shared memory, not in the datastore.
"""

from __future__ import annotations

from kongdao.plugins.proxy_cache.schema import SCHEMA, SHARED_DICTS, proxy_cache_schema
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA", "SHARED_DICTS", "proxy_cache_schema"]

PLUGIN = PluginSpec(name="proxy-cache", version="1.3.2", priority=100, schema=SCHEMA)
"""The ``proxy-cache`` plugin."""
