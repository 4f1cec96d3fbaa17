"""Generate the demo force: deterministic, realistic, calibrated record-level extracts.

The demo force is Essex-sized: the 14 districts of ``data/reference/districts.csv`` in three LPAs,
April 2011 to December 2016, one file per extract of :data:`helpers.contract.extracts.EXTRACTS`.

Calibration is by construction. Every published figure (``tests/golden/published_tables.csv``)
becomes an explicit target: monthly counts are drawn so that each calibration window sums to its
target exactly (seasonality and noise inside the window), survey answers are ranked so that each
window has the published number of satisfied answers, and the measures built on persons (repeat
victims, repeat incidents, re-offending cohorts) come from pools of victims and offenders with
heterogeneous (gamma) propensities, then are nudged to the published value by relabelling a few
records (a crime moved to a new pseudonymous victim, an offender link moved to another offender).
Nothing in the cube knows about the targets.

Usage::

    python -m helpers.sources.demo --out data/demo [--seed 2016] [--scale 1] [--start 2011-04] [--end 2016-12]

``--scale K`` multiplies every volume (K = 1, 4, 16: one force to a large region; K = 64: about
40 million crimes and 90 million incidents, a national dataset); calibration holds at K = 1. The
folder is written beside the destination and renamed into place; the ``.complete`` marker (seed,
scale, row counts) is its last file.

Large scales are made in blocks, so that memory stays that of one block. Up to
:data:`MAX_BLOCK_SCALE` (16: 9.7 million crimes, a peak of 5.4 GiB) everything is generated at
once, exactly as it always was. Above it, the record-level extracts (crimes, offender links, incidents, survey
responses, collisions, casualties, drug tests) are generated as ``ceil(K / 16)`` blocks of nearly
equal scale, one after another, each appended to its extract's file: block 0 uses the seed itself,
the others a seed of their own (:func:`block_seed`), and every block numbers its ids after the
highest ids of the blocks before it, so ids stay unique and a block's crimes, victims and offenders
refer only to each other (a block is like one force of a national dataset, in the same districts).
The extracts that hold one row per month (or day) and key — calls, savings, workforce, the MSG
peers and the public-confidence survey — would repeat their keys if appended, so they are
generated once, at the full scale. ``--block-scale`` sets the largest block (tests use 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..config import REFERENCE_DIR, resolve_path
from ..contract.extracts import (
    DA_RISK_LEVELS,
    EXTRACTS,
    OFFENCE_GROUPS,
    OUTCOME_TYPES,
    ROAD_USERS,
    SATISFACTION_ANSWERS,
    SATISFACTION_QUESTIONS,
    SOLVED_OUTCOMES,
    WORKFORCE_GROUPS,
)
from ..geography import UNASSIGNED

DEFAULT_SEED = 2016
DEFAULT_START = "2011-04"
DEFAULT_END = "2016-12"
COMPLETE_MARKER = ".complete"
GENERATOR_VERSION = 1
HOME_FORCE = "Essex Police"
DAY_S = 86_400

# ------------------------------------------------------------------------------------ windows
#: Twelve-month windows. The four calibration windows are the published "last year" and "this year"
#: of the two reports; the others only anchor the trend between and beyond them.
WINDOWS = {
    "fy1112": ("2011-04", "2012-03"),
    "fy1213": ("2012-04", "2013-03"),
    "fy1314": ("2013-04", "2014-03"),
    "fy1415": ("2014-04", "2015-03"),
    "r1509": ("2014-10", "2015-09"),
    "r1609": ("2015-10", "2016-09"),
    "fy1617": ("2016-04", "2017-03"),
}
CALIBRATION_WINDOWS = ("fy1213", "fy1314", "r1509", "r1609")

# ------------------------------------------------------------------------------------ targets
#: Annual volumes: calibration windows are the published figures, the others set the trend.
COUNT_TARGETS = {
    "all_crime": dict(
        fy1112=104800, fy1213=100144, fy1314=99346, r1509=104561, r1609=115146, fy1617=119800
    ),
    "victim_based": dict(
        fy1112=94300, fy1213=89838, fy1314=89680, r1509=94602, r1609=101941, fy1617=105300
    ),
    "da_crimes": dict(
        fy1112=7700, fy1213=8150, fy1314=9524, r1509=11546, r1609=13482, fy1617=14300
    ),
    "nte_crimes": dict(fy1112=6400, fy1213=6142, fy1314=5513, r1509=5706, r1609=7101, fy1617=7500),
    "class_a_charges": dict(fy1112=150, fy1213=143, fy1314=134, r1509=171, r1609=292, fy1617=310),
    "da_incidents": dict(
        fy1112=24800, fy1213=25600, fy1314=28181, r1509=28111, r1609=32538, fy1617=33600
    ),
    "asb_incidents": dict(
        fy1112=61500, fy1213=56447, fy1314=54057, r1509=54257, r1609=52630, fy1617=52000
    ),
    "emergency_incidents": dict(
        fy1112=47500, fy1213=47000, fy1314=47800, r1509=47600, r1609=51600, fy1617=54500
    ),
    "other_incidents": dict(
        fy1112=118000, fy1213=115000, fy1314=113000, r1509=112000, r1609=114000, fy1617=115000
    ),
}
#: Rates (percent) and averages, interpolated between window centres.
RATE_TARGETS = {
    "solved": dict(
        fy1112=27.8, fy1213=27.00, fy1314=29.17, fy1415=25.5, r1509=23.16, r1609=21.28, fy1617=20.8
    ),
    "da_solved": dict(
        fy1112=42.0, fy1213=43.3, fy1314=43.8, fy1415=38.5, r1509=34.6, r1609=29.3, fy1617=28.5
    ),
    "calls_999": dict(
        fy1112=91.5, fy1213=92.7, fy1314=93.1, fy1415=88.0, r1509=84.4, r1609=81.2, fy1617=80.5
    ),
    "switchboard_wait": dict(
        fy1112=12.5, fy1213=11.0, fy1314=8.0, fy1415=7.0, r1509=7.0, r1609=9.0, fy1617=9.5
    ),
}
#: Emergency attendance within standard, by half year where the September 2016 report gives it.
ATTENDANCE_TARGETS = dict(
    fy1112=83.0, fy1213=86.0, fy1314=91.2, fy1415=84.0, r1509=76.8, r1609=77.1, fy1617=76.5
)
ATTENDANCE_LPA_OFFSET = {"North": -0.5, "South": -3.5, "West": 5.5}
#: Solved and unsolved outcomes used to adjust the solved rates exactly.
SOLVED_RATE_WINDOWS = {"solved": "all", "da_solved": "da"}
#: Satisfaction: published rate and confidence interval (which gives the number answering).
SATISFACTION_TARGETS = {
    "fy1213": {
        "q_contact": (93.0, 1.4),
        "q_actions": (81.0, 1.8),
        "q_follow_up": (71.8, 2.1),
        "q_treatment": (92.9, 1.2),
        "q_overall": (79.3, 1.8),
    },
    "fy1314": {
        "q_contact": (94.5, 1.2),
        "q_actions": (82.6, 1.7),
        "q_follow_up": (77.1, 1.9),
        "q_treatment": (92.3, 1.2),
        "q_overall": (82.0, 1.7),
    },
    "r1509": {
        "q_contact": (91.1, 1.5),
        "q_actions": (76.1, 2.0),
        "q_follow_up": (67.8, 2.2),
        "q_treatment": (89.7, 1.4),
        "q_overall": (76.2, 2.0),
    },
    "r1609": {
        "q_contact": (89.4, 1.6),
        "q_actions": (72.5, 2.3),
        "q_follow_up": (67.2, 2.4),
        "q_treatment": (87.7, 1.5),
        "q_overall": (73.4, 2.0),
    },
}
SATISFACTION_LEVELS = {  # for months outside the calibration windows
    "fy1112": {
        "q_contact": 92.5,
        "q_actions": 80.0,
        "q_follow_up": 70.5,
        "q_treatment": 92.5,
        "q_overall": 78.5,
    },
    "fy1415": {
        "q_contact": 92.6,
        "q_actions": 79.0,
        "q_follow_up": 72.0,
        "q_treatment": 91.0,
        "q_overall": 79.0,
    },
    "fy1617": {
        "q_contact": 89.0,
        "q_actions": 72.0,
        "q_follow_up": 67.0,
        "q_treatment": 87.5,
        "q_overall": 73.0,
    },
}
#: Crime Survey for England and Wales: (agreeing %, respondents) for the 12 months to a month.
CSEW_TARGETS = {
    "dealing_with_crime_asb": {
        "2012-09": (62.3, 620),
        "2013-09": (57.9, 610),
        "2015-03": (60.3, 575),
        "2016-03": (58.5, 504),
    },
    "police_good_job": {
        "2012-09": (60.3, 600),
        "2013-09": (58.3, 590),
        "2015-03": (57.8, 463),
        "2016-03": (58.8, 372),
    },
}
#: Road safety: KSI casualties by category per window (the published figures; drug and older drivers
#: for the 2014 windows are not published and are plausible values).
KSI_TARGETS = {
    "fy1112": dict(
        fatal=48,
        serious=640,
        collisions=600,
        p2w=175,
        young=120,
        pedestrians=120,
        cyclists=75,
        children=100,
        drink=25,
        drugs=8,
        older=45,
    ),
    "fy1213": dict(
        fatal=42,
        serious=627,
        collisions=586,
        p2w=169,
        young=104,
        pedestrians=113,
        cyclists=72,
        children=122,
        drink=15,
        drugs=7,
        older=44,
    ),
    "fy1314": dict(
        fatal=37,
        serious=678,
        collisions=629,
        p2w=159,
        young=134,
        pedestrians=136,
        cyclists=98,
        children=78,
        drink=29,
        drugs=9,
        older=48,
    ),
    "fy1415": dict(
        fatal=48,
        serious=700,
        collisions=670,
        p2w=185,
        young=125,
        pedestrians=140,
        cyclists=85,
        children=82,
        drink=38,
        drugs=12,
        older=55,
    ),
    "r1509": dict(
        fatal=54,
        serious=734,
        collisions=715,
        p2w=200,
        young=116,
        pedestrians=147,
        cyclists=82,
        children=84,
        drink=46,
        drugs=16,
        older=57,
    ),
    "r1609": dict(
        fatal=54,
        serious=754,
        collisions=734,
        p2w=211,
        young=153,
        pedestrians=155,
        cyclists=89,
        children=91,
        drink=64,
        drugs=21,
        older=52,
    ),
    "fy1617": dict(
        fatal=55,
        serious=760,
        collisions=740,
        p2w=210,
        young=150,
        pedestrians=155,
        cyclists=90,
        children=90,
        drink=62,
        drugs=22,
        older=53,
    ),
}
#: Repeat victims of crime within a financial year (definition to March 2016).
REPEAT_VICTIM_TARGETS = {"fy1213": (8410, 3572), "fy1314": (8327, 2844)}  # (all, business)
#: Measures for one month (definitions from April 2016).
MONTH_TARGETS = {
    "2016-09": dict(
        repeat_victims=1572,
        da_repeat_victims_crime=278,
        da_repeat_incidents=1176,
        da_repeat_victims_incidents=994,
    ),
}
#: Repeat domestic-abuse incidents in a financial year (definition to March 2016).
DA_FY_REPEAT_TARGETS = {"fy1314": 13689}
#: Re-offending cohorts (month): youth and adult offenders, re-offenders, domestic-abuse re-offenders.
COHORT_TARGETS = {
    "2012-09": dict(youth=295, adult=1493, youth_re=88, adult_re=397, da_re=46),
    "2013-09": dict(youth=335, adult=1567, youth_re=90, adult_re=418, da_re=46),
    "2015-03": dict(youth=258, adult=1297, youth_re=65, adult_re=307, da_re=39),
    "2016-03": dict(youth=241, adult=1293, youth_re=52, adult_re=267, da_re=34),
}
#: Domestic-abuse prosecutions without the victim's evidence, by outcome month (monitored from Nov 2013).
EVIDENCE_LED = {
    "2013-11": 9,
    "2013-12": 8,
    "2014-01": 9,
    "2014-02": 7,
    "2014-03": 1,
    "2014-04": 6,
    "2014-05": 7,
    "2014-06": 5,
    "2014-07": 8,
    "2014-08": 6,
    "2014-09": 7,
    "2014-10": 6,
    "2014-11": 5,
    "2014-12": 6,
}

# ------------------------------------------------------------------------------------ shapes
#: Seasonal factors, January to December.
SEASONAL = {
    "crime": [0.94, 0.88, 0.97, 0.96, 1.03, 1.03, 1.08, 1.06, 1.02, 1.04, 1.00, 0.99],
    "da": [1.03, 0.90, 0.95, 0.96, 1.03, 1.05, 1.08, 1.06, 0.99, 0.98, 0.94, 1.03],
    "nte": [0.95, 0.84, 0.92, 0.95, 1.02, 1.08, 1.12, 1.10, 0.97, 0.98, 0.94, 1.21],
    "asb": [0.78, 0.76, 0.90, 1.02, 1.12, 1.12, 1.20, 1.18, 1.00, 1.05, 0.95, 0.82],
    "ksi": [0.90, 0.85, 0.90, 0.95, 1.05, 1.07, 1.10, 1.05, 1.05, 1.08, 1.02, 0.98],
    "flat": [1.0] * 12,
    "calls": [0.93, 0.90, 0.95, 0.97, 1.03, 1.05, 1.12, 1.10, 1.00, 1.00, 0.96, 0.99],
    "sickness": [1.25, 1.15, 1.05, 0.95, 0.90, 0.85, 0.85, 0.85, 0.95, 1.05, 1.10, 1.05],
}
#: Relative crime rate per resident by district (town centres and ports higher).
DISTRICT_CRIME_FACTOR = {
    "Basildon": 1.25,
    "Braintree": 0.80,
    "Brentwood": 0.85,
    "Castle Point": 0.80,
    "Chelmsford": 0.95,
    "Colchester": 1.15,
    "Epping Forest": 0.95,
    "Harlow": 1.30,
    "Maldon": 0.70,
    "Rochford": 0.70,
    "Southend-on-Sea": 1.35,
    "Tendring": 1.00,
    "Thurrock": 1.25,
    "Uttlesford": 0.60,
}
#: Share of each district's crime committed in a rural location (force total about 27%).
DISTRICT_RURAL = {
    "Basildon": 0.14,
    "Braintree": 0.42,
    "Brentwood": 0.38,
    "Castle Point": 0.08,
    "Chelmsford": 0.27,
    "Colchester": 0.22,
    "Epping Forest": 0.40,
    "Harlow": 0.05,
    "Maldon": 0.55,
    "Rochford": 0.32,
    "Southend-on-Sea": 0.02,
    "Tendring": 0.35,
    "Thurrock": 0.48,
    "Uttlesford": 0.62,
}
UNASSIGNED_SHARE = 0.002

# Offence group mixes by kind of crime (order of OFFENCE_GROUPS).
_G = {g: i for i, g in enumerate(OFFENCE_GROUPS)}
MIX = {
    "da": [0.80, 0.03, 0.005, 0.02, 0.005, 0.04, 0, 0.10, 0, 0, 0, 0],
    "nte_vb": [0.72, 0.02, 0.05, 0, 0.01, 0.08, 0, 0.12, 0, 0, 0, 0],
    "business": [0.02, 0, 0.02, 0.13, 0.03, 0.12, 0.56, 0.12, 0, 0, 0, 0],
    "other_vb_2012": [0.22, 0.028, 0.012, 0.155, 0.14, 0.255, 0, 0.19, 0, 0, 0, 0],
    "other_vb_2016": [0.31, 0.036, 0.011, 0.13, 0.125, 0.215, 0, 0.173, 0, 0, 0, 0],
    "nte_nvb": [0, 0, 0, 0, 0, 0, 0, 0, 0.10, 0.12, 0.75, 0.03],
    "other_nvb": [0, 0, 0, 0, 0, 0, 0, 0, 0.40, 0.06, 0.38, 0.16],
}
#: Rural crimes are solved less often (the report: 16.8% then 17.8% against 23.2% and 21.3%).
RURAL_SOLVED_FACTOR = dict(
    fy1112=0.80, fy1213=0.80, fy1314=0.80, fy1415=0.68, r1509=0.56, r1609=0.78, fy1617=0.79
)
#: Domestic-abuse risk levels (standard, medium, high): shares and solved-rate factors (March 2014
#: report: 36.3%, 41.4% and 57.5%).
DA_RISK_SHARE = (0.42, 0.31, 0.27)
DA_RISK_SOLVED = (0.833, 0.950, 1.319)
SOLVED_BASE = np.array([0.33, 0.15, 0.17, 0.10, 0.06, 0.11, 0.50, 0.12, 0.88, 0.72, 0.38, 0.45])
_O = {o: i for i, o in enumerate(OUTCOME_TYPES)}
#: Solved outcome mixes (order of SOLVED_OUTCOMES), early and late in the period.
SOLVED_MIX = {
    "2012": [0.60, 0.21, 0.035, 0.001, 0.045, 0.0, 0.0005, 0.095],
    "2016": [0.60, 0.12, 0.025, 0.001, 0.025, 0.0, 0.0005, 0.215],
    "drugs": [0.30, 0.12, 0.0, 0.0, 0.06, 0.40, 0.0, 0.12],
}
#: Unsolved outcome mixes (order of UNSOLVED_OUTCOMES).
UNSOLVED_MIX = {"other": [0.68, 0.17, 0.10, 0.02, 0.03], "da": [0.05, 0.45, 0.45, 0.03, 0.02]}
#: Outcome lag in days: (median, sigma) of a lognormal, by outcome type.
OUTCOME_LAG = {
    "charge_summons": (30, 1.0),
    "caution": (14, 0.9),
    "tic_previously_recorded": (45, 0.8),
    "tic_not_previously_recorded": (45, 0.8),
    "penalty_notice": (3, 0.8),
    "cannabis_warning": (1, 0.6),
    "detected_no_proceedings": (60, 0.8),
    "community_resolution": (5, 0.9),
    "no_suspect_identified": (12, 0.9),
    "evidential_difficulties": (40, 1.0),
    "victim_declined_support": (10, 1.0),
    "not_in_public_interest": (30, 0.8),
    "transferred_to_other_body": (7, 0.8),
}
#: Pools of persons (sizes at scale 1 and gamma shapes of their propensities).
POOLS = {
    "person": dict(active=60_000, shape=0.8, spell_years=2.5),
    "da": dict(active=8_000, shape=0.8, spell_years=2.0),
    "business": dict(active=14_000, shape=0.6, spell_years=40.0),
    "offender": dict(active=6_000, shape=0.8, spell_years=2.5),
}
YOUTH_STARTER_SHARE = 0.26
#: Share of records whose person comes from the pool (the rest are one-off persons, never seen
#: again), by window: the mixture of a concentrated pool and one-offs sets how often victims and
#: offenders come back.
POOL_SHARE = {
    "person": dict(fy1112=0.32, fy1213=0.32, fy1314=0.36, r1509=0.30, r1609=0.24, fy1617=0.24),
    "da_crime": dict(fy1112=0.55, fy1213=0.55, fy1314=0.55, r1509=0.45, r1609=0.46, fy1617=0.46),
    "da_incident": dict(fy1112=0.75, fy1213=0.75, fy1314=0.72, r1509=0.52, r1609=0.45, fy1617=0.48),
    "business": dict(fy1112=0.95, fy1213=0.97, fy1314=0.80, r1509=0.78, r1609=0.75, fy1617=0.75),
    "offender": dict(fy1112=0.48, fy1213=0.48, fy1314=0.48, r1509=0.44, r1609=0.40, fy1617=0.40),
}
#: Share of solved crimes with an identified offender linked, and co-offenders per crime.
LINK_SHARE = dict(fy1112=0.80, fy1213=0.80, fy1314=0.70, r1509=0.80, r1609=0.80, fy1617=0.80)
#: Domestic-abuse perpetrators per pool victim (below 1: some perpetrators have several victims).
DA_PERPETRATOR_RATIO = 0.22
#: Share of one-off domestic-abuse victims whose partner is a perpetrator already in the pool.
DA_KNOWN_PERPETRATOR = 0.5
CO_OFFENDERS = (0.92, 0.065, 0.015)
ONE_OFF_YOUTH_SHARE = 0.19

_YEAR = 365.25


# ===================================================================================== context
@dataclass
class DemoOptions:
    """What to generate: seed, scale and the months covered."""

    seed: int = DEFAULT_SEED
    scale: int = 1
    start: str = DEFAULT_START
    end: str = DEFAULT_END


#: Id formats by namespace: prefix and digits. Persons are ``V…`` (``B…`` for businesses: one
#: numbering for both, as a victim of crime and of an incident is the same person).
ID_FORMATS = {
    "crime": ("C", 8),
    "person": ("V", 8),
    "offender": ("O", 7),
    "incident": ("I", 8),
    "response": ("S", 7),
    "collision": ("RTC", 7),
    "casualty": ("CAS", 8),
    "drug_test": ("DT", 6),
}


class _Ctx:
    """Calendar, reference tables and random streams shared by the extract builders.

    ``first_id`` (namespace → number) shifts every id of a namespace past the ids already used by
    earlier blocks; ``last_id`` records the highest id each namespace used, for the next block.
    """

    def __init__(
        self,
        opts: DemoOptions,
        reference_dir: Path = REFERENCE_DIR,
        first_id: dict[str, int] | None = None,
    ):
        if opts.scale < 1:
            raise ValueError(f"scale must be a positive integer, got {opts.scale}")
        self.opts = opts
        self.first_id = dict(first_id or {})
        self.last_id: dict[str, int] = {}
        self.seed = int(opts.seed)
        self.scale = int(opts.scale)
        self.months = pd.period_range(opts.start, opts.end, freq="M")
        if len(self.months) == 0:
            raise ValueError(f"no months between {opts.start} and {opts.end}")
        self.T = len(self.months)
        ts = self.months.to_timestamp()
        self.mstart = (ts.values.astype("datetime64[D]").astype(np.int64)).astype(np.int64)
        self.mlen = self.months.days_in_month.to_numpy().astype(np.int64)
        self.moy = self.months.month.to_numpy()
        self.start_day = int(self.mstart[0])
        self.end_day = int(self.mstart[-1] + self.mlen[-1] - 1)
        # months since April 2011, for trends that do not depend on the range generated
        self.mabs = np.array([(p - pd.Period("2011-04", "M")).n for p in self.months])
        d = pd.read_csv(reference_dir / "districts.csv")
        self.district_names = list(d["district"]) + [UNASSIGNED]
        self.district_lpa = list(d["lpa"]) + [None]
        self.n_districts = len(d)
        pop = d["population_2016"].to_numpy(float)
        self.pop = pop
        self.crime_w = pop * np.array([DISTRICT_CRIME_FACTOR.get(x, 1.0) for x in d["district"]])
        self.rural_share = np.array([DISTRICT_RURAL.get(x, 0.25) for x in d["district"]] + [0.25])
        self.forces = pd.read_csv(reference_dir / "msg_forces.csv")
        #: what each calibration step could not reach (target − achieved; 0 = exact)
        self.report: dict = {}

    # random streams: one per component, so a change in one never shifts another
    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode("utf-8"))])

    def ids(
        self, namespace: str, numbers: np.ndarray, valid: np.ndarray | None = None, prefix=None
    ):
        """Ids of ``namespace`` for 1-based ``numbers``, after those of earlier blocks.

        Raises
        ------
        ValueError
            An id would need more digits than the format has (a scale too large for it).
        """
        default_prefix, width = ID_FORMATS[namespace]
        shifted = np.asarray(numbers, np.int64) + self.first_id.get(namespace, 0)
        used = shifted if valid is None else shifted[np.asarray(valid, bool)]
        if used.size:
            top = int(used.max())
            if top >= 10**width:
                raise ValueError(
                    f"demo: {namespace} ids would pass {default_prefix}{'9' * width} at scale "
                    f"{self.scale} with ids from {self.first_id.get(namespace, 0) + 1} (the id "
                    f"format has {width} digits): choose a smaller --scale"
                )
            self.last_id[namespace] = max(self.last_id.get(namespace, 0), top)
        if prefix is None:
            return _arrow_ids(default_prefix, shifted, width, valid)
        return _prefixed_ids(prefix, shifted, width, valid)

    def month_index(self, month: str) -> int | None:
        i = (pd.Period(month, "M") - self.months[0]).n
        return i if 0 <= i < self.T else None

    def window(self, key: str) -> slice | None:
        """Month slice of a window if it lies wholly inside the generated range."""
        a, b = WINDOWS[key]
        ia, ib = self.month_index(a), self.month_index(b)
        if ia is None or ib is None:
            return None
        return slice(ia, ib + 1)

    def center(self, key: str) -> float:
        a, _ = WINDOWS[key]
        return (pd.Period(a, "M") - self.months[0]).n + 5.5

    def day_window(self, key: str) -> tuple[int, int] | None:
        sl = self.window(key)
        if sl is None:
            return None
        return int(self.mstart[sl.start]), int(self.mstart[sl.stop - 1] + self.mlen[sl.stop - 1])

    def month_of_day(self, day: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.mstart, day, side="right") - 1

    def level(self, anchors: dict[str, float]) -> np.ndarray:
        """Interpolate window values (placed at the window centres) to every month."""
        keys = sorted(anchors, key=self.center)
        x = np.array([self.center(k) for k in keys])
        y = np.array([anchors[k] for k in keys], float)
        return np.interp(np.arange(self.T), x, y)

    def series(
        self,
        name: str,
        anchors: dict[str, float],
        seasonal: str,
        noise: float = 0.025,
        exact: tuple[str, ...] = CALIBRATION_WINDOWS,
        scale: bool = True,
    ) -> np.ndarray:
        """Monthly integer counts: trend × seasonality × noise; calibration windows sum exactly."""
        rng = self.rng("series:" + name)
        k = self.scale if scale else 1
        season = np.asarray(SEASONAL[seasonal], float)
        season = season / season.mean()
        expected = self.level(anchors) / 12.0 * season[self.moy - 1]
        expected = expected * np.exp(noise * rng.standard_normal(self.T) - noise**2 / 2) * k
        counts = np.zeros(self.T, np.int64)
        fixed = np.zeros(self.T, bool)
        for key in exact:
            sl = self.window(key)
            if key in anchors and sl is not None:
                total = int(round(anchors[key] * k))
                counts[sl] = rng.multinomial(total, expected[sl] / expected[sl].sum())
                fixed[sl] = True
        counts[~fixed] = rng.poisson(expected[~fixed])
        return counts

    def days_in_months(self, rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
        """A uniformly random day (int days since 1970) in each record's month."""
        return self.mstart[month] + (rng.random(month.size) * self.mlen[month]).astype(np.int64)

    def districts_for(
        self,
        rng: np.random.Generator,
        n: int,
        weights: np.ndarray | None = None,
        unassigned: float = UNASSIGNED_SHARE,
    ) -> np.ndarray:
        w = self.crime_w if weights is None else weights
        p = np.append(w / w.sum() * (1 - unassigned), unassigned)
        return rng.choice(len(p), size=n, p=p)


# ===================================================================================== helpers
def _string_array(arr) -> pd.api.extensions.ExtensionArray:
    """A pandas ``string[pyarrow]`` array over an Arrow string array (no copy to Python objects)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pd.arrays.ArrowStringArray(arr)


def _arrow_ids(prefix: str, numbers: np.ndarray, width: int, valid: np.ndarray | None = None):
    """Pseudonymous ids such as ``V00000123`` as an Arrow-backed string array."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64))
    s = pc.utf8_lpad(pc.cast(arr, pa.string()), width, "0")
    s = pc.binary_join_element_wise(pa.scalar(prefix), s, "")
    if valid is not None:
        s = pc.if_else(pa.array(np.asarray(valid, bool)), s, pa.scalar(None, pa.string()))
    return _string_array(s)


def _prefixed_ids(prefix: pa.Array, numbers: np.ndarray, width: int, valid: np.ndarray | None):
    """Ids whose prefix differs by row (``prefix``: an Arrow string per row), e.g. ``V…`` or ``B…``."""
    num = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, np.int64)), pa.string()), width, "0")
    s = pc.binary_join_element_wise(prefix, num, "")
    if valid is not None:
        s = pc.if_else(pa.array(np.asarray(valid, bool)), s, pa.scalar(None, pa.string()))
    return _string_array(s)


def _arrow_cat(codes: np.ndarray, labels: list[str] | tuple[str, ...]):
    """Text column from integer codes (negative = empty)."""
    codes = np.asarray(codes)
    arr = pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32), mask=codes < 0), pa.array(list(labels), pa.string())
    ).cast(pa.string())
    return _string_array(arr)


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    out = (np.asarray(days, np.int64) * (DAY_S * 10**9)).view("datetime64[ns]")
    if valid is not None:
        out = out.copy()
        out[~valid] = np.datetime64("NaT")
    return out


def _times(seconds: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    out = (np.asarray(seconds, np.int64) * 10**9).view("datetime64[ns]")
    if valid is not None:
        out = out.copy()
        out[~valid] = np.datetime64("NaT")
    return out


def _months_ts(ctx: _Ctx, idx: np.ndarray) -> np.ndarray:
    return _dates(ctx.mstart[np.asarray(idx, np.int64)])


def _frame(name: str, cols: dict) -> pd.DataFrame:
    """A frame with the contract's columns in order (raises if one is missing)."""
    spec = EXTRACTS[name]
    missing = [c for c in spec.column_names if c not in cols]
    if missing:
        raise KeyError(f"demo {name}: columns {missing} not generated")
    return pd.DataFrame({c: cols[c] for c in spec.column_names})


def _shuffled_order(rng: np.random.Generator, key: np.ndarray) -> np.ndarray:
    """Order by an integer key (a day, a second), ties in random order."""
    key = np.asarray(key, np.int64)
    return np.argsort(key * (1 << 22) + rng.integers(0, 1 << 22, key.size), kind="stable")


def _mix_draw(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(probs, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _rowwise_draw(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """Draw one category per row from row-wise cumulative probabilities (last column 1)."""
    u = rng.random(cum.shape[0])
    return (u[:, None] > cum[:, :-1]).sum(axis=1)


def _lognormal_days(rng, median, sigma, n):
    return np.floor(np.exp(np.log(median) + sigma * rng.standard_normal(n))).astype(np.int64)


def _time_weight(ctx: _Ctx, idx) -> np.ndarray:
    """0 in spring 2012, 1 in spring 2016: mixes that drift over the period."""
    return np.clip((ctx.mabs[idx] - 12) / 48.0, 0, 1)


# ===================================================================================== pools
class _Pool:
    """Persons (or businesses) with gamma propensities and an active spell.

    Members active at the start of the range have an exponential remaining spell (so the pool is
    stationary); new members join uniformly over the range at the rate that keeps it so.
    """

    def __init__(self, ctx: _Ctx, name: str, active: int, shape: float, spell_years: float):
        rng = ctx.rng("pool:" + name)
        n0 = max(1, int(active * ctx.scale))
        span = (ctx.end_day - ctx.start_day + 1) / _YEAR
        n1 = int(n0 * span / spell_years)
        spell = spell_years * _YEAR
        self.entry = np.concatenate(
            [
                np.full(n0, ctx.start_day, np.int64),
                ctx.start_day
                + (rng.random(n1) * (ctx.end_day - ctx.start_day + 1)).astype(np.int64),
            ]
        )
        self.exit = self.entry + (rng.exponential(spell, n0 + n1)).astype(np.int64)
        self.weight = rng.gamma(shape, 1.0 / shape, n0 + n1)
        self.n = n0 + n1

    def draw_mixed(
        self, ctx: _Ctx, rng: np.random.Generator, month: np.ndarray, share: str, offset: int, fresh
    ) -> np.ndarray:
        """Person numbers: from the pool with the month's share, otherwise new one-off persons."""
        from_pool = rng.random(month.size) < ctx.level(POOL_SHARE[share])[month]
        out = np.empty(month.size, np.int64)
        out[from_pool] = offset + self.draw(ctx, rng, month[from_pool])
        out[~from_pool] = fresh(int((~from_pool).sum()))
        return out

    def draw(self, ctx: _Ctx, rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
        """One member per record, drawn with probability ∝ propensity among members active that month."""
        out = np.empty(month.size, np.int64)
        order = np.argsort(month, kind="stable")
        counts = np.bincount(month, minlength=ctx.T)
        pos = 0
        for m in range(ctx.T):
            k = counts[m]
            if k == 0:
                continue
            a, b = ctx.mstart[m], ctx.mstart[m] + ctx.mlen[m]
            w = np.where((self.entry < b) & (self.exit >= a), self.weight, 0.0)
            cw = np.cumsum(w)
            pick = np.searchsorted(cw, rng.random(k) * cw[-1], side="right")
            out[order[pos : pos + k]] = np.minimum(pick, self.n - 1)
            pos += k
        return out


# ===================================================================================== crimes
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
    other_vb = V - DA - nte_vb - bus
    other_nvb = (C - V) - nte_nvb - CA
    if (other_vb < 0).any() or (other_nvb < 0).any():
        raise ValueError("demo crimes: the monthly targets are inconsistent (a negative remainder)")
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
    for key in CALIBRATION_WINDOWS:
        dw = ctx.day_window(key)
        if dw is None:
            continue
        a, b = dw
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


def _evidence_led(ctx: _Ctx, cr: _Crimes) -> None:
    """Flag domestic-abuse charges that went ahead without the victim (monitored Nov 2013 – Dec 2014)."""
    rng = ctx.rng("evidence-led")
    om = ctx.month_of_day(cr.outcome_day)
    charge = cr.da & (cr.outcome == _O["charge_summons"]) & (cr.outcome_day <= ctx.end_day)
    for month, k in EVIDENCE_LED.items():
        i = ctx.month_index(month)
        if i is None:
            continue
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
    for key, (t_all, t_bus) in REPEAT_VICTIM_TARGETS.items():
        dw = ctx.day_window(key)
        if dw is None:
            continue
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


# ===================================================================================== offenders
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
    """Re-offending cohorts: make the calibration months' cohorts and re-offenders exact."""
    rng = ctx.rng("cohort-calibration")
    report = {}
    for month, t in COHORT_TARGETS.items():
        m = ctx.month_index(month)
        if m is None or m + 6 >= ctx.T:
            continue
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
        report[month] = {key: t[key] * k - got[key] for key in got}
    # a merged link may duplicate a (crime, offender) pair: keep one
    pair = np.unique(np.stack([l_crime, l_off], axis=1), axis=0)
    return pair[:, 0].copy(), pair[:, 1].copy(), report


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


# ===================================================================================== incidents
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
    lpa_names = ["North", "South", "West"]
    lpa = np.array([lpa_names.index(x) if x in lpa_names else 3 for x in ctx.district_lpa])[
        district
    ]
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
    arrive = opened + np.round(np.nan_to_num(minutes) * 60).astype(np.int64)
    standard_s = np.where(rural, 20 * 60, 15 * 60)
    arrive = np.where(
        g1 & (arrive - opened == standard_s), arrive + 1, arrive
    )  # never on the boundary
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
    for key in CALIBRATION_WINDOWS:
        dw = ctx.day_window(key)
        if dw is None:
            continue
        inw = g1 & (opened >= dw[0] * DAY_S) & (opened < dw[1] * DAY_S)
        want = int(round(ATTENDANCE_TARGETS[key] / 100 * inw.sum()))
        diff = want - int((within & inw).sum())
        if diff > 0:
            cand = np.flatnonzero(inw & attended & ~within)
            pick = rng.choice(cand, size=min(diff, cand.size), replace=False)
            minutes[pick] = std[pick] * rng.uniform(0.55, 0.97, pick.size)
            within[pick] = True
        elif diff < 0:
            cand = np.flatnonzero(inw & within)
            pick = rng.choice(cand, size=min(-diff, cand.size), replace=False)
            minutes[pick] = std[pick] * rng.uniform(1.04, 1.9, pick.size)
            within[pick] = False


def _calibrate_da_incidents(ctx, victim, opened, month, da, ns) -> dict:
    rng = ctx.rng("da-incident-calibration")
    report = {}
    for key, target in DA_FY_REPEAT_TARGETS.items():
        dw = ctx.day_window(key)
        if dw is None:
            continue
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


# ===================================================================================== calls
def _build_calls(ctx: _Ctx) -> pd.DataFrame:
    """Daily 999 and switchboard intervals; window rates and average waits are exact."""
    rng = ctx.rng("calls")
    days = np.arange(ctx.start_day, ctx.end_day + 1)
    m = ctx.month_of_day(days)
    dow = (days + 3) % 7  # 0 = Monday
    season = np.asarray(SEASONAL["calls"]) / np.mean(SEASONAL["calls"])
    trend = 1 + 0.025 * ctx.mabs[m] / 12
    weekend = np.where(dow >= 4, 1.10, 0.96)
    k = ctx.scale
    offered_999 = rng.poisson(
        720
        * trend
        * season[ctx.moy[m] - 1]
        * weekend
        * np.exp(0.05 * rng.standard_normal(days.size))
        * k
    )
    answered_999 = offered_999 - rng.binomial(offered_999, 0.006)
    rate = ctx.level(RATE_TARGETS["calls_999"])[m] - 6.0 * (season[ctx.moy[m] - 1] - 1) / 0.1
    rate = np.clip(rate + 2.0 * rng.standard_normal(days.size), 40, 99.5) / 100
    sw_weekday = np.where(dow >= 5, 0.45, 1.0)
    offered_sw = rng.poisson(
        2500
        * sw_weekday
        * season[ctx.moy[m] - 1]
        * np.exp(0.06 * rng.standard_normal(days.size))
        * k
    )
    wait = (
        ctx.level(RATE_TARGETS["switchboard_wait"])[m]
        * np.exp(0.25 * rng.standard_normal(days.size))
        * (1.1 - 0.1 * sw_weekday)
    )
    abandon = np.clip(0.01 + 0.004 * wait, 0, 0.5)
    answered_sw = offered_sw - rng.binomial(offered_sw, abandon)
    for key in CALIBRATION_WINDOWS:
        sl = ctx.window(key)
        if sl is None:
            continue
        inw = (m >= sl.start) & (m < sl.stop)
        for _ in range(3):  # shift the daily rates until the window's rate is the target
            got = (np.round(answered_999 * rate)[inw]).sum() / answered_999[inw].sum()
            rate[inw] = np.clip(rate[inw] + RATE_TARGETS["calls_999"][key] / 100 - got, 0.01, 0.999)
        want_w = RATE_TARGETS["switchboard_wait"][key] * answered_sw[inw].sum()
        wait[inw] *= want_w / (wait[inw] * answered_sw[inw]).sum()
    within = np.round(answered_999 * rate).astype(np.int64)
    rows = days.size
    interval = np.concatenate([days, days]) * DAY_S
    order = np.lexsort((np.r_[np.zeros(rows), np.ones(rows)], interval))
    cols = {
        "interval_start": _times(interval[order]),
        "line": _arrow_cat(
            np.r_[np.zeros(rows, int), np.ones(rows, int)][order], ("999", "non_emergency")
        ),
        "calls_offered": np.r_[offered_999, offered_sw][order].astype(np.int64),
        "calls_answered": np.r_[answered_999, answered_sw][order].astype(np.int64),
        "answered_within_standard": np.r_[
            within, np.round(answered_sw * np.clip(1 - wait / 60, 0, 1))
        ][order].astype(np.int64),
        "total_wait_seconds": np.r_[answered_999 * (3.0 + 9.0 * (1 - rate)), answered_sw * wait][
            order
        ].astype(float),
    }
    return _frame("calls", cols)


# ===================================================================================== surveys
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
    order = _shuffled_order(rng, day)
    district = ctx.districts_for(rng, n, unassigned=0.001)
    cols = {
        "response_id": ctx.ids("response", np.arange(1, n + 1)),
        "survey_date": _dates(day[order]),
        "crime_group": _arrow_cat(
            np.concatenate([f[2] for f in frames])[order], ("burglary", "vehicle", "violence")
        ),
        "ethnicity_group": _arrow_cat(
            np.concatenate([f[1] for f in frames])[order], ("White", "BME", "Not stated")
        ),
        "district": _arrow_cat(district[order], ctx.district_names),
    }
    for q in SATISFACTION_QUESTIONS:
        cols[q] = _arrow_cat(np.concatenate([f[3][q] for f in frames])[order], SATISFACTION_ANSWERS)
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


# ===================================================================================== roads
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


# ===================================================================================== the rest
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


# ===================================================================================== driver
#: The largest scale generated in memory at once; larger scales are made in blocks of at most this.
MAX_BLOCK_SCALE = 16
#: Extracts with one row per record, each with an id of its own: generated block by block.
RECORD_EXTRACTS = (
    "crimes",
    "crime_offenders",
    "incidents",
    "satisfaction",
    "collisions",
    "casualties",
    "drug_tests",
)
#: Extracts with one row per month (or day) and key: generated once, at the full scale, because
#: appending a block's rows would repeat their keys.
SUMMARY_EXTRACTS = ("calls", "confidence_survey", "msg_peers", "workforce", "savings")


def block_scales(scale: int, block_scale: int = MAX_BLOCK_SCALE) -> list[int]:
    """The scales of the blocks that make ``scale``: ``ceil(scale / block_scale)`` nearly equal ones.

    Examples
    --------
    >>> block_scales(16), block_scales(64), block_scales(20), block_scales(2, block_scale=1)
    ([16], [16, 16, 16, 16], [10, 10], [1, 1])
    """
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    if block_scale < 1:
        raise ValueError(f"block scale must be a positive integer, got {block_scale}")
    n = -(-scale // block_scale)
    base, extra = divmod(scale, n)
    return [base + 1] * extra + [base] * (n - extra)


def block_seed(seed: int, block: int) -> int:
    """The seed of block ``block``: the seed itself for block 0, one drawn from (seed, block) after.

    Block 0 of a large scale is therefore the same as a run at the block's scale alone.
    """
    if block == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(block)]).generate_state(1)[0])


def _extracts(ctx: _Ctx, report: dict, records: bool, summaries: bool):
    """Yield the record extracts and/or the summary extracts of one context, in contract order."""
    if records:
        pools = {name: _Pool(ctx, name, **POOLS[name]) for name in ("person", "da", "business")}
        ns = _Namespace({name: pools[name].n for name in ("person", "da", "business")})
        cr = _build_crimes(ctx, ns, pools)
        report["victims"] = _calibrate_victims(ctx, cr, ns)
        off = _Offenders(ctx, ns)
        l_crime, l_off = _build_links(ctx, cr, off)
        l_crime, l_off, report["cohorts"] = _calibrate_cohorts(ctx, cr, off, l_crime, l_off)
        crimes, links = _crime_frames(ctx, cr, off, l_crime, l_off)
        del cr, l_crime, l_off, off
        yield "crimes", crimes
        del crimes
        yield "crime_offenders", links
        del links
        yield "incidents", _build_incidents(ctx, ns, pools)
        del pools
    if summaries:
        yield "calls", _build_calls(ctx)
    if records:
        yield "satisfaction", _build_satisfaction(ctx)
    if summaries:
        yield "confidence_survey", _build_confidence(ctx)
        yield "msg_peers", _build_msg_peers(ctx)
    if records:
        collisions, casualties = _build_roads(ctx)
        yield "collisions", collisions
        yield "casualties", casualties
        del collisions, casualties
        yield "drug_tests", _build_drug_tests(ctx)
    if summaries:
        yield "workforce", _build_workforce(ctx)
        yield "savings", _build_savings(ctx)
    report.update(ctx.report)


def generate(
    options: DemoOptions | None = None,
    reference_dir: Path = REFERENCE_DIR,
    report: dict | None = None,
    *,
    block_scale: int = MAX_BLOCK_SCALE,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """Yield ``(extract name, frame)`` for every extract of the contract, one at a time.

    Up to ``block_scale`` every extract is yielded once. Above it, each record extract
    (:data:`RECORD_EXTRACTS`) is yielded once per block, block after block, its ids numbered after
    those of the blocks before; then the summary extracts (:data:`SUMMARY_EXTRACTS`) once, made at
    the full scale. Concatenating an extract's frames in the order yielded gives the whole extract.

    Parameters
    ----------
    options
        Seed, scale and months (defaults: seed 2016, scale 1, April 2011 to December 2016).
    reference_dir
        Folder with ``districts.csv`` and ``msg_forces.csv``.
    report
        If given, filled with what the calibration could not reach (differences from the targets);
        with several blocks, one entry ``"block <b>"`` per block.
    block_scale
        The largest scale generated at once (:data:`MAX_BLOCK_SCALE`; tests use smaller blocks).
    """
    opts = options or DemoOptions()
    report = {} if report is None else report
    scales = block_scales(opts.scale, block_scale)
    if len(scales) == 1:
        yield from _extracts(_Ctx(opts, reference_dir), report, records=True, summaries=True)
        return
    first_id: dict[str, int] = {}
    for b, k in enumerate(scales):
        block = DemoOptions(block_seed(opts.seed, b), k, opts.start, opts.end)
        ctx = _Ctx(block, reference_dir, first_id=first_id)
        residuals: dict = {}
        yield from _extracts(ctx, residuals, records=True, summaries=False)
        report[f"block {b}"] = residuals
        first_id.update(ctx.last_id)  # the next block numbers its ids after these
        del ctx
    yield from _extracts(_Ctx(opts, reference_dir), report, records=False, summaries=True)


def generate_frames(options: DemoOptions | None = None, **kwargs) -> dict[str, pd.DataFrame]:
    """All extracts in memory (small ranges and tests); :func:`write_demo` writes them one at a time.

    An extract made in several blocks is their frames concatenated.
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    for name, frame in generate(options, **kwargs):
        parts.setdefault(name, []).append(frame)
    return {
        name: parts[name][0] if len(parts[name]) == 1 else pd.concat(parts[name], ignore_index=True)
        for name in EXTRACTS
        if name in parts
    }


def write_demo(
    out: str | os.PathLike,
    options: DemoOptions | None = None,
    *,
    quiet: bool = True,
    block_scale: int = MAX_BLOCK_SCALE,
) -> dict:
    """Write every extract as Parquet into ``out`` and the ``.complete`` marker last.

    The files are written into a temporary folder beside ``out`` which replaces ``out`` only when
    complete, so a reader never sees a half-written folder as complete. An extract made in blocks
    (scales above ``block_scale``) is appended to its file block after block, so memory holds one
    block at a time.

    Returns
    -------
    dict
        The marker's content: seed, scale, months, rows per extract, calibration residuals, and
        with several blocks each block's seed and scale.
    """
    opts = options or DemoOptions()
    scales = block_scales(opts.scale, block_scale)
    dest = resolve_path(out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    rows: dict[str, int] = {}
    report: dict = {}
    t0 = time.perf_counter()
    try:
        writers: dict[str, pq.ParquetWriter] = {}
        try:
            for name, frame in generate(opts, report=report, block_scale=block_scale):
                # what DataFrame.to_parquet(index=False) writes, kept open for the next block
                table = pa.Table.from_pandas(frame, preserve_index=False)
                del frame
                if name not in writers:
                    writers[name] = pq.ParquetWriter(
                        tmp / f"{name}.parquet", table.schema, compression="snappy"
                    )
                writers[name].write_table(table)
                rows[name] = rows.get(name, 0) + table.num_rows
                if not quiet:
                    print(
                        f"  {name:18s} {table.num_rows:>10,} rows  "
                        f"{time.perf_counter() - t0:6.1f} s",
                        flush=True,
                    )
                del table
        finally:
            for writer in writers.values():
                writer.close()
        marker = {
            "generator": "helpers.demo",  # as earlier folders were marked
            "version": GENERATOR_VERSION,
            "seed": opts.seed,
            "scale": opts.scale,
            "start": opts.start,
            "end": opts.end,
            "rows": rows,
            "calibration_residuals": _jsonable(report),
        }
        if len(scales) > 1:
            marker["blocks"] = [
                {"seed": block_seed(opts.seed, b), "scale": k} for b, k in enumerate(scales)
            ]
        (tmp / COMPLETE_MARKER).write_text(
            json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        if dest.exists():
            dest.rename(old)
        tmp.rename(dest)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return marker


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def is_complete(folder: str | os.PathLike) -> bool:
    """True when ``folder`` holds a finished demo data set (its ``.complete`` marker exists)."""
    return (resolve_path(folder) / COMPLETE_MARKER).exists()


def main(argv: list[str] | None = None) -> int:
    """Run the command line: write the demo folder and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.sources.demo", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--out", default="data/demo", help="destination folder (default data/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--scale", type=int, default=1, help="multiply every volume by K (1, 4, 16, 64 …)"
    )
    parser.add_argument("--start", default=DEFAULT_START, help="first month, YYYY-MM")
    parser.add_argument("--end", default=DEFAULT_END, help="last month, YYYY-MM")
    parser.add_argument(
        "--block-scale",
        type=int,
        default=MAX_BLOCK_SCALE,
        help=f"largest scale made in memory at once; above it, blocks (default {MAX_BLOCK_SCALE})",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    marker = write_demo(
        args.out,
        DemoOptions(args.seed, args.scale, args.start, args.end),
        quiet=args.quiet,
        block_scale=args.block_scale,
    )
    total = sum(marker["rows"].values())
    print(
        f"wrote {resolve_path(args.out)}: {total:,} rows in {len(marker['rows'])} extracts "
        f"(seed {args.seed}, scale {args.scale}) in {time.perf_counter() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
