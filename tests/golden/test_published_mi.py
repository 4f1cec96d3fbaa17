"""Golden tests: the management information the published reports print in their text (not in the
headline tables), reproduced by the demo force through the product's path.

``published_mi.csv`` holds one row per figure: the report, the seed text and line it is printed
on (``shared/seeds/``), the catalog measure (or two, for a share or a comparison), the geography
(``Thurrock/Force``: a share of Thurrock in the force),
the window (``<kind> <month>``), the figure as printed and its value. Each is read from the
demo cube (:meth:`helpers.measures.cube.Cube.value` on the window, printed as the tables print it:
half-up to the published decimals), never from the generator. Counts must be exact, rates equal
to the printed decimal; a count the seed text cuts off (value ending ``…``: North's "11,57" in the
September 2016 emergency-incidents table) must begin with the digits printed. The BME/White
comparison is the satisfaction page's own sentence, under the force's significance rule; the
savings plan is the efficiency page's sentence (the years' requirements to date from the cube, the
plan's total from the force's ``force.yaml``); the emergency incidents more than last year are the
victims page's sentence under its table.
"""

from __future__ import annotations

import csv
import html
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from helpers import periods
from helpers.analysis import compare
from helpers.config import DEMO_DATA_DIR, PROJECT_ROOT

PUBLISHED = Path(__file__).resolve().parent / "published_mi.csv"
ROWS = list(csv.DictReader(PUBLISHED.open(encoding="utf-8")))
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def cube():
    if not (DEMO_DATA_DIR / ".complete").exists():
        pytest.skip(f"{DEMO_DATA_DIR}/.complete is absent: build the demo data first (make data)")
    from helpers.measures.cube import load_cube

    return load_cube(DEMO_DATA_DIR)


def _window(period: str, measure_id: str) -> periods.Window:
    from helpers.contract.catalog import measure

    kind, month = period.split()
    return periods.window(kind, pd.Period(month, "M"), lag=measure(measure_id).lag)


def _printed(value: float, published: str) -> Decimal:
    """``value`` rounded half-up to the decimals of the published figure."""
    decimals = len(published.split(".")[1]) if "." in published else 0
    return compare.round_half_up(value, decimals)


def _value(cube, measure_id: str, geography: str, period: str) -> float:
    v = cube.value(measure_id, _window(period, measure_id), geography)
    assert v.available, f"{measure_id} {geography} {period}: {v.reason}"
    return float(v.value)


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['measure']}-{r['geography']}-{r['period']}" for r in ROWS]
)
def test_published_management_information_is_reproduced(cube, row):
    measure, geography, period, value = (
        row["measure"],
        row["geography"],
        row["period"],
        row["value"],
    )
    if " share of " in measure:  # geography "A/B": the part in A, the whole in B
        part, whole = measure.split(" share of ")
        g_part, g_whole = (geography.split("/") * 2)[:2]
        got = 100 * _value(cube, part, g_part, period) / _value(cube, whole, g_whole, period)
        assert _printed(got, value) == Decimal(value), f"{measure}: {got:.2f} %"
    elif measure.startswith("savings"):  # the efficiency page's sentence of the force's plan
        from helpers.pages import report

        kind, month = period.split()
        page = report.AreaPage(7, month=month, period=kind, cube=cube)
        text = html.unescape(page.management_information("savings").data)
        if measure == "savings plan":
            assert f"within the plan's £{value}m for 2015/16 to 2019/20" in text
        else:
            assert f"Savings of £{value}m are to be made by 31/03/2017" in text
    elif measure == "emergency_incidents more than last year":  # the victims page's sentence
        from helpers.pages import report

        kind, month = period.split()
        page = report.AreaPage(2, month=month, period=kind, cube=cube)
        text = html.unescape(page.item_html("emergency_by_lpa"))
        assert f"dealt with {int(value):,} more emergency incidents than in the same period" in text
    elif " against " in measure:
        from helpers.pages import report

        kind, month = period.split()
        page = report.AreaPage(2, month=month, period=kind, cube=cube)
        text = html.unescape(page.item_html("satisfaction_bme"))
        verdict = {"not significant": "not a statistically significant difference"}[value]
        assert verdict in text
    elif value.endswith("…"):  # a count cut off in the seed text: the digits it does print
        got = _value(cube, measure, geography, period)
        assert f"{_printed(got, '0'):,}".startswith(value[:-1]), f"{measure} {geography}: {got}"
    else:
        got = _value(cube, measure, geography, period)
        assert _printed(got, value) == Decimal(value), f"{measure} {geography} {period}: {got}"


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds is not beside the project")
def test_each_figure_is_printed_on_its_line_of_the_seed_text():
    for row in ROWS:
        lines = (SEEDS / row["seed_file"]).read_text(encoding="utf-8").splitlines()
        assert row["figure"] in lines[int(row["line"]) - 1], row
