"""Another force end to end (issue 15): data.police.uk street files of Kent, imported with the
README's own command, make a pack that is Kent's from the first page to the last.

Synthetic street files for Kent Police (2014-01..2014-03: three districts, several crime types and
outcomes, ASB, a few records without location, duplicated Crime IDs) and its peers Essex and Sussex
(Sussex without 2014-02, so it is left out of the MSG rank and named) are written to tmp_path. The
import line of README.md's data.police.uk section is run as written, only its input, force, peers
and output changed; then ``python -m helpers.pack`` on the folder without ``--profile`` (the
folder's own profile). Every page and run.json must name Kent Police and nothing of the demo force
(its name, districts, LPAs) — Essex only as a peer in the MSG comparison — and tables.csv's
all-crime and solved-rate figures must equal the counts made here from the rows written.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter

import pandas as pd
import pytest
from support.street import row, write_street

from helpers.config import DEMO_PROFILE_DIR, NOTEBOOKS_DIR, PROJECT_ROOT
from helpers.contract.extracts import SOLVED_OUTCOMES
from helpers.profile import load_profile
from helpers.sources.police_uk.mapping import OUTCOME_CATEGORY_TYPES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        len(list(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))) < 9,
        reason="needs the pack's notebooks",
    ),
]

MONTHS = ("2014-01", "2014-02", "2014-03")
REPORT_MONTH = "2014-03"
LSOAS = ("Maidstone 001A", "Medway 002B", "Dover 003C")
DISTRICTS = ("Dover", "Maidstone", "Medway")
CRIME_TYPES = (
    "Burglary",
    "Violence and sexual offences",
    "Other theft",
    "Shoplifting",
    "Drugs",
    "Criminal damage and arson",
    "Vehicle crime",
    "Public order",
)
OUTCOMES = (
    "Under investigation",
    "Investigation complete; no suspect identified",
    "Offender given a caution",
    "Unable to prosecute suspect",
    "Local resolution",
    "Suspect charged",
    "",
    "Offender fined",
    "Status update unavailable",
    "Offender given a drugs possession warning",
    "Action to be taken by another organisation",
    "Offender given penalty notice",
    "Awaiting court outcome",
)
#: The outcome types the solved rate counts (catalog.yaml's solved_rate: charge or summons,
#: caution, TIC, penalty notice, cannabis warning, detected no proceedings, community resolution).
SOLVED = set(SOLVED_OUTCOMES)
#: The demo force's districts and LPAs (profiles/demo/districts.csv).
DEMO_DISTRICTS = pd.read_csv(DEMO_PROFILE_DIR / "districts.csv")
README_HEADING = "### Public data: data.police.uk, any of the 43 forces"
IMPORT_MODULE = "helpers.sources.police_uk"


def kent_month(month: str, i0: int, earlier: str | None) -> list[dict]:
    """Kent's street rows of ``month``: crimes spread over the LSOAs, types and outcomes (the
    counts differ a month and a district), some ASB, three crimes without location, a Crime ID
    repeated in the month and ``earlier`` (a Crime ID of the month before) repeated."""
    m = MONTHS.index(month)
    rows = []
    for k, lsoa in enumerate(LSOAS):
        for _ in range(70 + 11 * k + 7 * m):
            n = i0 + len(rows)
            rows.append(
                row(
                    f"K{n:05d}",
                    CRIME_TYPES[(n + k) % len(CRIME_TYPES)],
                    lsoa,
                    OUTCOMES[(n * 7 + m) % len(OUTCOMES)],
                    month=month,
                    force="kent",
                )
            )
        rows += [row("", "Anti-social behaviour", lsoa, month=month, force="kent")] * (4 + k + m)
    rows += [
        row(f"K{m}NL{j}", "Other theft", "", OUTCOMES[j + 2], month=month, force="kent")
        for j in range(3)
    ]
    first = next(r for r in rows if r["Crime ID"])
    rows.append({**first, "Last outcome category": "Offender given a caution"})  # a duplicate
    if earlier:  # a crime of the month before, again (another outcome): counted there only
        rows.append(row(earlier, "Robbery", LSOAS[2], "Suspect charged", month, "kent"))
    return rows


def peer_rows(force: str, month: str, lsoa: str, n: int) -> list[dict]:
    return [
        row(f"{force}-{month}-{i}", CRIME_TYPES[i % 3], lsoa, month=month, force=force)
        for i in range(n)
    ]


def write_files(root) -> list[dict]:
    """Write Kent's, Essex's and Sussex's street files under ``root``; return Kent's rows."""
    written, earlier = [], None
    for month in MONTHS:
        rows = kent_month(month, len(written), earlier)
        earlier = rows[0]["Crime ID"]
        write_street(root, month, "kent", rows)
        written += rows
        write_street(root, month, "essex", peer_rows("essex", month, "Basildon 001A", 40))
        if month != REPORT_MONTH:
            write_street(root, month, "sussex", peer_rows("sussex", month, "Brighton 001A", 30))
    return written


def expected(rows: list[dict]) -> dict[str, dict[str, int]]:
    """Crimes and solved crimes of the report month by Force and district, counted from the rows
    as the importer reads them: ASB is not a crime, a repeated Crime ID counts once (its first
    row), a row without location counts in the Force only, outcomes dated in the recorded month."""
    seen, crimes, solved = set(), Counter(), Counter()
    for r in rows:
        if r["Crime type"] == "Anti-social behaviour" or r["Crime ID"] in seen:
            continue
        seen.add(r["Crime ID"])
        if r["Month"] != REPORT_MONTH:
            continue
        district = r["LSOA name"].rsplit(" ", 1)[0] if r["LSOA name"] else None
        is_solved = OUTCOME_CATEGORY_TYPES[r["Last outcome category"]] in SOLVED
        for geo in ("Force", district):
            if geo:
                crimes[geo] += 1
                solved[geo] += is_solved
    return {"crimes": dict(crimes), "solved": dict(solved)}


def readme_import_line() -> list[str]:
    """The importer's command of README.md's data.police.uk section, as its words."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(README_HEADING, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    (line,) = [x for x in block.splitlines() if f" -m {IMPORT_MODULE} " in x]
    return shlex.split(line)


def import_as_the_readme_says(street, out) -> subprocess.CompletedProcess:
    words = readme_import_line()
    at = words.index("-m")
    assert words[at + 1] == IMPORT_MODULE and words[0].endswith("python"), words
    options = words[at + 2 :]
    # the README's line has exactly these options (each with a value): only they are replaced
    assert options[::2] == ["--input", "--force", "--peers", "--out"], options
    mine = {"--input": str(street), "--force": "kent", "--peers": "essex,sussex", "--out": str(out)}
    args = [a for o in options[::2] for a in (o, mine[o])]
    done = subprocess.run(
        [sys.executable, "-m", IMPORT_MODULE, *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def run_pack(data, out, *extra) -> subprocess.CompletedProcess:
    args = ["--month", REPORT_MONTH, "--period", "month", "--data", str(data), "--out", str(out)]
    return subprocess.run(
        [sys.executable, "-m", "helpers.pack", *args, "--jobs", "2", "--no-pdf", *extra],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Kent's street files written and imported; return (street rows, extract folder, stdout)."""
    root = tmp_path_factory.mktemp("kent")
    rows = write_files(root / "street")
    done = import_as_the_readme_says(root / "street", root / "police_uk_kent")
    return rows, root / "police_uk_kent", done.stdout


@pytest.fixture(scope="module")
def pack_run(imported, tmp_path_factory):
    rows, data, _ = imported
    out = tmp_path_factory.mktemp("kent_pack") / "pack"
    done = run_pack(data, out)
    assert done.returncode == 0, done.stderr[-3000:]
    return rows, out


# ------------------------------------------------------------------------------------ the import
def test_the_readme_import_makes_kents_profile_and_names_the_pack_command(imported):
    _, data, stdout = imported
    assert (data / "profile" / "force.yaml").exists()
    assert load_profile(data / "profile").force.force_name == "Kent Police"
    districts = pd.read_csv(data / "profile" / "districts.csv")
    assert list(districts["district"]) == list(DISTRICTS)
    assert (
        stdout.strip().splitlines()[-1].startswith("next: python -m helpers.pack --month 2014-03")
    )


# -------------------------------------------------------------------------------------- the pack
def published_text(out) -> dict[str, str]:
    """Every page and run.json as text, without base64 payloads (images)."""
    files = sorted(out.glob("*.html")) + [out / "run.json"]
    assert len(files) >= 10, files  # the index, eight area pages, run.json
    return {p.name: _DATA_URI.sub("", p.read_text(encoding="utf-8")) for p in files}


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\\n\s]+")
#: The MSG note of the crime page: the one place Essex may be named (as Kent's peer).
MSG_NOTE = (
    "Most Similar Group ranking (1 = best) of 2 forces on Mar 2014: Essex Police, Kent Police; "
    "left out: Sussex Police (no figures for Mar 2014)."
)


def test_every_page_and_the_run_record_are_kents(pack_run):
    _, out = pack_run
    for name, text in published_text(out).items():
        assert "Kent Police" in text, name
        assert "Essex Police (demo force)" not in text, name
        assert not re.search(r"(?i)\bdemo\b", text), (
            name,
            re.findall(r"(?i).{40}\bdemo\b.{40}", text),
        )
        for district in DEMO_DISTRICTS["district"]:
            assert district not in text, (name, district)
        for lpa in sorted(set(DEMO_DISTRICTS["lpa"])):
            assert not re.search(rf"\b{lpa}\b", text), (name, lpa)


def test_essex_is_named_only_as_a_peer_in_the_msg_note(pack_run):
    _, out = pack_run
    pages = published_text(out)
    named = {name: text.count("Essex") for name, text in pages.items() if "Essex" in text}
    # only the MSG page names Essex, and only as the peer force "Essex Police" (the MSG note of
    # each period's view, and the chart's data table)
    assert list(named) == ["06_crime_prevention.html"]
    msg_page = pages["06_crime_prevention.html"]
    assert named["06_crime_prevention.html"] == msg_page.count("Essex Police")
    assert MSG_NOTE in msg_page
    # the chart of the MSG comparison names the peer left out, and Kent's place among the rest
    assert (
        "Kent Police has the 2nd lowest rate of the 2 forces. Left out (not every month of the "
        "period): Sussex Police." in pages["06_crime_prevention.html"]
    )


def test_the_index_shows_kents_districts(pack_run):
    _, out = pack_run
    index = (out / "index.html").read_text(encoding="utf-8")
    for district in DISTRICTS:
        assert f'<td class="ppw-label">{district}</td>' in index, district


def test_tables_csv_counts_the_crimes_and_solved_rate_written(pack_run):
    rows, out = pack_run
    want = expected(rows)
    assert want["crimes"]["Force"] == sum(want["crimes"][d] for d in DISTRICTS) + 3  # no location
    tables = pd.read_csv(out / "tables.csv")
    month = tables[(tables["period"] == "month") & (tables["window_label"] == "Mar 2014")]
    for geo in ("Force", *DISTRICTS):
        level = "force" if geo == "Force" else "district"
        at = month[(month["geography_level"] == level) & (month["geography"] == geo)]
        figures = at.set_index("measure_id")["this_year"]
        assert figures["all_crime"] == want["crimes"][geo], geo
        rate = round(100 * want["solved"][geo] / want["crimes"][geo], 2)
        assert figures["solved_rate"] == pytest.approx(rate, abs=1e-9), geo


# ------------------------------------------------------------------------------- refused packs
def test_the_demo_profile_is_refused_naming_the_file_and_a_kent_district(tmp_path):
    write_files(tmp_path / "street")
    import_as_the_readme_says(tmp_path / "street", tmp_path / "data")
    done = run_pack(tmp_path / "data", tmp_path / "pack", "--profile", "profiles/demo")
    assert done.returncode == 3, done.stderr[-3000:]
    assert "crimes.parquet" in done.stderr
    assert "not a district of profiles/demo/districts.csv" in done.stderr
    assert "'Maidstone'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "pack").exists()  # nothing published


def test_more_data_warnings_than_the_profile_accepts_are_refused(tmp_path):
    write_files(tmp_path / "street")
    import_as_the_readme_says(tmp_path / "street", tmp_path / "data")
    force_yaml = tmp_path / "data" / "profile" / "force.yaml"
    text = force_yaml.read_text(encoding="utf-8")
    assert "max_data_warnings: null" in text
    force_yaml.write_text(text.replace("max_data_warnings: null", "max_data_warnings: 0"))
    done = run_pack(tmp_path / "data", tmp_path / "pack")
    assert done.returncode == 3, done.stderr[-3000:]
    assert "more than the 0 that max_data_warnings in" in done.stderr
    assert "9 rows recorded as 'Unassigned' by the source (9 without a location" in done.stderr
    assert not (tmp_path / "pack").exists()
