"""Declarative configuration (``kongdao.declarative``): parsing, validation, flattening, ids.

No database. Expected messages and ids are Kong's: most cases come from Kong's own specs
(``spec/01-unit/01-db/01-schema/11-declarative_config/*`` and
``spec/02-integration/04-admin_api/15-off_spec.lua``, tag 3.9.3), the rest from Kong's code.
The plugins are named explicitly so that these tests do not move when bundled plugins are added.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from kongdao import declarative, errors
from kongdao.declarative import DeclarativeConfig, Parser, paths, source
from kongdao.declarative.ids import ENTITIES_NAMESPACE, generate_id, namespace
from kongdao.testing.certs import ca_certificate, certificate_pair

PLUGINS = ["key-auth", "basic-auth", "acl", "rate-limiting"]
CORPUS = Path("/work/shared/corpus/kong-yml")

PARSER = Parser(PLUGINS)


def parse(text_or_table: Any, **kwargs: Any) -> DeclarativeConfig:
    if kwargs:
        return declarative.parse(text_or_table, **kwargs)
    return PARSER.parse(text_or_table)


def yml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fail(text_or_table: Any, **kwargs: Any) -> dict[Any, Any]:
    """Parse, expect the declarative error, return its ``fields``."""
    with pytest.raises(errors.DeclarativeConfigError) as info:
        parse(text_or_table, **kwargs)
    assert info.value.code == 14
    assert info.value.fields is not None
    return info.value.fields


def ids_of(config: DeclarativeConfig) -> dict[str, list[str]]:
    return {name: [e["id"] for e in items] for name, items in config.entities.items()}


def stored(config: DeclarativeConfig) -> dict[str, list[dict[str, Any]]]:
    """The entities, without ``updated_at``: Kong sets it anew on every write."""
    return {
        name: [{k: v for k, v in e.items() if k != "updated_at"} for e in items]
        for name, items in config.entities.items()
    }


def one(config: DeclarativeConfig, entity: str, **match: Any) -> dict[str, Any]:
    found = [e for e in config.entities[entity] if all(e.get(k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def kong_uuid(entity: str, key: str) -> str:
    """Kong's generate_uuid, written out independently of kongdao."""
    entity_ns = uuid.uuid5(uuid.UUID("fd02801f-0957-4a15-a55a-c8d9606f30b5"), entity)
    return str(uuid.uuid5(entity_ns, key))


SIMPLE = yml(
    """
    _format_version: "3.0"
    services:
    - name: my-service
      url: https://example.com
      plugins:
      - name: key-auth
      routes:
      - name: my-route
        paths:
        - /
    consumers:
    - username: my-user
      keyauth_credentials:
      - key: my-key
    """
)


# -- reading: YAML, JSON, mappings, paths ------------------------------------------------------


def test_yaml_json_mapping_and_files_give_the_same_entities(tmp_path: Path) -> None:
    from_yaml = parse(SIMPLE)
    as_dict = json.loads(json.dumps(from_yaml.dump()))
    (tmp_path / "kong.json").write_text(json.dumps(as_dict))
    (tmp_path / "kong.yml").write_text(SIMPLE)
    expected = ids_of(from_yaml)
    assert ids_of(parse(as_dict)) == expected
    assert ids_of(parse(json.dumps(as_dict))) == expected
    assert ids_of(parse(SIMPLE.encode())) == expected
    assert ids_of(parse(tmp_path / "kong.json")) == expected
    assert ids_of(parse(tmp_path / "kong.yml")) == expected
    assert ids_of(parse(str(tmp_path / "kong.yml"))) == expected


def test_yaml_syntax_errors_are_declarative_errors() -> None:
    fields = fail("_format_version: '3.0'\nservices:\n  - name: a\n   host: b\n")
    assert list(fields) == ["error"]
    assert fields["error"].startswith("failed parsing declarative configuration: ")
    assert re.search(r": \d+:\d+: ", fields["error"])


@pytest.mark.parametrize("text", ["just a string", "- a\n- list\n", "42", ""])
def test_a_file_must_hold_a_mapping(text: str) -> None:
    assert fail(text) == {"error": "failed parsing declarative configuration: expected an object"}


def test_file_names_choose_the_format(tmp_path: Path) -> None:
    (tmp_path / "kong.txt").write_text('{"_format_version": "3.0"}')
    assert fail(tmp_path / "kong.txt") == {
        "error": "unknown file type: kong.txt. (Accepted types: json, yaml)"
    }
    (tmp_path / "kong.json").write_text("_format_version: '3.0'\n")  # YAML in a .json file
    assert fail(tmp_path / "kong.json")["error"].startswith(
        "failed parsing declarative configuration: Expecting value"
    )
    with pytest.raises(FileNotFoundError):
        parse(str(tmp_path / "missing.yml"))


def test_yaml_dates_stay_strings() -> None:
    config = parse("_format_version: '3.0'\nconsumers:\n- username: 2024-01-31\n")
    assert config.entities["consumers"][0]["username"] == "2024-01-31"


def test_the_input_mapping_is_not_modified() -> None:
    given = {
        "_format_version": "1.1",
        "services": [{"name": "s", "url": "http://x", "routes": [{"paths": ["/a$"]}]}],
    }
    before = json.dumps(given, sort_keys=True)
    config = parse(given)
    assert json.dumps(given, sort_keys=True) == before
    assert config.entities["routes"][0]["paths"] == ["/a$"]


def test_yaml_anchors_are_independent_copies() -> None:
    # Kong #7620
    config = parse(
        yml(
            """
            _format_version: "1.1"
            services:
              - name: service1
                url: http://example.com
                plugins:
                  - &key-auth
                    name: key-auth
                  - &rate-limiting
                    name: rate-limiting
                    config:
                      second: 5
                      policy: local
                routes:
                  - name: foo
                    paths: [/foo$]
              - name: service2
                url: http://example.com
                plugins:
                  - *key-auth
                  - *rate-limiting
                routes:
                  - name: bar
                    paths: [/bar$]
            """
        )
    )
    assert len(config.entities["plugins"]) == 4
    assert len(set(ids_of(config)["plugins"])) == 4
    assert [r["paths"] for r in config.entities["routes"]] == [["/foo$"], ["/bar$"]]


def test_alias_bombs_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_VALUES", 10_000)
    lines = ["_format_version: '3.0'", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 5)]
    fields = fail("\n".join(lines) + "\n")
    assert fields == {"error": "failed parsing declarative configuration: more than 10000 values"}


def test_a_recursive_yaml_structure_is_refused() -> None:
    fields = fail("_format_version: '3.0'\n_ignore: &a [*a]\n")
    assert fields == {"error": "failed parsing declarative configuration: recursive structure"}


# -- _format_version, _transform, metadata ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("_format_version: 1.1\n", "expected a string"),
        ("_format_version: foobar\n", "expected one of: 1.1, 2.1, 3.0"),
        ("_format_version: '1.0'\n", "expected one of: 1.1, 2.1, 3.0"),
        ("services: []\n", "required field missing"),
        ("_format_version: null\n", "required field missing"),
    ],
)
def test_format_version_is_required_and_known(text: str, expected: str) -> None:
    assert fail(text) == {"_format_version": expected}


@pytest.mark.parametrize("version", ["1.1", "2.1", "3.0"])
def test_every_format_version_is_read(version: str) -> None:
    config = parse({"_format_version": version, "consumers": [{"username": "a"}]})
    assert config.format_version == version
    # older files are migrated: Kong reports them as 3.0 from then on
    assert config.meta == {"_format_version": "3.0", "_transform": True}


def test_transform_hashes_basic_auth_passwords_by_default() -> None:
    text = yml(
        """
        _format_version: "3.0"
        consumers:
        - username: alice
          basicauth_credentials:
          - username: alice
            password: s3cret
        """
    )
    config = parse(text)
    consumer_id = config.entities["consumers"][0]["id"]
    credential = config.entities["basicauth_credentials"][0]
    salted = ("s3cret" + consumer_id).encode()
    assert credential["password"] == hashlib.sha1(salted, usedforsecurity=False).hexdigest()
    assert config.transform is True

    kept = parse(text.replace('"3.0"', '"3.0"\n_transform: false'))
    assert kept.entities["basicauth_credentials"][0]["password"] == "s3cret"
    assert kept.transform is False
    assert kept.meta["_transform"] is False


def test_transform_must_be_a_boolean() -> None:
    assert fail({"_format_version": "3.0", "_transform": "yes"}) == {
        "_transform": "expected a boolean"
    }


def test_comment_and_ignore_are_accepted_at_the_top_and_in_entities() -> None:
    config = parse(
        yml(
            """
            _format_version: "3.0"
            _comment: I am a happy comment!
            _ignore:
            - foo: bar
            - 1234
            services:
            - name: foo
              host: example.com
              _comment: my comment
              _ignore:
              - foo: bar
              routes:
              - paths: [/]
                _comment: nested
            plugins:
            - name: key-auth
              _comment: on a plugin
            """
        )
    )
    assert config.meta["_comment"] == "I am a happy comment!"
    assert config.meta["_ignore"] == [{"foo": "bar"}, 1234]
    assert "_comment" not in config.entities["services"][0]
    assert "_comment" not in config.entities["routes"][0]


def test_comment_and_ignore_have_types() -> None:
    fields = fail(
        yml(
            """
            _format_version: "3.0"
            _comment: 1234
            _ignore: {foo: bar}
            services:
            - name: foo
              host: example.com
              _comment: {foo: bar}
              _ignore: 12
            """
        )
    )
    assert fields == {
        "_comment": "expected a string",
        "_ignore": "expected an array",
        "services": {1: {"_comment": "expected a string", "_ignore": "expected an array"}},
    }


@pytest.mark.parametrize("key", ["_workspace", "_konnect", "_info", "_foo", "workspaces"])
def test_other_top_level_keys_are_unknown_fields_as_in_kong(key: str) -> None:
    # decK's metadata keys: Kong itself refuses them (decK strips them before talking to Kong)
    assert fail({"_format_version": "3.0", key: "default"}) == {key: "unknown field"}


# -- entities: top-level lists, nesting, references --------------------------------------------


def every_entity_config() -> dict[str, Any]:
    cert, key = certificate_pair("rsa", "example.com")
    return {
        "_format_version": "3.0",
        "ca_certificates": [{"cert": ca_certificate()}],
        "certificates": [{"id": "1dd0a3c3-3f0e-4d4c-8d08-8f3b8c1f4e0a", "cert": cert, "key": key}],
        "snis": [{"name": "example.com", "certificate": "1dd0a3c3-3f0e-4d4c-8d08-8f3b8c1f4e0a"}],
        "consumers": [{"username": "alice"}, {"custom_id": "bob"}],
        "services": [{"name": "svc", "url": "https://example.com/api"}],
        "routes": [{"name": "r1", "paths": ["/r1"], "service": "svc"}],
        "upstreams": [{"name": "up.example"}],
        "targets": [{"target": "10.0.0.1:8000", "upstream": "up.example"}],
        "plugins": [
            {"name": "key-auth", "route": "r1"},
            {"name": "rate-limiting", "service": "svc", "consumer": "alice",
             "config": {"second": 5}},
        ],
        "keyauth_credentials": [{"key": "k1", "consumer": "alice"}],
        "basicauth_credentials": [{"username": "alice", "password": "pw", "consumer": "alice"}],
        "acls": [{"group": "admins", "consumer": "alice"}],
    }  # fmt: skip


def test_every_entity_type_has_a_top_level_list() -> None:
    config = parse(every_entity_config())
    assert list(config.entities) == [
        "ca_certificates",
        "certificates",
        "consumers",
        "services",
        "routes",
        "plugins",
        "snis",
        "upstreams",
        "targets",
        "acls",
        "basicauth_credentials",
        "keyauth_credentials",
    ]
    assert len(config) == 14
    svc = one(config, "services", name="svc")
    alice = one(config, "consumers", username="alice")
    route = one(config, "routes", name="r1")
    up = one(config, "upstreams", name="up.example")
    assert (svc["protocol"], svc["host"], svc["port"], svc["path"]) == (
        "https",
        "example.com",
        443,
        "/api",
    )
    assert route["service"] == {"id": svc["id"]}
    assert one(config, "targets")["upstream"] == {"id": up["id"]}
    assert one(config, "snis")["certificate"] == {"id": "1dd0a3c3-3f0e-4d4c-8d08-8f3b8c1f4e0a"}
    rl = one(config, "plugins", name="rate-limiting")
    assert (rl["service"], rl["consumer"], rl["route"]) == (
        {"id": svc["id"]},
        {"id": alice["id"]},
        None,
    )
    assert one(config, "plugins", name="key-auth")["route"] == {"id": route["id"]}
    for entity in ("keyauth_credentials", "basicauth_credentials", "acls"):
        assert one(config, entity)["consumer"] == {"id": alice["id"]}
    assert [name for name, _ in config] == [
        n for n, items in config.entities.items() for _ in items
    ]


def test_kongs_nesting_at_any_depth() -> None:
    cert, key = certificate_pair("rsa", "example.com")
    config = parse(
        {
            "_format_version": "3.0",
            "certificates": [{
                "cert": cert,
                "key": key,
                "snis": [{"name": "example.com"}],
                "services": [{
                    "name": "tls-svc",
                    "url": "https://example.com",
                    "routes": [{"name": "deep", "paths": ["/deep"],
                                "plugins": [{"name": "key-auth"}]}],
                }],
            }],
            "services": [{
                "name": "svc",
                "host": "example.com",
                "plugins": [{"name": "acl", "config": {"allow": ["admins"]}}],
                "routes": [{"name": "r", "paths": ["/r"], "plugins": [{"name": "basic-auth"}]}],
            }],
            "consumers": [{
                "username": "alice",
                "plugins": [{"name": "rate-limiting", "config": {"minute": 1}}],
                "keyauth_credentials": [{"key": "k"}],
                "basicauth_credentials": [{"username": "alice", "password": "pw"}],
                "acls": [{"group": "admins"}],
            }],
            "upstreams": [{"name": "up", "targets": [{"target": "10.0.0.1"}]}],
        }
    )  # fmt: skip
    certificate = one(config, "certificates")
    tls_svc = one(config, "services", name="tls-svc")
    svc = one(config, "services", name="svc")
    alice = one(config, "consumers", username="alice")
    assert one(config, "snis")["certificate"] == {"id": certificate["id"]}
    assert tls_svc["client_certificate"] == {"id": certificate["id"]}
    deep = one(config, "routes", name="deep")
    assert deep["service"] == {"id": tls_svc["id"]}
    key_auth = one(config, "plugins", name="key-auth")
    assert (key_auth["route"], key_auth["service"]) == ({"id": deep["id"]}, None)
    assert one(config, "plugins", name="acl")["service"] == {"id": svc["id"]}
    route = one(config, "routes", name="r")
    assert one(config, "plugins", name="basic-auth")["route"] == {"id": route["id"]}
    assert one(config, "plugins", name="rate-limiting")["consumer"] == {"id": alice["id"]}
    for entity in ("keyauth_credentials", "basicauth_credentials", "acls"):
        assert one(config, entity)["consumer"] == {"id": alice["id"]}
    target = one(config, "targets")
    assert target["upstream"] == {"id": one(config, "upstreams")["id"]}
    assert target["target"] == "10.0.0.1:8000"  # the targets' on_write transformation


def test_nested_entities_may_reference_other_entities() -> None:
    config = parse(
        yml(
            """
            _format_version: "3.0"
            services:
            - name: svc
              host: example.com
            consumers:
            - username: alice
              plugins:
              - name: rate-limiting
                service: svc
                config: {second: 1}
            """
        )
    )
    plugin = one(config, "plugins")
    assert plugin["service"] == {"id": one(config, "services")["id"]}
    assert plugin["consumer"] == {"id": one(config, "consumers")["id"]}


def test_references_by_name_by_id_and_by_table() -> None:
    svc_id = kong_uuid("services", "svc")
    config = parse(
        {
            "_format_version": "3.0",
            "services": [{"name": "svc", "host": "example.com"}],
            "routes": [
                {"name": "by-name", "paths": ["/a"], "service": "svc"},
                {"name": "by-id", "paths": ["/b"], "service": svc_id},
                {"name": "by-table", "paths": ["/c"], "service": {"id": svc_id}},
            ],
        }
    )
    assert [r["service"] for r in config.entities["routes"]] == [{"id": svc_id}] * 3


def test_references_to_nothing() -> None:
    # Kong's flatten_spec "fails with missing foreign relationships": keyed by the entity's id
    fields = fail(
        yml(
            """
            _format_version: "1.1"
            plugins:
              - name: rate-limiting
                service: svc1
                consumer: my-consumer
                config: {second: 1}
            """
        )
    )
    plugin_id = kong_uuid("plugins", "plugins:rate-limiting::svc1:my-consumer")
    assert fields == {
        "plugins": {
            plugin_id: [
                "invalid reference 'service: svc1' (no such entry in 'services')",
                "invalid reference 'consumer: my-consumer' (no such entry in 'consumers')",
            ]
        }
    }


def test_a_nested_entity_belongs_to_its_parent() -> None:
    # Kong #7696: a parent reference written in a nested entity must exist anyway
    fields = fail(
        yml(
            """
            _format_version: "2.1"
            services:
            - name: my-service-1
              url: http://localhost:8001/status
              routes:
              - name: my-route-1
                service:
                  id: "769bdf51-16df-5476-9830-ef26800b5448"
                paths:
                - /status
            """
        )
    )
    assert fields == {
        "routes": {
            "my-route-1": [
                'invalid reference \'service: {"id":"769bdf51-16df-5476-9830-ef26800b5448"}\' '
                "(no such entry in 'services')"
            ]
        }
    }
    # ... and when it does exist, the parent wins
    config = parse(
        yml(
            """
            _format_version: "3.0"
            services:
            - name: a
              host: a.example
              routes:
              - name: r
                service: b
                paths: [/]
            - name: b
              host: b.example
            """
        )
    )
    assert one(config, "routes")["service"] == {"id": kong_uuid("services", "a")}


# -- stable ids ---------------------------------------------------------------------------------


def test_the_same_file_gives_the_same_ids() -> None:
    text = yml(
        """
        _format_version: "3.0"
        services:
        - host: example.com
          routes:
          - paths: [/a]
          - paths: [/b]
        certificates: []
        upstreams:
        - name: up
          targets:
          - target: 10.0.0.1
        consumers:
        - custom_id: c1
          keyauth_credentials:
          - {}
        """
    )
    first, second = parse(text), Parser(PLUGINS).parse(text)
    assert ids_of(first) == ids_of(second)
    routes = ids_of(first)["routes"]
    assert len(set(routes)) == 2
    assert all(uuid.UUID(i).version == 5 for items in ids_of(first).values() for i in items)


def test_ids_are_kongs() -> None:
    # Values found in Kong's own test data: spec/02-integration/04-admin_api/15-off_spec.lua
    # (services, routes, consumers, key-auth plugin and credential ids generated by Kong 2.x)
    # and the Kubernetes ingress controller's golden output (tlsroute service).
    config = parse(SIMPLE)
    assert ids_of(config) == {
        "consumers": ["4b1b701d-de2b-5588-9aa2-3b97061d9f52"],
        "services": ["0855b320-0dd2-547d-891d-601e9b38647f"],
        "routes": ["481a9539-f49c-51b6-b2e2-fe99ee68866c"],
        "plugins": ["0611a5a9-de73-5a2d-a4e6-6a38ad4c3cb2"],
        "keyauth_credentials": ["487ab43c-b2c9-51ec-8da5-367586ea2b61"],
    }
    kic = parse(
        {
            "_format_version": "3.0",
            "services": [{"name": "tlsroute..echo-tls.0", "host": "example.com"}],
        }
    )
    assert ids_of(kic)["services"] == ["962095d7-79b7-5913-9dc3-c6f04414df0c"]


def test_id_namespaces_are_kongs() -> None:
    assert uuid.UUID("fd02801f-0957-4a15-a55a-c8d9606f30b5") == ENTITIES_NAMESPACE
    assert namespace("services") == uuid.uuid5(ENTITIES_NAMESPACE, "services")
    assert generate_id("services", "my-service") == "0855b320-0dd2-547d-891d-601e9b38647f"


def test_how_keys_are_derived() -> None:
    config = parse(
        yml(
            """
            _format_version: "3.0"
            upstreams:
            - name: up
              targets:
              - target: 10.0.0.1:80
            targets:
            - target: 10.0.0.2:80
              upstream: up
            consumers:
            - username: alice
              acls:
              - group: admins
            plugins:
            - name: key-auth
            """
        )
    )
    up = kong_uuid("upstreams", "up")
    # a target's endpoint key is not unique: scoped by its upstream (its id when nested, the
    # reference as written otherwise)
    assert ids_of(config)["targets"] == [
        kong_uuid("targets", f"10.0.0.1:80:{up}"),
        kong_uuid("targets", "10.0.0.2:80:up"),
    ]
    alice = kong_uuid("consumers", "alice")
    assert ids_of(config)["acls"] == [kong_uuid("acls", f"acls:{alice}:admins")]
    assert ids_of(config)["plugins"] == [kong_uuid("plugins", "plugins:key-auth:::")]


def test_given_ids_are_kept() -> None:
    given = "0175e0e8-3de9-56b4-96f1-b12dcb4b6691"
    config = parse({"_format_version": "3.0", "services": [{"id": given, "host": "x.example"}]})
    assert ids_of(config)["services"] == [given]
    assert fail({"_format_version": "3.0", "services": [{"id": "nope", "host": "x.example"}]}) == {
        "services": {1: {"id": "expected a valid UUID"}}
    }


# -- route paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "2.1", "3.0"])
@pytest.mark.parametrize("nested", [False, True])
def test_route_paths_by_format_version(version: str, nested: bool) -> None:
    # Kong's 04-on-the-fly-migration_spec: "/regex.+" is a regex before 3.0, a prefix from 3.0
    route = {"name": "foo", "protocols": ["https"], "paths": ["/regex.+", "/prefix"]}
    service = {"name": "foo", "host": "example.com", "protocol": "https"}
    if nested:
        config = {"_format_version": version, "services": [{**service, "routes": [route]}]}
    else:
        config = {
            "_format_version": version,
            "services": [service],
            "routes": [{**route, "service": "foo"}],
        }
    parsed = parse(config)
    stored = parsed.entities["routes"][0]["paths"]
    exported = parsed.dump()["routes"][0]["paths"]
    if version == "3.0":
        assert stored == ["/regex\\.\\+", "/prefix"]
        assert exported == ["~/regex\\.\\+", "/prefix"]
    else:
        assert stored == ["/regex.+", "/prefix"]
        assert exported == ["~/regex.+", "/prefix"]


def test_paths_are_validated_after_migration() -> None:
    fields = fail(
        yml(
            """
            _format_version: "2.1"
            services:
            - name: bar
              host: example.test
              routes:
              - name: foo
                paths: ["/regex.+(", "/prefix"]
            """
        )
    )
    message = fields["services"][1]["routes"][1]["paths"][1]
    assert message.startswith("invalid regex: '/regex.+(' (PCRE returned: ")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("~/users/(\\d+$", "invalid regex: '/users/(\\d+$' (PCRE returned: "),
        ("users", "should start with: / (fixed path) or ~/ (regex path)"),
        ("~users", "should start with: / (fixed path) or ~/ (regex path)"),
        ("/a//b", "must not have empty segments"),
        ("/a/./b", "non-normalized path, consider use '/a/b' instead"),
        ("/caf%C3%A9", "non-normalized path, consider use '/café' instead"),
        ("/a%zz", "invalid url-encoded value: '%zz'"),
    ],
)
def test_format_3_paths_are_checked_as_kong_3_does(path: str, message: str) -> None:
    fields = fail(
        {
            "_format_version": "3.0",
            "routes": [{"paths": ["/ok", path], "protocols": ["http"]}],
        }
    )
    assert list(fields) == ["routes"]
    assert fields["routes"][1]["paths"][2].startswith(message)


def test_a_tilde_in_an_old_format_file_is_migrated_again_as_in_kong() -> None:
    # Kong 3 prefixes every 1.1/2.1 regex path with "~", one that has it already too
    fields = fail({"_format_version": "1.1", "routes": [{"paths": ["~/api/[^/]+"]}]})
    assert fields == {
        "routes": {1: {"paths": {1: "should start with: / (fixed path) or ~/ (regex path)"}}}
    }


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/", "/"),
        ("/prefix", "/prefix"),
        ("/a/./x/../b", "/a/b"),
        ("/a%7e%41", "/a~A"),
        ("/a%2fb", "/a%2Fb"),
        ("/api/*", "~/api/*"),
        ("/ip$", "~/ip$"),
        ("/v1/(?<id>[a-f0-9]+)$", "~/v1/(?<id>[a-f0-9]+)$"),
        ("/re%2e+%2F%7c", "~/re\\.+%2F\\|"),
        ("/caf%C3%A9$", "~/café$"),
    ],
)
def test_migrate_path(old: str, new: str) -> None:
    assert paths.migrate_path(old) == new


def test_normalize() -> None:
    assert paths.normalize("/a//b/../c/.", merge_slashes=True) == "/a/c/"
    assert paths.normalize("/a//b", merge_slashes=False) == "/a//b"
    assert paths.normalize("/a%FF%41") == "/a%FFA"  # not UTF-8: left encoded


def test_stored_form_round_trips() -> None:
    for path in ("/prefix", "/a+b", "/regex.+", "/a b", "~/users/\\d+$", "~/ip$"):
        stored = paths.to_stored_path(path)
        assert paths.to_stored_path(paths.to_format_path(stored)) == stored


# -- duplicates ---------------------------------------------------------------------------------


def test_duplicate_primary_keys_with_kongs_message() -> None:
    # 15-off_spec "returns 400 on an primary key uniqueness error"
    with pytest.raises(errors.DeclarativeConfigError) as info:
        parse(
            yml(
                """
                _format_version: "1.1"
                services:
                - id: 0855b320-0dd2-547d-891d-601e9b38647f
                  name: foo
                  host: example.com
                  protocol: https
                  routes:
                  - name: foo
                    methods: ["GET"]
                    plugins:
                      - name: key-auth
                - id: 0855b320-0dd2-547d-891d-601e9b38647f
                  name: bar
                  host: example.test
                  port: 3000
                  routes:
                  - name: bar
                    paths:
                    - /
                    plugins:
                    - name: basic-auth
                """
            )
        )
    err = info.value
    message = (
        "uniqueness violation: 'services' entity with primary key set to "
        "'0855b320-0dd2-547d-891d-601e9b38647f' already declared"
    )
    assert err.fields == {"services": {2: message}}
    assert str(err) == f'declarative config is invalid: {{services={{[2]="{message}"}}}}'
    assert err.to_kong_body() == {
        "code": 14,
        "name": "invalid declarative configuration",
        "message": str(err),
        "fields": {"services": [None, message]},
    }


def test_duplicate_endpoint_keys_with_kongs_message() -> None:
    # 15-off_spec "returns 400 on an endpoint key uniqueness error"
    fields = fail(
        yml(
            """
            _format_version: "1.1"
            services:
            - name: foo
              host: example.com
              protocol: https
              routes:
              - name: foo
                methods: ["GET"]
            - name: foo
              host: example.test
              port: 3000
              routes:
              - name: bar
                paths:
                - /
            """
        )
    )
    assert fields == {
        "services": {
            2: "uniqueness violation: 'services' entity with name set to 'foo' already declared"
        }
    }


def test_duplicate_unique_values_with_kongs_message() -> None:
    # 15-off_spec "returns 400 on a regular key uniqueness error"
    fields = fail(
        yml(
            """
            _format_version: "1.1"
            consumers:
            - username: foo
              custom_id: conflict
            - username: bar
              custom_id: conflict
            """
        )
    )
    assert fields == {
        "consumers": {
            "bar": "uniqueness violation: 'consumers' entity with custom_id set to 'conflict' "
            "already declared"
        }
    }


def test_duplicate_plugins() -> None:
    # nested in a service and at the top level, by name: the same (name, service) cache key
    fields = fail(
        yml(
            """
            _format_version: "3.0"
            services:
            - name: svc
              host: example.com
              plugins:
              - name: key-auth
            plugins:
            - name: key-auth
              service: svc
            """
        )
    )
    svc = kong_uuid("services", "svc")
    second = kong_uuid("plugins", "plugins:key-auth::svc:")
    assert fields == {
        "plugins": {
            second: "uniqueness violation: 'plugins' entity with cache_key set to "
            f'\'{{consumer=null,name="key-auth",route=null,service={{id="{svc}"}}}}\' '
            "already declared"
        }
    }
    # ten global key-auth plugins share one generated id (15-off_spec "sparse responses")
    fields = fail({"_format_version": "1.1", "plugins": [{"name": "key-auth"}] * 3})
    plugin_id = kong_uuid("plugins", "plugins:key-auth:::")
    message = f"uniqueness violation: 'plugins' entity with primary key set to '{plugin_id}' "
    assert fields == {"plugins": {2: message + "already declared", 3: message + "already declared"}}


def test_duplicate_acl_groups() -> None:
    fields = fail(
        yml(
            """
            _format_version: "3.0"
            consumers:
            - username: alice
              acls:
              - group: admins
            acls:
            - group: admins
              consumer: alice
            """
        )
    )
    assert list(fields) == ["acls"]
    (message,) = fields["acls"].values()
    assert "entity with cache_key set to '{consumer={id=" in message


def test_a_nested_duplicate_is_reported_where_it_is() -> None:
    fields = fail(
        yml(
            """
            _format_version: "3.0"
            services:
            - name: a
              host: a.example
              routes:
              - name: r
                paths: [/a]
            - name: b
              host: b.example
              routes:
              - name: x
                paths: [/x]
              - name: r
                paths: [/b]
            """
        )
    )
    assert fields == {
        "services": {
            2: {
                "routes": {
                    2: "uniqueness violation: 'routes' entity with name set to 'r' already declared"
                }
            }
        }
    }


# -- unknown entities and plugins ---------------------------------------------------------------


def test_unknown_entity_types_are_unknown_fields() -> None:
    fields = fail(
        yml(
            """
            _format_version: "3.0"
            foo: []
            consumer_groups: []
            consumers:
            - username: alice
              routes: []
              jwt_secrets: []
            """
        )
    )
    assert fields == {
        "foo": "unknown field",
        "consumer_groups": "unknown field",
        "consumers": {1: {"routes": "unknown field", "jwt_secrets": "unknown field"}},
    }


def test_entities_of_plugins_that_are_not_enabled_are_unknown() -> None:
    text = "_format_version: '3.0'\nkeyauth_credentials: []\n"
    assert ids_of(parse(text, plugins=["key-auth"])) == {}
    assert fail(text, plugins=["acl"]) == {"keyauth_credentials": "unknown field"}


def test_unknown_plugins() -> None:
    fields = fail(
        yml(
            """
            _format_version: "1.1"
            services:
            - name: foo
              url: https://example.com
              plugins:
              - name: foo
              - enabled: true
            """
        )
    )
    assert fields == {
        "services": {
            1: {
                "plugins": {
                    1: {
                        "name": "plugin 'foo' not enabled; add it to the 'plugins' configuration "
                        "property"
                    },
                    2: {"name": "required field missing"},
                }
            }
        }
    }


def test_plugins_that_cannot_apply_to_consumers() -> None:
    fields = fail(
        yml(
            """
            _format_version: "1.1"
            consumers:
            - username: foo
              plugins:
              - name: key-auth
            """
        )
    )
    assert fields == {"consumers": {1: {"plugins": {1: {"consumer": "value must be null"}}}}}


# -- everything at once, the error object ---------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(errors.DeclarativeConfigError) as info:
        parse(
            yml(
                """
                _format_version: "3.0"
                _workspace: default
                services:
                - name: svc
                  retries: -1
                  protocol: foo
                  host: 1234
                  port: 99999
                  path: /foo//bar/
                - name: svc
                  host: example.com
                  routes:
                  - name: r
                    paths: [nope]
                routes:
                - name: r2
                  paths: [/ok]
                  service: missing
                plugins:
                - name: nope
                """
            )
        )
    err = info.value
    assert err.fields == {
        "_workspace": "unknown field",
        "services": {
            1: {
                "host": "expected a string",
                "path": "must not have empty segments",
                "port": "value should be between 0 and 65535",
                "protocol": (
                    "expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"
                ),
                "retries": "value should be between 0 and 32767",
            },
            2: {
                "routes": {
                    1: {"paths": {1: "should start with: / (fixed path) or ~/ (regex path)"}}
                },
                "@entity": [
                    "uniqueness violation: 'services' entity with name set to 'svc' already "
                    "declared"
                ],
            },
        },
        "routes": {"r2": ["invalid reference 'service: missing' (no such entry in 'services')"]},
        "plugins": {
            1: {"name": "plugin 'nope' not enabled; add it to the 'plugins' configuration property"}
        },
    }
    assert err.code == 14
    assert err.name == "invalid declarative configuration"
    assert err.strategy is None
    assert str(err).startswith('declarative config is invalid: {_workspace="unknown field",')
    assert isinstance(err, ValueError)


# -- export ---------------------------------------------------------------------------------------


def test_dump_is_a_flat_format_3_export_that_parses_back() -> None:
    config = parse(every_entity_config())
    dumped = config.dump()
    assert list(dumped)[:2] == ["_format_version", "_transform"]
    assert (dumped["_format_version"], dumped["_transform"]) == ("3.0", False)
    assert "tags" not in dumped
    svc = one(config, "services")
    assert dumped["routes"][0]["service"] == svc["id"]
    assert all("routes" not in s and "plugins" not in s for s in dumped["services"])

    again = parse(json.loads(json.dumps(dumped)))
    assert stored(again) == stored(config)  # basic-auth passwords are not hashed twice


def test_dump_keeps_nested_and_migrated_configs() -> None:
    config = parse(
        yml(
            """
            _format_version: "2.1"
            consumers:
            - username: alice
              basicauth_credentials:
              - username: alice
                password: pw
            services:
            - name: s
              host: example.com
              routes:
              - paths: [/users/\\d+$, /plain]
            """
        )
    )
    again = parse(config.dump())
    assert stored(again) == stored(config)
    assert again.dump()["routes"][0]["paths"] == ["~/users/\\d+$", "/plain"]


# -- schemas --------------------------------------------------------------------------------------


def test_entity_schemas_follow_the_enabled_plugins() -> None:
    schemas = declarative.entity_schemas(["acl"])
    assert "acls" in schemas
    assert "keyauth_credentials" not in schemas
    assert set(schemas["plugins"].subschemas) == {"acl"}
    assert declarative.topological_order(schemas)[:5] == [
        "workspaces",
        "ca_certificates",
        "certificates",
        "consumers",
        "services",
    ]
    assert PARSER.children("services") == {"routes": "service", "plugins": "service"}
    assert PARSER.children("routes") == {"plugins": "route"}
    assert PARSER.children("upstreams") == {"targets": "upstream"}
    assert set(PARSER.children("consumers")) == {
        "plugins",
        "acls",
        "basicauth_credentials",
        "keyauth_credentials",
    }


# -- the corpus -----------------------------------------------------------------------------------


def _reason(fields: dict[Any, Any]) -> set[str]:
    """Sort a file's problems into categories, for the report."""
    found: set[str] = set()

    def walk(node: Any, key: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            if "not enabled; add it" in node:
                found.add("plugin not enabled")
            elif node == "unknown field":
                found.add(f"unknown field {key}" if str(key).startswith("_") else "unknown field")
            elif node.startswith("uniqueness violation"):
                found.add("duplicate")
            elif node.startswith("invalid reference"):
                found.add("invalid reference")
            elif node.startswith("failed parsing"):
                found.add("unreadable")
            else:
                found.add("invalid value")

    walk(fields, None)
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not available")
def test_corpus_parses_or_fails_with_the_declarative_error() -> None:
    parser = Parser()  # every bundled plugin, whatever the bundle holds today
    outcomes: dict[str, str] = {}
    crashes: dict[str, str] = {}
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".yml", ".yaml", ".json"):
            continue
        try:
            config = parser.parse(path)
        except errors.DeclarativeConfigError as exc:
            reasons = _reason(exc.fields or {})
            outcomes[path.name] = "FAIL " + ", ".join(sorted(reasons or {"no details"}))
        except Exception as exc:  # collected, then reported all at once
            crashes[path.name] = f"{type(exc).__name__}: {exc}"
        else:
            assert len(config) > 0 or path.name.startswith("065")
            outcomes[path.name] = "OK"
    assert len(outcomes) + len(crashes) == 68
    assert not [name for name, outcome in outcomes.items() if "no details" in outcome]
    summary = collections.Counter(o.split(" ", 1)[0] for o in outcomes.values())
    print(f"\ncorpus: {summary['OK']} parsed, {summary['FAIL']} refused")
    for name, outcome in outcomes.items():
        print(f"  {outcome:<60} {name}")
    assert crashes == {}
