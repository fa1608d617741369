"""What a plugin declares: :class:`PluginSpec`.

A plugin is a Python module (or package) exposing ``PLUGIN``, a :class:`PluginSpec`::

    PLUGIN = PluginSpec(
        name="key-auth",
        version="2.4.0",
        priority=1003,
        schema=SCHEMA,                       # the plugin's configuration: a ``plugins`` subschema
        entities=(KeyauthCredential,),       # custom entities, each after those it references
        migrations=[m000_base_key_auth],     # its migration subsystem, run after core's
    )

This mirrors a Kong plugin's files: ``handler.lua`` (``PRIORITY``, ``VERSION``), ``schema.lua``,
``daos.lua`` and ``migrations/``. kongdao loads no handler: it is a datastore layer, so the
priority and version are recorded for the gateway that runs the plugins.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from kongdao.migrations import Migration, Subsystem
from kongdao.schema import Schema
from kongdao.schema.entity import Entity, EntitySchema, schema_of

__all__ = ["PluginSpec"]

# Kong's plugin names: lower-case words joined by dashes (or underscores in older plugins).
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _entities(value: Iterable[type[Entity]]) -> tuple[type[Entity], ...]:
    if isinstance(value, type):
        raise TypeError("entities: expected a sequence of entity classes, not one class")
    return tuple(value)


def _priority(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, float) and value in (math.inf, -math.inf))
    ):
        raise TypeError("priority: expected an integer, or math.inf for Kong's math.huge")


def _daos(value: Mapping[str, str | type]) -> Mapping[str, str | type]:
    return MappingProxyType(dict(value))


def _migrations(value: Subsystem | Iterable[Migration] | None) -> Subsystem | tuple[Migration, ...]:
    if value is None:
        return ()
    if isinstance(value, Subsystem):
        return value
    return tuple(value)


@attrs.frozen
class PluginSpec:
    """A plugin: its name, priority, configuration schema, entities and migrations.

    Args:
        name: The plugin's name (``key-auth``), as ``plugins.name`` holds it and as Kong's
            ``plugins`` configuration property lists it.
        schema: The configuration schema: a :class:`~kongdao.schema.Schema` whose fields
            override those of ``plugins`` (``config``, and ``consumer`` / ``route`` /
            ``service`` / ``protocols`` restrictions), with its own entity checks. Its ``name``
            is the plugin's.
        version: The plugin's version (Kong's handler ``VERSION``).
        priority: The plugin's priority (Kong's handler ``PRIORITY``; higher runs first): an
            integer, or ``math.inf`` for Kong's ``math.huge`` (pre-function).
        entities: The plugin's custom entities, each after the entities it references (core
            entities are always registered first).
        migrations: The plugin's migrations, in order: a sequence of
            :class:`~kongdao.migrations.Migration`, or a
            :class:`~kongdao.migrations.Subsystem` named after the plugin. Required when the
            plugin has entities: their tables come from these migrations.
        daos: Custom DAO classes of some of the plugin's entities (Kong's ``dao = ...``): entity
            name -> a :class:`~kongdao.dao.DAO` subclass, or ``"module:Class"`` imported when a
            DB is built (which keeps the plugin module free of import cycles).

    Raises:
        ValueError: a malformed name, a schema named otherwise, entities without migrations,
            or a migration subsystem named otherwise.
        TypeError: a value of the wrong type.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    schema: Schema = attrs.field(validator=attrs.validators.instance_of(Schema))
    version: str = attrs.field(default="0.1.0", validator=attrs.validators.instance_of(str))
    priority: float = attrs.field(default=0, validator=_priority)
    entities: tuple[type[Entity], ...] = attrs.field(default=(), converter=_entities)
    _migrations: Subsystem | tuple[Migration, ...] = attrs.field(
        default=(), converter=_migrations, alias="migrations"
    )
    daos: Mapping[str, str | type] = attrs.field(factory=dict, converter=_daos)

    def __attrs_post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"invalid plugin name {self.name!r}: lower-case letters, digits, '-'")
        if self.schema.name not in (None, self.name):
            raise ValueError(
                f"plugin '{self.name}': its schema is named '{self.schema.name}', not '{self.name}'"
            )
        for cls in self.entities:
            if not isinstance(cls, type) or not issubclass(cls, Entity):
                raise TypeError(f"plugin '{self.name}': {cls!r} is not an entity class")
            schema_of(cls)
        if isinstance(self._migrations, tuple) and self._migrations:
            object.__setattr__(self, "_migrations", Subsystem(self.name, self._migrations))
        if isinstance(self._migrations, Subsystem) and self._migrations.name != self.name:
            raise ValueError(
                f"plugin '{self.name}': its migrations subsystem is named '{self._migrations.name}'"
            )
        names = {schema.name for schema in self.entity_schemas}
        for name, dao in self.daos.items():
            if name not in names:
                raise ValueError(f"plugin '{self.name}': a DAO for '{name}', not its entity")
            if not isinstance(dao, (str, type)):
                raise TypeError(f"plugin '{self.name}': the DAO of '{name}' is {dao!r}")
        if self.entities and self.subsystem is None:
            raise ValueError(
                f"plugin '{self.name}' declares entities but no migrations to create their tables"
            )

    @property
    def subsystem(self) -> Subsystem | None:
        """The plugin's migration subsystem (named after the plugin), or ``None``."""
        return self._migrations if isinstance(self._migrations, Subsystem) else None

    def dao_class(self, name: str) -> type | None:
        """The custom DAO class of entity ``name``, imported if given as ``"module:Class"``."""
        dao = self.daos.get(name)
        if isinstance(dao, str):
            module, _, attribute = dao.partition(":")
            dao = getattr(importlib.import_module(module), attribute)
        if dao is not None and not isinstance(dao, type):
            raise TypeError(f"plugin '{self.name}': the DAO of '{name}' is {dao!r}")
        return dao

    @property
    def entity_schemas(self) -> tuple[EntitySchema, ...]:
        """The schemas of :attr:`entities`, in order."""
        return tuple(schema_of(cls) for cls in self.entities)

    def __repr__(self) -> str:
        entities = ", ".join(s.name or "?" for s in self.entity_schemas)
        return f"<PluginSpec {self.name} {self.version} priority={self.priority} [{entities}]>"


def spec_from(obj: Any, where: str) -> PluginSpec:
    """The :class:`PluginSpec` of ``obj``: a spec, or a module exposing ``PLUGIN``.

    Raises:
        TypeError: ``obj`` is neither (``where`` says where it came from).
    """
    if isinstance(obj, PluginSpec):
        return obj
    plugin = getattr(obj, "PLUGIN", None)
    if isinstance(plugin, PluginSpec):
        return plugin
    raise TypeError(f"{where}: expected a PluginSpec or a module exposing PLUGIN, got {obj!r}")
