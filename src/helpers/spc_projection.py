"""Projections of a monthly series: a straight line on the (seasonally adjusted) series with a
prediction interval, and whether it would leave the current process limits."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .spc_seasonality import _monthly, _span, seasonal_factors, seasonally_adjust
from .spc_xmr import xmr

# --------------------------------------------------------------------------------------------
# Projections
# --------------------------------------------------------------------------------------------


def _t_two_sided_probability(t: float, df: int) -> float:
    """P(|T| < t) for Student's t with an integer number of degrees of freedom (A&S 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2 == 1:
        total, term = 0.0, 1.0
        if df > 1:
            total = term = 1.0
            for k in range(3, df - 1, 2):
                term *= c2 * (k - 1) / k
                total += term
            total *= s * math.cos(theta)
        return 2 / math.pi * (theta + total)
    total = term = 1.0
    for k in range(2, df - 1, 2):
        term *= c2 * (k - 1) / k
        total += term
    return s * total


def t_quantile(level: float, df: int) -> float:
    """Return the two-sided critical value of Student's t (e.g. 2.228 for 95%, 10 df).

    Examples
    --------
    >>> round(t_quantile(0.95, 10), 3), round(t_quantile(0.95, 1), 3)
    (2.228, 12.706)
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    lo, hi = 0.0, 1.0
    while _t_two_sided_probability(hi, df) < level:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _t_two_sided_probability(mid, df) < level:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


def project(
    series: pd.Series,
    horizons: Sequence[int] = (3, 6, 12),
    *,
    seasonal: bool | str = True,
    level: float = 0.95,
    fit_months: int = 36,
    min_fit_months: int = 12,
    process: pd.DataFrame | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> pd.DataFrame:
    """Project a monthly series forward with a prediction interval.

    A straight line is fitted (least squares) to the last ``fit_months`` months of the
    seasonally adjusted series, extended, and multiplied back by the seasonal factors. The
    interval is the usual regression prediction interval, ``± t × s × √(1 + 1/n + (x − x̄)² / Sxx)``,
    which widens with the horizon, re-seasonalised like the projection.

    Parameters
    ----------
    series
        Monthly values on a complete ``PeriodIndex`` (no gaps, no missing values), oldest first.
    horizons
        Months ahead to flag (``horizon_flag``); the frame runs to the largest.
    seasonal
        True: adjust for seasonality (needs 36 months, see :func:`seasonal_factors`).
        False: a straight line on the raw series. ``'auto'``: seasonal when there are 36
        months of history. The choice made is in ``df.attrs['seasonal']``.
    level
        Coverage of the prediction interval.
    fit_months
        Months of history the line is fitted to (the most recent).
    min_fit_months
        Fewest months accepted for the fit.
    process
        The :func:`xmr` frame whose latest limits decide ``would_be_exception``; default
        ``xmr(series)``. Pass the frame you chart when it has rebase dates or a fixed baseline.
    floor, ceiling
        Bounds the projection and its interval cannot cross (e.g. ``floor=0`` for counts,
        ``ceiling=100`` for percentages): a straight line does not know a count cannot be
        negative.

    Returns
    -------
    pandas.DataFrame
        Indexed by the months after the series (``PeriodIndex``), columns ``horizon`` (1…),
        ``projection``, ``lower``, ``upper``, ``horizon_flag`` (True at ``horizons``) and
        ``would_be_exception`` (the projection is outside the current process limits).

    Raises
    ------
    ValueError
        Too short a history, gaps or missing values, or bad horizons.

    Examples
    --------
    >>> s = pd.Series(range(100, 124), index=pd.period_range("2014-10", periods=24, freq="M"))
    >>> p = project(s, seasonal=False)
    >>> p.loc[p["horizon_flag"], "projection"].round(6).tolist()
    [126.0, 129.0, 135.0]
    """
    s = _monthly(series)
    horizons = sorted({int(h) for h in horizons})
    if not horizons or horizons[0] < 1:
        raise ValueError(f"horizons must be whole months ahead (≥ 1), got {horizons}")
    if seasonal == "auto":
        seasonal = len(s) >= 36
    elif seasonal not in (True, False):
        raise ValueError(f"seasonal must be True, False or 'auto', got {seasonal!r}")
    if len(s) < min_fit_months:
        raise ValueError(
            f"project needs at least {min_fit_months} months of history; got {len(s)} ({_span(s)})"
        )
    if seasonal:
        factors = seasonal_factors(s)
        adjusted = seasonally_adjust(s, factors)
    else:
        factors = pd.Series(1.0, index=range(1, 13))
        adjusted = s
    fit = adjusted.iloc[-fit_months:]
    n = len(fit)
    x = np.arange(n, dtype=float)
    y = fit.to_numpy()
    x_bar = x.mean()
    sxx = float(((x - x_bar) ** 2).sum())
    slope = float(((x - x_bar) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_bar)
    residuals = y - (intercept + slope * x)
    dof = n - 2
    se = math.sqrt(float((residuals**2).sum()) / dof)
    t = t_quantile(level, dof)

    steps = np.arange(1, horizons[-1] + 1)
    x_new = (n - 1) + steps
    centre = intercept + slope * x_new
    half = t * se * np.sqrt(1 + 1 / n + (x_new - x_bar) ** 2 / sxx)
    months = pd.period_range(s.index[-1] + 1, periods=len(steps), freq="M")
    f = factors.loc[months.month].to_numpy()

    out = pd.DataFrame(
        {
            "horizon": steps,
            "projection": centre * f,
            "lower": (centre - half) * f,
            "upper": (centre + half) * f,
            "horizon_flag": np.isin(steps, horizons),
        },
        index=pd.PeriodIndex(months, name=s.index.name),
    )
    if floor is not None or ceiling is not None:
        bounded = out[["projection", "lower", "upper"]].clip(lower=floor, upper=ceiling)
        out[["projection", "lower", "upper"]] = bounded
    limits = xmr(s) if process is None else process
    upper = limits["upper_limit"].iloc[-1]
    lower = limits["lower_limit"].iloc[-1]
    if math.isnan(upper) or math.isnan(lower):
        out["would_be_exception"] = False
    else:
        out["would_be_exception"] = (out["projection"] > upper) | (out["projection"] < lower)
    out.attrs.update(
        seasonal=bool(seasonal),
        level=level,
        fit_months=n,
        slope_per_month=slope,
        residual_standard_error=se,
    )
    return out
