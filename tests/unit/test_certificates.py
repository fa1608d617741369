"""The certificates entity and the certificate / key typedefs.

Ported from Kong's spec/01-unit/01-db/01-schema/03-typedefs_spec.lua (certificate and key
typedefs) and the schema cases of spec/02-integration/04-admin_api/06-certificates_routes_spec.lua.
Certificates and keys are generated here; no private key is checked in.
"""

from __future__ import annotations

import datetime
import functools
import re
import sys
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from kongdao.entities.certificates import Certificate
from kongdao.errors import SchemaViolation
from kongdao.schema import Field, Schema, schema_of, typedefs

CERTIFICATES = schema_of(Certificate)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

SAME_TYPE = (
    "certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), "
    "the provided certificates were both of the same type"
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


# -- generated material ------------------------------------------------------------------------


def private_key(kind: str, n: int = 0) -> PrivateKey:
    """A private key of ``kind`` (``rsa``, ``ec``, ``ed25519``); ``n`` tells keys apart."""
    return _private_key(kind, n)


@functools.cache
def _private_key(kind: str, n: int) -> PrivateKey:
    del n  # only part of the cache key
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


def self_signed(key: PrivateKey, name: str = "example.com") -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm).public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: PrivateKey, fmt: str = "pkcs8") -> str:
    private_format = (
        serialization.PrivateFormat.PKCS8
        if fmt == "pkcs8"
        else serialization.PrivateFormat.TraditionalOpenSSL
    )
    return key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    ).decode()


def public_pem(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def pair(kind: str, n: int = 0) -> tuple[str, str]:
    """A certificate and its private key, both PEM."""
    return _pair(kind, n)


@functools.cache
def _pair(kind: str, n: int) -> tuple[str, str]:
    key = private_key(kind, n)
    return self_signed(key), key_pem(key)


def insert(data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    processed = CERTIFICATES.process_auto_fields(data, "insert")
    return processed, CERTIFICATES.validate_insert(processed)


def check(f: Field, value: Any) -> Any:
    """Validate ``{"f": value}`` against a one-field schema; the error of ``f`` or None."""
    errors = Schema(name="test", fields=[("f", f)]).validate({"f": value})
    return None if errors is None else errors["f"]


# -- the certificate and key typedefs (03-typedefs_spec.lua) -------------------------------------


def test_certificate_typedef_accepts_certificates() -> None:
    cert, _ = pair("rsa")
    assert check(typedefs.certificate(), cert) is None
    assert check(typedefs.certificate(), pair("ec")[0]) is None
    # a chain: the first certificate is the one
    assert check(typedefs.certificate(), cert + pair("ec")[0]) is None
    # text around the PEM block is skipped, as OpenSSL does
    assert check(typedefs.certificate(), "subject=example.com\n" + cert) is None


def test_certificate_typedef_rejects_non_certificates() -> None:
    assert check(typedefs.certificate(), 42) == "expected a string"
    assert check(typedefs.certificate(), "") == "length must be at least 1"
    error = check(typedefs.certificate(), "not a certificate")
    assert error.startswith("invalid certificate: x509.new: ")
    empty = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
    assert check(typedefs.certificate(), empty).startswith("invalid certificate: x509.new: ")
    # a key is not a certificate
    assert check(typedefs.certificate(), pair("rsa")[1]).startswith("invalid certificate: ")


def test_key_typedef_accepts_private_and_public_keys() -> None:
    key = private_key("rsa")
    assert check(typedefs.key(), key_pem(key)) is None
    assert check(typedefs.key(), key_pem(key, "traditional")) is None
    assert check(typedefs.key(), key_pem(private_key("ec"), "traditional")) is None
    # Kong's pkey.new loads public keys too, and so the key typedef accepts them
    assert check(typedefs.key(), public_pem(key)) is None


def test_key_typedef_rejects_non_keys() -> None:
    assert check(typedefs.key(), 42) == "expected a string"
    assert check(typedefs.key(), "not a key").startswith("invalid key: pkey.new:load_key: ")
    empty = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"
    assert check(typedefs.key(), empty).startswith("invalid key: pkey.new:load_key: ")
    empty_public = "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"
    assert check(typedefs.key(), empty_public).startswith("invalid key: pkey.new:load_key: ")
    assert check(typedefs.key(), pair("rsa")[0]).startswith("invalid key: ")


def test_key_typedef_rejects_encrypted_keys() -> None:
    encrypted = (
        private_key("ec")
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
        .decode()
    )
    assert check(typedefs.key(), encrypted) == (
        "invalid key: pkey.new:load_key: Password was not given but private key is encrypted"
    )


def test_parse_helpers_raise_value_errors() -> None:
    cert, key = pair("ec")
    assert typedefs.parse_certificate(cert).subject.rfc4514_string() == "CN=example.com"
    assert isinstance(typedefs.parse_key(key), ec.EllipticCurvePrivateKey)
    assert isinstance(typedefs.parse_key(public_pem(private_key("ec"))), ec.EllipticCurvePublicKey)
    with pytest.raises(ValueError, match=r"^x509\.new: "):
        typedefs.parse_certificate("nope")
    with pytest.raises(ValueError, match=r"^pkey\.new:load_key: "):
        typedefs.parse_key("nope")


def test_missing_cryptography_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in sys.modules if n == "cryptography" or n.startswith("cryptography.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ModuleNotFoundError, match="pip install cryptography"):
        typedefs.parse_certificate("x")
    with pytest.raises(ModuleNotFoundError, match="pip install cryptography"):
        typedefs.parse_key("x")


# -- the entity ------------------------------------------------------------------------------------


def test_schema_attributes() -> None:
    assert CERTIFICATES.name == "certificates"
    assert CERTIFICATES.primary_key == ("id",)
    assert CERTIFICATES.endpoint_key is None
    assert CERTIFICATES.workspaceable
    assert CERTIFICATES.unique_fields == ()
    assert [name for name, _ in CERTIFICATES.fields] == [
        "id",
        "created_at",
        "cert",
        "key",
        "cert_alt",
        "key_alt",
        "tags",
    ]
    fields = CERTIFICATES.field_map
    assert fields["cert"].required is True
    assert fields["key"].required is True
    assert not fields["cert_alt"].required
    assert not fields["key_alt"].required
    assert all(fields[n].referenceable for n in ("cert", "key", "cert_alt", "key_alt"))


def test_valid_certificate_and_defaults() -> None:
    cert, key = pair("rsa")
    processed, errors = insert({"cert": cert, "key": key, "tags": ["a", "a", "b"]})
    assert errors is None
    assert UUID_RE.match(processed["id"])
    assert isinstance(processed["created_at"], int)
    assert processed["cert_alt"] is None
    assert processed["key_alt"] is None
    assert processed["tags"] == ["a", "b"]


def test_cert_and_key_are_required() -> None:
    _, errors = insert({})
    assert errors == {"cert": "required field missing", "key": "required field missing"}


def test_mismatched_key() -> None:
    cert, _ = pair("rsa")
    _, other_key = pair("rsa", 1)
    _, errors = insert({"cert": cert, "key": other_key})
    assert errors == {"@entity": ["certificate does not match key"]}


def test_mismatched_key_of_another_type() -> None:
    _, errors = insert({"cert": pair("rsa")[0], "key": pair("ec")[1]})
    assert errors == {"@entity": ["certificate does not match key"]}


def test_public_key_of_the_certificate_is_accepted_as_key() -> None:
    # Kong compares public keys only, so it takes the certificate's public key as "key"
    _, errors = insert({"cert": pair("ec")[0], "key": public_pem(private_key("ec"))})
    assert errors is None


def test_invalid_cert_skips_the_match_check() -> None:
    _, errors = insert({"cert": "nope", "key": pair("rsa")[1]})
    assert errors is not None
    assert set(errors) == {"cert"}
    assert errors["cert"].startswith("invalid certificate: ")


def test_alternate_certificate_of_another_type() -> None:
    cert, key = pair("rsa")
    cert_alt, key_alt = pair("ec")
    processed, errors = insert({"cert": cert, "key": key, "cert_alt": cert_alt, "key_alt": key_alt})
    assert errors is None
    assert processed["cert_alt"] == cert_alt


def test_alternate_certificate_needs_its_key() -> None:
    cert, key = pair("rsa")
    _, errors = insert({"cert": cert, "key": key, "cert_alt": pair("ec")[0]})
    assert errors == {"@entity": ["all or none of these fields must be set: 'cert_alt', 'key_alt'"]}
    _, errors = insert({"cert": cert, "key": key, "key_alt": pair("ec")[1]})
    assert errors == {"@entity": ["all or none of these fields must be set: 'cert_alt', 'key_alt'"]}


def test_mismatched_alternate_key() -> None:
    cert, key = pair("rsa")
    _, errors = insert(
        {"cert": cert, "key": key, "cert_alt": pair("ec")[0], "key_alt": pair("ec", 1)[1]}
    )
    assert errors == {"@entity": ["alternative certificate does not match key"]}


def test_alternate_certificate_of_the_same_type() -> None:
    cert, key = pair("rsa")
    _, errors = insert({"cert": cert, "key": key, "cert_alt": cert, "key_alt": key})
    assert errors == {"@entity": [SAME_TYPE]}
    cert_alt, key_alt = pair("rsa", 1)
    _, errors = insert({"cert": cert, "key": key, "cert_alt": cert_alt, "key_alt": key_alt})
    assert errors == {"@entity": [SAME_TYPE]}


def test_ecdsa_and_ed25519_are_different_types() -> None:
    cert, key = pair("ec")
    cert_alt, key_alt = pair("ed25519")
    _, errors = insert({"cert": cert, "key": key, "cert_alt": cert_alt, "key_alt": key_alt})
    assert errors is None


def test_all_entity_checks_report_together() -> None:
    cert, _ = pair("rsa")
    cert_alt, _ = pair("rsa", 1)
    _, errors = insert(
        {"cert": cert, "key": pair("ec")[1], "cert_alt": cert_alt, "key_alt": pair("ec")[1]}
    )
    assert errors == {
        "@entity": [
            "certificate does not match key",
            "alternative certificate does not match key",
            SAME_TYPE,
        ]
    }


def test_vault_references_skip_parsing_and_checks() -> None:
    processed, errors = insert({"cert": "{vault://env/cert}", "key": "{vault://env/key}"})
    assert errors is None
    assert processed["cert"] == "{vault://env/cert}"


def test_update_validates_the_merged_entity() -> None:
    cert, key = pair("rsa")
    stored = CERTIFICATES.process_auto_fields({"cert": cert, "key": key}, "insert")
    update = CERTIFICATES.process_auto_fields({"key": pair("rsa", 1)[1]}, "update")
    merged = CERTIFICATES.merge_values(update, stored)
    assert CERTIFICATES.validate_update(merged) == {"@entity": ["certificate does not match key"]}


def test_validate_input_raises_schema_violation() -> None:
    with pytest.raises(SchemaViolation) as info:
        CERTIFICATES.validate_input({"cert": pair("rsa")[0], "key": pair("ec")[1]})
    assert info.value.fields == {"@entity": ["certificate does not match key"]}


def test_private_keys_are_not_in_the_repr() -> None:
    cert, key = pair("rsa")
    cert_alt, key_alt = pair("ec")
    processed, errors = insert({"cert": cert, "key": key, "cert_alt": cert_alt, "key_alt": key_alt})
    assert errors is None
    certificate = CERTIFICATES.to_entity(processed)
    assert isinstance(certificate, Certificate)
    assert certificate.key == key
    assert certificate.key_alt == key_alt
    text = repr(certificate)
    assert "PRIVATE KEY" not in text
    assert "key=" not in text
    assert "key_alt=" not in text
    assert "cert_alt=" in text
    assert processed["id"] in text
    # the dict form is the data itself, keys included (it is what a DAO writes)
    assert certificate.to_dict()["key"] == key
