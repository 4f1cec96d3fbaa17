"""The data.police.uk street file as the importer sees it: its columns, the mappings of its crime
types and outcome categories to the contract, what it does not record, the caveats, and the
importer's errors and result."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: The columns of a street-level file, in the published order.
EXPECTED_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
#: The columns the importer reads (the rest are checked in the header only).
USED_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "LSOA name",
    "Crime type",
    "Last outcome category",
)
ASB = "Anti-social behaviour"

#: police.uk ``Crime type`` → contract offence group (ASB is not a crime: None).
CRIME_TYPE_GROUPS: dict[str, str | None] = {
    "Violence and sexual offences": "Violence against the person",
    "Violent crime": "Violence against the person",  # the category's name before May 2013
    "Burglary": "Burglary",
    "Robbery": "Robbery",
    "Vehicle crime": "Vehicle offences",
    "Bicycle theft": "Theft",
    "Other theft": "Theft",
    "Theft from the person": "Theft",
    "Shoplifting": "Shoplifting",
    "Criminal damage and arson": "Criminal damage and arson",
    "Drugs": "Drug offences",
    "Possession of weapons": "Possession of weapons",
    "Public order": "Public order offences",
    "Other crime": "Miscellaneous crimes against society",
    ASB: None,
}

#: police.uk ``Last outcome category`` → contract outcome type (None = no outcome yet).
OUTCOME_CATEGORY_TYPES: dict[str, str | None] = {
    # Charge or summons, then whatever the court did: the police outcome is a charge.
    "Awaiting court outcome": "charge_summons",
    "Court result unavailable": "charge_summons",
    "Court case unable to proceed": "charge_summons",
    "Defendant found not guilty": "charge_summons",
    "Defendant sent to Crown Court": "charge_summons",
    "Offender sent to prison": "charge_summons",
    "Offender given suspended prison sentence": "charge_summons",
    "Offender given community sentence": "charge_summons",
    "Offender fined": "charge_summons",
    "Offender given conditional discharge": "charge_summons",
    "Offender given absolute discharge": "charge_summons",
    "Offender deprived of property": "charge_summons",
    "Offender ordered to pay compensation": "charge_summons",
    "Offender otherwise dealt with": "charge_summons",
    "Suspect charged": "charge_summons",
    "Suspect charged as part of another case": "charge_summons",
    # Out-of-court disposals.
    "Offender given a caution": "caution",
    "Offender given a drugs possession warning": "cannabis_warning",
    "Offender given penalty notice": "penalty_notice",
    "Local resolution": "community_resolution",
    # Not solved.
    "Investigation complete; no suspect identified": "no_suspect_identified",
    "Unable to prosecute suspect": "evidential_difficulties",
    "Formal action is not in the public interest": "not_in_public_interest",
    "Further action is not in the public interest": "not_in_public_interest",
    "Further investigation is not in the public interest": "not_in_public_interest",
    "Action to be taken by another organisation": "transferred_to_other_body",
    # No outcome yet (or none known).
    "Under investigation": None,
    "Status update unavailable": None,
    "": None,
}

#: Columns of ``crimes`` / ``incidents`` the source does not record: written empty (not recorded),
#: so the measures that need them read N/A, never 0.
NOT_RECORDED = {
    "crimes": (
        "domestic_abuse",
        "night_time_economy",
        "rural",
        "business",
        "class_a_supply",
        "evidence_led_prosecution",
        "da_risk_level",
        "victim_id",
    ),
    "incidents": (
        "arrived_at",
        "grade",
        "urban_rural",
        "domestic_abuse",
        "alcohol",
        "drugs",
        "mental_health",
        "victim_id",
    ),
}
#: Columns the source implies for every row, and the value written.
INCIDENT_CONSTANTS = {"asb": True}

CAVEATS = (
    "Last outcome category is the latest outcome at the time the files were downloaded, not the "
    "outcome known at the end of each month; outcome_date is set to the recorded month.",
    "police.uk merges sexual offences into 'Violence and sexual offences', imported as "
    "'Violence against the person'; the 'Sexual offences' group is empty.",
    "'Unable to prosecute suspect' includes 'victim does not support action' "
    "(imported as evidential_difficulties).",
    "Not recorded in the source, written empty (never False): crimes domestic_abuse, "
    "night_time_economy, rural, business, class_a_supply, evidence_led_prosecution, "
    "da_risk_level, victim_id; incidents arrived_at, grade, urban_rural, domestic_abuse, alcohol, "
    "drugs, mental_health, victim_id. Domestic abuse, night-time economy, Class A supply, rural "
    "and business crime, repeat victims and emergency response therefore read N/A (not recorded "
    "in this source), never 0.",
    "ASB incidents: opened_at is the first day of the month; asb is true.",
    "A Crime ID that appears more than once is counted once (first occurrence kept).",
)

_EXAMPLES = 5


class PoliceUkImportError(ValueError):
    """The input cannot be imported; the message names the file, the column and example rows."""


class PoliceUkImportWarning(UserWarning):
    """Something was imported with a caveat (also listed in the import report)."""


@dataclass
class ImportResult:
    """What :func:`import_street_files` produced: the three extracts and the import report."""

    crimes: pd.DataFrame
    incidents: pd.DataFrame
    msg_peers: pd.DataFrame
    report: dict
    warnings: list[str] = field(default_factory=list)
    #: The profile made from the files (None when one was given): written with the extracts.
    profile_draft: object = None

    @property
    def extracts(self) -> dict[str, pd.DataFrame]:
        return {"crimes": self.crimes, "incidents": self.incidents, "msg_peers": self.msg_peers}
