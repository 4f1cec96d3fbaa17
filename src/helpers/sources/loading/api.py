"""The public API: read and check a folder into a connection (:func:`read_extracts`) or into
frames (:func:`load_extracts`), its load report, the fingerprint of its files, and the command line
``python -m helpers.sources.loading <folder>``."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ...config import REFERENCE_DIR, resolve_path
from ...contract.extracts import EXTRACTS
from .extract import _fill_report, _latest_date, _link_problems, _validate_file, month_profile
from .files import (
    _extract,
    _ignored_files,
    available_extracts,
    connect,
    display_name,
    districts,
    extract_path,
)
from .frames import _to_frame
from .report import DataValidationError, LoadReport, Problem, _error


# --------------------------------------------------------------------------- public API
def read_extracts(
    con,
    data_dir,
    names: Iterable[str] | None = None,
    report: LoadReport | None = None,
    *,
    reference_dir: Path = REFERENCE_DIR,
    required: bool = False,
) -> dict[str, pd.DataFrame | None]:
    """Check every extract present (or those named) and make each a table of ``con``, or raise.

    Every file is checked before this returns: if one breaks the contract, a single
    :class:`DataValidationError` lists the problems of every bad file. Returns extract name →
    :func:`month_profile` of each extract read (absent extracts are not in it).
    """
    d = resolve_path(data_dir)
    report = report if report is not None else LoadReport()
    report.extracts, report.absent, report.errors = {}, [], []  # a reused report starts afresh
    report.data_dir = display_name(d)
    wanted = list(EXTRACTS) if names is None else [_extract(n).name for n in names]
    refs = (
        display_name(reference_dir / "districts.csv"),
        display_name(reference_dir / "msg_forces.csv"),
    )
    report.ignored_files = _ignored_files(d)
    problems: list[Problem] = []
    profiles: dict[str, pd.DataFrame | None] = {}
    for name in wanted:
        path = extract_path(d, name)
        if path is None:
            report.absent.append(name)
            if required:
                shown = display_name(d / f"{name}.parquet")
                problems.append(
                    Problem(shown, None, f"file not found (nor {name}.csv or {name}.csv.gz)")
                )
            continue
        report.extracts[name], file_problems = _validate_file(con, name, path, refs)
        problems += file_problems
        if not file_problems:
            profiles[name] = month_profile(con, name)
            _fill_report(report.extracts[name], profiles[name])
            report.extracts[name].latest_date = _latest_date(con, name)
    problems += _link_problems(con, report.extracts, set(profiles))
    _unassigned_causes(d, report)
    if problems:
        report.errors = [f"{p.file}: {p.describe()}" for p in problems]
        for name in profiles:
            report.extracts[name].rows_loaded = 0
        raise _error(problems)
    return profiles


#: Written by the data.police.uk importer beside the extracts it writes.
IMPORT_REPORT = "import_report.json"
#: Its counts of the records it left Unassigned, by cause.
_IMPORT_CAUSES = {
    "no_location": "without a location",
    "outside_force_area": "outside the force's districts",
}


def _unassigned_causes(d: Path, report: LoadReport) -> None:
    """Fill each extract's ``unassigned_causes`` from the import report beside it, if any (the
    extract files hold only the word Unassigned; the importer knew why)."""
    try:
        imported = json.loads((d / IMPORT_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for name, r in report.extracts.items():
        causes = {}
        for key, cause in _IMPORT_CAUSES.items():
            count = (imported.get(key) or {}).get("count") if isinstance(imported, dict) else None
            n = count.get(name) if isinstance(count, dict) else None
            if isinstance(n, int) and n > 0:
                causes[cause] = n
        r.unassigned_causes = causes


def load_extract(
    data_dir, name: str, report: LoadReport | None = None, *, reference_dir: Path = REFERENCE_DIR
) -> pd.DataFrame:
    """Read one extract, check it against the contract and return it in the contract's dtypes.

    Raises
    ------
    DataValidationError
        The file is missing, unreadable or breaks the contract (every problem listed).
    KeyError
        ``name`` is not an extract of the contract.
    """
    return load_extracts(data_dir, [name], report, reference_dir=reference_dir, required=True)[name]


def load_extracts(
    data_dir,
    names: Iterable[str] | None = None,
    report: LoadReport | None = None,
    *,
    reference_dir: Path = REFERENCE_DIR,
    required: bool = False,
) -> dict[str, pd.DataFrame]:
    """Read and check every extract present (or those named); return them all as frames or raise.

    Every file is validated before any frame is returned: if one breaks the contract, a single
    :class:`DataValidationError` lists the problems of every bad file and no frame is returned.
    Absent extracts are simply not in the dict (partial folders are allowed: their areas show
    "no data for this area"); with ``required=True`` a named extract without a file is an error.

    Parameters
    ----------
    data_dir
        The extract folder (relative paths are from the project root).
    names
        Extracts to read (default: every contract extract with a file).
    report
        Optional :class:`LoadReport`, filled with the reconciliation of each file.
    reference_dir
        Where ``districts.csv`` and ``msg_forces.csv`` are.
    required
        Treat a named extract without a file as an error.

    Returns
    -------
    dict
        Extract name → DataFrame in contract column order and dtypes (``str``: :data:`TEXT_DTYPE`;
        ``category``: pandas categories of the allowed values; ``int``: ``int64``, ``Int64`` when
        it may be empty; ``bool``: ``bool``, ``boolean`` when a cell is empty; dates:
        ``datetime64[ns]``).

    Examples
    --------
    >>> report = LoadReport()
    >>> frames = load_extracts("data/demo", ["workforce"], report)  # doctest: +SKIP
    >>> report.extracts["workforce"].rows_read == len(frames["workforce"])  # doctest: +SKIP
    True
    """
    with connect(reference_dir) as con:
        profiles = read_extracts(
            con, data_dir, names, report, reference_dir=reference_dir, required=required
        )
        names_of_districts = districts(reference_dir)["district"].astype(str).tolist()
        return {n: _to_frame(con, EXTRACTS[n], names_of_districts) for n in profiles}


def load_report(data_dir, month=None) -> dict:
    """Check a folder and return its load report as a dict for the run record.

    Never raises for bad data: the report's ``errors`` then say what is wrong. With the report
    ``month`` each extract carries its ``reconciliation`` (rows read, counted, excluded and why).
    The folder is read afresh every time: a report kept from an earlier read could describe files
    since corrected. The report of the data a cube was built from travels with the cube
    (``helpers.measures.cube.Cube.extracts_report``).
    """
    report = LoadReport()
    with contextlib.suppress(DataValidationError), connect() as con:  # the report holds the errors
        read_extracts(con, data_dir, report=report)
    return report.to_dict(month)


def fingerprint(data_dir) -> str:
    """Return a sha256 identifying the extract files present (name, size and content).

    Two folders with the same extract files give the same fingerprint wherever they are; any change
    to a file's bytes changes it, whatever its size and modification time. For the run record and
    the cube's cache key.
    """
    d = resolve_path(data_dir)
    entries = []
    for name in available_extracts(d):
        p = extract_path(d, name)
        with open(p, "rb") as fh:  # streamed: a file is never held in memory whole
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        entries.append((p.name, p.stat().st_size, digest))
    total = hashlib.sha256()
    for file_name, size, digest in sorted(entries):
        total.update(f"{file_name}\0{size}\0{digest}\n".encode())
    return total.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Check an extract folder: ``python -m helpers.sources.loading data/my_extracts``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "data_dir", nargs="?", default=None, help="extract folder (default data/demo)"
    )
    parser.add_argument("--json", action="store_true", help="print the load report as JSON")
    args = parser.parse_args(argv)
    report = LoadReport()
    try:
        with connect() as con:
            loaded = read_extracts(con, args.data_dir, report=report)
    except DataValidationError as e:
        print(e)
        return 1
    if args.json:
        print(json.dumps({**report.to_dict(), "fingerprint": fingerprint(args.data_dir)}, indent=2))
    else:
        for name in loaded:
            r = report.extracts[name]
            print(f"{r.file}: {r.rows_loaded:,} rows loaded of {r.rows_read:,} read"
                  + (f", {r.date_from} to {r.date_to}" if r.date_from else "")
                  + (f", {r.rows_unassigned:,} Unassigned" if r.rows_unassigned else ""))  # fmt: skip
        print(f"absent: {', '.join(report.absent) or 'none'}")
        for w in report.warnings():
            print(f"warning: {w}")
    return 0
