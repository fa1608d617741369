"""The ``targets`` entity: a host and port an upstream balances over (Kong 2.8).

``target`` is a host name, an IPv4 address or an IPv6 address, with an optional port
(``[::1]:8080`` for IPv6 with a port). Kong stores it normalised by :func:`normalize_target`:
the port defaults to 8000, IPv4 addresses lose leading zeros and IPv6 addresses are fully
expanded in brackets::

    normalize_target("example.com")   # "example.com:8000"
    normalize_target("::1")           # "[0000:0000:0000:0000:0000:0000:0000:0001]:8000"

``created_at`` has millisecond precision (``typedefs.auto_timestamp_ms``): targets of an upstream
are ordered by it, and the latest entry for a ``target`` wins.

What a DAO must do (Kong does it in ``kong/db/dao/targets.lua``, not in the schema):

* **normalise before validating** on insert and upsert: call :func:`normalize_target` on the
  input's ``target`` and report its :class:`ValueError` as a schema violation on ``target``
  (Kong's DAO message is ``Invalid target; not a valid hostname or ip address``, without the
  value; the schema's validator, which runs on updates, quotes it). The schema's ``on_write``
  transformation normalises as well, so a DAO that only runs transformations still stores the
  canonical form, and its ``on_read`` transformation normalises rows read back, as Kong's
  ``select`` and ``page_for_upstream_raw`` do;
* **keep targets unique per upstream**: before an insert, look through the upstream's targets
  (``each_for_upstream``) for the same normalised ``target``, and fail with a unique violation
  on ``target`` if there is one (on PostgreSQL a unique index on (upstream, target), from
  migration ``001``, backs it);
* **upsert** by id replaces an existing entry for the same target of the upstream only when the
  new entity is newer (``created_at``): delete the old one, then insert; an older one is ignored
  and the upsert reports success. ``upsert_by_target`` is an insert;
* **list** an upstream's targets (``page_for_upstream``) as Kong does: newest first, one entry
  per ``target``, paged by an offset into that list.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import (
    Entity,
    Field,
    Ref,
    Transformation,
    TransformationFailed,
    entity,
    field,
    typedefs,
)

__all__ = ["DEFAULT_PORT", "Target", "normalize_target"]

DEFAULT_PORT: Final = 8000
"""The port of a target given without one."""

_INVALID_TARGET: Final = "Invalid target; not a valid hostname or ip address"


def _format_host(address: typedefs.HostAddress, default_port: int) -> str:
    """Kong's ``utils.format_host`` for a normalised address: IPv6 in brackets, port appended."""
    port = default_port if address.port is None else address.port
    host = address.host
    if address.type == "ipv6" and "[" not in host:
        host = f"[{typedefs.normalize_ipv6(host)[0]}]"
    return f"{host}:{port}"


def normalize_target(value: str) -> str:
    """A target as Kong stores it: ``host:port``, port 8000 by default (``format_target``).

    Host names are kept as given, IPv4 addresses lose leading zeros, IPv6 addresses are fully
    expanded, in lower case and in brackets.

    Raises:
        ValueError: ``Invalid target; not a valid hostname or ip address``.
    """
    try:
        address = typedefs.normalize_ip(value)
    except ValueError:
        raise ValueError(_INVALID_TARGET) from None
    return _format_host(address, DEFAULT_PORT)


def _validate_target(value: str) -> str | None:
    try:
        typedefs.normalize_ip(value)
    except ValueError:
        if typedefs.validate_utf8(value) is not None:
            return _INVALID_TARGET
        return f"Invalid target ('{value}'); not a valid hostname or ip address"
    return None


def _normalize(value: str) -> dict[str, Any]:
    try:
        return {"target": normalize_target(value)}
    except ValueError as exc:
        raise TransformationFailed(str(exc)) from None


@entity(
    "targets",
    primary_key=("id",),
    endpoint_key="target",
    workspaceable=True,
    transformations=[Transformation(input=["target"], on_write=_normalize, on_read=_normalize)],
)
class Target(Entity):
    """A target of an upstream (``targets``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds with millisecond precision.
        upstream: the upstream this target belongs to (deleted with it).
        target: ``host:port``, normalised (see :func:`normalize_target`).
        weight: the share of traffic, 0 (disabled) to 65535.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: float = field(typedefs.auto_timestamp_ms())
    upstream: Ref = field(
        Field(type="foreign", reference="upstreams", required=True, on_delete="cascade")
    )
    target: str = field(Field(type="string", required=True, custom_validator=_validate_target))
    weight: int | None = field(Field(type="integer", default=100, between=(0, 65535)))
    tags: list[str] | None = field(typedefs.tags())
