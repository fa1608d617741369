"""Plugins: the registry of installed plugins and the bundled ones.

A plugin is a module exposing ``PLUGIN``, a :class:`PluginSpec` (its name, priority, version,
configuration schema, custom entities and migrations). A DB serves the plugins it is given::

    db = await kongdao.connect(dsn, plugins=["bundled", "my-plugin"])

Names are looked up in this order:

1. the bundled plugins, :data:`BUNDLED` (Kong 2.8's ``key-auth``, ``basic-auth``, ``acl``,
   ``rate-limiting``, ``cors``, ``request-transformer``, ``response-transformer``,
   ``request-termination``, ``request-size-limiting``, ``correlation-id``, ``ip-restriction``,
   ``proxy-cache``, ``grpc-gateway``, ``pre-function``, ``post-function``, ``jwt``,
   ``hmac-auth``, ``oauth2``, ``session``, ``acme``, ``file-log``, ``http-log``, ``prometheus``,
   ``zipkin``; and ``opentelemetry`` as Kong 3.0.0 first shipped it). They follow Kong 2.8.5,
   plus the Kong 3.x additions that real configuration files need: ``prometheus`` has Kong
   3.9.3's metric switches (off by default, as in Kong 3; a 2.8 configuration stays valid and
   keeps its values), and ``ai-proxy`` is bundled with Kong 3.9.3's OSS schema;
2. the ``kongdao.plugins`` entry-point group, so third-party packages add their own::

       [project.entry-points."kongdao.plugins"]
       my-plugin = "my_package.my_plugin"          # a module exposing PLUGIN
       other = "my_package.other:PLUGIN_SPEC"      # or the spec itself

A :class:`PluginSpec` or a module can also be passed directly, without being installed. As in
Kong's ``plugins`` property, ``"bundled"`` stands for every bundled plugin and ``["off"]`` for
none; ``plugins=None`` means ``["bundled"]``.

A plugin name that is not enabled is refused by ``plugins.name`` with Kong's message
``plugin 'x' not enabled; add it to the 'plugins' configuration property``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType, ModuleType
from typing import Final

from kongdao.plugins import (
    acl,
    acme,
    ai_proxy,
    basic_auth,
    correlation_id,
    cors,
    file_log,
    grpc_gateway,
    hmac_auth,
    http_log,
    ip_restriction,
    jwt,
    key_auth,
    oauth2,
    opentelemetry,
    post_function,
    pre_function,
    prometheus,
    proxy_cache,
    rate_limiting,
    request_size_limiting,
    request_termination,
    request_transformer,
    response_transformer,
    session,
    zipkin,
)
from kongdao.plugins.spec import PluginSpec, spec_from
from kongdao.schema import Entity, EntitySchema, Schema, schema_of

__all__ = [
    "BUNDLED",
    "ENTRY_POINT_GROUP",
    "PluginRef",
    "PluginSpec",
    "assemble_schemas",
    "available",
    "load",
    "plugin_subschemas",
    "resolve",
]

ENTRY_POINT_GROUP: Final = "kongdao.plugins"
"""The entry-point group third-party plugins register under."""

BUNDLED: Final[Mapping[str, PluginSpec]] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            key_auth.PLUGIN,
            basic_auth.PLUGIN,
            acl.PLUGIN,
            rate_limiting.PLUGIN,
            cors.PLUGIN,
            request_transformer.PLUGIN,
            response_transformer.PLUGIN,
            request_termination.PLUGIN,
            request_size_limiting.PLUGIN,
            correlation_id.PLUGIN,
            ip_restriction.PLUGIN,
            proxy_cache.PLUGIN,
            grpc_gateway.PLUGIN,
            pre_function.PLUGIN,
            post_function.PLUGIN,
            jwt.PLUGIN,
            hmac_auth.PLUGIN,
            oauth2.PLUGIN,
            session.PLUGIN,
            acme.PLUGIN,
            file_log.PLUGIN,
            http_log.PLUGIN,
            prometheus.PLUGIN,
            zipkin.PLUGIN,
            opentelemetry.PLUGIN,
            ai_proxy.PLUGIN,
        )
    }
)
"""The bundled plugins, by name."""

PluginRef = str | PluginSpec | ModuleType
"""How a plugin is named: by name, by its spec, or by its module."""


def available() -> dict[str, str]:
    """Every installed plugin: bundled ones and entry points (``name -> where it comes from``).

    A bundled name wins over an entry point of the same name.
    """
    found = {name: f"kongdao.plugins ({spec.version}, bundled)" for name, spec in BUNDLED.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def load(ref: PluginRef) -> PluginSpec:
    """The :class:`PluginSpec` of one plugin.

    Args:
        ref: A plugin name (bundled or from the entry-point group), a spec, or a module
            exposing ``PLUGIN``.

    Returns:
        The spec.

    Raises:
        ValueError: ``plugin 'x' is enabled but not installed`` (Kong's words): no plugin has
            this name; or an entry point names another plugin than its own name.
        TypeError: ``ref`` or what an entry point loads is not a plugin.
    """
    if not isinstance(ref, str):
        return spec_from(ref, "plugin")
    bundled = BUNDLED.get(ref)
    if bundled is not None:
        return bundled
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=ref):
        spec = spec_from(ep.load(), f"entry point {ref!r} ({ep.value})")
        if spec.name != ref:
            raise ValueError(f"entry point {ref!r} ({ep.value}) declares plugin '{spec.name}'")
        return spec
    raise ValueError(f"plugin '{ref}' is enabled but not installed")


def resolve(plugins: Iterable[PluginRef] | None) -> tuple[PluginSpec, ...]:
    """The enabled plugins, as Kong reads its ``plugins`` property.

    Args:
        plugins: Names, specs or modules; ``"bundled"`` expands to every bundled plugin;
            ``["off"]`` (alone) enables none; ``None`` is ``["bundled"]``. Repeats are ignored.

    Returns:
        The specs, in the order given.

    Raises:
        ValueError: an unknown name, ``"off"`` next to other plugins, or two different plugins
            with the same name.
        TypeError: ``plugins`` is a single string, or an item is not a plugin.
    """
    if plugins is None:
        return tuple(BUNDLED.values())
    if isinstance(plugins, str):
        raise TypeError("plugins: expected an iterable of plugin names, not a string")
    refs = list(plugins)
    if "off" in refs:
        if len(refs) > 1:
            raise ValueError("plugins: 'off' cannot be used with other plugins")
        return ()
    specs: dict[str, PluginSpec] = {}
    for ref in refs:
        for spec in BUNDLED.values() if ref == "bundled" else (load(ref),):
            seen = specs.get(spec.name)
            if seen is not None and seen is not spec:
                raise ValueError(f"plugins: two different plugins are named '{spec.name}'")
            specs[spec.name] = spec
    return tuple(specs.values())


def plugin_subschemas(plugins: Iterable[PluginRef] | None = None) -> dict[str, Schema]:
    """The configuration schemas of the enabled plugins, for ``plugins``' subschemas.

    Args:
        plugins: As for :func:`resolve` (default: every bundled plugin).

    Returns:
        A new dict from plugin name to its configuration schema, in order::

            plugins_schema = schema_of(Plugin).with_subschemas(plugin_subschemas(["key-auth"]))
    """
    return {spec.name: spec.schema for spec in resolve(plugins)}


def assemble_schemas(
    specs: Iterable[PluginSpec], entities: Iterable[type[Entity]] = ()
) -> dict[str, EntitySchema]:
    """The entity schemas served with these plugins enabled, by name (what a DB serves).

    Core entities first, then each plugin's entities, then ``entities``; the ``plugins``
    schema serves the configuration subschemas of exactly these plugins. As Kong's
    ``load_plugin_schemas``, an entity beyond the core ones may reference only core entities
    or entities declared before it.

    Raises:
        ValueError: an entity declared twice (``<owner>: entity 'x' is already declared by
            <owner>``), or a reference to an entity not declared before it.
    """
    from kongdao.entities import CORE_ENTITIES

    specs = tuple(specs)
    subschemas = {spec.name: spec.schema for spec in specs}
    schemas: dict[str, EntitySchema] = {}
    owners: dict[str, str] = {}
    for owner, classes in (
        ("core", CORE_ENTITIES),
        *((f"plugin '{spec.name}'", spec.entities) for spec in specs),
        ("entities", tuple(entities)),
    ):
        for cls in classes:
            schema = schema_of(cls)
            name = schema.name or ""
            if name in schemas:
                raise ValueError(f"{owner}: entity '{name}' is already declared by {owners[name]}")
            if owner != "core":
                for fname, f in schema.foreign_fields:
                    if f.reference not in schemas:
                        raise ValueError(
                            f"{owner}: entity '{name}' field '{fname}' references "
                            f"'{f.reference}', which is not declared before it"
                        )
            if name == "plugins":
                schema = schema.with_subschemas(subschemas)
            schemas[name] = schema
            owners[name] = owner
    return schemas
