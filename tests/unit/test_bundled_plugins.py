"""The configuration schemas of the bundled plugins, validated through ``plugins``.

key-auth, basic-auth, acl and rate-limiting, as Kong 2.8.5 validates them. Ported from
spec/03-plugins/23-rate-limiting/01-schema_spec.lua and 03-api_spec.lua, the plugin cases of
spec/01-unit/01-db/01-schema/07-plugins_spec.lua and spec/03-plugins/09-key-auth/01-api_spec.lua;
the other cases follow each plugin's schema.lua (Kong has no schema spec for acl and
basic-auth), with Kong's messages. The last section covers the engine feature acl needs:
``shorthand_fields`` on a record field.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kongdao import plugins
from kongdao.entities import Plugin
from kongdao.errors import SchemaViolation
from kongdao.plugins import acl, basic_auth, key_auth, rate_limiting
from kongdao.schema import EntitySchema, Field, Schema, Shorthand, ShorthandError, schema_of
from kongdao.testing.plugin_configs import errors_of, insert

HTTP_PROTOCOLS = ["grpc", "grpcs", "http", "https"]
PROTOCOLS_ERROR = "expected one of: grpc, grpcs, http, https"

KEY_AUTH_DEFAULTS = {
    "key_names": ["apikey"],
    "hide_credentials": False,
    "anonymous": None,
    "key_in_header": True,
    "key_in_query": True,
    "key_in_body": False,
    "run_on_preflight": True,
}
BASIC_AUTH_DEFAULTS = {"anonymous": None, "hide_credentials": False}
ACL_DEFAULTS = {"allow": None, "deny": None, "hide_groups_header": False}
RATE_LIMITING_DEFAULTS = {
    "second": None,
    "minute": None,
    "hour": None,
    "day": None,
    "month": None,
    "year": None,
    "limit_by": "consumer",
    "header_name": None,
    "path": None,
    "policy": "cluster",
    "fault_tolerant": True,
    "redis_host": None,
    "redis_port": 6379,
    "redis_password": None,
    "redis_username": None,
    "redis_ssl": False,
    "redis_ssl_verify": False,
    "redis_server_name": None,
    "redis_timeout": 2000,
    "redis_database": 0,
    "hide_client_headers": False,
}
AT_LEAST_ONE_LIMIT = (
    "at least one of these fields must be non-empty: 'config.second', 'config.minute', "
    "'config.hour', 'config.day', 'config.month', 'config.year'"
)
ACL_ONLY_ONE = "exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"
ACL_AT_LEAST_ONE = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def schema() -> EntitySchema:
    """``plugins`` with the four bundled plugins enabled (a copy: the global is untouched)."""
    return schema_of(Plugin).with_subschemas(plugins.plugin_subschemas())


def config_field_names(s: Schema) -> list[str]:
    fields = s.field_map["config"].fields
    assert fields is not None
    return [name for name, _ in fields]


# --------------------------------------------------------------------------------------------
# what every plugin shares: subschema fields, consumer and protocol restrictions


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        (key_auth.PLUGIN, ["consumer", "protocols", "config"]),
        (basic_auth.PLUGIN, ["consumer", "protocols", "config"]),
        (acl.PLUGIN, ["consumer", "protocols", "config"]),
        (rate_limiting.PLUGIN, ["protocols", "config"]),
    ],
)
def test_subschema_fields_are_kongs(spec: plugins.PluginSpec, fields: list[str]) -> None:
    assert spec.schema.name == spec.name
    assert [name for name, _ in spec.schema.fields] == fields


@pytest.mark.parametrize(
    ("name", "config", "defaults"),
    [
        ("key-auth", key_auth.SCHEMA, KEY_AUTH_DEFAULTS),
        ("basic-auth", basic_auth.SCHEMA, BASIC_AUTH_DEFAULTS),
        ("acl", acl.SCHEMA, ACL_DEFAULTS),
        ("rate-limiting", rate_limiting.SCHEMA, RATE_LIMITING_DEFAULTS),
    ],
)
def test_config_fields_are_kongs_in_order(name: str, config: Schema, defaults: Any) -> None:
    assert config_field_names(config) == list(defaults), name


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("key-auth", {}),
        ("basic-auth", {}),
        ("acl", {"allow": ["admins"]}),
    ],
)
def test_authentication_plugins_cannot_be_applied_to_a_consumer(
    schema: EntitySchema, name: str, config: dict[str, Any]
) -> None:
    assert errors_of(schema, name, config, consumer={"id": new_id()}) == {
        "consumer": "value must be null"
    }
    assert errors_of(schema, name, config, consumer=None) is None


def test_rate_limiting_can_be_applied_to_a_consumer(schema: EntitySchema) -> None:
    # 07-plugins_spec: "accepts a plugin if configured for consumer"
    plugin, errors = insert(schema, "rate-limiting", {"second": 1}, consumer={"id": new_id()})
    assert errors is None
    assert plugin["consumer"] is not None


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("key-auth", {}),
        ("basic-auth", {}),
        ("acl", {"allow": ["admins"]}),
        ("rate-limiting", {"second": 1}),
    ],
)
def test_every_bundled_plugin_runs_on_http_protocols_only(
    schema: EntitySchema, name: str, config: dict[str, Any]
) -> None:
    plugin, errors = insert(schema, name, config)
    assert errors is None
    assert plugin["protocols"] == HTTP_PROTOCOLS

    assert errors_of(schema, name, config, protocols=["http", "tcp"]) == {
        "protocols": {2: PROTOCOLS_ERROR}
    }
    assert errors_of(schema, name, config, protocols=["grpcs"]) is None


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("key-auth", {}),
        ("basic-auth", {}),
        ("acl", {"allow": ["admins"]}),
        ("rate-limiting", {"second": 1}),
    ],
)
def test_unknown_config_fields_are_refused(
    schema: EntitySchema, name: str, config: dict[str, Any]
) -> None:
    assert errors_of(schema, name, {**config, "nope": 1}) == {"config": {"nope": "unknown field"}}


@pytest.mark.parametrize(
    ("name", "entity_errors"),
    [
        ("key-auth", []),
        ("basic-auth", []),
        # config.allow and config.deny read as absent: only at_least_one_of runs (full check)
        ("acl", [ACL_AT_LEAST_ONE]),
        ("rate-limiting", [AT_LEAST_ONE_LIMIT]),
    ],
)
def test_config_must_be_a_record(schema: EntitySchema, name: str, entity_errors: list[str]) -> None:
    processed = schema.process_auto_fields({"name": name, "config": "yes"}, "insert")
    expected: dict[str, Any] = {"config": "expected a record"}
    if entity_errors:
        expected["@entity"] = entity_errors
    assert schema.validate_insert(processed) == expected


# --------------------------------------------------------------------------------------------
# key-auth


def test_key_auth_fills_its_defaults(schema: EntitySchema) -> None:
    # 07-plugins_spec: "should produce a base config if none is specified"
    plugin, errors = insert(schema, "key-auth", service={"id": new_id()})
    assert errors is None
    assert plugin["config"] == KEY_AUTH_DEFAULTS


def test_key_auth_keeps_given_values(schema: EntitySchema) -> None:
    plugin, errors = insert(
        schema, "key-auth", {"key_names": ["x-kong-key"], "key_in_body": True, "anonymous": "a"}
    )
    assert errors is None
    assert plugin["config"] == {
        **KEY_AUTH_DEFAULTS,
        "key_names": ["x-kong-key"],
        "key_in_body": True,
        "anonymous": "a",
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 09-key-auth/01-api_spec: "fails with invalid key_names"
        (
            {"key_names": ["hello\\world"]},
            {
                "key_names": {
                    1: "bad header name 'hello\\world', allowed characters are A-Z, a-z, 0-9, "
                    "'_', and '-'"
                }
            },
        ),
        ({"key_names": "apikey"}, {"key_names": "expected an array"}),
        ({"key_names": None}, {"key_names": "required field missing"}),
        ({"hide_credentials": None}, {"hide_credentials": "required field missing"}),
        ({"key_in_header": "yes"}, {"key_in_header": "expected a boolean"}),
        ({"key_in_query": 1}, {"key_in_query": "expected a boolean"}),
        ({"run_on_preflight": None}, {"run_on_preflight": "required field missing"}),
        ({"anonymous": ""}, {"anonymous": "length must be at least 1"}),
        ({"anonymous": 1}, {"anonymous": "expected a string"}),
    ],
)
def test_key_auth_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert errors_of(schema, "key-auth", config) == {"config": expected}


def test_key_auth_accepts_a_valid_header_name(schema: EntitySchema) -> None:
    # 09-key-auth/01-api_spec: "succeeds with valid key_names"
    plugin, errors = insert(schema, "key-auth", {"key_names": ["hello-world"]})
    assert errors is None
    assert plugin["config"]["key_names"] == ["hello-world"]


# --------------------------------------------------------------------------------------------
# basic-auth


def test_basic_auth_fills_its_defaults(schema: EntitySchema) -> None:
    plugin, errors = insert(schema, "basic-auth", route={"id": new_id()})
    assert errors is None
    assert plugin["config"] == BASIC_AUTH_DEFAULTS


def test_basic_auth_keeps_given_values(schema: EntitySchema) -> None:
    anonymous = new_id()
    plugin, errors = insert(
        schema, "basic-auth", {"anonymous": anonymous, "hide_credentials": True}
    )
    assert errors is None
    assert plugin["config"] == {"anonymous": anonymous, "hide_credentials": True}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"hide_credentials": "true"}, {"hide_credentials": "expected a boolean"}),
        ({"hide_credentials": None}, {"hide_credentials": "required field missing"}),
        ({"anonymous": ""}, {"anonymous": "length must be at least 1"}),
        ({"anonymous": ["a"]}, {"anonymous": "expected a string"}),
    ],
)
def test_basic_auth_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert errors_of(schema, "basic-auth", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# acl


@pytest.mark.parametrize("key", ["allow", "deny"])
def test_acl_accepts_allow_or_deny(schema: EntitySchema, key: str) -> None:
    plugin, errors = insert(schema, "acl", {key: ["admins", "ops"]})
    assert errors is None
    assert plugin["config"] == {**ACL_DEFAULTS, key: ["admins", "ops"]}


def test_acl_needs_exactly_one_of_allow_and_deny(schema: EntitySchema) -> None:
    assert errors_of(schema, "acl", {"allow": ["a"], "deny": ["b"]}) == {"@entity": [ACL_ONLY_ONE]}
    # only_one_of runs first, then at_least_one_of, as listed in Kong's schema
    assert errors_of(schema, "acl", {}) == {"@entity": [ACL_ONLY_ONE, ACL_AT_LEAST_ONE]}
    assert errors_of(schema, "acl", {"allow": [], "deny": None}) == {
        "@entity": [ACL_ONLY_ONE, ACL_AT_LEAST_ONE]
    }


def test_acl_without_config_fails_the_entity_checks(schema: EntitySchema) -> None:
    _, errors = insert(schema, "acl")
    assert errors == {"@entity": [ACL_ONLY_ONE, ACL_AT_LEAST_ONE]}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"allow": "admins"}, {"allow": "expected an array"}),
        ({"deny": [1]}, {"deny": {1: "expected a string"}}),
        (
            {"allow": ["a"], "hide_groups_header": "no"},
            {"hide_groups_header": "expected a boolean"},
        ),
        (
            {"allow": ["a"], "hide_groups_header": None},
            {"hide_groups_header": "required field missing"},
        ),
    ],
)
def test_acl_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert errors_of(schema, "acl", config)["config"] == expected


def test_acl_allow_and_deny_are_not_regexes(schema: EntitySchema) -> None:
    # only the deprecated shorthands' elements must compile
    assert errors_of(schema, "acl", {"allow": ["(admins"]}) is None


@pytest.mark.parametrize(("shorthand", "key"), [("whitelist", "allow"), ("blacklist", "deny")])
def test_acl_deprecated_shorthands(schema: EntitySchema, shorthand: str, key: str) -> None:
    plugin, errors = insert(schema, "acl", {shorthand: ["admins", "^ops-.*$"]})
    assert errors is None
    assert plugin["config"] == {**ACL_DEFAULTS, key: ["admins", "^ops-.*$"]}
    assert shorthand not in plugin["config"]


def test_acl_shorthand_replaces_the_real_field(schema: EntitySchema) -> None:
    plugin, errors = insert(schema, "acl", {"allow": ["old"], "whitelist": ["new"]})
    assert errors is None
    assert plugin["config"]["allow"] == ["new"]


def test_acl_shorthand_counts_for_only_one_of(schema: EntitySchema) -> None:
    assert errors_of(schema, "acl", {"whitelist": ["a"], "deny": ["b"]}) == {
        "@entity": [ACL_ONLY_ONE]
    }
    assert errors_of(schema, "acl", {"whitelist": ["a"], "blacklist": ["b"]}) == {
        "@entity": [ACL_ONLY_ONE]
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"whitelist": "admins"}, {"whitelist": "expected an array"}),
        ({"blacklist": ["ok", "(bad"]}, {"blacklist": {2: "not a valid regex: (bad"}}),
        ({"whitelist": [1]}, {"whitelist": {1: "expected a string"}}),
    ],
)
def test_acl_invalid_shorthand(
    schema: EntitySchema, config: dict[str, Any], expected: dict[str, Any]
) -> None:
    with pytest.raises(ShorthandError) as caught:
        schema.process_auto_fields({"name": "acl", "config": config}, "insert")
    assert caught.value.errors == {"config": expected}

    # as the DAO reports it
    with pytest.raises(SchemaViolation) as violation:
        schema.validate_input({"name": "acl", "config": config})
    assert violation.value.fields == {"config": expected}


def test_acl_shorthand_on_update(schema: EntitySchema) -> None:
    # Kong's plugins DAO merges the stored row (hence ``name``) before processing an update
    stored, errors = insert(schema, "acl", {"allow": ["admins"]})
    assert errors is None
    update: dict[str, Any] = {"config": {"blacklist": ["x"]}}
    merged = schema.merge_values(update, stored)
    processed = schema.process_auto_fields(merged, "update")
    assert processed["config"] == {**ACL_DEFAULTS, "allow": ["admins"], "deny": ["x"]}
    assert schema.validate_update(processed, update) == {"@entity": [ACL_ONLY_ONE]}

    update = {"config": {"allow": None, "blacklist": ["x"]}}
    processed = schema.process_auto_fields(schema.merge_values(update, stored), "update")
    assert processed["config"] == {**ACL_DEFAULTS, "deny": ["x"]}
    assert schema.validate_update(processed, update) is None


def test_acl_shorthand_through_validate_input(schema: EntitySchema) -> None:
    plugin = schema.validate_input({"name": "acl", "config": {"whitelist": ["admins"]}})
    assert plugin["config"] == {**ACL_DEFAULTS, "allow": ["admins"]}
    typed = schema.to_entity(plugin)
    assert isinstance(typed, Plugin)
    assert typed.config["allow"] == ["admins"]


# --------------------------------------------------------------------------------------------
# rate-limiting


@pytest.mark.parametrize(
    "config",
    [
        # 23-rate-limiting/01-schema_spec: "proper config validates" and its variants
        {"second": 10},
        {"second": 10, "minute": 20, "hour": 30, "day": 40, "month": 50, "year": 60},
        {"second": 10, "limit_by": "header", "header_name": "X-App-Version"},
        {"second": 10, "limit_by": "path", "path": "/request"},
        # equal limits are not "lower"
        {"second": 10, "minute": 10, "year": 10},
        {"year": 0.5},
        {"minute": 5, "policy": "redis", "redis_host": "redis.example.com"},
        {"minute": 5, "policy": "local", "limit_by": "ip"},
    ],
)
def test_rate_limiting_accepts(schema: EntitySchema, config: dict[str, Any]) -> None:
    plugin, errors = insert(schema, "rate-limiting", config)
    assert errors is None
    assert plugin["config"] == {**RATE_LIMITING_DEFAULTS, **config}


def test_rate_limiting_fills_its_defaults(schema: EntitySchema) -> None:
    # 03-api_spec: "sets policy to cluster by default" (the database-backed variant)
    plugin, errors = insert(schema, "rate-limiting", {"second": 10})
    assert errors is None
    assert plugin["config"] == {**RATE_LIMITING_DEFAULTS, "second": 10}
    assert plugin["config"]["policy"] == "cluster"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        # 23-rate-limiting/01-schema_spec: "smaller unit is less than bigger unit" (and bis)
        (
            {"second": 20, "hour": 10},
            "The limit for hour(10.0) cannot be lower than the limit for second(20.0)",
        ),
        (
            {"second": 10, "minute": 20, "hour": 30, "day": 40, "month": 60, "year": 50},
            "The limit for year(50.0) cannot be lower than the limit for month(60.0)",
        ),
        (
            {"second": 10, "minute": 5},
            "The limit for minute(5.0) cannot be lower than the limit for second(10.0)",
        ),
        # the first shorter period wins, then the first longer period that is lower
        (
            {"second": 100, "minute": 200, "hour": 50, "day": 10},
            "The limit for hour(50.0) cannot be lower than the limit for second(100.0)",
        ),
        # printed as Lua's %.1f: one decimal, rounded half to even on the double
        (
            {"second": 1.25, "minute": 1.2},
            "The limit for minute(1.2) cannot be lower than the limit for second(1.2)",
        ),
        (
            {"day": 1e20, "month": 12345.67},
            "The limit for month(12345.7) cannot be lower than the limit for "
            "day(100000000000000000000.0)",
        ),
        # an integer beyond a double is infinity for Lua
        (
            {"second": 10**400, "minute": 5},
            "The limit for minute(5.0) cannot be lower than the limit for second(inf)",
        ),
    ],
)
def test_rate_limiting_limits_must_grow_with_the_period(
    schema: EntitySchema, config: dict[str, Any], message: str
) -> None:
    assert errors_of(schema, "rate-limiting", config) == {"config": message}


def test_rate_limiting_needs_a_limit(schema: EntitySchema) -> None:
    # 01-schema_spec: "invalid limit"; 03-api_spec: "should not save with empty config"
    assert errors_of(schema, "rate-limiting", {}) == {"@entity": [AT_LEAST_ONE_LIMIT]}
    _, errors = insert(schema, "rate-limiting", route={"id": new_id()})
    assert errors == {"@entity": [AT_LEAST_ONE_LIMIT]}
    assert errors_of(schema, "rate-limiting", {"second": None, "year": None}) == {
        "@entity": [AT_LEAST_ONE_LIMIT]
    }


@pytest.mark.parametrize(
    ("config", "field", "if_field"),
    [
        # 01-schema_spec: "is limited by header but the header_name field is missing"
        ({"second": 10, "limit_by": "header"}, "header_name", "config.limit_by"),
        # 01-schema_spec: "is limited by path but the path field is missing"
        ({"second": 10, "limit_by": "path"}, "path", "config.limit_by"),
        ({"second": 10, "policy": "redis"}, "redis_host", "config.policy"),
        (
            {"second": 10, "policy": "redis", "redis_host": "h", "redis_port": None},
            "redis_port",
            "config.policy",
        ),
        (
            {"second": 10, "policy": "redis", "redis_host": "h", "redis_timeout": None},
            "redis_timeout",
            "config.policy",
        ),
    ],
)
def test_rate_limiting_conditional_requirements(
    schema: EntitySchema, config: dict[str, Any], field: str, if_field: str
) -> None:
    assert errors_of(schema, "rate-limiting", config) == {
        "config": {field: "required field missing"},
        "@entity": [f"failed conditional validation given value of field '{if_field}'"],
    }


def test_rate_limiting_redis_fields_are_optional_without_redis(schema: EntitySchema) -> None:
    config = {"second": 10, "policy": "cluster", "redis_port": None, "redis_timeout": None}
    assert errors_of(schema, "rate-limiting", config) is None


def test_rate_limiting_redis_policy_reports_each_missing_field(schema: EntitySchema) -> None:
    config = {"second": 10, "policy": "redis", "redis_port": None, "redis_timeout": None}
    conditional = "failed conditional validation given value of field 'config.policy'"
    assert errors_of(schema, "rate-limiting", config) == {
        "config": {
            "redis_host": "required field missing",
            "redis_port": "required field missing",
            "redis_timeout": "required field missing",
        },
        "@entity": [conditional, conditional, conditional],
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 07-plugins_spec: "should validate a plugin configuration's `config` field"
        ({"second": "hello"}, {"second": "expected a number"}),
        ({"second": 0}, {"second": "value must be greater than 0"}),
        ({"minute": -1}, {"minute": "value must be greater than 0"}),
        ({"year": True}, {"year": "expected a number"}),
        (
            {"second": 1, "limit_by": "cookie"},
            {"limit_by": "expected one of: consumer, credential, ip, service, header, path"},
        ),
        ({"second": 1, "policy": "memory"}, {"policy": "expected one of: local, cluster, redis"}),
        # len_min = 0 lets "" reach one_of
        ({"second": 1, "policy": ""}, {"policy": "expected one of: local, cluster, redis"}),
        (
            {"second": 1, "header_name": "X App"},
            {
                "header_name": "bad header name 'X App', allowed characters are A-Z, a-z, 0-9, "
                "'_', and '-'"
            },
        ),
        ({"second": 1, "path": "request"}, {"path": "should start with: /"}),
        ({"second": 1, "path": "/a//b"}, {"path": "must not have empty segments"}),
        ({"second": 1, "fault_tolerant": None}, {"fault_tolerant": "required field missing"}),
        ({"second": 1, "redis_host": "bad host!"}, {"redis_host": "invalid value: bad host!"}),
        ({"second": 1, "redis_port": 65536}, {"redis_port": "value should be between 0 and 65535"}),
        ({"second": 1, "redis_username": ""}, {"redis_username": "length must be at least 1"}),
        ({"second": 1, "redis_ssl": "yes"}, {"redis_ssl": "expected a boolean"}),
        ({"second": 1, "redis_ssl_verify": None}, {"redis_ssl_verify": "required field missing"}),
        (
            {"second": 1, "redis_server_name": "10.0.0.1"},
            {"redis_server_name": "must not be an IP"},
        ),
        ({"second": 1, "redis_timeout": "2s"}, {"redis_timeout": "expected a number"}),
        ({"second": 1, "redis_database": 1.5}, {"redis_database": "expected an integer"}),
        ({"second": 1, "hide_client_headers": 0}, {"hide_client_headers": "expected a boolean"}),
    ],
)
def test_rate_limiting_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert errors_of(schema, "rate-limiting", config) == {"config": expected}


def test_rate_limiting_field_errors_hide_the_order_check(schema: EntitySchema) -> None:
    # the record's custom validator only runs once its fields are valid
    config = {"second": 10, "minute": 5, "redis_database": "zero"}
    assert errors_of(schema, "rate-limiting", config) == {
        "config": {"redis_database": "expected an integer"}
    }


def test_rate_limiting_redis_credentials(schema: EntitySchema) -> None:
    config = {
        "second": 1,
        "policy": "redis",
        "redis_host": "127.0.0.1",
        "redis_password": "",  # len_min = 0: an empty password is allowed
        "redis_username": "{vault://env/redis-user}",  # referenceable
        "redis_ssl": True,
        "redis_ssl_verify": True,
        "redis_server_name": "redis.example.com",
        "redis_database": 3,
    }
    plugin, errors = insert(schema, "rate-limiting", config)
    assert errors is None
    assert plugin["config"] == {**RATE_LIMITING_DEFAULTS, **config}


def test_rate_limiting_empty_strings_read_back(schema: EntitySchema) -> None:
    # policy and redis_password declare len_min = 0: an empty string is a value, not a null
    row = {
        "name": "rate-limiting",
        "config": {"second": 1, "policy": "", "redis_password": "", "redis_username": ""},
    }
    config = schema.process_auto_fields(row, "select")["config"]
    assert config["policy"] == ""
    assert config["redis_password"] == ""
    assert "redis_username" not in config


def test_rate_limiting_field_attributes() -> None:
    config = rate_limiting.SCHEMA.field_map["config"]
    fields = dict(config.fields or ())
    for period in ("second", "minute", "hour", "day", "month", "year"):
        assert fields[period].type == "number"
        assert fields[period].gt == 0
        assert not fields[period].required
    policy, password, username = (
        fields["policy"],
        fields["redis_password"],
        fields["redis_username"],
    )
    assert (policy.one_of, policy.len_min) == (("local", "cluster", "redis"), 0)
    assert (password.referenceable, password.len_min) == (True, 0)
    assert (username.referenceable, username.len_min) == (True, None)
    assert fields["redis_port"].between == (0.0, 65535.0)
    assert config.custom_validator is not None


def test_rate_limiting_partial_update_is_checked(schema: EntitySchema) -> None:
    stored, errors = insert(schema, "rate-limiting", {"second": 10, "minute": 100})
    assert errors is None
    update = schema.process_auto_fields({"config": {"minute": 5}}, "update")
    merged = schema.merge_values(update, stored)
    assert merged["config"]["second"] == 10
    assert schema.validate_update(merged, {"config": {"minute": 5}}) == {
        "config": "The limit for minute(5.0) cannot be lower than the limit for second(10.0)"
    }


# --------------------------------------------------------------------------------------------
# the engine: shorthand_fields on a record field, custom validators on a record


def _name_from_user(value: Any) -> dict[str, Any]:
    return {"name": value[0], "address": value[1] if len(value) > 1 else "world"}


_USER = Shorthand("user", Field(type="array", elements=Field(type="string")), _name_from_user)
_PERSON = Field(
    type="record",
    fields=[("name", Field(type="string")), ("address", Field(type="string"))],
    shorthand_fields=[_USER],
)


def test_record_shorthand_is_expanded_in_every_context() -> None:
    s = Schema(fields=[("person", _PERSON)])
    for context in ("insert", "upsert", "update", "select"):
        out = s.process_auto_fields({"person": {"user": ["luigi", "land"]}}, context)
        assert out == {"person": {"name": "luigi", "address": "land"}}, context
    assert s.validate(s.process_auto_fields({"person": {"user": ["mario"]}}, "insert")) is None


def test_record_shorthand_errors_are_reported_under_the_record() -> None:
    s = Schema(fields=[("person", _PERSON)])
    with pytest.raises(ShorthandError) as caught:
        s.process_auto_fields({"person": {"user": "luigi,land"}}, "insert")
    assert caught.value.errors == {"person": {"user": "expected an array"}}
    # validating unprocessed input reports it the same way
    assert s.validate({"person": {"user": "luigi,land"}}) == {
        "person": {"user": "expected an array"}
    }


def test_record_shorthand_in_nested_records_and_arrays() -> None:
    outer = Field(type="record", fields=[("person", _PERSON)])
    people = Field(type="array", elements=_PERSON)
    s = Schema(fields=[("outer", outer), ("people", people)])
    out = s.process_auto_fields(
        {"outer": {"person": {"user": ["a"]}}, "people": [{"user": ["b", "c"]}]}, "insert"
    )
    assert out == {
        "outer": {"person": {"name": "a", "address": "world"}},
        "people": [{"name": "b", "address": "c"}],
    }
    with pytest.raises(ShorthandError) as caught:
        s.process_auto_fields({"people": [{"user": ["ok"]}, {"user": 2}]}, "insert")
    assert caught.value.errors == {"people": {2: {"user": "expected an array"}}}
    with pytest.raises(ShorthandError) as caught:
        s.process_auto_fields({"outer": {"person": {"user": [3]}}}, "insert")
    assert caught.value.errors == {"outer": {"person": {"user": {1: "expected a string"}}}}


def test_shorthand_fields_are_for_records_only() -> None:
    with pytest.raises(ValueError, match=r"^'shorthand_fields' is only allowed on records$"):
        Field(type="string", shorthand_fields=[_USER])


def test_a_record_custom_validator_runs_after_its_fields() -> None:
    def no_twins(value: Any) -> str | None:
        return "twins" if value.get("a") == value.get("b") else None

    record = Field(
        type="record",
        fields=[("a", Field(type="integer")), ("b", Field(type="integer"))],
        custom_validator=no_twins,
    )
    s = Schema(fields=[("r", record)])
    assert s.validate({"r": {"a": 1, "b": 2}}) is None
    assert s.validate({"r": {"a": 1, "b": 1}}) == {"r": "twins"}
    assert s.validate({"r": {"a": "x", "b": "x"}}) == {
        "r": {"a": "expected an integer", "b": "expected an integer"}
    }
