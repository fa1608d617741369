"""The ``acme_storage`` entity (``kong/plugins/acme/daos.lua``, 2.8).

The ``acme`` plugin's key-value store when its ``storage`` is ``kong``: the ACME account, the
certificates and their private keys, and the pending challenges, each under a unique ``key``
(the cache key). Values may expire (``ttl``: challenges and locks are written with one). Both
``key`` and ``value`` are generated when absent (Kong's random 32-character strings), as Kong's
schema says, although the plugin always gives them. The entity belongs to no workspace, as in
Kong.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, entity, field, typedefs, virtual

__all__ = ["AcmeStorage"]


@entity("acme_storage", primary_key=("id",), cache_key=("key",), ttl=True)
class AcmeStorage(Entity):
    """One entry of the ``acme`` plugin's store (``acme_storage``).

    Attributes:
        id: the primary key (generated).
        key: the entry's key, unique.
        value: the entry's value (account and private keys among them). Left out of the repr.
        created_at: creation time, in seconds.
        ttl: seconds until the entry expires (read back), or ``None``.
    """

    id: str = field(typedefs.uuid())
    key: str = field(Field(type="string", required=True, unique=True, auto=True))
    value: str = field(Field(type="string", required=True, auto=True), repr=False)
    created_at: int = field(typedefs.auto_timestamp_s())
    ttl: int | None = virtual()
