"""Processing: Kong's ``spec/01-unit/01-db/01-schema/01-schema_spec.lua`` (2.8.5), ported.

Covers ``process_auto_fields`` (defaults, auto values, nulls, sets, select post-processing),
``merge_values``, ``shorthand_fields``, ``transform`` and subschemas (selection, specialisation,
defaults).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

import pytest

from kongdao.schema import (
    Entity,
    Field,
    Schema,
    Shorthand,
    ShorthandError,
    Transformation,
    TransformationFailed,
    entity,
    field,
)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

STR = Field(type="string")
NUM = Field(type="number")


def schema(**fields: Field) -> Schema:
    return Schema(fields=fields)


@entity("t_processing_mock_consumers")
class MockConsumer(Entity):
    id: str | None = field(Field(type="string"))


ALL_TYPES: dict[str, Field] = {
    "a": Field(type="array", elements=STR),
    "b": Field(type="set", elements=STR),
    "c": Field(type="number"),
    "d": Field(type="integer"),
    "e": Field(type="boolean"),
    "f": Field(type="string"),
    "g": Field(type="record", fields=()),
    "h": Field(type="map", keys=STR, values=STR),
    "i": Field(type="foreign", reference="t_processing_mock_consumers"),
}


# --------------------------------------------------------------------------------------------
# process_auto_fields: nulls and defaults


@pytest.mark.parametrize("context", ["insert", "upsert"])
def test_produces_null_for_non_required_fields(context: Any) -> None:
    data = Schema(fields=ALL_TYPES).process_auto_fields({}, context)
    assert data == dict.fromkeys(ALL_TYPES)


def test_does_not_produce_non_required_fields_on_update() -> None:
    assert Schema(fields=ALL_TYPES).process_auto_fields({}, "update") == {}


def test_non_required_fields_do_not_generate_defaults() -> None:
    assert schema(f=NUM).process_auto_fields({}, "insert") == {"f": None}


def test_does_not_demand_required_fields() -> None:
    t = schema(f=Field(type="number", required=True))
    assert t.process_auto_fields({"f": 123}, "insert") == {"f": 123}
    assert t.process_auto_fields({}, "insert") == {}


def test_does_not_modify_its_input() -> None:
    t = schema(s=Field(type="set", elements=STR), r=Field(type="record", fields={"x": STR}))
    data = {"s": ["a", "a"], "r": {}}
    out = t.process_auto_fields(data, "insert")
    assert out == {"s": ["a"], "r": {"x": None}}
    assert data == {"s": ["a", "a"], "r": {}}


def _empty_string_schema() -> Schema:
    inner = [
        ("str", STR),
        ("arr", Field(type="array", elements=STR)),
        ("set", Field(type="set", elements=STR)),
        ("map", Field(type="map", keys=STR, values=STR)),
        ("est", Field(type="string", len_min=0)),
        ("lst", Field(type="string", legacy=True)),
    ]
    return Schema(fields=[("rec", Field(type="record", fields=inner)), *inner])


def _empty_string_data() -> dict[str, Any]:
    values = {
        "str": "",
        "arr": ["", "a", ""],
        "set": ["", "a", ""],
        "map": {"key": ""},
        "est": "",
        "lst": "",
    }
    return {**values, "rec": dict(values)}


@pytest.mark.parametrize("nulls", [False, True])
def test_empty_string_fields_with_selects(nulls: bool) -> None:
    data = _empty_string_schema().process_auto_fields(_empty_string_data(), "select", nulls)
    expected: dict[str, Any] = {
        "arr": ["", "a", ""],
        "set": ["", "a"],
        "map": {"key": ""},
        "est": "",
        "lst": "",
    }
    if nulls:
        expected["str"] = None
    assert data == {**expected, "rec": dict(expected)}


def test_lets_invalid_values_pass_unchanged() -> None:
    # regression test for Kong#3910
    t = schema(
        my_array=Field(type="array", elements=STR),
        my_set=Field(type="set", elements=STR),
        my_number=NUM,
        my_integer=Field(type="integer"),
        my_boolean=Field(type="boolean"),
        my_string=STR,
        my_record=Field(type="record", fields={"my_field": Field(type="integer")}),
        my_map=Field(type="map", keys=STR, values=STR),
        my_foreign=Field(type="foreign", reference="t_processing_mock_consumers"),
    )
    bad_value = {
        "my_array": "hello",
        "my_set": "hello",
        "my_number": "hello",
        "my_integer": "hello",
        "my_boolean": "hello",
        "my_string": 123,
        "my_record": "hello",
        "my_map": "hello",
        "my_foreign": "hello",
    }
    assert t.process_auto_fields(bad_value, "insert") == bad_value
    assert t.process_auto_fields(bad_value, "update") == bad_value


def test_honors_given_default_values() -> None:
    t = schema(
        a=Field(type="array", elements=STR, default=["foo", "bar"]),
        b=Field(type="set", elements=NUM, default=[2112, 5150]),
        c=Field(type="number", default=1984),
        d=Field(type="integer", default=42),
        e=Field(type="boolean", default=True),
        f=Field(type="string", default="foo"),
        g=Field(type="map", keys=STR, values=NUM, default={"foo": 1, "bar": 2}),
        h=Field(type="record", fields={"f": NUM}, default={"f": 123}),
        nested_record=Field(
            type="record",
            default={"r": {"a": "nr", "b": 123}},
            fields={"r": Field(type="record", fields={"a": STR, "b": NUM})},
        ),
    )
    data = t.process_auto_fields({}, "insert")
    assert data == {
        "a": ["foo", "bar"],
        "b": [2112, 5150],
        "c": 1984,
        "d": 42,
        "e": True,
        "f": "foo",
        "g": {"foo": 1, "bar": 2},
        "h": {"f": 123},
        "nested_record": {"r": {"a": "nr", "b": 123}},
    }


def test_defaults_are_deep_copies() -> None:
    default = {"r": {"a": ["x"]}}
    t = schema(m=Field(type="map", keys=STR, values=Field(type="any"), default=default))
    first = t.process_auto_fields({}, "insert")
    first["m"]["r"]["a"].append("y")
    assert t.process_auto_fields({}, "insert") == {"m": {"r": {"a": ["x"]}}}
    assert default == {"r": {"a": ["x"]}}


@pytest.mark.parametrize("kind", ["set", "array"])
@pytest.mark.parametrize("default", [[], ()])
def test_empty_default_for_a_set_or_array_is_a_json_array(kind: Any, default: Any) -> None:
    t = schema(s=Field(type=kind, elements=STR, default=default))
    data = t.process_auto_fields({}, "insert")
    assert json.dumps(data) == '{"s": []}'


def test_no_defaults_option() -> None:
    t = schema(
        a=Field(type="string", default="x"), b=Field(type="string", default="y", required=True)
    )
    assert t.process_auto_fields({}, "insert", no_defaults=True) == {"a": None}


def test_nested_defaults_in_required_records_produce_a_default_record() -> None:
    t = schema(
        nested_record=Field(
            type="record",
            required=True,
            fields={
                "r": Field(
                    type="record",
                    required=True,
                    fields={
                        "a": Field(type="string", default="nr"),
                        "b": Field(type="number", default=123),
                    },
                )
            },
        )
    )
    data = t.process_auto_fields({}, "insert")
    assert data["nested_record"] == {"r": {"a": "nr", "b": 123}}


def test_null_in_required_records_only_produces_a_default_record_on_select() -> None:
    t = schema(
        nested_record=Field(
            type="record",
            required=True,
            fields={
                "r": Field(
                    type="record",
                    required=True,
                    fields={
                        "a": Field(type="string", default="nr"),
                        "b": Field(type="number", default=123),
                    },
                )
            },
        )
    )
    data = t.process_auto_fields({"nested_record": None}, "insert")
    assert data["nested_record"] is None
    assert t.validate(data) == {"nested_record": "required field missing"}

    data = t.process_auto_fields({"nested_record": None}, "update")
    assert data["nested_record"] is None
    assert t.validate_update(data) == {"nested_record": "required field missing"}

    data = t.process_auto_fields({"nested_record": None}, "upsert")
    assert data["nested_record"] is None
    assert t.validate_update(data) == {"nested_record": "required field missing"}

    data = t.process_auto_fields({"nested_record": None}, "select")
    assert data["nested_record"] == {"r": {"a": "nr", "b": 123}}
    assert t.validate(data) is None


@pytest.mark.parametrize("default", [False, True])
def test_honors_booleans_as_default(default: bool) -> None:
    t = schema(b=Field(type="boolean", default=default))
    assert t.process_auto_fields({}, "insert")["b"] is default
    assert t.process_auto_fields({"b": False}, "insert")["b"] is False
    assert t.process_auto_fields({"b": True}, "insert")["b"] is True


def test_explicit_null_is_kept_over_a_default() -> None:
    t = schema(b=Field(type="string", default="x"))
    assert t.process_auto_fields({"b": None}, "insert") == {"b": None}


def test_required_null_reads_back_as_default_on_select() -> None:
    t = schema(a=Field(type="string", required=True, default="x"), b=Field(type="string"))
    assert t.process_auto_fields({"a": None, "b": None}, "select") == {"a": "x"}
    assert t.process_auto_fields({"a": None, "b": None}, "select", True) == {
        "a": "x",
        "b": None,
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], []),
        (["foo"], ["foo"]),
        (["foo", "bar"], ["foo", "bar"]),
        (["bar", "foo"], ["bar", "foo"]),
        (["foo", "foo", "bar"], ["foo", "bar"]),
        (["foo", "bar", "foo"], ["foo", "bar"]),
        (["foo", "foo", "foo"], ["foo"]),
        (["bar", "foo", "foo"], ["bar", "foo"]),
    ],
)
def test_removes_duplicates_preserving_order(given: list[str], expected: list[str]) -> None:
    t = schema(f=Field(type="set", elements=STR))
    assert t.process_auto_fields({"f": given}, "insert") == {"f": expected}


def test_sets_do_not_confuse_true_and_one() -> None:
    t = schema(f=Field(type="set", elements=Field(type="any")))
    assert t.process_auto_fields({"f": [1, True, 1.0, True]}, "insert") == {"f": [1, True]}


# --------------------------------------------------------------------------------------------
# process_auto_fields: auto values


def test_auto_produces_an_uuid_with_uuid_and_auto() -> None:
    t = schema(f=Field(type="string", uuid=True, auto=True))
    data = t.process_auto_fields({}, "insert")
    assert UUID_RE.match(data["f"])
    # given values are kept, and updates generate nothing
    assert t.process_auto_fields({"f": "x"}, "upsert") == {"f": "x"}
    assert t.process_auto_fields({}, "update") == {}


def test_auto_produces_a_random_with_string_and_auto() -> None:
    t = schema(f=Field(type="string", auto=True))
    data = t.process_auto_fields({}, "insert")
    assert isinstance(data["f"], str)
    assert len(data["f"]) == 32
    assert data["f"] != t.process_auto_fields({}, "insert")["f"]


def test_auto_produces_a_timestamp_with_created_at_and_auto() -> None:
    t = schema(created_at=Field(type="number", timestamp=True, auto=True))
    # does not insert created_at on "update"
    tbl = t.process_auto_fields({}, "update")
    assert "created_at" not in tbl
    # it does insert it on "insert"
    tbl = t.process_auto_fields(tbl, "insert")
    assert isinstance(tbl["created_at"], float)
    assert abs(tbl["created_at"] - time.time()) < 60
    # an explicit null is replaced too, a given value kept
    assert isinstance(t.process_auto_fields({"created_at": None}, "upsert")["created_at"], float)
    assert t.process_auto_fields({"created_at": 5}, "insert") == {"created_at": 5}


def test_integer_timestamps_are_whole_seconds() -> None:
    t = schema(
        created_at=Field(type="integer", timestamp=True, auto=True),
        updated_at=Field(type="integer", timestamp=True, auto=True),
    )
    data = t.process_auto_fields({}, "insert")
    assert type(data["created_at"]) is int
    assert data["created_at"] == data["updated_at"]


def test_auto_updates_a_timestamp_with_updated_at_and_auto() -> None:
    t = schema(updated_at=Field(type="number", timestamp=True, auto=True))
    tbl = t.process_auto_fields({}, "update")
    assert isinstance(tbl["updated_at"], float)
    # force updated_at downwards...
    ts = tbl["updated_at"] - 10
    tbl["updated_at"] = ts
    # ...and updates it again
    tbl = t.process_auto_fields(tbl, "update")
    assert tbl["updated_at"] > ts


def test_does_not_auto_update_timestamps_upon_retrieval() -> None:
    t = schema(
        created_at=Field(type="number", timestamp=True, auto=True),
        updated_at=Field(type="number", timestamp=True, auto=True),
    )
    tbl = t.process_auto_fields({}, "insert")
    assert isinstance(tbl["created_at"], float)
    assert isinstance(tbl["updated_at"], float)
    # both come from the same clock reading
    assert tbl["created_at"] == tbl["updated_at"]
    # force the timestamps downwards...
    created_ts = tbl["created_at"] - 10
    updated_ts = tbl["updated_at"] - 10
    tbl["created_at"] = created_ts
    tbl["updated_at"] = updated_ts
    # ...and they are not updated again
    tbl = t.process_auto_fields(tbl, "select")
    assert tbl["created_at"] == updated_ts
    assert tbl["updated_at"] == updated_ts


def test_strips_down_the_decimal_part_on_integers_when_selecting_only() -> None:
    t = schema(fingers=Field(type="integer"))
    tbl = t.process_auto_fields({"fingers": 5.5}, "select")
    assert tbl["fingers"] == 5
    assert type(tbl["fingers"]) is int
    tbl = t.process_auto_fields({"fingers": 5.5}, "insert")
    assert tbl["fingers"] == 5.5


@pytest.mark.parametrize("context", ["insert", "update", "upsert", "select"])
def test_arrays_and_sets_are_lists_in_every_context(context: Any) -> None:
    # Kong's cjson.array_mt: arrays and sets always encode as JSON arrays
    t = schema(
        arr=Field(type="array", elements=STR),
        set=Field(type="set", elements=STR),
        map=Field(type="map", keys=STR, values=Field(type="boolean")),
    )
    for value in ((), ("http", "https")):
        tbl = t.process_auto_fields({"arr": value, "set": value, "map": {"http": True}}, context)
        assert tbl == {"arr": list(value), "set": list(value), "map": {"http": True}}
        assert type(tbl["arr"]) is list
        assert type(tbl["set"]) is list


# --------------------------------------------------------------------------------------------
# process_auto_fields: select post-processing


def test_select_removes_unknown_columns() -> None:
    t = schema(a=STR)
    assert t.process_auto_fields({"a": "x", "gone": 1, "ws_id": "w"}, "select") == {"a": "x"}
    assert t.process_auto_fields({"a": "x", "ws_id": "w"}, "select", show_ws_id=True) == {
        "a": "x",
        "ws_id": "w",
    }


def test_select_keeps_ttl_of_ttl_schemas() -> None:
    t = Schema(fields={"a": STR}, ttl=True)
    assert t.process_auto_fields({"a": "x", "ttl": 10}, "select") == {"a": "x", "ttl": 10}
    assert t.process_auto_fields({"a": "x", "ttl": None}, "select") == {"a": "x"}
    assert t.process_auto_fields({"a": "x", "ttl": None}, "select", True) == {
        "a": "x",
        "ttl": None,
    }
    assert schema(a=STR).process_auto_fields({"a": "x", "ttl": 10}, "select") == {"a": "x"}


def test_select_drops_nulls_unless_asked() -> None:
    t = schema(a=STR, b=NUM)
    assert t.process_auto_fields({"a": None}, "select") == {}
    assert t.process_auto_fields({"a": None}, "select", True) == {"a": None, "b": None}


def test_legacy_uuid_empty_string_reads_as_null() -> None:
    t = schema(u=Field(type="string", uuid=True, legacy=True))
    assert t.process_auto_fields({"u": ""}, "insert") == {"u": None}
    assert t.process_auto_fields({"u": ""}, "select") == {}


# --------------------------------------------------------------------------------------------
# process_auto_fields in subschemas


def _abstract_config_parent() -> Schema:
    return Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "config": Field(type="record", abstract=True),
        },
    )


def test_a_specialized_field_can_set_a_default() -> None:
    t = _abstract_config_parent()
    t.new_subschema(
        "my_subschema",
        Schema(
            fields={
                "config": Field(
                    type="record",
                    fields={"foo": Field(type="string", default="bar")},
                    default={"foo": "bla"},
                )
            }
        ),
    )
    given: dict[str, Any] = {"name": "my_subschema", "config": {"foo": "hello"}}
    assert t.validate(given) is None
    assert t.process_auto_fields(given, "insert") == given

    given = {"name": "my_subschema"}
    assert t.validate(given) is None
    assert t.process_auto_fields(given, "insert") == {
        "name": "my_subschema",
        "config": {"foo": "bla"},
    }


def test_removes_fields_that_have_been_removed_from_the_schema_on_select() -> None:
    t = _abstract_config_parent()
    t.new_subschema(
        "my_subschema",
        Schema(
            fields={"config": Field(type="record", fields={"foo": STR}, default={"foo": "bla"})}
        ),
    )
    given = {"name": "my_subschema", "config": {"foo": "hello", "bar": "world"}}
    assert t.process_auto_fields(given, "select") == {
        "name": "my_subschema",
        "config": {"foo": "hello"},
    }


def test_abstract_fields_without_subschema_are_left_alone() -> None:
    t = _abstract_config_parent()
    assert t.process_auto_fields({"name": "x", "config": {"a": 1}}, "insert") == {
        "name": "x",
        "config": {"a": 1},
    }


# --------------------------------------------------------------------------------------------
# subschemas: selection and validation


def test_validates_loading_a_subschema() -> None:
    t = _abstract_config_parent()
    t.new_subschema(
        "my_subschema",
        Schema(
            fields={
                "config": Field(
                    type="record", fields=[("foo", STR), ("bar", Field(type="integer"))]
                )
            }
        ),
    )
    assert t.validate({"name": "my_subschema", "config": {"foo": "hello", "bar": 123}}) is None


def test_fails_if_subschema_does_not_exist() -> None:
    t = Schema(
        name="test", subschema_key="name", fields={"name": Field(type="string", required=True)}
    )
    assert t.validate({"name": "my_invalid_subschema"}) == {
        "name": "unknown type: my_invalid_subschema"
    }


def test_fails_if_subschema_does_not_exist_for_an_array_key() -> None:
    t = Schema(
        name="test",
        subschema_key="protocols",
        fields={
            "protocols": Field(type="array", elements=Field(type="string", one_of=("p1", "p2")))
        },
    )
    assert t.validate({"protocols": ["p1"]}) == {"protocols": "unknown type: p1"}
    assert t.validate({"protocols": ["p2"]}) == {"protocols": "unknown type: p2"}


def test_the_first_element_of_a_set_key_with_a_subschema_wins() -> None:
    t = Schema(
        name="test",
        subschema_key="protocols",
        fields={"protocols": Field(type="set", elements=STR), "port": Field(type="integer")},
    )
    t.new_subschema("p2", Schema(fields={"port": Field(type="integer", eq=2)}))
    t.new_subschema("p3", Schema(fields={"port": Field(type="integer", eq=3)}))
    assert t.validate({"protocols": ["p1", "p2", "p3"], "port": 2}) is None
    assert t.validate({"protocols": ["p3", "p2"], "port": 2}) == {"port": "value must be 3"}
    assert t.validate({"protocols": ["p1"], "port": 2}) == {"protocols": "unknown type: p1"}


def test_a_missing_subschema_key_is_required() -> None:
    t = _abstract_config_parent()
    assert t.validate({}) == {"name": "required field missing"}
    assert t.validate({"name": None}) == {"name": "required field missing"}


def test_subschema_error_replaces_the_unknown_type_message() -> None:
    t = Schema(
        name="plugins",
        subschema_key="name",
        subschema_error="plugin '%s' not enabled; add it to the 'plugins' configuration property",
        fields={"name": Field(type="string", required=True)},
    )
    assert t.validate({"name": "nope"}) == {
        "name": "plugin 'nope' not enabled; add it to the 'plugins' configuration property"
    }


def test_ignores_missing_non_required_abstract_fields() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "config": Field(type="record", abstract=True),
            "bla": Field(type="integer", abstract=True),
        },
    )
    t.new_subschema(
        "my_subschema",
        Schema(
            fields={
                "config": Field(
                    type="record", fields=[("foo", STR), ("bar", Field(type="integer"))]
                )
            }
        ),
    )
    assert t.validate({"name": "my_subschema", "config": {"foo": "hello", "bar": 123}}) is None


def test_cannot_introduce_new_top_level_fields() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "config": Field(type="record", fields={"foo": Field(type="integer")}),
        },
    )
    with pytest.raises(ValueError, match="new_field: cannot create a new field") as exc:
        t.new_subschema(
            "my_subschema",
            Schema(
                fields={
                    "config": Field(
                        type="record",
                        fields={"foo": Field(type="integer"), "bar": Field(type="integer")},
                    ),
                    "new_field": Field(type="string", required=True),
                }
            ),
        )
    assert str(exc.value) == (
        "error in definition of 'my_subschema': new_field: cannot create a new field"
    )


def test_fails_when_trying_to_use_an_abstract_field() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "config": Field(type="record", abstract=True),
            "bla": Field(type="integer", abstract=True),
        },
    )
    t.new_subschema(
        "my_subschema",
        Schema(
            fields={
                "config": Field(
                    type="record", fields=[("foo", STR), ("bar", Field(type="integer"))]
                )
            }
        ),
    )
    errs = t.validate({"name": "my_subschema", "config": {"foo": "hello", "bar": 123}, "bla": 456})
    assert errs == {"bla": "error in schema definition: abstract field was not specialized"}


def test_a_required_abstract_field_must_be_specialized() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "config": Field(type="record", abstract=True, required=True),
        },
    )
    with pytest.raises(ValueError) as exc:
        t.new_subschema("incomplete", Schema(fields={}))
    assert str(exc.value) == (
        "error in definition of 'incomplete': config: abstract field was not specialized"
    )


def test_a_schema_without_subschema_key_cannot_have_subschemas() -> None:
    t = Schema(name="test", fields={"name": STR})
    with pytest.raises(ValueError) as exc:
        t.new_subschema("sub", Schema(fields={}))
    assert str(exc.value) == (
        "error in definition of 'sub': entities of type 'test' cannot have subschemas"
    )


def test_validates_using_both_schema_and_subschema() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "bla": Field(type="integer"),
            "config": Field(type="record", abstract=True),
        },
    )
    t.new_subschema(
        "my_subschema",
        Schema(
            fields={
                "config": Field(
                    type="record", fields=[("foo", STR), ("bar", Field(type="integer"))]
                )
            }
        ),
    )
    errs = t.validate({"name": "my_subschema", "bla": 4.5, "config": {"foo": 456, "bar": 123}})
    assert errs == {"bla": "expected an integer", "config": {"foo": "expected a string"}}


def test_can_specialize_a_field_of_the_parent_schema() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={"name": Field(type="string", required=True), "consumer": STR},
    )
    t.new_subschema("length_5", Schema(fields={"consumer": Field(type="string", len_eq=5)}))
    t.new_subschema("no_restrictions", Schema(fields={}))
    assert t.validate({"name": "length_5", "consumer": "aaa"}) == {"consumer": "length must be 5"}
    assert t.validate({"name": "length_5", "consumer": "aaaaa"}) is None
    assert t.validate({"name": "no_restrictions", "consumer": "aaa"}) is None


@pytest.mark.parametrize(
    ("parent", "special"),
    [
        (STR, Field(type="integer")),
        (Field(type="array", elements=STR), Field(type="array", elements=NUM)),
        (
            Field(type="map", keys=STR, values=STR),
            Field(type="map", keys=STR, values=NUM),
        ),
    ],
)
def test_cannot_change_type_when_specializing_a_field(parent: Field, special: Field) -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={"name": Field(type="string", required=True), "consumer": parent},
    )
    with pytest.raises(ValueError, match="consumer: cannot change type in a specialized field"):
        t.new_subschema("length_5", Schema(fields={"consumer": special}))


def test_a_specialized_field_can_force_a_value_using_eq() -> None:
    t = Schema(
        name="test",
        subschema_key="name",
        fields={
            "name": Field(type="string", required=True),
            "consumer": Field(type="foreign", reference="t_processing_mock_consumers"),
        },
    )
    t.new_subschema(
        "no_consumer",
        Schema(
            fields={
                "consumer": Field(type="foreign", reference="t_processing_mock_consumers", eq=None)
            }
        ),
    )
    t.new_subschema("no_restrictions", Schema(fields={}))
    assert t.validate({"name": "no_consumer", "consumer": {"id": "hello"}}) == {
        "consumer": "value must be null"
    }
    assert t.validate({"name": "no_consumer", "consumer": None}) is None
    assert t.validate({"name": "no_restrictions", "consumer": {"id": "hello"}}) is None


def test_each_field_yields_the_specialized_fields() -> None:
    t = _abstract_config_parent()
    special = Field(type="record", fields={"foo": STR})
    t.new_subschema("s", Schema(fields={"config": special}))
    fields = dict(t.each_field({"name": "s"}))
    assert fields["config"] is special
    assert dict(t.each_field({"name": "other"}))["config"].abstract
    assert [name for name, _ in t.each_field()] == ["name", "config"]


# --------------------------------------------------------------------------------------------
# merge_values


def test_should_correctly_merge_records() -> None:
    t = Schema(
        name="test",
        fields={"config": Field(type="record", fields={"foo": STR, "bar": STR}), "name": STR},
    )
    old_values = {"name": "test", "config": {"foo": "dog", "bar": "cat"}}
    new_values = {"name": "test", "config": {"foo": "pig"}}
    values = t.merge_values(new_values, old_values)
    assert values == {"name": "test", "config": {"foo": "pig", "bar": "cat"}}
    # neither side is modified
    assert old_values == {"name": "test", "config": {"foo": "dog", "bar": "cat"}}
    assert new_values == {"name": "test", "config": {"foo": "pig"}}


def test_merge_values_replaces_everything_but_records() -> None:
    t = Schema(
        fields={
            "config": Field(type="record", fields={"foo": STR, "bar": STR}),
            "arr": Field(type="array", elements=STR),
            "map": Field(type="map", keys=STR, values=STR),
        }
    )
    old = {"config": {"foo": "dog"}, "arr": ["a", "b"], "map": {"a": "1"}}
    assert t.merge_values({"arr": ["c"], "map": {"b": "2"}}, old) == {
        "config": {"foo": "dog"},
        "arr": ["c"],
        "map": {"b": "2"},
    }
    # a null record replaces the stored one
    assert t.merge_values({"config": None}, old)["config"] is None
    # a record over a null record
    assert t.merge_values({"config": {"bar": "x"}}, {"config": None}) == {"config": {"bar": "x"}}
    # no stored entity at all
    assert t.merge_values({"arr": []}, None) == {"arr": []}


# --------------------------------------------------------------------------------------------
# shorthand_fields


def test_shorthand_converts_fields() -> None:
    t = Schema(
        name="test",
        fields={"name": STR},
        shorthand_fields=[Shorthand("username", STR, lambda value: {"name": value})],
    )
    assert t.process_auto_fields({"username": "test1"}, "insert") == {"name": "test1"}


def _user_schema(shorthand: Shorthand) -> Schema:
    return Schema(name="test", fields={"name": STR, "address": STR}, shorthand_fields=[shorthand])


USERNAME = Shorthand("username", STR, lambda value: {"name": value, "address": value.upper()})
USER = Shorthand(
    "user",
    Field(type="array", elements=STR),
    lambda value: {
        "name": value[0] if len(value) > 0 else "mario",
        "address": value[1] if len(value) > 1 else "world",
    },
)


def test_shorthand_can_produce_multiple_fields() -> None:
    t = _user_schema(USERNAME)
    assert t.process_auto_fields({"username": "test1"}, "insert") == {
        "name": "test1",
        "address": "TEST1",
    }


def test_shorthand_type_checks() -> None:
    t = _user_schema(USERNAME)
    with pytest.raises(ShorthandError) as exc:
        t.process_auto_fields({"username": 123}, "insert")
    assert exc.value.errors == {"username": "expected a string"}


def test_shorthand_accepts_arrays() -> None:
    t = _user_schema(USER)
    assert t.process_auto_fields({"user": ["luigi", "land"]}, "insert") == {
        "name": "luigi",
        "address": "land",
    }


def test_shorthand_type_checks_arrays() -> None:
    t = _user_schema(USER)
    with pytest.raises(ShorthandError) as exc:
        t.process_auto_fields({"user": "luigi,land"}, "insert")
    assert exc.value.errors == {"user": "expected an array"}


@pytest.mark.parametrize("context", ["insert", "update", "upsert", "select"])
def test_shorthands_expand_in_every_context(context: Any) -> None:
    t = _user_schema(USERNAME)
    out = t.process_auto_fields({"username": "a"}, context)
    assert out == {"name": "a", "address": "A"}


def test_shorthand_output_overrides_given_fields() -> None:
    t = _user_schema(USERNAME)
    assert t.process_auto_fields({"username": "a", "name": "b"}, "update") == {
        "name": "a",
        "address": "A",
    }


# --------------------------------------------------------------------------------------------
# transform
#
# Kong runs these on a schema and on a subschema; kongdao's subschema is the Schema given to
# new_subschema, so "parent" also runs them through the parent schema.


class Kind:
    """One of Kong's ``SchemaKind`` (plus "parent"), for ``transform``."""

    def __init__(
        self, name: str, fields: Mapping[str, Field], transformations: list[Transformation]
    ) -> None:
        self.name = name
        definition = Schema(name="test", fields=fields, transformations=transformations)
        self.target = definition
        if name != "schema":
            parent = Schema(
                name="test",
                subschema_key="kind",
                fields={"kind": Field(type="string", required=True), **fields},
            )
            parent.new_subschema("subtest", definition)
            self.target = parent if name == "parent" else parent.subschemas["subtest"]

    def _key(self, data: Mapping[str, Any] | None) -> Any:
        if data is None or self.name != "parent":
            return data
        return {"kind": "subtest", **data}

    def transform(
        self,
        data: Mapping[str, Any],
        original_input: Mapping[str, Any] | None = None,
        context: Any = "insert",
    ) -> dict[str, Any]:
        out = self.target.transform(self._key(data), self._key(original_input), context)
        if self.name == "parent":
            assert out.pop("kind") == "subtest"
        return out


KINDS = ["schema", "subschema", "parent"]
NAME = {"name": STR}
NAME_AGE = {"name": STR, "age": Field(type="integer")}


@pytest.mark.parametrize("kind", KINDS)
def test_transforms_fields(kind: str) -> None:
    t = Kind(kind, NAME, [Transformation(input=["name"], on_write=lambda n: {"name": n.upper()})])
    assert t.transform({"name": "test1"}) == {"name": "TEST1"}


@pytest.mark.parametrize("kind", KINDS)
def test_transforms_fields_on_write_and_read(kind: str) -> None:
    t = Kind(
        kind,
        NAME,
        [
            Transformation(
                input=["name"],
                on_write=lambda n: {"name": n.upper()},
                on_read=lambda n: {"name": n.lower()},
            )
        ],
    )
    written = t.transform({"name": "TeSt1"})
    assert written == {"name": "TEST1"}
    assert t.transform(written, None, "select") == {"name": "test1"}


@pytest.mark.parametrize("kind", KINDS)
def test_transforms_fields_with_input_table(kind: str) -> None:
    t = Kind(kind, NAME, [Transformation(input=["name"], on_write=lambda n: {"name": n.upper()})])
    # the original input decides whether to run; the entity gives the value
    assert t.transform({"name": "test1"}, {"name": "we have a value"}) == {"name": "TEST1"}


@pytest.mark.parametrize("kind", KINDS)
def test_skips_transformation_when_none_of_input_matches(kind: str) -> None:
    t = Kind(
        kind,
        {"name": STR, "other": STR},
        [Transformation(input=["other"], on_write=lambda o: {"name": o.upper()})],
    )
    assert t.transform({"name": "test1"}) == {"name": "test1"}


def test_transformation_input_must_be_a_field() -> None:
    # Kong's spec uses an input field the schema does not have; its metaschema rejects that
    with pytest.raises(ValueError, match="non_existent"):
        Schema(
            fields=NAME,
            transformations=[Transformation(input=["non_existent"], on_write=lambda v: {})],
        )
    with pytest.raises(ValueError, match="ghost"):
        Schema(
            fields=NAME,
            transformations=[Transformation(input=["name"], needs=["ghost"], on_write=dict)],
        )


def test_a_transformation_needs_a_function() -> None:
    with pytest.raises(ValueError, match="on_write / on_read"):
        Transformation(input=["name"])


@pytest.mark.parametrize("kind", KINDS)
def test_skips_transformation_when_none_of_input_matches_using_input_table(kind: str) -> None:
    t = Kind(kind, NAME, [Transformation(input=["name"], on_write=lambda n: {"name": n.upper()})])
    # Kong's ``{ name = nil }``: an empty original input
    assert t.transform({"name": "test1"}, {}) == {"name": "test1"}


@pytest.mark.parametrize("kind", KINDS)
def test_transforms_fields_with_multiple_transformations(kind: str) -> None:
    t = Kind(
        kind,
        NAME,
        [
            Transformation(input=["name"], on_write=lambda n: {"name": "How are you " + n}),
            Transformation(input=["name"], on_write=lambda n: {"name": n + "?"}),
        ],
    )
    assert t.transform({"name": "Bob"}) == {"name": "How are you Bob?"}


@pytest.mark.parametrize("kind", KINDS)
def test_transforms_any_field_not_just_those_given_as_an_input(kind: str) -> None:
    t = Kind(kind, NAME_AGE, [Transformation(input=["name"], on_write=lambda n: {"age": len(n)})])
    assert t.transform({"name": "Bob"}) == {"name": "Bob", "age": 3}


@pytest.mark.parametrize("kind", KINDS)
def test_returns_error_if_transformation_returns_an_error(kind: str) -> None:
    def fail(_name: str) -> dict[str, Any]:
        raise TransformationFailed("unable to transform name")

    t = Kind(kind, NAME, [Transformation(input=["name"], on_write=fail)])
    with pytest.raises(TransformationFailed) as exc:
        t.transform({"name": "test1"})
    assert str(exc.value) == "transformation failed: unable to transform name"


@pytest.mark.parametrize("kind", KINDS)
def test_skips_transformation_if_needs_are_not_fulfilled(kind: str) -> None:
    t = Kind(
        kind,
        NAME_AGE,
        [Transformation(input=["name"], needs=["age"], on_write=lambda n, _a: {"name": n.upper()})],
    )
    assert t.transform({"name": "test1"}) == {"name": "test1"}


@pytest.mark.parametrize("kind", KINDS)
def test_transforms_fields_with_needs_given_to_function(kind: str) -> None:
    t = Kind(
        kind,
        NAME_AGE,
        [Transformation(input=["name"], needs=["age"], on_write=lambda n, a: {"name": f"{n} {a}"})],
    )
    assert t.transform({"name": "John", "age": 13}) == {"name": "John 13", "age": 13}


def test_transform_does_not_modify_its_input() -> None:
    t = Schema(
        fields=NAME,
        transformations=[Transformation(input=["name"], on_write=lambda n: {"name": "x"})],
    )
    data = {"name": "a"}
    assert t.transform(data) == {"name": "x"}
    assert data == {"name": "a"}


def test_transformations_merge_records() -> None:
    t = Schema(
        fields={"secret": STR, "config": Field(type="record", fields={"a": STR, "b": STR})},
        transformations=[Transformation(input=["secret"], on_write=lambda s: {"config": {"a": s}})],
    )
    assert t.transform({"secret": "s", "config": {"a": "x", "b": "y"}}) == {
        "secret": "s",
        "config": {"a": "s", "b": "y"},
    }


def test_transformations_with_dotted_inputs() -> None:
    t = Schema(
        fields={"config": Field(type="record", fields={"a": STR, "b": STR})},
        transformations=[
            Transformation(input=["config.a"], on_write=lambda a: {"config": {"b": a * 2}})
        ],
    )
    assert t.transform({"config": {"a": "x", "b": None}}) == {"config": {"a": "x", "b": "xx"}}
