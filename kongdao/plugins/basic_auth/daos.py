"""The ``basicauth_credentials`` entity (``kong/plugins/basic-auth/daos.lua``, 2.8).

A consumer's username and password. The username is unique; the password is stored hashed as
Kong stores it (hex SHA-1 of the password followed by the consumer's id, the salt), so a
database shared with Kong nodes stays usable by both. The clear password is never stored,
returned, logged or shown in a repr: reads return the hash. Check a presented password with
:func:`verify_password`.

Kong's scheme is kept for compatibility; SHA-1 with a per-consumer salt is weak against offline
guessing, so keep the table as private as the keys of ``keyauth_credentials``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from kongdao.schema import Entity, Field, Ref, Transformation, entity, field, typedefs

__all__ = ["BasicauthCredential", "hash_password", "verify_password"]


def hash_password(consumer_id: str, password: str | None) -> str:
    """Kong's ``crypto.hash``: hex SHA-1 of ``password .. consumer_id``.

    Args:
        consumer_id: The credential's consumer id (the salt).
        password: The clear password (``None`` hashes as ``""``, as in Kong).

    Returns:
        The 40-character lower-case hex digest stored in ``password``.
    """
    salted = (password or "") + consumer_id
    return hashlib.sha1(salted.encode("utf-8"), usedforsecurity=False).hexdigest()


def verify_password(credential: BasicauthCredential, password: str) -> bool:
    """Whether ``password`` is the clear password of ``credential`` (constant-time compare)."""
    expected = hash_password(credential.consumer["id"], password)
    return hmac.compare_digest(expected, credential.password)


def _hash_on_write(password: Any, consumer_id: Any) -> dict[str, Any]:
    return {"password": hash_password(str(consumer_id), password)}


@entity(
    "basicauth_credentials",
    primary_key=("id",),
    cache_key=("username",),
    endpoint_key="username",
    workspaceable=True,
    admin_api_name="basic-auths",
    admin_api_nested_name="basic-auth",
    transformations=[
        Transformation(input=("password",), needs=("consumer.id",), on_write=_hash_on_write)
    ],
)
class BasicauthCredential(Entity):
    """A consumer's Basic credentials (``basicauth_credentials``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        consumer: the consumer the credentials authenticate.
        username: the user name, unique.
        password: the password's hash (see :func:`hash_password`); never the clear password.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    username: str = field(Field(type="string", required=True, unique=True))
    password: str = field(Field(type="string", required=True), repr=False)
    tags: list[str] | None = field(typedefs.tags())
