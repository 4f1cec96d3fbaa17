"""Accessibility of the pack's pages, checked by axe-core in headless Chromium (issue 20).

axe-core (Deque's rules for WCAG 2.x A/AA and best practice, from the npm registry, pinned in
``support.browser.AXE_VERSION``) is injected into every page with selenium and run on the page as
it opens (the force's view) and on a district's view (``#geography=…&period=fytd``: other tables
and charts shown). No "serious" or "critical" violation is allowed; the moderate and minor ones are
printed. Two packs: the runner's small fixture notebooks (the page shell, the selectors, a
performance table, a chart with its data table), and — marked slow — the real pack on the demo
data, every page.

Skipped with the reason without Chromium, selenium or npm (and the registry) for axe-core.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell
from support.browser import Unavailable, axe_source, chrome, chromium_missing
from support.packs import make_data, make_notebooks, tiny_cube

from helpers.pack import runner as pack

pytestmark = pytest.mark.browser

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e .[dev])")
if chromium_missing():
    pytest.skip(chromium_missing(), allow_module_level=True)

#: A performance table and a chart with its data, as the pages draw them.
TABLE_AND_CHART = """from IPython.display import HTML
import pandas as pd

from helpers.render import charts, tables
from helpers.render.chart_data import chart_data_html

rows = pd.DataFrame([{"label": "All crime", "unit": "count", "decimals": 0, "last_year": 100.0,
                      "this_year": 90.0, "change": -10.0, "direction": "better",
                      "window_kind": "rolling-12m", "window_label": "Oct 2015 – Sep 2016"}])
df = pd.DataFrame({"category": ["A", "A", "B", "B"], "year": ["Last year", "This year"] * 2,
                   "value": [3.0, 4.0, 5.0, 6.0]})
kwargs = {"category": "category", "value": "value", "title": "Crimes", "value_label": "Crimes"}
HTML(tables.CSS
     + tables.performance_table(rows, title="6. Crime", month="2016-09", period="rolling-12m")
     + tables.simple_table(rows[["label", "this_year"]], caption="Crimes this year")
     + charts.figure_html(charts.grouped_bar(df, **kwargs), "Crimes by group.", compact=True)
     + chart_data_html(charts.grouped_bar, (df,), kwargs))"""

DISTRICT_VIEW = "#geography=Colchester&period=fytd"

_RUN_AXE = """
var done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  done(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
            where: v.nodes.slice(0, 3).map(function (n) { return n.html.slice(0, 160); })};
  }));
}).catch(function (e) { done({error: String(e)}); });
"""


@pytest.fixture(scope="module")
def axe() -> str:
    try:
        return axe_source()
    except Unavailable as exc:
        pytest.skip(f"axe-core unavailable: {exc}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chrome(tmp_path_factory.mktemp("chromium-a11y"))
    yield driver
    driver.quit()


def violations(driver, axe: str, page: Path, hash_: str = "") -> list[dict]:
    """axe-core's violations on ``page`` opened (from disk, offline) at ``hash_``."""
    driver.get(page.as_uri() + hash_)
    driver.execute_script(axe)
    found = driver.execute_async_script(_RUN_AXE)
    assert not isinstance(found, dict), f"{page.name}: axe-core failed: {found}"
    return found


def serious(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in ("serious", "critical")]


#: Pages also checked at the district view (every page is checked as it opens): the master and
#: the richest area page; the other pages' district views are the same markup with other figures.
DISTRICT_VIEW_PAGES = ("index.html", "01_domestic_abuse.html", "06_crime_prevention.html")


def check_pages(driver, axe: str, pages: list[Path], capsys=None) -> None:
    problems, minor = {}, {}
    for page in pages:
        hashes = ("", DISTRICT_VIEW) if page.name in DISTRICT_VIEW_PAGES else ("",)
        for hash_ in hashes:
            found = violations(driver, axe, page, hash_)
            if serious(found):
                problems[page.name + hash_] = serious(found)
            rest = sorted({f"{v['id']} ({v['impact']})" for v in found} - {
                f"{v['id']} ({v['impact']})" for v in serious(found)
            })  # fmt: skip
            if rest:
                minor[page.name + hash_] = rest
    if minor:  # shown with -s; the rule is about serious and critical only
        print("axe-core, moderate and minor:", json.dumps(minor, indent=1))
    assert problems == {}, "axe-core found serious violations:\n" + json.dumps(problems, indent=1)


@pytest.fixture(scope="module")
def fixture_pack(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("a11y-pack")
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "notebooks")
    path = notebooks / "01_domestic_abuse.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell(TABLE_AND_CHART))
    nbformat.write(nb, path)
    out = tmp_path / "reports" / "2016-09"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack, "load_cube", lambda d, **_: tiny_cube())
        mp.setattr(pack, "tables_csv", lambda c, m, p: pd.DataFrame({"x": [1]}))
        code = pack.main(
            ["--month", "2016-09", "--data", str(tmp_path / "data"), "--notebooks-dir",
             str(notebooks), "--out", str(out), "--jobs", "2", "--no-pdf"]
        )  # fmt: skip
    assert code == 0
    return out


def test_axe_finds_what_it_should_on_a_page_without_the_packs_care(browser, axe, tmp_path):
    """The control: an image without alternative text and an unlabelled select are found, so
    "no violation" below means the checker ran, not that it saw nothing."""
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "<select><option>Force</option></select></body></html>",
        encoding="utf-8",
    )
    ids = {v["id"] for v in serious(violations(browser, axe, page))}
    assert {"image-alt", "select-name"} <= ids


def test_every_page_of_a_pack_has_no_serious_violation(browser, axe, fixture_pack):
    pages = sorted(fixture_pack.glob("*.html"))
    assert [p.name for p in pages] == ["01_domestic_abuse.html", "02_victims.html", "index.html"]
    page = (fixture_pack / "01_domestic_abuse.html").read_text(encoding="utf-8")
    assert "<caption" in page and "Chart data" in page  # the fixture shows what is checked
    check_pages(browser, axe, pages)


#: e.g. 00,01,06: check some pages of the shared demo pack only (the pack itself is whole)
PACK_NOTEBOOKS = os.environ.get("PACK_NOTEBOOKS")


@pytest.mark.slow
def test_every_page_of_the_real_pack_has_no_serious_violation(browser, axe, demo_pack):
    wanted = PACK_NOTEBOOKS.split(",") if PACK_NOTEBOOKS else None
    pages = [
        p
        for p in sorted(demo_pack.glob("*.html"))
        if wanted is None or (p.stem[:2] if p.stem != "index" else "00") in wanted
    ]
    assert len(pages) == (len(wanted) if wanted else 9)
    check_pages(browser, axe, pages)
