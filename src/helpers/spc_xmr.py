"""XmR charts: the process limits and the special-cause rules (helpers.spc describes them in full).

The constants of a chart (its factors, polarities, point types, rules and columns) and :func:`xmr`.
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
