"""The data contract: the record-level extracts the workbooks read, column by column.

This module is the single declaration of every extract. ``loading`` validates against it,
``demo`` and ``police_uk`` write to it, and ``data/README.md`` is generated from it
(``python -m helpers.contract.extracts --markdown``; a test checks the README is current).

Column types:

- ``str``: text identifier or code; ``category``: one of ``allowed``;
- ``date``: a calendar date (``YYYY-MM-DD`` in CSV); ``datetime``: a timestamp (``YYYY-MM-DD HH:MM:SS``);
- ``month``: a month (``YYYY-MM``), stored as the first day of the month;
- ``int``, ``float``: numbers; ``bool``: true/false (CSV: ``true``/``false``/``1``/``0``).

Not recorded by the source
--------------------------
A column with ``empty_is_unrecorded`` (the flags of ``crimes`` and ``incidents``, the incident
``grade`` and ``urban_rural``) may be left empty by a source that does not record it, as the public
data.police.uk files do not record domestic abuse. Empty then means *unknown*, never *no*: a month
in which the column is empty on every row has no value for the measures that read it (N/A with the
reason "domestic_abuse is not recorded in crimes for Nov 2014", never 0). An empty cell in a month
where other rows have a value counts as not flagged (``false``; for ``grade`` and ``urban_rural``:
none of the values), and the load report counts those cells per column.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

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


def format_number(value: float) -> str:
    """Render a bound for a person: ``10``, ``3,600``, ``10,000,000``, ``0.5``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"


def format_duration(hours: float) -> str:
    """``24 hours``, ``7 days``: whole days from two days up, hours below."""
    if hours >= 48 and hours % 24 == 0:
        return f"{format_number(hours / 24)} days"
    return f"{format_number(hours)} hour" + ("" if hours == 1 else "s")


@dataclass(frozen=True)
class MaxDelay:
    """A plausible delay: the column is at most ``hours`` after column ``after`` of the same row.

    With ``when`` = ``(column, value)``, only rows where that column holds that value are checked
    (an emergency incident attended more than a day after it was opened is a data error; a
    scheduled appointment weeks later is not). In SQL: ``column > after + INTERVAL hours HOUR``
    (``AND when_column = value``) selects the rows refused.
    """

    after: str
    hours: float
    when: tuple[str, int | str] | None = None

    def describe(self) -> str:
        where = f" where `{self.when[0]}` is {self.when[1]}" if self.when else ""
        return f"at most {format_duration(self.hours)} after `{self.after}`{where}"


@dataclass(frozen=True)
class MaxPer:
    """A plausible ratio: the column is at most ``maximum`` for each unit of column ``per``.

    ``total_wait_seconds`` at most 3,600 per ``calls_answered``: an average wait of over an hour
    is a unit or summing error. In SQL: ``column > maximum * per`` selects the rows refused.
    """

    per: str
    maximum: float

    def describe(self) -> str:
        return f"at most {format_number(self.maximum)} per `{self.per}`"


@dataclass(frozen=True)
class Column:
    """One column of an extract."""

    name: str
    type: str
    meaning: str
    allowed: tuple[str, ...] | None = None
    nullable: bool = False
    #: For ``int``/``float``: the smallest and largest sensible values.
    minimum: float | None = None
    maximum: float | None = None
    #: Empty means "not recorded by the source" (not "no"): a month where every row is empty
    #: leaves the measures that read the column N/A. Requires ``nullable``.
    empty_is_unrecorded: bool = False
    #: Plausible bounds relative to another column of the same row (:class:`MaxDelay` for dates,
    #: :class:`MaxPer` for numbers); the loader refuses the rows beyond them.
    limits: tuple[MaxDelay | MaxPer, ...] = ()
    #: ``extract.column`` every value must exist in (when both files are present).
    references: str | None = None


@dataclass(frozen=True)
class RowRule:
    """A rule between the columns of one row, checked by the loader once those columns are valid."""

    #: The column a row breaking the rule is reported under.
    column: str
    #: The columns shown for an example row.
    shown: tuple[str, ...]
    #: What is wrong, as a plural predicate: "have an outcome date before the recorded date".
    what: str
    #: SQL (DuckDB) over the row's columns, true for a row that *breaks* the rule.
    broken: str


@dataclass(frozen=True)
class Extract:
    """One record-level (or, where noted, aggregated) extract."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    #: Column whose values must be unique (a record id), if any.
    unique: tuple[str, ...] = ()
    #: Column holding the date that places a row in a month (for coverage and windows).
    date_column: str | None = None
    #: Column that must hold a known district (checked against the reference table).
    district_column: str | None = "district"
    #: Areas of the report (1–8) that need this extract.
    areas: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Rules between columns of a row (an outcome before the crime was recorded, …).
    rules: tuple[RowRule, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


#: Sane maxima for counts and amounts: far above any force (the demo at scale 64, a national
#: dataset, stays well inside them), far below a unit slip or a corrupted cell.
MAX_CALLS = 10_000_000  # calls on one line in one interval (England and Wales: ~30 million 999 calls a year)
MAX_RESPONDENTS = 10_000_000  # survey respondents to one question in one period
MAX_POPULATION = 100_000_000  # a population, or a count of crimes or responses
MAX_STRENGTH_FTE = 1_000_000  # full-time-equivalent strength of one workforce group
MAX_GBP = 100_000_000_000  # £100 bn: a savings figure of one force


def _unrecorded(name: str, type_: str, meaning: str, allowed=None, **kw) -> Column:
    """A column a source may not record: empty = not recorded (see the module docstring)."""
    return Column(
        name,
        type_,
        meaning + " Empty = not recorded by the source.",
        allowed,
        nullable=True,
        empty_is_unrecorded=True,
        **kw,
    )


UNRECORDED_NOTE = (
    "A column whose meaning says *Empty = not recorded by the source* may be left empty by a "
    "source that does not record it: a month in which such a column is empty on every row has no value (N/A, never 0) for "
    "the measures that read it. An empty cell in a month where other rows have a value counts as "
    "not flagged, and the load report counts it."
)


def _district(nullable: bool = False) -> Column:
    return Column(
        "district",
        "category",
        "Local authority district the record belongs to, as in `data/reference/districts.csv`; "
        "`Unassigned` where the source could not place it (kept and counted, never dropped).",
        nullable=nullable,
    )


EXTRACTS: dict[str, Extract] = {
    e.name: e
    for e in (
        Extract(
            "crimes",
            "Recorded crimes",
            "One row per notifiable crime recorded by the force (Home Office Counting Rules).",
            (
                Column("crime_id", "str", "Crime reference number; unique."),
                Column("recorded_date", "date", "Date the crime was recorded."),
                Column("offence_group", "category", "Home Office offence group.", OFFENCE_GROUPS),
                Column(
                    "victim_based",
                    "bool",
                    "True for victim-based crime (the first eight offence groups).",
                ),
                _district(),
                _unrecorded(
                    "domestic_abuse",
                    "bool",
                    "Flagged as domestic abuse (national definition from April 2013).",
                ),
                Column(
                    "da_risk_level",
                    "category",
                    "DASH risk level of a domestic-abuse crime; empty otherwise (a month with no risk level on any crime: not recorded).",
                    DA_RISK_LEVELS,
                    nullable=True,
                ),
                _unrecorded("night_time_economy", "bool", "Flagged as night-time economy related."),
                _unrecorded(
                    "rural",
                    "bool",
                    "Committed in a rural location (ONS rural-urban classification).",
                ),
                _unrecorded("business", "bool", "The victim is a business."),
                _unrecorded(
                    "class_a_supply",
                    "bool",
                    "Drug offence of supplying or intending to supply a Class A drug.",
                ),
                Column(
                    "victim_id",
                    "str",
                    "Pseudonymous id of the victim (person or business); empty for crimes without a direct victim (a month with no victim id on any crime: not recorded, repeat-victim measures N/A).",
                    nullable=True,
                ),
                Column(
                    "outcome_type",
                    "category",
                    "Latest outcome; empty while under investigation.",
                    OUTCOME_TYPES,
                    nullable=True,
                ),
                Column(
                    "outcome_date",
                    "date",
                    "Date the outcome was recorded; empty while under investigation.",
                    nullable=True,
                ),
                _unrecorded(
                    "evidence_led_prosecution",
                    "bool",
                    "Domestic abuse: a successful prosecution that went ahead without the victim's evidence.",
                ),
            ),
            unique=("crime_id",),
            date_column="recorded_date",
            areas=(1, 3, 4, 6),
            rules=(
                RowRule(
                    "outcome_date",
                    ("recorded_date", "outcome_date"),
                    "have an outcome date before the recorded date",
                    "outcome_date < recorded_date",
                ),
                RowRule(
                    "outcome_date",
                    ("outcome_type", "outcome_date"),
                    "have only one of outcome_type and outcome_date (both or neither)",
                    "(outcome_type IS NULL) <> (outcome_date IS NULL)",
                ),
            ),
            notes=(
                "Solved: `outcome_type` is one of "
                + ", ".join(f"`{o}`" for o in SOLVED_OUTCOMES)
                + ".",
                "`outcome_date` is on or after `recorded_date`.",
                UNRECORDED_NOTE,
            ),
        ),
        Extract(
            "crime_offenders",
            "Crime–offender links",
            "One row per offender identified for a crime (a crime may have several offenders).",
            (
                Column(
                    "crime_id",
                    "str",
                    "Crime reference number, as in `crimes`.",
                    references="crimes.crime_id",
                ),
                Column(
                    "offender_id", "str", "Pseudonymous id of the offender (stable across crimes)."
                ),
                Column(
                    "age_at_offence",
                    "int",
                    "Offender's age in years on the date of the offence.",
                    minimum=10,
                    maximum=110,
                ),
            ),
            unique=("crime_id", "offender_id"),
            date_column=None,
            district_column=None,
            areas=(1, 3),
            notes=(
                "Every `crime_id` must exist in `crimes`.",
                "A month of `crimes` none of whose crimes has an offender here counts as not "
                "recorded: its re-offending measures read N/A, never 0.",
            ),
        ),
        Extract(
            "incidents",
            "Incidents (command and control)",
            "One row per incident logged by the Force Control Room.",
            (
                Column("incident_id", "str", "Incident reference; unique."),
                Column("opened_at", "datetime", "When the incident was created."),
                Column(
                    "arrived_at",
                    "datetime",
                    "When the first officer arrived; empty if not attended.",
                    nullable=True,
                    # The demo's longest waits (scale 1): grade 1 under 8 hours, grade 2 under
                    # 32 hours, a scheduled (grade 3) visit 136 days: these keep every real one
                    # and refuse an arrival years late, which would swamp a month's average.
                    limits=(
                        MaxDelay("opened_at", 24, when=("grade", 1)),
                        MaxDelay("opened_at", 7 * 24, when=("grade", 2)),
                        MaxDelay("opened_at", 2 * 365 * 24),
                    ),
                ),
                _unrecorded(
                    "grade",
                    "int",
                    "1 = emergency, 2 = priority, 3 = scheduled, 4 = resolved without deployment.",
                    minimum=1,
                    maximum=4,
                ),
                _unrecorded(
                    "urban_rural",
                    "category",
                    "Location classification used for the attendance standard.",
                    ("urban", "rural"),
                ),
                _district(),
                _unrecorded("domestic_abuse", "bool", "Closing qualifier: domestic abuse."),
                _unrecorded("asb", "bool", "Closing qualifier: anti-social behaviour."),
                _unrecorded("alcohol", "bool", "Closing qualifier: alcohol related."),
                _unrecorded("drugs", "bool", "Closing qualifier: drug related."),
                _unrecorded("mental_health", "bool", "Closing qualifier: mental-health related."),
                Column(
                    "victim_id",
                    "str",
                    "Pseudonymous id of the person at risk (domestic abuse); empty otherwise (a month with no victim id on any incident: not recorded, repeat measures N/A).",
                    nullable=True,
                ),
            ),
            unique=("incident_id",),
            date_column="opened_at",
            areas=(1, 2, 4, 6),
            rules=(
                RowRule(
                    "arrived_at",
                    ("opened_at", "arrived_at"),
                    "have an arrival before the incident was opened",
                    "arrived_at < opened_at",
                ),
            ),
            notes=(
                "Emergency attendance standard: arrived within 15 minutes (urban) or 20 minutes (rural) of `opened_at`.",
                UNRECORDED_NOTE,
            ),
        ),
        Extract(
            "calls",
            "Call handling",
            "One row per day and line: calls offered and answered on the 999 and the non-emergency (switchboard) lines.",
            (
                Column(
                    "interval_start",
                    "datetime",
                    "Start of the interval (a day in the demo data; 15-minute intervals work too).",
                ),
                Column("line", "category", "Which line.", ("999", "non_emergency")),
                Column(
                    "calls_offered",
                    "int",
                    "Calls presented to the line.",
                    minimum=0,
                    maximum=MAX_CALLS,
                ),
                Column("calls_answered", "int", "Calls answered.", minimum=0, maximum=MAX_CALLS),
                Column(
                    "answered_within_standard",
                    "int",
                    "Calls answered within the standard (999: 10 seconds).",
                    minimum=0,
                    maximum=MAX_CALLS,
                ),
                Column(
                    "total_wait_seconds",
                    "float",
                    "Sum of the waiting times of answered calls, in seconds.",
                    minimum=0,
                    # an average wait over an hour is a unit slip (milliseconds) or a bad sum
                    limits=(MaxPer("calls_answered", 3600),),
                ),
            ),
            unique=("interval_start", "line"),
            date_column="interval_start",
            district_column=None,
            areas=(2,),
            rules=(
                RowRule(
                    "calls_answered",
                    ("calls_offered", "calls_answered"),
                    "answer more calls than were offered",
                    "calls_answered > calls_offered",
                ),
                RowRule(
                    "answered_within_standard",
                    ("calls_answered", "answered_within_standard"),
                    "answer more calls within the standard than were answered",
                    "answered_within_standard > calls_answered",
                ),
            ),
        ),
        Extract(
            "satisfaction",
            "Victim satisfaction survey",
            "One row per survey response (Home Office user-satisfaction survey of burglary, vehicle-crime and violent-crime victims).",
            (
                Column("response_id", "str", "Response id; unique."),
                Column(
                    "survey_date", "date", "Date of the interview (places the response in a month)."
                ),
                Column(
                    "crime_group",
                    "category",
                    "What the respondent was a victim of.",
                    ("burglary", "vehicle", "violence"),
                ),
                Column(
                    "ethnicity_group",
                    "category",
                    "Self-described ethnicity, grouped.",
                    ("White", "BME", "Not stated"),
                ),
                _district(),
                *(
                    Column(
                        q,
                        "category",
                        f"Satisfaction with: {label}.",
                        SATISFACTION_ANSWERS,
                        nullable=True,
                    )
                    for q, label in SATISFACTION_QUESTIONS.items()
                ),
            ),
            unique=("response_id",),
            date_column="survey_date",
            areas=(2,),
            notes=(
                "Satisfied = completely, very or fairly satisfied; the rate is satisfied / all answers to that question (empty answers excluded).",
            ),
        ),
        Extract(
            "confidence_survey",
            "Public confidence (Crime Survey for England and Wales)",
            "Aggregated: one row per force, question and 12-month survey period (the force and its Most Similar Group).",
            (
                Column("period_end", "month", "Last month of the 12-month survey period."),
                Column("force", "str", "Force name, as in `data/reference/msg_forces.csv`."),
                Column(
                    "question",
                    "category",
                    "Survey question.",
                    ("dealing_with_crime_asb", "police_good_job"),
                ),
                Column(
                    "respondents",
                    "int",
                    "Respondents answering the question.",
                    minimum=1,
                    maximum=MAX_RESPONDENTS,
                ),
                Column(
                    "agreeing",
                    "int",
                    "Respondents agreeing.",
                    minimum=0,
                    maximum=MAX_RESPONDENTS,
                ),
            ),
            unique=("period_end", "force", "question"),
            date_column="period_end",
            district_column=None,
            areas=(6,),
            rules=(
                RowRule(
                    "agreeing",
                    ("respondents", "agreeing"),
                    "have more respondents agreeing than answering",
                    "agreeing > respondents",
                ),
            ),
        ),
        Extract(
            "msg_peers",
            "Most Similar Group peer figures",
            "Aggregated: one row per peer force, month and measure (numerator and denominator), for MSG ranking.",
            (
                Column("month", "month", "The month."),
                Column("force", "str", "Peer force name, as in `data/reference/msg_forces.csv`."),
                Column(
                    "measure_id",
                    "str",
                    "Measure id from the catalog (e.g. `all_crime`, `victim_based_crime`, `satisfaction_overall`).",
                ),
                Column(
                    "numerator",
                    "float",
                    "Count (crimes) or satisfied responses.",
                    minimum=0,
                    maximum=MAX_POPULATION,
                ),
                Column(
                    "denominator",
                    "float",
                    "Population (for per-1,000 rates) or responses; empty for plain counts.",
                    nullable=True,
                    minimum=0,
                    maximum=MAX_POPULATION,
                ),
            ),
            unique=("month", "force", "measure_id"),
            date_column="month",
            district_column=None,
            areas=(2, 6),
        ),
        Extract(
            "collisions",
            "Road collisions",
            "One row per injury road collision (STATS19).",
            (
                Column("collision_id", "str", "Collision reference; unique."),
                Column("collision_date", "date", "Date of the collision."),
                _district(),
            ),
            unique=("collision_id",),
            date_column="collision_date",
            areas=(5,),
        ),
        Extract(
            "casualties",
            "Road casualties",
            "One row per casualty of an injury road collision.",
            (
                Column("casualty_id", "str", "Casualty reference; unique."),
                Column(
                    "collision_id",
                    "str",
                    "The collision, as in `collisions`.",
                    references="collisions.collision_id",
                ),
                Column("severity", "category", "Injury severity.", ("fatal", "serious", "slight")),
                Column("road_user", "category", "Casualty's road-user type.", ROAD_USERS),
                Column(
                    "age",
                    "int",
                    "Age in years; empty if unknown.",
                    nullable=True,
                    minimum=0,
                    maximum=110,
                ),
                Column(
                    "impairment",
                    "category",
                    "For drivers and riders: impaired by drink or drugs (from the contributory factors); empty otherwise.",
                    ("drink", "drugs"),
                    nullable=True,
                ),
            ),
            unique=("casualty_id",),
            date_column=None,
            district_column=None,
            areas=(5,),
            notes=("KSI = killed or seriously injured (`severity` fatal or serious).",),
        ),
        Extract(
            "drug_tests",
            "Drug tests on arrest",
            "One row per drug test on arrest. Months without tests entered are absent (reported as not available, never zero).",
            (
                Column("test_id", "str", "Test id; unique."),
                Column("test_date", "date", "Date of the test."),
                _district(),
                Column("positive", "bool", "Positive for cocaine, opiates or both."),
            ),
            unique=("test_id",),
            date_column="test_date",
            areas=(4,),
        ),
        Extract(
            "workforce",
            "Workforce strength and absence",
            "Aggregated: one row per month and workforce group.",
            (
                Column("month", "month", "The month."),
                Column(
                    "group", "category", "Workforce group (staff excludes PCSOs).", WORKFORCE_GROUPS
                ),
                Column(
                    "strength_fte",
                    "float",
                    "Full-time-equivalent strength at month end.",
                    minimum=0,
                    maximum=MAX_STRENGTH_FTE,
                ),
                Column(
                    "days_lost",
                    "float",
                    "Working days lost to sickness absence in the month.",
                    minimum=0,
                    # no one loses more days in a month than the month has
                    limits=(MaxPer("strength_fte", 31),),
                ),
            ),
            unique=("month", "group"),
            date_column="month",
            district_column=None,
            areas=(8,),
        ),
        Extract(
            "savings",
            "Savings plan and delivery",
            "Aggregated: one row per month: the financial year's savings requirement, the plan to date and the savings delivered to date.",
            (
                Column("month", "month", "The month."),
                Column(
                    "requirement_gbp",
                    "float",
                    "Savings required in the financial year, £.",
                    minimum=0,
                    maximum=MAX_GBP,
                ),
                Column(
                    "planned_to_date_gbp",
                    "float",
                    "Savings planned by the end of the month (cumulative in the year), £.",
                    minimum=0,
                    maximum=MAX_GBP,
                ),
                Column(
                    "delivered_to_date_gbp",
                    "float",
                    "Savings delivered by the end of the month (cumulative in the year), £.",
                    minimum=0,
                    maximum=MAX_GBP,
                ),
            ),
            unique=("month",),
            date_column="month",
            district_column=None,
            areas=(7,),
        ),
    )
}


def _value_range(c: Column) -> str:
    """Render a column's bounds: ``10 to 110``, ``≥ 0``, ``≤ 4``, or the dates a column accepts."""
    if c.type in ("date", "datetime", "month"):
        text = f"{EARLIEST_DATE} to the file's date"
    elif c.minimum is not None and c.maximum is not None:
        text = f"{format_number(c.minimum)} to {format_number(c.maximum)}"
    elif c.minimum is not None:
        text = f"≥ {format_number(c.minimum)}"
    elif c.maximum is not None:
        text = f"≤ {format_number(c.maximum)}"
    else:
        text = ""
    return "; ".join(t for t in (text, *(limit.describe() for limit in c.limits)) if t)


def markdown() -> str:
    """Render the contract as the body of ``data/README.md``."""
    lines: list[str] = [f"{DATE_RANGE_NOTE}", ""]
    for e in EXTRACTS.values():
        lines += [f"### `{e.name}` — {e.title}", "", e.description, ""]
        file_hint = f"File: `{e.name}.parquet` or `{e.name}.csv`."
        if e.unique:
            file_hint += " Unique: " + " + ".join(f"`{u}`" for u in e.unique) + "."
        if e.date_column:
            file_hint += f" Month of a row: `{e.date_column}`."
        lines += [
            file_hint,
            "",
            "| column | type | meaning | allowed values |",
            "|---|---|---|---|",
        ]
        for c in e.columns:
            allowed = ", ".join(f"`{a}`" for a in c.allowed) if c.allowed else _value_range(c)
            if c.nullable:
                allowed = (allowed + "; " if allowed else "") + "may be empty"
            lines.append(f"| `{c.name}` | {c.type} | {c.meaning} | {allowed} |")
        if e.notes:
            lines += ["", *(f"- {note}" for note in e.notes)]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a small CLI
    if "--markdown" in sys.argv:
        print(markdown())
