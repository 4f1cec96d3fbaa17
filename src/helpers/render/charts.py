"""Management-information charts (other than SPC) for the area pages.

Every builder takes a tidy ``DataFrame`` and returns a ``matplotlib.figure.Figure`` with a title and
labelled axes (units in the label), sized to be read at report size (about 800 × 340 pixels). The
builders never raise on empty or all-missing data: they return a figure that says "No data to show"
so a page always renders. :func:`figure_html` turns a figure into an inline PNG ``<figure>`` with a
one-line caption, which is what the pages display; the pages draw through
:mod:`helpers.render.chart_cache` (:func:`image_html`, then :func:`figure_element`), so a chart drawn
in an earlier run from the same data is not drawn again.

Figures are built on :class:`matplotlib.figure.Figure` directly (not ``pyplot``), so nothing is shown
twice by the inline backend and nothing leaks between re-renders: every chart is a new figure with
its own Agg canvas, laid out by constrained layout. The bar charts of a tidy frame — breakdowns by
group, districts side by side, forces ranked — are drawn by seaborn's :func:`seaborn.barplot` on the
figure's axes, with the palette, order and labels given explicitly; time series (monthly lines and
bars, savings against plan) and survey intervals stay plain matplotlib, which draws gaps as gaps and
given interval widths as they are.
"""

from __future__ import annotations

import colorsys
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

# A chart as HTML (inline PNG) is chart_html's job; its names stay importable from here.
from .chart_html import (  # noqa: F401
    DPI,
    chart_title,
    figure_element,
    figure_html,
    image_html,
    png_data_uri,
)
from .figure_reuse import TITLE_LABEL, ReusedFigures

#: Last year / this year, as in the published charts (grey against the force's blue).
LAST_YEAR_COLOUR = "#9e9e9e"
THIS_YEAR_COLOUR = "#1f4e79"
HIGHLIGHT_COLOUR = "#c55a11"
#: Colour-blind-safe qualitative palette (Okabe-Ito) for several series.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
#: Report size: the width of an A4 page at screen resolution.
WIDTH_IN = 9.0
HEIGHT_IN = 3.4
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


def new_figure(
    width: float = WIDTH_IN,
    height: float = HEIGHT_IN,
    ncols: int = 1,
    *,
    figures: ReusedFigures | None = None,
    kind: str = "",
) -> Figure:
    """Return an empty figure (with an Agg canvas) in the house style, with ``ncols`` axes.

    The figure uses constrained layout: at draw time the axes are placed so that the title, tick
    labels, axis labels and a legend beside the plot fit inside the figure. With ``figures``
    (:class:`helpers.render.figure_reuse.ReusedFigures`): the ``kind``'s figure of this size used
    last, wiped, if there is one.
    """
    with mpl.rc_context(STYLE):
        if figures is not None:
            return figures.figure(
                (kind, width, height, ncols), lambda: new_figure(width, height, ncols)
            )
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        for ax in np.atleast_1d(fig.subplots(1, ncols)):
            for axis in (ax.xaxis, ax.yaxis):
                # No minor ticks here: do not work out the major ticks again at every draw to
                # find the minor ones that would overlap them.
                axis.remove_overlapping_locs = False
    return fig


def _title(ax, title: str) -> None:
    """Title the chart at the figure's left edge, so long category labels never push it off."""
    text = "\n".join(textwrap.wrap(title, 95)) if title else ""
    ax.figure.suptitle(text, x=0.01, ha="left", fontsize=11, fontweight="bold", label=TITLE_LABEL)


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
#: the value labels readable): seaborn's default for bar plots, passed to it explicitly.
BAR_SATURATION = 0.75


def _desaturate(colour: str, proportion: float = BAR_SATURATION) -> tuple[float, float, float]:
    """``colour`` with its saturation scaled by ``proportion``, as seaborn fills its bars."""
    h, lightness, s = colorsys.rgb_to_hls(*to_rgb(colour))
    return colorsys.hls_to_rgb(h, lightness, s * proportion)


def _seaborn():
    """seaborn, imported when a chart first needs it (it and the pyplot it loads take about 0.13 s,
    which a page without a bar chart, and every "No data" chart, need not pay)."""
    import seaborn

    return seaborn


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

    Drawn by :func:`seaborn.barplot` on the figure's axes: one bar per category and series, side
    by side within 0.8 of a category's width (a series missing from a category leaves its slot
    empty), the mean where a category and series have several rows, no error bars. Last year is
    grey and this year blue (two series), otherwise :data:`PALETTE`, at :data:`BAR_SATURATION`.

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
    order, series_order
        Categories in the order drawn (default: as first seen); series in legend order.
    horizontal
        Categories down the side: for long labels (offence disposal types, districts).
    """
    fig = new_figure(height=height)
    ax = fig.axes[0]
    data = _clean(df, value)
    _title(ax, title)
    if data.empty:
        _no_data(ax)
        return fig
    order = [c for c in (order or pd.unique(data[category])) if c in set(data[category])]
    hue_order = [s for s in series_order if s in set(data[series])] or list(pd.unique(data[series]))
    colours = (
        [LAST_YEAR_COLOUR, THIS_YEAR_COLOUR]
        if len(hue_order) == 2
        else [PALETTE[i % len(PALETTE)] for i in range(len(hue_order))]
    )
    with mpl.rc_context(STYLE):
        _seaborn().barplot(
            data[[category, series, value]],
            x=value if horizontal else category,
            y=category if horizontal else value,
            hue=series,
            order=order,
            hue_order=hue_order,
            palette=dict(zip(hue_order, colours, strict=True)),
            saturation=BAR_SATURATION,
            estimator="mean",
            errorbar=None,
            dodge=True,
            orient="y" if horizontal else "x",
            legend=False,
            ax=ax,
        )
        # one bar container per series, in hue order: named for the legend
        for container, name in zip(ax.containers, hue_order, strict=True):
            container.set_label(str(name))
        if horizontal:
            ax.grid(True, axis="x")
            ax.grid(False, axis="y")
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
    return fig


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
    figures: ReusedFigures | None = None,
) -> Figure:
    """Lines of ``value`` by month, one line per ``series`` (or a single line).

    ``x`` holds months (``Period``, ``Timestamp`` or ``YYYY-MM`` strings). Gaps (missing values) are
    drawn as gaps, never as zero. ``target`` draws a dashed horizontal line, labelled. ``figures``:
    the caller's figures kept for re-use (the same pixels as on a new figure).
    """
    data = _clean(df, value)
    # a "No data" chart changes its figure's size and grid: it is drawn on a new figure
    fig = new_figure(height=height, figures=None if data.empty else figures, kind="line_chart")
    ax = fig.axes[0]
    _title(ax, title)
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
    return fig


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
    figures: ReusedFigures | None = None,
) -> Figure:
    """Points with 95% confidence-interval bars, one row per ``category`` (survey questions).

    Categories run down the side so long question wording stays readable; last year and this year
    are offset slightly so their intervals do not overlap. ``figures``: as for :func:`line_chart`.
    """
    data = _clean(df, value)
    fig = new_figure(height=height, figures=None if data.empty else figures, kind="point_interval")
    ax = fig.axes[0]
    _title(ax, title)
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
        # set, not toggled: the same on a new figure and on one re-used
        ax.yaxis.set_inverted(True)
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        ax.set_xlabel(value_label)
        ax.xaxis.set_major_formatter(_value_formatter("percent", 0))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


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

    Drawn by :func:`seaborn.barplot`, one bar per row of ``df`` in value order (lowest first with
    ``ascending``). The highlighted bar is also labelled "(this force)", in bold, so colour is not
    the only cue.
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
    bars = pd.DataFrame({"name": names, "value": data[value].to_numpy(dtype=float)})
    with mpl.rc_context(STYLE):
        _seaborn().barplot(
            bars,
            x="value",
            y="name",
            order=names,
            color=THIS_YEAR_COLOUR,
            saturation=1,
            errorbar=None,
            orient="y",
            ax=ax,
        )
        # the value axis's usual margins above and below the bars, as before seaborn (which
        # fits a categorical axis tightly to its bars)
        ax.autoscale(True, axis="y")
        (container,) = ax.containers
        for bar, name in zip(container, data[label], strict=True):
            if name == highlight:
                bar.set_facecolor(HIGHLIGHT_COLOUR)
        ax.bar_label(
            container,
            labels=[f"{v:,.{decimals}f}" for v in bars["value"]],
            fontsize=8,
            padding=2,
        )
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        ax.set_xlabel(value_label)
        ax.set_ylabel("")
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
