"""The regression guard: compare a run with a saved baseline (``make bench-compare``).

::

    python -m benchmarks.compare        # results/latest.json vs results/baseline.json
    python -m benchmarks.compare --margin 0.10 --metric ops OLD.json NEW.json

Rows are matched by (database, operation, concurrency). By default the compared figure is the
**ratio** kongdao/raw measured in each run: absolute ops/s of two runs differ with the machine's
load and drift (PERFORMANCE.md: "compare ratios measured in one run, never absolute numbers from
different runs"), while the ratio cancels most of it. ``--metric ops`` compares kongdao's own
ops/s instead, which only makes sense between runs on a quiet, identical machine.

An operation is flagged when its figure fell by more than ``--margin`` (default 15%) relative to
the baseline. Exit status: 0 nothing flagged, 1 something flagged, 2 a file is missing or
unreadable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import RESULTS_DIR, SCHEMA_VERSION

__all__ = ["Comparison", "compare", "main", "render"]

Key = tuple[str, str, int]


class Comparison(dict[str, Any]):
    """One compared row: ``key``, ``label``, ``old``, ``new``, ``change`` and ``flagged``."""


def _rows(run: Mapping[str, Any]) -> dict[Key, Mapping[str, Any]]:
    return {(r["database"], r["operation"], int(r["concurrency"])): r for r in run["results"]}


def _figure(row: Mapping[str, Any], metric: str) -> float:
    if metric == "ratio":
        return float(row["ratio"])
    return float(row["kongdao"]["median"])


def compare(
    baseline: Mapping[str, Any],
    latest: Mapping[str, Any],
    *,
    margin: float = 0.15,
    metric: str = "ratio",
) -> tuple[list[Comparison], list[str]]:
    """Compare two runs; the compared rows and notes (rows present in only one run, modes).

    A row is ``flagged`` when ``new < old * (1 - margin)``.
    """
    notes: list[str] = []
    if baseline.get("mode", {}).get("name") != latest.get("mode", {}).get("name"):
        notes.append(
            f"note: baseline is a {baseline.get('mode', {}).get('name')} run, latest a "
            f"{latest.get('mode', {}).get('name')} run; their noise differs"
        )
    old_rows, new_rows = _rows(baseline), _rows(latest)
    out: list[Comparison] = []
    for key, new in new_rows.items():
        old = old_rows.get(key)
        if old is None:
            notes.append(f"new in latest (no baseline): {' '.join(map(str, key))}")
            continue
        a, b = _figure(old, metric), _figure(new, metric)
        change = (b - a) / a if a else 0.0
        out.append(
            Comparison(
                key=key,
                label=new.get("label", key[1]),
                old=a,
                new=b,
                change=change,
                flagged=b < a * (1 - margin),
            )
        )
    notes.extend(
        f"missing from latest: {' '.join(map(str, key))}"
        for key in sorted(old_rows.keys() - new_rows.keys())
    )
    return out, notes


def render(rows: Sequence[Comparison], *, metric: str, margin: float) -> str:
    """The comparison as a table."""
    unit = "kongdao/raw" if metric == "ratio" else "kongdao ops/s"
    lines = [
        f"{'database':<10} {'operation':<22} {'c':>3} {'baseline':>12} {'latest':>12} "
        f"{'change':>8}  ({unit}; flagged when it fell by more than {margin:.0%})"
    ]
    for r in rows:
        database, operation, concurrency = r["key"]
        fmt = "{:.3f}" if metric == "ratio" else "{:,.0f}"
        lines.append(
            f"{database:<10} {operation:<22} {concurrency:>3} {fmt.format(r['old']):>12} "
            f"{fmt.format(r['new']):>12} {r['change']:>+8.1%}"
            + ("  SLOWER" if r["flagged"] else "")
        )
    return "\n".join(lines)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"{path}: results schema {data.get('schema')}, expected {SCHEMA_VERSION}")
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.compare``; the exit status."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.compare",
        description="Flag operations that got slower than in the baseline run.",
    )
    p.add_argument(
        "baseline",
        nargs="?",
        type=Path,
        default=RESULTS_DIR / "baseline.json",
        help="the baseline run (default: benchmarks/results/baseline.json)",
    )
    p.add_argument(
        "latest",
        nargs="?",
        type=Path,
        default=RESULTS_DIR / "latest.json",
        help="the run to check (default: benchmarks/results/latest.json)",
    )
    p.add_argument(
        "--margin",
        type=float,
        default=0.15,
        help="flag a fall larger than this fraction (default: 0.15)",
    )
    p.add_argument(
        "--metric",
        choices=("ratio", "ops"),
        default="ratio",
        help="ratio: kongdao/raw of each run (default); ops: kongdao's ops/s",
    )
    args = p.parse_args(argv)
    try:
        baseline, latest = _load(args.baseline), _load(args.latest)
    except (OSError, ValueError) as exc:
        print(f"bench-compare: {exc}", file=sys.stderr)
        if not args.baseline.exists():
            print("save one first: make bench (or python -m benchmarks --save-baseline)")
        return 2
    rows, notes = compare(baseline, latest, margin=args.margin, metric=args.metric)
    print(f"baseline: {args.baseline} ({baseline['started_at']}, {baseline['mode']['name']})")
    print(f"latest:   {args.latest} ({latest['started_at']}, {latest['mode']['name']})")
    print(render(rows, metric=args.metric, margin=args.margin))
    for note in notes:
        print(note)
    flagged = [r for r in rows if r["flagged"]]
    if flagged:
        print(
            f"{len(flagged)} operation(s) slower than the baseline by more than {args.margin:.0%}"
        )
        return 1
    print("no operation slower than the baseline beyond the margin")
    return 0


if __name__ == "__main__":
    sys.exit(main())
