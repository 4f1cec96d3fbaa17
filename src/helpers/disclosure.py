"""Safe to share: small-number suppression for public release, and CSV cells that cannot run.

Suppression (``params/force.yaml`` ``suppress_below``; off by default)
    A figure for an LPA or a district that rests on a count below the threshold is withheld and
    printed as ``*``: a count below it, a rate (percent, per 1,000) whose numerator or denominator
    is below it, an average time over fewer events than it. The force figure is never withheld.

    Withholding one figure is not enough when the others are published: the force total minus the
    other districts would give it back. So, for each measure, every group of figures that add up
    to a published total — the LPAs of the force, the districts of the force, the districts of
    each LPA — holds either no withheld figure or at least two (*secondary suppression*: the next
    smallest figure is withheld too). An LPA that is withheld while all its districts are shown
    would be their sum, so one of its districts is withheld as well. The rules are applied until
    nothing changes.

    The unit withheld is a row: a measure for a geography. Last year's and this year's figures, the
    change between them (which would give one from the other), the change since last month, the
    confidence intervals and the significance go together.

CSV injection
    A spreadsheet runs a cell that begins ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
    formula (``=HYPERLINK(…)`` sends the reader somewhere). :func:`csv_safe` prefixes such text with
    a single quote, the OWASP advice, so that ``tables.csv`` opens as plain text.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({
...     "measure_id": ["ksi_fatal"] * 4, "unit": ["count"] * 4,
...     "geography_level": ["force", "lpa", "lpa", "lpa"],
...     "geography": ["Force", "North", "South", "West"],
...     "last_year": [40.0, 3.0, 17.0, 20.0], "this_year": [41.0, 12.0, 14.0, 15.0],
... })
>>> out = suppress(rows, 5, hierarchy=[("force", "Force", None), ("lpa", "North", "North"),
...     ("lpa", "South", "South"), ("lpa", "West", "West")])
>>> out["suppressed"].tolist()
[False, True, True, False]
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

#: What a withheld figure prints as: the Government Statistical Service's symbol for a value
#: held back to protect confidentiality. Not "*": the tables mark a significant change with "*".
MARK = "[c]"
FORCE = "Force"
#: Records the source could not place: counted in the force total, never offered as a place. Its
#: figure is withheld like a district's when small, but it never serves to protect another one
#: (it is not published beside the districts, so withholding it would hide nothing).
UNASSIGNED = "Unassigned"
#: Levels whose figures may be withheld (the force figure never is).
SUPPRESSIBLE_LEVELS = ("lpa", "district")
#: The windows of a row: its printed value column and the columns holding the counts behind it.
WINDOWS = {
    "last_year": ("last_numerator", "last_denominator"),
    "this_year": ("this_numerator", "this_denominator"),
}
COUNT_COLUMNS = tuple(c for pair in WINDOWS.values() for c in pair)
#: Which parts of a figure are counts of people or events, by unit. A count is its numerator; a
#: rate rests on both; an average time or days per head rests on the number it is averaged over.
COUNT_PARTS = {
    "count": ("numerator",),
    "percent": ("numerator", "denominator"),
    "rate": ("numerator", "denominator"),
    "seconds": ("denominator",),
    "minutes": ("denominator",),
    "days": ("denominator",),
    "money": (),
}
#: Columns cleared on a withheld row, and what they become.
CLEARED = {
    "last_year": np.nan,
    "this_year": np.nan,
    "change": None,
    "since_last_month": MARK,
    "ci_last": None,
    "ci_this": None,
    "significant": None,
    "msg_rank": None,
    "msg_colour": None,
    "direction": "na",
}
PRIMARY = "primary"
SECONDARY = "secondary"
#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SuppressionError(ValueError):
    """Rows that cannot be checked (a rate without the counts it rests on, an unknown geography)."""


# --------------------------------------------------------------------------------------------------
# Suppression


def reason_text(kind: str, threshold: int) -> str:
    """The reason recorded on a withheld row (and shown as the row's tooltip)."""
    if kind == PRIMARY:
        return f"suppressed: based on a count below {threshold}"
    if kind == SECONDARY:
        return (
            "suppressed: withheld so that another suppressed figure cannot be worked out "
            "from the total"
        )
    return ""


def footnote(
    rows: pd.DataFrame | Mapping[str, pd.DataFrame], threshold: int | None = None
) -> str | None:
    """The note under a table with withheld figures; None when nothing was withheld.

    ``threshold`` None: read from the rows' reasons, else the force configuration.

    >>> footnote(pd.DataFrame({"suppressed": [True, False]}), 5)[:40]
    '* Figures marked * are not published: a '
    """
    frames = list(rows.values()) if isinstance(rows, Mapping) else [rows]
    n = sum(
        int(f["suppressed"].fillna(False).astype(bool).sum()) for f in frames if "suppressed" in f
    )
    if not n:
        return None
    if threshold is None:
        reasons = " ".join(
            " ".join(map(str, f["suppression_reason"])) for f in frames if "suppression_reason" in f
        )
        found = re.search(r"below (\d+)", reasons)
        threshold = int(found.group(1)) if found else _threshold(None)
    small = f"a count below {threshold}" if threshold else "a small count"
    return (
        f"Figures marked {MARK} are not published: {small} at LPA or district level, or a "
        "rate or average built on one, could identify a person; other figures are withheld with "
        "them so that none can be worked out from the force total "
        f"({n} figure{'s' if n != 1 else ''} withheld)."
    )


def _hierarchy_frame(hierarchy) -> pd.DataFrame:
    if hierarchy is None:
        from .loading import districts

        ref = districts()
        rows = [("force", FORCE, None)]
        rows += [("lpa", lpa, lpa) for lpa in sorted(set(ref["lpa"].astype(str)))]
        rows += [
            ("district", str(d), str(lpa))
            for d, lpa in zip(ref["district"], ref["lpa"], strict=True)
        ]
        return pd.DataFrame(rows, columns=["level", "geography", "lpa"])
    if hasattr(hierarchy, "geographies"):  # a Cube
        return hierarchy.geographies(include_unassigned=True)
    if isinstance(hierarchy, pd.DataFrame):
        return hierarchy[["level", "geography", "lpa"]]
    return pd.DataFrame(list(hierarchy), columns=["level", "geography", "lpa"])


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _window_counts(row: Mapping, window: str) -> list[float] | None:
    """The counts a window's figure rests on; None when the figure is N/A (nothing to protect)."""
    if _is_missing(row.get(window)):
        return None
    unit = str(row.get("unit", "count"))
    if unit not in COUNT_PARTS:
        raise SuppressionError(f"measure {row.get('measure_id')!r}: unknown unit {unit!r}")
    parts = COUNT_PARTS[unit]
    num_col, den_col = WINDOWS[window]
    counts = []
    for part in parts:
        col = num_col if part == "numerator" else den_col
        if col in row:
            value = row[col]
        elif unit == "count":
            value = row.get(window)  # a count's printed figure is its numerator
        else:
            raise SuppressionError(
                f"measure {row.get('measure_id')!r} ({unit}) for {row.get('geography')!r}: "
                f"the rows need the column {col!r} to tell whether the figure rests on a small "
                "count (use helpers.performance with suppress_below)"
            )
        if not _is_missing(value):
            counts.append(float(value))
    return counts


#: The size given to a figure that rests on no count (money): withheld only when nothing smaller is.
_NO_COUNT = 1e300


def _cell(counts: list[float] | None) -> tuple[bool, float]:
    """(is it printed, its size): a figure's size is its smallest count; N/A is not printed."""
    if counts is None:
        return False, math.inf
    return True, (min(counts) if counts else _NO_COUNT)


def _groups(levels: dict[str, str], lpa_of: dict[str, str | None]) -> list[list[str]]:
    """The groups of geographies that add up to a published total.

    The districts of each LPA come first: a complement chosen inside the LPA also protects the
    figure within the force's districts, where one chosen in another LPA would need a third.
    """
    lpas = sorted(g for g, lv in levels.items() if lv == "lpa")
    districts = sorted(g for g, lv in levels.items() if lv == "district" and g != UNASSIGNED)
    groups = [[d for d in districts if lpa_of.get(d) == lpa] for lpa in lpas]
    groups += [lpas, districts]
    return [g for g in groups if g]


def _suppress_cells(
    cells: dict[str, list[float] | None],
    threshold: int,
    levels: dict[str, str],
    lpa_of: dict[str, str | None],
) -> dict[str, str]:
    """Geography → PRIMARY/SECONDARY for one measure on one window.

    ``cells`` maps each geography to the counts its figure rests on (None: the figure is N/A). A
    figure that is not printed protects nothing, so it is never chosen to protect another.
    """
    status: dict[str, str] = {}
    for g, counts in cells.items():
        if levels.get(g) in SUPPRESSIBLE_LEVELS and counts and min(counts) < threshold:
            status[g] = PRIMARY
    if not status:
        return status
    size = {g: _cell(c)[1] for g, c in cells.items()}
    present = [[g for g in group if g in cells] for group in _groups(levels, lpa_of)]

    def withhold_smallest(candidates: Iterable[str]) -> bool:
        options = sorted((size[g], g) for g in candidates if g not in status and size[g] < math.inf)
        if not options:
            return False
        status[options[0][1]] = SECONDARY
        return True

    changed = True
    while changed:
        changed = False
        for group in present:
            if sum(g in status for g in group) == 1:
                changed |= withhold_smallest(group)
        for lpa in [g for g in status if levels.get(g) == "lpa"]:
            members = [g for g in cells if lpa_of.get(g) == lpa and levels.get(g) == "district"]
            if members and not any(g in status for g in members):
                changed |= withhold_smallest(members)
    return status


def _suppress_measure(
    rows: list[dict], threshold: int, levels: dict[str, str], lpa_of: dict[str, str | None]
) -> dict[str, str]:
    """Geography → PRIMARY/SECONDARY for one measure's rows (one row per geography).

    Each window (last year, this year) is decided on its own, exactly as
    :func:`withheld_geographies` decides it for a chart of that window; a row is withheld when
    either of its figures is (the change between them would give one from the other).
    """
    by_geo = {r["geography"]: r for r in rows}
    status: dict[str, str] = {}
    for window in WINDOWS:
        cells = {g: _window_counts(r, window) for g, r in by_geo.items()}
        for g, kind in _suppress_cells(cells, threshold, levels, lpa_of).items():
            if status.get(g) != PRIMARY:
                status[g] = kind
    return status


def suppress(rows, threshold: int | None, *, hierarchy=None):
    """Withhold LPA and district figures that rest on small counts, and those that would give them away.

    Parameters
    ----------
    rows
        Performance rows: a mapping geography → DataFrame (as
        :func:`helpers.performance.performance_table_for_all_geographies` returns), or one long
        DataFrame with a ``geography`` column (as :func:`helpers.performance.tables_csv`). Columns
        used: ``measure_id``, ``unit``, ``geography``, ``last_year``, ``this_year`` and, for units
        other than counts, the counts behind them (:data:`COUNT_COLUMNS`).
    threshold
        Counts below this are withheld; None (the default configuration) withholds nothing.
    hierarchy
        The geographies: a Cube, a DataFrame ``level, geography, lpa`` or ``(level, geography,
        lpa)`` tuples; the reference districts when None.

    Returns
    -------
    Same type as ``rows``
        A copy with ``suppressed`` (bool) and ``suppression_reason`` (str) columns; on withheld
        rows the figures are NaN/None and ``since_last_month`` reads ``*`` (:data:`CLEARED`), and
        ``note`` (if present) carries the reason.

    Raises
    ------
    SuppressionError
        A geography not in the hierarchy, or a rate without the counts it rests on.
    """
    if isinstance(rows, Mapping):
        long = pd.concat(
            [f.assign(geography=g, _key=g, _pos=range(len(f))) for g, f in rows.items()],
            ignore_index=True,
        )
        done = suppress(long, threshold, hierarchy=hierarchy)
        out = {}
        for g, f in rows.items():
            part = done[done["_key"] == g].sort_values("_pos").set_index(f.index)
            drop = ["_key", "_pos"] + ([] if "geography" in f else ["geography"])
            out[g] = part.drop(columns=drop)
        return out
    out = rows.copy()
    out["suppressed"] = False
    out["suppression_reason"] = ""
    if threshold is None or out.empty:
        return out
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise SuppressionError(
            f"suppress_below must be a whole number of 1 or more, not {threshold!r}"
        )
    geo = _hierarchy_frame(hierarchy)
    levels = dict(zip(geo["geography"].astype(str), geo["level"].astype(str), strict=True))
    lpa_of = {
        str(g): (None if _is_missing(lpa) else str(lpa))
        for g, lpa in zip(geo["geography"], geo["lpa"], strict=True)
    }
    unknown = sorted(set(out["geography"].astype(str)) - set(levels))
    if unknown:
        raise SuppressionError(
            f"geographies not in the hierarchy: {', '.join(map(repr, unknown[:5]))}"
        )
    status_col = pd.Series("", index=out.index, dtype=object)
    records = out.to_dict("index")
    by_measure: dict[str, list] = {}
    for idx, r in records.items():
        by_measure.setdefault(str(r["measure_id"]), []).append((idx, r))
    for items in by_measure.values():
        status = _suppress_measure([r for _, r in items], threshold, levels, lpa_of)
        for idx, r in items:
            status_col[idx] = status.get(r["geography"], "")
    hit = status_col != ""
    out["suppressed"] = hit.to_numpy()
    out["suppression_reason"] = status_col.map(lambda s: reason_text(s, threshold))
    mask = hit.to_numpy()
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
        out.loc[hit, "note"] = out.loc[hit, "suppression_reason"]
    return out


#: Decisions on cube windows: (id(cube), measure, window, threshold) → (cube, decisions).
_WINDOW_DECISIONS: dict[tuple, tuple[object, dict[str, str]]] = {}


def _threshold(threshold: int | None) -> int | None:
    if threshold is None:
        from .config import force_config

        return force_config().suppress_below
    return threshold or None


def threshold_in_force(threshold: int | None = None) -> int | None:
    """The suppression threshold in force: ``threshold``, else ``suppress_below`` of params/force.yaml."""
    return _threshold(threshold)


def _unit_of(cube, measure_id: str) -> str:
    measures = getattr(cube, "measures", None)
    if isinstance(measures, pd.DataFrame) and len(measures) and "unit" in measures:
        hit = measures.loc[measures["measure_id"] == measure_id, "unit"]
        if len(hit):
            return str(hit.iloc[0])
    from .catalog import measure

    return measure(measure_id).unit


def withheld_geographies(cube, measure_id: str, window, threshold: int | None = None) -> dict:
    """Return geography → ``"primary"``/``"secondary"`` for a measure's figures on one window.

    For charts and tables drawn straight from the cube (district bar charts, the district table):
    the decision for a measure, window and geography is the same as the performance tables make
    for that window, so a figure withheld in one place is never printed in another.

    Parameters
    ----------
    cube
        A :class:`helpers.cube.Cube`.
    measure_id
        A measure in the cube.
    window
        A :class:`helpers.periods.Window`.
    threshold
        None: the force configuration's ``suppress_below`` (off by default: an empty dict).
    """
    threshold = _threshold(threshold)
    if threshold is None:
        return {}
    key = (id(cube), measure_id, window.kind, str(window.start), str(window.end), threshold)
    hit = _WINDOW_DECISIONS.get(key)
    if hit is not None and hit[0] is cube:
        return hit[1]
    geo = _hierarchy_frame(cube)
    levels = dict(zip(geo["geography"].astype(str), geo["level"].astype(str), strict=True))
    lpa_of = {
        str(g): (None if _is_missing(lpa) else str(lpa))
        for g, lpa in zip(geo["geography"], geo["lpa"], strict=True)
    }
    unit = _unit_of(cube, measure_id)
    cells = {}
    for g in levels:
        v = cube.value(measure_id, window, g)
        row = {
            "measure_id": measure_id,
            "geography": g,
            "unit": unit,
            "this_year": v.value if v.available else np.nan,
            "this_numerator": v.numerator if v.available else np.nan,
            "this_denominator": v.denominator if v.available else np.nan,
        }
        cells[g] = _window_counts(row, "this_year")
    decisions = _suppress_cells(cells, threshold, levels, lpa_of)
    if len(_WINDOW_DECISIONS) >= 4096:
        _WINDOW_DECISIONS.clear()
    _WINDOW_DECISIONS[key] = (cube, decisions)
    return decisions


def is_withheld(cube, measure_id: str, window, geography: str, threshold=None) -> bool:
    """Whether a measure's figure for ``geography`` on ``window`` is withheld (see above)."""
    if geography == FORCE:
        return False
    return geography in withheld_geographies(cube, measure_id, window, threshold)


def group_violations(frame: pd.DataFrame, hierarchy=None) -> list[str]:
    """Groups (measure, set of geographies adding to a total) holding exactly one withheld figure.

    An empty list means no withheld figure can be worked out by subtraction from a published total.
    For tests and for checking a ``tables.csv`` before it is released.
    """
    geo = _hierarchy_frame(hierarchy)
    levels = dict(zip(geo["geography"].astype(str), geo["level"].astype(str), strict=True))
    lpa_of = {
        str(g): (None if _is_missing(lpa) else str(lpa))
        for g, lpa in zip(geo["geography"], geo["lpa"], strict=True)
    }
    bad = []
    for mid, f in frame.groupby("measure_id", sort=True):
        withheld = set(f.loc[f["suppressed"].astype(bool), "geography"])
        shown = set(f["geography"])
        for group in _groups(levels, lpa_of):
            members = [g for g in group if g in shown]
            n = sum(g in withheld for g in members)
            if n == 1:
                bad.append(f"{mid}: {', '.join(members)} has one withheld figure")
        for lpa in [g for g in withheld if levels.get(g) == "lpa"]:
            members = [g for g in shown if lpa_of.get(g) == lpa and levels.get(g) == "district"]
            if members and not withheld & set(members):
                bad.append(f"{mid}: {lpa} is withheld but all its districts are shown")
    return bad


# --------------------------------------------------------------------------------------------------
# CSV injection


def csv_safe_value(value):
    """Prefix text that a spreadsheet would run as a formula with a single quote; others as they are.

    >>> csv_safe_value('=HYPERLINK("http://x","y")'), csv_safe_value("North"), csv_safe_value(-1.5)
    ('\\'=HYPERLINK("http://x","y")', 'North', -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells and headings cannot run as spreadsheet formulas.

    Only text is changed: numbers (a negative change, a Decimal) stay numbers.
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(
                lambda v: csv_safe_value(v) if isinstance(v, str) else v, na_action="ignore"
            )
    out.columns = [csv_safe_value(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def is_formula_like(value) -> bool:
    """Whether a cell would be read by a spreadsheet as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


__all__ = [
    "CLEARED",
    "COUNT_COLUMNS",
    "COUNT_PARTS",
    "FORMULA_PREFIXES",
    "MARK",
    "SuppressionError",
    "csv_safe",
    "csv_safe_value",
    "footnote",
    "group_violations",
    "is_formula_like",
    "is_withheld",
    "reason_text",
    "suppress",
    "withheld_geographies",
]
