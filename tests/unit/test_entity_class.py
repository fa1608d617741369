"""The ``@entity`` decorator: typed, immutable entities and their schemas.

Kong's ``kong/db/schema/entity.lua`` (records required by default, string map keys) and the
metaschema rules of ``kong/db/schema/metaschema.lua`` that apply to entity definitions, plus
kongdao's own contract: typed instances, ``to_dict``, :class:`Ref` for foreign keys and the
cattrs round trip between processed dicts and instances.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kongdao.schema import (
    Entity,
    EntitySchema,
    Field,
    Ref,
    Schema,
    catalog,
    checks,
    entity,
    field,
    schema_of,
    virtual,
)

STR = Field(type="string")
UUID = Field(type="string", uuid=True, auto=True)
ID = "cbb297c0-a956-486d-ad1d-f9b42df9465a"


@entity("t_ec_services", endpoint_key="name", workspaceable=True)
class Service(Entity):
    id: str = field(UUID)
    created_at: int = field(Field(type="integer", timestamp=True, auto=True))
    name: str | None = field(Field(type="string", unique=True))
    host: str = field(Field(type="string", required=True))
    port: int = field(Field(type="integer", required=True, default=80, between=(0, 65535)))
    tags: list[str] | None = field(Field(type="set", elements=STR))


@entity(
    "t_ec_routes",
    ttl=True,
    cache_key=["name", "service"],
    entity_checks=[checks.at_least_one_of("hosts", "paths")],
)
class Route(Entity):
    id: str = field(UUID)
    name: str | None = field(Field(type="string", unique=True))
    hosts: list[str] | None = field(Field(type="array", elements=STR))
    paths: list[str] | None = field(Field(type="array", elements=STR))
    service: Ref | None = field(Field(type="foreign", reference="t_ec_services"))
    secret: str | None = field(Field(type="string"), repr=False)
    ttl: int | None = virtual()


# --------------------------------------------------------------------------------------------
# the class and its schema


def test_the_schema_is_registered_and_reachable() -> None:
    s = schema_of(Service)
    assert isinstance(s, EntitySchema)
    assert s is schema_of(Service(host="h"))
    assert catalog["t_ec_services"] is s
    assert s.name == "t_ec_services"
    assert s.entity_class is Service
    assert [n for n, _ in s.fields] == ["id", "created_at", "name", "host", "port", "tags"]
    assert s.primary_key == ("id",)
    assert s.endpoint_key == "name"
    assert s.workspaceable


def test_derived_facts() -> None:
    svc, route = schema_of(Service), schema_of(Route)
    assert svc.unique_fields == ("name",)
    assert route.unique_fields == ("name",)
    assert [n for n, _ in route.foreign_fields] == ["service"]
    assert route.composite_cache_key
    assert not svc.composite_cache_key
    assert route.ttl
    assert "ttl" not in route.field_map


@pytest.mark.parametrize("obj", [object(), object, Schema(fields={}), 1])
def test_schema_of_a_non_entity_is_a_type_error(obj: Any) -> None:
    with pytest.raises(TypeError, match="is not a kongdao entity"):
        schema_of(obj)


def test_schema_of_a_plain_entity_subclass_is_a_type_error() -> None:
    class NotDecorated(Entity):
        __slots__ = ()

    with pytest.raises(TypeError, match="NotDecorated is not a kongdao entity"):
        schema_of(NotDecorated)


# --------------------------------------------------------------------------------------------
# typed instances


def test_instances_are_typed_and_default_to_none() -> None:
    svc = Service(host="example.com", port=8080, tags=["a"])
    assert svc.host == "example.com"
    assert svc.port == 8080
    assert svc.tags == ["a"]
    assert svc.id is None
    assert svc["host"] == "example.com"
    assert svc.get("port") == 8080
    assert svc.get("nope", 5) == 5
    with pytest.raises(KeyError):
        svc["nope"]


def test_instances_take_keywords_only() -> None:
    with pytest.raises(TypeError):
        Service("example.com")  # type: ignore[misc]
    with pytest.raises(TypeError):
        Service(nope=1)  # type: ignore[call-arg]


def test_instances_are_immutable() -> None:
    svc = Service(host="example.com")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        svc.host = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        svc.extra = 1  # type: ignore[attr-defined]
    changed = svc.evolve(host="other")
    assert changed.host == "other"
    assert svc.host == "example.com"
    assert type(changed) is Service


def test_instances_compare_by_value() -> None:
    assert Service(host="a", port=1) == Service(host="a", port=1)
    assert Service(host="a", port=1) != Service(host="a", port=2)


def test_repr_hides_secrets() -> None:
    r = Route(name="r", secret="s3cr3t")
    assert "s3cr3t" not in repr(r)
    assert "name='r'" in repr(r)


def test_to_dict_with_and_without_nulls() -> None:
    svc = Service(id="x", host="example.com", port=80)
    assert svc.to_dict() == {"id": "x", "host": "example.com", "port": 80}
    assert svc.to_dict(nulls=True) == {
        "id": "x",
        "created_at": None,
        "name": None,
        "host": "example.com",
        "port": 80,
        "tags": None,
    }
    # falsy values are not nulls
    assert Service(host="", port=0, tags=[]).to_dict() == {"host": "", "port": 0, "tags": []}


def test_to_dict_of_a_ttl_entity_includes_the_virtual_ttl() -> None:
    r = Route(id="x", ttl=10)
    assert r.to_dict() == {"id": "x", "ttl": 10}
    assert r.to_dict(nulls=True)["ttl"] == 10
    assert Route(id="x").to_dict(nulls=True)["ttl"] is None


# --------------------------------------------------------------------------------------------
# Ref: foreign keys


def test_foreign_keys_become_refs() -> None:
    route = schema_of(Route).to_entity({"id": "r", "service": {"id": "s"}})
    assert isinstance(route, Route)
    assert isinstance(route.service, Ref)
    assert route.service.id == "s"
    assert route.service["id"] == "s"
    assert route.service == {"id": "s"}
    assert route.service == Ref({"id": "s"})
    assert route.service != {"id": "t"}
    # back to a plain dict
    out = route.to_dict()
    assert out == {"id": "r", "service": {"id": "s"}}
    assert type(out["service"]) is dict


def test_a_null_foreign_key_stays_none() -> None:
    route = schema_of(Route).to_entity({"id": "r", "service": None})
    assert route.service is None
    assert route.to_dict(nulls=True)["service"] is None


def test_ref_behaves_as_an_immutable_mapping() -> None:
    ref = Ref({"id": "a"})
    assert dict(ref) == {"id": "a"}
    assert list(ref) == ["id"]
    assert len(ref) == 1
    assert ref.to_dict() == {"id": "a"}
    assert hash(ref) == hash(Ref({"id": "a"}))
    assert {ref: 1}[Ref({"id": "a"})] == 1
    assert repr(ref) == "Ref({'id': 'a'})"
    with pytest.raises(AttributeError):
        ref.id = "b"
    with pytest.raises(AttributeError):
        _ = ref.nope
    with pytest.raises(KeyError):
        ref["nope"]
    assert pickle.loads(pickle.dumps(ref)) == ref
    # the Ref keeps its own copy
    pk = {"id": "a"}
    ref = Ref(pk)
    pk["id"] = "b"
    assert ref.id == "a"
    assert ref != 1


def test_ref_composite_keys() -> None:
    ref = Ref({"a": 1, "b": 2})
    assert ref == {"b": 2, "a": 1}
    assert hash(ref) == hash(Ref({"b": 2, "a": 1}))


# --------------------------------------------------------------------------------------------
# Entity.new rules (kong/db/schema/entity.lua)


def test_records_are_required_by_default() -> None:
    @entity("t_ec_records")
    class WithRecords(Entity):
        id: str = field(UUID)
        config: dict[str, Any] = field(
            Field(
                type="record",
                fields=[
                    ("nested", Field(type="record", fields=[("x", STR)])),
                    ("optional", Field(type="record", required=False, fields=[("y", STR)])),
                ],
            )
        )
        loose: dict[str, Any] | None = field(
            Field(type="record", required=False, fields=[("z", STR)])
        )

    s = schema_of(WithRecords)
    config = s.field_map["config"]
    assert config.required is True
    assert config.record_field("nested") is not None
    assert config.record_field("nested").required is True  # type: ignore[union-attr]
    assert config.record_field("optional").required is False  # type: ignore[union-attr]
    assert s.field_map["loose"].required is False
    # so their full structure is produced
    data = s.process_auto_fields({"id": ID}, "insert")
    assert data == {"id": ID, "config": {"nested": {"x": None}, "optional": None}, "loose": None}
    assert s.validate_insert(data) is None
    assert s.validate_insert({**data, "config": None}) == {"config": "required field missing"}


def test_subschema_records_are_required_by_default() -> None:
    @entity("t_ec_plugins", subschema_key="name")
    class Plugin(Entity):
        id: str = field(UUID)
        name: str = field(Field(type="string", required=True))
        config: dict[str, Any] = field(Field(type="record", abstract=True))

    s = schema_of(Plugin)
    s.new_subschema("p", Schema(fields={"config": Field(type="record", fields=[("a", STR)])}))
    assert s.subschemas["p"].field_map["config"].required is True
    assert s.process_auto_fields({"id": "i", "name": "p"}, "insert") == {
        "id": "i",
        "name": "p",
        "config": {"a": None},
    }
    # with_subschemas: a copy serving exactly these subschemas
    copy = s.with_subschemas(
        {"q": Schema(fields={"config": Field(type="record", fields=[("b", STR)])})}
    )
    assert set(copy.subschemas) == {"q"}
    assert set(s.subschemas) == {"p"}
    assert copy.validate({"id": "i", "name": "p", "config": {}}) == {"name": "unknown type: p"}


def test_map_keys_must_be_strings() -> None:
    with pytest.raises(ValueError) as exc:

        @entity("t_ec_int_map")
        class IntMap(Entity):
            id: str = field(UUID)
            m: dict[int, str] | None = field(
                Field(type="map", keys=Field(type="integer"), values=STR)
            )

    assert str(exc.value) == "m: Entities map keys must be strings."


# --------------------------------------------------------------------------------------------
# metaschema rules


def test_a_field_used_as_a_single_cache_key_must_be_unique() -> None:
    with pytest.raises(ValueError) as exc:

        @entity("t_ec_bad_cache_key", cache_key=["name"])
        class BadCacheKey(Entity):
            id: str = field(UUID)
            name: str | None = field(STR)

    assert str(exc.value) == "a field used as a single cache key must be unique"
    assert "t_ec_bad_cache_key" not in catalog

    @entity("t_ec_good_cache_key", cache_key=["name"])
    class GoodCacheKey(Entity):
        id: str = field(UUID)
        name: str | None = field(Field(type="string", unique=True))

    assert schema_of(GoodCacheKey).cache_key == ("name",)


def test_composite_cache_keys_need_not_be_unique() -> None:
    @entity("t_ec_composite_cache_key", cache_key=["a", "b"])
    class Composite(Entity):
        id: str = field(UUID)
        a: str | None = field(STR)
        b: str | None = field(STR)

    assert schema_of(Composite).composite_cache_key


def test_ttl_is_a_reserved_field_name_when_ttl_is_enabled() -> None:
    with pytest.raises(ValueError) as exc:

        @entity("t_ec_ttl_field", ttl=True)
        class TtlField(Entity):
            id: str = field(UUID)
            ttl: int | None = field(Field(type="integer"))

    assert str(exc.value) == "ttl is a reserved field name when ttl is enabled"
    with pytest.raises(ValueError, match="ttl is a reserved field name when ttl is enabled"):
        Schema(fields={"ttl": Field(type="integer")}, ttl=True)
    # without ttl, it is an ordinary name
    assert Schema(fields={"ttl": Field(type="integer")}).field_map["ttl"].type == "integer"


def test_a_ttl_entity_declares_the_virtual_ttl() -> None:
    with pytest.raises(TypeError, match="virtual"):

        @entity("t_ec_ttl_missing", ttl=True)
        class TtlMissing(Entity):
            id: str = field(UUID)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"primary_key": ["nope"]}, "primary key 'nope'"),
        ({"primary_key": []}, "needs a primary key"),
        ({"endpoint_key": "nope"}, "endpoint_key 'nope'"),
        ({"cache_key": ["id", "nope"]}, "cache_key 'nope'"),
        ({"subschema_key": "nope"}, "subschema_key 'nope'"),
    ],
)
def test_schema_attributes_must_name_fields(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):

        @entity("t_ec_bad_attributes", **options)
        class Bad(Entity):
            id: str = field(UUID)

    assert "t_ec_bad_attributes" not in catalog


def test_attributes_must_be_fields() -> None:
    with pytest.raises(TypeError, match="declare entity attributes with field"):

        @entity("t_ec_plain_attribute")
        class Plain(Entity):
            id: str = field(UUID)
            plain: int = 0


def test_the_class_must_subclass_entity() -> None:
    with pytest.raises(TypeError, match=r"must subclass kongdao\.schema\.Entity"):

        @entity("t_ec_not_an_entity")  # type: ignore[type-var]
        class NotAnEntity:
            id: str = field(UUID)


# --------------------------------------------------------------------------------------------
# the cattrs round trip


def test_round_trip_of_a_processed_dict() -> None:
    s = schema_of(Service)
    d = s.process_auto_fields({"host": "example.com", "tags": ["a", "a", "b"]}, "insert")
    assert s.validate_insert(d) is None
    svc = s.to_entity(d)
    assert isinstance(svc, Service)
    assert svc.tags == ["a", "b"]
    assert svc.to_dict(nulls=True) == d
    assert s.to_entity(svc.to_dict(nulls=True)) == svc


def test_to_entity_turns_absent_fields_into_none() -> None:
    s = schema_of(Service)
    svc = s.to_entity({"host": "h"})
    assert svc.port is None
    assert svc.to_dict() == {"host": "h"}


def test_to_entity_of_a_select() -> None:
    s = schema_of(Route)
    row = {"id": "r", "name": "", "hosts": ["h"], "paths": None, "service": None, "ttl": 5}
    d = s.process_auto_fields(row, "select", True)
    # empty strings read back as nulls; absent fields as nulls too (nulls=True)
    assert d == {**row, "name": None, "secret": None}
    route = s.to_entity(d)
    assert route.ttl == 5
    assert route.to_dict(nulls=True) == d
    assert route.to_dict() == {"id": "r", "hosts": ["h"], "ttl": 5}


# a property test over generated valid entities


@entity("t_ec_prop_parents")
class PropParent(Entity):
    id: str = field(UUID)


@entity("t_ec_prop_things", endpoint_key="name")
class PropThing(Entity):
    id: str = field(UUID)
    created_at: int = field(Field(type="integer", timestamp=True, auto=True))
    name: str | None = field(Field(type="string", unique=True))
    count: int | None = field(Field(type="integer", between=(0, 1000)))
    ratio: float | None = field(Field(type="number"))
    enabled: bool = field(Field(type="boolean", required=True, default=True))
    hosts: list[str] | None = field(Field(type="array", elements=STR))
    ports: list[int] | None = field(Field(type="set", elements=Field(type="integer")))
    headers: dict[str, str] | None = field(Field(type="map", keys=STR, values=STR))
    config: dict[str, Any] = field(
        Field(
            type="record",
            fields=[
                ("a", STR),
                ("b", Field(type="integer", default=3)),
                ("inner", Field(type="record", fields=[("x", Field(type="boolean"))])),
            ],
        )
    )
    parent: Ref | None = field(Field(type="foreign", reference="t_ec_prop_parents"))


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, an explicit null, or (``...``) an absent key."""
    return st.one_of(st.just(...), st.none(), strategy)


_inputs = st.fixed_dictionaries(
    {
        "id": st.one_of(st.just(...), st.uuids().map(str)),
        "name": _optional(_text),
        "count": _optional(st.integers(0, 1000)),
        "ratio": _optional(st.floats(allow_nan=False)),
        "enabled": st.one_of(st.just(...), st.booleans()),
        "hosts": _optional(st.lists(_text, max_size=4)),
        "ports": _optional(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=6)),
        "headers": _optional(st.dictionaries(_text, _text, max_size=3)),
        "config": st.one_of(
            st.just(...),
            st.fixed_dictionaries(
                {},
                optional={
                    "a": st.one_of(st.none(), _text),
                    "b": st.one_of(st.none(), st.integers(-5, 5)),
                    "inner": st.fixed_dictionaries(
                        {}, optional={"x": st.one_of(st.none(), st.booleans())}
                    ),
                },
            ),
        ),
        "parent": _optional(st.uuids().map(lambda u: {"id": str(u)})),
    }
).map(lambda d: {k: v for k, v in d.items() if v is not ...})


@settings(database=None, max_examples=150, deadline=None)
@given(_inputs)
def test_round_trip_of_generated_valid_entities(given_input: dict[str, Any]) -> None:
    s = schema_of(PropThing)
    d = s.process_auto_fields(given_input, "insert")
    assert s.validate_insert(d) is None
    thing = s.to_entity(d)
    assert isinstance(thing, PropThing)
    assert thing.to_dict(nulls=True) == d
    assert thing.to_dict() == {k: v for k, v in d.items() if v is not None}
    assert s.to_entity(thing.to_dict(nulls=True)) == thing
    if d["parent"] is not None:
        assert isinstance(thing.parent, Ref)
        assert thing.parent.id == d["parent"]["id"]
    # and as read back from the database
    row = s.process_auto_fields(d, "select", True)
    assert s.to_entity(row).to_dict(nulls=True) == row
