"""The configuration schema of the ``opentelemetry`` plugin (Kong 3.0.0 ``schema.lua``).

It follows Kong **3.0.0**, the first release to bundle the plugin: it does not exist in Kong 2.8,
kongdao's baseline, so there is no 2.8 schema to follow.

The plugin exports spans over OTLP/HTTP to ``endpoint`` (required), with extra request
``headers``, ``resource_attributes`` added to every span, batches of ``batch_span_count`` spans
flushed every ``batch_flush_delay`` seconds, and connect / send / read timeouts in milliseconds.
It is a global plugin only (no consumer, service or route: ``value must be null``) and runs on
the HTTP protocols only.

``resource_attributes`` is a map of non-empty strings to non-empty strings (Kong's ``TODO``:
numbers and booleans later); its custom validator (Kong's, with its messages) rejects values
that are not strings, numbers or booleans (``invalid type of value: <lua type>``) and empty
strings (``required field missing``), though the map's own checks already catch both first
(``expected a string``, ``length must be at least 1``).
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA"]


def _lua_type(value: Any) -> str:
    """The name Lua's ``type()`` gives to a value as Kong would hold it."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (dict, list, tuple, set)):
        return "table"
    return "userdata"


def _validate_resource_attributes(attributes: Any) -> str | None:
    """Kong's ``custom_validator`` of ``resource_attributes``: scalar, non-empty values."""
    if not isinstance(attributes, dict):
        return None
    for value in attributes.values():
        kind = _lua_type(value)
        if kind not in ("string", "number", "boolean"):
            return f"invalid type of value: {kind}"
        if kind == "string" and len(value) == 0:
            return "required field missing"
    return None


_RESOURCE_ATTRIBUTES: Final = Field(
    type="map",
    keys=Field(type="string", required=True),
    values=Field(type="string", required=True),
    custom_validator=_validate_resource_attributes,
)

SCHEMA: Final = Schema(
    name="opentelemetry",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("service", typedefs.no_service()),
        ("route", typedefs.no_route()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("endpoint", typedefs.url(required=True)),
                    (
                        "headers",
                        Field(type="map", keys=typedefs.header_name(), values=Field(type="string")),
                    ),
                    ("resource_attributes", _RESOURCE_ATTRIBUTES),
                    ("batch_span_count", Field(type="integer", required=True, default=200)),
                    ("batch_flush_delay", Field(type="integer", required=True, default=3)),
                    ("connect_timeout", typedefs.timeout(default=1000)),
                    ("send_timeout", typedefs.timeout(default=5000)),
                    ("read_timeout", typedefs.timeout(default=5000)),
                ],
            ),
        ),
    ],
)
"""The ``opentelemetry`` subschema of ``plugins``."""
