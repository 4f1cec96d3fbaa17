"""Area 1, Reducing Domestic Abuse: domestic abuse incidents and offences by month, repeat victims,
solved rates by DASH risk level.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...contract.catalog import measure
from ...render import charts
from ..sections import (
    Context,
    Item,
    _caption,
    _chart,
    _geo_phrase,
    _year_frame,
    _years,
    spc_figures,
)

AREA = 1


def da_by_month(ctx: Context) -> str:
    parts = []
    for mid, title, unit_label in (
        ("da_incidents", "Domestic abuse incidents by month", "Incidents per month"),
        ("da_offences", "Domestic abuse offences by month", "Offences per month"),
    ):
        fig_html, sentence = spc_figures(
            ctx, mid, title=f"{title} — {_geo_phrase(ctx)}", unit_label=unit_label
        )
        parts.append(
            fig_html.replace(
                "</figure>",
                _caption(
                    f"Statistical process control (SPC) chart: each month's count against its mean and process "
                    f"limits. {sentence}"
                )
                + "</figure>",
            )
        )
    return "".join(parts)


def da_repeat_victims(ctx: Context) -> str:
    candidates = [
        ("da_repeat_incidents", "Repeat incidents"),
        ("da_repeat_victims_incidents", "Individual repeat victims (incidents)"),
        ("da_repeat_victims_crime", "Individual repeat victims (crimes)"),
    ]
    frames = []
    for mid, label in candidates:
        m = measure(mid)
        if not m.valid_for(ctx.month):
            continue
        s = ctx.series(mid, months=24)
        if len(s):
            frames.append(s.assign(series=label))
    title = f"Repeat domestic abuse by month — {_geo_phrase(ctx)}"
    if not frames:
        return _chart(
            ctx,
            charts.no_data_figure,
            "The 365-day repeat-victim definition was introduced in April 2016; "
            "earlier months are not comparable and are not shown.",
            title,
            "Repeat-victim measures start in April 2016 (new definition)",
        )
    return _chart(
        ctx,
        charts.line_chart,
        "Repeat incidents and individual repeat victims each month (a victim is a repeat victim when "
        "they had another domestic abuse incident or crime in the 365 days before). Shown from April "
        "2016, when this definition started.",
        pd.concat(frames),
        series="series",
        title=title,
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
        measures=("da_repeat_incidents", "da_repeat_victims_incidents", "da_repeat_victims_crime"),
    ),
    Item(
        "da_solved_by_risk",
        AREA,
        "Solved rates by risk level",
        da_solved_by_risk,
        ("crimes",),
        measures=("da_solved_rate_standard", "da_solved_rate_medium", "da_solved_rate_high"),
    ),
]
