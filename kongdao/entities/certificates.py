"""The ``certificates`` entity: a TLS certificate and its private key (Kong 2.8).

A certificate may carry an alternate pair of another key type (``cert_alt`` / ``key_alt``,
e.g. ECDSA next to RSA) so that Kong can serve clients of either kind. The entity checks are
Kong's (``kong/db/schema/entities/certificates.lua``):

* ``cert_alt`` and ``key_alt`` are set together (``all or none of these fields must be set:
  'cert_alt', 'key_alt'``);
* each key matches its certificate (``certificate does not match key``, ``alternative
  certificate does not match key``): the public key of the certificate equals the key's;
* the two certificates have different key types (``certificate and alternative certificate need
  to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same
  type``).

Parsing needs the ``cryptography`` package. Private keys never appear in an entity's repr.

Left to a DAO (Kong's ``kong/db/dao/certificates.lua``):

* the ``snis`` pseudo-attribute: a list of names given on insert, update or upsert creates or
  replaces the certificate's :class:`~kongdao.entities.snis.SNI` rows (schema violations on
  ``snis``: ``<name> is duplicated``, ``<name> already associated with existing certificate
  '<id>'``), and ``select_with_name_list`` / ``page`` return it, sorted;
* ``delete`` deletes the certificate's SNIs first (their foreign key restricts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kongdao.schema import Entity, checks, entity, field, typedefs

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

__all__ = ["Certificate"]


def _certificate_public_key(pem: str) -> PublicKeyTypes | None:
    """The public key of a (validated) certificate; ``None`` for an algorithm not supported."""
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        return typedefs.parse_certificate(pem).public_key()
    except (ValueError, UnsupportedAlgorithm):
        return None


def _key_public_key(pem: str) -> PublicKeyTypes:
    """The public half of a (validated) private key; Kong also accepts a public key as ``key``."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    data = pem.encode()
    try:
        return serialization.load_pem_private_key(data, password=None).public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return serialization.load_pem_public_key(data)


def _public_pem(public_key: PublicKeyTypes) -> bytes:
    """The key as ``to_PEM("public")`` writes it: a SubjectPublicKeyInfo."""
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _key_type(public_key: PublicKeyTypes) -> str:
    """The algorithm of a key, as OpenSSL's ``EVP_PKEY_id`` tells them apart."""
    from cryptography.hazmat.primitives.asymmetric import (
        dsa,
        ec,
        ed448,
        ed25519,
        rsa,
        x448,
        x25519,
    )

    kinds: tuple[tuple[type[Any], str], ...] = (
        (rsa.RSAPublicKey, "RSA"),
        (ec.EllipticCurvePublicKey, "EC"),
        (dsa.DSAPublicKey, "DSA"),
        (ed25519.Ed25519PublicKey, "ED25519"),
        (ed448.Ed448PublicKey, "ED448"),
        (x25519.X25519PublicKey, "X25519"),
        (x448.X448PublicKey, "X448"),
    )
    for cls, kind in kinds:
        if isinstance(public_key, cls):
            return kind
    # finite-field DH keys (their class is deprecated in cryptography) go by their class name
    return type(public_key).__name__


def _matches(cert: str, key: str) -> bool:
    certificate_key = _certificate_public_key(cert)
    if certificate_key is None:
        return False
    return _public_pem(certificate_key) == _public_pem(_key_public_key(key))


def _check_key(entity: dict[str, Any]) -> str | None:
    cert, key = entity.get("cert"), entity.get("key")
    if isinstance(cert, str) and isinstance(key, str) and not _matches(cert, key):
        return "certificate does not match key"
    return None


def _check_alt_key(entity: dict[str, Any]) -> str | None:
    cert_alt, key_alt = entity.get("cert_alt"), entity.get("key_alt")
    if isinstance(cert_alt, str) and isinstance(key_alt, str) and not _matches(cert_alt, key_alt):
        return "alternative certificate does not match key"
    return None


def _check_alt_type(entity: dict[str, Any]) -> str | None:
    cert, cert_alt = entity.get("cert"), entity.get("cert_alt")
    if isinstance(cert, str) and isinstance(cert_alt, str):
        cert_key, cert_alt_key = _certificate_public_key(cert), _certificate_public_key(cert_alt)
        if (
            cert_key is not None
            and cert_alt_key is not None
            and _key_type(cert_key) == _key_type(cert_alt_key)
        ):
            return (
                "certificate and alternative certificate need to have different type "
                "(e.g. RSA and ECDSA), the provided certificates were both of the same type"
            )
    return None


@entity(
    "certificates",
    primary_key=("id",),
    workspaceable=True,
    entity_checks=[
        checks.mutually_required("cert_alt", "key_alt"),
        checks.custom_entity_check(field_sources=["cert", "key"], fn=_check_key),
        checks.custom_entity_check(field_sources=["cert_alt", "key_alt"], fn=_check_alt_key),
        checks.custom_entity_check(field_sources=["cert", "cert_alt"], fn=_check_alt_type),
    ],
)
class Certificate(Entity):
    """A Kong certificate (``certificates``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        cert: the PEM certificate (a chain may follow it), or a vault reference.
        key: the PEM private key of ``cert``, or a vault reference; not in the repr.
        cert_alt: an alternate PEM certificate of another key type.
        key_alt: the private key of ``cert_alt``; not in the repr.
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    cert: str = field(typedefs.certificate(required=True, referenceable=True))
    key: str = field(typedefs.key(required=True, referenceable=True), repr=False)
    cert_alt: str | None = field(typedefs.certificate(required=False, referenceable=True))
    key_alt: str | None = field(typedefs.key(required=False, referenceable=True), repr=False)
    tags: list[str] | None = field(typedefs.tags())
