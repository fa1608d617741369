"""Soak: mixed operations from several processes on each database, then invariants checked.

``python -m benchmarks.soak [--seconds 90] [--processes 3] [--tasks 8] [--databases
postgres,cassandra] [--json FILE]`` (``make soak``; ``make test-reliability`` runs it after the
tests). For each database it creates a fresh database (PostgreSQL) or keyspace (Cassandra) on
the test servers (``KONGDAO_TEST_PG_DSN``, ``KONGDAO_TEST_CASSANDRA_DSN``, as the tests do; on
loopback only: the soak refuses any other host), bootstraps it, and runs ``--processes``
processes of ``--tasks`` asyncio tasks each for ``--seconds``. The tasks draw operations at
random from a small shared name space, so that processes collide all the time: inserts of taken
names and cache keys, deletes of services that still have routes, routes inserted under
services being deleted, updates of rows being deleted, consumers deleted with their
credentials, reads and pages throughout.

Outcomes are counted per operation: successes; *conflicts*, the errors the data makes expected
(UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, NOT_FOUND, PRIMARY_KEY_VIOLATION); *errors*, anything
else a kongdao error (DATABASE_ERROR: timeouts, Cassandra's contention give-up); and *bugs*,
exceptions that are not kongdao errors.

Then the invariants, with the processes stopped:

* counts: ``count()`` equals the rows ``each()`` returns, for every entity;
* uniqueness: no two rows share a unique value or a cache key (per workspace);
* foreign keys: no row references a missing row. PostgreSQL must have none. Cassandra may
  (its documented window: a child inserted while its parent is deleted): they are counted,
  :func:`kongdao.repair.repair_orphans` runs, and then there must be none;
* no orphaned lookup rows (Cassandra): every claim of a unique value and every child or tag
  index row points at a row that holds that value, and every row's values are claimed and
  indexed;
* durability: every "keeper" consumer the processes inserted (and never delete) is there.

The exit status is 1 when an invariant fails, a bug happened, or errors exceed
``--max-error-rate`` (default 1% of operations); the report gives operations per second.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import ipaddress
import json
import multiprocessing
import os
import random
import secrets
import socket
import sys
import time
import urllib.parse
from typing import Any

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CASSANDRA = "cassandra://127.0.0.1:9042/?protocol_version=3"
EXPECTED = ("UniqueViolation", "ForeignKeyViolation", "NotFound", "PrimaryKeyViolation")
NAMES = 40  # shared service names and usernames: collisions on purpose
KEYS = 120  # shared key-auth keys
GROUPS = 5  # acl groups: (consumer, group) cache keys collide


# -- targets -------------------------------------------------------------------------------------


def loopback_only(dsn: str) -> None:
    """Refuse a DSN whose hosts are not this machine (the soak hammers the server)."""
    parts = urllib.parse.urlsplit(dsn)
    hosts = (parts.netloc.rpartition("@")[2] or "127.0.0.1").split(",")
    for item in hosts:
        host = item.rsplit(":", 1)[0].strip("[]") if item.count(":") <= 1 else item.strip("[]")
        if not host or host.startswith("/"):
            continue  # a Unix socket
        for info in socket.getaddrinfo(host, None):
            if not ipaddress.ip_address(info[4][0]).is_loopback:
                raise SystemExit(f"soak: {host} is not a loopback address; refusing to soak it")


async def create_target(database: str) -> tuple[str, Any]:
    """A fresh database or keyspace: its DSN and a coroutine function dropping it."""
    name = f"kongdao_soak_{secrets.token_hex(4)}"
    if database == "postgres":
        import asyncpg

        admin = os.environ.get("KONGDAO_TEST_PG_DSN", PG_ADMIN)
        loopback_only(admin)
        conn = await asyncpg.connect(admin, timeout=10)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

        async def drop_pg() -> None:
            c = await asyncpg.connect(admin, timeout=10)
            try:
                await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await c.close()

        return f"{admin.rsplit('/', 1)[0]}/{name}", drop_pg
    base = urllib.parse.urlsplit(os.environ.get("KONGDAO_TEST_CASSANDRA_DSN", CASSANDRA))
    dsn = urllib.parse.urlunsplit(base._replace(path=f"/{name}"))
    loopback_only(dsn)

    async def drop_cassandra() -> None:
        from kongdao.connectors.cassandra import from_dsn

        connector = from_dsn(dsn)
        await connector.connect()
        try:
            await connector.drop_keyspace()
        finally:
            await connector.close()

    return dsn, drop_cassandra


# -- the workload (one process) ------------------------------------------------------------------


class Stats:
    """Outcomes per operation, and a few examples of each error."""

    def __init__(self) -> None:
        self.ok: collections.Counter[str] = collections.Counter()
        self.conflicts: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.bugs: collections.Counter[str] = collections.Counter()
        self.examples: list[str] = []
        self.keepers: list[str] = []

    def merge(self, other: dict[str, Any]) -> None:
        for name in ("ok", "conflicts", "errors", "bugs"):
            getattr(self, name).update(other[name])
        self.examples += other["examples"][: max(0, 10 - len(self.examples))]
        self.keepers += other["keepers"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": dict(self.ok),
            "conflicts": dict(self.conflicts),
            "errors": dict(self.errors),
            "bugs": dict(self.bugs),
            "examples": self.examples,
            "keepers": self.keepers,
        }


async def workload(dsn: str, seconds: float, tasks: int, seed: int) -> dict[str, Any]:
    import kongdao
    from kongdao import errors

    rng = random.Random(seed)
    stats = Stats()
    services: list[str] = []
    consumers: list[str] = []
    routes: list[str] = []
    deadline = time.monotonic() + seconds
    settings: dict[str, Any] = {"pool_max_size": tasks} if dsn.startswith("postgres") else {}

    async with kongdao.connect(dsn, ttl_cleanup_interval=None, **settings) as db:

        def pick(ids: list[str]) -> str:
            return rng.choice(ids) if ids else "00000000-0000-4000-8000-000000000000"

        async def op_insert_service() -> None:
            name = f"svc-{rng.randrange(NAMES)}"
            svc = await db.services.insert({"name": name, "host": f"{name}.example"})
            services.append(svc.id)

        async def op_upsert_service() -> None:
            name = f"svc-{rng.randrange(NAMES)}"
            svc = await db.services.upsert_by_name(name, {"host": "up.example"})
            services.append(svc.id)

        async def op_update_service() -> None:
            n = rng.randrange(100)
            await db.services.update({"id": pick(services)}, {"retries": n % 10, "path": f"/{n}"})

        async def op_delete_service() -> None:
            await db.services.delete({"id": pick(services)})

        async def op_insert_route() -> None:
            route = await db.routes.insert(
                {"paths": [f"/r{rng.randrange(10**9)}"], "service": {"id": pick(services)}}
            )
            routes.append(route.id)

        async def op_delete_route() -> None:
            await db.routes.delete({"id": pick(routes)})

        async def op_insert_consumer() -> None:
            consumer = await db.consumers.insert({"username": f"user-{rng.randrange(NAMES)}"})
            consumers.append(consumer.id)

        async def op_insert_keeper() -> None:
            keeper = await db.consumers.insert({"username": f"keep-{seed}-{len(stats.keepers)}"})
            stats.keepers.append(keeper.id)

        async def op_delete_consumer() -> None:
            await db.consumers.delete({"id": pick(consumers)})

        async def op_insert_key() -> None:
            await db.keyauth_credentials.insert(
                {"consumer": {"id": pick(consumers)}, "key": f"key-{rng.randrange(KEYS)}"}
            )

        async def op_insert_acl() -> None:
            await db.acls.insert(
                {"consumer": {"id": pick(consumers)}, "group": f"g{rng.randrange(GROUPS)}"}
            )

        async def op_insert_plugin() -> None:
            await db.plugins.insert({"name": "key-auth", "service": {"id": pick(services)}})

        async def op_read() -> None:
            await db.services.select({"id": pick(services)})
            await db.services.select_by_name(f"svc-{rng.randrange(NAMES)}")
            await db.keyauth_credentials.select_by_key(f"key-{rng.randrange(KEYS)}")

        async def op_page() -> None:
            await db.routes.page_for_service({"id": pick(services)}, size=20)
            await db.services.page(50)

        ops = [
            (op_insert_service, 10),
            (op_upsert_service, 4),
            (op_update_service, 10),
            (op_delete_service, 5),
            (op_insert_route, 10),
            (op_delete_route, 8),
            (op_insert_consumer, 6),
            (op_insert_keeper, 1),
            (op_delete_consumer, 3),
            (op_insert_key, 6),
            (op_insert_acl, 6),
            (op_insert_plugin, 4),
            (op_read, 20),
            (op_page, 6),
        ]
        funcs = [f for f, _ in ops]
        weights = [w for _, w in ops]

        async def task() -> None:
            while time.monotonic() < deadline:
                op = rng.choices(funcs, weights)[0]
                name = op.__name__[3:]
                try:
                    await op()
                except errors.KongDAOError as exc:
                    kind = type(exc).__name__
                    if kind in EXPECTED:
                        stats.conflicts[f"{name}: {kind}"] += 1
                    else:
                        stats.errors[f"{name}: {kind}"] += 1
                        if len(stats.examples) < 10:
                            stats.examples.append(f"{name}: {exc}")
                except Exception as exc:
                    stats.bugs[f"{name}: {type(exc).__name__}"] += 1
                    if len(stats.examples) < 10:
                        stats.examples.append(f"BUG {name}: {exc!r}")
                else:
                    stats.ok[name] += 1

        await asyncio.gather(*(task() for _ in range(tasks)))
    return stats.as_dict()


def process_main(dsn: str, seconds: float, tasks: int, seed: int) -> dict[str, Any]:
    """The body of one soak process."""
    return asyncio.run(workload(dsn, seconds, tasks, seed))


# -- invariants ----------------------------------------------------------------------------------


async def check_invariants(dsn: str, keepers: list[str]) -> dict[str, Any]:
    """Check every invariant of the module docstring; a report with a list of problems."""
    import kongdao
    from kongdao import repair

    problems: list[str] = []
    report: dict[str, Any] = {}
    async with kongdao.connect(dsn, ttl_cleanup_interval=None) as db:
        rows: dict[str, list[Any]] = {}
        for name in ("services", "routes", "consumers", "plugins", "keyauth_credentials", "acls"):
            dao = db.daos[name]
            rows[name] = [e async for e in dao.each(workspace=None, show_ws_id=True)]
            counted = await dao.count(workspace=None)
            if counted != len(rows[name]):
                problems.append(f"{name}: count() = {counted}, each() gave {len(rows[name])}")
            for field in dao.schema.unique_fields:
                seen = collections.Counter(
                    (e.ws_id, e[field]) for e in rows[name] if e[field] is not None
                )
                dup = [k for k, n in seen.items() if n > 1]
                if dup:
                    problems.append(f"{name}.{field}: duplicate values {dup[:3]}")
            if dao.schema.composite_cache_key:
                keys = collections.Counter(dao.cache_key(e) for e in rows[name])
                dup = [k for k, n in keys.items() if n > 1]
                if dup:
                    problems.append(f"{name}: duplicate cache keys {dup[:3]}")
        report["rows"] = {name: len(r) for name, r in rows.items()}

        orphans = await repair.find_orphans(db)
        report["orphans_found"] = len(orphans)
        if orphans:
            if db.connector.capabilities.enforces_foreign_keys:
                problems.append(f"{len(orphans)} rows reference missing rows: {orphans[:3]}")
            await repair.repair_orphans(db)
            left = await repair.find_orphans(db)
            if left:
                problems.append(f"{len(left)} orphans left after repair_orphans: {left[:3]}")

        if db.connector.name == "cassandra":
            report["lookup_rows_checked"] = await check_cassandra_lookups(db, problems)

        missing = [k for k in keepers if await db.consumers.select({"id": k}) is None]
        if missing:
            problems.append(f"{len(missing)} acknowledged keeper consumers are missing")
        report["keepers_checked"] = len(keepers)
    report["problems"] = problems
    return report


async def check_cassandra_lookups(db: Any, problems: list[str]) -> int:
    """Claims, child and tag index rows against the rows they name, both ways."""
    connector = db.connector
    checked = 0
    for name, strategy in connector.strategies.items():
        model = strategy.model
        ids = [row[0] async for row in _scan(connector, model.name, [model.pk.name])]
        stored = {i: s for i, s in zip(ids, await strategy._read_many(ids), strict=True) if s}
        for lk in model.lookups.values():
            claimed = {}
            async for value, owner in _scan(connector, lk.table, ["value", model.pk.name]):
                checked += 1
                claimed[value] = owner
                holder = stored.get(owner)
                if holder is None or lk.value(holder.row) != value:
                    problems.append(f"{lk.table}: claim {value!r} -> {owner}, not held by that row")
            for rid, s in stored.items():
                value = lk.value(s.row)
                if value is not None and claimed.get(value) != rid:
                    problems.append(f"{lk.table}: {name} {rid} holds {value!r} unclaimed")
        for ix in model.children.values():
            if ix.lookup is not None:
                continue
            indexed = set()
            async for key, child in _scan(connector, ix.table, [ix.key, model.pk.name]):
                checked += 1
                indexed.add((key, child))
                holder = stored.get(child)
                if holder is None or ix.value(holder.row) != key:
                    problems.append(f"{ix.table}: {key} -> {child}, not a child of it")
            for rid, s in stored.items():
                key = ix.value(s.row)
                if key is not None and (key, rid) not in indexed:
                    problems.append(f"{ix.table}: {name} {rid} of {key} is not indexed")
        if model.tag_table is not None:
            tagged = set()
            async for tag, child in _scan(connector, model.tag_table, ["tag", model.pk.name]):
                checked += 1
                tagged.add((tag, child))
                holder = stored.get(child)
                if holder is None or tag not in (holder.row.get("tags") or []):
                    problems.append(f"{model.tag_table}: {tag} -> {child}, not tagged so")
            problems.extend(
                f"{model.tag_table}: {rid} tag {tag!r} not indexed"
                for rid, s in stored.items()
                for tag in s.row.get("tags") or []
                if (tag, rid) not in tagged
            )
    return checked


async def _scan(connector: Any, table: str, columns: list[str]) -> Any:
    from kongdao.connectors.cassandra.model import quote_ident

    cols = ", ".join(quote_ident(c) for c in columns)
    result = await connector.execute_simple(f"SELECT {cols} FROM {connector.table(table)}")
    for row in result:
        yield row.as_list()


# -- the run -------------------------------------------------------------------------------------


async def soak_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    import kongdao

    dsn, drop = await create_target(database)
    try:
        async with kongdao.connect(dsn, ttl_cleanup_interval=None, check_migrations=False) as db:
            await db.migrations.bootstrap()
        ctx = multiprocessing.get_context("spawn")
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        with ctx.Pool(args.processes) as pool:
            results = await loop.run_in_executor(
                None,
                pool.starmap,
                process_main,
                [
                    (dsn, args.seconds, args.tasks, 1000 * i + args.seed)
                    for i in range(args.processes)
                ],
            )
        elapsed = time.monotonic() - started
        stats = Stats()
        for r in results:
            stats.merge(r)
        invariants = await check_invariants(dsn, stats.keepers)
    finally:
        await drop()
    total = sum(stats.ok.values()) + sum(stats.conflicts.values())
    total += sum(stats.errors.values()) + sum(stats.bugs.values())
    return {
        "database": database,
        "seconds": round(elapsed, 1),
        "processes": args.processes,
        "tasks": args.tasks,
        "operations": total,
        "ops_per_second": round(total / elapsed, 1),
        "ok": sum(stats.ok.values()),
        "conflicts": sum(stats.conflicts.values()),
        "errors": sum(stats.errors.values()),
        "bugs": sum(stats.bugs.values()),
        "by_operation": {
            "ok": dict(stats.ok),
            "conflicts": dict(stats.conflicts),
            "errors": dict(stats.errors),
            "bugs": dict(stats.bugs),
        },
        "examples": stats.examples,
        "invariants": invariants,
    }


def print_report(r: dict[str, Any], max_error_rate: float) -> bool:
    inv = r["invariants"]
    rate = r["errors"] / r["operations"] if r["operations"] else 0.0
    passed = not inv["problems"] and not r["bugs"] and rate <= max_error_rate
    print(
        f"\n== {r['database']}: {r['processes']} processes x {r['tasks']} tasks, "
        f"{r['seconds']} s ==\n"
        f"operations {r['operations']:,} ({r['ops_per_second']:,.0f}/s): ok {r['ok']:,}, "
        f"expected conflicts {r['conflicts']:,}, errors {r['errors']:,} ({rate:.3%}), "
        f"bugs {r['bugs']}"
    )
    for kind in ("errors", "bugs"):
        for what, n in sorted(r["by_operation"][kind].items()):
            print(f"  {kind[:-1]}: {what} x{n}")
    for example in r["examples"][:5]:
        print(f"  e.g. {example[:200]}")
    print(
        f"rows at the end: {inv['rows']}; orphans found {inv['orphans_found']}"
        + (" (repaired)" if inv["orphans_found"] else "")
        + (
            f"; lookup/index rows checked {inv['lookup_rows_checked']:,}"
            if "lookup_rows_checked" in inv
            else ""
        )
        + f"; keepers checked {inv['keepers_checked']}"
    )
    for problem in inv["problems"][:20]:
        print(f"  INVARIANT: {problem}")
    print("PASS" if passed else "FAIL")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=90, help="per database (default 90)")
    parser.add_argument("--processes", type=int, default=3, help="worker processes (default 3)")
    parser.add_argument("--tasks", type=int, default=8, help="asyncio tasks per process (8)")
    parser.add_argument("--databases", default="postgres,cassandra", help="comma-separated")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the workload")
    parser.add_argument("--max-error-rate", type=float, default=0.01)
    parser.add_argument("--json", help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 3600:
        parser.error("--seconds must be between 0 and 3600 (the soak is bounded in time)")
    reports = []
    ok = True
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if database not in ("postgres", "cassandra"):
            parser.error(f"unknown database {database!r}")
        report = asyncio.run(soak_one(database, args))
        reports.append(report)
        ok = print_report(report, args.max_error_rate) and ok
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(reports, fh, indent=2, default=str)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
