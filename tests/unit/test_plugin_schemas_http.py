"""The configuration schemas of Kong 2.8.5's bundled HTTP plugins, validated through ``plugins``.

cors, request-transformer, response-transformer, request-termination, request-size-limiting,
correlation-id, ip-restriction, proxy-cache, grpc-gateway, pre-function and post-function, as
Kong validates them (``validate_plugin_config_schema``: process for insert, then
validate_insert). Ported from Kong's spec/03-plugins/13-cors/02-schema_spec.lua,
14-request-termination/01-schema_spec.lua, 17-ip-restriction/01-schema_spec.lua,
31-proxy-cache/01-schema_spec.lua and 03-api_spec.lua, 33-serverless-functions/01-schema_spec.lua,
36-request-transformer/01-schema_spec.lua and 03-api_spec.lua, and
15-response-transformer/03-api_spec.lua; the other cases follow each plugin's schema.lua, with
Kong's messages. The two checks kongdao leaves out (compiling Lua) have tests that pin the
difference.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

import pytest

from kongdao.entities import Plugin
from kongdao.errors import SchemaViolation
from kongdao.plugins import (
    PluginSpec,
    correlation_id,
    cors,
    grpc_gateway,
    ip_restriction,
    post_function,
    pre_function,
    proxy_cache,
    request_size_limiting,
    request_termination,
    request_transformer,
    response_transformer,
)
from kongdao.schema import EntitySchema, Schema, ShorthandError, schema_of
from kongdao.testing.plugin_configs import config_of, errors_of, insert

SPECS: tuple[PluginSpec, ...] = (
    cors.PLUGIN,
    request_transformer.PLUGIN,
    response_transformer.PLUGIN,
    request_termination.PLUGIN,
    request_size_limiting.PLUGIN,
    correlation_id.PLUGIN,
    ip_restriction.PLUGIN,
    proxy_cache.PLUGIN,
    grpc_gateway.PLUGIN,
    pre_function.PLUGIN,
    post_function.PLUGIN,
)
HTTP_PROTOCOLS = ["grpc", "grpcs", "http", "https"]
PROTOCOLS_ERROR = "expected one of: grpc, grpcs, http, https"
CORS_METHODS = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"]
CORS_METHODS_ERROR = "expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT"
IP_AT_LEAST_ONE = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"
FN_AT_LEAST_ONE = (
    "at least one of these fields must be non-empty: 'config.functions', 'config.certificate', "
    "'config.rewrite', 'config.access', 'config.header_filter', 'config.body_filter', "
    "'config.log'"
)
FN_EXCLUSIVE = "these sets are mutually exclusive: ('config.functions'), ('config.access')"

CORS_DEFAULTS: dict[str, Any] = {
    "origins": None,
    "headers": None,
    "exposed_headers": None,
    "methods": CORS_METHODS,
    "max_age": None,
    "credentials": False,
    "preflight_continue": False,
}
_RT_RECORD: dict[str, Any] = {"body": [], "headers": [], "querystring": []}
REQUEST_TRANSFORMER_DEFAULTS: dict[str, Any] = {
    "http_method": None,
    "remove": _RT_RECORD,
    "rename": _RT_RECORD,
    "replace": {**_RT_RECORD, "uri": None},
    "add": _RT_RECORD,
    "append": _RT_RECORD,
}
_RESP_RECORD: dict[str, Any] = {"json": [], "json_types": [], "headers": []}
RESPONSE_TRANSFORMER_DEFAULTS: dict[str, Any] = {
    "remove": {"json": [], "headers": []},
    "rename": {"headers": []},
    "replace": _RESP_RECORD,
    "add": _RESP_RECORD,
    "append": _RESP_RECORD,
}
REQUEST_TERMINATION_DEFAULTS: dict[str, Any] = {
    "status_code": 503,
    "message": None,
    "content_type": None,
    "body": None,
    "echo": False,
    "trigger": None,
}
REQUEST_SIZE_LIMITING_DEFAULTS: dict[str, Any] = {
    "allowed_payload_size": 128,
    "size_unit": "megabytes",
    "require_content_length": False,
}
CORRELATION_ID_DEFAULTS: dict[str, Any] = {
    "header_name": "Kong-Request-ID",
    "generator": "uuid#counter",
    "echo_downstream": False,
}
IP_RESTRICTION_DEFAULTS: dict[str, Any] = {
    "allow": None,
    "deny": None,
    "status": None,
    "message": None,
}
PROXY_CACHE_DEFAULTS: dict[str, Any] = {
    "response_code": [200, 301, 404],
    "request_method": ["GET", "HEAD"],
    "content_type": ["text/plain", "application/json"],
    "cache_ttl": 300,
    "strategy": "memory",  # required, no default: the minimal config gives it
    "cache_control": False,
    "storage_ttl": None,
    "memory": {"dictionary_name": "kong_db_cache"},
    "vary_query_params": None,
    "vary_headers": None,
}
GRPC_GATEWAY_DEFAULTS: dict[str, Any] = {"proto": None}
FUNCTION_DEFAULTS: dict[str, Any] = {
    "functions": [],
    "certificate": [],
    "rewrite": [],
    "access": ["return"],  # at least one phase has code: the minimal config gives it
    "header_filter": [],
    "body_filter": [],
    "log": [],
}

# name -> (smallest valid config, the whole config that insert stores for it)
MINIMAL: dict[str, tuple[dict[str, Any] | None, dict[str, Any]]] = {
    "cors": (None, CORS_DEFAULTS),
    "request-transformer": (None, REQUEST_TRANSFORMER_DEFAULTS),
    "response-transformer": (None, RESPONSE_TRANSFORMER_DEFAULTS),
    "request-termination": (None, REQUEST_TERMINATION_DEFAULTS),
    "request-size-limiting": (None, REQUEST_SIZE_LIMITING_DEFAULTS),
    "correlation-id": (None, CORRELATION_ID_DEFAULTS),
    "ip-restriction": (
        {"allow": ["127.0.0.1"]},
        {**IP_RESTRICTION_DEFAULTS, "allow": ["127.0.0.1"]},
    ),
    "proxy-cache": ({"strategy": "memory"}, PROXY_CACHE_DEFAULTS),
    "grpc-gateway": (None, GRPC_GATEWAY_DEFAULTS),
    "pre-function": ({"access": ["return"]}, FUNCTION_DEFAULTS),
    "post-function": ({"access": ["return"]}, FUNCTION_DEFAULTS),
}
HTTP_ONLY = {
    "cors",
    "response-transformer",
    "request-termination",
    "request-size-limiting",
    "correlation-id",
    "ip-restriction",
}
NO_CONSUMER = {"cors", "pre-function", "post-function"}
FUNCTION_PLUGINS = ("pre-function", "post-function")


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def schema() -> EntitySchema:
    """``plugins`` with these eleven plugins enabled (a copy: the global is untouched)."""
    return schema_of(Plugin).with_subschemas({spec.name: spec.schema for spec in SPECS})


def update(
    schema: EntitySchema, stored: dict[str, Any], change: dict[str, Any]
) -> tuple[dict[str, Any], Any]:
    """Kong's partial update: merge over the stored row, process, validate_update."""
    processed = schema.process_auto_fields(schema.merge_values(change, stored), "update")
    return processed, schema.validate_update(processed, change)


def config_field_names(s: Schema) -> list[str]:
    fields = s.field_map["config"].fields
    assert fields is not None
    return [name for name, _ in fields]


# --------------------------------------------------------------------------------------------
# what every plugin declares


def test_plugins_are_kong_28s() -> None:
    assert {s.name: (s.version, s.priority) for s in SPECS} == {
        "cors": ("2.1.1", 2000),
        "request-transformer": ("1.3.3", 801),
        "response-transformer": ("2.0.2", 800),
        "request-termination": ("2.1.0", 2),
        "request-size-limiting": ("2.0.0", 951),
        "correlation-id": ("2.0.2", 1),
        "ip-restriction": ("2.0.0", 990),
        "proxy-cache": ("1.3.2", 100),
        "grpc-gateway": ("0.2.0", 998),
        # Kong's math.huge, as the largest 64-bit integer
        "pre-function": ("2.1.0", math.inf),
        "post-function": ("2.1.0", -1000),
    }
    assert all(s.entities == () and s.subsystem is None for s in SPECS)
    assert all(s.schema.name == s.name for s in SPECS)


def test_pre_function_runs_before_every_plugin() -> None:
    assert max(s.priority for s in SPECS) == pre_function.PRIORITY
    assert pre_function.PRIORITY > 1_000_000  # zipkin, Kong's next highest, has 100000


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_subschema_fields_are_kongs(spec: PluginSpec) -> None:
    expected = {
        "cors": ["consumer", "protocols", "config"],
        "request-transformer": ["config"],
        "response-transformer": ["protocols", "config"],
        "request-termination": ["protocols", "config"],
        "request-size-limiting": ["protocols", "config"],
        "correlation-id": ["protocols", "config"],
        "ip-restriction": ["protocols", "config"],
        "proxy-cache": ["config"],
        "grpc-gateway": ["config"],
        "pre-function": ["consumer", "config"],
        "post-function": ["consumer", "config"],
    }[spec.name]
    assert [name for name, _ in spec.schema.fields] == expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_config_fields_are_kongs_in_order(spec: PluginSpec) -> None:
    assert config_field_names(spec.schema) == list(MINIMAL[spec.name][1])


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_insert_fills_the_defaults(schema: EntitySchema, spec: PluginSpec) -> None:
    config, stored = MINIMAL[spec.name]
    plugin, errors = insert(schema, spec.name, config, service={"id": new_id()})
    assert errors is None
    assert plugin["config"] == stored
    assert plugin["protocols"] == HTTP_PROTOCOLS
    assert plugin["enabled"] is True


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_defaults_are_copies(schema: EntitySchema, spec: PluginSpec) -> None:
    config, stored = MINIMAL[spec.name]
    first = insert(schema, spec.name, config)[0]["config"]
    for value in first.values():
        if isinstance(value, list):
            value.append("changed")
        elif isinstance(value, dict):
            value["changed"] = True
    assert insert(schema, spec.name, config)[0]["config"] == stored


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_unknown_config_fields_are_refused(schema: EntitySchema, spec: PluginSpec) -> None:
    config = MINIMAL[spec.name][0] or {}
    assert errors_of(schema, spec.name, {**config, "nope": 1}) == {
        "config": {"nope": "unknown field"}
    }


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_config_must_be_a_record(schema: EntitySchema, spec: PluginSpec) -> None:
    processed = schema.process_auto_fields({"name": spec.name, "config": "yes"}, "insert")
    expected: dict[str, Any] = {"config": "expected a record"}
    # at_least_one_of runs with missing fields on a full check; proxy-cache's custom check
    # needs a valid config and is skipped
    if spec.name == "ip-restriction":
        expected["@entity"] = [IP_AT_LEAST_ONE]
    elif spec.name in FUNCTION_PLUGINS:
        expected["@entity"] = [FN_AT_LEAST_ONE]
    assert schema.validate_insert(processed) == expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_consumer_restrictions(schema: EntitySchema, spec: PluginSpec) -> None:
    config = MINIMAL[spec.name][0]
    plugin, errors = insert(schema, spec.name, config, consumer={"id": new_id()})
    if spec.name in NO_CONSUMER:
        assert errors == {"consumer": "value must be null"}
    else:
        assert errors is None
        assert plugin["consumer"] is not None
    assert errors_of(schema, spec.name, config or {}, consumer=None) is None


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_protocol_restrictions(schema: EntitySchema, spec: PluginSpec) -> None:
    config = MINIMAL[spec.name][0] or {}
    errors = errors_of(schema, spec.name, config, protocols=["http", "tcp"])
    if spec.name in HTTP_ONLY:
        assert errors == {"protocols": {2: PROTOCOLS_ERROR}}
    else:
        # plugins' own typedefs.protocols: every protocol
        assert errors is None
    assert errors_of(schema, spec.name, config, protocols=["grpcs"]) is None
    assert errors_of(schema, spec.name, config, protocols=["ftp"]) == {
        "protocols": {
            1: "expected one of: "
            + (
                "grpc, grpcs, http, https"
                if spec.name in HTTP_ONLY
                else "grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"
            )
        }
    }


# --------------------------------------------------------------------------------------------
# cors


@pytest.mark.parametrize(
    "origin",
    [
        # 13-cors/02-schema_spec: "validates '*'", "what looks like a domain", "like a regex"
        "*",
        "example.com",
        r".*\.example(?:-foo)?\.com",
        "(?<name>https?)://example.com",  # PCRE's named group
    ],
)
def test_cors_accepts_origins(schema: EntitySchema, origin: str) -> None:
    assert config_of(schema, "cors", {"origins": [origin]})["origins"] == [origin]


def test_cors_refuses_an_invalid_regex_origin(schema: EntitySchema) -> None:
    # 13-cors/02-schema_spec: "with invalid regex in origins"
    config = {"origins": [r".*.example.com", "invalid_**regex"]}
    assert errors_of(schema, "cors", config) == {
        "config": {"origins": {2: "'invalid_**regex' is not a valid regex"}}
    }
    assert errors_of(schema, "cors", {"origins": ["(", "*", "**"]}) == {
        "config": {"origins": {1: "'(' is not a valid regex", 3: "'**' is not a valid regex"}}
    }


@pytest.mark.parametrize("method", CORS_METHODS)
def test_cors_accepts_each_method(schema: EntitySchema, method: str) -> None:
    # 13-cors/02-schema_spec: "should allow <method>"
    assert config_of(schema, "cors", {"methods": [method]})["methods"] == [method]


def test_cors_refuses_an_unknown_method(schema: EntitySchema) -> None:
    # 13-cors/02-schema_spec: "with invalid method"
    assert errors_of(schema, "cors", {"methods": ["FAKE"]}) == {
        "config": {"methods": {1: CORS_METHODS_ERROR}}
    }
    assert errors_of(schema, "cors", {"methods": ["GET", "get"]}) == {
        "config": {"methods": {2: CORS_METHODS_ERROR}}
    }


def test_cors_keeps_given_values(schema: EntitySchema) -> None:
    config = {
        "origins": ["https://a.example", r"https://.*\.b\.example"],
        "headers": ["Accept", "X-Custom"],
        "exposed_headers": ["X-Total"],
        "methods": ["GET", "POST"],
        "max_age": 3600.5,
        "credentials": True,
        "preflight_continue": True,
    }
    assert config_of(schema, "cors", config) == config


def test_cors_methods_may_be_null(schema: EntitySchema) -> None:
    # not required: an explicit null is kept (the handler then allows Kong's list)
    assert config_of(schema, "cors", {"methods": None})["methods"] is None


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"origins": "*"}, {"origins": "expected an array"}),
        ({"origins": [""]}, {"origins": {1: "length must be at least 1"}}),
        ({"origins": [1]}, {"origins": {1: "expected a string"}}),
        ({"headers": "X-Custom"}, {"headers": "expected an array"}),
        ({"headers": ["ok", 2]}, {"headers": {2: "expected a string"}}),
        ({"exposed_headers": {"a": "b"}}, {"exposed_headers": "expected an array"}),
        ({"exposed_headers": [""]}, {"exposed_headers": {1: "length must be at least 1"}}),
        ({"methods": "GET"}, {"methods": "expected an array"}),
        ({"max_age": "3600"}, {"max_age": "expected a number"}),
        ({"max_age": True}, {"max_age": "expected a number"}),
        ({"credentials": None}, {"credentials": "required field missing"}),
        ({"credentials": "true"}, {"credentials": "expected a boolean"}),
        ({"preflight_continue": None}, {"preflight_continue": "required field missing"}),
        ({"preflight_continue": 0}, {"preflight_continue": "expected a boolean"}),
    ],
)
def test_cors_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "cors", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# request-transformer


def test_request_transformer_http_method(schema: EntitySchema) -> None:
    # 36-request-transformer/01-schema_spec: "validates http_method", "errors invalid http_method"
    assert config_of(schema, "request-transformer", {"http_method": "GET"})["http_method"] == "GET"
    assert config_of(schema, "request-transformer", {"http_method": "PURGE"}) is not None
    assert errors_of(schema, "request-transformer", {"http_method": "HELLO!"}) == {
        "config": {"http_method": "invalid value: HELLO!"}
    }
    assert errors_of(schema, "request-transformer", {"http_method": "get"}) == {
        "config": {"http_method": "invalid value: get"}
    }


@pytest.mark.parametrize(
    "querystring",
    [
        # 01-schema_spec: "validate regex pattern as value", "validate string as value"
        ["uri_param1:$(uri_captures.user1)", "uri_param2:$(uri_captures.user2)"],
        ["uri_param1:$(uri_captures.user1)", "uri_param2:value"],
        # colons after the name are skipped; the value may hold more
        ["a::b", "a:b:c", "a:http://example.com"],
    ],
)
def test_request_transformer_accepts_values(schema: EntitySchema, querystring: list[str]) -> None:
    stored = config_of(schema, "request-transformer", {"add": {"querystring": querystring}})
    assert stored["add"] == {"body": [], "headers": [], "querystring": querystring}


@pytest.mark.parametrize("section", ["rename", "replace", "add", "append"])
@pytest.mark.parametrize("array", ["body", "querystring"])
def test_request_transformer_values_need_a_value(
    schema: EntitySchema, section: str, array: str
) -> None:
    # 01-schema_spec: "error for missing value"
    for entry, name in (("uri_param2:", "uri_param2"), ("uri_param2", "uri_param2")):
        config = {section: {array: ["ok:1", entry]}}
        assert errors_of(schema, "request-transformer", config) == {
            "config": {section: {array: {2: f"key '{name}' has no value"}}}
        }


def test_request_transformer_entry_without_a_name(schema: EntitySchema) -> None:
    # Kong raises a Lua error here (a nil name); kongdao reports the colon check's message
    assert errors_of(schema, "request-transformer", {"add": {"body": [":value"]}}) == {
        "config": {"add": {"body": {1: "invalid value: :value"}}}
    }


def test_request_transformer_template_expressions_are_not_compiled(
    schema: EntitySchema,
) -> None:
    # 01-schema_spec: "error for malformed regex pattern in value". Kong compiles the
    # value as a Penlight template and refuses the malformed Lua expression; kongdao cannot
    # compile Lua and accepts it (see the schema's docstring).
    config = {"add": {"querystring": ["uri_param2:$(uri_captures user2)"]}}
    assert errors_of(schema, "request-transformer", config) is None


@pytest.mark.parametrize("section", ["replace", "add", "append"])
def test_request_transformer_headers_need_a_colon(schema: EntitySchema, section: str) -> None:
    # 36-request-transformer/03-api_spec: "<section> fails with missing colons ..."
    assert errors_of(schema, "request-transformer", {section: {"headers": ["just_a_key"]}}) == {
        "config": {section: {"headers": {1: "invalid value: just_a_key"}}}
    }


@pytest.mark.parametrize("section", ["replace", "add", "append"])
def test_request_transformer_header_names(schema: EntitySchema, section: str) -> None:
    config = {section: {"headers": ["x-ok:1", "x foo:bar", "x-empty:"]}}
    # only the name is checked; an empty value passes (the colon check only wants a colon)
    assert errors_of(schema, "request-transformer", config) == {
        "config": {section: {"headers": {2: "'x foo' is not a valid header"}}}
    }


def test_request_transformer_remove(schema: EntitySchema) -> None:
    # 03-api_spec: "remove succeeds without colons"
    remove = {"headers": ["just_a_key"], "body": ["just_a_key"], "querystring": ["just_a_key"]}
    assert config_of(schema, "request-transformer", {"remove": remove})["remove"] == remove
    # header names are checked up to a colon; body and querystring names are not checked
    remove = {"headers": ["x-foo:ignored"], "body": ["a b:"], "querystring": [":x"]}
    assert config_of(schema, "request-transformer", {"remove": remove})["remove"] == remove
    assert errors_of(schema, "request-transformer", {"remove": {"headers": ["x,y", ":x"]}}) == {
        "config": {
            "remove": {
                "headers": {1: "'x,y' is not a valid header", 2: "'nil' is not a valid header"}
            }
        }
    }


def test_request_transformer_rename(schema: EntitySchema) -> None:
    rename = {
        "headers": ["x-request-id:x-custom-request-id"],
        "body": ["old:new"],
        "querystring": ["a:b"],
    }
    assert config_of(schema, "request-transformer", {"rename": rename})["rename"] == rename
    headers = ["x-request-idx-custom-request-id", "x-requ,est-id:x-new", "x-old:x new", "x-old:"]
    assert errors_of(schema, "request-transformer", {"rename": {"headers": headers}}) == {
        "config": {
            "rename": {
                "headers": {
                    1: "invalid value: x-request-idx-custom-request-id",
                    2: "'x-requ,est-id' is not a valid header",
                    3: "'x new' is not a valid header",
                    4: "'' is not a valid header",
                }
            }
        }
    }
    assert errors_of(schema, "request-transformer", {"rename": {"body": ["old"]}}) == {
        "config": {"rename": {"body": {1: "key 'old' has no value"}}}
    }


def test_request_transformer_replace_uri(schema: EntitySchema) -> None:
    stored = config_of(
        schema, "request-transformer", {"replace": {"uri": "/new/$(uri_captures[1])"}}
    )
    assert stored["replace"] == {**_RT_RECORD, "uri": "/new/$(uri_captures[1])"}
    assert errors_of(schema, "request-transformer", {"replace": {"uri": ""}}) == {
        "config": {"replace": {"uri": "length must be at least 1"}}
    }
    assert errors_of(schema, "request-transformer", {"add": {"uri": "/x"}}) == {
        "config": {"add": {"uri": "unknown field"}}
    }


def test_request_transformer_does_not_allow_null_arrays(schema: EntitySchema) -> None:
    # 03-api_spec: "it does not allow null value for arrays"
    arrays = ("body", "headers", "querystring")
    sections = ("remove", "rename", "replace", "add", "append")
    config = {section: dict.fromkeys(arrays) for section in sections}
    assert errors_of(schema, "request-transformer", config) == {
        "config": {section: dict.fromkeys(arrays, "required field missing") for section in sections}
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"remove": None}, {"remove": "required field missing"}),
        ({"add": "x:y"}, {"add": "expected a record"}),
        ({"append": {"body": "x:y"}}, {"append": {"body": "expected an array"}}),
        ({"replace": {"querystring": [1]}}, {"replace": {"querystring": {1: "expected a string"}}}),
        ({"remove": {"body": [""]}}, {"remove": {"body": {1: "length must be at least 1"}}}),
        ({"http_method": 1}, {"http_method": "expected a string"}),
    ],
)
def test_request_transformer_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, "request-transformer", config) == {"config": expected}


def test_request_transformer_validate_header_pair() -> None:
    validate = request_transformer.schema.validate_header_pair
    assert validate("x-a:anything at all") is None
    assert validate("x-a:x b") is None
    assert validate("x-a:x b", validate_value=True) == "'x b' is not a valid header"
    assert validate("x-a:x-b", validate_value=True) is None
    assert validate("x-a", validate_value=True) == "'' is not a valid header"
    assert validate("x a:b") == "'x a' is not a valid header"
    assert validate(":b") == "'nil' is not a valid header"


# --------------------------------------------------------------------------------------------
# response-transformer


def test_response_transformer_remove_succeeds_without_colons(schema: EntitySchema) -> None:
    # 15-response-transformer/03-api_spec: "remove succeeds without colons"
    remove = {"headers": ["just_a_key"], "json": ["just_a_key"]}
    assert config_of(schema, "response-transformer", {"remove": remove})["remove"] == remove


def test_response_transformer_rename(schema: EntitySchema) -> None:
    # 03-api_spec: "rename succeeds with colons"
    rename = {"headers": ["x-request-id:x-custom-request-id"]}
    assert config_of(schema, "response-transformer", {"rename": rename})["rename"] == rename
    # 03-api_spec: "rename fails with missing colons", "... with invalid header name"
    for header, message in (
        ("x-request-idx-custom-request-id", "invalid value: x-request-idx-custom-request-id"),
        ("x-requ,est-id:x-custom-request-id", "'x-requ,est-id' is not a valid header"),
        ("x-request-id:x custom", "'x custom' is not a valid header"),
        ("x-request-id:", "'' is not a valid header"),
    ):
        assert errors_of(schema, "response-transformer", {"rename": {"headers": [header]}}) == {
            "config": {"rename": {"headers": {1: message}}}
        }, header
    assert errors_of(schema, "response-transformer", {"rename": {"json": ["a:b"]}}) == {
        "config": {"rename": {"json": "unknown field"}}
    }


@pytest.mark.parametrize("section", ["replace", "add", "append"])
def test_response_transformer_pairs_need_a_colon(schema: EntitySchema, section: str) -> None:
    # 03-api_spec: "<section> fails with missing colons for key/value separation"
    assert errors_of(schema, "response-transformer", {section: {"headers": ["just_a_key"]}}) == {
        "config": {section: {"headers": {1: "invalid value: just_a_key"}}}
    }
    assert errors_of(schema, "response-transformer", {section: {"json": ["k:v", "k"]}}) == {
        "config": {section: {"json": {2: "invalid value: k"}}}
    }


@pytest.mark.parametrize("section", ["replace", "add", "append"])
def test_response_transformer_pairs(schema: EntitySchema, section: str) -> None:
    # header names are not checked outside rename; values may be empty
    record = {"json": ["k:v", "n:1", "e:"], "json_types": ["string", "number", "boolean"]}
    record["headers"] = ["x foo:bar", "x-empty:"]
    assert config_of(schema, "response-transformer", {section: record})[section] == record


def test_response_transformer_json_types(schema: EntitySchema) -> None:
    assert errors_of(schema, "response-transformer", {"add": {"json_types": ["integer"]}}) == {
        "config": {"add": {"json_types": {1: "expected one of: boolean, number, string"}}}
    }


def test_response_transformer_does_not_allow_null_arrays(schema: EntitySchema) -> None:
    # 03-api_spec: "it does not allow null value for arrays"
    config = {
        "remove": {"headers": None, "json": None},
        "rename": {"headers": None},
        "replace": {"headers": None, "json": None, "json_types": None},
        "add": {"headers": None, "json": None, "json_types": None},
        "append": {"headers": None, "json": None, "json_types": None},
    }
    expected = {
        section: dict.fromkeys(fields, "required field missing")
        for section, fields in config.items()
    }
    assert errors_of(schema, "response-transformer", config) == {"config": expected}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"remove": None}, {"remove": "required field missing"}),
        ({"add": []}, {"add": "expected a record"}),
        ({"remove": {"json": "a"}}, {"remove": {"json": "expected an array"}}),
        ({"append": {"headers": [1]}}, {"append": {"headers": {1: "expected a string"}}}),
        ({"remove": {"body": ["a"]}}, {"remove": {"body": "unknown field"}}),
    ],
)
def test_response_transformer_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, "response-transformer", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# request-termination


@pytest.mark.parametrize(
    "config",
    [
        # 14-request-termination/01-schema_spec: the accepted configurations
        {"status_code": 404},
        {"message": "Not found"},
        {"content_type": "text/html", "body": "<body><h1>Not found</h1>"},
        {"body": "<body><h1>Not found</h1>"},
        {"echo": True, "trigger": "header_name"},
        {"status_code": 100},
        {"status_code": 599, "message": "x", "trigger": "X-Trigger"},
    ],
)
def test_request_termination_accepts(schema: EntitySchema, config: dict[str, Any]) -> None:
    assert config_of(schema, "request-termination", config) == {
        **REQUEST_TERMINATION_DEFAULTS,
        **config,
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        # 01-schema_spec: "#message with body", "message with body and content_type",
        # "message with content_type", "content_type without body", "echo with body &
        # content_type"
        ({"message": "error", "body": "test"}, "message cannot be used with content_type or body"),
        (
            {"message": "error", "content_type": "text/html", "body": "test"},
            "message cannot be used with content_type or body",
        ),
        (
            {"message": "error", "content_type": "text/html"},
            "message cannot be used with content_type or body",
        ),
        ({"content_type": "text/html"}, "content_type requires a body"),
        (
            {"echo": True, "content_type": "text/html", "body": "<body><h1>Not found</h1>"},
            "echo cannot be used with content_type and body",
        ),
        # "and" means "or" here
        ({"echo": True, "body": "x"}, "echo cannot be used with content_type and body"),
        # content_type without body is reported before echo
        ({"echo": True, "content_type": "text/html"}, "content_type requires a body"),
    ],
)
def test_request_termination_config_checks(
    schema: EntitySchema, config: dict[str, Any], message: str
) -> None:
    assert errors_of(schema, "request-termination", config) == {"config": message}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 01-schema_spec: "status_code should only accept numbers", "< 100", "> 599"
        ({"status_code": "abcd"}, {"status_code": "expected an integer"}),
        ({"status_code": 99}, {"status_code": "value should be between 100 and 599"}),
        ({"status_code": 600}, {"status_code": "value should be between 100 and 599"}),
        ({"status_code": 404.5}, {"status_code": "expected an integer"}),
        ({"message": ""}, {"message": "length must be at least 1"}),
        ({"content_type": 1}, {"content_type": "expected a string"}),
        ({"body": ["x"]}, {"body": "expected a string"}),
        ({"echo": None}, {"echo": "required field missing"}),
        ({"echo": "yes"}, {"echo": "expected a boolean"}),
        (
            {"trigger": "x trigger"},
            {
                "trigger": "bad header name 'x trigger', allowed characters are A-Z, a-z, 0-9, "
                "'_', and '-'"
            },
        ),
        # field errors hide the record's checks
        (
            {"message": "m", "body": "b", "status_code": 1},
            {"status_code": "value should be between 100 and 599"},
        ),
    ],
)
def test_request_termination_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, "request-termination", config) == {"config": expected}


def test_request_termination_status_code_may_be_null(schema: EntitySchema) -> None:
    # not required: an explicit null is kept
    assert config_of(schema, "request-termination", {"status_code": None})["status_code"] is None


def test_request_termination_partial_update_is_checked(schema: EntitySchema) -> None:
    stored, errors = insert(schema, "request-termination", {"message": "gone"})
    assert errors is None
    processed, errors = update(schema, stored, {"config": {"body": "<p>gone</p>"}})
    assert processed["config"]["message"] == "gone"
    assert errors == {"config": "message cannot be used with content_type or body"}
    _, errors = update(schema, stored, {"config": {"message": None, "body": "<p>gone</p>"}})
    assert errors is None


# --------------------------------------------------------------------------------------------
# request-size-limiting


@pytest.mark.parametrize("unit", ["megabytes", "kilobytes", "bytes"])
def test_request_size_limiting_units(schema: EntitySchema, unit: str) -> None:
    config = {"allowed_payload_size": 10, "size_unit": unit, "require_content_length": True}
    assert config_of(schema, "request-size-limiting", config) == config


def test_request_size_limiting_accepts_any_integer_size(schema: EntitySchema) -> None:
    for size in (0, -1, 2**40, 10.0):
        stored = config_of(schema, "request-size-limiting", {"allowed_payload_size": size})
        assert stored["allowed_payload_size"] == size
    assert config_of(schema, "request-size-limiting", {"allowed_payload_size": None}) == {
        **REQUEST_SIZE_LIMITING_DEFAULTS,
        "allowed_payload_size": None,
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"size_unit": "gigabytes"}, {"size_unit": "expected one of: megabytes, kilobytes, bytes"}),
        ({"size_unit": "MEGABYTES"}, {"size_unit": "expected one of: megabytes, kilobytes, bytes"}),
        # one_of comes before the implicit len_min in Kong's validator order
        ({"size_unit": ""}, {"size_unit": "expected one of: megabytes, kilobytes, bytes"}),
        ({"size_unit": None}, {"size_unit": "required field missing"}),
        ({"allowed_payload_size": 1.5}, {"allowed_payload_size": "expected an integer"}),
        ({"allowed_payload_size": "10"}, {"allowed_payload_size": "expected an integer"}),
        ({"require_content_length": None}, {"require_content_length": "required field missing"}),
        ({"require_content_length": "no"}, {"require_content_length": "expected a boolean"}),
    ],
)
def test_request_size_limiting_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, "request-size-limiting", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# correlation-id


@pytest.mark.parametrize("generator", ["uuid", "uuid#counter", "tracker"])
def test_correlation_id_generators(schema: EntitySchema, generator: str) -> None:
    config = {"header_name": "X Not A Header", "generator": generator, "echo_downstream": True}
    # header_name is any non-empty string in Kong
    assert config_of(schema, "correlation-id", config) == config


def test_correlation_id_optional_fields_may_be_null(schema: EntitySchema) -> None:
    config = {"header_name": None, "generator": None}
    assert config_of(schema, "correlation-id", config) == {
        **CORRELATION_ID_DEFAULTS,
        **config,
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"generator": "counter"}, {"generator": "expected one of: uuid, uuid#counter, tracker"}),
        ({"generator": 1}, {"generator": "expected a string"}),
        ({"header_name": ""}, {"header_name": "length must be at least 1"}),
        ({"header_name": ["X-Id"]}, {"header_name": "expected a string"}),
        ({"echo_downstream": None}, {"echo_downstream": "required field missing"}),
        ({"echo_downstream": "yes"}, {"echo_downstream": "expected a boolean"}),
    ],
)
def test_correlation_id_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, "correlation-id", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# ip-restriction


@pytest.mark.parametrize(
    "config",
    [
        # 17-ip-restriction/01-schema_spec: the accepted configurations
        {"allow": ["127.0.0.1", "127.0.0.2"]},
        {"allow": ["127.0.0.1", "127.0.0.2"], "status": 403, "message": "Forbidden"},
        {"allow": ["127.0.0.1/8"]},
        {"deny": ["127.0.0.1", "127.0.0.2"]},
        {"deny": ["127.0.0.2"], "allow": ["127.0.0.1"]},
        {"allow": ["::/0", "::/1", "::/128"]},
        {"allow": ["2001:db8::1", "10.0.0.0/8"], "status": 451.5},
    ],
)
def test_ip_restriction_accepts(schema: EntitySchema, config: dict[str, Any]) -> None:
    assert config_of(schema, "ip-restriction", config) == {**IP_RESTRICTION_DEFAULTS, **config}


@pytest.mark.parametrize("key", ["allow", "deny"])
def test_ip_restriction_refuses_invalid_addresses(schema: EntitySchema, key: str) -> None:
    # 01-schema_spec: "<key> should not accept invalid types", "... invalid IPs"
    assert errors_of(schema, "ip-restriction", {key: 12}) == {"config": {key: "expected an array"}}
    assert errors_of(schema, "ip-restriction", {key: ["hello"]}) == {
        "config": {key: {1: "invalid ip or cidr range: 'hello'"}}
    }
    assert errors_of(schema, "ip-restriction", {key: ["127.0.0.1", "127.0.0.2", "hello"]}) == {
        "config": {key: {3: "invalid ip or cidr range: 'hello'"}}
    }


@pytest.mark.parametrize(
    "ranges",
    [
        # 01-schema_spec: "should not accept invalid cidr ranges" (and ipv6)
        ["0.0.0.0/a", "0.0.0.0/-1", "0.0.0.0/33"],
        ["::/a", "::/-1", "::/129", "::1/a", "::1/-1", "::1/129"],
    ],
)
def test_ip_restriction_refuses_invalid_ranges(schema: EntitySchema, ranges: list[str]) -> None:
    assert errors_of(schema, "ip-restriction", {"allow": ranges}) == {
        "config": {
            "allow": {i: f"invalid ip or cidr range: '{r}'" for i, r in enumerate(ranges, 1)}
        }
    }


def test_ip_restriction_needs_allow_or_deny(schema: EntitySchema) -> None:
    # 01-schema_spec: "should not accept both empty allow and deny"
    assert errors_of(schema, "ip-restriction", {"deny": [], "allow": []}) == {
        "@entity": [IP_AT_LEAST_ONE]
    }
    assert errors_of(schema, "ip-restriction", {"status": 403}) == {"@entity": [IP_AT_LEAST_ONE]}
    _, errors = insert(schema, "ip-restriction", route={"id": new_id()})
    assert errors == {"@entity": [IP_AT_LEAST_ONE]}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"allow": ["::1"], "status": "403"}, {"status": "expected a number"}),
        ({"allow": ["::1"], "message": ""}, {"message": "length must be at least 1"}),
        ({"allow": ["::1"], "message": 403}, {"message": "expected a string"}),
        ({"allow": [""]}, {"allow": {1: "length must be at least 1"}}),
        ({"allow": ["::1"], "deny": [None]}, {"deny": {1: "required field missing"}}),
    ],
)
def test_ip_restriction_refuses(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, "ip-restriction", config) == {"config": expected}


@pytest.mark.parametrize(("shorthand", "key"), [("whitelist", "allow"), ("blacklist", "deny")])
def test_ip_restriction_deprecated_shorthands(
    schema: EntitySchema, shorthand: str, key: str
) -> None:
    stored = config_of(schema, "ip-restriction", {shorthand: ["10.0.0.1", "10.0.0.0/8"]})
    assert stored == {**IP_RESTRICTION_DEFAULTS, key: ["10.0.0.1", "10.0.0.0/8"]}
    # the expanded field is then checked as an address list
    assert errors_of(schema, "ip-restriction", {shorthand: ["hello"]}) == {
        "config": {key: {1: "invalid ip or cidr range: 'hello'"}}
    }


def test_ip_restriction_shorthand_replaces_the_real_field(schema: EntitySchema) -> None:
    stored = config_of(schema, "ip-restriction", {"allow": ["1.1.1.1"], "whitelist": ["2.2.2.2"]})
    assert stored["allow"] == ["2.2.2.2"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"whitelist": "10.0.0.1"}, {"whitelist": "expected an array"}),
        ({"blacklist": ["10.0.0.1", "(bad"]}, {"blacklist": {2: "not a valid regex: (bad"}}),
        ({"whitelist": [1]}, {"whitelist": {1: "expected a string"}}),
    ],
)
def test_ip_restriction_invalid_shorthand(
    schema: EntitySchema, config: dict[str, Any], expected: Any
) -> None:
    with pytest.raises(ShorthandError) as caught:
        schema.process_auto_fields({"name": "ip-restriction", "config": config}, "insert")
    assert caught.value.errors == {"config": expected}
    with pytest.raises(SchemaViolation) as violation:
        schema.validate_input({"name": "ip-restriction", "config": config})
    assert violation.value.fields == {"config": expected}


# --------------------------------------------------------------------------------------------
# proxy-cache


def test_proxy_cache_minimal_config(schema: EntitySchema) -> None:
    # 31-proxy-cache/01-schema_spec: "accepts a minimal config", "defines default content-type"
    stored = config_of(schema, "proxy-cache", {"strategy": "memory"})
    assert stored == PROXY_CACHE_DEFAULTS
    assert stored["content_type"] == ["text/plain", "application/json"]


@pytest.mark.parametrize(
    "config",
    [
        # 01-schema_spec: "accepts a config with custom values", "... numbers as strings",
        # "supports vary_query_params values", "supports vary_headers values"
        {
            "response_code": [200, 301],
            "request_method": ["GET"],
            "content_type": ["application/json"],
        },
        {"response_code": [123, 200]},
        {"vary_query_params": ["foo"]},
        {"vary_headers": ["foo"]},
        # 03-api_spec: "accepts an array of numbers as strings"
        {
            "memory": {"dictionary_name": "kong"},
            "response_code": [123, 200],
            "cache_ttl": 600,
            "request_method": ["GET"],
            "content_type": ["text/json"],
        },
        {
            "response_code": [100, 900],
            "request_method": ["HEAD", "GET", "POST", "PATCH", "PUT"],
            "cache_control": True,
            "storage_ttl": -5,
        },
    ],
)
def test_proxy_cache_accepts(schema: EntitySchema, config: dict[str, Any]) -> None:
    config = {"strategy": "memory", **config}
    assert config_of(schema, "proxy-cache", config) == {**PROXY_CACHE_DEFAULTS, **config}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 01-schema_spec: "errors with invalid response_code", "... is an empty array",
        # "... is a string", "... has non-numeric values", "... has float value",
        # "errors with invalid ttl"; 03-api_spec: the same through the Admin API
        ({"response_code": [99]}, {"response_code": {1: "value should be between 100 and 900"}}),
        ({"response_code": [90]}, {"response_code": {1: "value should be between 100 and 900"}}),
        ({"response_code": []}, {"response_code": "length must be at least 1"}),
        ({"response_code": ""}, {"response_code": "expected an array"}),
        (
            {"response_code": [True, "alo", 123]},
            {"response_code": {1: "expected an integer", 2: "expected an integer"}},
        ),
        ({"response_code": [123.5]}, {"response_code": {1: "expected an integer"}}),
        ({"cache_ttl": -1}, {"cache_ttl": "value must be greater than 0"}),
        ({"cache_ttl": 0}, {"cache_ttl": "value must be greater than 0"}),
        ({"response_code": None}, {"response_code": "required field missing"}),
        (
            {"request_method": ["DELETE"]},
            {"request_method": {1: "expected one of: HEAD, GET, POST, PATCH, PUT"}},
        ),
        ({"request_method": None}, {"request_method": "required field missing"}),
        ({"content_type": None}, {"content_type": "required field missing"}),
        ({"content_type": [""]}, {"content_type": {1: "length must be at least 1"}}),
        ({"strategy": "redis"}, {"strategy": "expected one of: memory"}),
        ({"strategy": None}, {"strategy": "required field missing"}),
        ({"cache_control": None}, {"cache_control": "required field missing"}),
        ({"storage_ttl": 1.5}, {"storage_ttl": "expected an integer"}),
        ({"memory": None}, {"memory": "required field missing"}),
        (
            {"memory": {"dictionary_name": None}},
            {"memory": {"dictionary_name": "required field missing"}},
        ),
        ({"vary_headers": "Accept"}, {"vary_headers": "expected an array"}),
        ({"vary_query_params": [1]}, {"vary_query_params": {1: "expected a string"}}),
    ],
)
def test_proxy_cache_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "proxy-cache", {"strategy": "memory", **config}) == {
        "config": expected
    }


def test_proxy_cache_needs_a_strategy(schema: EntitySchema) -> None:
    assert errors_of(schema, "proxy-cache", {}) == {
        "config": {"strategy": "required field missing"}
    }
    _, errors = insert(schema, "proxy-cache")
    assert errors == {"config": {"strategy": "required field missing"}}


def test_proxy_cache_memory_needs_a_declared_shared_dict(schema: EntitySchema) -> None:
    config: dict[str, Any] = {"strategy": "memory", "memory": {"dictionary_name": "my_cache"}}
    assert errors_of(schema, "proxy-cache", config) == {
        "@entity": ["missing shared dict 'my_cache'"]
    }
    for name in sorted(proxy_cache.SHARED_DICTS):
        config = {"strategy": "memory", "memory": {"dictionary_name": name}}
        assert errors_of(schema, "proxy-cache", config) is None, name
    # the check needs a valid config
    config = {"strategy": "memory", "memory": {"dictionary_name": "my_cache"}, "cache_ttl": 0}
    assert errors_of(schema, "proxy-cache", config) == {
        "config": {"cache_ttl": "value must be greater than 0"}
    }


def test_proxy_cache_with_other_shared_dicts() -> None:
    custom = schema_of(Plugin).with_subschemas(
        {"proxy-cache": proxy_cache.proxy_cache_schema(["my_cache", "kong"])}
    )
    config = {"strategy": "memory", "memory": {"dictionary_name": "my_cache"}}
    assert errors_of(custom, "proxy-cache", config) is None
    assert errors_of(custom, "proxy-cache", {"strategy": "memory"}) == {
        "@entity": ["missing shared dict 'kong_db_cache'"]
    }
    with pytest.raises(TypeError, match="not a string"):
        proxy_cache.proxy_cache_schema("my_cache")


def test_proxy_cache_shared_dicts_are_kongs() -> None:
    assert {
        "kong",
        "kong_locks",
        "kong_healthchecks",
        "kong_process_events",
        "kong_cluster_events",
        "kong_rate_limiting_counters",
        "kong_core_db_cache",
        "kong_core_db_cache_miss",
        "kong_db_cache",
        "kong_db_cache_miss",
    } == proxy_cache.SHARED_DICTS


# --------------------------------------------------------------------------------------------
# grpc-gateway


def test_grpc_gateway(schema: EntitySchema) -> None:
    assert config_of(schema, "grpc-gateway", {"proto": "path/to/hello.proto"}) == {
        "proto": "path/to/hello.proto"
    }
    assert config_of(schema, "grpc-gateway", {"proto": None}) == {"proto": None}
    assert errors_of(schema, "grpc-gateway", {"proto": 1}) == {
        "config": {"proto": "expected a string"}
    }
    assert errors_of(schema, "grpc-gateway", {"proto": ""}) == {
        "config": {"proto": "length must be at least 1"}
    }


# --------------------------------------------------------------------------------------------
# pre-function and post-function

MOCK_FN_ONE = '("hello world!"):find("world")'
MOCK_FN_TWO = "local x = 1"
MOCK_FN_THREE = "local x = 1 return function() x = x + 1 end"
MOCK_FN_INVALID = "print("
MOCK_FN_INVALID_RETURN = 'return "hello-world"'
PHASES = ["certificate", "rewrite", "access", "header_filter", "body_filter", "log"]


@pytest.fixture(params=FUNCTION_PLUGINS)
def function_plugin(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(params=["functions", "access"])
def phase(request: pytest.FixtureRequest) -> str:
    """33-serverless-functions/01-schema_spec runs every case "by functions" and "by phase"."""
    key: str = request.param
    return key


@pytest.mark.parametrize(
    "functions",
    [
        # 01-schema_spec: "validates single function", "error in function is not triggered
        # during validation", "... with upvalues", "validates multiple functions", "a valid
        # chunk with an invalid return type"
        [MOCK_FN_ONE],
        ['error("should never happen")'],
        [MOCK_FN_THREE],
        [MOCK_FN_ONE, MOCK_FN_TWO],
        [MOCK_FN_INVALID_RETURN],
    ],
)
def test_functions_accept_code(
    schema: EntitySchema, function_plugin: str, phase: str, functions: list[str]
) -> None:
    stored = config_of(schema, function_plugin, {phase: functions})
    assert stored == {**FUNCTION_DEFAULTS, "access": [], phase: functions}


def test_functions_code_is_not_compiled(
    schema: EntitySchema, function_plugin: str, phase: str
) -> None:
    # 01-schema_spec: "with an invalid function", "with a valid and invalid function". Kong
    # refuses "error parsing <plugin>: [string "print("]:1: unexpected symbol near '<eof>'";
    # kongdao cannot compile Lua and accepts the code (see the schema's docstring).
    assert errors_of(schema, function_plugin, {phase: [MOCK_FN_INVALID]}) is None
    assert errors_of(schema, function_plugin, {phase: [MOCK_FN_ONE, MOCK_FN_INVALID]}) is None


def test_functions_logs_kongs_deprecation_warning(
    schema: EntitySchema, function_plugin: str, caplog: pytest.LogCaptureFixture
) -> None:
    # 01-schema_spec: "throws a log warning when being used" (by functions only)
    logger = "kongdao.plugins.pre_function.schema"
    with caplog.at_level(logging.WARNING, logger=logger):
        insert(schema, function_plugin, {"functions": [MOCK_FN_ONE, MOCK_FN_TWO]})
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logger,
            logging.WARNING,
            f"[{function_plugin}] 'config.functions' will be deprecated in favour of "
            "'config.access'",
        )
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=logger):
        insert(schema, function_plugin, {"access": [MOCK_FN_ONE]})
        insert(schema, function_plugin, {"functions": [], "log": [MOCK_FN_ONE]})
        insert(schema, function_plugin, {"functions": [""]})  # invalid: the array check waits
    assert caplog.records == []


@pytest.mark.parametrize("code_phase", PHASES)
def test_functions_every_phase_takes_code(
    schema: EntitySchema, function_plugin: str, code_phase: str
) -> None:
    stored = config_of(schema, function_plugin, {code_phase: [MOCK_FN_TWO]})
    assert stored == {**FUNCTION_DEFAULTS, "access": [], code_phase: [MOCK_FN_TWO]}


def test_functions_need_some_code(schema: EntitySchema, function_plugin: str) -> None:
    assert errors_of(schema, function_plugin, {}) == {"@entity": [FN_AT_LEAST_ONE]}
    assert errors_of(schema, function_plugin, {key: [] for key in ["functions", *PHASES]}) == {
        "@entity": [FN_AT_LEAST_ONE]
    }
    _, errors = insert(schema, function_plugin, route={"id": new_id()})
    assert errors == {"@entity": [FN_AT_LEAST_ONE]}


def test_functions_and_access_are_exclusive(schema: EntitySchema, function_plugin: str) -> None:
    config = {"functions": [MOCK_FN_ONE], "access": [MOCK_FN_TWO]}
    assert errors_of(schema, function_plugin, config) == {"@entity": [FN_EXCLUSIVE]}
    # functions goes with every other phase
    config = {"functions": [MOCK_FN_ONE], "rewrite": [MOCK_FN_TWO], "log": [MOCK_FN_TWO]}
    assert errors_of(schema, function_plugin, config) is None


def test_functions_update_is_checked(schema: EntitySchema, function_plugin: str) -> None:
    stored, errors = insert(schema, function_plugin, {"functions": [MOCK_FN_ONE]})
    assert errors is None
    _, errors = update(schema, stored, {"config": {"access": [MOCK_FN_TWO]}})
    assert errors == {"@entity": [FN_EXCLUSIVE]}
    processed, errors = update(schema, stored, {"config": {"functions": [], "access": ["x()"]}})
    assert errors is None
    assert processed["config"]["access"] == ["x()"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"access": [""]}, {"access": {1: "length must be at least 1"}}),
        ({"access": ["ok()", 1]}, {"access": {2: "expected a string"}}),
        ({"functions": [None]}, {"functions": {1: "required field missing"}}),
        ({"log": "ngx.log(ngx.ERR, 'x')"}, {"log": "expected an array"}),
        ({"access": ["ok()"], "rewrite": None}, {"rewrite": "required field missing"}),
        ({"access": ["ok()"], "body_filter": {}}, {"body_filter": "expected an array"}),
    ],
)
def test_functions_refuse(
    schema: EntitySchema, function_plugin: str, config: dict[str, Any], expected: Any
) -> None:
    assert errors_of(schema, function_plugin, config)["config"] == expected


def test_post_function_schema_is_pre_functions_under_its_name() -> None:
    pre, post = pre_function.SCHEMA, post_function.SCHEMA
    assert (pre.name, post.name) == ("pre-function", "post-function")
    assert config_field_names(pre) == config_field_names(post) == ["functions", *PHASES]
    assert [c.name for c in pre.entity_checks] == [c.name for c in post.entity_checks]
    built = pre_function.function_schema("post-function")
    assert built.name == "post-function"
    assert config_field_names(built) == config_field_names(post)
