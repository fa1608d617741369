"""Kong 2.8's core entities, declared with :mod:`kongdao.schema`.

``CORE_ENTITIES`` lists them in the order of Kong's ``constants.CORE_ENTITIES``, in which an
entity comes after those it references (``ca_certificates`` moved up: services reference it).
``workspaces`` comes first: every workspaceable entity references it.
"""

from __future__ import annotations

from typing import Final

from kongdao.entities.ca_certificates import CACertificate
from kongdao.entities.certificates import Certificate
from kongdao.entities.consumers import Consumer
from kongdao.entities.plugins import Plugin
from kongdao.entities.routes import ROUTE_SUBSCHEMAS, Route
from kongdao.entities.services import Service
from kongdao.entities.snis import SNI
from kongdao.entities.tags import Tag
from kongdao.entities.targets import Target
from kongdao.entities.upstreams import Upstream
from kongdao.entities.workspaces import Workspace
from kongdao.schema import Entity

__all__ = [
    "CORE_ENTITIES",
    "ROUTE_SUBSCHEMAS",
    "SNI",
    "CACertificate",
    "Certificate",
    "Consumer",
    "Plugin",
    "Route",
    "Service",
    "Tag",
    "Target",
    "Upstream",
    "Workspace",
]

CORE_ENTITIES: Final[tuple[type[Entity], ...]] = (
    Workspace,
    Consumer,
    Certificate,
    CACertificate,
    Service,
    Route,
    SNI,
    Upstream,
    Target,
    Plugin,
    Tag,
)
"""The core entity classes, in Kong's order (each after the entities it references)."""
