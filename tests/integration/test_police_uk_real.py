"""Import the real data.police.uk files (Essex and its MSG, 2014-01..2014-11) and check the figures.

Every expected figure is computed here straight from the CSV files with the ``csv`` module, without
the importer's code, so a mapping or counting slip in ``helpers.sources.police_uk`` shows up as a difference.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import time
from collections import Counter

import pandas as pd
import pytest

from helpers.analysis.compare import msg_rank
from helpers.config import PROJECT_ROOT, REFERENCE_DIR
from helpers.sources.police_uk import import_street_files, write_import

REAL = PROJECT_ROOT.parent / "shared" / "real" / "police-uk-street-2014"
MONTHS = [f"2014-{m:02d}" for m in range(1, 12)]
FORCE = "essex"
#: Its Most Similar Group as the 2014 report lists it (the demo profile's peers), chosen with
#: --peers as a user would: the importer makes Essex Police's own profile from the files.
PEERS = [
    r["police_uk_slug"]
    for r in csv.DictReader(
        (REFERENCE_DIR / "msg_forces.csv").read_text(encoding="utf-8").splitlines()
    )
    if r["police_uk_slug"] != FORCE
]
#: police.uk crime types with a direct victim (Home Office victim-based crime), written out again here.
VICTIM_BASED_TYPES = {
    "Violence and sexual offences",
    "Burglary",
    "Robbery",
    "Vehicle crime",
    "Bicycle theft",
    "Other theft",
    "Theft from the person",
    "Shoplifting",
    "Criminal damage and arson",
}
IMPORT_SECONDS_LIMIT = 20.0

pytestmark = [
    pytest.mark.real,
    pytest.mark.skipif(
        not REAL.is_dir(),
        reason=f"real data.police.uk files not found at {REAL} (shared/real is not mounted here)",
    ),
]


def _reference(name: str) -> list[dict]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Run the importer once on the whole folder; return (out_dir, result, seconds)."""
    out = tmp_path_factory.mktemp("police_uk_real")
    started = time.perf_counter()
    result = import_street_files(REAL, FORCE, PEERS)
    write_import(result, out)
    return out, result, time.perf_counter() - started


@pytest.fixture(scope="module")
def truth():
    """Counts straight from the CSVs: rows, crimes and ASB by month and district, per force."""
    districts = {r["district"] for r in _reference("districts.csv")}
    files = sorted(p for p in REAL.glob("2014-*/*-street.csv*"))
    t = {
        "rows": Counter(),  # (force, file) -> data rows
        "crimes": Counter(),  # (force, month) -> distinct Crime IDs first seen that month
        "victim_based": Counter(),
        "crimes_by_district": Counter(),  # essex: district -> crimes
        "asb": Counter(),  # essex: month -> ASB rows
        "asb_by_district": Counter(),
        "no_location": 0,
        "duplicates": Counter(),  # force -> repeated rows
    }
    seen: dict[str, set] = {}
    for path in files:
        force = path.name[len("2014-01-") : path.name.index("-street")]
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader)
            col = {name: i for i, name in enumerate(header)}
            ids = seen.setdefault(force, set())
            for rec in reader:
                t["rows"][force, path.relative_to(REAL).as_posix()] += 1
                month, ctype, lsoa = (
                    rec[col["Month"]],
                    rec[col["Crime type"]],
                    rec[col["LSOA name"]],
                )
                district = lsoa.rsplit(" ", 1)[0] if lsoa else ""
                district = district if district in districts else "Unassigned"
                if force == FORCE and not lsoa:
                    t["no_location"] += 1
                if ctype == "Anti-social behaviour":
                    if force == FORCE:
                        t["asb"][month] += 1
                        t["asb_by_district"][district] += 1
                    continue
                crime_id = rec[col["Crime ID"]]
                if crime_id in ids:
                    t["duplicates"][force] += 1
                    continue
                ids.add(crime_id)
                t["crimes"][force, month] += 1
                t["victim_based"][force, month] += ctype in VICTIM_BASED_TYPES
                if force == FORCE:
                    t["crimes_by_district"][district] += 1
    return t


def test_import_takes_at_most_20_seconds(imported):
    _, _, seconds = imported
    assert seconds <= IMPORT_SECONDS_LIMIT, f"import took {seconds:.1f} s"


def test_files_rows_and_sha256_match_the_manifest(imported, truth):
    _, result, _ = imported
    manifest = {m["file"]: m for m in json.loads((REAL / "MANIFEST.json").read_text())}
    assert len(result.report["files"]) == len(manifest) == 88
    for f in result.report["files"]:
        assert f["rows"] == manifest[f["file"]]["rows"] == truth["rows"][f["force"], f["file"]]
        assert f["sha256"] == manifest[f["file"]]["sha256_uncompressed"], f["file"]


def test_essex_crimes_by_month_match_the_csv(imported, truth):
    _, result, _ = imported
    got = result.crimes["recorded_date"].dt.strftime("%Y-%m").value_counts().to_dict()
    assert got == {m: truth["crimes"][FORCE, m] for m in MONTHS}


def test_essex_crimes_by_district_match_the_csv(imported, truth):
    _, result, _ = imported
    assert result.crimes["district"].value_counts().to_dict() == dict(truth["crimes_by_district"])


def test_essex_victim_based_crimes_by_month_match_the_csv(imported, truth):
    _, result, _ = imported
    vb = result.crimes[result.crimes["victim_based"]]
    got = vb["recorded_date"].dt.strftime("%Y-%m").value_counts().to_dict()
    assert got == {m: truth["victim_based"][FORCE, m] for m in MONTHS}


def test_asb_incidents_by_month_and_district_match_the_csv(imported, truth):
    _, result, _ = imported
    inc = result.incidents
    assert inc["opened_at"].dt.strftime("%Y-%m").value_counts().to_dict() == dict(truth["asb"])
    assert inc["district"].value_counts().to_dict() == dict(truth["asb_by_district"])


def test_nothing_is_lost_rows_in_equal_crimes_asb_and_reported_duplicates(imported, truth):
    _, result, _ = imported
    rows_in = sum(n for (force, _), n in truth["rows"].items() if force == FORCE)
    reported = [d for d in result.report["duplicate_crime_ids"] if d["force"] == FORCE]
    dropped = sum(len(d["dropped"]) for d in reported)
    assert rows_in == 138_952
    assert rows_in == len(result.crimes) + len(result.incidents) + dropped
    assert dropped == truth["duplicates"][FORCE] == 2
    assert len(reported) == 2  # two Crime IDs in 2014-11, each twice
    assert all(d["kept"].startswith("2014-11/") for d in reported)


def test_the_37_rows_without_location_are_counted_and_listed(imported, truth):
    _, result, _ = imported
    no_loc = result.report["no_location"]
    assert truth["no_location"] == 37
    assert sum(no_loc["count"].values()) == 37 == len(no_loc["rows"])


def test_report_written_with_warnings_and_relative_input(imported):
    out, _, _ = imported
    report = json.loads((out / "import_report.json").read_text())
    assert report["input"] == "../shared/real/police-uk-street-2014"
    assert report["missing_months"] == {}
    assert report["unknown_outcome_categories"] == []
    assert "Duplicate Crime IDs" in (out / "import_report.md").read_text()


@pytest.mark.parametrize("measure", ["all_crime", "victim_based_crime"])
def test_msg_rank_per_month_matches_rates_from_the_csv(imported, truth, measure):
    out, _, _ = imported
    forces = _reference("msg_forces.csv")
    pop = {r["police_uk_slug"]: float(r["population_2016"]) for r in forces}
    counts = truth["crimes"] if measure == "all_crime" else truth["victim_based"]
    crimes = pd.read_parquet(out / "crimes.parquet")
    if measure == "victim_based_crime":
        crimes = crimes[crimes["victim_based"]]
    essex_by_month = crimes["recorded_date"].dt.strftime("%Y-%m").value_counts()
    peers = pd.read_parquet(out / "msg_peers.parquet")
    peers = peers[peers["measure_id"] == measure]
    assert len(peers) == 7 * len(MONTHS)
    for month in MONTHS:
        rates = {slug: 1000 * counts[slug, month] / pop[slug] for slug in pop}
        expected_rank = 1 + sum(rates[s] < rates[FORCE] for s in rates if s != FORCE)
        in_month = peers[peers["month"] == pd.Timestamp(month + "-01")]
        peer_rates = (1000 * in_month["numerator"] / in_month["denominator"]).tolist()
        essex_rate = 1000 * essex_by_month[month] / pop[FORCE]
        assert msg_rank(essex_rate, peer_rates, "lower_better") == expected_rank, month
        assert sorted(peer_rates) == pytest.approx(
            sorted(v for s, v in rates.items() if s != FORCE)
        )


@pytest.mark.skipif(
    importlib.util.find_spec("helpers.measures.cube") is None,
    reason="helpers.measures.cube not written yet",
)
def test_cube_builds_on_the_imported_folder_and_counts_november(imported, truth):
    from helpers.measures.cube import load_cube
    from helpers.periods import window

    out, _, _ = imported
    cube = load_cube(out, profile=out / "profile")
    value = cube.value("all_crime", window("month", "2014-11"))
    assert value.available, value.reason
    assert value.numerator == truth["crimes"][FORCE, "2014-11"]


@pytest.mark.parametrize(
    ("extract", "columns"),
    [
        (
            "crimes",
            (
                "domestic_abuse",
                "night_time_economy",
                "rural",
                "business",
                "class_a_supply",
                "evidence_led_prosecution",
                "da_risk_level",
                "victim_id",
            ),
        ),
        (
            "incidents",
            ("domestic_abuse", "alcohol", "drugs", "mental_health", "grade", "urban_rural"),
        ),
    ],
)
def test_columns_the_source_lacks_are_written_empty_never_false(imported, extract, columns):
    out, _, _ = imported
    df = pd.read_parquet(out / f"{extract}.parquet")
    for c in columns:
        assert df[c].isna().all(), f"{extract}.{c}: {df[c].value_counts(dropna=False).to_dict()}"


@pytest.mark.skipif(
    importlib.util.find_spec("helpers.measures.cube") is None,
    reason="helpers.measures.cube not written yet",
)
@pytest.mark.parametrize(
    ("measure_id", "reason"),
    [
        (
            "da_offences",
            "the domestic-abuse flag (domestic_abuse) is not recorded in crimes for Nov 2014",
        ),
        (
            "da_incidents",
            "the domestic-abuse flag (domestic_abuse) is not recorded in incidents for Nov 2014",
        ),
        (
            "nte_crimes",
            "the night-time economy flag (night_time_economy) is not recorded in crimes for Nov 2014",
        ),
        (
            "class_a_prosecutions",
            "the Class A supply flag (class_a_supply) is not recorded in crimes for Nov 2014",
        ),
        (
            "repeat_victims_window",
            "the victim id (victim_id) is not recorded in crimes for Nov 2014",
        ),
    ],
)
def test_cube_reads_measures_of_unrecorded_columns_as_na_never_zero(imported, measure_id, reason):
    from helpers.measures.cube import load_cube
    from helpers.periods import window

    out, _, _ = imported
    value = load_cube(out, profile=out / "profile").value(measure_id, window("month", "2014-11"))
    assert not value.available and value.value is None
    assert value.reason == reason
