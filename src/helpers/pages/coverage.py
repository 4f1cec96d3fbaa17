"""What a source has and lacks: the extracts with data, those a measure is built from, the columns a
source never records, the sources that are out of date for the report month (:func:`stale_sources`,
the one rule of what "stale" means), and their names for the reader (``SOURCE_NAMES``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import pandas as pd

from ..contract.catalog import Measure
from ..contract.extracts import reader_name
from ..measures.cube import BUILDER_SOURCES  # the extract each cube builder reads
from ..periods import parse_month

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
    "victimless_prosecutions": "victimless prosecution cases",
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
    """The columns of ``(extract, column)`` pairs as a commander reads them, with the extracts.

    >>> not_recorded_text([("crimes", "domestic_abuse"), ("crimes", "victim_id")])
    'domestic-abuse flag (crimes), victim id (crimes)'
    """
    by_name: dict[str, list[str]] = {}
    for extract, column in pairs:
        name = reader_name(extract, column)
        extracts = by_name.setdefault(name, [])
        if extract not in extracts:
            extracts.append(extract)
    return ", ".join(f"{c} ({', '.join(sorted(e))})" for c, e in by_name.items())


#: A source is stale when its data end more than this many months before the month a figure is for
#: (the report month less the measure's declared lag: re-offending, six months in arrears, is not
#: stale for that). Two months allows a source published a little behind (a quarterly survey read
#: at its latest period); a source further behind is flagged wherever its figures are shown.
STALE_AFTER_MONTHS = 2


def stale_sources(cube, month, extracts: Iterable[str], lag: int = 0) -> dict[str, pd.Period]:
    """The extracts of ``extracts`` that are stale for a report of ``month``: extract → its last
    month with data, for those whose data end more than :data:`STALE_AFTER_MONTHS` months before
    ``month - lag``. An absent extract is not stale (it has no figures to flag: the pages say
    "No data for this area from this source").

    >>> class C: data_to = {"crimes": pd.Period("2016-09", "M"), "drug_tests": pd.Period("2015-03", "M")}
    >>> stale_sources(C(), "2016-09", ["crimes", "drug_tests"])
    {'drug_tests': Period('2015-03', 'M')}
    >>> stale_sources(C(), "2015-05", ["drug_tests"])   # two months behind: not stale
    {}
    """
    due = parse_month(month) - lag
    data_to = getattr(cube, "data_to", None) or {}
    out = {}
    for name in dict.fromkeys(extracts):
        last = data_to.get(name)
        if last is None:
            continue
        last = parse_month(str(last)[:7])
        if (due - last).n > STALE_AFTER_MONTHS:
            out[name] = last
    return out


def measure_stale_sources(cube, month, m: Measure) -> dict[str, pd.Period]:
    """:func:`stale_sources` of the extracts ``m`` is built from, its lag allowed for."""
    return stale_sources(cube, month, measure_sources(m), lag=m.lag)


def data_to_label(stale: dict[str, pd.Period]) -> str | None:
    """The flag printed beside a stale source's figures: "data to Mar 2015" (the earliest end when
    several are stale), None when none is."""
    if not stale:
        return None
    return f"data to {min(stale.values()).strftime('%b %Y')}"


def stale_text(stale: dict[str, pd.Period], month) -> str:
    """The caution for a reader: "Drug tests on arrest: data to Mar 2015, 18 months before
    September 2016; later figures are not available." ("" when nothing is stale)."""
    if not stale:
        return ""
    when = parse_month(month)
    parts = []
    for name, last in stale.items():
        title = SOURCE_NAMES.get(name, name.replace("_", " "))
        behind = (when - last).n
        parts.append(f"{title[:1].upper()}{title[1:]}: data to {last.strftime('%b %Y')}, "
                     f"{behind} months before {when.strftime('%B %Y')}")  # fmt: skip
    return "; ".join(parts) + "; figures after that month are not available."
