"""The bundled ``key-auth`` plugin: its configuration and the consumers' API keys.

Kong 2.8's ``kong/plugins/key-auth`` (version 2.4.0, priority 1003): the configuration schema
(:data:`SCHEMA`), the ``keyauth_credentials`` entity (:class:`KeyauthCredential`) and the
migration that creates its table on PostgreSQL and Cassandra.
"""

from __future__ import annotations

from kongdao.plugins.key_auth.daos import KeyauthCredential
from kongdao.plugins.key_auth.migrations import MIGRATIONS
from kongdao.plugins.key_auth.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA", "KeyauthCredential"]

PLUGIN = PluginSpec(
    name="key-auth",
    version="2.4.0",
    priority=1003,
    schema=SCHEMA,
    entities=(KeyauthCredential,),
    migrations=MIGRATIONS,
)
"""The ``key-auth`` plugin."""
