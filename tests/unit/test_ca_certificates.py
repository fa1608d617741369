"""The ca_certificates entity: CA checks and the digest transformation.

Ported from the schema cases of Kong's
spec/02-integration/04-admin_api/16-ca_certificates_routes_spec.lua (non-CA, expired, several
certificates). Certificates are generated here.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kongdao.entities.ca_certificates import CACertificate, cert_digest
from kongdao.schema import TransformationFailed, schema_of

CA_CERTIFICATES = schema_of(CACertificate)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

NOT_A_CA = 'certificate does not appear to be a CA because it is missing the "CA" basic constraint'
EXPIRED = 'certificate expired, "Not After" time is in the past'


@functools.cache
def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def certificate(
    *, ca: bool | None = True, days: int = 30, name: str = "Example CA"
) -> x509.Certificate:
    """A self-signed certificate; ``ca=None`` leaves out the basic constraints extension."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(_key().public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=60))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    return builder.sign(_key(), hashes.SHA256())


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def validate(data: dict[str, Any]) -> Any:
    return CA_CERTIFICATES.validate_insert(CA_CERTIFICATES.process_auto_fields(data, "insert"))


def test_schema_attributes() -> None:
    assert CA_CERTIFICATES.name == "ca_certificates"
    assert CA_CERTIFICATES.primary_key == ("id",)
    assert not CA_CERTIFICATES.workspaceable
    assert CA_CERTIFICATES.endpoint_key is None
    assert [name for name, _ in CA_CERTIFICATES.fields] == [
        "id",
        "created_at",
        "cert",
        "cert_digest",
        "tags",
    ]
    assert CA_CERTIFICATES.unique_fields == ("cert_digest",)
    assert CA_CERTIFICATES.field_map["cert"].required is True
    assert not CA_CERTIFICATES.field_map["cert"].referenceable
    (transformation,) = CA_CERTIFICATES.transformations
    assert transformation.input == ("cert",)
    assert transformation.on_read is None


def test_valid_ca_certificate() -> None:
    cert = pem(certificate())
    processed = CA_CERTIFICATES.process_auto_fields({"cert": cert}, "insert")
    assert CA_CERTIFICATES.validate_insert(processed) is None
    assert UUID_RE.match(processed["id"])
    assert isinstance(processed["created_at"], int)
    assert processed["cert_digest"] is None
    assert processed["tags"] is None


def test_cert_is_required() -> None:
    assert validate({}) == {"cert": "required field missing"}


def test_invalid_cert_is_a_field_error_only() -> None:
    errors = validate({"cert": "not a certificate"})
    assert errors is not None
    assert set(errors) == {"cert"}
    assert errors["cert"].startswith("invalid certificate: x509.new: ")


def test_non_ca_certificate() -> None:
    assert validate({"cert": pem(certificate(ca=None))}) == {"@entity": [NOT_A_CA]}


def test_basic_constraints_without_ca() -> None:
    assert validate({"cert": pem(certificate(ca=False))}) == {"@entity": [NOT_A_CA]}


def test_expired_certificate() -> None:
    assert validate({"cert": pem(certificate(days=-1))}) == {"@entity": [EXPIRED]}
    # expiry is checked first
    assert validate({"cert": pem(certificate(ca=None, days=-1))}) == {"@entity": [EXPIRED]}


def test_only_one_certificate_at_a_time() -> None:
    cert = pem(certificate())
    other = pem(certificate(name="Other CA"))
    assert validate({"cert": cert + "\n" + other}) == {
        "@entity": ["please submit only one certificate at a time"]
    }


def test_digest_is_the_sha256_of_the_der() -> None:
    cert = certificate()
    expected = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert cert_digest(pem(cert)) == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)


def test_digest_is_computed_on_write() -> None:
    cert = certificate()
    data = {"cert": pem(cert), "cert_digest": "stale"}
    processed = CA_CERTIFICATES.process_auto_fields(data, "insert")
    assert CA_CERTIFICATES.validate_insert(processed, data) is None
    written = CA_CERTIFICATES.transform(processed, data, "insert")
    assert written["cert_digest"] == cert_digest(pem(cert))
    assert written["cert"] == pem(cert)
    # the entity keeps the digest
    typed = CA_CERTIFICATES.to_entity(written)
    assert isinstance(typed, CACertificate)
    assert typed.cert_digest == written["cert_digest"]


def test_update_without_cert_keeps_the_digest() -> None:
    update = CA_CERTIFICATES.process_auto_fields({"tags": ["x"]}, "update")
    assert CA_CERTIFICATES.transform(update, {"tags": ["x"]}, "update") == {"tags": ["x"]}


def test_update_with_a_new_cert_computes_a_new_digest() -> None:
    cert = pem(certificate(name="Another CA"))
    update = CA_CERTIFICATES.process_auto_fields({"cert": cert}, "update")
    written = CA_CERTIFICATES.transform(update, {"cert": cert}, "update")
    assert written == {"cert": cert, "cert_digest": cert_digest(cert)}


def test_digest_failure_is_kongs_transformation_error() -> None:
    with pytest.raises(TransformationFailed) as info:
        CA_CERTIFICATES.transform({"cert": "nope"}, {"cert": "nope"}, "insert")
    assert str(info.value) == "transformation failed: cannot create digest value of certificate"


def test_digest_is_not_recomputed_on_read() -> None:
    row = {"id": "cbb297c0-a956-486d-ad1d-f9b42df9465a", "cert": "x", "cert_digest": "d"}
    assert CA_CERTIFICATES.transform(row, row, "select") == row
