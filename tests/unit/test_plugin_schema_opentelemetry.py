"""The configuration schema of the ``opentelemetry`` plugin, as Kong 3.0.0 first shipped it.

Validated through ``plugins`` as Kong does (``validate_plugin_config_schema``). Ported from
Kong 3.0.0's spec/03-plugins/37-opentelemetry/02-schema_spec.lua; the other cases follow
kong/plugins/opentelemetry/schema.lua, with Kong's messages.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kongdao.plugins.opentelemetry import PLUGIN
from kongdao.plugins.opentelemetry.schema import _validate_resource_attributes
from kongdao.schema import EntitySchema
from kongdao.schema.typedefs import HTTP_PROTOCOLS
from kongdao.testing.plugin_configs import config_of, errors_of, insert, plugins_schema

NAME = "opentelemetry"
ENDPOINT = "http://example.dev"
HEADER_ERROR = "bad header name '{}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
TIMEOUT_RANGE = "value should be between 0 and 2147483646"


@pytest.fixture(scope="module")
def schema() -> EntitySchema:
    return plugins_schema([PLUGIN])


def new_id() -> str:
    return str(uuid.uuid4())


def test_plugin_spec() -> None:
    assert (PLUGIN.name, PLUGIN.version, PLUGIN.priority) == (NAME, "0.1.0", 14)
    assert PLUGIN.entities == ()
    assert PLUGIN.subsystem is None


def test_insert_fills_the_defaults(schema: EntitySchema) -> None:
    plugin, errors = insert(schema, NAME, {"endpoint": ENDPOINT})
    assert errors is None
    assert plugin["config"] == {
        "endpoint": ENDPOINT,
        "headers": None,
        "resource_attributes": None,
        "batch_span_count": 200,
        "batch_flush_delay": 3,
        "connect_timeout": 1000,
        "send_timeout": 5000,
        "read_timeout": 5000,
    }
    assert plugin["protocols"] == list(HTTP_PROTOCOLS)
    assert plugin["enabled"] is True


def test_a_full_config_is_kept(schema: EntitySchema) -> None:
    config = {
        "endpoint": "https://otel.example.dev:4318/v1/traces",
        "headers": {"X-Auth": "token", "x_tenant": "a"},
        "resource_attributes": {"service.name": "kong", "env": "prod"},
        "batch_span_count": 50,
        "batch_flush_delay": 0,
        "connect_timeout": 0,
        "send_timeout": 2147483646,
        "read_timeout": 10,
    }
    assert config_of(schema, NAME, config) == config


def test_endpoint_is_required(schema: EntitySchema) -> None:
    assert errors_of(schema, NAME, {}) == {"config": {"endpoint": "required field missing"}}


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [("example.dev", "missing host in url"), (42, "expected a string")],
)
def test_endpoint_must_be_a_url(schema: EntitySchema, endpoint: Any, message: str) -> None:
    assert errors_of(schema, NAME, {"endpoint": endpoint}) == {"config": {"endpoint": message}}


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"bad header": "x"}, HEADER_ERROR.format("bad header")),
        ({"X-Ok": 1}, "expected a string"),
        ({"X-Ok": ""}, "length must be at least 1"),
        (["X-Ok"], "expected a map"),
    ],
)
def test_headers(schema: EntitySchema, headers: Any, message: str) -> None:
    config = {"endpoint": ENDPOINT, "headers": headers}
    assert errors_of(schema, NAME, config) == {"config": {"headers": message}}


# Kong's spec: "rejects invalid attribute keys" and "rejects invalid attribute values"
@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({123: ""}, "expected a string"),
        ({"foo": ""}, "length must be at least 1"),
        ({"foo": 1}, "expected a string"),
        ({"foo": {"bar": "baz"}}, "expected a string"),
        ({"": "x"}, "length must be at least 1"),
        ("foo", "expected a map"),
    ],
)
def test_resource_attributes(schema: EntitySchema, attributes: Any, message: str) -> None:
    config = {"endpoint": ENDPOINT, "resource_attributes": attributes}
    assert errors_of(schema, NAME, config) == {"config": {"resource_attributes": message}}


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"a": "x", "b": 1, "c": 1.5, "d": True}, None),
        ({"a": ""}, "required field missing"),
        ({"a": {"b": 1}}, "invalid type of value: table"),
        ({"a": ["b"]}, "invalid type of value: table"),
        ({"a": None}, "invalid type of value: nil"),
        ("not a map", None),
    ],
)
def test_resource_attributes_custom_validator(attributes: Any, message: str | None) -> None:
    # The map's own checks catch these first; Kong's validator is kept with its messages.
    assert _validate_resource_attributes(attributes) == message


@pytest.mark.parametrize("field", ["batch_span_count", "batch_flush_delay"])
@pytest.mark.parametrize(
    ("value", "message"),
    [("10", "expected an integer"), (1.5, "expected an integer")],
)
def test_batch_fields_are_integers(
    schema: EntitySchema, field: str, value: Any, message: str
) -> None:
    config = {"endpoint": ENDPOINT, field: value}
    assert errors_of(schema, NAME, config) == {"config": {field: message}}


@pytest.mark.parametrize("field", ["batch_span_count", "batch_flush_delay"])
def test_batch_fields_are_required(schema: EntitySchema, field: str) -> None:
    processed = schema.process_auto_fields(
        {"name": NAME, "config": {"endpoint": ENDPOINT}}, "insert"
    )
    processed["config"][field] = None
    assert schema.validate_insert(processed) == {"config": {field: "required field missing"}}


@pytest.mark.parametrize("field", ["connect_timeout", "send_timeout", "read_timeout"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, TIMEOUT_RANGE),
        (2**31 - 1, TIMEOUT_RANGE),
        (1.5, "expected an integer"),
        ("1000", "expected an integer"),
    ],
)
def test_timeouts(schema: EntitySchema, field: str, value: Any, message: str) -> None:
    config = {"endpoint": ENDPOINT, field: value}
    assert errors_of(schema, NAME, config) == {"config": {field: message}}


def test_unknown_config_fields_are_refused(schema: EntitySchema) -> None:
    assert errors_of(schema, NAME, {"endpoint": ENDPOINT, "nope": 1}) == {
        "config": {"nope": "unknown field"}
    }


@pytest.mark.parametrize("field", ["consumer", "service", "route"])
def test_global_plugin_only(schema: EntitySchema, field: str) -> None:
    config = {"endpoint": ENDPOINT}
    assert errors_of(schema, NAME, config, **{field: {"id": new_id()}}) == {
        field: "value must be null"
    }
    assert errors_of(schema, NAME, config, **{field: None}) is None


def test_http_protocols_only(schema: EntitySchema) -> None:
    config = {"endpoint": ENDPOINT}
    assert errors_of(schema, NAME, config, protocols=["https"]) is None
    assert errors_of(schema, NAME, config, protocols=["http", "tcp"]) == {
        "protocols": {2: "expected one of: grpc, grpcs, http, https"}
    }
