"""The analysts' filter bar: geography, period and month drop-downs that re-render a page in place.

Used only when a notebook runs with ``interactive=True`` (JupyterLab). The pack runs with
``interactive=False`` and gets kernel-free views (:mod:`helpers.views`) instead: widgets need a kernel
and a CDN, which a commander's e-mailed HTML does not have.

Each view of the page (the table, each chart) is an :class:`ipywidgets.Output` registered with the
page's :class:`FilterBar`; a change in any drop-down re-renders them all. Re-rendering is fast because
the cube is held in memory and every rendered fragment is cached per view (see
:func:`helpers.report._cached`). :func:`render_timings` times re-renders without a browser.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterable

import ipywidgets as w
import pandas as pd

from .periods import PERIOD_LABELS, PERIODS

LEVEL_WORDS = {"force": "", "lpa": "LPA", "district": "district"}


def geography_choices(geographies: pd.DataFrame) -> list[tuple[str, str]]:
    """Drop-down options ``(label, value)``: Force, then LPAs, then districts, each labelled by level.

    ipywidgets drop-downs have no option groups, so the level is in the label ("North — LPA",
    "Basildon — district") and the order groups them.
    """
    out = [("Force", "Force")]
    for level in ("lpa", "district"):
        names = sorted(
            g
            for g in geographies.loc[geographies["level"] == level, "geography"].astype(str)
            if g != "Unassigned"
        )
        out += [(f"{n} — {LEVEL_WORDS[level]}", n) for n in names]
    return out


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
        An :class:`helpers.report.AreaPage` or :class:`helpers.report.MasterPage` (anything with
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
            options=geography_choices(page.geographies),
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


def render_timings(
    page,
    views: Iterable[tuple[str, str]] | None = None,
    *,
    repeat: int = 1,
) -> dict:
    """Time ``page.render_html(geography, period)`` for each view, as the filter bar would.

    Parameters
    ----------
    page
        An area or master page.
    views
        (geography, period) pairs; default every geography × (rolling-12m, fytd).
    repeat
        Passes over the views. The first pass renders each view for the first time (the cube is in
        memory, figures are not yet cached); later passes show switching back to a view seen before.

    Returns
    -------
    dict
        ``first_ms`` and ``repeat_ms`` lists, and ``median_ms`` / ``p95_ms`` of the first pass and of
        the repeats (``repeat_median_ms``, ``repeat_p95_ms``; None when ``repeat`` is 1).
    """
    if views is None:
        geos = [("Force")] + [
            g for g in page.geographies["geography"] if g not in ("Force", "Unassigned")
        ]
        views = [(g, p) for g in geos for p in ("rolling-12m", "fytd")]
    views = list(views)
    passes = []
    for _ in range(max(1, repeat)):
        times = []
        for g, p in views:
            t0 = time.perf_counter()
            page.render_html(g, p)
            times.append(1000 * (time.perf_counter() - t0))
        passes.append(times)
    first = passes[0]
    rest = [t for p in passes[1:] for t in p]
    return {
        "views": len(views),
        "first_ms": first,
        "repeat_ms": rest,
        "median_ms": statistics.median(first),
        "p95_ms": _p95(first),
        "repeat_median_ms": statistics.median(rest) if rest else None,
        "repeat_p95_ms": _p95(rest) if rest else None,
    }


def _p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def benchmark_rerender(
    repeats: int = 20,
    *,
    data_dir: str = "data/demo",
    area: int = 6,
    month: str = "2016-09",
    period: str = "rolling-12m",
) -> dict:
    """Time filter-bar re-renders of an area page on a data folder, without a browser.

    The cube is loaded first (it is held in memory for the kernel's life, so it is not part of a
    re-render). Each change picks a geography not seen before (nothing of it cached):

    - ``rerender_median_ms`` / ``rerender_p95_ms``: until the bar has updated the page — the
      table and every view already drawn, with "Drawing the chart…" where a chart is still being
      drawn (what the analyst waits for before they can read the new figures);
    - ``rerender_complete_median_ms`` / ``…_p95_ms``: until the last chart of the change is drawn;
    - ``rerender_warm_median_ms`` / ``…_p95_ms``: switching between geographies and periods once
      the bar has pre-rendered them (it starts doing so after an analyst's first change);
    - ``rerender_prefetch_s``: pre-rendering every geography × period of the month.
    """
    from . import report

    report.get_cube(data_dir)
    page = report.AreaPage(area, month=month, period=period, data_dir=data_dir)
    bar = FilterBar(page, prefetch=False)
    page._bar = bar
    bar.add_view(lambda: page.table_html())
    for it in page.items:
        bar.add_view(
            lambda key=it.key: page.item_html(key), ready=lambda key=it.key: page.item_cached(key)
        )
    geos = [v for _, v in bar.geography.options if v != page.geography]
    bar.timings_ms.clear()
    bar.completion_ms.clear()
    for i in range(min(repeats, len(geos))):
        bar.geography.value = geos[i]
        bar.wait()
    shown, complete = list(bar.timings_ms), list(bar.completion_ms)
    prefetch_s = bar.prefetch(bar.views_to_prefetch())
    bar.timings_ms.clear()
    choices = [
        (g, p) for p in ("rolling-12m", "fytd") for g in [v for _, v in bar.geography.options]
    ]
    for i in range(repeats):
        g, p = choices[(i * 7) % len(choices)]
        if bar.period.value != p:
            bar.period.value = p
        if bar.geography.value != g:
            bar.geography.value = g
    bar.wait()
    warm = list(bar.timings_ms)

    def stat(values, name):
        return {
            f"{name}_median_ms": round(statistics.median(values), 1) if values else None,
            f"{name}_p95_ms": round(_p95(values), 1) if values else None,
        }

    return {
        "rerender_area": area,
        "rerender_month": month,
        "rerender_changes": len(shown),
        **stat(shown, "rerender"),
        **stat(complete, "rerender_complete"),
        **stat(warm, "rerender_warm"),
        "rerender_prefetch_s": round(prefetch_s, 1),
    }
