"""The configuration schema of the ``rate-limiting`` plugin (``kong/plugins/rate-limiting``, 2.8).

The plugin limits how many requests are served per ``second``, ``minute``, ``hour``, ``day``,
``month`` and ``year`` (at least one of them), counted per consumer, credential, IP, service,
header or path (``limit_by``), in the gateway's memory (``local``), the database (``cluster``)
or Redis (``redis``). It runs on HTTP protocols only, and, unlike the authentication plugins,
may be applied to a consumer.

Kong's checks, with its messages:

* a limit for a longer period may not be lower than one for a shorter period
  (``The limit for minute(5.0) cannot be lower than the limit for second(10.0)``, reported on
  ``config``);
* ``policy = "redis"`` requires ``redis_host``, ``redis_port`` and ``redis_timeout``;
* ``limit_by = "header"`` requires ``header_name``, and ``limit_by = "path"`` requires ``path``.

Kong picks the ``policy`` field when the schema is loaded: a DB-less node (or a control plane)
defaults to ``local`` and refuses ``cluster``. kongdao always stores its plugins in a database,
so this is the database-backed variant: ``cluster`` by default.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, checks, typedefs

__all__ = ["SCHEMA"]

_ORDERED_PERIODS: Final = ("second", "minute", "hour", "day", "month", "year")


def _limit(value: int | float) -> str:
    """A limit as Lua's ``string.format("%.1f", v)`` prints it (a double: ``10`` is ``10.0``)."""
    try:
        return f"{float(value):.1f}"
    except OverflowError:  # an integer beyond a double (Lua would hold infinity); limits are > 0
        return "inf"


def _validate_periods_order(config: Any) -> str | None:
    """Kong's ``validate_periods_order``: no period's limit is lower than a shorter period's."""
    for i, lower_period in enumerate(_ORDERED_PERIODS):
        v1 = config.get(lower_period)
        if not _is_number(v1):
            continue
        for upper_period in _ORDERED_PERIODS[i + 1 :]:
            v2 = config.get(upper_period)
            if _is_number(v2) and v2 < v1:
                return (
                    f"The limit for {upper_period}({_limit(v2)}) cannot be lower than the limit "
                    f"for {lower_period}({_limit(v1)})"
                )
    return None


def _is_number(value: Any) -> bool:
    """Lua's ``type(v) == "number"``: booleans and null are not numbers."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _period() -> Field:
    return Field(type="number", gt=0)


def _required_if(if_field: str, value: str, then_field: str) -> checks.EntityCheck:
    return checks.conditional(
        if_field=if_field,
        if_match={"eq": value},
        then_field=then_field,
        then_match={"required": True},
    )


SCHEMA: Final = Schema(
    name="rate-limiting",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    *((period, _period()) for period in _ORDERED_PERIODS),
                    (
                        "limit_by",
                        Field(
                            type="string",
                            default="consumer",
                            one_of=("consumer", "credential", "ip", "service", "header", "path"),
                        ),
                    ),
                    ("header_name", typedefs.header_name()),
                    ("path", typedefs.path()),
                    (
                        "policy",
                        Field(
                            type="string",
                            default="cluster",
                            len_min=0,
                            one_of=("local", "cluster", "redis"),
                        ),
                    ),
                    ("fault_tolerant", Field(type="boolean", required=True, default=True)),
                    ("redis_host", typedefs.host()),
                    ("redis_port", typedefs.port(default=6379)),
                    ("redis_password", Field(type="string", len_min=0, referenceable=True)),
                    ("redis_username", Field(type="string", referenceable=True)),
                    ("redis_ssl", Field(type="boolean", required=True, default=False)),
                    ("redis_ssl_verify", Field(type="boolean", required=True, default=False)),
                    ("redis_server_name", typedefs.sni()),
                    ("redis_timeout", Field(type="number", default=2000)),
                    ("redis_database", Field(type="integer", default=0)),
                    ("hide_client_headers", Field(type="boolean", required=True, default=False)),
                ],
                custom_validator=_validate_periods_order,
            ),
        ),
    ],
    entity_checks=[
        checks.at_least_one_of(*(f"config.{period}" for period in _ORDERED_PERIODS)),
        _required_if("config.policy", "redis", "config.redis_host"),
        _required_if("config.policy", "redis", "config.redis_port"),
        _required_if("config.limit_by", "header", "config.header_name"),
        _required_if("config.limit_by", "path", "config.path"),
        _required_if("config.policy", "redis", "config.redis_timeout"),
    ],
)
"""The ``rate-limiting`` subschema of ``plugins``."""
