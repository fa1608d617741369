"""The ``keyauth_credentials`` entity (``kong/plugins/key-auth/daos.lua``, 2.8).

A consumer's API keys. The key is unique and generated when absent; a credential can expire
(``ttl``); deleting the consumer deletes its credentials. The cache key is the key itself, so
``select_by_cache_key(key)`` is the gateway's lookup of the credential a request presents.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, Ref, entity, field, typedefs, virtual

__all__ = ["KeyauthCredential"]


@entity(
    "keyauth_credentials",
    primary_key=("id",),
    endpoint_key="key",
    cache_key=("key",),
    ttl=True,
    workspaceable=True,
    admin_api_name="key-auths",
    admin_api_nested_name="key-auth",
)
class KeyauthCredential(Entity):
    """An API key of a consumer (``keyauth_credentials``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        consumer: the consumer the key authenticates.
        key: the key; a random one is generated when absent.
        tags: free-form tags.
        ttl: seconds until the credential expires (read back), or ``None``.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    key: str = field(Field(type="string", required=False, unique=True, auto=True), repr=False)
    tags: list[str] | None = field(typedefs.tags())
    ttl: int | None = virtual()
