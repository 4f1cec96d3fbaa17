"""Area 4, Alcohol, drugs and mental health: night-time economy crime, incidents flagged alcohol /
drugs / mental health, Class A supply, drug tests on arrest.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...contract.catalog import measure
from ...render import charts, tables
from ..sections import (
    Context,
    Item,
    _chart,
    _district_bar,
    _fmt,
    _geo_phrase,
    _years,
    spc_with_caption,
)

AREA = 4


def nte_by_month(ctx: Context) -> str:
    return spc_with_caption(
        ctx,
        "nte_crimes",
        about="of night-time economy crimes each month",
        unit_label="Crimes per month",
        title=f"Night-time economy (NTE) crimes by month — {_geo_phrase(ctx)}",
    )


def nte_by_district(ctx: Context) -> str:
    return _district_bar(ctx, "nte_crimes", "Night-time economy (NTE) crimes by district", "Crimes")


def qualifiers_by_month(ctx: Context) -> str:
    frames = []
    for mid, label in (
        ("incidents_alcohol", "Alcohol"),
        ("incidents_drugs", "Drugs"),
        ("incidents_mental_health", "Mental health"),
    ):
        s = ctx.series(mid, months=24)
        if len(s):
            frames.append(s.assign(series=label))
    return _chart(
        ctx,
        charts.line_chart,
        "Incidents closed with each qualifier, by month. An incident can carry all three qualifiers, and "
        "qualifiers are added at closing, so treat these figures with caution.",
        pd.concat(frames) if frames else None,
        series="series",
        title=f"Incidents with alcohol, drugs or mental-health qualifiers — {_geo_phrase(ctx)}",
        value_label="Incidents per month",
    )


def class_a(ctx: Context) -> str:
    s = ctx.series("class_a_prosecutions", months=24)
    ly, ty = ctx.pair("class_a_prosecutions")
    m = measure("class_a_prosecutions")
    a, b = _years(ctx, m)
    return _chart(
        ctx,
        charts.bar_by_month,
        f"Class A supply offences charged or summonsed each month, by outcome date. {a}: "
        f"{_fmt(ly, 'count')}; {b}: {_fmt(ty, 'count')}.",
        s,
        title=f"Prosecutions of Class A drug suppliers by month — {_geo_phrase(ctx)}",
        value_label="Charges or summonses",
    )


def drug_tests(ctx: Context) -> str:
    m = measure("drug_test_positive")
    s = ctx.series("drug_test_positive", months=24)
    title = f"% positive for drug testing on arrest — {_geo_phrase(ctx)}"
    ly, ty = ctx.pair("drug_test_positive")
    win = ctx.window_for(m)
    status = (
        f"Not available for {win.label}: tests for at least one month of the window have not "
        "been entered."
        if ty is None
        else f"{win.label}: {ty:.1f}% positive."
    )
    text = f"Drug tests on arrest positive for cocaine, opiates or both, each month. {status}"
    gap = _missing_text(s)
    if gap:
        text += f" Months marked n/a have no tests entered ({gap})."
    out = _chart(
        ctx, charts.bar_by_month, text, s, title=title, value_label="Positive (%)", unit="percent"
    )
    if ty is None:
        out = tables.note_html(f"% Positive for drug testing on arrest: {status}", "warning") + out
    return out


def _missing_text(s: pd.DataFrame) -> str:
    """ "Apr 2015 onwards" or "Jan 2016, Mar 2016" for the months of ``s`` without a value."""
    if s is None or s.empty:
        return ""
    gaps = [p for p, v in zip(s["month"], s["value"], strict=True) if pd.isna(v)]
    if not gaps:
        return ""
    trailing = s["value"].notna()[::-1].cumsum()[::-1] == 0  # no value from here to the end
    if trailing.any():
        first = s.loc[trailing, "month"].iloc[0]
        if len(gaps) == int(trailing.sum()):
            return f"{first.strftime('%b %Y')} onwards"
    return ", ".join(p.strftime("%b %Y") for p in gaps[-6:])


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "nte_by_month",
        AREA,
        "Night-time economy (NTE) crime by month",
        nte_by_month,
        ("crimes",),
        switchable=True,
        by_period=False,
        measures=("nte_crimes",),
    ),
    Item(
        "nte_by_district",
        AREA,
        "Night-time economy (NTE) crime by district",
        nte_by_district,
        ("crimes",),
        force_only="it shows every district of the force",
        measures=("nte_crimes",),
    ),
    Item(
        "qualifiers_by_month",
        AREA,
        "Incidents involving alcohol, drugs and mental health",
        qualifiers_by_month,
        ("incidents",),
        by_period=False,
        measures=("incidents_alcohol", "incidents_drugs", "incidents_mental_health"),
    ),
    Item(
        "class_a",
        AREA,
        "Prosecution of Class A drug suppliers",
        class_a,
        ("crimes",),
        measures=("class_a_prosecutions",),
    ),
    Item(
        "drug_tests",
        AREA,
        "Drug testing on arrest",
        drug_tests,
        ("drug_tests",),
        measures=("drug_test_positive",),
    ),
]
