"""Honest selectors on the pages (issue 20): every item of Management Information is a set of
switched views that follows the page's selection, an item the pack draws for the force alone says
so on a district view, and the page shell's heading names the view and marks it for the script.

The browser test (tests/integration/test_browser.py) checks the same in Chromium; these check the
HTML the pages and the export write, on a small synthetic cube (crimes and incidents only).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pytest

from helpers.pack import runner as pack
from helpers.pages import report, sections

#: Items with data in the synthetic cube: force-only ones (drawn once per period) and one that
#: follows the place (rural, a table).
KEYS = {
    1: ["da_repeat_victims"],
    4: ["nte_by_district", "qualifiers_by_month", "class_a"],
    6: ["disposals", "msg_crime_rate", "asb_by_month", "rural", "district_table"],
}


@pytest.fixture(scope="module")
def cube(synthetic_cube):
    return synthetic_cube


@pytest.fixture(autouse=True)
def _fresh_fragments(fresh_fragments):
    """Every test of this module starts and ends with no rendered fragment."""


class Blocks(HTMLParser):
    """Each switcher of an item's HTML: its attributes, its force-only line, its views' images."""

    def __init__(self):
        super().__init__()
        self.blocks: list[dict] = []
        self._depth = 0  # <div> depth inside the current switcher
        self._view: dict | None = None
        self._line: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div" and "ppw-switcher" in classes:
            self.blocks.append({"attrs": a, "line": None, "views": []})
            self._depth = 1
            return
        if not self._depth:
            return
        block = self.blocks[-1]
        if tag == "div":
            self._depth += 1
            if "ppw-view" in classes:
                self._view = {"attrs": a, "alts": [], "text": "", "depth": self._depth}
                block["views"].append(self._view)
        elif tag == "p" and "ppw-force-only" in classes:
            self._line = block["line"] = {"attrs": a, "text": ""}
        elif tag == "img" and self._view is not None:
            self._view["alts"].append(a.get("alt", ""))

    def handle_endtag(self, tag):
        if tag == "p":
            self._line = None
        if tag != "div" or not self._depth:
            return
        if self._view is not None and self._view["depth"] == self._depth:
            self._view = None
        self._depth -= 1

    def handle_data(self, data):
        if self._line is not None:
            self._line["text"] += data
        if self._view is not None:
            self._view["text"] += data


def blocks(html: str) -> list[dict]:
    parser = Blocks()
    parser.feed(html)
    return parser.blocks


def shown_view(block: dict) -> dict:
    """The view the block shows without JavaScript (the one stored copy not hidden)."""
    shown = [v for v in block["views"] if "id" in v["attrs"] and "hidden" not in v["attrs"]]
    assert len(shown) == 1
    return shown[0]


def test_every_item_is_views_of_every_place_and_period(cube):
    for area, keys in KEYS.items():
        page = report.AreaPage(area, month="2016-09", cube=cube)
        places = [name for _, name in report.geography_options(cube)]
        for key in keys:
            found = blocks(page.management_information(key, interactive=False).data)
            assert len(found) == 1, key
            views = {(v["attrs"]["data-geography"], v["attrs"]["data-period"]) for v in found[0]["views"]}  # fmt: skip
            assert views == {(g, p) for g in places for p in page.view_periods()}, key


@pytest.mark.parametrize("area", sorted(KEYS))
def test_on_a_district_view_every_chart_is_the_districts_or_says_it_is_the_forces(cube, area):
    page = report.AreaPage(area, month="2016-09", geography="Basildon", cube=cube)
    charts = labelled = 0
    for key in KEYS[area]:
        it = sections.item(key)
        (block,) = blocks(page.management_information(key, interactive=False).data)
        view = shown_view(block)
        line = block["line"]
        if it.switchable:
            assert line is None, key
            assert "Basildon" in view["text"] + " ".join(view["alts"]), key
        elif not (it.by_geography or it.force_only):  # a table of every place (the districts')
            assert line is None and view["alts"] == [], key
        else:
            assert line is not None and "hidden" not in line["attrs"], key  # Basildon is chosen
            assert line["text"].startswith("Force figures: "), key
            assert "not kept by district" in line["text"], key
            assert view["attrs"]["data-geography"] == "Force", key  # the force's content shown
            labelled += len(view["alts"])
        charts += len(view["alts"])
    assert charts > 0
    if area != 6:
        assert labelled == charts


def test_the_force_only_line_gives_the_items_reason_or_the_packs(cube):
    page = report.AreaPage(6, month="2016-09", cube=cube)
    line = blocks(page.management_information("msg_crime_rate", interactive=False).data)[0]["line"]
    assert "hidden" in line["attrs"]  # the page shows the force
    assert line["text"] == (
        "Force figures: this chart is not kept by district (the Most Similar Group compares "
        "whole forces)."
    )
    line = blocks(page.management_information("disposals", interactive=False).data)[0]["line"]
    assert line["text"].endswith(f"({report.FORCE_ONLY_REASON}).")


def test_an_item_the_same_for_every_place_but_not_the_forces_has_no_force_line(cube):
    page = report.AreaPage(6, month="2016-09", geography="Basildon", cube=cube)
    (block,) = blocks(page.management_information("district_table", interactive=False).data)
    assert block["line"] is None
    assert "Basildon" in shown_view(block)["text"]  # the table of every district


def test_a_force_items_views_follow_the_period_and_its_heading_is_printed_once(cube):
    page = report.AreaPage(6, month="2016-09", cube=cube)
    html = page.management_information("disposals", interactive=False).data
    (block,) = blocks(html)
    stored = {v["attrs"]["data-period"]: v["text"] for v in block["views"] if "id" in v["attrs"]}
    assert set(stored) == {"rolling-12m", "fytd"}
    assert "Oct 2015 – Sep 2016" in stored["rolling-12m"]
    assert "Apr 2016 – Sep 2016" in stored["fytd"]
    assert html.count("<h3>Breakdown of offence disposals</h3>") == 1
    assert html.index("<h3>") < html.index('class="ppw-switcher"')
    assert "<select" not in html and "<script" not in html  # it follows the page's selectors


def test_a_pack_header_names_the_view_for_the_script_and_says_when_selectors_cannot_work(
    tmp_path,
):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook = pack.Notebook(tmp_path / "01_domestic_abuse.ipynb", "01", "domestic_abuse")
    run = pack.Run(
        month="2016-09",
        period="fytd",
        data_dir=tmp_path,
        out=tmp_path / "out",
        jobs=1,
        timeout=10,
        notebooks=[notebook],
        notebooks_dir=tmp_path,
    )
    shell = pack.page_shell(run, notebook, force_name="Force", marking="OFFICIAL", data_to=None)
    page, _ = pack.export_html(nb, shell)
    heading = re.search(r'<div class="ppw-heading">(.*?)</div>', page, re.S).group(1)
    assert (
        '<span class="ppw-period"><span data-ppw-geography>Force</span> · '
        "<span data-ppw-period>Financial year to date</span></span>"
    ) in heading
    assert re.search(
        r"<p [^>]*data-ppw-js-notice>Selectors need JavaScript: this page shows the Force, "
        r"financial year to date\.</p>",
        page,
    )
    assert re.search(r"<p [^>]*data-ppw-hash-notice hidden></p>", page)
    footer = re.search(r'<p class="ppw-source">(.*?)</p>', page, re.S).group(1)
    assert "<span data-ppw-geography>Force</span> · <span data-ppw-period>Financial year" in footer


def test_the_masters_districts_follow_the_period_and_are_the_same_for_every_place(cube):
    master = report.MasterPage(month="2016-09", cube=cube)
    (block,) = blocks(master.district_comparison().data)
    stored = {v["attrs"]["data-period"]: v["text"] for v in block["views"] if "id" in v["attrs"]}
    assert set(stored) == {"rolling-12m", "fytd"}  # one table a period, shared by every place
    assert "Oct 2015 – Sep 2016" in stored["rolling-12m"]
    assert "Apr 2016 – Sep 2016" in stored["fytd"] and "Oct 2015" not in stored["fytd"]
    assert all("Basildon" in text for text in stored.values())
    assert block["line"] is None  # every district, not the force's figures
