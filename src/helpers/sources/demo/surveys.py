"""Surveys: victim satisfaction responses, the Most Similar Group peers and the public-confidence
survey (CSEW)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ...contract.extracts import SATISFACTION_ANSWERS, SATISFACTION_QUESTIONS
from . import february
from .context import _arrow_cat, _Ctx, _dates, _frame, _mix_draw, _months_ts, _shuffled_order
from .targets import CSEW_TARGETS, HOME_FORCE, SATISFACTION_LEVELS, SATISFACTION_TARGETS, SEASONAL


def _exact_count(p: float, n: int, decimals: int = 1) -> tuple[int, int]:
    """(respondents, agreeing) near ``n`` whose rate prints as ``p`` (rounded half-up)."""
    want = Decimal(str(p)).quantize(Decimal(1).scaleb(-decimals))
    for step in range(200):
        for m in (n + step, n - step):
            if m <= 0:
                continue
            k = int(round(p / 100 * m))
            got = (Decimal(100 * k) / Decimal(m)).quantize(want, rounding=ROUND_HALF_UP)
            if got == want:
                return m, k
    return n, int(round(p / 100 * n))


def _n_from_ci(p: float, ci: float) -> int:
    """Respondents implied by a published 95% confidence half-width."""
    return int(round(1.959964**2 * (p / 100) * (1 - p / 100) / (ci / 100) ** 2))


def _satisfaction_levels(ctx: _Ctx, stepwise: bool = False) -> dict[str, np.ndarray]:
    """Satisfaction (%) by month; ``stepwise``: the calibration windows' own rate in their months."""
    out = {}
    for q in SATISFACTION_QUESTIONS:
        anchors = {k: v[q][0] for k, v in SATISFACTION_TARGETS.items()}
        anchors.update({k: v[q] for k, v in SATISFACTION_LEVELS.items()})
        out[q] = ctx.level(anchors)
        if stepwise:
            for key, targets in SATISFACTION_TARGETS.items():
                sl = ctx.window(key)
                if sl is not None:
                    out[q][sl] = targets[q][0]
    return out


def _build_satisfaction(ctx: _Ctx) -> pd.DataFrame:
    """Survey responses; each calibration window has the published answers and satisfied counts."""
    rng = ctx.rng("satisfaction")
    k = ctx.scale
    levels = _satisfaction_levels(ctx)
    blocks = []  # (months, number of respondents, {q: (answering, satisfied)})
    covered = np.zeros(ctx.T, bool)
    for key, targets in SATISFACTION_TARGETS.items():
        sl = ctx.window(key)
        if sl is None:
            continue
        covered[sl] = True
        n_q = {q: _n_from_ci(p, ci) * k for q, (p, ci) in targets.items()}
        spec = {q: _exact_count(targets[q][0], n_q[q]) for q in targets}
        total = int(max(n for n, _ in spec.values()) * 1.03)
        blocks.append((np.arange(sl.start, sl.stop), total, spec))
    answer_rate = {
        "q_contact": 0.78,
        "q_actions": 0.95,
        "q_follow_up": 0.94,
        "q_treatment": 0.97,
        "q_overall": 0.99,
    }
    for i in np.flatnonzero(~covered):
        total = int(rng.poisson(150 * k))
        spec = {}
        for q, r in answer_rate.items():
            n = int(rng.binomial(total, r))
            spec[q] = (n, int(round(levels[q][i] / 100 * n)))
        blocks.append((np.array([i]), total, spec))
    frames = []
    for months, total, spec in blocks:
        month = rng.choice(months, size=total)
        ethnic = _mix_draw(rng, [0.87, 0.09, 0.04], total)
        group = _mix_draw(rng, [0.30, 0.30, 0.40], total)
        z = rng.standard_normal(total) - 0.25 * (ethnic == 1) - 0.15 * (group == 2)
        answers = {}
        for q, (n_ans, n_sat) in spec.items():
            n_ans = min(n_ans, total)
            ans = np.zeros(total, bool)
            ans[rng.choice(total, size=n_ans, replace=False)] = True
            score = 0.75 * z + 0.66 * rng.standard_normal(total)
            score[~ans] = -np.inf
            code = np.full(total, -1, np.int64)
            top = np.argsort(-score, kind="stable")[:n_sat]
            code[ans] = np.where(rng.random(int(ans.sum())) < 0.42, 1, 2)
            code[top] = 0
            answers[q] = code
        frames.append((month, ethnic, group, answers))
    month = np.concatenate([f[0] for f in frames])
    n = month.size
    day = ctx.days_in_months(rng, month)
    answers = {q: np.concatenate([f[3][q] for f in frames]) for q in SATISFACTION_QUESTIONS}
    ethnic = np.concatenate([f[1] for f in frames])
    ctx.report["february_satisfaction"] = february.calibrate_satisfaction(ctx, day, ethnic, answers)
    order = _shuffled_order(rng, day)
    district = ctx.districts_for(rng, n, unassigned=0.001)
    cols = {
        "response_id": ctx.ids("response", np.arange(1, n + 1)),
        "survey_date": _dates(day[order]),
        "crime_group": _arrow_cat(
            np.concatenate([f[2] for f in frames])[order], ("burglary", "vehicle", "violence")
        ),
        "ethnicity_group": _arrow_cat(ethnic[order], ("White", "BME", "Not stated")),
        "district": _arrow_cat(district[order], ctx.district_names),
    }
    for q in SATISFACTION_QUESTIONS:
        cols[q] = _arrow_cat(answers[q][order], SATISFACTION_ANSWERS)
    return _frame("satisfaction", cols)


#: Most Similar Group peers: crimes per 1,000 residents (2013/14, all and victim-based), satisfaction
#: offsets from the home force (contact, actions, follow-up, treatment, overall) and public-confidence
#: offsets (dealing with crime and ASB, good job).
PEERS = {
    "Avon and Somerset Constabulary": dict(
        crime=(62.0, 55.0), sat=(0.8, 1.5, 1.2, 1.0, 1.4), csew=(2.6, 3.5), trend=1.06
    ),
    "Derbyshire Constabulary": dict(
        crime=(48.5, 43.0), sat=(1.6, 2.4, 2.0, 2.2, 2.8), csew=(5.1, 6.0), trend=1.05
    ),
    "Hampshire Constabulary": dict(
        crime=(57.5, 49.0), sat=(0.6, -1.2, 0.7, 0.9, 0.8), csew=(1.6, 2.2), trend=1.08
    ),
    "Hertfordshire Constabulary": dict(
        crime=(47.0, 42.5), sat=(1.2, 0.9, 1.6, 1.4, 1.9), csew=(3.6, 4.4), trend=1.07
    ),
    "Leicestershire Police": dict(
        crime=(53.0, 47.5), sat=(-1.4, -2.5, -1.8, 0.7, 0.6), csew=(-1.9, 1.2), trend=1.04
    ),
    "Staffordshire Police": dict(
        crime=(52.5, 46.5), sat=(1.0, 0.7, 0.9, 1.6, 1.2), csew=(2.1, 3.0), trend=1.09
    ),
    "Sussex Police": dict(
        crime=(50.5, 45.0), sat=(0.9, -0.8, 1.1, 1.1, 1.0), csew=(-2.4, 0.9), trend=1.10
    ),
}


def _build_msg_peers(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng("msg_peers")
    pops = dict(zip(ctx.forces["force"], ctx.forces["population_2016"], strict=True))
    levels = _satisfaction_levels(ctx, stepwise=True)
    season = np.asarray(SEASONAL["crime"]) / np.mean(SEASONAL["crime"])
    rows = []
    for force in ctx.forces["force"]:
        if force == HOME_FORCE or force not in PEERS:
            continue
        peer = PEERS[force]
        pop = float(pops[force])
        # 2013/14 level, falling slightly to 2014 and rising by ``trend`` a year from 2015
        years = (ctx.mabs - 30) / 12.0
        growth = np.where(years < 1, 1 - 0.01 * years, (1 - 0.01) * peer["trend"] ** (years - 1))
        for j, measure in enumerate(("all_crime", "victim_based_crime")):
            expected = peer["crime"][j] * pop / 1000 / 12 * growth * season[ctx.moy - 1] * ctx.scale
            expected = expected * np.exp(0.02 * rng.standard_normal(ctx.T))
            sl = ctx.window("fy1314")
            if sl is not None:
                expected[sl] *= peer["crime"][j] * pop / 1000 * ctx.scale / expected[sl].sum()
            counts = np.round(expected)
            rows.append(
                pd.DataFrame(
                    {
                        "month": np.arange(ctx.T),
                        "force": force,
                        "measure_id": measure,
                        "numerator": counts,
                        "denominator": pop,
                    }
                )
            )
        n = np.maximum(
            np.round(120 * pop / 1.8e6 * ctx.scale * np.exp(0.1 * rng.standard_normal(ctx.T))), 20
        )
        for j, q in enumerate(SATISFACTION_QUESTIONS):
            p = np.clip(levels[q] + peer["sat"][j], 1, 99.5) / 100
            rows.append(
                pd.DataFrame(
                    {
                        "month": np.arange(ctx.T),
                        "force": force,
                        "measure_id": "satisfaction_"
                        + q.removeprefix("q_").replace("follow_up", "follow_up"),
                        "numerator": np.round(p * n),
                        "denominator": n,
                    }
                )
            )
    df = pd.concat(rows, ignore_index=True)
    df = df.sort_values(["month", "force", "measure_id"], kind="stable").reset_index(drop=True)
    cols = {
        "month": _months_ts(ctx, df["month"].to_numpy()),
        "force": df["force"].astype("string[pyarrow]").array,
        "measure_id": df["measure_id"].astype("string[pyarrow]").array,
        "numerator": df["numerator"].to_numpy(float),
        "denominator": df["denominator"].to_numpy(float),
    }
    return _frame("msg_peers", cols)


def _build_confidence(ctx: _Ctx) -> pd.DataFrame:
    """Crime Survey for England and Wales, 12 months to each quarter end, home force and peers."""
    rng = ctx.rng("confidence")
    quarter_ends = np.flatnonzero(np.isin(ctx.moy, (3, 6, 9, 12)))
    recs = []
    for qi, (question, targets) in enumerate(CSEW_TARGETS.items()):
        x = np.array([(pd.Period(k, "M") - ctx.months[0]).n for k in targets], float)
        y = np.array([v[0] for v in targets.values()])
        p_home = np.interp(np.arange(ctx.T), x, y)
        for i in quarter_ends:
            label = str(ctx.months[i])
            if label in targets:
                n, agreeing = _exact_count(*targets[label])
            else:
                p, n = p_home[i] + rng.normal(0, 0.8), int(rng.integers(520, 640))
                agreeing = int(round(p / 100 * n))
            recs.append((i, HOME_FORCE, question, n, agreeing))
            for force, peer in PEERS.items():
                n_peer = int(rng.integers(480, 900))
                pp = p_home[i] + peer["csew"][qi] + rng.normal(0, 0.3)
                recs.append((i, force, question, n_peer, int(round(pp / 100 * n_peer))))
    recs = february.calibrate_confidence(ctx, recs, HOME_FORCE)
    df = pd.DataFrame(recs, columns=["month", "force", "question", "respondents", "agreeing"])
    df = df.sort_values(["month", "force", "question"], kind="stable").reset_index(drop=True)
    cols = {
        "period_end": _months_ts(ctx, df["month"].to_numpy()),
        "force": df["force"].astype("string[pyarrow]").array,
        "question": df["question"].astype("string[pyarrow]").array,
        "respondents": df["respondents"].to_numpy(np.int64),
        "agreeing": df["agreeing"].to_numpy(np.int64),
    }
    return _frame("confidence_survey", cols)
