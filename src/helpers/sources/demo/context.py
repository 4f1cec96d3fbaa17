"""What every extract builder shares: the options, the id formats, the context (calendar,
reference tables, random streams, monthly series), small array helpers and the pools of persons."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...config import REFERENCE_DIR
from ...contract.extracts import EXTRACTS
from ...geography import UNASSIGNED
from .targets import (
    _YEAR,
    CALIBRATION_WINDOWS,
    DAY_S,
    DEFAULT_END,
    DEFAULT_SEED,
    DEFAULT_START,
    DISTRICT_CRIME_FACTOR,
    DISTRICT_RURAL,
    POOL_SHARE,
    SEASONAL,
    UNASSIGNED_SHARE,
    WINDOWS,
)


class UnreachableTargets(ValueError):
    """A seed's random volumes cannot meet the calibration targets (told without a traceback)."""


@dataclass
class DemoOptions:
    """What to generate: seed, scale and the months covered."""

    seed: int = DEFAULT_SEED
    scale: int = 1
    start: str = DEFAULT_START
    end: str = DEFAULT_END


#: Id formats by namespace: prefix and digits. Persons are ``V…`` (``B…`` for businesses: one
#: numbering for both, as a victim of crime and of an incident is the same person).
ID_FORMATS = {
    "crime": ("C", 8),
    "person": ("V", 8),
    "offender": ("O", 7),
    "incident": ("I", 8),
    "response": ("S", 7),
    "collision": ("RTC", 7),
    "casualty": ("CAS", 8),
    "drug_test": ("DT", 6),
    "victimless_case": ("VP", 6),
}


class _Ctx:
    """Calendar, reference tables and random streams shared by the extract builders.

    ``first_id`` (namespace → number) shifts every id of a namespace past the ids already used by
    earlier blocks; ``last_id`` records the highest id each namespace used, for the next block.
    """

    def __init__(
        self,
        opts: DemoOptions,
        reference_dir: Path = REFERENCE_DIR,
        first_id: dict[str, int] | None = None,
    ):
        if opts.scale < 1:
            raise ValueError(f"scale must be a positive integer, got {opts.scale}")
        self.opts = opts
        self.first_id = dict(first_id or {})
        self.last_id: dict[str, int] = {}
        self.seed = int(opts.seed)
        self.scale = int(opts.scale)
        self.months = pd.period_range(opts.start, opts.end, freq="M")
        if len(self.months) == 0:
            raise ValueError(f"no months between {opts.start} and {opts.end}")
        self.T = len(self.months)
        ts = self.months.to_timestamp()
        self.mstart = (ts.values.astype("datetime64[D]").astype(np.int64)).astype(np.int64)
        self.mlen = self.months.days_in_month.to_numpy().astype(np.int64)
        self.moy = self.months.month.to_numpy()
        self.start_day = int(self.mstart[0])
        self.end_day = int(self.mstart[-1] + self.mlen[-1] - 1)
        # months since April 2011, for trends that do not depend on the range generated
        self.mabs = np.array([(p - pd.Period("2011-04", "M")).n for p in self.months])
        d = pd.read_csv(reference_dir / "districts.csv")
        self.district_names = list(d["district"]) + [UNASSIGNED]
        self.district_lpa = list(d["lpa"]) + [None]
        self.n_districts = len(d)
        pop = d["population_2016"].to_numpy(float)
        self.pop = pop
        self.crime_w = pop * np.array([DISTRICT_CRIME_FACTOR.get(x, 1.0) for x in d["district"]])
        self.rural_share = np.array([DISTRICT_RURAL.get(x, 0.25) for x in d["district"]] + [0.25])
        self.forces = pd.read_csv(reference_dir / "msg_forces.csv")
        #: what each calibration step could not reach (target − achieved; 0 = exact)
        self.report: dict = {}

    # random streams: one per component, so a change in one never shifts another
    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode("utf-8"))])

    def ids(
        self, namespace: str, numbers: np.ndarray, valid: np.ndarray | None = None, prefix=None
    ):
        """Ids of ``namespace`` for 1-based ``numbers``, after those of earlier blocks.

        Raises
        ------
        ValueError
            An id would need more digits than the format has (a scale too large for it).
        """
        default_prefix, width = ID_FORMATS[namespace]
        shifted = np.asarray(numbers, np.int64) + self.first_id.get(namespace, 0)
        used = shifted if valid is None else shifted[np.asarray(valid, bool)]
        if used.size:
            top = int(used.max())
            if top >= 10**width:
                raise ValueError(
                    f"demo: {namespace} ids would pass {default_prefix}{'9' * width} at scale "
                    f"{self.scale} with ids from {self.first_id.get(namespace, 0) + 1} (the id "
                    f"format has {width} digits): choose a smaller --scale"
                )
            self.last_id[namespace] = max(self.last_id.get(namespace, 0), top)
        if prefix is None:
            return _arrow_ids(default_prefix, shifted, width, valid)
        return _prefixed_ids(prefix, shifted, width, valid)

    def month_index(self, month: str) -> int | None:
        i = (pd.Period(month, "M") - self.months[0]).n
        return i if 0 <= i < self.T else None

    def window(self, key: str) -> slice | None:
        """Month slice of a window if it lies wholly inside the generated range."""
        a, b = WINDOWS[key]
        ia, ib = self.month_index(a), self.month_index(b)
        if ia is None or ib is None:
            return None
        return slice(ia, ib + 1)

    def center(self, key: str) -> float:
        a, _ = WINDOWS[key]
        return (pd.Period(a, "M") - self.months[0]).n + 5.5

    def day_window(self, key: str) -> tuple[int, int] | None:
        sl = self.window(key)
        if sl is None:
            return None
        return int(self.mstart[sl.start]), int(self.mstart[sl.stop - 1] + self.mlen[sl.stop - 1])

    def day_windows(self, keys):
        """``(key, (first day, day after))`` of each window of ``keys`` (a dict's keys, or any
        iterable of window keys) that the generated months cover; the others are left out."""
        for key in keys:
            dw = self.day_window(key)
            if dw is not None:
                yield key, dw

    def month_of_day(self, day: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.mstart, day, side="right") - 1

    def level(self, anchors: dict[str, float]) -> np.ndarray:
        """Interpolate window values (placed at the window centres) to every month."""
        keys = sorted(anchors, key=self.center)
        x = np.array([self.center(k) for k in keys])
        y = np.array([anchors[k] for k in keys], float)
        return np.interp(np.arange(self.T), x, y)

    def series(
        self,
        name: str,
        anchors: dict[str, float],
        seasonal: str,
        noise: float = 0.025,
        exact: tuple[str, ...] = CALIBRATION_WINDOWS,
        scale: bool = True,
    ) -> np.ndarray:
        """Monthly integer counts: trend × seasonality × noise; calibration windows sum exactly."""
        rng = self.rng("series:" + name)
        k = self.scale if scale else 1
        season = np.asarray(SEASONAL[seasonal], float)
        season = season / season.mean()
        expected = self.level(anchors) / 12.0 * season[self.moy - 1]
        expected = expected * np.exp(noise * rng.standard_normal(self.T) - noise**2 / 2) * k
        counts = np.zeros(self.T, np.int64)
        fixed = np.zeros(self.T, bool)
        for key in exact:
            sl = self.window(key)
            if key in anchors and sl is not None:
                total = int(round(anchors[key] * k))
                counts[sl] = rng.multinomial(total, expected[sl] / expected[sl].sum())
                fixed[sl] = True
        counts[~fixed] = rng.poisson(expected[~fixed])
        return counts

    def days_in_months(self, rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
        """A uniformly random day (int days since 1970) in each record's month."""
        return self.mstart[month] + (rng.random(month.size) * self.mlen[month]).astype(np.int64)

    def districts_for(
        self,
        rng: np.random.Generator,
        n: int,
        weights: np.ndarray | None = None,
        unassigned: float = UNASSIGNED_SHARE,
    ) -> np.ndarray:
        w = self.crime_w if weights is None else weights
        p = np.append(w / w.sum() * (1 - unassigned), unassigned)
        return rng.choice(len(p), size=n, p=p)


# ===================================================================================== helpers
def _string_array(arr) -> pd.api.extensions.ExtensionArray:
    """A pandas ``string[pyarrow]`` array over an Arrow string array (no copy to Python objects)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pd.arrays.ArrowStringArray(arr)


def _arrow_ids(prefix: str, numbers: np.ndarray, width: int, valid: np.ndarray | None = None):
    """Pseudonymous ids such as ``V00000123`` as an Arrow-backed string array."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64))
    s = pc.utf8_lpad(pc.cast(arr, pa.string()), width, "0")
    s = pc.binary_join_element_wise(pa.scalar(prefix), s, "")
    if valid is not None:
        s = pc.if_else(pa.array(np.asarray(valid, bool)), s, pa.scalar(None, pa.string()))
    return _string_array(s)


def _prefixed_ids(prefix: pa.Array, numbers: np.ndarray, width: int, valid: np.ndarray | None):
    """Ids whose prefix differs by row (``prefix``: an Arrow string per row), e.g. ``V…`` or ``B…``."""
    num = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, np.int64)), pa.string()), width, "0")
    s = pc.binary_join_element_wise(prefix, num, "")
    if valid is not None:
        s = pc.if_else(pa.array(np.asarray(valid, bool)), s, pa.scalar(None, pa.string()))
    return _string_array(s)


def _arrow_cat(codes: np.ndarray, labels: list[str] | tuple[str, ...]):
    """Text column from integer codes (negative = empty)."""
    codes = np.asarray(codes)
    arr = pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32), mask=codes < 0), pa.array(list(labels), pa.string())
    ).cast(pa.string())
    return _string_array(arr)


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    out = (np.asarray(days, np.int64) * (DAY_S * 10**9)).view("datetime64[ns]")
    if valid is not None:
        out = out.copy()
        out[~valid] = np.datetime64("NaT")
    return out


def _times(seconds: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    out = (np.asarray(seconds, np.int64) * 10**9).view("datetime64[ns]")
    if valid is not None:
        out = out.copy()
        out[~valid] = np.datetime64("NaT")
    return out


def _months_ts(ctx: _Ctx, idx: np.ndarray) -> np.ndarray:
    return _dates(ctx.mstart[np.asarray(idx, np.int64)])


def _frame(name: str, cols: dict) -> pd.DataFrame:
    """A frame with the contract's columns in order (raises if one is missing)."""
    spec = EXTRACTS[name]
    missing = [c for c in spec.column_names if c not in cols]
    if missing:
        raise KeyError(f"demo {name}: columns {missing} not generated")
    return pd.DataFrame({c: cols[c] for c in spec.column_names})


def _shuffled_order(rng: np.random.Generator, key: np.ndarray) -> np.ndarray:
    """Order by an integer key (a day, a second), ties in random order."""
    key = np.asarray(key, np.int64)
    return np.argsort(key * (1 << 22) + rng.integers(0, 1 << 22, key.size), kind="stable")


def _mix_draw(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(probs, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _rowwise_draw(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """Draw one category per row from row-wise cumulative probabilities (last column 1)."""
    u = rng.random(cum.shape[0])
    return (u[:, None] > cum[:, :-1]).sum(axis=1)


def _lognormal_days(rng, median, sigma, n):
    return np.floor(np.exp(np.log(median) + sigma * rng.standard_normal(n))).astype(np.int64)


def _time_weight(ctx: _Ctx, idx) -> np.ndarray:
    """0 in spring 2012, 1 in spring 2016: mixes that drift over the period."""
    return np.clip((ctx.mabs[idx] - 12) / 48.0, 0, 1)


# ===================================================================================== pools
class _Pool:
    """Persons (or businesses) with gamma propensities and an active spell.

    Members active at the start of the range have an exponential remaining spell (so the pool is
    stationary); new members join uniformly over the range at the rate that keeps it so.
    """

    def __init__(self, ctx: _Ctx, name: str, active: int, shape: float, spell_years: float):
        rng = ctx.rng("pool:" + name)
        n0 = max(1, int(active * ctx.scale))
        span = (ctx.end_day - ctx.start_day + 1) / _YEAR
        n1 = int(n0 * span / spell_years)
        spell = spell_years * _YEAR
        self.entry = np.concatenate(
            [
                np.full(n0, ctx.start_day, np.int64),
                ctx.start_day
                + (rng.random(n1) * (ctx.end_day - ctx.start_day + 1)).astype(np.int64),
            ]
        )
        self.exit = self.entry + (rng.exponential(spell, n0 + n1)).astype(np.int64)
        self.weight = rng.gamma(shape, 1.0 / shape, n0 + n1)
        self.n = n0 + n1

    def draw_mixed(
        self, ctx: _Ctx, rng: np.random.Generator, month: np.ndarray, share: str, offset: int, fresh
    ) -> np.ndarray:
        """Person numbers: from the pool with the month's share, otherwise new one-off persons."""
        from_pool = rng.random(month.size) < ctx.level(POOL_SHARE[share])[month]
        out = np.empty(month.size, np.int64)
        out[from_pool] = offset + self.draw(ctx, rng, month[from_pool])
        out[~from_pool] = fresh(int((~from_pool).sum()))
        return out

    def draw(self, ctx: _Ctx, rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
        """One member per record, drawn with probability ∝ propensity among members active that month."""
        out = np.empty(month.size, np.int64)
        order = np.argsort(month, kind="stable")
        counts = np.bincount(month, minlength=ctx.T)
        pos = 0
        for m in range(ctx.T):
            k = counts[m]
            if k == 0:
                continue
            a, b = ctx.mstart[m], ctx.mstart[m] + ctx.mlen[m]
            w = np.where((self.entry < b) & (self.exit >= a), self.weight, 0.0)
            cw = np.cumsum(w)
            pick = np.searchsorted(cw, rng.random(k) * cw[-1], side="right")
            out[order[pos : pos + k]] = np.minimum(pick, self.n - 1)
            pos += k
        return out
