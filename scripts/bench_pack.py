"""Benchmark the monthly pack against its floor.

    .venv/bin/python scripts/bench_pack.py [--month 2016-09] [--period rolling-12m] [--data data/demo]
                                           [--jobs N] [--json reports/bench_pack.json]

- **pack**: wall time of ``python -m helpers.pack`` for one month (a fresh process, as cron runs it),
  with the cube already cached (its one-off build time is measured and printed separately);
- **floor**: the same runner, same options, executing the same number of notebooks that only import
  what the report notebooks import in the pack (``helpers.pages.report`` and the modules it loads: pandas,
  numpy, matplotlib's figure and Agg canvas, PIL, IPython.display — no pyplot, seaborn or
  ipywidgets, which the pack does not load) and load the cube from its cache (generated in a
  temporary folder). It pays for everything the pack cannot avoid — process start, kernel start-up,
  imports, cube load from cache, tables.csv, HTML export, publishing — and nothing of the report's
  own work;
- **ratio** pack / floor: how much the report's content costs on top (target ≤ 1.5), for the
  first pack run (**cold**: the chart cache, ``.cache/charts``, is emptied first, so every chart is
  drawn, as in the first pack of a month) and the best of the later runs (**warm**: charts drawn
  before come from the cache, as when a month is run again after editing commentary);
- **plain loop**: what the pack replaces — ``papermill`` then ``jupyter nbconvert --to html
  --no-input`` for each notebook in turn, with a cold chart cache (target: the cold pack at least
  3 × faster; ``--no-loop`` skips it);
- **CPU time** of each run (user + system, the pack process and its kernels), printed beside the
  wall times: less sensitive to other work on the machine than wall time.

With ``--repeat N`` the floor and the pack run in turn (floor, pack, floor, pack, …) so that both
see the same load from anything else on the machine, and the best of each is kept. The load
average before and after is recorded: on a shared machine it explains most of the spread.

Outputs go to a temporary folder: the published ``reports/`` is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from helpers.config import CACHE_DIR, NOTEBOOKS_DIR, resolve_path  # noqa: E402
from helpers.pack import plan  # noqa: E402

PARAMETERS = """month: str = "2016-09"  # report month
period: str = "rolling-12m"  # rolling-12m | fytd | month
geography: str = "Force"  # Force, an LPA or a district
data_dir: str = "data/demo"  # extract folder
interactive: bool = True  # the pack sets False"""

IMPORTS = """from helpers.measures import cube\nfrom helpers.analysis import performance\nfrom helpers.pages import report\nfrom helpers.render import views

report.get_cube(data_dir)"""


def floor_notebooks(folder: Path, names: list[str]) -> Path:
    """Write one import-only notebook per name (same file names as the real ones)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = new_notebook(
            cells=[
                new_markdown_cell(f"# {name}"),
                new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
                new_code_cell(IMPORTS),
            ]
        )
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, folder / name)
    return folder


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pack(args, notebooks_dir: Path, out: Path) -> tuple[float, float, int, str]:
    """Run the pack in a fresh process; return wall seconds, CPU seconds, exit code and stderr.

    CPU seconds: user + system time of the pack process and of its kernels (every process it
    started and waited for), which depends much less than wall time on what else the machine runs.
    """
    cmd = [sys.executable, "-m", "helpers.pack", "--month", args.month, "--period", args.period,
           "--data", str(args.data), "--notebooks-dir", str(notebooks_dir), "--out", str(out),
           "--jobs", str(args.jobs)]  # fmt: skip
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, _children_cpu() - cpu, done.returncode, done.stderr


def run_loop(args, out: Path) -> tuple[float, float]:
    """papermill then ``jupyter nbconvert --to html --no-input`` per notebook, one after another.

    Returns wall and CPU seconds (all child processes) for the nine notebooks.
    """
    bin_dir = Path(sys.executable).parent
    out.mkdir(parents=True, exist_ok=True)
    cpu = _children_cpu()
    start = time.perf_counter()
    for path in sorted(NOTEBOOKS_DIR.glob(plan.NOTEBOOK_GLOB)):
        executed = out / path.name
        subprocess.run(
            [str(bin_dir / "papermill"), str(path), str(executed), "-p", "month", args.month,
             "-p", "period", args.period, "-p", "data_dir", str(args.data),
             "-p", "interactive", "False", "--cwd", str(NOTEBOOKS_DIR), "--no-progress-bar"],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        subprocess.run(
            [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
    return time.perf_counter() - start, _children_cpu() - cpu


def empty_chart_cache() -> None:
    """Empty the project's chart cache (rebuildable): the next run draws every chart."""
    shutil.rmtree(CACHE_DIR / "charts", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2016-09")
    parser.add_argument("--period", default="rolling-12m")
    parser.add_argument("--data", default="data/demo")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--repeat", "--runs", type=int, default=1, help="runs of each, in turn; the best is kept"
    )
    parser.add_argument(
        "--no-loop", dest="loop", action="store_false", help="skip the plain papermill loop"
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        default=None,
        help="also write the figures to this JSON file (no file or '-': to standard output)",
    )
    args = parser.parse_args(argv)
    args.data = resolve_path(args.data)

    names = [p.name for p in sorted(NOTEBOOKS_DIR.glob(plan.NOTEBOOK_GLOB))]
    if not names:
        print("no notebooks in notebooks/", file=sys.stderr)
        return 2

    # The cube is built once per data folder and cached; time that apart from the runs.
    from helpers.measures.cube import load_cube

    start = time.perf_counter()
    load_cube(args.data)
    cube_seconds = time.perf_counter() - start

    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as tmp:
        tmp = Path(tmp)
        floor_dir = floor_notebooks(tmp / "floor_notebooks", names)
        dirs = {"floor": floor_dir, "pack": NOTEBOOKS_DIR}
        times: dict[str, list[float]] = {"floor": [], "pack": []}
        cpu: dict[str, list[float]] = {"floor": [], "pack": []}
        best = {}
        loop = None
        if args.loop:
            empty_chart_cache()
            loop = run_loop(args, tmp / "loop")
        empty_chart_cache()  # the first pack run draws every chart
        for i in range(max(2, args.repeat)):
            for label in ("floor", "pack"):
                out = tmp / f"{label}-{i}" / args.month
                seconds, cpu_seconds, code, err = run_pack(args, dirs[label], out)
                if code != 0:
                    print(f"{label} run failed (exit {code}):\n{err[-3000:]}", file=sys.stderr)
                    return 1
                times[label].append(seconds)
                cpu[label].append(cpu_seconds)
                if seconds > min(times[label]):
                    continue
                record = json.loads((out / "run.json").read_text())
                best[f"{label}_page_bytes"] = {
                    n["page"]: n["page_bytes"] for n in record["notebooks"]
                }
                best[f"{label}_notebook_seconds"] = {
                    n["notebook"]: n["seconds"] for n in record["notebooks"]
                }
        best["floor"], best["pack"] = min(times["floor"]), min(times["pack"][1:])
        cold = times["pack"][0]
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None

    ratio = best["pack"] / best["floor"]
    cold_ratio = cold / best["floor"]
    cpu_best = {"floor": min(cpu["floor"]), "pack": min(cpu["pack"][1:])}
    result = {
        "month": args.month,
        "period": args.period,
        "notebooks": len(names),
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        "cube_load_seconds": round(cube_seconds, 2),
        "pack_seconds": round(best["pack"], 2),
        "floor_seconds": round(best["floor"], 2),
        "ratio": round(ratio, 2),
        "pack_cold_seconds": round(cold, 2),
        "pack_cold_cpu_seconds": round(cpu["pack"][0], 2),
        "cold_ratio": round(cold_ratio, 2),
        "target_ratio": 1.5,
        "loop_seconds": round(loop[0], 2) if loop else None,
        "loop_cpu_seconds": round(loop[1], 2) if loop else None,
        "loop_over_cold_pack": round(loop[0] / cold, 2) if loop else None,
        "pack_runs_seconds": [round(t, 2) for t in times["pack"]],
        "floor_runs_seconds": [round(t, 2) for t in times["floor"]],
        # processor time (user + system) of the pack process and its kernels: least of the runs
        "pack_cpu_seconds": round(cpu_best["pack"], 2),
        "floor_cpu_seconds": round(cpu_best["floor"], 2),
        "cpu_ratio": round(cpu_best["pack"] / cpu_best["floor"], 2),
        "pack_runs_cpu_seconds": [round(t, 2) for t in cpu["pack"]],
        "floor_runs_cpu_seconds": [round(t, 2) for t in cpu["floor"]],
        "load_average_before": load_before,
        "load_average_after": load_after,
        "pack_page_bytes": best["pack_page_bytes"],
        "pack_notebook_seconds": best["pack_notebook_seconds"],
        "floor_notebook_seconds": best["floor_notebook_seconds"],
    }
    out = sys.stderr if args.json == "-" else sys.stdout  # standard output then carries the JSON
    print(f"cube load (before the runs): {cube_seconds:7.1f} s", file=out)
    print(f"pack cold ({len(names)} notebooks, {args.jobs} at once, every chart drawn): "
          f"{cold:7.1f} s, CPU {cpu['pack'][0]:.1f} s", file=out)  # fmt: skip
    print(f"pack warm (charts from the cache):  {best['pack']:7.1f} s", file=out)
    print(f"floor ({len(names)} import-only notebooks):   {best['floor']:7.1f} s", file=out)
    print(f"ratio pack / floor, cold / warm:  {cold_ratio:7.2f} / {ratio:.2f}  (target ≤ 1.5)",
          file=out)  # fmt: skip
    if loop:
        print(f"plain loop (papermill + nbconvert per notebook, cold): {loop[0]:7.1f} s, CPU "
              f"{loop[1]:.1f} s = {loop[0] / cold:.1f} × the cold pack (target ≥ 3 ×)", file=out)  # fmt: skip
    print(
        f"CPU time pack / floor:            {cpu_best['pack']:5.1f} s / {cpu_best['floor']:.1f} s"
        f" = {cpu_best['pack'] / cpu_best['floor']:.2f}  (least of each; all processes of a run)",
        file=out,
    )
    if load_before is not None:
        print(f"load average before / after:      {load_before:5.2f} / {load_after:.2f}", file=out)
    for page, size in best["pack_page_bytes"].items():
        print(f"  {page:<40} {size / 1024:8.0f} kB", file=out)
    if args.json == "-":
        print(json.dumps(result, indent=2))
    elif args.json:
        path = resolve_path(args.json, ROOT / "reports" / "bench_pack.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
