"""The plugin registry: PluginSpec, bundled plugins, entry points, and how a DB assembles them.

No database: ``kongdao.connect()`` builds its DB (and checks the plugins and entities) before it
is awaited, and the connector does not connect until then.
"""

from __future__ import annotations

import importlib
import math
import sys
import textwrap
from pathlib import Path

import pytest

import kongdao
from kongdao import plugins
from kongdao.entities import CORE_ENTITIES
from kongdao.migrations import Migration, Step, Subsystem, create_tables
from kongdao.plugins import PluginSpec
from kongdao.schema import Entity, Field, Ref, Schema, entity, field, schema_of, typedefs

DSN = "postgresql://nobody@127.0.0.1:1/none"
CORE = [schema_of(cls).name for cls in CORE_ENTITIES]


def config_schema(name: str) -> Schema:
    return Schema(name=name, fields=[("config", Field(type="record", fields=[]))])


@entity("t_reg_badges")
class Badge(Entity):
    id: str = field(typedefs.uuid())
    consumer: Ref = field(
        Field(type="foreign", reference="consumers", required=True, on_delete="cascade")
    )


@entity("t_reg_orphans")
class Orphan(Entity):
    id: str = field(typedefs.uuid())
    owner: Ref = field(Field(type="foreign", reference="t_reg_nowhere", required=True))


BADGES = PluginSpec(
    name="t-badges",
    schema=config_schema("t-badges"),
    entities=(Badge,),
    migrations=[create_tables("000_base_badges", Badge)],
)


# -- bundled plugins and resolve() --------------------------------------------------------------


def test_bundled_plugins_are_kong_28s() -> None:
    versions = {n: (s.version, s.priority) for n, s in plugins.BUNDLED.items()}
    assert versions["key-auth"] == ("2.4.0", 1003)
    assert versions["basic-auth"] == ("2.2.0", 1001)
    assert versions["acl"] == ("3.0.1", 950)
    assert versions["rate-limiting"] == ("2.4.0", 901)
    assert versions["pre-function"] == ("2.1.0", math.inf)
    assert list(versions)[:4] == ["key-auth", "basic-auth", "acl", "rate-limiting"]
    entities = {n: [e.name for e in s.entity_schemas] for n, s in plugins.BUNDLED.items()}
    assert entities["key-auth"] == ["keyauth_credentials"]
    assert entities["basic-auth"] == ["basicauth_credentials"]
    assert entities["acl"] == ["acls"]
    assert entities["rate-limiting"] == entities["cors"] == []
    subsystems = {n: s.subsystem for n, s in plugins.BUNDLED.items()}
    assert subsystems["rate-limiting"] is None
    assert subsystems["key-auth"] is not None
    assert subsystems["key-auth"].name == "key-auth"
    assert [m.name for m in subsystems["key-auth"].migrations] == ["000_base_key_auth"]
    with pytest.raises(TypeError):
        plugins.BUNDLED["x"] = BADGES  # type: ignore[index]


def test_resolve_reads_the_plugins_property_as_kong_does() -> None:
    bundled = tuple(plugins.BUNDLED.values())
    assert plugins.resolve(None) == bundled
    assert plugins.resolve(["bundled"]) == bundled
    assert plugins.resolve(["off"]) == ()
    assert plugins.resolve([]) == ()
    assert plugins.resolve(["acl", "key-auth", "acl"]) == (
        plugins.BUNDLED["acl"],
        plugins.BUNDLED["key-auth"],
    )
    assert plugins.resolve(["bundled", BADGES])[-1] is BADGES
    with pytest.raises(ValueError, match=r"^plugins: 'off' cannot be used with other plugins$"):
        plugins.resolve(["off", "acl"])
    with pytest.raises(ValueError, match=r"^plugin 'nope' is enabled but not installed$"):
        plugins.resolve(["acl", "nope"])
    with pytest.raises(TypeError, match="not a string"):
        plugins.resolve("acl")
    impostor = PluginSpec(name="acl", schema=config_schema("acl"))
    with pytest.raises(ValueError, match="two different plugins are named 'acl'"):
        plugins.resolve(["acl", impostor])
    with pytest.raises(TypeError, match="expected a PluginSpec or a module exposing PLUGIN"):
        plugins.resolve([object()])  # type: ignore[list-item]


def test_a_module_exposing_plugin_is_a_plugin() -> None:
    from kongdao.plugins import key_auth

    assert plugins.load(key_auth) is key_auth.PLUGIN
    assert plugins.resolve([key_auth, "key-auth"]) == (key_auth.PLUGIN,)


# -- PluginSpec -------------------------------------------------------------------------------


def test_plugin_spec_checks_what_it_declares() -> None:
    with pytest.raises(ValueError, match="invalid plugin name 'Key Auth'"):
        PluginSpec(name="Key Auth", schema=config_schema("Key Auth"))
    with pytest.raises(ValueError, match="its schema is named 'other', not 't-x'"):
        PluginSpec(name="t-x", schema=config_schema("other"))
    with pytest.raises(ValueError, match="declares entities but no migrations"):
        PluginSpec(name="t-x", schema=config_schema("t-x"), entities=(Badge,))
    with pytest.raises(TypeError, match="is not an entity class"):
        PluginSpec(name="t-x", schema=config_schema("t-x"), entities=(dict,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not one class"):
        PluginSpec(name="t-x", schema=config_schema("t-x"), entities=Badge)  # type: ignore[arg-type]
    migration = Migration("000_x", postgres=Step(up="SELECT 1"))
    with pytest.raises(ValueError, match="its migrations subsystem is named 'other'"):
        PluginSpec(
            name="t-x", schema=config_schema("t-x"), migrations=Subsystem("other", [migration])
        )
    spec = PluginSpec(name="t-x", schema=config_schema("t-x"), migrations=[migration])
    assert spec.subsystem == Subsystem("t-x", [migration])
    assert spec.subsystem is spec.subsystem  # built once
    assert repr(BADGES) == "<PluginSpec t-badges 0.1.0 priority=0 [t_reg_badges]>"


def test_plugin_daos_are_checked_and_imported_lazily() -> None:
    from kongdao.dao import DAO
    from kongdao.plugins.oauth2.dao import OAuth2TokensDAO

    assert plugins.BUNDLED["oauth2"].dao_class("oauth2_tokens") is OAuth2TokensDAO
    assert plugins.BUNDLED["oauth2"].dao_class("oauth2_credentials") is None
    lazy = PluginSpec(
        name="t-lazy",
        schema=config_schema("t-lazy"),
        entities=(Badge,),
        migrations=[create_tables("000_x", Badge)],
        daos={"t_reg_badges": "kongdao.dao:DAO"},
    )
    assert lazy.dao_class("t_reg_badges") is DAO
    db = kongdao.connect(DSN, plugins=["oauth2"])._db
    assert db._plugin_dao_class("oauth2_tokens") is OAuth2TokensDAO
    with pytest.raises(ValueError, match="a DAO for 'nope', not its entity"):
        PluginSpec(
            name="t-x",
            schema=config_schema("t-x"),
            entities=(Badge,),
            migrations=[create_tables("000_x", Badge)],
            daos={"nope": DAO},
        )
    with pytest.raises(TypeError, match="priority"):
        PluginSpec(name="t-x", schema=config_schema("t-x"), priority=1.5)


def test_create_tables_builds_a_step_per_connector() -> None:
    migration = create_tables("000_base_badges", Badge)
    assert migration.name == "000_base_badges"
    for name in ("postgres", "cassandra"):
        step = migration.step_for(name)
        assert step.up == ""
        assert step.up_f is not None
        assert step.teardown is None
    with pytest.raises(TypeError, match="is not a kongdao entity"):
        create_tables("000_x", dict)  # type: ignore[arg-type]


def test_bundled_migrations_are_the_ddl_of_their_entities() -> None:
    from kongdao.connectors.cassandra.ddl import create_table_cql
    from kongdao.connectors.cassandra.migrate import split_statements
    from kongdao.connectors.postgres.ddl import create_table_sql

    db = kongdao.connect(DSN)._db
    for spec in plugins.BUNDLED.values():
        if spec.subsystem is None:
            continue
        (base,) = spec.subsystem.migrations
        tables = spec.entity_schemas
        pg = "\n".join(create_table_sql(s, db.schemas) for s in tables)
        cql = "\n".join(create_table_cql(s, db.schemas) for s in tables)
        assert base.step_for("postgres").up.strip() == pg.strip(), spec.name
        assert split_statements(base.step_for("cassandra").up) == split_statements(cql)


# -- how a DB assembles plugins -----------------------------------------------------------------


def test_a_db_serves_the_entities_and_subsystems_of_its_plugins() -> None:
    db = kongdao.connect(DSN, plugins=["acl", BADGES, "key-auth"])._db
    assert db.enabled_plugins == ("acl", "t-badges", "key-auth")
    assert list(db.schemas) == [*CORE, "acls", "t_reg_badges", "keyauth_credentials"]
    # core first, then the plugins' subsystems alphabetically (Kong's subsystems.lua)
    assert [s.name for s in db.subsystems] == ["core", "acl", "key-auth", "t-badges"]
    assert set(db.schemas["plugins"].subschemas) == {"acl", "t-badges", "key-auth"}

    none = kongdao.connect(DSN, plugins=["off"])._db
    assert list(none.schemas) == CORE
    assert [s.name for s in none.subsystems] == ["core"]
    assert none.schemas["plugins"].subschemas == {}


def test_kongdao_plugins_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONGDAO_PLUGINS", "acl, key-auth")
    assert kongdao.connect(DSN)._db.enabled_plugins == ("acl", "key-auth")
    # an explicit argument wins
    assert kongdao.connect(DSN, plugins=["off"])._db.enabled_plugins == ()


def test_a_db_refuses_clashing_or_dangling_plugin_entities() -> None:
    @entity("t_reg_clash")
    class Clash(Entity):
        id: str = field(typedefs.uuid())

    clash = PluginSpec(
        name="t-clash",
        schema=config_schema("t-clash"),
        entities=(Clash,),
        migrations=[create_tables("000_x", Clash)],
    )
    with pytest.raises(ValueError, match="entity 't_reg_clash' is already declared by entities"):
        kongdao.connect(DSN, plugins=["off"], entities=[Clash, Clash])
    with pytest.raises(
        ValueError,
        match=r"^entities: entity 't_reg_clash' is already declared by plugin 't-clash'$",
    ):
        kongdao.connect(DSN, plugins=[clash], entities=[Clash])
    orphan = PluginSpec(
        name="t-orphan",
        schema=config_schema("t-orphan"),
        entities=(Orphan,),
        migrations=[create_tables("000_x", Orphan)],
    )
    with pytest.raises(
        ValueError,
        match="plugin 't-orphan': entity 't_reg_orphans' field 'owner' references "
        "'t_reg_nowhere', which is not declared before it",
    ):
        kongdao.connect(DSN, plugins=[orphan])


# -- entry points -----------------------------------------------------------------------------


def install_distribution(root: Path, name: str, entry_points: str, modules: dict[str, str]) -> None:
    """Lay out an installed distribution (dist-info + modules) under ``root``."""
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))


THIRD_PARTY = """
    from kongdao.plugins import PluginSpec
    from kongdao.schema import Field, Schema

    PLUGIN = PluginSpec(
        name="t-greeter",
        version="1.2.3",
        priority=10,
        schema=Schema(
            name="t-greeter",
            fields=[("config", Field(type="record", fields=[
                ("greeting", Field(type="string", required=True, default="hello")),
            ]))],
        ),
    )
    MISNAMED = PLUGIN
"""


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    install_distribution(
        tmp_path,
        "kongdao_t_greeter",
        """
        [kongdao.plugins]
        t-greeter = t_greeter_plugin
        t-greeter-spec = t_greeter_plugin:MISNAMED
        key-auth = t_greeter_plugin
        """,
        {"t_greeter_plugin": THIRD_PARTY},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    sys.modules.pop("t_greeter_plugin", None)


def test_third_party_plugins_come_from_the_entry_point_group(third_party: Path) -> None:
    found = plugins.available()
    assert found["t-greeter"] == "t_greeter_plugin"
    # a bundled name cannot be taken over by an entry point
    assert found["key-auth"].endswith("bundled)")
    assert plugins.load("key-auth") is plugins.BUNDLED["key-auth"]

    spec = plugins.load("t-greeter")
    assert (spec.name, spec.version, spec.priority) == ("t-greeter", "1.2.3", 10)
    assert plugins.resolve(["bundled", "t-greeter"])[-1] is spec
    with pytest.raises(
        ValueError, match=r"entry point 't-greeter-spec' .* declares plugin 't-greeter'"
    ):
        plugins.load("t-greeter-spec")

    db = kongdao.connect(DSN, plugins=["t-greeter"])._db
    schema = db.schemas["plugins"]
    data = schema.process_auto_fields({"name": "t-greeter"}, "insert")
    assert data["config"] == {"greeting": "hello"}
    assert schema.validate_insert(data) is None
    # a plugin that is not enabled is refused with Kong's message
    data = schema.process_auto_fields({"name": "key-auth"}, "insert")
    assert schema.validate_insert(data) == {
        "name": "plugin 'key-auth' not enabled; add it to the 'plugins' configuration property"
    }
