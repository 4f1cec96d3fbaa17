"""Offenders: the links of solved crimes to offenders, the re-offending cohorts calibrated to the
published ones, and the crime and crime-offender frames."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...contract.extracts import DA_RISK_LEVELS, OFFENCE_GROUPS, OUTCOME_TYPES
from .context import _arrow_cat, _Ctx, _dates, _frame, _Pool, _shuffled_order
from .crimes import KIND_CLASS_A, KIND_NTE_NVB, KIND_NTE_VB, _Crimes, _Namespace
from .targets import (
    _YEAR,
    CO_OFFENDERS,
    COHORT_TARGETS,
    DA_KNOWN_PERPETRATOR,
    DA_PERPETRATOR_RATIO,
    FEBRUARY_COHORT_TARGETS,
    LINK_SHARE,
    ONE_OFF_YOUTH_SHARE,
    POOL_SHARE,
    POOLS,
    YOUTH_STARTER_SHARE,
)


class _Offenders:
    """Offenders: a pool with careers (youth and adult starters) plus one perpetrator per
    domestic-abuse victim; fresh offenders are appended by the cohort calibration."""

    def __init__(self, ctx: _Ctx, ns: _Namespace):
        rng = ctx.rng("offenders")
        self.pool = _Pool(ctx, "offender", **POOLS["offender"])
        n = self.pool.n
        youth = rng.random(n) < YOUTH_STARTER_SHARE
        age0 = np.where(youth, 10 + 7.9 * rng.beta(2.5, 1.4, n), 18 + rng.gamma(2.0, 6.5, n))
        birth_general = self.pool.entry - (age0 * _YEAR).astype(np.int64)
        self.ns = ns
        self.da_lo = ns.offset["da"]
        self.da_hi = ns.offset["da"] + ns.size["da"]
        # some perpetrators have more than one (ex-)partner in the pool over the years
        n_da = max(1, int(ns.size["da"] * DA_PERPETRATOR_RATIO))
        self.n_perp = n_da
        birth_da = ctx.start_day - ((17.5 + rng.gamma(3.0, 5.5, n_da)) * _YEAR).astype(np.int64)
        self.da_offset = n
        self.birth = [birth_general, birth_da]
        self.next = n + n_da
        self.rng = rng

    def fresh(self, birth: np.ndarray) -> np.ndarray:
        birth = np.asarray(birth, np.int64)
        out = np.arange(self.next, self.next + birth.size, dtype=np.int64)
        self.next += birth.size
        self.birth.append(birth)
        return out

    def births(self) -> np.ndarray:
        return np.concatenate(self.birth)


def _build_links(ctx: _Ctx, cr: _Crimes, off: _Offenders):
    """Offender links: every solved crime, and half of those with a suspect but no sanction."""
    rng = ctx.rng("links")
    linked = cr.solved & (rng.random(cr.n) < ctx.level(LINK_SHARE)[cr.month])
    # domestic abuse: the victim's (ex-)partner; fresh victims made by calibration get fresh partners
    da_c = np.flatnonzero(linked & cr.da)
    v = cr.victim[da_c]
    in_pool = (v >= off.da_lo) & (v < off.da_hi)
    perp = np.empty(da_c.size, np.int64)
    perp[in_pool] = off.da_offset + (v[in_pool] - off.da_lo) % off.n_perp
    # a one-off victim's partner is sometimes a known perpetrator (a new relationship)
    fresh_v, inv = np.unique(v[~in_pool], return_inverse=True)
    if fresh_v.size:
        known = rng.random(fresh_v.size) < DA_KNOWN_PERPETRATOR
        partner = np.empty(fresh_v.size, np.int64)
        partner[known] = off.da_offset + rng.integers(0, off.n_perp, int(known.sum()))
        n_new = int((~known).sum())
        birth = ctx.start_day - ((18 + rng.gamma(3.0, 5.5, n_new)) * _YEAR).astype(np.int64)
        partner[~known] = off.fresh(birth)
        perp[~in_pool] = partner[inv]
    # other crimes: one to three offenders from the pool, drawn among those active that month
    oc = np.flatnonzero(linked & ~cr.da)
    k = rng.choice([1, 2, 3], size=oc.size, p=list(CO_OFFENDERS))
    rep = np.repeat(oc, k)
    month = cr.month[rep]
    from_pool = rng.random(rep.size) < ctx.level(POOL_SHARE["offender"])[month]
    who = np.empty(rep.size, np.int64)
    who[from_pool] = off.pool.draw(ctx, rng, month[from_pool])
    n_new = int((~from_pool).sum())
    youth = rng.random(n_new) < ONE_OFF_YOUTH_SHARE
    age = np.where(youth, 10 + 7.9 * rng.beta(2.5, 1.4, n_new), 18 + rng.gamma(1.8, 9.0, n_new))
    who[~from_pool] = off.fresh(cr.day[rep[~from_pool]] - (age * _YEAR).astype(np.int64))
    crime = np.concatenate([da_c, rep])
    offender = np.concatenate([perp, who])
    pair = np.unique(np.stack([crime, offender], axis=1), axis=0)
    return pair[:, 0].copy(), pair[:, 1].copy()


def _age_years(day: np.ndarray, birth: np.ndarray) -> np.ndarray:
    return np.floor((day - birth) / _YEAR).astype(np.int64)


def _cohort(l_crime, l_off, cr: _Crimes, birth, m):
    """Members of cohort month ``m``: youth flag, re-offender flag, DA member and DA re-offender."""
    l_month = cr.month[l_crime]
    in_m = np.flatnonzero(l_month == m)
    fut = (l_month >= m + 1) & (l_month <= m + 6)
    order = np.lexsort((l_crime[in_m], cr.day[l_crime[in_m]], l_off[in_m]))
    srt = in_m[order]
    first = np.r_[True, l_off[srt][1:] != l_off[srt][:-1]]
    members = l_off[srt][first]
    first_link = srt[first]
    age = _age_years(cr.day[l_crime[first_link]], birth[members])
    youth = age <= 17
    reoff = np.isin(members, l_off[fut])
    da_link = cr.da[l_crime]
    da_members = np.unique(l_off[in_m[da_link[in_m]]])
    is_da = np.isin(members, da_members)
    da_re = is_da & np.isin(members, l_off[fut & da_link])
    return dict(
        members=members,
        youth=youth,
        reoff=reoff,
        is_da=is_da,
        da_re=da_re,
        in_m=in_m,
        fut=fut,
        da_link=da_link,
    )


def _calibrate_cohorts(ctx: _Ctx, cr: _Crimes, off: _Offenders, l_crime, l_off):
    """Re-offending cohorts: make the calibration months' cohorts and re-offenders exact; then
    the August cohorts the March 2014 report's since-last-month compares
    (:data:`FEBRUARY_COHORT_TARGETS`), with a random stream of their own, each August and the
    September after it made exact again in turn (a cohort's re-offences are the next months')."""
    rng = ctx.rng("cohort-calibration")
    report = {}
    for month, t in COHORT_TARGETS.items():
        l_crime, l_off, left = _calibrate_month(ctx, rng, cr, off, l_crime, l_off, month, t)
        if left is not None:
            report[month] = left
    return _calibrate_february_cohorts(
        ctx, ctx.rng("cohort-calibration-february"), cr, off, l_crime, l_off, report
    )


def _calibrate_february_cohorts(ctx: _Ctx, rng, cr: _Crimes, off, l_crime, l_off, report=None):
    """The August cohorts of 2012 and 2013 (:data:`FEBRUARY_COHORT_TARGETS`) and the Septembers
    after them, made exact in turn until all four are; run again (a stream of its own) after the
    February 2014 calibration has moved Class A crimes with their charges. Returns the links
    (each (crime, offender) pair once) and the report of what is left."""
    report = {} if report is None else report
    targets = {**FEBRUARY_COHORT_TARGETS, **COHORT_TARGETS}
    months = sorted(m for m in targets if m[:4] in {k[:4] for k in FEBRUARY_COHORT_TARGETS})
    for _ in range(4):
        for month in months:
            l_crime, l_off, left = _calibrate_month(
                ctx, rng, cr, off, l_crime, l_off, month, targets[month]
            )
            if left is not None:
                report[month] = left
        if all(not any(report.get(m, {}).values()) for m in months):
            break
    # a merged link may duplicate a (crime, offender) pair: keep one
    pair = np.unique(np.stack([l_crime, l_off], axis=1), axis=0)
    return pair[:, 0].copy(), pair[:, 1].copy(), report


def _calibrate_month(ctx: _Ctx, rng, cr: _Crimes, off: _Offenders, l_crime, l_off, month, t):
    """One cohort month made exact: (links, links' offenders, target − achieved per figure),
    None for the last when the month or its six months after are not generated."""
    m = ctx.month_index(month)
    if m is None or m + 6 >= ctx.T:
        return l_crime, l_off, None
    k = ctx.scale
    birth = off.births()
    # 1. offenders turning 18 within the month: one age class for all their crimes of the month
    l_month = cr.month[l_crime]
    in_m = np.flatnonzero(l_month == m)
    ages = _age_years(cr.day[l_crime[in_m]], birth[l_off[in_m]])
    mixed = np.unique(l_off[in_m][ages == 17])
    mixed = np.intersect1d(mixed, l_off[in_m][ages >= 18])
    for o in mixed:
        _shift_birth(off, o, 45)
    birth = off.births()
    # 2. domestic-abuse re-offenders
    st = _cohort(l_crime, l_off, cr, birth, m)
    diff = t["da_re"] * k - int(st["da_re"].sum())
    if diff < 0:
        pick = rng.choice(st["members"][st["da_re"]], size=-diff, replace=False)
        sel = np.flatnonzero(st["fut"] & st["da_link"] & np.isin(l_off, pick))
        l_off[sel] = off.fresh(birth[l_off[sel]])
    elif diff > 0:
        cand = st["members"][st["is_da"] & ~st["da_re"]]
        donors = np.flatnonzero(st["fut"] & st["da_link"] & ~np.isin(l_off, st["members"]))
        need = min(diff, cand.size, donors.size)
        l_off[rng.choice(donors, size=need, replace=False)] = rng.choice(
            cand, size=need, replace=False
        )
    # 3. youth and adult cohorts and re-offenders (non-DA members only are touched)
    for youth, n_key, r_key in ((True, "youth", "youth_re"), (False, "adult", "adult_re")):
        birth = off.births()
        st = _cohort(l_crime, l_off, cr, birth, m)
        cls = st["youth"] == youth
        n_now = int(cls.sum())
        want_n = t[n_key] * k
        if n_now > want_n:
            # merge surplus non-re-offending members' crimes of the month into other members
            cand = st["members"][cls & ~st["is_da"] & ~st["reoff"]]
            drop = rng.choice(cand, size=min(n_now - want_n, cand.size), replace=False)
            keep = np.setdiff1d(st["members"][cls], drop)
            sel = np.flatnonzero((cr.month[l_crime] == m) & np.isin(l_off, drop))
            l_off[sel] = rng.choice(keep, size=sel.size)
        elif n_now < want_n:
            # a newly identified co-offender on a solved crime of the month
            need = want_n - n_now
            crimes_m = np.flatnonzero((cr.month == m) & cr.solved & ~cr.da)
            c = rng.choice(crimes_m, size=need, replace=False)
            age = rng.uniform(14, 17.9, need) if youth else 19 + rng.gamma(2.0, 6.0, need)
            new = off.fresh(cr.day[c] - (age * _YEAR).astype(np.int64))
            l_crime = np.concatenate([l_crime, c])
            l_off = np.concatenate([l_off, new])
        birth = off.births()
        st = _cohort(l_crime, l_off, cr, birth, m)
        cls = st["youth"] == youth
        diff = t[r_key] * k - int((cls & st["reoff"]).sum())
        if diff < 0:
            cand = st["members"][cls & st["reoff"] & ~st["is_da"]]
            pick = rng.choice(cand, size=min(-diff, cand.size), replace=False)
            for o in pick:
                sel = np.flatnonzero(st["fut"] & (l_off == o))
                l_off[sel] = off.fresh(birth[[o]])[0]
        elif diff > 0:
            cand = st["members"][cls & ~st["reoff"] & ~st["is_da"]]
            donors = np.flatnonzero(st["fut"] & ~st["da_link"] & ~np.isin(l_off, st["members"]))
            need = min(diff, cand.size, donors.size)
            l_off[rng.choice(donors, size=need, replace=False)] = rng.choice(
                cand, size=need, replace=False
            )
    birth = off.births()
    st = _cohort(l_crime, l_off, cr, birth, m)
    got = dict(
        youth=int(st["youth"].sum()),
        adult=int((~st["youth"]).sum()),
        youth_re=int((st["youth"] & st["reoff"]).sum()),
        adult_re=int((~st["youth"] & st["reoff"]).sum()),
        da_re=int(st["da_re"].sum()),
    )
    return l_crime, l_off, {key: t[key] * k - got[key] for key in got}


def _shift_birth(off: _Offenders, o: int, days: int) -> None:
    """Move one offender's birth date earlier (so a month's crimes share one age class)."""
    pos = o
    for part in off.birth:
        if pos < part.size:
            part[pos] -= days
            return
        pos -= part.size


def _crime_frames(ctx: _Ctx, cr: _Crimes, off: _Offenders, l_crime, l_off):
    """The ``crimes`` and ``crime_offenders`` frames, crimes numbered in date order."""
    rng = ctx.rng("crime-ids")
    order = _shuffled_order(rng, cr.day)
    number = np.empty(cr.n, np.int64)
    number[order] = np.arange(1, cr.n + 1)
    has_out = cr.outcome >= 0
    crimes = {
        "crime_id": ctx.ids("crime", number),
        "recorded_date": _dates(cr.day),
        "offence_group": _arrow_cat(cr.group, OFFENCE_GROUPS),
        "victim_based": cr.victim_based,
        "district": _arrow_cat(cr.district, ctx.district_names),
        "domestic_abuse": cr.da,
        "da_risk_level": _arrow_cat(cr.risk, DA_RISK_LEVELS),
        "night_time_economy": (cr.kind == KIND_NTE_VB) | (cr.kind == KIND_NTE_NVB),
        "rural": cr.rural,
        "business": cr.business,
        "class_a_supply": cr.kind == KIND_CLASS_A,
        "victim_id": _victim_ids(ctx, cr.victim, cr.business),
        "outcome_type": _arrow_cat(cr.outcome, OUTCOME_TYPES),
        "outcome_date": _dates(cr.outcome_day, has_out),
        "evidence_led_prosecution": cr.evidence_led & has_out,
    }
    crimes_df = _frame("crimes", crimes).iloc[order].reset_index(drop=True)
    birth = off.births()
    age = _age_years(cr.day[l_crime], birth[l_off])
    lo = np.lexsort((l_off, number[l_crime]))
    links = {
        "crime_id": ctx.ids("crime", number[l_crime[lo]]),
        "offender_id": ctx.ids("offender", l_off[lo] + 1),
        "age_at_offence": np.clip(age[lo], 10, 110).astype(np.int64),
    }
    return crimes_df, _frame("crime_offenders", links)


def _victim_ids(ctx: _Ctx, victim: np.ndarray, business: np.ndarray):
    """``V…`` for persons, ``B…`` for businesses, empty without a direct victim."""
    prefix = pc.if_else(pa.array(np.asarray(business, bool)), pa.scalar("B"), pa.scalar("V"))
    victim = np.asarray(victim, np.int64)
    return ctx.ids("person", victim + 1, valid=victim >= 0, prefix=prefix)
