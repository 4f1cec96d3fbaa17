"""The published comparison rules beyond the golden rows: N/A, rounding, CIs, significance, ranks."""

import doctest
from decimal import Decimal

import pytest

from helpers.analysis import compare
from helpers.analysis.compare import (
    better_worse,
    confidence_interval,
    direction,
    format_decimal,
    msg_average_colour,
    msg_rank,
    round_half_up,
    since_last_month,
    two_proportion_test,
    unrounded_change,
    year_on_year_change_since_last_month,
)
from helpers.analysis.significance import significant


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (31.25, 1, "31.3"),
        (-31.25, 1, "-31.3"),
        (0.125, 2, "0.13"),
        (2.5, 0, "3"),
        (-0.04, 1, "0.0"),
    ],
)
def test_round_half_up_rounds_half_away_from_zero(value, decimals, expected):
    assert str(round_half_up(value, decimals)) == expected


@pytest.mark.parametrize(
    ("last", "this", "unit"),
    [(None, 5, "count"), (5, None, "count"), (0, 5, "count"), (float("nan"), 5, "percent")],
)
def test_better_worse_is_na_without_a_comparable_last_year(last, this, unit):
    assert better_worse(last, this, unit) is None
    assert format_decimal(better_worse(last, this, unit)) == "N/A"


def test_better_worse_units():
    assert better_worse(50, 55, "count") == Decimal("10.0")
    assert better_worse(50.0, 55.0, "percent") == Decimal("5.0")
    assert better_worse(11, 8, "seconds", decimals=0) == Decimal("-3")
    assert better_worse(12.45, 11.97, "days", decimals=2) == Decimal("-0.48")
    with pytest.raises(ValueError, match="unknown unit"):
        better_worse(1, 2, "furlongs")


def test_since_last_month_labels_by_polarity():
    assert since_last_month(Decimal("0.5"), "higher_better") == "Improved (0.5% pt.)"
    assert since_last_month(Decimal("0.5"), "lower_better") == "Worsened (0.5% pt.)"
    assert since_last_month(Decimal("0.04"), "lower_better") == "Same"
    assert since_last_month(None, "lower_better") == "N/A"
    assert (
        year_on_year_change_since_last_month("-12.8", "2.5", "lower_better")
        == "Improved (-15.3% pt.)"
    )
    assert year_on_year_change_since_last_month(None, "2.5", "lower_better") == "N/A"


def test_since_last_month_is_the_difference_of_the_unrounded_changes_rounded_once():
    # the March 2014 report: young car drivers KSI 104 → 134 (+28.846 %), February 89 → 134
    # (+50.562 %): "Improved (-21.7% pt.)"; the printed 28.8 and 50.6 would give -21.8
    now, feb = unrounded_change(104, 134, "count"), unrounded_change(89, 134, "count")
    assert (round_half_up(now, 1), round_half_up(feb, 1)) == (Decimal("28.8"), Decimal("50.6"))
    label = year_on_year_change_since_last_month(now, feb, "lower_better", 1, unit="count")
    assert label == "Improved (-21.7% pt.)"
    printed = year_on_year_change_since_last_month(
        better_worse(104, 134, "count"), better_worse(89, 134, "count"), "lower_better", 1
    )
    assert printed == "Improved (-21.8% pt.)" != label
    # rates: each month's difference of the unrounded rates, not of the printed ones
    # (0.04 and -0.04 points both print 0.0, yet they differ by 0.1 once rounded)
    now = unrounded_change(27.27, 27.31, "percent")
    feb = unrounded_change(27.31, 27.27, "percent")
    assert better_worse(27.27, 27.31, "percent", 1) == better_worse(27.31, 27.27, "percent", 1)
    assert year_on_year_change_since_last_month(now, feb, "higher_better") == "Improved (0.1% pt.)"
    # money against a plan, in its own unit: +0.0708 and -0.2518 give +£0.323m
    assert (
        year_on_year_change_since_last_month(
            Decimal("0.0708"), Decimal("-0.2518"), "higher_better", 3, unit="money"
        )
        == "Improved (+£0.323m)"
    )
    # rounded once: 0.35 and 0.349 print 0.4 and 0.3, yet they are the same change
    assert year_on_year_change_since_last_month(
        Decimal("0.35"), Decimal("0.349"), "lower_better"
    ) == ("Same")
    assert since_last_month(round_half_up(0.35, 1) - round_half_up(0.349, 1), "lower_better") == (
        "Worsened (0.1% pt.)"
    )


def test_unrounded_change_by_unit():
    assert unrounded_change(50, 55, "count") == Decimal(10)
    assert unrounded_change(3, 4, "count").quantize(Decimal("0.0001")) == Decimal("33.3333")
    assert unrounded_change(34.64, 29.31, "percent") == Decimal("-5.33")
    assert unrounded_change(12.454, 11.969, "days") == Decimal("-0.485")
    assert unrounded_change(None, 5, "count") is None
    assert unrounded_change(0, 5, "count") is None
    assert unrounded_change(float("nan"), 5, "percent") is None
    with pytest.raises(ValueError, match="unknown unit"):
        unrounded_change(1, 2, "furlongs")


@pytest.mark.parametrize(
    ("unit", "diff", "decimals", "polarity", "label"),
    [
        # a count's since-last-month is the difference of two % changes: percentage points
        ("count", "5.1", 1, "lower_better", "Worsened (5.1% pt.)"),
        ("percent", "-0.2", 1, "higher_better", "Worsened (-0.2% pt.)"),
        ("days", "-0.52", 2, "lower_better", "Improved (-0.52 days)"),
        ("seconds", "-3", 0, "lower_better", "Improved (-3 s)"),
        ("minutes", "0.4", 1, "lower_better", "Worsened (0.4 min)"),
        ("money", "-0.333", 3, "higher_better", "Worsened (-£0.333m)"),
        ("money", "0.129", 3, "higher_better", "Improved (+£0.129m)"),
        ("money", "0.129", 3, "neutral", "Changed (+£0.129m)"),
        ("money", "0.0004", 3, "higher_better", "Same"),
    ],
)
def test_since_last_month_carries_the_measures_unit(unit, diff, decimals, polarity, label):
    assert since_last_month(Decimal(diff), polarity, decimals, unit=unit) == label


def test_a_change_is_printed_with_its_unit_and_money_with_the_sign_before_the_pound():
    assert compare.change_text(Decimal("15.7"), "count") == "15.7%"
    assert compare.change_text(Decimal("-5.3"), "percent") == "-5.3% pt."
    assert compare.change_text(Decimal("2"), "seconds") == "2 s"
    assert compare.change_text(Decimal("-0.48"), "days") == "-0.48 days"
    assert compare.change_text(Decimal("-0.333"), "money") == "-£0.333m"
    assert compare.change_text(Decimal("0.071"), "money") == "+£0.071m"
    assert compare.change_text(Decimal("0.000"), "money") == "£0.000m"
    assert compare.change_text(0.0706, "money", 3) == "+£0.071m"  # half-up first
    assert compare.change_text(None, "money") == "N/A"
    assert compare.money_text(1234.5678) == "£1,234.568m"
    assert compare.money_text(-0.0004) == "£0.000m"  # no "-£0.000m"
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        compare.change_text(Decimal("1"), "furlongs")


def test_confidence_interval_matches_published_half_widths():
    # 91.1% of about 1,384 answers gives the published ±1.5 points.
    assert round(confidence_interval(1261, 1384), 1) == 1.5
    assert confidence_interval(5, 0) is None


def test_two_proportion_test_and_significance():
    assert two_proportion_test(50, 100, 50, 100) == pytest.approx(1.0)
    assert two_proportion_test(500, 1000, 600, 1000) < 0.001
    for name in ("ci_overlap", "two_proportion"):
        assert significant(500, 1000, 600, 1000, name=name) is True
        # the 2016 overall: -2.8 pt on ~1,000 answers is not significant
        assert significant(761, 1000, 734, 1000, name=name) is False
        assert significant(1, 0, 1, 1, name=name) is None


def test_msg_rank_is_one_for_the_best_by_polarity():
    peers = [10.0, 20.0, 30.0]
    assert msg_rank(5.0, peers, "lower_better") == 1
    assert msg_rank(35.0, peers, "lower_better") == 4
    assert msg_rank(35.0, peers, "higher_better") == 1
    assert msg_rank(20.0, peers, "higher_better") == 2  # a tie shares the better rank
    assert msg_rank(20.0, peers, "neutral") is None
    assert msg_rank(20.0, [10.0, float("nan")], "lower_better") == 2


def test_msg_average_colour():
    assert msg_average_colour(60.0, [50.0, 55.0], "higher_better") == "better"
    assert msg_average_colour(40.0, [50.0, 55.0], "higher_better") == "worse"
    assert msg_average_colour(50.0, [50.0, 50.0], "lower_better") == "same"


def test_direction():
    assert direction(None, "higher_better") == "na"
    assert direction(Decimal("0"), "higher_better") == "same"
    assert direction(Decimal("1"), "lower_better") == "worse"
    assert direction(Decimal("1"), "neutral") == "neutral"


def test_doctests():
    assert doctest.testmod(compare).failed == 0


def test_significance_doctests_and_rule_is_stated():
    from helpers.analysis import significance

    assert doctest.testmod(significance).failed == 0
    assert significance.rule().name == "ci_overlap"  # the demo profile's, the published rule
    for rule in significance.RULES.values():
        assert rule.text and rule.sentence
    assert "p < 0.05" in significance.RULES["two_proportion"].sentence
    assert "confidence intervals do not overlap" in significance.rule_sentence()
