"""The generic async DAO: Kong's ``kong/db/dao/init.lua`` for one entity.

A :class:`DAO` is built by the :class:`~kongdao.db.DB` for every entity it serves. It validates
arguments (programmer errors raise :class:`TypeError` with Kong's messages), processes and
validates entities with the schema, resolves foreign keys given by a unique field, runs the
strategy, turns rows into typed entities and emits CRUD events.

Generated methods (Kong's ``select_by_<unique>``, ``update_by_<unique>``, ``upsert_by_<unique>``,
``delete_by_<unique>``, ``page_for_<foreign>``, ``each_for_<foreign>``) exist for the fields the
schema declares, and are also reachable through the generic :meth:`DAO.select_by`,
:meth:`DAO.page_for` and friends.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from kongdao import errors
from kongdao.events import CrudEvent, Operation
from kongdao.routing import WRITE_METHODS, on_primary, use_primary
from kongdao.schema.entity import Entity, EntitySchema, entity_cache_key
from kongdao.schema.fields import UNSET, Field, UnsetType
from kongdao.schema.reader import compile_reader
from kongdao.schema.schema import ShorthandError, TransformationFailed
from kongdao.workspaces import bound as bound_workspace
from kongdao.workspaces import current_workspace

if TYPE_CHECKING:
    from kongdao.connector import Row, Strategy, WriteResult
    from kongdao.db import DB

__all__ = ["DAO", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE"]

E = TypeVar("E", bound=Entity)

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 50000
MAX_TTL = 100_000_000
_TAG_CHARS = re.compile(r"^[\x21-\x2b\x2d\x2e\x30-\x7e\x80-\ud7ff\ue000-\U0010ffff]+\Z")
_GENERATED = re.compile(
    r"^(select_by|update_by|upsert_by|delete_by|page_for|each_for)_([a-z0-9_]+)$"
)


def _lua_type(field: Field) -> str:
    if field.type in ("array", "set", "map", "record", "foreign"):
        return "table"
    if field.type in ("number", "integer"):
        return "number"
    return field.type


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
_PLAIN_UUID = Field(type="string", uuid=True)
_NEUTRAL = frozenset(
    ("required", "default", "auto", "unique", "unique_across_ws", "immutable", "description")
)


def _plain_uuid_key(schema: EntitySchema) -> str | None:
    """The primary key's field when it is one plain UUID string field, else ``None``.

    Plain: only the ``uuid`` validator (plus the attributes that do not validate a present
    value: generation, defaults, uniqueness), so any string matching :data:`_UUID` is valid.
    """
    if len(schema.primary_key) != 1:
        return None
    name = schema.primary_key[0]
    f = schema.field_map[name]
    for a in attrs.fields(Field):
        if a.name in _NEUTRAL:
            continue
        mine, plain = getattr(f, a.name), getattr(_PLAIN_UUID, a.name)
        if mine is not plain and mine != plain:
            return None
    return name


def _check_page_args(size: Any, offset: Any) -> None:
    """Kong's programmer errors on the ``size`` and ``offset`` arguments of pagers."""
    if size is not None and not _is_number(size):
        raise TypeError("size must be a number")
    if offset is not None and not isinstance(offset, str):
        raise TypeError("offset must be a string")


class DAO(Generic[E]):
    """The data access object of one entity.

    Every method is a coroutine except :meth:`each` / ``each_for_<fk>`` (async iterators) and
    :meth:`cache_key`. Errors are :mod:`kongdao.errors` exceptions carrying Kong's codes and
    messages; programmer errors (an argument of the wrong type) raise :class:`TypeError`.

    .. versionadded:: 0.1
    """

    def __init__(self, db: DB, schema: EntitySchema, strategy: Strategy) -> None:
        self.db = db
        self.schema = schema
        self.strategy = strategy
        self.name: str = schema.name or ""
        self._strategy_name: str = db.connector.name
        self._unique = {n: schema.field_map[n] for n in schema.unique_fields}
        self._foreign = dict(schema.foreign_fields)
        self._simple_select = not schema.transformations and not any(
            sub.transformations for sub in schema.subschemas.values()
        )
        self._insert_shortcut = self._simple_select and not schema.ttl
        self._reader = compile_reader(schema)
        # rows straight to the compiled reader when nothing overrides how rows are read
        # (_read and row_to_entity are what a subclass would override)
        cls = type(self)
        plain = cls._read is DAO._read and cls.row_to_entity is DAO.row_to_entity
        self._fast_reader = self._reader if plain else None
        self._foreign_pk: dict[str, tuple[str, ...]] = {}
        for name, f in self._foreign.items():
            ref = db.schemas.get(f.reference or "")
            self._foreign_pk[name] = ref.primary_key if ref is not None else ("id",)
        # fields whose values select-processing rewrites inside (records drop nested nulls)
        self._nested = tuple(n for n, f in schema.fields if f.is_nested)
        self._workspaceable = schema.workspaceable
        # unique fields a global (all workspaces) query may not use: INVALID_UNIQUE_GLOBAL
        self._per_ws_unique = frozenset(
            n for n, f in self._unique.items() if schema.workspaceable and not f.unique_across_ws
        )
        self._uuid_pk = _plain_uuid_key(schema)
        self._immutable = tuple(n for n, f in schema.fields if f.immutable)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every write method a subclass defines reads from the primary (:mod:`kongdao.routing`).

        Plugins' DAOs included: a read a write depends on never goes to a read replica.
        """
        super().__init_subclass__(**kwargs)
        for name in WRITE_METHODS:
            method = cls.__dict__.get(name)
            if method is not None:
                setattr(cls, name, on_primary(method))

    def __repr__(self) -> str:
        return f"<DAO {self.name} ({self._strategy_name})>"

    # -- argument and option checks ------------------------------------------------------

    def _err(self, exc: errors.KongDAOError) -> errors.KongDAOError:
        return exc.with_strategy(self._strategy_name)

    def _check_pk(self, pk: Any) -> None:
        uuid_pk = self._uuid_pk
        if uuid_pk is not None and type(pk) is dict and len(pk) == 1:
            # the usual {"id": "<uuid>"}: what validate_primary_key would accept, decided
            # without its per-field validator dispatch (2 us of every call by primary key)
            value = pk.get(uuid_pk)
            if type(value) is str and len(value) == 36 and _UUID.match(value):
                return
        if not isinstance(pk, Mapping):
            raise TypeError("primary_key must be a table")
        errs = self.schema.validate_primary_key(pk)
        if errs:
            raise self._err(errors.invalid_primary_key(errs))

    def _check_options(
        self,
        *,
        ttl: Any = None,
        tags: Any = None,
        tags_cond: Any = None,
        pagination: Any = None,
        transform: Any = True,
        size: Any = None,
        offset: Any = None,
        check_size: bool = False,
        workspace: Any = UNSET,
        show_ws_id: Any = False,
        primary: Any = False,
    ) -> int:
        """Validate options as Kong does; return the page size to use."""
        _check_page_args(size, offset)
        errs: dict[str, Any] = {}
        if primary is not False and not isinstance(primary, bool):
            errs["primary"] = "must be a boolean"
        if workspace is not UNSET and workspace is not None and not isinstance(workspace, str):
            errs["workspace"] = "must be a string or null"
        if not isinstance(show_ws_id, bool):
            errs["show_ws_id"] = "must be a boolean"
        page_size, max_page_size = DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        if ttl is not None:
            if not self.schema.ttl:
                errs["ttl"] = f"cannot be used with '{self.name}'"
            elif (
                not _is_number(ttl)
                or not math.isfinite(ttl)
                or ttl != math.floor(ttl)
                or not (0 <= ttl <= MAX_TTL)
            ):
                errs["ttl"] = f"must be an integer between 0 and {MAX_TTL}"
        if tags is not None:
            self._check_tags(tags, tags_cond, errs)
        if pagination is not None:
            page_size, max_page_size = self._check_pagination(pagination, errs)
        if not isinstance(transform, bool):
            errs["transform"] = "must be a boolean"
        if (
            check_size
            and size is not None
            and (
                not math.isfinite(size)
                or size != math.floor(size)
                or not 1 <= size <= max_page_size
            )
        ):
            raise self._err(
                errors.invalid_size(f"size must be an integer between 1 and {max_page_size}")
            )
        if errs:
            raise self._err(errors.invalid_options(errs))
        return int(size) if size is not None else page_size

    def _check_tags(self, tags: Any, tags_cond: Any, errs: dict[str, Any]) -> None:
        if "tags" not in self.schema.field_map:
            errs["tags"] = f"cannot be used with '{self.name}'"
        elif not isinstance(tags, (list, tuple)):
            errs["tags"] = "invalid filter syntax" if tags_cond is None else "must be a table"
        elif len(tags) > 5:
            errs["tags"] = "cannot query more than 5 tags"
        elif not all(isinstance(t, str) for t in tags) or not _TAG_CHARS.match("".join(tags)):
            errs["tags"] = "must only contain printable ascii (except `,` and `/`) or valid utf-8"
        elif len(tags) > 1 and tags_cond not in ("and", "or"):
            errs["tags_cond"] = "must be a either 'and' or 'or' when more than one tag is specified"

    def _check_pagination(self, pagination: Any, errs: dict[str, Any]) -> tuple[int, int]:
        page_size, max_page_size = DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        if not isinstance(pagination, Mapping):
            errs["pagination"] = "must be a table"
            return page_size, max_page_size
        perrs: dict[str, str] = {}
        mps = pagination.get("max_page_size")
        if mps is not None:
            if not _is_number(mps):
                perrs["max_page_size"] = "must be a number"
            elif not math.isfinite(mps) or mps != math.floor(mps) or mps < 1:
                perrs["max_page_size"] = "must be an integer greater than 0"
            else:
                max_page_size = int(mps)
        ps = pagination.get("page_size")
        if ps is not None:
            if not _is_number(ps):
                perrs["page_size"] = "must be a number"
            elif not math.isfinite(ps) or ps != math.floor(ps) or not 1 <= ps <= max_page_size:
                perrs["page_size"] = f"must be an integer between 1 and {max_page_size}"
            else:
                page_size = int(ps)
        elif page_size > max_page_size:
            # Kong merges the default page_size (1000) over a smaller max_page_size and refuses
            perrs["page_size"] = f"must be an integer between 1 and {max_page_size}"
        if perrs:
            errs["pagination"] = perrs
        return page_size, max_page_size

    def _unique_field(self, name: str) -> Field:
        f = self._unique.get(name)
        if f is None:
            raise AttributeError(f"'{self.name}' has no unique field '{name}'")
        return f

    def _check_unique_value(self, name: str, field: Field, value: Any) -> None:
        lua_type = _lua_type(field)
        if lua_type == "string":
            ok = isinstance(value, str)
        elif lua_type == "table":
            ok = isinstance(value, Mapping)
        elif lua_type == "number":
            ok = _is_number(value)
        else:
            ok = lua_type != "boolean" or isinstance(value, bool)
        if not ok:
            raise TypeError(f"{name} must be a {lua_type}")
        err = self.schema.validate_field(field, value)
        if err is not None:
            if field.type == "foreign":
                raise self._err(
                    errors.invalid_foreign_key(err if isinstance(err, Mapping) else {name: err})
                )
            raise self._err(errors.invalid_unique(name, err if isinstance(err, str) else str(err)))

    # -- workspaces --------------------------------------------------------------------------

    def _current_ws(self) -> str:
        """The enclosing ``db.use_workspace()`` block's workspace, else the default one."""
        return current_workspace() or self.db.default_workspace_id

    def _current_scope(self) -> str | None:
        """What :meth:`_scope` gives when no ``workspace`` option is given (no coroutine)."""
        return self._current_ws() if self._workspaceable else None

    async def _scope(self, workspace: Any) -> str | None:
        """The workspace id a call works in; ``None``: every workspace (or not workspaceable).

        The ``workspace`` option (an id, a name, or ``None`` for a global call), else the
        enclosing ``db.use_workspace()`` block, else the default workspace. Names are resolved
        (and cached) by the DB.
        """
        if not self._workspaceable:
            return None
        if workspace is UNSET:
            return self._current_ws()
        if workspace is None:
            return None
        return await self.db.resolve_workspace(workspace, strategy=self._strategy_name)

    @contextlib.asynccontextmanager
    async def _workspace_context(self, workspace: Any) -> AsyncIterator[None]:
        """Inside the block, the workspace of ``workspace`` (if given) is the current one.

        For DAOs whose methods make several calls: the inner calls then work in the same
        workspace as the outer one. A global call (``None``) leaves the current workspace.
        """
        if workspace is UNSET or workspace is None or not self._workspaceable:
            yield
            return
        ws_id = await self._scope(workspace)
        assert ws_id is not None
        with bound_workspace(ws_id):
            yield

    def _stamp(self, scope: str | None) -> str | None:
        """The workspace a write stamps on a new row (a global write: the current one)."""
        return self._current_ws() if scope is None and self._workspaceable else scope

    async def _write_scope(self, workspace: Any) -> str | None:
        """:meth:`_stamp` of the ``workspace`` option's scope."""
        return self._stamp(await self._scope(workspace))

    def _check_global_unique(self, field: str, ws: str | None) -> None:
        """Kong's INVALID_UNIQUE_GLOBAL: a global call by a field unique per workspace."""
        if ws is None and field in self._per_ws_unique:
            raise self._err(errors.invalid_unique_global(field))

    def _read_all(self, rows: Sequence[Row], nulls: bool, show_ws_id: bool) -> list[E]:
        """:meth:`_read` of every row (a page: one reader call per row when possible)."""
        reader = self._fast_reader
        if reader is not None and not nulls and not show_ws_id:
            return cast("list[E]", [reader(r) for r in rows])
        return [self._read(r, nulls, show_ws_id) for r in rows]

    def _read(self, row: Row, nulls: bool = False, show_ws_id: bool = False) -> E:
        """:meth:`row_to_entity`, with the row's workspace id when ``show_ws_id``."""
        reader = self._fast_reader
        if reader is not None and not nulls and not show_ws_id:
            return cast(E, reader(row))
        entity = self.row_to_entity(row, nulls=nulls)
        if show_ws_id and self._workspaceable:
            ws_id = row.get("ws_id") or self.db.default_workspace_id
            return entity.evolve(ws_id=str(ws_id))
        return entity

    # -- rows to entities ------------------------------------------------------------------

    def row_to_entity(self, row: Row, *, nulls: bool = False) -> E:
        """Kong's ``row_to_entity``: select-processing, ``on_read`` transformations, typing."""
        if self._reader is not None and not nulls:
            # nulls=True keeps explicit nulls inside records: the general path handles it
            return cast(E, self._reader(row))
        data = self.schema.process_auto_fields(row, "select", nulls)
        if not self._simple_select:
            try:
                data = self.schema.transform(data, row, "select")
            except TransformationFailed as exc:
                raise self._err(errors.transformation_error(str(exc))) from exc
        return cast(E, self.schema.to_entity(data))

    def _entity_dict(self, row: Row) -> dict[str, Any]:
        # The stored entity an update merges into keeps its nulls, as Kong's raw row does: an
        # entity check over optional fields (certificates' cert / cert_alt) must see them null,
        # not missing ("field required for entity check when updating").
        return self.schema.process_auto_fields(row, "select", True)

    def _stored_view(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` as the database stores it: foreign keys reduced to their primary key."""
        for name, pk in self._foreign_pk.items():
            value = data.get(name)
            if isinstance(value, dict) and len(value) != len(pk):
                data = {**data, name: {k: value.get(k) for k in pk}}
        return data

    # -- reads -----------------------------------------------------------------------------

    async def select(
        self,
        primary_key: Mapping[str, Any],
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> E | None:
        """The entity with this primary key, or ``None`` (Kong's ``select``).

        Args:
            primary_key: ``{"id": ...}``.
            nulls: kept for Kong parity (typed entities always carry every attribute).
            workspace: the workspace to look in (id or name; ``None``: any workspace);
                default: the current one (see :mod:`kongdao.workspaces`).
            show_ws_id: fill the entity's ``ws_id``.
            primary: read from the primary, not a read replica (read-your-writes; see
                :mod:`kongdao.routing`).

        Raises:
            TypeError: ``primary_key`` is not a mapping.
            InvalidPrimaryKey: a key is missing, invalid, or not part of the primary key.
            InvalidOptions: an option is invalid (or names no workspace).
        """
        self._check_pk(primary_key)
        if workspace is not UNSET or show_ws_id or primary is not False:
            self._check_options(workspace=workspace, show_ws_id=show_ws_id, primary=primary)
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        if primary:
            with use_primary():
                row = await self.strategy.select(primary_key, ws=ws)
        else:
            row = await self.strategy.select(primary_key, ws=ws)
        return None if row is None else self._read(row, nulls, show_ws_id)

    async def select_by(
        self,
        field: str,
        value: Any,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> E | None:
        """The entity whose unique ``field`` equals ``value`` (``select_by_<field>``).

        Options: :meth:`select`.

        Raises:
            InvalidUniqueGlobal: a global call (``workspace=None``) by a field that is unique
                per workspace.
        """
        f = self._unique_field(field)
        self._check_unique_value(field, f, value)
        if workspace is not UNSET or show_ws_id or primary is not False:
            self._check_options(workspace=workspace, show_ws_id=show_ws_id, primary=primary)
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        self._check_global_unique(field, ws)
        if primary:
            with use_primary():
                row = await self.strategy.select_by_field(field, value, ws=ws)
        else:
            row = await self.strategy.select_by_field(field, value, ws=ws)
        return None if row is None else self._read(row, nulls, show_ws_id)

    async def page(
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
        """One page of entities and the offset of the next page (``None`` on the last).

        Args:
            size: page size (default ``pagination.page_size``, 1000).
            offset: the offset returned by the previous call.
            nulls: kept for Kong parity (typed entities always carry every attribute).
            tags: only entities with these tags (at most 5).
            tags_cond: ``and`` (all tags) or ``or`` (any tag); needed for several tags.
            pagination: ``{"page_size": ..., "max_page_size": ...}`` overriding the defaults.
            workspace: the workspace to list (id or name; ``None``: every workspace);
                default: the current one.
            show_ws_id: fill each entity's ``ws_id``.
            primary: read from the primary, not a read replica (read-your-writes; see
                :mod:`kongdao.routing`).

        Raises:
            InvalidSize: ``size`` is not an integer between 1 and the maximum page size.
            InvalidOffset: ``offset`` was not produced by this DAO.
            InvalidOptions: an option is invalid.
        """
        size = self._check_options(
            tags=tags,
            tags_cond=tags_cond,
            pagination=pagination,
            size=size,
            offset=offset,
            check_size=True,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        with use_primary() if primary else contextlib.nullcontext():
            rows, next_offset = await self.strategy.page(
                size, offset, tags=tags, tags_cond=tags_cond or "and", ws=ws
            )
        return self._read_all(rows, nulls, show_ws_id), next_offset

    async def each(
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
    ) -> AsyncIterator[E]:
        """Iterate over every entity, fetching pages of ``size`` lazily (options: :meth:`page`)."""
        size = self._check_options(
            tags=tags,
            tags_cond=tags_cond,
            pagination=pagination,
            size=size,
            check_size=True,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        offset: str | None = None
        while True:
            # set around each fetch only: an async generator runs in its consumer's context
            with use_primary() if primary else contextlib.nullcontext():
                rows, offset = await self.strategy.page(
                    size, offset, tags=tags, tags_cond=tags_cond or "and", ws=ws
                )
            for r in rows:
                yield self._read(r, nulls, show_ws_id)
            if offset is None:
                return

    def _check_foreign(self, field: str, foreign_key: Any) -> Field:
        f = self._foreign.get(field)
        if f is None:
            raise AttributeError(f"'{self.name}' has no foreign key '{field}'")
        if not isinstance(foreign_key, Mapping):
            raise TypeError("foreign_key must be a table")
        err = self.schema.validate_field(f, foreign_key)
        if err is not None:
            raise self._err(
                errors.invalid_primary_key(err if isinstance(err, Mapping) else {field: err})
            )
        return f

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
    ) -> tuple[list[E], str | None]:
        """One page of the entities whose foreign key ``field`` is ``foreign_key``."""
        if not isinstance(foreign_key, Mapping):
            raise TypeError("foreign_key must be a table")
        # Kong's order: argument types, then the foreign key, then the size, then the options
        _check_page_args(size, offset)
        self._check_foreign(field, foreign_key)
        size = self._check_options(
            pagination=pagination,
            size=size,
            check_size=True,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        with use_primary() if primary else contextlib.nullcontext():
            rows, next_offset = await self.strategy.page_for(
                field, foreign_key, size, offset, ws=ws
            )
        return self._read_all(rows, nulls, show_ws_id), next_offset

    async def each_for(
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
    ) -> AsyncIterator[E]:
        """Iterate over the entities whose foreign key ``field`` is ``foreign_key``."""
        if not isinstance(foreign_key, Mapping):
            raise TypeError("foreign_key must be a table")
        _check_page_args(size, None)
        self._check_foreign(field, foreign_key)
        size = self._check_options(
            pagination=pagination,
            size=size,
            check_size=True,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        offset: str | None = None
        while True:
            with use_primary() if primary else contextlib.nullcontext():
                rows, offset = await self.strategy.page_for(field, foreign_key, size, offset, ws=ws)
            for r in rows:
                yield self._read(r, nulls, show_ws_id)
            if offset is None:
                return

    async def count(
        self, *, workspace: str | UnsetType | None = UNSET, primary: bool = False
    ) -> int:
        """How many live entities there are (cheap where ``capabilities.count``).

        Kong dropped ``count()`` in 0.14 because Cassandra cannot count cheaply; kongdao keeps
        it as an extension, with that cost documented per connector. Counts the current
        workspace's entities (``workspace``: another one, or ``None`` for all); ``primary``:
        count on the primary, not a read replica.
        """
        if workspace is not UNSET or primary is not False:
            self._check_options(workspace=workspace, primary=primary)
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        with use_primary() if primary else contextlib.nullcontext():
            return await self.strategy.count(ws=ws)

    # -- cache keys --------------------------------------------------------------------------

    def cache_key(self, key: Any, *args: Any) -> str:
        """Kong's ``cache_key``: ``"<entity>:a:b:c:d:e:<ws_id>"``, from values or an entity.

        ``cache_key("a", "b")`` joins the values (missing ones are empty; a sixth argument is
        the workspace id); ``cache_key(entity)`` takes the ``cache_key`` fields (or the primary
        key) of an entity or dict, foreign keys by their ``id``, and the entity's ``ws_id``.
        The last segment is the workspace (the current one unless given) for workspaceable
        entities, empty for the others.
        """
        if isinstance(key, str):
            values = [key, *(("" if a is None else str(a)) for a in args[:4])]
            values += [""] * (5 - len(values))
            ws = args[4] if len(args) > 4 and args[4] is not None else None
            if ws is None:
                ws = self._current_ws() if self._workspaceable else ""
            return ":".join([self.name, *values, str(ws)])
        if isinstance(key, Entity):
            ws_id = key.ws_id
            key = key.to_dict()
        elif isinstance(key, Mapping):
            ws_id = key.get("ws_id")
        else:
            raise TypeError("key must be a string or an entity table")
        if ws_id is None and self._workspaceable:
            ws_id = self._current_ws()
        return entity_cache_key(self.schema, key, ws_id)

    async def select_by_cache_key(
        self,
        cache_key: Any,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> E | None:
        """The entity with this cache key (a string, or an entity/dict to compute it from).

        Looked up in the workspace of the call, like every read; an entity or dict is keyed
        with that workspace's id. Options: :meth:`select`.
        """
        ck = self.schema.cache_key
        if not ck:
            raise TypeError("entity does not have a cache_key defined")
        if len(ck) == 1:
            # Kong: ``select_by_<field>(cache_key)``: the value itself, or the entity's value
            value = cache_key
            if isinstance(value, Entity):
                value = value.to_dict()
            if isinstance(value, Mapping):
                value = value.get(ck[0])
                if isinstance(value, Mapping):
                    value = value.get("id")
            return await self.select_by(
                ck[0],
                value,
                nulls=nulls,
                workspace=workspace,
                show_ws_id=show_ws_id,
                primary=primary,
            )
        if workspace is not UNSET or show_ws_id or primary is not False:
            self._check_options(workspace=workspace, show_ws_id=show_ws_id, primary=primary)
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        if not isinstance(cache_key, str):
            if isinstance(cache_key, Entity):
                cache_key = cache_key.to_dict()
            if not isinstance(cache_key, Mapping):
                raise TypeError("key must be a string or an entity table")
            cache_key = entity_cache_key(self.schema, cache_key, ws or self._current_ws())
        with use_primary() if primary else contextlib.nullcontext():
            row = await self.strategy.select_by_field("cache_key", cache_key, ws=ws)
        return None if row is None else self._read(row, nulls, show_ws_id)

    # -- writes ------------------------------------------------------------------------------

    def _process(self, entity: Mapping[str, Any], context: str) -> dict[str, Any]:
        try:
            return self.schema.process_auto_fields(entity, context)  # type: ignore[arg-type]
        except ShorthandError as exc:
            raise self._err(errors.schema_violation(exc.errors)) from None

    def _finish(
        self,
        data: dict[str, Any],
        original: Mapping[str, Any],
        context: str,
        transform: bool,
        ws: str | None = None,
    ) -> dict[str, Any]:
        if transform:
            try:
                data = self.schema.transform(data, original, context)  # type: ignore[arg-type]
            except TransformationFailed as exc:
                raise self._err(errors.transformation_error(str(exc))) from exc
        if self.schema.composite_cache_key:
            data["cache_key"] = entity_cache_key(self.schema, data, ws or self._current_ws())
        return data

    async def _resolve_foreign(self, data: dict[str, Any], ws: str | None = None) -> None:
        unresolved: dict[str, Any] = {}
        for name, f in self._foreign.items():
            value = data.get(name)
            if not isinstance(value, Mapping):
                continue
            dao = self.db.daos.get(f.reference or "")
            if dao is None:
                continue
            if dao.schema.validate_primary_key(value, ignore_others=True) is None:
                continue
            errs: dict[str, Any] = {}
            for uname, ufield in dao._unique.items():
                uvalue = value.get(uname)
                if uvalue is None or dao.schema.validate_field(ufield, uvalue) is not None:
                    continue
                found = await dao.strategy.select_by_field(
                    uname,
                    uvalue,
                    ws=(ws or self._current_ws()) if dao._workspaceable else None,
                )
                if found is not None:
                    data[name] = {k: found[k] for k in dao.schema.primary_key}
                    errs = {}
                    break
                errs[uname] = {"name": uname, "value": uvalue, "parent": dao.name}
            if errs:
                unresolved[name] = errs
        if unresolved:
            raise self._err(errors.foreign_keys_unresolved(unresolved))

    async def _resolve_foreign_or_missing(
        self,
        data: dict[str, Any],
        lookup: Callable[[], Awaitable[Row | None]],
        missing: Callable[[dict[str, Any]], errors.KongDAOError],
        key: dict[str, Any],
        ws: str | None = None,
    ) -> None:
        """Resolve foreign keys for an update; a missing row wins (Kong reads it first)."""
        try:
            await self._resolve_foreign(data, ws)
        except errors.ForeignKeysUnresolved:
            if await lookup() is None:
                raise self._err(missing(key)) from None
            raise

    def _violation(self, errs: Mapping[str, Any]) -> errors.KongDAOError:
        return self._err(errors.schema_violation(errs))

    async def insert(
        self,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E:
        """Insert an entity; return it with defaults and auto fields filled (Kong's ``insert``).

        Args:
            entity: the fields to insert (a dict).
            ttl: seconds before the entity expires (schemas with ``ttl`` only; 0 = never).
            transform: run the schema's ``on_write`` transformations.
            no_broadcast_crud_event: do not emit the ``create`` event.
            workspace: the workspace to insert into (id or name); default: the current one.
            show_ws_id: fill the returned entity's ``ws_id``.

        Raises:
            TypeError: ``entity`` is not a mapping.
            SchemaViolation: the entity is invalid; ``fields`` says why, field by field.
            UniqueViolation: a unique value (or the composite cache key) is taken.
            PrimaryKeyViolation: the primary key is taken.
            ForeignKeyViolation: a foreign key references nothing.
            ForeignKeysUnresolved: a foreign key given by a unique field matches nothing.
            InvalidWorkspace: the ``workspace`` id names no workspace.
        """
        if not isinstance(entity, Mapping):
            raise TypeError("entity must be a table")
        self._check_options(
            ttl=ttl, transform=transform, workspace=workspace, show_ws_id=show_ws_id
        )
        ws = self._current_scope() if workspace is UNSET else await self._write_scope(workspace)
        data = self._process(entity, "insert")
        await self._resolve_foreign(data, ws)
        errs = self.schema.validate_insert(data, entity)
        if errs:
            raise self._violation(errs)
        data = self._finish(data, entity, "insert", transform, ws)
        row = await self.strategy.insert(data, ttl=ttl, ws=ws)
        # A row just written from validated data reads back as that data (select-processing
        # only drops nulls, which typed entities hold as None anyway), so the entity is built
        # from it directly; schemas with on_read transformations or a remaining ttl take the
        # full read path.
        if self._insert_shortcut and all(data.get(n) is None for n in self._nested):
            result: E = cast(E, self.schema.to_entity(self._stored_view(data)))
        else:
            result = self.row_to_entity(row)
        if show_ws_id and self._workspaceable:
            result = result.evolve(ws_id=ws)
        if not no_broadcast_crud_event:
            await self._emit("create", result, None, ws)
        return result

    def _update_apply(
        self,
        partial: Mapping[str, Any],
        data: dict[str, Any],
        check_immutable: bool,
        transform: bool,
        not_found: Callable[[], errors.KongDAOError],
    ) -> Callable[[Row | None], Row]:
        def apply(stored_row: Row | None) -> Row:
            if stored_row is None:
                raise not_found()
            stored = self._entity_dict(stored_row)
            if check_immutable:
                ierrs = self.schema.validate_immutable_fields(data, stored)
                if ierrs:
                    raise self._violation(ierrs)
            merged = self.schema.merge_values(data, stored)
            errs = self.schema.validate_update(merged, partial, stored)
            if errs:
                raise self._violation(errs)
            return self._finish(merged, partial, "update", transform, stored_row.get("ws_id"))

        return apply

    def _immutable_touched(self, data: Mapping[str, Any]) -> bool:
        if not self.schema.subschemas:
            # no subschema can make another field immutable: the schema's own ones decide
            return any(n in data for n in self._immutable)
        return any(f.immutable and n in data for n, f in self.schema.each_field(data))

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
    ) -> E:
        """Partially update an entity (HTTP PATCH): read, merge, validate, write, atomically.

        Records given partially are deep-merged into the stored ones; every other field given
        replaces the stored value (``None`` clears it). On PostgreSQL the read and the write
        happen in one transaction holding the row lock, so concurrent updates never interleave.
        Only an entity of the call's workspace is found (``workspace=None``: any); it stays in
        its workspace.

        Raises:
            NotFound: no entity has this primary key.
            SchemaViolation: the merged entity is invalid (or an immutable field changed).
        """
        if not isinstance(primary_key, Mapping):
            raise TypeError("primary_key must be a table")
        if not isinstance(entity, Mapping):
            raise TypeError("entity must be a table")
        self._check_pk(primary_key)
        self._check_options(
            ttl=ttl, transform=transform, workspace=workspace, show_ws_id=show_ws_id
        )
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        data = self._process(entity, "update")
        pk = dict(primary_key)
        await self._resolve_foreign_or_missing(
            data, lambda: self.strategy.select(pk, ws=ws), errors.not_found, pk, ws
        )
        apply = self._update_apply(
            entity,
            data,
            self._immutable_touched(data),
            transform,
            lambda: self._err(errors.not_found(pk)),
        )
        result = await self.strategy.update(pk, apply, ttl=ttl, ws=ws)
        if result is None:
            raise self._err(errors.not_found(pk))
        return await self._written("update", result, no_broadcast_crud_event, show_ws_id)

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
    ) -> E:
        """As :meth:`update`, finding the entity by a unique field (``update_by_<field>``)."""
        f = self._unique_field(field)
        self._check_unique_value(field, f, value)
        if not isinstance(entity, Mapping):
            raise TypeError("entity must be a table")
        self._check_options(
            ttl=ttl, transform=transform, workspace=workspace, show_ws_id=show_ws_id
        )
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        self._check_global_unique(field, ws)
        data = self._process(entity, "update")
        await self._resolve_foreign_or_missing(
            data,
            lambda: self.strategy.select_by_field(field, value, ws=ws),
            errors.not_found_by_field,
            {field: value},
            ws,
        )
        apply = self._update_apply(
            entity,
            data,
            self._immutable_touched(data),
            transform,
            lambda: self._err(errors.not_found_by_field({field: value})),
        )
        result = await self.strategy.update_by_field(field, value, apply, ttl=ttl, ws=ws)
        if result is None:
            raise self._err(errors.not_found_by_field({field: value}))
        return await self._written("update", result, no_broadcast_crud_event, show_ws_id)

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
    ) -> E:
        """Insert or replace the entity with this key (HTTP PUT): absent fields get defaults.

        The entity is written in the call's workspace; a key held by an entity of another
        workspace is a primary key violation.

        Raises:
            SchemaViolation: the entity is invalid.
            ForeignKeyViolation: a foreign key references nothing.
            PrimaryKeyViolation: the key belongs to an entity of another workspace.
        """
        if not isinstance(primary_key, Mapping):
            raise TypeError("primary_key must be a table")
        if not isinstance(entity, Mapping):
            raise TypeError("entity must be a table")
        self._check_pk(primary_key)
        self._check_options(
            ttl=ttl, transform=transform, workspace=workspace, show_ws_id=show_ws_id
        )
        ws = self._current_scope() if workspace is UNSET else await self._write_scope(workspace)
        data = self._process(entity, "upsert")
        data.update(primary_key)
        await self._resolve_foreign(data, ws)
        errs = self.schema.validate_upsert(data, entity)
        if errs:
            raise self._violation(errs)
        data = self._finish(data, entity, "upsert", transform, ws)
        events = not no_broadcast_crud_event and self.db.events.active
        result = await self.strategy.upsert(
            dict(primary_key), lambda _stored: data, ttl=ttl, with_old=events, ws=ws
        )
        return await self._written(
            "update" if result.old is not None else "create",
            result,
            no_broadcast_crud_event,
            show_ws_id,
        )

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
    ) -> E:
        """As :meth:`upsert`, by a unique field; an existing entity keeps its primary key.

        The ``value`` argument wins over a value of ``field`` inside ``entity``.
        """
        f = self._unique_field(field)
        self._check_unique_value(field, f, value)
        if not isinstance(entity, Mapping):
            raise TypeError("entity must be a table")
        self._check_options(
            ttl=ttl, transform=transform, workspace=workspace, show_ws_id=show_ws_id
        )
        scope = await self._scope(workspace)
        self._check_global_unique(field, scope)
        ws = self._stamp(scope)
        data = self._process(entity, "upsert")
        data[field] = value
        await self._resolve_foreign(data, ws)
        errs = self.schema.validate_upsert(data, entity)
        if errs:
            raise self._violation(errs)
        data = self._finish(data, entity, "upsert", transform, ws)
        pk_names = self.schema.primary_key

        def apply(stored: Row | None) -> Row:
            if stored is None:
                return data
            return {**data, **{k: stored[k] for k in pk_names}}

        result = await self.strategy.upsert_by_field(field, value, apply, ttl=ttl, ws=ws)
        return await self._written(
            "update" if result.old is not None else "create",
            result,
            no_broadcast_crud_event,
            show_ws_id,
        )

    async def _written(
        self, op: Operation, result: WriteResult, quiet: bool, show_ws_id: bool = False
    ) -> E:
        entity: E = self._read(result.row, show_ws_id=show_ws_id)
        if not quiet:
            old = None if result.old is None else self.row_to_entity(result.old)
            await self._emit(op, entity, old, result.row.get("ws_id"))
        return entity

    async def delete(
        self,
        primary_key: Mapping[str, Any],
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E | None:
        """Delete an entity, cascading or refusing as the schemas' ``on_delete`` say.

        Idempotent, like Kong's: deleting an absent entity is not an error. Unlike Kong (which
        returns ``true``) it returns the deleted entity, or ``None`` when there was none. Only
        an entity of the call's workspace is deleted (``workspace=None``: of any workspace).

        Raises:
            ForeignKeyViolation: an entity with ``on_delete="restrict"`` references this one
                (for a workspace: it still holds entities).
        """
        self._check_pk(primary_key)
        if workspace is not UNSET or show_ws_id:
            self._check_options(workspace=workspace, show_ws_id=show_ws_id)
        events = not no_broadcast_crud_event and self.db.events.active
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        result = await self.strategy.delete(primary_key, cascaded=events, ws=ws)
        return await self._deleted(result.row, result.cascaded, no_broadcast_crud_event, show_ws_id)

    async def delete_by(
        self,
        field: str,
        value: Any,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> E | None:
        """As :meth:`delete`, by a unique field (``delete_by_<field>``)."""
        f = self._unique_field(field)
        self._check_unique_value(field, f, value)
        if workspace is not UNSET or show_ws_id:
            self._check_options(workspace=workspace, show_ws_id=show_ws_id)
        ws = self._current_scope() if workspace is UNSET else await self._scope(workspace)
        self._check_global_unique(field, ws)
        events = not no_broadcast_crud_event and self.db.events.active
        result = await self.strategy.delete_by_field(field, value, cascaded=events, ws=ws)
        return await self._deleted(result.row, result.cascaded, no_broadcast_crud_event, show_ws_id)

    async def _deleted(
        self,
        row: Row | None,
        cascaded: Sequence[tuple[str, Row]],
        quiet: bool,
        show_ws_id: bool = False,
    ) -> E | None:
        if row is None:
            return None
        entity: E = self._read(row, show_ws_id=show_ws_id)
        if not quiet and self.db.events.active:
            await self._emit("delete", entity, None, row.get("ws_id"))
            for name, child_row in cascaded:
                dao = self.db.daos.get(name)
                if dao is not None:
                    await dao._emit(
                        "delete", dao.row_to_entity(child_row), None, child_row.get("ws_id")
                    )
        return entity

    async def truncate(self) -> None:
        """Remove every entity of this kind, in every workspace (no events, as in Kong)."""
        await self.strategy.truncate()

    async def _emit(
        self, op: Operation, entity: Entity, old: Entity | None, ws_id: str | None = None
    ) -> None:
        events = self.db.events
        if not events.active:
            return
        ws = (ws_id or self._current_ws()) if self._workspaceable else None
        await events.emit(
            CrudEvent(
                operation=op,
                entity_name=self.name,
                entity=entity,
                old_entity=old,
                cache_key=entity_cache_key(self.schema, entity.to_dict(), ws),
                old_cache_key=None
                if old is None
                else entity_cache_key(self.schema, old.to_dict(), ws),
            )
        )

    # -- Kong's generated method names ------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        m = _GENERATED.match(name)
        if m is None:
            raise AttributeError(name)
        verb, field = m.groups()
        if verb in ("page_for", "each_for"):
            if field not in self._foreign:
                raise AttributeError(name)
        elif field not in self._unique:
            raise AttributeError(name)
        method = getattr(self, verb)

        def bound(*args: Any, **kwargs: Any) -> Any:
            return method(field, *args, **kwargs)

        bound.__name__ = name
        bound.__qualname__ = f"DAO.{name}"
        return bound


# The base class's own write methods read from the primary too (subclasses: __init_subclass__).
for _name in WRITE_METHODS:
    setattr(DAO, _name, on_primary(getattr(DAO, _name)))
del _name
