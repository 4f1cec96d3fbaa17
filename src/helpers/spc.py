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
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Process limits are ``mean ± LIMIT_FACTOR × mean moving range``.
LIMIT_FACTOR = 2.66
#: Moving ranges at or above ``SCREEN_FACTOR × mean moving range`` are screened out.
SCREEN_FACTOR = 3.267
#: A period needs at least this many points before limits are shown.
MIN_POINTS_FOR_LIMITS = 13
#: ``fix_after_n_points`` must be at least this.
MIN_BASELINE_POINTS = 12

POLARITIES = ("higher_better", "lower_better", "neutral")
POINT_TYPES = ("common_cause", "improvement", "concern", "neutral_special")
#: ``point_type`` of a missing value (NaN): it is shown as a gap and plays no part in any rule.
MISSING = "missing"
#: Rules in order of precedence (the first that fires names the point).
RULES = ("outside_limits", "trend", "two_in_three", "shift")
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

COLUMNS = (
    "value",
    "period",
    "baseline",
    "moving_range",
    "mean",
    "mean_moving_range",
    "upper_limit",
    "lower_limit",
    "upper_2sigma",
    "lower_2sigma",
    "target",
    "rule",
    "direction",
    "point_type",
)


# --------------------------------------------------------------------------------------------
# XmR limits and rules
# --------------------------------------------------------------------------------------------


def _as_series(values, index=None, name: str = "values") -> pd.Series:
    """Return ``values`` as a float Series, keeping a Series' own index."""
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name}: expected one series of numbers, got a DataFrame with columns "
            f"{list(values.columns)[:5]}; pass one column, e.g. df['value']"
        )
    if isinstance(values, pd.Series):
        s = values.copy()
        if index is not None:
            s.index = pd.Index(index)
    else:
        arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
        if arr.ndim != 1:
            raise ValueError(f"{name}: expected a one-dimensional sequence, got shape {arr.shape}")
        s = pd.Series(arr, index=None if index is None else pd.Index(index))
    if len(s) and index is not None and len(s.index) != len(s):
        raise ValueError(f"{name}: index has {len(s.index)} labels for {len(s)} values")
    try:
        s = s.astype(float)
    except (TypeError, ValueError) as err:
        bad = [v for v in s if not _is_number(v)][:5]
        raise TypeError(f"{name}: values must be numbers; examples of others: {bad}") from err
    if np.isinf(s.to_numpy()).any():
        bad = list(s.index[np.isinf(s.to_numpy())][:5])
        raise ValueError(f"{name}: infinite values at {bad}")
    return s


def _is_number(v) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _period_starts(index: pd.Index, rebase_at) -> list[int]:
    """Positions at which each period starts (always including 0)."""
    if rebase_at is None:
        return [0]
    if isinstance(rebase_at, str) or not isinstance(rebase_at, Iterable):
        rebase_at = [rebase_at]
    starts = {0}
    for label in rebase_at:
        pos = _locate(index, label)
        starts.add(pos)
    return sorted(starts)


def _locate(index: pd.Index, label) -> int:
    """Position of ``label`` in ``index`` (a month string works for a PeriodIndex)."""
    key = label
    if isinstance(index, pd.PeriodIndex) and not isinstance(label, pd.Period):
        key = pd.Period(label, freq=index.freq)
    elif isinstance(index, pd.DatetimeIndex):
        key = pd.Timestamp(label)
    try:
        pos = index.get_loc(key)
    except KeyError:
        shown = [str(x) for x in index[:3]] + ["…"] + [str(x) for x in index[-2:]]
        raise KeyError(
            f"rebase_at: {label!r} is not in the series' index ({', '.join(shown)})"
        ) from None
    if not isinstance(pos, (int, np.integer)):
        raise KeyError(f"rebase_at: {label!r} matches more than one point of the index")
    return int(pos)


def _mean_moving_range(moving_ranges: np.ndarray, screen: bool) -> float:
    """Mean of the moving ranges, screened once for ranges at or above the upper range limit."""
    mr = moving_ranges[~np.isnan(moving_ranges)]
    if mr.size == 0:
        return math.nan
    mr_bar = float(mr.mean())
    if screen:
        kept = mr[mr < SCREEN_FACTOR * mr_bar]
        # Nothing is kept only when every range is 0 (the smallest range is never above the
        # mean); the mean moving range is then 0 either way.
        if kept.size:
            mr_bar = float(kept.mean())
    return mr_bar


def _runs(mask: np.ndarray, min_length: int) -> np.ndarray:
    """Flag every element of each run of consecutive True values at least ``min_length`` long."""
    flagged = np.zeros(mask.size, dtype=bool)
    start = None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start >= min_length:
                flagged[start:i] = True
            start = None
    return flagged


def _trend_flags(x: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Flag points in runs of ``length`` points each strictly above / below the one before."""
    n = x.size
    up = np.zeros(n, dtype=bool)
    down = np.zeros(n, dtype=bool)
    if n < 2:
        return up, down
    rising = np.diff(x) > 0
    falling = np.diff(x) < 0
    # A run of k consecutive rises covers k + 1 points.
    for steps, out in ((rising, up), (falling, down)):
        run = _runs(steps, length - 1)
        for i in np.flatnonzero(run):
            out[i] = out[i + 1] = True
    return up, down


def _two_in_three(x, mean, upper2, lower2) -> tuple[np.ndarray, np.ndarray]:
    """Flag points beyond 2 sigma in windows of three all on one side of the mean."""
    n = x.size
    high = np.zeros(n, dtype=bool)
    low = np.zeros(n, dtype=bool)
    for i in range(n - 2):
        w = slice(i, i + 3)
        if np.all(x[w] > mean[w]):
            beyond = x[w] > upper2[w]
            if beyond.sum() >= 2:
                high[w] |= beyond
        elif np.all(x[w] < mean[w]):
            beyond = x[w] < lower2[w]
            if beyond.sum() >= 2:
                low[w] |= beyond
    return high, low


def _point_type(direction: str, polarity: str) -> str:
    if polarity == "neutral":
        return "neutral_special"
    good = "high" if polarity == "higher_better" else "low"
    return "improvement" if direction == good else "concern"


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")


def xmr(
    values,
    *,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    rebase_at=None,
    index=None,
    polarity: str = "neutral",
    target: float | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_in_three: bool = True,
    min_points: int = MIN_POINTS_FOR_LIMITS,
) -> pd.DataFrame:
    """Compute an XmR chart: mean, process limits and special-cause flags for each point.

    Parameters
    ----------
    values
        The series, oldest first: a list, a numpy array or a pandas Series. A Series keeps its
        index (e.g. a monthly ``PeriodIndex``). Missing values (NaN) are allowed: they are left
        out of every calculation, get ``point_type`` ``'missing'``, and the points either side
        are treated as consecutive.
    screen_outliers
        Drop moving ranges at or above 3.267 × the mean moving range and recompute the mean
        moving range once (the mean is not changed). On by default, as *Making Data Count*.
    fix_after_n_points
        Fix each period's mean and limits on its first N points (N ≥ 12) and extend them to the
        rest of the period. None: use all points of the period.
    rebase_at
        Labels of the index (or positions, when no index is given) at which a new period with
        its own mean and limits starts. A month string works with a ``PeriodIndex``.
    index
        Labels for ``values`` (replaces a Series' own index).
    polarity
        ``'higher_better'``, ``'lower_better'`` or ``'neutral'`` (the catalog's words): turns a
        special-cause direction into improvement or concern.
    target
        Optional target, carried in the ``target`` column for charts and
        :func:`assurance_icon`.
    shift_length, trend_length
        Points in a run on one side of the mean / a run rising or falling that make a special
        cause (default 7 each).
    two_in_three
        Apply the two-of-three-beyond-2-sigma rule.
    min_points
        A period with fewer (non-missing) points than this gets no limits (NaN); the mean and
        the rules that need no limits (shift, trend) still apply.

    Returns
    -------
    pandas.DataFrame
        One row per point, indexed like ``values``, with columns ``value``, ``period`` (1, 2, …
        numbered at each rebase), ``baseline`` (whether the point set the limits),
        ``moving_range``, ``mean``, ``mean_moving_range``, ``upper_limit``, ``lower_limit``,
        ``upper_2sigma``, ``lower_2sigma``, ``target``, ``rule`` (the rule that fired, '' for
        none: ``'outside_limits'``, ``'trend'``, ``'two_in_three'``, ``'shift'``),
        ``direction`` ('high', 'low' or '') and ``point_type`` ('common_cause',
        'improvement', 'concern', 'neutral_special', 'missing'). ``df.attrs`` records the
        polarity, target and rule settings.

    Raises
    ------
    ValueError
        Unknown polarity, ``fix_after_n_points`` below 12, rule lengths below 2, or values that
        are not finite numbers.
    KeyError
        A ``rebase_at`` label that is not in the index.

    Examples
    --------
    >>> values = [10, 12, 11, 13] * 3 + [10] + [12, 13] * 4
    >>> s = pd.Series(values, index=pd.period_range("2015-01", periods=21, freq="M"))
    >>> df = xmr(s, polarity="higher_better", fix_after_n_points=12)
    >>> df.loc["2016-09", ["rule", "point_type"]].tolist(), df.loc["2016-09", "mean"]
    (['shift', 'improvement'], np.float64(11.5))
    """
    _check_polarity(polarity)
    if fix_after_n_points is not None and fix_after_n_points < MIN_BASELINE_POINTS:
        raise ValueError(
            f"fix_after_n_points must be at least {MIN_BASELINE_POINTS}, got {fix_after_n_points}"
        )
    for name, length in (("shift_length", shift_length), ("trend_length", trend_length)):
        if int(length) != length or length < 2:
            raise ValueError(f"{name} must be a whole number of at least 2, got {length!r}")

    s = _as_series(values, index=index)
    n = len(s)
    value = s.to_numpy(dtype=float)
    out = {c: np.full(n, np.nan) for c in COLUMNS if c not in ("rule", "direction", "point_type")}
    out["value"] = value
    out["baseline"] = np.zeros(n, dtype=bool)
    out["period"] = np.zeros(n, dtype=int)
    out["target"] = np.full(n, np.nan if target is None else float(target))
    rule = np.array([""] * n, dtype=object)
    direction = np.array([""] * n, dtype=object)

    if isinstance(rebase_at, (int, np.integer)) or (
        rebase_at is not None
        and not isinstance(rebase_at, str)
        and isinstance(rebase_at, Sequence)
        and index is None
        and not isinstance(values, pd.Series)
        and all(isinstance(r, (int, np.integer)) for r in rebase_at)
    ):
        # Plain positions on a list without labels.
        positions = [rebase_at] if isinstance(rebase_at, (int, np.integer)) else list(rebase_at)
        for p in positions:
            if not 0 <= p < n:
                raise KeyError(f"rebase_at: position {p} is outside the series (0…{n - 1})")
        starts = sorted({0, *map(int, positions)})
    else:
        starts = _period_starts(s.index, rebase_at)
    bounds = list(zip(starts, starts[1:] + [n], strict=True))

    for number, (a, b) in enumerate(bounds, start=1):
        out["period"][a:b] = number
        pos = np.arange(a, b)[~np.isnan(value[a:b])]  # observed points of the period
        if pos.size == 0:
            continue
        x = value[pos]
        mr = np.full(x.size, np.nan)
        mr[1:] = np.abs(np.diff(x))
        out["moving_range"][pos] = mr

        k = x.size if fix_after_n_points is None else min(fix_after_n_points, x.size)
        out["baseline"][pos[:k]] = True
        mean = float(x[:k].mean())
        mr_bar = _mean_moving_range(mr[:k], screen_outliers)
        out["mean"][a:b] = mean
        out["mean_moving_range"][a:b] = mr_bar
        if x.size >= min_points and not math.isnan(mr_bar):
            half = LIMIT_FACTOR * mr_bar
            out["upper_limit"][a:b] = mean + half
            out["lower_limit"][a:b] = mean - half
            out["upper_2sigma"][a:b] = mean + half * 2 / 3
            out["lower_2sigma"][a:b] = mean - half * 2 / 3

        m = np.full(x.size, mean)
        ucl, lcl = out["upper_limit"][pos], out["lower_limit"][pos]
        up2, lo2 = out["upper_2sigma"][pos], out["lower_2sigma"][pos]
        above_limit, below_limit = x > ucl, x < lcl  # NaN limits compare False
        trend_up, trend_down = _trend_flags(x, trend_length)
        if two_in_three:
            two_high, two_low = _two_in_three(x, m, up2, lo2)
        else:
            two_high = two_low = np.zeros(x.size, dtype=bool)
        shift_high = _runs(x > m, shift_length)
        shift_low = _runs(x < m, shift_length)

        # Lowest precedence first, so that higher rules overwrite.
        candidates = (
            ("shift", shift_high, shift_low),
            ("two_in_three", two_high, two_low),
            ("trend", trend_up, trend_down),
            ("outside_limits", above_limit, below_limit),
        )
        for name, high, low in candidates:
            for flags, side in ((high, "high"), (low, "low")):
                rule[pos[flags]] = name
                direction[pos[flags]] = side

    point_type = np.array(["common_cause"] * n, dtype=object)
    for i in np.flatnonzero(rule != ""):
        point_type[i] = _point_type(direction[i], polarity)
    point_type[np.isnan(value)] = MISSING

    df = pd.DataFrame(out, index=s.index)
    df["rule"] = rule
    df["direction"] = direction
    df["point_type"] = point_type
    df = df[list(COLUMNS)]
    df.attrs.update(
        polarity=polarity,
        target=None if target is None else float(target),
        screen_outliers=screen_outliers,
        fix_after_n_points=fix_after_n_points,
        shift_length=shift_length,
        trend_length=trend_length,
        min_points=min_points,
        name=s.name,
    )
    return df


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
        ``rule``, ``point_type``, ``exceptions_in_period`` (special-cause points in the latest
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
            "assurance_icon": None, "special_cause": False, "rule": "", "point_type": MISSING,
            "exceptions_in_period": 0, "sentence": "No data",
        }  # fmt: skip
    latest_label = df.index[(df["point_type"] != MISSING).to_numpy()][-1]
    special = last["rule"] != ""
    point_type = _point_type(last["direction"], polarity) if special else "common_cause"
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
        "point_type": point_type,
        "exceptions_in_period": int((latest_period["rule"] != "").sum()),
        "sentence": sentence,
    }


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
