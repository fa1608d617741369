"""The ``routes`` entity: rules matching client requests to a service (Kong 2.8).

Which matching attributes a route may and must have depends on its protocols, so the schema has
a subschema per protocol, selected by the first protocol of ``protocols`` that has one
(Kong's ``routes_subschemas.lua``):

* ``http`` / ``https``: no ``sources`` / ``destinations``; at least one of ``methods``,
  ``hosts``, ``headers``, ``paths`` (and ``snis`` for ``https``);
* ``tcp`` / ``tls`` / ``udp`` / ``tls_passthrough``: no ``methods``, ``hosts``, ``paths``,
  ``headers``; at least one of ``sources``, ``destinations``, ``snis`` (``snis`` for
  ``tls_passthrough``);
* ``grpc`` / ``grpcs``: ``strip_path`` is false, no ``methods``, ``sources``,
  ``destinations``; at least one of ``hosts``, ``headers``, ``paths`` (and ``snis`` for
  ``grpcs``).

``protocols`` itself may not mix the families, and ``snis`` only makes sense with TLS.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import (
    Entity,
    Field,
    Pattern,
    Ref,
    Schema,
    checks,
    entity,
    field,
    schema_of,
    typedefs,
)
from kongdao.schema.lua import lua_pattern

__all__ = ["ROUTE_SUBSCHEMAS", "Route"]

_TLS_PROTOCOLS = ("grpcs", "https", "tls", "tls_passthrough")


@entity(
    "routes",
    primary_key=("id",),
    endpoint_key="name",
    workspaceable=True,
    subschema_key="protocols",
    entity_checks=[
        checks.conditional(
            if_field="protocols",
            if_match={"elements": Field(type="string", not_one_of=_TLS_PROTOCOLS)},
            then_field="snis",
            then_match={"len_eq": 0},
            then_err=(
                "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' "
                "or 'tls_passthrough'"
            ),
        ),
    ],
)
class Route(Entity):
    """A Kong route (``routes``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        updated_at: last update time, in seconds.
        name: an optional unique name (``/routes/{name}``).
        protocols: the protocols matched; one family only (http(s), stream, tls_passthrough,
            grpc(s)).
        methods: HTTP methods matched.
        hosts: ``Host`` values matched, with an optional port and at most one wildcard label.
        paths: path prefixes or regexes matched.
        headers: header names mapped to the values matched (not ``Host``: use ``hosts``).
        https_redirect_status_code: the status of the redirect when HTTPS is required.
        regex_priority: the order in which regex paths are tried.
        strip_path: whether the matched path prefix is removed upstream.
        path_handling: how the service path and the request path are joined (``v0``, ``v1``).
        preserve_host: whether the client's ``Host`` header is sent upstream.
        request_buffering: whether request bodies are buffered.
        response_buffering: whether response bodies are buffered.
        snis: server names matched (TLS protocols only).
        sources: client ``{ip, port}`` matched (stream protocols).
        destinations: local ``{ip, port}`` matched (stream protocols).
        tags: free-form tags.
        service: the service traffic is sent to.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    updated_at: int = field(typedefs.auto_timestamp_s())
    name: str | None = field(typedefs.utf8_name())
    protocols: list[str] = field(
        Field(
            type="set",
            len_min=1,
            required=True,
            elements=typedefs.protocol(),
            mutually_exclusive_subsets=[
                ("http", "https"),
                ("tcp", "tls", "udp"),
                ("tls_passthrough",),
                ("grpc", "grpcs"),
            ],
            default=["http", "https"],
        )
    )
    methods: list[str] | None = field(typedefs.methods())
    hosts: list[str] | None = field(typedefs.hosts())
    paths: list[str] | None = field(typedefs.paths())
    headers: dict[str, list[str]] | None = field(
        typedefs.headers(
            keys=typedefs.header_name(
                match_none=[
                    Pattern(
                        lua_pattern("^[Hh][Oo][Ss][Tt]$"),
                        "cannot contain 'host' header, which must be specified in the "
                        "'hosts' attribute",
                    )
                ]
            )
        )
    )
    https_redirect_status_code: int = field(
        Field(type="integer", one_of=(426, 301, 302, 307, 308), default=426, required=True)
    )
    regex_priority: int | None = field(Field(type="integer", default=0))
    strip_path: bool = field(Field(type="boolean", required=True, default=True))
    path_handling: str | None = field(Field(type="string", default="v0", one_of=("v0", "v1")))
    preserve_host: bool = field(Field(type="boolean", required=True, default=False))
    request_buffering: bool = field(Field(type="boolean", required=True, default=True))
    response_buffering: bool = field(Field(type="boolean", required=True, default=True))
    snis: list[str] | None = field(Field(type="set", elements=typedefs.sni()))
    sources: list[dict[str, Any]] | None = field(typedefs.sources())
    destinations: list[dict[str, Any]] | None = field(typedefs.destinations())
    tags: list[str] | None = field(typedefs.tags())
    service: Ref | None = field(Field(type="foreign", reference="services"))


def _http_subschema() -> Schema:
    return Schema(
        name="http",
        fields=[
            (
                "sources",
                typedefs.no_sources(
                    err="cannot set 'sources' when 'protocols' is 'http' or 'https'"
                ),
            ),
            (
                "destinations",
                typedefs.no_destinations(
                    err="cannot set 'destinations' when 'protocols' is 'http' or 'https'"
                ),
            ),
        ],
        entity_checks=[
            checks.conditional_at_least_one_of(
                if_field="protocols",
                if_match={"contains": "https"},
                then_at_least_one_of=["methods", "hosts", "headers", "paths", "snis"],
                then_err="must set one of %s when 'protocols' is 'https'",
                else_match={"contains": "http"},
                else_then_at_least_one_of=["methods", "hosts", "headers", "paths"],
                else_then_err="must set one of %s when 'protocols' is 'http'",
            ),
        ],
    )


def _stream_subschema() -> Schema:
    def forbidden(what: str) -> str:
        return f"cannot set '{what}' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"

    return Schema(
        name="tcp",
        fields=[
            ("methods", typedefs.no_methods(err=forbidden("methods"))),
            ("hosts", typedefs.no_hosts(err=forbidden("hosts"))),
            ("paths", typedefs.no_paths(err=forbidden("paths"))),
            ("headers", typedefs.no_headers(err=forbidden("headers"))),
        ],
        entity_checks=[
            checks.conditional_at_least_one_of(
                if_field="protocols",
                if_match={"elements": Field(type="string", one_of=("tcp", "tls", "udp"))},
                then_at_least_one_of=["sources", "destinations", "snis"],
                then_err="must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'",
            ),
            checks.conditional_at_least_one_of(
                if_field="protocols",
                if_match={"elements": Field(type="string", one_of=("tls_passthrough",))},
                then_at_least_one_of=["snis"],
                then_err="must set snis when 'protocols' is 'tls_passthrough'",
            ),
        ],
    )


def _grpc_subschema() -> Schema:
    def forbidden(what: str) -> str:
        return f"cannot set '{what}' when 'protocols' is 'grpc' or 'grpcs'"

    return Schema(
        name="grpc",
        fields=[
            (
                "strip_path",
                Field(
                    type="boolean",
                    required=True,
                    default=False,
                    ne=True,
                    err=forbidden("strip_path"),
                ),
            ),
            ("methods", typedefs.no_methods(err=forbidden("methods"))),
            ("sources", typedefs.no_sources(err=forbidden("sources"))),
            ("destinations", typedefs.no_destinations(err=forbidden("destinations"))),
        ],
        entity_checks=[
            checks.conditional_at_least_one_of(
                if_field="protocols",
                if_match={"contains": "grpcs"},
                then_at_least_one_of=["hosts", "headers", "paths", "snis"],
                then_err="must set one of %s when 'protocols' is 'grpcs'",
                else_match={"contains": "grpc"},
                else_then_at_least_one_of=["hosts", "headers", "paths"],
                else_then_err="must set one of %s when 'protocols' is 'grpc'",
            ),
        ],
    )


_HTTP: Final = _http_subschema()
_STREAM: Final = _stream_subschema()
_GRPC: Final = _grpc_subschema()

ROUTE_SUBSCHEMAS: Final[dict[str, Schema]] = {
    "http": _HTTP,
    "https": _HTTP,
    "tcp": _STREAM,
    "tls": _STREAM,
    "udp": _STREAM,
    "tls_passthrough": _STREAM,
    "grpc": _GRPC,
    "grpcs": _GRPC,
}
"""The subschema of each protocol (the first protocol of a route that has one is used)."""

for _protocol, _subschema in ROUTE_SUBSCHEMAS.items():
    schema_of(Route).new_subschema(_protocol, _subschema)
