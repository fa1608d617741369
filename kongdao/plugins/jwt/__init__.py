"""The bundled ``jwt`` plugin: its configuration and the consumers' JWT credentials.

Kong 2.8's ``kong/plugins/jwt`` (version 2.2.0, priority 1005): the configuration schema
(:data:`SCHEMA`), the ``jwt_secrets`` entity (:class:`JwtSecret`) and the migration that
creates its table on PostgreSQL and Cassandra.
"""

from __future__ import annotations

from kongdao.plugins.jwt.daos import ALGORITHMS, JwtSecret
from kongdao.plugins.jwt.migrations import MIGRATIONS
from kongdao.plugins.jwt.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["ALGORITHMS", "PLUGIN", "SCHEMA", "JwtSecret"]

PLUGIN = PluginSpec(
    name="jwt",
    version="2.2.0",
    priority=1005,
    schema=SCHEMA,
    entities=(JwtSecret,),
    migrations=MIGRATIONS,
)
"""The ``jwt`` plugin."""
