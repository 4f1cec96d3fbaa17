"""The values the extracts' columns may hold: the categories (offence groups, outcomes, risk
levels, survey answers, road users, workforce groups) and the range of dates accepted."""

from __future__ import annotations

OFFENCE_GROUPS = (
    "Violence against the person",
    "Sexual offences",
    "Robbery",
    "Burglary",
    "Vehicle offences",
    "Theft",
    "Shoplifting",
    "Criminal damage and arson",
    "Drug offences",
    "Possession of weapons",
    "Public order offences",
    "Miscellaneous crimes against society",
)
#: Offence groups that have a direct victim (Home Office "victim-based crime").
VICTIM_BASED_GROUPS = OFFENCE_GROUPS[:8]

#: Outcome types; the first eight are "solved" (a sanction or other positive outcome),
#: matching the March 2014 report's "Breakdown of Offence Disposals".
SOLVED_OUTCOMES = (
    "charge_summons",
    "caution",
    "tic_previously_recorded",
    "tic_not_previously_recorded",
    "penalty_notice",
    "cannabis_warning",
    "detected_no_proceedings",
    "community_resolution",
)
UNSOLVED_OUTCOMES = (
    "no_suspect_identified",
    "evidential_difficulties",
    "victim_declined_support",
    "not_in_public_interest",
    "transferred_to_other_body",
)
OUTCOME_TYPES = SOLVED_OUTCOMES + UNSOLVED_OUTCOMES
OUTCOME_LABELS = {
    "charge_summons": "Charge",
    "caution": "Caution (including reprimands and warnings)",
    "tic_previously_recorded": "TIC Previously Recorded",
    "tic_not_previously_recorded": "TIC Not Previously Recorded",
    "penalty_notice": "Penalty notices",
    "cannabis_warning": "'Street Warnings' for cannabis",
    "detected_no_proceedings": "Detected, no proceedings (DNP)",
    "community_resolution": "Restorative (community resolution)",
    "no_suspect_identified": "Investigation complete, no suspect identified",
    "evidential_difficulties": "Evidential difficulties",
    "victim_declined_support": "Victim does not support action",
    "not_in_public_interest": "Not in the public interest",
    "transferred_to_other_body": "Transferred to another body",
}
DA_RISK_LEVELS = ("standard", "medium", "high")
#: How a victimless (evidence-led) domestic-abuse prosecution was finalised: a guilty plea or a
#: finding of guilt; dismissed or no evidence offered; another way (discontinued, left on file …).
VICTIMLESS_RESULTS = ("successful", "dismissed", "other")
SATISFACTION_ANSWERS = ("satisfied", "neither", "dissatisfied")
SATISFACTION_QUESTIONS = {
    "q_contact": "Making contact with the police",
    "q_actions": "Action taken by the police",
    "q_follow_up": "Being kept informed of progress",
    "q_treatment": "Their treatment by staff",
    "q_overall": "The overall service provided",
}
ROAD_USERS = (
    "pedestrian",
    "pedal_cyclist",
    "powered_two_wheeler",
    "car_driver",
    "car_passenger",
    "other_vehicle_occupant",
)
WORKFORCE_GROUPS = ("officer", "staff", "pcso")

#: Every date, date-time and month column: a value before this is refused (no extract of these
#: workbooks reaches back further; an older date is a typing or conversion slip, such as 1900).
EARLIEST_DATE = "2000-01-01"
#: ... and a value after the extract's own date is refused: the file's modification time (a file
#: cannot record events after it was written), or now if the file claims to be from the future.
#: The file's time is the machine's clock while the records hold local times without a zone, so
#: values up to this many hours past it are accepted.
LATEST_DATE_GRACE_HOURS = 24
DATE_RANGE_NOTE = (
    f"Every date, date-time and month must lie between {EARLIEST_DATE} and the extract's own "
    "date: the file's modification time (a file cannot record events after it was written), or "
    "today if that is earlier; values up to "
    f"{LATEST_DATE_GRACE_HOURS} hours past it are accepted for time zones."
)
