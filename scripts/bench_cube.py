"""Measure the cube of one data folder: a cold build and a load from the cache.

Usage::

    python scripts/bench_cube.py --data data/demo
    python scripts/bench_cube.py --data reports/bench-data/k4 --rev 1a77661   # another engine
    python scripts/bench_cube.py --data data/demo --json

Each measurement runs in a fresh process (``scripts/bench_engine.py`` runs the children), so that
peak resident memory belongs to that step alone: (1) a cold build, ``load_cube(data,
rebuild=True)``: read + validate + measures, writing the cache; (2) ``load_cube(data)`` from that
cache. With ``--rev`` the engine is that git revision's, from a temporary worktree. The build writes
the cube cache into ``<data>/.cache/``; the cache of another engine there is replaced.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import bench_engine  # noqa: E402  (beside this script)

CACHED = r"""
import json, sys, time
from helpers.measures.cube import load_cube

t0 = time.perf_counter()
cube = load_cube(sys.argv[1])
print(json.dumps({"cached_load_s": time.perf_counter() - t0, "fingerprint": cube.fingerprint[:12]}))
"""


def _folder(data: str) -> Path:
    for path in (Path(data), ROOT / data):
        if path.is_dir():
            return path.resolve()
    raise SystemExit(f"{data}: no such data folder")


def measure_folder(data: Path, tree: Path) -> dict:
    """A cold build then a cached load of ``data`` by ``tree``'s engine: the figures of both."""
    cold = bench_engine.measure(tree, data)
    stdout, use = bench_engine.run_child(CACHED, [str(data)], tree=tree)
    cached = json.loads(stdout.strip().splitlines()[-1])
    return {**cold, **cached, "cached_peak_rss_gib": use["peak_rss_gib"]}


def main(argv: list[str] | None = None) -> int:
    """Print the cold build's time and peak memory and the cached load's time for ``--data``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/demo", help="extract folder (default data/demo)")
    parser.add_argument("--rev", help="measure this git revision's engine (default: this tree)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    data = _folder(args.data)
    try:
        if args.rev:
            with bench_engine.baseline_tree(args.rev) as (tree, commit):
                figures = {"engine": commit[:12], **measure_folder(data, tree)}
        else:
            figures = {"engine": "this tree", **measure_folder(data, ROOT)}
    except bench_engine.BenchError as exc:
        raise SystemExit(f"bench_cube: {exc}") from None
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0
    all_crime = figures.get("all_crime_r12")
    print(f"data folder        {data}")
    print(f"engine             {figures['engine']}")
    print(
        f"cold build         {figures['wall_s']:.2f} s (CPU {figures['cpu_s']:.2f} s), "
        f"peak RSS {figures['peak_rss_gib']:.2f} GiB, {figures['cube_rows'] or 0:,} cube rows"
    )
    if all_crime:
        print(f"all crime          {all_crime[0]:,.0f} (12 months to Sep 2016, force)")
    print(
        f"load from cache    {figures['cached_load_s']:.3f} s "
        f"(peak RSS {figures['cached_peak_rss_gib']:.2f} GiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
