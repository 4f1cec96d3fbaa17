"""The national rank: a crime measure's figures for all 43 forces of ``data/reference/forces.csv``
on a window (the published reports' "34th nationally"), from the peers' monthly ``msg_peers``
rows the importer writes when every force's street files are imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import periods
from ..profile import forces_table
from .results import PeerGroup

if TYPE_CHECKING:
    from .figures import Cube

#: The measures ranked nationally, on crimes per 1,000 residents.
NATIONAL_MEASURES = ("all_crime", "victim_based_crime")


def national_group(cube: Cube, measure_id: str, window: periods.Window) -> PeerGroup | None:
    """Every force's crimes per 1,000 residents of ``measure_id`` on ``window``, or None.

    The forces are those of ``data/reference/forces.csv`` with ``msg_peers`` figures for every
    month of the window (each force's count over its population in that table), and the home
    force (its count over the profile's population, named as in its profile). A peer of the
    profile named otherwise than in the table is matched by its ``police_uk_slug``.

    None unless every force of the table has a figure (the home force included): a rank "of 20"
    is no national rank, so a partial one is never given. None also for a measure other than
    :data:`NATIONAL_MEASURES`. ``left_out`` is always empty.
    """
    if measure_id not in NATIONAL_MEASURES:
        return None
    table = cube.derived(("national_forces",), forces_table)
    ref = cube._reference()
    home = cube.value(measure_id, window)
    if not home.available or home.numerator is None or ref.home_population <= 0:
        return None
    name_of = dict(zip(table["police_uk_slug"], table["force"], strict=True))
    msg = ref.msg_forces
    alias = (
        {f: name_of.get(s, f) for f, s in zip(msg["force"], msg["police_uk_slug"], strict=True)}
        if "police_uk_slug" in msg
        else {}
    )
    home_name = alias.get(ref.home_force, ref.home_force)
    others = {f: float(p) for f, p in zip(table["force"], table["population_2016"], strict=True)}
    if home_name not in others:
        return None  # the home force is not one of the 43
    others.pop(home_name)
    peers = cube.peers
    if not len(peers):
        return None
    p = peers[(peers["measure_id"] == measure_id) & (peers["window"] == "month")]
    months = [m.strftime("%Y-%m") for m in window.months]
    p = p[p["month"].isin(months)]
    forces = p["force"].map(lambda f: alias.get(f, f))
    p = p.assign(force=forces)[forces.isin(others).to_numpy()]
    sums = p.groupby("force")["numerator"].sum()
    n_months = p.groupby("force")["month"].nunique()
    values: dict[str, float] = {}
    for force, population in others.items():
        if n_months.get(force, 0) != len(months) or not population > 0:
            return None
        values[force] = 1000.0 * float(sums[force]) / population
    values[ref.home_force] = 1000.0 * float(home.numerator) / ref.home_population
    return PeerGroup(dict(sorted(values.items())), {}, window.label)


__all__ = ["NATIONAL_MEASURES", "national_group"]
