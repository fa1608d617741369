"""Random JSON-like input never escapes the schema as anything but a kongdao error."""

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kongdao.entities import CORE_ENTITIES
from kongdao.errors import SchemaViolation
from kongdao.plugins import plugin_subschemas
from kongdao.schema import schema_of

SCHEMAS = [schema_of(c) for c in CORE_ENTITIES]
SCHEMAS = [s.with_subschemas(plugin_subschemas()) if s.name == "plugins" else s for s in SCHEMAS]
FIELD_NAMES = sorted({n for s in SCHEMAS for n, _ in s.fields} | {"url", "config", "bogus"})

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "\x00", "\ud800", "http://a.b/c", "https", "key-auth", "/p", "*.x"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(FIELD_NAMES), children, max_size=4)
    ),
    max_leaves=12,
)
inputs = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(max_size=6), json_values, max_size=8
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    schema=st.sampled_from(SCHEMAS),
    data=inputs,
    context=st.sampled_from(["insert", "update", "upsert"]),
)
def test_random_input_only_raises_schema_violations(schema, data, context):
    try:
        processed = schema.validate_input(data, context)
    except SchemaViolation as exc:
        violation = exc
    else:
        violation = None
    if violation is not None:
        assert violation.fields
        assert re.match(r"^(schema violation|\d+ schema violations) \(.+\)$", str(violation), re.S)
        return
    assert isinstance(processed, dict)
    # accepted input is really valid: a second validation of the result agrees
    assert schema.validate(processed, context != "update") is None


@given(data=st.one_of(scalars, st.lists(scalars)))
def test_non_mapping_input_is_a_type_error(data):
    for schema in SCHEMAS:
        with pytest.raises(TypeError, match=r"^entity must be a table$"):
            schema.validate_input(data)


def test_nan_and_infinity_are_not_integers():
    services = next(s for s in SCHEMAS if s.name == "services")
    for value in (math.nan, math.inf, -math.inf):
        assert (
            services.validate_field(services.field_map["retries"], value) == "expected an integer"
        )
