"""The configuration schema of the ``jwt`` plugin (``kong/plugins/jwt/schema.lua``, 2.8).

The plugin authenticates consumers by a signed JSON Web Token read from the query string
(``uri_param_names``), cookies (``cookie_names``) or headers (``header_names``); the claim
named ``key_claim_name`` selects the consumer's ``jwt_secrets`` credential. It cannot be applied
to a consumer, and runs on HTTP protocols only.

Kong's check, with its messages: a ``maximum_expiration`` above 0 needs ``exp`` among
``claims_to_verify`` (``expected to contain: exp`` on ``config.claims_to_verify``, and
``failed conditional validation given value of field 'config.maximum_expiration'``).
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, checks, typedefs

__all__ = ["SCHEMA"]


def _strings(default: list[str]) -> Field:
    return Field(type="set", elements=Field(type="string"), default=default)


SCHEMA: Final = Schema(
    name="jwt",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("uri_param_names", _strings(["jwt"])),
                    ("cookie_names", _strings([])),
                    ("key_claim_name", Field(type="string", default="iss")),
                    ("secret_is_base64", Field(type="boolean", required=True, default=False)),
                    (
                        "claims_to_verify",
                        Field(type="set", elements=Field(type="string", one_of=("exp", "nbf"))),
                    ),
                    ("anonymous", Field(type="string")),
                    ("run_on_preflight", Field(type="boolean", required=True, default=True)),
                    (
                        "maximum_expiration",
                        Field(type="number", default=0, between=(0, 31536000)),
                    ),
                    ("header_names", _strings(["authorization"])),
                ],
            ),
        ),
    ],
    entity_checks=[
        checks.conditional(
            if_field="config.maximum_expiration",
            if_match={"gt": 0},
            then_field="config.claims_to_verify",
            then_match={"contains": "exp"},
        ),
    ],
)
"""The ``jwt`` subschema of ``plugins``."""
