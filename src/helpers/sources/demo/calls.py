"""Calls: 999 and switchboard calls by day, answered within standard at the published rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import february
from .context import _arrow_cat, _Ctx, _frame, _times
from .targets import CALIBRATION_WINDOWS, DAY_S, RATE_TARGETS, SEASONAL


def _build_calls(ctx: _Ctx) -> pd.DataFrame:
    """Daily 999 and switchboard intervals; window rates and average waits are exact."""
    rng = ctx.rng("calls")
    days = np.arange(ctx.start_day, ctx.end_day + 1)
    m = ctx.month_of_day(days)
    dow = (days + 3) % 7  # 0 = Monday
    season = np.asarray(SEASONAL["calls"]) / np.mean(SEASONAL["calls"])
    trend = 1 + 0.025 * ctx.mabs[m] / 12
    weekend = np.where(dow >= 4, 1.10, 0.96)
    k = ctx.scale
    offered_999 = rng.poisson(
        720
        * trend
        * season[ctx.moy[m] - 1]
        * weekend
        * np.exp(0.05 * rng.standard_normal(days.size))
        * k
    )
    answered_999 = offered_999 - rng.binomial(offered_999, 0.006)
    rate = ctx.level(RATE_TARGETS["calls_999"])[m] - 6.0 * (season[ctx.moy[m] - 1] - 1) / 0.1
    rate = np.clip(rate + 2.0 * rng.standard_normal(days.size), 40, 99.5) / 100
    sw_weekday = np.where(dow >= 5, 0.45, 1.0)
    offered_sw = rng.poisson(
        2500
        * sw_weekday
        * season[ctx.moy[m] - 1]
        * np.exp(0.06 * rng.standard_normal(days.size))
        * k
    )
    wait = (
        ctx.level(RATE_TARGETS["switchboard_wait"])[m]
        * np.exp(0.25 * rng.standard_normal(days.size))
        * (1.1 - 0.1 * sw_weekday)
    )
    abandon = np.clip(0.01 + 0.004 * wait, 0, 0.5)
    answered_sw = offered_sw - rng.binomial(offered_sw, abandon)
    for key in CALIBRATION_WINDOWS:
        sl = ctx.window(key)
        if sl is None:
            continue
        inw = (m >= sl.start) & (m < sl.stop)
        for _ in range(3):  # shift the daily rates until the window's rate is the target
            got = (np.round(answered_999 * rate)[inw]).sum() / answered_999[inw].sum()
            rate[inw] = np.clip(rate[inw] + RATE_TARGETS["calls_999"][key] / 100 - got, 0.01, 0.999)
        want_w = RATE_TARGETS["switchboard_wait"][key] * answered_sw[inw].sum()
        wait[inw] *= want_w / (wait[inw] * answered_sw[inw]).sum()
    within = np.round(answered_999 * rate).astype(np.int64)
    ctx.report["february_calls"] = february.calibrate_calls(ctx, days, answered_999, within)
    rows = days.size
    interval = np.concatenate([days, days]) * DAY_S
    order = np.lexsort((np.r_[np.zeros(rows), np.ones(rows)], interval))
    cols = {
        "interval_start": _times(interval[order]),
        "line": _arrow_cat(
            np.r_[np.zeros(rows, int), np.ones(rows, int)][order], ("999", "non_emergency")
        ),
        "calls_offered": np.r_[offered_999, offered_sw][order].astype(np.int64),
        "calls_answered": np.r_[answered_999, answered_sw][order].astype(np.int64),
        "answered_within_standard": np.r_[
            within, np.round(answered_sw * np.clip(1 - wait / 60, 0, 1))
        ][order].astype(np.int64),
        "total_wait_seconds": np.r_[answered_999 * (3.0 + 9.0 * (1 - rate)), answered_sw * wait][
            order
        ].astype(float),
    }
    return _frame("calls", cols)
