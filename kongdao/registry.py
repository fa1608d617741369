"""Connector lookup: a name (or a DSN's scheme) to the module that builds the connector.

Built-in names are ``postgres`` (also ``postgresql``), ``cassandra`` and ``off`` (DB-less:
an in-memory, read-only configuration loaded from a declarative file). Third-party packages add
their own through the ``kongdao.connectors`` entry-point group: the entry point names the scheme
and points at a module exposing ``from_dsn(dsn, **settings) -> Connector``. Modules are imported
only when used, so importing kongdao never imports a driver.
"""

from __future__ import annotations

import importlib
import urllib.parse
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kongdao.connector import Connector

__all__ = ["CONNECTORS", "connector_from_dsn", "known_connectors", "load_connector_module"]

CONNECTORS: dict[str, str] = {
    "postgres": "kongdao.connectors.postgres",
    "postgresql": "kongdao.connectors.postgres",
    "cassandra": "kongdao.connectors.cassandra",
    "off": "kongdao.connectors.off",
}
"""Built-in connector modules by name."""

_GROUP = "kongdao.connectors"


def known_connectors() -> dict[str, str]:
    """Every connector name known: built-in ones and entry points (``name -> module``)."""
    found = dict(CONNECTORS)
    for ep in entry_points(group=_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def load_connector_module(name: str) -> ModuleType:
    """Import the module of connector ``name``.

    Raises:
        ValueError: no connector has this name (the message lists the known ones).
        ImportError: the connector's driver is missing (the message says what to install).
    """
    known = known_connectors()
    target = known.get(name)
    if target is None:
        raise ValueError(
            f"unknown connector {name!r}; known connectors: {', '.join(sorted(known))}"
        )
    return importlib.import_module(target.partition(":")[0])


def connector_from_dsn(dsn: str, **settings: Any) -> Connector:
    """Build the connector a DSN's scheme names (``postgresql://...``, ``cassandra://...``)."""
    scheme = urllib.parse.urlsplit(dsn).scheme
    if not scheme:
        raise ValueError("a DSN starts with a scheme, e.g. postgresql:// or cassandra://")
    module = load_connector_module(scheme)
    connector: Connector = module.from_dsn(dsn, **settings)
    return connector
