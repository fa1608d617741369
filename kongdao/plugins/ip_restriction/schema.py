"""The configuration schema of the ``ip-restriction`` plugin (``kong/plugins/ip-restriction``, 2.8).

The plugin allows or denies requests by the client's address: ``allow`` and ``deny`` hold IP
addresses and CIDR ranges of either family (``invalid ip or cidr range: 'hello'`` on the
element that is not one), and at least one of them is non-empty (``at least one of these
fields must be non-empty: 'config.allow', 'config.deny'``). Both may be set. A denied request
gets ``status`` and ``message`` (Kong's handler picks 403 and ``Your IP address is not
allowed`` when they are not set). It runs on HTTP protocols only, and may be applied to a
consumer.

``config`` still accepts Kong's deprecated names (removed in Kong 3.0) as record-level
shorthands: ``blacklist`` becomes ``deny`` and ``whitelist`` becomes ``allow``. Their elements
must also be valid regular expressions (``not a valid regex: ...``), as in Kong.

Left out: Kong's ``001_200_to_210`` migration, which renamed ``whitelist`` / ``blacklist`` in
stored configurations. kongdao's databases never held Kong 2.0 configurations, and new input
goes through the shorthands.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, Shorthand, checks, typedefs

__all__ = ["SCHEMA"]


def _deny(value: Any) -> dict[str, Any]:
    return {"deny": value}


def _allow(value: Any) -> dict[str, Any]:
    return {"allow": value}


_DEPRECATED_ADDRESSES: Final = Field(type="array", elements=Field(type="string", is_regex=True))

SCHEMA: Final = Schema(
    name="ip-restriction",
    fields=[
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("allow", Field(type="array", elements=typedefs.ip_or_cidr())),
                    ("deny", Field(type="array", elements=typedefs.ip_or_cidr())),
                    ("status", Field(type="number", required=False)),
                    ("message", Field(type="string", required=False)),
                ],
                shorthand_fields=[
                    Shorthand("blacklist", _DEPRECATED_ADDRESSES, _deny),
                    Shorthand("whitelist", _DEPRECATED_ADDRESSES, _allow),
                ],
            ),
        ),
    ],
    entity_checks=[checks.at_least_one_of("config.allow", "config.deny")],
)
"""The ``ip-restriction`` subschema of ``plugins``."""
