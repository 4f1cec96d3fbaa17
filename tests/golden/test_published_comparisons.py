"""Golden tests: the published Better/Worse and since-last-month figures, reproduced exactly.

The figures are public facts from the two published reports (``tests/golden/published_tables.csv``,
a copy of ``shared/seeds/tables.csv``).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from helpers.analysis.compare import better_worse, format_decimal, since_last_month
from helpers.contract import catalog

TABLES = Path(__file__).with_name("published_tables.csv")
ROWS = list(csv.DictReader(TABLES.open(encoding="utf-8")))
WITH_DIFF = [r for r in ROWS if r["published_diff"]]
WITH_LABEL = [r for r in ROWS if r["since_last_month"]]


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _id(r):
    return f"{r['report']}-{r['measure'][:40]}"


def test_published_table_has_the_rows_we_expect():
    assert len(ROWS) == 83
    assert len(WITH_DIFF) >= 60
    assert len(WITH_LABEL) >= 30


@pytest.mark.parametrize("row", WITH_DIFF, ids=_id)
def test_better_worse_reproduces_published_difference(row):
    got = better_worse(
        row["last_year"], row["this_year"], row["unit"], decimals=_decimals(row["published_diff"])
    )
    assert format_decimal(got) == row["published_diff"]


@pytest.mark.parametrize("row", WITH_LABEL, ids=_id)
def test_since_last_month_reproduces_published_label(row):
    text = row["since_last_month"]
    m = re.match(r"^(Improved|Worsened) \((-?\d+\.\d+)% pt\.\)$", text)
    titles = {m.title: m for m in catalog.load_catalog()}
    polarity = titles[row["measure"]].polarity
    if text == "Same":
        # "Same" at the row's printed precision: less than half a unit either way reads Same,
        # one unit either way does not (the row's own polarity and decimals).
        decimals = _decimals(row["published_diff"]) if row["published_diff"] else 1
        unit = Decimal(1).scaleb(-decimals)
        for d in (Decimal(0), unit * Decimal("0.4"), -unit * Decimal("0.4")):
            assert since_last_month(d, polarity, decimals=decimals) == "Same"
        for d in (unit, -unit):
            assert since_last_month(d, polarity, decimals=decimals) != "Same"
        return
    assert m, f"unexpected label {text!r}"
    diff = m.group(2)
    assert since_last_month(Decimal(diff), polarity, decimals=_decimals(diff)) == text


def test_half_even_rounding_would_break_the_golden_rows():
    """The rule matters: Python's round() gives 31.2 for 16 → 21 where the report prints 31.3."""
    assert round((21 - 16) / 16 * 100, 1) == 31.2
    assert format_decimal(better_worse(16, 21, "count")) == "31.3"
