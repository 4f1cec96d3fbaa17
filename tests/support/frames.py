"""Small seeded extracts for tests that need a cube with plausible figures in every district."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.contract.extracts import OUTCOME_TYPES, SOLVED_OUTCOMES
from helpers.sources.loading import districts

MONTHS = pd.period_range("2012-04", "2016-09", freq="M")


def synthetic_extracts(seed: int = 7, per_month: int = 80) -> dict[str, pd.DataFrame]:
    """Crimes and incidents for every district, April 2012 - September 2016 (small, seeded)."""
    rng = np.random.default_rng(seed)
    names = list(districts()["district"])
    n = per_month * len(MONTHS)
    month = rng.choice(len(MONTHS), n)
    day = rng.integers(1, 28, n)
    recorded = pd.to_datetime(
        [f"{MONTHS[m].year}-{MONTHS[m].month:02d}-{d:02d}" for m, d in zip(month, day, strict=True)]
    )
    solved = rng.random(n) < 0.3
    outcome = np.where(solved, rng.choice(SOLVED_OUTCOMES, n), rng.choice(OUTCOME_TYPES[8:], n))
    crimes = pd.DataFrame(
        {
            "crime_id": [f"C{i:06d}" for i in range(n)],
            "recorded_date": recorded,
            "offence_group": rng.choice(["Theft", "Burglary", "Drug offences"], n),
            "victim_based": rng.random(n) < 0.9,
            "district": rng.choice(names, n),
            "domestic_abuse": rng.random(n) < 0.1,
            "da_risk_level": None,
            "night_time_economy": rng.random(n) < 0.05,
            "rural": rng.random(n) < 0.25,
            "business": rng.random(n) < 0.1,
            "class_a_supply": rng.random(n) < 0.01,
            "victim_id": [f"V{v}" for v in rng.integers(0, n // 2, n)],
            "outcome_type": outcome,
            "outcome_date": recorded + pd.to_timedelta(rng.integers(0, 40, n), unit="D"),
            "evidence_led_prosecution": False,
        }
    )
    m = per_month * len(MONTHS)
    month = rng.choice(len(MONTHS), m)
    opened = pd.to_datetime(
        [
            f"{MONTHS[i].year}-{MONTHS[i].month:02d}-{d:02d} 12:00"
            for i, d in zip(month, rng.integers(1, 28, m), strict=True)
        ]
    )
    incidents = pd.DataFrame(
        {
            "incident_id": [f"I{i:06d}" for i in range(m)],
            "opened_at": opened,
            "arrived_at": opened + pd.to_timedelta(rng.integers(3, 30, m), unit="min"),
            "grade": rng.choice([1, 2, 3, 4], m),
            "urban_rural": rng.choice(["urban", "rural"], m),
            "district": rng.choice(names, m),
            "domestic_abuse": rng.random(m) < 0.1,
            "asb": rng.random(m) < 0.3,
            "alcohol": rng.random(m) < 0.1,
            "drugs": rng.random(m) < 0.05,
            "mental_health": rng.random(m) < 0.05,
            "victim_id": None,
        }
    )
    return {"crimes": crimes, "incidents": incidents}
