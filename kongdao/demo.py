"""A short walk-through of kongdao against a real database (``make demo``).

It bootstraps the migrations, creates a service from a URL, a route, a key-auth plugin and a
consumer, pages through routes, shows a Kong error, and deletes the service with a cascade,
printing each step. It works in its own database (``kongdao_demo`` by default, created when
missing) and cleans up after itself.

Run it with ``python -m kongdao.demo [DSN ...]``: by default on PostgreSQL
(``$KONGDAO_DEMO_DSN`` or ``postgresql://postgres@127.0.0.1:5432/kongdao_demo``) and then on
Cassandra (``$KONGDAO_DEMO_CASSANDRA_DSN`` or
``cassandra://127.0.0.1:9042/kongdao_demo?protocol_version=3``, the local Cassandra 2.1 that
``make cassandra-up`` starts). ``make demo`` starts both servers, runs this, then a short
benchmark of kongdao against the raw drivers.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import urllib.parse
from collections.abc import Callable

import kongdao
from kongdao import errors

__all__ = ["DEFAULT_CASSANDRA_DSN", "DEFAULT_DSN", "ensure_postgres_database", "main", "run_demo"]

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/kongdao_demo"
DEFAULT_CASSANDRA_DSN = "cassandra://127.0.0.1:9042/kongdao_demo?protocol_version=3"


async def ensure_postgres_database(dsn: str) -> None:
    """Create the database a PostgreSQL DSN names, if it does not exist yet."""
    import asyncpg

    parts = urllib.parse.urlsplit(dsn)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    if not name:
        return
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin, timeout=10)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
    finally:
        await conn.close()


async def run_demo(dsn: str, say: Callable[[str], None] = print) -> None:
    """Walk through the main DAO calls on ``dsn``, reporting each step with ``say``."""
    if dsn.startswith(("postgres://", "postgresql://")):
        await ensure_postgres_database(dsn)
    started = time.perf_counter()
    async with kongdao.connect(dsn, ttl_cleanup_interval=None, check_migrations=False) as db:
        info = await db.infos()
        say(f"connected to {info['strategy']} {info['db_ver']} ({db.connector!r})")
        await db.migrations.bootstrap()
        await db.migrations.up()
        say("migrations: bootstrapped and up to date")
        await db.truncate()

        svc = await db.services.insert({"name": "mockbin", "url": "http://mockbin.org/request"})
        say(
            f"service {svc.name!r} from a url: protocol={svc.protocol} host={svc.host} "
            f"port={svc.port} path={svc.path} retries={svc.retries}"
        )
        route = await db.routes.insert({"paths": ["/mock"], "service": {"id": svc.id}})
        say(f"route {route.id} paths={route.paths} protocols={route.protocols}")
        plugin = await db.plugins.insert({"name": "key-auth", "service": {"name": "mockbin"}})
        say(f"key-auth plugin on the service (resolved by name); config={plugin.config}")
        cached = await db.plugins.select_by_cache_key(
            {"name": "key-auth", "service": {"id": svc.id}}
        )
        say(f"select_by_cache_key {db.plugins.cache_key(plugin)!r} -> {cached is not None}")
        consumer = await db.consumers.insert({"username": "alice", "tags": ["demo"]})
        say(f"consumer {consumer.username!r} tagged {consumer.tags}")

        for i in range(25):
            await db.routes.insert({"paths": [f"/r{i}"], "service": {"id": svc.id}})
        pages, offset, seen = 0, None, 0
        while True:
            rows, offset = await db.routes.page_for_service({"id": svc.id}, size=10, offset=offset)
            pages, seen = pages + 1, seen + len(rows)
            if offset is None:
                break
        say(f"paged {seen} routes of the service in {pages} pages of 10")

        updated = await db.services.update({"id": svc.id}, {"retries": 3})
        say(f"PATCH retries -> {updated.retries}; host kept {updated.host!r}")
        try:
            await db.services.insert({"name": "mockbin", "host": "example.org"})
        except errors.UniqueViolation as exc:
            say(f"Kong's error, code {exc.code}: {exc}")
        try:
            await db.services.delete({"id": svc.id})
        except errors.ForeignKeyViolation as exc:
            say(f"delete refused while routes point at it: {exc}")

        events: list[str] = []
        db.events.subscribe(lambda e: events.append(f"{e.operation} {e.entity_name}"))
        async for r in db.routes.each_for_service({"id": svc.id}):
            await db.routes.delete({"id": r.id})
        await db.services.delete({"id": svc.id})
        say(
            f"deleted the routes, then the service: its plugin went with it "
            f"(plugins left: {await db.plugins.count()}); events: {events.count('delete routes')} "
            f"route deletions, {events.count('delete plugins')} cascaded plugin deletion"
        )
        await db.truncate()
    say(f"done in {time.perf_counter() - started:.2f} s")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m kongdao.demo [DSN ...]`` (PostgreSQL, then Cassandra)."""
    from kongdao.testing import postgres

    args = sys.argv[1:] if argv is None else argv
    try:
        if not args and not os.environ.get("KONGDAO_DEMO_DSN") and postgres.ensure_admin_dsn():
            # nothing on 127.0.0.1:5432: the embedded PostgreSQL (KONGDAO_DEMO_DSN now set)
            print("postgres: nothing answers on 127.0.0.1:5432; using the embedded PostgreSQL")
    except (errors.KongDAOError, ImportError) as exc:
        print(f"demo failed: no PostgreSQL to run on: {exc}", file=sys.stderr)
        return 1
    dsns = args or [
        os.environ.get("KONGDAO_DEMO_DSN", DEFAULT_DSN),
        os.environ.get("KONGDAO_DEMO_CASSANDRA_DSN", DEFAULT_CASSANDRA_DSN),
    ]
    try:
        for dsn in dsns:
            print(f"== {urllib.parse.urlsplit(dsn).scheme}")
            try:
                asyncio.run(run_demo(dsn))
            except (errors.KongDAOError, OSError, ImportError) as exc:
                scheme = urllib.parse.urlsplit(dsn).scheme
                print(f"demo failed on {scheme}: {exc}", file=sys.stderr)
                return 1
    finally:
        postgres.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
