"""The DAO of ``plugins`` (Kong's ``kong/db/dao/plugins.lua``): protocol checks on writes.

When a plugin is written with explicit ``protocols``, they must share one with its route
(``must match the associated route's protocols``) and, for a service, with at least one of the
service's routes (a service without routes passes). As in Kong the check uses the input as
given (an update merges it over the stored plugin first) and is skipped when ``protocols`` is
not given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kongdao import errors
from kongdao.dao.base import DAO
from kongdao.entities import Plugin

__all__ = ["PluginsDAO"]

_ROUTE_MSG = "must match the associated route's protocols"
_SERVICE_MSG = "must match the protocols of at least one route pointing to this Plugin's service"


class PluginsDAO(DAO[Plugin]):
    """``db.plugins``: the generic DAO plus Kong's protocol checks."""

    async def _check_protocols(self, plugin: Mapping[str, Any]) -> None:
        protocols = plugin.get("protocols")
        if not isinstance(protocols, (list, tuple)):
            return
        wanted = set(protocols)
        routes = self.db.daos.get("routes")
        if routes is None:
            return
        route_pk = plugin.get("route")
        if isinstance(route_pk, Mapping):
            try:
                route = await routes.select(route_pk)
            except (errors.KongDAOError, TypeError):
                route = None  # Kong ignores the error here; the foreign key check reports it
            if route is not None and not wanted & set(route.protocols or ()):
                raise self._err(errors.schema_violation({"protocols": _ROUTE_MSG}))
        service_pk = plugin.get("service")
        if isinstance(service_pk, Mapping):
            seen_route = False
            try:
                async for route in routes.each_for("service", service_pk):
                    seen_route = True
                    if wanted & set(route.protocols or ()):
                        return
            except (errors.KongDAOError, TypeError):
                return
            if seen_route:
                raise self._err(errors.schema_violation({"protocols": _SERVICE_MSG}))

    async def insert(self, entity: Mapping[str, Any], **options: Any) -> Plugin:
        """Kong's ``insert``, after the protocol checks."""
        if isinstance(entity, Mapping):
            await self._check_protocols(entity)
        return await super().insert(entity, **options)

    async def update(
        self, primary_key: Mapping[str, Any], entity: Mapping[str, Any], **options: Any
    ) -> Plugin:
        """Kong's ``update``, after the protocol checks on the merged plugin."""
        if isinstance(primary_key, Mapping) and isinstance(entity, Mapping):
            try:
                stored = await super().select(primary_key)
            except errors.KongDAOError:
                stored = None
            merged = (
                self.schema.merge_values(entity, stored.to_dict()) if stored is not None else entity
            )
            await self._check_protocols(merged)
        return await super().update(primary_key, entity, **options)

    async def upsert(
        self, primary_key: Mapping[str, Any], entity: Mapping[str, Any], **options: Any
    ) -> Plugin:
        """Kong's ``upsert``, after the protocol checks."""
        if isinstance(entity, Mapping):
            await self._check_protocols(entity)
        return await super().upsert(primary_key, entity, **options)
