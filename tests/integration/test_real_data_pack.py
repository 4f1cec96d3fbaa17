"""The whole pack on the real data.police.uk files: only what the source records is a number.

The 2014 Essex street files are imported into a temporary folder and the pack is run on November
2014, as a user would (``python -m helpers.sources.police_uk`` then ``python -m helpers.pack`` in
subprocesses). Expected counts are worked out here from the Essex November CSV with the ``csv``
module, not with the importer's code. data.police.uk does not record domestic abuse, night-time
economy, Class A supply, rural or business crime, victims or incident grades: every measure that
needs one of them must read N/A ("not recorded"), never 0, and the areas that have nothing from
this source must say "No data for this area from this source".
"""

from __future__ import annotations

import csv
import gzip
import re
import subprocess
import sys

import pandas as pd
import pytest

from helpers.config import PROJECT_ROOT
from helpers.contract.catalog import AREA_SLUGS, AREAS
from helpers.pack import export
from helpers.render import tables

REAL = PROJECT_ROOT.parent / "shared" / "real" / "police-uk-street-2014"
MONTH = "2014-11"
PAGES = ["index.html", *(f"{a:02d}_{slug}.html" for a, slug in AREA_SLUGS.items())]
#: The measures this source can give: crime counts and outcomes, ASB incidents.
RECORDED = {"all_crime", "victim_based_crime", "solved_rate", "asb_incidents"}
#: In-table measures that need a column the source does not record (read N/A, never 0).
NOT_RECORDED = {
    "da_incidents": "the domestic-abuse flag (domestic_abuse) is not recorded in incidents",
    "da_repeat_incidents_fy": "the domestic-abuse flag (domestic_abuse) is not recorded in incidents",
    "da_offences": "the domestic-abuse flag (domestic_abuse) is not recorded in crimes",
    "da_solved_rate": "the domestic-abuse flag (domestic_abuse) is not recorded in crimes",
    "da_evidence_led_prosecutions": "the evidence-led prosecution flag (evidence_led_prosecution) is not recorded in crimes",
    "emergency_attendance": "the incident grade (grade) is not recorded in incidents",
    "nte_crimes": "the night-time economy flag (night_time_economy) is not recorded in crimes",
    "class_a_prosecutions": "the Class A supply flag (class_a_supply) is not recorded in crimes",
    "repeat_victims_window": "the victim id (victim_id) is not recorded in crimes",
    "repeat_victims_business": "the business-victim flag (business) is not recorded in crimes",
}
#: Areas with no figure at all from this source (4: its flags and drug tests are not in it).
NO_DATA_AREAS = (1, 2, 3, 4, 5, 7, 8)

pytestmark = [
    pytest.mark.real,
    pytest.mark.slow,
    pytest.mark.skipif(
        not REAL.is_dir(),
        reason=f"real data.police.uk files not found at {REAL} (shared/real is not mounted here)",
    ),
]


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Import the 2014 folder, run the pack for November 2014 (month); return the pack folder."""
    base = tmp_path_factory.mktemp("real_pack")
    data, out = base / "police_uk", base / "pack"
    imported = _run(
        [
            "helpers.sources.police_uk",
            "--input",
            str(REAL),
            "--force",
            "essex",
            # its Most Similar Group as the 2014 report lists it
            "--peers",
            "avon-and-somerset,derbyshire,hampshire,hertfordshire,leicestershire,staffordshire,sussex",
            "--out",
            str(data),
        ],
        300,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    done = _run(
        [
            "helpers.pack",
            "--month",
            MONTH,
            "--period",
            "month",
            "--data",
            str(data),
            "--out",
            str(out),
            "--no-pdf",  # pack.pdf is tested on the demo pack (test_pdf)
        ],
        1800,
    )
    return done, out


@pytest.fixture(scope="module")
def truth() -> dict[str, int]:
    """Crimes (non-ASB rows, a repeated Crime ID once) and ASB rows of the Essex November file."""
    path = next(REAL.glob(f"{MONTH}/{MONTH}-essex-street.csv*"))
    opener = gzip.open if path.suffix == ".gz" else open
    crime_ids, crimes, asb = set(), 0, 0
    with opener(path, "rt", newline="", encoding="utf-8-sig") as f:
        for rec in csv.DictReader(f):
            if rec["Crime type"] == "Anti-social behaviour":
                asb += 1
            elif rec["Crime ID"] not in crime_ids:
                crime_ids.add(rec["Crime ID"])
                crimes += 1
    return {"all_crime": crimes, "asb_incidents": asb}


@pytest.fixture(scope="module")
def table(published) -> pd.DataFrame:
    _, out = published
    return pd.read_csv(out / "tables.csv")


def _page(published, name: str) -> str:
    _, out = published
    return (out / name).read_text(encoding="utf-8")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def test_pack_exits_0_with_all_nine_pages(published):
    done, out = published
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in out.glob("*.html")) == sorted(PAGES)
    assert (out / "tables.csv").is_file()


@pytest.mark.parametrize("measure_id", ["all_crime", "asb_incidents"])
def test_force_counts_equal_the_csv(table, truth, measure_id):
    row = table[(table.measure_id == measure_id) & (table.geography == "Force")]
    assert len(row) == 1
    assert row["available"].item()
    assert row["this_year"].item() == truth[measure_id]


def test_msg_rank_is_present_for_all_crime_and_matches_the_chart(published, table):
    rank = table.loc[(table.measure_id == "all_crime") & (table.geography == "Force"), "msg_rank"]
    assert rank.notna().item()
    n = int(rank.item())
    assert 1 <= n <= 8
    assert f"has the {_ordinal(n)} lowest rate of the 8 forces" in _page(
        published, "06_crime_prevention.html"
    )


@pytest.mark.parametrize("measure_id", sorted(NOT_RECORDED))
def test_measures_of_unrecorded_columns_are_na_never_zero(table, measure_id):
    rows = table[table.measure_id == measure_id]
    assert len(rows), f"{measure_id} is not in tables.csv"
    assert rows["this_year"].isna().all(), rows["this_year"].tolist()
    assert (~rows["available"]).all()
    force = rows[rows.geography == "Force"]
    assert force["note"].item().startswith(f"{NOT_RECORDED[measure_id]} for Nov 2014")


def test_only_what_the_source_records_has_a_value(table):
    """Every other measure is N/A: an absent extract or an unrecorded column, never a 0."""
    with_value = set(table.loc[table["this_year"].notna(), "measure_id"])
    assert with_value == RECORDED
    assert set(table.loc[table["available"], "measure_id"]) == RECORDED


def test_crime_prevention_page_shows_the_all_crime_figure_and_the_msg_chart(published, truth):
    html = _page(published, "06_crime_prevention.html")
    n = truth["all_crime"]
    assert str(n) in html or f"{n:,}" in html
    msg = html.split("Crime rate across the Most Similar Group (MSG)", 1)[1].split("<h3", 1)[0]
    assert "data:image/png;base64," in msg
    assert tables.NO_SOURCE not in msg


@pytest.mark.parametrize("area", NO_DATA_AREAS)
def test_an_area_without_data_from_this_source_says_so(published, area):
    html = _page(published, f"{area:02d}_{AREA_SLUGS[area]}.html")
    assert tables.NO_SOURCE in html
    assert "none of this area&#x27;s measures can be computed" in html


def test_master_page_lists_which_areas_have_data(published):
    html = _page(published, "index.html")
    sources = html.split(">Sources<", 1)[1].split(">Data quality<", 1)[0]
    status = {}
    # the date each source runs to, then the areas' data availability
    for row in re.findall(r"<tr>(.*?)</tr>", sources):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if cells and re.match(r"\d\. ", cells[0]):
            status[int(cells[0][0])] = cells[1]
    assert set(status) == set(AREAS)
    assert {a for a, s in status.items() if s == "no data"} == set(NO_DATA_AREAS)
    assert status[6] == "partial data"
    assert "domestic-abuse flag (crimes, incidents)" in sources


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_self_contained_without_code(published, page):
    html = _page(published, page)
    assert export.external_references(html) == []
    # no code: every code cell is exported without its input; an input area (jp-InputArea) is
    # only the rendered text of a markdown cell; nothing of the classic template's input_area
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', html)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    markdown_cells = re.findall(r'class="jp-Cell jp-MarkdownCell[^"]*"', html)
    assert len(re.findall(r'class="jp-InputArea[ "]', html)) == len(markdown_cells)
    assert not re.search(r"class=\"[^\"]*\bjp-(InputArea-editor|InputPrompt)\b", html)
    assert "input_area" not in html
    assert str(PROJECT_ROOT) not in html
