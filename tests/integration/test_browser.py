"""The pack's HTML in a real browser: headless Chromium, opened from disk with the network off.

Checks what a commander does: open index.html and an area page from a file share with no internet,
change the geography selector and see another table, follow the navigation, print. Any request
that is not ``file:`` or ``data:`` fails the test. Screenshots go to ``reports/screenshots/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell

from helpers import pack
from helpers.config import REPORTS_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.browser

selenium = pytest.importorskip(
    "selenium", reason="selenium is not installed (pip install -e .[dev])"
)
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        "headless Chromium not found (/usr/bin/chromium and /usr/bin/chromedriver); "
        "install with: apt-get install chromium chromium-driver",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from test_pack import FakeCube, make_data, make_notebooks  # noqa: E402

SCREENSHOTS = REPORTS_DIR / "screenshots"

# A second section on the page with the same key (kept in step with the first) and a force-only
# table that is the same for every geography (stored once).
SECOND_SECTION = """from helpers import views

views.switcher(
    lambda g, p: f"<table class='trend'><tr><th>trend {g}</th><td>{p}</td></tr></table>",
    [("force", "Force"), ("lpa", "North"), ("district", "Colchester")],
    ["rolling-12m", "fytd"],
)"""
FORCE_ONLY = """views.switcher(
    lambda g, p: f"<table class='force-only'><tr><th>sickness</th><td>{p}</td></tr></table>",
    [("force", "Force"), ("lpa", "North"), ("district", "Colchester")],
    ["rolling-12m", "fytd"],
)"""

LONG_TABLE = """from IPython.display import HTML

HTML("<table class='long'>" + "".join(f"<tr><td>row {i}</td></tr>" for i in range(150)) + "</table>")"""


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("browser")
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "notebooks")
    for name in ("00_master.ipynb", "01_domestic_abuse.ipynb"):
        nb = nbformat.read(notebooks / name, as_version=4)
        nb.cells += [new_code_cell(SECOND_SECTION), new_code_cell(FORCE_ONLY)]
        if name == "01_domestic_abuse.ipynb":  # long enough to print on several pages
            nb.cells.append(new_code_cell(LONG_TABLE))
        nbformat.write(nb, notebooks / name)
    out = tmp_path / "reports" / "2016-09"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack, "load_cube", lambda d: FakeCube())
        mp.setattr(pack, "tables_csv", lambda c, m, p: pd.DataFrame({"x": [1]}))
        code = pack.main(
            [
                "--month",
                "2016-09",
                "--data",
                str(tmp_path / "data"),
                "--notebooks-dir",
                str(notebooks),
                "--out",
                str(out),
                "--jobs",
                "2",
            ]  # fmt: skip
        )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    yield driver
    driver.quit()


def requested_urls(driver) -> list[str]:
    """URLs the page asked for (CDP Network.requestWillBeSent) since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def not_local(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(("file:", "data:", "about:"))]


def visible_tables(driver, css: str) -> list[str]:
    return [t.text for t in driver.find_elements(By.CSS_SELECTOR, css) if t.is_displayed()]


def open_page(driver, path: Path, hash_: str = ""):
    driver.get_log("performance")  # start a fresh request log
    driver.get(path.as_uri() + hash_)
    return requested_urls(driver)


def test_index_opens_offline_with_no_request_to_another_host(browser, pack_dir):
    urls = open_page(browser, pack_dir / "index.html")
    assert urls and all(u.startswith("file:") for u in urls[:1])
    assert not_local(urls) == []
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
    )
    assert not_local(resources) == []
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    assert "September 2016" in browser.find_element(By.CSS_SELECTOR, ".ppw-header").text


def test_changing_geography_changes_the_visible_table_in_every_section(browser, pack_dir):
    open_page(browser, pack_dir / "index.html")
    assert visible_tables(browser, "table.perf") == ["Force rolling-12m"]
    assert visible_tables(browser, "table.trend") == ["trend Force rolling-12m"]

    first = browser.find_elements(By.CSS_SELECTOR, "select.ppw-geography")[0]
    Select(first).select_by_value("Colchester")

    assert visible_tables(browser, "table.perf") == ["Colchester rolling-12m"]
    # The second section follows the first (same key), and its selector shows the choice.
    assert visible_tables(browser, "table.trend") == ["trend Colchester rolling-12m"]
    values = [
        s.get_attribute("value")
        for s in browser.find_elements(By.CSS_SELECTOR, "select.ppw-geography")
    ]
    assert set(values) == {"Colchester"}
    # A force-only table stored once still shows for Colchester.
    assert visible_tables(browser, "table.force-only") == ["sickness rolling-12m"]

    Select(browser.find_elements(By.CSS_SELECTOR, "select.ppw-period")[1]).select_by_value("fytd")
    assert visible_tables(browser, "table.perf") == ["Colchester fytd"]
    assert visible_tables(browser, "table.force-only") == ["sickness fytd"]
    assert browser.execute_script("return location.hash") == "#geography=Colchester&period=fytd"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "fixture_index_colchester_fytd.png"))


def test_a_link_with_a_hash_opens_a_district_view(browser, pack_dir):
    urls = open_page(browser, pack_dir / "01_domestic_abuse.html", "#geography=North&period=fytd")
    assert not_local(urls) == []
    assert visible_tables(browser, "table.perf") == ["North fytd"]
    assert visible_tables(browser, "table.trend") == ["trend North fytd"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "fixture_area_north_fytd.png"))


def test_navigation_keeps_the_chosen_view(browser, pack_dir):
    open_page(browser, pack_dir / "01_domestic_abuse.html", "#geography=Colchester&period=fytd")
    browser.find_element(By.CSS_SELECTOR, ".ppw-nav-top a.ppw-prev").click()
    assert browser.current_url.split("#")[0].endswith("/index.html")
    assert browser.execute_script("return location.hash") == "#geography=Colchester&period=fytd"
    assert visible_tables(browser, "table.perf") == ["Colchester fytd"]


def test_print_hides_selectors_and_names_the_view_shown(browser, pack_dir):
    open_page(browser, pack_dir / "index.html", "#geography=North&period=rolling-12m")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not any(
            e.is_displayed() for e in browser.find_elements(By.CSS_SELECTOR, ".ppw-selectors")
        )
        labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".ppw-print-label")]
        assert labels[0] == "North · Rolling 12 months"
        assert visible_tables(browser, "table.perf") == ["North rolling-12m"]
        marking = browser.find_elements(By.CSS_SELECTOR, ".ppw-marking")
        assert len(marking) == 2 and all(m.is_displayed() for m in marking)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_printed_pages_carry_the_protective_marking(browser, pack_dir, tmp_path):
    """Every printed page has the marking (CSS @page margin boxes): check via print-to-PDF text."""
    open_page(browser, pack_dir / "01_domestic_abuse.html")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"]
    import base64

    data = base64.b64decode(pdf)
    assert data.startswith(b"%PDF")
    (tmp_path / "index.pdf").write_bytes(data)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: page text not checked")
    import subprocess

    text = subprocess.run(
        ["pdftotext", str(tmp_path / "index.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    from helpers.config import force_config

    marking = force_config().protective_marking.upper()
    assert len(pages) >= 3  # the long table runs over several pages
    for number, page in enumerate(pages, 1):
        lines = [line.strip().upper() for line in page.splitlines() if line.strip()]
        assert lines[0] == marking and lines[-1] == marking, f"printed page {number}"


REAL_INDEX = REPORTS_DIR / "2016-09" / "index.html"


@pytest.mark.slow
@pytest.mark.skipif(
    not REAL_INDEX.exists(), reason="no published pack at reports/2016-09 (make report)"
)
def test_published_pack_works_offline(browser):
    """The real pack (make report) opened offline: no outside request, selectors switch views."""
    folder = REAL_INDEX.parent
    for page in sorted(folder.glob("*.html")):
        urls = open_page(browser, page)
        assert not_local(urls) == [], page.name
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], page.name
    open_page(browser, folder / "index.html")
    selects = browser.find_elements(By.CSS_SELECTOR, "select.ppw-geography")
    if selects:

        def shown():
            return [v.get_attribute("innerHTML")[:2000] for v in browser.find_elements(By.CSS_SELECTOR, ".ppw-view") if v.is_displayed()]  # fmt: skip

        before = shown()
        Select(selects[0]).select_by_value("Colchester")
        assert shown() != before
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "index_2016-09.png"))
