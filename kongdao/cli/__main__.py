"""The ``kongdao`` command (also ``python -m kongdao.cli``).

::

    kongdao migrations bootstrap [--force]   bootstrap the database and run every migration
    kongdao migrations up [--force]          run the new migrations (teardowns stay pending)
    kongdao migrations finish [--force]      run the pending teardowns
    kongdao migrations list                  show the state; exit 0, 3, 4 or 5 (Kong's codes)
    kongdao migrations reset [-y]            drop everything kongdao created
    kongdao config parse FILE                check a kong.yml (no database needed)
    kongdao config db_import FILE            import a kong.yml into the database
    kongdao config db_export [FILE]          export the database as a kong.yml (YAML, or JSON)
    kongdao check                            connect; report versions, schema state, what is missing
    kongdao bench [ARGS...]                  run the benchmark suite (from a source checkout)

Every ``migrations`` and ``config`` command takes ``--dsn`` (default: ``$KONGDAO_DSN``, then
kongdao's default), ``--db-timeout S`` (connect and statement timeout), ``--plugins LIST`` (the
enabled plugins; default ``$KONGDAO_PLUGINS``, then every bundled one) and ``-q`` (no progress
output); ``migrations`` also ``--lock-timeout S`` (how long the ``migrations`` lock lives and how
long to wait for another node's). Progress goes to stdout; an error is one line on stderr and
exit status 1, never a traceback. ``list`` exits with 0 (up to date), 3 (needs bootstrap), 4
(pending migrations) or 5 (new migrations).

Each top-level command is a subparser with a ``handler`` coroutine (:func:`build_parser`), so
further commands (``demo``, ``bench``, ``check``) plug in the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import urllib.parse
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import kongdao
from kongdao.cli.check import add_check
from kongdao.cli.options import plugin_list, seconds, timeout_settings
from kongdao.errors import KongDAOError
from kongdao.migrations.runner import DEFAULT_LOCK_TIMEOUT

__all__ = ["build_parser", "CLIError", "main"]

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]

_CONFIRM_TRIES = 3
_ANSWERS = {"y": True, "yes": True, "n": False, "no": False}


class CLIError(Exception):
    """A command cannot proceed; the message is printed as is and the exit status is 1."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kongdao`` command.

    Returns:
        A parser whose namespaces carry ``handler``, the coroutine function running the
        command.
    """
    parser = argparse.ArgumentParser(
        prog="kongdao", description="Kong's datastore layer: database administration."
    )
    parser.add_argument("--version", action="version", version=f"kongdao {kongdao.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_migrations(commands)
    _add_config(commands)
    _add_bench(commands)
    add_check(commands)
    _add_repair(commands)
    return parser


def _add_repair(commands: Any) -> None:
    repair = commands.add_parser(
        "repair",
        parents=[_database_options()],
        help="find rows whose foreign key points at a deleted row (Cassandra's foreign key "
        "window) and apply their on_delete rule",
        description="Find rows whose foreign key references a missing row, and delete them "
        "(cascade, restrict) or clear the reference (null). Finds nothing on PostgreSQL, which "
        "enforces foreign keys. See kongdao.repair.",
    )
    repair.add_argument("--dry-run", action="store_true", help="only list what would be repaired")
    repair.set_defaults(handler=_repair)


async def _repair(args: argparse.Namespace) -> int:
    from kongdao.repair import repair_orphans

    say = _say(args)
    settings = timeout_settings(args)
    async with kongdao.connect(
        args.dsn, plugins=args.plugins, ttl_cleanup_interval=None, **settings
    ) as db:
        orphans = await repair_orphans(db, dry_run=args.dry_run)
    verb = "would repair" if args.dry_run else "repaired"
    for o in orphans:
        action = "clear" if o.on_delete == "null" else "delete"
        say(f"{o.entity} {o.pk}: {o.field} -> missing {o.reference} {o.parent} ({action})")
    say(f"{verb} {len(orphans)} rows")
    return 0


def _add_bench(commands: Any) -> None:
    # prefix_chars="+": every argument, options included, goes to the suite's own parser
    bench = commands.add_parser(
        "bench",
        help="run the benchmark suite: kongdao vs the raw drivers (kongdao bench --help)",
        add_help=False,
        prefix_chars="+",
    )
    bench.add_argument("args", nargs=argparse.REMAINDER)
    bench.set_defaults(handler=_bench)


def _bench_main() -> Callable[[list[str]], Coroutine[Any, Any, int]]:
    """``benchmarks.__main__.main_async``; the suite lives in the source tree, not the wheel."""
    here = os.getcwd()
    if os.path.isfile(os.path.join(here, "benchmarks", "__main__.py")) and here not in sys.path:
        sys.path.insert(0, here)
    try:
        from benchmarks.__main__ import main_async
    except ImportError as exc:
        raise CLIError(
            "the benchmark suite ships with kongdao's source tree, not the package: "
            f"run 'kongdao bench' from a checkout ({exc})"
        ) from None
    return main_async


async def _bench(args: argparse.Namespace) -> int:
    return await _bench_main()(args.args)


def _database_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dsn",
        help="database to use, e.g. postgresql://kong@127.0.0.1:5432/kong?schema=public "
        "(default: $KONGDAO_DSN)",
    )
    common.add_argument(
        "--db-timeout",
        type=seconds,
        metavar="S",
        help="timeout, in seconds, to connect and for each database statement",
    )
    common.add_argument(
        "--plugins",
        type=plugin_list,
        metavar="LIST",
        help="the enabled plugins, whose migrations run after core's: comma-separated names, "
        "'bundled' for every bundled plugin, 'off' for none (default: $KONGDAO_PLUGINS, "
        "then bundled)",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="suppress progress output")
    return common


def _add_migrations(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False, parents=[_database_options()])
    common.add_argument(
        "--lock-timeout",
        type=seconds,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="S",
        help="timeout, in seconds, for nodes waiting on the node running migrations "
        "(also the lifetime of its lock; default: %(default)g)",
    )

    migrations = commands.add_parser(
        "migrations",
        help="manage database schema migrations",
        description="Manage database schema migrations.",
    )
    migrations.set_defaults(handler=_migrations)
    actions = migrations.add_subparsers(dest="action", metavar="ACTION", required=True)

    force = argparse.ArgumentParser(add_help=False)
    force.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="run migrations even if the database reports them as already executed",
    )
    actions.add_parser(
        "bootstrap",
        parents=[common, force],
        help="bootstrap the database and run all migrations",
        description="Bootstrap the database and run all migrations (--force: reset first).",
    )
    actions.add_parser(
        "up",
        parents=[common, force],
        help="run any new migrations",
        description="Run any new migrations; those with a teardown stay pending.",
    )
    actions.add_parser(
        "finish",
        parents=[common, force],
        help="finish running any pending migrations after 'up'",
        description="Finish running any pending migrations after 'up'.",
    )
    actions.add_parser(
        "list",
        parents=[common],
        help="list executed, pending and new migrations",
        description="List migrations. Exit status: 0 up to date, 3 needs bootstrap, "
        "4 pending migrations, 5 new migrations available.",
    )
    reset = actions.add_parser(
        "reset",
        parents=[common],
        help="reset the database",
        description="Drop everything kongdao created. Irreversible.",
    )
    reset.add_argument(
        "-y", "--yes", action="store_true", help="assume 'yes' to prompts and run non-interactively"
    )


def _add_config(commands: Any) -> None:
    common = _database_options()
    config = commands.add_parser(
        "config",
        help="declarative configuration (kong.yml): parse, import, export",
        description="Declarative configuration files (kong.yml, YAML or JSON).",
    )
    config.set_defaults(handler=_config)
    actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    parse = actions.add_parser(
        "parse",
        parents=[common],
        help="check a file (no database needed)",
        description="Parse and validate a declarative file; print what it holds. Exit status 1 "
        "and every problem of the file when it is invalid.",
    )
    parse.add_argument("file", help="the kong.yml (or .json) to check")
    db_import = actions.add_parser(
        "db_import",
        parents=[common],
        help="import a file into the database",
        description="Import a declarative file into the database (upserts by id: running it "
        "again leaves the same state; on PostgreSQL all or nothing).",
    )
    db_import.add_argument("file", help="the kong.yml (or .json) to import")
    db_export = actions.add_parser(
        "db_export",
        parents=[common],
        help="export the database to a file",
        description="Export the database as a _format_version 3.0 declarative file (YAML, or "
        "JSON for a .json file name); '-' or no file writes YAML to standard output.",
    )
    db_export.add_argument("file", nargs="?", default="-", help="where to write (default: -)")


async def _config(args: argparse.Namespace) -> int:
    from kongdao import declarative

    say = _say(args)
    if args.action == "parse":
        config = declarative.parse(Path(args.file), plugins=args.plugins)
        counts = ", ".join(f"{len(items)} {name}" for name, items in config.entities.items())
        say(f"parse successful: {counts or 'no entities'}")
        return 0
    settings = timeout_settings(args)
    async with kongdao.connect(
        args.dsn, plugins=args.plugins, ttl_cleanup_interval=None, **settings
    ) as db:
        if args.action == "db_import":
            config = await declarative.load_into_db(db, Path(args.file))
            say(f"import successful: {len(config)} entities")
            return 0
        exported = (await declarative.export_from_db(db)).dump()
    if args.file.endswith(".json"):
        text = json.dumps(exported, indent=2, sort_keys=False) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(exported, sort_keys=False, allow_unicode=True)
    if args.file == "-":
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(Path(args.file).write_text, text, encoding="utf-8")
        say(f"export successful: {args.file}")
    return 0


def _say(args: argparse.Namespace) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    return say


def _confirm(question: str) -> bool:
    for _ in range(_CONFIRM_TRIES):
        print(f"> {question} [Y/n] ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return False
        answer = _ANSWERS.get(line.strip().lower())
        if answer is not None:
            return answer
    return False


async def _migrations(args: argparse.Namespace) -> int:
    say = _say(args)
    settings = timeout_settings(args)
    db = await kongdao.connect(args.dsn, plugins=args.plugins, check_migrations=False, **settings)
    try:
        migrations = db.migrations
        migrations.on_progress = say
        migrations.lock_ttl = migrations.lock_timeout = args.lock_timeout
        action = args.action
        if action == "list":
            return int((await migrations.list()).exit_code)
        if action == "bootstrap":
            await migrations.bootstrap(force=args.force)
        elif action == "up":
            await migrations.up(force=args.force)
        elif action == "finish":
            await migrations.finish(force=args.force)
        elif action == "reset":
            if not args.yes:
                if not sys.stdin.isatty():
                    raise CLIError(
                        "not a tty: invoke 'reset' non-interactively with the --yes flag"
                    )
                state = await migrations.state()
                question = "Are you sure? This operation is irreversible."
                if not state.needs_bootstrap and not await asyncio.to_thread(_confirm, question):
                    say("cancelled")
                    return 0
            return 0 if await migrations.reset() else 1
        else:  # pragma: no cover - argparse only lets known actions through
            raise CLIError(f"unknown action: {action}")
        return 0
    finally:
        await db.close()


def _one_line(exc: BaseException, dsn: str | None) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    password = urllib.parse.urlsplit(dsn).password if dsn else None
    if password:
        text = text.replace(password, "***")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kongdao`` command.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns:
        The exit status: 0 on success, 1 on error, 2 on a usage error, Kong's codes for
        ``migrations list``.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler
    dsn = getattr(args, "dsn", None)
    try:
        return asyncio.run(handler(args))
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        return 130
    except (KongDAOError, CLIError, ValueError, ImportError, OSError) as exc:
        print(f"Error: {_one_line(exc, dsn)}", file=sys.stderr)
        return 1
    except Exception as exc:  # the command line's last resort: one line, never a traceback
        print(f"Error: {type(exc).__name__}: {_one_line(exc, dsn)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
