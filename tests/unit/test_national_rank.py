"""The national rank (issue 15): all 43 forces' crimes per 1,000 residents, from msg_peers rows the
importer writes when every force's street files are imported; none when a force is missing."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from support.extract_rows import crime

from helpers import periods
from helpers.analysis.performance import performance_rows
from helpers.measures.cube import Reference, build_cube
from helpers.profile import load_profile
from helpers.render.tables import performance_table
from helpers.sources.police_uk import EXPECTED_COLUMNS, import_street_files
from helpers.sources.police_uk.output import report_markdown
from helpers.sources.police_uk.profiling import forces_table

TABLE = forces_table()
HOME = "Essex Police"
DISTRICTS = pd.DataFrame(
    {"district": ["A1"], "lpa": ["North"], "population_2016": [1000]}
)  # fmt: skip
#: The profile's Most Similar Group: the home force and two peers of the national table.
MSG = TABLE.set_index("force").loc[[HOME, "Kent Police", "Sussex Police"]].reset_index()
MONTHS = pd.period_range("2014-10", "2016-09", freq="M")
WINDOW = periods.window("rolling-12m", pd.Period("2016-09", "M"))


def national_peers(leave_out: str | None = None) -> pd.DataFrame:
    """Every other force's monthly all_crime: 33 forces with none (better than the home force's
    one a month), the other 9 with 1,000 a month (worse)."""
    others = [f for f in TABLE.itertuples() if f.force not in (HOME, leave_out)]
    rows = [
        (m.to_timestamp(), f.force, "all_crime", 0.0 if i < 33 else 1000.0, float(f.population_2016))
        for i, f in enumerate(others)
        for m in MONTHS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["month", "force", "measure_id", "numerator", "denominator"])


def cube_with(peers: pd.DataFrame):
    crimes = pd.DataFrame(
        [crime(f"C-{m}", f"{m}-15") for m in pd.period_range("2011-01", "2016-12", freq="M")]
    )
    for c in ("recorded_date", "outcome_date"):
        crimes[c] = pd.to_datetime(crimes[c])
    return build_cube({"crimes": crimes, "msg_peers": peers}, Reference(DISTRICTS, MSG))


@pytest.fixture(scope="module")
def cube():
    return cube_with(national_peers())


def all_crime_row(cube) -> pd.Series:
    rows = performance_rows(cube, 6, "2016-09", "rolling-12m")
    return rows[rows.measure_id == "all_crime"].iloc[0]


# ------------------------------------------------------------------------------------------ cube
def test_all_43_forces_give_the_national_group_and_its_window(cube):
    group = cube.national_group("all_crime", WINDOW)
    assert group is not None and len(group.values) == 43
    assert group.window == "Oct 2015 – Sep 2016" and group.left_out == {}
    # the home force: its 12 crimes over the profile's population; the others: forces.csv's
    assert group.values[HOME] == pytest.approx(1000.0 * 12 / 1_801_000)
    kent = int(TABLE.set_index("force").at["Kent Police", "population_2016"])
    assert group.values["Kent Police"] in (0.0, pytest.approx(1000.0 * 12_000 / kent))


def test_the_row_ranks_the_home_force_34th_of_43_and_the_msg_stays_the_group(cube):
    r = all_crime_row(cube)
    assert (r.national_rank, r.national_of) == (34, 43)
    assert r.msg_of == 3  # the Most Similar Group ranks its own forces only
    assert r.msg_note.endswith(": Essex Police, Kent Police, Sussex Police.")


def test_42_forces_give_no_national_rank():
    cube = cube_with(national_peers(leave_out="Kent Police"))
    assert cube.national_group("all_crime", WINDOW) is None
    r = all_crime_row(cube)
    assert r.national_rank is None and r.national_of is None
    assert r.msg_of == 2  # Kent Police left out of the MSG, named with its months
    assert "left out: Kent Police" in r.msg_note


def test_a_force_missing_a_month_of_the_window_gives_no_national_rank():
    peers = national_peers()
    gap = (peers.force == "Kent Police") & (peers.month == pd.Timestamp("2016-05-01"))
    assert cube_with(peers[~gap]).national_group("all_crime", WINDOW) is None


def test_only_crime_measures_are_ranked_nationally(cube):
    assert cube.national_group("crimes_per_1000", WINDOW) is None
    assert cube.national_group("victim_based_crime", WINDOW) is None  # no figures of it


# ----------------------------------------------------------------------------------------- table
def test_the_table_note_gives_the_national_rank_and_its_window(cube):
    rows = performance_rows(cube, 6, "2016-09", "rolling-12m")
    html = performance_table(rows, title="Crime", month="2016-09", period="rolling-12m")
    assert (
        "<li>National rank of the number of all crime offences: 34th of 43 forces on "
        "Oct 2015 – Sep 2016.</li>"
    ) in html


def test_no_national_note_without_a_national_rank():
    rows = performance_rows(
        cube_with(national_peers(leave_out="Kent Police")), 6, "2016-09", "rolling-12m"
    )
    html = performance_table(rows, title="Crime", month="2016-09", period="rolling-12m")
    assert "National rank" not in html


# -------------------------------------------------------------------------------------- importer
def write_street(root, month, slug, name, lsoa):
    """A Burglary and an anti-social behaviour incident of ``month`` for force ``slug``."""
    rows = [
        ("Burglary", f"{slug}-{month}", "Under investigation"),
        ("Anti-social behaviour", "", ""),
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPECTED_COLUMNS)
    for crime_type, crime_id, outcome in rows:
        values = {
            "Crime ID": crime_id,
            "Month": month,
            "Reported by": name,
            "Falls within": name,
            "LSOA name": lsoa,
            "Crime type": crime_type,
            "Last outcome category": outcome,
        }
        w.writerow([values.get(c, "") for c in EXPECTED_COLUMNS])
    (root / month).mkdir(parents=True, exist_ok=True)
    (root / month / f"{month}-{slug}-street.csv").write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture
def street(tmp_path):
    """Two months of one crime each for all 43 forces."""
    root = tmp_path / "street"
    for month in ("2014-01", "2014-02"):
        for f in TABLE.itertuples():
            write_street(root, month, f.police_uk_slug, f.force, "Basildon 001A")
    return root


def test_files_of_all_43_forces_write_their_counts_for_the_national_rank(street):
    result = import_street_files(street, "essex", profile=load_profile())
    peers = result.msg_peers
    assert set(peers["force"]) == set(TABLE["force"]) - {HOME}  # the home force's: the cube's
    assert len(peers) == 42 * 2 * 2  # forces × months × (all crime, victim-based)
    assert set(peers.loc[peers.measure_id == "all_crime", "numerator"]) == {1.0}
    pops = dict(zip(TABLE["force"], TABLE["population_2016"].astype(float), strict=True))
    assert (peers["denominator"] == peers["force"].map(pops)).all()
    assert result.report["national"] == {"forces_with_files": 43, "complete": True}
    assert not result.report["files_not_read"]
    assert "- National: files of all 43 forces for every month" in report_markdown(result.report)


def test_one_force_missing_a_month_writes_only_the_peers(street):
    (street / "2014-02" / "2014-02-kent-street.csv").unlink()
    result = import_street_files(street, "essex", profile=load_profile())
    msg = set(load_profile().msg_forces["force"]) - {HOME}
    assert set(result.msg_peers["force"]) == msg  # as before: the Most Similar Group only
    assert result.report["national"] == {"forces_with_files": 42, "complete": False}
    assert "- National: files of 42 forces for every month" in report_markdown(result.report)
    not_read = {f["file"] for f in result.report["files_not_read"]}
    assert "2014-01/2014-01-kent-street.csv" in not_read


def test_an_imported_national_folder_loads_and_ranks(street, tmp_path):
    from helpers.measures.cube import load_cube
    from helpers.sources.police_uk import write_import

    out = write_import(import_street_files(street, "essex", profile=load_profile()), tmp_path / "o")
    cube = load_cube(out, profile=load_profile())
    group = cube.national_group("all_crime", periods.window("month", pd.Period("2014-02", "M")))
    assert group is not None and len(group.values) == 43
