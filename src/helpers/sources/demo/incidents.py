"""Incidents: volumes by kind, grades, response times and attendance, repeat domestic-abuse
incidents and victims, calibrated to the published figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import february
from .context import _arrow_cat, _Ctx, _frame, _mix_draw, _Pool, _shuffled_order, _times
from .crimes import _Namespace, _prev_gap
from .targets import (
    ATTENDANCE_LPA_OFFSET,
    ATTENDANCE_TARGETS,
    CALIBRATION_WINDOWS,
    COUNT_TARGETS,
    DA_FY_REPEAT_TARGETS,
    DAY_S,
    HALF_YEAR_EMERGENCY_TARGETS,
    HALF_YEAR_OF,
    MONTH_TARGETS,
    RESPONSE_TIME_TARGETS,
)

#: Hour-of-day profile of incidents (evening peak).
HOURS = np.array(
    [
        3.0,
        2.4,
        1.8,
        1.3,
        1.0,
        1.0,
        1.4,
        2.4,
        3.4,
        3.8,
        4.0,
        4.3,
        4.6,
        4.7,
        4.8,
        5.2,
        5.6,
        5.9,
        6.0,
        5.9,
        5.6,
        5.0,
        4.4,
        3.7,
    ]
)
GRADE_MIX = {
    "da": [0.20, 0.50, 0.25, 0.05],
    "asb": [0.03, 0.30, 0.40, 0.27],
    "other": [0.0, 0.25, 0.40, 0.35],
}
TAIL_SHARE, TAIL_MEDIAN, TAIL_SIGMA, MAIN_SIGMA, NOT_ATTENDED = 0.09, 38.0, 0.6, 0.5, 0.01
#: The LPAs in the order of the incidents' ``lpa`` codes; code 3 is no LPA (``Unassigned``).
LPA_NAMES = ("North", "South", "West")


def _open_seconds(ctx: _Ctx, rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
    day = ctx.days_in_months(rng, month)
    hour = rng.choice(24, size=month.size, p=HOURS / HOURS.sum())
    return day * DAY_S + hour * 3600 + rng.integers(0, 3600, month.size)


def _fix_fy_incident_repeats(rng, victim, in_fy, target, fresh) -> int:
    """Repeat incidents (victim already had one earlier in the year) = incidents − distinct victims."""
    sel = np.flatnonzero(in_fy)
    uniq, inv, cnt = np.unique(victim[sel], return_inverse=True, return_counts=True)
    diff = target - (sel.size - uniq.size)
    if diff > 0:
        donors = sel[cnt[inv] == 1]
        receivers = uniq[cnt >= 2]
        need = min(diff, donors.size)
        d = rng.choice(donors, size=need, replace=False)
        victim[d] = rng.choice(receivers, size=need)
        diff -= need
    elif diff < 0:
        order = np.lexsort((sel, inv))
        later = sel[order][np.r_[False, inv[order][1:] == inv[order][:-1]]]
        need = min(-diff, later.size)
        d = rng.choice(later, size=need, replace=False)
        victim[d] = fresh(need)
        diff += need
    return diff


def _incident_month_state(victim, t, tie, in_m, lookback):
    has = victim >= 0
    sel = np.flatnonzero(has)
    gap = np.full(victim.size, np.inf)
    gap[sel] = _prev_gap(victim[sel], t[sel], tie[sel])
    rep = in_m & has & (gap <= lookback)
    idx = np.flatnonzero(in_m & has)
    uniq, inv, cnt = np.unique(victim[idx], return_inverse=True, return_counts=True)
    nrep = np.bincount(inv, weights=rep[idx].astype(float), minlength=uniq.size).astype(int)
    return idx, uniq, inv, cnt, nrep, rep


def _fix_month_incident_repeats(
    rng, victim, t, in_m, recent, target_r, target_v, fresh, lookback=365 * DAY_S
) -> tuple[int, int]:
    """Repeat incidents (365-day rule) in the month and the individuals having them."""
    tie = np.arange(victim.size)
    idx, uniq, inv, cnt, nrep, rep = _incident_month_state(victim, t, tie, in_m, lookback)
    dv = target_v - int((nrep > 0).sum())
    if dv < 0:  # a repeat victim with one incident in the month becomes a new person
        cand = np.flatnonzero((cnt == 1) & (nrep == 1))
        pick = rng.choice(cand, size=min(-dv, cand.size), replace=False)
        recs = idx[np.isin(inv, pick)]
        victim[recs] = fresh(recs.size)
    elif dv > 0:  # a one-off incident moves to a victim seen in the previous months
        donors = idx[(cnt[inv] == 1) & (nrep[inv] == 0)]
        receivers = np.setdiff1d(np.unique(victim[recent & (victim >= 0)]), uniq)
        need = min(dv, donors.size, receivers.size)
        victim[rng.choice(donors, size=need, replace=False)] = rng.choice(
            receivers, size=need, replace=False
        )
    idx, uniq, inv, cnt, nrep, rep = _incident_month_state(victim, t, tie, in_m, lookback)
    dr = target_r - int(nrep.sum())
    if dr < 0:  # drop a second incident of a victim with an earlier one the year before
        prior = nrep == cnt
        for _ in range(10):
            cand = np.flatnonzero(prior & (cnt >= 2))
            if dr == 0 or cand.size == 0:
                break
            pick = rng.choice(cand, size=min(-dr, cand.size), replace=False)
            # the latest incident in the month of each picked victim
            recs = idx[np.isin(inv, pick)]
            order = np.lexsort((-t[recs], victim[recs]))
            recs = recs[order]
            firsts = recs[np.r_[True, victim[recs][1:] != victim[recs][:-1]]]
            victim[firsts] = fresh(firsts.size)
            dr += firsts.size
            cnt[pick] -= 1
            nrep[pick] -= 1
    elif dr > 0:  # a one-off incident joins a repeat victim of the month
        donors = idx[(cnt[inv] == 1) & (nrep[inv] == 0)]
        receivers = uniq[(nrep == cnt) & (nrep > 0)]
        need = min(dr, donors.size)
        victim[rng.choice(donors, size=need, replace=False)] = rng.choice(receivers, size=need)
        dr -= need
    idx, uniq, inv, cnt, nrep, rep = _incident_month_state(victim, t, tie, in_m, lookback)
    return target_r - int(nrep.sum()), target_v - int((nrep > 0).sum())


def _response_minutes(ctx, rng, month, lpa, rural, target_pct):
    """Emergency response times: lognormal body plus a delayed tail; the body is placed so that the
    month's share within the standard (15 min urban, 20 min rural) is the target."""
    nd = NormalDist()
    std = np.where(rural, 20.0, 15.0)
    offsets = np.array(
        [ATTENDANCE_LPA_OFFSET.get(x, 0.0) for x in ("North", "South", "West")] + [0.0]
    )
    p = np.clip((target_pct[month] + offsets[lpa]) / 100, 0.3, 0.985)
    f_tail = np.array(
        [nd.cdf((np.log(s) - np.log(TAIL_MEDIAN)) / TAIL_SIGMA) for s in (15.0, 20.0)]
    )[rural.astype(int)]
    f_main = np.clip((p / (1 - NOT_ATTENDED) - TAIL_SHARE * f_tail) / (1 - TAIL_SHARE), 0.05, 0.995)
    # inverse normal on the few distinct values
    uf, inv = np.unique(np.round(f_main, 5), return_inverse=True)
    z = np.array([nd.inv_cdf(float(x)) for x in uf])[inv]
    mu = np.log(std) - MAIN_SIGMA * z
    body = np.exp(mu + MAIN_SIGMA * rng.standard_normal(month.size))
    tail = np.exp(np.log(TAIL_MEDIAN) + TAIL_SIGMA * rng.standard_normal(month.size))
    minutes = np.where(rng.random(month.size) < TAIL_SHARE, tail, body)
    attended = rng.random(month.size) >= NOT_ATTENDED
    return minutes, attended, std


def _build_incidents(ctx: _Ctx, ns: _Namespace, pools: dict[str, _Pool]) -> pd.DataFrame:
    rng = ctx.rng("incidents")
    DAI = ctx.series("da_incidents", COUNT_TARGETS["da_incidents"], "da")
    ASB = ctx.series("asb_incidents", COUNT_TARGETS["asb_incidents"], "asb")
    G1 = ctx.series("emergency_incidents", COUNT_TARGETS["emergency_incidents"], "crime", exact=())
    OTH = ctx.series("other_incidents", COUNT_TARGETS["other_incidents"], "crime", exact=())
    parts = []
    for kind, counts in (("da", DAI), ("asb", ASB), ("other", OTH)):
        m = np.repeat(np.arange(ctx.T), counts)
        g = 1 + _mix_draw(rng, GRADE_MIX[kind], m.size)
        parts.append((kind, m, g))
    g1_have = sum(np.bincount(m[g == 1], minlength=ctx.T) for _, m, g in parts)
    extra = np.maximum(G1 - g1_have, 0)
    m = np.repeat(np.arange(ctx.T), extra)
    parts.append(("other", m, np.ones(m.size, np.int64)))
    kind = np.concatenate(
        [np.full(p[1].size, {"da": 0, "asb": 1, "other": 2}[p[0]]) for p in parts]
    )
    month = np.concatenate([p[1] for p in parts])
    grade = np.concatenate([p[2] for p in parts])
    n = month.size
    opened = _open_seconds(ctx, rng, month)
    district = ctx.districts_for(rng, n)
    rural = rng.random(n) < ctx.rural_share[district]
    lpa_names = list(LPA_NAMES)
    lpa_of_district = np.array(
        [lpa_names.index(x) if x in lpa_names else 3 for x in ctx.district_lpa]
    )
    lpa = lpa_of_district[district]
    da = kind == 0
    asb = kind == 1
    alcohol = rng.random(n) < np.where(asb, 0.25, np.where(da, 0.22, 0.12))
    drugs = rng.random(n) < np.where(asb, 0.08, 0.05)
    mental = rng.random(n) < np.where(da, 0.06, 0.09)
    # arrival
    minutes = np.full(n, np.nan)
    attended = np.zeros(n, bool)
    g1 = grade == 1
    target = ctx.level(ATTENDANCE_TARGETS)
    mins, att, std = _response_minutes(ctx, rng, month[g1], lpa[g1], rural[g1], target)
    minutes[g1], attended[g1] = mins, att
    g2 = grade == 2
    minutes[g2] = np.exp(np.log(45) + 0.8 * rng.standard_normal(int(g2.sum())))
    attended[g2] = rng.random(int(g2.sum())) >= 0.05
    g3 = grade == 3
    minutes[g3] = np.exp(np.log(20 * 60) + 1.0 * rng.standard_normal(int(g3.sum())))
    attended[g3] = rng.random(int(g3.sum())) >= 0.10
    _calibrate_attendance(ctx, rng, opened, minutes, attended, g1, rural)
    # only grade 1 incidents of no qualifier (not domestic abuse, anti-social behaviour, alcohol,
    # drugs or mental health) change grade or district: the other incident measures stay as drawn
    plain = (kind == 2) & ~alcohol & ~drugs & ~mental
    ctx.report["emergency_half_years"] = _calibrate_half_years(
        ctx, opened, minutes, attended, grade, district, rural, plain, lpa_of_district
    )
    g1 = grade == 1
    lpa = lpa_of_district[district]
    ctx.report["response_times"] = _calibrate_response_times(
        ctx, month, minutes, attended & g1, rural, lpa, lpa_names
    )
    arrive = opened + np.round(np.nan_to_num(minutes) * 60).astype(np.int64)
    standard_s = np.where(rural, 20 * 60, 15 * 60)
    arrive = np.where(
        g1 & (arrive - opened == standard_s), arrive + 1, arrive
    )  # never on the boundary
    ctx.report["february_asb"] = february.calibrate_asb(ctx, opened, arrive, asb, grade)
    # victims of domestic abuse
    victim = np.full(n, -1, np.int64)
    sel = np.flatnonzero(da)
    victim[sel] = pools["da"].draw_mixed(
        ctx, rng, month[sel], "da_incident", ns.offset["da"], ns.fresh
    )
    ctx.report["da_incidents"] = _calibrate_da_incidents(ctx, victim, opened, month, da, ns)
    order = _shuffled_order(rng, opened)
    cols = {
        "incident_id": ctx.ids("incident", np.arange(1, n + 1)),
        "opened_at": _times(opened[order]),
        "arrived_at": _times(arrive[order], attended[order]),
        "grade": grade[order].astype(np.int64),
        "urban_rural": _arrow_cat(rural[order].astype(int), ("urban", "rural")),
        "district": _arrow_cat(district[order], ctx.district_names),
        "domestic_abuse": da[order],
        "asb": asb[order],
        "alcohol": alcohol[order],
        "drugs": drugs[order],
        "mental_health": mental[order],
        "victim_id": ctx.ids("person", victim[order] + 1, victim[order] >= 0),
    }
    return _frame("incidents", cols)


def _calibrate_attendance(ctx, rng, opened, minutes, attended, g1, rural) -> None:
    """Move a few emergency response times across the standard so each window's rate is exact."""
    std = np.where(rural, 20.0, 15.0)
    within = g1 & attended & (minutes < std)
    for key, dw in ctx.day_windows(CALIBRATION_WINDOWS):
        inw = g1 & (opened >= dw[0] * DAY_S) & (opened < dw[1] * DAY_S)
        want = int(round(ATTENDANCE_TARGETS[key] / 100 * inw.sum()))
        _move_across_standard(rng, minutes, within, attended, std, inw, want)


def _move_across_standard(rng, minutes, within, attended, std, inw, want, where=None) -> None:
    """Make ``want`` of the incidents ``inw`` within standard: times of attended ones among
    ``where`` (default ``inw``) move to 55–97 % of their standard, or to 104–190 % of it."""
    where = inw if where is None else where
    diff = want - int((within & inw).sum())
    if diff > 0:
        cand = np.flatnonzero(where & attended & ~within)
        pick = rng.choice(cand, size=min(diff, cand.size), replace=False)
        minutes[pick] = std[pick] * rng.uniform(0.55, 0.97, pick.size)
        within[pick] = True
    elif diff < 0:
        cand = np.flatnonzero(where & within)
        pick = rng.choice(cand, size=min(-diff, cand.size), replace=False)
        minutes[pick] = std[pick] * rng.uniform(1.04, 1.9, pick.size)
        within[pick] = False


def within_count(count: int, rate: float) -> int:
    """The number within standard of ``count`` incidents that prints ``rate`` (one decimal): the
    rate's share of the count, rounded half-up.

    >>> within_count(11575, 75.2), within_count(27418, 76.0), within_count(10, 25.0)
    (8704, 20838, 3)
    """
    share = Decimal(int(count)) * Decimal(repr(float(rate))) / 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def half_year_targets(targets: dict, scale: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Incidents and incidents within standard by ``lpa`` code (:data:`LPA_NAMES`, then
    ``Unassigned``) that give a half year's published counts and rates at ``scale``: each LPA its
    own, ``Unassigned`` what the force has beyond the LPAs (the incidents, and those within
    standard that make the force's rate).

    Raises
    ------
    ValueError
        The LPAs have more incidents than the force, or the force's rate cannot be reached with
        the rest (fewer than none, or more than all of them, within standard).

    >>> n, w = half_year_targets({"Force": (100, 50.0), "North": (40, 50.0),
    ...                           "South": (30, 60.0), "West": (20, 40.0)})
    >>> n.tolist(), w.tolist()
    ([40, 30, 20, 10], [20, 18, 8, 4])
    """
    n = np.array([targets[name][0] * scale for name in LPA_NAMES] + [0], np.int64)
    w = np.array([within_count(n[i], targets[name][1]) for i, name in enumerate(LPA_NAMES)] + [0])
    force = targets["Force"][0] * scale
    n[3] = force - n[:3].sum()
    w[3] = within_count(force, targets["Force"][1]) - w[:3].sum()
    if n[3] < 0 or not 0 <= w[3] <= n[3]:
        raise ValueError(
            f"the LPAs' {n[:3].tolist()} incidents ({w[:3].tolist()} within standard) do not fit "
            f"in the force's {force} at {targets['Force'][1]}%"
        )
    return n, w


def _allot(n: int, cap: np.ndarray) -> np.ndarray:
    """``n`` (at most ``cap.sum()``) shared out in proportion to ``cap`` (largest remainders
    first), none beyond its cap.

    >>> _allot(5, np.array([6, 0, 3])).tolist(), _allot(9, np.array([6, 0, 3])).tolist()
    ([3, 0, 2], [6, 0, 3])
    """
    cap = np.asarray(cap, np.int64)
    total = max(int(cap.sum()), 1)
    share, rest = np.divmod(n * cap, total)
    share[np.argsort(-rest, kind="stable")[: n - int(share.sum())]] += 1
    return share


def _calibrate_half_years(
    ctx, opened, minutes, attended, grade, district, rural, plain, lpa_of_district
) -> dict:
    """Emergency incidents of April–September 2015 and 2016 (:data:`HALF_YEAR_EMERGENCY_TARGETS`):
    exact counts and rates within standard for the force, each LPA and ``Unassigned``.

    In each half year, in this order: a few grade 1 incidents become grade 2 (or grade 2 ones
    grade 1) so that the force's count is exact; incidents move from the LPAs with too many to
    those (or to ``Unassigned``) with too few, given a district of the new LPA; response times
    move across the standard until each has its number within standard; and in the first half of
    the rolling year (October–March) times move across the standard so that the rolling year's
    rate (:data:`ATTENDANCE_TARGETS`) is exact again. Only ``plain`` incidents change grade or
    district. Within standard is read as the measure reads it: the arrival, in whole seconds,
    at most the standard's (a time that rounds to the standard itself is put one second beyond
    it first, where the incidents' arrival would put it). Runs on its own random stream, after
    :func:`_calibrate_attendance`, so nothing outside the two rolling years changes.

    Returns
    -------
    dict
        ``"<half year> <geography>"`` → (incidents, within standard) short of the targets
        (0, 0 when exact); ``"<rolling year>"`` → within standard short of its target.
    """
    rng = ctx.rng("incidents:half-years")
    report: dict = {}
    std = np.where(rural, 20.0, 15.0)
    lpa_districts = [np.flatnonzero(lpa_of_district[: ctx.n_districts] == g) for g in range(3)]
    for hkey, rkey in HALF_YEAR_OF.items():
        dh = ctx.day_window(hkey)
        if dh is None:
            continue
        dr = ctx.day_window(rkey)
        inh = (opened >= dh[0] * DAY_S) & (opened < dh[1] * DAY_S)
        inr = inh if dr is None else (opened >= dr[0] * DAY_S) & (opened < dr[1] * DAY_S)
        n_want, w_want = half_year_targets(HALF_YEAR_EMERGENCY_TARGETS[hkey], ctx.scale)
        # 1. the force's count: plain incidents regraded, of the LPAs with too many (too few)
        # where they have enough, the rest from any (step 2 moves them where they are short)
        geo = lpa_of_district[district]
        have = np.bincount(geo[(grade == 1) & inh], minlength=4)
        short = int(n_want.sum() - have.sum())
        if short:
            cap = np.maximum(have - n_want, 0) if short < 0 else np.maximum(n_want - have, 0)
            pool = (grade == (1 if short < 0 else 2)) & inh & plain
            pick = []
            for g, k in enumerate(_allot(abs(short), cap)):
                cand = np.flatnonzero(pool & (geo == g))
                pick.append(rng.choice(cand, size=min(int(k), cand.size), replace=False))
            pool[np.concatenate(pick)] = False
            cand = np.flatnonzero(pool)
            k = abs(short) - sum(x.size for x in pick)
            pick = np.concatenate([*pick, rng.choice(cand, size=min(k, cand.size), replace=False)])
            if short < 0:  # as grade 2 incidents are drawn
                grade[pick] = 2
                minutes[pick] = np.exp(np.log(45) + 0.8 * rng.standard_normal(pick.size))
                attended[pick] = rng.random(pick.size) >= 0.05
            else:  # attended; step 3 sets how many within standard
                grade[pick] = 1
                minutes[pick] = std[pick] * rng.uniform(0.55, 1.9, pick.size)
                attended[pick] = True
        # 2. the LPAs' counts: plain incidents move from the LPAs with too many to the others
        have = np.bincount(geo[(grade == 1) & inh], minlength=4)
        give, take = np.maximum(have - n_want, 0), np.maximum(n_want - have, 0)
        donors = []
        pool = (grade == 1) & inh & plain
        for g, m in enumerate(_allot(int(min(give.sum(), take.sum())), give)):
            cand = np.flatnonzero(pool & (geo == g))
            donors.append(rng.choice(cand, size=min(int(m), cand.size), replace=False))
        donors = np.concatenate(donors)
        dest = rng.permutation(np.repeat(np.arange(4), _allot(donors.size, take)))
        for g in range(4):
            moved = donors[dest == g]
            if g == 3:
                district[moved] = ctx.n_districts
            else:
                w = ctx.crime_w[lpa_districts[g]]
                district[moved] = rng.choice(lpa_districts[g], size=moved.size, p=w / w.sum())
        # 3. within standard, by LPA and Unassigned
        g1 = (grade == 1) & inr
        seconds = np.round(minutes * 60)
        edge = g1 & (seconds == std * 60)
        minutes[edge] = std[edge] + 1 / 60
        within = g1 & attended & (seconds < std * 60)
        geo = lpa_of_district[district]
        for g, name in enumerate((*LPA_NAMES, "Unassigned")):
            inw = g1 & inh & (geo == g)
            _move_across_standard(rng, minutes, within, attended, std, inw, w_want[g])
            left = (int(n_want[g] - inw.sum()), int(w_want[g] - (within & inw).sum()))
            report[f"{hkey} {name}"] = left
        # 4. the rolling year's rate, in its October–March
        if dr is not None:
            want = within_count(int(g1.sum()), ATTENDANCE_TARGETS[rkey])
            _move_across_standard(rng, minutes, within, attended, std, g1, want, where=g1 & ~inh)
            report[rkey] = want - int((within & g1).sum())
    return report


def _calibrate_response_times(ctx, month, minutes, attended, rural, lpa, lpa_names) -> dict:
    """Average emergency response minutes by LPA, urban and rural, in the months of
    :data:`RESPONSE_TIME_TARGETS`: the times beyond the standard are stretched (or shrunk) and,
    where that is not enough to lower a mean, the times within it shrink too; no time crosses
    the standard, so the attendance rates stay as calibrated. Each LPA's mean is set a common
    offset from its whole-minute target (at most 0.4) that brings the force's mean nearest its
    own. Returns the means reached (rounded to 0.01 minutes)."""
    report = {}
    for mkey, by_lpa in RESPONSE_TIME_TARGETS.items():
        i = ctx.month_index(mkey)
        if i is None:
            continue
        for u, is_rural in ((0, False), (1, True)):
            std = 20.0 if is_rural else 15.0
            cells = {
                name: np.flatnonzero(attended & (month == i) & (rural == is_rural) & (lpa == j))
                for j, name in enumerate(lpa_names)
            }
            n = {name: idx.size for name, idx in cells.items()}
            total = sum(n.values())
            force = by_lpa["Force"][u]
            # the offset from the LPAs' targets that puts the force's mean nearest its target
            mean_at = {
                d: sum(n[g] * (by_lpa[g][u] + d) for g in cells) / total
                for d in np.linspace(-0.4, 0.4, 81)
            }
            offset = min(mean_at, key=lambda d: (abs(mean_at[d] - force), abs(d)))
            for name, idx in cells.items():
                if idx.size:
                    _set_mean(minutes, idx, by_lpa[name][u] + offset, std)
                    report[f"{mkey} {name} {'rural' if is_rural else 'urban'}"] = round(
                        float(minutes[idx].mean()), 2
                    )
    return report


def _set_mean(minutes: np.ndarray, idx: np.ndarray, target: float, std: float) -> None:
    """Make the mean of ``minutes[idx]`` equal ``target`` without any crossing ``std``."""
    t = minutes[idx]
    need = (target - t.mean()) * t.size
    over = t >= std
    excess = (t[over] - std).sum()
    if need < 0 and excess + need < 0.2 * excess:  # shrinking the excess alone is not enough
        under = ~over
        keep = 0.8 * excess
        t[over] = std + (t[over] - std) * 0.2
        t[under] *= 1 + (need + keep) / t[under].sum()
    elif excess > 0:
        t[over] = std + (t[over] - std) * (1 + need / excess)
    minutes[idx] = t


def _calibrate_da_incidents(ctx, victim, opened, month, da, ns) -> dict:
    rng = ctx.rng("da-incident-calibration")
    report = {}
    for key, dw in ctx.day_windows(DA_FY_REPEAT_TARGETS):
        target = DA_FY_REPEAT_TARGETS[key]
        in_fy = da & (opened >= dw[0] * DAY_S) & (opened < dw[1] * DAY_S)
        report[key] = _fix_fy_incident_repeats(rng, victim, in_fy, target * ctx.scale, ns.fresh)
    for mkey, t in MONTH_TARGETS.items():
        i = ctx.month_index(mkey)
        if i is None or i < 11:
            continue
        in_m = da & (month == i)
        recent = da & (month >= i - 10) & (month <= i - 1)
        report[mkey] = dict(
            zip(
                ("repeat_incidents_left", "repeat_victims_left"),
                _fix_month_incident_repeats(
                    rng,
                    victim,
                    opened,
                    in_m,
                    recent,
                    t["da_repeat_incidents"] * ctx.scale,
                    t["da_repeat_victims_incidents"] * ctx.scale,
                    ns.fresh,
                ),
                strict=True,
            )
        )
    return report
