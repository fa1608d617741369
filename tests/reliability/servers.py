"""Private, throwaway database servers for the fault tests: never the shared ones.

The restart tests stop and start a server while kongdao runs against it; the secrets and TLS
tests need password authentication and TLS that the shared test server (trust, no TLS) does not
have. Each test that needs one starts its own here, on a free loopback port, with its data in a
temporary folder, and stops it at the end.

* :class:`PrivatePostgres`: ``initdb`` + ``pg_ctl`` of the machine's PostgreSQL, found and run
  as :class:`kongdao.testing.replica.Server` does (``$KONGDAO_PG_BINDIR``, else the newest
  ``/usr/lib/postgresql/<v>/bin``...; as root, the server runs as the ``postgres`` system user:
  ``initdb`` refuses root).
* :class:`PrivateCassandra`: one more node run by ``compose/cassandra/cassandra.sh`` on its
  own ports, with its own configuration, data and logs (``KONGDAO_CASSANDRA_CACHE``), sharing
  the downloaded distribution (``KONGDAO_CASSANDRA_DIST``, default the checkout's
  ``.cache/cassandra``; downloaded there once if missing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from kongdao.testing.postgres import listening
from kongdao.testing.replica import Server

ROOT = Path(__file__).resolve().parents[2]
CASSANDRA_SH = ROOT / "compose" / "cassandra" / "cassandra.sh"


def free_port() -> int:
    """A TCP port nothing listens on at the moment (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(why: str) -> None:
    pytest.skip(f"no private server: {why}")


# -- PostgreSQL -------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of our own: ``start()``, ``stop()``, ``restart()``, ``kill()``.

    Args:
        password: the ``postgres`` role's password; with one, TCP connections need it
            (``scram-sha-256``), else they are trusted.
        ssl: a ``(cert_pem, key_pem)`` pair: the server accepts TLS with that certificate.
        ssl_ca: PEM of the CAs whose client certificates the server accepts (``cert`` auth).
        hba: ``pg_hba.conf`` lines put before initdb's own (first match wins).
        settings: extra ``postgresql.conf`` lines.
    """

    def __init__(
        self,
        *,
        password: str | None = None,
        ssl: tuple[str, str] | None = None,
        ssl_ca: str | None = None,
        hba: list[str] | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.password = password
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="kongdao-pg-"))
        try:
            # initdb, pg_ctl and the server's user (not root): kongdao.testing.replica's
            self.server = Server(self.dir, "data", self.port)
        except RuntimeError as exc:
            shutil.rmtree(self.dir, ignore_errors=True)
            _unavailable(str(exc))
        self.bindir = self.server.bin
        self.data = self.server.data
        self.log = self.server.log
        self._run = self.server.run
        self._own = self.server.own
        self._init(ssl, ssl_ca, hba or [], settings or {})

    def _init(
        self,
        ssl: tuple[str, str] | None,
        ssl_ca: str | None,
        hba: list[str],
        settings: dict[str, str],
    ) -> None:
        self._own(self.dir)
        args = [self.bindir / "initdb", "-D", self.data, "-U", "postgres", "-E", "UTF8"]
        args += ["--no-sync", "--auth-local=trust"]
        if self.password is not None:
            pwfile = self.dir / "pwfile"
            pwfile.write_text(self.password + "\n")
            self._own(pwfile)
            args += ["--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
        else:
            args += ["--auth-host=trust"]
        self._run(*args)
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.dir}'",
            "max_connections": "100",
            "fsync": "on",
            "log_min_messages": "warning",
            **settings,
        }
        if ssl is not None:
            cert, key = ssl
            files = [("server.crt", cert), ("server.key", key)]
            if ssl_ca is not None:
                files.append(("root.crt", ssl_ca))
                conf["ssl_ca_file"] = "'root.crt'"
            for name, pem in files:
                path = self.data / name
                path.write_text(pem)
                path.chmod(0o600)
                self._own(path)
            conf.update(
                {"ssl": "on", "ssl_cert_file": "'server.crt'", "ssl_key_file": "'server.key'"}
            )
        if hba:
            path = self.data / "pg_hba.conf"
            path.write_text("\n".join(hba) + "\n" + path.read_text())
        with open(self.data / "postgresql.conf", "a") as fh:
            fh.write("\n# kongdao reliability tests\n")
            fh.writelines(f"{k} = {v}\n" for k, v in conf.items())

    def dsn(self, database: str = "postgres", *, password: str | None = None) -> str:
        """``postgresql://postgres[:password]@127.0.0.1:<port>/<database>``."""
        secret = password if password is not None else self.password
        auth = f"postgres:{secret}@" if secret else "postgres@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60) -> None:
        self.server.start(timeout)

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m <mode>``: ``smart``, ``fast`` (the default) or ``immediate``."""
        self.server.stop(mode)

    def kill(self) -> None:
        """SIGKILL the postmaster: a crash (its backends exit on their own)."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while self.running() and time.monotonic() < deadline:
                time.sleep(0.05)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(pidfile.read_text().splitlines()[0])
        return None

    def running(self) -> bool:
        return listening(("127.0.0.1", self.port))

    def server_log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")
        return ""

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


# -- Cassandra --------------------------------------------------------------------------------


def cassandra_dist() -> Path:
    """The Cassandra distribution a private node runs (downloaded there on first use)."""
    env = os.environ.get("KONGDAO_CASSANDRA_DIST")
    if env:
        return Path(env)
    return ROOT / ".cache" / "cassandra" / "apache-cassandra-2.1.0"


class PrivateCassandra:
    """One more single Cassandra node, on free ports, run by ``compose/cassandra/cassandra.sh``.

    ``up()`` and ``down()`` (SIGTERM: Cassandra drains its memtables) are the script's own;
    ``restart()`` is both. The node's folders are a temporary ``KONGDAO_CASSANDRA_CACHE``;
    ``extra_yaml`` is appended to its ``cassandra.yaml`` (``KONGDAO_CASSANDRA_EXTRA_YAML``).
    """

    def __init__(self, *, heap: str = "512m", extra_yaml: str | None = None) -> None:
        if shutil.which("java") is None:
            _unavailable("Cassandra needs Java (apt-get install openjdk-17-jre-headless)")
        self.port = free_port()
        self.storage_port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="kongdao-cassandra-"))
        self.env = {
            **os.environ,
            "KONGDAO_CASSANDRA_PORT": str(self.port),
            "KONGDAO_CASSANDRA_STORAGE_PORT": str(self.storage_port),
            "KONGDAO_CASSANDRA_CACHE": str(self.dir),
            "KONGDAO_CASSANDRA_DIST": str(cassandra_dist()),
            "KONGDAO_CASSANDRA_HEAP": heap,
            "KONGDAO_CASSANDRA_START_TIMEOUT": "180",
        }
        self.env.pop("KONGDAO_CASSANDRA_HOSTS", None)
        if extra_yaml is not None:
            path = self.dir / "extra.yaml"
            path.write_text(extra_yaml)
            self.env["KONGDAO_CASSANDRA_EXTRA_YAML"] = str(path)

    def _sh(self, command: str, timeout: float = 240) -> str:
        proc = subprocess.run(
            ["bash", str(CASSANDRA_SH), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"cassandra.sh {command} failed: {proc.stderr.strip()[-3000:]}")
        return proc.stdout

    def dsn(self, keyspace: str) -> str:
        return f"cassandra://127.0.0.1:{self.port}/{keyspace}?protocol_version=3"

    def up(self) -> None:
        self._sh("up")

    def down(self) -> None:
        self._sh("down")

    def restart(self) -> None:
        self.down()
        self.up()

    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.dir / "run" / f"{self.port}.pid").read_text().strip())
        return None

    def kill(self) -> None:
        """SIGKILL the JVM: a crash (writes not yet in the commit log are lost)."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while listening(("127.0.0.1", self.port)) and time.monotonic() < deadline:
                time.sleep(0.05)

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.down()
        shutil.rmtree(self.dir, ignore_errors=True)
