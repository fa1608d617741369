"""DB-less reads equal database reads: one kong.yml imported into the backend and served "off".

Connector-agnostic: the same declarative configuration is imported into the ``db`` fixture's
database and loaded into a DB-less DB (``kongdao.connect("off", declarative_config=...)``);
every read of the DAO (select, select_by_<unique>, select_by_cache_key, page, each,
page_for_<foreign>, count, tags filters) must give the same entities, and bad reads the same
errors. Writes on the DB-less side fail with OPERATION_UNSUPPORTED.

The ``off`` backend of the test plugin runs the suite's read tests DB-less too, but it fills
the DB-less DB from ``export_from_db``; this test covers the other way in: a file parsed with
``transform`` and given to ``kongdao.connect("off", declarative_config=...)``, compared with
the same file imported into the database. It is not a ``reads`` test: on ``off`` it would
compare the DB-less DB with itself.
"""

import pytest

import kongdao
from kongdao import declarative, errors

pytestmark = pytest.mark.postgres


def config_document():
    services = []
    for i in range(12):
        services.append(
            {
                "name": f"svc-{i}",
                "host": f"svc-{i}.internal",
                "tags": ["even" if i % 2 == 0 else "odd", f"n{i % 3}"],
                "routes": [{"name": f"route-{i}-{j}", "paths": [f"/s{i}/r{j}"]} for j in range(3)],
                "plugins": [{"name": "key-auth"}] if i % 4 == 0 else [],
            }
        )
    return {
        "_format_version": "3.0",
        "services": services,
        "consumers": [
            {"username": f"user-{k}", "keyauth_credentials": [{"key": f"key-{k}"}]}
            for k in range(5)
        ],
        "plugins": [{"name": "cors"}],
        "upstreams": [{"name": "pool.internal", "targets": [{"target": "10.0.0.1:80"}]}],
    }


@pytest.fixture
async def pair(db):
    """(database DB, DB-less DB) serving the same configuration."""
    config = declarative.parse(config_document(), plugins=list(db.loaded_plugins.values()))
    await declarative.load_into_db(db, config)
    off = await kongdao.connect("off", declarative_config=config)
    try:
        yield db, off
    finally:
        await off.close()


def plain(entities):
    """Entities as dicts, by id, without ``updated_at`` (an import stamps its own)."""
    rows = [{k: v for k, v in e.to_dict(nulls=True).items() if k != "updated_at"} for e in entities]
    return sorted(rows, key=lambda row: row["id"])


async def every(dao, **kw):
    return plain([e async for e in dao.each(**kw)])


async def test_every_entity_reads_the_same(pair):
    db, off = pair
    for name in ("services", "routes", "consumers", "plugins", "keyauth_credentials", "targets"):
        mine, theirs = await every(db.daos[name]), await every(off.daos[name])
        assert mine == theirs, name
        assert len(mine) > 0, name
        assert await db.daos[name].count() == await off.daos[name].count() == len(mine)


async def test_lookups_read_the_same(pair):
    db, off = pair
    for side in (db, off):
        svc = await side.services.select_by_name("svc-4")
        assert svc is not None
        assert await side.services.select({"id": svc.id}) == svc
    assert plain([await db.services.select_by_name("svc-4")]) == plain(
        [await off.services.select_by_name("svc-4")]
    )
    assert await off.services.select_by_name("nope") is None
    svc = await off.services.select_by_name("svc-4")
    plugin = {"name": "key-auth", "service": {"id": svc.id}}
    assert await db.plugins.select_by_cache_key(plugin) == await off.plugins.select_by_cache_key(
        plugin
    )
    assert await off.plugins.select_by_cache_key(plugin) is not None
    assert await db.keyauth_credentials.select_by_cache_key(
        "key-3"
    ) == await off.keyauth_credentials.select_by_cache_key("key-3")
    mine, _ = await db.routes.page_for_service({"id": svc.id})
    theirs, _ = await off.routes.page_for_service({"id": svc.id})
    assert plain(mine) == plain(theirs)
    assert len(theirs) == 3


async def test_pages_and_tag_filters_read_the_same(pair):
    db, off = pair
    for side in (db, off):
        seen, offset = [], None
        while True:
            page, offset = await side.routes.page(size=5, offset=offset)
            assert len(page) <= 5
            seen.extend(page)
            if offset is None:
                break
        assert len(seen) == 36
        assert len({r.id for r in seen}) == 36
    for tags, cond in ((["even"], None), (["odd", "n1"], "and"), (["n0", "n2"], "or")):
        kw = {"tags": tags, "tags_cond": cond} if cond else {"tags": tags}
        mine, _ = await db.services.page(size=100, **kw)
        theirs, _ = await off.services.page(size=100, **kw)
        assert sorted(s.name for s in mine) == sorted(s.name for s in theirs), tags
        assert theirs


async def test_bad_reads_fail_the_same(pair):
    db, off = pair
    for call in (
        lambda side: side.services.page(size=0),
        lambda side: side.services.page(size=5, offset="%%%"),
        lambda side: side.services.select({"id": "not-a-uuid"}),
    ):
        with pytest.raises(errors.KongDAOError) as mine:
            await call(db)
        with pytest.raises(errors.KongDAOError) as theirs:
            await call(off)
        assert type(mine.value) is type(theirs.value)
        assert mine.value.code == theirs.value.code


async def test_dbless_refuses_writes(pair):
    _, off = pair
    with pytest.raises(errors.OperationUnsupported) as info:
        await off.services.insert({"name": "new", "host": "new.internal"})
    assert str(info.value) == "[off] cannot create 'services' entities when not using a database"
    svc = await off.services.select_by_name("svc-1")
    with pytest.raises(errors.OperationUnsupported):
        await off.services.update({"id": svc.id}, {"retries": 1})
    with pytest.raises(errors.OperationUnsupported):
        await off.services.delete({"id": svc.id})
    assert await off.services.select_by_name("svc-1") == svc
