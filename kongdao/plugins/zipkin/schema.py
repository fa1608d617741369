"""The configuration schema of the ``zipkin`` plugin (``kong/plugins/zipkin/schema.lua``, 2.8).

The plugin traces requests and reports the spans to a Zipkin collector (``http_endpoint``; no
endpoint: tracing headers only), sampling ``sample_ratio`` of them. It runs on every protocol
and may be applied to a consumer.

Kong's checks, with its messages: ``static_tags`` are ``{name, value}`` records whose names are
not Kong's own span tags (``must not be one of: error, http.method, ...``) and not repeated
(``repeated tags are not allowed: <name>``, reported on ``config.static_tags``).
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA"]

PROTECTED_TAGS: Final = (
    "error",
    "http.method",
    "http.path",
    "http.status_code",
    "kong.balancer.state",
    "kong.balancer.try",
    "kong.consumer",
    "kong.credential",
    "kong.node.id",
    "kong.route",
    "kong.service",
    "lc",
    "peer.hostname",
)
"""Span tags the plugin sets itself, which ``static_tags`` may not name."""

_STATIC_TAG: Final = Field(
    type="record",
    fields=[
        ("name", Field(type="string", required=True, not_one_of=PROTECTED_TAGS)),
        ("value", Field(type="string", required=True)),
    ],
)


def _validate_static_tags(tags: Any) -> str | None:
    """Kong's ``validate_static_tags``: no tag name twice."""
    if not isinstance(tags, list):
        return None
    found: set[Any] = set()
    for tag in tags:
        name = tag.get("name") if isinstance(tag, dict) else None
        if name in found:
            return f"repeated tags are not allowed: {name}"
        found.add(name)
    return None


SCHEMA: Final = Schema(
    name="zipkin",
    fields=[
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("local_service_name", Field(type="string", required=True, default="kong")),
                    ("http_endpoint", typedefs.url()),
                    ("sample_ratio", Field(type="number", default=0.001, between=(0, 1))),
                    ("default_service_name", Field(type="string")),
                    ("include_credential", Field(type="boolean", required=True, default=True)),
                    (
                        "traceid_byte_count",
                        Field(type="integer", required=True, default=16, one_of=(8, 16)),
                    ),
                    (
                        "header_type",
                        Field(
                            type="string",
                            required=True,
                            default="preserve",
                            one_of=("preserve", "ignore", "b3", "b3-single", "w3c", "jaeger", "ot"),
                        ),
                    ),
                    (
                        "default_header_type",
                        Field(
                            type="string",
                            required=True,
                            default="b3",
                            one_of=("b3", "b3-single", "w3c", "jaeger", "ot"),
                        ),
                    ),
                    ("tags_header", Field(type="string", required=True, default="Zipkin-Tags")),
                    (
                        "static_tags",
                        Field(
                            type="array",
                            elements=_STATIC_TAG,
                            custom_validator=_validate_static_tags,
                        ),
                    ),
                ],
            ),
        ),
    ],
)
"""The ``zipkin`` subschema of ``plugins``."""
