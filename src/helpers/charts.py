"""Management-information charts (other than SPC) for the area pages.

Every builder takes a tidy ``DataFrame`` and returns a ``matplotlib.figure.Figure`` with a title and
labelled axes (units in the label), sized to be read at report size (about 800 × 340 pixels). The
builders never raise on empty or all-missing data: they return a figure that says "No data to show"
so a page always renders. :func:`figure_html` turns a figure into an inline PNG ``<figure>`` with a
one-line caption, which is what the pages display.

Figures are built on :class:`matplotlib.figure.Figure` directly (not ``pyplot``), so nothing is shown
twice by the inline backend and nothing leaks between re-renders.
"""

from __future__ import annotations

import base64
import colorsys
import html
import io
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import LayoutEngine
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .spc_charts import empty_axes, pool_figure, take_figure

#: Last year / this year, as in the published charts (grey against the force's blue).
LAST_YEAR_COLOUR = "#9e9e9e"
THIS_YEAR_COLOUR = "#1f4e79"
HIGHLIGHT_COLOUR = "#c55a11"
#: Colour-blind-safe qualitative palette (Okabe-Ito) for several series.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
#: Report size: the width of an A4 page at screen resolution.
WIDTH_IN = 9.0
HEIGHT_IN = 3.4
DPI = 100
SMALL_DPI = 72

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e0e0e0",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "svg.hashsalt": "ppw",
}


class FitLayout(LayoutEngine):
    """Place a figure's one axes as constrained layout does, measuring its decorations once.

    The axes is moved so that its tick labels, axis labels and a legend beside it fit inside the
    figure with constrained layout's padding, below the figure's title (:func:`_title`).
    matplotlib's constrained layout always measures everything twice, a second time after moving
    the axes in case the tick labels changed: a third of the time of drawing one of these charts.
    Here the second measurement is made only when the ticks change with the move; over the demo
    pack's charts the axes then lands where constrained layout puts it or within a tenth of a
    pixel of it.
    """

    _adjust_compatible = False
    _colorbar_gridspec = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w_pad = mpl.rcParams["figure.constrained_layout.w_pad"]  # inches
        self.h_pad = mpl.rcParams["figure.constrained_layout.h_pad"]

    def execute(self, fig: Figure) -> None:
        """Move the axes (and the title) for the decorations as drawn now."""
        if len(fig.axes) != 1:
            raise ValueError("FitLayout places a figure with exactly one axes")
        (ax,) = fig.axes
        for _ in range(2):
            ticks = self._ticks(ax)
            if not self._place(fig, ax) or self._ticks(ax) == ticks:
                return

    @staticmethod
    def _ticks(ax) -> tuple:
        return tuple(ax.xaxis.get_majorticklocs()), tuple(ax.yaxis.get_majorticklocs())

    def _place(self, fig: Figure, ax) -> bool:
        renderer = fig.canvas.get_renderer()
        width, height = fig.get_size_inches()
        w_pad, h_pad = self.w_pad / width, self.h_pad / height
        to_figure = fig.transFigure.inverted()
        pos = ax.get_position(original=True)
        tight = ax.get_tightbbox(renderer, for_layout_only=True)
        box = pos if tight is None else tight.transformed(to_figure)
        title = getattr(fig, "_ppw_title", None)
        top = 0.0
        if title is not None and title.get_text():
            title.set_y(1 - h_pad)
            title.set_verticalalignment("top")
            top = title.get_window_extent(renderer).transformed(to_figure).height + 2 * h_pad
        x0 = w_pad + (pos.x0 - box.x0)
        x1 = 1 - w_pad - (box.x1 - pos.x1)
        y0 = h_pad + (pos.y0 - box.y0)
        y1 = 1 - top - h_pad - (box.y1 - pos.y1)
        if x1 <= x0 or y1 <= y0:
            return False  # decorations larger than the figure: left (constrained layout does too)
        ax.set_position((x0, y0, x1 - x0, y1 - y0))
        ax.set_in_layout(True)  # set_position takes an axes out of layouts; this one is the layout
        if top:
            title.set_y(1 - top + h_pad)
            title.set_verticalalignment("bottom")
        return True


def new_figure(
    width: float = WIDTH_IN, height: float = HEIGHT_IN, ncols: int = 1, *, reuse: str | None = None
) -> Figure:
    """Return an empty figure (with an Agg canvas) in the house style, with ``ncols`` axes.

    One axes is placed by :class:`FitLayout`; several by constrained layout. ``reuse`` names a
    kind of chart whose drawn figures are kept for the next chart of that kind and size (see
    :func:`_reusable`): a new figure's axes and ticks are a third of the cost of a line chart.
    """
    key = None
    if reuse is not None and ncols == 1:
        key = ("chart", reuse, (float(width), float(height)))
        fig = take_figure(key)
        if fig is not None:
            with mpl.rc_context(STYLE):
                _empty(fig)
            fig._ppw_reuse = key
            return fig
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout=FitLayout() if ncols == 1 else "constrained")
        FigureCanvasAgg(fig)
        for ax in np.atleast_1d(fig.subplots(1, ncols)):
            for axis in (ax.xaxis, ax.yaxis):
                # No minor ticks here: do not work out the major ticks again at every draw to
                # find the minor ones that would overlap them.
                axis.remove_overlapping_locs = False
    if key is not None:
        ax = fig.axes[0]
        fig._ppw_new_axes = (ax.get_position(original=True).bounds, ax.margins())
    fig._ppw_reuse = key
    return fig


def _empty(fig: Figure) -> None:
    """Make a reused figure's axes what :func:`new_figure` made: empty, untitled, unplaced."""
    ax = fig.axes[0]
    empty_axes(ax)
    position, margins = fig._ppw_new_axes
    ax.set_position(position)
    ax.set_in_layout(True)
    ax.set_xlabel("")
    ax.set_ylabel("")
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.margins(*margins)
    # the house style's grid (ax.grid(axis=...) without a state toggles it, as the charts use it)
    ax.xaxis.grid(bool(mpl.rcParams["axes.grid"]) and STYLE["axes.grid.axis"] in ("x", "both"))
    ax.yaxis.grid(bool(mpl.rcParams["axes.grid"]) and STYLE["axes.grid.axis"] in ("y", "both"))
    fig._ppw_pool = None  # kept again only if this chart too is drawn in full (_reusable)


def _reusable(fig: Figure) -> Figure:
    """Mark a chart drawn in full (not "no data") as one whose figure the next may reuse.

    Only charts whose builder sets again everything it changes on the axes (ticks, tick label
    styles, grids, margins, inversion) are made with ``reuse``.
    """
    key = getattr(fig, "_ppw_reuse", None)
    if key is not None:
        pool_figure(fig, key)
    return fig


def _title(ax, title: str) -> None:
    """Title the chart at the figure's left edge, so long category labels never push it off."""
    text = "\n".join(textwrap.wrap(title, 95)) if title else ""
    fig = ax.figure
    fig._ppw_title = fig.suptitle(text, x=0.01, ha="left", fontsize=11, fontweight="bold")


def chart_title(fig: Figure) -> str:
    """The chart's title (tests, alt text)."""
    sup = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    return (sup or "").replace("\n", " ") or "; ".join(
        t for t in (ax.get_title(loc="left") or ax.get_title() for ax in fig.axes) if t
    )


def _no_data(ax, message: str = "No data to show") -> None:
    # A chart with nothing in it needs no height: keep the page short.
    ax.figure.set_size_inches(ax.figure.get_figwidth(), 1.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")


def _clean(df: pd.DataFrame | None, value: str) -> pd.DataFrame:
    if df is None or len(df) == 0 or value not in df:
        return pd.DataFrame(columns=[] if df is None else df.columns)
    out = df.copy()
    out[value] = pd.to_numeric(out[value], errors="coerce")
    return out[out[value].notna()]


def _value_formatter(unit: str, decimals: int = 0):
    if unit == "percent":
        return FuncFormatter(lambda v, _: f"{v:.{decimals}f}%")
    if unit == "money":
        return FuncFormatter(lambda v, _: f"£{v:,.{decimals}f}m")
    return FuncFormatter(lambda v, _: f"{v:,.{decimals}f}")


def _month_axis(ax, months: Sequence[pd.Timestamp]) -> None:
    """Label a monthly axis with Mon YY every few months so labels never overlap."""
    months = list(months)
    if not months:
        return
    step = max(1, int(np.ceil(len(months) / 12)))
    ticks = months[::-step][::-1]  # always label the latest month
    ax.set_xticks(ticks)
    ax.set_xticklabels([t.strftime("%b %y") for t in ticks], rotation=0)
    ax.tick_params(axis="x", labelsize=8)


def _as_timestamp(values) -> pd.Series:
    s = pd.Series(values)
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.to_timestamp()
    if s.dtype == object and len(s) and isinstance(s.iloc[0], pd.Period):
        return s.map(lambda p: p.to_timestamp())
    return pd.to_datetime(s.astype(str))


#: Bars are drawn in the palette's colours at three-quarters saturation (softer fills that keep
#: the value labels readable), as seaborn's bar plots drew them.
BAR_SATURATION = 0.75


def _desaturate(colour: str, proportion: float = BAR_SATURATION) -> tuple[float, float, float]:
    h, lightness, s = colorsys.rgb_to_hls(*to_rgb(colour))
    return colorsys.hls_to_rgb(h, lightness, s * proportion)


def _dodged_bars(ax, data, category, value, series, order, hue_order, colours, horizontal):
    """One bar per category and series, side by side within 0.8 of a category's width.

    Draws one bar container per series (so ``ax.containers`` holds one per series, labelled for
    the legend) with plain matplotlib: seaborn's bar plot took a third of a second to import and a
    tenth of a second per chart for the same bars.
    """
    position = {c: i for i, c in enumerate(order)}
    width = 0.8 / len(hue_order)
    means = data.groupby([series, category], sort=False)[value].mean()
    for j, name in enumerate(hue_order):
        values = means.get(name)
        cats = [c for c in order if values is not None and c in values.index]
        edges = [position[c] - 0.4 + j * width for c in cats]
        heights = [float(values[c]) for c in cats]
        colour = _desaturate(colours[j])
        if horizontal:
            ax.barh(edges, heights, height=width, align="edge", color=colour, label=str(name))
        else:
            ax.bar(edges, heights, width=width, align="edge", color=colour, label=str(name))
    ticks = list(range(len(order)))
    labels = [str(c) for c in order]
    if horizontal:
        ax.set_yticks(ticks, labels=labels)
        ax.yaxis.grid(False)
        ax.set_ylim(len(order) - 0.5, -0.5, auto=None)
    else:
        ax.set_xticks(ticks, labels=labels)
        ax.xaxis.grid(False)
        ax.set_xlim(-0.5, len(order) - 0.5, auto=None)


def grouped_bar(
    df: pd.DataFrame,
    *,
    category: str,
    value: str,
    series: str = "year",
    title: str,
    value_label: str,
    category_label: str = "",
    unit: str = "count",
    decimals: int = 0,
    order: Sequence[str] | None = None,
    series_order: Sequence[str] = ("Last year", "This year"),
    horizontal: bool = False,
    annotate: bool = True,
    height: float = HEIGHT_IN,
) -> Figure:
    """Bars of ``value`` per ``category``, one bar per ``series`` (last year / this year).

    Parameters
    ----------
    df
        Long data: one row per category × series.
    category, value, series
        Column names.
    title, value_label, category_label
        Chart title and axis labels (put the unit in ``value_label``, e.g. "Solved rate (%)").
    unit, decimals
        How values are printed on the bars and the value axis.
    horizontal
        Categories down the side: for long labels (offence disposal types, districts).
    """
    fig = new_figure(height=height, reuse="horizontal bars" if horizontal else None)
    ax = fig.axes[0]
    data = _clean(df, value)
    _title(ax, title)
    if data.empty:
        _no_data(ax)
        return fig
    order = [c for c in (order or pd.unique(data[category])) if c in set(data[category])]
    hue_order = [s for s in series_order if s in set(data[series])] or list(pd.unique(data[series]))
    colours = (
        [LAST_YEAR_COLOUR, THIS_YEAR_COLOUR] if len(hue_order) == 2 else PALETTE[: len(hue_order)]
    )
    with mpl.rc_context(STYLE):
        _dodged_bars(ax, data, category, value, series, order, hue_order, colours, horizontal)
        if horizontal:
            ax.grid(axis="x")
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(value_label)
            ax.set_ylabel(category_label)
            ax.xaxis.set_major_formatter(_value_formatter(unit, 0 if unit != "money" else 1))
        else:
            ax.set_ylabel(value_label)
            ax.set_xlabel(category_label)
            ax.yaxis.set_major_formatter(_value_formatter(unit, 0 if unit != "money" else 1))
            if max(len(str(c)) for c in order) * len(order) > 90:
                for label in ax.get_xticklabels():
                    label.set_rotation(30)
                    label.set_horizontalalignment("right")
        if annotate:
            fmt = "{:,.%sf}".replace("%s", str(decimals)) + ("%" if unit == "percent" else "")
            for container in ax.containers:
                ax.bar_label(
                    container,
                    labels=[fmt.format(v) if np.isfinite(v) else "" for v in container.datavalues],
                    fontsize=8,
                    padding=2,
                )
        if horizontal:
            ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        else:
            ax.legend(title=None, loc="best")
        ax.margins(x=0.02, y=0.12) if not horizontal else ax.margins(x=0.12)
    return _reusable(fig)


def line_chart(
    df: pd.DataFrame,
    *,
    x: str = "month",
    value: str = "value",
    series: str | None = None,
    title: str,
    value_label: str,
    x_label: str = "Month",
    unit: str = "count",
    decimals: int = 0,
    target: float | None = None,
    target_label: str = "",
    series_order: Sequence[str] | None = None,
    ylim_zero: bool = True,
    height: float = HEIGHT_IN,
) -> Figure:
    """Lines of ``value`` by month, one line per ``series`` (or a single line).

    ``x`` holds months (``Period``, ``Timestamp`` or ``YYYY-MM`` strings). Gaps (missing values) are
    drawn as gaps, never as zero. ``target`` draws a dashed horizontal line, labelled.
    """
    fig = new_figure(height=height, reuse="lines")
    ax = fig.axes[0]
    _title(ax, title)
    data = _clean(df, value)
    if data.empty:
        _no_data(ax)
        return fig
    frame = df.copy()
    frame[value] = pd.to_numeric(frame[value], errors="coerce")
    frame["_x"] = _as_timestamp(frame[x]).to_numpy()
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    if series is not None and series_order:
        rank = {s: i for i, s in enumerate(series_order)}
        groups.sort(key=lambda g: rank.get(g[0], len(rank)))
    with mpl.rc_context(STYLE):
        for i, (name, g) in enumerate(groups):
            g = g.sort_values("_x")
            ax.plot(
                g["_x"],
                g[value],
                marker="o",
                markersize=3,
                linewidth=1.8,
                color=PALETTE[i % len(PALETTE)],
                label=None if name is None else str(name),
            )
        if target is not None:
            ax.axhline(target, color="#333333", linestyle="--", linewidth=1)
            ax.annotate(
                target_label or f"Standard {target:g}",
                xy=(1, target),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=8,
                color="#333333",
            )
        _month_axis(ax, sorted(frame["_x"].dropna().unique()))
        ax.set_xlabel(x_label)
        ax.set_ylabel(value_label)
        ax.yaxis.set_major_formatter(_value_formatter(unit, decimals))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=unit == "count" or decimals == 0))
        if ylim_zero:
            lo, hi = ax.get_ylim()
            ax.set_ylim(bottom=min(0, lo), top=hi * 1.05 if hi > 0 else hi)
        if series is not None and len(groups) > 1:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _reusable(fig)


def bar_by_month(
    df: pd.DataFrame,
    *,
    x: str = "month",
    value: str = "value",
    title: str,
    value_label: str,
    x_label: str = "Month",
    unit: str = "count",
    decimals: int = 0,
    height: float = HEIGHT_IN,
) -> Figure:
    """One bar per month; a month with no data shows as a gap labelled "n/a", never as zero."""
    fig = new_figure(height=height)
    ax = fig.axes[0]
    _title(ax, title)
    if df is None or len(df) == 0 or value not in df:
        _no_data(ax)
        return fig
    frame = df.copy()
    frame[value] = pd.to_numeric(frame[value], errors="coerce")
    frame["_x"] = _as_timestamp(frame[x]).to_numpy()
    frame = frame.sort_values("_x")
    if frame[value].notna().sum() == 0:
        _no_data(ax)
        return fig
    with mpl.rc_context(STYLE):
        positions = np.arange(len(frame))
        ax.bar(positions, frame[value].fillna(0), color=THIS_YEAR_COLOUR, width=0.7)
        top = np.nanmax(frame[value].to_numpy())
        for pos, v in zip(positions, frame[value], strict=True):
            if not np.isfinite(v):
                ax.text(pos, top * 0.02, "n/a", ha="center", va="bottom", fontsize=7, rotation=90)
        step = max(1, int(np.ceil(len(frame) / 12)))
        ticks = positions[::-step][::-1]  # always label the latest month
        ax.set_xticks(ticks)
        ax.set_xticklabels([frame["_x"].iloc[i].strftime("%b %y") for i in ticks], fontsize=8)
        ax.set_xlabel(x_label)
        ax.set_ylabel(value_label)
        ax.yaxis.set_major_formatter(_value_formatter(unit, decimals))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=unit == "count"))
    return fig


def point_interval(
    df: pd.DataFrame,
    *,
    category: str,
    value: str = "value",
    half_width: str = "ci",
    series: str = "year",
    title: str,
    value_label: str,
    series_order: Sequence[str] = ("Last year", "This year"),
    order: Sequence[str] | None = None,
    height: float = HEIGHT_IN,
) -> Figure:
    """Points with 95% confidence-interval bars, one row per ``category`` (survey questions).

    Categories run down the side so long question wording stays readable; last year and this year
    are offset slightly so their intervals do not overlap.
    """
    fig = new_figure(height=height, reuse="points")
    ax = fig.axes[0]
    _title(ax, title)
    data = _clean(df, value)
    if data.empty:
        _no_data(ax)
        return fig
    cats = [c for c in (order or pd.unique(data[category])) if c in set(data[category])]
    hue = [s for s in series_order if s in set(data[series])] or list(pd.unique(data[series]))
    colours = [LAST_YEAR_COLOUR, THIS_YEAR_COLOUR] if len(hue) == 2 else PALETTE
    offsets = np.linspace(-0.15, 0.15, len(hue)) if len(hue) > 1 else [0.0]
    with mpl.rc_context(STYLE):
        for i, name in enumerate(hue):
            g = data[data[series] == name].set_index(category).reindex(cats)
            ypos = np.arange(len(cats)) + offsets[i]
            err = pd.to_numeric(g[half_width], errors="coerce").fillna(0).to_numpy()
            ax.errorbar(
                g[value].to_numpy(),
                ypos,
                xerr=err,
                fmt="o",
                color=colours[i % len(colours)],
                ecolor=colours[i % len(colours)],
                capsize=3,
                markersize=5,
                label=str(name),
            )
        ax.set_yticks(np.arange(len(cats)))
        ax.set_yticklabels(cats)
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(value_label)
        ax.xaxis.set_major_formatter(_value_formatter("percent", 0))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _reusable(fig)


def ranked_bar(
    df: pd.DataFrame,
    *,
    label: str,
    value: str = "value",
    highlight: str | None = None,
    title: str,
    value_label: str,
    unit: str = "rate",
    decimals: int = 1,
    ascending: bool = True,
    height: float = HEIGHT_IN,
) -> Figure:
    """Horizontal bars sorted by value, ``highlight`` (the home force) in a contrasting colour.

    The highlighted bar is also labelled "(this force)" so colour is not the only cue.
    """
    fig = new_figure(height=height)
    ax = fig.axes[0]
    _title(ax, title)
    data = _clean(df, value)
    if data.empty:
        _no_data(ax)
        return fig
    data = data.sort_values(value, ascending=ascending)
    names = [f"{n} (this force)" if n == highlight else str(n) for n in data[label]]
    colours = [HIGHLIGHT_COLOUR if n == highlight else THIS_YEAR_COLOUR for n in data[label]]
    with mpl.rc_context(STYLE):
        bars = ax.barh(names, data[value], color=colours)
        ax.bar_label(
            bars, labels=[f"{v:,.{decimals}f}" for v in data[value]], fontsize=8, padding=2
        )
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(value_label)
        ax.margins(x=0.1)
        for tick, name in zip(ax.get_yticklabels(), data[label], strict=True):
            if name == highlight:
                tick.set_fontweight("bold")
    return fig


def plan_vs_delivered(
    df: pd.DataFrame,
    *,
    x: str = "month",
    delivered: str = "delivered",
    plan: str = "plan",
    requirement: float | None = None,
    title: str,
    value_label: str = "£ million",
    height: float = HEIGHT_IN,
) -> Figure:
    """Savings delivered (bars) against the plan to date (line), cumulative in the year, £ million."""
    fig = new_figure(height=height)
    ax = fig.axes[0]
    _title(ax, title)
    data = _clean(df, delivered)
    if data.empty:
        _no_data(ax)
        return fig
    frame = data.copy()
    frame["_x"] = _as_timestamp(frame[x]).to_numpy()
    frame = frame.sort_values("_x")
    positions = np.arange(len(frame))
    with mpl.rc_context(STYLE):
        ax.bar(positions, frame[delivered], color=THIS_YEAR_COLOUR, width=0.6, label="Delivered")
        if plan in frame:
            ax.plot(
                positions,
                pd.to_numeric(frame[plan], errors="coerce"),
                color=HIGHLIGHT_COLOUR,
                marker="o",
                linewidth=2,
                label="Plan to date",
            )
        if requirement is not None and np.isfinite(requirement):
            ax.axhline(
                requirement,
                color="#333333",
                linestyle="--",
                linewidth=1,
                label=f"Required this year (£{requirement:,.1f}m)",
            )
        ax.set_xticks(positions)
        ax.set_xticklabels([t.strftime("%b %y") for t in frame["_x"]], fontsize=8)
        ax.set_xlabel("Month (financial year to date)")
        ax.set_ylabel(value_label)
        ax.yaxis.set_major_formatter(_value_formatter("money", 1))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def no_data_figure(title: str, message: str) -> Figure:
    """A titled figure that says why there is nothing to show (used for "not available")."""
    fig = new_figure(height=1.6)
    ax = fig.axes[0]
    _title(ax, title)
    _no_data(ax, message)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def png_data_uri(fig: Figure, dpi: int = DPI, *, compact: bool = False) -> str:
    """Return the figure as a ``data:image/png;base64,…`` URI (deterministic: no metadata).

    ``compact``: a 256-colour palette PNG (:func:`helpers.spc_charts.fig_to_base64_png`), about a
    third of the bytes, for the pack's HTML; otherwise a fast full-colour PNG for live re-renders.
    """
    from .spc_charts import fig_to_base64_png, render_image

    if compact:
        return fig_to_base64_png(fig, dpi=dpi)
    buf = io.BytesIO()
    # RGB: the background is opaque white, so the alpha channel would only add bytes and time
    render_image(fig, dpi).convert("RGB").save(buf, format="png", compress_level=1, dpi=(dpi, dpi))
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(
    fig: Figure,
    caption: str = "",
    *,
    alt: str | None = None,
    dpi: int = DPI,
    compact: bool = False,
) -> str:
    """Return an HTML ``<figure>``: the chart as an inline PNG and a one-line caption.

    The alternative text is the chart's title (or ``alt``) so the page reads without images.
    """
    title = alt if alt is not None else (chart_title(fig) or "Chart")
    img = (
        f'<img src="{png_data_uri(fig, dpi, compact=compact)}" alt="{html.escape(title, quote=True)}" '
        'style="max-width:100%;height:auto">'
    )
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="ppw-figure">{img}{cap}</figure>'
