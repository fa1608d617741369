"""The routes entity and its per-protocol subschemas.

Ported from Kong's spec/01-unit/01-db/01-schema/06-routes_spec.lua.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kongdao.entities import ROUTE_SUBSCHEMAS, Route, Service
from kongdao.schema import schema_of

ROUTES = schema_of(Route)
A_VALID_UUID = "cbb297c0-a956-486d-ad1d-f9b42df9465a"
ANOTHER_UUID = "64a8670b-900f-44e7-a900-6ec7ef5aa4d3"
S = {"id": "a4fbd24e-6a52-4937-bd78-2536713072d2"}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def process(data: dict[str, Any]) -> dict[str, Any]:
    return ROUTES.process_auto_fields(data, "insert")


def insert(data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Process ``data`` for an insert and validate it: the entity and the errors (or None)."""
    route = process(data)
    return route, ROUTES.validate(route)


def test_schema_attributes() -> None:
    assert ROUTES.name == "routes"
    assert ROUTES.endpoint_key == "name"
    assert ROUTES.subschema_key == "protocols"
    assert ROUTES.workspaceable
    service = ROUTES.field_map["service"]
    assert service.type == "foreign"
    assert service.reference == "services"
    assert service.on_delete in (None, "restrict")
    assert set(ROUTES.subschemas) == {
        "http",
        "https",
        "tcp",
        "tls",
        "udp",
        "tls_passthrough",
        "grpc",
        "grpcs",
    }
    assert ROUTES.subschemas == ROUTE_SUBSCHEMAS
    assert ROUTE_SUBSCHEMAS["https"] is ROUTE_SUBSCHEMAS["http"]
    assert schema_of(Service).name == "services"


def test_validates_a_valid_route() -> None:
    route, errors = insert(
        {
            "id": A_VALID_UUID,
            "name": "my_route",
            "protocols": ["http"],
            "methods": ["GET", "POST"],
            "hosts": ["example.com"],
            "headers": {"location": ["location-1"]},
            "paths": ["/ovo"],
            "regex_priority": 1,
            "strip_path": False,
            "preserve_host": True,
            "service": {"id": ANOTHER_UUID},
        }
    )
    assert errors is None
    assert route["created_at"]
    assert route["updated_at"]
    assert route["created_at"] == route["updated_at"]
    assert route["strip_path"] is False

    typed = ROUTES.to_entity(route)
    assert isinstance(typed, Route)
    assert typed.service is not None
    assert typed.service.id == ANOTHER_UUID
    assert typed.headers == {"location": ["location-1"]}


def test_does_not_fail_when_service_is_null() -> None:
    route = process({"service": None, "paths": ["/"]})
    assert ROUTES.validate_insert(route) is None


def test_does_not_fail_when_service_is_missing() -> None:
    route = process({"paths": ["/"]})
    assert ROUTES.validate_insert(route) is None


def test_fails_when_service_id_is_null() -> None:
    route = process({"service": {"id": None}, "paths": ["/"]})
    errors = ROUTES.validate_insert(route)
    assert errors is not None
    assert errors["service"]


def test_fails_when_protocols_is_missing() -> None:
    route = process({"protocols": None})
    errors = ROUTES.validate_insert(route)
    assert errors == {"protocols": "required field missing"}


def test_fails_given_an_invalid_method() -> None:
    _, errors = insert({"protocols": ["http"], "methods": ["get"]})
    assert errors is not None
    assert errors["methods"] == {1: "invalid value: get"}


@pytest.mark.parametrize(
    ("ok", "data", "error_fields"),
    [
        (False, {"protocols": ["http"]}, ["@entity"]),
        (True, {"protocols": ["http"], "service": S, "methods": ["GET"]}, []),
        (True, {"protocols": ["http"], "service": S, "hosts": ["x.y"]}, []),
        (True, {"protocols": ["http"], "service": S, "paths": ["/foo"]}, []),
        (True, {"protocols": ["http"], "service": S, "headers": {"location": ["l-1"]}}, []),
    ],
)
def test_missing_method_host_headers_path(
    ok: bool, data: dict[str, Any], error_fields: list[str]
) -> None:
    _, errors = insert(data)
    if ok:
        assert errors is None
    else:
        assert errors is not None
        assert sorted(errors) == error_fields


def test_invalid_protocols_produce_errors() -> None:
    # No subschema can be selected, so validation stops at the subschema key. Kong formats the
    # first element of the set into the message ("unknown type: nil" for an empty set).
    _, errors = insert({"protocols": []})
    assert errors is not None
    assert set(errors) == {"protocols"}

    _, errors = insert({"protocols": ["ftp"]})
    assert errors == {"protocols": "unknown type: ftp"}


@pytest.mark.parametrize(
    ("protocols", "sets"),
    [
        (["http", "tcp"], "('http', 'https'), ('tcp', 'tls', 'udp')"),
        (["http", "tls"], "('http', 'https'), ('tcp', 'tls', 'udp')"),
        (["https", "tcp"], "('http', 'https'), ('tcp', 'tls', 'udp')"),
        (["https", "tls"], "('http', 'https'), ('tcp', 'tls', 'udp')"),
        (["grpc", "http"], "('grpc', 'grpcs'), ('http', 'https')"),
    ],
)
def test_conflicting_protocols(protocols: list[str], sets: str) -> None:
    _, errors = insert({"protocols": protocols})
    assert errors is not None
    assert errors["protocols"] == f"these sets are mutually exclusive: {sets}"


def test_invalid_https_redirect_status_code() -> None:
    _, errors = insert({"protocols": ["http"], "https_redirect_status_code": 404})
    assert errors is not None
    assert errors["https_redirect_status_code"] == "expected one of: 426, 301, 302, 307, 308"


def test_produces_defaults() -> None:
    route, errors = insert(
        {
            "protocols": ["http"],
            "service": {"id": "5abfe322-9fc1-4e0e-bfa3-007f5b9ac4b4"},
            "paths": ["/foo"],
        }
    )
    assert errors is None
    assert UUID_RE.match(route["id"])
    assert route["name"] is None
    assert route["protocols"] == ["http"]
    assert route["methods"] is None
    assert route["hosts"] is None
    assert route["headers"] is None
    assert route["paths"] == ["/foo"]
    assert route["regex_priority"] == 0
    assert route["strip_path"] is True
    assert route["path_handling"] == "v0"
    assert route["preserve_host"] is False
    assert route["request_buffering"] is True
    assert route["response_buffering"] is True
    assert route["https_redirect_status_code"] == 426


def test_default_protocols() -> None:
    route, errors = insert({"paths": ["/"]})
    assert errors is None
    assert route["protocols"] == ["http", "https"]


def test_validates_the_foreign_key() -> None:
    _, errors = insert({"protocols": ["http"], "paths": ["/foo"], "service": {"id": "blergh"}})
    assert errors is not None
    assert errors["service"]["id"] == "expected a valid UUID"


# -- paths -----------------------------------------------------------------------------------------


def validate(data: dict[str, Any]) -> Any:
    errors = ROUTES.validate(data)
    assert errors is not None
    return errors


def test_paths_must_be_strings() -> None:
    assert validate({"paths": [False], "protocols": ["http"]})["paths"] == {1: "expected a string"}


def test_paths_must_be_non_empty_strings() -> None:
    assert validate({"paths": [""], "protocols": ["http"]})["paths"] == {
        1: "length must be at least 1"
    }


def test_paths_must_start_with_slash() -> None:
    assert validate({"paths": ["foo"], "protocols": ["http"]})["paths"] == {
        1: "should start with: /"
    }


def test_paths_must_not_have_empty_segments() -> None:
    errors = validate({"paths": ["/foo//bar", "/foo/bar//", "//foo/bar"], "protocols": ["http"]})
    assert errors["paths"] == {
        1: "must not have empty segments",
        2: "must not have empty segments",
        3: "must not have empty segments",
    }


def test_paths_dry_run_regexes() -> None:
    errors = validate({"paths": ["/users/(foo/profile"], "protocols": ["http"]})
    # Kong quotes PCRE's compile error; kongdao quotes Python's.
    assert errors["paths"][1].startswith("invalid regex: '/users/(foo/profile' (PCRE returned: ")


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
def test_paths_reject_badly_percent_encoded_values(path: str, bad: str) -> None:
    errors = validate({"paths": [path], "protocols": ["http"]})
    assert errors["paths"] == {1: f"invalid url-encoded value: '{bad}'"}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/abcd~user~2",
        "/abcd%aa%10%ff%AA%FF",
        "/ovo/",
        r"/users/(?<id>\d+)/profile",
        "/users/(foo|bar)",
    ],
)
def test_paths_acceptance(path: str) -> None:
    _, errors = insert(
        {
            "protocols": ["http"],
            "service": {"id": A_VALID_UUID},
            "methods": [],
            "hosts": [],
            "paths": [path],
        }
    )
    assert errors is None


# -- hosts -----------------------------------------------------------------------------------------


def test_hosts_must_be_strings() -> None:
    assert validate({"hosts": [False], "protocols": ["http"]})["hosts"] == {1: "expected a string"}


def test_hosts_must_be_non_empty_strings() -> None:
    assert validate({"hosts": [""], "protocols": ["http"]})["hosts"] == {
        1: "length must be at least 1"
    }


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
    ],
)
def test_hosts_reject_invalid_hostnames(host: str) -> None:
    errors = validate({"hosts": [host], "protocols": ["http"]})
    assert errors["hosts"] == {1: f"invalid hostname: {host}"}


def test_hosts_reject_an_invalid_port() -> None:
    errors = validate({"hosts": ["example.com:1000000"], "protocols": ["http"]})
    assert errors["hosts"] == {1: "invalid port number"}


@pytest.mark.parametrize("host", ["*example.com", "www.example*", "mock*bin.com"])
def test_hosts_reject_invalid_wildcard_placement(host: str) -> None:
    errors = validate({"hosts": [host], "protocols": ["http"]})
    assert errors["hosts"] == {1: "invalid wildcard: must be placed at leftmost or rightmost label"}


@pytest.mark.parametrize("host", ["*.example.*", "**.example.com", "*.example*.*"])
def test_hosts_reject_too_many_wildcards(host: str) -> None:
    errors = validate({"hosts": [host], "protocols": ["http"]})
    assert errors["hosts"] == {1: "invalid wildcard: must have at most one wildcard"}


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
        "example.com:80",
        "example.com:8080",
        "3B-ww4c5e180e575a65lsy2b",
        "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
        "Hello-Another-Way--fc4qua05auwb3674vfr0b",
        "2-u9tlzr9756bt3uc0v",
        "MajiKoi5-783gue6qz075azm5e",
        "de-jg4avhby1noc0d",
        "d9juau41awczczp",
        "example.*",
        "*.example.org",
        "*.example.org:321",
    ],
)
def test_hosts_acceptance(host: str) -> None:
    _, errors = insert(
        {
            "protocols": ["http"],
            "service": {"id": A_VALID_UUID},
            "methods": [],
            "paths": [],
            "hosts": [host],
        }
    )
    assert errors is None


# -- headers ---------------------------------------------------------------------------------------


def test_headers_keys_must_be_strings() -> None:
    errors = validate({"headers": {1: ["x"]}, "protocols": ["http"]})
    assert errors["headers"] == "expected a string"


@pytest.mark.parametrize("key", ["host", "Host", "HoSt"])
def test_headers_cannot_contain_host(key: str) -> None:
    errors = validate({"headers": {key: ["example.com"]}, "protocols": ["http"]})
    assert errors["headers"] == (
        "cannot contain 'host' header, which must be specified in the 'hosts' attribute"
    )


def test_headers_values_must_be_arrays() -> None:
    errors = validate({"headers": {"location": True}, "protocols": ["http"]})
    assert errors["headers"] == "expected an array"


def test_headers_values_must_be_strings() -> None:
    errors = validate({"headers": {"location": [True]}, "protocols": ["http"]})
    assert errors["headers"] == {1: "expected a string"}


def test_headers_values_must_be_non_empty_strings() -> None:
    errors = validate({"headers": {"location": [""]}, "protocols": ["http"]})
    assert errors["headers"] == {1: "length must be at least 1"}


def test_headers_names_are_checked() -> None:
    errors = validate({"headers": {"bad name": ["x"]}, "protocols": ["http"]})
    assert errors["headers"] == (
        "bad header name 'bad name', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
    )


# -- methods ---------------------------------------------------------------------------------------


def test_methods_must_be_strings() -> None:
    errors = validate({"methods": [False], "protocols": ["http"]})
    assert errors["methods"] == {1: "expected a string"}


def test_methods_must_be_non_empty_strings() -> None:
    errors = validate({"methods": [""], "protocols": ["http"]})
    assert errors["methods"] == {1: "length must be at least 1"}


@pytest.mark.parametrize("method", ["HELLO WORLD", " GET", "get"])
def test_methods_reject_invalid_values(method: str) -> None:
    errors = validate({"methods": [method], "protocols": ["http"]})
    assert errors["methods"] == {1: f"invalid value: {method}"}


@pytest.mark.parametrize("method", ["GET", "POST", "CUSTOM"])
def test_methods_acceptance(method: str) -> None:
    _, errors = insert(
        {
            "protocols": ["http"],
            "service": {"id": A_VALID_UUID},
            "paths": [],
            "hosts": [],
            "methods": [method],
        }
    )
    assert errors is None


# -- name ------------------------------------------------------------------------------------------


def test_name_must_be_a_string() -> None:
    assert validate({"name": False, "protocols": ["http"]})["name"] == "expected a string"


def test_name_must_be_a_non_empty_string() -> None:
    assert validate({"name": "", "protocols": ["http"]})["name"] == "length must be at least 1"


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
    assert "invalid" in validate({"name": name, "protocols": ["http"]})["name"]


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
    _, errors = insert(
        {"protocols": ["http"], "paths": ["/"], "name": name, "service": {"id": A_VALID_UUID}}
    )
    assert errors is None


# -- stream routes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp"])
def test_stream_protocols_accepted(protocol: str) -> None:
    route, errors = insert(
        {"protocols": [protocol], "sources": [{"ip": "127.0.0.1"}], "service": S}
    )
    assert errors is None
    assert route["protocols"] == [protocol]


@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp"])
@pytest.mark.parametrize("name", ["paths", "methods"])
def test_stream_routes_have_no_l7_attributes(protocol: str, name: str) -> None:
    value = ["/"] if name == "paths" else ["GET"]
    _, errors = insert(
        {
            "protocols": [protocol],
            "sources": [{"ip": "127.0.0.1"}],
            name: value,
            "service": S,
        }
    )
    assert errors == {
        name: f"cannot set '{name}' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"
    }


@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp"])
@pytest.mark.parametrize("name", ["hosts", "headers"])
def test_stream_routes_have_no_hosts_or_headers(protocol: str, name: str) -> None:
    value: Any = ["example.com"] if name == "hosts" else {"location": ["x"]}
    _, errors = insert(
        {"protocols": [protocol], "snis": None, name: value, "sources": [{"port": 1}]}
    )
    assert errors == {
        name: f"cannot set '{name}' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"
    }


@pytest.mark.parametrize("v", ["sources", "destinations"])
@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp"])
class TestSourcesAndDestinations:
    def test_accept_valid_ips_and_ports(self, v: str, protocol: str) -> None:
        route, errors = insert(
            {"protocols": [protocol], v: [{"ip": "127.75.78.72", "port": 8000}], "service": S}
        )
        assert errors is None
        assert route["protocols"] == [protocol]
        assert route[v][0] == {"ip": "127.75.78.72", "port": 8000}

    def test_accept_valid_ips_without_port(self, v: str, protocol: str) -> None:
        route, errors = insert(
            {
                "protocols": [protocol],
                v: [{"ip": "127.0.0.1"}, {"ip": "127.75.78.72", "port": 8000}],
                "service": S,
            }
        )
        assert errors is None
        assert route[v][0] == {"ip": "127.0.0.1", "port": None}

    def test_accept_valid_ports_without_ip(self, v: str, protocol: str) -> None:
        route, errors = insert(
            {
                "protocols": [protocol],
                v: [{"port": 8000}, {"ip": "127.75.78.72", "port": 8000}],
                "service": S,
            }
        )
        assert errors is None
        assert route[v][0] == {"ip": None, "port": 8000}

    def test_reject_invalid_ports(self, v: str, protocol: str) -> None:
        _, errors = insert(
            {
                "protocols": [protocol],
                v: [{"ip": "127.0.0.1"}, {"ip": "127.75.78.72", "port": 65536}],
                "service": S,
            }
        )
        assert errors == {v: {2: {"port": "value should be between 0 and 65535"}}}

    @pytest.mark.parametrize(
        "ip",
        [
            "127.",
            ":::1",
            "-1",
            "localhost",
            "foo",
            "f",
            "example.org",
            "1/0",
            "2130706433/2",
            "4294967295/3",
            "-1/0",
            "4294967296/2",
            "0.0.0.0/a",
            "::/a",
            "0.0.0.0/-1",
            "::/-1",
            "0.0.0.0/33",
            "::/129",
        ],
    )
    def test_reject_invalid_ips_and_cidrs(self, v: str, protocol: str, ip: str) -> None:
        _, errors = insert(
            {
                "protocols": [protocol],
                v: [{"ip": ip}, {"ip": "127.75.78.72", "port": 8000}],
                "service": S,
            }
        )
        assert errors is not None
        assert errors[v][1]["ip"] == f"invalid ip or cidr range: '{ip}'"

    @pytest.mark.parametrize(
        "ip", ["0.0.0.0/0", "::/0", "0.0.0.0/1", "::/1", "0.0.0.0/32", "::/128"]
    )
    def test_accept_valid_cidrs(self, v: str, protocol: str, ip: str) -> None:
        _, errors = insert(
            {
                "protocols": [protocol],
                v: [{"ip": ip}, {"ip": "127.75.78.72", "port": 8000}],
                "service": S,
            }
        )
        assert errors is None

    def test_needs_ip_or_port(self, v: str, protocol: str) -> None:
        _, errors = insert({"protocols": [protocol], v: [{}], "service": S})
        assert errors == {
            v: {1: {"@entity": ["at least one of these fields must be non-empty: 'ip', 'port'"]}}
        }


@pytest.mark.parametrize("protocol", ["tls", "https", "grpcs"])
@pytest.mark.parametrize("sni", ["example.org", "www.example.org"])
def test_snis_accepted(protocol: str, sni: str) -> None:
    _, errors = insert({"protocols": [protocol], "snis": [sni], "service": S})
    assert errors is None


@pytest.mark.parametrize(
    ("sni", "message"),
    [("127.0.0.1", "must not be an IP"), ("example.org:80", "must not have a port")],
)
def test_snis_rejected(sni: str, message: str) -> None:
    _, errors = insert({"protocols": ["tcp", "tls"], "snis": [sni], "service": S})
    assert errors is not None
    assert errors["snis"] == {1: message}


def test_snis_only_with_tls_protocols() -> None:
    _, errors = insert({"protocols": ["tcp", "udp"], "snis": ["example.org"], "service": S})
    assert errors == {
        "@entity": [
            "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or "
            "'tls_passthrough'"
        ],
        "snis": "length must be 0",
    }


@pytest.mark.parametrize("protocol", ["tcp", "tls", "udp"])
def test_errors_if_no_l4_matching_attribute(protocol: str) -> None:
    _, errors = insert({"protocols": [protocol], "service": S})
    assert errors == {
        "@entity": [
            "must set one of 'sources', 'destinations', 'snis' when 'protocols' is "
            "'tcp', 'tls' or 'udp'"
        ]
    }


def test_errors_if_no_l7_matching_attribute_http() -> None:
    _, errors = insert({"protocols": ["http"], "service": S})
    assert errors == {
        "@entity": [
            "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"
        ]
    }
    _, errors = insert({"protocols": ["https"], "service": S})
    assert errors == {
        "@entity": [
            "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when "
            "'protocols' is 'https'"
        ]
    }


def test_errors_if_no_l7_matching_attribute_grpc() -> None:
    _, errors = insert({"protocols": ["grpc"], "service": S})
    assert errors == {
        "@entity": ["must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'"]
    }
    _, errors = insert({"protocols": ["grpcs"], "service": S})
    assert errors == {
        "@entity": [
            "must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'"
        ]
    }


@pytest.mark.parametrize("protocol", ["grpc", "grpcs"])
def test_errors_if_methods_set_on_grpc(protocol: str) -> None:
    _, errors = insert({"methods": "GET", "paths": ["/foo"], "protocols": [protocol], "service": S})
    assert errors == {"methods": "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'"}


@pytest.mark.parametrize("protocol", ["grpc", "grpcs"])
@pytest.mark.parametrize("name", ["sources", "destinations"])
def test_errors_if_sources_set_on_grpc(protocol: str, name: str) -> None:
    _, errors = insert(
        {name: [{"port": 1}], "paths": ["/foo"], "protocols": [protocol], "service": S}
    )
    assert errors == {name: f"cannot set '{name}' when 'protocols' is 'grpc' or 'grpcs'"}


@pytest.mark.parametrize("protocol", ["grpc", "grpcs"])
def test_errors_if_strip_path_set_on_grpc(protocol: str) -> None:
    _, errors = insert(
        {"hosts": ["foo.grpc.com"], "protocols": [protocol], "strip_path": True, "service": S}
    )
    assert errors == {"strip_path": "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"}


def test_grpc_strip_path_defaults_to_false() -> None:
    route, errors = insert({"hosts": ["foo.grpc.com"], "protocols": ["grpc"], "service": S})
    assert errors is None
    assert route["strip_path"] is False


@pytest.mark.parametrize("protocol", ["http", "https"])
@pytest.mark.parametrize("name", ["sources", "destinations"])
def test_errors_if_sources_set_on_http(protocol: str, name: str) -> None:
    _, errors = insert({name: [{"port": 1}], "paths": ["/"], "protocols": [protocol]})
    assert errors == {name: f"cannot set '{name}' when 'protocols' is 'http' or 'https'"}


def test_errors_if_tls_and_tls_passthrough_on_the_same_route() -> None:
    _, errors = insert(
        {"snis": ["foo.grpc.com"], "protocols": ["tls", "tls_passthrough"], "service": S}
    )
    assert errors == {
        "protocols": (
            "these sets are mutually exclusive: ('tcp', 'tls', 'udp'), ('tls_passthrough')"
        )
    }


def test_errors_if_snis_not_set_on_tls_passthrough() -> None:
    _, errors = insert(
        {"sources": [{"ip": "127.0.0.1"}], "protocols": ["tls_passthrough"], "service": S}
    )
    assert errors == {"@entity": ["must set snis when 'protocols' is 'tls_passthrough'"]}


def test_tls_passthrough_with_snis() -> None:
    _, errors = insert({"snis": ["example.org"], "protocols": ["tls_passthrough"], "service": S})
    assert errors is None
