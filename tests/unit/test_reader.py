"""Compiled readers give the same entities as Kong's general select path."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kongdao.entities import CORE_ENTITIES, Route
from kongdao.plugins import plugin_subschemas
from kongdao.schema import UNSET, schema_of
from kongdao.schema.reader import compile_reader

SCHEMAS = [schema_of(c) for c in CORE_ENTITIES]
SCHEMAS = [s.with_subschemas(plugin_subschemas()) if s.name == "plugins" else s for s in SCHEMAS]
# read-time transformations and shorthands named after columns take the general path
GENERAL_ONLY = {"ca_certificates", "upstreams", "targets"}
COMPILED = [s for s in SCHEMAS if s.name not in GENERAL_ONLY]


def test_which_core_entities_have_a_compiled_reader():
    assert {s.name for s in SCHEMAS if compile_reader(s) is None} == GENERAL_ONLY


UUID = "5f8c0b3e-6a5e-4f0b-8b8e-1b2c3d4e5f60"
SCALARS = {
    "string": st.just("") | st.text(max_size=5) | st.sampled_from(["http", "grpc", "a"]),
    "integer": st.integers(-5, 70000) | st.floats(-1e6, 1e6, allow_nan=False),
    "number": st.integers(-5, 70000) | st.floats(-1e6, 1e6, allow_nan=False),
    "boolean": st.booleans(),
}


def values_for(field):
    """Values a database row can hold for ``field`` (None and absent included)."""
    absent = st.none() | st.just(UNSET)
    t = field.type
    if t == "foreign":
        return absent | st.just({"id": UUID})
    if t in SCALARS:
        return absent | SCALARS[t]
    if t in ("array", "set"):
        element = SCALARS.get(field.elements.type if field.elements else "", st.none())
        if field.elements is not None and field.elements.type == "record":
            element = st.dictionaries(
                st.sampled_from(["ip", "port"]), st.none() | st.text(max_size=3)
            )
        return absent | st.lists(element, max_size=4)
    return absent | st.dictionaries(
        st.sampled_from(["key_names", "anonymous", "hide_credentials", "x"]),
        st.none() | st.booleans() | st.lists(st.text(max_size=3), max_size=2),
        max_size=3,
    )


def general(schema, row):
    return schema.to_entity(schema.process_auto_fields(row, "select"))


@settings(max_examples=600, deadline=None)
@given(schema=st.sampled_from(COMPILED), data=st.data())
def test_compiled_reader_equals_the_general_path(schema, data):
    reader = compile_reader(schema)
    assert reader is not None
    row = {}
    for name, _f in schema.fields:
        v = data.draw(values_for(schema.field_map[name]), label=name)
        if v is not UNSET:
            row[name] = v
    if schema.subschema_key == "name":
        row["name"] = data.draw(st.sampled_from(["key-auth", "unknown"]))
    if schema.subschema_key == "protocols":
        row["protocols"] = data.draw(st.sampled_from([["http"], ["grpc"], ["grpcs"], []]))
    assert reader(row) == general(schema, row)


def test_grpc_routes_read_their_own_defaults():
    schema = schema_of(Route)
    reader = compile_reader(schema)
    grpc = reader({"id": "5f8c0b3e-6a5e-4f0b-8b8e-1b2c3d4e5f60", "protocols": ["grpc"]})
    http = reader({"id": "5f8c0b3e-6a5e-4f0b-8b8e-1b2c3d4e5f60", "protocols": ["http"]})
    assert grpc.strip_path is False
    assert http.strip_path is True
