"""What replication costs: the benchmark suite on one server and on a cluster, side by side.

``make bench-scale`` starts the clusters (a PostgreSQL primary + streaming replica, a 3-node
Cassandra ring, and the single test node) and runs::

    python -m benchmarks.scale [--quick|--full] [-c 32] [--only ops]

Four configurations of the same suite (``python -m benchmarks``), one after the other:

* ``postgres primary``: the pair's primary alone (``synchronous_commit = local``: no replica
  involved);
* ``postgres replica``: the same primary with ``ro_port`` (reads on the replica) and
  ``synchronous_commit = remote_apply`` (every commit waits until the replica applied it);
* ``cassandra node``: the single node on 127.0.0.1 (replication factor 1, consistency ONE);
* ``cassandra ring``: 127.0.1.1-3, replication factor 3, QUORUM reads and writes.

Each run's JSON is kept in ``.cache/bench-scale/<configuration>/``; the table compares
kongdao's ops/s per operation between the single-server and the cluster configuration (and
prints each run's own kongdao/raw ratio: the raw side of the PostgreSQL runs works on the
primary).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".cache" / "bench-scale"

_PG = int(os.environ.get("KONGDAO_SCALE_PG_PORT") or 5434)
_PG_RO = int(os.environ.get("KONGDAO_SCALE_PG_RO_PORT") or 5433)
_RING = os.environ.get("KONGDAO_SCALE_RING_HOSTS") or "127.0.1.1,127.0.1.2,127.0.1.3"

CONFIGURATIONS: dict[str, list[str]] = {
    "postgres-primary": [
        "--databases", "postgres",
        "--pg-dsn", f"postgresql://postgres@127.0.0.1:{_PG}/kongdao_bench",
        "--pg-synchronous-commit", "local",
    ],
    "postgres-replica": [
        "--databases", "postgres",
        "--pg-dsn",
        f"postgresql://postgres@127.0.0.1:{_PG}/kongdao_bench?ro_host=127.0.0.1&ro_port={_PG_RO}",
        "--pg-synchronous-commit", "remote_apply",
    ],
    "cassandra-node": [
        "--databases", "cassandra",
        "--cassandra-dsn", "cassandra://127.0.0.1:9042/kongdao_bench?protocol_version=3",
    ],
    "cassandra-ring": [
        "--databases", "cassandra",
        "--cassandra-dsn",
        f"cassandra://{_RING}:9042/kongdao_bench?protocol_version=3&replication_factor=3"
        "&read_consistency=QUORUM&write_consistency=QUORUM",
    ],
}  # fmt: skip
PAIRS = (("postgres-primary", "postgres-replica"), ("cassandra-node", "cassandra-ring"))


def _latest(folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    files = [f for f in files if f.name != "baseline.json"]
    if not files:
        raise SystemExit(f"no results in {folder}")
    return json.loads(files[-1].read_text())  # type: ignore[no-any-return]


def _rates(run: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["label"], r["concurrency"]): r for r in run["results"]}


def render(runs: dict[str, dict[str, Any]]) -> str:
    """The comparison table of the runs (kongdao ops/s, single server vs cluster)."""
    lines = [
        f"{'configuration':<36} {'operation':<34} {'c':>3} {'single/s':>10} "
        f"{'cluster/s':>10} {'cluster/single':>14} {'k/raw single|cluster':>21}"
    ]
    for single, cluster in PAIRS:
        if single not in runs or cluster not in runs:
            continue
        a, b = _rates(runs[single]), _rates(runs[cluster])
        for key in a:
            if key not in b:
                continue
            ra, rb = a[key], b[key]
            ka, kb = ra["kongdao"]["median"], rb["kongdao"]["median"]
            lines.append(
                f"{single + ' vs ' + cluster.split('-')[1]:<36} {key[0]:<34} {key[1]:>3} "
                f"{ka:>10,.0f} {kb:>10,.0f} {kb / ka if ka else float('nan'):>13.2f}x "
                f"{ra['ratio']:>10.2f}|{rb['ratio']:.2f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the configurations, then print the comparison; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--full", action="store_true", help="full mode (default: quick)")
    parser.add_argument("-c", "--concurrency", default="32", help="concurrencies (default 32)")
    parser.add_argument("--only", help="only these operations (comma-separated)")
    parser.add_argument(
        "--configurations",
        default=",".join(CONFIGURATIONS),
        help=f"comma-separated, of {', '.join(CONFIGURATIONS)}",
    )
    parser.add_argument("--report-only", action="store_true", help="only print the last runs")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.configurations.split(",") if n.strip()]
    status = 0
    if not args.report_only:
        for name in names:
            out = OUT / name
            out.mkdir(parents=True, exist_ok=True)
            cmd = [
                sys.executable, "-m", "benchmarks", "--full" if args.full else "--quick",
                "-c", args.concurrency, "--no-chart", "-q", "--out", str(out),
                *CONFIGURATIONS[name],
            ]  # fmt: skip
            if args.only:
                cmd += ["--only", args.only]
            print(f"== {name}", flush=True)
            proc = subprocess.run(cmd, cwd=ROOT, check=False)
            status = status or proc.returncode
    runs = {}
    for name in names:
        folder = OUT / name
        if folder.exists() and any(folder.glob("*.json")):
            runs[name] = _latest(folder)
    print("\nkongdao on one server vs on a cluster (kongdao ops/s, medians)")
    print(render(runs))
    return status


if __name__ == "__main__":
    sys.exit(main())
