"""Generate the demo force: deterministic, realistic, calibrated record-level extracts.

The demo force is Essex-sized: the 14 districts of ``profiles/demo/districts.csv`` in three LPAs,
April 2011 to December 2016, one file per extract of :data:`helpers.contract.extracts.EXTRACTS`.

Calibration is by construction. Every published figure (``tests/golden/published_tables.csv``)
becomes an explicit target: monthly counts are drawn so that each calibration window sums to its
target exactly (seasonality and noise inside the window), survey answers are ranked so that each
window has the published number of satisfied answers, and the measures built on persons (repeat
victims, repeat incidents, re-offending cohorts) come from pools of victims and offenders with
heterogeneous (gamma) propensities, then are nudged to the published value by relabelling a few
records (a crime moved to a new pseudonymous victim, an offender link moved to another offender).
The March 2014 report's "since last month" labels compare each
financial-year-to-date change with February's (the difference of the two unrounded changes,
rounded once): within each of the two financial years, records are then moved (or swap an
answer, an outcome, a victim, a casualty's details) between March and the months before it so
that April–February gives a change that makes the published label, each year's totals
unchanged (``february``, random streams of its own: nothing outside April 2012 – March 2014
changes). The September 2016 report's emergency-incidents table (April–September 2015 and 2016,
the force and its LPAs) is made exact the same way, after the rolling years' attendance: a few
plain grade 1 incidents regraded or moved to another LPA or to ``Unassigned``, response times moved
across the standard, and the rolling year's rate restored in its October–March (``incidents``,
a random stream of its own: nothing outside October 2014 – September 2016 changes). Nothing in
the cube knows about the targets.

Usage::

    python -m helpers.sources.demo --out data/demo [--seed 2016] [--scale 1] [--start 2011-04] [--end 2016-12]

``--scale K`` multiplies every volume (K = 1, 4, 16: one force to a large region; K = 64: about
40 million crimes and 90 million incidents, a national dataset); calibration holds at K = 1. The
folder is written beside the destination and renamed into place; the ``.complete`` marker (seed,
scale, row counts) is its last file.

Large scales are made in blocks, so that memory stays that of one block. Up to
:data:`MAX_BLOCK_SCALE` (16: 9.7 million crimes, a peak of 5.4 GiB) everything is generated at
once, exactly as it always was. Above it, the record-level extracts (crimes, offender links, incidents, survey
responses, collisions, casualties, drug tests) are generated as ``ceil(K / 16)`` blocks of nearly
equal scale, one after another, each appended to its extract's file: block 0 uses the seed itself,
the others a seed of their own (:func:`block_seed`), and every block numbers its ids after the
highest ids of the blocks before it, so ids stay unique and a block's crimes, victims and offenders
refer only to each other (a block is like one force of a national dataset, in the same districts).
The extracts that hold one row per month (or day) and key — calls, savings, workforce, the MSG
peers and the public-confidence survey — would repeat their keys if appended, so they are
generated once, at the full scale. ``--block-scale`` sets the largest block (tests use 1).

The package, one module per part, each importing only those before it: ``targets`` (calibration
windows, published targets, shapes), ``context`` (options, id formats, the shared context, array
helpers, pools of persons), ``crimes``, ``offenders``, ``incidents``, ``calls``, ``surveys``,
``roads``, ``other`` (drug tests, workforce, savings), ``february`` (the previous month of the
March 2014 report, used by the builders) and ``driver`` (blocks, writing, the command
line). This module re-exports the public API.
"""

from __future__ import annotations

from .context import ID_FORMATS, DemoOptions
from .driver import (
    COMPLETE_MARKER,
    GENERATOR_VERSION,
    MAX_BLOCK_SCALE,
    RECORD_EXTRACTS,
    SUMMARY_EXTRACTS,
    block_scales,
    block_seed,
    generate,
    generate_frames,
    is_complete,
    main,
    write_demo,
)
from .other import DRUG_TEST_PILOT
from .targets import DEFAULT_END, DEFAULT_SEED, DEFAULT_START, HOME_FORCE

__all__ = [
    "COMPLETE_MARKER",
    "DEFAULT_END",
    "DEFAULT_SEED",
    "DEFAULT_START",
    "DRUG_TEST_PILOT",
    "GENERATOR_VERSION",
    "HOME_FORCE",
    "ID_FORMATS",
    "MAX_BLOCK_SCALE",
    "RECORD_EXTRACTS",
    "SUMMARY_EXTRACTS",
    "DemoOptions",
    "block_scales",
    "block_seed",
    "generate",
    "generate_frames",
    "is_complete",
    "main",
    "write_demo",
]
