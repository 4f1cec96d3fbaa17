"""Placeholders in commentary: figures quoted from the pack's own rows, never typed by hand.

An analyst's commentary may quote a figure with a placeholder, ``{{ change("all_crime") }}``. The
page fills it from the rows its tables print (:func:`helpers.analysis.performance.performance_rows`
for the page's month, period and geography), so the text cannot drift from the tables: a figure
corrected in the data is corrected in the commentary too.

The syntax is deliberately tiny, because commentary is untrusted text and this is not a template
language: ``{{ function("measure_id") }}`` on one line, with one of :data:`FUNCTIONS` and one
quoted catalog measure id, spaces optional. Nothing else is evaluated. Anything else that opens
with ``{{`` (or a ``{%`` block, for those used to Jinja), an unknown function, an unknown measure
id or a measure not reported in the month is an authoring error (:class:`CommentaryError`) whose
message names the file, the line and the nearest known names (:func:`placeholders`). The pack
checks every commentary file of the month before any notebook runs (:func:`check_month`).

The values are put into the parsed markdown as text (:func:`fill_tokens`), after the markdown is
parsed and before it is rendered and sanitised: a figure is never read as markdown or HTML.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..analysis.performance import performance_rows
from ..config import ConfigError, display_config_path
from ..contract import catalog
from ..contract.catalog import AREA_SLUGS
from ..geography import FORCE
from ..periods import month_label, parse_month
from ..render.numbers import format_change
from ..render.tables import format_value, is_missing

#: The placeholders, and what each gives (as the tables print it).
FUNCTIONS = {
    "this_year": "this year's figure (34.6%, 28,111, £6.704m)",
    "last_year": "last year's figure, on the same window a year earlier",
    "change": "the change with its unit (-3.6% pt., 10.1%, -£0.333m)",
    "direction": 'whether the change is "better", "worse" or "no change" ("up" or "down" for '
    "a measure with no better direction)",
    "significance": '"statistically significant" or "not statistically significant" (survey '
    'rates; "not tested for significance" for a measure without a test)',
    "window": "the window the figures are for (Oct 2015 – Sep 2016)",
}

#: One placeholder, exactly: ``{{ name("id") }}`` (double or single quotes), on one line.
PLACEHOLDER = re.compile(
    r"\{\{[ \t]*(?P<function>[A-Za-z_]\w*)[ \t]*\([ \t]*(?P<quote>[\"'])(?P<id>[^\"'\n{}]*)"
    r"(?P=quote)[ \t]*\)[ \t]*\}\}"
)
#: Where a placeholder (or a template block, which commentary does not have) starts.
_OPENING = re.compile(r"\{\{|\{%")
#: What a value reads when a figure is withheld by disclosure control, as the tables print it.
WITHHELD = "[c]"
NOT_AVAILABLE = "N/A"


class CommentaryError(ConfigError):
    """A commentary file has a placeholder the pack cannot fill (an authoring error).

    The message names the file and the line of each problem and the nearest known names.
    """


@dataclass(frozen=True)
class Placeholder:
    """One ``{{ function("measure_id") }}`` of a commentary: what it asks and where it is."""

    function: str
    measure_id: str
    line: int  # 1-based line of the file
    text: str  # as written


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _nearest(word: str, known, n: int = 3) -> str:
    """ ", did you mean a, b?" with the known names closest to ``word`` (difflib), or ""."""
    close = difflib.get_close_matches(word, list(known), n=n, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _snippet(text: str, start: int) -> str:
    """The text of a malformed placeholder as written: to its closing braces or the line's end."""
    end_line = text.find("\n", start)
    end_line = len(text) if end_line < 0 else end_line
    close = text.find("}}", start, end_line)
    end = close + 2 if close >= 0 else min(end_line, start + 60)
    return text[start:end]


def _measure_problem(measure_id: str, month) -> str | None:
    """Why ``measure_id`` cannot be quoted in a commentary of ``month`` (None: it can)."""
    measures = catalog.load_catalog()
    ids = [m.id for m in measures]
    if measure_id not in ids:
        return f"unknown measure {measure_id!r}{_nearest(measure_id, ids)}"
    m = catalog.measure(measure_id)
    if month is None or m.valid_for(month):
        return None
    span = (
        f"from {month_label(m.valid_from)}"
        if m.valid_from is not None and parse_month(month) < m.valid_from
        else f"until {month_label(m.valid_to)}"
    )
    same = [o.id for o in measures if o.title == m.title and o.valid_for(month)]
    instead = f"; for {month_label(month)} use {same[0]!r}" if same else ""
    return f"measure {measure_id!r} is not reported in {month_label(month)} ({span}){instead}"


def placeholders(text: str, source: str = "commentary", month=None) -> list[Placeholder]:
    """Every placeholder of ``text``, checked; :class:`CommentaryError` naming every problem.

    Parameters
    ----------
    text
        The commentary's markdown.
    source
        The file, as named in messages.
    month
        The report month: a measure must be reported in it (None: any catalog measure).

    Examples
    --------
    >>> [p.measure_id for p in placeholders('All crime {{ change("all_crime") }}.')]
    ['all_crime']
    >>> placeholders('{{ chnage("all_crime") }}', "06_crime_prevention.md")
    Traceback (most recent call last):
    ...
    helpers.pages.commentary_fill.CommentaryError: 06_crime_prevention.md line 1: {{ chnage("all_crime") }}: unknown placeholder function 'chnage'; did you mean change?
    """
    # read the text as the markdown parser will give it to the filler: "{\\{" and "&#123;"
    # become "{{" there, so they are placeholders here too (and are checked)
    text = as_parsed(text)
    found, problems = [], []
    for opening in _OPENING.finditer(text):
        start = opening.start()
        line = _line_of(text, start)
        where = f"{source} line {line}"
        match = PLACEHOLDER.match(text, start)
        if match is None:
            written = _snippet(text, start)
            problems.append(
                f"{where}: {written!r} is not a placeholder; commentary has only "
                f'{{{{ function("measure_id") }}}} with one of {", ".join(FUNCTIONS)}'
            )
            continue
        function, measure_id, written = match["function"], match["id"], match.group(0)
        if function not in FUNCTIONS:
            problems.append(
                f"{where}: {written}: unknown placeholder function {function!r}"
                + (_nearest(function, FUNCTIONS) or f"; known: {', '.join(FUNCTIONS)}")
            )
            continue
        problem = _measure_problem(measure_id, month)
        if problem is not None:
            problems.append(f"{where}: {written}: {problem}")
            continue
        found.append(Placeholder(function, measure_id, line, written))
    if problems:
        raise CommentaryError("\n".join(problems))
    return found


# --------------------------------------------------------------------------------------------
# The figures a commentary is filled from


class Figures:
    """The performance rows of one page's view, by measure id: what placeholders are filled from.

    ``performance_rows`` of every area for the month, period and geography (table and
    management-information measures, disclosure control as the pages apply it), computed for an
    area the first time one of its measures is asked for and kept in this object.

    >>> figures = Figures(cube, "2016-09", "rolling-12m")     # doctest: +SKIP
    >>> figures.text("change", "satisfaction_actions")        # doctest: +SKIP
    '-3.6% pt.'
    """

    def __init__(self, cube, month, period: str, geography: str = FORCE):
        self.cube = cube
        self.month = parse_month(month)
        self.period = period
        self.geography = geography
        self._by_area: dict[int, dict[str, dict]] = {}

    def rows(self, area: int) -> dict[str, dict]:
        """Measure id → row (:func:`helpers.analysis.performance.measure_row`'s columns)."""
        if area not in self._by_area:
            frame = performance_rows(
                self.cube, area, self.month, self.period, self.geography, in_table=None
            )
            self._by_area[area] = {r["measure_id"]: r for r in frame.to_dict(orient="records")}
        return self._by_area[area]

    def row(self, measure_id: str) -> dict:
        """The row of one measure; :class:`CommentaryError` if the month does not report it."""
        rows = self.rows(catalog.measure(measure_id).area)
        if measure_id not in rows:
            raise CommentaryError(
                _measure_problem(measure_id, self.month)
                or f"measure {measure_id!r} has no row for {month_label(self.month)}"
            )
        return rows[measure_id]

    def text(self, function: str, measure_id: str) -> str:
        """What ``{{ function("measure_id") }}`` reads on this page (:func:`value_text`)."""
        return value_text(function, self.row(measure_id))


def value_text(function: str, row: dict) -> str:
    """A placeholder's text from a performance row, formatted as the tables format it.

    ``this_year``/``last_year``: :func:`helpers.render.tables.format_value`; ``change``:
    :func:`helpers.render.numbers.format_change` (the change with its unit); ``direction``:
    "better", "worse", "no change" (for a measure with no better direction, "up" or "down");
    ``significance``: the row's ``significant`` in words; ``window``: the window's label. A figure
    withheld by disclosure control reads "[c]"; one not available, "N/A".

    >>> row = {"unit": "percent", "decimals": 1, "this_year": 72.5, "last_year": 76.1,
    ...        "change": -3.6, "direction": "worse", "significant": True,
    ...        "window_label": "Oct 2015 – Sep 2016", "suppressed": False}
    >>> [value_text(f, row) for f in ("this_year", "change", "direction", "significance")]
    ['72.5%', '-3.6% pt.', 'worse', 'statistically significant']
    """
    if function not in FUNCTIONS:
        raise CommentaryError(f"unknown placeholder function {function!r}")
    if row.get("suppressed") is True and function != "window":
        return WITHHELD
    unit, decimals = row["unit"], int(row.get("decimals") or 0)
    if function in ("this_year", "last_year"):
        return format_value(row.get(function), unit, decimals)
    if function == "window":
        return str(row.get("window_label") or NOT_AVAILABLE)
    change = row.get("change")
    if change is None or is_missing(change):
        return NOT_AVAILABLE
    if function == "change":
        return format_change(change, unit)
    if function == "direction":
        direction = row.get("direction")
        if direction in ("better", "worse"):
            return direction
        if change == 0:
            return "no change"
        return "up" if change > 0 else "down"
    significant = row.get("significant")  # function == "significance"
    if significant is None or is_missing(significant):
        return "not tested for significance"
    return "statistically significant" if significant else "not statistically significant"


#: CommonMark's backslash escapes: a backslash before ASCII punctuation.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_parsed(text: str) -> str:
    r"""``text`` with markdown's backslash escapes and HTML character references resolved, as the
    parser hands it to :func:`fill_tokens` (newlines kept, so line numbers still hold).

    >>> as_parsed(r'{\{ change("all_crime") }}'), as_parsed("&#123;&#123;")
    ('{{ change("all_crime") }}', '{{')
    """
    return html.unescape(_ESCAPE.sub(r"\1", text))


def fill_text(text: str, figures: Figures) -> str:
    """``text`` with every placeholder replaced by its value (plain text, for the check's quotes).

    A placeholder that :func:`placeholders` would refuse raises :class:`CommentaryError` here too
    (never a raw ``KeyError``), in case text reaches the filler unchecked.
    """

    def value(match: re.Match) -> str:
        problem = (
            f"unknown placeholder function {match['function']!r}"
            if match["function"] not in FUNCTIONS
            else _measure_problem(match["id"], None)
        )
        if problem is not None:
            raise CommentaryError(f"{match.group(0)}: {problem}")
        return figures.text(match["function"], match["id"])

    return PLACEHOLDER.sub(value, text)


def fill_tokens(tokens, figures: Figures) -> None:
    """Fill the placeholders of parsed markdown (markdown-it tokens) in place, as text.

    Text, inline code and code blocks are filled; the renderer escapes what they hold, so a value
    is shown as written and can never become markup.
    """
    for token in tokens:
        if token.type in ("fence", "code_block"):
            token.content = fill_text(token.content, figures)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                child.content = fill_text(child.content, figures)


# --------------------------------------------------------------------------------------------
# The files of a month


def area_files(folder: Path) -> dict[int, Path]:
    """Area → its commentary file in ``folder`` (``<NN>_<slug>.md``), for the files that exist."""
    out = {}
    for area, slug in AREA_SLUGS.items():
        path = folder / f"{area:02d}_{slug}.md"
        if path.is_file():
            out[area] = path
    return out


def check_month(commentary_dir: Path, month) -> list[Path]:
    """Check every commentary file of ``month`` (no figures needed); return the files checked.

    ``<commentary_dir>/<YYYY-MM>/`` only: ``template/`` (the analysts' starting files) is never a
    month. A markdown file there that is not an area's (``02_victim.md``) is an error too: it would
    never be shown.

    Raises
    ------
    CommentaryError
        Every problem of every file, one a line, each naming the file and line.
    """
    folder = Path(commentary_dir) / str(parse_month(month))
    if not folder.is_dir():
        return []
    expected = [f"{a:02d}_{s}.md" for a, s in AREA_SLUGS.items()]
    problems = []
    for path in sorted(folder.glob("*.md")):
        if path.name not in expected:
            problems.append(
                f"{display_config_path(path)}: not an area's commentary file (expected "
                f"<NN>_<area>.md){_nearest(path.name, expected, n=1)}"
            )
    files = list(area_files(folder).values())
    for path in files:
        try:
            placeholders(path.read_text(encoding="utf-8"), display_config_path(path), month)
        except UnicodeDecodeError as exc:
            problems.append(f"{display_config_path(path)}: not UTF-8 text ({exc.reason})")
        except CommentaryError as exc:
            problems.append(str(exc))
    if problems:
        raise CommentaryError("\n".join(problems))
    return files


__all__ = [
    "FUNCTIONS",
    "PLACEHOLDER",
    "CommentaryError",
    "Figures",
    "Placeholder",
    "area_files",
    "as_parsed",
    "check_month",
    "fill_text",
    "fill_tokens",
    "placeholders",
    "value_text",
]
