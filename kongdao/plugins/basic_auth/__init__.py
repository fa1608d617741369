"""The bundled ``basic-auth`` plugin: its configuration and the consumers' Basic credentials.

Kong 2.8's ``kong/plugins/basic-auth`` (version 2.2.0, priority 1001): the configuration schema
(:data:`SCHEMA`), the ``basicauth_credentials`` entity (:class:`BasicauthCredential`, passwords
stored hashed) and the migration that creates its table.
"""

from __future__ import annotations

from kongdao.plugins.basic_auth.daos import BasicauthCredential, hash_password, verify_password
from kongdao.plugins.basic_auth.migrations import MIGRATIONS
from kongdao.plugins.basic_auth.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA", "BasicauthCredential", "hash_password", "verify_password"]

PLUGIN = PluginSpec(
    name="basic-auth",
    version="2.2.0",
    priority=1001,
    schema=SCHEMA,
    entities=(BasicauthCredential,),
    migrations=MIGRATIONS,
)
"""The ``basic-auth`` plugin."""
