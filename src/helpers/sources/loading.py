"""Read extracts (parquet or CSV) into DuckDB and check them against the data contract.

Every extract is checked on read against :data:`helpers.contract.extracts.EXTRACTS` by SQL queries that
DuckDB runs over the file in place: the checks are generated from the contract (a column's type,
allowed values, range, emptiness; unique keys; the row rules and links it declares), so a rule
added to the contract is enforced without new code here. A file that breaks the contract raises
one :class:`DataValidationError` listing *all* its problems, each naming the file, the column, what
is wrong, how many rows, and up to five example rows with the offending value. Every file is
checked before any is used: nothing is ever half-loaded. ``data/README.md`` says what is accepted.

A checked extract becomes a table of the DuckDB connection, named after the extract, in the
contract's types (text: VARCHAR, NULL where empty; dates and months: TIMESTAMP; a month is its
first day; an empty district: ``Unassigned``) plus ``_row``, the row a spreadsheet shows (CSV: the
header is row 1; parquet: the first record is row 1). The measures (``helpers/measures/*.sql``)
read those tables; :func:`load_extracts` hands them to pandas instead.

A few checks are not queries and stay in Python: bytes that are not UTF-8 and NUL bytes in a CSV
(both named by byte offset and line: a guess at cp1252 would silently make one id two, and a NUL
would end a cell without a word), and a file that cannot be read at all. A DuckDB error never
reaches the user as it is: it becomes a problem naming the file (and the column when one is to
blame).

Hostile input: cells beginning ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) are loaded
as plain text, never evaluated, and counted in the load report (row and column, not the value);
text longer than 1,000 characters is refused; messages show at most 60 characters of a value and
name files relative to the project root (or by name only), never by an absolute path.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import PROJECT_ROOT, REFERENCE_DIR, resolve_path
from ..contract.extracts import (
    EARLIEST_DATE,
    EXTRACTS,
    LATEST_DATE_GRACE_HOURS,
    Column,
    Extract,
    MaxDelay,
    RowRule,
    format_duration,
    format_number,
)
from ..geography import UNASSIGNED

#: File suffixes an extract may have, in order of preference.
SUFFIXES = (".parquet", ".csv", ".csv.gz")
#: Longest text accepted in an id or category column.
MAX_TEXT_LENGTH = 1000
#: Example rows shown per problem.
MAX_EXAMPLES = 5
#: First characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: DuckDB's share of this machine's memory; beyond it, DuckDB spills to a temporary folder.
MEMORY_SHARE = 0.5
#: A time followed by a zone designator (``Z``, ``+01:00``, ``-0500``).
_TZ_RE = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)$"
_PRIMARY_FORMAT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S", "month": "%Y-%m"}
_EXPECTED_FORM = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM:SS", "month": "YYYY-MM"}
_NOUN = {"date": "a date", "datetime": "a date and time", "month": "a month"}
#: The DuckDB type of each contract type in a checked table.
SQL_TYPES = {"str": "VARCHAR", "category": "VARCHAR", "int": "BIGINT", "float": "DOUBLE",
             "bool": "BOOLEAN", "date": "TIMESTAMP", "datetime": "TIMESTAMP", "month": "TIMESTAMP"}  # fmt: skip
#: Columns, other than the district, whose values must appear in a reference table.
_FORCE_COLUMNS = {"confidence_survey": "force", "msg_peers": "force"}


# --------------------------------------------------------------------------- errors and reports
def _show(value) -> str:
    """Render an offending value for a message: quoted, at most 60 characters."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return "(empty)"
    if isinstance(value, str):
        if len(value) > 60:
            return repr(value[:60] + "…") + f" ({len(value):,} characters)"
        return repr(value)
    if isinstance(value, pd.Period):
        return str(value)
    if hasattr(value, "isoformat"):  # datetime, date, Timestamp
        return str(pd.Timestamp(value))
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
    #: The latest value of any of its date columns (ISO): the cache checks it against the file's
    #: own date (a file's modification time set back before its records no longer validates).
    latest_date: str | None = None
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
        return [text for _, text in self.warnings_by_extract()] + [
            f"Not read: {f}" for f in self.ignored_files
        ]

    def warnings_by_extract(self) -> list[tuple[str, str]]:
        """``(extract, warning)`` for every warning about the rows of an extract, in order."""
        out = []
        for name, r in self.extracts.items():
            if r.unassigned_mapped:
                out.append((name,
                    f"{r.file}: {_rows(r.unassigned_mapped)} with an empty district counted as "
                    f"'{UNASSIGNED}' (in the force total, in no LPA or district)."
                ))  # fmt: skip
            if r.unassigned_in_file:
                out.append((name,
                    f"{r.file}: {_rows(r.unassigned_in_file)} recorded as '{UNASSIGNED}' by the "
                    "source (no location, or outside the force's districts): in the force total, "
                    "in no LPA or district, so the LPAs add up to less than the force."
                ))  # fmt: skip
            if r.formula_like_cells:
                out.append((name,
                    f"{r.file}: {r.formula_like_cells:,} cell(s) look like spreadsheet formulas "
                    "(kept as plain text)."
                ))  # fmt: skip
            if r.extra_columns_ignored:
                out.append((name,
                    f"{r.file}: extra columns ignored: {', '.join(r.extra_columns_ignored)}."
                ))  # fmt: skip
            if r.not_recorded:
                cols = "; ".join(
                    f"{c} ({_month_ranges(ms, r.rows_by_month)})"
                    for c, ms in r.not_recorded.items()
                )
                out.append((name,
                    f"{r.file}: not recorded by the source (empty on every row), so the measures "
                    f"reading them are N/A there, never 0: {cols}."
                ))  # fmt: skip
            for c, n in r.empty_where_recorded.items():
                out.append((name,
                    f"{r.file}: column '{c}' is empty in {_rows(n)} of months where other rows "
                    "record it; counted as not flagged."
                ))  # fmt: skip
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


def districts(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The district reference table: ``district, lpa, population_2016``."""
    return pd.read_csv(reference_dir / "districts.csv")


def msg_forces(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The force and its Most Similar Group: ``force, police_uk_slug, population_2016``."""
    return pd.read_csv(reference_dir / "msg_forces.csv")


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


# --------------------------------------------------------------------------- the connection
@contextlib.contextmanager
def connect(
    reference_dir: Path = REFERENCE_DIR, reference: tuple[pd.DataFrame, pd.DataFrame] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection holding the reference tables, closed (and its spill folder
    removed) on leaving.

    ``ref_districts (district, lpa, population)`` and ``ref_forces (force)`` come from
    ``reference`` (the districts and MSG forces frames) or else the CSV files of
    ``reference_dir``. DuckDB may use :data:`MEMORY_SHARE` of the machine's memory and spills
    beyond it to a temporary folder, so a national dataset fits.
    """
    if reference is None:
        reference = districts(reference_dir), msg_forces(reference_dir)
    spill = tempfile.mkdtemp(prefix="workbooks-duckdb-")
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    con = duckdb.connect(
        config={"memory_limit": f"{int(total * MEMORY_SHARE) >> 20}MB", "temp_directory": spill}
    )
    try:
        d = reference[0].rename(columns={"population_2016": "population"})
        con.register(
            "_d", d[["district", "lpa", "population"]].astype({"district": str, "lpa": str})
        )
        con.register("_f", reference[1][["force"]].astype(str))
        con.execute(
            "CREATE TABLE ref_districts AS SELECT district, lpa, population::DOUBLE AS population FROM _d"
        )
        con.execute("CREATE TABLE ref_forces AS SELECT force FROM _f")
        con.unregister("_d")
        con.unregister("_f")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A string as a SQL literal (for file paths and the contract's own values only)."""
    return "'" + str(text).replace("'", "''") + "'"


# --------------------------------------------------------------------------- reading a file
class _Unreadable(Exception):
    """The file could not be read at all (message already names no path)."""


def _opener(path: Path):
    return gzip.open if path.name.endswith(".gz") else open


def _first_bad_utf8(path: Path) -> str:
    """Describe where a file stops being UTF-8: byte value, offset and line."""
    with _opener(path)(path, "rb") as fh:
        data = fh.read()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        return f"byte 0x{data[start]:02X} at byte offset {start:,} (line {line:,})"
    return "an undecodable byte"  # pragma: no cover - DuckDB and Python agree on UTF-8


def _scan_csv(path: Path) -> bool:
    """Refuse a CSV holding a NUL byte; return whether it has empty lines.

    A NUL in a text file means a binary file or UTF-16 text. Empty lines matter because DuckDB
    skips them, while a spreadsheet counts them as rows (see :func:`_csv_row_numbers`).
    """
    offset, line, last, empty = 0, 1, b"\n", False
    try:
        with _opener(path)(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                at = chunk.find(b"\x00")
                if at >= 0:
                    line += chunk.count(b"\n", 0, at)
                    raise _Unreadable(
                        f"holds a NUL byte 0x00 at byte offset {offset + at:,} (line {line:,}): "
                        "it is a binary file or UTF-16 text, not a UTF-8 CSV; save it as UTF-8 "
                        "(Excel: 'CSV UTF-8')"
                    )
                both = last + chunk
                empty = empty or b"\n\n" in both or b"\n\r\n" in both
                offset, line, last = offset + len(chunk), line + chunk.count(b"\n"), chunk[-1:]
    except (OSError, EOFError) as e:
        raise _Unreadable(f"cannot be read as CSV: {_clean(e, path)}") from None
    return empty


def _period_columns(path: Path) -> dict[str, str]:
    """Columns of a parquet file holding pandas monthly Periods (DuckDB sees their ordinals)."""
    with contextlib.suppress(Exception):  # an unreadable file was reported by DuckDB already
        schema = pq.read_schema(path)
        return {
            f.name: "PERIOD[M]"
            for f in schema
            if isinstance(f.type, pa.ExtensionType)
            and f.type.extension_name == "pandas.period"
            and getattr(f.type, "freq", "") in ("M", "ME")
        }
    return {}


def _csv_header(path: Path) -> list[str]:
    try:
        with _opener(path)(path, "rt", encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), None) or []
    except UnicodeDecodeError:
        raise _Unreadable(_not_utf8(path)) from None
    except (OSError, EOFError, csv.Error) as e:
        raise _Unreadable(f"cannot be read as CSV: {_clean(e, path)}") from None


def _not_utf8(path: Path) -> str:
    return (
        f"is not UTF-8 text: {_first_bad_utf8(path)} cannot be decoded; "
        "save it as UTF-8 (Excel: 'CSV UTF-8')"
    )


def _csv_row_numbers(path: Path) -> tuple[np.ndarray, int]:
    """The spreadsheet row of each record DuckDB reads (empty lines count as rows), and the
    number of empty lines. Only for the rare CSV with empty lines (:func:`_scan_csv`)."""
    rows, empty = [], 0
    with _opener(path)(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for i, record in enumerate(csv.reader(fh), start=1):
            if not record:
                empty += 1
            elif i > 1:
                rows.append(i)
    return np.array(rows, dtype=np.int64), empty


def _csv_problem(e: duckdb.Error, path: Path) -> str:
    """DuckDB's CSV error as one line naming the line (never the line's content)."""
    text = str(e)
    if "Invalid unicode" in text:
        return _not_utf8(path)
    line = re.search(r"Line: (\d+)", text)
    at = f"line {int(line[1]):,}" if line else "a line"
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if counts:
        return f"cannot be read as CSV: {at} has {counts[2]} cells where the header has {counts[1]}"
    if "unterminated quote" in text:
        return f"cannot be read as CSV: {at} has a quote that is never closed"
    return f"cannot be read as CSV: {at}: {_clean(e, path)}"


def _clean(e: Exception, path: Path) -> str:
    """A reader's message, first line only, with any path replaced by the file's display name."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    for p in (str(path.resolve()), str(path), str(path.parent.resolve()), str(path.parent)):
        text = text.replace(p, display_name(path) if p.endswith(path.name) else "")
    return text[:300]


def _read_raw(con, path: Path, raw: str) -> tuple[dict[str, str], list[str], int]:
    """Make table ``raw`` of a file as it is: ``_row`` and its columns (CSV: all text).

    Returns the column → DuckDB type of the file's columns (CSV: ``c0``, ``c1`` … in the order of
    the header, whose names are returned too) and the CSV lines with every cell empty, skipped.
    """
    if path.name.endswith(".parquet"):
        try:  # read in place: a view, not a copy
            con.execute(
                f"CREATE TEMP VIEW {raw} AS SELECT file_row_number + 1 AS _row, * EXCLUDE "
                f"(file_row_number) FROM read_parquet({_literal(path)}, file_row_number = true)"
            )
            con.execute(f"SELECT * FROM {raw} LIMIT 0")
        except duckdb.Error as e:
            con.execute(f"DROP VIEW IF EXISTS {raw}")
            raise _Unreadable(f"cannot be read as parquet: {_clean(e, path)}") from None
        types = dict(
            con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {raw})").fetchall()
        )
        types.update(_period_columns(path))
        types.pop("_row")
        # an unnamed pandas index saved with the file is not a column of the extract
        names = [c for c in types if not re.fullmatch(r"__index_level_\d+__", c)]
        return {c: types[c] for c in names}, names, 0
    has_empty_lines = _scan_csv(path)
    header = _csv_header(path)
    if not header:
        raise _Unreadable("is empty (not even a header row)")
    cells = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    reader = (
        f"read_csv({_literal(path)}, header = true, columns = {cells}, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
    )
    try:
        con.execute(f"CREATE TEMP TABLE _csv AS SELECT * FROM {reader}")
    except duckdb.Error as e:
        raise _Unreadable(_csv_problem(e, path)) from None
    empty = 0
    if has_empty_lines:
        rows, empty = _csv_row_numbers(path)
        con.register("_rows", pd.DataFrame({"_row": rows}))
        con.execute(f"CREATE TEMP TABLE {raw} AS SELECT * FROM _rows POSITIONAL JOIN _csv")
        con.unregister("_rows")
    else:
        con.execute(f"CREATE TEMP TABLE {raw} AS SELECT rowid + 2 AS _row, * FROM _csv")
    con.execute("DROP TABLE _csv")
    all_empty = " AND ".join(f"c{i} IS NULL" for i in range(len(header)))
    (blank,) = con.execute(f"SELECT count(*) FROM {raw} WHERE {all_empty}").fetchone()
    if blank:
        con.execute(f"DELETE FROM {raw} WHERE {all_empty}")
    return {f"c{i}": "VARCHAR" for i in range(len(header))}, header, empty + blank


# --------------------------------------------------------------------------- checks as SQL
@dataclass
class _Check:
    """One thing to count in a file: rows where ``condition`` holds (a problem unless ``report``)."""

    column: str | None
    what: str
    condition: str
    shown: str
    #: Not a problem but a count for the load report: ``unassigned_mapped``, ``formula`` …
    report: str = ""
    #: Show the value as it is, unquoted (a month saved as a pandas Period: ``2300-01``).
    plain: bool = False


_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT")  # fmt: skip
_FLOAT = ("FLOAT", "DOUBLE", "REAL")
#: How the messages name a parquet column's type (pandas' names, as analysts see them).
_TYPE_NAMES = {"BIGINT": "int64", "INTEGER": "int32", "SMALLINT": "int16", "TINYINT": "int8",
               "DOUBLE": "float64", "FLOAT": "float32", "BOOLEAN": "bool", "DATE": "date",
               "VARCHAR": "text"}  # fmt: skip


def _kind(sql_type: str) -> str:
    """``text``, ``int``, ``float``, ``bool``, ``time`` (a date or timestamp), ``zoned`` or ``other``."""
    t = sql_type.upper()
    if t == "PERIOD[M]":  # a month saved as a pandas Period: months since January 1970
        return "period"
    if t == "VARCHAR" or t.startswith("ENUM"):
        return "text"
    if t in _INTEGER:
        return "int"
    if t in _FLOAT or t.startswith("DECIMAL"):
        return "float"
    if t == "BOOLEAN":
        return "bool"
    if t.startswith("TIMESTAMP WITH") or t == "TIMESTAMPTZ":
        return "zoned"
    if t == "DATE" or t.startswith("TIMESTAMP"):
        return "time"
    return "other"


def _type_name(sql_type: str) -> str:
    t = sql_type.upper()
    return "datetime64[ns]" if t.startswith("TIMESTAMP") else _TYPE_NAMES.get(t, t.lower())


def _blank(text: str) -> str:
    """SQL: the text is empty or only white space (the regular expression only where it may be:
    text whose first character is a space or a control character sorts before '!')."""
    return (
        f"({text} IS NULL OR {text} = '' OR ({text} < '!' AND regexp_full_match({text}, '\\s+')))"
    )


def _column_sql(
    col: Column, c: str, sql_type: str, ext: Extract, refs: tuple[str, str], latest=None
) -> tuple[str, list[_Check]]:
    """The converted value of raw column ``c`` (SQL, NULL where empty) and the checks of it.

    ``c`` is the quoted column of the raw table, ``sql_type`` its DuckDB type there and ``refs``
    the names of the district and force reference files, for the messages; ``latest`` is
    :func:`latest_accepted` of the file (None: dates are not bounded above). The conversion never
    fails (an invalid cell becomes NULL); the checks say which cells are invalid.
    """
    kind = _kind(sql_type)
    holds = f"(the column holds {_type_name(sql_type)})"
    empty = "are empty (this column must have a value)"
    checks: list[_Check] = []

    def check(what, condition, shown=c, report="", plain=False):
        checks.append(_Check(col.name, what, condition, shown, report, plain))

    if col.type in ("str", "category"):
        if kind == "text":
            text, not_text = c if sql_type == "VARCHAR" else f"CAST({c} AS VARCHAR)", "false"
        elif kind == "int":
            text, not_text = f"CAST({c} AS VARCHAR)", "false"
        elif kind == "float":  # ids written as whole numbers are their digits
            whole = f"(NOT isnan({c}) AND {c} = trunc({c}) AND abs({c}) < 2 ** 53)"
            text = f"CASE WHEN {whole} THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) END"
            not_text = f"({c} IS NOT NULL AND NOT isnan({c}) AND NOT {whole})"
        else:
            text, not_text = "CAST(NULL AS VARCHAR)", f"({c} IS NOT NULL)"
        check("are not text (a number, date or true/false where text is expected)", not_text)
        # byte length first: cheap, and never less than the length in characters
        blank = _blank(text)
        too_long = f"strlen({text}) > {MAX_TEXT_LENGTH} AND length({text}) > {MAX_TEXT_LENGTH}"
        check(
            f"are longer than {MAX_TEXT_LENGTH:,} characters (too long for an id or code)", too_long
        )
        is_district = col.name == ext.district_column
        if is_district:
            known = f"{text} IN (SELECT district FROM ref_districts) OR {text} = '{UNASSIGNED}'"
            what = f"are not a district of {refs[0]} (nor '{UNASSIGNED}')"
        elif _FORCE_COLUMNS.get(ext.name) == col.name:
            known, what = (
                f"{text} IN (SELECT force FROM ref_forces)",
                (f"are not a force of {refs[1]}"),
            )
        elif col.allowed:
            listed = ", ".join(col.allowed) if len(col.allowed) <= 15 else "see data/README.md"
            known = f"{text} IN ({', '.join(map(_literal, col.allowed))})"
            what = f"are not one of the allowed values ({listed})"
        else:
            known = what = None
        if known:
            check(what, f"NOT {blank} AND NOT ({too_long}) AND NOT {not_text} AND NOT ({known})")
        if is_district:
            check("", f"{text} = '{UNASSIGNED}'", report="unassigned_in_file")
            if not col.nullable:
                check("", f"{blank} AND NOT {not_text}", report="unassigned_mapped")
        elif not col.nullable:
            check(empty, f"{blank} AND NOT {not_text}")
        if col.type == "str":
            prefixes = ", ".join(_literal(p) for p in FORMULA_PREFIXES)
            # every formula prefix sorts before 'A': most ids are passed over by one comparison
            check("", f"{text} < 'A' AND left({text}, 1) IN ({prefixes})", report="formula")
        fill = f"'{UNASSIGNED}'" if is_district and not col.nullable else "NULL"
        return f"CASE WHEN {blank} THEN {fill} ELSE {text} END", checks

    if col.type in ("int", "float"):
        noun = "a whole number" if col.type == "int" else "a number"
        if kind in ("bool", "time", "zoned", "period"):
            check(f"are not {noun} {holds}", f"{c} IS NOT NULL")
            return "NULL", checks
        if kind in ("int", "float"):
            num, blank, unparsed = f"CAST({c} AS DOUBLE)", f"({c} IS NULL OR isnan({c}))", "false"
        else:
            text = f"CAST({c} AS VARCHAR)"
            num, blank = f"TRY_CAST({text} AS DOUBLE)", f"({text} IS NULL OR trim({text}) = '')"
            unparsed = f"(NOT {blank} AND ({num} IS NULL OR isnan({num})))"
        finite = f"({num} IS NOT NULL AND NOT isnan({num}) AND NOT isinf({num}))"
        check(f"are not {noun}", unparsed)
        check("are infinite", f"isinf({num})")
        if col.type == "int":
            check(
                "are not a whole number",
                f"{finite} AND ({num} <> trunc({num}) OR abs({num}) >= 2 ** 63)",
            )
        if not col.nullable:
            check(empty, blank)
        if col.minimum is not None:
            check(
                f"are below the minimum {format_number(col.minimum)}",
                f"{finite} AND {num} < {col.minimum!r}",
            )
        if col.maximum is not None:
            check(
                f"are above the maximum {format_number(col.maximum)}",
                f"{finite} AND {num} > {col.maximum!r}",
            )
        value = f"CASE WHEN {finite} THEN {num} END"
        return (f"TRY_CAST({value} AS BIGINT)" if col.type == "int" else value), checks

    if col.type == "bool":
        if kind == "bool":
            value, blank, invalid = c, f"({c} IS NULL)", "false"
        elif kind in ("int", "float"):
            value = f"CASE WHEN {c} = 1 THEN true WHEN {c} = 0 THEN false END"
            blank = f"({c} IS NULL OR isnan({c}))" if kind == "float" else f"({c} IS NULL)"
            invalid = f"(NOT {blank} AND {value} IS NULL)"
        elif kind == "text":
            t = f"lower(trim({c}))"
            value = f"CASE WHEN {t} IN ('true', '1', 'yes') THEN true WHEN {t} IN ('false', '0', 'no') THEN false END"
            blank, invalid = (
                f"({c} IS NULL OR {t} = '')",
                f"(NOT ({c} IS NULL OR {t} = '') AND {value} IS NULL)",
            )
        else:
            value, blank, invalid = "NULL", f"({c} IS NULL)", f"({c} IS NOT NULL)"
        check("are not true/false (use true/false, 1/0 or yes/no)", invalid)
        if not col.nullable:
            check(empty, blank)
        return value, checks

    # date, datetime, month
    noun, form = _NOUN[col.type], _EXPECTED_FORM[col.type]
    if kind == "zoned":
        check("have a time zone (give local times without one)", f"{c} IS NOT NULL")
        return "NULL", checks
    shown, plain = c, False
    if kind == "time":
        value, blank = f"CAST({c} AS TIMESTAMP)", f"({c} IS NULL)"
    elif kind == "period":
        value, blank = (
            f"(TIMESTAMP '1970-01-01' + to_months(CAST({c} AS INTEGER)))",
            f"({c} IS NULL)",
        )
        shown, plain = f"strftime({value}, '%Y-%m')", True
    elif kind == "text":
        primary = f"try_strptime({c}, {_literal(_PRIMARY_FORMAT[col.type])})"
        zoned = f"({primary} IS NULL AND regexp_matches({c}, {_literal(_TZ_RE)}))"
        iso = f"CASE WHEN regexp_matches({c}, '^\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}') THEN TRY_CAST({c} AS TIMESTAMP) END"
        value = f"CASE WHEN NOT {zoned} THEN coalesce({primary}, {iso}) END"
        blank = f"({c} IS NULL OR trim({c}) = '')"
        check("have a time zone (give local times without one)", zoned)
        check(
            f"are not {noun} in the form {form}", f"NOT {blank} AND NOT {zoned} AND {value} IS NULL"
        )
    else:
        check(f"are not {noun} {holds}", f"{c} IS NOT NULL")
        return "NULL", checks
    early = f"{value} < TIMESTAMP '{EARLIEST_DATE}'"
    check(
        f"are before {EARLIEST_DATE} (the earliest date the contract accepts)",
        early,
        shown,
        plain=plain,
    )
    late = "false"
    if latest is not None:
        late = f"{value} > TIMESTAMP '{latest[0]}'"
        what = f"are after the extract's own date ({latest[1]}; a file cannot hold records from after it was written)"
        check(what, late, shown, plain=plain)
    inside = f"NOT ({early}) AND NOT ({late}) AND "
    if col.type == "date":
        check(
            f"have a time of day (a date {form} is expected)",
            f"{inside}{value} <> date_trunc('day', {value})",
        )
    elif col.type == "month":
        check(
            f"are not a month ({form}, or a date on the 1st)",
            f"{inside}{value} <> date_trunc('month', {value})",
            shown,
            plain=plain,
        )
    if not col.nullable:
        check(empty, blank)
    return value, checks


def latest_accepted(path: Path, now: dt.datetime | None = None) -> tuple[str, str]:
    """Return the latest date a file may hold (ISO), and the reason to give when a date is later.

    The extract's own date is the file's modification time: a file cannot record events after it
    was written. If that time is in the future (a clock or a copy gone wrong), now is used instead.
    :data:`helpers.contract.extracts.LATEST_DATE_GRACE_HOURS` are added: the records hold local times
    without a zone, the file's time is the machine's.
    """
    written = dt.datetime.fromtimestamp(path.stat().st_mtime)
    now = dt.datetime.now() if now is None else now
    if written <= now:
        basis = f"the file was last modified {written:%Y-%m-%d %H:%M}"
    else:
        basis = f"today is {now:%Y-%m-%d}; the file's modification time {written:%Y-%m-%d} is in the future"
    limit = min(written, now) + dt.timedelta(hours=LATEST_DATE_GRACE_HOURS)
    return limit.replace(microsecond=0).isoformat(sep=" "), basis


def _rules(extract: Extract) -> list[RowRule]:
    """The contract's rules between columns of a row, and its plausible bounds (``Column.limits``)
    as rules of the same kind."""
    rules = list(extract.rules)
    for col in extract.columns:
        c = _quote(col.name)
        for limit in col.limits:
            if isinstance(limit, MaxDelay):
                shown = (limit.after, col.name)
                what = f"are more than {format_duration(limit.hours)} after {limit.after}"
                broken = (
                    f"epoch_us({c}) - epoch_us({_quote(limit.after)}) > {limit.hours * 3.6e9:.0f}"
                )
                if limit.when:
                    column, value = limit.when
                    shown += (column,)
                    what += f" (where {column} is {value})"
                    value = _literal(value) if isinstance(value, str) else repr(value)
                    broken += f" AND {_quote(column)} = {value}"
            else:  # MaxPer: at most ``maximum`` for each unit of ``per``
                shown = (limit.per, col.name)
                what = f"are more than {format_number(limit.maximum)} × {limit.per}"
                broken = f"{c} > {limit.maximum!r} * {_quote(limit.per)}"
            rules.append(RowRule(col.name, shown, what, broken))
    return rules


# --------------------------------------------------------------------------- one file
def _examples(con, source: str, condition: str, shown: str, render) -> tuple[tuple[int, str], ...]:
    """The first example rows (``_row``, rendered value) of ``source`` where ``condition`` holds."""
    rows = con.execute(
        f"SELECT _row, {shown} FROM {source} WHERE {condition} ORDER BY _row LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    return tuple((int(r[0]), render(r[1:])) for r in rows)


def _validate_file(con, name: str, path: Path, refs: tuple[str, str]):
    """Check one file and make it table ``name`` of ``con``; return its report and problems.

    A parquet file stays where it is: ``name`` is a view converting its columns as each query
    reads them (DuckDB reads only the columns a query needs; a copy would cost more than all
    the measures' reads). A CSV is parsed once: ``name`` is a table. Either is left in ``con``
    only when the file has no problem.
    """
    extract = _extract(name)
    display = display_name(path)
    is_csv = not path.name.endswith(".parquet")
    report = ExtractReport(name, display, "csv" if is_csv else "parquet")
    raw = f"_raw_{name}"
    try:
        types, names, report.blank_lines_skipped = _read_raw(con, path, raw)
    except _Unreadable as e:
        return report, [Problem(display, None, f"the file {e}")]
    try:
        latest = latest_accepted(path)
        problems = _check_table(con, extract, raw, types, names, report, path, refs, latest)
    except duckdb.Error as e:  # a bug of ours or DuckDB's, told without a traceback
        problems = [Problem(display, None, f"cannot be checked: {_clean(e, path)}")]
    if problems:
        con.execute(f"DROP {'TABLE' if is_csv else 'VIEW'} IF EXISTS {name}")
    if is_csv or problems:
        con.execute(f"DROP {'TABLE' if is_csv else 'VIEW'} IF EXISTS {raw}")
    return report, problems


def _check_table(con, extract, raw, types, names, report, path, refs, latest) -> list[Problem]:
    """The problems of raw table ``raw``; makes the checked table (or view) ``extract.name``."""
    problems: list[Problem] = []
    file, is_csv = report.file, report.format == "csv"
    (report.rows_read,) = con.execute(f"SELECT count(*) FROM {raw}").fetchone()
    for c in sorted({c for c in names if names.count(c) > 1}):
        problems.append(Problem(file, c, "appears more than once in the header"))
    wanted = extract.column_names
    report.extra_columns_ignored = list(dict.fromkeys(c for c in names if c not in wanted))
    for c in wanted:
        if c not in names:
            near = [e for e in report.extra_columns_ignored if e.strip().lower() == c.lower()]
            hint = f" (found {near[0]!r}: names are exact, lower case, no spaces)" if near else ""
            problems.append(Problem(file, c, f"is missing{hint}"))
    if not report.rows_read:
        problems.append(
            Problem(file, None, "has no rows (an empty extract); leave the file out instead")
        )
    if problems:
        return problems

    def show(values):  # an empty CSV cell is the empty text a spreadsheet shows
        v = values[0]
        return "''" if is_csv and v is None else _show(v)

    # Each check counts the rows it fails in one pass over the file; a category column (a few
    # distinct values) is checked on its distinct values, counted once each.
    values, batches = {}, {}
    for col in extract.columns:
        c = _quote(f"c{names.index(col.name)}" if is_csv else col.name)
        values[col.name], column_checks = _column_sql(col, c, types[c[1:-1]], extract, refs, latest)
        by_value = f"(SELECT {c}, count(*) AS _n FROM {raw} GROUP BY ALL)"
        batches.setdefault(by_value if col.type == "category" else raw, []).extend(column_checks)

    def count(batch, source):
        rows = "count(*)" if source == raw else "sum(_n)"
        sql = ", ".join(f"{rows} FILTER (WHERE {k.condition})" for k in batch)
        return [n or 0 for n in con.execute(f"SELECT {sql} FROM {source}").fetchone()]

    checks, counts, failed = [], [], set()
    for source, batch in batches.items():
        checks += batch
        try:
            counts += count(batch, source)
        except duckdb.Error:  # DuckDB cannot read a column's cells: find it, and say so
            for column in dict.fromkeys(k.column for k in batch):
                part = [k for k in batch if k.column == column]
                try:
                    counts += count(part, source)
                except duckdb.Error as e:
                    problems.append(Problem(file, column, f"cannot be read: {_clean(e, path)}"))
                    counts += [0] * len(part)
                    failed.add(column)
    if problems:
        return problems
    for k, n in zip(checks, counts, strict=True):
        if not n:
            continue
        if k.report == "formula":
            report.formula_like_cells += n
            for row, _ in _examples(con, raw, k.condition, "NULL", str):
                if len(report.formula_like_examples) < MAX_EXAMPLES:
                    report.formula_like_examples.append(f"row {row}, column '{k.column}'")
        elif k.report:
            setattr(report, k.report, n)
        else:
            examples = _examples(
                con, raw, k.condition, k.shown, (lambda v: v[0]) if k.plain else show
            )
            problems.append(Problem(file, k.column, k.what, n, examples))
            failed.add(k.column)
    converted = ", ".join(f"{v} AS {_quote(c)}" for c, v in values.items())
    kind = "TABLE" if is_csv else "VIEW"
    con.execute(f"CREATE {kind} {extract.name} AS SELECT _row, {converted} FROM {raw}")

    keys = list(extract.unique)
    if keys and not failed & set(keys):
        k = ", ".join(map(_quote, keys))
        # as many distinct keys as rows: no repeat (one distinct count, the usual case)
        (distinct,) = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {k} FROM {extract.name})"
        ).fetchone()
        if distinct < report.rows_read:
            repeated = f"(SELECT {k} FROM {extract.name} GROUP BY ALL HAVING count(*) > 1)"
            (n,) = con.execute(
                f"SELECT count(*) FROM {extract.name} SEMI JOIN {repeated} USING ({k})"
            ).fetchone()
            label = " + ".join(keys)
            source = f"(SELECT * FROM {extract.name} SEMI JOIN {repeated} USING ({k}))"
            examples = _examples(con, source, "true", k, lambda v: " / ".join(map(_show, v)))
            what = f"repeat a value that must be unique ({label})"
            problems.append(Problem(file, label, what, n, examples))
    rules = [r for r in _rules(extract) if not failed & {r.column, *r.shown}]
    if rules:
        counts = con.execute(
            "SELECT "
            + ", ".join(f"count(*) FILTER (WHERE {r.broken})" for r in rules)
            + f" FROM {extract.name}"
        ).fetchone()
        for r, n in zip(rules, counts, strict=True):
            if n:
                shown = ", ".join(map(_quote, r.shown))

                def render(v, r=r):
                    return ", ".join(f"{c}={_show(x)}" for c, x in zip(r.shown, v, strict=True))

                examples = _examples(con, extract.name, r.broken, shown, render)
                problems.append(Problem(file, r.column, r.what, n, examples))
    if not problems:
        report.rows_loaded = report.rows_read
    return problems


def month_profile(con, name: str) -> pd.DataFrame | None:
    """Per month of an extract's date column: rows, first and last date, and the rows where each
    column is filled (not empty). ``mon`` is the month's first day; None for an undated extract.

    The load report's ``not_recorded`` and the cube's coverage both come from it. A column that
    may not be empty is filled on every row of a checked file: only the others are counted.
    """
    d = EXTRACTS[name].date_column
    if d is None:
        return None
    filled = ", ".join(
        f"count({_quote(c.name) if c.nullable else '*'}) AS {_quote(c.name)}"
        for c in EXTRACTS[name].columns
    )
    return fetch_frame(
        con,
        f"SELECT date_trunc('month', {_quote(d)}) AS mon, count(*) AS _rows, min({_quote(d)}) AS _first, "
        f"max({_quote(d)}) AS _last, {filled} FROM {name} WHERE {_quote(d)} IS NOT NULL "
        "GROUP BY ALL ORDER BY mon",
    )


def fetch_frame(con, sql: str, params=None) -> pd.DataFrame:
    """A query's result as a DataFrame (through NumPy: a tenth of ``.df()``'s time for small ones)."""
    return pd.DataFrame(con.execute(sql, params).fetchnumpy())


def _latest_date(con, name: str) -> str | None:
    """The latest value of any date column of a checked extract (ISO), or None."""
    cols = [c.name for c in EXTRACTS[name].columns if c.type in ("date", "datetime", "month")]
    if not cols:
        return None
    (latest,) = con.execute(
        f"SELECT greatest({', '.join(f'max({_quote(c)})' for c in cols)}) FROM {name}"
    ).fetchone()
    return None if latest is None else pd.Timestamp(latest).isoformat()


def _fill_report(report: ExtractReport, profile: pd.DataFrame | None) -> None:
    """The load report's dates, rows per month and unrecorded columns, from the month profile."""
    if profile is None or not len(profile):
        return
    labels = profile["mon"].dt.strftime("%Y-%m")
    report.date_from = profile["_first"].min().date().isoformat()
    report.date_to = profile["_last"].max().date().isoformat()
    report.rows_by_month = dict(zip(labels, profile["_rows"].astype(int).tolist(), strict=True))
    for c in (c.name for c in _extract(report.name).columns if c.empty_is_unrecorded):
        none = (profile[c] == 0).to_numpy()
        if none.any():
            report.not_recorded[c] = labels[none].tolist()
        partial = int((profile["_rows"] - profile[c])[~none].sum())
        if partial:
            report.empty_where_recorded[c] = partial


def _link_problems(con, reports: dict[str, ExtractReport], loaded: set[str]) -> list[Problem]:
    """Check that ids pointing into another extract (``references`` in the contract) exist there."""
    problems = []
    for name in loaded:
        for col in EXTRACTS[name].columns:
            parent, _, key = (col.references or "").partition(".")
            if parent not in loaded:
                continue
            orphans = (
                f"(SELECT * FROM {name} ANTI JOIN {parent} ON {name}.{col.name} = {parent}.{key})"
            )
            (n,) = con.execute(f"SELECT count(*) FROM {orphans}").fetchone()
            if n:
                examples = _examples(con, orphans, "true", col.name, lambda v: _show(v[0]))
                what = f"are not a {key} of {reports[parent].file}"
                problems.append(Problem(reports[name].file, col.name, what, n, examples))
    return problems


# --------------------------------------------------------------------------- in-memory frames
def register_frames(con, frames: dict[str, pd.DataFrame]) -> None:
    """Make each frame (extract name → DataFrame) a table of ``con`` in the contract's types.

    For frames built in code (tests, a notebook's what-if), not files: nothing is checked, a
    contract column the frame lacks is empty, a value that does not convert is empty and a district
    not in the reference is ``Unassigned``.
    """
    for name, df in frames.items():
        extract = _extract(name)
        if not len(df.columns):  # ``pd.DataFrame()``: the extract with no rows
            df = pd.DataFrame({"_empty": pd.Series([], dtype="int64")})
        con.register("_frame", df)
        types = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE _frame)").fetchall()
        )
        select = []
        for col in extract.columns:
            if col.name not in types:
                value = "NULL"
            else:
                value, _ = _column_sql(col, _quote(col.name), types[col.name], extract, ("", ""))
            if col.name == extract.district_column:
                value = (f"CASE WHEN ({value}) IN (SELECT district FROM ref_districts) "
                         f"THEN ({value}) ELSE '{UNASSIGNED}' END")  # fmt: skip
            select.append(f"CAST({value} AS {SQL_TYPES[col.type]}) AS {_quote(col.name)}")
        con.execute(
            f"CREATE TABLE {name} AS SELECT NULL::BIGINT AS _row, {', '.join(select)} FROM _frame"
        )
        con.unregister("_frame")


def create_empty(con, name: str) -> None:
    """Make an empty table ``name`` with the contract's columns (for an absent extract)."""
    cols = ", ".join(f"{_quote(c.name)} {SQL_TYPES[c.type]}" for c in _extract(name).columns)
    con.execute(f"CREATE TABLE {name} (_row BIGINT, {cols})")


# --------------------------------------------------------------------------- public API
def read_extracts(
    con,
    data_dir,
    names: Iterable[str] | None = None,
    report: LoadReport | None = None,
    *,
    reference_dir: Path = REFERENCE_DIR,
    required: bool = False,
) -> dict[str, pd.DataFrame | None]:
    """Check every extract present (or those named) and make each a table of ``con``, or raise.

    Every file is checked before this returns: if one breaks the contract, a single
    :class:`DataValidationError` lists the problems of every bad file. Returns extract name →
    :func:`month_profile` of each extract read (absent extracts are not in it).
    """
    d = resolve_path(data_dir)
    report = report if report is not None else LoadReport()
    report.extracts, report.absent, report.errors = {}, [], []  # a reused report starts afresh
    report.data_dir = display_name(d)
    wanted = list(EXTRACTS) if names is None else [_extract(n).name for n in names]
    refs = (
        display_name(reference_dir / "districts.csv"),
        display_name(reference_dir / "msg_forces.csv"),
    )
    report.ignored_files = _ignored_files(d)
    problems: list[Problem] = []
    profiles: dict[str, pd.DataFrame | None] = {}
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
        report.extracts[name], file_problems = _validate_file(con, name, path, refs)
        problems += file_problems
        if not file_problems:
            profiles[name] = month_profile(con, name)
            _fill_report(report.extracts[name], profiles[name])
            report.extracts[name].latest_date = _latest_date(con, name)
    problems += _link_problems(con, report.extracts, set(profiles))
    if problems:
        report.errors = [f"{p.file}: {p.describe()}" for p in problems]
        for name in profiles:
            report.extracts[name].rows_loaded = 0
        raise _error(problems)
    return profiles


#: The dtype of ``str`` columns in :func:`load_extracts`' frames: Arrow-backed text with NumPy
#: semantics (empty is ``NaN``; comparisons give plain ``bool``).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


def _to_frame(con, extract: Extract, district_names: list[str]) -> pd.DataFrame:
    """A checked table as a DataFrame in the contract's dtypes, rows in file order."""
    df = con.execute(f"SELECT * EXCLUDE (_row) FROM {extract.name} ORDER BY _row").df()
    out = {}
    for col in extract.columns:
        s = df[col.name]
        if col.type == "str":
            s = s.astype(TEXT_DTYPE)
        elif col.type == "category":
            district = col.name == extract.district_column
            cats = [*sorted(district_names), UNASSIGNED] if district else list(col.allowed)
            s = pd.Series(pd.Categorical(s, categories=pd.Index(cats, dtype=object)))
        elif col.type == "int":
            s = s.astype("Int64" if col.nullable else "int64")
        elif col.type == "float":
            s = s.astype("float64")
        elif col.type == "bool":
            s = s.astype(bool) if s.notna().all() else s.astype("boolean")
        else:
            s = s.astype("datetime64[ns]")
        out[col.name] = s
    return pd.DataFrame(out)


def load_extract(
    data_dir, name: str, report: LoadReport | None = None, *, reference_dir: Path = REFERENCE_DIR
) -> pd.DataFrame:
    """Read one extract, check it against the contract and return it in the contract's dtypes.

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
    """Read and check every extract present (or those named); return them all as frames or raise.

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
        Extract name → DataFrame in contract column order and dtypes (``str``: :data:`TEXT_DTYPE`;
        ``category``: pandas categories of the allowed values; ``int``: ``int64``, ``Int64`` when
        it may be empty; ``bool``: ``bool``, ``boolean`` when a cell is empty; dates:
        ``datetime64[ns]``).

    Examples
    --------
    >>> report = LoadReport()
    >>> frames = load_extracts("data/demo", ["workforce"], report)  # doctest: +SKIP
    >>> report.extracts["workforce"].rows_read == len(frames["workforce"])  # doctest: +SKIP
    True
    """
    with connect(reference_dir) as con:
        profiles = read_extracts(
            con, data_dir, names, report, reference_dir=reference_dir, required=required
        )
        names_of_districts = districts(reference_dir)["district"].astype(str).tolist()
        return {n: _to_frame(con, EXTRACTS[n], names_of_districts) for n in profiles}


def load_report(data_dir, month=None) -> dict:
    """Check a folder and return its load report as a dict for the run record.

    Never raises for bad data: the report's ``errors`` then say what is wrong. With the report
    ``month`` each extract carries its ``reconciliation`` (rows read, counted, excluded and why).
    The folder is read afresh every time: a report kept from an earlier read could describe files
    since corrected. The report of the data a cube was built from travels with the cube
    (``helpers.measures.cube.Cube.extracts_report``).
    """
    report = LoadReport()
    with contextlib.suppress(DataValidationError), connect() as con:  # the report holds the errors
        read_extracts(con, data_dir, report=report)
    return report.to_dict(month)


def fingerprint(data_dir) -> str:
    """Return a sha256 identifying the extract files present (name, size and content).

    Two folders with the same extract files give the same fingerprint wherever they are; any change
    to a file's bytes changes it, whatever its size and modification time. For the run record and
    the cube's cache key.
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
    """Check an extract folder: ``python -m helpers.sources.loading data/my_extracts``."""
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
        with connect() as con:
            loaded = read_extracts(con, args.data_dir, report=report)
    except DataValidationError as e:
        print(e)
        return 1
    if args.json:
        print(json.dumps({**report.to_dict(), "fingerprint": fingerprint(args.data_dir)}, indent=2))
    else:
        for name in loaded:
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
