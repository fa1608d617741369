"""The PostgreSQL connector (asyncpg): settings, pool lifecycle and strategies."""

from __future__ import annotations

import contextlib
import json
import os
import ssl as ssl_mod
import urllib.parse
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import asyncpg
import attrs

from kongdao.connector import Capabilities
from kongdao.connectors.postgres.errors import STRATEGY, database_error
from kongdao.connectors.postgres.migrate import PostgresMigrations
from kongdao.connectors.postgres.pool import Pool
from kongdao.connectors.postgres.replica import ReplicaRouter, ReplicaUnavailableError
from kongdao.connectors.postgres.strategy import PostgresStrategy
from kongdao.connectors.postgres.tags import PostgresTagsStrategy
from kongdao.routing import use_primary
from kongdao.schema.entity import EntitySchema

__all__ = ["CAPABILITIES", "PostgresConnector", "PostgresSettings"]

CAPABILITIES = Capabilities(
    transactions=True,
    enforces_unique=True,
    enforces_foreign_keys=True,
    atomic_cascade=True,
    native_ttl=False,
    paging_state=False,
    ordered_pages=True,
    count=True,
    filters=True,
)

_ENV_PREFIX = "KONGDAO_PG_"
_UNSET: Any = object()


def _env(name: str) -> str | None:
    return os.environ.get(_ENV_PREFIX + name.upper())


_SSL_MODES = ("allow", "prefer", "require", "verify-ca")


def _parse_ssl(value: Any) -> Any:
    """The ``ssl`` setting from libpq's ``sslmode`` names (and a few spellings of yes and no)."""
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("", "0", "false", "off", "disable", "no"):
            return False
        if v in ("1", "true", "on", "verify-full", "verify", "yes"):
            return True
        if v in _SSL_MODES:
            return v
        raise ValueError(
            f"unknown ssl mode {value!r}: use disable, allow, prefer, require, verify-ca or "
            "verify-full"
        )
    if value is None:
        return False
    return value


_RO_SETTINGS: tuple[tuple[str, Any], ...] = (
    ("ro_host", str),
    ("ro_port", int),
    ("ro_user", str),
    ("ro_password", str),
    ("ro_database", str),
    ("ro_ssl", _parse_ssl),
    ("ro_pool_max_size", int),
    ("ro_retry_interval", float),
)
"""The read replica's settings: environment (``KONGDAO_PG_RO_HOST``...) and DSN query names."""


def _opt_ssl(value: Any) -> Any:
    return None if value is None else _parse_ssl(value)


@attrs.frozen(kw_only=True)
class PostgresSettings:
    """How to reach PostgreSQL. The password never appears in ``repr`` or errors.

    Every setting falls back to the environment (``KONGDAO_PG_HOST``, ``KONGDAO_PG_PORT``,
    ``KONGDAO_PG_USER``, ``KONGDAO_PG_PASSWORD``, ``KONGDAO_PG_DATABASE``, ``KONGDAO_PG_SCHEMA``,
    ``KONGDAO_PG_SSL``, ``KONGDAO_PG_SSL_CA_FILE``...), then to Kong's defaults.

    Args:
        host: server host (or a Unix socket directory).
        port: server port.
        user: role name.
        password: role password.
        database: database name.
        schema: the PostgreSQL schema holding kongdao's tables.
        ssl: libpq's ``sslmode``: ``False`` (``"disable"``), ``"allow"`` / ``"prefer"`` (TLS if
            the server offers it, unverified), ``"require"`` (TLS; the certificate verified
            against ``ssl_ca_file`` if one is given, as libpq does with a root certificate),
            ``"verify-ca"`` (TLS, the certificate chain verified), ``True`` /
            ``"verify-full"`` (also the host name); or an :class:`ssl.SSLContext`, used as is.
            Verification uses ``ssl_ca_file``, else the system's trusted CAs. The client
            certificate files apply from ``"require"`` up.
        ssl_ca_file: PEM file of the CAs to trust (libpq's ``sslrootcert``).
        ssl_cert_file: PEM client certificate, for ``cert`` authentication or servers that
            require one (libpq's ``sslcert``).
        ssl_key_file: its private key (libpq's ``sslkey``; default: in ``ssl_cert_file``).
        pool_min_size: connections opened at start.
        pool_max_size: most connections open at once.
        statement_timeout: seconds one statement may run before it fails with DATABASE_ERROR.
        connect_timeout: seconds to establish a connection.
        acquire_timeout: seconds a call waits for a free connection.
        ro_host: a read replica (Kong's ``pg_ro_host``): with it (or ``ro_port``), plain reads
            go to that server and everything else to the primary (:mod:`kongdao.routing`).
            Each ``ro_*`` setting not given takes the primary's value.
        ro_port: the replica's port.
        ro_user: the role on the replica.
        ro_password: its password; never shown in ``repr`` or errors.
        ro_database: the database on the replica.
        ro_ssl: ``ssl`` for the replica (the certificate files are the primary's).
        ro_pool_max_size: most connections open to the replica at once.
        ro_retry_interval: seconds reads skip a replica that cannot be reached (they go to the
            primary meanwhile) before trying it again.
    """

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "kong"
    password: str | None = attrs.field(default=None, repr=False)
    database: str = "kong"
    schema: str = "public"
    ssl: Any = attrs.field(default=False, converter=_parse_ssl)
    ssl_ca_file: str | None = None
    ssl_cert_file: str | None = None
    ssl_key_file: str | None = None
    pool_min_size: int = 2
    pool_max_size: int = 10
    statement_timeout: float = 60.0
    connect_timeout: float = 10.0
    acquire_timeout: float | None = 60.0
    ro_host: str | None = None
    ro_port: int | None = None
    ro_user: str | None = None
    ro_password: str | None = attrs.field(default=None, repr=False)
    ro_database: str | None = None
    ro_ssl: Any = attrs.field(default=None, converter=_opt_ssl)
    ro_pool_max_size: int | None = None
    ro_retry_interval: float = 5.0

    def __attrs_post_init__(self) -> None:
        if self.ro_retry_interval <= 0:
            raise ValueError("ro_retry_interval must be a positive number of seconds")

    @property
    def has_replica(self) -> bool:
        """Whether a read replica is configured (``ro_host`` or ``ro_port``)."""
        return self.ro_host is not None or self.ro_port is not None

    def replica(self) -> PostgresSettings | None:
        """The settings of the read replica (the primary's, overridden by ``ro_*``), or ``None``."""
        if not self.has_replica:
            return None
        return attrs.evolve(
            self,
            host=self.ro_host if self.ro_host is not None else self.host,
            port=self.ro_port if self.ro_port is not None else self.port,
            user=self.ro_user if self.ro_user is not None else self.user,
            password=self.ro_password if self.ro_password is not None else self.password,
            database=self.ro_database if self.ro_database is not None else self.database,
            ssl=self.ro_ssl if self.ro_ssl is not None else self.ssl,
            pool_min_size=min(self.pool_min_size, self.ro_pool_max_size or self.pool_max_size),
            pool_max_size=self.ro_pool_max_size or self.pool_max_size,
            ro_host=None,
            ro_port=None,
            ro_user=None,
            ro_password=None,
            ro_database=None,
            ro_ssl=None,
            ro_pool_max_size=None,
        )

    @classmethod
    def from_dsn(cls, dsn: str | None = None, **overrides: Any) -> PostgresSettings:
        """Settings from a DSN, the environment and keyword overrides.

        Priority increases in that order. The DSN is ``postgresql://user:pass@host:port/db``
        with optional ``?schema=...&sslmode=...&sslrootcert=...&sslcert=...&sslkey=...``.

        Raises:
            ValueError: a malformed DSN or an unknown ``sslmode``.
        """
        values: dict[str, Any] = {}
        for name, conv in (
            ("host", str),
            ("port", int),
            ("user", str),
            ("password", str),
            ("database", str),
            ("schema", str),
            ("ssl", _parse_ssl),
            ("ssl_ca_file", str),
            ("ssl_cert_file", str),
            ("ssl_key_file", str),
            ("pool_min_size", int),
            ("pool_max_size", int),
            ("statement_timeout", float),
            ("connect_timeout", float),
            *_RO_SETTINGS,
        ):
            env = _env(name)
            if env is not None:
                values[name] = conv(env)
        if dsn:
            values.update(_parse_dsn(dsn))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def redacted_dsn(self) -> str:
        """A DSN for logs and messages, with the passwords masked."""
        auth = f"{self.user}:***@" if self.password else f"{self.user}@"
        dsn = f"postgresql://{auth}{self.host}:{self.port}/{self.database}"
        ro = self.replica()
        if ro is not None:
            dsn += f"?ro_host={ro.host}&ro_port={ro.port}"
        return dsn


def _parse_dsn(dsn: str) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(dsn)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError("a PostgreSQL DSN starts with postgresql://")
    out: dict[str, Any] = {}
    if parts.hostname:
        out["host"] = parts.hostname
    if parts.port:
        out["port"] = parts.port
    if parts.username:
        out["user"] = urllib.parse.unquote(parts.username)
    if parts.password is not None:
        out["password"] = urllib.parse.unquote(parts.password)
    db = parts.path.lstrip("/")
    if db:
        out["database"] = urllib.parse.unquote(db)
    query = urllib.parse.parse_qs(parts.query)
    if "schema" in query:
        out["schema"] = query["schema"][-1]
    if "sslmode" in query or "ssl" in query:
        out["ssl"] = _parse_ssl((query.get("sslmode") or query["ssl"])[-1])
    for param, name in (
        ("sslrootcert", "ssl_ca_file"),
        ("sslcert", "ssl_cert_file"),
        ("sslkey", "ssl_key_file"),
    ):
        if param in query:
            out[name] = query[param][-1]
    if "host" in query:  # postgresql:///db?host=/var/run/postgresql
        out["host"] = query["host"][-1]
    for name, conv in _RO_SETTINGS:
        if name in query:
            out[name] = conv(query[name][-1])
    return out


class PostgresConnector(PostgresMigrations):
    """kongdao's PostgreSQL backend. See :mod:`kongdao.connectors.postgres.strategy`."""

    name = STRATEGY
    capabilities = CAPABILITIES

    def __init__(self, settings: PostgresSettings) -> None:
        self.settings = settings
        self.strategies: dict[str, PostgresStrategy] = {}
        self._pool: Pool | None = None
        self._ssl_args: dict[PostgresSettings, Any] = {}
        self.replica: ReplicaRouter | None = None
        """The read-replica router (after :meth:`connect`, when ``ro_host`` is set)."""
        self.reads: Pool | ReplicaRouter = _NOT_CONNECTED
        """Where the strategies send plain reads: the router, or the primary's pool."""

    def __repr__(self) -> str:
        return f"<PostgresConnector {self.settings.redacted_dsn()}>"

    @property
    def pool(self) -> Pool:
        """The connection pool (after :meth:`connect`)."""
        if self._pool is None:
            from kongdao.errors import InterfaceError

            raise InterfaceError("the PostgreSQL connector is not connected")
        return self._pool

    def _ssl(self, s: PostgresSettings) -> Any:
        """The ``ssl`` argument of asyncpg: a context built once from the settings, or a mode."""
        cached = self._ssl_args.get(s, _UNSET)
        if cached is not _UNSET:
            return cached
        mode = s.ssl
        arg: Any
        if mode is False:
            arg = False  # not None: asyncpg reads None as libpq's default, "prefer"
        elif isinstance(mode, ssl_mod.SSLContext):
            arg = mode
        elif mode in ("allow", "prefer"):
            arg = mode  # asyncpg: TLS when the server offers it, unverified; else plain
        else:
            ctx = ssl_mod.create_default_context(cafile=s.ssl_ca_file)
            if mode == "require" and not s.ssl_ca_file:
                ctx.check_hostname = False
                ctx.verify_mode = ssl_mod.CERT_NONE
            elif mode in ("require", "verify-ca"):
                ctx.check_hostname = False
            if s.ssl_cert_file:
                ctx.load_cert_chain(s.ssl_cert_file, s.ssl_key_file)
            arg = ctx
        self._ssl_args[s] = arg
        return arg

    async def _open(self) -> asyncpg.Connection:
        return await self._open_to(self.settings)

    async def _open_replica(self, s: PostgresSettings) -> asyncpg.Connection:
        """A connection to the read replica; any failure says the replica is unavailable."""
        try:
            return await self._open_to(s)
        except Exception as exc:
            raise ReplicaUnavailableError(str(exc)) from None

    async def _open_to(self, s: PostgresSettings) -> asyncpg.Connection:
        try:
            ssl_arg = self._ssl(s)  # a missing or bad certificate file is a DATABASE_ERROR too
            conn = await asyncpg.connect(
                host=s.host,
                port=s.port,
                user=s.user,
                password=s.password,
                database=s.database,
                ssl=ssl_arg,
                timeout=s.connect_timeout,
                command_timeout=s.statement_timeout,
                statement_cache_size=1024,
                server_settings={"application_name": "kongdao"},
            )
        except Exception as exc:
            raise database_error(exc) from None
        await conn.set_type_codec(
            "uuid", encoder=str, decoder=str, schema="pg_catalog", format="text"
        )
        await conn.set_type_codec(
            "jsonb",
            encoder=_json_dumps,
            decoder=json.loads,
            schema="pg_catalog",
            format="text",
        )
        return conn

    async def connect(self) -> None:
        """Open the pool; raises DatabaseError when the server cannot be reached.

        With a read replica, its pool too; a replica that cannot be reached does not fail
        the connection: reads go to the primary until it answers (:mod:`.replica`).
        """
        if self._pool is not None:
            return
        s = self.settings
        pool = Pool(
            self._open,
            min_size=s.pool_min_size,
            max_size=s.pool_max_size,
            acquire_timeout=s.acquire_timeout,
        )
        await pool.start()
        self._pool = pool
        self.reads = pool
        ro = s.replica()
        if ro is None:
            return
        ro_pool = Pool(
            lambda: self._open_replica(ro),
            min_size=ro.pool_min_size,
            max_size=ro.pool_max_size,
            acquire_timeout=ro.acquire_timeout,
        )
        router = ReplicaRouter(
            pool, ro_pool, where=f"{ro.host}:{ro.port}", retry_interval=s.ro_retry_interval
        )
        try:
            await ro_pool.start()
        except Exception as exc:  # the primary serves the reads until the replica answers
            router.mark_down(exc)
        self.replica = router
        self.reads = router

    async def close(self) -> None:
        """Close the pools; idempotent."""
        pool, self._pool = self._pool, None
        router, self.replica = self.replica, None
        self.reads = _NOT_CONNECTED
        if router is not None:
            await router.replica.close()
        if pool is not None:
            await pool.close()

    async def infos(self) -> dict[str, Any]:
        """Kong's ``infos()``: strategy, database name and server version."""
        try:
            async with self.pool.acquire() as conn:
                version = await conn.fetchval("SHOW server_version")
        except Exception as exc:
            raise database_error(exc) from exc
        return {
            "strategy": "PostgreSQL",
            "db_name": self.settings.database,
            "db_schema": self.settings.schema,
            "db_desc": "database",
            "db_ver": str(version).split(" ")[0],
            "db_readonly": self.settings.has_replica,
        }

    async def truncate_all(self, strategies: Sequence[Any]) -> None:
        """Empty the tables of ``strategies`` in one ``TRUNCATE ... CASCADE`` statement.

        ``DB.truncate()`` uses it instead of one round trip per table.
        """
        tables = [s.table for s in strategies if isinstance(s, PostgresStrategy)]
        if not tables:
            return
        try:
            async with self.pool.acquire() as conn:
                await conn.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        except (asyncpg.PostgresError, OSError, TimeoutError) as exc:
            raise database_error(exc) from exc

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """``async with connector.transaction():`` every DAO call inside is one transaction.

        Commits when the block exits, rolls back everything when it raises (the declarative
        import uses it to be all-or-nothing). Calls inside must run one after the other, and
        read from the primary (they must see the transaction's writes).
        """
        return _on_primary(self.pool.pinned())

    def strategy_for(self, schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> Any:
        """Build (once) the strategy of ``schema``."""
        if schema.name == "tags":
            return PostgresTagsStrategy(self, schema, schemas)
        strategy = PostgresStrategy(self, schema, schemas)
        self.strategies[schema.name or ""] = strategy
        return strategy


@contextlib.asynccontextmanager
async def _on_primary(block: contextlib.AbstractAsyncContextManager[Any]) -> AsyncIterator[Any]:
    with use_primary():
        async with block as value:
            yield value


class _NotConnected:
    """``connector.reads`` before :meth:`PostgresConnector.connect`: says so on use."""

    def _fail(self) -> Any:
        from kongdao.errors import InterfaceError

        raise InterfaceError("the PostgreSQL connector is not connected")

    async def fetchrow(self, query: str, *args: Any) -> Any:
        self._fail()

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        return self._fail()  # type: ignore[no-any-return]


_NOT_CONNECTED: Any = _NotConnected()


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
