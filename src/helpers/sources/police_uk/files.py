"""Finding and reading the street files: discovery under the input folder, one file's header,
month and force checks, a force's files together, crime types and repeated Crime IDs."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...periods import PeriodError, parse_month
from .mapping import (
    _EXAMPLES,
    CRIME_TYPE_GROUPS,
    EXPECTED_COLUMNS,
    USED_COLUMNS,
    PoliceUkImportError,
)

_FILE_RE = re.compile(r"^(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")
_MONTH_DIR_RE = re.compile(r"^\d{4}-\d{2}$")


@dataclass
class _StreetFile:
    path: Path
    month: str
    force: str

    def rel(self, root: Path) -> str:
        return self.path.relative_to(root).as_posix()


# ------------------------------------------------------------------------------------- discovery
def parse_months(text: str | None) -> tuple[pd.Period, pd.Period] | None:
    """Parse ``--months``: ``2014-01:2014-11`` or a single ``2014-05``; None for all months.

    Examples
    --------
    >>> parse_months("2014-01:2014-03")
    (Period('2014-01', 'M'), Period('2014-03', 'M'))
    """
    if text is None or str(text).strip() == "":
        return None
    parts = str(text).split(":")
    if len(parts) > 2:
        raise PoliceUkImportError(f"--months {text!r}: expected FIRST:LAST, e.g. 2014-01:2014-11")
    try:
        first = parse_month(parts[0])
        last = parse_month(parts[-1])
    except PeriodError as exc:
        raise PoliceUkImportError(f"--months {text!r}: {exc}") from None
    if last < first:
        raise PoliceUkImportError(f"--months {text!r}: the last month is before the first")
    return first, last


def discover_files(input_dir: Path) -> tuple[list[_StreetFile], list[str]]:
    """List the street files under ``input_dir`` (``YYYY-MM/YYYY-MM-<force>-street.csv[.gz]``).

    Returns the street files (sorted by month, then force) and the other files met (relative
    paths), which are not read. A file whose month disagrees with its folder, or a force-month
    present both as ``.csv`` and ``.csv.gz``, is an error.
    """
    if not input_dir.is_dir():
        raise PoliceUkImportError(f"{input_dir}: input folder not found")
    found: dict[tuple[str, str], _StreetFile] = {}
    others: list[str] = []
    for month_dir in sorted(p for p in input_dir.iterdir() if p.is_dir()):
        if not _MONTH_DIR_RE.match(month_dir.name):
            others.append(month_dir.relative_to(input_dir).as_posix() + "/")
            continue
        try:
            parse_month(month_dir.name)
        except PeriodError:
            raise PoliceUkImportError(
                f"{month_dir}: folder name is not a month (YYYY-MM)"
            ) from None
        for path in sorted(p for p in month_dir.iterdir() if p.is_file()):
            m = _FILE_RE.match(path.name)
            if not m:
                others.append(path.relative_to(input_dir).as_posix())
                continue
            month, force = m.group(1), m.group(2)
            if month != month_dir.name:
                raise PoliceUkImportError(
                    f"{path}: file name says month {month} but it is in folder {month_dir.name}/"
                )
            key = (month, force)
            if key in found:
                raise PoliceUkImportError(
                    f"{path}: {force} {month} is also in {found[key].path.name}; keep one of them"
                )
            found[key] = _StreetFile(path, month, force)
    for path in sorted(p for p in input_dir.iterdir() if p.is_file()):
        others.append(path.name)
    return [found[k] for k in sorted(found)], others


# ------------------------------------------------------------------------------------ reading
def _read_street_file(sf: _StreetFile, root: Path, force_name: str) -> tuple[pd.DataFrame, dict]:
    """Read one file: check its header, month and force; return the used columns and file info."""
    raw = sf.path.read_bytes()
    if sf.path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise PoliceUkImportError(f"{sf.path}: not a readable gzip file ({exc})") from None
    info = {
        "file": sf.rel(root),
        "force": sf.force,
        "month": sf.month,
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    text_head = raw[:65536].decode("utf-8-sig", errors="replace").splitlines()
    header = next(csv.reader(text_head[:1]), []) if text_head else []
    header = [h.strip() for h in header]
    missing = [c for c in EXPECTED_COLUMNS if c not in header]
    extra = [c for c in header if c not in EXPECTED_COLUMNS]
    if missing:
        raise PoliceUkImportError(
            f"{sf.path}: header does not match a data.police.uk street file.\n"
            f"  expected columns: {list(EXPECTED_COLUMNS)}\n"
            f"  found columns:    {header}\n"
            f"  missing: {missing}" + (f"; unexpected: {extra}" if extra else "")
        )
    problems = []
    if extra:
        problems.append(f"unexpected column(s) {extra} (ignored)")
    if header != list(EXPECTED_COLUMNS) and not extra:
        problems.append("columns in a different order from the published layout (read by name)")
    try:
        df = pd.read_csv(
            io.BytesIO(raw),
            usecols=list(USED_COLUMNS),
            dtype=str,
            na_filter=False,
            encoding="utf-8-sig",
            skipinitialspace=False,
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PoliceUkImportError(f"{sf.path}: cannot be parsed as CSV ({exc})") from None
    df.columns = [c.strip() for c in df.columns]
    info["rows"] = len(df)
    info["header_problems"] = problems

    bad_month = (df["Month"] != sf.month).to_numpy()
    if bad_month.any():
        raise PoliceUkImportError(
            f"{sf.path}: column 'Month' disagrees with the file name ({sf.month}) "
            + _examples(df, bad_month, "Month")
        )
    for col in ("Falls within", "Reported by"):
        bad = (df[col] != force_name).to_numpy()
        if bad.any():
            raise PoliceUkImportError(
                f"{sf.path}: column '{col}' names another force than {force_name!r} "
                f"(--force/peer {sf.force}); is this another force's file? "
                + _examples(df, bad, col)
            )
    return df, info


def _examples(df: pd.DataFrame, mask: np.ndarray, column: str) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(f"line {i + 2}: {df[column].iat[i]!r}" for i in idx[:_EXAMPLES])
    more = f" (and {len(idx) - _EXAMPLES} more)" if len(idx) > _EXAMPLES else ""
    return f"— {len(idx)} row(s), e.g. {shown}{more}"


def _map_unique(values: pd.Series, mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map a column through a function of its distinct values (fast on 10^6 rows).

    Returns the codes, the distinct values and the mapped distinct values.
    """
    codes, uniques = pd.factorize(values, sort=False)
    mapped = np.array([mapping(u) for u in uniques], dtype=object)
    return codes, np.asarray(uniques, dtype=object), mapped


def _read_force(files: list[_StreetFile], root: Path, force_name: str) -> tuple[pd.DataFrame, list]:
    """Read and concatenate one force's files, adding ``_file`` (index) and ``_line`` columns."""
    frames, infos = [], []
    for i, sf in enumerate(files):
        df, info = _read_street_file(sf, root, force_name)
        df["_file"] = i
        df["_line"] = np.arange(2, len(df) + 2)
        frames.append(df)
        infos.append(info)
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype=str) for c in USED_COLUMNS})
        empty["_file"] = pd.Series(dtype=int)
        empty["_line"] = pd.Series(dtype=int)
        return empty, infos
    return pd.concat(frames, ignore_index=True), infos


def _check_crime_types(df: pd.DataFrame, files: list[_StreetFile]) -> np.ndarray:
    """Return the offence group of each row (None for ASB); an unknown type is an error."""
    codes, uniques, mapped = _map_unique(df["Crime type"], lambda u: CRIME_TYPE_GROUPS.get(u, "?"))
    unknown = [u for u, m in zip(uniques, mapped, strict=True) if m == "?"]
    if unknown:
        mask = df["Crime type"].isin(unknown).to_numpy()
        idx = np.flatnonzero(mask)
        shown = ", ".join(
            f"{files[df['_file'].iat[i]].path.name} line {df['_line'].iat[i]}: "
            f"{df['Crime type'].iat[i]!r}"
            for i in idx[:_EXAMPLES]
        )
        raise PoliceUkImportError(
            f"column 'Crime type': unknown crime type(s) {unknown} in {len(idx)} row(s), e.g. "
            f"{shown}. Add them to police_uk.CRIME_TYPE_GROUPS."
        )
    return mapped[codes] if len(codes) else np.array([], dtype=object)


def _where(files: list[_StreetFile], root: Path, file_idx, line) -> str:
    return f"{files[int(file_idx)].rel(root)}:{int(line)}"


def _duplicates(
    df: pd.DataFrame, crime_mask: np.ndarray, files, root: Path, force: str
) -> tuple[np.ndarray, list[dict]]:
    """Mark repeated Crime IDs (all but the first occurrence) and describe every one."""
    ids = df["Crime ID"].where(crime_mask & (df["Crime ID"] != "").to_numpy())
    repeated = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    listing = []
    if repeated.any():
        all_occ = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
        sub = df.loc[all_occ, ["Crime ID", "_file", "_line"]]
        for crime_id, grp in sub.groupby("Crime ID", sort=False):
            places = [
                _where(files, root, f, ln) for f, ln in zip(grp["_file"], grp["_line"], strict=True)
            ]
            listing.append(
                {"force": force, "crime_id": crime_id, "kept": places[0], "dropped": places[1:]}
            )
    return repeated, listing


# ------------------------------------------------------------------------------------- import
#: The share of located records that may fall in districts the reference table does not list: a
