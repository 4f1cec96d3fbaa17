"""The management-information sections of each area page.

Each area has a list of :class:`Item` (a heading, one or more charts or small tables, a caption). An
item's ``build`` function takes a :class:`Context` (the cube, the report month, period and
geography) and returns HTML. All the data shaping for charts lives here, so notebooks stay thin and
chart builders (:mod:`helpers.render.charts`) stay free of the cube.

Rules every item keeps:

- a source with no data → the visible note "No data for this area from this source", never zero;
  so too a measure whose source never records a column it needs (data.police.uk has no domestic
  abuse flag): :func:`measure_gaps` says which, ``Item.measures`` lets an item say so;
- a measure that does not exist at the chosen geography → the force figure, said so in the caption
  ("… is not available at this level: Force figures shown");
- a window with a month missing from the source → "not available", never a partial sum.
"""

from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..analysis import compare, disclosure
from ..contract.catalog import Measure, measure
from ..contract.extracts import OUTCOME_LABELS, SOLVED_OUTCOMES
from ..geography import Hierarchy
from ..measures.cube import BUILDER_SOURCES  # the extract each cube builder reads
from ..periods import PERIOD_LABELS, Window, financial_year_start, window
from ..render import charts, tables
from ..render.chart_cache import ChartCache, cached_image_html, default_cache

SOURCE_NAMES = {
    "crimes": "crime recording system (crimes)",
    "crime_offenders": "offenders linked to crimes",
    "incidents": "command and control (incidents)",
    "calls": "telephony (calls)",
    "satisfaction": "user satisfaction survey",
    "confidence_survey": "Crime Survey for England and Wales",
    "msg_peers": "Most Similar Group peer figures",
    "collisions": "road collisions",
    "casualties": "road casualties",
    "drug_tests": "drug tests on arrest",
    "workforce": "workforce and sickness",
    "savings": "savings plan",
}


def _as_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in value]


def sources_present(cube) -> set[str]:
    """The extracts that have data: those with months (``data_to``) and those the cube's measures
    read without finding them missing (extracts without a date column, e.g. ``crime_offenders``)."""
    return cube.derived(("sources_present",), lambda: _sources_present(cube))


def _sources_present(cube) -> set[str]:
    present = {k for k, v in cube.data_to.items() if v is not None}
    meas = cube.measures
    if len(meas) and {"sources", "missing"} <= set(meas.columns):
        for srcs, missing in zip(meas["sources"], meas["missing"], strict=True):
            present |= set(_as_list(srcs)) - set(_as_list(missing))
    return present


def measure_sources(m: Measure) -> tuple[str, ...]:
    """The extracts a catalog measure is built from."""
    if m.builder == "repeat_da_victims":
        return (m.params.get("source", "incidents"),)
    return BUILDER_SOURCES.get(m.builder, ())


def never_recorded(cube, measure_id: str) -> list[tuple[str, str]]:
    """``(extract, column)`` pairs the measure needs that the source never records (see the cube)."""
    fn = getattr(cube, "never_recorded", None)
    return list(fn(measure_id)) if fn is not None else []


def measure_gaps(cube, m: Measure) -> tuple[list[str], list[tuple[str, str]]]:
    """Why a measure can have no data from this source: absent extracts, columns never recorded."""
    present = sources_present(cube)
    absent = [s for s in measure_sources(m) if s not in present]
    return absent, ([] if absent else never_recorded(cube, m.id))


def measure_has_data(cube, m: Measure) -> bool:
    """Whether the source can give the measure a value at all (extracts present, columns recorded)."""
    absent, unrecorded = measure_gaps(cube, m)
    return not absent and not unrecorded


def not_recorded_text(pairs) -> str:
    """``domestic_abuse (crimes, incidents), victim_id (crimes)`` for ``(extract, column)`` pairs."""
    by_column: dict[str, list[str]] = {}
    for extract, column in pairs:
        extracts = by_column.setdefault(column, [])
        if extract not in extracts:
            extracts.append(extract)
    return ", ".join(f"{c} ({', '.join(sorted(e))})" for c, e in by_column.items())


@dataclass
class Context:
    """What an item needs to draw itself: the cube and the run's month, period and geography."""

    cube: object
    month: pd.Period
    period: str
    geography: str = "Force"
    level: str = "force"
    #: Force → LPA → district (the cube's :class:`helpers.geography.Hierarchy`).
    hierarchy: Hierarchy | None = None
    small: bool = False
    #: Palette PNGs (about a third of the size, slower to encode): for the pack's HTML.
    compact: bool = True
    #: Charts drawn before, on disk (:mod:`helpers.render.chart_cache`; the project's
    #: ``.cache/charts/`` by default). None: every chart is drawn.
    chart_cache: ChartCache | None = field(default_factory=default_cache)

    # ---- geography ---------------------------------------------------------------------------
    @property
    def lpas(self) -> list[str]:
        return [] if self.hierarchy is None else self.hierarchy.lpas

    def districts(self, lpa: str | None = None) -> list[str]:
        """Districts (of ``lpa`` if given), excluding "Unassigned"."""
        return [] if self.hierarchy is None else self.hierarchy.districts(lpa)

    def local_districts(self) -> list[str]:
        """Districts to compare for this geography: all (Force), the LPA's, or the district's LPA's."""
        lpa = _lpa_of(self)
        return self.districts(lpa) if lpa else self.districts()

    # ---- data --------------------------------------------------------------------------------
    def has_source(self, *extracts: str) -> bool:
        """Whether every extract in ``extracts`` has data in the cube."""
        present = sources_present(self.cube)
        return all(e in present for e in extracts)

    def missing_sources(self, extracts) -> list[str]:
        present = sources_present(self.cube)
        return [e for e in extracts if e not in present]

    def has_data(self, measure_id: str) -> bool:
        """Whether the source gives the measure any value (extracts present, columns recorded)."""
        return measure_has_data(self.cube, measure(measure_id))

    def window_for(self, m: Measure, kind: str | None = None) -> Window:
        """This year's window of ``m`` for the run (its fixed window and lag respected)."""
        return window(kind or m.window_kind(self.period), self.month, lag=m.lag)

    def geography_for(self, m: Measure, geography: str | None = None) -> str:
        """``geography`` (default the run's), or Force where ``m`` does not exist at that level."""
        geography = geography or self.geography
        return geography if self._level_of(geography) in m.levels else "Force"

    def _level_of(self, geography: str) -> str:
        if geography == "Force":
            return "force"
        return (
            self.level
            if self.hierarchy is None
            else self.hierarchy.levels.get(geography, self.level)
        )

    def value(self, measure_id: str, win: Window, geography: str | None = None):
        """The cube's ``Value`` (``.value`` None when not available, or withheld for release).

        With ``suppress_below`` set in ``params/force.yaml``, a measure withheld for an LPA or a
        district in the report month is withheld here on every window, exactly as in the
        performance tables (:func:`helpers.analysis.disclosure.decisions`), so no chart or district table
        prints it.
        """
        geography = geography or self.geography
        if disclosure.is_withheld(self.cube, measure_id, self.month, geography):
            from ..measures.cube import Value

            return Value(None, None, None, False, "withheld for public release (small numbers)")
        return self.cube.value(measure_id, win, geography)

    def number(self, measure_id: str, win: Window, geography: str | None = None) -> float | None:
        """The measure's value in ``win``, None when not available."""
        try:
            v = self.value(measure_id, win, geography)
        except KeyError:
            return None
        if not getattr(v, "available", True):
            return None
        x = getattr(v, "value", None)
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

    def pair(self, measure_id: str, geography: str | None = None, kind: str | None = None):
        """(last year, this year) values of a measure for the run's window."""
        m = measure(measure_id)
        win = self.window_for(m, kind)
        geo = self.geography_for(m, geography)
        return self.number(measure_id, win.last_year(), geo), self.number(measure_id, win, geo)

    def series(
        self,
        measure_id: str,
        *,
        months: int = 36,
        kind: str = "month",
        geography: str | None = None,
        end: pd.Period | None = None,
    ) -> pd.DataFrame:
        """Monthly series ``[month (Period), numerator, denominator, value]`` ending at ``end``.

        Starts no earlier than the measure's ``comparable_from``; empty if the cube has none.
        """
        m = measure(measure_id) if not measure_id.startswith("disposal_") else None
        end = end if end is not None else self.month - (m.lag if m else 0)
        start = end - (months - 1)
        if m is not None and m.comparable_from is not None and start < m.comparable_from:
            start = m.comparable_from
        geo = self.geography_for(m, geography) if m is not None else (geography or self.geography)
        # An item may read a series twice (an SPC chart and its seasonal pattern): read it once.
        key = (measure_id, kind, geo, start, end)
        if key not in self._series:
            self._series[key] = self._read_series(measure_id, kind, geo, start, end)
        return self._series[key].copy()

    @functools.cached_property
    def _series(self) -> dict[tuple, pd.DataFrame]:
        return {}

    def _withhold_small_months(self, df: pd.DataFrame, measure_id, kind, geo) -> pd.DataFrame:
        """Blank an LPA's or district's series where it is withheld for public release.

        The same decision as the tables (:func:`helpers.analysis.disclosure.is_withheld`): a measure
        withheld for the place in the report month is blank in every month, so a chart never shows
        what the tables print as "[c]" nor a month that would give it back. A window reaching
        outside the months disclosure control checked (the :data:`helpers.analysis.disclosure.CHART_MONTHS`
        to the report month) is blank too. Off unless ``suppress_below`` is set.
        """
        if geo == "Force" or disclosure.threshold_in_force() is None:
            return df
        if disclosure.is_withheld(self.cube, measure_id, self.month, geo):
            withheld = [True] * len(df)
        else:
            lag = 0 if measure_id.startswith("disposal_") else measure(measure_id).lag
            last = self.month - lag
            first = last - (disclosure.CHART_MONTHS - 1)
            withheld = [window(kind, m).start < first or m > last for m in df["month"]]
        if any(withheld):
            df = df.copy()
            df.loc[withheld, ["numerator", "denominator", "value"]] = float("nan")
        return df

    def _read_series(self, measure_id, kind, geo, start, end) -> pd.DataFrame:
        try:
            df = self.cube.series(measure_id, geo, kind=kind, start=start, end=end)
        except (KeyError, ValueError):
            return pd.DataFrame(columns=["month", "numerator", "denominator", "value"])
        if df is None or len(df) == 0:
            return pd.DataFrame(columns=["month", "numerator", "denominator", "value"])
        df = df.copy()
        if df["month"].dtype != pd.PeriodDtype("M"):  # the cube's months are Periods already
            df["month"] = df["month"].map(lambda x: pd.Period(str(x), freq="M"))
        df = df[(df["month"] >= start) & (df["month"] <= end)].reset_index(drop=True)
        # months before the source starts are not gaps: a chart starts where the data start
        first = df["value"].notna().to_numpy().nonzero()[0]
        df = df.iloc[first[0] :].reset_index(drop=True) if len(first) else df.iloc[0:0]
        # withheld months are gaps (after the trim, so a withheld start is not taken for no data)
        return self._withhold_small_months(df, measure_id, kind, geo)


@dataclass(frozen=True)
class Item:
    """One management-information item of an area page."""

    key: str
    area: int
    title: str
    build: Callable[[Context], str]
    #: Extracts it needs; absent → "No data for this area from this source".
    sources: tuple[str, ...] = ()
    #: Pre-rendered for every geography in the pack (the key charts of the area).
    switchable: bool = False
    #: Drawn for every geography (False: the same content whatever the geography, e.g. MSG).
    by_geography: bool = True
    #: Depends on the run's period (False: monthly trend charts).
    by_period: bool = True
    note: str = ""
    #: Catalog measures it shows: when the source records none of them (e.g. no domestic-abuse
    #: flag), the item is the no-data note naming what is not recorded, not empty charts.
    measures: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


def _geo_phrase(ctx: Context, geography: str | None = None) -> str:
    g = geography or ctx.geography
    return "the force" if g == "Force" else g


def _level_note(ctx: Context, m: Measure) -> str:
    if ctx.geography_for(m) != ctx.geography:
        return f"{m.title} is not available at this level: Force figures shown. "
    return ""


def _unit_label(m: Measure) -> str:
    return {
        "count": "Number",
        "percent": "%",
        "seconds": "Seconds",
        "minutes": "Minutes",
        "days": "Days per person",
        "money": "£ million",
        "rate": "Per 1,000 residents",
    }.get(m.unit, m.unit)


def _fmt(v: float | None, unit: str, decimals: int = 1) -> str:
    """A number for a caption: counts with thousands separators, others as in the tables."""
    if unit == "count" and v is not None and not pd.isna(v):
        return f"{v:,.0f}"
    return tables.format_value(v, unit, decimals)


def _years(ctx: Context, m: Measure | None = None, kind: str | None = None) -> tuple[str, str]:
    """Labels for last year / this year windows (e.g. "Oct 2014 – Sep 2015")."""
    k = kind or (m.window_kind(ctx.period) if m else ctx.period)
    w = window(k, ctx.month, lag=m.lag if m else 0)
    return w.last_year().label, w.label


def _year_frame(ctx: Context, ids_labels: list[tuple[str, str]], kind: str | None = None):
    """Long frame category × (Last year, This year) for a list of (measure id, label)."""
    rows = []
    for mid, label in ids_labels:
        ly, ty = ctx.pair(mid, kind=kind)
        rows.append({"category": label, "year": "Last year", "value": ly})
        rows.append({"category": label, "year": "This year", "value": ty})
    return pd.DataFrame(rows)


def spc_figures(
    ctx: Context,
    measure_id: str,
    *,
    title: str,
    unit_label: str | None = None,
    projection: bool = False,
    months: int = 36,
) -> tuple[str, str]:
    """Return (figure HTML, sentence) for an SPC chart of a measure's monthly series.

    Uses :func:`helpers.spc.xmr` and :func:`helpers.render.spc_charts.spc_chart`; with ``projection``,
    the 3/6/12-month projection of :func:`helpers.spc.project` (seasonal when three years of
    history exist) and a line on seasonality in the sentence.
    """
    from .. import spc
    from ..render.spc_charts import spc_chart

    m = measure(measure_id)
    df = ctx.series(measure_id, months=months)
    values = df.set_index("month")["value"].astype(float) if len(df) else pd.Series(dtype=float)
    if values.notna().sum() == 0:
        no_data = _chart(ctx, charts.no_data_figure, "", title, "No monthly data for this measure")
        return no_data, "No monthly data."
    values.index = pd.PeriodIndex(values.index, freq="M")
    frame = spc.xmr(values, polarity=m.polarity)
    summary = spc.summarise(frame, m.polarity)
    proj = None
    extra = ""
    if projection and values.notna().all() and len(values) >= 12:
        try:
            proj = spc.project(values, horizons=(3, 6, 12), seasonal="auto")
        except ValueError:
            proj = None
        if proj is not None:
            flagged = proj[proj["horizon_flag"]]
            parts = [
                f"{h} months ({p.strftime('%b %Y')}): {_fmt(v, m.unit, m.decimals)}"
                for h, p, v in zip(
                    flagged["horizon"], flagged.index, flagged["projection"], strict=True
                )
            ]
            seasonal = "seasonally adjusted" if proj.attrs.get("seasonal") else "straight-line"
            extra = f" Projection ({seasonal}, 95% interval shaded): " + "; ".join(parts) + "."
            if proj.attrs.get("seasonal"):
                try:
                    factors = spc.seasonal_factors(values)
                    hi, lo = factors.idxmax(), factors.idxmin()
                    name = lambda k: pd.Timestamp(2000, int(k), 1).strftime("%B")  # noqa: E731
                    extra += (
                        f" Seasonality: {name(hi)} typically runs {100 * (factors[hi] - 1):.0f}% above"
                        f" the underlying level, {name(lo)} {100 * (1 - factors[lo]):.0f}% below."
                    )
                except ValueError:
                    pass
    chart = _chart(
        ctx,
        spc_chart,
        "",
        frame,
        title=title,
        unit_label=unit_label or _unit_label(m),
        polarity=m.polarity,
        projection=proj,
    )
    return chart, summary["sentence"] + "." + extra


def _dpi(ctx: Context) -> int:
    return charts.SMALL_DPI if ctx.small else charts.DPI


def _chart(ctx: Context, builder: Callable, caption: str, /, *args, **kwargs) -> str:
    """Return one chart of a page: ``builder(*args, **kwargs)`` as a ``<figure>`` with ``caption``.

    Every chart of the pages is drawn here, through the run's chart cache (``ctx.chart_cache``):
    its key is worked out from the builder and its arguments before the figure is built, and a
    chart drawn before from the same arguments is not drawn again. So a builder is given all that
    its chart shows — data already shaped (and blanked where withheld), titles as text — and
    reads nothing else.
    """
    img = cached_image_html(
        ctx.chart_cache, builder, args, kwargs, dpi=_dpi(ctx), compact=ctx.compact
    )
    return charts.figure_element(img, caption)


def _district_bar(
    ctx: Context, measure_id: str, title: str, value_label: str, *, kind: str | None = None
) -> str:
    """Last year vs this year by district (the districts of the chosen LPA below force)."""
    m = measure(measure_id)
    win = ctx.window_for(m, kind)
    rows = []
    for d in ctx.local_districts():
        rows.append(
            {
                "district": d,
                "year": "Last year",
                "value": ctx.number(measure_id, win.last_year(), d),
            }
        )
        rows.append({"district": d, "year": "This year", "value": ctx.number(measure_id, win, d)})
    df = pd.DataFrame(rows)
    where = "each district" if ctx.level == "force" else f"each district of {_lpa_of(ctx)} LPA"
    ly, ty = _years(ctx, m, kind)
    return _chart(
        ctx,
        charts.grouped_bar,
        f"{m.title} in {where}: {ly} (grey) against {ty} (blue).",
        df,
        category="district",
        value="value",
        title=title,
        value_label=value_label,
        unit=m.unit,
        decimals=0 if m.unit == "count" else m.decimals,
        horizontal=True,
        height=max(2.6, 0.32 * max(1, len(ctx.local_districts())) + 1.2),
    )


def _lpa_of(ctx: Context) -> str:
    """The LPA of the run's geography ("" for the Force)."""
    if ctx.hierarchy is None:
        return ""
    return ctx.hierarchy.lpa_of(ctx.geography) or ""


def _heading(item_title: str) -> str:
    return f"<h3>{html.escape(item_title)}</h3>"


# --------------------------------------------------------------------------------------------
# 1. Reducing Domestic Abuse
# --------------------------------------------------------------------------------------------


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


def _caption(text: str) -> str:
    return f"<figcaption>{html.escape(text)}</figcaption>"


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


# --------------------------------------------------------------------------------------------
# 2. Supporting Victims of Crime
# --------------------------------------------------------------------------------------------

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
    for mid, label in SATISFACTION_IDS:
        a = _rate_with_ci(ctx, mid, win.last_year())
        b = _rate_with_ci(ctx, mid, win)
        rows.append({"question": label, "year": "Last year", "value": a[0], "ci": a[1]})
        rows.append({"question": label, "year": "This year", "value": b[0], "ci": b[1]})
        if a[0] is not None and b[0] is not None:
            s = compare.is_significant(a[2], a[3], b[2], b[3])
            if s:
                sig.append(label.lower())
    df = pd.DataFrame(rows)
    ly, ty = _years(ctx, m)
    sig_text = (
        "Statistically significant changes: " + ", ".join(sig) + "."
        if sig
        else "None of the changes is statistically significant (two-proportion test, p < 0.05)."
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
        s = compare.is_significant(w[2], w[3], b[2], b[3])
        verdict = "a statistically significant" if s else "not a statistically significant"
        text = (
            f"BME (Black and minority ethnic) victims {b[0]:.1f}%, White victims {w[0]:.1f}% this year: "
            f"a gap of {abs(gap):.1f} percentage points, {verdict} difference."
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
    return table + _p(
        "Emergency (grade 1) incidents and the percentage attended within standard (15 minutes "
        "urban, 20 minutes rural), financial year to date against the same period last year, by "
        "LPA (Local Policing Area)." + extra
    )


def _span_dates(w: Window) -> str:
    return f"01/{w.start.month:02d}/{w.start.year % 100:02d} – {w.end.to_timestamp(how='end').strftime('%d/%m/%y')}"


def _p(text: str) -> str:
    return f'<p class="ppw-legend">{html.escape(text)}</p>'


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


# --------------------------------------------------------------------------------------------
# 3. Reoffending
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# 4. Alcohol, drugs and mental health
# --------------------------------------------------------------------------------------------


def nte_by_month(ctx: Context) -> str:
    fig_html, sentence = spc_figures(
        ctx,
        "nte_crimes",
        unit_label="Crimes per month",
        title=f"Night-time economy (NTE) crimes by month — {_geo_phrase(ctx)}",
    )
    return fig_html.replace(
        "</figure>",
        _caption(
            f"Statistical process control (SPC) chart of night-time economy crimes each month. {sentence}"
        )
        + "</figure>",
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


# --------------------------------------------------------------------------------------------
# 5. Road safety
# --------------------------------------------------------------------------------------------

KSI_GROUPS = [
    ("ksi_p2w", "Powered two-wheelers"),
    ("ksi_young_car_drivers", "Young car drivers (17-25)"),
    ("ksi_pedestrians", "Pedestrians"),
    ("ksi_cyclists", "Cyclists"),
    ("ksi_children", "Children and young people (0-17)"),
    ("ksi_drink_drivers", "Drink drivers"),
    ("ksi_drug_drivers", "Drug drivers"),
    ("ksi_older_car_drivers", "Car drivers aged 76+"),
]


def ksi_by_group(ctx: Context) -> str:
    df = _year_frame(ctx, KSI_GROUPS)
    m = measure("ksi_all")
    ly, ty = _years(ctx, m)
    return _chart(
        ctx,
        charts.grouped_bar,
        f"KSI (killed or seriously injured) casualties in each group, {ly} (grey) against {ty} (blue). Groups overlap (a young drink driver is in both).",
        df,
        category="category",
        value="value",
        title=f"People killed or seriously injured (KSI) by road-user group — {_geo_phrase(ctx)}",
        value_label="People killed or seriously injured",
        horizontal=True,
        height=4.0,
    )


def ksi_by_month(ctx: Context) -> str:
    fig_html, sentence = spc_figures(
        ctx,
        "ksi_all",
        unit_label="People KSI per month",
        title=f"People killed or seriously injured (KSI) by month — {_geo_phrase(ctx)}",
    )
    return fig_html.replace(
        "</figure>",
        _caption(
            f"Statistical process control (SPC) chart of KSI casualties each month, by collision date. {sentence}"
        )
        + "</figure>",
    )


def ksi_by_district(ctx: Context) -> str:
    return _district_bar(
        ctx,
        "ksi_all",
        "People killed or seriously injured (KSI) by district",
        "People killed or seriously injured",
    )


# --------------------------------------------------------------------------------------------
# 6. Crime prevention
# --------------------------------------------------------------------------------------------


def all_crime_spc(ctx: Context) -> str:
    fig_html, sentence = spc_figures(
        ctx,
        "all_crime",
        unit_label="Crimes per month",
        title=f"All crime by month — {_geo_phrase(ctx)}",
        projection=True,
        months=48,
    )
    out = fig_html.replace(
        "</figure>",
        _caption(
            f"Statistical process control (SPC) chart with seasonality and projection. {sentence}"
        )
        + "</figure>",
    )
    return out + _seasonality(ctx, "all_crime", "Seasonal pattern of all crime")


def _seasonality(ctx: Context, measure_id: str, title: str) -> str:
    """Bars of the twelve seasonal factors (needs three complete years), or nothing."""
    from .. import spc
    from ..render.spc_charts import seasonality_chart

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
    fig_html, sentence = spc_figures(
        ctx,
        "solved_rate",
        unit_label="Solved rate (%)",
        title=f"All crime solved rate by month — {_geo_phrase(ctx)}",
        projection=True,
        months=48,
    )
    return fig_html.replace(
        "</figure>",
        _caption(
            "Statistical process control (SPC) chart of the solved rate (solved outcomes recorded in the "
            f"month ÷ crimes recorded in the month), with projection. {sentence}"
        )
        + "</figure>",
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
    fig_html, sentence = spc_figures(
        ctx,
        "asb_incidents",
        unit_label="Incidents per month",
        title=f"Anti-social behaviour (ASB) incidents by month — {_geo_phrase(ctx)}",
    )
    return fig_html.replace(
        "</figure>",
        _caption(
            f"Statistical process control (SPC) chart of anti-social behaviour incidents each month. {sentence}"
        )
        + "</figure>",
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


KEY_DISTRICT_MEASURES = [
    ("all_crime", "All crime"),
    ("victim_based_crime", "Victim-based crime"),
    ("solved_rate", "Solved rate"),
    ("asb_incidents", "ASB incidents"),
]


def _printed(pair, m: Measure):
    """Round (last year, this year) half-up as printed, so changes match the performance tables."""
    return tuple(
        None
        if v is None
        else float(compare.round_half_up(v, 0 if m.unit == "count" else m.decimals))
        for v in pair
    )


def district_table_html(ctx: Context, ids_labels=KEY_DISTRICT_MEASURES) -> str:
    """Key measures by district as an HTML table (this year and Better/Worse change, coloured).

    A measure whose source has no data is left out of the table and named in a note under it.
    """
    absent = [(mid, label) for mid, label in ids_labels if not ctx.has_data(mid)]
    ids_labels = [x for x in ids_labels if x not in absent]
    out = ['<table class="ppw-table"><thead><tr><th rowspan="2">District</th>']
    out += [f'<th colspan="2">{html.escape(label)}</th>' for _, label in ids_labels]
    out.append("</tr><tr>")
    out += ["<th>This year</th><th>Change</th>" for _ in ids_labels]
    out.append("</tr></thead><tbody>")
    for g in [*ctx.districts(), "Force"]:
        cells = [f'<td class="ppw-label">{"<b>Force</b>" if g == "Force" else html.escape(g)}</td>']
        for mid, _label in ids_labels:
            m = measure(mid)
            if ctx._level_of(g) not in m.levels:
                cells.append('<td class="ppw-na" colspan="2">not available at this level</td>')
                continue
            ly, ty = _printed(ctx.pair(mid, geography=g), m)
            change = (
                compare.better_worse(ly, ty, m.unit, m.decimals)
                if ly is not None and ty is not None
                else None
            )
            cells.append(f"<td>{tables.format_value(ty, m.unit, m.decimals)}</td>")
            cells.append(tables.change_cell(change, compare.direction(change, m.polarity)))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if absent:
        names = ", ".join(label for _, label in absent)
        out.append(tables.note_html(f"{names}: {tables.NO_SOURCE}.", "warning"))
    return "".join(out)


def district_table(ctx: Context) -> str:
    m = measure("all_crime")
    ly, ty = _years(ctx, m)
    return district_table_html(ctx) + _p(
        f"Key crime measures by district, {ty} with the Better/ Worse change against {ly} (% change "
        "for counts, percentage points for the solved rate). ASB: anti-social behaviour."
    )


# --------------------------------------------------------------------------------------------
# 7. Efficiency
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# 8. Organisational health
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------

ITEMS: list[Item] = [
    Item(
        "da_by_month",
        1,
        "Domestic abuse incidents and offences by month",
        da_by_month,
        ("incidents", "crimes"),
        switchable=True,
        by_period=False,
        measures=("da_incidents", "da_offences"),
    ),
    Item(
        "da_repeat_victims",
        1,
        "Repeat victims of domestic abuse",
        da_repeat_victims,
        ("incidents", "crimes"),
        by_period=False,
        measures=("da_repeat_incidents", "da_repeat_victims_incidents", "da_repeat_victims_crime"),
    ),
    Item(
        "da_solved_by_risk",
        1,
        "Solved rates by risk level",
        da_solved_by_risk,
        ("crimes",),
        measures=("da_solved_rate_standard", "da_solved_rate_medium", "da_solved_rate_high"),
    ),
    Item(
        "satisfaction",
        2,
        "User satisfaction",
        satisfaction,
        ("satisfaction",),
        switchable=True,
        measures=tuple(mid for mid, _ in SATISFACTION_IDS),
    ),
    Item(
        "satisfaction_bme",
        2,
        "Satisfaction of BME and White victims",
        satisfaction_bme,
        ("satisfaction",),
        measures=("satisfaction_overall_bme", "satisfaction_overall_white"),
    ),
    Item(
        "emergency_by_lpa",
        2,
        "Response: emergency incidents attended within standard",
        emergency_by_lpa,
        ("incidents",),
        by_geography=False,
        by_period=False,
        measures=("emergency_attendance", "emergency_incidents"),
    ),
    Item(
        "response_times",
        2,
        "Average emergency response times",
        response_times,
        ("incidents",),
        by_geography=False,
        by_period=False,
        measures=("emergency_response_urban", "emergency_response_rural"),
    ),
    Item(
        "call_handling",
        2,
        "Call handling",
        call_handling,
        ("calls",),
        by_geography=False,
        by_period=False,
        measures=("calls_999_offered", "calls_999_within_standard", "switchboard_wait"),
    ),
    Item(
        "reoffending_cohorts",
        3,
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
    Item(
        "nte_by_month",
        4,
        "Night-time economy (NTE) crime by month",
        nte_by_month,
        ("crimes",),
        switchable=True,
        by_period=False,
        measures=("nte_crimes",),
    ),
    Item(
        "nte_by_district",
        4,
        "Night-time economy (NTE) crime by district",
        nte_by_district,
        ("crimes",),
        measures=("nte_crimes",),
    ),
    Item(
        "qualifiers_by_month",
        4,
        "Incidents involving alcohol, drugs and mental health",
        qualifiers_by_month,
        ("incidents",),
        by_period=False,
        measures=("incidents_alcohol", "incidents_drugs", "incidents_mental_health"),
    ),
    Item(
        "class_a",
        4,
        "Prosecution of Class A drug suppliers",
        class_a,
        ("crimes",),
        measures=("class_a_prosecutions",),
    ),
    Item(
        "drug_tests",
        4,
        "Drug testing on arrest",
        drug_tests,
        ("drug_tests",),
        measures=("drug_test_positive",),
    ),
    Item(
        "ksi_by_group",
        5,
        "Killed or seriously injured (KSI) by road-user group",
        ksi_by_group,
        ("collisions", "casualties"),
        measures=tuple(mid for mid, _ in KSI_GROUPS),
    ),
    Item(
        "ksi_by_month",
        5,
        "Killed or seriously injured (KSI) by month",
        ksi_by_month,
        ("collisions", "casualties"),
        switchable=True,
        by_period=False,
        measures=("ksi_all", "ksi_fatal", "ksi_serious"),
    ),
    Item(
        "ksi_by_district",
        5,
        "Killed or seriously injured (KSI) by district",
        ksi_by_district,
        ("collisions", "casualties"),
        measures=("ksi_all",),
    ),
    Item(
        "all_crime_spc",
        6,
        "All crime: statistical process control, seasonality and projection",
        all_crime_spc,
        ("crimes",),
        switchable=True,
        by_period=False,
        measures=("all_crime",),
    ),
    Item(
        "solved_rate_spc",
        6,
        "Solved rate: statistical process control and projection",
        solved_rate_spc,
        ("crimes",),
        switchable=True,
        by_period=False,
        measures=("solved_rate",),
    ),
    Item(
        "disposals",
        6,
        "Breakdown of offence disposals",
        disposals,
        ("crimes",),
        measures=("outcomes_solved",),
    ),
    Item(
        "msg_crime_rate",
        6,
        "Crime rate across the Most Similar Group (MSG)",
        msg_crime_rate,
        ("msg_peers",),
        by_geography=False,
        measures=("crimes_per_1000",),
    ),
    Item(
        "asb_by_month",
        6,
        "Anti-social behaviour (ASB) by month",
        asb_by_month,
        ("incidents",),
        by_period=False,
        measures=("asb_incidents",),
    ),
    Item(
        "rural", 6, "Rural crime", rural, ("crimes",), measures=("rural_crime", "rural_solved_rate")
    ),
    Item(
        "district_table",
        6,
        "Districts: key crime measures",
        district_table,
        ("crimes",),
        by_geography=False,
        measures=tuple(mid for mid, _ in KEY_DISTRICT_MEASURES),
    ),
    Item(
        "savings",
        7,
        "Savings",
        savings,
        ("savings",),
        by_geography=False,
        by_period=False,
        measures=("savings_delivered",),
    ),
    Item(
        "sickness",
        8,
        "Sickness levels",
        sickness,
        ("workforce",),
        by_geography=False,
        by_period=False,
        measures=("days_lost_officer", "days_lost_staff", "days_lost_pcso"),
    ),
]


def items_for(area: int) -> list[Item]:
    """The management-information items of an area, in page order."""
    return [i for i in ITEMS if i.area == area]


def item(key: str) -> Item:
    """The item with this key (KeyError naming the known keys)."""
    for i in ITEMS:
        if i.key == key:
            return i
    raise KeyError(
        f"unknown management-information item {key!r}; known: {', '.join(i.key for i in ITEMS)}"
    )


def render_item(it: Item, ctx: Context, *, heading: bool = True) -> str:
    """Return an item's HTML: its heading and content, or the no-data note if a source is missing."""
    head = _heading(it.title) if heading else ""
    missing = ctx.missing_sources(it.sources)
    if missing:
        names = ", ".join(SOURCE_NAMES.get(s, s) for s in missing)
        return head + tables.note_html(f"{tables.NO_SOURCE} ({names}).", "warning")
    if it.measures:
        gaps = [never_recorded(ctx.cube, mid) for mid in it.measures]
        if all(gaps):
            what = not_recorded_text(pair for g in gaps for pair in g)
            return head + tables.note_html(
                f"{tables.NO_SOURCE}: it does not record {what}.", "warning"
            )
    return head + it.build(ctx)


__all__ = [
    "Context",
    "ITEMS",
    "Item",
    "PERIOD_LABELS",
    "district_table_html",
    "item",
    "items_for",
    "measure_sources",
    "render_item",
]

_ = (Decimal, field)  # re-exported types used in annotations by callers
