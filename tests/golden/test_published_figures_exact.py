"""Golden: every last-year and this-year figure of the two published reports' tables, as the demo
force's pack prints it (half-up to the published decimals), is the published figure exactly.

``tests/integration/test_calibration.py`` allows a tolerance (it also serves other data); this
file holds the demo force to the exact figure, so that a calibration step elsewhere in the
generator (February 2014, the cohorts, the risk levels) cannot move a published total unseen.
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

import pytest

from helpers.analysis import compare
from helpers.config import DEMO_DATA_DIR

PUBLISHED = Path(__file__).resolve().parent / "published_tables.csv"
ROWS = list(csv.DictReader(PUBLISHED.open(encoding="utf-8")))
PERIOD = {"2016-09": "rolling-12m", "2014-03": "fytd"}
CASES = [(r, which) for r in ROWS for which in ("last_year", "this_year") if r[which].strip()]


@pytest.fixture(scope="module")
def rows():
    if not (DEMO_DATA_DIR / ".complete").exists():
        pytest.skip("needs the demo data (make data)")
    from helpers.analysis.performance import performance_rows
    from helpers.measures.cube import load_cube

    cube = load_cube(DEMO_DATA_DIR)
    return {
        r: performance_rows(cube, None, r, p, "Force", in_table=True) for r, p in PERIOD.items()
    }


def test_there_are_the_published_figures():
    assert len(CASES) == 156  # the two tables' figures that are not N/A


@pytest.mark.parametrize(
    "row, which", CASES, ids=[f"{r['report']}-{w}-{r['measure'][:50]}" for r, w in CASES]
)
def test_the_published_figure_is_exact(rows, row, which):
    match = rows[row["report"]]
    [got] = match.loc[match["measure"] == row["measure"], which]
    assert got is not None and not (isinstance(got, float) and math.isnan(got))
    published = row[which].strip()
    decimals = len(published.split(".")[1]) if "." in published else 0
    assert compare.round_half_up(float(got), decimals) == Decimal(published)
