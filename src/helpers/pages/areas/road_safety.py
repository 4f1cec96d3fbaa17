"""Area 5, Road safety: killed or seriously injured by road-user group, month and district.

The items' build functions and :data:`ITEMS`, their entries of the registry (in page order);
the shared helpers are in :mod:`helpers.pages.sections`.
"""

from __future__ import annotations

from ...contract.catalog import measure
from ...render import charts
from ..sections import (
    Context,
    Item,
    _chart,
    _district_bar,
    _geo_phrase,
    _year_frame,
    _years,
    spc_with_caption,
)

AREA = 5


KSI_GROUPS = [
    ("ksi_p2w", "Powered two-wheelers"),
    ("ksi_young_car_drivers", "Young car drivers (17-25)"),
    ("ksi_pedestrians", "Pedestrians"),
    ("ksi_cyclists", "Cyclists"),
    ("ksi_children", "Children and young people (0-17)"),
    ("ksi_drink_drivers", "Drink drivers"),
    ("ksi_drug_drivers", "Drug drivers"),
    ("ksi_older_car_drivers", "Car drivers aged 76+"),
]


def ksi_by_group(ctx: Context) -> str:
    df = _year_frame(ctx, KSI_GROUPS)
    m = measure("ksi_all")
    ly, ty = _years(ctx, m)
    return _chart(
        ctx,
        charts.grouped_bar,
        f"KSI (killed or seriously injured) casualties in each group, {ly} (grey) against {ty} (blue). Groups overlap (a young drink driver is in both).",
        df,
        category="category",
        value="value",
        title=f"People killed or seriously injured (KSI) by road-user group — {_geo_phrase(ctx)}",
        value_label="People killed or seriously injured",
        horizontal=True,
        height=4.0,
    )


def ksi_by_month(ctx: Context) -> str:
    return spc_with_caption(
        ctx,
        "ksi_all",
        about="of KSI casualties each month, by collision date",
        unit_label="People KSI per month",
        title=f"People killed or seriously injured (KSI) by month — {_geo_phrase(ctx)}",
    )


def ksi_by_district(ctx: Context) -> str:
    return _district_bar(
        ctx,
        "ksi_all",
        "People killed or seriously injured (KSI) by district",
        "People killed or seriously injured",
    )


#: The items of this area, in page order.
ITEMS: list[Item] = [
    Item(
        "ksi_by_group",
        AREA,
        "Killed or seriously injured (KSI) by road-user group",
        ksi_by_group,
        ("collisions", "casualties"),
        measures=tuple(mid for mid, _ in KSI_GROUPS),
    ),
    Item(
        "ksi_by_month",
        AREA,
        "Killed or seriously injured (KSI) by month",
        ksi_by_month,
        ("collisions", "casualties"),
        switchable=True,
        by_period=False,
        measures=("ksi_all", "ksi_fatal", "ksi_serious"),
    ),
    Item(
        "ksi_by_district",
        AREA,
        "Killed or seriously injured (KSI) by district",
        ksi_by_district,
        ("collisions", "casualties"),
        force_only="it shows every district of the force",
        measures=("ksi_all",),
    ),
]
