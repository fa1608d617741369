"""The targets entity and its normalisation.

Ported from Kong's spec/01-unit/01-db/01-schema/08-targets_spec.lua, plus ``format_target`` of
kong/db/dao/targets.lua (the ``target`` values of Kong's declarative-config and Admin API specs).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kongdao.entities.targets import DEFAULT_PORT, Target, normalize_target
from kongdao.entities.upstreams import Upstream
from kongdao.schema import Ref, TransformationFailed, schema_of
from kongdao.schema.reader import compile_reader

TARGETS = schema_of(Target)
UPSTREAM = {"id": "cbb297c0-a956-486d-ad1d-f9b42df9465a"}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
IPV6_LOOPBACK = "[0000:0000:0000:0000:0000:0000:0000:0001]"


def process(data: dict[str, Any]) -> dict[str, Any]:
    return TARGETS.process_auto_fields(data, "insert")


def validate(data: dict[str, Any]) -> Any:
    return TARGETS.validate(process(data))


def test_schema_attributes() -> None:
    assert schema_of(Upstream).name == "upstreams"  # the referenced entity is declared
    assert TARGETS.name == "targets"
    assert TARGETS.primary_key == ("id",)
    assert TARGETS.endpoint_key == "target"
    assert TARGETS.workspaceable
    assert [name for name, _ in TARGETS.fields] == [
        "id",
        "created_at",
        "upstream",
        "target",
        "weight",
        "tags",
    ]
    # the endpoint key, not unique: uniqueness per upstream is the DAO's
    assert not TARGETS.field_map["target"].unique
    assert TARGETS.field_map["target"].required is True
    upstream = TARGETS.field_map["upstream"]
    assert upstream.type == "foreign"
    assert upstream.reference == "upstreams"
    assert upstream.required is True
    assert upstream.on_delete == "cascade"
    created_at = TARGETS.field_map["created_at"]
    assert (created_at.type, created_at.auto, created_at.timestamp) == ("number", True, True)
    assert DEFAULT_PORT == 8000


@pytest.mark.parametrize("target", ["valid.name", "valid.name:8080", "12.34.56.78", "1.2.3.4:123"])
def test_validates(target: str) -> None:
    assert validate({"target": target, "upstream": UPSTREAM}) is None


@pytest.mark.parametrize(
    "target",
    [
        "\\\\bad\\\\////name////",
        "valid.name:99999",
        "1.2.3.256",
        "1.2.3.4:99999",
        "[::1",
        "::1::2",
        "a b",
        "example-.com",
    ],
)
def test_rejects_invalid_targets(target: str) -> None:
    assert validate({"target": target, "upstream": UPSTREAM}) == {
        "target": f"Invalid target ('{target}'); not a valid hostname or ip address"
    }


def test_target_and_upstream_are_required() -> None:
    assert validate({}) == {
        "upstream": "required field missing",
        "target": "required field missing",
    }


def test_upstream_must_be_a_primary_key() -> None:
    assert validate({"target": "a.b", "upstream": {"id": "nope"}}) == {
        "upstream": {"id": "expected a valid UUID"}
    }


@pytest.mark.parametrize(("weight", "ok"), [(0, True), (65535, True), (-1, False), (65536, False)])
def test_weight(weight: int, ok: bool) -> None:
    errors = validate({"target": "a.b", "upstream": UPSTREAM, "weight": weight})
    assert errors == (None if ok else {"weight": "value should be between 0 and 65535"})


def test_defaults() -> None:
    target = process({"target": "a.b", "upstream": UPSTREAM})
    assert TARGETS.validate_insert(target) is None
    assert UUID_RE.match(target["id"])
    assert target["weight"] == 100
    assert target["tags"] is None
    # auto_timestamp_ms: seconds with millisecond precision
    created_at = target["created_at"]
    assert isinstance(created_at, float)
    assert created_at == round(created_at, 3)
    typed = TARGETS.to_entity(target)
    assert isinstance(typed, Target)
    assert typed.upstream == Ref(UPSTREAM)


@pytest.mark.parametrize(
    ("target", "normalized"),
    [
        ("valid.name", "valid.name:8000"),
        ("valid.name:8080", "valid.name:8080"),
        ("Valid.Name", "Valid.Name:8000"),
        ("localhost", "localhost:8000"),
        ("12.34.56.78", "12.34.56.78:8000"),
        ("1.2.3.4:123", "1.2.3.4:123"),
        ("127.0.0.1:6661", "127.0.0.1:6661"),
        ("001.002.003.004", "1.2.3.4:8000"),
        ("1.2.3.4:0", "1.2.3.4:0"),
        ("::1", f"{IPV6_LOOPBACK}:8000"),
        ("[::1]", f"{IPV6_LOOPBACK}:8000"),
        ("[::1]:80", f"{IPV6_LOOPBACK}:80"),
        ("2001:DB8::FF", "[2001:0db8:0000:0000:0000:0000:0000:00ff]:8000"),
    ],
)
def test_normalize_target(target: str, normalized: str) -> None:
    assert normalize_target(target) == normalized
    # normalising is idempotent
    assert normalize_target(normalized) == normalized


@pytest.mark.parametrize("target", ["\\\\bad\\\\////name////", "a:99999", "[::1]x"])
def test_normalize_target_refuses_invalid_targets(target: str) -> None:
    with pytest.raises(ValueError, match=r"^Invalid target; not a valid hostname or ip address$"):
        normalize_target(target)


def test_target_is_normalised_on_write() -> None:
    data = {"target": "::1", "upstream": UPSTREAM}
    target = process(data)
    assert TARGETS.validate_insert(target, data) is None
    written = TARGETS.transform(target, data, "insert")
    assert written["target"] == f"{IPV6_LOOPBACK}:8000"
    assert written["weight"] == 100

    update = TARGETS.process_auto_fields({"target": "a.b"}, "update")
    assert TARGETS.transform(update, {"target": "a.b"}, "update") == {"target": "a.b:8000"}
    update = TARGETS.process_auto_fields({"weight": 5}, "update")
    assert TARGETS.transform(update, {"weight": 5}, "update") == {"weight": 5}


def test_target_is_normalised_on_read() -> None:
    row = {"id": "5abfe322-9fc1-4e0e-bfa3-007f5b9ac4b4", "target": "a.b", "upstream": UPSTREAM}
    selected = TARGETS.process_auto_fields(row, "select")
    assert TARGETS.transform(selected, row, "select")["target"] == "a.b:8000"
    # the DAO cannot use its compiled fast reader, which would skip on_read
    assert compile_reader(TARGETS) is None


def test_invalid_stored_target_fails_the_transformation() -> None:
    with pytest.raises(TransformationFailed) as info:
        TARGETS.transform({"target": "a b"}, {"target": "a b"}, "select")
    assert str(info.value) == (
        "transformation failed: Invalid target; not a valid hostname or ip address"
    )
