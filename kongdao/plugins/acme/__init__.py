"""The bundled ``acme`` plugin: its configuration and its key-value store.

Kong 2.8's ``kong/plugins/acme`` (version 0.4.0, priority 1007): the configuration schema
(:data:`SCHEMA`), the ``acme_storage`` entity (:class:`AcmeStorage`) and the migration that
creates its table on PostgreSQL and Cassandra.
"""

from __future__ import annotations

from kongdao.plugins.acme.daos import AcmeStorage
from kongdao.plugins.acme.migrations import MIGRATIONS
from kongdao.plugins.acme.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA", "AcmeStorage"]

PLUGIN = PluginSpec(
    name="acme",
    version="0.4.0",
    priority=1007,
    schema=SCHEMA,
    entities=(AcmeStorage,),
    migrations=MIGRATIONS,
)
"""The ``acme`` plugin."""
