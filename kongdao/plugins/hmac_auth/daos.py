"""The ``hmacauth_credentials`` entity (``kong/plugins/hmac-auth/daos.lua``, 2.8).

A consumer's HMAC credentials: a unique ``username`` (what a signature names) and the shared
``secret``, generated when absent (Kong's random 32-character string). The secret is stored in
clear, as Kong stores it: the gateway needs it to compute signatures. Deleting the consumer
deletes its credentials. The cache key is the username, so ``select_by_cache_key(username)``
is the gateway's lookup of the credential a signature names.
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, Ref, entity, field, typedefs

__all__ = ["HmacauthCredential"]


@entity(
    "hmacauth_credentials",
    primary_key=("id",),
    endpoint_key="username",
    cache_key=("username",),
    workspaceable=True,
    admin_api_name="hmac-auths",
    admin_api_nested_name="hmac-auth",
)
class HmacauthCredential(Entity):
    """A consumer's HMAC credentials (``hmacauth_credentials``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        consumer: the consumer the credentials authenticate.
        username: the user name signatures give, unique.
        secret: the shared HMAC secret; generated when absent. Left out of the repr.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    username: str = field(Field(type="string", required=True, unique=True))
    secret: str | None = field(Field(type="string", auto=True), repr=False)
    tags: list[str] | None = field(typedefs.tags())
