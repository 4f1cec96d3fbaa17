"""The master notebook's page (:class:`MasterPage`): cover, contents, scorecard, exceptions,
district comparison, data availability and data quality."""

from __future__ import annotations

import functools
import html

import pandas as pd
from IPython.display import HTML

from ..analysis import significance
from ..contract.catalog import AREA_SLUGS, AREAS, measure, measures_for
from ..periods import month_label, window
from ..render import tables
from ..render.scorecard import scorecard_table
from . import sections
from .coverage import measure_stale_sources
from .findings import Finding, Monthly, Projection, as_at, monthly, projections, scan
from .page import _Page, data_to, geography_options
from .rows import _area_title, _table_rows
from .summary import SummaryInput, exceptions_frame, render_exceptions, render_summary

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
        """Force, month, period and place: the title lines above the executive summary.

        ``standalone=False`` (the pack): only the page's style sheet, the pack's page shell has
        the marking and the title. The date each source runs to is under Sources
        (:meth:`sources_to`).
        """
        if not standalone:
            return HTML(tables.CSS)  # the pack's page shell has the force, month and period
        cfg = self.force
        return HTML(
            tables.CSS
            + '<div class="ppw">'
            + self._marking()
            + f"<h2 style='font-size:22px;margin:0'>{html.escape(cfg.force_name)}: Monthly "
            f"Performance Report, {html.escape(self.month.strftime('%B %Y'))}</h2>"
            + f"<p class='ppw-sub'>{html.escape(self._window_text())} · "
            f"{html.escape('Force' if self.geography == 'Force' else self.geography)} · data to "
            f"{html.escape(month_label(self.month))} unless stated otherwise (see Sources)</p>"
            + "</div>"
        )

    def sources_to(self) -> HTML:
        """The date each source runs to, and the abbreviations."""
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
        caption = tables.hidden_caption("Sources: the month each source runs to")
        return HTML(
            f'<div class="ppw"><table class="ppw-small">{caption}<thead><tr>'
            '<th scope="col">Source</th><th scope="col">Data to</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
            + self._abbreviations(0)
            + "</div>"
        )

    # ---- executive summary -------------------------------------------------------------------
    @functools.cached_property
    def _monthly(self) -> dict[tuple[str, str], dict[str, Monthly]]:
        """(month, geography) → measure id → its monthly series and control chart (period-independent)."""
        return {}

    @functools.cached_property
    def _findings(self) -> dict[tuple[str, str, str], list[Finding]]:
        """(month, geography, period) → the view's findings."""
        return {}

    @functools.cached_property
    def _projections(self) -> dict[tuple[str, str], list[Projection]]:
        """(month, geography) → the place's projections."""
        return {}

    @functools.cached_property
    def _cards(self) -> dict[tuple[str, str, str], pd.DataFrame]:
        """(month, geography, period) → the view's scorecard frame."""
        return {}

    def monthly_series(self, geography: str) -> dict[str, Monthly]:
        """Every in-table measure's monthly series and control chart at ``geography``."""
        key = (str(self.month), geography)
        if key not in self._monthly:
            ctx = self.context(geography)
            out = {}
            for m in measures_for(None, self.month):
                found = monthly(ctx, m)
                if found is not None:
                    out[m.id] = found
            self._monthly[key] = out
        return self._monthly[key]

    def projections(self, geography: str) -> list[Projection]:
        """The measures at ``geography`` projected to leave their usual range within six months
        (:func:`helpers.pages.findings.projections`); the force and the LPAs only: a district's
        small monthly counts give intervals too wide to say much, and projecting every district's
        measures would cost seconds a pack."""
        if self.hierarchy.level_of(geography) == "district":
            return []
        key = (str(self.month), geography)
        if key not in self._projections:
            self._projections[key] = projections(self.monthly_series(geography))
        return self._projections[key]

    def findings(self, geography: str | None = None, period: str | None = None) -> list[Finding]:
        """The view's measures with a significant change or special cause, one per measure
        (:func:`helpers.pages.findings.scan`): what the summary and the exceptions list show."""
        g = geography or self.geography
        p = period or self.period
        key = (str(self.month), g, p)
        if key not in self._findings:
            self._findings[key] = scan(
                self.context(g, p), self.scorecard_frame(g, p), self.monthly_series(g)
            )
        return self._findings[key]

    def _districts_of(self, geography: str) -> list[str]:
        """The districts a view's summary scans: all of them for the force, an LPA's own for an
        LPA, none for a district."""
        level = self.hierarchy.level_of(geography)
        if level == "district":
            return []
        ctx = self.context(geography)
        return ctx.districts(None if level == "force" else geography)

    def summary_input(
        self, geography: str | None = None, period: str | None = None
    ) -> SummaryInput:
        """What the summary of a view shows, as data (tests compare it with the tables)."""
        g = geography or self.geography
        p = period or self.period
        found = self.findings(g, p)
        districts = {d: self.findings(d, p) for d in self._districts_of(g)}
        same = {}
        for f in found:
            hits = sum(
                any(x.measure_id == f.measure_id and x.kind == f.kind for x in fs)
                for fs in districts.values()
            )
            same[f.measure_id] = (hits, len(districts))
        card = self.scorecard_frame(g, p)
        shown = card[(card["available"] == True) & (card["suppressed"] != True)]  # noqa: E712
        # the tables' one rule for a stale source (helpers.pages.coverage), over the view's rows
        # (a stale source's row is often N/A: its window runs past the data)
        stale: dict[str, pd.Period] = {}
        for measure_id in card.loc[card["no_source"] != True, "measure_id"]:  # noqa: E712
            stale.update(measure_stale_sources(self.cube, self.month, measure(measure_id)))
        return SummaryInput(
            place=self._place(g),
            window_label=window(p, self.month).label,
            findings=found,
            same_in_districts=same,
            districts=districts,
            projections=[
                p for p in self.projections(g) if p.measure_id in set(shown["measure_id"])
            ],
            as_at=as_at(card, self.month),
            stale_sources=[
                (sections.SOURCE_NAMES.get(extract, extract), last.strftime("%b %Y"))
                for extract, last in sorted(stale.items())
            ],
            better=int((shown["direction"] == "better").sum()),
            worse=int((shown["direction"] == "worse").sum()),
            with_figures=len(shown),
            significance_sentence=significance.rule_sentence(self.cube),
        )

    def summary_html(self, geography: str | None = None, period: str | None = None) -> str:
        g = geography or self.geography
        p = period or self.period
        return self._cached(
            ("summary", str(self.month), p, g),
            lambda: render_summary(self.summary_input(g, p)),
        )

    def summary(self, interactive: bool = False):
        """The executive summary: what got better and worse, for every geography and period."""
        return self._view(self.summary_html, interactive)

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
        key = (str(self.month), g, p)
        if key not in self._cards:
            areas = [area for area in AREAS if measures_for(area, self.month)]
            self._cards[key] = (
                _table_rows(self.cube, areas, self.month, p, g, area_titles=True)
                if areas
                else pd.DataFrame()
            )
        return self._cards[key].copy()

    def scorecard_html(self, geography: str | None = None, period: str | None = None) -> str:
        g = geography or self.geography
        p = period or self.period
        key = ("scorecard", str(self.month), p, g)
        return self._cached(
            key,
            lambda: (
                '<div class="ppw">'
                + scorecard_table(
                    self.scorecard_frame(g, p), month=self.month, period=p, geography=g
                )
                + "</div>"
            ),
        )

    def scorecard(self, interactive: bool = False):
        """One-page scorecard: this year, change, direction ▲▼, coloured by polarity and significance."""
        return self._view(self.scorecard_html, interactive)

    def _view(self, render, interactive: bool):
        """A section of the page: ``render(geography, period)`` under the filter bar (the lab), or
        a view for every place and period that the page's selectors switch between (the pack)."""
        if interactive:
            bar = self.filter_bar()
            return bar.with_output(bar.add_view(render))
        from ..render.views import switcher

        return switcher(
            render, geography_options(self.cube), self.view_periods(),
            default=(self.geography, self.period),
        )  # fmt: skip

    def filter_bar(self):
        if self._bar is None:
            from ..render.widgets import FilterBar

            self._bar = FilterBar(self, page_for_month=self.for_month)
        return self._bar

    def for_month(self, month) -> MasterPage:
        """The master page of the same place and period for another ``month``, on the same cube
        (the filter bar prefetches the months either side into it)."""
        return MasterPage(
            month=month,
            period=self.period,
            geography=self.geography,
            data_dir=self.data_dir,
            cube=self.cube,
        )

    def render_html(self, geography: str | None = None, period: str | None = None) -> str:
        """The master page's scorecard for one view (what the filter bar re-renders)."""
        return self.scorecard_html(geography, period)

    # ---- exceptions --------------------------------------------------------------------------
    def exceptions_frame(
        self, geography: str | None = None, period: str | None = None
    ) -> pd.DataFrame:
        """The view's findings as the exceptions list (:func:`helpers.pages.summary.exceptions_frame`)."""
        return exceptions_frame(self.findings(geography, period))

    def exceptions_html(self, geography: str | None = None, period: str | None = None) -> str:
        g = geography or self.geography
        p = period or self.period
        return self._cached(
            ("exceptions", str(self.month), p, g),
            lambda: render_exceptions(
                self.findings(g, p), self._place(g), significance.rule_sentence(self.cube)
            ),
        )

    def exceptions(self, interactive: bool = False):
        """The exceptions list: every finding of the view, with its reasons; it follows the same
        selectors as the summary and the scorecard."""
        return self._view(self.exceptions_html, interactive)

    def _place(self, geography: str) -> str:
        """ "the force", "North LPA" or the district's name."""
        level = self.hierarchy.level_of(geography)
        return (
            "the force" if level == "force" else f"{geography} LPA" if level == "lpa" else geography
        )

    def _geo_text(self) -> str:
        return "the force" if self.geography == "Force" else self.geography

    # ---- districts and sources ---------------------------------------------------------------
    def district_comparison_html(
        self, geography: str | None = None, period: str | None = None
    ) -> str:
        """Key measures of every district for the view's period (the same for every place: the
        districts side by side)."""
        p = period or self.period
        return self._cached(("districts", str(self.month), p), lambda: self._districts(p))

    def _districts(self, period: str) -> str:
        w = window(period, self.month)
        return (
            '<div class="ppw">'
            + sections.district_table_html(self.context(period=period), MASTER_DISTRICT_MEASURES)
            + f'<p class="ppw-legend">Key measures by district, {html.escape(w.label)} with the Better/ Worse '
            f"change against {html.escape(w.last_year().label)}. DA: domestic abuse; KSI: killed or seriously "
            "injured; ASB: anti-social behaviour.</p></div>"
        )

    def district_comparison(self, interactive: bool = False):
        """The districts side by side; it follows the period selector with the scorecard (the
        table is the same whichever place is chosen)."""
        return self._view(self.district_comparison_html, interactive)

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
            names = sections.SOURCE_NAMES  # the sources by their names for the reader
            rows.append(
                {
                    "Area": _area_title(area),
                    "Data": status,
                    "Sources with data": ", ".join(names.get(s, s) for s in giving) or "—",
                    "Sources missing": ", ".join(names.get(s, s) for s in used if s not in present)
                    or "—",
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
            body = tables.simple_table(
                frame, hidden="Data-quality warnings and the areas each affects", wrap=True
            ) + (
                '<p class="ppw-legend">Figures reading these extracts are as counted here; '
                "the run record (run.json) has the counts for every extract.</p>"
            )
        return HTML(f'<div class="ppw">{body}</div>')

    def data_availability(self) -> HTML:
        return HTML(
            '<div class="ppw">'
            + tables.simple_table(
                self.data_availability_frame(), hidden="Data available for each area"
            )
            + '<p class="ppw-legend">An area with missing sources, or whose source does not record '
            'what a measure needs (e.g. a domestic-abuse flag), shows "No data for this area from '
            'this source" where those figures would be, never a zero.</p></div>'
        )
