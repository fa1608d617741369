"""The cattrs converter between processed dicts and typed entity instances.

Values reaching :func:`structure` have already been processed and validated by the schema, so
the generated hooks do no type coercion except turning foreign keys into
:class:`~kongdao.schema.fields.Ref`; everything else is passed through. The hooks are generated
by cattrs once per entity class, the first time it is converted, and cached.

Rules:

* a key missing from the dict gives ``None`` on the instance (entities do not keep "absent");
* a ``foreign`` field becomes a :class:`Ref` (``{"id": ...}``), and back to a dict;
* lists and dicts are kept as they are (JSON-like values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from kongdao.schema.entity import FIELD_KEY, Entity
from kongdao.schema.fields import Ref

__all__ = ["make_converter", "structure", "unstructure"]


def _identity(value: Any, _type: Any = None) -> Any:
    return value


def _to_ref(value: Any, _type: Any = None) -> Ref | None:
    if value is None or isinstance(value, Ref):
        return value
    return Ref(value)


def _from_ref(value: Any) -> Any:
    return value.to_dict() if isinstance(value, Ref) else value


def configure_converter(converter: cattrs.Converter) -> None:
    """Register kongdao's hooks on ``converter`` (cattrs "preconf" style).

    Entity classes get generated dict hooks in which foreign fields convert through
    :class:`Ref` and every other attribute is passed through unchanged.
    """

    def structure_factory(cls: type[Entity]) -> Callable[[Mapping[str, Any], Any], Entity]:
        overrides = {
            a.name: override(struct_hook=_to_ref if _is_foreign(a) else _identity)
            for a in _attributes(cls)
        }
        return make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]

    def unstructure_factory(cls: type[Entity]) -> Callable[[Entity], dict[str, Any]]:
        overrides = {
            a.name: override(unstruct_hook=_from_ref if _is_foreign(a) else _identity)
            for a in _attributes(cls)
        }
        return make_dict_unstructure_fn(cls, converter, **overrides)  # type: ignore[arg-type]

    def is_entity(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, Entity) and attrs.has(t)

    converter.register_structure_hook_factory(is_entity, structure_factory)
    converter.register_unstructure_hook_factory(is_entity, unstructure_factory)


def _attributes(cls: type[Entity]) -> tuple[attrs.Attribute[Any], ...]:
    return tuple(attrs.fields(cast("type[attrs.AttrsInstance]", cls)))


def _is_foreign(a: attrs.Attribute[Any]) -> bool:
    f = a.metadata.get(FIELD_KEY)
    return f is not None and f.type == "foreign"


def make_converter() -> cattrs.Converter:
    """A new cattrs converter configured for kongdao entities."""
    converter = cattrs.Converter()
    configure_converter(converter)
    return converter


_converter = make_converter()
_structure_fns: dict[type[Any], Callable[[Mapping[str, Any], Any], Any]] = {}
_unstructure_fns: dict[type[Any], Callable[[Any], dict[str, Any]]] = {}


def structure(cls: type[Entity], data: Mapping[str, Any]) -> Entity:
    """Build an instance of ``cls`` from a processed dict."""
    fn = _structure_fns.get(cls)
    if fn is None:
        fn = _converter.get_structure_hook(cls)
        _structure_fns[cls] = fn
    return fn(data, cls)  # type: ignore[no-any-return]


def unstructure(obj: Entity) -> dict[str, Any]:
    """The dict of every attribute of an entity (``None`` included)."""
    cls = type(obj)
    fn = _unstructure_fns.get(cls)
    if fn is None:
        fn = _converter.get_unstructure_hook(cls)
        _unstructure_fns[cls] = fn
    return fn(obj)
