"""The bundled ``session`` plugin: its configuration and the server-side sessions.

Kong 2.8's ``kong/plugins/session`` (version 2.4.5, priority 1900): the configuration schema
(:data:`SCHEMA`), the ``sessions`` entity (:class:`Session`) and the migration that creates its
table on PostgreSQL and Cassandra.
"""

from __future__ import annotations

from kongdao.plugins.session.daos import Session
from kongdao.plugins.session.migrations import MIGRATIONS
from kongdao.plugins.session.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA", "Session"]

PLUGIN = PluginSpec(
    name="session",
    version="2.4.5",
    priority=1900,
    schema=SCHEMA,
    entities=(Session,),
    migrations=MIGRATIONS,
)
"""The ``session`` plugin."""
