"""Run the monthly pack: execute the notebooks for a month and publish self-contained HTML.

    python -m helpers.pack --month 2016-09 [--period rolling-12m] [--data data/demo] [--jobs 2]

The options are :func:`helpers.pack.cli.parse_args`; this module checks them and runs the steps.

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
6. write ``tables.csv``, ``pack.pdf`` (every page in one numbered PDF, :mod:`helpers.pack.pdf`;
   not with ``--no-pdf``, nor without Chromium: then one line says so), ``run.json`` (the record
   of the run) and the marker ``.ppw-pack``;
7. fingerprint the data folder again: if it changed during the run the pack still shows the
   snapshot (consistent, as of the start), with a warning in the log and in ``run.json``;
8. publish atomically (below). A failed run leaves the published pack untouched and keeps the
   partly executed notebooks under ``<out>/failed/`` (record values from the data withheld).

The output folder is replaced only if a pack wrote it (:mod:`helpers.pack.output`).

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
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat
import pandas as pd

from ..config import (
    DEMO_DATA_DIR,
    NOTEBOOKS_DIR,
    PROJECT_ROOT,
    REPORTS_DIR,
    ConfigError,
    display_path,
    resolve_path,
)
from ..periods import PeriodError, check_period, parse_month
from ..profile import load_profile, profile_for
from .cli import parse_args
from .errors import (
    EXIT_DATA_VALIDATION,
    EXIT_INTERNAL,
    EXIT_INVALID_PARAMETERS,
    EXIT_NOTEBOOK_FAILED,
    EXIT_OK,
    ExportError,
    InvalidParameters,
    PackError,
    log,
    one_line,
)
from .execute import WITHHELD, Result, execute_notebook
from .export import (
    PACK_BUDGET,  # noqa: F401 - the page budgets, re-exported as before the split
    PAGE_BUDGET,  # noqa: F401 - likewise
    export_html,
    page_shell,
)
from .months import check_month_in_data, crimes_months, cube_months
from .notebook_copy import commander_copy
from .output import check_output_folder, protected_folders
from .pdf import pack_pdf
from .plan import Notebook, Run, discover_notebooks
from .previous import longest_first, pages_to_carry
from .progress import Progress, _size, report_sizes
from .publish import (  # exits 5 (busy) and 6 (output unwritable) come with publishing
    EXIT_BUSY,  # noqa: F401 - one of the pack's exit codes, re-exported beside the others
    EXIT_OUTPUT_UNWRITABLE,  # noqa: F401 - likewise
    OUTPUT_ERRNOS,
    OutputError,
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
    extract_names,
    keep_failed,
    load_report,
    page_settings,
    run_record,
    settings_changes,
)

# --------------------------------------------------------------------------------------------------
# Hooks on the core layer, kept as module functions so that tests can stand in a small cube.


def load_cube(data_dir: Path, *, profile=None):
    """Build (or load from ``<data>/.cache``) the measure cube for ``data_dir`` and the force's
    ``profile`` (checked to fit it: ``helpers.measures.cube.ProfileMismatch``)."""
    from ..measures.cube import load_cube as _load_cube

    return _load_cube(data_dir, profile=profile)


def tables_csv(cube, month: str, period: str) -> pd.DataFrame:
    """Every measure × geography of the pack as one table (``helpers.analysis.performance.tables_csv``)."""
    from ..analysis.performance import tables_csv as _tables_csv

    return _tables_csv(cube, month, period)


def commentary_warnings(cube, profile, month: str, period: str) -> list[str]:
    """Commentary sentences that contradict the figures (``helpers.pages.commentary_check``)."""
    from ..pages.commentary_check import commentary_warnings as _warnings

    return _warnings(profile.commentary_dir, cube, month, period)


# --------------------------------------------------------------------------------------------------
# Parameters: the options (:mod:`helpers.pack.cli`) checked before anything runs


def check_configuration(profile: Path) -> None:
    """Load the force's profile and the measure catalog now, so an error stops the run early.

    Raises
    ------
    InvalidParameters
        The profile (its folder, ``force.yaml``, ``districts.csv``, ``msg_forces.csv``) or the
        catalog is missing, not valid YAML or CSV, or has an unknown, missing or mistyped key or
        column (the message, from :mod:`helpers.profile` / :mod:`helpers.contract.catalog`, names
        the file and the key, column or line). Never replaced by the demo force's.
    """
    from ..contract.catalog import CatalogError, load_catalog

    try:
        load_profile(profile)
        load_catalog()
    except (ConfigError, CatalogError) as exc:
        raise InvalidParameters(f"configuration: {one_line(str(exc))}") from None


def check_commentary(profile: Path, month: str) -> None:
    """Check the placeholders of the month's commentary files now (no figures needed).

    Raises :class:`InvalidParameters` naming each file, line and the nearest known names
    (:func:`helpers.pages.commentary_fill.check_month`).
    """
    from ..pages.commentary_fill import CommentaryError, check_month

    try:
        check_month(load_profile(profile).commentary_dir, month)
    except CommentaryError as exc:
        raise InvalidParameters(f"commentary: {exc}") from None


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
    profile = profile_for(data_dir, args.profile).resolve()
    check_output_folder(out, protected_folders(data_dir, notebooks_dir, profile))
    check_configuration(profile)
    check_commentary(profile, str(month))
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
        profile=profile,
        pdf=not args.no_pdf,
    )


# --------------------------------------------------------------------------------------------------
# The run


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
                copy = commander_copy(output.read_text(encoding="utf-8"))  # trust not needed
                output.write_text(scrub(copy), encoding="utf-8")
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
    from ..measures.cube import ProfileMismatch
    from ..sources.loading import DataValidationError

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    profile = load_profile(run.profile)
    config = profile.force
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
    settings = page_settings(run.month, profile)
    carry, run.carried = pages_to_carry(run, fingerprint, settings)
    run.pages = sorted([*run.notebooks, *carry], key=lambda nb: nb.name)
    log(
        f"pack {run.month} {run.period}: data {display_path(run.data_dir)}, profile "
        f"{profile.name} ({config.force_name}), {len(run.notebooks)} notebooks, {run.jobs} at once"
    )
    try:
        cube = load_cube(run.data_dir, profile=profile)
    except (DataValidationError, ProfileMismatch) as exc:
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
    commentary = commentary_warnings(cube, profile, run.month, run.period)
    for warning in commentary:  # a sentence saying what the figures do not: warned, not stopped
        log(f"commentary: {warning}")

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
                commentary=commentary,
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
    commentary: list[str],
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

    def record(status: str, loaded, pdf_written: dict | None = None) -> dict:
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
            commentary_warnings=commentary,
            pdf=pdf_written,
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

    changes = settings_changes(settings, page_settings(run.month, load_profile(run.profile)))
    if changes:  # the kernels may have read either: pages with and without [c] side by side
        raise InvalidParameters(
            f"the settings changed during the run: {'; '.join(changes)}; nothing was published, "
            "run the pack again"
        )
    table, timings["tables_csv"] = tables_future.result()
    table.to_csv(staging / "tables.csv", index=False)
    warnings += report_sizes(results)
    for nb in carry:  # unchanged pages of the same month, period, data and settings
        shutil.copy2(run.out / nb.page, staging / nb.page)
        shutil.copy2(run.out / "notebooks" / nb.name, staging / "notebooks" / nb.name)
    # Every page is in staging now: pack.pdf is published with them, in the same swap.
    printed = pack_pdf(staging, run, config=config, data_to=cube.data_to, enabled=run.pdf)
    timings.update({"pdf": printed.seconds} if run.pdf else {})
    warnings += [printed.warning] if printed.warning else []
    timings["total"] = time.perf_counter() - t0
    value = record("ok", loaded_future.result(), printed.record())
    value["warnings"] = warnings
    text = scrub(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"
    (staging / "run.json").write_text(text, encoding="utf-8")
    write_marker(staging, run.month)
    # Checked again just before replacing it: the folder may have been filled since the start.
    check_output_folder(run.out, protected_folders(run.data_dir, run.notebooks_dir, run.profile))
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
