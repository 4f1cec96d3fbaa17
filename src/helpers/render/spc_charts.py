"""SPC charts in the NHS *Making Data Count* style, sized for a printed or e-mailed report.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot state), so they work
under the Agg backend, in a papermill run and in JupyterLab alike, and are not shown twice. Each
chart is a new figure with its own Agg canvas, its plot at a fixed place (:data:`SPC_AXES_RECT`)
with the icons and the legend in the column to its right.

Colours (Making Data Count): common cause grey, improvement blue, concern orange, neutral special
cause purple, target red. The icons describe the latest month only (their captions say so, in
words); :func:`helpers.render.spc_words.icon_words` says in a sentence what they and the coloured
points mean, for the chart's caption. A period with too few points for process limits is drawn as a run chart: the
legend says "No process limits: too few months (12 of 13)" where the limits' entry would be.

Examples
--------
>>> import pandas as pd
>>> from helpers.spc import xmr
>>> s = pd.Series([10, 12, 11, 13] * 4, index=pd.period_range("2015-06", periods=16, freq="M"))
>>> fig = spc_chart(xmr(s), title="Domestic abuse incidents", unit_label="Incidents",
...                 polarity="lower_better")
>>> fig_to_base64_png(fig).startswith("data:image/png;base64,")
True
"""

from __future__ import annotations

import base64
import io
import math
import sys

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Circle, Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from matplotlib.transforms import Affine2D
from PIL import Image

from .. import spc
from .figure_reuse import ReusedFigures

COMMON_CAUSE = "#a6a6a6"
IMPROVEMENT = "#00b0f0"
CONCERN = "#e46c0a"
NEUTRAL = "#490092"
TARGET = "#de1b1b"
LINE = "#7f7f7f"
MEAN = "#404040"
LIMIT = "#7f7f7f"
PROJECTION = "#5b7fa6"

POINT_COLOURS = {
    "common_cause": COMMON_CAUSE,
    "improvement": IMPROVEMENT,
    "concern": CONCERN,
    "neutral_special": NEUTRAL,
}
POINT_LABELS = {
    "common_cause": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral_special": "Special cause",
}
VARIATION_ICON_STYLE = {
    # icon: (colour, letter in the circle, caption): the caption says in words that the icon is
    # about the latest month, so it is not read as contradicting earlier coloured points
    "common_cause": (COMMON_CAUSE, "~", "Latest month:\nno significant\nchange"),
    "improvement_high": (IMPROVEMENT, "H", "Latest month:\nimprovement\n(higher)"),
    "improvement_low": (IMPROVEMENT, "L", "Latest month:\nimprovement\n(lower)"),
    "concern_high": (CONCERN, "H", "Latest month:\nconcern\n(higher)"),
    "concern_low": (CONCERN, "L", "Latest month:\nconcern\n(lower)"),
    "neutral_high": (NEUTRAL, "H", "Latest month:\nspecial cause\n(higher)"),
    "neutral_low": (NEUTRAL, "L", "Latest month:\nspecial cause\n(lower)"),
}
ASSURANCE_ICON_STYLE = {
    "pass": (IMPROVEMENT, "P", "Consistently\nmeets target"),
    "fail": (CONCERN, "F", "Consistently\nmisses target"),
    "hit_and_miss": (COMMON_CAUSE, "?", "Hit and miss\nagainst target"),
}

#: The points' marker: a 32-sided polygon, indistinguishable from a circle at 4-6 points (drawn
#: first as scatter plots, whose every draw measured the Bézier circle of marker "o", a few
#: milliseconds of root-finding each; the same polygon keeps those pixels).
DOT = MarkerStyle(Path.unit_regular_polygon(32))

_RC = {
    "font.size": 8,
    "axes.titlesize": 10,
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "svg.hashsalt": "spc",
    # No "+1e3" offset above the axis: full numbers read better, and nothing but the title sits
    # above the plot, so the title needs no placing at draw time.
    "axes.formatter.useoffset": False,
}

#: Tick spacings tried in turn (months) until the labels fit.
TICK_STEPS = (3, 6, 12, 24)
MAX_TICKS = 13


def _positions(index: pd.Index, origin=None) -> np.ndarray:
    """x position of each label: months since the first month for a PeriodIndex."""
    if isinstance(index, pd.PeriodIndex):
        first = index[0] if origin is None else origin
        return np.array([(p - first).n for p in index], dtype=float)
    return np.arange(len(index), dtype=float)


def _month_ticks(first: pd.Period, last_data: pd.Period, last: pd.Period):
    """Tick positions and 'Sep 16' labels, every 3/6/12 months, counted back from the latest."""
    span = (last - first).n + 1
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])
    months = pd.period_range(first, last, freq="M")
    chosen = [p for p in months if (last_data - p).n % step == 0]
    return [float((p - first).n) for p in chosen], [p.strftime("%b %y") for p in chosen]


def _number_formatter(values: np.ndarray) -> FuncFormatter | None:
    finite = values[np.isfinite(values)]
    if finite.size and np.abs(finite).max() >= 10_000:
        return FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    return None


def _segments(x: np.ndarray, y: np.ndarray, period: np.ndarray):
    """Yield (x, y) per period so that lines step at each rebase."""
    for p in pd.unique(period):
        mask = period == p
        yield x[mask], y[mask]


def _draw_icon(fig: Figure, rect, colour: str, letter: str, caption: str, name: str):
    """Draw one icon: a coloured circle with a letter, and a caption underneath.

    ``rect`` is the icon's square (left, bottom, width, height) in figure fractions. The icon is
    drawn with figure artists on a transform in inches (no axes of its own: an axes costs more
    to make and draw than the whole icon). Its artists are labelled ``name`` (the circle),
    ``name + "_letter"`` and ``name + "_caption"``; they are returned in that order.
    """
    fig_w, fig_h = fig.get_size_inches()
    x0, y0, w, h = rect
    side = min(w * fig_w, h * fig_h)  # inches
    # Icon units: the circle has radius 1 inside a square of half-width 1.05.
    to_inches = Affine2D().scale(side / 2.1).translate((x0 + w / 2) * fig_w, (y0 + h / 2) * fig_h)
    transform = to_inches + fig.dpi_scale_trans
    artists = [Circle((0, 0), 1.0, facecolor=colour, edgecolor="white", lw=0.5,
                      transform=transform, label=name)]  # fmt: skip
    if letter == "~":
        t = np.linspace(-0.6, 0.6, 40)
        artists.append(Line2D(t, 0.18 * np.sin(t * 8), color="white", lw=2.2,
                              solid_capstyle="round", transform=transform,
                              label=f"{name}_letter"))  # fmt: skip
    else:
        artists.append(Text(0, -0.02, letter, ha="center", va="center", color="white",
                            fontsize=11, fontweight="bold", transform=transform,
                            label=f"{name}_letter"))  # fmt: skip
    artists.append(Text(0, -1.25, caption, ha="center", va="top", fontsize=6.5, color="#333333",
                        linespacing=1.1, transform=transform, label=f"{name}_caption"))  # fmt: skip
    for artist in artists:
        fig.add_artist(artist)
    return artists


def icon_artists(fig: Figure) -> dict[str, list]:
    """The icons drawn on ``fig``: icon name (``icon_variation_concern_high`` …) → its artists."""
    out: dict[str, list] = {}
    for artist in fig.artists + fig.texts + fig.lines + fig.patches:
        label = str(artist.get_label())
        if label.startswith("icon_"):
            base = label.removesuffix("_letter").removesuffix("_caption")
            out.setdefault(base, []).append(artist)
    return out


def _reclassify(df: pd.DataFrame, polarity: str | None) -> pd.Series:
    if polarity is None or polarity == df.attrs.get("polarity"):
        return df["point_type"]
    spc._check_polarity(polarity)
    types = df["point_type"].copy()
    special = df["rule"] != ""
    types[special] = [spc._point_type(d, polarity) for d in df.loc[special, "direction"]]
    return types


def spc_chart(
    df: pd.DataFrame,
    *,
    title: str,
    unit_label: str,
    polarity: str | None = None,
    projection: pd.DataFrame | None = None,
    target: float | None = None,
    ax=None,
    figsize: tuple[float, float] = (9, 3.6),
    show_icons: bool = True,
    figures: ReusedFigures | None = None,
) -> Figure:
    """Draw an XmR chart: values, mean, process limits, special causes, projection, icons.

    Parameters
    ----------
    df
        An :func:`helpers.spc.xmr` frame (a monthly ``PeriodIndex`` gives month labels).
    title
        Chart title (the measure's published title).
    unit_label
        Y-axis label, e.g. ``"Incidents per month"`` or ``"Solved rate (%)"``.
    polarity
        Default the one given to ``xmr``; a different one re-colours the special causes.
    projection
        Optional :func:`helpers.spc.project` frame: a dotted line with its prediction interval,
        markers at the flagged horizons, and the current mean and limits carried across.
    target
        Optional target (red line); default the one given to ``xmr``.
    ax
        Axes to draw on; default a new figure of ``figsize``. On a new figure the icons and the
        legend sit in a column to the right of the plot, so they never cover data.
    figsize
        Size in inches of a new figure (the default suits an A4 report at full width).
    show_icons
        Draw the variation and assurance icons.
    figures
        Figures kept for re-use by the caller (:class:`helpers.render.figure_reuse.ReusedFigures`):
        a new figure's chart is drawn on the one of this size used last, wiped. The same pixels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    polarity = df.attrs.get("polarity", "neutral") if polarity is None else polarity
    target = df.attrs.get("target") if target is None else target
    if target is not None and isinstance(target, float) and math.isnan(target):
        target = None
    if df.empty or df["value"].isna().all():
        raise ValueError(f"spc_chart: no points to draw for {title!r}")
    if isinstance(df.index, pd.DatetimeIndex):
        df = df.set_axis(df.index.to_period("M"))
    if projection is not None and isinstance(projection.index, pd.DatetimeIndex):
        projection = projection.set_axis(projection.index.to_period("M"))
    point_types = _reclassify(df, polarity)

    with mpl.rc_context(_RC):
        own_figure = ax is None
        if own_figure:
            fig, ax = _new_figure(figsize, SPC_AXES_RECT, figures, "spc_chart")
        else:
            fig = ax.figure

        periodic = isinstance(df.index, pd.PeriodIndex)
        x = _positions(df.index)
        y = df["value"].to_numpy(dtype=float)
        period = df["period"].to_numpy()

        # Values: a grey line through the points (gaps at missing months), points by type.
        ax.plot(x, y, color=LINE, lw=1.1, zorder=2)
        types = point_types.to_numpy()
        for kind, colour in POINT_COLOURS.items():
            mask = types == kind
            if mask.any():
                size = 16 if kind == "common_cause" else 30
                # markers on a line without a line: a scatter plot's look at a fraction of the cost
                ax.plot(x[mask], y[mask], ls="none", marker=DOT, markersize=math.sqrt(size),
                        markeredgewidth=0, color=colour, zorder=3, label=f"_{kind}")  # fmt: skip

        for xs, ys in _segments(x, df["mean"].to_numpy(dtype=float), period):
            ax.plot(xs, ys, color=MEAN, lw=1.2, zorder=1, label="_mean")
        for col in ("upper_limit", "lower_limit"):
            for xs, ys in _segments(x, df[col].to_numpy(dtype=float), period):
                ax.plot(xs, ys, color=LIMIT, lw=1.0, ls="--", zorder=1, label=f"_{col}")

        # Rebase markers: a vertical line before the first point of each new period.
        starts = np.flatnonzero(np.diff(period) != 0) + 1
        for i in starts:
            ax.axvline(x[i] - 0.5, color="#333333", lw=0.8, ls=(0, (1, 2)), zorder=1)
            label = df.index[i].strftime("%b %y") if periodic else str(df.index[i])
            ax.annotate(f"Rebased {label}", xy=(x[i] - 0.5, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -2), textcoords="offset points", ha="left", va="top",
                        fontsize=6.5, color="#333333",
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                              "alpha": 0.8})  # fmt: skip

        x_end = x[-1]
        if projection is not None and len(projection):
            x_end = _draw_projection(ax, df, projection, x)

        if target is not None:
            ax.plot([x[0], x_end], [target, target], color=TARGET, lw=1.2, ls=(0, (6, 3)),
                    zorder=1, label="_target")  # fmt: skip

        _style_axes(ax, df, projection, x, x_end, unit_label, title)
        legend = _legend_handles(types, df, projection, target)
        if own_figure:
            fig.legend(handles=legend, loc="upper left", bbox_to_anchor=(0.785, 0.62),
                       frameon=False, handlelength=2.2, borderaxespad=0)  # fmt: skip
        else:
            ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 0.62),
                      frameon=False, handlelength=2.2, borderaxespad=0)  # fmt: skip

        if show_icons:
            _draw_icons(fig, ax, df, point_types, polarity, target)
    return fig


#: Where the plot sits on a new SPC figure (figure fractions): the column to its right holds the
#: icons and the legend, so they never cover data. A fixed place rather than a layout engine: the
#: legend and icons are placed against it, and every SPC chart of a page lines up with the others.
SPC_AXES_RECT = (0.085, 0.14, 0.685, 0.72)
SEASONALITY_AXES_RECT = (0.12, 0.16, 0.85, 0.70)


def _new_figure(
    figsize: tuple[float, float],
    rect,
    figures: ReusedFigures | None = None,
    kind: str = "",
) -> tuple[Figure, object]:
    """A new figure of ``figsize`` inches (with an Agg canvas) and one axes at ``rect``.

    With ``figures``: the figure of this ``kind`` and size used last, wiped, if there is one.
    """
    if figures is not None:
        fig = figures.figure(
            (kind, tuple(figsize), tuple(rect)), lambda: _new_figure(figsize, rect)[0]
        )
        return fig, fig.axes[0]
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)  # so fig.canvas.draw() works without pyplot
    ax = fig.add_axes(rect)
    for axis in (ax.xaxis, ax.yaxis):
        # No minor ticks here: do not work out the major ticks again at every draw to find the
        # minor ones that would overlap them.
        axis.remove_overlapping_locs = False
    return fig, ax


def _draw_projection(ax, df: pd.DataFrame, projection: pd.DataFrame, x: np.ndarray) -> float:
    """Draw the projection and its interval; return the last x position."""
    if isinstance(df.index, pd.PeriodIndex) and isinstance(projection.index, pd.PeriodIndex):
        xp = _positions(projection.index, origin=df.index[0])
    else:
        xp = x[-1] + np.arange(1, len(projection) + 1)
    observed = df["value"].notna().to_numpy()
    x0, y0 = x[observed][-1], df["value"].to_numpy()[observed][-1]
    line_x = np.r_[x0, xp]
    ax.fill_between(line_x, np.r_[y0, projection["lower"]], np.r_[y0, projection["upper"]],
                    color=PROJECTION, alpha=0.13, lw=0, zorder=0, label="_interval")  # fmt: skip
    ax.plot(line_x, np.r_[y0, projection["projection"]], color=PROJECTION, lw=1.3,
            ls=":", zorder=2, label="_projection")  # fmt: skip
    flagged = projection["horizon_flag"].to_numpy(dtype=bool)
    ax.plot(xp[flagged], projection["projection"].to_numpy()[flagged], ls="none", marker=DOT,
            markersize=math.sqrt(26), markerfacecolor="white", markeredgecolor=PROJECTION,
            markeredgewidth=1.2, zorder=4, label="_horizons")  # fmt: skip
    for xi, yi, h in zip(
        xp[flagged],
        projection["projection"].to_numpy()[flagged],
        projection["horizon"].to_numpy()[flagged],
        strict=True,
    ):
        ax.annotate(f"{h}m", (xi, yi), xytext=(0, 5), textcoords="offset points", ha="center",
                    va="bottom", fontsize=6.5, color=PROJECTION, zorder=5)  # fmt: skip
    # The current mean and limits carried across the projection, fainter.
    last = df.iloc[-1]
    for col, style in (("mean", "-"), ("upper_limit", "--"), ("lower_limit", "--")):
        if pd.notna(last[col]):
            ax.plot([x[-1], xp[-1]], [last[col]] * 2, color=MEAN if col == "mean" else LIMIT,
                    lw=0.9, ls=style, alpha=0.45, zorder=1, label=f"_{col}_carried")  # fmt: skip
    return float(xp[-1])


def _style_axes(ax, df, projection, x, x_end, unit_label, title):
    # Set explicitly (ticks are made at draw time, after the rc_context has ended), and before the
    # ticks below are made, so each is made in this style rather than made and then restyled.
    ax.tick_params(colors="#333333", length=3, labelsize=_RC["xtick.labelsize"])
    ax.set_xlim(x[0] - 0.8, x_end + 0.8)
    if isinstance(df.index, pd.PeriodIndex):
        last = df.index[-1]
        if (
            projection is not None
            and len(projection)
            and isinstance(projection.index, pd.PeriodIndex)
        ):
            last = projection.index[-1]
        ticks, labels = _month_ticks(df.index[0], df.index[-1], last)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.set_xticklabels(labels)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
        if not pd.api.types.is_numeric_dtype(df.index):
            labels = [str(v) for v in df.index]
            ax.xaxis.set_major_formatter(
                FuncFormatter(lambda v, _pos: labels[int(v)] if 0 <= v < len(labels) else "")
            )
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    values = np.r_[df[["value", "upper_limit", "lower_limit"]].to_numpy(dtype=float).ravel()]
    formatter = _number_formatter(values)
    if formatter is not None:
        ax.yaxis.set_major_formatter(formatter)
    ax.set_ylabel(unit_label)
    # y given: matplotlib then skips its costly search for artists above the axes (there are none)
    ax.set_title(title, loc="left", fontweight="bold", pad=8, y=1.0)
    ax.grid(axis="y", color="#e6e6e6", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#999999")


def _legend_handles(point_types, df, projection, target):
    handles = [Line2D([], [], color=LINE, lw=1.1, marker="o", markersize=4,
                      markerfacecolor=COMMON_CAUSE, markeredgewidth=0,
                      label="Monthly value")]  # fmt: skip
    for kind in ("improvement", "concern", "neutral_special"):
        if (point_types == kind).any():
            handles.append(Line2D([], [], ls="", marker="o", markersize=5, markeredgewidth=0,
                                  color=POINT_COLOURS[kind], label=POINT_LABELS[kind]))  # fmt: skip
    handles.append(Line2D([], [], color=MEAN, lw=1.2, label="Mean"))
    if df["upper_limit"].notna().any():
        handles.append(Line2D([], [], color=LIMIT, lw=1.0, ls="--", label="Process limits"))
    short = too_few_for_limits(df)
    if short is not None:
        # a run chart: said where the limits' entry would be (no artist of its own to draw)
        handles.append(Line2D([], [], ls="none", label=f"No process limits:\ntoo few months\n"
                              f"({short[0]} of {short[1]})"))  # fmt: skip
    if target is not None:
        handles.append(Line2D([], [], color=TARGET, lw=1.2, ls=(0, (6, 3)), label="Target"))
    if projection is not None and len(projection):
        level = projection.attrs.get("level", 0.95)
        handles.append(Line2D([], [], color=PROJECTION, lw=1.3, ls=":", marker="o",
                              markersize=4, markerfacecolor="white", label="Projection"))  # fmt: skip
        handles.append(Patch(color=PROJECTION, alpha=0.13, lw=0,
                             label=f"{level:.0%} prediction\ninterval"))  # fmt: skip
    return handles


def too_few_for_limits(df: pd.DataFrame) -> tuple[int, int] | None:
    """``(points, points needed)`` when the latest period of an :func:`helpers.spc.xmr` frame has
    no process limits because it has fewer points than limits need (a run chart); None when it
    has limits.

    >>> from helpers.spc import xmr
    >>> too_few_for_limits(xmr([10, 12, 11] * 4)), too_few_for_limits(xmr([10, 12, 11] * 5))
    ((12, 13), None)
    """
    if df.empty:
        return None
    latest = df[df["period"] == df["period"].iloc[-1]]
    if latest["upper_limit"].notna().any():
        return None
    points = int((latest["point_type"] != spc.MISSING).sum())
    needed = int(df.attrs.get("min_points", spc.MIN_POINTS_FOR_LIMITS))
    return (points, needed) if points < needed else None


def _draw_icons(fig, ax, df, point_types, polarity, target):
    """Variation and assurance icons in the top-right corner, beside the plot."""
    frame = df.copy()
    frame["point_type"] = point_types
    variation = spc.variation_icon(frame)
    assurance = spc.assurance_icon(df, target, polarity)
    box = ax.get_position()  # figure fraction
    fig_w, fig_h = fig.get_size_inches()
    size = 0.36  # inches
    w, h = size / fig_w, size / fig_h
    left = box.x1 + 0.035
    top = box.y1 + 0.045
    icons = [("variation", VARIATION_ICON_STYLE[variation])]
    if assurance is not None:
        icons.append(("assurance", ASSURANCE_ICON_STYLE[assurance]))
    for i, (name, (colour, letter, caption)) in enumerate(icons):
        rect = (left + i * (0.95 / fig_w), top - h, w, h)
        _draw_icon(
            fig, rect, colour, letter, caption, f"icon_{name}_{variation if i == 0 else assurance}"
        )


def seasonality_chart(
    series: pd.Series | None = None,
    factors: pd.Series | None = None,
    *,
    title: str = "Seasonal pattern",
    figsize: tuple[float, float] = (6, 2.6),
    ax=None,
    figures: ReusedFigures | None = None,
) -> Figure:
    """Draw the twelve monthly seasonal factors as bars around 1 (an average month).

    Parameters
    ----------
    series
        Monthly series to estimate the factors from (see :func:`helpers.spc.seasonal_factors`);
        not needed when ``factors`` is given.
    factors
        Twelve factors indexed 1…12.
    figures
        Figures kept for re-use by the caller, as for :func:`spc_chart`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if factors is None:
        if series is None:
            raise ValueError("seasonality_chart needs a series or its seasonal factors")
        factors = spc.seasonal_factors(series)
    factors = spc._check_factors(factors).sort_index()
    own_figure = ax is None
    with mpl.rc_context(_RC):
        if own_figure:
            fig, ax = _new_figure(figsize, SEASONALITY_AXES_RECT, figures, "seasonality_chart")
        else:
            fig = ax.figure
        pct = (factors.to_numpy() - 1) * 100
        # One colour: whether a busy month is good or bad depends on the measure, not the season.
        labels = [pd.Period(f"2000-{m:02d}", "M").strftime("%b") for m in factors.index]
        ax.bar(np.arange(12), pct, color=PROJECTION, width=0.7, zorder=2)
        ax.axhline(0, color=MEAN, lw=0.9, zorder=3)
        ax.set_xticks(np.arange(12))
        ax.set_xticklabels(labels)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: "0%" if abs(v) < 1e-9 else f"{v:+.0f}%")
        )
        ax.set_ylabel("Above / below an\naverage month")
        ax.set_title(title, loc="left", fontweight="bold", pad=8, y=1.0)
        ax.grid(axis="y", color="#e6e6e6", lw=0.6, zorder=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig


def render_image(fig: Figure, dpi: int = 100) -> Image.Image:
    """Draw ``fig`` at ``dpi`` on a white background and return the pixels as an RGBA image.

    The figure is drawn once on a new Agg canvas of its own (``FigureCanvasAgg.draw``, which runs
    a layout engine and the drawing in one pass; ``savefig`` would run the layout once more) and
    closed: it is of no use once drawn into a page.
    """
    try:
        fig.set_dpi(dpi)
        fig.patch.set_facecolor("white")
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return Image.fromarray(np.array(canvas.buffer_rgba()), "RGBA")
    finally:
        _close(fig)


def _close(fig: Figure) -> None:
    # Only a figure made with pyplot is held by pyplot; importing pyplot to close the others
    # would cost every kernel a third of a second.
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def fig_to_base64_png(fig: Figure, dpi: int = 100) -> str:
    """Render a figure as a PNG data URI for kernel-free HTML, and close it.

    The PNG is palette-based (256 colours, no dithering): a 9 × 3.6 in SPC chart at 100 dpi
    comes to about 15 KB.

    Examples
    --------
    >>> fig = Figure(figsize=(2, 1))
    >>> fig_to_base64_png(fig)[:22]
    'data:image/png;base64,'
    """
    image = render_image(fig, dpi)
    # A chart has few true colours: a 256-colour palette keeps it sharp at a third of the size,
    # and saving through PIL without metadata gives the same bytes on every run.
    palette = image.convert("RGB").quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    # zlib level 6 rather than 9 ("optimize"): a seventh of the time for 6% more bytes
    palette.save(buffer, format="png", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
