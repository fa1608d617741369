"""CRUD events (Kong's ``dao:crud``): what is emitted, when, and to whom.

Connector-agnostic (KONG.md 1.9, 6.4, 9): every successful write emits one event after the
database changed; updates carry the stored entity as ``old_entity``; upserts emit ``create`` or
``update``; a cascading delete emits one ``delete`` per removed row (kongdao also covers
grandchildren, which Kong's PostgreSQL strategy missed); ``no_broadcast_crud_event`` suppresses.
"""

import logging

import pytest

import kongdao
from kongdao import CrudEvent, errors
from kongdao.schema import Entity, Field, Ref, entity, field, typedefs
from kongdao.testing.plugin import create_tables

pytestmark = pytest.mark.postgres


@entity("t_evt_keys", endpoint_key="key", cache_key=("key",))
class EvtKey(Entity):
    id: str = field(typedefs.uuid())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    key: str | None = field(Field(type="string", unique=True))
    note: str | None = field(Field(type="string"))


@entity("t_evt_uses")
class EvtUse(Entity):
    id: str = field(typedefs.uuid())
    credential: Ref = field(
        Field(type="foreign", reference="t_evt_keys", required=True, on_delete="cascade")
    )


@pytest.fixture
async def edb(db, dsn_for):
    db2 = await kongdao.connect(dsn_for, entities=[EvtKey, EvtUse], ttl_cleanup_interval=None)
    try:
        await create_tables(db2, EvtKey, EvtUse)
        await db2.truncate("t_evt_uses")
        await db2.truncate("t_evt_keys")
        yield db2
    finally:
        await db2.close()


class Recorder:
    """An async subscriber keeping every event."""

    def __init__(self):
        self.events: list[CrudEvent] = []

    async def __call__(self, event):
        self.events.append(event)

    @property
    def summary(self):
        return [(e.operation, e.entity_name, e.entity.id) for e in self.events]


@pytest.fixture
def rec(db):
    recorder = Recorder()
    db.events.subscribe(recorder)
    return recorder


# -- create / update / delete --------------------------------------------------------------


async def test_insert_emits_create(db, rec):
    svc = await db.services.insert({"name": "s1", "host": "example.com"})
    assert len(rec.events) == 1
    ev = rec.events[0]
    assert (ev.operation, ev.entity_name) == ("create", "services")
    assert ev.entity == svc
    assert ev.old_entity is None
    assert ev.cache_key == db.services.cache_key(svc)
    assert svc.id in ev.cache_key
    assert ev.old_cache_key is None


async def test_update_emits_update_with_the_stored_entity(db, rec):
    svc = await db.services.insert({"name": "s1", "host": "example.com"})
    updated = await db.services.update({"id": svc.id}, {"retries": 9})
    again = await db.services.update_by_name("s1", {"name": "s2"})

    assert [e.operation for e in rec.events] == ["create", "update", "update"]
    first, second = rec.events[1], rec.events[2]
    assert first.entity == updated
    assert first.old_entity == svc
    assert (first.old_entity.retries, first.entity.retries) == (5, 9)
    assert second.entity == again
    assert second.old_entity == updated
    assert (second.old_entity.name, second.entity.name) == ("s1", "s2")


async def test_delete_emits_delete(db, rec):
    svc = await db.services.insert({"name": "s1", "host": "example.com"})
    await db.services.delete({"id": svc.id})
    svc2 = await db.services.insert({"name": "s2", "host": "example.com"})
    await db.services.delete_by_name("s2")
    assert rec.summary == [
        ("create", "services", svc.id),
        ("delete", "services", svc.id),
        ("create", "services", svc2.id),
        ("delete", "services", svc2.id),
    ]
    assert rec.events[1].entity == svc
    assert rec.events[1].old_entity is None


async def test_deleting_nothing_emits_nothing(db, bp, rec):
    svc = await bp.services()
    rec.events.clear()
    await db.services.delete({"id": svc.id})
    await db.services.delete({"id": svc.id})
    await db.services.delete_by_name("does-not-exist")
    assert [e.operation for e in rec.events] == ["delete"]


async def test_upsert_emits_create_then_update(db, rec):
    pk = {"id": "4b1e5b2c-9a49-4c4c-8b7b-5f3e8d1c2a10"}
    created = await db.services.upsert(pk, {"name": "s1", "host": "a.example.com"})
    replaced = await db.services.upsert(pk, {"name": "s1", "host": "b.example.com"})
    assert [(e.operation, e.old_entity) for e in rec.events] == [
        ("create", None),
        ("update", created),
    ]
    assert rec.events[0].entity == created
    assert rec.events[1].entity == replaced

    by_name_created = await db.services.upsert_by_name("s2", {"host": "c.example.com"})
    by_name_replaced = await db.services.upsert_by_name("s2", {"host": "d.example.com"})
    assert [(e.operation, e.entity, e.old_entity) for e in rec.events[2:]] == [
        ("create", by_name_created, None),
        ("update", by_name_replaced, by_name_created),
    ]


async def test_events_come_after_the_write(db, rec):
    """Subscribers see the database as changed by the write that emitted the event."""
    seen = []

    async def look(event):
        seen.append((event.operation, await db.services.select({"id": event.entity.id})))

    db.events.subscribe(look)
    svc = await db.services.insert({"host": "example.com"})
    updated = await db.services.update({"id": svc.id}, {"port": 8080})
    await db.services.delete({"id": svc.id})
    assert seen == [("create", svc), ("update", updated), ("delete", None)]


async def test_failed_writes_emit_nothing(db, bp, rec):
    svc = await bp.services()
    await bp.routes(service={"id": svc.id})
    rec.events.clear()

    with pytest.raises(errors.UniqueViolation):
        await db.services.insert({"name": svc.name, "host": "example.com"})
    with pytest.raises(errors.ForeignKeyViolation):
        await db.services.delete({"id": svc.id})
    with pytest.raises(errors.SchemaViolation):
        await db.services.update({"id": svc.id}, {"port": -1})
    with pytest.raises(errors.NotFound):
        await db.services.update({"id": "4b1e5b2c-9a49-4c4c-8b7b-5f3e8d1c2a10"}, {"port": 1})
    assert rec.events == []


# -- cascades -------------------------------------------------------------------------------


async def test_cascade_emits_one_delete_per_child(db, bp, rec):
    svc = await bp.services()
    other = await bp.services()
    plugin = await bp.plugins(service={"id": svc.id})
    kept = await bp.plugins(service={"id": other.id})
    rec.events.clear()

    await db.services.delete({"id": svc.id})

    assert rec.summary == [
        ("delete", "services", svc.id),
        ("delete", "plugins", plugin.id),
    ]
    child = rec.events[1]
    assert child.entity == plugin
    assert child.old_entity is None
    assert child.cache_key == db.plugins.cache_key(plugin)
    assert child.cache_key.startswith(f"plugins:key-auth::{svc.id}:")
    assert kept.id not in str(rec.summary)


async def test_cascade_of_route_plugins(db, bp, rec):
    route = await bp.routes()
    p1 = await bp.plugins(route={"id": route.id})
    rec.events.clear()
    await db.routes.delete({"id": route.id})
    assert rec.summary == [("delete", "routes", route.id), ("delete", "plugins", p1.id)]


async def test_cascade_events_include_grandchildren(edb):
    rec = Recorder()
    edb.events.subscribe(rec)
    consumer = await edb.consumers.insert({"username": "u"})
    k1 = await edb.t_evt_keys.insert({"consumer": {"id": consumer.id}, "key": "k1"})
    k2 = await edb.t_evt_keys.insert({"consumer": {"id": consumer.id}, "key": "k2"})
    uses = [await edb.t_evt_uses.insert({"credential": {"id": k.id}}) for k in (k1, k1, k2)]
    rec.events.clear()

    await edb.consumers.delete({"id": consumer.id})

    assert rec.summary[0] == ("delete", "consumers", consumer.id)
    assert sorted(rec.summary[1:]) == sorted(
        [("delete", "t_evt_keys", k.id) for k in (k1, k2)]
        + [("delete", "t_evt_uses", u.id) for u in uses]
    )
    # every row is announced after its parent
    order = [s[2] for s in rec.summary]
    for u in uses:
        assert order.index(u.credential.id) < order.index(u.id)
    by_id = {e.entity.id: e.entity for e in rec.events}
    assert by_id[k1.id] == k1
    assert by_id[uses[0].id] == uses[0]


async def test_failed_cascade_emits_nothing(db, bp, rec):
    svc = await bp.services()
    await bp.plugins(service={"id": svc.id})
    await bp.routes(service={"id": svc.id})
    rec.events.clear()
    with pytest.raises(errors.ForeignKeyViolation):
        await db.services.delete({"id": svc.id})
    assert rec.events == []


# -- suppression and subscriptions -----------------------------------------------------------


async def test_no_broadcast_crud_event(db, bp, rec):
    quiet = {"no_broadcast_crud_event": True}
    svc = await db.services.insert({"name": "s1", "host": "example.com"}, **quiet)
    await db.services.update({"id": svc.id}, {"retries": 1}, **quiet)
    await db.services.update_by_name("s1", {"retries": 2}, **quiet)
    await db.services.upsert({"id": svc.id}, {"name": "s1", "host": "example.com"}, **quiet)
    await db.services.upsert_by_name("s2", {"host": "example.com"}, **quiet)
    await db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}}, **quiet)
    await db.services.delete({"id": svc.id}, **quiet)  # the cascaded plugin is quiet too
    await db.services.delete_by_name("s2", **quiet)
    assert rec.events == []
    assert await db.services.select({"id": svc.id}) is None

    # without the option the same operations are heard
    await db.services.insert({"name": "s3", "host": "example.com"})
    assert [e.operation for e in rec.events] == ["create"]


async def test_filtered_subscriptions(db, bp):
    services_only = Recorder()
    deletes_only = Recorder()
    route_updates = Recorder()
    db.events.subscribe(services_only, entity_name="services")
    db.events.subscribe(deletes_only, operation="delete")
    db.events.subscribe(route_updates, entity_name="routes", operation="update")

    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})
    await db.routes.update({"id": route.id}, {"paths": ["/new"]})
    await db.services.update({"id": svc.id}, {"retries": 1})
    await db.routes.delete({"id": route.id})
    await db.services.delete({"id": svc.id})

    assert services_only.summary == [
        ("create", "services", svc.id),
        ("update", "services", svc.id),
        ("delete", "services", svc.id),
    ]
    assert deletes_only.summary == [
        ("delete", "routes", route.id),
        ("delete", "services", svc.id),
    ]
    assert route_updates.summary == [("update", "routes", route.id)]


async def test_unsubscribe(db, bp):
    rec = Recorder()
    other = Recorder()
    unsubscribe = db.events.subscribe(rec)
    db.events.subscribe(other)
    await bp.services()
    unsubscribe()
    await bp.services()
    unsubscribe()  # idempotent
    assert len(rec.events) == 1
    assert len(other.events) == 2


async def test_plain_function_subscriber(db, bp):
    calls = []
    db.events.subscribe(lambda event: calls.append(event.operation))
    svc = await bp.services()
    await db.services.delete({"id": svc.id})
    assert calls == ["create", "delete"]


async def test_subscribers_run_in_order(db, bp):
    calls = []

    async def first(event):
        calls.append("first")

    def second(event):
        calls.append("second")

    db.events.subscribe(first)
    db.events.subscribe(second)
    await bp.services()
    assert calls == ["first", "second"]


async def test_failing_subscriber_is_logged_and_does_not_fail_the_write(db, caplog):
    rec = Recorder()

    async def broken(event):
        raise RuntimeError("subscriber bug")

    def broken_sync(event):
        raise ValueError("sync subscriber bug")

    db.events.subscribe(broken)
    db.events.subscribe(broken_sync)
    db.events.subscribe(rec)

    with caplog.at_level(logging.ERROR, logger="kongdao.events"):
        svc = await db.services.insert({"name": "s1", "host": "example.com"})
        await db.services.delete({"id": svc.id})

    assert await db.services.select({"id": svc.id}) is None
    assert [e.operation for e in rec.events] == ["create", "delete"]  # later subscribers still run
    failures = [r for r in caplog.records if r.name == "kongdao.events"]
    assert len(failures) == 4
    assert all(r.levelno == logging.ERROR and r.exc_info for r in failures)
    assert {type(r.exc_info[1]) for r in failures} == {RuntimeError, ValueError}


# -- cache keys ------------------------------------------------------------------------------


async def test_cache_keys_on_events(edb):
    rec = Recorder()
    edb.events.subscribe(rec)
    consumer = await edb.consumers.insert({"username": "u"})
    cred = await edb.t_evt_keys.insert({"consumer": {"id": consumer.id}, "key": "old"})
    await edb.t_evt_keys.update({"id": cred.id}, {"key": "new"})
    await edb.t_evt_keys.update({"id": cred.id}, {"note": "same key"})
    await edb.t_evt_keys.delete_by_key("new")

    keys = [(e.operation, e.cache_key, e.old_cache_key) for e in rec.events[1:]]
    assert keys == [
        ("create", "t_evt_keys:old:::::", None),
        ("update", "t_evt_keys:new:::::", "t_evt_keys:old:::::"),
        ("update", "t_evt_keys:new:::::", "t_evt_keys:new:::::"),
        ("delete", "t_evt_keys:new:::::", None),
    ]


async def test_composite_cache_keys_on_events(db, bp, rec):
    route = await bp.routes()
    plugin = await db.plugins.insert({"name": "key-auth", "route": {"id": route.id}})
    moved = await db.plugins.update(
        {"id": plugin.id}, {"route": None, "service": {"id": route.service.id}}
    )
    ev = rec.events[-1]
    assert ev.operation == "update"
    assert ev.entity == moved
    assert ev.old_cache_key == db.plugins.cache_key(plugin)
    assert ev.cache_key == db.plugins.cache_key(moved)
    assert ev.old_cache_key.startswith(f"plugins:key-auth:{route.id}::")
    assert ev.cache_key.startswith(f"plugins:key-auth::{route.service.id}:")
    # the cache key of the event finds the entity
    assert await db.plugins.select_by_cache_key(ev.cache_key) == moved
    assert await db.plugins.select_by_cache_key(ev.old_cache_key) is None
