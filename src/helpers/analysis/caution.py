"""A caution where a change rests on few records: the one rule, its mark and its legend.

A change between two small counts reads large and means little: 2 repeat offenders against 6 is
"-66.7 % better", and one more or one fewer would move it by a third. Wherever a change is printed
(the area tables, the master's scorecard, the district tables), a change whose figures rest on
fewer records than the force's ``caution_below`` (``force.yaml``; 30 unless the profile says
otherwise, ``null`` turns the caution off) in either year carries :data:`MARK`, and the legend
under the table says what it means (:func:`legend`).

"Records" are the counts a figure is made of, as disclosure control counts them
(:data:`helpers.analysis.disclosure.COUNT_PARTS`): a count's own number, both parts of a rate
(solved crimes and crimes), the number an average is taken over; money rests on no count and is
never marked. The caution is a reading aid, not disclosure control: nothing is withheld.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from .disclosure import COUNT_PARTS, WINDOWS, force_settings

#: Printed after a change that rests on few records (the legend says what it means).
MARK = "‡"


def threshold(cube=None) -> int | None:
    """``caution_below`` of the cube's profile (a cube built in code: the demo profile's); None
    when the force has turned the caution off."""
    return force_settings(cube).caution_below


def _small(value, below: int) -> bool:
    if value is None:
        return False
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return not math.isnan(v) and v < below


def rests_on_few(unit: str, counts: Iterable[Mapping], below: int | None) -> bool:
    """Whether a change rests on fewer than ``below`` records.

    Parameters
    ----------
    unit
        The measure's unit: which parts of each figure are counts (:data:`COUNT_PARTS`).
    counts
        One mapping per year compared (last year, this year), with ``numerator`` and
        ``denominator`` (a cube ``Value`` as a mapping, or :func:`row_counts`).
    below
        The threshold (None: no caution).

    >>> rests_on_few("count", [{"numerator": 6}, {"numerator": 2}], 30)
    True
    >>> rests_on_few("percent", [{"numerator": 40, "denominator": 90}, {"numerator": 45, "denominator": 95}], 30)
    False
    >>> rests_on_few("money", [{"numerator": 1}], 30), rests_on_few("count", [{"numerator": 2}], None)
    (False, False)
    """
    if below is None:
        return False
    parts = COUNT_PARTS.get(unit, ("numerator",))
    return any(_small(c.get(part), below) for c in counts for part in parts)


def row_counts(row: Mapping) -> list[dict]:
    """The counts behind a performance row's two years (its ``last_numerator`` … columns), as
    :func:`rests_on_few` takes them."""
    return [
        {"numerator": row.get(num), "denominator": row.get(den)} for num, den in WINDOWS.values()
    ]


def value_counts(*values) -> list[dict]:
    """The counts of cube ``Value`` objects (``numerator``, ``denominator``), unavailable ones
    left out, as :func:`rests_on_few` takes them."""
    return [
        {"numerator": v.numerator, "denominator": v.denominator}
        for v in values
        if v is not None and getattr(v, "available", False)
    ]


def legend(below: int) -> str:
    """The legend of the mark: "‡ based on fewer than 30 records in a year compared: …"."""
    return (
        f"{MARK} based on fewer than {below:,} records in a year compared: a few more or fewer "
        "would move the change a long way, so read it with caution"
    )
