"""The bundled ``acl`` plugin: its configuration and the consumers' groups.

Kong 2.8's ``kong/plugins/acl`` (version 3.0.1, priority 950): the configuration schema
(:data:`SCHEMA`), the ``acls`` entity (:class:`ACL`) and the migration that creates its table.
"""

from __future__ import annotations

from kongdao.plugins.acl.daos import ACL
from kongdao.plugins.acl.migrations import MIGRATIONS
from kongdao.plugins.acl.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["ACL", "PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(
    name="acl",
    version="3.0.1",
    priority=950,
    schema=SCHEMA,
    entities=(ACL,),
    migrations=MIGRATIONS,
)
"""The ``acl`` plugin."""
