"""Entities: attrs classes whose fields carry Kong field definitions.

An entity is declared once, as a frozen attrs class decorated with :func:`entity`::

    @entity("consumers", endpoint_key="username", workspaceable=True,
            entity_checks=[checks.at_least_one_of("custom_id", "username")])
    class Consumer(Entity):
        id: str = field(typedefs.uuid())
        created_at: int = field(typedefs.auto_timestamp_s())
        username: str | None = field(Field(type="string", unique=True))
        custom_id: str | None = field(Field(type="string", unique=True))
        tags: list[str] | None = field(typedefs.tags())

The decorator builds the immutable :class:`EntitySchema` (Kong's ``Entity.new``: records default
to required, schema attributes are checked) and a cattrs converter that turns processed dicts into
instances and back, generated once per class. Entities are typed (``svc.host`` is a ``str``) and
immutable; ``entity.to_dict()`` gives the JSON-like dict Kong's Admin API would show.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar, cast, dataclass_transform

import attrs

from kongdao import errors
from kongdao.schema.checks import EntityCheck
from kongdao.schema.fields import UNSET, Field
from kongdao.schema.schema import Schema, Shorthand, ShorthandError, Transformation

__all__ = [
    "FIELD_KEY",
    "VIRTUAL_KEY",
    "Entity",
    "EntitySchema",
    "catalog",
    "entity",
    "entity_cache_key",
    "field",
    "schema_of",
    "virtual",
]

FIELD_KEY = "kongdao.field"
"""attrs metadata key holding an attribute's :class:`~kongdao.schema.Field`."""
VIRTUAL_KEY = "kongdao.virtual"
"""attrs metadata key marking a virtual attribute (not a Kong field, e.g. the remaining ``ttl``)."""

E = TypeVar("E", bound="Entity")

catalog: dict[str, EntitySchema] = {}
"""Every entity schema declared in this process, by name: how ``foreign`` fields find the
schema they reference (Kong keeps the same table). The DB decides which entities it serves."""


def _opt_names(value: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen(kw_only=True, eq=False)
class EntitySchema(Schema):
    """The schema of an entity: fields and rules plus what the database layer needs.

    Args:
        primary_key: the primary key fields (Kong: ``{"id"}``; tags: ``{"tag"}``).
        endpoint_key: an alternate identifier with ``*_by_`` methods even if not unique.
        cache_key: the fields of the cache key; several fields make a stored, unique column.
        workspaceable: rows belong to a workspace; uniqueness is per workspace.
        db_export: included in declarative exports.
        admin_api_name: the Admin API's name for the collection (``key-auths``).
        admin_api_nested_name: the nested name (``key-auth``).
        generate_admin_api: whether Kong generates Admin API endpoints.
        entity_class: the attrs class of the entity's instances.
    """

    endpoint_key: str | None = None
    cache_key: tuple[str, ...] | None = attrs.field(default=None, converter=_opt_names)
    workspaceable: bool = False
    db_export: bool = True
    admin_api_name: str | None = None
    admin_api_nested_name: str | None = None
    generate_admin_api: bool = True
    entity_class: type[Entity] | None = None

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.name:
            raise ValueError("an entity needs a name")
        if not self.primary_key:
            raise ValueError(f"entity {self.name!r} needs a primary key")
        for k in self.primary_key:
            if k not in self.field_map:
                raise ValueError(f"primary key {k!r} of {self.name!r} is not a field")
        if self.endpoint_key is not None and self.endpoint_key not in self.field_map:
            raise ValueError(f"endpoint_key {self.endpoint_key!r} of {self.name!r} is not a field")
        if self.cache_key is not None:
            for k in self.cache_key:
                if k not in self.field_map:
                    raise ValueError(f"cache_key {k!r} of {self.name!r} is not a field")
            if len(self.cache_key) == 1 and not self.field_map[self.cache_key[0]].unique:
                raise ValueError("a field used as a single cache key must be unique")
        for fname, f in self.fields:
            if (
                f.type == "map"
                and not f.abstract
                and f.keys is not None
                and f.keys.type != "string"
            ):
                raise ValueError(f"{fname}: Entities map keys must be strings.")

    # -- derived facts, computed once ---------------------------------------------------------

    @property
    def unique_fields(self) -> tuple[str, ...]:
        """Fields with ``*_by_`` methods: unique ones and the endpoint key, in field order."""
        return tuple(n for n, f in self.fields if f.unique or n == self.endpoint_key)

    @property
    def foreign_fields(self) -> tuple[tuple[str, Field], ...]:
        """The ``foreign`` fields, in order."""
        return tuple((n, f) for n, f in self.fields if f.type == "foreign")

    @property
    def composite_cache_key(self) -> bool:
        """Whether the cache key spans several fields (and is then stored in its own column)."""
        return self.cache_key is not None and len(self.cache_key) > 1

    def with_subschemas(self, subschemas: Mapping[str, Schema]) -> EntitySchema:
        """A copy of this schema serving exactly these subschemas (e.g. the enabled plugins)."""
        copy = attrs.evolve(self, subschemas={})
        for key, sub in subschemas.items():
            copy.new_subschema(key, sub)
        return copy

    def new_subschema(self, key: str, definition: Schema) -> None:
        """Register a subschema; its records default to required (Kong's Entity.new_subschema)."""
        fields = tuple((n, _records_required(f)) for n, f in definition.fields)
        if fields != definition.fields:
            definition = attrs.evolve(definition, fields=fields)
        super().new_subschema(key, definition)

    def validate_input(self, data: Any, context: str = "insert") -> dict[str, Any]:
        """Process and validate input as a DAO write would, without a database.

        ``insert`` and ``upsert`` validate a complete entity; ``update`` a partial one.
        Foreign keys are only checked for shape (no lookup).

        Returns:
            the processed entity (defaults and auto fields filled).

        Raises:
            TypeError: ``data`` is not a mapping (``entity must be a table``).
            SchemaViolation: the input is invalid; ``fields`` says why.
        """
        if not isinstance(data, Mapping):
            raise TypeError("entity must be a table")
        if context not in ("insert", "upsert", "update"):
            raise ValueError(f"invalid context {context!r}")
        try:
            processed = self.process_auto_fields(data, context)  # type: ignore[arg-type]
        except ShorthandError as exc:
            raise errors.schema_violation(exc.errors) from None
        if context == "update":
            errs = self.validate_update(processed, data)
        else:
            errs = self.validate(processed, True, data)
        if errs:
            raise errors.schema_violation(errs)
        return processed

    def to_entity(self, data: Mapping[str, Any]) -> Entity:
        """Build the typed instance from a processed dict (absent fields become ``None``)."""
        if self.entity_class is None:
            raise TypeError(f"entity {self.name!r} has no class")
        return _structure(self.entity_class, data)


def _records_required(f: Field) -> Field:
    """Kong's make_records_required: records whose ``required`` is unsaid become required."""
    if f.type != "record" or f.abstract:
        return f
    changes: dict[str, Any] = {}
    if f.required is None:
        changes["required"] = True
    if f.fields:
        sub = tuple((n, _records_required(sf)) for n, sf in f.fields)
        if any(a is not b for (_, a), (_, b) in zip(sub, f.fields, strict=True)):
            changes["fields"] = sub
    return f.evolve(**changes) if changes else f


def field(kong_field: Field, *, repr: bool = True) -> Any:
    """Declare an entity attribute backed by a Kong field definition.

    Args:
        kong_field: the field's definition.
        repr: include the value in the instance's repr (set ``False`` for secrets).

    Returns:
        an attrs field (default ``None``) carrying ``kong_field`` in its metadata.
    """
    return attrs.field(default=None, repr=repr, metadata={FIELD_KEY: kong_field})


def virtual() -> Any:
    """Declare a virtual attribute: read back from the database but not a Kong field (``ttl``)."""
    return attrs.field(default=None, metadata={VIRTUAL_KEY: True})


class Entity:
    """Base class of typed entities: immutable, comparable, convertible to dicts.

    .. versionadded:: 0.1
    """

    __slots__ = ()
    __kongdao_schema__: ClassVar[EntitySchema]

    @property
    def ws_id(self) -> str | None:
        """The id of the entity's workspace when read with ``show_ws_id=True``, else ``None``.

        Workspaceable entity classes hold it in a slot of their own (which takes over this
        property); other entities belong to no workspace.
        """
        return None

    def to_dict(self, *, nulls: bool = False) -> dict[str, Any]:
        """The entity as a JSON-like dict; ``None`` values are left out unless ``nulls``.

        ``ws_id`` is only there when it was asked for (``show_ws_id=True``), even with ``nulls``.
        """
        data = _unstructure(self)
        if nulls:
            if data.get("ws_id", 0) is None:
                del data["ws_id"]
            return data
        return {k: v for k, v in data.items() if v is not None}

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` when the entity has no such field."""
        return getattr(self, key, default)

    def evolve(self: E, **changes: Any) -> E:
        """A copy with some attributes changed (no validation: use the DAO to write)."""
        return attrs.evolve(self, **changes)  # type: ignore[misc]


def schema_of(obj: type[Entity] | Entity) -> EntitySchema:
    """The :class:`EntitySchema` of an entity class or instance."""
    cls = obj if isinstance(obj, type) else type(obj)
    try:
        return cls.__kongdao_schema__
    except AttributeError:
        raise TypeError(f"{cls.__name__} is not a kongdao entity") from None


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field, virtual))
def entity(
    name: str,
    *,
    primary_key: Sequence[str] = ("id",),
    endpoint_key: str | None = None,
    cache_key: Sequence[str] | None = None,
    ttl: bool = False,
    workspaceable: bool = False,
    entity_checks: Sequence[EntityCheck] = (),
    shorthand_fields: Sequence[Shorthand] = (),
    transformations: Sequence[Transformation] = (),
    subschema_key: str | None = None,
    subschema_error: str | None = None,
    db_export: bool = True,
    admin_api_name: str | None = None,
    admin_api_nested_name: str | None = None,
    generate_admin_api: bool = True,
) -> Callable[[type[E]], type[E]]:
    """Class decorator declaring an entity; see the module docstring for an example.

    The class becomes a frozen, slotted attrs class; every attribute must be declared with
    :func:`field` (a Kong field) or :func:`virtual`. Schema-level options are Kong's.

    Raises:
        ValueError: when the definition breaks a rule of Kong's metaschema.
        TypeError: when an attribute is neither a field nor virtual.
    """

    def wrap(cls: type[E]) -> type[E]:
        if not issubclass(cls, Entity):
            raise TypeError(f"{cls.__name__} must subclass kongdao.schema.Entity")
        own = inspect.get_annotations(cls)
        if workspaceable and "ws_id" not in own:
            # the workspace id, shown only with show_ws_id=True (None otherwise)
            cls.__annotations__ = {**own, "ws_id": "str | None"}
            type.__setattr__(
                cls, "ws_id", attrs.field(default=None, repr=False, metadata={VIRTUAL_KEY: True})
            )
        new_cls = attrs.frozen(cls, kw_only=True, eq=True, slots=True)
        kong_fields: list[tuple[str, Field]] = []
        has_ttl = False
        for a in attrs.fields(cast("type[attrs.AttrsInstance]", new_cls)):
            if FIELD_KEY in a.metadata:
                kong_fields.append((a.name, _records_required(a.metadata[FIELD_KEY])))
            elif VIRTUAL_KEY in a.metadata:
                has_ttl = has_ttl or a.name == "ttl"
            else:
                raise TypeError(
                    f"{cls.__name__}.{a.name}: declare entity attributes with field() or virtual()"
                )
        if ttl and not has_ttl and all(n != "ttl" for n, _ in kong_fields):
            # (a Kong field named ttl is the metaschema's error, raised by the schema)
            raise TypeError(f"{cls.__name__}: a ttl entity declares `ttl: int | None = virtual()`")
        schema = EntitySchema(
            name=name,
            fields=kong_fields,
            primary_key=tuple(primary_key),
            endpoint_key=endpoint_key,
            cache_key=cache_key,
            ttl=ttl,
            workspaceable=workspaceable,
            entity_checks=tuple(entity_checks),
            shorthand_fields=tuple(shorthand_fields),
            transformations=tuple(transformations),
            subschema_key=subschema_key,
            subschema_error=subschema_error,
            db_export=db_export,
            admin_api_name=admin_api_name,
            admin_api_nested_name=admin_api_nested_name,
            generate_admin_api=generate_admin_api,
            entity_class=new_cls,
        )
        type.__setattr__(new_cls, "__kongdao_schema__", schema)
        catalog[name] = schema
        return new_cls

    return wrap


# The converter lives in its own module; these two names are bound lazily to avoid a cycle.
def _structure(cls: type[Entity], data: Mapping[str, Any]) -> Entity:
    from kongdao.schema.converter import structure

    return structure(cls, data)


def _unstructure(obj: Entity) -> dict[str, Any]:
    from kongdao.schema.converter import unstructure

    return unstructure(obj)


def _cache_key_part(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def entity_cache_key(
    schema: EntitySchema, data: Mapping[str, Any], ws_id: str | None = None
) -> str:
    """Kong's ``cache_key(entity)``: ``"<entity>:a:b:c:d:e:<ws_id>"`` from an entity's values.

    The ``cache_key`` fields (or the primary key) in order, foreign keys by their ``id``,
    absent and null values empty, padded to five values; the last segment is the workspace id
    for workspaceable schemas (``ws_id``; empty when ``None``) and empty for the others. What
    ``DAO.cache_key(entity)`` returns and what the connectors store in the ``cache_key`` column
    of entities with a composite cache key (so that it is unique per workspace).
    """
    parts = [schema.name or ""]
    for name in schema.cache_key or schema.primary_key:
        value = data.get(name)
        if value is None or value is UNSET:
            parts.append("")
        elif schema.field_map[name].type == "foreign":
            parts.append(str(value.get("id", "")) if isinstance(value, Mapping) else "")
        else:
            parts.append(_cache_key_part(value))
    parts += [""] * (6 - len(parts))
    parts.append((ws_id or "") if schema.workspaceable else "")
    return ":".join(parts)
