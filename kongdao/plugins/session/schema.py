"""The configuration schema of the ``session`` plugin (``kong/plugins/session/schema.lua``, 2.8).

The plugin keeps an authenticated consumer logged in with a session cookie, stored in the
cookie itself (``storage = "cookie"``, the default) or in the ``sessions`` entity
(``storage = "kong"``). It cannot be applied to a consumer. Unlike the authentication plugins it
does not restrict ``protocols``: it takes the ``plugins`` default.

``secret`` (which encrypts and signs the cookies; it may be a vault reference) defaults to a
random 44-character string drawn **once, when the schema is loaded**, exactly as Kong draws it:
every session plugin created by one process without a secret of its own shares that process's
default, and the plugins created by another process get another one. Give ``secret``
explicitly when several processes must agree on it.
"""

from __future__ import annotations

import base64
import secrets
from typing import Final

from kongdao.schema import Field, Schema, typedefs

__all__ = ["SCHEMA"]


def _random_secret() -> str:
    """Kong's session ``random_string``: base64 of 32 random bytes, ``/+=`` replaced.

    As in Kong's ``gsub`` calls, every ``/`` becomes one same random digit, every ``+`` one
    same upper-case letter and the ``=`` padding a lower-case letter.
    """
    text = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    text = text.replace("/", chr(48 + secrets.randbelow(10)))
    text = text.replace("+", chr(65 + secrets.randbelow(26)))
    return text.replace("=", chr(97 + secrets.randbelow(26)))


_SAMESITE: Final = Field(type="string", default="Strict", one_of=("Strict", "Lax", "None", "off"))

SCHEMA: Final = Schema(
    name="session",
    fields=[
        ("consumer", typedefs.no_consumer()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    (
                        "secret",
                        Field(
                            type="string",
                            required=False,
                            default=_random_secret(),
                            referenceable=True,
                        ),
                    ),
                    ("cookie_name", Field(type="string", default="session")),
                    ("cookie_lifetime", Field(type="number", default=3600)),
                    ("cookie_idletime", Field(type="number")),
                    ("cookie_renew", Field(type="number", default=600)),
                    ("cookie_path", Field(type="string", default="/")),
                    ("cookie_domain", Field(type="string")),
                    ("cookie_samesite", _SAMESITE),
                    ("cookie_httponly", Field(type="boolean", default=True)),
                    ("cookie_secure", Field(type="boolean", default=True)),
                    ("cookie_discard", Field(type="number", default=10)),
                    (
                        "storage",
                        Field(
                            required=False,
                            type="string",
                            one_of=("cookie", "kong"),
                            default="cookie",
                        ),
                    ),
                    (
                        "logout_methods",
                        Field(
                            type="array",
                            elements=Field(type="string", one_of=("GET", "POST", "DELETE")),
                            default=["POST", "DELETE"],
                        ),
                    ),
                    (
                        "logout_query_arg",
                        Field(required=False, type="string", default="session_logout"),
                    ),
                    (
                        "logout_post_arg",
                        Field(required=False, type="string", default="session_logout"),
                    ),
                ],
            ),
        ),
    ],
)
"""The ``session`` subschema of ``plugins``."""
