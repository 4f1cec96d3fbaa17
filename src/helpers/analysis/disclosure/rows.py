"""Withholding in rows (a table, ``tables.csv``): deciding from the rows' own windows
(:func:`suppress`) and applying a decision to rows or to geography → frame (:func:`withhold`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .decide import _decide
from .problem import Key, _Places, _places, _problem, is_missing, relations
from .terms import CLEARED, COUNT_COLUMNS, COUNT_PARTS, WINDOWS, SuppressionError, reason_text

# --------------------------------------------------------------------------------------------------
# Rows (a table, tables.csv): decided from their own windows


def _window_counts(row: Mapping, window: str) -> list[float] | None:
    """The counts a window's figure rests on; None when the figure is N/A (nothing to protect)."""
    if is_missing(row.get(window)):
        return None
    unit = str(row.get("unit", "count"))
    if unit not in COUNT_PARTS:
        raise SuppressionError(f"measure {row.get('measure_id')!r}: unknown unit {unit!r}")
    parts = COUNT_PARTS[unit]
    num_col, den_col = WINDOWS[window]
    counts = []
    for part in parts:
        col = num_col if part == "numerator" else den_col
        if col in row and not is_missing(row[col]):
            value = row[col]
        elif unit == "count":
            value = row.get(window)  # a count's printed figure is its numerator
        elif col in row:
            value = row[col]  # a rate's count that is not known: nothing to check it on
        else:
            raise SuppressionError(
                f"measure {row.get('measure_id')!r} ({unit}) for {row.get('geography')!r}: "
                f"the rows need the column {col!r} to tell whether the figure rests on a small "
                "count (use helpers.analysis.performance with suppress_below)"
            )
        if not is_missing(value):
            counts.append(float(value))
    return counts


#: The size given to a figure that rests on no count (money): withheld only when nothing smaller is.
_NO_COUNT = 1e300


def _size(counts: Iterable[list[float] | None]) -> float:
    """The smallest count behind the printed figures; inf when none is printed."""
    printed = [c for c in counts if c is not None]
    if not printed:
        return math.inf
    return min((min(c) if c else _NO_COUNT) for c in printed)


def _check_threshold(threshold) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise SuppressionError(
            f"suppress_below must be a whole number of 1 or more, not {threshold!r}"
        )


def _row_decisions(records: list[dict], threshold: int, places: _Places) -> dict[Key, str]:
    """The decision for rows holding each window's figure (``last_year``, ``this_year``)."""
    sizes: dict[Key, float] = {}
    counts: dict[Key, dict[str, float]] = {}  # a count's figure per window, for the rests
    for r in records:
        key = (str(r["measure_id"]), str(r["geography"]))
        windows = {w: _window_counts(r, w) for w in WINDOWS}
        sizes[key] = min(sizes.get(key, math.inf), _size(windows.values()))
        if str(r.get("unit", "count")) == "count":
            counts[key] = {w: c[0] for w, c in windows.items() if c}
    rels = relations({mid for mid, _ in sizes})
    rest_sizes: dict[Key, float] = {}
    for rel in rels:
        if rel.kind != "within":
            continue
        for g in places.levels:
            total, part = counts.get((rel.measure, g)), counts.get((rel.members[0], g))
            if total is None or part is None:
                continue
            left = [total[w] - part[w] for w in total if w in part]
            rest_sizes[(rel.rest, g)] = min(left) if left else math.inf
    return _decide(_problem(sizes, rest_sizes, places, rels), threshold, places)


def suppress(rows, threshold: int | None, *, hierarchy=None):
    """Withhold LPA and district figures that rest on small counts, and those that would give them away.

    The windows are the rows' own (last year, this year). For the pack's figures use
    :func:`decisions`, which looks at every window and month the pack can show, and
    :func:`withhold`.

    Parameters
    ----------
    rows
        Performance rows: a mapping geography → DataFrame (as
        :func:`helpers.analysis.performance.performance_table_for_all_geographies` returns), or one long
        DataFrame with a ``geography`` column (as :func:`helpers.analysis.performance.tables_csv`). Columns
        used: ``measure_id``, ``unit``, ``geography``, ``last_year``, ``this_year`` and, for units
        other than counts, the counts behind them (:data:`COUNT_COLUMNS`). Measures related in the
        catalog (``parts``, ``within``, ``rate_of``) protect each other.
    threshold
        Counts below this are withheld; None (the default configuration) withholds nothing.
    hierarchy
        The geographies: a Cube, a DataFrame ``level, geography, lpa`` or ``(level, geography,
        lpa)`` tuples; the reference districts when None.

    Returns
    -------
    Same type as ``rows``
        A copy with ``suppressed`` (bool) and ``suppression_reason`` (str) columns; on withheld
        rows the figures are NaN/None and ``since_last_month`` reads ``[c]`` (:data:`CLEARED`), and
        ``note`` (if present) carries the reason.

    Raises
    ------
    SuppressionError
        A geography not in the hierarchy, or a rate without the counts it rests on.
    """
    if isinstance(rows, Mapping):
        return _by_geography(rows, lambda long: suppress(long, threshold, hierarchy=hierarchy))
    if threshold is None or rows.empty:
        return withhold(rows, {}, threshold)
    _check_threshold(threshold)
    places = _places(hierarchy)
    unknown = sorted(set(rows["geography"].astype(str)) - set(places.levels))
    if unknown:
        raise SuppressionError(
            f"geographies not in the hierarchy: {', '.join(map(repr, unknown[:5]))}"
        )
    decided = _row_decisions(rows.to_dict("records"), threshold, places)
    return withhold(rows, decided, threshold)


def _by_geography(rows: Mapping[str, pd.DataFrame], apply) -> dict[str, pd.DataFrame]:
    """Apply ``apply`` (long frame → long frame) to geography → frame, and split it back."""
    long = pd.concat(
        [f.assign(geography=g, _key=g, _pos=range(len(f))) for g, f in rows.items()],
        ignore_index=True,
    )
    done = apply(long)
    out = {}
    for g, f in rows.items():
        part = done[done["_key"] == g].sort_values("_pos").set_index(f.index)
        drop = ["_key", "_pos"] + ([] if "geography" in f else ["geography"])
        out[g] = part.drop(columns=drop)
    return out


def withhold(rows, decided: Mapping[Key, str], threshold: int | None):
    """Mark and clear the rows whose (measure, geography) ``decided`` withholds.

    Parameters
    ----------
    rows
        A long DataFrame with ``measure_id`` and ``geography`` (or geography → DataFrame).
    decided
        (measure id, geography) → ``"primary"``/``"secondary"``, from :func:`decisions`.
    threshold
        For the reason text.

    Returns
    -------
    Same type as ``rows``
        A copy with ``suppressed`` and ``suppression_reason``, figures cleared (:data:`CLEARED`,
        and the counts behind them) on withheld rows.
    """
    if isinstance(rows, Mapping):
        return _by_geography(rows, lambda long: withhold(long, decided, threshold))
    out = rows.copy()
    kinds = (
        [
            decided.get((str(m), str(g)), "")
            for m, g in zip(out["measure_id"], out["geography"], strict=True)
        ]
        if len(out) and decided
        else [""] * len(out)
    )
    mask = np.array([bool(k) for k in kinds], dtype=bool)
    out["suppressed"] = mask
    out["suppression_reason"] = [reason_text(k, threshold) for k in kinds]
    if not mask.any():
        return out
    for col, blank in CLEARED.items():
        if col not in out:
            continue
        if isinstance(blank, float) and out[col].dtype.kind == "f":
            out.loc[mask, col] = blank
        else:
            values = out[col].to_numpy(dtype=object, copy=True)
            values[mask] = blank
            out[col] = pd.Series(values, index=out.index, dtype=object)
    for col in COUNT_COLUMNS:
        if col in out:
            out.loc[mask, col] = np.nan
    if "note" in out:
        out.loc[mask, "note"] = out.loc[mask, "suppression_reason"]
    return out
