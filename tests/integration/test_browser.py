"""The pack's HTML in a real browser: headless Chromium, opened from disk with the network off.

Checks what a commander does: open index.html and an area page from a file share with no internet,
change the geography selector and see another table, follow the navigation, print. Any request
that is not ``file:`` or ``data:`` fails the test. Screenshots go to ``reports/screenshots/``.

Every page of the pack also shows a commentary holding the injection cases of issue 16 (scripts,
event attributes, entity-encoded addresses, ``iframe srcdoc``, a meta refresh, a URL split inside
a script…), all aimed at an HTTP server on 127.0.0.1 that this module runs: with the network on,
every page must make no request beyond its own file, run no injected script, and the server must
hear nothing. A control page without the pack's defences shows that the same cases do reach it.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell
from support.browser import chrome, chromium_missing

from helpers.config import REPORTS_DIR
from helpers.pack import runner as pack
from helpers.pages.report import commentary_path

pytestmark = pytest.mark.browser

selenium = pytest.importorskip(
    "selenium", reason="selenium is not installed (pip install -e .[dev])"
)
if chromium_missing():
    pytest.skip(chromium_missing(), allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from support.packs import make_data, make_notebooks, tiny_cube  # noqa: E402

SCREENSHOTS = REPORTS_DIR / "screenshots"

# A second section on the page with the same key (kept in step with the first) and a force-only
# table that is the same for every geography (stored once).
SECOND_SECTION = """from helpers.render import views

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


# A chart as the pack draws one (helpers.render.charts): a PNG inline as a data: image.
CHART = """from IPython.display import HTML

from helpers.render import charts

fig = charts.new_figure(height=1.6)
fig.axes[0].plot([1, 3, 2])
HTML(charts.figure_html(fig, "A chart", compact=True))"""

#: What a hostile or careless commentary might hold: each aims at the listener ({url} is its
#: address) or sets window.__pwned / document.title if it runs. Issue 16's cases and a few more.
INJECTIONS = [
    '<script>window.__pwned = 1; document.title = "pwned";</script>',
    '<img src=x onerror="window.__pwned = 1">',
    '<img src="&#x68;ttp{url_tail}entity.png">',
    '<iframe srcdoc="<script>parent.__pwned = 1</script><img src={url}srcdoc.png>"></iframe>',
    '<script>new Image().src = "ht" + "tp{url_tail}split.png";</script>',
    '<meta http-equiv="refresh" content="0;url={url}refresh">',
    '<svg onload="window.__pwned = 1"><circle r="4"/></svg>',
    "![a chart]({url}markdown.png)",
    "[the guidance]({url}link) and <{url}autolink>",
    "<style>@import url({url}import.css);</style>",
    '<a href="//{host}/protocol-relative">mirror</a>',
    '<a href="javascript:window.__pwned = 1">click</a>',
    '<a href="&#x6a;avascript:window.__pwned = 1">click</a>',
    '<object data="{url}object"></object><embed src="{url}embed">',
    '<link rel="stylesheet" href="{url}link.css">',
    "<p style=\"background: url('{url}background.png')\">styled</p>",
    '<base href="{url}">',
    '<video poster="{url}poster.png"></video>',
    '<form action="{url}form"><button class="injected">Send</button></form>',
    '<div onclick="window.__pwned = 1">\n\n**bold** <img src="{url}block.png">\n\n</div>',
]


class Listener:
    """An HTTP server on 127.0.0.1 that records every request it gets (the injections' target)."""

    def __init__(self):
        self.requests: list[str] = []
        heard = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                heard.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            do_POST = do_HEAD = do_OPTIONS = do_GET

            def log_message(self, *args):  # quiet: the test reads self.requests
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def cases(self) -> list[str]:
        return [
            case.format(url=self.url, url_tail=self.url[len("http") :], host=self.host)
            for case in INJECTIONS
        ]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def commentary_cell(root: Path, area: int) -> str:
    """A notebook cell that shows the area's commentary, as ``AreaPage.commentary`` does."""
    return (
        "from pathlib import Path\n\n"
        "from IPython.display import HTML\n\n"
        "from helpers.pages.report import commentary_html\n\n"
        f"HTML(commentary_html(month, {area}, root=Path({str(root)!r})))"
    )


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory, listener) -> Path:
    """One pack for every test here; each page shows a commentary holding every injection."""
    tmp_path = tmp_path_factory.mktemp("browser")
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "notebooks")
    commentary = tmp_path / "commentary"
    text = "### Commentary\n\nBurglary **fell**.\n\n" + "\n\n".join(listener.cases()) + "\n"
    for area in (1, 2):
        path = commentary_path("2016-09", area, commentary)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, area in (
        ("00_master.ipynb", 1),
        ("01_domestic_abuse.ipynb", 1),
        ("02_victims.ipynb", 2),
    ):
        nb = nbformat.read(notebooks / name, as_version=4)
        if name != "02_victims.ipynb":
            nb.cells += [new_code_cell(SECOND_SECTION), new_code_cell(FORCE_ONLY)]
        if name == "01_domestic_abuse.ipynb":  # long enough to print on several pages
            nb.cells += [new_code_cell(LONG_TABLE), new_code_cell(CHART)]
        nb.cells.append(new_code_cell(commentary_cell(commentary, area)))
        nbformat.write(nb, notebooks / name)
    out = tmp_path / "reports" / "2016-09"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack, "load_cube", lambda d, **_: tiny_cube())
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
                "--no-pdf",
            ]  # fmt: skip
        )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chrome(tmp_path_factory.mktemp("chromium-profile"), logs=True)
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


def network_events(driver) -> tuple[dict[str, str], dict[str, str]]:
    """Requests asked for (id -> URL) and those the browser refused (id -> reason) since last call."""
    asked, refused = {}, {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            asked[params["requestId"]] = params["request"]["url"]
        elif message.get("method") == "Network.loadingFailed":
            refused[params["requestId"]] = params.get("blockedReason") or params.get("errorText")
    return asked, refused


@pytest.fixture
def online(browser):
    """The browser with the network on, so that a request that leaks would reach the listener."""
    conditions = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, **conditions})
    yield browser
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, **conditions})


def settle(driver, seconds: float = 1.0) -> None:
    """Give a refresh, a lazy image or a frame time to act before reading what happened."""
    time.sleep(seconds)
    driver.execute_script("return document.readyState")


def pwned(driver) -> bool:
    return bool(driver.execute_script("return window.__pwned === 1 || document.title === 'pwned'"))


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


@pytest.mark.slow
def test_published_pack_works_offline(browser, demo_pack):
    """The real pack (``demo_pack``, shared) opened offline: no outside request, selectors
    switch views."""
    folder = demo_pack
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


# --------------------------------------------------------------------------------------------------
# Nothing injected (issue 16): the commentary of every page holds every injection case


def test_every_page_with_injected_commentary_makes_no_request_and_runs_nothing(
    online, pack_dir, listener
):
    pages = sorted(pack_dir.glob("*.html"))
    assert [p.name for p in pages] == ["01_domestic_abuse.html", "02_victims.html", "index.html"]
    for page in pages:
        online.get_log("performance")
        online.get_log("browser")
        online.get(page.as_uri())
        settle(online)
        asked, _ = network_events(online)
        # The page's own file and its data: images; nothing else, not even a refused attempt.
        assert [u for u in asked.values() if u != page.as_uri() and not u.startswith("data:")] == []
        assert online.current_url == page.as_uri(), f"{page.name}: the page went elsewhere"
        assert not pwned(online), page.name
        assert "September 2016" in online.title, page.name
        # The sanitiser left nothing for the policy to block: no violation in the console.
        assert [e for e in online.get_log("browser") if e["level"] == "SEVERE"] == [], page.name
        commentary = online.find_element(By.CSS_SELECTOR, ".ppw-commentary")
        assert "Burglary fell." in commentary.text
        assert "<script>window.__pwned = 1" in commentary.text, "shown as text, not run"
        assert f"the guidance ({listener.url}link)" in commentary.text
        hrefs = [
            a.get_attribute("href") for a in commentary.find_elements(By.CSS_SELECTOR, "a[href]")
        ]
        assert hrefs == [], f"{page.name}: links left in the commentary: {hrefs}"
        assert commentary.find_elements(By.CSS_SELECTOR, "img, iframe, object, embed, svg") == []
    assert listener.requests == []


def test_the_injected_pack_still_switches_views_and_shows_its_chart(online, pack_dir, listener):
    open_page(online, pack_dir / "01_domestic_abuse.html")
    Select(online.find_elements(By.CSS_SELECTOR, "select.ppw-geography")[0]).select_by_value(
        "Colchester"
    )
    assert visible_tables(online, "table.perf") == ["Colchester rolling-12m"]
    images = online.find_elements(By.CSS_SELECTOR, "img")
    assert len(images) == 1 and images[0].get_attribute("src").startswith("data:image/png")
    assert online.execute_script("return arguments[0].naturalWidth", images[0]) > 0
    assert listener.requests == []


#: Raw HTML as it would be if the sanitiser let it through: the policy alone must stop it. (Not a
#: meta refresh: no policy directive governs one; the sanitiser and the export's scan do.)
RAW = [
    '<script>window.__pwned = 1; document.title = "pwned";</script>',
    '<script src="{url}script.js"></script>',
    '<img src="{url}img.png" onerror="window.__pwned = 1">',
    '<svg onload="window.__pwned = 1"><circle r="4"/></svg>',
    '<iframe src="{url}frame"></iframe>',
    '<iframe srcdoc="<script>parent.__pwned = 1</script><img src={url}srcdoc.png>"></iframe>',
    '<link rel="stylesheet" href="{url}link.css">',
    "<style>@import url({url}import.css); .x {{ background: url({url}bg.png) }}</style>",
    '<div class="x" style="background: url({url}inline-bg.png)">styled</div>',
    '<object data="{url}object"></object><embed src="{url}embed">',
    '<video poster="{url}poster.png" src="{url}video.mp4"></video>',
    '<base href="{url}">',
    '<form action="{url}form"><button id="injected-submit">Send</button></form>',
    '<a id="injected-js" href="javascript:window.__pwned = 1">click</a>',
]


def test_the_page_policy_blocks_what_a_sanitiser_might_miss(online, pack_dir, listener, tmp_path):
    """Defence in depth: raw injections pasted into a published page run and load nothing."""
    page = (pack_dir / "01_domestic_abuse.html").read_text(encoding="utf-8")
    raw = "\n".join(case.format(url=listener.url) for case in RAW)
    hostile = tmp_path / "01_domestic_abuse.html"
    hostile.write_text(page.replace("</main>", raw + "\n</main>", 1), encoding="utf-8")
    online.get_log("performance")
    online.get(hostile.as_uri())
    online.find_element(By.ID, "injected-js").click()
    online.find_element(By.ID, "injected-submit").click()
    settle(online)
    asked, refused = network_events(online)
    outside = {i: u for i, u in asked.items() if not u.startswith(("file:", "data:"))}
    assert outside, "the raw injections were not even attempted: the test would prove nothing"
    assert {u: refused.get(i) for i, u in outside.items()} == {u: "csp" for u in outside.values()}
    assert not pwned(online)
    assert online.current_url == hostile.as_uri()
    # The pack's own scripts still run under the policy: the view switcher works, the chart shows.
    Select(online.find_elements(By.CSS_SELECTOR, "select.ppw-geography")[0]).select_by_value(
        "Colchester"
    )
    assert visible_tables(online, "table.perf") == ["Colchester rolling-12m"]
    chart = online.find_elements(By.CSS_SELECTOR, "img[src^='data:']")[0]
    assert online.execute_script("return arguments[0].naturalWidth", chart) > 0
    assert listener.requests == []


def test_the_listener_hears_an_unprotected_page(online, listener, tmp_path):
    """The control: the same injections in a page without the pack's defences do reach it.

    Without this, "the listener heard nothing" could mean the browser cannot reach it at all.
    """
    control = tmp_path / "control.html"
    body = "\n".join(case.format(url=listener.url) for case in RAW[:3])
    control.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")
    before = len(listener.requests)
    online.get(control.as_uri())
    settle(online)
    assert pwned(online)
    heard = listener.requests[before:]
    assert any("img.png" in r for r in heard) and any("script.js" in r for r in heard), heard
    del listener.requests[before:]  # the other tests assert the listener heard nothing


# --------------------------------------------------------------------------------------------------
# Honest selectors (issue 20): what the page says follows what it shows; JavaScript off shows the
# force and says so; a hash naming no view says so; every chart of a district view is the
# district's or says it is the force's.


def header_text(driver) -> tuple[str, str]:
    """The page shell's heading and its footer line (both name the view shown)."""
    heading = driver.find_element(By.CSS_SELECTOR, ".ppw-heading").text
    source = driver.find_element(By.CSS_SELECTOR, ".ppw-source").text
    return heading, source


def load(driver, path: Path, hash_: str = "") -> None:
    """Open ``path`` afresh (a new document, its scripts run again), not as a jump in the page."""
    driver.get("about:blank")
    open_page(driver, path, hash_)


def shown_notices(driver) -> list[str]:
    return [
        e.text
        for e in driver.find_elements(By.CSS_SELECTOR, ".ppw-js-notice, .ppw-hash-notice")
        if e.is_displayed()
    ]


def test_the_heading_follows_the_selection(browser, pack_dir):
    load(browser, pack_dir / "index.html")
    assert header_text(browser)[0] == "September 2016 Force · Rolling 12 months"
    assert shown_notices(browser) == []
    Select(browser.find_elements(By.CSS_SELECTOR, "select.ppw-geography")[0]).select_by_value(
        "Colchester"
    )
    Select(browser.find_elements(By.CSS_SELECTOR, "select.ppw-period")[0]).select_by_value("fytd")
    heading, source = header_text(browser)
    assert heading == "September 2016 Colchester · Financial year to date"
    assert "· Colchester · Financial year to date ·" in source
    assert "Rolling 12 months" not in heading + source
    labels = [e.get_attribute("textContent") for e in browser.find_elements(By.CSS_SELECTOR, ".ppw-print-label")]  # fmt: skip
    assert set(labels) == {"Colchester · Financial year to date"}
    # a link opened with a hash: the heading says the view from the start (footer included)
    load(browser, pack_dir / "01_domestic_abuse.html", "#geography=North&period=fytd")
    heading, source = header_text(browser)
    assert heading.endswith("North · Financial year to date")
    assert "· North · Financial year to date ·" in source


def test_without_javascript_the_page_shows_the_force_and_says_so(browser, pack_dir):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        load(browser, pack_dir / "index.html", "#geography=Colchester&period=fytd")
        assert browser.execute_script("return window.ppwViews === undefined")  # the page's are off
        notices = shown_notices(browser)
        assert notices == [
            "Selectors need JavaScript: this page shows the Force, rolling 12 months."
        ]
        # no selector at all, so none can name another view than the one shown
        assert [
            s for s in browser.find_elements(By.CSS_SELECTOR, "select") if s.is_displayed()
        ] == []
        assert visible_tables(browser, "table.perf") == ["Force rolling-12m"]
        assert visible_tables(browser, "table.trend") == ["trend Force rolling-12m"]
        assert header_text(browser)[0] == "September 2016 Force · Rolling 12 months"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "fixture_index_no_javascript.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    load(browser, pack_dir / "index.html")
    assert shown_notices(browser) == []
    assert any(s.is_displayed() for s in browser.find_elements(By.CSS_SELECTOR, "select"))


@pytest.mark.parametrize(
    ("hash_", "notice", "shown"),
    [
        ("#geography=Nowhere", "No view for geography 'Nowhere': showing Force.", "Force rolling-12m"),
        ("#geography=Nowhere&period=fytd", "No view for geography 'Nowhere': showing Force.", "Force fytd"),
        ("#geography=North&period=weekly", "No view for period 'weekly': showing Rolling 12 months.", "North rolling-12m"),
        ("#geography=colchester&period=FYTD", None, "Colchester fytd"),  # another case: no notice
    ],
)  # fmt: skip
def test_a_hash_naming_no_view_says_so(browser, pack_dir, hash_, notice, shown):
    load(browser, pack_dir / "01_domestic_abuse.html", hash_)
    assert shown_notices(browser) == ([notice] if notice else [])
    assert visible_tables(browser, "table.perf") == [shown]
    geography = shown.split()[0]
    assert header_text(browser)[0].startswith(f"September 2016 {geography} · ")
    # choosing a view clears the notice
    other = "North" if geography == "Colchester" else "Colchester"
    Select(browser.find_elements(By.CSS_SELECTOR, "select.ppw-geography")[0]).select_by_value(other)
    assert shown_notices(browser) == []


@pytest.mark.slow
def test_every_chart_on_a_district_view_is_the_districts_or_says_it_is_the_forces(
    browser, demo_pack
):
    """On Colchester, financial year to date: every chart shown is in a view, and either names
    Colchester (its title, the image's alt text) or has the force-only line above it."""
    checked = labelled = 0
    for page in sorted(demo_pack.glob("[0-9][0-9]_*.html")):
        load(browser, page, "#geography=Colchester&period=fytd")
        assert header_text(browser)[0].endswith("Colchester · Financial year to date"), page.name
        charts = browser.execute_script(
            """
            return Array.prototype.filter.call(document.querySelectorAll("img"), function (img) {
              return img.getClientRects().length > 0;
            }).map(function (img) {
              var view = img.closest(".ppw-view");
              var block = img.closest(".ppw-switcher");
              var line = block && block.querySelector(".ppw-force-only");
              return {
                alt: img.alt,
                inView: view !== null,
                geography: block && block.getAttribute("data-shown-geography"),
                period: block && block.getAttribute("data-shown-period"),
                forceOnly: line !== null && line.getClientRects().length > 0 ? line.textContent : ""
              };
            });
            """
        )
        assert charts, f"{page.name}: no chart shown"
        for chart in charts:
            where = f"{page.name}: {chart['alt']!r}"
            assert chart["inView"], f"{where} is not in a switched view"
            assert (chart["geography"], chart["period"]) == ("Colchester", "fytd"), where
            if chart["forceOnly"]:
                assert chart["forceOnly"].startswith("Force figures: "), where
                assert "not kept by district" in chart["forceOnly"], where
                labelled += 1
            else:
                assert "Colchester" in chart["alt"], f"{where} is neither Colchester's nor labelled"
            checked += 1
    assert checked > labelled > 0
