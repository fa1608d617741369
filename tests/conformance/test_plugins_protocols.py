"""Kong's plugins DAO: explicit protocols must match the route's or a service route's."""

import pytest

from kongdao import errors


async def test_route_protocols_must_match(db, bp):
    route = await bp.routes(protocols=["http"])
    with pytest.raises(errors.SchemaViolation) as info:
        await db.plugins.insert(
            {"name": "key-auth", "route": {"id": route.id}, "protocols": ["grpc"]}
        )
    assert info.value.fields == {"protocols": "must match the associated route's protocols"}
    ok = await db.plugins.insert(
        {"name": "key-auth", "route": {"id": route.id}, "protocols": ["http", "grpc"]}
    )
    assert ok.protocols == ["http", "grpc"]


async def test_service_protocols_must_match_one_route(db, bp):
    svc = await bp.services()
    # a service without routes accepts any protocols
    plugin = await db.plugins.insert(
        {"name": "key-auth", "service": {"id": svc.id}, "protocols": ["grpcs"]}
    )
    await db.plugins.delete({"id": plugin.id})
    await bp.routes(service={"id": svc.id}, protocols=["https"])
    with pytest.raises(errors.SchemaViolation) as info:
        await db.plugins.insert(
            {"name": "key-auth", "service": {"id": svc.id}, "protocols": ["grpcs"]}
        )
    assert info.value.fields == {
        "protocols": (
            "must match the protocols of at least one route pointing to this Plugin's service"
        )
    }
    assert await db.plugins.count() == 0


async def test_update_checks_the_merged_plugin(db, bp):
    route = await bp.routes(protocols=["http"])
    plugin = await db.plugins.insert({"name": "key-auth", "route": {"id": route.id}})
    with pytest.raises(errors.SchemaViolation):
        await db.plugins.update({"id": plugin.id}, {"protocols": ["grpcs"]})
    assert (await db.plugins.select({"id": plugin.id})).protocols == plugin.protocols


async def test_protocols_not_given_are_not_checked(db, bp):
    route = await bp.routes(protocols=["http"])
    plugin = await db.plugins.insert({"name": "key-auth", "route": {"id": route.id}})
    assert plugin.protocols == ["grpc", "grpcs", "http", "https"]
