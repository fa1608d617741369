"""The bundled plugins' entities on every backend: keyauth_credentials, basicauth_credentials, acls.

Connector-agnostic (KONG.md 4.5, 4.6): plugin entities get DAOs like the core ones
(``db.keyauth_credentials``, generated methods, cache keys, TTL), their foreign keys to
consumers cascade, and their tables come from the plugins' own migrations (the ``db`` fixture's
database was bootstrapped with every bundled plugin enabled).

Kong references: ``spec/03-plugins/09-key-auth/01-api_spec.lua``,
``spec/03-plugins/10-basic-auth/02-api_spec.lua``, ``spec/03-plugins/18-acl/01-api_spec.lua``.
"""

import asyncio
import hashlib
import re

import pytest

from kongdao import CrudEvent, errors
from kongdao.plugins.basic_auth import hash_password, verify_password

pytestmark = pytest.mark.postgres


def consumer_ref(consumer):
    return {"id": consumer.id}


# -- key-auth ---------------------------------------------------------------------------------


async def test_keyauth_credentials_crud(db, bp):
    alice = await bp.consumers()
    cred = await db.keyauth_credentials.insert({"consumer": consumer_ref(alice)})
    # the key is generated when absent (Kong's auto string: 32 hex-like characters)
    assert re.fullmatch(r"[0-9a-f]{32}", cred.key)
    assert cred.consumer == {"id": alice.id}
    assert isinstance(cred.created_at, int)
    assert cred.ttl is None
    assert cred.key not in repr(cred)

    assert await db.keyauth_credentials.select({"id": cred.id}) == cred
    assert await db.keyauth_credentials.select_by_key(cred.key) == cred
    # the cache key is the key itself: the gateway's lookup of a presented key
    assert db.keyauth_credentials.cache_key(cred.key) == (
        f"keyauth_credentials:{cred.key}:::::{db.default_workspace_id}"
    )
    assert await db.keyauth_credentials.select_by_cache_key(cred.key) == cred
    assert await db.keyauth_credentials.select_by_cache_key(cred) == cred

    renamed = await db.keyauth_credentials.update_by_key(cred.key, {"key": "secret-1"})
    assert renamed.key == "secret-1"
    assert renamed.id == cred.id
    assert await db.keyauth_credentials.select_by_key(cred.key) is None

    replaced = await db.keyauth_credentials.upsert_by_key(
        "secret-1", {"consumer": consumer_ref(alice), "tags": ["ops"]}
    )
    assert (replaced.id, replaced.tags) == (cred.id, ["ops"])

    assert await db.keyauth_credentials.delete_by_key("secret-1") is not None
    assert await db.keyauth_credentials.select({"id": cred.id}) is None


async def test_keyauth_key_is_unique(db, bp):
    alice, bob = await bp.consumers(), await bp.consumers()
    await db.keyauth_credentials.insert({"consumer": consumer_ref(alice), "key": "k1"})
    with pytest.raises(errors.UniqueViolation) as info:
        await db.keyauth_credentials.insert({"consumer": consumer_ref(bob), "key": "k1"})
    assert info.value.err_t["message"] == "UNIQUE violation detected on '{key=\"k1\"}'"
    assert info.value.err_t["fields"] == {"key": "k1"}
    assert [c.consumer["id"] async for c in db.keyauth_credentials.each()] == [alice.id]


async def test_keyauth_consumer_is_required_and_must_exist(db, bp):
    with pytest.raises(errors.SchemaViolation) as info:
        await db.keyauth_credentials.insert({"key": "k"})
    assert info.value.fields == {"consumer": "required field missing"}

    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(errors.ForeignKeyViolation) as fk:
        await db.keyauth_credentials.insert({"consumer": {"id": missing}, "key": "k"})
    assert fk.value.fields == {"consumer": {"id": missing}}
    assert fk.value.err_t["message"] == (
        f"the foreign key '{{id=\"{missing}\"}}' does not reference an existing 'consumers' entity."
    )
    assert await db.keyauth_credentials.select_by_key("k") is None


@pytest.mark.reads
async def test_keyauth_page_for_consumer(db, bp):
    alice, bob = await bp.consumers(), await bp.consumers()
    mine = {
        (await db.keyauth_credentials.insert({"consumer": consumer_ref(alice)})).id
        for _ in range(5)
    }
    await db.keyauth_credentials.insert({"consumer": consumer_ref(bob)})
    page, offset = await db.keyauth_credentials.page_for_consumer(consumer_ref(alice), size=3)
    assert len(page) == 3
    assert offset is not None
    rest, end = await db.keyauth_credentials.page_for_consumer(
        consumer_ref(alice), size=3, offset=offset
    )
    assert end is None
    assert {c.id for c in page + rest} == mine
    each = [c.id async for c in db.keyauth_credentials.each_for_consumer(consumer_ref(alice))]
    assert set(each) == mine


async def test_keyauth_credential_expires(db, bp):
    alice = await bp.consumers()
    short = await db.keyauth_credentials.insert({"consumer": consumer_ref(alice)}, ttl=2)
    assert await db.keyauth_credentials.select_by_cache_key(short.key) is not None
    lasting = await db.keyauth_credentials.insert({"consumer": consumer_ref(alice)}, ttl=3600)
    read = await db.keyauth_credentials.select_by_key(lasting.key)
    assert read is not None
    assert 3590 <= read.ttl <= 3600
    await asyncio.sleep(3.1)
    assert await db.keyauth_credentials.select_by_key(short.key) is None
    assert await db.keyauth_credentials.select_by_cache_key(short.key) is None
    assert [c.id async for c in db.keyauth_credentials.each()] == [lasting.id]
    # an expired key is free again (where rows outlive their expiry, once cleaned up)
    await db.cleanup_expired()
    again = await db.keyauth_credentials.insert({"consumer": consumer_ref(alice), "key": short.key})
    assert again.ttl is None


# -- basic-auth -------------------------------------------------------------------------------


async def test_basicauth_password_is_stored_hashed(db, bp):
    alice = await bp.consumers()
    cred = await db.basicauth_credentials.insert(
        {"consumer": consumer_ref(alice), "username": "alice", "password": "kong-s3cret"}
    )
    # Kong's scheme: hex SHA-1 of the password followed by the consumer id
    expected = hashlib.sha1(f"kong-s3cret{alice.id}".encode()).hexdigest()
    assert cred.password == expected == hash_password(alice.id, "kong-s3cret")
    assert "kong-s3cret" not in repr(cred)
    assert expected not in repr(cred)
    assert verify_password(cred, "kong-s3cret")
    assert not verify_password(cred, "kong-s3cret ")

    stored = await db.basicauth_credentials.select_by_username("alice")
    assert stored is not None
    assert stored.password == expected
    assert "kong-s3cret" not in str(stored.to_dict())

    # a new password is hashed again; the consumer id is needed to salt it (Kong's rule)
    with pytest.raises(errors.SchemaViolation) as info:
        await db.basicauth_credentials.update({"id": cred.id}, {"password": "other"})
    assert "password" in str(info.value.err_t)
    assert (await db.basicauth_credentials.select({"id": cred.id})).password == expected
    updated = await db.basicauth_credentials.update(
        {"id": cred.id}, {"password": "other", "consumer": consumer_ref(alice)}
    )
    assert updated.password == hash_password(alice.id, "other")
    assert verify_password(updated, "other")


async def test_basicauth_username_is_unique_and_password_required(db, bp):
    alice, bob = await bp.consumers(), await bp.consumers()
    await db.basicauth_credentials.insert(
        {"consumer": consumer_ref(alice), "username": "shared", "password": "a"}
    )
    with pytest.raises(errors.UniqueViolation) as info:
        await db.basicauth_credentials.insert(
            {"consumer": consumer_ref(bob), "username": "shared", "password": "b"}
        )
    assert info.value.err_t["fields"] == {"username": "shared"}
    with pytest.raises(errors.SchemaViolation) as missing:
        await db.basicauth_credentials.insert({"consumer": consumer_ref(bob), "username": "bob"})
    assert missing.value.fields == {"password": "required field missing"}
    # the error carries no password of any kind
    with pytest.raises(errors.SchemaViolation) as bad:
        await db.basicauth_credentials.insert(
            {"consumer": consumer_ref(bob), "username": 5, "password": "hunter2-secret"}
        )
    assert bad.value.fields == {"username": "expected a string"}
    assert "hunter2-secret" not in str(bad.value)
    assert "hunter2-secret" not in repr(bad.value.err_t)


# -- acl --------------------------------------------------------------------------------------


async def test_acls_composite_cache_key(db, bp):
    alice, bob = await bp.consumers(), await bp.consumers()
    admin = await db.acls.insert({"consumer": consumer_ref(alice), "group": "admin"})
    await db.acls.insert({"consumer": consumer_ref(alice), "group": "ops"})
    await db.acls.insert({"consumer": consumer_ref(bob), "group": "admin"})

    key = db.acls.cache_key(alice.id, "admin")
    assert key == f"acls:{alice.id}:admin::::{db.default_workspace_id}"
    assert db.acls.cache_key(admin) == key
    assert await db.acls.select_by_cache_key(key) == admin
    assert await db.acls.select_by_cache_key(admin) == admin
    assert await db.acls.select_by_cache_key(db.acls.cache_key(bob.id, "ops")) is None

    # a consumer is in a group once
    with pytest.raises(errors.UniqueViolation):
        await db.acls.insert({"consumer": consumer_ref(alice), "group": "admin"})
    groups, _ = await db.acls.page_for_consumer(consumer_ref(alice))
    assert sorted(a.group for a in groups) == ["admin", "ops"]

    # moving the membership to another group moves its cache key
    moved = await db.acls.update({"id": admin.id}, {"group": "root"})
    assert await db.acls.select_by_cache_key(key) is None
    assert await db.acls.select_by_cache_key(db.acls.cache_key(alice.id, "root")) == moved


# -- cascades -----------------------------------------------------------------------------------


async def test_deleting_a_consumer_deletes_its_credentials_and_plugins(db, bp):
    alice, bob = await bp.consumers(), await bp.consumers()
    for consumer in (alice, bob):
        ref = consumer_ref(consumer)
        await db.keyauth_credentials.insert({"consumer": ref})
        await db.basicauth_credentials.insert(
            {"consumer": ref, "username": consumer.username, "password": "pw"}
        )
        await db.acls.insert({"consumer": ref, "group": "g"})
        await db.plugins.insert({"name": "rate-limiting", "consumer": ref, "config": {"minute": 5}})

    events: list[CrudEvent] = []

    async def record(event: CrudEvent) -> None:
        events.append(event)

    db.events.subscribe(record)
    assert await db.consumers.delete({"id": alice.id})

    for dao in (db.keyauth_credentials, db.basicauth_credentials, db.acls):
        owners = [e.consumer["id"] async for e in dao.each()]
        assert owners == [bob.id]
    assert [p.consumer["id"] async for p in db.plugins.each()] == [bob.id]
    deleted = sorted(e.entity_name for e in events if e.operation == "delete")
    assert deleted == [
        "acls",
        "basicauth_credentials",
        "consumers",
        "keyauth_credentials",
        "plugins",
    ]
    assert all(e.entity.consumer["id"] == alice.id for e in events if e.entity_name != "consumers")


async def test_legacy_factory_serves_plugin_entities(db, bp):
    alice = await bp.consumers()
    cred = await db.keyauth_credentials.insert({"consumer": consumer_ref(alice), "key": "lk"})
    rows = await db.dao.keyauth_credentials.find_all({"key": "lk"})
    assert [r["id"] for r in rows] == [cred.id]
    assert rows[0]["consumer_id"] == alice.id


# -- jwt, oauth2, session (batch of Kong 2.8 plugins with entities) -----------------------------


async def test_jwt_secrets_crud_and_cascade(db, bp):
    alice = await bp.consumers()
    secret = await db.jwt_secrets.insert({"consumer": consumer_ref(alice)})
    assert secret.algorithm == "HS256"
    assert secret.key
    assert secret.secret
    assert secret.secret not in repr(secret)
    assert await db.jwt_secrets.select_by_key(secret.key) == secret
    assert await db.jwt_secrets.select_by_cache_key(secret.key) == secret
    with pytest.raises(errors.UniqueViolation):
        await db.jwt_secrets.insert({"consumer": consumer_ref(alice), "key": secret.key})
    with pytest.raises(errors.SchemaViolation) as rs:
        await db.jwt_secrets.insert({"consumer": consumer_ref(alice), "algorithm": "RS256"})
    assert rs.value.fields["rsa_public_key"] == "required field missing"
    await db.consumers.delete({"id": alice.id})
    assert await db.jwt_secrets.select({"id": secret.id}) is None


async def test_oauth2_tokens_hash_their_cache_key_and_follow_their_credential(db, bp):
    alice = await bp.consumers()
    app = await db.oauth2_credentials.insert(
        {
            "consumer": consumer_ref(alice),
            "name": "app",
            "redirect_uris": ["https://app.example/cb"],
        }
    )
    assert app.client_id
    assert app.client_secret
    token = await db.oauth2_tokens.insert(
        {"credential": {"id": app.id}, "expires_in": 3600, "access_token": "tok-1"}, ttl=3600
    )
    assert token.access_token not in repr(token)
    # Kong keeps access tokens out of cache keys: oauth2_tokens:<sha1 of the usual key>
    key = db.oauth2_tokens.cache_key("tok-1")
    assert re.fullmatch(r"oauth2_tokens:[0-9a-f]{40}", key)
    assert await db.oauth2_tokens.select_by_access_token("tok-1") == token
    assert await db.oauth2_tokens.select_by_cache_key("tok-1") == token
    # deleting the application deletes its tokens, and the consumer its applications
    await db.consumers.delete({"id": alice.id})
    assert await db.oauth2_credentials.select({"id": app.id}) is None
    assert await db.oauth2_tokens.select({"id": token.id}) is None


async def test_sessions_expire(db):
    row = await db.sessions.insert({"session_id": "s-1", "data": "payload"}, ttl=2)
    assert await db.sessions.select_by_session_id("s-1") == row
    assert "payload" not in repr(row)
    await asyncio.sleep(3.1)
    assert await db.sessions.select_by_session_id("s-1") is None
