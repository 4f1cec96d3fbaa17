"""Seasonality of a monthly series: multiplicative seasonal factors and the adjusted series."""

from __future__ import annotations

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# Seasonality
# --------------------------------------------------------------------------------------------


def _monthly(series, name: str = "series") -> pd.Series:
    """Return ``series`` as a float Series on a complete monthly PeriodIndex."""
    if not isinstance(series, pd.Series):
        raise TypeError(f"{name}: expected a pandas Series indexed by month, got {type(series)}")
    s = series.astype(float)
    idx = s.index
    if isinstance(idx, pd.DatetimeIndex):
        idx = idx.to_period("M")
    elif not isinstance(idx, pd.PeriodIndex):
        try:
            idx = pd.PeriodIndex(idx, freq="M")
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"{name}: index must be months (PeriodIndex, DatetimeIndex or 'YYYY-MM' strings); "
                f"first labels {list(s.index[:5])}"
            ) from err
    if idx.freqstr not in ("M", "ME"):
        idx = idx.asfreq("M")
    s = pd.Series(s.to_numpy(), index=idx, name=series.name)
    if not s.index.is_monotonic_increasing or s.index.has_duplicates:
        raise ValueError(
            f"{name}: months must be unique and in order; first labels {list(idx[:5])}"
        )
    if len(s):
        full = pd.period_range(idx[0], idx[-1], freq="M")
        gaps = full.difference(idx)
        if len(gaps):
            raise ValueError(f"{name}: months missing from the index: {[str(p) for p in gaps[:5]]}")
    missing = s.index[s.isna().to_numpy()]
    if len(missing):
        raise ValueError(f"{name}: missing values at {[str(p) for p in missing[:5]]}")
    return s


def seasonal_factors(series: pd.Series, min_years: int = 3) -> pd.Series:
    """Estimate monthly multiplicative seasonal factors.

    Each month's ratio to the centred 12-month moving average (a 2×12 average, so it is centred
    on the month) is averaged per calendar month, and the twelve factors are scaled to average 1.

    Parameters
    ----------
    series
        Monthly values on a complete ``PeriodIndex`` (a ``DatetimeIndex`` or 'YYYY-MM' labels
        also work), no missing values.
    min_years
        Years of history required (at least ``12 × min_years`` points).

    Returns
    -------
    pandas.Series
        Twelve factors indexed by calendar month 1…12 (name ``seasonal_factor``): 1.10 means the
        month runs 10% above the underlying level.

    Raises
    ------
    ValueError
        Fewer than ``12 × min_years`` points, gaps or missing values, or a moving average that
        is not positive (multiplicative factors need a positive level).

    Examples
    --------
    >>> months = pd.period_range("2012-01", periods=48, freq="M")
    >>> pattern = [0.8, 0.9, 1.0, 1.1, 1.2, 1.0, 1.0, 1.1, 1.0, 0.9, 1.0, 1.0]
    >>> s = pd.Series([100 * pattern[m.month - 1] for m in months], index=months)
    >>> seasonal_factors(s).round(2).tolist()[:5]
    [0.8, 0.9, 1.0, 1.1, 1.2]
    """
    s = _monthly(series)
    needed = 12 * min_years
    if len(s) < needed:
        raise ValueError(
            f"seasonal_factors needs at least {min_years} years ({needed} monthly points) of "
            f"history; got {len(s)} ({_span(s)})"
        )
    # 2x12 centred moving average: weights 1/24 at each end, 1/12 in between.
    weights = np.r_[0.5, np.ones(11), 0.5] / 12
    trend = pd.Series(np.convolve(s.to_numpy(), weights, mode="valid"), index=s.index[6:-6])
    if (trend <= 0).any():
        bad = [str(p) for p in trend.index[(trend <= 0).to_numpy()][:5]]
        raise ValueError(f"seasonal_factors: moving average is zero or negative at {bad}")
    ratios = s.loc[trend.index] / trend
    raw = ratios.groupby(ratios.index.month).mean()
    factors = raw / raw.mean()
    factors.index = pd.Index(range(1, 13), name="month")
    factors.name = "seasonal_factor"
    return factors


def _span(s: pd.Series) -> str:
    return f"{s.index[0]} to {s.index[-1]}" if len(s) else "empty"


def seasonally_adjust(series: pd.Series, factors: pd.Series) -> pd.Series:
    """Divide each month by its seasonal factor.

    Examples
    --------
    >>> f = pd.Series([2.0] + [1.0] * 11, index=range(1, 13))
    >>> seasonally_adjust(pd.Series([10.0, 10.0], index=pd.period_range("2016-01", periods=2,
    ...                                                               freq="M")), f).tolist()
    [5.0, 10.0]
    """
    factors = _check_factors(factors)
    s = series.astype(float)
    idx = s.index.to_period("M") if isinstance(s.index, pd.DatetimeIndex) else s.index
    if not isinstance(idx, pd.PeriodIndex):
        idx = pd.PeriodIndex(idx, freq="M")
    out = s.to_numpy() / factors.loc[idx.month].to_numpy()
    return pd.Series(out, index=s.index, name=series.name)


def _check_factors(factors: pd.Series) -> pd.Series:
    f = pd.Series(factors, dtype=float)
    if sorted(f.index.tolist()) != list(range(1, 13)):
        raise ValueError(f"factors: expected an index of months 1…12, got {list(f.index)[:12]}")
    if f.isna().any() or (f <= 0).any():
        raise ValueError(f"factors: must be positive numbers, got {f.round(3).tolist()}")
    return f
