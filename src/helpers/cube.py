"""The monthly measure cube: measure × month × geography → numerator, denominator.

Every catalog measure names a *builder* (a function registered in :data:`BUILDERS`). A builder reads
the record-level extracts and returns, for each month, the numerator and denominator of the measure
in each district (or for the force only, for force-wide sources such as call handling). The cube then
adds districts up to Local Policing Areas and the force. A record whose district is unknown is
counted in the district ``Unassigned``, which belongs to no LPA but is part of the force total, so
for every additive measure *force = sum of districts + Unassigned*.

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
    recorded in crimes for Nov 2014"), never a zero. A source such as data.police.uk leaves the
    flags it does not know empty (see :mod:`helpers.contract`); a flag empty on only some rows of a
    month counts those rows as not flagged (the load report counts them).
    :meth:`Cube.never_recorded` names the columns a measure needs that its source never records.

Cache
    :func:`load_cube` builds the cube once and keeps it under ``<data_dir>/.cache/`` keyed by a
    fingerprint of the *content* of the extract files, the catalog, the reference tables and the
    code that reads and builds (:func:`fingerprint`). Each cached file's checksum is recorded with
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import catalog as catalog_mod
from . import periods
from .config import CACHE_DIR, REFERENCE_DIR, resolve_path
from .contract import DA_RISK_LEVELS, EXTRACTS, OUTCOME_TYPES, SOLVED_OUTCOMES
from .loading import (
    LoadReport,
    arrow_ids,
    display_name,
    extract_path,
    ids_ascend,
    latest_accepted,
    load_extracts,
    month_labels,
    month_ordinals,
    reuse_freed_memory,
)
from .loading import fingerprint as extracts_fingerprint

UNASSIGNED = "Unassigned"
FORCE = "Force"
WINDOW_KINDS = ("fytd", "rolling-12m", "month")
#: Survey periods are published quarterly: a window ending between two period ends reads the
#: latest period ending at most this many months before the window's end.
SURVEY_LOOKBACK_MONTHS = 2
CACHE_DIR_NAME = ".cache"
#: Measures ranked in the Most Similar Group on crimes per 1,000 residents rather than on the count.
PER_1000_RANKED = ("all_crime", "victim_based_crime", "crimes_per_1000")
_DAYS_365 = np.timedelta64(365, "D")
#: The true/false columns of crimes and incidents, as the contract lists them.
CRIME_FLAGS = tuple(c.name for c in EXTRACTS["crimes"].columns if c.type == "bool")
INCIDENT_FLAGS = tuple(c.name for c in EXTRACTS["incidents"].columns if c.type == "bool")
#: Rows per step of a chunked pass: small enough for the working arrays to stay in cache.
_CHUNK = 1 << 20
#: What :meth:`Sources.histogram` packs per extract: flags, and (code, values, offset) where
#: ``code + offset`` runs over ``0 … values - 1`` (risk level -1 = none -> 0; grade 0 = none).
#: The date (and time) each prepared extract's records are ordered by.
_DATE = {"crimes": "date", "incidents": "opened"}
_HISTOGRAM = {
    "crimes": (CRIME_FLAGS, ("da_risk_level", len(DA_RISK_LEVELS) + 1, 1)),
    "incidents": (INCIDENT_FLAGS, ("grade", 8, 0)),
}
_NO_MONTH = np.iinfo(np.int64).min // 4  # far in the past: "no previous record"
_FAR_MONTH = np.iinfo(np.int64).max // 4  # far in the future: "no next record"


class CubeError(ValueError):
    """The cube cannot be built or read (names the measure, the extract and the column)."""


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


# --------------------------------------------------------------------------- sources


class _Absent(Exception):
    """A builder needs an extract that is not in the data folder."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _month_ords(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Month ordinals (months since 1970-01, as ``pd.Period.ordinal``) and a valid mask."""
    if isinstance(s.dtype, pd.PeriodDtype):
        arr = s.array
        valid = ~np.asarray(arr.isna())
        return np.asarray(arr.asfreq("M").asi8, dtype=np.int64), valid
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s, errors="coerce")
    elif getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return month_ordinals(s.to_numpy(dtype="datetime64[ns]"))


def _datetimes(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.to_timestamp()
    if not pd.api.types.is_datetime64_any_dtype(s):
        return pd.to_datetime(s, errors="coerce")
    if getattr(s.dt, "tz", None) is not None:
        return s.dt.tz_localize(None)
    return s


def _bool(s: pd.Series) -> np.ndarray:
    """True where flagged; empty (not recorded) is not flagged: coverage says where it is unknown."""
    if s.dtype == bool:
        return s.to_numpy()
    if isinstance(s.dtype, pd.BooleanDtype):
        return s.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(s):
        return s.fillna(0).to_numpy() != 0
    t = s.astype("string").str.strip().str.lower()
    return t.isin(["true", "1", "yes", "y", "t"]).to_numpy(dtype=bool)


def _category_codes(s: pd.Series, allowed: list[str]) -> np.ndarray:
    """Codes of ``s`` against ``allowed`` (-1 for empty or unknown), without per-row Python."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c).strip() for c in s.cat.categories]
        lookup = [allowed.index(c) if c in allowed else -1 for c in cats] + [-1]
        # small integers: a district code per row is two bytes, not eight
        return np.array(lookup, dtype=np.int16)[s.cat.codes.to_numpy()]
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    names = [str(u).strip() for u in uniques]
    lookup = np.array([allowed.index(n) if n in allowed else -1 for n in names] + [-1])
    return lookup[codes]


def _codes(df: pd.DataFrame, column: str, allowed: tuple[str, ...]) -> np.ndarray:
    """Codes of a categorical column against ``allowed`` (-1 for empty, unknown or absent)."""
    if column not in df.columns:
        return np.full(len(df), -1, dtype=np.int64)
    return _category_codes(df[column], list(allowed))


def _person_codes(s: pd.Series) -> np.ndarray:
    """Integer codes for a person id column; -1 where empty (null or blank)."""
    enc = pc.dictionary_encode(arrow_ids(s))
    blank = pc.equal(pc.utf8_trim_whitespace(enc.dictionary), "").to_numpy(zero_copy_only=False)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    if blank.any():
        codes[np.isin(codes, np.flatnonzero(blank))] = -1
    return codes


class _IdOrder:
    """The order of an extract's rows by id (as text): the tie-break between same-time records.

    Ranks are worked out only for the rows a builder sorts (a domestic-abuse subset is a tenth of
    the incidents), and not at all when the ids already ascend down the file, as extracts usually
    do: then a row's position is its rank.
    """

    def __init__(self, ids: pd.Series):
        self.ids = arrow_ids(ids)
        self.ascending = ids_ascend(self.ids)

    def ranks(self, rows: np.ndarray) -> np.ndarray:
        """Numbers ordering ``rows`` by id (ties by position in ``rows``): comparable only among them."""
        if self.ascending:
            return np.asarray(rows, dtype=np.int64)
        taken = self.ids.take(pa.array(np.asarray(rows, dtype=np.int64)))
        rank = pc.rank(taken, sort_keys="ascending", tiebreaker="first")
        return rank.to_numpy(zero_copy_only=False).astype(np.int64)


def _positions(keys: pd.Series, ids: pd.Series) -> np.ndarray:
    """For each of ``keys``, the row of ``ids`` (unique) holding the same text; -1 where none.

    The hash table is built on the distinct keys (a million offender links name fewer crimes than
    the extract holds) and the ids are looked up in it: a smaller table, fewer cache misses.
    """
    enc = pc.dictionary_encode(arrow_ids(keys))
    hit = pc.index_in(arrow_ids(ids), value_set=enc.dictionary)
    hit = hit.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    found = np.flatnonzero(hit >= 0)[::-1]  # assigned last to first: a repeated id's first row
    row_of = np.full(len(enc.dictionary) + 1, -1, dtype=np.int64)  # the last: an empty key
    row_of[hit[found]] = found
    codes = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)
    return row_of[codes]


def _text_codes(s: pd.Series, values: tuple[str, ...]) -> np.ndarray:
    """Index in ``values`` of each cell, ignoring case and spaces; -1 for empty or other text."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = np.asarray(s.cat.codes, dtype=np.int64), s.cat.categories
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    names = [str(u).strip().lower() for u in uniques]
    lookup = np.array([values.index(n) if n in values else -1 for n in names] + [-1])
    return lookup[codes]


def _matches(s: pd.Series, value: str) -> np.ndarray:
    """True where a text/category column equals ``value`` (ignoring case and spaces)."""
    return _text_codes(s, (str(value).strip().lower(),)) == 0


class Sources:
    """The extracts, prepared once for all builders (months, district codes, sort orders).

    Attributes
    ----------
    m0, T
        The cube's month range: ordinals ``m0 … m0 + T - 1``.
    districts
        District names in reference order; code ``len(districts)`` is ``Unassigned``.
    """

    def __init__(self, extracts: dict[str, pd.DataFrame], reference: Reference):
        self.raw = {k: v for k, v in extracts.items() if v is not None}
        self.reference = reference
        self.districts = [str(d) for d in reference.districts["district"]]
        self.nd = len(self.districts)
        self.G = self.nd + 1  # + Unassigned
        lpas = sorted(reference.districts["lpa"].astype(str).unique())
        self.lpas = lpas
        lpa_of = dict(zip(reference.districts["district"], reference.districts["lpa"], strict=True))
        self.lpa_matrix = np.zeros((self.G, len(lpas)))
        for i, d in enumerate(self.districts):
            self.lpa_matrix[i, lpas.index(str(lpa_of[d]))] = 1.0
        self.population = np.zeros(self.G)
        self.population[: self.nd] = reference.districts["population_2016"].to_numpy(float)
        self._cache: dict = {}
        #: (extract, column) pairs the current builder's coverage asked for (see :meth:`covered`).
        self.asked: list[tuple[str, str]] = []
        self._months: dict[str, np.ndarray] = {}
        self._date_ords: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        # The month range: every extract's date column.
        lo, hi = [], []
        for name, df in self.raw.items():
            col = EXTRACTS[name].date_column if name in EXTRACTS else None
            if col is None or col not in df.columns or len(df) == 0:
                continue
            o, v = _month_ords(df[col])
            self._date_ords[name] = (o, v)  # reused by the prepared crimes and incidents
            if v.any():
                ov = o[v]
                first = int(ov.min())
                self._months[name] = np.flatnonzero(np.bincount(ov - first)) + first
                lo.append(first)
                hi.append(int(self._months[name][-1]))
        self.m0 = min(lo) if lo else 0
        self.T = (max(hi) - self.m0 + 1) if hi else 1

    # ----------------------------------------------------------------- helpers

    def has(self, name: str) -> bool:
        return name in self.raw

    def need(self, *names: str) -> None:
        for n in names:
            if n not in self.raw:
                raise _Absent(n)

    def _ords(self, name: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        if name in self._date_ords:
            return self._date_ords[name]
        return _month_ords(self.raw[name][column])

    def month_index(self, name: str) -> np.ndarray:
        """Each row's month as ``0 … T - 1`` from the extract's date column; -1 where undated."""

        def make():
            o, valid = self._ords(name, EXTRACTS[name].date_column)
            return np.where(valid, o - self.m0, -1).astype(np.int32)

        return self._once(("month_index", name), make)

    def months(self, name: str) -> np.ndarray:
        """Boolean [T]: the months where extract ``name`` has records."""
        self.need(name)
        cov = np.zeros(self.T, dtype=bool)
        o = self._months.get(name)
        if o is not None:
            cov[o - self.m0] = True
        return cov

    def recorded(self, name: str, column: str) -> np.ndarray:
        """Boolean [T]: the months where some row of extract ``name`` has ``column`` filled.

        ``crime_offenders``' ``offender_id`` is recorded in the months of the crimes it links to
        (the extract has no date of its own). A column the frame lacks is recorded nowhere.
        """
        key = ("recorded", name, column)
        if key not in self._cache:
            self.need(name)
            rec = np.zeros(self.T, dtype=bool)
            if name == "crime_offenders":
                pos = self.offender_crime_rows()
                t = self.crimes["t"][pos[pos >= 0]]
                rec[np.unique(t[t >= 0])] = True
            elif column in self.raw[name].columns and self.raw[name][column].dtype == bool:
                rec = self.months(name)  # a plain bool column has no empty cells
            elif column in self.raw[name].columns:
                s = self.raw[name][column]
                filled = (
                    self.person_codes(name, column) >= 0
                    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype)
                    else s.notna().to_numpy()
                )
                rec = self._months_with(name, filled)
            self._cache[key] = rec
        return self._cache[key]

    def _months_with(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Boolean [T]: months with at least one row of ``name`` in the boolean ``rows``.

        Columns are usually filled on nearly every row, so this counts the (few) empty rows per
        month and compares with the rows per month, rather than gathering millions of filled ones.
        """
        t = self.month_index(name)

        def rows_per_month():  # [T + 1]: undated rows first, then each month's
            packed = self.histogram(name) if name in _HISTOGRAM else None
            if packed is None:
                return np.bincount(t + 1, minlength=self.T + 1)
            per_cell = packed[0][: self.T * self.G].sum(axis=1)
            return np.concatenate([[0], per_cell.reshape(self.T, self.G).sum(axis=1)])

        per_month = self._once(("rows_per_month", name), rows_per_month)
        if np.count_nonzero(rows) * 2 < len(rows):
            return np.bincount(t[rows] + 1, minlength=self.T + 1)[1:] > 0
        empty = np.bincount(t[~rows] + 1, minlength=self.T + 1)
        return (per_month - empty)[1:] > 0

    def covered(self, name: str, *columns: str) -> np.ndarray:
        """Boolean [T]: months where ``name`` has records and every one of ``columns`` is recorded.

        The pairs asked for are noted in :attr:`asked`, so the cube can say which column was not
        recorded in a month ("domestic_abuse is not recorded in crimes for Nov 2014").
        """
        cov = self._base_months(name).copy()
        for column in dict.fromkeys(columns):
            self.asked.append((name, column))
            cov &= self.recorded(name, column)
        return cov

    def unrecorded(self, name: str, column: str) -> np.ndarray:
        """Boolean [T]: months where ``name`` has records but ``column`` is empty on all of them."""
        return self._base_months(name) & ~self.recorded(name, column)

    def _base_months(self, name: str) -> np.ndarray:
        """The months ``name`` has records in; for ``crime_offenders``, those of ``crimes``."""
        return self.months("crimes" if name == "crime_offenders" else name)

    def by_victim(self, name: str, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows of ``name`` with a victim, sorted by victim, date, then record id.

        Sorted once per extract; the rows of a ``mask`` are then a filter of that order (a
        subsequence of a sorted list is sorted), not a sort of their own.
        """

        def make():
            rec = self.prepared(name)
            return _sorted_records(self.victims(name), rec[_DATE[name]], self.id_order(name))

        order = self._once(("by_victim", name), make)
        return order if mask is None else order[mask[order]]

    def by_victim_columns(self, name: str, mask: np.ndarray) -> tuple[np.ndarray, ...]:
        """``rows, victim, month, district`` of :meth:`by_victim` for ``mask``, read from copies
        kept in that order (a sequential pass instead of random gathers over millions of rows)."""
        order = self.by_victim(name)

        def make():
            rec = self.prepared(name)
            return (
                self.victims(name)[order],
                rec["t"][order].astype(np.int32),
                rec["d"][order].astype(np.int32),
            )

        victim, month, district = self._once(("by_victim_columns", name), make)
        keep = mask[order]
        return order[keep], victim[keep], month[keep], district[keep]

    def victims(self, name: str) -> np.ndarray:
        """Codes of ``name``'s ``victim_id`` (-1 where empty or the column is absent)."""
        self.need(name)
        if "victim_id" not in self.raw[name].columns:
            return np.full(len(self.raw[name]), -1, dtype=np.int64)
        return self.person_codes(name, "victim_id")

    def person_codes(self, name: str, column: str) -> np.ndarray:
        """Integer codes of a text column of extract ``name`` (-1 where empty), computed once."""
        return self._once(("codes", name, column), lambda: _person_codes(self.raw[name][column]))

    def offender_crime_rows(self) -> np.ndarray:
        """For each ``crime_offenders`` row, the ``crimes`` row of its crime_id (-1 where none)."""
        self.need("crimes", "crime_offenders")
        return self._once(
            "offender_crime_rows",
            lambda: _positions(
                self.raw["crime_offenders"]["crime_id"], self.raw["crimes"]["crime_id"]
            ),
        )

    def _once(self, key, fn: Callable):
        """``fn()``, computed once; waits for it if :meth:`prefetch` started it on another core."""
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = fn()
        elif isinstance(value, Future):
            value = self._cache[key] = value.result()
        return value

    def prefetch(self) -> None:
        """Start hashing the person and crime ids on a second thread while the builders run.

        Hashing millions of distinct ids is the costliest step of a large build (5 s of 22 s at
        scale 16) and Arrow's kernels release the GIL, so on a machine with two cores it overlaps
        the builders' numpy work. A full build calls this; a build of a few measures need not.
        """
        jobs = {}
        for name in ("crimes", "incidents"):  # in the order the builders need them
            if name in self.raw and "victim_id" in self.raw[name].columns:
                jobs[("codes", name, "victim_id")] = (_person_codes, self.raw[name]["victim_id"])
        if "crimes" in self.raw and "crime_offenders" in self.raw:
            co, crimes = self.raw["crime_offenders"], self.raw["crimes"]
            jobs["offender_crime_rows"] = (_positions, co["crime_id"], crimes["crime_id"])
            if "offender_id" in co.columns:
                jobs[("codes", "crime_offenders", "offender_id")] = (
                    _person_codes,
                    co["offender_id"],
                )
        if not jobs or (os.cpu_count() or 1) < 2:
            return
        # two workers: the builders that need none of these run meanwhile, then wait for them
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cube-prefetch")
        for key, (fn, *args) in jobs.items():
            self._cache.setdefault(key, pool.submit(fn, *args))
        pool.shutdown(wait=False)  # the queued jobs still run; the thread ends with the last

    def data_to(self) -> dict[str, pd.Period]:
        return {n: pd.Period(ordinal=int(o.max()), freq="M") for n, o in self._months.items()}

    def district_codes(self, s: pd.Series) -> np.ndarray:
        """Codes 0..nd-1 for known districts; ``nd`` (Unassigned) for empty or unknown ones."""
        codes = _category_codes(s, self.districts)
        return np.where(codes < 0, np.int16(self.nd), codes).astype(np.int16)

    def tally(self, t: np.ndarray, d: np.ndarray | None, weights=None) -> np.ndarray:
        """Sum ``weights`` (or count) into a [T, G] array (or [T, 1] when ``d`` is None)."""
        t = np.asarray(t, dtype=np.int64)
        ok = (t >= 0) & (t < self.T)
        g = 1 if d is None else self.G
        key = t * g + (0 if d is None else np.asarray(d, dtype=np.int64))
        w = None if weights is None else np.asarray(weights, dtype=float)[ok]
        return (
            np.bincount(key[ok], weights=w, minlength=self.T * g).reshape(self.T, g).astype(float)
        )

    def count(self, rec: dict, mask: np.ndarray, weights=None, *, month: str = "t") -> np.ndarray:
        """``tally(rec[month][mask], rec["d"][mask], weights[mask])`` for a prepared extract.

        Each row's cell (month x district) is worked out once per extract and month column, so a
        measure costs one masked ``bincount`` over the rows; at scale 16 (22 million incidents)
        that is ten times quicker than forming the cell anew for every measure.
        """
        w = None if weights is None else np.asarray(weights, dtype=float)[mask]
        return self.count_rows(rec, mask, w, month=month)

    def count_rows(self, rec: dict, rows: np.ndarray, weights=None, *, month: str = "t"):
        """[T, G] count (or sum of ``weights``, one per selected row) of the rows ``rows`` selects
        (a boolean mask or row numbers) of a prepared extract."""
        cells = self._cells(rec, month)[rows]
        total = np.bincount(cells, weights=weights, minlength=self.T * self.G + 1)
        return total[: self.T * self.G].reshape(self.T, self.G).astype(float)

    def _cells(self, rec: dict, month: str = "t") -> np.ndarray:
        """Each row's cell ``month * G + district`` (int32); ``T * G`` for rows outside the months."""
        key = f"cells:{month}"
        if key not in rec:
            t = np.asarray(rec[month], dtype=np.int32)  # T * G is far below 2**31
            ok = (t >= 0) & (t < self.T)
            rec[key] = np.where(ok, t * np.int32(self.G) + rec["d"], np.int32(self.T * self.G))
        return rec[key]

    def histogram(self, name: str) -> tuple[np.ndarray, dict[str, tuple[int, int]]] | None:
        """Rows of ``name`` counted per cell and combination of its flags and code (one pass).

        Each row's flags (and its DA risk level or incident grade) are packed into a few bits;
        one ``bincount`` of ``cell * 2**bits + bits``, taken a million rows at a time so that the
        work stays in the processor's cache, gives a [cells + 1, 2**bits] table. A count with any
        filter on those columns is then a sum over that small table (:meth:`count_where`), not
        another pass over millions of rows. None when a code is outside the range packed.
        """

        def make():
            rec = self.prepared(name)
            flags = [f for f in _HISTOGRAM[name][0] if f in rec]
            code, n_values, offset = _HISTOGRAM[name][1]
            values = np.asarray(rec[code], dtype=np.int64) + offset
            if len(values) and (values.min() < 0 or values.max() >= n_values):
                return None
            fields = {f: (i, 1) for i, f in enumerate(flags)}
            fields[code] = (len(flags), max(1, (n_values - 1).bit_length()))
            nb = 1 << (len(flags) + fields[code][1])
            cells = self._cells(rec)
            hist = np.zeros((self.T * self.G + 1) * nb, dtype=np.int64)
            for a in range(0, len(cells), _CHUNK):
                key = cells[a : a + _CHUNK].astype(np.int64) * nb
                key += values[a : a + _CHUNK] << len(flags)
                for i, f in enumerate(flags):
                    key += rec[f][a : a + _CHUNK].astype(np.int64) << i
                hist += np.bincount(key, minlength=len(hist))
            return hist.reshape(-1, nb), fields

        return self._once(("histogram", name), make)

    def count_where(self, name: str, **where: int) -> np.ndarray | None:
        """[T, G] rows of ``name`` whose fields equal ``where`` (flags 1/0; the code's value as
        :data:`_HISTOGRAM` packs it), read from :meth:`histogram`, or counted row by row when a
        code is outside the packed range. None when a field is not a column of the extract."""
        rec = self.prepared(name)
        if any(f not in rec for f in where):
            return None
        packed = self.histogram(name)
        if packed is None:
            code, _, offset = _HISTOGRAM[name][1]
            mask = np.ones(len(rec["t"]), dtype=bool)
            for f, value in where.items():
                mask &= rec[f] + (offset if f == code else 0) == int(value)
            return self.count(rec, mask)
        hist, fields = packed
        combos = np.arange(hist.shape[1])
        sel = np.ones(len(combos), dtype=bool)
        for f, value in where.items():
            shift, width = fields[f]
            sel &= ((combos >> shift) & ((1 << width) - 1)) == int(value)
        return hist[: self.T * self.G, sel].sum(axis=1).reshape(self.T, self.G).astype(float)

    # ----------------------------------------------------------------- prepared extracts

    def prepared(self, name: str) -> dict:
        """:attr:`crimes` or :attr:`incidents`, by extract name."""
        return self.crimes if name == "crimes" else self.incidents

    @property
    def crimes(self) -> dict:
        if "crimes" not in self._cache:
            self.need("crimes")
            df = self.raw["crimes"]
            date = _datetimes(df["recorded_date"])
            out = {
                "t": self.month_index("crimes"),
                "date": date.to_numpy(dtype="datetime64[ns]"),
                "d": self.district_codes(df["district"]),
            }
            for flag in CRIME_FLAGS:
                if flag in df.columns:
                    out[flag] = _bool(df[flag])
            out["da_risk_level"] = _codes(df, "da_risk_level", DA_RISK_LEVELS)
            out["outcome_type"] = _codes(df, "outcome_type", OUTCOME_TYPES)
            if "outcome_type" in df.columns:
                oo, ov = (
                    _month_ords(df["outcome_date"])
                    if "outcome_date" in df.columns
                    else (np.zeros(len(df), np.int64), np.zeros(len(df), bool))
                )
                out["outcome_t"] = np.where(ov, oo - self.m0, -1)
            else:
                out["outcome_t"] = np.full(len(df), -1)
            self._cache["crimes"] = out
        return self._cache["crimes"]

    def id_order(self, name: str) -> _IdOrder:
        """The order of ``name``'s rows by record id, to break ties between same-time records."""
        self.need(name)
        return self._once(
            ("id_order", name), lambda: _IdOrder(self.raw[name][EXTRACTS[name].unique[0]])
        )

    @property
    def incidents(self) -> dict:
        if "incidents" not in self._cache:
            self.need("incidents")
            df = self.raw["incidents"]
            opened = _datetimes(df["opened_at"])
            urban_rural = _text_codes(df["urban_rural"], ("urban", "rural"))
            out = {
                "t": self.month_index("incidents"),
                "opened": opened.to_numpy(dtype="datetime64[ns]"),
                "arrived": _datetimes(df["arrived_at"]).to_numpy(dtype="datetime64[ns]")
                if "arrived_at" in df.columns
                else np.full(len(df), np.datetime64("NaT"), dtype="datetime64[ns]"),
                "grade": pd.to_numeric(df["grade"], errors="coerce").fillna(0).to_numpy(np.int64),
                "urban": urban_rural == 0,
                "rural": urban_rural == 1,
                "d": self.district_codes(df["district"]),
            }
            for flag in INCIDENT_FLAGS:
                if flag in df.columns:
                    out[flag] = _bool(df[flag])
            self._cache["incidents"] = out
        return self._cache["incidents"]

    def cached(self, key, fn: Callable):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]


# --------------------------------------------------------------------------- builder results


@dataclass
class Part:
    """What a builder returns for one measure id.

    ``num``/``den`` map a window kind (``'month'`` for additive rows) to a [T, G] array (district
    level, G = districts + Unassigned) or a [T, 1] array (force only). ``den`` is None for counts.
    ``covered`` is a boolean [T]: the months where the measure has data.
    """

    num: dict[str, np.ndarray]
    den: dict[str, np.ndarray] | None
    covered: np.ndarray
    district_level: bool = True
    sources: tuple[str, ...] = ()
    den_agg: str = "sum"
    coverage_rule: str = "window"
    coverage_note: str = ""
    unit: str | None = None


BUILDERS: dict[str, Callable[[Sources, dict, catalog_mod.Measure], dict[str, Part]]] = {}


def builder(name: str):
    """Register a builder under the catalog's ``builder`` name."""

    def deco(fn):
        BUILDERS[name] = fn
        return fn

    return deco


def _with_history(cov: np.ndarray, months: int) -> np.ndarray:
    """Covered months whose previous ``months`` months are covered too (365-day look-backs)."""
    out = cov.copy()
    for k in range(1, months + 1):
        shifted = np.zeros_like(cov)
        shifted[k:] = cov[:-k] if k < len(cov) else False
        out &= shifted
    return out


def _with_future(cov: np.ndarray, months: int) -> np.ndarray:
    """Covered months whose next ``months`` months are covered too (six-month follow-up)."""
    out = cov.copy()
    for k in range(1, months + 1):
        shifted = np.zeros_like(cov)
        shifted[:-k] = cov[k:] if k < len(cov) else False
        out &= shifted
    return out


def _fy_start_ord(ords: np.ndarray) -> np.ndarray:
    """Ordinal of the April that starts each month's financial year (integer dtype kept)."""
    ords = np.asarray(ords)
    if ords.dtype.kind not in "iu":
        ords = ords.astype(np.int64)
    return ords - (ords % 12 - 3) % 12


def _with_fy_history(cov: np.ndarray, m0: int) -> np.ndarray:
    """Covered months whose financial year to date is covered (since-April rules)."""
    out = np.zeros_like(cov)
    for t in range(len(cov)):
        s = int(_fy_start_ord(np.array([m0 + t]))[0]) - m0
        out[t] = s >= 0 and cov[s : t + 1].all()
    return out


def _one(m, num, den, covered, **kw) -> dict[str, Part]:
    return {m.id: Part({"month": num}, None if den is None else {"month": den}, covered, **kw)}


# --------------------------------------------------------------------------- crime builders


def _mask_columns(params: dict) -> tuple[str, ...]:
    """The crime columns :func:`_crime_mask` filters on for these params (must be recorded)."""
    cols = []
    if params.get("flag"):
        cols.append(params["flag"])
    if params.get("da_risk_level"):
        cols.append("da_risk_level")
    if params.get("business"):
        cols.append("business")
    return tuple(cols)


def _count_crimes(src: Sources, params: dict) -> np.ndarray:
    """[T, G] crimes by recorded month and district passing ``params``' filters (the histogram)."""
    where = {}
    if params.get("flag"):
        where[params["flag"]] = 1
    if params.get("da_risk_level"):
        where["da_risk_level"] = DA_RISK_LEVELS.index(params["da_risk_level"]) + 1
    if params.get("business"):
        where["business"] = 1
    return _filtered_count(src, "crimes", where)


def _filtered_count(src: Sources, name: str, where: dict) -> np.ndarray:
    """:meth:`Sources.count_where`, with a clear error for a filter column the data lacks."""
    counted = src.count_where(name, **where)
    if counted is None:
        missing = next(f for f in where if f not in src.prepared(name))
        raise CubeError(f"{name}: column {missing!r} (a flag the catalog filters on) is missing")
    return counted


def _crime_mask(c: dict, params: dict) -> np.ndarray:
    mask = np.ones(len(c["t"]), dtype=bool)
    flag = params.get("flag")
    if flag:
        if flag not in c:
            raise CubeError(f"crimes: column {flag!r} (a flag the catalog filters on) is missing")
        mask &= c[flag]
    if params.get("da_risk_level"):
        mask &= c["da_risk_level"] == DA_RISK_LEVELS.index(params["da_risk_level"])
    if params.get("business"):
        mask &= c["business"]
    return mask


def _is_solved(c: dict) -> np.ndarray:
    code = c["outcome_type"]
    return (code >= 0) & (code < len(SOLVED_OUTCOMES))


@builder("count_crimes")
def count_crimes(src: Sources, params: dict, m) -> dict[str, Part]:
    """Recorded crimes (optionally with a flag) by recorded month and district."""
    cov = src.covered("crimes", *_mask_columns(params))
    return _one(m, _count_crimes(src, params), None, cov, sources=("crimes",))


@builder("crimes_per_1000")
def crimes_per_1000(src: Sources, params: dict, m) -> dict[str, Part]:
    """Recorded crimes; denominator the district population (averaged over a window)."""
    num = _count_crimes(src, params)
    den = np.tile(src.population, (src.T, 1))
    cov = src.covered("crimes", *_mask_columns(params))
    return _one(m, num, den, cov, sources=("crimes",), den_agg="mean")


@builder("solved_rate")
def solved_rate(src: Sources, params: dict, m) -> dict[str, Part]:
    """Solved outcomes by outcome month over crimes recorded in the month."""
    c = src.crimes
    mask = _crime_mask(c, params)
    solved = mask & _is_solved(c) & (c["outcome_t"] >= 0)
    num = src.count(c, solved, month="outcome_t")
    den = _count_crimes(src, params)
    return _one(m, num, den, src.covered("crimes", *_mask_columns(params)), sources=("crimes",))


@builder("count_outcomes")
def count_outcomes(src: Sources, params: dict, m) -> dict[str, Part]:
    """Crimes (with a flag) given an outcome (of a type, if named), by outcome month."""
    c = src.crimes
    mask = _crime_mask(c, params) & (c["outcome_t"] >= 0)
    if params.get("outcome_type"):
        mask &= c["outcome_type"] == OUTCOME_TYPES.index(params["outcome_type"])
    return _one(
        m,
        src.count(c, mask, month="outcome_t"),
        None,
        src.covered("crimes", *_mask_columns(params)),
        sources=("crimes",),
    )


@builder("outcome_breakdown")
def outcome_breakdown(src: Sources, params: dict, m) -> dict[str, Part]:
    """Solved outcomes by type (``disposal_<type>``) and in total, by outcome month."""
    c = src.crimes
    cov = src.months("crimes")
    has = c["outcome_t"] >= 0
    out = {}
    total = np.zeros((src.T, src.G))
    for o in SOLVED_OUTCOMES:
        mask = has & (c["outcome_type"] == OUTCOME_TYPES.index(o))
        arr = src.count(c, mask, month="outcome_t")
        total += arr
        out[f"disposal_{o}"] = Part({"month": arr}, None, cov, sources=("crimes",), unit="count")
    out[m.id] = Part({"month": total}, None, cov, sources=("crimes",))
    return out


def _sorted_records(victim, date, order: _IdOrder):
    """Indices of records with a victim, sorted by victim, date, then record id.

    When the file lists its records by date and id (as extracts usually come), a row's position
    already orders it by date and id: one stable sort by victim does, instead of three.
    """
    idx = np.nonzero(victim >= 0)[0]
    dates = date.view(np.int64)  # NaT is the smallest: it sorts first, as in the general case
    if order.ascending and bool(np.all(dates[1:] >= dates[:-1])):
        return idx[np.argsort(victim[idx], kind="stable")]
    return idx[np.lexsort((order.ranks(idx), dates[idx], victim[idx]))]


def _repeat_365(victim, date, idx) -> np.ndarray:
    """True for records whose victim had another record of ``idx`` in the 365 days before it.

    ``idx``: the records to look at, sorted by victim, date and id (:meth:`Sources.by_victim`).
    """
    rep = np.zeros(len(victim), dtype=bool)
    if idx.size < 2:
        return rep
    sv = victim[idx]
    sd = date[idx]
    same = np.zeros(idx.size, dtype=bool)
    same[1:] = sv[1:] == sv[:-1]
    gap = np.zeros(idx.size, dtype="timedelta64[ns]")
    gap[1:] = sd[1:] - sd[:-1]
    rep[idx] = same & (gap <= _DAYS_365)
    return rep


def _first_per_person_month(person, t, d, idx):
    """Month and district of each person's first record of ``idx`` in each month.

    ``idx`` is sorted by person, date, then record id; the month follows the date, so each
    person-month is one run and its first record is the earliest.
    """
    if idx.size == 0:
        return np.array([], np.int64), np.array([], np.int64)
    p, tm = person[idx], t[idx]
    first = np.ones(idx.size, dtype=bool)
    first[1:] = (p[1:] != p[:-1]) | (tm[1:] != tm[:-1])
    sel = idx[first]
    return t[sel], d[sel]


@builder("repeat_da_incidents")
def repeat_da_incidents(src: Sources, params: dict, m) -> dict[str, Part]:
    """Domestic-abuse incidents whose victim had an earlier one (since April, or in 365 days)."""
    inc = src.incidents
    da = inc["domestic_abuse"]
    rule = params.get("rule", "previous_12_months")
    cov = src.covered("incidents", "domestic_abuse", "victim_id")
    if rule == "previous_12_months":
        rep = _repeat_365(src.victims("incidents"), inc["opened"], src.by_victim("incidents", da))
        covered = _with_history(cov, 12)
        note = "the rule looks back 365 days"
    elif rule == "since_financial_year_start":
        v = src.victims("incidents")
        idx = src.by_victim("incidents", da)
        rep = np.zeros(len(v), dtype=bool)
        if idx.size > 1:
            fy = _fy_start_ord(inc["t"][idx] + src.m0)
            same = np.zeros(idx.size, dtype=bool)
            same[1:] = (v[idx][1:] == v[idx][:-1]) & (fy[1:] == fy[:-1])
            rep[idx] = same
        covered = _with_fy_history(cov, src.m0)
        note = "the rule looks back to April"
    else:
        raise CubeError(f"measure {m.id!r}: unknown repeat rule {rule!r}")
    return _one(
        m,
        src.count(inc, rep),
        None,
        covered,
        sources=("incidents",),
        coverage_note=note,
    )


@builder("repeat_da_victims")
def repeat_da_victims(src: Sources, params: dict, m) -> dict[str, Part]:
    """People with a repeat domestic-abuse incident (or crime) in the month (365-day rule)."""
    source = params.get("source", "incidents")
    if source == "incidents":
        r = src.incidents
        date = r["opened"]
    elif source == "crimes":
        r = src.crimes
        date = r["date"]
    else:
        raise CubeError(f"measure {m.id!r}: unknown source {source!r}")
    victim = src.victims(source)
    rep = _repeat_365(victim, date, src.by_victim(source, r["domestic_abuse"]))
    t, d = _first_per_person_month(victim, r["t"], r["d"], src.by_victim(source, rep))
    return _one(
        m,
        src.tally(t, d),
        None,
        _with_history(src.covered(source, "domestic_abuse", "victim_id"), 12),
        sources=(source,),
        coverage_note="the rule looks back 365 days",
    )


@builder("repeat_victims_previous_12_months")
def repeat_victims_previous_12_months(src: Sources, params: dict, m) -> dict[str, Part]:
    """Victims of a crime in the month who were victims of another crime in the 365 days before."""
    c = src.crimes
    mask = _crime_mask(c, params)
    victim = src.victims("crimes")
    rep = _repeat_365(victim, c["date"], src.by_victim("crimes", mask))
    t, d = _first_per_person_month(victim, c["t"], c["d"], src.by_victim("crimes", rep))
    return _one(
        m,
        src.tally(t, d),
        None,
        _with_history(src.covered("crimes", "victim_id", *_mask_columns(params)), 12),
        sources=("crimes",),
        coverage_note="the rule looks back 365 days",
    )


@builder("repeat_victims_in_window")
def repeat_victims_in_window(src: Sources, params: dict, m) -> dict[str, Part]:
    """Distinct victims with two or more crimes in the window, precomputed per window kind.

    Each victim is counted once, in the district of their first crime of the window. For a crime
    i of a victim (crimes sorted by date then id; previous crime's month ``mp``, next ``mn``),
    crime i is the victim's first of a window starting at S exactly when ``mp < S <= mi``, and the
    victim is a repeat victim of a window ending at E when ``E >= mn``. For each window kind that
    gives an interval of end months, added up with a difference array.
    """
    c = src.crimes
    mask = _crime_mask(c, params) & (c["t"] >= 0)
    idx, sv, mi, di = src.by_victim_columns("crimes", mask)
    cov = src.covered("crimes", "victim_id", *_mask_columns(params))
    num = {}
    T, G = src.T, src.G
    if idx.size == 0:
        for kind in WINDOW_KINDS:
            num[kind] = np.zeros((T, G))
        return {m.id: Part(num, None, cov, sources=("crimes",))}
    # month indices fit in int32: half the memory traffic of int64 over millions of crimes
    no_month, far_month = np.int32(-(2**20)), np.int32(2**20)
    same = sv[1:] == sv[:-1]  # crime i and i + 1 have the same victim
    mp = np.full(idx.size, no_month)
    mp[1:] = np.where(same, mi[:-1], no_month)
    mn = np.full(idx.size, far_month)
    mn[:-1] = np.where(same, mi[1:], far_month)
    fy_end = _fy_start_ord(mi + np.int32(src.m0)) - np.int32(src.m0) + 11
    intervals = {
        "month": (np.where((mp < mi) & (mn == mi), mi, 1), np.where((mp < mi) & (mn == mi), mi, 0)),
        "rolling-12m": (np.maximum(mn, mp + 12), mi + 11),
        "fytd": (mn, np.where(mp < fy_end - 11, fy_end, no_month)),
    }
    for kind, (lo, hi) in intervals.items():
        hi = np.minimum(hi, T - 1)
        ok = lo <= hi
        starts = np.bincount(lo[ok] * G + di[ok], minlength=(T + 1) * G)
        ends = np.bincount((hi[ok] + 1) * G + di[ok], minlength=(T + 1) * G)
        diff = (starts - ends).reshape(T + 1, G)
        num[kind] = np.cumsum(diff, axis=0)[:T].astype(float)
    return {m.id: Part(num, None, cov, sources=("crimes",))}


@builder("reoffenders")
def reoffenders(src: Sources, params: dict, m) -> dict[str, Part]:
    """Offenders of a cohort month, and those linked to a further crime in the next six months.

    The cohort month is the month the value is stored at. Youth: aged 10-17 at the offence (the
    offender's first crime of the month); adult: 18 and over. With ``domestic_abuse: true`` both
    the cohort crime and the further crime are domestic abuse.
    """
    src.need("crimes", "crime_offenders")
    da = bool(params.get("domestic_abuse", False))
    age = params.get("age", "all")
    what = params.get("measure", "offenders")
    offenders, reoff = src.cached(("reoffending", da, age), lambda: _cohorts(src, da, age))
    cov = src.covered("crimes", *(("domestic_abuse",) if da else ()))
    cov &= src.covered("crime_offenders", "offender_id")
    if what == "offenders":
        return _one(m, offenders, None, cov, sources=("crimes", "crime_offenders"))
    covered = _with_future(cov, 6)
    note = "re-offending needs the six months after the cohort month"
    if what == "reoffenders":
        return _one(
            m, reoff, None, covered, sources=("crimes", "crime_offenders"), coverage_note=note
        )
    if what == "rate":
        return _one(
            m, reoff, offenders, covered, sources=("crimes", "crime_offenders"), coverage_note=note
        )
    raise CubeError(f"measure {m.id!r}: unknown reoffenders measure {what!r}")


def _cohorts(src: Sources, da: bool, age: str) -> tuple[np.ndarray, np.ndarray]:
    c = src.crimes
    links = src.cached("offender_links", lambda: _offender_links(src))
    row, off, ages = links["row"], links["offender"], links["age"]
    keep = c["t"][row] >= 0
    if da:
        keep &= c["domestic_abuse"][row]
    row, off, ages = row[keep], off[keep], ages[keep]
    t = c["t"][row].astype(np.int64)
    # offender, then the crime's date and id (the month follows the date)
    ranks = src.id_order("crimes").ranks(row)
    order = np.lexsort((ranks, c["date"][row].astype(np.int64), off))
    row, off, ages, t = row[order], off[order], ages[order], t[order]
    first = np.ones(row.size, dtype=bool)
    first[1:] = (off[1:] != off[:-1]) | (t[1:] != t[:-1])
    f_off, f_t, f_d, f_age = off[first], t[first], c["d"][row[first]], ages[first]
    # the offender's next month with a (qualifying) crime, from the unique offender-months
    nxt = np.full(f_off.size, _FAR_MONTH)
    if f_off.size > 1:
        same = f_off[1:] == f_off[:-1]
        nxt[:-1] = np.where(same, f_t[1:], _FAR_MONTH)
    if age == "youth":
        sel = (f_age >= 10) & (f_age <= 17)
    elif age == "adult":
        sel = f_age >= 18
    else:
        sel = np.ones(f_off.size, dtype=bool)
    re = sel & (nxt <= f_t + 6)
    return src.tally(f_t[sel], f_d[sel]), src.tally(f_t[re], f_d[re])


def _offender_links(src: Sources) -> dict:
    co = src.raw["crime_offenders"]
    pos = src.offender_crime_rows()
    ok = pos >= 0
    if not ok.all():
        bad = co.loc[~ok, "crime_id"].astype(str).head(5).tolist()
        warnings.warn(
            f"crime_offenders: {int((~ok).sum())} row(s) name a crime_id not in crimes "
            f"(e.g. {bad}); they are left out of re-offending",
            stacklevel=2,
        )
    codes = src.person_codes("crime_offenders", "offender_id")
    ok &= codes >= 0  # a link with no offender id names nobody to follow
    ages = pd.to_numeric(co["age_at_offence"], errors="coerce").fillna(-1).to_numpy()
    return {"row": pos[ok], "offender": codes[ok], "age": ages[ok]}


# --------------------------------------------------------------------------- incident builders


@builder("count_incidents")
def count_incidents(src: Sources, params: dict, m) -> dict[str, Part]:
    """Incidents (with a closing qualifier or of a grade) by month opened and district."""
    where, columns = {}, []
    if params.get("flag"):
        where[params["flag"]] = 1
        columns.append(params["flag"])
    if params.get("grade") is not None:
        where["grade"] = int(params["grade"])
        columns.append("grade")
    return _one(
        m,
        _filtered_count(src, "incidents", where),
        None,
        src.covered("incidents", *columns),
        sources=("incidents",),
    )


def _grade_1(src: Sources) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of grade 1 incidents (the only ones timed) and their minutes from opening to
    first arrival (NaN where no arrival is recorded): a tenth of the incidents, worked on alone."""

    def make():
        inc = src.incidents
        rows = np.flatnonzero(inc["grade"] == 1)
        arrived = inc["arrived"][rows]
        delta = (arrived - inc["opened"][rows]).astype("timedelta64[s]").astype(float) / 60.0
        return rows, np.where(np.isnat(arrived), np.nan, delta)

    return src.cached("grade_1", make)


@builder("emergency_attendance")
def emergency_attendance(src: Sources, params: dict, m) -> dict[str, Part]:
    """Grade 1 incidents attended within the urban/rural standard, over all grade 1 incidents.

    An incident whose ``urban_rural`` is empty (in a month where others have it) is held to the
    urban (stricter) standard.
    """
    inc = src.incidents
    rows, minutes = _grade_1(src)
    limit = np.where(
        inc["rural"][rows],
        float(params.get("rural_minutes", 20)),
        float(params.get("urban_minutes", 15)),
    )
    within = rows[~np.isnan(minutes) & (minutes <= limit)]
    return _one(
        m,
        src.count_rows(inc, within),
        src.count_where("incidents", grade=1),
        src.covered("incidents", "grade", "urban_rural"),
        sources=("incidents",),
    )


@builder("response_time")
def response_time(src: Sources, params: dict, m) -> dict[str, Part]:
    """Mean minutes to first arrival, attended grade 1 incidents (urban or rural)."""
    inc = src.incidents
    rows, minutes = _grade_1(src)
    sel = ~np.isnan(minutes)
    columns = ["grade"]
    if params.get("urban_rural"):
        # explicit: an incident with an empty urban_rural is neither urban nor rural
        sel &= (inc["rural"] if params["urban_rural"] == "rural" else inc["urban"])[rows]
        columns.append("urban_rural")
    return _one(
        m,
        src.count_rows(inc, rows[sel], minutes[sel]),
        src.count_rows(inc, rows[sel]),
        src.covered("incidents", *columns),
        sources=("incidents",),
    )


# --------------------------------------------------------------------------- other sources


@builder("calls")
def calls(src: Sources, params: dict, m) -> dict[str, Part]:
    """Call handling (force only): within standard, average wait, or calls offered."""
    src.need("calls")
    df = src.raw["calls"]
    line = _matches(df["line"], str(params.get("line", "999")))
    o, valid = _month_ords(df["interval_start"])
    t = np.where(valid & line, o - src.m0, -1)
    cov = np.zeros(src.T, dtype=bool)
    cov[np.unique(t[t >= 0])] = True

    def col(name):
        return pd.to_numeric(df[name], errors="coerce").fillna(0).to_numpy(float)

    what = params.get("measure", "within_standard")
    if what == "within_standard":
        num, den = col("answered_within_standard"), col("calls_answered")
    elif what == "average_wait":
        num, den = col("total_wait_seconds"), col("calls_answered")
    elif what == "offered":
        num, den = col("calls_offered"), None
    else:
        raise CubeError(f"measure {m.id!r}: unknown calls measure {what!r}")
    return _one(
        m,
        src.tally(t, None, num),
        None if den is None else src.tally(t, None, den),
        cov,
        district_level=False,
        sources=("calls",),
    )


@builder("satisfaction")
def satisfaction(src: Sources, params: dict, m) -> dict[str, Part]:
    """Respondents 'satisfied' over respondents answering the question (optionally by ethnicity)."""
    src.need("satisfaction")
    df = src.raw["satisfaction"]
    q = params["question"]
    if q not in df.columns:
        raise CubeError(f"satisfaction: column {q!r} (measure {m.id!r}) is missing")
    answered = _person_codes(df[q]) >= 0
    if params.get("ethnicity_group"):
        answered &= _matches(df["ethnicity_group"], params["ethnicity_group"])
    sat = answered & _matches(df[q], "satisfied")
    o, valid = _month_ords(df["survey_date"])
    t = np.where(valid, o - src.m0, -1)
    d = src.district_codes(df["district"])
    return _one(
        m,
        src.tally(t[sat], d[sat]),
        src.tally(t[answered], d[answered]),
        src.months("satisfaction"),
        sources=("satisfaction",),
    )


@builder("drug_tests")
def drug_tests(src: Sources, params: dict, m) -> dict[str, Part]:
    """Positive tests over tests; only months with tests entered are covered."""
    src.need("drug_tests")
    df = src.raw["drug_tests"]
    o, valid = _month_ords(df["test_date"])
    t = np.where(valid, o - src.m0, -1)
    d = src.district_codes(df["district"])
    pos = _bool(df["positive"])
    return _one(
        m,
        src.tally(t[pos], d[pos]),
        src.tally(t, d),
        src.months("drug_tests"),
        sources=("drug_tests",),
    )


def _ksi_frame(src: Sources) -> pd.DataFrame:
    def make():
        src.need("collisions", "casualties")
        col = src.raw["collisions"]
        cas = src.raw["casualties"]
        o, valid = _month_ords(col["collision_date"])
        coll = pd.DataFrame(
            {"t": np.where(valid, o - src.m0, -1), "d": src.district_codes(col["district"])}
        )
        pos = _positions(cas["collision_id"], col["collision_id"])
        out = pd.DataFrame(
            {
                "pos": pos,
                "severity": np.array(["fatal", "serious", ""], dtype=object)[
                    _text_codes(cas["severity"], ("fatal", "serious"))
                ],
                "road_user": cas["road_user"].astype("string").fillna("").to_numpy(dtype=object),
                "age": pd.to_numeric(cas["age"], errors="coerce").to_numpy(float)
                if "age" in cas.columns
                else np.full(len(cas), np.nan),
                "impairment": cas["impairment"].astype("string").fillna("").to_numpy(dtype=object)
                if "impairment" in cas.columns
                else np.full(len(cas), "", dtype=object),
            }
        )
        out = out[out["pos"] >= 0]
        out["t"] = coll["t"].to_numpy()[out["pos"].to_numpy()]
        out["d"] = coll["d"].to_numpy()[out["pos"].to_numpy()]
        out["ksi"] = out["severity"] != ""
        return out

    return src.cached("ksi", make)


@builder("ksi")
def ksi(src: Sources, params: dict, m) -> dict[str, Part]:
    """Casualties killed or seriously injured, by collision month and district."""
    k = _ksi_frame(src)
    mask = k["ksi"].to_numpy(dtype=bool).copy()  # the frame is shared between measures
    if params.get("severity"):
        mask &= (k["severity"] == params["severity"]).to_numpy()
    if params.get("road_user"):
        mask &= (k["road_user"] == params["road_user"]).to_numpy()
    if params.get("impairment"):
        mask &= (k["impairment"] == params["impairment"]).to_numpy()
    age = k["age"].to_numpy()
    if params.get("min_age") is not None:
        mask &= age >= float(params["min_age"])
    if params.get("max_age") is not None:
        mask &= age <= float(params["max_age"])
    return _one(
        m,
        src.tally(k["t"].to_numpy()[mask], k["d"].to_numpy()[mask]),
        None,
        src.months("collisions"),
        sources=("collisions", "casualties"),
    )


@builder("ksi_collisions")
def ksi_collisions(src: Sources, params: dict, m) -> dict[str, Part]:
    """Collisions with at least one casualty killed or seriously injured."""
    k = _ksi_frame(src)
    first = k[k["ksi"]].drop_duplicates("pos")
    return _one(
        m,
        src.tally(first["t"].to_numpy(), first["d"].to_numpy()),
        None,
        src.months("collisions"),
        sources=("collisions", "casualties"),
    )


@builder("confidence_survey")
def confidence_survey(src: Sources, params: dict, m) -> dict[str, Part]:
    """The home force's 12-month survey result, stored at the period end (force only)."""
    src.need("confidence_survey")
    df = src.raw["confidence_survey"]
    home = src.reference.home_force
    sel = (df["force"].astype(str) == home) & (df["question"].astype(str) == params["question"])
    d = df[sel]
    o, valid = _month_ords(d["period_end"])
    t = np.where(valid, o - src.m0, -1)
    num = src.tally(t, None, pd.to_numeric(d["agreeing"], errors="coerce").fillna(0))
    den = src.tally(t, None, pd.to_numeric(d["respondents"], errors="coerce").fillna(0))
    cov = np.zeros(src.T, dtype=bool)
    cov[np.unique(t[(t >= 0) & (t < src.T)])] = True
    return {
        m.id: Part(
            {"rolling-12m": num},
            {"rolling-12m": den},
            cov,
            district_level=False,
            sources=("confidence_survey",),
            coverage_rule="end",
        )
    }


@builder("savings")
def savings(src: Sources, params: dict, m) -> dict[str, Part]:
    """Savings delivered to date (£m) against the plan to date; also the year's requirement."""
    src.need("savings")
    df = src.raw["savings"]
    o, valid = _month_ords(df["month"])
    t = np.where(valid, o - src.m0, -1)

    def col(name):
        return pd.to_numeric(df[name], errors="coerce").fillna(0).to_numpy(float) / 1e6

    cov = src.months("savings")
    return {
        m.id: Part(
            {"month": src.tally(t, None, col("delivered_to_date_gbp"))},
            {"month": src.tally(t, None, col("planned_to_date_gbp"))},
            cov,
            district_level=False,
            sources=("savings",),
        ),
        "savings_requirement": Part(
            {"month": src.tally(t, None, col("requirement_gbp"))},
            None,
            cov,
            district_level=False,
            sources=("savings",),
            unit="money",
        ),
    }


@builder("days_lost")
def days_lost(src: Sources, params: dict, m) -> dict[str, Part]:
    """Days lost to sickness (summed) over mean strength (averaged over the window's months)."""
    src.need("workforce")
    df = src.raw["workforce"]
    df = df[df["group"].astype(str) == params["group"]]
    o, valid = _month_ords(df["month"])
    t = np.where(valid, o - src.m0, -1)
    cov = np.zeros(src.T, dtype=bool)
    cov[np.unique(t[(t >= 0) & (t < src.T)])] = True
    num = src.tally(t, None, pd.to_numeric(df["days_lost"], errors="coerce").fillna(0))
    den = src.tally(t, None, pd.to_numeric(df["strength_fte"], errors="coerce").fillna(0))
    return _one(m, num, den, cov, district_level=False, sources=("workforce",), den_agg="mean")


#: Extracts each builder reads (for "source extract absent" when a builder cannot run).
BUILDER_SOURCES = {
    "count_incidents": ("incidents",),
    "count_crimes": ("crimes",),
    "repeat_da_incidents": ("incidents",),
    "repeat_da_victims": ("incidents",),
    "reoffenders": ("crimes", "crime_offenders"),
    "solved_rate": ("crimes",),
    "count_outcomes": ("crimes",),
    "satisfaction": ("satisfaction",),
    "emergency_attendance": ("incidents",),
    "response_time": ("incidents",),
    "calls": ("calls",),
    "drug_tests": ("drug_tests",),
    "ksi": ("collisions", "casualties"),
    "ksi_collisions": ("collisions", "casualties"),
    "repeat_victims_in_window": ("crimes",),
    "repeat_victims_previous_12_months": ("crimes",),
    "confidence_survey": ("confidence_survey",),
    "crimes_per_1000": ("crimes",),
    "outcome_breakdown": ("crimes",),
    "savings": ("savings",),
    "days_lost": ("workforce",),
}


# --------------------------------------------------------------------------- building


def build_cube(
    extracts: dict[str, pd.DataFrame],
    reference: Reference | dict | str | os.PathLike | None = None,
    measures: list[catalog_mod.Measure] | None = None,
) -> Cube:
    """Build the cube from loaded extracts.

    Parameters
    ----------
    extracts
        Extract name → DataFrame (as :func:`helpers.loading.load_extracts` returns). Absent extracts
        are allowed: their measures have no coverage and read "source extract absent".
    reference
        District and MSG reference tables: a :class:`Reference`, a dict with ``districts`` and
        ``msg_forces`` frames, or a folder holding the two CSV files; the committed ones when None.
    measures
        The catalog measures to build (all of them when None).

    Returns
    -------
    Cube
    """
    if reference is None:
        reference = Reference.load()
    elif isinstance(reference, dict):
        reference = Reference(reference["districts"], reference["msg_forces"])
    elif isinstance(reference, (str, os.PathLike)):
        reference = Reference.load(Path(reference))
    full = measures is None
    measures = list(catalog_mod.load_catalog()) if full else list(measures)
    with reuse_freed_memory():
        return _build(extracts, reference, measures, full)


def _build(extracts, reference: Reference, measures: list, full: bool) -> Cube:
    src = Sources(extracts, reference)
    if full:
        src.prefetch()
    geo_names = [*src.districts, UNASSIGNED]

    cols: dict[str, list] = {
        k: [] for k in ("measure_id", "window", "t", "level", "geography", "num", "den")
    }
    cov_rows: list[tuple[str, np.ndarray]] = []
    meta_rows = []

    def emit(mid, kind, level, names, num, den, covered_t):
        # num/den: [T, n] arrays; keep covered months only
        n = num.shape[1]
        k = covered_t.size
        if k == 0:
            return
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
                f"catalog measure {m.id!r}: builder {m.builder!r} is not defined in helpers.cube; "
                f"known: {', '.join(sorted(BUILDERS))}"
            )
    # Builders run cheapest-first, so the ids hashed by prefetch() are ready when needed; the
    # results are written in catalog order whatever the order they were built in.
    built = {}
    for i in sorted(range(len(measures)), key=lambda i: (_needs_ids(measures[i]), i)):
        m = measures[i]
        src.asked = []
        try:
            built[i] = BUILDERS[m.builder](src, m.params, m), _unrecorded(src)
        except _Absent as exc:
            built[i] = exc
    for i, m in enumerate(measures):
        if isinstance(built[i], _Absent):
            sources = BUILDER_SOURCES.get(m.builder, ())
            if m.builder == "repeat_da_victims":
                sources = (m.params.get("source", "incidents"),)
            missing = tuple(s for s in sources if not src.has(s)) or (built[i].name,)
            meta_rows.append(
                _meta_row(
                    m.id, m.unit, m, "sum", ("month",), "window", m.levels, sources, missing, ""
                )
            )
            continue
        parts, (unrecorded, never) = built[i]
        for mid, part in parts.items():
            levels = tuple(lv for lv in m.levels if part.district_level or lv == "force")
            covered_t = np.nonzero(part.covered)[0]
            kinds = tuple(part.num)
            for kind in kinds:
                num = part.num[kind]
                den = None if part.den is None else part.den[kind]
                if part.district_level:
                    if "district" in levels:
                        emit(mid, kind, "district", geo_names, num, den, covered_t)
                    if "lpa" in levels:
                        lp = num @ src.lpa_matrix
                        ld = None if den is None else den @ src.lpa_matrix
                        emit(mid, kind, "lpa", src.lpas, lp, ld, covered_t)
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
                    kinds,
                    part.coverage_rule,
                    levels,
                    part.sources,
                    (),
                    part.coverage_note,
                    unrecorded,
                    never,
                )
            )
    if cols["t"]:
        t = np.concatenate(cols["t"])
        frame = pd.DataFrame(
            {
                "measure_id": np.concatenate(cols["measure_id"]),
                "window": np.concatenate(cols["window"]),
                "month": month_labels(t + src.m0),
                "level": np.concatenate(cols["level"]),
                "geography": np.concatenate(cols["geography"]),
                "numerator": np.concatenate(cols["num"]).astype(float),
                "denominator": np.concatenate(cols["den"]).astype(float),
            }
        )
    else:
        frame = pd.DataFrame(
            {
                c: pd.Series(dtype=object)
                for c in ("measure_id", "window", "month", "level", "geography")
            }
            | {"numerator": pd.Series(dtype=float), "denominator": pd.Series(dtype=float)}
        )
    cov_ids = [np.full(ct.size, mid, dtype=object) for mid, ct in cov_rows]
    cov_t = [ct for _, ct in cov_rows]
    coverage = pd.DataFrame(
        {
            "measure_id": np.concatenate(cov_ids) if cov_ids else np.array([], dtype=object),
            "month": month_labels(np.concatenate(cov_t) + src.m0) if cov_t else np.array([], str),
        }
    )
    coverage["month"] = coverage["month"].astype(str)
    cube = Cube(
        frame=frame,
        coverage=coverage,
        data_to=src.data_to(),
        fingerprint="",
        peers=_peers(src),
        measures=pd.DataFrame(meta_rows),
        reference=reference,
    )
    return cube


def _needs_ids(m: catalog_mod.Measure) -> int:
    """0 for a builder that needs no hashed ids; else 1-3 by when :meth:`Sources.prefetch` has
    them ready (crime victims first, then incident victims, then offenders)."""
    if m.builder in ("repeat_victims_in_window", "repeat_victims_previous_12_months"):
        return 1
    if m.builder == "repeat_da_victims":
        return 1 if m.params.get("source") == "crimes" else 2
    return {"repeat_da_incidents": 2, "reoffenders": 3}.get(m.builder, 0)


def _unrecorded(src: Sources) -> tuple[dict[str, list[str]], list[str]]:
    """The columns the last builder's coverage asked for that are not recorded in some month.

    Returns ``"extract.column"`` → months (``YYYY-MM``) where the extract has rows but the column is
    empty on all of them, and the list of those empty in every month of the extract.
    """
    out: dict[str, list[str]] = {}
    never: list[str] = []
    for name, column in dict.fromkeys(src.asked):
        missing = src.unrecorded(name, column)
        if missing.any():
            key = f"{name}.{column}"
            out[key] = [str(s) for s in month_labels(np.nonzero(missing)[0] + src.m0)]
            if not (src._base_months(name) & ~missing).any():
                never.append(key)
    return out, never


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


def _peers(src: Sources) -> pd.DataFrame:
    frames = []
    if src.has("msg_peers"):
        p = src.raw["msg_peers"]
        o, valid = _month_ords(p["month"])
        frames.append(
            pd.DataFrame(
                {
                    "month": month_labels(o[valid]),
                    "force": p["force"].astype(str).to_numpy()[valid],
                    "measure_id": p["measure_id"].astype(str).to_numpy()[valid],
                    "window": "month",
                    "numerator": pd.to_numeric(p["numerator"], errors="coerce").to_numpy(float)[
                        valid
                    ],
                    "denominator": pd.to_numeric(p["denominator"], errors="coerce").to_numpy(float)[
                        valid
                    ],
                }
            )
        )
    if src.has("confidence_survey"):
        cs = src.raw["confidence_survey"]
        ids = {
            m.params.get("question"): m.id
            for m in catalog_mod.load_catalog()
            if m.builder == "confidence_survey"
        }
        o, valid = _month_ords(cs["period_end"])
        q = cs["question"].astype(str).map(ids)
        keep = (
            valid
            & q.notna().to_numpy()
            & (cs["force"].astype(str) != src.reference.home_force).to_numpy()
        )
        frames.append(
            pd.DataFrame(
                {
                    "month": month_labels(o[keep]),
                    "force": cs["force"].astype(str).to_numpy()[keep],
                    "measure_id": q.to_numpy()[keep].astype(str),
                    "window": "rolling-12m",
                    "numerator": pd.to_numeric(cs["agreeing"], errors="coerce").to_numpy(float)[
                        keep
                    ],
                    "denominator": pd.to_numeric(cs["respondents"], errors="coerce").to_numpy(
                        float
                    )[keep],
                }
            )
        )
    cols = ["month", "force", "measure_id", "window", "numerator", "denominator"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in cols[4:] else object) for c in cols})
    out = pd.concat(frames, ignore_index=True)[cols]
    out["month"] = out["month"].astype(str)
    return out.sort_values(["measure_id", "force", "month"], ignore_index=True)


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
    for module in _CUBE_CODE:
        h.update(Path(__file__).with_name(module).read_bytes())
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
    extracts = load_extracts(d, report=report)
    cube = build_cube(extracts, Reference.load())
    if _fingerprint(d) != fp:
        # The cube may mix files from before and after the change: neither cache nor return it.
        raise CubeError(
            f"{display_name(d)}: the extract files changed while they were being read; run again "
            "once the folder is complete"
        )
    cube.fingerprint = fp
    cube.extracts_report = report
    _write_cache(cube, d, _latest_dates(d, extracts))
    return cube


def _fingerprint(d: Path) -> str:
    # load_cube's parameter ``fingerprint`` hides the module function of that name there
    return fingerprint(d)


def _latest_dates(d: Path, extracts: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each extract file's latest date in any date column (ISO): what its validity rests on."""
    out = {}
    for name, df in extracts.items():
        cols = [c.name for c in EXTRACTS[name].columns if c.type in ("date", "datetime", "month")]
        latest = max((df[c].max() for c in cols if df[c].notna().any()), default=None)
        if latest is not None:
            out[extract_path(d, name).name] = pd.Timestamp(latest).isoformat()
    return out


def _check_dates_still_accepted(d: Path, body: dict) -> None:
    """Refuse a cache whose files would no longer pass validation: the content is the same (the
    fingerprint says so), but a file's modification time may have been set before its records."""
    for file_name, latest in body["latest_dates"].items():
        try:
            limit, _ = latest_accepted(d / file_name)
        except OSError as exc:
            raise _CacheInvalid(f"{file_name} cannot be read ({exc.strerror})") from None
        if np.datetime64(latest) > limit:
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
            # in the contract's order, as a fresh build gives it (the JSON keeps its keys sorted)
            data_to={
                k: periods.parse_month(body["data_to"][k])
                for k in sorted(body["data_to"], key=list(EXTRACTS).index)
            },
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
    "Sources",
    "UNASSIGNED",
    "Value",
    "build_cube",
    "fingerprint",
    "load_cube",
]
