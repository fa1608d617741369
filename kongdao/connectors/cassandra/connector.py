"""The Cassandra connector (acsylla): settings, session lifecycle and strategies.

One acsylla session per connector (the C++ driver pools connections per host and routes each
request to a replica of its partition). Statements are prepared lazily, once per session; see
:mod:`.statement`. The migration and lock methods live in :mod:`.migrate`.

Protocol version: the driver does not downgrade from a version the server refuses, so it is a
setting. The default, 4, is right for Cassandra 3.x to 5.x and ScyllaDB; Cassandra 2.1 and 2.2
need 3 (``cassandra://host/keyspace?protocol_version=3`` or
``KONGDAO_CASSANDRA_PROTOCOL_VERSION=3``). A wrong version fails ``connect()`` at once with a
:class:`~kongdao.errors.DatabaseError` that says so.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import acsylla
import attrs

from kongdao import errors
from kongdao.connector import Capabilities
from kongdao.connectors.cassandra.errors import STRATEGY, database_error, redact
from kongdao.connectors.cassandra.migrate import CassandraMigrations
from kongdao.connectors.cassandra.model import check_table_name, quote_ident
from kongdao.connectors.cassandra.offsets import OffsetCodec
from kongdao.connectors.cassandra.statement import Stmt
from kongdao.connectors.cassandra.strategy import CassandraStrategy, truncate_tables
from kongdao.connectors.cassandra.tags import CassandraTagsStrategy
from kongdao.schema.entity import EntitySchema

__all__ = ["CAPABILITIES", "CassandraConnector", "CassandraSettings"]

log = logging.getLogger("kongdao.cassandra")

CAPABILITIES = Capabilities(
    transactions=False,
    # Lightweight transactions on the lookup tables make uniqueness race-free.
    enforces_unique=True,
    enforces_foreign_keys=False,
    atomic_cascade=False,
    native_ttl=True,
    paging_state=True,
    ordered_pages=False,
    count=False,
)

_ENV_PREFIX: Final = "KONGDAO_CASSANDRA_"
_CONSISTENCIES: Final = frozenset(c.name for c in acsylla.Consistency)
_SERIALS: Final = frozenset(("SERIAL", "LOCAL_SERIAL"))
_PROTOCOLS: Final = (3, 4)
_STRATEGIES: Final = ("SimpleStrategy", "NetworkTopologyStrategy")
_TRUE: Final = frozenset(("1", "true", "yes", "on"))
_FALSE: Final = frozenset(("0", "false", "no", "off", ""))


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        raise ValueError(f"not a boolean: {value!r}")
    return bool(value)


def _split_host(item: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    item = item.strip()
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    if item.count(":") == 1:
        host, _, port = item.partition(":")
        return host, int(port)
    return item, None


def _hosts(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    hosts = tuple(_split_host(str(i))[0] for i in items if str(i).strip())
    if not hosts:
        raise ValueError("contact_points must name at least one host")
    return hosts


def _hosts_port(value: str) -> int | None:
    ports = {p for _, p in (_split_host(i) for i in value.split(",") if i.strip())}
    ports.discard(None)
    if len(ports) > 1:
        raise ValueError("every contact point must use the same port")
    return ports.pop() if ports else None


def _data_centers(value: Any) -> tuple[tuple[str, int], ...]:
    """``"dc1:2,dc2:3"`` (Kong's ``cassandra_data_centers``), a mapping, or pairs."""
    if isinstance(value, str):
        pairs = []
        for item in value.split(","):
            if not item.strip():
                continue
            name, sep, n = item.strip().rpartition(":")
            if not sep or not name:
                raise ValueError(f"invalid data centre {item!r}: expected <name>:<replicas>")
            pairs.append((name, int(n)))
        return tuple(pairs)
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), int(v)) for k, v in items)


def _upper(value: Any) -> str:
    return str(value).strip().upper()


def _opt_upper(value: Any) -> str | None:
    return None if value is None or value == "" else _upper(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


@attrs.frozen(kw_only=True)
class CassandraSettings:
    """How to reach Cassandra. The password never appears in ``repr`` or errors.

    Every setting falls back to the environment (``KONGDAO_CASSANDRA_<SETTING>``, e.g.
    ``KONGDAO_CASSANDRA_PROTOCOL_VERSION``; contact points also as ``KONGDAO_CASSANDRA_HOSTS``),
    then to the defaults below (Kong's where Kong has one).

    Args:
        contact_points: Hosts to connect to first (the driver discovers the others).
        port: The native protocol port of every node.
        keyspace: The keyspace holding kongdao's tables.
        username: For password authentication.
        password: For password authentication.
        protocol_version: Native protocol version: 4 for Cassandra 3.x-5.x and ScyllaDB (the
            default), 3 for Cassandra 2.1 and 2.2.
        replication_strategy: ``SimpleStrategy`` or ``NetworkTopologyStrategy``, used when
            ``bootstrap`` creates the keyspace.
        replication_factor: Replicas of each row with ``SimpleStrategy``.
        data_centers: ``(name, replicas)`` pairs for ``NetworkTopologyStrategy``
            (``"dc1:2,dc2:3"`` in a DSN or the environment).
        local_dc: The local data centre: requests go to its nodes first, and lightweight
            transactions default to ``LOCAL_SERIAL``.
        token_aware_routing: Send each request whose partition key is bound (every
            statement of kongdao's strategies) straight to a replica of that partition, which
            saves the coordinator a network hop. Turn it off only to compare.
        read_consistency: Consistency of reads (Kong: ``ONE``).
        write_consistency: Consistency of writes (Kong: ``ONE``).
        serial_consistency: Consistency of lightweight transactions: ``SERIAL``, or
            ``LOCAL_SERIAL`` (the default when ``local_dc`` is set).
        request_timeout: Seconds a request may take.
        connect_timeout: Seconds to connect to a node.
        reconnect_delay: Seconds before the driver first tries to reconnect to a node it lost;
            the wait doubles after each failed attempt, up to ``reconnect_max_delay``.
        reconnect_max_delay: The longest wait between two reconnection attempts, which bounds
            how long calls keep failing after a node is back (the driver's own default is 60).
        schema_consensus_timeout: Seconds to wait for every node to agree on the schema after
            DDL (Kong: 10).
        ddl_timeout: Seconds one DDL statement may take (dropping a keyspace of many tables
            flushes each; Kong's migrations allow 60).
        claim_grace: Seconds before a unique-value claim whose holder row is missing counts as
            abandoned (a writer that crashed between claiming and writing) and may be taken
            over; a writer slower than this between its claim and its row write could lose
            the claim.
        offset_secret: Makes page offsets unforgeable (a keyed MAC instead of a checksum; see
            :mod:`.offsets`); give every node the same one. Never shown in ``repr``.
        ssl: Encrypt connections.
        ssl_verify: Verify the server certificate (needs ``ssl_ca_file``).
        ssl_ca_file: PEM file of the certificate authority to trust.
        ssl_cert_file: PEM client certificate, for nodes that require one
            (``require_client_auth``).
        ssl_key_file: its private key (PEM).
        ssl_key_password: the private key's password; never shown in ``repr`` or errors.
        retry_policy: The driver's retry policy: ``default`` or ``fallthrough`` (never retry;
            the server's error as is). ``default`` also marks statements idempotent, so that a
            request in flight on a lost connection is sent to another node.
        connections_per_host: Connections per node and I/O thread.
        io_threads: Driver I/O threads.
        driver_log_level: Level of the driver's own log (to the ``acsylla`` logger).
    """

    contact_points: tuple[str, ...] = attrs.field(default=("127.0.0.1",), converter=_hosts)
    port: int = attrs.field(default=9042, converter=int)
    keyspace: str = "kong"
    username: str | None = attrs.field(default=None, converter=_opt_str)
    password: str | None = attrs.field(default=None, repr=False, converter=_opt_str)
    protocol_version: int = attrs.field(default=4, converter=int)
    replication_strategy: str = "SimpleStrategy"
    replication_factor: int = attrs.field(default=1, converter=int)
    data_centers: tuple[tuple[str, int], ...] = attrs.field(default=(), converter=_data_centers)
    local_dc: str | None = attrs.field(default=None, converter=_opt_str)
    token_aware_routing: bool = attrs.field(default=True, converter=_bool)
    read_consistency: str = attrs.field(default="ONE", converter=_upper)
    write_consistency: str = attrs.field(default="ONE", converter=_upper)
    serial_consistency: str | None = attrs.field(default=None, converter=_opt_upper)
    request_timeout: float = attrs.field(default=10.0, converter=float)
    connect_timeout: float = attrs.field(default=5.0, converter=float)
    reconnect_delay: float = attrs.field(default=1.0, converter=float)
    reconnect_max_delay: float = attrs.field(default=10.0, converter=float)
    schema_consensus_timeout: float = attrs.field(default=10.0, converter=float)
    ddl_timeout: float = attrs.field(default=60.0, converter=float)
    claim_grace: float = attrs.field(default=30.0, converter=float)
    offset_secret: str | None = attrs.field(default=None, repr=False, converter=_opt_str)
    ssl: bool = attrs.field(default=False, converter=_bool)
    ssl_verify: bool = attrs.field(default=True, converter=_bool)
    ssl_ca_file: str | None = attrs.field(default=None, converter=_opt_str)
    ssl_cert_file: str | None = attrs.field(default=None, converter=_opt_str)
    ssl_key_file: str | None = attrs.field(default=None, converter=_opt_str)
    ssl_key_password: str | None = attrs.field(default=None, repr=False, converter=_opt_str)
    retry_policy: str = "default"
    connections_per_host: int = attrs.field(default=1, converter=int)
    io_threads: int = attrs.field(default=1, converter=int)
    driver_log_level: str = "error"

    def __attrs_post_init__(self) -> None:
        check_table_name(self.keyspace, "keyspace")
        if self.protocol_version not in _PROTOCOLS:
            raise ValueError(
                "protocol_version must be 3 (Cassandra 2.1, 2.2) or 4 (Cassandra 3.x-5.x, "
                f"ScyllaDB), not {self.protocol_version}"
            )
        for name in ("read_consistency", "write_consistency"):
            if getattr(self, name) not in _CONSISTENCIES:
                raise ValueError(f"{name}: unknown consistency level {getattr(self, name)!r}")
        if self.serial_consistency is not None and self.serial_consistency not in _SERIALS:
            raise ValueError("serial_consistency must be SERIAL or LOCAL_SERIAL")
        if self.replication_strategy not in _STRATEGIES:
            raise ValueError(f"replication_strategy must be one of {', '.join(_STRATEGIES)}")
        if self.replication_strategy == "NetworkTopologyStrategy" and not self.data_centers:
            raise ValueError("NetworkTopologyStrategy needs data_centers, e.g. 'dc1:2,dc2:3'")
        if self.replication_factor < 1 or any(n < 1 for _, n in self.data_centers):
            raise ValueError("replication factors must be at least 1")
        if self.retry_policy not in ("default", "fallthrough"):
            raise ValueError("retry_policy must be 'default' or 'fallthrough'")
        if not 0 < self.port < 65536:
            raise ValueError(f"invalid port {self.port}")
        if not 0 < self.reconnect_delay <= self.reconnect_max_delay:
            raise ValueError(
                "reconnect delays must satisfy 0 < reconnect_delay <= reconnect_max_delay"
            )

    @property
    def effective_serial_consistency(self) -> str:
        """The serial consistency in use (``LOCAL_SERIAL`` with a local data centre)."""
        if self.serial_consistency is not None:
            return self.serial_consistency
        return "LOCAL_SERIAL" if self.local_dc else "SERIAL"

    @classmethod
    def from_dsn(cls, dsn: str | None = None, **overrides: Any) -> CassandraSettings:
        """Settings from a DSN, the environment and keyword overrides.

        Priority increases in that order. The DSN is
        ``cassandra://[user[:password]@]host1[:port][,host2...]/keyspace?setting=value&...``
        where any setting may be given in the query string (``protocol_version=3``,
        ``replication_factor=3``, ``data_centers=dc1:2,dc2:3``, ``local_dc=dc1``,
        ``read_consistency=QUORUM``...).

        ``statement_timeout`` (what ``kongdao migrations --db-timeout`` passes) sets
        ``request_timeout``, ``schema_consensus_timeout`` and ``ddl_timeout``, as Kong's
        ``--db-timeout`` does.

        Raises:
            ValueError: a malformed DSN or an invalid setting.
            TypeError: an unknown setting.
        """
        values: dict[str, Any] = {}
        known = {a.name for a in attrs.fields(cls)}
        for name in sorted(known):
            env = os.environ.get(_ENV_PREFIX + name.upper())
            if env is not None:
                values[name] = env
        hosts_env = os.environ.get(_ENV_PREFIX + "HOSTS")
        if hosts_env and "contact_points" not in values:
            values["contact_points"] = hosts_env
            port = _hosts_port(hosts_env)
            if port is not None and "port" not in values:
                values["port"] = port
        if dsn:
            values.update(_parse_dsn(dsn, known))
        overrides = {k: v for k, v in overrides.items() if v is not None}
        timeout = overrides.pop("statement_timeout", None)
        if timeout is not None:
            overrides.setdefault("request_timeout", timeout)
            overrides.setdefault("schema_consensus_timeout", timeout)
            overrides.setdefault("ddl_timeout", timeout)
        for alias, name in (("hosts", "contact_points"), ("user", "username")):
            if alias in overrides:
                overrides[name] = overrides.pop(alias)
        values.update(overrides)
        return cls(**values)

    def redacted_dsn(self) -> str:
        """A DSN for logs and messages, with the password masked."""
        auth = ""
        if self.username:
            auth = f"{urllib.parse.quote(self.username)}{':***' if self.password else ''}@"
        hosts = ",".join(f"[{h}]" if ":" in h else h for h in self.contact_points)
        return (
            f"cassandra://{auth}{hosts}:{self.port}/{self.keyspace}"
            f"?protocol_version={self.protocol_version}"
        )


def _destroy(cluster: Any) -> None:
    """Free a driver cluster object.

    acsylla registers wake-up sockets with the event loop per cluster and only ``destroy()``
    removes and closes them (else: ResourceWarning and a file descriptor leak).
    """
    if cluster is None:
        return
    try:
        cluster.destroy()
    except Exception as exc:  # best effort
        log.debug("destroying the Cassandra cluster object failed: %s", exc)


def _parse_dsn(dsn: str, known: Iterable[str]) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(dsn)
    if parts.scheme != "cassandra":
        raise ValueError("a Cassandra DSN starts with cassandra://")
    out: dict[str, Any] = {}
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        if user:
            out["username"] = urllib.parse.unquote(user)
        if colon:
            out["password"] = urllib.parse.unquote(password)
    if hostlist:
        out["contact_points"] = hostlist
        port = _hosts_port(hostlist)
        if port is not None:
            out["port"] = port
    keyspace = urllib.parse.unquote(parts.path.strip("/"))
    if keyspace:
        out["keyspace"] = keyspace
    known = set(known)
    for name, values in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items():
        key = {"hosts": "contact_points", "user": "username"}.get(name, name)
        if key not in known:
            raise ValueError(f"unknown Cassandra setting in the DSN: {name!r}")
        out[key] = values[-1]
    return out


class CassandraConnector(CassandraMigrations):
    """kongdao's Cassandra backend. See :mod:`kongdao.connectors.cassandra.strategy`."""

    name = STRATEGY
    capabilities = CAPABILITIES

    def __init__(self, settings: CassandraSettings) -> None:
        self.settings = settings
        self.strategies: dict[str, CassandraStrategy] = {}
        self.offsets = OffsetCodec(settings.protocol_version, settings.offset_secret or "")
        self.generation = 0
        self.server_version: tuple[int, ...] = ()
        self._session: Any = None
        self._cluster_obj: Any = None
        consistency = acsylla.Consistency
        self.read_cl = consistency[settings.read_consistency]
        self.write_cl = consistency[settings.write_consistency]
        self.serial_cl = consistency[settings.effective_serial_consistency]
        # Locks are cluster-wide mutexes: Kong writes and reads them at QUORUM.
        self.lock_cl = consistency.QUORUM
        self.all_cl = consistency.ALL
        # System tables (schema, versions) are node-local: ONE, whatever the settings say.
        self.local_cl = consistency.ONE
        # Statements are sent as idempotent (see statement.py) unless retries are off.
        self.idempotent = settings.retry_policy == "default"

    def __repr__(self) -> str:
        return f"<CassandraConnector {self.settings.redacted_dsn()}>"

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def session(self) -> Any:
        """The acsylla session (after :meth:`connect`)."""
        session = self._session
        if session is None:
            raise errors.InterfaceError(
                "the Cassandra connector is not connected", strategy=STRATEGY
            )
        return session

    @property
    def keyspace(self) -> str:
        """The quoted keyspace name, to qualify tables."""
        return quote_ident(self.settings.keyspace)

    def table(self, name: str) -> str:
        """A table of the keyspace, qualified and quoted."""
        return f"{self.keyspace}.{quote_ident(name)}"

    def error(self, exc: BaseException | str) -> errors.KongDAOError:
        """Map a driver exception (or a message) to a kongdao error, hiding the password."""
        if isinstance(exc, errors.KongDAOError):
            return exc
        s = self.settings
        return database_error(exc, secrets=(s.password, s.offset_secret, s.ssl_key_password))

    def read(self, cql: str) -> Stmt:
        """A statement read at the read consistency."""
        return Stmt(self, cql, self.read_cl)

    def write(self, cql: str) -> Stmt:
        """A statement written at the write consistency."""
        return Stmt(self, cql, self.write_cl)

    def lwt(self, cql: str) -> Stmt:
        """A lightweight transaction (write consistency for the commit, serial for Paxos)."""
        return Stmt(self, cql, self.write_cl, self.serial_cl)

    def stmt(self, cql: str, consistency: Any, serial: Any = None) -> Stmt:
        """A statement with explicit consistency levels."""
        return Stmt(self, cql, consistency, serial)

    async def execute_simple(self, cql: str) -> Any:
        """Run an unprepared statement without values (DDL, system tables); map errors.

        Every such statement runs on one node, the schema node (see
        :meth:`~.migrate.CassandraMigrations.schema_node`), as Kong's migrations do: a
        statement that uses a table created by the previous one then finds it, without waiting
        for the whole ring to agree after every statement (the driver's own per-statement wait
        is off; the callers wait for consensus once, after the last statement). When that node
        goes away, the next one that answers takes over.
        """
        session = self.session
        for attempt in range(2):
            host = await self.schema_node()
            statement = acsylla.create_statement(
                cql, consistency=self.local_cl, timeout=self.settings.ddl_timeout
            )
            if host is not None:
                statement.set_host(host, self.settings.port)
            try:
                return await session.execute(statement)
            except acsylla.errors.CassErrorLibNoHostsAvailable as exc:
                if host is None or attempt:
                    raise self.error(exc) from exc
                self.forget_schema_node()
            except Exception as exc:
                raise self.error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # -- lifecycle ---------------------------------------------------------------------------

    def _cluster(self) -> Any:
        s = self.settings
        kwargs: dict[str, Any] = {
            "port": s.port,
            "protocol_version": s.protocol_version,
            # None, not False: acsylla's False resets the driver to v4 (see LOCAL-DATABASES.md).
            "use_beta_protocol_version": None,
            "connect_timeout": s.connect_timeout,
            "request_timeout": s.request_timeout,
            "exponential_reconnect_base_delay_ms": max(1, int(s.reconnect_delay * 1000)),
            "exponential_reconnect_max_delay_ms": max(1, int(s.reconnect_max_delay * 1000)),
            "consistency": self.read_cl,
            "serial_consistency": self.serial_cl,
            "num_threads_io": s.io_threads,
            "core_connections_per_host": s.connections_per_host,
            "log_level": s.driver_log_level,
            # kongdao waits for schema agreement itself, once per migration, and names the
            # nodes that disagree (wait_for_schema_consensus); the driver's wait after every
            # DDL statement cost ~0.8 s each on a 3-node ring and 106 statements bootstrap.
            "max_schema_wait_time_ms": 0,
            "token_aware_routing": s.token_aware_routing,
            "application_name": "kongdao",
        }
        if s.retry_policy != "default":
            kwargs["retry_policy"] = s.retry_policy
        if s.username is not None:
            kwargs["username"] = s.username
            kwargs["password"] = s.password or ""
        if s.local_dc:
            kwargs["load_balance_dc_aware"] = s.local_dc
        if s.ssl:
            kwargs["ssl_enabled"] = True
            for setting, argument in (
                (s.ssl_ca_file, "ssl_trusted_cert"),
                (s.ssl_cert_file, "ssl_cert"),
                (s.ssl_key_file, "ssl_private_key"),
            ):
                if setting:
                    with open(setting, encoding="utf-8") as fh:
                        kwargs[argument] = fh.read()
            if s.ssl_key_password:
                kwargs["ssl_private_key_password"] = s.ssl_key_password
            kwargs["ssl_verify_flags"] = (
                acsylla.SSLVerifyFlags.PEER_CERT if s.ssl_verify else acsylla.SSLVerifyFlags.NONE
            )
        return acsylla.create_cluster(list(s.contact_points), **kwargs)

    async def connect(self) -> None:
        """Open the session; raises DatabaseError when no node can be reached."""
        if self._session is not None:
            return
        s = self.settings
        where = f"{','.join(s.contact_points)}:{s.port}"
        cluster = None
        try:
            cluster = self._cluster()
            session = await cluster.create_session()
        except Exception as exc:
            _destroy(cluster)
            text = redact(str(exc) or type(exc).__name__, (s.password, s.ssl_key_password))
            hint = ""
            if "protocol version" in text.lower():
                hint = (
                    f" (kongdao used protocol_version={s.protocol_version}; Cassandra 2.1 and "
                    "2.2 need protocol_version=3, Cassandra 3.x-5.x and ScyllaDB 4)"
                )
            raise database_error(
                f"could not connect to Cassandra at {where}: {text}{hint}"
            ) from None
        self._session, self._cluster_obj = session, cluster
        self.generation += 1
        try:
            result = await self.execute_simple("SELECT release_version FROM system.local")
            row = result.first()
            version = str(row.as_list()[0]) if row is not None else ""
        except errors.KongDAOError:
            await self.close()
            raise
        self.server_version = tuple(int(p) for p in version.split("-")[0].split(".") if p.isdigit())

    async def close(self) -> None:
        """Close the session; idempotent."""
        session, self._session = self._session, None
        cluster, self._cluster_obj = self._cluster_obj, None
        if session is not None:
            self.generation += 1
            try:
                await session.close()
            except Exception as exc:  # closing is best effort
                log.debug("closing the Cassandra session failed: %s", exc)
        _destroy(cluster)

    async def infos(self) -> dict[str, Any]:
        """Kong's ``infos()``: strategy, keyspace and server version."""
        result = await self.execute_simple("SELECT release_version FROM system.local")
        row = result.first()
        version = str(row.as_list()[0]) if row is not None else ""
        return {
            "strategy": "Cassandra",
            "db_name": self.settings.keyspace,
            "db_desc": "keyspace",
            "db_ver": version,
        }

    async def truncate_all(self, strategies: Sequence[Any]) -> None:
        """Empty the tables of ``strategies`` (what ``DB.truncate()`` calls).

        Every table of every entity is probed at once and the non-empty ones are truncated at
        once: Cassandra has no foreign keys to order by, and on a ring each ``TRUNCATE`` waits
        for every node to flush, so entity by entity (as ``DAO.truncate()`` goes) took a
        second per test of the conformance suite.
        """
        await truncate_tables(
            self,
            [t for s in strategies if isinstance(s, CassandraStrategy) for t in s.truncate_targets],
        )

    def strategy_for(self, schema: EntitySchema, schemas: Mapping[str, EntitySchema]) -> Any:
        """Build (once) the strategy of ``schema``; statements are prepared on first use."""
        if schema.name == "tags":
            return CassandraTagsStrategy(self, schema, schemas)
        strategy = CassandraStrategy(self, schema, schemas)
        self.strategies[schema.name or ""] = strategy
        return strategy
