"""Kong 2.8.5's jwt, hmac-auth, oauth2, session, acme, file-log, http-log, prometheus and zipkin.

prometheus also has Kong 3.9.3's metric switches (the Kong 3.x addition real files need); a
2.8 configuration stays valid and keeps its values.

No database. Configurations are validated through ``plugins`` as Kong's
``validate_plugin_config_schema`` does (process for insert, then validate_insert); entities
through their schemas. Ported from Kong's specs where they exist:

* spec/03-plugins/16-jwt/06-schema_spec.lua and 02-api_spec.lua;
* spec/03-plugins/19-hmac-auth/01-schema_spec.lua and 02-api_spec.lua;
* spec/03-plugins/25-oauth2/01-schema_spec.lua and 02-api_spec.lua;
* spec/03-plugins/29-acme/04-schema_spec.lua;
* spec/03-plugins/04-file-log/02-schema_spec.lua, 03-http-log/02-schema_spec.lua and
  34-zipkin/schema_spec.lua.

The other cases follow each plugin's schema.lua / daos.lua with Kong's messages. The plugins are
not in ``BUNDLED`` yet: the ``plugins`` schema here serves exactly these nine.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import kongdao
from kongdao.connectors.cassandra.ddl import create_table_cql
from kongdao.connectors.cassandra.migrate import split_statements
from kongdao.connectors.postgres.ddl import create_table_sql
from kongdao.dao import DAO
from kongdao.entities import CORE_ENTITIES, Plugin
from kongdao.errors import SchemaViolation
from kongdao.plugins import (
    acme,
    file_log,
    hmac_auth,
    http_log,
    jwt,
    oauth2,
    prometheus,
    session,
    zipkin,
)
from kongdao.plugins.oauth2 import secret as oauth2_secret
from kongdao.plugins.oauth2.dao import OAuth2TokensDAO
from kongdao.plugins.prometheus.schema import METRIC_SWITCHES
from kongdao.schema import Entity, EntitySchema, Schema, schema_of
from kongdao.testing.plugin_configs import config_of, errors_of, insert
from kongdao.workspaces import DEFAULT_WORKSPACE_ID as WS

MODULES: list[ModuleType] = [
    jwt,
    hmac_auth,
    oauth2,
    session,
    acme,
    file_log,
    http_log,
    prometheus,
    zipkin,
]
HTTP_PROTOCOLS = ["grpc", "grpcs", "http", "https"]
RANDOM_32 = re.compile(r"[0-9a-f]{32}")
DSN = "postgresql://nobody@127.0.0.1:1/none"


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def schema() -> EntitySchema:
    """``plugins`` serving these nine plugins (a copy: the global schema is untouched)."""
    return schema_of(Plugin).with_subschemas({m.PLUGIN.name: m.PLUGIN.schema for m in MODULES})


def config_field_names(s: Schema) -> list[str]:
    fields = s.field_map["config"].fields
    assert fields is not None
    return [name for name, _ in fields]


def validate(cls: type[Entity], data: dict[str, Any], context: str = "insert") -> dict[str, Any]:
    return schema_of(cls).validate_input(data, context)


def violation(cls: type[Entity], data: dict[str, Any], context: str = "insert") -> Any:
    with pytest.raises(SchemaViolation) as caught:
        schema_of(cls).validate_input(data, context)
    return caught.value.fields


def consumer() -> dict[str, str]:
    return {"id": new_id()}


# --------------------------------------------------------------------------------------------
# the specs: handler VERSION and PRIORITY, subschema fields, restrictions


def test_specs_are_kong_28s_handlers() -> None:
    assert {m.PLUGIN.name: (m.PLUGIN.version, m.PLUGIN.priority) for m in MODULES} == {
        "jwt": ("2.2.0", 1005),
        "hmac-auth": ("2.4.0", 1000),
        "oauth2": ("2.1.2", 1004),
        "session": ("2.4.5", 1900),
        "acme": ("0.4.0", 1007),
        "file-log": ("2.1.0", 9),
        "http-log": ("2.1.1", 12),
        "prometheus": ("1.6.0", 13),
        "zipkin": ("1.5.0", 100000),
    }


def test_specs_declare_kongs_entities_and_migrations() -> None:
    def tables(m: ModuleType) -> list[str | None]:
        return [s.name for s in m.PLUGIN.entity_schemas]

    assert {m.PLUGIN.name: tables(m) for m in MODULES} == {
        "jwt": ["jwt_secrets"],
        "hmac-auth": ["hmacauth_credentials"],
        # each after the entities it references
        "oauth2": ["oauth2_credentials", "oauth2_authorization_codes", "oauth2_tokens"],
        "session": ["sessions"],
        "acme": ["acme_storage"],
        "file-log": [],
        "http-log": [],
        "prometheus": [],
        "zipkin": [],
    }
    subsystems = {
        m.PLUGIN.name: [mig.name for mig in m.PLUGIN.subsystem.migrations]
        for m in MODULES
        if m.PLUGIN.subsystem is not None
    }
    assert subsystems == {
        "jwt": ["000_base_jwt"],
        "hmac-auth": ["000_base_hmac_auth"],
        "oauth2": ["000_base_oauth2"],
        "session": ["000_base_session"],
        "acme": ["000_base_acme"],
    }


@pytest.mark.parametrize(
    ("module", "fields"),
    [
        (jwt, ["consumer", "protocols", "config"]),
        (hmac_auth, ["consumer", "protocols", "config"]),
        (oauth2, ["consumer", "protocols", "config"]),
        (session, ["consumer", "config"]),
        (acme, ["consumer", "service", "route", "protocols", "config"]),
        (file_log, ["protocols", "config"]),
        (http_log, ["protocols", "config"]),
        (prometheus, ["protocols", "config"]),
        (zipkin, ["config"]),
    ],
)
def test_subschema_fields_are_kongs(module: ModuleType, fields: list[str]) -> None:
    assert module.SCHEMA is module.PLUGIN.schema
    assert module.SCHEMA.name == module.PLUGIN.name
    assert [name for name, _ in module.SCHEMA.fields] == fields


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            jwt,
            [
                "uri_param_names",
                "cookie_names",
                "key_claim_name",
                "secret_is_base64",
                "claims_to_verify",
                "anonymous",
                "run_on_preflight",
                "maximum_expiration",
                "header_names",
            ],
        ),
        (
            hmac_auth,
            [
                "hide_credentials",
                "clock_skew",
                "anonymous",
                "validate_request_body",
                "enforce_headers",
                "algorithms",
            ],
        ),
        (
            oauth2,
            [
                "scopes",
                "mandatory_scope",
                "provision_key",
                "token_expiration",
                "enable_authorization_code",
                "enable_implicit_grant",
                "enable_client_credentials",
                "enable_password_grant",
                "hide_credentials",
                "accept_http_if_already_terminated",
                "anonymous",
                "global_credentials",
                "auth_header_name",
                "refresh_token_ttl",
                "reuse_refresh_token",
                "pkce",
            ],
        ),
        (
            session,
            [
                "secret",
                "cookie_name",
                "cookie_lifetime",
                "cookie_idletime",
                "cookie_renew",
                "cookie_path",
                "cookie_domain",
                "cookie_samesite",
                "cookie_httponly",
                "cookie_secure",
                "cookie_discard",
                "storage",
                "logout_methods",
                "logout_query_arg",
                "logout_post_arg",
            ],
        ),
        (
            acme,
            [
                "account_email",
                "api_uri",
                "tos_accepted",
                "eab_kid",
                "eab_hmac_key",
                "cert_type",
                "rsa_key_size",
                "renew_threshold_days",
                "domains",
                "fail_backoff_minutes",
                "storage",
                "storage_config",
                "preferred_chain",
            ],
        ),
        (file_log, ["path", "reopen", "custom_fields_by_lua"]),
        (
            http_log,
            [
                "http_endpoint",
                "method",
                "content_type",
                "timeout",
                "keepalive",
                "retry_count",
                "queue_size",
                "flush_timeout",
                "headers",
                "custom_fields_by_lua",
            ],
        ),
        (
            prometheus,
            [
                "per_consumer",
                "status_code_metrics",
                "ai_metrics",
                "latency_metrics",
                "bandwidth_metrics",
                "upstream_health_metrics",
            ],
        ),
        (
            zipkin,
            [
                "local_service_name",
                "http_endpoint",
                "sample_ratio",
                "default_service_name",
                "include_credential",
                "traceid_byte_count",
                "header_type",
                "default_header_type",
                "tags_header",
                "static_tags",
            ],
        ),
    ],
)
def test_config_fields_are_kongs_in_order(module: ModuleType, names: list[str]) -> None:
    assert config_field_names(module.SCHEMA) == names


# a configuration each plugin accepts
VALID: dict[str, dict[str, Any]] = {
    "jwt": {},
    "hmac-auth": {},
    "oauth2": {"enable_client_credentials": True},
    "session": {},
    "acme": {"account_email": "ops@example.com"},
    "file-log": {"path": "/tmp/kong.log"},
    "http-log": {"http_endpoint": "http://logs.example.com/in"},
    "prometheus": {},
    "zipkin": {},
}
NO_CONSUMER = ["jwt", "hmac-auth", "oauth2", "session", "acme"]
HTTP_ONLY = ["jwt", "hmac-auth", "oauth2", "acme"]


@pytest.mark.parametrize("name", list(VALID))
def test_each_plugin_accepts_its_minimal_config(schema: EntitySchema, name: str) -> None:
    plugin, errors = insert(schema, name, VALID[name])
    assert errors is None
    assert plugin["protocols"] == HTTP_PROTOCOLS


@pytest.mark.parametrize("name", list(VALID))
def test_consumer_restriction(schema: EntitySchema, name: str) -> None:
    errors = errors_of(schema, name, VALID[name], consumer=consumer())
    if name in NO_CONSUMER:
        assert errors == {"consumer": "value must be null"}
    else:
        assert errors is None
    assert errors_of(schema, name, VALID[name], consumer=None) is None


@pytest.mark.parametrize("scope", ["route", "service"])
def test_acme_is_a_global_plugin(schema: EntitySchema, scope: str) -> None:
    assert errors_of(schema, "acme", VALID["acme"], **{scope: {"id": new_id()}}) == {
        scope: "value must be null"
    }
    # the others may be scoped
    assert errors_of(schema, "jwt", {}, **{scope: {"id": new_id()}}) is None


@pytest.mark.parametrize("name", list(VALID))
def test_protocol_restriction(schema: EntitySchema, name: str) -> None:
    errors = errors_of(schema, name, VALID[name], protocols=["http", "tcp"])
    if name in HTTP_ONLY:
        assert errors == {"protocols": {2: "expected one of: grpc, grpcs, http, https"}}
    else:
        # typedefs.protocols (file-log, http-log) or the plugins default: stream protocols too
        assert errors is None


@pytest.mark.parametrize("name", list(VALID))
def test_unknown_config_fields_are_refused(schema: EntitySchema, name: str) -> None:
    assert errors_of(schema, name, {**VALID[name], "nope": 1}) == {
        "config": {"nope": "unknown field"}
    }


# --------------------------------------------------------------------------------------------
# jwt: configuration


JWT_DEFAULTS = {
    "uri_param_names": ["jwt"],
    "cookie_names": [],
    "key_claim_name": "iss",
    "secret_is_base64": False,
    "claims_to_verify": None,
    "anonymous": None,
    "run_on_preflight": True,
    "maximum_expiration": 0,
    "header_names": ["authorization"],
}
JWT_CONDITIONAL = "failed conditional validation given value of field 'config.maximum_expiration'"


def test_jwt_fills_its_defaults(schema: EntitySchema) -> None:
    assert config_of(schema, "jwt", {}) == JWT_DEFAULTS


def test_jwt_validates_maximum_expiration(schema: EntitySchema) -> None:
    # 06-schema_spec: "validates 'maximum_expiration'"
    config = {"maximum_expiration": 60, "claims_to_verify": ["exp", "nbf"]}
    assert config_of(schema, "jwt", config) == {**JWT_DEFAULTS, **config}


@pytest.mark.parametrize("claims", [["exp", "nbf"], ["nbf"]])
def test_jwt_maximum_expiration_is_not_negative(schema: EntitySchema, claims: list[str]) -> None:
    # 06-schema_spec: "when 'maximum_expiration' is negative" (the conditional does not run)
    config = {"maximum_expiration": -1, "claims_to_verify": claims}
    assert errors_of(schema, "jwt", config) == {
        "config": {"maximum_expiration": "value should be between 0 and 31536000"}
    }


def test_jwt_maximum_expiration_needs_the_exp_claim(schema: EntitySchema) -> None:
    # 06-schema_spec: "when 'maximum_expiration' is specified without 'exp' in
    # 'claims_to_verify'"
    config = {"maximum_expiration": 60, "claims_to_verify": ["nbf"]}
    assert errors_of(schema, "jwt", config) == {
        "config": {"claims_to_verify": "expected to contain: exp"},
        "@entity": [JWT_CONDITIONAL],
    }
    # an absent set is null, which `contains` does not test (as in Kong)
    assert errors_of(schema, "jwt", {"maximum_expiration": 60}) is None
    # 0 is not > 0: no claim needed
    assert errors_of(schema, "jwt", {"maximum_expiration": 0, "claims_to_verify": ["nbf"]}) is None


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"claims_to_verify": ["exp", "iat"]},
            {"claims_to_verify": {2: "expected one of: exp, nbf"}},
        ),
        (
            {"maximum_expiration": 31536001},
            {"maximum_expiration": "value should be between 0 and 31536000"},
        ),
        ({"uri_param_names": "jwt"}, {"uri_param_names": "expected a set"}),
        ({"header_names": [1]}, {"header_names": {1: "expected a string"}}),
        ({"secret_is_base64": None}, {"secret_is_base64": "required field missing"}),
        ({"run_on_preflight": "yes"}, {"run_on_preflight": "expected a boolean"}),
        ({"key_claim_name": ""}, {"key_claim_name": "length must be at least 1"}),
    ],
)
def test_jwt_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "jwt", config) == {"config": expected}


def test_jwt_sets_drop_duplicates(schema: EntitySchema) -> None:
    config = config_of(schema, "jwt", {"cookie_names": ["a", "b", "a"]})
    assert config["cookie_names"] == ["a", "b"]


# --------------------------------------------------------------------------------------------
# jwt: jwt_secrets


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: Any) -> str:
    pem: bytes = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


def test_jwt_secrets_schema_is_kongs() -> None:
    s = schema_of(jwt.JwtSecret)
    assert (s.name, s.primary_key, s.endpoint_key, s.cache_key) == (
        "jwt_secrets",
        ("id",),
        "key",
        ("key",),
    )
    assert (s.workspaceable, s.ttl, s.admin_api_name, s.admin_api_nested_name) == (
        True,
        False,
        "jwts",
        "jwt",
    )
    assert [n for n, _ in s.fields] == [
        "id",
        "created_at",
        "consumer",
        "key",
        "secret",
        "rsa_public_key",
        "algorithm",
        "tags",
    ]
    fk = s.field_map["consumer"]
    assert (fk.reference, fk.required, fk.on_delete) == ("consumers", True, "cascade")
    assert s.unique_fields == ("key",)


def test_jwt_secret_generates_key_and_secret() -> None:
    # 02-api_spec: "does not fail when `secret` parameter for HS256 algorithms is missing"
    owner = consumer()
    cred = validate(jwt.JwtSecret, {"consumer": owner})
    assert RANDOM_32.fullmatch(cred["key"])
    assert RANDOM_32.fullmatch(cred["secret"])
    assert cred["key"] != cred["secret"]
    assert cred["algorithm"] == "HS256"
    assert cred["rsa_public_key"] is None
    assert cred["consumer"] == owner


def test_jwt_secret_accepts_any_key_and_secret() -> None:
    # 02-api_spec: "accepts any given `secret` and `key` parameters"
    cred = validate(jwt.JwtSecret, {"consumer": consumer(), "key": "bob2", "secret": "tooshort"})
    assert (cred["key"], cred["secret"]) == ("bob2", "tooshort")


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_jwt_rsa_algorithms_need_a_key(algorithm: str) -> None:
    # 02-api_spec: "fails with missing `rsa_public_key` parameter for RS256 algorithms"
    assert violation(jwt.JwtSecret, {"consumer": consumer(), "algorithm": algorithm}) == {
        "rsa_public_key": "required field missing",
        "@entity": ["failed conditional validation given value of field 'algorithm'"],
    }


def test_jwt_rsa_key_must_load() -> None:
    # 02-api_spec: "fails with an invalid rsa_public_key for RS256 algorithms"
    data = {"consumer": consumer(), "algorithm": "RS256", "rsa_public_key": "test"}
    assert violation(jwt.JwtSecret, data) == {
        "rsa_public_key": "invalid key",
        "@entity": ["failed conditional validation given value of field 'algorithm'"],
    }


def test_jwt_rsa_key_accepted(rsa_key: rsa.RSAPrivateKey) -> None:
    # 02-api_spec: "accepts a valid public key for RS256 when posted as json"
    pem = public_pem(rsa_key)
    cred = validate(
        jwt.JwtSecret,
        {"consumer": consumer(), "key": "bob4", "algorithm": "RS256", "rsa_public_key": pem},
    )
    assert cred["rsa_public_key"] == pem
    # a private key loads too (OpenSSL's pkey.new), and so does a non-RSA key
    private = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    ec_pem = public_pem(ec.generate_private_key(ec.SECP256R1()))
    for key in (private, ec_pem):
        data = {"consumer": consumer(), "algorithm": "RS512", "rsa_public_key": key}
        assert validate(jwt.JwtSecret, data)["rsa_public_key"] == key


def test_jwt_encrypted_private_key_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    encrypted = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    ).decode()
    data = {"consumer": consumer(), "algorithm": "RS256", "rsa_public_key": encrypted}
    assert violation(jwt.JwtSecret, data)["rsa_public_key"] == "invalid key"


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512", "ES256", "ES384"])
def test_jwt_other_algorithms_need_no_key(algorithm: str) -> None:
    # Kong 2.8 checks rsa_public_key for RS* only, ES* included in the one_of but not the check
    cred = validate(jwt.JwtSecret, {"consumer": consumer(), "algorithm": algorithm})
    assert cred["algorithm"] == algorithm
    # and a key given with them is not parsed
    data = {"consumer": consumer(), "algorithm": algorithm, "rsa_public_key": "test"}
    assert validate(jwt.JwtSecret, data)["rsa_public_key"] == "test"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"algorithm": "PS256"},
            {
                "algorithm": "expected one of: HS256, HS384, HS512, RS256, RS384, RS512, "
                "ES256, ES384"
            },
        ),
        ({"key": ""}, {"key": "length must be at least 1"}),
        ({"secret": 1}, {"secret": "expected a string"}),
        ({"consumer": None}, {"consumer": "required field missing"}),
        ({"consumer": {"id": "nope"}}, {"consumer": {"id": "expected a valid UUID"}}),
    ],
)
def test_jwt_secret_refuses(data: dict[str, Any], expected: Any) -> None:
    assert violation(jwt.JwtSecret, {"consumer": consumer(), **data}) == expected


def test_jwt_secret_repr_hides_the_secret() -> None:
    cred = schema_of(jwt.JwtSecret).to_entity(
        validate(jwt.JwtSecret, {"consumer": consumer(), "key": "iss-1", "secret": "hush-1"})
    )
    assert isinstance(cred, jwt.JwtSecret)
    assert cred.secret == "hush-1"
    assert "hush-1" not in repr(cred)
    assert "iss-1" in repr(cred)


# --------------------------------------------------------------------------------------------
# hmac-auth


HMAC_DEFAULTS = {
    "hide_credentials": False,
    "clock_skew": 300,
    "anonymous": None,
    "validate_request_body": False,
    "enforce_headers": [],
    "algorithms": ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"],
}


def test_hmac_auth_accepts_empty_config(schema: EntitySchema) -> None:
    # 01-schema_spec: "accepts empty config"
    assert config_of(schema, "hmac-auth", {}) == HMAC_DEFAULTS


def test_hmac_auth_accepts_correct_clock_skew(schema: EntitySchema) -> None:
    # 01-schema_spec: "accepts correct clock skew"
    assert config_of(schema, "hmac-auth", {"clock_skew": 10})["clock_skew"] == 10


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 01-schema_spec: "errors with negative clock skew"
        ({"clock_skew": -10}, {"clock_skew": "value must be greater than 0"}),
        ({"clock_skew": 0}, {"clock_skew": "value must be greater than 0"}),
        # 01-schema_spec: "errors with wrong algorithm"
        (
            {"algorithms": ["sha1024"]},
            {
                "algorithms": {
                    1: "expected one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512"
                }
            },
        ),
        ({"enforce_headers": "date"}, {"enforce_headers": "expected an array"}),
        ({"hide_credentials": None}, {"hide_credentials": "required field missing"}),
        ({"validate_request_body": 1}, {"validate_request_body": "expected a boolean"}),
    ],
)
def test_hmac_auth_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "hmac-auth", config) == {"config": expected}


def test_hmacauth_credentials_schema_is_kongs() -> None:
    s = schema_of(hmac_auth.HmacauthCredential)
    assert (s.name, s.endpoint_key, s.cache_key, s.workspaceable, s.ttl) == (
        "hmacauth_credentials",
        "username",
        ("username",),
        True,
        False,
    )
    assert (s.admin_api_name, s.admin_api_nested_name) == ("hmac-auths", "hmac-auth")
    assert [n for n, _ in s.fields] == [
        "id",
        "created_at",
        "consumer",
        "username",
        "secret",
        "tags",
    ]
    fk = s.field_map["consumer"]
    assert (fk.reference, fk.required, fk.on_delete) == ("consumers", True, "cascade")
    assert s.unique_fields == ("username",)


def test_hmacauth_credential_generates_its_secret() -> None:
    cred = validate(hmac_auth.HmacauthCredential, {"consumer": consumer(), "username": "bob"})
    assert RANDOM_32.fullmatch(cred["secret"])
    typed = schema_of(hmac_auth.HmacauthCredential).to_entity(cred)
    assert cred["secret"] not in repr(typed)
    assert "bob" in repr(typed)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # 02-api_spec: "returns bad request" (no username), "length must be at least 1",
        # "expected a string" for the secret
        ({}, {"username": "required field missing"}),
        ({"username": ""}, {"username": "length must be at least 1"}),
        ({"username": "bob", "secret": 123}, {"secret": "expected a string"}),
    ],
)
def test_hmacauth_credential_refuses(data: dict[str, Any], expected: Any) -> None:
    assert violation(hmac_auth.HmacauthCredential, {"consumer": consumer(), **data}) == expected


def test_hmacauth_consumer_is_required() -> None:
    # 02-api_spec: "schema violation (consumer: required field missing)"
    assert violation(hmac_auth.HmacauthCredential, {"username": "bob"}) == {
        "consumer": "required field missing"
    }


# --------------------------------------------------------------------------------------------
# oauth2: configuration


OAUTH2_DEFAULTS = {
    "scopes": None,
    "mandatory_scope": False,
    "token_expiration": 7200,
    "enable_authorization_code": False,
    "enable_implicit_grant": False,
    "enable_client_credentials": False,
    "enable_password_grant": False,
    "hide_credentials": False,
    "accept_http_if_already_terminated": False,
    "anonymous": None,
    "global_credentials": False,
    "auth_header_name": "authorization",
    "refresh_token_ttl": 1209600,
    "reuse_refresh_token": False,
    "pkce": "lax",
}
NO_FLOW = (
    "at least one of these fields must be true: enable_authorization_code, "
    "enable_implicit_grant, enable_client_credentials, enable_password_grant"
)


def test_oauth2_fills_its_defaults(schema: EntitySchema) -> None:
    config = config_of(schema, "oauth2", {"enable_authorization_code": True})
    provision_key = config.pop("provision_key")
    assert RANDOM_32.fullmatch(provision_key)
    assert config == {**OAUTH2_DEFAULTS, "enable_authorization_code": True}


def test_oauth2_scopes_not_required_without_mandatory_scope(schema: EntitySchema) -> None:
    # 01-schema_spec: "does not require `scopes` when `mandatory_scope` is false"
    config = {"enable_authorization_code": True, "mandatory_scope": False}
    assert errors_of(schema, "oauth2", config) is None


def test_oauth2_scopes_with_mandatory_scope(schema: EntitySchema) -> None:
    # 01-schema_spec: "valid when both `scopes` when `mandatory_scope` are given"
    config = {"enable_authorization_code": True, "mandatory_scope": True, "scopes": ["email"]}
    assert errors_of(schema, "oauth2", config) is None


def test_oauth2_provision_key_is_generated_or_kept(schema: EntitySchema) -> None:
    # 01-schema_spec: "autogenerates `provision_key` when not given", "does not autogenerate
    # `provision_key` when it is given"
    first = config_of(schema, "oauth2", {"enable_implicit_grant": True})["provision_key"]
    second = config_of(schema, "oauth2", {"enable_implicit_grant": True})["provision_key"]
    assert len(first) == 32
    assert first != second
    given = {"enable_implicit_grant": True, "provision_key": "hello"}
    assert config_of(schema, "oauth2", given)["provision_key"] == "hello"


def test_oauth2_keeps_given_values(schema: EntitySchema) -> None:
    # 01-schema_spec: "does not set default value for `auth_header_name` when it is given"
    config = {
        "enable_password_grant": True,
        "auth_header_name": "custom_header_name",
        "refresh_token_ttl": 0,
        "reuse_refresh_token": True,
        "pkce": "strict",
    }
    assert config_of(schema, "oauth2", config).items() >= config.items()


def test_oauth2_requires_at_least_one_flow(schema: EntitySchema) -> None:
    # 01-schema_spec: "requires at least one flow"
    assert errors_of(schema, "oauth2", {}) == {"config": NO_FLOW}
    assert errors_of(schema, "oauth2", {"enable_implicit_grant": False}) == {"config": NO_FLOW}
    # the record's own errors come first: the flow check runs on a valid record only
    assert errors_of(schema, "oauth2", {"pkce": "maybe"}) == {
        "config": {"pkce": "expected one of: none, lax, strict"}
    }


@pytest.mark.parametrize("flow", ["enable_implicit_grant", "enable_client_credentials"])
def test_oauth2_any_flow_will_do(schema: EntitySchema, flow: str) -> None:
    assert errors_of(schema, "oauth2", {flow: True}) is None


def test_oauth2_mandatory_scope_requires_scopes(schema: EntitySchema) -> None:
    # 01-schema_spec: "requires `scopes` when `mandatory_scope` is true"
    config = {"enable_authorization_code": True, "mandatory_scope": True}
    assert errors_of(schema, "oauth2", config) == {
        "config": {
            "scopes": "required field missing",
            "@entity": ["failed conditional validation given value of field 'mandatory_scope'"],
        }
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"token_expiration": None}, {"token_expiration": "required field missing"}),
        ({"scopes": "email"}, {"scopes": "expected an array"}),
        ({"provision_key": ""}, {"provision_key": "length must be at least 1"}),
        ({"global_credentials": "no"}, {"global_credentials": "expected a boolean"}),
    ],
)
def test_oauth2_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    config = {"enable_authorization_code": True, **config}
    assert errors_of(schema, "oauth2", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# oauth2: entities


def test_oauth2_entity_schemas_are_kongs() -> None:
    creds = schema_of(oauth2.OAuth2Credential)
    codes = schema_of(oauth2.OAuth2AuthorizationCode)
    tokens = schema_of(oauth2.OAuth2Token)
    assert (creds.name, creds.endpoint_key, creds.cache_key, creds.ttl) == (
        "oauth2_credentials",
        "client_id",
        ("client_id",),
        False,
    )
    assert (creds.admin_api_name, creds.admin_api_nested_name) == ("oauth2", None)
    assert [n for n, _ in creds.fields] == [
        "id",
        "created_at",
        "consumer",
        "name",
        "client_id",
        "client_secret",
        "hash_secret",
        "redirect_uris",
        "tags",
        "client_type",
    ]
    assert (codes.name, codes.ttl, codes.generate_admin_api, codes.cache_key) == (
        "oauth2_authorization_codes",
        True,
        False,
        None,
    )
    assert [n for n, _ in codes.fields] == [
        "id",
        "created_at",
        "service",
        "credential",
        "code",
        "authenticated_userid",
        "scope",
        "challenge",
        "challenge_method",
    ]
    assert (tokens.name, tokens.endpoint_key, tokens.cache_key, tokens.ttl) == (
        "oauth2_tokens",
        "access_token",
        ("access_token",),
        True,
    )
    assert [n for n, _ in tokens.fields] == [
        "id",
        "created_at",
        "service",
        "credential",
        "token_type",
        "expires_in",
        "access_token",
        "refresh_token",
        "authenticated_userid",
        "scope",
    ]
    assert all(s.workspaceable for s in (creds, codes, tokens))
    assert creds.unique_fields == ("client_id",)
    assert codes.unique_fields == ("code",)
    assert tokens.unique_fields == ("access_token", "refresh_token")


@pytest.mark.parametrize("cls", [oauth2.OAuth2AuthorizationCode, oauth2.OAuth2Token])
def test_oauth2_codes_and_tokens_foreign_keys(cls: type[Entity]) -> None:
    s = schema_of(cls)
    service, credential = s.field_map["service"], s.field_map["credential"]
    assert (service.reference, service.required, service.default, service.on_delete) == (
        "services",
        None,
        None,
        "cascade",
    )
    assert (credential.reference, credential.required, credential.on_delete) == (
        "oauth2_credentials",
        True,
        "cascade",
    )
    fk = schema_of(oauth2.OAuth2Credential).field_map["consumer"]
    assert (fk.reference, fk.required, fk.on_delete) == ("consumers", True, "cascade")


def test_oauth2_tokens_refuse_invalid_foreign_keys() -> None:
    # 01-schema_spec: "errors when given an invalid service_id on oauth tokens"
    tokens = schema_of(oauth2.OAuth2Token)
    assert tokens.validate_insert(
        {"credential": {"id": "foo"}, "service": {"id": "bar"}, "expires_in": 1}
    ) == {
        "credential": {"id": "expected a valid UUID"},
        "service": {"id": "expected a valid UUID"},
        "token_type": "required field missing",
    }
    assert tokens.validate_insert(
        {"credential": {"id": "foo"}, "service": {"id": new_id()}, "expires_in": 1}
    ) == {"credential": {"id": "expected a valid UUID"}, "token_type": "required field missing"}
    assert (
        tokens.validate_insert(
            {
                "credential": {"id": new_id()},
                "service": {"id": new_id()},
                "expires_in": 1,
                "token_type": "bearer",
            }
        )
        is None
    )


def test_oauth2_codes_refuse_invalid_foreign_keys() -> None:
    # 01-schema_spec: "errors when given an invalid service_id on oauth authorization codes"
    codes = schema_of(oauth2.OAuth2AuthorizationCode)
    assert codes.validate_insert({"credential": {"id": "foo"}, "service": {"id": "bar"}}) == {
        "credential": {"id": "expected a valid UUID"},
        "service": {"id": "expected a valid UUID"},
    }
    assert codes.validate_insert({"credential": {"id": "foo"}, "service": {"id": new_id()}}) == {
        "credential": {"id": "expected a valid UUID"}
    }
    assert (
        codes.validate_insert({"credential": {"id": new_id()}, "service": {"id": new_id()}}) is None
    )


def test_oauth2_credential_defaults_and_generated_values() -> None:
    cred = validate(oauth2.OAuth2Credential, {"consumer": consumer(), "name": "Test APP"})
    assert RANDOM_32.fullmatch(cred["client_id"])
    assert RANDOM_32.fullmatch(cred["client_secret"])
    assert (cred["hash_secret"], cred["client_type"], cred["redirect_uris"]) == (
        False,
        "confidential",
        None,
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # 02-api_spec: "returns bad request" and "returns bad request with invalid redirect_uris"
        ({"name": None}, {"name": "required field missing"}),
        ({"redirect_uris": ["not-valid"]}, {"redirect_uris": {1: "cannot parse 'not-valid'"}}),
        (
            {"redirect_uris": ["http://example.com/", "http://example.com/cb#frag"]},
            {"redirect_uris": {2: "fragment not allowed in 'http://example.com/cb#frag'"}},
        ),
        # LuaSocket keeps an empty fragment, which Kong refuses too
        (
            {"redirect_uris": ["https://example.com/#"]},
            {"redirect_uris": {1: "fragment not allowed in 'https://example.com/#'"}},
        ),
        ({"redirect_uris": ["/callback"]}, {"redirect_uris": {1: "cannot parse '/callback'"}}),
        ({"client_type": "private"}, {"client_type": "expected one of: confidential, public"}),
        ({"hash_secret": None}, {"hash_secret": "required field missing"}),
    ],
)
def test_oauth2_credential_refuses(data: dict[str, Any], expected: Any) -> None:
    base = {"consumer": consumer(), "name": "Test APP"}
    assert violation(oauth2.OAuth2Credential, {**base, **data}) == expected


def test_oauth2_credential_accepts_redirect_uris() -> None:
    uris = ["http://google.com/", "myapp://callback", "https://example.com:8443/cb?x=1"]
    cred = validate(
        oauth2.OAuth2Credential, {"consumer": consumer(), "name": "app", "redirect_uris": uris}
    )
    assert cred["redirect_uris"] == uris


def written(data: dict[str, Any]) -> dict[str, Any]:
    """An oauth2_credentials insert as the DAO writes it: validated, then transformed."""
    s = schema_of(oauth2.OAuth2Credential)
    return s.transform(s.validate_input(data), data)


def test_oauth2_credential_hashes_a_given_secret() -> None:
    # 02-api_spec: "creates oauth2 credential with a hashed client_secret"
    row = written(
        {"consumer": consumer(), "name": "app", "client_secret": "test", "hash_secret": True}
    )
    assert row["hash_secret"] is True
    assert re.fullmatch(
        r"\$pbkdf2-sha512\$i=10000,l=32\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", row["client_secret"]
    )
    assert oauth2.verify_secret("test", row["client_secret"])
    assert not oauth2.verify_secret("invalid", row["client_secret"])


def test_oauth2_credential_hashes_a_generated_secret() -> None:
    # 02-api_spec: "creates oauth2 credential with hash_secret"
    row = written({"consumer": consumer(), "name": "app", "hash_secret": True})
    assert row["client_secret"].startswith("$pbkdf2-sha512$")


@pytest.mark.parametrize(
    "data",
    [
        # 02-api_spec: "creates oauth2 credential without hashing the auto-generated
        # client_secret" and "... without hashing the client_secret"
        {},
        {"client_secret": "test"},
        {"client_secret": "test", "hash_secret": False},
    ],
)
def test_oauth2_credential_keeps_the_secret_in_clear_by_default(data: dict[str, Any]) -> None:
    row = written({"consumer": consumer(), "name": "app", **data})
    assert row["hash_secret"] is False
    assert not row["client_secret"].startswith("$pbkdf2")
    assert row["client_secret"] == data.get("client_secret", row["client_secret"])
    assert not oauth2.verify_secret("test", row["client_secret"])


def update_errors(update: dict[str, Any], stored: dict[str, Any]) -> Any:
    """A PATCH as the DAO validates it: merged over the stored row, with that row."""
    s = schema_of(oauth2.OAuth2Credential)
    merged = s.process_auto_fields(s.merge_values(update, stored), "update")
    return s.validate_update(merged, update, stored)


@pytest.mark.parametrize(
    "update",
    [
        # 02-api_spec: "updating client_secret requires hash_secret" and "updating hash_secret
        # requires client_secret"
        {"client_secret": "test"},
        {"hash_secret": True},
    ],
)
def test_oauth2_credential_secret_and_hashing_are_updated_together(update: dict[str, Any]) -> None:
    stored = validate(oauth2.OAuth2Credential, {"consumer": consumer(), "name": "app"})
    assert update_errors(update, stored) == {
        "@entity": ["all or none of these fields must be set: 'hash_secret', 'client_secret'"]
    }
    assert update_errors({"client_secret": "test", "hash_secret": True}, stored) is None
    # 02-api_spec: "updates a credential by id"
    assert update_errors({"name": "4321"}, stored) is None


def test_verify_client_secret_follows_hash_secret() -> None:
    s = schema_of(oauth2.OAuth2Credential)
    owner = consumer()
    hashed = s.to_entity(
        written({"consumer": owner, "name": "a", "client_secret": "s3", "hash_secret": True})
    )
    clear = s.to_entity(written({"consumer": owner, "name": "b", "client_secret": "s3"}))
    assert isinstance(hashed, oauth2.OAuth2Credential)
    assert isinstance(clear, oauth2.OAuth2Credential)
    assert oauth2.verify_client_secret(hashed, "s3")
    assert oauth2.verify_client_secret(clear, "s3")
    assert not oauth2.verify_client_secret(hashed, "s4")
    assert not oauth2.verify_client_secret(clear, "s4")
    # a hash is not a password: presenting the stored hash does not authenticate
    assert hashed.client_secret is not None
    assert not oauth2.verify_client_secret(hashed, hashed.client_secret)
    assert not oauth2.verify_client_secret(clear.evolve(client_secret=None), "s3")


def test_oauth2_codes_and_tokens_defaults() -> None:
    code = validate(oauth2.OAuth2AuthorizationCode, {"credential": {"id": new_id()}})
    assert RANDOM_32.fullmatch(code["code"])
    assert code["service"] is None
    token = validate(oauth2.OAuth2Token, {"credential": {"id": new_id()}, "expires_in": 7200})
    assert RANDOM_32.fullmatch(token["access_token"])
    assert (token["token_type"], token["refresh_token"], token["service"]) == ("bearer", None, None)


@pytest.mark.parametrize(
    ("cls", "data", "expected"),
    [
        (
            oauth2.OAuth2AuthorizationCode,
            {"challenge_method": "plain"},
            {"challenge_method": "expected one of: S256"},
        ),
        (
            oauth2.OAuth2AuthorizationCode,
            {"credential": None},
            {"credential": "required field missing"},
        ),
        (oauth2.OAuth2Token, {}, {"expires_in": "required field missing"}),
        (
            oauth2.OAuth2Token,
            {"expires_in": 1, "token_type": "mac"},
            {"token_type": "expected one of: bearer"},
        ),
        (oauth2.OAuth2Token, {"expires_in": 1.5}, {"expires_in": "expected an integer"}),
    ],
)
def test_oauth2_codes_and_tokens_refuse(
    cls: type[Entity], data: dict[str, Any], expected: Any
) -> None:
    assert violation(cls, {"credential": {"id": new_id()}, **data}) == expected


def test_oauth2_reprs_hide_secrets() -> None:
    owner = consumer()
    cred = schema_of(oauth2.OAuth2Credential).to_entity(
        validate(
            oauth2.OAuth2Credential,
            {"consumer": owner, "name": "app", "client_id": "cid-1", "client_secret": "cs-1"},
        )
    )
    code = schema_of(oauth2.OAuth2AuthorizationCode).to_entity(
        validate(oauth2.OAuth2AuthorizationCode, {"credential": {"id": new_id()}, "code": "co-1"})
    )
    token = schema_of(oauth2.OAuth2Token).to_entity(
        validate(
            oauth2.OAuth2Token,
            {
                "credential": {"id": new_id()},
                "expires_in": 60,
                "access_token": "at-1",
                "refresh_token": "rt-1",
            },
        )
    )
    assert "cs-1" not in repr(cred)
    assert "cid-1" in repr(cred)
    assert "co-1" not in repr(code)
    assert "at-1" not in repr(token)
    assert "rt-1" not in repr(token)
    assert isinstance(token, oauth2.OAuth2Token)
    assert (token.access_token, token.refresh_token) == ("at-1", "rt-1")


def test_oauth2_tokens_dao_hashes_its_cache_keys() -> None:
    # kong/plugins/oauth2/daos/oauth2_tokens.lua: "oauth2_tokens:" .. sha1 hex of the key
    tokens = schema_of(oauth2.OAuth2Token)
    db: Any = SimpleNamespace(
        connector=SimpleNamespace(name="postgres"), schemas={}, default_workspace_id=WS
    )
    no_strategy: Any = None  # cache keys need no strategy
    plain: DAO[Any] = DAO(db, tokens, no_strategy)
    hashed = OAuth2TokensDAO(db, tokens, no_strategy)
    # the key ends with the workspace (Kong's 7th segment), so the hash differs per workspace
    assert plain.cache_key("tok") == f"oauth2_tokens:tok:::::{WS}"
    digest = hashlib.sha1(f"oauth2_tokens:tok:::::{WS}".encode()).hexdigest()
    assert hashed.cache_key("tok") == f"oauth2_tokens:{digest}"
    assert hashed.cache_key({"access_token": "tok", "id": new_id()}) == f"oauth2_tokens:{digest}"
    assert "tok" not in hashed.cache_key("tok").partition(":")[2]


# --------------------------------------------------------------------------------------------
# oauth2: Kong's client secret hashing

# openssl kdf -keylen 32 -kdfopt digest:SHA512 -kdfopt pass:test
#   -kdfopt hexsalt:000102030405060708090a0b0c0d0e0f -kdfopt iter:10000 PBKDF2
KONG_HASH_OF_TEST = (
    "$pbkdf2-sha512$i=10000,l=32$AAECAwQFBgcICQoLDA0ODw$NMwhGswAcwTehPm6Lh7YDKUPGPCksviADY33+JfAlb0"
)
# the same with digest SHA256, 1000 iterations, a 16-byte key
OTHER_PARAMS_HASH_OF_TEST = (
    "$pbkdf2-sha256$i=1000,l=16$AAECAwQFBgcICQoLDA0ODw$30gHKOqC2ftR8AD2R1Mwig"
)


def test_hash_secret_writes_kongs_phc_string(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed_salt = SimpleNamespace(token_bytes=lambda n: bytes(range(n)))
    monkeypatch.setattr(oauth2_secret, "secrets", fixed_salt)
    assert oauth2.hash_secret("test") == KONG_HASH_OF_TEST


def test_hash_secret_salts_each_hash() -> None:
    first, second = oauth2.hash_secret("test"), oauth2.hash_secret("test")
    assert first != second
    assert oauth2.verify_secret("test", first)
    assert oauth2.verify_secret("test", second)
    with pytest.raises(TypeError, match="secret needs to be a string"):
        oauth2.hash_secret(None)  # type: ignore[arg-type]


def test_verify_secret() -> None:
    assert oauth2.verify_secret("test", KONG_HASH_OF_TEST)
    assert oauth2.verify_secret("test", OTHER_PARAMS_HASH_OF_TEST)
    assert not oauth2.verify_secret("Test", KONG_HASH_OF_TEST)
    assert not oauth2.verify_secret("", KONG_HASH_OF_TEST)


@pytest.mark.parametrize(
    "hashed",
    [
        None,
        "test",
        "$2b$12$abcdefghijklmnopqrstuv",  # bcrypt: disabled in Kong 2.8
        KONG_HASH_OF_TEST.replace("$AAEC", "$!!EC"),
        KONG_HASH_OF_TEST.replace("sha512", "sha999"),
        KONG_HASH_OF_TEST.replace("i=10000", "i=0"),
        KONG_HASH_OF_TEST + "$extra",
    ],
)
def test_verify_secret_refuses_what_is_not_a_pbkdf2_hash(hashed: str | None) -> None:
    assert not oauth2.verify_secret("test", hashed)


# --------------------------------------------------------------------------------------------
# session


def session_default_secret() -> str:
    config = session.SCHEMA.field_map["config"].record_field("secret")
    assert config is not None
    assert isinstance(config.default, str)
    return config.default


def test_session_fills_its_defaults(schema: EntitySchema) -> None:
    assert config_of(schema, "session", {}) == {
        "secret": session_default_secret(),
        "cookie_name": "session",
        "cookie_lifetime": 3600,
        "cookie_idletime": None,
        "cookie_renew": 600,
        "cookie_path": "/",
        "cookie_domain": None,
        "cookie_samesite": "Strict",
        "cookie_httponly": True,
        "cookie_secure": True,
        "cookie_discard": 10,
        "storage": "cookie",
        "logout_methods": ["POST", "DELETE"],
        "logout_query_arg": "session_logout",
        "logout_post_arg": "session_logout",
    }


def test_session_default_secret_is_drawn_once_per_process(schema: EntitySchema) -> None:
    secret = session_default_secret()
    # base64 of 32 bytes, with "/", "+" and "=" replaced by a digit, an upper and a lower letter
    assert re.fullmatch(r"[A-Za-z0-9]{43}[a-z]", secret)
    assert config_of(schema, "session", {})["secret"] == secret
    assert config_of(schema, "session", {"cookie_name": "x"})["secret"] == secret
    assert config_of(schema, "session", {"secret": "mine"})["secret"] == "mine"
    # a vault reference is accepted as is
    ref = "{vault://env/session-secret}"
    assert config_of(schema, "session", {"secret": ref})["secret"] == ref


def test_session_random_secret_replaces_each_character_class_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kongdao.plugins.session import schema as session_schema

    # 0xfb 0xff ... encodes as "+/" characters; randbelow(n) = n - 1: "9", "Z" and "z"
    fake = SimpleNamespace(
        token_bytes=lambda n: b"\xfb\xff\xbf" * 10 + b"\xfb\xff", randbelow=lambda n: n - 1
    )
    monkeypatch.setattr(session_schema, "secrets", fake)
    raw = base64.b64encode(b"\xfb\xff\xbf" * 10 + b"\xfb\xff").decode()
    assert "/" in raw
    assert "+" in raw
    assert raw.endswith("=")
    expected = raw.replace("/", "9").replace("+", "Z").replace("=", "z")
    assert session_schema._random_secret() == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"cookie_samesite": "strict"},
            {"cookie_samesite": "expected one of: Strict, Lax, None, off"},
        ),
        ({"storage": "redis"}, {"storage": "expected one of: cookie, kong"}),
        (
            {"logout_methods": ["GET", "PUT"]},
            {"logout_methods": {2: "expected one of: GET, POST, DELETE"}},
        ),
        ({"cookie_lifetime": "1h"}, {"cookie_lifetime": "expected a number"}),
        ({"cookie_secure": "yes"}, {"cookie_secure": "expected a boolean"}),
        ({"secret": ""}, {"secret": "length must be at least 1"}),
    ],
)
def test_session_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "session", config) == {"config": expected}


def test_sessions_schema_is_kongs() -> None:
    s = schema_of(session.Session)
    assert (s.name, s.primary_key, s.endpoint_key, s.cache_key, s.ttl, s.workspaceable) == (
        "sessions",
        ("id",),
        "session_id",
        ("session_id",),
        True,
        False,
    )
    assert [n for n, _ in s.fields] == ["id", "session_id", "expires", "data", "created_at"]
    assert s.unique_fields == ("session_id",)
    assert s.foreign_fields == ()


def test_sessions_validation_and_repr() -> None:
    row = validate(
        session.Session, {"session_id": "sid-1", "expires": 1700000000, "data": "blob-1"}
    )
    assert isinstance(row["created_at"], int)
    typed = schema_of(session.Session).to_entity(row)
    assert "sid-1" not in repr(typed)
    assert "blob-1" not in repr(typed)
    assert violation(session.Session, {}) == {"session_id": "required field missing"}
    assert violation(session.Session, {"session_id": "s", "expires": "soon"}) == {
        "expires": "expected an integer"
    }


# --------------------------------------------------------------------------------------------
# acme

ACME_EMAIL = "example@example.com"
TOS = "terms of service must be accepted, see https://letsencrypt.org/repository/"


def test_acme_fills_its_defaults(schema: EntitySchema) -> None:
    assert config_of(schema, "acme", {"account_email": ACME_EMAIL}) == {
        "account_email": ACME_EMAIL,
        "api_uri": "https://acme-v02.api.letsencrypt.org/directory",
        "tos_accepted": False,
        "eab_kid": None,
        "eab_hmac_key": None,
        "cert_type": "rsa",
        "rsa_key_size": 4096,
        "renew_threshold_days": 14,
        "domains": None,
        "fail_backoff_minutes": 5,
        "storage": "shm",
        "storage_config": {
            "shm": {"shm_name": "kong"},
            "kong": {},
            "redis": {"host": None, "port": None, "database": None, "auth": None},
            "consul": {
                "https": False,
                "host": None,
                "port": None,
                "kv_path": None,
                "timeout": None,
                "token": None,
            },
            "vault": {
                "https": False,
                "host": None,
                "port": None,
                "kv_path": None,
                "timeout": None,
                "token": None,
                "tls_verify": True,
                "tls_server_name": None,
                "auth_method": None,
                "auth_path": None,
                "auth_role": None,
                "jwt_path": None,
            },
        },
        "preferred_chain": None,
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 04-schema_spec: "accepts valid config"
        ({"account_email": ACME_EMAIL, "api_uri": "https://api.acme.org"}, None),
        # 04-schema_spec: "rejects invalid email"
        (
            {"account_email": "notaemail", "api_uri": "https://api.acme.org"},
            {"config": {"account_email": "invalid value: notaemail"}},
        ),
        # 04-schema_spec: "must accpet ToS for Let's Encrypt (unaccpeted,staging)"
        (
            {
                "account_email": ACME_EMAIL,
                "api_uri": "https://acme-staging-v02.api.letsencrypt.org",
            },
            {"@entity": [TOS], "config": {"tos_accepted": "value must be true"}},
        ),
        # 04-schema_spec: "must accpet ToS for Let's Encrypt (unaccpeted)"
        (
            {"account_email": ACME_EMAIL, "api_uri": "https://acme-v02.api.letsencrypt.org"},
            {"@entity": [TOS], "config": {"tos_accepted": "value must be true"}},
        ),
        # 04-schema_spec: "must accpet ToS for Let's Encrypt (accepted)"
        (
            {
                "account_email": ACME_EMAIL,
                "api_uri": "https://acme-v02.api.letsencrypt.org",
                "tos_accepted": True,
            },
            None,
        ),
        # the default URI ends in /directory: Kong's one_of does not list it
        ({"account_email": ACME_EMAIL}, None),
    ],
)
def test_acme_schema_spec(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "acme", config) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, {"account_email": "required field missing"}),
        ({"cert_type": "dsa"}, {"cert_type": "expected one of: rsa, ecc"}),
        ({"rsa_key_size": 1024}, {"rsa_key_size": "expected one of: 2048, 3072, 4096"}),
        ({"storage": "memory"}, {"storage": "expected one of: kong, shm, redis, consul, vault"}),
        ({"api_uri": "letsencrypt"}, {"api_uri": "missing host in url"}),
        (
            {"domains": ["*.example.*"]},
            {"domains": {1: "invalid wildcard: must have at most one wildcard"}},
        ),
        (
            {"storage_config": {"redis": {"port": 70000}}},
            {"storage_config": {"redis": {"port": "value should be between 0 and 65535"}}},
        ),
        (
            {"storage_config": {"vault": {"tls_verify": "yes"}}},
            {"storage_config": {"vault": {"tls_verify": "expected a boolean"}}},
        ),
        (
            {"storage_config": {"kong": {"table": "x"}}},
            {"storage_config": {"kong": {"table": "unknown field"}}},
        ),
    ],
)
def test_acme_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    config = {"account_email": ACME_EMAIL, **config} if config else config
    assert errors_of(schema, "acme", config) == {"config": expected}


def test_acme_storage_config_keeps_given_values(schema: EntitySchema) -> None:
    redis = {"host": "redis.local", "port": 6379, "database": 2, "auth": "{vault://env/redis}"}
    config = config_of(
        schema,
        "acme",
        {
            "account_email": ACME_EMAIL,
            "storage": "redis",
            "domains": ["example.com", "*.example.org"],
            "storage_config": {"redis": redis},
        },
    )
    assert config["storage_config"]["redis"] == redis
    assert config["storage_config"]["shm"] == {"shm_name": "kong"}
    assert config["domains"] == ["example.com", "*.example.org"]


def test_acme_storage_schema_is_kongs() -> None:
    s = schema_of(acme.AcmeStorage)
    assert (s.name, s.primary_key, s.cache_key, s.endpoint_key, s.ttl, s.workspaceable) == (
        "acme_storage",
        ("id",),
        ("key",),
        None,
        True,
        False,
    )
    assert [n for n, _ in s.fields] == ["id", "key", "value", "created_at"]
    assert s.unique_fields == ("key",)


def test_acme_storage_validation_and_repr() -> None:
    generated = validate(acme.AcmeStorage, {})
    assert RANDOM_32.fullmatch(generated["key"])
    assert RANDOM_32.fullmatch(generated["value"])
    row = validate(acme.AcmeStorage, {"key": "kong_acme:account:x", "value": "private-pem-1"})
    typed = schema_of(acme.AcmeStorage).to_entity(row)
    assert "private-pem-1" not in repr(typed)
    assert "kong_acme:account:x" in repr(typed)
    assert violation(acme.AcmeStorage, {"key": None}) == {"key": "required field missing"}
    assert violation(acme.AcmeStorage, {"value": 1}) == {"value": "expected a string"}


# --------------------------------------------------------------------------------------------
# file-log


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 02-schema_spec: "path is required", "rejects invalid filename"
        ({"reopen": True}, {"config": {"path": "required field missing"}}),
        ({"path": "/ovo*", "reopen": True}, {"config": {"path": "not a valid filename"}}),
        # 02-schema_spec: "accepts valid filename", "accepts custom fields set by lua code"
        ({"path": "/tmp/log.txt", "reopen": True}, None),
        ({"path": "/tmp/log.txt", "custom_fields_by_lua": {"foo": "return 'bar'"}}, None),
        # the other characters Kong's pattern refuses
        ({"path": "/tmp/a&b"}, {"config": {"path": "not a valid filename"}}),
        ({"path": "/tmp/100%"}, {"config": {"path": "not a valid filename"}}),
        ({"path": "C:\\logs"}, {"config": {"path": "not a valid filename"}}),
        ({"path": "/tmp/`id`"}, {"config": {"path": "not a valid filename"}}),
        # the field's err replaces every validator's message, len_min's too (as in Kong)
        ({"path": ""}, {"config": {"path": "not a valid filename"}}),
        (
            {"path": "/tmp/x", "custom_fields_by_lua": {"foo": ""}},
            {"config": {"custom_fields_by_lua": "length must be at least 1"}},
        ),
        ({"path": "/tmp/x", "reopen": None}, {"config": {"reopen": "required field missing"}}),
    ],
)
def test_file_log_schema(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "file-log", config, protocols=["http"]) == expected


def test_file_log_defaults(schema: EntitySchema) -> None:
    assert config_of(schema, "file-log", {"path": "/tmp/x"}) == {
        "path": "/tmp/x",
        "reopen": False,
        "custom_fields_by_lua": None,
    }


# --------------------------------------------------------------------------------------------
# http-log

ENDPOINT = "http://myservice.com/path"


def test_http_log_defaults(schema: EntitySchema) -> None:
    # 02-schema_spec: "accepts minimal config with defaults"
    assert config_of(schema, "http-log", {"http_endpoint": ENDPOINT}) == {
        "http_endpoint": ENDPOINT,
        "method": "POST",
        "content_type": "application/json",
        "timeout": 10000,
        "keepalive": 60000,
        "retry_count": 10,
        "queue_size": 1,
        "flush_timeout": 2,
        "headers": None,
        "custom_fields_by_lua": None,
    }


@pytest.mark.parametrize(
    "config",
    [
        # 02-schema_spec: "accepts empty headers with username/password in the http_endpoint",
        # "accepts custom fields by lua", "does accept allowed headers"
        {"http_endpoint": "http://bob:password@myservice.com/path"},
        {"http_endpoint": ENDPOINT, "custom_fields_by_lua": {"foo": "return 'bar'"}},
        {"http_endpoint": ENDPOINT, "headers": {"X-My-Header": ["123"]}},
        # an Authorization header without user info
        {"http_endpoint": ENDPOINT, "headers": {"Authorization": ["Basic x"]}},
        # Kong's pattern for Content-Length matches a lower-case "n" in "Length" only
        {"http_endpoint": ENDPOINT, "headers": {"Content-LeNgth": ["1"]}},
    ],
)
def test_http_log_accepts(schema: EntitySchema, config: dict[str, Any]) -> None:
    assert errors_of(schema, "http-log", config) is None


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # 02-schema_spec: "does not accept Host header", "... Content-Length header",
        # "... Content-Type header"
        ({"headers": {"Host": ["MyHost"]}}, {"headers": "cannot contain 'Host' header"}),
        (
            {"headers": {"coNTEnt-Length": ["123"]}},
            {"headers": "cannot contain 'Content-Length' header"},
        ),
        (
            {"headers": {"coNTEnt-Type": ["bad"]}},
            {"headers": "cannot contain 'Content-Type' header"},
        ),
        # header_name's own check still applies to keys
        (
            {"headers": {"X Bad": ["1"]}},
            {
                "headers": "bad header name 'X Bad', allowed characters are A-Z, a-z, 0-9, "
                "'_', and '-'"
            },
        ),
        ({"headers": {"X-A": "1"}}, {"headers": "expected an array"}),
        ({"method": "GET"}, {"method": "expected one of: POST, PUT, PATCH"}),
        ({"content_type": "text/plain"}, {"content_type": "expected one of: application/json"}),
        ({"retry_count": 1.5}, {"retry_count": "expected an integer"}),
        ({"http_endpoint": "myservice.com"}, {"http_endpoint": "missing host in url"}),
        ({"http_endpoint": None}, {"http_endpoint": "required field missing"}),
    ],
)
def test_http_log_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "http-log", {"http_endpoint": ENDPOINT, **config}) == {
        "config": expected
    }


def test_http_log_refuses_userinfo_with_authorization(schema: EntitySchema) -> None:
    # 02-schema_spec: "does not accept userinfo in URL and 'Authorization' header"
    config = {
        "http_endpoint": "http://hi:there@myservice.com/path",
        "headers": {"AuthoRIZATion": ["bad"]},
    }
    assert errors_of(schema, "http-log", config) == {
        "config": (
            "specifying both an 'Authorization' header and user info in 'http_endpoint' "
            "is not allowed"
        )
    }


# --------------------------------------------------------------------------------------------
# prometheus and zipkin


PROMETHEUS_DEFAULTS = {
    "per_consumer": False,
    "status_code_metrics": False,
    "ai_metrics": False,
    "latency_metrics": False,
    "bandwidth_metrics": False,
    "upstream_health_metrics": False,
}


def test_prometheus_config(schema: EntitySchema) -> None:
    assert config_of(schema, "prometheus", {}) == PROMETHEUS_DEFAULTS
    # a Kong 2.8 configuration: still valid, its value kept, the 3.x switches off
    assert config_of(schema, "prometheus", {"per_consumer": True}) == {
        **PROMETHEUS_DEFAULTS,
        "per_consumer": True,
    }
    # not required: an explicit null is kept
    assert config_of(schema, "prometheus", {"per_consumer": None}) == {
        **PROMETHEUS_DEFAULTS,
        "per_consumer": None,
    }
    assert errors_of(schema, "prometheus", {"per_consumer": "yes"}) == {
        "config": {"per_consumer": "expected a boolean"}
    }


def test_prometheus_takes_kong_3s_metric_switches(schema: EntitySchema) -> None:
    # a Kong 3 file (the corpus's 041, 047, 058): every switch on
    switches = dict.fromkeys(METRIC_SWITCHES, True)
    assert config_of(schema, "prometheus", switches) == {**PROMETHEUS_DEFAULTS, **switches}
    assert errors_of(
        schema, "prometheus", {"latency_metrics": "yes", "ai_metrics": 1, "wasm_metrics": True}
    ) == {
        "config": {
            "latency_metrics": "expected a boolean",
            "ai_metrics": "expected a boolean",
            # not in Kong 3.9.3 OSS
            "wasm_metrics": "unknown field",
        }
    }


def test_prometheus_row_stored_before_the_switches_reads_them_as_off(schema: EntitySchema) -> None:
    # a row written with Kong 2.8's schema has no switch: reading it fills their defaults
    row = {"id": new_id(), "name": "prometheus", "config": {"per_consumer": True}}
    read = schema.process_auto_fields(row, "select")
    assert read["config"] == {**PROMETHEUS_DEFAULTS, "per_consumer": True}


ZIPKIN_DEFAULTS = {
    "local_service_name": "kong",
    "http_endpoint": None,
    "sample_ratio": 0.001,
    "default_service_name": None,
    "include_credential": True,
    "traceid_byte_count": 16,
    "header_type": "preserve",
    "default_header_type": "b3",
    "tags_header": "Zipkin-Tags",
    "static_tags": None,
}


def test_zipkin_defaults(schema: EntitySchema) -> None:
    assert config_of(schema, "zipkin", {}) == ZIPKIN_DEFAULTS
    tags = [{"name": "env", "value": "prod"}, {"name": "team", "value": "api"}]
    config = {"http_endpoint": "http://example.dev", "static_tags": tags}
    assert config_of(schema, "zipkin", config) == {**ZIPKIN_DEFAULTS, **config}


def test_zipkin_refuses_repeated_tags(schema: EntitySchema) -> None:
    # schema_spec: "rejects repeated tags"
    config = {
        "http_endpoint": "http://example.dev",
        "static_tags": [{"name": "foo", "value": "bar"}, {"name": "foo", "value": "baz"}],
    }
    assert errors_of(schema, "zipkin", config) == {
        "config": {"static_tags": "repeated tags are not allowed: foo"}
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"static_tags": [{"name": "lc", "value": "x"}]},
            {
                "static_tags": {
                    1: {
                        "name": "must not be one of: error, http.method, http.path, "
                        "http.status_code, kong.balancer.state, kong.balancer.try, kong.consumer, "
                        "kong.credential, kong.node.id, kong.route, kong.service, lc, "
                        "peer.hostname"
                    }
                }
            },
        ),
        (
            {"static_tags": [{"name": "a"}]},
            {"static_tags": {1: {"value": "required field missing"}}},
        ),
        ({"sample_ratio": 1.5}, {"sample_ratio": "value should be between 0 and 1"}),
        ({"traceid_byte_count": 12}, {"traceid_byte_count": "expected one of: 8, 16"}),
        (
            {"header_type": "b4"},
            {"header_type": "expected one of: preserve, ignore, b3, b3-single, w3c, jaeger, ot"},
        ),
        (
            {"default_header_type": "preserve"},
            {"default_header_type": "expected one of: b3, b3-single, w3c, jaeger, ot"},
        ),
        ({"local_service_name": None}, {"local_service_name": "required field missing"}),
        ({"http_endpoint": "http://"}, {"http_endpoint": "missing host in url"}),
    ],
)
def test_zipkin_refuses(schema: EntitySchema, config: dict[str, Any], expected: Any) -> None:
    assert errors_of(schema, "zipkin", config) == {"config": expected}


# --------------------------------------------------------------------------------------------
# migrations: the frozen DDL is what the printers print today


def entity_modules() -> Iterator[ModuleType]:
    return (m for m in MODULES if m.PLUGIN.entities)


@pytest.mark.parametrize("module", list(entity_modules()), ids=lambda m: m.PLUGIN.name)
def test_migrations_are_the_ddl_of_their_entities(module: ModuleType) -> None:
    spec = module.PLUGIN
    schemas = {s.name or "": s for s in (schema_of(cls) for cls in CORE_ENTITIES)}
    schemas.update({s.name or "": s for s in spec.entity_schemas})
    assert spec.subsystem is not None
    (base,) = spec.subsystem.migrations
    pg = "\n".join(create_table_sql(s, schemas) for s in spec.entity_schemas)
    cql = "\n".join(create_table_cql(s, schemas) for s in spec.entity_schemas)
    assert base.step_for("postgres").up.strip() == pg.strip()
    assert split_statements(base.step_for("cassandra").up) == split_statements(cql)


def test_oauth2_tables_reference_each_other() -> None:
    sql = oauth2.PLUGIN.subsystem.migrations[0].step_for("postgres").up  # type: ignore[union-attr]
    for table in ("oauth2_authorization_codes", "oauth2_tokens"):
        assert (
            f'CONSTRAINT "{table}_credential_id_fkey" FOREIGN KEY ("credential_id", "ws_id") '
            'REFERENCES "oauth2_credentials" ("id", "ws_id") ON DELETE CASCADE'
        ) in sql
        assert (
            f'CONSTRAINT "{table}_service_id_fkey" FOREIGN KEY ("service_id", "ws_id") '
            'REFERENCES "services" ("id", "ws_id") ON DELETE CASCADE'
        ) in sql
        assert f'CREATE INDEX IF NOT EXISTS "{table}_ttl_idx"' in sql
    # the credentials table comes first: the others reference it
    assert sql.index('"oauth2_credentials" (') < sql.index('"oauth2_authorization_codes" (')


def test_a_db_serves_these_plugins() -> None:
    db = kongdao.connect(DSN, plugins=[m.PLUGIN for m in MODULES])._db
    core = [schema_of(cls).name for cls in CORE_ENTITIES]
    assert list(db.schemas) == [
        *core,
        "jwt_secrets",
        "hmacauth_credentials",
        "oauth2_credentials",
        "oauth2_authorization_codes",
        "oauth2_tokens",
        "sessions",
        "acme_storage",
    ]
    assert [s.name for s in db.subsystems] == [
        "core",
        "acme",
        "hmac-auth",
        "jwt",
        "oauth2",
        "session",
    ]
    assert set(db.schemas["plugins"].subschemas) == {m.PLUGIN.name for m in MODULES}
