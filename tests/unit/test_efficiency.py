"""Area 7 and the reader's words: savings against the plan on the page, sources by their names."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from support.frames import synthetic_extracts

from helpers.measures.cube import build_cube
from helpers.pages import report
from helpers.pages.areas import efficiency
from helpers.pages.context import Context


def savings_extract() -> pd.DataFrame:
    """2013/14 (£6.633m required): the plan rises to £6.633m by March, delivery to £6.704m;
    Feb 2014 is behind the plan (£6.000m against £6.252m)."""
    months = pd.period_range("2013-04", "2014-03", freq="M")
    plan = [round(6.633e6 * (0.35 + 0.65 * (i + 1) / 12), -3) for i in range(12)]
    plan[10], plan[11] = 6.252e6, 6.633e6
    delivered = [p * 1.01 for p in plan]
    delivered[10], delivered[11] = 6.0e6, 6.704e6
    return pd.DataFrame(
        {
            "month": [m.to_timestamp() for m in months],
            "requirement_gbp": 6.633e6,
            "planned_to_date_gbp": plan,
            "delivered_to_date_gbp": delivered,
        }
    )


@pytest.fixture(scope="module")
def cube():
    return build_cube({**synthetic_extracts(), "savings": savings_extract()})


@pytest.fixture(autouse=True)
def _fresh_fragments():
    report.clear_caches()
    yield
    report.clear_caches()


def test_march_2014_savings_read_as_ahead_of_plan_in_the_table(cube):
    html = report.AreaPage(7, month="2014-03", period="fytd", cube=cube).table_html()
    row = html.split("Savings delivered against plan</td>")[1].split("</tr>")[0]
    assert "Cumulative Plan" in html and "Last Year" not in html
    assert "<td>£6.633m</td><td>£6.704m</td>" in row
    assert "+£0.071m ▲" in row and "ppw-better" in row and "-4." not in row
    assert "Improved (+£0.323m)" in row  # +0.071 against the plan, -0.252 a month earlier
    assert "compared with the plan to date, not with last year" in html
    assert "requirement for 2013/14 £6.633m" in html


def test_the_chart_caption_quotes_the_tables_figures(cube):
    ctx = Context(cube, pd.Period("2014-03", "M"), "fytd", chart_cache=None)
    assert efficiency.savings_sentence(ctx) == (
        "By Mar 2014: £6.704m delivered against £6.633m planned, +£0.071m against the plan "
        "(ahead of it)."
    )
    feb = Context(cube, pd.Period("2014-02", "M"), "fytd", chart_cache=None)
    assert efficiency.savings_sentence(feb) == (
        "By Feb 2014: £6.000m delivered against £6.252m planned, -£0.252m against the plan "
        "(behind it)."
    )
    html = efficiency.savings(ctx)
    assert "+£0.071m against the plan" in html and "requirement for the year is £6.633m" in html
    assert "£-" not in html


def test_without_savings_data_the_caption_says_why(cube):
    ctx = Context(cube, pd.Period("2016-09", "M"), "fytd", chart_cache=None)
    assert efficiency.savings_sentence(ctx).startswith("By Sep 2016: no data for Sep 2016")


def test_the_data_availability_table_names_sources_as_a_reader_knows_them(cube):
    frame = report.MasterPage(month="2014-03", cube=cube).data_availability_frame()
    text = " ".join(frame[["Sources with data", "Sources missing"]].to_numpy().ravel())
    assert "offenders linked to crimes" in text  # crime_offenders is not in the folder
    assert "Most Similar Group peer figures" in text
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)


def test_the_years_requirements_since_the_plan_began_add_up_to_this_years_end():
    from helpers.analysis import plan
    from helpers.contract.catalog import measure

    second = savings_extract().assign(
        month=[m.to_timestamp() for m in pd.period_range("2014-04", "2015-03", freq="M")],
        requirement_gbp=5.0e6,
    )
    cube = build_cube({"savings": pd.concat([savings_extract(), second], ignore_index=True)})
    m = measure("savings_delivered")
    assert plan.requirements_since(cube, m, 2013, "2013-06") == pytest.approx(6.633)
    assert plan.requirements_since(cube, m, 2013, "2014-06") == pytest.approx(11.633)
    assert plan.requirements_since(cube, m, 2014, "2015-03") == pytest.approx(5.0)
    assert plan.requirements_since(cube, m, 2014, "2013-06") is None  # before the plan began
    assert plan.requirements_since(cube, m, 2012, "2014-06") is None  # 2012/13: no data


def test_the_caption_states_the_forces_plan_with_the_requirements_to_date(monkeypatch):
    import dataclasses

    from helpers import config

    second = savings_extract().assign(
        month=[m.to_timestamp() for m in pd.period_range("2014-04", "2015-03", freq="M")],
        requirement_gbp=5.0e6,
    )
    cube = build_cube({"savings": pd.concat([savings_extract(), second], ignore_index=True)})
    text = report.AreaPage(7, month="2014-09", cube=cube).item_html("savings")
    assert "Savings of £" not in text  # the demo profile's plan starts in 2015/16
    settings = dataclasses.replace(
        config.force_config(), savings_plan_years="2013/14 to 2016/17", savings_plan_gbp=20e6
    )
    monkeypatch.setattr(config, "force_config", lambda: settings)
    report.clear_caches()
    text = report.AreaPage(7, month="2014-09", cube=cube).item_html("savings")
    assert (
        "Savings of £11.6m are to be made by 31/03/2015 (the requirements of 2013/14 to "
        "2014/15), within the plan&#x27;s £20.0m for 2013/14 to 2016/17."
    ) in text
