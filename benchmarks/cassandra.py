"""Cassandra workloads: kongdao against acsylla with prepared statements.

The data lives in a dedicated keyspace (``kongdao_bench`` by default), dropped and created
afresh for every run and bootstrapped by kongdao's migrations; seeding goes through kongdao
(128 inserts in flight), so every row is one kongdao wrote. Sizes as on PostgreSQL: 10,000
services, routes on ``mode.route_services`` services, a key-auth plugin on ``mode.plugins``
services.

The raw side is a careful hand-written layer on **the same tables** (kongdao's model, see
``kongdao/connectors/cassandra/model.py``: rows keyed by id, ``E_by_<unique>`` lookup tables
where uniqueness is claimed with a lightweight transaction, ``E_by_<fk>`` child indexes, a
``kongdao_version`` column for compare-and-set), giving the same guarantees with the fewest
statements, on one acsylla session configured as kongdao's (the C++ driver multiplexes every
worker's requests over its connections). Consistency: reads and writes ``ONE``, lightweight
transactions ``SERIAL``, as kongdao's defaults.

Every row lives in a workspace (the ``default`` one), as kongdao stores it: the raw side writes
``ws_id``, claims names unique per workspace as ``"<ws id>:<name>"``, keeps the workspace's
index ``<entity>_by_ws`` (which pages a workspace's rows), checks the workspace exists before
inserting, and accepts a row it reads only when its ``ws_id`` is the workspace's (a comparison
in Python, no statement):

=================== ===================================================================
insert service      the workspace exists? (``SELECT``) and claim ``services_by_name``
                    (LWT ``IF NOT EXISTS``), concurrently; index row ``services_by_ws``;
                    the row (LWT)
insert route        the parent's workspace (``SELECT ws_id``) and the workspace exists?,
                    concurrently; index rows ``routes_by_service`` and ``routes_by_ws``,
                    concurrently; the row (LWT)
select by pk        ``SELECT ... WHERE id = ?``
select_by_name      ``services_by_name`` (``"<ws>:<name>"``) -> id, then the row
select_by_cache_key ``plugins_by_cache_key`` -> id, then the row
update one field    read the row (version), ``UPDATE retries, updated_at ... IF version = ?``
upsert              read the row, ``UPDATE <every column> ... IF version = ?`` (same name)
page (100, 1000)    one page of the workspace's ``services_by_ws`` partition (the driver's
                    paging state), then the rows by id, concurrently (256 at a time)
page_for_service    one page of ``routes_by_service``, then the routes by id, concurrently
delete with cascade read the row; restrict check on ``routes_by_service``; the children
                    from ``plugins_by_service``, ``oauth2_tokens_by_service`` and
                    ``oauth2_authorization_codes_by_service`` (cascading entities);
                    each plugin deleted (LWT), then its cache-key claim (LWT) and index
                    rows (``plugins_by_service``, ``plugins_by_ws``); the service (LWT),
                    then its name claim (LWT) and ``services_by_ws`` row
legacy find_all     ``plugins_by_service`` -> ids, rows by id, filtered by name
=================== ===================================================================
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any, cast

import kongdao
from benchmarks.runner import BenchError, Impl, Mode, Progress, Suite, Workload, redact

__all__ = ["DEFAULT_DSN", "build"]

DEFAULT_DSN = "cassandra://127.0.0.1:9042/kongdao_bench?protocol_version=3"
SEED_CONCURRENCY = 128
SCALE = 0.4
"""Cassandra's operations take 5-10x longer than PostgreSQL's on this kind of machine: rounds
do this fraction of the operations per round of the mode (rounds themselves are not fewer)."""


def _parse(dsn: str) -> tuple[list[str], int, str, dict[str, str]]:
    parts = urllib.parse.urlsplit(dsn)
    if parts.scheme != "cassandra":
        raise ValueError("a Cassandra DSN starts with cassandra://")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    hosts, port = [], 9042
    for item in netloc.split(","):
        host, _, p = item.partition(":")
        if host:
            hosts.append(host)
        if p:
            port = int(p)
    keyspace = urllib.parse.unquote(parts.path.strip("/"))
    if not keyspace or keyspace.startswith("system"):
        raise ValueError(f"refusing to recreate the keyspace {keyspace!r}: name a dedicated one")
    query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
    return hosts or ["127.0.0.1"], port, keyspace, query


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Raw:
    """The hand-written layer: one acsylla session, statements prepared once."""

    def __init__(self, session: Any, keyspace: str, serial: Any, one: Any) -> None:
        self.session = session
        self.keyspace = keyspace
        self.serial = serial
        self.one = one
        self.stmts: dict[str, tuple[Any, bool]] = {}
        self.columns: dict[str, list[str]] = {}

    def t(self, table: str) -> str:
        """A qualified, quoted table name."""
        return f"{_q(self.keyspace)}.{_q(table)}"

    async def load_columns(self, tables: Iterable[str]) -> None:
        """Read the tables' columns (kongdao's model) from the schema tables."""
        for table in tables:
            result = await self.session.execute(
                _bound_simple(
                    "SELECT column_name FROM system.schema_columns "
                    "WHERE keyspace_name = ? AND columnfamily_name = ?",
                    [self.keyspace, table],
                )
            )
            cols = sorted(r.as_list()[0] for r in result)
            if not cols:
                raise BenchError(f"table {self.keyspace}.{table} not found")
            self.columns[table] = cols

    async def prepare(self, name: str, cql: str, *, lwt: bool = False) -> None:
        """Prepare ``cql`` as ``name``; ``lwt``: bind with the serial consistency."""
        self.stmts[name] = (await self.session.create_prepared(cql), lwt)

    def run(self, name: str, params: Sequence[Any] | None = None, **kw: Any) -> Awaitable[Any]:
        """Execute prepared statement ``name`` with ``params``."""
        prepared, lwt = self.stmts[name]
        statement = prepared.bind(
            params,
            consistency=self.one,
            serial_consistency=self.serial if lwt else None,
            **kw,
        )
        result: Awaitable[Any] = self.session.execute(statement)
        return result


def _bound_simple(cql: str, params: list[Any]) -> Any:
    import acsylla

    statement = acsylla.create_statement(cql, parameters=len(params))
    statement.bind_list(params)
    return statement


def _applied(result: Any) -> bool:
    row = result.first()
    return row is None or bool(row.as_dict().get("[applied]", True))


def _found(value: Any, what: str) -> int:
    if value is None:
        raise BenchError(f"{what}: nothing found")
    return 1


def _in_ws(row: Any, i_ws: int, ws: str) -> list[Any] | None:
    """A fetched row's values if the row belongs to workspace ``ws``, else ``None``."""
    if row is None:
        return None
    values: list[Any] = row.as_list()
    ws_id = values[i_ws]
    return values if ws_id is not None and str(ws_id).lower() == ws else None


async def _gather_chunked(aws: Sequence[Awaitable[Any]], chunk: int = 256) -> list[Any]:
    """Await ``aws`` at most ``chunk`` at a time (the driver's request queue is bounded)."""
    out: list[Any] = []
    for i in range(0, len(aws), chunk):
        out.extend(await asyncio.gather(*aws[i : i + chunk]))
    return out


async def _in_flight(aws: Iterable[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Run the coroutine functions with at most ``limit`` in flight; their results in order."""
    sem = asyncio.Semaphore(limit)

    async def one(fn: Callable[[], Awaitable[Any]]) -> Any:
        async with sem:
            return await fn()

    return await asyncio.gather(*(one(fn) for fn in aws))


async def _recreate_keyspace(
    hosts: list[str], port: int, keyspace: str, cluster_kw: dict[str, Any]
) -> None:
    import acsylla

    cluster = acsylla.create_cluster(hosts, port=port, **cluster_kw)
    session = await cluster.create_session()
    try:
        statement = acsylla.create_statement(
            f"DROP KEYSPACE IF EXISTS {_q(keyspace)}", timeout=120.0
        )
        await session.execute(statement)
    finally:
        await session.close()


async def build(
    mode: Mode,
    *,
    dsn: str = DEFAULT_DSN,
    workers: int = 32,
    operations: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Suite:
    """Recreate the keyspace, seed it, open kongdao and the raw session; the workloads.

    Raises:
        RuntimeError: the Cassandra connector is not importable yet.
    """
    if importlib.util.find_spec("kongdao.connectors.cassandra") is None:
        raise RuntimeError("kongdao.connectors.cassandra does not exist yet")
    import acsylla

    progress = progress or Progress(enabled=False)
    hosts, port, keyspace, query = _parse(dsn)
    protocol = int(query.get("protocol_version", "4"))
    base_kw: dict[str, Any] = {"protocol_version": protocol, "use_beta_protocol_version": None}
    progress.status("cassandra: dropping the keyspace")
    await _recreate_keyspace(hosts, port, keyspace, base_kw)
    db = await kongdao.connect(dsn, ttl_cleanup_interval=None, check_migrations=False)
    suite = Suite()
    suite.closers.append(db.close)
    try:
        progress.status("cassandra: bootstrapping")
        await db.migrations.bootstrap()
        settings: Any = cast(Any, db.connector).settings
        serial_name = getattr(settings, "effective_serial_consistency", "SERIAL")
        cluster_kw = {
            **base_kw,
            "connect_timeout": getattr(settings, "connect_timeout", 10.0),
            "request_timeout": getattr(settings, "request_timeout", 12.0),
            "num_threads_io": getattr(settings, "io_threads", 1),
            "core_connections_per_host": getattr(settings, "connections_per_host", 1),
            "application_name": "kongdao-bench-raw",
            "log_level": getattr(settings, "driver_log_level", "warn"),
        }
        cluster = acsylla.create_cluster(hosts, port=port, **cluster_kw)
        session = await cluster.create_session(keyspace=keyspace)
        suite.closers.append(session.close)
        raw = Raw(
            session,
            keyspace,
            acsylla.Consistency[serial_name],
            acsylla.Consistency[str(getattr(settings, "read_consistency", "ONE"))],
        )
        keys = await _seed(db, mode, progress)
        # the workspace every row is in: the raw side binds it, kongdao finds it by itself
        keys["ws"] = str(db.default_workspace_id).lower()
        progress.status("cassandra: preparing raw statements")
        await _prepare_raw(raw)
        version = (
            await session.execute(
                acsylla.create_statement("SELECT release_version FROM system.local")
            )
        ).first()
        suite.info = {
            "dsn": redact(dsn),
            "server_version": str(version.as_list()[0]) if version else None,
            "driver": "acsylla",
            "driver_version": _version("acsylla"),
            "protocol_version": protocol,
            "consistency": {"read_write": "ONE", "serial": serial_name},
            "raw_session": {
                k: v for k, v in cluster_kw.items() if k not in ("use_beta_protocol_version",)
            },
            "data": keys["counts"],
            "ops_scale": SCALE,
        }
        workloads = _workloads(db, raw, keys, mode)
        extra, skipped = _legacy_and_sync(db, raw, keys, dsn)
        for workload in workloads + extra:
            workload.weight *= SCALE
        suite.add(workloads + extra, operations)
        suite.skipped += [s for s in skipped if not operations or s["operation"] in operations]

        async def settle(seconds: float) -> None:
            ids = keys["ids"]
            end = time.perf_counter() + seconds
            i = 0
            while time.perf_counter() < end:
                batch = ids[i : i + 64] or ids[:64]
                i = (i + 64) % len(ids)
                await asyncio.gather(
                    *(db.services.select({"id": x}) for x in batch),
                    *(raw.run("select_service", [x]) for x in batch),
                )

        suite.settle = settle
    except BaseException:
        await suite.close()
        raise
    return suite


def _version(package: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


async def _seed(db: Any, mode: Mode, progress: Progress) -> dict[str, Any]:
    progress.status(f"cassandra: seeding {mode.services} services")
    names = [f"svc-{i:05d}" for i in range(mode.services)]
    services = await _in_flight(
        (partial(db.services.insert, {"name": name, "host": "example.com"}) for name in names),
        SEED_CONCURRENCY,
    )
    ids = [s.id for s in services]
    route_sids = ids[: mode.route_services]
    progress.status("cassandra: seeding routes and plugins")
    await _in_flight(
        (
            partial(db.routes.insert, {"paths": [f"/r{j}"], "service": {"id": sid}})
            for sid in route_sids
            for j in range(mode.routes_per_service)
        ),
        SEED_CONCURRENCY,
    )
    plugin_sids = ids[: mode.plugins]
    await _in_flight(
        (
            partial(db.plugins.insert, {"name": "key-auth", "service": {"id": sid}})
            for sid in plugin_sids
        ),
        SEED_CONCURRENCY,
    )
    rng = random.Random(7)
    order = list(range(len(ids)))
    rng.shuffle(order)
    return {
        "ids": [ids[i] for i in order],
        "names": [names[i] for i in order],
        "route_sids": route_sids,
        "plugin_sids": plugin_sids,
        "insert_route_sids": ids[mode.route_services : 2 * mode.route_services] or route_sids,
        "counts": {
            "services": len(ids),
            "routes": len(route_sids) * mode.routes_per_service,
            "plugins": len(plugin_sids),
            "route_services": mode.route_services,
            "routes_per_service": mode.routes_per_service,
        },
    }


async def _prepare_raw(raw: Raw) -> None:
    await raw.load_columns(("services", "routes", "plugins"))
    svc, rte, plg = (
        ", ".join(_q(c) for c in raw.columns[t]) for t in ("services", "routes", "plugins")
    )
    t = raw.t
    await raw.prepare("select_service", f"SELECT {svc} FROM {t('services')} WHERE id = ?")
    await raw.prepare("select_route", f"SELECT {rte} FROM {t('routes')} WHERE id = ?")
    await raw.prepare("select_plugin", f"SELECT {plg} FROM {t('plugins')} WHERE id = ?")
    await raw.prepare("service_ws", f"SELECT ws_id FROM {t('services')} WHERE id = ?")
    await raw.prepare(
        "workspace_exists", f"SELECT kongdao_version FROM {t('workspaces')} WHERE id = ?"
    )
    await raw.prepare("owner_name", f'SELECT id FROM {t("services_by_name")} WHERE "value" = ?')
    await raw.prepare(
        "owner_cache_key", f'SELECT id FROM {t("plugins_by_cache_key")} WHERE "value" = ?'
    )
    await raw.prepare("page_ws_services", f"SELECT id FROM {t('services_by_ws')} WHERE ws_id = ?")
    await raw.prepare(
        "routes_of_service", f"SELECT id FROM {t('routes_by_service')} WHERE service_id = ?"
    )
    for child in ("plugins", "oauth2_tokens", "oauth2_authorization_codes"):
        await raw.prepare(
            f"{child}_of_service", f"SELECT id FROM {t(f'{child}_by_service')} WHERE service_id = ?"
        )
    await raw.prepare(
        "claim_name",
        f'INSERT INTO {t("services_by_name")} ("value", id) VALUES (?, ?) IF NOT EXISTS',
        lwt=True,
    )
    for table in ("services", "routes"):
        cols = raw.columns[table]
        marks = ", ".join("?" for _ in cols)
        await raw.prepare(
            f"insert_{table}",
            f"INSERT INTO {t(table)} ({', '.join(_q(c) for c in cols)}) VALUES ({marks}) "
            "IF NOT EXISTS",
            lwt=True,
        )
    await raw.prepare(
        "index_route",
        f"INSERT INTO {t('routes_by_service')} (service_id, id) VALUES (?, ?)",
    )
    for table in ("services", "routes"):
        await raw.prepare(
            f"index_{table}_ws", f"INSERT INTO {t(f'{table}_by_ws')} (ws_id, id) VALUES (?, ?)"
        )
    await raw.prepare(
        "update_retries",
        f"UPDATE {t('services')} SET retries = ?, updated_at = ?, kongdao_version = ? "
        "WHERE id = ? IF kongdao_version = ?",
        lwt=True,
    )
    regular = [c for c in raw.columns["services"] if c != "id"]
    sets = ", ".join(f"{_q(c)} = ?" for c in regular)
    await raw.prepare(
        "replace_service",
        f"UPDATE {t('services')} SET {sets} WHERE id = ? IF kongdao_version = ?",
        lwt=True,
    )
    await raw.prepare(
        "delete_service",
        f"DELETE FROM {t('services')} WHERE id = ? IF kongdao_version = ?",
        lwt=True,
    )
    await raw.prepare(
        "release_name", f'DELETE FROM {t("services_by_name")} WHERE "value" = ? IF id = ?', lwt=True
    )
    await raw.prepare(
        "delete_plugin", f"DELETE FROM {t('plugins')} WHERE id = ? IF kongdao_version = ?", lwt=True
    )
    await raw.prepare(
        "release_cache_key",
        f'DELETE FROM {t("plugins_by_cache_key")} WHERE "value" = ? IF id = ?',
        lwt=True,
    )
    await raw.prepare(
        "unindex_plugin",
        f"DELETE FROM {t('plugins_by_service')} WHERE service_id = ? AND id = ?",
    )
    for table in ("services", "plugins"):
        await raw.prepare(
            f"unindex_{table}_ws", f"DELETE FROM {t(f'{table}_by_ws')} WHERE ws_id = ? AND id = ?"
        )


def _service_values(raw: Raw, sid: str, name: str, now: int, ws: str) -> list[Any]:
    """A new service's columns as kongdao writes them (defaults filled in), in column order."""
    row = {
        "id": sid,
        "created_at": now,
        "updated_at": now,
        "name": name,
        "retries": 5,
        "protocol": "http",
        "host": "example.com",
        "port": 80,
        "connect_timeout": 60000,
        "write_timeout": 60000,
        "read_timeout": 60000,
        "enabled": True,
        "ws_id": ws,
        "kongdao_version": str(uuid.uuid4()),
        "kongdao_live": True,
    }
    return [row.get(c) for c in raw.columns["services"]]


def _route_values(raw: Raw, rid: str, sid: str, path: str, now: int, ws: str) -> list[Any]:
    row = {
        "id": rid,
        "created_at": now,
        "updated_at": now,
        "protocols": ["http", "https"],
        "paths": [path],
        "https_redirect_status_code": 426,
        "regex_priority": 0,
        "strip_path": True,
        "path_handling": "v0",
        "preserve_host": False,
        "request_buffering": True,
        "response_buffering": True,
        "service_id": sid,
        "ws_id": ws,
        "kongdao_version": str(uuid.uuid4()),
        "kongdao_live": True,
    }
    return [row.get(c) for c in raw.columns["routes"]]


def _workloads(db: Any, raw: Raw, keys: dict[str, Any], mode: Mode) -> list[Workload]:
    ids: list[str] = keys["ids"]
    names: list[str] = keys["names"]
    n = len(ids)
    out: list[Workload] = []
    services, routes, plugins = db.services, db.routes, db.plugins
    svc_cols = raw.columns["services"]
    i_version = svc_cols.index("kongdao_version")
    i_name = svc_cols.index("name")
    i_ws = svc_cols.index("ws_id")
    i_route_ws = raw.columns["routes"].index("ws_id")
    i_plugin_ws = raw.columns["plugins"].index("ws_id")
    ws: str = keys["ws"]

    # -- reads -------------------------------------------------------------------------------

    async def k_select(w: int, i: int) -> int:
        return _found(await services.select({"id": ids[i % n]}), "select")

    async def r_select(w: int, i: int) -> int:
        row = (await raw.run("select_service", [ids[i % n]])).first()
        return _found(_in_ws(row, i_ws, ws), "select")

    out.append(
        Workload(
            "cassandra",
            "select_pk",
            "select by primary key",
            "read",
            Impl("kongdao", k_select, statements="SELECT by id"),
            Impl("raw", r_select, statements="SELECT by id"),
            data=f"{n} services, keys in shuffled order",
        )
    )

    async def k_by_name(w: int, i: int) -> int:
        return _found(await services.select_by_name(names[i % n]), "select_by_name")

    async def r_by_name(w: int, i: int) -> int:
        owner = (await raw.run("owner_name", [f"{ws}:{names[i % n]}"])).first()
        if owner is None:
            raise BenchError("select_by_name: no claim")
        row = _in_ws((await raw.run("select_service", [owner.as_list()[0]])).first(), i_ws, ws)
        if row is None or row[i_name] != names[i % n]:
            raise BenchError("select_by_name: nothing found")
        return 1

    out.append(
        Workload(
            "cassandra",
            "select_by_name",
            "select_by_name",
            "read",
            Impl("kongdao", k_by_name, statements="lookup table ('<ws>:<name>'), then the row"),
            Impl("raw", r_by_name, statements="lookup table ('<ws>:<name>'), then the row"),
            data=f"{n} services",
        )
    )

    # kongdao's own cache keys: plugins:key-auth::<service id>:::<ws id>
    cache_keys = [plugins.cache_key("key-auth", None, sid) for sid in keys["plugin_sids"]]
    random.Random(11).shuffle(cache_keys)
    nck = len(cache_keys)

    async def k_cache_key(w: int, i: int) -> int:
        return _found(await plugins.select_by_cache_key(cache_keys[i % nck]), "cache_key")

    async def r_cache_key(w: int, i: int) -> int:
        owner = (await raw.run("owner_cache_key", [cache_keys[i % nck]])).first()
        if owner is None:
            raise BenchError("select_by_cache_key: no claim")
        row = (await raw.run("select_plugin", [owner.as_list()[0]])).first()
        return _found(_in_ws(row, i_plugin_ws, ws), "select_by_cache_key")

    out.append(
        Workload(
            "cassandra",
            "select_by_cache_key",
            "select_by_cache_key (plugin)",
            "read",
            Impl("kongdao", k_cache_key, statements="lookup table, then the row"),
            Impl("raw", r_cache_key, statements="lookup table, then the row"),
            data=f"{nck} key-auth plugins",
        )
    )

    for size, weight in ((100, 0.25), (1000, 0.05)):
        out.append(_page_workload(services, raw, ws, size, weight, n))

    route_sids: list[str] = keys["route_sids"]
    nrs = len(route_sids)
    per_service = mode.routes_per_service

    async def k_page_for(w: int, i: int) -> int:
        rows, _ = await routes.page_for_service({"id": route_sids[i % nrs]}, size=100)
        if len(rows) != per_service:
            raise BenchError(f"page_for_service: {len(rows)} routes, expected {per_service}")
        return 1

    async def r_page_for(w: int, i: int) -> int:
        result = await raw.run("routes_of_service", [route_sids[i % nrs]], page_size=100)
        found = await asyncio.gather(*(raw.run("select_route", [r.as_list()[0]]) for r in result))
        rows = [v for r in found if (v := _in_ws(r.first(), i_route_ws, ws)) is not None]
        if len(rows) != per_service:
            raise BenchError(f"page_for_service: {len(rows)} routes, expected {per_service}")
        return 1

    out.append(
        Workload(
            "cassandra",
            "page_for_service",
            "page_for_service (size 100)",
            "read",
            Impl("kongdao", k_page_for, statements="child index page, rows by id concurrently"),
            Impl("raw", r_page_for, statements="child index page, rows by id concurrently"),
            weight=0.5,
            data=f"{nrs} services x {per_service} routes",
        )
    )

    # -- writes ------------------------------------------------------------------------------

    async def k_update(w: int, i: int) -> int:
        await services.update({"id": ids[i % n]}, {"retries": i % 10})
        return 1

    async def r_update(w: int, i: int) -> int:
        sid = ids[i % n]
        for _ in range(8):
            row = _in_ws((await raw.run("select_service", [sid])).first(), i_ws, ws)
            if row is None:
                raise BenchError("update: nothing found")
            version = row[i_version]
            now = int(time.time())
            result = await raw.run("update_retries", [i % 10, now, str(uuid.uuid4()), sid, version])
            if _applied(result):
                return 1
        raise BenchError("update: contention")

    out.append(
        Workload(
            "cassandra",
            "update",
            "update one field",
            "write",
            Impl("kongdao", k_update, statements="read; UPDATE (every column) IF version (LWT)"),
            Impl("raw", r_update, statements="read; UPDATE retries IF version (LWT)"),
            weight=0.5,
            data=f"{n} services, distinct rows per concurrent worker",
        )
    )

    regular = [c for c in svc_cols if c != "id"]

    async def k_upsert(w: int, i: int) -> int:
        j = i % n
        await services.upsert({"id": ids[j]}, {"name": names[j], "host": "example.com"})
        return 1

    async def r_upsert(w: int, i: int) -> int:
        j = i % n
        sid = ids[j]
        for _ in range(8):
            old = _in_ws((await raw.run("select_service", [sid])).first(), i_ws, ws)
            if old is None:
                raise BenchError("upsert: the bench replaces existing rows of its workspace only")
            if old[i_name] != names[j]:
                raise BenchError("upsert: the bench keeps names (no claim needed)")
            new = _service_values(raw, sid, names[j], int(time.time()), ws)
            values = dict(zip(svc_cols, new, strict=True))
            values["created_at"] = old[svc_cols.index("created_at")]
            params = [values[c] for c in regular] + [sid, old[i_version]]
            if _applied(await raw.run("replace_service", params)):
                return 1
        raise BenchError("upsert: contention")

    out.append(
        Workload(
            "cassandra",
            "upsert",
            "upsert (replace existing)",
            "write",
            Impl("kongdao", k_upsert, statements="read; UPDATE (every column) IF version (LWT)"),
            Impl("raw", r_upsert, statements="read; UPDATE (every column) IF version (LWT)"),
            weight=0.5,
            data=f"{n} services, replaced with the same values",
        )
    )

    async def k_insert_service(w: int, i: int) -> int:
        await services.insert({"name": f"ins-k-{i}", "host": "example.com"})
        return 1

    async def r_insert_service(w: int, i: int) -> int:
        sid, name = str(uuid.uuid4()), f"ins-r-{i}"
        workspace, claim = await asyncio.gather(
            raw.run("workspace_exists", [ws]), raw.run("claim_name", [f"{ws}:{name}", sid])
        )
        if workspace.first() is None:
            raise BenchError("insert: no such workspace")
        if not _applied(claim):
            raise BenchError("insert: name taken")
        await raw.run("index_services_ws", [ws, sid])
        values = _service_values(raw, sid, name, int(time.time()), ws)
        if not _applied(await raw.run("insert_services", values)):
            raise BenchError("insert: id taken")
        return 1

    out.append(
        Workload(
            "cassandra",
            "insert_service",
            "insert service",
            "write",
            Impl(
                "kongdao",
                k_insert_service,
                statements="workspace read + claim name (LWT); by_ws index row; row (LWT)",
            ),
            Impl(
                "raw",
                r_insert_service,
                statements="workspace read + claim name (LWT); by_ws index row; row (LWT)",
            ),
            weight=0.5,
            data="new services with unique names",
        )
    )

    rsids: list[str] = keys["insert_route_sids"]
    nrr = len(rsids)

    async def k_insert_route(w: int, i: int) -> int:
        await routes.insert({"paths": [f"/k{i}"], "service": {"id": rsids[i % nrr]}})
        return 1

    async def r_insert_route(w: int, i: int) -> int:
        sid, rid = rsids[i % nrr], str(uuid.uuid4())
        parent, workspace = await asyncio.gather(
            raw.run("service_ws", [sid]), raw.run("workspace_exists", [ws])
        )
        if workspace.first() is None:
            raise BenchError("insert route: no such workspace")
        if _in_ws(parent.first(), 0, ws) is None:
            raise BenchError("insert route: no such service in the workspace")
        await asyncio.gather(
            raw.run("index_route", [sid, rid]), raw.run("index_routes_ws", [ws, rid])
        )
        values = _route_values(raw, rid, sid, f"/r{i}", int(time.time()), ws)
        if not _applied(await raw.run("insert_routes", values)):
            raise BenchError("insert route: id taken")
        return 1

    out.append(
        Workload(
            "cassandra",
            "insert_route",
            "insert route (with FK)",
            "write",
            Impl(
                "kongdao",
                k_insert_route,
                statements="parent row + workspace reads; 2 index rows; row (LWT)",
            ),
            Impl(
                "raw",
                r_insert_route,
                statements="parent's ws_id + workspace reads; 2 index rows; row (LWT)",
            ),
            weight=0.5,
            data=f"routes on {nrr} services",
        )
    )

    out.append(_delete_workload(db, raw, ws))
    return out


def _page_workload(services: Any, raw: Raw, ws: str, size: int, weight: float, n: int) -> Workload:
    """Every worker walks the workspace's rows page by page, starting over at the end."""
    k_cursors: dict[int, str | None] = {}
    r_cursors: dict[int, bytes | None] = {}
    i_ws = raw.columns["services"].index("ws_id")

    async def k_page(w: int, i: int) -> int:
        rows, k_cursors[w] = await services.page(size, k_cursors.get(w))
        return len(rows)

    async def r_page(w: int, i: int) -> int:
        result = await raw.run(
            "page_ws_services", [ws], page_size=size, page_state=r_cursors.get(w)
        )
        found = await _gather_chunked([raw.run("select_service", [r.as_list()[0]]) for r in result])
        rows = [v for f in found if (v := _in_ws(f.first(), i_ws, ws)) is not None]
        r_cursors[w] = result.page_state() if result.has_more_pages() else None
        return len(rows)

    return Workload(
        "cassandra",
        f"page_{size}",
        f"page through {n:,} rows (size {size})",
        "read",
        Impl(
            "kongdao",
            k_page,
            statements=f"page of services_by_ws (size {size}), rows by id concurrently",
        ),
        Impl(
            "raw",
            r_page,
            statements=f"page of services_by_ws (size {size}), rows by id concurrently",
        ),
        unit="rows",
        weight=weight,
        data=f"{n} services; one operation = one page; each worker walks the whole workspace",
        min_per_worker=1 if size >= 1000 else 2,
    )


def _delete_workload(db: Any, raw: Raw, ws: str) -> Workload:
    """Delete services that each have one key-auth plugin (deleted by the cascade)."""
    targets: dict[str, dict[int, str]] = {"kongdao": {}, "raw": {}}
    svc_cols = raw.columns["services"]
    plg_cols = raw.columns["plugins"]
    sv, sn = svc_cols.index("kongdao_version"), svc_cols.index("name")
    pv, pc = plg_cols.index("kongdao_version"), plg_cols.index("cache_key")
    i_ws, i_plugin_ws = svc_cols.index("ws_id"), plg_cols.index("ws_id")

    def prepare(side: str) -> Callable[[int, int], Awaitable[None]]:
        async def run(start: int, n: int) -> None:
            async def one(j: int) -> str:
                svc = await db.services.insert(
                    {"name": f"del-{side}-{start + j}", "host": "example.com"}
                )
                await db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
                return str(svc.id)

            made = await _in_flight((partial(one, j) for j in range(n)), SEED_CONCURRENCY)
            targets[side].clear()
            targets[side].update({start + j: sid for j, sid in enumerate(made)})

        return run

    async def k_delete(w: int, i: int) -> int:
        return _found(await db.services.delete({"id": targets["kongdao"][i]}), "delete")

    async def r_delete(w: int, i: int) -> int:
        sid = targets["raw"][i]
        svc = _in_ws((await raw.run("select_service", [sid])).first(), i_ws, ws)
        if svc is None:
            raise BenchError("delete: nothing found")
        if (await raw.run("routes_of_service", [sid], page_size=1)).first() is not None:
            raise BenchError("delete: routes reference the service")
        kids = [r.as_list()[0] for r in await raw.run("plugins_of_service", [sid])]
        # the other entities whose rows cascade with a service (the bench makes none)
        for child in ("oauth2_tokens", "oauth2_authorization_codes"):
            if (await raw.run(f"{child}_of_service", [sid])).first() is not None:
                raise BenchError(f"delete: the bench makes no {child}")
        found = await asyncio.gather(*(raw.run("select_plugin", [k]) for k in kids))
        plugins_rows = [v for f in found if (v := _in_ws(f.first(), i_plugin_ws, ws))]

        async def remove_plugin(p: list[Any], pid: str) -> None:
            if not _applied(await raw.run("delete_plugin", [pid, p[pv]])):
                raise BenchError("delete: plugin changed")
            await asyncio.gather(
                raw.run("release_cache_key", [p[pc], pid]),
                raw.run("unindex_plugin", [sid, pid]),
                raw.run("unindex_plugins_ws", [ws, pid]),
            )

        i_id = plg_cols.index("id")
        await asyncio.gather(*(remove_plugin(p, p[i_id]) for p in plugins_rows))
        if not _applied(await raw.run("delete_service", [sid, svc[sv]])):
            raise BenchError("delete: service changed")
        await asyncio.gather(
            raw.run("release_name", [f"{ws}:{svc[sn]}", sid]),
            raw.run("unindex_services_ws", [ws, sid]),
        )
        return 1

    return Workload(
        "cassandra",
        "delete_cascade",
        "delete with cascade",
        "write",
        Impl(
            "kongdao",
            k_delete,
            prepare("kongdao"),
            statements=(
                "read; restrict check; 3 child indexes; per plugin 2 LWT + 2 index rows; "
                "2 LWT + index row"
            ),
        ),
        Impl(
            "raw",
            r_delete,
            prepare("raw"),
            statements=(
                "read; restrict check; 3 child indexes; per plugin 2 LWT + 2 index rows; "
                "2 LWT + index row"
            ),
        ),
        weight=0.25,
        data="services with one key-auth plugin each, made before every round (untimed)",
    )


def _legacy_and_sync(
    db: Any, raw: Raw, keys: dict[str, Any], dsn: str
) -> tuple[list[Workload], list[dict[str, str]]]:
    """The legacy ``find_all`` and sync-wrapper workloads, or why they are skipped."""
    out: list[Workload] = []
    skipped: list[dict[str, str]] = []
    plugin_sids: list[str] = keys["plugin_sids"]
    npl = len(plugin_sids)
    plg_cols = raw.columns["plugins"]
    i_name = plg_cols.index("name")
    i_plugin_ws = plg_cols.index("ws_id")
    ws: str = keys["ws"]
    try:
        find_all = db.dao.plugins.find_all
    except (AttributeError, ImportError):
        skipped.append(
            {
                "operation": "legacy_find_all",
                "reason": "TODO: the legacy API (db.dao.<entity>.find_all) is not there yet",
            }
        )
    else:

        async def k_find_all(w: int, i: int) -> int:
            rows = await find_all({"name": "key-auth", "service_id": plugin_sids[i % npl]})
            if len(rows) != 1:
                raise BenchError(f"find_all: {len(rows)} rows, expected 1")
            return 1

        async def r_find_all(w: int, i: int) -> int:
            ids = [
                r.as_list()[0] for r in await raw.run("plugins_of_service", [plugin_sids[i % npl]])
            ]
            found = await asyncio.gather(*(raw.run("select_plugin", [x]) for x in ids))
            rows = [
                v
                for f in found
                if (v := _in_ws(f.first(), i_plugin_ws, ws)) is not None and v[i_name] == "key-auth"
            ]
            if len(rows) != 1:
                raise BenchError(f"find_all: {len(rows)} rows, expected 1")
            return 1

        out.append(
            Workload(
                "cassandra",
                "legacy_find_all",
                "legacy find_all (name + service_id)",
                "read",
                Impl(
                    "kongdao",
                    k_find_all,
                    statements="page_for_service (child index, rows by id); filter in Python",
                ),
                Impl("raw", r_find_all, statements="child index plugins_by_service; rows by id"),
                weight=0.5,
                data=f"{npl} key-auth plugins, one per service",
            )
        )

    if importlib.util.find_spec("kongdao.sync") is None:
        skipped.append(
            {
                "operation": "sync_select",
                "reason": "TODO: the sync wrapper (kongdao.sync.connect) is not there yet",
            }
        )
        return out, skipped

    ids: list[str] = keys["ids"]
    n = len(ids)
    state: dict[str, Any] = {}

    async def setup() -> None:
        import kongdao.sync

        state["sdb"] = await asyncio.to_thread(kongdao.sync.connect, dsn, ttl_cleanup_interval=None)
        state["loop"] = asyncio.get_running_loop()

    async def teardown() -> None:
        sdb = state.pop("sdb", None)
        if sdb is not None:
            await asyncio.to_thread(sdb.close)

    def k_sync(w: int, i: int) -> int:
        return _found(state["sdb"].services.select({"id": ids[i % n]}), "sync select")

    i_ws = raw.columns["services"].index("ws_id")

    async def r_select(i: int) -> Any:
        return _in_ws((await raw.run("select_service", [ids[i % n]])).first(), i_ws, ws)

    def r_sync(w: int, i: int) -> int:
        row = asyncio.run_coroutine_threadsafe(r_select(i), state["loop"]).result()
        return _found(row, "sync select")

    out.append(
        Workload(
            "cassandra",
            "sync_select",
            "sync wrapper: select by pk (threads)",
            "read",
            Impl("kongdao", k_sync, threaded=True, statements="kongdao.sync: SELECT by id"),
            Impl(
                "raw",
                r_sync,
                threaded=True,
                statements="SELECT by id via run_coroutine_threadsafe on one loop thread",
            ),
            data=f"{n} services; workers are threads",
            setup=setup,
            teardown=teardown,
        )
    )
    return out, skipped
