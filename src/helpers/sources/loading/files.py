"""Where the extracts are, the DuckDB connection holding the reference tables, and reading one
file as it is (a parquet view in place, a CSV as text), with the checks that are not queries: bytes
that are not UTF-8, NUL bytes, a file that cannot be read at all."""

from __future__ import annotations

import contextlib
import csv
import gzip
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ...config import PROJECT_ROOT, REFERENCE_DIR, resolve_path
from ...contract.extracts import EXTRACTS, Extract
from ...profile import FORCES_TABLE, ProfileError, forces_table

#: File suffixes an extract may have, in order of preference.
SUFFIXES = (".parquet", ".csv", ".csv.gz")
#: DuckDB's share of this machine's memory; beyond it, DuckDB spills to a temporary folder.
MEMORY_SHARE = 0.5


# --------------------------------------------------------------------------- paths
def display_name(path: Path) -> str:
    """Name a file for a message: relative to the project root, else its name only."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name


def extract_path(data_dir, name: str) -> Path | None:
    """The file holding extract ``name`` in ``data_dir`` (parquet preferred), or None if absent."""
    d = resolve_path(data_dir)
    for suffix in SUFFIXES:
        p = d / f"{name}{suffix}"
        if p.is_file():
            return p
    return None


def available_extracts(data_dir) -> list[str]:
    """Names of the contract's extracts present in ``data_dir``, in contract order."""
    return [n for n in EXTRACTS if extract_path(data_dir, n) is not None]


def _extract(name: str) -> Extract:
    try:
        return EXTRACTS[name]
    except KeyError:
        raise KeyError(f"unknown extract {name!r}; the contract has {sorted(EXTRACTS)}") from None


def districts(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The district reference table: ``district, lpa, population_2016``."""
    return pd.read_csv(reference_dir / "districts.csv")


def msg_forces(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The force and its Most Similar Group: ``force, police_uk_slug, population_2016``."""
    return pd.read_csv(reference_dir / "msg_forces.csv")


def national_forces(path: Path = FORCES_TABLE) -> pd.Series:
    """The names of the 43 forces of the national table (``force``; empty if it is absent)."""
    try:
        return forces_table(path)["force"]
    except ProfileError:
        return pd.Series([], dtype=str, name="force")


def _ignored_files(d: Path) -> list[str]:
    """Files in the folder that no extract reads: shadowed duplicates and unknown names."""
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        suffix = next(
            (s for s in sorted(SUFFIXES, key=len, reverse=True) if p.name.endswith(s)), None
        )
        if suffix is None:
            continue
        stem = p.name[: -len(suffix)]
        chosen = extract_path(d, stem) if stem in EXTRACTS else None
        if chosen is None:
            out.append(f"{p.name} (not an extract of the contract)")
        elif chosen != p:
            out.append(f"{p.name} ({chosen.name} is read instead)")
    return out


# --------------------------------------------------------------------------- the connection
@contextlib.contextmanager
def connect(
    reference_dir: Path = REFERENCE_DIR, reference: tuple[pd.DataFrame, pd.DataFrame] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection holding the reference tables, closed (and its spill folder
    removed) on leaving.

    ``ref_districts (district, lpa, population)`` and ``ref_forces (force)`` come from
    ``reference`` (the districts and MSG forces frames) or else the CSV files of
    ``reference_dir``; ``ref_forces`` also holds every force of ``data/reference/forces.csv``
    (the national table: peers' figures of all 43 forces give the national rank). DuckDB may use
    :data:`MEMORY_SHARE` of the machine's memory and spills beyond it to a temporary folder, so
    a national dataset fits.
    """
    if reference is None:
        reference = districts(reference_dir), msg_forces(reference_dir)
    spill = tempfile.mkdtemp(prefix="workbooks-duckdb-")
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    con = duckdb.connect(
        config={
            "memory_limit": f"{int(total * MEMORY_SHARE) >> 20}MB",
            "temp_directory": spill,
        }
    )
    # no progress bar on standard output (a pack's log, a notebook's cell) for a long query
    con.execute("SET enable_progress_bar = false")
    try:
        d = reference[0].rename(columns={"population_2016": "population"})
        con.register(
            "_d", d[["district", "lpa", "population"]].astype({"district": str, "lpa": str})
        )
        forces = pd.concat([reference[1]["force"], national_forces()]).drop_duplicates()
        con.register("_f", forces.astype(str).to_frame("force"))
        con.execute(
            "CREATE TABLE ref_districts AS SELECT district, lpa, population::DOUBLE AS population FROM _d"
        )
        con.execute("CREATE TABLE ref_forces AS SELECT force FROM _f")
        con.unregister("_d")
        con.unregister("_f")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A string as a SQL literal (for file paths and the contract's own values only)."""
    return "'" + str(text).replace("'", "''") + "'"


# --------------------------------------------------------------------------- reading a file
class _Unreadable(Exception):
    """The file could not be read at all (message already names no path)."""


def _opener(path: Path):
    return gzip.open if path.name.endswith(".gz") else open


def _first_bad_utf8(path: Path) -> str:
    """Describe where a file stops being UTF-8: byte value, offset and line."""
    with _opener(path)(path, "rb") as fh:
        data = fh.read()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        return f"byte 0x{data[start]:02X} at byte offset {start:,} (line {line:,})"
    return "an undecodable byte"  # pragma: no cover - DuckDB and Python agree on UTF-8


def _scan_csv(path: Path) -> bool:
    """Refuse a CSV holding a NUL byte; return whether it has empty lines.

    A NUL in a text file means a binary file or UTF-16 text. Empty lines matter because DuckDB
    skips them, while a spreadsheet counts them as rows (see :func:`_csv_row_numbers`).
    """
    offset, line, last, empty = 0, 1, b"\n", False
    try:
        with _opener(path)(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                at = chunk.find(b"\x00")
                if at >= 0:
                    line += chunk.count(b"\n", 0, at)
                    raise _Unreadable(
                        f"holds a NUL byte 0x00 at byte offset {offset + at:,} (line {line:,}): "
                        "it is a binary file or UTF-16 text, not a UTF-8 CSV; save it as UTF-8 "
                        "(Excel: 'CSV UTF-8')"
                    )
                both = last + chunk
                empty = empty or b"\n\n" in both or b"\n\r\n" in both
                offset, line, last = offset + len(chunk), line + chunk.count(b"\n"), chunk[-1:]
    except (OSError, EOFError) as e:
        raise _Unreadable(f"cannot be read as CSV: {_clean(e, path)}") from None
    return empty


def _period_columns(path: Path) -> dict[str, str]:
    """Columns of a parquet file holding pandas monthly Periods (DuckDB sees their ordinals)."""
    with contextlib.suppress(Exception):  # an unreadable file was reported by DuckDB already
        schema = pq.read_schema(path)
        return {
            f.name: "PERIOD[M]"
            for f in schema
            if isinstance(f.type, pa.ExtensionType)
            and f.type.extension_name == "pandas.period"
            and getattr(f.type, "freq", "") in ("M", "ME")
        }
    return {}


def _csv_header(path: Path) -> list[str]:
    try:
        with _opener(path)(path, "rt", encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), None) or []
    except UnicodeDecodeError:
        raise _Unreadable(_not_utf8(path)) from None
    except (OSError, EOFError, csv.Error) as e:
        raise _Unreadable(f"cannot be read as CSV: {_clean(e, path)}") from None


def _not_utf8(path: Path) -> str:
    return (
        f"is not UTF-8 text: {_first_bad_utf8(path)} cannot be decoded; "
        "save it as UTF-8 (Excel: 'CSV UTF-8')"
    )


def _csv_row_numbers(path: Path) -> tuple[np.ndarray, int]:
    """The spreadsheet row of each record DuckDB reads (empty lines count as rows), and the
    number of empty lines. Only for the rare CSV with empty lines (:func:`_scan_csv`)."""
    rows, empty = [], 0
    with _opener(path)(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for i, record in enumerate(csv.reader(fh), start=1):
            if not record:
                empty += 1
            elif i > 1:
                rows.append(i)
    return np.array(rows, dtype=np.int64), empty


def _csv_problem(e: duckdb.Error, path: Path) -> str:
    """DuckDB's CSV error as one line naming the line (never the line's content)."""
    text = str(e)
    if "Invalid unicode" in text:
        return _not_utf8(path)
    line = re.search(r"Line: (\d+)", text)
    at = f"line {int(line[1]):,}" if line else "a line"
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if counts:
        return f"cannot be read as CSV: {at} has {counts[2]} cells where the header has {counts[1]}"
    if "unterminated quote" in text:
        return f"cannot be read as CSV: {at} has a quote that is never closed"
    return f"cannot be read as CSV: {at}: {_clean(e, path)}"


def _clean(e: Exception, path: Path) -> str:
    """A reader's message, first line only, with any path replaced by the file's display name."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    for p in (str(path.resolve()), str(path), str(path.parent.resolve()), str(path.parent)):
        text = text.replace(p, display_name(path) if p.endswith(path.name) else "")
    return text[:300]


def _read_raw(con, path: Path, raw: str) -> tuple[dict[str, str], list[str], int]:
    """Make table ``raw`` of a file as it is: ``_row`` and its columns (CSV: all text).

    Returns the column → DuckDB type of the file's columns (CSV: ``c0``, ``c1`` … in the order of
    the header, whose names are returned too) and the CSV lines with every cell empty, skipped.
    """
    if path.name.endswith(".parquet"):
        try:  # read in place: a view, not a copy
            con.execute(
                f"CREATE TEMP VIEW {raw} AS SELECT file_row_number + 1 AS _row, * EXCLUDE "
                f"(file_row_number) FROM read_parquet({_literal(path)}, file_row_number = true)"
            )
            con.execute(f"SELECT * FROM {raw} LIMIT 0")
        except duckdb.Error as e:
            con.execute(f"DROP VIEW IF EXISTS {raw}")
            raise _Unreadable(f"cannot be read as parquet: {_clean(e, path)}") from None
        types = dict(
            con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {raw})").fetchall()
        )
        types.update(_period_columns(path))
        types.pop("_row")
        # an unnamed pandas index saved with the file is not a column of the extract
        names = [c for c in types if not re.fullmatch(r"__index_level_\d+__", c)]
        return {c: types[c] for c in names}, names, 0
    has_empty_lines = _scan_csv(path)
    header = _csv_header(path)
    if not header:
        raise _Unreadable("is empty (not even a header row)")
    cells = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    reader = (
        f"read_csv({_literal(path)}, header = true, columns = {cells}, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
    )
    try:
        con.execute(f"CREATE TEMP TABLE _csv AS SELECT * FROM {reader}")
    except duckdb.Error as e:
        raise _Unreadable(_csv_problem(e, path)) from None
    empty = 0
    if has_empty_lines:
        rows, empty = _csv_row_numbers(path)
        con.register("_rows", pd.DataFrame({"_row": rows}))
        con.execute(f"CREATE TEMP TABLE {raw} AS SELECT * FROM _rows POSITIONAL JOIN _csv")
        con.unregister("_rows")
    else:
        con.execute(f"CREATE TEMP TABLE {raw} AS SELECT rowid + 2 AS _row, * FROM _csv")
    con.execute("DROP TABLE _csv")
    all_empty = " AND ".join(f"c{i} IS NULL" for i in range(len(header)))
    (blank,) = con.execute(f"SELECT count(*) FROM {raw} WHERE {all_empty}").fetchone()
    if blank:
        con.execute(f"DELETE FROM {raw} WHERE {all_empty}")
    return {f"c{i}": "VARCHAR" for i in range(len(header))}, header, empty + blank
