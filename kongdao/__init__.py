"""kongdao: Kong's datastore layer (DAOs) as a Python asyncio library.

``db = await kongdao.connect("postgresql://...")`` gives a :class:`DB` whose DAOs
(``db.services``, ``db.routes``, ``db.consumers``, ``db.plugins``...) validate, default and store
Kong's entities, with Kong's errors (:mod:`kongdao.errors`). Importing kongdao imports no
database driver; connectors are loaded when a DSN names them.

.. versionadded:: 0.1
"""

from kongdao import errors
from kongdao._version import __version__
from kongdao.dao import DAO
from kongdao.db import DB, DBState, connect
from kongdao.entities import Consumer, Plugin, Route, Service, Tag
from kongdao.errors import KongDAOError
from kongdao.events import CrudEvent, Events
from kongdao.schema import UNSET, Entity, EntitySchema, Ref, schema_of

__all__ = [
    "DAO",
    "DB",
    "UNSET",
    "Consumer",
    "CrudEvent",
    "DBState",
    "Entity",
    "EntitySchema",
    "Events",
    "KongDAOError",
    "Plugin",
    "Ref",
    "Route",
    "Service",
    "Tag",
    "__version__",
    "connect",
    "errors",
    "schema_of",
]
