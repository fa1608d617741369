"""The ``upstreams`` entity: a virtual host name load-balanced over targets (Kong 2.8).

An upstream balances requests over its :class:`~kongdao.entities.targets.Target` s with
``round-robin``, ``least-connections`` or ``consistent-hashing`` on a consumer, the client IP,
a header or a cookie (``hash_on``), with an optional fallback (``hash_fallback``). Its
``healthchecks`` record configures active probes and passive (circuit-breaker) checks, with
Kong's defaults filled in on insert.

Kong's rules (``kong/db/schema/entities/upstreams.lua``):

* ``name`` is a host name without port (``Invalid name ('<name>'); must be a valid hostname``,
  ``...; no ip addresses allowed``, ``...; no port allowed``);
* hashing on a header or a cookie needs its name (``hash_on_header``, ``hash_fallback_header``,
  ``hash_on_cookie``); ``hash_fallback`` must be ``none`` when ``hash_on`` is ``none`` or
  ``cookie`` and may not repeat ``hash_on``; the two header names differ. A failing rule reports
  ``failed conditional validation given value of field '<field>'`` plus a field error;
* two shorthands keep ``algorithm`` and ``hash_on`` consistent, in every context: giving
  ``algorithm = "least-connections"`` resets ``hash_on`` to ``none``, and giving ``hash_on``
  sets ``algorithm`` (``round-robin`` for ``none``, ``consistent-hashing`` otherwise; a null
  ``hash_on`` becomes ``none``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from kongdao.schema import (
    UNSET,
    Entity,
    Field,
    Ref,
    Shorthand,
    checks,
    entity,
    field,
    typedefs,
)

__all__ = ["Upstream"]


def _name_for_error(name: str) -> str:
    if typedefs.validate_utf8(name) is not None:
        return "Invalid name"
    return f"Invalid name ('{name}')"


def _validate_name(name: str) -> str | None:
    try:
        address = typedefs.normalize_ip(name)
    except ValueError:
        return f"{_name_for_error(name)}; must be a valid hostname"
    if address.type != "name":
        return f"{_name_for_error(name)}; no ip addresses allowed"
    if address.port is not None:
        return f"{_name_for_error(name)}; no port allowed"
    return None


def _hash_on() -> Field:
    return Field(
        type="string", default="none", one_of=("none", "consumer", "ip", "header", "cookie")
    )


# --------------------------------------------------------------------------------------------
# the healthchecks record, generated from its defaults as Kong's gen_fields does

_NO_DEFAULT: Final = object()
"""Marks a setting without a default (it is then optional)."""

_HEALTHCHECKS_CONFIG: Final[dict[str, Any]] = {
    "active": {
        "type": "http",
        "timeout": 1,
        "concurrency": 10,
        "http_path": "/",
        "https_sni": _NO_DEFAULT,
        "https_verify_certificate": True,
        "healthy": {
            "interval": 0,  # 0: probing disabled
            "http_statuses": [200, 302],
            "successes": 0,  # 0: disabled
        },
        "unhealthy": {
            "interval": 0,  # 0: probing disabled
            "http_statuses": [429, 404, 500, 501, 502, 503, 504, 505],
            "tcp_failures": 0,  # 0: disabled
            "timeouts": 0,
            "http_failures": 0,
        },
    },
    "passive": {
        "type": "http",
        "healthy": {
            "http_statuses": [*range(200, 209), 226, *range(300, 309)],
            "successes": 0,
        },
        "unhealthy": {
            "http_statuses": [429, 500, 503],
            "tcp_failures": 0,  # 0: circuit breaker disabled
            "timeouts": 0,
            "http_failures": 0,
        },
    },
}


def _seconds(default: Any) -> Field:
    return Field(type="number", between=(0, 65535), default=default)


def _one_byte_integer(default: Any) -> Field:
    return Field(type="integer", between=(0, 255), default=default)


_SETTINGS: Final[dict[str, Callable[[Any], Field]]] = {
    "type": lambda default: Field(
        type="string", one_of=("tcp", "http", "https", "grpc", "grpcs"), default=default
    ),
    "timeout": _seconds,
    "concurrency": lambda default: Field(type="integer", between=(1, 2**31), default=default),
    "interval": _seconds,
    "successes": _one_byte_integer,
    "tcp_failures": _one_byte_integer,
    "timeouts": _one_byte_integer,
    "http_failures": _one_byte_integer,
    "http_path": lambda default: typedefs.path(default=default),
    "http_statuses": lambda default: Field(
        type="array", elements=Field(type="integer", between=(100, 999)), default=default
    ),
    "https_sni": lambda default: typedefs.sni(default=default),
    "https_verify_certificate": lambda default: Field(
        type="boolean", required=True, default=default
    ),
}
"""The definition of each setting, given its default."""


def _gen_fields(config: dict[str, Any]) -> tuple[list[tuple[str, Field]], dict[str, Any]]:
    """The fields of a record of settings, and its default (settings without one left out)."""
    fields: list[tuple[str, Field]] = []
    defaults: dict[str, Any] = {}
    for name, default in config.items():
        setting = _SETTINGS.get(name)
        if default is _NO_DEFAULT:
            assert setting is not None
            fields.append((name, setting(UNSET).evolve(required=False)))
        elif setting is not None:
            fields.append((name, setting(default)))
            defaults[name] = default
        else:
            sub_fields, sub_defaults = _gen_fields(default)
            fields.append((name, Field(type="record", fields=sub_fields, default=sub_defaults)))
            defaults[name] = sub_defaults
    return fields, defaults


def _healthchecks() -> Field:
    fields, defaults = _gen_fields(_HEALTHCHECKS_CONFIG)
    # threshold is not part of the record's default: inserts get it from the field's own
    threshold = Field(type="number", default=0, between=(0, 100))
    return Field(type="record", fields=[*fields, ("threshold", threshold)], default=defaults)


# --------------------------------------------------------------------------------------------
# shorthands: keep algorithm and hash_on consistent (Kong's backwards-compatibility hack)


def _algorithm_shorthand(value: Any) -> dict[str, Any]:
    if value == "least-connections":
        return {"algorithm": value, "hash_on": None}
    return {"algorithm": value}


def _hash_on_shorthand(value: Any) -> dict[str, Any]:
    if value is None:
        return {"hash_on": "none"}
    if value == "none":
        return {"hash_on": value, "algorithm": "round-robin"}
    return {"hash_on": value, "algorithm": "consistent-hashing"}


def _hash_fallback_check(hash_on: str, allowed: tuple[str, ...]) -> checks.EntityCheck:
    return checks.conditional(
        if_field="hash_on",
        if_match={"match": f"^{hash_on}$"},
        then_field="hash_fallback",
        then_match={"one_of": allowed},
    )


@entity(
    "upstreams",
    primary_key=("id",),
    endpoint_key="name",
    workspaceable=True,
    entity_checks=[
        # the header to hash on is needed when hashing on a header
        checks.conditional(
            if_field="hash_on",
            if_match={"match": "^header$"},
            then_field="hash_on_header",
            then_match={"required": True},
        ),
        checks.conditional(
            if_field="hash_fallback",
            if_match={"match": "^header$"},
            then_field="hash_fallback_header",
            then_match={"required": True},
        ),
        # the cookie to hash on is needed when hashing on a cookie
        checks.conditional(
            if_field="hash_on",
            if_match={"match": "^cookie$"},
            then_field="hash_on_cookie",
            then_match={"required": True},
        ),
        checks.conditional(
            if_field="hash_fallback",
            if_match={"match": "^cookie$"},
            then_field="hash_on_cookie",
            then_match={"required": True},
        ),
        # no fallback without hashing; none either when hashing on cookies (it is ignored)
        _hash_fallback_check("none", ("none",)),
        _hash_fallback_check("cookie", ("none",)),
        # the fallback differs from hash_on (two different headers are fine)
        _hash_fallback_check("consumer", ("none", "ip", "header", "cookie")),
        _hash_fallback_check("ip", ("none", "consumer", "header", "cookie")),
        checks.distinct("hash_on_header", "hash_fallback_header"),
    ],
    shorthand_fields=[
        Shorthand("algorithm", Field(type="string"), _algorithm_shorthand),
        Shorthand("hash_on", Field(type="string"), _hash_on_shorthand),
    ],
)
class Upstream(Entity):
    """A Kong upstream (``upstreams``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        name: the virtual host name services use as their ``host``; unique.
        algorithm: ``round-robin``, ``least-connections`` or ``consistent-hashing``.
        hash_on: what consistent hashing hashes: ``none``, ``consumer``, ``ip``, ``header``,
            ``cookie``.
        hash_fallback: what to hash when ``hash_on`` gives nothing (same choices).
        hash_on_header: the header hashed when ``hash_on`` is ``header``.
        hash_fallback_header: the header hashed when ``hash_fallback`` is ``header``.
        hash_on_cookie: the cookie hashed (and set) when hashing on ``cookie``.
        hash_on_cookie_path: the path of that cookie.
        slots: the size of the consistent-hashing ring.
        healthchecks: the active and passive health check configuration.
        tags: free-form tags.
        host_header: the ``Host`` header sent to targets, with an optional port.
        client_certificate: the certificate presented to targets over TLS.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    name: str = field(
        Field(type="string", required=True, unique=True, custom_validator=_validate_name)
    )
    algorithm: str | None = field(
        Field(
            type="string",
            default="round-robin",
            one_of=("consistent-hashing", "least-connections", "round-robin"),
        )
    )
    hash_on: str | None = field(_hash_on())
    hash_fallback: str | None = field(_hash_on())
    hash_on_header: str | None = field(typedefs.header_name())
    hash_fallback_header: str | None = field(typedefs.header_name())
    hash_on_cookie: str | None = field(
        Field(type="string", custom_validator=typedefs.validate_cookie_name)
    )
    hash_on_cookie_path: str | None = field(typedefs.path(default="/"))
    slots: int | None = field(Field(type="integer", default=10000, between=(10, 2**16)))
    healthchecks: dict[str, Any] = field(_healthchecks())
    tags: list[str] | None = field(typedefs.tags())
    host_header: str | None = field(typedefs.host_with_optional_port())
    client_certificate: Ref | None = field(Field(type="foreign", reference="certificates"))
