"""The ``ca_certificates`` entity: trusted CA certificates, for upstream TLS (Kong 2.8).

Services list the ids of the CA certificates that verify their upstream (``ca_certificates``).
The checks are Kong's (``kong/db/schema/entities/ca_certificates.lua``), in its order:

* one certificate per entity (``please submit only one certificate at a time``);
* not expired (``certificate expired, "Not After" time is in the past``);
* a CA (``certificate does not appear to be a CA because it is missing the "CA" basic
  constraint``).

``cert_digest``, the lower-case hex SHA-256 of the certificate's DER encoding, is unique: the
same CA cannot be stored twice. It is computed by an ``on_write`` transformation from ``cert``,
so a DAO gets it from :meth:`~kongdao.schema.Schema.transform` (``context`` ``"insert"``,
``"upsert"`` or ``"update"``) before it writes, as for any transformation; a digest given in the
input is replaced whenever ``cert`` is. Parsing needs the ``cryptography`` package.

Unlike most core entities, CA certificates are not workspaceable in Kong 2.8.
"""

from __future__ import annotations

import time
from typing import Any

from kongdao.schema import (
    Entity,
    Field,
    Transformation,
    TransformationFailed,
    checks,
    entity,
    field,
    typedefs,
)

__all__ = ["CACertificate", "cert_digest"]

_BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


def cert_digest(cert: str) -> str:
    """The digest Kong stores for a CA certificate: the hex SHA-256 of its DER encoding.

    Raises:
        ValueError: ``cert`` is not a PEM certificate (``x509.new: ...``).
    """
    from cryptography.hazmat.primitives import hashes

    return typedefs.parse_certificate(cert).fingerprint(hashes.SHA256()).hex()


def _digest_on_write(cert: str) -> dict[str, Any]:
    try:
        return {"cert_digest": cert_digest(cert)}
    except ValueError:
        raise TransformationFailed("cannot create digest value of certificate") from None


def _check_ca(entity: dict[str, Any]) -> str | None:
    cert = entity.get("cert")
    if not isinstance(cert, str):
        return None
    if cert.count(_BEGIN_CERTIFICATE) > 1:
        return "please submit only one certificate at a time"

    from cryptography import x509

    parsed = typedefs.parse_certificate(cert)
    # Kong compares whole seconds: ASN1 time against ngx.time()
    if int(parsed.not_valid_after_utc.timestamp()) < int(time.time()):
        return 'certificate expired, "Not After" time is in the past'
    try:
        is_ca = parsed.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        is_ca = False
    if not is_ca:
        return (
            'certificate does not appear to be a CA because it is missing the "CA" basic constraint'
        )
    return None


@entity(
    "ca_certificates",
    primary_key=("id",),
    entity_checks=[checks.custom_entity_check(field_sources=["cert"], fn=_check_ca)],
    transformations=[Transformation(input=["cert"], on_write=_digest_on_write)],
)
class CACertificate(Entity):
    """A trusted CA certificate (``ca_certificates``).

    Attributes:
        id: the primary key (generated).
        created_at: creation time, in seconds.
        cert: the PEM certificate of the CA (one only).
        cert_digest: the hex SHA-256 of ``cert`` (computed on write; unique).
        tags: free-form tags.
    """

    id: str = field(typedefs.uuid())
    created_at: int = field(typedefs.auto_timestamp_s())
    cert: str = field(typedefs.certificate(required=True))
    cert_digest: str | None = field(Field(type="string", unique=True))
    tags: list[str] | None = field(typedefs.tags())
