"""February 2014: the previous month of the March 2014 report, calibrated after the fact.

The March 2014 report prints, beside each financial-year-to-date figure, how its Better/Worse
change moved since last month: the unrounded change of April–March minus the unrounded change of
April–February, rounded once (the product's rule,
:func:`helpers.analysis.compare.year_on_year_change_since_last_month`; the published figures are
:data:`SINCE_LAST_MONTH`). The whole financial years are calibration windows already, so each
April–March change is fixed; this module moves records *within* each of the two financial years
(2012/13, 2013/14) between March and the months before it, or swaps a few answers or outcomes
between them, so that each April–February window gives a change whose difference from March's
rounds to the published figure, while every financial year keeps its exact totals.

Everything here runs after a builder has drawn its records and uses random streams of its own,
so no record outside April 2012 – March 2014 changes, and nothing drawn elsewhere shifts: the
September 2016 figures are the same bytes as before. Records that carry other calibrated figures
are left alone: domestic-abuse and business crimes (their own measures), Class A supply crimes
(moved with their charge, by their own target), crimes linked to an offender (the re-offending
cohorts), emergency (grade 1) incidents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from .context import _Ctx
from .targets import (
    DAY_S,
    FEBRUARY_CSEW_PERIODS,
    FEBRUARY_WINDOWS,
    MARCH_CSEW_PERIODS,
    SINCE_LAST_MONTH,
)

#: The two financial years whose April–February windows are compared.
YEARS = ("fy1213", "fy1314")
#: How near a rounding edge an unrounded difference may not be: the product works out a rate in
#: floating point, this module in decimals, and the two may round an exact half differently.
EDGE = Decimal("1e-9")


def count_change(last: int, this: int) -> Decimal:
    """The unrounded % change of two counts, as the product works it out.

    >>> count_change(104, 134).quantize(Decimal("0.0001"))
    Decimal('28.8462')
    """
    return (Decimal(int(this)) - int(last)) / int(last) * 100


def rate_change(last: tuple[int, int], this: tuple[int, int]) -> Decimal:
    """The unrounded difference in points of two rates, each ``(denominator, numerator)``, from
    the rates as the product computes them (in floating point).

    >>> rate_change((1000, 930), (1000, 945))
    Decimal('1.5')
    """
    (l_n, l_s), (t_n, t_s) = last, this
    return Decimal(repr(100 * t_s / t_n)) - Decimal(repr(100 * l_s / l_n))


def since_figure(march: Decimal, february: Decimal, decimals: int = 1) -> Decimal | None:
    """The change since last month the product prints: March's unrounded change minus
    February's, rounded once, half-up; None when the difference sits within :data:`EDGE` of a
    rounding edge (either rounding could be printed).

    >>> since_figure(count_change(104, 134), count_change(89, 134))
    Decimal('-21.7')
    >>> since_figure(Decimal("0.05"), Decimal("0")) is None
    True
    """
    q = Decimal(1).scaleb(-decimals)
    diff = Decimal(march) - Decimal(february)
    low, high = ((diff + e).quantize(q, rounding=ROUND_HALF_UP) for e in (-EDGE, EDGE))
    return low if low == high else None


def split_days(ctx: _Ctx, key: str) -> tuple[int, int, int] | None:
    """(first day, first day of March, day after the year) of financial year ``key``."""
    dw = ctx.day_window(key)
    if dw is None:
        return None
    i = ctx.month_index(FEBRUARY_WINDOWS[key][1])
    return dw[0], int(ctx.mstart[i] + ctx.mlen[i]), dw[1]


def counts_for_change(
    full: tuple[int, int], now: tuple[int, int], since: float, decimals: int = 1
) -> tuple[int, int]:
    """The nearest of :func:`count_candidates`."""
    return count_candidates(full, now, since, decimals)[0]


def count_candidates(
    full: tuple[int, int],
    now: tuple[int, int],
    since: float,
    decimals: int = 1,
    spread: int = 5,
) -> list[tuple[int, int]]:
    """April–February counts (last year, this year) whose unrounded % change, taken from that of
    the years' counts ``full``, rounds once to ``since`` (:func:`since_figure`); nearest ``now``
    first (the moves shared between the two years); neither above its year's ``full``.

    >>> count_candidates((104, 134), (95, 125), -21.7)[:2]  # 50.575 % and 50.562 %
    [(87, 131), (89, 134)]
    >>> count_candidates((669, 715), (612, 655), 4.0)[0]
    (624, 642)
    """
    want = Decimal(str(since)).quantize(Decimal(1).scaleb(-decimals))
    march = count_change(*full)
    change = float(march) - since  # February's change, about
    l_now, t_now = now
    need = abs(int(round(l_now * (1 + change / 100))) - t_now)
    found = []
    for dl in range(-need - spread, need + spread + 1):
        lf = l_now + dl
        if lf <= 0 or lf > full[0]:
            continue
        centre = int(round(lf * (1 + change / 100)))
        for tf in range(centre - 3, centre + 4):
            if not 0 <= tf <= full[1]:
                continue
            if since_figure(march, count_change(lf, tf), decimals) != want:
                continue
            cost = (max(abs(dl), abs(tf - t_now)), abs(dl) + abs(tf - t_now))
            found.append((cost, (lf, tf)))
    if not found:
        raise ValueError(
            f"demo February 2014: no counts within {full} give a change since last month of {since}"
        )
    return [c for _, c in sorted(found)]


def numerators_for_change(
    last: tuple[int, int],
    this: tuple[int, int],
    since: float,
    decimals: int = 1,
    *,
    full: tuple[tuple[int, int], tuple[int, int]],
) -> tuple[int, int]:
    """Numerators of two April–February rates (``(denominator, numerator)`` of last year and
    this year) nearest today's whose unrounded difference, taken from that of the years' rates
    ``full`` (two ``(denominator, numerator)``), rounds once to ``since`` points; the moves
    shared between the years.

    >>> numerators_for_change((1000, 930), (1000, 945), -0.2, full=((1100, 1023), (1100, 1040)))
    (929, 946)
    """
    want = Decimal(str(since)).quantize(Decimal(1).scaleb(-decimals))
    march = rate_change(*full)
    (l_n, l_s), (t_n, t_s) = last, this
    change = float(march) - since  # February's difference, about
    best = None
    span = int(abs(change - (100 * t_s / t_n - 100 * l_s / l_n)) / 100 * max(l_n, t_n)) + 10
    for dl in range(-span, span + 1):
        ls = l_s + dl
        if not 0 <= ls <= l_n:
            continue
        centre = int(round((100 * ls / l_n + change) / 100 * t_n))
        for ts in range(centre - 3, centre + 4):
            if not 0 <= ts <= t_n:
                continue
            if since_figure(march, rate_change((l_n, ls), (t_n, ts)), decimals) != want:
                continue
            cost = (max(abs(dl), abs(ts - t_s)), abs(dl) + abs(ts - t_s))
            if best is None or cost < best[0]:
                best = (cost, (ls, ts))
    if best is None:
        raise ValueError(f"demo February 2014: no numerators of {last}, {this} give {since}")
    return best[1]


def move_records(
    rng: np.random.Generator,
    ctx: _Ctx,
    day: np.ndarray,
    eligible: np.ndarray,
    key: str,
    k: int,
    keeps=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Move ``k`` eligible records of financial year ``key`` into April–February (``k`` > 0,
    from March) or out of it into March (``k`` < 0), each to a random day of its new months.

    ``keeps(idx, delta)``: which of the candidate moves are allowed (a record whose outcome would
    cross the year's edge is not moved). Returns the moved records and their shifts in days;
    ``day`` is updated in place.
    """
    a, f, b = split_days(ctx, key)
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    src = (day >= f) & (day < b) if k > 0 else (day >= a) & (day < f)
    lo, hi = (a, f) if k > 0 else (f, b)
    cand = np.flatnonzero(src & eligible)
    cand = cand[rng.permutation(cand.size)]
    new = lo + (rng.random(cand.size) * (hi - lo)).astype(np.int64)
    delta = new - day[cand]
    if keeps is not None:
        ok = keeps(cand, delta)
        cand, delta = cand[ok], delta[ok]
    if cand.size < abs(k):
        raise ValueError(
            f"demo February 2014 ({key}): {abs(k)} records to move, {cand.size} can be moved"
        )
    cand, delta = cand[: abs(k)], delta[: abs(k)]
    day[cand] += delta
    return cand, delta


def since_target(name: str) -> float:
    """The published change since last month of a February calibration (:data:`SINCE_LAST_MONTH`)."""
    return SINCE_LAST_MONTH[name]


# ------------------------------------------------------------------------------------ crimes
def calibrate_crimes(ctx: _Ctx, cr, linked: np.ndarray) -> dict:
    """Class A charges, night-time economy, victim-based and all crime, then the solved rates, of
    April–February of both years; returns what could not be reached (0 = exact)."""
    from .crimes import KIND_CLASS_A, KIND_NTE_NVB, KIND_NTE_VB, KIND_OTHER_NVB, KIND_OTHER_VB
    from .targets import _O

    if any(split_days(ctx, key) is None for key in YEARS):
        return {}
    rng = ctx.rng("february-crimes")
    windows = {key: split_days(ctx, key) for key in YEARS}

    def stays(idx, delta):
        """A crime keeps its outcome date where it is still after the crime; else the outcome
        moves with the crime, and only if it stays on its side of the years' edges (so each
        year's solved crimes and charges keep their count). A charge that moves takes its crime
        with it, only if the crime stays in its financial year (so each year's crimes keep
        their count: all crime is a published figure)."""
        out = cr.outcome_day[idx]
        if day_moved is cr.outcome_day:
            recorded, moved = cr.day[idx], cr.day[idx] + delta
            keep = np.ones(idx.size, bool)
            for a, _, b in windows.values():
                keep &= ((recorded >= a) & (recorded < b)) == ((moved >= a) & (moved < b))
            return keep
        new = out + delta
        keep = np.ones(idx.size, bool)
        for a, _, b in windows.values():
            keep &= ((out >= a) & (out < b)) == ((new >= a) & (new < b))
        return keep | (cr.outcome[idx] < 0) | (out >= cr.day[idx] + delta)

    def feb_count(mask, key, day):
        a, f, _ = windows[key]
        return int((mask & (day >= a) & (day < f)).sum())

    def full_count(mask, key, day):
        a, _, b = windows[key]
        return int((mask & (day >= a) & (day < b)).sum())

    day_moved = None

    def calibrate(name, mask, movable, day, shift_outcome=True):
        nonlocal day_moved
        day_moved = day
        full = tuple(full_count(mask, key, day) for key in YEARS)
        now = tuple(feb_count(mask, key, day) for key in YEARS)
        want = counts_for_change(full, now, since_target(name))
        for key, w, n in zip(YEARS, want, now, strict=True):
            idx, delta = move_records(rng, ctx, day, movable, key, w - n, keeps=stays)
            if idx.size:
                if shift_outcome:
                    late = (cr.outcome[idx] >= 0) & (cr.outcome_day[idx] < day[idx])
                    cr.outcome_day[idx[late]] += delta[late]
                else:  # the crime moves with its charge
                    cr.day[idx] += delta
        return {key: w - feb_count(mask, key, day) for key, w in zip(YEARS, want, strict=True)}

    report = {}
    free = ~linked & ~cr.fixed_outcome & ~cr.evidence_led
    # Class A supply charges are counted in the month charged: the charge moves, the crime with it
    ca = cr.kind == KIND_CLASS_A
    charged = ca & (cr.outcome == _O["charge_summons"])
    ca_movable = charged  # linked or not: a supply charge has an offender
    report["class_a_charges"] = calibrate(
        "class_a_charges", charged, ca_movable, cr.outcome_day, shift_outcome=False
    )
    nte = (cr.kind == KIND_NTE_VB) | (cr.kind == KIND_NTE_NVB)
    report["nte_crimes"] = calibrate("nte_crimes", nte, nte & free, cr.day)
    vb = cr.victim_based
    report["victim_based"] = calibrate(
        "victim_based", vb, (cr.kind == KIND_OTHER_VB) & free, cr.day
    )
    report["all_crime"] = calibrate(
        "all_crime", np.ones(cr.n, bool), (cr.kind == KIND_OTHER_NVB) & free, cr.day
    )
    cr.month[:] = ctx.month_of_day(cr.day)
    has_v = cr.victim >= 0
    report["repeat_victims_business"] = _calibrate_repeats(
        ctx, rng, cr, cr.business & has_v, cr.business & has_v & free, "repeat_victims_business"
    )
    person = has_v & ~cr.da & ~cr.business
    report["repeat_victims"] = _calibrate_repeats(
        ctx, rng, cr, has_v, person & free, "repeat_victims"
    )
    report["da_solved"] = _calibrate_solved(ctx, rng, cr, free & cr.da, cr.da, "da_solved")
    report["solved"] = _calibrate_solved(ctx, rng, cr, free & ~cr.da, np.ones(cr.n, bool), "solved")
    return report


def _repeat_count(victim: np.ndarray, mask: np.ndarray) -> int:
    _, cnt = np.unique(victim[mask], return_counts=True)
    return int((cnt >= 2).sum())


def _calibrate_repeats(ctx: _Ctx, rng, cr, scope: np.ndarray, editable: np.ndarray, name: str):
    """Repeat victims of April–February (victims of ``scope`` with two or more crimes in it):
    an editable crime of April–February and one of March trade victims (each year's crimes of
    every victim unchanged, so each year's repeat victims too)."""
    parts = {key: split_days(ctx, key) for key in YEARS}
    feb = {k: scope & (cr.day >= a) & (cr.day < f) for k, (a, f, _) in parts.items()}
    year = {k: scope & (cr.day >= a) & (cr.day < b) for k, (a, _, b) in parts.items()}
    want = counts_for_change(
        tuple(_repeat_count(cr.victim, year[k]) for k in YEARS),
        tuple(_repeat_count(cr.victim, feb[k]) for k in YEARS),
        since_target(name),
    )
    left = {}
    for key, w in zip(YEARS, want, strict=True):
        k = w - _repeat_count(cr.victim, feb[key])
        march = year[key] & ~feb[key]
        v, cnt = np.unique(cr.victim[feb[key]], return_counts=True)
        n_feb = np.zeros(cr.victim.max() + 1, np.int64)
        n_feb[v] = cnt
        # k < 0: a repeat victim (two crimes) gives one crime to a victim with none in Apr–Feb
        # k > 0: a one-off victim gives its crime to a victim with one crime in Apr–Feb
        a_want, b_want = (2, 0) if k < 0 else (1, 1)
        a_idx = np.flatnonzero(feb[key] & editable & (n_feb[np.maximum(cr.victim, 0)] == a_want))
        b_idx = np.flatnonzero(march & editable & (n_feb[np.maximum(cr.victim, 0)] == b_want))
        a_idx = _one_per_victim(rng, a_idx, cr.victim)
        b_idx = _one_per_victim(rng, b_idx, cr.victim)
        if k > 0:  # the two victims must differ
            b_idx = b_idx[~np.isin(cr.victim[b_idx], cr.victim[a_idx])]
            a_idx = a_idx[~np.isin(cr.victim[a_idx], cr.victim[b_idx])]
        m = min(abs(k), a_idx.size, b_idx.size)
        a_idx, b_idx = a_idx[:m], b_idx[:m]
        cr.victim[a_idx], cr.victim[b_idx] = cr.victim[b_idx].copy(), cr.victim[a_idx].copy()
        left[key] = w - _repeat_count(cr.victim, feb[key])
    return left


def _one_per_victim(rng, idx: np.ndarray, victim: np.ndarray) -> np.ndarray:
    """``idx`` shuffled, one record per victim."""
    idx = idx[rng.permutation(idx.size)]
    _, first = np.unique(victim[idx], return_index=True)
    return idx[np.sort(first)]


def _calibrate_solved(ctx: _Ctx, rng, cr, editable: np.ndarray, scope: np.ndarray, name: str):
    """Swap solved and unsolved outcomes between April–February and March (the year's solved
    count unchanged) so that the April–February solved rates give the February change."""
    from .crimes import SOLVED_OUTCOMES

    decimals = 2 if name == "solved" else 1
    parts, full = {}, {}
    for key in YEARS:
        a, f, b = split_days(ctx, key)
        for out, end in ((parts, f), (full, b)):
            rec = scope & (cr.day >= a) & (cr.day < end)
            solved = (cr.outcome_day >= a) & (cr.outcome_day < end) & (cr.outcome >= 0)
            out[key] = (int(rec.sum()), int((solved & scope & cr.solved).sum()))
    best = numerators_for_change(
        parts["fy1213"],
        parts["fy1314"],
        since_target(name),
        decimals,
        full=(full["fy1213"], full["fy1314"]),
    )
    left = {}
    n_types = len(SOLVED_OUTCOMES)
    for key, w, (_, s) in zip(YEARS, best, (parts["fy1213"], parts["fy1314"]), strict=True):
        a, f, b = split_days(ctx, key)
        k = w - s
        feb = editable & (cr.outcome >= 0) & (cr.outcome_day >= a) & (cr.outcome_day < f)
        mar = editable & (cr.outcome >= 0) & (cr.outcome_day >= f) & (cr.outcome_day < b)
        # k > 0: an unsolved outcome of Apr–Feb becomes solved, a solved one of March unsolved
        up, down = (feb, mar) if k > 0 else (mar, feb)
        cu = np.flatnonzero(up & ~cr.solved)
        cd = np.flatnonzero(down & cr.solved)
        m = min(abs(k), cu.size, cd.size)
        cu = rng.choice(cu, size=m, replace=False)
        cd = rng.choice(cd, size=m, replace=False)
        # the two crimes trade outcomes (each keeps its own outcome date)
        cr.outcome[cu], cr.outcome[cd] = cr.outcome[cd].copy(), cr.outcome[cu].copy()
        assert (cr.outcome[cu] < n_types).all()
        left[key] = abs(k) - m
    return left


# ------------------------------------------------------------------------------------ incidents
def calibrate_asb(
    ctx: _Ctx, opened: np.ndarray, arrive: np.ndarray, asb: np.ndarray, grade
) -> dict:
    """Anti-social behaviour incidents of April–February: non-emergency ones (grade 2 and 3: the
    emergency figures are calibrated by themselves) move with their arrival."""
    if any(split_days(ctx, key) is None for key in YEARS):
        return {}
    rng = ctx.rng("february-asb")
    day = opened // DAY_S
    full = tuple(_in(day, split_days(ctx, k)[0], split_days(ctx, k)[2], asb) for k in YEARS)
    now = tuple(_in(day, split_days(ctx, k)[0], split_days(ctx, k)[1], asb) for k in YEARS)
    want = counts_for_change(full, now, since_target("asb_incidents"))
    for key, w, n in zip(YEARS, want, now, strict=True):
        idx, delta = move_records(rng, ctx, day, asb & (grade != 1), key, w - n)
        opened[idx] += delta * DAY_S
        arrive[idx] += delta * DAY_S
    return {
        k: w - _in(day, split_days(ctx, k)[0], split_days(ctx, k)[1], asb)
        for k, w in zip(YEARS, want, strict=True)
    }


def _in(day, a, b, mask) -> int:
    return int((mask & (day >= a) & (day < b)).sum())


# ------------------------------------------------------------------------------------ calls
def calibrate_calls(ctx: _Ctx, days: np.ndarray, answered: np.ndarray, within: np.ndarray) -> dict:
    """999 calls answered within standard: a few moved from the days of March to the days of
    April–February or back (the year's rate unchanged) for the February change."""
    if any(split_days(ctx, key) is None for key in YEARS):
        return {}
    rng = ctx.rng("february-calls")
    parts, full = {}, {}
    for key in YEARS:
        a, f, b = split_days(ctx, key)
        for out, end in ((parts, f), (full, b)):
            sel = (days >= a) & (days < end)
            out[key] = (int(answered[sel].sum()), int(within[sel].sum()))
    want = numerators_for_change(
        parts["fy1213"],
        parts["fy1314"],
        since_target("calls_999"),
        full=(full["fy1213"], full["fy1314"]),
    )
    for key, w in zip(YEARS, want, strict=True):
        a, f, b = split_days(ctx, key)
        k = w - parts[key][1]
        feb = np.flatnonzero((days >= a) & (days < f))
        mar = np.flatnonzero((days >= f) & (days < b))
        # k > 0: k more within standard in April–February, k fewer in March
        _spread(rng, within, answered, feb, k)
        _spread(rng, within, answered, mar, -k)
    return {
        key: w
        - int(within[(days >= split_days(ctx, key)[0]) & (days < split_days(ctx, key)[1])].sum())
        for key, w in zip(YEARS, want, strict=True)
    }


def _spread(rng, within: np.ndarray, cap: np.ndarray, idx: np.ndarray, k: int) -> None:
    """Add ``k`` (or take ``-k``) to ``within`` over the rows ``idx``, one at a time at random
    rows, keeping each row between 0 and ``cap``."""
    step = 1 if k > 0 else -1
    left = abs(k)
    while left:
        room = cap[idx] - within[idx] if k > 0 else within[idx]
        rows = idx[room > 0]
        if rows.size == 0:
            raise ValueError("demo February 2014: no room to move calls answered within standard")
        pick = rng.choice(rows, size=min(left, rows.size), replace=False)
        within[pick] += step
        left -= pick.size


# ------------------------------------------------------------------------------------ surveys
def calibrate_satisfaction(ctx: _Ctx, day: np.ndarray, ethnic: np.ndarray, answers: dict) -> dict:
    """Victim satisfaction of April–February: for each question, a satisfied answer of one part
    of the year trades places with a dissatisfied answer of the other part, among respondents of
    the same ethnic group (each year's rate, and each group's, unchanged)."""
    if any(split_days(ctx, key) is None for key in YEARS):
        return {}
    rng = ctx.rng("february-satisfaction")
    left = {}
    for q, code in answers.items():
        parts, full = {}, {}
        for key in YEARS:
            a, f, b = split_days(ctx, key)
            for out, end in ((parts, f), (full, b)):
                sel = (day >= a) & (day < end) & (code >= 0)
                out[key] = (int(sel.sum()), int((sel & (code == 0)).sum()))
        want = numerators_for_change(
            parts["fy1213"], parts["fy1314"], since_target(q), full=(full["fy1213"], full["fy1314"])
        )
        for key, w in zip(YEARS, want, strict=True):
            a, f, b = split_days(ctx, key)
            k = w - parts[key][1]
            feb = (day >= a) & (day < f)
            mar = (day >= f) & (day < b)
            # k > 0: one more satisfied in April–February and one fewer in March, per trade
            gain, lose = (feb, mar) if k > 0 else (mar, feb)
            done = 0
            for group in rng.permutation(np.unique(ethnic)):
                if done == abs(k):
                    break
                up = np.flatnonzero(gain & (ethnic == group) & (code > 0))
                down = np.flatnonzero(lose & (ethnic == group) & (code == 0))
                m = min(abs(k) - done, up.size, down.size)
                up = rng.choice(up, size=m, replace=False)
                down = rng.choice(down, size=m, replace=False)
                code[up], code[down] = 0, code[up].copy()
                done += m
            left[f"{q} {key}"] = abs(k) - done
    return left


def calibrate_confidence(ctx: _Ctx, recs: list[tuple], home: str) -> list[tuple]:
    """The home force's public-confidence results for the 12 months to June 2012 and June 2013
    (what the February 2014 report compares), agreeing respondents set for the February change;
    ``recs`` are ``(month, force, question, respondents, agreeing)``."""
    months = [ctx.month_index(p) for p in FEBRUARY_CSEW_PERIODS]
    march = [ctx.month_index(p) for p in MARCH_CSEW_PERIODS]
    if any(m is None for m in (*months, *march)):
        return recs
    out = list(recs)
    at = {(r[0], r[1], r[2]): i for i, r in enumerate(out)}
    for question in sorted({r[2] for r in out}):
        rows = [at[(m, home, question)] for m in months]
        parts = [(out[i][3], out[i][4]) for i in rows]
        full = [(out[at[(m, home, question)]][3], out[at[(m, home, question)]][4]) for m in march]
        want = numerators_for_change(parts[0], parts[1], since_target(question), full=tuple(full))
        for i, w in zip(rows, want, strict=True):
            m, force, q, n, _ = out[i]
            out[i] = (m, force, q, n, w)
    return out
