"""Where kongdao spends its time over the raw driver: ``python -m benchmarks.profile``.

For every PostgreSQL workload (or ``--only`` some; ``--database cassandra`` for Cassandra's), on
the same fresh data as the suite:

1. client CPU per operation, kongdao and raw, measured without a profiler
   (``time.process_time`` around ``--ops`` operations at ``-c`` concurrency, the server being
   another process): the difference is what kongdao's Python costs per call;
2. the kongdao side again under :mod:`cProfile`, timed in process CPU time (so waiting for the
   server does not count): its own time grouped by layer (DAO, schema, entity conversion,
   connector, pool, asyncpg, asyncio...) and the top functions.

::

    python -m benchmarks.profile --only select_pk,update -c 1 --ops 3000
    python -m benchmarks.profile --top 25 --out /tmp/prof     # also writes <op>.prof files
    python -m benchmarks.profile --sampler py-spy --seconds 10   # sampling (pip install py-spy)
    python -m benchmarks.profile --cpu-only -c 32     # client CPU per operation only
    python -m benchmarks.profile --database cassandra --only select_by_name -c 32

At concurrency 32 on a 2-core machine the event loop's one thread is the bottleneck of both
sides, so the kongdao/raw throughput ratio is close to raw's client CPU per operation divided by
kongdao's: a target ratio ``t`` leaves kongdao ``(1 / t - 1)`` times raw's CPU per operation as
its whole overhead budget (reads at 0.85: 18% of raw's; writes at 0.75: 33%).

Open a ``.prof`` file with ``python -m pstats FILE`` (or snakeviz). cProfile's own overhead
inflates the cost of small, often-called functions, so read its output as proportions, and the
CPU figures of step 1 as the absolute cost. ``--sampler py-spy`` attaches py-spy to this process
while only the kongdao side runs (non-blocking sampling, so the program runs at full speed) and
aggregates the samples the same way: truer proportions, at the price of sampling noise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import os
import pstats
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import cassandra, pg
from benchmarks.runner import QUICK, Impl, Workload

__all__ = ["LAYERS", "layer_of", "main"]

LAYERS: tuple[tuple[str, str], ...] = (
    ("kongdao/dao/", "kongdao.dao (DAO methods, checks)"),
    ("kongdao/schema/entity.py", "kongdao.schema.entity (row -> entity)"),
    ("kongdao/schema/", "kongdao.schema (processing, validation)"),
    ("kongdao/entities/", "kongdao.entities (entity checks, shorthands)"),
    ("kongdao/connectors/postgres/pool.py", "kongdao pool"),
    ("kongdao/connectors/postgres/", "kongdao.connectors.postgres (SQL, rows)"),
    ("kongdao/connectors/cassandra/", "kongdao.connectors.cassandra (CQL, rows)"),
    ("kongdao/", "kongdao (other)"),
    ("<attrs generated", "attrs generated (__init__, __eq__...)"),
    ("<cattrs generated", "cattrs generated (structure/unstructure)"),
    ("cattrs/", "cattrs"),
    ("attr/", "attrs"),
    ("asyncpg/", "asyncpg"),
    ("acsylla", "acsylla"),
    ("asyncio/", "asyncio"),
    ("json/", "json"),
    ("uuid.py", "uuid"),
    ("benchmarks/", "benchmark harness"),
)


_SYSCALLS = ("_socket.socket", "select.epoll")


def layer_of(filename: str, function: str = "") -> str:
    """The layer a profiled function belongs to, from its file and function names."""
    for needle, name in LAYERS:
        if needle in filename:
            return name
    if filename == "~":
        if any(s in function for s in _SYSCALLS):
            return "socket syscalls (send, epoll; CPU only)"
        return "builtins (C functions: dict, isinstance, re...)"
    return "other Python"


async def _cpu_per_op(impl: Impl, workload: Workload, n: int, concurrency: int) -> float:
    """Client CPU seconds per operation (process time, so server time is excluded)."""
    start = workload.next_start(impl, n)
    if impl.prepare is not None:
        await impl.prepare(start, n)
    gc.collect()
    counter = iter(range(start, start + n))

    async def worker(w: int) -> None:
        for i in counter:
            await impl.op(w, i)  # type: ignore[misc]

    t0 = time.process_time()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return (time.process_time() - t0) / n


async def _profile(
    impl: Impl, workload: Workload, n: int, concurrency: int
) -> tuple[cProfile.Profile, float]:
    start = workload.next_start(impl, n)
    if impl.prepare is not None:
        await impl.prepare(start, n)
    gc.collect()
    counter = iter(range(start, start + n))

    async def worker(w: int) -> None:
        for i in counter:
            await impl.op(w, i)  # type: ignore[misc]

    # CPU time, not wall time: waiting for the server (in epoll) is not kongdao's cost
    prof = cProfile.Profile(time.process_time)
    t0 = time.perf_counter()
    prof.enable()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    prof.disable()
    return prof, time.perf_counter() - t0


def _breakdown(prof: cProfile.Profile, n: int, top: int) -> list[str]:
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_layer: dict[str, float] = defaultdict(float)
    functions: list[tuple[float, float, int, str]] = []
    total = 0.0
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        total += tottime
        by_layer[layer_of(filename, name)] += tottime
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        functions.append((tottime, cumtime, ncalls, f"{short}:{line}({name})"))
    out = [f"    profiled CPU {total * 1e6 / n:,.0f} us/op (profiler overhead included)"]
    out.append("    by layer (own time, share of profiled time, us/op):")
    for layer, t in sorted(by_layer.items(), key=lambda kv: -kv[1]):
        if t / total < 0.01:
            continue
        out.append(f"      {100 * t / total:5.1f}%  {t * 1e6 / n:8.1f}  {layer}")
    out.append(f"    top {top} functions by own time (us/op own, us/op cumulative, calls/op):")
    for tottime, cumtime, ncalls, where in sorted(functions, reverse=True)[:top]:
        out.append(
            f"      {tottime * 1e6 / n:7.1f} {cumtime * 1e6 / n:8.1f} {ncalls / n:6.1f}  {where}"
        )
    return out


def _py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


async def _sample(
    impl: Impl, workload: Workload, seconds: float, concurrency: int, spy: str, top: int
) -> list[str]:
    """Run ``impl`` for ``seconds`` under py-spy; its samples aggregated by layer and function."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        proc = await asyncio.create_subprocess_exec(
            spy,
            "record",
            "--pid",
            str(os.getpid()),
            "--rate",
            "250",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(out),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)  # let it attach
        n = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            batch = 50 * concurrency
            start = workload.next_start(impl, batch)
            if impl.prepare is not None:
                await impl.prepare(start, batch)
            counter = iter(range(start, start + batch))

            async def worker(w: int, counter: Any = counter) -> None:
                for i in counter:
                    await impl.op(w, i)  # type: ignore[misc]

            await asyncio.gather(*(worker(w) for w in range(concurrency)))
            n += batch
        proc.send_signal(signal.SIGINT)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 30)
        text = out.read_text(encoding="utf-8") if out.exists() else ""
    own: dict[str, int] = defaultdict(int)
    inclusive: dict[str, int] = defaultdict(int)
    by_layer: dict[str, int] = defaultdict(int)
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if "_sample" not in stack:
            continue  # samples outside the measured loop (py-spy attaching, preparing)
        count = int(count_text)
        frames = stack.split(";")
        total += count
        keys = []
        for frame in frames:
            m = _FRAME.match(frame)
            keys.append((m["name"], m["file"]) if m else (frame, "?"))
        name, file = keys[-1]
        by_layer[layer_of(file, name)] += count
        own[f"{file}({name})"] += count
        for key in {f"{f}({n_})" for n_, f in keys if "kongdao/" in f}:
            inclusive[key] += count
    if not total:
        return ["    py-spy recorded nothing (is ptrace allowed?)"]
    res = [f"    py-spy: {total} samples over {n} operations (non-blocking, 250 Hz)"]
    res.append("    by layer (own samples, share):")
    for layer, c in sorted(by_layer.items(), key=lambda kv: -kv[1]):
        if c / total >= 0.01:
            res.append(f"      {100 * c / total:5.1f}%  {layer}")
    res.append(f"    top {top} functions by own samples:")
    for key, c in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        res.append(f"      {100 * c / total:5.1f}%  {key}")
    res.append(f"    top {top} kongdao functions by inclusive samples:")
    for key, c in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        res.append(f"      {100 * c / total:5.1f}%  {key}")
    return res


async def run(args: argparse.Namespace) -> int:
    """Build the suite of one database and profile the requested workloads."""
    mode = QUICK
    if args.database == "cassandra":
        # Cassandra's client CPU includes the driver's own I/O threads (process time)
        suite = await cassandra.build(
            mode,
            dsn=args.cassandra_dsn or cassandra.DEFAULT_DSN,
            workers=max(args.concurrency, 1),
            operations=args.only,
        )
    else:
        suite = await pg.build(
            mode, dsn=args.pg_dsn or pg.DEFAULT_DSN, workers=max(args.concurrency, 1)
        )
    try:
        wanted = set(args.only or [w.operation for w in suite.workloads])
        for workload in suite.workloads:
            if workload.operation not in wanted:
                continue
            if workload.kongdao.threaded:
                # blocking APIs run on their own loop thread: profile the async call instead
                print(f"== {workload.operation}: skipped (threads; see select_pk for the call)")
                continue
            n = max(1, round(args.ops * workload.weight))
            c = args.concurrency
            # warm both sides (statement caches, code paths)
            await _cpu_per_op(workload.kongdao, workload, max(n // 5, c), c)
            await _cpu_per_op(workload.raw, workload, max(n // 5, c), c)
            k_cpu = await _cpu_per_op(workload.kongdao, workload, n, c)
            r_cpu = await _cpu_per_op(workload.raw, workload, n, c)
            unit = "page" if workload.unit == "rows" else "op"
            print(f"== {workload.operation} (c{c}, {n} ops): {workload.label}")
            print(
                f"    client CPU per {unit}: kongdao {k_cpu * 1e6:,.0f} us, raw "
                f"{r_cpu * 1e6:,.0f} us, kongdao's extra {(k_cpu - r_cpu) * 1e6:,.0f} us "
                f"({k_cpu / r_cpu:.1f}x)"
            )
            print(f"    kongdao sends: {workload.kongdao.statements}")
            print(f"    raw sends:     {workload.raw.statements}")
            if args.cpu_only:
                pass
            elif args.sampler == "py-spy":
                spy = _py_spy()
                if spy is None:
                    print("    py-spy is not installed (pip install py-spy)")
                else:
                    k = workload.kongdao
                    print("\n".join(await _sample(k, workload, args.seconds, c, spy, args.top)))
            else:
                prof, _ = await _profile(workload.kongdao, workload, n, c)
                print("\n".join(_breakdown(prof, n, args.top)))
                if args.out is not None:
                    args.out.mkdir(parents=True, exist_ok=True)
                    prof.dump_stats(args.out / f"{workload.operation}-c{c}.prof")
            sys.stdout.flush()
    finally:
        await suite.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.profile``."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    p.add_argument("--only", type=lambda s: [x for x in s.split(",") if x], help="operations")
    p.add_argument("-c", "--concurrency", type=int, default=1, help="concurrency (default: 1)")
    p.add_argument("--ops", type=int, default=2000, help="operations per measurement")
    p.add_argument("--top", type=int, default=15, help="functions to list per operation")
    p.add_argument("--out", type=Path, help="write <operation>-c<N>.prof files here")
    p.add_argument(
        "--sampler",
        choices=("cprofile", "py-spy"),
        default="cprofile",
        help="cProfile (deterministic, default) or py-spy (sampling, needs ptrace)",
    )
    p.add_argument("--seconds", type=float, default=8.0, help="py-spy: seconds per operation")
    p.add_argument(
        "--cpu-only", action="store_true", help="only the client CPU per operation, no profiler"
    )
    p.add_argument(
        "--database",
        choices=("postgres", "cassandra"),
        default="postgres",
        help="the database whose workloads to profile (default: postgres)",
    )
    p.add_argument("--pg-dsn", help="benchmark database (default: as python -m benchmarks)")
    p.add_argument("--cassandra-dsn", help="benchmark keyspace (default: as python -m benchmarks)")
    return asyncio.run(run(p.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
