"""CRUD events: how gateway code learns that an entity changed (Kong's ``dao:crud``).

Every successful ``insert``, ``update``, ``upsert`` and ``delete`` of a DAO emits one
:class:`CrudEvent` (``create`` / ``update`` / ``delete``), and a cascading delete emits one
``delete`` per removed child. Subscribers are async (or plain) callables; they run in
subscription order after the database write has been committed, and the DAO call returns once
they are done. A subscriber that raises is logged (logger ``kongdao.events``) and does not fail
the call that already changed the database. Pass ``no_broadcast_crud_event=True`` to a DAO
method to suppress its events.

Typical use, invalidating a cache::

    async def invalidate(event: CrudEvent) -> None:
        cache.pop(event.cache_key, None)
        if event.old_cache_key and event.old_cache_key != event.cache_key:
            cache.pop(event.old_cache_key, None)

    db.events.subscribe(invalidate)
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import attrs

__all__ = ["CrudEvent", "Events", "Operation", "Subscriber"]

log = logging.getLogger("kongdao.events")

Operation = Literal["create", "update", "delete"]


@attrs.frozen
class CrudEvent:
    """One change of one entity.

    Args:
        operation: ``create``, ``update`` or ``delete``.
        entity_name: the entity's schema name (``services``, ``routes``...).
        entity: the entity after the change (the deleted one for ``delete``).
        old_entity: the entity before an ``update`` (``None`` otherwise).
        cache_key: ``dao.cache_key(entity)``, the key caches store it under.
        old_cache_key: ``dao.cache_key(old_entity)`` for updates.
    """

    operation: Operation
    entity_name: str
    entity: Any
    old_entity: Any = None
    cache_key: str | None = None
    old_cache_key: str | None = None


Subscriber = Callable[[CrudEvent], Awaitable[None] | None]


@attrs.define
class _Subscription:
    callback: Subscriber
    entity_name: str | None
    operation: str | None


class Events:
    """The event bus of one DB: subscribe callbacks, filtered by entity and operation."""

    def __init__(self) -> None:
        self._subs: list[_Subscription] = []

    def subscribe(
        self,
        callback: Subscriber,
        *,
        entity_name: str | None = None,
        operation: Operation | None = None,
    ) -> Callable[[], None]:
        """Call ``callback`` for each matching event; returns a function that unsubscribes.

        Args:
            callback: ``async def cb(event)`` (a plain function works too).
            entity_name: only events of this entity (``None``: all).
            operation: only this operation (``None``: all).
        """
        sub = _Subscription(callback, entity_name, operation)
        self._subs.append(sub)

        def unsubscribe() -> None:
            if sub in self._subs:
                self._subs.remove(sub)

        return unsubscribe

    def clear(self) -> None:
        """Remove every subscriber."""
        self._subs.clear()

    @property
    def active(self) -> bool:
        """Whether anybody listens (the DAO skips building events otherwise)."""
        return bool(self._subs)

    async def emit(self, event: CrudEvent) -> None:
        """Deliver ``event`` to every matching subscriber, logging (not raising) their errors."""
        for sub in list(self._subs):
            if sub.entity_name is not None and sub.entity_name != event.entity_name:
                continue
            if sub.operation is not None and sub.operation != event.operation:
                continue
            try:
                result = sub.callback(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception(
                    "event subscriber %r failed on %s %s",
                    sub.callback,
                    event.operation,
                    event.entity_name,
                )
