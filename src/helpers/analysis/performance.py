"""Performance rows: the "Performance Information" tables as data, and ``tables.csv``.

For each catalog measure of an area valid for the report month, the row holds last year's and this
year's figures on the measure's window, the Better/Worse change computed from the *printed*
(rounded half-up) figures so that the table is internally consistent, the change since last month
(the difference of this month's and last month's *unrounded* changes, rounded once:
:func:`helpers.analysis.compare.year_on_year_change_since_last_month`), the confidence intervals
and significance of survey rates, and the Most Similar Group rank.

A measure compared with its plan (``compare: plan`` in the catalog: savings) is not compared
with last year: its row holds the plan to date (``plan``; ``last_year`` is N/A), the change is
delivered minus planned, ahead of the plan is better, and ``note`` states the plan and the year's
requirement (:mod:`helpers.analysis.plan`).

Examples
--------
>>> cube = load_cube("data/demo")                                          # doctest: +SKIP
>>> rows = performance_rows(cube, area=1, month="2016-09", period="rolling-12m")  # doctest: +SKIP
>>> rows.loc[0, ["measure", "last_year", "this_year", "change"]].tolist()  # doctest: +SKIP
['Number of domestic abuse incidents', 28111.0, 32538.0, Decimal('15.7')]
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from .. import periods
from ..contract import catalog
from ..geography import FORCE
from ..measures.cube import Cube, Value
from . import compare, disclosure, plan, significance

#: The unit printed after a Better/Worse figure (``change_unit``), by the measure's unit.
CHANGE_UNITS = compare.CHANGE_UNITS

ROW_COLUMNS = [
    "area",
    "measure_id",
    "measure",
    "label",
    "unit",
    "decimals",
    "polarity",
    "window_label",
    "last_year",
    "this_year",
    "plan",
    "change",
    "change_unit",
    "since_last_month",
    "ci_last",
    "ci_this",
    "significant",
    "significance_rule",
    "msg_rank",
    "msg_colour",
    "msg_of",
    "msg_note",
    "national_rank",
    "national_of",
    "direction",
    "available",
    "note",
    "footnote",
    "suppressed",
    "suppression_reason",
]

TABLE_COLUMNS = [
    "area",
    "measure_id",
    "measure",
    "geography_level",
    "geography",
    "period",
    "window_label",
    "last_year",
    "this_year",
    "change",
    "change_unit",
    "since_last_month",
    "significant",
    "msg_rank",
    "available",
    "note",
    "suppressed",
    "suppression_reason",
]

NOT_AT_LEVEL = "not available at this level"
#: The counts behind each row's figures (kept out of the public columns; disclosure control reads
#: them to tell whether a rate rests on a small count).
COUNT_COLUMNS = list(disclosure.COUNT_COLUMNS)


def display_value(value: float | None, m: catalog.Measure) -> Decimal | None:
    """The figure as printed: counts as whole numbers, other units half-up to ``m.decimals``."""
    if value is None:
        return None
    decimals = 0 if m.unit == "count" else m.decimals
    return compare.round_half_up(value, decimals)


def _float(d: Decimal | None) -> float:
    return float(d) if d is not None else np.nan


def _last_year(cube: Cube, m: catalog.Measure, w: periods.Window, geography: str) -> Value:
    ly = w.last_year()
    if m.comparable_from is not None and ly.start < m.comparable_from:
        return Value(
            None,
            None,
            None,
            False,
            f"last year not comparable (before {m.comparable_from.strftime('%b %Y')})",
        )
    return cube.value(m.id, ly, geography)


def _change(cube: Cube, m: catalog.Measure, w: periods.Window, geography: str):
    """(this, last, this printed, last printed, change, unrounded change) for one window: the
    change as printed, from the printed figures, and the change of the figures as computed
    (what the change since last month is made of)."""
    this = cube.value(m.id, w, geography)
    last = _last_year(cube, m, w, geography)
    this_d = display_value(this.value, m) if this.available else None
    last_d = display_value(last.value, m) if last.available else None
    change = compare.better_worse(last_d, this_d, m.unit, m.decimals)
    raw = None
    if change is not None:
        raw = compare.unrounded_change(last.value, this.value, m.unit)
    return this, last, this_d, last_d, change, raw


def _ci(v: Value, m: catalog.Measure) -> float | None:
    if not v.available or not v.denominator:
        return None
    half = compare.confidence_interval(v.numerator, v.denominator)
    return None if half is None else float(compare.round_half_up(half, m.decimals))


def _count(v: Value, part: str) -> float:
    value = getattr(v, part) if v.available else None
    return np.nan if value is None else float(value)


def suppress_below_setting(
    suppress_below: int | bool | None, cube: Cube | None = None
) -> int | None:
    """The threshold in force: None → ``suppress_below`` of the cube's profile (a cube built in
    code, or no cube: the demo profile's, ``helpers.config.force_config()``); 0 or False → off."""
    if suppress_below is None:
        return disclosure.force_settings(cube).suppress_below
    if suppress_below is False or suppress_below == 0:
        return None
    return int(suppress_below)


def measure_row(cube: Cube, m: catalog.Measure, month, period: str, geography: str = FORCE) -> dict:
    """Compute one performance row (see :func:`performance_rows` for the columns)."""
    month = periods.parse_month(month)
    kind = m.window_kind(period)
    w = periods.window(kind, month, lag=m.lag)
    row = {
        "area": m.area,
        "measure_id": m.id,
        "measure": m.title,
        "label": m.label,
        "unit": m.unit,
        "decimals": m.decimals,
        "polarity": m.polarity,
        "window_label": w.label,
        "last_year": np.nan,
        "this_year": np.nan,
        "plan": np.nan,
        "change": None,
        "change_unit": CHANGE_UNITS.get(m.unit, ""),
        "since_last_month": "N/A",
        "ci_last": None,
        "ci_this": None,
        "significant": None,
        "significance_rule": None,
        "msg_rank": None,
        "msg_colour": None,
        "msg_of": None,
        "msg_note": None,
        "national_rank": None,
        "national_of": None,
        "direction": "na",
        "available": False,
        "note": "",
        "footnote": m.footnote,
        "suppressed": False,
        "suppression_reason": "",
        **dict.fromkeys(COUNT_COLUMNS, np.nan),
    }
    level = cube.level_of(geography)
    if not m.exists_at(level):
        row["note"] = NOT_AT_LEVEL
        return row
    if not cube.has_measure(m.id):
        row["note"] = "not in the cube"
        return row
    if m.compare == "plan":
        row.update(plan.plan_fields(cube, m, month, kind, geography))
        return row
    this, last, this_d, last_d, change, raw = _change(cube, m, w, geography)
    # last month's window is built afresh: an April fytd window's predecessor is the whole
    # previous financial year, not the April window moved back a month
    w_prev = periods.window(kind, month - 1, lag=m.lag)
    raw_prev = _change(cube, m, w_prev, geography)[5]
    notes = []
    if not this.available:
        notes.append(this.reason)
    if not last.available and not (not this.available and last.reason == this.reason):
        # one reason when both years fail for the same cause (e.g. the source is absent)
        notes.append(
            last.reason if last.reason.startswith("last year") else f"last year: {last.reason}"
        )
    if this.available and this.as_of is not None:
        # a survey published for quarterly periods: label the period actually read
        row["window_label"] = periods.window(kind, this.as_of).label
    row.update(
        last_year=_float(last_d),
        this_year=_float(this_d),
        change=change,
        since_last_month=compare.year_on_year_change_since_last_month(
            raw, raw_prev, m.polarity, m.decimals, unit=m.unit
        ),
        direction=compare.direction(change, m.polarity),
        available=this.available,
        note="; ".join(n for n in notes if n),
        this_numerator=_count(this, "numerator"),
        this_denominator=_count(this, "denominator"),
        last_numerator=_count(last, "numerator"),
        last_denominator=_count(last, "denominator"),
    )
    if m.ci:
        row["ci_this"] = _ci(this, m)
        row["ci_last"] = _ci(last, m)
        if this.available and last.available:
            rule = significance.rule(cube)
            row["significant"] = rule.significant(
                last.numerator, last.denominator, this.numerator, this.denominator
            )
            row["significance_rule"] = rule.text
    if m.msg and level == "force" and this.available:
        group = cube.peer_group(m.id, w)
        values = dict(group.values)
        home = values.pop(cube.home_force, None)
        if home is not None and values:
            peers = list(values.values())
            row["msg_rank"] = compare.msg_rank(home, peers, m.polarity)
            row["msg_colour"] = compare.msg_average_colour(home, peers, m.polarity, m.decimals)
            row["msg_of"] = len(group.values)
            row["msg_note"] = msg_note(group)
    if level == "force" and this.available:
        row.update(national_rank(cube, m, w))
    return row


def national_rank(cube: Cube, m: catalog.Measure, w: periods.Window) -> dict:
    """``national_rank`` (1 = best) and ``national_of`` (43) of the home force on ``w`` among all
    forces (:meth:`Cube.national_group`); None for both when there is no national rank."""
    group = cube.national_group(m.id, w)
    values = dict(group.values) if group is not None else {}
    home = values.pop(cube.home_force, None)
    rank = compare.msg_rank(home, list(values.values()), m.polarity) if values else None
    if rank is None:
        return {"national_rank": None, "national_of": None}
    return {"national_rank": rank, "national_of": len(group.values)}


def _month_span(months: tuple[str, ...]) -> str:
    """``("2016-04", "2016-05", "2016-07")`` → ``"Apr 2016 – May 2016, Jul 2016"``."""
    ps = sorted(pd.Period(m, "M") for m in months)
    runs: list[list[pd.Period]] = []
    for p in ps:
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return ", ".join(
        r[0].strftime("%b %Y")
        if len(r) == 1
        else f"{r[0].strftime('%b %Y')} – {r[-1].strftime('%b %Y')}"
        for r in runs
    )


def msg_note(group) -> str:
    """What an MSG rank ranks, in words: the forces, the window and each force left out.

    "Most Similar Group ranking (1 = best) of 7 forces on Oct 2015 - Sep 2016: Bedfordshire
    Police, …; left out: Kent Police (no figures for Apr 2016 – Sep 2016)."
    """
    text = (
        f"Most Similar Group ranking (1 = best) of {len(group.values)} forces on {group.window}: "
        + ", ".join(group.values)
    )
    if group.left_out:
        gone = [
            f"{force} (no figures for {_month_span(months)})" if months else f"{force} (no figure)"
            for force, months in sorted(group.left_out.items())
        ]
        text += "; left out: " + ", ".join(gone)
    return text + "."


def performance_rows(
    cube: Cube,
    area: int | None,
    month,
    period: str,
    geography: str = FORCE,
    in_table: bool | None = True,
    suppress_below: int | bool | None = None,
) -> pd.DataFrame:
    """Return the Performance Information rows of an area for a report month.

    Parameters
    ----------
    cube
        From :func:`helpers.measures.cube.load_cube`.
    area
        1-8 (None: all areas).
    month
        The report month (``"2016-09"``).
    period
        ``rolling-12m``, ``fytd`` or ``month``; a measure with a fixed window keeps its own.
    geography
        ``Force``, an LPA or a district. Measures that do not exist at the level read "not
        available at this level".
    in_table
        True: the table's rows; False: management information; None: both.
    suppress_below
        Disclosure control for public release (:func:`helpers.analysis.disclosure.decisions`): LPA and
        district figures resting on a count below this (in any window or month the pack shows)
        are withheld, with the figures that would give them away. None: the force configuration's ``suppress_below`` (off by default);
        0 or False: off.

    Returns
    -------
    DataFrame
        Columns :data:`ROW_COLUMNS`. ``last_year``/``this_year`` are the printed figures (NaN =
        N/A); ``change`` is a Decimal or None (N/A); ``note`` says why a figure is N/A;
        ``suppressed`` marks a withheld row (its figures are NaN/None, printed ``[c]``).
    """
    periods.check_period(period)
    month = periods.parse_month(month)
    threshold = suppress_below_setting(suppress_below, cube)
    rows = _frame(_measure_rows(cube, area, month, period, geography, in_table), ROW_COLUMNS)
    if threshold is not None and cube.level_of(geography) != "force":
        # whether a district's figure is withheld depends on every figure of the month (all
        # geographies, measures, windows): decided once for the cube (helpers.analysis.disclosure)
        decided = disclosure.decisions(cube, month, threshold)
        rows = disclosure.withhold(rows.assign(geography=geography), decided, threshold)
        rows = rows.drop(columns="geography")
    return rows


def _measure_rows(cube, area, month: pd.Period, period, geography, in_table) -> list[dict]:
    """:func:`measure_row` for each measure of ``area`` in the month (no disclosure control)."""
    return [
        measure_row(cube, m, month, period, geography)
        for m in catalog.measures_for(area, month, in_table=in_table)
    ]


def performance_records(
    cube: Cube,
    area: int | None,
    month,
    period: str,
    geography: str = FORCE,
    in_table: bool | None = True,
) -> list[dict] | None:
    """:func:`performance_rows` as a list of row dicts (:func:`measure_row`), for callers that add
    columns before making one frame of several areas (:func:`records_frame`).

    None when disclosure control is on (``suppress_below`` in the force configuration) and
    ``geography`` is an LPA or a district: those rows come from :func:`performance_rows` only,
    which withholds them as :func:`helpers.analysis.disclosure.decisions` decides.
    """
    periods.check_period(period)
    month = periods.parse_month(month)
    if suppress_below_setting(None, cube) is not None and cube.level_of(geography) != "force":
        return None
    return _measure_rows(cube, area, month, period, geography, in_table)


def records_frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """The frame of row dicts, as :func:`performance_rows` makes it (None kept as None)."""
    return _frame(records, columns)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    # keep None (N/A) rather than NaN, and ints as ints, in the optional columns
    for c in (
        "change",
        "ci_last",
        "ci_this",
        "significant",
        "significance_rule",
        "msg_rank",
        "msg_colour",
        "msg_of",
        "msg_note",
        "national_rank",
        "national_of",
    ):
        if c in df.columns:
            df[c] = pd.Series([r.get(c) for r in rows], index=df.index, dtype=object)
    return df


def performance_table_for_all_geographies(
    cube: Cube,
    area: int,
    month,
    period: str,
    in_table: bool | None = True,
    suppress_below: int | bool | None = None,
) -> dict[str, pd.DataFrame]:
    """Return geography → :func:`performance_rows` for Force, every LPA and every district."""
    geos = cube.geographies()["geography"]
    return {
        g: performance_rows(cube, area, month, period, g, in_table, suppress_below) for g in geos
    }


def scorecard(cube: Cube, month, period: str, geography: str = FORCE) -> pd.DataFrame:
    """All in-table measures of all areas (the master notebook's scorecard)."""
    return performance_rows(cube, None, month, period, geography, in_table=True)


def tables_csv(
    cube: Cube, month, period: str, suppress_below: int | bool | None = None
) -> pd.DataFrame:
    """Return one row per in-table measure × geography where the measure exists (``tables.csv``).

    Geographies are Force, the LPAs and the districts; a measure that exists only at force level
    has only its force row. ``change`` is a Decimal (written as printed) or None (empty = N/A).

    With ``suppress_below`` (None: the force configuration's, off by default; 0/False: off), LPA
    and district figures resting on small counts are withheld (``suppressed`` True, figures
    empty, ``suppression_reason`` says why), as every page withholds them
    (:func:`helpers.analysis.disclosure.decisions`). Text that a
    spreadsheet would run as a formula is prefixed with a quote (:func:`helpers.analysis.disclosure.csv_safe`).
    """
    periods.check_period(period)
    month = periods.parse_month(month)
    threshold = suppress_below_setting(suppress_below, cube)
    measures = catalog.measures_for(None, month, in_table=True)
    out = []
    for g in cube.geographies().itertuples():
        for m in measures:
            if not m.exists_at(g.level):
                continue
            r = measure_row(cube, m, month, period, g.geography)
            out.append(
                {
                    **{k: r[k] for k in (*TABLE_COLUMNS, "unit", *COUNT_COLUMNS) if k in r},
                    "geography_level": g.level,
                    "geography": g.geography,
                    "period": m.window_kind(period),
                }
            )
    table = _frame(out, [*TABLE_COLUMNS, "unit", *COUNT_COLUMNS])
    if threshold is not None:
        decided = disclosure.decisions(cube, month, threshold)
        table = disclosure.withhold(table, decided, threshold)
    return disclosure.csv_safe(table[TABLE_COLUMNS])


__all__ = [
    "CHANGE_UNITS",
    "COUNT_COLUMNS",
    "NOT_AT_LEVEL",
    "ROW_COLUMNS",
    "TABLE_COLUMNS",
    "display_value",
    "measure_row",
    "performance_rows",
    "performance_table_for_all_geographies",
    "scorecard",
    "suppress_below_setting",
    "tables_csv",
]


def measure_frame(
    cube: Cube,
    measure_ids,
    *,
    kind: str = "month",
    geographies=None,
) -> pd.DataFrame:
    """The figures of some measures month by month for every geography, as one long data frame.

    What an analyst filters and plots beyond the page (a notebook's Explore cell): one row per
    measure × geography × month, with the numerator and denominator the figure rests on. Months
    without data are NaN, never zero; a measure is listed only at the levels it is defined for.

    Parameters
    ----------
    cube
        The measure cube.
    measure_ids
        Catalog ids, in the order wanted.
    kind
        ``month`` (each month on its own), ``rolling-12m`` or ``fytd`` (the window ending in each
        month).
    geographies
        ``level, geography`` rows (default: the force, its LPAs and its districts).

    Returns
    -------
    pandas.DataFrame
        ``measure_id, measure, unit, level, geography, month, numerator, denominator, value``.

    Examples
    --------
    >>> frame = measure_frame(cube, ["all_crime"])                     # doctest: +SKIP
    >>> frame.query("geography == 'Basildon'").tail(1)["value"]        # doctest: +SKIP
    """
    geos = cube.geographies() if geographies is None else geographies
    parts = []
    for mid in measure_ids:
        m = catalog.measure(mid)
        for level, geography in zip(geos["level"], geos["geography"], strict=True):
            if level not in m.levels:
                continue
            s = cube.series(mid, geography, kind=kind)
            parts.append(
                s.assign(
                    measure_id=mid, measure=m.title, unit=m.unit, level=level, geography=geography
                )
            )
    columns = [
        "measure_id",
        "measure",
        "unit",
        "level",
        "geography",
        "month",
        "numerator",
        "denominator",
        "value",
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]
