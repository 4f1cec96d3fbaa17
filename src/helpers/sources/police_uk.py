"""Import data.police.uk street-level crime files into the data contract.

data.police.uk publishes, for every force and month, a file ``YYYY-MM/YYYY-MM-<force>-street.csv``
with one row per crime or anti-social behaviour (ASB) incident. This module reads those files as
downloaded (plain ``.csv`` or ``.csv.gz``) for a home force and its Most Similar Group (MSG) peers and
writes three extracts of the data contract (:mod:`helpers.contract.extracts`) plus an import report::

    python -m helpers.sources.police_uk --input ../shared/real/police-uk-street-2014 --force essex \\
        --out data/police_uk --months 2014-01:2014-11

Outputs (in ``--out``)
----------------------
``crimes.parquet``
    The home force's crimes (every row whose ``Crime type`` is not anti-social behaviour).
``incidents.parquet``
    The home force's ASB rows, one incident each.
``msg_peers.parquet``
    For each month and peer force: ``all_crime`` and ``victim_based_crime`` (numerator = crimes,
    denominator = ``population_2016`` from ``data/reference/msg_forces.csv``).
``import_report.json`` and ``import_report.md``
    What was read (files, rows, sha256 of the uncompressed content), what was written, and every
    warning: missing months, rows without a location, rows outside the force area, duplicate Crime
    IDs, unknown outcome categories, header problems. Deterministic: no timestamps.
``.ppw-import``
    The importer's marker (JSON naming the tool and the files it wrote). ``--out`` must be a new or
    empty folder, or one holding this marker: the importer never writes over extracts it did not
    write (a force's own extracts pointed at by mistake), and refuses with exit 2 naming the folder.

How the source is mapped — and what it cannot give
--------------------------------------------------
Offence group (``Crime type`` → ``offence_group``), see :data:`CRIME_TYPE_GROUPS`:

=============================  ====================================
police.uk ``Crime type``       contract ``offence_group``
=============================  ====================================
Violence and sexual offences   Violence against the person (*)
Burglary                       Burglary
Robbery                        Robbery
Vehicle crime                  Vehicle offences
Bicycle theft                  Theft
Other theft                    Theft
Theft from the person          Theft
Shoplifting                    Shoplifting
Criminal damage and arson      Criminal damage and arson
Drugs                          Drug offences
Possession of weapons          Possession of weapons
Public order                   Public order offences
Other crime                    Miscellaneous crimes against society
Anti-social behaviour          (not a crime: written to ``incidents``)
=============================  ====================================

(*) police.uk merges sexual offences into "Violence and sexual offences" (and, before May 2013,
published "Violent crime"); the contract's "Sexual offences" group is therefore always empty and
"Violence against the person" includes sexual offences. An unknown crime type is an error.

``victim_based`` is True for the groups in :data:`helpers.contract.extracts.VICTIM_BASED_GROUPS` — here
violence and sexual offences, burglary, robbery, vehicle crime, all thefts, shoplifting and criminal
damage and arson; drugs, possession of weapons, public order and other crime are not victim-based.
This follows the Home Office split as far as the police.uk categories allow: "Other crime" mixes a
few offences with a victim (e.g. some frauds) into "other crimes against society".

Outcome (``Last outcome category`` → ``outcome_type``), see :data:`OUTCOME_CATEGORY_TYPES`: every
court-stage category (awaiting court outcome, sent to prison, fined, found not guilty, court case
unable to proceed, ...) means the police outcome was a charge or summons, so it maps to
``charge_summons`` (solved), whatever the court later decided. "Offender given a drugs possession
warning" → ``cannabis_warning``; "Local resolution" → ``community_resolution``; "Unable to prosecute
suspect" → ``evidential_difficulties`` (police.uk merges "victim does not support action" into it,
so ``victim_declined_support`` is never produced). "Under investigation", "Status update unavailable"
and an empty category → null. An unknown category is mapped to null, listed in the import report and
warned about — never silently.

``outcome_date`` is the recorded month (first day) wherever there is an outcome. **Caveat**: the
category is the *latest outcome at the time the file was downloaded*, not the outcome known at the
end of the month, so solved rates from these files are higher for older months than a force's own
month-end figures, and ``outcome_date`` is not the date the outcome was recorded.

Not in the source, written as *not recorded* (empty: ``pd.NA`` in pandas' nullable ``boolean`` /
``Int64`` dtypes, null in parquet), never as False or a made-up value — see :data:`NOT_RECORDED`
and the "Not recorded by the source" section of :mod:`helpers.contract.extracts`: crimes ``domestic_abuse``,
``night_time_economy``, ``rural``, ``business``, ``class_a_supply``, ``evidence_led_prosecution``,
``da_risk_level`` and ``victim_id``; incidents ``arrived_at``, ``grade``, ``urban_rural``,
``domestic_abuse``, ``alcohol``, ``drugs``, ``mental_health`` and ``victim_id``. The cube then
reads every measure that needs one of them as N/A ("domestic_abuse is not recorded in crimes for
Nov 2014") — domestic abuse, night-time economy, Class A supply, rural and business crime, repeat
victims, emergency response — and the pages say "No data for this area from this source", where
writing False would have printed 0. Incidents: ``asb`` True (every row is ASB);
``incident_id`` is synthesised as ``ASB-YYYY-MM-000001`` in file order.

District: the ``LSOA name`` without its final space-and-code ("Basildon 001A" → "Basildon"),
through ``data/reference/district_aliases.csv`` (``alias, district``; optional) where the source
still uses an old name. A row without a location, or in an LSOA of a district not in
``data/reference/districts.csv`` (police.uk places some crimes just across the force boundary), is
kept with district ``Unassigned`` and counted in the report ("no location" / "outside force
area"). When more than 5 % of the located records (and at least 100) fall outside the table's
districts, the import is refused naming the districts found: the table is not this force's.

Crime IDs: a Crime ID seen twice is kept once (the first occurrence in month and file order); every
duplicate is listed in the report with its file and line. Peer counts follow the same rule.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import PROJECT_ROOT, REFERENCE_DIR, resolve_path
from ..contract.extracts import EXTRACTS, VICTIM_BASED_GROUPS
from ..geography import UNASSIGNED
from ..periods import PeriodError, parse_month

#: The columns of a street-level file, in the published order.
EXPECTED_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
#: The columns the importer reads (the rest are checked in the header only).
USED_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "LSOA name",
    "Crime type",
    "Last outcome category",
)
ASB = "Anti-social behaviour"

#: police.uk ``Crime type`` → contract offence group (ASB is not a crime: None).
CRIME_TYPE_GROUPS: dict[str, str | None] = {
    "Violence and sexual offences": "Violence against the person",
    "Violent crime": "Violence against the person",  # the category's name before May 2013
    "Burglary": "Burglary",
    "Robbery": "Robbery",
    "Vehicle crime": "Vehicle offences",
    "Bicycle theft": "Theft",
    "Other theft": "Theft",
    "Theft from the person": "Theft",
    "Shoplifting": "Shoplifting",
    "Criminal damage and arson": "Criminal damage and arson",
    "Drugs": "Drug offences",
    "Possession of weapons": "Possession of weapons",
    "Public order": "Public order offences",
    "Other crime": "Miscellaneous crimes against society",
    ASB: None,
}

#: police.uk ``Last outcome category`` → contract outcome type (None = no outcome yet).
OUTCOME_CATEGORY_TYPES: dict[str, str | None] = {
    # Charge or summons, then whatever the court did: the police outcome is a charge.
    "Awaiting court outcome": "charge_summons",
    "Court result unavailable": "charge_summons",
    "Court case unable to proceed": "charge_summons",
    "Defendant found not guilty": "charge_summons",
    "Defendant sent to Crown Court": "charge_summons",
    "Offender sent to prison": "charge_summons",
    "Offender given suspended prison sentence": "charge_summons",
    "Offender given community sentence": "charge_summons",
    "Offender fined": "charge_summons",
    "Offender given conditional discharge": "charge_summons",
    "Offender given absolute discharge": "charge_summons",
    "Offender deprived of property": "charge_summons",
    "Offender ordered to pay compensation": "charge_summons",
    "Offender otherwise dealt with": "charge_summons",
    "Suspect charged": "charge_summons",
    "Suspect charged as part of another case": "charge_summons",
    # Out-of-court disposals.
    "Offender given a caution": "caution",
    "Offender given a drugs possession warning": "cannabis_warning",
    "Offender given penalty notice": "penalty_notice",
    "Local resolution": "community_resolution",
    # Not solved.
    "Investigation complete; no suspect identified": "no_suspect_identified",
    "Unable to prosecute suspect": "evidential_difficulties",
    "Formal action is not in the public interest": "not_in_public_interest",
    "Further action is not in the public interest": "not_in_public_interest",
    "Further investigation is not in the public interest": "not_in_public_interest",
    "Action to be taken by another organisation": "transferred_to_other_body",
    # No outcome yet (or none known).
    "Under investigation": None,
    "Status update unavailable": None,
    "": None,
}

#: Columns of ``crimes`` / ``incidents`` the source does not record: written empty (not recorded),
#: so the measures that need them read N/A, never 0.
NOT_RECORDED = {
    "crimes": (
        "domestic_abuse",
        "night_time_economy",
        "rural",
        "business",
        "class_a_supply",
        "evidence_led_prosecution",
        "da_risk_level",
        "victim_id",
    ),
    "incidents": (
        "arrived_at",
        "grade",
        "urban_rural",
        "domestic_abuse",
        "alcohol",
        "drugs",
        "mental_health",
        "victim_id",
    ),
}
#: Columns the source implies for every row, and the value written.
INCIDENT_CONSTANTS = {"asb": True}

CAVEATS = (
    "Last outcome category is the latest outcome at the time the files were downloaded, not the "
    "outcome known at the end of each month; outcome_date is set to the recorded month.",
    "police.uk merges sexual offences into 'Violence and sexual offences', imported as "
    "'Violence against the person'; the 'Sexual offences' group is empty.",
    "'Unable to prosecute suspect' includes 'victim does not support action' "
    "(imported as evidential_difficulties).",
    "Not recorded in the source, written empty (never False): crimes domestic_abuse, "
    "night_time_economy, rural, business, class_a_supply, evidence_led_prosecution, "
    "da_risk_level, victim_id; incidents arrived_at, grade, urban_rural, domestic_abuse, alcohol, "
    "drugs, mental_health, victim_id. Domestic abuse, night-time economy, Class A supply, rural "
    "and business crime, repeat victims and emergency response therefore read N/A (not recorded "
    "in this source), never 0.",
    "ASB incidents: opened_at is the first day of the month; asb is true.",
    "A Crime ID that appears more than once is counted once (first occurrence kept).",
)

_FILE_RE = re.compile(r"^(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")
_MONTH_DIR_RE = re.compile(r"^\d{4}-\d{2}$")
_EXAMPLES = 5


class PoliceUkImportError(ValueError):
    """The input cannot be imported; the message names the file, the column and example rows."""


class PoliceUkImportWarning(UserWarning):
    """Something was imported with a caveat (also listed in the import report)."""


@dataclass
class ImportResult:
    """What :func:`import_street_files` produced: the three extracts and the import report."""

    crimes: pd.DataFrame
    incidents: pd.DataFrame
    msg_peers: pd.DataFrame
    report: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def extracts(self) -> dict[str, pd.DataFrame]:
        return {"crimes": self.crimes, "incidents": self.incidents, "msg_peers": self.msg_peers}


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
#: force's records include a few just across its boundary (Essex 2014: 118 of 139,000, 0.08 %). More
#: means the district table is not this force's, or a district was renamed.
MAX_OUTSIDE_SHARE = 0.05
#: ... and at least this many of them: a handful of boundary records in a small extract (a test, a
#: month's sample) is no sign of the wrong table.
MIN_OUTSIDE_REFUSED = 100
ALIASES_FILE = "district_aliases.csv"


def district_aliases(reference_dir: Path, known: set[str]) -> dict[str, str]:
    """``district_aliases.csv`` (``alias, district``): names a source uses for a district of the
    table, e.g. a district renamed since ("Shepway" → "Folkestone and Hythe"). Optional."""
    path = reference_dir / ALIASES_FILE
    if not path.exists():
        return {}
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise PoliceUkImportError(f"{path}: cannot be read as CSV ({exc})") from None
    missing = [c for c in ("alias", "district") if c not in table.columns]
    if missing:
        raise PoliceUkImportError(
            f"{path}: no column {', '.join(map(repr, missing))} (expected: alias, district)"
        )
    unknown = table[~table["district"].isin(known)]
    if len(unknown):
        rows = "; ".join(
            f"row {i + 2}: {r.alias!r} → {r.district!r}" for i, r in unknown.head(5).iterrows()
        )
        raise PoliceUkImportError(
            f"{path}: column 'district' names a district not in districts.csv ({rows})"
        )
    return dict(zip(table["alias"].str.strip(), table["district"].str.strip(), strict=True))


def check_districts_fit(outside: dict[str, int], *, located: int, districts_file: Path) -> None:
    """Refuse an import whose located records mostly fall outside the district table's districts
    (the table is another force's, or names changed): never a pack of Unassigned rows."""
    n_out = sum(outside.values())
    if n_out < MIN_OUTSIDE_REFUSED or n_out <= MAX_OUTSIDE_SHARE * located:
        return
    top = sorted(outside.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    names = ", ".join(f"{name} ({n:,})" for name, n in top)
    more = f" and {len(outside) - len(top)} more" if len(outside) > len(top) else ""
    raise PoliceUkImportError(
        f"{n_out:,} of {located:,} located records ({n_out / located:.1%}) are in districts "
        f"{districts_file} does not list, more than the {MAX_OUTSIDE_SHARE:.0%} a force's boundary "
        f"explains: {names}{more}. Is {districts_file.name} this force's? List its districts "
        f"there (district, lpa, population_2016), or map a renamed district in "
        f"{districts_file.with_name(ALIASES_FILE)} (alias, district)"
    )


def import_street_files(
    input_dir: str | os.PathLike,
    force: str = "essex",
    peers: Sequence[str] | None = None,
    months: str | tuple[pd.Period, pd.Period] | None = None,
    reference_dir: Path = REFERENCE_DIR,
) -> ImportResult:
    """Import a home force's street files and its peers' counts into the data contract.

    Parameters
    ----------
    input_dir
        Folder laid out as downloaded: ``YYYY-MM/YYYY-MM-<force>-street.csv`` or ``.csv.gz``.
        A relative path is taken from the project root.
    force
        The home force's data.police.uk slug (``essex``), as in ``msg_forces.csv``.
    peers
        Peer force slugs; None = every other force in ``msg_forces.csv``.
    months
        ``"2014-01:2014-11"`` (or a pair of Periods) to import only those months; None = all found.
    reference_dir
        Folder holding ``districts.csv`` and ``msg_forces.csv``.

    Returns
    -------
    ImportResult
        ``crimes``, ``incidents``, ``msg_peers`` in the contract's dtypes, and the ``report``.

    Raises
    ------
    PoliceUkImportError
        A header that is not a street file's, a file whose rows belong to another force or month,
        an unknown crime type, a force not in ``msg_forces.csv``, or no file of the home force.
    """
    root = resolve_path(input_dir)
    warn: list[str] = []
    forces_ref = pd.read_csv(Path(reference_dir) / "msg_forces.csv", dtype={"police_uk_slug": str})
    districts_ref = pd.read_csv(Path(reference_dir) / "districts.csv")
    known_districts = set(districts_ref["district"])
    aliases = district_aliases(Path(reference_dir), known_districts)
    slug_name = dict(zip(forces_ref["police_uk_slug"], forces_ref["force"], strict=True))
    slug_pop = dict(zip(forces_ref["police_uk_slug"], forces_ref["population_2016"], strict=True))
    if peers is None:
        peers = [s for s in forces_ref["police_uk_slug"] if s != force]
    peers = [p for p in dict.fromkeys(peers) if p != force]
    for slug in [force, *peers]:
        if slug not in slug_name:
            raise PoliceUkImportError(
                f"{Path(reference_dir) / 'msg_forces.csv'}: column 'police_uk_slug' has no force "
                f"{slug!r} (known: {sorted(slug_name)}); add the force with its population"
            )
    month_range = parse_months(months) if isinstance(months, str | type(None)) else months

    street_files, other_files = discover_files(root)
    wanted = {force, *peers}
    by_force: dict[str, list[_StreetFile]] = {s: [] for s in [force, *peers]}
    not_read = [{"file": f, "reason": "not a street-level crime file"} for f in other_files]
    for sf in street_files:
        if sf.force not in wanted:
            not_read.append({"file": sf.rel(root), "reason": f"force {sf.force} not requested"})
        elif month_range and not (month_range[0] <= pd.Period(sf.month, "M") <= month_range[1]):
            not_read.append({"file": sf.rel(root), "reason": "outside --months"})
        else:
            by_force[sf.force].append(sf)
    if not by_force[force]:
        raise PoliceUkImportError(
            f"{root}: no street file of force {force!r} "
            f"(expected YYYY-MM/YYYY-MM-{force}-street.csv[.gz])"
            + (f" in months {month_range[0]}..{month_range[1]}" if month_range else "")
        )

    # The months every force should have: those asked for, else first..last found for any force.
    found_months = sorted({sf.month for fs in by_force.values() for sf in fs})
    if month_range:
        span = pd.period_range(month_range[0], month_range[1], freq="M")
    else:
        span = pd.period_range(found_months[0], found_months[-1], freq="M")
    span_str = [str(p) for p in span]
    months_found = {s: [sf.month for sf in fs] for s, fs in by_force.items()}
    missing = {s: [m for m in span_str if m not in set(ms)] for s, ms in months_found.items()}
    for s, ms in missing.items():
        if ms:
            warn.append(f"{s}: no file for month(s) {', '.join(ms)}")

    report_files: list[dict] = []
    header_problems: list[dict] = []
    duplicates: list[dict] = []
    reconciliation: dict[str, dict] = {}
    peer_rows: list[dict] = []
    home = None
    for slug, files in by_force.items():
        df, infos = _read_force(files, root, slug_name[slug])
        for info in infos:
            report_files.append({k: info[k] for k in ("file", "force", "month", "rows", "sha256")})
            if info["header_problems"]:
                header_problems.append({"file": info["file"], "problems": info["header_problems"]})
        groups = _check_crime_types(df, files)
        crime_mask = pd.notna(groups) if len(groups) else np.zeros(0, dtype=bool)
        crime_mask = np.asarray(crime_mask, dtype=bool)
        repeated, dup_list = _duplicates(df, crime_mask, files, root, slug)
        duplicates += dup_list
        keep = crime_mask & ~repeated
        reconciliation[slug] = {
            "rows_read": len(df),
            "crimes": int(keep.sum()),
            "asb": int((~crime_mask).sum()),
            "duplicate_rows_dropped": int(repeated.sum()),
        }
        if slug == force:
            home = (df, files, groups, crime_mask, keep)
            continue
        victim = np.isin(groups, VICTIM_BASED_GROUPS) & keep
        month_col = df["Month"].to_numpy()
        for m in sorted(set(months_found[slug])):
            in_month = month_col == m
            for measure, mask in (("all_crime", keep), ("victim_based_crime", victim)):
                peer_rows.append(
                    {
                        "month": pd.Timestamp(m + "-01"),
                        "force": slug_name[slug],
                        "measure_id": measure,
                        "numerator": float((mask & in_month).sum()),
                        "denominator": float(slug_pop[slug]),
                    }
                )

    df, files, groups, crime_mask, keep = home
    dates = pd.to_datetime(df["Month"] + "-01", format="%Y-%m-%d")

    # District from the LSOA name: mapped on the few thousand distinct names, not a million rows.
    def lsoa_district(name: str) -> str:
        district = name.rsplit(" ", 1)[0].strip() if name.strip() else ""
        return aliases.get(district, district)

    codes, _, lsoa_districts = _map_unique(df["LSOA name"], lsoa_district)
    raw_district = lsoa_districts[codes] if len(codes) else np.array([], dtype=object)
    no_location = raw_district == ""
    outside = ~no_location & ~np.isin(raw_district, list(known_districts))
    district = np.where(no_location | outside, UNASSIGNED, raw_district)

    # Outcomes: unknown categories are listed and warned about, then mapped to null.
    ocodes, ouniques, omapped = _map_unique(
        df["Last outcome category"], lambda u: OUTCOME_CATEGORY_TYPES.get(u, "?")
    )
    outcome = omapped[ocodes] if len(ocodes) else np.array([], dtype=object)
    unknown_outcomes = []
    unknown_mask = (outcome == "?") & keep
    for cat in sorted({ouniques[c] for c in np.unique(ocodes[unknown_mask])}):
        rows = np.flatnonzero(unknown_mask & (df["Last outcome category"] == cat).to_numpy())
        unknown_outcomes.append(
            {
                "category": cat,
                "rows": len(rows),
                "examples": [
                    _where(files, root, df["_file"].iat[i], df["_line"].iat[i])
                    for i in rows[:_EXAMPLES]
                ],
            }
        )
        message = (
            f"unknown outcome category {cat!r} in {len(rows)} crime(s): imported as no outcome"
        )
        warn.append(message)
        warnings.warn(message, PoliceUkImportWarning, stacklevel=2)
    outcome = np.where(outcome == "?", None, outcome)

    month_str = df["Month"].to_numpy()
    ids = df["Crime ID"].to_numpy(dtype=object).copy()
    no_id = keep & (ids == "")
    if no_id.any():
        ids[no_id] = _sequence_ids("NOID", month_str[no_id])
        warn.append(f"{int(no_id.sum())} crime row(s) without a Crime ID: given NOID-YYYY-MM-n ids")

    c = keep
    crimes = pd.DataFrame(
        {
            "crime_id": ids[c],
            "recorded_date": dates[c].to_numpy(),
            "offence_group": groups[c],
            "victim_based": np.isin(groups[c], VICTIM_BASED_GROUPS),
            "district": district[c],
            "outcome_type": outcome[c],
        }
    )
    crimes["outcome_date"] = crimes["recorded_date"].where(crimes["outcome_type"].notna())
    for col in NOT_RECORDED["crimes"]:
        crimes[col] = None  # to_contract gives the contract's empty: pd.NA / NaT / <NA>

    a = ~crime_mask
    incidents = pd.DataFrame(
        {
            "incident_id": _sequence_ids("ASB", month_str[a]),
            "opened_at": dates[a].to_numpy(),
            "district": district[a],
        }
    )
    for col in NOT_RECORDED["incidents"]:
        incidents[col] = None
    for col, value in INCIDENT_CONSTANTS.items():
        incidents[col] = value

    msg_peers = pd.DataFrame(
        peer_rows, columns=["month", "force", "measure_id", "numerator", "denominator"]
    )
    crimes = to_contract(crimes, "crimes")
    incidents = to_contract(incidents, "incidents")
    msg_peers = to_contract(msg_peers, "msg_peers")

    if duplicates:
        warn.append(
            f"{len(duplicates)} Crime ID(s) appear more than once: first occurrence kept "
            f"({sum(len(d['dropped']) for d in duplicates)} row(s) not counted again), see the list"
        )

    def located(mask: np.ndarray) -> list[dict]:
        rows = np.flatnonzero(mask)
        return [
            {
                "where": _where(files, root, df["_file"].iat[i], df["_line"].iat[i]),
                "extract": "incidents" if df["Crime type"].iat[i] == ASB else "crimes",
                "crime_type": df["Crime type"].iat[i],
                "lsoa_name": df["LSOA name"].iat[i],
            }
            for i in rows
        ]

    outside_districts = (
        pd.Series(raw_district[outside & (keep | a)]).value_counts().sort_index().to_dict()
    )
    n_noloc = {"crimes": int((no_location & c).sum()), "incidents": int((no_location & a).sum())}
    n_out = {"crimes": int((outside & c).sum()), "incidents": int((outside & a).sum())}
    check_districts_fit(
        outside_districts,
        located=int((~no_location & (c | a)).sum()),
        districts_file=Path(reference_dir) / "districts.csv",
    )
    if sum(n_noloc.values()):
        warn.append(f"{sum(n_noloc.values())} row(s) without a location: district Unassigned")
    if sum(n_out.values()):
        warn.append(
            f"{sum(n_out.values())} row(s) in LSOAs outside the force area "
            f"({len(outside_districts)} district(s)): district Unassigned"
        )
    for h in header_problems:
        warn.append(f"{h['file']}: " + "; ".join(h["problems"]))

    outcome_counts = (
        pd.DataFrame({"category": df["Last outcome category"].to_numpy()[c], "type": outcome[c]})
        .fillna({"type": "(none)"})
        .value_counts()
        .reset_index(name="crimes")
        .sort_values(["crimes", "category"], ascending=[False, True])
    )
    report = {
        "source": "data.police.uk street-level crime",
        "input": _relative(root),
        "force": {"slug": force, "name": slug_name[force]},
        "peers": [
            {"slug": p, "name": slug_name[p], "population_2016": int(slug_pop[p])} for p in peers
        ],
        "months_requested": None if not month_range else f"{month_range[0]}:{month_range[1]}",
        "months_expected": span_str,
        "months_found": months_found,
        "missing_months": {s: ms for s, ms in missing.items() if ms},
        "files": report_files,
        "files_not_read": not_read,
        "rows_read": {
            "total": int(sum(r["rows_read"] for r in reconciliation.values())),
            "by_force": reconciliation,
        },
        "rows_written": {
            "crimes": len(crimes),
            "incidents": len(incidents),
            "msg_peers": len(msg_peers),
        },
        "no_location": {"count": n_noloc, "rows": located(no_location & (c | a))},
        "outside_force_area": {
            "count": n_out,
            "districts": {k: int(v) for k, v in outside_districts.items()},
            "rows": located(outside & (c | a)),
        },
        "duplicate_crime_ids": duplicates,
        "unknown_outcome_categories": unknown_outcomes,
        "crimes_without_id": int(no_id.sum()),
        "header_problems": header_problems,
        "outcome_mapping": [
            {"category": r.category, "outcome_type": r.type, "crimes": int(r.crimes)}
            for r in outcome_counts.itertuples()
        ],
        "crime_type_mapping": CRIME_TYPE_GROUPS | {},
        "not_recorded": {k: list(v) for k, v in NOT_RECORDED.items()},
        "constants": {"crimes": {}, "incidents": dict(INCIDENT_CONSTANTS)},
        "caveats": list(CAVEATS),
        "warnings": warn,
    }
    return ImportResult(crimes, incidents, msg_peers, report, warn)


def _sequence_ids(prefix: str, months: np.ndarray) -> np.ndarray:
    """``PREFIX-YYYY-MM-000001`` numbered in file order within each month."""
    s = pd.Series(months, dtype=object)
    n = s.groupby(s, sort=False).cumcount() + 1
    return (prefix + "-" + s + "-" + n.map("{:06d}".format)).to_numpy(dtype=object)


def _relative(path: Path) -> str:
    """``path`` relative to the project root where possible (reports must not depend on cwd)."""
    try:
        return Path(os.path.relpath(path, PROJECT_ROOT)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def to_contract(df: pd.DataFrame, extract: str) -> pd.DataFrame:
    """Return ``df`` with the contract's columns, in order, in the contract's dtypes.

    ``str``/``category`` → pandas ``string``; ``date``/``month``/``datetime`` → ``datetime64[ns]``;
    ``bool`` → ``bool``; ``int`` → ``int64``; ``float`` → ``float64``. A nullable ``bool`` or
    ``int`` column holding an empty value (not recorded) becomes ``boolean`` / ``Int64`` with
    ``pd.NA`` there; a complete one keeps the plain dtype.
    """
    spec = EXTRACTS[extract]
    out = {}
    for col in spec.columns:
        s = df[col.name] if col.name in df else pd.Series([None] * len(df), index=df.index)
        if col.type in ("str", "category"):
            s = s.astype("string")
        elif col.type in ("date", "month", "datetime"):
            s = pd.to_datetime(s).astype("datetime64[ns]")
        elif col.type == "bool":
            s = s.astype("boolean" if col.nullable and s.isna().any() else bool)
        elif col.type == "int":
            s = s.astype("Int64" if col.nullable and s.isna().any() else "int64")
        elif col.type == "float":
            s = s.astype("float64")
        out[col.name] = s.reset_index(drop=True)
    return pd.DataFrame(out, columns=spec.column_names)


# ------------------------------------------------------------------------------------- writing
#: The marker the importer writes into every folder it fills (JSON: the tool and its files).
IMPORT_MARKER = ".ppw-import"
IMPORT_TOOL = (
    "helpers.police_uk"  # the name folders were marked with (kept: earlier imports are recognised)
)


class OutputFolderError(PoliceUkImportError):
    """``--out`` holds files the importer did not write: writing there could destroy extracts."""


def _written_by_importer(folder: Path) -> bool:
    try:
        marker = json.loads((folder / IMPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("tool") == IMPORT_TOOL


def check_output_folder(out_dir: str | os.PathLike) -> Path:
    """Return the absolute output folder if the importer may write there, else raise.

    Allowed: a folder that does not exist yet, an empty folder, or one holding the importer's
    marker (:data:`IMPORT_MARKER`, written by an earlier import). Anything else may be a force's
    own extracts, which an import would silently replace.

    Raises
    ------
    OutputFolderError
        The folder is a file, or holds files without the marker (the message names the folder and
        a few of its files).
    """
    out = resolve_path(out_dir)
    shown = _shown(out)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {shown} is a file, not a folder")
    if not out.exists() or _written_by_importer(out):
        return out
    entries = sorted(p.name for p in out.iterdir())
    if entries:
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        raise OutputFolderError(
            f"--out {shown} holds files the importer did not write ({', '.join(entries[:5])}"
            f"{more}); it writes only into a new or empty folder or one it wrote before "
            f"(holding {IMPORT_MARKER}): choose another --out"
        )
    return out


def _shown(path: Path) -> str:
    """``path`` relative to the project root when inside it (messages name no machine paths)."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix() or "."
    except ValueError:
        return str(path)


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file renamed into place: a killed import leaves no half file."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_import(result: ImportResult, out_dir: str | os.PathLike) -> Path:
    """Write the extracts (parquet) and ``import_report.json`` / ``.md`` into ``out_dir``.

    The folder is checked first (:func:`check_output_folder`) and marked as the importer's before
    any extract is written, so a re-import into it is allowed and nothing else is overwritten.

    Raises
    ------
    OutputFolderError
        ``out_dir`` holds files the importer did not write.
    """
    out = check_output_folder(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [f"{name}.parquet" for name in result.extracts] + [
        "import_report.json",
        "import_report.md",
    ]
    marker = json.dumps({"tool": IMPORT_TOOL, "files": files}, indent=1) + "\n"
    _write_atomically(out / IMPORT_MARKER, lambda p: p.write_text(marker, encoding="utf-8"))
    for name, frame in result.extracts.items():
        _write_atomically(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    report = json.dumps(result.report, indent=1, ensure_ascii=False) + "\n"
    _write_atomically(out / "import_report.json", lambda p: p.write_text(report, encoding="utf-8"))
    text = report_markdown(result.report)
    _write_atomically(out / "import_report.md", lambda p: p.write_text(text, encoding="utf-8"))
    return out


def report_markdown(report: dict) -> str:
    """Render the import report for a reader."""
    r = report
    lines = [
        f"# Import report: {r['source']}",
        "",
        f"- Input folder: `{r['input']}`",
        f"- Force: {r['force']['name']} (`{r['force']['slug']}`)",
        "- Peers: " + (", ".join(f"{p['name']} (`{p['slug']}`)" for p in r["peers"]) or "none"),
        f"- Months requested: {r['months_requested'] or 'all found'}; expected "
        f"{r['months_expected'][0]} to {r['months_expected'][-1]}",
        "",
        "## Warnings",
        "",
    ]
    lines += [f"- {w}" for w in r["warnings"]] or ["- none"]
    lines += ["", "## Caveats", ""] + [f"- {c}" for c in r["caveats"]]
    lines += ["", "## Not recorded in this source (written empty; their measures read N/A)", ""]
    lines += [
        f"- {extract}: " + ", ".join(f"`{c}`" for c in cols)
        for extract, cols in r.get("not_recorded", {}).items()
    ]
    lines += ["", "## Rows", "", "| force | rows read | crimes | ASB | duplicate rows dropped |"]
    lines += ["|---|---:|---:|---:|---:|"]
    for slug, v in r["rows_read"]["by_force"].items():
        lines.append(
            f"| {slug} | {v['rows_read']:,} | {v['crimes']:,} | {v['asb']:,} | "
            f"{v['duplicate_rows_dropped']:,} |"
        )
    lines += ["", "Written: " + ", ".join(f"{k} {v:,}" for k, v in r["rows_written"].items()), ""]
    lines += ["## Months", "", "| force | months found | missing |", "|---|---|---|"]
    for slug, ms in r["months_found"].items():
        miss = r["missing_months"].get(slug, [])
        lines.append(
            f"| {slug} | {len(ms)} ({ms[0] if ms else '-'} to {ms[-1] if ms else '-'}) | "
            f"{', '.join(miss) or 'none'} |"
        )
    lines += ["", "## No location (district Unassigned)", ""]
    nl = r["no_location"]
    lines.append(f"Crimes {nl['count']['crimes']}, incidents {nl['count']['incidents']}.")
    lines += [""] + [f"- `{x['where']}` {x['crime_type']}" for x in nl["rows"]]
    lines += ["", "## Outside the force area (district Unassigned)", ""]
    of = r["outside_force_area"]
    lines.append(
        f"Crimes {of['count']['crimes']}, incidents {of['count']['incidents']}, by the "
        "district of the LSOA:"
    )
    lines += [""] + [f"- {d}: {n}" for d, n in of["districts"].items()]
    lines += ["", "## Duplicate Crime IDs", ""]
    lines += [
        f"- `{d['crime_id']}` ({d['force']}): kept `{d['kept']}`, not counted again "
        + ", ".join(f"`{x}`" for x in d["dropped"])
        for d in r["duplicate_crime_ids"]
    ] or ["none"]
    lines += ["", "## Unknown outcome categories (imported as no outcome)", ""]
    lines += [
        f"- {u['category']!r}: {u['rows']} crimes, e.g. " + ", ".join(u["examples"])
        for u in r["unknown_outcome_categories"]
    ] or ["none"]
    lines += ["", "## Header problems", ""]
    lines += [f"- `{h['file']}`: " + "; ".join(h["problems"]) for h in r["header_problems"]] or [
        "none"
    ]
    lines += ["", "## Outcome mapping (crimes of the home force)", ""]
    lines += ["| Last outcome category | outcome_type | crimes |", "|---|---|---:|"]
    lines += [
        f"| {o['category'] or '(empty)'} | {o['outcome_type']} | {o['crimes']:,} |"
        for o in r["outcome_mapping"]
    ]
    lines += ["", "## Files read", "", "| file | rows | sha256 (uncompressed) |", "|---|---:|---|"]
    lines += [f"| `{f['file']}` | {f['rows']:,} | `{f['sha256']}` |" for f in r["files"]]
    if r["files_not_read"]:
        lines += ["", "## Files not read", ""]
        lines += [f"- `{f['file']}`: {f['reason']}" for f in r["files_not_read"]]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------- CLI
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
        "--force", required=True, help="home force slug as in msg_forces.csv, e.g. essex"
    )
    parser.add_argument(
        "--peers",
        default=None,
        help="comma-separated peer slugs (default: the other forces in data/reference/msg_forces.csv; "
        "'' for none)",
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
        check_output_folder(args.out)  # before the import: refused in a second, not a minute
        result = import_street_files(args.input, args.force, peers, args.months)
        out = write_import(result, args.out)
    except PoliceUkImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
