"""Exploring beyond the page: any measure as an SPC chart anywhere, the frame behind each chart,
the districts ranked with significance, and the explorer's drop-downs."""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd
import pytest
from support.frames import districts, synthetic_extracts

from helpers.analysis import significance
from helpers.contract.catalog import measure
from helpers.pages import explore, report
from helpers.periods import window
from helpers.render import widgets

SURVEY_MONTHS = pd.period_range("2012-04", "2016-09", freq="M")
#: The district whose satisfaction rises sharply this year (significant under the pack's test).
RISING = "Basildon"


def satisfaction_extract(seed: int = 3) -> pd.DataFrame:
    """Ten responses a district a month; Basildon's satisfied share jumps from Oct 2015."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in districts()["district"]:
        for m in SURVEY_MONTHS:
            rising = d == RISING and m >= pd.Period("2015-10", freq="M")
            p = [0.97, 0.02, 0.01] if rising else [0.7, 0.2, 0.1]
            for i, answer in enumerate(
                rng.choice(["satisfied", "dissatisfied", "neither"], 10, p=p)
            ):
                rows.append(
                    {
                        "response_id": f"{d[:3]}{m}{i}",
                        "survey_date": pd.Timestamp(m.year, m.month, 1 + i),
                        "crime_group": "burglary",
                        "ethnicity_group": "White",
                        "district": d,
                        "q_contact": None,
                        "q_actions": None,
                        "q_follow_up": None,
                        "q_treatment": None,
                        "q_overall": answer,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def cube():
    from helpers.measures.cube import build_cube

    extracts = synthetic_extracts(per_month=40)
    extracts["satisfaction"] = satisfaction_extract()
    return build_cube(extracts)


@pytest.fixture
def page(cube):
    report.clear_caches()
    return report.AreaPage(6, month="2016-09", cube=cube)


# ---- any measure as an SPC chart, for any place -------------------------------------------


def test_a_measure_the_page_does_not_chart_drawn_for_a_district(page):
    assert "satisfaction_overall" not in page.measure_ids()
    out = page.explore_spc("satisfaction_overall", "Colchester").data
    assert "Satisfaction" in out and "Colchester" in out
    assert "<img" in out and "process control" in out


def test_explore_spc_errors_name_the_problem(page):
    with pytest.raises(KeyError, match="did you mean all_crime"):
        page.explore_spc("all_crimes")
    with pytest.raises(ValueError, match="unknown geography 'Colchster'.*did you mean Colchester"):
        page.explore_spc("all_crime", "Colchster")
    with pytest.raises(ValueError, match="not kept at district level.*only: force"):
        page.explore_spc("confidence_dealing", "Colchester")


# ---- the data frame behind every chart ----------------------------------------------------


def test_chart_data_is_the_frame_the_chart_is_drawn_from(page, cube):
    frame = page.chart_data("all_crime_spc", "Colchester")
    assert frame.attrs["title"].startswith("All crime by month — Colchester")
    assert len(frame.attrs["charts"]) == 2  # the SPC chart, then its seasonal pattern
    assert {"value", "mean"} <= set(frame.columns)
    # each month's value is Colchester's count in the cube for that month
    for month in frame.index[-3:]:
        expected = cube.value(
            "all_crime", window("month", pd.Period(month, freq="M")), "Colchester"
        )
        assert frame.loc[month, "value"] == expected.value
    seasonal = page.chart_data("all_crime_spc", "Colchester", chart=1)
    assert len(seasonal) == 12


def test_chart_data_renders_without_drawing(page, monkeypatch):
    from helpers.render import chart_cache

    def refuse(*args, **kwargs):
        raise AssertionError("chart_data drew a chart")

    monkeypatch.setattr(chart_cache.ChartCache, "image_html", refuse)
    assert page.chart_frames("asb_by_month", "Harlow")


def test_chart_data_errors(page):
    with pytest.raises(KeyError, match="not an item of this page; its items: all_crime_spc"):
        page.chart_data("no_such_item")
    with pytest.raises(LookupError, match="draws no chart"):
        page.chart_data("district_table")
    with pytest.raises(IndexError, match="draws 1 chart"):
        page.chart_data("asb_by_month", chart=3)


# ---- the districts side by side -------------------------------------------------------------


def test_compare_districts_ranks_every_district_best_first(page, cube):
    frame = page.compare_districts("all_crime", "fytd")
    assert sorted(frame["district"]) == sorted(districts()["district"])
    assert list(frame["rank"]) == sorted(frame["rank"])
    # lower is better for crime: rank 1 has the fewest this year, and each is the cube's figure
    assert frame["this_year"].iloc[0] == frame["this_year"].min()
    w_ = window("fytd", pd.Period("2016-09", freq="M"))
    for r in frame.itertuples():
        assert r.this_year == cube.value("all_crime", w_, r.district).value
    assert frame["significant"].isna().all()  # counts have no significance test
    assert frame.attrs["significance"].startswith("none")
    assert "lowest first" in frame.attrs["ranked_by"]


def test_compare_districts_tests_survey_rates_with_the_packs_rule(page, cube):
    frame = page.compare_districts("satisfaction_overall", "rolling-12m")
    assert frame.attrs["significance"] == significance.rule_text(cube)
    m = measure("satisfaction_overall")
    this_w = window(m.window_kind("rolling-12m"), pd.Period("2016-09", freq="M"), lag=m.lag)
    for r in frame.itertuples():
        this = cube.value(m.id, this_w, r.district)
        last = cube.value(m.id, this_w.last_year(), r.district)
        expected = significance.significant(
            last.numerator, last.denominator, this.numerator, this.denominator
        )
        assert r.significant == expected, r.district
    rising = frame.set_index("district").loc[RISING]
    assert rising["significant"] and rising["rank"] == 1  # higher is better: the riser leads
    assert (~frame["significant"]).sum() >= 5


def test_compare_districts_of_one_lpa_and_errors(page):
    north = page.compare_districts("all_crime", lpa="North")
    assert set(north["lpa"]) == {"North"} and len(north) == len(page.hierarchy.districts("North"))
    with pytest.raises(ValueError, match="not kept by district"):
        page.compare_districts("confidence_dealing")
    with pytest.raises(ValueError, match="unknown LPA 'Nowhere'"):
        page.compare_districts("all_crime", lpa="Nowhere")


def test_a_withheld_district_is_blank_and_unranked(page, monkeypatch):
    from helpers.analysis import disclosure

    monkeypatch.setattr(
        disclosure, "is_withheld", lambda cube, mid, month, geography, *a: geography == "Harlow"
    )
    frame = page.compare_districts("all_crime")
    harlow = frame.set_index("district").loc["Harlow"]
    assert pd.isna(harlow["this_year"]) and pd.isna(harlow["rank"]) and harlow["withheld"]
    assert frame["district"].iloc[-1] == "Harlow"
    assert "[c]" in explore.compare_districts_html(frame)


# ---- the explorer ---------------------------------------------------------------------------


def test_the_explorer_redraws_for_the_measure_and_place_picked(page):
    box = page.explorer(interactive=True)
    assert isinstance(box, w.VBox)
    pick_measure, pick_place = box.children[0].children
    out = box.children[1]
    assert "by month — the force" in widgets.output_html(out)
    pick_place.value = "Thurrock"
    assert "by month — Thurrock" in widgets.output_html(out)
    pick_measure.value = "satisfaction_overall"
    shown = widgets.output_html(out)
    assert "Thurrock" in shown and "Satisfaction" in shown and "by district" in shown
    pick_measure.value = "confidence_dealing"  # force only: said so, not an empty chart
    assert "not kept at district level" in widgets.output_html(out)


def test_the_pack_gets_a_line_not_the_explorer(page):
    assert page.explorer(interactive=False).data == explore.PACK_NOTE
