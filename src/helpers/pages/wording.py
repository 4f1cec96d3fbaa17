"""The words and small HTML pieces items share: the place, the level note, units, numbers and year
labels for captions, headings, captions and legends.
"""

from __future__ import annotations

import html

import pandas as pd

from ..contract.catalog import Measure
from ..periods import window
from ..render import tables
from .context import Context


def _geo_phrase(ctx: Context, geography: str | None = None) -> str:
    g = geography or ctx.geography
    return "the force" if g == "Force" else g


def _level_note(ctx: Context, m: Measure) -> str:
    if ctx.geography_for(m) != ctx.geography:
        return f"{m.title} is not available at this level: Force figures shown. "
    return ""


def _unit_label(m: Measure) -> str:
    return {
        "count": "Number",
        "percent": "%",
        "seconds": "Seconds",
        "minutes": "Minutes",
        "days": "Days per person",
        "money": "£ million",
        "rate": "Per 1,000 residents",
    }.get(m.unit, m.unit)


def _fmt(v: float | None, unit: str, decimals: int = 1) -> str:
    """A number for a caption: counts with thousands separators, others as in the tables."""
    if unit == "count" and v is not None and not pd.isna(v):
        return f"{v:,.0f}"
    return tables.format_value(v, unit, decimals)


def _years(ctx: Context, m: Measure | None = None, kind: str | None = None) -> tuple[str, str]:
    """Labels for last year / this year windows (e.g. "Oct 2014 – Sep 2015")."""
    k = kind or (m.window_kind(ctx.period) if m else ctx.period)
    w = window(k, ctx.month, lag=m.lag if m else 0)
    return w.last_year().label, w.label


def _heading(item_title: str) -> str:
    return f"<h3>{html.escape(item_title)}</h3>"


def _caption(text: str) -> str:
    return f"<figcaption>{html.escape(text)}</figcaption>"


def _p(text: str) -> str:
    return f'<p class="ppw-legend">{html.escape(text)}</p>'
