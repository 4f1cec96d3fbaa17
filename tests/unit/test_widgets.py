"""The analysts' filter bar: builds, re-renders in place when a drop-down changes, times itself."""

from __future__ import annotations

import statistics
import time

import ipywidgets as w
import pytest
from support.frames import synthetic_extracts

from helpers.pack import timing
from helpers.pages import report
from helpers.render import widgets


@pytest.fixture(scope="module")
def cube():
    from helpers.measures.cube import build_cube

    return build_cube(synthetic_extracts(per_month=40))


@pytest.fixture
def page(cube, monkeypatch):
    """A page of area 6; every filter bar a test makes is closed after it, its worker's task in
    flight finished (a bar left prefetching would draw, in its own rc_context, during the next
    test: matplotlib's style is one per process)."""
    report.clear_caches()
    bars = []
    made = widgets.FilterBar.__init__

    def track(self, *args, **kwargs):
        made(self, *args, **kwargs)
        bars.append(self)

    monkeypatch.setattr(widgets.FilterBar, "__init__", track)
    yield report.AreaPage(6, month="2016-09", cube=cube)
    for bar in bars:
        bar.close()
        bar.worker.join(timeout=60)


def test_filter_bar_builds_with_grouped_geographies_periods_and_months(page):
    view = page.performance_information(interactive=True)
    assert isinstance(view, w.VBox)
    bar = page.filter_bar()
    labels = [label for label, _ in bar.geography.options]
    assert labels[0] == "Force"
    assert labels.index("North — LPA") < labels.index("Basildon — district")
    assert {v for _, v in bar.period.options} == {"rolling-12m", "fytd", "month"}
    assert ("Sep 2016", "2016-09") in bar.month.options


def test_changing_the_geography_re_renders_every_view_in_place(page):
    table = page.performance_information(interactive=True).children[1]
    chart = page.management_information("asb_by_month", interactive=True)
    assert "Basildon" not in widgets.output_html(table)
    page.filter_bar().geography.value = "Basildon"
    page.filter_bar().wait()
    assert page.geography == "Basildon"
    assert "Basildon" in widgets.output_html(table)
    assert "Basildon" in widgets.output_html(chart)
    assert page.filter_bar().timings_ms, "the re-render was timed"


def test_changing_period_and_month_re_renders(page):
    table = page.performance_information(interactive=True).children[1]
    bar = page.filter_bar()
    bar.period.value = "fytd"
    assert "Cumulative This Year" in widgets.output_html(table)
    bar.month.value = "2016-06"
    assert "Data to Jun 2016" in widgets.output_html(table)


def test_the_bar_is_shown_once_per_page(page):
    first = page.performance_information(interactive=True)
    again = page.performance_information(interactive=True)
    assert isinstance(first, w.VBox) and isinstance(again, w.Output)


def test_uncached_charts_are_drawn_after_the_table_and_arrive(page):
    table = page.performance_information(interactive=True).children[1]
    chart = page.management_information("asb_by_month", interactive=True)
    bar = page.filter_bar()
    bar.geography.value = "Harlow"
    assert "Harlow" in widgets.output_html(table)  # at once
    bar.wait()
    assert "Harlow" in widgets.output_html(chart) and "<img" in widgets.output_html(chart)
    assert bar.completion_ms and bar.completion_ms[-1] >= bar.timings_ms[-1]


def test_render_timings_returns_numbers(page):
    t = timing.render_timings(page, [("Force", "rolling-12m"), ("Basildon", "fytd")], repeat=2)
    assert t["views"] == 2 and len(t["first_ms"]) == 2 and len(t["repeat_ms"]) == 2
    # the summary figures are those of the measured lists (not a constant or a different pass)
    assert t["median_ms"] == statistics.median(t["first_ms"])
    assert t["repeat_median_ms"] == statistics.median(t["repeat_ms"])
    assert max(t["first_ms"]) >= t["p95_ms"] >= t["median_ms"] >= min(t["first_ms"])
    assert all(isinstance(v, float) and v >= 0 for v in t["first_ms"] + t["repeat_ms"])
    # a view seen before comes from the cache (asserted on the cache, not on timings: those
    # depend on whatever else the machine is doing)
    cached = len(page.fragments)
    page.render_html("Basildon", "fytd")
    assert len(page.fragments) == cached


def test_prefetch_fills_the_cache_so_a_switch_is_instant(page):
    page.performance_information(interactive=True)
    bar = page.filter_bar()
    bar.prefetch([("Force", "fytd"), ("Colchester", "fytd")])
    before = set(page.fragments)
    assert any("Colchester" in k and "fytd" in k for k in before)  # the prefetch rendered it
    bar.period.value = "fytd"
    bar.geography.value = "Colchester"
    # Nothing new had to be rendered for Colchester/fytd. (The first change also starts the bar's
    # background prefetch of the other views, which may add their fragments meanwhile: count only
    # this view's.)
    added = [k for k in set(page.fragments) - before if "Colchester" in k and "fytd" in k]
    assert added == []


def test_live_views_use_the_packs_palette_png(page):
    """Palette PNGs: a third of the bytes to send and decode, and the pack's chart cache entries."""
    assert page.compact is True
    page.filter_bar()
    assert page.compact is True


# ---- the worker: the next views while idle, nothing while a cell runs -----------------------


class FakeShell:
    """What the bar uses of an IPython shell: its events (IPython's own class)."""

    def __init__(self):
        from IPython.core.events import EventManager, available_events

        self.events = EventManager(self, available_events)


def area_views(page, bar):
    """The views a notebook registers: the table, then each item."""
    bar.add_view(lambda: page.table_html())
    for it in page.items:
        bar.add_view(lambda k=it.key: page.item_html(k), ready=lambda k=it.key: page.item_cached(k))


def test_the_plan_puts_the_likeliest_next_views_first(page):
    bar = page.filter_bar()
    plan = bar.prefetch_plan()
    geos = [v for _, v in bar.geography.options]
    assert plan[: len(geos)] == [("2016-09", g, "rolling-12m") for g in geos]
    # then this place and period in the nearest months (Sep 2016 is the data's last: the two
    # months before), ahead of every other period
    assert bar.month.options[0][1] == "2016-09"
    assert plan[len(geos) : len(geos) + 2] == [
        ("2016-08", "Force", "rolling-12m"),
        ("2016-07", "Force", "rolling-12m"),
    ]
    assert ("2016-09", "Colchester", "fytd") in plan and len(plan) == len(set(plan))
    assert len({m for m, _, _ in plan}) == 1 + bar.months_ahead


def test_no_chart_is_drawn_while_a_cell_runs_and_matplotlib_style_is_left_alone(page):
    import matplotlib as mpl

    outside = dict(mpl.rcParams)
    shell = FakeShell()
    bar = widgets.FilterBar(page, shell=shell, quiet_s=0.0)
    area_views(page, bar)
    shell.events.trigger("post_run_cell", None)  # the notebook has run: prefetching starts
    deadline = time.monotonic() + 30
    while bar.worker.background_done < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bar.worker.background_done >= 3
    shell.events.trigger("pre_run_cell", None)  # the analyst runs a cell of their own
    done = bar.worker.background_done
    for _ in range(25):
        assert dict(mpl.rcParams) == outside, "a chart's style leaked into the running cell"
        time.sleep(0.02)
    assert bar.worker.background_done == done
    shell.events.trigger("post_run_cell", None)
    deadline = time.monotonic() + 30
    while bar.worker.background_done == done and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bar.worker.background_done > done  # and it carries on once the cell has ended
    bar.close()


def test_a_change_made_by_a_cell_draws_its_charts_when_the_cell_waits(page):
    shell = FakeShell()
    bar = widgets.FilterBar(page, shell=shell, prefetch=False)
    area_views(page, bar)
    shell.events.trigger("pre_run_cell", None)
    bar.geography.value = "Maldon"  # the worker is held for the cell: wait() draws them here
    t0 = time.monotonic()
    bar.wait(timeout=30)
    assert time.monotonic() - t0 < 30
    charts = [widgets.output_html(out) for out, _, _ in bar.views[1:]]
    assert not any(widgets.DRAWING in c for c in charts)
    assert "Maldon" in widgets.output_html(bar.views[1][0])
    shell.events.trigger("post_run_cell", None)
    bar.close()


def test_a_month_prefetched_on_its_own_page_shows_at_once(page):
    bar = widgets.FilterBar(page, page_for_month=page.for_month, shell=None, quiet_s=0.0)
    area_views(page, bar)
    bar.prefetch_plan = lambda: [("2016-08", "Force", "rolling-12m")]
    bar.start_prefetch()
    assert bar.worker.join(60)
    assert not any("2016-08" in key for key in page.fragments)  # rendered on the month's page
    bar.auto_prefetch = False
    bar.month.value = "2016-08"
    assert bar.completion_ms[-1] == bar.timings_ms[-1], "nothing was left to draw"
    assert "Data to Aug 2016" in widgets.output_html(bar.views[0][0])
    assert "Drawing" not in "".join(widgets.output_html(out) for out, _, _ in bar.views)


def test_a_view_that_fails_says_so_instead_of_drawing_forever(page):
    bar = widgets.FilterBar(page, shell=None, prefetch=False)
    state = {"fail": False}

    def render():
        if state["fail"]:
            raise RuntimeError("no such series")
        return "<p>chart</p>"

    out = bar.add_view(render, ready=lambda: False)
    state["fail"] = True
    bar.geography.value = "Harlow"
    bar.wait()
    assert "could not be drawn: RuntimeError: no such series" in widgets.output_html(out)


def test_the_master_prefetches_a_month_on_its_own_page_and_shows_it_at_once(
    page, cube, monkeypatch
):
    drawn = []
    districts_of = report.MasterPage._districts

    def counted(self, period):
        drawn.append((str(self.month), period))
        return districts_of(self, period)

    monkeypatch.setattr(report.MasterPage, "_districts", counted)
    master = report.MasterPage(month="2016-09", cube=cube)
    bar = master.filter_bar()
    master.scorecard(interactive=True)  # the bar and the scorecard; then the districts' view
    districts = master.district_comparison(interactive=True)
    bar.prefetch_plan = lambda: [("2016-08", "Force", "rolling-12m")]
    bar.start_prefetch()
    assert bar.worker.join(60)
    assert ("2016-08", "rolling-12m") in drawn  # drawn while idle, on the month's own page
    assert not any("2016-08" in str(key) for key in master.fragments)
    bar.auto_prefetch = False
    before = len(drawn)
    bar.month.value = "2016-08"
    assert len(drawn) == before, "the month's districts were drawn again"
    assert "Key measures by district, Sep 2015 – Aug 2016" in widgets.output_html(districts)
