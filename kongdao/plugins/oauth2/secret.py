"""Client secret hashing of the ``oauth2`` plugin (``kong/plugins/oauth2/secret.lua``, 2.8).

Kong 2.8 hashes an ``oauth2_credentials`` client secret when the credential says
``hash_secret = true``, with the only algorithm it enables: PBKDF2-HMAC-SHA512, 10,000
iterations, a 32-byte key and a random 16-byte salt, written as a PHC string::

    $pbkdf2-sha512$i=10000,l=32$<salt, base64 without padding>$<key, base64 without padding>

:func:`hash_secret` produces the same strings, so a database shared with Kong nodes stays
usable by both; :func:`verify_secret` checks a presented secret against one. (Kong's code also
knows Argon2 and bcrypt but disables both in 2.8.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Final

__all__ = ["hash_secret", "verify_secret"]

_ID: Final = "$pbkdf2"
_DIGEST: Final = "sha512"
_ITERATIONS: Final = 10000
_HASH_LEN: Final = 32
_SALT_LEN: Final = 16


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _derive(secret: str, salt: bytes, digest: str, iterations: int, length: int) -> bytes:
    return hashlib.pbkdf2_hmac(digest, secret.encode("utf-8"), salt, iterations, length)


def hash_secret(secret: str) -> str:
    """Hash a client secret as Kong 2.8 does (a PBKDF2-SHA512 PHC string, random salt).

    Args:
        secret: The clear client secret.

    Returns:
        ``$pbkdf2-sha512$i=10000,l=32$<salt>$<hash>``.

    Raises:
        TypeError: ``secret`` is not a string (Kong: ``secret needs to be a string``).
    """
    if not isinstance(secret, str):
        raise TypeError("secret needs to be a string")
    salt = secrets.token_bytes(_SALT_LEN)
    key = _derive(secret, salt, _DIGEST, _ITERATIONS, _HASH_LEN)
    return f"{_ID}-{_DIGEST}$i={_ITERATIONS},l={_HASH_LEN}${_b64encode(salt)}${_b64encode(key)}"


def verify_secret(secret: str, hashed: str | None) -> bool:
    """Whether ``secret`` is the client secret ``hashed`` was made from (constant-time compare).

    Reads the digest, iteration count and length from the PHC string, so hashes written with
    other PBKDF2 parameters verify too. Anything that is not a PBKDF2 PHC string (a clear
    secret, an Argon2 or bcrypt hash, ``None``) does not verify.
    """
    if not isinstance(hashed, str) or not hashed.startswith(_ID):
        return False
    parts = hashed.split("$")
    if len(parts) != 5:
        return False
    _, ident, params, salt_text, key_text = parts
    digest = ident.partition("-")[2] or _DIGEST
    values: dict[str, str] = {}
    for param in params.split(","):
        name, eq, value = param.partition("=")
        if eq:
            values[name.strip()] = value.strip()
    salt, key = _b64decode(salt_text), _b64decode(key_text)
    if salt is None or key is None:
        return False
    try:
        iterations = int(values.get("i", _ITERATIONS))
        length = int(values.get("l", len(key)))
        derived = _derive(secret, salt, digest, iterations, length)
    except (ValueError, OverflowError):  # an unknown digest, a bad number
        return False
    return hmac.compare_digest(derived, key)
