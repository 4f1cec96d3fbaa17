"""The force's one geography hierarchy: Force → LPA (local policing area) → district.

Everything that needs to know which level a place is at, which LPA a district belongs to or in
what order the selectors list places asks a :class:`Hierarchy`. It is built from the district
reference table (``districts.csv`` of the force's profile: ``district, lpa, ...``), once per cube
(:attr:`helpers.measures.figures.Cube.hierarchy`), and it is a foundation: it imports nothing from the
rest of the helpers but ``config``.

``Unassigned`` is the district of records the source could not place: counted in the Force total,
never a place a commander can act on, so it is left out of the lists unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .config import REFERENCE_DIR

FORCE = "Force"
UNASSIGNED = "Unassigned"
#: The levels, top down, with the words the selectors group them under.
LEVEL_LABELS = {"force": "Force", "lpa": "LPA", "district": "District"}


class UnknownGeography(KeyError, ValueError):
    """A place that is neither the Force, an LPA nor a district of the force.

    A ``KeyError`` (a lookup that found nothing) and a ``ValueError`` (a bad parameter value), so
    callers catch it as either.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Hierarchy:
    """Force → LPA → district, from ``(district, lpa)`` pairs (sorted by LPA, then district)."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def from_districts(cls, districts: pd.DataFrame) -> Hierarchy:
        """From a frame with columns ``district`` and ``lpa`` (the reference table)."""
        pairs = {
            (str(d), str(lpa))
            for d, lpa in zip(districts["district"], districts["lpa"], strict=True)
        }
        return cls(tuple(sorted(pairs, key=lambda p: (p[1], p[0]))))

    @classmethod
    def from_reference(cls, reference_dir: Path = REFERENCE_DIR) -> Hierarchy:
        """From ``districts.csv`` in ``reference_dir``."""
        return cls.from_districts(pd.read_csv(reference_dir / "districts.csv"))

    @cached_property
    def lpas(self) -> list[str]:
        """The LPAs, alphabetically."""
        return sorted({lpa for _, lpa in self.pairs})

    def districts(self, lpa: str | None = None) -> list[str]:
        """The districts (of ``lpa`` if given), alphabetically; never ``Unassigned``."""
        return sorted(d for d, in_lpa in self.pairs if lpa is None or in_lpa == lpa)

    @cached_property
    def levels(self) -> dict[str, str]:
        """Place → ``force`` / ``lpa`` / ``district`` (``Unassigned`` is a district)."""
        out = {FORCE: "force"}
        out.update({lpa: "lpa" for lpa in self.lpas})
        out.update({d: "district" for d, _ in self.pairs})
        out[UNASSIGNED] = "district"
        return out

    def level_of(self, place: str) -> str:
        """The level of ``place``; :class:`UnknownGeography` naming the places there are."""
        try:
            return self.levels[place]
        except KeyError:
            known = ", ".join(p for p in self.levels if p != UNASSIGNED)
            raise UnknownGeography(
                f"geography {place!r} is not known; use Force, an LPA or a district: {known}"
            ) from None

    def lpa_of(self, place: str) -> str | None:
        """The LPA a district is in, an LPA itself, or None (the Force, ``Unassigned``)."""
        if self.levels.get(place) == "lpa":
            return place
        return next((lpa for d, lpa in self.pairs if d == place), None)

    def frame(self, include_unassigned: bool = False) -> pd.DataFrame:
        """``level, geography, lpa``: the Force, the LPAs, then the districts by LPA."""
        rows = [("force", FORCE, None)]
        rows += [("lpa", lpa, lpa) for lpa in self.lpas]
        rows += [("district", d, lpa) for d, lpa in self.pairs]
        if include_unassigned:
            rows.append(("district", UNASSIGNED, None))
        return pd.DataFrame(rows, columns=["level", "geography", "lpa"])

    def options(self, include_unassigned: bool = False) -> list[tuple[str, str]]:
        """``(level, name)`` for the selectors: Force, the LPAs, then the districts, each
        alphabetically (``Unassigned`` last, and only if asked for)."""
        out = [("force", FORCE)]
        out += [("lpa", lpa) for lpa in self.lpas]
        out += [("district", d) for d in self.districts()]
        if include_unassigned:
            out.append(("district", UNASSIGNED))
        return out
