"""The monthly measure cube: each builder's rule, windows, coverage and reconciliation.

Every test builds a tiny cube from hand-made extracts (a few dozen rows) over a small reference of
three districts in two LPAs, and checks exact numerators and denominators.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from support.extract_rows import crime

from helpers.contract.extracts import reader_name
from helpers.geography import FORCE, UNASSIGNED
from helpers.measures import cube as cube_mod
from helpers.measures.cube import CubeError, Reference, build_cube, load_cube
from helpers.periods import window

# ---------------------------------------------------------------------------- fixtures

DISTRICTS = pd.DataFrame(
    {
        "district": ["A1", "A2", "B1"],
        "lpa": ["North", "North", "South"],
        "population_2016": [1000, 2000, 3000],
    }
)
FORCES = pd.DataFrame(
    {
        "force": ["Home Force", "Peer One", "Peer Two"],
        "police_uk_slug": ["home", "peer-one", "peer-two"],
        "population_2016": [100_000, 1_000_000, 500_000],
    }
)
REF = Reference(DISTRICTS, FORCES)
MONTHS = pd.period_range("2012-01", "2016-12", freq="M")


def incident(iid, opened, district="A1", **kw) -> dict:
    row = {
        "incident_id": iid,
        "opened_at": opened,
        "arrived_at": None,
        "grade": 3,
        "urban_rural": "urban",
        "district": district,
        "domestic_abuse": False,
        "asb": False,
        "alcohol": False,
        "drugs": False,
        "mental_health": False,
        "victim_id": None,
    }
    row.update(kw)
    return row


def background_crimes() -> list[dict]:
    """One plain crime per month in A1, Jan 2012 – Dec 2016: every month is covered.

    Each has its own victim, so victim ids are recorded every month (a month with none is not
    covered for repeat-victim measures) without making anyone a repeat victim.
    """
    return [crime(f"BG-{m}", f"{m}-15", victim_id=f"BGV-{m}") for m in MONTHS]


def background_incidents() -> list[dict]:
    return [incident(f"BGI-{m}", f"{m}-15 12:00", victim_id=f"BGIV-{m}") for m in MONTHS]


def frame(rows: list[dict], dates=(), datetimes=()) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in dates:
        df[c] = pd.to_datetime(df[c], format="ISO8601")
    for c in datetimes:
        df[c] = pd.to_datetime(df[c], format="ISO8601")
    return df


def background_links() -> pd.DataFrame:
    """An offender for each background crime, aged 9 (neither youth nor adult): offender links
    are recorded every month (a month with none is not covered for re-offending) and no cohort
    changes."""
    return pd.DataFrame(
        [(f"BG-{m}", f"BGO-{m}", 9) for m in MONTHS],
        columns=["crime_id", "offender_id", "age_at_offence"],
    )


def make_cube(crimes=(), incidents=(), background=True, **others) -> cube_mod.Cube:
    """Build a cube from extra rows; crimes, incidents and offender links get a covered background."""
    extracts = {}
    c = (background_crimes() if background else []) + list(crimes)
    if c:
        extracts["crimes"] = frame(c, dates=("recorded_date", "outcome_date"))
    i = (background_incidents() if background else []) + list(incidents)
    if i:
        extracts["incidents"] = frame(i, datetimes=("opened_at", "arrived_at"))
    if background and others.get("crime_offenders") is not None:
        others["crime_offenders"] = pd.concat(
            [background_links(), others["crime_offenders"]], ignore_index=True
        )
    extracts.update(others)
    return build_cube(extracts, REF)


def val(cube, mid, kind, month, geography=FORCE, lag=0):
    return cube.value(mid, window(kind, month, lag=lag), geography)


def num(cube, mid, kind, month, geography=FORCE, lag=0):
    v = val(cube, mid, kind, month, geography, lag)
    assert v.available, v.reason
    return v.numerator


def monthly(cube, mid, month, geography=FORCE):
    """The stored monthly row (for months before a measure's comparable date)."""
    f = cube.frame
    row = f[
        (f.measure_id == mid)
        & (f.window == "month")
        & (f.month == month)
        & (f.geography == geography)
    ]
    assert len(row) == 1, f"{mid} {month} {geography}: {len(row)} rows"
    return row.numerator.iloc[0]


# ---------------------------------------------------------------------------- windows

WINDOW_CRIMES = [
    crime("X1", "2013-03-10", "A1"),
    crime("X2", "2013-04-02", "A2"),
    crime("X3", "2014-03-31", "B1"),
    crime("X4", "2014-04-01", "B1"),
    crime("X5", "2013-12-31", "A1"),
    crime("X6", "2014-01-01", "A2"),
]


@pytest.mark.parametrize(
    ("kind", "month", "geography", "expected"),
    [
        ("fytd", "2014-03", FORCE, 12 + 4),  # Apr 2013 – Mar 2014: X2, X3, X5, X6
        ("fytd", "2014-03", "A1", 12 + 1),
        ("fytd", "2014-03", "A2", 2),
        ("fytd", "2014-03", "North", 12 + 3),
        ("fytd", "2014-03", "South", 1),
        ("fytd", "2014-04", FORCE, 1 + 1),  # a new financial year starts in April
        ("fytd", "2013-03", FORCE, 12 + 1),
        ("rolling-12m", "2014-02", FORCE, 12 + 4),  # Mar 2013 – Feb 2014: X1, X2, X5, X6
        ("rolling-12m", "2013-12", FORCE, 12 + 3),  # across a year end: X1, X2, X5
        ("rolling-12m", "2014-01", FORCE, 12 + 4),
        ("month", "2014-04", "B1", 1),
        ("month", "2013-12", FORCE, 2),
    ],
)
def test_window_sums_months_at_year_boundaries(kind, month, geography, expected):
    cube = make_cube(WINDOW_CRIMES)
    assert num(cube, "all_crime", kind, month, geography) == expected


def test_last_year_window_is_the_same_window_a_year_earlier():
    cube = make_cube(WINDOW_CRIMES)
    w = window("fytd", "2014-03")
    assert cube.value("all_crime", w.last_year()).numerator == 12 + 1  # X1 in Mar 2013


def test_count_has_no_denominator_and_its_value_is_the_count():
    cube = make_cube(WINDOW_CRIMES)
    v = val(cube, "all_crime", "month", "2014-04")
    assert (v.numerator, v.denominator, v.value, v.available) == (2.0, None, 2.0, True)


# ---------------------------------------------------------------------------- coverage


def drug_tests_without_march_2016() -> pd.DataFrame:
    rows = []
    for i, m in enumerate(pd.period_range("2015-01", "2016-09", freq="M")):
        if str(m) == "2016-03":
            continue
        rows.append(
            {"test_id": f"T{i}a", "test_date": f"{m}-05", "district": "A1", "positive": True}
        )
        rows.append(
            {"test_id": f"T{i}b", "test_date": f"{m}-06", "district": "B1", "positive": False}
        )
        rows.append(
            {"test_id": f"T{i}c", "test_date": f"{m}-07", "district": "B1", "positive": False}
        )
    return frame(rows, dates=("test_date",))


def test_a_month_without_data_makes_the_window_not_available_never_zero():
    cube = make_cube(drug_tests=drug_tests_without_march_2016())
    v = val(cube, "drug_test_positive", "rolling-12m", "2016-09")
    assert not v.available
    assert v.value is None
    assert v.reason == "no data for Mar 2016 in drug_tests"
    assert not val(cube, "drug_test_positive", "month", "2016-03").available


def test_sparse_source_months_with_rows_are_available():
    cube = make_cube(drug_tests=drug_tests_without_march_2016())
    v = val(cube, "drug_test_positive", "month", "2016-02")
    assert (v.numerator, v.denominator) == (1.0, 3.0)
    assert v.value == pytest.approx(100 / 3)
    assert val(cube, "drug_test_positive", "month", "2016-02", "B1").value == 0.0


def test_window_before_the_first_month_of_data_is_not_available():
    cube = make_cube()
    v = val(cube, "all_crime", "rolling-12m", "2012-06")
    assert not v.available
    assert v.reason == "no data for Jul 2011 in crimes"


def test_zero_denominator_is_not_available_not_a_crash():
    sat = frame(
        [
            {
                "response_id": f"R{m}",
                "survey_date": f"{m}-03",
                "crime_group": "burglary",
                "ethnicity_group": "White",
                "district": "A1",
                "q_contact": "satisfied",
                "q_actions": None,
                "q_follow_up": None,
                "q_treatment": None,
                "q_overall": "satisfied",
            }
            for m in pd.period_range("2015-10", "2016-09", freq="M")
        ],
        dates=("survey_date",),
    )
    cube = make_cube(satisfaction=sat)
    assert val(cube, "satisfaction_overall", "rolling-12m", "2016-09").value == 100.0
    b1 = val(cube, "satisfaction_overall", "rolling-12m", "2016-09", "B1")
    assert not b1.available and b1.value is None
    assert "zero denominator" in b1.reason
    actions = val(cube, "satisfaction_actions", "rolling-12m", "2016-09")  # no answers at all
    assert not actions.available and "zero denominator" in actions.reason


def test_absent_extract_leaves_its_measures_without_data_and_the_build_succeeds():
    peers = frame(
        [
            {
                "month": "2016-09-01",
                "force": "Peer One",
                "measure_id": "all_crime",
                "numerator": 10.0,
                "denominator": 1_000_000.0,
            }
        ],
        dates=("month",),
    )
    cube = make_cube(msg_peers=peers)  # police.uk style: crimes + incidents + msg_peers only
    v = val(cube, "satisfaction_overall", "rolling-12m", "2016-09")
    assert not v.available
    assert v.reason == "source extract absent (satisfaction)"
    r = val(cube, "youth_offenders", "month", "2016-03")
    assert r.reason == "source extract absent (crime_offenders)"
    assert num(cube, "all_crime", "month", "2016-09") == 1
    assert "satisfaction" not in cube.data_to
    assert cube.data_to["crimes"] == pd.Period("2016-12", "M")


def test_measure_only_at_force_level_is_not_available_at_district_or_lpa():
    calls = frame(
        [
            {
                "interval_start": "2016-09-01",
                "line": "999",
                "calls_offered": 110,
                "calls_answered": 100,
                "answered_within_standard": 90,
                "total_wait_seconds": 500.0,
            },
            {
                "interval_start": "2016-09-02",
                "line": "999",
                "calls_offered": 105,
                "calls_answered": 100,
                "answered_within_standard": 80,
                "total_wait_seconds": 700.0,
            },
            {
                "interval_start": "2016-09-01",
                "line": "non_emergency",
                "calls_offered": 120,
                "calls_answered": 100,
                "answered_within_standard": 50,
                "total_wait_seconds": 800.0,
            },
            {
                "interval_start": "2016-09-02",
                "line": "non_emergency",
                "calls_offered": 130,
                "calls_answered": 100,
                "answered_within_standard": 40,
                "total_wait_seconds": 1000.0,
            },
        ],
        datetimes=("interval_start",),
    )
    cube = make_cube(calls=calls)
    v = val(cube, "calls_999_within_standard", "month", "2016-09")
    assert (v.numerator, v.denominator, v.value) == (170.0, 200.0, 85.0)
    assert val(cube, "switchboard_wait", "month", "2016-09").value == 9.0
    assert val(cube, "calls_999_offered", "month", "2016-09").value == 215.0
    for geo, level in (("A1", "district"), ("North", "lpa")):
        d = val(cube, "calls_999_within_standard", "month", "2016-09", geo)
        assert not d.available
        assert d.reason == f"not available at {level} level"
    assert set(cube.frame.loc[cube.frame.measure_id == "switchboard_wait", "level"]) == {"force"}


def test_comparable_from_makes_earlier_windows_not_available():
    cube = make_cube()
    v = val(cube, "da_incidents", "fytd", "2013-03")
    assert not v.available
    assert v.reason == "before comparable date Apr 2013"
    assert val(cube, "da_incidents", "fytd", "2014-03").available


# ---------------------------------------------------------------------------- crime rules


def test_solved_rate_numerator_by_outcome_month_denominator_by_recorded_month():
    cube = make_cube(
        [
            crime("S1", "2016-08-20", outcome_type="charge_summons", outcome_date="2016-09-02"),
            crime("S2", "2016-09-03", outcome_type="caution", outcome_date="2016-10-01"),
            crime(
                "S3", "2016-09-04", outcome_type="no_suspect_identified", outcome_date="2016-09-20"
            ),
        ]
    )
    sep = val(cube, "solved_rate", "month", "2016-09")
    assert (sep.numerator, sep.denominator) == (1.0, 3.0)  # S1 solved in Sep; BG, S2, S3 recorded
    assert sep.value == pytest.approx(100 / 3)
    oct_ = val(cube, "solved_rate", "month", "2016-10")
    assert (oct_.numerator, oct_.denominator) == (1.0, 1.0)
    assert num(cube, "disposal_charge_summons", "month", "2016-09") == 1
    assert num(cube, "disposal_caution", "month", "2016-10") == 1
    assert num(cube, "disposal_caution", "month", "2016-09") == 0
    assert num(cube, "outcomes_solved", "month", "2016-09") == 1


def test_da_solved_rate_by_risk_level_filters_both_numerator_and_denominator():
    cube = make_cube(
        [
            crime(
                "D1",
                "2016-09-01",
                domestic_abuse=True,
                da_risk_level="high",
                outcome_type="charge_summons",
                outcome_date="2016-09-10",
            ),
            crime("D2", "2016-09-02", domestic_abuse=True, da_risk_level="high"),
            crime(
                "D3",
                "2016-09-03",
                domestic_abuse=True,
                da_risk_level="standard",
                outcome_type="caution",
                outcome_date="2016-09-11",
            ),
        ]
    )
    high = val(cube, "da_solved_rate_high", "month", "2016-09")
    assert (high.numerator, high.denominator) == (1.0, 2.0)
    da = val(cube, "da_solved_rate", "month", "2016-09")
    assert (da.numerator, da.denominator) == (2.0, 3.0)


def test_count_outcomes_by_outcome_date_and_type():
    cube = make_cube(
        [
            crime(
                "C1",
                "2016-05-01",
                class_a_supply=True,
                outcome_type="charge_summons",
                outcome_date="2016-09-01",
            ),
            crime(
                "C2",
                "2016-09-01",
                class_a_supply=True,
                outcome_type="caution",
                outcome_date="2016-09-05",
            ),
            crime(
                "C3",
                "2016-09-02",
                class_a_supply=False,
                outcome_type="charge_summons",
                outcome_date="2016-09-05",
            ),
        ]
    )
    assert num(cube, "class_a_prosecutions", "month", "2016-09") == 1
    assert num(cube, "class_a_prosecutions", "month", "2016-05") == 0


REPEAT_VICTIM_CRIMES = [
    crime("C1", "2013-05-10", "A1", victim_id="V1"),
    crime("C2", "2013-07-10", "B1", victim_id="V1"),
    crime("C3", "2013-06-10", "B1", victim_id="V2"),
    crime("C4", "2014-05-10", "A2", victim_id="V2"),
    crime("C5", "2013-09-10", "A2", victim_id="V3"),  # same day as C6: the lower id is first
    crime("C6", "2013-09-10", "A1", victim_id="V3"),
    crime("C7", "2013-10-01", "A1", victim_id="V4", business=True),
    crime("C8", "2013-11-01", "A1", victim_id="V4", business=True),
    crime("C9", "2013-12-01", "A2", victim_id="V4"),
    crime("C10", "2013-01-10", "A1", victim_id="V5"),
    crime("C11", "2013-02-10", "B1", victim_id="V5"),
    crime("C12", "2013-03-10", "B1", victim_id="V5"),
    crime("E1", "2013-09-12", "A1", victim_id=""),  # an empty id is no victim, not one victim
    crime("E2", "2013-09-13", "A1", victim_id=""),
]


@pytest.mark.parametrize(
    ("kind", "month", "expected"),
    [
        ("fytd", "2014-03", {"A1": 2, "A2": 1, "B1": 0}),  # V1 (A1), V3 (A2), V4 (A1)
        ("rolling-12m", "2014-05", {"A1": 1, "A2": 1, "B1": 1}),  # V2 (B1), V3, V4; V1 only C2
        ("rolling-12m", "2014-04", {"A1": 2, "A2": 1, "B1": 0}),  # V1, V3, V4; V2 only C3
        ("fytd", "2014-05", {"A1": 0, "A2": 0, "B1": 0}),  # V2 has one crime since April
        ("month", "2013-09", {"A1": 0, "A2": 1, "B1": 0}),  # V3 twice in the month
        ("month", "2013-07", {"A1": 0, "A2": 0, "B1": 0}),
        ("rolling-12m", "2013-12", {"A1": 3, "A2": 1, "B1": 0}),  # V5 once, in A1 (C10)
        ("rolling-12m", "2014-01", {"A1": 2, "A2": 1, "B1": 1}),  # V5 from C11 (B1)
    ],
)
def test_repeat_victims_in_window_counts_each_victim_once_and_force_is_sum_of_districts(
    kind, month, expected
):
    cube = make_cube(REPEAT_VICTIM_CRIMES)
    got = {d: num(cube, "repeat_victims_window", kind, month, d) for d in expected}
    assert got == expected
    assert num(cube, "repeat_victims_window", kind, month) == sum(expected.values())
    assert num(cube, "repeat_victims_window", kind, month, UNASSIGNED) == 0


def test_repeat_victims_of_business_crime_use_business_crimes_only():
    cube = make_cube(REPEAT_VICTIM_CRIMES)
    assert num(cube, "repeat_victims_business", "fytd", "2014-03") == 1  # V4: C7, C8
    assert num(cube, "repeat_victims_business", "fytd", "2014-03", "A1") == 1


def test_repeat_victims_in_window_is_stored_per_window_kind_not_summed():
    cube = make_cube(REPEAT_VICTIM_CRIMES)
    f = cube.frame
    kinds = set(f.loc[f.measure_id == "repeat_victims_window", "window"])
    assert kinds == {"month", "rolling-12m", "fytd"}
    # summing single months would count V1 (two months) zero times and V3 once
    months = f[
        (f.measure_id == "repeat_victims_window")
        & (f.window == "month")
        & (f.level == "force")
        & (f.month >= "2013-04")
        & (f.month <= "2014-03")
    ]
    assert months.numerator.sum() == 1
    assert num(cube, "repeat_victims_window", "fytd", "2014-03") == 3


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2013-07", {"B1": 1}),  # C2: V1's crime 61 days earlier
        ("2013-09", {"A1": 1}),  # C6: same day as C5, the first repeat crime of the month
        ("2014-05", {"A2": 1}),  # C4: 334 days after C3
        ("2013-11", {"A1": 1}),
        ("2013-12", {"A2": 1}),
        ("2013-05", {}),
    ],
)
def test_repeat_victims_previous_12_months(month, expected):
    cube = make_cube(REPEAT_VICTIM_CRIMES)
    for d in ("A1", "A2", "B1"):
        assert monthly(cube, "repeat_victims", month, d) == expected.get(d, 0)
    assert monthly(cube, "repeat_victims", month) == sum(expected.values())


DA_INCIDENTS = [
    incident("I1", "2014-03-20 10:00", "A1", domestic_abuse=True, victim_id="V"),
    incident("I2", "2014-04-10 10:00", "A2", domestic_abuse=True, victim_id="V"),
    incident("I3", "2015-04-15 10:00", "B1", domestic_abuse=True, victim_id="V"),  # 370 days
    incident("I4", "2015-05-01 10:00", "B1", domestic_abuse=True, victim_id="V"),
    incident("I5", "2014-05-01 10:00", "A1", domestic_abuse=True, victim_id="W"),
    incident("I6", "2014-05-02 10:00", "A1", domestic_abuse=True, victim_id="W"),
    incident("I7", "2014-05-03 10:00", "A2", domestic_abuse=True, victim_id="X"),
    incident("I8", "2014-05-04 10:00", "B1", domestic_abuse=True, victim_id="X"),
    incident("I9", "2014-05-05 10:00", "A1", domestic_abuse=True, victim_id="X"),
    incident("I10", "2014-05-06 10:00", "A1", domestic_abuse=False, victim_id="W"),
]


@pytest.mark.parametrize(
    ("mid", "kind", "month", "expected"),
    [
        ("da_repeat_incidents_fy", "month", "2014-04", 0),  # I2: I1 was last financial year
        ("da_repeat_incidents", "month", "2014-04", 1),  # I2: I1 21 days before
        ("da_repeat_incidents_fy", "month", "2015-04", 0),  # I3
        ("da_repeat_incidents", "month", "2015-04", 0),  # I3: 370 days after I2
        ("da_repeat_incidents_fy", "month", "2015-05", 1),  # I4
        ("da_repeat_incidents", "month", "2015-05", 1),
        ("da_repeat_incidents_fy", "fytd", "2014-05", 3),  # I6, I8, I9
        ("da_repeat_incidents", "month", "2014-05", 3),
    ],
)
def test_repeat_da_incident_rules(mid, kind, month, expected):
    cube = make_cube(incidents=DA_INCIDENTS)
    # the comparable date of the 2016 definition is not the point here: read the monthly rows
    f = cube.frame
    w = window(kind, month)
    months = [str(m) for m in w.months]
    rows = f[
        (f.measure_id == mid) & (f.window == "month") & (f.level == "force") & f.month.isin(months)
    ]
    assert len(rows) == len(months)
    assert rows.numerator.sum() == expected


def test_repeat_da_victims_counted_once_in_district_of_first_repeat_incident():
    cube = make_cube(incidents=DA_INCIDENTS)
    f = cube.frame
    may = f[(f.measure_id == "da_repeat_victims_incidents") & (f.month == "2014-05")]
    got = dict(zip(may.geography, may.numerator, strict=True))
    assert got["A1"] == 1  # W: I6
    assert got["B1"] == 1  # X: I8 is X's first repeat incident of the month (I9 too)
    assert got["A2"] == 0
    assert got[FORCE] == 2


def test_repeat_da_victims_of_crime_use_domestic_abuse_crimes():
    cube = make_cube(
        [
            crime("D1", "2016-01-10", "A1", domestic_abuse=True, victim_id="P"),
            crime("D2", "2016-09-10", "A2", domestic_abuse=True, victim_id="P"),
            crime("D3", "2016-08-10", "B1", domestic_abuse=False, victim_id="Q"),
            crime("D4", "2016-09-11", "B1", domestic_abuse=True, victim_id="Q"),
        ]
    )
    assert num(cube, "da_repeat_victims_crime", "month", "2016-09") == 1
    assert num(cube, "da_repeat_victims_crime", "month", "2016-09", "A2") == 1


# ---------------------------------------------------------------------------- re-offending

OFFENDER_CRIMES = [
    crime("R1", "2016-03-05", "A1"),
    crime("R2", "2016-09-20", "A2"),
    crime("R3", "2016-03-10", "B1"),
    crime("R4", "2016-10-01", "B1"),
    crime("R5", "2016-03-12", "A2"),
    crime("R6", "2016-03-20", "A1"),
    crime("R7", "2016-03-15", "A1"),
    crime("R8", "2016-04-01", "A1"),
]
LINKS = pd.DataFrame(
    [
        ("R1", "O1", 15),
        ("R2", "O1", 16),  # re-offends in month +6: counts
        ("R3", "O2", 30),
        ("R4", "O2", 31),  # month +7: too late
        ("R5", "O3", 16),
        ("R6", "O3", 16),  # same month: not a further crime after the cohort month
        ("R7", "O4", 18),
        ("R8", "O4", 18),
        ("R7", "O5", 9),  # not youth (10-17) and not adult
    ],
    columns=["crime_id", "offender_id", "age_at_offence"],
)


@pytest.mark.parametrize(
    ("mid", "geography", "expected"),
    [
        ("youth_offenders", FORCE, 2),  # O1, O3
        ("youth_offenders", "A2", 1),  # O3 in the district of their first crime of the month
        ("youth_reoffenders", FORCE, 1),  # O1
        ("youth_reoffenders", "A1", 1),
        ("adult_offenders", FORCE, 2),  # O2, O4
        ("adult_reoffenders", FORCE, 1),  # O4
        ("adult_reoffenders", "B1", 0),
    ],
)
def test_reoffending_cohort_and_six_month_follow_up(mid, geography, expected):
    cube = make_cube(OFFENDER_CRIMES, crime_offenders=LINKS)
    # lag 6: a report for Sep 2016 reads the cohort of Mar 2016
    assert num(cube, mid, "month", "2016-09", geography, lag=6) == expected


def test_reoffending_rate_is_reoffenders_over_cohort():
    cube = make_cube(OFFENDER_CRIMES, crime_offenders=LINKS)
    v = val(cube, "youth_reoffending_rate", "month", "2016-09", lag=6)
    assert (v.numerator, v.denominator, v.value) == (1.0, 2.0, 50.0)


def test_reoffending_needs_six_months_of_follow_up_data():
    cube = make_cube(OFFENDER_CRIMES, crime_offenders=LINKS)  # crimes run to Dec 2016
    assert val(cube, "youth_reoffenders", "month", "2016-06").available
    late = val(cube, "youth_reoffenders", "month", "2016-07")
    assert not late.available
    assert late.reason.startswith("no data for Jul 2016 in crimes")
    assert val(cube, "youth_offenders", "month", "2016-07").available


def test_domestic_abuse_reoffending_needs_a_further_domestic_abuse_crime():
    crimes = [
        crime("D1", "2016-03-01", "A1", domestic_abuse=True),
        crime("D2", "2016-05-01", "A1", domestic_abuse=False),
        crime("D3", "2016-03-02", "B1", domestic_abuse=True),
        crime("D4", "2016-06-01", "B1", domestic_abuse=True),
    ]
    links = pd.DataFrame(
        [("D1", "O5", 40), ("D2", "O5", 40), ("D3", "O6", 35), ("D4", "O6", 35)],
        columns=["crime_id", "offender_id", "age_at_offence"],
    )
    cube = make_cube(crimes, crime_offenders=links)
    assert num(cube, "da_repeat_offenders", "month", "2016-09", lag=6) == 1
    assert num(cube, "da_repeat_offenders", "month", "2016-09", "B1", lag=6) == 1
    assert num(cube, "adult_reoffenders", "month", "2016-09", lag=6) == 2


# ---------------------------------------------------------------------------- row order

TIED_CRIMES = [
    # the same victim twice on one day in two districts: the lower id is the first crime
    crime("T20", "2015-06-10", "B1", victim_id="TV", domestic_abuse=True),
    crime("T100", "2015-06-10", "A1", victim_id="TV", domestic_abuse=True),
    crime("T3", "2015-07-01", "A2", victim_id="TV", domestic_abuse=True),
]
TIED_INCIDENTS = [
    incident("J9", "2015-06-10 10:00", "B1", domestic_abuse=True, victim_id="TW"),
    incident("J10", "2015-06-10 10:00", "A2", domestic_abuse=True, victim_id="TW"),
    incident("J11", "2015-06-11 10:00", "A1", domestic_abuse=True, victim_id="TW"),
]


def _cube_from(extracts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    key = ["measure_id", "window", "month", "level", "geography"]
    return build_cube(extracts, REF).frame.sort_values(key).reset_index(drop=True)


def test_the_cube_does_not_depend_on_the_order_of_rows_in_the_files():
    """Same-time records of one person are ordered by record id (as text), not by file position:
    ids in file order, reversed and shuffled give the same cube, cell for cell."""
    crimes = frame(
        background_crimes() + REPEAT_VICTIM_CRIMES + OFFENDER_CRIMES + TIED_CRIMES,
        dates=("recorded_date", "outcome_date"),
    )
    incidents = frame(
        background_incidents() + DA_INCIDENTS + TIED_INCIDENTS,
        datetimes=("opened_at", "arrived_at"),
    )
    links = pd.concat([background_links(), LINKS], ignore_index=True)
    by_id = {
        "crimes": crimes.sort_values("crime_id", ignore_index=True),  # ids ascending down the file
        "incidents": incidents.sort_values("incident_id", ignore_index=True),
        "crime_offenders": links,
    }
    expected = _cube_from(by_id)
    rng = np.random.default_rng(7)
    for reorder in (
        lambda df: df.iloc[::-1].reset_index(drop=True),
        lambda df: df.iloc[rng.permutation(len(df))].reset_index(drop=True),
    ):
        got = _cube_from({k: reorder(v) for k, v in by_id.items()})
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # A file in date order whose ids also ascend takes the one-sort path: ids renumbered in
    # (date, id) order keep every tie-break, so the cube is the same again.
    renumbered = {}
    for name, date, key in (
        ("crimes", "recorded_date", "crime_id"),
        ("incidents", "opened_at", "incident_id"),
    ):
        df = by_id[name].sort_values([date, key], ignore_index=True)
        renumbered[name] = dict(zip(df[key], [f"N{i:05d}" for i in range(len(df))], strict=True))
        by_date = df.assign(**{key: df[key].map(renumbered[name])})
        by_id = by_id | {name: by_date}
    by_id["crime_offenders"] = links.assign(crime_id=links["crime_id"].map(renumbered["crimes"]))
    pd.testing.assert_frame_equal(_cube_from(by_id), expected, check_exact=True)
    f = expected[(expected.window == "month") & (expected.level == "district")]

    def at(mid, month):
        rows = f[(f.measure_id == mid) & (f.month == month) & (f.numerator > 0)]
        return dict(zip(rows.geography, rows.numerator, strict=True))

    # T100 sorts before T20 as text: TV's repeat in June is T20 (B1)
    assert at("da_repeat_victims_crime", "2015-06") == {"B1": 1.0}
    # J10 sorts before J9: TW's first repeat incident of June is J9 (B1)
    assert at("da_repeat_victims_incidents", "2015-06") == {"B1": 1.0}


# ---------------------------------------------------------------------------- incidents


def test_emergency_attendance_standard_is_15_minutes_urban_20_rural():
    t0 = "2016-09-10 10:00:00"
    cube = make_cube(
        incidents=[
            incident("E1", t0, grade=1, urban_rural="urban", arrived_at="2016-09-10 10:15:00"),
            incident("E2", t0, grade=1, urban_rural="urban", arrived_at="2016-09-10 10:15:01"),
            incident(
                "E3",
                t0,
                grade=1,
                urban_rural="rural",
                arrived_at="2016-09-10 10:20:00",
                district="B1",
            ),
            incident(
                "E4",
                t0,
                grade=1,
                urban_rural="rural",
                arrived_at="2016-09-10 10:21:00",
                district="B1",
            ),
            incident("E5", t0, grade=1, urban_rural="urban"),  # never attended: outside
            incident("E6", t0, grade=2, urban_rural="urban", arrived_at="2016-09-10 10:01:00"),
        ]
    )
    v = val(cube, "emergency_attendance", "month", "2016-09")
    assert (v.numerator, v.denominator, v.value) == (2.0, 5.0, 40.0)
    b1 = val(cube, "emergency_attendance", "month", "2016-09", "B1")
    assert (b1.numerator, b1.denominator) == (1.0, 2.0)
    assert val(cube, "emergency_response_rural", "month", "2016-09").value == pytest.approx(20.5)
    assert num(cube, "emergency_incidents", "month", "2016-09") == 5


# ---------------------------------------------------------------------------- not recorded

CRIME_FLAGS = (
    "domestic_abuse",
    "night_time_economy",
    "rural",
    "business",
    "class_a_supply",
    "evidence_led_prosecution",
)


def unrecorded(rows: list[dict], *columns: str, before: str | None = None) -> list[dict]:
    """The rows with ``columns`` empty (pd.NA / None), on every row or on those before a date."""
    out = []
    for r in rows:
        date = str(r.get("recorded_date") or r.get("opened_at"))
        if before is None or date < before:
            r = {**r, **{c: None if c in ("victim_id", "urban_rural") else pd.NA for c in columns}}
        out.append(r)
    return out


def as_boolean(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Flags as the importer writes them: pandas' nullable ``boolean``."""
    return df.astype({c: "boolean" for c in columns})


@pytest.mark.parametrize(
    ("mid", "column"),
    [
        ("da_offences", "domestic_abuse"),
        ("da_solved_rate", "domestic_abuse"),
        ("da_evidence_led_prosecutions", "evidence_led_prosecution"),
        ("nte_crimes", "night_time_economy"),
        ("class_a_prosecutions", "class_a_supply"),
        ("rural_crime", "rural"),
        ("business_crime", "business"),
        ("repeat_victims_window", "victim_id"),
        ("repeat_victims_business", "business"),
        ("da_repeat_victims_crime", "domestic_abuse"),
    ],
)
def test_a_crime_measure_is_na_where_its_column_is_not_recorded_never_zero(mid, column):
    rows = unrecorded(background_crimes(), *CRIME_FLAGS, "victim_id", "da_risk_level")
    cube = build_cube(
        {"crimes": as_boolean(frame(rows, dates=("recorded_date",)), *CRIME_FLAGS)}, REF
    )
    v = val(cube, mid, "month", "2016-11")
    assert not v.available and v.value is None
    assert (
        v.reason
        == f"the {reader_name('crimes', column)} ({column}) is not recorded in crimes for Nov 2016"
    )
    assert ("crimes", column) in cube.never_recorded(mid)
    assert not (cube.frame.measure_id == mid).any()  # no stored zero to leak into a chart
    assert num(cube, "all_crime", "month", "2016-11") == 1  # the source itself has data
    assert cube.never_recorded("all_crime") == []


def test_a_flag_recorded_from_a_month_on_is_na_before_and_counts_after():
    rows = [*background_crimes(), crime("F1", "2014-06-03", "A2", night_time_economy=True)]
    cube = build_cube(
        {
            "crimes": as_boolean(
                frame(unrecorded(rows, "night_time_economy", before="2014-04"), ("recorded_date",)),
                "night_time_economy",
            )
        },
        REF,
    )
    assert cube.never_recorded("nte_crimes") == []
    before = val(cube, "nte_crimes", "month", "2014-03")
    assert (
        before.reason
        == "the night-time economy flag (night_time_economy) is not recorded in crimes for Mar 2014"
    )
    assert num(cube, "nte_crimes", "month", "2014-04") == 0  # recorded, nothing flagged: a real 0
    assert num(cube, "nte_crimes", "month", "2014-06", "A2") == 1
    assert num(cube, "nte_crimes", "fytd", "2014-11") == 1
    spans = val(cube, "nte_crimes", "rolling-12m", "2014-11")  # Dec 2013 – Nov 2014
    assert (
        spans.reason
        == "the night-time economy flag (night_time_economy) is not recorded in crimes for Dec 2013"
    )
    s = cube.series("nte_crimes", start="2014-02", end="2014-05")
    assert s.value.isna().tolist() == [True, True, False, False]


def test_a_flag_empty_on_some_rows_of_a_recorded_month_counts_them_as_not_flagged():
    rows = [
        *background_crimes(),
        crime("P1", "2016-09-01", domestic_abuse=True),
        crime("P2", "2016-09-02", domestic_abuse=pd.NA),
        crime("P3", "2016-09-03", domestic_abuse=pd.NA),
    ]
    cube = build_cube(
        {"crimes": as_boolean(frame(rows, ("recorded_date",)), "domestic_abuse")}, REF
    )
    assert num(cube, "da_offences", "month", "2016-09") == 1
    assert num(cube, "all_crime", "month", "2016-09") == 4


def test_repeat_victims_need_victim_ids_in_the_look_back_months_too():
    rows = [
        {**r, "victim_id": None} if r["crime_id"] == "BG-2015-06" else r
        for r in background_crimes()
    ]
    rows += [crime("V1", "2016-07-01", victim_id="R"), crime("V2", "2016-08-01", victim_id="R")]
    cube = build_cube({"crimes": frame(rows, ("recorded_date",))}, REF)
    early = val(cube, "repeat_victims", "month", "2016-04")  # looks back to Apr 2015
    assert not early.available
    assert early.reason == (
        "no data for Apr 2016 in crimes (the rule looks back 365 days; the victim id (victim_id) is not recorded "
        "in crimes for Jun 2015)"
    )
    assert num(cube, "repeat_victims", "month", "2016-07") == 0
    assert num(cube, "repeat_victims", "month", "2016-08") == 1


def test_incident_measures_need_the_qualifier_the_grade_and_urban_rural_recorded():
    rows = unrecorded(
        [*background_incidents(), incident("Q1", "2016-09-05 10:00", asb=True)],
        "domestic_abuse",
        "alcohol",
        "drugs",
        "mental_health",
        "grade",
        "urban_rural",
        "victim_id",
    )
    df = frame(rows, datetimes=("opened_at", "arrived_at"))
    df = as_boolean(df, "domestic_abuse", "alcohol", "drugs", "mental_health").astype(
        {"grade": "Int64"}
    )
    cube = build_cube({"incidents": df}, REF)
    assert num(cube, "asb_incidents", "month", "2016-09") == 1
    for mid, column in [
        ("da_incidents", "domestic_abuse"),
        ("incidents_alcohol", "alcohol"),
        ("incidents_drugs", "drugs"),
        ("incidents_mental_health", "mental_health"),
        ("emergency_incidents", "grade"),
        ("emergency_attendance", "grade"),
        ("emergency_response_urban", "grade"),
        ("da_repeat_incidents", "domestic_abuse"),
        ("da_repeat_victims_incidents", "domestic_abuse"),
    ]:
        v = val(cube, mid, "month", "2016-09")
        assert not v.available, mid
        assert (
            v.reason
            == f"the {reader_name('incidents', column)} ({column}) is not recorded in incidents for Sep 2016"
        ), mid
        assert ("incidents", column) in cube.never_recorded(mid), mid


def test_an_incident_without_urban_rural_is_neither_urban_nor_rural_in_response_times():
    t0 = "2016-09-10 10:00:00"
    cube = make_cube(
        incidents=[
            incident("U1", t0, grade=1, urban_rural="urban", arrived_at="2016-09-10 10:10:00"),
            incident("U2", t0, grade=1, urban_rural=None, arrived_at="2016-09-10 10:40:00"),
        ]
    )
    assert num(cube, "emergency_response_urban", "month", "2016-09") == 10.0
    assert not val(cube, "emergency_response_rural", "month", "2016-09").available  # 0 of 0
    # held to the stricter (urban) standard: 40 minutes is outside it
    v = val(cube, "emergency_attendance", "month", "2016-09")
    assert (v.numerator, v.denominator) == (1.0, 2.0)


def test_reoffending_is_na_for_months_without_any_offender_link():
    links = background_links()
    links = links[~links.crime_id.isin(["BG-2016-03", "BG-2016-05"])]
    cube = make_cube(background=False, crimes=background_crimes(), crime_offenders=links)
    v = val(cube, "youth_offenders", "month", "2016-03")
    assert (
        v.reason == "the offender id (offender_id) is not recorded in crime_offenders for Mar 2016"
    )
    follow = val(cube, "youth_reoffenders", "month", "2016-01")  # follow-up reaches Mar 2016
    assert follow.reason == (
        "no data for Jan 2016 in crimes (re-offending needs the six months after the cohort "
        "month; the offender id (offender_id) is not recorded in crime_offenders for Mar 2016)"
    )
    assert num(cube, "youth_offenders", "month", "2016-04") == 0
    assert cube.never_recorded("youth_offenders") == []


def test_never_recorded_survives_the_cache(tmp_path):
    from helpers.config import REFERENCE_DIR

    real = pd.read_csv(REFERENCE_DIR / "districts.csv").district.iloc[0]
    rows = unrecorded([dict(r, district=real) for r in background_crimes()], *CRIME_FLAGS)
    df = as_boolean(frame(rows, dates=("recorded_date", "outcome_date")), *CRIME_FLAGS)
    df.to_parquet(tmp_path / "crimes.parquet")
    load_cube(tmp_path)
    cached = load_cube(tmp_path)  # read back from .cache
    assert cached.never_recorded("da_offences") == [("crimes", "domestic_abuse")]
    assert val(cached, "da_offences", "month", "2014-11").reason == (
        "the domestic-abuse flag (domestic_abuse) is not recorded in crimes for Nov 2014"
    )


# ---------------------------------------------------------------------------- surveys, MSG


def test_satisfaction_is_satisfied_over_answers_with_ethnicity_filter():
    answers = [
        ("satisfied", "White"),
        ("satisfied", "White"),
        ("satisfied", "BME"),
        ("dissatisfied", "BME"),
        ("neither", "White"),
        (None, "White"),
    ]
    sat = frame(
        [
            {
                "response_id": f"R{i}",
                "survey_date": "2016-09-05",
                "crime_group": "burglary",
                "ethnicity_group": eth,
                "district": "A1",
                "q_contact": None,
                "q_actions": None,
                "q_follow_up": None,
                "q_treatment": None,
                "q_overall": ans,
            }
            for i, (ans, eth) in enumerate(answers)
        ],
        dates=("survey_date",),
    )
    cube = make_cube(satisfaction=sat)
    overall = val(cube, "satisfaction_overall", "month", "2016-09")
    assert (overall.numerator, overall.denominator, overall.value) == (3.0, 5.0, 60.0)
    white = val(cube, "satisfaction_overall_white", "month", "2016-09")
    assert (white.numerator, white.denominator) == (2.0, 3.0)
    bme = val(cube, "satisfaction_overall_bme", "month", "2016-09")
    assert (bme.numerator, bme.denominator) == (1.0, 2.0)


def confidence_extract() -> pd.DataFrame:
    rows = [
        ("2016-03-01", "Home Force", "dealing_with_crime_asb", 1000, 600),
        ("2016-03-01", "Peer One", "dealing_with_crime_asb", 1000, 500),
        ("2016-03-01", "Peer Two", "dealing_with_crime_asb", 1000, 700),
        ("2015-03-01", "Home Force", "dealing_with_crime_asb", 1000, 550),
        ("2016-03-01", "Home Force", "police_good_job", 500, 300),
    ]
    return frame(
        [
            dict(
                zip(["period_end", "force", "question", "respondents", "agreeing"], r, strict=True)
            )
            for r in rows
        ],
        dates=("period_end",),
    )


def test_confidence_survey_is_read_at_the_period_end_for_the_home_force():
    cube = make_cube(confidence_survey=confidence_extract())
    w = window("rolling-12m", "2016-09", lag=6)
    v = cube.value("confidence_dealing", w)
    assert (v.numerator, v.denominator, v.value) == (600.0, 1000.0, 60.0)
    assert cube.value("confidence_dealing", w.last_year()).value == 55.0
    assert cube.value("confidence_good_job", w).value == 60.0
    assert v.as_of is None  # a survey period ends in Mar 2016: read as asked
    gap = cube.value("confidence_dealing", window("rolling-12m", "2016-02"))
    assert not gap.available
    assert gap.reason.startswith("no data for Feb 2016 in confidence_survey")
    assert not cube.value("confidence_dealing", window("month", "2016-03")).available
    assert cube.peer_values("confidence_dealing", w) == {
        "Home Force": 60.0,
        "Peer One": 50.0,
        "Peer Two": 70.0,
    }


def test_confidence_survey_between_period_ends_reads_the_latest_published_period():
    cube = make_cube(confidence_survey=confidence_extract())
    w = window("rolling-12m", "2016-05")  # periods end quarterly: Mar 2016 is the latest
    v = cube.value("confidence_dealing", w)
    assert (v.value, v.as_of) == (60.0, pd.Period("2016-03", "M"))
    assert cube.peer_values("confidence_dealing", w)["Peer Two"] == 70.0
    assert not cube.value("confidence_dealing", window("rolling-12m", "2016-06")).available


def test_peer_values_rank_crime_per_1000_residents_and_skip_incomplete_peers():
    rows = []
    for m in pd.period_range("2015-10", "2016-09", freq="M"):
        rows.append((f"{m}-01", "Peer One", "all_crime", 100.0, 1_000_000.0))
        if str(m) != "2016-01":  # Peer Two misses a month of the window
            rows.append((f"{m}-01", "Peer Two", "all_crime", 50.0, 500_000.0))
    peers = frame(
        [
            dict(zip(["month", "force", "measure_id", "numerator", "denominator"], r, strict=True))
            for r in rows
        ],
        dates=("month",),
    )
    cube = make_cube(msg_peers=peers)
    got = cube.peer_values("all_crime", window("rolling-12m", "2016-09"))
    # home: 12 crimes / 100,000 residents (msg_forces first row) × 1000; Peer One 1200 / 1e6
    assert got == {"Home Force": pytest.approx(0.12), "Peer One": pytest.approx(1.2)}
    assert set(cube.peers.columns) >= {"month", "force", "measure_id", "numerator", "denominator"}


def test_crimes_per_1000_uses_the_population_as_an_averaged_denominator():
    cube = make_cube()
    a1 = val(cube, "crimes_per_1000", "rolling-12m", "2016-09", "A1")
    assert (a1.numerator, a1.denominator, a1.value) == (12.0, 1000.0, 12.0)
    force = val(cube, "crimes_per_1000", "rolling-12m", "2016-09")
    assert (force.denominator, force.value) == (6000.0, 2.0)
    assert val(cube, "crimes_per_1000", "rolling-12m", "2016-09", "North").denominator == 3000.0


# ---------------------------------------------------------------------------- force-only sources


def workforce_extract(skip=()) -> pd.DataFrame:
    rows = []
    for m in pd.period_range("2015-10", "2016-09", freq="M"):
        strength = 100.0 if m < pd.Period("2016-04", "M") else 200.0
        for g in ("officer", "staff", "pcso"):
            if (g, str(m)) in skip:
                continue
            rows.append(
                {"month": f"{m}-01", "group": g, "strength_fte": strength, "days_lost": 10.0}
            )
    return frame(rows, dates=("month",))


def test_days_lost_divides_by_mean_strength_over_the_window():
    cube = make_cube(workforce=workforce_extract(skip={("staff", "2016-02")}))
    v = val(cube, "days_lost_officer", "rolling-12m", "2016-09")
    assert (v.numerator, v.denominator) == (120.0, 150.0)  # mean of 6 × 100 and 6 × 200
    assert v.value == pytest.approx(0.8)
    staff = val(cube, "days_lost_staff", "rolling-12m", "2016-09")
    assert staff.reason == "no data for Feb 2016 in workforce"


def test_savings_in_millions_against_plan_with_the_requirement():
    sv = frame(
        [
            {
                "month": "2016-09-01",
                "requirement_gbp": 12e6,
                "planned_to_date_gbp": 6e6,
                "delivered_to_date_gbp": 5.5e6,
            }
        ],
        dates=("month",),
    )
    cube = make_cube(savings=sv)
    v = val(cube, "savings_delivered", "month", "2016-09")
    assert (v.numerator, v.denominator, v.value) == (5.5, 6.0, 5.5)
    assert val(cube, "savings_requirement", "month", "2016-09").value == 12.0


# ---------------------------------------------------------------------------- KSI


def test_ksi_counts_casualties_and_collisions_with_filters():
    collisions = frame(
        [
            {"collision_id": "K1", "collision_date": "2016-09-01", "district": "A1"},
            {"collision_id": "K2", "collision_date": "2016-09-02", "district": "B1"},
            {"collision_id": "K3", "collision_date": "2016-09-03", "district": "B1"},
        ],
        dates=("collision_date",),
    )
    casualties = pd.DataFrame(
        [
            ("X1", "K1", "fatal", "pedestrian", 80, None),
            ("X2", "K1", "serious", "car_driver", 20, "drink"),
            ("X3", "K2", "serious", "car_driver", 77, None),
            ("X4", "K2", "slight", "pedal_cyclist", 12, None),
            ("X5", "K3", "slight", "car_driver", 30, None),
        ],
        columns=["casualty_id", "collision_id", "severity", "road_user", "age", "impairment"],
    )
    cube = make_cube(collisions=collisions, casualties=casualties)
    expected = {
        "ksi_all": 3,
        "ksi_fatal": 1,
        "ksi_serious": 2,
        "ksi_collisions": 2,
        "ksi_young_car_drivers": 1,
        "ksi_older_car_drivers": 1,
        "ksi_pedestrians": 1,
        "ksi_cyclists": 0,
        "ksi_children": 0,
        "ksi_drink_drivers": 1,
    }
    got = {mid: num(cube, mid, "month", "2016-09") for mid in expected}
    assert got == expected
    assert num(cube, "ksi_all", "month", "2016-09", "B1") == 1


# ---------------------------------------------------------------------------- geography


def test_unassigned_counts_in_the_force_but_in_no_lpa():
    cube = make_cube([crime("U1", "2016-09-03", None), crime("U2", "2016-09-04", "Nowhere")])
    assert num(cube, "all_crime", "month", "2016-09") == 3
    assert num(cube, "all_crime", "month", "2016-09", UNASSIGNED) == 2
    assert num(cube, "all_crime", "month", "2016-09", "North") == 1
    assert num(cube, "all_crime", "month", "2016-09", "South") == 0


def test_geographies_lists_force_lpas_and_districts():
    cube = make_cube()
    g = cube.geographies()
    assert g.geography.tolist() == [FORCE, "North", "South", "A1", "A2", "B1"]
    assert g.level.tolist() == ["force", "lpa", "lpa", "district", "district", "district"]
    assert g.set_index("geography").loc["B1", "lpa"] == "South"
    assert UNASSIGNED in cube.geographies(include_unassigned=True).geography.tolist()
    with pytest.raises(KeyError, match="is not known"):
        cube.value("all_crime", window("month", "2016-09"), "Atlantis")


def rich_cube() -> cube_mod.Cube:
    crimes = (
        WINDOW_CRIMES
        + REPEAT_VICTIM_CRIMES
        + OFFENDER_CRIMES
        + [
            crime("U1", "2016-09-03", None, victim_id="V9"),
            crime(
                "U2",
                "2016-09-04",
                "B1",
                victim_id="V9",
                domestic_abuse=True,
                outcome_type="charge_summons",
                outcome_date="2016-09-30",
            ),
        ]
    )
    return make_cube(
        crimes, DA_INCIDENTS, crime_offenders=LINKS, drug_tests=drug_tests_without_march_2016()
    )


def test_reconciliation_force_equals_sum_of_districts_and_lpas_add_up():
    cube = rich_cube()
    counts = cube.measures.loc[cube.measures.unit == "count", "measure_id"]
    f = cube.frame[cube.frame.measure_id.isin(counts)]
    district_level = f[f.level == "district"]
    assert len(district_level), "the fixture has district rows"
    checked = 0
    for (mid, kind), g in f.groupby(["measure_id", "window"]):
        force = g[g.level == "force"].set_index("month").numerator
        districts = g[g.level == "district"].groupby("month").numerator.sum()
        if districts.empty:
            continue
        pd.testing.assert_series_equal(
            force.sort_index(), districts.sort_index(), check_names=False, obj=f"{mid} {kind}"
        )
        lpas = g[g.level == "lpa"].pivot(index="month", columns="geography", values="numerator")
        d = g[g.level == "district"].pivot(index="month", columns="geography", values="numerator")
        np.testing.assert_array_equal(lpas["North"], d["A1"] + d["A2"])
        np.testing.assert_array_equal(lpas["South"], d["B1"])
        checked += 1
    assert checked >= 35  # every count measure with district rows in the fixture


def test_series_has_nan_for_months_without_data_never_zero():
    cube = make_cube(drug_tests=drug_tests_without_march_2016())
    s = cube.series("drug_test_positive", start="2016-01", end="2016-04")
    assert s.month.tolist() == list(pd.period_range("2016-01", "2016-04", freq="M"))
    assert np.isnan(s.value.iloc[2])
    assert s.value.iloc[1] == pytest.approx(100 / 3)
    r = cube.series("all_crime", kind="rolling-12m", start="2016-09", end="2016-09")
    assert r.numerator.tolist() == [12.0]


@pytest.mark.parametrize("kind", ["month", "rolling-12m", "fytd"])
def test_series_gives_exactly_what_value_gives_window_by_window(kind):
    # series reads the index's arrays directly; every figure and every N/A must be value()'s
    cube = rich_cube()
    cube.measures.loc[cube.measures.measure_id == "drug_test_positive", "comparable_from"] = (
        "2015-06"  # a comparable date inside the range, as some catalog measures have
    )
    cube._index = None
    months = pd.period_range("2012-11", "2017-02", freq="M")  # beyond the data at both ends
    checked = set()
    for mid in cube.measures["measure_id"]:
        for geography in (FORCE, "North", "B1", UNASSIGNED):
            got = cube.series(mid, geography, kind=kind, start=months[0], end=months[-1])
            rows = []
            for m in months:
                v = cube.value(mid, window(kind, m), geography)
                den = v.denominator if v.available and v.denominator is not None else np.nan
                rows.append(
                    (
                        m,
                        v.numerator if v.available else np.nan,
                        den,
                        v.value if v.available else np.nan,
                    )
                )
            expected = pd.DataFrame(rows, columns=["month", "numerator", "denominator", "value"])
            expected["month"] = pd.PeriodIndex(expected["month"], freq="M")
            pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{mid} {geography}")
            checked.add((mid, geography, bool(got["value"].notna().any())))
    assert any(available for *_, available in checked) and len(checked) > 100


def test_index_holds_every_row_of_the_frame_under_its_measure_window_and_geography():
    cube = rich_cube()
    idx = cube._idx()
    f = cube.frame
    keys = f["measure_id"] + "\x1f" + f["window"] + "\x1f" + f["geography"]
    assert list(idx.key) == list(pd.unique(keys))  # numbered in order of first appearance
    rows = [idx.key[k] for k in keys]
    months = [pd.Period(m, "M").ordinal - idx.m0 for m in f["month"]]
    np.testing.assert_array_equal(idx.num[rows, months], f["numerator"].to_numpy(float))
    np.testing.assert_array_equal(idx.den[rows, months], f["denominator"].to_numpy(float))


# ---------------------------------------------------------------------------- cache


def write_extracts(folder, extra_crime=False):
    from helpers.config import REFERENCE_DIR

    real = pd.read_csv(REFERENCE_DIR / "districts.csv").district.iloc[0]
    c = [dict(r, district=real) for r in background_crimes()]
    if extra_crime:
        c.append(crime("EXTRA", "2016-09-09", real))
    frame(c, dates=("recorded_date", "outcome_date")).to_parquet(folder / "crimes.parquet")


def test_load_cube_caches_and_reuses_the_built_cube(tmp_path, monkeypatch):
    write_extracts(tmp_path)
    first = load_cube(tmp_path)
    cached = list((tmp_path / ".cache").glob("cube-*.parquet"))
    assert any(p.name == f"cube-{first.fingerprint}.parquet" for p in cached)

    def boom(*a, **k):
        raise AssertionError("the cube should come from the cache")

    monkeypatch.setattr(cube_mod, "build_cube", boom)
    second = load_cube(tmp_path)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert second.data_to == first.data_to
    w = window("rolling-12m", "2016-09")
    assert second.value("all_crime", w) == first.value("all_crime", w)
    monkeypatch.undo()

    write_extracts(tmp_path, extra_crime=True)  # a changed extract gives a new fingerprint
    third = load_cube(tmp_path)
    assert third.fingerprint != first.fingerprint
    assert third.value("all_crime", w).numerator == first.value("all_crime", w).numerator + 1


def test_an_incident_of_a_grade_outside_one_to_four_still_counts_under_its_flag():
    cube = make_cube(incidents=[incident("G9", "2016-09-01 10:00", grade=9, asb=True)])
    assert num(cube, "asb_incidents", "month", "2016-09") == 1


# ---------------------------------------------------------------------------- cache: by content


def write_crimes_csv(folder, extra_date="2016-09-09"):
    """The background crimes and one more, as CSV; returns the path."""
    from helpers.config import REFERENCE_DIR

    real = pd.read_csv(REFERENCE_DIR / "districts.csv").district.iloc[0]
    rows = [dict(r, district=real) for r in background_crimes()]
    rows.append(crime("EXTRA", extra_date, real))
    path = folder / "crimes.csv"
    frame(rows, dates=("recorded_date", "outcome_date")).to_csv(path, index=False)
    return path


def edit_in_place(path, old: str, new: str) -> None:
    """Replace text keeping the file's size and modification time (a correction a size-and-time
    cache key cannot see)."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


W = window("rolling-12m", "2016-09")


def test_a_correction_with_the_same_size_and_time_gives_the_corrected_figure(tmp_path):
    path = write_crimes_csv(tmp_path)
    before = load_cube(tmp_path).value("all_crime", W).numerator
    edit_in_place(path, "EXTRA,2016-09-09", "EXTRA,2015-09-09")  # out of the window
    after = load_cube(tmp_path)
    assert after.value("all_crime", W).numerator == before - 1


def test_an_invalid_file_cannot_slip_through_the_cache(tmp_path):
    from helpers.sources.loading import DataValidationError

    path = write_crimes_csv(tmp_path)
    load_cube(tmp_path)
    edit_in_place(path, "EXTRA,2016-09-09", "EXTRA,2016-13-09")
    with pytest.raises(DataValidationError, match="recorded_date.*'2016-13-09'"):
        load_cube(tmp_path)


def cached_files(folder, fp) -> dict:
    return cube_mod._cache_paths(folder, fp)


def test_an_edited_cache_file_is_rebuilt_with_a_warning_never_used(tmp_path):
    write_extracts(tmp_path)
    first = load_cube(tmp_path)
    true = first.value("all_crime", W).numerator
    paths = cached_files(tmp_path, first.fingerprint)
    edited = pd.read_parquet(paths["frame"])
    edited["numerator"] = edited["numerator"] * 10
    edited.to_parquet(paths["frame"], index=False)
    with pytest.warns(UserWarning, match="does not match its checksum"):
        again = load_cube(tmp_path)
    assert again.value("all_crime", W).numerator == true
    # the rebuilt cache is sound again: read without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_cube(tmp_path).value("all_crime", W).numerator == true


def test_an_edited_cache_record_is_rebuilt_never_used(tmp_path):
    write_extracts(tmp_path)
    first = load_cube(tmp_path)
    meta = cached_files(tmp_path, first.fingerprint)["meta"]
    record = json.loads(meta.read_text(encoding="utf-8"))
    record.get("body", record)["data_to"]["crimes"] = "2099-01"  # wherever the record keeps it
    meta.write_text(json.dumps(record), encoding="utf-8")
    with pytest.warns(UserWarning, match="record does not match its checksum"):
        again = load_cube(tmp_path)
    assert again.data_to == first.data_to


def test_load_cube_by_fingerprint_reads_the_snapshot_without_the_extracts(tmp_path, monkeypatch):
    write_extracts(tmp_path)
    snapshot = load_cube(tmp_path)
    # the folder moves on during the run, even to a file that is not an extract at all
    (tmp_path / "crimes.parquet").write_bytes(b"not parquet")

    def boom(*a, **k):
        raise AssertionError("a snapshot is read from the cache only")

    for name in ("build_cube", "extracts_fingerprint"):
        monkeypatch.setattr(cube_mod, name, boom)
    monkeypatch.setattr(cube_mod.loading, "read_extracts", boom)
    again = load_cube(tmp_path, fingerprint=snapshot.fingerprint)
    assert again.fingerprint == snapshot.fingerprint
    assert again.value("all_crime", W) == snapshot.value("all_crime", W)
    pd.testing.assert_frame_equal(again.frame, snapshot.frame)


def test_a_snapshot_absent_or_edited_is_a_clear_error(tmp_path):
    write_extracts(tmp_path)
    cube = load_cube(tmp_path)
    with pytest.raises(
        CubeError, match=r"fingerprint 0{12}… cannot be used: cube-0+\.json is missing"
    ):
        load_cube(tmp_path, fingerprint="0" * 64)
    paths = cached_files(tmp_path, cube.fingerprint)
    paths["coverage"].write_bytes(paths["coverage"].read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(CubeError, match="coverage.parquet does not match its checksum"):
        load_cube(tmp_path, fingerprint=cube.fingerprint)


def test_the_cache_keeps_the_most_recently_used_few(tmp_path):
    """A data change during a run must not delete the snapshot the run's notebooks still load."""
    from helpers.config import REFERENCE_DIR

    real = pd.read_csv(REFERENCE_DIR / "districts.csv").district.iloc[0]
    fingerprints = []
    for n in range(5):
        rows = [dict(r, district=real) for r in background_crimes()]
        rows += [crime(f"X{i}", "2016-09-09", real) for i in range(n)]
        frame(rows, dates=("recorded_date", "outcome_date")).to_parquet(tmp_path / "crimes.parquet")
        fingerprints.append(load_cube(tmp_path).fingerprint)
        # the run that built the first one keeps reading it
        load_cube(tmp_path, fingerprint=fingerprints[0])
    kept = {p.name.split(".")[0].split("-")[1] for p in (tmp_path / ".cache").glob("cube-*.json")}
    assert kept == {fingerprints[0], fingerprints[3], fingerprints[4]}
    assert not list((tmp_path / ".cache").glob("*.tmp"))
    with pytest.raises(CubeError, match="missing"):
        load_cube(tmp_path, fingerprint=fingerprints[1])


def test_the_cube_carries_the_load_report_of_its_snapshot(tmp_path):
    write_extracts(tmp_path)
    built = load_cube(tmp_path)
    report = built.extracts_report.to_dict("2016-09")
    assert report["extracts"]["crimes"]["rows_loaded"] == len(background_crimes())
    assert (
        report["extracts"]["crimes"]["reconciliation"]["rows_excluded"]["after_report_month"] == 3
    )
    write_extracts(tmp_path, extra_crime=True)
    snapshot = load_cube(tmp_path, fingerprint=built.fingerprint)
    assert snapshot.extracts_report.to_dict("2016-09") == report
    assert (
        load_cube(tmp_path).extracts_report.extracts["crimes"].rows_loaded
        == len(background_crimes()) + 1
    )


def test_a_folder_changing_while_it_is_read_gives_no_cube_and_no_cache(tmp_path, monkeypatch):
    write_extracts(tmp_path)
    build = cube_mod.build_cube

    def build_while_the_folder_changes(*args, **kwargs):
        write_extracts(tmp_path, extra_crime=True)
        return build(*args, **kwargs)

    monkeypatch.setattr(cube_mod, "build_cube", build_while_the_folder_changes)
    with pytest.raises(CubeError, match="changed while they were being read"):
        load_cube(tmp_path)
    assert not list((tmp_path / ".cache").glob("cube-*"))


def test_a_cached_file_whose_time_is_set_before_its_records_is_refused(tmp_path):
    from helpers.sources.loading import DataValidationError

    path = write_crimes_csv(tmp_path)
    load_cube(tmp_path)
    june = dt.datetime(2016, 6, 30).timestamp()  # the file holds crimes to December 2016
    os.utime(path, (june, june))
    with (
        pytest.warns(UserWarning, match="dates after the file's own date"),
        pytest.raises(DataValidationError, match="after the extract's own date"),
    ):
        load_cube(tmp_path)


def test_a_folder_that_cannot_be_written_is_cached_in_the_project(tmp_path, monkeypatch):
    """A read-only share still gives every notebook of a run its snapshot."""
    data = tmp_path / "extracts"
    data.mkdir()
    write_extracts(data)
    (data / ".cache").write_text("a file where the cache folder would go")  # mkdir fails
    monkeypatch.setattr(cube_mod, "CACHE_DIR", tmp_path / "project-cache")
    built = load_cube(data)
    records = list((tmp_path / "project-cache" / "cubes").glob("*/cube-*.json"))
    assert [p.name for p in records] == [f"cube-{built.fingerprint}.json"]
    snapshot = load_cube(data, fingerprint=built.fingerprint)
    assert snapshot.value("all_crime", W) == built.value("all_crime", W)
    monkeypatch.setattr(cube_mod, "build_cube", lambda *a, **k: pytest.fail("built again"))
    assert load_cube(data).fingerprint == built.fingerprint


def test_a_fingerprint_that_is_not_one_is_refused(tmp_path):
    with pytest.raises(CubeError, match="is not a data fingerprint"):
        load_cube(tmp_path, fingerprint="../../etc/passwd")


def test_a_cached_cube_lists_its_sources_in_the_order_a_fresh_build_does(tmp_path, monkeypatch):
    """The pages print "Data to" in this order: a pack from the cache and a pack from a cold
    build must be the same page (a cached cube listed the sources alphabetically)."""
    import shutil

    from helpers.config import DEMO_DATA_DIR

    names = ("calls", "workforce", "savings")  # contract order; alphabetically another
    if not all((DEMO_DATA_DIR / f"{n}.parquet").exists() for n in names):
        pytest.skip("demo data not built (make data)")
    for n in names:
        shutil.copy2(DEMO_DATA_DIR / f"{n}.parquet", tmp_path / f"{n}.parquet")
    built = load_cube(tmp_path)
    assert list(built.data_to) == list(names)
    monkeypatch.setattr(cube_mod, "build_cube", lambda *a, **k: pytest.fail("not from cache"))
    assert list(load_cube(tmp_path).data_to) == list(names)
