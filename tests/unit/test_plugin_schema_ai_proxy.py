"""The configuration schema of the ``ai-proxy`` plugin, as Kong 3.9.3 OSS has it.

Validated through ``plugins`` as Kong does (``validate_plugin_config_schema``). Ported from
Kong 3.9.3's spec/03-plugins/38-ai-proxy/00-config_spec.lua (its cases are marked "spec:"); the
other cases follow kong/plugins/ai-proxy/schema.lua and kong/llm/schemas/init.lua, with Kong's
messages.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kongdao import plugins
from kongdao.plugins.ai_proxy import PLUGIN
from kongdao.schema import EntitySchema
from kongdao.schema.typedefs import HTTP_PROTOCOLS
from kongdao.testing.plugin_configs import config_of, errors_of, insert, plugins_schema

NAME = "ai-proxy"
NOWHERE = "http://nowhere"
LOGGING_DEFAULTS = {"log_statistics": False, "log_payloads": False}
OWN_DEFAULTS = {
    "response_streaming": "allow",
    "max_request_body_size": 8192,
    "model_name_header": True,
    "llm_format": "openai",
}
AUTH_DEFAULTS = {
    "header_name": None,
    "header_value": None,
    "param_name": None,
    "param_value": None,
    "param_location": None,
    "gcp_use_service_account": False,
    "gcp_service_account_json": None,
    "aws_access_key_id": None,
    "aws_secret_access_key": None,
    "allow_override": False,
}
HEADER_AUTH = {"header_name": "Authorization", "header_value": "Bearer token"}
PARAM_AUTH = {"param_name": "apikey", "param_value": "key", "param_location": "query"}
OVERRIDE_ERROR = "bedrock and gemini only support auth.allow_override = false"
NATIVE_CHAT_ONLY = (
    "native provider options in llm_format can only be used with the 'llm/v1/chat' route_type"
)


@pytest.fixture(scope="module")
def schema() -> EntitySchema:
    return plugins_schema([PLUGIN])


def new_id() -> str:
    return str(uuid.uuid4())


def chat(provider: str = "openai", **config: Any) -> dict[str, Any]:
    """A chat configuration for ``provider``; ``options`` go into ``model``."""
    model: dict[str, Any] = {"name": "some-model", "provider": provider}
    if "options" in config:
        model["options"] = config.pop("options")
    return {"route_type": "llm/v1/chat", "model": model, **config}


def entity_errors(schema: EntitySchema, config: dict[str, Any]) -> Any:
    errors = errors_of(schema, NAME, config)
    assert errors is not None
    return errors["config"]["@entity"]


# --------------------------------------------------------------------------------------------
# the spec, the registry, the defaults


def test_plugin_spec_is_kong_393s() -> None:
    assert (PLUGIN.name, PLUGIN.version, PLUGIN.priority) == (NAME, "3.9.3", 770)
    assert PLUGIN.entities == ()
    assert PLUGIN.subsystem is None
    assert plugins.BUNDLED[NAME] is PLUGIN
    assert plugins.load(NAME) is PLUGIN


def test_subschema_fields_are_kongs_in_order() -> None:
    assert [name for name, _ in PLUGIN.schema.fields] == ["protocols", "config"]
    config = PLUGIN.schema.field_map["config"]
    assert [name for name, _ in config.fields or ()] == [
        "route_type",
        "auth",
        "model",
        "logging",
        "response_streaming",
        "max_request_body_size",
        "model_name_header",
        "llm_format",
    ]


def test_insert_fills_the_defaults(schema: EntitySchema) -> None:
    plugin, errors = insert(schema, NAME, chat())
    assert errors is None
    assert plugin["config"] == {
        "route_type": "llm/v1/chat",
        "auth": None,
        "model": {"name": "some-model", "provider": "openai", "options": None},
        "logging": LOGGING_DEFAULTS,
        **OWN_DEFAULTS,
    }
    assert plugin["protocols"] == list(HTTP_PROTOCOLS)


def test_given_records_get_their_defaults(schema: EntitySchema) -> None:
    options = {"azure_instance": "i", "azure_deployment_id": "d"}
    config = config_of(schema, NAME, chat("azure", auth={}, options=options))
    assert config["auth"] == AUTH_DEFAULTS
    options = config["model"]["options"]
    assert options["azure_api_version"] == "2023-05-15"
    assert (options["gemini"], options["bedrock"], options["huggingface"]) == (None, None, None)


def test_the_corpus_gemini_config_is_kept(schema: EntitySchema) -> None:
    # shared/corpus/kong-yml/025-devstackk-kongllmrouter.yml
    config = {
        "route_type": "llm/v1/chat",
        "auth": {
            "param_name": "key",
            "param_value": "${GEMINI_API_KEY}",
            "param_location": "query",
        },
        "model": {
            "provider": "gemini",
            "name": "gemini-2.5-flash",
            "options": {"max_tokens": 1024, "temperature": 0.7},
        },
    }
    stored = config_of(schema, NAME, config)
    assert stored["auth"] == {**AUTH_DEFAULTS, **config["auth"]}
    assert stored["model"]["options"]["max_tokens"] == 1024
    assert stored["model"]["options"]["temperature"] == 0.7


def test_route_type_and_provider_are_required(schema: EntitySchema) -> None:
    assert errors_of(schema, NAME, {}) == {
        "config": {
            "route_type": "required field missing",
            "model": {"provider": "required field missing"},
        }
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"route_type": "llm/v2/chat"},
            {"route_type": "expected one of: llm/v1/chat, llm/v1/completions, preserve"},
        ),
        (
            {"model": {"provider": "openrouter"}},
            {
                "model": {
                    "provider": "expected one of: openai, azure, anthropic, cohere, mistral, "
                    "llama2, gemini, bedrock, huggingface"
                }
            },
        ),
        (
            {"response_streaming": "never"},
            {"response_streaming": "expected one of: allow, deny, always"},
        ),
        ({"max_request_body_size": 0}, {"max_request_body_size": "value must be greater than 0"}),
        ({"max_request_body_size": 1.5}, {"max_request_body_size": "expected an integer"}),
        ({"model_name_header": "yes"}, {"model_name_header": "expected a boolean"}),
        ({"llm_format": "anthropic"}, {"llm_format": "expected one of: openai, bedrock, gemini"}),
        (
            {"logging": {"log_payloads": None}},
            {"logging": {"log_payloads": "required field missing"}},
        ),
        ({"auth": "key"}, {"auth": "expected a record"}),
        ({"nope": 1}, {"nope": "unknown field"}),
    ],
)
def test_field_checks(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    base = chat()
    if "model" in config:
        base["model"] = {**base["model"], **config.pop("model")}
    assert errors_of(schema, NAME, {**base, **config}) == {"config": expected}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"temperature": 5.5}, {"temperature": "value should be between 0 and 5"}),
        ({"temperature": -0.1}, {"temperature": "value should be between 0 and 5"}),
        ({"top_p": 1.5}, {"top_p": "value should be between 0 and 1"}),
        ({"top_k": 501}, {"top_k": "value should be between 0 and 500"}),
        ({"top_k": 2.5}, {"top_k": "expected an integer"}),
        ({"max_tokens": "many"}, {"max_tokens": "expected an integer"}),
        ({"input_cost": 0}, {"input_cost": "value must be greater than 0"}),
        ({"output_cost": -1}, {"output_cost": "value must be greater than 0"}),
        ({"llama2_format": "gguf"}, {"llama2_format": "expected one of: raw, openai, ollama"}),
        ({"mistral_format": "raw"}, {"mistral_format": "expected one of: openai, ollama"}),
        ({"upstream_url": "nowhere"}, {"upstream_url": "missing host in url"}),
        ({"upstream_url": "//nowhere"}, {"upstream_url": "missing scheme in url"}),
        (
            {"huggingface": {"use_cache": "no"}},
            {"huggingface": {"use_cache": "expected a boolean"}},
        ),
        ({"bedrock": {"region": "eu"}}, {"bedrock": {"region": "unknown field"}}),
    ],
)
def test_model_options_checks(schema: EntitySchema, options: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, NAME, chat(options=options)) == {
        "config": {"model": {"options": expected}}
    }


def test_an_invalid_auth_field_does_not_hide_the_auth_checks(schema: EntitySchema) -> None:
    # As in Kong: a check skips fields that already failed only when the error sits at the
    # check's own (dotted) name, and a record's errors are nested, so the check still runs.
    config = chat(auth={"param_location": "header"})
    assert errors_of(schema, NAME, config) == {
        "config": {
            "auth": {"param_location": "expected one of: query, body"},
            "@entity": [
                "all or none of these fields must be set: "
                "'auth.param_name', 'auth.param_value', 'auth.param_location'"
            ],
        }
    }


def test_valid_model_options(schema: EntitySchema) -> None:
    options = {
        "max_tokens": 256,
        "input_cost": 0.5,
        "output_cost": 1.5,
        "temperature": 5,
        "top_p": 0,
        "top_k": 500,
        "upstream_url": "https://llm.internal:8443/v1/chat",
        "upstream_path": "/v1/chat",
        "huggingface": {"use_cache": True, "wait_for_model": False},
    }
    stored = config_of(schema, NAME, chat(options=options))["model"]["options"]
    assert {k: stored[k] for k in options} == options


# --------------------------------------------------------------------------------------------
# the LLM configuration's checks (on config)


@pytest.mark.parametrize("provider", ["bedrock", "gemini"])
def test_bedrock_and_gemini_refuse_allow_override(schema: EntitySchema, provider: str) -> None:
    # spec: "bedrock model can not support ath.allowed_auth_override" (and gemini)
    auth = {**PARAM_AUTH, **HEADER_AUTH, "allow_override": True}
    config = chat(provider, auth=auth, options={"upstream_url": NOWHERE})
    assert errors_of(schema, NAME, config) == {
        "config": {"auth": {"allow_override": "value must be false"}, "@entity": [OVERRIDE_ERROR]}
    }
    auth["allow_override"] = False
    assert errors_of(schema, NAME, config) is None
    # the other providers may let requests override the credentials
    assert errors_of(schema, NAME, chat(auth={**HEADER_AUTH, "allow_override": True})) is None


@pytest.mark.parametrize("provider", ["bedrock", "gemini"])
def test_bedrock_and_gemini_need_an_auth_record(schema: EntitySchema, provider: str) -> None:
    # Kong's quirk, kept: with no auth, auth.allow_override is null, and null is not false
    assert errors_of(schema, NAME, chat(provider)) == {
        "config": {"auth": {"allow_override": "value must be false"}, "@entity": [OVERRIDE_ERROR]}
    }
    assert errors_of(schema, NAME, chat(provider, auth={})) is None


def test_header_auth_needs_name_and_value(schema: EntitySchema) -> None:
    # spec: "requires both [config.auth.header_name] and [config.auth.header_value] to be set"
    options = {"max_tokens": 256, "temperature": 1.0, "upstream_url": NOWHERE}
    config = chat(auth={"header_name": "Authorization"}, options=options)
    assert entity_errors(schema, config) == [
        "all or none of these fields must be set: 'auth.header_name', 'auth.header_value'"
    ]
    assert errors_of(schema, NAME, chat(auth=HEADER_AUTH, options=options)) is None


def test_param_auth_needs_name_value_and_location(schema: EntitySchema) -> None:
    # spec: "requires all of [config.auth.param_name] and [config.auth.param_value] and
    # [config.auth.param_location] to be set"
    options = {"max_tokens": 256, "temperature": 1.0, "upstream_url": NOWHERE}
    config = chat(auth={"param_name": "apikey", "param_value": "key"}, options=options)
    assert entity_errors(schema, config) == [
        "all or none of these fields must be set: "
        "'auth.param_name', 'auth.param_value', 'auth.param_location'"
    ]
    assert errors_of(schema, NAME, chat(auth=PARAM_AUTH, options=options)) is None
    # spec: "requires all auth parameters set in order to use both header and param types"
    both = chat(auth={**PARAM_AUTH, **HEADER_AUTH}, options=options)
    assert errors_of(schema, NAME, both) is None


@pytest.mark.parametrize(
    ("provider", "options", "messages"),
    [
        # spec: "requires upstream_url when using self-hosted llama2 model"
        (
            "llama2",
            {"llama2_format": "raw"},
            ["must set 'model.options.upstream_url' for self-hosted providers/models"],
        ),
        (
            "llama2",
            {},
            [
                "must set 'model.options.llama2_format' for llama2 provider",
                "must set 'model.options.upstream_url' for self-hosted providers/models",
            ],
        ),
        ("mistral", {}, ["must set 'model.options.mistral_format' for mistral provider"]),
        # spec: "requires [anthropic_version] field when anthropic provider is used"
        ("anthropic", {}, ["must set 'model.options.anthropic_version' for anthropic provider"]),
        # spec: "requires [azure_instance] field when azure provider is used"
        (
            "azure",
            {},
            [
                "must set 'model.options.azure_instance' for azure provider",
                "must set 'model.options.azure_deployment_id' for azure provider",
            ],
        ),
        (
            "azure",
            {"azure_instance": "i", "azure_deployment_id": "d", "azure_api_version": None},
            ["must set 'model.options.azure_api_version' for azure provider"],
        ),
    ],
)
def test_providers_need_their_options(
    schema: EntitySchema, provider: str, options: dict[str, Any], messages: list[str]
) -> None:
    config = chat(provider, auth=HEADER_AUTH, options={"max_tokens": 256, **options})
    assert entity_errors(schema, config) == messages


def test_azure_with_no_options_at_all(schema: EntitySchema) -> None:
    # options is null: azure_api_version's default is never filled in
    assert entity_errors(schema, chat("azure")) == [
        "must set 'model.options.azure_instance' for azure provider",
        "must set 'model.options.azure_api_version' for azure provider",
        "must set 'model.options.azure_deployment_id' for azure provider",
    ]


@pytest.mark.parametrize(
    ("provider", "options"),
    [
        # spec: "does not require API auth for self-hosted llama2 model"
        ("llama2", {"llama2_format": "raw", "upstream_url": NOWHERE}),
        ("mistral", {"mistral_format": "ollama"}),
        ("anthropic", {"anthropic_version": "2023-06-01"}),
        ("azure", {"azure_instance": "i", "azure_deployment_id": "d"}),
        ("cohere", {}),
        ("huggingface", {}),
    ],
)
def test_providers_with_their_options(
    schema: EntitySchema, provider: str, options: dict[str, Any]
) -> None:
    assert errors_of(schema, NAME, chat(provider, options=options)) is None


def test_anthropic_completions_cannot_log_statistics(schema: EntitySchema) -> None:
    # spec: "do not support log statistics when /chat route_type is used for anthropic provider"
    config = {
        **chat("anthropic", auth=HEADER_AUTH, options={"anthropic_version": "2021-09-01"}),
        "route_type": "llm/v1/completions",
        "logging": {"log_statistics": True},
    }
    assert entity_errors(schema, config) == [
        "anthropic does not support statistics when route_type is llm/v1/completions"
    ]
    # chat statistics, or completions without statistics, are fine
    assert errors_of(schema, NAME, {**config, "route_type": "llm/v1/chat"}) is None
    assert errors_of(schema, NAME, {**config, "logging": {"log_statistics": False}}) is None
    openai = {**chat(), "route_type": "llm/v1/completions", "logging": {"log_statistics": True}}
    assert errors_of(schema, NAME, openai) is None


@pytest.mark.parametrize(
    "gemini",
    [
        {"api_endpoint": "europe-west1-aiplatform.googleapis.com"},
        {"project_id": "p", "location_id": "europe-west1"},
    ],
)
def test_gemini_vertex_options_are_all_or_none(
    schema: EntitySchema, gemini: dict[str, Any]
) -> None:
    config = chat("gemini", auth={}, options={"gemini": gemini})
    assert errors_of(schema, NAME, config) == {
        "config": {
            "model": {
                "options": {
                    "gemini": {
                        "@entity": [
                            "all or none of these fields must be set: "
                            "'api_endpoint', 'project_id', 'location_id'"
                        ]
                    }
                }
            }
        }
    }
    vertex = {"api_endpoint": "a", "project_id": "p", "location_id": "l"}
    assert errors_of(schema, NAME, chat("gemini", auth={}, options={"gemini": vertex})) is None


def test_credentials_may_be_vault_references(schema: EntitySchema) -> None:
    auth = {
        "header_name": "{vault://env/llm-header}",
        "header_value": "{vault://env/llm-key}",
        "gcp_service_account_json": "{vault://env/gcp-json}",
        "aws_access_key_id": "{vault://env/aws-id}",
        "aws_secret_access_key": "{vault://env/aws-secret}",
    }
    assert errors_of(schema, NAME, chat(auth=auth)) is None


# --------------------------------------------------------------------------------------------
# the plugin's checks (llm_format)


def test_native_formats_need_the_chat_route_type(schema: EntitySchema) -> None:
    # spec: "native llm_format can only use llm/v1/chat route_type"
    auth = {**PARAM_AUTH, **HEADER_AUTH, "allow_override": False}
    options = {"max_tokens": 256, "temperature": 1.0, "upstream_url": NOWHERE}
    config = {
        **chat("gemini", auth=auth, options=options),
        "route_type": "llm/v1/completions",
        "llm_format": "gemini",
    }
    errors = errors_of(schema, NAME, config)
    assert errors == {
        "config": {"route_type": "value must be llm/v1/chat"},
        "@entity": [NATIVE_CHAT_ONLY],
    }
    assert errors_of(schema, NAME, {**config, "route_type": "llm/v1/chat"}) is None


@pytest.mark.parametrize("fmt", ["bedrock", "gemini"])
def test_native_formats_need_their_provider(schema: EntitySchema, fmt: str) -> None:
    # spec: "bedrock llm_format can only use bedrock provider" (and gemini)
    auth = {**PARAM_AUTH, **HEADER_AUTH, "allow_override": False}
    options = {"max_tokens": 256, "temperature": 1.0, "upstream_url": NOWHERE}
    config = {**chat("openai", auth=auth, options=options), "llm_format": fmt}
    assert errors_of(schema, NAME, config) == {
        "config": {"model": {"provider": f"value must be {fmt}"}},
        "@entity": [f"native llm_format '{fmt}' can only be used with the '{fmt}' model.provider"],
    }
    native = {
        **chat(fmt, options=options),
        "auth": {"allow_override": False},
        "llm_format": fmt,
    }
    assert errors_of(schema, NAME, native) is None


# --------------------------------------------------------------------------------------------
# scope and protocols


def test_may_be_applied_to_a_consumer_route_or_service(schema: EntitySchema) -> None:
    for scope in ("consumer", "route", "service"):
        assert errors_of(schema, NAME, chat(), **{scope: {"id": new_id()}}) is None


def test_http_protocols_only(schema: EntitySchema) -> None:
    assert errors_of(schema, NAME, chat(), protocols=["https"]) is None
    assert errors_of(schema, NAME, chat(), protocols=["http", "tcp"]) == {
        "protocols": {2: "expected one of: grpc, grpcs, http, https"}
    }
