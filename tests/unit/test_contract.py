"""The data contract is well formed, and data/README.md says the same as the code."""

from __future__ import annotations

import re

import pytest

from helpers.config import DATA_DIR
from helpers.contract.catalog import measure
from helpers.contract.extracts import EARLIEST_DATE, EXTRACTS, MaxDelay, MaxPer, markdown

TYPES = {"str", "category", "date", "datetime", "month", "int", "float", "bool"}
README = DATA_DIR / "README.md"
START, END = "<!-- contract:start -->", "<!-- contract:end -->"


def squash(text: str) -> str:
    """Collapse whitespace, so line wrapping does not matter."""
    return " ".join(text.split())


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_every_extract_has_a_date_column_or_a_unique_key(name):
    e = EXTRACTS[name]
    assert e.date_column or e.unique


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_column_names_are_unique_and_lower_case(name):
    names = EXTRACTS[name].column_names
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_declared_columns_exist_and_types_are_known(name):
    e = EXTRACTS[name]
    assert e.name == name
    for key in (*e.unique, e.date_column, e.district_column):
        assert key is None or key in e.column_names
    if e.date_column:
        assert e.column(e.date_column).type in ("date", "datetime", "month")
    if e.district_column:
        assert e.column(e.district_column).type == "category"
    for c in e.columns:
        assert c.type in TYPES, c.name
        assert c.allowed is None or c.type == "category", c.name
        assert (c.minimum is None and c.maximum is None) or c.type in ("int", "float"), c.name
        assert all(isinstance(a, str) for a in c.allowed or ()), c.name
    for u in e.unique:
        assert not e.column(u).nullable, u


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_limits_name_columns_of_their_extract_of_the_right_type(name):
    e = EXTRACTS[name]
    dates = ("date", "datetime")
    for c in e.columns:
        for limit in c.limits:
            if isinstance(limit, MaxDelay):
                assert c.type in dates and e.column(limit.after).type in dates, c.name
                assert limit.hours > 0, c.name
                if limit.when:
                    assert e.column(limit.when[0]).type in ("int", "category"), c.name
            else:
                assert isinstance(limit, MaxPer), c.name
                assert c.type in ("int", "float"), c.name
                assert e.column(limit.per).type in ("int", "float"), c.name


def test_the_published_times_and_counts_have_upper_bounds():
    """The bounds the issue asked for: an emergency response within a day, a call's average wait
    within an hour, days lost within the days of the month, counts below sane maxima."""
    arrived = EXTRACTS["incidents"].column("arrived_at").limits
    assert MaxDelay("opened_at", 24, when=("grade", 1)) in arrived
    assert any(lim.when is None for lim in arrived)  # every grade has some bound
    calls = EXTRACTS["calls"]
    assert MaxPer("calls_answered", 3600) in calls.column("total_wait_seconds").limits
    assert MaxPer("strength_fte", 31) in EXTRACTS["workforce"].column("days_lost").limits
    for e in EXTRACTS.values():
        for c in e.columns:
            if c.type in ("int", "float") and not c.limits and c.name != "grade":
                assert c.maximum is not None, f"{e.name}.{c.name} has no upper bound"


def test_markdown_states_the_date_range_and_the_limits():
    text = markdown()
    assert (
        f"between {EARLIEST_DATE} and the extract's own date: the file's modification time" in text
    )
    assert (
        "| `recorded_date` | date | Date the crime was recorded. | 2000-01-01 to the file's date |"
        in text
    )
    assert "at most 24 hours after `opened_at` where `grade` is 1" in text
    assert "at most 730 days after `opened_at`; may be empty |" in text
    assert "| ≥ 0; at most 3,600 per `calls_answered` |" in text
    assert "| 0 to 10,000,000 |" in text


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_a_column_that_may_be_unrecorded_may_be_empty(name):
    for c in EXTRACTS[name].columns:
        if c.empty_is_unrecorded:
            assert c.nullable, c.name
            assert "Empty = not recorded by the source." in c.meaning, c.name


@pytest.mark.parametrize(
    ("name", "column"),
    [
        *(
            ("crimes", c)
            for c in (
                "domestic_abuse",
                "night_time_economy",
                "rural",
                "business",
                "class_a_supply",
                "evidence_led_prosecution",
            )
        ),
        *(
            ("incidents", c)
            for c in ("domestic_abuse", "asb", "alcohol", "drugs", "mental_health", "grade")
        ),
        ("incidents", "urban_rural"),
    ],
)
def test_flags_a_public_source_lacks_may_be_left_unrecorded(name, column):
    assert EXTRACTS[name].column(column).empty_is_unrecorded


@pytest.mark.parametrize(
    ("name", "column"),
    [("crimes", "victim_based"), ("crimes", "offence_group"), ("drug_tests", "positive")],
)
def test_columns_every_source_has_stay_required(name, column):
    c = EXTRACTS[name].column(column)
    assert not c.nullable and not c.empty_is_unrecorded


def test_markdown_renders_value_ranges_plainly():
    text = markdown()
    assert (
        "| `age_at_offence` | int | Offender's age in years on the date of the offence. | 10 to 110 |"
        in text
    )
    assert "| ≥ 0; at most 31 per `strength_fte` |" in text
    assert "| 1 to 4; may be empty |" in text
    assert "0 to 110; may be empty" in text


def test_readme_generated_part_is_current():
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    generated = text.split(START, 1)[1].split(END, 1)[0]
    assert generated.strip() == markdown().strip(), (
        "data/README.md is out of date: paste the output of "
        "`python -m helpers.contract.extracts --markdown` between the contract markers"
    )


@pytest.mark.parametrize(
    "measure_id",
    [
        "solved_rate",
        "repeat_victims_window",
        "repeat_victims",
        "repeat_victims_business",
        "da_repeat_incidents_fy",
        "da_repeat_incidents",
        "da_repeat_victims_incidents",
        "da_repeat_victims_crime",
        "da_repeat_offenders",
        "youth_reoffending_rate",
        "emergency_attendance",
        "calls_999_within_standard",
        "switchboard_wait",
        "ksi_all",
        "ksi_collisions",
        "days_lost_officer",
        "satisfaction_overall",
        "confidence_dealing",
    ],
)
def test_readme_definitions_quote_the_catalog(measure_id):
    definition = squash(measure(measure_id).definition)
    assert definition
    assert definition in squash(README.read_text(encoding="utf-8")), (
        f"data/README.md's Definitions no longer quote the catalog's definition of {measure_id}"
    )


def test_readme_says_unassigned_records_count_in_the_force_total():
    text = squash(README.read_text(encoding="utf-8"))
    assert "is counted in the force total" in text.replace("**", "")
    assert "make report DATA=path/to/extracts" in text
