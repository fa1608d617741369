"""The snis entity, ported from Kong's spec/01-unit/01-db/01-schema/11-snis_spec.lua."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kongdao.entities.certificates import Certificate
from kongdao.entities.snis import SNI
from kongdao.schema import Ref, schema_of

SNIS = schema_of(SNI)
CERTIFICATE = {"id": "cbb297c0-a956-486d-ad1d-f9b42df9465a"}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def validate(data: dict[str, Any]) -> Any:
    return SNIS.validate(SNIS.process_auto_fields(data, "insert"))


def test_schema_attributes() -> None:
    assert schema_of(Certificate).name == "certificates"  # the referenced entity is declared
    assert SNIS.name == "snis"
    assert SNIS.primary_key == ("id",)
    assert SNIS.endpoint_key == "name"
    assert SNIS.workspaceable
    assert [name for name, _ in SNIS.fields] == ["id", "name", "created_at", "tags", "certificate"]
    name = SNIS.field_map["name"]
    assert name.required is True
    assert name.unique
    assert name.unique_across_ws
    assert SNIS.unique_fields == ("name",)
    certificate = SNIS.field_map["certificate"]
    assert certificate.type == "foreign"
    assert certificate.reference == "certificates"
    assert certificate.required is True
    assert certificate.on_delete in (None, "restrict")
    assert [name for name, _ in SNIS.foreign_fields] == ["certificate"]


def test_defaults_and_typed_entity() -> None:
    processed = SNIS.process_auto_fields(
        {"name": "example.com", "certificate": CERTIFICATE}, "insert"
    )
    assert SNIS.validate_insert(processed) is None
    assert UUID_RE.match(processed["id"])
    assert isinstance(processed["created_at"], int)
    assert processed["tags"] is None
    sni = SNIS.to_entity(processed)
    assert isinstance(sni, SNI)
    assert sni.certificate == Ref(CERTIFICATE)
    assert sni.certificate.id == CERTIFICATE["id"]


def test_name_and_certificate_are_required() -> None:
    assert validate({}) == {
        "name": "required field missing",
        "certificate": "required field missing",
    }
    assert validate({"name": "example.com", "certificate": None}) == {
        "certificate": "required field missing"
    }


def test_certificate_must_be_a_primary_key() -> None:
    errors = validate({"name": "example.com", "certificate": {"id": "nope"}})
    assert errors == {"certificate": {"id": "expected a valid UUID"}}


@pytest.mark.parametrize("name", ["valid.name", "foo.valid.name", "bar.foo.valid.name"])
def test_accepts_a_hostname(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) is None


def test_accepts_a_star_for_the_default_certificate() -> None:
    assert validate({"name": "*", "certificate": CERTIFICATE}) is None


@pytest.mark.parametrize(
    "name",
    [
        "*.wildcard.com",
        "wildcard.*",
        "test.wildcard.*",
        "foo.test.wildcard.*",
        "*.test.wildcard.com",
    ],
)
def test_accepts_wildcards(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) is None


@pytest.mark.parametrize("name", ["foo.*.com", "foo.*.wildcard.com"])
def test_rejects_wrong_wildcard_placements(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) == {
        "name": "wildcard must be leftmost or rightmost character"
    }


@pytest.mark.parametrize("name", ["*.example.*", "*.foo.*.wildcard.com", "*.*.wildcard.*"])
def test_rejects_multiple_wildcards(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) == {
        "name": "only one wildcard must be specified"
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("*.wildcard.com:8000", "must not have a port"),
        ("wildcard.*:80", "wildcard must be leftmost or rightmost character"),
        ("test.wildcard.*:80", "wildcard must be leftmost or rightmost character"),
        # the message shows the name with its wildcard substituted, as Kong's does
        ("test.wildcard.com:*", "invalid value: test.wildcard.com:wildcard"),
    ],
)
def test_rejects_wildcard_with_port(name: str, message: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) == {"name": message}


@pytest.mark.parametrize("name", ["valid.name:8000", "foo.valid.name:443"])
def test_rejects_a_hostname_with_a_port(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) == {"name": "must not have a port"}


@pytest.mark.parametrize("name", ["127.0.0.1", "10.0.0.1", "10.0.0.1:8001", "::1"])
def test_rejects_an_ip(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) == {"name": "must not be an IP"}


@pytest.mark.parametrize("name", ["example^com"])
def test_rejects_non_hostname_values(name: str) -> None:
    assert validate({"name": name, "certificate": CERTIFICATE}) == {
        "name": f"invalid value: {name}"
    }


def test_name_must_be_a_non_empty_string() -> None:
    assert validate({"name": "", "certificate": CERTIFICATE}) == {
        "name": "length must be at least 1"
    }
    assert validate({"name": 1, "certificate": CERTIFICATE}) == {"name": "expected a string"}
