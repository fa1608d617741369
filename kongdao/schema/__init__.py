"""Kong's schema language on attrs: fields, entity checks, entities and the validation engine.

The pieces:

* :class:`Field` (:mod:`kongdao.schema.fields`): one field definition with Kong's attributes;
* :mod:`kongdao.schema.checks`: entity checks (``at_least_one_of``, ``conditional``, ...);
* :class:`Schema` (:mod:`kongdao.schema.schema`): validation, defaults, merge, transformations;
* :func:`entity` / :class:`Entity` / :class:`EntitySchema` (:mod:`kongdao.schema.entity`):
  typed entity classes and their schemas;
* :mod:`kongdao.schema.typedefs`: Kong's reusable field definitions;
* :func:`kongdao.schema.lua.lua_pattern`: Kong's Lua patterns as Python regular expressions.
"""

from kongdao.schema import checks
from kongdao.schema.entity import (
    FIELD_KEY,
    VIRTUAL_KEY,
    Entity,
    EntitySchema,
    catalog,
    entity,
    field,
    schema_of,
    virtual,
)
from kongdao.schema.fields import UNSET, Field, MatchAny, Pattern, Ref, UnsetType
from kongdao.schema.schema import (
    MESSAGES,
    Errors,
    Schema,
    Shorthand,
    ShorthandError,
    Transformation,
    TransformationFailed,
)

__all__ = [
    "FIELD_KEY",
    "MESSAGES",
    "UNSET",
    "VIRTUAL_KEY",
    "Entity",
    "EntitySchema",
    "Errors",
    "Field",
    "MatchAny",
    "Pattern",
    "Ref",
    "Schema",
    "Shorthand",
    "ShorthandError",
    "Transformation",
    "TransformationFailed",
    "UnsetType",
    "catalog",
    "checks",
    "entity",
    "field",
    "schema_of",
    "virtual",
]
