"""Roads: collisions and their killed or seriously injured casualties, calibrated by window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...contract.extracts import ROAD_USERS
from . import february_roads
from .context import _arrow_cat, _Ctx, _dates, _frame, _mix_draw, _shuffled_order
from .targets import CALIBRATION_WINDOWS, KSI_TARGETS, SEASONAL

RU = {u: i for i, u in enumerate(ROAD_USERS)}


def _segments(ctx: _Ctx) -> list[tuple[np.ndarray, dict[str, int]]]:
    """Runs of months with their KSI targets: calibration windows exactly, other runs by trend."""
    seg_of = np.full(ctx.T, -1)
    segs: list[tuple[np.ndarray, dict[str, int]]] = []
    for key in CALIBRATION_WINDOWS:
        sl = ctx.window(key)
        if sl is not None:
            seg_of[sl] = len(segs)
            segs.append(
                (
                    np.arange(sl.start, sl.stop),
                    {c: v * ctx.scale for c, v in KSI_TARGETS[key].items()},
                )
            )
    season = np.asarray(SEASONAL["ksi"]) / np.mean(SEASONAL["ksi"])
    cats = list(KSI_TARGETS["fy1314"])
    lv = {
        c: ctx.level({k: v[c] for k, v in KSI_TARGETS.items()}) / 12 * season[ctx.moy - 1]
        for c in cats
    }
    i = 0
    while i < ctx.T:
        if seg_of[i] >= 0:
            i += 1
            continue
        j = i
        while j < ctx.T and seg_of[j] < 0:
            j += 1
        months = np.arange(i, j)
        segs.append((months, {c: int(round(lv[c][months].sum() * ctx.scale)) for c in cats}))
        i = j
    return segs


def _ksi_casualties(rng, t: dict[str, int]):
    """KSI casualties of one run: road user, age, impairment and severity meeting every count."""
    n = t["fatal"] + t["serious"]
    ped, cyc, p2w, young, older = t["pedestrians"], t["cyclists"], t["p2w"], t["young"], t["older"]
    mid = int(round(0.22 * n))
    other = int(round(0.05 * n))
    passengers = n - ped - cyc - p2w - young - older - mid - other
    if passengers < 0:
        mid = max(mid + passengers, 0)
        passengers = n - ped - cyc - p2w - young - older - mid - other
    users = np.repeat(
        [
            RU["pedestrian"],
            RU["pedal_cyclist"],
            RU["powered_two_wheeler"],
            RU["car_driver"],
            RU["car_driver"],
            RU["car_driver"],
            RU["car_passenger"],
            RU["other_vehicle_occupant"],
        ],
        [ped, cyc, p2w, young, older, mid, passengers, other],
    )
    role = np.repeat(np.arange(8), [ped, cyc, p2w, young, older, mid, passengers, other])
    ch = t["children"]
    ch_ped = min(int(round(0.38 * ch)), ped)
    ch_cyc = min(int(round(0.15 * ch)), cyc)
    ch_p2w = min(int(round(0.04 * ch)), p2w)
    ch_pass = ch - ch_ped - ch_cyc - ch_p2w
    if ch_pass > passengers:
        ch_ped = min(ped, ch_ped + ch_pass - passengers)
        ch_pass = ch - ch_ped - ch_cyc - ch_p2w
    age = np.empty(n, np.int64)
    child = np.zeros(n, bool)
    for r, k_child in ((0, ch_ped), (1, ch_cyc), (2, ch_p2w), (6, ch_pass)):
        idx = np.flatnonzero(role == r)
        child[rng.choice(idx, size=max(min(k_child, idx.size), 0), replace=False)] = True
    ranges = {
        0: (18, 92),
        1: (18, 76),
        2: (18, 66),
        3: (18, 25),
        4: (76, 95),
        5: (26, 75),
        6: (18, 88),
        7: (21, 70),
    }
    for r, (lo, hi) in ranges.items():
        idx = np.flatnonzero(role == r)
        age[idx] = rng.integers(lo, hi + 1, idx.size)
    child_lo = {0: 2, 1: 8, 2: 16, 6: 0}
    for r, lo in child_lo.items():
        idx = np.flatnonzero((role == r) & child)
        age[idx] = rng.integers(lo, 18, idx.size)
    # a few adult passengers and other occupants of unknown age
    unknown = np.isin(role, (6, 7)) & ~child & (rng.random(n) < 0.03)
    # drink and drug impairment among adult drivers and riders
    impairment = np.full(n, -1, np.int64)
    drivers = np.flatnonzero(np.isin(role, (1, 2, 3, 5, 7)) & ~child)
    w = np.where(role[drivers] == 3, 2.0, np.where(role[drivers] == 1, 0.3, 1.0))
    k_imp = min(t["drink"] + t["drugs"], drivers.size)
    pick = rng.choice(drivers, size=k_imp, replace=False, p=w / w.sum())
    impairment[pick[: t["drink"]]] = 0
    impairment[pick[t["drink"] :]] = 1
    severity = np.full(n, 1, np.int64)
    severity[rng.choice(n, size=min(t["fatal"], n), replace=False)] = 0
    perm = rng.permutation(n)
    return users[perm], age[perm], unknown[perm], impairment[perm], severity[perm]


def _build_roads(ctx: _Ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("roads")
    season = np.asarray(SEASONAL["ksi"]) / np.mean(SEASONAL["ksi"])
    col_month, cas = [], []
    n_col = 0
    for months, t in _segments(ctx):
        users, age, unknown, imp, sev = _ksi_casualties(rng, t)
        n = users.size
        k = min(t["collisions"], n)
        # every KSI collision has at least one KSI casualty
        col = (
            np.concatenate([rng.permutation(k), rng.integers(0, max(k, 1), n - k)])[
                rng.permutation(n)
            ]
            if k
            else np.zeros(0, np.int64)
        )
        # slight casualties: some in KSI collisions, most in slight-only collisions
        years = months.size / 12
        n_slight = int(rng.poisson(5600 * years * ctx.scale))
        n_slight_col = int(rng.poisson(3900 * years * ctx.scale))
        in_ksi = rng.random(n_slight) < 0.2
        s_col = np.where(
            in_ksi,
            rng.integers(0, max(k, 1), n_slight),
            k + rng.integers(0, max(n_slight_col, 1), n_slight),
        )
        s_col[~in_ksi][: min(n_slight_col, int((~in_ksi).sum()))] = k + np.arange(
            min(n_slight_col, int((~in_ksi).sum()))
        )
        used = np.unique(np.concatenate([col, s_col]))
        remap = np.full(k + n_slight_col + 1, -1)
        remap[used] = np.arange(used.size)
        w = season[ctx.moy[months] - 1]
        cm = rng.choice(months, size=used.size, p=w / w.sum())
        col_month.append(cm)
        s_users = _mix_draw(rng, [0.10, 0.10, 0.08, 0.40, 0.25, 0.07], n_slight)
        s_age = np.clip(np.round(rng.gamma(3.0, 13.0, n_slight)), 1, 95).astype(np.int64)
        s_age = np.where(s_users == RU["car_driver"], np.maximum(s_age, 17), s_age)
        s_age = np.where(s_users == RU["powered_two_wheeler"], np.maximum(s_age, 16), s_age)
        s_imp = np.where(
            np.isin(s_users, (1, 2, 3, 5)) & (s_age >= 17),
            np.where(
                rng.random(n_slight) < 0.015, 0, np.where(rng.random(n_slight) < 0.005, 1, -1)
            ),
            -1,
        )
        cas.append(
            dict(
                col=n_col + remap[np.concatenate([col, s_col])],
                users=np.concatenate([users, s_users]),
                age=np.concatenate([age, s_age]),
                unknown=np.concatenate([unknown, rng.random(n_slight) < 0.02]),
                imp=np.concatenate([imp, s_imp]),
                sev=np.concatenate([sev, np.full(n_slight, 2)]),
            )
        )
        n_col += used.size
    cmonth = np.concatenate(col_month)
    cday = ctx.days_in_months(rng, cmonth)
    w_d = ctx.pop * (1 + 1.2 * ctx.rural_share[:-1])
    cdistrict = ctx.districts_for(rng, n_col, weights=w_d, unassigned=0.001)
    corder = _shuffled_order(rng, cday)
    cnum = np.empty(n_col, np.int64)
    cnum[corder] = np.arange(1, n_col + 1)
    collisions = _frame(
        "collisions",
        {
            "collision_id": ctx.ids("collision", np.arange(1, n_col + 1)),
            "collision_date": _dates(cday[corder]),
            "district": _arrow_cat(cdistrict[corder], ctx.district_names),
        },
    )
    c = {key: np.concatenate([d[key] for d in cas]) for key in cas[0]}
    ctx.report["february_roads"] = february_roads.calibrate_roads(ctx, cday, c)
    ncas = c["col"].size
    order = _shuffled_order(rng, cnum[c["col"]])
    age = pd.array(np.where(c["unknown"], 0, c["age"])[order], dtype="Int64")
    age[c["unknown"][order]] = pd.NA
    casualties = _frame(
        "casualties",
        {
            "casualty_id": ctx.ids("casualty", np.arange(1, ncas + 1)),
            "collision_id": ctx.ids("collision", cnum[c["col"]][order]),
            "severity": _arrow_cat(c["sev"][order], ("fatal", "serious", "slight")),
            "road_user": _arrow_cat(c["users"][order], ROAD_USERS),
            "age": age,
            "impairment": _arrow_cat(c["imp"][order], ("drink", "drugs")),
        },
    )
    return collisions, casualties
