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
import base64
import contextlib
import dataclasses
import functools
import hashlib
import html as _html
import importlib.metadata
import json
import os
import re
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pandas as pd

from .. import __version__
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
from ..periods import PERIOD_LABELS, PERIODS, PeriodError, check_period, month_label, parse_month

if TYPE_CHECKING:  # the cube is imported when it is loaded (the command line starts faster)
    from ..measures.cube import Cube

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

EXIT_OK = 0
EXIT_NOTEBOOK_FAILED = 1
EXIT_INVALID_PARAMETERS = 2
EXIT_DATA_VALIDATION = 3
EXIT_INTERNAL = 4

#: Notebooks of the pack: ``00_master.ipynb`` (the index page) and ``01_…`` … ``08_…``.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
MASTER_PREFIX = "00"
KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 600
#: Page size budgets in bytes. A page should open in seconds over a slow intranet link (2 MB at
#: 2 Mbit/s: about 8 s) and the whole pack should fit one e-mail: attachment limits are 10–25 MB
#: per message (Exchange Online's default is 25 MB after encoding, many forces set 10 MB), and
#: base64 encoding adds a third. The September 2016 demo pack is about 3.6 MB in all.
PAGE_BUDGET = {"index": 3 * 1024 * 1024, "area": 2 * 1024 * 1024}
#: Budget for all pages together: 7 MB of pages is about 9.5 MB once base64-encoded in a mail.
PACK_BUDGET = 7 * 1024 * 1024
#: Versions recorded in run.json.
RECORDED_PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "papermill",
    "nbclient",
    "nbconvert",
    "matplotlib",
    "seaborn",
    "ipywidgets",
)
TEMPLATES_DIR = Path(__file__).with_name("templates")
WIDGET_MIMETYPES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)
#: Cell tags that keep a cell (or its outputs) out of the commanders' HTML.
REMOVE_CELL_TAGS = {"remove-cell", "remove_cell"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}

EXIT_CODES_HELP = """\
exit codes:
  0  the pack was published to the output folder
  1  a notebook failed: the message names the notebook, the cell and the error; the partly
     executed notebook is kept under <out>/failed/ and the previously published pack is untouched
  2  invalid parameters (month, period, data folder, notebooks, jobs, timeout, an output folder
     that is not a pack's) or configuration (params/force.yaml missing, a YAML syntax error, an
     unknown or mistyped key: the message names the file and the key or line): nothing was run
  3  the data failed validation (the message names the file, the column and example rows)
  4  internal or export error (for example a page that would load something from the internet)
  5  busy: another run is publishing to the same output folder; wait for it, then run again
  6  the output folder cannot be written (no permission, read-only, disk full or over quota):
     the message names the folder; the previously published pack is untouched
"""


class PackError(Exception):
    """A run that stops with an exit code and a message for the operator."""

    exit_code = EXIT_INTERNAL


class InvalidParameters(PackError):
    exit_code = EXIT_INVALID_PARAMETERS


class ExportError(PackError):
    exit_code = EXIT_INTERNAL


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
# Paths shown to people never carry the machine's absolute paths.


#: The temporary file a kernel names a cell by in warnings and tracebacks
#: (``/tmp/ipykernel_4242/3949487693.py``). No base64 payload can hold it ("_" and "." are not
#: base64 characters), so replacing it never touches an image.
_KERNEL_CELL_FILE = re.compile(r"(?:/[\w.-]+)*/ipykernel_\d+/\d+\.py")


@dataclass
class Scrubber:
    """Replace absolute paths by their display form in text written to the pack.

    Besides the folders added, the kernel's temporary cell files (warnings and tracebacks name
    them) are replaced by ``<cell>``.
    """

    replacements: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: Path, shown: str) -> None:
        for p in {str(Path(path)), str(Path(path).resolve())}:
            if p not in ("", "/"):
                self.replacements.append((p, shown))
        # Longest first: a data folder inside the project is replaced before the project root.
        self.replacements.sort(key=lambda r: -len(r[0]))

    def __call__(self, text: str) -> str:
        for old, new in self.replacements:
            text = text.replace(old, new)
        if "ipykernel_" not in text:  # the pattern, run over a page's images, is slow to say no
            return text
        return _KERNEL_CELL_FILE.sub("<cell>", text)


# --------------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Notebook:
    """One notebook of the pack and the page it becomes."""

    path: Path
    prefix: str
    title: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def page(self) -> str:
        return "index.html" if self.prefix == MASTER_PREFIX else f"{self.path.stem}.html"

    @property
    def kind(self) -> str:
        return "index" if self.prefix == MASTER_PREFIX else "area"


@dataclass
class Run:
    """The checked parameters of one pack run."""

    month: str
    period: str
    data_dir: Path
    out: Path
    jobs: int
    timeout: int
    notebooks: list[Notebook]
    notebooks_dir: Path
    #: Every notebook of the pack (``notebooks`` may be a subset, ``--notebooks``).
    all_notebooks: list[Notebook] = field(default_factory=list)
    #: The pages of the published pack, in order: ``notebooks`` plus any carried over unchanged.
    pages: list[Notebook] = field(default_factory=list)
    #: run.json entries of the pages carried over from the previous pack.
    carried: list[dict] = field(default_factory=list)
    #: The fingerprint of the cube the run built (its data snapshot): every notebook loads that
    #: cached cube and nothing else (``helpers.measures.cube.load_cube(data_dir, fingerprint=…)``).
    data_fingerprint: str = ""

    @property
    def parameters(self) -> dict:
        """The papermill parameters every notebook receives."""
        return {
            "month": self.month,
            "period": self.period,
            "geography": "Force",
            "data_dir": str(self.data_dir),
            "data_fingerprint": self.data_fingerprint,
            "interactive": False,
        }


def notebook_title(path: Path) -> str:
    """Return the first level-1 heading of a notebook, else a title made from its file name."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # an unreadable notebook fails later, with papermill's message
        nb = None
    for cell in nb.cells if nb is not None else []:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem[3:].replace("_", " ").capitalize()


def discover_notebooks(notebooks_dir: Path, only: Sequence[str] | None = None) -> list[Notebook]:
    """Return the pack's notebooks (``NN_*.ipynb``) in order, optionally only those numbered ``only``.

    Raises
    ------
    InvalidParameters
        No notebooks, or a number in ``only`` that matches none (the message lists the valid ones).
    """
    paths = sorted(Path(notebooks_dir).glob(NOTEBOOK_GLOB))
    if not paths:
        raise InvalidParameters(
            f"no notebooks matching {NOTEBOOK_GLOB} in {display_path(notebooks_dir)}"
        )
    by_prefix = {p.name[:2]: p for p in paths}
    if only:
        wanted = [o.strip().zfill(2) for o in only if o.strip()]
        unknown = [w for w in wanted if w not in by_prefix]
        if unknown:
            raise InvalidParameters(
                f"no notebook numbered {', '.join(unknown)}; valid numbers are "
                f"{', '.join(sorted(by_prefix))}"
            )
        paths = [by_prefix[w] for w in sorted(set(wanted))]
    return [Notebook(p, p.name[:2], notebook_title(p)) for p in paths]


def _extract_names(data_dir: Path) -> list[str]:
    from ..sources.loading import available_extracts

    return available_extracts(data_dir)


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


def _as_month(value) -> pd.Period | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return parse_month(value) if not isinstance(value, str) else pd.Period(value[:7], "M")
    except (PeriodError, ValueError, TypeError):
        return None


def cube_months(cube: Cube) -> tuple[pd.Period, pd.Period] | None:
    """First and last month the cube has data for (its coverage); None if it has none."""
    months = sorted({m for m in map(_as_month, cube.coverage["month"]) if m is not None})
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
        raise InvalidParameters(f"configuration: {_one_line(str(exc))}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
    if not _extract_names(data_dir):
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


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Executing notebooks


@dataclass
class Failure:
    """Where and how a notebook failed."""

    notebook: str
    cell_index: int | None
    first_line: str
    ename: str
    evalue: str
    execution_count: int | None = None

    def describe(self) -> str:
        """``02_victims.ipynb failed at cell 5 (In [4]: 'x = 1'): ValueError: …``."""
        if self.cell_index is None:
            where = "before any cell ran"
        else:
            prompt = f"In [{self.execution_count}]: " if self.execution_count else ""
            where = f"cell {self.cell_index} ({prompt}{self.first_line!r})"
        return f"{self.notebook} failed at {where}: {self.ename}: {self.evalue}"


@dataclass
class Result:
    """The outcome of one notebook."""

    notebook: Notebook
    output: Path
    seconds: float = 0.0
    attempts: int = 0
    failure: Failure | None = None
    page_bytes: int | None = None
    dropped_stderr: int = 0
    export_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and self.export_error is None


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _cell_states(output: Path) -> list[str]:
    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:
        return []
    return [c.get("metadata", {}).get("papermill", {}).get("status", "") for c in nb.cells]


def _stopped_cell(nb: nbformat.NotebookNode) -> int | None:
    """The index of the cell a notebook stopped in without a cell error; None if none started.

    On a time-out or a dead kernel papermill marks the cell it was running "completed", and then
    every cell it never reached "completed" too (``notebook_complete``), so the status cannot
    tell. The start time can: a cell not reached has none. The last cell that started is the one.
    """
    last = None
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") in ("running", "failed") or meta.get("exception"):
            return i
        if meta.get("start_time"):
            last = i
    return last


def _stop_reason(exc: BaseException, timeout: int) -> str:
    """One line saying why a notebook stopped without a cell error, for the operator."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, CellTimeoutError):
        return f"the cell ran for more than {timeout} s (--timeout {timeout})"
    if isinstance(exc, DeadKernelError):
        detail = _one_line(str(exc))
        return (
            "the kernel died while running this cell — out of memory? (the system stops a "
            "process that uses too much memory; run fewer --jobs at once or on a larger machine)"
            + (f" [{detail}]" if detail else "")
        )
    return _one_line(str(exc)) or f"{type(exc).__name__} (no message)"


def record_stop(output: Path, ename: str, reason: str) -> tuple[int | None, str]:
    """Mark in the executed notebook where and why it stopped; return the cell and its first line.

    The cell it stopped in is marked failed and given an error output with ``reason``; the cells
    after it keep no status but "pending" (they were not executed). Without this the notebook
    kept under ``failed/`` shows every cell completed and no error.
    """
    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:  # nothing written yet: the kernel never started
        return None, ""
    index = _stopped_cell(nb)
    if index is None:
        return None, ""
    for i, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {}).setdefault("papermill", {})
        if i == index:
            meta["status"], meta["exception"] = "failed", True
        elif i > index:
            meta["status"], meta["exception"] = "pending", None
    cell = nb.cells[index]
    if cell.cell_type == "code":
        cell.outputs.append(
            nbformat.v4.new_output(
                "error", ename=ename, evalue=reason, traceback=[f"{ename}: {reason}"]
            )
        )
    nb.metadata.setdefault("papermill", {})["exception"] = True
    nbformat.write(nb, output)
    return index, _first_line(cell.source)


#: Errors whose message quotes rows of the data: a DataValidationError names example rows (ids,
#: names). Their text never goes into ``failed/``, run.json or the log (the pack's own exit-3
#: message, printed for the operator before any notebook runs, still shows them).
RECORD_QUOTING_ERRORS = ("DataValidationError",)
WITHHELD = (
    "the data failed validation while the notebook ran; the message quotes rows of the data, so "
    "it is not kept here: check the data folder with `python -m helpers.sources.loading <data folder>`"
)


def _quotes_records(*texts: str) -> bool:
    return any(name in text for name in RECORD_QUOTING_ERRORS for text in texts)


def withhold_record_values(nb: nbformat.NotebookNode) -> int:
    """Replace every output of ``nb`` that may quote rows of the data; return how many.

    Error outputs of a :data:`RECORD_QUOTING_ERRORS` error (also when chained behind another
    error) lose their message and traceback; streams and displayed values that print one are
    replaced by a note. The notebooks of a pack never validate the data (they load the run's
    snapshot), so this is the defence in depth behind that.
    """
    replaced = 0
    for cell in nb.cells:
        for i, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") == "error":
                texts = [out.get("ename", ""), out.get("evalue", ""), *out.get("traceback", [])]
                if _quotes_records(*texts):
                    out["evalue"] = WITHHELD
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {WITHHELD}"]
                    replaced += 1
            elif _quotes_records(json.dumps(out.get("text", "")), json.dumps(out.get("data", {}))):
                cell.outputs[i] = nbformat.v4.new_output(
                    "stream", name="stderr", text=f"(output not kept: {WITHHELD})\n"
                )
                replaced += 1
    return replaced


def is_kernel_start_failure(exc: BaseException, output: Path) -> bool:
    """Whether ``exc`` is the kernel start-up race (papermill #511) rather than the notebook's fault.

    ZMQError ("Address already in use") or a RuntimeError from the kernel start, and no cell has
    started: then one retry is safe. A kernel that died while running a cell is not retried.
    """
    try:
        from nbclient.exceptions import DeadKernelError
    except ImportError:  # pragma: no cover - nbclient is a dependency
        DeadKernelError = ()  # noqa: N806
    try:
        import zmq

        zmq_error: tuple = (zmq.ZMQError,)
    except ImportError:  # pragma: no cover - pyzmq comes with jupyter_client
        zmq_error = ()
    if not isinstance(exc, (*zmq_error, RuntimeError)) or isinstance(exc, DeadKernelError):
        return False
    return all(s in ("", "pending") for s in _cell_states(output))


def execute_notebook(
    notebook: Notebook,
    output: Path,
    parameters: dict,
    *,
    timeout: int,
    cwd: Path,
    ipc_prefix: Path | None = None,
    on_retry: Callable[[str], None] = log,
    execute: Callable | None = None,
) -> Result:
    """Execute one notebook with papermill in its own kernel; retry once if the kernel fails to start.

    Parameters
    ----------
    notebook, output
        The notebook and where the executed copy is written (papermill writes it as each cell
        starts and ends, so a run stopped by an error, a time-out or a dead kernel leaves the
        partly executed notebook).
    parameters
        papermill parameters.
    timeout
        Seconds any one cell may run (papermill ``execution_timeout``).
    cwd
        Working directory of the kernel. Passed to the kernel, not set with ``os.chdir``: the
        working directory is per process and the notebooks run in threads.
    ipc_prefix
        Talk to the kernel over Unix sockets named ``<ipc_prefix>-<n>`` instead of TCP ports. TCP
        ports are picked by binding and releasing them, which races when kernels start together
        (papermill #511); unique socket paths cannot collide. None: TCP.
    execute
        Stand-in for ``papermill.execute_notebook`` (tests).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    execute = execute or papermill.execute_notebook
    extra = {}
    if ipc_prefix is not None:
        from traitlets.config import Config

        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(ipc_prefix)
        extra["config"] = config
    result = Result(notebook, output)
    start = time.perf_counter()
    for attempt in (1, 2):
        result.attempts = attempt
        try:
            execute(
                str(notebook.path),
                str(output),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=True,  # a stopped run leaves what it executed
                execution_timeout=timeout,
                start_timeout=120,
                resources={"metadata": {"path": str(cwd)}},
                # The kernel's own log (jupyter_client interrupts a kernel before shutting it down,
                # which it logs as an ERROR) is noise in a cron mail; cell errors come as messages.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                **extra,
            )
            break
        except PapermillExecutionError as exc:
            evalue = str(exc.evalue)
            if _quotes_records(exc.ename, evalue, *exc.traceback):
                evalue = WITHHELD
            result.failure = Failure(
                notebook.name,
                exc.cell_index,
                _first_line(exc.source),
                exc.ename,
                evalue,
                exc.exec_count,
            )
            break
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in OUTPUT_ERRNOS:
                raise  # the executed notebook cannot be written: the output folder's problem
            if attempt == 1 and is_kernel_start_failure(exc, output):
                on_retry(
                    f"{notebook.name}: kernel failed to start ({type(exc).__name__}: {exc}); retrying once"
                )
                with contextlib.suppress(FileNotFoundError):
                    output.unlink()
                continue
            ename, reason = type(exc).__name__, _stop_reason(exc, timeout)
            index, first = record_stop(output, ename, reason)
            result.failure = Failure(notebook.name, index, first, ename, reason)
            break
    result.seconds = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------------------------------
# HTML for commanders


# A page is checked with the standard library's HTML parser, which reads attributes as a browser
# does (``&#x68;ttp:`` is ``http:``), not with patterns over the raw text: commentary shown as text
# (``&lt;img src=http://…&gt;``) is no request, and an entity-encoded one in an attribute is.

#: Attributes whose URL a browser fetches by itself. ``href`` of ``<a>`` and ``<area>`` waits for
#: a click and is left to :func:`unlink_external_anchors`; ``ping`` of ``<a>`` is sent on a click.
_FETCH_ATTRS = frozenset(
    {"src", "href", "srcset", "imagesrcset", "data", "poster", "action", "formaction"}
    | {"xlink:href", "background", "ping", "manifest", "codebase", "archive", "lowsrc", "dynsrc"}
    | {"icon"}
)
_CLICK_ONLY = {("a", "href"), ("a", "xlink:href"), ("area", "href")}
#: Schemes that stay on the reader's machine. ``file:`` does too unless it names a host
#: (``file://server/share`` opens a network share).
_LOCAL_SCHEMES = frozenset({"data", "about", "blob", "javascript"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_URL_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")  # C0 controls and space
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_URL = re.compile(
    r"url\(\s*([\"']?)(.*?)\1\s*\)|@import\s+([\"'])(.*?)\3|image-set\(([^)]*)\)",
    re.IGNORECASE | re.DOTALL,
)
_CSS_STRING = re.compile(r"([\"'])(.*?)\1", re.DOTALL)
_URL_IN_CODE = re.compile(r"[\"'`(]\s*((?:https?:)?//[a-zA-Z0-9][^\"'`)\s]*)")
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?[\"']?([^\"']*)", re.IGNORECASE)
_DATA_URI_PAYLOAD = re.compile(r"(data:image/[\w.+-]+;base64,)[A-Za-z0-9+/=]+")


def names_another_host(url: str) -> bool:
    """True when a browser given ``url`` would contact a host (``https://…``, ``//…``, ``http:x``).

    Read as a browser reads a URL: leading and trailing spaces and control characters ignored, tabs
    and newlines removed anywhere, ``\\`` taken as ``/``, the scheme in any case.

    Examples
    --------
    >>> [names_another_host(u) for u in ("//cdn.example/x.js", " HTTPS://x", "\\\\\\\\host\\\\a")]
    [True, True, True]
    >>> [names_another_host(u) for u in ("01_domestic_abuse.html#x", "data:image/png;base64,", "#p")]
    [False, False, False]
    """
    url = _URL_EDGES.sub("", re.sub(r"[\t\n\r]", "", url))
    url = url.replace("\\", "/").lower()
    if url.startswith("//"):
        return True
    scheme = _SCHEME.match(url)
    if scheme is None:
        return False  # a path on the reader's machine, relative to the page
    name = scheme.group(1)
    if name == "file":
        rest = url[len("file:") :]
        return rest.startswith("//") and not rest.startswith("///") and rest[2:3] != "/"
    # http:host (no slashes) is http://host/ to a browser; any other scheme leaves the page too.
    return name not in _LOCAL_SCHEMES


def _css_references(css: str) -> list[str]:
    """URLs in a style sheet or ``style`` attribute that name another host."""
    css = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)
    found = []
    for match in _CSS_URL.finditer(css):
        if match.group(5) is not None:  # image-set("a.png" 1x, url(b.png) 2x)
            found += [s for _, s in _CSS_STRING.findall(match.group(5))]
        else:
            found.append(match.group(2) if match.group(2) is not None else match.group(4))
    return [u.strip() for u in found if names_another_host(u)]


class _ReferenceFinder(HTMLParser):
    """Collects what in a page would make a browser contact another host (see external_references)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None  # "script" or "style" while inside one

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in _FETCH_ATTRS and (tag, name) not in _CLICK_ONLY:
                candidates = [value]
                if name in ("srcset", "imagesrcset"):  # "a.png 1x, b.png 2x"
                    candidates = [part.strip().split(" ")[0] for part in value.split(",")]
                elif name == "ping":  # space-separated URLs
                    candidates = value.split()
                self.found += [u.strip() for u in candidates if names_another_host(u)]
            elif name == "style":
                self.found += _css_references(value)
            elif name == "srcdoc":  # a whole document inside the attribute
                self.found += external_references(value)
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            target = _REFRESH_URL.match(values.get("content", "")).group(1).strip()
            if names_another_host(target):
                self.found.append(target)
        self._in = tag if tag in ("script", "style") else None

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found += _css_references(data)
        elif self._in == "script":
            self.found += _URL_IN_CODE.findall(data)


def external_references(page: str) -> list[str]:
    """Return every reference in ``page`` that would make a browser contact another host.

    Looks at the attributes a browser fetches by itself on any element (``<script src>``,
    ``<link href>``, ``<img src>``/``srcset``, ``<iframe src>``, ``<object data>``, ``<a ping>``…),
    ``<meta http-equiv="refresh">``, the document inside ``<iframe srcdoc>``, CSS ``url(…)``,
    ``@import`` and ``image-set`` in style sheets and ``style`` attributes, and URLs written out in
    inline scripts. Attributes are read with their character references decoded, as a browser
    reads them. Plain text and ``<a href>`` links that a reader may click are not requests.

    A script can build a URL this cannot see (``"ht" + "tp://…"``): the page's
    Content-Security-Policy (:func:`content_security_policy`) is what stops those.
    """
    # An image's base64 holds none of these references; it is most of a page and slow to parse.
    finder = _ReferenceFinder()
    finder.feed(_DATA_URI_PAYLOAD.sub(r"\1", page))
    finder.close()
    return sorted(set(finder.found))


_ANCHOR = re.compile(
    r"<a\b[^>]*?\shref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))[^>]*>(.*?)</a\s*>",
    re.IGNORECASE | re.DOTALL,
)


def unlink_external_anchors(page: str) -> str:
    """Turn ``<a href="https://…">text</a>`` into plain text that shows the address.

    Readers on an intranet without internet access get no dead links, and the address stays
    visible for anyone who wants to type it. The address is read as a browser reads it
    (``&#x68;ttps:``, ``//host``, ``HTTPS:``); links to the pack's own pages are kept.
    """

    def plain(match: re.Match) -> str:
        raw = next(g for g in match.groups()[:3] if g is not None)
        url, text = _html.unescape(raw), match.group(4)
        if not names_another_host(url):
            return match.group(0)
        bare = re.sub(r"<[^>]+>", "", text).strip()
        if bare == url or (bare and bare.rstrip("/") in url):
            return f'<span class="ppw-url">{text}</span>'
        return f'{text} <span class="ppw-url">({_html.escape(url)})</span>'

    return _ANCHOR.sub(plain, page)


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def own_scripts() -> tuple[str, ...]:
    """The text of every inline script the pack writes: the page's link keeper and view switcher."""
    from ..render import views

    return (_read_template_file("ppw_page.js"), views._script())


def content_security_policy(scripts: Iterable[str]) -> str:
    """The page's Content-Security-Policy: no request of any kind, only the pack's own scripts.

    ``default-src 'none'`` forbids every fetch (scripts, styles, images, fonts, frames,
    connections) that a directive below does not allow; images only from ``data:`` (the charts);
    styles inline (the page's style sheet and the tables' ``style`` attributes); scripts only
    those whose SHA-256 is listed (the pack's own, :func:`own_scripts`: an injected inline
    script, event attribute or ``javascript:`` URL does not run); no form, ``<base>`` or frame.

    Examples
    --------
    >>> content_security_policy([]).split("; ")[:2]
    ["default-src 'none'", "script-src 'none'"]
    """
    hashes = sorted({_script_hash(s) for s in scripts}) or ["'none'"]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(hashes),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-src 'none'",
            "object-src 'none'",
        ]
    )


def foreign_scripts(page: str) -> list[str]:
    """The beginnings of inline or external scripts in ``page`` that are not the pack's own.

    The Content-Security-Policy blocks them; the export refuses the page instead, so that a
    notebook output with a script of its own is an error with its name, not a silent gap.
    """
    own = set(own_scripts())
    found = []
    for attrs, body in _SCRIPT.findall(page):
        kind = re.search(r"\btype\s*=\s*[\"']?([^\"'\s>]+)", attrs, re.IGNORECASE)
        if kind and kind.group(1).lower() not in _SCRIPT_TYPES:
            continue  # a data block (application/json…): never run
        if body not in own or re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            found.append((attrs + " " + body).strip()[:60])
    return found


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_TYPES = {"text/javascript", "application/javascript", "module", "text/ecmascript"}


def prepare_for_html(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` fit for commanders and the number of stderr outputs dropped.

    Drops widget views and widget state (no kernel, no CDN: they cannot render), stderr streams
    (Python warnings are for the analyst, kept in the executed notebook), and cells or outputs
    tagged ``remove-cell`` / ``remove-output``.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("widgets", None)
    dropped = 0
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = []
            for out in [] if tags & REMOVE_OUTPUT_TAGS else cell.outputs:
                if out.output_type == "stream" and out.get("name") == "stderr":
                    dropped += 1
                    continue
                data = out.get("data", {})
                if any(m in data for m in WIDGET_MIMETYPES):
                    continue
                outputs.append(out)
            cell.outputs = outputs
        cells.append(cell)
    nb.cells = cells
    return nb, dropped


def data_to_text(data_to: dict | None, month: str | None = None) -> str:
    """``crimes Sep 2016 · incidents Sep 2016 · …`` from ``cube.data_to``.

    A source that runs past the report month is shown to the report month: the report uses
    nothing later. A source that stops earlier shows its own last month, which is the point.
    """
    if not data_to:
        return "not known"
    report_month = parse_month(month) if month else None
    parts = []
    for name, value in data_to.items():
        m = _as_month(value)
        if m is not None and report_month is not None:
            m = min(m, report_month)
        parts.append(f"{name.replace('_', ' ')} {month_label(m) if m is not None else 'no data'}")
    return " · ".join(parts)


def _css_string(text: str) -> str:
    """Text as the inside of a double-quoted CSS string in a ``<style>`` element.

    ``<`` and ``>`` are written as CSS escapes: a marking holding ``</style>`` would otherwise end
    the style sheet and the rest would be read as HTML.
    """
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", " ")
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
    )


def _read_template_file(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


def page_shell(
    run: Run, notebook: Notebook, *, force_name: str, marking: str, data_to: dict | None
) -> dict:
    """The values the page template needs (``resources['ppw']``)."""
    pages = run.pages or run.notebooks
    i = pages.index(notebook)

    def link(nb: Notebook | None):
        return None if nb is None else {"href": nb.page, "title": nb.title}

    return {
        "force_name": force_name,
        "marking": marking,
        "marking_css": _css_string(marking),
        "month_label": parse_month(run.month).strftime("%B %Y"),
        "period_label": PERIOD_LABELS[run.period],
        "data_to_text": data_to_text(data_to, run.month),
        "page_title": notebook.title,
        "notebook": notebook.name,
        "prev": link(pages[i - 1] if i > 0 else None),
        "next": link(pages[i + 1] if i + 1 < len(pages) else None),
        "contents": [
            {"href": nb.page, "title": nb.title, "current": nb is notebook} for nb in pages
        ],
        "css": _read_template_file("ppw_page.css"),
        "js": _read_template_file("ppw_page.js"),
        "csp": content_security_policy(own_scripts()),
    }


@functools.cache
def _exporter_class():
    from nbconvert import HTMLExporter

    class PackHTMLExporter(HTMLExporter):
        """HTMLExporter that validates the notebook once, not after each of its preprocessors.

        nbconvert validates after every preprocessor with ``relax_add_props=True``, which makes
        nbformat compile the JSON schema afresh each time: about 70 ms × 12 per page.
        """

        def _validate_preprocessor(self, nbc, preprocessor):
            pass

        def from_notebook_node(self, nb, resources=None, **kw):
            """Render without HTMLExporter's BeautifulSoup pass (about 0.4 s on a large page).

            That pass only adds a placeholder alt text to images and tabindex to cells; the
            pack's pages are not edited in a browser. Falls back to the full export if
            nbconvert's internals change.
            """
            try:
                from nbconvert.exporters.templateexporter import TemplateExporter
                from nbconvert.filters.highlight import Highlight2HTML
                from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                highlight = self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                )
                resources = self._init_resources(resources)
                data_type = WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                )
            except (ImportError, AttributeError, TypeError):  # pragma: no cover - other nbconvert
                return super().from_notebook_node(nb, resources, **kw)
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PackHTMLExporter


_local = threading.local()


def _exporter():
    """One configured exporter per thread: building one compiles the Jinja templates."""
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        exporter = _exporter_class()(
            template_name="lab",
            template_file="ppw_page.html.j2",
            extra_template_paths=[str(TEMPLATES_DIR)],
        )
        # --report-mode only hides inputs in Lab's UI; the HTML templates ignore it (papermill #506).
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        # Keep a non-empty anchor text (hidden by the page CSS): with "" the markdown renderer
        # writes <a … />, which HTML does not close, and the rest of the page vanishes into it.
        exporter.anchor_link_text = "¶"
        _local.exporter = exporter
    return exporter


def export_html(nb: nbformat.NotebookNode, shell: dict) -> tuple[str, int]:
    """Export an executed notebook to one self-contained HTML page; return it and stderr dropped.

    Raises
    ------
    ExportError
        The page would still make a request to another host, or holds a script that is not the
        pack's own (:func:`foreign_scripts`).
    """
    clean, dropped = prepare_for_html(nb)
    nbformat.validate(clean)
    body, _ = _exporter().from_notebook_node(clean, resources={"ppw": shell})
    body = unlink_external_anchors(body)
    external = external_references(body)
    if external:
        raise ExportError(
            f"{shell['notebook']}: the page would load from other hosts: {', '.join(external[:5])}"
        )
    foreign = foreign_scripts(body)
    if foreign:
        raise ExportError(
            f"{shell['notebook']}: an output holds a script the pack did not write (its page "
            f"would block it): {'; '.join(repr(f) for f in foreign[:3])}"
        )
    return body, dropped


# --------------------------------------------------------------------------------------------------
# Run record


def data_fingerprint(data_dir: Path, names: Iterable[str]) -> str:
    """A sha256 over the extract files (name and content), or the loading helper's fingerprint."""
    from ..sources import loading

    own = getattr(loading, "fingerprint", None)
    if callable(own):
        with contextlib.suppress(Exception):
            return str(own(data_dir))
    digest = hashlib.sha256()
    for name in sorted(names):
        path = loading.extract_path(data_dir, name)
        if path is None:
            continue
        digest.update(f"{path.name}\0".encode())
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0], "helpers": __version__}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _jsonable(value):
    """Plain JSON types for run.json (Periods, Timestamps, numpy scalars, DataFrames, dataclasses)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return _jsonable(value.to_dict(orient="records"))
    if hasattr(value, "to_dict") and not isinstance(value, pd.Series):
        with contextlib.suppress(Exception):
            return _jsonable(value.to_dict())
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, str | int | float | bool) or value is None:
        if isinstance(value, float) and pd.isna(value):
            return None
        return value
    if hasattr(value, "item"):
        with contextlib.suppress(Exception):
            return _jsonable(value.item())
    if hasattr(value, "to_dict"):
        with contextlib.suppress(Exception):
            return _jsonable(value.to_dict())
    return str(value)


def load_report(cube, data_dir: Path, month: str | None = None):
    """The report of what was read to build ``cube`` (rows, warnings), for run.json.

    The cube's own (``Cube.extracts_report``: the snapshot's, never the folder re-read). A cube
    without one (a stand-in) gets the loading helper's report of the folder. With the report
    ``month`` each extract also carries its reconciliation: rows read, counted, excluded and why
    (``helpers.sources.loading.ExtractReport.reconcile``).
    """
    report = cube.extracts_report
    if report is not None:
        return _jsonable(report.to_dict(month))
    from ..sources import loading

    with contextlib.suppress(Exception):
        return _jsonable(loading.load_report(data_dir, month))
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_settings(month: str) -> dict:
    """The settings besides the data that change what a page shows, as recorded in run.json.

    The force configuration (every field of ``params/force.yaml``: the name and marking printed,
    ``suppress_below`` deciding which figures print ``[c]``, the financial year, the peers), the
    commentary files of the month (sha256 of each), the measure catalog (sha256) and the helpers
    version. A ``--notebooks`` run keeps the other pages only if these are unchanged
    (:func:`pages_to_carry`).
    """
    from ..config import COMMENTARY_DIR
    from ..contract.catalog import CATALOG_FILE

    folder = COMMENTARY_DIR / month
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return {
        "force_config": _jsonable(dataclasses.asdict(force_config())),
        "commentary": {f.name: _sha256(f.read_bytes()) for f in files},
        "catalog_sha256": _sha256(CATALOG_FILE.read_bytes()),
        "helpers_version": __version__,
    }


def settings_changes(before: dict, now: dict) -> list[str]:
    """What differs between two :func:`page_settings`, in words (``suppress_below None → 10``)."""
    changes = []
    old_cfg, new_cfg = before.get("force_config") or {}, now["force_config"]
    keys = [k for k in new_cfg if old_cfg.get(k) != new_cfg[k]]
    if keys:
        changes.append(
            "the force configuration ("
            + ", ".join(f"{k}: {old_cfg.get(k)!r} → {new_cfg[k]!r}" for k in keys)
            + ")"
        )
    old_notes, new_notes = before.get("commentary") or {}, now["commentary"]
    notes = sorted(
        n for n in set(old_notes) | set(new_notes) if old_notes.get(n) != new_notes.get(n)
    )
    if notes:
        changes.append(f"the commentary ({', '.join(notes)})")
    if before.get("catalog_sha256") != now["catalog_sha256"]:
        changes.append("the measure catalog")
    if before.get("helpers_version") != now["helpers_version"]:
        changes.append(
            f"the helpers version ({before.get('helpers_version')} → {now['helpers_version']})"
        )
    return changes


def run_record(
    run: Run,
    *,
    cube,
    results: list[Result],
    timings: dict,
    status: str,
    fingerprint: str,
    loaded=None,
    settings: dict | None = None,
) -> dict:
    """The content of run.json: what was run, on which data, with what, how long it took."""
    config = force_config()
    names = _extract_names(run.data_dir)
    data_to = cube.data_to
    return {
        "status": status,
        "force_name": config.force_name,
        "protective_marking": config.protective_marking,
        "suppress_below": config.suppress_below,
        "settings": settings if settings is not None else page_settings(run.month),
        "parameters": {
            "month": run.month,
            "period": run.period,
            "geography": "Force",
            "data_dir": display_path(run.data_dir),
            "interactive": False,
            "jobs": run.jobs,
            "timeout_seconds_per_cell": run.timeout,
            "notebooks": [nb.name for nb in run.notebooks],
        },
        "data": {
            "dir": display_path(run.data_dir),
            "fingerprint": fingerprint,
            "snapshot": run.data_fingerprint,
            "extracts": names,
            "data_to": _jsonable(
                {
                    k: (str(_as_month(v)) if _as_month(v) is not None else None)
                    for k, v in data_to.items()
                }
            )
            if isinstance(data_to, dict)
            else None,
        },
        "load_report": loaded,
        "packages": package_versions(),
        "notebooks": [
            {
                "notebook": r.notebook.name,
                "title": r.notebook.title,
                "page": r.notebook.page if r.ok else None,
                "status": "ok" if r.ok else "failed",
                "seconds": round(r.seconds, 2),
                "attempts": r.attempts,
                "page_bytes": r.page_bytes,
                "stderr_outputs_not_in_page": r.dropped_stderr,
                "error": r.failure.describe() if r.failure else r.export_error,
            }
            for r in results
        ]
        + run.carried,
        "page_budget_bytes": {**PAGE_BUDGET, "all_pages": PACK_BUDGET},
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }


# --------------------------------------------------------------------------------------------------
# Publishing


def keep_failed(out: Path, results: list[Result], scrub: Scrubber, record: dict) -> Path:
    """Copy the failed notebooks (paths scrubbed, record values withheld) and a run record to
    ``<out>/failed/``.

    Only ``failed/`` is touched: the published pack beside it stays as it was.
    """
    failed = out / "failed"
    tmp = out / f".failed-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for r in results:
        if r.failure is not None and r.output.exists():
            nb = nbformat.read(r.output, as_version=4)
            withhold_record_values(nb)
            (tmp / r.notebook.name).write_text(scrub(nbformat.writes(nb)), encoding="utf-8")
    (tmp / "run.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
    shutil.rmtree(failed, ignore_errors=True)
    os.replace(tmp, failed)
    return failed


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
    settings = settings if settings is not None else page_settings(run.month)
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
    fingerprint = data_fingerprint(run.data_dir, _extract_names(run.data_dir))
    settings = page_settings(run.month)
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
    changed = data_fingerprint(run.data_dir, _extract_names(run.data_dir)) != fingerprint
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

    changes = settings_changes(settings, page_settings(run.month))
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
        log(f"error: configuration: {_one_line(str(exc))}")
        return EXIT_INVALID_PARAMETERS
    except Exception as exc:
        traceback.print_exc()
        log(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
