"""``kongdao check``: can kongdao serve this database, and if not, what is missing.

::

    $ kongdao check --dsn postgresql://kong@127.0.0.1:5432/kong
    server: PostgreSQL 15.8, database kong (postgresql://kong@127.0.0.1:5432/kong)
    schema: public
      core: 2 executed
      acl: 1 executed, 1 new (001_acl_tags)
    New migrations available; run 'kongdao migrations up' to proceed

Connects without the start-up migration check, reports the server version
(:meth:`kongdao.DB.infos`), the schema state per subsystem
(:meth:`kongdao.migrations.runner.Migrations.state`) and the command that fixes it.

Settings: ``--dsn`` (default ``$KONGDAO_DSN``, then ``KONGDAO_PG_*``, then kongdao's default),
``--db-timeout S``, ``--plugins LIST`` (default ``$KONGDAO_PLUGINS``, then every bundled one).

Exit status (those of ``kongdao migrations list``, plus 1):

=====  ==========================================================================
0      up to date: connected, bootstrapped, nothing new, nothing pending
1      cannot connect (or the database failed to answer): one sentence on stderr
3      needs bootstrap: run ``kongdao migrations bootstrap``
4      pending migrations (also with new ones): run ``kongdao migrations finish``
5      new migrations: run ``kongdao migrations up``
=====  ==========================================================================
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from collections.abc import Sequence
from typing import Any

import kongdao
from kongdao.cli.options import plugin_list, seconds, timeout_settings
from kongdao.errors import KongDAOError
from kongdao.migrations import NEEDS_BOOTSTRAP_MSG, NEW_MIGRATIONS_MSG, PENDING_MIGRATIONS_MSG
from kongdao.migrations.runner import ListCode, SchemaState, SubsystemState

__all__ = ["CANNOT_CONNECT", "add_check", "check"]

CANNOT_CONNECT = 1
"""The exit status when the database cannot be reached."""

UP_TO_DATE_MSG = "Database is up-to-date"


def add_check(commands: Any) -> argparse.ArgumentParser:
    """Add the ``check`` command to the ``kongdao`` subparsers.

    Args:
        commands: what ``parser.add_subparsers()`` returned.

    Returns:
        The ``check`` parser; its namespaces carry ``handler=check``.
    """
    parser: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="connect; report the server version, the schema state and what is missing",
        description="Connect to the database and report the server version, the schema "
        "state per subsystem and what is missing. Exit status: 0 up to date, 1 cannot "
        "connect, 3 needs bootstrap, 4 pending migrations, 5 new migrations.",
    )
    parser.add_argument(
        "--dsn",
        help="database to use, e.g. postgresql://kong@127.0.0.1:5432/kong?schema=public "
        "(default: $KONGDAO_DSN, then KONGDAO_PG_* settings, then kongdao's default)",
    )
    parser.add_argument(
        "--db-timeout",
        type=seconds,
        metavar="S",
        help="timeout, in seconds, to connect and for each database statement",
    )
    parser.add_argument(
        "--plugins",
        type=plugin_list,
        metavar="LIST",
        help="the enabled plugins whose migrations are checked after core's: comma-separated "
        "names, 'bundled' or 'off' (default: $KONGDAO_PLUGINS, then bundled)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; only the exit status"
    )
    parser.set_defaults(handler=check)
    return parser


def _subsystem_line(sub: SubsystemState, width: int) -> str:
    parts = [f"{len(sub.executed)} executed"]
    for kind, migrations in (("pending", sub.pending), ("new", sub.new), ("missing", sub.missing)):
        if migrations:
            parts.append(f"{len(migrations)} {kind} ({', '.join(m.name for m in migrations)})")
    return f"  {sub.name:>{width}}: {', '.join(parts)}"


def report(state: SchemaState) -> tuple[list[str], int]:
    """The lines describing a schema state, and the exit status it gives.

    Args:
        state: the state from ``db.migrations.state()``.

    Returns:
        The lines (the last one says what to run) and 0, 3, 4 or 5.
    """
    if state.needs_bootstrap:
        return [NEEDS_BOOTSTRAP_MSG], int(ListCode.NEEDS_BOOTSTRAP)
    width = max((len(s.name) for s in state.subsystems), default=0)
    lines = [_subsystem_line(sub, width) for sub in state.subsystems]
    if state.has_pending:
        return [*lines, PENDING_MIGRATIONS_MSG], int(ListCode.PENDING)
    if state.has_new:
        return [*lines, NEW_MIGRATIONS_MSG], int(ListCode.NEW)
    return [*lines, UP_TO_DATE_MSG], int(ListCode.UP_TO_DATE)


def _where(db: kongdao.DB, dsn: str | None) -> str:
    lease = getattr(db.connector, "embedded", None)
    if lease is not None:
        return f"embedded PostgreSQL in {lease.data_dir}"
    settings = getattr(db.connector, "settings", None)
    redacted = getattr(settings, "redacted_dsn", None)
    if callable(redacted):
        return str(redacted())
    return _redact(dsn) if dsn else repr(db.connector)


def _redact(dsn: str) -> str:
    parts = urllib.parse.urlsplit(dsn)
    if parts.password:
        return dsn.replace(f":{parts.password}@", ":***@")
    return dsn


def _one_line(exc: BaseException, dsn: str | None) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    password = urllib.parse.urlsplit(dsn).password if dsn else None
    if password:
        text = text.replace(password, "***")
    return text


async def check(args: argparse.Namespace) -> int:
    """Run ``kongdao check``; the exit status (see the module docstring).

    Never raises for a database problem: it prints one sentence on stderr and returns 1.
    """
    quiet: bool = args.quiet

    def say(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    settings = timeout_settings(args)
    try:
        db = await kongdao.connect(
            args.dsn,
            plugins=args.plugins,
            check_migrations=False,
            ttl_cleanup_interval=None,
            **settings,
        )
    except (KongDAOError, OSError, ImportError, ValueError) as exc:
        target = f" to {_redact(args.dsn)}" if args.dsn else ""
        print(
            f"Error: cannot connect{target}: {_one_line(exc, args.dsn)}",
            file=sys.stderr,
            flush=True,
        )
        return CANNOT_CONNECT
    try:
        infos = await db.infos()
        state = await db.migrations.state()
    except KongDAOError as exc:
        print(f"Error: {_one_line(exc, args.dsn)}", file=sys.stderr, flush=True)
        return CANNOT_CONNECT
    finally:
        where = _where(db, args.dsn)
        await db.close()
    version = infos.get("db_ver") or "(unknown version)"
    say(
        f"server: {infos.get('strategy', db.connector.name)} {version}, "
        f"{infos.get('db_desc', 'database')} {infos.get('db_name')} ({where})"
    )
    if infos.get("db_schema"):
        say(f"schema: {infos['db_schema']}")
    lines, code = report(state)
    for line in lines:
        say(line)
    return code


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - kongdao's main() runs it
    """Run ``check`` alone (``python -m kongdao.cli.check``)."""
    import asyncio

    parser = argparse.ArgumentParser(prog="kongdao")
    add_check(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["check", *(sys.argv[1:] if argv is None else argv)])
    return asyncio.run(check(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
