"""Area 6, Crime prevention: all crime and solved rate SPC, disposals, the MSG crime rate, ASB,
rural crime, the districts' key measures.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...contract.catalog import measure
from ...contract.extracts import OUTCOME_LABELS, SOLVED_OUTCOMES
from ...periods import Window
from ...render import charts, tables
from ..sections import (
    KEY_DISTRICT_MEASURES,
    Context,
    Item,
    _chart,
    _geo_phrase,
    _p,
    _years,
    district_table_html,
    spc_with_caption,
)

AREA = 6


def all_crime_spc(ctx: Context) -> str:
    out = spc_with_caption(
        ctx,
        "all_crime",
        about="of all crime each month, with seasonality and projection",
        unit_label="Crimes per month",
        title=f"All crime by month — {_geo_phrase(ctx)}",
        projection=True,
        months=48,
    )
    return out + _seasonality(ctx, "all_crime", "Seasonal pattern of all crime")


def _seasonality(ctx: Context, measure_id: str, title: str) -> str:
    """Bars of the twelve seasonal factors (needs three complete years), or nothing."""
    from ... import spc
    from ...render.spc_charts import seasonality_chart

    s = ctx.series(measure_id, months=48)
    values = s.set_index("month")["value"].astype(float) if len(s) else pd.Series(dtype=float)
    if len(values) < 36 or values.isna().any():
        return ""
    values.index = pd.PeriodIndex(values.index, freq="M")
    try:
        factors = spc.seasonal_factors(values)
    except ValueError:
        return ""
    return _chart(
        ctx,
        seasonality_chart,
        "How far each calendar month typically runs above or below an average month (from the last "
        f"{len(values) // 12} years); the projection above allows for this pattern.",
        factors=factors,
        title=f"{title} — {_geo_phrase(ctx)}",
    )


def solved_rate_spc(ctx: Context) -> str:
    return spc_with_caption(
        ctx,
        "solved_rate",
        about="of the solved rate (solved outcomes recorded in the month ÷ crimes recorded in the "
        "month), with projection",
        unit_label="Solved rate (%)",
        title=f"All crime solved rate by month — {_geo_phrase(ctx)}",
        projection=True,
        months=48,
    )


def disposals(ctx: Context) -> str:
    ids = [(f"disposal_{o}", OUTCOME_LABELS[o]) for o in SOLVED_OUTCOMES]
    # An outcome type with no record in any month is left off the chart and named in the
    # caption: a zero bar would say "none this year" where the source may not record it at all.
    absent = [label for mid, label in ids if not ctx.cube.ever_counted(mid)]
    if len(absent) < len(ids):
        ids = [(mid, label) for mid, label in ids if label not in absent]
    m = measure("outcomes_solved")
    win = ctx.window_for(m)
    rows = []
    totals = {"Last year": 0.0, "This year": 0.0}
    for mid, label in ids:
        for year, w in (("Last year", win.last_year()), ("This year", win)):
            v = ctx.number(mid, w)
            rows.append({"category": label, "year": year, "value": v})
            if v is not None:
                totals[year] += v
    df = pd.DataFrame(rows)
    ly, ty = _years(ctx, m)
    shares = []
    this = df[df["year"] == "This year"]
    if totals["This year"]:
        for _, r in this.sort_values("value", ascending=False).iterrows():
            if r["value"]:
                shares.append(f"{r['category']} {100 * r['value'] / totals['This year']:.0f}%")
    return _chart(
        ctx,
        charts.grouped_bar,
        f"Solved outcomes by type and outcome date, {ly} (grey) against {ty} (blue). Shares this year: "
        + ", ".join(shares[:4])
        + ". TIC: taken into consideration; DNP: detected, no proceedings."
        + (
            f" Not in the data for any month, so not drawn: {', '.join(absent)}."
            if absent and len(absent) < len(SOLVED_OUTCOMES)
            else ""
        ),
        df,
        category="category",
        value="value",
        title=f"Breakdown of offence disposals (solved outcomes) — {_geo_phrase(ctx)}",
        value_label="Outcomes recorded",
        horizontal=True,
        height=4.0,
    )


def msg_crime_rate(ctx: Context) -> str:
    m = measure("all_crime")
    win = ctx.window_for(m)
    home = getattr(ctx.cube, "home_force", None)
    # all crime is ranked in the MSG on crimes per 1,000 residents (cube.peer_values)
    peers = _peer_frame(ctx, "all_crime", win)
    title = "Crimes per 1,000 residents across the Most Similar Group (MSG) of forces"
    if peers is None or len(peers) < 2:
        return _chart(
            ctx,
            charts.no_data_figure,
            f"The peer forces' figures (msg_peers) do not cover {win.label}.",
            title,
            "No MSG peer figures for this period",
        )
    rank = peers.sort_values("value").reset_index(drop=True)
    pos = rank.index[rank["force"] == home]
    pos_text = (
        f" {home} has the {_lowest(pos[0] + 1)}lowest rate of the {len(rank)} forces."
        if len(pos)
        else ""
    )
    left_out = ctx.cube.peer_group("all_crime", win).left_out
    if left_out:
        pos_text += (
            " Left out (not every month of the period): " + ", ".join(sorted(left_out)) + "."
        )
    note = (
        ""
        if ctx.level == "force"
        else " The MSG compares whole forces, so it does not change with the geography chosen."
    )
    return _chart(
        ctx,
        charts.ranked_bar,
        f"All recorded crime per 1,000 residents, {win.label}; this force highlighted.{pos_text}{note}",
        peers,
        label="force",
        value="value",
        highlight=home,
        title=title,
        value_label="Crimes per 1,000 residents",
        height=max(2.8, 0.35 * len(peers) + 1.0),
    )


def _lowest(n: int) -> str:
    """ "" for 1 (the lowest), "2nd " (the 2nd lowest), …"""
    return "" if n == 1 else f"{tables.ordinal(n)} "


def _peer_frame(ctx: Context, measure_id: str, win: Window) -> pd.DataFrame | None:
    """Peer values as a frame [force, value], the home force included (adapter over cube.peer_values)."""
    fn = getattr(ctx.cube, "peer_values", None)
    if fn is None:
        return None
    try:
        raw = fn(measure_id, win)
    except (KeyError, ValueError):
        return None
    if raw is None:
        return None
    if isinstance(raw, dict):
        df = pd.DataFrame({"force": list(raw), "value": list(raw.values())})
    elif isinstance(raw, pd.Series):
        df = raw.rename("value").rename_axis("force").reset_index()
    else:
        df = pd.DataFrame(raw).copy()
        if "force" not in df.columns:
            df = df.reset_index().rename(columns={"index": "force"})
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df[df["value"].notna()].reset_index(drop=True)


def asb_by_month(ctx: Context) -> str:
    return spc_with_caption(
        ctx,
        "asb_incidents",
        about="of anti-social behaviour incidents each month",
        unit_label="Incidents per month",
        title=f"Anti-social behaviour (ASB) incidents by month — {_geo_phrase(ctx)}",
    )


def rural(ctx: Context) -> str:
    m = measure("rural_crime")
    win = ctx.window_for(m)
    rows = []
    for label, w in (("Last year", win.last_year()), ("This year", win)):
        rc = ctx.number("rural_crime", w)
        ac = ctx.number("all_crime", w)
        rs = ctx.number("rural_solved_rate", w)
        share = None if rc is None or not ac else 100 * rc / ac
        rows.append(
            {
                "": f"{label} ({w.label})",
                "Rural crimes": rc,
                "Share of all crime": share,
                "Rural solved rate": rs,
            }
        )
    df = pd.DataFrame(rows)
    table = tables.simple_table(
        df,
        formats={
            "Rural crimes": "{:,.0f}",
            "Share of all crime": "{:.1f}%",
            "Rural solved rate": "{:.1f}%",
        },
    )
    return table + _p(
        f"Crimes committed in rural locations, their share of all crime and their solved rate — {_geo_phrase(ctx)}."
    )


def district_table(ctx: Context) -> str:
    m = measure("all_crime")
    ly, ty = _years(ctx, m)
    return district_table_html(ctx) + _p(
        f"Key crime measures by district, {ty} with the Better/ Worse change against {ly} (% change "
        "for counts, percentage points for the solved rate). ASB: anti-social behaviour."
    )


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "all_crime_spc",
        AREA,
        "All crime: statistical process control, seasonality and projection",
        all_crime_spc,
        ("crimes",),
        switchable=True,
        by_period=False,
        measures=("all_crime",),
    ),
    Item(
        "solved_rate_spc",
        AREA,
        "Solved rate: statistical process control and projection",
        solved_rate_spc,
        ("crimes",),
        switchable=True,
        by_period=False,
        measures=("solved_rate",),
    ),
    Item(
        "disposals",
        AREA,
        "Breakdown of offence disposals",
        disposals,
        ("crimes",),
        measures=("outcomes_solved",),
    ),
    Item(
        "msg_crime_rate",
        AREA,
        "Crime rate across the Most Similar Group (MSG)",
        msg_crime_rate,
        ("msg_peers",),
        by_geography=False,
        force_only="the Most Similar Group compares whole forces",
        measures=("crimes_per_1000",),
    ),
    Item(
        "asb_by_month",
        AREA,
        "Anti-social behaviour (ASB) by month",
        asb_by_month,
        ("incidents",),
        by_period=False,
        measures=("asb_incidents",),
    ),
    Item(
        "rural",
        AREA,
        "Rural crime",
        rural,
        ("crimes",),
        switchable=True,
        measures=("rural_crime", "rural_solved_rate"),
    ),
    Item(
        "district_table",
        AREA,
        "Districts: key crime measures",
        district_table,
        ("crimes",),
        by_geography=False,
        measures=tuple(mid for mid, _ in KEY_DISTRICT_MEASURES),
    ),
]
