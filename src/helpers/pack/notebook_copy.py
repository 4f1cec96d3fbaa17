"""The executed notebooks as the pack publishes them: a copy a commander can open in JupyterLab.

A pack notebook sent to a commander is untrusted when opened in JupyterLab (it was executed
elsewhere), so JupyterLab sanitises its HTML outputs: the switchers' scripts and the ``hidden``
attribute are dropped, every pre-rendered view of :func:`helpers.render.views.switcher` shows at
once (108 on an area page) and the dropdowns do nothing. The copy under
``reports/<month>/notebooks/`` is therefore made to need no trust:

- each switcher is replaced by the one view the run chose (its ``geography`` and ``period``
  parameters; else the view the page shows without JavaScript), as plain HTML: no selectors, no
  script, no hidden views;
- no ``<script>`` element is left in any HTML output, and JavaScript outputs are dropped (they
  would not run untrusted);
- code cells are collapsed (cell metadata ``"jupyter": {"source_hidden": true}``, which
  JupyterLab 4 honours), cells tagged ``remove-cell`` (the analyst's notes and Explore cell) are
  left out, and the outputs of cells tagged ``remove-output`` are cleared, as on the pages.

The pages' HTML is made from the executed notebook before this copy and does not change. The
parameters and stdout stay, so the copy still records how the notebook was run; the notebooks
in ``notebooks/`` remain the analysts' (with every cell).

Examples
--------
>>> html = ('<div class="ppw-switcher" data-key="perf"><select></select>'
...         '<div class="ppw-view" data-geography="Force" data-period="fytd" id="a">F</div>'
...         '<div class="ppw-view" data-geography="North" data-period="fytd" id="b" hidden>N</div>'
...         '</div><script>switch()</script>')
>>> single_views(html, "North", "fytd")
'<div class="ppw-view" data-geography="North" data-period="fytd">N</div>'
"""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nbformat

from .export import REMOVE_CELL_TAGS, REMOVE_OUTPUT_TAGS

#: Output types that only a trusted notebook runs: left out of the copy.
SCRIPT_MIMETYPES = ("application/javascript", "text/javascript")


@dataclass
class _View:
    attrs: dict[str, str | None]
    inner_start: int
    inner_end: int = -1


@dataclass
class _Switcher:
    start: int
    end: int = -1
    views: list[_View] = field(default_factory=list)
    #: The force-only line (``<p class="ppw-force-only" data-ppw-force-only="Force">``): its
    #: attributes and the offsets of its text.
    force_only: _View | None = None


class _Blocks(HTMLParser):
    """The outermost switchers of an HTML fragment (their views) and its scripts, as offsets."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.switchers: list[_Switcher] = []
        self.scripts: list[tuple[int, int]] = []
        self._divs: list[object] = []  # one entry per open div: a _Switcher, a _View or None
        self._script_start: int | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _tag_end(self, start: int) -> int:
        return self.text.index(">", start) + 1

    def _open(self) -> list[object]:
        return [d for d in self._divs if d is not None]

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        if tag == "script":
            self._script_start = start
            return
        open_ = self._open()
        if tag == "p" and len(open_) == 1 and isinstance(open_[0], _Switcher):
            values = dict(attrs)
            if "ppw-force-only" in (values.get("class") or "").split():
                open_[0].force_only = _View(values, self._tag_end(start))
            return
        if tag != "div":
            return
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        entry = None
        if "ppw-switcher" in classes and not open_:
            entry = _Switcher(start)
            self.switchers.append(entry)
        elif "ppw-view" in classes and open_ and isinstance(open_[-1], _Switcher):
            # a view of the switcher (a switcher inside a view is that view's content)
            entry = _View(values, self._tag_end(start))
            open_[-1].views.append(entry)
        self._divs.append(entry)

    def handle_startendtag(self, tag, attrs):
        pass  # <div/> opens nothing in HTML5 and a void element holds nothing: neither matters

    def handle_endtag(self, tag):
        start = self._offset()
        if tag == "script" and self._script_start is not None:
            self.scripts.append((self._script_start, self._tag_end(start)))
            self._script_start = None
            return
        open_ = self._open()
        if tag == "p" and len(open_) == 1 and getattr(open_[0], "force_only", None):
            if open_[0].force_only.inner_end < 0:
                open_[0].force_only.inner_end = start
            return
        if tag != "div" or not self._divs:
            return
        entry = self._divs.pop()
        if isinstance(entry, _View):
            entry.inner_end = start
        elif isinstance(entry, _Switcher):
            entry.end = self._tag_end(start)


def _chosen(switcher: _Switcher, geography: str | None, period: str | None) -> _View:
    """The view of the run's geography and period, else the one shown without JavaScript."""
    views = switcher.views
    for v in views:
        if (v.attrs.get("data-geography"), v.attrs.get("data-period")) == (geography, period):
            return v
    stored = [v for v in views if "data-same-as" not in v.attrs]
    shown = [v for v in stored if "hidden" not in v.attrs]
    return (shown or stored or views)[0]


def _content(view: _View, switcher: _Switcher, text: str) -> str:
    """The HTML of a view: its own, or that of the view it is the same as (stored once)."""
    same_as = view.attrs.get("data-same-as")
    if same_as:
        stored = next((v for v in switcher.views if v.attrs.get("id") == same_as), None)
        if stored is None:
            raise ValueError(f"a switcher's view refers to a missing view {same_as!r}")
        view = stored
    return text[view.inner_start : view.inner_end]


def _force_only(switcher: _Switcher, view: _View, text: str) -> str:
    """The force-only line ("Force figures: this chart is not kept by district …") where the
    view kept is not the force's, as on the page; else nothing."""
    line = switcher.force_only
    if line is None or line.inner_end < 0:
        return ""
    if view.attrs.get("data-geography") == line.attrs.get("data-ppw-force-only"):
        return ""
    return f'<p class="ppw-info ppw-force-only">{text[line.inner_start : line.inner_end]}</p>'


def single_views(text: str, geography: str | None = None, period: str | None = None) -> str:
    """``text`` (an HTML output) with each switcher replaced by one view and no ``<script>``.

    The view kept is the one of ``geography`` and ``period`` (the run's parameters) where the
    switcher has it, else the one it shows without JavaScript; it is written as
    ``<div class="ppw-view" data-geography=… data-period=…>`` and its content, with no selector,
    no hidden view and no script, after the switcher's force-only line when the view is a
    district's or an LPA's (the force's figures, said so). Switchers inside the view kept are made
    single in turn.

    Raises
    ------
    ValueError
        A switcher that is not closed, has no view, or whose view refers to a missing one (its
        HTML is not what :func:`helpers.render.views.switcher` writes).
    """
    parser = _Blocks(text)
    parser.feed(text)
    parser.close()
    spans: list[tuple[int, int, str]] = []
    for sw in parser.switchers:
        if sw.end < 0 or not sw.views or any(v.inner_end < 0 for v in sw.views):
            raise ValueError(
                "a switcher's HTML is not closed or has no view (at "
                f"{text[sw.start : sw.start + 80]!r}): not what helpers.render.views writes"
            )
        view = _chosen(sw, geography, period)
        inner = single_views(_content(view, sw, text), geography, period)
        attrs = "".join(
            f' {name}="{_html.escape(str(view.attrs.get(name) or ""))}"'
            for name in ("data-geography", "data-period")
        )
        spans.append(
            (
                sw.start,
                sw.end,
                _force_only(sw, view, text) + f'<div class="ppw-view"{attrs}>{inner}</div>',
            )
        )
    inside = [(s, e) for s, e, _ in spans]
    for start, end in parser.scripts:
        if not any(s <= start < e for s, e in inside):
            spans.append((start, end, ""))
    out, at = [], 0
    for start, end, replacement in sorted(spans):
        out += [text[at:start], replacement]
        at = end
    out.append(text[at:])
    return "".join(out)


def _run_view(nb: nbformat.NotebookNode) -> tuple[str | None, str | None]:
    """The geography and period the notebook was run for (papermill's record of its parameters)."""
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    return parameters.get("geography"), parameters.get("period")


def for_commanders(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an executed pack notebook that shows the run's view without trust (see above)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    geography, period = _run_view(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            outputs = []
            for out in [] if tags & REMOVE_OUTPUT_TAGS else cell.outputs:
                data = out.get("data")
                if data is not None:
                    for mimetype in SCRIPT_MIMETYPES:
                        data.pop(mimetype, None)
                    if not data:
                        continue
                    if "text/html" in data:
                        value = data["text/html"]
                        value = "".join(value) if isinstance(value, list) else value
                        data["text/html"] = single_views(value, geography, period)
                outputs.append(out)
            cell.outputs = outputs
        cells.append(cell)
    nb.cells = cells
    return nb


def commander_copy(text: str) -> str:
    """:func:`for_commanders` of a notebook file's text (JSON), as the text to write."""
    return nbformat.writes(for_commanders(nbformat.reads(text, as_version=4)))


__all__ = ["commander_copy", "for_commanders", "single_views"]
