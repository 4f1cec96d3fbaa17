"""The report facade: area pages and the master page on a small synthetic cube.

The synthetic data folder holds only crimes and incidents (like a data.police.uk import): areas
whose sources are absent must say "No data for this area from this source", never zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import report, sections, tables
from helpers.config import DEMO_DATA_DIR
from helpers.contract import OUTCOME_TYPES, SOLVED_OUTCOMES
from helpers.loading import districts

MONTHS = pd.period_range("2012-04", "2016-09", freq="M")


def synthetic_extracts(seed: int = 7, per_month: int = 80) -> dict[str, pd.DataFrame]:
    """Crimes and incidents for every district, April 2012 - September 2016 (small, seeded)."""
    rng = np.random.default_rng(seed)
    names = list(districts()["district"])
    n = per_month * len(MONTHS)
    month = rng.choice(len(MONTHS), n)
    day = rng.integers(1, 28, n)
    recorded = pd.to_datetime(
        [f"{MONTHS[m].year}-{MONTHS[m].month:02d}-{d:02d}" for m, d in zip(month, day, strict=True)]
    )
    solved = rng.random(n) < 0.3
    outcome = np.where(solved, rng.choice(SOLVED_OUTCOMES, n), rng.choice(OUTCOME_TYPES[8:], n))
    crimes = pd.DataFrame(
        {
            "crime_id": [f"C{i:06d}" for i in range(n)],
            "recorded_date": recorded,
            "offence_group": rng.choice(["Theft", "Burglary", "Drug offences"], n),
            "victim_based": rng.random(n) < 0.9,
            "district": rng.choice(names, n),
            "domestic_abuse": rng.random(n) < 0.1,
            "da_risk_level": None,
            "night_time_economy": rng.random(n) < 0.05,
            "rural": rng.random(n) < 0.25,
            "business": rng.random(n) < 0.1,
            "class_a_supply": rng.random(n) < 0.01,
            "victim_id": [f"V{v}" for v in rng.integers(0, n // 2, n)],
            "outcome_type": outcome,
            "outcome_date": recorded + pd.to_timedelta(rng.integers(0, 40, n), unit="D"),
            "evidence_led_prosecution": False,
        }
    )
    m = per_month * len(MONTHS)
    month = rng.choice(len(MONTHS), m)
    opened = pd.to_datetime(
        [
            f"{MONTHS[i].year}-{MONTHS[i].month:02d}-{d:02d} 12:00"
            for i, d in zip(month, rng.integers(1, 28, m), strict=True)
        ]
    )
    incidents = pd.DataFrame(
        {
            "incident_id": [f"I{i:06d}" for i in range(m)],
            "opened_at": opened,
            "arrived_at": opened + pd.to_timedelta(rng.integers(3, 30, m), unit="min"),
            "grade": rng.choice([1, 2, 3, 4], m),
            "urban_rural": rng.choice(["urban", "rural"], m),
            "district": rng.choice(names, m),
            "domestic_abuse": rng.random(m) < 0.1,
            "asb": rng.random(m) < 0.3,
            "alcohol": rng.random(m) < 0.1,
            "drugs": rng.random(m) < 0.05,
            "mental_health": rng.random(m) < 0.05,
            "victim_id": None,
        }
    )
    return {"crimes": crimes, "incidents": incidents}


@pytest.fixture(scope="module")
def cube():
    from helpers.cube import build_cube

    return build_cube(synthetic_extracts())


@pytest.fixture(autouse=True)
def _fresh_fragments():
    report.clear_caches()
    yield
    report.clear_caches()


def test_header_prints_the_published_heading_line(cube):
    page = report.AreaPage(1, month="2016-09", cube=cube)
    html = page.header_html()
    assert "Data to Sep 2016 (unless stated otherwise)" in html
    assert "Monthly Performance Report: September 2016" in html
    assert "LPA: Local Policing Area" in html


def test_area_table_uses_the_catalog_titles_and_period_headings(cube):
    page = report.AreaPage(6, month="2014-03", period="fytd", cube=cube)
    html = page.table_html()
    assert "The number of all crime offences" in html
    assert "Cumulative Last Year" in html and "Cumulative This Year" in html
    assert "6. Improving Crime Prevention" in html


def test_force_only_measure_reads_not_available_at_district_level(cube):
    page = report.AreaPage(6, month="2016-09", geography="Basildon", cube=cube)
    html = page.table_html()
    row = html.split("The % of people who think the Police are doing a good job")[1].split("</tr>")[
        0
    ]
    assert "not available at this level" in row


def test_area_without_its_sources_shows_the_no_data_note_never_zero(cube):
    page = report.AreaPage(2, month="2016-09", cube=cube)
    html = page.table_html()
    row = html.split("User Satisfaction - Making contact with the police")[1].split("</tr>")[0]
    assert tables.NO_SOURCE in row
    mi = page.item_html("satisfaction")
    assert tables.NO_SOURCE in mi and "user satisfaction survey" in mi
    assert "<img" not in mi


def test_partial_sources_keep_the_rest_of_the_area(cube):
    page = report.AreaPage(2, month="2016-09", cube=cube)
    html = page.table_html()
    row = html.split("Emergency incidents attended within standard")[1].split("</tr>")[0]
    assert tables.NO_SOURCE not in row
    assert "%" in row


@pytest.mark.parametrize("area", range(1, 9))
def test_every_area_renders_on_partial_data(cube, area):
    page = report.AreaPage(area, month="2016-09", cube=cube)
    html = page.render_html()
    assert page.title in html
    assert "Management Information" in html


def test_render_html_changes_with_geography_and_period(cube):
    page = report.AreaPage(6, month="2016-09", cube=cube)
    force = page.render_html("Force", "rolling-12m")
    basildon = page.render_html("Basildon", "fytd")
    assert "Basildon" in basildon and "Cumulative This Year" in basildon
    assert force != basildon


def test_pack_mode_offers_every_geography_and_period_without_widgets(cube):
    page = report.AreaPage(6, month="2016-09", geography="North", cube=cube)
    out = page.performance_information(interactive=False)
    html = out.data
    assert 'class="ppw-geography"' in html and 'class="ppw-period"' in html
    assert 'data-geography="Basildon"' in html and 'data-period="fytd"' in html
    assert "application/vnd.jupyter.widget" not in html


def test_key_chart_is_pre_rendered_per_geography(cube):
    page = report.AreaPage(6, month="2016-09", cube=cube)
    html = page.management_information("all_crime_spc", interactive=False).data
    assert html.count("data:image/png;base64") >= 4  # Force, 3 LPAs at least
    assert 'data-geography="Tendring"' in html


def test_unknown_geography_is_a_clear_error(cube):
    with pytest.raises(ValueError, match="Basildonn"):
        report.AreaPage(1, geography="Basildonn", cube=cube)


def test_commentary_renders_markdown_and_is_absent_without_a_file(tmp_path):
    folder = tmp_path / "2016-09"
    folder.mkdir()
    (folder / "01_domestic_abuse.md").write_text("## Juno Teams\n\nICIDP *accredited*: 79%.\n")
    html = report.commentary_html("2016-09", 1, root=tmp_path)
    assert "<h2>Juno Teams</h2>" in html and "<em>accredited</em>" in html
    assert report.commentary_html("2016-09", 2, root=tmp_path) == ""


def test_example_commentary_exists_for_september_2016():
    assert report.commentary_path("2016-09", 1).exists()


def test_master_page_sections(cube):
    master = report.MasterPage(month="2016-09", cube=cube)
    cover = master.cover().data
    assert "Monthly Performance Report: September 2016" in cover and "Sep 2016" in cover
    contents = master.contents().data
    assert (
        'href="01_domestic_abuse.html"' in contents
        and 'href="08_organisational_health.html"' in contents
    )
    card = master.scorecard_html()
    assert "The number of all crime offences" in card and tables.NO_SOURCE in card
    availability = master.data_availability_frame()
    assert set(availability["Data"]) <= {"all data", "partial data", "no data"}
    assert availability.loc[availability["Area"].str.startswith("8."), "Data"].item() == "no data"
    districts_html = master.district_comparison().data
    assert "Basildon" in districts_html and "Uttlesford" in districts_html
    master.exceptions()  # runs on any data


def test_items_cover_every_area():
    assert {i.area for i in sections.ITEMS} == set(range(1, 9))


@pytest.mark.skipif(not (DEMO_DATA_DIR / ".complete").exists(), reason="data/demo not generated")
def test_demo_force_page_renders_every_item():
    page = report.AreaPage(6, month="2016-09", data_dir="data/demo")
    html = page.render_html()
    assert tables.NO_SOURCE not in html
    assert html.count("data:image/png;base64") >= 4


def test_pack_header_leaves_marking_and_force_line_to_the_page_shell(cube):
    page = report.AreaPage(1, month="2016-09", cube=cube)
    assert "[OFFICIAL]" in page.header_html(standalone=True)
    pack = page.header_html(standalone=False)
    assert "[OFFICIAL]" not in pack and "Data to Sep 2016 (unless stated otherwise)" in pack
    assert page.footer(standalone=False).data == ""


def test_exceptions_list_concerns_first(cube):
    master = report.MasterPage(month="2016-09", cube=cube)
    df = master.exceptions_frame()
    kinds = list(df["kind"])
    order = {"concern": 0, "improvement": 1, "neutral_special": 2}
    assert kinds == sorted(kinds, key=lambda k: order.get(k, 3))
