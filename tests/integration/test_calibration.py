"""Calibration: the demo data reproduce every published figure through the product's own path.

For each row of ``tests/golden/published_tables.csv`` (both reports, last year and this year) the
figure computed by :func:`helpers.analysis.performance.performance_rows` from ``data/demo`` (via the cube)
must be within 3% or 3 units (counts, whichever is larger), 1.0 point (rates) or 1 second (waits).
A published N/A must read N/A. ``make test`` builds ``data/demo`` first (``python -m helpers.sources.demo``).
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import DEMO_DATA_DIR

PUBLISHED = Path(__file__).resolve().parents[1] / "golden" / "published_tables.csv"
ROWS = list(csv.DictReader(PUBLISHED.open(encoding="utf-8")))
#: The period each published report was run for.
REPORT_PERIOD = {"2016-09": "rolling-12m", "2014-03": "fytd"}


def tolerance(unit: str, expected: float) -> float:
    """Allowed absolute difference for a published figure."""
    if unit == "count":
        return max(3.0, 0.03 * abs(expected))
    if unit == "seconds":
        return 1.0
    return 1.0  # percentage points


def cases() -> list[tuple[dict, str]]:
    return [(r, which) for r in ROWS for which in ("last_year", "this_year")]


def _case_id(case) -> str:
    r, which = case
    return f"{r['report']}-{which}-{r['measure'][:50]}"


@cache
def computed_rows(data_dir: str, report: str) -> pd.DataFrame:
    """Force performance rows (all areas, in-table measures) for a published report month."""
    from helpers.analysis.performance import performance_rows
    from helpers.measures.cube import load_cube

    cube = load_cube(data_dir)
    return performance_rows(cube, None, report, REPORT_PERIOD[report], "Force", in_table=True)


def check(rows: pd.DataFrame, row: dict, which: str) -> tuple[bool, str, float | None]:
    """Compare one published figure with the computed rows: (ok, message, value got)."""
    match = rows[rows["measure"] == row["measure"]]
    if len(match) != 1:
        return False, f"{len(match)} computed rows titled {row['measure']!r}", None
    got = match.iloc[0][which]
    got = None if got is None or (isinstance(got, float) and math.isnan(got)) else float(got)
    text = row[which].strip()
    label = f"{row['report']} {row['period']} {which} · {row['measure']}"
    if text == "":
        ok = got is None
        return ok, f"{label}: published N/A, got {got}", got
    expected = float(text)
    tol = tolerance(row["unit"], expected)
    if got is None:
        note = match.iloc[0]["note"]
        return False, f"{label}: expected {expected:g} ± {tol:g}, got N/A ({note})", None
    ok = abs(got - expected) <= tol + 1e-9
    return ok, f"{label}: expected {expected:g}, got {got:g}, tolerance ± {tol:g}", got


@pytest.fixture(scope="module")
def demo_dir() -> str:
    if not (DEMO_DATA_DIR / ".complete").exists():
        pytest.skip(
            f"{DEMO_DATA_DIR}/.complete is absent: build the demo data first "
            "(make data, or python -m helpers.sources.demo --out data/demo)"
        )
    return str(DEMO_DATA_DIR)


@pytest.mark.parametrize("case", cases(), ids=_case_id)
def test_published_figure_is_reproduced(demo_dir, case):
    row, which = case
    ok, message, _ = check(computed_rows(demo_dir, row["report"]), row, which)
    assert ok, message
