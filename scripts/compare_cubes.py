"""Compare two builds of the measure cube cell by cell, and print every difference.

Save a cube with whichever ``helpers`` is on the path, then compare two saved cubes::

    PYTHONPATH=/path/to/old/src python scripts/compare_cubes.py save data/demo /tmp/cube_old
    python scripts/compare_cubes.py save data/demo /tmp/cube_new
    python scripts/compare_cubes.py diff /tmp/cube_old /tmp/cube_new

``save`` builds the cube from the extract folder (``--frames``: through ``load_extracts`` and
``build_cube``, as the old engine did; by default through ``load_cube``'s path without its cache)
and writes its tables. ``diff`` compares the stored cells (every measure × window × month ×
geography: numerator and denominator), the coverage, the measure metadata, the MSG peers and the
dates each source runs to; then, reading both with the current ``Cube``, every figure
``Cube.value`` gives — availability and reason included — for every measure, window kind, month
and geography. Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["measure_id", "window", "month", "level", "geography"]
TABLES = ("frame", "coverage", "measures", "peers")


def save(data_dir: str, out: Path, frames: bool) -> None:
    from helpers.config import resolve_path
    from helpers.measures import cube as cube_mod

    t0 = time.perf_counter()
    if frames:
        from helpers.sources.loading import load_extracts

        cube = cube_mod.build_cube(load_extracts(data_dir), cube_mod.Reference.load())
    else:
        cube = cube_mod.load_cube(resolve_path(data_dir), rebuild=True)
    took = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        getattr(cube, name).to_parquet(out / f"{name}.parquet", index=False)
    data_to = {k: str(v) for k, v in cube.data_to.items()}
    (out / "data_to.json").write_text(json.dumps(data_to, indent=1, sort_keys=True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{out}: {len(cube.frame):,} cells in {took:.2f} s, peak RSS {peak:,.0f} MiB")


def _read(folder: Path):
    from helpers.measures.cube import Cube, Reference

    tables = {n: pd.read_parquet(folder / f"{n}.parquet") for n in TABLES}
    data_to = {
        k: pd.Period(v, "M") for k, v in json.loads((folder / "data_to.json").read_text()).items()
    }
    return tables, Cube(
        frame=tables["frame"],
        coverage=tables["coverage"],
        data_to=data_to,
        peers=tables["peers"],
        measures=tables["measures"],
        reference=Reference.load(),
    )


def _same(a: pd.Series, b: pd.Series, rtol: float) -> np.ndarray:
    x, y = a.to_numpy(float), b.to_numpy(float)
    return (np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=rtol, atol=0)


def diff(old_dir: Path, new_dir: Path, rtol: float, limit: int) -> int:
    from helpers.periods import window

    (old_t, old), (new_t, new) = _read(old_dir), _read(new_dir)
    found = 0

    def report(title: str, rows: pd.DataFrame) -> None:
        nonlocal found
        if len(rows):
            found += len(rows)
            print(f"\n{title}: {len(rows):,}")
            print(rows.head(limit).to_string(index=False))

    both = old_t["frame"].merge(
        new_t["frame"], on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    report("cells only in the old cube", both[both["_merge"] == "left_only"][KEY])
    report("cells only in the new cube", both[both["_merge"] == "right_only"][KEY])
    both = both[both["_merge"] == "both"]
    for part in ("numerator", "denominator"):
        bad = ~_same(both[f"{part}_old"], both[f"{part}_new"], rtol)
        report(f"cells whose {part} differs", both.loc[bad, [*KEY, f"{part}_old", f"{part}_new"]])
    cov = old_t["coverage"].merge(new_t["coverage"], how="outer", indicator=True)
    report("coverage months in one cube only", cov[cov["_merge"] != "both"])
    m = old_t["measures"].merge(
        new_t["measures"], on="measure_id", how="outer", suffixes=("_old", "_new")
    )
    for col in (c for c in old_t["measures"].columns if c != "measure_id"):
        a, b = m[f"{col}_old"].fillna("").astype(str), m[f"{col}_new"].fillna("").astype(str)
        if col == "kinds":  # the window kinds a measure is stored for: a set, in no order
            a, b = (x.map(lambda v: str(sorted(json.loads(v))) if v else v) for x in (a, b))
        report(
            f"measure metadata '{col}' differs",
            m.loc[a != b, ["measure_id", f"{col}_old", f"{col}_new"]],
        )
    pkey = ["month", "force", "measure_id", "window"]
    p = old_t["peers"].merge(
        new_t["peers"], on=pkey, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    bad = p["_merge"] != "both"
    for part in ("numerator", "denominator"):
        bad |= ~_same(p[f"{part}_old"], p[f"{part}_new"], rtol)
    report("MSG peer rows that differ", p[bad])
    if old.data_to != new.data_to:
        found += 1
        print(f"\ndata_to differs: {old.data_to} != {new.data_to}")

    # every figure value() gives, availability and reason included
    months = sorted(set(old_t["frame"]["month"]) | set(new_t["frame"]["month"]))
    months = pd.period_range(months[0], months[-1], freq="M") if months else []
    geos = old.geographies(include_unassigned=True)["geography"].tolist()
    rows = []
    ids = sorted(set(old_t["measures"]["measure_id"]) | set(new_t["measures"]["measure_id"]))
    for mid in ids:
        for kind in ("month", "rolling-12m", "fytd"):
            for mon in months:
                w = window(kind, mon)
                for g in geos:
                    try:
                        a = old.value(mid, w, g)
                    except KeyError as e:
                        a = str(e)
                    try:
                        b = new.value(mid, w, g)
                    except KeyError as e:
                        b = str(e)
                    if isinstance(a, str) or isinstance(b, str):
                        if a != b:
                            rows.append((mid, kind, str(mon), g, str(a), str(b)))
                        continue
                    same = (a.available, a.reason, a.as_of) == (b.available, b.reason, b.as_of)
                    for x, y in (
                        (a.numerator, b.numerator),
                        (a.denominator, b.denominator),
                        (a.value, b.value),
                    ):
                        if (x is None) != (y is None) or (
                            x is not None and not np.isclose(x, y, rtol=rtol, atol=0)
                        ):
                            same = False
                    if not same:
                        rows.append((mid, kind, str(mon), g, repr(a), repr(b)))
    report(
        "figures (Cube.value) that differ",
        pd.DataFrame(rows, columns=["measure", "window", "month", "geography", "old", "new"]),
    )
    print(
        f"\n{found:,} difference(s); compared {len(both):,} cells and {len(ids) * 3 * len(months) * len(geos):,} figures"
    )
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("save", help="build a cube and save its tables")
    s.add_argument("data_dir")
    s.add_argument("out", type=Path)
    s.add_argument("--frames", action="store_true", help="through load_extracts + build_cube")
    d = sub.add_parser("diff", help="compare two saved cubes")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    d.add_argument(
        "--rtol", type=float, default=1e-12, help="relative tolerance for sums of fractions"
    )
    d.add_argument("--limit", type=int, default=40, help="rows printed per kind of difference")
    args = parser.parse_args(argv)
    if args.command == "save":
        save(args.data_dir, args.out, args.frames)
        return 0
    return diff(args.old, args.new, args.rtol, args.limit)


if __name__ == "__main__":
    sys.exit(main())
