"""Tests for helpers.sources.police_uk on tiny synthetic street files written to tmp_path."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil

import pandas as pd
import pytest
from support.street import row, write_street

from helpers.config import DEMO_PROFILE_DIR
from helpers.contract.extracts import (
    EXTRACTS,
    OFFENCE_GROUPS,
    OUTCOME_TYPES,
    VICTIM_BASED_GROUPS,
    reader_name,
)
from helpers.profile import load_profile
from helpers.sources import police_uk
from helpers.sources.police_uk import (
    EXPECTED_COLUMNS,
    PoliceUkImportError,
    PoliceUkImportWarning,
    import_street_files,
    main,
    parse_months,
    write_import,
)


@pytest.fixture
def folder(tmp_path):
    """Two months of Essex and Derbyshire (gzipped), with crimes, ASB and one of each quirk."""
    root = tmp_path / "street"
    write_street(
        root,
        "2014-01",
        "essex",
        [
            row("a1", "Burglary", "Basildon 001A", "Offender sent to prison"),
            row("", "Anti-social behaviour", "Basildon 001B"),
            row("a2", "Drugs", "Castle Point 003C", "Offender given a drugs possession warning"),
            row("a3", "Violence and sexual offences", "", "Unable to prosecute suspect"),
            row("", "Anti-social behaviour", "Havering 010A"),
            row("a4", "Other theft", "Southend-on-Sea 020D", "Local resolution"),
        ],
    )
    write_street(
        root,
        "2014-02",
        "essex",
        [
            row("b1", "Public order", "Havering 011B", "Under investigation", month="2014-02"),
            row("", "Anti-social behaviour", "Basildon 001A", month="2014-02"),
            row("b2", "Shoplifting", "Thurrock 004A", "", month="2014-02"),
        ],
    )
    for month, rows in {
        "2014-01": [
            row("d1", "Burglary", "Amber Valley 001A", force="derbyshire"),
            row("d2", "Drugs", "Erewash 001A", force="derbyshire"),
            row("", "Anti-social behaviour", "Erewash 002A", force="derbyshire"),
        ],
        "2014-02": [
            row("d3", "Robbery", "", month="2014-02", force="derbyshire"),
        ],
    }.items():
        write_street(root, month, "derbyshire", rows, gz=True)
    return root


def run(root, **kw):
    """Import ``root`` as Essex with the demo profile (its district table) and Derbyshire."""
    kw.setdefault("peers", ["derbyshire"])
    kw.setdefault("profile", load_profile())
    return import_street_files(root, "essex", **kw)


# ---------------------------------------------------------------------------------------- crimes
def test_crimes_hold_every_non_asb_row_of_the_home_force_in_file_order(folder):
    crimes = run(folder).crimes
    assert list(crimes["crime_id"]) == ["a1", "a2", "a3", "a4", "b1", "b2"]


def test_crimes_map_type_victim_based_district_and_month(folder):
    c = run(folder).crimes.set_index("crime_id")
    assert c.loc["a1", "offence_group"] == "Burglary"
    assert c.loc["a2", "offence_group"] == "Drug offences"
    assert c.loc["a3", "offence_group"] == "Violence against the person"
    assert c.loc["a4", "offence_group"] == "Theft"
    assert c.loc["b1", "offence_group"] == "Public order offences"
    assert list(c["victim_based"]) == [True, False, True, True, False, True]
    assert list(c["district"]) == [
        "Basildon",
        "Castle Point",
        "Unassigned",  # no location
        "Southend-on-Sea",
        "Unassigned",  # Havering: outside the force area
        "Thurrock",
    ]
    assert c.loc["b2", "recorded_date"] == pd.Timestamp("2014-02-01")


def test_crimes_map_outcomes_and_date_outcome_only_where_there_is_one(folder):
    c = run(folder).crimes.set_index("crime_id")
    assert c["outcome_type"].tolist()[:4] == [
        "charge_summons",
        "cannabis_warning",
        "evidential_difficulties",
        "community_resolution",
    ]
    assert c["outcome_type"].isna().tolist() == [False, False, False, False, True, True]
    assert c.loc["a1", "outcome_date"] == pd.Timestamp("2014-01-01")
    assert pd.isna(c.loc["b1", "outcome_date"])


CRIME_FLAGS = (
    "domestic_abuse",
    "night_time_economy",
    "rural",
    "business",
    "class_a_supply",
    "evidence_led_prosecution",
)
INCIDENT_FLAGS = ("domestic_abuse", "alcohol", "drugs", "mental_health")


@pytest.mark.parametrize("col", CRIME_FLAGS)
def test_crime_flags_the_source_lacks_are_written_not_recorded_never_false(folder, col):
    c = run(folder).crimes
    assert str(c[col].dtype) == "boolean"
    assert c[col].isna().all(), f"{col}: {c[col].tolist()}"  # pd.NA, not False


def test_crime_risk_level_and_victim_are_not_recorded(folder):
    c = run(folder).crimes
    assert c["da_risk_level"].isna().all()
    assert c["victim_id"].isna().all()
    assert c["victim_based"].dtype == bool and c["victim_based"].notna().all()


@pytest.mark.parametrize("extract", ["crimes", "incidents", "msg_peers"])
def test_extracts_have_the_contract_columns_and_dtypes(folder, tmp_path, extract):
    write_import(run(folder), tmp_path / "out")
    df = pd.read_parquet(tmp_path / "out" / f"{extract}.parquet")
    spec = EXTRACTS[extract]
    assert list(df.columns) == spec.column_names
    expected = {
        "str": "string",
        "category": "string",
        "date": "datetime64[ns]",
        "month": "datetime64[ns]",
        "datetime": "datetime64[ns]",
        "bool": "bool",
        "int": "int64",
        "float": "float64",
    }
    not_recorded = police_uk.NOT_RECORDED.get(extract, ())
    for col in spec.columns:
        want = expected[col.type]
        if col.name in not_recorded:  # written empty: the nullable dtype
            want = {"bool": "boolean", "int": "Int64"}.get(col.type, want)
            assert df[col.name].isna().all(), col.name
        assert str(df[col.name].dtype) == want, col.name
        if col.allowed:
            assert set(df[col.name].dropna()) <= set(col.allowed), col.name
        if not col.nullable:
            assert df[col.name].notna().all(), col.name
    if spec.unique:
        assert not df.duplicated(list(spec.unique)).any()


# ------------------------------------------------------------------------------------- incidents
def test_asb_rows_become_incidents_with_ids_in_file_order(folder):
    inc = run(folder).incidents
    assert list(inc["incident_id"]) == [
        "ASB-2014-01-000001",
        "ASB-2014-01-000002",
        "ASB-2014-02-000001",
    ]
    assert list(inc["district"]) == ["Basildon", "Unassigned", "Basildon"]
    assert list(inc["opened_at"]) == [pd.Timestamp("2014-01-01")] * 2 + [pd.Timestamp("2014-02-01")]
    assert inc["asb"].dtype == bool and inc["asb"].all()
    for col in (*INCIDENT_FLAGS, "grade", "urban_rural", "arrived_at", "victim_id"):
        assert inc[col].isna().all(), f"{col}: {inc[col].tolist()}"  # not recorded: empty
    assert str(inc["grade"].dtype) == "Int64"


def test_import_report_names_the_columns_not_recorded(folder, tmp_path):
    write_import(run(folder), tmp_path / "out")
    report = json.loads((tmp_path / "out" / "import_report.json").read_text())
    assert report["not_recorded"]["crimes"][:6] == list(CRIME_FLAGS)
    assert set(INCIDENT_FLAGS) | {"grade", "urban_rural"} <= set(
        report["not_recorded"]["incidents"]
    )
    assert not any(v is False for v in report["constants"]["crimes"].values())
    md = (tmp_path / "out" / "import_report.md").read_text()
    assert "## Not recorded in this source" in md and "`night_time_economy`" in md


def test_imported_folder_loads_with_unrecorded_flags_and_the_cube_reads_them_na(folder, tmp_path):
    from helpers.measures.cube import build_cube
    from helpers.periods import window
    from helpers.sources.loading import LoadReport, load_extracts

    write_import(run(folder), tmp_path / "out")
    report = LoadReport()
    frames = load_extracts(tmp_path / "out", report=report)
    assert str(frames["crimes"]["domestic_abuse"].dtype) == "boolean"
    assert report.extracts["crimes"].not_recorded["domestic_abuse"] == ["2014-01", "2014-02"]
    assert report.extracts["incidents"].not_recorded["grade"] == ["2014-01", "2014-02"]
    assert report.extracts["crimes"].empty_where_recorded == {}
    cube = build_cube(frames)
    w = window("month", "2014-02")
    assert cube.value("all_crime", w).value == 2
    assert cube.value("asb_incidents", w).value == 1
    for mid, column, extract in [
        ("da_offences", "domestic_abuse", "crimes"),
        ("da_incidents", "domestic_abuse", "incidents"),
        ("nte_crimes", "night_time_economy", "crimes"),
        ("class_a_prosecutions", "class_a_supply", "crimes"),
        ("da_evidence_led_prosecutions", "evidence_led_prosecution", "crimes"),
        ("emergency_attendance", "grade", "incidents"),
    ]:
        v = cube.value(mid, w)
        assert not v.available and v.value is None, mid
        assert (
            v.reason
            == f"the {reader_name(extract, column)} ({column}) is not recorded in {extract} for Feb 2014"
        ), mid
        assert (extract, column) in cube.never_recorded(mid)


# ------------------------------------------------------------------------------------- msg_peers
def test_msg_peers_count_crimes_per_month_with_population_denominator(folder):
    peers = run(folder).msg_peers
    got = {
        (m.strftime("%Y-%m"), mid): (num, den)
        for m, mid, num, den in peers[
            ["month", "measure_id", "numerator", "denominator"]
        ].itertuples(index=False)
    }
    pop = 1043000.0
    assert got == {
        ("2014-01", "all_crime"): (2.0, pop),
        ("2014-01", "victim_based_crime"): (1.0, pop),
        ("2014-02", "all_crime"): (1.0, pop),
        ("2014-02", "victim_based_crime"): (1.0, pop),
    }
    assert set(peers["force"]) == {"Derbyshire Constabulary"}


def test_default_peers_are_the_other_forces_in_msg_forces(folder):
    result = import_street_files(folder, "essex", profile=load_profile())
    assert [p["slug"] for p in result.report["peers"]] == [
        "avon-and-somerset",
        "derbyshire",
        "hampshire",
        "hertfordshire",
        "leicestershire",
        "staffordshire",
        "sussex",
    ]
    assert set(result.msg_peers["force"]) == {"Derbyshire Constabulary"}


def test_peer_without_files_is_reported_missing_not_dropped(folder):
    result = import_street_files(folder, "essex", peers=["derbyshire", "sussex"])
    assert result.report["missing_months"]["sussex"] == ["2014-01", "2014-02"]
    assert any("sussex" in w for w in result.warnings)


def test_gzip_and_plain_csv_give_the_same_rows(tmp_path):
    rows = [row("x1"), row("", "Anti-social behaviour")]
    plain = import_street_files(
        write_street(tmp_path / "p", "2014-01", "essex", rows).parents[1], "essex", peers=[]
    )
    gz = import_street_files(
        write_street(tmp_path / "g", "2014-01", "essex", rows, gz=True).parents[1],
        "essex",
        peers=[],
    )
    pd.testing.assert_frame_equal(plain.crimes, gz.crimes)
    assert plain.report["files"][0]["sha256"] == gz.report["files"][0]["sha256"]


# ------------------------------------------------------------------------------------- bad input
def test_other_header_is_an_error_naming_file_expected_and_found(tmp_path):
    header = [c for c in EXPECTED_COLUMNS if c != "Crime type"] + ["Type of crime"]
    write_street(tmp_path, "2014-01", "essex", [row()], header=header)
    with pytest.raises(PoliceUkImportError) as exc:
        import_street_files(tmp_path, "essex", peers=[])
    msg = str(exc.value)
    assert "2014-01-essex-street.csv" in msg
    assert "expected columns" in msg and "found columns" in msg
    assert "missing: ['Crime type']" in msg and "Type of crime" in msg


def test_extra_column_is_a_header_problem_not_an_error(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row()], header=[*EXPECTED_COLUMNS, "Notes"])
    result = import_street_files(tmp_path, "essex", peers=[])
    assert len(result.crimes) == 1
    assert result.report["header_problems"][0]["file"] == "2014-01/2014-01-essex-street.csv"
    assert any("Notes" in w for w in result.warnings)


@pytest.mark.parametrize("column", ["Falls within", "Reported by"])
def test_file_of_another_force_is_an_error_naming_file_and_rows(tmp_path, column):
    rows = [row("k1"), row("k2"), row("k3")]
    for r in rows[1:]:
        r[column] = "Kent Police"
    write_street(tmp_path, "2014-01", "essex", rows)
    with pytest.raises(PoliceUkImportError) as exc:
        import_street_files(tmp_path, "essex", peers=[])
    msg = str(exc.value)
    assert "2014-01-essex-street.csv" in msg and f"'{column}'" in msg
    assert "2 row(s)" in msg and "line 3: 'Kent Police'" in msg and "line 4" in msg


def test_peer_file_holding_the_home_force_is_an_error(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row()])
    write_street(tmp_path, "2014-01", "derbyshire", [row("e9")], gz=True)  # Essex rows
    with pytest.raises(PoliceUkImportError, match=r"derbyshire-street\.csv\.gz.*Falls within"):
        import_street_files(tmp_path, "essex", peers=["derbyshire"])


def test_month_column_disagreeing_with_file_name_is_an_error(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row(), row("c2", month="2014-02")])
    with pytest.raises(PoliceUkImportError, match=r"'Month'.*line 3: '2014-02'"):
        import_street_files(tmp_path, "essex", peers=[])


def test_file_in_the_wrong_month_folder_is_an_error(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row()], name="2014-02-essex-street.csv")
    with pytest.raises(PoliceUkImportError, match="folder 2014-01"):
        import_street_files(tmp_path, "essex", peers=[])


def test_month_folder_that_is_not_a_month_is_an_error(tmp_path):
    write_street(tmp_path, "2014-13", "essex", [row(month="2014-13")])
    with pytest.raises(PoliceUkImportError, match="2014-13: folder name is not a month"):
        import_street_files(tmp_path, "essex", peers=[])


def test_other_files_are_listed_as_not_read(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row()])
    (tmp_path / "2014-01" / "2014-01-essex-outcomes.csv").write_text("x\n")
    write_street(tmp_path, "2014-01", "kent", [])
    report = import_street_files(tmp_path, "essex", peers=[]).report
    assert report["files_not_read"] == [
        {"file": "2014-01/2014-01-essex-outcomes.csv", "reason": "not a street-level crime file"},
        {"file": "2014-01/2014-01-kent-street.csv", "reason": "force kent not requested"},
    ]


def test_same_month_as_csv_and_gz_is_an_error(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row()])
    write_street(tmp_path, "2014-01", "essex", [row()], gz=True)
    with pytest.raises(PoliceUkImportError, match="keep one of them"):
        import_street_files(tmp_path, "essex", peers=[])


def test_unknown_crime_type_is_an_error_naming_file_column_and_rows(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row(), row("c2", "Cyber crime")])
    with pytest.raises(PoliceUkImportError) as exc:
        import_street_files(tmp_path, "essex", peers=[])
    msg = str(exc.value)
    assert "'Crime type'" in msg and "Cyber crime" in msg
    assert "2014-01-essex-street.csv line 3" in msg


def test_a_peer_the_profile_does_not_list_is_an_error_naming_its_msg_forces(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row()])
    with pytest.raises(
        PoliceUkImportError,
        match=r"^profiles/demo/msg_forces\.csv: column 'police_uk_slug'.*'kent'",
    ):
        import_street_files(tmp_path, "essex", peers=["kent"], profile=DEMO_PROFILE_DIR)


@pytest.mark.parametrize(("force", "peers"), [("atlantis", []), ("essex", ["atlantis"])])
def test_an_unknown_slug_without_a_profile_names_the_forces_table(tmp_path, force, peers):
    write_street(tmp_path, "2014-01", "essex", [row()])
    with pytest.raises(PoliceUkImportError) as exc:
        import_street_files(tmp_path, force, peers=peers)
    msg = str(exc.value)
    assert msg.startswith("data/reference/forces.csv: column 'police_uk_slug' has no force")
    assert "'atlantis'" in msg and "kent" in msg  # the known slugs are listed


def test_no_file_of_the_home_force_is_an_error(tmp_path):
    (tmp_path / "2014-01").mkdir()
    with pytest.raises(PoliceUkImportError, match="no street file of force 'essex'"):
        import_street_files(tmp_path, "essex", peers=[])


def test_missing_month_between_first_and_last_is_a_warning(tmp_path):
    for m in ("2014-01", "2014-03"):
        write_street(tmp_path, m, "essex", [row(f"c{m}", month=m)])
    result = import_street_files(tmp_path, "essex", peers=[])
    assert result.report["missing_months"] == {"essex": ["2014-02"]}
    assert "essex: no file for month(s) 2014-02" in result.warnings
    assert len(result.crimes) == 2


def test_requested_month_absent_is_a_warning_and_other_months_are_not_read(tmp_path):
    for m in ("2014-01", "2014-02", "2014-03"):
        write_street(tmp_path, m, "essex", [row(f"c{m}", month=m)])
    result = import_street_files(tmp_path, "essex", peers=[], months="2014-02:2014-04")
    assert list(result.crimes["crime_id"]) == ["c2014-02", "c2014-03"]
    assert result.report["missing_months"] == {"essex": ["2014-04"]}
    assert {
        "file": "2014-01/2014-01-essex-street.csv",
        "reason": "outside --months",
    } in result.report["files_not_read"]


def test_duplicate_crime_ids_keep_the_first_and_list_every_occurrence(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row("d1"), row("x"), row("d1", "Robbery")])
    write_street(
        tmp_path, "2014-02", "essex", [row("d1", month="2014-02"), row("y", month="2014-02")]
    )
    result = import_street_files(tmp_path, "essex", peers=[])
    assert list(result.crimes["crime_id"]) == ["d1", "x", "y"]
    assert result.crimes.set_index("crime_id").loc["d1", "offence_group"] == "Burglary"
    assert result.report["duplicate_crime_ids"] == [
        {
            "force": "essex",
            "crime_id": "d1",
            "kept": "2014-01/2014-01-essex-street.csv:2",
            "dropped": ["2014-01/2014-01-essex-street.csv:4", "2014-02/2014-02-essex-street.csv:2"],
        }
    ]
    by_force = result.report["rows_read"]["by_force"]["essex"]
    assert by_force == {"rows_read": 5, "crimes": 3, "asb": 0, "duplicate_rows_dropped": 2}
    assert any("appear more than once" in w for w in result.warnings)


def test_unknown_outcome_is_null_listed_and_warned(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row("u1", outcome="Sent to the moon"), row("u2")])
    with pytest.warns(PoliceUkImportWarning, match="Sent to the moon"):
        result = import_street_files(tmp_path, "essex", peers=[])
    assert result.crimes["outcome_type"].isna().all()
    assert result.report["unknown_outcome_categories"] == [
        {
            "category": "Sent to the moon",
            "rows": 1,
            "examples": ["2014-01/2014-01-essex-street.csv:2"],
        }
    ]


def test_rows_without_location_or_outside_the_area_are_unassigned_counted_and_listed(folder):
    report = run(folder).report
    assert report["no_location"]["count"] == {"crimes": 1, "incidents": 0}
    assert [r["where"] for r in report["no_location"]["rows"]] == [
        "2014-01/2014-01-essex-street.csv:5"
    ]
    assert report["outside_force_area"]["count"] == {"crimes": 1, "incidents": 1}
    assert report["outside_force_area"]["districts"] == {"Havering": 2}
    assert {r["extract"] for r in report["outside_force_area"]["rows"]} == {"crimes", "incidents"}


def test_crime_without_id_gets_a_synthetic_id_and_a_warning(tmp_path):
    write_street(tmp_path, "2014-01", "essex", [row(""), row("")])
    result = import_street_files(tmp_path, "essex", peers=[])
    assert list(result.crimes["crime_id"]) == ["NOID-2014-01-000001", "NOID-2014-01-000002"]
    assert result.report["crimes_without_id"] == 2


def test_nothing_is_lost_rows_read_equal_crimes_asb_and_duplicates(folder):
    r = run(folder).report
    for v in r["rows_read"]["by_force"].values():
        assert v["rows_read"] == v["crimes"] + v["asb"] + v["duplicate_rows_dropped"]
    essex = r["rows_read"]["by_force"]["essex"]
    assert r["rows_written"]["crimes"] == essex["crimes"]
    assert r["rows_written"]["incidents"] == essex["asb"]


# --------------------------------------------------------------------------------------- mappings
@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("Offender sent to prison", "charge_summons"),
        ("Offender given suspended prison sentence", "charge_summons"),
        ("Offender fined", "charge_summons"),
        ("Offender given community sentence", "charge_summons"),
        ("Court result unavailable", "charge_summons"),
        ("Suspect charged as part of another case", "charge_summons"),
        ("Awaiting court outcome", "charge_summons"),
        ("Defendant found not guilty", "charge_summons"),
        ("Offender given conditional discharge", "charge_summons"),
        ("Offender deprived of property", "charge_summons"),
        ("Offender ordered to pay compensation", "charge_summons"),
        ("Offender given absolute discharge", "charge_summons"),
        ("Offender otherwise dealt with", "charge_summons"),
        ("Defendant sent to Crown Court", "charge_summons"),
        ("Court case unable to proceed", "charge_summons"),
        ("Offender given a caution", "caution"),
        ("Offender given a drugs possession warning", "cannabis_warning"),
        ("Offender given penalty notice", "penalty_notice"),
        ("Local resolution", "community_resolution"),
        ("Investigation complete; no suspect identified", "no_suspect_identified"),
        ("Unable to prosecute suspect", "evidential_difficulties"),
        ("Formal action is not in the public interest", "not_in_public_interest"),
        ("Action to be taken by another organisation", "transferred_to_other_body"),
        ("Under investigation", None),
        ("", None),
    ],
)
def test_outcome_category_maps_to_contract_outcome(tmp_path, category, expected):
    assert police_uk.OUTCOME_CATEGORY_TYPES[category] == expected
    write_street(tmp_path, "2014-01", "essex", [row("o1", outcome=category)])
    got = import_street_files(tmp_path, "essex", peers=[]).crimes["outcome_type"].iloc[0]
    assert (pd.isna(got) and expected is None) or got == expected


def test_outcome_mapping_targets_are_contract_outcome_types():
    targets = {v for v in police_uk.OUTCOME_CATEGORY_TYPES.values() if v is not None}
    assert targets <= set(OUTCOME_TYPES)


def test_crime_type_mapping_targets_are_contract_offence_groups():
    targets = {v for v in police_uk.CRIME_TYPE_GROUPS.values() if v is not None}
    assert targets <= set(OFFENCE_GROUPS)
    not_victim = {"Drug offences", "Possession of weapons", "Public order offences"}
    assert not_victim.isdisjoint(VICTIM_BASED_GROUPS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("2014-01:2014-11", (pd.Period("2014-01", "M"), pd.Period("2014-11", "M"))),
        ("2014-05", (pd.Period("2014-05", "M"), pd.Period("2014-05", "M"))),
    ],
)
def test_parse_months(text, expected):
    assert parse_months(text) == expected


@pytest.mark.parametrize("text", ["2014-11:2014-01", "2014/01", "2014-01:2014-02:2014-03"])
def test_parse_months_rejects_bad_ranges(text):
    with pytest.raises(PoliceUkImportError, match="--months"):
        parse_months(text)


# ------------------------------------------------------------------------------- report and CLI
def test_report_lists_files_with_rows_and_sha256_of_uncompressed_content(folder):
    report = run(folder).report
    f = next(x for x in report["files"] if x["file"] == "2014-01/2014-01-derbyshire-street.csv.gz")
    content = gzip.decompress((folder / f["file"]).read_bytes())
    assert f["sha256"] == hashlib.sha256(content).hexdigest()
    assert f["rows"] == 3
    assert report["months_found"] == {
        "essex": ["2014-01", "2014-02"],
        "derbyshire": ["2014-01", "2014-02"],
    }


def test_output_is_deterministic(folder, tmp_path):
    a = write_import(run(folder), tmp_path / "a")
    b = write_import(run(folder), tmp_path / "b")
    for name in ("import_report.json", "import_report.md"):
        assert (a / name).read_text() == (b / name).read_text()
    for name in ("crimes", "incidents", "msg_peers"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(a / f"{name}.parquet"), pd.read_parquet(b / f"{name}.parquet")
        )


def test_cli_writes_extracts_report_and_prints_elapsed_time(folder, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["--input", str(folder), "--force", "essex", "--peers", "derbyshire", "--out", str(out)]
    )
    assert code == 0
    for name in ("crimes.parquet", "incidents.parquet", "msg_peers.parquet", "import_report.md"):
        assert (out / name).exists(), name
    report = json.loads((out / "import_report.json").read_text())
    assert report["rows_written"] == {"crimes": 6, "incidents": 3, "msg_peers": 4}
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith("done in ") and lines[-2].endswith(" s")
    assert lines[-1].startswith("next: python -m helpers.pack --month 2014-02 ")


def test_cli_reports_an_error_and_exits_2(tmp_path, capsys):
    write_street(tmp_path / "in", "2014-01", "essex", [row("c", "Cyber crime")])
    code = main(
        [
            "--input",
            str(tmp_path / "in"),
            "--force",
            "essex",
            "--peers",
            "",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "Cyber crime" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_help_exits_cleanly(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "--months" in capsys.readouterr().out


# ------------------------------------------------------------------- the output folder is guarded


def _cli(folder, out):
    return main(
        ["--input", str(folder), "--force", "essex", "--peers", "derbyshire", "--out", str(out)]
    )


def test_cli_refuses_a_folder_of_extracts_it_did_not_write_and_changes_nothing(
    folder, tmp_path, capsys
):
    out = tmp_path / "force_extracts"
    out.mkdir()
    (out / "crimes.parquet").write_bytes(b"the force's own crimes")
    (out / "incidents.parquet").write_bytes(b"the force's own incidents")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    assert _cli(folder, out) == 2

    err = capsys.readouterr().err
    assert "force_extracts" in err and "did not write" in err and "crimes.parquet" in err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_write_import_refuses_a_folder_it_did_not_write(folder, tmp_path):
    out = tmp_path / "other"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(police_uk.OutputFolderError, match="notes.txt"):
        write_import(run(folder), out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_cli_refuses_a_file_as_the_output_folder(folder, tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("not a folder")
    assert _cli(folder, target) == 2
    assert "is a file" in capsys.readouterr().err
    assert target.read_text() == "not a folder"


def test_a_new_or_empty_folder_is_written_and_marked_then_a_reimport_is_allowed(folder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _cli(folder, empty) == 0
    marker = json.loads((empty / police_uk.IMPORT_MARKER).read_text())
    assert marker["tool"] == "helpers.police_uk"
    assert "crimes.parquet" in marker["files"]
    # a later import into the folder it wrote (the pack's cube cache beside the files) is allowed
    (empty / ".cache").mkdir()
    assert _cli(folder, empty) == 0
    assert _cli(folder, tmp_path / "new" / "folder") == 0
    assert (tmp_path / "new" / "folder" / "crimes.parquet").exists()
    assert not list(empty.glob(".*.tmp"))  # written through temporary files, none left


# ------------------------------------------------------------------- districts that do not fit
def _refs(tmp_path, aliases: str | None = None):
    """The demo profile, copied, with an optional district_aliases.csv."""
    ref = tmp_path / "profile"
    shutil.copytree(DEMO_PROFILE_DIR, ref)
    if aliases is not None:
        (ref / "district_aliases.csv").write_text(aliases)
    return ref


def test_an_import_mostly_outside_the_district_table_is_refused_naming_the_districts(tmp_path):
    rows = [row(f"k{i}", lsoa=f"Ashford {i % 9:03d}A") for i in range(140)]
    rows += [row(f"c{i}", lsoa="Canterbury 001A") for i in range(30)]
    rows += [row(f"b{i}", lsoa="Basildon 001A") for i in range(10)]
    write_street(tmp_path / "street", "2014-01", "essex", rows)
    with pytest.raises(PoliceUkImportError) as err:
        import_street_files(tmp_path / "street", "essex", peers=[], profile=_refs(tmp_path))
    text = str(err.value)
    assert "170 of 180 located records (94.4%)" in text
    assert "Ashford (140), Canterbury (30)" in text and "districts.csv" in text
    assert "district_aliases.csv" in text and "leave out --profile" in text


def test_a_renamed_district_is_mapped_by_the_alias_list_not_sent_to_unassigned(tmp_path):
    rows = [row(f"s{i}", lsoa=f"Shepway {i:03d}B") for i in range(120)]
    rows += [row("b1", lsoa="Basildon 001A")]
    write_street(tmp_path / "street", "2014-01", "essex", rows)
    with pytest.raises(PoliceUkImportError, match="Shepway \\(120\\)"):
        import_street_files(tmp_path / "street", "essex", peers=[], profile=_refs(tmp_path))
    ref = _refs(tmp_path / "with", aliases="alias,district\nShepway,Colchester\n")
    result = import_street_files(tmp_path / "street", "essex", peers=[], profile=ref)
    assert (result.crimes["district"] == "Colchester").sum() == 120
    assert result.report["outside_force_area"]["count"] == {"crimes": 0, "incidents": 0}


def test_an_alias_to_a_district_the_table_does_not_have_is_refused(tmp_path):
    write_street(tmp_path / "street", "2014-01", "essex", [row("b1")])
    ref = _refs(tmp_path, aliases="alias,district\nShepway,Folkestone and Hythe\n")
    with pytest.raises(PoliceUkImportError) as exc:
        import_street_files(tmp_path / "street", "essex", peers=[], profile=ref)
    msg = str(exc.value)
    assert msg.startswith(f"{ref / 'district_aliases.csv'}: column 'district'")
    assert "districts.csv does not list" in msg and "row 2: 'Folkestone and Hythe'" in msg


# ------------------------------------------------------- a profile made from another force's files
#: Kent's synthetic records a month: three districts of its own (and one ASB in the first), and
#: two crimes snapped across the boundary into Wealden (2 of 453 located, 0.44 %: under the 0.5 %
#: a district needs).
KENT_DISTRICTS = {"Maidstone 001A": 150, "Medway 002B": 150, "Dover 003C": 150}


def kent_rows(month="2014-01", lsoas=None, boundary=2):
    """Street rows of Kent for ``month``: ``n`` crimes in each LSOA of ``lsoas`` (LSOA → n), one
    ASB in the first LSOA, and ``boundary`` crimes in Wealden."""
    lsoas = lsoas or KENT_DISTRICTS
    rows = []
    for lsoa, n in lsoas.items():
        rows += [
            row(f"{month}-{lsoa[:3]}{i}", lsoa=lsoa, month=month, force="kent") for i in range(n)
        ]
    rows.append(row("", "Anti-social behaviour", next(iter(lsoas)), month=month, force="kent"))
    rows += [
        row(f"{month}-w{i}", lsoa="Wealden 001A", month=month, force="kent")
        for i in range(boundary)
    ]
    return rows


@pytest.fixture
def kent(tmp_path):
    """Two months of Kent (the Wealden records in each) and one month of Essex as a peer."""
    root = tmp_path / "kent_street"
    for month in ("2014-01", "2014-02"):
        write_street(root, month, "kent", kent_rows(month))
    write_street(root, "2014-01", "essex", [row("e1"), row("e2", lsoa="Thurrock 004A")])
    return root


def test_a_profile_is_made_from_the_lsoa_names_of_a_non_essex_force(kent):
    result = import_street_files(kent, "kent")  # no peers named: none (not all 42 others)
    draft = result.profile_draft
    assert draft.force_name == "Kent Police"
    assert list(draft.districts["district"]) == ["Dover", "Maidstone", "Medway"]  # not Wealden
    assert set(draft.districts["lpa"]) == {"Kent"}
    assert list(draft.msg_forces.itertuples(index=False, name=None)) == [
        ("Kent Police", "kent", 1815000)  # forces.csv's residents
    ]
    assert result.report["profile"] == {"made": True, "districts": ["Dover", "Maidstone", "Medway"]}
    assert result.report["force"] == {"slug": "kent", "name": "Kent Police"}
    # Wealden's records: Unassigned, counted as outside the force area, not a district
    c = result.crimes
    assert set(c["district"]) == {"Dover", "Maidstone", "Medway", "Unassigned"}
    assert c.loc[c["crime_id"].str.contains("-w"), "district"].eq("Unassigned").all()
    assert (c["district"] == "Unassigned").sum() == 4
    assert result.report["outside_force_area"]["districts"] == {"Wealden": 4}
    assert result.report["outside_force_area"]["count"] == {"crimes": 4, "incidents": 0}
    assert set(result.incidents["district"]) == {"Maidstone"}
    assert result.report["peers"] == [] and result.msg_peers.empty
    assert {"file": "2014-01/2014-01-essex-street.csv", "reason": "force essex not requested"} in (
        result.report["files_not_read"]
    )


def test_a_district_at_the_share_is_kept_and_the_share_can_be_set(tmp_path):
    lsoas = {"Maidstone 001A": 195, "Dover 003C": 5}  # Dover: 5 of 201 located, 2.5 %
    write_street(tmp_path, "2014-01", "kent", kent_rows(lsoas=lsoas, boundary=0))
    made = import_street_files(tmp_path, "kent", peers=[]).profile_draft
    assert list(made.districts["district"]) == ["Dover", "Maidstone"]
    made = import_street_files(tmp_path, "kent", peers=[], min_district_share=0.05).profile_draft
    assert list(made.districts["district"]) == ["Maidstone"]


def test_peers_of_a_made_profile_come_from_the_forces_table(kent):
    result = import_street_files(kent, "kent", peers=["essex"])
    msg = result.profile_draft.msg_forces
    assert list(msg.itertuples(index=False, name=None)) == [
        ("Kent Police", "kent", 1815000),
        ("Essex Police", "essex", 1801000),
    ]
    assert result.report["peers"] == [
        {"slug": "essex", "name": "Essex Police", "population_2016": 1801000}
    ]
    assert set(result.msg_peers["force"]) == {"Essex Police"}
    assert result.report["missing_months"] == {"essex": ["2014-02"]}


def test_write_import_writes_the_made_profile_and_it_loads(kent, tmp_path):
    out = write_import(import_street_files(kent, "kent", peers=["essex"]), tmp_path / "out")
    profile = load_profile(out / "profile")
    assert profile.force.force_name == "Kent Police" and profile.force.short_name == "Kent"
    assert profile.force.protective_marking == "OFFICIAL" and profile.force.suppress_below is None
    assert profile.home_force == "Kent Police"
    assert list(profile.districts["district"]) == ["Dover", "Maidstone", "Medway"]
    assert profile.districts["population_2016"].isna().all()  # not known: never a guess
    assert list(profile.msg_forces["force"]) == ["Kent Police", "Essex Police"]
    assert profile.aliases == {}
    assert not list(out.glob(".*.tmp"))


def test_write_import_never_overwrites_a_profile(kent, tmp_path):
    out = write_import(import_street_files(kent, "kent", peers=[]), tmp_path / "out")
    districts = out / "profile" / "districts.csv"
    edited = districts.read_text().replace("Dover,Kent", "Dover,East Kent")
    districts.write_text(edited)
    with pytest.raises(police_uk.OutputFolderError, match="profile exists: a profile is never"):
        write_import(import_street_files(kent, "kent", peers=[]), out)
    assert districts.read_text() == edited


def _kent_cli(kent, out, *extra):
    return main(["--input", str(kent), "--force", "kent", "--out", str(out), *extra])


def test_cli_writes_the_made_profile_and_prints_the_pack_command(kent, tmp_path, capsys):
    out = tmp_path / "kent_out"
    assert _kent_cli(kent, out, "--peers", "essex") == 0
    assert (out / "profile" / "force.yaml").exists()
    assert load_profile(out / "profile").home_force == "Kent Police"
    lines = capsys.readouterr().out.strip().splitlines()
    wrote = next(line for line in lines if line.startswith("profile: wrote "))
    assert "for Kent Police (3 districts, one LPA, peers: Essex Police)" in wrote
    shown = out.resolve()
    assert lines[-1] == (
        f"next: python -m helpers.pack --month 2014-02 --data {shown} --profile {shown / 'profile'}"
    )


def test_a_second_cli_import_reuses_the_profile_and_keeps_a_hand_edit(kent, tmp_path, capsys):
    out = tmp_path / "kent_out"
    assert _kent_cli(kent, out, "--peers", "essex") == 0
    districts = out / "profile" / "districts.csv"
    edited = districts.read_text().replace("Dover,Kent,", "Dover,East Kent,")
    assert edited != districts.read_text()
    districts.write_text(edited)
    capsys.readouterr()

    assert _kent_cli(kent, out, "--peers", "essex") == 0

    text = capsys.readouterr().out
    assert "(written by an earlier import; kept)" in text and "profile: wrote" not in text
    assert districts.read_text() == edited
    assert set(load_profile(out / "profile").districts["lpa"]) == {"East Kent", "Kent"}
    report = json.loads((out / "import_report.json").read_text())
    assert report["profile"] == {"made": False, "folder": str(out.resolve() / "profile")}
    assert report["peers"][0]["slug"] == "essex"
    # without --peers the kept profile's Most Similar Group is used
    assert _kent_cli(kent, out) == 0
    report = json.loads((out / "import_report.json").read_text())
    assert [p["slug"] for p in report["peers"]] == ["essex"]


def test_cli_refuses_another_forces_profile_naming_it(kent, tmp_path, capsys):
    out = tmp_path / "kent_out"
    assert _kent_cli(kent, out, "--profile", "profiles/demo") == 2
    err = capsys.readouterr().err
    assert "profile profiles/demo is for Essex Police (essex), not 'kent'" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_cli_refuses_a_missing_profile_folder_naming_it(kent, tmp_path, capsys):
    assert _kent_cli(kent, tmp_path / "o", "--profile", str(tmp_path / "no_such")) == 2
    err = capsys.readouterr().err
    assert f"profile {tmp_path / 'no_such'} not found" in err


def _kent_profile(tmp_path, districts, aliases=None):
    """A hand-made Kent profile: the demo's folder copied, its tables rewritten for Kent."""
    folder = tmp_path / "kent_profile"
    shutil.copytree(DEMO_PROFILE_DIR, folder)
    text = (folder / "force.yaml").read_text(encoding="utf-8")
    text = text.replace("Essex Police (demo force)", "Kent Police")
    (folder / "force.yaml").write_text(text.replace("short_name: Essex", "short_name: Kent"))
    lines = ["district,lpa,population_2016"] + [f"{d},{lpa}," for d, lpa in districts.items()]
    (folder / "districts.csv").write_text("\n".join(lines) + "\n")
    (folder / "msg_forces.csv").write_text(
        "force,police_uk_slug,population_2016\nKent Police,kent,1815000\n"
        "Essex Police,essex,1801000\n"
    )
    if aliases is not None:
        (folder / "district_aliases.csv").write_text(aliases)
    return folder


def test_an_alias_in_the_profile_maps_a_renamed_district(tmp_path):
    lsoas = {"Shepway 014B": 120, "Dover 003C": 60}
    write_street(tmp_path / "street", "2014-01", "kent", kent_rows(lsoas=lsoas))
    districts = {"Folkestone and Hythe": "East Kent", "Dover": "East Kent"}
    without = _kent_profile(tmp_path / "a", districts)
    with pytest.raises(PoliceUkImportError, match=r"explains: Shepway \(121\), Wealden \(2\)\."):
        import_street_files(tmp_path / "street", "kent", profile=without)

    aliased = _kent_profile(
        tmp_path / "b", districts, aliases="alias,district\nShepway,Folkestone and Hythe\n"
    )
    result = import_street_files(tmp_path / "street", "kent", profile=aliased)
    assert result.profile_draft is None
    assert (result.crimes["district"] == "Folkestone and Hythe").sum() == 120
    assert list(result.incidents["district"]) == ["Folkestone and Hythe"]
    assert result.report["outside_force_area"]["districts"] == {"Wealden": 2}
    assert result.report["profile"] == {"made": False, "folder": str(aliased)}
    assert [p["slug"] for p in result.report["peers"]] == ["essex"]  # the profile's group
