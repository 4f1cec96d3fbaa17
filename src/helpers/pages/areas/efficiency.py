"""Area 7, Efficiency: savings against the financial year's requirement.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...periods import financial_year_start
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
    requirement = _savings_requirement(ctx)
    last = df.iloc[-1]
    text = (
        f"Savings delivered (bars) and planned (line) by the end of each month of the financial year, "
        f"£ million. By {ctx.month.strftime('%b %Y')}: £{last['delivered']:.3f}m delivered against "
        f"£{last['plan']:.3f}m planned."
    )
    if requirement is not None:
        text += f" The requirement for the year is £{requirement:.3f}m."
    return _chart(ctx, charts.plan_vs_delivered, text, df, title=title, requirement=requirement)


def _savings_requirement(ctx: Context) -> float | None:
    """The year's requirement, £ million, if the cube carries it (measure ``savings_requirement``)."""
    try:
        s = ctx.cube.series(
            "savings_requirement", "Force", kind="month", start=ctx.month, end=ctx.month
        )
    except (KeyError, ValueError, AttributeError):
        return None
    if s is None or s.empty or pd.isna(s["numerator"].iloc[-1]):
        return None
    return float(s["numerator"].iloc[-1])


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "savings",
        AREA,
        "Savings",
        savings,
        ("savings",),
        by_geography=False,
        by_period=False,
        measures=("savings_delivered",),
    ),
]
