"""The import: a home force's street files and its peers' counts into the contract's extracts and
the import report, with the district checks (aliases, records outside the district table)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ...config import PROJECT_ROOT, display_config_path, resolve_path
from ...contract.extracts import EXTRACTS, VICTIM_BASED_GROUPS
from ...geography import UNASSIGNED
from ...profile import ALIASES_FILE, DISTRICTS_FILE, MSG_FILE, Profile, ProfileError, load_profile
from .files import (
    _check_crime_types,
    _duplicates,
    _map_unique,
    _read_force,
    _StreetFile,
    _where,
    discover_files,
    parse_months,
)
from .mapping import (
    _EXAMPLES,
    ASB,
    CAVEATS,
    CRIME_TYPE_GROUPS,
    INCIDENT_CONSTANTS,
    NOT_RECORDED,
    OUTCOME_CATEGORY_TYPES,
    ImportResult,
    PoliceUkImportError,
    PoliceUkImportWarning,
)
from .profiling import (
    FORCES_FILE,
    MIN_DISTRICT_SHARE,
    districts_from_counts,
    force_rows,
    forces_table,
    make_profile,
)

#: force's records include a few just across its boundary (Essex 2014: 118 of 139,000, 0.08 %). More
#: means the district table is not this force's, or a district was renamed.
MAX_OUTSIDE_SHARE = 0.05
#: ... and at least this many of them: a handful of boundary records in a small extract (a test, a
#: month's sample) is no sign of the wrong table.
MIN_OUTSIDE_REFUSED = 100


def check_districts_fit(
    outside: dict[str, int],
    *,
    located: int,
    districts_file: Path,
    max_share: float = MAX_OUTSIDE_SHARE,
) -> None:
    """Refuse an import whose located records mostly fall outside the district table's districts
    (the table is another force's, or names changed): never a pack of Unassigned rows.
    ``max_share``: the profile's ``max_unassigned_share``."""
    n_out = sum(outside.values())
    if n_out < MIN_OUTSIDE_REFUSED or n_out <= max_share * located:
        return
    top = sorted(outside.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    names = ", ".join(f"{name} ({n:,})" for name, n in top)
    more = f" and {len(outside) - len(top)} more" if len(outside) > len(top) else ""
    raise PoliceUkImportError(
        f"{n_out:,} of {located:,} located records ({n_out / located:.1%}) are in districts "
        f"{display_config_path(districts_file)} does not list, more than the {max_share:.0%} a "
        f"force's boundary explains: {names}{more}. Is the profile "
        f"{display_config_path(districts_file.parent)} this force's? List its districts in "
        f"{districts_file.name} (district, lpa, population_2016), map a renamed district in "
        f"{ALIASES_FILE} (alias, district), or leave out --profile to make one from the files"
    )


def import_street_files(
    input_dir: str | os.PathLike,
    force: str = "essex",
    peers: Sequence[str] | None = None,
    months: str | tuple[pd.Period, pd.Period] | None = None,
    profile: Profile | str | os.PathLike | None = None,
    *,
    min_district_share: float = MIN_DISTRICT_SHARE,
) -> ImportResult:
    """Import a home force's street files and its peers' counts into the data contract.

    Parameters
    ----------
    input_dir
        Folder laid out as downloaded: ``YYYY-MM/YYYY-MM-<force>-street.csv`` or ``.csv.gz``.
        A relative path is taken from the project root.
    force
        The home force's data.police.uk slug (``essex``), as in ``data/reference/forces.csv``.
    peers
        Peer force slugs (its Most Similar Group); None = the profile's (none without one).
    months
        ``"2014-01:2014-11"`` (or a pair of Periods) to import only those months; None = all found.
    profile
        The force's profile (:class:`helpers.profile.Profile` or its folder): its districts,
        aliases and Most Similar Group. None: a profile is made from the files
        (``ImportResult.profile_draft``; :mod:`.profiling`), the force and peers from
        ``data/reference/forces.csv``.
    min_district_share
        Making a profile: the share of located records a district needs to be the force's.

    Returns
    -------
    ImportResult
        ``crimes``, ``incidents``, ``msg_peers`` in the contract's dtypes, and the ``report``.

    Raises
    ------
    PoliceUkImportError
        A header that is not a street file's, a file whose rows belong to another force or month,
        an unknown crime type, a force not in the forces table, or no file of the home force;
        a profile that is broken, is another force's, or does not fit the files.
    """
    root = resolve_path(input_dir)
    warn: list[str] = []
    if profile is not None and not isinstance(profile, Profile):
        try:
            profile = load_profile(profile)
        except ProfileError as exc:
            raise PoliceUkImportError(str(exc)) from None
    if profile is not None:
        forces_ref = profile.msg_forces
        forces_source = display_config_path(profile.folder / MSG_FILE)
        home_slug = str(forces_ref["police_uk_slug"].iloc[0])
        if force != home_slug:
            raise PoliceUkImportError(
                f"profile {profile.name} is for {profile.home_force} ({home_slug}), not {force!r}: "
                "pass that force's profile, or leave out --profile to make one from the files"
            )
        known_districts = set(profile.districts["district"])
        aliases = profile.aliases
        max_share = profile.force.max_unassigned_share
    else:
        forces_ref, forces_source = forces_table(), display_config_path(FORCES_FILE)
        aliases, max_share = {}, MAX_OUTSIDE_SHARE
    if peers is None:  # the profile's Most Similar Group; a profile made here has none
        peers = [] if profile is None else [s for s in forces_ref["police_uk_slug"] if s != force]
    peers = [p for p in dict.fromkeys(peers) if p != force]
    chosen = force_rows([force, *peers], forces_ref, forces_source)
    slug_name = dict(zip(chosen["police_uk_slug"], chosen["force"], strict=True))
    slug_pop = dict(zip(chosen["police_uk_slug"], chosen["population_2016"], strict=True))
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
    national = _add_national(by_force, street_files, span_str, slug_name, slug_pop)
    if national["complete"]:
        read = {sf.rel(root) for fs in by_force.values() for sf in fs}
        not_read = [f for f in not_read if f["file"] not in read]
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
    draft = None
    if profile is None:
        counts = pd.Series(raw_district[~no_location & (keep | ~crime_mask)]).value_counts()
        known_districts = set(districts_from_counts(counts.to_dict(), min_district_share))
        if not known_districts:
            raise PoliceUkImportError(
                f"{root}: the files of {force!r} name no LSOA, so no district can be found; "
                "pass a profile listing the force's districts (--profile)"
            )
        draft = make_profile(chosen.iloc[0], chosen.iloc[1:], sorted(known_districts))
        districts_file = Path("(made from the files)") / DISTRICTS_FILE
    else:
        districts_file = profile.folder / DISTRICTS_FILE
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
        districts_file=districts_file,
        max_share=max_share,
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
        "profile": (
            {"made": True, "districts": sorted(known_districts)}
            if profile is None
            else {"made": False, "folder": profile.name}
        ),
        "peers": [
            {"slug": p, "name": slug_name[p], "population_2016": int(slug_pop[p])} for p in peers
        ],
        "national": national,
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
    return ImportResult(crimes, incidents, msg_peers, report, warn, profile_draft=draft)


def _add_national(
    by_force: dict[str, list[_StreetFile]],
    street_files: Sequence[_StreetFile],
    span: Sequence[str],
    slug_name: dict[str, str],
    slug_pop: dict[str, float],
) -> dict:
    """Count every force of ``data/reference/forces.csv`` when all of them have a street file for
    every month imported (``span``): the others are added to ``by_force`` (their files of those
    months; names and populations from the table), so their counts are written to ``msg_peers``
    for the national rank. Otherwise nothing changes: only the chosen peers are counted.

    Returns the report's ``national``: ``forces_with_files`` (forces of the table with a file for
    every month imported) and ``complete`` (all of them).
    """
    table = forces_table()
    months = set(span)
    have: dict[str, set[str]] = {}
    for sf in street_files:
        if sf.month in months:
            have.setdefault(sf.force, set()).add(sf.month)
    with_files = [s for s in table["police_uk_slug"] if months <= have.get(s, set())]
    complete = len(with_files) == len(table)
    if complete:
        extra = force_rows(
            [s for s in with_files if s not in by_force], table, display_config_path(FORCES_FILE)
        )
        slug_name.update(zip(extra["police_uk_slug"], extra["force"], strict=True))
        slug_pop.update(zip(extra["police_uk_slug"], extra["population_2016"], strict=True))
        for slug in extra["police_uk_slug"]:
            by_force[slug] = [sf for sf in street_files if sf.force == slug and sf.month in months]
    return {"forces_with_files": len(with_files), "complete": complete}


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
