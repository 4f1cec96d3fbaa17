"""The built cube and the figures read from it: a measure's value on a window, for a geography.

:class:`Cube` holds what :mod:`helpers.measures.cube` built — one row per measure, window kind, covered month
and geography with its numerator and denominator, the months each measure covers and why the
others are not — and answers :meth:`Cube.value` (a window's figure, or N/A with the reason),
:meth:`Cube.series` (month by month) and :meth:`Cube.peer_values` (the Most Similar Group). The
window arithmetic (sums over months, means of denominators, the survey period read at a window's
end, comparable dates) lives here, on dense arrays (:class:`_Index`); nothing here reads extracts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import periods
from ..contract.extracts import reader_name
from ..geography import FORCE, Hierarchy
from ..profile import Profile
from ..sources.loading import LoadReport
from .national import national_group as _national_group
from .results import PeerGroup, Reference, Value, _compute, _na  # noqa: F401 - as before

WINDOW_KINDS = ("fytd", "rolling-12m", "month")
#: Survey periods are published quarterly: a window ending between two period ends reads the
#: latest period ending at most this many months before the window's end.
SURVEY_LOOKBACK_MONTHS = 2
#: Measures ranked in the Most Similar Group on crimes per 1,000 residents rather than on the count.
PER_1000_RANKED = ("all_crime", "victim_based_crime", "crimes_per_1000")
# --------------------------------------------------------------------------- public results


@dataclass
class Cube:
    """The built cube.

    Attributes
    ----------
    frame
        ``measure_id, window, month ('YYYY-MM'), level, geography, numerator, denominator``; one row
        per covered month (``denominator`` is NaN for counts).
    coverage
        ``measure_id, month ('YYYY-MM')``: the months each measure's sources cover.
    data_to
        Extract name → last month with data (``pd.Period``): "the date each source runs to".
    fingerprint
        Hash of the inputs the cube was built from (empty when built from in-memory extracts).
    peers
        ``month, force, measure_id, window, numerator, denominator``: Most Similar Group figures
        (``msg_peers`` monthly rows and public-confidence survey rows of the other forces).
    measures
        One row per measure id in the cube: ``measure_id, unit, den_agg, kinds, coverage_rule,
        levels, sources, missing, coverage_note, unrecorded`` (JSON: ``"extract.column"`` → the
        months the extract has rows but the column is empty on all of them) and ``never_recorded``
        (JSON list of ``"extract.column"`` empty in every month of the extract).
    """

    frame: pd.DataFrame
    coverage: pd.DataFrame
    data_to: dict[str, pd.Period]
    fingerprint: str = ""
    peers: pd.DataFrame = field(default_factory=pd.DataFrame)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    reference: Reference | None = None
    #: The load report of the extracts the cube was built from (rows read and loaded, warnings):
    #: kept with the cached cube, so the run record of a pack describes its snapshot. None for a
    #: cube built from in-memory frames.
    extracts_report: LoadReport | None = field(default=None, repr=False, compare=False)
    #: The force's profile the cube was loaded for (:func:`helpers.measures.cube.load_cube`):
    #: its name, marking and thresholds. None for a cube built in code (the demo force's
    #: settings, ``helpers.config.force_config()``, apply).
    profile: Profile | None = field(default=None, repr=False, compare=False)
    _index: _Index | None = field(default=None, repr=False)
    #: Results worked out from the cube by other modules (:meth:`derived`), kept with it.
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ geography

    @property
    def hierarchy(self) -> Hierarchy:
        """Force → LPA → district, from the reference table of districts (worked out once)."""
        return self.derived(
            ("hierarchy",), lambda: Hierarchy.from_districts(self._reference().districts)
        )

    def geographies(self, include_unassigned: bool = False) -> pd.DataFrame:
        """Return the geographies: ``level, geography, lpa`` (Force, the LPAs, then the districts).

        ``Unassigned`` (records without a district; counted in the force only) is left out unless
        asked for.
        """
        return self.hierarchy.frame(include_unassigned)

    def level_of(self, geography: str) -> str:
        """``force``, ``lpa`` or ``district`` for a geography name; KeyError naming the valid ones."""
        return self.hierarchy.level_of(geography)

    # ------------------------------------------------------------------ values

    def has_measure(self, measure_id: str) -> bool:
        """Whether the cube holds the measure (catalog and derived ids)."""
        return measure_id in self._idx().meta

    def value(self, measure_id: str, window: periods.Window, geography: str = FORCE) -> Value:
        """Return the measure's figure on ``window`` for ``geography``.

        Counts give the numerator; percent 100·num/den; seconds, minutes and days num/den; rate
        1000·num/den; money the numerator (the denominator is the plan).

        Parameters
        ----------
        measure_id
            A catalog id, or a derived id (``disposal_<outcome_type>``, ``savings_requirement``).
        window
            From :func:`helpers.periods.window`.
        geography
            ``Force``, an LPA name, a district name or ``Unassigned``.
        """
        idx = self._idx()
        meta = idx.meta.get(measure_id)
        if meta is None:
            raise KeyError(
                f"measure {measure_id!r} is not in the cube; known: {', '.join(idx.meta)}"
            )
        level = self.level_of(geography)
        if level not in meta["levels"]:
            return _na(f"not available at {level} level")
        if meta["missing"]:
            return _na(f"source extract absent ({', '.join(meta['missing'])})")
        comparable = meta["comparable_from"]
        if comparable is not None and window.start < comparable:
            return _na(f"before comparable date {comparable.strftime('%b %Y')}")
        return idx.window_value(measure_id, meta, window, geography)

    def series(
        self,
        measure_id: str,
        geography: str = FORCE,
        kind: str = "month",
        start: str | pd.Period | None = None,
        end: str | pd.Period | None = None,
    ) -> pd.DataFrame:
        """Return the measure month by month: ``month (Period), numerator, denominator, value``.

        With ``kind='rolling-12m'`` (or ``'fytd'``) each month holds the window ending there. Months
        without data have NaN, never zero. ``start``/``end`` default to the measure's covered range.
        """
        idx = self._idx()
        meta = idx.meta.get(measure_id)
        if meta is None:
            raise KeyError(f"measure {measure_id!r} is not in the cube")
        periods.check_period(kind)
        cov = idx.coverage.get(measure_id)
        if start is None or end is None:
            covered = np.nonzero(cov)[0] if cov is not None else np.array([], dtype=int)
            if covered.size == 0:
                return pd.DataFrame(
                    {
                        "month": pd.PeriodIndex([], freq="M"),
                        "numerator": [],
                        "denominator": [],
                        "value": [],
                    }
                )
            first = pd.Period(ordinal=idx.m0 + int(covered[0]), freq="M")
            last = pd.Period(ordinal=idx.m0 + int(covered[-1]), freq="M")
            start = first if start is None else periods.parse_month(start)
            end = last if end is None else periods.parse_month(end)
        months = pd.period_range(periods.parse_month(start), periods.parse_month(end), freq="M")
        if len(months) and meta["coverage_rule"] != "end":
            # The same figures as value() month by month, read straight from the index's arrays.
            self.level_of(geography)  # a KeyError naming the valid geographies, as value() gives
            num, den, val = idx.window_arrays(measure_id, meta, kind, geography, months)
            return pd.DataFrame(
                {"month": months, "numerator": num, "denominator": den, "value": val}
            )
        out = []
        for m in months:
            v = self.value(measure_id, periods.window(kind, m), geography)
            out.append(
                (
                    m,
                    v.numerator if v.available else np.nan,
                    v.denominator if (v.available and v.denominator is not None) else np.nan,
                    v.value if v.available else np.nan,
                )
            )
        df = pd.DataFrame(out, columns=["month", "numerator", "denominator", "value"])
        df["month"] = pd.PeriodIndex(df["month"], freq="M") if len(df) else df["month"]
        return df

    def never_recorded(self, measure_id: str) -> list[tuple[str, str]]:
        """The ``(extract, column)`` pairs the measure needs that its source never records.

        Non-empty means the measure has no value in any month from this source (e.g. data.police.uk
        does not record domestic abuse): the pages show "No data for this area from this source"
        for it rather than a table of N/A. Empty for an unknown measure id.
        """
        meta = self._idx().meta.get(measure_id)
        if meta is None:
            return []
        return [tuple(k.split(".", 1)) for k in meta["never_recorded"]]

    def ever_counted(self, measure_id: str) -> bool:
        """Whether the measure counts anything in any month anywhere (False for a count that is
        zero throughout, such as an outcome type the source never produces: data.police.uk has
        no "taken into consideration" outcome). Unknown measure ids: False."""
        counted = self.__dict__.get("_ever_counted")
        if counted is None:
            f = self.frame
            nonzero = f.loc[f["numerator"].fillna(0).to_numpy() != 0, "measure_id"]
            counted = self.__dict__["_ever_counted"] = frozenset(nonzero.astype(str).unique())
        return measure_id in counted

    def covered_months(self, measure_id: str) -> list[pd.Period]:
        """The months the measure's sources cover."""
        idx = self._idx()
        cov = idx.coverage.get(measure_id)
        if cov is None:
            return []
        return [pd.Period(ordinal=idx.m0 + int(t), freq="M") for t in np.nonzero(cov)[0]]

    # ------------------------------------------------------------------ Most Similar Group

    @property
    def home_force(self) -> str:
        """The force the report is for (first row of ``msg_forces.csv``)."""
        return self._reference().home_force

    def peer_values(
        self, measure_id: str, window: periods.Window, include_home: bool = True
    ) -> dict[str, float]:
        """Return force → value of the measure on ``window`` for the Most Similar Group.

        :meth:`peer_group`'s ``values`` (without the home force if ``include_home`` is False).
        """
        values = dict(self.peer_group(measure_id, window).values)
        if not include_home:
            values.pop(self.home_force, None)
        return values

    def peer_group(self, measure_id: str, window: periods.Window) -> PeerGroup:
        """The Most Similar Group's figures of the measure on ``window``, and who is left out.

        Peers come from ``msg_peers`` (monthly; a peer missing a month of the window is left out,
        and named with the months it lacks) and from the public-confidence survey (12-month
        periods, taken at the window's end). ``all_crime`` and ``victim_based_crime`` are ranked
        on crimes per 1,000 residents; the home force's rate uses its count over the population
        in ``msg_forces.csv`` (first row). Rates are in percent. No peer figures at all for the
        measure: empty ``values`` (but the home force's) and nobody left out — the measure has
        no MSG comparison, rather than every peer missing.
        """
        ref = self._reference()
        out: dict[str, float] = {}
        left_out: dict[str, tuple[str, ...]] = {}
        label = window.label
        peers = self.peers
        per_1000 = measure_id in PER_1000_RANKED
        group = [str(f) for f in ref.msg_forces["force"] if str(f) != ref.home_force]
        p = peers[peers["measure_id"] == measure_id] if len(peers) else peers
        if len(p):  # the group's forces only: msg_peers may hold every force (the national rank)
            p = p[p["force"].isin(group)]
        if len(p):
            pops = dict(
                zip(ref.msg_forces["force"], ref.msg_forces["population_2016"], strict=False)
            )
            if (p["window"] != "month").any():
                # the same survey period as the home force's figure (the latest published)
                home_value = self.value(measure_id, window)
                end_p = home_value.as_of or window.end
                if not home_value.available:
                    ends = [
                        (window.end - k).strftime("%Y-%m")
                        for k in range(SURVEY_LOOKBACK_MONTHS + 1)
                    ]
                    present = sorted(set(p["month"]) & set(ends))
                    end_p = periods.parse_month(present[-1]) if present else window.end
                end = end_p.strftime("%Y-%m")
                label = f"the survey's 12 months to {end_p.strftime('%b %Y')}"
                sel = p[(p["window"] == window.kind) & (p["month"] == end)]
                for r in sel.itertuples():
                    if r.denominator and r.denominator > 0:
                        out[r.force] = 100.0 * r.numerator / r.denominator
                left_out = {f: () for f in group if f not in out}
            else:
                months = [m.strftime("%Y-%m") for m in window.months]
                sel = p[p["month"].isin(months)]
                for force, g in sel.groupby("force", sort=True):
                    if g["month"].nunique() != len(months):
                        continue
                    num = float(g["numerator"].sum())
                    if per_1000:
                        den = g["denominator"].mean()
                        if pd.isna(den) or den <= 0:
                            den = pops.get(force, np.nan)
                        if pd.notna(den) and den > 0:
                            out[force] = 1000.0 * num / den
                    else:
                        den = float(g["denominator"].sum())
                        if den > 0:
                            out[force] = 100.0 * num / den
                have = sel.groupby("force")["month"].agg(set).to_dict() if len(sel) else {}
                left_out = {
                    f: tuple(m for m in months if m not in have.get(f, set()))
                    for f in group
                    if f not in out
                }
        out.pop(ref.home_force, None)
        home = self.value(measure_id, window)
        if home.available:
            if per_1000 and measure_id != "crimes_per_1000":
                out[ref.home_force] = 1000.0 * home.numerator / ref.home_population
            else:
                out[ref.home_force] = home.value
        return PeerGroup({k: float(v) for k, v in sorted(out.items())}, left_out, label)

    def national_group(self, measure_id: str, window: periods.Window) -> PeerGroup | None:
        """All 43 forces' crimes per 1,000 residents on ``window``, or None unless every force of
        ``data/reference/forces.csv`` has figures (a rank "of 20" is no national rank):
        :func:`helpers.measures.national.national_group`."""
        return _national_group(self, measure_id, window)

    def derived(self, key: tuple, make: Callable[[], object]) -> object:
        """Return ``make()``, worked out once per cube and ``key`` and kept on the cube.

        For results that depend on the whole cube and are asked for many times (disclosure
        control decides every figure of a report month at once): they live on the object they
        derive from, not in a module-level cache, and go when the cube goes.
        """
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]

    # ------------------------------------------------------------------ internals

    def _reference(self) -> Reference:
        if self.reference is None:
            self.reference = Reference.load()
        return self.reference

    def _idx(self) -> _Index:
        if self._index is None:
            self._index = _Index(self)
        return self._index


def _not_recorded(col: str) -> str:
    """``"crimes.domestic_abuse"`` → "the domestic-abuse flag (domestic_abuse) is not recorded in
    crimes": the column as a commander reads it, and its name for the analyst who looks it up."""
    extract, column = col.split(".", 1)
    words = reader_name(extract, column)
    name = f"the {words} ({column})" if words != column else f"the {column}"
    return f"{name} is not recorded in {extract}"


def _uncovered_reason(meta: dict, m: pd.Period) -> str:
    """Why month ``m`` has no value: a column not recorded that month, else no data in the source.

    A month whose look-back (or follow-up) reaches a month with an unrecorded column says which.
    """
    key = m.strftime("%Y-%m")
    for col, months in meta["unrecorded"].items():
        if key in months:
            return f"{_not_recorded(col)} for {m.strftime('%b %Y')}"
    source = meta["sources"][0] if meta["sources"] else "its source"
    note = meta["coverage_note"]
    near = [
        (abs((pd.Period(u, "M") - m).n), u, col)
        for col, months in meta["unrecorded"].items()
        for u in months
    ]
    # the rules that read later months say so ("… the six months after the cohort month")
    forward = "after" in note
    near = [x for x in near if (x[1] > key) == forward and x[1] != key]
    if note and near:
        _, u, col = min(near)
        when = pd.Period(u, "M").strftime("%b %Y")
        note = f"{note}; {_not_recorded(col)} for {when}"
    return f"no data for {m.strftime('%b %Y')} in {source}" + (f" ({note})" if note else "")


class _Index:
    """Dense arrays for fast window sums: (measure, window, geography) × month."""

    def __init__(self, cube: Cube):
        frame = cube.frame
        self.level_of = cube.hierarchy.levels

        ords = _ords_from_str(frame["month"]) if len(frame) else np.array([], dtype=np.int64)
        cov_ords = (
            _ords_from_str(cube.coverage["month"]) if len(cube.coverage) else np.array([], np.int64)
        )
        allo = np.concatenate([ords, cov_ords])
        self.m0 = int(allo.min()) if allo.size else 0
        self.T = int(allo.max()) - self.m0 + 1 if allo.size else 1

        # One row per (measure, window, geography), numbered in order of first appearance: the
        # three columns are numbered apart and combined (no string joined per row of the frame).
        parts = [pd.factorize(frame[c].astype(str)) for c in ("measure_id", "window", "geography")]
        (m, m_names), (w, w_names), (g, g_names) = parts
        n_w, n_g = max(len(w_names), 1), max(len(g_names), 1)
        codes, firsts = pd.factorize((m.astype(np.int64) * n_w + w) * n_g + g)
        uniques = [
            f"{m_names[c // (n_w * n_g)]}\x1f{w_names[(c // n_g) % n_w]}\x1f{g_names[c % n_g]}"
            for c in firsts
        ]
        self.key = {k: i for i, k in enumerate(uniques)}
        self.num = np.full((len(uniques), self.T), np.nan)
        self.den = np.full((len(uniques), self.T), np.nan)
        if len(frame):
            t = ords - self.m0
            self.num[codes, t] = frame["numerator"].to_numpy(float)
            self.den[codes, t] = frame["denominator"].to_numpy(float)

        self.coverage: dict[str, np.ndarray] = {}
        if len(cube.coverage):
            cc, cu = pd.factorize(cube.coverage["measure_id"].astype(str))
            arr = np.zeros((len(cu), self.T), dtype=bool)
            arr[cc, cov_ords - self.m0] = True
            self.coverage = {m: arr[i] for i, m in enumerate(cu)}

        self.meta: dict[str, dict] = {}
        for r in cube.measures.to_dict("records"):
            comp = r.get("comparable_from")
            self.meta[r["measure_id"]] = {
                "unit": r["unit"],
                "den_agg": r["den_agg"],
                "kinds": tuple(json.loads(r["kinds"])),
                "coverage_rule": r["coverage_rule"],
                "levels": tuple(json.loads(r["levels"])),
                "sources": tuple(json.loads(r["sources"])),
                "missing": tuple(json.loads(r["missing"])),
                "coverage_note": r.get("coverage_note") or "",
                "unrecorded": {
                    k: set(v) for k, v in json.loads(r.get("unrecorded") or "{}").items()
                },
                "never_recorded": tuple(json.loads(r.get("never_recorded") or "[]")),
                "comparable_from": (
                    periods.parse_month(comp) if isinstance(comp, str) and comp else None
                ),
            }

    def _survey_end(self, measure_id, window) -> int | None:
        """Month index of the latest survey period end at or shortly before the window's end."""
        cov = self.coverage.get(measure_id)
        t1 = window.end.ordinal - self.m0
        for t in range(t1, t1 - SURVEY_LOOKBACK_MONTHS - 1, -1):
            if cov is not None and 0 <= t < self.T and cov[t]:
                return t
        return None

    def _uncovered(self, measure_id, meta, window) -> str | None:
        cov = self.coverage.get(measure_id)
        if meta["coverage_rule"] == "end":
            if self._survey_end(measure_id, window) is not None:
                return None
            source = meta["sources"][0] if meta["sources"] else "its source"
            return (
                f"no data for {window.end.strftime('%b %Y')} in {source} (no survey period "
                f"ends in the {SURVEY_LOOKBACK_MONTHS + 1} months to it)"
            )
        t0, t1 = window.start.ordinal - self.m0, window.end.ordinal - self.m0
        if cov is not None and t0 >= 0 and t1 < self.T and cov[t0 : t1 + 1].all():
            return None  # the usual case, without a list of the window's months
        for m in window.months:
            t = m.ordinal - self.m0
            if cov is None or t < 0 or t >= self.T or not cov[t]:
                return _uncovered_reason(meta, m)
        return None

    def window_arrays(self, measure_id, meta, kind, geography, months: pd.PeriodIndex):
        """``numerator, denominator, value`` arrays of the ``kind`` windows ending in ``months``.

        What :meth:`Cube.value` gives window by window (NaN where it is not available), for a
        measure whose coverage is by month (``coverage_rule`` other than ``end``): the same checks
        in the same order and the same arithmetic on the same slices, without a ``Window``, a
        ``Value`` or a month list per window.
        """
        n = len(months)
        nan = np.full(n, np.nan)
        if self.level_of[geography] not in meta["levels"] or meta["missing"]:
            return nan, nan.copy(), nan.copy()
        ends = np.asarray(months.asi8, dtype=np.int64)
        if kind == "month":
            starts = ends
        elif kind == "rolling-12m":
            starts = ends - 11
        else:
            starts = np.array([periods.window(kind, m).start.ordinal for m in months], np.int64)
        ok = np.ones(n, dtype=bool)
        comparable = meta["comparable_from"]
        if comparable is not None:
            ok &= starts >= comparable.ordinal
        # every month of the window covered (a month outside the index is not)
        cov = self.coverage.get(measure_id)
        t0, t1 = starts - self.m0, ends - self.m0
        if cov is None:
            ok[:] = False
        else:
            covered = np.concatenate([[0], np.cumsum(cov, dtype=np.int64)])
            inside = (t0 >= 0) & (t1 < self.T)
            a, b = np.clip(t0, 0, self.T), np.clip(t1 + 1, 0, self.T)
            ok &= inside & (covered[b] - covered[a] == t1 - t0 + 1)
        num, den = np.full(n, np.nan), np.full(n, np.nan)
        kinds = meta["kinds"]
        if kind in kinds and kinds != ("month",):
            k = self.key.get(f"{measure_id}\x1f{kind}\x1f{geography}")
            if k is None:
                num[ok] = 0.0
            else:
                num[ok], den[ok] = self.num[k, t1[ok]], self.den[k, t1[ok]]
        elif "month" in kinds:
            k = self.key.get(f"{measure_id}\x1fmonth\x1f{geography}")
            if k is None:
                num[ok] = 0.0
            elif kind == "month":
                nums, dens = self.num[k, t1[ok]], self.den[k, t1[ok]]
                num[ok] = np.where(np.isnan(nums), 0.0, nums)  # nansum of one month
                den[ok] = dens  # its mean or sum, NaN when NaN
            else:
                for i in np.flatnonzero(ok):
                    nums = self.num[k, t0[i] : t1[i] + 1]
                    dens = self.den[k, t0[i] : t1[i] + 1]
                    num[i] = float(np.nansum(nums))
                    if np.isnan(dens).all():
                        den[i] = np.nan
                    elif meta["den_agg"] == "mean":
                        den[i] = float(np.nanmean(dens))
                    else:
                        den[i] = float(np.nansum(dens))
        else:
            ok[:] = False  # not computed for this kind of window
        ok &= ~np.isnan(num)  # no figure for the window's end (a precomputed window)
        unit = meta["unit"]
        if unit in ("count", "money"):
            val = num.copy()
        else:
            ok &= ~np.isnan(den) & (den != 0)  # zero denominator: not available
            scale = {"percent": 100.0, "rate": 1000.0}.get(unit, 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                val = scale * num / den
        num[~ok], den[~ok], val[~ok] = np.nan, np.nan, np.nan
        return num, den, val

    def window_value(self, measure_id, meta, window, geography) -> Value:
        reason = self._uncovered(measure_id, meta, window)
        if reason:
            return _na(reason)
        t0, t1 = window.start.ordinal - self.m0, window.end.ordinal - self.m0
        as_of = None
        if meta["coverage_rule"] == "end":
            t_end = self._survey_end(measure_id, window)
            if t_end != t1:
                as_of = pd.Period(ordinal=self.m0 + t_end, freq="M")
                t1 = t_end
        if window.kind in meta["kinds"] and meta["kinds"] != ("month",):
            k = self.key.get(f"{measure_id}\x1f{window.kind}\x1f{geography}")
            num = 0.0 if k is None else self.num[k, t1]
            den = np.nan if k is None else self.den[k, t1]
            if k is not None and np.isnan(num):
                return _na(f"no {window.kind} figure for {window.end.strftime('%b %Y')}")
        elif "month" in meta["kinds"]:
            k = self.key.get(f"{measure_id}\x1fmonth\x1f{geography}")
            if k is None:
                num, den = 0.0, np.nan
            else:
                nums = self.num[k, t0 : t1 + 1]
                dens = self.den[k, t0 : t1 + 1]
                num = float(np.nansum(nums))
                if np.isnan(dens).all():
                    den = np.nan
                elif meta["den_agg"] == "mean":
                    den = float(np.nanmean(dens))
                else:
                    den = float(np.nansum(dens))
        else:
            return _na(f"not computed for a {periods.PERIOD_LABELS[window.kind].lower()} window")
        out = _compute(meta["unit"], float(num), None if np.isnan(den) else float(den))
        return replace(out, as_of=as_of) if as_of is not None and out.available else out


def _ords_from_str(s: pd.Series) -> np.ndarray:
    # A cube has ~100 distinct months over ~100,000 rows: parse each distinct one once.
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    u = pd.Series(uniques).astype(str)
    ords = (u.str[:4].astype(np.int64) - 1970) * 12 + u.str[5:7].astype(np.int64) - 1
    return ords.to_numpy()[codes]
