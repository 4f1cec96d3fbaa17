"""The rest: drug tests on arrest (the pilot), the workforce and the savings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...contract.extracts import WORKFORCE_GROUPS
from .context import _arrow_cat, _Ctx, _dates, _frame, _months_ts, _shuffled_order
from .targets import SEASONAL

DRUG_TEST_PILOT = ("2013-11", "2015-03")


def _build_drug_tests(ctx: _Ctx) -> pd.DataFrame:
    """Drug tests on arrest during the pilot only (Chelmsford mostly); other months have none."""
    rng = ctx.rng("drug_tests")
    a, b = (pd.Period(x, "M") for x in DRUG_TEST_PILOT)
    months = np.flatnonzero([(a <= p <= b) for p in ctx.months])
    per = rng.poisson(68 * ctx.scale * np.exp(0.1 * rng.standard_normal(months.size)))
    month = np.repeat(months, per)
    n = month.size
    day = ctx.days_in_months(rng, month)
    order = _shuffled_order(rng, day)
    w = np.zeros(ctx.n_districts + 1)
    names = ctx.district_names
    for d, share in (
        ("Chelmsford", 0.84),
        ("Colchester", 0.07),
        ("Braintree", 0.05),
        ("Maldon", 0.04),
    ):
        w[names.index(d)] = share
    district = rng.choice(ctx.n_districts + 1, size=n, p=w / w.sum())
    p_pos = 0.27 + 0.02 * np.sin(month / 2.0)
    return _frame(
        "drug_tests",
        {
            "test_id": ctx.ids("drug_test", np.arange(1, n + 1)),
            "test_date": _dates(day[order]),
            "district": _arrow_cat(district[order], names),
            "positive": (rng.random(n) < p_pos)[order],
        },
    )


#: Workforce: FTE strength (spring 2011, spring 2016) and days lost per person per year
#: (level anchors; the 12 months to June and to September 2016 are the published figures).
WORKFORCE = {
    "officer": dict(
        strength=(3540, 2900),
        rate=dict(
            fy1112=9.6, fy1213=9.2, fy1314=9.8, fy1415=11.0, r1509=12.3, r1609=11.97, fy1617=11.8
        ),
        published={"2016-06": 12.45, "2016-09": 11.97},
    ),
    "staff": dict(
        strength=(2250, 2000),
        rate=dict(
            fy1112=8.9, fy1213=8.5, fy1314=8.7, fy1415=9.2, r1509=9.6, r1609=9.38, fy1617=9.3
        ),
        published={"2016-06": 9.61, "2016-09": 9.38},
    ),
    "pcso": dict(
        strength=(420, 250),
        rate=dict(
            fy1112=13.0, fy1213=13.5, fy1314=15.0, fy1415=18.0, r1509=21.0, r1609=15.92, fy1617=14.0
        ),
        published={"2016-06": 19.91, "2016-09": 15.92},
    ),
}


def _build_workforce(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng("workforce")
    season = np.asarray(SEASONAL["sickness"]) / np.mean(SEASONAL["sickness"])
    recs = []
    for gi, group in enumerate(WORKFORCE_GROUPS):
        spec = WORKFORCE[group]
        s0, s1 = spec["strength"]
        frac = np.clip(ctx.mabs / 60.0, 0, 1.2)
        strength = (s0 + (s1 - s0) * frac) * (1 + 0.004 * rng.standard_normal(ctx.T)) * ctx.scale
        rate = (
            ctx.level(spec["rate"]) * season[ctx.moy - 1] * (1 + 0.04 * rng.standard_normal(ctx.T))
        )
        days = rate / 12 * strength
        # the 12 months to June and to September 2016 as published: scale Jul–Sep 2015 and Jul–Sep 2016
        i6, i9 = ctx.month_index("2016-06"), ctx.month_index("2016-09")
        if i6 is not None and i9 is not None and i6 >= 11:
            core = slice(i6 - 8, i6 + 1)  # Oct 2015 – Jun 2016
            for end, months in ((i6, slice(i6 - 11, i6 - 8)), (i9, slice(i9 - 2, i9 + 1))):
                w = slice(end - 11, end + 1)
                want = spec["published"][str(ctx.months[end])] * strength[w].mean()
                part = days[months].sum()
                days[months] *= (want - days[core].sum()) / part
        for i in range(ctx.T):
            recs.append((i, gi, strength[i], max(days[i], 0.0)))
    df = pd.DataFrame(recs, columns=["month", "group", "strength", "days"]).sort_values(
        ["month", "group"]
    )
    return _frame(
        "workforce",
        {
            "month": _months_ts(ctx, df["month"].to_numpy()),
            "group": _arrow_cat(df["group"].to_numpy(), WORKFORCE_GROUPS),
            "strength_fte": np.round(df["strength"].to_numpy(), 2),
            "days_lost": np.round(df["days"].to_numpy(), 1),
        },
    )


#: Savings required per financial year (£): 2011/12 to 2014/15 sum to £44.0m, 2015/16 and 2016/17 to £17.6m.
SAVINGS = {
    2011: 14_200_000,
    2012: 10_800_000,
    2013: 6_633_000,
    2014: 12_367_000,
    2015: 9_100_000,
    2016: 8_500_000,
}


def _build_savings(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng("savings")
    fy = np.where(ctx.moy >= 4, ctx.months.year, ctx.months.year - 1)
    fm = (ctx.moy - 4) % 12 + 1  # 1 = April
    req = np.array([SAVINGS.get(int(y), 9_000_000) for y in fy], float) * ctx.scale
    plan_share = np.minimum(1.0, 0.35 + 0.65 * fm / 12)  # a third of the plan is in place in April
    delivered_share = np.minimum(
        1.03, plan_share * (1 + 0.04 * np.sin(fm) + 0.02 * rng.standard_normal(ctx.T))
    )
    for y in np.unique(fy):  # cumulative within each year
        sel = fy == y
        delivered_share[sel] = np.maximum.accumulate(delivered_share[sel])
    delivered_share = np.where(fm == 12, np.maximum(delivered_share, 1.0), delivered_share)
    return _frame(
        "savings",
        {
            "month": _months_ts(ctx, np.arange(ctx.T)),
            "requirement_gbp": req,
            "planned_to_date_gbp": np.round(req * plan_share, -3),
            "delivered_to_date_gbp": np.round(req * delivered_share, -3),
        },
    )
