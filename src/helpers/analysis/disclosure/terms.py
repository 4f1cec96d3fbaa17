"""What disclosure control withholds and what a withheld figure says: the mark, the levels and
windows checked, the counts behind each unit, the columns cleared, the reason and the footnote,
and the threshold in force."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ... import config

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
    "national_rank": None,
    "national_of": None,
    "direction": "na",
}
PRIMARY = "primary"
SECONDARY = "secondary"


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


def force_settings(cube=None) -> config.ForceConfig:
    """The force configuration a cube's figures are published under: its profile's
    (``cube.profile``), else (a cube built in code, or no cube) the demo profile's."""
    if cube is not None and cube.profile is not None:
        return cube.profile.force
    return config.force_config()


def _threshold(threshold: int | None, cube=None) -> int | None:
    if threshold is None:
        return force_settings(cube).suppress_below
    return threshold or None


def threshold_in_force(threshold: int | None = None, cube=None) -> int | None:
    """The suppression threshold in force: ``threshold``, else ``suppress_below`` of the cube's
    profile (:func:`force_settings`)."""
    return _threshold(threshold, cube)
