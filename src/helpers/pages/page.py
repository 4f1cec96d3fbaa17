"""What the area and master pages share: the cube cached in memory per data folder
(:func:`get_cube`, :func:`clear_caches`), the views the pack pre-renders, the abbreviations, the
sources' "Data to" months, and the page base class :class:`_Page` (the run, the cube, the
geographies, the rendered fragments).
"""

from __future__ import annotations

import contextlib
import html
import threading

import pandas as pd
from IPython.display import HTML

from ..config import DEMO_PROFILE_DIR, resolve_path
from ..contract.catalog import measures_for
from ..periods import PERIOD_LABELS, check_period, parse_month, window
from ..profile import load_profile
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


def get_cube(data_dir, fingerprint: str = "", profile=None) -> object:
    """Load the cube for ``data_dir`` once per process (``helpers.measures.cube.load_cube`` caches on disk).

    With ``fingerprint`` (the pack passes its run's, the ``data_fingerprint`` parameter) exactly
    that cached cube is loaded, without reading the extracts: every page of a pack shows the
    same snapshot even if the folder changes during the run (``helpers.measures.cube.CubeError`` if the
    cache of that fingerprint is absent or does not verify). ``profile``: the force's profile
    folder (the demo force's when None); the cube keeps it (``cube.profile``).
    """
    path = str(resolve_path(data_dir))
    profile_dir = str(resolve_path(profile, default=DEMO_PROFILE_DIR))
    key = f"{path}\0{fingerprint}\0{profile_dir}"
    if key not in _CUBES:
        from ..measures.cube import load_cube

        _CUBES[key] = load_cube(path, fingerprint=fingerprint or None, profile=profile_dir)
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
        profile: str = "profiles/demo",
    ):
        self.month = parse_month(month)
        self.period = check_period(period)
        self.data_dir = data_dir
        self.cube = cube if cube is not None else get_cube(data_dir, data_fingerprint, profile)
        #: The force's profile: the cube's own, or (a cube built in code) the one named.
        self.profile = self.cube.profile if self.cube.profile is not None else load_profile(profile)
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

    @property
    def force(self):
        """The profile's force.yaml: name, marking, disclosure threshold."""
        return self.profile.force

    def _abbreviations(self, area: int) -> str:
        keys = AREA_ABBREVIATIONS.get(area, ())
        text = "; ".join(f"{k}: {ABBREVIATIONS[k]}" for k in keys)
        return (
            f'<p class="ppw-sub" style="font-size:12px">Abbreviations — {html.escape(text)}.</p>'
            if text
            else ""
        )

    def _marking(self) -> str:
        return f'<div class="ppw-marking">[{html.escape(self.force.protective_marking)}]</div>'

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
