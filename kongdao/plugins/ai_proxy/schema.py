"""The configuration schema of the ``ai-proxy`` plugin, as Kong 3.9.3 OSS has it.

Kong bundles the plugin since 3.6; kongdao's baseline, Kong 2.8.5, has no such plugin, so this
follows Kong 3.9.3's ``kong/plugins/ai-proxy/schema.lua`` and the LLM configuration it extends,
``kong/llm/schemas/init.lua`` (:func:`llm_config`).

The plugin turns a route into a proxy for a large language model: requests in ``route_type``'s
format (``llm/v1/chat``, ``llm/v1/completions``, or ``preserve`` to pass them through) are
translated to the ``model.provider``'s API (``openai``, ``azure``, ``anthropic``, ``cohere``,
``mistral``, ``llama2``, ``gemini``, ``bedrock``, ``huggingface``) and authenticated with
``auth`` (a header, a query or body parameter, GCP or AWS credentials). ``model.options``
tunes the model (tokens, temperature, costs, provider-specific settings, an ``upstream_url``
for self-hosted models); ``logging`` adds statistics and payloads to the log plugins' output.
The plugin's own fields: ``response_streaming`` (``allow``, ``deny`` or ``always``),
``max_request_body_size`` (bytes introspected, 8 KiB by default), ``model_name_header`` and
``llm_format`` (``openai``, or the native ``bedrock`` / ``gemini`` formats). It runs on HTTP
protocols only and may be applied to a consumer.

Kong's checks, with its messages. On ``config`` (errors under ``config``, entity messages in
``config["@entity"]``):

* ``bedrock and gemini only support auth.allow_override = false`` (and ``value must be false``
  on ``auth.allow_override``). As in Kong, a bedrock or gemini model with no ``auth`` record at
  all fails it too: ``auth`` is then null, and null is not ``false``;
* ``all or none of these fields must be set: 'auth.header_name', 'auth.header_value'``, and the
  same for ``auth.param_name``, ``auth.param_value`` and ``auth.param_location``;
* ``must set 'model.options.llama2_format' for llama2 provider``, likewise
  ``mistral_format`` for mistral, ``anthropic_version`` for anthropic, and
  ``azure_instance``, ``azure_api_version`` and ``azure_deployment_id`` for azure;
* ``must set 'model.options.upstream_url' for self-hosted providers/models`` (llama2);
* ``anthropic does not support statistics when route_type is llm/v1/completions`` (a custom
  entity check: ``logging.log_statistics`` with a provider and route type that cannot report
  them);
* ``model.options.gemini``: ``api_endpoint``, ``project_id`` and ``location_id`` all or none;
* ``temperature`` 0 to 5, ``top_p`` 0 to 1, ``top_k`` 0 to 500, costs above 0, and
  ``upstream_url`` a URL (Kong's ``typedefs.url``).

On the plugin (entity messages in ``@entity``, the failing field under ``config``):

* ``native provider options in llm_format can only be used with the 'llm/v1/chat' route_type``
  (``value must be llm/v1/chat`` on ``config.route_type``);
* ``native llm_format 'bedrock' can only be used with the 'bedrock' model.provider``, and the
  same for gemini (``value must be bedrock`` on ``config.model.provider``).

The credentials (``auth.header_value``, ``param_value``, the GCP service account JSON, the AWS
keys) and the header and parameter names may be vault references, as in Kong. Left out: Kong's
``encrypted = true`` on the secret fields, an Enterprise keyring declaration that Kong OSS
ignores, and the fields' ``description`` texts (documentation only).

Kong's plugin also ships one migration, ``001_360_to_370``: a PostgreSQL teardown that turns off
``logging.log_statistics`` on stored configurations that Kong 3.6 accepted and 3.7's custom
check refuses (anthropic with ``llm/v1/completions``). kongdao never stored a configuration
this schema refuses, so it has nothing to repair, and the plugin declares no migrations.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, checks, typedefs

__all__ = [
    "FORMATS",
    "PROVIDERS",
    "ROUTE_TYPES",
    "SCHEMA",
    "UNSUPPORTED_LOG_STATISTICS",
    "llm_config",
]

ROUTE_TYPES: Final = ("llm/v1/chat", "llm/v1/completions", "preserve")
"""The operations ``config.route_type`` accepts."""

PROVIDERS: Final = (
    "openai",
    "azure",
    "anthropic",
    "cohere",
    "mistral",
    "llama2",
    "gemini",
    "bedrock",
    "huggingface",
)
"""The providers ``config.model.provider`` accepts, in Kong's order."""

FORMATS: Final = ("openai", "bedrock", "gemini")
"""The formats ``config.llm_format`` accepts: OpenAI's, or a provider's native one."""

UNSUPPORTED_LOG_STATISTICS: Final = {"llm/v1/completions": frozenset({"anthropic"})}
"""Route type -> providers that cannot report statistics for it (``logging.log_statistics``)."""


def _string(**attributes: Any) -> Field:
    return Field(type="string", required=False, **attributes)


def _secret() -> Field:
    return _string(referenceable=True)


def _flag() -> Field:
    return Field(type="boolean", required=False, default=False)


def _options_record(*fields: tuple[str, Field], **attributes: Any) -> Field:
    return Field(type="record", required=False, fields=list(fields), **attributes)


_AUTH: Final = _options_record(
    ("header_name", _secret()),
    ("header_value", _secret()),
    ("param_name", _secret()),
    ("param_value", _secret()),
    ("param_location", _string(one_of=("query", "body"))),
    ("gcp_use_service_account", _flag()),
    ("gcp_service_account_json", _secret()),
    ("aws_access_key_id", _secret()),
    ("aws_secret_access_key", _secret()),
    ("allow_override", _flag()),
)

_GEMINI_OPTIONS: Final = _options_record(
    ("api_endpoint", _string()),
    ("project_id", _string()),
    ("location_id", _string()),
    entity_checks=[checks.mutually_required("api_endpoint", "project_id", "location_id")],
)

_MODEL_OPTIONS: Final = _options_record(
    ("max_tokens", Field(type="integer", required=False)),
    ("input_cost", Field(type="number", required=False, gt=0)),
    ("output_cost", Field(type="number", required=False, gt=0)),
    ("temperature", Field(type="number", required=False, between=(0.0, 5.0))),
    ("top_p", Field(type="number", required=False, between=(0, 1))),
    ("top_k", Field(type="integer", required=False, between=(0, 500))),
    ("anthropic_version", _string()),
    ("azure_instance", _string()),
    ("azure_api_version", _string(default="2023-05-15")),
    ("azure_deployment_id", _string()),
    ("llama2_format", _string(one_of=("raw", "openai", "ollama"))),
    ("mistral_format", _string(one_of=("openai", "ollama"))),
    ("upstream_url", typedefs.url(required=False)),
    ("upstream_path", _string()),
    ("gemini", _GEMINI_OPTIONS),
    ("bedrock", _options_record(("aws_region", _string()))),
    (
        "huggingface",
        _options_record(
            ("use_cache", Field(type="boolean", required=False)),
            ("wait_for_model", Field(type="boolean", required=False)),
        ),
    ),
)

_MODEL: Final = Field(
    type="record",
    required=True,
    fields=[
        ("provider", Field(type="string", required=True, one_of=PROVIDERS)),
        ("name", _string()),
        ("options", _MODEL_OPTIONS),
    ],
)

_LOGGING: Final = Field(
    type="record",
    required=True,
    fields=[
        ("log_statistics", Field(type="boolean", required=True, default=False)),
        ("log_payloads", Field(type="boolean", required=True, default=False)),
    ],
)


def _check_log_statistics(config: dict[str, Any]) -> str | None:
    """Kong's custom entity check: statistics only where the provider reports them."""
    route_type, model, logging = config["route_type"], config["model"], config["logging"]
    if not isinstance(model, dict) or not isinstance(logging, dict):
        return None
    provider = model.get("provider")
    if logging.get("log_statistics") is True and provider in UNSUPPORTED_LOG_STATISTICS.get(
        route_type, ()
    ):
        return f"{provider} does not support statistics when route_type is {route_type}"
    return None


def _provider_needs(provider: str, option: str, err: str) -> checks.EntityCheck:
    return checks.conditional_at_least_one_of(
        if_field="model.provider",
        if_match={"one_of": (provider,)},
        then_at_least_one_of=[f"model.options.{option}"],
        then_err=err,
    )


_LLM_CHECKS: Final = (
    checks.conditional(
        if_field="model.provider",
        if_match={"one_of": ("bedrock", "gemini")},
        then_field="auth.allow_override",
        then_match={"eq": False},
        then_err="bedrock and gemini only support auth.allow_override = false",
    ),
    checks.mutually_required("auth.header_name", "auth.header_value"),
    checks.mutually_required("auth.param_name", "auth.param_value", "auth.param_location"),
    _provider_needs("llama2", "llama2_format", "must set %s for llama2 provider"),
    _provider_needs("mistral", "mistral_format", "must set %s for mistral provider"),
    _provider_needs("anthropic", "anthropic_version", "must set %s for anthropic provider"),
    _provider_needs("azure", "azure_instance", "must set %s for azure provider"),
    _provider_needs("azure", "azure_api_version", "must set %s for azure provider"),
    _provider_needs("azure", "azure_deployment_id", "must set %s for azure provider"),
    _provider_needs("llama2", "upstream_url", "must set %s for self-hosted providers/models"),
    checks.custom_entity_check(
        field_sources=["route_type", "model", "logging"], fn=_check_log_statistics
    ),
)


def llm_config(*extra: tuple[str, Field]) -> Field:
    """The LLM configuration record of Kong's AI plugins (``kong/llm/schemas/init.lua``).

    ``route_type``, ``auth``, ``model`` and ``logging``, with the checks listed in this
    module's docstring, followed by a plugin's own fields.

    Args:
        extra: The plugin's own ``(name, Field)`` pairs, appended in order.

    Returns:
        A new record field, for a plugin schema's ``config``.
    """
    return Field(
        type="record",
        fields=[
            ("route_type", Field(type="string", required=True, one_of=ROUTE_TYPES)),
            ("auth", _AUTH),
            ("model", _MODEL),
            ("logging", _LOGGING),
            *extra,
        ],
        entity_checks=_LLM_CHECKS,
    )


def _native_format(fmt: str) -> checks.EntityCheck:
    return checks.conditional(
        if_field="config.llm_format",
        if_match={"eq": fmt},
        then_field="config.model.provider",
        then_match={"eq": fmt},
        then_err=f"native llm_format '{fmt}' can only be used with the '{fmt}' model.provider",
    )


SCHEMA: Final = Schema(
    name="ai-proxy",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            llm_config(
                (
                    "response_streaming",
                    _string(default="allow", one_of=("allow", "deny", "always")),
                ),
                ("max_request_body_size", Field(type="integer", default=8 * 1024, gt=0)),
                ("model_name_header", Field(type="boolean", default=True)),
                ("llm_format", _string(default="openai", one_of=FORMATS)),
            ),
        ),
    ],
    entity_checks=[
        checks.conditional(
            if_field="config.llm_format",
            if_match={"one_of": ("bedrock", "gemini")},
            then_field="config.route_type",
            then_match={"eq": "llm/v1/chat"},
            then_err=(
                "native provider options in llm_format can only be used with the "
                "'llm/v1/chat' route_type"
            ),
        ),
        _native_format("bedrock"),
        _native_format("gemini"),
    ],
)
"""The ``ai-proxy`` subschema of ``plugins``."""
