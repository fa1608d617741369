"""The configuration schema of the ``proxy-cache`` plugin (``kong/plugins/proxy-cache``, 2.8).

The plugin caches upstream responses whose status is in ``response_code`` (100 to 900), for
requests whose method is in ``request_method`` and responses whose type is in
``content_type``, for ``cache_ttl`` seconds (``storage_ttl`` in the store), keyed also by
``vary_query_params`` and ``vary_headers``. The only ``strategy`` is ``memory``: an nginx
shared dictionary, ``memory.dictionary_name`` (``kong_db_cache`` by default). It may be
applied to a consumer and to any protocol.

Kong's checks, with its messages:

* ``response_code`` is not empty (``length must be at least 1``) and its elements are integers
  (``expected an integer``) between 100 and 900 (``value should be between 100 and 900``);
* ``strategy`` is required, with no default (``required field missing``);
* with the ``memory`` strategy, the dictionary must be one that nginx declares:
  ``missing shared dict 'my_cache'`` (an entity error).

Kong asks the running nginx (``ngx.shared``) for the last check. kongdao has no nginx, so it
checks against the dictionaries that Kong 2.8's nginx template always declares
(:data:`SHARED_DICTS`). A deployment that declares more (``nginx_http_lua_shared_dict``, or
``kong_cassandra`` on Cassandra) builds its schema with :func:`proxy_cache_schema`::

    schema = proxy_cache_schema([*SHARED_DICTS, "my_cache"])
    spec = PluginSpec(name="proxy-cache", version="1.3.2", priority=100, schema=schema)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from kongdao.schema import Field, Schema, checks

__all__ = ["SCHEMA", "SHARED_DICTS", "STRATEGY_TYPES", "proxy_cache_schema"]

STRATEGY_TYPES: Final = ("memory",)
"""The cache strategies (Kong's ``strategies.STRATEGY_TYPES``)."""

SHARED_DICTS: Final = frozenset(
    (
        "kong",
        "kong_locks",
        "kong_healthchecks",
        "kong_process_events",
        "kong_cluster_events",
        "kong_rate_limiting_counters",
        "kong_core_db_cache",
        "kong_core_db_cache_miss",
        "kong_db_cache",
        "kong_db_cache_miss",
    )
)
"""The shared dictionaries that Kong 2.8's ``nginx_kong.lua`` declares with any database.

DB-less nodes also have ``kong_core_db_cache_2``, ``kong_core_db_cache_miss_2``,
``kong_db_cache_2`` and ``kong_db_cache_miss_2``, and Cassandra nodes ``kong_cassandra``.
"""


def _check_shdict(shared_dicts: frozenset[str]) -> Callable[[dict[str, Any]], str | None]:
    def check(entity: dict[str, Any]) -> str | None:
        config = entity["config"]
        if config.get("strategy") == "memory":
            name = config["memory"]["dictionary_name"]
            if name not in shared_dicts:
                return f"missing shared dict '{name}'"
        return None

    return check


def proxy_cache_schema(shared_dicts: Iterable[str] = SHARED_DICTS) -> Schema:
    """The ``proxy-cache`` subschema, for nginx declaring these shared dictionaries.

    Args:
        shared_dicts: The names of the shared dictionaries the memory strategy may use.

    Returns:
        The subschema (:data:`SCHEMA` uses :data:`SHARED_DICTS`).

    Raises:
        TypeError: ``shared_dicts`` is a single string.
    """
    if isinstance(shared_dicts, str):
        raise TypeError("shared_dicts: expected an iterable of names, not a string")
    return Schema(
        name="proxy-cache",
        fields=[
            (
                "config",
                Field(
                    type="record",
                    fields=[
                        (
                            "response_code",
                            Field(
                                type="array",
                                default=[200, 301, 404],
                                elements=Field(type="integer", between=(100, 900)),
                                len_min=1,
                                required=True,
                            ),
                        ),
                        (
                            "request_method",
                            Field(
                                type="array",
                                default=["GET", "HEAD"],
                                elements=Field(
                                    type="string", one_of=("HEAD", "GET", "POST", "PATCH", "PUT")
                                ),
                                required=True,
                            ),
                        ),
                        (
                            "content_type",
                            Field(
                                type="array",
                                default=["text/plain", "application/json"],
                                elements=Field(type="string"),
                                required=True,
                            ),
                        ),
                        ("cache_ttl", Field(type="integer", default=300, gt=0)),
                        (
                            "strategy",
                            Field(type="string", one_of=STRATEGY_TYPES, required=True),
                        ),
                        ("cache_control", Field(type="boolean", default=False, required=True)),
                        ("storage_ttl", Field(type="integer")),
                        (
                            "memory",
                            Field(
                                type="record",
                                fields=[
                                    (
                                        "dictionary_name",
                                        Field(
                                            type="string", required=True, default="kong_db_cache"
                                        ),
                                    ),
                                ],
                            ),
                        ),
                        ("vary_query_params", Field(type="array", elements=Field(type="string"))),
                        ("vary_headers", Field(type="array", elements=Field(type="string"))),
                    ],
                ),
            ),
        ],
        entity_checks=[
            checks.custom_entity_check(
                field_sources=["config"], fn=_check_shdict(frozenset(shared_dicts))
            ),
        ],
    )


SCHEMA: Final = proxy_cache_schema()
"""The ``proxy-cache`` subschema of ``plugins``, for Kong's default nginx template."""
