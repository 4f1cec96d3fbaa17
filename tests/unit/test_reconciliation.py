"""Nothing lost: over the whole demo cube, the force equals the sum of its parts, and the cube's
counts equal the records of the extracts they come from.

For every measure with figures below force level, every month and every window row (``month`` rows
and the precomputed ``fytd`` / ``rolling-12m`` rows): Force = the districts + ``Unassigned``,
Force = the LPAs + ``Unassigned``, and each LPA = its districts. Counts are compared exactly;
denominators too (a rate's parts add up like counts). Then a few counts are recomputed from the
record-level extracts, month by month and district by district, and the load report's rows are
reconciled with what the cube counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.config import DEMO_DATA_DIR
from helpers.geography import FORCE, UNASSIGNED
from helpers.measures.cube import load_cube
from helpers.sources import loading

pytestmark = pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="the demo data is not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)


@pytest.fixture(scope="module")
def cube():
    return load_cube(DEMO_DATA_DIR)


@pytest.fixture(scope="module")
def wide(cube):
    """measure × window × month rows; one column per geography, for numerator and denominator."""
    f = cube.frame
    below = set(f.loc[f.level != "force", "measure_id"])
    f = f[f.measure_id.isin(below)]
    return {
        part: f.pivot_table(
            index=["measure_id", "window", "month"],
            columns="geography",
            values=part,
            aggfunc="sum",
            dropna=False,
        )
        for part in ("numerator", "denominator")
    }


@pytest.fixture(scope="module")
def reference(cube):
    return cube.geographies(include_unassigned=True)


def _mismatches(total: pd.Series, parts: pd.Series) -> pd.Series:
    both_nan = total.isna() & parts.isna()
    close = np.isclose(total.to_numpy(float), parts.to_numpy(float), rtol=1e-12, atol=1e-9)
    return total[~(close | both_nan)]


def test_the_whole_cube_is_checked(cube, wide):
    measures = set(wide["numerator"].index.get_level_values("measure_id"))
    counts = set(cube.measures.loc[cube.measures.unit == "count", "measure_id"])
    assert len(measures & counts) >= 40  # every count measure below force level
    windows = set(wide["numerator"].index.get_level_values("window"))
    assert windows == {"month", "fytd", "rolling-12m"}
    months = wide["numerator"].index.get_level_values("month")
    assert months.min() <= "2011-04" and months.max() >= "2016-09"


@pytest.mark.parametrize("part", ["numerator", "denominator"])
def test_force_is_the_sum_of_the_districts_and_unassigned(wide, reference, part):
    w = wide[part]
    districts = reference.loc[reference.level == "district", "geography"].tolist()
    assert UNASSIGNED in districts
    mism = _mismatches(w[FORCE], w[districts].sum(axis=1, min_count=1))
    assert mism.empty, f"force ≠ districts + Unassigned ({part}):\n{mism.head(10)}"


@pytest.mark.parametrize("part", ["numerator", "denominator"])
def test_force_is_the_sum_of_the_lpas_and_unassigned(wide, reference, part):
    w = wide[part]
    lpas = reference.loc[reference.level == "lpa", "geography"].tolist()
    parts = w[[*lpas, UNASSIGNED]].sum(axis=1, min_count=1)
    mism = _mismatches(w[FORCE], parts)
    assert mism.empty, f"force ≠ LPAs + Unassigned ({part}):\n{mism.head(10)}"


@pytest.mark.parametrize("part", ["numerator", "denominator"])
def test_each_lpa_is_the_sum_of_its_districts(wide, reference, part):
    w = wide[part]
    for lpa in reference.loc[reference.level == "lpa", "geography"]:
        members = reference.loc[
            (reference.level == "district") & (reference.lpa == lpa), "geography"
        ].tolist()
        assert members, lpa
        mism = _mismatches(w[lpa], w[members].sum(axis=1, min_count=1))
        assert mism.empty, f"{lpa} ≠ its districts ({part}):\n{mism.head(10)}"


def test_every_count_row_is_a_whole_number(cube):
    counts = set(cube.measures.loc[cube.measures.unit == "count", "measure_id"])
    f = cube.frame[cube.frame.measure_id.isin(counts)]
    assert (f.numerator.dropna() == np.round(f.numerator.dropna())).all()
    assert (f.numerator.dropna() >= 0).all()


def test_window_values_add_up_like_the_months(cube, reference):
    """cube.value on whole windows (the figures the tables print) reconciles too."""
    from helpers import periods

    counts = cube.measures[
        (cube.measures.unit == "count") & cube.measures.levels.str.contains("district")
    ]["measure_id"]
    districts = reference.loc[reference.level == "district", "geography"].tolist()
    checked = 0
    for mid in counts:
        for kind in ("rolling-12m", "fytd", "month"):
            w = periods.window(kind, "2016-09")
            force = cube.value(mid, w, FORCE)
            if not force.available:
                continue
            parts = [cube.value(mid, w, d) for d in districts]
            assert all(p.available for p in parts), (mid, kind)
            assert force.numerator == pytest.approx(sum(p.numerator for p in parts)), (mid, kind)
            checked += 1
    assert checked >= 100


# ---------------------------------------------------------------------------------- from records


def _read(name: str, columns: list[str]) -> pd.DataFrame:
    return pd.read_parquet(loading.extract_path(DEMO_DATA_DIR, name), columns=columns)


def _cube_matrix(cube, measure_id: str) -> pd.DataFrame:
    f = cube.frame
    f = f[(f.measure_id == measure_id) & (f.window == "month") & (f.level == "district")]
    return f.pivot_table(index="month", columns="geography", values="numerator", aggfunc="sum")


def _records_matrix(df: pd.DataFrame, date: str, like: pd.DataFrame) -> pd.DataFrame:
    months = pd.to_datetime(df[date]).to_numpy().astype("datetime64[M]").astype(str)
    district = df["district"].astype(object).fillna(UNASSIGNED).replace("", UNASSIGNED)
    counts = pd.crosstab(months, district.to_numpy())
    return counts.reindex(index=like.index, columns=like.columns, fill_value=0).astype(float)


def test_all_crime_is_every_crime_record_by_month_and_district(cube):
    crimes = _read("crimes", ["recorded_date", "district"])
    got = _cube_matrix(cube, "all_crime")
    expected = _records_matrix(crimes, "recorded_date", got)
    pd.testing.assert_frame_equal(got, expected, check_names=False)
    assert got.to_numpy().sum() == len(crimes)  # no crime record lost or counted twice


def test_unassigned_crimes_are_the_records_without_a_district(cube):
    district = _read("crimes", ["district"])["district"].astype(object)
    got = _cube_matrix(cube, "all_crime")[UNASSIGNED].sum()
    assert got == (district.isna() | district.isin(["", UNASSIGNED])).sum()
    assert got > 0  # the demo has some, so the rule is exercised


def test_asb_incidents_are_the_flagged_incident_records(cube):
    inc = _read("incidents", ["opened_at", "district", "asb"])
    inc = inc[inc["asb"].astype(bool)]
    got = _cube_matrix(cube, "asb_incidents")
    pd.testing.assert_frame_equal(got, _records_matrix(inc, "opened_at", got), check_names=False)


def test_ksi_casualties_are_the_killed_or_seriously_injured_records(cube):
    col = _read("collisions", ["collision_id", "collision_date", "district"])
    cas = _read("casualties", ["collision_id", "severity"])
    ksi = cas[cas["severity"].isin(["fatal", "serious"])].merge(col, on="collision_id")
    got = _cube_matrix(cube, "ksi_all")
    pd.testing.assert_frame_equal(
        got, _records_matrix(ksi, "collision_date", got), check_names=False
    )


# ---------------------------------------------------------------------------------- load report


def test_the_load_report_says_where_every_row_went(tmp_path):
    """Blank lines, rows after the report month, empty districts: every row is accounted for."""
    (tmp_path / "collisions.csv").write_text(
        "collision_id,collision_date,district\n"
        "K1,2016-08-31,Colchester\n"
        "K2,2016-09-01,\n"  # no district: counted, as Unassigned
        ",,\n"  # a blank line: not a record
        "K3,2016-09-30,Basildon\n"
        "K4,2016-10-01,Basildon\n"  # after the report month
        "K5,2017-01-02,Unassigned\n",
        encoding="utf-8",
    )
    report = loading.LoadReport()
    loading.load_extracts(tmp_path, report=report)
    as_dict = report.to_dict("2016-09")
    rec = as_dict["extracts"]["collisions"]["reconciliation"]
    assert rec == {
        "file": "collisions.csv",
        "rows_in_file": 6,
        "rows_read": 5,
        "rows_loaded": 5,
        "rows_counted": 3,
        "rows_excluded": {
            "blank_line": 1,
            "refused_duplicate_or_invalid": 0,
            "after_report_month": 2,
        },
        "rows_unassigned": 2,
        "dated": True,
        "balanced": True,
    }
    assert "rows_by_month" not in as_dict["extracts"]["collisions"]  # kept out of run.json
    assert "reconciliation" not in report.to_dict()["extracts"]["collisions"]


def test_the_demo_load_report_balances_and_matches_the_cube(cube):
    report = loading.load_report(DEMO_DATA_DIR, "2016-09")
    assert report["errors"] == []
    for name, entry in report["extracts"].items():
        rec = entry["reconciliation"]
        assert rec["balanced"], name
        assert rec["rows_in_file"] == rec["rows_counted"] + sum(rec["rows_excluded"].values())
    crimes = report["extracts"]["crimes"]["reconciliation"]
    f = cube.frame
    all_crime = f[(f.measure_id == "all_crime") & (f.window == "month") & (f.geography == FORCE)]
    assert all_crime.loc[all_crime.month <= "2016-09", "numerator"].sum() == crimes["rows_counted"]
    assert all_crime["numerator"].sum() == crimes["rows_loaded"]
    assert crimes["rows_excluded"]["after_report_month"] > 0  # the demo runs to Dec 2016
    unassigned = f[
        (f.measure_id == "all_crime") & (f.window == "month") & (f.geography == UNASSIGNED)
    ]["numerator"].sum()
    assert unassigned == crimes["rows_unassigned"]
