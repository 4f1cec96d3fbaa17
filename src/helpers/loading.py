"""Read extracts from a data folder (parquet or csv), check them against the data contract.

Every extract is validated on read against :data:`helpers.contract.EXTRACTS`. A file that breaks the
contract raises one :class:`DataValidationError` listing *all* its problems, each naming the file,
the column, what is wrong, how many rows, and up to five example rows with the offending value.
:func:`load_extracts` checks every file before it returns any, so nothing is ever half-loaded.

Why our own validator and not pandera
-------------------------------------
The checks are a few vectorised pandas/pyarrow operations per column. pandera would add a pinned
dependency, and its failure reports name the schema and the index label, not the *file* and the row
a person sees when they open that file in a spreadsheet; turning them into messages an analyst can
act on would take as much code as the checks themselves.

What the loaded frames look like
--------------------------------
Columns come back in contract order (extra columns are dropped and listed in the load report), with
a fresh ``RangeIndex`` and these dtypes:

======================  =====================================================================
contract type           pandas dtype
======================  =====================================================================
date, datetime, month   ``datetime64[ns]`` (a month is its first day, midnight)
int                     ``int64``; ``Int64`` when the column may be empty
float                   ``float64`` (empty = NaN)
bool                    ``bool``; ``boolean`` (pandas' nullable dtype) when a cell is empty
str                     ``str`` (``TEXT_DTYPE``: pandas' Arrow-backed string with ``NaN``
                        for empty); empty = ``NaN``
category                ``category`` whose categories are the contract's allowed values (the
                        reference districts and ``Unassigned`` for the district); empty = ``NaN``
======================  =====================================================================

A nullable ``bool`` column with every cell filled loads as plain ``bool``, whatever the file format, so
code written for a complete extract (``frame[frame.flag]``, ``~frame.flag``) keeps working; only a
file that leaves cells empty gives ``boolean`` with ``pd.NA`` there (CSV and parquet alike).

Text is never a Python object per row: at millions of rows those objects were most of the memory
of a load. Ids are Arrow strings with NumPy semantics (``pd.StringDtype("pyarrow",
na_value=np.nan)``): comparisons return plain ``bool`` (``False`` for an empty cell), so
``np.where`` and ``if`` tests work as on ``object`` columns, and ``isna`` finds the empty cells.
Categories are pandas ``Categorical`` over the *allowed* values, so two frames of one extract have
the same categories (``groupby`` needs ``observed=True`` not to list the absent ones).

Reading rules
-------------
- CSV is read entirely as text (``dtype=str``, no NA guessing) and converted per contract, so nothing
  is silently coerced: a cell that is empty or only spaces is empty; anything else must parse.
  Booleans accept ``true/false/1/0/yes/no`` (any case). Dates are ``YYYY-MM-DD``, datetimes
  ``YYYY-MM-DD HH:MM:SS`` (ISO 8601 variants without a time zone are accepted), months ``YYYY-MM``
  (or a full date on the 1st). Lines with every cell empty are skipped and counted in the report.
- CSV must be UTF-8 (a byte-order mark is fine). Other bytes are an error naming the byte offset and
  line, not a guess at cp1252: a wrong guess would silently turn one victim id into two.
- Parquet columns must have a compatible type (numbers for numbers, text for text; dates may be
  ``datetime64``, ``date32``, or ISO text) and are converted the same way.
- Row numbers in messages are the row a spreadsheet shows: for CSV the header is row 1 and the first
  record row 2; for parquet the first record is row 1.

Checks across columns and files
-------------------------------
Besides each column's type, allowed values, range and emptiness: unique keys; rules between
columns of a row (``_ROW_RULES``: an outcome before the crime was recorded, an arrival before the
incident was opened, more calls answered than offered, …) and the contract's plausible bounds
between columns (``Column.limits``: an emergency arrival at most a day after the incident was
opened, an average call wait of at most an hour); ids that must exist in another extract
(``_LINKS``: offenders → crimes, casualties → collisions, when both files are present). A rule is
checked only once the columns it reads have passed their own checks.

Plausible dates
---------------
Every date, date-time and month lies between :data:`helpers.contract.EARLIEST_DATE` and the
extract's own date: the file's modification time (a file cannot record events after it was
written), or now if that is earlier (:func:`latest_accepted`). Parquet dates are compared in the
file's own unit before conversion, and a well-formed text date that ``datetime64[ns]`` cannot hold
(the year 2300) is found by its year: both are refused with the usual message, never an overflow.

Hostile input
-------------
- Cells beginning ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) are formula-like. They are
  loaded as plain text, never evaluated, and counted in the load report (row and column, not the
  value, so the run record holds no extract data).
- HTML or script text is loaded as-is: escaping is the renderer's job.
- A text (id or category) value longer than 1,000 characters is an error; messages show at most
  60 characters of any value.
- A CSV holding a NUL byte is an error naming the byte offset and line: pandas would otherwise end
  the cell there without a word (two ids merged into one).
- Error messages name files relative to the project root, or by file name only when the folder is
  outside the project: no other absolute paths leak into logs.

Columns a source does not record
--------------------------------
A contract column with ``empty_is_unrecorded`` (the crime and incident flags, the incident grade and
urban/rural class) may be empty where the source does not record it. The load report lists, per
column, the months in which it is empty on every row (``not_recorded``: the cube makes the measures
reading it N/A there) and counts the cells left empty in months where other rows have a value
(``empty_where_recorded``). Those cells are loaded as empty and count as *not flagged* in the cube:
refusing the file would stop a whole pack over a few unfilled cells, while counting them and saying
so in the report (and as a warning) keeps the number honest and visible.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gzip
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.api import types as ptypes

from .config import PROJECT_ROOT, REFERENCE_DIR, resolve_path
from .contract import (
    EARLIEST_DATE,
    EXTRACTS,
    LATEST_DATE_GRACE_HOURS,
    Column,
    Extract,
    MaxDelay,
    MaxPer,
    format_duration,
    format_number,
)

#: File suffixes an extract may have, in order of preference.
SUFFIXES = (".parquet", ".csv", ".csv.gz")
#: The district of a record the source could not place (counted in the force total).
UNASSIGNED = "Unassigned"
#: Longest text accepted in an id or category column.
MAX_TEXT_LENGTH = 1000
#: Example rows shown per problem.
MAX_EXAMPLES = 5
#: First characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
#: A time followed by a zone designator (``Z``, ``+01:00``, ``-0500``).
_TZ_RE = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d:?\d\d)$"
_FULL_DATE_RE = r"^\d{4}-\d{1,2}-\d{1,2}"
_PRIMARY_FORMAT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S", "month": "%Y-%m"}
_EXPECTED_FORM = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM:SS", "month": "YYYY-MM"}

#: Columns, other than the district, whose values must appear in a reference table.
_FORCE_COLUMNS = {"confidence_survey": "force", "msg_peers": "force"}
#: Years a pandas ``datetime64[ns]`` can hold (1677-09-21 to 2262-04-11, whole years inside):
#: a date outside them is read without conversion and refused, never a traceback.
_NS_YEARS = (1678, 2261)


# --------------------------------------------------------------------------- errors and reports
def _show(value) -> str:
    """Render an offending value for a message: quoted, at most 60 characters."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "(empty)"
    if value is pd.NaT:
        return "(empty)"
    if isinstance(value, str):
        if len(value) > 60:
            return repr(value[:60] + "…") + f" ({len(value):,} characters)"
        return repr(value)
    if isinstance(value, pd.Timestamp | np.datetime64 | pd.Period):
        return str(value if isinstance(value, pd.Period) else pd.Timestamp(value))
    return repr(value.item() if isinstance(value, np.generic) else value)


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


_SINGULAR = {"are": "is", "have": "has", "repeat": "repeats", "answer": "answers"}


def _agree(what: str, n: int) -> str:
    """Make a plural predicate ("are empty") agree with one row ("is empty")."""
    verb, _, rest = what.partition(" ")
    return f"{_SINGULAR.get(verb, verb)} {rest}" if n == 1 else what


@dataclass(frozen=True)
class Problem:
    """One way a file breaks the contract: a column, what is wrong, how many rows, examples."""

    file: str
    column: str | None
    what: str
    rows: int = 0
    #: ``(row number as a spreadsheet shows it, value as shown)``, at most five.
    examples: tuple[tuple[int, str], ...] = ()

    def describe(self) -> str:
        """Return the problem as one line of an error message (without the file)."""
        where = f"column '{self.column}': " if self.column else ""
        if not self.rows:
            return f"{where}{self.what}"
        text = f"{where}{_rows(self.rows)} {_agree(self.what, self.rows)}"
        if self.examples:
            shown = ", ".join(f"row {r}: {v}" for r, v in self.examples)
            more = ", …" if self.rows > len(self.examples) else ""
            text += f" — e.g. {shown}{more}"
        return text


class DataValidationError(ValueError):
    """An extract does not meet the data contract. The message names the file, the column and rows.

    ``problems`` holds the same content as :class:`Problem` objects, for programs.
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)


def _error(problems: list[Problem]) -> DataValidationError:
    """Build one error listing every problem, grouped by file."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    blocks = []
    for file, ps in by_file.items():
        lines = [f"{file}:"] + [f"  - {p.describe()}" for p in ps]
        if file.endswith((".csv", ".csv.gz")) and any(p.examples for p in ps):
            lines.append("  (row numbers are as a spreadsheet shows them: the header is row 1)")
        blocks.append("\n".join(lines))
    head = (
        f"{next(iter(by_file))} does not meet the data contract"
        if len(by_file) == 1
        else f"{len(by_file)} extract files do not meet the data contract"
    )
    message = f"{head} (see data/README.md); nothing was loaded.\n" + "\n\n".join(blocks)
    return DataValidationError(message, problems)


@dataclass
class ExtractReport:
    """What happened to one extract file: the reconciliation of rows read and rows loaded."""

    name: str
    file: str
    format: str
    rows_read: int = 0
    rows_loaded: int = 0
    #: Lines of a CSV with every cell empty (not records; skipped).
    blank_lines_skipped: int = 0
    #: Rows whose district was empty, loaded as ``Unassigned``.
    unassigned_mapped: int = 0
    #: Rows whose district was already ``Unassigned`` in the file.
    unassigned_in_file: int = 0
    extra_columns_ignored: list[str] = field(default_factory=list)
    #: Text cells that a spreadsheet would take for a formula, loaded as plain text.
    formula_like_cells: int = 0
    formula_like_examples: list[str] = field(default_factory=list)
    #: First and last value of the extract's date column (ISO), if it has one.
    date_from: str | None = None
    date_to: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Columns the source does not record (``empty_is_unrecorded`` in the contract) → the months
    #: (``YYYY-MM``) in which every row is empty; measures reading them are N/A there.
    not_recorded: dict[str, list[str]] = field(default_factory=dict)
    #: Such columns → cells left empty in months where other rows have a value (they count as
    #: not flagged).
    empty_where_recorded: dict[str, int] = field(default_factory=dict)
    #: Rows loaded per month of the date column (``YYYY-MM`` → rows), for the reconciliation of a
    #: report month (:meth:`reconcile`); not in :meth:`LoadReport.to_dict` by itself.
    rows_by_month: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def rows_unassigned(self) -> int:
        """Rows loaded with the district ``Unassigned`` (mapped plus already so)."""
        return self.unassigned_mapped + self.unassigned_in_file

    def reconcile(self, month=None) -> dict:
        """Return where every row of the file went, for the run record of a report month.

        ``rows_in_file`` = ``rows_counted`` + the ``rows_excluded`` of every reason: blank lines,
        rows refused (a duplicate id or any broken rule stops the run, so a published run has
        none) and rows dated after the report month (outside the data window: not used by that
        report). ``rows_unassigned`` are counted, in the force total only. An extract without a
        date column (offenders, casualties) follows the records it links to and excludes none.
        """
        after = None
        if month is not None and self.date_to is not None:
            last = str(month)[:7]
            after = sum(n for m, n in self.rows_by_month.items() if m > last)
        excluded = {
            "blank_line": self.blank_lines_skipped,
            "refused_duplicate_or_invalid": self.rows_read - self.rows_loaded,
            "after_report_month": after or 0,
        }
        in_file = self.rows_read + self.blank_lines_skipped
        counted = self.rows_loaded - (after or 0)
        return {
            "file": self.file,
            "rows_in_file": in_file,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_counted": counted,
            "rows_excluded": excluded,
            "rows_unassigned": self.rows_unassigned,
            "dated": self.date_to is not None,
            "balanced": in_file == counted + sum(excluded.values()),
        }


@dataclass
class LoadReport:
    """The record of one :func:`load_extracts` call, for the run record (``run.json``).

    Pass an empty one in and read it afterwards; it is filled even when loading fails
    (``errors`` then says why), so a failed run can still say what it saw.
    """

    data_dir: str = ""
    extracts: dict[str, ExtractReport] = field(default_factory=dict)
    #: Contract extracts with no file in the folder (their areas read "no data for this area").
    absent: list[str] = field(default_factory=list)
    #: Files in the folder that were not read, with the reason.
    ignored_files: list[str] = field(default_factory=list)
    #: One line per problem when loading failed.
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_record(cls, record: dict) -> LoadReport:
        """Rebuild a report from ``dataclasses.asdict(report)`` (as kept with a cached cube)."""
        fields_ = dict(record)
        fields_["extracts"] = {n: ExtractReport(**e) for n, e in record["extracts"].items()}
        return cls(**fields_)

    def to_dict(self, month=None) -> dict:
        """Return a JSON-ready dict (deterministic: no timestamps, sorted lists).

        With a report ``month``, each extract also says where its rows went
        (``reconciliation``: :meth:`ExtractReport.reconcile`).
        """
        extracts = {}
        for n, r in self.extracts.items():
            entry = {**asdict(r), "rows_unassigned": r.rows_unassigned}
            entry.pop("rows_by_month")
            if month is not None:
                entry["reconciliation"] = r.reconcile(month)
            extracts[n] = entry
        return {
            "data_dir": self.data_dir,
            "extracts": extracts,
            "absent": list(self.absent),
            "ignored_files": list(self.ignored_files),
            "errors": list(self.errors),
        }

    def warnings(self) -> list[str]:
        """Return the lines a report should show as visible warnings."""
        out = []
        for r in self.extracts.values():
            if r.unassigned_mapped:
                out.append(
                    f"{r.file}: {_rows(r.unassigned_mapped)} with an empty district counted as "
                    f"'{UNASSIGNED}' (in the force total, in no LPA or district)."
                )
            if r.formula_like_cells:
                out.append(
                    f"{r.file}: {r.formula_like_cells:,} cell(s) look like spreadsheet formulas "
                    "(kept as plain text)."
                )
            if r.extra_columns_ignored:
                out.append(
                    f"{r.file}: extra columns ignored: {', '.join(r.extra_columns_ignored)}."
                )
            if r.not_recorded:
                cols = "; ".join(
                    f"{c} ({_month_ranges(ms, r.rows_by_month)})"
                    for c, ms in r.not_recorded.items()
                )
                out.append(
                    f"{r.file}: not recorded by the source (empty on every row), so the measures "
                    f"reading them are N/A there, never 0: {cols}."
                )
            for c, n in r.empty_where_recorded.items():
                out.append(
                    f"{r.file}: column '{c}' is empty in {_rows(n)} of months where other rows "
                    "record it; counted as not flagged."
                )
        out += [f"Not read: {f}" for f in self.ignored_files]
        return out


def _month_ranges(months: list[str], rows_by_month: dict[str, int]) -> str:
    """``every month`` when ``months`` are all the file's months, else ``2014-01 to 2014-03, …``."""
    if months and sorted(months) == sorted(rows_by_month):
        return "every month"
    runs: list[list[str]] = []
    for m in sorted(months):
        if runs and (pd.Period(m, "M") - pd.Period(runs[-1][-1], "M")).n == 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


# --------------------------------------------------------------------------- paths
def display_name(path: Path) -> str:
    """Name a file for a message: relative to the project root, else its name only."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name


def extract_path(data_dir, name: str) -> Path | None:
    """The file holding extract ``name`` in ``data_dir`` (parquet preferred), or None if absent."""
    d = resolve_path(data_dir)
    for suffix in SUFFIXES:
        p = d / f"{name}{suffix}"
        if p.is_file():
            return p
    return None


def available_extracts(data_dir) -> list[str]:
    """Names of the contract's extracts present in ``data_dir``, in contract order."""
    return [n for n in EXTRACTS if extract_path(data_dir, n) is not None]


def _extract(name: str) -> Extract:
    try:
        return EXTRACTS[name]
    except KeyError:
        raise KeyError(f"unknown extract {name!r}; the contract has {sorted(EXTRACTS)}") from None


# --------------------------------------------------------------------------- reference tables
def districts(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The district reference table: ``district, lpa, population_2016``."""
    return pd.read_csv(reference_dir / "districts.csv")


def msg_forces(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The force and its Most Similar Group: ``force, police_uk_slug, population_2016``."""
    return pd.read_csv(reference_dir / "msg_forces.csv")


@dataclass(frozen=True)
class _References:
    districts: frozenset[str]
    forces: frozenset[str]
    district_source: str
    force_source: str

    @classmethod
    def read(cls, reference_dir: Path) -> _References:
        d = districts(reference_dir)
        f = msg_forces(reference_dir)
        return cls(
            frozenset(d["district"].astype(str)),
            frozenset(f["force"].astype(str)),
            display_name(reference_dir / "districts.csv"),
            display_name(reference_dir / "msg_forces.csv"),
        )


# --------------------------------------------------------------------------- reading
class _Unreadable(Exception):
    """The file could not be read at all (message already names no path)."""


def _first_bad_utf8(path: Path) -> str:
    """Describe where a file stops being UTF-8: byte value, offset and line."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        return f"byte 0x{data[start]:02X} at byte offset {start:,} (line {line:,})"
    return "an undecodable byte"  # pragma: no cover - pandas and Python agree on UTF-8


def _nul_byte(path: Path) -> str | None:
    """Where a CSV holds a NUL byte, or None.

    pandas' parser ends a cell at a NUL byte without a word: ``V1\x00x`` would be read as ``V1``,
    silently merging two ids. A NUL in a text file means a binary file or UTF-16 text.
    """
    opener = gzip.open if path.name.endswith(".gz") else open
    offset = 0
    line = 1
    with opener(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            at = chunk.find(b"\x00")
            if at >= 0:
                line += chunk.count(b"\n", 0, at)
                return f"byte 0x00 at byte offset {offset + at:,} (line {line:,})"
            offset += len(chunk)
            line += chunk.count(b"\n")
    return None


def _read_csv(path: Path) -> pd.DataFrame:
    # header=None: a line with more cells than the header is then a parser error naming the line,
    # where pandas would otherwise quietly turn the first column into the index.
    try:
        nul = _nul_byte(path)
    except (OSError, EOFError) as e:
        raise _Unreadable(f"cannot be read as CSV: {_clean(e, path)}") from None
    if nul is not None:
        raise _Unreadable(
            f"holds a NUL {nul}: it is a binary file or UTF-16 text, not a UTF-8 CSV; "
            "save it as UTF-8 (Excel: 'CSV UTF-8')"
        )
    try:
        with open(path, "rb") as fh:
            cells = pd.read_csv(
                fh,
                header=None,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
                compression="gzip" if path.name.endswith(".gz") else None,
                low_memory=False,
            )
        frame = cells.iloc[1:].reset_index(drop=True)
        frame.columns = [str(c) for c in cells.iloc[0]]
        return frame
    except UnicodeDecodeError:
        raise _Unreadable(
            f"is not UTF-8 text: {_first_bad_utf8(path)} cannot be decoded; "
            "save it as UTF-8 (Excel: 'CSV UTF-8')"
        ) from None
    except pd.errors.EmptyDataError:
        raise _Unreadable("is empty (not even a header row)") from None
    except (pd.errors.ParserError, OSError, ValueError, EOFError) as e:
        raise _Unreadable(f"cannot be read as CSV: {_clean(e, path)}") from None


def _read_parquet(path: Path, categories: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a parquet file; the text columns named in ``categories`` come as dictionaries.

    A category column (district, offence group …) read as a dictionary is codes plus its few
    distinct texts, checked once each (see ``_FileCheck._text``) instead of row by row.
    """
    try:
        with open(path, "rb") as fh:
            schema = pq.read_schema(fh)
            text = {
                f.name
                for f in schema
                if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            }
            fh.seek(0)
            table = pq.read_table(fh, read_dictionary=[c for c in categories if c in text] or None)
        # Text stays in Arrow (zero copy) until checked; dates come as datetime64, not objects.
        frame = table.to_pandas(
            types_mapper={
                pa.string(): pd.ArrowDtype(pa.string()),
                pa.large_string(): pd.ArrowDtype(pa.large_string()),
            }.get,
            date_as_object=False,
        )
    except (pa.ArrowException, OSError, ValueError) as e:
        raise _Unreadable(f"cannot be read as parquet: {_clean(e, path)}") from None
    if any(n is not None for n in frame.index.names):
        frame = frame.reset_index()  # an id saved as the index is a column for us
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0):
        frame.index = pd.RangeIndex(len(frame))  # relabel only: reset_index copies every column
    return frame


def _clean(e: Exception, path: Path) -> str:
    """A reader's message, first line only, with any path replaced by the file's display name."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    for p in (str(path.resolve()), str(path), str(path.parent.resolve()), str(path.parent)):
        text = text.replace(p, display_name(path) if p.endswith(path.name) else "")
    return text[:300]


# --------------------------------------------------------------------------- one file
def _np_bool(arr: pa.Array | pa.ChunkedArray, null: bool) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, null).to_numpy(zero_copy_only=False), dtype=bool)


class _FileCheck:
    """Validate and convert one file's columns, collecting problems instead of stopping."""

    def __init__(
        self,
        extract: Extract,
        display: str,
        rownum: np.ndarray,
        report: ExtractReport,
        latest: tuple[np.datetime64, str] | None = None,
    ):
        self.extract = extract
        self.file = display
        self.rownum = rownum
        self.report = report
        #: The latest date the file may hold and why (:func:`latest_accepted`).
        self.latest = latest
        self.problems: list[Problem] = []

    # -- recording
    def flag(self, column: str | None, what: str, mask: np.ndarray, shown) -> None:
        """Record a problem for the rows in ``mask``; ``shown(positions)`` renders their values."""
        mask = np.asarray(mask, dtype=bool)
        n = int(mask.sum())
        if not n:
            return
        pos = np.flatnonzero(mask)[:MAX_EXAMPLES]
        examples = tuple(zip(self.rownum[pos].tolist(), shown(pos), strict=True))
        self.problems.append(Problem(self.file, column, what, n, examples))

    def flag_values(self, column: str, what: str, mask: np.ndarray, raw: pd.Series) -> None:
        self.flag(column, what, mask, lambda pos: [_show(v) for v in raw.iloc[pos].tolist()])

    def problem(self, column: str | None, what: str) -> None:
        self.problems.append(Problem(self.file, column, what))

    # -- per type
    def convert(self, col: Column, raw: pd.Series, refs: _References) -> pd.Series | None:
        n_before = len(self.problems)
        if col.type in ("str", "category"):
            out = self._text(col, raw, refs)
        elif col.type in ("int", "float"):
            out = self._number(col, raw)
        elif col.type == "bool":
            out = self._bool(col, raw)
        elif col.type in ("date", "datetime", "month"):
            out = self._datetime(col, raw)
        else:  # pragma: no cover - the contract test keeps types known
            raise ValueError(f"contract column {col.name!r} has unknown type {col.type!r}")
        return out if len(self.problems) == n_before else None

    def _text(self, col: Column, raw: pd.Series, refs: _References) -> pd.Series:
        # A column read as a dictionary (category codes + their few distinct texts) is checked
        # on its distinct texts and the results spread to the rows by code: a few passes over
        # small integers instead of a dozen over millions of strings.
        if isinstance(raw.dtype, pd.CategoricalDtype) and (
            pd.api.types.infer_dtype(raw.dtype.categories, skipna=True) == "string"
        ):
            cats = raw.cat.categories
            rows = np.asarray(raw.cat.codes, dtype=np.int64)
            rows = np.where(rows < 0, len(cats), rows)
            used = np.bincount(rows, minlength=len(cats) + 1) > 0
            # a category no row uses is left out (as empty): it is not a value of the file
            arr = pa.array(
                [c if u else None for c, u in zip(cats, used, strict=False)] + [None], pa.string()
            )

            def spread(mask: np.ndarray) -> np.ndarray:
                return mask[rows]

            not_text = np.zeros(len(arr), dtype=bool)
        else:
            arr, not_text = _text_array(raw)
            rows = None

            def spread(mask: np.ndarray) -> np.ndarray:
                return mask

        self.flag_values(
            col.name,
            "are not text (a number, date or true/false where text is expected)",
            spread(not_text),
            raw,
        )
        length = pc.utf8_length(arr)
        blank_v = _np_bool(pc.or_(pc.equal(length, 0), pc.utf8_is_space(arr)), True) & ~not_text
        too_long_v = _np_bool(pc.greater(length, MAX_TEXT_LENGTH), False)
        blank, too_long = spread(blank_v), spread(too_long_v)
        self.flag_values(
            col.name,
            f"are longer than {MAX_TEXT_LENGTH:,} characters (too long for an id or code)",
            too_long,
            raw,
        )
        allowed, what = self._allowed(col, refs)
        if allowed is not None:
            known = _np_bool(pc.is_in(arr, value_set=pa.array(sorted(allowed))), False)
            unknown = spread(~blank_v & ~too_long_v & ~not_text & ~known)
            self.flag_values(col.name, what, unknown, raw)
        is_district = col.name == self.extract.district_column
        if is_district:
            named = spread(_np_bool(pc.equal(arr, UNASSIGNED), False))
            self.report.unassigned_in_file = int(named.sum())
        unassigned_v = np.zeros(0, dtype=bool)
        if blank.any() and not col.nullable:
            if is_district:
                unassigned_v = blank_v
                self.report.unassigned_mapped = int(blank.sum())
            else:
                self.flag_values(col.name, "are empty (this column must have a value)", blank, raw)
        if col.type == "str":
            first = pc.utf8_slice_codeunits(arr, 0, 1)
            formula_v = _np_bool(pc.is_in(first, value_set=pa.array(FORMULA_PREFIXES)), False)
            formula = spread(formula_v)
            if formula.any():
                self.report.formula_like_cells += int(formula.sum())
                for r in self.rownum[np.flatnonzero(formula)[:MAX_EXAMPLES]].tolist():
                    if len(self.report.formula_like_examples) < MAX_EXAMPLES:
                        self.report.formula_like_examples.append(f"row {r}, column '{col.name}'")
        if col.type == "category":
            categories = sorted(allowed - {UNASSIGNED}) + [UNASSIGNED] if is_district else None
            out = _categorical(arr, blank_v, unassigned_v, categories or col.allowed)
            if rows is not None:
                out = pd.Categorical.from_codes(out.codes[rows], dtype=out.dtype)
        elif rows is not None:
            out = _compact_text(arr.take(pa.array(rows)), blank)
        else:
            out = _compact_text(arr, blank)
        return pd.Series(out, index=raw.index, name=col.name, copy=False)

    def _allowed(self, col: Column, refs: _References) -> tuple[frozenset[str] | None, str]:
        if col.name == self.extract.district_column:
            return refs.districts | {UNASSIGNED}, (
                f"are not a district of {refs.district_source} (nor '{UNASSIGNED}')"
            )
        if _FORCE_COLUMNS.get(self.extract.name) == col.name:
            return refs.forces, f"are not a force of {refs.force_source}"
        if col.allowed:
            listed = ", ".join(col.allowed) if len(col.allowed) <= 15 else "see data/README.md"
            return frozenset(col.allowed), f"are not one of the allowed values ({listed})"
        return None, ""

    def _number(self, col: Column, raw: pd.Series) -> pd.Series:
        n_before = len(self.problems)
        kind = "a whole number" if col.type == "int" else "a number"
        dt = raw.dtype
        if ptypes.is_bool_dtype(dt) or ptypes.is_datetime64_any_dtype(dt):
            self.flag_values(col.name, f"are not {kind} (the column holds {dt})", raw.notna(), raw)
            return raw
        if isinstance(dt, np.dtype) and dt.kind in "iu":
            # plain integers: nothing empty, fractional or infinite; only the range to check
            values = raw.to_numpy()
            if col.minimum is not None:
                low = values < col.minimum
                self.flag_values(
                    col.name, f"are below the minimum {format_number(col.minimum)}", low, raw
                )
            if col.maximum is not None:
                high = values > col.maximum
                self.flag_values(
                    col.name, f"are above the maximum {format_number(col.maximum)}", high, raw
                )
            kept = "float64" if col.type == "float" else "Int64" if col.nullable else "int64"
            return raw.astype(kept, copy=False).rename(col.name, copy=False)
        if ptypes.is_numeric_dtype(dt):
            num = raw.to_numpy(dtype="float64", na_value=np.nan)
            blank = np.isnan(num)
            unparsed = np.zeros(len(raw), dtype=bool)
        else:
            codes, uniques = pd.factorize(raw.to_numpy(dtype=object, na_value=None))
            u = pd.Series(uniques, dtype=object)
            u_blank = u.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
            u_bool = u.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
            u_num = pd.to_numeric(u.where(~u_blank & ~u_bool), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
            num = np.append(u_num, np.nan)[codes]
            blank = (codes == -1) | np.append(u_blank, False)[codes]
            unparsed = ~blank & np.isnan(num)
        self.flag_values(col.name, f"are not {kind}", unparsed, raw)
        finite = ~np.isnan(num)
        self.flag_values(col.name, "are infinite", finite & np.isinf(num), raw)
        finite &= ~np.isinf(num)
        if col.type == "int":
            fractional = np.zeros(len(num), dtype=bool)
            fractional[finite] = np.mod(num[finite], 1) != 0
            self.flag_values(col.name, "are not a whole number", fractional, raw)
        if not col.nullable:
            self.flag_values(col.name, "are empty (this column must have a value)", blank, raw)
        if col.minimum is not None:
            low = np.zeros(len(num), dtype=bool)
            low[finite] = num[finite] < col.minimum
            self.flag_values(
                col.name, f"are below the minimum {format_number(col.minimum)}", low, raw
            )
        if col.maximum is not None:
            high = np.zeros(len(num), dtype=bool)
            high[finite] = num[finite] > col.maximum
            self.flag_values(
                col.name, f"are above the maximum {format_number(col.maximum)}", high, raw
            )
        s = pd.Series(num, index=raw.index, name=col.name)
        if col.type == "float" or len(self.problems) > n_before:
            return s
        return s.astype("Int64" if col.nullable else "int64")

    def _bool(self, col: Column, raw: pd.Series) -> pd.Series:
        dt = raw.dtype
        if ptypes.is_bool_dtype(dt) and not isinstance(dt, pd.BooleanDtype):
            return raw.astype(bool).rename(col.name)
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object, na_value=None))
        mapped = [_as_bool(u) for u in uniques] + [None]  # the last one is for code -1 (empty)
        invalid = np.array([m is _INVALID for m in mapped], dtype=bool)[codes]
        blank = np.array([m is None for m in mapped], dtype=bool)[codes]
        values = np.array([m is True for m in mapped], dtype=bool)[codes]
        self.flag_values(
            col.name, "are not true/false (use true/false, 1/0 or yes/no)", invalid, raw
        )
        if not col.nullable:
            self.flag_values(col.name, "are empty (this column must have a value)", blank, raw)
            return pd.Series(values, index=raw.index, name=col.name)
        if not (blank | invalid).any():  # complete: plain bool, as from a non-nullable column
            return pd.Series(values, index=raw.index, name=col.name)
        return pd.Series(
            pd.arrays.BooleanArray(values, blank | invalid), index=raw.index, name=col.name
        )

    def _datetime(self, col: Column, raw: pd.Series) -> pd.Series:
        dt_ = raw.dtype
        form = _EXPECTED_FORM[col.type]
        noun = {"date": "a date", "datetime": "a date and time", "month": "a month"}[col.type]
        earliest = np.datetime64(EARLIEST_DATE, "s")
        latest = self.latest[0] if self.latest else np.datetime64(f"{_NS_YEARS[1]}-12-31", "s")
        n = len(raw)
        # Cells holding a date that datetime64[ns] cannot (before 1678, after 2261): refused as
        # too early or too late, and left empty in the converted column rather than overflowing.
        far_early = np.zeros(n, dtype=bool)
        far_late = np.zeros(n, dtype=bool)
        if isinstance(dt_, pd.DatetimeTZDtype):
            self.flag_values(
                col.name, "have a time zone (give local times without one)", raw.notna(), raw
            )
            return raw
        if isinstance(dt_, pd.PeriodDtype):
            years = raw.dt.year.to_numpy(dtype="float64", na_value=np.nan)
            far_early, far_late = years < _NS_YEARS[0], years > _NS_YEARS[1]
            parsed = raw.where(~(far_early | far_late)).dt.to_timestamp()
            blank = raw.isna().to_numpy() & ~far_early & ~far_late
            unparsed = np.zeros(n, dtype=bool)
        elif ptypes.is_datetime64_dtype(dt_):
            # compared in the file's own unit (parquet: ms or us), before any conversion to ns
            own = raw.to_numpy()
            far_early, far_late = own < earliest, own > latest
            safe = np.where(far_early | far_late, np.datetime64("NaT"), own)
            parsed = pd.Series(safe.astype("datetime64[ns]"), index=raw.index)
            blank = np.isnat(own)
            unparsed = np.zeros(n, dtype=bool)
        elif ptypes.is_object_dtype(dt_) or ptypes.is_string_dtype(dt_):
            parsed, blank, unparsed, zoned, far_early, far_late = _parse_datetimes(raw, col.type)
            self.flag_values(
                col.name, "have a time zone (give local times without one)", zoned, raw
            )
            unparsed &= ~zoned
        else:
            self.flag_values(col.name, f"are not {noun} (the column holds {dt_})", raw.notna(), raw)
            return raw
        self.flag_values(col.name, f"are not {noun} in the form {form}", unparsed, raw)
        values = parsed.to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(values)
        early = far_early | (ok & (values < earliest))
        late = far_late | (ok & (values > latest))
        self.flag_values(
            col.name,
            f"are before {EARLIEST_DATE} (the earliest date the contract accepts)",
            early,
            raw,
        )
        if self.latest:
            self.flag_values(
                col.name,
                f"are after the extract's own date ({self.latest[1]}; a file cannot hold "
                "records from after it was written)",
                late,
                raw,
            )
        ok &= ~early & ~late
        if col.type == "date":
            timed = ok & (values != values.astype("datetime64[D]"))
            self.flag_values(
                col.name, f"have a time of day (a date {form} is expected)", timed, raw
            )
        elif col.type == "month":
            not_first = ok & (values != values.astype("datetime64[M]"))
            self.flag_values(
                col.name, f"are not a month ({form}, or a date on the 1st)", not_first, raw
            )
        if not col.nullable:
            self.flag_values(col.name, "are empty (this column must have a value)", blank, raw)
        return pd.Series(values, index=raw.index, name=col.name)


_INVALID = object()


def _as_bool(u):
    """Map one distinct cell value to True, False, None (empty) or ``_INVALID``."""
    if u is None or (isinstance(u, float) and np.isnan(u)):
        return None
    if isinstance(u, bool | np.bool_):
        return bool(u)
    if isinstance(u, str):
        t = u.strip().lower()
        return True if t in _TRUE else False if t in _FALSE else None if not t else _INVALID
    if isinstance(u, int | float | np.integer | np.floating) and u in (0, 1):
        return bool(u)
    return _INVALID


#: The dtype of ``str`` columns: Arrow-backed text (one buffer, not a Python object per row) with
#: NumPy semantics: empty is ``NaN``, comparisons give plain ``bool`` (False where empty).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


def _compact_text(arr: pa.Array, blank: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Return an Arrow string array as :data:`TEXT_DTYPE`, ``blank`` cells empty (no copy if none)."""
    if blank.any():
        arr = pc.if_else(pa.array(blank), pa.scalar(None, arr.type), arr)
    return pd.array(arr, dtype=TEXT_DTYPE)


def _categorical(
    arr: pa.Array, blank: np.ndarray, unassigned: np.ndarray, categories
) -> pd.Categorical:
    """Return an Arrow string array as a Categorical of ``categories`` (empty: NaN).

    ``categories`` are the contract's allowed values (the reference districts and ``Unassigned``
    for the district), so a frame has the same categories whatever months it holds; ``None``
    (a category column without a list) takes the values present, sorted. ``unassigned`` marks
    empty districts, loaded as ``Unassigned``. A value outside the categories (already reported
    as a problem) is empty.
    """
    if categories is None:
        present = pc.unique(pc.drop_null(arr)).to_pylist()
        categories = sorted(v for v in present if v.strip())
    categories = list(categories)
    codes = pc.fill_null(pc.index_in(arr, value_set=pa.array(categories, pa.string())), -1)
    codes = codes.to_numpy(zero_copy_only=False).astype(np.int32)
    codes[blank] = -1
    if unassigned.any():
        codes[unassigned] = categories.index(UNASSIGNED)
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(pd.Index(categories, dtype=object))
    )


def arrow_text(raw: pd.Series) -> pa.Array:
    """A text column as one Arrow string array, empty cells null (no copy for Arrow-backed text).

    Ids written as whole numbers become their digits, as the loader reads them. Hashing, joining
    and ranking ids then run in Arrow's C++ kernels rather than on millions of Python ``str``
    objects (pandas' ``isin``/``factorize`` on Arrow strings build those objects first).
    """
    return _text_array(raw)[0]


def arrow_ids(raw: pd.Series) -> pa.Array:
    """:func:`arrow_text` for hashing, ranking and joining: 32-bit offsets where the text fits,
    which Arrow's kernels hash a fifth faster than ``large_string`` (the loaded columns' storage)."""
    arr = arrow_text(raw)
    if pa.types.is_large_string(arr.type) and arr.nbytes < 2**31 - 2**24:
        arr = arr.cast(pa.string())
    return arr


def _text_array(raw: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Return a column as an Arrow string array, and a mask of cells that are not text.

    The array is ``large_string``, the storage of :data:`TEXT_DTYPE`, so the loaded column is the
    checked array itself rather than a converted copy.
    """
    dt = raw.dtype
    if (
        isinstance(dt, pd.ArrowDtype)
        and (pa.types.is_string(dt.pyarrow_dtype) or pa.types.is_large_string(dt.pyarrow_dtype))
    ) or (isinstance(dt, pd.StringDtype) and dt.storage == "pyarrow"):
        arr = pa.array(raw)  # a ChunkedArray when the file has several row groups
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(pa.large_string()), np.zeros(len(raw), dtype=bool)
    if (
        isinstance(dt, pd.CategoricalDtype)
        and pd.api.types.infer_dtype(dt.categories, skipna=True) == "string"
    ):
        decoded = pa.array(raw).dictionary_decode().cast(pa.large_string())
        return decoded, np.zeros(len(raw), dtype=bool)
    if ptypes.is_object_dtype(dt):
        # The usual case (CSV, or parquet read elsewhere): str with None/NaN for empty.
        with contextlib.suppress(pa.ArrowTypeError, pa.ArrowInvalid):
            values = raw.to_numpy(dtype=object)
            return (
                pa.array(values, type=pa.large_string(), from_pandas=True),
                np.zeros(len(raw), bool),
            )
    values, not_text = _text_values(raw)
    return pa.array(values, type=pa.large_string(), from_pandas=True), not_text


def _text_values(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return a column's cells as an object array of str/None, and a mask of non-text cells."""
    dt = raw.dtype
    n = len(raw)
    none = np.full(n, None, dtype=object)
    if isinstance(dt, pd.CategoricalDtype):
        return _text_values(raw.astype(object))
    if (
        ptypes.is_bool_dtype(dt)
        or ptypes.is_datetime64_any_dtype(dt)
        or ptypes.is_timedelta64_dtype(dt)
    ):
        return none, raw.notna().to_numpy()
    if ptypes.is_integer_dtype(dt):
        # Ids written as integers (e.g. a 999 line code) are text with digits.
        return raw.astype("string").to_numpy(dtype=object, na_value=None), np.zeros(n, bool)
    if ptypes.is_float_dtype(dt):
        num = raw.to_numpy(dtype="float64", na_value=np.nan)
        whole = ~np.isnan(num) & (np.mod(num, 1) == 0) & (np.abs(num) < 2**53)
        out = none.copy()
        out[whole] = [str(int(v)) for v in num[whole]]
        return out, ~np.isnan(num) & ~whole
    if ptypes.is_string_dtype(dt) and not ptypes.is_object_dtype(dt):
        return raw.to_numpy(dtype=object, na_value=None), np.zeros(n, bool)
    # Mixed Python objects (rare: hand-built parquet). Decide per distinct value.
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
    u_text = np.full(len(uniques) + 1, None, dtype=object)
    u_bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(uniques):
        if isinstance(u, str):
            u_text[i] = u
        elif isinstance(u, int | np.integer) and not isinstance(u, bool | np.bool_):
            u_text[i] = str(int(u))
        elif isinstance(u, float) and np.isnan(u):
            pass
        else:
            u_bad[i] = True
    return u_text[codes], u_bad[codes]


def _parse_datetimes(raw: pd.Series, kind: str):
    """Parse text (or date objects) into datetime64[ns].

    Returns parsed, blank, unparsed, zoned, far_early, far_late: the last two mark well-formed
    dates that datetime64[ns] cannot hold (before 1678 or after 2261), left empty in ``parsed``.
    """
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object, na_value=None))
    u = pd.Series(uniques, dtype=object)
    is_str = u.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    u_blank = np.zeros(len(u), dtype=bool)
    u_zoned = np.zeros(len(u), dtype=bool)
    u_year = np.zeros(len(u), dtype=np.int64)  # the year of a date too far to parse, else 0
    parsed = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    if is_str.any():
        text = u[is_str].astype(str)
        blank = text.str.strip() == ""
        u_blank[np.flatnonzero(is_str)[blank.to_numpy()]] = True
        text = text[~blank]
        first = pd.to_datetime(text, format=_PRIMARY_FORMAT[kind], errors="coerce")
        parsed.loc[first.index] = first
        rest = text[first.isna()]
        if len(rest):
            zoned = rest.str.contains(_TZ_RE, regex=True)
            u_zoned[zoned.index[zoned.to_numpy()]] = True
            candidates = rest[~zoned & rest.str.match(_FULL_DATE_RE)]
            if len(candidates):
                second = pd.to_datetime(candidates, format="ISO8601", errors="coerce")
                if isinstance(second.dtype, pd.DatetimeTZDtype):  # pragma: no cover - filtered
                    second = second.dt.tz_localize(None)
                parsed.loc[second.index] = second.astype("datetime64[ns]")
            # pandas leaves a well-formed date it cannot hold (year 2300) empty: find its year
            for i, t in rest[~zoned & parsed.loc[rest.index].isna()].items():
                u_year[i] = _far_year(t, kind)
    others = ~is_str & u.notna().to_numpy()
    if others.any():
        # date/datetime objects (parquet date32, hand-built frames)
        for i in np.flatnonzero(others):
            try:
                ts = pd.Timestamp(u.iloc[i])
                if ts.tzinfo is not None:
                    u_zoned[i] = True
                elif not _NS_YEARS[0] <= ts.year <= _NS_YEARS[1]:
                    u_year[i] = ts.year
                else:
                    parsed.iloc[i] = ts
            except (TypeError, ValueError, OverflowError):
                pass
    u_parsed = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    values = u_parsed[codes]
    blank = (codes == -1) | np.append(u_blank, False)[codes]
    zoned = np.append(u_zoned, False)[codes]
    year = np.append(u_year, 0)[codes]
    far_early = (year != 0) & (year < _NS_YEARS[0])
    far_late = year > _NS_YEARS[1]
    unparsed = ~blank & np.isnat(values) & ~far_early & ~far_late
    return pd.Series(values, index=raw.index), blank, unparsed, zoned, far_early, far_late


def _far_year(text: str, kind: str) -> int:
    """The year of a well-formed date, date-time or month outside datetime64[ns]'s years, else 0."""
    t = text.strip()
    try:
        value = dt.datetime.fromisoformat(t + "-01" if kind == "month" and len(t) <= 7 else t)
    except ValueError:
        return 0
    if value.tzinfo is not None or _NS_YEARS[0] <= value.year <= _NS_YEARS[1]:
        return 0
    return value.year


def latest_accepted(path: Path, now: dt.datetime | None = None) -> tuple[np.datetime64, str]:
    """Return the latest date a file may hold, and the reason to give when a date is later.

    The extract's own date is the file's modification time: a file cannot record events after it
    was written. If that time is in the future (a clock or a copy gone wrong), now is used instead.
    :data:`helpers.contract.LATEST_DATE_GRACE_HOURS` are added: the records hold local times
    without a zone, the file's time is the machine's.
    """
    written = dt.datetime.fromtimestamp(path.stat().st_mtime)
    now = dt.datetime.now() if now is None else now
    if written <= now:
        basis = f"the file was last modified {written:%Y-%m-%d %H:%M}"
    else:
        basis = f"today is {now:%Y-%m-%d}; the file's modification time {written:%Y-%m-%d} is in the future"
    limit = min(written, now) + dt.timedelta(hours=LATEST_DATE_GRACE_HOURS)
    return np.datetime64(limit.replace(microsecond=0), "s"), basis


def _blank_lines(raw: pd.DataFrame) -> np.ndarray:
    """Mask of CSV lines whose every cell is empty (cheap first test on the first column)."""
    if raw.shape[1] == 0 or not len(raw):
        return np.zeros(len(raw), dtype=bool)
    mask = (raw.iloc[:, 0] == "").to_numpy()
    if mask.any():
        mask[mask] = (raw.loc[mask] == "").all(axis=1).to_numpy()
    return mask


#: Rules between columns of one row: (extract, column, columns shown, what, rows breaking it).
_ROW_RULES: tuple[tuple[str, str, tuple[str, ...], str, Callable[[pd.DataFrame], pd.Series]], ...] = (
    ("crimes", "outcome_date", ("recorded_date", "outcome_date"), "have an outcome date before the recorded date",
     lambda f: f["outcome_date"] < f["recorded_date"]),
    ("crimes", "outcome_date", ("outcome_type", "outcome_date"),
     "have only one of outcome_type and outcome_date (both or neither)",
     lambda f: f["outcome_type"].isna() != f["outcome_date"].isna()),
    ("incidents", "arrived_at", ("opened_at", "arrived_at"), "have an arrival before the incident was opened",
     lambda f: f["arrived_at"] < f["opened_at"]),
    ("calls", "calls_answered", ("calls_offered", "calls_answered"), "answer more calls than were offered",
     lambda f: f["calls_answered"] > f["calls_offered"]),
    ("calls", "answered_within_standard", ("calls_answered", "answered_within_standard"),
     "answer more calls within the standard than were answered",
     lambda f: f["answered_within_standard"] > f["calls_answered"]),
    ("confidence_survey", "agreeing", ("respondents", "agreeing"), "have more respondents agreeing than answering",
     lambda f: f["agreeing"] > f["respondents"]),
)  # fmt: skip


def _limit_rules(extract: Extract) -> list[tuple]:
    """The contract's plausible bounds between columns (``Column.limits``) as ``_ROW_RULES``."""
    rules = []
    for col in extract.columns:
        for limit in col.limits:
            if isinstance(limit, MaxDelay):
                shown = (limit.after, col.name)
                what = f"are more than {format_duration(limit.hours)} after {limit.after}"
                if limit.when:
                    shown += (limit.when[0],)
                    what += f" (where {limit.when[0]} is {limit.when[1]})"

                def rule(f, c=col.name, lim=limit):
                    late = (f[c] - f[lim.after]) > pd.Timedelta(hours=lim.hours)
                    return late & (f[lim.when[0]] == lim.when[1]) if lim.when else late

            elif isinstance(limit, MaxPer):
                shown = (limit.per, col.name)
                what = f"are more than {format_number(limit.maximum)} × {limit.per}"

                def rule(f, c=col.name, lim=limit):
                    return f[c] > lim.maximum * f[lim.per]

            else:  # pragma: no cover - the contract test keeps limits known
                raise TypeError(f"contract column {col.name!r}: unknown limit {limit!r}")
            rules.append((extract.name, col.name, shown, what, rule))
    return rules


#: Links between extracts: (child, column, parent, parent column).
_LINKS = (
    ("crime_offenders", "crime_id", "crimes", "crime_id"),
    ("casualties", "collision_id", "collisions", "collision_id"),
)


def _validate_file(
    name: str, path: Path, refs: _References
) -> tuple[pd.DataFrame | None, ExtractReport, list[Problem], np.ndarray]:
    """Read and check one file; return the frame (None if it broke the contract)."""
    extract = _extract(name)
    display = display_name(path)
    is_csv = not path.name.endswith(".parquet")
    report = ExtractReport(name, display, "csv" if is_csv else "parquet")
    try:
        categories = tuple(c.name for c in extract.columns if c.type == "category")
        raw = _read_csv(path) if is_csv else _read_parquet(path, categories)
    except _Unreadable as e:
        return None, report, [Problem(display, None, f"the file {e}")], np.array([], dtype=int)
    first_row = 2 if is_csv else 1
    rownum = np.arange(len(raw), dtype=np.int64) + first_row
    if is_csv:
        blank = _blank_lines(raw)
        if blank.any():
            report.blank_lines_skipped = int(blank.sum())
            raw = raw.loc[~blank].reset_index(drop=True)
            rownum = rownum[~blank]
    report.rows_read = len(raw)
    check = _FileCheck(extract, display, rownum, report, latest_accepted(path))

    wanted = extract.column_names
    present = [str(c) for c in raw.columns]
    for c in sorted({c for c in present if present.count(c) > 1}):
        check.problem(c, "appears more than once in the header")
    extra = list(dict.fromkeys(c for c in present if c not in wanted))
    report.extra_columns_ignored = extra
    for c in wanted:
        if c not in present:
            near = [e for e in extra if e.strip().lower() == c.lower()]
            hint = f" (found {near[0]!r}: names are exact, lower case, no spaces)" if near else ""
            check.problem(c, f"is missing{hint}")
    if not len(raw):
        check.problem(None, "has no rows (an empty extract); leave the file out instead")
    if check.problems:
        return None, report, check.problems, rownum

    converted = {}
    for col in extract.columns:
        # popped, so the file's copy of each column is freed as soon as it is converted
        converted[col.name] = check.convert(col, raw.pop(col.name), refs)
    del raw
    failed = {c for c, s in converted.items() if s is None}
    # copy=False: the checked columns become the frame as they are (no copy into 2-D blocks)
    frame = pd.DataFrame({c: s for c, s in converted.items() if s is not None}, copy=False)

    if extract.unique and not failed & set(extract.unique):
        keys = list(extract.unique)
        dup = _repeated(frame[keys[0]]) if len(keys) == 1 else _repeated_pairs(frame, keys)
        if dup.any():
            label = " + ".join(keys)
            check.flag(
                keys[0] if len(keys) == 1 else label,
                f"repeat a value that must be unique ({label})",
                dup,
                lambda pos: [" / ".join(_show(frame[k].iloc[i]) for k in keys) for i in pos],
            )
    for ext, column, shown, what, rule in (*_ROW_RULES, *_limit_rules(extract)):
        if ext == name and not failed & set(shown):
            broken = rule(frame).to_numpy(dtype=bool, na_value=False)
            check.flag(
                column,
                what,
                broken,
                lambda pos, shown=shown: [
                    ", ".join(f"{c}={_show(frame[c].iloc[i])}" for c in shown) for i in pos
                ],
            )
    if check.problems:
        return None, report, check.problems, rownum

    report.rows_loaded = len(frame)
    if extract.date_column:
        dates = frame[extract.date_column]
        report.date_from = dates.min().date().isoformat()
        report.date_to = dates.max().date().isoformat()
        ords, valid = month_ordinals(dates.to_numpy(dtype="datetime64[ns]"))
        if valid.any():
            first = int(ords[valid].min())
            codes = np.where(valid, ords - first, -1)
            counts = np.bincount(codes[valid])
            present = np.flatnonzero(counts)
            labels = month_labels(present + first)
            report.rows_by_month = {
                str(m): int(n) for m, n in zip(labels, counts[present], strict=True)
            }
            _recorded_report(extract, frame, report, codes, counts, labels)
    return frame, report, [], rownum


def month_ordinals(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Months since January 1970 (``pd.Period.ordinal``) of datetime64 values, and a valid mask.

    Whole days, then a day -> month table over the span: one integer pass instead of a calendar
    conversion per row (the data spans a few thousand days; the rows are millions). NaT -> 0.
    """
    ns = np.asarray(values, dtype="datetime64[ns]")
    valid = ~np.isnat(ns)
    if not valid.any():
        return np.zeros(len(ns), dtype=np.int64), valid
    days = ns.view(np.int64) // 86_400_000_000_000
    lo, hi = int(days[valid].min()), int(days[valid].max())
    table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return table[np.where(valid, days - lo, 0)] * valid, valid


def month_labels(ords: np.ndarray) -> np.ndarray:
    """``YYYY-MM`` for month ordinals."""
    return np.datetime_as_string(np.asarray(ords, dtype="datetime64[M]"), unit="M")


def ids_ascend(arr: pa.Array) -> bool:
    """Whether each id is greater (as text) than the one before it: all different, in order."""
    n = len(arr)
    return n < 2 or bool(pc.all(pc.greater(arr.slice(1), arr.slice(0, n - 1))).as_py())


def _repeated(ids: pd.Series) -> np.ndarray:
    """True for every row whose id occurs more than once (hash-counted in Arrow, not Python).

    Extracts usually list their records in id order: ids that strictly ascend down the file are
    all different, which one comparison pass shows without hashing millions of ids.
    """
    arr = arrow_ids(ids)
    if arr.null_count == 0 and ids_ascend(arr):
        return np.zeros(len(arr), dtype=bool)
    enc = pc.dictionary_encode(arr)
    codes = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
    counts = np.bincount(codes, minlength=len(enc.dictionary) + 1)
    counts[len(enc.dictionary)] = 0  # empty ids are reported as empty, not as repeats
    return counts[codes] > 1


def _repeated_pairs(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """True for every row whose combination of ``keys`` occurs more than once.

    Each key is coded (text in Arrow, others by ``factorize``) and the codes combined into one
    integer per row, so the check hashes integers rather than tuples of Python objects.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    for k in keys:
        s = frame[k]
        if isinstance(s.dtype, pd.StringDtype):
            enc = pc.dictionary_encode(arrow_ids(s))
            codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            n = len(enc.dictionary)
        else:
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            n = len(uniques)
        if combined.any() and (n + 1) * (int(combined.max()) + 1) >= 2**62:
            _, combined = np.unique(combined, return_inverse=True)  # keep the product in range
        combined = combined * (n + 1) + (codes + 1)
    return pd.Series(combined).duplicated(keep=False).to_numpy()


def _recorded_report(
    extract: Extract,
    frame: pd.DataFrame,
    report: ExtractReport,
    codes: np.ndarray,
    counts: np.ndarray,
    labels: np.ndarray,
) -> None:
    """Fill ``not_recorded`` and ``empty_where_recorded`` for the columns a source may lack.

    ``codes``: each row's month as a number from the first month (-1 where undated); ``counts``:
    rows per month number; ``labels``: ``YYYY-MM`` of the months with rows.
    """
    cols = [c.name for c in extract.columns if c.empty_is_unrecorded]
    if not cols or not len(frame):
        return
    dated = codes >= 0
    present = np.flatnonzero(counts)
    per_month = counts[present]
    for c in cols:
        filled = codes[dated & frame[c].notna().to_numpy()]
        filled = np.bincount(filled, minlength=len(counts))[present]
        none = filled == 0
        if none.any():
            report.not_recorded[c] = [str(m) for m in labels[none]]
        partial = int((per_month - filled)[~none].sum())
        if partial:
            report.empty_where_recorded[c] = partial


def _link_problems(
    frames: dict[str, pd.DataFrame], reports: dict[str, ExtractReport], rownums: dict
) -> list[Problem]:
    """Check that ids pointing into another extract exist there."""
    problems = []
    for child, column, parent, parent_column in _LINKS:
        if child in frames and parent in frames:
            values = frames[child][column]
            known = pc.is_in(arrow_ids(values), value_set=arrow_ids(frames[parent][parent_column]))
            orphan = ~_np_bool(known, False)
            check = _FileCheck(EXTRACTS[child], reports[child].file, rownums[child], reports[child])
            check.flag_values(
                column, f"are not a {parent_column} of {reports[parent].file}", orphan, values
            )
            problems += check.problems
    return problems


# --------------------------------------------------------------------------- public API
def load_extract(
    data_dir, name: str, report: LoadReport | None = None, *, reference_dir: Path = REFERENCE_DIR
) -> pd.DataFrame:
    """Read one extract, check it against the contract and return it in the contract's dtypes.

    Parameters
    ----------
    data_dir
        The extract folder (relative paths are from the project root).
    name
        The extract's name in :data:`helpers.contract.EXTRACTS`.
    report
        Optional :class:`LoadReport` to record the file's reconciliation in.
    reference_dir
        Where ``districts.csv`` and ``msg_forces.csv`` are.

    Raises
    ------
    DataValidationError
        The file is missing, unreadable or breaks the contract (every problem listed).
    KeyError
        ``name`` is not an extract of the contract.
    """
    return load_extracts(data_dir, [name], report, reference_dir=reference_dir, required=True)[name]


def load_extracts(
    data_dir,
    names: Iterable[str] | None = None,
    report: LoadReport | None = None,
    *,
    reference_dir: Path = REFERENCE_DIR,
    required: bool = False,
) -> dict[str, pd.DataFrame]:
    """Read and check every extract present (or those named); return them all or raise.

    Every file is validated before any frame is returned: if one breaks the contract, a single
    :class:`DataValidationError` lists the problems of every bad file and no frame is returned.
    Absent extracts are simply not in the dict (partial folders are allowed: their areas show
    "no data for this area"); with ``required=True`` a named extract without a file is an error.

    Parameters
    ----------
    data_dir
        The extract folder (relative paths are from the project root).
    names
        Extracts to read (default: every contract extract with a file).
    report
        Optional :class:`LoadReport`, filled with the reconciliation of each file.
    reference_dir
        Where ``districts.csv`` and ``msg_forces.csv`` are.
    required
        Treat a named extract without a file as an error.

    Returns
    -------
    dict
        Extract name → DataFrame in contract column order and dtypes.

    Examples
    --------
    >>> report = LoadReport()
    >>> frames = load_extracts("data/demo", ["workforce"], report)  # doctest: +SKIP
    >>> report.extracts["workforce"].rows_read == len(frames["workforce"])  # doctest: +SKIP
    True
    """
    d = resolve_path(data_dir)
    report = report if report is not None else LoadReport()
    report.extracts, report.absent, report.errors = {}, [], []  # a reused report starts afresh
    report.data_dir = display_name(d)
    wanted = list(EXTRACTS) if names is None else [_extract(n).name for n in names]
    refs = _References.read(Path(reference_dir))
    report.ignored_files = _ignored_files(d)

    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    rownums: dict[str, np.ndarray] = {}
    with reuse_freed_memory():
        for name in wanted:
            path = extract_path(d, name)
            if path is None:
                report.absent.append(name)
                if required:
                    shown = display_name(d / f"{name}.parquet")
                    problems.append(
                        Problem(shown, None, f"file not found (nor {name}.csv or {name}.csv.gz)")
                    )
                continue
            frame, rep, file_problems, rownum = _validate_file(name, path, refs)
            report.extracts[name] = rep
            rownums[name] = rownum
            problems += file_problems
            if frame is not None:
                frames[name] = frame
        problems += _link_problems(frames, report.extracts, rownums)
    if problems:
        report.errors = [f"{p.file}: {p.describe()}" for p in problems]
        for name in frames:
            report.extracts[name].rows_loaded = 0
        raise _error(problems)
    return frames


@contextlib.contextmanager
def reuse_freed_memory():
    """While reading extracts or building the cube, keep freed large arrays for reuse (glibc).

    glibc gives each allocation over 32 MB fresh pages from the kernel and hands them back when
    freed, so at scale 16 (temporaries of 40-180 MB) every temporary is zeroed by the kernel again:
    6 s of system time in a 17 s cube build, against 0.1 s at scale 1 where the temporaries are
    small enough to be recycled by malloc itself. Raising glibc's mmap and trim thresholds for the
    duration recycles the large ones too; on leaving, the thresholds go back to glibc's default and
    the free memory is returned to the system. Elsewhere than glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        yield
        return
    m_trim_threshold, m_mmap_threshold, default = -1, -3, 128 * 1024
    changed = bool(mallopt(m_mmap_threshold, 1 << 30)) and bool(mallopt(m_trim_threshold, 1 << 30))
    try:
        yield
    finally:
        if changed:
            mallopt(m_mmap_threshold, default)
            mallopt(m_trim_threshold, default)
            trim(0)


def load_report(data_dir, month=None) -> dict:
    """Validate a folder and return its load report as a dict for the run record.

    Never raises for bad data: the report's ``errors`` then say what is wrong. With the report
    ``month`` each extract carries its ``reconciliation`` (rows read, counted, excluded and why).
    The folder is read afresh every time (under a second at the demo's scale): a report kept from
    an earlier read could describe files since corrected. The report of the data a cube was built
    from travels with the cube (``helpers.cube.Cube.extracts_report``), so a pack's run record
    describes its snapshot even if the folder changes meanwhile.
    """
    report = LoadReport()
    with contextlib.suppress(DataValidationError):  # the report holds the errors
        load_extracts(data_dir, report=report)
    return report.to_dict(month)


def _ignored_files(d: Path) -> list[str]:
    """Files in the folder that no extract reads: shadowed duplicates and unknown names."""
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        suffix = next(
            (s for s in sorted(SUFFIXES, key=len, reverse=True) if p.name.endswith(s)), None
        )
        if suffix is None:
            continue
        stem = p.name[: -len(suffix)]
        chosen = extract_path(d, stem) if stem in EXTRACTS else None
        if chosen is None:
            out.append(f"{p.name} (not an extract of the contract)")
        elif chosen != p:
            out.append(f"{p.name} ({chosen.name} is read instead)")
    return out


def fingerprint(data_dir) -> str:
    """Return a sha256 identifying the extract files present (name, size and content).

    Two folders with the same extract files give the same fingerprint wherever they are; any change
    to a file's bytes changes it, whatever its size and modification time. For the run record and
    the cube's cache key (about 0.03 s for the demo's 40 MB: hashing runs at over 1 GB/s).
    """
    d = resolve_path(data_dir)
    entries = []
    for name in available_extracts(d):
        p = extract_path(d, name)
        with open(p, "rb") as fh:  # streamed: a file is never held in memory whole
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        entries.append((p.name, p.stat().st_size, digest))
    total = hashlib.sha256()
    for file_name, size, digest in sorted(entries):
        total.update(f"{file_name}\0{size}\0{digest}\n".encode())
    return total.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Check an extract folder: ``python -m helpers.loading data/my_extracts``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "data_dir", nargs="?", default=None, help="extract folder (default data/demo)"
    )
    parser.add_argument("--json", action="store_true", help="print the load report as JSON")
    args = parser.parse_args(argv)
    report = LoadReport()
    try:
        frames = load_extracts(args.data_dir, report=report)
    except DataValidationError as e:
        print(e)
        return 1
    if args.json:
        print(json.dumps({**report.to_dict(), "fingerprint": fingerprint(args.data_dir)}, indent=2))
    else:
        for name in frames:
            r = report.extracts[name]
            print(f"{r.file}: {r.rows_loaded:,} rows loaded of {r.rows_read:,} read"
                  + (f", {r.date_from} to {r.date_to}" if r.date_from else "")
                  + (f", {r.rows_unassigned:,} Unassigned" if r.rows_unassigned else ""))  # fmt: skip
        print(f"absent: {', '.join(report.absent) or 'none'}")
        for w in report.warnings():
            print(f"warning: {w}")
    return 0


if __name__ == "__main__":  # pragma: no cover - the CLI
    raise SystemExit(main())
