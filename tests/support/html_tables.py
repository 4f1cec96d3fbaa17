"""The tables of an HTML page as a screen reader meets them: caption, header cells and scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    caption: str = ""
    headers: list[tuple[str, str | None]] = field(default_factory=list)  # (text, scope)
    cells: int = 0

    def problems(self) -> list[str]:
        """What a screen reader would miss: no caption, a header cell without scope."""
        found = [] if self.caption.strip() else ["no caption"]
        found += [f"<th> {text!r} has no scope" for text, scope in self.headers if not scope]
        return found


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._open: list[Table] = []
        self._in: list[str] = []  # "caption" / "th" being read
        self._text: list[str] = []
        self._scope: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._open.append(Table())
            self.tables.append(self._open[-1])
        elif tag in ("caption", "th") and self._open:
            self._in.append(tag)
            self._text = []
            self._scope = dict(attrs).get("scope")
        elif tag == "td" and self._open:
            self._open[-1].cells += 1

    def handle_endtag(self, tag):
        if tag == "table" and self._open:
            self._open.pop()
        elif tag in ("caption", "th") and self._in and self._in[-1] == tag and self._open:
            self._in.pop()
            text = " ".join("".join(self._text).split())
            if tag == "caption":
                self._open[-1].caption = text
            else:
                self._open[-1].headers.append((text, self._scope))

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def tables_of(html: str) -> list[Table]:
    """Every ``<table>`` of ``html`` (nested ones too), in document order."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables


def table_problems(html: str) -> list[str]:
    """``"table 3 (caption …): <th> 'x' has no scope"`` for every table that lacks one."""
    return [
        f"table {i} ({t.caption[:40]!r}, headers {[h for h, _ in t.headers][:3]}): {problem}"
        for i, t in enumerate(tables_of(html), 1)
        for problem in t.problems()
    ]
