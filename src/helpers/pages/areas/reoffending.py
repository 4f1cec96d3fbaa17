"""Area 3, Reoffending: the youth and adult re-offending cohorts.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...render import charts
from ..sections import Context, Item, _chart, _geo_phrase

AREA = 3


def reoffending_cohorts(ctx: Context) -> str:
    sizes, rates = [], []
    for mid, label in (
        ("youth_offenders", "Youth offenders (10-17)"),
        ("adult_offenders", "Adult offenders (18+)"),
    ):
        s = ctx.series(mid, months=24)
        if len(s):
            sizes.append(s.assign(series=label))
    for mid, label in (("youth_reoffending_rate", "Youth"), ("adult_reoffending_rate", "Adult")):
        s = ctx.series(mid, months=24)
        if len(s):
            rates.append(s.assign(series=label))
    cohort_end = ctx.month - 6
    return _chart(
        ctx,
        charts.line_chart,
        f"Youth and adult offenders linked to a crime in each cohort month, for the 24 cohort months to "
        f"{cohort_end.strftime('%b %Y')} (six months in arrears).",
        pd.concat(sizes) if sizes else None,
        series="series",
        title=f"Offender cohorts by cohort month — {_geo_phrase(ctx)}",
        value_label="Offenders in the cohort",
        x_label="Cohort month (offence recorded)",
    ) + _chart(
        ctx,
        charts.line_chart,
        "Percentage of each cohort linked to a further crime within six months.",
        pd.concat(rates) if rates else None,
        series="series",
        title=f"Re-offending rate by cohort month — {_geo_phrase(ctx)}",
        value_label="Re-offended within 6 months (%)",
        x_label="Cohort month (offence recorded)",
        unit="percent",
    )


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "reoffending_cohorts",
        AREA,
        "Youth and adult re-offending cohorts",
        reoffending_cohorts,
        ("crimes", "crime_offenders"),
        switchable=True,
        by_period=False,
        measures=(
            "youth_offenders",
            "youth_reoffenders",
            "youth_reoffending_rate",
            "adult_offenders",
            "adult_reoffenders",
            "adult_reoffending_rate",
        ),
    ),
]
