"""The ``oauth2`` plugin's entities (``kong/plugins/oauth2/daos.lua``, 2.8).

* ``oauth2_credentials``: a consumer's client applications. ``client_id`` is unique and, like
  ``client_secret``, generated when absent (Kong's random 32-character string). With
  ``hash_secret = true`` the secret is stored hashed (:mod:`kongdao.plugins.oauth2.secret`,
  Kong's PBKDF2 PHC strings) and reads return the hash; otherwise it is stored in clear, as
  Kong does by default. Each ``redirect_uris`` entry needs a scheme and a host and no fragment
  (``cannot parse '<uri>'``, ``fragment not allowed in '<uri>'``).
* ``oauth2_authorization_codes``: codes issued by the authorization-code flow, for a
  credential and optionally a service; they expire (``ttl``; the plugin writes them with a ttl
  of 300 seconds). Kong generates no Admin API for them.
* ``oauth2_tokens``: access tokens (unique, generated when absent) and their refresh tokens
  (unique), for a credential and optionally a service; they expire (``ttl``).

Deleting a consumer deletes its credentials, deleting a credential deletes its codes and tokens,
and deleting a service deletes the codes and tokens issued for it.

As in Kong, hashing happens on write when the input carries ``hash_secret``, and an update
must give ``client_secret`` and ``hash_secret`` together (either alone is refused with ``all or
none of these fields must be set: 'hash_secret', 'client_secret'``). A credential created with
``hash_secret = true`` and no ``client_secret`` gets a generated secret that is hashed at once:
nobody ever sees it, so give the secret when asking for hashing.
"""

from __future__ import annotations

import hmac
from typing import Any

from kongdao.plugins.oauth2.secret import hash_secret, verify_secret
from kongdao.schema import Entity, Field, Ref, Transformation, entity, field, typedefs, virtual
from kongdao.schema.typedefs import parse_url

__all__ = [
    "OAuth2AuthorizationCode",
    "OAuth2Credential",
    "OAuth2Token",
    "verify_client_secret",
]


def _validate_uri(uri: str) -> str | None:
    """Kong's ``validate_uri`` of ``redirect_uris`` (LuaSocket's ``url.parse``)."""
    parsed = parse_url(uri)
    if parsed is None or parsed.host is None or parsed.scheme is None:
        return f"cannot parse '{uri}'"
    if parsed.fragment is not None:
        return f"fragment not allowed in '{uri}'"
    return None


def _hash_on_write(hashed: Any, client_secret: Any) -> dict[str, Any]:
    """Kong's transformation: with ``hash_secret = true``, store the secret's hash."""
    if not hashed:
        return {}
    return {"client_secret": hash_secret(client_secret)}


def verify_client_secret(credential: OAuth2Credential, presented: str) -> bool:
    """Whether ``presented`` is the client secret of ``credential`` (constant-time compare).

    A credential with ``hash_secret`` holds a hash (see
    :func:`kongdao.plugins.oauth2.secret.verify_secret`); the others hold the secret itself.
    """
    stored = credential.client_secret
    if not isinstance(stored, str) or not isinstance(presented, str):
        return False
    if credential.hash_secret:
        return verify_secret(presented, stored)
    return hmac.compare_digest(presented.encode("utf-8"), stored.encode("utf-8"))


def _service() -> Field:
    return Field(type="foreign", reference="services", default=None, on_delete="cascade")


def _credential() -> Field:
    return Field(type="foreign", reference="oauth2_credentials", required=True, on_delete="cascade")


@entity(
    "oauth2_credentials",
    primary_key=("id",),
    cache_key=("client_id",),
    endpoint_key="client_id",
    workspaceable=True,
    admin_api_name="oauth2",
    transformations=[
        Transformation(input=("hash_secret",), needs=("client_secret",), on_write=_hash_on_write)
    ],
)
class OAuth2Credential(Entity):
    """A consumer's OAuth 2.0 client application (``oauth2_credentials``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        consumer: the consumer owning the application.
        name: the application's name.
        client_id: the client id, unique; generated when absent.
        client_secret: the client secret (its hash with ``hash_secret``); generated when
            absent. Left out of the repr.
        hash_secret: whether the secret is stored hashed (default ``False``).
        redirect_uris: the URIs the authorization server may redirect to.
        tags: free-form tags.
        client_type: ``confidential`` (default) or ``public``.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    name: str = field(Field(type="string", required=True))
    client_id: str = field(Field(type="string", required=False, unique=True, auto=True))
    client_secret: str | None = field(Field(type="string", required=False, auto=True), repr=False)
    hash_secret: bool = field(Field(type="boolean", required=True, default=False))
    redirect_uris: list[str] | None = field(
        Field(
            type="array",
            required=False,
            elements=Field(type="string", custom_validator=_validate_uri),
        )
    )
    tags: list[str] | None = field(typedefs.tags())
    client_type: str = field(
        Field(
            type="string",
            required=True,
            default="confidential",
            one_of=("confidential", "public"),
        )
    )


@entity(
    "oauth2_authorization_codes",
    primary_key=("id",),
    ttl=True,
    workspaceable=True,
    generate_admin_api=False,
)
class OAuth2AuthorizationCode(Entity):
    """An authorization code (``oauth2_authorization_codes``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        service: the service the code was issued for, or ``None``.
        credential: the client application the code was issued to.
        code: the code, unique; generated when absent. Left out of the repr.
        authenticated_userid: the end user who authorized the application.
        scope: the granted scopes.
        challenge: the PKCE code challenge.
        challenge_method: the PKCE method (``S256``).
        ttl: seconds until the code expires (read back), or ``None``.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    service: Ref | None = field(_service())
    credential: Ref = field(_credential())
    code: str = field(Field(type="string", required=False, unique=True, auto=True), repr=False)
    authenticated_userid: str | None = field(Field(type="string", required=False))
    scope: str | None = field(Field(type="string"))
    challenge: str | None = field(Field(type="string", required=False))
    challenge_method: str | None = field(Field(type="string", required=False, one_of=("S256",)))
    ttl: int | None = virtual()


@entity(
    "oauth2_tokens",
    primary_key=("id",),
    endpoint_key="access_token",
    cache_key=("access_token",),
    ttl=True,
    workspaceable=True,
)
class OAuth2Token(Entity):
    """An access token and its refresh token (``oauth2_tokens``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        service: the service the token was issued for, or ``None``.
        credential: the client application the token was issued to.
        token_type: ``bearer`` (the only type, and the default).
        expires_in: the token's lifetime in seconds, as issued.
        access_token: the token, unique; generated when absent. Left out of the repr.
        refresh_token: the refresh token, unique. Left out of the repr.
        authenticated_userid: the end user the token acts for.
        scope: the granted scopes.
        ttl: seconds until the token expires (read back), or ``None``.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    service: Ref | None = field(_service())
    credential: Ref = field(_credential())
    token_type: str = field(
        Field(type="string", required=True, one_of=("bearer",), default="bearer")
    )
    expires_in: int = field(Field(type="integer", required=True))
    access_token: str = field(
        Field(type="string", required=False, unique=True, auto=True), repr=False
    )
    refresh_token: str | None = field(Field(type="string", required=False, unique=True), repr=False)
    authenticated_userid: str | None = field(Field(type="string", required=False))
    scope: str | None = field(Field(type="string"))
    ttl: int | None = virtual()
