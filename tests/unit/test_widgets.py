"""The analysts' filter bar: builds, re-renders in place when a drop-down changes, times itself."""

from __future__ import annotations

import statistics

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
def page(cube):
    report.clear_caches()
    return report.AreaPage(6, month="2016-09", cube=cube)


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


def test_live_views_use_fast_png_and_the_pack_uses_palette_png(page):
    assert page.compact is True
    page.filter_bar()
    assert page.compact is False
