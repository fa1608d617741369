"""Checking plugin configurations without a database, as Kong's schema specs do.

For plugin authors and kongdao's own tests::

    from kongdao.testing.plugin_configs import config_of, errors_of, plugins_schema

    schema = plugins_schema([MY_PLUGIN])
    assert config_of(schema, "notes", {"limit": 5}) == {"header": "X-Notes", "limit": 5}
    assert errors_of(schema, "notes", {"limit": 500}) == {
        "config": {"limit": "value should be between 1 and 100"}
    }
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kongdao.entities import Plugin
from kongdao.plugins import PluginRef, resolve
from kongdao.schema import EntitySchema, schema_of

__all__ = ["config_of", "errors_of", "insert", "plugins_schema"]


def plugins_schema(plugins: Iterable[PluginRef] | None = None) -> EntitySchema:
    """The ``plugins`` schema with these plugins enabled (a copy: the global one is untouched)."""
    return schema_of(Plugin).with_subschemas({spec.name: spec.schema for spec in resolve(plugins)})


def insert(
    schema: EntitySchema, name: str, config: dict[str, Any] | None = None, **plugin: Any
) -> tuple[dict[str, Any], Any]:
    """Kong's ``validate_plugin_config_schema``: process for insert, then ``validate_insert``.

    Returns:
        The processed plugin and its errors (``None`` when valid).
    """
    data: dict[str, Any] = {"name": name, **plugin}
    if config is not None:
        data["config"] = config
    processed = schema.process_auto_fields(data, "insert")
    return processed, schema.validate_insert(processed, data)


def errors_of(schema: EntitySchema, name: str, config: dict[str, Any], **plugin: Any) -> Any:
    """The validation errors of a plugin with this configuration (``None`` when valid)."""
    return insert(schema, name, config, **plugin)[1]


def config_of(
    schema: EntitySchema, name: str, config: dict[str, Any], **plugin: Any
) -> dict[str, Any]:
    """The stored configuration of a valid plugin (defaults filled in).

    Raises:
        AssertionError: the plugin is invalid (the message shows the errors).
    """
    processed, errors = insert(schema, name, config, **plugin)
    assert errors is None, errors
    stored: dict[str, Any] = processed["config"]
    return stored
