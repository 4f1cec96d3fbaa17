"""Area 2, Supporting Victims of Crime: user satisfaction (and of BME and White victims), emergency
response, call handling.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

import pandas as pd

from ...analysis import compare, significance
from ...contract.catalog import measure
from ...periods import Window, window
from ...render import charts, tables
from ..sections import Context, Item, _chart, _geo_phrase, _p, _years

AREA = 2


SATISFACTION_IDS = [
    ("satisfaction_contact", "Making contact"),
    ("satisfaction_actions", "Action taken"),
    ("satisfaction_follow_up", "Kept informed"),
    ("satisfaction_treatment", "Treatment by staff"),
    ("satisfaction_overall", "Overall service"),
]


def _rate_with_ci(ctx: Context, mid: str, win: Window, geography: str | None = None):
    m = measure(mid)
    geo = ctx.geography_for(m, geography)
    try:
        v = ctx.value(mid, win, geo)
    except KeyError:
        return None, None, None, None
    if not getattr(v, "available", True) or v.value is None or not v.denominator:
        return None, None, None, None
    return (
        float(v.value),
        compare.confidence_interval(v.numerator, v.denominator),
        v.numerator,
        v.denominator,
    )


def satisfaction(ctx: Context) -> str:
    m = measure("satisfaction_overall")
    win = ctx.window_for(m)
    rows, sig = [], []
    rule = significance.rule(ctx.cube)
    for mid, label in SATISFACTION_IDS:
        a = _rate_with_ci(ctx, mid, win.last_year())
        b = _rate_with_ci(ctx, mid, win)
        rows.append({"question": label, "year": "Last year", "value": a[0], "ci": a[1]})
        rows.append({"question": label, "year": "This year", "value": b[0], "ci": b[1]})
        if a[0] is not None and b[0] is not None:
            s = rule.significant(a[2], a[3], b[2], b[3])
            if s:
                sig.append(label.lower())
    df = pd.DataFrame(rows)
    ly, ty = _years(ctx, m)
    sig_text = (
        f"Statistically significant changes ({rule.text}): " + ", ".join(sig) + "."
        if sig
        else f"None of the changes is statistically significant ({rule.text})."
    )
    return _chart(
        ctx,
        charts.point_interval,
        f"Victims satisfied at each stage, {ly} (grey) against {ty} (blue); bars are 95% confidence "
        f"intervals (CI). {sig_text}",
        df,
        category="question",
        title=f"User satisfaction by stage of service — {_geo_phrase(ctx)}",
        value_label="Satisfied (%), with 95% confidence interval",
    )


def satisfaction_bme(ctx: Context) -> str:
    m = measure("satisfaction_overall")
    win = ctx.window_for(m)
    rows = []
    this = {}
    for mid, label in (
        ("satisfaction_overall_white", "White victims"),
        ("satisfaction_overall_bme", "BME victims"),
    ):
        for year, w in (("Last year", win.last_year()), ("This year", win)):
            r = _rate_with_ci(ctx, mid, w)
            rows.append({"group": label, "year": year, "value": r[0], "ci": r[1]})
            if year == "This year":
                this[label] = r
    df = pd.DataFrame(rows)
    w, b = this.get("White victims"), this.get("BME victims")
    if w and b and w[0] is not None and b[0] is not None:
        gap = w[0] - b[0]
        rule = significance.rule(ctx.cube)
        s = rule.significant(w[2], w[3], b[2], b[3])
        verdict = "a statistically significant" if s else "not a statistically significant"
        text = (
            f"BME (Black and minority ethnic) victims {b[0]:.1f}%, White victims {w[0]:.1f}% this year: "
            f"a gap of {abs(gap):.1f} percentage points, {verdict} difference ({rule.text})."
        )
    else:
        text = "Not enough responses to compare BME (Black and minority ethnic) and White victims."
    return _chart(
        ctx,
        charts.point_interval,
        text,
        df,
        category="group",
        title=f"Satisfaction with the overall service: BME and White victims — {_geo_phrase(ctx)}",
        value_label="Satisfied (%), with 95% confidence interval",
        height=2.4,
    )


def emergency_by_lpa(ctx: Context) -> str:
    """Emergency incidents and % attended within standard by LPA, financial year to date."""
    this_w = window("fytd", ctx.month)
    last_w = this_w.last_year()
    cols = ["Force", *ctx.lpas]
    rows = []
    for label, w in ((_span_dates(this_w), this_w), (_span_dates(last_w), last_w)):
        row = {"Year": label}
        for g in cols:
            n = ctx.number("emergency_incidents", w, g)
            p = ctx.number("emergency_attendance", w, g)
            row[f"{g} incidents"] = n
            row[f"{g} % in standard"] = p
        rows.append(row)
    df = pd.DataFrame(rows)
    formats = {c: "{:,.0f}" for c in df.columns if c.endswith("incidents")}
    formats.update({c: "{:.1f}%" for c in df.columns if c.endswith("standard")})
    table = tables.simple_table(df, formats=formats)
    n_this, n_last = rows[0].get("Force incidents"), rows[1].get("Force incidents")
    extra = ""
    if n_this is not None and n_last is not None:
        diff = n_this - n_last
        more = "more" if diff >= 0 else "fewer"
        extra = (
            f" The force dealt with {abs(diff):,.0f} {more} emergency incidents than in the same "
            "period last year."
        )
    unplaced = ", ".join(
        f"{n:,.0f} {year}"
        for n, year in zip(_unplaced(rows, ctx.lpas), ("this year", "last year"), strict=True)
        if n
    )
    if unplaced:
        extra += (
            f" The force includes incidents whose district is not known ({unplaced}): they "
            "belong to no LPA, so the LPAs do not add up to the force."
        )
    return table + _p(
        "Emergency (grade 1, urban and rural) incidents and the percentage attended within "
        "standard (15 minutes urban, 20 minutes rural), financial year to date against the same "
        "period last year, by LPA (Local Policing Area)." + extra
    )


def _unplaced(rows: list[dict], lpas) -> list[float | None]:
    """For each row of :func:`emergency_by_lpa`, the force's incidents beyond its LPAs' (those of
    no known district); None where a figure is not available.

    >>> _unplaced([{"Force incidents": 10.0, "A incidents": 4.0, "B incidents": 5.0},
    ...            {"Force incidents": 8.0, "A incidents": None, "B incidents": 5.0}], ["A", "B"])
    [1.0, None]
    """
    out = []
    for row in rows:
        parts = [row.get(f"{g} incidents") for g in ("Force", *lpas)]
        out.append(None if None in parts else parts[0] - sum(parts[1:]))
    return out


def _span_dates(w: Window) -> str:
    return f"01/{w.start.month:02d}/{w.start.year % 100:02d} – {w.end.to_timestamp(how='end').strftime('%d/%m/%y')}"


def response_times(ctx: Context) -> str:
    this_w = window("month", ctx.month)
    parts = []
    for w in (this_w.last_year(), this_w):
        rows = []
        for g in [*ctx.lpas, "Force"]:
            rows.append(
                {
                    w.label: g,
                    "Emergency Urban (minutes)": ctx.number("emergency_response_urban", w, g),
                    "Emergency Rural (minutes)": ctx.number("emergency_response_rural", w, g),
                }
            )
        df = pd.DataFrame(rows)
        parts.append(tables.simple_table(df, formats={c: "{:.0f}" for c in df.columns[1:]}))
    return (
        '<div style="display:flex;gap:24px;flex-wrap:wrap">'
        + "".join(parts)
        + "</div>"
        + _p(
            f"Average minutes from the incident being created to the first officer arriving, emergency "
            f"incidents in urban and rural areas, {this_w.last_year().label} against {this_w.label}, by "
            "LPA (Local Policing Area)."
        )
    )


def call_handling(ctx: Context) -> str:
    out = []
    out.append(
        _chart(
            ctx,
            charts.line_chart,
            "Percentage of 999 calls answered within 10 seconds each month, against the 90% standard. Force only (calls are not recorded by area).",
            ctx.series("calls_999_within_standard", months=24, geography="Force"),
            title="999 calls answered within 10 seconds — force",
            value_label="Answered within 10 s (%)",
            unit="percent",
            target=90,
            target_label="Standard: 90%",
            ylim_zero=False,
        )
    )
    out.append(
        _chart(
            ctx,
            charts.line_chart,
            "Average seconds a caller waited for the switchboard to answer, each month, against the 15-second standard. Force only.",
            ctx.series("switchboard_wait", months=24, geography="Force"),
            title="Average wait for the switchboard (non-emergency calls) — force",
            value_label="Average wait (seconds)",
            unit="seconds",
            target=15,
            target_label="Standard: 15 seconds",
        )
    )
    return "".join(out)


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "satisfaction",
        AREA,
        "User satisfaction",
        satisfaction,
        ("satisfaction",),
        switchable=True,
        measures=tuple(mid for mid, _ in SATISFACTION_IDS),
    ),
    Item(
        "satisfaction_bme",
        AREA,
        "Satisfaction of BME and White victims",
        satisfaction_bme,
        ("satisfaction",),
        measures=("satisfaction_overall_bme", "satisfaction_overall_white"),
    ),
    Item(
        "emergency_by_lpa",
        AREA,
        "Response: emergency incidents attended within standard",
        emergency_by_lpa,
        ("incidents",),
        by_geography=False,
        by_period=False,
        measures=("emergency_attendance", "emergency_incidents"),
    ),
    Item(
        "response_times",
        AREA,
        "Average emergency response times",
        response_times,
        ("incidents",),
        by_geography=False,
        by_period=False,
        measures=("emergency_response_urban", "emergency_response_rural"),
    ),
    Item(
        "call_handling",
        AREA,
        "Call handling",
        call_handling,
        ("calls",),
        by_geography=False,
        force_only="the calls extract is kept for the force as a whole",
        by_period=False,
        measures=("calls_999_offered", "calls_999_within_standard", "switchboard_wait"),
    ),
]
