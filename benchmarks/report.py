"""The outputs of a run: the terminal table, the JSON file of every figure, the PNG chart.

Files go to ``benchmarks/results/`` (git-ignored): ``bench-<UTC time>-<mode>.json`` and the
chart ``.png`` beside it, plus ``latest.json`` / ``latest.png`` (copies of the newest run) that
``benchmarks.compare`` reads by default.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "RESULTS_DIR",
    "SCHEMA_VERSION",
    "machine_info",
    "package_versions",
    "source_info",
    "render_markdown",
    "render_table",
    "write_chart",
    "write_json",
]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCHEMA_VERSION = 1
"""Bumped when the JSON layout changes incompatibly (``benchmarks.compare`` checks it)."""


def package_versions() -> dict[str, str | None]:
    """Python and the packages the run used (``None`` when not installed)."""
    out: dict[str, str | None] = {
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
    }
    for name in ("kongdao", "asyncpg", "acsylla", "attrs", "cattrs", "matplotlib"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def source_info() -> dict[str, Any]:
    """The git commit of the checkout measured, and kongdao files changed since it."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout

    status = git("status", "--porcelain", "--", "kongdao") or ""
    commit = git("rev-parse", "HEAD")
    return {
        "commit": commit.strip() if commit else None,
        "kongdao_changes": [line[3:] for line in status.splitlines() if line.strip()],
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
    }


# -- the table -----------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _us(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 10_000:
        return f"{value / 1000:.1f}ms"
    return f"{value:,.0f}"


def _target_mark(result: Mapping[str, Any], top: int) -> str:
    if result["concurrency"] != top:
        return ""
    target = result["target"]
    return f"{'ok' if result['meets_target'] else 'MISS'} >={target:.2f}"


def _source_line(run: Mapping[str, Any]) -> str:
    source = run.get("source") or {}
    commit = (source.get("commit") or "unknown")[:10]
    changed = source.get("kongdao_changes") or []
    dirty = f" + {len(changed)} uncommitted kongdao path(s)" if changed else ""
    versions = run.get("versions", {})
    servers = ", ".join(
        f"{db} {versions.get(f'{db}_server')}"
        for db in ("postgres", "cassandra")
        if versions.get(f"{db}_server")
    )
    return (
        f"kongdao {versions.get('kongdao')} at {commit}{dirty}; Python {versions.get('python')}"
        + (f"; {servers}" if servers else "")
    )


def render_table(run: Mapping[str, Any]) -> str:
    """The results as a fixed-width table (kongdao, raw, ratio per operation and database)."""
    results: Sequence[Mapping[str, Any]] = run["results"]
    top = max((r["concurrency"] for r in results), default=0)
    header = (
        "database",
        "operation",
        "c",
        "kongdao/s",
        "raw/s",
        "ratio",
        "ratio range",
        "spread k|r",
        "p50 us k|r",
        "p99 us k|r",
        f"target (c{top})",
    )
    rows: list[tuple[str, ...]] = []
    for r in results:
        k, raw = r["kongdao"], r["raw"]
        label = r["label"] + (" rows/s" if r["unit"] == "rows" else "")
        rows.append(
            (
                r["database"],
                label,
                str(r["concurrency"]),
                _rate(k["median"]),
                _rate(raw["median"]),
                f"{r['ratio']:.2f}x",
                f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}",
                f"{k['spread_pct']:.0f}%|{raw['spread_pct']:.0f}%",
                f"{_us(k['p50_us'])}|{_us(raw['p50_us'])}",
                f"{_us(k['p99_us'])}|{_us(raw['p99_us'])}",
                _target_mark(r, top),
            )
        )
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(header)]
    right = {2, 3, 4, 5, 6, 7, 8, 9}

    def fmt(cells: Iterable[str]) -> str:
        parts = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    machine = run.get("machine", {})
    load = [f"{(machine.get(k) or ['?'])[0]}" for k in ("load_avg_start", "load_avg_end")]
    lines = [
        f"kongdao vs raw drivers: {run['mode']['name']} mode, {run['started_at']}, "
        f"{machine.get('cpus')} x {machine.get('cpu')} ({machine.get('hostname')}), "
        f"load average {load[0]} at the start, {load[1]} at the end",
        f"median of {run['mode']['rounds']} interleaved rounds; ratio = kongdao/raw medians; "
        "range = per-round ratios; spread = (max-min)/median",
        _source_line(run),
        "",
        fmt(header),
        fmt("-" * w for w in widths),
    ]
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            lines.append("")
        previous = row[0]
        lines.append(fmt(row))
    lines.extend(
        f"skipped {s['database']} {s['operation']}: {s['reason']}" for s in run.get("skipped", [])
    )
    lines.append(f"peak RSS of the process: {run.get('rss_peak_mib')} MiB")
    return "\n".join(lines)


def render_markdown(run: Mapping[str, Any]) -> str:
    """The results as a Markdown table (for READMEs and issue notes), with where they came from.

    One line per operation and database: kongdao, raw and ratio at concurrency 1 and at the
    highest concurrency, and whether the target is met there.
    """
    results: Sequence[Mapping[str, Any]] = run["results"]
    top = max((r["concurrency"] for r in results), default=0)
    by_key: dict[tuple[str, str], dict[int, Mapping[str, Any]]] = {}
    for r in results:
        by_key.setdefault((r["database"], r["operation"]), {})[r["concurrency"]] = r
    machine = run.get("machine", {})
    load = machine.get("load_avg_start") or ["?"]
    lines = [
        f"{run['mode']['name'].capitalize()} mode, {run['started_at']}, on {machine.get('cpus')} x "
        f"{machine.get('cpu')} ({machine.get('hostname')}; load average {load[0]} at the "
        f"start); {_source_line(run)}. Median of {run['mode']['rounds']} interleaved rounds; "
        "ops/s (rows/s for the pagers).",
        "",
        f"| database | operation | kongdao c1 | raw c1 | ratio c1 | kongdao c{top} | raw c{top} "
        f"| ratio c{top} | target c{top} |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (database, _), rows in by_key.items():
        one, many = rows.get(1), rows.get(top)
        first = one or many
        assert first is not None
        cells = [database, first["label"]]
        for cell in (one, many):
            if cell is None or (cell is many and top == 1):
                cells += ["", "", ""]
            else:
                cells += [
                    _rate(cell["kongdao"]["median"]),
                    _rate(cell["raw"]["median"]),
                    f"**{cell['ratio']:.2f}**",
                ]
        mark = ""
        if many is not None and top > 1:
            mark = f"{'ok' if many['meets_target'] else 'miss'} (>= {many['target']:.2f})"
        cells.append(mark)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.report [JSON] [--markdown]``: print a saved run's table again."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.report", description=main.__doc__)
    p.add_argument("path", nargs="?", type=Path, default=RESULTS_DIR / "latest.json")
    p.add_argument("--markdown", action="store_true", help="a Markdown table instead")
    args = p.parse_args(argv)
    run = json.loads(args.path.read_text(encoding="utf-8"))
    print(render_markdown(run) if args.markdown else render_table(run))
    return 0


# -- files ---------------------------------------------------------------------------------


def _stamp(run: Mapping[str, Any]) -> str:
    started = datetime.datetime.fromisoformat(run["started_at"])
    return started.strftime("%Y%m%d-%H%M%S")


def write_json(run: Mapping[str, Any], out_dir: Path) -> Path:
    """Write the run as ``bench-<time>-<mode>.json`` and ``latest.json``; the first path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench-{_stamp(run)}-{run['mode']['name']}.json"
    text = json.dumps(run, indent=2, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")
    (out_dir / "latest.json").write_text(text, encoding="utf-8")
    return path


def write_chart(run: Mapping[str, Any], json_path: Path) -> Path | None:
    """Draw the ratio per operation and database next to the JSON file (``None``: no matplotlib).

    One horizontal bar per (database, concurrency) for every operation, with the targets
    (0.75 for writes, 0.85 for reads) and parity (1.0) as vertical lines.
    """
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    results: Sequence[Mapping[str, Any]] = run["results"]
    if not results:
        return None
    operations: list[str] = []
    labels: dict[str, str] = {}
    for r in results:
        if r["operation"] not in labels:
            operations.append(r["operation"])
            labels[r["operation"]] = r["label"]
    databases = list(dict.fromkeys(r["database"] for r in results))  # in the order they ran
    series = sorted(
        {(r["database"], r["concurrency"]) for r in results},
        key=lambda s: (databases.index(s[0]), s[1]),
    )
    value = {(r["database"], r["concurrency"], r["operation"]): r for r in results}
    height = 0.8 / max(len(series), 1)
    colors = {
        ("postgres", False): "#9ecae1",
        ("postgres", True): "#3182bd",
        ("cassandra", False): "#fdae6b",
        ("cassandra", True): "#e6550d",
    }
    top = max(r["concurrency"] for r in results)
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(operations) * max(len(series), 2) / 2 + 2))
    for j, (database, concurrency) in enumerate(series):
        ys, xs, errs_lo, errs_hi = [], [], [], []
        for i, op in enumerate(operations):
            found = value.get((database, concurrency, op))
            if found is None:
                continue
            ys.append(i + (j - (len(series) - 1) / 2) * height)
            xs.append(found["ratio"])
            errs_lo.append(max(0.0, found["ratio"] - found["ratio_min"]))
            errs_hi.append(max(0.0, found["ratio_max"] - found["ratio"]))
        ax.barh(
            ys,
            xs,
            height=height * 0.9,
            xerr=[errs_lo, errs_hi],
            capsize=2,
            color=colors.get((database, concurrency == top), "#999999"),
            label=f"{database}, concurrency {concurrency}",
        )
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.axvline(0.85, color="green", linestyle="--", linewidth=0.8, label="read target 0.85")
    ax.axvline(0.75, color="orange", linestyle="--", linewidth=0.8, label="write target 0.75")
    ax.set_yticks(range(len(operations)), [labels[op] for op in operations])
    ax.invert_yaxis()
    ax.set_xlabel("kongdao / raw driver (median of interleaved rounds; whiskers: per-round range)")
    ax.set_title(
        f"kongdao vs raw drivers ({run['mode']['name']} mode, {run['started_at'][:16]} UTC, "
        f"{run['machine'].get('cpus')} cpus)"
    )
    ax.set_xlim(0, max(1.2, *(r["ratio_max"] for r in results)) * 1.05)
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = json_path.with_suffix(".png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    shutil.copyfile(path, json_path.parent / "latest.png")
    return path


if __name__ == "__main__":
    sys.exit(main())
