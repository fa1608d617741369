"""Kong's typedefs (kongdao.schema.typedefs).

Ported from Kong's spec/01-unit/01-db/01-schema/03-typedefs_spec.lua, plus the messages of the
validators and the kong.tools.utils helpers they use.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongdao.schema import Field, Schema, typedefs
from kongdao.schema.typedefs import HostAddress, ParsedUrl

A_VALID_UUID = "cbb297c0-a956-486d-ad1d-f9b42df9465a"
A_BLANK_UUID = "00000000-0000-0000-0000-000000000000"


def check(f: Field, value: Any) -> Any:
    """Validate ``{"f": value}`` against a one-field schema; the error of ``f`` or None."""
    errors = Schema(name="test", fields=[("f", f)]).validate({"f": value})
    if errors is None:
        return None
    return errors["f"]


def valid(f: Field, value: Any) -> bool:
    return check(f, value) is None


# -- the cases of 03-typedefs_spec.lua ----------------------------------------------------------


def test_sni() -> None:
    assert valid(typedefs.sni(), "example.com")
    assert valid(typedefs.sni(), "9foo.te-st.bar.test")
    assert check(typedefs.sni(), "127.0.0.1") == "must not be an IP"
    assert check(typedefs.sni(), "example.com:80") == "must not have a port"
    assert check(typedefs.sni(), "[::1]") == "must not be an IP"


def test_port() -> None:
    assert valid(typedefs.port(), 1024)
    assert valid(typedefs.port(), 65535)
    assert valid(typedefs.port(), 65535.0)
    assert valid(typedefs.port(), 0)
    assert check(typedefs.port(), "get") == "expected an integer"
    assert check(typedefs.port(), 65536) == "value should be between 0 and 65535"
    assert check(typedefs.port(), 65536.1) == "expected an integer"
    assert check(typedefs.port(), -1) == "value should be between 0 and 65535"


def test_protocol() -> None:
    assert valid(typedefs.protocol(), "http")
    assert valid(typedefs.protocol(), "https")
    assert check(typedefs.protocol(), "ftp") == (
        "expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"
    )
    assert check(typedefs.protocol(), {}) == "expected a string"


def test_timeout() -> None:
    assert valid(typedefs.timeout(), 120)
    assert valid(typedefs.timeout(), 0)
    assert valid(typedefs.timeout(), 2**31 - 2)
    assert check(typedefs.timeout(), -1) == "value should be between 0 and 2147483646"
    assert check(typedefs.timeout(), 2**31 - 1) == "value should be between 0 and 2147483646"
    assert not valid(typedefs.timeout(), math.inf)


def test_uuid() -> None:
    assert valid(typedefs.uuid(), A_VALID_UUID)
    assert valid(typedefs.uuid(), A_BLANK_UUID)
    assert check(typedefs.uuid(), "hello") == "expected a valid UUID"
    assert check(typedefs.uuid(), 123) == "expected a string"
    assert typedefs.uuid().auto is True


@pytest.mark.parametrize(
    "version",
    [
        "1",
        "1.2",
        "1.2.3",
        "100.200.300",
        "1.2.3-rc.1",
        "1.2.3-alpha.1",
        "1.2.3-beta.1",
        "1.2.3.4-enterprise-edition",
    ],
)
def test_semantic_version_accepts(version: str) -> None:
    assert valid(typedefs.semantic_version(), version)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("hello", "invalid version number: must be in format of X.Y.Z"),
        (".1", "invalid version number: must be in format of X.Y.Z"),
        ("1..1", "must not have empty version segments"),
    ],
)
def test_semantic_version_rejects(version: str, message: str) -> None:
    assert check(typedefs.semantic_version(), version) == message


def test_http_method() -> None:
    assert valid(typedefs.http_method(), "GET")
    assert valid(typedefs.http_method(), "FOOBAR")
    assert check(typedefs.http_method(), "get") == "invalid value: get"
    assert check(typedefs.http_method(), 123) == "expected a string"


def test_typedefs_can_be_customised() -> None:
    schema = Schema(name="test", fields=[("f", typedefs.timeout(default=120))])
    data = schema.process_auto_fields({}, "insert")
    assert schema.validate(data) is None
    assert data["f"] == 120
    data = schema.process_auto_fields({"f": 900}, "insert")
    assert schema.validate(data) is None
    assert data["f"] == 900


def test_overrides_with_false() -> None:
    assert typedefs.uuid().auto is True
    assert typedefs.uuid(auto=False).auto is False
    # the base definition is left alone
    assert typedefs.uuid().auto is True


def test_overrides_return_a_new_field() -> None:
    assert typedefs.port() is typedefs.port()
    assert typedefs.port(default=80) is not typedefs.port()
    assert typedefs.port(default=80).between == (0, 65535)


# -- the validators' messages --------------------------------------------------------------------


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
        "3B-ww4c5e180e575a65lsy2b",
        "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
        "Hello-Another-Way--fc4qua05auwb3674vfr0b",
        "127.0.0.1",
        "001.002.003.004",
        "::1",
        "[::1]",
        "fe80::1:2",
    ],
)
def test_host_accepts(host: str) -> None:
    assert valid(typedefs.host(), host)


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
        "256.0.0.1",
        "1.2.3",
        "::ffff:1.2.3.4",
        "1::2::3",
        "héllo.com",
    ],
)
def test_host_rejects(host: str) -> None:
    assert check(typedefs.host(), host) == f"invalid value: {host}"


@pytest.mark.parametrize(
    "host", ["example.com:80", "example.com:1000000", "1.2.3.4:80", "[::1]:80", "[::1]:99999"]
)
def test_host_must_not_have_a_port(host: str) -> None:
    assert check(typedefs.host(), host) == "must not have a port"


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("example.com", None),
        ("example.com:8080", None),
        ("1.2.3.4:80", None),
        ("[::1]:80", None),
        ("example.com:1000000", "invalid port number"),
        ("1.2.3.4:1000000", "invalid port number"),
        ("[::1]:1000000", "invalid port number"),
        ("example.com/org", "invalid hostname: example.com/org"),
        ("1.2.3.400", "invalid ipv4 address: 1.2.3.400"),
        ("1.2.3.4:", "invalid ipv4 address: 1.2.3.4:"),
        ("::1::2", "invalid ipv6 address: ::1::2"),
        ("[::1]x", "invalid ipv6 address"),
        ("[::1]:", "invalid ipv6 address"),
    ],
)
def test_host_with_optional_port(host: str, message: str | None) -> None:
    assert check(typedefs.host_with_optional_port(), host) == message


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("example.com", None),
        ("*.example.com", None),
        ("example.*", None),
        ("ex*ample.com", "wildcard must be leftmost or rightmost character"),
        ("*.example.*", "only one wildcard must be specified"),
        ("*.exa mple.com", "invalid value: wildcard.exa mple.com"),
        ("*.example.com:80", "must not have a port"),
        ("*.example.com:800000", "must not have a port"),
        ("127.0.0.1", "must not be an IP"),
    ],
)
def test_wildcard_host(host: str, message: str | None) -> None:
    assert check(typedefs.wildcard_host(), host) == message


def test_ip() -> None:
    assert valid(typedefs.ip(), "127.0.0.1")
    assert valid(typedefs.ip(), "::1")
    assert valid(typedefs.ip(), "[::1]")
    assert check(typedefs.ip(), "127.0.0.1/8") == "not an ip address: 127.0.0.1/8"
    assert check(typedefs.ip(), "localhost") == "not an ip address: localhost"


@pytest.mark.parametrize(
    "value", ["127.0.0.1", "::1", "0.0.0.0/0", "::/0", "0.0.0.0/1", "::/1", "0.0.0.0/32", "::/128"]
)
def test_ip_or_cidr_accepts(value: str) -> None:
    assert valid(typedefs.ip_or_cidr(), value)


@pytest.mark.parametrize(
    "value",
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
        "0.0.0.0/08",
        "fe80::1%eth0",
    ],
)
def test_ip_or_cidr_rejects(value: str) -> None:
    assert check(typedefs.ip_or_cidr(), value) == f"invalid ip or cidr range: '{value}'"


def test_cidr_v4() -> None:
    assert typedefs.ip_or_cidr_v4() is typedefs.cidr_v4()
    assert valid(typedefs.cidr_v4(), "10.0.0.0/8")
    assert valid(typedefs.cidr_v4(), "10.0.0.1")  # Kong accepts plain addresses too
    assert check(typedefs.cidr_v4(), "::/0") == "invalid ipv4 cidr range: '::/0'"
    assert check(typedefs.cidr_v4(), "10.0.0.0/33") == "invalid ipv4 cidr range: '10.0.0.0/33'"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/abcd~user~2",
        "/abcd%aa%10%ff%AA%FF",
        "/ovo/",
        "/hello/path$with$!&'()*+,;=stuff",
        "/a:b@c",
    ],
)
def test_path_accepts(path: str) -> None:
    assert valid(typedefs.path(), path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "length must be at least 1"),
        ("foo", "should start with: /"),
        ("/foo//bar", "must not have empty segments"),
        ("/foo/bar//", "must not have empty segments"),
        ("//foo/bar", "must not have empty segments"),
        (
            "/users/|foo/profile",
            "invalid path: '/users/|foo/profile' (characters outside of the reserved list of "
            "RFC 3986 found)",
        ),
        (
            "/users/(this|foo/profile)",
            "invalid path: '/users/(this|foo/profile)' (characters outside of the reserved list "
            "of RFC 3986 found)",
        ),
        ("/some%2words", "invalid url-encoded value: '%2w'"),
        ("/some%0Xwords", "invalid url-encoded value: '%0X'"),
        ("/some%2Gwords", "invalid url-encoded value: '%2G'"),
        ("/some%20words%", "invalid url-encoded value: '%'"),
        ("/some%20words%a", "invalid url-encoded value: '%a'"),
        ("/some%20words%ax", "invalid url-encoded value: '%ax'"),
        ("/a%%41", "invalid url-encoded value: '%__'"),
    ],
)
def test_path_rejects(path: str, message: str) -> None:
    assert check(typedefs.path(), path) == message


def test_url() -> None:
    assert valid(typedefs.url(), "http://example.com")
    assert valid(typedefs.url(), "https://user:pass@[::1]:8443/x?y#z")
    assert check(typedefs.url(), "example.com") == "missing host in url"
    assert check(typedefs.url(), "//example.com/x") == "missing scheme in url"


def test_header_name() -> None:
    assert valid(typedefs.header_name(), "X-Foo_Bar")
    # PCRE's '$' also matches before a final newline, and Kong does not use the D flag
    assert valid(typedefs.header_name(), "X-Foo\n")
    assert check(typedefs.header_name(), "X Foo") == (
        "bad header name 'X Foo', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
    )


@pytest.mark.parametrize(
    "name",
    ["example", "EXAMPLE", "exa.mp.le", "3x4mp13", "3x4-mp-13", "3x4_mp_13", "~3x4~mp~13"],
)
def test_name_accepts(name: str) -> None:
    assert valid(typedefs.name(), name)
    assert valid(typedefs.utf8_name(), name)


@pytest.mark.parametrize("name", ["examp:le", "examp;le", "examp/le", "examp le"])
def test_name_rejects(name: str) -> None:
    assert check(typedefs.name(), name) == (
        f"invalid value '{name}': it must only contain alphanumeric and '., -, _, ~' characters"
    )
    assert check(typedefs.utf8_name(), name) == (
        f"invalid value '{name}': the only accepted ascii characters are alphanumerics or "
        "., -, _, and ~"
    )


def test_name_is_unique() -> None:
    assert typedefs.name().unique
    assert typedefs.utf8_name().unique


@pytest.mark.parametrize("name", ["孔", "Конг", "🦍", "孔-1.a~_b"])
def test_utf8_name_accepts_non_ascii(name: str) -> None:
    assert valid(typedefs.utf8_name(), name)
    assert not valid(typedefs.name(), name)


def test_utf8_name_rejects_invalid_utf8() -> None:
    # string.char(105, 213, 205, 149) of Kong's spec, as Python decodes invalid bytes
    name = bytes([105, 213, 205, 149]).decode("utf-8", "surrogateescape")
    assert check(typedefs.utf8_name(), name) == (
        "invalid utf-8 character sequence detected at position 2"
    )


@pytest.mark.parametrize(
    "tag", ["foo", "with-dash", "a.b_c~d", "!#$%&'()*+-.:;<=>?@[]^_`{|}~", "孔"]
)
def test_tag_accepts(tag: str) -> None:
    assert valid(typedefs.tag(), tag)


@pytest.mark.parametrize("tag", ["a,b", "a/b", "a b", "tab\t", "del\x7f"])
def test_tag_rejects(tag: str) -> None:
    assert check(typedefs.tag(), tag) == (
        f"invalid tag '{tag}': expected printable ascii (except `,` and `/`) "
        "or valid utf-8 sequences"
    )


def test_tags() -> None:
    assert valid(typedefs.tags(), ["a", "b"])
    assert check(typedefs.tags(), ["a", "b,c"]) == {
        2: "invalid tag 'b,c': expected printable ascii (except `,` and `/`) "
        "or valid utf-8 sequences"
    }
    assert check(typedefs.tags(), "a") == "expected a set"


def test_protocols() -> None:
    assert typedefs.PROTOCOLS == (
        "grpc",
        "grpcs",
        "http",
        "https",
        "tcp",
        "tls",
        "tls_passthrough",
        "udp",
    )
    assert typedefs.HTTP_PROTOCOLS == ("grpc", "grpcs", "http", "https")
    assert typedefs.protocols().default == ["grpc", "grpcs", "http", "https"]
    assert typedefs.protocols().required
    assert valid(typedefs.protocols(), ["tcp"])
    assert typedefs.protocols_http().default == ["grpc", "grpcs", "http", "https"]
    assert check(typedefs.protocols_http(), ["tcp"]) == {
        1: "expected one of: grpc, grpcs, http, https"
    }


def test_no_scope_fields() -> None:
    for f, reference in [
        (typedefs.no_route(), "routes"),
        (typedefs.no_service(), "services"),
        (typedefs.no_consumer(), "consumers"),
    ]:
        assert f.type == "foreign"
        assert f.reference == reference
        assert f.eq is None
        assert check(f, {"id": A_VALID_UUID}) == "value must be null"
        assert valid(f, None)


def test_sources() -> None:
    assert valid(typedefs.sources(), [{"ip": "10.0.0.0/8"}, {"port": 80}])
    errors = check(typedefs.sources(), [{}])
    assert errors == {
        1: {"@entity": ["at least one of these fields must be non-empty: 'ip', 'port'"]}
    }
    assert check(typedefs.destinations(), [{"ip": "x", "port": 1}]) == {
        1: {"ip": "invalid ip or cidr range: 'x'"}
    }


def test_no_fields_keep_their_shape() -> None:
    f = typedefs.no_sources(err="nope")
    assert f.eq is None
    assert f.err == "nope"
    assert f.elements is not None
    assert f.elements.type == "record"
    assert check(f, [{"port": 80}]) == "nope"
    assert typedefs.no_methods(eq=[]).eq == []


def test_methods() -> None:
    assert valid(typedefs.methods(), ["GET", "POST"])
    assert check(typedefs.methods(), ["get"]) == {1: "invalid value: get"}


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("example.com", None),
        ("example.com:8080", None),
        ("*.example.org", None),
        ("example.*", None),
        ("*.example.org:321", None),
        ("*example.com", "invalid wildcard: must be placed at leftmost or rightmost label"),
        ("www.example*", "invalid wildcard: must be placed at leftmost or rightmost label"),
        ("mock*bin.com", "invalid wildcard: must be placed at leftmost or rightmost label"),
        ("*.example.*", "invalid wildcard: must have at most one wildcard"),
        ("**.example.com", "invalid wildcard: must have at most one wildcard"),
        ("example.com/org", "invalid hostname: example.com/org"),
        ("*.example.com/org", "invalid hostname: abc.example.com/org"),
        ("example.com:1000000", "invalid port number"),
    ],
)
def test_hosts(host: str, message: str | None) -> None:
    error = check(typedefs.hosts(), [host])
    assert error == (None if message is None else {1: message})


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/", None),
        ("/users/(foo|bar)/profile", None),
        ("/users/(?<id>\\d+)", None),
        ("/users/(?'id'\\d+)/(\\k<id>)", None),
        ("/users/|foo", None),
        ("/\\d+", None),
        ("/hello/path$with$!&'()*+,;=stuff", None),
        ("/some%2words", "invalid url-encoded value: '%2w'"),
        ("/foo//bar", "must not have empty segments"),
        ("foo", "should start with: /"),
    ],
)
def test_paths(path: str, message: str | None) -> None:
    error = check(typedefs.paths(), [path])
    assert error == (None if message is None else {1: message})


def test_paths_dry_run_regexes() -> None:
    error = check(typedefs.paths(), ["/users/(foo/profile"])
    assert isinstance(error, dict)
    assert error[1].startswith("invalid regex: '/users/(foo/profile' (PCRE returned: ")
    # a "possible nested set" FutureWarning must not escape (pytest turns warnings into errors)
    assert valid(typedefs.paths(), ["/[[a]"])


def test_headers() -> None:
    assert valid(typedefs.headers(), {"location": ["a", "b"]})
    assert check(typedefs.headers(), {"bad name": ["a"]}) == (
        "bad header name 'bad name', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
    )


def test_lua_code() -> None:
    assert valid(typedefs.lua_code(), {"f": "return 1"})
    assert not valid(typedefs.lua_code(), {"f": ""})


# -- kong.tools.utils helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("123.123.123.123", "ipv4"),
        ("1.2.3.4:80", "ipv4"),
        ("1.2", "ipv4"),
        ("::1", "ipv6"),
        ("some::thing", "ipv6"),
        ("[::1]:80", "ipv6"),
        ("example.com", "name"),
        ("example.com:80", "name"),
        ("1.2.3.4a", "name"),
    ],
)
def test_hostname_type(name: str, kind: str) -> None:
    assert typedefs.hostname_type(name) == kind


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("1.2.3.4", HostAddress("ipv4", "1.2.3.4", None)),
        ("001.002.003.004:123", HostAddress("ipv4", "1.2.3.4", 123)),
        ("::1", HostAddress("ipv6", "0000:0000:0000:0000:0000:0000:0000:0001", None)),
        ("[::1]:80", HostAddress("ipv6", "0000:0000:0000:0000:0000:0000:0000:0001", 80)),
        ("[FE80::a:B]", HostAddress("ipv6", "fe80:0000:0000:0000:0000:0000:000a:000b", None)),
        ("1::", HostAddress("ipv6", "0001:0000:0000:0000:0000:0000:0000:0000", None)),
        ("::1:", HostAddress("ipv6", "0000:0000:0000:0000:0000:0000:0001:0000", None)),
        ("example.com", HostAddress("name", "example.com", None)),
        ("Example.COM:8000", HostAddress("name", "Example.COM", 8000)),
    ],
)
def test_normalize_ip(address: str, expected: HostAddress) -> None:
    assert typedefs.normalize_ip(address) == expected


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("1.2.3.256", "invalid ipv4 address: 1.2.3.256"),
        ("1.2.3.1234", "invalid ipv4 address: 1.2.3.1234"),
        ("1.2.3.4:65536", "invalid port number"),
        ("12345::1", "invalid ipv6 address: 12345::1"),
        ("::ffff:1.2.3.4", "invalid ipv6 address: ::ffff:1.2.3.4"),
        ("[::1", "invalid ipv6 address: [::1"),
        ("[::1]:x", "invalid ipv6 address"),
        ("[::1]:65536", "invalid port number"),
        ("1:2:3:4:5:6:7:8:9", "invalid ipv6 address: 1:2:3:4:5:6:7:8:9"),
        ("example.com:65536", "invalid port number"),
        ("a_b$", "invalid hostname: a_b$"),
        ("a..b", "invalid hostname: a..b"),
        ("a..", "invalid hostname: a.."),
        ("a-.b", "invalid hostname: a-.b"),
    ],
)
def test_normalize_ip_rejects(address: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        typedefs.normalize_ip(address)


def test_check_hostname_allows_final_dot_and_leading_dash() -> None:
    assert typedefs.check_hostname("example.com.") == ("example.com.", None)
    assert typedefs.check_hostname("-a.b:1") == ("-a.b", 1)


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("", None),
        (
            "http://mockbin.org/request",
            ParsedUrl(scheme="http", authority="mockbin.org", host="mockbin.org", path="/request"),
        ),
        (
            "https://user:pw@[::1]:8443/p;x?q=1#frag",
            ParsedUrl(
                scheme="https",
                authority="user:pw@[::1]:8443",
                userinfo="user:pw",
                user="user",
                password="pw",
                host="::1",
                port="8443",
                path="/p",
                params="x",
                query="q=1",
                fragment="frag",
            ),
        ),
        ("localhost:80/x", ParsedUrl(scheme="localhost", path="80/x")),
        ("mockbin.org", ParsedUrl(path="mockbin.org")),
        ("http://h:/x", ParsedUrl(scheme="http", authority="h:", host="h", port="", path="/x")),
        ("//h", ParsedUrl(authority="h", host="h")),
        ("http://:80", ParsedUrl(scheme="http", authority=":80", port="80")),
    ],
)
def test_parse_url(url: str, parsed: ParsedUrl | None) -> None:
    assert typedefs.parse_url(url) == parsed


def test_validate_utf8() -> None:
    assert typedefs.validate_utf8("héllo 🦍") is None
    assert typedefs.validate_utf8("ab\udcff") == 3


def test_is_valid_helpers() -> None:
    assert typedefs.is_valid_ipv4("1.2.3.4")
    assert not typedefs.is_valid_ipv4("01.2.3.4")
    assert not typedefs.is_valid_ipv4("1.2.3")
    assert typedefs.is_valid_ipv6("::ffff:1.2.3.4")
    assert typedefs.is_valid_ipv6("[::1]")
    assert not typedefs.is_valid_ipv6("fe80::1%eth0")
    assert typedefs.is_valid_cidr("10.0.0.1/8")
    assert typedefs.is_valid_cidr("::1/64")
    assert typedefs.is_valid_cidr_v6("[::1]/64")
    assert not typedefs.is_valid_cidr_v4("::/0")
    assert typedefs.is_valid_ip_or_cidr_v6("::1")
    assert not typedefs.is_valid_ip_or_cidr_v6("1.2.3.4")
    assert typedefs.is_valid_ip_or_cidr_v4("1.2.3.4/0")


@given(st.ip_addresses())
def test_every_ip_address_is_valid(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    text = str(address)
    assert typedefs.is_valid_ip(text)
    assert typedefs.is_valid_ip_or_cidr(text)
    assert valid(typedefs.ip(), text)
    if address.version == 6:
        assert typedefs.is_valid_ip(f"[{text}]")


@given(st.ip_addresses(v=6))
def test_normalize_ipv6_expands(address: ipaddress.IPv6Address) -> None:
    if address.ipv4_mapped is not None or "." in str(address):
        return  # Kong's normalize_ipv6 does not read embedded IPv4 notation
    assert typedefs.normalize_ip(str(address)).host == address.exploded


@given(st.ip_addresses(v=4), st.integers(min_value=0, max_value=65535))
def test_normalize_ipv4_with_port(address: ipaddress.IPv4Address, port: int) -> None:
    assert typedefs.normalize_ip(f"{address}:{port}") == HostAddress("ipv4", str(address), port)
