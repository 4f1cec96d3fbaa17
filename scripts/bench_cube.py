"""Measure the cube build: time and peak memory for a data folder.

Usage::

    python scripts/bench_cube.py --data data/demo
    python scripts/bench_cube.py --data data/demo --tracemalloc   # also the build's peak allocation

Each measurement runs in a fresh subprocess so that peak resident memory (``ru_maxrss``) belongs to
that step alone: (1) read the extracts, (2) read + build the cube (no cache), (3) ``load_cube``
from the cache (written first if absent).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, tracemalloc
from helpers import loading
from helpers.config import resolve_path
from helpers.cube import Reference, build_cube, load_cube

step, data, trace = sys.argv[1], resolve_path(sys.argv[2]), sys.argv[3] == "1"
out = {}
if step == "build":
    t0, c0 = time.perf_counter(), time.process_time()
    extracts = loading.load_extracts(data)
    t1, c1 = time.perf_counter(), time.process_time()
    out["load_s"] = t1 - t0
    out["load_cpu_s"] = c1 - c0
    out["rows"] = {k: len(v) for k, v in extracts.items()}
    out["rss_after_load_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        tracemalloc.start()
    t2, c2 = time.perf_counter(), time.process_time()
    cube = build_cube(extracts, Reference.load())
    out["build_s"] = time.perf_counter() - t2
    out["build_cpu_s"] = time.process_time() - c2
    if trace:
        out["build_traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    out["cube_rows"] = len(cube.frame)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
elif step == "cache":
    load_cube(data)  # writes the cache if it is not there yet
    t0 = time.perf_counter()
    cube = load_cube(data)
    out["cached_load_s"] = time.perf_counter() - t0
    out["fingerprint"] = cube.fingerprint[:12]
print(json.dumps(out))
"""


def run(step: str, data: str, trace: bool) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, step, data, "1" if trace else "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench step {step!r} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Print build time, peak memory and cached-load time for ``--data``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/demo", help="extract folder (default data/demo)")
    parser.add_argument("--tracemalloc", action="store_true", help="trace the build's allocations")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not Path(args.data).exists() and not (Path(__file__).parents[1] / args.data).exists():
        raise SystemExit(f"{args.data}: no such data folder")
    build = run("build", args.data, args.tracemalloc)
    cache = run("cache", args.data, False)
    figures = {**build, **cache}
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0
    rows = ", ".join(f"{k} {v:,}" for k, v in build["rows"].items())
    print(f"data folder        {args.data}")
    print(f"extract rows       {rows}")
    print(
        f"read extracts      {build['load_s']:.2f} s (peak RSS {build['rss_after_load_mib']:.0f} MiB)"
    )
    print(f"build cube         {build['build_s']:.2f} s ({build['cube_rows']:,} cube rows)")
    print(f"peak RSS           {build['peak_rss_mib']:.0f} MiB (read + build)")
    if "build_traced_peak_mib" in build:
        print(f"build allocations  {build['build_traced_peak_mib']:.0f} MiB peak (tracemalloc)")
    print(f"load from cache    {cache['cached_load_s']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
