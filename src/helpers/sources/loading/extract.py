"""One file: check it (every problem counted in one pass, with example rows) and make it a table
of the connection; its month profile and load report; the links between extracts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ...contract.extracts import EXTRACTS
from .checks import _column_sql, _rules, latest_accepted
from .files import _clean, _extract, _quote, _read_raw, _Unreadable, display_name
from .report import ExtractReport, Problem, _show

#: Example rows shown per problem.
MAX_EXAMPLES = 5


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
        # A repeated key repeats its hash: as many distinct hashes as rows, no repeat (the usual
        # case, counted on 8-byte hashes instead of the keys' text). Fewer: a repeat, or two keys
        # sharing a hash, which counting the keys themselves tells apart.
        (distinct,) = con.execute(
            f"SELECT count(DISTINCT hash({k})) FROM {extract.name}"
        ).fetchone()
        if distinct < report.rows_read:
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
