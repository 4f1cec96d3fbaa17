"""The analyst's workbook in a real JupyterLab, driven by headless Chromium (not in-process).

Area 6 on the demo data: run all cells, pick a district in the filter bar and read the table's
figures in the browser; then save the notebook, reopen it with a new kernel, and find the last view
on show with no "Error displaying widget: model not found". Skipped, with the reason, where Chromium,
chromedriver or the demo data are absent. (``scripts/lab_session.py`` drives the browser;
``scripts/bench_lab.py`` times the same changes.)
"""

from __future__ import annotations

import re
import shutil
import sys
from html.parser import HTMLParser

import pytest

from helpers.config import DEMO_DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import lab_session  # noqa: E402
import lab_settings  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if lab_session.browser_missing():
    pytest.skip(lab_session.browser_missing(), allow_module_level=True)
if not (DEMO_DATA_DIR / ".complete").exists():
    pytest.skip("data/demo/.complete is absent: run `make data` first", allow_module_level=True)

NOTEBOOK = "06_crime_prevention.ipynb"
DISTRICT = "Colchester"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def figures(text: str) -> set[str]:
    """The numbers of a text as printed ("12,345", "29.3%", "-5.3")."""
    return set(re.findall(r"-?\d[\d,]*(?:\.\d+)?%?", text))


def html_figures(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return figures(" ".join(parser.parts))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab_settings.write()  # what `make setup` and `make lab` do: widget state saved with notebooks
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOKS_DIR / NOTEBOOK, root / NOTEBOOK)
    with lab_session.LabServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    driver = lab_session.chromium(tmp_path_factory.mktemp("chromium"))
    yield lab_session.LabBrowser(lab, driver)
    driver.quit()


@pytest.fixture(scope="module")
def expected():
    """The table's figures for the force and for the district, worked out in this process."""
    from helpers.pages import report

    page = report.AreaPage(6, month="2016-09", period="rolling-12m", data_dir="data/demo")
    force = html_figures(page.table_html("Force"))
    district = html_figures(page.table_html(DISTRICT))
    return {"force": force - district, "district": district - force}


@pytest.fixture(scope="module")
def filtered(browser, expected):
    """The notebook run, then the district picked in the bar: the table's text before and after."""
    browser.open(NOTEBOOK)
    browser.run_all()
    assert browser.errors() == []
    browser.observe()
    before = browser.output_text(0)
    change = browser.change("Geography", f"{DISTRICT} — district", settle_ms=1000)
    return {"before": before, "after": browser.output_text(0), "change": change}


def test_changing_the_district_changes_the_tables_figures_to_the_districts(filtered, expected):
    before, after = filtered["before"], filtered["after"]
    assert f"{DISTRICT} (district)" not in before and f"{DISTRICT} (district)" in after
    # the figures that tell the two apart: the force's before the change, the district's after
    assert len(expected["district"]) >= 5, "the district's table should differ from the force's"
    assert expected["force"] <= figures(before)
    assert expected["district"] <= figures(after)
    assert not (expected["force"] & figures(after))
    assert (
        filtered["change"].table_ms > 0 and filtered["change"].all_ms >= filtered["change"].table_ms
    )


def test_a_notebook_saved_after_filtering_reopens_showing_the_last_view(filtered, browser, lab):
    browser.change("Period", "Financial year to date", settle_ms=1000)
    shown = browser.output_text(0)
    assert "Financial year to date" in shown and f"{DISTRICT} (district)" in shown
    browser.save()
    state = lab_session.notebook_widget_state(lab.root / NOTEBOOK)
    assert state.get("state"), "the widgets' state is saved in the notebook's metadata"
    chosen = {}  # the bar's drop-downs (and the explorer's) as saved: description → label shown
    for model in state["state"].values():
        if model.get("model_name") == "DropdownModel":
            st = model["state"]
            chosen.setdefault(st["description"], []).append(st["_options_labels"][st["index"]])
    assert f"{DISTRICT} — district" in chosen["Geography"]
    assert chosen["Period"] == ["Financial year to date"] and chosen["Month"] == ["Sep 2016"]
    # reopen as an analyst does the next day: a new page, a new kernel, no widget models in it
    browser.shutdown_kernels()
    browser.open(NOTEBOOK)
    browser.wait_for(
        "return __PANEL__().content.node.querySelectorAll('.widget-output').length >= 8",
        60,
        "the saved views to show",
    )
    assert browser.widget_errors() == []
    reopened = browser.output_text(0)
    assert f"{DISTRICT} (district)" in reopened and "Financial year to date" in reopened
    assert browser.selected("Geography") == f"{DISTRICT} — district"
