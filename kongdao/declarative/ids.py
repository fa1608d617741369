"""Stable ids for entities a declarative file gives without one.

Kong gives such an entity a UUID v5 so that loading the same file twice gives the same ids
(``kong/db/schema/others/declarative_config.lua``, ``generate_uuid``): the namespace of an
entity is ``uuid5(fd02801f-0957-4a15-a55a-c8d9606f30b5, <entity name>)`` and the id is
``uuid5(<that namespace>, <key>)``. The key is derived from the entity as given, by Kong
2.8.5's ``get_key_for_uuid_gen``, which kongdao follows because its entity schemas are Kong
2.8's (:func:`kong_key`):

* the endpoint key's value when present (a service's ``name``, a consumer's ``username``,
  a key-auth credential's ``key``); when the endpoint key is not unique (a target's
  ``target``), followed by ``:<id>`` of each parent the entity is deleted with (its upstream);
* otherwise the cache key: ``<entity>:<value>:<value>...``, a foreign key being the parent's id
  when the entity is nested in it, else the reference as written (a name or an id); a missing
  optional value is empty (a global plugin: ``plugins:key-auth:::``);
* otherwise nothing: Kong generates a random id.

So ``services: [{name: my-service}]`` gives the service ``0855b320-0dd2-547d-891d-601e9b38647f``
in Kong (2.x and 3.x) and in kongdao. Kong 3.4 and later differ in two ways kongdao does not
follow: the cache key comes before the endpoint key and carries a workspace segment
(``plugins:*:key-auth:::``), which changes the ids of plugins and key-auth credentials.

Where Kong would draw a random id (an unnamed route, a certificate), kongdao derives one from
the entity's place in the file instead (:func:`position_key`), so that the same file always
gives the same ids. Two more deliberate differences: a reference written as a table
(``service: {id: ...}``, accepted since Kong 3.4) counts as its ``id`` in a cache key (Kong
leaves it out, so two such plugins on different services would collide), and a value of
another type makes Kong's rule give up rather than fail.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any, Final

from kongdao.schema import UNSET, EntitySchema

__all__ = ["ENTITIES_NAMESPACE", "generate_id", "kong_key", "namespace", "position_key"]

ENTITIES_NAMESPACE: Final = uuid.UUID("fd02801f-0957-4a15-a55a-c8d9606f30b5")
"""Kong's namespace of entity namespaces (``uuid_generators._entities``)."""


@functools.cache
def namespace(entity: str) -> uuid.UUID:
    """The UUID v5 namespace of an entity's generated ids: ``uuid5(ENTITIES_NAMESPACE, entity)``."""
    return uuid.uuid5(ENTITIES_NAMESPACE, entity)


def generate_id(entity: str, key: str) -> str:
    """Kong's ``generate_uuid(entity, key)``: ``uuid5(namespace(entity), key)`` as a string."""
    return str(uuid.uuid5(namespace(entity), key))


def _reference(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def kong_key(
    schema: EntitySchema,
    item: Mapping[str, Any],
    schemas: Mapping[str, EntitySchema],
    *,
    parent_pk: Mapping[str, Any] | None = None,
    child_key: str | None = None,
) -> str | None:
    """The key Kong 2.8 derives an entity's id from, or ``None`` when it would draw a random id.

    The caller has checked that ``item`` has no primary key of its own.

    Args:
        schema: The entity's schema.
        item: The entity as written in the file (references not resolved).
        schemas: Every entity schema, by name (for the primary keys of parents).
        parent_pk: The primary key of the entity ``item`` is nested in, if any.
        child_key: The foreign field of ``item`` that points to that parent.

    Returns:
        The key, e.g. ``"my-service"`` or ``"plugins:key-auth::<service id>:"``.
    """
    if len(schema.primary_key) != 1:
        return None
    pk_field = schema.field_map[schema.primary_key[0]]
    if not pk_field.uuid:
        return None

    endpoint_key = schema.endpoint_key
    if endpoint_key is not None and item.get(endpoint_key) is not None:
        key = item[endpoint_key]
        if not isinstance(key, str):
            return None
        if not schema.field_map[endpoint_key].unique:
            # not unique on its own: unique among the parent's children (targets of an upstream)
            for fname, f in schema.fields:
                if f.type != "foreign" or f.on_delete != "cascade":
                    continue
                if parent_pk is not None:
                    parent = schemas.get(f.reference or "")
                    for part in parent.primary_key if parent is not None else ("id",):
                        key += ":" + str(parent_pk.get(part))
                else:
                    ref = _reference(item.get(fname))
                    if ref is None:
                        return None
                    key += ":" + ref
        return key

    if schema.cache_key:
        return _cache_key(schema, item, parent_pk, child_key)
    return None


def _cache_key(
    schema: EntitySchema,
    item: Mapping[str, Any],
    parent_pk: Mapping[str, Any] | None,
    child_key: str | None,
) -> str | None:
    # Kong's build_cache_key: a best effort, which gives up when a needed value is unknown yet
    assert schema.cache_key is not None
    parts = [schema.name or ""]
    for name in schema.cache_key:
        f = schema.field_map[name]
        value = item.get(name, UNSET)
        if f.auto:
            return None
        if isinstance(value, str):
            parts.append(value)
        elif value is UNSET:
            if name == child_key:
                if parent_pk is None or set(parent_pk) != {"id"}:
                    return None
                parts.append(str(parent_pk["id"]))
            elif f.required:
                return None
            else:
                parts.append("")
        elif f.type == "foreign":
            ref = _reference(value)
            if ref is not None:
                parts.append(ref)
            # Kong adds nothing for an explicit null (and, before kongdao, for a table)
    return ":".join(parts)


def position_key(index: int, parent: tuple[str, str] | None = None) -> str:
    """The key kongdao uses where Kong would draw a random id: the entity's place in the file.

    Args:
        index: The entity's 1-based position in its list.
        parent: ``(parent entity, parent id)`` when the list is nested in a parent.

    Returns:
        A NUL character, then ``#3`` at the top level or ``#services:<id>:3`` in a parent. NUL
        cannot appear in a valid name, so these keys never collide with one Kong derives.
    """
    if parent is None:
        return f"\0#{index}"
    return f"\0#{parent[0]}:{parent[1]}:{index}"
