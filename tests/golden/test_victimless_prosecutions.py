"""Golden: the March 2014 report's victimless prosecutions "since November 2013", read from the
demo force's pack page (area 1, management information) as a commander sees it.

Seed: ``shared/seeds/001_c98b3cba0a3e716e.txt``, lines 108-117 ("Victimless Prosecutions").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.config import DEMO_DATA_DIR, PROJECT_ROOT
from helpers.pages import report

SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "001_c98b3cba0a3e716e.txt"
#: The published figures: (the row of the page's table, the figure, the seed's words).
PUBLISHED = [
    ("Finalised cases", 76, "76 finalised cases"),
    ("Successful prosecutions (guilty plea or found guilty)", 41,
     "41 successful prosecutions by guilty plea or found guilty"),
    ("Dismissed or no evidence offered", 33, "33 dismissed/no evidence offered"),
    ("Cases pending at the end of the month", 15, "15 cases pending"),
]  # fmt: skip
#: Finalised another way: 76 finalised less 41 successful and 33 dismissed (not printed as such).
DERIVED = [("Finalised another way", 2)]


@pytest.fixture(scope="module")
def page_table() -> dict[str, str]:
    if not (DEMO_DATA_DIR / ".complete").exists():
        pytest.skip("needs the demo data (make data)")
    page = report.AreaPage(1, month="2014-03", period="fytd")
    html = page.management_information("victimless_prosecutions").data
    view = html.split('data-geography="Force"', 1)[1].split('class="ppw-view"', 1)[0]  # the force's
    return dict(re.findall(r"<tr><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>", view))


@pytest.mark.parametrize(
    "row, figure", [p[:2] for p in PUBLISHED] + DERIVED, ids=[p[0] for p in PUBLISHED + DERIVED]
)
def test_the_published_figure_is_on_the_page(page_table, row, figure):
    assert page_table[row] == f"{figure:,}"


@pytest.mark.parametrize("row, figure, words", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_the_expected_figures_are_the_seeds_words(row, figure, words):
    """A guard on this file's table: each figure above is quoted from the report."""
    if not SEED.exists():
        pytest.skip(f"{SEED} is absent (the shared seeds sit beside the project)")
    assert str(figure) in words and words in Path(SEED).read_text(encoding="utf-8")


def test_the_page_says_since_when(page_table):
    page = report.AreaPage(1, month="2014-03", period="fytd")
    text = page.management_information("victimless_prosecutions").data
    assert "November 2013 to March 2014" in text and "since November 2013" in text
