"""The configuration schema of the ``prometheus`` plugin: Kong 2.8's, with 3.x's metric switches.

The plugin exposes Kong's metrics to Prometheus, per consumer too when ``per_consumer`` is set.
It runs on every protocol and may be applied to a consumer.

kongdao's bundled plugins follow Kong 2.8.5, plus the Kong 3.x additions that real
configuration files need. Files written for Kong 3 (and exports of a Kong 3 node) switch metric
families on and off, so this schema carries the fields of Kong 3.9.3's OSS
``kong/plugins/prometheus/schema.lua``, in its order, each a boolean defaulting to ``false``:

* ``status_code_metrics``: HTTP status codes (``http_requests_total``) and stream sessions;
* ``ai_metrics``: the AI plugins' request, cost and token counters (Kong 3.8);
* ``latency_metrics``: Kong, upstream and request latencies;
* ``bandwidth_metrics``: bytes in and out;
* ``upstream_health_metrics``: the health of upstream targets.

A Kong 2.8 configuration (``per_consumer`` only) stays valid and keeps its values; the new
fields take their defaults. Kong 2.8 exported these metric families unconditionally, and Kong
3.0 made them opt-in (its changelog lists it as a breaking change): a gateway that reads a
stored 2.8 configuration as Kong 3 does exports fewer metrics than Kong 2.8 did, unless the
switches are turned on.

``protocols`` is Kong 3.9.3's ``typedefs.protocols``: the same field as ``plugins.protocols``
(every protocol allowed, the HTTP ones by default), so 2.8's behaviour does not change.

Left out: Kong refuses the plugin when its node has no ``prometheus_metrics`` nginx shared dict
(``ngx shared dict 'prometheus_metrics' not found``). That is a fact about a running Kong node,
not about the configuration, and kongdao has no nginx: it accepts the plugin, as a Kong node
with its default nginx template does.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["METRIC_SWITCHES", "SCHEMA"]

METRIC_SWITCHES: Final = (
    "status_code_metrics",
    "ai_metrics",
    "latency_metrics",
    "bandwidth_metrics",
    "upstream_health_metrics",
)
"""The Kong 3.x metric switches (all off by default), in Kong 3.9.3's order."""


def _switch() -> Field:
    return Field(type="boolean", default=False)


SCHEMA: Final = Schema(
    name="prometheus",
    fields=[
        ("protocols", typedefs.protocols()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("per_consumer", _switch()),
                    *((name, _switch()) for name in METRIC_SWITCHES),
                ],
            ),
        ),
    ],
)
"""The ``prometheus`` subschema of ``plugins``."""
