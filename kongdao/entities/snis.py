"""The ``snis`` entity: a server name served with a certificate (Kong 2.8).

``name`` is a host name that may hold one ``*`` wildcard as its first or last character
(``*.example.com``, ``example.*``; ``*`` alone names the default certificate). It is neither an
IP address nor given with a port, and it is unique across all workspaces. Messages are Kong's
``typedefs.wildcard_host`` ones: ``wildcard must be leftmost or rightmost character``, ``only one
wildcard must be specified``, ``must not be an IP``, ``must not have a port``, ``invalid value:
<name>``.

The foreign key to the certificate restricts deletes (Kong's default ``on_delete``), but Kong's
certificates DAO deletes a certificate's SNIs before the certificate itself, and manages them
through a certificate's ``snis`` list; see :mod:`kongdao.entities.certificates`. Before every
update or upsert, Kong's SNIs DAO also emits an ``update`` event for the stored entity, so that
the cache entry of a name being changed is invalidated.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, Ref, entity, field, typedefs

__all__ = ["SNI"]


@entity("snis", primary_key=("id",), endpoint_key="name", workspaceable=True)
class SNI(Entity):
    """A server name indication (``snis``).

    Attributes:
        id: the primary key (generated).
        name: the server name, possibly with one leading or trailing wildcard; unique.
        created_at: creation time, in seconds.
        tags: free-form tags.
        certificate: the certificate served for this name.
    """

    id: str = field(typedefs.uuid())
    name: str = field(typedefs.wildcard_host(required=True, unique=True, unique_across_ws=True))
    created_at: int = field(typedefs.auto_timestamp_s())
    tags: list[str] | None = field(typedefs.tags())
    certificate: Ref = field(Field(type="foreign", reference="certificates", required=True))
