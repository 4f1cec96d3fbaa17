"""Statistical process control (XmR charts), seasonality and projections.

Pure statistics on one series — no cube, no catalog, no charts — so every figure can be checked
against published reference values.

XmR charts follow NHS England's *Making Data Count* conventions:

- the centre line is the mean of the baseline points;
- moving ranges are the absolute differences between consecutive points; the process limits
  are ``mean ± 2.66 × mean moving range`` (2.66 = 3 / d2, d2 = 1.128 for ranges of two);
- moving-range screening (on by default): moving ranges at or above ``3.267 × mean moving
  range`` (the upper range limit) are dropped and the mean moving range recomputed once, so a
  single wild month does not widen the limits; the mean itself is not changed;
- the baseline is all points of a period, or its first ``fix_after_n_points`` points;
- rebase dates start a new period with its own mean and limits;
- a period with fewer than 13 points shows no limits (they would be too unstable to act on).

Special-cause rules, in order of precedence: a point outside the limits; a trend of 7 points
each strictly above (or below) the one before; two of three consecutive points beyond the
2-sigma line on the same side of the mean; a shift of 7 points on one side of the mean.
Each special-cause point is an *improvement* or a *concern* according to the measure's
polarity (the catalog's ``higher_better`` / ``lower_better``); for ``neutral`` measures it is a
``neutral_special``.

Examples
--------
>>> values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
>>> df = xmr(values)
>>> df[["mean", "upper_limit", "lower_limit"]].iloc[0].round(2).tolist()
[1.94, 4.6, -0.72]
>>> xmr(values, screen_outliers=False)[["upper_limit", "lower_limit"]].iloc[0].round(2).tolist()
[6.95, -3.06]
>>> df["point_type"].iloc[4], df["rule"].iloc[4]
('neutral_special', 'outside_limits')
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# One job a module: the limits and rules in spc_xmr, seasonality in spc_seasonality, projections in
# spc_projection; this module keeps what the points say (icons, exceptions, summaries) and every
# name of the three, so ``spc.X`` and ``from helpers.spc import X`` keep working.
from .spc_projection import _t_two_sided_probability, project, t_quantile  # noqa: F401
from .spc_seasonality import (  # noqa: F401
    _check_factors,
    _monthly,
    _span,
    seasonal_factors,
    seasonally_adjust,
)
from .spc_xmr import (  # noqa: F401
    COLUMNS,
    LIMIT_FACTOR,
    MIN_BASELINE_POINTS,
    MIN_POINTS_FOR_LIMITS,
    MISSING,
    POINT_TYPES,
    POLARITIES,
    RULES,
    SCREEN_FACTOR,
    _as_series,
    _check_polarity,
    _is_number,
    _locate,
    _mean_moving_range,
    _period_starts,
    _point_type,
    _runs,
    _trend_flags,
    _two_in_three,
    xmr,
)

VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS = ("pass", "fail", "hit_and_miss")


# --------------------------------------------------------------------------------------------
# Icons, exceptions and summaries
# --------------------------------------------------------------------------------------------


def _last_observed(df: pd.DataFrame) -> pd.Series | None:
    # the last row whose point is not missing, without copying the frame to find it
    observed = np.flatnonzero(df["point_type"].to_numpy() != MISSING)
    return None if observed.size == 0 else df.iloc[observed[-1]]


def variation_icon(df: pd.DataFrame) -> str:
    """Return the variation icon of the latest point of an :func:`xmr` frame.

    Returns
    -------
    str
        ``'common_cause'``, or ``'<improvement|concern|neutral>_<high|low>'`` when the latest
        (non-missing) point is a special cause — *high* / *low* is the direction of the rule
        (above / below the mean, or a trend up / down).

    Examples
    --------
    >>> values = [10, 12, 11, 13] * 3 + [10] + [12, 13] * 4
    >>> variation_icon(xmr(values, polarity="lower_better", fix_after_n_points=12))
    'concern_high'
    """
    last = _last_observed(df)
    if last is None or last["point_type"] == "common_cause":
        return "common_cause"
    kind = {"neutral_special": "neutral"}.get(last["point_type"], last["point_type"])
    return f"{kind}_{last['direction']}"


def assurance_icon(df: pd.DataFrame, target: float | None = None, polarity: str | None = None):
    """Return whether the latest period's process will meet a target.

    Parameters
    ----------
    df
        An :func:`xmr` frame.
    target
        The target; default the one given to :func:`xmr`.
    polarity
        Default the one given to :func:`xmr`.

    Returns
    -------
    str or None
        ``'pass'`` when the whole process range (lower to upper limit) of the latest period is
        on the good side of the target, ``'fail'`` when it is entirely on the bad side,
        ``'hit_and_miss'`` when the target lies within the limits (or on one of them);
        None when there is no target, no limits (too few points) or the polarity is neutral.

    Examples
    --------
    >>> df = xmr([10, 11] * 10, polarity="higher_better")
    >>> assurance_icon(df, 5), assurance_icon(df, 20), assurance_icon(df, 10.5)
    ('pass', 'fail', 'hit_and_miss')
    """
    target = df.attrs.get("target") if target is None else target
    polarity = df.attrs.get("polarity", "neutral") if polarity is None else polarity
    _check_polarity(polarity)
    if target is None or (isinstance(target, float) and math.isnan(target)):
        return None
    if polarity == "neutral" or df.empty:
        return None
    latest = df[df["period"] == df["period"].iloc[-1]]
    upper, lower = latest["upper_limit"].iloc[-1], latest["lower_limit"].iloc[-1]
    if math.isnan(upper) or math.isnan(lower):
        return None
    if polarity == "higher_better":
        good_all, bad_all = lower > target, upper < target
    else:
        good_all, bad_all = upper < target, lower > target
    if good_all:
        return "pass"
    if bad_all:
        return "fail"
    return "hit_and_miss"


def exceptions(df: pd.DataFrame) -> pd.DataFrame:
    """Return the special-cause points of an :func:`xmr` frame (one row each, oldest first).

    Examples
    --------
    >>> exceptions(xmr([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]))[
    ...     ["value", "rule", "point_type"]].to_dict("records")
    [{'value': 10.0, 'rule': 'outside_limits', 'point_type': 'neutral_special'}]
    """
    special = df["point_type"].isin(POINT_TYPES[1:])
    cols = ["value", "period", "mean", "upper_limit", "lower_limit", "rule", "direction"]
    return df.loc[special, cols + ["point_type"]].copy()


_RULE_PHRASES = {
    "outside_limits": {"high": "latest point above the upper process limit",
                       "low": "latest point below the lower process limit"},
    "trend": {"high": "{n} points rising in a row", "low": "{n} points falling in a row"},
    "two_in_three": {"high": "2 of the last 3 points close to the upper process limit",
                     "low": "2 of the last 3 points close to the lower process limit"},
    "shift": {"high": "{n} points above the mean", "low": "{n} points below the mean"},
}  # fmt: skip

_TYPE_PHRASES = {
    "improvement": "Special cause of improvement",
    "concern": "Special cause of concern",
    "neutral_special": "Special cause variation",
}

_ASSURANCE_PHRASES = {
    "pass": "consistently meets the target",
    "fail": "consistently misses the target",
    "hit_and_miss": "will hit and miss the target at random",
}


def _run_length_to_end(df: pd.DataFrame, rule: str, direction: str) -> int:
    """Points in the run of ``rule``/``direction`` (and, for a shift, same side) that ends last."""
    obs = df[df["point_type"] != MISSING]
    obs = obs[obs["period"] == obs["period"].iloc[-1]]
    x = obs["value"].to_numpy()
    mean = obs["mean"].to_numpy()
    count = 1
    for i in range(len(x) - 1, 0, -1):
        if rule == "shift":
            ok = (x[i - 1] > mean[i - 1]) if direction == "high" else (x[i - 1] < mean[i - 1])
        else:
            ok = (x[i] > x[i - 1]) if direction == "high" else (x[i] < x[i - 1])
        if not ok:
            break
        count += 1
    return count


def summarise(df: pd.DataFrame, polarity: str | None = None, target: float | None = None) -> dict:
    """Summarise the latest point of an :func:`xmr` frame for an exceptions list.

    Parameters
    ----------
    df
        An :func:`xmr` frame.
    polarity
        Default the one given to :func:`xmr`. A different polarity re-classifies the latest point.
    target
        Default the one given to :func:`xmr`.

    Returns
    -------
    dict
        ``latest`` (index label), ``latest_value``, ``mean``, ``upper_limit``, ``lower_limit``
        (NaN without limits), ``variation_icon``, ``assurance_icon``, ``special_cause`` (bool),
        ``rule``, ``direction`` (``high``/``low`` of a special cause, else ""), ``run_length``
        (points in the run or trend that ends at the latest point; 0 without special cause),
        ``point_type``, ``exceptions_in_period`` (special-cause points in the latest
        period) and ``sentence``, e.g. ``"Common cause variation: no significant change"`` or
        ``"Special cause of concern: 7 points above the mean"``.

    Examples
    --------
    >>> values = [10, 12, 11, 13] * 3 + [10] + [12, 13] * 4
    >>> summarise(xmr(values, fix_after_n_points=12), "lower_better")["sentence"]
    'Special cause of concern: 8 points above the mean'
    """
    polarity = df.attrs.get("polarity", "neutral") if polarity is None else polarity
    _check_polarity(polarity)
    last = _last_observed(df)
    if last is None:
        return {
            "latest": None, "latest_value": math.nan, "mean": math.nan,
            "upper_limit": math.nan, "lower_limit": math.nan, "variation_icon": None,
            "assurance_icon": None, "special_cause": False, "rule": "", "direction": "",
            "run_length": 0, "point_type": MISSING,
            "exceptions_in_period": 0, "sentence": "No data",
        }  # fmt: skip
    latest_label = df.index[(df["point_type"] != MISSING).to_numpy()][-1]
    special = last["rule"] != ""
    point_type = _point_type(last["direction"], polarity) if special else "common_cause"
    n = 0
    if special:
        n = _run_length_to_end(df, last["rule"], last["direction"])
        sentence = f"{_TYPE_PHRASES[point_type]}: " + _RULE_PHRASES[last["rule"]][
            last["direction"]
        ].format(n=n)
        kind = "neutral" if point_type == "neutral_special" else point_type
        icon = f"{kind}_{last['direction']}"
    else:
        sentence = "Common cause variation: no significant change"
        icon = "common_cause"
    assurance = assurance_icon(df, target, polarity)
    if assurance is not None:
        sentence += f"; the process {_ASSURANCE_PHRASES[assurance]}"
    latest_period = df[df["period"] == last["period"]]
    if isinstance(latest_label, np.generic):
        latest_label = latest_label.item()
    return {
        "latest": latest_label,
        "latest_value": float(last["value"]),
        "mean": float(last["mean"]),
        "upper_limit": float(last["upper_limit"]),
        "lower_limit": float(last["lower_limit"]),
        "variation_icon": icon,
        "assurance_icon": assurance,
        "special_cause": bool(special),
        "rule": last["rule"],
        "direction": last["direction"] if special else "",
        "run_length": n,
        "point_type": point_type,
        "exceptions_in_period": int((latest_period["rule"] != "").sum()),
        "sentence": sentence,
    }
