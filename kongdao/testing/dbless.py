"""The ``off`` test backend: reads served DB-less from what a database holds.

The connector-agnostic suite sets up its data with writes, which a DB-less DB refuses. To run
the suite's read tests on the ``off`` connector anyway, the ``db`` fixture of the ``off``
backend is a :class:`DBLessMirror` of two real DBs, joined through public paths only:

* every write (``insert``, ``update``, ``upsert``, ``delete``, ``truncate`` and their
  ``*_by_<field>`` forms) goes to a PostgreSQL DB, the *source*, where it is validated and
  stored as usual;
* every read (``select``, ``select_by_*``, ``select_by_cache_key``, ``page``, ``page_for_*``,
  ``page_by_tag``, ``each``, ``each_for_*``, ``count``, and the certificates' and targets'
  reading helpers) is served by a DB-less DB, the *off* DB
  (``kongdao.connect("off")``), with the off strategy's results and errors;
* before a read, if anything was written since the last one, the off DB is reloaded with
  the source's content: :func:`kongdao.declarative.export_from_db` (Kong's ``db_export``),
  then :func:`kongdao.declarative.load_into_cache` (the atomic swap a gateway does).

What a test sees between two writes is one loaded configuration, with the off connector's
rules: page offsets are positions in it, and a pager that spans a reload finishes on the
configuration it started on while the connector keeps it (``keep_snapshots``: one reload);
TTLs are the whole seconds the export read, so a reloaded row may report one second less than
the database does.

Tests see one object with the shape of a :class:`~kongdao.db.DB`: ``db.services``,
``db.daos[name]``, ``db.events`` (the source's: writes emit there), ``db.schemas``,
``db.truncate()``, and ``db.connector``: the **off** connector, so tests branch on its
``capabilities`` and expect its name in error messages. Reads always come from the off DB; an
attribute that is neither a read nor a write raises :class:`AttributeError` instead of reaching
either side unnoticed.

Only tests marked ``reads`` run on this backend (see :mod:`kongdao.testing.plugin`): a write
test would only exercise the source database a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

from kongdao import declarative

if TYPE_CHECKING:
    from kongdao.connector import Connector
    from kongdao.dao import DAO
    from kongdao.db import DB
    from kongdao.events import Events
    from kongdao.schema.entity import EntitySchema

__all__ = ["DBLessMirror", "MirroredDAO"]

T = TypeVar("T")

# The DAO's reading methods: Kong's, the generated ones, and the entity-specific helpers
# (certificates' *_with_name_list, targets' *_upstream_raw / _filter, tags' page_by_tag).
_READ: Final = re.compile(
    r"(select|select_by\w*|select_with_name_list|page|page_for\w*|page_by_tag"
    r"|page_with_name_list|count)\Z"
)
_ITERATE: Final = re.compile(r"(each|each_for\w*)\Z")
_WRITE: Final = re.compile(r"(insert|update|upsert|delete|truncate)(_by\w*)?\Z")
_PURE: Final = frozenset({"cache_key"})  # computed from its arguments, no I/O


class MirroredDAO:
    """One entity's DAO of a :class:`DBLessMirror`: reads from ``off``, writes to ``source``.

    Attributes:
        reads: The off DB's DAO of this entity.
        writes: The source DB's DAO of this entity.
        schema: The entity's schema.
        name: The entity's name.
    """

    def __init__(self, mirror: DBLessMirror, reads: DAO[Any], writes: DAO[Any]) -> None:
        self._mirror = mirror
        self.reads = reads
        self.writes = writes
        self.schema: EntitySchema = reads.schema
        self.name: str = reads.name

    def __repr__(self) -> str:
        source = self.writes.db.connector.name
        return f"<MirroredDAO {self.name} (reads: off, writes: {source})>"

    def __getattr__(self, name: str) -> Any:
        if _ITERATE.match(name):
            return self._iterate(getattr(self.reads, name))
        if _READ.match(name):
            return self._read(getattr(self.reads, name))
        if name in _PURE:
            return getattr(self.reads, name)
        if _WRITE.match(name):
            return self._write(getattr(self.writes, name))
        raise AttributeError(
            f"{name!r}: a mirrored DAO has the DAO's reads (served by the off DB) and writes "
            "(sent to the database) only; use .reads or .writes for the DAO of one side"
        )

    def _read(self, method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        mirror = self._mirror

        async def read(*args: Any, **kwargs: Any) -> T:
            await mirror.refresh()
            return await method(*args, **kwargs)

        read.__name__ = read.__qualname__ = getattr(method, "__name__", "read")
        return read

    def _iterate(self, method: Callable[..., AsyncIterator[T]]) -> Callable[..., AsyncIterator[T]]:
        mirror = self._mirror

        def iterate(*args: Any, **kwargs: Any) -> AsyncIterator[T]:
            # as lazy as the DAO's own iterators: nothing runs before the first item is asked
            async def items() -> AsyncIterator[T]:
                await mirror.refresh()
                async for item in method(*args, **kwargs):
                    yield item

            return items()

        iterate.__name__ = iterate.__qualname__ = getattr(method, "__name__", "each")
        return iterate

    def _write(self, method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        mirror = self._mirror

        async def write(*args: Any, **kwargs: Any) -> T:
            # stale before (a read racing this write must not keep the old content) and after
            # (a refresh that ran meanwhile may have exported the state before the write)
            mirror.mark_stale()
            try:
                return await method(*args, **kwargs)
            finally:
                mirror.mark_stale()

        write.__name__ = write.__qualname__ = getattr(method, "__name__", "write")
        return write


class DBLessMirror:
    """A DB for tests: writes go to ``source``, reads are served DB-less by ``off``.

    See the module docstring. Build it over two open DBs with the same plugins and entities;
    :meth:`close` closes both.

    Args:
        source: A DB over a database connector (the tests' writes land there).
        off: A DB over the ``off`` connector (``kongdao.connect("off", plugins=...)``).

    Attributes:
        source: The database side.
        off: The DB-less side.
        connector: The off DB's connector (its name and capabilities are the ones tests see).
        daos: A :class:`MirroredDAO` per entity (also reachable as ``mirror.<entity name>``).
        reloads: How many times the off DB was reloaded from the source.
    """

    def __init__(self, source: DB, off: DB) -> None:
        if off.connector.name != "off":
            raise TypeError(f"the reading side must be a DB-less DB, not {off.connector.name}")
        if set(off.daos) != set(source.daos):
            raise ValueError("both DBs must serve the same entities (same plugins and entities)")
        self.source = source
        self.off = off
        self.connector: Connector = off.connector
        self.daos: dict[str, MirroredDAO] = {
            name: MirroredDAO(self, off.daos[name], source.daos[name]) for name in off.daos
        }
        self.reloads = 0
        self._stale = True
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<DBLessMirror off <- {self.source.connector.name}>"

    def __getattr__(self, name: str) -> MirroredDAO:
        daos = self.__dict__.get("daos")
        if daos is not None and name in daos:
            return daos[name]  # type: ignore[no-any-return]
        raise AttributeError(name)

    def use_primary(self) -> contextlib.AbstractContextManager[None]:
        """See :meth:`kongdao.db.DB.use_primary` (DB-less has no replicas: a no-op there)."""
        return self.off.use_primary()

    @property
    def events(self) -> Events:
        """The source's events: the writes are made, and emit, there."""
        return self.source.events

    @property
    def schemas(self) -> Mapping[str, EntitySchema]:
        """The entity schemas (the same on both sides)."""
        return self.off.schemas

    @property
    def loaded_plugins(self) -> Mapping[str, Any]:
        """The enabled plugins' specs (the same on both sides)."""
        return self.off.loaded_plugins

    @property
    def enabled_plugins(self) -> tuple[str, ...]:
        """The enabled plugins' names."""
        return self.off.enabled_plugins

    @property
    def default_workspace_id(self) -> str:
        """The off DB's ``default`` workspace id (a declarative configuration is that one)."""
        return self.off.default_workspace_id

    def mark_stale(self) -> None:
        """Reload the off DB before the next read (the writing methods call this)."""
        self._stale = True

    async def refresh(self) -> None:
        """Reload the off DB from the source, if anything was written since the last reload.

        Export every entity of the source (:func:`kongdao.declarative.export_from_db`) and
        swap the off DB's configuration for it
        (:func:`kongdao.declarative.load_into_cache`). Reloads run one at a time; a write that
        ends during a reload makes the mirror stale again, and the reload runs once more.
        """
        if not self._stale:
            return
        async with self._lock:
            while self._stale:
                self._stale = False
                try:
                    config = await declarative.export_from_db(self.source)
                    await declarative.load_into_cache(self.off, config)
                except BaseException:
                    self._stale = True
                    raise
                self.reloads += 1

    async def truncate(self, table: str | None = None) -> None:
        """Empty one entity's table, or every table, of the source."""
        self.mark_stale()
        await self.source.truncate(table)

    async def infos(self) -> dict[str, Any]:
        """The off DB's ``infos()``."""
        return await self.off.infos()

    async def close(self) -> None:
        """Close both DBs."""
        try:
            await self.off.close()
        finally:
            await self.source.close()
