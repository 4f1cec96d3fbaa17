"""The master's executive summary, on the demo force: it says what the tables say.

For every geography and period of the demo pack, the measures the summary calls statistically
significant are exactly the tables' starred rows and the exceptions list's significant rows; a
measure is listed once; the summary lists every concern and improvement of the exceptions.
"""

from __future__ import annotations

import re

import pytest

from helpers.config import DEMO_DATA_DIR
from helpers.pages import report


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


def test_summary_significance_equals_the_tables_stars_and_the_exceptions(master):
    checked = 0
    for g, p in _views(master):
        card = master.scorecard_frame(g, p)
        shown = card[(card["available"] == True) & (card["suppressed"] != True)]  # noqa: E712
        stars = set(shown.loc[shown["significant"].map(lambda v: v is True), "measure_id"])
        data = master.summary_input(g, p)
        summary_sig = {f.measure_id for f in data.findings if f.significant}
        master.geography, master.period = g, p
        exc = master.exceptions_frame()
        exc_sig = set(exc.loc[exc["significant"], "measure_id"])
        assert summary_sig == stars == exc_sig, (g, p)
        # the rendered summary calls exactly those significant, once each
        from helpers.pages.summary import MOST_LISTED

        listed = [f for f in data.findings if f.kind == "concern"][:MOST_LISTED] + [
            f for f in data.findings if f.kind == "improvement"
        ][:MOST_LISTED]
        html = master.summary_html(g, p)
        assert html.count("(statistically significant)") == sum(f.significant for f in listed)
        checked += len(stars)
    master.geography, master.period = "Force", "rolling-12m"
    assert checked > 0, "no view of the demo pack has a significant change: the test checks nothing"


def test_each_measure_is_listed_once_with_one_set_of_figures(master):
    exc = master.exceptions_frame()
    assert not exc["measure_id"].duplicated().any()
    # "Action taken" is both significant and special cause in the demo force: one row, two reasons
    action = exc[exc["measure_id"] == "satisfaction_actions"]
    assert len(action) == 1
    why = action["Why"].item()
    assert "statistically significant" in why and "special cause" in why


def test_summary_lists_the_exceptions_concerns_and_improvements(master):
    for g in ("Force", "North", "Colchester"):
        data = master.summary_input(g, "rolling-12m")
        master.geography = g
        exc = master.exceptions_frame()
        assert [f.measure_id for f in data.findings] == list(exc["measure_id"])
        counts = re.search(
            r"(\d+) concerns? and (\d+) improvements?", master.summary_html(g, "rolling-12m")
        )
        assert counts, g
        assert int(counts[1]) == int((exc["kind"] == "concern").sum())
        assert int(counts[2]) == int((exc["kind"] == "improvement").sum())
    master.geography = "Force"


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
    html = master.summary_html("Force", "rolling-12m")
    assert "two-proportion test" in html and "usual range" in html
    # re-offending is lagged six months and the drug tests end in March 2015 in the demo data
    assert "As at." in html and "Mar 2015" in html
    assert "Most Similar Group ranks" in html
