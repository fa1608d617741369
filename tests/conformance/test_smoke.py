import pytest

pytestmark = pytest.mark.postgres


async def test_seed_example(db):
    svc = await db.services.insert({"name": "mockbin", "url": "http://mockbin.org"})
    assert (svc.protocol, svc.host, svc.port, svc.path) == ("http", "mockbin.org", 80, None)
    assert await db.services.select({"id": svc.id}) == svc


async def test_blueprints(bp, db):
    route = await bp.routes()
    assert (await db.routes.select({"id": route.id})).service.id == route.service.id
