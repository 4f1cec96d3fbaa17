"""What the cube takes and gives: :class:`Reference` (its reference tables) in,
:class:`Value` (a window's figure, or N/A with the reason) and :class:`PeerGroup` (the Most
Similar Group's figures) out, and how a window's sums become a :class:`Value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import REFERENCE_DIR


@dataclass(frozen=True)
class Value:
    """A measure's figure for one window and geography.

    ``value`` is None whenever ``available`` is False; ``reason`` then says why (no data for a
    month, not available at the level, before the comparable date, source extract absent, zero
    denominator).
    """

    numerator: float | None
    denominator: float | None
    value: float | None
    available: bool
    reason: str = ""
    #: For survey results published for periods (quarterly): the period end actually read, when it
    #: is earlier than the window's end (the latest published); None otherwise.
    as_of: pd.Period | None = None


@dataclass(frozen=True)
class PeerGroup:
    """A measure's Most Similar Group figures for one window, and the forces left out of it.

    ``values``: force → value of every force ranked (the home force included when it has a
    figure), in name order. ``left_out``: each other force of the group with no figure for the
    window → the months it has no figure for (``YYYY-MM``; empty for a survey period it has no
    figure for). ``window``: the label of the months ranked (``Oct 2015 - Sep 2016``).
    """

    values: dict[str, float]
    left_out: dict[str, tuple[str, ...]]
    window: str


@dataclass(frozen=True)
class Reference:
    """The reference tables the cube needs: districts (with LPA and population) and the MSG forces."""

    districts: pd.DataFrame
    msg_forces: pd.DataFrame

    @classmethod
    def load(cls, reference_dir: Path = REFERENCE_DIR) -> Reference:
        """Read ``districts.csv`` and ``msg_forces.csv`` from ``reference_dir``."""
        return cls(
            pd.read_csv(reference_dir / "districts.csv"),
            pd.read_csv(reference_dir / "msg_forces.csv"),
        )

    @property
    def home_force(self) -> str:
        """The force the report is for: the first row of ``msg_forces.csv``."""
        return str(self.msg_forces["force"].iloc[0])

    @property
    def home_population(self) -> float:
        """The home force's population (``msg_forces.csv``), for its MSG crime rate."""
        return float(self.msg_forces["population_2016"].iloc[0])


def _na(reason: str, num=None, den=None) -> Value:
    return Value(num, den, None, False, reason)


def _compute(unit: str, num: float, den: float | None) -> Value:
    if unit == "count":
        return Value(num, den, num, True)
    if unit == "money":
        return Value(num, den, num, True)
    if den is None or den == 0:
        return _na("zero denominator (nothing to divide by in the window)", num, den)
    scale = {"percent": 100.0, "rate": 1000.0}.get(unit, 1.0)
    return Value(num, den, scale * num / den, True)
