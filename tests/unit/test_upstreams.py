"""The upstreams entity, ported from Kong's spec/01-unit/01-db/01-schema/09-upstreams_spec.lua.

Kong's spec builds the schema with ``Schema.new``, whose records are optional; an entity's
records are required (``Entity.new``), so the bare ``validate`` cases here process the input
first, or look at the field they are about.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kongdao.entities.certificates import Certificate
from kongdao.entities.upstreams import Upstream
from kongdao.schema import Ref, ShorthandError, schema_of, typedefs
from kongdao.schema.reader import compile_reader

UPSTREAMS = schema_of(Upstream)
A_VALID_UUID = "cbb297c0-a956-486d-ad1d-f9b42df9465a"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CONDITIONAL = "failed conditional validation given value of field '%s'"

PASSIVE_HEALTHY_2XX = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226]
PASSIVE_HEALTHY_3XX = [300, 301, 302, 303, 304, 305, 306, 307, 308]
HEALTHCHECKS_DEFAULTS = {
    "active": {
        "type": "http",
        "timeout": 1,
        "concurrency": 10,
        "http_path": "/",
        "https_sni": None,
        "https_verify_certificate": True,
        "healthy": {
            "interval": 0,
            "http_statuses": [200, 302],
            "successes": 0,
        },
        "unhealthy": {
            "interval": 0,
            "http_statuses": [429, 404, 500, 501, 502, 503, 504, 505],
            "tcp_failures": 0,
            "timeouts": 0,
            "http_failures": 0,
        },
    },
    "passive": {
        "type": "http",
        "healthy": {
            "http_statuses": PASSIVE_HEALTHY_2XX + PASSIVE_HEALTHY_3XX,
            "successes": 0,
        },
        "unhealthy": {
            "http_statuses": [429, 500, 503],
            "tcp_failures": 0,
            "timeouts": 0,
            "http_failures": 0,
        },
    },
    "threshold": 0,
}


def process(data: dict[str, Any], context: Any = "insert") -> dict[str, Any]:
    return UPSTREAMS.process_auto_fields(data, context)


def validate(data: dict[str, Any]) -> Any:
    return UPSTREAMS.validate(process(data))


def conditional(field: str) -> str:
    return CONDITIONAL % field


def test_schema_attributes() -> None:
    assert schema_of(Certificate).name == "certificates"  # the referenced entity is declared
    assert UPSTREAMS.name == "upstreams"
    assert UPSTREAMS.primary_key == ("id",)
    assert UPSTREAMS.endpoint_key == "name"
    assert UPSTREAMS.workspaceable
    assert UPSTREAMS.unique_fields == ("name",)
    assert [name for name, _ in UPSTREAMS.fields] == [
        "id",
        "created_at",
        "name",
        "algorithm",
        "hash_on",
        "hash_fallback",
        "hash_on_header",
        "hash_fallback_header",
        "hash_on_cookie",
        "hash_on_cookie_path",
        "slots",
        "healthchecks",
        "tags",
        "host_header",
        "client_certificate",
    ]
    assert UPSTREAMS.field_map["name"].required is True
    assert UPSTREAMS.field_map["healthchecks"].required is True  # records of entities are
    client_certificate = UPSTREAMS.field_map["client_certificate"]
    assert client_certificate.type == "foreign"
    assert client_certificate.reference == "certificates"
    assert client_certificate.on_delete in (None, "restrict")
    assert [sh.name for sh in UPSTREAMS.shorthand_fields] == ["algorithm", "hash_on"]


def test_validates_a_valid_upstream() -> None:
    upstream = process(
        {
            "id": A_VALID_UUID,
            "name": "my_service",
            "hash_on": "header",
            "hash_on_header": "X-Balance",
            "hash_fallback": "cookie",
            "hash_on_cookie": "a_cookie",
        }
    )
    assert UPSTREAMS.validate_insert(upstream) is None
    assert upstream["algorithm"] == "consistent-hashing"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1234", "Invalid name ('1234'); must be a valid hostname"),
        ("fafa fafa", "Invalid name ('fafa fafa'); must be a valid hostname"),
        ("192.168.0.1", "Invalid name ('192.168.0.1'); no ip addresses allowed"),
        ("myserver:8000", "Invalid name ('myserver:8000'); no port allowed"),
        ("123.123.123.123", "Invalid name ('123.123.123.123'); no ip addresses allowed"),
        (
            "\\\\bad\\\\////name////",
            "Invalid name ('\\\\bad\\\\////name////'); must be a valid hostname",
        ),
        ("name:80", "Invalid name ('name:80'); no port allowed"),
        ("name:99999", "Invalid name ('name:99999'); must be a valid hostname"),
        ("[::1]", "Invalid name ('[::1]'); no ip addresses allowed"),
    ],
)
def test_invalid_names(name: str, message: str) -> None:
    assert validate({"name": name}) == {"name": message}
    assert UPSTREAMS.validate({"name": name})["name"] == message


def test_name_is_required() -> None:
    assert validate({}) == {"name": "required field missing"}


@pytest.mark.parametrize("name", ["valid.host.name", "x", "my_service", "example.test."])
def test_accepts_valid_names(name: str) -> None:
    assert validate({"name": name}) is None


def test_invalid_hash_on_cookie() -> None:
    assert validate({"name": "x", "hash_on_cookie": "a cookie"}) == {
        "hash_on_cookie": (
            "bad cookie name 'a cookie', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
        )
    }


def test_validate_cookie_name() -> None:
    assert typedefs.validate_cookie_name("a_Cookie-1") is None
    assert typedefs.validate_cookie_name("") == "no cookie name provided"
    assert typedefs.validate_cookie_name(None) == "no cookie name provided"
    assert typedefs.validate_cookie_name("a;b") == (
        "bad cookie name 'a;b', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
    )


def test_invalid_hash_on_header() -> None:
    errors = validate({"name": "x", "hash_on": "header", "hash_on_header": "X Balance"})
    # Kong's conditional runs with invalid fields, and its then_match inherits the validator
    assert errors == {
        "hash_on_header": (
            "bad header name 'X Balance', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
        ),
        "@entity": [conditional("hash_on")],
    }


# -- hashing rules -------------------------------------------------------------------------------


def test_hash_on_header_makes_hash_on_header_required() -> None:
    assert validate({"name": "x", "hash_on": "header"}) == {
        "hash_on_header": "required field missing",
        "@entity": [conditional("hash_on")],
    }


def test_hash_fallback_header_makes_hash_fallback_header_required() -> None:
    errors = validate({"name": "x", "hash_on": "ip", "hash_fallback": "header"})
    assert errors == {
        "hash_fallback_header": "required field missing",
        "@entity": [conditional("hash_fallback")],
    }


def test_hash_on_cookie_makes_hash_on_cookie_required() -> None:
    assert validate({"name": "x", "hash_on": "cookie"}) == {
        "hash_on_cookie": "required field missing",
        "@entity": [conditional("hash_on")],
    }


def test_hash_fallback_cookie_makes_hash_on_cookie_required() -> None:
    errors = validate({"name": "x", "hash_on": "consumer", "hash_fallback": "cookie"})
    assert errors == {
        "hash_on_cookie": "required field missing",
        "@entity": [conditional("hash_fallback")],
    }


def test_hash_fallback_without_hash_on() -> None:
    # hash_on defaults to "none"; Kong's spec: hash_fallback "header" needs its header too
    errors = validate({"name": "x", "hash_fallback": "header"})
    assert errors == {
        "hash_fallback_header": "required field missing",
        "hash_fallback": "expected one of: none",
        "@entity": [conditional("hash_fallback"), conditional("hash_on")],
    }
    errors = validate({"name": "x", "hash_on": "none", "hash_fallback": "ip"})
    assert errors == {
        "hash_fallback": "expected one of: none",
        "@entity": [conditional("hash_on")],
    }


def test_hash_on_cookie_requires_hash_fallback_none() -> None:
    errors = validate(
        {"name": "x", "hash_on": "cookie", "hash_on_cookie": "c", "hash_fallback": "ip"}
    )
    assert errors == {
        "hash_fallback": "expected one of: none",
        "@entity": [conditional("hash_on")],
    }


@pytest.mark.parametrize(
    ("hash_on", "allowed"),
    [("consumer", "none, ip, header, cookie"), ("ip", "none, consumer, header, cookie")],
)
def test_hash_on_must_differ_from_hash_fallback(hash_on: str, allowed: str) -> None:
    assert validate({"name": "x", "hash_on": hash_on, "hash_fallback": hash_on}) == {
        "hash_fallback": f"expected one of: {allowed}",
        "@entity": [conditional("hash_on")],
    }


def test_hash_on_header_twice_needs_distinct_headers() -> None:
    data = {
        "name": "x",
        "hash_on": "header",
        "hash_on_header": "X-A",
        "hash_fallback": "header",
        "hash_fallback_header": "X-A",
    }
    assert validate(data) == {
        "@entity": [
            "values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header'"
        ]
    }
    assert validate({**data, "hash_fallback_header": "X-B"}) is None


# -- defaults and shorthands ---------------------------------------------------------------------


def test_produces_defaults() -> None:
    upstream = process({"name": "www.example.com"})
    assert UPSTREAMS.validate_insert(upstream) is None
    assert UUID_RE.match(upstream["id"])
    assert isinstance(upstream["created_at"], int)
    assert upstream["name"] == "www.example.com"
    assert upstream["algorithm"] == "round-robin"
    assert upstream["hash_on"] == "none"
    assert upstream["hash_fallback"] == "none"
    assert upstream["hash_on_header"] is None
    assert upstream["hash_fallback_header"] is None
    assert upstream["hash_on_cookie"] is None
    assert upstream["hash_on_cookie_path"] == "/"
    assert upstream["slots"] == 10000
    assert upstream["tags"] is None
    assert upstream["host_header"] is None
    assert upstream["client_certificate"] is None
    assert upstream["healthchecks"] == HEALTHCHECKS_DEFAULTS


def test_defaults_are_copies() -> None:
    first = process({"name": "a"})
    first["healthchecks"]["active"]["healthy"]["http_statuses"].append(999)
    assert process({"name": "b"})["healthchecks"] == HEALTHCHECKS_DEFAULTS


def test_partial_healthchecks_get_the_other_defaults() -> None:
    upstream = process({"name": "x", "healthchecks": {"active": {"healthy": {"interval": 5}}}})
    assert UPSTREAMS.validate_insert(upstream) is None
    expected = {
        **HEALTHCHECKS_DEFAULTS,
        "active": {
            **HEALTHCHECKS_DEFAULTS["active"],
            "healthy": {**HEALTHCHECKS_DEFAULTS["active"]["healthy"], "interval": 5},
        },
    }
    assert upstream["healthchecks"] == expected


def test_healthchecks_record() -> None:
    healthchecks = UPSTREAMS.field_map["healthchecks"]
    assert [name for name, _ in healthchecks.fields or ()] == ["active", "passive", "threshold"]
    active = healthchecks.record_field("active")
    assert active is not None
    assert [name for name, _ in active.fields or ()] == [
        "type",
        "timeout",
        "concurrency",
        "http_path",
        "https_sni",
        "https_verify_certificate",
        "healthy",
        "unhealthy",
    ]
    # as in Kong, the record's own default has neither threshold nor https_sni
    defaults = {k: v for k, v in HEALTHCHECKS_DEFAULTS.items() if k != "threshold"}
    defaults["active"] = {k: v for k, v in defaults["active"].items() if k != "https_sni"}
    assert healthchecks.default == defaults


def test_null_healthchecks_read_back_as_the_record_default() -> None:
    # Kong returns a required field's default as is on select: no threshold, no https_sni
    row = {**process({"name": "x"}), "healthchecks": None}
    healthchecks = process(row, "select")["healthchecks"]
    assert healthchecks == UPSTREAMS.field_map["healthchecks"].default
    assert "threshold" not in healthchecks


def test_null_healthchecks_is_refused() -> None:
    assert validate({"name": "x", "healthchecks": None}) == {
        "healthchecks": "required field missing"
    }


@pytest.mark.parametrize(
    ("data", "algorithm", "hash_on"),
    [
        ({}, "round-robin", "none"),
        ({"algorithm": "least-connections"}, "least-connections", "none"),
        ({"algorithm": "consistent-hashing"}, "consistent-hashing", "none"),
        ({"hash_on": "ip"}, "consistent-hashing", "ip"),
        ({"hash_on": "none"}, "round-robin", "none"),
        ({"hash_on": None}, "round-robin", "none"),
        ({"algorithm": "round-robin", "hash_on": "ip"}, "consistent-hashing", "ip"),
        ({"algorithm": "consistent-hashing", "hash_on": "none"}, "round-robin", "none"),
        # least-connections clears hash_on before hash_on's own shorthand runs
        ({"algorithm": "least-connections", "hash_on": "ip"}, "least-connections", "none"),
    ],
)
def test_algorithm_and_hash_on_shorthands(
    data: dict[str, Any], algorithm: str, hash_on: str
) -> None:
    upstream = process({"name": "x", **data})
    assert (upstream["algorithm"], upstream["hash_on"]) == (algorithm, hash_on)
    assert UPSTREAMS.validate_insert(upstream) is None


def test_shorthands_apply_to_updates() -> None:
    assert process({"hash_on": "consumer"}, "update") == {
        "hash_on": "consumer",
        "algorithm": "consistent-hashing",
    }
    assert process({"algorithm": "least-connections"}, "update") == {
        "algorithm": "least-connections",
        "hash_on": "none",
    }


def test_shorthands_apply_to_rows_read_back() -> None:
    # as in Kong, select-processing expands shorthands too: hash_on "none" means round-robin
    row = {**process({"name": "x"}), "algorithm": "consistent-hashing"}
    assert process(row, "select")["algorithm"] == "round-robin"
    row = {**process({"name": "x", "algorithm": "least-connections"})}
    assert process(row, "select")["algorithm"] == "least-connections"
    # so the DAO's compiled fast reader, which skips shorthands, is not used for upstreams
    assert compile_reader(UPSTREAMS) is None


def test_shorthand_values_must_be_strings() -> None:
    with pytest.raises(ShorthandError) as info:
        process({"name": "x", "algorithm": 1, "hash_on": True})
    assert info.value.errors == {"algorithm": "expected a string", "hash_on": "expected a string"}


def test_invalid_algorithm_and_hash_on() -> None:
    assert validate({"name": "x", "algorithm": "random"}) == {
        "algorithm": "expected one of: consistent-hashing, least-connections, round-robin"
    }
    errors = validate({"name": "x", "hash_on": "path"})
    assert errors is not None
    assert errors["hash_on"] == "expected one of: none, consumer, ip, header, cookie"


@pytest.mark.parametrize(("slots", "ok"), [(10, True), (65536, True), (9, False), (65537, False)])
def test_slots(slots: int, ok: bool) -> None:
    errors = validate({"name": "x", "slots": slots})
    assert errors == (None if ok else {"slots": "value should be between 10 and 65536"})


def test_hash_on_cookie_path() -> None:
    assert validate({"name": "x", "hash_on_cookie_path": "/a"}) is None
    assert validate({"name": "x", "hash_on_cookie_path": "a"}) == {
        "hash_on_cookie_path": "should start with: /"
    }


def test_client_certificate() -> None:
    upstream = process({"name": "x", "client_certificate": {"id": A_VALID_UUID}})
    assert UPSTREAMS.validate_insert(upstream) is None
    typed = UPSTREAMS.to_entity(upstream)
    assert isinstance(typed, Upstream)
    assert typed.client_certificate == Ref({"id": A_VALID_UUID})
    assert typed.healthchecks == HEALTHCHECKS_DEFAULTS
    assert validate({"name": "x", "client_certificate": {"id": "nope"}}) == {
        "client_certificate": {"id": "expected a valid UUID"}
    }


# -- host_header ("upstream attribute" in Kong's spec) -------------------------------------------


@pytest.mark.parametrize(
    ("host_header", "message"),
    [
        ("http://ahostname.test", "invalid hostname: http://ahostname.test"),
        ("ahostname-", "invalid hostname: ahostname-"),
        ("a hostname", "invalid hostname: a hostname"),
    ],
)
def test_host_header_must_be_a_valid_hostname(host_header: str, message: str) -> None:
    assert validate({"name": "host.test", "host_header": host_header}) == {"host_header": message}


@pytest.mark.parametrize("host_header", ["ahostname", "a.hostname.test", "a.hostname.test:8080"])
def test_host_header_accepts_valid_hostnames(host_header: str) -> None:
    assert validate({"name": "host.test", "host_header": host_header}) is None


# -- healthchecks ----------------------------------------------------------------------------------

SECONDS = "value should be between 0 and 65535"
POS_INTEGER = "value should be between 1 and 2147483648"
ZERO_INTEGER = "value should be between 0 and 255"
STATUS_CODE = "value should be between 100 and 999"
INTEGER = "expected an integer"
BOOLEAN = "expected a boolean"
NUMBER = "expected a number"
INVALID_HOST = "invalid value: "
INVALID_HOST_PORT = "must not have a port"
INVALID_IP = "must not be an IP"
THRESHOLD = "value should be between 0 and 100"
TIMEOUTS_1 = {"unhealthy": {"timeouts": 1}}

INVALID_HEALTHCHECKS: list[tuple[dict[str, Any], str]] = [
    ({"active": {"timeout": -1}}, SECONDS),
    ({"active": {"timeout": 1e42}}, SECONDS),
    ({"active": {"concurrency": 0.5}}, INTEGER),
    ({"active": {"concurrency": 0}}, POS_INTEGER),
    ({"active": {"concurrency": -10}}, POS_INTEGER),
    ({"active": {"http_path": ""}}, "length must be at least 1"),
    ({"active": {"http_path": "ovo"}}, "should start with: /"),
    ({"active": {"https_sni": "127.0.0.1"}}, INVALID_IP),
    ({"active": {"https_sni": "127.0.0.1:8080"}}, INVALID_IP),
    ({"active": {"https_sni": "/example"}}, INVALID_HOST),
    ({"active": {"https_sni": ".example"}}, INVALID_HOST),
    ({"active": {"https_sni": "example:"}}, INVALID_HOST),
    ({"active": {"https_sni": "mock;bin"}}, INVALID_HOST),
    ({"active": {"https_sni": "example.com/org"}}, INVALID_HOST),
    ({"active": {"https_sni": "example-.org"}}, INVALID_HOST),
    ({"active": {"https_sni": "example.org-"}}, INVALID_HOST),
    ({"active": {"https_sni": "hello..example.com"}}, INVALID_HOST),
    ({"active": {"https_sni": "hello-.example.com"}}, INVALID_HOST),
    ({"active": {"https_sni": "example.com:1234"}}, INVALID_HOST_PORT),
    ({"active": {"https_verify_certificate": "ovo"}}, BOOLEAN),
    ({"active": {"healthy": {"interval": -1}}}, SECONDS),
    ({"active": {"healthy": {"interval": 1e42}}}, SECONDS),
    ({"active": {"healthy": {"http_statuses": 404}}}, "expected an array"),
    ({"active": {"healthy": {"http_statuses": ["ovo"]}}}, INTEGER),
    ({"active": {"healthy": {"http_statuses": [-1]}}}, STATUS_CODE),
    ({"active": {"healthy": {"http_statuses": [99]}}}, STATUS_CODE),
    ({"active": {"healthy": {"http_statuses": [1000]}}}, STATUS_CODE),
    ({"active": {"healthy": {"http_statuses": [111.314]}}}, INTEGER),
    ({"active": {"healthy": {"successes": 0.5}}}, INTEGER),
    ({"active": TIMEOUTS_1, "threshold": -1}, THRESHOLD),
    ({"active": TIMEOUTS_1, "threshold": 101}, THRESHOLD),
    ({"active": TIMEOUTS_1, "threshold": "50"}, NUMBER),
    ({"active": TIMEOUTS_1, "threshold": True}, NUMBER),
    ({"active": {"healthy": {"successes": -1}}}, ZERO_INTEGER),
    ({"active": {"healthy": {"successes": 256}}}, ZERO_INTEGER),
    ({"active": {"unhealthy": {"interval": -1}}}, SECONDS),
    ({"active": {"unhealthy": {"interval": 1e42}}}, SECONDS),
    ({"active": {"unhealthy": {"http_statuses": 404}}}, "expected an array"),
    ({"active": {"unhealthy": {"http_statuses": ["ovo"]}}}, INTEGER),
    ({"active": {"unhealthy": {"http_statuses": [-1]}}}, STATUS_CODE),
    ({"active": {"unhealthy": {"http_statuses": [99]}}}, STATUS_CODE),
    ({"active": {"unhealthy": {"http_statuses": [1000]}}}, STATUS_CODE),
    ({"active": {"unhealthy": {"tcp_failures": 0.5}}}, INTEGER),
    ({"active": {"unhealthy": {"tcp_failures": 256}}}, ZERO_INTEGER),
    ({"active": {"unhealthy": {"tcp_failures": -1}}}, ZERO_INTEGER),
    ({"active": {"unhealthy": {"timeouts": 0.5}}}, INTEGER),
    ({"active": {"unhealthy": {"timeouts": 256}}}, ZERO_INTEGER),
    ({"active": {"unhealthy": {"timeouts": -1}}}, ZERO_INTEGER),
    ({"active": {"unhealthy": {"http_failures": 0.5}}}, INTEGER),
    ({"active": {"unhealthy": {"http_failures": -1}}}, ZERO_INTEGER),
    ({"active": {"unhealthy": {"http_failures": 256}}}, ZERO_INTEGER),
    ({"passive": {"healthy": {"http_statuses": 404}}}, "expected an array"),
    ({"passive": {"healthy": {"http_statuses": ["ovo"]}}}, INTEGER),
    ({"passive": {"healthy": {"http_statuses": [-1]}}}, STATUS_CODE),
    ({"passive": {"healthy": {"http_statuses": [99]}}}, STATUS_CODE),
    ({"passive": {"healthy": {"http_statuses": [1000]}}}, STATUS_CODE),
    ({"passive": {"healthy": {"successes": 0.5}}}, INTEGER),
    ({"passive": {"healthy": {"successes": -1}}}, ZERO_INTEGER),
    ({"passive": {"unhealthy": {"http_statuses": 404}}}, "expected an array"),
    ({"passive": {"unhealthy": {"http_statuses": ["ovo"]}}}, INTEGER),
    ({"passive": {"unhealthy": {"http_statuses": [-1]}}}, STATUS_CODE),
    ({"passive": {"unhealthy": {"http_statuses": [99]}}}, STATUS_CODE),
    ({"passive": {"unhealthy": {"http_statuses": [1000]}}}, STATUS_CODE),
    ({"passive": {"unhealthy": {"tcp_failures": 0.5}}}, INTEGER),
    ({"passive": {"unhealthy": {"tcp_failures": -1}}}, ZERO_INTEGER),
    ({"passive": {"unhealthy": {"tcp_failures": 256}}}, ZERO_INTEGER),
    ({"passive": {"unhealthy": {"timeouts": 0.5}}}, INTEGER),
    ({"passive": {"unhealthy": {"timeouts": 256}}}, ZERO_INTEGER),
    ({"passive": {"unhealthy": {"timeouts": -1}}}, ZERO_INTEGER),
    ({"passive": {"unhealthy": {"http_failures": 0.5}}}, INTEGER),
    ({"passive": {"unhealthy": {"http_failures": -1}}}, ZERO_INTEGER),
    ({"passive": {"unhealthy": {"http_failures": 256}}}, ZERO_INTEGER),
    ({"passive": TIMEOUTS_1, "threshold": -1}, THRESHOLD),
    ({"passive": TIMEOUTS_1, "threshold": 101}, THRESHOLD),
    ({"passive": TIMEOUTS_1, "threshold": "50"}, NUMBER),
    ({"passive": TIMEOUTS_1, "threshold": True}, NUMBER),
    ({"active": {"type": "udp"}}, "expected one of: tcp, http, https, grpc, grpcs"),
]


def only_leaf(errors: Any) -> tuple[list[Any], Any]:
    """The path to the single message of a nested error table, and the message."""
    path: list[Any] = []
    while isinstance(errors, dict):
        assert len(errors) == 1, errors
        key = next(iter(errors))
        path.append(key)
        errors = errors[key]
    return path, errors


@pytest.mark.parametrize(("healthchecks", "message"), INVALID_HEALTHCHECKS)
def test_rejects_invalid_healthchecks(healthchecks: dict[str, Any], message: str) -> None:
    errors = UPSTREAMS.validate({"name": "x", "healthchecks": healthchecks})
    path, leaf = only_leaf(errors)
    assert path[0] == "healthchecks"
    if message == INVALID_HOST:
        assert leaf == INVALID_HOST + healthchecks["active"]["https_sni"]
    else:
        assert leaf == message


VALID_HEALTHCHECKS: list[dict[str, Any]] = [
    {"active": {"timeout": 0.5}},
    {"active": {"timeout": 1}},
    {"active": {"concurrency": 2}},
    {"active": {"http_path": "/"}},
    {"active": {"http_path": "/test"}},
    {"active": {"https_sni": "example.com"}},
    {"active": {"https_sni": "example.test."}},
    {"active": {"https_verify_certificate": False}},
    {"active": {"healthy": {"interval": 0}}},
    {"active": {"healthy": {"http_statuses": [200, 300]}}},
    {"active": {"healthy": {"successes": 2}}},
    {"active": {"healthy": {"successes": 255}}},
    {"active": {"unhealthy": {"interval": 0}}},
    {"active": {"unhealthy": {"http_statuses": [404]}}},
    {"active": {"unhealthy": {"tcp_failures": 3}}},
    {"active": {"unhealthy": {"tcp_failures": 255}}},
    {"active": {"unhealthy": {"timeouts": 9}}},
    {"active": {"unhealthy": {"timeouts": 255}}},
    {"active": {"unhealthy": {"http_failures": 2}}},
    {"active": {"unhealthy": {"http_failures": 2}}, "threshold": 0},
    {"active": {"unhealthy": {"http_failures": 2}}, "threshold": 50.50},
    {"active": {"unhealthy": {"http_failures": 2}}, "threshold": 100},
    {"passive": {"healthy": {"http_statuses": [200, 201]}}},
    {"passive": {"healthy": {"successes": 2}}},
    {"passive": {"healthy": {"successes": 255}}},
    {"passive": {"unhealthy": {"http_statuses": [400, 500]}}},
    {"passive": {"unhealthy": {"tcp_failures": 8}}},
    {"passive": {"unhealthy": {"tcp_failures": 255}}},
    {"passive": {"unhealthy": {"timeouts": 1}}},
    {"passive": {"unhealthy": {"timeouts": 255}}},
    {"passive": {"unhealthy": {"http_failures": 2}}},
    {"passive": {"unhealthy": {"http_failures": 255}}},
    {"passive": {"unhealthy": {"http_failures": 2}}, "threshold": 0},
    {"passive": {"unhealthy": {"http_failures": 2}}, "threshold": 50.50},
    {"passive": {"unhealthy": {"http_failures": 2}}, "threshold": 100},
    {"active": {"type": "grpcs", "concurrency": 2**31}},
]


@pytest.mark.parametrize("healthchecks", VALID_HEALTHCHECKS)
def test_accepts_valid_healthchecks(healthchecks: dict[str, Any]) -> None:
    assert UPSTREAMS.validate({"name": "x", "healthchecks": healthchecks}) is None
    assert validate({"name": "x", "healthchecks": healthchecks}) is None
