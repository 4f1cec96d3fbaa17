"""How long an analyst waits for a view: page re-renders and the filter bar, timed (``make bench``).

Timing code kept apart from what it times: :mod:`helpers.render.widgets` and :mod:`helpers.pages.report` do
not import it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable

from ..pages import report
from ..render.widgets import FilterBar


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
        geos = [name for _, name in page.hierarchy.options()]
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
