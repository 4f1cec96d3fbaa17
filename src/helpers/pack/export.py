"""HTML for commanders: the page shell, no code, no request to another host, a CSP per page."""

from __future__ import annotations

import base64
import functools
import hashlib
import html as _html
import json
import re
import threading
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from ..periods import PERIOD_LABELS, as_month, month_label, parse_month
from .errors import ExportError
from .plan import Notebook, Run

#: Page size budgets in bytes. A page should open in seconds over a slow intranet link (2 MB at
#: 2 Mbit/s: about 8 s) and the whole pack should fit one e-mail: attachment limits are 10–25 MB
#: per message (Exchange Online's default is 25 MB after encoding, many forces set 10 MB), and
#: base64 encoding adds a third. The September 2016 demo pack is about 3.6 MB in all.
PAGE_BUDGET = {"index": 3 * 1024 * 1024, "area": 2 * 1024 * 1024}
#: Budget for all pages together: 7 MB of pages is about 9.5 MB once base64-encoded in a mail.
PACK_BUDGET = 7 * 1024 * 1024
TEMPLATES_DIR = Path(__file__).with_name("templates")
WIDGET_MIMETYPES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)
#: Cell tags that keep a cell (or its outputs) out of the commanders' HTML.
REMOVE_CELL_TAGS = {"remove-cell", "remove_cell"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}


# --------------------------------------------------------------------------------------------------
# HTML for commanders


# A page is checked with the standard library's HTML parser, which reads attributes as a browser
# does (``&#x68;ttp:`` is ``http:``), not with patterns over the raw text: commentary shown as text
# (``&lt;img src=http://…&gt;``) is no request, and an entity-encoded one in an attribute is.

#: Attributes whose URL a browser fetches by itself. ``href`` of ``<a>`` and ``<area>`` waits for
#: a click and is left to :func:`unlink_external_anchors`; ``ping`` of ``<a>`` is sent on a click.
_FETCH_ATTRS = frozenset(
    {"src", "href", "srcset", "imagesrcset", "data", "poster", "action", "formaction"}
    | {"xlink:href", "background", "ping", "manifest", "codebase", "archive", "lowsrc", "dynsrc"}
    | {"icon"}
)
_CLICK_ONLY = {("a", "href"), ("a", "xlink:href"), ("area", "href")}
#: Schemes that stay on the reader's machine. ``file:`` does too unless it names a host
#: (``file://server/share`` opens a network share).
_LOCAL_SCHEMES = frozenset({"data", "about", "blob", "javascript"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_URL_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")  # C0 controls and space
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_URL = re.compile(
    r"url\(\s*([\"']?)(.*?)\1\s*\)|@import\s+([\"'])(.*?)\3|image-set\(([^)]*)\)",
    re.IGNORECASE | re.DOTALL,
)
_CSS_STRING = re.compile(r"([\"'])(.*?)\1", re.DOTALL)
_URL_IN_CODE = re.compile(r"[\"'`(]\s*((?:https?:)?//[a-zA-Z0-9][^\"'`)\s]*)")
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?[\"']?([^\"']*)", re.IGNORECASE)
_DATA_URI_PAYLOAD = re.compile(r"(data:image/[\w.+-]+;base64,)[A-Za-z0-9+/=]+")


def names_another_host(url: str) -> bool:
    """True when a browser given ``url`` would contact a host (``https://…``, ``//…``, ``http:x``).

    Read as a browser reads a URL: leading and trailing spaces and control characters ignored, tabs
    and newlines removed anywhere, ``\\`` taken as ``/``, the scheme in any case.

    Examples
    --------
    >>> [names_another_host(u) for u in ("//cdn.example/x.js", " HTTPS://x", "\\\\\\\\host\\\\a")]
    [True, True, True]
    >>> [names_another_host(u) for u in ("01_domestic_abuse.html#x", "data:image/png;base64,", "#p")]
    [False, False, False]
    """
    url = _URL_EDGES.sub("", re.sub(r"[\t\n\r]", "", url))
    url = url.replace("\\", "/").lower()
    if url.startswith("//"):
        return True
    scheme = _SCHEME.match(url)
    if scheme is None:
        return False  # a path on the reader's machine, relative to the page
    name = scheme.group(1)
    if name == "file":
        rest = url[len("file:") :]
        return rest.startswith("//") and not rest.startswith("///") and rest[2:3] != "/"
    # http:host (no slashes) is http://host/ to a browser; any other scheme leaves the page too.
    return name not in _LOCAL_SCHEMES


def _css_references(css: str) -> list[str]:
    """URLs in a style sheet or ``style`` attribute that name another host."""
    css = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)
    found = []
    for match in _CSS_URL.finditer(css):
        if match.group(5) is not None:  # image-set("a.png" 1x, url(b.png) 2x)
            found += [s for _, s in _CSS_STRING.findall(match.group(5))]
        else:
            found.append(match.group(2) if match.group(2) is not None else match.group(4))
    return [u.strip() for u in found if names_another_host(u)]


class _ReferenceFinder(HTMLParser):
    """Collects what in a page would make a browser contact another host (see external_references)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None  # "script" or "style" while inside one

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in _FETCH_ATTRS and (tag, name) not in _CLICK_ONLY:
                candidates = [value]
                if name in ("srcset", "imagesrcset"):  # "a.png 1x, b.png 2x"
                    candidates = [part.strip().split(" ")[0] for part in value.split(",")]
                elif name == "ping":  # space-separated URLs
                    candidates = value.split()
                self.found += [u.strip() for u in candidates if names_another_host(u)]
            elif name == "style":
                self.found += _css_references(value)
            elif name == "srcdoc":  # a whole document inside the attribute
                self.found += external_references(value)
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            target = _REFRESH_URL.match(values.get("content", "")).group(1).strip()
            if names_another_host(target):
                self.found.append(target)
        self._in = tag if tag in ("script", "style") else None

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found += _css_references(data)
        elif self._in == "script":
            self.found += _URL_IN_CODE.findall(data)


def external_references(page: str) -> list[str]:
    """Return every reference in ``page`` that would make a browser contact another host.

    Looks at the attributes a browser fetches by itself on any element (``<script src>``,
    ``<link href>``, ``<img src>``/``srcset``, ``<iframe src>``, ``<object data>``, ``<a ping>``…),
    ``<meta http-equiv="refresh">``, the document inside ``<iframe srcdoc>``, CSS ``url(…)``,
    ``@import`` and ``image-set`` in style sheets and ``style`` attributes, and URLs written out in
    inline scripts. Attributes are read with their character references decoded, as a browser
    reads them. Plain text and ``<a href>`` links that a reader may click are not requests.

    A script can build a URL this cannot see (``"ht" + "tp://…"``): the page's
    Content-Security-Policy (:func:`content_security_policy`) is what stops those.
    """
    # An image's base64 holds none of these references; it is most of a page and slow to parse.
    finder = _ReferenceFinder()
    finder.feed(_DATA_URI_PAYLOAD.sub(r"\1", page))
    finder.close()
    return sorted(set(finder.found))


_ANCHOR = re.compile(
    r"<a\b[^>]*?\shref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))[^>]*>(.*?)</a\s*>",
    re.IGNORECASE | re.DOTALL,
)


def unlink_external_anchors(page: str) -> str:
    """Turn ``<a href="https://…">text</a>`` into plain text that shows the address.

    Readers on an intranet without internet access get no dead links, and the address stays
    visible for anyone who wants to type it. The address is read as a browser reads it
    (``&#x68;ttps:``, ``//host``, ``HTTPS:``); links to the pack's own pages are kept.
    """

    def plain(match: re.Match) -> str:
        raw = next(g for g in match.groups()[:3] if g is not None)
        url, text = _html.unescape(raw), match.group(4)
        if not names_another_host(url):
            return match.group(0)
        bare = re.sub(r"<[^>]+>", "", text).strip()
        if bare == url or (bare and bare.rstrip("/") in url):
            return f'<span class="ppw-url">{text}</span>'
        return f'{text} <span class="ppw-url">({_html.escape(url)})</span>'

    return _ANCHOR.sub(plain, page)


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def own_scripts() -> tuple[str, ...]:
    """The text of every inline script the pack writes: the page's link keeper and view switcher."""
    from ..render import views

    return (_read_template_file("ppw_page.js"), views._script())


def content_security_policy(scripts: Iterable[str]) -> str:
    """The page's Content-Security-Policy: no request of any kind, only the pack's own scripts.

    ``default-src 'none'`` forbids every fetch (scripts, styles, images, fonts, frames,
    connections) that a directive below does not allow; images only from ``data:`` (the charts);
    styles inline (the page's style sheet and the tables' ``style`` attributes); scripts only
    those whose SHA-256 is listed (the pack's own, :func:`own_scripts`: an injected inline
    script, event attribute or ``javascript:`` URL does not run); no form, ``<base>`` or frame.

    Examples
    --------
    >>> content_security_policy([]).split("; ")[:2]
    ["default-src 'none'", "script-src 'none'"]
    """
    hashes = sorted({_script_hash(s) for s in scripts}) or ["'none'"]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(hashes),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-src 'none'",
            "object-src 'none'",
        ]
    )


def foreign_scripts(page: str) -> list[str]:
    """The beginnings of inline or external scripts in ``page`` that are not the pack's own.

    The Content-Security-Policy blocks them; the export refuses the page instead, so that a
    notebook output with a script of its own is an error with its name, not a silent gap.
    """
    own = set(own_scripts())
    found = []
    for attrs, body in _SCRIPT.findall(page):
        kind = re.search(r"\btype\s*=\s*[\"']?([^\"'\s>]+)", attrs, re.IGNORECASE)
        if kind and kind.group(1).lower() not in _SCRIPT_TYPES:
            continue  # a data block (application/json…): never run
        if body not in own or re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            found.append((attrs + " " + body).strip()[:60])
    return found


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_TYPES = {"text/javascript", "application/javascript", "module", "text/ecmascript"}


def prepare_for_html(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` fit for commanders and the number of stderr outputs dropped.

    Drops widget views and widget state (no kernel, no CDN: they cannot render), stderr streams
    (Python warnings are for the analyst, kept in the executed notebook), and cells or outputs
    tagged ``remove-cell`` / ``remove-output``.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("widgets", None)
    dropped = 0
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = []
            for out in [] if tags & REMOVE_OUTPUT_TAGS else cell.outputs:
                if out.output_type == "stream" and out.get("name") == "stderr":
                    dropped += 1
                    continue
                data = out.get("data", {})
                if any(m in data for m in WIDGET_MIMETYPES):
                    continue
                outputs.append(out)
            cell.outputs = outputs
        cells.append(cell)
    nb.cells = cells
    return nb, dropped


def data_to_text(data_to: dict | None, month: str | None = None) -> str:
    """``crimes Sep 2016 · incidents Sep 2016 · …`` from ``cube.data_to``.

    A source that runs past the report month is shown to the report month: the report uses
    nothing later. A source that stops earlier shows its own last month, which is the point.
    """
    if not data_to:
        return "not known"
    report_month = parse_month(month) if month else None
    parts = []
    for name, value in data_to.items():
        m = as_month(value)
        if m is not None and report_month is not None:
            m = min(m, report_month)
        # the extract's name in words; the peer forces' figures are no "msg peers" to a reader
        words = "peer forces" if name == "msg_peers" else name.replace("_", " ")
        parts.append(f"{words} {month_label(m) if m is not None else 'no data'}")
    return " · ".join(parts)


def css_string(text: str) -> str:
    """Text as the inside of a double-quoted CSS string in a ``<style>`` element (the page's
    marking; ``pack.pdf``'s running header and titles).

    A backslash or quote is escaped and ``<`` / ``>`` are written as CSS escapes: a marking holding
    ``</style>`` would otherwise end the style sheet and the rest would be read as HTML.

    >>> css_string('A "B" </style>')
    'A \\\\"B\\\\" \\\\3C /style\\\\3E '
    """
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", " ")
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
    )


def _read_template_file(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


def page_shell(
    run: Run, notebook: Notebook, *, force_name: str, marking: str, data_to: dict | None
) -> dict:
    """The values the page template needs (``resources['ppw']``).

    The page opens on the force's view of the run's period: the heading names them (and the
    views' script rewrites it as the selection changes); ``js_notice`` says so where the
    selectors cannot work.
    """
    pages = run.pages or run.notebooks
    i = pages.index(notebook)
    period_label = PERIOD_LABELS[run.period]
    geography = run.parameters["geography"]
    place = "the Force" if geography == "Force" else geography

    def link(nb: Notebook | None):
        return None if nb is None else {"href": nb.page, "title": nb.title}

    return {
        "force_name": force_name,
        "marking": marking,
        "marking_css": css_string(marking),
        "month_label": parse_month(run.month).strftime("%B %Y"),
        "period_label": period_label,
        "geography": geography,
        "js_notice": (
            f"Selectors need JavaScript: this page shows {place}, "
            f"{period_label[:1].lower() + period_label[1:]}."
        ),
        "data_to_text": data_to_text(data_to, run.month),
        "page_title": notebook.title,
        "notebook": notebook.name,
        "prev": link(pages[i - 1] if i > 0 else None),
        "next": link(pages[i + 1] if i + 1 < len(pages) else None),
        "contents": [
            {"href": nb.page, "title": nb.title, "current": nb is notebook} for nb in pages
        ],
        "css": _read_template_file("ppw_page.css"),
        "js": _read_template_file("ppw_page.js"),
        "csp": content_security_policy(own_scripts()),
    }


@functools.cache
def _exporter_class():
    from nbconvert import HTMLExporter

    class PackHTMLExporter(HTMLExporter):
        """HTMLExporter that validates the notebook once, not after each of its preprocessors.

        nbconvert validates after every preprocessor with ``relax_add_props=True``, which makes
        nbformat compile the JSON schema afresh each time: about 70 ms × 12 per page.
        """

        def _validate_preprocessor(self, nbc, preprocessor):
            pass

        def from_notebook_node(self, nb, resources=None, **kw):
            """Render without HTMLExporter's BeautifulSoup pass (about 0.4 s on a large page).

            That pass only adds a placeholder alt text to images and tabindex to cells; the
            pack's pages are not edited in a browser. Falls back to the full export if
            nbconvert's internals change.
            """
            try:
                from nbconvert.exporters.templateexporter import TemplateExporter
                from nbconvert.filters.highlight import Highlight2HTML
                from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                highlight = self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                )
                resources = self._init_resources(resources)
                data_type = WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                )
            except (ImportError, AttributeError, TypeError):  # pragma: no cover - other nbconvert
                return super().from_notebook_node(nb, resources, **kw)
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PackHTMLExporter


_local = threading.local()


def _exporter():
    """One configured exporter per thread: building one compiles the Jinja templates."""
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        exporter = _exporter_class()(
            template_name="lab",
            template_file="ppw_page.html.j2",
            extra_template_paths=[str(TEMPLATES_DIR)],
        )
        # --report-mode only hides inputs in Lab's UI; the HTML templates ignore it (papermill #506).
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        # Keep a non-empty anchor text (hidden by the page CSS): with "" the markdown renderer
        # writes <a … />, which HTML does not close, and the rest of the page vanishes into it.
        exporter.anchor_link_text = "¶"
        _local.exporter = exporter
    return exporter


def export_html(nb: nbformat.NotebookNode, shell: dict) -> tuple[str, int]:
    """Export an executed notebook to one self-contained HTML page; return it and stderr dropped.

    Raises
    ------
    ExportError
        The page would still make a request to another host, or holds a script that is not the
        pack's own (:func:`foreign_scripts`).
    """
    clean, dropped = prepare_for_html(nb)
    nbformat.validate(clean)
    body, _ = _exporter().from_notebook_node(clean, resources={"ppw": shell})
    body = unlink_external_anchors(body)
    external = external_references(body)
    if external:
        raise ExportError(
            f"{shell['notebook']}: the page would load from other hosts: {', '.join(external[:5])}"
        )
    foreign = foreign_scripts(body)
    if foreign:
        raise ExportError(
            f"{shell['notebook']}: an output holds a script the pack did not write (its page "
            f"would block it): {'; '.join(repr(f) for f in foreign[:3])}"
        )
    return body, dropped
