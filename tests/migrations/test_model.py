"""kongdao.migrations: the data model and the pure parts of the runner (no database)."""

from __future__ import annotations

import secrets
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kongdao.errors import KongDAOError
from kongdao.migrations import (
    NEEDS_BOOTSTRAP_MSG,
    NEW_MIGRATIONS_MSG,
    LockError,
    Migration,
    MigrationError,
    Step,
    Subsystem,
    missing_strategy,
)
from kongdao.migrations.runner import (
    ListCode,
    Migrations,
    SchemaState,
    SubsystemState,
    format_migrations,
)


async def _noop(connector: Any) -> None:
    return None


A = Migration("000_a", postgres=Step(up="CREATE TABLE IF NOT EXISTS a (id INT)"))
B = Migration("001_b", postgres=Step(teardown=_noop), cassandra=Step(up_f=_noop))


def test_step_defaults_and_validation() -> None:
    assert Step() == Step(up="", up_f=None, teardown=None)
    assert Step().is_empty
    assert Step(up="  \n ").is_empty
    assert not Step(teardown=_noop).is_empty
    with pytest.raises(TypeError):
        Step(up=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="up_f must be an async function or None"):
        Step(up_f="SELECT 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="teardown must be"):
        Step(teardown=42)  # type: ignore[arg-type]


def test_steps_are_frozen() -> None:
    with pytest.raises(AttributeError):
        A.name = "x"  # type: ignore[misc]


def test_migration_validation() -> None:
    with pytest.raises(ValueError, match="migration name must not be empty"):
        Migration("", postgres=Step(up="x"))
    with pytest.raises(ValueError, match="migration '000_x' does nothing on any connector"):
        Migration("000_x", postgres=Step(), cassandra=Step(up=" "))
    with pytest.raises(ValueError, match="does nothing"):
        Migration("000_x")
    with pytest.raises(TypeError, match="postgres must be a Step or None, not str"):
        Migration("000_x", postgres="CREATE TABLE x ()")  # type: ignore[arg-type]


def test_step_for() -> None:
    assert A.step_for("postgres") is A.postgres
    assert B.step_for("cassandra") is B.cassandra
    with pytest.raises(MigrationError) as info:
        A.step_for("cassandra")
    assert str(info.value) == "[cassandra] missing cassandra strategy for migration '000_a'"
    with pytest.raises(MigrationError, match="missing off strategy for migration '000_a'"):
        A.step_for("off")


def test_errors() -> None:
    err = missing_strategy("postgres", "000_x")
    assert isinstance(err, KongDAOError)
    assert err.code == 0
    assert err.name == "migration error"
    assert err.message == "missing postgres strategy for migration '000_x'"
    assert issubclass(LockError, MigrationError)
    assert str(LockError("timeout", strategy="postgres")) == "[postgres] timeout"
    assert "kongdao migrations bootstrap" in NEEDS_BOOTSTRAP_MSG
    assert "\n" not in NEEDS_BOOTSTRAP_MSG
    assert NEW_MIGRATIONS_MSG == "New migrations available; run 'kongdao migrations up' to proceed"


def test_subsystem_validation() -> None:
    sub = Subsystem("core", [A, B])
    assert sub.migrations == (A, B)
    with pytest.raises(ValueError, match="subsystem 'core': duplicate migration '000_a'"):
        Subsystem("core", [A, A])
    with pytest.raises(TypeError, match="expected a Migration, not str"):
        Subsystem("core", ["000_a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="subsystem name must not be empty"):
        Subsystem("", [A])


def _package(tmp_path: Path, files: dict[str, str]) -> str:
    name = f"kongdao_test_migs_{secrets.token_hex(4)}"
    root = tmp_path / name
    root.mkdir()
    for filename, text in files.items():
        (root / filename).write_text(textwrap.dedent(text))
    return name


STEPS = """
from kongdao.migrations import Step
postgres = Step(up="CREATE TABLE IF NOT EXISTS {0} (id INT)")
cassandra = Step(up="CREATE TABLE IF NOT EXISTS {0} (id int PRIMARY KEY)")
"""


def test_from_package_discovers_numbered_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "m001_second.py": STEPS.format("second"),
            "000_first.py": STEPS.format("first"),
            "m002_third.py": """
                from kongdao.migrations import Migration, Step
                MIGRATION = Migration("002_custom_name", postgres=Step(up="SELECT 1"))
            """,
            "helpers.py": "raise AssertionError('not a migration: never imported')",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    sub = Subsystem.from_package("my-plugin", package)

    assert sub.name == "my-plugin"
    assert [m.name for m in sub.migrations] == ["000_first", "001_second", "002_custom_name"]
    first = sub.migrations[0]
    assert first.postgres == Step(up="CREATE TABLE IF NOT EXISTS first (id INT)")
    assert first.cassandra is not None


def test_from_package_follows_an_explicit_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "MIGRATIONS = ['m010_b', 'm002_a']",
            "m002_a.py": STEPS.format("a"),
            "m010_b.py": STEPS.format("b"),
            "m011_unlisted.py": STEPS.format("c"),
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    sub = Subsystem.from_package("core", package)

    assert [m.name for m in sub.migrations] == ["010_b", "002_a"]


def test_from_package_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad_name = _package(tmp_path, {"__init__.py": "MIGRATIONS = ['helpers']", "helpers.py": ""})
    bad_object = _package(tmp_path, {"__init__.py": "", "m000_x.py": "MIGRATION = 'SELECT 1'"})
    missing = _package(tmp_path, {"__init__.py": "MIGRATIONS = ['m000_gone']"})
    monkeypatch.syspath_prepend(str(tmp_path))

    with pytest.raises(ValueError, match=r"\.helpers' is not a migration module name"):
        Subsystem.from_package("core", bad_name)
    with pytest.raises(TypeError, match=r"m000_x\.MIGRATION' is not a Migration"):
        Subsystem.from_package("core", bad_object)
    with pytest.raises(ModuleNotFoundError):
        Subsystem.from_package("core", missing)


def test_from_package_loads_kongdaos_core_migrations() -> None:
    from kongdao.migrations.core import CORE

    assert Subsystem.from_package("core", "kongdao.migrations.core") == CORE


def test_format_migrations() -> None:
    assert format_migrations({}) == ""
    assert format_migrations({"core": (A, B), "key-auth": (A,)}) == (
        "    core: 000_a, 001_b\nkey-auth: 000_a"
    )


def test_schema_state() -> None:
    state = SchemaState(
        needs_bootstrap=False,
        subsystems=(
            SubsystemState("core", executed=(A,), pending=(B,)),
            SubsystemState("acl", new=(A,)),
            SubsystemState("key-auth", executed=(A, B)),
        ),
    )
    assert state.executed_migrations == {"core": (A,), "key-auth": (A, B)}
    assert state.pending_migrations == {"core": (B,)}
    assert state.new_migrations == {"acl": (A,)}
    assert state.missing_migrations == {}
    assert state.has_pending
    assert state.has_new
    assert not state.is_up_to_date
    assert state.is_migration_executed("key-auth", "001_b")
    assert not state.is_migration_executed("core", "001_b")
    with pytest.raises(MigrationError) as info:
        state.check()
    assert str(info.value) == f"{NEW_MIGRATIONS_MSG} (new: acl: 000_a)"

    fresh = SchemaState(needs_bootstrap=True, subsystems=(SubsystemState("core", new=(A,)),))
    with pytest.raises(MigrationError, match="Database needs bootstrapping"):
        fresh.check()


def test_list_codes_are_kongs() -> None:
    assert [int(c) for c in ListCode] == [0, 3, 4, 5]


class _Named:
    name = "postgres"


def test_migrations_constructor() -> None:
    migrations = Migrations(_Named(), [Subsystem("core", [A]), Subsystem("acl", [A])])  # type: ignore[arg-type]
    assert repr(migrations) == "<Migrations postgres [core, acl]>"
    assert migrations.lock_ttl == migrations.lock_timeout == 60
    assert migrations.on_progress is None
    with pytest.raises(ValueError, match="duplicate subsystem: core"):
        Migrations(_Named(), [Subsystem("core", [A]), Subsystem("core", [B])])  # type: ignore[arg-type]
