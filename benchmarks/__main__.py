"""``python -m benchmarks``: run the suite, print the table, write the JSON and the chart.

::

    python -m benchmarks --quick                 # under 2 minutes, both databases
    python -m benchmarks                         # full mode
    python -m benchmarks --databases postgres --only select_pk,update -c 1,32
    python -m benchmarks --save-baseline         # also save the run as results/baseline.json

The databases: PostgreSQL at ``--pg-dsn`` (default ``$KONGDAO_BENCH_PG_DSN``, then
``postgresql://postgres@127.0.0.1:5432/kongdao_bench``; the database is dropped and recreated),
Cassandra at ``--cassandra-dsn`` (default ``$KONGDAO_BENCH_CASSANDRA_DSN``, then
``cassandra://127.0.0.1:9042/kongdao_bench?protocol_version=3``; the keyspace is dropped and
recreated). A database that cannot be used is reported as skipped, with the reason.

Exit status: 0 when every workload ran, 1 when one failed or nothing could run, 2 on a usage
error.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import os
import shutil
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.runner import MODES, Mode, Progress, peak_rss_mib, run_workload

__all__ = ["build_parser", "main", "main_async", "run_suite"]

DATABASES = ("postgres", "cassandra")


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _ints(text: str) -> list[int]:
    try:
        values = [int(x) for x in _csv(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"concurrencies must be >= 1: {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks`` (also ``kongdao bench``)."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="kongdao vs the raw drivers (asyncpg, acsylla), interleaved, in one run.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="quick mode (under 2 minutes)")
    mode.add_argument("--full", action="store_true", help="full mode (the default)")
    p.add_argument(
        "--databases",
        type=_csv,
        default=list(DATABASES),
        metavar="LIST",
        help="comma-separated: postgres,cassandra (default: both)",
    )
    p.add_argument("--only", type=_csv, metavar="OPS", help="only these operations")
    p.add_argument(
        "-c",
        "--concurrency",
        type=_ints,
        default=[1, 32],
        metavar="LIST",
        help="concurrencies (default: 1,32)",
    )
    p.add_argument("--rounds", type=int, help="timed rounds (override the mode's)")
    p.add_argument(
        "--scale", type=float, default=1.0, help="multiply the operations per round by this"
    )
    p.add_argument("--services", type=int, help="rows in services (default 10,000)")
    p.add_argument(
        "--pg-dsn",
        default=os.environ.get("KONGDAO_BENCH_PG_DSN"),
        help="PostgreSQL database to recreate and use (default: $KONGDAO_BENCH_PG_DSN, "
        "then postgresql://postgres@127.0.0.1:5432/kongdao_bench)",
    )
    p.add_argument(
        "--pg-synchronous-commit",
        choices=("on", "off", "local", "remote_write", "remote_apply"),
        default="off",
        help="synchronous_commit of the benchmark database (default: off, so that the disk's "
        "fsync time stays out of the figures; remote_apply: wait for a synchronous replica)",
    )
    p.add_argument(
        "--cassandra-dsn",
        default=os.environ.get("KONGDAO_BENCH_CASSANDRA_DSN"),
        help="Cassandra keyspace to recreate and use (default: $KONGDAO_BENCH_CASSANDRA_DSN, "
        "then cassandra://127.0.0.1:9042/kongdao_bench?protocol_version=3)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=report.RESULTS_DIR,
        help="directory of the results (default: benchmarks/results)",
    )
    p.add_argument(
        "--save-baseline", action="store_true", help="also save the run as <out>/baseline.json"
    )
    p.add_argument(
        "--save-baseline-if-missing",
        action="store_true",
        help="save the run as <out>/baseline.json when there is none yet",
    )
    p.add_argument("--no-chart", action="store_true", help="do not draw the PNG chart")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    return p


def mode_from_args(args: argparse.Namespace) -> Mode:
    """The mode the arguments ask for, with their overrides."""
    mode = MODES["quick" if args.quick else "full"]
    changes: dict[str, Any] = {}
    if args.rounds:
        changes["rounds"] = args.rounds
    if args.scale != 1.0:
        changes["ops_c1"] = max(1, round(mode.ops_c1 * args.scale))
        changes["ops_cn"] = max(1, round(mode.ops_cn * args.scale))
    if args.services:
        changes["services"] = args.services
        changes["route_services"] = min(mode.route_services, max(1, args.services // 4))
        changes["plugins"] = min(mode.plugins, args.services)
    return dataclasses.replace(mode, **changes) if changes else mode


async def _build(database: str, mode: Mode, args: argparse.Namespace, progress: Progress) -> Any:
    workers = max(args.concurrency)
    if database == "postgres":
        from benchmarks import pg

        return await pg.build(
            mode,
            dsn=args.pg_dsn or pg.DEFAULT_DSN,
            workers=workers,
            operations=args.only,
            progress=progress,
            synchronous_commit=args.pg_synchronous_commit,
        )
    if database == "cassandra":
        from benchmarks import cassandra

        return await cassandra.build(
            mode,
            dsn=args.cassandra_dsn or cassandra.DEFAULT_DSN,
            workers=workers,
            operations=args.only,
            progress=progress,
        )
    raise ValueError(f"unknown database {database!r}; known: {', '.join(DATABASES)}")


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


async def run_suite(
    args: argparse.Namespace, mode: Mode, progress: Progress
) -> tuple[dict[str, Any], bool]:
    """Run every requested database's workloads; the run (as written to JSON) and success."""
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.perf_counter()
    run: dict[str, Any] = {
        "schema": report.SCHEMA_VERSION,
        "mode": {**mode.as_dict(), "concurrency": list(args.concurrency)},
        "started_at": started.isoformat(timespec="seconds"),
        "machine": report.machine_info(),
        "versions": report.package_versions(),
        "source": report.source_info(),
        "method": {
            "interleaved": "kongdao and raw alternate inside every round, ABBA order",
            "statistic": "median over rounds; spread = (max - min) / median",
            "latency": "per operation, pooled over the timed rounds (includes pool waits)",
            "rss": "peak RSS of the whole process (ru_maxrss) after each block",
            "event_loop": "asyncio default loop",
        },
        "data": {
            "services": mode.services,
            "route_services": mode.route_services,
            "routes_per_service": mode.routes_per_service,
            "plugins": mode.plugins,
        },
        "databases": {},
        "results": [],
        "skipped": [],
        "errors": [],
    }
    run["machine"]["load_avg_start"] = _load()
    ok = True
    for database in args.databases:
        progress.line(f"== {database}: preparing fresh data")
        try:
            suite = await _build(database, mode, args, progress)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".strip()
            progress.line(f"== {database}: skipped ({reason})")
            run["skipped"].append({"database": database, "operation": "*", "reason": reason})
            continue
        try:
            run["databases"][database] = suite.info
            run["versions"][f"{database}_server"] = suite.info.get("server_version")
            run["skipped"].extend({"database": database, **s} for s in suite.skipped)
            settle = mode.settle_s if database == "cassandra" else mode.settle_s / 4
            if suite.settle is not None and settle > 0:
                progress.status(f"{database}: settling for {settle:.0f} s (untimed load)")
                await suite.settle(settle)
            total = len(suite.workloads)
            for i, workload in enumerate(suite.workloads, 1):
                try:
                    run["results"] += await run_workload(
                        workload, mode, args.concurrency, progress, index=f"[{i}/{total}]"
                    )
                except Exception as exc:
                    ok = False
                    progress.line(f"!! {database} {workload.operation} failed: {exc!r}")
                    run["errors"].append(
                        {
                            "database": database,
                            "operation": workload.operation,
                            "error": f"{type(exc).__name__}: {exc}",
                            "traceback": traceback.format_exc(limit=8),
                        }
                    )
        finally:
            await suite.close()
    run["machine"]["load_avg_end"] = _load()
    run["finished_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    run["duration_s"] = round(time.perf_counter() - t0, 1)
    run["rss_peak_mib"] = peak_rss_mib()
    return run, ok and bool(run["results"])


async def main_async(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the suite, write and print the results; the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else 2
    unknown = [d for d in args.databases if d not in DATABASES]
    if unknown:
        parser.print_usage(sys.stderr)
        print(f"unknown database(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    mode = mode_from_args(args)
    progress = Progress(enabled=not args.quiet)
    run, ok = await run_suite(args, mode, progress)
    path = report.write_json(run, args.out)
    chart = None if args.no_chart else report.write_chart(run, path)
    print(report.render_table(run))
    print(f"\nresults: {path}")
    if chart is not None:
        print(f"chart:   {chart}")
    elif not args.no_chart:
        print("chart:   not drawn (pip install 'kongdao[bench]' for matplotlib)")
    baseline = args.out / "baseline.json"
    if args.save_baseline or (args.save_baseline_if_missing and not baseline.exists()):
        if ok:
            shutil.copyfile(path, baseline)
            print(f"baseline saved: {baseline}")
        else:
            print("baseline not saved: the run had errors", file=sys.stderr)
    for err in run["errors"]:
        print(f"error: {err['database']} {err['operation']}: {err['error']}", file=sys.stderr)
    print(f"done in {run['duration_s']:.0f} s")
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``."""
    try:
        return asyncio.run(main_async(argv))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
