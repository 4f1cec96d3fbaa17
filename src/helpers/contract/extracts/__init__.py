"""The data contract: the record-level extracts the workbooks read, column by column.

This module is the single declaration of every extract. ``loading`` validates against it,
``demo`` and ``police_uk`` write to it, and ``data/README.md`` is generated from it
(``python -m helpers.contract.extracts --markdown``; a test checks the README is current).

Column types:

- ``str``: text identifier or code; ``category``: one of ``allowed``;
- ``date``: a calendar date (``YYYY-MM-DD`` in CSV); ``datetime``: a timestamp (``YYYY-MM-DD HH:MM:SS``);
- ``month``: a month (``YYYY-MM``), stored as the first day of the month;
- ``int``, ``float``: numbers; ``bool``: true/false (CSV: ``true``/``false``/``1``/``0``).

Not recorded by the source
--------------------------
A column with ``empty_is_unrecorded`` (the flags of ``crimes`` and ``incidents``, the incident
``grade`` and ``urban_rural``) may be left empty by a source that does not record it, as the public
data.police.uk files do not record domestic abuse. Empty then means *unknown*, never *no*: a month
in which the column is empty on every row has no value for the measures that read it (N/A with the
reason "the domestic-abuse flag (domestic_abuse) is not recorded in crimes for Nov 2014", never 0). An empty cell in a month
where other rows have a value counts as not flagged (``false``; for ``grade`` and ``urban_rural``:
none of the values), and the load report counts those cells per column.
"""

from __future__ import annotations

from .declared import (  # noqa: F401
    EXTRACTS,
    MAX_CALLS,
    MAX_GBP,
    MAX_POPULATION,
    MAX_RESPONDENTS,
    MAX_STRENGTH_FTE,
    UNRECORDED_NOTE,
    _district,
    _unrecorded,
)
from .schema import (  # noqa: F401
    Column,
    Extract,
    MaxDelay,
    MaxPer,
    RowRule,
    format_duration,
    format_number,
)
from .values import (  # noqa: F401
    DA_RISK_LEVELS,
    DATE_RANGE_NOTE,
    EARLIEST_DATE,
    LATEST_DATE_GRACE_HOURS,
    OFFENCE_GROUPS,
    OUTCOME_LABELS,
    OUTCOME_TYPES,
    ROAD_USERS,
    SATISFACTION_ANSWERS,
    SATISFACTION_QUESTIONS,
    SOLVED_OUTCOMES,
    UNSOLVED_OUTCOMES,
    VICTIM_BASED_GROUPS,
    WORKFORCE_GROUPS,
)


def reader_name(extract: str, column: str) -> str:
    """A column of an extract as a commander reads it (its contract label, else its name in
    words); a column the contract does not declare, as it is named.

    >>> reader_name("crimes", "night_time_economy"), reader_name("crimes", "victim_id")
    ('night-time economy flag', 'victim id')
    """
    e = EXTRACTS.get(extract)
    return e.column(column).reader_name if e and column in e.column_names else column


def _value_range(c: Column) -> str:
    """Render a column's bounds: ``10 to 110``, ``≥ 0``, ``≤ 4``, or the dates a column accepts."""
    if c.type in ("date", "datetime", "month"):
        text = f"{EARLIEST_DATE} to the file's date"
    elif c.minimum is not None and c.maximum is not None:
        text = f"{format_number(c.minimum)} to {format_number(c.maximum)}"
    elif c.minimum is not None:
        text = f"≥ {format_number(c.minimum)}"
    elif c.maximum is not None:
        text = f"≤ {format_number(c.maximum)}"
    else:
        text = ""
    return "; ".join(t for t in (text, *(limit.describe() for limit in c.limits)) if t)


def markdown() -> str:
    """Render the contract as the body of ``data/README.md``."""
    lines: list[str] = [f"{DATE_RANGE_NOTE}", ""]
    for e in EXTRACTS.values():
        lines += [f"### `{e.name}` — {e.title}", "", e.description, ""]
        file_hint = f"File: `{e.name}.parquet` or `{e.name}.csv`."
        if e.unique:
            file_hint += " Unique: " + " + ".join(f"`{u}`" for u in e.unique) + "."
        if e.date_column:
            file_hint += f" Month of a row: `{e.date_column}`."
        lines += [
            file_hint,
            "",
            "| column | type | meaning | allowed values |",
            "|---|---|---|---|",
        ]
        for c in e.columns:
            allowed = ", ".join(f"`{a}`" for a in c.allowed) if c.allowed else _value_range(c)
            if c.nullable:
                allowed = (allowed + "; " if allowed else "") + "may be empty"
            lines.append(f"| `{c.name}` | {c.type} | {c.meaning} | {allowed} |")
        if e.notes:
            lines += ["", *(f"- {note}" for note in e.notes)]
        lines.append("")
    return "\n".join(lines)
