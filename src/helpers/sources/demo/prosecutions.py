"""Victimless prosecutions: the domestic-abuse cases taken to court without the victim's evidence,
monitored from November 2013 to December 2014 (``victimless_prosecutions``).

Made from the crimes: every case is a domestic-abuse crime whose outcome is a charge, charged on
that outcome date, in the crime's district.

- The *successful* cases are the crimes flagged ``evidence_led_prosecution``
  (:data:`~.targets.EVIDENCE_LED`), finalised up to three weeks after the charge in the month of
  it: the report's monthly figure (flagged crimes by outcome date, the charge) and the case list
  (by the date finalised) count the same prosecutions in the same months.
- *Dismissed* and *other* cases are further charged crimes, finalised in the month they were
  charged (:data:`~.targets.VICTIMLESS_FINALISED`).
- The cases *pending* at the end of a month were charged in it or before and finalised later
  (:data:`~.targets.VICTIMLESS_CARRIED`): the only cases open at a month's end.

So, as the March 2014 report prints them, to the end of March 2014: 76 finalised (41 successful,
33 dismissed or no evidence offered, 2 otherwise) and 15 pending.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import _Ctx, _dates, _frame
from .targets import EVIDENCE_LED, VICTIMLESS_CARRIED, VICTIMLESS_FINALISED


def _build_victimless(ctx: _Ctx, crimes: pd.DataFrame) -> pd.DataFrame:
    """The case list, from the crimes frame (``crime_id, recorded_date, district,
    domestic_abuse, outcome_type, outcome_date, evidence_led_prosecution``).

    Each month's cases are drawn from a random stream of their own, so that recalibrating one
    month never moves another's; a month short of charged crimes is noted in the report. A case
    finalised after the data's last day is pending in the file (its result is not known yet).
    """
    charged = (
        crimes["domestic_abuse"].fillna(False).to_numpy(bool)
        & (crimes["outcome_type"].astype(object) == "charge_summons").to_numpy()
    )
    flagged = crimes["evidence_led_prosecution"].fillna(False).to_numpy(bool)
    outcome = crimes["outcome_date"].to_numpy("datetime64[ns]")
    month = crimes["outcome_date"].dt.to_period("M")
    free = charged & ~flagged  # charged crimes not yet a case
    day = np.timedelta64(1, "D")
    rows: list[pd.DataFrame] = []

    def cases(pick: np.ndarray, finalised: np.ndarray, result: str) -> None:
        rows.append(
            pd.DataFrame(
                {
                    "crime_id": crimes["crime_id"].to_numpy()[pick],
                    "charged_date": outcome[pick],
                    "finalised_date": finalised,
                    "result": result,
                    "district": crimes["district"].to_numpy()[pick],
                }
            )
        )

    def within_month(rng, pick: np.ndarray, when: str) -> np.ndarray:
        """Finalised up to three weeks after the charge, in the month of the charge."""
        end = pd.Period(when, "M").end_time.normalize().to_datetime64()
        return np.minimum(outcome[pick] + rng.integers(0, 21, pick.size) * day, end)

    def draw(rng, in_month: str, k: int, what: str) -> np.ndarray:
        candidates = np.flatnonzero(free & (month == pd.Period(in_month, "M")).to_numpy())
        want = k * ctx.scale
        pick = np.sort(rng.choice(candidates, size=min(want, candidates.size), replace=False))
        if pick.size < want:
            ctx.report.setdefault("victimless", {})[f"{in_month} {what}"] = int(want - pick.size)
        free[pick] = False
        return pick

    for when in EVIDENCE_LED:  # the successful cases: the flagged crimes, month by month
        pick = np.flatnonzero(flagged & (month == pd.Period(when, "M")).to_numpy())
        cases(
            pick, within_month(ctx.rng(f"victimless successful {when}"), pick, when), "successful"
        )
    for when, counts in VICTIMLESS_FINALISED.items():
        for result, k in counts.items():
            rng = ctx.rng(f"victimless {result} {when}")
            pick = draw(rng, when, k, result)
            cases(pick, within_month(rng, pick, when), result)
    for (when, finalised_in), counts in VICTIMLESS_CARRIED.items():
        start = pd.Period(finalised_in, "M").start_time.to_datetime64()
        days = pd.Period(finalised_in, "M").days_in_month
        for result, k in counts.items():
            rng = ctx.rng(f"victimless {result} {when} to {finalised_in}")
            pick = draw(rng, when, k, f"{result} finalised in {finalised_in}")
            cases(pick, start + rng.integers(0, days, pick.size) * day, result)
    out = pd.concat(rows, ignore_index=True)
    unknown = out["finalised_date"] > _dates(np.array([ctx.end_day]))[0]
    out.loc[unknown, "finalised_date"] = pd.NaT
    out["result"] = out["result"].astype(object).where(~unknown, None)
    out = out.sort_values(["charged_date", "crime_id"], kind="stable").reset_index(drop=True)
    out["case_id"] = ctx.ids("victimless_case", np.arange(1, len(out) + 1))
    return _frame("victimless_prosecutions", {c: out[c] for c in out.columns})
