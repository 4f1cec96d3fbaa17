"""What a source has and lacks: the extracts with data, those a measure is built from, the columns a
source never records, and their names for the reader (``SOURCE_NAMES``).
"""

from __future__ import annotations

import json
import math

from ..contract.catalog import Measure
from ..measures.cube import BUILDER_SOURCES  # the extract each cube builder reads

SOURCE_NAMES = {
    "crimes": "crime recording system (crimes)",
    "crime_offenders": "offenders linked to crimes",
    "incidents": "command and control (incidents)",
    "calls": "telephony (calls)",
    "satisfaction": "user satisfaction survey",
    "confidence_survey": "Crime Survey for England and Wales",
    "msg_peers": "Most Similar Group peer figures",
    "collisions": "road collisions",
    "casualties": "road casualties",
    "drug_tests": "drug tests on arrest",
    "workforce": "workforce and sickness",
    "savings": "savings plan",
}


def _as_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in value]


def sources_present(cube) -> set[str]:
    """The extracts that have data: those with months (``data_to``) and those the cube's measures
    read without finding them missing (extracts without a date column, e.g. ``crime_offenders``)."""
    return cube.derived(("sources_present",), lambda: _sources_present(cube))


def _sources_present(cube) -> set[str]:
    present = {k for k, v in cube.data_to.items() if v is not None}
    meas = cube.measures
    if len(meas) and {"sources", "missing"} <= set(meas.columns):
        for srcs, missing in zip(meas["sources"], meas["missing"], strict=True):
            present |= set(_as_list(srcs)) - set(_as_list(missing))
    return present


def measure_sources(m: Measure) -> tuple[str, ...]:
    """The extracts a catalog measure is built from."""
    if m.builder == "repeat_da_victims":
        return (m.params.get("source", "incidents"),)
    return BUILDER_SOURCES.get(m.builder, ())


def never_recorded(cube, measure_id: str) -> list[tuple[str, str]]:
    """``(extract, column)`` pairs the measure needs that the source never records (see the cube)."""
    fn = getattr(cube, "never_recorded", None)
    return list(fn(measure_id)) if fn is not None else []


def measure_gaps(cube, m: Measure) -> tuple[list[str], list[tuple[str, str]]]:
    """Why a measure can have no data from this source: absent extracts, columns never recorded."""
    present = sources_present(cube)
    absent = [s for s in measure_sources(m) if s not in present]
    return absent, ([] if absent else never_recorded(cube, m.id))


def measure_has_data(cube, m: Measure) -> bool:
    """Whether the source can give the measure a value at all (extracts present, columns recorded)."""
    absent, unrecorded = measure_gaps(cube, m)
    return not absent and not unrecorded


def not_recorded_text(pairs) -> str:
    """``domestic_abuse (crimes, incidents), victim_id (crimes)`` for ``(extract, column)`` pairs."""
    by_column: dict[str, list[str]] = {}
    for extract, column in pairs:
        extracts = by_column.setdefault(column, [])
        if extract not in extracts:
            extracts.append(extract)
    return ", ".join(f"{c} ({', '.join(sorted(e))})" for c, e in by_column.items())
