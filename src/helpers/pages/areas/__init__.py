"""The management-information items of each area page: one module per area.

Each module is named by the area's slug in the catalog (:data:`helpers.contract.catalog.AREA_SLUGS`:
``domestic_abuse``, ``victims``, ``reoffending``, ``alcohol_drugs_mental_health``, ``road_safety``,
``crime_prevention``, ``efficiency``, ``organisational_health``) and holds its items' build functions
and ``ITEMS``, its entries of the registry in page order. The modules import the shared part
(:class:`~helpers.pages.sections.Context`, :class:`~helpers.pages.sections.Item`, the chart helpers)
from :mod:`helpers.pages.sections`, which imports this package only when first asked for an item.
"""

from __future__ import annotations

import importlib

from ...contract.catalog import AREA_SLUGS
from ..sections import Item

#: Each area's module, by area number (1–8), in the catalog's order.
MODULES = {
    area: importlib.import_module(f"{__name__}.{slug}") for area, slug in sorted(AREA_SLUGS.items())
}

#: Every item, area by area, each area's in page order: the registry.
ITEMS: list[Item] = [it for module in MODULES.values() for it in module.ITEMS]

_misfiled = [
    f"{it.key} (area {it.area})" for a, m in MODULES.items() for it in m.ITEMS if it.area != a
]
if _misfiled:
    raise ImportError(f"items in the module of another area: {', '.join(_misfiled)}")

__all__ = ["ITEMS", "MODULES"]
