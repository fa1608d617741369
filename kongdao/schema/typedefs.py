r"""Kong 2.8's typedefs: ready-made field definitions (``kong/db/schema/typedefs.lua``).

Each typedef is a function returning a :class:`~kongdao.schema.Field`; keyword arguments
override attributes of the definition, the way Kong's ``typedefs.port { default = 80 }`` does::

    port: int = field(typedefs.port(required=True, default=80))
    name: str | None = field(typedefs.utf8_name())

Custom validators report Kong's exact messages (``invalid value: <host>``, ``must not have a
port``, ``invalid path: '<path>' (characters outside of the reserved list of RFC 3986 found)``,
...). They rely on Python re-implementations of the helpers of ``kong/tools/utils.lua``
(:func:`normalize_ip`, :func:`is_valid_ip`, :func:`validate_utf8`, ...) and of LuaSocket's URL
parser (:func:`parse_url`), which are public here because entities and plugins need them too.

Left out: the ``cidr`` alias (use :func:`cidr_v4`). :func:`lua_code` keeps Kong's shape but
cannot check that the code compiles: kongdao never runs Lua.

:func:`certificate` and :func:`key` parse with the ``cryptography`` package (imported only when
a value is validated) where Kong uses lua-resty-openssl. They accept PEM text only (Kong also
tries DER and, for keys, JWK), and the reason after ``invalid certificate: x509.new:`` or
``invalid key: pkey.new:load_key:`` is ``cryptography``'s, not OpenSSL's.

Differences from Kong, all on inputs Kong mishandles:

* Strings are characters, not bytes. :func:`validate_utf8` therefore only finds lone surrogates
  (what ``bytes.decode("utf-8", "surrogateescape")`` produces for invalid UTF-8), and the
  position it reports is a 1-based character index where Kong's is a byte offset.
* Where Kong raises a Lua error (``[::1]:`` as a host: the empty port is compared with a number;
  an SNI or wildcard host with an out-of-range port: ``res.type`` of a nil result), kongdao
  reports a validation message (``invalid ipv6 address``, ``must not have a port``).
* IP addresses are parsed with :mod:`ipaddress`, which agrees with the ``inet_pton`` Kong calls
  except that it accepts scope ids (``fe80::1%eth0``); those are rejected explicitly. A string
  with an embedded NUL is rejected, where C would stop reading at the NUL.
* Regex paths are checked with Python's :mod:`re`, after rewriting PCRE's named groups
  (``(?<name>...)``, ``(?'name'...)``, ``\k<name>``) into Python's syntax. PCRE features that
  :mod:`re` lacks (``\p{L}``, ``\x{...}``, ``\Q...\E``, recursion) are reported invalid, and
  the text after ``PCRE returned:`` is Python's message, not PCRE's.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from kongdao.schema import checks
from kongdao.schema.fields import Field, MatchAny, Pattern
from kongdao.schema.lua import lua_pattern
from kongdao.schema.pcre import compile_pcre

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
    from cryptography.x509 import Certificate

__all__ = [
    "HTTP_PROTOCOLS",
    "PROTOCOLS",
    "PROTOCOLS_WITH_SUBSYSTEM",
    "HostAddress",
    "ParsedUrl",
    "auto_timestamp_ms",
    "auto_timestamp_s",
    "certificate",
    "check_hostname",
    "cidr_v4",
    "destinations",
    "header_name",
    "headers",
    "host",
    "host_with_optional_port",
    "hostname_type",
    "hosts",
    "http_method",
    "ip",
    "ip_or_cidr",
    "ip_or_cidr_v4",
    "is_valid_cidr",
    "is_valid_cidr_v4",
    "is_valid_cidr_v6",
    "is_valid_ip",
    "is_valid_ip_or_cidr",
    "is_valid_ip_or_cidr_v4",
    "is_valid_ip_or_cidr_v6",
    "is_valid_ipv4",
    "is_valid_ipv6",
    "key",
    "lua_code",
    "methods",
    "name",
    "no_consumer",
    "no_destinations",
    "no_headers",
    "no_hosts",
    "no_methods",
    "no_paths",
    "no_route",
    "no_service",
    "no_sources",
    "normalize_ip",
    "normalize_ipv4",
    "normalize_ipv6",
    "parse_certificate",
    "parse_key",
    "parse_url",
    "path",
    "paths",
    "port",
    "protocol",
    "protocols",
    "protocols_http",
    "semantic_version",
    "sni",
    "sources",
    "tag",
    "tags",
    "timeout",
    "url",
    "utf8_name",
    "uuid",
    "validate_cookie_name",
    "validate_header_name",
    "validate_utf8",
    "wildcard_host",
]

# --------------------------------------------------------------------------------------------
# kong/constants.lua

PROTOCOLS_WITH_SUBSYSTEM: Final[Mapping[str, str]] = MappingProxyType(
    {
        "http": "http",
        "https": "http",
        "tcp": "stream",
        "tls": "stream",
        "udp": "stream",
        "tls_passthrough": "stream",
        "grpc": "http",
        "grpcs": "http",
    }
)
"""Every protocol Kong proxies, with the nginx subsystem that serves it."""

PROTOCOLS: Final[tuple[str, ...]] = tuple(sorted(PROTOCOLS_WITH_SUBSYSTEM))
"""All protocols, sorted: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp."""

HTTP_PROTOCOLS: Final[tuple[str, ...]] = tuple(
    sorted(p for p, subsystem in PROTOCOLS_WITH_SUBSYSTEM.items() if subsystem == "http")
)
"""The protocols of the http subsystem, sorted: grpc, grpcs, http, https."""


# --------------------------------------------------------------------------------------------
# kong/tools/utils.lua: UTF-8, IP addresses, host names, header names


def validate_utf8(value: str) -> int | None:
    """Check that a string is valid UTF-8 (Kong's ``utils.validate_utf8``).

    Returns:
        ``None`` when valid, else the 1-based position of the first bad character (a lone
        surrogate: Python strings hold characters, so nothing else can be invalid).
    """
    for index, char in enumerate(value, 1):
        if "\ud800" <= char <= "\udfff":
            return index
    return None


def _inet_pton4(text: str) -> bool:
    # ipaddress rejects leading zeros, short forms and octal like glibc's inet_pton does.
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _inet_pton6(text: str) -> bool:
    if "%" in text:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _parse_ipv6(text: str) -> bool:
    # resty.ipmatcher strips one pair of surrounding brackets before inet_pton.
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        text = text[1:-1]
    return _inet_pton6(text)


_IPV4_PREFIXES: Final = frozenset(str(i) for i in range(33))
_IPV6_PREFIXES: Final = frozenset(str(i) for i in range(129))


def _split_cidr(text: str, prefixes: frozenset[str]) -> str | None:
    """The address part of ``address/prefix``, or ``None`` when the prefix is not valid."""
    # Kong searches the slash from the third character on, so "1/0" has no prefix at all.
    slash = text.find("/", 2)
    if slash < 0 or text[slash + 1 :] not in prefixes:
        return None
    return text[:slash]


def is_valid_ipv4(text: str) -> bool:
    """Whether ``text`` is an IPv4 address (dotted quad, no leading zeros)."""
    return _inet_pton4(text)


def is_valid_ipv6(text: str) -> bool:
    """Whether ``text`` is an IPv6 address, optionally in brackets."""
    return _parse_ipv6(text)


def is_valid_ip(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address."""
    return _inet_pton4(text) or _parse_ipv6(text)


def is_valid_cidr_v4(text: str) -> bool:
    """Whether ``text`` is ``<ipv4>/<0..32>`` (host bits may be set)."""
    address = _split_cidr(text, _IPV4_PREFIXES)
    return address is not None and _inet_pton4(address)


def is_valid_cidr_v6(text: str) -> bool:
    """Whether ``text`` is ``<ipv6>/<0..128>`` (host bits may be set)."""
    address = _split_cidr(text, _IPV6_PREFIXES)
    return address is not None and _parse_ipv6(address)


def is_valid_cidr(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 CIDR range."""
    return is_valid_cidr_v4(text) or is_valid_cidr_v6(text)


def is_valid_ip_or_cidr_v4(text: str) -> bool:
    """Whether ``text`` is an IPv4 address or an IPv4 CIDR range."""
    return _inet_pton4(text) or is_valid_cidr_v4(text)


def is_valid_ip_or_cidr_v6(text: str) -> bool:
    """Whether ``text`` is an IPv6 address or an IPv6 CIDR range."""
    return _parse_ipv6(text) or is_valid_cidr_v6(text)


def is_valid_ip_or_cidr(text: str) -> bool:
    """Whether ``text`` is an IP address or a CIDR range, of either family."""
    return is_valid_ip(text) or is_valid_cidr(text)


HostType = Literal["ipv4", "ipv6", "name"]


@attrs.frozen
class HostAddress:
    """A host as :func:`normalize_ip` returns it.

    Args:
        type: ``ipv4``, ``ipv6`` or ``name``.
        host: the normalised address (IPv4 without leading zeros, IPv6 fully expanded in lower
            case, names unchanged).
        port: the port given after the host, if any.
    """

    type: HostType
    host: str
    port: int | None


_IPV4_ONLY_DIGITS = lua_pattern("^[%d%.]+$")


def hostname_type(name: str) -> HostType:
    """Guess what a host is, by exclusion, without validating it (Kong's ``hostname_type``).

    More than one colon means ``ipv6``; only digits and dots (once colons are dropped) means
    ``ipv4``; anything else is a ``name``.
    """
    if name.count(":") > 1:
        return "ipv6"
    if _IPV4_ONLY_DIGITS.search(name.replace(":", "")):
        return "ipv4"
    return "name"


_IPV4_WITH_PORT = lua_pattern("^(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?):(%d+)$")
_IPV4_NO_PORT = lua_pattern("^(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)$")
_PORT_MAX: Final = 65535


def normalize_ipv4(address: str) -> tuple[str, int | None]:
    """Parse ``a.b.c.d`` or ``a.b.c.d:port`` (Kong's ``normalize_ipv4``).

    Returns:
        The address without leading zeros, and the port or ``None``.

    Raises:
        ValueError: ``invalid ipv4 address: <address>`` or ``invalid port number``.
    """
    m = (_IPV4_WITH_PORT if ":" in address else _IPV4_NO_PORT).search(address)
    if m is None:
        raise ValueError(f"invalid ipv4 address: {address}")
    octets = [int(g) for g in m.groups()[:4]]
    if any(o > 255 for o in octets):
        raise ValueError(f"invalid ipv4 address: {address}")
    port = None
    if len(m.groups()) == 5:
        port = int(m.group(5))
        if port > _PORT_MAX:
            raise ValueError("invalid port number")
    return ".".join(str(o) for o in octets), port


_IPV6_GROUPS = lua_pattern(
    "^(%x%x?%x?%x?):(%x%x?%x?%x?):(%x%x?%x?%x?):(%x%x?%x?%x?):"
    "(%x%x?%x?%x?):(%x%x?%x?%x?):(%x%x?%x?%x?):(%x%x?%x?%x?)$"
)
_BRACKET_PORT = lua_pattern("^:(%d-)$")


def _balanced_brackets(text: str) -> int:
    """Length of the balanced ``[...]`` prefix of ``text`` (Lua's ``%b[]``), or 0."""
    if not text.startswith("["):
        return 0
    depth = 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i + 1
    return 0


def normalize_ipv6(address: str) -> tuple[str, int | None]:
    """Parse ``ipv6``, ``[ipv6]`` or ``[ipv6]:port`` (Kong's ``normalize_ipv6``).

    Embedded IPv4 notation (``::ffff:1.2.3.4``) is not accepted, as in Kong.

    Returns:
        The fully expanded, lower-case address, and the port or ``None``.

    Raises:
        ValueError: ``invalid ipv6 address: <address>``, ``invalid ipv6 address`` (bad text
            after the brackets) or ``invalid port number``.
    """
    end = _balanced_brackets(address)
    port: int | None = None
    if end:
        check = address[1 : end - 1]
        rest = address[end:]
        if rest:
            m = _BRACKET_PORT.search(rest)
            if m is None or not m.group(1):
                raise ValueError("invalid ipv6 address")
            port = int(m.group(1))
            if port > _PORT_MAX:
                raise ValueError("invalid port number")
    else:
        check = address
    if check.startswith(":"):
        check = "0" + check
    if check.endswith(":"):
        check += "0"
    if "::" in check:
        check = check.replace("::", ":" + "0:" * (8 - check.count(":")), 1)
    m = _IPV6_GROUPS.search(check)
    if m is None:
        raise ValueError(f"invalid ipv6 address: {address}")
    return ":".join(g.rjust(4, "0") for g in m.groups()).lower(), port


_TRAILING_PORT = lua_pattern(":(%d+)$")
_HOSTNAME_CHARS = lua_pattern("^[%d%a%-%.%_]+$")


def _penlight_split(text: str, sep: str) -> list[str]:
    # Penlight 1.12's stringx.split: drops one trailing empty field, then appends "" whenever
    # the text ends with the separator ("." -> [""], "a.." -> ["a", "", ""]).
    parts = text.split(sep)
    if parts and parts[-1] == "":
        parts.pop()
    if parts == [""]:
        parts = []
    if text.endswith(sep):
        parts.append("")
    return parts


def check_hostname(address: str) -> tuple[str, int | None]:
    """Parse ``name`` or ``name:port`` (Kong's ``check_hostname``).

    Names may use ASCII letters, digits, ``-``, ``.`` and ``_``; a label may not end with a dash
    (punycode labels may start with one), labels may not be empty except for a final dot.

    Returns:
        The name (not normalised) and the port or ``None``.

    Raises:
        ValueError: ``invalid hostname: <address>`` or ``invalid port number``.
    """
    name = address
    port: int | None = None
    m = _TRAILING_PORT.search(address)
    if m is not None:
        name = name[: -(len(m.group(1)) + 1)]
        port = int(m.group(1))
        if port > _PORT_MAX:
            raise ValueError("invalid port number")
    if not _HOSTNAME_CHARS.search(name):
        raise ValueError(f"invalid hostname: {address}")
    segments = _penlight_split(name, ".")
    for index, segment in enumerate(segments, 1):
        if segment.endswith("-") or (segment == "" and index != len(segments)):
            raise ValueError(f"invalid hostname: {address}")
    return name, port


def normalize_ip(address: str) -> HostAddress:
    """Validate and normalise ``ipv4[:port]``, ``ipv6``, ``[ipv6][:port]`` or ``name[:port]``.

    Kong's ``utils.normalize_ip``: the kind of host is guessed by :func:`hostname_type`, then
    checked by :func:`normalize_ipv4`, :func:`normalize_ipv6` or :func:`check_hostname`.

    Raises:
        ValueError: with the message of the failing check.
    """
    kind = hostname_type(address)
    if kind == "ipv4":
        host_, port_ = normalize_ipv4(address)
    elif kind == "ipv6":
        host_, port_ = normalize_ipv6(address)
    else:
        host_, port_ = check_hostname(address)
    return HostAddress(kind, host_, port_)


# PCRE (as ngx.re.match uses it): '$' also matches before a final newline, like Python's '$'.
_HEADER_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


def validate_header_name(name: str) -> str | None:
    """Check a header name the way nginx wants it (Kong's ``utils.validate_header_name``).

    Returns:
        ``None`` when valid, else Kong's message.
    """
    if not name:
        return "no header name provided"
    if _HEADER_NAME.match(name):
        return None
    return f"bad header name '{name}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"


# --------------------------------------------------------------------------------------------
# LuaSocket 3.0-rc1 socket.url.parse


@attrs.frozen
class ParsedUrl:
    """The parts of a URL, as LuaSocket's ``url.parse`` names them (absent parts are ``None``).

    ``<scheme>://<userinfo>@<host>:<port>/<path>;<params>?<query>#<fragment>``, where
    ``userinfo`` is ``<user>:<password>`` and ``authority`` is everything between ``//`` and
    the path. An IPv6 ``host`` is given without its brackets.
    """

    scheme: str | None = None
    authority: str | None = None
    userinfo: str | None = None
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: str | None = None
    path: str | None = None
    params: str | None = None
    query: str | None = None
    fragment: str | None = None


_URL_SCHEME = lua_pattern("^([%w][%w%+%-%.]*)%:")
_URL_AUTHORITY = lua_pattern("^//([^/]*)")
_URL_USERINFO = lua_pattern("^([^@]*)@")
_URL_PORT = lua_pattern(":([^:%]]*)$")
_URL_IPV6_HOST = lua_pattern("^%[(.+)%]$")
_URL_PASSWORD = lua_pattern(":([^:]*)$")


def parse_url(url: str) -> ParsedUrl | None:
    """Split a URL into its parts, exactly as LuaSocket 3.0-rc1's ``url.parse`` does.

    It is lenient: anything that is not an empty string parses (``localhost:80`` has the scheme
    ``localhost``), and nothing is decoded or validated.

    Returns:
        The parts, or ``None`` for an empty string.
    """
    if not url:
        return None
    parts: dict[str, str] = {}

    def take_tail(sep: str, key: str) -> None:
        nonlocal url
        at = url.find(sep)
        if at >= 0:
            parts[key] = url[at + 1 :]
            url = url[:at]

    take_tail("#", "fragment")
    m = _URL_SCHEME.search(url)
    if m is not None:
        parts["scheme"] = m.group(1)
        url = url[m.end() :]
    m = _URL_AUTHORITY.search(url)
    if m is not None:
        parts["authority"] = m.group(1)
        url = url[m.end() :]
    take_tail("?", "query")
    take_tail(";", "params")
    if url:
        parts["path"] = url
    authority = parts.get("authority")
    if authority is not None:
        m = _URL_USERINFO.search(authority)
        if m is not None:
            parts["userinfo"] = m.group(1)
            authority = authority[m.end() :]
        m = _URL_PORT.search(authority)
        if m is not None:
            parts["port"] = m.group(1)
            authority = authority[: m.start()]
        if authority:
            m = _URL_IPV6_HOST.search(authority)
            parts["host"] = m.group(1) if m is not None else authority
        userinfo = parts.get("userinfo")
        if userinfo is not None:
            m = _URL_PASSWORD.search(userinfo)
            if m is not None:
                parts["password"] = m.group(1)
                userinfo = userinfo[: m.start()]
            parts["user"] = userinfo
    return ParsedUrl(**parts)


# --------------------------------------------------------------------------------------------
# custom validators (each returns None when valid, else Kong's message)


def _validate_host(value: str) -> str | None:
    try:
        res = normalize_ip(value)
    except ValueError as exc:
        if str(exc) != "invalid port number":
            return f"invalid value: {value}"
        return "must not have a port"
    if res.port is not None:
        return "must not have a port"
    return None


def _validate_host_with_optional_port(value: str) -> str | None:
    try:
        normalize_ip(value)
    except ValueError as exc:
        return str(exc)
    return None


def _validate_name_type(value: str, shown: str) -> str | None:
    """The host checks shared by ``sni`` and ``wildcard_host``; ``shown`` is for messages."""
    try:
        res = normalize_ip(value)
    except ValueError as exc:
        if str(exc) != "invalid port number":
            return f"invalid value: {shown}"
        return "must not have a port"
    if res.type != "name":
        return "must not be an IP"
    if res.port is not None:
        return "must not have a port"
    return None


def _validate_sni(value: str) -> str | None:
    return _validate_name_type(value, value)


def _validate_wildcard_host(value: str) -> str | None:
    star = value.find("*")
    if star >= 0:
        if star not in (0, len(value) - 1):
            return "wildcard must be leftmost or rightmost character"
        if value.count("*") > 1:
            return "only one wildcard must be specified"
        # Kong's message then shows the substituted host, not the input.
        value = value.replace("*", "wildcard")
    return _validate_name_type(value, value)


def _validate_ip(value: str) -> str | None:
    return None if is_valid_ip(value) else f"not an ip address: {value}"


def _validate_ip_or_cidr(value: str) -> str | None:
    return None if is_valid_ip_or_cidr(value) else f"invalid ip or cidr range: '{value}'"


def _validate_ip_or_cidr_v4(value: str) -> str | None:
    return None if is_valid_ip_or_cidr_v4(value) else f"invalid ipv4 cidr range: '{value}'"


_RFC3986_PATH = lua_pattern("^/[%w%.%-%_%~%/%%%:%@%!%$%&%'%(%)%*%+%,%;%=]*$")
_PERCENT_ESCAPE = lua_pattern("%%%x%x")
_BAD_PERCENT = lua_pattern("%%.?.?")

_PathErrorKind = Literal["rfc3986", "percent"]


def _check_path(value: str) -> tuple[str, _PathErrorKind] | None:
    if not _RFC3986_PATH.search(value):
        return (
            f"invalid path: '{value}' (characters outside of the reserved list of RFC 3986 found)",
            "rfc3986",
        )
    raw = _PERCENT_ESCAPE.sub("___", value)
    bad = _BAD_PERCENT.search(raw)
    if bad is not None:
        return f"invalid url-encoded value: '{bad.group()}'", "percent"
    return None


def _validate_path(value: str) -> str | None:
    failure = _check_path(value)
    return None if failure is None else failure[0]


# The router takes paths made of these characters literally; anything else is a regex.
_PLAIN_ROUTER_PATH = re.compile(r"^[a-zA-Z0-9.\-_~/%]*$")


def _validate_path_with_regexes(value: str) -> str | None:
    failure = _check_path(value)
    if failure is not None and failure[1] == "percent":
        return failure[0]
    # The router is stricter than RFC 3986 about what a plain path is: a path that fails only
    # the RFC 3986 check may still be a valid regex.
    if _PLAIN_ROUTER_PATH.match(value):
        return None
    try:
        compile_pcre(value)
    except re.error as exc:
        return f"invalid regex: '{value}' (PCRE returned: {exc})"
    return None


_NAME_CHARS = lua_pattern("^[%w%.%-%_~]+$")


def _validate_name(value: str) -> str | None:
    if _NAME_CHARS.search(value):
        return None
    return f"invalid value '{value}': it must only contain alphanumeric and '., -, _, ~' characters"


def _utf8_message(value: str) -> str | None:
    position = validate_utf8(value)
    if position is None:
        return None
    return f"invalid utf-8 character sequence detected at position {position}"


# Lua's byte range \128-\244 covers every byte of a valid multi-byte UTF-8 sequence, i.e. any
# non-ASCII character once the string is decoded.
_UTF8_NAME_CHARS = re.compile(r"\A[A-Za-z0-9.\-_~\u0080-\U0010ffff]+\Z")
# Printable ASCII except ',' and '/', or any non-ASCII character.
_TAG_CHARS = re.compile(r"\A[!-+\-.0-~\u0080-\U0010ffff]+\Z")


def _validate_utf8_name(value: str) -> str | None:
    message = _utf8_message(value)
    if message is not None:
        return message
    if _UTF8_NAME_CHARS.match(value):
        return None
    return (
        f"invalid value '{value}': the only accepted ascii characters are alphanumerics "
        "or ., -, _, and ~"
    )


def _validate_tag(value: str) -> str | None:
    message = _utf8_message(value)
    if message is not None:
        return message
    if _TAG_CHARS.match(value):
        return None
    return (
        f"invalid tag '{value}': expected printable ascii (except `,` and `/`) "
        "or valid utf-8 sequences"
    )


def _validate_url(value: str) -> str | None:
    parsed = parse_url(value)
    if parsed is None:
        return "could not parse url. invalid url"
    if parsed.host is None:
        return "missing host in url"
    if parsed.scheme is None:
        return "missing scheme in url"
    return None


def _validate_host_with_wildcards(value: str) -> str | None:
    return _validate_host_with_optional_port(value.replace("*", "abc"))


# --------------------------------------------------------------------------------------------
# the typedefs


def _typedef(base: Field, overrides: Mapping[str, Any]) -> Field:
    return base.evolve(**overrides) if overrides else base


_HTTP_METHOD = Field(type="string", match=lua_pattern("^%u+$"))
_PROTOCOL = Field(type="string", one_of=PROTOCOLS)
_HOST = Field(type="string", custom_validator=_validate_host)
_HOST_WITH_OPTIONAL_PORT = Field(type="string", custom_validator=_validate_host_with_optional_port)
_WILDCARD_HOST = Field(type="string", custom_validator=_validate_wildcard_host)
_IP = Field(type="string", custom_validator=_validate_ip)
_IP_OR_CIDR = Field(type="string", custom_validator=_validate_ip_or_cidr)
_CIDR_V4 = Field(type="string", custom_validator=_validate_ip_or_cidr_v4)
_PORT = Field(type="integer", between=(0, 65535))
_EMPTY_SEGMENTS = Pattern(lua_pattern("//"), "must not have empty segments")
_PATH = Field(
    type="string",
    starts_with="/",
    match_none=[_EMPTY_SEGMENTS],
    custom_validator=_validate_path,
)
_URL = Field(type="string", custom_validator=_validate_url)
_HEADER_NAME_FIELD = Field(type="string", custom_validator=validate_header_name)
_TIMEOUT = Field(type="integer", between=(0, 2**31 - 2))
_UUID = Field(type="string", uuid=True, auto=True)
_AUTO_TIMESTAMP_S = Field(type="integer", timestamp=True, auto=True)
_AUTO_TIMESTAMP_MS = Field(type="number", timestamp=True, auto=True)
_NO_ROUTE = Field(type="foreign", reference="routes", eq=None)
_NO_SERVICE = Field(type="foreign", reference="services", eq=None)
_NO_CONSUMER = Field(type="foreign", reference="consumers", eq=None)
_NAME = Field(type="string", unique=True, custom_validator=_validate_name)
_UTF8_NAME = Field(type="string", unique=True, custom_validator=_validate_utf8_name)
_SNI = Field(type="string", custom_validator=_validate_sni)
_TAG = Field(type="string", required=True, custom_validator=_validate_tag)
_TAGS = Field(type="set", elements=_TAG)
_PROTOCOLS = Field(type="set", required=True, default=list(HTTP_PROTOCOLS), elements=_PROTOCOL)
_PROTOCOLS_HTTP = Field(
    type="set",
    required=True,
    default=list(HTTP_PROTOCOLS),
    elements=Field(type="string", one_of=HTTP_PROTOCOLS),
)
_ADDRESS = Field(
    type="set",
    elements=Field(
        type="record",
        fields=[("ip", _IP_OR_CIDR), ("port", _PORT)],
        entity_checks=[checks.at_least_one_of("ip", "port")],
    ),
)
_METHODS = Field(type="set", elements=_HTTP_METHOD)
_HOSTS = Field(
    type="array",
    elements=Field(
        type="string",
        match_all=[
            Pattern(
                lua_pattern("^[^*]*%*?[^*]*$"),
                "invalid wildcard: must have at most one wildcard",
            )
        ],
        match_any=MatchAny(
            [lua_pattern("^%*%."), lua_pattern("%.%*$"), lua_pattern("^[^*]*$")],
            "invalid wildcard: must be placed at leftmost or rightmost label",
        ),
        custom_validator=_validate_host_with_wildcards,
    ),
)
_PATHS = Field(
    type="array",
    elements=_PATH.evolve(custom_validator=_validate_path_with_regexes),
)
_HEADERS = Field(
    type="map",
    keys=_HEADER_NAME_FIELD,
    values=Field(type="array", elements=Field(type="string")),
)
_SEMANTIC_VERSION = Field(
    type="string",
    match_any=MatchAny(
        [lua_pattern("^%d+[%.%d]*$"), lua_pattern("^%d+[%.%d]*%-?.*$")],
        "invalid version number: must be in format of X.Y.Z",
    ),
    match_none=[Pattern(lua_pattern("%.%."), "must not have empty version segments")],
)
_LUA_CODE = Field(
    type="map",
    keys=Field(type="string", len_min=1),
    values=Field(type="string", len_min=1),
)


def http_method(**overrides: Any) -> Field:
    """An HTTP method: upper-case letters only (``GET``, ``PURGE``, ``CUSTOM``)."""
    return _typedef(_HTTP_METHOD, overrides)


def protocol(**overrides: Any) -> Field:
    """One of :data:`PROTOCOLS`."""
    return _typedef(_PROTOCOL, overrides)


def host(**overrides: Any) -> Field:
    """A host name or IP address, without a port."""
    return _typedef(_HOST, overrides)


def host_with_optional_port(**overrides: Any) -> Field:
    """A host name or IP address, optionally followed by ``:port``."""
    return _typedef(_HOST_WITH_OPTIONAL_PORT, overrides)


def wildcard_host(**overrides: Any) -> Field:
    """A host name (no IP, no port) that may start or end with one ``*`` wildcard."""
    return _typedef(_WILDCARD_HOST, overrides)


def ip(**overrides: Any) -> Field:
    """An IPv4 or IPv6 address (``not an ip address: ...``)."""
    return _typedef(_IP, overrides)


def ip_or_cidr(**overrides: Any) -> Field:
    """An IP address or CIDR range of either family (``invalid ip or cidr range: '...'``)."""
    return _typedef(_IP_OR_CIDR, overrides)


def cidr_v4(**overrides: Any) -> Field:
    """An IPv4 address or IPv4 CIDR range (``invalid ipv4 cidr range: '...'``).

    Kong's ``typedefs.cidr_v4`` (alias ``cidr``): plain addresses are accepted too.
    """
    return _typedef(_CIDR_V4, overrides)


def ip_or_cidr_v4(**overrides: Any) -> Field:
    """The same definition as :func:`cidr_v4`, named after what it accepts."""
    return _typedef(_CIDR_V4, overrides)


def port(**overrides: Any) -> Field:
    """A port number, 0 to 65535."""
    return _typedef(_PORT, overrides)


def path(**overrides: Any) -> Field:
    """A URL path: starts with ``/``, no empty segment, RFC 3986 characters, valid %-escapes."""
    return _typedef(_PATH, overrides)


def url(**overrides: Any) -> Field:
    """A URL with at least a scheme and a host, as LuaSocket parses it."""
    return _typedef(_URL, overrides)


def header_name(**overrides: Any) -> Field:
    """A header name: ASCII letters, digits, ``_`` and ``-``."""
    return _typedef(_HEADER_NAME_FIELD, overrides)


def timeout(**overrides: Any) -> Field:
    """A timeout in milliseconds, 0 to 2^31 - 2."""
    return _typedef(_TIMEOUT, overrides)


def uuid(**overrides: Any) -> Field:
    """A UUID string, generated when absent (``auto``)."""
    return _typedef(_UUID, overrides)


def auto_timestamp_s(**overrides: Any) -> Field:
    """A timestamp in whole seconds, set automatically (``created_at``, ``updated_at``)."""
    return _typedef(_AUTO_TIMESTAMP_S, overrides)


def auto_timestamp_ms(**overrides: Any) -> Field:
    """A timestamp in seconds with millisecond precision, set automatically."""
    return _typedef(_AUTO_TIMESTAMP_MS, overrides)


def no_route(**overrides: Any) -> Field:
    """For plugin schemas: the plugin cannot be applied to a route (``value must be null``)."""
    return _typedef(_NO_ROUTE, overrides)


def no_service(**overrides: Any) -> Field:
    """For plugin schemas: the plugin cannot be applied to a service."""
    return _typedef(_NO_SERVICE, overrides)


def no_consumer(**overrides: Any) -> Field:
    """For plugin schemas: the plugin cannot be applied to a consumer."""
    return _typedef(_NO_CONSUMER, overrides)


def name(**overrides: Any) -> Field:
    """A unique ASCII name: letters, digits, ``.``, ``-``, ``_`` and ``~``."""
    return _typedef(_NAME, overrides)


def utf8_name(**overrides: Any) -> Field:
    """A unique name: ASCII letters, digits, ``.``, ``-``, ``_``, ``~``, or any non-ASCII."""
    return _typedef(_UTF8_NAME, overrides)


def sni(**overrides: Any) -> Field:
    """A server name for TLS SNI: a host name, neither an IP address nor with a port."""
    return _typedef(_SNI, overrides)


def tag(**overrides: Any) -> Field:
    """A tag: printable ASCII except ``,`` and ``/``, or any non-ASCII character; required."""
    return _typedef(_TAG, overrides)


def tags(**overrides: Any) -> Field:
    """A set of :func:`tag` s."""
    return _typedef(_TAGS, overrides)


def protocols(**overrides: Any) -> Field:
    """A required set of :data:`PROTOCOLS`, by default :data:`HTTP_PROTOCOLS` (plugins)."""
    return _typedef(_PROTOCOLS, overrides)


def protocols_http(**overrides: Any) -> Field:
    """A required set of :data:`HTTP_PROTOCOLS`, by default all of them (HTTP-only plugins)."""
    return _typedef(_PROTOCOLS_HTTP, overrides)


def sources(**overrides: Any) -> Field:
    """A set of ``{ip, port}`` records (``ip`` an address or CIDR range), one of them set."""
    return _typedef(_ADDRESS, overrides)


def destinations(**overrides: Any) -> Field:
    """A set of ``{ip, port}`` records, as :func:`sources`."""
    return _typedef(_ADDRESS, overrides)


def methods(**overrides: Any) -> Field:
    """A set of :func:`http_method` s."""
    return _typedef(_METHODS, overrides)


def hosts(**overrides: Any) -> Field:
    """An array of route hosts: optional port, at most one ``*`` as the first or last label."""
    return _typedef(_HOSTS, overrides)


def paths(**overrides: Any) -> Field:
    """An array of route paths: :func:`path` s, or regexes the router can compile."""
    return _typedef(_PATHS, overrides)


def headers(**overrides: Any) -> Field:
    """A map from :func:`header_name` to arrays of header values."""
    return _typedef(_HEADERS, overrides)


def no_sources(**overrides: Any) -> Field:
    """:func:`sources` that must be null (route subschemas)."""
    return _ADDRESS.evolve(**{"eq": None, **overrides})


def no_destinations(**overrides: Any) -> Field:
    """:func:`destinations` that must be null (route subschemas)."""
    return _ADDRESS.evolve(**{"eq": None, **overrides})


def no_methods(**overrides: Any) -> Field:
    """:func:`methods` that must be null (route subschemas)."""
    return _METHODS.evolve(**{"eq": None, **overrides})


def no_hosts(**overrides: Any) -> Field:
    """:func:`hosts` that must be null (route subschemas)."""
    return _HOSTS.evolve(**{"eq": None, **overrides})


def no_paths(**overrides: Any) -> Field:
    """:func:`paths` that must be null (route subschemas)."""
    return _PATHS.evolve(**{"eq": None, **overrides})


def no_headers(**overrides: Any) -> Field:
    """:func:`headers` that must be null (route subschemas)."""
    return _HEADERS.evolve(**{"eq": None, **overrides})


def semantic_version(**overrides: Any) -> Field:
    """A version number ``X[.Y[.Z...]][-suffix]`` without empty segments."""
    return _typedef(_SEMANTIC_VERSION, overrides)


def lua_code(**overrides: Any) -> Field:
    """A map of non-empty strings to non-empty Lua code.

    Kong also compiles each value in its sandbox; kongdao cannot, so the code is not checked.
    """
    return _typedef(_LUA_CODE, overrides)


# --------------------------------------------------------------------------------------------
# kong/tools/utils.lua: cookie names (upstreams' hash_on_cookie)

_COOKIE_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


def validate_cookie_name(name: str | None) -> str | None:
    """Check a cookie name (Kong's ``utils.validate_cookie_name``).

    Returns:
        ``None`` when valid, else Kong's message.
    """
    if not name:
        return "no cookie name provided"
    if _COOKIE_NAME.match(name):
        return None
    return f"bad cookie name '{name}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"


# --------------------------------------------------------------------------------------------
# certificates and keys: lua-resty-openssl's x509.new / pkey.new, with cryptography


def _import_error(exc: ImportError) -> ModuleNotFoundError:
    return ModuleNotFoundError(
        "certificates and keys are parsed with the 'cryptography' package: "
        f"pip install cryptography ({exc})"
    )


def _reason(exc: Exception) -> str:
    """The first sentence of a ``cryptography`` error: the rest points to its FAQ."""
    text = str(exc) or type(exc).__name__
    return text.split(". ", 1)[0].rstrip(".")


def parse_certificate(pem: str) -> Certificate:
    """Load the first certificate of PEM text, as lua-resty-openssl's ``x509.new`` does.

    Text around the PEM block and further certificates (a chain) are ignored.

    Raises:
        ValueError: ``x509.new: <reason>`` when there is no parsable certificate.
        ModuleNotFoundError: ``cryptography`` is not installed.
    """
    try:
        from cryptography import x509
    except ImportError as exc:
        raise _import_error(exc) from exc
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise ValueError(f"x509.new: {_reason(exc)}") from None


def parse_key(pem: str) -> PrivateKeyTypes | PublicKeyTypes:
    """Load a private key, or else a public key, from PEM text (lua-resty-openssl's ``pkey.new``).

    Encrypted private keys are refused: Kong gives OpenSSL no passphrase either.

    Raises:
        ValueError: ``pkey.new:load_key: <reason>`` when there is no parsable key.
        ModuleNotFoundError: ``cryptography`` is not installed.
    """
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
    except ImportError as exc:
        raise _import_error(exc) from exc
    data = pem.encode()
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # reported when the text is no public key either: a private key is what Kong expects
        private_error: Exception = exc
    try:
        return serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError(f"pkey.new:load_key: {_reason(private_error)}") from None


def _validate_certificate(value: str) -> str | None:
    try:
        parse_certificate(value)
    except ValueError as exc:
        return f"invalid certificate: {exc}"
    return None


def _validate_key(value: str) -> str | None:
    try:
        parse_key(value)
    except ValueError as exc:
        return f"invalid key: {exc}"
    return None


_CERTIFICATE = Field(type="string", custom_validator=_validate_certificate)
_KEY = Field(type="string", custom_validator=_validate_key)


def certificate(**overrides: Any) -> Field:
    """A PEM certificate (``invalid certificate: x509.new: ...``); a chain's first one counts."""
    return _typedef(_CERTIFICATE, overrides)


def key(**overrides: Any) -> Field:
    """A PEM private key, or a public key as Kong accepts too (``invalid key: pkey.new:...``).

    Declare entity attributes holding private keys with ``field(..., repr=False)``.
    """
    return _typedef(_KEY, overrides)
