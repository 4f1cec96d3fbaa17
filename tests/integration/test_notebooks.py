"""Every notebook runs top to bottom with papermill on the demo data, with non-default parameters.

``make test`` also runs ``pytest --nbval-lax --nbval-current-env notebooks/`` with the defaults; this
test runs the pack's parameters for a district and the financial year to date (interactive=False),
and checks that no cell errored and that the committed notebooks are what the generator writes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from helpers.config import DEMO_DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
DEMO_READY = (DEMO_DATA_DIR / ".complete").exists()


def test_there_are_nine_notebooks():
    assert len(NOTEBOOKS) == 9
    assert NOTEBOOKS[0] == "00_master.ipynb"


def test_committed_notebooks_are_current_with_the_generator():
    proc = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "make_notebooks.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_no_outputs_keeps_kernelspec_and_a_tagged_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name_ in (
        "month: str",
        "period: str",
        "geography: str",
        "data_dir: str",
        "interactive: bool",
    ):
        assert name_ in params[0].source


@pytest.mark.slow
@pytest.mark.skipif(not DEMO_READY, reason="data/demo/.complete is absent: run `make data` first")
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_for_a_district_and_the_financial_year_to_date(name, tmp_path):
    import papermill as pm

    out = tmp_path / name
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / name),
        str(out),
        parameters={
            "month": "2016-09",
            "period": "fytd",
            "geography": "Basildon",
            "data_dir": "data/demo",
            "interactive": False,
        },
        cwd=str(NOTEBOOKS_DIR),
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=300,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    errors = [
        o
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
    text = json.dumps(nb)
    assert "Basildon" in text
    assert "application/vnd.jupyter.widget-view+json" not in text  # no live widgets in the pack


@pytest.mark.parametrize("name", NOTEBOOKS[1:])
def test_area_notebooks_name_their_measures_and_end_with_an_explore_cell(name):
    """Above each item a markdown cell (left out of the pack) names the measures it shows with
    their catalog definitions; the last cells give the analyst the data frame behind the page."""
    from helpers.contract import catalog
    from helpers.pages import sections

    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    cells = nb.cells
    area = int(name[:2])
    for it in sections.items_for(area):
        call = f'page.management_information("{it.key}"'
        at = next(i for i, c in enumerate(cells) if c.source.startswith(call))
        above = cells[at - 1]
        assert above.cell_type == "markdown" and "remove-cell" in above.metadata.get("tags", [])
        for mid in it.measures:
            m = catalog.measure(mid)
            assert f"`{mid}`" in above.source and m.definition.strip() in above.source
    explore = cells[-1]
    assert explore.cell_type == "code" and "page.explore(" in explore.source
    assert "remove-cell" in explore.metadata.get("tags", [])


@pytest.mark.skipif(not DEMO_READY, reason="demo data not built (make data)")
def test_the_pack_carries_no_explore_frame():
    """In the pack (interactive=False) the Explore cell holds a note, not the figures: the
    executed notebooks are shared with commanders and the frame is not disclosure-controlled."""
    from helpers.pages import report

    page = report.AreaPage(6)
    assert "Explore" in page.explore(interactive=False).data
    frame = page.explore()
    assert {"all_crime", "solved_rate"} <= set(frame["measure_id"])
    assert set(frame["geography"]) >= {"Force", "Basildon"}
