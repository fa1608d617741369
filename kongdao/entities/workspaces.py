"""The ``workspaces`` entity: the tenants of one database (Kong 2.8, in OSS since 2.1).

Every *workspaceable* entity (services, routes, consumers, plugins, certificates, snis,
upstreams, targets and the plugins' credentials) belongs to exactly one workspace; unique fields
are unique per workspace, except those marked ``unique_across_ws`` (``snis.name``). The
``default`` workspace is created by the core migrations and is where everything goes unless a
call names another one (see :mod:`kongdao.workspaces`). A workspace that still holds entities
cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from kongdao.schema import Entity, Field, entity, field, typedefs

__all__ = ["KONG_CORE_ENTITY_NAMES", "Workspace"]

KONG_CORE_ENTITY_NAMES: tuple[str, ...] = (
    "workspaces",
    "consumers",
    "certificates",
    "services",
    "routes",
    "snis",
    "upstreams",
    "targets",
    "plugins",
    "tags",
    "ca_certificates",
    "clustering_data_planes",
    "parameters",
    "vaults_beta",
)
"""Kong 2.8.5's ``constants.CORE_ENTITIES``: names a workspace may not take."""


@entity("workspaces", primary_key=("id",), endpoint_key="name", cache_key=("name",))
class Workspace(Entity):
    """A Kong workspace (``workspaces``).

    Attributes:
        id: the primary key (generated).
        name: a unique name (letters, digits, ``.-_~`` or non-ASCII), not a core entity's name.
        comment: free text.
        created_at: creation time, in seconds.
        meta: free-form metadata (Kong Enterprise fills it; an empty record in OSS).
        config: workspace settings (Kong Enterprise fills it; an empty record in OSS).
    """

    id: str = field(typedefs.uuid())
    name: str = field(
        typedefs.utf8_name(required=True, unique=True, not_one_of=KONG_CORE_ENTITY_NAMES)
    )
    comment: str | None = field(Field(type="string"))
    created_at: int = field(typedefs.auto_timestamp_s())
    meta: dict[str, Any] | None = field(Field(type="record", fields=()))
    config: dict[str, Any] | None = field(Field(type="record", fields=()))
