"""Migrations as data: subsystems of ordered migrations, one step per connector.

Kong's layout, kept (``kong/db/migrations``): the ``core`` subsystem first, then one subsystem per
enabled plugin that has migrations, alphabetically. A subsystem is an ordered list of
:class:`Migration`; a migration has one :class:`Step` per connector (``postgres``,
``cassandra``). A step is

* ``up``: DDL text, additive and re-entrant (``CREATE TABLE IF NOT EXISTS``,
  ``DO $$ ... EXCEPTION WHEN duplicate_column ...``), statements separated by ``;``. Old and new
  nodes can share the database after ``up``, so ``up`` never removes or rewrites anything;
* ``up_f``: ``async def up_f(connector)``, run right after ``up`` (data changes that DDL alone
  cannot express);
* ``teardown``: ``async def teardown(connector)``, the destructive part, run by ``finish`` once
  every node runs the new code. A migration with a teardown stays *pending* between ``up`` and
  ``finish``.

A subsystem is usually a package of numbered modules, ``m000_base.py``, ``m001_<what>.py`` (or
``000_base.py``), each exposing a ``MIGRATION`` or module-level ``postgres`` and ``cassandra``
steps; see
:meth:`Subsystem.from_package`. The migration's name is the module name without the ``m``
prefix (``000_base``), as in Kong's ``schema_meta``.

Running them is :class:`kongdao.migrations.runner.Migrations`'s business.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from kongdao.errors import KongDAOError

if TYPE_CHECKING:
    from kongdao.schema.entity import Entity

__all__ = [
    "create_tables",
    "LockError",
    "Migration",
    "MigrationError",
    "MigrationFn",
    "missing_strategy",
    "NEEDS_BOOTSTRAP_MSG",
    "NEW_MIGRATIONS_MSG",
    "NOT_LEADER_MSG",
    "PENDING_MIGRATIONS_MSG",
    "Step",
    "Subsystem",
]

MigrationFn = Callable[[Any], Awaitable[None]]
"""``async def fn(connector) -> None``: an ``up_f`` or ``teardown`` function."""

NEEDS_BOOTSTRAP_MSG: Final = (
    "Database needs bootstrapping or is older than Kong 1.0. "
    "To start a new installation from scratch, run 'kongdao migrations bootstrap'. "
    "To migrate from a version older than 1.0, migrate to Kong 1.5.0 first."
)
"""Kong's ``NEEDS_BOOTSTRAP_MSG``, on one line and naming the ``kongdao`` command."""

PENDING_MIGRATIONS_MSG: Final = "Database has pending migrations; run 'kongdao migrations finish'"
"""Why ``up`` refuses to run while teardowns of a previous ``up`` are pending."""

NEW_MIGRATIONS_MSG: Final = "New migrations available; run 'kongdao migrations up' to proceed"
"""Why a database is not up to date although it was bootstrapped."""

NOT_LEADER_MSG: Final = "aborted: another node is performing database changes"
"""Reported when another node held the ``migrations`` lock and did the work."""

_MODULE_NAME = re.compile(r"^m?(\d+_\w+)$")


class MigrationError(KongDAOError):
    """A migration command cannot run or a migration failed.

    The message says what to do (``Database has pending migrations; run 'kongdao migrations
    finish'``) or which migration failed and why (``failed to run migration '001_x' up:
    <database error>``). ``strategy`` is the connector's name when a database was involved.
    A failed migration's database error is chained as ``__cause__``.
    """

    name = "migration error"


class LockError(MigrationError):
    """The cluster lock could not be taken, read or waited for (``timeout``)."""

    name = "cluster lock error"


def missing_strategy(strategy: str, migration: str) -> MigrationError:
    """Build Kong's error for a migration that has no step for the connector in use.

    Args:
        strategy: The connector's name (``postgres``).
        migration: The migration's name.

    Returns:
        ``missing <strategy> strategy for migration '<name>'`` (not raised).
    """
    return MigrationError(
        f"missing {strategy} strategy for migration '{migration}'", strategy=strategy
    )


def _optional_fn(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{attribute.name} must be an async function or None")


@attrs.frozen
class Step:
    """What one migration does on one connector.

    Args:
        up: DDL text (idempotent statements separated by ``;``); ``""`` for none.
        up_f: ``async def up_f(connector)``, run after ``up``.
        teardown: ``async def teardown(connector)``, run by ``finish``; its presence makes the
            migration *pending* after ``up``.
    """

    up: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    up_f: MigrationFn | None = attrs.field(default=None, validator=_optional_fn)
    teardown: MigrationFn | None = attrs.field(default=None, validator=_optional_fn)

    @property
    def is_empty(self) -> bool:
        """Whether the step does nothing at all."""
        return not self.up.strip() and self.up_f is None and self.teardown is None


def _step(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Step):
        raise TypeError(f"{attribute.name} must be a Step or None, not {type(value).__name__}")


@attrs.frozen
class Migration:
    """One named migration with a :class:`Step` per connector.

    Args:
        name: The name recorded in ``schema_meta`` (``000_base``); unique in its subsystem.
        postgres: The PostgreSQL step, or ``None`` when the migration cannot run there.
        cassandra: The Cassandra step, or ``None``.

    Raises:
        ValueError: the name is empty, or no step does anything (Kong's ``at_least_one_of``).
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    postgres: Step | None = attrs.field(default=None, validator=_step)
    cassandra: Step | None = attrs.field(default=None, validator=_step)

    def __attrs_post_init__(self) -> None:
        if not self.name:
            raise ValueError("migration name must not be empty")
        steps = [s for s in (self.postgres, self.cassandra) if s is not None]
        if all(step.is_empty for step in steps):
            raise ValueError(f"migration '{self.name}' does nothing on any connector")

    def step_for(self, strategy: str) -> Step:
        """The step for the connector named ``strategy``.

        Args:
            strategy: ``postgres`` or ``cassandra``.

        Returns:
            The step.

        Raises:
            MigrationError: ``missing <strategy> strategy for migration '<name>'``.
        """
        step = getattr(self, strategy, None) if strategy in ("postgres", "cassandra") else None
        if step is None:
            raise missing_strategy(strategy, self.name)
        assert isinstance(step, Step)
        return step


def _migrations(value: Iterable[Migration]) -> tuple[Migration, ...]:
    return tuple(value)


@attrs.frozen
class Subsystem:
    """A named, ordered list of migrations: ``core`` or one plugin's.

    Args:
        name: ``core`` or the plugin's name (``key-auth``); the ``subsystem`` of ``schema_meta``.
        migrations: The migrations in the order they run.

    Raises:
        ValueError: the name is empty or two migrations share a name.
        TypeError: an item is not a :class:`Migration`.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    migrations: tuple[Migration, ...] = attrs.field(converter=_migrations)

    def __attrs_post_init__(self) -> None:
        if not self.name:
            raise ValueError("subsystem name must not be empty")
        seen: set[str] = set()
        for migration in self.migrations:
            if not isinstance(migration, Migration):
                raise TypeError(
                    f"subsystem '{self.name}': expected a Migration, not {type(migration).__name__}"
                )
            if migration.name in seen:
                raise ValueError(f"subsystem '{self.name}': duplicate migration '{migration.name}'")
            seen.add(migration.name)

    @classmethod
    def from_package(cls, name: str, package: str) -> Subsystem:
        """Load a subsystem from a package of migration modules.

        The package lists its modules in order in a ``MIGRATIONS`` sequence of module names
        (Kong's ``init.lua``); without one, every module named ``m<digits>_<what>`` or
        ``<digits>_<what>`` is taken, sorted by name. Each module exposes either ``MIGRATION``
        (a :class:`Migration`) or module-level ``postgres`` and ``cassandra`` (:class:`Step`
        or absent; the migration is then named after the module).

        Args:
            name: The subsystem's name.
            package: The dotted package name, e.g. ``kongdao.migrations.core``.

        Returns:
            The subsystem.

        Raises:
            ModuleNotFoundError: the package or a listed module does not exist.
            ValueError: a module name does not look like a migration.
            TypeError: a module's ``MIGRATION`` is not a :class:`Migration`.
        """
        pkg = importlib.import_module(package)
        listed = getattr(pkg, "MIGRATIONS", None)
        if listed is not None:
            modules = [str(m) for m in listed]
        else:
            modules = sorted(
                info.name
                for info in pkgutil.iter_modules(getattr(pkg, "__path__", []))
                if _MODULE_NAME.match(info.name)
            )
        migrations = []
        for module_name in modules:
            match = _MODULE_NAME.match(module_name)
            if match is None:
                raise ValueError(f"'{package}.{module_name}' is not a migration module name")
            module = importlib.import_module(f"{package}.{module_name}")
            migration = getattr(module, "MIGRATION", None)
            if migration is not None:
                if not isinstance(migration, Migration):
                    raise TypeError(f"'{package}.{module_name}.MIGRATION' is not a Migration")
                migrations.append(migration)
                continue
            migrations.append(
                Migration(
                    match.group(1),
                    postgres=getattr(module, "postgres", None),
                    cassandra=getattr(module, "cassandra", None),
                )
            )
        return cls(name, migrations)


# connector name -> (module, function) printing an entity's DDL in that connector's layout
_DDL: Final = {
    "postgres": ("kongdao.connectors.postgres.ddl", "create_table_sql"),
    "cassandra": ("kongdao.connectors.cassandra.ddl", "create_table_cql"),
}


def create_tables(name: str, *entities: type[Entity]) -> Migration:
    """A migration creating the tables of ``entities``, in kongdao's layout on each connector.

    The short way for a plugin's first migration::

        MIGRATIONS = [create_tables("000_base_notes", Note)]

    The DDL (tables, unique constraints or lookup tables, foreign keys with their ``on_delete``,
    indexes for ``page_for_<foreign>``, tags, TTL) is printed by the connector's DDL function
    (:func:`kongdao.connectors.postgres.ddl.create_table_sql`,
    :func:`kongdao.connectors.cassandra.ddl.create_table_cql`) when the migration runs, so it is
    the layout of the kongdao version that runs it. To freeze it instead, print it once with
    those functions and keep it as :class:`Step` ``up`` text, as the bundled plugins do.
    Later changes to a released entity go in new migrations either way.

    Args:
        name: The migration's name (``000_base_<plugin>``).
        *entities: The entity classes, each after those it references.

    Returns:
        The migration, with an ``up_f`` step for PostgreSQL and for Cassandra.

    Raises:
        TypeError: an argument is not an entity class.
    """
    from kongdao.schema.entity import catalog, schema_of

    schemas = [schema_of(cls) for cls in entities]

    def step(connector_name: str) -> Step:
        module_name, function = _DDL[connector_name]

        async def up_f(connector: Any) -> None:
            ddl = getattr(importlib.import_module(module_name), function)
            for schema in schemas:
                await connector.execute_ddl(ddl(schema, catalog))

        up_f.__qualname__ = f"create_tables({name!r}).{connector_name}"
        return Step(up_f=up_f)

    return Migration(name, postgres=step("postgres"), cassandra=step("cassandra"))
