"""The master notebook's page (:class:`MasterPage`): cover, contents, scorecard, exceptions,
district comparison, data availability and data quality."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from ..contract.catalog import AREA_SLUGS, AREAS, measures_for
from ..periods import month_label, window
from ..render import tables
from . import sections
from .page import _month_str, _Page, data_to, geography_options
from .rows import _area_title, _table_rows

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
        cfg = self.force
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
