"""Flattening and validating a declarative configuration: :class:`Parser` and its result.

See the package docstring (:mod:`kongdao.declarative`) for the rules and the Kong versions they
come from. The work is Kong's ``DeclarativeConfig:flatten``, done in four passes over the
(copied) input tree:

1. *walk*: every entity list, top-level or nested, in Kong's entity order; each item gets its
   primary key (given, or generated: :mod:`kongdao.declarative.ids`) and is registered by
   primary key and by unique endpoint key, which catches duplicates of both;
2. *validate*: each item is resolved (references by name or id, its parent's key when nested),
   processed and validated with its entity schema, and transformed;
3. *uniqueness*: unique fields and composite cache keys across the valid items;
4. every error found is reported in one :class:`~kongdao.errors.DeclarativeConfigError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from kongdao import errors
from kongdao.declarative import ids, paths
from kongdao.declarative.schemas import entity_schemas, topological_order
from kongdao.declarative.source import Source, copy_tree, read
from kongdao.errors import lua_pretty
from kongdao.plugins import PluginRef
from kongdao.schema import UNSET, Entity, EntitySchema, ShorthandError, TransformationFailed
from kongdao.schema.schema import lua_tostring

__all__ = ["DeclarativeConfig", "FORMAT_VERSIONS", "Parser", "reference_error", "uniqueness_error"]

FORMAT_VERSIONS: Final = ("1.1", "2.1", "3.0")
"""The ``_format_version`` values Kong 3 reads (older ones have their route paths migrated)."""

_MIGRATED_VERSIONS: Final = ("1.1", "2.1")
_EXPORT_VERSION: Final = "3.0"
_META_KEYS: Final = ("_format_version", "_transform", "_comment", "_ignore")
_NIL_UUID: Final = "00000000-0000-0000-0000-000000000000"

Path = tuple[Any, ...]


def uniqueness_error(entity: str, key: str, value: str) -> str:
    """Kong 3's ``uniqueness_error_msg``.

    ``uniqueness violation: 'services' entity with name set to 'x' already declared``.
    """
    return f"uniqueness violation: '{entity}' entity with {key} set to '{value}' already declared"


def reference_error(field: str, value: Any, entity: str) -> str:
    """Kong's message for a reference that matches nothing.

    ``invalid reference 'service: x' (no such entry in 'services')``; a reference that is not a
    string is shown as lua-cjson encodes it (``{"id":"..."}``).
    """
    shown = value if isinstance(value, str) else _cjson(value)
    return f"invalid reference '{field}: {shown}' (no such entry in '{entity}')"


def _cjson(value: Any) -> str:
    # lua-cjson: compact, and "/" escaped
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).replace(
        "/", "\\/"
    )


# ---------------------------------------------------------------------------------------------
# The error tree


def _merge(existing: Any, new: Any) -> Any:
    """Merge two error values found at the same place (dicts deep, messages collected)."""
    if existing is None:
        return new
    if isinstance(existing, dict) and isinstance(new, dict):
        for key, value in new.items():
            existing[key] = _merge(existing.get(key), value)
        return existing
    if isinstance(existing, dict):
        existing.setdefault("@entity", []).extend(new if isinstance(new, list) else [new])
        return existing
    if isinstance(new, dict):
        new.setdefault("@entity", [])[:0] = existing if isinstance(existing, list) else [existing]
        return new
    if isinstance(existing, list):
        existing.extend(new if isinstance(new, list) else [new])
        return existing
    return [existing, *(new if isinstance(new, list) else [new])]


class _Errors:
    """Kong's nested error table, built up from paths (1-based indexes for list items)."""

    def __init__(self) -> None:
        self.tree: dict[Any, Any] = {}

    def add(self, path: Path, error: Any) -> None:
        node = self.tree
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = _merge(child, {}) if child is not None else {}
                node[key] = child
            node = child
        node[path[-1]] = _merge(node.get(path[-1]), error)

    def __bool__(self) -> bool:
        return bool(self.tree)


# ---------------------------------------------------------------------------------------------
# The result


@attrs.frozen(eq=False)
class DeclarativeConfig:
    """A parsed declarative configuration: its entities, flattened, in dependency order.

    Attributes:
        entities: Entity name to the entities of that type, in Kong's entity order (each after
            the entities it references; only the types present). Each entity is a dict as a DAO
            insert would store it: defaults and generated values filled, foreign keys as
            ``{"id": ...}``, transformed unless :attr:`transform` is false. Load them with
            ``transform=False``: transformations have run already.
        format_version: The ``_format_version`` the file declared.
        meta: Kong's metadata of the file: its underscore keys (``_format_version``, which is
            ``"3.0"`` once older paths are migrated, ``_transform``, and ``_comment`` /
            ``_ignore`` when given).
        transform: Whether transformations ran (the file's ``_transform``, default true).
        schemas: The entity schemas the file was read with, by name.
    """

    entities: Mapping[str, list[dict[str, Any]]]
    format_version: str
    meta: Mapping[str, Any]
    transform: bool
    schemas: Mapping[str, EntitySchema] = attrs.field(repr=False)

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every entity as ``(entity name, entity)``, in dependency order."""
        for name, items in self.entities.items():
            for item in items:
                yield name, item

    def __len__(self) -> int:
        return sum(len(items) for items in self.entities.values())

    def dump(self) -> dict[str, Any]:
        """The configuration as Kong exports it (``db_export``): a ``"3.0"`` declarative dict.

        Like ``kong config db_export`` (Kong 3.9.3): ``_format_version: "3.0"`` and
        ``_transform: false`` (values are stored transformed), then one flat list per entity
        type that is exported (not ``tags``), in dependency order, foreign keys written as the
        referenced id, explicit nulls kept, route paths in the ``3.0`` syntax
        (:func:`kongdao.declarative.paths.to_format_path`). Parsing the result gives these
        entities back.

        Returns:
            A new dict, ready for ``json.dump`` or ``yaml.safe_dump``.
        """
        out: dict[str, Any] = {"_format_version": _EXPORT_VERSION, "_transform": False}
        for name, items in self.entities.items():
            schema = self.schemas[name]
            if not schema.db_export or not items:
                continue
            rows = []
            for item in items:
                # fields in the schema's order, then anything else kept (a credential's ttl)
                row = {n: copy_tree(item[n]) for n, _ in schema.fields if n in item}
                row.update((k, copy_tree(v)) for k, v in item.items() if k not in row)
                for fname, _ in schema.foreign_fields:
                    value = row.get(fname)
                    if isinstance(value, Mapping) and "id" in value:
                        row[fname] = value["id"]
                if name == "routes" and isinstance(row.get("paths"), list):
                    row["paths"] = [
                        paths.to_format_path(p) if isinstance(p, str) else p for p in row["paths"]
                    ]
                rows.append(row)
            out[name] = rows
        return out


# ---------------------------------------------------------------------------------------------
# The parser


@attrs.define(eq=False)
class _Node:
    """One entity of the file, where it is, and what became of it."""

    entity: str
    item: dict[str, Any]
    path: Path
    index: int
    parent: _Node | None
    child_key: str | None
    pk: dict[str, Any]
    generated: bool
    pk_string: str
    key: str | None  # its unique endpoint key's value, when given
    duplicate: bool = False
    flat: dict[str, Any] | None = None


class Parser:
    """Reads declarative configurations for one set of enabled plugins (Kong's ``new_config``).

    Building a parser assembles the entity schemas once; :meth:`parse` can then be called for
    any number of files.

    Args:
        plugins: The enabled plugins, as for :func:`kongdao.connect` (default: every bundled
            plugin). A plugin that is not enabled is refused in a file with Kong's message.
        entities: Extra entity classes, as for :func:`kongdao.connect`.

    Attributes:
        schemas: The entity schemas, by name.
        known_entities: The entity types a file may hold, in Kong's order (every schema but
            ``tags``).

    Raises:
        ValueError: An unknown plugin or an inconsistent set of entities.
    """

    def __init__(
        self,
        plugins: Iterable[PluginRef] | None = None,
        *,
        entities: Iterable[type[Entity]] = (),
    ) -> None:
        self.schemas: Mapping[str, EntitySchema] = entity_schemas(plugins, entities=entities)
        # tags are not entities of a declarative file (Kong skips them too), nor are
        # workspaces: a file is one workspace (Kong 2.8 refuses a `workspaces` key)
        self.known_entities: tuple[str, ...] = tuple(
            name for name in topological_order(self.schemas) if name not in ("tags", "workspaces")
        )
        known = set(self.known_entities)
        # parent entity -> {child entity nestable in it: the child's foreign field to it}
        self._children: dict[str, dict[str, str]] = {name: {} for name in self.known_entities}
        for child in self.known_entities:
            for fname, f in self.schemas[child].foreign_fields:
                parent = f.reference or ""
                if parent in known and child not in self.schemas[parent].field_map:
                    self._children[parent][child] = fname

    def children(self, entity: str) -> Mapping[str, str]:
        """The entity types that may be nested in ``entity``, each with its foreign field."""
        return self._children.get(entity, {})

    def parse(self, source: Source) -> DeclarativeConfig:
        """Read, validate and flatten a declarative configuration.

        Args:
            source: A path (:class:`os.PathLike`, or a one-line string ending in ``.json``,
                ``.yml`` or ``.yaml``), JSON or YAML text, or an already-loaded mapping (never
                modified).

        Returns:
            The configuration.

        Raises:
            DeclarativeConfigError: The configuration is invalid; ``fields`` holds every
                problem, in Kong's nested shape.
            OSError: The file cannot be read.
        """
        try:
            return _Flattener(self, read(source)).run()
        except RecursionError:
            raise errors.declarative_config(
                {"error": "failed parsing declarative configuration: nesting too deep"}
            ) from None


class _Flattener:
    """One run of :meth:`Parser.parse` over one configuration."""

    def __init__(self, parser: Parser, table: dict[str, Any]) -> None:
        self.parser = parser
        self.schemas = parser.schemas
        self.table = table
        self.errors = _Errors()
        self.nodes: dict[str, list[_Node]] = {name: [] for name in parser.known_entities}
        self.by_id: dict[str, dict[str, _Node]] = {name: {} for name in parser.known_entities}
        self.by_key: dict[str, dict[str, _Node]] = {name: {} for name in parser.known_entities}
        self.transform = True

    # -- the passes ---------------------------------------------------------------------------

    def run(self) -> DeclarativeConfig:
        table = self.table
        declared = table.get("_format_version")
        if declared in _MIGRATED_VERSIONS:
            self._migrate_paths(table)
            table["_format_version"] = _EXPORT_VERSION
        self._check_top_level(table)
        self._walk(table, None, ())
        for name in self.parser.known_entities:
            for node in self.nodes[name]:
                self._validate(node)
        self._check_unique_values()
        if self.errors:
            raise errors.declarative_config(self.errors.tree)

        entities = {
            name: [node.flat for node in nodes if node.flat is not None]
            for name, nodes in self.nodes.items()
            if nodes
        }
        meta: dict[str, Any] = {k: table[k] for k in _META_KEYS if k in table}
        meta["_transform"] = self.transform
        return DeclarativeConfig(
            entities=entities,
            format_version=str(declared),
            meta=meta,
            transform=self.transform,
            schemas=self.schemas,
        )

    def _migrate_paths(self, container: Mapping[str, Any]) -> None:
        # Kong 3 migrates the routes at the top level and in top-level services; kongdao those
        # at any depth (routes nested in services nested in certificates too)
        for entity, value in container.items():
            if entity not in self.parser.known_entities or not isinstance(value, list):
                continue
            for item in value:
                if not isinstance(item, dict):
                    continue
                if entity == "routes" and isinstance(item.get("paths"), list):
                    item["paths"] = [
                        paths.migrate_path(p) if isinstance(p, str) else p for p in item["paths"]
                    ]
                self._migrate_paths(item)

    def _check_top_level(self, table: Mapping[str, Any]) -> None:
        known = self.parser.known_entities
        version = table.get("_format_version", UNSET)
        if version is UNSET or version is None:
            self.errors.add(("_format_version",), "required field missing")
        elif not isinstance(version, str):
            self.errors.add(("_format_version",), "expected a string")
        elif version not in FORMAT_VERSIONS:
            self.errors.add(("_format_version",), "expected one of: " + ", ".join(FORMAT_VERSIONS))
        transform = table.get("_transform")
        if transform is not None and not isinstance(transform, bool):
            self.errors.add(("_transform",), "expected a boolean")
        elif transform is False:
            self.transform = False
        self._check_extras(table, ())
        for key in table:
            if key not in _META_KEYS and key not in known:
                self.errors.add((key,), "unknown field")

    def _check_extras(self, item: Mapping[str, Any], path: Path) -> None:
        comment = item.get("_comment")
        if comment is not None and not isinstance(comment, str):
            self.errors.add((*path, "_comment"), "expected a string")
        ignore = item.get("_ignore")
        if ignore is not None and not isinstance(ignore, list):
            self.errors.add((*path, "_ignore"), "expected an array")

    def _walk(self, container: dict[str, Any], parent: _Node | None, path: Path) -> None:
        # Kong's populate_references: entity types in order; an item's children before itself
        nestable = (
            self.parser.known_entities if parent is None else self.parser.children(parent.entity)
        )
        for entity in self.parser.known_entities:
            if entity not in nestable:
                continue
            value = container.get(entity)
            if value is None:
                continue
            if not isinstance(value, list):
                self.errors.add((*path, entity), "expected an array")
                continue
            for index, item in enumerate(value, 1):
                item_path = (*path, entity, index)
                if not isinstance(item, dict):
                    self.errors.add(item_path, "expected a record")
                    continue
                node = self._new_node(entity, item, item_path, index, parent)
                self._walk(item, node, item_path)
                self._register(node)

    def _new_node(
        self, entity: str, item: dict[str, Any], path: Path, index: int, parent: _Node | None
    ) -> _Node:
        schema = self.schemas[entity]
        child_key = None if parent is None else self.parser.children(parent.entity)[entity]
        pk = {k: item[k] for k in schema.primary_key if item.get(k) is not None}
        generated = False
        if len(pk) < len(schema.primary_key) and len(schema.primary_key) == 1:
            key = ids.kong_key(
                schema,
                item,
                self.schemas,
                parent_pk=None if parent is None else parent.pk,
                child_key=child_key,
            )
            if key is None and schema.field_map[schema.primary_key[0]].uuid:
                where = None if parent is None else (parent.entity, parent.pk_string)
                key = ids.position_key(index, where)
            if key is not None:
                pk = {schema.primary_key[0]: ids.generate_id(entity, key)}
                generated = True
        pk_string = ":".join(_pk_part(pk.get(k)) for k in schema.primary_key)

        endpoint_key = schema.endpoint_key
        key_value = None
        if endpoint_key is not None and schema.field_map[endpoint_key].unique:
            value = item.get(endpoint_key)
            if isinstance(value, str):
                key_value = value
        return _Node(
            entity=entity,
            item=item,
            path=path,
            index=index,
            parent=parent,
            child_key=child_key,
            pk=pk,
            generated=generated,
            pk_string=pk_string,
            key=key_value,
        )

    def _register(self, node: _Node) -> None:
        entity = node.entity
        self.nodes[entity].append(node)
        if node.key is not None:
            if node.key in self.by_key[entity]:
                endpoint_key = self.schemas[entity].endpoint_key or ""
                self.errors.add(node.path, uniqueness_error(entity, endpoint_key, node.key))
                node.duplicate = True
            else:
                self.by_key[entity][node.key] = node
        if node.pk_string in self.by_id[entity]:
            if not node.duplicate:
                self.errors.add(node.path, uniqueness_error(entity, "primary key", node.pk_string))
                node.duplicate = True
        else:
            self.by_id[entity][node.pk_string] = node

    def _find(self, entity: str, reference: Any) -> _Node | None:
        key = reference.get("id", reference) if isinstance(reference, Mapping) else reference
        if not isinstance(key, str):
            return None
        return self.by_key[entity].get(key) or self.by_id[entity].get(key)

    def _error_key(self, node: _Node) -> str:
        # Kong 3's `key or item_id`: reference errors are keyed by name, else by primary key
        return node.key if node.key is not None else node.pk_string

    def _validate(self, node: _Node) -> None:
        schema = self.schemas[node.entity]
        children = self.parser.children(node.entity)
        self._check_extras(node.item, node.path)
        candidate = {
            k: v
            for k, v in node.item.items()
            if k not in children and k not in ("_comment", "_ignore")
        }

        for fname, f in schema.foreign_fields:
            target = f.reference or ""
            if target not in self.schemas:
                continue
            value = candidate.get(fname)
            if fname == node.child_key and node.parent is not None:
                # nested: the parent is the reference; one written anyway must exist (Kong 3)
                if value is not None and self._find(target, value) is None:
                    self._reference_error(node, fname, value, target)
                candidate[fname] = dict(node.parent.pk)
            elif isinstance(value, str | Mapping):
                found = self._find(target, value)
                if found is None:
                    self._reference_error(node, fname, value, target)
                    found_pk: dict[str, Any] = dict.fromkeys(
                        self.schemas[target].primary_key, _NIL_UUID
                    )
                else:
                    found_pk = dict(found.pk)
                candidate[fname] = found_pk
        if node.generated:
            candidate.update(node.pk)

        path_errors: dict[int, str] = {}
        if node.entity == "routes":
            path_errors = self._convert_paths(candidate)

        try:
            processed = schema.process_auto_fields(candidate, "insert")
        except ShorthandError as exc:
            self.errors.add(node.path, exc.errors)
            return
        errs = schema.validate_insert(processed, candidate) or {}
        if path_errors:
            existing = errs.get("paths")
            if isinstance(existing, dict):
                errs["paths"] = {**path_errors, **existing}
            elif existing is None:
                errs["paths"] = path_errors
        if errs:
            self.errors.add(node.path, errs)
            return
        if self.transform:
            try:
                processed = schema.transform(processed, candidate, "insert")
            except TransformationFailed as exc:
                self.errors.add(node.path, {"@entity": [str(exc)]})
                return
        node.flat = processed

    def _convert_paths(self, route: dict[str, Any]) -> dict[int, str]:
        """Check ``3.0`` paths as Kong 3 does and store them in Kong 2.8's form."""
        value = route.get("paths")
        if not isinstance(value, list):
            return {}
        errs: dict[int, str] = {}
        converted: list[Any] = []
        for index, path in enumerate(value, 1):
            if not isinstance(path, str):
                converted.append(path)
                continue
            err = paths.router_path_error(path)
            if err is None:
                converted.append(paths.to_stored_path(path))
            else:
                errs[index] = err
                converted.append("/")  # reported above; stands in for the schema's checks
        route["paths"] = converted
        return errs

    def _reference_error(self, node: _Node, fname: str, value: Any, target: str) -> None:
        self.errors.add(
            (node.entity, self._error_key(node)), [reference_error(fname, value, target)]
        )

    def _check_unique_values(self) -> None:
        # Kong 3's flatten: unique fields across the file; kongdao adds composite cache keys,
        # which a database refuses the same way (UNIQUE violation on cache_key)
        for entity, nodes in self.nodes.items():
            schema = self.schemas[entity]
            endpoint_key = schema.endpoint_key
            checked = [
                (fname, f) for fname, f in schema.fields if f.unique and fname != endpoint_key
            ]
            seen: dict[str, set[Any]] = {fname: set() for fname, _ in checked}
            seen_cache_keys: set[str] = set()
            for node in nodes:
                flat = node.flat
                if flat is None or node.duplicate:
                    continue
                for fname, f in checked:
                    value = flat.get(fname)
                    if value is None:
                        continue
                    if f.type == "foreign" and isinstance(value, Mapping):
                        value = value.get("id")
                    marker = _hashable(value)
                    if marker in seen[fname]:
                        self._unique_error(
                            node, uniqueness_error(entity, fname, lua_tostring(value))
                        )
                    else:
                        seen[fname].add(marker)
                if schema.composite_cache_key:
                    assert schema.cache_key is not None
                    cache_key = lua_pretty({k: flat.get(k) for k in schema.cache_key})
                    if cache_key in seen_cache_keys:
                        self._unique_error(node, uniqueness_error(entity, "cache_key", cache_key))
                    else:
                        seen_cache_keys.add(cache_key)

    def _unique_error(self, node: _Node, message: str) -> None:
        schema = self.schemas[node.entity]
        flat = node.flat or {}
        value = flat.get(schema.endpoint_key) if schema.endpoint_key else None
        at = value if isinstance(value, str) else node.pk_string
        self.errors.add((node.entity, at), message)


def _pk_part(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("id")
    return lua_tostring(value) if value is not None else ""


def _hashable(value: Any) -> Any:
    return _cjson(value) if isinstance(value, Mapping | list) else value
