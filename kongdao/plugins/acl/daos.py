"""The ``acls`` entity (``kong/plugins/acl/daos.lua``, 2.8).

The groups a consumer belongs to. The cache key is the pair (consumer, group), so a consumer is
in a group once (``select_by_cache_key`` finds the membership). Deleting the consumer deletes
its memberships.

Kong's custom ``acls`` DAO also invalidates the gateway's cached group list of the consumer
(``cache_key(consumer.id)``) on each change; kongdao has no cache of its own: a gateway
subscribes to ``db.events`` for ``acls`` and invalidates ``acls:<consumer id>:::::`` itself.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, Ref, entity, field, typedefs

__all__ = ["ACL"]


@entity(
    "acls",
    primary_key=("id",),
    cache_key=("consumer", "group"),
    workspaceable=True,
)
class ACL(Entity):
    """A consumer's membership of a group (``acls``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        consumer: the member.
        group: the group's name.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    group: str = field(Field(type="string", required=True))
    tags: list[str] | None = field(typedefs.tags())
