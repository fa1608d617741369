"""The ``primary`` read option and ``db.use_primary()``, on every backend.

With a read replica (PostgreSQL's ``ro_host``) they send reads to the primary; elsewhere they
change nothing but must be accepted and checked the same way. Where each read goes on a real
primary + replica pair is tested in tests/scale/replica.
"""

from __future__ import annotations

import pytest

from kongdao import errors

pytestmark = pytest.mark.reads


async def test_primary_reads_return_what_plain_reads_return(db, bp):
    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})
    assert await db.services.select({"id": svc.id}, primary=True) == svc
    assert await db.services.select_by_name(svc.name, primary=True) == svc
    assert await db.services.select_by("name", svc.name, primary=True) == svc
    assert (await db.services.page(primary=True))[0] == (await db.services.page())[0]
    assert [s async for s in db.services.each(primary=True)] == [svc]
    page, _ = await db.routes.page_for_service({"id": svc.id}, primary=True)
    assert [r.id for r in page] == [route.id]
    assert [r.id async for r in db.routes.each_for_service({"id": svc.id}, primary=True)] == [
        route.id
    ]
    with db.use_primary():
        assert await db.services.select({"id": svc.id}) == svc
        assert await db.routes.select({"id": route.id}) == route


async def test_primary_must_be_a_boolean(db):
    pk = {"id": "3c8bd0ff-bbd0-4f24-9c4c-1e4e40b7a5a1"}
    calls = [
        db.services.select(pk, primary=1),
        db.services.select_by_name("x", primary="yes"),
        db.services.page(primary=None),
        db.routes.page_for_service(pk, primary=0),
    ]
    for call in calls:
        with pytest.raises(errors.InvalidOptions) as info:
            await call
        assert info.value.options == {"primary": "must be a boolean"}
        assert "primary: must be a boolean" in str(info.value)
