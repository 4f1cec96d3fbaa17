"""The pack's command line: its options and their help (``python -m helpers.pack --help``).

:func:`helpers.pack.runner.main` reads them with :func:`parse_args` and checks them
(:func:`helpers.pack.runner.check_parameters`) before anything runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from ..periods import PERIODS
from .errors import EXIT_CODES_HELP
from .execute import DEFAULT_TIMEOUT


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.pack",
        description="Execute the pack's notebooks for a month and publish self-contained HTML "
        "(index.html, one page per area, tables.csv, run.json) and pack.pdf to reports/<month>/.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--month", required=True, help="report month, YYYY-MM (e.g. 2016-09)")
    parser.add_argument(
        "--period",
        default="rolling-12m",
        help=f"reporting window: {' | '.join(PERIODS)} (default rolling-12m)",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="extract folder, relative to the project root or absolute (default data/demo)",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="the force's profile folder (name, marking, districts, peers; see profiles/README.md); "
        "default: the data folder's own profile/ if it has one, else profiles/demo",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="folder the pack is published to (default reports/<month>); replaced atomically",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks executed at once, one kernel each (default: the number of CPUs)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds any one cell of a notebook may run before the notebook fails "
        f"(papermill execution_timeout; default {DEFAULT_TIMEOUT})",
    )
    parser.add_argument(
        "--notebooks",
        default=None,
        help="comma-separated notebook numbers to run, e.g. 00,06 (default: all). The other pages "
        "are kept from the published pack, which must have been made for the same month, period "
        "and data (else exit 2); with no published pack the new one holds only these pages",
    )
    parser.add_argument(
        "--no-pdf",
        action="store_true",
        help="do not write pack.pdf (the whole pack as one numbered PDF, printed by headless "
        "Chromium; a few seconds): for a quick re-run",
    )
    parser.add_argument(
        "--notebooks-dir",
        default=None,
        help="folder holding the notebooks (default notebooks/)",
    )
    return parser.parse_args(argv)
