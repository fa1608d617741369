"""Bundled plugins: their configuration schemas, to register as subschemas of ``plugins``.

This is a minimal registry (a fuller one, with plugin entities and migrations, comes later)::

    from kongdao import plugins
    from kongdao.entities import Plugin
    from kongdao.schema import schema_of

    plugins_schema = schema_of(Plugin).with_subschemas(plugins.plugin_subschemas(["key-auth"]))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from kongdao.plugins import key_auth
from kongdao.schema import Schema

__all__ = ["BUNDLED", "plugin_subschemas"]

BUNDLED: Final[dict[str, Schema]] = {"key-auth": key_auth.SCHEMA}
"""The configuration schema of each bundled plugin, by plugin name."""


def plugin_subschemas(names: Iterable[str] | None = None) -> dict[str, Schema]:
    """The configuration schemas of the plugins ``names`` (all bundled plugins for ``None``).

    Args:
        names: the enabled plugins, like Kong's ``plugins`` configuration property.

    Returns:
        A new dict from plugin name to its schema, in the order of ``names``.

    Raises:
        ValueError: ``no configuration schema found for plugin: <name>`` for an unknown plugin.
    """
    if names is None:
        return dict(BUNDLED)
    if isinstance(names, str):
        raise TypeError("expected an iterable of plugin names, not a string")
    schemas: dict[str, Schema] = {}
    for name in names:
        try:
            schemas[name] = BUNDLED[name]
        except KeyError:
            raise ValueError(f"no configuration schema found for plugin: {name}") from None
    return schemas
