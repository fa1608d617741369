"""The configuration schema of the ``acl`` plugin (``kong/plugins/acl/schema.lua``, 2.8).

The plugin allows or denies consumers by the groups of their ``acls``. Exactly one of
``config.allow`` and ``config.deny`` is set. It cannot be applied to a consumer, and runs on
HTTP protocols only.

``config`` still accepts Kong's deprecated names (removed in Kong 3.0) as record-level
shorthands: ``blacklist`` becomes ``deny`` and ``whitelist`` becomes ``allow``. Their elements
must be valid regular expressions (``not a valid regex: ...``), which ``allow`` and ``deny``
themselves do not require, as in Kong.
"""

from __future__ import annotations

from typing import Any, Final

from kongdao.schema import Field, Schema, Shorthand, checks, typedefs

__all__ = ["SCHEMA"]


def _deny(value: Any) -> dict[str, Any]:
    return {"deny": value}


def _allow(value: Any) -> dict[str, Any]:
    return {"allow": value}


_DEPRECATED_GROUPS: Final = Field(type="array", elements=Field(type="string", is_regex=True))

SCHEMA: Final = Schema(
    name="acl",
    fields=[
        ("consumer", typedefs.no_consumer()),
        ("protocols", typedefs.protocols_http()),
        (
            "config",
            Field(
                type="record",
                fields=[
                    ("allow", Field(type="array", elements=Field(type="string"))),
                    ("deny", Field(type="array", elements=Field(type="string"))),
                    ("hide_groups_header", Field(type="boolean", required=True, default=False)),
                ],
                shorthand_fields=[
                    Shorthand("blacklist", _DEPRECATED_GROUPS, _deny),
                    Shorthand("whitelist", _DEPRECATED_GROUPS, _allow),
                ],
            ),
        ),
    ],
    entity_checks=[
        checks.only_one_of("config.allow", "config.deny"),
        checks.at_least_one_of("config.allow", "config.deny"),
    ],
)
"""The ``acl`` subschema of ``plugins``."""
