"""The bundled ``rate-limiting`` plugin: its configuration (Kong 2.8, version 2.4.0, priority 901).

Configuration only: the counters of the ``cluster`` policy (Kong's ``ratelimiting_metrics``
table) are the gateway's business, not an entity of the datastore.
"""

from __future__ import annotations

from kongdao.plugins.rate_limiting.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="rate-limiting", version="2.4.0", priority=901, schema=SCHEMA)
"""The ``rate-limiting`` plugin."""
