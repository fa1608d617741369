"""Kong 2.8's core entities, declared with :mod:`kongdao.schema`.

``CORE_ENTITIES`` lists them in the order of Kong's ``constants.CORE_ENTITIES``, in which an
entity comes after those it references. Kong's other core entities (workspaces, certificates,
snis, upstreams, targets, ...) come with later issues.
"""

from __future__ import annotations

from typing import Final

from kongdao.entities.consumers import Consumer
from kongdao.entities.plugins import Plugin
from kongdao.entities.routes import ROUTE_SUBSCHEMAS, Route
from kongdao.entities.services import Service
from kongdao.entities.tags import Tag
from kongdao.schema import Entity

__all__ = [
    "CORE_ENTITIES",
    "ROUTE_SUBSCHEMAS",
    "Consumer",
    "Plugin",
    "Route",
    "Service",
    "Tag",
]

CORE_ENTITIES: Final[tuple[type[Entity], ...]] = (Consumer, Service, Route, Plugin, Tag)
"""The core entity classes, in Kong's order (each after the entities it references)."""
