"""The configuration schema of the ``oauth2`` plugin (``kong/plugins/oauth2/schema.lua``, 2.8).

The plugin is an OAuth 2.0 authorization server for the APIs it protects: it issues
``oauth2_authorization_codes`` and ``oauth2_tokens`` to the consumers' ``oauth2_credentials``
(client applications) through the flows it enables. It cannot be applied to a consumer, and
runs on HTTP protocols only.

Kong's checks, with its messages:

* at least one flow is enabled (``at least one of these fields must be true:
  enable_authorization_code, enable_implicit_grant, enable_client_credentials,
  enable_password_grant``, reported on ``config`` once the record is otherwise valid);
* ``mandatory_scope = true`` requires ``scopes`` (``config.scopes: required field missing`` and
  ``failed conditional validation given value of field 'mandatory_scope'`` in the record's
  ``@entity``).

``provision_key`` (the secret the authorization server's login page shows Kong) is generated
when absent, as a random 32-character string. Kong marks it ``unique``, which means nothing in
a plugin's configuration: nothing enforces it there, in Kong or in kongdao.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, checks, typedefs

__all__ = ["SCHEMA"]

_FLOWS: Final = (
    "enable_authorization_code",
    "enable_implicit_grant",
    "enable_client_credentials",
    "enable_password_grant",
)


def _validate_flows(config: Any) -> str | None:
    """Kong's ``validate_flows``: at least one grant flow is enabled."""
    if any(config.get(flow) is True for flow in _FLOWS):
        return None
    return "at least one of these fields must be true: " + ", ".join(_FLOWS)


def _flag(default: bool = False) -> Field:
    return Field(type="boolean", default=default, required=True)


SCHEMA: Final = Schema(
    name="oauth2",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("scopes", Field(type="array", elements=Field(type="string"))),
                    ("mandatory_scope", _flag()),
                    (
                        "provision_key",
                        Field(type="string", unique=True, auto=True, required=True),
                    ),
                    ("token_expiration", Field(type="number", default=7200, required=True)),
                    *((flow, _flag()) for flow in _FLOWS),
                    ("hide_credentials", _flag()),
                    ("accept_http_if_already_terminated", _flag()),
                    ("anonymous", Field(type="string")),
                    ("global_credentials", _flag()),
                    ("auth_header_name", Field(type="string", default="authorization")),
                    ("refresh_token_ttl", Field(type="number", default=1209600, required=True)),
                    ("reuse_refresh_token", _flag()),
                    (
                        "pkce",
                        Field(
                            type="string",
                            default="lax",
                            required=False,
                            one_of=("none", "lax", "strict"),
                        ),
                    ),
                ],
                custom_validator=_validate_flows,
                entity_checks=[
                    checks.conditional(
                        if_field="mandatory_scope",
                        if_match={"eq": True},
                        then_field="scopes",
                        then_match={"required": True},
                    ),
                ],
            ),
        ),
    ],
)
"""The ``oauth2`` subschema of ``plugins``."""
