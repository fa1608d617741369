"""The configuration schema of the ``prometheus`` plugin (``kong/plugins/prometheus``, 2.8).

The plugin exposes Kong's metrics to Prometheus, per consumer too when ``per_consumer`` is set.
It runs on every protocol and may be applied to a consumer.

Left out: Kong refuses the plugin when its node has no ``prometheus_metrics`` nginx shared dict
(``ngx shared dict 'prometheus_metrics' not found``). That is a fact about a running Kong node,
not about the configuration, and kongdao has no nginx: it accepts the plugin, as a Kong node
with its default nginx template does.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema

__all__ = ["SCHEMA"]

SCHEMA: Final = Schema(
    name="prometheus",
    fields=[
        (
            "config",
            Field(
                type="record",
                fields=[("per_consumer", Field(type="boolean", default=False))],
            ),
        ),
    ],
)
"""The ``prometheus`` subschema of ``plugins``."""
