"""The command line: ``python -m helpers.sources.police_uk --input ... --force ... --out ...``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from ...config import display_config_path
from .importer import import_street_files
from .mapping import PoliceUkImportError
from .output import IMPORT_MARKER, PROFILE_FOLDER, check_output_folder, write_import


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: import, write, print a summary and the elapsed time."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.sources.police_uk",
        description="Import data.police.uk street-level crime files (as downloaded) into the data "
        "contract: crimes, incidents (ASB) and msg_peers, with an import report. Relative paths "
        "are taken from the project root (as everywhere in helpers), not the current directory.",
    )
    parser.add_argument(
        "--input", required=True, help="folder with YYYY-MM/YYYY-MM-<force>-street.csv[.gz]"
    )
    parser.add_argument(
        "--force",
        required=True,
        help="the force's data.police.uk slug, as in data/reference/forces.csv, e.g. kent",
    )
    parser.add_argument(
        "--peers",
        default=None,
        help="comma-separated slugs of its Most Similar Group, e.g. essex,sussex (default: the "
        "profile's; none for a profile made from the files; '' for none)",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="the force's profile folder (districts, LPAs, aliases, peers); default: the one an "
        f"earlier import wrote in --out ({PROFILE_FOLDER}/), else one is made from the files and "
        f"written there",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="folder to write the extracts and the report: a new or empty folder, or one an "
        f"earlier import wrote (it holds {IMPORT_MARKER}); any other folder is refused (exit 2)",
    )
    parser.add_argument(
        "--months", default=None, help="FIRST:LAST, e.g. 2014-01:2014-11 (default: all)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    peers = None if args.peers is None else [p.strip() for p in args.peers.split(",") if p.strip()]
    try:
        out = check_output_folder(args.out)  # before the import: refused in a second, not a minute
        profile = args.profile
        if profile is None and (out / PROFILE_FOLDER / "force.yaml").exists():
            profile = out / PROFILE_FOLDER
            print(f"profile: {display_config_path(profile)} (written by an earlier import; kept)")
        result = import_street_files(args.input, args.force, peers, args.months, profile)
        out = write_import(result, args.out)
    except PoliceUkImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.profile_draft is not None:
        profile = out / PROFILE_FOLDER
        n = len(result.profile_draft.districts)
        print(
            f"profile: wrote {display_config_path(profile)} for {result.profile_draft.force_name} "
            f"({n} district{'s' if n != 1 else ''}, one LPA, peers: "
            f"{', '.join(result.profile_draft.msg_forces['force'].iloc[1:]) or 'none'})"
        )
    rw = result.report["rows_written"]
    print(
        f"read {result.report['rows_read']['total']:,} rows from {len(result.report['files'])} files"
    )
    print(
        f"wrote {out}: crimes {rw['crimes']:,}, incidents {rw['incidents']:,}, msg_peers {rw['msg_peers']:,}"
    )
    for w in result.warnings:
        print(f"warning: {w}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    last = max(result.report["months_expected"])
    print(
        "next: python -m helpers.pack "
        f"--month {last} --data {display_config_path(out)} --profile {display_config_path(profile)}"
    )
    return 0
