"""The flags a table row carries beside its figures: a stale source ("data to Mar 2015") and a
change that rests on few records (the caution mark ‡), with the notes that explain them.

The rows say which (``data_to``, ``stale_note``, ``caution``: :data:`helpers.pages.rows.
TABLE_EXTRA_COLUMNS`, decided by :func:`helpers.pages.coverage.stale_sources` and
:mod:`helpers.analysis.caution`); this module only prints them, so every table that shows a
row's figures (an area's table, the master's scorecard) flags them alike. A row without those
columns carries no flag.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

from ..analysis import caution

#: The flag's colour: the tables' "worse" red, the colour of the pages' warnings.
FLAG_COLOUR = "#b3261e"


def _field(row: Mapping, key: str):
    value = row.get(key) if hasattr(row, "get") else getattr(row, key, None)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def stale_flag(row: Mapping) -> str:
    """``(data to Mar 2015)`` after the measure's name where a source of it is stale, else ""."""
    label = _field(row, "data_to")
    if not label:
        return ""
    return (
        f' <span class="ppw-stale" style="color:{FLAG_COLOUR};font-size:11px;white-space:nowrap"'
        f' title="{html.escape(str(_field(row, "stale_note") or label))}">'
        f"({html.escape(str(label))})</span>"
    )


def with_caution(cell: str, row: Mapping) -> str:
    """A change cell (``<td>…</td>``) with the caution mark before its end where the row's change
    rests on few records; the cell unchanged otherwise."""
    below = _field(row, "caution")
    if below is None or not cell.endswith("</td>"):
        return cell
    mark = (
        f'<span class="ppw-caution" title="based on fewer than {int(below):,} records">'
        f"{caution.MARK}</span>"
    )
    return cell[: -len("</td>")] + f" {mark}</td>"


def notes(rows) -> list[str]:
    """The notes under a table for its flags: each stale source's sentence once, then the caution
    mark's legend if any row carries it."""
    out: list[str] = []
    below = None
    for row in rows:
        stale = _field(row, "stale_note")
        if stale and stale not in out:
            out.append(str(stale))
        if _field(row, "caution") is not None:
            below = int(_field(row, "caution"))
    if below is not None:
        out.append(caution.legend(below) + ".")
    return out
