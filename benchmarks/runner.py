"""The method: warm-up, interleaved rounds, medians, spreads, latencies, peak RSS.

Every benchmark row is a :class:`Workload`: one operation on one database, done by two
:class:`Impl` s, ``kongdao`` and ``raw`` (the raw driver with prepared statements on dedicated
connections, sending the minimal statements for the same guarantees). For each concurrency:

1. warm-up: each implementation runs one untimed round of ``warmup`` operations;
2. ``rounds`` timed rounds of ``n`` operations each, kongdao and raw taking turns inside every
   round and swapping who goes first from one round to the next (ABBA...), so that drift of
   the machine (JVM warm-up, autovacuum, page cache, CPU frequency) hits both alike;
3. ``concurrency`` workers (asyncio tasks, or threads for blocking APIs) pull operation numbers
   from one shared counter until ``n`` are done; each operation is timed on its own.

Reported per implementation: the median throughput over the rounds (ops/s, or rows/s for
paging), min and max, the spread ``(max - min) / median``, and p50/p99 latencies pooled over the
timed rounds. The ratio kongdao/raw is the ratio of the medians; the per-round ratios are kept
as well (they are what interleaving makes comparable). Peak RSS is the process's
(``ru_maxrss``) after each block: both implementations share the process.

Preparation (``Impl.prepare``: the rows a delete will delete) and garbage collection of the
previous round's leftovers happen outside the timed window.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import math
import resource
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "FULL",
    "MODES",
    "OPERATIONS",
    "QUICK",
    "BenchError",
    "Suite",
    "Impl",
    "Mode",
    "Progress",
    "Workload",
    "ops_per_round",
    "peak_rss_mib",
    "redact",
    "run_workload",
]

Kind = Literal["read", "write"]

OPERATIONS: tuple[str, ...] = (
    "select_pk",
    "select_by_name",
    "select_by_cache_key",
    "page_100",
    "page_1000",
    "page_for_service",
    "legacy_find_all",
    "update",
    "upsert",
    "insert_service",
    "insert_route",
    "delete_cascade",
    "sync_select",
)
"""Every operation, in the order they run: reads first, on the seeded data only (on Cassandra,
the tombstones deletes leave behind slow down later scans), then writes; the sync wrapper last
(on PostgreSQL it closes the async DB to free its connections)."""

TARGETS: dict[str, float] = {"read": 0.85, "write": 0.75}
"""kongdao's targets (PERFORMANCE.md): kongdao/raw ops/s at the highest concurrency."""


class BenchError(RuntimeError):
    """An operation did not do what it must (e.g. a select found nothing): the run is void."""


@dataclass(frozen=True)
class Mode:
    """How much work a run does.

    Attributes:
        name: ``quick`` or ``full`` (or ``smoke`` for the tests).
        rounds: timed rounds per implementation and concurrency.
        ops_c1: operations per round at concurrency 1 (times the workload's weight).
        ops_cn: operations per round at higher concurrency (times the weight).
        warmup: the warm-up round's size, as a fraction of a timed round.
        min_per_worker: at least this many operations per worker and round.
        services: rows in ``services`` (what the pagers walk; 10,000 in the issue).
        route_services: services that have routes (``page_for_service`` walks them).
        routes_per_service: routes of each of those services.
        plugins: services with a key-auth plugin (``select_by_cache_key`` finds them).
        settle_s: seconds of untimed load before the first workload (JVM warm-up).
    """

    name: str
    rounds: int
    ops_c1: int
    ops_cn: int
    warmup: float = 0.5
    min_per_worker: int = 4
    services: int = 10_000
    route_services: int = 100
    routes_per_service: int = 10
    plugins: int = 1_000
    settle_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The mode as recorded in the JSON results."""
        return {
            "name": self.name,
            "rounds": self.rounds,
            "ops_per_round_c1": self.ops_c1,
            "ops_per_round_cn": self.ops_cn,
            "warmup_fraction": self.warmup,
            "min_ops_per_worker": self.min_per_worker,
            "settle_s": self.settle_s,
        }


QUICK = Mode(name="quick", rounds=3, ops_c1=150, ops_cn=480, settle_s=3.0)
FULL = Mode(name="full", rounds=7, ops_c1=1000, ops_cn=3200, settle_s=20.0)
MODES = {"quick": QUICK, "full": FULL}


AsyncOp = Callable[[int, int], Awaitable[int]]
"""``op(worker, i)``: do operation number ``i`` on worker ``worker``; return units done."""
SyncOp = Callable[[int, int], int]
Prepare = Callable[[int, int], Awaitable[None]]
"""``prepare(start, n)``: make what operations ``start .. start + n - 1`` need (untimed)."""


@dataclass
class Impl:
    """One implementation of a workload.

    Attributes:
        name: ``kongdao`` or ``raw``.
        op: the operation; a coroutine function, or a plain function when ``threaded``.
        prepare: untimed preparation before every round.
        threaded: ``op`` blocks: workers are threads instead of asyncio tasks.
        statements: what it sends to the server per operation (documentation).
    """

    name: str
    op: AsyncOp | SyncOp
    prepare: Prepare | None = None
    threaded: bool = False
    statements: str = ""


@dataclass
class Workload:
    """One benchmark row: an operation on a database, done by kongdao and by the raw driver.

    Attributes:
        database: ``postgres`` or ``cassandra``.
        operation: a short identifier (``select_pk``).
        label: what the table shows (``select by primary key``).
        kind: ``read`` or ``write`` (which target applies).
        kongdao: the kongdao implementation.
        raw: the raw driver implementation.
        unit: ``ops`` or ``rows`` (paging is measured in rows/s).
        weight: scales the operations per round (a page of 1000 rows is heavier than a select).
        data: what the operation works on (recorded in the results).
        min_per_worker: at least this many operations per worker and round (default: the
            mode's); 1 for heavy operations, whose rounds would otherwise last long.
        setup: run before the workload (untimed): open what only it needs.
        teardown: run after it, even when it failed.
    """

    database: str
    operation: str
    label: str
    kind: Kind
    kongdao: Impl
    raw: Impl
    unit: str = "ops"
    weight: float = 1.0
    data: str = ""
    min_per_worker: int | None = None
    setup: Callable[[], Awaitable[None]] | None = None
    teardown: Callable[[], Awaitable[None]] | None = None
    _done: dict[str, int] = field(default_factory=dict, repr=False)

    def next_start(self, impl: Impl, n: int) -> int:
        """The first operation number of the next ``n`` operations of ``impl``."""
        start = self._done.get(impl.name, 0)
        self._done[impl.name] = start + n
        return start


@dataclass
class Suite:
    """The workloads of one database for one run, the facts to record, and how to clean up.

    Attributes:
        workloads: the rows to measure, in order.
        info: server version, driver, data sizes and settings (recorded in the results).
        skipped: operations that cannot run here, each ``{"operation", "reason"}``.
        closers: coroutine functions closing what the suite opened (run in reverse).
        settle: untimed load for some seconds before measuring (warms JITs and caches).
    """

    workloads: list[Workload] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    settle: Callable[[float], Awaitable[None]] | None = None

    def add(self, workloads: Sequence[Workload], wanted: Sequence[str] | None) -> None:
        """Keep the ``wanted`` workloads (all by default), in the order of :data:`OPERATIONS`."""
        keep = [w for w in workloads if not wanted or w.operation in wanted]
        rank = {op: i for i, op in enumerate(OPERATIONS)}
        self.workloads = sorted(
            [*self.workloads, *keep], key=lambda w: rank.get(w.operation, len(rank))
        )

    async def close(self) -> None:
        """Close everything the suite opened; idempotent."""
        while self.closers:
            close = self.closers.pop()
            await close()


def ops_per_round(
    mode: Mode, weight: float, concurrency: int, min_per_worker: int | None = None
) -> int:
    """Operations per timed round for a workload of ``weight`` at ``concurrency``."""
    base = mode.ops_c1 if concurrency == 1 else mode.ops_cn
    floor = (mode.min_per_worker if min_per_worker is None else min_per_worker) * concurrency
    return max(round(base * weight), floor, 1)


def peak_rss_mib() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def redact(dsn: str) -> str:
    """A DSN without its password."""
    parts = urllib.parse.urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0..1) of already sorted values."""
    if not sorted_values:
        return math.nan
    k = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[k]


class Progress:
    """One progress line on stderr, rewritten in place on a terminal."""

    def __init__(self, *, enabled: bool = True, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._width = 0

    def status(self, text: str) -> None:
        """Show a transient status (only on a terminal)."""
        if not self.enabled or not self.tty:
            return
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)

    def line(self, text: str) -> None:
        """Print a permanent line (clearing a status first)."""
        if not self.enabled:
            return
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()


@dataclass
class _Round:
    units: int
    elapsed: float
    latencies_ns: list[int]

    @property
    def rate(self) -> float:
        return self.units / self.elapsed if self.elapsed > 0 else math.nan


async def _run_async(op: AsyncOp, start: int, n: int, concurrency: int) -> _Round:
    counter = itertools.count(start)
    end = start + n
    latencies: list[int] = []
    record = latencies.append
    clock = time.perf_counter_ns

    async def worker(w: int) -> int:
        units = 0
        for i in counter:
            if i >= end:
                break
            t0 = clock()
            units += await op(w, i)
            record(clock() - t0)
        return units

    t0 = time.perf_counter()
    done = await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - t0
    return _Round(sum(done), elapsed, latencies)


def _run_threads(op: SyncOp, start: int, n: int, concurrency: int) -> _Round:
    counter = itertools.count(start)
    lock = threading.Lock()
    end = start + n
    latencies: list[int] = []
    clock = time.perf_counter_ns
    barrier = threading.Barrier(concurrency + 1)

    def worker(w: int) -> int:
        units = 0
        mine: list[int] = []
        barrier.wait()
        while True:
            with lock:
                i = next(counter)
            if i >= end:
                break
            t0 = clock()
            units += op(w, i)
            mine.append(clock() - t0)
        with lock:
            latencies.extend(mine)
        return units

    with ThreadPoolExecutor(concurrency, thread_name_prefix="bench") as pool:
        futures = [pool.submit(worker, w) for w in range(concurrency)]
        barrier.wait()
        t0 = time.perf_counter()
        units = sum(f.result() for f in futures)
        elapsed = time.perf_counter() - t0
    return _Round(units, elapsed, latencies)


async def _round(workload: Workload, impl: Impl, n: int, concurrency: int) -> _Round:
    start = workload.next_start(impl, n)
    if impl.prepare is not None:
        await impl.prepare(start, n)
    gc.collect()
    if impl.threaded:
        op_sync: SyncOp = impl.op  # type: ignore[assignment]
        return await asyncio.to_thread(_run_threads, op_sync, start, n, concurrency)
    op_async: AsyncOp = impl.op  # type: ignore[assignment]
    return await _run_async(op_async, start, n, concurrency)


def _summary(rounds: list[_Round], unit: str) -> dict[str, Any]:
    rates = [r.rate for r in rounds]
    med = statistics.median(rates)
    lat = sorted(itertools.chain.from_iterable(r.latencies_ns for r in rounds))
    return {
        "median": round(med, 1),
        "min": round(min(rates), 1),
        "max": round(max(rates), 1),
        "spread_pct": round(100 * (max(rates) - min(rates)) / med, 1) if med else None,
        "rounds": [round(x, 1) for x in rates],
        "unit": f"{unit}/s",
        "p50_us": round(percentile(lat, 0.50) / 1000, 1),
        "p99_us": round(percentile(lat, 0.99) / 1000, 1),
        "mean_us": round(statistics.fmean(lat) / 1000, 1) if lat else None,
        "samples": len(lat),
    }


async def run_workload(
    workload: Workload,
    mode: Mode,
    concurrencies: Sequence[int],
    progress: Progress,
    *,
    index: str = "",
) -> list[dict[str, Any]]:
    """Measure one workload at every concurrency; one result dict per concurrency.

    Raises:
        BenchError: an operation reported a wrong result.
    """
    if workload.setup is not None:
        progress.status(f"{workload.database} {workload.operation}: setting up")
        await workload.setup()
    try:
        return await _run_workload(workload, mode, concurrencies, progress, index)
    finally:
        if workload.teardown is not None:
            await workload.teardown()


async def _run_workload(
    workload: Workload,
    mode: Mode,
    concurrencies: Sequence[int],
    progress: Progress,
    index: str,
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    impls = (workload.kongdao, workload.raw)
    for concurrency in concurrencies:
        n = ops_per_round(mode, workload.weight, concurrency, workload.min_per_worker)
        warm = max(round(n * mode.warmup), concurrency)
        head = f"{index} " if index else ""
        head += f"{workload.database} {workload.operation} c{concurrency}"
        started = time.perf_counter()
        progress.status(f"{head}: warm-up")
        for impl in impls:
            await _round(workload, impl, warm, concurrency)
        rounds: dict[str, list[_Round]] = {impl.name: [] for impl in impls}
        for r in range(mode.rounds):
            order = impls if r % 2 == 0 else impls[::-1]
            for impl in order:
                progress.status(f"{head}: round {r + 1}/{mode.rounds} {impl.name}")
                rounds[impl.name].append(await _round(workload, impl, n, concurrency))
        k = _summary(rounds["kongdao"], workload.unit)
        raw = _summary(rounds["raw"], workload.unit)
        ratio = k["median"] / raw["median"] if raw["median"] else math.nan
        per_round = [a.rate / b.rate for a, b in zip(rounds["kongdao"], rounds["raw"], strict=True)]
        target = TARGETS[workload.kind]
        result = {
            "database": workload.database,
            "operation": workload.operation,
            "label": workload.label,
            "kind": workload.kind,
            "unit": workload.unit,
            "concurrency": concurrency,
            "ops_per_round": n,
            "warmup_ops": warm,
            "data": workload.data,
            "kongdao": {**k, "statements": workload.kongdao.statements},
            "raw": {**raw, "statements": workload.raw.statements},
            "ratio": round(ratio, 3),
            "ratio_rounds": [round(x, 3) for x in per_round],
            "ratio_min": round(min(per_round), 3),
            "ratio_max": round(max(per_round), 3),
            "target": target,
            "meets_target": bool(ratio >= target),
            "elapsed_s": round(time.perf_counter() - started, 2),
            "rss_peak_mib": peak_rss_mib(),
        }
        results.append(result)
        unit = "rows/s" if workload.unit == "rows" else "ops/s"
        progress.line(
            f"{head:<40} kongdao {k['median']:>11,.0f} {unit}  raw {raw['median']:>11,.0f} "
            f"{unit}  {ratio:5.2f}x  ({result['elapsed_s']:.1f} s)"
        )
    return results
