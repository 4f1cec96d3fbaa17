"""Area 8, Organisational health: sickness: days lost per officer, staff member and PCSO.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...render import charts
from ..sections import Context, Item, _chart

AREA = 8


def sickness(ctx: Context) -> str:
    frames = []
    for mid, label in (
        ("days_lost_officer", "Police officers"),
        ("days_lost_staff", "Police staff (excluding PCSOs)"),
        ("days_lost_pcso", "PCSOs"),
    ):
        s = ctx.series(mid, months=24, kind="rolling-12m", geography="Force")
        if len(s):
            frames.append(s.assign(series=label))
    latest = []
    for f in frames:
        v = f["value"].dropna()
        if len(v):
            latest.append(f"{f['series'].iloc[0]} {v.iloc[-1]:.2f}")
    text = (
        "Working days lost per person in the 12 months to each month, for police officers, police staff "
        "and PCSOs (Police Community Support Officers). Latest: " + "; ".join(latest) + "."
        if latest
        else "No sickness data."
    )
    return _chart(
        ctx,
        charts.line_chart,
        text,
        pd.concat(frames) if frames else None,
        series="series",
        title="Average working days lost to sickness, rolling 12 months — force",
        value_label="Days lost per person (12 months)",
        x_label="12 months ending",
        decimals=0,
        ylim_zero=True,
    )


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "sickness",
        AREA,
        "Sickness levels",
        sickness,
        ("workforce",),
        by_geography=False,
        force_only="the workforce extract is kept for the force as a whole",
        by_period=False,
        measures=("days_lost_officer", "days_lost_staff", "days_lost_pcso"),
    ),
]
