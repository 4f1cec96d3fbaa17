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
from ...analysis.performance import measure_row
from ...contract.catalog import measure
from ...periods import financial_year_start, window
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
    return _chart(ctx, charts.plan_vs_delivered, text, df, title=title, requirement=requirement)


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
