"""The pack on paper (issue 20): ``pack.pdf`` and a page printed on A4 by headless Chromium.

Read back with poppler's ``pdftotext``: every printed page carries "Page N of M", the
protective marking at its top and bottom and the running header; every column heading of every
table a page shows (its ``<th>``, in the view the page opens with) is in the PDF, in order and
whole, so a table cut off at the page edge or squeezed until its headings break fails; no word
is printed outside the page. ``-raw`` keeps the text in the order Chromium drew it (a table's
headings one after another, however they wrap); ``-layout`` keeps each page's lines.

The real pack is the demo pack the tests share (``demo_pack`` in ``tests/conftest.py``: one run
of ``python -m helpers.pack --month 2016-09`` per test session); ``PPW_TEST_PACK`` may name
another pack folder. The runner's side (the
PDF published with the pages, ``--no-pdf``, no Chromium) runs on the small fixture notebooks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.packs import make_data, make_notebooks, run_pack

from helpers.pack import pdf

PDFTOTEXT = shutil.which("pdftotext")
no_chromium = pytest.mark.skipif(
    not pdf.CHROMIUM.exists(),
    reason=f"headless Chromium not found at {pdf.CHROMIUM} (apt-get install chromium)",
)
no_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext not found (apt-get install poppler-utils)"
)
#: No word nearer the paper's edge than this (points; the page margins are 12 mm = 34 pt).
EDGE = 24.0


def pdf_pages(path: Path, mode: str) -> list[str]:
    """The text of each page of ``path`` (``mode``: ``-layout`` or ``-raw``)."""
    done = subprocess.run(
        [PDFTOTEXT, mode, str(path), "-"], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split("\f")[:-1]  # a form feed ends every page


def words_off_the_page(path: Path) -> list[tuple[int, str]]:
    """Words of ``path`` printed within :data:`EDGE` of the paper's left or right edge, or past it."""
    done = subprocess.run(
        [PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    )
    off = []
    for number, page in enumerate(done.stdout.split("<page ")[1:], 1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x0, x1, word in re.findall(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', page
        ):
            if float(x0) < EDGE or float(x1) > width - EDGE:
                off.append((number, word))
    return off


def lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def one_line(text: str) -> str:
    return " ".join(text.split())


def shown_tables(page_html: str) -> list[list[str]]:
    """The ``<th>`` texts of each table of the page's main content as it prints: the view each
    switcher shows first (not those ``hidden``), not inside a closed ``<details>`` (a chart's data,
    for the screen), nor in a ``display:none`` element."""
    from bs4 import BeautifulSoup

    main = BeautifulSoup(page_html, "html.parser").find("main")
    assert main is not None, "not a page of the pack"
    for element in main.find_all(["script", "style", "template", "select"]):
        element.decompose()
    for element in main.select("[hidden], .ppw-selectors"):
        element.decompose()
    for element in main.find_all(style=re.compile(r"display\s*:\s*none")):
        element.decompose()
    for details in main.find_all("details"):
        if not details.has_attr("open"):
            details.decompose()
    tables = []
    for table in main.find_all("table"):
        headings = [one_line(th.get_text(" ")) for th in table.find_all("th")]
        tables.append([h for h in headings if h])
    return [t for t in tables if t]


def header_row(page_html: str, heading: str) -> list[str]:
    """The ``<th>`` texts of the first table after the ``<h2>`` reading ``heading``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    titles = [h for h in soup.find_all("h2") if one_line(h.get_text()).rstrip("¶ ") == heading]
    assert titles, f"the page has no heading {heading!r}"
    table = titles[0].find_next("table")
    return [one_line(th.get_text(" ")) for th in table.find_all("th") if th.get_text().strip()]


def missing_in_order(headings: list[str], text: str) -> list[str]:
    """The headings not found in ``text`` one after another (each whole, in this order)."""
    missing, at = [], 0
    for heading in headings:
        found = text.find(heading, at)
        if found < 0:
            missing.append(heading)
        else:
            at = found + len(heading)
    return missing


# --------------------------------------------------------------------------------------------------
# The published pack's pack.pdf


@pytest.fixture(scope="module")
def published(request) -> tuple[Path, dict]:
    """The demo pack the tests share (conftest ``demo_pack``), or the pack folder named by
    ``$PPW_TEST_PACK``, and its run.json."""
    if os.environ.get("PPW_TEST_PACK"):
        folder = Path(os.environ["PPW_TEST_PACK"])
        if not (folder / "run.json").is_file():
            pytest.skip(f"no published pack at {folder} ($PPW_TEST_PACK)")
    else:
        if not pdf.CHROMIUM.exists():
            pytest.skip(f"headless Chromium not found at {pdf.CHROMIUM}: the pack has no PDF")
        folder = request.getfixturevalue("demo_pack")
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    printed = record.get("pdf")
    if printed is None:
        pytest.skip(f"the pack at {folder} was made before pack.pdf existed")
    if printed["reason"] == pdf.NOT_WANTED:
        pytest.skip(f"the pack at {folder} was made with --no-pdf")
    assert printed["written"], f"the published pack has no pack.pdf: {printed['reason']}"
    return folder, record


@pytest.mark.browser
@no_pdftotext
def test_every_printed_page_is_numbered_marked_and_headed(published):
    folder, record = published
    pages = pdf_pages(folder / pdf.PDF_NAME, "-layout")
    info = subprocess.run(["pdfinfo", str(folder / pdf.PDF_NAME)], capture_output=True, text=True)
    if info.returncode == 0:
        assert f"Pages:           {len(pages)}" in info.stdout
        assert "(A4)" in info.stdout
    assert len(pages) > len(record["notebooks"])  # a contents page and at least one per page
    marking = record["protective_marking"].upper()
    month = record["parameters"]["month"]
    from helpers.periods import parse_month

    header = f"{record['force_name']} · {parse_month(month).strftime('%B %Y')}"
    for number, page in enumerate(pages, 1):
        text = lines(page)
        assert text[0].upper() == marking and text[-1].upper() == marking, f"page {number}"
        assert f"Page {number} of {len(pages)}" in page, f"page {number}"
        assert header in text[1] or header in text[2], f"page {number}: {text[:3]}"


@pytest.mark.browser
@no_pdftotext
def test_the_contents_then_every_page_in_pack_order_with_its_title_in_the_header(published):
    folder, record = published
    pages = pdf_pages(folder / pdf.PDF_NAME, "-layout")
    titles = [n["title"] for n in record["notebooks"]]
    contents = one_line(pdf_pages(folder / pdf.PDF_NAME, "-raw")[0])
    assert "Contents" in contents
    assert missing_in_order(titles, contents) == []
    starts = section_starts(pages, titles)
    assert starts == sorted(starts) and starts[0] == 1, starts  # page 2 is the master's


def section_starts(pages: list[str], titles: list[str]) -> list[int]:
    """The index of the first PDF page whose running header names each title."""
    starts = []
    for title in titles:
        key = " ".join(title.split()[:4])  # a long title wraps in the header
        found = [i for i, page in enumerate(pages) if key in one_line(" ".join(lines(page)[:3]))]
        assert found, f"no printed page is headed {title!r}"
        starts.append(found[0])
    return starts


@pytest.mark.browser
@no_pdftotext
def test_every_column_heading_of_every_shown_table_is_in_the_pdf(published):
    folder, record = published
    path = folder / pdf.PDF_NAME
    raw = pdf_pages(path, "-raw")
    layout = pdf_pages(path, "-layout")
    notebooks = record["notebooks"]
    starts = section_starts(layout, [n["title"] for n in notebooks])
    bounds = [*starts, len(raw)]
    checked = 0
    for i, nb in enumerate(notebooks):
        text = one_line(" ".join(raw[bounds[i] : bounds[i + 1]]))
        for table in shown_tables((folder / nb["page"]).read_text(encoding="utf-8")):
            assert missing_in_order(table, text) == [], f"{nb['page']}: {table}"
            checked += len(table)
    assert checked > 100  # the scorecard, districts, sources, every area's tables


@pytest.mark.browser
@no_pdftotext
def test_nothing_is_printed_past_the_page_margins(published):
    folder, _record = published
    assert words_off_the_page(folder / pdf.PDF_NAME) == []


@pytest.mark.browser
@no_chromium
@no_pdftotext
def test_index_printed_on_a4_keeps_the_district_and_exception_columns(published, tmp_path):
    """What a commander gets from the browser's Print on the master page."""
    folder, _ = published
    page = (folder / "index.html").read_text(encoding="utf-8")
    districts = header_row(page, "Districts")
    assert "KSI" in districts and any(h.startswith("DA ") for h in districts), districts
    exceptions = header_row(page, "Exceptions")
    assert "Why" in exceptions, exceptions
    sources = header_row(page, "Sources")
    printed = tmp_path / "index.pdf"
    shutil.copy(folder / "index.html", tmp_path / "index.html")
    pdf.print_to_pdf(pdf.CHROMIUM, tmp_path / "index.html", printed, timeout=120)
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True)
    if info.returncode == 0:
        assert "(A4)" in info.stdout
    text = one_line(" ".join(pdf_pages(printed, "-raw")))
    for headings in (districts, exceptions, sources):
        assert missing_in_order(headings, text) == [], headings
    assert words_off_the_page(printed) == []
    pages = pdf_pages(printed, "-layout")
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page


# --------------------------------------------------------------------------------------------------
# The runner: pack.pdf published with the pages; --no-pdf; no Chromium


def run_fixture_pack(tmp_path: Path, *extra: str) -> tuple[int, Path]:
    make_data(tmp_path / "data")
    code = run_pack(tmp_path, make_notebooks(tmp_path / "notebooks"), *extra, pdf=True)
    return code, tmp_path / "reports" / "2016-09"


@pytest.mark.browser
@no_chromium
@no_pdftotext
def test_a_pack_run_publishes_pack_pdf_with_only_the_views_shown(tmp_path, stand_in):
    code, out = run_fixture_pack(tmp_path)
    assert code == 0
    record = json.loads((out / "run.json").read_text())
    assert record["pdf"]["written"] is True and record["pdf"]["reason"] is None
    assert record["pdf"]["bytes"] == (out / "pack.pdf").stat().st_size
    assert record["timings_seconds"]["pdf"] > 0
    assert not [p.name for p in out.iterdir() if p.name.startswith(".pdf")]
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".staging")] == []
    pages = pdf_pages(out / "pack.pdf", "-layout")
    text = one_line(" ".join(pdf_pages(out / "pack.pdf", "-raw")))
    assert (
        missing_in_order(
            [
                "Contents",
                "Monthly Performance Report",
                "1. Reducing Domestic Abuse",
                "2. Supporting Victims of Crime",
            ],
            text,
        )
        == []
    )
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
    # every page's switcher prints the view it opens with (Force, rolling 12 months), no other
    assert text.count("Force rolling-12m") == 3
    assert "Colchester" not in text and "North" not in text and "fytd" not in text


def test_no_pdf_publishes_the_pack_without_it(tmp_path, stand_in, capsys):
    code, out = run_fixture_pack(tmp_path, "--no-pdf")
    assert code == 0
    assert not (out / "pack.pdf").exists() and (out / "index.html").exists()
    record = json.loads((out / "run.json").read_text())
    assert record["pdf"] == {
        "written": False,
        "file": None,
        "bytes": None,
        "seconds": 0.0,
        "reason": "--no-pdf",
    }
    assert record["warnings"] == []
    assert "pack.pdf" not in capsys.readouterr().err


def test_without_chromium_the_pack_is_published_and_says_so(
    tmp_path, stand_in, monkeypatch, capsys
):
    missing = tmp_path / "no-browser" / "chromium"
    monkeypatch.setattr(pdf, "CHROMIUM", missing)
    code, out = run_fixture_pack(tmp_path)
    assert code == 0
    assert (out / "index.html").exists() and not (out / "pack.pdf").exists()
    line = f"pack.pdf not written: Chromium not found at {missing} (apt-get install chromium)"
    assert line in capsys.readouterr().err.splitlines()
    record = json.loads((out / "run.json").read_text())
    assert record["pdf"]["written"] is False
    assert record["pdf"]["reason"].startswith("Chromium not found at ")
    assert any(
        w.startswith("warning: pack.pdf not written: Chromium not found")
        for w in record["warnings"]
    )
