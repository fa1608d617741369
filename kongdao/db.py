"""The DB object: one connector, one DAO per entity, events, migrations, TTL cleanup.

Use :func:`connect`::

    db = await kongdao.connect("postgresql://kong@127.0.0.1/kong")
    await db.migrations.bootstrap()
    svc = await db.services.insert({"name": "mockbin", "url": "http://mockbin.org/request"})
    await db.close()

    async with kongdao.connect("postgresql://kong@127.0.0.1/kong") as db:
        ...

Nothing is global: two DBs in one process (even on different databases) are independent.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
from collections.abc import Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kongdao import errors
from kongdao import plugins as plugin_registry
from kongdao.dao import DAO
from kongdao.dao.typed import (
    DAO_CLASSES,
    AclsDAO,
    AcmeStorageDAO,
    BasicauthCredentialsDAO,
    CaCertificatesDAO,
    CertificatesDAO,
    ConsumersDAO,
    HmacauthCredentialsDAO,
    JwtSecretsDAO,
    KeyauthCredentialsDAO,
    Oauth2AuthorizationCodesDAO,
    Oauth2CredentialsDAO,
    Oauth2TokensDAO,
    PluginsDAO,
    RoutesDAO,
    ServicesDAO,
    SessionsDAO,
    SnisDAO,
    TagsDAO,
    TargetsDAO,
    UpstreamsDAO,
    WorkspacesDAO,
)
from kongdao.errors import InterfaceError, KongDAOError
from kongdao.events import Events
from kongdao.registry import connector_from_dsn
from kongdao.routing import use_primary
from kongdao.schema.entity import Entity, EntitySchema
from kongdao.workspaces import DEFAULT_WORKSPACE, DEFAULT_WORKSPACE_ID, is_uuid, use_workspace

if TYPE_CHECKING:
    from kongdao.connector import Connector
    from kongdao.legacy import LegacyFactory
    from kongdao.migrations import Subsystem
    from kongdao.migrations.runner import Migrations
    from kongdao.plugins import PluginRef, PluginSpec

__all__ = ["DB", "DBState", "connect"]

log = logging.getLogger("kongdao")

DEFAULT_DSN = "postgresql://kong@127.0.0.1:5432/kong"


class DBState(enum.Enum):
    """The lifecycle of a :class:`DB`."""

    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"


class DB:
    """A connected datastore, with one DAO per entity.

    ``db.services``, ``db.routes``, ``db.consumers``, ``db.plugins``, ``db.tags`` and the DAOs
    of plugin entities (``db.<entity name>``).

    Build it with :func:`connect`. ``db.events`` delivers CRUD events, ``db.migrations`` runs
    migrations, ``await db.close()`` releases everything.

    .. versionadded:: 0.1
    """

    workspaces: WorkspacesDAO
    services: ServicesDAO
    routes: RoutesDAO
    consumers: ConsumersDAO
    plugins: PluginsDAO
    tags: TagsDAO
    certificates: CertificatesDAO
    ca_certificates: CaCertificatesDAO
    snis: SnisDAO
    upstreams: UpstreamsDAO
    targets: TargetsDAO
    # the bundled plugins' entities: present when their plugin is enabled
    keyauth_credentials: KeyauthCredentialsDAO
    basicauth_credentials: BasicauthCredentialsDAO
    acls: AclsDAO
    jwt_secrets: JwtSecretsDAO
    hmacauth_credentials: HmacauthCredentialsDAO
    oauth2_credentials: Oauth2CredentialsDAO
    oauth2_authorization_codes: Oauth2AuthorizationCodesDAO
    oauth2_tokens: Oauth2TokensDAO
    sessions: SessionsDAO
    acme_storage: AcmeStorageDAO

    def __init__(
        self,
        connector: Connector,
        *,
        plugins: Iterable[PluginRef] | None = None,
        entities: Iterable[type[Entity]] = (),
        ttl_cleanup_interval: float | None = 60.0,
        check_migrations: bool = True,
    ) -> None:
        self.connector = connector
        self.events = Events()
        self.state = DBState.NEW
        specs = plugin_registry.resolve(plugins)
        self.loaded_plugins: Mapping[str, PluginSpec] = {spec.name: spec for spec in specs}
        self.enabled_plugins: tuple[str, ...] = tuple(self.loaded_plugins)
        self.schemas: Mapping[str, EntitySchema] = plugin_registry.assemble_schemas(specs, entities)
        self.daos: dict[str, DAO[Any]] = {}
        self._ttl_interval = ttl_cleanup_interval
        self._ttl_task: asyncio.Task[None] | None = None
        self._migrations: Migrations | None = None
        self._check_migrations = check_migrations
        self.default_workspace_id: str = DEFAULT_WORKSPACE_ID
        """The id of the ``default`` workspace (read from the database when the DB opens)."""
        self._workspace_ids: dict[str, str] = {}

    def _plugin_dao_class(self, name: str) -> type[DAO[Any]] | None:
        for spec in self.loaded_plugins.values():
            cls = spec.dao_class(name)
            if cls is not None:
                if not issubclass(cls, DAO):
                    raise TypeError(f"plugin '{spec.name}': the DAO of '{name}' is not a DAO")
                return cls
        return None

    def __repr__(self) -> str:
        return f"<DB {self.connector!r} {self.state.value}>"

    # -- lifecycle ------------------------------------------------------------------------

    async def open(self) -> DB:
        """Connect and build the DAOs (called by :func:`connect`)."""
        if self.state is DBState.CLOSED:
            raise InterfaceError("cannot reopen a closed DB")
        if self.state is DBState.OPEN:
            return self
        await self.connector.connect()
        if self._check_migrations:
            try:
                (await self.migrations.state()).check()
            except BaseException:
                await self.connector.close()
                raise
        for name, schema in self.schemas.items():
            strategy = self.connector.strategy_for(schema, self.schemas)
            dao_class = DAO_CLASSES.get(name) or self._plugin_dao_class(name) or DAO
            dao: DAO[Any] = dao_class(self, schema, strategy)
            self.daos[name] = dao
            setattr(self, name, dao)
        self.state = DBState.OPEN
        await self._load_default_workspace()
        if (
            self._ttl_interval
            and not self.connector.capabilities.native_ttl
            and any(s.ttl for s in self.schemas.values())
        ):
            self._ttl_task = asyncio.get_running_loop().create_task(self._ttl_loop())
        return self

    async def close(self) -> None:
        """Stop the TTL cleanup and close every connection; idempotent."""
        if self.state is DBState.CLOSED:
            return
        self.state = DBState.CLOSED
        task, self._ttl_task = self._ttl_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.connector.close()

    async def __aenter__(self) -> DB:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __getattr__(self, name: str) -> DAO[Any]:
        daos = self.__dict__.get("daos")
        if daos is not None and name in daos:
            return daos[name]  # type: ignore[no-any-return]
        raise AttributeError(name)

    # -- workspaces --------------------------------------------------------------------------

    async def _load_default_workspace(self) -> None:
        """Read the id of the ``default`` workspace (Kong's ``kong.default_workspace``).

        A database not migrated yet (the migrations tools open DBs before ``bootstrap``) keeps
        the id the migrations will give it.
        """
        dao = self.daos.get("workspaces")
        if dao is None:
            return
        try:
            row = await dao.strategy.select_by_field("name", DEFAULT_WORKSPACE)
        except KongDAOError:
            return
        if row is not None:
            self.default_workspace_id = str(row["id"])

    def _forget_workspaces(self) -> None:
        """Drop cached workspace names (a workspace was renamed or deleted)."""
        self._workspace_ids.clear()

    async def resolve_workspace(
        self, workspace: str, *, must_exist: bool = False, strategy: str | None = None
    ) -> str:
        """The id of a workspace given by id or name (Kong's ``workspace`` option).

        An id is taken as given unless ``must_exist`` (a write into a workspace that does not
        exist then fails with INVALID_WORKSPACE); a name is looked up once and cached.

        Raises:
            InvalidOptions: ``workspace: invalid workspace``: no workspace has this name (or,
                with ``must_exist``, this id).
        """
        if is_uuid(workspace):
            ws_id = workspace.lower()
            if must_exist and ws_id != self.default_workspace_id:
                dao = self.daos.get("workspaces")
                if dao is None or await dao.strategy.select({"id": ws_id}) is None:
                    raise errors.invalid_options(
                        {"workspace": "invalid workspace"}, strategy=strategy
                    )
            return ws_id
        cached = self._workspace_ids.get(workspace)
        if cached is not None:
            return cached
        dao = self.daos.get("workspaces")
        name_field = None if dao is None else dao.schema.field_map.get("name")
        # a name no workspace can have (NUL, invalid UTF-8, a core entity's name) is an invalid
        # option, not a DATABASE_ERROR from the lookup
        if (
            dao is not None
            and name_field is not None
            and dao.schema.validate_field(name_field, workspace) is not None
        ):
            raise errors.invalid_options({"workspace": "invalid workspace"}, strategy=strategy)
        row = None if dao is None else await dao.strategy.select_by_field("name", workspace)
        if row is None and workspace == DEFAULT_WORKSPACE:
            # DB-less: a declarative configuration is the default workspace, with no row
            return self.default_workspace_id
        if row is None:
            raise errors.invalid_options({"workspace": "invalid workspace"}, strategy=strategy)
        ws_id = str(row["id"])
        self._workspace_ids[workspace] = ws_id
        return ws_id

    def use_workspace(self, workspace: str) -> contextlib.AbstractAsyncContextManager[str]:
        """``async with db.use_workspace("team-a"):`` calls inside work in that workspace.

        See :func:`kongdao.workspaces.use_workspace`.
        """
        return use_workspace(self, workspace)

    def use_primary(self) -> contextlib.AbstractContextManager[None]:
        """``with db.use_primary():`` reads inside the block go to the primary.

        Read-your-writes for a whole block when the connector has read replicas (PostgreSQL's
        ``ro_host``); a no-op otherwise. One call: the ``primary=True`` option of the read
        methods. See :mod:`kongdao.routing`.
        """
        return use_primary()

    # -- facilities --------------------------------------------------------------------------

    @property
    def dao(self) -> LegacyFactory:
        """The legacy Kong 0.13 DAO factory over this DB (``db.dao.plugins.find_all(...)``).

        See :mod:`kongdao.legacy`; built on first use.
        """
        factory: LegacyFactory | None = self.__dict__.get("_legacy_dao")
        if factory is None:
            from kongdao.legacy import LegacyFactory

            factory = self.__dict__.setdefault("_legacy_dao", LegacyFactory(self))
        return factory

    @property
    def subsystems(self) -> tuple[Subsystem, ...]:
        """The migration subsystems: ``core``, then each enabled plugin's, alphabetically."""
        from kongdao.migrations.core import CORE

        plugins = sorted(
            (spec.subsystem for spec in self.loaded_plugins.values() if spec.subsystem),
            key=lambda subsystem: subsystem.name,
        )
        return (CORE, *plugins)

    @property
    def migrations(self) -> Migrations:
        """The migrations runner for core and the enabled plugins' subsystems."""
        if self._migrations is None:
            from kongdao.migrations.runner import Migrations

            self._migrations = Migrations(self.connector, self.subsystems)
        return self._migrations

    async def infos(self) -> dict[str, Any]:
        """Facts about the database server (Kong's ``infos()``)."""
        return await self.connector.infos()

    async def truncate(self, table: str | None = None) -> None:
        """Truncate one entity's table, or every table (children first).

        Truncating everything keeps the ``default`` workspace (with its id) and removes the
        others, as Kong's truncate re-creates ``default``; ``truncate("workspaces")`` alone
        does the same to the workspaces table (it fails while other workspaces hold entities).
        """
        truncate_all = getattr(self.connector, "truncate_all", None)
        ws_dao = self.daos.get("workspaces")
        if table is None and truncate_all is not None:
            await truncate_all(
                [dao.strategy for name, dao in self.daos.items() if name != "workspaces"]
            )
        elif table is None or table != "workspaces":
            names: Sequence[str] = [table] if table else list(reversed(list(self.daos)))
            for name in names:
                if name != "workspaces":
                    await self.daos[name].truncate()
        if ws_dao is not None and table in (None, "workspaces"):
            await ws_dao.keep_only_default()

    async def cleanup_expired(self) -> int:
        """Delete expired rows now (children first); the number of rows deleted."""
        total = 0
        for name in reversed(list(self.daos)):
            strategy = self.daos[name].strategy
            delete_expired = getattr(strategy, "delete_expired", None)
            if delete_expired is not None and self.schemas[name].ttl:
                total += await delete_expired()
        return total

    async def _ttl_loop(self) -> None:
        assert self._ttl_interval is not None
        while True:
            await asyncio.sleep(self._ttl_interval)
            try:
                n = await self.cleanup_expired()
                if n:
                    log.debug("ttl cleanup deleted %d expired rows", n)
            except KongDAOError as exc:
                log.warning("ttl cleanup failed: %s", exc)


def _is_rows(config: Any) -> bool:
    # the off connector also takes rows by entity name (no "_format_version")
    return isinstance(config, Mapping) and "_format_version" not in config


class _Connect:
    """What :func:`connect` returns: await it, or use it as an async context manager."""

    def __init__(self, db: DB) -> None:
        self._db = db

    def __await__(self) -> Generator[Any, None, DB]:
        return self._db.open().__await__()

    async def __aenter__(self) -> DB:
        return await self._db.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._db.close()


def connect(
    dsn: str | None = None,
    *,
    plugins: Iterable[PluginRef] | None = None,
    entities: Iterable[type[Entity]] = (),
    ttl_cleanup_interval: float | None = 60.0,
    check_migrations: bool = True,
    **settings: Any,
) -> _Connect:
    """Connect to a database and return a :class:`DB` (await it or ``async with`` it).

    Args:
        dsn: ``postgresql://user:password@host:port/database?schema=...``,
            ``cassandra://host1,host2:9042/keyspace``, or ``"off"`` (DB-less: serve the
            declarative file given as ``declarative_config=``, read-only; see
            :mod:`kongdao.connectors.off`): a path, YAML/JSON text or a loaded document,
            read with the enabled plugins when ``connect()`` is called. Defaults to
            ``$KONGDAO_DSN``, then to PostgreSQL settings from ``KONGDAO_PG_*`` variables, then
            to ``postgresql://kong@127.0.0.1:5432/kong`` when a server answers there, else to an
            embedded PostgreSQL (``pip install 'kongdao[embedded]'``; see
            :mod:`kongdao.embedded`), stopped when the last DB using it closes.
        plugins: the enabled plugins (Kong's ``plugins`` property): names, specs or modules
            (see :mod:`kongdao.plugins`); ``"bundled"`` is every bundled plugin, ``["off"]``
            none; default: ``$KONGDAO_PLUGINS`` (comma-separated), then every bundled one.
            Their entities get DAOs (``db.acls``) and their
            migrations run after core's.
        entities: extra entity classes to serve besides the core and plugin ones (their tables
            come from elsewhere: a plugin brings entities with their migrations).
        ttl_cleanup_interval: seconds between deletions of expired rows (``None``: never) on
            databases without native TTL.
        check_migrations: refuse to open a database that needs bootstrapping or has new
            migrations of core or of an enabled plugin (Kong's start-up check); ``False`` for
            tools that run the migrations themselves.
        **settings: connector settings overriding the DSN (``host``, ``port``, ``user``,
            ``password``, ``database``, ``schema``, ``ssl``, ``pool_min_size``, ``pool_max_size``,
            ``statement_timeout``, ``connect_timeout``...).

    Raises:
        DatabaseError: the database cannot be reached (when awaited).
        MigrationError: ``check_migrations`` and the database is not up to date (when awaited):
            ``New migrations available; run 'kongdao migrations up' to proceed (new: acl:
            000_base_acl)``.
        ValueError: the DSN names an unknown connector or plugin, or two entities share a
            name.
    """
    unset = dsn is None and not os.environ.get("KONGDAO_DSN")
    if dsn is None:
        dsn = os.environ.get("KONGDAO_DSN") or DEFAULT_DSN
    if dsn == "off":
        dsn = "off://"
    config = settings.get("declarative_config")
    if dsn.startswith("off:") and config is not None:
        from kongdao import declarative

        if not isinstance(config, declarative.DeclarativeConfig) and not _is_rows(config):
            # a file, text or loaded document: read with the plugins this DB enables
            settings["declarative_config"] = declarative.parse(
                config, plugins=plugin_registry.resolve(plugins), entities=entities
            )
    if plugins is None and os.environ.get("KONGDAO_PLUGINS"):
        plugins = [p.strip() for p in os.environ["KONGDAO_PLUGINS"].split(",") if p.strip()]
    connector: Connector | None = None
    if unset:
        from kongdao import embedded  # imports asyncpg, as the default DSN does

        if embedded.applies(settings):  # no KONGDAO_PG_* nor host/port/user/... keyword
            connector = embedded.default_connector(**settings)
    if connector is None:
        connector = connector_from_dsn(dsn, **settings)
    return _Connect(
        DB(
            connector,
            plugins=plugins,
            entities=entities,
            ttl_cleanup_interval=ttl_cleanup_interval,
            check_migrations=check_migrations,
        )
    )
