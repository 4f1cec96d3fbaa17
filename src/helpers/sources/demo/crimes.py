"""Crimes: volumes, districts, victims, outcomes and their lags, calibrated to the published counts,
solved rates, evidence-led prosecutions and repeat victims."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from ...contract.extracts import OUTCOME_TYPES, SOLVED_OUTCOMES
from .context import (
    UnreachableTargets,
    _Ctx,
    _lognormal_days,
    _mix_draw,
    _Pool,
    _rowwise_draw,
    _time_weight,
)
from .targets import (
    _G,
    _O,
    CALIBRATION_WINDOWS,
    COUNT_TARGETS,
    DA_RISK_SHARE,
    DA_RISK_SOLVED,
    DA_RISK_SOLVED_TARGETS,
    EVIDENCE_LED,
    MIX,
    MONTH_TARGETS,
    OUTCOME_LAG,
    RATE_TARGETS,
    REPEAT_VICTIM_TARGETS,
    RURAL_SOLVED_FACTOR,
    RURAL_TARGETS,
    SOLVED_BASE,
    SOLVED_MIX,
    UNSOLVED_MIX,
)


@dataclass
class _Crimes:
    """Crimes as arrays (one element per crime) while they are being built."""

    month: np.ndarray
    day: np.ndarray
    group: np.ndarray
    kind: np.ndarray  # 0 da, 1 nte_vb, 2 business, 3 other_vb, 4 nte_nvb, 5 class A, 6 other_nvb
    district: np.ndarray
    rural: np.ndarray
    risk: np.ndarray
    victim: np.ndarray  # index into the person/business namespaces, -1 none
    outcome: np.ndarray  # index into OUTCOME_TYPES, -1 none
    outcome_day: np.ndarray
    fixed_outcome: np.ndarray
    evidence_led: np.ndarray

    @property
    def n(self) -> int:
        return self.month.size

    @property
    def da(self):
        return self.kind == 0

    @property
    def business(self):
        return self.kind == 2

    @property
    def victim_based(self):
        return self.kind <= 3

    @property
    def solved(self):
        return (self.outcome >= 0) & (self.outcome < len(SOLVED_OUTCOMES))


KIND_DA, KIND_NTE_VB, KIND_BUS, KIND_OTHER_VB, KIND_NTE_NVB, KIND_CLASS_A, KIND_OTHER_NVB = range(7)


class _Namespace:
    """Allocates person and business numbers: pools first, then fresh ones made by calibration."""

    def __init__(self, sizes: dict[str, int]):
        self.size = dict(sizes)
        self.offset = {}
        pos = 0
        for k, v in sizes.items():
            self.offset[k] = pos
            pos += v
        self.next = pos

    def fresh(self, k: int) -> np.ndarray:
        out = np.arange(self.next, self.next + k, dtype=np.int64)
        self.next += k
        return out


def _class_a(ctx: _Ctx):
    """Class A supply crimes: charges placed by outcome month first, then the crime before it."""
    rng = ctx.rng("class_a")
    per_month = ctx.series("class_a_charges", COUNT_TARGETS["class_a_charges"], "flat", noise=0.10)
    om = np.repeat(np.arange(ctx.T), per_month)
    oday = ctx.days_in_months(rng, om)
    lag = np.minimum(_lognormal_days(rng, 28, 0.9, om.size), 240)  # charged within eight months
    rday = oday - lag
    # charges of crimes recorded before the range cannot be in the extract
    keep = rday >= ctx.start_day
    oday, rday = oday[keep], rday[keep]
    # supply crimes that did not lead to a charge (evidential difficulties etc.)
    extra_m = np.repeat(np.arange(ctx.T), rng.poisson(np.maximum(per_month, 8) * 0.45))
    extra_day = ctx.days_in_months(rng, extra_m)
    n_extra = extra_m.size
    extra_out = rng.choice(
        [
            _O["evidential_difficulties"],
            _O["no_suspect_identified"],
            _O["not_in_public_interest"],
            _O["transferred_to_other_body"],
            _O["caution"],
        ],
        size=n_extra,
        p=[0.55, 0.25, 0.05, 0.10, 0.05],
    )
    extra_oday = extra_day + _lognormal_days(rng, 40, 1.0, n_extra)
    day = np.concatenate([rday, extra_day])
    outcome = np.concatenate([np.full(rday.size, _O["charge_summons"]), extra_out])
    outcome_day = np.concatenate([oday, extra_oday])
    return day, outcome, outcome_day


def _build_crimes(ctx: _Ctx, ns: _Namespace, pools: dict[str, _Pool]) -> _Crimes:
    rng = ctx.rng("crimes")
    C = ctx.series("all_crime", COUNT_TARGETS["all_crime"], "crime")
    V = ctx.series("victim_based", COUNT_TARGETS["victim_based"], "crime")
    DA = ctx.series("da_crimes", COUNT_TARGETS["da_crimes"], "da")
    NTE = ctx.series("nte_crimes", COUNT_TARGETS["nte_crimes"], "nte")
    ca_day, ca_out, ca_oday = _class_a(ctx)
    CA = np.bincount(ctx.month_of_day(ca_day), minlength=ctx.T)
    nte_vb = np.round(NTE * 0.78).astype(np.int64)
    nte_nvb = NTE - nte_vb
    bus_share = 0.17 - 0.015 * _time_weight(ctx, np.arange(ctx.T))
    bus = np.round(V * bus_share).astype(np.int64)
    # A month whose Class A supply crimes (placed by their charges) leave too few non-victim-based
    # crimes for its night-time-economy share: as many of its NTE crimes are victim-based instead
    # (every total stays as calibrated; with the default seed no month needs it).
    short = np.maximum(nte_nvb + CA - (C - V), 0)
    move = np.minimum(short, nte_nvb)
    nte_vb, nte_nvb = nte_vb + move, nte_nvb - move
    other_vb = V - DA - nte_vb - bus
    other_nvb = (C - V) - nte_nvb - CA
    if (other_vb < 0).any() or (other_nvb < 0).any():
        bad = ctx.months[np.flatnonzero((other_vb < 0) | (other_nvb < 0))[0]]
        raise UnreachableTargets(
            f"seed {ctx.seed}: the random monthly volumes of {bad.strftime('%b %Y')} do not fit the "
            "calibration (more victim-based, domestic-abuse, business or Class A supply crimes "
            "than crimes in that month); choose another seed"
        )
    counts = np.stack([DA, nte_vb, bus, other_vb, nte_nvb, np.zeros(ctx.T, np.int64), other_nvb])
    kind = np.repeat(np.tile(np.arange(7), ctx.T), counts.T.ravel())
    month = np.repeat(np.repeat(np.arange(ctx.T), 7), counts.T.ravel())
    day = ctx.days_in_months(rng, month)
    # class A supply crimes, dated already
    kind = np.concatenate([kind, np.full(ca_day.size, KIND_CLASS_A)])
    day = np.concatenate([day, ca_day])
    month = ctx.month_of_day(day)
    n = kind.size

    group = np.empty(n, np.int64)
    for k, mix in (
        (KIND_DA, "da"),
        (KIND_NTE_VB, "nte_vb"),
        (KIND_BUS, "business"),
        (KIND_NTE_NVB, "nte_nvb"),
        (KIND_OTHER_NVB, "other_nvb"),
    ):
        sel = np.flatnonzero(kind == k)
        group[sel] = _mix_draw(rng, MIX[mix], sel.size)
    sel = np.flatnonzero(kind == KIND_OTHER_VB)
    w = _time_weight(ctx, month[sel])[:, None]
    p = (1 - w) * np.array(MIX["other_vb_2012"]) + w * np.array(MIX["other_vb_2016"])
    p = p / p.sum(axis=1, keepdims=True)
    group[sel] = _rowwise_draw(rng, np.cumsum(p, axis=1))
    group[kind == KIND_CLASS_A] = _G["Drug offences"]

    district = ctx.districts_for(rng, n)
    rural = rng.random(n) < ctx.rural_share[district]
    risk = np.where(kind == KIND_DA, _mix_draw(rng, DA_RISK_SHARE, n), -1)

    # victims: businesses, domestic-abuse victims and other persons come from their own pools
    victim = np.full(n, -1, np.int64)
    for k, pool, share in ((KIND_BUS, "business", "business"), (KIND_DA, "da", "da_crime")):
        sel = np.flatnonzero(kind == k)
        victim[sel] = pools[pool].draw_mixed(ctx, rng, month[sel], share, ns.offset[pool], ns.fresh)
    sel = np.flatnonzero((kind == KIND_NTE_VB) | (kind == KIND_OTHER_VB))
    victim[sel] = pools["person"].draw_mixed(
        ctx, rng, month[sel], "person", ns.offset["person"], ns.fresh
    )

    cr = _Crimes(
        month,
        day,
        group,
        kind,
        district,
        rural,
        risk,
        victim,
        np.full(n, -1, np.int64),
        np.zeros(n, np.int64),
        np.zeros(n, bool),
        np.zeros(n, bool),
    )
    ca = np.flatnonzero(kind == KIND_CLASS_A)
    cr.outcome[ca] = ca_out
    cr.outcome_day[ca] = ca_oday
    cr.fixed_outcome[ca] = True
    _outcomes(ctx, cr)
    _calibrate_solved(ctx, cr)
    _evidence_led(ctx, cr)
    # outcomes after the extract date are still under investigation
    late = cr.outcome_day > ctx.end_day
    cr.outcome[late] = -1
    return cr


def _outcomes(ctx: _Ctx, cr: _Crimes) -> None:
    """Draw solved / unsolved outcomes with the month's target rates, and their lags."""
    rng = ctx.rng("outcomes")
    free = ~cr.fixed_outcome
    m = cr.month
    target = ctx.level(RATE_TARGETS["solved"]) / 100
    da_target = ctx.level(RATE_TARGETS["da_solved"]) / 100
    p = np.zeros(cr.n)
    risk_f = np.array(DA_RISK_SOLVED)
    da = cr.da
    p[da] = da_target[m[da]] * risk_f[np.maximum(cr.risk[da], 0)]
    p[da] = p[da] / float(np.dot(DA_RISK_SHARE, DA_RISK_SOLVED))
    base = (
        SOLVED_BASE[cr.group]
        * np.where(cr.rural, ctx.level(RURAL_SOLVED_FACTOR)[cr.month], 1.0)
        * np.where(cr.kind == KIND_NTE_VB, 1.1, 1.0)
    )
    other = free & ~da
    # scale the other crimes so that each month's expected solved rate is the target
    n_m = np.bincount(m, minlength=ctx.T).astype(float)
    fixed_solved = np.bincount(m[~free], weights=cr.solved[~free].astype(float), minlength=ctx.T)
    da_exp = np.bincount(m[da], weights=p[da], minlength=ctx.T)
    f = np.ones(ctx.T)
    for _ in range(4):
        pe = np.minimum(base * f[m], 0.97)
        got = np.bincount(m[other], weights=pe[other], minlength=ctx.T)
        want = target * n_m - fixed_solved - da_exp
        f = f * np.where(got > 0, want / np.maximum(got, 1e-9), 1.0)
    p[other] = np.minimum(base[other] * f[m[other]], 0.97)
    idx = np.flatnonzero(free)
    solved = rng.random(idx.size) < p[idx]
    w = _time_weight(ctx, m[idx])[:, None]
    smix = (1 - w) * np.array(SOLVED_MIX["2012"]) + w * np.array(SOLVED_MIX["2016"])
    drugs = cr.group[idx] == _G["Drug offences"]
    smix[drugs] = np.array(SOLVED_MIX["drugs"])
    smix = smix / smix.sum(axis=1, keepdims=True)
    s_type = _rowwise_draw(rng, np.cumsum(smix, axis=1))
    umix = np.where(
        cr.da[idx][:, None], np.array(UNSOLVED_MIX["da"]), np.array(UNSOLVED_MIX["other"])
    )
    u_type = len(SOLVED_OUTCOMES) + _rowwise_draw(rng, np.cumsum(umix, axis=1))
    out = np.where(solved, s_type, u_type)
    cr.outcome[idx] = out
    cr.outcome_day[idx] = cr.day[idx] + _outcome_lag(rng, out)


def _outcome_lag(rng: np.random.Generator, outcome: np.ndarray) -> np.ndarray:
    med = np.array([OUTCOME_LAG[o][0] for o in OUTCOME_TYPES], float)
    sig = np.array([OUTCOME_LAG[o][1] for o in OUTCOME_TYPES], float)
    z = rng.standard_normal(outcome.size)
    return np.floor(np.exp(np.log(med[outcome]) + sig[outcome] * z)).astype(np.int64)


def _calibrate_solved(ctx: _Ctx, cr: _Crimes) -> None:
    """Flip a few outcomes so each calibration window has the published solved rates exactly."""
    rng = ctx.rng("solved-calibration")
    n_solved_types = len(SOLVED_OUTCOMES)
    for key, (a, b) in ctx.day_windows(CALIBRATION_WINDOWS):
        in_rec = (cr.day >= a) & (cr.day < b)
        in_out = (cr.outcome_day >= a) & (cr.outcome_day < b) & (cr.outcome >= 0)
        for which in ("da", "all"):
            rate = RATE_TARGETS["da_solved" if which == "da" else "solved"][key] / 100
            scope = cr.da if which == "da" else np.ones(cr.n, bool)
            want = int(round(rate * (in_rec & scope).sum()))
            got = int((in_out & scope & cr.solved).sum())
            editable = in_out & ~cr.fixed_outcome & (cr.da if which == "da" else ~cr.da)
            diff = want - got
            if diff > 0:
                cand = np.flatnonzero(editable & ~cr.solved)
                pick = rng.choice(cand, size=min(diff, cand.size), replace=False)
                drugs = cr.group[pick] == _G["Drug offences"]
                mix = np.array(SOLVED_MIX["2016" if key.startswith("r") else "2012"])
                t = _mix_draw(rng, mix, pick.size)
                t[drugs] = _mix_draw(rng, SOLVED_MIX["drugs"], int(drugs.sum()))
                cr.outcome[pick] = t
            elif diff < 0:
                cand = np.flatnonzero(editable & cr.solved)
                pick = rng.choice(cand, size=min(-diff, cand.size), replace=False)
                mix = UNSOLVED_MIX["da" if which == "da" else "other"]
                cr.outcome[pick] = n_solved_types + _mix_draw(rng, mix, pick.size)


def _calibrate_risk(ctx: _Ctx, cr: _Crimes) -> dict:
    """Domestic-abuse solved rates by risk level, financial years of :data:`DA_RISK_SOLVED_TARGETS`:
    the risk levels of a few domestic-abuse crimes recorded in the year are relabelled (solved
    ones among solved ones, the others among the others), so the year's domestic-abuse figures
    (and every other) are unchanged. Returns target − achieved solved crimes per level."""
    rng = ctx.rng("da-risk-calibration")
    report = {}
    for key, (a, b) in ctx.day_windows(DA_RISK_SOLVED_TARGETS):
        rates = DA_RISK_SOLVED_TARGETS[key]
        rec = cr.da & (cr.day >= a) & (cr.day < b)
        out_in = cr.solved & (cr.outcome_day >= a) & (cr.outcome_day < b)
        A, B = rec & out_in, rec & ~out_in
        fixed = np.bincount(cr.risk[cr.da & out_in & ~rec], minlength=3)
        want = _risk_counts(
            int(A.sum()),
            int(B.sum()),
            fixed,
            rates,
            (np.bincount(cr.risk[A], minlength=3), np.bincount(cr.risk[B], minlength=3)),
        )
        for mask, target in ((A, want[0]), (B, want[1])):
            _relabel(rng, cr.risk, np.flatnonzero(mask), target)
        got = np.bincount(cr.risk[A], minlength=3) + fixed
        n = np.bincount(cr.risk[rec], minlength=3)
        report[key] = [round(100 * g / k, 2) for g, k in zip(got, n, strict=True)]
    return report


def _count_printing(target: Decimal, fixed: int, n: int, now: int) -> int:
    """The count x nearest to ``now`` for which ``fixed + x`` of ``n`` prints as ``target`` % (to
    one decimal, half-up). Those counts lie about the target's share of ``n``, in a range 0.1 % of
    ``n`` wide, however far ``now`` is from it (at scale 64, thousands).

    >>> # with 100 fixed, 1,675 ... 1,684 more print 17.8 % of 10,000: the one nearest to now
    >>> _count_printing(Decimal("17.8"), 100, 10_000, 1_000), _count_printing(Decimal("17.8"), 100, 10_000, 9_000)
    (1675, 1684)
    >>> _count_printing(Decimal("17.8"), 0, 2_000_000, 300_000)   # 55,000 away: still found
    355000
    >>> _count_printing(Decimal("17.8"), 0, 2_000_000, 356_500)   # already printing 17.8 %
    356500
    """
    centre = int(round(float(target) / 100 * n)) - fixed
    span = n // 1000 + 2
    return min(
        (x for x in range(centre - span, centre + span + 1)
         if x >= 0 and _printed(100 * (fixed + x) / n) == float(target)),
        key=lambda x: abs(x - now),
    )  # fmt: skip


def _calibrate_rural(ctx: _Ctx, cr: _Crimes) -> dict:
    """Rural crime in the windows of :data:`RURAL_TARGETS`: crimes recorded in the window trade
    their rural flag in pairs, so the window's rural crimes keep their number. For Thurrock's
    share of rural crime a Thurrock crime and one of another district trade (both solved in the
    window or both not); for the solved rate two crimes of one district trade, one solved in the
    window and one not (so every district keeps its rural crimes). Returns the figures reached."""
    rng = ctx.rng("rural-calibration")
    thurrock = ctx.district_names.index("Thurrock")
    report = {}
    for key, (a, b) in ctx.day_windows(RURAL_TARGETS):
        t = RURAL_TARGETS[key]
        rec = (cr.day >= a) & (cr.day < b)
        solved_in = cr.solved & (cr.outcome_day >= a) & (cr.outcome_day < b)
        n_rural = int((rec & cr.rural).sum())
        if "thurrock" in t:
            want = int(round(t["thurrock"] / 100 * n_rural))
            k = want - int((rec & cr.rural & (cr.district == thurrock)).sum())
            for s in (True, False):  # half of the trades among solved crimes, half among others
                m = k // 2 if s else k - k // 2
                th = rec & (cr.district == thurrock) & (solved_in == s)
                other = rec & (cr.district != thurrock) & (solved_in == s)
                gain, lose = (th & ~cr.rural, other & cr.rural)
                if m < 0:
                    gain, lose = other & ~cr.rural, th & cr.rural
                _trade_flag(rng, cr.rural, gain, lose, abs(m))
        fixed = int((~rec & cr.rural & solved_in).sum())
        now = int((rec & cr.rural & solved_in).sum())
        target = Decimal(str(t["solved"]))
        k = _count_printing(target, fixed, n_rural, now) - now
        for d in rng.permutation(ctx.n_districts):
            if k == 0:
                break
            here = rec & (cr.district == d)
            # k > 0: an unsolved rural crime and a solved urban one of the district trade flags
            gain, lose = (here & ~cr.rural & solved_in, here & cr.rural & ~solved_in)
            if k < 0:
                gain, lose = here & ~cr.rural & ~solved_in, here & cr.rural & solved_in
            k -= int(np.sign(k)) * _trade_flag(rng, cr.rural, gain, lose, min(abs(k), 400))
        rural = rec & cr.rural
        report[key] = dict(
            solved=round(100 * (fixed + int((rural & solved_in).sum())) / n_rural, 3),
            thurrock=round(100 * int((rural & (cr.district == thurrock)).sum()) / n_rural, 3),
            rural_share=round(100 * n_rural / int(rec.sum()), 3),
        )
    return report


def _trade_flag(rng, flag: np.ndarray, gain: np.ndarray, lose: np.ndarray, k: int) -> int:
    """Set ``flag`` on ``k`` records of ``gain`` and clear it on ``k`` of ``lose``; returns how
    many pairs were traded (fewer when either has fewer records)."""
    g, lo = np.flatnonzero(gain), np.flatnonzero(lose)
    k = min(k, g.size, lo.size)
    flag[rng.choice(g, size=k, replace=False)] = True
    flag[rng.choice(lo, size=k, replace=False)] = False
    return k


def _printed(x: float) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _risk_counts(n_a: int, n_b: int, fixed, rates, now):
    """Solved (``A``) and other (``B``) crimes per risk level nearest ``now`` whose solved rates,
    with the ``fixed`` solved outcomes of crimes recorded before the year, print ``rates``.

    The standard level's crimes are searched near today's; the medium level's near the number
    that, with the year's solved crimes fixed, leaves the high level its rate."""
    (a0, a1, _), (b0, b1, _) = now
    total = n_a + n_b
    r = [x / 100 for x in rates]

    def solved_for(level, n):
        c = int(r[level] * n) - fixed[level]
        return [
            x
            for x in range(c - 2, c + 3)
            if 0 <= x <= n and _printed(100 * (fixed[level] + x) / n) == rates[level]
        ]

    best = None
    span = max(40, total // 100)
    for n0 in range(max(a0 + b0 - span, 1), a0 + b0 + span + 1):
        for x0 in solved_for(0, n0):
            # the medium level's crimes that leave the high level its rate
            rest = fixed[1] + fixed[2] + n_a - x0
            centre = int((r[2] * (total - n0) - rest) / (r[2] - r[1]))
            for n1 in range(max(centre - 30, 1), centre + 31):
                for x1 in solved_for(1, n1):
                    x2, n2 = n_a - x0 - x1, total - n0 - n1
                    if n2 <= 0 or not 0 <= x2 <= n2:
                        continue
                    if _printed(100 * (fixed[2] + x2) / n2) != rates[2]:
                        continue
                    cost = abs(x0 - a0) + abs(x1 - a1) + abs(n0 - x0 - b0) + abs(n1 - x1 - b1)
                    if best is None or cost < best[0]:
                        best = (cost, ((x0, x1, x2), (n0 - x0, n1 - x1, n2 - x2)))
    if best is None:
        raise ValueError(f"demo: no risk levels give the solved rates {rates}")
    return best[1]


def _relabel(rng, risk: np.ndarray, idx: np.ndarray, target) -> None:
    """Relabel records ``idx`` so that each risk level has ``target`` of them (few changes)."""
    have = np.bincount(risk[idx], minlength=3)
    spare = []
    for r in range(3):
        if have[r] > target[r]:
            own = idx[risk[idx] == r]
            spare.append(rng.choice(own, size=have[r] - target[r], replace=False))
    spare = np.concatenate(spare) if spare else np.zeros(0, np.int64)
    spare = spare[rng.permutation(spare.size)]
    pos = 0
    for r in range(3):
        k = max(target[r] - have[r], 0)
        risk[spare[pos : pos + k]] = r
        pos += k


def _evidence_led(ctx: _Ctx, cr: _Crimes) -> None:
    """Flag domestic-abuse charges that went ahead without the victim (monitored Nov 2013 – Dec 2014)."""
    om = ctx.month_of_day(cr.outcome_day)
    charge = cr.da & (cr.outcome == _O["charge_summons"]) & (cr.outcome_day <= ctx.end_day)
    for month, k in EVIDENCE_LED.items():
        i = ctx.month_index(month)
        if i is None:
            continue
        rng = ctx.rng(f"evidence-led {month}")  # a month's count never moves another's picks
        cand = np.flatnonzero(charge & (om == i))
        pick = rng.choice(cand, size=min(k * ctx.scale, cand.size), replace=False)
        cr.evidence_led[pick] = True


# ----------------------------------------------------------------------- repeat victim calibration
def _prev_gap(victim: np.ndarray, t: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """For each record, the time since the same victim's previous record (inf if none)."""
    n = victim.size
    order = np.lexsort((tiebreak, t, victim))
    v, tt = victim[order], t[order]
    gap_sorted = np.full(n, np.inf)
    if n > 1:
        same = v[1:] == v[:-1]
        g = (tt[1:] - tt[:-1]).astype(float)
        gap_sorted[1:][same] = g[same]
    gap = np.empty(n)
    gap[order] = gap_sorted
    return gap


def _fix_window_repeats(rng, victim, in_window, scope, editable, target, fresh) -> int:
    """Make the number of victims with 2+ records in the window (within ``scope``) equal ``target``.

    Removing a repeat victim moves one of its two records to a fresh victim; adding one moves the
    record of a one-off victim to another one-off victim. Returns the remaining difference.
    """
    sel = np.flatnonzero(in_window & scope)
    uniq, inv, cnt = np.unique(victim[sel], return_inverse=True, return_counts=True)
    diff = target - int((cnt >= 2).sum())
    if diff < 0:
        # victims with exactly two records, both editable: move the later one to a fresh victim
        ed = np.bincount(inv, weights=editable[sel].astype(float), minlength=uniq.size)
        cand = np.flatnonzero((cnt == 2) & (ed == 2))
        pick = rng.choice(cand, size=min(-diff, cand.size), replace=False)
        chosen = np.isin(inv, pick)
        recs = sel[chosen]
        # the second record of each chosen victim
        order = np.lexsort((recs, inv[chosen]))
        recs = recs[order][1::2]
        victim[recs] = fresh(recs.size)
        diff += recs.size
    elif diff > 0:
        single = np.flatnonzero(cnt == 1)
        single_rec = sel[np.isin(inv, single)]
        single_rec = single_rec[editable[single_rec]]
        need = min(diff, single_rec.size // 2)
        pick = rng.choice(single_rec, size=2 * need, replace=False)
        victim[pick[:need]] = victim[pick[need:]]
        diff -= need
    return diff


def _month_repeat_state(victim, day, tie, scope, in_month, lookback):
    sel = np.flatnonzero(scope & (victim >= 0))
    gap = np.full(victim.size, np.inf)
    gap[sel] = _prev_gap(victim[sel], day[sel], tie[sel])
    rep = in_month & scope & (gap <= lookback)
    return gap, rep


def _fix_month_repeats(
    rng, victim, day, tie, scope, editable, month_mask, recent_mask, target, fresh, lookback=365
) -> int:
    """Make the number of victims with a repeat (another record in the 365 days before) in the month
    equal ``target``; records of ``scope`` only are considered, records of ``editable`` are moved."""
    gap, rep = _month_repeat_state(victim, day, tie, scope, month_mask, lookback)
    in_m = np.flatnonzero(month_mask & scope)
    uniq, inv, cnt = np.unique(victim[in_m], return_inverse=True, return_counts=True)
    rep_v = np.bincount(inv, weights=rep[in_m].astype(float), minlength=uniq.size) > 0
    diff = target - int(rep_v.sum())
    if diff < 0:
        ed = np.bincount(inv, weights=editable[in_m].astype(float), minlength=uniq.size)
        # victims with one record in the month, that record editable
        cand = np.flatnonzero(rep_v & (cnt == 1) & (ed == 1))
        pick = rng.choice(cand, size=min(-diff, cand.size), replace=False)
        recs = in_m[np.isin(inv, pick)]
        victim[recs] = fresh(recs.size)
        diff += recs.size
    elif diff > 0:
        single_nonrep = np.flatnonzero(~rep_v & (cnt == 1))
        donors = in_m[np.isin(inv, single_nonrep)]
        donors = donors[editable[donors]]
        # receivers: victims in scope with a record in the ten months before and none in the month
        recent = np.unique(victim[recent_mask & scope & editable])
        receivers = np.setdiff1d(recent, uniq)
        need = min(diff, donors.size, receivers.size)
        d = rng.choice(donors, size=need, replace=False)
        r = rng.choice(receivers, size=need, replace=False)
        victim[d] = r
        diff -= need
    return diff


def _calibrate_victims(ctx: _Ctx, cr: _Crimes, ns: _Namespace) -> dict:
    """Repeat victims of crime: financial-year windows (to March 2016) and the 365-day rule (month)."""
    rng = ctx.rng("victim-calibration")
    report = {}
    has_v = cr.victim >= 0
    person_free = has_v & ~cr.da & ~cr.business
    for key, dw in ctx.day_windows(REPEAT_VICTIM_TARGETS):
        t_all, t_bus = REPEAT_VICTIM_TARGETS[key]
        inw = (cr.day >= dw[0]) & (cr.day < dw[1])
        left_b = _fix_window_repeats(
            rng, cr.victim, inw, cr.business, cr.business, t_bus * ctx.scale, ns.fresh
        )
        left_a = _fix_window_repeats(
            rng, cr.victim, inw, has_v, person_free, t_all * ctx.scale, ns.fresh
        )
        report[key] = dict(business_left=left_b, all_left=left_a)
    tie = np.arange(cr.n)
    for month, t in MONTH_TARGETS.items():
        i = ctx.month_index(month)
        if i is None or i < 11:
            continue
        in_m = cr.month == i
        recent = (cr.month >= i - 10) & (cr.month <= i - 1)
        left_da = _fix_month_repeats(
            rng,
            cr.victim,
            cr.day,
            tie,
            cr.da,
            cr.da,
            in_m,
            recent,
            t["da_repeat_victims_crime"] * ctx.scale,
            ns.fresh,
        )
        left_all = _fix_month_repeats(
            rng,
            cr.victim,
            cr.day,
            tie,
            has_v,
            person_free,
            in_m,
            recent,
            t["repeat_victims"] * ctx.scale,
            ns.fresh,
        )
        report[month] = dict(da_left=left_da, all_left=left_all)
    return report
