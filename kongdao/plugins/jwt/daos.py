"""The ``jwt_secrets`` entity (``kong/plugins/jwt/daos.lua``, 2.8).

A consumer's JWT credentials: the ``key`` a token names in its ``iss`` claim (or the claim the
plugin's ``key_claim_name`` says), the ``algorithm`` it is signed with, and the ``secret``
(HMAC algorithms) or ``rsa_public_key`` that verifies it. The key is unique and, like the
secret, generated when absent (Kong's random 32-character string); deleting the consumer deletes
its credentials. The cache key is the key, so ``select_by_cache_key(key)`` is the gateway's
lookup of the credential a token names.

Kong's check, with its messages: for ``RS256``, ``RS384`` and ``RS512``, ``rsa_public_key`` is
required (``required field missing``) and must be a key OpenSSL can load (``invalid key``), and
the entity error is ``failed conditional validation given value of field 'algorithm'``. Kong
2.8 accepts ``ES256`` and ``ES384`` but does not extend this check to them: an ES credential
without a key is stored, and fails at the gateway.

Keys are loaded with the ``cryptography`` package (imported when an RS credential is
validated), from PEM text: a public key, or a private key as OpenSSL's ``pkey.new`` accepts
too. Kong also accepts DER and JWK, which kongdao refuses (``invalid key``).
"""

from __future__ import annotations

from kongdao.schema import Entity, Field, MatchAny, Ref, checks, entity, field, typedefs
from kongdao.schema.lua import lua_pattern

__all__ = ["ALGORITHMS", "JwtSecret"]

ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384")
"""The signing algorithms a ``jwt_secrets`` credential may declare (Kong 2.8)."""

_RSA = ("RS256", "RS384", "RS512")  # the algorithms Kong 2.8 checks rsa_public_key for


def _validate_ssl_key(value: str) -> str | None:
    """Kong's ``validate_ssl_key``: the key must load (``resty.openssl.pkey.new``)."""
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
    except ImportError as exc:  # pragma: no cover - cryptography is a dependency of kongdao
        raise ModuleNotFoundError(
            f"jwt_secrets keys are loaded with the 'cryptography' package: {exc}"
        ) from exc
    data = value.encode("utf-8", "surrogateescape")
    try:
        serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        pass
    else:
        return None
    try:
        # an encrypted private key raises TypeError: Kong gives OpenSSL no passphrase either
        serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return "invalid key"
    return None


@entity(
    "jwt_secrets",
    primary_key=("id",),
    cache_key=("key",),
    endpoint_key="key",
    workspaceable=True,
    admin_api_name="jwts",
    admin_api_nested_name="jwt",
    entity_checks=[
        checks.conditional(
            if_field="algorithm",
            if_match={"match_any": MatchAny([lua_pattern(f"^{alg}$") for alg in _RSA])},
            then_field="rsa_public_key",
            then_match={"required": True, "custom_validator": _validate_ssl_key},
        ),
    ],
)
class JwtSecret(Entity):
    """A consumer's JWT credential (``jwt_secrets``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        consumer: the consumer the credential authenticates.
        key: the key tokens name (their ``iss`` claim by default); generated when absent.
        secret: the HMAC secret; generated when absent. Left out of the repr.
        rsa_public_key: the PEM key verifying ``RS*`` (and ``ES*``) signatures.
        algorithm: the signing algorithm, ``HS256`` by default (one of :data:`ALGORITHMS`).
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )
    key: str = field(Field(type="string", required=False, unique=True, auto=True))
    secret: str | None = field(Field(type="string", auto=True), repr=False)
    rsa_public_key: str | None = field(Field(type="string"))
    algorithm: str = field(Field(type="string", default="HS256", one_of=ALGORITHMS))
    tags: list[str] | None = field(typedefs.tags())
