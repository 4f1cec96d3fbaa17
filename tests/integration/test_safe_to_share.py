"""Safe to share: a pack made from extracts holding canary identifiers publishes aggregates only.

The demo extracts are copied to a temporary folder and some crime, victim, offender, incident,
survey response, collision, casualty and drug-test ids are replaced by canaries (the contract
stays valid: ids stay unique and links between files are kept). The pack is run on the copy as a
scheduled run would (``python -m helpers.pack``, from another working directory), and every file
it publishes — pages, executed notebooks, tables.csv, run.json — is searched for the canaries and
for absolute paths of the machine (the temporary folder, the project root, /root, /home, /tmp).

The same run checks the protective marking (top and bottom of every page, every printed page,
run.json), the reconciliation in run.json and that tables.csv holds no cell a spreadsheet would
run.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import DEMO_DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, force_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (DEMO_DATA_DIR / ".complete").exists()
        or len(list(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))) < 9,
        reason="needs the demo data (python -m helpers.sources.demo) and the pack's notebooks",
    ),
]

TAG = "7f3a"
MONTH = "2016-09"
#: Every page (about 40 s on two cores); PACK_NOTEBOOKS=00,01,06 runs the master, the domestic
#: abuse page and the crime page only (ids of every kind flow through crimes, incidents, offenders).
NOTEBOOKS = os.environ.get("PACK_NOTEBOOKS", "all")
#: Base64 payloads (images) are not text: a path or a canary cannot hide there, and random
#: base64 can spell "/tmp" by chance.
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\\n\s]+")
_MACHINE_PATHS = re.compile(r"(?<![\w.~-])/(?:root|home|tmp)(?:/|\b)")


def canary(kind: str, i: int) -> str:
    return f"CANARY-{kind}-{TAG}-{i}"


def _replace(df: pd.DataFrame, column: str, mapping: dict) -> None:
    df[column] = df[column].map(lambda v: mapping.get(v, v)).astype(object)


def plant_canaries(folder: Path) -> dict[str, list[str]]:
    """Replace some ids of every kind by canaries, consistently across linked files."""
    read = {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}
    planted: dict[str, list[str]] = {}

    def plant(kind: str, mapping: dict) -> None:
        assert mapping, f"no {kind} id to replace"
        planted[kind] = list(mapping.values())

    crimes, offenders, incidents = read["crimes"], read["crime_offenders"], read["incidents"]
    in_month = crimes["recorded_date"].dt.strftime("%Y-%m") == MONTH
    # crimes of the report month whose victim has other crimes: repeat victims, the figures most
    # likely to tempt a list of names
    repeat = crimes["victim_id"].duplicated(keep=False) & crimes["victim_id"].notna()
    chosen = crimes[in_month & repeat].head(5)
    ids = {c: canary("CRIME", i) for i, c in enumerate(chosen["crime_id"])}
    _replace(crimes, "crime_id", ids)
    _replace(offenders, "crime_id", ids)
    plant("crime", ids)
    victims = {v: canary("VICTIM", i) for i, v in enumerate(chosen["victim_id"].unique())}
    _replace(crimes, "victim_id", victims)
    _replace(incidents, "victim_id", victims)  # one person, one id, across sources
    plant("victim", victims)
    month_offenders = offenders[offenders["crime_id"].isin(crimes.loc[in_month, "crime_id"])]
    people = {
        o: canary("OFFENDER", i) for i, o in enumerate(month_offenders["offender_id"].unique()[:5])
    }
    _replace(offenders, "offender_id", people)
    plant("offender", people)
    opened = incidents["opened_at"].dt.strftime("%Y-%m") == MONTH
    chosen = incidents[opened & incidents["domestic_abuse"].astype(bool)].head(5)
    ids = {i: canary("INCIDENT", n) for n, i in enumerate(chosen["incident_id"])}
    _replace(incidents, "incident_id", ids)
    plant("incident", ids)
    for name, column, kind, extra in (
        ("satisfaction", "response_id", "RESPONSE", ()),
        ("collisions", "collision_id", "COLLISION", (("casualties", "collision_id"),)),
        ("casualties", "casualty_id", "CASUALTY", ()),
        ("drug_tests", "test_id", "TEST", ()),
    ):
        df = read[name]
        mapping = {v: canary(kind, i) for i, v in enumerate(df[column].iloc[-3:])}
        _replace(df, column, mapping)
        for other, other_column in extra:
            _replace(read[other], other_column, mapping)
        plant(kind.lower(), mapping)
    for name, df in read.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    return planted


@pytest.fixture(scope="module")
def pack_run(tmp_path_factory):
    """Run the pack on the canary extracts; return (output folder, planted ids, temp root, log)."""
    root = tmp_path_factory.mktemp("safe_to_share")
    extracts = root / "extracts"
    extracts.mkdir()
    for p in DEMO_DATA_DIR.glob("*.parquet"):
        (extracts / p.name).write_bytes(p.read_bytes())
    planted = plant_canaries(extracts)
    out = root / "published"
    args = ["--month", MONTH, "--data", str(extracts), "--out", str(out), "--jobs", "2"]
    if NOTEBOOKS != "all":
        args += ["--notebooks", NOTEBOOKS]
    done = subprocess.run(
        [sys.executable, "-m", "helpers.pack", *args],
        cwd=root,  # a scheduled run starts anywhere
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out, planted, root, done.stderr


def published_files(out: Path) -> list[Path]:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.suffix for p in files} >= {".html", ".ipynb", ".csv", ".json"}, files
    return files


def text_of(path: Path) -> str:
    """A published file as text, without its base64 payloads (pack.pdf: its text)."""
    text = _published_text(path)
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                for mime in list(output.get("data", {})):
                    if mime.startswith("image/"):
                        output["data"][mime] = ""
        text = json.dumps(nb, ensure_ascii=False)
    return _DATA_URI.sub("data:;base64,", text)


# ---------------------------------------------------------------------------- aggregates only


def test_the_canaries_are_in_the_extracts_the_pack_read(pack_run):
    out, planted, root, _ = pack_run
    crimes = pd.read_parquet(root / "extracts" / "crimes.parquet", columns=["crime_id"])
    assert set(planted["crime"]) <= set(crimes["crime_id"])
    assert sum(len(v) for v in planted.values()) >= 25


def _published_text(path: Path) -> str:
    """A published file's text: pack.pdf's through pdftotext (its streams are compressed), the
    rest as UTF-8."""
    if path.suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) not installed: pack.pdf not read")
        done = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=120
        )
        return done.stdout
    return path.read_text(encoding="utf-8")


def test_no_published_file_holds_an_identifier_from_the_extracts(pack_run):
    out, planted, _, _ = pack_run
    found = []
    for path in published_files(out):
        text = _published_text(path)
        if "CANARY" in text or TAG in text:
            hits = sorted(set(re.findall(rf"CANARY-\w+-{TAG}-\d+", text)))
            found.append(f"{path.relative_to(out)}: {hits[:5] or TAG}")
    assert not found, "identifiers from the extracts were published:\n" + "\n".join(found)


def test_the_run_log_holds_no_identifier(pack_run):
    *_, log = pack_run
    assert "CANARY" not in log


def test_no_published_file_holds_an_absolute_path_of_the_machine(pack_run):
    out, _, root, _ = pack_run
    needles = {str(root), str(root.resolve()), str(PROJECT_ROOT), str(Path.home())}
    needles = {n for n in needles if n not in ("", "/")}
    found = []
    for path in published_files(out):
        text = text_of(path)
        for needle in needles:
            if needle in text:
                at = text.index(needle)
                found.append(f"{path.relative_to(out)}: {text[max(0, at - 60) : at + 80]!r}")
        for m in _MACHINE_PATHS.finditer(text):
            found.append(
                f"{path.relative_to(out)}: {text[max(0, m.start() - 60) : m.end() + 60]!r}"
            )
    assert not found, "absolute paths were published:\n" + "\n".join(found[:20])


def test_executed_notebooks_record_relative_parameters_only(pack_run):
    out, *_ = pack_run
    notebooks = sorted((out / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= (9 if NOTEBOOKS == "all" else 2)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta = nb["metadata"].get("papermill", {})
        data_dir = meta.get("parameters", {}).get("data_dir", "")
        assert not Path(data_dir).is_absolute(), (path.name, data_dir)
        for key in ("input_path", "output_path"):
            assert not Path(str(meta.get(key) or "")).is_absolute(), (path.name, key, meta[key])
        for cell in nb["cells"]:
            if "injected-parameters" in cell["metadata"].get("tags", []):
                values = re.findall(r'^data_dir\s*=\s*"([^"]*)"', "".join(cell["source"]), re.M)
                assert values and not any(Path(v).is_absolute() for v in values), values


# ---------------------------------------------------------------------------- protective marking


def _visible_lines(html: str) -> list[str]:
    body = html[html.index("<body") :]
    body = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", body, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", "\n", body)
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_every_page_is_marked_at_top_and_bottom_and_on_every_printed_page(pack_run):
    out, *_ = pack_run
    marking = force_config().protective_marking
    assert marking  # "OFFICIAL" by default
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        lines = _visible_lines(html)
        assert lines[0] == marking, (page.name, lines[:3])  # the first thing on the page
        assert lines[-1] == marking, (page.name, lines[-3:])  # and the last
        for box in ("top", "bottom"):  # printed in the margin of every page
            rule = rf'@{box}-(?:left|center|right)\s*\{{\s*content:\s*"{re.escape(marking)}"'
            assert re.search(rule, html), (page.name, box)


def test_run_record_carries_the_marking(pack_run):
    out, *_ = pack_run
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["protective_marking"] == force_config().protective_marking


# ---------------------------------------------------------------------------- nothing lost


def test_run_record_lists_rows_read_and_loaded_for_every_extract(pack_run):
    out, *_ = pack_run
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    extracts = record["load_report"]["extracts"]
    assert set(extracts) == set(record["data"]["extracts"])
    for name, entry in extracts.items():
        assert entry["rows_read"] == entry["rows_loaded"] > 0, name
        assert "rows_unassigned" in entry
    assert extracts["crimes"]["rows_unassigned"] > 0


def test_run_record_reconciles_every_extract_for_the_report_month(pack_run):
    out, *_ = pack_run
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for name, entry in record["load_report"]["extracts"].items():
        rec = entry["reconciliation"]
        assert rec["balanced"], name
        assert rec["rows_in_file"] == rec["rows_counted"] + sum(rec["rows_excluded"].values())
    crimes = record["load_report"]["extracts"]["crimes"]["reconciliation"]
    assert crimes["rows_excluded"]["after_report_month"] > 0


# ---------------------------------------------------------------------------- tables.csv


def test_tables_csv_holds_no_cell_a_spreadsheet_would_run(pack_run):
    out, *_ = pack_run
    with open(out / "tables.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > 100
    for cell in (c for row in rows for c in row):
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            float(cell)  # only a negative number may start with "-"


# ---------------------------------------------------------------------------- a failed run


def test_a_failed_notebook_kept_for_diagnosis_names_no_machine_path(tmp_path):
    """Tracebacks and warnings name files: the kept notebook shows them relative, not absolute."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell(
        'month = "2016-09"\nperiod = "rolling-12m"\ngeography = "Force"\n'
        'data_dir = "data/demo"\ninteractive = True'
    )
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Master"),
        parameters,
        nbformat.v4.new_code_cell(
            "import warnings\nwarnings.warn('a warning names the cell file')\n"
            "from helpers.pages import report\nreport.AreaPage(99, month=month, data_dir=data_dir)"
        ),
    ]
    nbformat.write(nb, folder / "00_master.ipynb")
    out = tmp_path / "published"
    done = subprocess.run(
        [sys.executable, "-m", "helpers.pack", "--month", MONTH, "--out", str(out)]
        + ["--notebooks-dir", str(folder), "--jobs", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    kept = sorted((out / "failed").glob("*"))
    assert {p.name for p in kept} == {"00_master.ipynb", "run.json"}
    text = "\n".join(text_of(p) for p in kept)
    assert (
        "area 99 is not one of 1-8" in text and "src/helpers/pages/report.py" in text
    )  # still useful
    for needle in (str(PROJECT_ROOT), str(tmp_path), sys.prefix):
        assert needle not in text, needle
    assert not _MACHINE_PATHS.search(text), _MACHINE_PATHS.search(text)
