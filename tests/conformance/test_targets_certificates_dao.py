"""The targets and certificates DAOs (Kong 2.8's kong/db/dao/{targets,certificates}.lua).

Connector-agnostic: every test runs on each backend. Targets are normalised and unique per
upstream (race-free), upserts let the newer entry win, ``page_for_upstream`` lists the newest
entry of each target with positional offsets; certificates manage their SNIs through the
``snis`` pseudo-attribute and delete them first. Certificates are generated here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

import kongdao.sync
from kongdao import errors
from kongdao.dao import DAO
from kongdao.dao.certificates import CertificateWithSNIs
from kongdao.entities import Target
from kongdao.sync import SyncDB
from kongdao.testing.certs import certificate_pair

IPV6_LOOPBACK = "[0000:0000:0000:0000:0000:0000:0000:0001]"
INVALID_TARGET = "Invalid target; not a valid hostname or ip address"


def cert_entity(**extra):
    cert, key = certificate_pair("ec")
    return {"cert": cert, "key": key, **extra}


async def names_of(db, certificate_id):
    return sorted([s.name async for s in db.snis.each_for_certificate({"id": certificate_id})])


def recorder(db):
    seen = []

    async def record(event):
        seen.append((event.operation, event.entity_name, event.entity))

    db.events.subscribe(record)
    return seen


# -- targets: normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("example.com", "example.com:8000"),
        ("example.com:123", "example.com:123"),
        ("001.002.003.004", "1.2.3.4:8000"),
        ("::1", f"{IPV6_LOOPBACK}:8000"),
        ("[::1]:81", f"{IPV6_LOOPBACK}:81"),
    ],
)
async def test_targets_are_stored_normalised(db, given, stored):
    up = await db.upstreams.insert({"name": "norm.internal"})
    target = await db.targets.insert({"upstream": {"id": up.id}, "target": given})
    assert target.target == stored
    assert target.weight == 100
    assert await db.targets.select({"id": target.id}) == target
    raw, _ = await db.targets.page_for_upstream_raw({"id": up.id})
    assert [t.target for t in raw] == [stored]


async def test_an_invalid_target_is_kongs_schema_violation(db):
    up = await db.upstreams.insert({"name": "invalid.internal"})
    for write in (
        lambda e: db.targets.insert(e),
        lambda e: db.targets.upsert({"id": str(uuid.uuid4())}, e),
    ):
        with pytest.raises(errors.SchemaViolation) as info:
            # the target is checked first, before the weight (Kong's DAO order)
            await write({"upstream": {"id": up.id}, "target": "some invalid host", "weight": -1})
        assert info.value.fields == {"target": INVALID_TARGET}
        assert (
            str(info.value) == f"[{db.connector.name}] schema violation (target: {INVALID_TARGET})"
        )

    target = await db.targets.insert({"upstream": {"id": up.id}, "target": "10.0.0.1"})
    with pytest.raises(errors.SchemaViolation) as update:
        await db.targets.update({"id": target.id}, {"target": "bad host"})
    # an update goes through the schema's validator, which quotes the value (as Kong's update)
    assert update.value.fields == {
        "target": "Invalid target ('bad host'); not a valid hostname or ip address"
    }
    assert [t.target async for t in db.targets.each()] == ["10.0.0.1:8000"]


# -- targets: one entry per target in an upstream -------------------------------------------------


async def test_a_target_is_unique_in_its_upstream_only(db):
    up = await db.upstreams.insert({"name": "pool.internal"})
    other = await db.upstreams.insert({"name": "other.internal"})
    first = await db.targets.insert({"upstream": {"id": up.id}, "target": "api.example.com"})

    for same in ("api.example.com", "api.example.com:8000"):
        with pytest.raises(errors.UniqueViolation) as info:
            await db.targets.insert({"upstream": {"id": up.id}, "target": same, "weight": 5})
        assert info.value.err_t["message"] == (
            "UNIQUE violation detected on '{target=\"api.example.com:8000\"}'"
        )
        assert info.value.fields == {"target": "api.example.com:8000"}
    # the upstream given by its name is resolved, then checked
    with pytest.raises(errors.UniqueViolation):
        await db.targets.insert(
            {"upstream": {"name": "pool.internal"}, "target": "api.example.com"}
        )

    await db.targets.insert({"upstream": {"id": up.id}, "target": "::1"})
    with pytest.raises(errors.UniqueViolation) as v6:
        await db.targets.insert({"upstream": {"id": up.id}, "target": "[0:0:0:0:0:0:0:1]:8000"})
    assert v6.value.fields == {"target": f"{IPV6_LOOPBACK}:8000"}

    elsewhere = await db.targets.insert({"upstream": {"id": other.id}, "target": "api.example.com"})
    assert elsewhere.target == first.target
    page, _ = await db.targets.page_for_upstream({"id": up.id})
    assert sorted(t.target for t in page) == [f"{IPV6_LOOPBACK}:8000", "api.example.com:8000"]


async def test_updates_keep_targets_unique(db):
    up = await db.upstreams.insert({"name": "upd.internal"})
    other = await db.upstreams.insert({"name": "upd-other.internal"})
    a = await db.targets.insert({"upstream": {"id": up.id}, "target": "a.example.com:80"})
    b = await db.targets.insert({"upstream": {"id": up.id}, "target": "b.example.com:80"})
    await db.targets.insert({"upstream": {"id": other.id}, "target": "a.example.com:80"})

    with pytest.raises(errors.UniqueViolation) as info:
        await db.targets.update({"id": b.id}, {"target": "a.example.com:80"})
    assert info.value.fields == {"target": "a.example.com:80"}
    with pytest.raises(errors.UniqueViolation):
        await db.targets.update({"id": a.id}, {"upstream": {"id": other.id}})
    with pytest.raises(errors.UniqueViolation):
        await db.targets.update_by_target("b.example.com:80", {"target": "a.example.com:80"})
    assert (await db.targets.select({"id": b.id})).target == "b.example.com:80"

    # a target may be rewritten as itself, and moved where it is free
    same = await db.targets.update({"id": a.id}, {"target": "a.example.com:80", "weight": 7})
    assert (same.target, same.weight) == ("a.example.com:80", 7)
    moved = await db.targets.update({"id": b.id}, {"upstream": {"id": other.id}})
    assert moved.upstream == {"id": other.id}
    renamed = await db.targets.update({"id": a.id}, {"target": "c.example.com"})
    assert renamed.target == "c.example.com:8000"
    with pytest.raises(errors.NotFound):
        await db.targets.update({"id": str(uuid.uuid4())}, {"target": "d.example.com"})


async def test_concurrent_inserts_of_one_target_leave_one_entry(db):
    up = await db.upstreams.insert({"name": "race.internal"})
    results = await asyncio.gather(
        *(
            db.targets.insert({"upstream": {"id": up.id}, "target": "10.1.1.1:80", "weight": i})
            for i in range(8)
        ),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, Target)]
    refused = [r for r in results if isinstance(r, errors.UniqueViolation)]
    assert (len(created), len(refused)) == (1, 7), results
    assert [t.id async for t in db.targets.each_for_upstream({"id": up.id})] == [created[0].id]


async def test_upsert_lets_the_newer_entry_win(db):
    up = await db.upstreams.insert({"name": "upsert.internal"})
    old = await db.targets.upsert(
        {"id": str(uuid.uuid4())},
        {"upstream": {"id": up.id}, "target": "10.2.2.2", "weight": 1, "created_at": 1000.5},
    )
    assert (old.target, old.created_at) == ("10.2.2.2:8000", 1000.5)

    # an older entry for the same target writes nothing and returns the entry kept
    kept = await db.targets.upsert(
        {"id": str(uuid.uuid4())},
        {"upstream": {"id": up.id}, "target": "10.2.2.2:8000", "weight": 2, "created_at": 999.0},
    )
    assert kept == old
    assert [t.id async for t in db.targets.each()] == [old.id]

    # a newer one replaces it: the old entry is deleted
    newer_id = str(uuid.uuid4())
    newer = await db.targets.upsert(
        {"id": newer_id},
        {"upstream": {"id": up.id}, "target": "10.2.2.2", "weight": 3, "created_at": 2000.25},
    )
    assert (newer.id, newer.weight) == (newer_id, 3)
    assert [t.id async for t in db.targets.each()] == [newer_id]

    # without created_at an upsert is new; over itself it always replaces (weight changes)
    same = await db.targets.upsert(
        {"id": newer_id},
        {"upstream": {"id": up.id}, "target": "10.2.2.2", "weight": 4, "created_at": 1.0},
    )
    assert same.weight == 4
    latest = await db.targets.upsert(
        {"id": str(uuid.uuid4())}, {"upstream": {"id": up.id}, "target": "10.2.2.2"}
    )
    assert [t.id async for t in db.targets.each()] == [latest.id]

    with pytest.raises(errors.InvalidPrimaryKey):
        await db.targets.upsert({"id": "nope"}, {"upstream": {"id": up.id}, "target": "x.com"})


async def test_upsert_by_target_is_an_insert(db):
    up = await db.upstreams.insert({"name": "ubt.internal"})
    target = await db.targets.upsert_by_target("ubt.example.com", {"upstream": {"id": up.id}})
    assert target.target == "ubt.example.com:8000"
    with pytest.raises(errors.UniqueViolation):
        await db.targets.upsert_by_target("ubt.example.com:8000", {"upstream": {"id": up.id}})
    assert [t.id async for t in db.targets.each()] == [target.id]


# -- targets: listing an upstream -----------------------------------------------------------------


@pytest.mark.reads
async def test_page_for_upstream_lists_newest_first_with_positional_offsets(db):
    up = await db.upstreams.insert({"name": "list.internal"})
    inserted = [
        await db.targets.insert(
            {
                "upstream": {"id": up.id},
                "target": f"api-{i}:80",
                "weight": 0 if i == 2 else 10,
                "created_at": 1000 + i / 1000,
            }
        )
        for i in range(1, 5)
    ]
    first, offset = await db.targets.page_for_upstream({"id": up.id}, 2)
    assert [t.id for t in first] == [inserted[3].id, inserted[2].id]
    assert offset == "2"
    second, offset = await db.targets.page_for_upstream({"id": up.id}, 2, offset)
    # weight 0 entries are listed too (Kong 2.8's Admin API "shows all targets")
    assert [t.id for t in second] == [inserted[1].id, inserted[0].id]
    assert offset is None
    everything, offset = await db.targets.page_for_upstream({"id": up.id}, nulls=True)
    assert (len(everything), offset, everything[0].tags) == (4, None, None)

    assert [t.id for t in await db.targets.select_by_upstream_raw({"id": up.id})] == [
        t.id for t in inserted
    ]
    found = await db.targets.select_by_upstream_filter({"id": up.id}, target="api-3:80")
    assert found == inserted[2]
    assert (
        await db.targets.select_by_upstream_filter({"id": up.id}, id=inserted[0].id)
        == (inserted[0])
    )
    assert await db.targets.select_by_upstream_filter({"id": up.id}, target="api-9") is None

    with pytest.raises(errors.InvalidOffset) as bad:
        await db.targets.page_for_upstream({"id": up.id}, 2, "not-a-position")
    assert bad.value.err_t["message"] == "'not-a-position' is not a valid offset: bad offset"
    with pytest.raises(errors.InvalidSize):
        await db.targets.page_for_upstream({"id": up.id}, 0)
    with pytest.raises(TypeError, match="offset must be a string"):
        await db.targets.page_for_upstream({"id": up.id}, 2, 2)


async def test_page_for_upstream_shows_one_entry_per_target(db):
    up = await db.upstreams.insert({"name": "legacy.internal"})
    old = await db.targets.insert(
        {"upstream": {"id": up.id}, "target": "legacy:80", "weight": 1, "created_at": 1000.0}
    )
    try:
        # a duplicate written past the check, as Kong < 2.2 left them
        new = await DAO.insert(
            db.targets,
            {"upstream": {"id": up.id}, "target": "legacy:80", "weight": 2, "created_at": 2000.0},
        )
    except errors.UniqueViolation:
        pytest.skip("this database refuses duplicate targets by itself (unique index)")
    page, _ = await db.targets.page_for_upstream({"id": up.id})
    assert [t.id for t in page] == [new.id]
    raw = await db.targets.select_by_upstream_raw({"id": up.id})
    assert [t.id for t in raw] == [old.id, new.id]
    assert await db.targets.select_by_upstream_filter({"id": up.id}, target="legacy:80") == new
    with pytest.raises(errors.UniqueViolation) as info:
        await db.targets.insert({"upstream": {"id": up.id}, "target": "legacy:80"})
    assert info.value.fields == {"target": "legacy:80"}


async def test_the_database_keeps_targets_unique_per_upstream(db):
    """PostgreSQL backs the DAO's check with a unique index (migration 001): Kong's error."""
    if db.connector.name != "postgres":
        pytest.skip("a PostgreSQL index: Cassandra relies on the DAO's lock")
    async with db.connector.pool.acquire() as conn:
        assert await conn.fetchval("SELECT to_regclass('targets_target_key') IS NOT NULL")
    up = await db.upstreams.insert({"name": "index.internal"})
    await db.targets.insert({"upstream": {"id": up.id}, "target": "idx:80"})
    with pytest.raises(errors.UniqueViolation) as info:
        await DAO.insert(db.targets, {"upstream": {"id": up.id}, "target": "idx:80"})
    assert info.value.err_t["message"] == "UNIQUE violation detected on '{target=\"idx:80\"}'"


async def test_deleting_an_upstream_cascades_to_its_targets(db):
    up = await db.upstreams.insert({"name": "cascade.internal"})
    other = await db.upstreams.insert({"name": "stays.internal"})
    mine = {
        (await db.targets.insert({"upstream": {"id": up.id}, "target": f"10.3.0.{i}"})).id
        for i in range(3)
    }
    kept = await db.targets.insert({"upstream": {"id": other.id}, "target": "10.3.0.1"})
    seen = recorder(db)
    assert await db.upstreams.delete({"id": up.id}) is not None
    assert [t.id async for t in db.targets.each()] == [kept.id]
    deleted = {e.id for op, name, e in seen if (op, name) == ("delete", "targets")}
    assert deleted == mine


# -- certificates and their SNIs ------------------------------------------------------------------


async def test_insert_with_snis_creates_them(db):
    seen = recorder(db)
    cert = await db.certificates.insert(cert_entity(snis=["b.example.com", "*.example.com"]))
    assert await names_of(db, cert.id) == ["*.example.com", "b.example.com"]
    sni = await db.snis.select_by_name("b.example.com")
    assert sni.certificate == {"id": cert.id}
    assert await db.certificates.select({"id": cert.id}) == cert

    named = await db.certificates.select_with_name_list({"id": cert.id})
    assert named == CertificateWithSNIs(cert, ("*.example.com", "b.example.com"))
    assert named.to_dict()["snis"] == ["*.example.com", "b.example.com"]
    assert named.to_dict()["id"] == cert.id
    assert [(op, name) for op, name, _ in seen] == [
        ("create", "certificates"),
        ("create", "snis"),
        ("create", "snis"),
    ]

    bare = await db.certificates.insert(cert_entity())
    assert (await db.certificates.select_with_name_list({"id": bare.id})).snis == ()
    none = await db.certificates.insert(cert_entity(snis=None))
    assert await names_of(db, none.id) == []
    with pytest.raises(errors.NotFound):
        await db.certificates.select_with_name_list({"id": str(uuid.uuid4())})


async def test_bad_name_lists_are_refused_before_anything_is_written(db):
    owner = await db.certificates.insert(cert_entity(snis=["taken.example.com"]))
    with pytest.raises(errors.SchemaViolation) as dup:
        await db.certificates.insert(cert_entity(snis=["a.example.com", "a.example.com"]))
    assert dup.value.fields == {"snis": "a.example.com is duplicated"}
    assert str(dup.value).endswith("schema violation (snis: a.example.com is duplicated)")

    with pytest.raises(errors.SchemaViolation) as taken:
        await db.certificates.insert(cert_entity(snis=["new.example.com", "taken.example.com"]))
    assert taken.value.fields == {
        "snis": f"taken.example.com already associated with existing certificate '{owner.id}'"
    }
    with pytest.raises(errors.InvalidUnique):
        await db.certificates.insert(cert_entity(snis=["a.*.example.com"]))
    with pytest.raises(TypeError, match="snis must be a table"):
        await db.certificates.insert(cert_entity(snis="a.example.com"))

    assert [c.id async for c in db.certificates.each()] == [owner.id]
    assert [s.name async for s in db.snis.each()] == ["taken.example.com"]


async def test_update_replaces_the_snis(db):
    cert = await db.certificates.insert(cert_entity(snis=["a.example.com", "b.example.com"]))
    other = await db.certificates.insert(cert_entity(snis=["o.example.com"]))
    b_id = (await db.snis.select_by_name("b.example.com")).id

    updated = await db.certificates.update(
        {"id": cert.id}, {"snis": ["c.example.com", "b.example.com"], "tags": ["t"]}
    )
    assert updated.tags == ["t"]
    assert await names_of(db, cert.id) == ["b.example.com", "c.example.com"]
    # a name kept is not re-created
    assert (await db.snis.select_by_name("b.example.com")).id == b_id
    assert await db.snis.select_by_name("a.example.com") is None

    await db.certificates.update({"id": cert.id}, {"tags": ["u"]})
    assert await names_of(db, cert.id) == ["b.example.com", "c.example.com"]

    with pytest.raises(errors.SchemaViolation) as taken:
        await db.certificates.update({"id": cert.id}, {"snis": ["o.example.com"]})
    assert taken.value.fields == {
        "snis": f"o.example.com already associated with existing certificate '{other.id}'"
    }
    assert await names_of(db, cert.id) == ["b.example.com", "c.example.com"]

    await db.certificates.update({"id": cert.id}, {"snis": None})
    assert await names_of(db, cert.id) == []
    assert await names_of(db, other.id) == ["o.example.com"]
    with pytest.raises(errors.NotFound):
        await db.certificates.update({"id": str(uuid.uuid4())}, {"snis": ["z.example.com"]})


async def test_upsert_sets_or_keeps_the_snis(db):
    cert_id = str(uuid.uuid4())
    created = await db.certificates.upsert({"id": cert_id}, cert_entity(snis=["u.example.com"]))
    assert created.id == cert_id
    assert await names_of(db, cert_id) == ["u.example.com"]
    await db.certificates.upsert({"id": cert_id}, cert_entity(snis=["v.example.com"]))
    assert await names_of(db, cert_id) == ["v.example.com"]
    # without snis, the DAO leaves them alone (Kong's Admin API would send an empty list)
    await db.certificates.upsert({"id": cert_id}, cert_entity(tags=["kept"]))
    named = await db.certificates.select_with_name_list({"id": cert_id})
    assert (named.certificate.tags, named.snis) == (["kept"], ("v.example.com",))


async def test_delete_removes_the_certificates_snis(db):
    cert = await db.certificates.insert(cert_entity(snis=["d1.example.com", "d2.example.com"]))
    other = await db.certificates.insert(cert_entity(snis=["d3.example.com"]))
    seen = recorder(db)
    assert await db.certificates.delete({"id": cert.id}) == cert
    assert await db.certificates.select({"id": cert.id}) is None
    assert [s.name async for s in db.snis.each()] == ["d3.example.com"]
    assert sorted((op, name) for op, name, _ in seen) == [
        ("delete", "certificates"),
        ("delete", "snis"),
        ("delete", "snis"),
    ]
    assert await db.certificates.delete({"id": cert.id}) is None
    assert await names_of(db, other.id) == ["d3.example.com"]


async def test_a_certificate_used_by_a_service_cannot_be_deleted(db, bp):
    cert = await db.certificates.insert(cert_entity(snis=["svc.example.com"]))
    svc = await bp.services(client_certificate={"id": cert.id}, protocol="https")
    with pytest.raises(errors.ForeignKeyViolation) as info:
        await db.certificates.delete({"id": cert.id})
    assert info.value.err_t["message"] == (
        "an existing 'services' entity references this 'certificates' entity"
    )
    assert info.value.fields == {"@referenced_by": "services"}
    # refused before anything was deleted: the SNIs are still there
    assert await db.certificates.select({"id": cert.id}) == cert
    assert await names_of(db, cert.id) == ["svc.example.com"]

    await db.services.update({"id": svc.id}, {"client_certificate": None})
    assert await db.certificates.delete({"id": cert.id}) == cert
    assert await db.snis.select_by_name("svc.example.com") is None


async def test_a_name_taken_meanwhile_leaves_nothing_half_made(db, monkeypatch):
    owner = await db.certificates.insert(cert_entity(snis=["z.example.com"]))

    async def no_check(names, certificate_id):
        """The race: another certificate takes a name between the check and the write."""

    monkeypatch.setattr(db.certificates, "_check_list_is_new", no_check)
    with pytest.raises(errors.UniqueViolation):
        await db.certificates.insert(cert_entity(snis=["a.example.com", "z.example.com"]))
    assert [c.id async for c in db.certificates.each()] == [owner.id]
    assert [s.name async for s in db.snis.each()] == ["z.example.com"]


@pytest.mark.reads
async def test_page_with_name_list(db):
    one = await db.certificates.insert(cert_entity(snis=["p1.example.com", "p0.example.com"]))
    two = await db.certificates.insert(cert_entity())
    page, offset = await db.certificates.page_with_name_list(1)
    rest, last = await db.certificates.page_with_name_list(1, offset)
    assert last is None or (await db.certificates.page_with_name_list(1, last))[0] == []
    by_id = {p.certificate.id: p.snis for p in [*page, *rest]}
    assert by_id == {one.id: ("p0.example.com", "p1.example.com"), two.id: ()}
    plain, _ = await db.certificates.page()
    assert sorted(c.id for c in plain) == sorted([one.id, two.id])


# -- the blocking facade --------------------------------------------------------------------------


@pytest.fixture
def sdb(dsn_for: str) -> Iterator[SyncDB]:
    with kongdao.sync.connect(dsn_for, ttl_cleanup_interval=None) as db:
        db.truncate()
        yield db


def test_the_blocking_daos_have_the_same_helpers(sdb):
    cert = sdb.certificates.insert(cert_entity(snis=["sync.example.com"]))
    assert sdb.certificates.select_with_name_list({"id": cert.id}).snis == ("sync.example.com",)
    page, _ = sdb.certificates.page_with_name_list()
    assert [p.snis for p in page] == [("sync.example.com",)]

    up = sdb.upstreams.insert({"name": "sync.internal"})
    old = sdb.targets.insert({"upstream": {"id": up.id}, "target": "s1", "created_at": 1.0})
    new = sdb.targets.insert({"upstream": {"id": up.id}, "target": "s2", "created_at": 2.0})
    assert [t.id for t in sdb.targets.select_by_upstream_raw({"id": up.id})] == [old.id, new.id]
    assert sdb.targets.select_by_upstream_filter({"id": up.id}, target="s1") == old
    assert [t.id for t in sdb.targets.page_for_upstream({"id": up.id})[0]] == [new.id, old.id]
    assert sorted(t.id for t in sdb.targets.each_for_upstream({"id": up.id}, 1)) == sorted(
        [old.id, new.id]
    )
    raw, _ = sdb.targets.page_for_upstream_raw({"id": up.id})
    assert len(raw) == 2
    with pytest.raises(errors.UniqueViolation):
        sdb.targets.insert({"upstream": {"id": up.id}, "target": "s1:8000"})
