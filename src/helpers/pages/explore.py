"""Exploring beyond the page, for the analyst's Explore cell in JupyterLab.

An area page answers the questions its items were built for. An analyst digging further asks for

- **any catalog measure as an SPC chart, for any place** (:func:`spc_html`): the same chart and
  caption the pages draw (:func:`helpers.pages.charting.spc_with_caption`), for a measure the page
  does not chart, or at a district the pack draws for the force only;
- **the data frame behind every chart** (:func:`chart_data`, :func:`chart_frames`): the frame each
  chart of an item was drawn from, exactly as handed to its builder (an SPC chart's with its mean,
  limits and special-cause flags), got by rendering the item with a chart cache that records the
  builders' arguments instead of drawing (:class:`ChartRecorder`);
- **the districts side by side for one measure** (:func:`compare_districts`): every district's
  last year, this year and change, ranked best first by the measure's better direction, with the
  pack's significance test where the measure has one (survey rates:
  :func:`helpers.analysis.significance.significant`; counts have none);
- all three behind two drop-downs (:func:`explorer`).

What this module gives is for the analyst in JupyterLab: the pack never runs it (its Explore cell
is left out of the HTML, and with ``interactive=False`` shows a line saying what the cell does).
Figures withheld for public release (``suppress_below``) stay withheld here too: the SPC chart reads
the page's context, and :func:`compare_districts` blanks a withheld district.

Every chart here is drawn under the pages' render lock (``page._RENDER_LOCK``): the filter bar's
worker renders in a thread, and matplotlib's style is one per process.
"""

from __future__ import annotations

import difflib
import html
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..analysis import disclosure, significance
from ..analysis.performance import measure_row
from ..contract.catalog import Measure, load_catalog, measures_for
from ..periods import PERIOD_LABELS, check_period
from ..render import tables
from ..render.numbers import format_change, format_value
from . import sections
from .page import _RENDER_LOCK
from .wording import _unit_label

#: Months of history in an explored SPC chart (the pages draw 36 or 48).
MONTHS = 36
#: Shown in the pack, where the explorer does not run.
PACK_NOTE = (
    '<p class="ppw-note">Explore: in JupyterLab this cell charts any measure for any place and '
    "compares the districts.</p>"
)


# --------------------------------------------------------------------------------------------
# Look-ups with clear errors
# --------------------------------------------------------------------------------------------


def measure_choices(month=None) -> list[Measure]:
    """Every catalog measure (the definition valid for ``month`` where one changed), one per id."""
    seen: dict[str, Measure] = {}
    for m in measures_for(None, month, in_table=None) if month is not None else load_catalog():
        seen.setdefault(m.id, m)
    return list(seen.values())


def catalog_measure(measure_id: str, month=None) -> Measure:
    """The catalog measure ``measure_id``; a KeyError naming the nearest ids if there is none."""
    for m in measure_choices(month):
        if m.id == measure_id:
            return m
    ids = [m.id for m in measure_choices(month)]
    near = difflib.get_close_matches(str(measure_id), ids, n=5, cutoff=0.4)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise KeyError(
        f"unknown measure {measure_id!r}{hint} (every id: helpers.pages.explore.measure_choices())"
    )


def known_geography(page, geography: str | None) -> str:
    """``geography`` (default the page's) if the force has it; a ValueError listing them if not."""
    g = geography or page.geography
    names = [name for _, name in page.hierarchy.options()]
    if g not in names:
        near = difflib.get_close_matches(str(g), names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(f"unknown geography {g!r}{hint} (known: {', '.join(names)})")
    return g


def _page_item(page, item_key: str):
    keys = [it.key for it in page.items]
    if item_key not in keys:
        raise KeyError(f"{item_key!r} is not an item of this page; its items: {', '.join(keys)}")
    return sections.item(item_key)


# --------------------------------------------------------------------------------------------
# Any measure as an SPC chart, for any place
# --------------------------------------------------------------------------------------------


def spc_html(page, measure_id: str, geography: str | None = None, *, months: int = MONTHS) -> str:
    """The SPC chart of ``measure_id``'s monthly series at ``geography``, with its caption.

    A measure the catalog keeps only at higher levels (a force-only survey) raises a ValueError
    naming its levels, rather than quietly showing the force.
    """
    m = catalog_measure(measure_id, page.month)
    g = known_geography(page, geography)
    level = page.hierarchy.level_of(g)
    if not m.exists_at(level):
        raise ValueError(
            f"{m.id} ({m.title}) is not kept at {level} level (only: {', '.join(m.levels)})"
        )
    ctx = page.context(g)
    place = "the force" if g == "Force" else g
    with _RENDER_LOCK:
        body = sections.spc_with_caption(
            ctx,
            m.id,
            about=f"of {m.title[:1].lower() + m.title[1:]} each month, with projection",
            title=f"{m.title} by month — {place}",
            unit_label=_unit_label(m),
            projection=True,
            months=months,
        )
    return f'<div class="ppw">{body}</div>'


# --------------------------------------------------------------------------------------------
# The data frame behind every chart
# --------------------------------------------------------------------------------------------


@dataclass
class ChartCall:
    """One chart an item draws: its builder and the arguments it was given (by name)."""

    builder: Callable
    arguments: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.arguments.get("title") or getattr(self.builder, "__name__", "chart"))

    @property
    def frame(self) -> pd.DataFrame | None:
        """The data the chart is drawn from: its first data-frame argument (or series, as a
        frame); None for a chart drawn from no data."""
        for value in self.arguments.values():
            if isinstance(value, pd.DataFrame):
                return value.copy()
        for name, value in self.arguments.items():
            if isinstance(value, pd.Series):
                return value.to_frame(value.name or name)
        return None


class ChartRecorder:
    """A stand-in for the chart cache (``Context.chart_cache``) that records each chart's builder
    and arguments and draws nothing: what :func:`chart_calls` renders an item with."""

    def __init__(self) -> None:
        self.calls: list[ChartCall] = []

    def image_html(self, builder, args=(), kwargs=None, *, dpi, compact=False, figures=None):
        try:
            bound = inspect.signature(builder).bind_partial(*args, **(kwargs or {}))
            arguments = dict(bound.arguments)
        except (TypeError, ValueError):
            arguments = {f"arg{i}": a for i, a in enumerate(args)} | dict(kwargs or {})
        self.calls.append(ChartCall(builder, arguments))
        return '<img alt="">'


def chart_calls(
    page, item_key: str, geography: str | None = None, period: str | None = None
) -> list[ChartCall]:
    """The charts item ``item_key`` draws for a view, in page order, with their arguments."""
    it = _page_item(page, item_key)
    g = known_geography(page, geography) if it.by_geography else "Force"
    p = check_period(period or page.period)
    ctx = page.context(g, p, compact=page.compact)
    recorder = ChartRecorder()
    ctx.chart_cache = recorder
    sections.render_item(it, ctx)
    return recorder.calls


def chart_frames(
    page, item_key: str, geography: str | None = None, period: str | None = None
) -> dict[str, pd.DataFrame]:
    """Chart title → the data frame it is drawn from, for every chart of the item (with data)."""
    out = {}
    for call in chart_calls(page, item_key, geography, period):
        frame = call.frame
        if frame is not None:
            out[call.title] = frame
    return out


def chart_data(
    page,
    item_key: str,
    geography: str | None = None,
    period: str | None = None,
    *,
    chart: int = 0,
) -> pd.DataFrame:
    """The data frame behind chart number ``chart`` (0: the first) of item ``item_key``.

    ``frame.attrs["title"]`` is the chart's title and ``frame.attrs["charts"]`` the titles of all
    the item's charts (an SPC item also draws its seasonal pattern: ``chart=1``).
    """
    frames = chart_frames(page, item_key, geography, period)
    if not frames:
        raise LookupError(
            f"{item_key!r} draws no chart from data for this view (a table or a note)"
        )
    titles = list(frames)
    if not 0 <= chart < len(titles):
        raise IndexError(f"{item_key!r} draws {len(titles)} chart(s): {titles}; chart={chart}")
    frame = frames[titles[chart]]
    frame.attrs = {**frame.attrs, "title": titles[chart], "charts": titles}
    return frame


# --------------------------------------------------------------------------------------------
# The districts side by side for one measure
# --------------------------------------------------------------------------------------------

DISTRICT_COLUMNS = [
    "rank", "district", "lpa", "window", "last_year", "this_year", "change", "change_unit",
    "direction", "significant", "withheld",
]  # fmt: skip


def compare_districts(
    page, measure_id: str, period: str | None = None, *, lpa: str | None = None
) -> pd.DataFrame:
    """Every district (of ``lpa`` if given) for one measure, ranked best first.

    Columns :data:`DISTRICT_COLUMNS`. Ranked by this year's value in the measure's better
    direction (highest first for ``higher_better``, lowest first for ``lower_better``; a measure
    with no better direction, largest first); a withheld district is blank and unranked. The
    ``significant`` column is the pack's test (True / False) where the measure has one and both
    years have responses, else missing; ``frame.attrs`` says what it was ranked by and which test.
    """
    m = catalog_measure(measure_id, page.month)
    if not m.exists_at("district"):
        raise ValueError(
            f"{m.id} ({m.title}) is not kept by district (only: {', '.join(m.levels)})"
        )
    p = check_period(period or page.period)
    if lpa is not None and lpa not in page.hierarchy.lpas:
        raise ValueError(f"unknown LPA {lpa!r} (known: {', '.join(page.hierarchy.lpas)})")
    rows = []
    for d in page.hierarchy.districts(lpa):
        r = measure_row(page.cube, m, page.month, p, d)
        withheld = disclosure.is_withheld(page.cube, m.id, page.month, d)
        rows.append(
            {
                "district": d,
                "lpa": page.hierarchy.lpa_of(d),
                "window": r["window_label"],
                "last_year": None if withheld else r["last_year"],
                "this_year": None if withheld else r["this_year"],
                "change": None if withheld else r["change"],
                "change_unit": r["change_unit"],
                "direction": "withheld" if withheld else r["direction"],
                "significant": None if withheld else r["significant"],
                "withheld": withheld,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("last_year", "this_year"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["change"] = [None if c is None else float(c) for c in frame["change"]]
    frame["significant"] = pd.array(list(frame["significant"]), dtype="boolean")
    ascending = m.polarity == "lower_better"
    frame["rank"] = frame["this_year"].rank(method="min", ascending=ascending).astype("Int64")
    frame = frame.sort_values(["rank", "district"], na_position="last", kind="stable")
    frame = frame[DISTRICT_COLUMNS].reset_index(drop=True)
    order = {"higher_better": "highest first (higher is better)",
             "lower_better": "lowest first (lower is better)"}.get(
        m.polarity, "largest first (no better direction)"
    )  # fmt: skip
    frame.attrs = {
        "measure_id": m.id,
        "measure": m.title,
        "unit": m.unit,
        "decimals": m.decimals,
        "month": str(page.month),
        "period": p,
        "ranked_by": f"this year's value, {order}",
        "significance": significance.rule_text(page.cube)
        if m.ci
        else "none: this measure has no test",
    }
    return frame


def compare_districts_html(frame: pd.DataFrame) -> str:
    """:func:`compare_districts`'s frame as a small table with its caption and a note."""
    a = frame.attrs
    unit, decimals = a.get("unit", "count"), int(a.get("decimals", 0))
    period = PERIOD_LABELS.get(a.get("period", ""), a.get("period", ""))
    caption = f"{a.get('measure', '')} by district: {period}, ranked by {a.get('ranked_by', '')}"
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in ("Rank", "District", "LPA", "Last year", "This year", "Change", "Significant")
    )
    body = []
    for r in frame.itertuples(index=False):
        sig = "" if pd.isna(r.significant) else ("Yes *" if r.significant else "No")
        rank = "" if pd.isna(r.rank) else str(int(r.rank))
        change = "[c]" if r.withheld else format_change(r.change, unit)
        last = "[c]" if r.withheld else format_value(r.last_year, unit, decimals)
        this = "[c]" if r.withheld else format_value(r.this_year, unit, decimals)
        cells = (rank, r.district, r.lpa or "", last, this, change, sig)
        body.append(
            f'<tr><td>{html.escape(cells[0])}</td><th scope="row">{html.escape(cells[1])}</th>'
            + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells[2:])
            + "</tr>"
        )
    note = f"Significance: {a.get('significance', '')}. Window: {frame['window'].iloc[0]}."
    return (
        f'<div class="ppw"><table class="ppw-small"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"{tables.note_html(note, 'info')}</div>"
    )


# --------------------------------------------------------------------------------------------
# Behind two drop-downs
# --------------------------------------------------------------------------------------------


def explore_html(page, measure_id: str, geography: str | None = None) -> str:
    """The explorer's view: the SPC chart, then (a measure kept by district) the districts."""
    parts = [spc_html(page, measure_id, geography)]
    m = catalog_measure(measure_id, page.month)
    if m.exists_at("district"):
        parts.append(compare_districts_html(compare_districts(page, measure_id)))
    return "".join(parts)


def explorer(page, measure_id: str | None = None, geography: str | None = None):
    """Measure and geography drop-downs above :func:`explore_html` (ipywidgets), redrawn on change.

    Starts on ``measure_id`` (default the page's first) at ``geography`` (default the page's).
    """
    import ipywidgets as w

    from ..render.widgets import geography_choices

    choices = measure_choices(page.month)
    first = measure_id or next(iter(page.measure_ids()), choices[0].id)
    catalog_measure(first, page.month)
    style = {"description_width": "initial"}
    pick_measure = w.Dropdown(
        options=[(f"{m.title} ({m.id})", m.id) for m in choices],
        value=first,
        description="Measure",
        style=style,
        layout=w.Layout(width="520px"),
    )
    pick_place = w.Dropdown(
        options=geography_choices(page.hierarchy),
        value=known_geography(page, geography),
        description="Geography",
        style=style,
        layout=w.Layout(width="260px"),
    )
    out = w.Output()

    def show(_change=None):
        try:
            text = explore_html(page, pick_measure.value, pick_place.value)
        except (KeyError, ValueError) as exc:
            text = tables.note_html(str(exc).strip("'\""), "warning")
        out.outputs = (
            {"output_type": "display_data", "data": {"text/html": text}, "metadata": {}},
        )

    pick_measure.observe(show, names="value")
    pick_place.observe(show, names="value")
    show()
    return w.VBox([w.HBox([pick_measure, pick_place]), out])
