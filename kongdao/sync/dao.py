"""Blocking DAOs: each method runs the async DAO method of the same name through the portal.

They return the same values and raise the same exceptions as the async methods. Async
iterators (``each``, ``each_for_<fk>``) become plain iterators that fetch one page per portal
call (``page`` / ``page_for`` with the offset of the previous page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kongdao.entities import Tag
from kongdao.legacy.dao import DEFAULT_PAGE_SIZE
from kongdao.schema.entity import Entity
from kongdao.schema.fields import UNSET, UnsetType

if TYPE_CHECKING:
    from kongdao.dao.base import DAO
    from kongdao.dao.tags import TagsDAO
    from kongdao.legacy import LegacyDAO, LegacyFactory, LegacyRow
    from kongdao.schema.entity import EntitySchema
    from kongdao.sync.portal import Portal

__all__ = ["SyncAnyDAO", "SyncDAO", "SyncLegacyDAO", "SyncLegacyFactory", "SyncTagsDAOBase"]

E = TypeVar("E", bound=Entity)

_GENERATED = re.compile(r"^(select_by|update_by|upsert_by|delete_by|page_for|each_for)_(\w+)$")


class SyncDAO(Generic[E]):
    """The blocking DAO of one entity (``sync_db.services``); see :class:`kongdao.dao.DAO`.

    Kong's generated methods (``select_by_<unique>``...) are declared, typed, on the
    per-entity subclasses of :mod:`kongdao.sync.typed` for the core entities, and answered at
    runtime by :class:`SyncAnyDAO` for the others.

    .. versionadded:: 0.1
    """

    def __init__(self, portal: Portal, dao: DAO[E]) -> None:
        self._portal = portal
        self._dao = dao

    def __repr__(self) -> str:
        return f"<SyncDAO {self._dao.name}>"

    @property
    def async_dao(self) -> DAO[E]:
        """The async DAO behind this one (use it from the sync DB's own loop only)."""
        return self._dao

    @property
    def name(self) -> str:
        """The entity's name."""
        return self._dao.name

    @property
    def schema(self) -> EntitySchema:
        """The entity's schema."""
        return self._dao.schema

    # -- reads ---------------------------------------------------------------------------------

    def select(
        self,
        primary_key: Mapping[str, Any],
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> E | None:
        """See :meth:`kongdao.dao.DAO.select`."""
        return self._portal.call(
            self._dao.select,
            primary_key,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def select_by(
        self,
        field: str,
        value: Any,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> E | None:
        """See :meth:`kongdao.dao.DAO.select_by`."""
        return self._portal.call(
            self._dao.select_by,
            field,
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def select_by_cache_key(
        self,
        cache_key: Any,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> E | None:
        """See :meth:`kongdao.dao.DAO.select_by_cache_key`."""
        return self._portal.call(
            self._dao.select_by_cache_key,
            cache_key,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def page(
        self,
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        tags: Sequence[str] | None = None,
        tags_cond: str | None = None,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[E], str | None]:
        """See :meth:`kongdao.dao.DAO.page`."""
        return self._portal.call(
            self._dao.page,
            size,
            offset,
            nulls=nulls,
            tags=tags,
            tags_cond=tags_cond,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each(
        self,
        size: int | None = None,
        *,
        nulls: bool = False,
        tags: Sequence[str] | None = None,
        tags_cond: str | None = None,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[E]:
        """Iterate over every entity, one page (one portal call) at a time."""
        offset: str | None = None
        while True:
            entities, offset = self.page(
                size,
                offset,
                nulls=nulls,
                tags=tags,
                tags_cond=tags_cond,
                pagination=pagination,
                workspace=workspace,
                show_ws_id=show_ws_id,
                primary=primary,
            )
            yield from entities
            if offset is None:
                return

    def page_for(
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
    ) -> tuple[list[E], str | None]:
        """See :meth:`kongdao.dao.DAO.page_for`."""
        return self._portal.call(
            self._dao.page_for,
            field,
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for(
        self,
        field: str,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[E]:
        """Iterate over the entities whose ``field`` is ``foreign_key``, a page at a time."""
        offset: str | None = None
        while True:
            entities, offset = self.page_for(
                field,
                foreign_key,
                size,
                offset,
                nulls=nulls,
                pagination=pagination,
                workspace=workspace,
                show_ws_id=show_ws_id,
                primary=primary,
            )
            yield from entities
            if offset is None:
                return

    def count(self, *, workspace: str | UnsetType | None = UNSET, primary: bool = False) -> int:
        """See :meth:`kongdao.dao.DAO.count`."""
        return self._portal.call(self._dao.count, workspace=workspace, primary=primary)

    def cache_key(self, key: Any, *args: Any) -> str:
        """See :meth:`kongdao.dao.DAO.cache_key` (no I/O: computed in the calling thread)."""
        return self._dao.cache_key(key, *args)

    # -- writes --------------------------------------------------------------------------------

    def insert(
        self,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E:
        """See :meth:`kongdao.dao.DAO.insert`."""
        return self._portal.call(
            self._dao.insert,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def update(
        self,
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E:
        """See :meth:`kongdao.dao.DAO.update`."""
        return self._portal.call(
            self._dao.update,
            primary_key,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def update_by(
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
    ) -> E:
        """See :meth:`kongdao.dao.DAO.update_by`."""
        return self._portal.call(
            self._dao.update_by,
            field,
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert(
        self,
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E:
        """See :meth:`kongdao.dao.DAO.upsert`."""
        return self._portal.call(
            self._dao.upsert,
            primary_key,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by(
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
    ) -> E:
        """See :meth:`kongdao.dao.DAO.upsert_by`."""
        return self._portal.call(
            self._dao.upsert_by,
            field,
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete(
        self,
        primary_key: Mapping[str, Any],
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E | None:
        """See :meth:`kongdao.dao.DAO.delete`."""
        return self._portal.call(
            self._dao.delete,
            primary_key,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by(
        self,
        field: str,
        value: Any,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E | None:
        """See :meth:`kongdao.dao.DAO.delete_by`."""
        return self._portal.call(
            self._dao.delete_by,
            field,
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def truncate(self) -> None:
        """See :meth:`kongdao.dao.DAO.truncate`."""
        self._portal.call(self._dao.truncate)


class SyncAnyDAO(SyncDAO[E]):
    """The blocking DAO of an entity without a typed class (plugin entities).

    Kong's generated names (``select_by_<unique>``, ``each_for_<fk>``...) are answered at
    runtime, as :class:`kongdao.dao.DAO` does. The typed classes of the core entities do not
    inherit this, so mypy flags a misspelt method on them.
    """

    def __getattr__(self, name: str) -> Callable[..., Any]:
        m = _GENERATED.match(name)
        if m is None or name.startswith("_"):
            raise AttributeError(name)
        verb, field = m.groups()
        getattr(self._dao, name)  # AttributeError when the entity has no such field
        method: Callable[..., Any] = getattr(self, verb)

        def bound(*args: Any, **kwargs: Any) -> Any:
            return method(field, *args, **kwargs)

        bound.__name__ = name
        bound.__qualname__ = f"SyncAnyDAO.{name}"
        return bound


class SyncTagsDAOBase(SyncDAO[Tag]):
    """The blocking ``tags`` DAO: :meth:`page_by_tag` besides the generic reads."""

    _dao: TagsDAO

    def page_by_tag(
        self, tag: str, size: int | None = None, offset: str | None = None
    ) -> tuple[list[Tag], str | None]:
        """See :meth:`kongdao.dao.tags.TagsDAO.page_by_tag`."""
        return self._portal.call(self._dao.page_by_tag, tag, size, offset)


class SyncLegacyDAO:
    """The blocking legacy 0.13 DAO of one entity (``sync_db.dao.plugins``).

    Same methods, values and exceptions as :class:`kongdao.legacy.LegacyDAO`, blocking.

    .. versionadded:: 0.1
    """

    def __init__(self, portal: Portal, legacy: LegacyDAO) -> None:
        self._portal = portal
        self._legacy = legacy

    def __repr__(self) -> str:
        return f"<SyncLegacyDAO {self._legacy.table}>"

    @property
    def async_dao(self) -> LegacyDAO:
        """The async legacy DAO behind this one."""
        return self._legacy

    @property
    def table(self) -> str:
        """The entity (0.13's table) name."""
        return self._legacy.table

    @property
    def max_scan(self) -> int | None:
        """See :attr:`kongdao.legacy.LegacyDAO.max_scan`."""
        return self._legacy.max_scan

    @max_scan.setter
    def max_scan(self, value: int | None) -> None:
        self._legacy.max_scan = value

    def insert(
        self, values: Mapping[str, Any], *, ttl: int | None = None, quiet: bool = False
    ) -> LegacyRow:
        """See :meth:`kongdao.legacy.LegacyDAO.insert`."""
        return self._portal.call(self._legacy.insert, values, ttl=ttl, quiet=quiet)

    def find(self, pk: Mapping[str, Any]) -> LegacyRow | None:
        """See :meth:`kongdao.legacy.LegacyDAO.find`."""
        return self._portal.call(self._legacy.find, pk)

    def find_all(self, filter: Mapping[str, Any] | None = None) -> list[LegacyRow]:
        """See :meth:`kongdao.legacy.LegacyDAO.find_all`."""
        return self._portal.call(self._legacy.find_all, filter)

    def find_page(
        self,
        filter: Mapping[str, Any] | None = None,
        offset: str | None = None,
        size: int = DEFAULT_PAGE_SIZE,
    ) -> tuple[list[LegacyRow], str | None]:
        """See :meth:`kongdao.legacy.LegacyDAO.find_page`."""
        return self._portal.call(self._legacy.find_page, filter, offset, size)

    def count(self, filter: Mapping[str, Any] | None = None) -> int:
        """See :meth:`kongdao.legacy.LegacyDAO.count`."""
        return self._portal.call(self._legacy.count, filter)

    def update(
        self,
        values: Mapping[str, Any],
        filter_keys: Mapping[str, Any],
        *,
        full: bool = False,
        ttl: int | None = None,
        quiet: bool = False,
    ) -> LegacyRow | None:
        """See :meth:`kongdao.legacy.LegacyDAO.update`."""
        return self._portal.call(
            self._legacy.update, values, filter_keys, full=full, ttl=ttl, quiet=quiet
        )

    def delete(self, pk: Mapping[str, Any], *, quiet: bool = False) -> LegacyRow | None:
        """See :meth:`kongdao.legacy.LegacyDAO.delete`."""
        return self._portal.call(self._legacy.delete, pk, quiet=quiet)

    def truncate(self) -> None:
        """See :meth:`kongdao.legacy.LegacyDAO.truncate`."""
        self._portal.call(self._legacy.truncate)

    def cache_key(
        self,
        arg1: Any = None,
        arg2: Any = None,
        arg3: Any = None,
        arg4: Any = None,
        arg5: Any = None,
    ) -> str:
        """See :meth:`kongdao.legacy.LegacyDAO.cache_key` (no I/O)."""
        return self._legacy.cache_key(arg1, arg2, arg3, arg4, arg5)

    def entity_cache_key(self, entity: Mapping[str, Any] | Entity) -> str | None:
        """See :meth:`kongdao.legacy.LegacyDAO.entity_cache_key` (no I/O)."""
        return self._legacy.entity_cache_key(entity)


class SyncLegacyFactory:
    """The blocking legacy 0.13 DAO factory (``sync_db.dao``).

    .. versionadded:: 0.1
    """

    def __init__(self, portal: Portal, factory: LegacyFactory) -> None:
        self._portal = portal
        self._factory = factory
        self._daos: dict[str, SyncLegacyDAO] = {}

    def __repr__(self) -> str:
        return f"<SyncLegacyFactory {self._factory.db!r}>"

    @property
    def async_factory(self) -> LegacyFactory:
        """The async legacy factory behind this one."""
        return self._factory

    @property
    def max_scan(self) -> int:
        """See :class:`kongdao.legacy.LegacyFactory`."""
        return self._factory.max_scan

    @max_scan.setter
    def max_scan(self, value: int) -> None:
        self._factory.max_scan = value

    def get(self, name: str) -> SyncLegacyDAO:
        """The blocking legacy DAO of entity ``name`` (``KeyError`` if the DB has none)."""
        dao = self._daos.get(name)
        if dao is None:
            dao = self._daos.setdefault(name, SyncLegacyDAO(self._portal, self._factory.get(name)))
        return dao

    def __getitem__(self, name: str) -> SyncLegacyDAO:
        return self.get(name)

    def __getattr__(self, name: str) -> SyncLegacyDAO:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.get(name)
        except KeyError:
            raise AttributeError(f"the DB serves no entity named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._factory

    def __iter__(self) -> Iterator[str]:
        return iter(self._factory)

    @property
    def services(self) -> SyncLegacyDAO:
        """The blocking legacy DAO of ``services``."""
        return self.get("services")

    @property
    def routes(self) -> SyncLegacyDAO:
        """The blocking legacy DAO of ``routes``."""
        return self.get("routes")

    @property
    def consumers(self) -> SyncLegacyDAO:
        """The blocking legacy DAO of ``consumers``."""
        return self.get("consumers")

    @property
    def plugins(self) -> SyncLegacyDAO:
        """The blocking legacy DAO of ``plugins``."""
        return self.get("plugins")

    @property
    def tags(self) -> SyncLegacyDAO:
        """The blocking legacy DAO of ``tags`` (read-only)."""
        return self.get("tags")

    def truncate_table(self, name: str) -> None:
        """See :meth:`kongdao.legacy.LegacyFactory.truncate_table`."""
        self._portal.call(self._factory.truncate_table, name)

    def truncate_tables(self) -> None:
        """See :meth:`kongdao.legacy.LegacyFactory.truncate_tables`."""
        self._portal.call(self._factory.truncate_tables)
