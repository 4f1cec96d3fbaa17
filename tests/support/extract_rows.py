"""Row factories for tiny hand-made extracts, shared by the unit tests of the cube and its users."""

from __future__ import annotations


def crime(cid, date, district="A1", **kw) -> dict:
    """A crime row with the contract's columns; keyword arguments override the defaults."""
    row = {
        "crime_id": cid,
        "recorded_date": date,
        "offence_group": "Theft",
        "victim_based": True,
        "district": district,
        "domestic_abuse": False,
        "da_risk_level": None,
        "night_time_economy": False,
        "rural": False,
        "business": False,
        "class_a_supply": False,
        "victim_id": None,
        "outcome_type": None,
        "outcome_date": None,
        "evidence_led_prosecution": False,
    }
    row.update(kw)
    return row
