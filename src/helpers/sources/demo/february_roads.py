"""February 2014 for the road casualties (:mod:`helpers.sources.demo.february`): KSI casualties'
details trade places between April–February and March of each financial year."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from .context import _Ctx
from .february import (
    YEARS,
    count_candidates,
    count_change,
    since_figure,
    since_target,
    split_days,
)

# ------------------------------------------------------------------------------------ roads
#: The KSI measures of a casualty, in the order of :func:`_profiles` (and their targets' names).
KSI_PARTS = ("fatal", "serious", "p2w", "young", "pedestrians", "cyclists", "children", "drink")


def _profiles(c: dict) -> np.ndarray:
    """For each casualty, 0/1 for each of :data:`KSI_PARTS` (all 0 for a slight casualty)."""
    from .roads import RU

    ksi = c["sev"] <= 1
    known = ~c["unknown"]
    cols = [
        c["sev"] == 0,
        c["sev"] == 1,
        c["users"] == RU["powered_two_wheeler"],
        (c["users"] == RU["car_driver"]) & known & (c["age"] >= 17) & (c["age"] <= 25),
        c["users"] == RU["pedestrian"],
        c["users"] == RU["pedal_cyclist"],
        known & (c["age"] <= 17),
        c["imp"] == 0,
    ]
    return np.stack([x & ksi for x in cols], axis=1).astype(np.int64)


def calibrate_roads(ctx: _Ctx, cday: np.ndarray, c: dict) -> dict:
    """KSI casualties of April–February: casualties of one part of a year trade places (their
    collisions stay) with casualties of the other part, until every KSI count and the KSI
    collisions of April–February give changes whose differences from the years' changes round to
    the published changes since last month; each year's counts unchanged."""
    if any(split_days(ctx, key) is None for key in YEARS):
        return {}
    rng = ctx.rng("february-roads")
    prof = _profiles(c)
    cas_day = cday[c["col"]]
    part = {}
    for key in YEARS:
        a, f, b = split_days(ctx, key)
        part[key] = ((cas_day >= a) & (cas_day < f), (cas_day >= f) & (cas_day < b))

    def counts(key):
        feb, year = part[key][0], part[key][0] | part[key][1]
        ksi = prof[:, 0] + prof[:, 1]
        out = {}
        for mask, name in ((feb, "feb"), (year, "year")):
            kc = np.bincount(c["col"][mask], weights=ksi[mask], minlength=cday.size)
            out[name] = np.r_[prof[mask].sum(axis=0), int((kc > 0).sum())]
        return out

    now = {key: counts(key) for key in YEARS}
    names = (*KSI_PARTS, "collisions")
    year = {name: tuple(int(now[k]["year"][d]) for k in YEARS) for d, name in enumerate(names)}
    feb = {name: tuple(int(now[k]["feb"][d]) for k in YEARS) for d, name in enumerate(names)}
    options = {
        name: count_candidates(year[name], feb[name], since_target(name), spread=30)
        for name in names
        if name != "serious"
    }
    # serious: those whose sum with the fatal gives the KSI label (the fatal is exact already)
    options["serious"] = count_candidates(
        year["serious"], feb["serious"], since_target("serious"), spread=80
    )
    total = Decimal(str(since_target("ksi_all")))
    weights = [(u, k) for k in (0, 0.1, 0.25, 0.5, 1) for u in (0, 0.25, 0.5, 1, 2, 4, 8)]
    picks = []
    for weight in weights:
        pick = _ksi_choice(options, year, feb, weight, total)
        if pick is not None and pick not in picks:
            picks.append(pick)
    if not picks:
        raise ValueError("demo February 2014: no KSI counts for April–February fit March")
    # the trades may stop short of a choice (no single trade brings it nearer): the next choice
    # is tried from the casualties as they were, and the nearest kept if none is reached
    fields = ("users", "age", "unknown", "imp", "sev")
    start = {k: c[k].copy() for k in fields}, prof.copy()
    best = None
    for pick in picks:
        for k in fields:
            c[k][:] = start[0][k]
        prof[:] = start[1]
        want = {key: np.array([pick[name][y] for name in names]) for y, key in enumerate(YEARS)}
        left = {
            key: _trade_casualties(rng, c, prof, part[key], want[key], cday.size) for key in YEARS
        }
        if best is None or sum(left.values()) < sum(best[0].values()):
            best = left, {k: c[k].copy() for k in fields}
        if not any(left.values()):
            return left
    for k in fields:
        c[k][:] = best[1][k]
    return best[0]


#: What two casualties may trade: all their details, or one group of them.
_TRADES = (
    ("users", "age", "unknown", "imp", "sev"),
    ("users", "age", "unknown"),
    ("users",),
    ("age", "unknown"),
    ("sev",),
    ("imp",),
)


#: Road users no casualty is two of: March must hold what each year has of them after February.
_EXCLUSIVE = ("p2w", "young", "pedestrians", "cyclists")


def _ksi_choice(options, year, feb, weight: tuple[float, float], total: Decimal) -> dict | None:
    """One candidate per KSI part, nearest today's plus ``weight`` × the casualties it leaves to
    March, whose fatal and serious give the KSI change since last month (``total``) and whose
    road users fit March's KSI casualties; None when they do not fit."""

    def cost(name, c):
        near = abs(c[0] - feb[name][0]) + abs(c[1] - feb[name][1])
        left = (year[name][0] - c[0]) + (year[name][1] - c[1])
        if name in _EXCLUSIVE:  # fewer road users left to March
            return near + weight[0] * left
        if name in ("fatal", "serious"):  # more KSI casualties in March
            return near - weight[1] * left
        return near

    pick = {name: min(cands, key=lambda c, n=name: cost(n, c)) for name, cands in options.items()}
    fatal = pick["fatal"]
    ksi = count_change(*(year["fatal"][y] + year["serious"][y] for y in range(2)))
    fits = [
        c
        for c in options["serious"]
        if since_figure(ksi, count_change(fatal[0] + c[0], fatal[1] + c[1])) == total
    ]
    if not fits:
        return None
    pick["serious"] = min(fits, key=lambda c: cost("serious", c))
    for y in range(2):
        march = (year["fatal"][y] + year["serious"][y]) - (pick["fatal"][y] + pick["serious"][y])
        users = sum(year[n][y] - pick[n][y] for n in _EXCLUSIVE)
        if users > march - 2:
            return None
    return pick


def _trade_casualties(rng, c, prof, part, want, n_col, tries: int = 20_000) -> int:
    """Swap casualties' details (all, or one group: :data:`_TRADES`) between April–February and
    March until the April–February counts are ``want`` (the KSI parts and the KSI collisions);
    each year's counts stay as they are. Returns the distance left (0: exact)."""
    feb_i, mar_i = np.flatnonzero(part[0]), np.flatnonzero(part[1])
    ksi = prof[:, 0] + prof[:, 1]
    kc = np.bincount(c["col"], weights=ksi, minlength=n_col).astype(np.int64)
    got = np.r_[prof[feb_i].sum(axis=0), int((kc[np.unique(c["col"][feb_i])] > 0).sum())]
    target = want.astype(np.int64)
    dist = int(np.abs(got - target).sum())
    n_parts = prof.shape[1]
    for _ in range(tries):
        if dist == 0:
            break
        gap = got - target
        d = int(rng.choice(np.flatnonzero(gap != 0)))
        # gap > 0: a casualty of April–February with the part trades with one of March without
        col = prof[:, d] == 1 if d < n_parts else ksi == 1
        i_pool = feb_i[col[feb_i] == (gap[d] > 0)]
        j_pool = mar_i[col[mar_i] != (gap[d] > 0)]
        if 2 <= d < n_parts and rng.random() < 0.9:  # a part of KSI casualties: trade with one
            i_pool, j_pool = i_pool[ksi[i_pool] == 1], j_pool[ksi[j_pool] == 1]
        if i_pool.size == 0 or j_pool.size == 0:
            continue
        i, j = int(rng.choice(i_pool)), int(rng.choice(j_pool))
        fields = _TRADES[int(rng.integers(len(_TRADES)))]
        row = {k: c[k][[i, j]] for k in ("users", "age", "unknown", "imp", "sev")}
        for k in fields:
            row[k] = row[k][::-1]
        new_prof = _profiles(row)
        new_ksi = new_prof[:, 0] + new_prof[:, 1]
        ci, cj = c["col"][i], c["col"][j]
        ki, kj = kc[ci] - ksi[i] + new_ksi[0], kc[cj] - ksi[j] + new_ksi[1]
        if ci == cj:
            continue
        step = np.r_[new_prof[0] - prof[i], int(ki > 0) - int(kc[ci] > 0)]
        year = step[:-1] + new_prof[1] - prof[j]
        year_col = step[-1] + int(kj > 0) - int(kc[cj] > 0)
        new = int(np.abs(got + step - target).sum())
        if new >= dist or year_col != 0 or year.any():
            continue
        for k in fields:
            c[k][i], c[k][j] = c[k][j], c[k][i]
        prof[i], prof[j] = new_prof[0], new_prof[1]
        ksi[i], ksi[j] = new_ksi
        kc[ci], kc[cj] = ki, kj
        got = got + step
        dist = new
    return dist
