"""``SyncDB``: a blocking facade over one async :class:`~kongdao.db.DB` and its portal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from kongdao.sync.dao import SyncAnyDAO, SyncDAO, SyncLegacyFactory
from kongdao.sync.portal import Portal, PortalState, check_caller
from kongdao.sync.typed import (
    SYNC_DAO_CLASSES,
    SyncAclsDAO,
    SyncAcmeStorageDAO,
    SyncBasicauthCredentialsDAO,
    SyncCaCertificatesDAO,
    SyncCertificatesDAO,
    SyncConsumersDAO,
    SyncHmacauthCredentialsDAO,
    SyncJwtSecretsDAO,
    SyncKeyauthCredentialsDAO,
    SyncOauth2AuthorizationCodesDAO,
    SyncOauth2CredentialsDAO,
    SyncOauth2TokensDAO,
    SyncPluginsDAO,
    SyncRoutesDAO,
    SyncServicesDAO,
    SyncSessionsDAO,
    SyncSnisDAO,
    SyncTagsDAO,
    SyncTargetsDAO,
    SyncUpstreamsDAO,
)

if TYPE_CHECKING:
    from kongdao.db import DB

__all__ = ["SyncDB", "connect"]

P = ParamSpec("P")
T = TypeVar("T")


class SyncDB:
    """A connected datastore for blocking code; build it with :func:`connect`.

    ``sync_db.services``, ``.routes``, ``.consumers``, ``.plugins``, ``.tags`` (and the DAOs of
    plugin entities, ``sync_db.<entity>``) have the methods of the async DAOs, blocking: same
    arguments, same return values, same exceptions. ``sync_db.dao`` is the legacy 0.13 factory
    (:mod:`kongdao.legacy`), blocking too. Every call runs on one event loop in a background
    thread (the portal); any number of threads may call at once.

    Close it with :meth:`close` or a ``with`` block: calls in flight get ``timeout`` seconds to
    finish, the rest fail with :class:`~kongdao.errors.InterfaceError`, the pool is closed and
    the thread joined. Calling from a thread that runs an event loop raises
    :class:`~kongdao.errors.InterfaceError` (await :attr:`async_db` there instead).

    .. versionadded:: 0.1
    """

    services: SyncServicesDAO
    routes: SyncRoutesDAO
    consumers: SyncConsumersDAO
    plugins: SyncPluginsDAO
    tags: SyncTagsDAO
    certificates: SyncCertificatesDAO
    ca_certificates: SyncCaCertificatesDAO
    snis: SyncSnisDAO
    upstreams: SyncUpstreamsDAO
    targets: SyncTargetsDAO
    # the bundled plugins' entities: present when their plugin is enabled
    keyauth_credentials: SyncKeyauthCredentialsDAO
    basicauth_credentials: SyncBasicauthCredentialsDAO
    acls: SyncAclsDAO
    jwt_secrets: SyncJwtSecretsDAO
    hmacauth_credentials: SyncHmacauthCredentialsDAO
    oauth2_credentials: SyncOauth2CredentialsDAO
    oauth2_authorization_codes: SyncOauth2AuthorizationCodesDAO
    oauth2_tokens: SyncOauth2TokensDAO
    sessions: SyncSessionsDAO
    acme_storage: SyncAcmeStorageDAO

    def __init__(self, portal: Portal, db: DB) -> None:
        self._portal = portal
        self._db = db
        portal.finalizer = db.close
        daos: dict[str, SyncDAO[Any]] = {}
        for name, dao in db.daos.items():
            cls = SYNC_DAO_CLASSES.get(name, SyncAnyDAO)
            daos[name] = cls(portal, dao)
        self.daos: Mapping[str, SyncDAO[Any]] = daos
        self.services = cast(SyncServicesDAO, daos["services"])
        self.routes = cast(SyncRoutesDAO, daos["routes"])
        self.consumers = cast(SyncConsumersDAO, daos["consumers"])
        self.plugins = cast(SyncPluginsDAO, daos["plugins"])
        self.tags = cast(SyncTagsDAO, daos["tags"])
        self._legacy: SyncLegacyFactory | None = None

    def __repr__(self) -> str:
        return f"<SyncDB {self._db.connector!r} {self.state.value}>"

    def __getattr__(self, name: str) -> SyncAnyDAO[Any]:
        daos = self.__dict__.get("daos")
        if daos is not None and name in daos:
            return cast("SyncAnyDAO[Any]", daos[name])
        raise AttributeError(name)

    @property
    def async_db(self) -> DB:
        """The async DB behind this one (await it only on the sync DB's loop: see :meth:`run`)."""
        return self._db

    @property
    def dao(self) -> SyncLegacyFactory:
        """The legacy 0.13 DAO factory, blocking (``sync_db.dao.plugins.find_all(...)``)."""
        if self._legacy is None:
            self._legacy = SyncLegacyFactory(self._portal, self._db.dao)
        return self._legacy

    @property
    def state(self) -> PortalState:
        """``open``, ``closing`` or ``closed``."""
        return self._portal.state

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has started."""
        return self._portal.state in (PortalState.CLOSING, PortalState.CLOSED)

    def run(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``await fn(*args, **kwargs)`` on the sync DB's event loop; block for the result.

        For what the facade does not wrap, e.g.
        ``sync_db.run(sync_db.async_db.migrations.up)``.

        Raises:
            InterfaceError: the sync DB is closed, or the caller runs an event loop.
        """
        return self._portal.call(fn, *args, **kwargs)

    def infos(self) -> dict[str, Any]:
        """See :meth:`kongdao.db.DB.infos`."""
        return self._portal.call(self._db.infos)

    def truncate(self, table: str | None = None) -> None:
        """See :meth:`kongdao.db.DB.truncate`."""
        self._portal.call(self._db.truncate, table)

    def cleanup_expired(self) -> int:
        """See :meth:`kongdao.db.DB.cleanup_expired`."""
        return self._portal.call(self._db.cleanup_expired)

    def close(self, *, timeout: float = 5.0) -> None:
        """Close the DB and stop its thread; idempotent.

        New calls are refused at once; calls in flight get ``timeout`` seconds to finish, then
        fail with :class:`~kongdao.errors.InterfaceError` (a write may or may not have happened).

        Raises:
            InterfaceError: called from a thread that runs an event loop.
        """
        self._portal.close(timeout=timeout)

    def __enter__(self) -> SyncDB:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def _open(dsn: str | None, settings: dict[str, Any]) -> DB:
    import kongdao

    return await kongdao.connect(dsn, **settings)


def connect(dsn: str | None = None, **settings: Any) -> SyncDB:
    """Connect, blocking, and return a :class:`SyncDB` (also a context manager).

    Starts the portal thread, then runs :func:`kongdao.connect` on its loop. Takes the
    arguments of :func:`kongdao.connect` (``plugins=``, ``entities=``,
    ``ttl_cleanup_interval=``, connector settings such as ``pool_max_size=``).

    Raises:
        DatabaseError: the database cannot be reached (no thread is left behind).
        InterfaceError: called from a thread that runs an event loop.
    """
    check_caller("kongdao.sync.connect()")
    portal = Portal()
    portal.start()
    try:
        db = portal.call(_open, dsn, settings)
    except BaseException:
        portal.close(timeout=0)
        raise
    return SyncDB(portal, db)
