"""The management-information sections of the area pages: what every area's items share.

Each area has a list of :class:`Item` (a heading, one or more charts or small tables, a caption). An
item's ``build`` function takes a :class:`Context` (the cube, the report month, period and
geography) and returns HTML. The items themselves live in :mod:`helpers.pages.areas`, one module per
area (named by the catalog's ``AREA_SLUGS``). Here are the registry's look-ups (:func:`items_for`,
:func:`item`, :func:`render_item`), and every name the areas share, importable from here as before
and kept in a sibling module each: :mod:`.context` (:class:`Context`, :class:`Item`),
:mod:`.coverage` (what a source has and lacks), and the chart and table helpers several areas use:
:mod:`.wording`, :mod:`.charting`, :mod:`.district_table`. All the data shaping for charts lives in
these modules, so notebooks stay thin and chart builders (:mod:`helpers.render.charts`) stay free of
the cube.

Rules every item keeps:

- a source with no data → the visible note "No data for this area from this source", never zero;
  so too a measure whose source never records a column it needs (data.police.uk has no domestic
  abuse flag): :func:`measure_gaps` says which, ``Item.measures`` lets an item say so;
- a measure that does not exist at the chosen geography → the force figure, said so in the caption
  ("… is not available at this level: Force figures shown");
- a window with a month missing from the source → "not available", never a partial sum.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal

from ..periods import PERIOD_LABELS
from ..render import tables
from .charting import (  # noqa: F401
    _chart,
    _district_bar,
    _dpi,
    _year_frame,
    flag_stale,
    spc_figures,
    spc_with_caption,
)
from .context import Context, Item, _lpa_of  # noqa: F401
from .coverage import (  # noqa: F401
    SOURCE_NAMES,
    _as_list,
    _sources_present,
    measure_gaps,
    measure_has_data,
    measure_sources,
    never_recorded,
    not_recorded_text,
    sources_present,
)
from .district_table import (  # noqa: F401
    KEY_DISTRICT_MEASURES,
    _has_unassigned,
    _printed,
    district_table_html,
)
from .wording import (  # noqa: F401
    _caption,
    _fmt,
    _geo_phrase,
    _heading,
    _level_note,
    _p,
    _unit_label,
    _years,
)

# --------------------------------------------------------------------------------------------
# The registry (built by :mod:`helpers.pages.areas`, one module per area)
# --------------------------------------------------------------------------------------------


def _items() -> list[Item]:
    """Every item, area by area in page order: :data:`helpers.pages.areas.ITEMS`.

    Imported when first asked for, not at the top of this module: the area modules import the
    shared part from here.
    """
    from .areas import ITEMS

    return ITEMS


def __getattr__(name: str):
    if name == "ITEMS":  # ``sections.ITEMS``: the registry, as before the areas had modules
        return _items()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def items_for(area: int) -> list[Item]:
    """The management-information items of an area, in page order."""
    return [i for i in _items() if i.area == area]


def item(key: str) -> Item:
    """The item with this key (KeyError naming the known keys)."""
    items = _items()
    for i in items:
        if i.key == key:
            return i
    raise KeyError(
        f"unknown management-information item {key!r}; known: {', '.join(i.key for i in items)}"
    )


def render_item(it: Item, ctx: Context, *, heading: bool = True) -> str:
    """Return an item's HTML: its heading and content, or the no-data note if a source is missing."""
    head = _heading(it.title) if heading else ""
    missing = ctx.missing_sources(it.sources)
    if missing:
        names = ", ".join(SOURCE_NAMES.get(s, s) for s in missing)
        return head + tables.note_html(f"{tables.NO_SOURCE} ({names}).", "warning")
    if it.measures:
        gaps = [never_recorded(ctx.cube, mid) for mid in it.measures]
        if all(gaps):
            what = not_recorded_text(pair for g in gaps for pair in g)
            return head + tables.note_html(
                f"{tables.NO_SOURCE}: it does not record the {what}.", "warning"
            )
    # a stale source's figures are flagged where they are shown (coverage.stale_sources)
    return head + flag_stale(ctx, it.build(ctx), ctx.stale(it.measures, it.sources))


__all__ = [
    "Context",
    "ITEMS",  # noqa: F822 (given by the module's __getattr__)
    "Item",
    "PERIOD_LABELS",
    "district_table_html",
    "item",
    "items_for",
    "measure_sources",
    "render_item",
]

_ = (Decimal, field)  # re-exported types used in annotations by callers
