"""The whole pack as one numbered PDF (``pack.pdf``), printed by headless Chromium.

Commanders print the pack or pass it on as one document, as the published reports were: a
contents page, then every page of the pack in order (the master, then the areas), each showing
the view it opens with (the force, the run's period). Every printed page carries the running
header (force and month at the left, the page's title at the right), the protective marking at
the top and bottom and "Page N of M"; the PDF has bookmarks (one per heading) and the contents
entries link to their pages.

How: the exported pages' main content is put one after another into one HTML document (each
page a section on its own named CSS page, so that its title can be in the running header) with
the pack's style sheet, written beside the pages in the staging folder and printed with
``chromium --headless --print-to-pdf`` in a subprocess with a timeout. The document obeys the
pages' Content-Security-Policy (no request of any kind) and Chromium is started with every host
name unresolvable, its own throw-away profile and no background networking: printing stays on
the machine. The printing document is deleted afterwards; only ``pack.pdf`` is published, with the
pages, in the same atomic step (:mod:`helpers.pack.runner` calls :func:`pack_pdf` before it
publishes).

Without Chromium at :data:`CHROMIUM` the pack is published without the PDF and says so in one
line; run.json records whether the PDF was written and why not (:meth:`PdfResult.record`).
"""

from __future__ import annotations

import contextlib
import html as _html
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..periods import PERIOD_LABELS, parse_month
from .errors import log
from .export import (
    TEMPLATES_DIR,
    content_security_policy,
    css_string,
    data_to_text,
    external_references,
    own_scripts,
)
from .plan import Notebook, Run

#: The browser that prints the PDF (Debian's package ``chromium``; 131 or later draws the CSS
#: page-margin boxes that carry the running header, the marking and the page numbers).
CHROMIUM = Path("/usr/bin/chromium")
#: The PDF's name in the pack's folder.
PDF_NAME = "pack.pdf"
#: The reason recorded when the run was told not to write the PDF.
NOT_WANTED = "--no-pdf"
#: Seconds Chromium may take to print the pack (the demo pack takes a few seconds).
PRINT_TIMEOUT = 300

_MAIN_OPEN = re.compile(r"<main\b[^>]*>", re.IGNORECASE)
_MAIN_CLOSE = re.compile(r"</main\s*>", re.IGNORECASE)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_LINK = re.compile(r"""(<a\b[^>]*?\s)href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


class PdfError(Exception):
    """The PDF could not be made (the message says why, in one line)."""


@dataclass(frozen=True)
class Cover:
    """What the contents page and the running header say about the pack."""

    force_name: str
    marking: str
    month_label: str
    period_label: str
    data_to_text: str


@dataclass(frozen=True)
class Section:
    """One page of the pack in the PDF: its title, its page file and its main content."""

    title: str
    page: str
    body: str


@dataclass
class PdfResult:
    """Whether ``pack.pdf`` was written; ``reason`` says why not."""

    written: bool
    reason: str | None = None
    seconds: float = 0.0
    bytes: int | None = None

    @property
    def warning(self) -> str | None:
        """The run's warning when the PDF was wanted and not written (None after ``--no-pdf``)."""
        if self.written or self.reason == NOT_WANTED:
            return None
        return f"warning: {PDF_NAME} not written: {self.reason}"

    def record(self) -> dict:
        """The ``pdf`` entry of run.json."""
        return {
            "written": self.written,
            "file": PDF_NAME if self.written else None,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "reason": self.reason,
        }


# --------------------------------------------------------------------------------------------------
# The printing document (pure: text in, text out)


def main_content(page: str, name: str) -> str:
    """The content of an exported page's ``<main>`` element (the notebook's outputs).

    Raises
    ------
    PdfError
        The page has no ``<main>`` element (it was not written by the pack's page shell).
    """
    opening = _MAIN_OPEN.search(page)
    closings = list(_MAIN_CLOSE.finditer(page))
    if opening is None or not closings or closings[-1].start() < opening.end():
        raise PdfError(f"{name} has no <main> element: not a page of the pack")
    return page[opening.end() : closings[-1].start()]


def page_scripts(page: str) -> list[str]:
    """The page shell's own scripts (after ``</main>``), to run in the printing document as they
    run in the page (the notebook outputs' scripts are inside the main content)."""
    closings = list(_MAIN_CLOSE.finditer(page))
    tail = page[closings[-1].end() :] if closings else ""
    return _SCRIPT.findall(tail)


def section_id(number: int) -> str:
    """The element id of the ``number``-th section (1 = the first page of the pack)."""
    return f"ppw-section-{number}"


def link_within(body: str, pages: Sequence[str]) -> str:
    """Links of a section made to work inside the PDF: a link to a page of the pack
    (``01_domestic_abuse.html#geography=…``) goes to its section; a link within the page
    (``#Districts``) stays; any other link loses its address (in a PDF it would name a file on
    the machine that printed it).

    >>> link_within('<a href="02_victims.html#geography=X">2.</a> <a href="notes.txt">n</a>',
    ...             ["index.html", "02_victims.html"])
    '<a href="#ppw-section-2">2.</a> <a >n</a>'
    """
    numbers = {page: i for i, page in enumerate(pages, 1)}

    def one(match: re.Match) -> str:
        url = _html.unescape(match.group(2) if match.group(2) is not None else match.group(3))
        page = url.split("#")[0]
        if page in numbers:
            return f'{match.group(1)}href="#{section_id(numbers[page])}"'
        if url.startswith("#"):
            return match.group(0)
        return match.group(1)

    return _LINK.sub(one, body)


def contents_html(sections: Sequence[Section], cover: Cover) -> str:
    """The first printed page: the force, month, period, data dates and the pack's pages."""
    e = _html.escape
    items = "\n".join(
        f'<li><a href="#{section_id(i)}">{e(s.title)}</a></li>' for i, s in enumerate(sections, 1)
    )
    return f"""<section class="ppw-pdf-contents" id="ppw-contents">
<div class="ppw-marking" role="note">{e(cover.marking)}</div>
<div class="ppw-force">{e(cover.force_name)}</div>
<h1>Performance pack: {e(cover.month_label)}</h1>
<p class="ppw-pdf-period">{e(cover.period_label)}</p>
<p class="ppw-data-to">Data to: {e(cover.data_to_text)}</p>
<h2>Contents</h2>
<ul class="ppw-pdf-toc">
{items}
</ul>
<p class="ppw-pdf-note">Each page is printed as it opens: the force over the period above. The
pack's HTML pages show every Local Policing Area and district, and the other periods.</p>
</section>"""


def print_css(sections: Sequence[Section], cover: Cover) -> str:
    """The printing document's page rules: the running header and marking on every page, each
    section on its own named page so that its title is in the header; the contents page's look.
    (The page numbers come with the pack's style sheet, ``ppw_page.css``.)"""
    font = 'font: 8pt system-ui, "Segoe UI", Arial, sans-serif; color: #57606a;'
    marking = (
        f'content: "{css_string(cover.marking)}"; {font} font-weight: 700; '
        "letter-spacing: 0.08em; color: #6a1b1b;"
    )
    header = css_string(f"{cover.force_name} · {cover.month_label}")
    rules = [
        "@page {",
        f'  @top-left {{ content: "{header}"; {font} vertical-align: bottom; }}',
        f"  @top-center {{ {marking} vertical-align: top; }}",
        f"  @bottom-center {{ {marking} vertical-align: bottom; }}",
        "}",
        "@page ppw-contents {",
        f'  @top-right {{ content: "Contents"; {font} vertical-align: bottom; }}',
        "}",
        "#ppw-contents { page: ppw-contents; }",
    ]
    for i, s in enumerate(sections, 1):
        rules += [
            f"@page ppw-page-{i} {{",
            f'  @top-right {{ content: "{css_string(s.title)}"; {font} vertical-align: bottom; }}',
            "}",
            f"#{section_id(i)} {{ page: ppw-page-{i}; }}",
        ]
    rules += [
        ".ppw-pdf-contents h1 { font-size: 1.8rem; margin-top: 2.5rem; }",
        ".ppw-pdf-period { font-size: 1.1rem; color: var(--ppw-muted); margin: 0; }",
        ".ppw-pdf-toc { font-size: 1.05rem; line-height: 1.9; padding-left: 0; list-style: none; }",
        ".ppw-pdf-toc a { color: var(--ppw-accent); text-decoration: none; }",
        ".ppw-pdf-note { color: var(--ppw-muted); font-size: 0.9rem; }",
        ".ppw-pdf-section { display: block; }",
    ]
    return "\n".join(rules)


def combined_html(
    sections: Sequence[Section], cover: Cover, *, css: str, scripts: Sequence[str] = ()
) -> str:
    """One HTML document of the contents page and every section, ready to print.

    ``css`` is the pack's style sheet; ``scripts`` the page shell's own scripts (they run under
    the pages' Content-Security-Policy, which allows the pack's scripts only and no request).
    """
    e = _html.escape
    policy = content_security_policy(own_scripts())
    pages = [s.page for s in sections]
    body = "\n".join(
        f'<section class="ppw-main ppw-pdf-section" id="{section_id(i)}" '
        f'data-page="{e(s.page)}">\n{link_within(s.body, pages)}\n</section>'
        for i, s in enumerate(sections, 1)
    )
    tail = "\n".join(f"<script>{s}</script>" for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(policy)}">
<meta name="generator" content="Police Performance Workbooks (helpers.pack.pdf)">
<title>{e(cover.force_name)} · {e(cover.month_label)} · performance pack</title>
<style>
{css}
{print_css(sections, cover)}
</style>
</head>
<body class="ppw-page ppw-pdf">
{contents_html(sections, cover)}
{body}
{tail}
</body>
</html>
"""


def cover_for(run: Run, *, force_name: str, marking: str, data_to: dict | None) -> Cover:
    """The :class:`Cover` of a run (as the page shell words them)."""
    return Cover(
        force_name=force_name,
        marking=marking,
        month_label=parse_month(run.month).strftime("%B %Y"),
        period_label=PERIOD_LABELS[run.period],
        data_to_text=data_to_text(data_to, run.month),
    )


def read_sections(folder: Path, pages: Sequence[Notebook]) -> tuple[list[Section], list[str]]:
    """The sections of the exported pages in ``folder`` (pack order) and the first page's shell
    scripts."""
    sections, scripts = [], []
    for nb in pages:
        page = (folder / nb.page).read_text(encoding="utf-8")
        sections.append(Section(title=nb.title, page=nb.page, body=main_content(page, nb.page)))
        if not scripts:
            scripts = page_scripts(page)
    return sections, scripts


# --------------------------------------------------------------------------------------------------
# Printing


def chromium_command(chromium: Path, document: Path, pdf: Path, profile: Path) -> list[str]:
    """The command that prints ``document`` to ``pdf`` on A4 (the style sheet's ``@page``) with
    no browser header or footer, no network and a throw-away profile."""
    return [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        "--generate-pdf-document-outline",
        f"--print-to-pdf={pdf}",
        document.as_uri(),
    ]


def print_to_pdf(chromium: Path, document: Path, pdf: Path, *, timeout: float) -> None:
    """Run Chromium to print ``document`` to ``pdf``; raise :class:`PdfError` saying why not.

    Chromium runs in a process group of its own (it starts helper processes), with its home and
    profile in a temporary folder beside ``document``. Whatever happens (done, a timeout, the run
    interrupted) that group is ended before this returns: no browser outlives the step.
    """
    work = Path(tempfile.mkdtemp(prefix="chromium-", dir=document.parent))
    env = {
        **os.environ,
        "HOME": str(work),
        "XDG_CONFIG_HOME": str(work),
        "XDG_CACHE_HOME": str(work),
    }
    proc = subprocess.Popen(
        chromium_command(chromium, document, pdf, work / "profile"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    output = None
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    finally:
        _end_group(proc)
        shutil.rmtree(work, ignore_errors=True)
    if output is None:
        raise PdfError(f"Chromium did not finish printing within {timeout:g} s")
    if proc.returncode != 0 or not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        last = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
        raise PdfError(
            f"Chromium exited with {proc.returncode} and wrote no PDF"
            + (f" ({last[-1].strip()[:200]})" if last else "")
        )


def _end_group(proc: subprocess.Popen) -> None:
    """End the process group that ``proc`` leads (``start_new_session``) and reap ``proc``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already ended
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - no process groups (Windows): the browser itself
            proc.kill()
    proc.communicate()


def write_pdf(
    folder: Path,
    pages: Sequence[Notebook],
    cover: Cover,
    *,
    css: str | None = None,
    chromium: Path | None = None,
    timeout: float = PRINT_TIMEOUT,
) -> PdfResult:
    """Write ``folder/pack.pdf`` from the exported ``pages`` in ``folder``; never raise for a
    PDF that cannot be made: the result says why (the pages are the pack, the PDF a copy).

    ``chromium`` defaults to :data:`CHROMIUM`; ``css`` to the pack's style sheet
    (``templates/ppw_page.css``).
    """
    start = time.perf_counter()
    chromium = Path(chromium or CHROMIUM)
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        return PdfResult(
            False,
            f"Chromium not found at {chromium} (apt-get install chromium)",
            time.perf_counter() - start,
        )
    work = Path(tempfile.mkdtemp(prefix=".pdf-", dir=folder))
    try:
        sections, scripts = read_sections(folder, pages)
        if css is None:
            css = (TEMPLATES_DIR / "ppw_page.css").read_text(encoding="utf-8")
        document = combined_html(sections, cover, css=css, scripts=scripts)
        outside = external_references(document)
        if outside:
            raise PdfError(f"the printing document would load from other hosts: {outside[:3]}")
        (work / "pack.html").write_text(document, encoding="utf-8")
        print_to_pdf(chromium, work / "pack.html", work / PDF_NAME, timeout=timeout)
        os.replace(work / PDF_NAME, folder / PDF_NAME)
    except PdfError as exc:
        return PdfResult(False, str(exc), time.perf_counter() - start)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size = (folder / PDF_NAME).stat().st_size
    return PdfResult(True, None, time.perf_counter() - start, size)


def pack_pdf(
    folder: Path, run: Run, *, config, data_to: dict | None, enabled: bool = True
) -> PdfResult:
    """The runner's step: write ``pack.pdf`` of ``run.pages`` in ``folder`` (the staging folder,
    every page in it) unless not ``enabled`` (``--no-pdf``); log one line either way.

    ``config`` is the force configuration (its name and protective marking); ``data_to`` the
    cube's dates (``Cube.data_to``), for the contents page.
    """
    if not enabled:
        return PdfResult(False, NOT_WANTED)
    cover = cover_for(
        run, force_name=config.force_name, marking=config.protective_marking, data_to=data_to
    )
    result = write_pdf(folder, run.pages, cover)
    if result.written:
        size = f"{(result.bytes or 0) / (1024 * 1024):.1f} MB"
        log(f"  {PDF_NAME:<40} {size:>9}  (the {len(run.pages)} pages, {result.seconds:.1f} s)")
    else:
        log(f"{PDF_NAME} not written: {result.reason}")
    return result
