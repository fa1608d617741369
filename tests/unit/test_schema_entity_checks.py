"""Entity checks: Kong's ``spec/01-unit/01-db/01-schema/01-schema_spec.lua`` (2.8.5), ported.

Covers the ``entity_checkers`` block, the entity-check cases of ``validate_update`` and the
implicit ``mutually_required`` checks that transformations add on writes. Kong's Lua patterns
are written here as Python regular expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from kongdao.schema import Field, Schema, Transformation, checks
from kongdao.schema.checks import EntityCheck

STR = Field(type="string")
NUM = Field(type="number")


def schema(checks_: Sequence[EntityCheck], **fields: Field) -> Schema:
    return Schema(fields=fields, entity_checks=checks_)


# --------------------------------------------------------------------------------------------
# conditional_at_least_one_of

CALOO = schema(
    [
        checks.conditional_at_least_one_of(
            if_field="a", if_match={"gt": 0}, then_at_least_one_of=["b", "c"]
        )
    ],
    a=NUM,
    b=STR,
    c=STR,
)


def test_conditional_at_least_one_of_sanity() -> None:
    errs = CALOO.validate_insert({"a": 1})
    assert errs is not None
    assert errs["@entity"] == ["at least one of these fields must be non-empty: 'b', 'c'"]
    assert CALOO.validate_insert({"a": 1, "b": "foo"}) is None


def test_conditional_at_least_one_of_does_not_run_when_condition_is_false() -> None:
    assert CALOO.validate_insert({"a": 0}) is None


def test_conditional_at_least_one_of_does_not_run_when_if_field_is_missing() -> None:
    assert CALOO.validate_insert({"b": "foo"}) is None


def test_conditional_at_least_one_of_works_on_updates() -> None:
    assert CALOO.validate_insert({}) is None
    # can update to whole valid record
    assert CALOO.validate_update({"a": 123, "b": "foo"}) is None
    # empty update works
    assert CALOO.validate_update({}) is None
    # cannot update if_field without respecifying at least one of the then_at_least_one_of
    # fields, because this checker does not trigger a read-before-write (yet)
    assert CALOO.validate_update({"a": 123}) == {
        "@entity": ["when updating, at least one of these fields must be non-empty: 'b', 'c'"]
    }


def test_conditional_at_least_one_of_supports_an_else_clause() -> None:
    t = schema(
        [
            checks.conditional_at_least_one_of(
                if_field="a",
                if_match={"gt": 0},
                then_at_least_one_of=["b", "c"],
                else_match={"ne": 0},
                else_then_at_least_one_of=["c", "d"],
            )
        ],
        a=NUM,
        b=STR,
        c=STR,
        d=STR,
    )
    errs = t.validate_insert({"a": -1})
    assert errs is not None
    assert errs["@entity"] == ["at least one of these fields must be non-empty: 'c', 'd'"]
    assert t.validate_insert({"a": -1, "d": "foo"}) is None
    assert t.validate_insert({"a": 0}) is None


def test_conditional_at_least_one_of_supports_a_custom_error_message() -> None:
    t = schema(
        [
            checks.conditional_at_least_one_of(
                if_field="a",
                if_match={"gt": 0},
                then_at_least_one_of=["b", "c"],
                then_err="must set one of %s if 'a' is like this",
                else_match={"ne": 0},
                else_then_at_least_one_of=["c", "d"],
                else_then_err="must set one of %s if 'a' is like that",
            )
        ],
        a=NUM,
        b=STR,
        c=STR,
    )
    errs = t.validate_insert({"a": 1})
    assert errs is not None
    assert errs["@entity"] == ["must set one of 'b', 'c' if 'a' is like this"]
    errs = t.validate_insert({"a": -1})
    assert errs is not None
    assert errs["@entity"] == ["must set one of 'c', 'd' if 'a' is like that"]


# --------------------------------------------------------------------------------------------
# conditional


def test_conditional_can_check_on_false() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="a",
                if_match={"eq": True},
                then_field="b",
                then_match={"eq": False},
                then_err="can't have a and b at the same time",
            )
        ],
        a=Field(type="boolean"),
        b=Field(type="boolean"),
    )
    assert t.validate_insert({"a": True, "b": False}) is None
    errs = t.validate_insert({"a": True, "b": True})
    assert errs is not None
    assert errs["@entity"] == ["can't have a and b at the same time"]
    # the then_field carries the validator's message
    assert errs["b"] == "value must be false"


def test_conditional_supports_a_custom_error_message() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="a",
                if_match={"gt": 0},
                then_field="b",
                then_match={"gt": 0},
                then_err="must set 'b > 0' if '%s' is like this",
            )
        ],
        a=NUM,
        b=STR,
        c=STR,
    )
    # b is a string field: the conditional runs with invalid fields and fails on the type
    errs = t.validate_insert({"a": 1, "b": 0})
    assert errs == {
        "b": "expected a string",
        "@entity": ["must set 'b > 0' if 'a' is like this"],
    }


def test_conditional_then_match_error_on_the_then_field() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="a",
                if_match={"gt": 0},
                then_field="b",
                then_match={"len_min": 2},
                then_err="must set 'b' longer if '%s' is like this",
            )
        ],
        a=NUM,
        b=STR,
    )
    assert t.validate_insert({"a": 1, "b": "0"}) == {
        "b": "length must be at least 2",
        "@entity": ["must set 'b' longer if 'a' is like this"],
    }
    assert t.validate_insert({"a": 0, "b": "0"}) is None


def test_conditional_default_message() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="a", if_match={"eq": True}, then_field="b", then_match={"eq": False}
            )
        ],
        a=Field(type="boolean"),
        b=Field(type="boolean"),
    )
    assert t.validate_insert({"a": True, "b": True}) == {
        "b": "value must be false",
        "@entity": ["failed conditional validation given value of field 'a'"],
    }


def test_conditional_then_required() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="a", if_match={"eq": True}, then_field="b", then_match={"required": True}
            )
        ],
        a=Field(type="boolean"),
        b=Field(type="boolean"),
    )
    assert t.validate_insert({"a": True, "b": False}) is None
    assert t.validate_insert({"a": False}) is None
    expected = {
        "b": "required field missing",
        "@entity": ["failed conditional validation given value of field 'a'"],
    }
    assert t.validate_insert({"a": True}) == expected
    assert t.validate_insert({"a": True, "b": None}) == expected


def test_conditional_if_field_is_required_for_the_check() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="policy",
                if_match={"match": r"^redis$"},
                then_field="host",
                then_match={"required": True},
            )
        ],
        policy=STR,
        host=STR,
    )
    assert t.validate({"host": "x"}) == {"policy": "field required for entity check"}
    assert t.validate({}) is None
    # Kong quirk, kept: a null if_field passes an if_match without eq (validating null against
    # a non-required field succeeds), so the then-part runs
    assert t.validate({"policy": None}) == {
        "host": "required field missing",
        "@entity": ["failed conditional validation given value of field 'policy'"],
    }


# --------------------------------------------------------------------------------------------
# the other checkers


def test_at_least_one_of() -> None:
    t = schema([checks.at_least_one_of("a", "b")], a=STR, b=STR)
    msg = "at least one of these fields must be non-empty: 'a', 'b'"
    assert t.validate_insert({"a": "x"}) is None
    assert t.validate_insert({}) == {"@entity": [msg]}
    assert t.validate_insert({"a": None, "b": None}) == {"@entity": [msg]}
    # runs even when a field is invalid
    assert t.validate_insert({"a": ""}) == {"a": "length must be at least 1", "@entity": [msg]}
    assert t.validate_insert({"a": 1}) == {"a": "expected a string"}
    # on a partial validation, only when one of its fields is given
    assert t.validate_update({}) is None
    assert t.validate_update({"a": None}) == {"@entity": ["when updating, " + msg]}


def test_at_least_one_of_treats_empty_values_as_missing() -> None:
    t = schema(
        [checks.at_least_one_of("s", "arr", "m")],
        s=Field(type="string", len_min=0),
        arr=Field(type="array", elements=STR),
        m=Field(type="map", keys=STR, values=STR),
    )
    assert t.validate_insert({"s": "", "arr": [], "m": {}}) == {
        "@entity": ["at least one of these fields must be non-empty: 's', 'arr', 'm'"]
    }
    assert t.validate_insert({"m": {"k": "v"}}) is None


def test_only_one_of() -> None:
    t = schema([checks.only_one_of("a", "b")], a=NUM, b=NUM, c=NUM, d=NUM)
    msg = "exactly one of these fields must be non-empty: 'a', 'b'"
    assert t.validate_insert({"a": 1, "b": None}) is None
    assert t.validate_insert({"a": 1, "b": 2}) == {"@entity": [msg]}
    assert t.validate_insert({"a": None, "b": None}) == {"@entity": [msg]}


def test_demands_interdependent_fields() -> None:
    t = schema([checks.only_one_of("a", "b")], a=NUM, b=NUM, c=NUM, d=NUM)
    assert t.validate_update({"a": 12}) == {"b": "field required for entity check when updating"}
    assert t.validate_update({"a": None, "b": None}) == {
        "@entity": ["exactly one of these fields must be non-empty: 'a', 'b'"]
    }
    assert t.validate_update({"a": 12, "b": None}) is None


def test_does_not_demand_interdependent_fields_that_are_not_being_updated() -> None:
    t = schema([checks.only_one_of("a", "b")], a=NUM, b=NUM, c=NUM, d=NUM)
    assert t.validate_update({"c": 15}) is None


def test_distinct() -> None:
    t = schema([checks.distinct("a", "b")], a=STR, b=STR)
    assert t.validate_insert({"a": "x", "b": "y"}) is None
    assert t.validate_insert({"a": "x", "b": None}) is None
    assert t.validate_insert({"a": "x", "b": "x"}) == {
        "@entity": ["values of these fields must be distinct: 'a', 'b'"]
    }


def test_mutually_required_checks() -> None:
    t = schema(
        [checks.mutually_required("a2"), checks.mutually_required("a1", "a3")],
        a1=STR,
        a2=STR,
        a3=STR,
    )
    errs = t.validate_update({"a1": "foo"})
    assert errs is not None
    assert errs["@entity"][0] == "all or none of these fields must be set: 'a1', 'a3'"
    assert t.validate_update({"a2": "foo"}) is None
    assert t.validate_insert({}) is None
    assert t.validate_insert({"a1": "x", "a3": "y"}) is None


def test_mutually_exclusive_checks() -> None:
    t = schema(
        [checks.mutually_exclusive("a2"), checks.mutually_exclusive("a1", "a3")],
        a1=STR,
        a2=STR,
        a3=STR,
    )
    errs = t.validate_update({"a1": "foo", "a3": "foo"})
    assert errs is not None
    assert errs["@entity"][0] == "only one or none of these fields must be set: 'a1', 'a3'"
    assert t.validate_update({"a2": "foo"}) is None
    assert t.validate_update({"a1": "foo", "a2": "foo"}) is None
    assert t.validate_update({}) is None


def test_mutually_exclusive_sets_checks() -> None:
    t = schema(
        [
            checks.mutually_exclusive_sets(["a3"], ["a5"]),
            checks.mutually_exclusive_sets(["a1", "a2"], ["a4", "a5"]),
        ],
        a1=STR,
        a2=STR,
        a3=STR,
        a4=STR,
        a5=STR,
    )
    errs = t.validate_update({"a1": "foo", "a5": "bla"})
    assert errs is not None
    assert errs["@entity"][0] == "these sets are mutually exclusive: ('a1'), ('a5')"
    assert t.validate_update({"a1": "foo"}) is None
    errs = t.validate_update({"a3": "foo", "a5": "bla"})
    assert errs is not None
    assert errs["@entity"][0] == "these sets are mutually exclusive: ('a3'), ('a5')"
    assert t.validate_update({"a5": "foo"}) is None
    # only the non-empty fields are listed
    errs = t.validate_insert({"a1": "x", "a2": "y", "a4": "z"})
    assert errs == {"@entity": ["these sets are mutually exclusive: ('a1', 'a2'), ('a4')"]}


def test_conditional_checks() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="policy",
                if_match={"match": r"^redis$"},
                then_field="redis_host",
                then_match={"required": True},
            ),
            checks.conditional(
                if_field="policy",
                if_match={"match": r"^redis$"},
                then_field="redis_port",
                then_match={"required": True},
            ),
        ],
        policy=Field(type="string", one_of=("redis", "bla"), not_one_of=("cluster",)),
        redis_host=STR,
        redis_port=NUM,
    )
    conditional_msg = "failed conditional validation given value of field 'policy'"
    assert t.validate_update({"policy": "redis"}) == {
        "redis_host": "required field missing",
        "redis_port": "required field missing",
        "@entity": [conditional_msg, conditional_msg],
    }
    assert (
        t.validate_update({"policy": "redis", "redis_host": None, "redis_port": None}) is not None
    )
    assert (
        t.validate_update({"policy": "redis", "redis_host": "example.com", "redis_port": 80})
        is None
    )
    assert t.validate_update({"policy": "bla"}) is None
    assert t.validate_update({"policy": "cluster"}) == {"policy": "must not be one of: cluster"}


def test_conditional_checks_on_set_elements() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="a_set",
                if_match={"elements": Field(type="string", one_of=("foo",))},
                then_field="redis_host",
                then_match={"eq": "host_foo"},
            )
        ],
        redis_host=STR,
        a_set=Field(
            type="set",
            elements=Field(
                type="string",
                one_of=("foo", "bar"),
                not_one_of=("forbidden", "also_forbidden"),
            ),
        ),
    )
    assert t.validate_update({"a_set": ["foo"], "redis_host": "host_foo"}) is None
    errs = t.validate_update({"a_set": ["foo"], "redis_host": "host_bar"})
    assert errs is not None
    assert errs["redis_host"] == "value must be host_foo"
    assert t.validate_update({"a_set": ["bar"], "redis_host": "any_other_host"}) is None
    errs = t.validate_update({"a_set": ["forbidden"], "redis_host": "host_foo"})
    assert errs is not None
    assert errs["a_set"][1] == "must not be one of: forbidden, also_forbidden"


def _custom_check(expected: Mapping[str, Any]) -> Callable[[dict[str, Any]], Any]:
    def fn(entity: dict[str, Any]) -> Any:
        # the checker sees its own fields only
        assert "aaa" not in entity
        if all(entity.get(k) == v for k, v in expected.items()):
            return True
        return "oh no"

    return fn


def test_custom_entity_checks() -> None:
    t = schema(
        [
            checks.custom_entity_check(
                field_sources=["bbb", "ccc"], fn=_custom_check({"bbb": "foo", "ccc": 42})
            )
        ],
        aaa=STR,
        bbb=STR,
        ccc=NUM,
    )
    assert t.validate_update({"aaa": "bar", "bbb": "foo", "ccc": 42}) is None
    assert t.validate_update({"aaa": None, "bbb": "foo", "ccc": 42}) is None

    errs = t.validate({"aaa": None, "bbb": "foo"})
    assert errs == {"ccc": "field required for entity check"}

    errs = t.validate_update({"aaa": None, "bbb": "foo"})
    assert errs == {"ccc": "field required for entity check when updating"}

    assert t.validate_update({"aaa": None}) is None

    errs = t.validate_update({"bbb": "foo", "ccc": 43})
    assert errs == {"@entity": ["oh no"]}

    errs = t.validate_update({"bbb": "foooo", "ccc": 42})
    assert errs == {"@entity": ["oh no"]}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, None),
        (True, None),
        ("custom message", {"@entity": ["custom message"]}),
        # Kong's fallback for a check without a message
        (False, {"@entity": ["failed entity check: custom_entity_check(a)"]}),
    ],
)
def test_custom_entity_check_results(result: Any, expected: Any) -> None:
    t = schema([checks.custom_entity_check(field_sources=["a"], fn=lambda _entity: result)], a=STR)
    assert t.validate({"a": "x"}) == expected


def test_does_not_run_an_entity_check_if_fields_have_errors() -> None:
    t = schema(
        [
            checks.custom_entity_check(
                field_sources=["bbb", "ccc"], fn=_custom_check({"bbb": "12345678", "ccc": 2})
            )
        ],
        aaa=STR,
        bbb=Field(type="string", len_min=8),
        ccc=Field(type="number", between=(0, 10)),
    )
    field_errors = {
        "bbb": "length must be at least 8",
        "ccc": "value should be between 0 and 10",
    }
    assert t.validate_update({"aaa": "bar", "bbb": "foo", "ccc": 42}) == field_errors
    assert t.validate({"aaa": None, "bbb": "foo", "ccc": 42}) == field_errors
    assert t.validate({"bbb": "AAAAAAAA", "ccc": 9}) == {"@entity": ["oh no"]}
    assert t.validate({"bbb": "12345678", "ccc": 2}) is None


def test_supports_entity_checks_on_nested_fields() -> None:
    t = schema(
        [
            checks.conditional(
                if_field="config.policy",
                if_match={"eq": "redis"},
                then_field="config.redis_host",
                then_match={"required": True},
            ),
            checks.conditional(
                if_field="config.policy",
                if_match={"eq": "redis"},
                then_field="config.redis_port",
                then_match={"required": True},
            ),
        ],
        config=Field(
            type="record",
            fields=[
                ("policy", Field(type="string", one_of=("redis", "bla"))),
                ("redis_host", STR),
                ("redis_port", NUM),
            ],
        ),
    )
    conditional_msg = "failed conditional validation given value of field 'config.policy'"
    assert t.validate_update({"config": {"policy": "redis"}}) == {
        "config": {
            "redis_host": "required field missing",
            "redis_port": "required field missing",
        },
        "@entity": [conditional_msg, conditional_msg],
    }
    assert (
        t.validate_update({"config": {"policy": "redis", "redis_host": None, "redis_port": None}})
        is not None
    )
    assert (
        t.validate_update(
            {"config": {"policy": "redis", "redis_host": "example.com", "redis_port": 80}}
        )
        is None
    )
    assert t.validate_update({"config": {"policy": "bla"}}) is None


def test_entity_checks_of_records() -> None:
    # a record's own entity_checks report inside the record's error table
    t = Schema(
        fields={
            "config": Field(
                type="record",
                fields=[("a", STR), ("b", STR)],
                entity_checks=[checks.at_least_one_of("a", "b")],
            )
        }
    )
    assert t.validate({"config": {"a": "x"}}) is None
    assert t.validate({"config": {}}) == {
        "config": {"@entity": ["at least one of these fields must be non-empty: 'a', 'b'"]}
    }


def test_subschema_entity_checks_see_parent_fields() -> None:
    parent = Schema(
        name="test",
        subschema_key="name",
        fields={"name": Field(type="string", required=True), "a": STR, "b": STR},
    )
    parent.new_subschema(
        "sub", Schema(fields={}, entity_checks=[checks.mutually_required("a", "b")])
    )
    assert parent.validate({"name": "sub", "a": "x", "b": "y"}) is None
    assert parent.validate({"name": "sub", "a": "x"}) == {
        "@entity": ["all or none of these fields must be set: 'a', 'b'"]
    }
    # another subschema's checks do not apply
    parent.new_subschema("other", Schema(fields={}))
    assert parent.validate({"name": "other", "a": "x"}) is None


# --------------------------------------------------------------------------------------------
# mutually required checks specified by transformations
#
# Kong runs these on a schema and on a subschema (returned by new_subschema); kongdao's
# subschema is the very Schema given to new_subschema, so the third kind, "parent", validates
# through the parent schema with the subschema key set.


def _noop(*_args: Any) -> dict[str, Any]:
    return {}


class Kind:
    """One of Kong's ``SchemaKind`` (plus "parent"): builds and validates a test schema."""

    def __init__(self, name: str, fields: Mapping[str, Field], transformations: Any) -> None:
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

    def _with_key(self, data: Mapping[str, Any] | None) -> Any:
        if data is None or self.name != "parent":
            return data
        return {"kind": "subtest", **data}

    def validate_update(
        self,
        data: Mapping[str, Any],
        original_input: Mapping[str, Any] | None = None,
        rbw_entity: Mapping[str, Any] | None = None,
    ) -> Any:
        return self.target.validate_update(
            self._with_key(data), self._with_key(original_input), self._with_key(rbw_entity)
        )

    def transform(
        self,
        data: Mapping[str, Any],
        original_input: Mapping[str, Any] | None = None,
        context: Any = "insert",
    ) -> dict[str, Any]:
        out = self.target.transform(self._with_key(data), self._with_key(original_input), context)
        if self.name == "parent":
            assert out.pop("kind") == "subtest"
        return out


KINDS = ["schema", "subschema", "parent"]


@pytest.mark.parametrize("kind", KINDS)
def test_mutually_required_checks_specified_by_transformations(kind: str) -> None:
    t = Kind(
        kind,
        {"name": Field(type="string", required=True), "a1": STR, "a2": STR, "a3": STR},
        [
            Transformation(input=["a2"], on_write=_noop),
            Transformation(input=["a1", "a3"], on_write=_noop),
        ],
    )
    errs = t.validate_update({"name": "test", "a1": "foo"})
    assert errs is not None
    assert errs["@entity"][0] == "all or none of these fields must be set: 'a1', 'a3'"

    assert t.validate_update({"a2": "foo"}) is None

    # the original input decides, not the merged entity
    errs = t.validate_update(
        {"a1": "aaa", "a2": "bbb", "a3": "ccc", "a4": "ddd"},
        {"a1": "foo"},
    )
    assert errs is not None
    assert errs["a4"] == "unknown field"
    assert errs["@entity"][0] == "all or none of these fields must be set: 'a1', 'a3'"


@pytest.mark.parametrize("kind", KINDS)
def test_mutually_required_checks_specified_by_transformations_with_needs(kind: str) -> None:
    t = Kind(
        kind,
        {"a1": STR, "a2": STR, "a3": STR, "a4": STR},
        [
            Transformation(input=["a2"], on_write=_noop),
            Transformation(input=["a1", "a3"], needs=["a4"], on_write=_noop),
        ],
    )
    errs = t.validate_update({"a1": "foo"})
    assert errs is not None
    assert errs["@entity"][0] == "all or none of these fields must be set: 'a1', 'a3', 'a4'"

    assert (
        t.validate_update({"a1": "foo", "a3": "bar", "a4": "car"}, {"a1": "foo", "a3": "bar"})
        is None
    )
    assert t.validate_update({"a2": "foo"}) is None


ALL = "all or none of these fields must be set: 'i1', 'i2', 'n1', 'n2'"
INPUTS = "all or none of these fields must be set: 'i1', 'i2'"
I1, I2, N1, N2 = {"i1": "foo"}, {"i2": "bar"}, {"n1": "foo"}, {"n2": "bar"}

# input = I1, I2; needs = N1, N2.  (entity after merge, original input, rbw entity, error)
COMBINATIONS: list[
    tuple[str, dict[str, str], dict[str, str], dict[str, str] | None, str | None]
] = [
    ("01 no input: ok", {}, {}, None, None),
    ("02 I1 I2 N1 N2: ok", {}, {**I1, **I2, **N1, **N2}, None, None),
    ("03 I1 I2 N1: ok, rbw N2", {**I1, **I2, **N1, **N2}, {**I1, **I2, **N1}, None, None),
    ("04 I1 I2 N2: ok, rbw N1", {**I1, **I2, **N1, **N2}, {**I1, **I2, **N2}, None, None),
    ("05 I1 I2: ok, rbw N1 N2", {**I1, **I2, **N1, **N2}, {**I1, **I2}, None, None),
    ("06 I1 I2: fail, rbw N1, missing N2", {**I1, **I2, **N1}, {**I1, **I2}, None, ALL),
    ("07 I1 I2: fail, rbw N2, missing N1", {**I1, **I2, **N2}, {**I1, **I2}, None, ALL),
    ("08 I1 I2: fail, missing N1 N2", {**I1, **I2}, {**I1, **I2}, None, ALL),
    ("09 I1 N1 N2: fail, missing I2", {**I1, **N1, **N2}, {**I1, **N1, **N2}, None, ALL),
    ("10 I1 N1: fail, missing I2", {**I1, **N1}, {**I1, **N1}, None, ALL),
    ("11 I1 N1: fail, missing I2, rbw N2", {**I1, **N1, **N2}, {**I1, **N1}, None, ALL),
    ("12 I1 N1: fail, rbw I2 N2", {**I1, **I2, **N1, **N2}, {**I1, **N1}, None, INPUTS),
    ("13 I1 N2: fail, missing I2", {**I1, **N2}, {**I1, **N2}, None, ALL),
    ("14 I1 N2: fail, missing I2, rbw N1", {**I1, **N1, **N2}, {**I1, **N2}, None, ALL),
    ("15 I1 N2: fail, rbw I2 N1", {**I1, **I2, **N1, **N2}, {**I1, **N2}, None, INPUTS),
    ("16 I1: fail, missing I2", I1, I1, None, ALL),
    ("17 I1: fail, missing I2, rbw N1", {**I1, **N1}, I1, None, ALL),
    ("18 I1: fail, missing I2, rbw N1 N2", {**I1, **N1, **N2}, I1, None, ALL),
    ("19 I1: fail, rbw I2 N1 N2", {**I1, **I2, **N1, **N2}, I1, None, INPUTS),
    ("20 I2 N1 N2: fail, missing I1", {**I2, **N1, **N2}, {**I2, **N1, **N2}, None, ALL),
    ("21 I2 N1: fail, missing I1", {**I2, **N1}, {**I2, **N1}, None, ALL),
    ("22 I2 N2: fail, missing I1", {**I2, **N2}, {**I2, **N2}, None, ALL),
    ("23 I2: fail, missing I1", I2, I2, None, ALL),
    (
        "24 N1 N2: fail, needs changes would invalidate I1 I2",
        {**N1, **N2},
        {**N1, **N2},
        {"n1": "old-foo", "n2": "old-bar"},
        ALL,
    ),
    ("25 N1: fail, needs change", N1, N1, {"n1": "old-foo"}, ALL),
    ("26 N2: fail, needs change", N2, N2, {"n2": "old-bar"}, ALL),
    ("27 N1 N2: ok, no changes in needs", {**N1, **N2}, {**N1, **N2}, {**N1, **N2}, None),
    ("28 N1: ok, no changes in needs", N1, N1, N1, None),
    ("29 N2: ok, no changes in needs", N2, N2, N2, None),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("entity", "original_input", "rbw_entity", "error"),
    [c[1:] for c in COMBINATIONS],
    ids=[c[0] for c in COMBINATIONS],
)
def test_mutually_required_checks_specified_by_transformations_with_needs_combinations(
    kind: str,
    entity: dict[str, str],
    original_input: dict[str, str],
    rbw_entity: dict[str, str] | None,
    error: str | None,
) -> None:
    t = Kind(
        kind,
        {"i1": STR, "i2": STR, "n1": STR, "n2": STR},
        [Transformation(input=["i1", "i2"], needs=["n1", "n2"], on_write=_noop)],
    )
    errs = t.validate_update(entity, original_input, rbw_entity)
    if error is None:
        assert errs is None
    else:
        assert errs is not None
        assert errs["@entity"][0] == error
