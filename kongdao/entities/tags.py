"""The ``tags`` entity: one row per tag of every tagged entity (Kong 2.8).

The database maintains it (triggers on Postgres, the DAO on Cassandra); it is read-only for
users and never exported.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, entity, field, typedefs

__all__ = ["Tag"]


@entity("tags", primary_key=("tag",), endpoint_key="tag", db_export=False)
class Tag(Entity):
    """One tag of one entity (``tags``).

    Attributes:
        tag: the tag.
        entity_name: the tagged entity's schema (``services``, ...).
        entity_id: the tagged entity's id.
    """

    tag: str = field(typedefs.tag())
    entity_name: str = field(Field(type="string", required=True))
    entity_id: str = field(typedefs.uuid(required=True))
