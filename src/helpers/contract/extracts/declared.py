"""Every extract of the contract, declared once (:data:`EXTRACTS`), with the sane maxima of
counts and amounts and the columns a source may not record."""

from __future__ import annotations

from .schema import Column, Extract, MaxDelay, MaxPer, RowRule
from .values import (
    DA_RISK_LEVELS,
    OFFENCE_GROUPS,
    OUTCOME_TYPES,
    ROAD_USERS,
    SATISFACTION_ANSWERS,
    SATISFACTION_QUESTIONS,
    SOLVED_OUTCOMES,
    VICTIMLESS_RESULTS,
    WORKFORCE_GROUPS,
)

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
        "Local authority district the record belongs to, as in `districts.csv` of the force's profile; "
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
                    label="domestic-abuse flag",
                ),
                Column(
                    "da_risk_level",
                    "category",
                    "DASH risk level of a domestic-abuse crime; empty otherwise (a month with no risk level on any crime: not recorded).",
                    DA_RISK_LEVELS,
                    nullable=True,
                    label="domestic-abuse risk level",
                ),
                _unrecorded(
                    "night_time_economy",
                    "bool",
                    "Flagged as night-time economy related.",
                    label="night-time economy flag",
                ),
                _unrecorded(
                    "rural",
                    "bool",
                    "Committed in a rural location (ONS rural-urban classification).",
                    label="rural flag",
                ),
                _unrecorded(
                    "business", "bool", "The victim is a business.", label="business-victim flag"
                ),
                _unrecorded(
                    "class_a_supply",
                    "bool",
                    "Drug offence of supplying or intending to supply a Class A drug.",
                    label="Class A supply flag",
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
                    label="evidence-led prosecution flag",
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
                    "1 = emergency, 2 = priority, 3 = scheduled, 4 = resolved without deployment. "
                    "Every emergency is 1, urban or rural (`urban_rural` sets its standard): a "
                    "force whose system grades rural emergencies 2 (grade 1 urban, grade 2 "
                    "rural) gives those 1 in the extract.",
                    label="incident grade",
                    minimum=1,
                    maximum=4,
                ),
                _unrecorded(
                    "urban_rural",
                    "category",
                    "Location classification used for the attendance standard.",
                    ("urban", "rural"),
                    label="urban or rural location",
                ),
                _district(),
                _unrecorded(
                    "domestic_abuse",
                    "bool",
                    "Closing qualifier: domestic abuse.",
                    label="domestic-abuse flag",
                ),
                _unrecorded(
                    "asb",
                    "bool",
                    "Closing qualifier: anti-social behaviour.",
                    label="anti-social behaviour flag",
                ),
                _unrecorded(
                    "alcohol",
                    "bool",
                    "Closing qualifier: alcohol related.",
                    label="alcohol flag",
                ),
                _unrecorded(
                    "drugs", "bool", "Closing qualifier: drug related.", label="drugs flag"
                ),
                _unrecorded(
                    "mental_health",
                    "bool",
                    "Closing qualifier: mental-health related.",
                    label="mental-health flag",
                ),
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
                Column(
                    "force", "str", "Force name, as in `msg_forces.csv` of the force's profile."
                ),
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
                Column(
                    "force",
                    "str",
                    "Peer force name, as in `msg_forces.csv` of the force's profile.",
                ),
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
        Extract(
            "victimless_prosecutions",
            "Victimless prosecutions",
            "One row per domestic-abuse prosecution taken forward without the victim's evidence "
            "(victimless or evidence-led), from the day it was charged, as the force monitors them "
            "with the Crown Prosecution Service and the courts.",
            (
                Column("case_id", "str", "Case reference (unique)."),
                Column(
                    "crime_id",
                    "str",
                    "Crime reference number of the crime prosecuted, as in `crimes`.",
                    references="crimes.crime_id",
                ),
                Column("charged_date", "date", "Date the suspect was charged: the case begins."),
                Column(
                    "finalised_date",
                    "date",
                    "Date the case was finalised at court; empty while it is pending.",
                    nullable=True,
                ),
                Column(
                    "result",
                    "category",
                    "How the case was finalised: `successful` (a guilty plea or found guilty), "
                    "`dismissed` (dismissed or no evidence offered) or `other` (finalised another "
                    "way: discontinued, left on file); empty while it is pending.",
                    VICTIMLESS_RESULTS,
                    nullable=True,
                ),
                _district(),
            ),
            unique=("case_id",),
            date_column="charged_date",
            areas=(1,),
            rules=(
                RowRule(
                    "finalised_date",
                    ("charged_date", "finalised_date"),
                    "have a finalised date before the charged date",
                    "finalised_date < charged_date",
                ),
                RowRule(
                    "result",
                    ("finalised_date", "result"),
                    "have a result without a finalised date, or a finalised date without a result",
                    "(result IS NULL) <> (finalised_date IS NULL)",
                ),
            ),
            notes=(
                "A case is *pending* at the end of a month when it was charged by then and not "
                "finalised by then (`finalised_date` empty or later).",
                "Every `crime_id` must exist in `crimes` (when both files are present).",
            ),
        ),
    )
}
