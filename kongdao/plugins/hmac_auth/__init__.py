"""The bundled ``hmac-auth`` plugin: its configuration and the consumers' HMAC credentials.

Kong 2.8's ``kong/plugins/hmac-auth`` (version 2.4.0, priority 1000): the configuration schema
(:data:`SCHEMA`), the ``hmacauth_credentials`` entity (:class:`HmacauthCredential`) and the
migration that creates its table on PostgreSQL and Cassandra.
"""

from __future__ import annotations

from kongdao.plugins.hmac_auth.daos import HmacauthCredential
from kongdao.plugins.hmac_auth.migrations import MIGRATIONS
from kongdao.plugins.hmac_auth.schema import ALGORITHMS, SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["ALGORITHMS", "PLUGIN", "SCHEMA", "HmacauthCredential"]

PLUGIN = PluginSpec(
    name="hmac-auth",
    version="2.4.0",
    priority=1000,
    schema=SCHEMA,
    entities=(HmacauthCredential,),
    migrations=MIGRATIONS,
)
"""The ``hmac-auth`` plugin."""
