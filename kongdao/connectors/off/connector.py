"""The ``off`` connector: Kong's DB-less mode, an in-memory, read-only configuration.

Kong 2.8's ``kong/db/strategies/off/connector.lua`` has no database behind it: connecting,
closing, locking and resetting do nothing, ``schema_migrations`` reports every migration as
executed, and queries fail with ``cannot perform queries without a database``. This connector
answers the same way, and serves the reads of every entity from a configuration loaded in one
piece (:meth:`OffConnector.load`), typically a parsed declarative file (``kong.yml``).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from kongdao import errors
from kongdao._version import __version__
from kongdao.connector import Capabilities, Strategy
from kongdao.connectors.off.snapshot import Snapshot, build, empty
from kongdao.connectors.off.strategy import OffStrategy, OffTagsStrategy

if TYPE_CHECKING:
    from kongdao.migrations import Subsystem
    from kongdao.schema.entity import EntitySchema

__all__ = ["CAPABILITIES", "OffConnector"]

STRATEGY: Final = "off"

CAPABILITIES: Final = Capabilities(
    # Nothing is ever written: the write guarantees below do not apply. Loads are atomic and
    # refuse duplicate keys and dangling references, but that is not what these flags describe.
    transactions=False,
    enforces_unique=False,
    enforces_foreign_keys=False,
    atomic_cascade=False,
    # expired rows vanish from reads by themselves; no cleanup task is needed
    native_ttl=True,
    paging_state=False,
    ordered_pages=True,
    count=True,
    filters=False,
)

Entities = Mapping[str, Iterable[Any]]
"""Entity name -> the rows of that entity (see :meth:`OffConnector.load`)."""


def _unpack(config: Any) -> tuple[Entities, Mapping[str, EntitySchema] | None]:
    """The entities and, when it carries them, the schemas of a configuration.

    A :class:`kongdao.declarative.DeclarativeConfig` (anything with ``entities`` and
    ``schemas`` attributes) or a plain mapping.
    """
    entities = getattr(config, "entities", None)
    if isinstance(entities, Mapping):
        schemas = getattr(config, "schemas", None)
        return entities, schemas if isinstance(schemas, Mapping) else None
    if isinstance(config, Mapping):
        return config, None
    raise TypeError(
        "a configuration is a mapping of entity names to rows, or a parsed declarative "
        f"configuration, not {type(config).__name__}"
    )


class OffConnector:
    """kongdao's DB-less backend: reads from a loaded configuration, refuses writes.

    Args:
        declarative_config: A configuration to load when the DB opens (at the first
            :meth:`strategy_for`, which knows the schemas): a parsed declarative configuration
            or a mapping as :meth:`load` takes. ``None``: start empty.
        keep_snapshots: How many replaced configurations stay readable for the page offsets
            that were handed out from them, so that an iteration spanning a reload finishes on
            the configuration it started on. An offset of an older one is refused with
            INVALID_OFFSET (``stale data detected while paginating``). Each kept configuration
            stays in memory until it is pushed out; ``0`` keeps none.
        clock: Seconds, monotonic: the clock ``ttl`` expiries are measured on.
        subsystems: The migration subsystems reported as executed (Kong's off connector reports
            every migration of the subsystems it is asked about); default: ``core`` and every
            bundled plugin's.

    .. versionadded:: 0.2
    """

    name = STRATEGY
    capabilities = CAPABILITIES

    def __init__(
        self,
        declarative_config: Any = None,
        *,
        keep_snapshots: int = 1,
        clock: Callable[[], float] = time.monotonic,
        subsystems: Iterable[Subsystem] | None = None,
    ) -> None:
        if isinstance(keep_snapshots, bool) or not isinstance(keep_snapshots, int):
            raise TypeError("keep_snapshots must be an integer")
        if keep_snapshots < 0:
            raise ValueError("keep_snapshots must be 0 or more")
        if declarative_config is not None:
            _unpack(declarative_config)  # a wrong type fails now, not when the DB opens
        self._pending = declarative_config
        self._keep = keep_snapshots
        self._clock = clock
        self._subsystems = None if subsystems is None else tuple(subsystems)
        self._open = False
        self._schemas: Mapping[str, EntitySchema] | None = None
        self._load_lock = asyncio.Lock()
        self._snapshot = empty()
        self._kept: collections.OrderedDict[str, Snapshot] = collections.OrderedDict(
            [(self._snapshot.id, self._snapshot)]
        )
        self.strategies: dict[str, OffStrategy | OffTagsStrategy] = {}

    def __repr__(self) -> str:
        return f"<OffConnector {self._snapshot.size} entities>"

    # -- the configuration ---------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        """The configuration readers see now (replaced as a whole by :meth:`load`)."""
        return self._snapshot

    def kept_snapshot(self, snapshot_id: str) -> Snapshot | None:
        """The current or a kept configuration with this id, else ``None`` (``keep_snapshots``)."""
        return self._kept.get(snapshot_id)

    def now(self) -> float:
        """The connector's clock (see ``clock``)."""
        return self._clock()

    async def load(
        self, entities: Any, *, schemas: Mapping[str, EntitySchema] | None = None
    ) -> None:
        """Replace the whole configuration, atomically.

        The new configuration is checked and indexed in a worker thread while readers keep
        reading the current one; then one reference is swapped. A read sees either the old or
        the new configuration, never a mix, and a pager that started on the old one finishes
        on it (see ``keep_snapshots``). Loads run one at a time, in call order. When the new
        configuration is refused, the current one stays.

        ``entities`` maps entity names to lists of rows, or is a parsed declarative
        configuration (:class:`kongdao.declarative.DeclarativeConfig`, whose ``entities`` and
        ``schemas`` are used). Rows are what a database strategy returns, already processed
        and validated (the declarative parser's output; the connector validates no field):

        * a dict per entity, keyed by field name; a field left out is stored as null, keys
          that are not fields are ignored;
        * foreign keys as the referenced primary key: ``{"service": {"id": "..."}}``;
        * timestamps (``created_at``, ``updated_at``) as numbers of seconds; sets and arrays
          as lists; records and maps as dicts; values as stored (transformations, e.g.
          basic-auth password hashing, have run);
        * for entities with a composite cache key (``plugins``), ``cache_key`` as the DAO
          computes it (``plugins:key-auth::<service id>:::``); computed here when absent;
        * for entities with ``ttl`` (``keyauth_credentials``...), ``ttl``: seconds to live from
          this load; ``None``, ``0`` or absent: never expires. Expired rows vanish from reads
          and are read back with their remaining whole seconds.

        The rows are copied: the caller may reuse or change them afterwards.

        Args:
            entities: The configuration (see above).
            schemas: The entity schemas, by name; default: the configuration's, then those
                of the DB that opened this connector.

        Raises:
            DeclarativeConfigError: The configuration is inconsistent; ``fields`` says where,
                by entity name and 1-based position: an unknown entity (or ``tags``, which is
                derived), an item that is not a dict, a missing or repeated primary key, a
                repeated unique value or composite cache key (``uniqueness violation: ...``),
                a foreign key that references nothing loaded (``invalid reference ...``), an
                invalid ``ttl``.
            InterfaceError: No schemas are known (no DB opened this connector yet and the
                configuration does not carry them).
            TypeError: ``entities`` is neither a mapping nor a parsed configuration.
        """
        config, config_schemas = _unpack(entities)
        known = schemas or config_schemas or self._schemas
        if known is None:
            raise errors.InterfaceError(
                "the off connector needs the entity schemas to load a configuration: "
                "open the DB first, or pass schemas=",
                strategy=STRATEGY,
            )
        async with self._load_lock:
            snapshot = await asyncio.to_thread(build, config, known, self._clock())
            self._install(snapshot)

    def _install(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._kept[snapshot.id] = snapshot
        while len(self._kept) > self._keep + 1:
            self._kept.popitem(last=False)

    # -- lifecycle -----------------------------------------------------------------------------

    async def connect(self) -> None:
        """Nothing to connect to; reads are served from now on."""
        self._open = True

    async def close(self) -> None:
        """Stop serving reads (the configuration stays for a later :meth:`connect`)."""
        self._open = False

    def check_open(self, entity: str) -> None:
        """Refuse to serve ``entity`` when not connected (as the database connectors do).

        Raises:
            InterfaceError: ``cannot use '<entity>': the off connector is not connected``.
        """
        if not self._open:
            raise errors.InterfaceError(
                f"cannot use '{entity}': the off connector is not connected", strategy=STRATEGY
            )

    async def infos(self) -> dict[str, Any]:
        """Kong's ``infos()`` for ``off``: ``in memory``, a ``cache``, kongdao's version."""
        return {
            "strategy": STRATEGY,
            "db_name": "in memory",
            "db_desc": "cache",
            "db_ver": __version__,
        }

    def strategy_for(self, schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> Strategy:
        """Build (once) the strategy of ``schema``; loads the constructor's configuration.

        Raises:
            DeclarativeConfigError: the ``declarative_config`` given to the constructor is
                inconsistent (see :meth:`load`).
        """
        self._schemas = schemas
        if self._pending is not None:
            config, config_schemas = _unpack(self._pending)
            self._install(build(config, config_schemas or schemas, self._clock()))
            self._pending = None
        name = schema.name or ""
        strategy = self.strategies.get(name)
        if strategy is None or strategy.schema is not schema:
            if name == "tags":
                strategy = OffTagsStrategy(self, schema)
            else:
                strategy = OffStrategy(self, schema)
            self.strategies[name] = strategy
        return strategy

    # -- migrations and locks: Kong's off connector has nothing to migrate or lock ------------

    async def execute_ddl(self, statements: str) -> None:
        """Refused: ``cannot perform queries without a database`` (OPERATION_UNSUPPORTED)."""
        raise errors.operation_unsupported(
            "cannot perform queries without a database", strategy=STRATEGY
        )

    async def schema_meta_exists(self) -> bool:
        """Always: there is no schema to bootstrap."""
        return True

    async def bootstrap_meta(self) -> None:
        """Nothing to create."""

    def _default_subsystems(self) -> tuple[Subsystem, ...]:
        if self._subsystems is not None:
            return self._subsystems
        from kongdao.migrations.core import CORE
        from kongdao.plugins import BUNDLED

        plugins = (spec.subsystem for spec in BUNDLED.values() if spec.subsystem is not None)
        return (CORE, *plugins)

    async def read_schema_meta(
        self, subsystems: Iterable[Subsystem] | None = None
    ) -> list[dict[str, Any]]:
        """Every migration of every subsystem as executed, none pending (Kong's off answer).

        Args:
            subsystems: The subsystems asked about; default: the constructor's ``subsystems``.
        """
        rows: list[dict[str, Any]] = []
        for subsystem in self._default_subsystems() if subsystems is None else subsystems:
            names = [m.name for m in subsystem.migrations]
            rows.append(
                {
                    "subsystem": subsystem.name,
                    "executed": names,
                    "last_executed": names[-1] if names else None,
                    "pending": [],
                }
            )
        return rows

    async def record_migration(self, subsystem: str, name: str, state: str) -> None:
        """Refused (Kong's off connector has no ``record_migration``)."""
        raise errors.operation_unsupported(
            "record_migration() not implemented for 'off' strategy", strategy=STRATEGY
        )

    async def reset(self) -> None:
        """Nothing to drop (Kong's ``schema_reset`` on ``off`` does nothing)."""

    async def insert_lock(self, key: str, owner: str, ttl: float) -> bool:
        """Always taken, as in Kong: with nothing to write there is nothing to protect."""
        return True

    async def read_lock(self, key: str) -> str | None:
        """Nobody holds a lock here."""
        return None

    async def remove_lock(self, key: str, owner: str) -> None:
        """Nothing to release."""

    async def wait_for_schema_consensus(self) -> None:
        """A single in-memory copy always agrees with itself."""
