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

import html

import pandas as pd
from IPython.display import HTML

from ..config import COMMENTARY_DIR  # noqa: F401
from ..contract.catalog import AREA_SLUGS, AREAS, measure, measures_for  # noqa: F401
from ..periods import (  # noqa: F401
    PERIOD_LABELS,
    PERIODS,
    check_period,
    month_label,
    parse_month,
    window,
)
from ..render import tables
from . import sections
from .commentary import (  # noqa: F401
    _OWN_LINK,
    COMMENTARY_TAGS,
    _commentary_renderer,
    _confine,
    _own_link,
    commentary_html,
    commentary_path,
    render_markdown,
)
from .master import MASTER_DISTRICT_MEASURES, MasterPage  # noqa: F401
from .page import (  # noqa: F401
    _CUBES,
    _RENDER_LOCK,
    ABBREVIATIONS,
    AREA_ABBREVIATIONS,
    VIEW_PERIODS,
    _month_str,
    _Page,
    clear_caches,
    data_to,
    geography_options,
    get_cube,
)
from .rows import (  # noqa: F401
    TABLE_EXTRA_COLUMNS,
    _area_title,
    _table_fields,
    _table_rows,
    _table_rows_from_frames,
    performance_rows,
)

# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------

#: Why an item kept by place is the force's in the pack when its item gives no reason of its own.
FORCE_ONLY_REASON = (
    "drawn for the force only in the pack, to keep it small; the notebook draws it for any district"
)


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
        profile: str = "profiles/demo",
    ):
        if area not in AREAS:
            raise ValueError(f"area {area!r} is not one of 1-8")
        super().__init__(
            month,
            period,
            geography,
            data_dir,
            cube=cube,
            data_fingerprint=data_fingerprint,
            profile=profile,
        )
        self.area = area
        self.title = _area_title(area)
        self.slug = AREA_SLUGS[area]
        self.items = sections.items_for(area)

    # ---- fragments as strings ----------------------------------------------------------------
    def header_html(self, standalone: bool = True) -> str:
        """The page header; ``standalone=False`` leaves out what the pack's page shell prints."""
        cfg = self.force
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
                        + "the "
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
        figures=None,
        heading: bool = True,
    ) -> str:
        """One management-information item for one view (cached per view).

        An item that does not change with the geography (or the period) is rendered once and
        shared by every geography (or period), so switching views only redraws what changes.
        ``figures``: the caller's :class:`helpers.render.figure_reuse.ReusedFigures` (its charts
        drawn on the figures of the views drawn before). ``heading=False``: without the item's
        heading (the pack prints it above a force-only item's views, the line saying so below).
        """
        it = sections.item(key)
        g = (geography or self.geography) if it.by_geography else "Force"
        p = (period or self.period) if it.by_period else None
        cache_key = self._item_key(key, geography, period, small, heading)

        def render():
            ctx = self.context(g, p or self.period, small=small, compact=self.compact)
            ctx.figures = figures
            return sections.render_item(it, ctx, heading=heading)

        return self._cached(cache_key, render)

    def _item_key(self, key, geography=None, period=None, small=False, heading=True) -> tuple:
        it = sections.item(key)
        g = (geography or self.geography) if it.by_geography else "Force"
        p = (period or self.period) if it.by_period else None
        return ("item", key, str(self.month), p, g, small, self.compact, heading)

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
            + self.commentary().data
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
        PNGs keep an area page well under 2 MB), so a commander can switch without a kernel. Every
        other item is pre-rendered for every period it depends on and follows the page's
        selectors; on a district or LPA view an item drawn for the force alone says so
        (``Item.force_only``, :meth:`_force_item`).
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
                parts.append(self._force_item(k))
        return HTML("".join(parts))

    def _switchable_item(self, key: str) -> str:
        from ..render.figure_reuse import ReusedFigures
        from ..render.views import switcher

        it = sections.item(key)
        # the item's chart, drawn for every geography, on one figure redrawn (figure_reuse)
        figures = ReusedFigures()

        def render(g, p):
            return f'<div class="ppw">{self.item_html(key, g, p, figures=figures)}</div>'

        return switcher(
            render,
            geography_options(self.cube),
            self.view_periods(),
            default=(self.geography, self.period),
            varies_with=("geography", "period") if it.by_period else ("geography",),
        ).data

    def _force_item(self, key: str) -> str:
        """An item the pack draws for the force alone (or the same for every place: the MSG, the
        districts' table), once per period it depends on, following the page's selectors.

        Its heading, then (``Item.force_only``) the line "Force figures: this chart is not kept
        by district (…)" that shows whenever a district or an LPA is chosen, then its views.
        """
        from ..render.views import switcher

        it = sections.item(key)
        # an item kept by place but not pre-rendered for each one is the force's, and says so
        reason = it.force_only or (FORCE_ONLY_REASON if it.by_geography else "")
        return (
            f'<div class="ppw">{sections._heading(it.title)}</div>'
            + switcher(
                lambda g, p: f'<div class="ppw">{self.item_html(key, g, p, heading=False)}</div>',
                geography_options(self.cube),
                self.view_periods(),
                default=(self.geography, self.period),
                varies_with=("period",) if it.by_period else (),
                selectors=False,
                force_only=reason or None,
            ).data
        )

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

    # ---- exploring beyond the page (helpers.pages.explore; the Explore cell) -----------------
    def explore_spc(self, measure_id: str, geography: str | None = None, *, months: int = 36):
        """Any catalog measure as an SPC chart for any place: ``page.explore_spc("all_crime", "Colchester")``."""
        from .explore import spc_html

        return HTML(spc_html(self, measure_id, geography, months=months))

    def chart_data(self, item_key: str, geography=None, period=None, *, chart: int = 0):
        """The data frame a chart of item ``item_key`` is drawn from (``chart``: which of its charts)."""
        from .explore import chart_data

        return chart_data(self, item_key, geography, period, chart=chart)

    def chart_frames(self, item_key: str, geography=None, period=None) -> dict:
        """Chart title → data frame, for every chart of item ``item_key``."""
        from .explore import chart_frames

        return chart_frames(self, item_key, geography, period)

    def compare_districts(self, measure_id: str, period=None, *, lpa=None) -> pd.DataFrame:
        """Every district for one measure, ranked best first, with significance where tested."""
        from .explore import compare_districts

        return compare_districts(self, measure_id, period, lpa=lpa)

    def explorer(self, interactive: bool = True, measure_id=None, geography=None):
        """Measure and geography drop-downs: the SPC chart and the districts of any measure."""
        from .explore import PACK_NOTE, explorer

        return explorer(self, measure_id, geography) if interactive else HTML(PACK_NOTE)

    def commentary(self) -> HTML:
        """The analyst's commentary for the month (``<profile>/commentary/<YYYY-MM>/<NN>_<slug>.md``), if any.

        Its placeholders (``{{ change("all_crime") }}``) are filled from the figures of the page's
        own view, its geography and period (:class:`helpers.pages.commentary_fill.Figures`).
        """
        from .commentary_fill import Figures

        figures = Figures(self.cube, self.month, self.period, self.geography)
        return HTML(
            commentary_html(self.month, self.area, self.profile.commentary_dir, figures=figures)
        )

    def filter_bar(self):
        """The page's ipywidgets filter bar (one per page; every interactive view registers with it).

        The bar prefetches the months either side into pages of their own that share this page's
        cube (:meth:`for_month`).
        """
        if self._bar is None:
            from ..render.widgets import FilterBar

            self._bar = FilterBar(self, page_for_month=self.for_month)
        return self._bar

    def for_month(self, month) -> AreaPage:
        """A page of the same area, place and period for another ``month``, on the same cube."""
        return AreaPage(
            self.area,
            month=month,
            period=self.period,
            geography=self.geography,
            data_dir=self.data_dir,
            cube=self.cube,
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
