"""``kongdao check`` against a real PostgreSQL.

One fresh database per module, one PostgreSQL schema per test (``?schema=`` in the DSN), as in
test_cli.py. The parser is built here with :func:`kongdao.cli.check.add_check`; the command
runs its own event loop, so the tests call it in a worker thread.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import socket

import asyncpg
import pytest

import kongdao
from kongdao.cli.check import add_check
from kongdao.migrations import NEEDS_BOOTSTRAP_MSG, NEW_MIGRATIONS_MSG, PENDING_MIGRATIONS_MSG
from kongdao.testing.postgres import with_options

pytestmark = pytest.mark.postgres

DATABASE_PREFIX = "kongdao_test_check"  # the name the output below shows


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
def schema() -> str:
    return f"check_{secrets.token_hex(4)}"


@pytest.fixture
def dsn(database: str, schema: str) -> str:
    return with_options(database, schema=schema)


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kongdao")
    add_check(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = asyncio.run(args.handler(args))
    return code


async def run(*argv: str) -> int:
    return await asyncio.to_thread(_main, list(argv))


async def bootstrap(dsn: str, plugins: list[str]) -> None:
    db = await kongdao.connect(dsn, plugins=plugins, check_migrations=False)
    try:
        await db.migrations.bootstrap()
    finally:
        await db.close()


async def test_needs_bootstrap(dsn: str, schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("check", "--dsn", dsn) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("server: PostgreSQL ")
    assert "database kongdao_test_check_" in out[0]
    assert out[1] == f"schema: {schema}"
    assert out[-1] == NEEDS_BOOTSTRAP_MSG


async def test_up_to_date_then_new(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    await bootstrap(dsn, ["off"])
    assert await run("check", "--plugins", "off", "--dsn", dsn) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "  core: 2 executed"
    assert out[-1] == "Database is up-to-date"

    # the bundled plugins' tables are missing: their migrations are new
    assert await run("check", "--plugins", "key-auth,acl", "--dsn", dsn) == 5
    out = capsys.readouterr().out.splitlines()
    assert "       acl: 0 executed, 1 new (000_base_acl)" in out
    assert "  key-auth: 0 executed, 1 new (000_base_key_auth)" in out
    assert out[-1] == NEW_MIGRATIONS_MSG


async def test_pending(
    database: str, schema: str, dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await bootstrap(dsn, ["off"])
    conn = await asyncpg.connect(database)
    try:
        await conn.execute(
            f"UPDATE {_quote(schema)}.schema_meta SET executed = '{{000_base}}', "
            "pending = '{001_certificates_upstreams}'"
        )
    finally:
        await conn.close()
    assert await run("check", "--plugins", "off", "-q", "--dsn", dsn) == 4
    assert capsys.readouterr().out == ""
    assert await run("check", "--plugins", "off", "--dsn", dsn) == 4
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == "  core: 1 executed, 1 pending (001_certificates_upstreams)"
    assert out[-1] == PENDING_MIGRATIONS_MSG


async def test_cannot_connect(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dsn = f"postgresql://kong:s3cret@127.0.0.1:{port}/kong"
    assert await run("check", "--db-timeout", "2", "--dsn", dsn) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: cannot connect to postgresql://kong:***@127.0.0.1:{port}")
    assert "s3cret" not in captured.err
    assert "Traceback" not in captured.err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _main(["check", "--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "0 up to date, 1 cannot connect, 3 needs bootstrap" in out
    assert "--dsn" in out
