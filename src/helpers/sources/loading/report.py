"""What a load saw and what went wrong: :class:`Problem`, :class:`DataValidationError` (every
problem of every file in one message), :class:`ExtractReport` (one file's rows, read and loaded)
and :class:`LoadReport` (one load, for the run record)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ...geography import UNASSIGNED


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
    #: Why the source left records Unassigned, where it says (the data.police.uk importer's
    #: ``import_report.json`` beside the extracts): cause → rows, over every month imported.
    unassigned_causes: dict[str, int] = field(default_factory=dict)
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

    def refusable_warnings(self) -> list[str]:
        """:meth:`warnings` less those about columns a source never records (empty in every
        month of its file: what the source is, such as data.police.uk's missing flags, not a
        fault of this delivery). A profile's ``max_data_warnings`` counts these."""
        never = {
            name
            for name, r in self.extracts.items()
            if r.not_recorded
            and all(
                _month_ranges(ms, r.rows_by_month) == "every month"
                for ms in r.not_recorded.values()
            )
        }
        skip = {
            (name, text)
            for name, text in self.warnings_by_extract()
            if name in never and "not recorded by the source (empty on every row)" in text
        }
        return [text for name, text in self.warnings_by_extract() if (name, text) not in skip] + [
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
                causes = "; ".join(
                    f"{n:,} {cause}" for cause, n in r.unassigned_causes.items() if n
                )
                why = (
                    f" ({causes}, as the import report says)"
                    if causes
                    else " (no location, or outside the force's districts)"
                )
                out.append((name,
                    f"{r.file}: {_rows(r.unassigned_in_file)} recorded as '{UNASSIGNED}' by the "
                    f"source{why}: in the force total, in no LPA or district, so the LPAs add up "
                    "to less than the force."
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
