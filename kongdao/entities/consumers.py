"""The ``consumers`` entity: the users of the proxied APIs (Kong 2.8).

A consumer is identified by a ``username``, a ``custom_id`` (an id from another system), or
both; at least one of them is required.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, checks, entity, field, typedefs

__all__ = ["Consumer"]


@entity(
    "consumers",
    primary_key=("id",),
    endpoint_key="username",
    workspaceable=True,
    entity_checks=[checks.at_least_one_of("custom_id", "username")],
)
class Consumer(Entity):
    """A Kong consumer (``consumers``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        username: a unique user name (``/consumers/{username}``).
        custom_id: a unique id from another system.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    username: str | None = field(Field(type="string", unique=True))
    custom_id: str | None = field(Field(type="string", unique=True))
    tags: list[str] | None = field(typedefs.tags())
