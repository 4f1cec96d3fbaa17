"""The report facade: area pages and the master page on a small synthetic cube.

The synthetic data folder holds only crimes and incidents (like a data.police.uk import): areas
whose sources are absent must say "No data for this area from this source", never zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.frames import synthetic_extracts

from helpers.config import DEMO_DATA_DIR
from helpers.pages import report, sections
from helpers.render import tables


@pytest.fixture(scope="module")
def cube(synthetic_cube):
    return synthetic_cube


@pytest.fixture(autouse=True)
def _fresh_fragments(fresh_fragments):
    """Every test of this module starts and ends with no rendered fragment."""


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
    assert "<h3>Juno Teams</h3>" in html and "<em>accredited</em>" in html  # below the page's h2
    assert report.commentary_html("2016-09", 2, root=tmp_path) == ""


def test_example_commentary_exists_for_september_2016():
    assert report.commentary_path("2016-09", 1).exists()


def test_master_page_sections(cube):
    master = report.MasterPage(month="2016-09", cube=cube)
    cover = master.cover().data
    assert "Monthly Performance Report, September 2016" in cover and "Sep 2016" in cover
    assert "Sep 2016" in master.sources_to().data
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


@pytest.mark.parametrize("suppress_below", [None, 10])
@pytest.mark.parametrize(("geography", "period"), [("Force", "fytd"), ("Basildon", "rolling-12m")])
def test_scorecard_rows_are_the_area_tables_rows_one_after_another(
    cube, monkeypatch, suppress_below, geography, period
):
    # the scorecard is made as one frame of every area's records; it must be the area tables'
    # frames put together, dtypes and Python values alike (with disclosure control too)
    from helpers import config
    from helpers.config import ForceConfig

    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(suppress_below=suppress_below))
    master = report.MasterPage(month="2016-09", cube=cube)
    card = master.scorecard_frame(geography, period)
    frames = []
    for area in report.AREAS:
        rows = report.performance_rows(cube, area, master.month, period, geography)
        if len(rows):
            frames.append(rows.assign(area_title=report._area_title(area)))
    expected = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(card, expected, check_exact=True)
    assert repr(tables.records(card)) == repr(tables.records(expected))  # NaN == NaN here
    assert card["available"].dtype == bool and card["change"].dtype == object


def test_table_records_are_the_rows_iterrows_gives():
    frame = pd.DataFrame(
        {
            "label": ["a", "b"],
            "available": [True, False],
            "decimals": [0, 1],
            "this_year": [1.5, np.nan],
            "change": [None, 2],
        }
    ).astype({"change": object})
    rows = tables.records(frame)
    for record, (_, row) in zip(rows, frame.iterrows(), strict=True):
        assert list(record) == list(row.index)
        for key, value in record.items():
            assert type(value) is type(row[key])
            assert value == row[key] or tables.is_missing(value)
    assert rows[0]["available"] is True and rows[1]["change"] == 2
    assert tables.records(pd.DataFrame(index=[0, 1])) == [{}, {}]


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


# ------------------------------------------------------------- a source that does not record flags
CRIME_FLAGS = (
    "domestic_abuse",
    "night_time_economy",
    "rural",
    "business",
    "class_a_supply",
    "evidence_led_prosecution",
)
INCIDENT_FLAGS = ("domestic_abuse", "alcohol", "drugs", "mental_health")


@pytest.fixture(scope="module")
def unrecorded_cube():
    """The synthetic extracts as data.police.uk gives them: crimes and ASB incidents, with the
    flags, victim ids, grade and urban/rural it does not record left empty (pd.NA)."""
    from helpers.measures.cube import build_cube

    x = synthetic_extracts()
    crimes, incidents = x["crimes"].copy(), x["incidents"].copy()
    for c in CRIME_FLAGS:
        crimes[c] = pd.array([pd.NA] * len(crimes), dtype="boolean")
    crimes["victim_id"] = None
    for c in INCIDENT_FLAGS:
        incidents[c] = pd.array([pd.NA] * len(incidents), dtype="boolean")
    incidents["asb"] = True
    incidents["grade"] = pd.array([pd.NA] * len(incidents), dtype="Int64")
    incidents["urban_rural"] = None
    incidents["arrived_at"] = pd.NaT
    return build_cube({"crimes": crimes, "incidents": incidents})


def _cells(html: str) -> list[str]:
    return [c.split("</td>")[0] for c in html.split("<td>")[1:]]


def test_an_area_whose_source_records_none_of_its_flags_says_no_data_never_zero(unrecorded_cube):
    page = report.AreaPage(1, month="2016-09", period="month", cube=unrecorded_cube)
    table = page.table_html()
    assert table.count(tables.NO_SOURCE) >= 7  # banner, every row, the note
    assert "none of this area&#x27;s measures can be computed" in table
    assert "does not record what they need: the domestic-abuse flag (" in table
    assert "0" not in _cells(table)
    rows = report.performance_rows(unrecorded_cube, 1, "2016-09", "month", "Force")
    assert rows["no_source"].all()
    assert ("crimes", "domestic_abuse") in rows.set_index("measure_id").at[
        "da_offences", "not_recorded"
    ]
    item = page.item_html("da_by_month")
    assert tables.NO_SOURCE in item and "it does not record the domestic-abuse flag" in item
    assert "<img" not in item


@pytest.mark.parametrize(
    ("area", "item", "unrecorded"),
    [
        (2, "emergency_by_lpa", "incident grade (incidents)"),
        (4, "nte_by_month", "night-time economy flag (crimes)"),
        (4, "qualifiers_by_month", "alcohol flag (incidents)"),
        (4, "class_a", "Class A supply flag (crimes)"),
        (6, "rural", "rural flag (crimes)"),
    ],
)
def test_items_of_unrecorded_measures_show_the_no_data_note(
    unrecorded_cube, area, item, unrecorded
):
    page = report.AreaPage(area, month="2016-09", period="month", cube=unrecorded_cube)
    html = page.item_html(item)
    assert tables.NO_SOURCE in html and f"it does not record the {unrecorded}" in html
    assert "<img" not in html


def test_crime_prevention_keeps_what_the_source_records(unrecorded_cube):
    page = report.AreaPage(6, month="2016-09", period="month", cube=unrecorded_cube)
    table = page.table_html()
    row = table.split("The number of all crime offences")[1].split("</tr>")[0]
    assert tables.NO_SOURCE not in row and any(c.strip().isdigit() for c in _cells(row))
    repeat = table.split("The number of repeat victims of crime")[1].split("</tr>")[0]
    assert tables.NO_SOURCE in repeat
    assert "none of this area&#x27;s measures" not in table
    assert "<img" in page.item_html("all_crime_spc")


def test_master_page_lists_which_areas_have_data_from_this_source(unrecorded_cube):
    master = report.MasterPage(month="2016-09", period="month", cube=unrecorded_cube)
    frame = master.data_availability_frame().set_index("Area")
    status = {a.split(".")[0]: s for a, s in frame["Data"].items()}
    assert status == {
        "1": "no data",
        "2": "no data",
        "3": "no data",
        "4": "no data",
        "5": "no data",
        "6": "partial data",
        "7": "no data",
        "8": "no data",
    }
    da = frame.loc[frame.index.str.startswith("1.")].iloc[0]
    assert da["Sources with data"] == "—"
    assert "domestic-abuse flag (crimes, incidents)" in da["Not recorded in the source"]
    crime = frame.loc[frame.index.str.startswith("6.")].iloc[0]
    assert "crimes" in crime["Sources with data"] and "incidents" in crime["Sources with data"]
    assert "rural flag (crimes)" in crime["Not recorded in the source"]
    html = master.data_availability().data
    assert "Not recorded in the source" in html
    card = master.scorecard_html()
    nte = card.split("The number of night-time economy crimes")[1].split("</tr>")[0]
    assert tables.NO_SOURCE in nte


def test_master_district_comparison_leaves_out_unrecorded_measures(unrecorded_cube):
    master = report.MasterPage(month="2016-09", period="month", cube=unrecorded_cube)
    html = master.district_comparison().data
    assert "DA incidents: " + tables.NO_SOURCE in html or (
        "DA incidents" in html.split("ppw-warning")[1]
    )
    head = html.split("</thead>")[0]
    assert "DA incidents" not in head and "All crime" in head


def test_data_to_on_the_cover_is_capped_at_the_report_month():
    """A source that runs past the report month is shown as running to it, as the header says."""
    import types

    from helpers.pages.report import data_to

    cube = types.SimpleNamespace(
        data_to={
            "crimes": pd.Period("2016-12", "M"),
            "drug_tests": pd.Period("2015-03", "M"),
            "calls": None,
        }
    )
    assert data_to(cube, "2016-09") == {
        "crimes": "Sep 2016",
        "drug_tests": "Mar 2015",
        "calls": None,
    }
    assert data_to(cube)["crimes"] == "Dec 2016"


def test_outcome_types_never_recorded_are_named_not_drawn_as_zero():
    """data.police.uk has no TIC outcome: the disposals chart leaves such a type off and says so,
    rather than drawing a zero bar that reads as "none this year"."""
    from helpers.measures.cube import build_cube

    extracts = synthetic_extracts(per_month=30)
    crimes = extracts["crimes"]
    tic = crimes["outcome_type"].isin(["tic_previously_recorded", "tic_not_previously_recorded"])
    extracts["crimes"] = crimes.assign(
        outcome_type=crimes["outcome_type"].mask(tic, "charge_summons")
    )
    without_tic = build_cube(extracts)
    assert not without_tic.ever_counted("disposal_tic_previously_recorded")
    assert without_tic.ever_counted("disposal_charge_summons")
    assert not without_tic.ever_counted("no_such_measure")
    report.clear_caches()
    html = (
        report.AreaPage(6, month="2016-09", cube=without_tic)
        .management_information("disposals", interactive=False)
        .data
    )
    assert "Not in the data for any month, so not drawn: TIC Previously Recorded, TIC Not " in html
    report.clear_caches()
    full = build_cube(synthetic_extracts(per_month=30))
    html = (
        report.AreaPage(6, month="2016-09", cube=full)
        .management_information("disposals", interactive=False)
        .data
    )
    assert "Not in the data" not in html


def test_the_master_page_lists_the_data_quality_warnings_with_the_areas_they_affect(cube):
    import dataclasses

    from helpers.sources.loading import ExtractReport, LoadReport

    master = report.MasterPage(month="2016-09", cube=cube)
    assert "No data-quality warnings" in master.data_quality().data  # built from frames: none

    crimes = ExtractReport(name="crimes", file="crimes.csv", format="csv", unassigned_mapped=12)
    crimes.empty_where_recorded = {"domestic_abuse": 300}
    incidents = ExtractReport(
        name="incidents", file="incidents.csv", format="csv", unassigned_in_file=7
    )
    loaded = LoadReport(extracts={"crimes": crimes, "incidents": incidents})
    master = report.MasterPage(
        month="2016-09", cube=dataclasses.replace(cube, extracts_report=loaded)
    )
    frame = master.data_quality_frame()
    assert list(frame["Warning"]) == [
        "crimes.csv: 12 rows with an empty district counted as 'Unassigned' (in the force total, "
        "in no LPA or district).",
        "crimes.csv: column 'domestic_abuse' is empty in 300 rows of months where other rows "
        "record it; counted as not flagged.",
        "incidents.csv: 7 rows recorded as 'Unassigned' by the source (no location, or outside "
        "the force's districts): in the force total, in no LPA or district, so the LPAs add up "
        "to less than the force.",
    ]
    crime_areas = frame["Areas it affects"].iloc[0]
    assert "1. Reducing Domestic Abuse" in crime_areas and "6." in crime_areas
    html = master.data_quality().data
    assert "crimes.csv: 12 rows" in html and "incidents.csv: 7 rows" in html


def test_the_district_table_accounts_for_records_in_no_district(monkeypatch):
    from helpers import config
    from helpers.config import ForceConfig
    from helpers.measures.cube import build_cube

    extracts = synthetic_extracts(per_month=20)
    crimes = extracts["crimes"]
    nowhere = crimes.tail(40).copy()
    nowhere["crime_id"] = [f"N{i}" for i in range(len(nowhere))]
    nowhere["district"] = "Somewhere else"  # not a district of the force: Unassigned
    extracts["crimes"] = pd.concat([crimes, nowhere], ignore_index=True)
    cube = build_cube(extracts)
    html = report.MasterPage(month="2016-09", cube=cube).district_comparison().data
    assert "No district (Unassigned)" in html and "counted in the Force row" in html

    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(suppress_below=5))
    html = report.MasterPage(month="2016-09", cube=cube).district_comparison().data
    assert "No district (Unassigned)" not in html  # the force less the districts would tell
    assert "with disclosure control on, their number is not printed" in html

    plain = report.MasterPage(month="2016-09", cube=build_cube(synthetic_extracts(per_month=20)))
    assert "Unassigned" not in plain.district_comparison().data  # nobody in no district


def test_master_views_follow_a_change_of_month(cube):
    master = report.MasterPage(month="2016-09", cube=cube)
    september = master.scorecard_frame()["window_label"].iloc[0]
    master.findings()
    master.set_view(month="2016-06")
    june = master.scorecard_frame()["window_label"].iloc[0]
    assert september.endswith("Sep 2016") and june.endswith("Jun 2016")
    assert "Jun 2016" in master.summary_html()
