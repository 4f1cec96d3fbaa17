"""The disclosure problem: the places, the relations between measures the catalog declares, and
every figure with the equations, rates and groups that tie them together."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ...contract import catalog
from ...geography import FORCE, UNASSIGNED, Hierarchy
from ..compare import is_missing

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
        str(g): (None if is_missing(lpa) else str(lpa))
        for g, lpa in zip(geo["geography"], geo["lpa"], strict=True)
    }
    return _Places(levels, lpa_of)


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
