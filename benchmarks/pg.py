"""PostgreSQL workloads: kongdao against asyncpg with prepared statements.

The data lives in a dedicated database (``kongdao_bench`` by default), dropped and created
afresh for every run and bootstrapped by kongdao's migrations. Seeding inserts one service, one
route and one key-auth plugin through kongdao and clones them in SQL (fast, and every row is
one kongdao wrote):

* ``services``: ``mode.services`` rows (10,000), what the pagers walk;
* ``routes``: ``mode.routes_per_service`` routes on each of ``mode.route_services`` services;
* ``plugins``: a key-auth plugin on each of ``mode.plugins`` services.

The raw side is what a careful hand-written layer would send for the same guarantees, on one
dedicated connection per worker (the "limit" column of PERFORMANCE.md), every statement
prepared once with ``Connection.prepare`` and asyncpg's native codecs:

Every row lives in a workspace (the ``default`` one here), as kongdao stores it: the raw
side writes ``ws_id`` and scopes every read, lock and delete with ``AND ws_id = $n`` (the
workspace's id, read from the DB once), so that both sides give the same guarantees (a row of
another workspace is never seen, changed or deleted; names are unique per workspace):

=================== ================================================================
insert service      ``INSERT`` (every column and ``ws_id`` bound; id and defaults made
                    in Python)
insert route        ``INSERT`` with ``ws_id``; the composite foreign key (service_id,
                    ws_id) checks the service is in the same workspace
select by pk/name   ``SELECT ... WHERE id = $1 AND ws_id = $2`` / ``WHERE name = $1 AND
                    ws_id = $2``
select_by_cache_key ``SELECT ... FROM plugins WHERE cache_key = $1 AND ws_id = $2`` (the
                    key ends with the workspace id, Kong's 7th segment)
update one field    ``BEGIN; SELECT ... WHERE id AND ws_id FOR UPDATE; UPDATE ... SET
                    retries, updated_at WHERE id; COMMIT`` (the locked read-modify-write
                    kongdao does)
upsert              ``INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE services.ws_id =
                    EXCLUDED.ws_id RETURNING (xmax = 0)`` (atomic PUT that knows whether it
                    created the row, and never takes over a row of another workspace)
page (100, 1000)    keyset: ``SELECT ... WHERE ws_id = $1 AND id > $2 ORDER BY id LIMIT
                    size + 1``
page_for_service    ``SELECT ... FROM routes WHERE service_id = $1 AND ws_id = $2 ORDER BY
                    id LIMIT 101``
delete with cascade ``DELETE ... WHERE id = $1 AND ws_id = $2 RETURNING ...``; ``ON DELETE
                    CASCADE`` removes the plugin
legacy find_all     ``SELECT ... WHERE name = $1 AND service_id = $2``: every workspace, as
                    the legacy API's filters are
=================== ================================================================
"""

from __future__ import annotations

import asyncio
import datetime
import importlib.util
import random
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

import kongdao
from benchmarks.runner import BenchError, Impl, Mode, Progress, Suite, Workload, redact

__all__ = ["DEFAULT_DSN", "build", "recreate_database"]

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/kongdao_bench"

SERVICE_COLUMNS = (
    "id, created_at, updated_at, name, retries, protocol, host, port, path, connect_timeout, "
    "write_timeout, read_timeout, tags, client_certificate_id, tls_verify, tls_verify_depth, "
    "ca_certificates, enabled"
)
ROUTE_COLUMNS = (
    "id, created_at, updated_at, name, protocols, methods, hosts, paths, headers, "
    "https_redirect_status_code, regex_priority, strip_path, path_handling, preserve_host, "
    "request_buffering, response_buffering, snis, sources, destinations, tags, service_id"
)
PLUGIN_COLUMNS = (
    "id, name, created_at, route_id, service_id, consumer_id, config, protocols, enabled, tags, "
    "cache_key"
)
# what inserts write: the columns above and the workspace (reads filter on it instead)
SERVICE_WRITE_COLUMNS = f"{SERVICE_COLUMNS}, ws_id"
ROUTE_WRITE_COLUMNS = f"{ROUTE_COLUMNS}, ws_id"


def _placeholders(n: int) -> str:
    return ", ".join(f"${i}" for i in range(1, n + 1))


_SVC_UPDATE = ", ".join(
    f"{c} = EXCLUDED.{c}"
    for c in (c.strip() for c in SERVICE_COLUMNS.split(","))
    if c not in ("id", "created_at")
)

RAW_SQL: dict[str, str] = {
    "select_pk": f"SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1 AND ws_id = $2",
    "select_name": f"SELECT {SERVICE_COLUMNS} FROM services WHERE name = $1 AND ws_id = $2",
    "select_cache_key": (
        f"SELECT {PLUGIN_COLUMNS} FROM plugins WHERE cache_key = $1 AND ws_id = $2"
    ),
    "page_first": f"SELECT {SERVICE_COLUMNS} FROM services WHERE ws_id = $1 ORDER BY id LIMIT $2",
    "page_next": (
        f"SELECT {SERVICE_COLUMNS} FROM services WHERE ws_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    ),
    "routes_of_service": (
        f"SELECT {ROUTE_COLUMNS} FROM routes WHERE service_id = $1 AND ws_id = $2 "
        "ORDER BY id LIMIT $3"
    ),
    "lock_service": (
        f"SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1 AND ws_id = $2 FOR UPDATE"
    ),
    # the row is locked and its workspace checked: the id is enough
    "update_retries": "UPDATE services SET retries = $2, updated_at = $3 WHERE id = $1",
    "insert_service": (
        f"INSERT INTO services ({SERVICE_WRITE_COLUMNS}) VALUES ({_placeholders(19)})"
    ),
    "upsert_service": (
        f"INSERT INTO services ({SERVICE_WRITE_COLUMNS}) VALUES ({_placeholders(19)}) "
        f"ON CONFLICT (id) DO UPDATE SET {_SVC_UPDATE} WHERE services.ws_id = EXCLUDED.ws_id "
        "RETURNING (xmax = 0) AS created"
    ),
    "insert_route": f"INSERT INTO routes ({ROUTE_WRITE_COLUMNS}) VALUES ({_placeholders(22)})",
    "delete_service": (
        f"DELETE FROM services WHERE id = $1 AND ws_id = $2 RETURNING {SERVICE_COLUMNS}"
    ),
    "plugins_where": f"SELECT {PLUGIN_COLUMNS} FROM plugins WHERE name = $1 AND service_id = $2",
}
"""Every statement the raw side sends, prepared once per connection."""

_CLONE_SERVICES = """
INSERT INTO services
SELECT (jsonb_populate_record(s, jsonb_build_object('id', x.id, 'name', x.name))).*
FROM services s, unnest($2::uuid[], $3::text[]) AS x(id, name)
WHERE s.id = $1
"""
_CLONE_ROUTES = """
INSERT INTO routes
SELECT (jsonb_populate_record(r, jsonb_build_object('id', x.id, 'service_id', x.sid))).*
FROM routes r, unnest($2::uuid[], $3::uuid[]) AS x(id, sid)
WHERE r.id = $1
"""
_CLONE_PLUGINS = """
INSERT INTO plugins
SELECT (jsonb_populate_record(p, jsonb_build_object(
    'id', x.id, 'service_id', x.sid, 'cache_key', x.ck))).*
FROM plugins p, unnest($2::uuid[], $3::uuid[], $4::text[]) AS x(id, sid, ck)
WHERE p.id = $1
"""


def plugin_cache_key(db: Any, service_id: str) -> str:
    """The cache key of a service's key-auth plugin in the current (default) workspace.

    kongdao's own ``db.plugins.cache_key(...)``: ``plugins:key-auth::<service id>:::<ws id>``.
    """
    return str(db.plugins.cache_key("key-auth", None, service_id))


async def _clone_plugins(
    db: Any, admin: asyncpg.Connection, template: str, service_ids: Sequence[uuid.UUID]
) -> None:
    """Clone the key-auth plugin ``template`` onto ``service_ids`` (cache keys recomputed)."""
    await admin.execute(
        _CLONE_PLUGINS,
        uuid.UUID(template),
        [uuid.uuid4() for _ in service_ids],
        list(service_ids),
        [plugin_cache_key(db, str(s)) for s in service_ids],
    )


def driver_dsn(dsn: str) -> str:
    """``dsn`` without kongdao's read-replica options (``ro_*``), for asyncpg itself.

    The raw side and the administrative connections use the primary: with a replica, the raw
    baseline is the same work on one server (see benchmarks/README, "Clusters").
    """
    parts = urllib.parse.urlsplit(dsn)
    query = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("ro_")
    ]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


async def recreate_database(dsn: str, *, settings: dict[str, str] | None = None) -> None:
    """Drop the database ``dsn`` names (if it exists) and create it empty.

    Args:
        dsn: the database (never ``postgres`` or a template).
        settings: server settings for every session in it (``ALTER DATABASE ... SET``).
    """
    parts = urllib.parse.urlsplit(driver_dsn(dsn))
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    if not name or name in ("postgres", "template0", "template1"):
        raise ValueError(f"refusing to recreate the database {name!r}: name a dedicated one")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin, timeout=10)
    try:
        quoted = '"{}"'.format(name.replace('"', '""'))
        await conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {quoted}")
        for key, value in (settings or {}).items():
            if not key.replace("_", "").isalnum():
                raise ValueError(f"not a setting name: {key!r}")
            literal = "'{}'".format(value.replace("'", "''"))
            await conn.execute(f"ALTER DATABASE {quoted} SET {key} = {literal}")
    finally:
        await conn.close()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


async def _seed(
    db: Any, admin: asyncpg.Connection, mode: Mode, progress: Progress
) -> dict[str, Any]:
    """Fill the tables; return the keys the workloads use."""
    progress.status("postgres: seeding")
    svc0 = await db.services.insert({"name": "svc-00000", "host": "example.com"})
    route0 = await db.routes.insert({"paths": ["/bench"], "service": {"id": svc0.id}})
    plugin0 = await db.plugins.insert({"name": "key-auth", "service": {"id": svc0.id}})
    ids = [svc0.id] + [str(uuid.uuid4()) for _ in range(mode.services - 1)]
    names = [f"svc-{i:05d}" for i in range(mode.services)]
    await admin.execute(
        _CLONE_SERVICES, uuid.UUID(svc0.id), [uuid.UUID(x) for x in ids[1:]], names[1:]
    )
    route_sids = ids[: mode.route_services]
    # the first service already has route0
    clones = [uuid.UUID(sid) for sid in route_sids for _ in range(mode.routes_per_service)][1:]
    await admin.execute(_CLONE_ROUTES, uuid.UUID(route0.id), [uuid.uuid4() for _ in clones], clones)
    stored_key = await admin.fetchval(
        "SELECT cache_key FROM plugins WHERE id = $1", uuid.UUID(plugin0.id)
    )
    if stored_key != plugin_cache_key(db, svc0.id):
        raise BenchError(
            f"the plugin's cache key is {stored_key!r}, not {plugin_cache_key(db, svc0.id)!r}"
        )
    plugin_sids = ids[1 : mode.plugins]
    await _clone_plugins(db, admin, plugin0.id, [uuid.UUID(s) for s in plugin_sids])
    await admin.execute("ANALYZE")
    counts = {
        t: await admin.fetchval(f"SELECT count(*) FROM {t}")
        for t in ("services", "routes", "plugins")
    }
    if counts["services"] != mode.services or counts["plugins"] != mode.plugins:
        raise BenchError(f"seeding went wrong: {counts}")
    rng = random.Random(7)
    lookup = list(range(mode.services))
    rng.shuffle(lookup)
    return {
        "ids": [ids[i] for i in lookup],
        "names": [names[i] for i in lookup],
        "route_sids": route_sids,
        "plugin_sids": ids[: mode.plugins],
        # routes are inserted on services that have none, so page_for_service stays fixed
        "insert_route_sids": ids[mode.route_services : 2 * mode.route_services]
        or ids[: mode.route_services],
        "template": svc0.id,
        "plugin_template": plugin0.id,
        # the workspace every row is in: the raw side binds it, kongdao finds it by itself
        "ws": uuid.UUID(db.default_workspace_id),
        "counts": counts,
    }


async def _raw_connection(dsn: str) -> tuple[asyncpg.Connection, dict[str, Any]]:
    conn = await asyncpg.connect(dsn, timeout=10)
    stmts = {name: await conn.prepare(sql) for name, sql in RAW_SQL.items()}
    # Connection.prepare() leaves an implicit transaction open, holding relation locks until
    # the next message (asyncpg issue 1276): any simple query releases them.
    await conn.execute("SELECT 1")
    return conn, stmts


def _found(row: Any, what: str) -> int:
    if row is None:
        raise BenchError(f"{what}: nothing found")
    return 1


async def build(
    mode: Mode,
    *,
    dsn: str = DEFAULT_DSN,
    workers: int = 32,
    operations: Sequence[str] | None = None,
    progress: Progress | None = None,
    synchronous_commit: str = "off",
) -> Suite:
    """Recreate the database, seed it, open kongdao and the raw connections; the workloads.

    Args:
        mode: the data sizes and amounts of work.
        dsn: the benchmark database (dropped and recreated).
        workers: the highest concurrency: kongdao's pool size and the raw connections.
        operations: only these operations (default: all).
        progress: where to report progress.
        synchronous_commit: the database's ``synchronous_commit``. ``off`` (the default) keeps
            the WAL flush (the disk's fsync time, the same for both sides and very noisy on a
            VM) out of write latencies, so the figures measure the client layers.
    """
    progress = progress or Progress(enabled=False)
    progress.status("postgres: creating the database")
    await recreate_database(dsn, settings={"synchronous_commit": synchronous_commit})
    db = await kongdao.connect(
        dsn,
        ttl_cleanup_interval=None,
        check_migrations=False,
        pool_min_size=workers,
        pool_max_size=workers,
    )
    suite = Suite()
    suite.closers.append(db.close)
    try:
        await db.migrations.bootstrap()
        admin = await asyncpg.connect(driver_dsn(dsn), timeout=10)
        suite.closers.append(admin.close)
        keys = await _seed(db, admin, mode, progress)
        progress.status("postgres: opening raw connections")
        raw = await asyncio.gather(*(_raw_connection(driver_dsn(dsn)) for _ in range(workers)))
        for conn, _ in raw:
            suite.closers.append(conn.close)
        stmts = [{**s, "conn": conn} for conn, s in raw]
        server_version = await admin.fetchval("SHOW server_version")
        suite.info = {
            "dsn": redact(dsn),
            "server_version": str(server_version),
            "driver": "asyncpg",
            "driver_version": asyncpg.__version__,
            "kongdao_pool": {"min_size": workers, "max_size": workers},
            "raw_connections": workers,
            "synchronous_commit": synchronous_commit,
            "data": {
                "services": keys["counts"]["services"],
                "routes": keys["counts"]["routes"],
                "plugins": keys["counts"]["plugins"],
                "route_services": mode.route_services,
                "routes_per_service": mode.routes_per_service,
            },
        }
        workloads = _workloads(db, admin, stmts, keys, mode, workers)
        extra, skipped = _legacy_and_sync(db, stmts, keys, dsn, workers, release=db.close)
        suite.add(workloads + extra, operations)
        suite.skipped += [s for s in skipped if not operations or s["operation"] in operations]

        async def settle(seconds: float) -> None:
            ids = keys["ids"]
            end = asyncio.get_running_loop().time() + seconds
            i = 0
            while asyncio.get_running_loop().time() < end:
                await db.services.select({"id": ids[i % len(ids)]})
                await stmts[0]["select_pk"].fetchrow(uuid.UUID(ids[i % len(ids)]), keys["ws"])
                i += 1

        suite.settle = settle
    except BaseException:
        await suite.close()
        raise
    return suite


def _legacy_and_sync(
    db: Any,
    stmts: list[dict[str, Any]],
    keys: dict[str, Any],
    dsn: str,
    workers: int,
    *,
    release: Callable[[], Awaitable[None]],
) -> tuple[list[Workload], list[dict[str, str]]]:
    """The legacy ``find_all`` and sync-wrapper workloads, or why they are skipped.

    Both APIs were being written alongside this suite: each row is added only when its API
    is there (``db.dao.<entity>.find_all``, ``kongdao.sync.connect``).

    The sync workload comes last and opens a DB of its own (``workers`` more connections);
    ``release`` closes the async DB first, which nothing needs any more, so that the run fits
    in PostgreSQL's default ``max_connections`` (100) beside other clients.
    """
    out: list[Workload] = []
    skipped: list[dict[str, str]] = []
    plugin_sids: list[str] = keys["plugin_sids"]
    plugin_uids = [uuid.UUID(s) for s in plugin_sids]
    npl = len(plugin_sids)
    try:
        legacy_plugins = db.dao.plugins
        find_all = legacy_plugins.find_all
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
            rows = await stmts[w]["plugins_where"].fetch("key-auth", plugin_uids[i % npl])
            if len(rows) != 1:
                raise BenchError(f"find_all: {len(rows)} rows, expected 1")
            return 1

        out.append(
            Workload(
                "postgres",
                "legacy_find_all",
                "legacy find_all (name + service_id)",
                "read",
                Impl(
                    "kongdao",
                    k_find_all,
                    statements="SELECT ... WHERE name AND service_id ORDER BY id LIMIT",
                ),
                Impl("raw", r_find_all, statements="SELECT ... WHERE name AND service_id"),
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
    uids = [uuid.UUID(x) for x in ids]
    n = len(ids)
    ws: uuid.UUID = keys["ws"]
    state: dict[str, Any] = {}

    async def setup() -> None:
        import kongdao.sync

        await release()
        state["sdb"] = await asyncio.to_thread(
            kongdao.sync.connect,
            dsn,
            ttl_cleanup_interval=None,
            pool_min_size=workers,
            pool_max_size=workers,
        )
        # the raw side's "portal" is this very loop, idle while the threads run
        state["loop"] = asyncio.get_running_loop()

    async def teardown() -> None:
        sdb = state.pop("sdb", None)
        if sdb is not None:
            await asyncio.to_thread(sdb.close)

    def k_sync(w: int, i: int) -> int:
        return _found(state["sdb"].services.select({"id": ids[i % n]}), "sync select")

    def r_sync(w: int, i: int) -> int:
        coro = stmts[w]["select_pk"].fetchrow(uids[i % n], ws)
        row = asyncio.run_coroutine_threadsafe(coro, state["loop"]).result()
        return _found(row, "sync select")

    out.append(
        Workload(
            "postgres",
            "sync_select",
            "sync wrapper: select by pk (threads)",
            "read",
            Impl(
                "kongdao",
                k_sync,
                threaded=True,
                statements="kongdao.sync: SELECT by id and ws_id via its loop thread",
            ),
            Impl(
                "raw",
                r_sync,
                threaded=True,
                statements="SELECT by id and ws_id via run_coroutine_threadsafe on one loop thread",
            ),
            data=f"{n} services; workers are threads",
            setup=setup,
            teardown=teardown,
        )
    )
    return out, skipped


def _workloads(
    db: Any,
    admin: asyncpg.Connection,
    stmts: list[dict[str, Any]],
    keys: dict[str, Any],
    mode: Mode,
    workers: int,
) -> list[Workload]:
    ids: list[str] = keys["ids"]
    uids = [uuid.UUID(x) for x in ids]
    names: list[str] = keys["names"]
    n = len(ids)
    ws: uuid.UUID = keys["ws"]
    out: list[Workload] = []
    services = db.services
    routes = db.routes
    plugins = db.plugins

    # -- reads -------------------------------------------------------------------------------

    async def k_select_pk(w: int, i: int) -> int:
        return _found(await services.select({"id": ids[i % n]}), "select")

    async def r_select_pk(w: int, i: int) -> int:
        return _found(await stmts[w]["select_pk"].fetchrow(uids[i % n], ws), "select")

    out.append(
        Workload(
            "postgres",
            "select_pk",
            "select by primary key",
            "read",
            Impl("kongdao", k_select_pk, statements="SELECT by id and ws_id"),
            Impl("raw", r_select_pk, statements="SELECT by id and ws_id"),
            data=f"{n} services, keys in shuffled order",
        )
    )

    async def k_select_name(w: int, i: int) -> int:
        return _found(await services.select_by_name(names[i % n]), "select_by_name")

    async def r_select_name(w: int, i: int) -> int:
        row = await stmts[w]["select_name"].fetchrow(names[i % n], ws)
        return _found(row, "select_by_name")

    out.append(
        Workload(
            "postgres",
            "select_by_name",
            "select_by_name",
            "read",
            Impl("kongdao", k_select_name, statements="SELECT by name and ws_id"),
            Impl("raw", r_select_name, statements="SELECT by name and ws_id"),
            data=f"{n} services",
        )
    )

    cache_keys = [plugin_cache_key(db, s) for s in keys["plugin_sids"]]
    rng = random.Random(11)
    rng.shuffle(cache_keys)
    nck = len(cache_keys)

    async def k_cache_key(w: int, i: int) -> int:
        return _found(await plugins.select_by_cache_key(cache_keys[i % nck]), "cache_key")

    async def r_cache_key(w: int, i: int) -> int:
        row = await stmts[w]["select_cache_key"].fetchrow(cache_keys[i % nck], ws)
        return _found(row, "cache_key")

    out.append(
        Workload(
            "postgres",
            "select_by_cache_key",
            "select_by_cache_key (plugin)",
            "read",
            Impl("kongdao", k_cache_key, statements="SELECT by cache_key and ws_id"),
            Impl("raw", r_cache_key, statements="SELECT by cache_key and ws_id"),
            data=f"{nck} key-auth plugins",
        )
    )

    for size, weight in ((100, 0.25), (1000, 0.05)):
        out.append(_page_workload(services, stmts, ws, size, weight, workers, n))

    route_sids: list[str] = keys["route_sids"]
    route_uids = [uuid.UUID(s) for s in route_sids]
    nrs = len(route_sids)
    per_service = mode.routes_per_service

    async def k_page_for(w: int, i: int) -> int:
        rows, _ = await routes.page_for_service({"id": route_sids[i % nrs]}, size=100)
        if len(rows) != per_service:
            raise BenchError(f"page_for_service: {len(rows)} routes, expected {per_service}")
        return 1

    async def r_page_for(w: int, i: int) -> int:
        rows = await stmts[w]["routes_of_service"].fetch(route_uids[i % nrs], ws, 101)
        if len(rows) != per_service:
            raise BenchError(f"page_for_service: {len(rows)} routes, expected {per_service}")
        return 1

    out.append(
        Workload(
            "postgres",
            "page_for_service",
            "page_for_service (size 100)",
            "read",
            Impl(
                "kongdao",
                k_page_for,
                statements="SELECT ... WHERE service_id AND ws_id ORDER BY id",
            ),
            Impl("raw", r_page_for, statements="SELECT ... WHERE service_id AND ws_id ORDER BY id"),
            data=f"{nrs} services x {per_service} routes",
        )
    )

    # -- writes ------------------------------------------------------------------------------

    async def k_update(w: int, i: int) -> int:
        await services.update({"id": ids[i % n]}, {"retries": i % 10})
        return 1

    async def r_update(w: int, i: int) -> int:
        s = stmts[w]
        async with s["conn"].transaction():
            row = await s["lock_service"].fetchrow(uids[i % n], ws)
            _found(row, "update")
            await s["update_retries"].fetch(uids[i % n], i % 10, _now())
        return 1

    out.append(
        Workload(
            "postgres",
            "update",
            "update one field",
            "write",
            Impl(
                "kongdao",
                k_update,
                statements=(
                    "BEGIN; SELECT WHERE id AND ws_id FOR UPDATE; UPDATE (all columns) "
                    "RETURNING; COMMIT"
                ),
            ),
            Impl(
                "raw",
                r_update,
                statements=(
                    "BEGIN; SELECT WHERE id AND ws_id FOR UPDATE; UPDATE retries, updated_at; "
                    "COMMIT"
                ),
            ),
            weight=0.5,
            data=f"{n} services, distinct rows per concurrent worker",
        )
    )

    async def k_upsert(w: int, i: int) -> int:
        j = i % n
        await services.upsert({"id": ids[j]}, {"name": names[j], "host": "example.com"})
        return 1

    async def r_upsert(w: int, i: int) -> int:
        j = i % n
        now = _now()
        created = await stmts[w]["upsert_service"].fetchval(
            *_service_values(uids[j], names[j], now, ws)
        )
        if created is None:
            raise BenchError("upsert: nothing written (the id is another workspace's)")
        return 1

    out.append(
        Workload(
            "postgres",
            "upsert",
            "upsert (replace existing)",
            "write",
            Impl(
                "kongdao",
                k_upsert,
                statements=(
                    "INSERT ... ON CONFLICT (id) DO UPDATE WHERE ws_id RETURNING "
                    "(no event listener: the old row is not needed)"
                ),
            ),
            Impl(
                "raw",
                r_upsert,
                statements="INSERT ... ON CONFLICT (id) DO UPDATE WHERE ws_id RETURNING",
            ),
            weight=0.5,
            data=f"{n} services, replaced with the same values",
        )
    )

    async def k_insert_service(w: int, i: int) -> int:
        await services.insert({"name": f"ins-k-{i}", "host": "example.com"})
        return 1

    async def r_insert_service(w: int, i: int) -> int:
        now = _now()
        await stmts[w]["insert_service"].fetch(
            *_service_values(uuid.uuid4(), f"ins-r-{i}", now, ws)
        )
        return 1

    out.append(
        Workload(
            "postgres",
            "insert_service",
            "insert service",
            "write",
            Impl("kongdao", k_insert_service, statements="INSERT (with ws_id) ... RETURNING"),
            Impl("raw", r_insert_service, statements="INSERT (with ws_id)"),
            data="new services with unique names",
        )
    )

    rsids: list[str] = keys["insert_route_sids"]
    r_rsids = [uuid.UUID(s) for s in rsids]
    nrr = len(rsids)

    async def k_insert_route(w: int, i: int) -> int:
        await routes.insert({"paths": [f"/k{i}"], "service": {"id": rsids[i % nrr]}})
        return 1

    async def r_insert_route(w: int, i: int) -> int:
        now = _now()
        await stmts[w]["insert_route"].fetch(
            uuid.uuid4(),
            now,
            now,
            None,
            ["http", "https"],
            None,
            None,
            [f"/r{i}"],
            None,
            426,
            0,
            True,
            "v0",
            False,
            True,
            True,
            None,
            None,
            None,
            None,
            r_rsids[i % nrr],
            ws,
        )
        return 1

    out.append(
        Workload(
            "postgres",
            "insert_route",
            "insert route (with FK)",
            "write",
            Impl(
                "kongdao",
                k_insert_route,
                statements="INSERT (with ws_id) ... RETURNING (FK (service_id, ws_id) by PG)",
            ),
            Impl("raw", r_insert_route, statements="INSERT (with ws_id; FK checked by PG)"),
            data=f"routes on {nrr} services",
        )
    )

    out.append(_delete_workload(db, admin, stmts, keys))
    return out


def _service_values(
    sid: uuid.UUID, name: str, now: datetime.datetime, ws: uuid.UUID
) -> tuple[Any, ...]:
    """A new service's columns as kongdao writes them (defaults filled in, the workspace)."""
    return (
        sid,
        now,
        now,
        name,
        5,
        "http",
        "example.com",
        80,
        None,
        60000,
        60000,
        60000,
        None,
        None,
        None,
        None,
        None,
        True,
        ws,
    )


def _page_workload(
    services: Any,
    stmts: list[dict[str, Any]],
    ws: uuid.UUID,
    size: int,
    weight: float,
    workers: int,
    n: int,
) -> Workload:
    """Every worker walks the whole table page by page, starting over at the end."""
    k_cursors: list[str | None] = [None] * workers
    r_cursors: list[uuid.UUID | None] = [None] * workers

    async def k_page(w: int, i: int) -> int:
        rows, k_cursors[w] = await services.page(size, k_cursors[w])
        return len(rows)

    async def r_page(w: int, i: int) -> int:
        s = stmts[w]
        last = r_cursors[w]
        if last is None:
            rows = await s["page_first"].fetch(ws, size + 1)
        else:
            rows = await s["page_next"].fetch(ws, last, size + 1)
        if len(rows) > size:
            rows = rows[:size]
            r_cursors[w] = rows[-1]["id"]
        else:
            r_cursors[w] = None
        return len(rows)

    return Workload(
        "postgres",
        f"page_{size}",
        f"page through {n:,} rows (size {size})",
        "read",
        Impl(
            "kongdao",
            k_page,
            statements=f"SELECT ... WHERE ws_id AND id > $2 ORDER BY id LIMIT {size + 1}",
        ),
        Impl(
            "raw",
            r_page,
            statements=f"SELECT ... WHERE ws_id AND id > $2 ORDER BY id LIMIT {size + 1}",
        ),
        unit="rows",
        weight=weight,
        data=f"{n} services; one operation = one page; each worker walks the whole table",
        min_per_worker=1 if size >= 1000 else 2,
    )


def _delete_workload(
    db: Any, admin: asyncpg.Connection, stmts: list[dict[str, Any]], keys: dict[str, Any]
) -> Workload:
    """Delete services that each have one key-auth plugin (deleted by the cascade)."""
    targets: dict[str, dict[int, str]] = {"kongdao": {}, "raw": {}}
    services = db.services
    ws: uuid.UUID = keys["ws"]

    def prepare(side: str) -> Callable[[int, int], Awaitable[None]]:
        async def run(start: int, n: int) -> None:
            new = [uuid.uuid4() for _ in range(n)]
            await admin.execute(
                _CLONE_SERVICES,
                uuid.UUID(keys["template"]),
                new,
                [f"del-{side}-{start + j}" for j in range(n)],
            )
            await _clone_plugins(db, admin, keys["plugin_template"], new)
            targets[side].clear()
            targets[side].update({start + j: str(u) for j, u in enumerate(new)})

        return run

    async def k_delete(w: int, i: int) -> int:
        return _found(await services.delete({"id": targets["kongdao"][i]}), "delete")

    async def r_delete(w: int, i: int) -> int:
        sid = uuid.UUID(targets["raw"][i])
        return _found(await stmts[w]["delete_service"].fetchrow(sid, ws), "delete")

    return Workload(
        "postgres",
        "delete_cascade",
        "delete with cascade",
        "write",
        Impl(
            "kongdao",
            k_delete,
            prepare("kongdao"),
            statements=(
                "DELETE ... WHERE id AND ws_id RETURNING (cascade by PG; no event listener: "
                "the cascaded rows are not needed)"
            ),
        ),
        Impl(
            "raw",
            r_delete,
            prepare("raw"),
            statements="DELETE ... WHERE id AND ws_id RETURNING (cascade by PG)",
        ),
        weight=0.5,
        data="services with one key-auth plugin each, made before every round (untimed)",
    )
