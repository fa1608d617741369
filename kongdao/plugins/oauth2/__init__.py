"""The bundled ``oauth2`` plugin: its configuration, client applications, codes and tokens.

Kong 2.8's ``kong/plugins/oauth2`` (version 2.1.2, priority 1004): the configuration schema
(:data:`SCHEMA`), the ``oauth2_credentials`` (:class:`OAuth2Credential`),
``oauth2_authorization_codes`` (:class:`OAuth2AuthorizationCode`) and ``oauth2_tokens``
(:class:`OAuth2Token`) entities, and the migration that creates their tables on PostgreSQL and
Cassandra. Client secrets are hashed as Kong hashes them (:mod:`kongdao.plugins.oauth2.secret`)
when a credential asks for it.

Kong's custom DAO of ``oauth2_tokens`` hashes its cache keys:
:class:`kongdao.plugins.oauth2.dao.OAuth2TokensDAO` does the same, for the DB to build the
tokens' DAO from.
"""

from __future__ import annotations

from kongdao.plugins.oauth2.daos import (
    OAuth2AuthorizationCode,
    OAuth2Credential,
    OAuth2Token,
    verify_client_secret,
)
from kongdao.plugins.oauth2.migrations import MIGRATIONS
from kongdao.plugins.oauth2.schema import SCHEMA
from kongdao.plugins.oauth2.secret import hash_secret, verify_secret
from kongdao.plugins.spec import PluginSpec

__all__ = [
    "PLUGIN",
    "SCHEMA",
    "OAuth2AuthorizationCode",
    "OAuth2Credential",
    "OAuth2Token",
    "hash_secret",
    "verify_client_secret",
    "verify_secret",
]

PLUGIN = PluginSpec(
    name="oauth2",
    version="2.1.2",
    priority=1004,
    schema=SCHEMA,
    entities=(OAuth2Credential, OAuth2AuthorizationCode, OAuth2Token),
    migrations=MIGRATIONS,
    daos={"oauth2_tokens": "kongdao.plugins.oauth2.dao:OAuth2TokensDAO"},
)
"""The ``oauth2`` plugin."""
