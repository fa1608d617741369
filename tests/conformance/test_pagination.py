"""Conformance: pages, offsets, ``each``, pagination options, tag filters and the tags entity.

Ported from Kong 2.8's ``spec/02-integration/03-db/02-db_core_entities_spec.lua`` (``:page()``,
``:each()``, ``page_for_service``) and ``07-tags_spec.lua``, plus KONG.md section 5: offsets are
opaque strings, the same offset gives the same page, the last page has no offset, and paging
through a table never loses or repeats a row.

Connector-agnostic: pages come in primary-key order only where
``db.connector.capabilities.ordered_pages``; elsewhere results are compared as sets. Where
offsets are driver paging states (``capabilities.paging_state``), a page that ends exactly at
the end of the data may still carry an offset (then the next page is empty), as Kong's own
spec allows for Cassandra.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kongdao import errors

BLANK_UUID = "00000000-0000-0000-0000-000000000000"

Fetch = Callable[[int | None, str | None], Awaitable[tuple[list[Any], str | None]]]


async def all_pages(fetch: Fetch, size: int | None, *, limit: int = 20_000) -> list[list[Any]]:
    """Every page, following offsets until there is none."""
    pages: list[list[Any]] = []
    offset: str | None = None
    while True:
        rows, offset = await fetch(size, offset)
        assert isinstance(rows, list)
        pages.append(rows)
        if offset is None:
            return pages
        assert isinstance(offset, str)
        assert offset
        assert len(pages) < limit, "pagination does not end"


def ids_of(pages: list[list[Any]]) -> list[str]:
    return [e.id for page in pages for e in page]


def check_page_sizes(db: Any, pages: list[list[Any]], size: int, total: int) -> None:
    """Every page but the last is full; the last holds the rest."""
    full, rest = divmod(total, size)
    # a paging state may only detect the end with one more (empty) page
    if db.connector.capabilities.paging_state and rest == 0 and total and not pages[-1]:
        pages = pages[:-1]
    expected = [size] * full + ([rest] if rest or not total else [])
    assert [len(p) for p in pages] == expected


def check_order(db: Any, ids: list[str]) -> None:
    if db.connector.capabilities.ordered_pages:
        assert ids == sorted(ids, key=uuid.UUID)


async def insert_routes(bp: Any, n: int, **overrides: Any) -> list[Any]:
    return [await bp.routes(methods=["GET"], **overrides) for _ in range(n)]


# -- page() --------------------------------------------------------------------------------------


@pytest.mark.reads
async def test_empty_pages(db):
    assert await db.routes.page() == ([], None)
    assert await db.routes.page(5) == ([], None)
    assert await db.routes.page_for_service({"id": BLANK_UUID}) == ([], None)
    assert await db.tags.page() == ([], None)
    assert await db.tags.page_by_tag("nothing") == ([], None)
    assert [r async for r in db.routes.each()] == []
    assert [r async for r in db.routes.each_for_service({"id": BLANK_UUID})] == []


@pytest.mark.reads
async def test_page_fetches_all_rows_in_one_page(db, bp):
    routes = await insert_routes(bp, 10)
    rows, offset = await db.routes.page()
    assert offset is None
    assert len(rows) == 10
    assert {r.id for r in rows} == {r.id for r in routes}
    assert sorted(rows, key=lambda r: r.id) == sorted(routes, key=lambda r: r.id)
    check_order(db, [r.id for r in rows])


@pytest.mark.reads
async def test_page_returns_rows_in_the_same_order(db, bp):
    await insert_routes(bp, 10)
    assert await db.routes.page() == await db.routes.page()
    assert await db.routes.page(4) == await db.routes.page(4)


@pytest.mark.reads
async def test_page_returns_an_offset_when_size_is_below_total(db, bp):
    routes = await insert_routes(bp, 10)
    rows_1, offset = await db.routes.page(5)
    assert len(rows_1) == 5
    assert isinstance(offset, str)
    # Kong's spec: a paging-state pager sees the end only past the last row
    size = 6 if db.connector.capabilities.paging_state else 5
    rows_2, offset = await db.routes.page(size, offset)
    assert len(rows_2) == 5
    assert offset is None
    assert not {r.id for r in rows_1} & {r.id for r in rows_2}
    assert {r.id for r in rows_1 + rows_2} == {r.id for r in routes}
    check_order(db, [r.id for r in rows_1 + rows_2])


@pytest.mark.reads
async def test_same_offset_same_page(db, bp):
    await insert_routes(bp, 10)
    _, offset = await db.routes.page(3)
    _, again = await db.routes.page(3)
    assert isinstance(offset, str)
    if not db.connector.capabilities.paging_state:
        assert again == offset
    rows_a, next_a = await db.routes.page(3, offset)
    rows_b, next_b = await db.routes.page(3, offset)
    assert len(rows_a) == 3
    assert rows_a == rows_b
    assert next_a == next_b


@pytest.mark.reads
async def test_last_page_has_a_single_row(db, bp):
    routes = await insert_routes(bp, 10)
    pages = await all_pages(db.routes.page, 3)
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    ids = ids_of(pages)
    assert sorted(ids) == sorted(r.id for r in routes)
    check_order(db, ids)


@pytest.mark.parametrize("size", [1, 2, 5, 7, 10, 11, 1000])
@pytest.mark.reads
async def test_pages_neither_lose_nor_repeat_rows(db, bp, size):
    routes = await insert_routes(bp, 10)
    pages = await all_pages(db.routes.page, size)
    ids = ids_of(pages)
    assert len(ids) == len(set(ids)) == 10
    assert set(ids) == {r.id for r in routes}
    check_page_sizes(db, pages, size, 10)
    check_order(db, ids)


@pytest.mark.reads
async def test_offsets_survive_concurrent_inserts(db, bp):
    routes = await insert_routes(bp, 10)
    first, offset = await db.routes.page(4)
    added = await insert_routes(bp, 10)
    rest = await all_pages(lambda size, off: db.routes.page(size, off or offset), 4)
    ids = [r.id for r in first] + ids_of(rest)
    assert len(ids) == len(set(ids))
    assert {r.id for r in routes} <= set(ids)
    assert set(ids) <= {r.id for r in routes + added}


@pytest.mark.reads
async def test_page_rows_are_processed_entities(db, bp):
    await insert_routes(bp, 3)
    rows, _ = await db.routes.page()
    assert [r.methods for r in rows] == [["GET"]] * 3
    assert [r.protocols for r in rows] == [["http", "https"]] * 3


# -- each() ---------------------------------------------------------------------------------------


@pytest.mark.reads
async def test_each_iterates_over_all_rows(db, bp):
    routes = await insert_routes(bp, 50)
    expected = sorted(r.id for r in routes)
    for size in (None, 10, 7, 50, 51):
        seen = [r async for r in db.routes.each(size)]
        assert sorted(r.id for r in seen) == expected
        assert [r.methods for r in seen] == [["GET"]] * 50
        check_order(db, [r.id for r in seen])
    paged = ids_of(await all_pages(db.routes.page, 10))
    assert [r.id async for r in db.routes.each(10)] == paged


@pytest.mark.reads
async def test_each_for_service(db, bp):
    svc = await bp.services()
    mine = await insert_routes(bp, 12, service={"id": svc.id})
    await insert_routes(bp, 3)  # on other services
    for size in (None, 1, 5, 12):
        seen = [r async for r in db.routes.each_for_service({"id": svc.id}, size)]
        assert sorted(r.id for r in seen) == sorted(r.id for r in mine)
        assert {r.service.id for r in seen} == {svc.id}
        check_order(db, [r.id for r in seen])


@pytest.mark.reads
async def test_each_stops_on_an_empty_table_after_deletes(db, bp):
    routes = await insert_routes(bp, 3)
    for r in routes:
        await db.routes.delete({"id": r.id})
    assert [r async for r in db.routes.each(1)] == []


# -- page_for_<fk>() ------------------------------------------------------------------------------


@pytest.mark.reads
async def test_page_for_service_paginates(db, bp):
    svc = await bp.services()
    mine = await insert_routes(bp, 10, service={"id": svc.id})
    await insert_routes(bp, 2)
    fk = {"id": svc.id}

    rows, offset = await db.routes.page_for_service(fk)
    assert offset is None
    assert sorted(r.id for r in rows) == sorted(r.id for r in mine)
    assert await db.routes.page_for_service(fk) == await db.routes.page_for_service(fk)

    rows_1, offset = await db.routes.page_for_service(fk, 5)
    assert len(rows_1) == 5
    assert isinstance(offset, str)
    size = 6 if db.connector.capabilities.paging_state else 5
    rows_2, offset = await db.routes.page_for_service(fk, size, offset)
    assert len(rows_2) == 5
    assert offset is None
    assert {r.id for r in rows_1 + rows_2} == {r.id for r in mine}

    _, offset = await db.routes.page_for_service(fk, 3)
    assert await db.routes.page_for_service(fk, 3, offset) == await db.routes.page_for_service(
        fk, 3, offset
    )

    pages = await all_pages(lambda s, o: db.routes.page_for_service(fk, s, o), 3)
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    check_order(db, ids_of(pages))


@pytest.mark.reads
async def test_page_for_service_page_size_options(db, bp):
    svc = await bp.services()
    mine = await insert_routes(bp, 10, service={"id": svc.id})
    fk = {"id": svc.id}
    rows, offset = await db.routes.page_for_service(
        fk, pagination={"page_size": 5, "max_page_size": 5}
    )
    assert len(rows) == 5
    assert offset is not None
    rest, offset = await db.routes.page_for_service(
        fk, None, offset, pagination={"page_size": 6, "max_page_size": 6}
    )
    assert len(rest) == 5
    assert offset is None
    assert {r.id for r in rows + rest} == {r.id for r in mine}
    seen = [r async for r in db.routes.each_for_service(fk, pagination={"page_size": 3})]
    assert sorted(r.id for r in seen) == sorted(r.id for r in mine)


# -- pagination options ------------------------------------------------------------------------


@pytest.mark.reads
async def test_page_size_option(db, bp):
    svc = await bp.services()
    await asyncio.gather(*(bp.routes(service={"id": svc.id}) for _ in range(101)))
    rows, offset = await db.routes.page(pagination={"page_size": 100, "max_page_size": 1000})
    assert len(rows) == 100
    assert isinstance(offset, str)
    rows, offset = await db.routes.page(pagination={"page_size": 50})
    assert len(rows) == 50
    assert isinstance(offset, str)
    # an explicit size wins over the option
    rows, _ = await db.routes.page(7, pagination={"page_size": 50})
    assert len(rows) == 7
    rows, _ = await db.routes.page_for_service({"id": svc.id}, pagination={"page_size": 100})
    assert len(rows) == 100
    pages = await all_pages(lambda s, o: db.routes.page(s, o, pagination={"page_size": 30}), None)
    check_page_sizes(db, pages, 30, 101)
    assert len(set(ids_of(pages))) == 101
    seen = [r async for r in db.routes.each(pagination={"page_size": 30})]
    assert len({r.id for r in seen}) == len(seen) == 101


@pytest.mark.reads
async def test_max_page_size_option(db, bp):
    await asyncio.gather(*(bp.consumers() for _ in range(12)))
    small = {"max_page_size": 10, "page_size": 10}
    rows, offset = await db.consumers.page(10, pagination=small)
    assert len(rows) == 10
    assert offset is not None
    with pytest.raises(errors.InvalidSize):
        await db.consumers.page(11, pagination=small)
    # Kong merges the default page_size (1000) under a smaller max_page_size: refused
    with pytest.raises(errors.InvalidOptions):
        await db.consumers.page(10, pagination={"max_page_size": 10})
    # a larger maximum allows larger pages than the default one
    rows, offset = await db.consumers.page(60000, pagination={"max_page_size": 60000})
    assert len(rows) == 12
    assert offset is None


@pytest.mark.reads
async def test_default_page_size_is_1000(db):
    await asyncio.gather(*(db.consumers.insert({"username": f"u{i}"}) for i in range(1001)))
    rows, offset = await db.consumers.page()
    assert len(rows) == 1000
    assert isinstance(offset, str)
    rows, offset = await db.consumers.page(None, offset)
    assert len(rows) == 1
    assert offset is None
    assert len([c async for c in db.consumers.each()]) == 1001


# -- 10,000 rows ----------------------------------------------------------------------------------


@pytest.mark.reads
async def test_ten_thousand_rows_are_paged_without_loss_or_repetition(db):
    total = 10_000
    inserted: list[str] = []
    for start in range(0, total, 500):
        batch = await asyncio.gather(
            *(db.consumers.insert({"username": f"user-{i:05d}"}) for i in range(start, start + 500))
        )
        inserted += [c.id for c in batch]
    assert len(set(inserted)) == total
    assert await db.consumers.count() == total

    for size in (100, 1000):
        pages = await all_pages(db.consumers.page, size)
        ids = ids_of(pages)
        assert len(ids) == total
        assert len(set(ids)) == total
        assert set(ids) == set(inserted)
        check_page_sizes(db, pages, size, total)
        check_order(db, ids)

    seen = [c.id async for c in db.consumers.each(1000)]
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == set(inserted)
    names = {c.username async for c in db.consumers.each()}
    assert names == {f"user-{i:05d}" for i in range(total)}


# -- tags filters ---------------------------------------------------------------------------------

N_TAGGED = 20


def service_tags(i: int) -> list[str]:
    return ["paging", f"team_{i % 5}", "even" if i % 2 == 0 else "odd"]


@pytest.fixture
async def tagged(db: Any) -> dict[int, Any]:
    services = await asyncio.gather(
        *(
            db.services.insert(
                {"name": f"tagged-{i}", "host": f"t{i}.example.com", "tags": service_tags(i)}
            )
            for i in range(N_TAGGED)
        )
    )
    # entities of other kinds with the same tags must not leak into the services' pages
    await db.consumers.insert({"username": "tagged-consumer", "tags": ["paging", "team_1"]})
    await db.routes.insert({"paths": ["/tagged"], "tags": ["paging", "even"]})
    await db.services.insert({"host": "untagged.example.com"})
    return dict(enumerate(services))


TAG_SCENARIOS = [
    pytest.param(["paging"], None, lambda i: True, id="one"),
    pytest.param(["team_1"], "or", lambda i: i % 5 == 1, id="one-or"),
    pytest.param(["paging", "team_1"], "or", lambda i: True, id="or-superset"),
    pytest.param(["team_1", "team_2"], "or", lambda i: i % 5 in (1, 2), id="or-disjoint"),
    pytest.param(["paging", "team_1"], "and", lambda i: i % 5 == 1, id="and-subset"),
    pytest.param(["team_1", "team_2"], "and", lambda i: False, id="and-disjoint"),
    pytest.param(["team_1", "even"], "and", lambda i: i % 5 == 1 and i % 2 == 0, id="and-overlap"),
    pytest.param(["team_1", "even"], "or", lambda i: i % 5 == 1 or i % 2 == 0, id="or-overlap"),
    pytest.param(
        ["paging", "even", "team_0", "team_0", "paging"],
        "and",
        lambda i: i % 10 == 0,
        id="and-five",
    ),
    pytest.param(["nope"], None, lambda i: False, id="unknown"),
    pytest.param(["nope", "odd"], "or", lambda i: i % 2 == 1, id="or-unknown"),
]


@pytest.mark.parametrize(("tags", "cond", "expected"), TAG_SCENARIOS)
@pytest.mark.parametrize("size", [None, 3, 4])
@pytest.mark.reads
async def test_page_by_tags(db, tagged, tags, cond, expected, size):
    want = {svc.id for i, svc in tagged.items() if expected(i)}
    pages = await all_pages(lambda s, o: db.services.page(s, o, tags=tags, tags_cond=cond), size)
    ids = ids_of(pages)
    assert len(ids) == len(set(ids)), "results overlap"
    assert set(ids) == want
    if size is not None:
        assert all(len(p) <= size for p in pages)
    check_order(db, ids)
    for page in pages:
        for svc in page:
            assert svc.tags == service_tags(int(svc.name.split("-")[1]))
    seen = [s.id async for s in db.services.each(size, tags=tags, tags_cond=cond)]
    assert sorted(seen) == sorted(ids)


@pytest.mark.reads
async def test_page_by_tags_of_other_entities(db, tagged):
    rows, _ = await db.consumers.page(tags=["team_1"])
    assert [c.username for c in rows] == ["tagged-consumer"]
    rows, _ = await db.routes.page(tags=["paging", "even"], tags_cond="and")
    assert [r.paths for r in rows] == [["/tagged"]]
    assert await db.routes.page(tags=["team_1"]) == ([], None)
    plugin = await db.plugins.insert({"name": "key-auth", "tags": ["team_1"]})
    assert await db.plugins.page(tags=["team_1", "x"], tags_cond="or") == ([plugin], None)


@pytest.mark.reads
async def test_tags_filters_follow_updates(db, tagged):
    await db.services.update_by_name("tagged-1", {"tags": ["other"]})
    await db.services.upsert_by_name("tagged-6", {"host": "x.example.com", "tags": ["team_1"]})
    await db.services.delete_by_name("tagged-11")
    rows, _ = await db.services.page(tags=["team_1"])
    assert sorted(s.name for s in rows) == ["tagged-16", "tagged-6"]
    rows, _ = await db.services.page(tags=["other"])
    assert [s.name for s in rows] == ["tagged-1"]


# -- the tags entity -----------------------------------------------------------------------------


def expected_tag_rows(entities: dict[str, list[Any]]) -> Counter:
    return Counter(
        (tag, name, e.id) for name, rows in entities.items() for e in rows for tag in e.tags or ()
    )


def tag_rows(rows: list[Any]) -> Counter:
    return Counter((t.tag, t.entity_name, t.entity_id) for t in rows)


async def tagged_entities(db: Any) -> dict[str, list[Any]]:
    return {
        name: [e async for e in db.daos[name].each()]
        for name in ("services", "routes", "consumers", "plugins")
    }


@pytest.mark.reads
async def test_tags_page_lists_every_tag_of_every_entity(db, tagged):
    await db.plugins.insert({"name": "key-auth", "tags": ["plugin-tag", "paging"]})
    expected = expected_tag_rows(await tagged_entities(db))
    assert sum(expected.values()) == N_TAGGED * 3 + 2 + 2 + 2
    rows, offset = await db.tags.page()
    assert offset is None
    assert tag_rows(rows) == expected
    for size in (1, 4, 7):
        pages = await all_pages(db.tags.page, size)
        flat = [t for p in pages for t in p]
        assert tag_rows(flat) == expected  # nothing lost, nothing repeated
        assert all(len(p) <= size for p in pages)
    assert await db.tags.count() == sum(expected.values())


@pytest.mark.reads
async def test_tags_page_by_tag(db, tagged):
    rows, offset = await db.tags.page_by_tag("team_1")
    assert offset is None
    want = {("services", s.id) for i, s in tagged.items() if i % 5 == 1}
    consumer = await db.consumers.select_by_username("tagged-consumer")
    want.add(("consumers", consumer.id))
    assert {(t.entity_name, t.entity_id) for t in rows} == want
    assert len(rows) == len(want)
    assert {t.tag for t in rows} == {"team_1"}

    pages = await all_pages(lambda s, o: db.tags.page_by_tag("paging", s, o), 3)
    flat = [(t.entity_name, t.entity_id) for p in pages for t in p]
    assert len(flat) == len(set(flat)) == N_TAGGED + 2
    assert all(len(p) <= 3 for p in pages)

    svc = tagged[0]
    rows, _ = await db.tags.page_by_tag("team_0")
    assert ("services", svc.id) in {(t.entity_name, t.entity_id) for t in rows}
    assert await db.tags.page_by_tag("team_alien") == ([], None)


@pytest.mark.reads
async def test_tags_entity_follows_writes(db, tagged):
    assert tag_rows((await db.tags.page())[0]) == expected_tag_rows(await tagged_entities(db))
    scenarios = [
        (db.services.update, {"id": tagged[1].id}, "team_b_update"),
        (db.services.update_by_name, "tagged-2", "team_b_update_by_name"),
        (db.services.upsert, {"id": tagged[3].id}, "team_b_upsert"),
        (db.services.upsert_by_name, "tagged-4", "team_b_upsert_by_name"),
    ]
    for func, key, new_tag in scenarios:
        row = await func(key, {"tags": [new_tag, "paging"], "host": "whatever.com"})
        assert row.tags == [new_tag, "paging"]
        rows, _ = await db.tags.page_by_tag(new_tag)
        assert [(t.entity_name, t.entity_id) for t in rows] == [("services", row.id)]
    expected = expected_tag_rows(await tagged_entities(db))
    assert tag_rows((await db.tags.page())[0]) == expected

    await db.services.delete({"id": tagged[5].id})
    await db.services.delete_by_name("tagged-6")
    rows, _ = await db.tags.page_by_tag("paging")
    ids = {t.entity_id for t in rows}
    assert tagged[5].id not in ids
    assert tagged[6].id not in ids
    assert len(rows) == N_TAGGED - 2 + 2
    assert tag_rows((await db.tags.page())[0]) == expected_tag_rows(await tagged_entities(db))

    created = await db.services.upsert_by_name(
        "service-upsert", {"host": "whatever.com", "tags": ["service-upsert"]}
    )
    rows, _ = await db.tags.page_by_tag("service-upsert")
    assert [(t.entity_name, t.entity_id) for t in rows] == [("services", created.id)]


async def test_tags_entity_refuses_writes(db):
    message = "schema violation (tags: does not support insert/upsert/update/delete operations)"
    calls = [
        lambda: db.tags.insert(
            {"tag": "a", "entity_name": "services", "entity_id": str(uuid.uuid4())}
        ),
        lambda: db.tags.update({"tag": "a"}, {"entity_name": "x"}),
        lambda: db.tags.upsert({"tag": "a"}, {"entity_name": "x"}),
        lambda: db.tags.delete({"tag": "a"}),
    ]
    for call in calls:
        with pytest.raises(errors.SchemaViolation) as excinfo:
            await call()
        err = excinfo.value
        assert err.err_t == {
            "code": 2,
            "name": "schema violation",
            "message": message,
            "strategy": db.connector.name,
            "fields": {"tags": "does not support insert/upsert/update/delete operations"},
        }
        assert str(err) == f"[{db.connector.name}] {message}"
    assert await db.tags.page() == ([], None)


@pytest.mark.reads
async def test_tags_page_by_tag_errors(db):
    with pytest.raises(errors.InvalidUnique) as excinfo:
        await db.tags.page_by_tag("a,b")
    message = (
        "invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"
    )
    assert excinfo.value.err_t == {
        "code": 10,
        "name": "invalid unique tag",
        "message": message,
        "strategy": db.connector.name,
    }
    assert str(excinfo.value) == f"[{db.connector.name}] {message}"
    with pytest.raises(errors.InvalidSize):
        await db.tags.page_by_tag("a", 0)
    with pytest.raises(errors.InvalidSize):
        await db.tags.page(0)
    with pytest.raises(errors.InvalidOffset):
        await db.tags.page(1, "hello")
    with pytest.raises(errors.InvalidOffset):
        await db.tags.page_by_tag("a", 1, "hello")
    with pytest.raises(TypeError) as type_error:
        await db.tags.page_by_tag("a", 1, 1)
    assert str(type_error.value) == "offset must be a string"
