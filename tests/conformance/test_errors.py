"""Conformance: every error the DAO reports, with Kong's exact code, name, message and fields.

Kong 2.8's ``kong/db/errors.lua`` and the error cases of
``spec/02-integration/03-db/02-db_core_entities_spec.lua``: programmer errors raise
:class:`TypeError` with Kong's messages; everything else is a :class:`kongdao.errors.KongDAOError`
whose ``err_t`` is Kong's and whose ``str()`` is ``"[<strategy>] <message>"``. A rejected call
writes nothing.

Connector-agnostic: the strategy name comes from ``db.connector.name``, behaviours that depend on
the database from ``db.connector.capabilities``.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kongdao import errors

BLANK_UUID = "00000000-0000-0000-0000-000000000000"
BAD_NAME_MSG = (
    "invalid value 'bad name!': the only accepted ascii characters are alphanumerics or "
    "., -, _, and ~"
)


def new_id() -> str:
    return str(uuid.uuid4())


def expected_err_t(
    db: Any,
    cls: type[errors.KongDAOError],
    message: str,
    *,
    name: str | None = None,
    **extra: Any,
) -> dict:
    return {
        "code": cls.code,
        "name": name or cls.name,
        "message": message,
        "strategy": db.connector.name,
        **extra,
    }


def check_error(
    db: Any,
    excinfo: pytest.ExceptionInfo,
    cls: type[errors.KongDAOError],
    message: str,
    **extra: Any,
) -> None:
    err = excinfo.value
    assert type(err) is cls
    assert isinstance(err, errors.KongDAOError)
    assert err.err_t == expected_err_t(db, cls, message, **extra)
    assert err.strategy == db.connector.name
    assert str(err) == f"[{db.connector.name}] {message}"
    assert str(err).startswith(f"[{db.connector.name}] ")


async def snapshot(db: Any) -> dict[str, list]:
    """Every row of the core entities, for "nothing was written" checks."""
    out = {}
    for name in ("services", "routes", "consumers", "plugins"):
        rows = [e async for e in db.daos[name].each()]
        out[name] = sorted(rows, key=lambda e: e.id)
    return out


# -- programmer errors ----------------------------------------------------------------------------

SOME_ID = "0a9f4f6e-3b8a-4b8e-8a53-3f3b3a3c3d3e"
PK = {"id": SOME_ID}


def _first(aiter: Any) -> Any:
    return aiter.__anext__()


def on_reads(label: str) -> Any:
    """The ``reads`` mark for a case whose label starts with a read method (``page(str)``)."""
    method = label.split("(")[0].rsplit(".", 1)[-1]
    return pytest.mark.reads if method.startswith(("select", "page", "each")) else ()


TYPE_ERRORS: list[Any] = [
    # primary keys
    ("select(None)", lambda db: db.services.select(None), "primary_key must be a table"),
    ("select(str)", lambda db: db.routes.select(SOME_ID), "primary_key must be a table"),
    ("update(None)", lambda db: db.services.update(None, {}), "primary_key must be a table"),
    ("upsert(None)", lambda db: db.services.upsert(None, {}), "primary_key must be a table"),
    ("delete(None)", lambda db: db.routes.delete(None), "primary_key must be a table"),
    ("update(None, None)", lambda db: db.routes.update(None, None), "primary_key must be a table"),
    # entities
    ("insert(None)", lambda db: db.services.insert(None), "entity must be a table"),
    ("insert(list)", lambda db: db.routes.insert([]), "entity must be a table"),
    ("insert(str)", lambda db: db.consumers.insert("bob"), "entity must be a table"),
    ("update(pk, None)", lambda db: db.services.update(PK, None), "entity must be a table"),
    ("upsert(pk, None)", lambda db: db.services.upsert(PK, None), "entity must be a table"),
    # Kong checks both argument types before validating the primary key
    (
        "update(bad pk, None)",
        lambda db: db.services.update({"id": "x"}, None),
        "entity must be a table",
    ),
    (
        "upsert(bad pk, None)",
        lambda db: db.services.upsert({"id": "x"}, None),
        "entity must be a table",
    ),
    (
        "update_by_name(n, None)",
        lambda db: db.services.update_by_name("n", None),
        "entity must be a table",
    ),
    (
        "upsert_by_name(n, None)",
        lambda db: db.services.upsert_by_name("n", None),
        "entity must be a table",
    ),
    # sizes and offsets
    ("page(str)", lambda db: db.routes.page(""), "size must be a number"),
    ("page(dict)", lambda db: db.routes.page({}), "size must be a number"),
    ("page(True)", lambda db: db.routes.page(True), "size must be a number"),
    ("page(False)", lambda db: db.routes.page(False), "size must be a number"),
    ("each(False)", lambda db: _first(db.routes.each(False)), "size must be a number"),
    ("page(None, 0)", lambda db: db.routes.page(None, 0), "offset must be a string"),
    ("page(None, {})", lambda db: db.routes.page(None, {}), "offset must be a string"),
    ("page(None, True)", lambda db: db.routes.page(None, True), "offset must be a string"),
    (
        "page_for(fk, str)",
        lambda db: db.routes.page_for_service(PK, "100"),
        "size must be a number",
    ),
    (
        "page_for(fk, n, int)",
        lambda db: db.routes.page_for_service(PK, 100, 12345),
        "offset must be a string",
    ),
    # sizes are checked before the foreign key is validated
    (
        "page_for(bad fk, str)",
        lambda db: db.routes.page_for_service({"id": 123}, "100"),
        "size must be a number",
    ),
    (
        "each_for(bad fk, str)",
        lambda db: _first(db.routes.each_for_service({"id": 123}, "100")),
        "size must be a number",
    ),
    # foreign keys
    ("page_for(None)", lambda db: db.routes.page_for_service(None), "foreign_key must be a table"),
    ("page_for(str)", lambda db: db.plugins.page_for_route(SOME_ID), "foreign_key must be a table"),
    (
        "each_for(None)",
        lambda db: _first(db.routes.each_for_service(None)),
        "foreign_key must be a table",
    ),
    # unique values
    ("select_by_name(123)", lambda db: db.services.select_by_name(123), "name must be a string"),
    ("select_by_name(1.5)", lambda db: db.services.select_by_name(1.5), "name must be a string"),
    (
        "update_by_name(123)",
        lambda db: db.services.update_by_name(123, {}),
        "name must be a string",
    ),
    (
        "upsert_by_name(123)",
        lambda db: db.services.upsert_by_name(123, {}),
        "name must be a string",
    ),
    ("delete_by_name(123)", lambda db: db.services.delete_by_name(123), "name must be a string"),
    ("routes.select_by_name(1)", lambda db: db.routes.select_by_name(1), "name must be a string"),
    (
        "select_by_username(1)",
        lambda db: db.consumers.select_by_username(1),
        "username must be a string",
    ),
    (
        "delete_by_custom_id(None)",
        lambda db: db.consumers.delete_by_custom_id(None),
        "custom_id must be a string",
    ),
    # cache keys
    (
        "services.select_by_cache_key",
        lambda db: db.services.select_by_cache_key("services:x:::::"),
        "entity does not have a cache_key defined",
    ),
    (
        "consumers.select_by_cache_key",
        lambda db: db.consumers.select_by_cache_key({"username": "x"}),
        "entity does not have a cache_key defined",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(call, message, id=label, marks=on_reads(label))
        for label, call, message in TYPE_ERRORS
    ],
)
async def test_programmer_errors_raise_type_error(db, call, message):
    await db.services.insert({"name": "n", "host": "example.com"})
    before = await snapshot(db)
    with pytest.raises(TypeError) as excinfo:
        await call(db)
    assert type(excinfo.value) is TypeError
    assert str(excinfo.value) == message
    assert await snapshot(db) == before


# -- INVALID_PRIMARY_KEY --------------------------------------------------------------------------

INVALID_PKS = [
    pytest.param({}, '{id="missing primary key"}', {"id": "missing primary key"}, id="missing"),
    pytest.param(
        {"id": "x"}, '{id="expected a valid UUID"}', {"id": "expected a valid UUID"}, id="bad-uuid"
    ),
    pytest.param({"id": 123}, '{id="expected a string"}', {"id": "expected a string"}, id="number"),
    pytest.param(
        {"id": None}, '{id="required field missing"}', {"id": "required field missing"}, id="null"
    ),
    pytest.param(
        {"id": SOME_ID, "name": "y"},
        '{name="not a primary key"}',
        {"name": "not a primary key"},
        id="extra-key",
    ),
    pytest.param(
        {"id": 1, "foo": "y"},
        '{foo="not a primary key",id="expected a string"}',
        {"id": "expected a string", "foo": "not a primary key"},
        id="sorted",
    ),
]

PK_METHODS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("select", lambda db, pk: db.services.select(pk)),
    ("update", lambda db, pk: db.services.update(pk, {"port": 81})),
    ("upsert", lambda db, pk: db.services.upsert(pk, {"host": "x.example.com"})),
    ("delete", lambda db, pk: db.services.delete(pk)),
]


@pytest.mark.parametrize(("pk", "rendered", "fields"), INVALID_PKS)
@pytest.mark.parametrize(
    ("method", "call"), [pytest.param(m, c, id=m, marks=on_reads(m)) for m, c in PK_METHODS]
)
async def test_invalid_primary_key(db, method, call, pk, rendered, fields):
    await db.services.insert({"host": "example.com"})
    before = await snapshot(db)
    with pytest.raises(errors.InvalidPrimaryKey) as excinfo:
        await call(db, pk)
    check_error(
        db, excinfo, errors.InvalidPrimaryKey, f"invalid primary key: '{rendered}'", fields=fields
    )
    assert await snapshot(db) == before


@pytest.mark.reads
async def test_invalid_foreign_key_in_page_for_is_an_invalid_primary_key(db):
    for fk, rendered, fields in [
        ({"id": "x"}, '{id="expected a valid UUID"}', {"id": "expected a valid UUID"}),
        ({}, '{id="missing primary key"}', {"id": "missing primary key"}),
        ({"name": "svc"}, '{id="missing primary key"}', {"id": "missing primary key"}),
    ]:
        message = f"invalid primary key: '{rendered}'"
        with pytest.raises(errors.InvalidPrimaryKey) as excinfo:
            await db.routes.page_for_service(fk)
        check_error(db, excinfo, errors.InvalidPrimaryKey, message, fields=fields)
        with pytest.raises(errors.InvalidPrimaryKey) as excinfo:
            await db.plugins.each_for_service(fk).__anext__()
        check_error(db, excinfo, errors.InvalidPrimaryKey, message, fields=fields)
    # the foreign key is validated against the referenced schema too
    with pytest.raises(errors.InvalidPrimaryKey) as excinfo:
        await db.plugins.page_for_consumer({"name": "bob"})
    check_error(
        db,
        excinfo,
        errors.InvalidPrimaryKey,
        "invalid primary key: '{name=\"unknown field\"}'",
        fields={"name": "unknown field"},
    )
    # the foreign key is validated before the size and the options (Kong's order)
    with pytest.raises(errors.InvalidPrimaryKey):
        await db.routes.page_for_service({"id": "x"}, 0)
    with pytest.raises(errors.InvalidPrimaryKey):
        await db.routes.page_for_service({"id": "x"}, pagination={"page_size": 0})


# -- SCHEMA_VIOLATION -----------------------------------------------------------------------------


async def test_schema_violation_required_field(db):
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.insert({})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "schema violation (host: required field missing)",
        fields={"host": "required field missing"},
    )
    assert await db.services.count() == 0


async def test_schema_violation_unknown_field(db):
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.insert({"host": "example.com", "foo": 1})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "schema violation (foo: unknown field)",
        fields={"foo": "unknown field"},
    )
    assert await db.services.count() == 0


async def test_schema_violations_are_counted_and_sorted(db):
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.insert(
            {"host": "example.com", "retries": "y", "protocol": 1, "port": "x"}
        )
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "3 schema violations (port: expected an integer; protocol: expected a string; "
        "retries: expected an integer)",
        fields={
            "port": "expected an integer",
            "protocol": "expected a string",
            "retries": "expected an integer",
        },
    )
    assert await db.services.count() == 0


async def test_schema_violation_on_update_values(db):
    svc = await db.services.insert({"name": "update-by-name-service", "host": "service.test"})
    message = "schema violation (protocol: expected a string)"
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.update({"id": svc.id}, {"protocol": 123})
    check_error(
        db, excinfo, errors.SchemaViolation, message, fields={"protocol": "expected a string"}
    )
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.update_by_name("update-by-name-service", {"protocol": 123})
    check_error(
        db, excinfo, errors.SchemaViolation, message, fields={"protocol": "expected a string"}
    )
    assert await db.services.select({"id": svc.id}) == svc


async def test_schema_violation_array_element_is_one_based(db, bp):
    route = await bp.routes(hosts=["example.com"])
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.routes.update({"id": route.id}, {"protocols": ["http", 123]})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "schema violation (protocols.2: expected a string)",
        fields={"protocols": {2: "expected a string"}},
    )
    assert await db.routes.select({"id": route.id}) == route


async def test_schema_violation_entity_checks(db):
    msg = (
        "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
    )
    for entity in ({}, {"protocols": ["https"]}):
        with pytest.raises(errors.SchemaViolation) as excinfo:
            await db.routes.insert(entity)
        check_error(
            db,
            excinfo,
            errors.SchemaViolation,
            f"schema violation ({msg})",
            fields={"@entity": [msg]},
        )
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.routes.upsert({"id": new_id()}, {})
    check_error(
        db, excinfo, errors.SchemaViolation, f"schema violation ({msg})", fields={"@entity": [msg]}
    )
    assert await db.routes.count() == 0


@pytest.mark.parametrize("field", ["tls_verify", "tls_verify_depth", "ca_certificates"])
async def test_schema_violation_conditional_check(db, field):
    value = {"tls_verify": True, "tls_verify_depth": 1, "ca_certificates": [SOME_ID]}[field]
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.insert(
            {"name": "cc_test", "protocol": "http", "host": "example.com", field: value}
        )
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "2 schema violations (failed conditional validation given value of field 'protocol'; "
        f"{field}: value must be null)",
        fields={
            "@entity": ["failed conditional validation given value of field 'protocol'"],
            field: "value must be null",
        },
    )
    assert await db.services.count() == 0


async def test_schema_violation_grpc_routes(db, bp):
    svc = await bp.services()
    cases = [
        ({"strip_path": True, "paths": ["/"]}, "strip_path"),
        ({"methods": ["PATCH"], "paths": ["/foo", "/bar"]}, "methods"),
        ({"sources": [{"ip": "127.0.0.1"}], "paths": ["/"]}, "sources"),
        ({"destinations": [{"ip": "127.0.0.1"}], "paths": ["/"]}, "destinations"),
    ]
    for extra, field in cases:
        msg = f"cannot set '{field}' when 'protocols' is 'grpc' or 'grpcs'"
        with pytest.raises(errors.SchemaViolation) as excinfo:
            await db.routes.insert(
                {"protocols": ["grpc", "grpcs"], "service": {"id": svc.id}, **extra}
            )
        check_error(
            db,
            excinfo,
            errors.SchemaViolation,
            f"schema violation ({field}: {msg})",
            fields={field: msg},
        )
    assert await db.routes.count() == 0


async def test_schema_violation_foreign_key_without_primary_key(db):
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.routes.insert(
            {"protocols": ["http"], "hosts": ["example.com"], "service": {"protocol": "http"}}
        )
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "schema violation (service.id: missing primary key)",
        fields={"service": {"id": "missing primary key"}},
    )
    assert await db.routes.count() == 0


async def test_schema_violation_plugins(db, bp):
    consumer = await bp.consumers()
    msg = "plugin 'foo' not enabled; add it to the 'plugins' configuration property"
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.plugins.insert({"name": "foo"})
    check_error(
        db, excinfo, errors.SchemaViolation, f"schema violation (name: {msg})", fields={"name": msg}
    )
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.plugins.insert({"name": "key-auth", "config": {"key_names": "x", "foo": 1}})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "2 schema violations (config.foo: unknown field; config.key_names: expected an array)",
        fields={"config": {"foo": "unknown field", "key_names": "expected an array"}},
    )
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.plugins.insert({"name": "key-auth", "consumer": {"id": consumer.id}})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        "schema violation (consumer: value must be null)",
        fields={"consumer": "value must be null"},
    )
    assert await db.plugins.count() == 0


async def test_schema_violation_invalid_tags(db):
    why = "expected printable ascii (except `,` and `/`) or valid utf-8 sequences"
    with pytest.raises(errors.SchemaViolation) as excinfo:
        await db.services.insert({"host": "example.com", "tags": ["ok", "a,b", "c/d"]})
    check_error(
        db,
        excinfo,
        errors.SchemaViolation,
        f"2 schema violations (tags.2: invalid tag 'a,b': {why}; tags.3: invalid tag 'c/d': {why})",
        fields={"tags": {2: f"invalid tag 'a,b': {why}", 3: f"invalid tag 'c/d': {why}"}},
    )
    assert await db.services.count() == 0


# -- PRIMARY_KEY_VIOLATION ------------------------------------------------------------------------


async def test_primary_key_violation(db):
    svc = await db.services.insert({"id": BLANK_UUID, "name": "my_service", "host": "example.com"})
    with pytest.raises(errors.PrimaryKeyViolation) as excinfo:
        await db.services.insert(
            {"id": BLANK_UUID, "name": "my_other_service", "host": "other-example.com"}
        )
    check_error(
        db,
        excinfo,
        errors.PrimaryKeyViolation,
        f"primary key violation on key '{{id=\"{BLANK_UUID}\"}}'",
        fields={"id": BLANK_UUID},
    )
    assert await db.services.count() == 1
    assert await db.services.select({"id": BLANK_UUID}) == svc
    assert await db.services.select_by_name("my_other_service") is None


# -- FOREIGN_KEY_VIOLATION ------------------------------------------------------------------------


def _dangling(db: Any, fk: str) -> tuple[str, dict]:
    message = f"the foreign key '{{id=\"{fk}\"}}' does not reference an existing 'services' entity."
    return message, {"service": {"id": fk}}


async def test_foreign_key_violation_on_insert(db):
    fk = new_id()
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.routes.insert(
            {"protocols": ["http"], "hosts": ["example.com"], "service": {"id": fk}}
        )
    message, fields = _dangling(db, fk)
    check_error(db, excinfo, errors.ForeignKeyViolation, message, fields=fields)
    assert await db.routes.count() == 0


async def test_foreign_key_violation_on_update_and_upsert(db, bp):
    route = await bp.routes(hosts=["example.com"])
    fk = new_id()
    message, fields = _dangling(db, fk)
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.routes.update({"id": route.id}, {"service": {"id": fk}})
    check_error(db, excinfo, errors.ForeignKeyViolation, message, fields=fields)
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.routes.upsert({"id": route.id}, {"hosts": ["a.com"], "service": {"id": fk}})
    check_error(db, excinfo, errors.ForeignKeyViolation, message, fields=fields)
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.routes.upsert({"id": new_id()}, {"hosts": ["a.com"], "service": {"id": fk}})
    check_error(db, excinfo, errors.ForeignKeyViolation, message, fields=fields)
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.plugins.insert({"name": "key-auth", "service": {"id": fk}})
    check_error(db, excinfo, errors.ForeignKeyViolation, message, fields=fields)
    assert await db.routes.select({"id": route.id}) == route
    assert await db.routes.count() == 1
    assert await db.plugins.count() == 0


async def test_foreign_key_violation_on_restricted_delete(db, bp):
    svc = await bp.services(name="restricted", host="example.com")
    route = await bp.routes(service={"id": svc.id}, methods=["GET"])
    message = "an existing 'routes' entity references this 'services' entity"
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.services.delete({"id": svc.id})
    check_error(
        db, excinfo, errors.ForeignKeyViolation, message, fields={"@referenced_by": "routes"}
    )
    with pytest.raises(errors.ForeignKeyViolation) as excinfo:
        await db.services.delete_by_name("restricted")
    check_error(
        db, excinfo, errors.ForeignKeyViolation, message, fields={"@referenced_by": "routes"}
    )
    assert await db.services.select({"id": svc.id}) == svc
    assert await db.routes.select({"id": route.id}) == route


# -- UNIQUE_VIOLATION -----------------------------------------------------------------------------


def _unique_message(**key: str) -> str:
    ((name, value),) = key.items()
    return f"UNIQUE violation detected on '{{{name}=\"{value}\"}}'"


async def test_unique_violation_on_insert(db):
    await db.services.insert({"name": "my_service_name", "protocol": "http", "host": "example.com"})
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.services.insert(
            {"name": "my_service_name", "protocol": "http", "host": "other-example.com"}
        )
    check_error(
        db,
        excinfo,
        errors.UniqueViolation,
        _unique_message(name="my_service_name"),
        fields={"name": "my_service_name"},
    )
    assert await db.services.count() == 1


async def test_unique_violation_on_update_and_upsert(db):
    await db.services.insert({"name": "service", "host": "example.com"})
    other = await db.services.insert({"name": "service_bis", "host": "other-example.com"})
    message = _unique_message(name="service")
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.services.update({"id": other.id}, {"name": "service"})
    check_error(db, excinfo, errors.UniqueViolation, message, fields={"name": "service"})
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.services.update_by_name("service_bis", {"name": "service"})
    check_error(db, excinfo, errors.UniqueViolation, message, fields={"name": "service"})
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.services.upsert({"id": other.id}, {"name": "service", "host": "x.example.com"})
    check_error(db, excinfo, errors.UniqueViolation, message, fields={"name": "service"})
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.services.upsert({"id": new_id()}, {"name": "service", "host": "x.example.com"})
    check_error(db, excinfo, errors.UniqueViolation, message, fields={"name": "service"})
    assert await db.services.select({"id": other.id}) == other
    assert await db.services.count() == 2


async def test_unique_violation_on_consumers(db):
    await db.consumers.insert({"username": "bob", "custom_id": "c-1"})
    other = await db.consumers.insert({"username": "alice"})
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.consumers.insert({"username": "bob"})
    check_error(
        db,
        excinfo,
        errors.UniqueViolation,
        _unique_message(username="bob"),
        fields={"username": "bob"},
    )
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.consumers.update_by_username("alice", {"custom_id": "c-1"})
    check_error(
        db,
        excinfo,
        errors.UniqueViolation,
        _unique_message(custom_id="c-1"),
        fields={"custom_id": "c-1"},
    )
    with pytest.raises(errors.UniqueViolation) as excinfo:
        await db.consumers.upsert_by_custom_id("c-2", {"username": "bob"})
    check_error(
        db,
        excinfo,
        errors.UniqueViolation,
        _unique_message(username="bob"),
        fields={"username": "bob"},
    )
    assert await db.consumers.select({"id": other.id}) == other
    assert await db.consumers.count() == 2


# -- NOT_FOUND -----------------------------------------------------------------------------------


async def test_not_found(db, bp):
    await bp.routes()
    pk = {"id": new_id()}
    message = f"could not find the entity with primary key '{{id=\"{pk['id']}\"}}'"
    with pytest.raises(errors.NotFound) as excinfo:
        await db.routes.update(pk, {"protocols": ["https"], "hosts": ["example.com"]})
    check_error(db, excinfo, errors.NotFound, message, fields=pk)
    with pytest.raises(errors.NotFound) as excinfo:
        await db.services.update_by_name("inexisting-service", {"protocol": "http"})
    check_error(
        db,
        excinfo,
        errors.NotFound,
        "could not find the entity with '{name=\"inexisting-service\"}'",
        fields={"name": "inexisting-service"},
    )
    # not found wins over an invalid value (the row is read before the merge is validated)
    with pytest.raises(errors.NotFound):
        await db.services.update(pk, {"port": "not a port"})
    assert await db.routes.count() == 1
    assert await db.services.count() == 1


# -- INVALID_OFFSET ------------------------------------------------------------------------------


@pytest.mark.reads
async def test_invalid_offset_bad_base64(db, bp):
    svc = await bp.services()
    for _ in range(4):
        await bp.routes(service={"id": svc.id})
    message = "'hello' is not a valid offset: bad base64 encoding"
    with pytest.raises(errors.InvalidOffset) as excinfo:
        await db.routes.page(3, "hello")
    check_error(db, excinfo, errors.InvalidOffset, message)
    with pytest.raises(errors.InvalidOffset) as excinfo:
        await db.routes.page_for_service({"id": svc.id}, 3, "hello")
    check_error(db, excinfo, errors.InvalidOffset, message)
    with pytest.raises(errors.InvalidOffset) as excinfo:
        await db.routes.page(3, "not*base64!")
    check_error(
        db,
        excinfo,
        errors.InvalidOffset,
        "'not*base64!' is not a valid offset: bad base64 encoding",
    )


# Not `reads`: it expects PostgreSQL's keyset reason wherever offsets are not paging states;
# DB-less offsets are positions, refused with Kong's off reason (`invalid offset`).
async def test_invalid_offset_not_json(db, bp):
    await bp.services()
    offset = base64.b64encode(b"hello").decode().rstrip("=")
    with pytest.raises(errors.InvalidOffset) as excinfo:
        await db.services.page(3, offset)
    err = excinfo.value
    assert type(err) is errors.InvalidOffset
    assert err.message.startswith(f"'{offset}' is not a valid offset: ")
    if not db.connector.capabilities.paging_state:
        # keyset offsets are JSON (Kong's PostgreSQL strategy)
        check_error(
            db,
            excinfo,
            errors.InvalidOffset,
            f"'{offset}' is not a valid offset: bad json encoding",
        )


@pytest.mark.parametrize(
    "payload",
    [b'["not-a-key"]', b'{"a": 1}', b"[1, 2]", b"[]", b"[null]", b'"x"'],
)
@pytest.mark.reads
async def test_invalid_offset_tampered(db, bp, payload):
    for _ in range(3):
        await bp.services()
    _, real = await db.services.page(1)
    assert isinstance(real, str)
    offset = base64.b64encode(payload).decode()
    assert offset != real
    with pytest.raises(errors.InvalidOffset) as excinfo:
        await db.services.page(1, offset)
    err = excinfo.value
    assert type(err) is errors.InvalidOffset
    assert err.err_t["code"] == 7
    assert err.strategy == db.connector.name
    assert str(err).startswith(f"[{db.connector.name}] '{offset}' is not a valid offset: ")


# -- INVALID_SIZE --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5.5, 0, -1, 50001, float("inf"), float("nan")])
@pytest.mark.reads
async def test_invalid_size(db, size):
    message = "size must be an integer between 1 and 50000"
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.page(size)
    check_error(db, excinfo, errors.InvalidSize, message)
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.each(size).__anext__()
    check_error(db, excinfo, errors.InvalidSize, message)
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.page_for_service({"id": BLANK_UUID}, size)
    check_error(db, excinfo, errors.InvalidSize, message)
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.each_for_service({"id": BLANK_UUID}, size).__anext__()
    check_error(db, excinfo, errors.InvalidSize, message)


@pytest.mark.reads
async def test_invalid_size_follows_max_page_size(db):
    message = "size must be an integer between 1 and 1000"
    pagination = {"max_page_size": 1000}
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.page(1002, pagination=pagination)
    check_error(db, excinfo, errors.InvalidSize, message)
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.page_for_service({"id": BLANK_UUID}, 1002, pagination=pagination)
    check_error(db, excinfo, errors.InvalidSize, message)
    # the size is checked before the options (Kong's order)
    with pytest.raises(errors.InvalidSize) as excinfo:
        await db.routes.page(0, pagination={"page_size": 0})
    check_error(db, excinfo, errors.InvalidSize, "size must be an integer between 1 and 50000")


# -- INVALID_UNIQUE ------------------------------------------------------------------------------


async def test_invalid_unique(db):
    await db.services.insert({"name": "ok", "host": "example.com"})
    before = await snapshot(db)
    calls = [
        lambda: db.services.select_by_name("bad name!"),
        lambda: db.services.update_by_name("bad name!", {"host": "x.example.com"}),
        lambda: db.services.upsert_by_name("bad name!", {"host": "x.example.com"}),
        lambda: db.services.delete_by_name("bad name!"),
    ]
    for call in calls:
        with pytest.raises(errors.InvalidUnique) as excinfo:
            await call()
        check_error(db, excinfo, errors.InvalidUnique, BAD_NAME_MSG, name="invalid unique name")
    with pytest.raises(errors.InvalidUnique) as excinfo:
        await db.consumers.select_by_username("")
    check_error(
        db,
        excinfo,
        errors.InvalidUnique,
        "length must be at least 1",
        name="invalid unique username",
    )
    assert excinfo.value.field == "username"
    assert await snapshot(db) == before


# -- INVALID_OPTIONS -----------------------------------------------------------------------------


@pytest.mark.parametrize("entity_name", ["services", "routes", "consumers", "plugins"])
async def test_ttl_cannot_be_used_without_schema_ttl(db, bp, entity_name):
    makers = {
        "services": bp.services,
        "routes": bp.routes,
        "consumers": bp.consumers,
        "plugins": bp.plugins,
    }
    valid = {
        "services": {"host": "example.com"},
        "routes": {"hosts": ["example.com"]},
        "consumers": {"username": "alice"},
        "plugins": {"name": "key-auth"},
    }[entity_name]
    existing = await makers[entity_name]()
    dao = db.daos[entity_name]
    calls = [
        lambda: dao.insert(valid, ttl=100),
        lambda: dao.upsert({"id": new_id()}, valid, ttl=1),
        lambda: dao.upsert({"id": existing.id}, valid, ttl=0),
        lambda: dao.update({"id": existing.id}, {}, ttl=0),
    ]
    unique = {"services": "name", "consumers": "username"}.get(entity_name)
    if unique is not None:
        value = existing[unique]
        calls.append(lambda: getattr(dao, f"update_by_{unique}")(value, {}, ttl=10))
        calls.append(lambda: getattr(dao, f"upsert_by_{unique}")(value, valid, ttl=10))
    before = await snapshot(db)
    for call in calls:
        with pytest.raises(errors.InvalidOptions) as excinfo:
            await call()
        check_error(
            db,
            excinfo,
            errors.InvalidOptions,
            f"invalid option (ttl: cannot be used with '{entity_name}')",
            options={"ttl": f"cannot be used with '{entity_name}'"},
        )
        assert excinfo.value.fields is None
    assert await snapshot(db) == before


async def test_options_are_checked_before_the_entity(db):
    with pytest.raises(errors.InvalidOptions) as excinfo:
        await db.services.insert({}, ttl=10)
    assert excinfo.value.options == {"ttl": "cannot be used with 'services'"}
    with pytest.raises(errors.InvalidOptions) as excinfo:
        await db.services.insert({"host": "example.com"}, transform=1)
    check_error(
        db,
        excinfo,
        errors.InvalidOptions,
        "invalid option (transform: must be a boolean)",
        options={"transform": "must be a boolean"},
    )
    assert await db.services.count() == 0


TAGS_OPTION_ERRORS = [
    pytest.param({"tags": "oops"}, {"tags": "invalid filter syntax"}, id="not-a-list-no-cond"),
    pytest.param({"tags": "oops", "tags_cond": "and"}, {"tags": "must be a table"}, id="str"),
    pytest.param({"tags": True, "tags_cond": "and"}, {"tags": "must be a table"}, id="bool"),
    pytest.param({"tags": -1, "tags_cond": "or"}, {"tags": "must be a table"}, id="number"),
    pytest.param(
        {"tags": ["1", "2", "3", "4", "5", "6"]},
        {"tags": "cannot query more than 5 tags"},
        id="six",
    ),
    pytest.param(
        {"tags": ["oops", "a,b"], "tags_cond": "and"},
        {"tags": "must only contain printable ascii (except `,` and `/`) or valid utf-8"},
        id="comma",
    ),
    pytest.param(
        {"tags": ["a/b"]},
        {"tags": "must only contain printable ascii (except `,` and `/`) or valid utf-8"},
        id="slash",
    ),
    pytest.param(
        {"tags": ["a b"]},
        {"tags": "must only contain printable ascii (except `,` and `/`) or valid utf-8"},
        id="space",
    ),
    pytest.param(
        {"tags": ["foo", "bar"]},
        {"tags_cond": "must be a either 'and' or 'or' when more than one tag is specified"},
        id="no-cond",
    ),
    pytest.param(
        {"tags": ["foo", "bar"], "tags_cond": "xor"},
        {"tags_cond": "must be a either 'and' or 'or' when more than one tag is specified"},
        id="bad-cond",
    ),
]


@pytest.mark.parametrize(("options", "expected"), TAGS_OPTION_ERRORS)
@pytest.mark.reads
async def test_tags_option_errors(db, options, expected):
    ((key, why),) = expected.items()
    for dao in (db.services, db.routes, db.consumers, db.plugins):
        with pytest.raises(errors.InvalidOptions) as excinfo:
            await dao.page(**options)
        check_error(
            db, excinfo, errors.InvalidOptions, f"invalid option ({key}: {why})", options=expected
        )
        with pytest.raises(errors.InvalidOptions) as excinfo:
            await dao.each(**options).__anext__()
        assert excinfo.value.options == expected


@pytest.mark.reads
async def test_tags_option_on_an_entity_without_tags(db):
    with pytest.raises(errors.InvalidOptions) as excinfo:
        await db.tags.page(tags=["a"])
    check_error(
        db,
        excinfo,
        errors.InvalidOptions,
        "invalid option (tags: cannot be used with 'tags')",
        options={"tags": "cannot be used with 'tags'"},
    )


PAGINATION_ERRORS = [
    pytest.param(
        {"page_size": 0},
        "invalid option (pagination.page_size: must be an integer between 1 and 50000)",
        {"page_size": "must be an integer between 1 and 50000"},
        id="page_size-0",
    ),
    pytest.param(
        {"page_size": 1.5},
        "invalid option (pagination.page_size: must be an integer between 1 and 50000)",
        {"page_size": "must be an integer between 1 and 50000"},
        id="page_size-float",
    ),
    pytest.param(
        {"page_size": 6, "max_page_size": 5},
        "invalid option (pagination.page_size: must be an integer between 1 and 5)",
        {"page_size": "must be an integer between 1 and 5"},
        id="page_size-above-max",
    ),
    pytest.param(
        {"page_size": {}},
        "invalid option (pagination.page_size: must be a number)",
        {"page_size": "must be a number"},
        id="page_size-table",
    ),
    pytest.param(
        {"page_size": True},
        "invalid option (pagination.page_size: must be a number)",
        {"page_size": "must be a number"},
        id="page_size-true",
    ),
    pytest.param(
        {"page_size": False},
        "invalid option (pagination.page_size: must be a number)",
        {"page_size": "must be a number"},
        id="page_size-false",
    ),
    pytest.param(
        {"max_page_size": 0},
        "invalid option (pagination.max_page_size: must be an integer greater than 0)",
        {"max_page_size": "must be an integer greater than 0"},
        id="max_page_size-0",
    ),
    pytest.param(
        {"max_page_size": {}},
        "invalid option (pagination.max_page_size: must be a number)",
        {"max_page_size": "must be a number"},
        id="max_page_size-table",
    ),
    pytest.param(
        {"max_page_size": True},
        "invalid option (pagination.max_page_size: must be a number)",
        {"max_page_size": "must be a number"},
        id="max_page_size-true",
    ),
    pytest.param(
        {"page_size": 0, "max_page_size": 0},
        "2 option violations (pagination.max_page_size: must be an integer greater than 0; "
        "pagination.page_size: must be an integer between 1 and 50000)",
        {
            "max_page_size": "must be an integer greater than 0",
            "page_size": "must be an integer between 1 and 50000",
        },
        id="both-0",
    ),
    pytest.param(
        {"page_size": False, "max_page_size": False},
        "2 option violations (pagination.max_page_size: must be a number; "
        "pagination.page_size: must be a number)",
        {"max_page_size": "must be a number", "page_size": "must be a number"},
        id="both-false",
    ),
]


@pytest.mark.parametrize(("pagination", "message", "nested"), PAGINATION_ERRORS)
@pytest.mark.reads
async def test_pagination_option_errors(db, pagination, message, nested):
    calls = [
        lambda: db.routes.page(pagination=pagination),
        lambda: db.routes.each(pagination=pagination).__anext__(),
        lambda: db.routes.page_for_service({"id": BLANK_UUID}, pagination=pagination),
        lambda: db.routes.each_for_service({"id": BLANK_UUID}, pagination=pagination).__anext__(),
    ]
    for call in calls:
        with pytest.raises(errors.InvalidOptions) as excinfo:
            await call()
        check_error(db, excinfo, errors.InvalidOptions, message, options={"pagination": nested})


@pytest.mark.reads
async def test_several_option_errors(db):
    with pytest.raises(errors.InvalidOptions) as excinfo:
        await db.services.page(tags="x", pagination={"page_size": 0})
    check_error(
        db,
        excinfo,
        errors.InvalidOptions,
        "2 option violations (pagination.page_size: must be an integer between 1 and 50000; "
        "tags: invalid filter syntax)",
        options={
            "pagination": {"page_size": "must be an integer between 1 and 50000"},
            "tags": "invalid filter syntax",
        },
    )
    with pytest.raises(errors.InvalidOptions) as excinfo:
        await db.services.page(pagination=5)
    check_error(
        db,
        excinfo,
        errors.InvalidOptions,
        "invalid option (pagination: must be a table)",
        options={"pagination": "must be a table"},
    )


# -- FOREIGN_KEYS_UNRESOLVED ---------------------------------------------------------------------


async def test_foreign_keys_unresolved(db):
    why = (
        "the foreign key cannot be resolved with '{username=\"nope\"}' "
        "for an existing 'consumers' entity"
    )
    with pytest.raises(errors.ForeignKeysUnresolved) as excinfo:
        await db.plugins.insert({"name": "key-auth", "consumer": {"username": "nope"}})
    check_error(
        db,
        excinfo,
        errors.ForeignKeysUnresolved,
        f"foreign key unresolved (consumer.username: {why})",
        fields={"consumer": {"username": why}},
    )
    assert await db.plugins.count() == 0


# -- a rejected write writes nothing -------------------------------------------------------------

REJECTED_WRITES: list[Any] = [
    ("insert-invalid", lambda db, s: db.services.insert({}), errors.SchemaViolation),
    (
        "insert-dup-name",
        lambda db, s: db.services.insert({"name": "svc-a", "host": "x.example.com"}),
        errors.UniqueViolation,
    ),
    (
        "insert-dup-pk",
        lambda db, s: db.services.insert({"id": s["a"].id, "host": "x.example.com"}),
        errors.PrimaryKeyViolation,
    ),
    (
        "insert-ttl",
        lambda db, s: db.services.insert({"host": "x.example.com"}, ttl=10),
        errors.InvalidOptions,
    ),
    (
        "update-dup-name",
        lambda db, s: db.services.update({"id": s["a"].id}, {"name": "svc-b", "port": 1}),
        errors.UniqueViolation,
    ),
    (
        "update-null-required",
        lambda db, s: db.services.update({"id": s["a"].id}, {"host": None, "port": 1}),
        errors.SchemaViolation,
    ),
    (
        "update-missing",
        lambda db, s: db.services.update({"id": new_id()}, {"host": "x.example.com"}),
        errors.NotFound,
    ),
    (
        "update-bad-pk",
        lambda db, s: db.services.update({"id": "x"}, {"port": 1}),
        errors.InvalidPrimaryKey,
    ),
    (
        "update_by_name-invalid",
        lambda db, s: db.services.update_by_name("svc-a", {"port": 0.5, "retries": 1}),
        errors.SchemaViolation,
    ),
    (
        "update_by_name-bad-name",
        lambda db, s: db.services.update_by_name("bad name!", {"port": 1}),
        errors.InvalidUnique,
    ),
    (
        "upsert-dup-name",
        lambda db, s: db.services.upsert({"id": s["a"].id}, {"name": "svc-b", "host": "x.com"}),
        errors.UniqueViolation,
    ),
    (
        "upsert-invalid",
        lambda db, s: db.services.upsert({"id": s["a"].id}, {"port": 1}),
        errors.SchemaViolation,
    ),
    (
        "upsert_by_name-invalid",
        lambda db, s: db.services.upsert_by_name("svc-a", {"host": "x.com", "port": -1}),
        errors.SchemaViolation,
    ),
    (
        "delete-restricted",
        lambda db, s: db.services.delete({"id": s["a"].id}),
        errors.ForeignKeyViolation,
    ),
    (
        "delete_by_name-restricted",
        lambda db, s: db.services.delete_by_name("svc-a"),
        errors.ForeignKeyViolation,
    ),
    (
        "route-insert-dangling",
        lambda db, s: db.routes.insert({"hosts": ["a.com"], "service": {"id": new_id()}}),
        errors.ForeignKeyViolation,
    ),
    (
        "route-insert-unresolved",
        lambda db, s: db.routes.insert({"hosts": ["a.com"], "service": {"name": "nope"}}),
        errors.ForeignKeysUnresolved,
    ),
    (
        "route-update-dangling",
        lambda db, s: db.routes.update(
            {"id": s["route"].id}, {"service": {"id": new_id()}, "hosts": ["z.com"]}
        ),
        errors.ForeignKeyViolation,
    ),
    (
        "route-update-unresolved",
        lambda db, s: db.routes.update({"id": s["route"].id}, {"service": {"name": "nope"}}),
        errors.ForeignKeysUnresolved,
    ),
    (
        "route-upsert-dangling",
        lambda db, s: db.routes.upsert(
            {"id": s["route"].id}, {"hosts": ["a.com"], "service": {"id": new_id()}}
        ),
        errors.ForeignKeyViolation,
    ),
    (
        "route-upsert-new-dangling",
        lambda db, s: db.routes.upsert(
            {"id": new_id()}, {"hosts": ["a.com"], "service": {"id": new_id()}}
        ),
        errors.ForeignKeyViolation,
    ),
    (
        "consumer-insert-dup",
        lambda db, s: db.consumers.insert({"username": "bob"}),
        errors.UniqueViolation,
    ),
    (
        "consumer-update-entity-check",
        lambda db, s: db.consumers.update(
            {"id": s["consumer"].id}, {"username": None, "custom_id": None}
        ),
        errors.SchemaViolation,
    ),
    (
        "plugin-insert-dup-cache-key",
        lambda db, s: db.plugins.insert({"name": "key-auth", "service": {"id": s["a"].id}}),
        errors.UniqueViolation,
    ),
    (
        "plugin-update-invalid-config",
        lambda db, s: db.plugins.update({"id": s["plugin"].id}, {"config": {"key_names": "x"}}),
        errors.SchemaViolation,
    ),
    (
        "plugin-update-dup-cache-key",
        lambda db, s: db.plugins.update(
            {"id": s["plugin"].id}, {"route": None, "service": {"id": s["b"].id}}
        ),
        errors.UniqueViolation,
    ),
    (
        "tags-insert",
        lambda db, s: db.tags.insert({"tag": "a"}),
        errors.SchemaViolation,
    ),
]


@pytest.mark.parametrize(
    ("call", "cls"),
    [pytest.param(call, cls, id=label) for label, call, cls in REJECTED_WRITES],
)
async def test_rejected_writes_write_nothing(db, call, cls):
    a = await db.services.insert({"name": "svc-a", "host": "a.example.com", "tags": ["t"]})
    b = await db.services.insert({"name": "svc-b", "host": "b.example.com"})
    route = await db.routes.insert({"hosts": ["r.example.com"], "service": {"id": a.id}})
    consumer = await db.consumers.insert({"username": "bob", "custom_id": "c-1"})
    plugin = await db.plugins.insert({"name": "key-auth", "route": {"id": route.id}})
    await db.plugins.insert({"name": "key-auth", "service": {"id": b.id}})
    await db.plugins.insert({"name": "key-auth", "service": {"id": a.id}})
    state = {"a": a, "b": b, "route": route, "consumer": consumer, "plugin": plugin}
    before = await snapshot(db)
    tags_before = sorted((await db.tags.page())[0], key=lambda t: (t.entity_id, t.tag))
    with pytest.raises(cls) as excinfo:
        await call(db, state)
    assert type(excinfo.value) is cls
    assert str(excinfo.value).startswith(f"[{db.connector.name}] ")
    assert await snapshot(db) == before
    assert sorted((await db.tags.page())[0], key=lambda t: (t.entity_id, t.tag)) == tags_before
