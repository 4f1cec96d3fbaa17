"""The monthly measure cube: measure × month × geography → numerator, denominator.

Every catalog measure names a *builder*: a named query of ``helpers/measures/*.sql`` that defines
it, run by :mod:`helpers.measures.runner` over the extracts held in DuckDB. A builder gives, for
each month, the numerator and denominator of the measure in each district (or for the force only,
for force-wide sources such as call handling). The cube then adds districts up to Local Policing
Areas and the force. A record whose district is unknown is counted in the district ``Unassigned``,
which belongs to no LPA but is part of the force total, so for every additive measure
*force = sum of districts + Unassigned*.

Windows
    Most measures are additive over months: the cube keeps one row per month (``window='month'``)
    and a window's value is the sum of its months (numerators, and denominators, except for
    ``days_lost`` and ``crimes_per_1000`` whose denominators — strength, population — are averaged).
    A measure that is not additive over months (distinct victims with two or more crimes *in the
    window*) is precomputed for each window kind at every end month (``window='fytd'``,
    ``'rolling-12m'``, ``'month'``). Survey results arrive already aggregated over 12 months and are
    kept at their period end (``window='rolling-12m'``).

Coverage
    A month is covered for a measure when its source extract has records in that month *and* every
    column the measure's builder filters or groups on is recorded that month — not empty on every
    row: the flag (``domestic_abuse``, ``night_time_economy`` …), ``da_risk_level``, ``victim_id``
    for repeat-victim measures, the incident ``grade`` and ``urban_rural``, offender links for
    re-offending — and, where the rule looks back or forward (365-day repeats, six-month
    re-offending), the same holds in the months the rule reads. A window with an uncovered month has
    no value: :meth:`Cube.value` returns ``available=False`` with the reason ("domestic_abuse is not
    recorded in crimes for Nov 2014"), never a zero. :meth:`Cube.never_recorded` names the columns
    a measure needs that its source never records.

Cache
    :func:`load_cube` builds the cube once and keeps it under ``<data_dir>/.cache/`` keyed by a
    fingerprint of the *content* of the extract files, the catalog, the measure definitions, the
    reference tables and the code that reads and builds (:func:`fingerprint`). Each cached file's checksum is recorded with
    it and checked on every read: an edited or half-written cache is rebuilt, never used. A pack
    loads its run's snapshot by fingerprint (``load_cube(data_dir, fingerprint=…)``) without
    reading the extracts, and the most recently used few cubes are kept so a data change during a
    run never deletes the snapshot its notebooks are reading. The cube carries the load report of
    the extracts it was built from (:attr:`Cube.extracts_report`).

Examples
--------
>>> cube = load_cube("data/demo")                                          # doctest: +SKIP
>>> cube.value("all_crime", periods.window("rolling-12m", "2016-09")).value  # doctest: +SKIP
115146.0
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import threading
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import catalog as catalog_mod
from . import loading, periods
from .config import CACHE_DIR, REFERENCE_DIR, resolve_path
from .contract import EXTRACTS
from .loading import LoadReport, display_name, latest_accepted
from .loading import fingerprint as extracts_fingerprint
from .measures import runner
from .measures.runner import BUILDERS, CubeError, Part

UNASSIGNED = "Unassigned"
FORCE = "Force"
WINDOW_KINDS = ("fytd", "rolling-12m", "month")
#: Survey periods are published quarterly: a window ending between two period ends reads the
#: latest period ending at most this many months before the window's end.
SURVEY_LOOKBACK_MONTHS = 2
CACHE_DIR_NAME = ".cache"
#: Measures ranked in the Most Similar Group on crimes per 1,000 residents rather than on the count.
PER_1000_RANKED = ("all_crime", "victim_based_crime", "crimes_per_1000")
# --------------------------------------------------------------------------- public results


@dataclass(frozen=True)
class Value:
    """A measure's figure for one window and geography.

    ``value`` is None whenever ``available`` is False; ``reason`` then says why (no data for a
    month, not available at the level, before the comparable date, source extract absent, zero
    denominator).
    """

    numerator: float | None
    denominator: float | None
    value: float | None
    available: bool
    reason: str = ""
    #: For survey results published for periods (quarterly): the period end actually read, when it
    #: is earlier than the window's end (the latest published); None otherwise.
    as_of: pd.Period | None = None


@dataclass(frozen=True)
class Reference:
    """The reference tables the cube needs: districts (with LPA and population) and the MSG forces."""

    districts: pd.DataFrame
    msg_forces: pd.DataFrame

    @classmethod
    def load(cls, reference_dir: Path = REFERENCE_DIR) -> Reference:
        """Read ``districts.csv`` and ``msg_forces.csv`` from ``reference_dir``."""
        return cls(
            pd.read_csv(reference_dir / "districts.csv"),
            pd.read_csv(reference_dir / "msg_forces.csv"),
        )

    @property
    def home_force(self) -> str:
        """The force the report is for: the first row of ``msg_forces.csv``."""
        return str(self.msg_forces["force"].iloc[0])

    @property
    def home_population(self) -> float:
        """The home force's population (``msg_forces.csv``), for its MSG crime rate."""
        return float(self.msg_forces["population_2016"].iloc[0])


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
    _index: _Index | None = field(default=None, repr=False)
    #: Results worked out from the cube by other modules (:meth:`derived`), kept with it.
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ geography

    def geographies(self, include_unassigned: bool = False) -> pd.DataFrame:
        """Return the geographies: ``level, geography, lpa`` (Force, the LPAs, then the districts).

        ``Unassigned`` (records without a district; counted in the force only) is left out unless
        asked for.
        """
        ref = self._reference()
        d = ref.districts.sort_values(["lpa", "district"])
        rows = [("force", FORCE, None)]
        rows += [("lpa", lpa, lpa) for lpa in sorted(d["lpa"].unique())]
        rows += [("district", r.district, r.lpa) for r in d.itertuples()]
        if include_unassigned:
            rows.append(("district", UNASSIGNED, None))
        return pd.DataFrame(rows, columns=["level", "geography", "lpa"])

    def level_of(self, geography: str) -> str:
        """``force``, ``lpa`` or ``district`` for a geography name; KeyError naming the valid ones."""
        idx = self._idx()
        try:
            return idx.level_of[geography]
        except KeyError:
            raise KeyError(
                f"unknown geography {geography!r}; valid: {', '.join(idx.level_of)}"
            ) from None

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

        Peers come from ``msg_peers`` (monthly; a peer missing a month of the window is left out)
        and from the public-confidence survey (12-month periods, taken at the window's end).
        ``all_crime`` and ``victim_based_crime`` are ranked on crimes per 1,000 residents; the home
        force's rate uses its count over the population in ``msg_forces.csv`` (first row). Rates
        are in percent. The home force is included unless ``include_home`` is False; an empty dict
        (or one holding only the home force) means there are no peer figures for the window.
        """
        ref = self._reference()
        out: dict[str, float] = {}
        peers = self.peers
        per_1000 = measure_id in PER_1000_RANKED
        if len(peers):
            p = peers[peers["measure_id"] == measure_id]
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
                    sel = p[(p["window"] == window.kind) & (p["month"] == end)]
                    for r in sel.itertuples():
                        if r.denominator and r.denominator > 0:
                            out[r.force] = 100.0 * r.numerator / r.denominator
                else:
                    months = {m.strftime("%Y-%m") for m in window.months}
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
        out.pop(ref.home_force, None)
        if include_home:
            home = self.value(measure_id, window)
            if home.available:
                if per_1000 and measure_id != "crimes_per_1000":
                    out[ref.home_force] = 1000.0 * home.numerator / ref.home_population
                else:
                    out[ref.home_force] = home.value
        return {k: float(v) for k, v in sorted(out.items())}

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


def _na(reason: str, num=None, den=None) -> Value:
    return Value(num, den, None, False, reason)


def _uncovered_reason(meta: dict, m: pd.Period) -> str:
    """Why month ``m`` has no value: a column not recorded that month, else no data in the source.

    A month whose look-back (or follow-up) reaches a month with an unrecorded column says which.
    """
    key = m.strftime("%Y-%m")
    for col, months in meta["unrecorded"].items():
        if key in months:
            extract, column = col.split(".", 1)
            return f"{column} is not recorded in {extract} for {m.strftime('%b %Y')}"
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
        extract, column = col.split(".", 1)
        when = pd.Period(u, "M").strftime("%b %Y")
        note = f"{note}; {column} is not recorded in {extract} for {when}"
    return f"no data for {m.strftime('%b %Y')} in {source}" + (f" ({note})" if note else "")


class _Index:
    """Dense arrays for fast window sums: (measure, window, geography) × month."""

    def __init__(self, cube: Cube):
        frame = cube.frame
        ref = cube._reference()
        self.level_of = {FORCE: "force"}
        for lpa in sorted(ref.districts["lpa"].unique()):
            self.level_of[lpa] = "lpa"
        for d in ref.districts["district"]:
            self.level_of[d] = "district"
        self.level_of[UNASSIGNED] = "district"

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


def _compute(unit: str, num: float, den: float | None) -> Value:
    if unit == "count":
        return Value(num, den, num, True)
    if unit == "money":
        return Value(num, den, num, True)
    if den is None or den == 0:
        return _na("zero denominator (nothing to divide by in the window)", num, den)
    scale = {"percent": 100.0, "rate": 1000.0}.get(unit, 1.0)
    return Value(num, den, scale * num / den, True)


def _ords_from_str(s: pd.Series) -> np.ndarray:
    # A cube has ~100 distinct months over ~100,000 rows: parse each distinct one once.
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    u = pd.Series(uniques).astype(str)
    ords = (u.str[:4].astype(np.int64) - 1970) * 12 + u.str[5:7].astype(np.int64) - 1
    return ords.to_numpy()[codes]


# --------------------------------------------------------------------------- building

#: Extracts each builder reads (its SQL's ``-- sources:``; repeat_da_victims: its ``source``).
BUILDER_SOURCES = {
    name: tuple(s for s in b.sources if not s.startswith("$"))
    for name, b in catalog_mod.builders().items()
}


def _as_reference(reference) -> Reference:
    if reference is None:
        return Reference.load()
    if isinstance(reference, dict):
        return Reference(reference["districts"], reference["msg_forces"])
    if isinstance(reference, str | os.PathLike):
        return Reference.load(Path(reference))
    return reference


def build_cube(
    extracts: dict[str, pd.DataFrame] | str | os.PathLike,
    reference: Reference | dict | str | os.PathLike | None = None,
    measures: list[catalog_mod.Measure] | None = None,
    *,
    report: LoadReport | None = None,
) -> Cube:
    """Build the cube from an extract folder (read and checked in place) or from frames.

    Parameters
    ----------
    extracts
        The extract folder (:func:`load_cube` builds from it and caches), or extract name →
        DataFrame (as :func:`helpers.loading.load_extracts` returns, or built in code: nothing is
        checked, a missing column is empty). Absent extracts are allowed: their measures have no
        coverage and read "source extract absent".
    reference
        District and MSG reference tables: a :class:`Reference`, a dict with ``districts`` and
        ``msg_forces`` frames, or a folder holding the two CSV files; the committed ones when None.
    measures
        The catalog measures to build (all of them when None).
    report
        For a folder: a :class:`helpers.loading.LoadReport` to fill.

    Returns
    -------
    Cube

    Raises
    ------
    helpers.loading.DataValidationError
        A file of the folder breaks the data contract.
    """
    reference = _as_reference(reference)
    if isinstance(extracts, str | os.PathLike):
        with loading.connect(reference=(reference.districts, reference.msg_forces)) as con:
            profiles = loading.read_extracts(con, extracts, report=report)
            return _build(con, profiles, reference, measures)
    frames = {k: v for k, v in extracts.items() if v is not None and k in EXTRACTS}
    with loading.connect(reference=(reference.districts, reference.msg_forces)) as con:
        loading.register_frames(con, frames)
        profiles = {n: loading.month_profile(con, n) for n in frames}
        return _build(con, profiles, reference, measures)


def _build(con, profiles: dict, reference: Reference, measures) -> Cube:
    """Run every measure's SQL over the extracts in ``con``; add districts up to LPAs and force."""
    measures = list(catalog_mod.load_catalog()) if measures is None else list(measures)
    run = runner.Run(con, profiles, reference)
    geo_names = [*run.districts, UNASSIGNED]
    lpa_of = dict(
        zip(
            reference.districts["district"].astype(str),
            reference.districts["lpa"].astype(str),
            strict=True,
        )
    )
    lpas = sorted(set(lpa_of.values()))
    lpa_matrix = np.zeros((run.G, len(lpas)))
    for i, d in enumerate(run.districts):
        lpa_matrix[i, lpas.index(lpa_of[d])] = 1.0
    cols: dict[str, list] = {
        k: [] for k in ("measure_id", "window", "t", "level", "geography", "num", "den")
    }
    cov_rows: list[tuple[str, np.ndarray]] = []
    meta_rows = []

    def emit(mid, kind, level, names, num, den, covered_t):
        # num/den: [T, n] arrays; keep covered months only
        n, k = num.shape[1], covered_t.size
        cols["measure_id"].append(np.full(k * n, mid, dtype=object))
        cols["window"].append(np.full(k * n, kind, dtype=object))
        cols["t"].append(np.repeat(covered_t, n))
        cols["level"].append(np.full(k * n, level, dtype=object))
        cols["geography"].append(np.tile(np.asarray(names, dtype=object), k))
        cols["num"].append(num[covered_t].reshape(-1))
        cols["den"].append(np.full(k * n, np.nan) if den is None else den[covered_t].reshape(-1))

    for m in measures:
        if m.builder not in BUILDERS:
            raise CubeError(
                f"catalog measure {m.id!r}: builder {m.builder!r} has no runner; known: {', '.join(sorted(BUILDERS))}"
            )
        run.asked = []
        try:
            run.need(*runner.sources(m))
            parts = BUILDERS[m.builder](run, m)
        except runner.Absent as exc:
            missing = tuple(s for s in runner.sources(m) if s not in run.present) or (exc.name,)
            meta_rows.append(
                _meta_row(
                    m.id,
                    m.unit,
                    m,
                    "sum",
                    ("month",),
                    "window",
                    m.levels,
                    runner.sources(m),
                    missing,
                    "",
                )
            )
            continue
        unrecorded, never = run.unrecorded()
        for mid, part in parts.items():
            levels = tuple(lv for lv in m.levels if part.district_level or lv == "force")
            covered_t = np.nonzero(part.covered)[0]
            for kind in part.num:
                num = part.num[kind]
                den = None if part.den is None else part.den[kind]
                if part.district_level:
                    if "district" in levels:
                        emit(mid, kind, "district", geo_names, num, den, covered_t)
                    if "lpa" in levels:
                        emit(
                            mid,
                            kind,
                            "lpa",
                            lpas,
                            num @ lpa_matrix,
                            None if den is None else den @ lpa_matrix,
                            covered_t,
                        )
                    fnum = num.sum(axis=1, keepdims=True)
                    fden = None if den is None else den.sum(axis=1, keepdims=True)
                else:
                    fnum, fden = num, den
                emit(mid, kind, "force", [FORCE], fnum, fden, covered_t)
            cov_rows.append((mid, covered_t))
            meta_rows.append(
                _meta_row(
                    mid,
                    part.unit or m.unit,
                    m,
                    part.den_agg,
                    tuple(part.num),
                    part.coverage_rule,
                    levels,
                    part.sources,
                    (),
                    part.coverage_note,
                    unrecorded,
                    never,
                )
            )
    t = np.concatenate(cols["t"]) if cols["t"] else np.array([], dtype=np.int64)
    frame = pd.DataFrame(
        {
            "measure_id": np.concatenate(cols["measure_id"])
            if cols["t"]
            else np.array([], dtype=object),
            "window": np.concatenate(cols["window"]) if cols["t"] else np.array([], dtype=object),
            "month": _labels(t + run.m0),
            "level": np.concatenate(cols["level"]) if cols["t"] else np.array([], dtype=object),
            "geography": np.concatenate(cols["geography"])
            if cols["t"]
            else np.array([], dtype=object),
            "numerator": np.concatenate(cols["num"]).astype(float)
            if cols["t"]
            else np.array([], float),
            "denominator": np.concatenate(cols["den"]).astype(float)
            if cols["t"]
            else np.array([], float),
        }
    )
    cov_t = np.concatenate([ct for _, ct in cov_rows]) if cov_rows else np.array([], np.int64)
    coverage = pd.DataFrame(
        {
            "measure_id": np.concatenate(
                [np.full(ct.size, mid, dtype=object) for mid, ct in cov_rows]
            )
            if cov_rows
            else np.array([], dtype=object),
            "month": _labels(cov_t + run.m0).astype(str),
        }
    )
    data_to = {n: pd.Period(p["mon"].max(), freq="M") for n, p in run.profiles.items()}
    return Cube(
        frame=frame,
        coverage=coverage,
        data_to=data_to,
        fingerprint="",
        peers=runner.peers(run),
        measures=pd.DataFrame(meta_rows),
        reference=reference,
    )


def _labels(ords: np.ndarray) -> np.ndarray:
    """``YYYY-MM`` of month ordinals (months since January 1970)."""
    return np.datetime_as_string(np.asarray(ords, dtype="datetime64[M]"), unit="M")


def _meta_row(
    mid,
    unit,
    m,
    den_agg,
    kinds,
    coverage_rule,
    levels,
    sources,
    missing,
    note,
    unrec=None,
    never=(),
):
    return {
        "measure_id": mid,
        "unit": unit,
        "den_agg": den_agg,
        "kinds": json.dumps(list(kinds)),
        "coverage_rule": coverage_rule,
        "levels": json.dumps(list(levels)),
        "sources": json.dumps(list(sources)),
        "missing": json.dumps(list(missing)),
        "coverage_note": note,
        "comparable_from": m.comparable_from.strftime("%Y-%m") if m.comparable_from else "",
        "unrecorded": json.dumps(unrec or {}, sort_keys=True),
        "never_recorded": json.dumps(list(never)),
    }


# --------------------------------------------------------------------------- cache


#: Cached cubes kept per data folder: the newest by last use. A pack's notebooks load their run's
#: snapshot by fingerprint while the folder may change; keeping a few means a new cube written
#: meanwhile (or two) never deletes the one they are reading.
KEEP_CACHED = 3
_CACHE_TABLES = ("frame", "coverage", "peers", "measures")
#: The code whose change can change a cube's numbers: the builders, how extracts are read and
#: checked, and how the catalog is parsed.
_CUBE_CODE = ("cube.py", "loading.py", "contract.py", "catalog.py")


class _CacheInvalid(Exception):
    """A cached cube that must not be used (absent, edited, incomplete, or no longer valid)."""


def fingerprint(data_dir) -> str:
    """Return the sha256 of a cube's inputs, by content.

    The inputs are the bytes of the extract files (:func:`helpers.loading.fingerprint`: a
    correction keeping the file's size and modification time still changes it), the catalog, the
    reference tables and the code that reads extracts and builds the cube.
    """
    h = hashlib.sha256(extracts_fingerprint(resolve_path(data_dir)).encode())
    h.update(catalog_mod.CATALOG_FILE.read_bytes())
    code = [Path(__file__).with_name(module) for module in _CUBE_CODE]
    code += sorted(catalog_mod.SQL_DIR.glob("*.sql")) + [catalog_mod.SQL_DIR / "runner.py"]
    for p in code:
        h.update(p.read_bytes())
    for ref in ("districts.csv", "msg_forces.csv"):
        p = REFERENCE_DIR / ref
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def _cache_dirs(data_dir: Path) -> tuple[Path, Path]:
    """Where a folder's cubes are cached: its own ``.cache/``, or, for a folder that cannot be
    written (a read-only share), a subfolder of the project's ``.cache/cubes/`` named after it."""
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return data_dir / CACHE_DIR_NAME, CACHE_DIR / "cubes" / key


def _cache_paths(data_dir: Path, fp: str, base: Path | None = None) -> dict[str, Path]:
    """The files of the cached cube ``fp``: in ``base``, else where its record is (own first)."""
    if base is None:
        own, shared = _cache_dirs(data_dir)
        found = not (own / f"cube-{fp}.json").exists() and (shared / f"cube-{fp}.json").exists()
        base = shared if found else own
    return {
        "frame": base / f"cube-{fp}.parquet",
        "coverage": base / f"cube-{fp}-coverage.parquet",
        "peers": base / f"cube-{fp}-peers.parquet",
        "measures": base / f"cube-{fp}-measures.parquet",
        "meta": base / f"cube-{fp}.json",
    }


def load_cube(data_dir=None, fingerprint: str | None = None, *, rebuild: bool = False) -> Cube:
    """Return the cube for a data folder, built once and cached under ``<data_dir>/.cache/``.

    The cache is keyed by the content of the inputs (:func:`fingerprint`) and checked before use:
    each cached file must match the checksum recorded when it was written, and the folder's files
    must still accept their dates (a file whose modification time was set back before its own
    records fails validation). A cache that does not check out is rebuilt, with a warning; it is
    never used.

    Parameters
    ----------
    data_dir
        The extract folder (relative paths from the project root; the demo data when None).
    fingerprint
        Load exactly the cached cube of this fingerprint (a pack's snapshot, ``cube.fingerprint``
        of the cube its run built), verified, without reading or hashing the extracts: every
        notebook of a run then shows the same data, even if the folder changes meanwhile.
    rebuild
        Build even if a cached cube with the same fingerprint exists.

    Raises
    ------
    CubeError
        With ``fingerprint``: no cached cube of that fingerprint, or it does not verify. Without:
        the extract files changed while they were being read.
    helpers.loading.DataValidationError
        An extract breaks the data contract.

    Examples
    --------
    >>> cube = load_cube("data/demo")                              # doctest: +SKIP
    >>> cube.data_to["crimes"]                                     # doctest: +SKIP
    Period('2016-09', 'M')
    >>> load_cube("data/demo", fingerprint=cube.fingerprint).data_to == cube.data_to  # doctest: +SKIP
    True
    """
    d = resolve_path(data_dir)
    if fingerprint is not None:
        if rebuild:
            raise ValueError("load_cube: a snapshot (fingerprint) is read, never rebuilt")
        if not re.fullmatch(r"[0-9a-f]{64}", fingerprint):
            raise CubeError(f"{fingerprint!r} is not a data fingerprint (64 hexadecimal digits)")
        paths = _cache_paths(d, fingerprint)
        try:
            return _read_cache(paths, fingerprint)[0]
        except _CacheInvalid as exc:
            raise CubeError(
                f"{display_name(paths['meta'])}: the cube of data fingerprint {fingerprint[:12]}… "
                f"cannot be used: {exc}. Run the pack again to build it from the data as it is now."
            ) from None
    fp = _fingerprint(d)
    paths = _cache_paths(d, fp)
    if not rebuild and paths["meta"].exists():
        try:
            cube, body = _read_cache(paths, fp)
            _check_dates_still_accepted(d, body)
            return cube
        except _CacheInvalid as exc:  # an edited, incomplete or outdated cache is rebuilt
            warnings.warn(
                f"cube cache {display_name(paths['meta'])} not used ({exc}); rebuilding",
                stacklevel=2,
            )
    report = LoadReport()
    cube = build_cube(d, Reference.load(), report=report)
    if _fingerprint(d) != fp:
        # The cube may mix files from before and after the change: neither cache nor return it.
        raise CubeError(
            f"{display_name(d)}: the extract files changed while they were being read; run again "
            "once the folder is complete"
        )
    cube.fingerprint = fp
    cube.extracts_report = report
    latest = {Path(r.file).name: r.latest_date for r in report.extracts.values() if r.latest_date}
    _write_cache(cube, d, latest)
    return cube


def _fingerprint(d: Path) -> str:
    # load_cube's parameter ``fingerprint`` hides the module function of that name there
    return fingerprint(d)


def _check_dates_still_accepted(d: Path, body: dict) -> None:
    """Refuse a cache whose files would no longer pass validation: the content is the same (the
    fingerprint says so), but a file's modification time may have been set before its records."""
    for file_name, latest in body["latest_dates"].items():
        try:
            limit, _ = latest_accepted(d / file_name)
        except OSError as exc:
            raise _CacheInvalid(f"{file_name} cannot be read ({exc.strerror})") from None
        if pd.Timestamp(latest) > pd.Timestamp(limit):
            raise _CacheInvalid(f"{file_name} now holds dates after the file's own date")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _read_cache(paths: dict[str, Path], fp: str) -> tuple[Cube, dict]:
    """Read a cached cube and its record, every file checked against the checksum recorded.

    Each file is read once into memory, checked, and parsed from those very bytes, so what is
    checked is what is used even if another process rewrites the file meanwhile.
    """
    try:
        meta = json.loads(paths["meta"].read_bytes())
        body = meta["body"]
        if _digest(_canonical(body)) != meta["checksum"]:
            raise _CacheInvalid("its record does not match its checksum (edited?)")
        if body["fingerprint"] != fp:
            raise _CacheInvalid("its record is of another fingerprint")
        tables = {}
        for key in _CACHE_TABLES:
            data = paths[key].read_bytes()
            if _digest(data) != body["files"][key]:
                raise _CacheInvalid(f"{paths[key].name} does not match its checksum (edited?)")
            tables[key] = pd.read_parquet(io.BytesIO(data))
        report = body.get("extracts_report")
        cube = Cube(
            frame=tables["frame"],
            coverage=tables["coverage"],
            data_to={k: periods.parse_month(v) for k, v in body["data_to"].items()},
            fingerprint=fp,
            peers=tables["peers"],
            measures=tables["measures"],
            reference=Reference.load(),
            extracts_report=None if report is None else LoadReport.from_record(report),
        )
    except FileNotFoundError as exc:
        raise _CacheInvalid(f"{Path(exc.filename).name} is missing") from None
    except _CacheInvalid:
        raise
    except Exception as exc:  # unreadable JSON or parquet, a key missing: never trusted
        raise _CacheInvalid(f"unreadable ({type(exc).__name__}: {exc})") from None
    with contextlib.suppress(OSError):  # last use, for keeping the most recently used few
        os.utime(paths["meta"])
    return cube, body


def _write_cache(cube: Cube, data_dir: Path, latest_dates: dict[str, str]) -> None:
    """Cache the cube in the folder (else in the project's cache); a warning if neither works."""
    failures = []
    for base in _cache_dirs(data_dir):
        try:
            _write_cache_in(cube, _cache_paths(data_dir, cube.fingerprint, base), latest_dates)
            return
        except OSError as exc:
            failures.append(f"{display_name(base)}: {exc.strerror or exc}")
    warnings.warn(f"could not cache the cube ({'; '.join(failures)}); not cached", stacklevel=3)


def _write_cache_in(cube: Cube, paths: dict[str, Path], latest_dates: dict[str, str]) -> None:
    """Write the cube's tables, then its record (checksums of each table, and of the record)."""
    base = paths["meta"].parent
    tag = f".{os.getpid()}-{threading.get_ident()}.tmp"  # two writers never share a temporary
    base.mkdir(parents=True, exist_ok=True)
    try:
        files = {}
        for key in _CACHE_TABLES:
            tmp = paths[key].with_name(paths[key].name + tag)
            getattr(cube, key).to_parquet(tmp, index=False)
            files[key] = _digest(tmp.read_bytes())
            os.replace(tmp, paths[key])
        report = cube.extracts_report
        body = {
            "fingerprint": cube.fingerprint,
            "data_to": {k: v.strftime("%Y-%m") for k, v in cube.data_to.items()},
            "files": files,
            "latest_dates": latest_dates,
            "extracts_report": None if report is None else asdict(report),
        }
        tmp = paths["meta"].with_name(paths["meta"].name + tag)
        record = {"body": body, "checksum": _digest(_canonical(body))}
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, paths["meta"])  # written last: its presence marks a complete cache
    except OSError:
        for left in base.glob(f"cube-*{tag}"):  # a full disk leaves no half-written temporary
            left.unlink(missing_ok=True)
        raise
    _prune_cache(base, keep=cube.fingerprint)


def _prune_cache(base: Path, keep: str) -> None:
    """Delete all but the :data:`KEEP_CACHED` most recently used cubes (and ``keep``)."""
    entries: dict[str, list[Path]] = {}
    for p in base.glob("cube-*"):
        fp = p.name[len("cube-") :].split(".")[0].split("-")[0]
        entries.setdefault(fp, []).append(p)

    def last_used(fp: str) -> float:
        times = []
        for p in entries[fp]:
            with contextlib.suppress(OSError):
                times.append(p.stat().st_mtime)
        return max(times, default=0.0)

    newest = sorted(entries, key=last_used, reverse=True)
    for fp in newest[KEEP_CACHED:]:
        if fp != keep:
            for p in entries[fp]:
                p.unlink(missing_ok=True)


__all__ = [
    "BUILDERS",
    "Cube",
    "CubeError",
    "FORCE",
    "Part",
    "Reference",
    "UNASSIGNED",
    "Value",
    "build_cube",
    "fingerprint",
    "load_cube",
]
