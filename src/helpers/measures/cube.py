"""The monthly measure cube: measure × month × geography → numerator, denominator.

Every catalog measure names a *builder*: a named query of ``helpers/measures/*.sql`` that defines
it, run by :mod:`helpers.measures.runner` over the extracts held in DuckDB. A builder gives, for
each month, the numerator and denominator of the measure in each district (or for the force only,
for force-wide sources such as call handling). The cube then adds districts up to Local Policing
Areas and the force. A record whose district is unknown is counted in the district ``Unassigned``,
which belongs to no LPA but is part of the force total, so for every additive measure
*force = sum of districts + Unassigned*.

Windows
    Additive measures are kept month by month (``window='month'``); a measure that does not add up
    over months (distinct victims with two or more crimes *in the window*) is kept for each window
    kind at every end month, and survey results at their period end. Reading a window's figure
    from them is :mod:`helpers.measures.figures` (:class:`Cube`, re-exported here).

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
    reference tables and the code that reads and builds (:func:`fingerprint`). Each cached file's
    checksum is recorded with it and checked on every read: an edited or half-written cache is
    rebuilt, never used. A pack
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

import hashlib
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import CACHE_DIR, resolve_path
from ..contract import catalog as catalog_mod
from ..contract import extracts
from ..contract.extracts import EXTRACTS
from ..geography import FORCE, UNASSIGNED
from ..profile import Profile, load_profile
from ..sources import loading
from ..sources.loading import LoadReport, display_name
from ..sources.loading import fingerprint as extracts_fingerprint
from . import runner
from .cache import (  # noqa: F401 - the cache's names, importable from here as before
    _CACHE_TABLES,
    KEEP_CACHED,
    _CacheInvalid,
    _canonical,
    _check_dates_still_accepted,
    _digest,
    _prune_cache,
    _read_cache,
    _write_cache_in,
)
from .figures import Cube, Reference, Value
from .runner import BUILDERS, CubeError, Part

CACHE_DIR_NAME = ".cache"

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
    reference_dir: Path | None = None,
) -> Cube:
    """Build the cube from an extract folder (read and checked in place) or from frames.

    Parameters
    ----------
    extracts
        The extract folder (:func:`load_cube` builds from it and caches), or extract name →
        DataFrame (as :func:`helpers.sources.loading.load_extracts` returns, or built in code: nothing is
        checked, a missing column is empty). Absent extracts are allowed: their measures have no
        coverage and read "source extract absent".
    reference
        District and MSG reference tables: a :class:`Reference`, a dict with ``districts`` and
        ``msg_forces`` frames, or a folder holding the two CSV files; the committed ones when None.
    measures
        The catalog measures to build (all of them when None).
    report
        For a folder: a :class:`helpers.sources.loading.LoadReport` to fill.
    reference_dir
        The folder ``reference`` was read from, named in the messages (a district not in its
        ``districts.csv``); the demo profile's when None.

    Returns
    -------
    Cube

    Raises
    ------
    helpers.sources.loading.DataValidationError
        A file of the folder breaks the data contract.
    """
    reference = _as_reference(reference)
    if isinstance(extracts, str | os.PathLike):
        with loading.connect(reference=(reference.districts, reference.msg_forces)) as con:
            named = {} if reference_dir is None else {"reference_dir": reference_dir}
            profiles = loading.read_extracts(con, extracts, report=report, **named)
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


#: The code whose change can change a cube's numbers: the builders, how extracts are read and
#: checked (every module of the loading package), and how the catalog is parsed.
def _cube_code() -> list[Path]:
    # the build (this module), the cached cube's format (cache.py), reading and checking the
    # extracts (every module of both packages) and the catalog
    return [
        Path(__file__),
        Path(__file__).with_name("cache.py"),
        *sorted(Path(loading.__file__).parent.glob("*.py")),
        *sorted(Path(extracts.__file__).parent.glob("*.py")),
        Path(catalog_mod.__file__),
    ]


def fingerprint(data_dir, profile: Profile | None = None) -> str:
    """Return the sha256 of a cube's inputs, by content.

    The inputs are the bytes of the extract files (:func:`helpers.sources.loading.fingerprint`: a
    correction keeping the file's size and modification time still changes it), the catalog, the
    profile's tables (districts, Most Similar Group, aliases; the demo force's when None) and the
    code that reads extracts and builds the cube.
    """
    profile = profile if profile is not None else load_profile()
    h = hashlib.sha256(extracts_fingerprint(resolve_path(data_dir)).encode())
    h.update(catalog_mod.CATALOG_FILE.read_bytes())
    code = _cube_code()
    code += sorted(catalog_mod.SQL_DIR.glob("*.sql")) + [catalog_mod.SQL_DIR / "runner.py"]
    for p in code:
        h.update(p.read_bytes())
    for p in profile.reference_files():
        if p.exists():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
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


def load_cube(
    data_dir=None,
    fingerprint: str | None = None,
    *,
    rebuild: bool = False,
    profile: Profile | str | os.PathLike | None = None,
) -> Cube:
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
    profile
        The force's profile (:class:`helpers.profile.Profile` or its folder; the demo force's when
        None): its districts and Most Similar Group, and the thresholds the data must meet
        (:func:`check_fits_profile`). The cube keeps it (``cube.profile``).

    Raises
    ------
    CubeError
        With ``fingerprint``: no cached cube of that fingerprint, or it does not verify. Without:
        the extract files changed while they were being read. Either way: the data does not fit
        the profile (:class:`ProfileMismatch`).
    helpers.profile.ProfileError
        The profile folder is missing or broken.
    helpers.sources.loading.DataValidationError
        An extract breaks the data contract.

    Examples
    --------
    >>> cube = load_cube("data/demo")                              # doctest: +SKIP
    >>> cube.data_to["crimes"]                                     # doctest: +SKIP
    Period('2016-09', 'M')
    >>> load_cube("data/demo", fingerprint=cube.fingerprint).data_to == cube.data_to  # doctest: +SKIP
    True
    """
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    cube = _load_cube(resolve_path(data_dir), fingerprint, rebuild, profile)
    cube.profile = profile
    check_fits_profile(cube, profile)
    return cube


def _load_cube(d: Path, fingerprint: str | None, rebuild: bool, profile: Profile) -> Cube:
    reference = Reference(profile.districts, profile.msg_forces)
    if fingerprint is not None:
        if rebuild:
            raise ValueError("load_cube: a snapshot (fingerprint) is read, never rebuilt")
        if not re.fullmatch(r"[0-9a-f]{64}", fingerprint):
            raise CubeError(f"{fingerprint!r} is not a data fingerprint (64 hexadecimal digits)")
        paths = _cache_paths(d, fingerprint)
        try:
            return _read_cache(paths, fingerprint, reference)[0]
        except _CacheInvalid as exc:
            raise CubeError(
                f"{display_name(paths['meta'])}: the cube of data fingerprint {fingerprint[:12]}… "
                f"cannot be used: {exc}. Run the pack again to build it from the data as it is now."
            ) from None
    fp = _fingerprint(d, profile)
    paths = _cache_paths(d, fp)
    if not rebuild and paths["meta"].exists():
        try:
            cube, body = _read_cache(paths, fp, reference)
            _check_dates_still_accepted(d, body)
            return cube
        except _CacheInvalid as exc:  # an edited, incomplete or outdated cache is rebuilt
            warnings.warn(
                f"cube cache {display_name(paths['meta'])} not used ({exc}); rebuilding",
                stacklevel=2,
            )
    report = LoadReport()
    cube = build_cube(d, reference, report=report, reference_dir=profile.folder)
    if _fingerprint(d, profile) != fp:
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


def _fingerprint(d: Path, profile: Profile) -> str:
    # load_cube's parameter ``fingerprint`` hides the module function of that name there
    return fingerprint(d, profile)


class ProfileMismatch(CubeError):
    """The data does not fit the force's profile: too many records Unassigned (the extracts are
    another force's, or districts were renamed), or more data-quality warnings than it accepts."""


#: A share of Unassigned records is judged only on a file with at least this many of them (a
#: handful of unplaced rows in a small sample says nothing about the profile).
MIN_UNASSIGNED_REFUSED = 100


def check_fits_profile(cube: Cube, profile: Profile) -> None:
    """Refuse data that does not fit ``profile`` (:class:`ProfileMismatch`).

    - A file whose records are more than ``max_unassigned_share`` Unassigned (and at least
      :data:`MIN_UNASSIGNED_REFUSED` of them): counted in the force, shown in no district, so the
      pages would hide most of the force's work. Districts the profile does not list at all are
      refused earlier, when the file is read (named with example rows).
    - More data-quality warnings than ``max_data_warnings`` (None: warnings never refuse);
      columns a source never records are not counted (``LoadReport.refusable_warnings``).
    """
    report = cube.extracts_report
    if report is None:
        return
    limit = profile.force.max_unassigned_share
    for r in report.extracts.values():
        n = r.rows_unassigned
        if n >= MIN_UNASSIGNED_REFUSED and n > limit * max(r.rows_loaded, 1):
            raise ProfileMismatch(
                f"{r.file}: {n:,} of {r.rows_loaded:,} records ({n / r.rows_loaded:.1%}) have no "
                f"district of profile {profile.name} ({profile.force.force_name}): more than its "
                f"max_unassigned_share of {limit:.0%}. Are these extracts this force's? Pass the "
                "force's own profile (--profile), map renamed districts in its "
                "district_aliases.csv, or raise max_unassigned_share in its force.yaml"
            )
    allowed = profile.force.max_data_warnings
    found = report.refusable_warnings()
    if allowed is not None and len(found) > allowed:
        listed = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise ProfileMismatch(
            f"{len(found)} data-quality warning(s), more than the {allowed} that "
            f"max_data_warnings in {profile.name}/force.yaml accepts: {listed}"
        )


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
