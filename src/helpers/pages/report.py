"""The facade the notebooks call: one area page (:class:`AreaPage`) or the master page (:class:`MasterPage`).

A notebook cell is a single call such as ``page.performance_information(interactive=interactive)``;
everything else — loading the cube, the performance rows, the tables, the charts, the kernel-free
views for the pack, the ipywidgets filter bar for analysts — happens here and in the modules this
one calls.

Example
-------
>>> page = AreaPage(1, month="2016-09", period="rolling-12m", data_dir="data/demo")  # doctest: +SKIP
>>> page.header()                                                                  # doctest: +SKIP
>>> html = page.render_html("Basildon", "fytd")  # the whole page for one view, as a string # doctest: +SKIP

Output is deterministic for the same data and parameters: no timestamps, no random ids.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import threading
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from ..config import COMMENTARY_DIR, force_config, resolve_path
from ..contract.catalog import AREA_SLUGS, AREAS, measure, measures_for
from ..periods import PERIOD_LABELS, PERIODS, check_period, month_label, parse_month, window
from ..render import tables
from . import sections

#: Periods pre-rendered in the pack's views (the run's own period is always added).
VIEW_PERIODS = ("rolling-12m", "fytd")

#: Abbreviations spelled out once on each page (the page's header lists those the page uses).
ABBREVIATIONS = {
    "LPA": "Local Policing Area",
    "MSG": "Most Similar Group (of forces)",
    "CI": "confidence interval (95%)",
    "SPC": "statistical process control",
    "KSI": "killed or seriously injured",
    "NTE": "night-time economy",
    "ASB": "anti-social behaviour",
    "PCSO": "Police Community Support Officer",
    "BME": "Black and minority ethnic",
    "DASH": "Domestic Abuse, Stalking and Harassment risk assessment",
    "TIC": "offences taken into consideration",
    "N/A": "not available",
}
AREA_ABBREVIATIONS = {
    1: ("LPA", "SPC", "DASH", "N/A"),
    2: ("LPA", "MSG", "CI", "BME", "N/A"),
    3: ("LPA", "N/A"),
    4: ("LPA", "NTE", "SPC", "N/A"),
    5: ("LPA", "KSI", "SPC", "N/A"),
    6: ("LPA", "MSG", "CI", "ASB", "SPC", "TIC", "N/A"),
    7: ("N/A",),
    8: ("PCSO", "N/A"),
    0: ("LPA", "MSG", "KSI", "ASB", "SPC", "N/A"),
}


# --------------------------------------------------------------------------------------------
# The cube, cached in memory per data folder
# --------------------------------------------------------------------------------------------

_CUBES: dict[str, object] = {}


def get_cube(data_dir, fingerprint: str = "") -> object:
    """Load the cube for ``data_dir`` once per process (``helpers.measures.cube.load_cube`` caches on disk).

    With ``fingerprint`` (the pack passes its run's, the ``data_fingerprint`` parameter) exactly
    that cached cube is loaded, without reading the extracts: every page of a pack shows the
    same snapshot even if the folder changes during the run (``helpers.measures.cube.CubeError`` if the
    cache of that fingerprint is absent or does not verify).
    """
    path = str(resolve_path(data_dir))
    key = f"{path}\0{fingerprint}"
    if key not in _CUBES:
        from ..measures.cube import load_cube

        _CUBES[key] = load_cube(path, fingerprint=fingerprint) if fingerprint else load_cube(path)
    return _CUBES[key]


def clear_caches() -> None:
    """Forget the loaded cubes (tests; a data folder rebuilt in the same kernel).

    Everything worked out from a cube lives on it (``Cube.derived``), and rendered fragments on
    the page that rendered them: they go with the cube and the page.
    """
    _CUBES.clear()


#: One fragment renders at a time: matplotlib's style context is process-wide, and the filter bar
#: pre-renders views in a background thread while the analyst reads.
_RENDER_LOCK = threading.RLock()


def geography_options(cube) -> list[tuple[str, str]]:
    """(level, name) for the selectors: Force, LPAs, districts (Unassigned left out)."""
    return cube.hierarchy.options()


def _month_str(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return parse_month(str(value)[:7]).strftime("%b %Y")
    except ValueError:
        return str(value)


def data_to(cube, month=None) -> dict[str, str | None]:
    """Extract → "Sep 2016" (the last month with data), None where the extract is absent.

    With ``month`` (the report month), a source that runs past it is shown as running to the
    report month: the report uses nothing later, and the page header says the same.
    """
    raw = getattr(cube, "data_to", None) or {}
    out = {}
    for k, v in raw.items():
        if v is not None and month is not None:
            with contextlib.suppress(ValueError):
                v = min(parse_month(str(v)[:7]), parse_month(month))
        out[k] = _month_str(v)
    return out


# --------------------------------------------------------------------------------------------
# Performance rows for a table
# --------------------------------------------------------------------------------------------


def performance_rows(cube, area: int, month, period: str, geography: str) -> pd.DataFrame:
    """Rows of an area's table, with ``window_kind``, ``no_source`` and ``not_recorded`` added.

    ``no_source`` marks a measure the data cannot give at all: an extract it reads is absent, or
    the source never records a column it needs (``not_recorded``: ``(extract, column)`` pairs,
    e.g. data.police.uk has no domestic-abuse flag). Such rows read "No data for this area from
    this source", never 0.
    """
    return _table_rows(cube, [area], month, period, geography)


#: The columns :func:`performance_rows` adds to ``helpers.analysis.performance.ROW_COLUMNS``.
TABLE_EXTRA_COLUMNS = ["window_kind", "no_source", "not_recorded"]


def _table_rows(
    cube, areas: list[int], month, period: str, geography: str, *, area_titles: bool = False
) -> pd.DataFrame:
    """:func:`performance_rows` of several areas in one frame (``area_title`` added on request).

    The rows are worked out as records and made into one frame: building a frame per area and
    adding columns one at a time cost more than the figures themselves (a table is asked for
    once per geography and period, the master page's scorecard for all eight areas).
    """
    from ..analysis import performance

    month = str(month)
    per_area = [performance.performance_records(cube, a, month, period, geography) for a in areas]
    if any(records is None for records in per_area):
        # disclosure control: rows come as frames (they depend on every geography's figures)
        return _table_rows_from_frames(cube, areas, month, period, geography, area_titles)
    level = cube.hierarchy.levels.get(geography)
    records = []
    for area, rows in zip(areas, per_area, strict=True):
        for r in rows:
            r.update(_table_fields(cube, r["measure_id"], period, level, r["available"], r["note"]))
            if area_titles:
                r["area_title"] = _area_title(area)
            records.append(r)
    columns = (
        performance.ROW_COLUMNS + TABLE_EXTRA_COLUMNS + (["area_title"] if area_titles else [])
    )
    return performance.records_frame(records, columns)


def _table_fields(cube, measure_id: str, period: str, level, available: bool, note) -> dict:
    """The columns a table adds to a measure's row (:data:`TABLE_EXTRA_COLUMNS`), and its note
    ("not available at this level" where the measure does not exist at the geography's level)."""
    m = measure(measure_id)
    absent, unrecorded = sections.measure_gaps(cube, m)
    if level is not None and level not in m.levels and not available:
        note = tables.NOT_AT_LEVEL
    return {
        "window_kind": m.window_kind(period),
        "no_source": bool(absent or unrecorded),
        "not_recorded": unrecorded,
        "note": note,
    }


def _table_rows_from_frames(cube, areas, month, period, geography, area_titles) -> pd.DataFrame:
    """:func:`_table_rows` from ``helpers.analysis.performance.performance_rows`` frames, area by area."""
    from ..analysis.performance import performance_rows as rows_of

    level = cube.hierarchy.levels.get(geography)
    frames = []
    for area in areas:
        rows = rows_of(cube, area, month, period, geography=geography, in_table=True)
        rows = rows.copy()
        fields = [
            _table_fields(cube, mid, period, level, available, note)
            for mid, available, note in zip(
                rows["measure_id"], rows["available"], rows["note"], strict=True
            )
        ]
        for column in [*TABLE_EXTRA_COLUMNS, "note"]:
            rows[column] = [f[column] for f in fields]
        if area_titles:
            rows["area"] = area
            rows["area_title"] = _area_title(area)
        frames.append(rows)
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def _area_title(area: int) -> str:
    return f"{area}. {AREAS[area]}"


# --------------------------------------------------------------------------------------------
# Commentary
# --------------------------------------------------------------------------------------------


def commentary_path(month, area: int, root: Path = COMMENTARY_DIR) -> Path:
    """``params/commentary/<YYYY-MM>/<NN>_<slug>.md``."""
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


def render_markdown(text: str) -> str:
    """Render an analyst's commentary (markdown) to HTML that can do nothing but show text.

    Two layers, each enough on its own for what the page could load or run:

    1. markdown-it-py (CommonMark and tables) with raw HTML **off**: HTML written in the
       markdown (``<script>``, ``<img onerror=…>``, ``<iframe srcdoc=…>``, ``<meta http-equiv>``)
       is shown as text. Links outside the pack are shown as text with their address; images
       as their alt text (:func:`_confine`).
    2. nh3 (the Rust ammonia sanitiser), an allow-list: only :data:`COMMENTARY_TAGS`, no attribute
       but ``href`` on ``a``, and only hrefs to the pack's own pages (:data:`_OWN_LINK`).

    The page's Content-Security-Policy (:func:`helpers.pack.runner.content_security_policy`) is a third.

    Parameters
    ----------
    text
        The markdown of ``params/commentary/<YYYY-MM>/<NN>_<slug>.md``.

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
    return sanitiser.clean(markdown.renderer.render(tokens, markdown.options, {}))


def commentary_html(month, area: int, root: Path = COMMENTARY_DIR) -> str:
    """The area's commentary for the month as HTML, or "" when there is none."""
    path = commentary_path(month, area, root)
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        return ""
    return f'<div class="ppw ppw-commentary">{render_markdown(text)}</div>'


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


class _Page:
    """What the area and master pages share: the run, the cube and the geographies."""

    def __init__(
        self,
        month="2016-09",
        period="rolling-12m",
        geography="Force",
        data_dir="data/demo",
        *,
        cube=None,
        data_fingerprint: str = "",
    ):
        self.month = parse_month(month)
        self.period = check_period(period)
        self.data_dir = data_dir
        self.cube = cube if cube is not None else get_cube(data_dir, data_fingerprint)
        self.hierarchy = self.cube.hierarchy
        self.geography = geography
        self.level = self.hierarchy.level_of(geography)
        self._bar = None
        #: Rendered HTML fragments of this page: (kind, key, month, period, geography, ...) → HTML.
        #: A view seen before (the filter bar switching back) is not drawn again.
        self.fragments: dict[tuple, str] = {}
        #: Palette PNGs for the pack; the filter bar switches to fast full-colour PNGs.
        self.compact = True

    def context(
        self,
        geography: str | None = None,
        period: str | None = None,
        *,
        small: bool = False,
        compact: bool = True,
    ):
        """A :class:`helpers.pages.sections.Context` for a view of this page."""
        g = geography or self.geography
        return sections.Context(
            cube=self.cube,
            month=self.month,
            period=period or self.period,
            geography=g,
            level=self._level_of(g),
            hierarchy=self.hierarchy,
            small=small,
            compact=compact,
        )

    def view_periods(self) -> list[str]:
        """Periods offered in the pack's views: rolling 12 months and financial year to date (+ the run's)."""
        out = list(VIEW_PERIODS)
        if self.period not in out:
            out.append(self.period)
        return out

    def _window_text(self, period: str | None = None) -> str:
        p = period or self.period
        w = window(p, self.month)
        return f"{PERIOD_LABELS[p]}: {w.label} against {w.last_year().label}"

    def _view_line(self, geography: str, period: str | None) -> str:
        """Say which view a table shows: "Basildon (district) · Financial year to date: …".

        ``period`` None: the geography only (the table is on its own fixed window).
        """
        level = self._level_of(geography)
        geo = (
            geography if level == "force" else f"{geography} ({'LPA' if level == 'lpa' else level})"
        )
        window_text = f" · {self._window_text(period)}" if period else ""
        return f'<p class="ppw-sub">{html.escape(geo + window_text)}</p>'

    def _table_areas(self) -> set[int]:
        """The areas with measures in a Performance Information table for the page's month."""
        month = str(self.month)
        if getattr(self, "_table_areas_of", (None,))[0] != month:
            self._table_areas_of = (month, {m.area for m in measures_for(month=self.month)})
        return self._table_areas_of[1]

    def _level_of(self, geography: str) -> str:
        return self.hierarchy.level_of(geography)

    def _cached(self, key: tuple, render) -> str:
        """The fragment ``key`` of this page, rendered once."""
        hit = self.fragments.get(key)
        if hit is not None:
            return hit
        with _RENDER_LOCK:
            if key not in self.fragments:
                self.fragments[key] = render()
            return self.fragments[key]

    def _abbreviations(self, area: int) -> str:
        keys = AREA_ABBREVIATIONS.get(area, ())
        text = "; ".join(f"{k}: {ABBREVIATIONS[k]}" for k in keys)
        return (
            f'<p class="ppw-sub" style="font-size:12px">Abbreviations — {html.escape(text)}.</p>'
            if text
            else ""
        )

    def _marking(self) -> str:
        return f'<div class="ppw-marking">[{html.escape(force_config().protective_marking)}]</div>'

    def footer(self, standalone: bool = True) -> HTML:
        """The protective marking again at the foot of the page.

        ``standalone=False`` (the pack, whose page shell prints the marking): nothing.
        """
        return HTML(f'<div class="ppw">{self._marking()}</div>' if standalone else "")

    def set_view(self, *, geography=None, period=None, month=None) -> None:
        """Change the page's geography / period / month (the filter bar calls this)."""
        if month is not None:
            self.month = parse_month(month)
        if period is not None:
            self.period = check_period(period)
        if geography is not None:
            self.level = self.hierarchy.level_of(geography)
            self.geography = geography


class AreaPage(_Page):
    """One area of focus: header, Performance Information, Management Information, commentary.

    Parameters
    ----------
    area
        1-8 (the catalog's areas).
    month, period, geography, data_dir
        The run, as the notebook's parameters cell gives them.
    cube
        An already loaded cube (tests); by default the cube of ``data_dir``, loaded once per kernel.
    data_fingerprint
        The pack's data snapshot: load exactly the cached cube of this fingerprint (see
        :func:`get_cube`); "" (analysts in JupyterLab) loads ``data_dir`` as it is now.

    Examples
    --------
    >>> page = AreaPage(6, month="2014-03", period="fytd")        # doctest: +SKIP
    >>> page.performance_information(interactive=False)          # doctest: +SKIP
    """

    def __init__(
        self,
        area: int,
        month="2016-09",
        period="rolling-12m",
        geography="Force",
        data_dir="data/demo",
        *,
        cube=None,
        data_fingerprint: str = "",
    ):
        if area not in AREAS:
            raise ValueError(f"area {area!r} is not one of 1-8")
        super().__init__(
            month, period, geography, data_dir, cube=cube, data_fingerprint=data_fingerprint
        )
        self.area = area
        self.title = _area_title(area)
        self.slug = AREA_SLUGS[area]
        self.items = sections.items_for(area)

    # ---- fragments as strings ----------------------------------------------------------------
    def header_html(self, standalone: bool = True) -> str:
        """The page header; ``standalone=False`` leaves out what the pack's page shell prints."""
        cfg = force_config()
        return (
            tables.CSS
            + '<div class="ppw">'
            + (self._marking() if standalone else "")
            + (
                f'<p class="ppw-sub"><b>{html.escape(cfg.force_name)}</b> — Monthly Performance '
                f"Report: {html.escape(self.month.strftime('%B %Y'))}</p>"
                if standalone
                else ""
            )
            + f'<p class="ppw-sub">Data to {html.escape(month_label(self.month))} (unless stated '
            "otherwise)</p>" + self._abbreviations(self.area) + "</div>"
        )

    def table_html(self, geography: str | None = None, period: str | None = None) -> str:
        """The Performance Information table (with its legend and notes) for one view."""
        g = geography or self.geography
        p = period or self.period
        key = ("table", self.area, str(self.month), p, g)

        def render():
            if self.area not in self._table_areas():
                return tables.note_html(
                    "This area has no measures in the Performance Information table for this month; "
                    "see Management Information.",
                    "info",
                )
            rows = performance_rows(self.cube, self.area, self.month, p, g)
            extra = []
            no_source = rows.get("no_source", pd.Series(dtype=bool))
            unrecorded = [pair for pairs in rows.get("not_recorded", []) for pair in pairs]
            if no_source.any():
                why = "the data folder has no extract for the measures so marked"
                if unrecorded:
                    why += (
                        ", or the source does not record what they need: "
                        + sections.not_recorded_text(unrecorded)
                    )
                extra.append(f"{tables.NO_SOURCE}: {why}.")
            banner = ""
            if len(rows) and no_source.all():
                # nothing in this area comes from this source: say so before the table
                banner = tables.note_html(
                    f"{tables.NO_SOURCE}: none of this area's measures can be computed from the "
                    "data supplied (see the notes under the table).",
                    "warning",
                )
            uniform = tables._uniform_window(rows)
            own_window = uniform is not None and uniform[0] != p  # e.g. re-offending: one month
            return (
                banner
                + self._view_line(g, None if own_window else p)
                + tables.performance_table(
                    rows,
                    title=self.title,
                    month=self.month,
                    period=p,
                    geography=g,
                    extra_notes=extra,
                )
            )

        return self._cached(key, render)

    def item_html(
        self,
        key: str,
        geography: str | None = None,
        period: str | None = None,
        *,
        small: bool = False,
    ) -> str:
        """One management-information item for one view (cached per view).

        An item that does not change with the geography (or the period) is rendered once and
        shared by every geography (or period), so switching views only redraws what changes.
        """
        it = sections.item(key)
        g = (geography or self.geography) if it.by_geography else "Force"
        p = (period or self.period) if it.by_period else None
        cache_key = self._item_key(key, geography, period, small)
        return self._cached(
            cache_key,
            lambda: sections.render_item(
                it, self.context(g, p or self.period, small=small, compact=self.compact)
            ),
        )

    def _item_key(self, key, geography=None, period=None, small=False) -> tuple:
        it = sections.item(key)
        g = (geography or self.geography) if it.by_geography else "Force"
        p = (period or self.period) if it.by_period else None
        return ("item", key, str(self.month), p, g, small, self.compact)

    def item_cached(
        self, key: str, geography: str | None = None, period: str | None = None
    ) -> bool:
        """Whether the item's view is already rendered (the filter bar shows it at once)."""
        return self._item_key(key, geography, period) in self.fragments

    def management_html(self, geography: str | None = None, period: str | None = None) -> str:
        return "".join(self.item_html(i.key, geography, period) for i in self.items)

    def render_html(self, geography: str | None = None, period: str | None = None) -> str:
        """The whole page for one geography × period as an HTML string (what the filter bar shows).

        Time this to measure a re-render without a browser.
        """
        return (
            self.header_html()
            + '<div class="ppw">'
            + "<h2>Performance Information</h2>"
            + self.table_html(geography, period)
            + "<h2>Management Information</h2>"
            + self.management_html(geography, period)
            + "</div>"
            + commentary_html(self.month, self.area)
        )

    # ---- display -----------------------------------------------------------------------------
    def header(self, standalone: bool = True) -> HTML:
        """Marking, force, report month, "Data to <month> (unless stated otherwise)", geography, period.

        ``standalone=False`` (the pack) leaves the marking and force line to the pack's page shell.
        """
        return HTML(self.header_html(standalone))

    def performance_information(self, interactive: bool = False):
        """The Performance Information table.

        ``interactive=True``: the ipywidgets filter bar above a table that re-renders in place.
        ``interactive=False`` (the pack): every geography × period pre-rendered, switched by plain
        JavaScript (:func:`helpers.render.views.switcher`), no widgets.
        """
        if interactive:
            from ..render.widgets import FilterBar

            bar = self.filter_bar()
            out = bar.add_view(lambda: self.table_html())
            return bar.with_output(out) if isinstance(bar, FilterBar) else out
        from ..render.views import switcher

        return switcher(
            lambda g, p: f'<div class="ppw">{self.table_html(g, p)}</div>',
            geography_options(self.cube),
            self.view_periods(),
            default=(self.geography, self.period),
        )

    def management_information(self, key: str | None = None, interactive: bool = False):
        """One item (``key``) or all items of Management Information.

        Key charts (``Item.switchable``) are pre-rendered for every geography in the pack (palette
        PNGs keep an area page well under 2 MB), so a commander can switch without a kernel.
        """
        keys = [key] if key else [i.key for i in self.items]
        if interactive:
            bar = self.filter_bar()
            return bar.add_view(
                lambda: '<div class="ppw">' + "".join(self.item_html(k) for k in keys) + "</div>",
                ready=lambda: all(self.item_cached(k) for k in keys),
            )
        parts = []
        for k in keys:
            it = sections.item(k)
            if it.switchable and it.by_geography:
                parts.append(self._switchable_item(k))
            else:
                parts.append(f'<div class="ppw">{self.item_html(k)}</div>')
        return HTML("".join(parts))

    def _switchable_item(self, key: str) -> str:
        from ..render.views import switcher

        def render(g, p):
            return f'<div class="ppw">{self.item_html(key, g, p)}</div>'

        return switcher(
            render,
            geography_options(self.cube),
            self.view_periods(),
            default=(self.geography, self.period),
        ).data

    def measure_ids(self) -> list[str]:
        """The catalog measures this page shows: its table's, then its charts' (page order)."""
        ids = [m.id for m in measures_for(area=self.area, month=self.month)]
        for it in self.items:
            ids += [mid for mid in it.measures if mid not in ids]
        return ids

    def explore(self, interactive: bool = True, kind: str = "month"):
        """The figures behind the page as one data frame: measure × geography × month.

        For the analyst's Explore cell in JupyterLab: filter it, pivot it, plot it
        (:func:`helpers.analysis.performance.measure_frame`). The pack (``interactive=False``) leaves the
        cell out of the HTML and does not carry the frame in the executed notebooks either: they
        are shared with commanders, and the frame is not disclosure-controlled.
        """
        if not interactive:
            return HTML(
                '<p class="ppw-note">Explore: in JupyterLab this cell gives the data frame behind '
                "the page (measure × geography × month).</p>"
            )
        from ..analysis.performance import measure_frame

        return measure_frame(self.cube, self.measure_ids(), kind=kind)

    def commentary(self) -> HTML:
        """The analyst's commentary for the month (``params/commentary/<YYYY-MM>/<NN>_<slug>.md``), if any."""
        return HTML(commentary_html(self.month, self.area))

    def filter_bar(self):
        """The page's ipywidgets filter bar (one per page; every interactive view registers with it)."""
        if self._bar is None:
            from ..render.widgets import FilterBar

            self._bar = FilterBar(self)
        return self._bar


# --------------------------------------------------------------------------------------------
# The master page
# --------------------------------------------------------------------------------------------

#: District comparison on the master page.
MASTER_DISTRICT_MEASURES = [
    ("all_crime", "All crime"),
    ("victim_based_crime", "Victim-based crime"),
    ("solved_rate", "Solved rate"),
    ("asb_incidents", "ASB incidents"),
    ("da_incidents", "DA incidents"),
    ("ksi_all", "KSI"),
]


class MasterPage(_Page):
    """The master notebook: cover, contents, scorecard, exceptions, district comparison, sources."""

    def cover(self, standalone: bool = True) -> HTML:
        """Force, month, period and the date each source runs to.

        ``standalone=False`` (the pack) leaves the marking to the pack's page shell.
        """
        cfg = force_config()
        rows = []
        runs_to = data_to(self.cube, self.month)
        present = sections.sources_present(self.cube)
        for extract, name in sections.SOURCE_NAMES.items():
            to = runs_to.get(extract)
            if to:
                text = html.escape(to)
            elif extract in present:
                text = "supplied (dated by its parent extract)"
            else:
                text = "<i>no data supplied</i>"
            rows.append(f"<tr><td>{html.escape(name)}</td><td>{text}</td></tr>")
        sources = (
            '<table class="ppw-small"><thead><tr><th>Source</th><th>Data to</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
        )
        return HTML(
            tables.CSS
            + '<div class="ppw">'
            + (self._marking() if standalone else "")
            + f"<h2 style='font-size:24px'>{html.escape(cfg.force_name)}</h2>"
            + f"<p class='ppw-sub' style='font-size:18px'>Monthly Performance Report: "
            f"{html.escape(self.month.strftime('%B %Y'))}</p>"
            + f"<p class='ppw-sub'>{html.escape(self._window_text())} · "
            f"{html.escape('Force' if self.geography == 'Force' else self.geography)}</p>"
            + f"<p class='ppw-sub'>Data to {html.escape(month_label(self.month))} (unless stated "
            "otherwise). The date each source runs to:</p>"
            + sources
            + self._abbreviations(0)
            + "</div>"
        )

    def contents(self) -> HTML:
        """Links to the area pages as the pack names them (``01_domestic_abuse.html`` …)."""
        items = "".join(
            f'<li><a href="{area:02d}_{slug}.html">{html.escape(_area_title(area))}</a></li>'
            for area, slug in AREA_SLUGS.items()
        )
        return HTML(
            f'<div class="ppw"><ol style="list-style:none;padding-left:0">{items}</ol></div>'
        )

    # ---- scorecard -----------------------------------------------------------------------------
    def scorecard_frame(
        self, geography: str | None = None, period: str | None = None
    ) -> pd.DataFrame:
        """Every in-table measure of every area for one view, with area titles."""
        g = geography or self.geography
        p = period or self.period
        areas = [area for area in AREAS if measures_for(area, self.month)]
        if not areas:
            return pd.DataFrame()
        return _table_rows(self.cube, areas, self.month, p, g, area_titles=True)

    def scorecard_html(self, geography: str | None = None, period: str | None = None) -> str:
        g = geography or self.geography
        p = period or self.period
        key = ("scorecard", str(self.month), p, g)
        return self._cached(
            key,
            lambda: (
                '<div class="ppw">'
                + tables.scorecard_table(self.scorecard_frame(g, p), month=self.month, period=p)
                + "</div>"
            ),
        )

    def scorecard(self, interactive: bool = False):
        """One-page scorecard: this year, change, direction ▲▼, coloured by polarity and significance."""
        if interactive:
            bar = self.filter_bar()
            return bar.with_output(bar.add_view(lambda: self.scorecard_html()))
        from ..render.views import switcher

        return switcher(
            self.scorecard_html,
            geography_options(self.cube),
            self.view_periods(),
            default=(self.geography, self.period),
        )

    def filter_bar(self):
        if self._bar is None:
            from ..render.widgets import FilterBar

            self._bar = FilterBar(self)
        return self._bar

    def render_html(self, geography: str | None = None, period: str | None = None) -> str:
        """The master page's scorecard for one view (what the filter bar re-renders)."""
        return self.scorecard_html(geography, period)

    # ---- exceptions --------------------------------------------------------------------------
    def exceptions_frame(self) -> pd.DataFrame:
        """Measures whose latest monthly point is special cause (SPC), or with a significant change.

        Concerns first, then improvements, then unusual points of measures with no better
        direction; by area within each.
        """
        from .. import spc

        ctx = self.context()
        rows = []
        for m in measures_for(None, self.month):
            if m.window != "period" or m.unit not in ("count", "percent"):
                continue
            if ctx.geography_for(m) != ctx.geography:
                continue
            s = ctx.series(m.id, months=36)
            values = (
                s.set_index("month")["value"].astype(float) if len(s) else pd.Series(dtype=float)
            )
            if values.notna().sum() < 13:
                continue
            summary = spc.summarise(spc.xmr(values, polarity=m.polarity), m.polarity)
            if summary["special_cause"]:
                icon = str(summary.get("variation_icon") or "")
                rows.append(
                    {
                        "Area": m.area,
                        "Measure": m.title,
                        "Latest month": _month_str(summary["latest"]),
                        "Latest value": tables.format_value(
                            summary["latest_value"], m.unit, m.decimals
                        ),
                        "Why": summary["sentence"],
                        "kind": summary["point_type"],
                        "up": icon.endswith("_high"),
                    }
                )
        card = self.scorecard_frame()
        if len(card) and "significant" in card:
            for _, r in card[card["significant"].map(lambda v: v is True)].iterrows():
                unit = r.get("change_unit") or ""
                rows.append(
                    {
                        "Area": int(r["area"]),
                        "Measure": r["label"],
                        "Latest month": month_label(self.month),
                        "Latest value": tables.format_value(
                            r["this_year"], r["unit"], int(r["decimals"] or 0)
                        ),
                        "Why": f"Statistically significant change of {r['change']}{unit} on last "
                        "year (two-proportion test, p < 0.05)",
                        "kind": "improvement" if r["direction"] == "better" else "concern",
                        "up": r["change"] is not None and r["change"] > 0,
                    }
                )
        order = {"concern": 0, "improvement": 1, "neutral_special": 2}
        df = pd.DataFrame(
            rows, columns=["Area", "Measure", "Latest month", "Latest value", "Why", "kind", "up"]
        )
        df["_order"] = df["kind"].map(lambda k: order.get(k, 3))
        return df.sort_values(["_order", "Area"], kind="stable").drop(columns="_order")

    def exceptions(self) -> HTML:
        """The exceptions list: special-cause latest months and significant changes."""
        df = self.exceptions_frame()
        if df.empty:
            return HTML(
                '<div class="ppw">'
                + tables.note_html(
                    "No exceptions: no measure's latest month is special-cause variation and no "
                    "change is statistically significant."
                )
                + "</div>"
            )
        words = {"improvement": "improvement", "concern": "concern", "neutral_special": "unusual"}
        colours = {"improvement": tables.BETTER, "concern": tables.WORSE}
        out = [
            '<table class="ppw-table"><thead><tr><th>Type</th><th>Area</th>'
            '<th class="ppw-measure">Measure</th><th>Latest month</th><th>Latest value</th>'
            "<th>Why</th></tr></thead><tbody>"
        ]
        for r in df.itertuples(index=False):
            kind = r.kind
            colour = colours.get(kind, tables.SAME)
            arrow = "▲" if r.up else "▼"
            out.append(
                f'<tr><td style="color:{colour};white-space:nowrap;text-align:left">{arrow} '
                f"{words.get(kind, html.escape(str(kind)))}</td>"
                f'<td style="text-align:center">{int(r.Area)}</td>'
                f'<td class="ppw-label">{html.escape(str(r.Measure))}</td>'
                f'<td style="white-space:nowrap">{html.escape(str(r._2))}</td>'
                f"<td>{html.escape(str(r._3))}</td>"
                f'<td class="ppw-label">{html.escape(str(r.Why))}</td></tr>'
            )
        out.append("</tbody></table>")
        return HTML(
            '<div class="ppw">'
            + "".join(out)
            + '<p class="ppw-legend">▲/▼: the latest month is high/low. Special cause: the latest '
            "month is outside the process limits, or part of a run, trend or two-of-three pattern "
            "(statistical process control on the monthly series, "
            f"{html.escape(self._geo_text())}); significant: a survey change with p &lt; 0.05.</p></div>"
        )

    def _geo_text(self) -> str:
        return "the force" if self.geography == "Force" else self.geography

    # ---- districts and sources ---------------------------------------------------------------
    def district_comparison(self) -> HTML:
        ctx = self.context()
        w = window(self.period, self.month)
        return HTML(
            '<div class="ppw">'
            + sections.district_table_html(ctx, MASTER_DISTRICT_MEASURES)
            + f'<p class="ppw-legend">Key measures by district, {html.escape(w.label)} with the Better/ Worse '
            f"change against {html.escape(w.last_year().label)}. DA: domestic abuse; KSI: killed or seriously "
            "injured; ASB: anti-social behaviour.</p></div>"
        )

    def data_availability_frame(self) -> pd.DataFrame:
        """For each area: whether this data gives it figures, from which sources, and what is not.

        Judged measure by measure (and item by item for Management Information): a measure has
        data when every extract it reads is present *and* the source records the columns it needs
        (data.police.uk has crimes but no domestic-abuse flag, so area 1 has no data). ``Data`` is
        ``all data``, ``partial data`` or ``no data``.
        """
        present = sections.sources_present(self.cube)
        rows = []
        for area in AREAS:
            used: list[str] = []  # every source the area reads, in order
            giving: list[str] = []  # those that give at least one figure
            unrecorded: list[tuple[str, str]] = []
            verdicts: list[bool] = []
            for m in measures_for(area, self.month, in_table=None):
                srcs = sections.measure_sources(m)
                absent, gaps = sections.measure_gaps(self.cube, m)
                ok = not absent and not gaps
                verdicts.append(ok)
                unrecorded += [g for g in gaps if g not in unrecorded]
                used += [s for s in srcs if s not in used]
                giving += [s for s in srcs if ok and s not in giving]
            for it in sections.items_for(area):
                ok = all(s in present for s in it.sources) and (
                    not it.measures
                    or any(not sections.never_recorded(self.cube, mid) for mid in it.measures)
                )
                verdicts.append(ok)
                used += [s for s in it.sources if s not in used]
                giving += [s for s in it.sources if ok and s not in giving]
            status = "all data" if all(verdicts) else "partial data" if any(verdicts) else "no data"
            rows.append(
                {
                    "Area": _area_title(area),
                    "Data": status,
                    "Sources with data": ", ".join(giving) or "—",
                    "Sources missing": ", ".join(s for s in used if s not in present) or "—",
                    "Not recorded in the source": sections.not_recorded_text(unrecorded) or "—",
                }
            )
        return pd.DataFrame(rows)

    def data_quality_frame(self) -> pd.DataFrame:
        """The load report's warnings about the extracts of this cube, with the areas each affects.

        ``Warning`` (the file, what was found and how it was counted) and ``Areas it affects``
        (the areas with a measure or item reading that extract). Empty for a cube built from
        frames in code (no files were read).
        """
        report = self.cube.extracts_report
        rows = []
        for extract, text in report.warnings_by_extract() if report is not None else []:
            areas = [
                _area_title(area)
                for area in AREAS
                if any(
                    extract in sections.measure_sources(m)
                    for m in measures_for(area, self.month, in_table=None)
                )
                or any(extract in it.sources for it in sections.items_for(area))
            ]
            rows.append({"Warning": text, "Areas it affects": ", ".join(areas) or "—"})
        return pd.DataFrame(rows, columns=["Warning", "Areas it affects"])

    def data_quality(self) -> HTML:
        """What the extracts' checks found that moves figures without stopping the run."""
        frame = self.data_quality_frame()
        if frame.empty:
            body = (
                "<p>No data-quality warnings: every row of every extract was counted as read.</p>"
            )
        else:
            body = tables.simple_table(frame) + (
                '<p class="ppw-legend">Figures reading these extracts are as counted here; '
                "the run record (run.json) has the counts for every extract.</p>"
            )
        return HTML(f'<div class="ppw">{body}</div>')

    def data_availability(self) -> HTML:
        return HTML(
            '<div class="ppw">'
            + tables.simple_table(self.data_availability_frame())
            + '<p class="ppw-legend">An area with missing sources, or whose source does not record '
            'what a measure needs (e.g. a domestic-abuse flag), shows "No data for this area from '
            'this source" where those figures would be, never a zero.</p></div>'
        )


__all__ = [
    "AreaPage",
    "MasterPage",
    "PERIODS",
    "clear_caches",
    "commentary_html",
    "get_cube",
    "performance_rows",
]
