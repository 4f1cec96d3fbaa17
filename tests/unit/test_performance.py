"""Performance rows and tables.csv: printed figures, changes, N/A rules, CI, MSG rank."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from support.extract_rows import crime

from helpers.analysis import compare, significance
from helpers.analysis.performance import (
    NOT_AT_LEVEL,
    ROW_COLUMNS,
    TABLE_COLUMNS,
    measure_frame,
    performance_rows,
    performance_table_for_all_geographies,
    scorecard,
    tables_csv,
)
from helpers.contract import catalog
from helpers.measures.cube import FORCE, Reference, build_cube

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
        "police_uk_slug": ["h", "p1", "p2"],
        "population_2016": [100_000, 1_000_000, 500_000],
    }
)
REF = Reference(DISTRICTS, FORCES)
MONTHS = pd.period_range("2011-01", "2016-12", freq="M")


def response(rid, date, answer, district="A1") -> dict:
    return {
        "response_id": rid,
        "survey_date": date,
        "crime_group": "burglary",
        "ethnicity_group": "White",
        "district": district,
        "q_contact": None,
        "q_actions": None,
        "q_follow_up": None,
        "q_treatment": None,
        "q_overall": answer,
    }


def crimes_extract(extra=()) -> pd.DataFrame:
    """One crime a month in A1 (Jan 2011 – Dec 2016), plus ``extra``."""
    rows = [crime(f"BG-{m}", f"{m}-15") for m in MONTHS] + list(extra)
    df = pd.DataFrame(rows)
    for c in ("recorded_date", "outcome_date"):
        df[c] = pd.to_datetime(df[c])
    return df


def satisfaction_extract() -> pd.DataFrame:
    """q_overall: 1/3 satisfied in Oct 2014 – Sep 2015, 5/16 in Oct 2015 – Sep 2016.

    Every month has a response (so every month is covered); the background answers are empty
    and so excluded from the rate.
    """
    rows = [response(f"BG-{m}", f"{m}-02", None) for m in MONTHS]
    answers = [
        ("2015-01-10", "satisfied"),
        ("2015-02-10", "dissatisfied"),
        ("2015-03-10", "neither"),
    ]
    answers += [("2016-02-10", "satisfied")] * 5 + [("2016-02-11", "dissatisfied")] * 11
    rows += [response(f"R{i}", d, a) for i, (d, a) in enumerate(answers)]
    df = pd.DataFrame(rows)
    df["survey_date"] = pd.to_datetime(df["survey_date"])
    return df


def peers_extract() -> pd.DataFrame:
    rows = []
    for m in pd.period_range("2014-10", "2016-09", freq="M"):
        rows.append((m.to_timestamp(), "Peer One", "all_crime", 100.0, 1_000_000.0))
        rows.append((m.to_timestamp(), "Peer Two", "all_crime", 5.0, 500_000.0))
    return pd.DataFrame(rows, columns=["month", "force", "measure_id", "numerator", "denominator"])


@pytest.fixture(scope="module")
def cube():
    # all_crime, rolling 12 months to Sep 2016: 12 + 9 = 21 against 12 + 4 = 16 a year earlier
    extra = [crime(f"LY{i}", "2015-06-01") for i in range(4)]
    extra += [crime(f"TY{i}", "2016-06-01", "B1") for i in range(9)]
    # fytd: 2013/14 = 12 + 4 = 16 against 12 in 2012/13; April 2014 = 2 against 1 in April 2013
    extra += [crime(f"FY{i}", "2013-06-01") for i in range(4)]
    extra += [crime("APR", "2014-04-02")]
    extracts = {
        "crimes": crimes_extract(extra),
        "satisfaction": satisfaction_extract(),
        "msg_peers": peers_extract(),
    }
    return build_cube(extracts, REF)


def row(rows: pd.DataFrame, mid: str) -> pd.Series:
    sel = rows[rows.measure_id == mid]
    assert len(sel) == 1, f"{mid}: {len(sel)} rows"
    return sel.iloc[0]


def test_rows_have_the_documented_columns(cube):
    rows = performance_rows(cube, 6, "2016-09", "rolling-12m")
    assert list(rows.columns) == ROW_COLUMNS


def test_count_change_is_percentage_of_the_printed_figures_rounded_half_up(cube):
    r = row(performance_rows(cube, 6, "2016-09", "rolling-12m"), "all_crime")
    assert (r.last_year, r.this_year) == (16.0, 21.0)
    assert r.change == Decimal("31.3")  # Python's round() would give 31.2
    assert r.change_unit == "%"
    assert r.direction == "worse"  # lower is better
    assert r.window_label == "Oct 2015 – Sep 2016"
    assert r.available and r.note == ""


def test_rate_change_uses_the_displayed_rounded_values(cube):
    r = row(performance_rows(cube, 2, "2016-09", "rolling-12m"), "satisfaction_overall")
    assert (r.last_year, r.this_year) == (33.3, 31.3)  # 1/3 and 5/16 = 31.25 → 31.3 half-up
    assert r.change == Decimal("-2.0")  # 31.3 − 33.3, not round(31.25 − 33.33) = −2.1
    assert r.change_unit == "% pt."


def test_survey_rates_carry_confidence_intervals_and_significance(cube):
    r = row(performance_rows(cube, 2, "2016-09", "rolling-12m"), "satisfaction_overall")
    assert r.ci_this == float(compare.round_half_up(compare.confidence_interval(5, 16), 1))
    assert r.ci_last == float(compare.round_half_up(compare.confidence_interval(1, 3), 1))
    assert r.significant is False
    assert significance.significant(1, 3, 5, 16) is False


def test_since_last_month_compares_with_the_previous_months_change_in_april(cube):
    rows = performance_rows(cube, 6, "2014-04", "fytd")
    r = row(rows, "all_crime")
    # April 2014: 2 against 1 (+100.0%); March 2014: FY 2013/14 16 against 12 (+33.3%)
    assert (r.last_year, r.this_year, r.change) == (1.0, 2.0, Decimal("100.0"))
    assert r.since_last_month == "Worsened (66.7% pt.)"


def test_since_last_month_is_the_difference_of_the_unrounded_changes_rounded_once(cube):
    r = row(performance_rows(cube, 6, "2014-03", "fytd"), "all_crime")
    # March 2014: FY 2013/14 16 against 12 (+33.333%, printed 33.3); February 2014: Apr–Feb
    # 15 against 11 (+36.364%, printed 36.4): -3.030 rounds to -3.0, where the printed changes
    # would give -3.1
    assert (r.last_year, r.this_year, r.change) == (12.0, 16.0, Decimal("33.3"))
    feb = row(performance_rows(cube, 6, "2014-02", "fytd"), "all_crime")
    assert (feb.last_year, feb.this_year, feb.change) == (11.0, 15.0, Decimal("36.4"))
    assert r.since_last_month == "Improved (-3.0% pt.)"


def test_msg_rank_uses_peer_figures_for_the_window(cube):
    r = row(performance_rows(cube, 6, "2016-09", "rolling-12m"), "all_crime")
    # per 1,000 residents: home 21/100,000 → 0.21; Peer One 1.2; Peer Two 0.12
    assert r.msg_rank == 2
    assert isinstance(r.msg_rank, int)
    assert r.msg_colour == compare.msg_average_colour(0.21, [1.2, 0.12], "lower_better", 1)
    v = row(performance_rows(cube, 6, "2016-09", "rolling-12m"), "victim_based_crime")
    assert v.msg_rank is None  # no peer figures for this measure


def test_msg_rank_says_of_how_many_forces_and_names_the_group_and_its_window(cube):
    r = row(performance_rows(cube, 6, "2016-09", "rolling-12m"), "all_crime")
    assert r.msg_of == 3  # the home force and both peers
    assert r.msg_note == (
        "Most Similar Group ranking (1 = best) of 3 forces on Oct 2015 – Sep 2016: "
        "Home Force, Peer One, Peer Two."
    )


def test_a_peer_missing_months_is_left_out_of_the_rank_and_named_with_the_months():
    forces = pd.concat(
        [FORCES, pd.DataFrame({"force": ["Peer Three"], "police_uk_slug": ["p3"],
                               "population_2016": [700_000]})],
        ignore_index=True,
    )  # fmt: skip
    peers = peers_extract()
    gaps = {"2016-04", "2016-05", "2016-06", "2016-08"}
    three = [
        (m.to_timestamp(), "Peer Three", "all_crime", 1.0, 700_000.0)
        for m in pd.period_range("2014-10", "2016-09", freq="M")
        if str(m) not in gaps
    ]
    peers = pd.concat([peers, pd.DataFrame(three, columns=peers.columns)], ignore_index=True)
    cube = build_cube(
        {"crimes": crimes_extract(), "msg_peers": peers}, Reference(DISTRICTS, forces)
    )
    r = row(performance_rows(cube, 6, "2016-09", "rolling-12m"), "all_crime")
    assert r.msg_of == 3  # ranked among the three forces with every month, not "of 4"
    assert r.msg_note.endswith(
        "Home Force, Peer One, Peer Two; left out: Peer Three "
        "(no figures for Apr 2016 – Jun 2016, Aug 2016)."
    )
    # a year before the gaps, all four forces are ranked and nobody is left out
    earlier = row(performance_rows(cube, 6, "2015-09", "rolling-12m"), "all_crime")
    assert earlier.msg_of == 4 and "left out" not in earlier.msg_note


def test_the_table_prints_the_rank_of_n_and_the_group_beneath(cube):
    from helpers.render import tables

    rows = performance_rows(cube, 6, "2016-09", "rolling-12m")
    html = tables.performance_table(rows, title="6. Crime", month="2016-09", period="rolling-12m")
    assert "2nd of 3" in html
    assert "Most Similar Group ranking (1 = best) of 3 forces on Oct 2015 – Sep 2016" in html


def test_measure_not_at_the_level_reads_not_available_at_this_level(cube):
    rows = performance_rows(cube, 7, "2016-09", "rolling-12m", geography="A1")
    r = row(rows, "savings_delivered")
    assert not r.available
    assert r.note == NOT_AT_LEVEL
    assert np.isnan(r.this_year) and r.change is None


def test_comparable_from_makes_last_year_not_available_with_a_note(cube):
    r = row(performance_rows(cube, 1, "2014-03", "fytd"), "da_offences")
    assert np.isnan(r.last_year)
    assert r.this_year == 0.0  # a covered window without domestic-abuse crimes is zero
    assert r.change is None
    assert r.direction == "na"
    assert "not comparable (before Apr 2013)" in r.note


def test_missing_source_reads_not_available_with_the_reason(cube):
    r = row(performance_rows(cube, 2, "2016-09", "rolling-12m"), "emergency_attendance")
    assert not r.available
    assert "source extract absent (incidents)" in r.note
    assert np.isnan(r.this_year) and np.isnan(r.last_year)


@pytest.mark.parametrize(
    ("month", "present", "absent"),
    [
        ("2014-03", "da_repeat_incidents_fy", "da_repeat_incidents"),
        ("2016-09", "da_repeat_incidents", "da_repeat_incidents_fy"),
        ("2014-03", "da_evidence_led_prosecutions", "da_repeat_victims_crime"),
    ],
)
def test_valid_from_and_valid_to_pick_the_definition_for_the_report_month(
    cube, month, present, absent
):
    ids = performance_rows(cube, 1, month, "fytd").measure_id.tolist()
    assert present in ids
    assert absent not in ids


def test_area_6_repeat_victims_definition_changes_in_april_2016(cube):
    old = performance_rows(cube, 6, "2014-03", "fytd").measure_id.tolist()
    new = performance_rows(cube, 6, "2016-09", "rolling-12m").measure_id.tolist()
    assert "repeat_victims_window" in old and "repeat_victims" not in old
    assert "repeat_victims" in new and "repeat_victims_window" not in new


def test_lagged_measure_reports_the_month_six_months_before(cube):
    r = row(performance_rows(cube, 3, "2016-09", "rolling-12m"), "youth_offenders")
    assert r.window_label == "Mar 2016"  # fixed month window, six months in arrears
    assert "source extract absent (crime_offenders)" in r.note


def test_fixed_month_window_ignores_the_run_period(cube):
    r = row(performance_rows(cube, 6, "2016-09", "rolling-12m"), "repeat_victims")
    assert r.window_label == "Sep 2016"
    assert np.isnan(r.last_year)  # before the April 2016 definition


def test_solved_rate_zero_denominator_is_not_available_not_a_crash(cube):
    r = row(performance_rows(cube, 6, "2016-09", "rolling-12m", geography="A2"), "solved_rate")
    assert not r.available
    assert "zero denominator" in r.note


def test_tables_csv_has_a_row_per_measure_and_geography_where_it_exists(cube):
    t = tables_csv(cube, "2016-09", "rolling-12m")
    assert list(t.columns) == TABLE_COLUMNS
    force_only = t[t.measure_id == "calls_999_within_standard"]
    assert force_only.geography.tolist() == [FORCE]
    crime_rows = t[t.measure_id == "all_crime"]
    assert crime_rows.geography.tolist() == [FORCE, "North", "South", "A1", "A2", "B1"]
    assert crime_rows.geography_level.tolist() == [
        "force",
        "lpa",
        "lpa",
        "district",
        "district",
        "district",
    ]
    b1 = crime_rows[crime_rows.geography == "B1"].iloc[0]
    assert (b1.last_year, b1.this_year) == (0.0, 9.0)
    assert b1.change is None  # a percentage change from zero is N/A
    assert set(t.period) <= {"rolling-12m", "month"}


def test_scorecard_and_all_geographies_helpers(cube):
    s = scorecard(cube, "2016-09", "rolling-12m")
    assert set(s.area) == set(range(1, 9))
    tables = performance_table_for_all_geographies(cube, 6, "2016-09", "rolling-12m")
    assert list(tables) == [FORCE, "North", "South", "A1", "A2", "B1"]
    assert row(tables["South"], "all_crime").this_year == 9.0


def test_measure_frame_holds_every_geography_month_by_month_with_the_cube_figures(cube):
    from helpers import periods

    frame = measure_frame(cube, ["all_crime", "solved_rate"])
    assert list(frame.columns) == [
        "measure_id", "measure", "unit", "level", "geography", "month",
        "numerator", "denominator", "value",
    ]  # fmt: skip
    assert set(frame["geography"]) == set(cube.geographies()["geography"])
    b1 = frame[(frame.measure_id == "all_crime") & (frame.geography == "B1")].set_index("month")
    june = pd.Period("2016-06", "M")
    assert (
        b1.loc[june, "value"] == cube.value("all_crime", periods.window("month", june), "B1").value
    )
    assert b1.loc[june, "value"] >= 9  # the nine crimes recorded in B1 that month
    rate = frame[(frame.measure_id == "solved_rate") & (frame.geography == FORCE)]
    assert (rate["unit"] == "percent").all() and rate["denominator"].notna().any()


def test_measure_frame_windows_and_levels(cube):
    from helpers import periods

    rolling = measure_frame(cube, ["all_crime"], kind="rolling-12m")
    force = rolling[rolling.geography == FORCE].set_index("month")
    sep = pd.Period("2016-09", "M")
    assert (
        force.loc[sep, "value"] == cube.value("all_crime", periods.window("rolling-12m", sep)).value
    )
    # a measure defined for the force only is not listed for LPAs or districts
    force_only = [m for m in catalog.load_catalog() if m.levels == ("force",)]
    if force_only:
        frame = measure_frame(cube, [force_only[0].id])
        assert set(frame["level"]) <= {"force"}


# ---------------------------------------------------------------------------- savings against plan


def savings_extract(rows=None) -> pd.DataFrame:
    """``(month, requirement, planned to date, delivered to date)`` rows; by default 2013/14:
    £6.633m required; Feb 2014 £6.000m delivered against £6.252m planned, Mar 2014 £6.704m against
    £6.633m. Mar 2013 (last year) delivered far more: it must not be the yardstick. No row for
    Dec 2013 (Jan 2014 has no month before it to compare with)."""
    rows = rows or [
        ("2013-03-01", 14.2e6, 14.2e6, 15.0e6),
        ("2014-01-01", 6.633e6, 5.9e6, 5.95e6),
        ("2014-02-01", 6.633e6, 6.252e6, 6.0e6),
        ("2014-03-01", 6.633e6, 6.633e6, 6.704e6),
    ]
    df = pd.DataFrame(
        rows,
        columns=["month", "requirement_gbp", "planned_to_date_gbp", "delivered_to_date_gbp"],
    )
    df["month"] = pd.to_datetime(df["month"])
    return df


@pytest.fixture(scope="module")
def savings_cube():
    return build_cube({"crimes": crimes_extract(), "savings": savings_extract()}, REF)


def test_savings_are_measured_against_the_plan_to_date_not_last_year(savings_cube):
    r = row(performance_rows(savings_cube, 7, "2014-03", "fytd"), "savings_delivered")
    assert np.isnan(r.last_year)  # last year's £15.0m is not the yardstick
    assert (r.this_year, r.plan) == (6.704, 6.633)
    assert r.change == Decimal("0.071") and r.change_unit == "£m"
    assert r.direction == "better"  # ahead of the plan
    # this month's +0.071 against plan minus last month's -0.252
    assert r.since_last_month == "Improved (+£0.323m)"
    assert r.note == "against the plan to date of £6.633m; requirement for 2013/14 £6.633m"
    assert r.available


def test_savings_behind_the_plan_read_worse_and_without_a_previous_month_na(savings_cube):
    feb = row(performance_rows(savings_cube, 7, "2014-02", "rolling-12m"), "savings_delivered")
    assert feb.change == Decimal("-0.252") and feb.direction == "worse"
    assert feb.since_last_month == "Worsened (-£0.302m)"  # -0.252 − (+0.050)
    jan = row(performance_rows(savings_cube, 7, "2014-01", "rolling-12m"), "savings_delivered")
    assert jan.change == Decimal("0.050") and jan.since_last_month == "N/A"  # no Dec 2013


def test_savings_since_last_month_is_of_the_unrounded_differences_from_the_plan():
    # Mar 2014: £6.7044m against £6.6336m (printed 6.704 against 6.634: +0.070; unrounded
    # +0.0708); Feb 2014: £6.0006m against £6.2524m (6.001 against 6.252: -0.251; -0.2518)
    rows = [
        ("2014-01-01", 6.633e6, 5.9e6, 5.95e6),
        ("2014-02-01", 6.633e6, 6.2524e6, 6.0006e6),
        ("2014-03-01", 6.633e6, 6.6336e6, 6.7044e6),
    ]
    cube = build_cube({"crimes": crimes_extract(), "savings": savings_extract(rows)}, REF)
    r = row(performance_rows(cube, 7, "2014-03", "fytd"), "savings_delivered")
    assert (r.this_year, r.plan, r.change) == (6.704, 6.634, Decimal("0.070"))
    # 0.0708 + 0.2518 = 0.3226 → +£0.323m (the printed 0.070 + 0.251 would give +£0.321m)
    assert r.since_last_month == "Improved (+£0.323m)"


def test_savings_without_data_for_the_month_read_na_with_the_reason(savings_cube):
    r = row(performance_rows(savings_cube, 7, "2013-11", "rolling-12m"), "savings_delivered")
    assert not r.available and r.change is None and np.isnan(r.plan)
    assert "no data for Nov 2013" in r.note


def test_tables_csv_savings_row_has_no_last_year_and_money_units(savings_cube):
    table = tables_csv(savings_cube, "2014-03", "fytd")
    r = table[table.measure_id == "savings_delivered"].iloc[0]
    assert np.isnan(r.last_year) and r.this_year == 6.704
    assert (str(r.change), r.change_unit, r.since_last_month) == (
        "0.071",
        "£m",
        "Improved (+£0.323m)",
    )
    assert "plan to date of £6.633m" in r.note
    # every other row keeps its yardstick, last year
    others = table[table.measure_id != "savings_delivered"]
    assert "plan" not in " ".join(others.note.astype(str))


def test_the_since_last_month_of_a_days_row_is_in_days_not_percentage_points():
    # officers: 10 days lost a month on a strength of 100, 40 days in Sep 2016
    rows = [
        {"month": m.to_timestamp(), "group": "officer", "strength_fte": 100.0,
         "days_lost": 40.0 if str(m) == "2016-09" else 10.0}
        for m in pd.period_range("2014-09", "2016-09", freq="M")
    ]  # fmt: skip
    cube = build_cube({"crimes": crimes_extract(), "workforce": pd.DataFrame(rows)}, REF)
    r = row(performance_rows(cube, 8, "2016-09", "rolling-12m"), "days_lost_officer")
    assert (r.last_year, r.this_year, r.change) == (1.2, 1.5, Decimal("0.30"))
    assert r.change_unit == "days"
    assert r.since_last_month == "Worsened (0.30 days)"  # Aug 2016: 1.20 against 1.20
