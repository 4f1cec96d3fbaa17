"""Making a force's profile from its street files: the force and its peers from the national
table, the districts from the LSOA names the records carry.

A street-level file names each record's LSOA ("Basildon 001A"); the name less its last word is
the local authority district. A force's records include a few snapped just across its boundary
(Essex 2014: 118 of 139,000 in seven neighbouring districts), so a district counts as the force's
only when it holds at least :data:`MIN_DISTRICT_SHARE` of the located records; the others are
records outside the force area (district Unassigned, listed in the import report). The LPA of
every district is the force itself (data.police.uk does not say which LPA a district is in):
edit ``districts.csv`` of the profile to split it, and add the districts' populations for
crimes per 1,000 residents by district.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...profile import (
    DISTRICTS_FILE,
    FORCE_FILE,
    FORCES_TABLE,
    MSG_FILE,
    ProfileError,
    load_profile,
)
from ...profile import forces_table as national_table
from .mapping import PoliceUkImportError

#: The national table: the 43 forces, their data.police.uk slugs and residents.
FORCES_FILE = FORCES_TABLE
#: A district holding less than this share of a force's located records is a neighbour's,
#: reached by records snapped across the boundary (Essex 2014: at most 0.03 % each).
MIN_DISTRICT_SHARE = 0.005
#: Words a force's name ends with, left out of its short name ("Kent Police" → "Kent").
_NAME_ENDINGS = re.compile(r"\s+(Police Service|Constabulary|Police)$")


def forces_table(path: Path = FORCES_FILE) -> pd.DataFrame:
    """The national table (:func:`helpers.profile.forces_table`); missing: an import error."""
    try:
        return national_table(path)
    except ProfileError as exc:
        raise PoliceUkImportError(str(exc)) from None


def force_rows(slugs: list[str], table: pd.DataFrame, source: str) -> pd.DataFrame:
    """The rows of ``table`` for ``slugs``, in that order; an unknown slug names the known ones."""
    known = dict(zip(table["police_uk_slug"], range(len(table)), strict=True))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise PoliceUkImportError(
            f"{source}: column 'police_uk_slug' has no force {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    return table.iloc[[known[s] for s in slugs]].reset_index(drop=True)


def short_name(force_name: str) -> str:
    """``Kent Police`` → ``Kent``; ``Devon & Cornwall Police`` → ``Devon & Cornwall``."""
    return _NAME_ENDINGS.sub("", force_name).strip() or force_name


def districts_from_counts(
    counts: dict[str, int], min_share: float = MIN_DISTRICT_SHARE
) -> list[str]:
    """The districts of a force: those holding at least ``min_share`` of its located records."""
    located = sum(counts.values())
    return sorted(d for d, n in counts.items() if d and n >= min_share * located)


@dataclass(frozen=True)
class ProfileDraft:
    """A profile made by the importer, written with the extracts (:func:`write_profile`)."""

    force_name: str
    districts: pd.DataFrame
    msg_forces: pd.DataFrame

    def force_yaml(self) -> str:
        """The profile's ``force.yaml``, with what to check before a pack is published."""
        return (
            "# Made by the data.police.uk importer (helpers.sources.police_uk) from the street\n"
            "# files. Check the marking and suppress_below before a pack is shared.\n"
            f"force_name: {_yaml_text(self.force_name)}\n"
            f"short_name: {_yaml_text(short_name(self.force_name))}\n"
            "protective_marking: OFFICIAL\n"
            "financial_year_start_month: 4\n"
            "# Counts below this at LPA or district level print as [c] (withheld). null = off:\n"
            "# data.police.uk files are published already.\n"
            "suppress_below: null\n"
            "max_unassigned_share: 0.05\n"
            "max_data_warnings: null\n"
            "# A change in a survey rate is significant when the two 95% confidence intervals do not\n"
            "# overlap (ci_overlap) or by a two-proportion test, p < 0.05 (two_proportion).\n"
            "significance_rule: ci_overlap\n"
        )


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_profile(
    force_row: pd.Series, peer_rows: pd.DataFrame, districts: list[str]
) -> ProfileDraft:
    """A profile for ``force_row`` of the national table: its districts, one LPA (the force's
    short name), no district populations, and its peers."""
    name = str(force_row["force"])
    lpa = short_name(name)
    table = pd.DataFrame({"district": districts, "lpa": lpa, "population_2016": ""})
    msg = pd.concat([force_row.to_frame().T, peer_rows], ignore_index=True)
    msg["population_2016"] = msg["population_2016"].astype(int)
    return ProfileDraft(name, table, msg[["force", "police_uk_slug", "population_2016"]])


def write_profile(draft: ProfileDraft, folder: Path) -> Path:
    """Write ``draft`` into ``folder`` (new: the import's own), then load it back as a check."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FORCE_FILE).write_text(draft.force_yaml(), encoding="utf-8")
    draft.districts.to_csv(folder / DISTRICTS_FILE, index=False)
    draft.msg_forces.to_csv(folder / MSG_FILE, index=False)
    load_profile(folder)
    return folder
