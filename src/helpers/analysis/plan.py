"""A measure compared with its plan, not with last year (``compare: plan`` in the catalog).

Savings are the one such measure: the cube gives the savings delivered to date in the financial
year as the figure and the plan to date as its denominator (``helpers/measures/savings.sql``), and
the year's requirement as a measure of its own (the catalog's ``requirement``). The difference
from the plan is worked out from the printed figures (half-up to the measure's decimals), as every
other change is, so the table reads consistently: £6.704m delivered against £6.633m planned is
+0.071; ahead of the plan is better. The change since last month, as for every other measure, is
the difference of the two months' *unrounded* differences from the plan, rounded once
(:func:`helpers.analysis.compare.year_on_year_change_since_last_month`). :func:`plan_fields`
gives a performance row's fields
(:func:`helpers.analysis.performance.measure_row`).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from .. import periods
from ..contract import catalog
from ..measures.cube import Cube, Value
from . import compare


def against_plan(
    cube: Cube, m: catalog.Measure, w: periods.Window, geography: str
) -> tuple[Value, Decimal | None, Decimal | None, Decimal | None, Decimal | None]:
    """(figure, plan to date as printed, figure as printed, figure − plan as printed, figure −
    plan unrounded) on one window: the printed difference is of the printed figures, the
    unrounded one (behind the change since last month) of the figures as they are."""
    this = cube.value(m.id, w, geography)
    plan = this.denominator if this.available else None
    this_d = compare.round_half_up(this.value, m.decimals) if this.available else None
    plan_d = None if plan is None or pd.isna(plan) else compare.round_half_up(plan, m.decimals)
    change = compare.better_worse(plan_d, this_d, m.unit, m.decimals)
    raw = None if change is None else compare.unrounded_change(plan, this.value, m.unit)
    return this, plan_d, this_d, change, raw


def requirement(cube: Cube, m: catalog.Measure, w: periods.Window, geography: str):
    """The plan for the whole financial year of ``w``'s last month (the measure's
    ``requirement``: the savings requirement), or None where the cube has none."""
    if m.requirement is None or not cube.has_measure(m.requirement):
        return None
    v = cube.value(m.requirement, periods.window("month", w.end), geography)
    return v.value if v.available and v.value is not None and not pd.isna(v.value) else None


def requirements_since(cube: Cube, m: catalog.Measure, first_year: int, month) -> float | None:
    """The years' requirements (£ million) from the financial year starting in April
    ``first_year`` to the one of ``month``, added up: what a multi-year plan asks by the end of
    this year. None when a year of them has no requirement in the cube, or ``month`` is before
    ``first_year``'s April.
    """
    month = periods.parse_month(month)
    this_year = periods.financial_year_start(month).year
    if this_year < first_year:
        return None
    total = 0.0
    for year in range(first_year, this_year + 1):
        end = min(pd.Period(f"{year + 1}-03", "M"), month)
        value = requirement(cube, m, periods.window("month", end), "Force")
        if value is None:
            return None
        total += value
    return total


def plan_note(cube: Cube, m: catalog.Measure, w: periods.Window, geography: str) -> str:
    """What the figure is compared with, in words: "against the plan to date of £6.633m;
    requirement for 2013/14 £6.633m" (or why there is no figure)."""
    this, plan_d, *_ = against_plan(cube, m, w, geography)
    if not this.available:
        return this.reason
    # the catalog allows a plan comparison for money only
    note = (
        "no plan to date to compare with"
        if plan_d is None
        else f"against the plan to date of {compare.money_text(plan_d, m.decimals)}"
    )
    total = requirement(cube, m, w, geography)
    if total is not None:
        note += (
            f"; requirement for {periods.financial_year_label(w.end)} "
            f"{compare.money_text(total, m.decimals)}"
        )
    return note


def _number(value) -> float:
    return np.nan if value is None or pd.isna(value) else float(value)


def plan_fields(
    cube: Cube, m: catalog.Measure, month: pd.Period, kind: str, geography: str
) -> dict:
    """The fields of a performance row compared with the plan to date, not last year.

    ``last_year`` is left N/A (the table prints the plan in its place, named as the plan);
    ``plan`` is the plan to date as printed; ``change`` is delivered minus planned (of the printed
    figures); the change since last month is this month's unrounded difference from the plan
    minus last month's, rounded once, in the measure's unit ("Improved (+£0.052m)"); ``note``
    states the plan and the year's requirement.
    """
    w = periods.window(kind, month, lag=m.lag)
    this, plan_d, this_d, change, raw = against_plan(cube, m, w, geography)
    previous = periods.window(kind, month - 1, lag=m.lag)
    raw_prev = against_plan(cube, m, previous, geography)[4]
    return {
        "this_year": _number(this_d),
        "plan": _number(plan_d),
        "change": change,
        "since_last_month": compare.year_on_year_change_since_last_month(
            raw, raw_prev, m.polarity, m.decimals, unit=m.unit
        ),
        "direction": compare.direction(change, m.polarity),
        "available": this.available,
        "note": plan_note(cube, m, w, geography),
        "this_numerator": _number(this.numerator if this.available else None),
        "this_denominator": _number(this.denominator if this.available else None),
    }
