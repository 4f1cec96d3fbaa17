"""Compare two cube engines side by side: the previous one (a git revision) and the current tree.

What is measured is a **cold cube build**: ``helpers.measures.cube.load_cube(data, rebuild=True)``, that is
reading and validating the extracts, computing every measure and writing the cache, with no cache
used. Each measurement runs in a fresh child process: wall and CPU seconds of the build (timed inside
the child; CPU counts every thread), and the child's peak resident memory (its ``VmHWM``: the
whole process, every thread, Python and the imports included). The child also reads a few
headline figures from the cube it built, so the two engines can be checked to agree.

- Scales 1, 4 and 16 (any K ≤ 16): both engines on the same demo data, generated once by the current
  tree into ``reports/bench-data/k<K>/`` (git-ignored; reused while its ``.complete`` marker has the
  same seed, scale and generator version). Runs alternate, previous then current, so that load from
  elsewhere on the machine falls on both alike; the median time and the largest peak are kept.
- Scale 64 (about 40 million crimes and 90 million incidents): the current tree only, once, on the
  folder ``--scale64-dir`` (default ``../k64`` beside the project). It is skipped, with the reason
  printed, when that folder holds no complete scale-64 demo data, unless ``--make-scale64`` asks to
  generate it there first (about ten minutes of both cores; the generator writes it in blocks).

The previous engine is a worktree of ``--baseline-rev`` made with ``git worktree add --detach`` in a
temporary folder and run with ``PYTHONPATH=<worktree>/src`` (so its code never stays in the tree);
the worktree is removed afterwards.

Usage::

    python scripts/bench_engine.py --baseline-rev 1a77661                 # K = 1, 4, 16 and 64
    python scripts/bench_engine.py --baseline-rev 1a77661 --scales 1,4 --runs 1
    python scripts/bench_engine.py --scales 64 --make-scale64             # the current tree at 64

``scripts/bench.py`` runs this as its ``cube`` step; run alone, it writes ``reports/bench_engine.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from helpers.sources import demo  # noqa: E402  (the current tree's generator makes the bench data)

PY = sys.executable
BENCH_DATA = ROOT / "reports" / "bench-data"
SCALE64_DIR = ROOT.parent / "k64"
SCALES = (1, 4, 16, 64)
#: Targets of issue 13 for the current engine.
TARGETS = {"cold_k16_s": 12.0, "peak_k16_gib": 2.0, "cold_growth_k16_over_k1": 16.0}
#: The headline figures read from each cube: (label, measure id, window kind); all end 2016-09.
HEADLINES = (
    ("all_crime_r12", "all_crime", "rolling-12m"),
    ("solved_rate_r12", "solved_rate", "rolling-12m"),
    ("repeat_victims_month", "repeat_victims", "month"),
    ("da_repeat_incidents_month", "da_repeat_incidents", "month"),
    ("emergency_attendance_r12", "emergency_attendance", "rolling-12m"),
)
#: All crime in the 12 months to September 2016 at scale 1: the published figure the demo force is
#: calibrated to exactly, in every block, so K times it at scale K.
ALL_CRIME_R12_K1 = 115_146

#: The child: one cold build, timed, then the headline figures. Only ``load_cube``, ``Cube.value``
#: and ``Cube.frame`` are used, which both the previous and the current engine provide (from
#: ``helpers.cube`` before the helpers were put in layer folders).
CHILD = r"""
import json, sys, time
import helpers
from helpers import periods
try:  # the layered tree (helpers.measures.cube) or a revision before it (helpers.cube)
    from helpers.measures.cube import load_cube
except ImportError:
    from helpers.cube import load_cube

data, headlines = sys.argv[1], json.loads(sys.argv[2])
t0, c0 = time.perf_counter(), time.process_time()
cube = load_cube(data, rebuild=True)
out = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}
out["src"] = helpers.__file__
frame = getattr(cube, "frame", None)
out["cube_rows"] = None if frame is None else len(frame)
for label, measure, kind in headlines:
    v = cube.value(measure, periods.window(kind, "2016-09"))
    out[label] = [v.numerator, v.denominator] if v.available else None
print(json.dumps(out))
"""


class BenchError(RuntimeError):
    """A benchmark step failed (the message says which and how)."""


def _gib(kib: int) -> float:
    return kib / 2**20


#: Run first in every child: at exit, it reports the process's peak resident memory (``VmHWM``,
#: Linux). Not ``ru_maxrss``: a child's ``ru_maxrss`` starts from its parent's peak at the fork
#: (Linux carries the pre-exec high-water mark over), so a large bench process would inflate it.
PEAK_PREAMBLE = r"""
import atexit as _atexit, sys as _sys

def _report_peak():
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    _sys.stderr.write(f"\nBENCH_PEAK_KIB {line.split()[1]}\n")
    except OSError:
        pass

_atexit.register(_report_peak)
"""


def run_child(code: str, args: list[str], *, tree: Path) -> tuple[str, dict]:
    """Run ``code`` in a fresh Python with ``tree``'s package; return (its output, its resource use).

    The resource use is the child's own: ``peak_rss_gib`` (its peak resident memory, all threads:
    ``VmHWM`` where ``/proc`` has it, else ``ru_maxrss`` from ``os.wait4``), ``child_cpu_s`` (user
    + system, imports included) and ``child_wall_s``.
    """
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [PY, "-c", PEAK_PREAMBLE + code, *args], cwd=tree, env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    peaks = [line.split()[1] for line in stderr.splitlines() if line.startswith("BENCH_PEAK_KIB ")]
    stderr = "\n".join(
        line for line in stderr.splitlines() if not line.startswith("BENCH_PEAK_KIB")
    )
    if proc.returncode != 0:
        raise BenchError(
            f"child in {tree} failed (exit {proc.returncode}) on {' '.join(args)}:\n"
            + stderr.strip()[-3000:]
        )
    use = {
        "peak_rss_gib": _gib(int(peaks[-1]) if peaks else usage.ru_maxrss),
        "child_cpu_s": usage.ru_utime + usage.ru_stime,
        "child_wall_s": wall,
    }
    return stdout, use


def measure(tree: Path, data: Path) -> dict:
    """One cold cube build of ``data`` by the engine of ``tree``, in a fresh process."""
    stdout, use = run_child(CHILD, [str(data), json.dumps(HEADLINES)], tree=tree)
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"the cube child in {tree} printed no figures:\n{stdout[-2000:]}")
    figures = json.loads(lines[-1])
    expected = (tree / "src" / "helpers" / "__init__.py").resolve()
    if Path(figures["src"]).resolve() != expected:  # PYTHONPATH must beat the editable install
        raise BenchError(f"the child imported {figures['src']}, not {expected}")
    return {**figures, **use}


# ----------------------------------------------------------------------------------- data
def _marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / ".complete").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def demo_data(scale: int, folder: Path | None = None, *, make: bool = True) -> tuple[Path, dict]:
    """The folder of demo data at ``scale`` (default ``reports/bench-data/k<scale>``).

    It is generated by the current tree when it is absent or its marker names another seed, scale,
    range or generator version (and ``make`` is true); returns the folder and, if it was generated,
    the generation's wall seconds and peak memory.
    """
    folder = folder or BENCH_DATA / f"k{scale}"
    marker = _marker(folder)
    fits = (
        marker is not None
        and marker.get("scale") == scale
        and marker.get("seed") == demo.DEFAULT_SEED
        and marker.get("version") == demo.GENERATOR_VERSION
        and (marker.get("start"), marker.get("end")) == (demo.DEFAULT_START, demo.DEFAULT_END)
    )
    if fits:
        return folder, {}
    if not make:
        why = (
            "no .complete marker"
            if marker is None
            else f"its marker says scale {marker.get('scale')}"
        )
        raise FileNotFoundError(f"{folder}: no complete scale-{scale} demo data ({why})")
    print(f"generating the scale-{scale} demo data into {folder} …", flush=True)
    code = "import sys; from helpers.sources import demo; sys.exit(demo.main(sys.argv[1:]))"
    _, use = run_child(code, ["--out", str(folder), "--scale", str(scale), "--quiet"], tree=ROOT)
    return folder, {
        f"demo_generation_k{scale}_s": use["child_wall_s"],
        f"demo_generation_peak_k{scale}_gib": use["peak_rss_gib"],
    }


# ----------------------------------------------------------------------------------- trees
@contextmanager
def baseline_tree(rev: str) -> Iterator[tuple[Path, str]]:
    """A detached worktree of ``rev`` in a temporary folder, removed afterwards: (path, commit)."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        raise BenchError(f"--baseline-rev {rev!r}: no such commit in {ROOT}")
    commit = found.stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="ppw-baseline-"))
    tree = tmp / "tree"
    try:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
            check=True,
            capture_output=True,
            text=True,
        )
        yield tree, commit
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


def _current_commit() -> str:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
        capture_output=True,
        text=True,
    )
    return head.stdout.strip()[:12] + (" + uncommitted changes in src" if dirty.stdout else "")


# ----------------------------------------------------------------------------------- runs
def _summary(results: list[dict], prefix: str, k: int) -> dict:
    out = {
        f"{prefix}cube_cold_k{k}_s": statistics.median(r["wall_s"] for r in results),
        f"{prefix}cube_cold_cpu_k{k}_s": statistics.median(r["cpu_s"] for r in results),
        f"{prefix}cube_peak_k{k}_gib": max(r["peak_rss_gib"] for r in results),
        f"{prefix}cube_cold_k{k}_runs": [round(r["wall_s"], 3) for r in results],
        f"{prefix}cube_peak_k{k}_runs": [round(r["peak_rss_gib"], 3) for r in results],
        f"{prefix}cube_rows_k{k}": results[0]["cube_rows"],
    }
    for label, _, _ in HEADLINES:
        out[f"{prefix}{label}_k{k}"] = results[0][label]
    return out


def _agree(a: dict, b: dict) -> list[str]:
    """Headline figures (and cube rows) on which two runs differ."""
    keys = ["cube_rows"] + [label for label, _, _ in HEADLINES]
    return [key for key in keys if a.get(key) != b.get(key)]


def compare(
    scales: list[int],
    runs: int,
    baseline_rev: str | None,
    scale64_dir: Path = SCALE64_DIR,
    make_scale64: bool = False,
) -> dict:
    """Measure both engines at every scale ≤ 16 of ``scales`` and the current one at 64."""
    figures: dict = {
        "engine_current": _current_commit(),
        "engine_runs": runs,
        "engine_scales": list(scales),
    }
    small = [k for k in scales if k != 64]
    data = {}
    for k in small:
        data[k], cost = demo_data(k)
        figures.update(cost)
        rows = (_marker(data[k]) or {}).get("rows", {})
        figures[f"crimes_k{k}"] = rows.get("crimes")
        figures[f"incidents_k{k}"] = rows.get("incidents")
    with _maybe_baseline(baseline_rev, figures) as base:
        for k in small:
            mine, theirs = [], []
            for i in range(runs):
                if base is not None:
                    print(f"  K = {k}: previous engine, run {i + 1}/{runs}", flush=True)
                    theirs.append(measure(base, data[k]))
                print(f"  K = {k}: current engine, run {i + 1}/{runs}", flush=True)
                mine.append(measure(ROOT, data[k]))
            figures.update(_summary(mine, "", k))
            if theirs:
                figures.update(_summary(theirs, "baseline_", k))
                figures[f"engines_differ_k{k}"] = _agree(mine[0], theirs[0])
    for prefix in ("", "baseline_"):
        a, b = figures.get(f"{prefix}cube_cold_k1_s"), figures.get(f"{prefix}cube_cold_k16_s")
        if a and b:
            figures[f"{prefix}cube_cold_growth_k16_over_k1"] = b / a
    if 64 in scales:
        figures.update(_scale64(scale64_dir, make_scale64))
    return figures


@contextmanager
def _maybe_baseline(rev: str | None, figures: dict) -> Iterator[Path | None]:
    if not rev:
        figures["engine_baseline_note"] = "no --baseline-rev: the previous engine is not measured"
        yield None
        return
    with baseline_tree(rev) as (tree, commit):
        figures["engine_baseline_rev"] = rev
        figures["engine_baseline_commit"] = commit[:12]
        yield tree


def _scale64(folder: Path, make: bool) -> dict:
    folder = folder.resolve()
    try:
        folder, cost = demo_data(64, folder, make=make)
    except FileNotFoundError as exc:
        note = (
            f"scale 64 skipped: {exc}; generate it with --make-scale64 "
            f"(or python -m helpers.sources.demo --scale 64 --out {folder})"
        )
        print(note, flush=True)
        return {"scale64_note": note}
    marker = _marker(folder) or {}
    out = dict(cost)
    out["scale64_dir"] = str(folder)
    out["crimes_k64"] = marker.get("rows", {}).get("crimes")
    out["incidents_k64"] = marker.get("rows", {}).get("incidents")
    print("  K = 64: current engine (once)", flush=True)
    try:
        out.update(_summary([measure(ROOT, folder)], "", 64))
        out["scale64_completes"] = True
    except BenchError as exc:
        out["scale64_completes"] = False
        out["scale64_note"] = str(exc)[-1500:]
    return out


# ----------------------------------------------------------------------------------- table
def _fmt(value, spec: str = ".2f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def _check(value, target: float) -> str:
    if value is None:
        return ""
    return "ok" if value <= target else "MISSED"


def _row(figures: dict, prefix: str, k: int) -> str:
    cold = figures.get(f"{prefix}cube_cold_k{k}_s")
    cpu = figures.get(f"{prefix}cube_cold_cpu_k{k}_s")
    peak = figures.get(f"{prefix}cube_peak_k{k}_gib")
    return f"{_fmt(cold):>8} {_fmt(cpu):>8} {_fmt(peak):>8}"


def table(figures: dict) -> str:
    """The side-by-side table: previous and current engine, scale by scale, with the targets."""
    base = figures.get("engine_baseline_commit")
    lines = [
        "Cold cube build (read + validate + measures, no cache): median wall s, CPU s, peak RSS GiB",
        f"previous engine: {f'{base} (a worktree of it)' if base else 'not measured'}; "
        f"current: {figures.get('engine_current', '?')}",
        f"{'':8} {'crimes':>11} | {'previous':^26} | {'current':^26} | {'engines':13} | target",
        f"{'':8} {'':>11} | {'wall':>8} {'cpu':>8} {'peak':>8} | {'wall':>8} {'cpu':>8} {'peak':>8} |"
        f" {'':13} |",
    ]
    for k in figures.get("engine_scales", []):
        target = ""
        if k == 16:
            target = (
                f"cold ≤ 12 s {_check(figures.get('cube_cold_k16_s'), TARGETS['cold_k16_s'])}, "
                f"peak ≤ 2 GiB {_check(figures.get('cube_peak_k16_gib'), TARGETS['peak_k16_gib'])}"
            )
        elif k == 64:
            done = figures.get("scale64_completes")
            target = "completes " + {True: "ok", False: "MISSED", None: "(skipped)"}[done]
        differ = figures.get(f"engines_differ_k{k}")
        agree = "" if differ is None else ("same figures" if not differ else "DIFFER")
        lines.append(
            f"K = {k:<4} {_fmt(figures.get(f'crimes_k{k}'), ',d'):>11} | "
            f"{_row(figures, 'baseline_', k)} | {_row(figures, '', k)} | {agree:13} | {target}"
        )
        if differ:
            lines.append(f"         the engines differ on: {', '.join(differ)}")
    growth_b = figures.get("baseline_cube_cold_growth_k16_over_k1")
    growth_c = figures.get("cube_cold_growth_k16_over_k1")
    if growth_b or growth_c:
        lines.append(
            f"{'growth 16 / 1':20} | {_fmt(growth_b, '.1f', ' ×'):>8}{'':18} | "
            f"{_fmt(growth_c, '.1f', ' ×'):>8}{'':18} | {'':13} | "
            f"≤ 16 × {_check(growth_c, TARGETS['cold_growth_k16_over_k1'])}"
        )
    if "cube_cold_k64_s" in figures:
        all_crime = figures.get("all_crime_r12_k64")
        lines += [
            f"scale 64: {figures.get('crimes_k64') or 0:,} crimes, "
            f"{figures.get('incidents_k64') or 0:,} incidents; cold build "
            f"{figures['cube_cold_k64_s']:.1f} s (CPU {figures['cube_cold_cpu_k64_s']:.1f} s), "
            f"peak {figures['cube_peak_k64_gib']:.2f} GiB; "
            f"{figures.get('cube_rows_k64') or 0:,} cube rows",
            f"  all crime, 12 months to Sep 2016, force: "
            f"{_fmt(all_crime and all_crime[0], ',.0f')} "
            f"(calibrated: 64 × {ALL_CRIME_R12_K1:,} = {64 * ALL_CRIME_R12_K1:,})",
        ]
        for label, _, _ in HEADLINES[1:]:
            lines.append(f"  {label} (numerator, denominator): {figures.get(f'{label}_k64')}")
    if "scale64_note" in figures:
        lines.append(figures["scale64_note"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, print the table and write ``reports/bench_engine.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rev", help="the previous engine's git revision (e.g. 1a77661)")
    parser.add_argument("--scales", default=",".join(map(str, SCALES)), help="comma-separated K")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine and scale ≤ 16")
    parser.add_argument("--scale64-dir", type=Path, default=SCALE64_DIR, help="scale-64 data")
    parser.add_argument("--make-scale64", action="store_true", help="generate it if absent")
    args = parser.parse_args(argv)
    scales = [int(k) for k in args.scales.split(",") if k]
    try:
        figures = compare(scales, args.runs, args.baseline_rev, args.scale64_dir, args.make_scale64)
    except BenchError as exc:
        raise SystemExit(f"bench_engine: {exc}") from None
    print(table(figures))
    out = ROOT / "reports" / "bench_engine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
