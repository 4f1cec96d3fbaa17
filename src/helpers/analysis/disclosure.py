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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from .. import config, periods
from ..contract import catalog
from ..geography import FORCE, UNASSIGNED, Hierarchy

#: What a withheld figure prints as: the Government Statistical Service's symbol for a value
#: held back to protect confidentiality. Not "*": the tables mark a significant change with "*".
MARK = "[c]"
#: ``Unassigned`` (records the source could not place) is counted in the force total, never offered
#: as a place. Its figure is marked withheld like a district's when small (it is never printed
#: anyway), and it protects another figure only while the totals do not give it back.
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
    "msg_of": None,
    "msg_note": None,
    "direction": "na",
}
PRIMARY = "primary"
SECONDARY = "secondary"
#: The longest monthly series a page draws for a place (the all-crime SPC chart and its
#: seasonality): every month of it is checked, and a chart shows no month before it. At least 14,
#: so that it holds every single-month window of :data:`WINDOW_ENDS`.
CHART_MONTHS = 48
#: The windows checked for each period, as months before the report month (less the measure's
#: lag): this year, last month's (behind "since last month"), last year and last year's last month.
WINDOW_ENDS = (0, 1, 12, 13)
#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SuppressionError(ValueError):
    """Rows that cannot be checked (a rate without the counts it rests on, an unknown geography)."""


# --------------------------------------------------------------------------------------------------
# What a withheld figure says


def reason_text(kind: str, threshold: int) -> str:
    """The reason recorded on a withheld row (and shown as the row's tooltip)."""
    if kind == PRIMARY:
        return f"suppressed: based on a count below {threshold}"
    if kind == SECONDARY:
        return (
            "suppressed: withheld so that another suppressed figure cannot be worked out "
            "from the totals and related figures"
        )
    return ""


def footnote(
    rows: pd.DataFrame | Mapping[str, pd.DataFrame], threshold: int | None = None
) -> str | None:
    """The note under a table with withheld figures; None when nothing was withheld.

    ``threshold`` None: read from the rows' reasons, else the force configuration.

    >>> footnote(pd.DataFrame({"suppressed": [True, False]}), 5)[:42]
    'Figures marked [c] are not published: a c'
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
        f"Figures marked {MARK} are not published: {small} at LPA or district level, in any "
        "period or month the report shows, or a rate or average built on one, could identify a "
        "person; other figures are withheld with them so that none can be worked out from the "
        "force total, the LPA totals or related measures "
        f"({n} figure{'s' if n != 1 else ''} withheld)."
    )


# --------------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True)
class _Places:
    """The hierarchy: each geography's level, each district's LPA, and an order for ties."""

    levels: dict[str, str]
    lpa_of: dict[str, str | None]

    @property
    def order(self) -> dict[str, int]:
        return {g: i for i, g in enumerate(self.levels)}

    @property
    def lpas(self) -> list[str]:
        return sorted(g for g, lv in self.levels.items() if lv == "lpa")

    def districts(self, lpa: str | None = None) -> list[str]:
        """Districts (of ``lpa`` if given), without Unassigned."""
        return sorted(
            g
            for g, lv in self.levels.items()
            if lv == "district" and g != UNASSIGNED and (lpa is None or self.lpa_of.get(g) == lpa)
        )

    @property
    def has_unassigned(self) -> bool:
        return UNASSIGNED in self.levels


def _hierarchy_frame(hierarchy) -> pd.DataFrame:
    if hierarchy is None:
        hierarchy = Hierarchy.from_reference()
    if isinstance(hierarchy, Hierarchy):
        return hierarchy.frame(include_unassigned=True)
    if hasattr(hierarchy, "hierarchy"):  # a Cube
        return hierarchy.hierarchy.frame(include_unassigned=True)
    if isinstance(hierarchy, pd.DataFrame):
        return hierarchy[["level", "geography", "lpa"]]
    return pd.DataFrame(list(hierarchy), columns=["level", "geography", "lpa"])


def _places(hierarchy) -> _Places:
    geo = _hierarchy_frame(hierarchy)
    levels = dict(zip(geo["geography"].astype(str), geo["level"].astype(str), strict=True))
    lpa_of = {
        str(g): (None if _is_missing(lpa) else str(lpa))
        for g, lpa in zip(geo["geography"], geo["lpa"], strict=True)
    }
    return _Places(levels, lpa_of)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------------
# Relations between measures (declared in the catalog)


@dataclass(frozen=True)
class Relation:
    """How the figures of several measures for one place and window give each other away.

    ``kind`` is ``parts`` (``measure`` = the sum of ``members``), ``within`` (``measure`` = its one
    member + :attr:`rest`, a count no table prints) or ``rate_of`` (``measure`` is a rate of its
    members, the numerator and/or the denominator: any two of them give the third).
    """

    kind: str
    measure: str
    members: tuple[str, ...]

    @property
    def rest(self) -> str | None:
        """The name of the count ``measure`` less its member, for a ``within`` relation."""
        return f"{self.measure} less {self.members[0]}" if self.kind == "within" else None


def relations(measure_ids: Iterable[str] | None = None) -> list[Relation]:
    """The relations the catalog declares (``parts``, ``within``, ``rate_of``).

    With ``measure_ids``, those whose measure is among them and whose members are too (a member
    that is not published cannot give anything away; a ``within`` relation needs both).

    >>> [r for r in relations() if r.measure == "ksi_all"]
    [Relation(kind='parts', measure='ksi_all', members=('ksi_fatal', 'ksi_serious'))]
    """
    out = []
    for m in catalog.load_catalog():
        if m.parts:
            out.append(Relation("parts", m.id, tuple(m.parts)))
        if m.within:
            out.append(Relation("within", m.within, (m.id,)))
        if m.rate_of:
            members = tuple(m.rate_of[k] for k in ("numerator", "denominator") if k in m.rate_of)
            out.append(Relation("rate_of", m.id, members))
    if measure_ids is not None:
        ids = set(measure_ids)
        out = [r for r in out if r.measure in ids and set(r.members) <= ids]
    return out


# --------------------------------------------------------------------------------------------------
# The decision for one set of figures

#: A figure: (measure id, or the name of a rest, and a geography).
Key = tuple[str, str]


@dataclass
class _Cell:
    """One measure for one place, over every window the pack shows it on."""

    size: float  #: the smallest count behind any printed figure; inf: none is printed
    level: str
    hidden: bool = False  #: never printed: Unassigned, a rest, a measure that is not there
    rest: bool = False  #: the count a ``within`` relation leaves over (withheld-worthy when small)


@dataclass
class _Problem:
    """The figures and what relates them, for :func:`_decide`."""

    cells: dict[Key, _Cell]
    #: Σ coefficient × figure = 0, one per relation at one place (and window: they all agree).
    equations: list[dict[Key, int]] = field(default_factory=list)
    #: A rate and its numerator and/or denominator: any one follows from the others.
    rates: list[tuple[Key, ...]] = field(default_factory=list)
    #: Figures adding up to a published total (the simple rule: 0 or ≥ 2 withheld).
    groups: list[list[Key]] = field(default_factory=list)
    #: An LPA's figure → its districts' figures (an LPA withheld takes one of them with it).
    districts_of: dict[Key, list[Key]] = field(default_factory=dict)
    #: The figures of one relation between measures at one place (the simple rule).
    linked: list[list[Key]] = field(default_factory=list)


def _problem(sizes: dict[Key, float], rest_sizes: dict[Key, float], places: _Places, rels):
    """The figures ``sizes`` (measure, geography → size) and every relation between them."""
    problem = _Problem({})
    cells = problem.cells
    for (mid, g), size in sizes.items():
        cells[(mid, g)] = _Cell(size, places.levels[g], hidden=g == UNASSIGNED)
    for (name, g), size in rest_sizes.items():
        cells[(name, g)] = _Cell(size, places.levels[g], hidden=True, rest=True)

    def cell(mid: str, g: str) -> Key:
        if (mid, g) not in cells:  # a figure that is not there: unknown to the reader
            cells[(mid, g)] = _Cell(math.inf, places.levels[g], hidden=True)
        return (mid, g)

    by_measure: dict[str, set[str]] = {}
    for mid, g in sizes:
        by_measure.setdefault(mid, set()).add(g)
    for mid in sorted(by_measure):
        present = by_measure[mid]
        if not present - {FORCE}:
            continue  # a force-only measure: nothing to withhold
        for lpa in places.lpas:
            members = [cell(mid, d) for d in places.districts(lpa)]
            problem.equations.append({cell(mid, lpa): 1, **{k: -1 for k in members}})
            problem.groups.append([k for k in members if k[1] in present])
            problem.districts_of[(mid, lpa)] = [k for k in members if k[1] in present]
        rest = [cell(mid, lpa) for lpa in places.lpas]
        if places.has_unassigned:
            rest.append(cell(mid, UNASSIGNED))
        problem.equations.append({cell(mid, FORCE): 1, **{k: -1 for k in rest}})
        problem.groups.append([(mid, g) for g in places.lpas if g in present])
        problem.groups.append([(mid, g) for g in places.districts() if g in present])
    for rel in rels:
        for g in places.levels:
            if (rel.measure, g) not in sizes:
                continue
            total, members = cell(rel.measure, g), [cell(p, g) for p in rel.members]
            if rel.kind == "parts":
                problem.equations.append({total: 1, **{k: -1 for k in members}})
            elif rel.kind == "within":
                if (rel.rest, g) not in cells:
                    continue
                members.append((rel.rest, g))
                problem.equations.append({total: 1, **{k: -1 for k in members}})
            else:
                problem.rates.append((total, *members))
            problem.linked.append([total, *members])
    problem.groups = [g for g in problem.groups if g]
    return problem


def _solve_linear(equations, is_known: Callable[[Key], bool], order: dict[Key, int]):
    """The unknown figures the equations give, each with the known figures it is worked out from.

    Gauss-Jordan elimination over the unknown figures in exact fractions; the known figures stay
    in each row as its constants. An unknown is worked out exactly when its reduced row holds no
    other unknown.
    """
    pivots: dict[Key, dict[Key, Fraction]] = {}
    for equation in equations:
        row = {k: Fraction(v) for k, v in equation.items()}
        for p in [k for k in row if k in pivots]:
            factor = row[p]
            for k, v in pivots[p].items():
                value = row.get(k, 0) - factor * v
                if value:
                    row[k] = value
                else:
                    row.pop(k, None)
        unknown = [k for k in row if not is_known(k)]
        if not unknown:
            continue
        p = min(unknown, key=order.__getitem__)
        scale = row[p]
        row = {k: v / scale for k, v in row.items()}
        for prow in pivots.values():
            factor = prow.get(p)
            if factor:
                for k, v in row.items():
                    value = prow.get(k, 0) - factor * v
                    if value:
                        prow[k] = value
                    else:
                        prow.pop(k, None)
        pivots[p] = row
    return {
        p: {k for k in row if k != p}
        for p, row in pivots.items()
        if all(k == p or is_known(k) for k in row)
    }


def _worked_out(problem: _Problem, known: set[Key], order) -> dict[Key, frozenset[Key]]:
    """Unknown figures a reader can work out from the ``known`` ones, each with the published
    figures it comes from (through sums, differences and rates, repeated until nothing is new)."""
    found: dict[Key, frozenset[Key]] = {}

    def source(k: Key) -> frozenset[Key]:
        return frozenset([k]) if k in known else found[k]

    def is_known(k: Key) -> bool:
        return k in known or k in found

    while True:
        new = False
        for k, used in _solve_linear(problem.equations, is_known, order).items():
            if k not in found:
                found[k] = frozenset().union(*(source(u) for u in used))
                new = True
        for figures in problem.rates:
            missing = [k for k in figures if not is_known(k)]
            if len(missing) == 1:
                found[missing[0]] = frozenset().union(
                    *(source(k) for k in figures if k != missing[0])
                )
                new = True
        if not new:
            return found


def _decide(problem: _Problem, threshold: int, places: _Places) -> dict[Key, str]:
    """Key → PRIMARY/SECONDARY for the figures of ``problem`` (see the module docstring)."""
    cells = problem.cells
    status: dict[Key, str] = {}
    for k, c in cells.items():
        if c.level in SUPPRESSIBLE_LEVELS and not c.rest and c.size < threshold:
            status[k] = PRIMARY  # Unassigned too: never printed, but marked for what it is
    # What must not be worked out: withheld figures of places, and small rests below the force.
    small_rests = {
        k
        for k, c in cells.items()
        if c.rest and c.level in SUPPRESSIBLE_LEVELS and k[1] != UNASSIGNED and c.size < threshold
    }

    def protected(k: Key) -> bool:
        return (k in status and not cells[k].hidden) or k in small_rests

    if not any(protected(k) for k in cells):
        return status
    place_order = places.order
    order = {
        k: i for i, k in enumerate(sorted(cells, key=lambda k: (k[0], place_order[k[1]], k[1])))
    }

    def unknown(k: Key) -> bool:
        c = cells[k]
        return k in status or c.hidden or c.size == math.inf

    def can_protect(k: Key) -> bool:
        c = cells[k]
        return (
            k not in status
            and not c.hidden
            and c.size < math.inf
            and c.level in SUPPRESSIBLE_LEVELS
        )

    def withhold_smallest(candidates: Iterable[Key]) -> bool:
        options = sorted((cells[k].size, order[k], k) for k in candidates if can_protect(k))
        if not options:
            return False
        status[options[0][2]] = SECONDARY
        return True

    def simple_rules() -> None:
        changed = True
        while changed:
            changed = False
            for group in problem.groups:
                if sum(k in status for k in group) == 1:
                    changed |= withhold_smallest(group)
            for lpa, members in problem.districts_of.items():
                if lpa in status and members and not any(k in status for k in members):
                    changed |= withhold_smallest(members)
            for figures in problem.linked:
                open_ = [k for k in figures if unknown(k)]
                if len(open_) == 1 and protected(open_[0]):
                    changed |= withhold_smallest(figures)

    unprotectable: set[Key] = set()  # given back by the force's own figures alone
    while True:
        simple_rules()
        known = {k for k in cells if not unknown(k)}
        found = _worked_out(problem, known, order)
        exposed = sorted(
            (k for k in found if protected(k) and k not in unprotectable), key=order.__getitem__
        )
        if not exposed:
            return status
        k = exposed[0]
        if not withhold_smallest(found[k]):
            unprotectable.add(k)


# --------------------------------------------------------------------------------------------------
# Rows (a table, tables.csv): decided from their own windows


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
        if col in row and not _is_missing(row[col]):
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
        if not _is_missing(value):
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


# --------------------------------------------------------------------------------------------------
# The pack's figures: decided once per cube, report month and threshold


def _threshold(threshold: int | None) -> int | None:
    if threshold is None:
        return config.force_config().suppress_below
    return threshold or None


def threshold_in_force(threshold: int | None = None) -> int | None:
    """The suppression threshold in force: ``threshold``, else ``suppress_below`` of params/force.yaml."""
    return _threshold(threshold)


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
    threshold = _threshold(threshold)
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
    "CHART_MONTHS",
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
