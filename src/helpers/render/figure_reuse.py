"""Figure re-use: one figure redrawn for each chart of the same kind and size, inside one caller.

A switchable chart is drawn once per geography (some fifteen times), always by the same builder at
the same size. On matplotlib's public API, *making* a chart costs about as much as drawing it: the
:class:`~matplotlib.figure.Figure`, its Axes, and the ticks of each axis (every tick is two tick
marks, a grid line and two labels, made afresh for each new Axes). :class:`ReusedFigures` keeps one
figure per builder and size for whoever creates it, and hands it back wiped — its data, texts,
legends and limits removed, its Axes and their ticks kept — so the next chart of that kind is
drawn on it instead of on a new figure: the pixels of a new figure (a line's anti-aliasing may
differ by a shade).

It is an explicit, local object: the caller that draws a series of charts (one switchable item,
every geography) makes one, passes it down with each chart and drops it when done. Nothing is kept
between callers, and a builder given none makes a new figure as before.

Examples
--------
>>> from helpers.render import charts
>>> figures = ReusedFigures()
>>> first = charts.new_figure(figures=figures, kind="line_chart")
>>> charts.new_figure(figures=figures, kind="line_chart") is first
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, ScalarFormatter

#: The label of a figure's title (``Figure.suptitle``): kept by :func:`wipe`, since ``suptitle``
#: sets the text of the title the figure already has.
TITLE_LABEL = "_figure_title"


class ReusedFigures:
    """Figures kept by one caller for re-use, one per kind (builder and size)."""

    def __init__(self) -> None:
        self._figures: dict[Hashable, Figure] = {}

    def figure(self, kind: Hashable, make: Callable[[], Figure]) -> Figure:
        """The figure of ``kind``: made by ``make()`` the first time, later wiped for re-use.

        ``make`` must build the figure in the builder's style (its ``rc_context``), as the builder
        would for a new chart: the Axes take their fonts and sizes from the style when made.
        """
        fig = self._figures.get(kind)
        if fig is None:
            fig = self._figures[kind] = make()
        else:
            wipe(fig)
        return fig


def wipe(fig: Figure) -> None:
    """Remove what a chart drew on ``fig``; keep its Axes, their style and their ticks.

    Every artist drawn (lines, bars, error bars, texts, fills, legends, and the figure's own
    artists such as the SPC icons, but not its title) is removed; the data limits are emptied and autoscaling turned
    back on; each axis gets a new default locator and formatter (made in the caller's style). What
    a builder sets explicitly for each chart (titles, labels, ticks, grid, spines) it sets again.
    """
    for ax in fig.axes:
        for container in list(ax.containers):
            container.remove()
        for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images]:
            artist.remove()
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        ax.relim()
        ax.set_autoscale_on(True)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(AutoLocator())
            axis.set_major_formatter(ScalarFormatter())
    for artist in [*fig.legends, *fig.artists, *fig.texts, *fig.lines, *fig.patches]:
        if artist.get_label() != TITLE_LABEL:
            artist.remove()
