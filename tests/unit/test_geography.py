"""The one Force → LPA → district hierarchy, and what is worked out from a cube living on it."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from helpers.geography import FORCE, UNASSIGNED, Hierarchy, UnknownGeography
from helpers.measures.cube import build_cube
from helpers.pages import sections

PAIRS = pd.DataFrame(
    {"district": ["Zed", "Alpha", "Mid", "Beta"], "lpa": ["North", "South", "North", "South"]}
)


def test_levels_lists_and_lpa_of_come_from_the_district_table():
    h = Hierarchy.from_districts(PAIRS)
    assert h.lpas == ["North", "South"]
    assert h.districts() == ["Alpha", "Beta", "Mid", "Zed"]
    assert h.districts("North") == ["Mid", "Zed"]
    assert h.level_of(FORCE) == "force"
    assert h.level_of("South") == "lpa"
    assert h.level_of("Mid") == "district"
    assert h.level_of(UNASSIGNED) == "district"  # counted in the force, never listed
    assert h.lpa_of("Zed") == "North" and h.lpa_of("South") == "South"
    assert h.lpa_of(FORCE) is None and h.lpa_of(UNASSIGNED) is None


def test_the_frame_and_the_selector_options_list_force_then_lpas_then_districts():
    h = Hierarchy.from_districts(PAIRS)
    frame = h.frame()
    assert list(frame.columns) == ["level", "geography", "lpa"]
    # districts grouped by LPA in the frame; alphabetical in the selectors
    assert list(frame["geography"]) == [FORCE, "North", "South", "Mid", "Zed", "Alpha", "Beta"]
    assert h.frame(include_unassigned=True)["geography"].iloc[-1] == UNASSIGNED
    assert [n for _, n in h.options()] == [FORCE, "North", "South", "Alpha", "Beta", "Mid", "Zed"]
    assert h.options(include_unassigned=True)[-1] == ("district", UNASSIGNED)


def test_an_unknown_place_is_an_error_naming_the_places_there_are():
    h = Hierarchy.from_districts(PAIRS)
    with pytest.raises(UnknownGeography, match="'Mdi' is not known.*Force, North, South, Mid, Zed"):
        h.level_of("Mdi")
    # caught as a lookup (the cube's callers) or as a bad parameter value (the pages')
    assert issubclass(UnknownGeography, KeyError) and issubclass(UnknownGeography, ValueError)


def test_the_same_table_in_another_order_is_the_same_hierarchy():
    assert Hierarchy.from_districts(PAIRS) == Hierarchy.from_districts(PAIRS.iloc[::-1])


def _crimes(n: int) -> dict[str, pd.DataFrame]:
    months = pd.date_range("2016-01-05", periods=n, freq="7D")
    return {
        "crimes": pd.DataFrame(
            {
                "crime_id": [f"C{i}" for i in range(n)],
                "recorded_date": months,
                "offence_group": "Theft",
                "district": "Basildon",
            }
        )
    }


def test_sources_present_belong_to_their_cube_even_when_a_discarded_cube_s_id_is_reused():
    """A cache keyed on ``id(cube)`` gave a cube without crimes the sources of a discarded cube
    that had them (Python re-uses ids): each cube now keeps its own."""
    kept = build_cube(_crimes(20)), build_cube({"workforce": pd.DataFrame()})
    assert ["crimes" in sections.sources_present(c) for c in kept] == [True, False]
    for _ in range(4):
        with_crimes = build_cube(_crimes(20))
        assert "crimes" in sections.sources_present(with_crimes)
        del with_crimes
        gc.collect()
        without = build_cube({"workforce": pd.DataFrame()})
        assert "crimes" not in sections.sources_present(without)
