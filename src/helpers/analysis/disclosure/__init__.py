"""Safe to share: small-number suppression for public release, and CSV cells that cannot run.

Suppression (``params/force.yaml`` ``suppress_below``; off by default)
    A figure for an LPA or a district that rests on a count below the threshold is withheld and
    printed as ``[c]``: a count below it, a rate (percent, per 1,000) whose numerator or
    denominator is below it, an average time over fewer events than it. The force figure is never
    withheld.

    **A measure for a place is published whole or not at all.** The pack shows a measure for an
    LPA or a district on many windows: rolling 12 months, financial year to date and the single
    month (the period views and the analysts' filter bar), each this year and last year and each
    this month and last (the change since last month rests on last month's), and month by month in
    the charts (the last :data:`CHART_MONTHS` months). The difference of two windows is a sum or
    difference of months — a rolling-12-month total minus last month's gives this month less the
    month that dropped out; a financial-year-to-date total minus last month's gives this month —
    so a figure withheld on one window would come back from the others. If *any* of these figures
    rests on a count below the threshold, the measure is withheld for that place on all of them
    (primary suppression); so is a measure withheld to protect another (secondary, below).

    **Relations between figures** (what subtraction can use):

    - places: an LPA is the sum of its districts; the force is the sum of its LPAs and
      ``Unassigned`` (records without a district: never published as a place, but the force minus
      the LPAs gives it back, so it protects nothing unless that is withheld too);
    - measures, declared once in the catalog (:mod:`helpers.contract.catalog`): ``parts`` (KSI = fatal +
      serious; solved outcomes = the disposals by type), ``within`` (victim-based crime is within
      all crime: the rest, all crime less victim-based, is a count too — withheld-worthy when small
      though no table prints it) and ``rate_of`` (the solved rate is solved outcomes ÷ all crime:
      any two of the three give the third).

    **Secondary suppression.** First the simple rules, applied until nothing changes: every group
    of figures adding up to a published total (the districts of each LPA, the LPAs of the force,
    the districts of the force) holds no withheld figure or at least two — the next smallest goes
    with one; an LPA withheld while all its districts are shown takes one of them with it; a
    relation between measures with one figure (or one small rest) unknown takes its next smallest
    figure with it. Then an exact check: a withheld figure can be worked out from the published
    ones exactly when it is a combination of them and the relations (linear algebra, in exact
    fractions; a ``rate_of`` counts as "any two known give the third"). While one can, the
    smallest published figure it would be worked out from is withheld too, and the simple rules
    run again. A figure that only the force's own figures give back (a force with a single LPA)
    cannot be protected without withholding the force, which is never done.

    **Why windows need no more than this.** Every published figure is a (measure, place) cell on
    some window, and each relation holds window by window with the same coefficients. When the
    same cells are withheld on every window, a combination of published figures that gave a
    withheld one would, taken window by window, give it within one window — which the exact check
    rules out. So the decision is made once per report month for every cell
    (:func:`decisions`), and tables, charts, ``tables.csv``, the notebooks and the kernel-free
    views all ask it.

    Not covered: the confidence interval printed with a survey rate tells roughly how many
    people answered; successive monthly packs are each safe on their own, not read together.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import periods
from ...contract import catalog
from ...geography import FORCE
from .decide import _decide, _solve_linear, _worked_out  # noqa: F401
from .injection import FORMULA_PREFIXES, csv_safe, csv_safe_value, is_formula_like  # noqa: F401
from .problem import (  # noqa: F401
    Key,
    Relation,
    _Cell,
    _hierarchy_frame,
    _Places,
    _places,
    _Problem,
    _problem,
    is_missing,
    relations,
)
from .rows import (  # noqa: F401
    _NO_COUNT,
    _by_geography,
    _check_threshold,
    _row_decisions,
    _size,
    _window_counts,
    suppress,
    withhold,
)
from .terms import (  # noqa: F401
    CLEARED,
    COUNT_COLUMNS,
    COUNT_PARTS,
    MARK,
    PRIMARY,
    SECONDARY,
    SUPPRESSIBLE_LEVELS,
    WINDOWS,
    SuppressionError,
    _threshold,
    footnote,
    force_settings,
    reason_text,
    threshold_in_force,
)

#: The longest monthly series a page draws for a place (the all-crime SPC chart and its
#: seasonality): every month of it is checked, and a chart shows no month before it. At least 14,
#: so that it holds every single-month window of :data:`WINDOW_ENDS`.
CHART_MONTHS = 48
#: The windows checked for each period, as months before the report month (less the measure's
#: lag): this year, last month's (behind "since last month"), last year and last year's last month.
WINDOW_ENDS = (0, 1, 12, 13)


# --------------------------------------------------------------------------------------------------
# The pack's figures: decided once per cube, report month and threshold


@dataclass(frozen=True)
class _Shown:
    """What the pack can show of one measure: its unit, lag, levels and window kinds."""

    unit: str
    lag: int
    levels: tuple[str, ...]
    kinds: tuple[str, ...]


def _shown_measures(cube, month: pd.Period) -> dict[str, _Shown]:
    """The measures of the report month (and the disposals by type) the cube holds."""
    out = {}
    for m in catalog.measures_for(None, month, in_table=None):
        if cube.has_measure(m.id):
            kinds = tuple(sorted({m.window_kind(p) for p in periods.PERIODS}))
            out[m.id] = _Shown(m.unit, m.lag, tuple(m.levels), kinds)
    if "outcomes_solved" in out:
        for mid in catalog.DERIVED_IDS:
            if cube.has_measure(mid):
                out[mid] = _Shown(
                    _unit_of(cube, mid), 0, out["outcomes_solved"].levels, periods.PERIODS
                )
    return out


def _unit_of(cube, measure_id: str) -> str:
    measures = getattr(cube, "measures", None)
    if isinstance(measures, pd.DataFrame) and len(measures) and "unit" in measures:
        hit = measures.loc[measures["measure_id"] == measure_id, "unit"]
        if len(hit):
            return str(hit.iloc[0])
    return catalog.measure(measure_id).unit


def _figures(cube, mid: str, shown: _Shown, geography: str, month: pd.Period):
    """Window kind → (numerators, denominators) of every figure the pack can print of a measure
    for a place, NaN where it prints none: each kind's windows ending :data:`WINDOW_ENDS` months
    before the report month (less the lag), and the single months of the charts
    (``"month"``: the last :data:`CHART_MONTHS` months, latest last)."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for kind in shown.kinds:
        if kind == "month":
            continue
        values = [
            cube.value(mid, periods.window(kind, month - k, lag=shown.lag), geography)
            for k in WINDOW_ENDS
        ]
        out[kind] = (
            np.array([_number(v.numerator) if v.available else np.nan for v in values]),
            np.array([_number(v.denominator) if v.available else np.nan for v in values]),
        )
    end = month - shown.lag
    s = cube.series(mid, geography, kind="month", start=end - (CHART_MONTHS - 1), end=end)
    not_printed = np.isnan(s["value"].to_numpy(float))
    out["month"] = tuple(
        np.where(not_printed, np.nan, s[c].to_numpy(float)) for c in ("numerator", "denominator")
    )
    return out


def _number(value) -> float:
    return np.nan if value is None else float(value)


def _smallest_count(unit: str, figures: dict, kinds: Iterable[str]) -> float:
    """The smallest count behind the printed figures of ``kinds``; inf when none is printed."""
    parts = COUNT_PARTS.get(unit, ())
    smallest = math.inf
    for kind in kinds:
        num, den = figures[kind]
        printed = ~np.isnan(num)
        if not printed.any():
            continue
        if not parts:
            smallest = min(smallest, _NO_COUNT)
        for part in parts:
            values = (num if part == "numerator" else den)[printed]
            values = values[~np.isnan(values)]
            if values.size:
                smallest = min(smallest, float(values.min()))
    return smallest


def _smallest_rest(total: dict, part: dict) -> float:
    """The smallest ``total`` less ``part`` over the windows and months where both are printed."""
    smallest = math.inf
    for kind, (num, _) in total.items():
        if kind in part:
            left = num - part[kind][0]
            left = left[~np.isnan(left)]
            if left.size:
                smallest = min(smallest, float(left.min()))
    return smallest


def _cube_decisions(cube, month: pd.Period, threshold: int) -> dict[Key, str]:
    places = _places(cube)
    shown = _shown_measures(cube, month)
    figures: dict[Key, dict] = {}
    sizes: dict[Key, float] = {}
    for mid, s in shown.items():
        if not set(s.levels) & set(SUPPRESSIBLE_LEVELS):
            continue
        for g, level in places.levels.items():
            if level in s.levels:
                figures[(mid, g)] = figs = _figures(cube, mid, s, g, month)
                sizes[(mid, g)] = _smallest_count(s.unit, figs, (*s.kinds, "month"))
    rels = relations({mid for mid, _ in sizes})
    rest_sizes: dict[Key, float] = {}
    for rel in rels:
        if rel.kind != "within":
            continue
        for g in places.levels:
            total, part = figures.get((rel.measure, g)), figures.get((rel.members[0], g))
            if total is not None and part is not None:
                rest_sizes[(rel.rest, g)] = _smallest_rest(total, part)
    decided = _decide(_problem(sizes, rest_sizes, places, rels), threshold, places)
    return {k: v for k, v in decided.items() if k in sizes}


def decisions(cube, month, threshold: int | None = None) -> Mapping[Key, str]:
    """Return (measure id, geography) → ``"primary"``/``"secondary"`` for a report month.

    The one decision every output asks (tables, ``tables.csv``, charts, the district tables): a
    measure for an LPA or district is withheld on every window and month the pack can show it
    on when any of them rests on a small count, or when it would give another withheld figure
    away (see the module docstring). Worked out once per cube, month and threshold and kept on
    the cube (:meth:`helpers.measures.cube.Cube.derived`).

    Parameters
    ----------
    cube
        A :class:`helpers.measures.cube.Cube`.
    month
        The report month.
    threshold
        None: the force configuration's ``suppress_below`` (off by default: an empty mapping).
    """
    threshold = _threshold(threshold, cube)
    if threshold is None:
        return {}
    _check_threshold(threshold)
    month = periods.parse_month(month)
    key = ("disclosure", str(month), int(threshold))
    make = lambda: _cube_decisions(cube, month, int(threshold))  # noqa: E731
    derived = getattr(cube, "derived", None)
    return derived(key, make) if derived is not None else make()


def withheld_geographies(cube, measure_id: str, month, threshold: int | None = None) -> dict:
    """Return geography → ``"primary"``/``"secondary"`` for one measure in a report month.

    For charts and tables drawn straight from the cube (district bar charts, the district table,
    monthly series): the same decision as the performance tables (:func:`decisions`), whatever
    the window, so a figure withheld in one place is never printed in another.
    """
    return {
        g: kind for (m, g), kind in decisions(cube, month, threshold).items() if m == measure_id
    }


def is_withheld(cube, measure_id: str, month, geography: str, threshold=None) -> bool:
    """Whether a measure's figures for ``geography`` are withheld in the report ``month``."""
    if geography == FORCE:
        return False
    return (measure_id, geography) in decisions(cube, month, threshold)


def group_violations(frame: pd.DataFrame, hierarchy=None) -> list[str]:
    """Groups (measure, set of geographies adding to a total) holding exactly one withheld figure.

    The simple rule only (an empty list is necessary, not sufficient, for safety). For tests and
    for checking a ``tables.csv`` before it is released.
    """
    places = _places(hierarchy)
    bad = []
    for mid, f in frame.groupby("measure_id", sort=True):
        withheld = set(f.loc[f["suppressed"].astype(bool), "geography"])
        shown = set(f["geography"])
        groups = [places.districts(lpa) for lpa in places.lpas]
        groups += [places.lpas, places.districts()]
        for group in groups:
            members = [g for g in group if g in shown]
            if sum(g in withheld for g in members) == 1:
                bad.append(f"{mid}: {', '.join(members)} has one withheld figure")
        for lpa in [g for g in withheld if places.levels.get(g) == "lpa"]:
            members = [g for g in places.districts(lpa) if g in shown]
            if members and not withheld & set(members):
                bad.append(f"{mid}: {lpa} is withheld but all its districts are shown")
    return bad


__all__ = [
    "CHART_MONTHS",
    "force_settings",
    "CLEARED",
    "COUNT_COLUMNS",
    "COUNT_PARTS",
    "FORMULA_PREFIXES",
    "MARK",
    "Relation",
    "SuppressionError",
    "csv_safe",
    "csv_safe_value",
    "decisions",
    "footnote",
    "group_violations",
    "is_formula_like",
    "is_withheld",
    "reason_text",
    "relations",
    "suppress",
    "withheld_geographies",
    "withhold",
]
