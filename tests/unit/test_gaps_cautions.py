"""Reader-facing details of issue 17: the March 2014 gaps, SPC charts in words, stale sources
flagged where their figures appear, and a caution on changes that rest on few records.

The pack's own months (September 2016, March 2014) on the demo force, where the gaps were seen,
and small synthetic cubes for the rules themselves.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from support.frames import synthetic_extracts

from helpers import config
from helpers.analysis import caution
from helpers.config import DEMO_DATA_DIR, ConfigError, ForceConfig
from helpers.measures.cube import build_cube
from helpers.pages import coverage, report, rows, sections
from helpers.pages.areas import domestic_abuse
from helpers.render import charts, spc_words
from helpers.render.spc_charts import spc_chart, too_few_for_limits
from helpers.spc import MIN_POINTS_FOR_LIMITS, xmr

needs_demo = pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(), reason="data/demo not generated"
)


@pytest.fixture(autouse=True)
def _fresh_fragments():
    report.clear_caches()
    yield
    report.clear_caches()


def monthly(values, start="2013-04"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


def demo_context(area: int, month: str, geography: str = "Force"):
    """A context of the demo pack's page, drawing every chart (no chart cache)."""
    ctx = report.AreaPage(area, month=month, data_dir="data/demo").context(geography)
    ctx.chart_cache = None
    return ctx


def captions(html: str) -> list[str]:
    return re.findall(r"<figcaption>(.*?)</figcaption>", html, flags=re.S)


# ------------------------------------------------------------------- the March 2014 gaps


@needs_demo
@pytest.mark.parametrize("area", range(1, 9))
def test_march_2014_area_pages_draw_no_empty_chart(monkeypatch, area):
    """No item of the March 2014 pack draws a chart with nothing on it: a measure family that
    does not exist for the month shows what the month has, or one plain sentence."""
    empty = []
    original = {name: getattr(charts, name) for name in ("no_data_figure", "line_chart")}

    def no_data_figure(title, message):
        empty.append(title)
        return original["no_data_figure"](title, message)

    def line_chart(df, **kw):
        if len(df) == 0 or df["value"].notna().sum() == 0:
            empty.append(kw.get("title"))
        return original["line_chart"](df, **kw)

    monkeypatch.setattr(charts, "no_data_figure", no_data_figure)
    monkeypatch.setattr(charts, "line_chart", line_chart)
    ctx = demo_context(area, "2014-03")
    html = "".join(sections.render_item(it, ctx) for it in sections.items_for(area))
    assert empty == []
    assert "start in April 2016" not in html


@needs_demo
def test_march_2014_repeat_chart_shows_the_repeat_incidents_of_its_own_definition():
    ctx = demo_context(1, "2014-03")
    html = sections.render_item(sections.item("da_repeat_victims"), ctx)
    assert html.count("data:image/png;base64") == 1
    (caption,) = captions(html)
    assert "earlier in the same financial year" in caption
    # what it draws is the table's 13,689: the months of the financial year add up to it
    series = ctx.series("da_repeat_incidents_fy", months=24)
    assert list(series["month"]) == list(pd.period_range("2013-04", "2014-03", freq="M"))
    w = ctx.window_for(domestic_abuse.measure("da_repeat_incidents_fy"))
    assert series["value"].sum() == ctx.number("da_repeat_incidents_fy", w) == 13689


def test_a_month_without_repeat_figures_reads_one_sentence_not_an_empty_chart():
    cube = build_cube(synthetic_extracts(per_month=10))  # no victim ids: no repeat measure
    ctx = sections.Context(cube, pd.Period("2014-03", "M"), "rolling-12m", chart_cache=None,
                           hierarchy=cube.hierarchy)  # fmt: skip
    html = domestic_abuse.da_repeat_victims(ctx)
    assert "<img" not in html and "<figure" not in html
    assert "No repeat domestic abuse figures for the force" in html


@needs_demo
def test_march_2014_domestic_abuse_charts_are_run_charts_and_say_why():
    """Twelve months since the national definition (April 2013): too few for limits, so the
    chart is a run chart, labelled as such in its caption and its legend."""
    ctx = demo_context(1, "2014-03")
    html = sections.render_item(sections.item("da_by_month"), ctx)
    cap = captions(html)
    assert len(cap) == 2
    for text in cap:
        assert text.startswith("Run chart of domestic abuse")
        assert f"too few months for control limits (12 of {MIN_POINTS_FOR_LIMITS})" in text
        assert "Statistical process control" not in text
    # September 2016 has the months: an SPC chart with limits
    html = sections.render_item(sections.item("da_by_month"), demo_context(1, "2016-09"))
    assert all(c.startswith("Statistical process control (SPC) chart") for c in captions(html))


def test_a_chart_with_too_few_points_for_limits_is_labelled_in_its_legend():
    frame = xmr(monthly([10, 12, 11, 13] * 3))
    assert too_few_for_limits(frame) == (12, MIN_POINTS_FOR_LIMITS)
    fig = spc_chart(frame, title="t", unit_label="u")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "No process limits:\ntoo few months\n(12 of 13)" in labels
    assert "Process limits" not in labels
    full = xmr(monthly([10, 12, 11, 13] * 4))
    assert too_few_for_limits(full) is None
    labels = [
        t.get_text() for t in spc_chart(full, title="t", unit_label="u").legends[0].get_texts()
    ]
    assert "Process limits" in labels and not any("No process limits" in t for t in labels)


@needs_demo
def test_the_solved_rate_starts_when_the_extract_holds_the_crimes_its_outcomes_belong_to():
    """The demo extracts start in April 2011; a solved outcome comes up to months after its
    crime, so April 2011 counted only the outcomes of April's own crimes (11.6 % against about
    27 %). The series now starts once the months before are in the extract."""
    ctx = demo_context(6, "2014-03")
    s = ctx.series("solved_rate", months=48)
    first = s["month"].iloc[0]
    assert first > pd.Period("2011-04", "M")
    frame = xmr(s.set_index("month")["value"])
    head = s["value"].iloc[0]
    assert frame["lower_limit"].iloc[0] < head < frame["upper_limit"].iloc[0]
    # the figures of the published months are unchanged (their windows start after it)
    assert ctx.cube.value(
        "solved_rate", ctx.window_for(domestic_abuse.measure("solved_rate")).last_year()
    ).available


# ------------------------------------------------------------------- the SPC icons in words


def test_icon_words_say_the_icon_is_about_the_latest_month_and_count_the_colours():
    # a shift above the mean early on, then common cause to the end: blue points, grey icon
    values = [10, 11, 10, 11, 10, 11] + [14, 15, 14, 15, 14, 15, 14] + [12, 13, 12, 11, 12, 13]
    frame = xmr(monthly(values), polarity="higher_better")
    assert frame["point_type"].iloc[-1] == "common_cause"
    words = spc_words.icon_words(frame)
    assert words.startswith("Latest month: no significant change")
    blue = int((frame["point_type"] == "improvement").sum())
    assert blue > 0 and f"{blue} blue (improvement)" in words
    assert "about the latest month only" in words


def test_icon_words_name_a_special_cause_and_a_target():
    values = [10, 12, 11, 13] * 3 + [10] + [12, 13] * 4
    frame = xmr(monthly(values), polarity="lower_better", fix_after_n_points=12, target=11.5)
    words = spc_words.icon_words(frame)
    assert words.startswith("Latest month: special cause of concern, 8 points above the mean")
    assert "(the orange H icon)" in words
    assert "the ? icon means the target will be met in some months and missed in others" in words


# ------------------------------------------------------------------- stale sources


class _Cube:
    data_to = {
        "crimes": pd.Period("2016-09", "M"),
        "drug_tests": pd.Period("2015-03", "M"),
        "satisfaction": pd.Period("2016-07", "M"),
        "calls": None,
    }


def test_stale_is_more_than_the_allowed_months_behind_the_month_the_figure_is_for():
    cube = _Cube()
    stale = coverage.stale_sources(
        cube, "2016-09", ["crimes", "drug_tests", "satisfaction", "calls"]
    )
    assert stale == {"drug_tests": pd.Period("2015-03", "M")}  # two months behind is not stale
    assert coverage.stale_sources(cube, "2016-10", ["satisfaction"]) == {
        "satisfaction": pd.Period("2016-07", "M")
    }
    # a declared lag is not staleness: a figure six months in arrears needs data to March only
    assert coverage.stale_sources(cube, "2016-09", ["satisfaction"], lag=6) == {}
    assert coverage.data_to_label(stale) == "data to Mar 2015"
    assert coverage.stale_text(stale, "2016-09").startswith(
        "Drug tests on arrest: data to Mar 2015, 18 months before September 2016"
    )
    assert coverage.data_to_label({}) is None and coverage.stale_text({}, "2016-09") == ""


@needs_demo
def test_september_2016_drug_tests_row_and_chart_carry_their_data_to_flag():
    page = report.AreaPage(4, month="2016-09", data_dir="data/demo")
    frame = rows.performance_rows(page.cube, 4, "2016-09", "rolling-12m", "Basildon")
    flagged = frame.set_index("measure_id")
    assert flagged.loc["drug_test_positive", "data_to"] == "data to Mar 2015"
    assert flagged["data_to"].drop("drug_test_positive").isna().all()
    table = page.table_html("Basildon", "rolling-12m")
    row = re.search(r"<tr[^>]*>.{0,200}% Positive for drug testing on arrest.*?</tr>", table).group(
        0
    )
    assert "(data to Mar 2015)" in row
    assert "Drug tests on arrest: data to Mar 2015, 18 months before September 2016" in table
    html = sections.render_item(sections.item("drug_tests"), demo_context(4, "2016-09"))
    assert all(c.startswith("<b>Data to Mar 2015</b>") for c in captions(html))
    scorecard = report.MasterPage(month="2016-09", data_dir="data/demo").scorecard_html(
        "Force", "rolling-12m"
    )
    assert (
        "% Positive for drug testing on arrest <span" in scorecard
        and "(data to Mar 2015)" in scorecard
    )


@needs_demo
def test_march_2014_flags_no_source_as_stale():
    page = report.AreaPage(4, month="2014-03", data_dir="data/demo")
    assert "ppw-stale" not in page.table_html()
    html = sections.render_item(sections.item("drug_tests"), demo_context(4, "2014-03"))
    assert "Data to" not in html


# ------------------------------------------------------------------- few records


def test_a_change_rests_on_few_records_when_a_count_of_either_year_is_below_the_threshold():
    assert caution.rests_on_few("count", [{"numerator": 6}, {"numerator": 2}], 30)
    assert not caution.rests_on_few("count", [{"numerator": 30}, {"numerator": 31}], 30)
    # a rate rests on both its parts; an average on the number it is taken over
    assert caution.rests_on_few(
        "percent",
        [{"numerator": 12, "denominator": 400}, {"numerator": 40, "denominator": 400}],
        30,
    )
    assert caution.rests_on_few("minutes", [{"numerator": 900, "denominator": 20}], 30)
    assert not caution.rests_on_few("minutes", [{"numerator": 9, "denominator": 200}], 30)
    assert not caution.rests_on_few("money", [{"numerator": 1, "denominator": 2}], 30)
    assert not caution.rests_on_few("count", [{"numerator": 2}], None)
    assert not caution.rests_on_few("count", [{"numerator": None}, {"numerator": float("nan")}], 30)


def test_caution_below_is_a_force_setting_with_a_default():
    assert ForceConfig().caution_below == 30
    required = {"force_name": "F", "short_name": "F", "protective_marking": "OFFICIAL",
                "suppress_below": None}  # fmt: skip
    assert ForceConfig.from_mapping(required).caution_below == 30
    assert ForceConfig.from_mapping({**required, "caution_below": 50}).caution_below == 50
    assert ForceConfig.from_mapping({**required, "caution_below": None}).caution_below is None
    with pytest.raises(ConfigError, match="'caution_below' must be a count"):
        ForceConfig.from_mapping({**required, "caution_below": -1})
    with pytest.raises(ConfigError, match="caution_below"):
        ForceConfig.from_mapping({**required, "caution_below": "thirty"})
    assert config.read_force_config(config.FORCE_CONFIG_FILE).caution_below == 30


@pytest.fixture(scope="module")
def tiny_cube():
    """A few crimes a month in each district: every district's year is a handful of records."""
    return build_cube(synthetic_extracts(per_month=15))


def _change_cells(html: str, district: str) -> list[str]:
    row = re.search(rf"<tr><td class=\"ppw-label\">{district}</td>(.*?)</tr>", html).group(1)
    return re.findall(r'<td class="ppw-change[^"]*".*?</td>', row)


def test_a_tiny_count_district_change_carries_the_caution_mark_and_its_legend(
    monkeypatch, tiny_cube
):
    ctx = sections.Context(tiny_cube, pd.Period("2016-09", "M"), "rolling-12m", chart_cache=None,
                           hierarchy=tiny_cube.hierarchy)  # fmt: skip
    district = ctx.districts()[0]
    ly, ty = ctx.pair("all_crime", geography=district)
    assert ly < 30 and ty < 30  # what the test is about: a district's handful of crimes
    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(caution_below=30))
    html = sections.district_table_html(ctx, [("all_crime", "All crime")])
    (cell,) = _change_cells(html, district)
    assert caution.MARK in cell and "based on fewer than 30 records" in cell
    assert "‡ based on fewer than 30 records in a year compared" in html
    # the force's thousands of crimes carry no mark
    force = re.search(r"<b>Force</b></td>(.*?)</tr>", html).group(1)
    assert caution.MARK not in force

    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(caution_below=None))
    html = sections.district_table_html(ctx, [("all_crime", "All crime")])
    assert caution.MARK not in html


def test_a_tiny_count_change_in_an_area_table_carries_the_caution(monkeypatch, tiny_cube):
    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(caution_below=30))
    district = tiny_cube.hierarchy.districts()[0]
    frame = rows.performance_rows(tiny_cube, 6, "2016-09", "rolling-12m", district)
    row = frame.set_index("measure_id").loc["all_crime"]
    assert row["change"] is not None and row["caution"] == 30
    html = report.AreaPage(6, month="2016-09", cube=tiny_cube).table_html(district, "rolling-12m")
    line = re.search(
        r"<tr[^>]*><td class=\"ppw-label\">The number of all crime offences.*?</tr>", html
    )
    assert caution.MARK in line.group(0)
    assert "‡ based on fewer than 30 records" in html
    # the same rule under disclosure control (rows made as frames, counts read from the cube):
    # every published district change rests on fewer than 1,000 crimes a year here
    cube = build_cube(synthetic_extracts())
    monkeypatch.setattr(config, "force_config",
                        lambda: ForceConfig(caution_below=1000, suppress_below=1))  # fmt: skip
    published = []
    for d in cube.hierarchy.districts():
        row = rows.performance_rows(cube, 6, "2016-09", "rolling-12m", d)
        row = row.set_index("measure_id").loc["all_crime"]
        if not row["suppressed"]:
            published.append(row["caution"])
    assert published and set(published) == {1000}
