"""The analysts' filter bar: geography, period and month drop-downs that re-render a page in place.

Used only when a notebook runs with ``interactive=True`` (JupyterLab). The pack runs with
``interactive=False`` and gets kernel-free views (:mod:`helpers.render.views`) instead: widgets need a kernel
and a CDN, which a commander's e-mailed HTML does not have.

Each view of the page (the table, each chart) is an :class:`ipywidgets.Output` registered with the
page's :class:`FilterBar`; a change in any drop-down re-renders them all. What the analyst waits for
is kept short three ways:

- **the table first**: on a change the bar shows at once the table and every view already rendered
  (the page keeps every fragment it rendered, ``_Page.fragments``); a chart not yet drawn shows
  "Drawing the chart…" and is drawn just after, in the bar's worker thread, each shown as it comes;
- **the next views before they are asked for**: while the kernel is idle (after "Run All", between
  changes) the worker renders the views the analyst is likely to pick next into the page's cache —
  every place for the period on show, then the other periods, then the months either side
  (:meth:`FilterBar.prefetch_plan`);
- **charts kept by content**: every chart goes through the chart cache on disk
  (:mod:`helpers.render.chart_cache`), so one drawn by the pack or by an earlier session is not
  drawn again. The live views use the pack's palette PNGs: a third of the bytes of full-colour ones
  to send and decode, and the same cache entries as the pack.

The worker (:class:`helpers.render.idle.IdleWorker`) never draws while a notebook cell runs:
matplotlib's style is one per process. :mod:`helpers.pack.timing` times re-renders without a
browser, ``scripts/bench_lab.py`` what the analyst waits for in a real JupyterLab.
"""

from __future__ import annotations

import contextlib
import html as html_lib
import inspect
import time
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from ..geography import Hierarchy
from ..periods import PERIOD_LABELS, PERIODS
from .figure_reuse import ReusedFigures
from .idle import IdleWorker

LEVEL_WORDS = {"force": "", "lpa": "LPA", "district": "district"}
#: Shown in a view whose chart is being drawn after a change (the old chart must not stay on show
#: beside the new table: it would be read as the new place's).
DRAWING = '<p style="color:#555;font-style:italic">Drawing the chart…</p>'
_SHELL_DEFAULT = object()


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


def view_renderers(page, figures: ReusedFigures | None = None) -> list[Callable[[str, str], str]]:
    """``render(geography, period) -> HTML`` for each fragment of ``page`` a view shows.

    An area page: its table and each management-information item (charts drawn on ``figures``,
    one figure per kind redrawn: :mod:`helpers.render.figure_reuse`); the master page: its
    summary, scorecard, exceptions and districts; any other page: its ``render_html``. Each fragment is
    rendered into the page's cache, so the bar's views find it there.
    """
    if hasattr(page, "table_html") and hasattr(page, "item_html") and hasattr(page, "items"):
        takes_figures = "figures" in inspect.signature(page.item_html).parameters
        extra = {"figures": figures} if (figures is not None and takes_figures) else {}
        return [page.table_html] + [
            (lambda g, p, key=it.key: page.item_html(key, g, p, **extra)) for it in page.items
        ]
    names = ("summary_html", "scorecard_html", "exceptions_html", "district_comparison_html")
    found = [getattr(page, n) for n in names if hasattr(page, n)]
    return found or [page.render_html]


class FilterBar:
    """Geography / period / month drop-downs bound to a page; views re-render in place.

    Parameters
    ----------
    page
        An :class:`helpers.pages.report.AreaPage` or :class:`helpers.pages.report.MasterPage`
        (anything with ``geography``, ``period``, ``month``, ``hierarchy``, ``cube``,
        ``fragments`` and ``set_view``).
    prefetch
        Render the views the analyst is likely to pick next while the kernel is idle.
    page_for_month
        ``page_for_month("2016-06")``: a page like ``page`` for another month, sharing its cube,
        into which the months either side are prefetched (None: only the page's own month is).
    shell
        The IPython shell whose cells pause the worker (default ``get_ipython()``; None outside
        IPython, e.g. tests, where prefetching starts with the first change).
    quiet_s
        Idle seconds before prefetching starts (after a cell, after a change).
    """

    def __init__(
        self,
        page,
        *,
        prefetch: bool = True,
        page_for_month: Callable[[str], object] | None = None,
        shell=_SHELL_DEFAULT,
        quiet_s: float = 0.25,
    ):
        self.page = page
        #: Pre-render the views the analyst may pick next (after a cell, after each change).
        self.auto_prefetch = prefetch
        self.page_for_month = page_for_month
        #: At most this many other months are prefetched (for the place and period on show).
        self.months_ahead = 12
        self.worker = IdleWorker(quiet_s=quiet_s, name="ppw-filter-bar")
        self._figures = ReusedFigures()  # used by the worker thread only
        self._month_pages: dict[str, object] = {}
        self._planned: tuple | None = None
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
        self._shown = False
        for dd in (self.geography, self.period, self.month):
            dd.observe(self._on_change, names="value")
        if shell is _SHELL_DEFAULT:
            shell = _ipython()
        self._shell = shell
        if shell is not None:
            self.worker.attach(shell)
            shell.events.register("post_run_cell", self._after_cell)

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
            A view with ``ready`` that is not ready is drawn by the worker after a change, so the
            table and every cached view update at once and slow charts follow. A view without
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

        The time is what the analyst waits for before reading the new figures: every fast or
        cached view is updated; charts not yet drawn show "Drawing the chart…" and are drawn by the
        worker, each shown as it is drawn (:meth:`wait` waits for them; ``completion_ms`` records
        when the last one arrived).
        """
        t0 = time.perf_counter()
        self._generation += 1
        generation = self._generation
        pending = []
        for out, render, ready in self.views:
            if ready is None or ready():
                _show(out, _rendered(render))
            else:
                _show(out, DRAWING)
                pending.append((out, render))
        ms = 1000 * (time.perf_counter() - t0)
        self.timings_ms.append(ms)
        self.status.value = _status(f"updated in {ms:.0f} ms")
        if not pending:
            self.completion_ms.append(ms)
            self.worker.set_urgent(())
            return ms
        left = [len(pending)]

        def draw(out, render):
            if generation != self._generation:
                return  # the analyst has moved on: a newer change owns the outputs
            text = _rendered(render)
            if generation != self._generation:
                return
            _show(out, text)
            left[0] -= 1
            if left[0] == 0:
                done = 1000 * (time.perf_counter() - t0)
                self.completion_ms.append(done)
                self.status.value = _status(
                    f"updated in {self.timings_ms[-1]:.0f} ms; charts in {done:.0f} ms"
                )

        self.worker.set_urgent([lambda o=o, r=r: draw(o, r) for o, r in pending])
        return ms

    def wait(self, timeout: float | None = 60) -> None:
        """Wait until the charts of the last change are drawn (tests, benchmarks, a cell)."""
        self.worker.flush_urgent(timeout)

    def _on_change(self, change) -> None:
        self.worker.pause()  # nothing of ours draws while the page changes under it
        try:
            month = self.month.value
            self.page.set_view(
                geography=self.geography.value, period=self.period.value, month=month
            )
            ahead = self._month_pages.get(month)
            if ahead is not None and ahead is not self.page:
                # what the worker prefetched for this month, on a page of its own
                for key, value in ahead.fragments.items():
                    self.page.fragments.setdefault(key, value)
            self.refresh()
            if self.auto_prefetch:
                self.start_prefetch()
        finally:
            self.worker.resume()

    def _after_cell(self, *_args) -> None:
        """After each cell: plan the prefetch once the page has views (it starts when idle)."""
        if self.auto_prefetch and self.views:
            self.start_prefetch()

    # ---- pre-rendering -----------------------------------------------------------------------
    def views_to_prefetch(self) -> list[tuple[str, str]]:
        """Every geography for the current period, then every geography for the other periods."""
        geos = [value for _, value in self.geography.options]
        order = [self.page.period] + [p for p in PERIODS if p != self.page.period]
        return [(g, p) for p in order for g in geos]

    def months_to_prefetch(self) -> list[str]:
        """Other months of the drop-down, nearest first (the month before ahead of the month after),
        at most :attr:`months_ahead` of them; none without ``page_for_month``."""
        if self.page_for_month is None:
            return []
        offered = [value for _, value in self.month.options]
        if self.month.value not in offered:
            return []
        i = offered.index(self.month.value)  # newest first: i + 1 is the month before
        out = []
        for step in range(1, len(offered)):
            for j in (i + step, i - step):
                if 0 <= j < len(offered):
                    out.append(offered[j])
        return out[: self.months_ahead]

    def prefetch_plan(self) -> list[tuple[str, str, str]]:
        """(month, geography, period) in the order the worker renders them while idle.

        What an analyst is likely to pick next, most likely first:

        1. every place, for the period and month on show;
        2. the place and period on show, the months either side;
        3. every place, for the other periods;
        4. the place and period on show, the other months (nearest first);
        5. every place, for the period on show, in the months either side.
        """
        month, here_g, here_p = self.month.value, self.page.geography, self.page.period
        geos = [value for _, value in self.geography.options]
        others = [p for p in PERIODS if p != here_p]
        near = self.months_to_prefetch()
        plan: dict[tuple[str, str, str], None] = {}
        steps = [
            [(month, g, here_p) for g in geos],
            [(m, here_g, here_p) for m in near[:2]],
            [(month, g, p) for p in others for g in geos],
            [(m, here_g, here_p) for m in near[2:]],
            [(m, g, here_p) for m in near[:2] for g in geos],
        ]
        for step in steps:
            plan.update(dict.fromkeys(step))
        return list(plan)

    def start_prefetch(self) -> None:
        """Queue :meth:`prefetch_plan` for the worker (it runs when the kernel is idle).

        Planned again only when the selection has changed; the months no longer in the plan are
        dropped with their pages.
        """
        selection = (self.page.month, self.page.geography, self.page.period)
        if self._planned == selection:
            return
        self._planned = selection
        plan = self.prefetch_plan()
        keep = {m for m, _, _ in plan}
        self._month_pages = {m: pg for m, pg in self._month_pages.items() if m in keep}
        own = self.month.value
        fragments = range(len(view_renderers(self.page)))
        self.worker.set_background(
            [
                lambda m=m, g=g, p=p, i=i: self._prefetch_one(m, g, p, i, own)
                for m, g, p in plan
                for i in fragments
            ]
        )

    def _prefetch_one(self, month: str, g: str, p: str, index: int, own: str) -> None:
        if month == own:
            if self.page.month.strftime("%Y-%m") != own:
                return  # the page has moved to another month since the plan was made
            page = self.page
        else:
            page = self._month_page(month)
        view_renderers(page, self._figures)[index](g, p)

    def _month_page(self, month: str):
        page = self._month_pages.get(month)
        if page is None:
            page = self._month_pages[month] = self.page_for_month(month)
        return page

    def prefetch(self, views, stop=None) -> float:
        """Render ``views`` ((geography, period) pairs) into the page's cache now; return seconds.

        Runs in the caller's thread (tests, :mod:`helpers.pack.timing`); stops early if ``stop``
        (a :class:`threading.Event`) is set.
        """
        t0 = time.perf_counter()
        for g, p in views:
            if stop is not None and stop.is_set():
                break
            for render in view_renderers(self.page):
                render(g, p)
        return time.perf_counter() - t0

    def close(self) -> None:
        """Stop the worker and stop listening to the shell (the widgets stay as they are)."""
        self.worker.close()
        if self._shell is not None:
            with contextlib.suppress(ValueError):
                self._shell.events.unregister("post_run_cell", self._after_cell)
            self._shell = None


def _ipython():
    """The running IPython shell, or None (plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def _rendered(render: Callable[[], str]) -> str:
    """``render()``, or a visible note naming the error (a view never stays "Drawing…")."""
    try:
        return render()
    except Exception as exc:  # noqa: BLE001  (shown to the analyst, who can re-run the cell)
        return (
            '<div class="ppw-warning">This view could not be drawn: '
            f"{html_lib.escape(type(exc).__name__)}: {html_lib.escape(str(exc))}</div>"
        )


def _status(text: str) -> str:
    return f'<span style="color:#555;font-size:12px">{html_lib.escape(text)}</span>'


def _show(out: w.Output, html: str) -> None:
    # Setting outputs directly (rather than ``with out: display(...)``) works with or without a
    # running kernel, so the bar can be tested and timed from plain Python.
    out.outputs = ({"output_type": "display_data", "data": {"text/html": html}, "metadata": {}},)


def output_html(out: w.Output) -> str:
    """The HTML an Output currently shows (tests)."""
    return "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)
