"""Field validation: Kong's ``spec/01-unit/01-db/01-schema/01-schema_spec.lua`` (2.8.5), ported.

Covers the ``construction``, ``validate`` (field validators and types), ``validate_primary_key``,
``validate_insert`` / ``validate_update`` (required fields) and ``validate_immutable_fields``
blocks. Kong's Lua patterns are written here as Python regular expressions.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from kongdao.schema import (
    UNSET,
    Entity,
    Field,
    MatchAny,
    Pattern,
    Schema,
    entity,
    field,
)
from kongdao.schema.schema import MESSAGES


def schema(**fields: Field) -> Schema:
    """``Schema.new({ fields = { ... } })``, in declaration order."""
    return Schema(fields=fields)


def with_pk(primary_key: tuple[str, ...], **fields: Field) -> Schema:
    """Kong's ``Test.primary_key = { ... }`` after ``Schema.new``."""
    return Schema(fields=fields, primary_key=primary_key)


STR = Field(type="string")
NUM = Field(type="number")


# foreign references need a registered entity (Kong's ``_cache``): the kongdao catalog


@entity("t_validators_mock_consumers")
class MockConsumer(Entity):
    id: str | None = field(Field(type="string"))


@entity("t_validators_schema_test")
class SchemaTest(Entity):
    id: str = field(Field(type="string", required=True))


# --------------------------------------------------------------------------------------------
# construction


def test_fails_if_no_definition_is_given() -> None:
    with pytest.raises(TypeError):
        Schema()  # type: ignore[call-arg]


def test_fails_if_schema_fields_are_not_defined() -> None:
    with pytest.raises(TypeError):
        Schema(fields=None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# validate: generic behaviour


def test_fails_if_given_no_input() -> None:
    with pytest.raises(TypeError, match="expected an input table"):
        schema().validate(None)  # type: ignore[arg-type]


def test_fails_if_given_a_bad_field_type() -> None:
    # Kong accepts the definition and fails validation with "invalid type: typo"; kongdao
    # refuses the definition itself
    with pytest.raises(ValueError, match="invalid type: typo"):
        Field(type="typo")  # type: ignore[arg-type]


def test_fails_on_unknown_fields() -> None:
    t = schema(f=Field(type="number", required=True))
    assert t.validate({"f": 1, "k": "wat"}) == {"k": "unknown field"}


def test_fails_on_unknown_fields_with_value_of_null() -> None:
    # Kong's data-plane exception (role = "data_plane" ignores unknown nulls) is not ported
    t = schema(f=Field(type="number", required=True))
    assert t.validate({"f": 1, "k": "wat"}) == {"k": "unknown field"}
    assert t.validate({"f": 1, "k": None}) == {"k": "unknown field"}


def test_validators_order_is_kongs() -> None:
    from kongdao.schema.schema import _VALIDATORS

    assert [name for name, _ in _VALIDATORS] == [
        "eq",
        "ne",
        "not_one_of",
        "one_of",
        "gt",
        "timestamp",
        "uuid",
        "is_regex",
        "between",
        "len_eq",
        "len_min",
        "len_max",
        "starts_with",
        "not_match",
        "match_none",
        "match",
        "match_all",
        "match_any",
        "contains",
        "custom_validator",
        "mutually_exclusive_subsets",
    ]


def test_first_failing_validator_wins() -> None:
    # eq runs before len_max, one_of before match
    t = schema(f=Field(type="string", eq="aaaa", len_max=2))
    assert t.validate({"f": "bbbb"}) == {"f": "value must be aaaa"}
    t = schema(f=Field(type="string", one_of=("x",), match=r"^y$"))
    assert t.validate({"f": "z"}) == {"f": "expected one of: x"}


# --------------------------------------------------------------------------------------------
# validate: validators


def test_validates_a_range_with_between() -> None:
    t = schema(a_number=Field(type="number", between=(10, 20)))
    assert t.validate({"a_number": 15}) is None
    assert t.validate({"a_number": 10}) is None
    assert t.validate({"a_number": 20}) is None
    assert t.validate({"a_number": 9}) == {"a_number": "value should be between 10 and 20"}
    assert t.validate({"a_number": 21}) == {"a_number": "value should be between 10 and 20"}
    assert t.validate({"a_number": "wat"}) == {"a_number": "expected a number"}


def test_forces_a_value_with_eq() -> None:
    t = schema(a_number=Field(type="number", eq=9))
    assert t.validate({"a_number": 9}) is None
    assert t.validate({"a_number": 8}) == {"a_number": "value must be 9"}
    assert t.validate({"a_number": "wat"}) == {"a_number": "expected a number"}


def test_eq_accepts_false() -> None:
    t = schema(a_boolean=Field(type="boolean", eq=False))
    assert t.validate({"a_boolean": False}) is None
    assert t.validate({"a_boolean": True}) == {"a_boolean": "value must be false"}
    assert t.validate({"a_boolean": "false"}) == {"a_boolean": "expected a boolean"}


def test_eq_accepts_null() -> None:
    t = schema(a_boolean=Field(type="boolean", eq=None))
    assert t.validate({"a_boolean": None}) is None
    # null means unset, so not passing a value matches it
    assert t.validate({}) is None
    assert t.validate({"a_boolean": "null"}) == {"a_boolean": "value must be null"}


def test_eq_returns_custom_error_message_for_null_value() -> None:
    t = schema(
        a_null_array=Field(
            type="array",
            elements=STR,
            eq=None,
            err="cannot set value for this field",
        )
    )
    assert t.validate({"a_null_array": None}) is None
    err = t.validate({"a_null_array": ["foo"]})
    assert err is not None
    assert err["a_null_array"] == "cannot set value for this field"


def test_eq_returns_default_error_message_if_no_custom_message_is_given() -> None:
    t = schema(a_null_array=Field(type="array", elements=STR, eq=None))
    assert t.validate({"a_null_array": None}) is None
    err = t.validate({"a_null_array": ["foo"]})
    assert err is not None
    assert err["a_null_array"] == "value must be null"


def test_eq_returns_custom_error_message_for_non_null_values() -> None:
    t = schema(a_field=Field(type="string", eq="foo", err="can only set this field to 'foo'"))
    # Kong: a null against a non-null ``eq`` fails with the default message, not ``err``
    assert t.validate({"a_field": None}) == {"a_field": "value must be foo"}
    err = t.validate({"a_field": "bar"})
    assert err is not None
    assert err["a_field"] == "can only set this field to 'foo'"


def test_ne_returns_custom_error_message_for_null_value() -> None:
    t = schema(
        a_null_array=Field(type="array", elements=STR, ne=None, err="cannot set this field to null")
    )
    assert t.validate({"a_null_array": ["foo"]}) is None
    err = t.validate({"a_null_array": None})
    assert err is not None
    assert err["a_null_array"] == "cannot set this field to null"


def test_ne_returns_default_error_message_for_null_value() -> None:
    t = schema(a_null_array=Field(type="array", elements=STR, ne=None))
    assert t.validate({"a_null_array": None}) == {"a_null_array": "value must not be null"}


def test_ne_returns_custom_error_message_for_non_null_values() -> None:
    t = schema(a_field=Field(type="string", ne="foo", err="cannot set this field to 'foo'"))
    assert t.validate({"a_field": None}) is None
    err = t.validate({"a_field": "foo"})
    assert err is not None
    assert err["a_field"] == "cannot set this field to 'foo'"


def test_ne_returns_default_error_message_if_no_custom_message_is_given() -> None:
    t = schema(a_field=Field(type="string", ne="foo"))
    assert t.validate({"a_field": None}) is None
    err = t.validate({"a_field": "foo"})
    assert err is not None
    assert err["a_field"] == "value must not be foo"


def test_forces_a_value_with_gt() -> None:
    t = schema(a_number=Field(type="number", gt=5))
    assert t.validate({"a_number": 6}) is None
    assert t.validate({"a_number": 5}) == {"a_number": "value must be greater than 5"}
    assert t.validate({"a_number": 4}) == {"a_number": "value must be greater than 5"}
    assert t.validate({"a_number": "wat"}) == {"a_number": "expected a number"}


def test_validates_arrays_with_contains() -> None:
    t = schema(pirate=Field(type="array", elements=STR, contains="arrr"))
    assert t.validate({"pirate": ["aye", "arrr", "treasure"]}) is None
    assert t.validate({"pirate": ["let's do our taxes", "please"]}) == {
        "pirate": "expected to contain: arrr"
    }
    assert t.validate({"pirate": []}) == {"pirate": "expected to contain: arrr"}


@pytest.mark.parametrize(
    ("definition", "value", "message"),
    [
        (Field(type="array", elements=NUM, len_eq=2), [10, 20, 30], "length must be 2"),
        (Field(type="set", elements=NUM, len_eq=2), [10, 20, 30], "length must be 2"),
        (Field(type="string", len_eq=2), "foo", "length must be 2"),
        (Field(type="number", between=(1, 3)), 4, "value should be between 1 and 3"),
        (Field(type="integer", between=(1, 3)), 4, "value should be between 1 and 3"),
        (Field(type="map", keys=STR, values=STR), "fail", "expected a map"),
        (Field(type="record", fields=()), "fail", "expected a record"),
        (Field(type="boolean"), "fail", "expected a boolean"),
        (Field(type="foreign", reference="t_validators_mock_consumers"), "fail", "missing"),
    ],
    ids=lambda v: v.type if isinstance(v, Field) else None,
)
def test_makes_sure_all_types_run_validators(definition: Field, value: Any, message: str) -> None:
    errs = schema(x=definition).validate({"x": value})
    assert errs is not None
    if definition.type == "foreign":
        assert errs["x"] == {"id": "missing primary key"}
    else:
        assert errs["x"] == message


def test_all_types_are_covered() -> None:
    from kongdao.schema.fields import FIELD_TYPES

    # "function" is Lua only; "any" is internal (validators only)
    expected = {
        "array",
        "set",
        "string",
        "number",
        "integer",
        "boolean",
        "map",
        "record",
        "foreign",
        "any",
    }
    assert expected == FIELD_TYPES


def test_validates_a_pattern_with_match() -> None:
    t = schema(f=Field(type="string", match=r"^[A-Z]+$"))
    assert t.validate({"f": "HELLO"}) is None
    assert t.validate({"f": "O"}) is None
    assert t.validate({"f": ""}) == {"f": "length must be at least 1"}
    assert t.validate({"f": "hello"}) == {"f": "invalid value: hello"}
    assert t.validate({"f": 1}) == {"f": "expected a string"}


def test_validates_an_anti_pattern_with_not_match() -> None:
    t = schema(f=Field(type="string", not_match=r"^[A-Z]+$"))
    assert t.validate({"f": "hello"}) is None
    assert t.validate({"f": "o"}) is None
    assert t.validate({"f": "HELLO"}) == {"f": "invalid value: HELLO"}
    assert t.validate({"f": 1}) == {"f": "expected a string"}


def test_validates_one_pattern_among_many_with_match_any() -> None:
    t = schema(f=Field(type="string", match_any=MatchAny(patterns=[r"^hello", r"world$"])))
    assert t.validate({"f": "hello Earth"}) is None
    assert t.validate({"f": "goodbye world"}) is None
    # without ``err``: the validator's default message
    assert t.validate({"f": "hi universe"}) == {"f": "invalid value: hi universe"}
    assert t.validate({"f": 1}) == {"f": "expected a string"}


def test_match_any_produces_custom_messages() -> None:
    t = schema(
        f=Field(
            type="string",
            match_any=MatchAny(patterns=[r"^hello", r"world$"], err="custom message"),
        )
    )
    assert t.validate({"f": "hi universe"}) == {"f": "custom message"}


def test_validates_all_patterns_in_match_all() -> None:
    t = schema(
        f=Field(
            type="string",
            match_all=[Pattern(r"^hello"), Pattern(r"world$")],
        )
    )
    assert t.validate({"f": "helloworld"}) is None
    assert t.validate({"f": "hello crazy world"}) is None
    assert t.validate({"f": "hello universe"}) == {"f": "invalid value: hello universe"}
    assert t.validate({"f": "goodbye world"}) == {"f": "invalid value: goodbye world"}
    assert t.validate({"f": "hi universe"}) == {"f": "invalid value: hi universe"}
    assert t.validate({"f": 1}) == {"f": "expected a string"}


def test_match_all_produces_custom_messages() -> None:
    t = schema(
        f=Field(
            type="string",
            match_all=[Pattern(r"^hello", "error 1"), Pattern(r"world$", "error 2")],
        )
    )
    assert t.validate({"f": "hi universe"}) == {"f": "error 1"}
    assert t.validate({"f": "hello universe"}) == {"f": "error 2"}


def test_validates_all_anti_patterns_in_match_none() -> None:
    t = schema(
        f=Field(
            type="string",
            match_none=[Pattern(r"^hello"), Pattern(r"world$")],
        )
    )
    assert t.validate({"f": "helloworld"}) == {"f": "invalid value: helloworld"}
    assert t.validate({"f": "hello crazy world"}) == {"f": "invalid value: hello crazy world"}
    assert t.validate({"f": "hello universe"}) == {"f": "invalid value: hello universe"}
    assert t.validate({"f": "goodbye world"}) == {"f": "invalid value: goodbye world"}
    assert t.validate({"f": "hi universe"}) is None


def test_match_none_produces_custom_messages() -> None:
    t = schema(
        f=Field(
            type="string",
            match_none=[Pattern(r"^hello", "error 1"), Pattern(r"world$", "error 2")],
        )
    )
    assert t.validate({"f": "hello universe"}) == {"f": "error 1"}
    assert t.validate({"f": "goodbye world"}) == {"f": "error 2"}


def test_match_is_searched_not_anchored() -> None:
    # Lua's string.match finds the pattern anywhere unless anchored
    t = schema(f=Field(type="string", match=r"b+"))
    assert t.validate({"f": "abba"}) is None
    assert t.validate({"f": "acca"}) == {"f": "invalid value: acca"}


def test_starts_with() -> None:
    t = schema(f=Field(type="string", starts_with="/"))
    assert t.validate({"f": "/path"}) is None
    assert t.validate({"f": "path"}) == {"f": "should start with: /"}


def test_one_of_and_not_one_of_messages() -> None:
    t = schema(f=Field(type="string", one_of=("a", "b"), not_one_of=("c",)))
    assert t.validate({"f": "a"}) is None
    assert t.validate({"f": "c"}) == {"f": "must not be one of: c"}
    assert t.validate({"f": "d"}) == {"f": "expected one of: a, b"}
    n = schema(f=Field(type="integer", one_of=(1, 2)))
    assert n.validate({"f": 3}) == {"f": "expected one of: 1, 2"}


def test_is_regex() -> None:
    t = schema(f=Field(type="string", is_regex=True))
    assert t.validate({"f": "^a+$"}) is None
    assert t.validate({"f": "[a"}) == {"f": "not a valid regex: [a"}


def test_custom_validator() -> None:
    def fails_with(value: Any) -> Any:
        return {"ok": None, "msg": "bad value", "false": False, "true": True}[value]

    t = schema(f=Field(type="string", custom_validator=fails_with))
    assert t.validate({"f": "ok"}) is None
    assert t.validate({"f": "true"}) is None
    assert t.validate({"f": "msg"}) == {"f": "bad value"}
    # no message: Kong's fallback
    assert t.validate({"f": "false"}) == {"f": "failed validating: false"}


def test_field_err_overrides_every_validator_message() -> None:
    t = schema(f=Field(type="string", len_min=3, err="too short"))
    assert t.validate({"f": "ab"}) == {"f": "too short"}
    # but not the type check
    assert t.validate({"f": 1}) == {"f": "expected a string"}


def test_validates_an_array_length_with_len_eq() -> None:
    t = schema(arr=Field(type="array", elements=NUM, len_eq=3))
    assert t.validate({"arr": [1, 2, 3]}) is None
    assert t.validate({"arr": [1]}) == {"arr": "length must be 3"}
    assert t.validate({"arr": [1, 2, 3, 4]}) == {"arr": "length must be 3"}


def test_validates_a_map_length() -> None:
    t = schema(m=Field(type="map", keys=STR, values=NUM, len_min=1, len_max=2))
    assert t.validate({"m": {"a": 1}}) is None
    assert t.validate({"m": {}}) == {"m": "length must be at least 1"}
    assert t.validate({"m": {"a": 1, "b": 2, "c": 3}}) == {"m": "length must be at most 2"}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ([], True),
        ([1], True),
        ([1, 2, 3], True),
        # Lua's tables with holes ({ nil, 1 }) have no Python equivalent: a null element or a
        # table that is not a list is what fails here
        ([None, 1], False),
        ([1, 2, 3, None, 4, None], False),
        ({2: 1}, False),
    ],
)
def test_validates_an_array_and_a_set_is_sequential(value: Any, valid: bool) -> None:
    t = schema(
        set=Field(type="set", elements=Field(type="number")),
        arr=Field(type="array", elements=Field(type="number")),
    )
    data = t.process_auto_fields({"arr": value, "set": value}, "insert")
    errs = t.validate(data)
    assert (errs is None) is valid


def test_sequence_error_messages() -> None:
    t = schema(
        set=Field(type="set", elements=Field(type="number")),
        arr=Field(type="array", elements=Field(type="number")),
    )
    assert t.validate({"arr": {2: 1}, "set": "x"}) == {
        "arr": "expected an array",
        "set": "expected a set",
    }
    assert t.validate({"arr": [None, 1], "set": [1, None]}) == {
        "arr": {1: "required field missing"},
        "set": {2: "required field missing"},
    }


def test_validates_a_set_length_with_len_eq() -> None:
    t = schema(set=Field(type="set", elements=NUM, len_eq=3))

    def check(data: dict[str, Any]) -> Any:
        return t.validate(t.process_auto_fields(data, "insert"))

    assert check({"set": [4, 5, 6]}) is None
    assert check({"set": [4, 5, 6, 4]}) is None
    assert check({"set": [4, 4, 4]}) == {"set": "length must be 3"}
    assert check({"set": [4, 5]}) == {"set": "length must be 3"}


def test_validates_a_string_length_with_len_min() -> None:
    t = schema(s=Field(type="string", len_min=1))
    assert t.validate({"s": "A"}) is None
    assert t.validate({"s": "AAAAA"}) is None
    assert t.validate({"s": ""}) == {"s": "length must be at least 1"}


def test_strings_cannot_be_empty_unless_said_otherwise() -> None:
    t = schema(a=Field(type="string"), b=Field(type="string", len_min=0))
    assert t.validate({"a": "AA", "b": "AA"}) is None
    assert t.validate({"a": "A", "b": "A"}) is None
    assert t.validate({"a": "A", "b": ""}) is None
    errs = t.validate({"a": "", "b": ""})
    assert errs == {"a": "length must be at least 1"}


def test_validates_a_string_length_with_len_max() -> None:
    # Kong's case of the same name tests len_min (a copy-paste slip); this one tests len_max
    t = schema(s=Field(type="string", len_max=3))
    assert t.validate({"s": "A"}) is None
    assert t.validate({"s": "AAA"}) is None
    assert t.validate({"s": "AAAAA"}) == {"s": "length must be at most 3"}
    assert t.validate({"s": ""}) == {"s": "length must be at least 1"}


@pytest.mark.parametrize("value", [1, 1234567890, 9876543210, 0.5])
def test_validates_a_timestamp_with_timestamp(value: Any) -> None:
    t = schema(a_number=Field(type="number", timestamp=True))
    assert t.validate({"a_number": value}) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [(-1, "expected a valid timestamp"), (0, "expected a valid timestamp"), ("wat", None)],
)
def test_rejects_bad_timestamps(value: Any, message: str | None) -> None:
    t = schema(a_number=Field(type="number", timestamp=True))
    assert t.validate({"a_number": value}) == {"a_number": message or "expected a number"}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        # correct
        ("cbb297c0-a956-486d-ad1d-f9b42df9465a", True),
        # invalid variant, but accepts
        ("cbb297c0-a956-486d-dd1d-f9b42df9465a", True),
        # "null" UUID
        ("00000000-0000-0000-0000-000000000000", True),
        # upper case (Kong matches case-insensitively)
        ("CBB297C0-A956-486D-AD1D-F9B42DF9465A", True),
        # incorrect characters
        ("cbb297c0-a956-486d-ad1d-f9bZZZZZZZZZ", False),
        # no dashes
        ("cbb297c0a956486dad1df9b42df9465a", False),
        # trailing newline
        ("cbb297c0-a956-486d-ad1d-f9b42df9465a\n", False),
    ],
)
def test_validates_the_shape_of_uuids_with_uuid(value: str, valid: bool) -> None:
    t = schema(f=Field(type="string", uuid=True))
    assert t.validate({"f": value}) == (None if valid else {"f": "expected a valid UUID"})


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ([], True),
        (["v1"], True),
        (["v2"], True),
        (["v1", "v3"], True),
        (["v2", "v4"], True),
        (["v1", "v2"], False),
        (["v1", "v4"], False),
        (["v3", "v2"], False),
        (["v3", "v4"], False),
    ],
)
def test_validates_mutually_exclusive_set_values(value: list[str], valid: bool) -> None:
    t = schema(
        f=Field(
            type="array",
            elements=Field(type="string", one_of=("v1", "v2", "v3", "v4")),
            mutually_exclusive_subsets=[["v1", "v3"], ["v2", "v4"]],
        )
    )
    expected = (
        None if valid else {"f": "these sets are mutually exclusive: ('v1', 'v3'), ('v2', 'v4')"}
    )
    assert t.validate({"f": value}) == expected


def test_ensures_an_array_is_a_table() -> None:
    t = schema(f=Field(type="array", elements=STR))
    assert t.validate({"f": []}) is None
    assert t.validate({"f": "foo"}) == {"f": "expected an array"}


def test_validates_array_elements() -> None:
    t = schema(f=Field(type="array", elements=NUM))
    assert t.validate({"f": []}) is None
    assert t.validate({"f": [1]}) is None
    assert t.validate({"f": [1, -1]}) is None
    assert t.validate({"f": ["hello"]}) == {"f": {1: "expected a number"}}
    assert t.validate({"f": [1, 2, "foo"]}) == {"f": {3: "expected a number"}}


def test_validates_rules_in_array_elements() -> None:
    t = schema(
        f=Field(
            type="array",
            elements=Field(
                type="string",
                one_of=("foo", "bar", "baz"),
                not_one_of=("forbidden", "also_forbidden"),
            ),
        )
    )
    assert t.validate({"f": []}) is None
    assert t.validate({"f": ["foo"]}) is None
    assert t.validate({"f": ["baz", "foo"]}) is None
    assert t.validate({"f": ["hello"]}) == {"f": {1: "expected one of: foo, bar, baz"}}
    assert t.validate({"f": ["foo", "hello", "foo"]}) == {
        "f": {2: "expected one of: foo, bar, baz"}
    }
    assert t.validate({"f": ["baz", "foo", "forbidden"]}) == {
        "f": {3: "must not be one of: forbidden, also_forbidden"}
    }
    assert t.validate({"f": ["baz", "foo", "also_forbidden"]}) == {
        "f": {3: "must not be one of: forbidden, also_forbidden"}
    }


def test_ensures_a_set_is_a_table() -> None:
    t = schema(f=Field(type="set", elements=STR))
    assert t.validate({"f": []}) is None
    assert t.validate({"f": "foo"}) == {"f": "expected a set"}


def test_validates_set_elements() -> None:
    t = schema(f=Field(type="set", elements=NUM))
    assert t.validate({"f": []}) is None
    assert t.validate({"f": [1]}) is None
    assert t.validate({"f": [1, -1]}) is None
    assert t.validate({"f": ["hello"]}) == {"f": {1: "expected a number"}}
    assert t.validate({"f": [1, 2, "foo"]}) == {"f": {3: "expected a number"}}


def test_ensures_a_map_is_a_table() -> None:
    t = schema(f=Field(type="map", keys=STR, values=STR))
    assert t.validate({"f": {}}) is None
    assert t.validate({"f": "foo"}) == {"f": "expected a map"}


def test_accepts_a_map_with_keys_and_values() -> None:
    t = schema(f=Field(type="map", keys=STR, values=STR))
    assert t.validate({"f": {}}) is None


def test_validates_map_elements() -> None:
    t = schema(f=Field(type="map", keys=STR, values=NUM))
    assert t.validate({"f": {"foo": 2}}) is None
    assert t.validate({"f": {2: 2}}) == {"f": "expected a string"}
    assert t.validate({"f": {2: "foo"}}) == {"f": "expected a string"}
    assert t.validate({"f": {"foo": "foo"}}) == {"f": "expected a number"}
    assert t.validate({"f": {"bar": 3, "foo": 2}}) is None
    assert t.validate({"f": {"bar": 3, 2: 2}}) == {"f": "expected a string"}
    assert t.validate({"f": {"bar": 3, 2: "foo"}}) == {"f": "expected a string"}
    assert t.validate({"f": {"bar": 3, "foo": "foo"}}) == {"f": "expected a number"}


def test_map_keys_and_values_are_required() -> None:
    t = schema(f=Field(type="map", keys=STR, values=NUM))
    assert t.validate({"f": {"a": None}}) == {"f": "required field missing"}


def test_ensures_a_record_is_a_table() -> None:
    t = schema(f=Field(type="record", fields={"r": STR}))
    assert t.validate({"f": {}}) is None
    assert t.validate({"f": "foo"}) == {"f": "expected a record"}


def test_accepts_a_record_with_empty_fields() -> None:
    t = schema(f=Field(type="record", fields=()))
    assert t.validate({"f": {}}) is None


def test_validates_record_elements() -> None:
    t = schema(f=Field(type="record", fields=[("a", STR), ("b", NUM)]))
    assert t.validate({"f": {"a": "foo"}}) is None
    assert t.validate({"f": {"b": 42}}) is None
    assert t.validate({"f": {"a": "foo", "b": 42}}) is None
    assert t.validate({"f": {"a": 2}}) == {"f": {"a": "expected a string"}}
    assert t.validate({"f": {"b": "foo"}}) == {"f": {"b": "expected a number"}}
    assert t.validate({"f": {"a": 2, "b": "foo"}}) == {
        "f": {"a": "expected a string", "b": "expected a number"}
    }
    assert t.validate({"f": {"c": 1}}) == {"f": {"c": "unknown field"}}


def test_validates_nested_records() -> None:
    t = schema(
        f=Field(
            type="record",
            fields=[("r", Field(type="record", fields=[("a", STR), ("b", NUM)]))],
        )
    )
    assert t.validate({"f": {"r": {"a": "foo"}}}) is None
    assert t.validate({"f": {"r": {"b": 42}}}) is None
    assert t.validate({"f": {"r": {"a": "foo", "b": 42}}}) is None
    assert t.validate({"f": {"r": {"a": 2}}}) == {"f": {"r": {"a": "expected a string"}}}
    assert t.validate({"f": {"r": {"b": "foo"}}}) == {"f": {"r": {"b": "expected a number"}}}
    assert t.validate({"f": {"r": {"a": 2, "b": "foo"}}}) == {
        "f": {"r": {"a": "expected a string", "b": "expected a number"}}
    }


def test_records_get_their_defaults_before_validation() -> None:
    # Kong validates a record after process_auto_fields(value, "insert"): a required sub-field
    # with a default is not missing
    t = schema(
        f=Field(type="record", fields=[("a", Field(type="string", required=True, default="x"))])
    )
    assert t.validate({"f": {}}) is None
    r = schema(f=Field(type="record", fields=[("a", Field(type="string", required=True))]))
    assert r.validate({"f": {}}) == {"f": {"a": "required field missing"}}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (123, True),
        (0, True),
        (-123, True),
        (5.0, True),
        (0.5, False),
        (-0.5, False),
        (math.inf, False),
        (-math.inf, False),
        (math.nan, False),
        ("123", False),
        ("foo", False),
        (True, False),
    ],
)
def test_validates_an_integer(value: Any, valid: bool) -> None:
    t = schema(f=Field(type="integer"))
    assert t.validate({"f": value}) == (None if valid else {"f": "expected an integer"})


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (123, True),
        (0, True),
        (-123, True),
        (0.5, True),
        (-0.5, True),
        (math.inf, True),
        (-math.inf, True),
        ("123", False),
        ("foo", False),
        (False, False),
    ],
)
def test_validates_a_number(value: Any, valid: bool) -> None:
    t = schema(f=Field(type="number"))
    assert t.validate({"f": value}) == (None if valid else {"f": "expected a number"})


@pytest.mark.parametrize(
    ("value", "valid"),
    [(True, True), (False, True), (0, False), (1, False), ("true", False), ("false", False)],
)
def test_validates_a_boolean(value: Any, valid: bool) -> None:
    t = schema(f=Field(type="boolean"))
    assert t.validate({"f": value}) == (None if valid else {"f": "expected a boolean"})


def test_required_fields() -> None:
    t = schema(f=Field(type="number", required=True), g=Field(type="number"))
    assert t.validate({}) == {"f": "required field missing"}
    assert t.validate({"f": None}) == {"f": "required field missing"}
    assert t.validate({}, full_check=False) is None
    # explicit null always fails, even on a partial check
    assert t.validate({"f": None}, full_check=False) == {"f": "required field missing"}
    assert t.validate({"f": 1, "g": None}) is None


def test_validate_field_directly() -> None:
    t = schema()
    f = Field(type="string", required=True)
    assert t.validate_field(f, "x") is None
    assert t.validate_field(f, None) == "required field missing"
    assert t.validate_field(f, UNSET) == "required field missing"
    assert t.validate_field(Field(type="string"), None) is None
    assert t.validate_field(Field(type="string"), 1) == "expected a string"


# --------------------------------------------------------------------------------------------
# validate_primary_key


def test_validates_primary_keys() -> None:
    t = with_pk(
        ("a", "c"),
        a=Field(type="string"),
        b=Field(type="number"),
        c=Field(type="number", default=110),
    )
    assert t.validate_primary_key({"a": "hello", "c": 195}) is None


def test_fails_on_missing_required_primary_keys() -> None:
    t = with_pk(
        ("a", "c"),
        a=Field(type="string"),
        b=Field(type="number"),
        c=Field(type="number", required=True),
    )
    errs = t.validate_primary_key({"a": "hello"})
    assert errs == {"c": "missing primary key"}


def test_fails_on_null_required_primary_keys() -> None:
    t = with_pk(("a",), a=Field(type="string", required=True))
    assert t.validate_primary_key({"a": None}) == {"a": "required field missing"}


def test_fails_on_missing_foreign_primary_keys() -> None:
    t = with_pk(
        ("f",),
        f=Field(type="foreign", reference="t_validators_mock_consumers"),
        b=NUM,
        c=NUM,
    )
    errs = t.validate_primary_key({})
    assert errs is not None
    assert "missing primary key" in errs["f"]


def test_fails_on_bad_foreign_primary_keys() -> None:
    t = with_pk(
        ("f",),
        f=Field(type="foreign", reference="t_validators_schema_test"),
        b=NUM,
        c=NUM,
    )
    errs = t.validate_primary_key({"f": {"id": None}})
    assert errs is not None
    assert "required field missing" in errs["f"]["id"]


def test_fails_given_non_primary_keys() -> None:
    t = with_pk(
        ("a", "c"),
        a=Field(type="string"),
        b=Field(type="number"),
        c=Field(type="number", required=True),
    )
    errs = t.validate_primary_key({"a": "hello", "b": 123, "c": 9})
    assert errs == {"b": "not a primary key"}


def test_fails_given_invalid_keys() -> None:
    t = with_pk(
        ("a", "c"),
        a=Field(type="string"),
        b=Field(type="number"),
        c=Field(type="number", required=True),
    )
    errs = t.validate_primary_key({"a": "hello", "x": 123})
    assert errs == {"c": "missing primary key", "x": "not a primary key"}


def test_fails_on_missing_non_required_primary_key() -> None:
    t = with_pk(("a", "c"), a=Field(type="string"), b=NUM, c=NUM)
    assert t.validate_primary_key({"a": "hello"}) == {"c": "missing primary key"}


def test_validate_primary_key_validates_the_values() -> None:
    t = with_pk(("a",), a=Field(type="string", uuid=True))
    assert t.validate_primary_key({"a": "nope"}) == {"a": "expected a valid UUID"}
    # ignore_others: the foreign-key form, other fields allowed
    assert t.validate_primary_key({"a": "nope", "b": 1}, ignore_others=True) == {
        "a": "expected a valid UUID"
    }


# --------------------------------------------------------------------------------------------
# validate_insert / validate_update


def test_validate_insert_demands_required_fields() -> None:
    t = schema(f=Field(type="number", required=True))
    assert t.validate_insert({"f": 123}) is None
    assert t.validate_insert({}) == {"f": "required field missing"}


def test_validate_upsert_demands_required_fields() -> None:
    t = schema(f=Field(type="number", required=True))
    assert t.validate_upsert({"f": 123}) is None
    assert t.validate_upsert({}) == {"f": "required field missing"}


def test_validate_update_does_not_demand_required_fields() -> None:
    t = schema(f=Field(type="number", required=True))
    assert t.validate_update({"f": 123}) is None
    assert t.validate_update({}) is None


# --------------------------------------------------------------------------------------------
# validate_immutable_fields


def test_returns_ok_when_immutable_unset_in_schema_fields() -> None:
    t = Schema(name="test", fields={"name": STR})
    assert t.validate_immutable_fields({"name": "test1"}, {"name": "test2"}) is None


def test_returns_errors_when_immutable_set_incoming_field_being_updated() -> None:
    t = Schema(
        name="test",
        fields={
            "name": Field(type="string", immutable=True),
            "address": Field(type="string", immutable=True),
            "email": STR,
        },
    )
    errs = t.validate_immutable_fields(
        {"name": "test1", "address": "a", "email": "a@thing.com"},
        {"name": "test2", "address": "b", "email": "b@thing.com"},
    )
    assert errs == {
        "name": "immutable field cannot be updated",
        "address": "immutable field cannot be updated",
    }


def test_returns_ok_when_immutable_field_being_updated_and_value_is_same() -> None:
    t = Schema(name="test", fields={"name": Field(type="string", immutable=True)})
    assert t.validate_immutable_fields({"name": "test1"}, {"name": "test1"}) is None


def test_immutable_ignores_fields_absent_from_the_stored_entity() -> None:
    t = Schema(name="test", fields={"name": Field(type="string", immutable=True)})
    assert t.validate_immutable_fields({"name": "test1"}, {}) is None


IMMUTABLE_MAP = Field(type="map", keys=STR, values=Field(type="any"), immutable=True)


@pytest.mark.parametrize(
    ("definition", "new", "stored", "same"),
    [
        # Kong's "set" cases compare Lua tables with string keys: deep comparison
        (
            IMMUTABLE_MAP,
            {"dog": "hello", "cat": {"bat": "hello"}},
            {"dog": "hello", "cat": {"bat": "hello"}},
            True,
        ),
        (
            IMMUTABLE_MAP,
            {"dog": "hello", "cat": {"bat": "hello"}},
            {"dog": "hello", "cat": {"bat": "goodbye"}},
            False,
        ),
        # foreign keys: deep comparison
        (
            Field(type="foreign", reference="t_validators_mock_consumers", immutable=True),
            {"id": "1"},
            {"id": "1"},
            True,
        ),
        (
            Field(type="foreign", reference="t_validators_mock_consumers", immutable=True),
            {"id": "1"},
            {"id": "2"},
            False,
        ),
        # arrays and sets: compared ignoring order
        (
            Field(type="array", elements=STR, immutable=True),
            ["dog", "bat", "cat"],
            ["bat", "cat", "dog"],
            True,
        ),
        (
            Field(type="set", elements=STR, immutable=True),
            ["dog", "bat", "cat"],
            ["bat", "cat", "dog"],
            True,
        ),
        (
            Field(type="array", elements=STR, immutable=True),
            ["dog", "bat", "cat"],
            ["bat", "cat", "rat"],
            False,
        ),
        (
            Field(type="array", elements=STR, immutable=True),
            ["dog", "bat"],
            ["bat", "dog", "dog"],
            False,
        ),
        # Penlight's compare_no_order counts repeated elements
        (
            Field(type="array", elements=STR, immutable=True),
            ["dog", "dog", "bat"],
            ["dog", "bat", "bat"],
            False,
        ),
    ],
)
def test_can_assess_if_immutable_fields_are_similar(
    definition: Field, new: Any, stored: Any, same: bool
) -> None:
    t = Schema(name="test", fields={"f": definition})
    errs = t.validate_immutable_fields({"f": new}, {"f": stored})
    assert errs == (None if same else {"f": "immutable field cannot be updated"})


def test_messages_are_kongs() -> None:
    assert MESSAGES["IMMUTABLE"] == "immutable field cannot be updated"
    assert MESSAGES["REQUIRED"] == "required field missing"
