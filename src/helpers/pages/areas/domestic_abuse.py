"""Area 1, Reducing Domestic Abuse: domestic abuse incidents and offences by month, repeat victims,
solved rates by DASH risk level.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...analysis.disclosure import MARK, footnote
from ...analysis.performance import suppress_below_setting
from ...contract.catalog import measure
from ...periods import Window
from ...render import charts, tables
from ...render.numbers import format_value
from ..context import WITHHELD
from ..sections import (
    Context,
    Item,
    _chart,
    _geo_phrase,
    _p,
    _year_frame,
    _years,
    spc_with_caption,
)

AREA = 1


def da_by_month(ctx: Context) -> str:
    parts = []
    for mid, title, what, unit_label in (
        ("da_incidents", "Domestic abuse incidents by month", "incidents", "Incidents per month"),
        ("da_offences", "Domestic abuse offences by month", "offences", "Offences per month"),
    ):
        # the national definition starts in April 2013: a report of March 2014 has 12 months, too
        # few for control limits, and says so (a run chart) rather than drawing none unexplained
        parts.append(
            spc_with_caption(
                ctx,
                mid,
                about=f"of domestic abuse {what} each month",
                title=f"{title} — {_geo_phrase(ctx)}",
                unit_label=unit_label,
            )
        )
    return "".join(parts)


#: The repeat measures of each definition, in the order they are drawn: the one valid for the
#: report month is shown (the financial-year rule to March 2016, the 365-day rules from April 2016).
REPEAT_MEASURES = [
    ("da_repeat_incidents_fy", "Repeat incidents"),
    ("da_repeat_incidents", "Repeat incidents"),
    ("da_repeat_victims_incidents", "Individual repeat victims (incidents)"),
    ("da_repeat_victims_crime", "Individual repeat victims (crimes)"),
]

_REPEAT_CAPTIONS = {
    "previous_12_months": (
        "Repeat incidents and individual repeat victims each month (a victim is a repeat victim "
        "when they had another domestic abuse incident or crime in the 365 days before). Shown "
        "from April 2016, when this definition started."
    ),
    "since_financial_year_start": (
        "Repeat incidents each month: an incident is a repeat when the same victim already had a "
        "domestic abuse incident earlier in the same financial year, so the count is lowest in "
        "April and builds up through the year (the definition used to March 2016; individual "
        "repeat victims are counted from April 2016). The months add up to the financial year's "
        "figure in the table."
    ),
}


def da_repeat_victims(ctx: Context) -> str:
    """The repeat measures of the definition valid for the report month, by month; where the
    month has none with data, one plain sentence (never an empty chart)."""
    frames, rule = [], None
    for mid, label in REPEAT_MEASURES:
        m = measure(mid)
        if not m.valid_for(ctx.month):
            continue
        s = ctx.series(mid, months=24)
        if len(s) and s["value"].notna().any():
            frames.append(s.assign(series=label))
            rule = m.params.get("rule", "previous_12_months")
    if not frames:
        return _p(
            f"No repeat domestic abuse figures for {_geo_phrase(ctx)} in the months to "
            f"{ctx.month.strftime('%B %Y')}: the source has no months that the definition in use "
            "can count."
        )
    return _chart(
        ctx,
        charts.line_chart,
        _REPEAT_CAPTIONS[rule],
        pd.concat(frames),
        series="series",
        title=f"Repeat domestic abuse by month — {_geo_phrase(ctx)}",
        value_label="Number per month",
    )


def da_solved_by_risk(ctx: Context) -> str:
    ids = [
        ("da_solved_rate_standard", "Standard risk"),
        ("da_solved_rate_medium", "Medium risk"),
        ("da_solved_rate_high", "High risk"),
    ]
    df = _year_frame(ctx, ids)
    m = measure("da_solved_rate")
    ly, ty = _years(ctx, m)
    sentences = []
    for (_mid, label), (a, b) in zip(
        ids,
        [(df.iloc[i]["value"], df.iloc[i + 1]["value"]) for i in range(0, len(df), 2)],
        strict=True,
    ):
        if a is not None and b is not None and not (pd.isna(a) or pd.isna(b)):
            verb = "improved" if b > a else "decreased" if b < a else "stayed"
            sentences.append(f"{label}: {verb} from {a:.1f}% to {b:.1f}%")
    text = (
        f"Solved rate by DASH (Domestic Abuse, Stalking and Harassment) risk level, {ly} (grey) "
        f"against {ty} (blue). " + ("; ".join(sentences) + "." if sentences else "")
    )
    return _chart(
        ctx,
        charts.grouped_bar,
        text,
        df,
        category="category",
        value="value",
        title=f"Domestic abuse solved rate by risk level — {_geo_phrase(ctx)}",
        value_label="Solved rate (%)",
        category_label="DASH risk level",
        unit="percent",
        decimals=1,
    )


#: The victimless-prosecution figures, in the order the March 2014 report lists them.
VICTIMLESS = [
    ("victimless_finalised", "Finalised cases"),
    ("victimless_successful", "Successful prosecutions (guilty plea or found guilty)"),
    ("victimless_dismissed", "Dismissed or no evidence offered"),
    ("victimless_other", "Finalised another way"),
    ("victimless_pending", "Cases pending at the end of the month"),
]


def victimless_prosecutions(ctx: Context) -> str:
    """The cases since monitoring began (the first month of the case list) to the report month,
    or to the month monitoring ended: finalised, by result, and pending at the month's end. A
    figure withheld for release (small numbers) prints as the table's mark."""
    covered = ctx.cube.covered_months("victimless_finalised")
    if not covered or covered[0] > ctx.month:
        return tables.note_html(
            f"No victimless prosecutions were monitored by {ctx.month.strftime('%B %Y')}.", "info"
        )
    end = min(covered[-1], ctx.month)
    since = Window("month", covered[0], end)
    values = [ctx.value(mid, since) for mid, _ in VICTIMLESS]
    first = values[0]  # the finalised cases
    if not first.available and first.reason != WITHHELD:
        return tables.note_html(f"Victimless prosecutions: not available ({first.reason}).", "info")
    withheld = [v.reason == WITHHELD for v in values]
    numbers = [
        MARK if w else format_value(v.value if v.available else None, "count")
        for v, w in zip(values, withheld, strict=True)
    ]
    df = pd.DataFrame({"Cases": [label for _, label in VICTIMLESS], "Number": numbers})
    note = footnote(pd.DataFrame({"suppressed": withheld}), suppress_below_setting(None, ctx.cube))
    span = f"{covered[0].strftime('%B %Y')} to {end.strftime('%B %Y')}"
    ended = (
        f" Monitoring ended in {end.strftime('%B %Y')}: the figures are to its end."
        if end < ctx.month
        else ""
    )
    return (
        tables.simple_table(df, hidden=f"Victimless prosecutions, {span}", wrap=True)
        + _p(
            f"Domestic-abuse prosecutions taken forward without the victim's evidence, monitored with "
            f"the Crown Prosecution Service and the courts since {covered[0].strftime('%B %Y')}: the "
            f"cases finalised from then to the end of {end.strftime('%B %Y')} by their result, "
            f"and those charged and not yet finalised at its end — {_geo_phrase(ctx)}.{ended}"
        )
        + (_p(note) if note else "")
    )


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "da_by_month",
        AREA,
        "Domestic abuse incidents and offences by month",
        da_by_month,
        ("incidents", "crimes"),
        switchable=True,
        by_period=False,
        measures=("da_incidents", "da_offences"),
    ),
    Item(
        "da_repeat_victims",
        AREA,
        "Repeat victims of domestic abuse",
        da_repeat_victims,
        ("incidents", "crimes"),
        by_period=False,
        measures=tuple(mid for mid, _ in REPEAT_MEASURES),
    ),
    Item(
        "da_solved_by_risk",
        AREA,
        "Solved rates by risk level",
        da_solved_by_risk,
        ("crimes",),
        measures=("da_solved_rate_standard", "da_solved_rate_medium", "da_solved_rate_high"),
    ),
    Item(
        "victimless_prosecutions",
        AREA,
        "Victimless prosecutions",
        victimless_prosecutions,
        ("victimless_prosecutions",),
        switchable=True,  # a small table a place: every district's is in the pack
        by_period=False,
        measures=tuple(mid for mid, _ in VICTIMLESS),
    ),
]
