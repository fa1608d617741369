"""The consumers and tags entities; ported from Kong's 14-consumers_spec.lua and extended."""

from __future__ import annotations

import pytest

from kongdao.entities import CORE_ENTITIES, Consumer, Plugin, Route, Service, Tag
from kongdao.schema import schema_of

CONSUMERS = schema_of(Consumer)
TAGS = schema_of(Tag)


def test_core_entities() -> None:
    # Kong's constants.CORE_ENTITIES order (each after those it references)
    assert [schema_of(e).name for e in CORE_ENTITIES] == [
        "workspaces",
        "consumers",
        "certificates",
        "ca_certificates",
        "services",
        "routes",
        "snis",
        "upstreams",
        "targets",
        "plugins",
        "tags",
    ]
    assert (Consumer, Service, Route, Plugin, Tag) == tuple(
        e for e in CORE_ENTITIES if e in (Consumer, Service, Route, Plugin, Tag)
    )


def test_consumer_schema_attributes() -> None:
    assert CONSUMERS.name == "consumers"
    assert CONSUMERS.primary_key == ("id",)
    assert CONSUMERS.endpoint_key == "username"
    assert CONSUMERS.workspaceable
    assert [name for name, _ in CONSUMERS.fields] == [
        "id",
        "created_at",
        "username",
        "custom_id",
        "tags",
    ]
    assert CONSUMERS.unique_fields == ("username", "custom_id")


@pytest.mark.parametrize(
    "name",
    [
        "example",
        "EXAMPLE",
        "exa.mp.le",
        "3x4mp13",
        "3x4-mp-13",
        "3x4_mp_13",
        "~3x4~mp~13",
        "~3..x4~.M-p~1__3_",
        "孔",
        "Конг",
        "🦍",
    ],
)
def test_username_accepts_valid_names(name: str) -> None:
    assert CONSUMERS.validate({"username": name}) is None


def test_at_least_one_of_custom_id_and_username() -> None:
    consumer = CONSUMERS.process_auto_fields({}, "insert")
    assert CONSUMERS.validate_insert(consumer) == {
        "@entity": ["at least one of these fields must be non-empty: 'custom_id', 'username'"]
    }
    consumer = CONSUMERS.process_auto_fields({"custom_id": "abc"}, "insert")
    assert CONSUMERS.validate_insert(consumer) is None
    assert consumer["username"] is None


def test_username_and_custom_id_are_strings() -> None:
    assert CONSUMERS.validate({"username": 1, "custom_id": ""}) == {
        "username": "expected a string",
        "custom_id": "length must be at least 1",
    }


def test_consumer_tags() -> None:
    consumer = CONSUMERS.process_auto_fields({"username": "bob", "tags": ["a", "b", "a"]}, "insert")
    assert CONSUMERS.validate_insert(consumer) is None
    assert consumer["tags"] == ["a", "b"]
    assert CONSUMERS.validate({"username": "bob", "tags": ["a/b"]}) == {
        "tags": {
            1: "invalid tag 'a/b': expected printable ascii (except `,` and `/`) "
            "or valid utf-8 sequences"
        }
    }


def test_typed_consumer() -> None:
    data = CONSUMERS.process_auto_fields({"username": "bob"}, "insert")
    consumer = CONSUMERS.to_entity(data)
    assert isinstance(consumer, Consumer)
    assert consumer.username == "bob"
    assert consumer.custom_id is None
    assert consumer.to_dict()["username"] == "bob"


def test_tags_entity() -> None:
    assert TAGS.name == "tags"
    assert TAGS.primary_key == ("tag",)
    assert TAGS.endpoint_key == "tag"
    assert TAGS.db_export is False
    assert not TAGS.workspaceable
    assert [name for name, _ in TAGS.fields] == ["tag", "entity_name", "entity_id"]
    assert TAGS.validate({"tag": "t", "entity_name": "services"}) == {
        "entity_id": "required field missing"
    }
    assert (
        TAGS.validate(
            {
                "tag": "t",
                "entity_name": "services",
                "entity_id": "cbb297c0-a956-486d-ad1d-f9b42df9465a",
            }
        )
        is None
    )
