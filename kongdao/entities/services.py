"""The ``services`` entity: an upstream API that routes send traffic to (Kong 2.8).

A service can be given as a ``url`` (a shorthand expanded into ``protocol``, ``host``, ``port``
and ``path``)::

    schema_of(Service).process_auto_fields({"url": "http://mockbin.org/request"}, "insert")
    # protocol "http", host "mockbin.org", port 80, path "/request", plus the defaults

``path`` only makes sense for HTTP(S), and the TLS client settings only for ``https``; the
entity checks enforce both.
"""

from __future__ import annotations

import re
from typing import Any

from kongdao.schema import Entity, Field, Ref, Shorthand, checks, entity, field, typedefs

__all__ = ["Service"]

_DEFAULT_PROTOCOL = "http"
_DEFAULT_PORT = 80
_LUA_NUMBER = re.compile(
    r"[ \t\n\v\f\r]*[-+]?(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
    r"[ \t\n\v\f\r]*"
)


def _lua_tonumber(text: str | None) -> int | float | None:
    """Lua's ``tonumber`` on a string (integral values as ``int``); ``None`` when not a number."""
    if text is None or not _LUA_NUMBER.fullmatch(text):
        return None
    stripped = text.strip(" \t\n\v\f\r")
    sign = -1 if stripped.startswith("-") else 1
    body = stripped.lstrip("+-")
    number = float(int(body, 16)) if body[:2] in ("0x", "0X") else float(body)
    number *= sign
    return int(number) if number.is_integer() else number


def _expand_url(value: Any) -> dict[str, Any] | None:
    """Turn the ``url`` shorthand into ``protocol``, ``host``, ``port`` and ``path``."""
    parsed = typedefs.parse_url(str(value))
    if parsed is None:
        return None
    port = _lua_tonumber(parsed.port)
    implied = {80: "http", 443: "https"}.get(port) if isinstance(port, int) else None
    protocol = parsed.scheme or implied or _DEFAULT_PROTOCOL
    resolved_port: Any
    if port is not None:
        resolved_port = port
    elif parsed.port is not None:
        # Not a number: kept as the string it is, so that validation reports it.
        resolved_port = parsed.port
    else:
        resolved_port = {"http": 80, "https": 443}.get(protocol, _DEFAULT_PORT)
    return {
        "protocol": protocol,
        "host": parsed.host,
        "port": resolved_port,
        "path": parsed.path,
    }


def _timeout() -> Field:
    return Field(type="integer", between=(1, 2**31 - 2), default=60000)


def _only_for_https(name: str) -> checks.EntityCheck:
    return checks.conditional(
        if_field="protocol",
        if_match={"ne": "https"},
        then_field=name,
        then_match={"eq": None},
    )


@entity(
    "services",
    primary_key=("id",),
    endpoint_key="name",
    workspaceable=True,
    entity_checks=[
        checks.conditional(
            if_field="protocol",
            if_match={"one_of": ["tcp", "tls", "udp", "grpc", "grpcs"]},
            then_field="path",
            then_match={"eq": None},
        ),
        _only_for_https("client_certificate"),
        _only_for_https("tls_verify"),
        _only_for_https("tls_verify_depth"),
        _only_for_https("ca_certificates"),
    ],
    shorthand_fields=[Shorthand("url", Field(type="string"), _expand_url)],
)
class Service(Entity):
    """A Kong service (``services``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        updated_at: last update time, in seconds.
        name: an optional unique name (``/services/{name}``).
        retries: how many times to retry a failed upstream request.
        protocol: how to talk to the upstream (one of :data:`~kongdao.schema.typedefs.PROTOCOLS`).
        host: the upstream host, without a port.
        port: the upstream port.
        path: the path prefix of upstream requests (HTTP(S) only).
        connect_timeout: milliseconds.
        write_timeout: milliseconds.
        read_timeout: milliseconds.
        tags: free-form tags.
        client_certificate: the certificate presented to the upstream (``https`` only).
        tls_verify: whether to verify the upstream's certificate (``https`` only).
        tls_verify_depth: the maximum verification depth (``https`` only).
        ca_certificates: ids of the CA certificates to verify with (``https`` only).
        enabled: whether the service is proxied.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    updated_at: int = field(typedefs.auto_timestamp_s())
    name: str | None = field(typedefs.utf8_name())
    retries: int | None = field(Field(type="integer", default=5, between=(0, 32767)))
    protocol: str = field(typedefs.protocol(required=True, default=_DEFAULT_PROTOCOL))
    host: str = field(typedefs.host(required=True))
    port: int = field(typedefs.port(required=True, default=_DEFAULT_PORT))
    path: str | None = field(typedefs.path())
    connect_timeout: int | None = field(_timeout())
    write_timeout: int | None = field(_timeout())
    read_timeout: int | None = field(_timeout())
    tags: list[str] | None = field(typedefs.tags())
    # TODO(issue 12): the certificates entity; the reference resolves once it exists.
    client_certificate: Ref | None = field(Field(type="foreign", reference="certificates"))
    tls_verify: bool | None = field(Field(type="boolean"))
    tls_verify_depth: int | None = field(Field(type="integer", default=None, between=(0, 64)))
    ca_certificates: list[str] | None = field(
        Field(type="array", elements=Field(type="string", uuid=True))
    )
    enabled: bool = field(Field(type="boolean", required=True, default=True))
