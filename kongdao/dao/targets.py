"""The DAO of ``targets`` (Kong 2.8's ``kong/db/dao/targets.lua``).

What it adds to the generic DAO:

* **Normalised targets.** ``insert`` and ``upsert`` normalise ``target`` first
  (:func:`~kongdao.entities.targets.normalize_target`: ``example.com`` becomes
  ``example.com:8000``, IPv6 addresses are expanded in brackets) and refuse an invalid one with
  Kong's schema violation ``target: Invalid target; not a valid hostname or ip address``.
  ``update`` normalises a valid target too; an invalid one is left to the schema's validator,
  whose message quotes it (``Invalid target ('x'); ...``), as Kong's update does.
* **One entry per target in an upstream.** ``insert`` refuses a target the upstream already has
  with Kong's ``UNIQUE violation detected on '{target="10.0.0.1:80"}'``; the same target in
  another upstream is fine. ``update`` applies the same rule when it changes ``target`` or
  ``upstream`` (Kong 2.8 does not check updates; a gateway should not get duplicates that way).
* **Upsert** (Kong's rule for entries carried over from before 2.2): when another entry of the
  upstream holds the target, the newer one wins by ``created_at`` (an upsert without
  ``created_at`` is new): a newer upsert deletes the old entry first, an older one writes
  nothing and returns the entry kept. ``upsert_by_target`` is an insert, as in Kong.
* **Listing an upstream's targets** as the Admin API does: ``page_for_upstream`` (that is,
  ``page_for("upstream", ...)``) gives the newest entry of each target first, paged by an
  offset into that list (``"2"``, ``"4"``...: Kong's offsets here are positions, not tokens).
  The raw views are ``page_for_upstream_raw`` (the database's pages), ``each_for_upstream`` and
  :meth:`TargetsDAO.select_by_upstream_raw` (every entry, oldest first);
  :meth:`TargetsDAO.select_by_upstream_filter` finds the newest entry by id or target.

Race-free uniqueness
    The check and the write run under a cluster lock per upstream (the connector's ``locks``
    table, the one migrations use: a compare-and-set row on PostgreSQL, a lightweight
    transaction on Cassandra), so concurrent writers of one upstream take turns and exactly one
    of two concurrent inserts of a target succeeds. A lock whose holder died expires after
    :data:`LOCK_TTL` seconds. On Cassandra the check reads at the read consistency: with
    several replicas the guarantee needs read and write consistencies that overlap (QUORUM
    both ways), as Kong's own read-before-write checks do. On PostgreSQL a unique index on
    ``(upstream_id, target)`` named ``targets_target_key`` makes it a database guarantee as well
    (the connector already reports a violation of ``<table>_<column>_key`` as Kong's UNIQUE
    violation on that column).

Left out, on purpose
    The balancer's runtime helpers (``page_for_upstream_with_health``, ``post_health``,
    ``get_balancer_health``) read a running Kong's health checkers: they are gateway state, not
    datastore state. Kong's upsert of an existing id whose target is new fails with a
    PRIMARY KEY violation (it calls ``insert``); here it replaces the entry, as any upsert does,
    and an upsert of an entry over itself always replaces it (Kong ignores one that is not
    newer, which would drop a changed weight). ``page_for_upstream`` validates ``size`` and
    ``offset`` like every pager instead of clamping the size and failing on a bad offset.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

from kongdao import errors
from kongdao.dao.base import DAO, _check_page_args
from kongdao.entities import Target
from kongdao.entities.targets import normalize_target
from kongdao.routing import use_primary
from kongdao.schema.fields import UNSET, UnsetType

__all__ = ["LOCK_TTL", "LOCK_WAIT", "TargetsDAO"]

log = logging.getLogger("kongdao")

LOCK_TTL: Final = 30.0
"""Seconds an upstream's lock lives when its holder never releases it (a crashed writer)."""
LOCK_WAIT: Final = 30.0
"""Seconds a writer waits for an upstream's lock before giving up (``DatabaseError``)."""

_FIRST_WAIT: Final = 0.005
_MAX_WAIT_STEP: Final = 0.1


def _is_newer(entity: Mapping[str, Any], existing: Target) -> bool:
    """Kong's upsert rule: the entity given wins over ``existing`` when it is newer.

    An entity without ``created_at`` is stamped now, so it is the newer one.
    """
    created_at = entity.get("created_at")
    if not isinstance(created_at, (int, float)) or isinstance(created_at, bool):
        return True
    return created_at > existing.created_at


def _sort_key(target: Target) -> tuple[float, str]:
    """Kong's ``sort_targets``: by ``created_at``, then by ``id``."""
    return (target.created_at, target.id)


class TargetsDAO(DAO[Target]):
    """``db.targets``: the generic DAO plus Kong's target normalisation and uniqueness.

    See the module docstring for the rules and what was left out.

    .. versionadded:: 0.2
    """

    # -- helpers --------------------------------------------------------------------------

    def _normalized(self, entity: Mapping[str, Any], *, strict: bool) -> dict[str, Any]:
        """A copy of ``entity`` whose string ``target`` is normalised.

        Args:
            entity: the input.
            strict: refuse an invalid target with Kong's DAO message (insert, upsert);
                otherwise leave it to the schema's validator (update).
        """
        data = dict(entity)
        target = data.get("target")
        if isinstance(target, str):
            try:
                data["target"] = normalize_target(target)
            except ValueError as exc:
                if strict:
                    raise self._violation({"target": str(exc)}) from None
        return data

    async def _upstream_id(self, data: dict[str, Any]) -> str | None:
        """The id of the upstream ``data`` belongs to, resolving one given by name.

        ``None`` when there is none to check against (absent or invalid: the write reports it).
        ``data["upstream"]`` is replaced by the resolved primary key.

        Raises:
            ForeignKeysUnresolved: the upstream is given by a name no upstream has.
        """
        upstream = data.get("upstream")
        if not isinstance(upstream, Mapping):
            return None
        await self._resolve_foreign(data)
        upstream = data["upstream"]
        field = self.schema.field_map["upstream"]
        if self.schema.validate_field(field, upstream) is not None:
            return None
        return str(upstream["id"])

    @contextlib.asynccontextmanager
    async def _locked(self, upstream_id: str) -> AsyncIterator[None]:
        """Hold the cluster lock of one upstream's targets (see the module docstring)."""
        connector = self.db.connector
        key = f"targets:{upstream_id}"
        owner = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT
        step = _FIRST_WAIT
        while not await connector.insert_lock(key, owner, LOCK_TTL):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise self._err(
                    errors.database_error(
                        f"timeout waiting for the lock of the targets of upstream '{upstream_id}'"
                    )
                )
            # random pauses de-synchronise the waiters
            await asyncio.sleep(min(remaining, random.uniform(step / 2, step)))  # noqa: S311
            step = min(step * 2, _MAX_WAIT_STEP)
        try:
            yield
        finally:
            try:
                await connector.remove_lock(key, owner)
            except (errors.KongDAOError, OSError) as exc:
                # an unreleased lock only delays the next writer by LOCK_TTL
                log.warning("failed to release the lock '%s': %s", key, exc)

    async def _holder(
        self, upstream_id: str, target: str, *, besides: str | None = None
    ) -> Target | None:
        """The newest entry of the upstream for ``target`` other than ``besides``."""
        found: Target | None = None
        async for existing in self.each_for("upstream", {"id": upstream_id}):
            if (
                existing.target == target
                and existing.id != besides
                and (found is None or _sort_key(existing) > _sort_key(found))
            ):
                found = existing
        return found

    async def _check_unique(
        self, upstream_id: str, target: str, *, besides: str | None = None
    ) -> None:
        holder = await self._holder(upstream_id, target, besides=besides)
        if holder is not None:
            raise self._err(errors.unique_violation({"target": holder.target}))

    # -- writes ---------------------------------------------------------------------------

    async def insert(
        self,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """Insert a target, normalised, unless its upstream already has it.

        Raises:
            SchemaViolation: ``target: Invalid target; not a valid hostname or ip address``,
                or any other invalid field.
            UniqueViolation: the upstream has this target (``{target=...}``).
        """
        async with self._workspace_context(workspace):
            if not isinstance(entity, Mapping):
                raise TypeError("entity must be a table")
            data = self._normalized(entity, strict=True)
            upstream_id = await self._upstream_id(data)
            target = data.get("target")
            options: dict[str, Any] = {
                "ttl": ttl,
                "transform": transform,
                "no_broadcast_crud_event": no_broadcast_crud_event,
                "show_ws_id": show_ws_id,
            }
            if upstream_id is None or not isinstance(target, str):
                return await super().insert(data, **options)
            async with self._locked(upstream_id):
                await self._check_unique(upstream_id, target)
                return await super().insert(data, **options)

    async def upsert(
        self,
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """Insert or replace a target; another entry of the same target yields to the newer.

        When another entry of the upstream holds the target, the newer of the two by
        ``created_at`` is kept (an entity without ``created_at`` is the newer): the old entry is
        deleted, or nothing is written and the entry kept is returned.
        """
        async with self._workspace_context(workspace):
            if not isinstance(primary_key, Mapping):
                raise TypeError("primary_key must be a table")
            if not isinstance(entity, Mapping):
                raise TypeError("entity must be a table")
            self._check_pk(primary_key)
            data = self._normalized(entity, strict=True)
            upstream_id = await self._upstream_id(data)
            target = data.get("target")
            options: dict[str, Any] = {
                "ttl": ttl,
                "transform": transform,
                "no_broadcast_crud_event": no_broadcast_crud_event,
                "show_ws_id": show_ws_id,
            }
            if upstream_id is None or not isinstance(target, str):
                return await super().upsert(primary_key, data, **options)
            async with self._locked(upstream_id):
                holder = await self._holder(upstream_id, target, besides=str(primary_key["id"]))
                if holder is not None:
                    if not _is_newer(entity, holder):
                        return holder
                    await super().delete(
                        {"id": holder.id}, no_broadcast_crud_event=no_broadcast_crud_event
                    )
                return await super().upsert(primary_key, data, **options)

    async def upsert_by(
        self,
        field: str,
        value: Any,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """``upsert_by_target`` is Kong's: an :meth:`insert` of ``entity`` with that target."""
        async with self._workspace_context(workspace):
            if field != "target":
                return await super().upsert_by(
                    field,
                    value,
                    entity,
                    ttl=ttl,
                    transform=transform,
                    no_broadcast_crud_event=no_broadcast_crud_event,
                )
            if not isinstance(entity, Mapping):
                raise TypeError("entity must be a table")
            return await self.insert(
                {**entity, "target": value},
                ttl=ttl,
                transform=transform,
                no_broadcast_crud_event=no_broadcast_crud_event,
            )

    async def update(
        self,
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """Partially update a target; a new ``target`` or ``upstream`` must stay unique.

        Raises:
            NotFound: no target has this primary key.
            UniqueViolation: the (new) upstream already has the (new) target.
        """
        async with self._workspace_context(workspace):
            if not isinstance(primary_key, Mapping):
                raise TypeError("primary_key must be a table")
            if not isinstance(entity, Mapping):
                raise TypeError("entity must be a table")
            options: dict[str, Any] = {
                "ttl": ttl,
                "transform": transform,
                "no_broadcast_crud_event": no_broadcast_crud_event,
                "show_ws_id": show_ws_id,
            }
            if "target" not in entity and "upstream" not in entity:
                return await super().update(primary_key, entity, **options)
            self._check_pk(primary_key)
            data = self._normalized(entity, strict=False)
            upstream_id = await self._upstream_id(data)
            target = data.get("target")
            if ("upstream" in data and upstream_id is None) or (
                "target" in data and not isinstance(target, str)
            ):
                # an invalid new value: the generic update reports it
                return await super().update(primary_key, data, **options)
            if upstream_id is None or target is None:
                stored = await self.select(primary_key)
                if stored is None:
                    raise self._err(errors.not_found(dict(primary_key)))
                upstream_id = upstream_id or str(stored.upstream["id"])
                target = stored.target if target is None else target
            try:
                target = normalize_target(target)
            except ValueError:
                # the schema's validator reports it, with Kong's message for updates
                return await super().update(primary_key, data, **options)
            async with self._locked(upstream_id):
                await self._check_unique(upstream_id, target, besides=str(primary_key["id"]))
                return await super().update(primary_key, data, **options)

    async def update_by(
        self,
        field: str,
        value: Any,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """``update_by_target``: as :meth:`update`, for the entry found by ``select_by_target``."""
        async with self._workspace_context(workspace):
            options: dict[str, Any] = {
                "ttl": ttl,
                "transform": transform,
                "no_broadcast_crud_event": no_broadcast_crud_event,
                "show_ws_id": show_ws_id,
            }
            if (
                field != "target"
                or not isinstance(entity, Mapping)
                or ("target" not in entity and "upstream" not in entity)
            ):
                return await super().update_by(field, value, entity, **options)
            found = await self.select_by(field, value)
            if found is None:
                raise self._err(errors.not_found_by_field({field: value}))
            return await self.update({"id": found.id}, entity, **options)

    # -- reads ----------------------------------------------------------------------------

    async def page_for(
        self,
        field: str,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Target], str | None]:
        """``page_for_upstream`` is Kong's: the newest entry of each target, newest first.

        The offset is a position in that list (``"2"`` after a first page of two). Other
        foreign keys page as usual.

        Raises:
            InvalidOffset: ``offset`` is not a position (``bad offset``).
        """
        async with self._workspace_context(workspace):
            if field != "upstream":
                return await super().page_for(
                    field,
                    foreign_key,
                    size,
                    offset,
                    nulls=nulls,
                    pagination=pagination,
                    show_ws_id=show_ws_id,
                    primary=primary,
                )
            if primary is not False:
                self._check_options(primary=primary)
            if not isinstance(foreign_key, Mapping):
                raise TypeError("foreign_key must be a table")
            _check_page_args(size, offset)  # Kong's order: argument types, key, size, options
            self._check_foreign(field, foreign_key)
            size = self._check_options(pagination=pagination, size=size, check_size=True)
            start = 0
            if offset is not None:
                if not (offset.isascii() and offset.isdigit()):
                    raise self._err(errors.invalid_offset(offset, "bad offset"))
                start = int(offset)
            latest: list[Target] = []
            seen: set[str] = set()
            with use_primary() if primary else contextlib.nullcontext():
                entries = await self.select_by_upstream_raw(foreign_key, nulls=nulls)
            for entry in reversed(entries):
                if entry.target not in seen:
                    seen.add(entry.target)
                    latest.append(entry)
            end = start + size
            return latest[start:end], (str(end) if len(latest) > end else None)

    async def page_for_upstream_raw(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        primary: bool = False,
    ) -> tuple[list[Target], str | None]:
        """One page of every entry of an upstream, as the database pages them (Kong's)."""
        return await super().page_for(
            "upstream",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            primary=primary,
        )

    async def select_by_upstream_raw(
        self, foreign_key: Mapping[str, Any], *, nulls: bool = False
    ) -> list[Target]:
        """Every entry of an upstream, oldest first (by ``created_at``, then ``id``)."""
        entries = [t async for t in self.each_for("upstream", foreign_key, nulls=nulls)]
        entries.sort(key=_sort_key)
        return entries

    async def select_by_upstream_filter(
        self,
        foreign_key: Mapping[str, Any],
        *,
        id: str | None = None,
        target: str | None = None,
        nulls: bool = False,
    ) -> Target | None:
        """The newest entry of an upstream with this ``id`` or this ``target``, or ``None``.

        ``target`` is normalised first when it is valid (``example.com`` finds
        ``example.com:8000``).
        """
        if target is not None:
            with contextlib.suppress(ValueError):
                target = normalize_target(target)
        for entry in reversed(await self.select_by_upstream_raw(foreign_key, nulls=nulls)):
            if (id is not None and entry.id == id) or (
                target is not None and entry.target == target
            ):
                return entry
        return None
