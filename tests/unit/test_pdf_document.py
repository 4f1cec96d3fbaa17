"""helpers.pack.pdf's own parts: the printing document, the contents, and running the printer.

The printer is a stand-in script here (it writes a small PDF, fails, or hangs), so these run
without Chromium; tests/integration/test_pdf.py prints real packs with it.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import pytest

from helpers.pack import export, pdf
from helpers.pack.plan import Notebook

COVER = pdf.Cover(
    force_name="Kent Police",
    marking="OFFICIAL-SENSITIVE",
    month_label="November 2014",
    period_label="Month",
    data_to_text="crimes Nov 2014",
)


def page(title: str, body: str, *, main_attrs: str = ' class="ppw-main"') -> str:
    """A page as the pack's shell writes one (header, main, footer, the shell's script)."""
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="x">'
        f"<title>{title}</title></head><body><header>header of {title}</header>"
        f"<main{main_attrs}>{body}</main><footer>footer</footer>"
        "<script>/* the shell's script */</script></body></html>"
    )


PAGES = [
    (
        "index.html",
        "Monthly Performance Report",
        "<h1>Monthly</h1><table><tr><th>A</th></tr></table>",
    ),
    (
        "01_domestic_abuse.html",
        '1. Reducing "Domestic" Abuse </style>',
        '<h1>One</h1><a href="02_victims.html#geography=Colchester">next</a>',
    ),
    (
        "02_victims.html",
        "2. Supporting Victims of Crime",
        '<h1>Two</h1><a href="#Sources">Sources</a> <a href="notes/readme.txt">notes</a>'
        "<script>/* an output's script */</script>",
    ),
]


def sections() -> list[pdf.Section]:
    return [pdf.Section(title=t, page=p, body=b) for p, t, b in PAGES]


def notebooks(folder: Path) -> list[Notebook]:
    """The pages written to ``folder`` and their notebooks, in pack order."""
    nbs = []
    for name, title, body in PAGES:
        (folder / name).write_text(page(title, body), encoding="utf-8")
        prefix = "00" if name == "index.html" else name[:2]
        stem = "00_master" if name == "index.html" else name.removesuffix(".html")
        nbs.append(Notebook(folder / f"{stem}.ipynb", prefix, title))
    return nbs


# --------------------------------------------------------------------------------------------------
# The printing document


def test_main_content_is_what_the_main_element_holds():
    assert pdf.main_content(page("T", "<p>in</p><main>no</main>"), "x.html") == (
        "<p>in</p><main>no</main>"
    )
    # the shell may give <main> more attributes (an id for a skip link)
    text = page("T", "<p>body</p>", main_attrs=' id="content" class="ppw-main"')
    assert pdf.main_content(text, "x.html") == "<p>body</p>"


def test_a_page_without_main_is_refused_by_name():
    with pytest.raises(pdf.PdfError, match=r"notes\.html has no <main> element"):
        pdf.main_content("<html><body><p>hello</p></body></html>", "notes.html")


def test_page_scripts_are_the_shells_not_the_outputs():
    text = page("T", "<script>/* an output's script */</script>")
    assert pdf.page_scripts(text) == ["/* the shell's script */"]


def test_css_string_cannot_end_the_style_sheet():
    text = pdf.css_string('A "quoted" \\ title </style><script>')
    assert "<" not in text and ">" not in text
    assert text.startswith('A \\"quoted\\" \\\\ title \\3C /style\\3E ')


def test_the_contents_page_names_every_page_in_order_and_links_to_it():
    html = pdf.contents_html(sections(), COVER)
    items = re.findall(r'<li><a href="#([\w-]+)">(.*?)</a></li>', html)
    assert items == [
        ("ppw-section-1", "Monthly Performance Report"),
        ("ppw-section-2", "1. Reducing &quot;Domestic&quot; Abuse &lt;/style&gt;"),
        ("ppw-section-3", "2. Supporting Victims of Crime"),
    ]
    for text in ("Kent Police", "OFFICIAL-SENSITIVE", "November 2014", "Month", "crimes Nov 2014"):
        assert text in html


def test_the_document_holds_every_section_in_order_on_its_own_named_page():
    doc = pdf.combined_html(sections(), COVER, css="/* sheet */", scripts=["/* shell */"])
    ids = re.findall(r'<section class="ppw-main ppw-pdf-section" id="([\w-]+)"', doc)
    assert ids == ["ppw-section-1", "ppw-section-2", "ppw-section-3"]
    assert doc.index("<h1>Monthly</h1>") < doc.index("<h1>One</h1>") < doc.index("<h1>Two</h1>")
    assert doc.index('id="ppw-contents"') < doc.index('id="ppw-section-1"')
    for i in (1, 2, 3):
        assert f"#ppw-section-{i} {{ page: ppw-page-{i}; }}" in doc
    # each page's title in its running header, escaped inside the CSS string
    assert '@top-right { content: "1. Reducing \\"Domestic\\" Abuse \\3C /style\\3E "' in doc
    assert '@top-left { content: "Kent Police · November 2014"' in doc
    assert doc.count('content: "OFFICIAL-SENSITIVE"') == 2  # top and bottom of every page
    style = doc[doc.index("<style>") : doc.index("</style>")]
    assert "/* sheet */" in style and "</style" not in style[7:]
    assert doc.rstrip().endswith("<script>/* shell */</script>\n</body>\n</html>")


def test_the_document_keeps_the_pages_policy_and_requests_nothing():
    doc = pdf.combined_html(sections(), COVER, css="", scripts=[])
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', doc).group(1)
    assert policy.replace("&#x27;", "'") == export.content_security_policy(export.own_scripts())
    assert export.external_references(doc) == []


def test_links_to_pages_of_the_pack_go_to_their_sections_and_file_links_lose_their_address():
    doc = pdf.combined_html(sections(), COVER, css="", scripts=[])
    assert '<a href="#ppw-section-3">next</a>' in doc  # 02_victims.html#geography=…
    assert '<a href="#Sources">Sources</a>' in doc  # within the page: kept
    assert "notes/readme.txt" not in doc and "<a >notes</a>" in doc
    assert ".html" not in re.sub(r'data-page="[^"]*"', "", doc)


def test_cover_for_words_the_run_as_the_page_shell_does(tmp_path):
    from helpers.pack.plan import Run

    run = Run(
        month="2016-09",
        period="fytd",
        data_dir=tmp_path,
        out=tmp_path,
        jobs=1,
        timeout=1,
        notebooks=[],
        notebooks_dir=tmp_path,
    )
    cover = pdf.cover_for(run, force_name="F", marking="M", data_to={"crimes": "2016-10"})
    assert cover == pdf.Cover(
        "F", "M", "September 2016", "Financial year to date", "crimes Sep 2016"
    )


# --------------------------------------------------------------------------------------------------
# Printing, with a stand-in for Chromium


def fake_chromium(folder: Path, script: str) -> Path:
    """An executable that takes Chromium's arguments; ``script`` runs with $OUT (the PDF path),
    $DOC (the document's path) and $PIDFILE set."""
    path = folder / "fake-chromium"
    path.write_text(
        "#!/bin/sh\n"
        f'PIDFILE="{folder}/pid"; echo $$ > "$PIDFILE"\n'
        f'echo "$@" > "{folder}/args"\n'
        'for a in "$@"; do case "$a" in --print-to-pdf=*) OUT="${a#--print-to-pdf=}";; '
        'file://*) DOC="${a#file://}";; esac; done\n'
        f'cp "$DOC" "{folder}/document.html"\n' + script + "\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def ended(pid: int, wait: float = 10.0) -> bool:
    """True once process ``pid`` is gone or a zombie (ended, not yet reaped by its new parent)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def pack_folder(tmp_path):
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


def test_without_chromium_no_pdf_and_one_clear_reason(pack_folder, tmp_path):
    nbs = notebooks(pack_folder)
    before = sorted(os.listdir(pack_folder))
    result = pdf.write_pdf(pack_folder, nbs, COVER, chromium=tmp_path / "no" / "chromium")
    assert not result.written
    assert (
        result.reason
        == f"Chromium not found at {tmp_path / 'no' / 'chromium'} (apt-get install chromium)"
    )
    assert sorted(os.listdir(pack_folder)) == before
    assert result.warning == f"warning: pack.pdf not written: {result.reason}"
    assert result.record()["written"] is False and result.record()["file"] is None


def test_the_printer_is_looked_for_where_the_module_says(monkeypatch, pack_folder, tmp_path):
    assert Path("/usr/bin/chromium") == pdf.CHROMIUM  # Debian's package chromium
    monkeypatch.setattr(pdf, "CHROMIUM", tmp_path / "elsewhere")
    result = pdf.write_pdf(pack_folder, notebooks(pack_folder), COVER)
    assert result.reason.startswith(f"Chromium not found at {tmp_path / 'elsewhere'} ")


def test_a_printed_pack_is_written_and_the_printing_document_removed(pack_folder, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    chromium = fake_chromium(tools, 'printf "%%PDF-1.4 fake" > "$OUT"')
    nbs = notebooks(pack_folder)
    result = pdf.write_pdf(pack_folder, nbs, COVER, chromium=chromium, css="/* the sheet */")
    assert result.written, result.reason
    assert (pack_folder / "pack.pdf").read_bytes() == b"%PDF-1.4 fake"
    assert result.bytes == len(b"%PDF-1.4 fake") and result.warning is None
    assert sorted(os.listdir(pack_folder)) == sorted([*(p for p, _, _ in PAGES), "pack.pdf"])
    printed = (tools / "document.html").read_text(encoding="utf-8")
    assert "/* the sheet */" in printed
    assert printed.count('class="ppw-main ppw-pdf-section"') == 3
    assert "header of" not in printed and "footer" not in printed.split("</style>")[1]
    args = (tools / "args").read_text()
    for flag in ("--headless", "--no-pdf-header-footer", "--host-resolver-rules=MAP * ~NOTFOUND"):
        assert flag in args
    assert "--user-data-dir=" + str(pack_folder) in args  # a throw-away profile, removed with it
    assert result.record() == {
        "written": True,
        "file": "pack.pdf",
        "bytes": result.bytes,
        "seconds": round(result.seconds, 2),
        "reason": None,
    }


def test_a_failing_printer_is_reported_with_its_exit_code_and_last_line(pack_folder, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    chromium = fake_chromium(tools, 'echo "ERROR: cannot open display" >&2; exit 3')
    result = pdf.write_pdf(pack_folder, notebooks(pack_folder), COVER, chromium=chromium)
    assert not result.written
    assert result.reason == "Chromium exited with 3 and wrote no PDF (ERROR: cannot open display)"
    assert not (pack_folder / "pack.pdf").exists()
    assert not [p for p in os.listdir(pack_folder) if p.startswith(".pdf-")]


def test_a_printer_writing_no_pdf_is_a_failure(pack_folder, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    chromium = fake_chromium(tools, 'echo "<html>not a pdf" > "$OUT"')
    result = pdf.write_pdf(pack_folder, notebooks(pack_folder), COVER, chromium=chromium)
    assert not result.written and result.reason.startswith(
        "Chromium exited with 0 and wrote no PDF"
    )
    assert not (pack_folder / "pack.pdf").exists()


def test_a_hanging_printer_is_stopped_with_its_children(pack_folder, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    # a child that would outlive its parent unless the whole process group is ended
    chromium = fake_chromium(tools, f'sleep 60 & echo $! > "{tools}/child"; wait')
    start = time.monotonic()
    result = pdf.write_pdf(pack_folder, notebooks(pack_folder), COVER, chromium=chromium, timeout=1)
    assert time.monotonic() - start < 20
    assert not result.written
    assert result.reason == "Chromium did not finish printing within 1 s"
    for name in ("pid", "child"):
        assert ended(int((tools / name).read_text())), f"the {name} process is still running"
    assert not [p for p in os.listdir(pack_folder) if p.startswith(".pdf-")]


def test_no_helper_process_of_the_printer_outlives_a_print(pack_folder, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    script = f'sleep 60 >/dev/null 2>&1 & echo $! > "{tools}/child"; printf "%%PDF-1.4" > "$OUT"'
    chromium = fake_chromium(tools, script)
    result = pdf.write_pdf(pack_folder, notebooks(pack_folder), COVER, chromium=chromium)
    assert result.written, result.reason
    assert ended(int((tools / "child").read_text())), "the printer's helper is still running"


def test_not_wanted_is_recorded_without_a_warning():
    result = pdf.PdfResult(False, pdf.NOT_WANTED)
    assert result.warning is None
    assert result.record()["reason"] == "--no-pdf"
