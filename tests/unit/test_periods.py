"""Months and windows: rolling 12 months, financial year to date, single and lagged months."""

import doctest

import pandas as pd
import pytest

from helpers import periods
from helpers.periods import (
    PeriodError,
    financial_year_label,
    financial_year_start,
    parse_month,
    window,
)


def P(text):
    return pd.Period(text, freq="M")


@pytest.mark.parametrize(
    ("kind", "month", "start", "end"),
    [
        ("rolling-12m", "2016-09", "2015-10", "2016-09"),
        ("rolling-12m", "2016-01", "2015-02", "2016-01"),  # across a calendar year end
        ("rolling-12m", "2016-12", "2016-01", "2016-12"),
        ("fytd", "2014-03", "2013-04", "2014-03"),  # the last month of a financial year
        ("fytd", "2014-04", "2014-04", "2014-04"),  # the first month of the next
        ("fytd", "2014-12", "2014-04", "2014-12"),  # across a calendar year end
        ("fytd", "2015-01", "2014-04", "2015-01"),
        ("month", "2016-09", "2016-09", "2016-09"),
    ],
)
def test_window_starts_and_ends_at_the_right_month(kind, month, start, end):
    w = window(kind, month)
    assert (w.start, w.end) == (P(start), P(end))
    assert w.months[0] == P(start) and w.months[-1] == P(end)
    assert w.n_months == len(w.months)


@pytest.mark.parametrize("kind", periods.PERIODS)
def test_last_year_is_the_same_window_a_year_earlier(kind):
    w = window(kind, "2014-03")
    ly = w.last_year()
    assert (ly.start, ly.end) == (w.start - 12, w.end - 12)
    assert ly.n_months == w.n_months


def test_lagged_month_is_six_months_in_arrears():
    assert window("month", "2016-09", lag=6).label == "Mar 2016"
    assert window("month", "2014-03", lag=6).last_year().label == "Sep 2012"


def test_fytd_honours_another_financial_year_start():
    assert window("fytd", "2014-03", start_month=1).start == P("2014-01")


def test_financial_year_helpers():
    assert financial_year_start(P("2014-03")) == P("2013-04")
    assert financial_year_start(P("2014-04")) == P("2014-04")
    assert financial_year_label(P("2014-03")) == "2013/14"
    assert financial_year_label(P("2099-06")) == "2099/00"


@pytest.mark.parametrize("bad", ["2016-9", "2016/09", "Sep 2016", "2016-13", "", "201609"])
def test_parse_month_refuses_what_is_not_yyyy_mm(bad):
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_month(bad)


def test_parse_month_accepts_periods_and_timestamps():
    assert parse_month(pd.Timestamp("2016-09-30")) == P("2016-09")
    assert parse_month(P("2016-09")) == P("2016-09")


def test_unknown_period_lists_the_valid_ones():
    with pytest.raises(PeriodError, match="rolling-12m, fytd, month"):
        window("quarter", "2016-09")


def test_shift_and_label():
    w = window("rolling-12m", "2016-09")
    assert w.shift(-1).label == "Sep 2015 – Aug 2016"


def test_doctests():
    assert doctest.testmod(periods).failed == 0
