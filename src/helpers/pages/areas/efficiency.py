"""Area 7, Efficiency: savings against the plan to date and the financial year's requirement.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`. The chart's caption quotes the figures
of the Performance Information row (:func:`helpers.analysis.performance.measure_row`: delivered,
the plan to date and the difference, rounded as the table prints them), so the two cannot differ.
"""

from __future__ import annotations

import pandas as pd

from ...analysis import plan
from ...analysis.compare import change_text, money_text
from ...analysis.disclosure import force_settings
from ...analysis.performance import measure_row
from ...contract.catalog import measure
from ...periods import financial_year_label, financial_year_start, window
from ...render import charts
from ..sections import Context, Item, _chart

AREA = 7


def savings(ctx: Context) -> str:
    fy_start = financial_year_start(ctx.month)
    s = ctx.series("savings_delivered", months=(ctx.month - fy_start).n + 1, geography="Force")
    title = "Savings delivered against plan, financial year to date"
    if s.empty:
        return _chart(
            ctx, charts.no_data_figure, "", title, "No savings data for this financial year"
        )
    df = pd.DataFrame(
        {
            "month": s["month"],
            # the cube keeps savings in £ million
            "delivered": s["numerator"].astype(float),
            "plan": s["denominator"].astype(float),
        }
    )
    requirement = plan.requirement(
        ctx.cube, measure("savings_delivered"), window("month", ctx.month), "Force"
    )
    text = (
        "Savings delivered (bars) and planned (line) by the end of each month of the financial "
        f"year, £ million. {savings_sentence(ctx)}"
    )
    if requirement is not None:
        text += f" The requirement for the year is {money_text(requirement)}."
    text += plan_sentence(ctx)
    return _chart(ctx, charts.plan_vs_delivered, text, df, title=title, requirement=requirement)


def plan_sentence(ctx: Context) -> str:
    """The force's medium-term savings plan (``savings_plan_years``, ``savings_plan_gbp`` in its
    ``force.yaml``), with the years' requirements to date: " Savings of £17.6m are to be made by
    31/03/2017 (the requirements of 2015/16 to 2016/17), within the plan's £33.1m for 2015/16 to
    2019/20." ("" when the force states no plan or the month is outside it)."""
    force = force_settings(ctx.cube)
    if force.savings_plan is None:
        return ""
    first, last = force.savings_plan
    this_year = financial_year_start(ctx.month).year
    due = plan.requirements_since(ctx.cube, measure("savings_delivered"), first, ctx.month)
    if due is None or this_year > last:
        return ""
    years = financial_year_label(pd.Period(f"{first}-04", "M"))
    if this_year > first:
        years += f" to {financial_year_label(ctx.month)}"
    return (
        f" Savings of {money_text(due, 1)} are to be made by 31/03/{this_year + 1} (the "
        f"requirements of {years}), within the plan's {money_text(force.savings_plan_gbp / 1e6, 1)} "
        f"for {force.savings_plan_years}."
    )


def savings_sentence(ctx: Context) -> str:
    """The month's savings against the plan to date, from the table's row: "By Mar 2014:
    £6.704m delivered against £6.633m planned, +£0.071m against the plan (ahead of it)."."""
    m = measure("savings_delivered")
    row = measure_row(ctx.cube, m, ctx.month, ctx.period, "Force")
    when = f"By {ctx.month.strftime('%b %Y')}:"
    if not row["available"] or pd.isna(row["plan"]):
        return f"{when} {row['note'] or 'no savings figure'}."
    delivered = money_text(row["this_year"], m.decimals)
    planned = money_text(row["plan"], m.decimals)
    where = {"better": "ahead of it", "worse": "behind it", "same": "on plan"}.get(
        row["direction"], ""
    )
    gap = f"{change_text(row['change'], m.unit)} against the plan" + (
        f" ({where})" if where else ""
    )
    return f"{when} {delivered} delivered against {planned} planned, {gap}."


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "savings",
        AREA,
        "Savings",
        savings,
        ("savings",),
        by_geography=False,
        force_only="the savings plan is kept for the force as a whole",
        by_period=False,
        measures=("savings_delivered",),
    ),
]
