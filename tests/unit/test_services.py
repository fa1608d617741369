"""The services entity, ported from Kong's spec/01-unit/01-db/01-schema/05-services_spec.lua."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kongdao.entities import Service
from kongdao.schema import Ref, ShorthandError, schema_of

SERVICES = schema_of(Service)
A_VALID_UUID = "cbb297c0-a956-486d-ad1d-f9b42df9465a"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def insert(data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Process ``data`` for an insert and validate it: the entity and the errors (or None)."""
    processed = SERVICES.process_auto_fields(data, "insert")
    return processed, SERVICES.validate_insert(processed)


def base(**fields: Any) -> dict[str, Any]:
    """A valid service (as Kong's spec writes them), with ``fields`` added."""
    return {"protocol": "http", "host": "example.com", "port": 80, "enabled": True, **fields}


def test_schema_attributes() -> None:
    assert SERVICES.name == "services"
    assert SERVICES.primary_key == ("id",)
    assert SERVICES.endpoint_key == "name"
    assert SERVICES.workspaceable
    assert SERVICES.unique_fields == ("name",)
    assert [name for name, _ in SERVICES.fields] == [
        "id",
        "created_at",
        "updated_at",
        "name",
        "retries",
        "protocol",
        "host",
        "port",
        "path",
        "connect_timeout",
        "write_timeout",
        "read_timeout",
        "tags",
        "client_certificate",
        "tls_verify",
        "tls_verify_depth",
        "ca_certificates",
        "enabled",
    ]
    certificate = SERVICES.field_map["client_certificate"]
    assert certificate.type == "foreign"
    assert certificate.reference == "certificates"


def test_url_shorthand_acceptance_example() -> None:
    service, errors = insert({"name": "mockbin", "url": "http://mockbin.org/request"})
    assert errors is None
    assert "url" not in service
    assert UUID_RE.match(service["id"])
    assert isinstance(service["created_at"], int)
    assert service["created_at"] == service["updated_at"]
    expected = {
        "name": "mockbin",
        "protocol": "http",
        "host": "mockbin.org",
        "port": 80,
        "path": "/request",
        "retries": 5,
        "connect_timeout": 60000,
        "write_timeout": 60000,
        "read_timeout": 60000,
        "tags": None,
        "client_certificate": None,
        "tls_verify": None,
        "tls_verify_depth": None,
        "ca_certificates": None,
        "enabled": True,
    }
    assert {k: service[k] for k in expected} == expected

    svc = SERVICES.to_entity(service)
    assert isinstance(svc, Service)
    assert svc.host == "mockbin.org"
    assert svc.port == 80
    assert svc.client_certificate is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://example.com",
            {"protocol": "https", "host": "example.com", "port": 443, "path": None},
        ),
        (
            "http://example.com:8080/a/b",
            {"protocol": "http", "host": "example.com", "port": 8080, "path": "/a/b"},
        ),
        (
            "grpc://example.com:9000",
            {"protocol": "grpc", "host": "example.com", "port": 9000, "path": None},
        ),
        (
            "tcp://example.com",
            {"protocol": "tcp", "host": "example.com", "port": 80, "path": None},
        ),
        (
            "//example.com:443/x",
            {"protocol": "https", "host": "example.com", "port": 443, "path": "/x"},
        ),
        (
            "//example.com:80",
            {"protocol": "http", "host": "example.com", "port": 80, "path": None},
        ),
        ("//example.com", {"protocol": "http", "host": "example.com", "port": 80, "path": None}),
        (
            # Lua's tonumber reads hexadecimal too
            "//example.com:0x1BB",
            {"protocol": "https", "host": "example.com", "port": 443, "path": None},
        ),
        (
            "http://[::1]:8000/x",
            {"protocol": "http", "host": "::1", "port": 8000, "path": "/x"},
        ),
    ],
)
def test_url_shorthand(url: str, expected: dict[str, Any]) -> None:
    service, errors = insert({"url": url})
    assert errors is None
    assert {k: service[k] for k in expected} == expected


def test_url_shorthand_overrides_fields() -> None:
    service, errors = insert({"host": "ignored.org", "port": 1, "url": "https://example.com/x"})
    assert errors is None
    assert (service["host"], service["port"], service["path"]) == ("example.com", 443, "/x")


def test_url_shorthand_invalid_parts_are_reported() -> None:
    _, errors = insert({"url": "example.com"})
    assert errors is not None
    assert errors["host"] == "required field missing"
    assert errors["path"] == "should start with: /"

    _, errors = insert({"url": "http://example.com:80x/"})
    assert errors == {"port": "expected an integer"}

    _, errors = insert({"url": "http://example.com:99999"})
    assert errors == {"port": "value should be between 0 and 65535"}


def test_url_shorthand_must_be_a_string() -> None:
    with pytest.raises(ShorthandError) as info:
        SERVICES.process_auto_fields({"url": 42}, "insert")
    assert info.value.errors == {"url": "expected a string"}


def test_validates_a_valid_service() -> None:
    _, errors = insert(
        {
            "id": A_VALID_UUID,
            "name": "my_service",
            "protocol": "http",
            "host": "example.com",
            "port": 80,
            "path": "/foo",
            "connect_timeout": 50,
            "write_timeout": 100,
            "read_timeout": 100,
        }
    )
    assert errors is None


def test_null_protocol_produces_error() -> None:
    _, errors = insert({"protocol": None})
    assert errors is not None
    assert errors["protocol"] == "required field missing"


def test_null_protocol_produces_error_on_update() -> None:
    processed = SERVICES.process_auto_fields({"protocol": None}, "update")
    errors = SERVICES.validate_update(processed)
    assert errors is not None
    assert errors["protocol"] == "required field missing"


def test_invalid_protocol_produces_error() -> None:
    _, errors = insert({"protocol": "ftp"})
    assert errors is not None
    assert errors["protocol"] == (
        "expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"
    )


def test_missing_host_produces_error() -> None:
    _, errors = insert({})
    assert errors is not None
    assert errors["host"] == "required field missing"


@pytest.mark.parametrize("retries", [-1, 10000000000, 32768])
def test_invalid_retries_produces_error(retries: int) -> None:
    _, errors = insert({"host": "example.com", "retries": retries})
    assert errors == {"retries": "value should be between 0 and 32767"}


def test_produces_defaults() -> None:
    service, errors = insert({"host": "www.example.com"})
    assert errors is None
    assert UUID_RE.match(service["id"])
    assert service["name"] is None
    assert service["protocol"] == "http"
    assert service["host"] == "www.example.com"
    assert service["port"] == 80
    assert service["path"] is None
    assert service["retries"] == 5
    assert service["connect_timeout"] == 60000
    assert service["write_timeout"] == 60000
    assert service["read_timeout"] == 60000
    assert service["enabled"] is True


# -- timeouts ------------------------------------------------------------------------------------


def test_timeouts_should_not_be_zero() -> None:
    errors = SERVICES.validate(
        base(protocol="https", connect_timeout=0, read_timeout=0, write_timeout=0)
    )
    assert errors == {
        "connect_timeout": "value should be between 1 and 2147483646",
        "read_timeout": "value should be between 1 and 2147483646",
        "write_timeout": "value should be between 1 and 2147483646",
    }


def test_timeouts_greater_than_zero() -> None:
    errors = SERVICES.validate(
        base(protocol="https", connect_timeout=1, read_timeout=10, write_timeout=100)
    )
    assert errors is None


# -- path ------------------------------------------------------------------------------------------


def path_error(path: Any) -> Any:
    errors = SERVICES.validate({"path": path})
    assert errors is not None
    return errors["path"]


def test_path_must_be_a_string() -> None:
    assert path_error(False) == "expected a string"


def test_path_must_be_a_non_empty_string() -> None:
    assert path_error("") == "length must be at least 1"


def test_path_must_start_with_slash() -> None:
    assert path_error("foo") == "should start with: /"


@pytest.mark.parametrize("path", ["/foo//bar", "/foo/bar//", "//foo/bar"])
def test_path_must_not_have_empty_segments(path: str) -> None:
    assert path_error(path) == "must not have empty segments"


@pytest.mark.parametrize("path", ["/users/|foo/profile", "/users/(this|foo/profile)"])
def test_path_rejects_regexes_and_non_rfc3986_chars(path: str) -> None:
    assert path_error(path) == (
        f"invalid path: '{path}' (characters outside of the reserved list of RFC 3986 found)"
    )


def test_path_accepts_sub_delims() -> None:
    assert SERVICES.validate(base(path="/hello/path$with$!&'()*+,;=stuff")) is None


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ("/some%2words", "%2w"),
        ("/some%0Xwords", "%0X"),
        ("/some%2Gwords", "%2G"),
        ("/some%20words%", "%"),
        ("/some%20words%a", "%a"),
        ("/some%20words%ax", "%ax"),
    ],
)
def test_path_rejects_badly_percent_encoded_values(path: str, bad: str) -> None:
    assert path_error(path) == f"invalid url-encoded value: '{bad}'"


@pytest.mark.parametrize("path", ["/", "/abcd~user~2", "/abcd%aa%10%ff%AA%FF", "/ovo/"])
def test_path_acceptance(path: str) -> None:
    assert SERVICES.validate(base(path=path)) is None


# -- host ------------------------------------------------------------------------------------------


def host_error(host: Any) -> Any:
    errors = SERVICES.validate({"host": host})
    assert errors is not None
    return errors["host"]


def test_host_must_be_a_string() -> None:
    assert host_error(False) == "expected a string"


def test_host_must_be_a_non_empty_string() -> None:
    assert host_error("") == "length must be at least 1"


@pytest.mark.parametrize(
    "host",
    [
        "/example",
        ".example",
        "example:",
        "mock;bin",
        "example.com/org",
        "example-.org",
        "example.org-",
        "hello..example.com",
        "hello-.example.com",
        "*example.com",
        "www.example*",
        "mock*bin.com",
    ],
)
def test_host_rejects_invalid_hostnames(host: str) -> None:
    assert host_error(host) == f"invalid value: {host}"


def test_host_rejects_values_with_a_valid_port() -> None:
    assert host_error("example.com:80") == "must not have a port"


def test_host_rejects_values_with_an_invalid_port() -> None:
    assert host_error("example.com:1000000") == "must not have a port"


@pytest.mark.parametrize(
    "host",
    [
        "hello.com",
        "hello.fr",
        "test.hello.com",
        "1991.io",
        "hello.COM",
        "HELLO.com",
        "123helloWORLD.com",
        "example.123",
        "example-api.com",
        "hello.abcd",
        "example_api.com",
        "localhost",
        "example.test.",
        # punycode examples from RFC 3492, mixing ASCII and escaped characters
        "3B-ww4c5e180e575a65lsy2b",
        "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
        "Hello-Another-Way--fc4qua05auwb3674vfr0b",
        "2-u9tlzr9756bt3uc0v",
        "MajiKoi5-783gue6qz075azm5e",
        "de-jg4avhby1noc0d",
        "d9juau41awczczp",
    ],
)
def test_host_accepts_valid_hosts(host: str) -> None:
    assert SERVICES.validate(base(host=host)) is None


# -- name ------------------------------------------------------------------------------------------


def name_error(name: Any) -> Any:
    errors = SERVICES.validate({"name": name})
    assert errors is not None
    return errors["name"]


def test_name_must_be_a_string() -> None:
    assert name_error(False) == "expected a string"


def test_name_must_be_a_non_empty_string() -> None:
    assert name_error("") == "length must be at least 1"


@pytest.mark.parametrize(
    "name",
    [
        "examp:le",
        "examp;le",
        "examp/le",
        "examp le",
        bytes([105, 213, 205, 149]).decode("utf-8", "surrogateescape"),
    ],
)
def test_name_rejects_invalid_names(name: str) -> None:
    assert "invalid" in name_error(name)


def test_name_invalid_message() -> None:
    assert name_error("examp le") == (
        "invalid value 'examp le': the only accepted ascii characters are alphanumerics or "
        "., -, _, and ~"
    )


@pytest.mark.parametrize(
    "name",
    [
        "example",
        "EXAMPLE",
        "exa.mp.le",
        "3x4mp13",
        "3x4-mp-13",
        "3x4_mp_13",
        "~3x4~mp~13",
        "~3..x4~.M-p~1__3_",
        "孔",
        "Конг",
        "🦍",
    ],
)
def test_name_accepts_valid_names(name: str) -> None:
    assert SERVICES.validate(base(name=name)) is None


# -- stream and TLS-only fields ----------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp", "grpc", "grpcs"])
def test_stream_protocols_accepted(protocol: str) -> None:
    assert SERVICES.validate(base(protocol=protocol, host="x.y")) is None


@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp", "grpc", "grpcs"])
def test_path_must_be_empty_for_stream_and_grpc(protocol: str) -> None:
    errors = SERVICES.validate(base(protocol=protocol, host="x.y", path="/"))
    assert errors is not None
    assert errors["path"] == "value must be null"
    assert errors["@entity"] == ["failed conditional validation given value of field 'protocol'"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("client_certificate", {"id": A_VALID_UUID}),
        ("tls_verify", True),
        ("tls_verify_depth", 1),
        ("ca_certificates", [A_VALID_UUID]),
    ],
)
def test_tls_settings_only_for_https(name: str, value: Any) -> None:
    assert SERVICES.validate(base(protocol="https", **{name: value})) is None
    errors = SERVICES.validate(base(protocol="http", **{name: value}))
    assert errors == {
        "@entity": ["failed conditional validation given value of field 'protocol'"],
        name: "value must be null",
    }


def test_tls_verify_depth_range() -> None:
    errors = SERVICES.validate(base(protocol="https", tls_verify_depth=65))
    assert errors == {"tls_verify_depth": "value should be between 0 and 64"}


def test_ca_certificates_must_be_uuids() -> None:
    errors = SERVICES.validate(base(protocol="https", ca_certificates=["nope"]))
    assert errors == {"ca_certificates": {1: "expected a valid UUID"}}


def test_typed_entity_round_trip() -> None:
    service, errors = insert(
        {"url": "https://example.com", "client_certificate": {"id": A_VALID_UUID}}
    )
    assert errors is None
    svc = SERVICES.to_entity(service)
    assert isinstance(svc, Service)
    assert svc.client_certificate == Ref({"id": A_VALID_UUID})
    assert svc.protocol == "https"
    assert svc.to_dict()["port"] == 443
