"""Run migrations: schema state, ``bootstrap`` / ``up`` / ``finish`` / ``list`` / ``reset``.

Kong's ``kong/db/migrations/state.lua``, ``kong/cmd/utils/migrations.lua`` and the migration and
lock parts of ``kong/db/init.lua``, on top of the connector's migration methods
(:class:`kongdao.connector.Connector`). A :class:`Migrations` is built by the
:class:`~kongdao.db.DB` with its connector and subsystems (``core`` first, then plugins
alphabetically)::

    db = await kongdao.connect(dsn)
    await db.migrations.bootstrap()          # fresh database: schema_meta, locks, every migration
    await db.migrations.up()                 # later releases: run the new migrations' ``up``
    await db.migrations.finish()             # once every node runs them: the pending teardowns
    state, code = await db.migrations.list()

Blue/green, as in Kong: ``up`` only adds (old and new nodes can share the database afterwards)
and leaves migrations that have a ``teardown`` *pending*; ``finish`` runs the teardowns. Every
command that changes the database runs under the cluster mutex ``migrations`` (a row of the
``locks`` table with a TTL, see :func:`cluster_mutex`), so that many nodes may run the same
command at once: one does the work, the others wait (``up``) or give up at once (``bootstrap``,
``finish``, ``reset``) and report :data:`~kongdao.migrations.NOT_LEADER_MSG`.

Progress is reported to the logger ``kongdao.migrations`` (``INFO``; details at ``DEBUG``) and to
the optional ``on_progress(message)`` callback, one message per call.

Deviations from Kong 2.8, all deliberate:

* Every migration about to run is checked for a step of the connector in use before anything
  runs (Kong stops at the first one without, after running the earlier ones).
* ``finish`` says ``No pending migrations to finish`` only when there were none (Kong also
  says it after finishing them).
* ``list`` also reports *missing* migrations (see :class:`SubsystemState`), which Kong's
  ``list`` keeps silent about; they do not change the exit code.
* A failing callback of :func:`cluster_mutex` re-raises its own exception (after releasing the
  lock) instead of Kong's ``cluster_mutex callback threw an error: ...`` string.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from kongdao.errors import KongDAOError
from kongdao.migrations import (
    NEEDS_BOOTSTRAP_MSG,
    NEW_MIGRATIONS_MSG,
    NOT_LEADER_MSG,
    PENDING_MIGRATIONS_MSG,
    LockError,
    Migration,
    MigrationError,
    MigrationFn,
    Step,
    Subsystem,
)

if TYPE_CHECKING:
    from kongdao.connector import Connector

__all__ = [
    "cluster_mutex",
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_LOCK_TTL",
    "format_migrations",
    "ListCode",
    "ListResult",
    "MAX_LOCK_WAIT_STEP",
    "Migrations",
    "MIGRATIONS_MUTEX_KEY",
    "ProgressFn",
    "SchemaState",
    "SubsystemState",
]

log = logging.getLogger("kongdao.migrations")

MIGRATIONS_MUTEX_KEY: Final = "migrations"
"""The cluster mutex every migration command runs under."""

DEFAULT_LOCK_TTL: Final = 60.0
"""Seconds a cluster lock lives unless released (Kong's ``DEFAULT_LOCKS_TTL``)."""

DEFAULT_LOCK_TIMEOUT: Final = 60.0
"""Seconds a caller waits for somebody else's cluster lock (Kong's ``--lock-timeout``)."""

MAX_LOCK_WAIT_STEP: Final = 2.0
"""Longest pause between two looks at a held lock (Kong's ``MAX_LOCK_WAIT_STEP``)."""

_FIRST_LOCK_WAIT_STEP: Final = 0.1

ProgressFn = Callable[[str], None]
"""``on_progress(message)``: called with each progress message of a command."""

_Groups = Mapping[str, Sequence[Migration]]


class ListCode(enum.IntEnum):
    """The exit codes of ``kongdao migrations list`` (Kong's)."""

    UP_TO_DATE = 0
    """Bootstrapped, nothing pending, nothing new."""
    NEEDS_BOOTSTRAP = 3
    """No ``schema_meta``: run ``bootstrap``."""
    PENDING = 4
    """Teardowns are pending: run ``finish``."""
    NEW = 5
    """New migrations are available: run ``up``."""


@attrs.frozen
class SubsystemState:
    """Where each migration of one subsystem stands (Kong's ``State.load`` classification).

    Args:
        name: The subsystem's name.
        executed: Recorded as executed.
        pending: Recorded as pending (``up`` ran, ``teardown`` did not).
        new: Not recorded: ``up`` will run them, including those ordered before the last
            executed one (a migration added in the middle of a subsystem), as Kong does.
        missing: Recorded as ``last_executed`` yet neither executed nor pending (an
            inconsistent ``schema_meta``); no command runs them. This is what Kong's
            ``state.lua`` computes, although its comments describe "missing" as any
            unrecorded migration ordered before the last executed one.
    """

    name: str
    executed: tuple[Migration, ...] = ()
    pending: tuple[Migration, ...] = ()
    new: tuple[Migration, ...] = ()
    missing: tuple[Migration, ...] = ()


def _groups(subsystems: Sequence[SubsystemState], kind: str) -> dict[str, tuple[Migration, ...]]:
    return {s.name: getattr(s, kind) for s in subsystems if getattr(s, kind)}


@attrs.frozen
class SchemaState:
    """The schema state of a database for a set of subsystems.

    The ``*_migrations`` properties are Kong's lists: subsystem name -> its migrations of that
    kind, in subsystem order, leaving out subsystems that have none (so an empty dict is
    falsy, like Kong's ``nil``).

    Args:
        needs_bootstrap: The database has no ``schema_meta`` (every migration is then new).
        subsystems: One state per subsystem, in run order.
    """

    needs_bootstrap: bool
    subsystems: tuple[SubsystemState, ...]

    @property
    def executed_migrations(self) -> dict[str, tuple[Migration, ...]]:
        """The executed migrations per subsystem."""
        return _groups(self.subsystems, "executed")

    @property
    def pending_migrations(self) -> dict[str, tuple[Migration, ...]]:
        """The pending migrations (teardown not run yet) per subsystem."""
        return _groups(self.subsystems, "pending")

    @property
    def new_migrations(self) -> dict[str, tuple[Migration, ...]]:
        """The migrations ``up`` would run, per subsystem."""
        return _groups(self.subsystems, "new")

    @property
    def missing_migrations(self) -> dict[str, tuple[Migration, ...]]:
        """The missing migrations (see :class:`SubsystemState`) per subsystem."""
        return _groups(self.subsystems, "missing")

    @property
    def has_pending(self) -> bool:
        """Whether some migration waits for ``finish``."""
        return any(s.pending for s in self.subsystems)

    @property
    def has_new(self) -> bool:
        """Whether some migration waits for ``up``."""
        return any(s.new for s in self.subsystems)

    @property
    def is_up_to_date(self) -> bool:
        """Bootstrapped and no new migrations (pending ones are allowed, as in Kong)."""
        return not self.needs_bootstrap and not self.has_new

    def is_migration_executed(self, subsystem: str, name: str) -> bool:
        """Whether migration ``name`` of ``subsystem`` is recorded as executed."""
        return any(
            m.name == name for s in self.subsystems if s.name == subsystem for m in s.executed
        )

    def check(self) -> None:
        """Refuse to serve a database that is not up to date (Kong's ``check_state``).

        Raises:
            MigrationError: :data:`~kongdao.migrations.NEEDS_BOOTSTRAP_MSG`, or
                :data:`~kongdao.migrations.NEW_MIGRATIONS_MSG` followed by the new migrations
                of each subsystem (``(new: key-auth: 000_base_key_auth)``): a plugin enabled
                after the database was bootstrapped has its tables only after ``up``.
        """
        if self.needs_bootstrap:
            raise MigrationError(NEEDS_BOOTSTRAP_MSG)
        if self.has_new:
            new = "; ".join(
                f"{name}: {', '.join(m.name for m in migrations)}"
                for name, migrations in self.new_migrations.items()
            )
            raise MigrationError(f"{NEW_MIGRATIONS_MSG} (new: {new})")


class ListResult(NamedTuple):
    """What :meth:`Migrations.list` returns: the state and ``kongdao migrations list``'s code."""

    state: SchemaState
    exit_code: ListCode


def format_migrations(groups: _Groups) -> str:
    """Render migrations per subsystem as Kong does: one right-aligned line per subsystem.

    Args:
        groups: Subsystem name -> migrations (e.g. :attr:`SchemaState.new_migrations`).

    Returns:
        Lines like ``   core: 000_base, 001_x``, joined by newlines.
    """
    width = max((len(name) for name in groups), default=0)
    return "\n".join(
        f"{name:>{width}}: {', '.join(m.name for m in migrations)}"
        for name, migrations in groups.items()
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KongDAOError) and exc.message is not None:
        return exc.message
    return str(exc) or type(exc).__name__


def _new_owner() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4()}"


async def cluster_mutex(
    connector: Connector,
    key: str,
    callback: Callable[[], Awaitable[object]],
    *,
    ttl: float = DEFAULT_LOCK_TTL,
    no_wait: bool = False,
    no_cleanup: bool = False,
    timeout: float = DEFAULT_LOCK_TIMEOUT,  # noqa: ASYNC109 (a lock-wait deadline, Kong's)
    owner: str | None = None,
) -> bool:
    """Run ``callback`` while holding the cluster lock ``key`` (Kong's ``db:cluster_mutex``).

    The lock is a row of the connector's ``locks`` table that expires after ``ttl`` seconds, so
    a crashed holder blocks the others for ``ttl`` at most. When somebody else holds it, the
    caller polls it (every 0.1 s, then 0.3 s, 0.9 s... up to :data:`MAX_LOCK_WAIT_STEP`) until
    it disappears, which means that somebody else did the work.

    Args:
        connector: The connector whose ``insert_lock`` / ``read_lock`` / ``remove_lock`` run.
        key: The lock's name (``migrations``).
        callback: ``async def callback()``, run once the lock is held.
        ttl: Seconds the lock lives unless released.
        no_wait: Return ``False`` at once when the lock is held by somebody else.
        no_cleanup: Keep the lock after a successful callback (``reset`` drops the table).
        timeout: Seconds to wait for somebody else's lock before giving up.
        owner: The lock owner recorded in the table; a new unique id by default, so that two
            callers in one process exclude each other too.

    Returns:
        ``True`` when this caller ran ``callback``; ``False`` when the lock was held and then
        released (or ``no_wait``), i.e. somebody else ran theirs.

    Raises:
        LockError: the lock could not be taken or read, or ``timeout`` elapsed (message
            ``timeout``).
        ValueError: ``ttl`` is not positive or ``timeout`` is negative.
        Exception: whatever ``callback`` raised; the lock is released first.
    """
    if not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
    if not timeout >= 0:
        raise ValueError(f"timeout must be a number of seconds >= 0, not {timeout!r}")
    owner = owner or _new_owner()
    try:
        taken = await connector.insert_lock(key, owner, ttl)
    except (KongDAOError, OSError) as exc:
        raise LockError(
            f"failed to insert cluster lock: {_describe(exc)}", strategy=connector.name
        ) from exc

    if not taken:
        if no_wait:
            return False
        await _wait_for_release(connector, key, timeout)
        return False

    try:
        await callback()
    except BaseException:
        await _release(connector, key, owner)
        raise
    if not no_cleanup:
        await _release(connector, key, owner)
    return True


async def _wait_for_release(connector: Connector, key: str, wait: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    step = _FIRST_LOCK_WAIT_STEP
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise LockError("timeout", strategy=connector.name)
        await asyncio.sleep(min(step, remaining))
        try:
            holder = await connector.read_lock(key)
        except (KongDAOError, OSError) as exc:
            raise LockError(
                f"failed to read cluster lock: {_describe(exc)}", strategy=connector.name
            ) from exc
        if holder is None:
            return
        log.debug("waiting for cluster lock '%s' held by %s", key, holder)
        step = min(step * 3, MAX_LOCK_WAIT_STEP)


async def _release(connector: Connector, key: str, owner: str) -> None:
    try:
        await connector.remove_lock(key, owner)
    except (KongDAOError, OSError) as exc:
        # The work is done (or failed on its own); an unreleased lock only delays others by its
        # TTL, so this must not hide the callback's outcome.
        log.warning("failed to release cluster lock '%s': %s", key, _describe(exc))


class Migrations:
    """The migration commands for one connector and its subsystems.

    Args:
        connector: The connector to run them with.
        subsystems: ``core`` first, then the plugins' subsystems alphabetically.
        on_progress: Called with each progress message (also logged at ``INFO``).
        lock_ttl: Seconds the ``migrations`` lock lives unless released.
        lock_timeout: Seconds ``up`` waits for another node's ``migrations`` lock.

    Attributes:
        connector: The connector.
        subsystems: The subsystems, in run order.
        on_progress: The progress callback, or ``None``; may be set at any time.
        lock_ttl: As the argument; may be set at any time.
        lock_timeout: As the argument; may be set at any time.

    Raises:
        ValueError: two subsystems share a name.
    """

    def __init__(
        self,
        connector: Connector,
        subsystems: Sequence[Subsystem],
        *,
        on_progress: ProgressFn | None = None,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        names = [s.name for s in subsystems]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate subsystem: {', '.join(duplicates)}")
        self.connector = connector
        self.subsystems: tuple[Subsystem, ...] = tuple(subsystems)
        self.on_progress = on_progress
        self.lock_ttl = lock_ttl
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        names = ", ".join(s.name for s in self.subsystems)
        return f"<Migrations {self.connector.name} [{names}]>"

    def _say(self, message: str, level: int = logging.INFO) -> None:
        log.log(level, "%s", message)
        if self.on_progress is not None:
            self.on_progress(message)

    async def cluster_mutex(
        self,
        key: str,
        callback: Callable[[], Awaitable[object]],
        *,
        ttl: float | None = None,
        no_wait: bool = False,
        no_cleanup: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109 (a lock-wait deadline, Kong's)
    ) -> bool:
        """:func:`cluster_mutex` on this connector, with this object's lock settings.

        Args:
            key: The lock's name.
            callback: ``async def callback()``.
            ttl: Seconds the lock lives; :attr:`lock_ttl` by default.
            no_wait: Return ``False`` at once when somebody else holds it.
            no_cleanup: Keep the lock after a successful callback.
            timeout: Seconds to wait; :attr:`lock_timeout` by default.

        Returns:
            ``True`` when this caller ran ``callback``.

        Raises:
            LockError: the lock failed or ``timeout`` elapsed.
        """
        return await cluster_mutex(
            self.connector,
            key,
            callback,
            ttl=self.lock_ttl if ttl is None else ttl,
            no_wait=no_wait,
            no_cleanup=no_cleanup,
            timeout=self.lock_timeout if timeout is None else timeout,
        )

    async def state(self) -> SchemaState:
        """Load the schema state (Kong's ``State.load``).

        Returns:
            Per subsystem, its executed, pending, new and missing migrations.

        Raises:
            KongDAOError: the connector failed to read ``schema_meta``.
        """
        log.debug("retrieving schema state...")
        if not await self.connector.schema_meta_exists():
            return SchemaState(
                needs_bootstrap=True,
                subsystems=tuple(SubsystemState(s.name, new=s.migrations) for s in self.subsystems),
            )
        meta = await self.connector.read_schema_meta(self.subsystems)
        rows = {row["subsystem"]: row for row in meta}
        return SchemaState(
            needs_bootstrap=False,
            subsystems=tuple(_classify(s, rows.get(s.name)) for s in self.subsystems),
        )

    async def list(self) -> ListResult:
        """Report the state as ``kongdao migrations list`` does, with its exit code.

        Returns:
            The state and :class:`ListCode`: 0 up to date, 3 needs bootstrap, 4 pending
            migrations, 5 new migrations available.
        """
        state = await self.state()
        if state.needs_bootstrap:
            self._say(NEEDS_BOOTSTRAP_MSG)
            return ListResult(state, ListCode.NEEDS_BOOTSTRAP)

        for title, groups in (
            ("Executed migrations:", state.executed_migrations),
            ("Pending migrations:", state.pending_migrations),
            ("New migrations available:", state.new_migrations),
        ):
            if groups:
                self._say(f"{title}\n{format_migrations(groups)}")
        if state.missing_migrations:
            self._say(
                "Missing migrations (recorded as last executed, yet neither executed nor "
                f"pending):\n{format_migrations(state.missing_migrations)}",
                logging.WARNING,
            )

        if state.has_pending and state.has_new:
            self._say(
                "Database has pending migrations from a previous upgrade, "
                "and new migrations from this upgrade",
                logging.WARNING,
            )
            self._say(
                "Run 'kongdao migrations finish' when ready to complete pending migrations "
                f"(the {self.connector.name} database will be incompatible with the previous "
                "version)"
            )
            return ListResult(state, ListCode.PENDING)
        if state.has_pending:
            self._say("Run 'kongdao migrations finish' when ready")
            return ListResult(state, ListCode.PENDING)
        if state.has_new:
            self._say("Run 'kongdao migrations up' to proceed")
            return ListResult(state, ListCode.NEW)
        return ListResult(state, ListCode.UP_TO_DATE)

    async def bootstrap(self, *, force: bool = False) -> bool:
        """Bootstrap a fresh database and run every migration, ``up`` and ``teardown``.

        Creates the schema (keyspace), ``schema_meta`` and ``locks``; then, under the mutex
        (not waiting for another node), runs all new migrations to completion.

        Args:
            force: :meth:`reset` the database first.

        Returns:
            ``True`` when this call ran the migrations; ``False`` when the database was already
            bootstrapped or another node bootstrapped it.

        Raises:
            MigrationError: a migration failed.
            KongDAOError: the database failed.
        """
        if force:
            await self.reset()
        state = await self.state()
        if not state.needs_bootstrap:
            self._say("Database already bootstrapped")
            return False

        self._say("Bootstrapping database...")
        await self.connector.bootstrap_meta()

        async def run() -> None:
            state = await self.state()
            await self._run(state.new_migrations, run_up=True, run_teardown=True)
            self._say("Database is up-to-date")

        ran = await self.cluster_mutex(MIGRATIONS_MUTEX_KEY, run, no_wait=True)
        if not ran:
            self._say(NOT_LEADER_MSG)
        return ran

    async def up(self, *, force: bool = False) -> bool:
        """Run the ``up`` part of every new migration.

        Migrations with a teardown become pending (run :meth:`finish` once every node runs the
        new code). When another node holds the mutex, waits for it to finish (up to
        :attr:`lock_timeout`) and returns ``False``.

        Args:
            force: Also re-run the executed migrations (``up`` and ``teardown``), and run even
                when migrations are pending.

        Returns:
            ``True`` when this call held the mutex (even if there was nothing to do).

        Raises:
            MigrationError: the database needs bootstrapping, migrations are pending (without
                ``force``), or a migration failed.
            LockError: another node held the mutex longer than :attr:`lock_timeout`.
            KongDAOError: the database failed.
        """
        state = await self.state()
        if state.needs_bootstrap:
            raise MigrationError(f"Cannot run migrations: {NEEDS_BOOTSTRAP_MSG}")
        if not force and state.has_pending:
            raise MigrationError(PENDING_MIGRATIONS_MSG)

        async def run() -> None:
            state = await self.state()
            if not force and state.has_pending:
                raise MigrationError(PENDING_MIGRATIONS_MSG)

            if force and state.executed_migrations:
                log.debug(
                    "forcing re-execution of these migrations:\n%s",
                    format_migrations(state.executed_migrations),
                )
                await self._run(
                    state.executed_migrations,
                    run_up=True,
                    run_teardown=True,
                    skip_teardown=state.pending_migrations,
                )
                state = await self.state()
                if state.has_pending:
                    self._say(f"{PENDING_MIGRATIONS_MSG} when ready")
                    return

            if not state.has_new:
                if not force:
                    self._say("Database is already up-to-date")
                return

            log.debug("migrations to run:\n%s", format_migrations(state.new_migrations))
            await self._run(state.new_migrations, run_up=True)
            state = await self.state()
            if state.has_pending:
                self._say(f"{PENDING_MIGRATIONS_MSG} when ready")

        ran = await self.cluster_mutex(MIGRATIONS_MUTEX_KEY, run)
        if not ran:
            self._say(NOT_LEADER_MSG)
        return ran

    async def finish(self, *, force: bool = False) -> bool:
        """Run the teardowns of the pending migrations, which become executed.

        Runs under the mutex without waiting for another node.

        Args:
            force: First re-run every executed migration (``up`` and ``teardown``).

        Returns:
            ``True`` when this call held the mutex; ``False`` when another node held it.

        Raises:
            MigrationError: the database needs bootstrapping or a migration failed.
            KongDAOError: the database failed.
        """
        state = await self.state()
        if state.needs_bootstrap:
            raise MigrationError(f"Cannot run migrations: {NEEDS_BOOTSTRAP_MSG}")

        async def run() -> None:
            state = await self.state()
            if force and state.executed_migrations:
                await self._run(state.executed_migrations, run_up=True, run_teardown=True)
                state = await self.state()

            had_pending = state.has_pending
            if had_pending:
                log.debug(
                    "pending migrations to finish:\n%s",
                    format_migrations(state.pending_migrations),
                )
                await self._run(state.pending_migrations, run_teardown=True)
                state = await self.state()

            if state.has_new:
                self._say(NEW_MIGRATIONS_MSG)
                return
            if not force and not had_pending:
                self._say("No pending migrations to finish")

        ran = await self.cluster_mutex(MIGRATIONS_MUTEX_KEY, run, no_wait=True)
        if not ran:
            self._say(NOT_LEADER_MSG)
        return ran

    async def reset(self) -> bool:
        """Drop everything kongdao created (see the connector's ``reset`` for what exactly).

        Runs under the mutex without waiting and without releasing it (the ``locks`` table
        goes away with the rest); if the lock itself fails (the ``locks`` table is already
        gone), resets without it.

        Returns:
            ``True`` when the database was reset; ``False`` when it was not bootstrapped or
            another node held the mutex.

        Raises:
            KongDAOError: the database failed.
        """
        state = await self.state()
        if state.needs_bootstrap:
            self._say("Database not bootstrapped, nothing to reset")
            return False

        async def run() -> None:
            self._say("Resetting database...")
            await self.connector.reset()
            self._say("Database successfully reset")

        try:
            ran = await self.cluster_mutex(MIGRATIONS_MUTEX_KEY, run, no_wait=True, no_cleanup=True)
        except LockError as exc:
            self._say(f"{exc} - retrying without cluster lock", logging.ERROR)
            await run()
            return True
        if not ran:
            self._say(NOT_LEADER_MSG)
        return ran

    async def _run(
        self,
        groups: _Groups,
        *,
        run_up: bool = False,
        run_teardown: bool = False,
        skip_teardown: _Groups | None = None,
    ) -> None:
        """Kong's ``DB:run_migrations``: run ``groups`` (subsystem -> migrations) in order."""
        connector = self.connector
        strategy = connector.name
        skipped = {
            (subsystem, m.name)
            for subsystem, migrations in (skip_teardown or {}).items()
            for m in migrations
        }
        plan = [
            (subsystem, [(m, m.step_for(strategy)) for m in migrations])
            for subsystem, migrations in groups.items()
        ]
        if not plan:
            return
        infos = await connector.infos()
        db_desc = infos.get("db_desc", "database")
        db_name = infos.get("db_name", "")

        n_migrations = n_pending = 0
        for index, (subsystem, steps) in enumerate(plan):
            self._say(f"migrating {subsystem} on {db_desc} '{db_name}'...")
            for migration, step in steps:
                log.debug("running migration: %s", migration.name)
                if run_up:
                    await self._up(subsystem, migration, step)
                    if step.teardown is not None:
                        n_pending += 1

                if (
                    run_teardown
                    and step.teardown is not None
                    and (subsystem, migration.name) not in skipped
                ):
                    if run_up:
                        # DML in a teardown may reach every peer: they must see the new schema.
                        await connector.wait_for_schema_consensus()
                    await self._teardown(subsystem, migration, step.teardown)
                    n_pending = max(n_pending - 1, 0)
                    if not run_up:
                        # The next teardown may query what this one changed, on any peer.
                        await connector.wait_for_schema_consensus()

                done = "pending" if step.teardown is not None and not run_teardown else "executed"
                self._say(f"{subsystem} migrated up to: {migration.name} ({done})")
                n_migrations += 1

            if run_up and index == len(plan) - 1:
                await connector.wait_for_schema_consensus()

        self._say(f"{n_migrations} migration{'s' if n_migrations != 1 else ''} processed")
        if n_migrations - n_pending > 0:
            self._say(f"{n_migrations - n_pending} executed")
        if n_pending > 0:
            self._say(f"{n_pending} pending")

    async def _up(self, subsystem: str, migration: Migration, step: Step) -> None:
        connector = self.connector
        if step.up.strip():
            try:
                await connector.execute_ddl(step.up)
            except KongDAOError as exc:
                raise self._failed(migration, "up", exc) from exc
        if step.up_f is not None:
            try:
                await step.up_f(connector)
            except Exception as exc:  # any error of user code fails the migration, as in Kong
                raise self._failed(migration, "up_f", exc) from exc
        await self._record(subsystem, migration, "pending" if step.teardown else "executed")

    async def _teardown(
        self,
        subsystem: str,
        migration: Migration,
        teardown: MigrationFn,
    ) -> None:
        try:
            await teardown(self.connector)
        except Exception as exc:  # any error of user code fails the migration, as in Kong
            raise self._failed(migration, "teardown", exc) from exc
        await self._record(subsystem, migration, "teardown")

    async def _record(self, subsystem: str, migration: Migration, state: str) -> None:
        try:
            await self.connector.record_migration(subsystem, migration.name, state)
        except KongDAOError as exc:
            raise MigrationError(
                f"failed to record migration '{migration.name}': {_describe(exc)}",
                strategy=self.connector.name,
            ) from exc

    def _failed(self, migration: Migration, part: str, exc: BaseException) -> MigrationError:
        return MigrationError(
            f"failed to run migration '{migration.name}' {part}: {_describe(exc)}",
            strategy=self.connector.name,
        )


def _classify(subsystem: Subsystem, row: Mapping[str, Any] | None) -> SubsystemState:
    if row is None:
        return SubsystemState(subsystem.name, new=subsystem.migrations)
    recorded_executed = set(row.get("executed") or ())
    recorded_pending = set(row.get("pending") or ())
    last_executed = row.get("last_executed")

    executed: list[Migration] = []
    pending: list[Migration] = []
    new: list[Migration] = []
    missing: list[Migration] = []
    for migration in subsystem.migrations:
        if migration.name in recorded_executed:
            executed.append(migration)
        elif migration.name in recorded_pending:
            pending.append(migration)
        elif migration.name == last_executed:
            # What Kong's state.lua really computes: its "n" is only set once the loop reaches
            # last_executed, so unrecorded migrations ordered before it count as new, and only
            # last_executed itself can be missing.
            missing.append(migration)
        else:
            new.append(migration)
    return SubsystemState(
        subsystem.name, tuple(executed), tuple(pending), tuple(new), tuple(missing)
    )
