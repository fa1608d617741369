"""Races beyond tests/conformance/test_concurrency.py, on both databases.

test_concurrency.py already proves, on every backend: 50 concurrent inserts of one name and of
one plugin cache key give one row and 49 UNIQUE_VIOLATIONs; concurrent updates never mix two
writes in one row; upserts of one key make one row; updates racing a delete never resurrect it;
and, where foreign keys are enforced (PostgreSQL), a service deleted while routes are inserted
under it never leaves a route behind. This module adds:

* uniqueness on the *update* path (50 rows renamed to one name at once), per workspace (one
  name claimed at once in two workspaces), and across mixed inserts and upserts;
* the lost-update rule, measured: PostgreSQL loses no field at any concurrency (the row is
  locked for the read-merge-write); Cassandra loses none with up to three concurrent writers of
  one row (compare-and-set, three tries) and beyond that falls back to last-writer-wins for the
  whole row, never a half-merged one;
* the foreign key window on Cassandra: a service deleted while routes are inserted under it can
  leave routes pointing at nothing; the window is bounded by the delete's own duration (an
  insert started after the delete returned is always refused) and
  :func:`kongdao.repair.repair_orphans` closes it.
"""

from __future__ import annotations

import asyncio
import time

import pytest

import kongdao
from kongdao import errors, repair
from kongdao.cli.__main__ import main as cli_main
from kongdao.schema import Entity, Field, Ref, entity, field, typedefs
from kongdao.testing.plugin import create_tables

pytestmark = pytest.mark.postgres

N = 50


async def gather(coros):
    return await asyncio.gather(*coros, return_exceptions=True)


def split(results):
    ok = [r for r in results if not isinstance(r, BaseException)]
    failed = [r for r in results if isinstance(r, BaseException)]
    return ok, failed


# -- uniqueness on other paths -------------------------------------------------------------------


async def test_concurrent_renames_to_one_name(db, figures):
    """50 rows renamed to the same name at once: one wins, the others keep their own name."""
    rows = [await db.services.insert({"name": f"r{i}", "host": "a.example"}) for i in range(N)]
    results = await gather(db.services.update({"id": r.id}, {"name": "taken"}) for r in rows)
    ok, failed = split(results)
    assert len(ok) == 1
    assert all(isinstance(f, errors.UniqueViolation) for f in failed), failed[:3]
    assert all(f.fields == {"name": "taken"} for f in failed)
    stored = {s.id: s.name async for s in db.services.each()}
    assert sorted(stored.values()) == sorted(["taken"] + [r.name for r in rows if r.id != ok[0].id])
    assert (await db.services.select_by_name("taken")).id == ok[0].id
    # the losers' names are still theirs, and "taken" is free again once its holder moves on
    for r in rows[:5]:
        if r.id != ok[0].id:
            assert (await db.services.select_by_name(r.name)).id == r.id
    await db.services.update({"id": ok[0].id}, {"name": "moved"})
    assert (await db.services.insert({"name": "taken", "host": "b.example"})).name == "taken"
    figures.add(
        "50 concurrent renames to one name", db.connector.name, "1 winner, 49 UNIQUE_VIOLATION"
    )


async def test_one_name_claimed_in_two_workspaces_at_once(db):
    """Names are unique per workspace: one winner in each of two workspaces."""
    await db.workspaces.insert({"name": "team-b"})
    calls = [
        db.services.insert({"name": "shared", "host": f"h{i}.example"}, workspace=ws)
        for i in range(N)
        for ws in ("default", "team-b")
    ]
    ok, failed = split(await gather(calls))
    assert len(ok) == 2
    assert all(isinstance(f, errors.UniqueViolation) for f in failed), failed[:3]
    for ws in ("default", "team-b"):
        assert (await db.services.select_by_name("shared", workspace=ws)) is not None
        assert await db.services.count(workspace=ws) == 1


async def test_inserts_and_upserts_of_one_name_at_once(db):
    """Inserts and upserts of one name at once: one row; each insert wins or gets UNIQUE."""
    calls = []
    for i in range(N // 2):
        calls.append(db.services.insert({"name": "mixed", "host": f"i{i}.example"}))
        calls.append(db.services.upsert_by_name("mixed", {"host": f"u{i}.example"}))
    results = await gather(calls)
    inserts, upserts = results[0::2], results[1::2]
    _, insert_failures = split(inserts)
    assert all(isinstance(f, errors.UniqueViolation) for f in insert_failures)
    _, upsert_failures = split(upserts)
    assert all(isinstance(f, errors.UniqueViolation) for f in upsert_failures)
    rows = [s async for s in db.services.each()]
    assert [r.name for r in rows] == ["mixed"]


# -- the lost-update rule ------------------------------------------------------------------------

# ten fields of a service that no check ties to another, each set by its own writer
FIELDS = [
    ("retries", 7),
    ("connect_timeout", 1111),
    ("write_timeout", 2222),
    ("read_timeout", 3333),
    ("path", "/updated"),
    ("port", 8080),
    ("host", "updated.example.com"),
    ("tags", ["t"]),
    ("enabled", False),
    ("name", "renamed"),
]


async def _lost_fields(db, writers: int, rounds: int) -> tuple[int, int]:
    """Rounds of ``writers`` concurrent updates of distinct fields: (fields lost, written)."""
    lost = written = 0
    for r in range(rounds):
        svc = await db.services.insert({"name": f"lu-{writers}-{r}", "host": "orig.example"})
        updates = dict(FIELDS[:writers])
        if "name" in updates:
            updates["name"] = f"renamed-{writers}-{r}"
        results = await gather(
            db.services.update({"id": svc.id}, {f: v}) for f, v in updates.items()
        )
        _, failed = split(results)
        assert failed == [], failed[:3]
        final = await db.services.select({"id": svc.id})
        for f, v in updates.items():
            written += 1
            if final[f] != v:
                assert final[f] == svc[f]  # lost: the original value, never a third one
                lost += 1
        await db.services.delete({"id": svc.id})
    return lost, written


async def test_up_to_three_concurrent_writers_lose_no_field(db, figures):
    lost, written = await _lost_fields(db, writers=3, rounds=20)
    assert lost == 0
    figures.add(
        "3 concurrent updates of distinct fields of one row, 20 rounds",
        db.connector.name,
        f"{lost} of {written} field writes lost",
    )


async def test_lost_updates_at_high_concurrency(db, figures):
    """10 writers of one row: none lost with transactions; else LWW per row, counted."""
    lost, written = await _lost_fields(db, writers=10, rounds=10)
    if db.connector.capabilities.transactions:
        assert lost == 0
    figures.add(
        "10 concurrent updates of distinct fields of one row, 10 rounds",
        db.connector.name,
        f"{lost} of {written} field writes lost"
        + (
            " (row lock)"
            if db.connector.capabilities.transactions
            else " (last writer wins per row)"
        ),
    )


# -- the foreign key window ----------------------------------------------------------------------


async def test_delete_racing_inserts_window_is_bounded_and_repairable(db, bp, figures):
    """A service deleted while 30 routes are inserted under it, 20 rounds.

    Where foreign keys are enforced, no route is ever left behind. Elsewhere some may be
    (counted); but an insert that starts after the delete returned is always refused, and
    :func:`kongdao.repair.repair_orphans` leaves no route pointing at a missing service.
    """
    orphans_seen = refused_after = 0
    delete_times = []
    for round_ in range(20):
        svc = await bp.services()

        async def insert_route(i, svc=svc, round_=round_):
            await asyncio.sleep(0.0005 * i)
            return await db.routes.insert({"paths": [f"/w{round_}-{i}"], "service": {"id": svc.id}})

        async def delete_service(svc=svc, round_=round_):
            await asyncio.sleep(0.002 * (round_ % 5))
            start = time.monotonic()
            try:
                return await db.services.delete({"id": svc.id})
            finally:
                delete_times.append(time.monotonic() - start)

        results = await gather([delete_service(), *(insert_route(i) for i in range(30))])
        deleted, routes = results[0], results[1:]
        _, failed = split(routes)
        for exc in failed:
            assert isinstance(exc, errors.ForeignKeyViolation), repr(exc)
        if isinstance(deleted, BaseException):
            assert isinstance(deleted, errors.ForeignKeyViolation), repr(deleted)
            continue
        # the delete returned: from now on, every insert under the service is refused
        with pytest.raises(errors.ForeignKeyViolation):
            await db.routes.insert({"paths": [f"/after{round_}"], "service": {"id": svc.id}})
        refused_after += 1
        orphans_seen += len(await repair.find_orphans(db, ["routes"]))
        await repair.repair_orphans(db, ["routes"])

    if db.connector.capabilities.enforces_foreign_keys:
        assert orphans_seen == 0
    assert await repair.find_orphans(db) == []
    async for route in db.routes.each():
        assert await db.services.select({"id": route.service.id}) is not None
    assert refused_after > 0
    figures.add(
        "service deleted while 30 routes are inserted under it, 20 rounds",
        db.connector.name,
        f"{orphans_seen} routes left pointing at a deleted service"
        + ("" if db.connector.capabilities.enforces_foreign_keys else ", 0 after repair_orphans")
        + f"; window <= the delete's duration (max {max(delete_times) * 1000:.0f} ms); "
        f"inserts after the delete returned: refused in {refused_after} of {refused_after} rounds",
    )


@entity("rel_memos")
class Memo(Entity):
    """A throwaway entity whose reference is cleared when its consumer goes (``null``)."""

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref | None = field(Field(type="foreign", reference="consumers", on_delete="null"))
    text: str | None = field(Field(type="string"))


async def _delete_behind_the_daos_back(db, entity, row_id):
    """Remove a row without its foreign key actions: the state the race can leave."""
    connector = db.connector
    if connector.name == "postgres":
        async with connector.pool.acquire() as conn, conn.transaction():
            # replica mode skips the foreign key triggers (checks and ON DELETE actions)
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                f"DELETE FROM {connector.strategies[entity].table} WHERE id = $1", row_id
            )
    else:
        await connector.execute_simple(f"DELETE FROM {connector.table(entity)} WHERE id = {row_id}")


async def test_repair_applies_each_relations_rule(db, dsn_for, capsys):
    """repair_orphans: ``cascade`` and ``restrict`` children deleted, ``null`` ones cleared.

    The orphans are made on purpose (parents removed without their foreign key actions), so
    this runs on every database.
    """
    async with kongdao.connect(dsn_for, entities=[Memo], ttl_cleanup_interval=None) as rdb:
        await create_tables(rdb, Memo)
        svc = await rdb.services.insert({"name": "doomed", "host": "a.example"})
        route = await rdb.routes.insert({"paths": ["/doomed"], "service": {"id": svc.id}})
        plugin = await rdb.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
        consumer = await rdb.consumers.insert({"username": "doomed"})
        cred = await rdb.keyauth_credentials.insert({"consumer": {"id": consumer.id}})
        memo = await rdb.rel_memos.insert({"consumer": {"id": consumer.id}, "text": "keep me"})
        keeper = await rdb.routes.insert(
            {
                "paths": ["/kept"],
                "service": {
                    "id": (await rdb.services.insert({"name": "kept", "host": "b.example"})).id
                },
            }
        )
        assert await repair.find_orphans(rdb) == []

        await _delete_behind_the_daos_back(rdb, "services", svc.id)
        await _delete_behind_the_daos_back(rdb, "consumers", consumer.id)
        events = []
        rdb.events.subscribe(lambda ev: events.append((ev.operation, ev.entity_name)))

        # the command line lists them (a dry run: rel_memos is not served by its DB)
        code = await asyncio.to_thread(cli_main, ["repair", "--dry-run", "--dsn", dsn_for])
        assert code == 0
        out = capsys.readouterr().out
        assert f"routes {{'id': '{route.id}'}}: service -> missing services" in out
        assert "would repair 3 rows" in out

        found = await repair.find_orphans(rdb)
        assert {(o.entity, o.pk["id"], o.field, o.on_delete) for o in found} == {
            ("routes", route.id, "service", "restrict"),
            ("plugins", plugin.id, "service", "cascade"),
            ("keyauth_credentials", cred.id, "consumer", "cascade"),
            ("rel_memos", memo.id, "consumer", "null"),
        }
        assert sorted(await repair.repair_orphans(rdb, dry_run=True), key=repr) == sorted(
            found, key=repr
        )
        assert await rdb.routes.select({"id": route.id}) is not None  # a dry run changes nothing

        assert sorted(await repair.repair_orphans(rdb), key=repr) == sorted(found, key=repr)
        assert await rdb.routes.select({"id": route.id}) is None
        assert await rdb.plugins.select({"id": plugin.id}) is None
        assert await rdb.keyauth_credentials.select({"id": cred.id}) is None
        kept_memo = await rdb.rel_memos.select({"id": memo.id})
        assert (kept_memo.consumer, kept_memo.text) == (None, "keep me")
        assert await rdb.routes.select({"id": keeper.id}) == keeper
        assert sorted(events) == sorted(
            [
                ("delete", "routes"),
                ("delete", "plugins"),
                ("delete", "keyauth_credentials"),
                ("update", "rel_memos"),
            ]
        )
        assert await repair.find_orphans(rdb) == []
