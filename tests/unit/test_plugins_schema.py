"""The plugins entity and the key-auth configuration schema.

Ported from Kong's spec/01-unit/01-db/01-schema/07-plugins_spec.lua (the cases that need only
key-auth, the one bundled plugin so far).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kongdao import plugins
from kongdao.entities import Plugin
from kongdao.plugins import key_auth
from kongdao.schema import EntitySchema, Field, Schema, schema_of, typedefs

KEY_AUTH_DEFAULTS = {
    "key_names": ["apikey"],
    "hide_credentials": False,
    "anonymous": None,
    "key_in_header": True,
    "key_in_query": True,
    "key_in_body": False,
    "run_on_preflight": True,
}


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def plugins_schema() -> EntitySchema:
    """The plugins schema with the bundled plugins enabled (a copy: the global is untouched)."""
    return schema_of(Plugin).with_subschemas(plugins.plugin_subschemas())


def insert(schema: EntitySchema, data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    processed = schema.process_auto_fields(data, "insert")
    return processed, schema.validate(processed)


def test_schema_attributes() -> None:
    s = schema_of(Plugin)
    assert s.name == "plugins"
    assert s.cache_key == ("name", "route", "service", "consumer")
    assert s.composite_cache_key
    assert s.subschema_key == "name"
    assert s.subschema_error == (
        "plugin '%s' not enabled; add it to the 'plugins' configuration property"
    )
    assert s.workspaceable
    assert [name for name, _ in s.fields] == [
        "id",
        "name",
        "created_at",
        "route",
        "service",
        "consumer",
        "config",
        "protocols",
        "enabled",
        "tags",
    ]
    for name, reference in [
        ("route", "routes"),
        ("service", "services"),
        ("consumer", "consumers"),
    ]:
        f = s.field_map[name]
        assert f.type == "foreign"
        assert f.reference == reference
        assert f.on_delete == "cascade"
        assert f.default is None
    assert s.field_map["config"].abstract
    assert s.field_map["protocols"].default == ["grpc", "grpcs", "http", "https"]


def test_the_global_schema_is_not_changed(plugins_schema: EntitySchema) -> None:
    assert "key-auth" in plugins_schema.subschemas
    assert "key-auth" not in schema_of(Plugin).subschemas


def test_refuses_a_plugin_that_is_not_enabled(plugins_schema: EntitySchema) -> None:
    _, errors = insert(plugins_schema, {"name": "world domination"})
    assert errors == {
        "name": "plugin 'world domination' not enabled; add it to the 'plugins' configuration "
        "property"
    }
    _, errors = insert(schema_of(Plugin), {"name": "key-auth"})
    assert errors == {
        "name": "plugin 'key-auth' not enabled; add it to the 'plugins' configuration property"
    }


def test_name_is_required(plugins_schema: EntitySchema) -> None:
    _, errors = insert(plugins_schema, {})
    assert errors == {"name": "required field missing"}


def test_validates_the_config_field(plugins_schema: EntitySchema) -> None:
    plugin, errors = insert(
        plugins_schema,
        {"name": "key-auth", "service": {"id": new_id()}, "config": {"key_names": ["x-kong-key"]}},
    )
    assert errors is None
    assert plugin["config"] == {**KEY_AUTH_DEFAULTS, "key_names": ["x-kong-key"]}

    _, errors = insert(
        plugins_schema,
        {"name": "key-auth", "service": {"id": new_id()}, "config": {"hide_credentials": "yes"}},
    )
    assert errors == {"config": {"hide_credentials": "expected a boolean"}}

    _, errors = insert(
        plugins_schema,
        {"name": "key-auth", "config": {"key_names": ["bad name"]}},
    )
    assert errors == {
        "config": {
            "key_names": {
                1: "bad header name 'bad name', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
            }
        }
    }


def test_produces_a_base_config(plugins_schema: EntitySchema) -> None:
    plugin, errors = insert(plugins_schema, {"name": "key-auth", "service": {"id": new_id()}})
    assert errors is None
    assert plugin["config"] == KEY_AUTH_DEFAULTS
    assert plugin["protocols"] == ["grpc", "grpcs", "http", "https"]
    assert plugin["enabled"] is True
    assert plugin["route"] is None
    assert plugin["consumer"] is None

    typed = plugins_schema.to_entity(plugin)
    assert isinstance(typed, Plugin)
    assert typed.config == KEY_AUTH_DEFAULTS
    assert typed.service is not None


def test_unknown_config_fields_are_refused(plugins_schema: EntitySchema) -> None:
    _, errors = insert(plugins_schema, {"name": "key-auth", "config": {"nope": 1}})
    assert errors == {"config": {"nope": "unknown field"}}


def test_key_auth_cannot_be_applied_to_a_consumer(plugins_schema: EntitySchema) -> None:
    _, errors = insert(plugins_schema, {"name": "key-auth", "consumer": {"id": new_id()}})
    assert errors == {"consumer": "value must be null"}


def test_key_auth_runs_on_http_protocols_only(plugins_schema: EntitySchema) -> None:
    _, errors = insert(plugins_schema, {"name": "key-auth", "protocols": ["http", "tcp"]})
    assert errors == {"protocols": {2: "expected one of: grpc, grpcs, http, https"}}


@pytest.mark.parametrize("scope", ["route", "service"])
def test_accepts_key_auth_on_a_route_or_service(plugins_schema: EntitySchema, scope: str) -> None:
    _, errors = insert(plugins_schema, {"name": "key-auth", scope: {"id": new_id()}})
    assert errors is None


@pytest.mark.parametrize(
    ("scope", "typedef"),
    [
        ("route", typedefs.no_route),
        ("service", typedefs.no_service),
        ("consumer", typedefs.no_consumer),
    ],
)
def test_refuses_a_scope_the_plugin_forbids(scope: str, typedef: Any) -> None:
    name = f"with-no-{scope}"
    subschema = Schema(
        name=name,
        fields=[
            (scope, typedef()),
            (
                "config",
                Field(
                    type="record",
                    fields=[("string", Field(type="string", required=True))],
                ),
            ),
        ],
    )
    s = schema_of(Plugin).with_subschemas({name: subschema})
    _, errors = insert(s, {"name": name, scope: {"id": new_id()}, "config": {"string": "foo"}})
    assert errors == {scope: "value must be null"}

    _, errors = insert(s, {"name": name, scope: None, "config": {"string": "foo"}})
    assert errors is None


def test_key_auth_schema() -> None:
    s = key_auth.SCHEMA
    assert s.name == "key-auth"
    assert [name for name, _ in s.fields] == ["consumer", "protocols", "config"]
    config = s.field_map["config"]
    assert config.type == "record"
    assert config.fields is not None
    assert [name for name, _ in config.fields] == list(KEY_AUTH_DEFAULTS)
    for name, f in config.fields:
        if name == "anonymous":
            assert f.type == "string"
            assert not f.has_default
        else:
            assert f.required
            assert f.default == KEY_AUTH_DEFAULTS[name]


def test_plugin_subschemas() -> None:
    bundled = {name: spec.schema for name, spec in plugins.BUNDLED.items()}
    assert list(bundled)[:4] == ["key-auth", "basic-auth", "acl", "rate-limiting"]
    assert plugins.plugin_subschemas() == bundled
    assert plugins.plugin_subschemas(["key-auth"]) == {"key-auth": key_auth.SCHEMA}
    assert plugins.plugin_subschemas(["off"]) == {}
    assert plugins.plugin_subschemas([]) == {}
    with pytest.raises(ValueError, match=r"^plugin 'nope' is enabled but not installed$"):
        plugins.plugin_subschemas(["key-auth", "nope"])
    with pytest.raises(TypeError):
        plugins.plugin_subschemas("key-auth")
