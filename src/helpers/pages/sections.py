"""The management-information sections of the area pages: what every area's items share.

Each area has a list of :class:`Item` (a heading, one or more charts or small tables, a caption). An
item's ``build`` function takes a :class:`Context` (the cube, the report month, period and
geography) and returns HTML. The items themselves live in :mod:`helpers.pages.areas`, one module per
area (named by the catalog's ``AREA_SLUGS``); here are the :class:`Context` and :class:`Item`, the
registry's look-ups (:func:`items_for`, :func:`item`, :func:`render_item`, what a source has and
lacks) and the chart and table helpers several areas use. All the data shaping for charts lives in
these modules, so notebooks stay thin and chart builders (:mod:`helpers.render.charts`) stay free of
the cube.

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
from ..analysis.performance import suppress_below_setting
from ..contract.catalog import Measure, measure
from ..geography import UNASSIGNED, Hierarchy
from ..measures.cube import BUILDER_SOURCES  # the extract each cube builder reads
from ..periods import PERIOD_LABELS, Window, window
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


def _caption(text: str) -> str:
    return f"<figcaption>{html.escape(text)}</figcaption>"


def _p(text: str) -> str:
    return f'<p class="ppw-legend">{html.escape(text)}</p>'


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
    Records in no district (``Unassigned``: no location, or outside the force's districts) are
    counted in the Force row; their own row, before it, says how many, so that the districts and
    it add up to the force. With disclosure control on, that row is not printed (the force less
    the districts shown would give back a withheld district's figure) and a note says so.
    """
    absent = [(mid, label) for mid, label in ids_labels if not ctx.has_data(mid)]
    ids_labels = [x for x in ids_labels if x not in absent]
    out = ['<table class="ppw-table"><thead><tr><th rowspan="2">District</th>']
    out += [f'<th colspan="2">{html.escape(label)}</th>' for _, label in ids_labels]
    out.append("</tr><tr>")
    out += ["<th>This year</th><th>Change</th>" for _ in ids_labels]
    out.append("</tr></thead><tbody>")
    suppressing = suppress_below_setting(None) is not None
    rest = [] if suppressing or not _has_unassigned(ctx, ids_labels) else [UNASSIGNED]
    for g in [*ctx.districts(), *rest, "Force"]:
        name = {"Force": "<b>Force</b>", UNASSIGNED: "No district (Unassigned)"}.get(
            g, html.escape(g)
        )
        cells = [f'<td class="ppw-label">{name}</td>']
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
    if rest:
        out.append(tables.note_html(
            "No district (Unassigned): records without a location or outside the force's "
            "districts, counted in the Force row and in no LPA or district."
        ))  # fmt: skip
    elif suppressing and _has_unassigned(ctx, ids_labels):
        out.append(tables.note_html(
            "The Force row also counts records in no district (no location, or outside the "
            "force's districts); with disclosure control on, their number is not printed."
        ))  # fmt: skip
    if absent:
        names = ", ".join(label for _, label in absent)
        out.append(tables.note_html(f"{names}: {tables.NO_SOURCE}.", "warning"))
    return "".join(out)


def _has_unassigned(ctx: Context, ids_labels) -> bool:
    """Whether any count of the table has records in no district this year."""
    for mid, _label in ids_labels:
        m = measure(mid)
        if m.unit == "count" and "district" in m.levels:
            # the cube's own count, not the printed one: only whether there are any is told
            value = ctx.cube.value(mid, ctx.window_for(m), UNASSIGNED)
            if value.available and value.numerator:
                return True
    return False


# --------------------------------------------------------------------------------------------
# The registry (built by :mod:`helpers.pages.areas`, one module per area)
# --------------------------------------------------------------------------------------------


def _items() -> list[Item]:
    """Every item, area by area in page order: :data:`helpers.pages.areas.ITEMS`.

    Imported when first asked for, not at the top of this module: the area modules import the
    shared part from here.
    """
    from .areas import ITEMS

    return ITEMS


def __getattr__(name: str):
    if name == "ITEMS":  # ``sections.ITEMS``: the registry, as before the areas had modules
        return _items()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def items_for(area: int) -> list[Item]:
    """The management-information items of an area, in page order."""
    return [i for i in _items() if i.area == area]


def item(key: str) -> Item:
    """The item with this key (KeyError naming the known keys)."""
    items = _items()
    for i in items:
        if i.key == key:
            return i
    raise KeyError(
        f"unknown management-information item {key!r}; known: {', '.join(i.key for i in items)}"
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
    "ITEMS",  # noqa: F822 (given by the module's __getattr__)
    "Item",
    "PERIOD_LABELS",
    "district_table_html",
    "item",
    "items_for",
    "measure_sources",
    "render_item",
]

_ = (Decimal, field)  # re-exported types used in annotations by callers
