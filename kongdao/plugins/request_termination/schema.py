"""The configuration schema of ``request-termination`` (``kong/plugins/request-termination``, 2.8).

The plugin answers requests itself with ``status_code`` (100 to 599, 503 by default) and either
a ``message`` (Kong's JSON body) or a ``body`` of ``content_type``; with ``echo``, it sends the
request back instead. ``trigger`` makes it fire only on requests carrying that header or query
parameter. It runs on HTTP protocols only, and may be applied to a consumer.

Kong's checks of the whole ``config``, reported on ``config`` itself, in this order (empty
strings count as absent):

* ``message cannot be used with content_type or body``;
* ``content_type requires a body``;
* ``echo cannot be used with content_type and body`` (with either of them, despite the "and").
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA"]


def _is_present(value: Any) -> bool:
    return isinstance(value, str) and len(value) > 0


def _validate_config(config: Any) -> str | None:
    """Kong's ``custom_validator`` of ``config``."""
    message = _is_present(config.get("message"))
    content_type = _is_present(config.get("content_type"))
    body = _is_present(config.get("body"))
    if message and (content_type or body):
        return "message cannot be used with content_type or body"
    if content_type and not body:
        return "content_type requires a body"
    if config.get("echo") is True and (content_type or body):
        return "echo cannot be used with content_type and body"
    return None


SCHEMA: Final = Schema(
    name="request-termination",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("status_code", Field(type="integer", default=503, between=(100, 599))),
                    ("message", Field(type="string")),
                    ("content_type", Field(type="string")),
                    ("body", Field(type="string")),
                    ("echo", Field(type="boolean", required=True, default=False)),
                    ("trigger", typedefs.header_name()),
                ],
                custom_validator=_validate_config,
            ),
        ),
    ],
)
"""The ``request-termination`` subschema of ``plugins``."""
