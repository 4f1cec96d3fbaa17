"""The demo-force generator: deterministic, in the contract, seasonal, scalable, written safely."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import demo
from helpers.contract import EXTRACTS
from helpers.loading import districts, msg_forces

#: A twelve-month range holding one calibration window (Oct 2014 – Sep 2015) and part of the
#: drug-test pilot; small enough to generate in a few seconds.
RANGE = demo.DemoOptions(seed=2016, scale=1, start="2014-10", end="2015-09")
SMALL = demo.DemoOptions(seed=7, scale=1, start="2016-01", end="2016-03")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo.generate_frames(RANGE)


# ------------------------------------------------------------------------------ determinism
def test_same_seed_gives_identical_frames():
    a = demo.generate_frames(SMALL)
    b = demo.generate_frames(SMALL)
    assert list(a) == list(b) == list(EXTRACTS)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_another_seed_gives_other_records():
    a = demo.generate_frames(SMALL)
    b = demo.generate_frames(demo.DemoOptions(seed=8, start=SMALL.start, end=SMALL.end))
    assert not a["crimes"]["recorded_date"].equals(b["crimes"]["recorded_date"])


def test_same_seed_writes_byte_identical_files(tmp_path):
    demo.write_demo(tmp_path / "a", SMALL)
    demo.write_demo(tmp_path / "b", SMALL)
    for name in EXTRACTS:
        first = (tmp_path / "a" / f"{name}.parquet").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.parquet").read_bytes(), name
    assert (tmp_path / "a" / ".complete").read_bytes() == (
        tmp_path / "b" / ".complete"
    ).read_bytes()


# ------------------------------------------------------------------------------ the contract
def _is_dtype(series: pd.Series, kind: str, nullable: bool) -> bool:
    if kind in ("date", "datetime", "month"):
        return str(series.dtype) == "datetime64[ns]"
    if kind == "bool":
        return series.dtype == bool
    if kind == "int":
        return str(series.dtype) in (("Int64", "int64") if nullable else ("int64",))
    if kind == "float":
        return str(series.dtype) == "float64"
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_extract_matches_the_contract(frames, name):
    spec = EXTRACTS[name]
    df = frames[name]
    assert list(df.columns) == spec.column_names
    assert len(df) > 0, f"{name} is empty"
    for col in spec.columns:
        s = df[col.name]
        assert _is_dtype(s, col.type, col.nullable), f"{name}.{col.name}: dtype {s.dtype}"
        if not col.nullable:
            assert s.notna().all(), f"{name}.{col.name}: empty values in a required column"
        present = s.dropna()
        if col.allowed:
            bad = set(present.astype(str)) - set(col.allowed)
            assert not bad, f"{name}.{col.name}: values {sorted(bad)[:5]} not allowed"
        if col.minimum is not None:
            assert (present.astype(float) >= col.minimum).all(), f"{name}.{col.name} below minimum"
        if col.maximum is not None:
            assert (present.astype(float) <= col.maximum).all(), f"{name}.{col.name} above maximum"
        if col.type == "month":
            assert (present.dt.day == 1).all(), f"{name}.{col.name}: months are first days"
        if col.type == "date":
            assert (present.dt.normalize() == present).all(), f"{name}.{col.name} has times"
    if spec.unique:
        assert not df.duplicated(list(spec.unique)).any(), f"{name}: duplicate {spec.unique}"
    if spec.district_column:
        known = set(districts()["district"]) | {demo.UNASSIGNED}
        assert set(df[spec.district_column].astype(str)) <= known


def test_ids_are_pseudonymous(frames):
    assert frames["crimes"]["crime_id"].str.fullmatch(r"C\d{8}").all()
    victims = frames["crimes"]["victim_id"].dropna()
    assert victims.str.fullmatch(r"[VB]\d{8}").all()
    business = frames["crimes"]["business"]
    assert frames["crimes"].loc[business, "victim_id"].str.startswith("B").all()
    assert frames["crime_offenders"]["offender_id"].str.fullmatch(r"O\d{7}").all()


def test_records_refer_to_each_other(frames):
    crimes, links = frames["crimes"], frames["crime_offenders"]
    assert links["crime_id"].isin(crimes["crime_id"]).all()
    assert frames["casualties"]["collision_id"].isin(frames["collisions"]["collision_id"]).all()
    has_outcome = crimes["outcome_date"].notna()
    assert (crimes["outcome_type"].notna() == has_outcome).all()
    assert (
        crimes.loc[has_outcome, "outcome_date"] >= crimes.loc[has_outcome, "recorded_date"]
    ).all()
    inc = frames["incidents"]
    arrived = inc["arrived_at"].notna()
    assert (inc.loc[arrived, "arrived_at"] >= inc.loc[arrived, "opened_at"]).all()
    assert (crimes["victim_based"] == crimes["offence_group"].isin(demo.OFFENCE_GROUPS[:8])).all()
    assert crimes.loc[crimes["domestic_abuse"], "da_risk_level"].notna().all()
    assert crimes.loc[~crimes["domestic_abuse"], "da_risk_level"].isna().all()
    assert (crimes.loc[~crimes["victim_based"], "victim_id"].isna()).all()
    assert (inc["victim_id"].notna() == inc["domestic_abuse"]).all()


def test_a_few_records_are_unassigned(frames):
    share = (frames["crimes"]["district"] == demo.UNASSIGNED).mean()
    assert 0.0005 < share < 0.01


def test_peer_forces_are_named_as_in_the_reference(frames):
    forces = list(msg_forces()["force"])
    assert set(frames["msg_peers"]["force"]) == set(forces[1:])
    conf = frames["confidence_survey"]
    assert set(conf["force"]) == set(forces)
    assert set(conf["period_end"].dt.month) <= {3, 6, 9, 12}


def test_drug_tests_only_during_the_pilot(frames):
    months = frames["drug_tests"]["test_date"].dt.to_period("M")
    assert months.min() >= pd.Period(demo.DRUG_TEST_PILOT[0], "M")
    assert months.max() <= pd.Period(demo.DRUG_TEST_PILOT[1], "M")


# ------------------------------------------------------------------------------ realism
def test_crime_and_asb_peak_in_summer(frames):
    crimes = frames["crimes"]["recorded_date"].dt.to_period("M").value_counts()
    asb = (
        frames["incidents"]
        .loc[frames["incidents"]["asb"], "opened_at"]
        .dt.to_period("M")
        .value_counts()
    )
    summer = [pd.Period(m, "M") for m in ("2015-06", "2015-07", "2015-08")]
    winter = [pd.Period(m, "M") for m in ("2014-12", "2015-01", "2015-02")]
    assert crimes[summer].sum() > crimes[winter].sum() * 1.05
    assert asb[summer].sum() > asb[winter].sum() * 1.2


def test_calibration_window_totals_are_exact(frames):
    """The private check: counts straight from the frames for Oct 2014 – Sep 2015."""
    c = frames["crimes"]
    assert len(c) == 104561
    assert c["victim_based"].sum() == 94602
    assert c["domestic_abuse"].sum() == 11546
    assert c["night_time_economy"].sum() == 5706
    inc = frames["incidents"]
    assert inc["domestic_abuse"].sum() == 28111
    assert inc["asb"].sum() == 54257
    solved = c["outcome_type"].isin(demo.SOLVED_OUTCOMES)
    in_window = c["outcome_date"].between("2014-10-01", "2015-09-30")
    assert abs(100 * (solved & in_window).sum() / len(c) - 23.16) < 0.01


def test_repeat_victims_and_offenders_come_back(frames):
    c = frames["crimes"]
    per_victim = c["victim_id"].value_counts()
    assert (per_victim >= 2).sum() > 1000  # repeat victims
    assert per_victim.max() > 10  # a few heavily victimised (shops)
    per_offender = frames["crime_offenders"]["offender_id"].value_counts()
    assert (per_offender >= 2).sum() > 1000


def test_response_times_have_a_long_tail(frames):
    inc = frames["incidents"]
    g1 = inc[(inc["grade"] == 1) & inc["arrived_at"].notna()]
    minutes = (g1["arrived_at"] - g1["opened_at"]).dt.total_seconds() / 60
    assert minutes.median() < 15 < minutes.mean() + 5
    assert minutes.quantile(0.99) > 3 * minutes.median()


# ------------------------------------------------------------------------------ scale
def test_scale_multiplies_volumes():
    one = demo.generate_frames(SMALL)
    two = demo.generate_frames(
        demo.DemoOptions(seed=SMALL.seed, scale=2, start=SMALL.start, end=SMALL.end)
    )
    for name in ("crimes", "incidents", "satisfaction", "casualties"):
        ratio = len(two[name]) / len(one[name])
        assert 1.85 < ratio < 2.15, f"{name}: scale 2 gives {ratio:.2f}× the records"


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="scale"):
        demo.generate_frames(demo.DemoOptions(scale=0, start="2016-01", end="2016-02"))
    with pytest.raises(ValueError, match="no months"):
        demo.generate_frames(demo.DemoOptions(start="2016-05", end="2016-01"))


# ------------------------------------------------------------------------------ writing
def test_write_demo_writes_every_extract_and_the_marker_last(tmp_path):
    out = tmp_path / "demo"
    marker = demo.write_demo(out, SMALL)
    for name in EXTRACTS:
        df = pd.read_parquet(out / f"{name}.parquet")
        assert list(df.columns) == EXTRACTS[name].column_names
        assert len(df) == marker["rows"][name]
    saved = json.loads((out / demo.COMPLETE_MARKER).read_text())
    assert saved["seed"] == SMALL.seed and saved["scale"] == 1
    assert demo.is_complete(out)
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # no temporary folder left


def test_a_failed_run_leaves_the_previous_folder_untouched(tmp_path, monkeypatch):
    out = tmp_path / "demo"
    demo.write_demo(out, SMALL)
    before = (out / "crimes.parquet").read_bytes()

    def broken(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_build_calls", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        demo.write_demo(out, demo.DemoOptions(seed=99, start=SMALL.start, end=SMALL.end))
    assert (out / "crimes.parquet").read_bytes() == before
    assert demo.is_complete(out)
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]


def test_command_line_writes_the_folder(tmp_path, capsys):
    assert (
        demo.main(
            [
                "--out",
                str(tmp_path / "d"),
                "--seed",
                "3",
                "--start",
                "2016-01",
                "--end",
                "2016-02",
                "--quiet",
            ]
        )
        == 0
    )
    assert demo.is_complete(tmp_path / "d")
    assert "wrote" in capsys.readouterr().out


def test_nullable_ages_survive_parquet(tmp_path):
    demo.write_demo(tmp_path / "d", SMALL)
    ages = pd.read_parquet(tmp_path / "d" / "casualties.parquet")["age"]
    assert str(ages.dtype) == "Int64"
    assert np.issubdtype(
        pd.read_parquet(tmp_path / "d" / "crimes.parquet")["recorded_date"].dtype, np.datetime64
    )
