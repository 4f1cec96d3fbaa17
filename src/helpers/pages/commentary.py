"""The analysts' commentary of an area page: where it lives and how it becomes HTML.

``<profile>/commentary/<YYYY-MM>/<NN>_<slug>.md`` (:func:`commentary_path`), markdown rendered to
HTML that can do nothing but show text (:func:`render_markdown`), and the block an area page
shows (:func:`commentary_html`), its placeholders filled from the page's figures
(:mod:`helpers.pages.commentary_fill`; the pack's contradiction check is
:mod:`helpers.pages.commentary_check`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ..config import COMMENTARY_DIR, display_config_path
from ..contract.catalog import AREA_SLUGS
from ..periods import parse_month
from .commentary_fill import CommentaryError, Figures, fill_tokens, placeholders


def commentary_path(month, area: int, root: Path = COMMENTARY_DIR) -> Path:
    """``<root>/<YYYY-MM>/<NN>_<slug>.md`` (``root``: the profile's ``commentary/``).

    Only a month names a folder: ``template/`` (the files an analyst starts from) is never read.
    """
    m = parse_month(month)
    return root / m.strftime("%Y-%m") / f"{area:02d}_{AREA_SLUGS[area]}.md"


#: The elements a commentary may hold: text and its structure. No images, media, frames, forms,
#: scripts or styles, and no attribute but ``href`` on ``a`` (see :func:`render_markdown`).
COMMENTARY_TAGS = frozenset(
    {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li"}
    | {"h3", "h4", "h5", "h6", "a"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
#: A link a commentary may keep: another page of the pack beside this one
#: (``06_crime_prevention.html#geography=Basildon``) or a place on this page (``#…``).
_OWN_LINK = re.compile(r"[\w-]+\.html(?:#\S*)?|#\S+")


def _own_link(url: str) -> str | None:
    """``url`` when it is a link within the pack, else None (the sanitiser drops the ``href``)."""
    return url if _OWN_LINK.fullmatch(url) else None


@functools.cache
def _commentary_renderer():
    """The markdown parser and the allow-list sanitiser for commentary (built once: a few ms)."""
    import nh3
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML off: ``<script>`` in the text is shown as text, never parsed as HTML.
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    sanitiser = nh3.Cleaner(
        tags=set(COMMENTARY_TAGS),
        clean_content_tags={"script", "style"},
        # "*": no generic attributes (ammonia allows lang and title on every tag by default).
        attributes={"*": set(), "a": {"href"}},
        link_rel=None,
        url_schemes=set(),  # no absolute URL of any scheme: http, javascript, data, file…
        url_relative=_own_link,  # and of the relative ones (//host is one) only the pack's pages
        strip_comments=True,
    )
    return markdown, sanitiser


def _confine(tokens) -> None:
    """Fit parsed commentary to the page, in place: headings, links and images.

    - ``#`` and ``##`` become ``h3``: the page's own title and sections are ``h1`` and ``h2``.
    - A link outside the pack becomes its text followed by the address, ``text (https://…)``,
      not clickable: readers on an intranet get no dead link and the page points nowhere else.
    - An image becomes its alt text: a commentary is text, and an image would be a request.
    """
    from markdown_it.token import Token

    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag in ("h1", "h2"):
            token.tag = "h3"
        if token.type != "inline" or not token.children:
            continue
        children = []
        outside = None  # the address of the link being unlinked (CommonMark links do not nest)
        first = 0  # where its text starts in children
        for child in token.children:
            if child.type == "link_open" and _own_link(str(child.attrGet("href") or "")) is None:
                outside, first = str(child.attrGet("href") or ""), len(children)
            elif child.type == "link_close" and outside is not None:
                shown = "".join(c.content for c in children[first:] if c.type != "softbreak")
                if shown.strip() != outside:  # an autolink <https://…> already shows it
                    children.append(Token("text", "", 0, content=f" ({outside})"))
                outside = None
            elif child.type == "image":
                children.append(Token("text", "", 0, content=child.content))
            else:
                children.append(child)
        token.children = children


def markdown_tokens(text: str) -> list:
    """Commentary parsed as the page parses it (markdown-it tokens, raw HTML off), not yet fitted."""
    markdown, _ = _commentary_renderer()
    return markdown.parse(text)


def render_markdown(text: str, figures: Figures | None = None) -> str:
    """Render an analyst's commentary (markdown) to HTML that can do nothing but show text.

    Two layers, each enough on its own for what the page could load or run:

    1. markdown-it-py (CommonMark and tables) with raw HTML **off**: HTML written in the
       markdown (``<script>``, ``<img onerror=…>``, ``<iframe srcdoc=…>``, ``<meta http-equiv>``)
       is shown as text. Links outside the pack are shown as text with their address; images
       as their alt text (:func:`_confine`).
    2. nh3 (the Rust ammonia sanitiser), an allow-list: only :data:`COMMENTARY_TAGS`, no attribute
       but ``href`` on ``a``, and only hrefs to the pack's own pages (:data:`_OWN_LINK`).

    The page's Content-Security-Policy (:func:`helpers.pack.runner.content_security_policy`) is a third.

    Placeholders (``{{ change("all_crime") }}``) are filled from ``figures`` into the parsed text,
    before rendering and sanitising: a value is text, escaped as any text is
    (:func:`helpers.pages.commentary_fill.fill_tokens`). Without ``figures`` they are left as written.

    Parameters
    ----------
    text
        The markdown of ``<profile>/commentary/<YYYY-MM>/<NN>_<slug>.md``.
    figures
        The page's figures (:class:`helpers.pages.commentary_fill.Figures`), to fill placeholders.

    Returns
    -------
    str
        HTML with no script, no event attribute, no style and no reference to another host.

    Examples
    --------
    >>> render_markdown("**Burglary** fell; see [the table](06_crime_prevention.html).")
    '<p><strong>Burglary</strong> fell; see <a href="06_crime_prevention.html">the table</a>.</p>\\n'
    >>> render_markdown("[Home Office](https://www.gov.uk/) <img src=x onerror=alert(1)>")
    '<p>Home Office (https://www.gov.uk/) &lt;img src=x onerror=alert(1)&gt;</p>\\n'
    """
    markdown, sanitiser = _commentary_renderer()
    tokens = markdown.parse(text)
    _confine(tokens)
    if figures is not None:
        fill_tokens(tokens, figures)
    return sanitiser.clean(markdown.renderer.render(tokens, markdown.options, {}))


def commentary_html(
    month, area: int, root: Path = COMMENTARY_DIR, *, figures: Figures | None = None
) -> str:
    """The area's commentary for the month as HTML, or "" when there is none.

    ``figures`` (the page's view, :class:`helpers.pages.commentary_fill.Figures`) fills the
    placeholders. Raises :class:`helpers.pages.commentary_fill.CommentaryError` naming the file
    and line of a placeholder that cannot be filled, or of any placeholder when ``figures`` is None.
    """
    path = commentary_path(month, area, root)
    if not path.exists():
        return ""
    written = path.read_text(encoding="utf-8")
    text = written.strip()
    if not text:
        return ""
    found = placeholders(written, display_config_path(path), month)
    if found and figures is None:
        raise CommentaryError(
            f"{display_config_path(path)} line {found[0].line}: {found[0].text} needs the "
            "page's figures to fill it (AreaPage.commentary fills it)"
        )
    return f'<div class="ppw ppw-commentary">{render_markdown(text, figures)}</div>'
