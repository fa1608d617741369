"""The configuration schema of the ``acme`` plugin (``kong/plugins/acme/schema.lua``, 2.8).

The plugin obtains and renews certificates from an ACME server (Let's Encrypt by default) for
``domains``, keeping its account and certificates in the ``storage`` it names: the nginx shared
memory (``shm``, the default), the database (``kong``: the ``acme_storage`` entity), Redis,
Consul or Vault, each configured under ``storage_config``. It is a global plugin: it cannot be
applied to a consumer, a service or a route, and runs on HTTP protocols only.

Kong's checks, with its messages:

* ``account_email`` must look like an e-mail address (a very loose Lua pattern:
  ``invalid value: <email>``);
* with Let's Encrypt's production or staging URI (without ``/directory``, as Kong compares
  them), ``tos_accepted`` must be ``true`` (``value must be true`` on
  ``config.tos_accepted`` and ``terms of service must be accepted, see
  https://letsencrypt.org/repository/``).

Left out, because kongdao is not a running Kong node:

* ``storage_config.shm.shm_name`` must name an nginx shared dict of the node
  (``ngx.shared[name]``): kongdao has no nginx, so any name is accepted;
* Kong refuses ``storage = "kong"`` on a DB-less node and ``storage = "shm"`` on a control plane
  (``"kong" storage can't be used with dbless mode``, ``"shm" storage can't be used in Hybrid
  mode``): kongdao always has a database and knows no node role, so, as on a traditional Kong
  node, both are accepted.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema, checks, typedefs
from kongdao.schema.lua import lua_pattern

__all__ = ["SCHEMA"]

CERT_TYPES: Final = ("rsa", "ecc")
RSA_KEY_SIZES: Final = (2048, 3072, 4096)
STORAGE_TYPES: Final = ("kong", "shm", "redis", "consul", "vault")


def _secret_string() -> Field:
    return Field(type="string", referenceable=True)


_SHM_STORAGE: Final = [("shm_name", Field(type="string", default="kong"))]
_KONG_STORAGE: Final[list[tuple[str, Field]]] = []
_REDIS_STORAGE: Final = [
    ("host", typedefs.host()),
    ("port", typedefs.port()),
    ("database", Field(type="number")),
    ("auth", _secret_string()),
]
_CONSUL_STORAGE: Final = [
    ("https", Field(type="boolean", default=False)),
    ("host", typedefs.host()),
    ("port", typedefs.port()),
    ("kv_path", Field(type="string")),
    ("timeout", Field(type="number")),
    ("token", _secret_string()),
]
_VAULT_STORAGE: Final = [
    *_CONSUL_STORAGE,
    ("tls_verify", Field(type="boolean", default=True)),
    ("tls_server_name", Field(type="string")),
    ("auth_method", Field(type="string")),
    ("auth_path", Field(type="string")),
    ("auth_role", Field(type="string")),
    ("jwt_path", Field(type="string")),
]

SCHEMA: Final = Schema(
    name="acme",
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
                    (
                        "account_email",
                        Field(
                            type="string",
                            match=lua_pattern("%w*%p*@+%w*%.?%w*"),
                            required=True,
                            referenceable=True,
                        ),
                    ),
                    (
                        "api_uri",
                        typedefs.url(default="https://acme-v02.api.letsencrypt.org/directory"),
                    ),
                    ("tos_accepted", Field(type="boolean", default=False)),
                    ("eab_kid", _secret_string()),
                    ("eab_hmac_key", _secret_string()),
                    ("cert_type", Field(type="string", default="rsa", one_of=CERT_TYPES)),
                    (
                        "rsa_key_size",
                        Field(type="number", default=4096, one_of=RSA_KEY_SIZES),
                    ),
                    ("renew_threshold_days", Field(type="number", default=14)),
                    ("domains", typedefs.hosts()),
                    ("fail_backoff_minutes", Field(type="number", default=5)),
                    ("storage", Field(type="string", default="shm", one_of=STORAGE_TYPES)),
                    (
                        "storage_config",
                        Field(
                            type="record",
                            fields=[
                                ("shm", Field(type="record", fields=_SHM_STORAGE)),
                                ("kong", Field(type="record", fields=_KONG_STORAGE)),
                                ("redis", Field(type="record", fields=_REDIS_STORAGE)),
                                ("consul", Field(type="record", fields=_CONSUL_STORAGE)),
                                ("vault", Field(type="record", fields=_VAULT_STORAGE)),
                            ],
                        ),
                    ),
                    ("preferred_chain", Field(type="string")),
                ],
            ),
        ),
    ],
    entity_checks=[
        checks.conditional(
            if_field="config.api_uri",
            if_match={
                "one_of": (
                    "https://acme-v02.api.letsencrypt.org",
                    "https://acme-staging-v02.api.letsencrypt.org",
                )
            },
            then_field="config.tos_accepted",
            then_match={"eq": True},
            then_err="terms of service must be accepted, see https://letsencrypt.org/repository/",
        ),
    ],
)
"""The ``acme`` subschema of ``plugins``."""
