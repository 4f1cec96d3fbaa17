"""Small notebooks, data folders and a tiny real cube for the pack runner's tests.

The runner is tested on generated notebooks of a few cells (seconds each), not the report's: the
tests are about running, exporting and publishing, not about the figures.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.measures.cube import Cube, build_cube
from helpers.pack import runner as pack

PARAMETERS = """month: str = "2016-09"  # report month
period: str = "rolling-12m"  # rolling-12m | fytd | month
geography: str = "Force"  # Force, an LPA or a district
data_dir: str = "data/demo"  # extract folder
data_fingerprint: str = ""  # the pack's data snapshot
interactive: bool = True  # the pack sets False"""

SWITCHER = """from helpers.render import views

views.switcher(
    lambda g, p: f"<table class='perf'><tr><th>{g}</th><td>{p}</td></tr></table>",
    [("force", "Force"), ("lpa", "North"), ("district", "Colchester")],
    ["rolling-12m", "fytd"],
)"""


def fixture_notebook(title: str, *, fail: bool = False) -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(f"# {title}\n\nFigures from [data.police.uk](https://data.police.uk/)."),
        new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(
            "import sys\n"
            "assert interactive is False, 'the pack runs notebooks with interactive=False'\n"
            "print('parameters:', month, period, geography)\n"
            "print('a warning for the analyst', file=sys.stderr)"
        ),
        new_code_cell(SWITCHER),
    ]
    if fail:
        cells.append(new_code_cell("total = 1\nraise ValueError('broken on purpose')"))
        cells.append(new_code_cell("print('never reached')"))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def make_notebooks(folder: Path, *, failing: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, title in [
        ("00_master.ipynb", "Monthly Performance Report"),
        ("01_domestic_abuse.ipynb", "1. Reducing Domestic Abuse"),
        ("02_victims.ipynb", "2. Supporting Victims of Crime"),
    ]:
        nbformat.write(fixture_notebook(title, fail=name == failing), folder / name)
    (folder / "README.md").write_text("not a notebook of the pack")
    nbformat.write(fixture_notebook("scratch"), folder / "scratch.ipynb")  # not NN_*: not run
    return folder


def make_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "crimes.csv").write_text(
        "crime_id,recorded_date,offence_group\nC1,2016-01-04,Robbery\nC2,2016-09-30,Theft\n"
    )
    return folder


def run_pack(
    tmp_path: Path, notebooks: Path, *extra: str, month="2016-09", out=None, pdf: bool = False
) -> int:
    """Run the pack on fixture notebooks; ``pdf=False`` (the default) passes ``--no-pdf``: printing
    the PDF takes a second a run and only the PDF's own tests need it."""
    out = out or tmp_path / "reports" / month
    if not pdf and "--no-pdf" not in extra:
        extra = (*extra, "--no-pdf")
    return pack.main(
        [
            "--month",
            month,
            "--data",
            str(tmp_path / "data"),
            "--notebooks-dir",
            str(notebooks),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--timeout",
            "120",
            *extra,
        ]
    )


def tree_digest(folder: Path, skip: str = "failed") -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != skip
    }


def tiny_cube() -> Cube:
    """A real cube of a handful of records: crimes and incidents to Sep 2016, workforce to Aug."""
    return build_cube(
        {
            "crimes": pd.DataFrame(
                {
                    "crime_id": ["C1", "C2"],
                    "recorded_date": pd.to_datetime(["2016-01-04", "2016-09-30"]),
                    "offence_group": ["Robbery", "Theft"],
                    "district": "Basildon",
                }
            ),
            "incidents": pd.DataFrame(
                {
                    "incident_id": ["I1"],
                    "opened_at": pd.to_datetime(["2016-09-02 10:00"]),
                    "grade": [1],
                    "district": ["Basildon"],
                }
            ),
            "workforce": pd.DataFrame(
                {
                    "month": pd.to_datetime(["2016-08-01"]),
                    "group": ["Officers"],
                    "strength_fte": [10.0],
                    "days_lost": [3.0],
                }
            ),
        }
    )
