"""The ``sessions`` entity (``kong/plugins/session/daos.lua``, 2.8).

The server-side sessions of the ``session`` plugin's ``kong`` storage: the cookie carries the
``session_id`` (unique; the endpoint and cache key), the row carries the encrypted ``data`` and
its ``expires`` time. Rows expire (``ttl``). Sessions belong to no consumer and, as in Kong, to
no workspace.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, entity, field, typedefs, virtual

__all__ = ["Session"]


@entity(
    "sessions",
    primary_key=("id",),
    endpoint_key="session_id",
    cache_key=("session_id",),
    ttl=True,
)
class Session(Entity):
    """A server-side session (``sessions``).

    Attributes:
        id: the primary key (generated).
        session_id: the id the session cookie carries, unique. Left out of the repr.
        expires: when the session expires, in seconds since the epoch.
        data: the session's (encrypted) data. Left out of the repr.
        created_at: creation time, in seconds.
        ttl: seconds until the row expires (read back), or ``None``.
    """

    id: str = field(typedefs.uuid())
    session_id: str = field(Field(type="string", unique=True, required=True), repr=False)
    expires: int | None = field(Field(type="integer"))
    data: str | None = field(Field(type="string"), repr=False)
    created_at: int = field(typedefs.auto_timestamp_s())
    ttl: int | None = virtual()
