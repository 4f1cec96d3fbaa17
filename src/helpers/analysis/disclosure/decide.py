"""Deciding what to withhold: the simple rules, then the exact check (Gauss-Jordan elimination
in exact fractions) that no withheld figure can be worked out from the published ones."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction

from ...geography import UNASSIGNED
from .problem import Key, _Places, _Problem
from .terms import PRIMARY, SECONDARY, SUPPRESSIBLE_LEVELS


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
