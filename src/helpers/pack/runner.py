"""Run the monthly pack: execute the notebooks for a month and publish self-contained HTML.

    python -m helpers.pack --month 2016-09 [--period rolling-12m] [--data data/demo] [--jobs 2]

Steps (``main`` reads like this list):

1. check the parameters (month, period, data folder, notebooks, the force configuration and the
   output folder) before any notebook starts;
2. take the output folder's lock and clean up after a run that was killed (see *Publishing*);
3. build the measure cube once (cached under ``<data>/.cache``): the run's data snapshot. Every
   notebook loads exactly that cube by its fingerprint (the ``data_fingerprint`` parameter) and
   never reads the extracts again, so a data folder changed during the run cannot mix two
   versions of the data in one pack; the load report and ``tables.csv`` come from it too;
4. execute the master and area notebooks with papermill, several at once, one kernel per thread;
5. export each executed notebook to HTML without code, inside a page shell with the force name,
   month, period, "Data to", the protective marking and navigation; no request to any other host;
6. write ``tables.csv``, ``run.json`` (the record of the run) and the marker ``.ppw-pack``;
7. fingerprint the data folder again: if it changed during the run the pack still shows the
   snapshot (consistent, as of the start), with a warning in the log and in ``run.json``;
8. publish atomically (below). A failed run leaves the published pack untouched and keeps the
   partly executed notebooks under ``<out>/failed/`` (record values from the data withheld).

The output folder
-----------------
``--out`` (default ``reports/<month>``) is replaced only if it is absent, empty, or a pack: it holds
the marker ``.ppw-pack`` (``{"tool": "helpers.pack", "month": …}``), or — a pack published before
markers existed — only the files a pack writes and a ``run.json`` that is a pack's run record.
Never the data folder, the project folder, ``notebooks/``, ``params/``, ``src/``, ``reports/``
itself, anything holding ``.git``, or a parent of any of them: those are refused with exit 2.

Publishing
----------
Everything is written to ``<parent>/.staging-<name>-<pid>/`` and swapped with ``<parent>/<name>/``
in one step where the operating system can (Linux ``renameat2(RENAME_EXCHANGE)``): there is no
moment without a published pack. Elsewhere the old pack is renamed aside and the new one renamed
in. Before the swap a journal ``<parent>/.ppw-publish-<name>.json`` names the folders involved;
the next run (holding the folder's lock) restores the old pack if a kill left no published one,
and deletes staging folders, swapped-out packs and the journal a killed run left.

Exit codes: 0 ok · 1 a notebook failed · 2 invalid parameters or configuration · 3 data validation
error · 4 internal or export error · 5 the output folder is busy (another run) · 6 the output
folder cannot be written (permission, read-only, disk full).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pandas as pd

from ..config import (
    DEMO_DATA_DIR,
    NOTEBOOKS_DIR,
    PARAMS_DIR,
    PROJECT_ROOT,
    REPORTS_DIR,
    ConfigError,
    display_path,
    force_config,
    resolve_path,
)
from ..periods import PERIODS, PeriodError, as_month, check_period, parse_month
from .errors import log, one_line
from .export import PACK_BUDGET, PAGE_BUDGET
from .plan import Run
from .record import extract_names

if TYPE_CHECKING:  # the cube is imported when it is loaded (the command line starts faster)
    from ..measures.cube import Cube

from .errors import (
    EXIT_CODES_HELP,
    EXIT_DATA_VALIDATION,
    EXIT_INTERNAL,
    EXIT_INVALID_PARAMETERS,
    EXIT_NOTEBOOK_FAILED,
    EXIT_OK,
    ExportError,
    InvalidParameters,
    PackError,
)
from .execute import DEFAULT_TIMEOUT, WITHHELD, Result, execute_notebook
from .export import export_html, page_shell
from .plan import Notebook, discover_notebooks
from .publish import (  # exits 5 (busy) and 6 (output unwritable) come with publishing
    EXIT_BUSY,  # noqa: F401 - one of the pack's exit codes, re-exported beside the others
    EXIT_OUTPUT_UNWRITABLE,  # noqa: F401 - likewise
    OUTPUT_ERRNOS,
    PACK_MARKER,
    OutputError,
    is_pack_folder,
    output_lock,
    publish,
    recover_interrupted_publish,
    staging_folder,
    write_marker,
    writing_to,
)
from .record import (
    Scrubber,
    data_fingerprint,
    keep_failed,
    load_report,
    page_settings,
    run_record,
    settings_changes,
)

# --------------------------------------------------------------------------------------------------
# Hooks on the core layer, kept as module functions so that tests can stand in a small cube.


def load_cube(data_dir: Path):
    """Build (or load from ``<data>/.cache``) the measure cube for ``data_dir``."""
    from ..measures.cube import load_cube as _load_cube

    return _load_cube(data_dir)


def tables_csv(cube, month: str, period: str) -> pd.DataFrame:
    """Every measure × geography of the pack as one table (``helpers.analysis.performance.tables_csv``)."""
    from ..analysis.performance import tables_csv as _tables_csv

    return _tables_csv(cube, month, period)


# --------------------------------------------------------------------------------------------------
# Parameters
def crimes_months(data_dir: Path) -> tuple[pd.Period, pd.Period] | None:
    """First and last month of the crimes extract, read cheaply (one column); None if unknown.

    A file that cannot be read here is left to the cube's validation, which explains what is wrong.
    """
    from ..contract.extracts import EXTRACTS
    from ..sources.loading import extract_path

    path = extract_path(data_dir, "crimes")
    column = EXTRACTS["crimes"].date_column
    if path is None or column is None:
        return None
    try:
        if path.suffix == ".parquet":
            values = pd.read_parquet(path, columns=[column])[column]
        else:
            values = pd.read_csv(path, usecols=[column])[column]
        dates = pd.to_datetime(values, errors="coerce", format="ISO8601").dropna()
    except Exception:
        return None
    if dates.empty:
        return None
    return dates.min().to_period("M"), dates.max().to_period("M")


def cube_months(cube: Cube) -> tuple[pd.Period, pd.Period] | None:
    """First and last month the cube has data for (its coverage); None if it has none."""
    months = sorted({m for m in map(as_month, cube.coverage["month"]) if m is not None})
    return (months[0], months[-1]) if months else None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.pack",
        description="Execute the pack's notebooks for a month and publish self-contained HTML "
        "(index.html, one page per area, tables.csv, run.json) to reports/<month>/.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--month", required=True, help="report month, YYYY-MM (e.g. 2016-09)")
    parser.add_argument(
        "--period",
        default="rolling-12m",
        help=f"reporting window: {' | '.join(PERIODS)} (default rolling-12m)",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="extract folder, relative to the project root or absolute (default data/demo)",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="folder the pack is published to (default reports/<month>); replaced atomically",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks executed at once, one kernel each (default: the number of CPUs)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds any one cell of a notebook may run before the notebook fails "
        f"(papermill execution_timeout; default {DEFAULT_TIMEOUT})",
    )
    parser.add_argument(
        "--notebooks",
        default=None,
        help="comma-separated notebook numbers to run, e.g. 00,06 (default: all). The other pages "
        "are kept from the published pack, which must have been made for the same month, period "
        "and data (else exit 2); with no published pack the new one holds only these pages",
    )
    parser.add_argument(
        "--notebooks-dir",
        default=None,
        help="folder holding the notebooks (default notebooks/)",
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------------------------------
# The output folder: a pack replaces only what a pack wrote


def protected_folders(data_dir: Path, notebooks_dir: Path) -> dict[Path, str]:
    """Folders a pack never replaces, nor any of their parents, with what each is."""
    return {
        data_dir: "the data folder",
        PROJECT_ROOT: "the project folder",
        NOTEBOOKS_DIR: "the notebooks folder",
        notebooks_dir: "the notebooks folder",
        PARAMS_DIR: "the params folder",
        PROJECT_ROOT / "src": "the source folder",
        REPORTS_DIR: "the reports folder (it holds every month's pack)",
    }


def check_output_folder(out: Path, protected: dict[Path, str]) -> None:
    """Refuse an ``--out`` that publishing could destroy (see the module docstring).

    Raises
    ------
    InvalidParameters
        ``out`` is (or is a parent of) a protected folder, holds ``.git``, is a file, or holds files
        a pack did not write. The message names the folder and why.
    """
    shown = display_path(out)
    for folder, what in protected.items():
        folder = Path(folder).resolve()
        if out == folder or out in folder.parents:
            holds = "is" if out == folder else "holds"
            raise InvalidParameters(
                f"--out {shown} {holds} {what} ({display_path(folder)}): publishing would "
                "replace it; choose a folder of its own, e.g. reports/<month>"
            )
    if ".git" in out.parts:
        raise InvalidParameters(f"--out {shown} is inside a git repository's .git folder")
    if not out.exists():
        return
    if not out.is_dir():
        raise InvalidParameters(f"--out {shown} is a file, not a folder")
    if (out / ".git").exists():
        raise InvalidParameters(f"--out {shown} holds a git repository (.git): never replaced")
    if is_pack_folder(out):
        return
    names = sorted(p.name for p in out.iterdir())
    if names:
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        raise InvalidParameters(
            f"--out {shown} holds files a pack did not write ({', '.join(names[:5])}{more}); "
            f"a pack replaces only an empty folder or one a pack wrote (it holds {PACK_MARKER}): "
            "choose another --out"
        )


def check_configuration() -> None:
    """Load the force configuration and the measure catalog now, so an error stops the run early.

    Raises
    ------
    InvalidParameters
        ``params/force.yaml`` or the catalog is missing, not valid YAML, or has an unknown or
        mistyped key (the message, from :mod:`helpers.config` / :mod:`helpers.contract.catalog`, names the
        file and the key or line).
    """
    from ..contract.catalog import CatalogError, load_catalog

    try:
        force_config()
        load_catalog()
    except (ConfigError, CatalogError) as exc:
        raise InvalidParameters(f"configuration: {one_line(str(exc))}") from None


def check_parameters(args: argparse.Namespace) -> Run:
    """Check everything that can be checked without the cube; raise :class:`InvalidParameters`."""
    try:
        month = parse_month(args.month)
        if str(month) != args.month.strip():
            raise PeriodError(
                f"month {args.month!r} is not of the form YYYY-MM (for example 2016-09)"
            )
        check_period(args.period)
    except PeriodError as exc:
        raise InvalidParameters(str(exc)) from None
    data_dir = resolve_path(args.data, DEMO_DATA_DIR).resolve()
    if not data_dir.is_dir():
        raise InvalidParameters(f"data folder {display_path(data_dir)} does not exist")
    if not extract_names(data_dir):
        from ..contract.extracts import EXTRACTS

        raise InvalidParameters(
            f"data folder {display_path(data_dir)} holds no extract; expected files such as "
            + ", ".join(f"{n}.parquet" for n in list(EXTRACTS)[:4])
            + " … (see data/README.md)"
        )
    if args.jobs < 1:
        raise InvalidParameters(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout < 1:
        raise InvalidParameters(f"--timeout must be at least 1 second, got {args.timeout}")
    notebooks_dir = resolve_path(args.notebooks_dir, NOTEBOOKS_DIR).resolve()
    only = args.notebooks.split(",") if args.notebooks else None
    all_notebooks = discover_notebooks(notebooks_dir)
    notebooks = discover_notebooks(notebooks_dir, only)
    out = resolve_path(args.out, REPORTS_DIR / str(month)).resolve()
    check_output_folder(out, protected_folders(data_dir, notebooks_dir))
    check_configuration()
    return Run(
        month=str(month),
        period=args.period,
        data_dir=data_dir,
        out=out,
        jobs=args.jobs,
        timeout=args.timeout,
        notebooks=notebooks,
        notebooks_dir=notebooks_dir,
        all_notebooks=all_notebooks,
        pages=list(notebooks),
    )


def check_month_in_data(month: str, months: tuple[pd.Period, pd.Period] | None) -> None:
    """Refuse a month outside the data, naming the months that are valid."""
    if months is None:
        return
    first, last = months
    m = parse_month(month)
    if not first <= m <= last:
        raise InvalidParameters(f"month {month} is outside the data ({first} … {last})")


# --------------------------------------------------------------------------------------------------
# Progress: a bar on a terminal, plain lines (no timestamps; cron adds its own) otherwise.


class Progress:
    """Report progress on stderr: tqdm when stderr is a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._bar = None
        if total and hasattr(self.stream, "isatty") and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="notebook", file=self.stream, leave=False)

    def log(self, message: str) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.write(message, file=self.stream)
            else:
                print(message, file=self.stream, flush=True)

    def step(self, message: str) -> None:
        with self._lock:
            self.done += 1
            line = f"[{self.done}/{self.total}] {message}"
            if self._bar is not None:
                self._bar.write(line, file=self.stream)
                self._bar.update(1)
            else:
                print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# --------------------------------------------------------------------------------------------------
# The run


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.2f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"


def pages_to_carry(
    run: Run, fingerprint: str, settings: dict | None = None
) -> tuple[list[Notebook], list[dict]]:
    """The pages a ``--notebooks`` run keeps from the published pack, and their run.json entries.

    Only from a pack of the same month, period and data (fingerprint), made with the same
    settings (:func:`page_settings`: force configuration, commentary, catalog, helpers version):
    a page made from other data, or before ``suppress_below`` was set, would sit beside the new
    ones as if current. With no published pack there is nothing to keep and the new pack holds
    only the notebooks run.

    Raises
    ------
    InvalidParameters
        A pack is published at ``run.out`` but from another month, period or data, or with other
        settings (the message names what changed): updating some of its pages would mix two runs,
        and replacing it would lose the others.
    """
    wanted = {nb.name for nb in run.notebooks}
    if wanted >= {nb.name for nb in run.all_notebooks}:
        return [], []
    if not (run.out / "run.json").is_file():
        log(f"publishing only {', '.join(sorted(wanted))}: no published pack to update")
        return [], []
    try:
        record = json.loads((run.out / "run.json").read_text(encoding="utf-8"))
        same = (
            record["status"] == "ok"
            and record["parameters"]["month"] == run.month
            and record["parameters"]["period"] == run.period
            and record["data"]["fingerprint"] == fingerprint
        )
        previous = {n["notebook"]: n for n in record["notebooks"] if n.get("page")}
    except (OSError, ValueError, KeyError, TypeError):
        same, previous = False, {}
    numbers = ",".join(nb.prefix for nb in run.notebooks)
    if not same:
        raise InvalidParameters(
            f"--notebooks {numbers}: the pack published in "
            f"{display_path(run.out)}/ was made from another month, period or data, so its other "
            "pages cannot be kept; run the whole pack, or choose another --out"
        )
    settings = settings if settings is not None else page_settings(run.month, force_config())
    recorded = record.get("settings")
    changes = (
        settings_changes(recorded, settings)
        if isinstance(recorded, dict)
        else ["not recorded (the pack was made by an older version)"]
    )
    if changes:
        raise InvalidParameters(
            f"--notebooks {numbers}: the settings of the pack published in "
            f"{display_path(run.out)}/ differ: {'; '.join(changes)}; its other pages would not "
            "show the change, so they cannot be kept: run the whole pack"
        )
    carry = [
        nb
        for nb in run.all_notebooks
        if nb.name not in wanted
        and nb.name in previous
        and (run.out / nb.page).is_file()
        and (run.out / "notebooks" / nb.name).is_file()
    ]
    entries = [
        {**previous[nb.name], "status": "carried over from the previous run"} for nb in carry
    ]
    return carry, entries


def longest_first(notebooks: list[Notebook], out: Path) -> list[Notebook]:
    """Order notebooks by their time in the last published run, longest first.

    With fewer workers than notebooks, starting the long ones first keeps a long notebook from
    running alone at the end (the order of the pages is not affected).
    """
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        seconds = {n["notebook"]: float(n["seconds"]) for n in record["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return list(notebooks)
    return sorted(notebooks, key=lambda nb: -seconds.get(nb.name, 0.0))


def execute_all(
    run: Run,
    staging: Path,
    *,
    cube,
    force_name: str,
    marking: str,
    scrub: Scrubber,
    use_ipc: bool = os.name == "posix",
) -> list[Result]:
    """Execute every notebook (``run.jobs`` at once) and export each successful one to HTML."""
    import tempfile

    (staging / "notebooks").mkdir(parents=True, exist_ok=True)
    progress = Progress(len(run.notebooks))
    data_to = cube.data_to
    # Kernel sockets live in a short private folder (a Unix socket path must be under ~100 bytes).
    ipc_dir = Path(tempfile.mkdtemp(prefix="ppw-"))

    def one(nb: Notebook) -> Result:
        output = staging / "notebooks" / nb.name
        result = execute_notebook(
            nb,
            output,
            run.parameters,
            timeout=run.timeout,
            cwd=run.notebooks_dir,
            ipc_prefix=ipc_dir / f"k{nb.prefix}" if use_ipc else None,
            on_retry=progress.log,
        )
        if result.failure is None:
            try:
                executed = nbformat.read(output, as_version=4)
                page, result.dropped_stderr = export_html(
                    executed,
                    page_shell(run, nb, force_name=force_name, marking=marking, data_to=data_to),
                )
                page = scrub(page)
                (staging / nb.page).write_text(page, encoding="utf-8")
                result.page_bytes = len(page.encode("utf-8"))
                output.write_text(scrub(output.read_text(encoding="utf-8")), encoding="utf-8")
            except ExportError as exc:
                result.export_error = str(exc)
            except Exception as exc:
                if isinstance(exc, OSError) and exc.errno in OUTPUT_ERRNOS:
                    raise  # the page cannot be written: the output folder's problem (exit 6)
                result.export_error = f"{nb.name}: export failed: {type(exc).__name__}: {exc}"
                progress.log(traceback.format_exc())
        if result.failure is not None:
            status = f"FAILED ({result.seconds:.1f} s)"
        elif result.export_error is not None:
            status = "EXPORT FAILED"
        else:
            status = f"ok ({result.seconds:.1f} s, {_size(result.page_bytes or 0)})"
        progress.step(f"{nb.name} {status}")
        return result

    results: dict[str, Result] = {}
    try:
        with ThreadPoolExecutor(max_workers=min(run.jobs, len(run.notebooks))) as pool:
            futures = {pool.submit(one, nb): nb for nb in longest_first(run.notebooks, run.out)}
            for future in as_completed(futures):
                results[futures[future].name] = future.result()
    finally:
        progress.close()
        shutil.rmtree(ipc_dir, ignore_errors=True)
    return [results[nb.name] for nb in run.notebooks]


def report_sizes(results: list[Result]) -> list[str]:
    """Print each page's size; return warnings for pages over budget."""
    warnings = []
    for r in results:
        if r.page_bytes is None:
            continue
        budget = PAGE_BUDGET[r.notebook.kind]
        log(f"  {r.notebook.page:<40} {_size(r.page_bytes):>9}  (budget {_size(budget)})")
        if r.page_bytes > budget:
            warnings.append(
                f"warning: {r.notebook.page} is {_size(r.page_bytes)}, over the "
                f"{_size(budget)} budget for an {r.notebook.kind} page"
            )
    total = sum(r.page_bytes or 0 for r in results)
    log(f"  {'all pages':<40} {_size(total):>9}  (budget {_size(PACK_BUDGET)})")
    if total > PACK_BUDGET:
        warnings.append(
            f"warning: the pages total {_size(total)}, over the {_size(PACK_BUDGET)} budget "
            "for sending the pack as one e-mail"
        )
    for w in warnings:
        log(w)
    return warnings


def _timed(fn, *args):
    start = time.perf_counter()
    return fn(*args), time.perf_counter() - start


def _result_or_none(future):
    try:
        return future.result()
    except Exception:
        return None


def _withhold_load_errors(loaded):
    """A load report whose ``errors`` quote rows (a re-validated folder) keeps only their count."""
    if isinstance(loaded, dict) and loaded.get("errors"):
        loaded = {**loaded, "errors": [f"{len(loaded['errors'])} error(s): {WITHHELD}"]}
    return loaded


def build_pack(run: Run) -> int:
    """Build the cube, run the notebooks, export and publish; return the exit code.

    Call it holding the output folder's lock (:func:`main` does).
    """
    from ..sources.loading import DataValidationError

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    config = force_config()
    scrub = Scrubber()
    scrub.add(run.data_dir, display_path(run.data_dir))
    scrub.add(run.notebooks_dir, "notebooks")
    scrub.add(run.out, run.out.name)
    # Tracebacks and warnings name the helpers' files and the Python installation.
    scrub.add(PROJECT_ROOT, ".")
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        if len(prefix) >= 8:  # a short prefix such as /usr could occur by chance in base64 data
            scrub.add(Path(prefix), "<python>")

    with writing_to(run.out):
        for line in recover_interrupted_publish(run.out):
            log(line)
    # Refuse a month outside the crimes extract before the (slower) cube build.
    months = crimes_months(run.data_dir)
    check_month_in_data(run.month, months)
    fingerprint = data_fingerprint(run.data_dir, extract_names(run.data_dir))
    settings = page_settings(run.month, config)
    carry, run.carried = pages_to_carry(run, fingerprint, settings)
    run.pages = sorted([*run.notebooks, *carry], key=lambda nb: nb.name)
    log(
        f"pack {run.month} {run.period}: data {display_path(run.data_dir)}, "
        f"{len(run.notebooks)} notebooks, {run.jobs} at once"
    )
    try:
        cube = load_cube(run.data_dir)
    except DataValidationError as exc:
        log(f"data validation error: {scrub(str(exc))}")
        return EXIT_DATA_VALIDATION
    # The run's snapshot: the notebooks load this cube by its fingerprint, never the extracts.
    run.data_fingerprint = cube.fingerprint
    timings["cube"] = time.perf_counter() - t0
    if cube.extracts_report is not None:  # what moves figures without stopping the run
        for warning in cube.extracts_report.warnings():
            log(f"data: {scrub(warning)}")
    if months is None:  # no crimes extract: the cube's own coverage says which months exist
        check_month_in_data(run.month, cube_months(cube))

    # The load report and tables.csv need only the cube: work them out while the kernels run.
    side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-records")
    loaded_future = side.submit(load_report, cube, run.data_dir, run.month)
    tables_future = side.submit(_timed, tables_csv, cube, run.month, run.period)
    side.shutdown(wait=False)

    staging = staging_folder(run.out)
    scrub.add(staging, run.out.name)
    try:
        with writing_to(run.out):
            staging.mkdir(parents=True)
            return _execute_and_publish(
                run,
                staging,
                cube=cube,
                config=config,
                scrub=scrub,
                carry=carry,
                fingerprint=fingerprint,
                settings=settings,
                loaded_future=loaded_future,
                tables_future=tables_future,
                timings=timings,
                t0=t0,
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _execute_and_publish(
    run: Run,
    staging: Path,
    *,
    cube,
    config,
    scrub: Scrubber,
    carry: list[Notebook],
    fingerprint: str,
    settings: dict,
    loaded_future,
    tables_future,
    timings: dict[str, float],
    t0: float,
) -> int:
    """Steps 4–8 of the module docstring, into ``staging`` then to ``run.out``; the exit code."""
    t1 = time.perf_counter()
    results = execute_all(
        run,
        staging,
        cube=cube,
        force_name=config.force_name,
        marking=config.protective_marking,
        scrub=scrub,
    )
    timings["notebooks"] = time.perf_counter() - t1
    # The cube (the snapshot) is what every page shows; say so if the folder moved on meanwhile.
    changed = data_fingerprint(run.data_dir, extract_names(run.data_dir)) != fingerprint
    warnings = []
    if changed:
        warnings.append(
            f"warning: the data folder {display_path(run.data_dir)} changed during the run; "
            "every page and tables.csv show the data as read at the start (fingerprint "
            f"{fingerprint[:12]}…): run the pack again to publish the new data"
        )
        log(warnings[-1])

    def record(status: str, loaded) -> dict:
        if changed and cube.extracts_report is None:
            loaded = None  # made from the folder, which is no longer the snapshot's data
        value = run_record(
            run,
            cube=cube,
            results=results,
            timings=timings,
            status=status,
            fingerprint=fingerprint,
            loaded=_withhold_load_errors(loaded),
            settings=settings,
            config=config,
        )
        value["data"]["changed_during_run"] = changed
        return value

    failures = [r for r in results if r.failure is not None]
    if failures:
        timings["total"] = time.perf_counter() - t0
        value = record("failed", _result_or_none(loaded_future))
        value["warnings"] = warnings
        failed_dir = keep_failed(run.out, results, scrub, json.loads(scrub(json.dumps(value))))
        for r in failures:
            log(f"error: {scrub(r.failure.describe())}")
        shown = display_path(run.out)
        log(
            f"the partly executed notebook(s) are in {shown}/{failed_dir.name}/; "
            f"the published pack in {shown}/ (if any) was not changed"
        )
        return EXIT_NOTEBOOK_FAILED
    export_errors = [r.export_error for r in results if r.export_error]
    if export_errors:
        for e in export_errors:
            log(f"export error: {scrub(e)}")
        return EXIT_INTERNAL

    changes = settings_changes(settings, page_settings(run.month, force_config()))
    if changes:  # the kernels may have read either: pages with and without [c] side by side
        raise InvalidParameters(
            f"the settings changed during the run: {'; '.join(changes)}; nothing was published, "
            "run the pack again"
        )
    table, timings["tables_csv"] = tables_future.result()
    table.to_csv(staging / "tables.csv", index=False)
    warnings += report_sizes(results)
    timings["total"] = time.perf_counter() - t0
    for nb in carry:  # unchanged pages of the same month, period, data and settings
        shutil.copy2(run.out / nb.page, staging / nb.page)
        shutil.copy2(run.out / "notebooks" / nb.name, staging / "notebooks" / nb.name)
    value = record("ok", loaded_future.result())
    value["warnings"] = warnings
    text = scrub(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"
    (staging / "run.json").write_text(text, encoding="utf-8")
    write_marker(staging, run.month)
    # Checked again just before replacing it: the folder may have been filled since the start.
    check_output_folder(run.out, protected_folders(run.data_dir, run.notebooks_dir))
    publish(staging, run.out)
    log(
        f"published {display_path(run.out)}/ ({len(run.pages)} pages"
        + (f", {len(carry)} carried over" if carry else "")
        + f") in {timings['total']:.1f} s"
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the pack from the command line; return the exit code (see ``--help``).

    Every expected failure is one line on stderr and its exit code; a traceback is printed only
    for a bug (exit 4).
    """
    args = parse_args(argv)
    try:
        run = check_parameters(args)
        with contextlib.ExitStack() as held:
            with writing_to(run.out):  # the lock file is the first thing written
                held.enter_context(output_lock(run.out))
            return build_pack(run)
    except (PackError, OutputError) as exc:
        log(f"error: {exc}")
        return exc.exit_code
    except ConfigError as exc:  # read first in check_parameters; here if it changes meanwhile
        log(f"error: configuration: {one_line(str(exc))}")
        return EXIT_INVALID_PARAMETERS
    except Exception as exc:
        traceback.print_exc()
        log(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
