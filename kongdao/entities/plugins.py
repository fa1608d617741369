"""The ``plugins`` entity: a plugin instance and its configuration (Kong 2.8).

``config`` is abstract: each plugin's configuration schema (:mod:`kongdao.plugins`) is a
subschema selected by the plugin's ``name``, and a name without one is reported as
``plugin '<name>' not enabled; add it to the 'plugins' configuration property``. Register the
enabled plugins with :meth:`~kongdao.schema.EntitySchema.with_subschemas`::

    plugins_schema = schema_of(Plugin).with_subschemas(kongdao.plugins.plugin_subschemas())

A plugin applies globally, or to a route, a service, a consumer, or a combination; the cache
key makes the pair (name, combination) unique. Deleting the route, service or consumer deletes
its plugins.
"""

from __future__ import annotations

from typing import Any

from kongdao.schema import Entity, Field, Ref, entity, field, typedefs

__all__ = ["Plugin"]


def _scope(reference: str) -> Field:
    return Field(type="foreign", reference=reference, default=None, on_delete="cascade")


@entity(
    "plugins",
    primary_key=("id",),
    cache_key=("name", "route", "service", "consumer"),
    workspaceable=True,
    subschema_key="name",
    subschema_error="plugin '%s' not enabled; add it to the 'plugins' configuration property",
)
class Plugin(Entity):
    """A plugin instance (``plugins``).

    Attributes:
        id: the primary key (generated).
        name: the plugin (``key-auth``, ...); selects the configuration schema.
        created_at: creation time, in seconds.
        route: the route it applies to, or ``None``.
        service: the service it applies to, or ``None``.
        consumer: the consumer it applies to, or ``None``.
        config: the configuration, as the plugin's schema defines it.
        protocols: the protocols of the requests it runs on.
        enabled: whether it runs.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    name: str = field(Field(type="string", required=True))
    created_at: int = field(typedefs.auto_timestamp_s())
    route: Ref | None = field(_scope("routes"))
    service: Ref | None = field(_scope("services"))
    consumer: Ref | None = field(_scope("consumers"))
    config: dict[str, Any] = field(Field(type="record", abstract=True))
    protocols: list[str] = field(typedefs.protocols())
    enabled: bool = field(Field(type="boolean", required=True, default=True))
    tags: list[str] | None = field(typedefs.tags())
