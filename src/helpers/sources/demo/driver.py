"""The driver: blocks and their seeds, the extracts in contract order, writing the folder (and its
``.complete`` marker) and the command line."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ...config import REFERENCE_DIR, resolve_path
from ...contract.extracts import EXTRACTS
from . import february
from .calls import _build_calls
from .context import DemoOptions, _Ctx, _Pool
from .crimes import (
    _build_crimes,
    _calibrate_risk,
    _calibrate_rural,
    _calibrate_victims,
    _Namespace,
)
from .incidents import _build_incidents
from .offenders import (
    _build_links,
    _calibrate_cohorts,
    _calibrate_february_cohorts,
    _crime_frames,
    _Offenders,
)
from .other import _build_drug_tests, _build_savings, _build_workforce
from .prosecutions import _build_victimless
from .roads import _build_roads
from .surveys import _build_confidence, _build_msg_peers, _build_satisfaction
from .targets import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, POOLS

COMPLETE_MARKER = ".complete"
GENERATOR_VERSION = 3

#: The largest scale generated in memory at once; larger scales are made in blocks of at most this.
MAX_BLOCK_SCALE = 16
#: Extracts with one row per record, each with an id of its own: generated block by block.
RECORD_EXTRACTS = (
    "crimes",
    "crime_offenders",
    "incidents",
    "satisfaction",
    "collisions",
    "casualties",
    "drug_tests",
    "victimless_prosecutions",
)
#: Extracts with one row per month (or day) and key: generated once, at the full scale, because
#: appending a block's rows would repeat their keys.
SUMMARY_EXTRACTS = ("calls", "confidence_survey", "msg_peers", "workforce", "savings")


def block_scales(scale: int, block_scale: int = MAX_BLOCK_SCALE) -> list[int]:
    """The scales of the blocks that make ``scale``: ``ceil(scale / block_scale)`` nearly equal ones.

    Examples
    --------
    >>> block_scales(16), block_scales(64), block_scales(20), block_scales(2, block_scale=1)
    ([16], [16, 16, 16, 16], [10, 10], [1, 1])
    """
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    if block_scale < 1:
        raise ValueError(f"block scale must be a positive integer, got {block_scale}")
    n = -(-scale // block_scale)
    base, extra = divmod(scale, n)
    return [base + 1] * extra + [base] * (n - extra)


def block_seed(seed: int, block: int) -> int:
    """The seed of block ``block``: the seed itself for block 0, one drawn from (seed, block) after.

    Block 0 of a large scale is therefore the same as a run at the block's scale alone.
    """
    if block == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(block)]).generate_state(1)[0])


def _extracts(ctx: _Ctx, report: dict, records: bool, summaries: bool):
    """Yield the record extracts and/or the summary extracts of one context, in contract order."""
    if records:
        pools = {name: _Pool(ctx, name, **POOLS[name]) for name in ("person", "da", "business")}
        ns = _Namespace({name: pools[name].n for name in ("person", "da", "business")})
        cr = _build_crimes(ctx, ns, pools)
        report["victims"] = _calibrate_victims(ctx, cr, ns)
        off = _Offenders(ctx, ns)
        l_crime, l_off = _build_links(ctx, cr, off)
        l_crime, l_off, report["cohorts"] = _calibrate_cohorts(ctx, cr, off, l_crime, l_off)
        linked = np.zeros(cr.n, bool)
        linked[l_crime] = True
        report["february"] = february.calibrate_crimes(ctx, cr, linked)
        # its Class A charges move with their crimes, offenders and all: those cohorts again
        l_crime, l_off, report["cohorts_after_february"] = _calibrate_february_cohorts(
            ctx, ctx.rng("cohort-calibration-after-february"), cr, off, l_crime, l_off
        )
        report["da_risk"] = _calibrate_risk(ctx, cr)
        report["rural"] = _calibrate_rural(ctx, cr)
        crimes, links = _crime_frames(ctx, cr, off, l_crime, l_off)
        del cr, l_crime, l_off, off
        victimless = _build_victimless(ctx, crimes)
        yield "crimes", crimes
        del crimes
        yield "crime_offenders", links
        del links
        yield "incidents", _build_incidents(ctx, ns, pools)
        del pools
    if summaries:
        yield "calls", _build_calls(ctx)
    if records:
        yield "satisfaction", _build_satisfaction(ctx)
    if summaries:
        yield "confidence_survey", _build_confidence(ctx)
        yield "msg_peers", _build_msg_peers(ctx)
    if records:
        collisions, casualties = _build_roads(ctx)
        yield "collisions", collisions
        yield "casualties", casualties
        del collisions, casualties
        yield "drug_tests", _build_drug_tests(ctx)
    if summaries:
        yield "workforce", _build_workforce(ctx)
        yield "savings", _build_savings(ctx)
    if records:
        yield "victimless_prosecutions", victimless
    report.update(ctx.report)


def generate(
    options: DemoOptions | None = None,
    reference_dir: Path = REFERENCE_DIR,
    report: dict | None = None,
    *,
    block_scale: int = MAX_BLOCK_SCALE,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """Yield ``(extract name, frame)`` for every extract of the contract, one at a time.

    Up to ``block_scale`` every extract is yielded once. Above it, each record extract
    (:data:`RECORD_EXTRACTS`) is yielded once per block, block after block, its ids numbered after
    those of the blocks before; then the summary extracts (:data:`SUMMARY_EXTRACTS`) once, made at
    the full scale. Concatenating an extract's frames in the order yielded gives the whole extract.

    Parameters
    ----------
    options
        Seed, scale and months (defaults: seed 2016, scale 1, April 2011 to December 2016).
    reference_dir
        Folder with ``districts.csv`` and ``msg_forces.csv``.
    report
        If given, filled with what the calibration could not reach (differences from the targets);
        with several blocks, one entry ``"block <b>"`` per block.
    block_scale
        The largest scale generated at once (:data:`MAX_BLOCK_SCALE`; tests use smaller blocks).
    """
    opts = options or DemoOptions()
    report = {} if report is None else report
    scales = block_scales(opts.scale, block_scale)
    if len(scales) == 1:
        yield from _extracts(_Ctx(opts, reference_dir), report, records=True, summaries=True)
        return
    first_id: dict[str, int] = {}
    for b, k in enumerate(scales):
        block = DemoOptions(block_seed(opts.seed, b), k, opts.start, opts.end)
        ctx = _Ctx(block, reference_dir, first_id=first_id)
        residuals: dict = {}
        yield from _extracts(ctx, residuals, records=True, summaries=False)
        report[f"block {b}"] = residuals
        first_id.update(ctx.last_id)  # the next block numbers its ids after these
        del ctx
    yield from _extracts(_Ctx(opts, reference_dir), report, records=False, summaries=True)


def generate_frames(options: DemoOptions | None = None, **kwargs) -> dict[str, pd.DataFrame]:
    """All extracts in memory (small ranges and tests); :func:`write_demo` writes them one at a time.

    An extract made in several blocks is their frames concatenated.
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    for name, frame in generate(options, **kwargs):
        parts.setdefault(name, []).append(frame)
    return {
        name: parts[name][0] if len(parts[name]) == 1 else pd.concat(parts[name], ignore_index=True)
        for name in EXTRACTS
        if name in parts
    }


def write_demo(
    out: str | os.PathLike,
    options: DemoOptions | None = None,
    *,
    quiet: bool = True,
    block_scale: int = MAX_BLOCK_SCALE,
) -> dict:
    """Write every extract as Parquet into ``out`` and the ``.complete`` marker last.

    The files are written into a temporary folder beside ``out`` which replaces ``out`` only when
    complete, so a reader never sees a half-written folder as complete. An extract made in blocks
    (scales above ``block_scale``) is appended to its file block after block, so memory holds one
    block at a time.

    Returns
    -------
    dict
        The marker's content: seed, scale, months, rows per extract, calibration residuals, and
        with several blocks each block's seed and scale.
    """
    opts = options or DemoOptions()
    scales = block_scales(opts.scale, block_scale)
    dest = resolve_path(out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    rows: dict[str, int] = {}
    report: dict = {}
    t0 = time.perf_counter()
    try:
        writers: dict[str, pq.ParquetWriter] = {}
        try:
            for name, frame in generate(opts, report=report, block_scale=block_scale):
                # what DataFrame.to_parquet(index=False) writes, kept open for the next block
                table = pa.Table.from_pandas(frame, preserve_index=False)
                del frame
                if name not in writers:
                    writers[name] = pq.ParquetWriter(
                        tmp / f"{name}.parquet", table.schema, compression="snappy"
                    )
                writers[name].write_table(table)
                rows[name] = rows.get(name, 0) + table.num_rows
                if not quiet:
                    print(
                        f"  {name:18s} {table.num_rows:>10,} rows  "
                        f"{time.perf_counter() - t0:6.1f} s",
                        flush=True,
                    )
                del table
        finally:
            for writer in writers.values():
                writer.close()
        marker = {
            "generator": "helpers.demo",  # as earlier folders were marked
            "version": GENERATOR_VERSION,
            "seed": opts.seed,
            "scale": opts.scale,
            "start": opts.start,
            "end": opts.end,
            "rows": rows,
            "calibration_residuals": _jsonable(report),
        }
        if len(scales) > 1:
            marker["blocks"] = [
                {"seed": block_seed(opts.seed, b), "scale": k} for b, k in enumerate(scales)
            ]
        (tmp / COMPLETE_MARKER).write_text(
            json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        if dest.exists():
            dest.rename(old)
        tmp.rename(dest)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return marker


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def is_complete(folder: str | os.PathLike) -> bool:
    """True when ``folder`` holds a finished demo data set (its ``.complete`` marker exists)."""
    return (resolve_path(folder) / COMPLETE_MARKER).exists()


def main(argv: list[str] | None = None) -> int:
    """Run the command line: write the demo folder and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.sources.demo",
        description=sys.modules[__package__].__doc__.split("\n\n")[0],  # the package's summary
    )
    parser.add_argument("--out", default="data/demo", help="destination folder (default data/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--scale", type=int, default=1, help="multiply every volume by K (1, 4, 16, 64 …)"
    )
    parser.add_argument("--start", default=DEFAULT_START, help="first month, YYYY-MM")
    parser.add_argument("--end", default=DEFAULT_END, help="last month, YYYY-MM")
    parser.add_argument(
        "--block-scale",
        type=int,
        default=MAX_BLOCK_SCALE,
        help=f"largest scale made in memory at once; above it, blocks (default {MAX_BLOCK_SCALE})",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    marker = write_demo(
        args.out,
        DemoOptions(args.seed, args.scale, args.start, args.end),
        quiet=args.quiet,
        block_scale=args.block_scale,
    )
    total = sum(marker["rows"].values())
    print(
        f"wrote {resolve_path(args.out)}: {total:,} rows in {len(marker['rows'])} extracts "
        f"(seed {args.seed}, scale {args.scale}) in {time.perf_counter() - t0:.1f} s"
    )
    return 0
