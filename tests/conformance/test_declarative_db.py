"""Declarative configurations into and out of every backend: import, re-import, export, round trip.

Connector-agnostic: ``load_into_db`` writes a parsed ``kong.yml`` as upserts in dependency
order; where the backend has transactions a failed import leaves nothing behind, elsewhere a
second run completes it; ``export_from_db`` + ``dump()`` parse back to the same entities.
"""

import json

import pytest

from kongdao import declarative, errors
from kongdao.plugins.basic_auth import hash_password
from kongdao.testing.certs import certificate_pair

pytestmark = pytest.mark.postgres

CERT, KEY = certificate_pair("ec", "tls.example.com")


def config_text():
    return json.dumps(
        {
            "_format_version": "3.0",
            "services": [
                {
                    "name": "orders",
                    "url": "http://orders.internal:8080/v1",
                    "routes": [
                        {"name": "orders-api", "paths": ["/orders", "~/orders/\\d+$"]},
                    ],
                    "plugins": [{"name": "key-auth", "config": {"key_names": ["x-key"]}}],
                },
                {"name": "billing", "host": "billing.internal"},
            ],
            "routes": [{"name": "billing-api", "paths": ["/billing"], "service": "billing"}],
            "consumers": [
                {
                    "username": "alice",
                    "keyauth_credentials": [{"key": "alice-key"}],
                    "basicauth_credentials": [{"username": "alice", "password": "s3cret"}],
                    "acls": [{"group": "admins"}],
                }
            ],
            "plugins": [{"name": "rate-limiting", "config": {"minute": 60}}],
            "upstreams": [
                {"name": "orders.upstream", "targets": [{"target": "10.0.0.1"}]},
            ],
            "certificates": [{"cert": CERT, "key": KEY, "snis": [{"name": "tls.example.com"}]}],
        }
    )


def comparable(config):
    """Entity sets without timestamps (what an import/export round trip must keep)."""
    out = {}
    for name, items in config.entities.items():
        rows = []
        for item in items:
            row = {k: v for k, v in item.items() if k not in ("created_at", "updated_at")}
            rows.append(json.dumps(row, sort_keys=True, default=str))
        out[name] = sorted(rows)
    return out


async def snapshot(db):
    return comparable(await declarative.export_from_db(db))


async def test_import_writes_every_entity_with_stable_ids(db):
    config = await declarative.load_into_db(db, config_text())
    assert len(config) == 14
    svc = await db.services.select_by_name("orders")
    assert (svc.host, svc.port, svc.path) == ("orders.internal", 8080, "/v1")
    assert svc.id == declarative.parse(config_text()).entities["services"][0]["id"]
    route = await db.routes.select_by_name("orders-api")
    assert route.service == {"id": svc.id}
    plugin = await db.plugins.select_by_cache_key({"name": "key-auth", "service": {"id": svc.id}})
    assert plugin.config["key_names"] == ["x-key"]
    alice = await db.consumers.select_by_username("alice")
    cred = await db.basicauth_credentials.select_by_username("alice")
    assert cred.password == hash_password(alice.id, "s3cret")  # _transform: hashed once
    assert (await db.keyauth_credentials.select_by_key("alice-key")).consumer == {"id": alice.id}
    assert await db.acls.select_by_cache_key(db.acls.cache_key(alice.id, "admins")) is not None
    (target,) = [t async for t in db.targets.each()]
    assert target.target == "10.0.0.1:8000"
    assert (await db.snis.select_by_name("tls.example.com")) is not None


async def test_importing_twice_leaves_the_same_state(db):
    await declarative.load_into_db(db, config_text())
    first = await snapshot(db)
    await declarative.load_into_db(db, config_text())
    assert await snapshot(db) == first
    assert await db.services.count() == 2


async def test_export_round_trips(db, dsn_for):
    await declarative.load_into_db(db, config_text())
    exported = await declarative.export_from_db(db)
    dumped = exported.dump()
    assert dumped["_format_version"] == "3.0"
    assert dumped["_transform"] is False
    before = comparable(exported)
    await db.truncate()
    reparsed = declarative.parse(json.dumps(dumped), plugins=list(db.loaded_plugins.values()))
    await declarative.load_into_db(db, reparsed)
    assert await snapshot(db) == before
    # the basic-auth hash was not hashed again
    alice = await db.consumers.select_by_username("alice")
    cred = await db.basicauth_credentials.select_by_username("alice")
    assert cred.password == hash_password(alice.id, "s3cret")


async def test_an_invalid_file_writes_nothing(db):
    bad = json.loads(config_text())
    bad["services"][1]["port"] = 70000
    with pytest.raises(errors.DeclarativeConfigError):
        await declarative.load_into_db(db, bad)
    assert await db.services.count() == 0


async def test_a_failed_import_is_atomic_or_completes_when_run_again(db):
    # a service of the database already holds the name the file gives another id
    squatter = await db.services.insert({"name": "billing", "host": "elsewhere.internal"})
    with pytest.raises(errors.UniqueViolation):
        await declarative.load_into_db(db, config_text())
    if db.connector.capabilities.transactions:
        assert await db.services.count() == 1  # nothing of the file was written
        assert await db.consumers.count() == 0
    await db.services.delete({"id": squatter.id})
    await declarative.load_into_db(db, config_text())
    assert await db.services.count() == 2
    assert await db.consumers.count() == 1
    assert await db.targets.count() == 1
