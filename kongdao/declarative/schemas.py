"""The entity schemas a declarative file may hold, assembled without a database.

:func:`entity_schemas` builds the same set a :class:`kongdao.db.DB` serves for a list of enabled
plugins: the core entities, then each plugin's entities, with the ``plugins`` schema serving the
configuration subschemas of exactly those plugins. :func:`topological_order` orders them as
Kong's ``kong.db.schema.topological_sort`` does, which is the order in which a declarative file
is read and its entities are loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from kongdao import plugins as plugin_registry
from kongdao.entities import CORE_ENTITIES
from kongdao.plugins import PluginRef
from kongdao.schema import Entity, EntitySchema, schema_of

__all__ = ["entity_schemas", "topological_order"]

_CORE: Final = frozenset(schema_of(cls).name for cls in CORE_ENTITIES)


def entity_schemas(
    plugins: Iterable[PluginRef] | None = None, *, entities: Iterable[type[Entity]] = ()
) -> dict[str, EntitySchema]:
    """The entity schemas served with these plugins enabled, by name, as a DB assembles them.

    Args:
        plugins: The enabled plugins, as for :func:`kongdao.connect` (names, specs or modules;
            ``None`` is every bundled plugin, ``["off"]`` none).
        entities: Extra entity classes, as for :func:`kongdao.connect`.

    Returns:
        A new dict: core entities first, then plugin entities, then ``entities``.

    Raises:
        ValueError: An unknown plugin, an entity declared twice, or an entity beyond the core
            ones referencing an entity that is not declared before it.
        TypeError: A plugin or entity of the wrong type.
    """
    return plugin_registry.assemble_schemas(plugin_registry.resolve(plugins), entities)


def topological_order(schemas: Mapping[str, EntitySchema]) -> list[str]:
    """Entity names ordered as Kong's ``topological_sort`` orders schemas (Kong 3.9.3).

    An entity comes after every entity it references; otherwise core entities come before plugin
    entities, and names are alphabetical. Kong reads the entity lists of a declarative file in
    this order.

    Raises:
        ValueError: The references form a cycle.
    """
    names = sorted(schemas, reverse=True)
    # core entities after plugin entities, each group in reverse alphabetical order: the
    # depth-first walk below puts every entity before what it visited, reversing both
    names.sort(key=lambda n: 2 if n == "workspaces" else (1 if n in _CORE else 0))
    pointing: dict[str, list[str]] = {}
    for name in names:
        for _, f in schemas[name].foreign_fields:
            if f.reference in schemas:
                pointing.setdefault(f.reference or "", []).append(name)

    ordered: list[str] = []
    visited: set[str] = set()
    marked: set[str] = set()

    def visit(name: str) -> None:
        if name in visited:
            return
        if name in marked:
            raise ValueError("Cycle detected, cannot sort topologically")
        marked.add(name)
        for child in pointing.get(name, ()):
            visit(child)
        marked.discard(name)
        visited.add(name)
        ordered.insert(0, name)

    for name in names:
        visit(name)
    return ordered
