"""The rows of a Performance Information table: an area's (:func:`performance_rows`) or every
area's at once for the master page's scorecard (:func:`_table_rows`), with the columns a table adds
to ``helpers.analysis.performance.ROW_COLUMNS`` (:data:`TABLE_EXTRA_COLUMNS`).
"""

from __future__ import annotations

import pandas as pd

from ..analysis import caution
from ..contract.catalog import AREAS, measure
from ..periods import parse_month, window
from ..render import tables
from . import coverage, sections


def performance_rows(cube, area: int, month, period: str, geography: str) -> pd.DataFrame:
    """Rows of an area's table, with ``window_kind``, ``no_source`` and ``not_recorded`` added.

    ``no_source`` marks a measure the data cannot give at all: an extract it reads is absent, or
    the source never records a column it needs (``not_recorded``: ``(extract, column)`` pairs,
    e.g. data.police.uk has no domestic-abuse flag). Such rows read "No data for this area from
    this source", never 0.
    """
    return _table_rows(cube, [area], month, period, geography)


#: The columns :func:`performance_rows` adds to ``helpers.analysis.performance.ROW_COLUMNS``:
#: also ``data_to`` ("data to Mar 2015" where a source of the measure is stale, else None),
#: ``stale_note`` (the sentence saying so) and ``caution`` (the force's ``caution_below`` where the
#: change rests on fewer records, else None: :mod:`helpers.analysis.caution`).
TABLE_EXTRA_COLUMNS = [
    "window_kind",
    "no_source",
    "not_recorded",
    "data_to",
    "stale_note",
    "caution",
]


def _table_rows(
    cube, areas: list[int], month, period: str, geography: str, *, area_titles: bool = False
) -> pd.DataFrame:
    """:func:`performance_rows` of several areas in one frame (``area_title`` added on request).

    The rows are worked out as records and made into one frame: building a frame per area and
    adding columns one at a time cost more than the figures themselves (a table is asked for
    once per geography and period, the master page's scorecard for all eight areas).
    """
    from ..analysis import performance

    month = str(month)
    per_area = [performance.performance_records(cube, a, month, period, geography) for a in areas]
    if any(records is None for records in per_area):
        # disclosure control: rows come as frames (they depend on every geography's figures)
        return _table_rows_from_frames(cube, areas, month, period, geography, area_titles)
    level = cube.hierarchy.levels.get(geography)
    below = caution.threshold(cube)
    records = []
    for area, rows in zip(areas, per_area, strict=True):
        for r in rows:
            r.update(_table_fields(cube, r["measure_id"], period, level, r["available"], r["note"]))
            r.update(_flags(cube, r, month, below, caution.row_counts(r)))
            if area_titles:
                r["area_title"] = _area_title(area)
            records.append(r)
    columns = (
        performance.ROW_COLUMNS + TABLE_EXTRA_COLUMNS + (["area_title"] if area_titles else [])
    )
    return performance.records_frame(records, columns)


def _table_fields(cube, measure_id: str, period: str, level, available: bool, note) -> dict:
    """The columns a table adds to a measure's row (:data:`TABLE_EXTRA_COLUMNS`), and its note
    ("not available at this level" where the measure does not exist at the geography's level)."""
    m = measure(measure_id)
    absent, unrecorded = sections.measure_gaps(cube, m)
    if level is not None and level not in m.levels and not available:
        note = tables.NOT_AT_LEVEL
    return {
        "window_kind": m.window_kind(period),
        "no_source": bool(absent or unrecorded),
        "not_recorded": unrecorded,
        "note": note,
    }


def _flags(cube, row, month, below, counts) -> dict:
    """A row's ``data_to``, ``stale_note`` and ``caution`` (see :data:`TABLE_EXTRA_COLUMNS`): the
    stale-source flag wherever the measure has a stale source (its figures may be N/A because of
    it: the flag says why), the caution where a printed change rests on few records."""
    m = measure(row["measure_id"])
    stale = coverage.measure_stale_sources(cube, month, m)
    change = row.get("change")
    few = (
        change is not None
        and not row.get("suppressed")
        and caution.rests_on_few(m.unit, counts, below)
    )
    return {
        "data_to": coverage.data_to_label(stale),
        "stale_note": coverage.stale_text(stale, month) or None,
        "caution": below if few else None,
    }


def _frame_counts(cube, measure_id: str, month, period: str, geography: str) -> list[dict]:
    """The counts behind a row's two years read from the cube (rows made under disclosure
    control carry none of their own), on the windows the row is on."""
    m = measure(measure_id)
    w = window(m.window_kind(period), parse_month(month), lag=m.lag)
    try:
        return caution.value_counts(cube.value(m.id, w.last_year(), geography),
                                    cube.value(m.id, w, geography))  # fmt: skip
    except KeyError:
        return []


def _table_rows_from_frames(cube, areas, month, period, geography, area_titles) -> pd.DataFrame:
    """:func:`_table_rows` from ``helpers.analysis.performance.performance_rows`` frames, area by area."""
    from ..analysis.performance import performance_rows as rows_of

    level = cube.hierarchy.levels.get(geography)
    frames = []
    for area in areas:
        rows = rows_of(cube, area, month, period, geography=geography, in_table=True)
        rows = rows.copy()
        fields = [
            _table_fields(cube, mid, period, level, available, note)
            for mid, available, note in zip(
                rows["measure_id"], rows["available"], rows["note"], strict=True
            )
        ]
        below = caution.threshold(cube)
        for f, r in zip(fields, rows.to_dict("records"), strict=True):
            counts = _frame_counts(cube, r["measure_id"], month, period, geography)
            f.update(_flags(cube, r, month, below, counts))
        for column in [*TABLE_EXTRA_COLUMNS, "note"]:
            rows[column] = [f[column] for f in fields]
        if area_titles:
            rows["area"] = area
            rows["area_title"] = _area_title(area)
        frames.append(rows)
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def _area_title(area: int) -> str:
    return f"{area}. {AREAS[area]}"
