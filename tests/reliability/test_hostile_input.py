"""Hostile input through every public DAO method, on every database (hypothesis).

Malformed payloads (wrong types, huge strings, deep nesting, lone surrogates, NUL characters,
SQL and CQL injection strings in values, field names and filter keys), tampered offsets,
negative and giant sizes and ttls, and bad workspace options go through the modern DAO methods
and the legacy 0.13 ones. Three properties:

* the only outcomes are a result, a kongdao error (a legacy error on the legacy API), or a
  :class:`TypeError` that says what is wrong (:func:`hostile.accepted_failure`);
* a rejected call leaves every table as it was, lookup and index tables included
  (:func:`hostile.raw_snapshot`), and the database keeps answering;
* injection strings in values are stored and read back verbatim, and find their row again
  (by unique field, by filter, by tag).

Example counts come from the hypothesis profile ``fuzz`` (few, for ``make test``) or
``fuzz-long`` (``make test-reliability``); see ``KONGDAO_FUZZ_PROFILE``.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongdao import errors
from kongdao.schema.schema import MAX_NESTING, nesting_exceeds
from tests.reliability.hostile import (
    INJECTIONS,
    accepted_failure,
    diff,
    field_names,
    hostile_strings,
    hostile_values,
    raw_snapshot,
    sizes,
    ttls,
    workspaces,
)
from tests.reliability.support import fuzz_settings

pytestmark = pytest.mark.postgres

FUZZ = fuzz_settings()

ENTITIES = {
    "services": ["name", "host", "port", "path", "protocol", "url", "retries", "tags"],
    "routes": ["name", "paths", "hosts", "methods", "headers", "service", "protocols", "tags"],
    "consumers": ["username", "custom_id", "tags"],
    "plugins": ["name", "config", "service", "route", "consumer", "enabled", "protocols"],
    "upstreams": ["name", "algorithm", "slots", "healthchecks", "tags"],
    "keyauth_credentials": ["key", "consumer", "tags"],
}


async def seed(db: Any) -> dict[str, Any]:
    """A few valid rows for the hostile calls to aim at (made again when a call deleted them).

    The database is emptied once per test, not per example (emptying Cassandra costs a
    ``TRUNCATE`` per table): names are unique per seeding, and every check compares the tables
    around one call.
    """
    seeds: dict[str, Any] = SEEDS.setdefault(id(db), {})
    for name, entity in list(seeds.items()):
        if await db.daos[name].select({"id": entity.id}, workspace=None) != entity:
            seeds.clear()  # a hostile call changed or deleted a seed: seed again
            break
    if seeds:
        return seeds
    tag = uuid.uuid4().hex[:8]
    svc = await db.services.insert(
        {"name": f"seed-{tag}", "host": "seed.example.com", "tags": ["s"]}
    )
    route = await db.routes.insert({"paths": [f"/seed-{tag}"], "service": {"id": svc.id}})
    consumer = await db.consumers.insert({"username": f"user-{tag}", "custom_id": f"c-{tag}"})
    plugin = await db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
    cred = await db.keyauth_credentials.insert({"consumer": {"id": consumer.id}, "key": f"k-{tag}"})
    for i in range(3):
        await db.services.insert({"name": f"page-{tag}-{i}", "host": "p.example.com"})
    seeds.update(
        services=svc, routes=route, consumers=consumer, plugins=plugin, keyauth_credentials=cred
    )
    return seeds


SEEDS: dict[int, dict[str, Any]] = {}


async def outcome(
    call: Any, *, attribute_ok: bool = False, legacy: bool = False
) -> tuple[Any, BaseException | None]:
    """Run one call: its result, or the exception, which must be an accepted one."""
    try:
        result = await call
    except Exception as exc:
        failure = exc
    else:
        return result, None
    assert accepted_failure(failure, attribute_ok=attribute_ok, legacy=legacy), repr(failure)[:500]
    return None, failure


async def still_answers(db: Any, seeds: dict[str, Any]) -> None:
    """The database still answers normally (a hostile value did not break the connection)."""
    assert await db.services.select({"id": str(uuid.uuid4())}) is None
    assert len((await db.services.page(2))[0]) == 2  # the seeds' extra services at least


# -- writes --------------------------------------------------------------------------------------


def payloads(entity: str) -> st.SearchStrategy[dict[Any, Any]]:
    return st.dictionaries(field_names(ENTITIES[entity]), hostile_values, max_size=4)


write_calls = st.sampled_from(
    ["insert", "update", "upsert", "update_by", "upsert_by", "legacy_insert", "legacy_update"]
)


@FUZZ
@given(data=st.data())
async def test_hostile_writes_are_refused_cleanly_or_stored_whole(db, data):
    seeds = await seed(db)
    for _ in range(3):  # a few calls per database state: the seeding is the costly part
        entity = data.draw(st.sampled_from(sorted(ENTITIES)), label="entity")
        method = data.draw(write_calls, label="method")
        payload = data.draw(payloads(entity), label="payload")
        options = data.draw(
            st.fixed_dictionaries(
                {},
                optional={"ttl": ttls, "workspace": workspaces, "transform": hostile_values},
            ),
            label="options",
        )
        dao = db.daos[entity]
        target = seeds.get(entity)
        pk = {
            "id": target.id
            if target is not None and data.draw(st.booleans())
            else str(uuid.uuid4())
        }
        if method == "insert":
            call = dao.insert(payload, **options)
        elif method == "update":
            call = dao.update(pk, payload, **options)
        elif method == "upsert":
            call = dao.upsert(pk, payload, **options)
        elif method in ("update_by", "upsert_by"):
            field = data.draw(
                field_names(sorted(dao.schema.unique_fields) or ["id"]), label="field"
            )
            value = data.draw(hostile_values, label="value")
            call = getattr(dao, method)(field, value, payload, **options)
        elif method == "legacy_insert":
            call = db.dao[entity].insert(payload, ttl=options.get("ttl"))
        else:
            call = db.dao[entity].update(payload, pk, full=data.draw(st.booleans()))

        tables = (entity, "workspaces")
        before = await raw_snapshot(db, tables)
        result, exc = await outcome(
            call,
            attribute_ok=method in ("update_by", "upsert_by"),
            legacy=method.startswith("legacy"),
        )
        if exc is not None:
            after = await raw_snapshot(db, tables)
            assert after == before, diff(before, after)
        elif result is not None and not isinstance(result, dict):
            # stored whole: reading it back gives what the write returned
            stored = await dao.select({"id": result.id}, workspace=None)
            assert stored == result, (method, entity, pk, payload, options, stored, result)
        await still_answers(db, seeds)


# -- reads ----------------------------------------------------------------------------------------


read_calls = st.sampled_from(
    [
        "select",
        "select_by",
        "page",
        "each",
        "page_for",
        "each_for",
        "select_by_cache_key",
        "count",
        "legacy_find",
        "legacy_find_all",
        "legacy_find_page",
        "legacy_count",
        "delete",
        "delete_by",
        "legacy_delete",
        "use_workspace",
    ]
)


async def _in_workspace(db: Any, workspace: Any) -> Any:
    async with db.use_workspace(workspace):
        return await db.services.page(2)


async def _drain(aiter: Any) -> list[Any]:
    return [item async for item in aiter]


@FUZZ
@given(data=st.data())
async def test_hostile_reads_and_deletes(db, data):
    seeds = await seed(db)
    tables = (*ENTITIES, "workspaces")
    before = await raw_snapshot(db, tables)
    for _ in range(5):
        entity = data.draw(st.sampled_from(sorted(ENTITIES)), label="entity")
        method = data.draw(read_calls, label="method")
        dao = db.daos[entity]
        legacy = db.dao[entity]
        value = data.draw(hostile_values, label="value")
        ws = data.draw(st.fixed_dictionaries({}, optional={"workspace": workspaces}), label="ws")
        pk = data.draw(
            st.dictionaries(field_names(["id"]), hostile_values, max_size=2)
            | st.just({"id": str(uuid.uuid4())}),
            label="pk",
        )
        attribute_ok = method in ("select_by", "page_for", "each_for", "delete_by")
        if method == "select":
            call = dao.select(pk, **ws)
        elif method in ("select_by", "delete_by"):
            field = data.draw(field_names(sorted(dao.schema.unique_fields) or ["id"]))
            call = getattr(dao, method)(field, value, **ws)
        elif method == "page":
            call = dao.page(data.draw(sizes), data.draw(st.none() | hostile_strings), **ws)
        elif method == "each":
            call = _drain(dao.each(data.draw(sizes), **ws))
        elif method in ("page_for", "each_for"):
            field = data.draw(field_names(sorted(dao.schema.foreign_fields) or ["service"]))
            if method == "page_for":
                call = dao.page_for(
                    field, value, data.draw(sizes), data.draw(st.none() | hostile_strings)
                )
            else:
                call = _drain(dao.each_for(field, value, data.draw(sizes)))
        elif method == "select_by_cache_key":
            call = dao.select_by_cache_key(value, **ws)
        elif method == "count":
            call = dao.count(**ws)
        elif method == "legacy_find":
            call = legacy.find(pk)
        elif method == "legacy_find_all":
            call = legacy.find_all(
                data.draw(
                    st.none()
                    | st.dictionaries(field_names(ENTITIES[entity]), hostile_values, max_size=3)
                )
            )
        elif method == "legacy_find_page":
            call = legacy.find_page(
                data.draw(
                    st.none()
                    | st.dictionaries(field_names(ENTITIES[entity]), hostile_values, max_size=2)
                ),
                data.draw(st.none() | hostile_strings),
                data.draw(sizes),
            )
        elif method == "legacy_count":
            call = legacy.count(
                data.draw(
                    st.none()
                    | st.dictionaries(field_names(ENTITIES[entity]), hostile_values, max_size=2)
                )
            )
        elif method == "delete":
            call = dao.delete(pk, **ws)
        elif method == "use_workspace":
            call = _in_workspace(db, data.draw(workspaces))
        else:
            call = legacy.delete(pk)
        result, _ = await outcome(
            call, attribute_ok=attribute_ok, legacy=method.startswith("legacy")
        )
        if method in ("delete", "delete_by", "legacy_delete") and result is not None:
            before = await raw_snapshot(db, tables)  # it matched a seed: the rest is unchanged
        await still_answers(db, seeds)
    after = await raw_snapshot(db, tables)
    assert after == before, diff(before, after)


@FUZZ
@given(data=st.data())
async def test_tampered_offsets(db, data):
    """Offsets altered, truncated, extended or replaced: INVALID_OFFSET, or a page."""
    seeds = await seed(db)
    _, offset = await db.services.page(1)
    assert offset is not None
    raw = bytearray(base64.urlsafe_b64decode(offset + "=" * (-len(offset) % 4)))
    for _ in range(5):
        how = data.draw(st.sampled_from(["flip", "cut", "extend", "replace", "other-query"]))
        if how == "flip" and raw:
            i = data.draw(st.integers(0, len(raw) - 1))
            tampered = bytearray(raw)
            tampered[i] ^= data.draw(st.integers(1, 255))
            bad = base64.urlsafe_b64encode(bytes(tampered)).decode().rstrip("=")
        elif how == "cut":
            bad = offset[: data.draw(st.integers(0, max(0, len(offset) - 1)))]
        elif how == "extend":
            bad = offset + data.draw(st.text(min_size=1, max_size=20))
        elif how == "replace":
            bad = base64.urlsafe_b64encode(data.draw(st.binary(max_size=64))).decode()
        else:
            bad = offset  # an offset of services given to routes
        dao = db.routes if how == "other-query" else db.services
        _, exc = await outcome(dao.page(1, bad))
        if exc is not None:
            assert isinstance(exc, errors.InvalidOffset | TypeError), repr(exc)
        await still_answers(db, seeds)


# -- injection strings round-trip ------------------------------------------------------------------

free_text = st.sampled_from(INJECTIONS).filter(lambda s: "\x00" not in s) | st.builds(
    lambda a, b: a + b,
    st.sampled_from(INJECTIONS).filter(lambda s: "\x00" not in s),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)


@FUZZ
@given(username=free_text, custom_id=free_text, key=free_text, message=free_text)
async def test_injection_strings_are_stored_verbatim(db, username, custom_id, key, message):
    """Values are bound, never spliced into a statement: they come back exactly as written."""
    before = await raw_snapshot(db, ("services", "routes"))
    consumers_before = await db.consumers.count()
    consumer = await db.consumers.insert({"username": username, "custom_id": custom_id})
    try:
        assert (consumer.username, consumer.custom_id) == (username, custom_id)
        assert await db.consumers.select_by_username(username) == consumer
        assert await db.consumers.select_by_custom_id(custom_id) == consumer
        legacy = await db.dao.consumers.find_all({"username": username})
        assert [row["id"] for row in legacy] == [consumer.id]
        cred = await db.keyauth_credentials.insert({"consumer": {"id": consumer.id}, "key": key})
        assert (await db.keyauth_credentials.select_by_key(key)).key == key
        plugin = await db.plugins.insert(
            {
                "name": "request-termination",
                "consumer": {"id": consumer.id},
                "config": {"message": message},
            }
        )
        assert (await db.plugins.select({"id": plugin.id})).config["message"] == message
        assert await db.keyauth_credentials.select({"id": cred.id}) == cred
        # nothing was dropped, truncated or added besides these rows
        assert await db.consumers.count() == consumers_before + 1
        assert await raw_snapshot(db, ("services", "routes")) == before
    finally:
        await db.consumers.delete_by_username(username)  # cascades to its credential and plugin
    assert await db.consumers.select_by_custom_id(custom_id) is None
    assert await db.keyauth_credentials.select_by_key(key) is None


# -- the nesting limit itself (no database) -------------------------------------------------------


def test_nesting_limit_is_iterative_and_catches_cycles():
    assert not nesting_exceeds(_nested(MAX_NESTING))
    assert nesting_exceeds(_nested(MAX_NESTING + 1))
    assert nesting_exceeds(_nested(1_000_000))  # no RecursionError
    cycle: list[Any] = []
    cycle.append(cycle)
    assert nesting_exceeds(cycle)
    wide = {str(i): [i, {"a": [i]}] for i in range(10_000)}
    assert not nesting_exceeds(wide)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("name", ["a\x00b", "\udc80", "services", ""])
async def test_impossible_workspace_names_are_invalid_options(db, name):
    """A workspace name no workspace can have is INVALID_OPTIONS, not a DATABASE_ERROR."""
    with pytest.raises(errors.InvalidOptions) as excinfo:
        await db.services.page(1, workspace=name)
    assert excinfo.value.options == {"workspace": "invalid workspace"}
    with pytest.raises(errors.InvalidOptions):
        async with db.use_workspace(name):
            await db.services.page(1)
