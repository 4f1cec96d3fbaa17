"""Tables a screen reader can name and read: a caption and ``scope`` on every header cell, on every
table the pages print (issue 20, "Accessible")."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest
from support.html_tables import table_problems, tables_of

from helpers.pages import report, sections
from helpers.render import tables
from helpers.render.scorecard import scorecard_table


@pytest.fixture(scope="module")
def cube(synthetic_cube):
    return synthetic_cube


@pytest.fixture(autouse=True)
def _fresh_fragments(fresh_fragments):
    """Every test of this module starts and ends with no rendered fragment."""


def _row(**kw):
    base = {
        "label": "Number of domestic abuse incidents",
        "unit": "count",
        "decimals": 0,
        "window_label": "Oct 2015 – Sep 2016",
        "window_kind": "rolling-12m",
        "last_year": 28111.0,
        "this_year": 32538.0,
        "change": Decimal("15.7"),
        "direction": "neutral",
        "available": True,
        "note": "",
        "footnote": "",
    }
    return {**base, **kw}


def test_the_performance_table_has_a_hidden_caption_naming_the_view_and_column_scopes():
    html = tables.performance_table(
        pd.DataFrame([_row()]), title="1. Reducing <Domestic> Abuse", month="2016-09",
        period="rolling-12m", geography="Colchester",
    )  # fmt: skip
    (table,) = tables_of(html)
    assert table.caption == (
        "Performance Information: 1. Reducing <Domestic> Abuse, Colchester, Data to Sep 2016"
    )
    assert '<caption class="ppw-sr-only">' in html and "&lt;Domestic&gt;" in html
    assert [scope for _, scope in table.headers] == ["col"] * 4
    assert table_problems(html) == []


def test_the_hidden_caption_is_hidden_by_the_pages_style_sheet():
    rule = re.search(r"\.ppw-sr-only\{([^}]*)\}", tables.CSS).group(1)
    assert "position:absolute" in rule and "width:1px" in rule and "overflow:hidden" in rule


def test_a_simple_table_has_a_visible_a_hidden_or_a_column_naming_caption():
    df = pd.DataFrame({"LPA": ["North"], "Minutes": [12.0]})
    visible = tables.simple_table(df, caption="Response times")
    assert tables_of(visible)[0].caption == "Response times"
    assert "ppw-sr-only" not in visible
    hidden = tables.simple_table(df, hidden="Response times by LPA")
    assert '<caption class="ppw-sr-only">Response times by LPA</caption>' in hidden
    assert tables_of(tables.simple_table(df))[0].caption == "Table of LPA, Minutes"
    for html in (visible, hidden):
        assert [s for _, s in tables_of(html)[0].headers] == ["col", "col"]


def test_the_scorecard_caption_follows_the_view():
    rows = pd.DataFrame(
        [{**_row(), "area": 1, "area_title": "1. Reducing Domestic Abuse", "significant": None}]
    )
    html = scorecard_table(rows, month="2016-09", period="fytd", geography="Basildon")
    (table,) = tables_of(html)
    assert table.caption == (
        "Scorecard: every measure by area, Basildon, Financial year to date to Sep 2016"
    )
    assert table_problems(html) == []


def test_the_district_table_scopes_its_two_header_rows(cube):
    ctx = sections.Context(cube, pd.Period("2016-09", "M"), "rolling-12m", chart_cache=None,
                           hierarchy=cube.hierarchy)  # fmt: skip
    html = sections.district_table_html(ctx, [("all_crime", "All crime"), ("solved_rate", "SR")])
    (table,) = tables_of(html)
    assert table.caption.startswith("Key measures by district, rolling 12 months to Sep 2016")
    assert table.headers == [
        ("District", "col"), ("All crime", "colgroup"), ("SR", "colgroup"),
        ("This year", "col"), ("Change", "col"), ("This year", "col"), ("Change", "col"),
    ]  # fmt: skip


def test_every_table_of_an_area_page_and_the_master_page_is_named_and_scoped(cube):
    page = report.AreaPage(6, month="2016-09", cube=cube)
    area = page.performance_information().data + page.management_information().data
    master = report.MasterPage(month="2016-09", cube=cube)
    sections_html = [
        master.scorecard().data,
        master.exceptions().data,
        master.district_comparison().data,
        master.sources_to().data,
        master.data_availability().data,
        master.data_quality().data,
    ]
    found = tables_of(area) + [t for h in sections_html for t in tables_of(h)]
    assert len(found) > 40  # every view's tables, and the charts' data tables
    assert table_problems(area) == []
    assert [p for h in sections_html for p in table_problems(h)] == []
