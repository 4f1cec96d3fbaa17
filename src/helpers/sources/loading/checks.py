"""The contract's checks as SQL: for each column, its value converted to the contract's type and
the conditions that make a cell invalid; the row rules and plausible bounds; the latest date a file
may hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ...contract.extracts import (
    EARLIEST_DATE,
    LATEST_DATE_GRACE_HOURS,
    Column,
    Extract,
    MaxDelay,
    RowRule,
    format_duration,
    format_number,
)
from ...geography import UNASSIGNED
from .files import _literal, _quote

#: Longest text accepted in an id or category column.
MAX_TEXT_LENGTH = 1000
#: First characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A time followed by a zone designator (``Z``, ``+01:00``, ``-0500``).
_TZ_RE = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)$"
_PRIMARY_FORMAT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S", "month": "%Y-%m"}
_EXPECTED_FORM = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM:SS", "month": "YYYY-MM"}
_NOUN = {"date": "a date", "datetime": "a date and time", "month": "a month"}
_FORCE_COLUMNS = {"confidence_survey": "force", "msg_peers": "force"}


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
                (f"are not a force of {refs[1]} nor of data/reference/forces.csv"),
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
