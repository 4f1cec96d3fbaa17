"""Commentary (helpers.pages.report.render_markdown, commentary_html): shown as text, never run or loaded.

Commentary is markdown an analyst writes and the pack publishes as HTML to every commander. Each
case below is a way that text could make a reader's browser run a script or contact another host;
each must render to HTML with only the commentary's allowed elements, no attribute but ``href``
on ``a``, and no ``href`` that leaves the pack. The HTML is read with a parser (as a browser reads
it), not searched as text: ``&lt;script&gt;`` shown as text is the wanted result.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from helpers.pages import report

EVIL = "http://127.0.0.1:9/"

#: Each case reached the published HTML as live HTML with mistune (issue 16, "Injected").
INJECTIONS = {
    "script": "<script>window.__pwned = 1</script>",
    "script inside a paragraph": "Figures rose <script>document.title = 'pwned'</script> again.",
    "javascript href": '<a href="javascript:window.__pwned=1">click</a>',
    "entity-encoded javascript href": '<a href="&#x6a;avascript:window.__pwned=1">click</a>',
    "img onerror": '<img src=x onerror="window.__pwned=1">',
    "entity-encoded src": '<img src="&#x68;ttp://127.0.0.1:9/entity.png">',
    "iframe srcdoc": f'<iframe srcdoc="<script>parent.__pwned=1</script><img src={EVIL}s>"></iframe>',
    "meta refresh": f'<meta http-equiv="refresh" content="0;url={EVIL}refresh">',
    "svg onload": '<svg onload="window.__pwned=1"><circle r=4 /></svg>',
    "markdown image": f"![chart]({EVIL}x.png)",
    "markdown link": f"[the guidance]({EVIL})",
    "markdown autolink": f"<{EVIL}auto>",
    "protocol-relative markdown link": "[mirror](//127.0.0.1:9/m)",
    "style import": f"<style>@import url({EVIL}x.css)</style>",
    "protocol-relative anchor": '<a href="//127.0.0.1:9/">e</a>',
    "URL split inside a script": '<script>new Image().src = "ht" + "tp://127.0.0.1:9/split";</script>',
    "object data": f'<object data="{EVIL}o"></object>',
    "link stylesheet": f'<link rel="stylesheet" href="{EVIL}l.css">',
    "form action": f'<form action="{EVIL}f"><button>Send</button></form>',
    "style attribute": f"<p style=\"background:url('{EVIL}bg')\">styled</p>",
    "base href": f'<base href="{EVIL}">',
    "html block in markdown": f'<div onclick="window.__pwned=1">\n\n**bold** <img src="{EVIL}b">\n\n</div>',
}

#: The elements a commentary needs (the test's own list, so that it reads the old code too).
ALLOWED_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ALLOWED_TAGS |= {"h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
#: A link the commentary may keep: another page of the pack beside this one, or a place on it.
OWN_LINK = re.compile(r"[\w-]+\.html(#\S*)?|#\S+")


class Elements(HTMLParser):
    """Every start tag and its attributes, decoded as a browser decodes them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def problems(html: str) -> list[str]:
    """What in ``html`` could run or load anything: the test's own reading, not the code's."""
    found = []
    for tag, attrs in elements(html):
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if not (tag == "a" and name == "href"):
                found.append(f"{tag} {name}={value!r}")
            elif not OWN_LINK.fullmatch(value):
                found.append(f"a href={value!r}")
    return found


WRAPPER = '<div class="ppw ppw-commentary">'


def inner(html: str) -> str:
    """The rendered commentary inside commentary_html's wrapper (the page's, not the analyst's)."""
    assert html.startswith(WRAPPER) and html.endswith("</div>")
    return html.removeprefix(WRAPPER).removesuffix("</div>")


def write_commentary(root, text: str, area: int = 1):
    path = report.commentary_path("2016-09", area, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", INJECTIONS)
def test_an_injection_in_commentary_is_published_as_text(tmp_path, case):
    write_commentary(tmp_path, f"### Commentary\n\n{INJECTIONS[case]}\n")
    html = inner(report.commentary_html("2016-09", 1, root=tmp_path))
    assert problems(html) == []
    assert "127.0.0.1" not in " ".join(v for _, a in elements(html) for v in a.values())


def test_all_injections_together_still_render_as_text(tmp_path):
    """One file holding every case (as the browser test publishes it): nothing slips between them."""
    text = "\n\n".join(f"**{case}:** {markdown}" for case, markdown in INJECTIONS.items())
    html = report.render_markdown(text)
    assert problems(html) == []
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html  # shown, not dropped


def test_ordinary_markdown_still_renders():
    text = (
        "## Burglary\n\n"
        "Burglary **fell** by *5%*; see [the table](06_crime_prevention.html#geography=Basildon)"
        " and [below](#notes).\n\n"
        "- Operation Home Guard\n- Active Citizens\n\n"
        "1. first\n2. second\n\n"
        "> Quoted from the Chief Constable.\n\n"
        "#### By district\n\n"
        "| District | Change |\n|---|--:|\n| Basildon | `-5%` |\n\n"
        "Line one  \nline two\n"
    )
    html = report.render_markdown(text)
    assert problems(html) == []
    for piece in (
        "<h3>Burglary</h3>",  # a level-2 heading sits below the page's own h1/h2
        "<strong>fell</strong>",
        "<em>5%</em>",
        '<a href="06_crime_prevention.html#geography=Basildon">the table</a>',
        '<a href="#notes">below</a>',
        "<li>Operation Home Guard</li>",
        "<ol>",
        "<blockquote>",
        "<h4>By district</h4>",
        "<th>District</th>",
        "<td><code>-5%</code></td>",
        "<br",
    ):
        assert piece in html, piece


def test_a_link_to_another_site_shows_its_address_as_text():
    html = report.render_markdown(
        "See [the guidance](https://www.gov.uk/guidance) and <https://x.org/>."
    )
    assert html == "<p>See the guidance (https://www.gov.uk/guidance) and https://x.org/.</p>\n"


def test_an_image_is_replaced_by_its_alt_text():
    assert (
        report.render_markdown(f"![chart of burglary]({EVIL}x.png)") == "<p>chart of burglary</p>\n"
    )


class _Figures:
    """Figures answering every placeholder with a figure as the tables print one."""

    def text(self, function: str, measure_id: str) -> str:
        return "-3.6% pt."


def test_the_example_commentary_is_published_as_before():
    """The 2016-09 examples use only what commentary allows: the same HTML as mistune made of
    the same text (their placeholders filled)."""
    import html

    import mistune  # the old renderer (nbconvert's): the reference for harmless markdown

    from helpers.pages.commentary_fill import fill_text

    for area in (1, 2, 6, 8):
        path = report.commentary_path("2016-09", area)
        text = fill_text(path.read_text(encoding="utf-8").strip(), _Figures())
        rendered = inner(report.commentary_html("2016-09", area, figures=_Figures()))
        assert problems(rendered) == [], path.name
        # mistune writes a quote as &quot; in text, markdown-it as "; the same to a browser.
        assert html.unescape(rendered) == html.unescape(mistune.html(text)), path.name
