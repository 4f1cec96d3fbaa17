"""The analysts' filter bar: geography, period and month drop-downs that re-render a page in place.

Used only when a notebook runs with ``interactive=True`` (JupyterLab). The pack runs with
``interactive=False`` and gets kernel-free views (:mod:`helpers.render.views`) instead: widgets need a kernel
and a CDN, which a commander's e-mailed HTML does not have.

Each view of the page (the table, each chart) is an :class:`ipywidgets.Output` registered with the
page's :class:`FilterBar`; a change in any drop-down re-renders them all. Re-rendering is fast because
the cube is held in memory and every rendered fragment is kept by the page that rendered it
(``_Page._cached``). :mod:`helpers.pack.timing` times re-renders without a browser.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from ..geography import Hierarchy
from ..periods import PERIOD_LABELS, PERIODS

LEVEL_WORDS = {"force": "", "lpa": "LPA", "district": "district"}


def geography_choices(hierarchy: Hierarchy) -> list[tuple[str, str]]:
    """Drop-down options ``(label, value)``: Force, then LPAs, then districts, each labelled by level.

    ipywidgets drop-downs have no option groups, so the level is in the label ("North — LPA",
    "Basildon — district") and the order groups them.
    """
    return [
        (name if level == "force" else f"{name} — {LEVEL_WORDS[level]}", name)
        for level, name in hierarchy.options()
    ]


def month_choices(cube, current: pd.Period, n: int = 36) -> list[tuple[str, str]]:
    """The ``n`` months up to the latest month with data (and the current one), newest first."""
    latest = current
    for v in (getattr(cube, "data_to", None) or {}).values():
        if v is None:
            continue
        try:
            p = pd.Period(str(v)[:7], freq="M")
        except ValueError:
            continue
        latest = max(latest, p)
    months = {latest - i for i in range(n)} | {current}
    return [(m.strftime("%b %Y"), m.strftime("%Y-%m")) for m in sorted(months, reverse=True)]


class FilterBar:
    """Geography / period / month drop-downs bound to a page; views re-render in place.

    Parameters
    ----------
    page
        An :class:`helpers.pages.report.AreaPage` or :class:`helpers.pages.report.MasterPage` (anything with
        ``geography``, ``period``, ``month``, ``geographies``, ``cube`` and ``set_view``).
    """

    def __init__(self, page, *, prefetch: bool = True):
        self.page = page
        # Live views favour speed: full-colour PNGs skip the palette step (a few ms a chart).
        page.compact = False
        #: Pre-render the other views in a background thread after the first change.
        self.auto_prefetch = prefetch
        self._prefetch_thread: threading.Thread | None = None
        self._prefetch_stop = threading.Event()
        self._prefetch_month = None
        style = {"description_width": "initial"}
        self.geography = w.Dropdown(
            options=geography_choices(page.hierarchy),
            value=page.geography,
            description="Geography",
            style=style,
            layout=w.Layout(width="260px"),
        )
        self.period = w.Dropdown(
            options=[(PERIOD_LABELS[p], p) for p in PERIODS],
            value=page.period,
            description="Period",
            style=style,
            layout=w.Layout(width="250px"),
        )
        self.month = w.Dropdown(
            options=month_choices(page.cube, page.month),
            value=page.month.strftime("%Y-%m"),
            description="Month",
            style=style,
            layout=w.Layout(width="180px"),
        )
        self.status = w.HTML(value="")
        self.widget = w.HBox([self.geography, self.period, self.month, self.status])
        self.views: list[tuple[w.Output, Callable[[], str], Callable[[], bool] | None]] = []
        #: Milliseconds until the table and cached views showed, per change.
        self.timings_ms: list[float] = []
        #: Milliseconds until the last chart of the change was drawn, per change.
        self.completion_ms: list[float] = []
        self._generation = 0
        self._worker: threading.Thread | None = None
        self._shown = False
        for dd in (self.geography, self.period, self.month):
            dd.observe(self._on_change, names="value")

    # ---- views -------------------------------------------------------------------------------
    def add_view(
        self, render: Callable[[], str], ready: Callable[[], bool] | None = None
    ) -> w.Output:
        """Register a view and return its Output, already rendered.

        Parameters
        ----------
        render
            ``render() -> HTML`` for the page's current selection.
        ready
            ``ready() -> bool``: whether ``render`` would return at once (its fragment is cached).
            A view with ``ready`` that is not ready is drawn in a worker thread after a change, so
            the table and every cached view update at once and slow charts follow. A view without
            ``ready`` is always drawn at once.
        """
        out = w.Output()
        self.views.append((out, render, ready))
        _show(out, render())
        return out

    def with_output(self, out: w.Output):
        """The bar above ``out`` the first time it is asked for; just ``out`` after that."""
        if self._shown:
            return out
        self._shown = True
        return w.VBox([self.widget, out])

    def refresh(self) -> float:
        """Re-render the views for the page's current selection; return the milliseconds taken.

        The time is what the analyst waits for: every fast or cached view is updated; charts not yet
        drawn show "Drawing…" and are drawn in a worker thread (:meth:`wait` waits for them;
        ``completion_ms`` records when the last one arrived).
        """
        t0 = time.perf_counter()
        self._generation += 1
        generation = self._generation
        pending = []
        for out, render, ready in self.views:
            if ready is None or ready():
                _show(out, render())
            else:
                _show(out, '<p style="color:#555;font-style:italic">Drawing the chart…</p>')
                pending.append((out, render))
        ms = 1000 * (time.perf_counter() - t0)
        self.timings_ms.append(ms)
        self.status.value = f'<span style="color:#555;font-size:12px">updated in {ms:.0f} ms</span>'
        if pending:
            self._worker = threading.Thread(
                target=self._draw, args=(pending, generation, t0), daemon=True, name="ppw-draw"
            )
            self._worker.start()
        else:
            self.completion_ms.append(ms)
        return ms

    def _draw(self, pending, generation: int, t0: float) -> None:
        for out, render in pending:
            html = render()
            if generation != self._generation:
                return  # the analyst has moved on: a newer refresh owns the outputs
            _show(out, html)
        ms = 1000 * (time.perf_counter() - t0)
        self.completion_ms.append(ms)
        self.status.value = (
            f'<span style="color:#555;font-size:12px">updated in {self.timings_ms[-1]:.0f} ms; '
            f"charts in {ms:.0f} ms</span>"
        )

    def wait(self, timeout: float | None = 60) -> None:
        """Wait until the charts of the last change are drawn (tests, benchmarks)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _on_change(self, change) -> None:
        self.page.set_view(
            geography=self.geography.value, period=self.period.value, month=self.month.value
        )
        self.refresh()
        if self.auto_prefetch:
            self.start_prefetch()

    # ---- pre-rendering -----------------------------------------------------------------------
    def views_to_prefetch(self) -> list[tuple[str, str]]:
        """Every geography for the current period, then for the other periods."""
        geos = [value for _, value in self.geography.options]
        order = [self.page.period] + [p for p in PERIODS if p != self.page.period]
        return [(g, p) for p in order for g in geos]

    def start_prefetch(self) -> None:
        """Render the other views in a daemon thread so that switching to them is instant.

        Started on the first change an analyst makes (a papermill or nbval run never starts it);
        restarted when the month changes, since every view of the new month is new.
        """
        if self._prefetch_thread is not None and self._prefetch_thread.is_alive():
            if self._prefetch_month == self.page.month:
                return
            self._prefetch_stop.set()
        self._prefetch_stop = threading.Event()
        self._prefetch_month = self.page.month
        self._prefetch_thread = threading.Thread(
            target=self.prefetch,
            args=(self.views_to_prefetch(), self._prefetch_stop),
            daemon=True,
            name="ppw-prefetch",
        )
        self._prefetch_thread.start()

    def prefetch(self, views, stop: threading.Event | None = None) -> float:
        """Render ``views`` into the page's cache (stops early if ``stop`` is set); return seconds."""
        month = self.page.month
        t0 = time.perf_counter()
        for g, p in views:
            if (stop is not None and stop.is_set()) or self.page.month != month:
                break
            self.page.render_html(g, p)
        return time.perf_counter() - t0


def _show(out: w.Output, html: str) -> None:
    # Setting outputs directly (rather than ``with out: display(...)``) works with or without a
    # running kernel, so the bar can be tested and timed from plain Python.
    out.outputs = ({"output_type": "display_data", "data": {"text/html": html}, "metadata": {}},)


def output_html(out: w.Output) -> str:
    """The HTML an Output currently shows (tests)."""
    return "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)
