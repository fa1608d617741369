"""Conformance: CRUD through the DAO on services, routes, consumers and plugins.

Ported from Kong 2.8's ``spec/02-integration/03-db/02-db_core_entities_spec.lua`` (and the
plugins / unique-foreign specs) where it applies, plus the pipelines of KONG.md 1.5-1.10:
defaults, PATCH (partial update, deep-merged records, explicit ``None`` clears, immutable fields,
"when updating" messages), PUT (upsert replaces), idempotent delete, foreign keys given by a
unique field, ``nulls``, cache keys and ``count()``.

Connector-agnostic: only the public DAO API is used, never the backend's name.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

import kongdao
from kongdao import errors
from kongdao.schema import Entity, Field, entity, field, typedefs
from kongdao.testing.plugin import create_tables

BLANK_UUID = "00000000-0000-0000-0000-000000000000"

KEY_AUTH_CONFIG = {
    "key_names": ["apikey"],
    "hide_credentials": False,
    "key_in_header": True,
    "key_in_query": True,
    "key_in_body": False,
    "run_on_preflight": True,
}

SERVICE_DEFAULTS = {
    "name": None,
    "retries": 5,
    "protocol": "http",
    "port": 80,
    "path": None,
    "connect_timeout": 60000,
    "write_timeout": 60000,
    "read_timeout": 60000,
    "tags": None,
    "client_certificate": None,
    "tls_verify": None,
    "tls_verify_depth": None,
    "ca_certificates": None,
    "enabled": True,
}

ROUTE_DEFAULTS = {
    "name": None,
    "protocols": ["http", "https"],
    "methods": None,
    "hosts": None,
    "paths": None,
    "headers": None,
    "https_redirect_status_code": 426,
    "regex_priority": 0,
    "strip_path": True,
    "path_handling": "v0",
    "preserve_host": False,
    "request_buffering": True,
    "response_buffering": True,
    "snis": None,
    "sources": None,
    "destinations": None,
    "tags": None,
    "service": None,
}


# -- helpers -----------------------------------------------------------------------------------


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: Any) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError, AttributeError):
        return False


def expected_err_t(db: Any, cls: type[errors.KongDAOError], message: str, **extra: Any) -> dict:
    return {
        "code": cls.code,
        "name": cls.name,
        "message": message,
        "strategy": db.connector.name,
        **extra,
    }


def check_error(
    db: Any, excinfo: pytest.ExceptionInfo, cls: type[errors.KongDAOError], message: str, **extra
) -> None:
    err = excinfo.value
    assert type(err) is cls
    assert err.err_t == expected_err_t(db, cls, message, **extra)
    assert str(err) == f"[{db.connector.name}] {message}"


def assert_recent(ts: int, before: int) -> None:
    assert isinstance(ts, int)
    assert before <= ts <= int(time.time()) + 1


# -- a throwaway entity with an immutable field --------------------------------------------------


@entity("conformance_crud_gadgets", primary_key=("id",), endpoint_key="name")
class Gadget(Entity):
    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    name: str = field(Field(type="string", required=True, unique=True))
    serial: str = field(Field(type="string", required=True, immutable=True))
    color: str | None = field(Field(type="string"))


@pytest.fixture
async def gadgets(db: Any, dsn_for: str) -> AsyncIterator[Any]:
    async with kongdao.connect(dsn_for, entities=[Gadget], ttl_cleanup_interval=None) as gdb:
        await create_tables(gdb, Gadget)
        await gdb.truncate("conformance_crud_gadgets")
        yield gdb.daos["conformance_crud_gadgets"]


# -- services: insert / select ----------------------------------------------------------------


async def test_seed_example_insert_with_url(db):
    before = int(time.time())
    svc = await db.services.insert({"name": "mockbin", "url": "http://mockbin.org"})
    assert is_uuid(svc.id)
    assert_recent(svc.created_at, before)
    assert svc.updated_at == svc.created_at
    assert svc.to_dict(nulls=True) == {
        **SERVICE_DEFAULTS,
        "id": svc.id,
        "created_at": svc.created_at,
        "updated_at": svc.updated_at,
        "name": "mockbin",
        "host": "mockbin.org",
    }
    assert await db.services.select({"id": svc.id}) == svc
    assert await db.services.select_by_name("mockbin") == svc


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://mockbin.org/request", ("http", "mockbin.org", 80, "/request")),
        ("https://example.com", ("https", "example.com", 443, None)),
        ("https://example.com:8443/some/path", ("https", "example.com", 8443, "/some/path")),
        ("http://example.com:8080", ("http", "example.com", 8080, None)),
        ("http://example.com:443/", ("http", "example.com", 443, "/")),
        ("grpcs://grpc.example.com:9000", ("grpcs", "grpc.example.com", 9000, None)),
    ],
)
async def test_insert_url_shorthand(db, url, expected):
    svc = await db.services.insert({"url": url})
    assert (svc.protocol, svc.host, svc.port, svc.path) == expected
    stored = await db.services.select({"id": svc.id})
    assert (stored.protocol, stored.host, stored.port, stored.path) == expected
    assert "url" not in stored.to_dict(nulls=True)


async def test_insert_service_injects_defaults(db):
    before = int(time.time())
    svc = await db.services.insert({"host": "example.com"})
    assert is_uuid(svc.id)
    assert_recent(svc.created_at, before)
    assert_recent(svc.updated_at, before)
    assert svc.to_dict(nulls=True) == {
        **SERVICE_DEFAULTS,
        "id": svc.id,
        "created_at": svc.created_at,
        "updated_at": svc.updated_at,
        "host": "example.com",
    }
    # without nulls, empty optional attributes are left out
    assert svc.to_dict() == {
        "id": svc.id,
        "created_at": svc.created_at,
        "updated_at": svc.updated_at,
        "retries": 5,
        "protocol": "http",
        "host": "example.com",
        "port": 80,
        "connect_timeout": 60000,
        "write_timeout": 60000,
        "read_timeout": 60000,
        "enabled": True,
    }


async def test_insert_service_with_user_values(db):
    svc = await db.services.insert(
        {
            "name": "example_service",
            "protocol": "https",
            "host": "example.com",
            "port": 443,
            "path": "/foo",
            "connect_timeout": 10000,
            "write_timeout": 10000,
            "read_timeout": 10000,
            "retries": 6,
            "enabled": False,
            "ca_certificates": ["c67521dd-8393-48fb-8d70-c5e251fb4b4c"],
            "tls_verify": True,
            "tls_verify_depth": 3,
            "tags": ["a", "b", "a"],
        }
    )
    assert svc.to_dict(nulls=True) == {
        "id": svc.id,
        "created_at": svc.created_at,
        "updated_at": svc.updated_at,
        "name": "example_service",
        "protocol": "https",
        "host": "example.com",
        "port": 443,
        "path": "/foo",
        "connect_timeout": 10000,
        "write_timeout": 10000,
        "read_timeout": 10000,
        "retries": 6,
        "enabled": False,
        "client_certificate": None,
        "ca_certificates": ["c67521dd-8393-48fb-8d70-c5e251fb4b4c"],
        "tls_verify": True,
        "tls_verify_depth": 3,
        "tags": ["a", "b"],  # a set: de-duplicated, order kept
    }
    assert await db.services.select({"id": svc.id}) == svc


async def test_insert_keeps_given_id_and_created_at(db):
    given = new_id()
    svc = await db.services.insert({"id": given, "host": "a.example.com", "created_at": 1000})
    assert svc.id == given
    assert svc.created_at == 1000
    assert svc.updated_at != 1000
    assert (await db.services.select({"id": given})).created_at == 1000


@pytest.mark.reads
async def test_select_missing_returns_none(db):
    await db.services.insert({"name": "service_1", "host": "service1.com"})
    assert await db.services.select({"id": new_id()}) is None
    assert await db.services.select_by_name("non-existing") is None
    assert await db.routes.select({"id": BLANK_UUID}) is None
    assert await db.consumers.select_by_username("nobody") is None
    assert await db.consumers.select_by_custom_id("nobody") is None
    assert await db.plugins.select({"id": new_id()}) is None


@pytest.mark.reads
async def test_select_by_name_returns_the_named_service(db):
    for i in range(1, 6):
        await db.services.insert({"name": f"service_{i}", "host": f"service{i}.com"})
    svc = await db.services.select_by_name("service_3")
    assert svc.host == "service3.com"
    assert await db.services.select({"id": svc.id}) == svc


async def test_generated_methods_exist_only_for_unique_and_foreign_fields(db):
    assert callable(db.services.select_by_name)
    assert callable(db.consumers.upsert_by_custom_id)
    assert callable(db.routes.page_for_service)
    assert callable(db.plugins.each_for_consumer)
    with pytest.raises(AttributeError):
        _ = db.services.select_by_host
    with pytest.raises(AttributeError):
        _ = db.services.page_for_route
    with pytest.raises(AttributeError):
        _ = db.routes.update_by_paths


# -- routes: insert / select ---------------------------------------------------------------------


async def test_insert_route_injects_defaults(db):
    svc = await db.services.insert({"host": "service.com"})
    before = int(time.time())
    route = await db.routes.insert(
        {
            "protocols": ["http"],
            "hosts": ["example.com"],
            "service": {"id": svc.id},
            "path_handling": "v1",
        }
    )
    assert is_uuid(route.id)
    assert_recent(route.created_at, before)
    assert_recent(route.updated_at, before)
    assert route.to_dict(nulls=True) == {
        **ROUTE_DEFAULTS,
        "id": route.id,
        "created_at": route.created_at,
        "updated_at": route.updated_at,
        "protocols": ["http"],
        "hosts": ["example.com"],
        "path_handling": "v1",
        "service": {"id": svc.id},
    }
    assert await db.routes.select({"id": route.id}) == route


async def test_insert_route_with_user_values(db, bp):
    svc = await bp.services()
    route = await db.routes.insert(
        {
            "protocols": ["http"],
            "hosts": ["example.com"],
            "headers": {"location": ["somewhere"]},
            "paths": ["/example"],
            "methods": ["GET", "POST", "GET"],
            "regex_priority": 3,
            "strip_path": True,
            "path_handling": "v1",
            "service": {"id": svc.id},
        }
    )
    assert route.to_dict(nulls=True) == {
        **ROUTE_DEFAULTS,
        "id": route.id,
        "created_at": route.created_at,
        "updated_at": route.updated_at,
        "protocols": ["http"],
        "hosts": ["example.com"],
        "headers": {"location": ["somewhere"]},
        "paths": ["/example"],
        "methods": ["GET", "POST"],  # a set: de-duplicated, order kept
        "regex_priority": 3,
        "path_handling": "v1",
        "service": {"id": svc.id},
    }
    assert await db.routes.select({"id": route.id}) == route


async def test_insert_route_without_service(db):
    route = await db.routes.insert({"protocols": ["http"], "paths": ["/example"]})
    assert route.service is None
    assert route.to_dict(nulls=True)["service"] is None
    assert "service" not in route.to_dict()
    assert (await db.routes.select({"id": route.id})).service is None


async def test_insert_stream_and_grpc_routes(db, bp):
    svc = await bp.services()
    tls = await db.routes.insert(
        {"protocols": ["tls"], "snis": ["example.com"], "service": {"id": svc.id}}
    )
    assert tls.snis == ["example.com"]
    tcp = await db.routes.insert(
        {
            "protocols": ["tcp"],
            "sources": [{"ip": "127.0.0.1"}, {"ip": "127.75.78.72", "port": 8000}],
            "destinations": [{"ip": "127.0.0.1"}, {"ip": "127.75.78.72", "port": 8000}],
            "service": {"id": svc.id},
        }
    )
    stored = await db.routes.select({"id": tcp.id})
    assert stored == tcp

    def key(d: dict) -> tuple:
        return (d.get("ip") or "", d.get("port") or 0)

    assert sorted(stored.sources, key=key) == sorted(
        [{"ip": "127.0.0.1"}, {"ip": "127.75.78.72", "port": 8000}], key=key
    )
    grpc = await db.routes.insert(
        {"protocols": ["grpc", "grpcs"], "paths": ["/Service1/Method1"], "service": {"id": svc.id}}
    )
    assert grpc.strip_path is False
    assert grpc.paths == ["/Service1/Method1"]


# -- consumers ------------------------------------------------------------------------------------


async def test_consumers_generated_methods(db):
    c = await db.consumers.insert({"username": "bob", "custom_id": "c-1"})
    assert c.to_dict(nulls=True) == {
        "id": c.id,
        "created_at": c.created_at,
        "username": "bob",
        "custom_id": "c-1",
        "tags": None,
    }
    assert await db.consumers.select_by_username("bob") == c
    assert await db.consumers.select_by_custom_id("c-1") == c

    c2 = await db.consumers.update_by_username("bob", {"username": "alice"})
    assert (c2.id, c2.username, c2.custom_id) == (c.id, "alice", "c-1")
    assert await db.consumers.select_by_username("bob") is None
    assert await db.consumers.select_by_username("alice") == c2

    c3 = await db.consumers.update_by_custom_id("c-1", {"tags": ["vip"]})
    assert (c3.id, c3.username, c3.tags) == (c.id, "alice", ["vip"])

    # PUT by custom_id: absent fields (username, tags) are cleared, the primary key is kept
    c4 = await db.consumers.upsert_by_custom_id("c-1", {"username": "carol"})
    assert (c4.id, c4.username, c4.custom_id, c4.tags) == (c.id, "carol", "c-1", None)

    c5 = await db.consumers.upsert_by_username("dave", {"custom_id": "c-2"})
    assert c5.id != c.id
    assert (c5.username, c5.custom_id) == ("dave", "c-2")
    assert await db.consumers.count() == 2

    assert await db.consumers.delete_by_custom_id("c-1") == c4
    assert await db.consumers.delete_by_custom_id("c-1") is None
    assert await db.consumers.delete_by_username("dave") == c5
    assert await db.consumers.delete_by_username("dave") is None
    assert await db.consumers.count() == 0


async def test_consumer_needs_username_or_custom_id(db):
    msg = "at least one of these fields must be non-empty: 'custom_id', 'username'"
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.consumers.insert({})
    check_error(
        db, excinfo, errors.SchemaViolation, f"schema violation ({msg})", fields={"@entity": [msg]}
    )
    c = await db.consumers.insert({"custom_id": "only-custom"})
    assert (c.username, c.custom_id) == (None, "only-custom")
    assert await db.consumers.count() == 1


# -- PATCH: update --------------------------------------------------------------------------------


async def test_update_is_partial(db):
    svc = await db.services.insert(
        {
            "name": "patched",
            "host": "a.example.com",
            "retries": 3,
            "path": "/p",
            "tags": ["x"],
            "created_at": 1000,
        }
    )
    before = int(time.time())
    updated = await db.services.update({"id": svc.id}, {"port": 8080})
    assert updated.to_dict(nulls=True) == {
        **svc.to_dict(nulls=True),
        "port": 8080,
        "updated_at": updated.updated_at,
    }
    assert updated.created_at == 1000
    assert_recent(updated.updated_at, before)
    assert await db.services.select({"id": svc.id}) == updated


async def test_update_service_protocol(db):
    svc = await db.services.insert({"host": "service.com"})
    updated = await db.services.update({"id": svc.id}, {"protocol": "https"})
    assert updated.protocol == "https"
    assert (await db.services.select({"id": svc.id})).protocol == "https"


async def test_update_with_empty_entity_touches_updated_at_only(db):
    svc = await db.services.insert({"host": "a.example.com", "created_at": 1000})
    updated = await db.services.update({"id": svc.id}, {})
    assert updated.to_dict(nulls=True) == {
        **svc.to_dict(nulls=True),
        "updated_at": updated.updated_at,
    }


async def test_update_with_explicit_none_clears_optional_fields(db):
    svc = await db.services.insert(
        {"name": "to-clear", "host": "a.example.com", "path": "/p", "tags": ["x"]}
    )
    updated = await db.services.update({"id": svc.id}, {"name": None, "path": None, "tags": None})
    assert (updated.name, updated.path, updated.tags) == (None, None, None)
    stored = await db.services.select({"id": svc.id})
    assert (stored.name, stored.path, stored.tags) == (None, None, None)
    assert await db.services.select_by_name("to-clear") is None


async def test_update_with_explicit_none_on_required_field_fails(db):
    svc = await db.services.insert({"host": "a.example.com"})
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.update({"id": svc.id}, {"host": None})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "schema violation (host: required field missing)",
        fields={"host": "required field missing"},
    )
    assert await db.services.select({"id": svc.id}) == svc


async def test_update_with_url_shorthand(db):
    svc = await db.services.insert({"name": "u", "url": "http://a.example.com/a"})
    updated = await db.services.update_by_name("u", {"url": "https://b.example.com:8443/b"})
    assert (updated.protocol, updated.host, updated.port, updated.path) == (
        "https",
        "b.example.com",
        8443,
        "/b",
    )
    assert updated.id == svc.id


async def test_update_route(db, bp):
    route = await bp.routes(hosts=["example.com"])
    new = await db.routes.update(
        {"id": route.id},
        {
            "protocols": ["https"],
            "hosts": ["example.com"],
            "regex_priority": 5,
            "path_handling": "v1",
        },
    )
    assert new.to_dict(nulls=True) == {
        **route.to_dict(nulls=True),
        "updated_at": new.updated_at,
        "protocols": ["https"],
        "regex_priority": 5,
        "path_handling": "v1",
    }


async def test_update_route_unset_one_routing_criterion(db, bp):
    route = await bp.routes(hosts=["example.com"], methods=["GET"], paths=None)
    new = await db.routes.update({"id": route.id}, {"methods": None})
    assert new.methods is None
    assert new.hosts == ["example.com"]
    new = await db.routes.update({"id": route.id}, {"hosts": ["example2.com"]})
    assert new.to_dict(nulls=True) == {
        **route.to_dict(nulls=True),
        "updated_at": new.updated_at,
        "methods": None,
        "hosts": ["example2.com"],
    }


async def test_update_route_unset_every_routing_criterion_fails(db, bp):
    route = await bp.routes(hosts=["example.com"], methods=["GET"], paths=None)
    msg = (
        "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
    )
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.routes.update({"id": route.id}, {"hosts": None, "methods": None})
    check_error(
        db, excinfo, errors.SchemaViolation, f"schema violation ({msg})", fields={"@entity": [msg]}
    )
    assert await db.routes.select({"id": route.id}) == route


async def test_update_route_with_three_violations(db, bp):
    route = await bp.routes(
        hosts=["example.com"], methods=["GET"], snis=["example.org"], paths=None
    )
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.routes.update(
            {"id": route.id}, {"protocols": ["http"], "hosts": None, "methods": None}
        )
    e1 = "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"
    e2 = "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        f"3 schema violations ({e1}; {e2}; snis: length must be 0)",
        fields={"@entity": [e1, e2], "snis": "length must be 0"},
    )


async def test_update_replaces_arrays_and_maps_wholesale(db, bp):
    route = await bp.routes(
        hosts=["a.example.com", "b.example.com"],
        headers={"x-a": ["1"], "x-b": ["2"]},
    )
    new = await db.routes.update({"id": route.id}, {"hosts": ["c.example.com"]})
    assert new.hosts == ["c.example.com"]
    new = await db.routes.update({"id": route.id}, {"headers": {"x-c": ["3"]}})
    assert new.headers == {"x-c": ["3"]}
    assert (await db.routes.select({"id": route.id})).headers == {"x-c": ["3"]}


async def test_update_deep_merges_records(db, bp):
    plugin = await bp.plugins(config={"key_names": ["k1"], "hide_credentials": True})
    assert plugin.config == {
        **KEY_AUTH_CONFIG,
        "key_names": ["k1"],
        "hide_credentials": True,
    }
    new = await db.plugins.update({"id": plugin.id}, {"config": {"key_in_body": True}})
    assert new.config == {
        **KEY_AUTH_CONFIG,
        "key_names": ["k1"],
        "hide_credentials": True,
        "key_in_body": True,
    }
    new = await db.plugins.update({"id": plugin.id}, {"config": {"anonymous": "anon"}})
    assert new.config["anonymous"] == "anon"
    assert new.config["key_names"] == ["k1"]
    # an explicit None inside a record clears that sub-field only
    new = await db.plugins.update({"id": plugin.id}, {"config": {"anonymous": None}})
    assert new.config == {
        **KEY_AUTH_CONFIG,
        "key_names": ["k1"],
        "hide_credentials": True,
        "key_in_body": True,
    }
    assert (await db.plugins.select({"id": plugin.id})).config == new.config


async def test_update_messages_say_when_updating(db):
    c = await db.consumers.insert({"username": "bob", "custom_id": "c-1"})
    msg = "when updating, at least one of these fields must be non-empty: 'custom_id', 'username'"
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.consumers.update({"id": c.id}, {"username": None, "custom_id": None})
    check_error(
        db, excinfo, errors.SchemaViolation, f"schema violation ({msg})", fields={"@entity": [msg]}
    )
    assert await db.consumers.select({"id": c.id}) == c
    # one of them left: fine
    new = await db.consumers.update({"id": c.id}, {"username": None})
    assert (new.username, new.custom_id) == (None, "c-1")


async def test_update_immutable_field(gadgets):
    g = await gadgets.insert({"name": "g1", "serial": "S-1", "color": "red"})
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await gadgets.update({"id": g.id}, {"serial": "S-2"})
    err = excinfo.value
    assert err.message == "schema violation (serial: immutable field cannot be updated)"
    assert err.fields == {"serial": "immutable field cannot be updated"}
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await gadgets.update_by_name("g1", {"serial": "S-3", "color": "blue"})
    assert excinfo.value.fields == {"serial": "immutable field cannot be updated"}
    assert await gadgets.select({"id": g.id}) == g
    # the same value is not a change; other fields update as usual
    new = await gadgets.update({"id": g.id}, {"serial": "S-1", "color": "blue"})
    assert (new.serial, new.color) == ("S-1", "blue")


@pytest.mark.parametrize(
    ("method", "key", "message"),
    [
        ("update", "pk", "could not find the entity with primary key '{{id=\"{id}\"}}'"),
        (
            "update_by_name",
            "inexisting-service",
            "could not find the entity with '{{name=\"{key}\"}}'",
        ),
    ],
)
async def test_update_missing_service_is_not_found(db, method, key, message):
    await db.services.insert({"name": "present", "host": "a.example.com"})
    pk = {"id": new_id()}
    arg = pk if key == "pk" else key
    with pytest.raises(errors.NotFound) as excinfo:
        await getattr(db.services, method)(arg, {"protocol": "http"})
    fields = pk if key == "pk" else {"name": key}
    check_error(db, excinfo, errors.NotFound, message.format(id=pk["id"], key=key), fields=fields)
    assert await db.services.count() == 1


async def test_update_missing_consumer_by_unique_field_is_not_found(db):
    with pytest.raises(errors.NotFound) as excinfo:
        await db.consumers.update_by_username("nobody", {"custom_id": "x"})
    check_error(
        db,
        excinfo,
        errors.NotFound,
        "could not find the entity with '{username=\"nobody\"}'",
        fields={"username": "nobody"},
    )
    with pytest.raises(errors.NotFound) as excinfo:
        await db.consumers.update_by_custom_id("nothing", {"username": "x"})
    check_error(
        db,
        excinfo,
        errors.NotFound,
        "could not find the entity with '{custom_id=\"nothing\"}'",
        fields={"custom_id": "nothing"},
    )
    assert await db.consumers.count() == 0


# -- PUT: upsert ----------------------------------------------------------------------------------


async def test_upsert_replaces_the_whole_entity(db):
    svc = await db.services.insert(
        {
            "name": "put-me",
            "host": "a.example.com",
            "retries": 3,
            "path": "/p",
            "port": 8080,
            "tags": ["x"],
            "read_timeout": 10,
            "enabled": False,
            "created_at": 1000,
        }
    )
    before = int(time.time())
    new = await db.services.upsert({"id": svc.id}, {"host": "c.example.com"})
    assert new.to_dict(nulls=True) == {
        **SERVICE_DEFAULTS,
        "id": svc.id,
        "created_at": new.created_at,
        "updated_at": new.updated_at,
        "host": "c.example.com",
    }
    assert_recent(new.created_at, before)  # PUT regenerates created_at
    assert_recent(new.updated_at, before)
    assert await db.services.select({"id": svc.id}) == new
    assert await db.services.select_by_name("put-me") is None
    assert await db.services.count() == 1


async def test_upsert_creates_a_missing_entity(db):
    pk = {"id": new_id()}
    svc = await db.services.upsert(pk, {"name": "created-by-put", "host": "d.example.com"})
    assert svc.id == pk["id"]
    assert svc.to_dict(nulls=True) == {
        **SERVICE_DEFAULTS,
        "id": pk["id"],
        "created_at": svc.created_at,
        "updated_at": svc.updated_at,
        "name": "created-by-put",
        "host": "d.example.com",
    }
    assert await db.services.select(pk) == svc


async def test_upsert_primary_key_argument_wins(db):
    pk = {"id": new_id()}
    other = new_id()
    svc = await db.services.upsert(pk, {"id": other, "host": "e.example.com"})
    assert svc.id == pk["id"]
    assert await db.services.select({"id": other}) is None
    assert await db.services.count() == 1


async def test_upsert_by_name_keeps_the_existing_primary_key(db):
    svc = await db.services.insert(
        {"name": "s2", "host": "d.example.com", "retries": 2, "created_at": 1000}
    )
    before = int(time.time())
    new = await db.services.upsert_by_name(
        "s2", {"host": "e.example.com", "name": "ignored", "id": new_id()}
    )
    assert new.id == svc.id
    assert new.name == "s2"  # the value argument wins over the entity's name
    assert new.retries == 5  # absent: back to the default
    assert new.host == "e.example.com"
    assert_recent(new.created_at, before)
    assert await db.services.select_by_name("ignored") is None
    assert await db.services.select_by_name("s2") == new
    assert await db.services.count() == 1


async def test_upsert_by_name_creates_a_missing_entity(db):
    svc = await db.services.upsert_by_name("s3", {"host": "f.example.com"})
    assert is_uuid(svc.id)
    assert svc.name == "s3"
    assert await db.services.select_by_name("s3") == svc
    assert await db.services.select({"id": svc.id}) == svc


async def test_upsert_plugin_resets_config_to_defaults(db, bp):
    plugin = await bp.plugins(config={"key_names": ["k1"], "hide_credentials": True})
    new = await db.plugins.upsert(
        {"id": plugin.id},
        {"name": "key-auth", "service": dict(plugin.service), "config": {"key_in_body": True}},
    )
    assert new.id == plugin.id
    assert new.config == {**KEY_AUTH_CONFIG, "key_in_body": True}
    assert (await db.plugins.select({"id": plugin.id})).config == new.config


async def test_upsert_route(db, bp):
    route = await bp.routes(hosts=["example.com"], methods=["GET"], regex_priority=9)
    new = await db.routes.upsert({"id": route.id}, {"paths": ["/new"]})
    assert new.to_dict(nulls=True) == {
        **ROUTE_DEFAULTS,
        "id": route.id,
        "created_at": new.created_at,
        "updated_at": new.updated_at,
        "paths": ["/new"],
    }


# -- delete ---------------------------------------------------------------------------------------


async def test_delete_is_idempotent_and_returns_the_deleted_entity(db):
    svc = await db.services.insert({"host": "example.com"})
    assert await db.services.delete({"id": new_id()}) is None
    assert await db.services.delete({"id": svc.id}) == svc
    assert await db.services.select({"id": svc.id}) is None
    assert await db.services.delete({"id": svc.id}) is None
    assert await db.services.count() == 0


async def test_delete_by_name(db):
    svc = await db.services.insert({"name": "delete-by-name-service", "host": "service1.com"})
    assert await db.services.delete_by_name("delete-by-name-service0") is None
    assert await db.services.delete_by_name("delete-by-name-service") == svc
    assert await db.services.select({"id": svc.id}) is None
    assert await db.services.delete_by_name("delete-by-name-service") is None


async def test_delete_route_keeps_its_service(db, bp):
    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})
    assert await db.routes.delete({"id": route.id}) == route
    assert await db.routes.select({"id": route.id}) is None
    assert await db.services.select({"id": svc.id}) == svc


async def test_delete_plugin(db, bp):
    plugin = await bp.plugins()
    assert await db.plugins.delete({"id": plugin.id}) == plugin
    assert await db.plugins.delete({"id": plugin.id}) is None
    assert await db.plugins.select_by_cache_key(db.plugins.cache_key(plugin)) is None


# -- foreign keys ---------------------------------------------------------------------------------


async def test_foreign_key_given_by_unique_field_is_resolved(db):
    s1 = await db.services.insert({"name": "s-one", "host": "one.example.com"})
    s2 = await db.services.insert({"name": "s-two", "host": "two.example.com"})
    route = await db.routes.insert({"paths": ["/a"], "service": {"name": "s-one"}})
    assert route.service == {"id": s1.id}
    assert (await db.routes.select({"id": route.id})).service == {"id": s1.id}

    route = await db.routes.update({"id": route.id}, {"service": {"name": "s-two"}})
    assert route.service == {"id": s2.id}

    route = await db.routes.upsert(
        {"id": route.id}, {"paths": ["/b"], "service": {"name": "s-one"}}
    )
    assert route.service == {"id": s1.id}

    plugin = await db.plugins.insert({"name": "key-auth", "service": {"name": "s-two"}})
    assert plugin.service == {"id": s2.id}
    named = await db.routes.insert({"name": "r-named", "paths": ["/c"]})
    plugin = await db.plugins.insert({"name": "key-auth", "route": {"name": "r-named"}})
    assert plugin.route == {"id": named.id}


async def test_foreign_key_with_a_primary_key_is_not_resolved_by_name(db):
    s1 = await db.services.insert({"name": "s-one", "host": "one.example.com"})
    await db.services.insert({"name": "s-two", "host": "two.example.com"})
    route = await db.routes.insert({"paths": ["/a"], "service": {"id": s1.id, "name": "s-two"}})
    assert route.service == {"id": s1.id}


async def test_foreign_key_unresolved(db):
    await db.services.insert({"name": "present", "host": "a.example.com"})
    with pytest.raises(errors.ForeignKeysUnresolved) as excinfo:
        await db.routes.insert({"hosts": ["a.com"], "service": {"name": "nope"}})
    why = (
        "the foreign key cannot be resolved with '{name=\"nope\"}' "
        "for an existing 'services' entity"
    )
    check_error(
        db,
        excinfo,
        errors.ForeignKeysUnresolved,
        f"foreign key unresolved (service.name: {why})",
        fields={"service": {"name": why}},
    )
    assert await db.routes.count() == 0

    route = await db.routes.insert({"hosts": ["a.com"]})
    with pytest.raises(errors.ForeignKeysUnresolved) as excinfo:
        await db.routes.update({"id": route.id}, {"service": {"name": "nope"}})
    assert excinfo.value.fields == {"service": {"name": why}}
    with pytest.raises(errors.ForeignKeysUnresolved) as excinfo:
        await db.routes.upsert({"id": route.id}, {"hosts": ["b.com"], "service": {"name": "nope"}})
    assert excinfo.value.fields == {"service": {"name": why}}
    assert await db.routes.select({"id": route.id}) == route


async def test_several_foreign_keys_unresolved(db):
    with pytest.raises(errors.ForeignKeysUnresolved) as excinfo:
        await db.plugins.insert(
            {"name": "key-auth", "service": {"name": "nope"}, "route": {"name": "nor"}}
        )
    r_why = (
        "the foreign key cannot be resolved with '{name=\"nor\"}' for an existing 'routes' entity"
    )
    s_why = (
        "the foreign key cannot be resolved with '{name=\"nope\"}' "
        "for an existing 'services' entity"
    )
    check_error(
        db,
        excinfo,
        errors.ForeignKeysUnresolved,
        f"2 foreign keys unresolved (route.name: {r_why}; service.name: {s_why})",
        fields={"route": {"name": r_why}, "service": {"name": s_why}},
    )
    assert await db.plugins.count() == 0


async def test_update_attaches_and_detaches_a_service(db, bp):
    s1 = await bp.services()
    s2 = await bp.services()
    route = await bp.routes(service={"id": s1.id}, methods=["GET"])
    new = await db.routes.update({"id": route.id}, {"service": {"id": s2.id}})
    assert new.service == {"id": s2.id}
    new = await db.routes.update({"id": route.id}, {"service": None})
    assert new.to_dict(nulls=True) == {
        **route.to_dict(nulls=True),
        "updated_at": new.updated_at,
        "service": None,
    }
    assert (await db.routes.select({"id": route.id})).service is None


@pytest.mark.reads
async def test_insert_route_related_to_a_service_reads_back_the_same(db):
    svc = await db.services.insert({"protocol": "http", "host": "service.com"})
    route = await db.routes.insert(
        {"protocols": ["http"], "hosts": ["example.com"], "service": {"id": svc.id}}
    )
    assert route.service == {"id": svc.id}
    assert await db.routes.select({"id": route.id}, nulls=True) == route


# -- page_for_<fk> / each_for_<fk> ---------------------------------------------------------------


@pytest.mark.reads
async def test_page_for_service_lists_the_routes_of_a_service(db, bp):
    svc = await bp.services()
    route1 = await bp.routes(methods=["GET"], service={"id": svc.id})
    await bp.routes(hosts=["example.com"])  # another service
    rows, offset = await db.routes.page_for_service({"id": svc.id})
    assert rows == [route1]
    assert offset is None
    assert [r async for r in db.routes.each_for_service({"id": svc.id})] == [route1]
    assert rows[0].methods == ["GET"]


@pytest.mark.reads
async def test_page_for_an_inexistent_service_is_empty(db, bp):
    await bp.routes()
    assert await db.routes.page_for_service({"id": BLANK_UUID}) == ([], None)
    assert [r async for r in db.routes.each_for_service({"id": BLANK_UUID})] == []


@pytest.mark.reads
async def test_plugins_page_for_each_scope(db, bp):
    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})
    on_svc = await bp.plugins(service={"id": svc.id})
    on_route = await bp.plugins(route={"id": route.id})
    glob = await bp.plugins(global_=True)
    assert await db.plugins.page_for_service({"id": svc.id}) == ([on_svc], None)
    assert await db.plugins.page_for_route({"id": route.id}) == ([on_route], None)
    assert [p async for p in db.plugins.each_for_route({"id": route.id})] == [on_route]
    all_ids = {p.id async for p in db.plugins.each()}
    assert all_ids == {on_svc.id, on_route.id, glob.id}


# -- nulls ----------------------------------------------------------------------------------------


@pytest.mark.reads
async def test_nulls_option_on_reads(db, bp):
    route = await bp.routes()
    with_nulls = await db.routes.select({"id": route.id}, nulls=True)
    assert with_nulls == await db.routes.select({"id": route.id})
    assert with_nulls.name is None
    assert with_nulls.to_dict(nulls=True)["name"] is None
    assert "name" not in with_nulls.to_dict()
    page, _ = await db.routes.page(nulls=True)
    assert page == [with_nulls]
    page, _ = await db.routes.page_for_service(dict(route.service), nulls=True)
    assert page == [with_nulls]
    assert await db.routes.select_by_name("nope", nulls=True) is None


@pytest.mark.reads
async def test_nulls_option_inside_records(db, bp):
    # empty optional sub-fields of a record are left out, or explicit None with nulls
    plugin = await bp.plugins()
    assert plugin.config == KEY_AUTH_CONFIG
    assert "anonymous" not in (await db.plugins.select({"id": plugin.id})).config
    with_nulls = {**KEY_AUTH_CONFIG, "anonymous": None}
    assert (await db.plugins.select({"id": plugin.id}, nulls=True)).config == with_nulls
    page, _ = await db.plugins.page(nulls=True)
    assert [p.config for p in page] == [with_nulls]
    page, _ = await db.plugins.page_for_service(dict(plugin.service), nulls=True)
    assert [p.config for p in page] == [with_nulls]
    by_key = await db.plugins.select_by_cache_key(db.plugins.cache_key(plugin), nulls=True)
    assert by_key.config == with_nulls
    assert [p.config async for p in db.plugins.each(nulls=True)] == [with_nulls]


# -- plugins, cache keys --------------------------------------------------------------------------


async def test_plugin_insert_injects_defaults(db, bp):
    svc = await bp.services()
    plugin = await db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
    assert plugin.to_dict(nulls=True) == {
        "id": plugin.id,
        "name": "key-auth",
        "created_at": plugin.created_at,
        "route": None,
        "service": {"id": svc.id},
        "consumer": None,
        "config": KEY_AUTH_CONFIG,
        "protocols": ["grpc", "grpcs", "http", "https"],
        "enabled": True,
        "tags": None,
    }
    assert await db.plugins.select({"id": plugin.id}) == plugin


@pytest.mark.reads
async def test_cache_key(db, bp):
    svc = await bp.services()
    route = await bp.routes(service={"id": svc.id})
    plugin = await bp.plugins(service={"id": svc.id})
    glob = await bp.plugins(global_=True)
    on_route = await bp.plugins(route={"id": route.id})
    # the 7th segment is the workspace (the default one here)
    ws = db.default_workspace_id
    assert db.plugins.cache_key(plugin) == f"plugins:key-auth::{svc.id}:::{ws}"
    assert db.plugins.cache_key(glob) == f"plugins:key-auth:::::{ws}"
    assert db.plugins.cache_key(on_route) == f"plugins:key-auth:{route.id}::::{ws}"
    assert db.plugins.cache_key(plugin.to_dict()) == f"plugins:key-auth::{svc.id}:::{ws}"
    assert db.plugins.cache_key("key-auth", None, svc.id) == f"plugins:key-auth::{svc.id}:::{ws}"
    # no cache_key: the primary key
    assert db.services.cache_key(svc) == f"services:{svc.id}:::::{ws}"
    assert db.services.cache_key({"id": svc.id}) == f"services:{svc.id}:::::{ws}"
    # fast path: always 7 segments; a sixth argument is the workspace
    assert db.consumers.cache_key("a", None, None, None, None, "w") == "consumers:a:::::w"
    # an entity that is not workspaceable ends with an empty segment
    assert db.ca_certificates.cache_key({"id": svc.id}) == f"ca_certificates:{svc.id}:::::"
    assert db.consumers.cache_key("a") == f"consumers:a:::::{ws}"
    assert db.consumers.cache_key("a", "b", "c", "d", "e") == f"consumers:a:b:c:d:e:{ws}"


@pytest.mark.reads
async def test_select_by_cache_key(db, bp):
    s1 = await bp.services()
    s2 = await bp.services()
    plugin = await bp.plugins(service={"id": s1.id})
    glob = await bp.plugins(global_=True)
    ws = db.default_workspace_id
    key = f"plugins:key-auth::{s1.id}:::{ws}"
    assert await db.plugins.select_by_cache_key(key) == plugin
    assert await db.plugins.select_by_cache_key(plugin) == plugin
    assert await db.plugins.select_by_cache_key({"name": "key-auth", "service": {"id": s1.id}}) == (
        plugin
    )
    assert await db.plugins.select_by_cache_key(f"plugins:key-auth:::::{ws}") == glob
    assert await db.plugins.select_by_cache_key(f"plugins:key-auth::{s2.id}:::{ws}") is None

    # the stored cache key follows updates
    moved = await db.plugins.update({"id": plugin.id}, {"service": {"id": s2.id}})
    assert await db.plugins.select_by_cache_key(key) is None
    assert await db.plugins.select_by_cache_key(f"plugins:key-auth::{s2.id}:::{ws}") == moved


async def test_plugin_cache_key_is_unique(db, bp):
    svc = await bp.services()
    other = await bp.services()
    await bp.plugins(service={"id": svc.id})
    message = (
        "UNIQUE violation detected on "
        f'\'{{consumer=null,name="key-auth",route=null,service={{id="{svc.id}"}}}}\''
    )
    fields = {"consumer": None, "name": "key-auth", "route": None, "service": {"id": svc.id}}
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.plugins.insert({"name": "key-auth", "service": {"id": svc.id}})
    check_error(db, excinfo, errors.UniqueViolation, message, fields=fields)

    second = await bp.plugins(service={"id": other.id})
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.plugins.update({"id": second.id}, {"service": {"id": svc.id}})
    check_error(db, excinfo, errors.UniqueViolation, message, fields=fields)
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.plugins.upsert({"id": new_id()}, {"name": "key-auth", "service": {"id": svc.id}})
    check_error(db, excinfo, errors.UniqueViolation, message, fields=fields)
    assert await db.plugins.select({"id": second.id}) == second
    assert await db.plugins.count() == 2

    await bp.plugins(global_=True)
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.plugins.insert({"name": "key-auth"})
    check_error(
        db,
        excinfo,
        errors.UniqueViolation,
        "UNIQUE violation detected on '{consumer=null,name=\"key-auth\",route=null,service=null}'",
        fields={"consumer": None, "name": "key-auth", "route": None, "service": None},
    )


# -- count ----------------------------------------------------------------------------------------


@pytest.mark.reads
async def test_count(db, bp):
    assert await db.services.count() == 0
    services = [await bp.services() for _ in range(3)]
    await bp.consumers()
    assert await db.services.count() == 3
    assert await db.consumers.count() == 1
    assert await db.routes.count() == 0
    await db.services.delete({"id": services[0].id})
    assert await db.services.count() == 2
    await db.services.upsert({"id": services[1].id}, {"host": "x.example.com"})
    assert await db.services.count() == 2


async def test_update_of_a_missing_row_is_not_found_before_unresolved_keys(db):
    missing = "0f0e0d0c-0b0a-4908-8706-050403020100"
    with pytest.raises(errors.NotFound):
        await db.routes.update({"id": missing}, {"service": {"name": "nope"}})
    with pytest.raises(errors.NotFound):
        await db.routes.update_by_name("nope", {"service": {"name": "nope"}})


async def test_a_typed_entity_is_accepted_as_a_foreign_key(db, bp):
    svc = await bp.services()
    route = await db.routes.insert({"paths": ["/typed"], "service": svc})
    assert route.service == {"id": svc.id}


@pytest.mark.reads
async def test_max_page_size_below_the_default_page_size_is_refused(db):
    with pytest.raises(errors.InvalidOptions) as info:
        await db.services.page(pagination={"max_page_size": 5})
    assert info.value.options == {"pagination": {"page_size": "must be an integer between 1 and 5"}}
