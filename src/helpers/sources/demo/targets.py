"""The demo force's calibration: windows, published targets, and the shapes (seasonality, district
factors, mixes, pools) the generated volumes follow."""

from __future__ import annotations

import numpy as np

from ...contract.extracts import OFFENCE_GROUPS, OUTCOME_TYPES

DEFAULT_SEED = 2016
DEFAULT_START = "2011-04"
DEFAULT_END = "2016-12"
HOME_FORCE = "Essex Police"
DAY_S = 86_400

# ------------------------------------------------------------------------------------ windows
#: Twelve-month windows. The four calibration windows are the published "last year" and "this year"
#: of the two reports; the others only anchor the trend between and beyond them. The two half years
#: (April–September of 2015 and 2016, the second halves of the rolling years) are the September
#: 2016 report's emergency-incidents table (:data:`HALF_YEAR_EMERGENCY_TARGETS`) and anchor no trend.
WINDOWS = {
    "fy1112": ("2011-04", "2012-03"),
    "fy1213": ("2012-04", "2013-03"),
    "fy1314": ("2013-04", "2014-03"),
    "fy1415": ("2014-04", "2015-03"),
    "r1509": ("2014-10", "2015-09"),
    "r1609": ("2015-10", "2016-09"),
    "fy1617": ("2016-04", "2017-03"),
    "h1509": ("2015-04", "2015-09"),
    "h1609": ("2016-04", "2016-09"),
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
#: Emergency incidents (count, % attended within standard) in April–September 2015 and 2016, the
#: force and its LPAs: the September 2016 report's table ("01/04/16 – 30/09/16 27,418 76.0% ...").
#: North 2016 is cut off in the report ("11,57"): 11,575. The LPAs do not add up to the force; the
#: rest (929 in 2015, 656 in 2016) are incidents whose district is not known (``Unassigned``).
#: Each half year is the second half of a rolling year (:data:`HALF_YEAR_OF`), whose attendance
#: rate (:data:`ATTENDANCE_TARGETS`) its first half (October–March) keeps exact.
HALF_YEAR_EMERGENCY_TARGETS = {
    "h1509": {
        "Force": (24793, 74.1),
        "North": (9886, 75.1),
        "South": (7551, 69.7),
        "West": (6427, 80.5),
    },
    "h1609": {
        "Force": (27418, 76.0),
        "North": (11575, 75.2),
        "South": (8233, 73.0),
        "West": (6954, 82.9),
    },
}
HALF_YEAR_OF = {"h1509": "r1509", "h1609": "r1609"}
#: Average emergency response minutes (urban, rural) by LPA in September 2015 and September 2016
#: (the September 2016 report's table; whole minutes).
RESPONSE_TIME_TARGETS = {
    "2015-09": {"South": (14, 21), "North": (12, 19), "West": (15, 18), "Force": (14, 19)},
    "2016-09": {"South": (16, 19), "North": (13, 15), "West": (13, 15), "Force": (14, 16)},
}
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
#: The successful ones to March 2014 are the March 2014 report's 41 "successful prosecutions by
#: guilty plea or found guilty" since November 2013 (of which 1 in March, its table's figure).
EVIDENCE_LED = {
    "2013-11": 11,
    "2013-12": 10,
    "2014-01": 11,
    "2014-02": 8,
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
#: The other victimless prosecutions (:mod:`.prosecutions`), finalised in the month they were
#: charged: month → result → cases. With the successful ones (:data:`EVIDENCE_LED`) and those
#: carried over (:data:`VICTIMLESS_CARRIED`), the March 2014 report's "since November 2013": 76
#: finalised cases, 41 successful, 33 dismissed or no evidence offered (2 finalised otherwise).
VICTIMLESS_FINALISED = {
    "2013-11": {"dismissed": 7},
    "2013-12": {"dismissed": 7, "other": 1},
    "2014-01": {"dismissed": 7},
    "2014-02": {"dismissed": 6, "other": 1},
    "2014-03": {"dismissed": 6},
    "2014-04": {"dismissed": 4},
    "2014-05": {"dismissed": 5},
    "2014-06": {"dismissed": 4, "other": 1},
    "2014-07": {"dismissed": 6},
    "2014-08": {"dismissed": 5},
    "2014-09": {"dismissed": 6},
    "2014-10": {"dismissed": 5, "other": 1},
    "2014-11": {"dismissed": 6},
    "2014-12": {"dismissed": 5},
}
#: Cases charged in one month and finalised in a later one: (charged, finalised) → result → cases.
#: They are the cases pending at a month's end: 15 at the end of March 2014, as published.
VICTIMLESS_CARRIED = {
    ("2014-01", "2014-04"): {"dismissed": 3},
    ("2014-02", "2014-05"): {"dismissed": 4, "other": 1},
    ("2014-03", "2014-06"): {"dismissed": 6, "other": 1},
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
#: Rural crime, the September 2016 report: "rural crime made up 27% of total offences. Thurrock
#: ... 22.6% of all rural crime ... The rural crime solved rate rose slightly to 17.8% from
#: 16.8%" (the rolling years to September 2016 and 2015).
RURAL_TARGETS = {"r1509": dict(solved=16.8), "r1609": dict(solved=17.8, thurrock=22.6)}
#: Domestic-abuse risk levels (standard, medium, high): shares and solved-rate factors (March 2014
#: report: 36.3%, 41.4% and 57.5%).
DA_RISK_SHARE = (0.42, 0.31, 0.27)
#: Domestic-abuse solved rates by risk level (standard, medium, high), financial year: the March
#: 2014 report ("from 56.7% to 57.5%" for high risk, 41.7 → 41.4 medium, 36.5 → 36.3 standard).
DA_RISK_SOLVED_TARGETS = {"fy1213": (36.5, 41.7, 56.7), "fy1314": (36.3, 41.4, 57.5)}
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

# ------------------------------------------------------------------------------------ February 2014
#: The months before the March 2014 report's: its "since last month" compares the Better/Worse
#: change of each financial-year-to-date window with that of February (Apr–Feb of each year).
FEBRUARY_WINDOWS = {"fy1213": ("2012-04", "2013-02"), "fy1314": ("2013-04", "2014-02")}
#: The March 2014 report's since-last-month figures (``Worsened (4.0% pt.)`` for KSI: 4.0), which
#: the product makes as the difference of the two months' *unrounded* changes, rounded once
#: (:func:`helpers.analysis.compare.year_on_year_change_since_last_month`): the whole financial
#: year's unrounded change (exact already: its totals are calibrated) minus that of April–February
#: (Apr 2013 – Feb 2014 against Apr 2012 – Feb 2013), which the February calibration chooses.
#: Points of % change for counts, points for rates; the re-offending cohorts and the
#: public-confidence survey compare their own previous month (the August cohorts, the 12 months to
#: June). Young car drivers KSI, 104 → 134 (+28.846 %) and "Improved (-21.7% pt.)": February's
#: change between 50.4962 % and 50.5961 % (50.562 %, 89 → 134, prints 50.6: the difference of the
#: printed changes, -21.8, is not what the report prints).
SINCE_LAST_MONTH = {
    "all_crime": 0.5,
    "victim_based": 0.5,
    "nte_crimes": -0.3,
    "class_a_charges": 12.2,
    "asb_incidents": -0.4,
    "repeat_victims": 0.6,
    "repeat_victims_business": 0.7,
    "solved": 0.02,
    "da_solved": 0.0,
    "calls_999": -0.5,
    "q_contact": -0.2,
    "q_actions": -0.4,
    "q_follow_up": -0.3,
    "q_treatment": 0.3,
    "q_overall": -0.2,
    "ksi_all": 4.0,
    "fatal": -11.9,
    "serious": 5.1,
    "collisions": 3.2,
    "p2w": 1.4,
    "young": -21.7,
    "pedestrians": -2.9,
    "cyclists": 0.3,
    "children": 7.3,
    "drink": -22.1,
    "dealing_with_crime_asb": 0.5,
    "police_good_job": 1.7,
}
#: The re-offending cohorts of August (the February 2014 report's month, six months before),
#: chosen near the generated ones so that, against the September cohorts of
#: :data:`COHORT_TARGETS`, the unrounded changes give the March 2014 report's labels: youth
#: offenders -3.313 % (13.559 % in March: "Worsened (16.9% pt.)"), youth re-offenders -3.371 %
#: (2.273 %: 5.6), the youth re-offending rate -0.016 points (-2.965: "Improved (-2.9% pt.)"),
#: adult offenders +0.592 %, adult re-offenders +3.077 % (rate +0.634 points), domestic-abuse
#: re-offenders -4.444 %.
FEBRUARY_COHORT_TARGETS = {
    "2012-08": dict(youth=332, adult=1520, youth_re=89, adult_re=390, da_re=45),
    "2013-08": dict(youth=321, adult=1529, youth_re=86, adult_re=402, da_re=43),
}
#: The public-confidence survey periods the February 2014 report reads (12 months to June, the
#: last quarter published by the six months before February), last year and this year.
FEBRUARY_CSEW_PERIODS = ("2012-06", "2013-06")
#: The periods the March 2014 report reads (12 months to September), whose change the labels
#: compare with February's.
MARCH_CSEW_PERIODS = ("2012-09", "2013-09")
