"""XmR limits, special-cause rules, icons, seasonality and projections (helpers.spc)."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers import spc
from helpers.spc import (
    LIMIT_FACTOR,
    assurance_icon,
    exceptions,
    project,
    seasonal_factors,
    seasonally_adjust,
    summarise,
    t_quantile,
    variation_icon,
    xmr,
)

REFERENCE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]

# A baseline of 12 points with mean exactly 10 and every moving range 2, ending below the mean
# so that nothing after it joins a run by accident. With fix_after_n_points=12:
# limits 10 ± 5.32 = 4.68 / 15.32, 2-sigma lines 10 ± 3.5467 = 6.453 / 13.547.
BASELINE = [11, 9] * 6
UPPER = 10 + LIMIT_FACTOR * 2
LOWER = 10 - LIMIT_FACTOR * 2
UPPER_2SIGMA = 10 + LIMIT_FACTOR * 2 * 2 / 3


def fixed(after, **kwargs):
    """XmR of BASELINE followed by ``after``, limits fixed on the baseline."""
    return xmr(BASELINE + list(after), fix_after_n_points=12, **kwargs)


def rules_after(after, **kwargs):
    """The rule that fired for each point after the baseline."""
    return fixed(after, **kwargs)["rule"].iloc[12:].tolist()


def months(n, start="2013-04"):
    return pd.period_range(start, periods=n, freq="M")


# ---------------------------------------------------------------------------- limits


def test_reference_vector_with_screening():
    df = xmr(REFERENCE)
    assert round(df["mean"].iloc[0], 2) == 1.94
    assert round(df["upper_limit"].iloc[0], 2) == 4.60
    assert round(df["lower_limit"].iloc[0], 2) == -0.72


def test_reference_vector_without_screening():
    df = xmr(REFERENCE, screen_outliers=False)
    assert round(df["mean"].iloc[0], 2) == 1.94
    assert round(df["upper_limit"].iloc[0], 2) == 6.95
    assert round(df["lower_limit"].iloc[0], 2) == -3.06


def test_reference_vector_moving_ranges_and_outlier():
    df = xmr(REFERENCE)
    assert math.isnan(df["moving_range"].iloc[0])
    assert df["moving_range"].iloc[4:6].tolist() == [8, 9]
    # Screening drops the ranges 8 and 9 (≥ 3.267 × 32/17 = 6.15); the other 15 are all 1.
    assert df["mean_moving_range"].iloc[0] == 1
    assert df.loc[4, "rule"] == "outside_limits"
    assert exceptions(df).index.tolist() == [4]


def test_screening_does_not_change_the_mean():
    on, off = xmr(REFERENCE), xmr(REFERENCE, screen_outliers=False)
    assert on["mean"].iloc[0] == off["mean"].iloc[0] == pytest.approx(35 / 18)
    assert on["mean_moving_range"].iloc[0] < off["mean_moving_range"].iloc[0]


@pytest.mark.parametrize(("big", "dropped"), [(3.7, False), (3.9, True)])
def test_screening_drops_ranges_at_or_above_3267_times_the_mean(big, dropped):
    # Sixteen ranges of 1 and one of ``big``: the threshold 3.267 × (16 + big) / 17 equals
    # ``big`` at 3.806, so 3.7 (threshold 3.786) is kept and 3.9 (threshold 3.824) dropped.
    moving_ranges = np.r_[np.nan, np.ones(16), big]
    mr_bar = spc._mean_moving_range(moving_ranges, screen=True)
    assert mr_bar == pytest.approx(1.0 if dropped else (16 + big) / 17)


def test_columns_and_two_sigma_lines():
    df = fixed([10])
    for column in ("value", "mean", "upper_limit", "lower_limit", "point_type", "upper_2sigma",
                   "lower_2sigma", "period", "rule", "moving_range"):  # fmt: skip
        assert column in df.columns
    assert df["upper_limit"].iloc[-1] == pytest.approx(UPPER)
    assert df["lower_limit"].iloc[-1] == pytest.approx(LOWER)
    assert df["upper_2sigma"].iloc[-1] == pytest.approx(10 + 2 * LIMIT_FACTOR * 2 / 3)
    assert df["lower_2sigma"].iloc[-1] == pytest.approx(10 - 2 * LIMIT_FACTOR * 2 / 3)


@pytest.mark.parametrize(
    "values",
    [REFERENCE, np.array(REFERENCE, dtype=float), pd.Series(REFERENCE, index=months(18))],
    ids=["list", "numpy", "series"],
)
def test_accepts_list_array_and_series(values):
    df = xmr(values)
    assert len(df) == 18
    assert df["value"].tolist() == [float(v) for v in REFERENCE]
    assert round(df["upper_limit"].iloc[0], 2) == 4.60


def test_series_keeps_its_period_index():
    s = pd.Series(REFERENCE, index=months(18))
    df = xmr(s)
    assert isinstance(df.index, pd.PeriodIndex)
    assert df.index.equals(s.index)


def test_index_argument_labels_a_list():
    df = xmr(REFERENCE, index=months(18))
    assert str(df.index[0]) == "2013-04"


@pytest.mark.parametrize(("n", "has_limits"), [(12, False), (13, True)])
def test_no_limits_for_a_period_with_fewer_than_13_points(n, has_limits):
    df = xmr(([11, 9] * 7)[:n])
    assert df["upper_limit"].notna().all() == has_limits
    assert df["lower_limit"].notna().all() == has_limits
    assert df["upper_2sigma"].notna().all() == has_limits
    assert df["mean"].notna().all()


def test_short_period_is_never_outside_limits():
    df = xmr([1, 1, 1, 1, 1, 1, 100])
    assert df["rule"].tolist() == [""] * 7


# ---------------------------------------------------------------------------- baseline & rebase


def test_fix_after_n_points_freezes_mean_and_limits():
    df = fixed([30] * 3)
    assert (df["mean"] == 10).all()
    assert df["upper_limit"].iloc[-1] == pytest.approx(UPPER)
    assert df["baseline"].tolist() == [True] * 12 + [False] * 3
    unfixed = xmr(BASELINE + [30] * 3)
    assert unfixed["mean"].iloc[0] > 10


def test_fix_after_n_points_below_twelve_is_refused():
    with pytest.raises(ValueError, match="at least 12"):
        xmr(REFERENCE, fix_after_n_points=11)


def test_rebase_gives_each_period_its_own_mean_and_limits():
    values = [11, 9] * 8 + [31, 29] * 8
    s = pd.Series(values, index=months(32))
    df = xmr(s, rebase_at=["2014-08"])  # the 17th point
    first, second = df.iloc[:16], df.iloc[16:]
    assert first["period"].eq(1).all() and second["period"].eq(2).all()
    assert first["mean"].eq(10).all() and second["mean"].eq(30).all()
    assert first["upper_limit"].iloc[0] == pytest.approx(10 + LIMIT_FACTOR * 2)
    assert second["upper_limit"].iloc[0] == pytest.approx(30 + LIMIT_FACTOR * 2)
    # The jump between periods is not a moving range of either period.
    assert math.isnan(df["moving_range"].iloc[16])
    assert df["rule"].eq("").all()


def test_rebase_without_rebase_flags_the_step_change():
    values = [11, 9] * 8 + [31, 29] * 8
    assert (xmr(values)["rule"] != "").any()


def test_rebase_period_with_fewer_than_13_points_has_no_limits():
    values = [11, 9] * 8 + [31, 29] * 5
    df = xmr(pd.Series(values, index=months(26)), rebase_at=pd.Period("2014-08", "M"))
    assert df["upper_limit"].iloc[:16].notna().all()
    assert df["upper_limit"].iloc[16:].isna().all()
    assert df["mean"].iloc[16:].eq(30).all()


def test_rebase_at_positions_for_a_plain_list():
    df = xmr([11, 9] * 8 + [31, 29] * 8, rebase_at=[16])
    assert df["period"].tolist() == [1] * 16 + [2] * 16


def test_rebase_at_unknown_label_names_it():
    with pytest.raises(KeyError, match="2030-01"):
        xmr(pd.Series(REFERENCE, index=months(18)), rebase_at=["2030-01"])


# ---------------------------------------------------------------------------- rules


def test_outside_limits_is_strict():
    assert rules_after([UPPER, LOWER]) == ["", ""]
    assert rules_after([UPPER + 0.01]) == ["outside_limits"]
    df = fixed([LOWER - 0.01])
    assert df["direction"].iloc[-1] == "low"


@pytest.mark.parametrize(("length", "flagged"), [(6, False), (7, True)])
def test_shift_of_seven_points_above_the_mean(length, flagged):
    after = ([11, 12] * 4)[:length]
    expected = ["shift"] * length if flagged else [""] * length
    assert rules_after(after) == expected


def test_shift_below_the_mean_flags_every_point_of_the_run():
    df = fixed([9, 8] * 5)
    assert df["rule"].iloc[11:].tolist() == ["shift"] * 11  # the baseline's last 9 too
    assert set(df["direction"].iloc[11:]) == {"low"}


def test_point_on_the_mean_breaks_a_shift():
    assert rules_after([11, 12, 11, 10, 12, 11, 12, 11]) == [""] * 8
    assert rules_after([11, 12, 11, 10.5, 12, 11, 12, 11]) == ["shift"] * 8


def test_shift_length_is_a_parameter():
    assert rules_after([11, 12, 11, 12, 11], shift_length=5) == ["shift"] * 5
    assert rules_after([11, 12, 11, 12, 11, 12, 11], shift_length=8) == [""] * 7


@pytest.mark.parametrize(("length", "flagged"), [(6, False), (7, True)])
def test_trend_of_seven_rising_points_crossing_the_mean(length, flagged):
    after = [7, 8, 9, 9.5, 10.5, 11, 12][-length:]
    expected = ["trend"] * length if flagged else [""] * length
    result = rules_after(after)
    assert result == expected
    if flagged:
        assert set(fixed(after)["direction"].iloc[12:]) == {"high"}


def test_falling_trend_is_low():
    df = fixed([13, 12, 11, 10.5, 9.5, 9, 8])
    assert df["rule"].iloc[12:].tolist() == ["trend"] * 7
    assert set(df["direction"].iloc[12:]) == {"low"}


def test_tie_breaks_a_trend():
    assert rules_after([7, 8, 9, 9, 10.5, 11, 12]) == [""] * 7


def test_trend_length_is_a_parameter():
    df = fixed([7, 8, 9, 9.5, 10.5, 11, 12], trend_length=8)
    # The baseline's last point (9) is above 7: no 8-point trend.
    assert df["rule"].iloc[12:].tolist() == [""] * 7


def test_trend_length_four_flags_four_rising_points():
    assert rules_after([8, 8.5, 9.2, 9.6], trend_length=4) == ["trend"] * 4


def test_two_of_three_beyond_two_sigma_flags_only_those_points():
    assert pytest.approx(13.5467, abs=1e-4) == UPPER_2SIGMA
    assert rules_after([14, 10.5, 14]) == ["two_in_three", "", "two_in_three"]


def test_two_of_three_across_the_mean_is_not_flagged():
    assert rules_after([14, 9.5, 14]) == ["", "", ""]


def test_one_of_three_beyond_two_sigma_is_not_flagged():
    assert rules_after([14, 12, 12]) == ["", "", ""]


def test_two_in_three_can_be_switched_off():
    assert rules_after([14, 10.5, 14], two_in_three=False) == ["", "", ""]


def test_two_in_three_below_the_mean():
    df = fixed([6, 9.5, 6])
    assert df["rule"].iloc[12:].tolist() == ["two_in_three", "", "two_in_three"]
    assert df["direction"].iloc[12] == "low"


def test_precedence_outside_over_trend():
    after = [7, 8, 9, 9.5, 10.5, 11, 16]
    assert rules_after(after) == ["trend"] * 6 + ["outside_limits"]


def test_precedence_trend_over_two_in_three():
    # The last two points are beyond 2 sigma and also end a rising trend.
    assert rules_after([8, 9, 9.5, 10.5, 11, 13.6, 14]) == ["trend"] * 7


def test_precedence_two_in_three_over_shift():
    after = [11, 12, 14, 14, 11, 12, 11]
    assert rules_after(after) == ["shift", "shift", "two_in_three", "two_in_three"] + ["shift"] * 3


# ---------------------------------------------------------------------------- polarity, icons


@pytest.mark.parametrize(
    ("polarity", "after", "point_type", "icon"),
    [
        ("higher_better", [16], "improvement", "improvement_high"),
        ("higher_better", [4], "concern", "concern_low"),
        ("lower_better", [16], "concern", "concern_high"),
        ("lower_better", [4], "improvement", "improvement_low"),
        ("neutral", [16], "neutral_special", "neutral_high"),
        ("neutral", [4], "neutral_special", "neutral_low"),
        ("higher_better", [10.5], "common_cause", "common_cause"),
    ],
)
def test_point_type_and_variation_icon_follow_polarity(polarity, after, point_type, icon):
    df = fixed(after, polarity=polarity)
    assert df["point_type"].iloc[-1] == point_type
    assert variation_icon(df) == icon


def test_trend_direction_sets_the_point_type():
    df = fixed([13, 12, 11, 10.5, 9.5, 9, 8], polarity="lower_better")
    assert df["point_type"].iloc[12:].eq("improvement").all()
    # The first points of this falling trend are above the mean: direction is the trend's.
    assert df["value"].iloc[12] > df["mean"].iloc[12]


def test_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        xmr(REFERENCE, polarity="up")


@pytest.mark.parametrize(
    ("polarity", "target", "icon"),
    [
        ("higher_better", 4, "pass"),
        ("higher_better", 16, "fail"),
        ("higher_better", 10, "hit_and_miss"),
        ("lower_better", 16, "pass"),
        ("lower_better", 4, "fail"),
        ("lower_better", 10, "hit_and_miss"),
        ("higher_better", LOWER, "hit_and_miss"),  # on the limit: not consistently passing
        ("neutral", 4, None),
        ("higher_better", None, None),
    ],
)
def test_assurance_icon(polarity, target, icon):
    df = fixed([10, 10.5], polarity=polarity)
    assert assurance_icon(df, target) == icon


def test_assurance_icon_uses_the_target_given_to_xmr():
    df = fixed([10], polarity="higher_better", target=4)
    assert df["target"].eq(4).all()
    assert assurance_icon(df) == "pass"


def test_assurance_icon_uses_the_latest_period():
    values = [11, 9] * 8 + [31, 29] * 8
    df = xmr(values, rebase_at=[16], polarity="higher_better")
    assert assurance_icon(df, 20) == "pass"


def test_assurance_icon_is_none_without_limits():
    assert assurance_icon(xmr([1, 2, 3], polarity="higher_better"), 0) is None


# ---------------------------------------------------------------------------- exceptions, summary


def test_exceptions_lists_special_cause_points_only():
    df = fixed([16, 10.5, 4], polarity="higher_better")
    ex = exceptions(df)
    assert ex.index.tolist() == [12, 14]
    assert ex["point_type"].tolist() == ["improvement", "concern"]
    assert "rule" in ex.columns


def test_summarise_common_cause():
    summary = summarise(fixed([10.5]), "higher_better")
    assert summary["sentence"] == "Common cause variation: no significant change"
    assert summary["special_cause"] is False
    assert summary["variation_icon"] == "common_cause"
    assert summary["latest_value"] == 10.5
    assert summary["mean"] == 10
    assert summary["upper_limit"] == pytest.approx(UPPER)


def test_summarise_shift_counts_the_run():
    summary = summarise(fixed([11, 12] * 3 + [11]), "lower_better")
    assert summary["sentence"] == "Special cause of concern: 7 points above the mean"
    assert summary["special_cause"] is True
    assert summary["variation_icon"] == "concern_high"
    assert summary["rule"] == "shift"


@pytest.mark.parametrize(
    ("after", "polarity", "sentence"),
    [
        ([16], "higher_better",
         "Special cause of improvement: latest point above the upper process limit"),
        ([13, 12, 11, 10.5, 9.5, 9, 8], "higher_better",
         "Special cause of concern: 7 points falling in a row"),
        ([14, 10.5, 14], "neutral",
         "Special cause variation: 2 of the last 3 points close to the upper process limit"),
    ],
)  # fmt: skip
def test_summarise_sentences(after, polarity, sentence):
    assert summarise(fixed(after), polarity)["sentence"] == sentence


def test_summarise_adds_assurance_and_reclassifies_by_polarity():
    df = fixed([16], polarity="neutral", target=2)
    summary = summarise(df, "lower_better")
    assert summary["point_type"] == "concern"
    assert summary["assurance_icon"] == "fail"
    assert summary["sentence"].endswith("the process consistently misses the target")


def test_summarise_returns_the_latest_label():
    s = pd.Series(REFERENCE, index=months(18))
    assert summarise(xmr(s))["latest"] == pd.Period("2014-09", "M")


# ---------------------------------------------------------------------------- missing values


def test_missing_value_is_left_out():
    values = BASELINE + [np.nan, 11, 12, 11, 12, 11, 12, 11]
    df = xmr(values, fix_after_n_points=12)
    assert df["point_type"].iloc[12] == "missing"
    assert df["rule"].iloc[13:].tolist() == ["shift"] * 7
    assert math.isnan(df["moving_range"].iloc[12])
    assert df["moving_range"].iloc[13] == 2  # from the 9 before the gap
    assert variation_icon(df) == "neutral_high"


@pytest.mark.parametrize("bad", [["a", 1], [1, math.inf]])
def test_non_numbers_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        xmr(bad)


# ---------------------------------------------------------------------------- seasonality

PATTERN = [0.8, 0.9, 1.0, 1.1, 1.2, 1.0, 1.05, 1.15, 1.0, 0.9, 0.95, 0.95]


def seasonal_series(n=48, level=100.0, slope=0.0, start="2012-01"):
    idx = months(n, start)
    return pd.Series(
        [(level + slope * i) * PATTERN[m.month - 1] for i, m in enumerate(idx)], index=idx
    )


def test_seasonal_factors_recover_a_known_pattern():
    factors = seasonal_factors(seasonal_series())
    expected = np.array(PATTERN) / np.mean(PATTERN)
    assert factors.index.tolist() == list(range(1, 13))
    np.testing.assert_allclose(factors.to_numpy(), expected, atol=1e-9)
    assert factors.mean() == pytest.approx(1.0)


def test_seasonal_factors_with_a_trend_are_close():
    factors = seasonal_factors(seasonal_series(n=60, slope=0.5))
    np.testing.assert_allclose(factors.to_numpy(), np.array(PATTERN) / np.mean(PATTERN), atol=0.01)


def test_seasonal_factors_from_a_datetime_index():
    s = seasonal_series()
    s.index = s.index.to_timestamp()
    assert seasonal_factors(s).iloc[0] == pytest.approx(0.8 / np.mean(PATTERN))


def test_seasonal_factors_need_three_years():
    with pytest.raises(ValueError, match="36"):
        seasonal_factors(seasonal_series(n=35))
    assert len(seasonal_factors(seasonal_series(n=36))) == 12


def test_seasonal_factors_refuse_gaps_and_missing_values():
    s = seasonal_series()
    with pytest.raises(ValueError, match="2012-05"):
        seasonal_factors(s.drop(pd.Period("2012-05", "M")))
    s.iloc[3] = np.nan
    with pytest.raises(ValueError, match="2012-04"):
        seasonal_factors(s)


def test_seasonally_adjust_removes_the_pattern():
    s = seasonal_series()
    adjusted = seasonally_adjust(s, seasonal_factors(s))
    np.testing.assert_allclose(adjusted.to_numpy(), 100 * np.mean(PATTERN))
    assert adjusted.index.equals(s.index)


# ---------------------------------------------------------------------------- projections


def test_t_quantile_matches_tables():
    assert t_quantile(0.95, 10) == pytest.approx(2.228139, abs=1e-6)
    assert t_quantile(0.95, 1) == pytest.approx(12.7062, abs=1e-4)
    assert t_quantile(0.95, 34) == pytest.approx(2.032245, abs=1e-6)
    assert t_quantile(0.90, 5) == pytest.approx(2.015048, abs=1e-6)


def test_projection_of_a_linear_series_is_exact():
    s = pd.Series(np.arange(48) * 3.0 + 200, index=months(48, "2012-10"))
    p = project(s)
    expected = 200 + 3.0 * np.arange(48, 60)
    np.testing.assert_allclose(p["projection"].to_numpy(), expected, rtol=1e-9)
    assert (p["upper"] - p["lower"]).max() < 1e-6
    assert p.index[0] == pd.Period("2016-10", "M")
    assert len(p) == 12
    assert p.index[p["horizon_flag"]].astype(str).tolist() == ["2016-12", "2017-03", "2017-09"]


def test_projection_without_seasonality_on_a_short_series():
    s = pd.Series(np.arange(24) + 50.0, index=months(24))
    p = project(s, seasonal=False, horizons=(3,))
    assert len(p) == 3
    assert p["projection"].tolist() == pytest.approx([74, 75, 76])


def test_projection_keeps_the_seasonal_pattern():
    s = seasonal_series(n=48, slope=1.0)
    p = project(s)
    expected = [
        (100 + 1.0 * i) * PATTERN[m.month - 1] for i, m in zip(range(48, 60), p.index, strict=True)
    ]
    np.testing.assert_allclose(p["projection"].to_numpy(), expected, rtol=0.01)


def test_prediction_interval_widens_with_the_horizon_and_brackets_the_projection():
    rng = np.random.default_rng(1)
    s = pd.Series(100 + np.arange(36) + rng.normal(0, 3, 36), index=months(36))
    p = project(s, seasonal=False)
    width = p["upper"] - p["lower"]
    assert (width.diff().dropna() > 0).all()
    assert ((p["lower"] < p["projection"]) & (p["projection"] < p["upper"])).all()
    # At one month ahead the half-width is about t × s (the 1/n and leverage terms are small).
    se = p.attrs["residual_standard_error"]
    assert 2.0 * se < width.iloc[0] / 2 < 2.6 * se
    narrow = project(s, seasonal=False, level=0.8)
    assert ((narrow["upper"] - narrow["lower"]) < width).all()


def test_projection_fits_the_last_36_months_only():
    old = np.full(24, 1000.0)
    recent = np.arange(36) + 10.0
    s = pd.Series(np.r_[old, recent], index=months(60))
    p = project(s, seasonal=False)
    assert p["projection"].iloc[0] == pytest.approx(46.0)
    assert p.attrs["fit_months"] == 36


def test_seasonal_projection_needs_three_years_unless_auto():
    s = pd.Series(np.arange(24) + 50.0, index=months(24))
    with pytest.raises(ValueError, match="36"):
        project(s)
    p = project(s, seasonal="auto")
    assert p.attrs["seasonal"] is False


def test_projection_needs_twelve_months():
    with pytest.raises(ValueError, match="12 months"):
        project(pd.Series(np.arange(11.0), index=months(11)), seasonal=False)


def test_would_be_exception_against_current_limits():
    rng = np.random.default_rng(7)
    flat = pd.Series(100 + rng.normal(0, 1, 24), index=months(24))
    rising = pd.Series(100 + np.arange(24) * 0.8 + rng.normal(0, 1, 24), index=months(24))
    assert not project(flat, seasonal=False)["would_be_exception"].any()
    flags = project(rising, seasonal=False)["would_be_exception"]
    assert flags.iloc[-1]
    process = xmr(rising)
    upper = process["upper_limit"].iloc[-1]
    p = project(rising, seasonal=False)
    assert (flags == (p["projection"] > upper)).all()


def test_projection_uses_a_given_process():
    s = pd.Series(np.arange(24) + 50.0, index=months(24))
    short = xmr(s.iloc[-5:])  # no limits
    assert not project(s, seasonal=False, process=short)["would_be_exception"].any()


def test_public_names_exist():
    for name in ("xmr", "variation_icon", "assurance_icon", "exceptions", "summarise",
                 "seasonal_factors", "seasonally_adjust", "project"):  # fmt: skip
        assert callable(getattr(spc, name))


def test_seasonal_factors_average_exactly_one_on_noisy_data():
    rng = np.random.default_rng(3)
    s = seasonal_series(n=41, slope=2.0) * rng.uniform(0.8, 1.2, 41)
    factors = seasonal_factors(s)
    assert factors.mean() == pytest.approx(1.0, abs=1e-12)


def test_projection_floor_keeps_counts_non_negative():
    s = pd.Series(np.r_[np.full(12, 30.0), np.linspace(28, 2, 12)], index=months(24))
    unbounded = project(s, seasonal=False)
    assert (unbounded["lower"] < 0).any()
    bounded = project(s, seasonal=False, floor=0)
    assert (bounded[["projection", "lower", "upper"]] >= 0).all().all()
    assert bounded["upper"].iloc[0] == unbounded["upper"].iloc[0]


def test_docstring_examples_run():
    import doctest

    results = doctest.testmod(spc)
    assert results.attempted > 10
    assert results.failed == 0
