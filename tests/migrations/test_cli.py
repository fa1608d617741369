"""The ``kongdao migrations`` command line, against a real PostgreSQL.

One fresh database per module, one PostgreSQL schema per test (``?schema=`` in the DSN). The
command runs kongdao's core migrations. ``main()`` runs its own event loop, so the tests call it
in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

import kongdao
from kongdao.cli.__main__ import main
from kongdao.migrations import (
    NEEDS_BOOTSTRAP_MSG,
    NEW_MIGRATIONS_MSG,
    NOT_LEADER_MSG,
    PENDING_MIGRATIONS_MSG,
    MigrationError,
)
from kongdao.testing.postgres import with_options

pytestmark = pytest.mark.postgres


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
def schema() -> str:
    return f"cli_{secrets.token_hex(4)}"


@pytest.fixture
def dsn(database: str, schema: str) -> str:
    return with_options(database, schema=schema)


async def run(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def sql(database: str, query: str, *args: object) -> object:
    conn = await asyncpg.connect(database)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_bootstrap_list_up_finish(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("migrations", "list", "--dsn", dsn) == 3
    assert capsys.readouterr().out == f"{NEEDS_BOOTSTRAP_MSG}\n"

    assert await run("migrations", "bootstrap", "--dsn", dsn) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Bootstrapping database..."
    assert "core migrated up to: 000_base (executed)" in out
    assert out[-1] == "Database is up-to-date"

    assert await run("migrations", "list", "--dsn", dsn) == 0
    # core, then the bundled plugins' subsystems alphabetically (Kong's order and layout)
    assert capsys.readouterr().out == (
        "Executed migrations:\n"
        "      core: 000_base, 001_certificates_upstreams\n"
        "       acl: 000_base_acl\n"
        "      acme: 000_base_acme\n"
        "basic-auth: 000_base_basic_auth\n"
        " hmac-auth: 000_base_hmac_auth\n"
        "       jwt: 000_base_jwt\n"
        "  key-auth: 000_base_key_auth\n"
        "    oauth2: 000_base_oauth2\n"
        "   session: 000_base_session\n"
    )

    assert await run("migrations", "up", "--dsn", dsn) == 0
    assert capsys.readouterr().out == "Database is already up-to-date\n"

    assert await run("migrations", "finish", "--dsn", dsn) == 0
    assert capsys.readouterr().out == "No pending migrations to finish\n"

    assert await run("migrations", "bootstrap", "--dsn", dsn) == 0
    assert capsys.readouterr().out == "Database already bootstrapped\n"


async def test_list_exit_codes_for_new_and_pending(
    database: str, schema: str, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("migrations", "bootstrap", "-q", "--dsn", dsn) == 0
    table = f"{_quote(schema)}.schema_meta"

    await sql(database, f"UPDATE {table} SET executed = '{{}}', pending = '{{000_base}}'")
    capsys.readouterr()
    assert await run("migrations", "list", "--dsn", dsn) == 4
    out = capsys.readouterr().out
    assert "Pending migrations:\ncore: 000_base" in out
    assert out.endswith("Run 'kongdao migrations finish' when ready\n")

    assert await run("migrations", "up", "--dsn", dsn) == 1
    assert capsys.readouterr().err == f"Error: {PENDING_MIGRATIONS_MSG}\n"

    await sql(database, f"DELETE FROM {table}")
    assert await run("migrations", "list", "--dsn", dsn) == 5
    assert capsys.readouterr().out.endswith("Run 'kongdao migrations up' to proceed\n")

    assert await run("migrations", "up", "--dsn", dsn) == 0
    assert await run("migrations", "list", "-q", "--dsn", dsn) == 0


async def test_a_plugin_enabled_later_gets_its_tables_from_up(
    database: str, schema: str, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("migrations", "bootstrap", "-q", "--plugins", "off", "--dsn", dsn) == 0
    assert (
        await sql(database, "SELECT to_regclass($1)::text", f"{schema}.keyauth_credentials") is None
    )

    # the DB refuses to serve a plugin whose migrations have not run
    with pytest.raises(MigrationError) as info:
        await kongdao.connect(dsn, plugins=["key-auth"])
    assert str(info.value) == f"{NEW_MIGRATIONS_MSG} (new: key-auth: 000_base_key_auth)"

    capsys.readouterr()
    assert await run("migrations", "list", "--plugins", "key-auth", "--dsn", dsn) == 5
    out = capsys.readouterr().out
    assert "New migrations available:\nkey-auth: 000_base_key_auth\n" in out
    assert await run("migrations", "up", "--plugins", "key-auth", "--dsn", dsn) == 0
    assert "key-auth migrated up to: 000_base_key_auth (executed)" in capsys.readouterr().out
    assert await sql(database, "SELECT to_regclass($1)::text", f"{schema}.keyauth_credentials")

    async with kongdao.connect(dsn, plugins=["key-auth"], ttl_cleanup_interval=None) as db:
        consumer = await db.consumers.insert({"username": "alice"})
        cred = await db.keyauth_credentials.insert({"consumer": {"id": consumer.id}})
        assert await db.keyauth_credentials.select_by_key(cred.key) == cred
    # still refused with a plugin whose tables are missing, and the error names it
    with pytest.raises(MigrationError, match=r"\(new: acl: 000_base_acl\)$"):
        await kongdao.connect(dsn, plugins=["key-auth", "acl"])


async def test_unknown_plugin_is_one_line(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("migrations", "list", "--plugins", "key-auth,nope", "--dsn", dsn) == 1
    assert capsys.readouterr().err == "Error: plugin 'nope' is enabled but not installed\n"


async def test_up_force(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("migrations", "bootstrap", "--dsn", dsn) == 0
    capsys.readouterr()

    assert await run("migrations", "up", "--force", "--dsn", dsn) == 0
    assert "core migrated up to: 000_base (executed)" in capsys.readouterr().out
    assert await run("migrations", "finish", "-f", "--dsn", dsn) == 0


async def test_errors_are_one_line_on_stderr(
    database: str, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("migrations", "up", "--dsn", dsn) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"Error: Cannot run migrations: {NEEDS_BOOTSTRAP_MSG}\n"

    secret_dsn = "postgresql://postgres:s3cr3t@127.0.0.1:1/nowhere"
    assert await run("migrations", "list", "--dsn", secret_dsn, "--db-timeout", "2") == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: [postgres] ")
    assert err.count("\n") == 1
    assert "s3cr3t" not in err
    assert "Traceback" not in err

    assert await run("migrations", "list", "--dsn", "nosuchdb://x") == 1
    assert capsys.readouterr().err.startswith("Error: unknown connector 'nosuchdb'")


async def test_reset(
    database: str, schema: str, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("migrations", "reset", "-y", "--dsn", dsn) == 1
    assert capsys.readouterr().out == "Database not bootstrapped, nothing to reset\n"

    assert await run("migrations", "bootstrap", "-q", "--dsn", dsn) == 0
    assert await run("migrations", "reset", "--yes", "--dsn", dsn) == 0
    assert capsys.readouterr().out == "Resetting database...\nDatabase successfully reset\n"
    assert await run("migrations", "list", "-q", "--dsn", dsn) == 3


async def test_reset_asks_for_confirmation(
    dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("migrations", "bootstrap", "-q", "--dsn", dsn) == 0

    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert await run("migrations", "reset", "--dsn", dsn) == 1
    assert capsys.readouterr().err == (
        "Error: not a tty: invoke 'reset' non-interactively with the --yes flag\n"
    )

    monkeypatch.setattr(sys, "stdin", _Tty("maybe\nn\n"))
    assert await run("migrations", "reset", "--dsn", dsn) == 0
    question = "> Are you sure? This operation is irreversible. [Y/n] "
    assert capsys.readouterr().out == f"{question}{question}cancelled\n"
    assert await run("migrations", "list", "-q", "--dsn", dsn) == 0

    monkeypatch.setattr(sys, "stdin", _Tty("Y\n"))
    assert await run("migrations", "reset", "--dsn", dsn) == 0
    assert (
        capsys.readouterr().out == f"{question}Resetting database...\nDatabase successfully reset\n"
    )
    assert await run("migrations", "list", "-q", "--dsn", dsn) == 3


async def test_lock_timeout(
    database: str, schema: str, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("migrations", "bootstrap", "-q", "--dsn", dsn) == 0
    await sql(
        database,
        f"INSERT INTO {_quote(schema)}.locks VALUES ('migrations', 'other node', now() + '1 hour')",
    )
    capsys.readouterr()

    assert await run("migrations", "up", "--lock-timeout", "0.3", "--dsn", dsn) == 1
    assert capsys.readouterr().err == "Error: [postgres] timeout\n"

    assert await run("migrations", "finish", "--dsn", dsn) == 0
    assert capsys.readouterr().out == f"{NOT_LEADER_MSG}\n"


async def test_dsn_from_the_environment(
    dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KONGDAO_DSN", dsn)
    assert await run("migrations", "list") == 3
    assert capsys.readouterr().out == f"{NEEDS_BOOTSTRAP_MSG}\n"


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["migrations"]) == 2
    assert main(["migrations", "nope"]) == 2
    assert main(["migrations", "list", "--db-timeout", "soon"]) == 2
    assert main(["migrations", "list", "--lock-timeout", "-1"]) == 2
    assert main(["migrations", "list", "--force"]) == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "migrations" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("kongdao ")


def test_python_dash_m(dsn: str) -> None:
    env = {**os.environ, "KONGDAO_DSN": dsn}
    result = subprocess.run(
        [sys.executable, "-m", "kongdao.cli", "migrations", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout == f"{NEEDS_BOOTSTRAP_MSG}\n"


# -- kongdao config ---------------------------------------------------------------------------

KONG_YML = """\
_format_version: "3.0"
services:
- name: mockbin
  url: http://mockbin.org/request
  routes:
  - name: mock
    paths: [/mock]
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
"""


async def test_config_parse_import_export(
    tmp_path: Path, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "kong.yml"
    source.write_text(KONG_YML)
    assert await run("config", "parse", str(source)) == 0
    assert (
        capsys.readouterr().out
        == "parse successful: 1 consumers, 1 services, 1 routes, 1 keyauth_credentials\n"
    )

    bad = tmp_path / "bad.yml"
    bad.write_text(KONG_YML.replace("/mock", "mock"))
    assert await run("config", "parse", str(bad)) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ")
    assert "declarative config is invalid" in err
    assert err.count("\n") == 1

    assert await run("migrations", "bootstrap", "-q", "--dsn", dsn) == 0
    assert await run("config", "db_import", str(source), "--dsn", dsn) == 0
    assert capsys.readouterr().out.endswith("import successful: 4 entities\n")
    # again: the same state
    assert await run("config", "db_import", str(source), "-q", "--dsn", dsn) == 0

    exported = tmp_path / "export.json"
    assert await run("config", "db_export", str(exported), "-q", "--dsn", dsn) == 0
    data = json.loads(exported.read_text())
    assert data["_format_version"] == "3.0"
    assert [s["name"] for s in data["services"]] == ["mockbin"]
    assert data["routes"][0]["paths"] == ["/mock"]
    assert data["keyauth_credentials"][0]["key"] == "alice-key"

    capsys.readouterr()
    assert await run("config", "db_export", "--dsn", dsn) == 0
    assert "username: alice" in capsys.readouterr().out
