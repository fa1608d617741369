"""The configuration schema of the ``hmac-auth`` plugin (``kong/plugins/hmac-auth``, 2.8).

The plugin authenticates consumers by an HMAC signature of the request (the ``Authorization``
or ``Proxy-Authorization`` header), keyed by the secret of their ``hmacauth_credentials``. It
cannot be applied to a consumer, and runs on HTTP protocols only. ``clock_skew`` (seconds) must
be positive, and the ``algorithms`` accepted are among :data:`ALGORITHMS` (all of them by
default).
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["ALGORITHMS", "SCHEMA"]

ALGORITHMS: Final = ("hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512")
"""The signature algorithms Kong 2.8's hmac-auth knows, in Kong's order."""

SCHEMA: Final = Schema(
    name="hmac-auth",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("hide_credentials", Field(type="boolean", required=True, default=False)),
                    ("clock_skew", Field(type="number", default=300, gt=0)),
                    ("anonymous", Field(type="string")),
                    (
                        "validate_request_body",
                        Field(type="boolean", required=True, default=False),
                    ),
                    (
                        "enforce_headers",
                        Field(type="array", elements=Field(type="string"), default=[]),
                    ),
                    (
                        "algorithms",
                        Field(
                            type="array",
                            elements=Field(type="string", one_of=ALGORITHMS),
                            default=list(ALGORITHMS),
                        ),
                    ),
                ],
            ),
        ),
    ],
)
"""The ``hmac-auth`` subschema of ``plugins``."""
