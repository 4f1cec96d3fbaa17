"""The master's executive summary, on the demo force: it says what the tables say.

For every geography and period of the demo pack, the measures the summary calls statistically
significant are exactly the tables' starred rows and the exceptions list's significant rows; a
measure is listed once; the summary lists every concern and improvement of the exceptions.
"""

from __future__ import annotations

import html
import re

import pytest

from helpers.analysis import significance
from helpers.config import DEMO_DATA_DIR
from helpers.contract.catalog import AREAS
from helpers.pages import report
from helpers.pages.summary import MOST_LISTED


@pytest.fixture(scope="module")
def master():
    if not (DEMO_DATA_DIR / ".complete").exists():
        pytest.skip(
            f"{DEMO_DATA_DIR}/.complete is absent: build the demo data first (make data, or "
            "python -m helpers.sources.demo --out data/demo)"
        )
    return report.MasterPage(month="2016-09", data_dir=str(DEMO_DATA_DIR))


def _views(master):
    return [(g, p) for _, g in report.geography_options(master.cube) for p in master.view_periods()]


def _starred_labels(master, geography, period) -> list[str]:
    """The labels of the rows the area pages' tables star as significant, read from their HTML."""
    out = []
    for area in AREAS:
        page = report.AreaPage(
            area, month="2016-09", period=period, geography=geography, cube=master.cube
        )
        for row in re.findall(r"<tr>(.*?)</tr>", page.table_html(geography, period), re.S):
            if "ppw-sig" in row:
                label = re.search(r'<td class="ppw-label"[^>]*>(.*?)</td>', row, re.S)[1]
                out.append(html.unescape(re.sub(r"<[^>]+>", "", label)).strip())
    return out


@pytest.mark.parametrize(
    ("geography", "period"),
    [("Force", "rolling-12m"), ("Force", "fytd"), ("North", "rolling-12m"), ("Colchester", "fytd")],
)
def test_summary_significance_equals_the_area_tables_stars(master, geography, period):
    # read from the pages as a reader sees them: the area tables' "*" rows, the summary's and the
    # exceptions' wording
    starred = _starred_labels(master, geography, period)
    data = master.summary_input(geography, period)
    significant = [f.label for f in data.findings if f.significant]
    assert len(starred) == len(significant), (starred, significant)
    for label in significant:
        assert sum(s.startswith(label) for s in starred) == 1, (label, starred)
    exceptions = master.exceptions_html(geography, period)
    assert exceptions.count("a statistically significant change") == len(significant)
    listed = [f for f in data.findings if f.kind == "concern"][:MOST_LISTED] + [
        f for f in data.findings if f.kind == "improvement"
    ][:MOST_LISTED]
    summary = master.summary_html(geography, period)
    assert summary.count("(statistically significant)") == sum(f.significant for f in listed)


def test_every_view_agrees_with_its_scorecard_stars(master):
    checked = 0
    for g, p in _views(master):
        card = master.scorecard_frame(g, p)
        shown = card[(card["available"] == True) & (card["suppressed"] != True)]  # noqa: E712
        stars = set(shown.loc[shown["significant"].map(lambda v: v is True), "measure_id"])
        found = {f.measure_id for f in master.findings(g, p) if f.significant}
        exc = master.exceptions_frame(g, p)
        assert found == stars == set(exc.loc[exc["significant"], "measure_id"]), (g, p)
        checked += len(stars)
    assert checked > 0, "no view of the demo pack has a significant change: the test checks nothing"


def test_each_measure_is_listed_once_with_one_set_of_figures(master, two_proportion_rule):
    # "Action taken" is both significant (by the two-proportion test; not by the demo's rule, the
    # intervals' overlap) and special cause in the demo force: one row, two reasons
    exc = report.MasterPage(month="2016-09", cube=master.cube).exceptions_frame()
    assert not exc["measure_id"].duplicated().any()
    action = exc[exc["measure_id"] == "satisfaction_actions"]
    assert len(action) == 1
    why = action["Why"].item()
    assert "statistically significant" in why and "special cause" in why


def test_summary_lists_the_exceptions_concerns_and_improvements(master):
    for g in ("Force", "North", "Colchester"):
        data = master.summary_input(g, "rolling-12m")
        exc = master.exceptions_frame(g, "rolling-12m")
        assert [f.measure_id for f in data.findings] == list(exc["measure_id"])
        counts = re.search(
            r"(\d+) concerns? and (\d+) improvements?", master.summary_html(g, "rolling-12m")
        )
        assert counts, g
        assert int(counts[1]) == int((exc["kind"] == "concern").sum())
        assert int(counts[2]) == int((exc["kind"] == "improvement").sum())


def test_force_summary_scans_every_district(master):
    data = master.summary_input("Force", "rolling-12m")
    districts = [g for level, g in report.geography_options(master.cube) if level == "district"]
    assert sorted(data.districts) == sorted(districts)
    # "the same in k of 14 districts" counts the districts whose finding is the force's
    for f in data.findings:
        hits, of = data.same_in_districts[f.measure_id]
        assert of == len(districts)
        assert hits == sum(
            any(x.measure_id == f.measure_id and x.kind == f.kind for x in found)
            for found in data.districts.values()
        )
    lpa = master.summary_input("North", "rolling-12m")
    assert set(lpa.districts) == set(master.context("North").districts("North"))
    assert master.summary_input("Colchester", "rolling-12m").districts == {}


def test_summary_states_its_rules_and_as_at_dates(master):
    page = master.summary_html("Force", "rolling-12m")
    assert html.escape(significance.rule_sentence(master.cube)) in page and "usual range" in page
    # re-offending is lagged six months and the drug tests end in March 2015 in the demo data
    assert "As at." in page and "Mar 2015" in page
    assert "Most Similar Group ranks" in page
