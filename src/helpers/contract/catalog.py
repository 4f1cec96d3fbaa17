"""The measure catalog: typed access to ``catalog.yaml``.

Notebooks iterate over the catalog; they never hard-code a measure's arithmetic.

Examples
--------
>>> m = measure("da_solved_rate")
>>> m.title, m.unit, m.polarity
('Domestic abuse solved rate', 'percent', 'higher_better')
>>> [m.id for m in measures_for(area=1, month="2016-09")][:2]
['da_incidents', 'da_repeat_incidents']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from ..config import ConfigError, read_yaml
from ..periods import PERIODS, parse_month
from .extracts import SOLVED_OUTCOMES

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
#: The measure definitions: SQL files, one family of measures each (run by helpers.measures.runner).
SQL_DIR = Path(__file__).parents[1] / "measures"
UNITS = ("count", "percent", "seconds", "minutes", "days", "money", "rate")
POLARITIES = ("higher_better", "lower_better", "neutral")
LEVELS = ("force", "lpa", "district")
WINDOWS = ("period", "month", "rolling-12m")
#: What a measure's change is measured against: the same window a year earlier, or its plan.
COMPARES = ("last_year", "plan")
#: Measure ids a builder adds beside its own (``outcome_breakdown``: one count per solved outcome
#: type, :mod:`helpers.measures.cube`); a relation between measures may name them.
DERIVED_IDS = tuple(f"disposal_{o}" for o in SOLVED_OUTCOMES)
#: Measure ids a builder adds for the whole year's plan of a plan-compared measure (``savings``:
#: the year's savings requirement); a measure's ``requirement`` may name them.
PLAN_TOTAL_IDS = ("savings_requirement",)

AREAS = {
    1: "Reducing Domestic Abuse",
    2: "Supporting Victims of Crime",
    3: "Reducing Youth Offending and Reoffending in General",
    4: "Tackling Consequences of Alcohol and Drug Abuse, and Mental Health Issues",
    5: "Improving Road Safety",
    6: "Improving Crime Prevention",
    7: "Increasing Efficiency in Policing through Collaborative Working and Innovation",
    8: "Organisational Health",
}
#: Short slugs used in notebook and page file names.
AREA_SLUGS = {
    1: "domestic_abuse",
    2: "victims",
    3: "reoffending",
    4: "alcohol_drugs_mental_health",
    5: "road_safety",
    6: "crime_prevention",
    7: "efficiency",
    8: "organisational_health",
}


class CatalogError(ConfigError):
    """The catalog file is not valid YAML or has a bad entry (a configuration error)."""


@dataclass(frozen=True)
class Measure:
    """One measure of the report, as declared in ``catalog.yaml``."""

    id: str
    title: str
    area: int
    unit: str
    builder: str
    polarity: str = "neutral"
    decimals: int = 1
    window: str = "period"
    lag: int = 0
    levels: tuple[str, ...] = LEVELS
    in_table: bool = True
    params: dict = field(default_factory=dict)
    comparable_from: pd.Period | None = None
    valid_from: pd.Period | None = None
    valid_to: pd.Period | None = None
    definition: str = ""
    footnote: str = ""
    printed_title: str | None = None
    msg: bool = False
    ci: bool = False
    #: Counts that add up to this one exactly (``ksi_all``: fatal + serious), in the same window
    #: and geography. Disclosure control reads the relations (:mod:`helpers.analysis.disclosure`).
    parts: tuple[str, ...] = ()
    #: A count whose records are some of this one's (victim-based crime within all crime): the
    #: rest, ``within`` minus this, is a count too, though no table prints it.
    within: str | None = None
    #: For a percent or a rate: the measures that are its ``numerator`` and ``denominator`` (a
    #: public denominator such as the population is left out); any two of the three give the third.
    rate_of: dict = field(default_factory=dict)
    #: What the change is measured against: ``last_year`` (the same window a year earlier) or
    #: ``plan`` (the plan to date, which the builder gives as the denominator: savings delivered
    #: against the savings plan). A plan-compared measure is money and has a better direction.
    compare: str = "last_year"
    #: With ``compare: plan``: the measure holding the plan for the whole financial year (savings:
    #: ``savings_requirement``), stated beside the plan to date.
    requirement: str | None = None

    @property
    def label(self) -> str:
        """The measure as printed in the table (the long published wording where there is one)."""
        return self.printed_title or self.title

    def window_kind(self, period: str) -> str:
        """The window this measure is reported on when the run's period is ``period``."""
        return period if self.window == "period" else self.window

    def valid_for(self, month: str | pd.Period) -> bool:
        """Whether this definition is the published one for a report of ``month``."""
        m = parse_month(month)
        return (self.valid_from is None or m >= self.valid_from) and (
            self.valid_to is None or m <= self.valid_to
        )

    def exists_at(self, level: str) -> bool:
        return level in self.levels


def _month_or_none(value, key: str, mid: str) -> pd.Period | None:
    if value is None:
        return None
    try:
        return parse_month(str(value))
    except ValueError as exc:
        raise CatalogError(f"catalog measure {mid!r}: {key}: {exc}") from None


def _build(entry: dict) -> Measure:
    mid = entry.get("id", "<no id>")
    known = {f.name for f in fields(Measure)}
    unknown = set(entry) - known
    if unknown:
        raise CatalogError(f"catalog measure {mid!r}: unknown key(s) {sorted(unknown)}")
    for key in ("id", "title", "area", "unit", "builder"):
        if key not in entry:
            raise CatalogError(f"catalog measure {mid!r}: missing key {key!r}")
    data = dict(entry)
    checks = {"unit": UNITS, "polarity": POLARITIES, "window": WINDOWS, "compare": COMPARES}
    for key, allowed in checks.items():
        if key in data and data[key] not in allowed:
            raise CatalogError(f"catalog measure {mid!r}: {key} {data[key]!r} not in {allowed}")
    if data["area"] not in AREAS:
        raise CatalogError(f"catalog measure {mid!r}: area {data['area']!r} not in 1-8")
    if "levels" in data:
        if not set(data["levels"]) <= set(LEVELS):
            raise CatalogError(f"catalog measure {mid!r}: levels {data['levels']} not in {LEVELS}")
        data["levels"] = tuple(data["levels"])
    if data["unit"] == "count":
        data.setdefault("decimals", 1)  # counts: the % change is printed to 1 decimal
    elif data["unit"] == "seconds":
        data.setdefault("decimals", 0)
    for key in ("comparable_from", "valid_from", "valid_to"):
        data[key] = _month_or_none(data.get(key), key, mid)
    data["params"] = dict(data.get("params") or {})
    if "parts" in data:
        parts = data["parts"]
        if not isinstance(parts, list) or len(parts) < 2 or len(set(parts)) != len(parts):
            raise CatalogError(
                f"catalog measure {mid!r}: parts must list two or more different measures, "
                f"not {parts!r}"
            )
        data["parts"] = tuple(str(p) for p in parts)
    if "within" in data and not isinstance(data["within"], str):
        raise CatalogError(
            f"catalog measure {mid!r}: within names one measure, not {data['within']!r}"
        )
    if "rate_of" in data:
        rate_of = data["rate_of"]
        if (
            not isinstance(rate_of, dict)
            or not rate_of
            or set(rate_of) - {"numerator", "denominator"}
        ):
            raise CatalogError(
                f"catalog measure {mid!r}: rate_of takes numerator and/or denominator, "
                f"not {rate_of!r}"
            )
        data["rate_of"] = {k: str(v) for k, v in rate_of.items()}
    _check_plan(data, mid)
    return Measure(**data)


def _check_plan(data: dict, mid: str) -> None:
    """Refuse a plan comparison the cube cannot make, and a ``requirement`` without one.

    The cube gives a money measure's figure as its numerator and its plan to date as its
    denominator (:meth:`helpers.measures.figures.Cube.value`); no other unit carries a plan.
    Ahead of or behind the plan reads better or worse only with a direction.
    """
    plan = data.get("compare") == "plan"
    if plan and data["unit"] != "money":
        raise CatalogError(
            f"catalog measure {mid!r}: compare: plan is for money measures (the plan is the "
            f"denominator of a money figure), not {data['unit']!r}"
        )
    if plan and data.get("polarity", "neutral") == "neutral":
        raise CatalogError(
            f"catalog measure {mid!r}: compare: plan needs a polarity (is ahead of plan better?)"
        )
    if plan and (data.get("ci") or data.get("msg")):
        raise CatalogError(
            f"catalog measure {mid!r}: compare: plan has no confidence interval or MSG rank"
        )
    req = data.get("requirement")
    if req is not None and not plan:
        raise CatalogError(f"catalog measure {mid!r}: requirement is for compare: plan only")
    if req is not None and req not in PLAN_TOTAL_IDS:
        raise CatalogError(
            f"catalog measure {mid!r}: requirement {req!r} is not a plan total a builder gives; "
            f"known: {', '.join(PLAN_TOTAL_IDS)}"
        )


@dataclass(frozen=True)
class Param:
    """A parameter a builder accepts, as its SQL declares it: ``-- param name: one of a, b``."""

    name: str
    #: ``text``, ``number`` (``a number``) or ``bool`` (``true or false``).
    kind: str = "text"
    #: The values allowed (``one of …``); None: any of the kind.
    allowed: tuple[str, ...] | None = None
    required: bool = False

    def problem(self, value) -> str | None:
        """Why ``value`` is not a valid value of this parameter, or None."""
        if self.kind == "bool" and not isinstance(value, bool):
            return f"{value!r} is not true or false"
        if self.kind == "number" and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            return f"{value!r} is not a number"
        if self.allowed is not None and str(value) not in self.allowed:
            return f"{value!r} is not one of {', '.join(self.allowed)}"
        return None


@dataclass(frozen=True)
class Builder:
    """One named query of a SQL file: what a catalog measure's ``builder`` names."""

    name: str
    file: str
    sql: str
    #: The extracts it reads (``-- sources: crimes``); ``$source``: the one its param names.
    sources: tuple[str, ...]
    params: dict[str, Param]


_PARAM = re.compile(r"-- param (\w+)( \(required\))?: (.*)")


@cache
def builders(folder: Path = SQL_DIR) -> dict[str, Builder]:
    """Read the builders the SQL files declare (``-- name:``, ``-- sources:``, ``-- param …:``)."""
    out = {}
    for path in sorted(folder.glob("*.sql")):
        chunks = re.split(r"^-- name: (\w+)\n", path.read_text(encoding="utf-8"), flags=re.M)
        for name, text in zip(chunks[1::2], chunks[2::2], strict=True):
            sources, params = (), {}
            for line in text.splitlines():
                if line.startswith("-- sources: "):
                    sources = tuple(s.strip() for s in line[12:].split(","))
                elif m := _PARAM.fullmatch(line):
                    desc = m[3].strip()
                    kind = {"a number": "number", "true or false": "bool"}.get(desc, "text")
                    allowed = tuple(desc[7:].split(", ")) if desc.startswith("one of ") else None
                    params[m[1]] = Param(m[1], kind, allowed, bool(m[2]))
            sql = text.strip().rstrip(";")
            out[name] = Builder(name, f"helpers/measures/{path.name}", sql, sources, params)
    return out


def _check_builder(m: Measure, known: dict[str, Builder]) -> None:
    """Refuse a measure whose builder is unknown or whose params the builder does not take."""
    b = known.get(m.builder)
    if b is None:
        raise CatalogError(
            f"catalog measure {m.id!r}: builder {m.builder!r} is not defined in "
            f"helpers/measures/*.sql; known: {', '.join(sorted(known))}"
        )
    for key, value in m.params.items():
        if key not in b.params:
            takes = ", ".join(b.params) or "no parameters"
            raise CatalogError(
                f"catalog measure {m.id!r}: builder {m.builder} ({b.file}) has no parameter "
                f"{key!r}; it takes {takes}"
            )
        why = b.params[key].problem(value)
        if why:
            raise CatalogError(f"catalog measure {m.id!r}: parameter {key}: {why}")
    missing = [p.name for p in b.params.values() if p.required and p.name not in m.params]
    if missing:
        raise CatalogError(
            f"catalog measure {m.id!r}: builder {m.builder} needs the parameter(s) {missing}"
        )


def _check_relations(items: tuple[Measure, ...], path: Path) -> None:
    """Refuse a relation naming an unknown measure, or one between figures that cannot add up.

    ``parts`` and ``within`` relate counts reported with the same lag (the same months); a
    ``rate_of`` is a percent or a rate whose numerator and denominator are counts.
    """
    by_id = {m.id: m for m in items}
    known = set(by_id) | set(DERIVED_IDS)

    def check(m: Measure, key: str, other: str) -> None:
        if other == m.id or other not in known:
            why = "itself" if other == m.id else "an unknown measure"
            raise CatalogError(f"{path}: measure {m.id!r}: {key} names {why} ({other!r})")
        o = by_id.get(other)  # a derived id is a count with the lag of its builder's measure
        if o is not None and o.unit != "count":
            raise CatalogError(
                f"{path}: measure {m.id!r}: {key} names {other!r}, a {o.unit}, not a count"
            )
        if o is not None and key != "rate_of" and o.lag != m.lag:
            raise CatalogError(
                f"{path}: measure {m.id!r}: {key} names {other!r}, reported {o.lag} months in "
                f"arrears where {m.id!r} is {m.lag}: their months would not match"
            )

    for m in items:
        for key, others in (
            ("parts", m.parts),
            ("within", (m.within,) if m.within else ()),
            ("rate_of", tuple(m.rate_of.values())),
        ):
            if others and key != "rate_of" and m.unit != "count":
                raise CatalogError(f"{path}: measure {m.id!r} ({m.unit}): {key} relates counts")
            if others and key == "rate_of" and m.unit not in ("percent", "rate"):
                raise CatalogError(
                    f"{path}: measure {m.id!r} ({m.unit}): rate_of is for a percent or a rate"
                )
            for other in others:
                check(m, key, other)


@cache
def load_catalog(path: Path = CATALOG_FILE) -> tuple[Measure, ...]:
    """Read and check the catalog (cached): fields, unique ids, builders and their parameters."""
    # libyaml's loader parses the catalog in ~5 ms instead of ~40 ms: it runs once per kernel.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries = read_yaml(path, "the measure catalog", loader=loader, error=CatalogError)
    items = tuple(_build(e) for e in entries)
    ids = [m.id for m in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"{path}: duplicate measure id(s) {dupes}")
    _check_relations(items, path)
    known = builders()
    for m in items:
        _check_builder(m, known)
    return items


def measure(measure_id: str) -> Measure:
    """The measure with this id; a clear error listing near names if unknown."""
    for m in load_catalog():
        if m.id == measure_id:
            return m
    raise KeyError(
        f"unknown measure {measure_id!r}; known: {', '.join(m.id for m in load_catalog())}"
    )


def measures_for(
    area: int | None = None,
    month: str | pd.Period | None = None,
    *,
    in_table: bool | None = True,
) -> list[Measure]:
    """Measures of an area (all areas if None), in catalog order.

    With ``month``, only the definitions valid for a report of that month (where a measure changed
    definition, the right one of the two). With ``in_table=None``, table and management-information
    measures alike.
    """
    out = []
    for m in load_catalog():
        if area is not None and m.area != area:
            continue
        if in_table is not None and m.in_table != in_table:
            continue
        if month is not None and not m.valid_for(month):
            continue
        out.append(m)
    return out


def check_period_for_catalog(period: str) -> None:
    if period not in PERIODS:
        raise CatalogError(f"unknown period {period!r}")
