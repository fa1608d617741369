"""Throwaway X.509 material for tests: certificates and keys generated on the fly.

Nothing here is secret or checked in: every key is generated in memory when asked for (and
cached per process, RSA generation being slow)::

    cert, key = certificate_pair("rsa", "example.com")
    ca = ca_certificate("My CA")
"""

from __future__ import annotations

import datetime
import functools

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

__all__ = ["ca_certificate", "certificate_pair"]

_PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@functools.cache
def _key(kind: str, n: int) -> _PrivateKey:
    del n  # part of the cache key only: tells keys of one kind apart
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key kind {kind!r} (rsa or ec)")


def _certificate(key: _PrivateKey, name: str, *, ca: bool, days: int) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def certificate_pair(kind: str = "rsa", name: str = "example.com", n: int = 0) -> tuple[str, str]:
    """A self-signed certificate and its private key, both PEM.

    Args:
        kind: ``rsa`` or ``ec``.
        name: The certificate's common name.
        n: Tells keys of the same kind apart (the same ``n`` reuses the key).
    """
    key = _key(kind, n)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return _certificate(key, name, ca=False, days=30), pem


def ca_certificate(name: str = "kongdao test CA", kind: str = "rsa", n: int = 0) -> str:
    """A self-signed CA certificate (``basicConstraints CA:TRUE``), PEM."""
    return _certificate(_key(kind, n), name, ca=True, days=30)
