"""Benchmarks for the whole pipeline (``make bench``): prints every figure and writes ``reports/bench.json``.

Figures (each the median of ``--runs`` runs unless stated):

- demo generation time at scale 1 (target ≤ 60 s);
- the cube engine, previous and current side by side (``scripts/bench_engine.py``): cold cube build
  (read + validate + measures, no cache) wall and CPU seconds and peak memory of a fresh process at
  scale K = 1, 4, 16 for the engine of ``--baseline-rev`` (a temporary git worktree) and for the
  current tree, and the current tree alone at K = 64 (``--scale64-dir``, skipped with the reason when
  absent; ``--make-scale64`` generates it). Targets: cold build at K = 16 ≤ 12 s and peak ≤ 2 GiB,
  growth K = 16 / K = 1 ≤ 16 ×, K = 64 completes. The demo data for K ≤ 16 is generated once into
  ``reports/bench-data/k<K>/`` and reused;
- full pack wall time for one month, the floor (the same runner executing the same number of
  notebooks that only import the libraries) and the ratio pack / floor (target ≤ 1.5), for the
  first pack of a month (every chart drawn) and a re-run (charts from the cache); and a plain loop
  of papermill then nbconvert over the nine notebooks (target: ≥ 3 × the pack's time);
- median and 95th percentile of a filter-bar re-render: until the table and cached views show
  (``rerender_*``) and until the last chart of a geography seen for the first time is drawn
  (``rerender_complete_*``; target median ≤ 300 ms for both);
- import time of the data.police.uk 2014 folder (target ≤ 20 s), when ``../shared/real`` is present.

Usage::

    python scripts/bench.py --baseline-rev 1a77661   # everything (about 30 minutes on 2 cores)
    python scripts/bench.py --quick                   # K = 1 and 4 only, one run each
    python scripts/bench.py --only cube --baseline-rev 1a77661 --scales 1,4
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "scripts")]
import bench_engine  # noqa: E402  (beside this script)

from helpers.config import REPORTS_DIR  # noqa: E402

PY = sys.executable
REAL = ROOT.parent / "shared" / "real" / "police-uk-street-2014"
TARGETS = {
    "demo_generation_s": 60.0,
    "cube_cold_k1_s": 5.0,
    "cube_cold_k16_s": bench_engine.TARGETS["cold_k16_s"],
    "cube_peak_k16_gib": bench_engine.TARGETS["peak_k16_gib"],
    "cube_cold_growth_k16_over_k1": bench_engine.TARGETS["cold_growth_k16_over_k1"],
    "pack_over_floor": 1.5,
    "pack_over_floor_warm": 1.5,
    "rerender_median_ms": 300.0,
    "rerender_complete_median_ms": 300.0,
    "police_uk_import_s": 20.0,
}
#: Figures that must be at least their target.
AT_LEAST = {"loop_over_cold_pack": 3.0}


def _timed(cmd: list[str], **kw) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}")
    return elapsed


def _json_of(cmd: list[str]) -> dict:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}")
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def bench_demo(tmp: Path, runs: int) -> dict:
    times = [
        _timed([PY, "-m", "helpers.sources.demo", "--out", str(tmp / f"demo-run{i}")])
        for i in range(runs)
    ]
    return {"demo_generation_s": statistics.median(times), "demo_generation_runs": times}


def bench_pack(runs: int) -> dict:
    script = ROOT / "scripts" / "bench_pack.py"
    if not script.exists():
        return {"pack_note": "scripts/bench_pack.py absent"}
    out = _json_of([PY, str(script), "--json", "-", "--repeat", str(runs)])
    # the first pack of a month draws every chart: that is the figure held to the target
    out["pack_over_floor"] = out.get("cold_ratio")
    out["pack_over_floor_warm"] = out.get("ratio")
    return out


def bench_rerender(runs: int) -> dict:
    code = (
        "import json; from helpers.pack import timing; "
        f"print(json.dumps(timing.benchmark_rerender(repeats={max(20, runs * 10)})))"
    )
    try:
        return _json_of([PY, "-c", code])
    except SystemExit as exc:
        return {"rerender_note": str(exc)}


def bench_police_uk(tmp: Path, runs: int) -> dict:
    if not REAL.exists():
        return {"police_uk_note": f"{REAL} absent: import not measured"}
    times = [
        _timed(
            [
                PY,
                "-m",
                "helpers.sources.police_uk",
                "--input",
                str(REAL),
                "--force",
                "essex",
                "--out",
                str(tmp / f"puk{i}"),
            ]
        )
        for i in range(runs)
    ]
    return {"police_uk_import_s": statistics.median(times), "police_uk_import_runs": times}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the pipeline; writes reports/bench.json"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--quick", action="store_true", help="K = 1 and 4 only, one run each")
    parser.add_argument(
        "--only", default="demo,cube,pack,rerender,police_uk", help="comma-separated steps"
    )
    parser.add_argument(
        "--baseline-rev",
        help="git revision of the previous cube engine, measured beside the current",
    )
    parser.add_argument(
        "--scales", help="cube scales, comma-separated (default 1,4,16,64; --quick: 1,4)"
    )
    parser.add_argument(
        "--scale64-dir",
        type=Path,
        default=bench_engine.SCALE64_DIR,
        help=f"scale-64 demo data (default {bench_engine.SCALE64_DIR})",
    )
    parser.add_argument(
        "--make-scale64", action="store_true", help="generate the scale-64 data if absent"
    )
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    scales = [int(k) for k in (args.scales or ("1,4" if args.quick else "1,4,16,64")).split(",")]
    steps = set(args.only.split(","))
    figures: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "cores": os.cpu_count(),
        "runs": runs,
        "load_average_before": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="ppw-bench-") as tmpdir:
        tmp = Path(tmpdir)
        if "demo" in steps:
            figures.update(bench_demo(tmp, runs))
        if "cube" in steps:
            try:
                figures.update(
                    bench_engine.compare(
                        scales, runs, args.baseline_rev, args.scale64_dir, args.make_scale64
                    )
                )
            except bench_engine.BenchError as exc:
                raise SystemExit(f"benchmark step cube failed: {exc}") from None
        if "pack" in steps:
            figures.update(bench_pack(runs))
        if "rerender" in steps:
            figures.update(bench_rerender(runs))
        if "police_uk" in steps:
            figures.update(bench_police_uk(tmp, runs))
    figures["load_average_after"] = os.getloadavg()[0]
    REPORTS_DIR.mkdir(exist_ok=True)
    (REPORTS_DIR / "bench.json").write_text(json.dumps(figures, indent=1, default=str) + "\n")
    print(f"{'figure':34} {'value':>12}  target")
    for key, value in figures.items():
        if isinstance(value, float):
            target, least = TARGETS.get(key), AT_LEAST.get(key)
            verdict = (
                f"≤ {target:g}  {'ok' if value <= target else 'MISSED'}"
                if target is not None
                else f"≥ {least:g}  {'ok' if value >= least else 'MISSED'}"
                if least is not None
                else ""
            )
            print(f"{key:34} {value:12.3f}  {verdict}")
        elif not isinstance(value, list):
            print(f"{key:34} {value!s:>12}")
    if "cube" in steps:
        print()
        print(bench_engine.table(figures))
    print(f"written: {REPORTS_DIR.relative_to(ROOT) / 'bench.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
