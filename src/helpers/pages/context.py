"""The types of the areas' items: :class:`Context` (the cube and the run's month, period and
geography an item draws itself for, with the LPA of that geography) and :class:`Item` (one
management-information item).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..analysis import disclosure
from ..contract.catalog import Measure, measure
from ..geography import Hierarchy
from ..periods import Window, window
from ..render.chart_cache import ChartCache, default_cache
from ..render.figure_reuse import ReusedFigures
from .coverage import measure_has_data, measure_stale_sources, sources_present, stale_sources

#: The reason of a :class:`Value` withheld for public release (:meth:`Context.value`).
WITHHELD = "withheld for public release (small numbers)"


@dataclass
class Context:
    """What an item needs to draw itself: the cube and the run's month, period and geography."""

    cube: object
    month: pd.Period
    period: str
    geography: str = "Force"
    level: str = "force"
    #: Force → LPA → district (the cube's :class:`helpers.geography.Hierarchy`).
    hierarchy: Hierarchy | None = None
    small: bool = False
    #: Palette PNGs (about a third of the size, slower to encode): for the pack's HTML.
    compact: bool = True
    #: Charts drawn before, on disk (:mod:`helpers.render.chart_cache`; the project's
    #: ``.cache/charts/`` by default). None: every chart is drawn.
    chart_cache: ChartCache | None = field(default_factory=default_cache)
    #: Figures kept for re-use by the caller drawing a series of views (a switchable item's
    #: geographies, :mod:`helpers.render.figure_reuse`); None: every chart on a new figure.
    figures: ReusedFigures | None = None

    # ---- geography ---------------------------------------------------------------------------
    @property
    def lpas(self) -> list[str]:
        return [] if self.hierarchy is None else self.hierarchy.lpas

    def districts(self, lpa: str | None = None) -> list[str]:
        """Districts (of ``lpa`` if given), excluding "Unassigned"."""
        return [] if self.hierarchy is None else self.hierarchy.districts(lpa)

    def local_districts(self) -> list[str]:
        """Districts to compare for this geography: all (Force), the LPA's, or the district's LPA's."""
        lpa = _lpa_of(self)
        return self.districts(lpa) if lpa else self.districts()

    # ---- data --------------------------------------------------------------------------------
    def has_source(self, *extracts: str) -> bool:
        """Whether every extract in ``extracts`` has data in the cube."""
        present = sources_present(self.cube)
        return all(e in present for e in extracts)

    def missing_sources(self, extracts) -> list[str]:
        present = sources_present(self.cube)
        return [e for e in extracts if e not in present]

    def has_data(self, measure_id: str) -> bool:
        """Whether the source gives the measure any value (extracts present, columns recorded)."""
        return measure_has_data(self.cube, measure(measure_id))

    def stale(self, measure_ids=(), extracts=()) -> dict[str, pd.Period]:
        """The stale sources (extract → its last month) of the measures, each with its lag
        allowed for, or else of the extracts (:func:`helpers.pages.coverage.stale_sources`)."""
        if measure_ids:
            out: dict[str, pd.Period] = {}
            for mid in measure_ids:
                out.update(measure_stale_sources(self.cube, self.month, measure(mid)))
            return out
        return stale_sources(self.cube, self.month, extracts)

    def window_for(self, m: Measure, kind: str | None = None) -> Window:
        """This year's window of ``m`` for the run (its fixed window and lag respected)."""
        return window(kind or m.window_kind(self.period), self.month, lag=m.lag)

    def geography_for(self, m: Measure, geography: str | None = None) -> str:
        """``geography`` (default the run's), or Force where ``m`` does not exist at that level."""
        geography = geography or self.geography
        return geography if self._level_of(geography) in m.levels else "Force"

    def _level_of(self, geography: str) -> str:
        if geography == "Force":
            return "force"
        return (
            self.level
            if self.hierarchy is None
            else self.hierarchy.levels.get(geography, self.level)
        )

    def value(self, measure_id: str, win: Window, geography: str | None = None):
        """The cube's ``Value`` (``.value`` None when not available, or withheld for release).

        With ``suppress_below`` set in ``params/force.yaml``, a measure withheld for an LPA or a
        district in the report month is withheld here on every window, exactly as in the
        performance tables (:func:`helpers.analysis.disclosure.decisions`), so no chart or district table
        prints it.
        """
        geography = geography or self.geography
        if disclosure.is_withheld(self.cube, measure_id, self.month, geography):
            from ..measures.cube import Value

            return Value(None, None, None, False, WITHHELD)
        return self.cube.value(measure_id, win, geography)

    def number(self, measure_id: str, win: Window, geography: str | None = None) -> float | None:
        """The measure's value in ``win``, None when not available."""
        try:
            v = self.value(measure_id, win, geography)
        except KeyError:
            return None
        if not getattr(v, "available", True):
            return None
        x = getattr(v, "value", None)
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

    def pair(self, measure_id: str, geography: str | None = None, kind: str | None = None):
        """(last year, this year) values of a measure for the run's window."""
        m = measure(measure_id)
        win = self.window_for(m, kind)
        geo = self.geography_for(m, geography)
        return self.number(measure_id, win.last_year(), geo), self.number(measure_id, win, geo)

    def series(
        self,
        measure_id: str,
        *,
        months: int = 36,
        kind: str = "month",
        geography: str | None = None,
        end: pd.Period | None = None,
    ) -> pd.DataFrame:
        """Monthly series ``[month (Period), numerator, denominator, value]`` ending at ``end``.

        Starts no earlier than the measure's ``comparable_from``; empty if the cube has none.
        """
        m = measure(measure_id) if not measure_id.startswith("disposal_") else None
        end = end if end is not None else self.month - (m.lag if m else 0)
        start = end - (months - 1)
        if m is not None and m.comparable_from is not None and start < m.comparable_from:
            start = m.comparable_from
        geo = self.geography_for(m, geography) if m is not None else (geography or self.geography)
        # An item may read a series twice (an SPC chart and its seasonal pattern): read it once.
        key = (measure_id, kind, geo, start, end)
        if key not in self._series:
            self._series[key] = self._read_series(measure_id, kind, geo, start, end)
        return self._series[key].copy()

    @functools.cached_property
    def _series(self) -> dict[tuple, pd.DataFrame]:
        return {}

    def _withhold_small_months(self, df: pd.DataFrame, measure_id, kind, geo) -> pd.DataFrame:
        """Blank an LPA's or district's series where it is withheld for public release.

        The same decision as the tables (:func:`helpers.analysis.disclosure.is_withheld`): a measure
        withheld for the place in the report month is blank in every month, so a chart never shows
        what the tables print as "[c]" nor a month that would give it back. A window reaching
        outside the months disclosure control checked (the :data:`helpers.analysis.disclosure.CHART_MONTHS`
        to the report month) is blank too. Off unless ``suppress_below`` is set.
        """
        if geo == "Force" or disclosure.threshold_in_force(cube=self.cube) is None:
            return df
        if disclosure.is_withheld(self.cube, measure_id, self.month, geo):
            withheld = [True] * len(df)
        else:
            lag = 0 if measure_id.startswith("disposal_") else measure(measure_id).lag
            last = self.month - lag
            first = last - (disclosure.CHART_MONTHS - 1)
            withheld = [window(kind, m).start < first or m > last for m in df["month"]]
        if any(withheld):
            df = df.copy()
            df.loc[withheld, ["numerator", "denominator", "value"]] = float("nan")
        return df

    def _read_series(self, measure_id, kind, geo, start, end) -> pd.DataFrame:
        try:
            df = self.cube.series(measure_id, geo, kind=kind, start=start, end=end)
        except (KeyError, ValueError):
            return pd.DataFrame(columns=["month", "numerator", "denominator", "value"])
        if df is None or len(df) == 0:
            return pd.DataFrame(columns=["month", "numerator", "denominator", "value"])
        df = df.copy()
        if df["month"].dtype != pd.PeriodDtype("M"):  # the cube's months are Periods already
            df["month"] = df["month"].map(lambda x: pd.Period(str(x), freq="M"))
        df = df[(df["month"] >= start) & (df["month"] <= end)].reset_index(drop=True)
        # months before the source starts are not gaps: a chart starts where the data start
        first = df["value"].notna().to_numpy().nonzero()[0]
        df = df.iloc[first[0] :].reset_index(drop=True) if len(first) else df.iloc[0:0]
        # withheld months are gaps (after the trim, so a withheld start is not taken for no data)
        return self._withhold_small_months(df, measure_id, kind, geo)


@dataclass(frozen=True)
class Item:
    """One management-information item of an area page."""

    key: str
    area: int
    title: str
    build: Callable[[Context], str]
    #: Extracts it needs; absent → "No data for this area from this source".
    sources: tuple[str, ...] = ()
    #: Pre-rendered for every geography in the pack (the key charts of the area).
    switchable: bool = False
    #: Drawn for every geography (False: the same content whatever the geography, e.g. MSG).
    by_geography: bool = True
    #: Depends on the run's period (False: monthly trend charts).
    by_period: bool = True
    note: str = ""
    #: Why the pack shows the force's figures on every view of an item not ``by_geography``: on
    #: a district or LPA view it says "Force figures: this chart is not kept by district (…)".
    #: "" for one that is the same for every place but not the force's (the districts' table).
    #: An item ``by_geography`` but not ``switchable`` says it is drawn for the force only in the
    #: pack (:data:`helpers.pages.report.FORCE_ONLY_REASON`) unless this gives another reason.
    force_only: str = ""
    #: Catalog measures it shows: when the source records none of them (e.g. no domestic-abuse
    #: flag), the item is the no-data note naming what is not recorded, not empty charts.
    measures: tuple[str, ...] = ()


def _lpa_of(ctx: Context) -> str:
    """The LPA of the run's geography ("" for the Force)."""
    if ctx.hierarchy is None:
        return ""
    return ctx.hierarchy.lpa_of(ctx.geography) or ""
