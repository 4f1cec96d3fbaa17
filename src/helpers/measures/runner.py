"""Run the measure definitions (``helpers/measures/*.sql``) over the extracts held in DuckDB.

Each catalog measure names a *builder*: a named query of one of the SQL files, which is its
definition. The SQL returns cells — month (``mon``), district, ``numerator``, ``denominator`` —
and the function registered here for the builder turns them into :class:`Part` arrays and says
which months the measure *covers*: those where its source has records and every column it
filters on is recorded (the flag, ``victim_id``, …), and — for a rule that looks back 365 days or
forward six months, and for a solved rate, whose outcomes belong to crimes recorded before — where
the months it reads are covered too. The cube (:mod:`helpers.measures.cube`)
adds the districts up to LPAs and the force and does the window arithmetic.

Parameters reach the SQL in two ways: ``$name`` is bound as a SQL parameter; ``{name}`` (a flag or
a survey question: a column name, which SQL cannot bind) is replaced by the catalog's value,
checked against the values the SQL file declares, or by ``true`` when the catalog gives none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from ..contract import catalog as catalog_mod
from ..contract.extracts import EXTRACTS, SOLVED_OUTCOMES
from ..geography import UNASSIGNED
from ..sources.loading import create_empty, fetch_frame

#: Where the SQL files are.
SQL_DIR = catalog_mod.SQL_DIR
WINDOW_KINDS = ("fytd", "rolling-12m", "month")


class CubeError(ValueError):
    """The cube cannot be built or read (names the measure, the extract and the column)."""


class Absent(Exception):
    """A builder needs an extract that is not in the data folder."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


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


class Run:
    """One build of the cube: the DuckDB connection with the extracts, and the month range.

    Attributes
    ----------
    m0, T
        The months of the data: month ordinals (``pd.Period.ordinal``) ``m0 … m0 + T - 1``.
    districts
        District names in reference order; code ``len(districts)`` is ``Unassigned``.
    asked
        The ``(extract, column)`` pairs the current builder's coverage asked for.
    """

    def __init__(self, con, profiles: dict[str, pd.DataFrame | None], reference):
        self.con = con
        self.reference = reference
        self.present = set(profiles)
        self.profiles = {n: p for n, p in profiles.items() if p is not None and len(p)}
        ords = {n: _ordinals(p["mon"]) for n, p in self.profiles.items()}
        self.m0 = int(min(o.min() for o in ords.values())) if ords else 0
        self.T = int(max(o.max() for o in ords.values())) - self.m0 + 1 if ords else 1
        self._t = {n: o - self.m0 for n, o in ords.items()}
        self.districts = [str(d) for d in reference.districts["district"]]
        self.G = len(self.districts) + 1
        self.asked: list[tuple[str, str]] = []
        self._results: dict = {}
        for name in EXTRACTS:
            if name not in self.present:
                create_empty(con, name)
        first = pd.Period(ordinal=self.m0, freq="M")
        con.execute(
            "CREATE TABLE months AS SELECT mon FROM range(CAST(? AS TIMESTAMP), "
            "CAST(? AS TIMESTAMP), INTERVAL 1 MONTH) AS t(mon)",
            [first.start_time.to_pydatetime(), (first + self.T).start_time.to_pydatetime()],
        )
        con.execute("CREATE TABLE districts AS SELECT district, population FROM ref_districts")
        con.register("_solved", pd.DataFrame({"outcome_type": list(SOLVED_OUTCOMES)}))
        con.execute("CREATE TABLE solved_outcomes AS SELECT * FROM _solved")
        questions = {
            m.params["question"]: m.id
            for m in catalog_mod.load_catalog()
            if m.builder == "confidence_survey"
        }
        con.register(
            "_questions",
            pd.DataFrame({"question": list(questions), "measure_id": list(questions.values())}),
        )
        con.execute("CREATE TABLE confidence_questions AS SELECT * FROM _questions")
        con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
        # each person's records in order, shared by the repeat rules (one sort, not one a measure)
        con.execute((SQL_DIR / "ordered.sql").read_text(encoding="utf-8"))

    # ----------------------------------------------------------------- running the SQL
    def query(self, builder: str, params: dict) -> pd.DataFrame:
        """Run a builder's SQL with a measure's params: its cells, with ``t`` (the month as
        ``0 … T - 1``) instead of ``mon`` and ``g`` (the district's code) where it has one."""
        spec = catalog_mod.builders()[builder]
        sql = re.sub(r"\{(\w+)\}", lambda m: self._identifier(spec, m[1], params), spec.sql)
        bound = {p: params.get(p) for p in re.findall(r"\$(\w+)", sql)}
        if "home_force" in bound:
            bound["home_force"] = self.reference.home_force
        key = (builder, sql, tuple(sorted(bound.items(), key=str)))
        if key not in self._results:
            month = f"(year(mon) - 1970) * 12 + month(mon) - 1 - {self.m0}"
            try:
                cells = fetch_frame(
                    self.con,
                    f"SELECT {month} AS t, * EXCLUDE (mon) FROM ({sql}\n) WHERE mon IS NOT NULL",
                    bound,
                )
            except duckdb.Error as e:
                raise CubeError(
                    f"builder {builder} ({spec.file}): {str(e).splitlines()[0]}"
                ) from None
            cells = cells[(cells["t"] >= 0) & (cells["t"] < self.T)]
            if "district" in cells.columns:
                names = pd.Categorical(cells["district"], categories=[*self.districts, UNASSIGNED])
                cells = cells.assign(g=names.codes)
            self._results[key] = cells
        return self._results[key]

    @staticmethod
    def _identifier(spec, name: str, params: dict) -> str:
        """The column a ``{name}`` of the SQL stands for: the param's value, checked, or ``true``."""
        value = params.get(name)
        if value is None:
            return "true"
        allowed = spec.params[name].allowed
        if allowed is None or str(value) not in allowed:  # the catalog checks this too
            raise CubeError(f"builder {spec.name}: {name} {value!r} is not one of {allowed}")
        return '"' + str(value) + '"'

    def grid(self, cells: pd.DataFrame, column: str, district_level: bool = True) -> np.ndarray:
        """[T, G] (or [T, 1] for a force-only measure) of ``column`` of the cells, 0 elsewhere."""
        out = np.zeros((self.T, self.G if district_level else 1))
        values = cells[column].fillna(0).to_numpy(float)
        np.add.at(
            out, (cells["t"].to_numpy(), cells["g"].to_numpy() if district_level else 0), values
        )
        return out

    def present_months(self, cells: pd.DataFrame) -> np.ndarray:
        """Boolean [T]: the months with a cell (a source with no row in a month has no value)."""
        out = np.zeros(self.T, dtype=bool)
        out[cells["t"].to_numpy()] = True
        return out

    # ----------------------------------------------------------------- coverage
    def need(self, *names: str) -> None:
        for n in names:
            if n not in self.present:
                raise Absent(n)

    def months(self, name: str) -> np.ndarray:
        """Boolean [T]: the months where extract ``name`` has records."""
        self.need(name)
        return self._months_where(name, "_rows")

    def _months_where(self, name: str, column: str) -> np.ndarray:
        """Boolean [T]: the months where the profile of ``name`` counts ``column`` (filled rows)."""
        key = ("months", name, column)
        if key not in self._results:
            out = np.zeros(self.T, dtype=bool)
            p = self.profiles.get(name)
            if p is not None:
                out[self._t[name][p[column].to_numpy() > 0]] = True
            self._results[key] = out
        return self._results[key]

    def recorded(self, name: str, column: str) -> np.ndarray:
        """Boolean [T]: the months where some row of ``name`` has ``column`` filled.

        ``crime_offenders`` has no date of its own: its ``offender_id`` is recorded in the months
        of the crimes it links to.
        """
        if name != "crime_offenders":
            return self._months_where(name, column)
        key = ("offender months",)
        if key not in self._results:
            rows = self.con.execute(
                "SELECT DISTINCT (year(recorded_date) - 1970) * 12 + month(recorded_date) - 1 "
                "FROM crimes SEMI JOIN crime_offenders USING (crime_id) "
                "WHERE recorded_date IS NOT NULL"
            ).fetchall()
            out = np.zeros(self.T, dtype=bool)
            out[np.array([r[0] for r in rows], dtype=np.int64) - self.m0] = True
            self._results[key] = out
        return self._results[key]

    def base_months(self, name: str) -> np.ndarray:
        """The months ``name`` has records in; for ``crime_offenders``, those of ``crimes``."""
        return self.months("crimes" if name == "crime_offenders" else name)

    def covered(self, name: str, *columns: str) -> np.ndarray:
        """Boolean [T]: months where ``name`` has records and every one of ``columns`` is recorded.

        The pairs asked for are noted in :attr:`asked`, so the cube can say which column was not
        recorded in a month ("the domestic-abuse flag (domestic_abuse) is not recorded in crimes for Nov 2014").
        """
        cov = self.base_months(name).copy()
        for column in dict.fromkeys(columns):
            self.asked.append((name, column))
            cov &= self.recorded(name, column)
        return cov

    def unrecorded(self) -> tuple[dict[str, list[str]], list[str]]:
        """The columns the last builder's coverage asked for that are not recorded in some month:
        ``"extract.column"`` → months (``YYYY-MM``), and those recorded in no month at all."""
        out, never = {}, []
        for name, column in dict.fromkeys(self.asked):
            missing = self.base_months(name) & ~self.recorded(name, column)
            if missing.any():
                key = f"{name}.{column}"
                out[key] = [
                    str(pd.Period(ordinal=self.m0 + t, freq="M")) for t in np.flatnonzero(missing)
                ]
                if not (self.base_months(name) & ~missing).any():
                    never.append(key)
        return out, never


def _ordinals(mon: pd.Series) -> np.ndarray:
    """Month ordinals (months since January 1970) of month-start timestamps."""
    mon = pd.to_datetime(mon)
    return ((mon.dt.year - 1970) * 12 + mon.dt.month - 1).to_numpy(np.int64)


# --------------------------------------------------------------------------- builders
BUILDERS: dict[str, Callable[[Run, catalog_mod.Measure], dict[str, Part]]] = {}


def builder(fn):
    """Register the Python side of the builder of the same name."""
    BUILDERS[fn.__name__] = fn
    return fn


def sources(m: catalog_mod.Measure) -> tuple[str, ...]:
    """The extracts a measure's builder reads (its SQL's ``-- sources:``)."""
    declared = catalog_mod.builders()[m.builder].sources
    return tuple(m.params.get(s[1:], "") if s.startswith("$") else s for s in declared)


def _one(run: Run, m, covered, *, den: bool = False, **kw) -> dict[str, Part]:
    """The usual builder: the SQL's numerator (and denominator) by month and district."""
    cells = run.query(m.builder, m.params)
    level = kw.get("district_level", True)
    d = {"month": run.grid(cells, "denominator", level)} if den else None
    part = Part(
        {"month": run.grid(cells, "numerator", level)}, d, covered, sources=sources(m), **kw
    )
    return {m.id: part}


def _filter_columns(params: dict) -> tuple[str, ...]:
    """The crime columns a measure filters on (each must be recorded in a covered month)."""
    cols = [params["flag"]] if params.get("flag") else []
    return (*cols, *(["da_risk_level"] if params.get("da_risk_level") else []),
            *(["business"] if params.get("business") else []))  # fmt: skip


def _with_history(cov: np.ndarray, months: int) -> np.ndarray:
    """Covered months whose previous ``months`` months are covered too (365-day look-backs)."""
    ok = np.concatenate([[0], np.cumsum(cov)])
    t = np.arange(len(cov))
    return cov & (t >= months) & (ok[t + 1] - ok[np.maximum(t - months, 0)] == months + 1)


def _with_future(cov: np.ndarray, months: int) -> np.ndarray:
    """Covered months whose next ``months`` months are covered too (six-month follow-up)."""
    return _with_history(cov[::-1], months)[::-1]


def _with_fy_history(cov: np.ndarray, m0: int) -> np.ndarray:
    """Covered months whose financial year to date is covered (since-April rules)."""
    t = np.arange(len(cov))
    start = t - ((m0 + t) % 12 - 3) % 12  # the month index of the April before
    ok = np.concatenate([[0], np.cumsum(cov)])
    return (start >= 0) & (ok[t + 1] - ok[np.maximum(start, 0)] == t - start + 1)


LOOKS_BACK = "the rule looks back 365 days"


@builder
def count_crimes(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.covered("crimes", *_filter_columns(m.params)))


@builder
def crimes_per_1000(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.covered("crimes"), den=True, den_agg="mean")


@builder
def count_incidents(run: Run, m) -> dict[str, Part]:
    grade = ("grade",) if m.params.get("grade") is not None else ()
    return _one(run, m, run.covered("incidents", *_filter_columns(m.params), *grade))


#: A month's solved outcomes include crimes recorded months before (the outcome comes later): the
#: solved rate covers a month only once the extract holds the crimes of the months before it that
#: give all but this share of the solved outcomes (:meth:`Run.outcome_lookback`). Without it the
#: first months of an extract count only the outcomes of the crimes it holds, and read far too low.
OUTCOME_LOOKBACK_SHARE = 0.02
#: The most months a solved rate looks back for the crimes its outcomes belong to.
MAX_OUTCOME_LOOKBACK = 12


def outcome_lookback(lags: pd.DataFrame) -> int:
    """Months of crimes a month's solved outcomes need: the fewest ``k`` such that no more than
    :data:`OUTCOME_LOOKBACK_SHARE` of solved outcomes came more than ``k`` months after the crime
    was recorded (at most :data:`MAX_OUTCOME_LOOKBACK`; 0 when outcomes are dated in the month
    the crime was recorded, as data.police.uk's are).

    ``lags``: ``lag`` (whole months from recorded to outcome, negative taken as 0) and ``n``.

    >>> outcome_lookback(pd.DataFrame({"lag": [0, 1, 2, 7], "n": [50, 40, 9, 1]}))
    2
    >>> outcome_lookback(pd.DataFrame({"lag": [0], "n": [10]})), outcome_lookback(pd.DataFrame({"lag": [], "n": []}))
    (0, 0)
    """
    total = float(lags["n"].sum())
    if total <= 0:
        return 0
    lag = lags["lag"].clip(lower=0).to_numpy()
    n = lags["n"].to_numpy(dtype=float)
    for k in range(MAX_OUTCOME_LOOKBACK):
        if n[lag > k].sum() <= OUTCOME_LOOKBACK_SHARE * total:
            return k
    return MAX_OUTCOME_LOOKBACK


def _outcome_lags(run: Run) -> pd.DataFrame:
    """Solved outcomes by whole months from the crime's recording to its outcome (``lag``, ``n``)."""
    key = ("outcome lags",)
    if key not in run._results:
        run._results[key] = fetch_frame(
            run.con,
            "SELECT datediff('month', recorded_date, outcome_date) AS lag, count(*) AS n "
            "FROM crimes WHERE outcome_date IS NOT NULL AND recorded_date IS NOT NULL "
            "AND outcome_type IN (SELECT outcome_type FROM solved_outcomes) GROUP BY ALL",
            {},
        )
    return run._results[key]


@builder
def solved_rate(run: Run, m) -> dict[str, Part]:
    cov = run.covered("crimes", *_filter_columns(m.params))
    k = outcome_lookback(_outcome_lags(run))
    if not k:
        return _one(run, m, cov, den=True)
    note = f"solved outcomes come up to {k} months after the crime, so the months before are needed"
    return _one(run, m, _with_history(cov, k), den=True, coverage_note=note)


@builder
def count_outcomes(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.covered("crimes", *_filter_columns(m.params)))


@builder
def outcome_breakdown(run: Run, m) -> dict[str, Part]:
    cells, cov = run.query(m.builder, m.params), run.months("crimes")
    out, total = {}, np.zeros((run.T, run.G))
    for o in SOLVED_OUTCOMES:
        part = f"disposal_{o}"
        arr = run.grid(cells[cells["part"] == part], "numerator")
        out[part] = Part({"month": arr}, None, cov, sources=("crimes",), unit="count")
        total += arr
    out[m.id] = Part({"month": total}, None, cov, sources=("crimes",))
    return out


@builder
def repeat_da_incidents(run: Run, m) -> dict[str, Part]:
    """The SQL counts both rules (a column each): the numerator is the ``rule``'s column."""
    cov = run.covered("incidents", "domestic_abuse", "victim_id")
    num = {"month": run.grid(run.query(m.builder, m.params), m.params["rule"])}
    if m.params["rule"] == "previous_12_months":
        cov, note = _with_history(cov, 12), LOOKS_BACK
    else:
        cov, note = _with_fy_history(cov, run.m0), "the rule looks back to April"
    return {m.id: Part(num, None, cov, sources=sources(m), coverage_note=note)}


@builder
def repeat_da_victims(run: Run, m) -> dict[str, Part]:
    cov = run.covered(m.params["source"], "domestic_abuse", "victim_id")
    return _one(run, m, _with_history(cov, 12), coverage_note=LOOKS_BACK)


@builder
def repeat_victims_previous_12_months(run: Run, m) -> dict[str, Part]:
    cov = run.covered("crimes", "victim_id", *_filter_columns(m.params))
    return _one(run, m, _with_history(cov, 12), coverage_note=LOOKS_BACK)


@builder
def repeat_victims_in_window(run: Run, m) -> dict[str, Part]:
    """Precomputed per window kind (distinct victims do not add up over months)."""
    cells = run.query(m.builder, m.params)
    num = {
        k: run.grid(cells[cells["window_kind"] == k], "numerator")
        for k in ("month", "rolling-12m", "fytd")
    }
    cov = run.covered("crimes", "victim_id", *_filter_columns(m.params))
    return {m.id: Part(num, None, cov, sources=("crimes",))}


@builder
def reoffenders(run: Run, m) -> dict[str, Part]:
    """One query gives every age group (``age_group``): ``age`` keeps one, or all of them."""
    cells = run.query(m.builder, m.params)
    if m.params.get("age", "all") != "all":
        cells = cells[cells["age_group"] == m.params["age"]]
    cov = run.covered("crimes", *(("domestic_abuse",) if m.params.get("domestic_abuse") else ()))
    cov &= run.covered("crime_offenders", "offender_id")
    kw = {"sources": ("crimes", "crime_offenders")}
    offenders, reoff = run.grid(cells, "offenders"), run.grid(cells, "reoffenders")
    if m.params["measure"] == "offenders":
        return {m.id: Part({"month": offenders}, None, cov, **kw)}
    kw["coverage_note"] = "re-offending needs the six months after the cohort month"
    den = {"month": offenders} if m.params["measure"] == "rate" else None
    return {m.id: Part({"month": reoff}, den, _with_future(cov, 6), **kw)}


@builder
def emergency_attendance(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.covered("incidents", "grade", "urban_rural"), den=True)


@builder
def response_time(run: Run, m) -> dict[str, Part]:
    columns = ("grade", "urban_rural") if m.params.get("urban_rural") else ("grade",)
    return _one(run, m, run.covered("incidents", *columns), den=True)


@builder
def calls(run: Run, m) -> dict[str, Part]:
    cov = run.present_months(run.query(m.builder, m.params))
    return _one(run, m, cov, den=m.params["measure"] != "offered", district_level=False)


@builder
def satisfaction(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.months("satisfaction"), den=True)


@builder
def drug_tests(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.months("drug_tests"), den=True)


@builder
def ksi(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.months("collisions"))


@builder
def ksi_collisions(run: Run, m) -> dict[str, Part]:
    return _one(run, m, run.months("collisions"))


@builder
def confidence_survey(run: Run, m) -> dict[str, Part]:
    """Stored at the 12-month survey period's end; read there (``coverage_rule`` end)."""
    cells = run.query(m.builder, m.params)
    num, den = run.grid(cells, "numerator", False), run.grid(cells, "denominator", False)
    part = Part({"rolling-12m": num}, {"rolling-12m": den}, run.present_months(cells),
                district_level=False, sources=("confidence_survey",), coverage_rule="end")  # fmt: skip
    return {m.id: part}


@builder
def savings(run: Run, m) -> dict[str, Part]:
    cells, cov = run.query(m.builder, m.params), run.months("savings")
    out = _one(run, m, cov, den=True, district_level=False)
    requirement = run.grid(cells, "requirement", False)
    out["savings_requirement"] = Part({"month": requirement}, None, cov, district_level=False,
                                      sources=("savings",), unit="money")  # fmt: skip
    return out


@builder
def victimless_prosecutions(run: Run, m) -> dict[str, Part]:
    """The SQL gives every figure (a column each): the numerator is the ``figure``'s column.
    Finalised cases add up over months; the cases pending at a month's end do not, so every kind
    of window reads the count at its last month. The months covered run from the first case
    charged to the last month the case list speaks of (a case charged or finalised, or still
    open at its end): a month between them with no case charged is a month monitored."""
    cells, charged = run.query(m.builder, m.params), run.months("victimless_prosecutions")
    said = charged | run.present_months(cells[cells[["finalised", "pending"]].sum(axis=1) > 0])
    t = np.arange(run.T)
    cov = (t >= charged.argmax()) & (t <= run.T - 1 - said[::-1].argmax()) & charged.any()
    num = run.grid(cells, m.params["figure"])
    kinds = WINDOW_KINDS if m.params["figure"] == "pending" else ("month",)
    return {m.id: Part(dict.fromkeys(kinds, num), None, cov, sources=sources(m))}


@builder
def days_lost(run: Run, m) -> dict[str, Part]:
    cov = run.present_months(run.query(m.builder, m.params))
    return _one(run, m, cov, den=True, district_level=False, den_agg="mean")


def peers(run: Run) -> pd.DataFrame:
    """The Most Similar Group's figures (``msg.sql``): ``month, force, measure_id, window,
    numerator, denominator``, sorted by measure, force and month."""
    spec = catalog_mod.builders()["msg_peers"]
    return fetch_frame(run.con, spec.sql, {"home_force": run.reference.home_force})
