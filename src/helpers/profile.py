"""A force profile: the one folder that says which force a pack is for.

A profile is a folder (the demo force's is ``profiles/demo/``, shipped; the data.police.uk importer
writes one for any force into the folder it imports to, ``<out>/profile/``) holding:

=========================  =================================================================
``force.yaml``             name, short name, protective marking, disclosure threshold,
                           financial-year start, the data checks' thresholds
                           (:class:`helpers.config.ForceConfig`; every key checked)
``districts.csv``          ``district, lpa, population_2016``: the force's districts, the LPA
                           each is in, residents (empty where not known: the crime rate per
                           1,000 residents is then N/A for that district, never a guess)
``msg_forces.csv``         ``force, police_uk_slug, population_2016``: the force (first row)
                           and its Most Similar Group, with residents
``district_aliases.csv``   optional, ``alias, district``: other names a source uses for a
                           district (one renamed since: ``Shepway`` → ``Folkestone and Hythe``)
``commentary/``            optional, ``YYYY-MM/NN_<area>.md``: the analysts' commentary
=========================  =================================================================

:func:`load_profile` reads and checks all of it and names the file, the key or column and example
rows of anything wrong (:class:`ProfileError`). Nothing stands in for a missing or broken profile:
the pack, the notebooks and the importer refuse it, they never fall back to the demo's.

A foundation: it imports nothing from the rest of the helpers but ``config``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import (
    DEMO_PROFILE_DIR,
    NATIONAL_DIR,
    ConfigError,
    ForceConfig,
    display_config_path,
    read_force_config,
    resolve_path,
)

FORCE_FILE = "force.yaml"
DISTRICTS_FILE = "districts.csv"
MSG_FILE = "msg_forces.csv"
ALIASES_FILE = "district_aliases.csv"
COMMENTARY_FOLDER = "commentary"
#: The columns of each table, in order.
COLUMNS = {
    DISTRICTS_FILE: ("district", "lpa", "population_2016"),
    MSG_FILE: ("force", "police_uk_slug", "population_2016"),
    ALIASES_FILE: ("alias", "district"),
}
#: The national table: the 43 forces of England and Wales, their data.police.uk slugs and
#: residents (``data/reference/README.md`` gives the source). Not part of a profile: the importer
#: copies a force's rows from it into a profile's ``msg_forces.csv``, and the national rank reads it.
FORCES_TABLE = NATIONAL_DIR / "forces.csv"
#: Names no district may have: they are the levels above and the bucket of unplaced records.
RESERVED_NAMES = ("Force", "Unassigned")
_EXAMPLES = 5


class ProfileError(ConfigError):
    """A profile folder that is missing, incomplete or inconsistent; the message names the file,
    the key or column, and example rows."""


@dataclass(frozen=True)
class Profile:
    """A checked force profile (see the module docstring for its files).

    Attributes
    ----------
    folder
        The profile's folder (absolute).
    force
        ``force.yaml``.
    districts
        ``district, lpa, population_2016`` (population a float, NaN where not known).
    msg_forces
        ``force, police_uk_slug, population_2016``; the first row is the home force.
    aliases
        Alias → district (empty without ``district_aliases.csv``).
    """

    folder: Path
    force: ForceConfig
    districts: pd.DataFrame
    msg_forces: pd.DataFrame
    aliases: dict[str, str]

    @property
    def name(self) -> str:
        """How messages and the run record name the profile: its folder from the project root."""
        return display_config_path(self.folder)

    @property
    def commentary_dir(self) -> Path:
        """Where the analysts' commentary of this force is (it may not exist: no commentary)."""
        return self.folder / COMMENTARY_FOLDER

    @property
    def home_force(self) -> str:
        """The force's name in the MSG tables (first row of ``msg_forces.csv``)."""
        return str(self.msg_forces["force"].iloc[0])

    def reference_files(self) -> list[Path]:
        """The files the figures depend on (the cube's cache is keyed by their bytes)."""
        return [self.folder / n for n in (DISTRICTS_FILE, MSG_FILE, ALIASES_FILE)]

    def fingerprint(self) -> str:
        """sha256 of every file of the profile that the figures depend on (not the commentary)."""
        h = hashlib.sha256()
        for p in [self.folder / FORCE_FILE, *self.reference_files()]:
            h.update(p.name.encode() + b"\0")
            h.update(p.read_bytes() if p.exists() else b"(absent)")
        return h.hexdigest()


def _rows(table: pd.DataFrame, mask, column: str) -> str:
    """Up to five example rows of ``table`` where ``mask``: ``row 3: 'x'`` (row 1 is the header)."""
    picked = table[mask].head(_EXAMPLES)
    return "; ".join(f"row {i + 2}: {str(v)!r}" for i, v in picked[column].items())


def _read_table(path: Path, required: bool = True) -> pd.DataFrame | None:
    shown = display_config_path(path)
    if not path.exists():
        if not required:
            return None
        raise ProfileError(f"{shown} not found: a profile needs {', '.join(COLUMNS[path.name])}")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise ProfileError(f"{shown}: not UTF-8 text; save it as UTF-8 CSV") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ProfileError(f"{shown}: cannot be read as CSV ({str(exc).strip()})") from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in COLUMNS[path.name] if c not in table.columns]
    if missing:
        raise ProfileError(
            f"{shown}: no column {', '.join(map(repr, missing))} (the columns must be "
            f"{', '.join(COLUMNS[path.name])}; found {', '.join(map(repr, table.columns))})"
        )
    table = table[list(COLUMNS[path.name])].apply(lambda s: s.str.strip())
    for column in COLUMNS[path.name]:
        if column.startswith("population"):
            continue
        empty = table[column] == ""
        if empty.any():
            raise ProfileError(
                f"{shown}: column {column!r} is empty in {int(empty.sum())} row(s) "
                f"({_rows(table, empty, column)})"
            )
    if not len(table) and path.name != ALIASES_FILE:
        raise ProfileError(f"{shown}: no rows (list at least one {COLUMNS[path.name][0]})")
    return table


def _populations(table: pd.DataFrame, path: Path, *, required: bool) -> pd.Series:
    """The population column as floats; empty → NaN (only where ``required`` is False)."""
    shown = display_config_path(path)
    text = table["population_2016"]
    number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = (text != "") & (number.isna() | (number <= 0) | (number % 1 != 0))
    if bad.any():
        raise ProfileError(
            f"{shown}: column 'population_2016' is not a whole number of residents above 0 in "
            f"{int(bad.sum())} row(s) ({_rows(table, bad, 'population_2016')})"
        )
    empty = text == ""
    if required and empty.any():
        raise ProfileError(
            f"{shown}: column 'population_2016' is empty in {int(empty.sum())} row(s) "
            f"({_rows(table, empty, 'force')}): every force of the Most Similar Group needs its "
            "residents for the crime rate per 1,000"
        )
    return number.astype(float)


def _duplicates(table: pd.DataFrame, column: str, path: Path) -> None:
    repeated = table[column].duplicated(keep=False)
    if repeated.any():
        raise ProfileError(
            f"{display_config_path(path)}: column {column!r} lists a name more than once "
            f"({_rows(table, repeated, column)})"
        )


def load_profile(folder: str | Path | None = None) -> Profile:
    """Read and check a force profile folder (relative paths from the project root).

    Parameters
    ----------
    folder
        The profile's folder; None for the demo force's (``profiles/demo``).

    Raises
    ------
    ProfileError
        The folder or one of its files is missing, a file is not valid YAML or CSV, a key or column
        is missing, unknown, empty or badly typed, a name is listed twice, or the tables disagree
        (an alias naming no district, a district named like a level); the message names the
        file, the key or column and up to five example rows.
    """
    path = resolve_path(folder, default=DEMO_PROFILE_DIR)
    shown = display_config_path(path)
    if not path.is_dir():
        raise ProfileError(
            f"profile {shown} not found: a profile is a folder holding {FORCE_FILE}, "
            f"{DISTRICTS_FILE} and {MSG_FILE} (see profiles/README.md; the data.police.uk "
            "importer writes one for any force)"
        )
    try:
        force = read_force_config(path / FORCE_FILE)
    except ConfigError as exc:
        raise ProfileError(str(exc)) from None

    d_path, m_path, a_path = (path / n for n in (DISTRICTS_FILE, MSG_FILE, ALIASES_FILE))
    districts = _read_table(d_path)
    _duplicates(districts, "district", d_path)
    reserved = districts["district"].isin(RESERVED_NAMES) | districts["lpa"].isin(RESERVED_NAMES)
    if reserved.any():
        raise ProfileError(
            f"{display_config_path(d_path)}: {' and '.join(RESERVED_NAMES)} are not district or "
            f"LPA names (they are the force level and unplaced records): "
            f"{_rows(districts, reserved, 'district')}"
        )
    clash = districts["district"].isin(set(districts["lpa"])) & (
        districts["district"] != districts["lpa"]
    )
    if clash.any():
        raise ProfileError(
            f"{display_config_path(d_path)}: a district has the name of another LPA, so a place "
            f"would be two levels at once ({_rows(districts, clash, 'district')})"
        )
    districts["population_2016"] = _populations(districts, d_path, required=False)

    msg = _read_table(m_path)
    _duplicates(msg, "force", m_path)
    _duplicates(msg, "police_uk_slug", m_path)
    msg["population_2016"] = _populations(msg, m_path, required=True)

    aliases_table = _read_table(a_path, required=False)
    aliases: dict[str, str] = {}
    if aliases_table is not None:
        _duplicates(aliases_table, "alias", a_path)
        unknown = ~aliases_table["district"].isin(set(districts["district"]))
        if unknown.any():
            raise ProfileError(
                f"{display_config_path(a_path)}: column 'district' names a district that "
                f"{DISTRICTS_FILE} does not list ({_rows(aliases_table, unknown, 'district')})"
            )
        aliases = dict(zip(aliases_table["alias"], aliases_table["district"], strict=True))
    return Profile(
        path, force, districts.reset_index(drop=True), msg.reset_index(drop=True), aliases
    )


def forces_table(path: Path = FORCES_TABLE) -> pd.DataFrame:
    """The national table ``force, police_uk_slug, population_2016, …`` (slug as text).

    Raises
    ------
    ProfileError
        The table is missing.
    """
    try:
        return pd.read_csv(path, dtype={"police_uk_slug": str})
    except FileNotFoundError:
        raise ProfileError(
            f"{display_config_path(path)} not found: the table of forces is part of the "
            "repository (git checkout data/reference/forces.csv)"
        ) from None


def profile_for(data_dir: str | Path | None, profile: str | Path | None = None) -> Path:
    """The profile folder a run uses: ``profile`` if given, else the data folder's own
    ``profile/`` (the importer writes it there), else the demo force's.

    Only picks the folder; :func:`load_profile` checks it, and the data's fit to it is checked
    when the data is loaded: a folder of another force's extracts with the demo's profile is
    refused there, naming the districts it does not know.
    """
    if profile not in (None, ""):
        return resolve_path(profile)
    own = resolve_path(data_dir) / "profile"
    return own if (own / FORCE_FILE).exists() else DEMO_PROFILE_DIR
