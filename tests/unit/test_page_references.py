"""The pack's pages make no request: the reference scan, the anchors, the Content-Security-Policy.

helpers.pack.runner checks every exported page for anything that would make a browser contact another
host (refusing the page), turns links to other sites into text, and gives each page a policy that
forbids every request and every script but the pack's own. The scan reads attributes as a browser
does (character references decoded), so an entity-encoded address is found and an address shown as
text is not.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import nbformat
import pytest

from helpers.pack import export
from helpers.pack import runner as pack
from helpers.render import views

HOST = "127.0.0.1:9"


@pytest.mark.parametrize(
    "html",
    [
        f'<img src="&#x68;ttp://{HOST}/entity.png">',
        f'<iframe srcdoc="&lt;img&#32;src=&quot;http://{HOST}/s&quot;&gt;"></iframe>',
        f'<meta http-equiv="refresh" content="0;url=http://{HOST}/r">',
        f'<meta http-equiv="Refresh" content="0; URL=\'//{HOST}/r\'">',
        f'<a href="#top" ping="http://{HOST}/p">top</a>',
        f'<img src="http:{HOST}/no-slashes.png">',
        '<img src="\\\\127.0.0.1\\share\\x.png">',
        f'<link rel="stylesheet" href="/&#9;/{HOST}/tab.css">',
        f"<style>@import url(\\68 ttp://{HOST}/escaped.css);</style>",
        f'<div style="background:url(&quot;http://{HOST}/bg&quot;)">x</div>',
        '<img src="file://127.0.0.1/share/x.png">',
    ],
)
def test_a_reference_written_as_a_browser_would_still_read_it_is_found(html):
    assert export.external_references(html)


@pytest.mark.parametrize(
    "html",
    [
        f'<style>div {{ background: image-set("http://{HOST}/a.png" 1x) }}</style>',
        f'<svg><image href="https://{HOST}/i.png"/></svg>',
        f'<video poster="HTTPS://{HOST}/p.png"></video>',
        f'<script>fetch("https://{HOST}/x")</script>',
    ],
)
def test_plainly_written_references_are_still_found(html):
    """What the pattern scan found before, the parser finds too."""
    assert export.external_references(html)


@pytest.mark.parametrize(
    "html",
    [
        # Commentary that shows HTML as text (helpers.pages.report.render_markdown) is no request.
        f"<p>&lt;style&gt;@import url(http://{HOST}/x.css)&lt;/style&gt;</p>",
        f"<p>In CSS, background: url(http://{HOST}/x) loads an image.</p>",
        f'<p>&lt;img src="http://{HOST}/x.png"&gt;</p>',
        '<img src="file:///C:/pack/x.png"><a href="01_domestic_abuse.html#p">p</a>',
        '<p style="color:#333">"note: a quoted string is not a URL"</p>',
    ],
)
def test_text_and_local_content_are_not_requests(html):
    assert export.external_references(html) == []


@pytest.mark.parametrize(
    "anchor",
    [
        f'<a href="&#x68;ttps://{HOST}/">the site</a>',
        f"<a href=https://{HOST}/>the site</a>",
        f'<a href="HTTP:{HOST}/">the site</a>',
    ],
)
def test_a_link_to_another_host_becomes_text_however_written(anchor):
    out = export.unlink_external_anchors(f"<p>See {anchor}.</p>")
    assert "<a" not in out and "the site" in out and HOST in out


def test_links_within_the_pack_stay_links():
    html = (
        '<p><a href="06_crime_prevention.html#geography=Basildon">crime</a> <a href="#x">x</a></p>'
    )
    assert export.unlink_external_anchors(html) == html


# ----------------------------------------------------------------------- the page's policy


class Head(HTMLParser):
    """The elements of a page in order, and the text of each script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


def exported_page(tmp_path, html_output: str) -> str:
    """A notebook with one HTML output, exported as the pack exports a page."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("views.switcher(...)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": html_output}, metadata={})
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook = pack.Notebook(tmp_path / "01_domestic_abuse.ipynb", "01", "domestic_abuse")
    run = pack.Run(
        month="2016-09",
        period="rolling-12m",
        data_dir=tmp_path,
        out=tmp_path / "out",
        jobs=1,
        timeout=10,
        notebooks=[notebook],
        notebooks_dir=tmp_path,
    )
    shell = pack.page_shell(
        run, notebook, force_name="Force", marking="OFFICIAL", data_to={"crimes": "2016-09"}
    )
    page, _ = pack.export_html(nb, shell)
    return page


def policy_of(page: str) -> tuple[dict[str, list[str]], Head]:
    head = Head()
    head.feed(page)
    metas = [
        a for t, a in head.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(metas) == 1, "one Content-Security-Policy <meta> per page"
    # First after <meta charset>: a policy covers only what follows it.
    assert [t for t, _ in head.tags[:4]] == ["html", "head", "meta", "meta"]
    assert head.tags[3][1] is metas[0]
    directives = {}
    for part in metas[0]["content"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives, head


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_a_page_forbids_every_request_and_runs_only_the_pack_s_own_scripts(tmp_path):
    switcher = views.switcher(lambda g, p: f"<p>{g} {p}</p>", ["Force", "North"], ["fytd"]).data
    page = exported_page(tmp_path, switcher)
    directives, head = policy_of(page)
    assert directives["default-src"] == ["'none'"]
    assert directives["img-src"] == ["data:"]
    assert directives["style-src"] == ["'unsafe-inline'"]
    for name in ("form-action", "base-uri", "frame-src", "object-src"):
        assert directives[name] == ["'none'"], name
    # Scripts by hash only: an injected inline script, event attribute or javascript: URL is
    # not among them (no 'unsafe-inline', no host, no 'self': file:// pages beside it).
    allowed = directives["script-src"]
    assert allowed and all(v.startswith("'sha256-") for v in allowed)
    assert len(head.scripts) == 2  # the view switcher and the page's link keeper
    assert {sha256(s) for s in head.scripts} == set(allowed)


def test_a_script_the_pack_did_not_write_is_refused_at_export(tmp_path):
    with pytest.raises(pack.ExportError, match=r"01_domestic_abuse.*script the pack did not write"):
        exported_page(tmp_path, "<p>chart</p><script>window.__pwned = 1</script>")


def test_a_json_data_block_is_not_a_script(tmp_path):
    page = exported_page(tmp_path, '<script type="application/json">{"a": 1}</script><p>x</p>')
    assert '{"a": 1}' in page


def test_the_policy_lists_the_sha256_of_each_script_once():
    policy = export.content_security_policy(["alert(1)", "alert(1)", "x()"])
    (script_src,) = [p for p in policy.split("; ") if p.startswith("script-src ")]
    assert sorted(script_src.split()[1:]) == sorted([sha256("alert(1)"), sha256("x()")])
    assert re.search(r"\bdefault-src 'none'", policy)
