"""kongdao.errors: Kong's error codes, exact messages and err_t shapes (no I/O).

Expected messages come from Kong 2.8 (``kong/db/errors.lua`` and its spec
``spec/01-unit/01-db/02-db-errors_spec.lua``) and Penlight 1.12's ``pretty.write``.
"""

from __future__ import annotations

import json
import pickle
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kongdao import errors
from kongdao.errors import (
    CODES,
    DatabaseError,
    DeclarativeConfigError,
    ForeignKeysUnresolved,
    ForeignKeyViolation,
    InterfaceError,
    InvalidForeignKey,
    InvalidOffset,
    InvalidOptions,
    InvalidPrimaryKey,
    InvalidSize,
    InvalidUnique,
    InvalidUniqueGlobal,
    InvalidWorkspace,
    KongDAOError,
    NotFound,
    OperationUnsupported,
    PrimaryKeyViolation,
    SchemaViolation,
    TransformationError,
    UniqueViolation,
    format_violations,
    lua_pretty,
)

UUID = "6b9a8d8e-9f3b-4c6e-a0a8-3a1d4b0f2c11"

KONG_CODES = [
    (InvalidPrimaryKey, 1, "invalid primary key", 400),
    (SchemaViolation, 2, "schema violation", 400),
    (PrimaryKeyViolation, 3, "primary key violation", 400),
    (ForeignKeyViolation, 4, "foreign key violation", 400),
    (UniqueViolation, 5, "unique constraint violation", 409),
    (NotFound, 6, "not found", 404),
    (InvalidOffset, 7, "invalid offset", 400),
    (DatabaseError, 8, "database error", 500),
    (InvalidSize, 9, "invalid size", 400),
    (InvalidUnique, 10, "invalid unique %s", 400),
    (InvalidOptions, 11, "invalid options", 400),
    (OperationUnsupported, 12, "operation unsupported", 405),
    (ForeignKeysUnresolved, 13, "foreign keys unresolved", 400),
    (DeclarativeConfigError, 14, "invalid declarative configuration", 400),
    (TransformationError, 15, "transformation error", 500),
    (InvalidForeignKey, 16, "invalid foreign key", 500),
    (InvalidWorkspace, 17, "invalid workspace", 500),
    (InvalidUniqueGlobal, 18, "invalid global query", 500),
]


# -- the tree ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "code", "name", "status"), KONG_CODES)
def test_class_attributes_follow_kong(
    cls: type[KongDAOError], code: int, name: str, status: int
) -> None:
    assert cls.code == code
    assert cls.name == name
    assert CODES[code] is cls
    assert issubclass(cls, KongDAOError)
    assert cls("x").http_status == status


def test_codes_maps_exactly_kongs_18_codes() -> None:
    assert sorted(CODES) == list(range(1, 19))
    assert InterfaceError not in CODES.values()
    with pytest.raises(TypeError):
        CODES[19] = InterfaceError  # type: ignore[index]


def test_interface_error_is_outside_kongs_codes() -> None:
    err = InterfaceError("cannot call DAO.insert(): connector is closed")
    assert isinstance(err, KongDAOError)
    assert isinstance(err, RuntimeError)
    assert err.code == 0
    assert err.name == "interface error"
    assert err.http_status == 500
    assert str(err) == "cannot call DAO.insert(): connector is closed"


@pytest.mark.parametrize(
    ("cls", "base"),
    [
        (InvalidPrimaryKey, ValueError),
        (SchemaViolation, ValueError),
        (NotFound, LookupError),
        (InvalidOffset, ValueError),
        (InvalidSize, ValueError),
        (InvalidUnique, ValueError),
        (InvalidOptions, ValueError),
        (DeclarativeConfigError, ValueError),
        (InvalidForeignKey, ValueError),
        (InvalidUniqueGlobal, ValueError),
        (InterfaceError, RuntimeError),
    ],
)
def test_stdlib_bases(cls: type[KongDAOError], base: type[Exception]) -> None:
    assert issubclass(cls, base)
    with pytest.raises(base):
        raise cls("boom")


@pytest.mark.parametrize(
    ("cls", "not_base"),
    [
        (NotFound, KeyError),
        (PrimaryKeyViolation, ValueError),
        (UniqueViolation, ValueError),
        (ForeignKeyViolation, ValueError),
        (DatabaseError, OSError),
        (OperationUnsupported, NotImplementedError),
        (SchemaViolation, TypeError),
    ],
)
def test_no_misleading_bases(cls: type[KongDAOError], not_base: type[Exception]) -> None:
    assert not issubclass(cls, not_base)


def test_all_is_sorted_and_complete() -> None:
    assert errors.__all__ == sorted(errors.__all__, key=str.lower)
    for name in errors.__all__:
        assert hasattr(errors, name), name
    public = {
        name
        for name, value in vars(errors).items()
        if not name.startswith("_")
        and getattr(value, "__module__", None) == errors.__name__
        and callable(value)
    }
    assert public <= set(errors.__all__)


# -- factories and Kong's exact messages ------------------------------------------------------

CASES: list[tuple[str, Callable[[], KongDAOError], type[KongDAOError], str, Any]] = [
    (
        "invalid_primary_key",
        lambda: errors.invalid_primary_key({"id": "missing", "id2": "missing2"}),
        InvalidPrimaryKey,
        """invalid primary key: '{id="missing",id2="missing2"}'""",
        {"id": "missing", "id2": "missing2"},
    ),
    (
        "schema_violation",
        lambda: errors.schema_violation({"host": "required field missing"}),
        SchemaViolation,
        "schema violation (host: required field missing)",
        {"host": "required field missing"},
    ),
    (
        "primary_key_violation",
        lambda: errors.primary_key_violation({"id": UUID}),
        PrimaryKeyViolation,
        f"""primary key violation on key '{{id="{UUID}"}}'""",
        {"id": UUID},
    ),
    (
        "foreign_key_violation_invalid_reference",
        lambda: errors.foreign_key_violation_invalid_reference({"id": UUID}, "service", "services"),
        ForeignKeyViolation,
        f"""the foreign key '{{id="{UUID}"}}' does not reference an existing 'services' entity.""",
        {"service": {"id": UUID}},
    ),
    (
        "foreign_key_violation_restricted",
        lambda: errors.foreign_key_violation_restricted("services", "routes"),
        ForeignKeyViolation,
        "an existing 'routes' entity references this 'services' entity",
        {"@referenced_by": "routes"},
    ),
    (
        "unique_violation",
        lambda: errors.unique_violation({"name": "x"}),
        UniqueViolation,
        """UNIQUE violation detected on '{name="x"}'""",
        {"name": "x"},
    ),
    (
        "unique_violation_plugin_cache_key",
        lambda: errors.unique_violation(
            {"name": "key-auth", "route": {"id": UUID}, "service": None, "consumer": None}
        ),
        UniqueViolation,
        "UNIQUE violation detected on "
        f"""'{{consumer=null,name="key-auth",route={{id="{UUID}"}},service=null}}'""",
        {"name": "key-auth", "route": {"id": UUID}, "service": None, "consumer": None},
    ),
    (
        "not_found",
        lambda: errors.not_found({"id": UUID}),
        NotFound,
        f"""could not find the entity with primary key '{{id="{UUID}"}}'""",
        {"id": UUID},
    ),
    (
        "not_found_by_field",
        lambda: errors.not_found_by_field({"name": "x"}),
        NotFound,
        """could not find the entity with '{name="x"}'""",
        {"name": "x"},
    ),
    (
        "invalid_offset",
        lambda: errors.invalid_offset("bad offset", "bad base64 encoding"),
        InvalidOffset,
        "'bad offset' is not a valid offset: bad base64 encoding",
        None,
    ),
    (
        "database_error",
        lambda: errors.database_error("could not execute insertion query: timeout"),
        DatabaseError,
        "could not execute insertion query: timeout",
        None,
    ),
    (
        "database_error_default",
        lambda: errors.database_error(),
        DatabaseError,
        "database error",
        None,
    ),
    (
        "invalid_size",
        lambda: errors.invalid_size("size must be an integer between 1 and 50000"),
        InvalidSize,
        "size must be an integer between 1 and 50000",
        None,
    ),
    (
        "invalid_unique",
        lambda: errors.invalid_unique("name", "expected a string"),
        InvalidUnique,
        "expected a string",
        None,
    ),
    (
        "operation_unsupported",
        lambda: errors.operation_unsupported(
            "cannot create 'services' entities when not using a database"
        ),
        OperationUnsupported,
        "cannot create 'services' entities when not using a database",
        None,
    ),
    (
        "foreign_keys_unresolved",
        lambda: errors.foreign_keys_unresolved(
            {"service": {"name": {"name": "name", "value": "x", "parent": "services"}}}
        ),
        ForeignKeysUnresolved,
        "foreign key unresolved (service.name: the foreign key cannot be resolved with "
        """'{name="x"}' for an existing 'services' entity)""",
        {
            "service": {
                "name": "the foreign key cannot be resolved with "
                """'{name="x"}' for an existing 'services' entity"""
            }
        },
    ),
    (
        "declarative_config",
        lambda: errors.declarative_config({"services": {1: {"host": "required field missing"}}}),
        DeclarativeConfigError,
        """declarative config is invalid: {services={{host="required field missing"}}}""",
        {"services": {1: {"host": "required field missing"}}},
    ),
    (
        "transformation_error",
        lambda: errors.transformation_error("transformation failed: unable to transform name"),
        TransformationError,
        "transformation failed: unable to transform name",
        None,
    ),
    (
        "transformation_error_default",
        lambda: errors.transformation_error(),
        TransformationError,
        "transformation error",
        None,
    ),
    (
        "invalid_foreign_key",
        lambda: errors.invalid_foreign_key({"id": "missing", "id2": "missing2"}),
        InvalidForeignKey,
        """invalid foreign key: '{id="missing",id2="missing2"}'""",
        {"id": "missing", "id2": "missing2"},
    ),
    (
        "invalid_workspace",
        lambda: errors.invalid_workspace(UUID),
        InvalidWorkspace,
        f"invalid workspace '{UUID}'",
        None,
    ),
    (
        "invalid_workspace_uuid",
        lambda: errors.invalid_workspace(uuid.UUID(UUID)),
        InvalidWorkspace,
        f"invalid workspace '{UUID}'",
        None,
    ),
    (
        "invalid_unique_global",
        lambda: errors.invalid_unique_global("bla"),
        InvalidUniqueGlobal,
        "unique key bla is invalid for global query",
        None,
    ),
]


@pytest.mark.parametrize(
    ("make", "cls", "message", "fields"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_factory_builds_kongs_message(
    make: Callable[[], KongDAOError], cls: type[KongDAOError], message: str, fields: Any
) -> None:
    err = make()
    assert type(err) is cls
    assert err.message == message
    assert err.strategy is None
    assert str(err) == message
    assert err.fields == fields
    assert err.options is None


def test_invalid_options_uses_options_not_fields() -> None:
    err = errors.invalid_options({"ttl": "cannot be used with 'routes'"}, strategy="postgres")
    assert type(err) is InvalidOptions
    assert err.message == "invalid option (ttl: cannot be used with 'routes')"
    assert str(err) == "[postgres] invalid option (ttl: cannot be used with 'routes')"
    assert err.options == {"ttl": "cannot be used with 'routes'"}
    assert err.fields is None
    assert "fields" not in err.err_t
    assert err.to_kong_body()["options"] == {"ttl": "cannot be used with 'routes'"}


def test_invalid_unique_name_carries_the_field() -> None:
    err = errors.invalid_unique("name", "expected a string", strategy="postgres")
    assert err.name == "invalid unique name"
    assert err.field == "name"
    assert str(err) == "[postgres] expected a string"
    assert InvalidUnique.name == "invalid unique %s"
    assert InvalidUnique().name == "invalid unique"
    assert str(InvalidUnique(field="tag")) == "invalid unique tag"
    assert InvalidUnique("x", field="tag", name="custom").name == "custom"


@pytest.mark.parametrize("strategy", ["postgres", "cassandra", "off"])
def test_every_factory_takes_a_strategy(strategy: str) -> None:
    made = [
        errors.invalid_primary_key({"id": "x"}, strategy=strategy),
        errors.schema_violation({"a": "b"}, strategy=strategy),
        errors.primary_key_violation({"id": "x"}, strategy=strategy),
        errors.foreign_key_violation_invalid_reference(
            {"id": "x"}, "service", "services", strategy=strategy
        ),
        errors.foreign_key_violation_restricted("services", "routes", strategy=strategy),
        errors.unique_violation({"name": "x"}, strategy=strategy),
        errors.not_found({"id": "x"}, strategy=strategy),
        errors.not_found_by_field({"name": "x"}, strategy=strategy),
        errors.invalid_offset("o", "bad", strategy=strategy),
        errors.database_error("e", strategy=strategy),
        errors.invalid_size("e", strategy=strategy),
        errors.invalid_unique("name", "e", strategy=strategy),
        errors.invalid_options({"ttl": "e"}, strategy=strategy),
        errors.operation_unsupported("e", strategy=strategy),
        errors.foreign_keys_unresolved({"service": {"name": "e"}}, strategy=strategy),
        errors.declarative_config({"a": "b"}, strategy=strategy),
        errors.transformation_error("e", strategy=strategy),
        errors.invalid_foreign_key({"id": "x"}, strategy=strategy),
        errors.invalid_workspace("w", strategy=strategy),
        errors.invalid_unique_global("name", strategy=strategy),
    ]
    assert {err.code for err in made} == set(CODES)
    for err in made:
        assert err.strategy == strategy
        assert str(err) == f"[{strategy}] {err.message}"
        assert err.err_t["strategy"] == strategy


# the module's annotations forbid these calls; go around them to reach the runtime checks
_untyped: Any = errors


@pytest.mark.parametrize(
    "call",
    [
        lambda: _untyped.invalid_primary_key("id"),
        lambda: _untyped.schema_violation(["host"]),
        lambda: _untyped.primary_key_violation(None),
        lambda: _untyped.foreign_key_violation_invalid_reference("x", "service", "services"),
        lambda: _untyped.foreign_key_violation_invalid_reference({"id": "x"}, 1, "services"),
        lambda: _untyped.foreign_key_violation_invalid_reference({"id": "x"}, "service", None),
        lambda: _untyped.foreign_key_violation_restricted(1, "routes"),
        lambda: _untyped.foreign_key_violation_restricted("services", None),
        lambda: _untyped.unique_violation("x"),
        lambda: _untyped.not_found(1),
        lambda: _untyped.not_found_by_field("x"),
        lambda: _untyped.invalid_offset(b"x", "bad"),
        lambda: _untyped.invalid_offset("x", None),
        lambda: _untyped.database_error(42),
        lambda: _untyped.invalid_size(None),
        lambda: _untyped.invalid_unique(None, "e"),
        lambda: _untyped.invalid_unique("name", {"a": "b"}),
        lambda: _untyped.invalid_options("ttl"),
        lambda: _untyped.operation_unsupported(None),
        lambda: _untyped.foreign_keys_unresolved("x"),
        lambda: _untyped.declarative_config("x"),
        lambda: _untyped.transformation_error(1),
        lambda: _untyped.invalid_foreign_key("x"),
        lambda: _untyped.invalid_workspace(1),
        lambda: _untyped.invalid_unique_global(None),
        lambda: _untyped.SchemaViolation(1),
        lambda: _untyped.SchemaViolation("x", strategy=1),
        lambda: _untyped.SchemaViolation("x", fields=["a"]),
    ],
)
def test_wrong_argument_types_raise_type_error(call: Callable[[], object]) -> None:
    with pytest.raises(TypeError):
        call()


# -- message assembly ---------------------------------------------------------------------------


def test_kongs_own_multiple_errors_example() -> None:
    schema_errors = {
        "foo": "expected an integer",
        "bar": "length must be 5",
        "baz": "unknown field",
        "@entity": [
            "at least one of plim or plum is needed",
            "the check function errored out",
            "an extra error",
        ],
        "external_entity": {"id": "missing primary key"},
    }
    err = errors.schema_violation(schema_errors, strategy="some_strategy")
    assert err.message == (
        "7 schema violations (at least one of plim or plum is needed; "
        "the check function errored out; an extra error; bar: length must be 5; "
        "baz: unknown field; external_entity.id: missing primary key; foo: expected an integer)"
    )
    assert err.fields == schema_errors
    assert str(err) == f"[some_strategy] {err.message}"


def test_routes_example_from_kong_md() -> None:
    err = errors.schema_violation(
        {
            "snis": "length must be 0",
            "@entity": [
                "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or "
                "'tls_passthrough'",
                "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'",
            ],
        }
    )
    assert err.message == (
        "3 schema violations ('snis' can only be set when 'protocols' is 'grpcs', 'https', "
        "'tls' or 'tls_passthrough'; must set one of 'methods', 'hosts', 'headers', 'paths' "
        "when 'protocols' is 'http'; snis: length must be 0)"
    )


def test_single_entity_error_is_singular() -> None:
    err = errors.schema_violation({"@entity": ["the check function errored out"]})
    assert err.message == "schema violation (the check function errored out)"


def test_fields_are_sorted_by_name_and_entity_messages_come_first() -> None:
    entries = format_violations(
        {"zeta": "z", "alpha": "a", "@entity": ["second", "first"], "Mid": "m", "_u": "u"}
    )
    assert entries == ["second", "first", "Mid: m", "_u: u", "alpha: a", "zeta: z"]


def test_array_element_errors_use_one_based_indexes() -> None:
    assert format_violations({"protocols": {2: "expected a string"}}) == [
        "protocols.2: expected a string"
    ]
    assert format_violations({"protocols": {10: "b", 2: "a"}}) == [
        "protocols.2: a",
        "protocols.10: b",
    ]
    # as a list, None marks an element without error
    assert format_violations({"paths": [None, "must start with /", "bad"]}) == [
        "paths.2: must start with /",
        "paths.3: bad",
    ]
    err = errors.schema_violation({"protocols": {2: "expected a string"}})
    assert err.message == "schema violation (protocols.2: expected a string)"


def test_nested_records_give_dotted_paths() -> None:
    entries = format_violations(
        {
            "config": {
                "redis": {"port": "value should be between 0 and 65535", "host": "required"},
                "anonymous": "expected a string",
                "headers": {1: {"name": "required field missing"}},
            },
            "name": "unknown field",
        }
    )
    assert entries == [
        "config.anonymous: expected a string",
        "config.headers.1.name: required field missing",
        "config.redis.host: required",
        "config.redis.port: value should be between 0 and 65535",
        "name: unknown field",
    ]


def test_nested_entity_messages_take_the_records_path() -> None:
    entries = format_violations(
        {
            "config": {
                "second": "expected a number",
                "@entity": ["at least one of these fields must be non-empty: 'second', 'minute'"],
            },
            "@entity": ["top"],
        }
    )
    assert entries == [
        "top",
        "config: at least one of these fields must be non-empty: 'second', 'minute'",
        "config.second: expected a number",
    ]


def test_non_string_leaves_render_like_lua_tostring() -> None:
    assert format_violations(
        {"a": 5, "b": 1.5, "c": True, "d": None, "e": 2.0, "f": uuid.UUID(UUID)}
    ) == ["a: 5", "b: 1.5", "c: true", "e: 2", f"f: {UUID}"]
    assert format_violations({"@entity": "a single message"}) == ["a single message"]


def test_mixed_key_types_never_raise() -> None:
    entries = format_violations({"b": {"x": "1", 2: "2", 1: "3"}, 3: "n", "a": "s"})
    assert entries == ["3: n", "a: s", "b.1: 3", "b.2: 2", "b.x: 1"]


def test_cycles_are_reported_not_followed() -> None:
    tree: dict[str, Any] = {"a": "x"}
    tree["self"] = tree
    assert format_violations(tree) == ["a: x", "self: <cycle>"]
    with pytest.raises(ValueError, match="cycles"):
        errors.schema_violation(tree)


@pytest.mark.parametrize(
    ("factory", "one", "many"),
    [
        (errors.schema_violation, "schema violation ({})", "{} schema violations ({})"),
        (errors.invalid_options, "invalid option ({})", "{} option violations ({})"),
        (
            errors.foreign_keys_unresolved,
            "foreign key unresolved ({})",
            "{} foreign keys unresolved ({})",
        ),
    ],
)
def test_singular_and_plural_assembly(
    factory: Callable[[dict[str, Any]], KongDAOError], one: str, many: str
) -> None:
    assert factory({"a": "x"}).message == one.format("a: x")
    assert factory({"a": {"b": "x"}}).message == one.format("a.b: x")
    assert factory({"b": "y", "a": {"c": "x"}}).message == many.format(2, "a.c: x; b: y")
    assert factory({"a": {1: "x", 2: "y"}, "c": "z"}).message == many.format(
        3, "a.1: x; a.2: y; c: z"
    )


def test_kongs_options_example() -> None:
    ttl = "option can only be used with inserts, updates and upserts, not with 'deletes'"
    err = errors.invalid_options({"ttl": ttl, "bar": ["must be a string", "must contain 'foo'"]})
    assert err.message == (
        f"3 option violations (bar.1: must be a string; bar.2: must contain 'foo'; ttl: {ttl})"
    )


def test_foreign_keys_unresolved_several_and_input_untouched() -> None:
    given_errors = {
        "service": {"name": {"name": "name", "value": "svc", "parent": "services"}},
        "consumer": {"username": {"name": "username", "value": "bob", "parent": "consumers"}},
    }
    snapshot = json.loads(json.dumps(given_errors))
    err = errors.foreign_keys_unresolved(given_errors)
    assert err.message == (
        "2 foreign keys unresolved (consumer.username: the foreign key cannot be resolved "
        """with '{username="bob"}' for an existing 'consumers' entity; service.name: the """
        """foreign key cannot be resolved with '{name="svc"}' for an existing 'services' """
        "entity)"
    )
    assert given_errors == snapshot
    assert err.fields is not None
    assert err.fields["service"]["name"].startswith("the foreign key cannot be resolved")


# -- str, err_t, Admin API body, status -------------------------------------------------------


def test_str_with_and_without_strategy() -> None:
    err = SchemaViolation("schema violation (host: required field missing)")
    assert str(err) == "schema violation (host: required field missing)"
    tagged = SchemaViolation("schema violation (host: required field missing)", strategy="postgres")
    assert str(tagged) == "[postgres] schema violation (host: required field missing)"


def test_str_falls_back_to_the_name() -> None:
    assert str(NotFound()) == "not found"
    assert str(NotFound(strategy="cassandra")) == "[cassandra] not found"
    assert str(DatabaseError("")) == ""
    assert str(KongDAOError()) == "kongdao error"


def test_err_t_shape() -> None:
    err = errors.not_found({"id": UUID}, strategy="postgres")
    assert err.err_t == {
        "code": 6,
        "name": "not found",
        "message": f"""could not find the entity with primary key '{{id="{UUID}"}}'""",
        "strategy": "postgres",
        "fields": {"id": UUID},
    }
    bare = errors.invalid_size("size must be an integer between 1 and 50000")
    assert bare.err_t == {
        "code": 9,
        "name": "invalid size",
        "message": "size must be an integer between 1 and 50000",
    }
    assert NotFound().err_t == {"code": 6, "name": "not found", "message": None}


def test_err_t_and_body_are_copies() -> None:
    err = errors.schema_violation({"config": {"a": "x"}})
    err.err_t["fields"]["config"]["a"] = "changed"
    err.to_kong_body()["fields"]["config"]["a"] = "changed"
    assert err.fields == {"config": {"a": "x"}}


def test_given_field_errors_are_copied_not_aliased() -> None:
    tree: dict[str, Any] = {"config": {"a": "x"}, "@entity": ["e"]}
    err = errors.schema_violation(tree)
    tree["config"]["a"] = "changed"
    tree["@entity"].append("more")
    assert err.fields == {"config": {"a": "x"}, "@entity": ["e"]}
    options: dict[str, Any] = {"ttl": {"a": "x"}}
    opt_err = errors.invalid_options(options)
    options["ttl"]["a"] = "changed"
    assert opt_err.options == {"ttl": {"a": "x"}}
    ordered = OrderedDict(id="x")
    assert type(errors.not_found(ordered).fields) is dict


def test_to_kong_body_shape() -> None:
    err = errors.schema_violation(
        {
            "protocols": {2: "expected a string", 4: "expected a string"},
            "config": {"headers": {1: "bad"}, "mixed": {1: "a", "b": "c"}},
            "empty": {},
            "id": uuid.UUID(UUID),
        },
        strategy="postgres",
    )
    body = err.to_kong_body()
    assert body == {
        "code": 2,
        "name": "schema violation",
        "message": err.message,
        "fields": {
            "protocols": [None, "expected a string", None, "expected a string"],
            "config": {"headers": ["bad"], "mixed": {"1": "a", "b": "c"}},
            "empty": {},
            "id": UUID,
        },
    }
    assert "strategy" not in body
    assert json.loads(json.dumps(body)) == body


def test_to_kong_body_keeps_excessively_sparse_arrays_as_objects() -> None:
    err = errors.schema_violation({"a": {40000: "x"}})
    assert err.to_kong_body()["fields"] == {"a": {"40000": "x"}}


def test_to_kong_body_foreign_key_shapes() -> None:
    body = errors.foreign_key_violation_restricted("services", "routes").to_kong_body()
    assert body == {
        "code": 4,
        "name": "foreign key violation",
        "message": "an existing 'routes' entity references this 'services' entity",
        "fields": {"@referenced_by": "routes"},
    }
    body = errors.unique_violation(
        {"name": "key-auth", "route": {"id": UUID}, "service": None, "consumer": None}
    ).to_kong_body()
    assert body["fields"] == {
        "name": "key-auth",
        "route": {"id": UUID},
        "service": None,
        "consumer": None,
    }


@pytest.mark.parametrize(
    ("code", "status"),
    [(code, status) for _, code, _, status in KONG_CODES],
)
def test_http_status(code: int, status: int) -> None:
    assert CODES[code]().http_status == status


# -- copies, pickling, repr -------------------------------------------------------------------


def test_with_strategy_returns_a_tagged_copy() -> None:
    original = errors.schema_violation({"config": {"a": "x"}})
    cause = OSError("connection reset")
    original.__cause__ = cause
    original.add_note("while inserting a service")
    tagged = original.with_strategy("postgres")
    assert type(tagged) is SchemaViolation
    assert tagged is not original
    assert tagged.strategy == "postgres"
    assert original.strategy is None
    assert str(tagged) == f"[postgres] {original.message}"
    assert tagged.fields == original.fields
    assert tagged.fields is not original.fields
    assert tagged.__cause__ is cause
    assert tagged.__notes__ == ["while inserting a service"]
    assert tagged.__notes__ is not original.__notes__
    assert tagged.with_strategy(None).strategy is None


def test_with_strategy_keeps_subclass_state() -> None:
    tagged = errors.invalid_unique("name", "expected a string").with_strategy("cassandra")
    assert tagged.name == "invalid unique name"
    assert tagged.field == "name"
    assert str(tagged) == "[cassandra] expected a string"


def _sample_errors() -> list[KongDAOError]:
    samples = [make() for _, make, *_ in CASES]
    samples.append(errors.invalid_options({"ttl": "x", "a": {"b": "c"}}, strategy="off"))
    samples.append(InterfaceError("closed", strategy="postgres"))
    samples.append(KongDAOError())
    samples.append(NotFound(strategy="cassandra"))
    return samples


@pytest.mark.parametrize("err", _sample_errors(), ids=repr)
def test_pickle_round_trip(err: KongDAOError) -> None:
    tagged = err.with_strategy("postgres")
    for original in (err, tagged):
        restored = pickle.loads(pickle.dumps(original))
        assert type(restored) is type(original)
        assert restored.err_t == original.err_t
        assert str(restored) == str(original)
        assert repr(restored) == repr(original)
        assert restored.args == original.args


def test_repr_is_useful() -> None:
    err = errors.not_found({"id": "x"}, strategy="postgres")
    assert repr(err) == (
        """NotFound('could not find the entity with primary key \\'{id="x"}\\'', """
        "strategy='postgres', fields={'id': 'x'})"
    )
    assert repr(NotFound()) == "NotFound()"
    assert repr(errors.invalid_unique("name", "bad")) == "InvalidUnique('bad', field='name')"
    assert repr(DatabaseError("x", name="custom")) == "DatabaseError('x', name='custom')"
    assert "options={'ttl': 'x'}" in repr(errors.invalid_options({"ttl": "x"}))


def test_raise_and_catch_by_root() -> None:
    with pytest.raises(KongDAOError) as caught:
        raise errors.unique_violation({"name": "x"}, strategy="postgres")
    assert caught.value.code == 5
    assert caught.value.http_status == 409


# -- Penlight's pretty.write ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"id": "x"}, '{id="x"}'),
        ({"b": 1, "a": True, "c": None}, "{a=true,b=1,c=null}"),
        ({"a": ["x", "y"]}, '{a={"x","y"}}'),
        (["x", 2, 2.5, 3.0, False], '{"x",2,2.5,3,false}'),
        ({1: "a", 2: "b"}, '{"a","b"}'),
        ({2: "b", 10: "c", 1: "a", "x": "y"}, '{"a","b",x="y",[10]="c"}'),
        ({3: "c"}, '{[3]="c"}'),
        (
            {"not an id": 1, "end": 2, "_ok1": 3, "1st": 4},
            '{["1st"]=4,_ok1=3,["end"]=2,["not an id"]=1}',
        ),
        ({"k": {}}, "{k={}}"),
        ({}, "{}"),
        ({"q": 'say "hi"\\'}, r'{q="say \"hi\"\\"}'),
        ({"t": "tab\there"}, r'{t="tab\9here"}'),
        ({"t": "a\x01" + "9"}, r'{t="a\0019"}'),
        ({"n": "line\nbreak"}, "{n=[[line\nbreak]]}"),
        ({"n": "\nleading"}, "{n=[[\n\nleading]]}"),
        ({"b": "x]]y"}, "{b=[=[x]]y]=]}"),
        ({"b": "ends]"}, "{b=[=[ends]]=]}"),
        ({"b": "a]=]b"}, "{b=[==[a]=]b]==]}"),
        ({"r": "cr\r\nlf"}, '{r="cr\\13\\\nlf"}'),
        ({"]]": 1}, "{[ [=[]]]=] ]=1}"),
        ({"f": float("inf"), "g": float("-inf")}, "{f=Inf,g=-Inf}"),
        ({"u": uuid.UUID(UUID)}, f'{{u="{UUID}"}}'),
        ({"é": "ü"}, '{["é"]="ü"}'),
        ("plain", '"plain"'),
        (5, "5"),
        (None, "null"),
    ],
)
def test_lua_pretty_one_line(value: object, expected: str) -> None:
    assert lua_pretty(value) == expected


def test_lua_pretty_indented() -> None:
    assert lua_pretty({"a": {"b": [1, {}]}, "c": "x"}, indent="  ") == (
        '{\n  a = {\n    b = {\n      1,\n      {\n      }\n    }\n  },\n  c = "x"\n}'
    )
    assert lua_pretty(["m1", "m2"], indent="  ") == '{\n  "m1",\n  "m2"\n}'


def test_lua_pretty_marks_cycles() -> None:
    loop: dict[str, Any] = {}
    loop["me"] = loop
    assert lua_pretty(loop) == "{me=<cycle>}"


# -- property: format_violations on arbitrary trees -------------------------------------------

_keys = st.one_of(
    st.text(max_size=6),
    st.integers(min_value=1, max_value=12),
    st.just("@entity"),
)
_trees = st.recursive(
    st.text(max_size=8),
    lambda children: st.dictionaries(_keys, children, max_size=4),
    max_leaves=25,
)


def _count_leaves(tree: Any) -> int:
    if isinstance(tree, dict):
        return sum(_count_leaves(value) for value in tree.values())
    return 1


@settings(database=None, max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _trees, max_size=6))
def test_format_violations_gives_one_entry_per_leaf(tree: dict[Any, Any]) -> None:
    entries = format_violations(tree)
    assert len(entries) == _count_leaves(tree)
    assert all(isinstance(entry, str) for entry in entries)
    err = errors.schema_violation(tree, strategy="postgres")
    if len(entries) == 1:
        assert err.message == f"schema violation ({entries[0]})"
    else:
        assert err.message == f"{len(entries)} schema violations ({'; '.join(entries)})"
    assert err.fields == tree
    json.dumps(err.to_kong_body())
