"""The solved rate's first months: covered only once the extract holds the crimes whose outcomes
they count (helpers.measures.runner.outcome_lookback), so an extract's start reads N/A rather than
a solved rate far too low."""

from __future__ import annotations

import pandas as pd
import pytest
from support.extract_rows import crime

from helpers.measures.cube import build_cube
from helpers.measures.runner import MAX_OUTCOME_LOOKBACK, outcome_lookback
from helpers.periods import window
from helpers.sources.loading import districts


def lags(pairs):
    return pd.DataFrame({"lag": [p[0] for p in pairs], "n": [p[1] for p in pairs]})


def test_the_lookback_is_the_months_that_give_all_but_two_percent_of_solved_outcomes():
    assert outcome_lookback(lags([(0, 46), (1, 37), (2, 9), (3, 3), (4, 2), (5, 1), (6, 2)])) == 5
    assert outcome_lookback(lags([(0, 100)])) == 0  # data.police.uk: outcomes in the crime's month
    assert outcome_lookback(lags([(-1, 5), (0, 95)])) == 0  # an outcome dated before: as 0
    assert outcome_lookback(lags([(40, 10)])) == MAX_OUTCOME_LOOKBACK
    assert outcome_lookback(lags([])) == 0


def _extract(delay_months: int) -> pd.DataFrame:
    """Ten crimes a month from January 2015, every other one solved ``delay_months`` later."""
    district = str(districts()["district"].iloc[0])
    rows = []
    for month in pd.period_range("2015-01", "2016-09", freq="M"):
        for i in range(10):
            recorded = month.start_time + pd.Timedelta(days=i)
            solved = i % 2 == 0
            outcome = (month + delay_months).start_time + pd.Timedelta(days=i) if solved else None
            rows.append(
                crime(
                    f"{month}-{i}",
                    recorded,
                    district,
                    outcome_type="charge_summons" if solved else None,
                    outcome_date=outcome,
                )
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("delay", [0, 3])
def test_the_solved_rate_starts_once_the_months_its_outcomes_belong_to_are_held(delay):
    cube = build_cube({"crimes": _extract(delay)})
    first = pd.Period("2015-01", "M") + delay
    for month in pd.period_range("2015-01", first, freq="M")[:-1]:
        v = cube.value("solved_rate", window("month", month))
        assert not v.available and "solved outcomes come up to" in v.reason
    v = cube.value("solved_rate", window("month", first))
    assert v.available and v.value == pytest.approx(50.0)  # the whole month's outcomes
    series = cube.series("solved_rate", start="2015-01", end="2016-09")
    assert series.loc[series["value"].notna(), "month"].iloc[0] == first
    assert series["value"].dropna().eq(50.0).all()
