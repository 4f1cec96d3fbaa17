"""The executed notebooks the pack publishes, as a commander opens them (issue 20).

A pack run on the runner's fixture notebooks: the copy under ``reports/<month>/notebooks/`` holds
one view per switcher output, no script and collapsed code; the page keeps every view; a
``--notebooks`` re-run still works. Then a real JupyterLab (the venv's, on a free port with a
token, its settings in a temporary folder so that nothing is trusted) in headless Chromium: an
executed notebook as papermill leaves it shows every view at once (the problem, as reported), and
the pack's copy shows one.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from support.browser import chrome, chromium_missing
from support.packs import make_data, make_notebooks, run_pack, tiny_cube, tree_digest

from helpers.pack import runner as pack
from helpers.pack.notebook_copy import commander_copy
from helpers.render import views

VIEW = re.compile(r'<div class="ppw-view"[^>]*>')


def html_outputs(nb) -> list[tuple[nbformat.NotebookNode, str]]:
    return [
        (cell, out["data"]["text/html"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "text/html" in out.get("data", {})
    ]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("copies")
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "notebooks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack, "load_cube", lambda d, **_: tiny_cube())
        mp.setattr(pack, "tables_csv", lambda c, m, p: pd.DataFrame({"x": [1]}))
        assert run_pack(tmp_path, notebooks) == pack.EXIT_OK
    return tmp_path, notebooks, tmp_path / "reports" / "2016-09"


def test_the_published_notebook_holds_one_view_per_switcher_and_no_script(published):
    _, _, out = published
    for name in ("00_master.ipynb", "01_domestic_abuse.ipynb", "02_victims.ipynb"):
        nb = nbformat.read(out / "notebooks" / name, as_version=4)
        outputs = html_outputs(nb)
        switchers = [(c, h) for c, h in outputs if "views.switcher(" in c.source]
        assert len(switchers) == 1, name
        for cell, html in outputs:
            assert len(VIEW.findall(html)) == cell.source.count("views.switcher("), name
            assert "<script" not in html and "<select" not in html and "hidden" not in html
        (_, html), = switchers  # fmt: skip
        assert VIEW.findall(html) == [
            '<div class="ppw-view" data-geography="Force" data-period="rolling-12m">'
        ]
        assert "<th>Force</th><td>rolling-12m</td>" in html
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.metadata["jupyter"]["source_hidden"] is True for c in code)
        text = "".join(o.get("text", "") for c in code for o in c.outputs)
        assert "parameters: 2016-09 rolling-12m Force" in text  # the run's record stays
        # the page is made before the copy: every view is still there
        page = (out / name.replace(".ipynb", ".html").replace("00_master", "index")).read_text()
        assert len(VIEW.findall(page)) == 6


def test_a_notebooks_rerun_keeps_the_other_copies_and_makes_a_new_one(published, stand_in):
    tmp_path, notebooks, out = published
    before = tree_digest(out / "notebooks")
    assert run_pack(tmp_path, notebooks, "--notebooks", "01") == pack.EXIT_OK
    after = tree_digest(out / "notebooks")
    assert sorted(after) == sorted(before)
    assert {k for k in after if after[k] != before[k]} <= {"01_domestic_abuse.ipynb"}
    nb = nbformat.read(out / "notebooks" / "01_domestic_abuse.ipynb", as_version=4)
    assert sum(len(VIEW.findall(h)) for _, h in html_outputs(nb)) == 1


# ------------------------------------------------------------------ in a real JupyterLab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a temporary folder: (folder, base URL, token)."""
    if chromium_missing():
        pytest.skip(chromium_missing())
    pytest.importorskip("selenium", reason="selenium is not installed (pip install -e .[dev])")
    exe = Path(sys.executable).with_name("jupyter-lab")
    if not exe.exists():
        pytest.skip("jupyterlab is not installed in the venv (pip install -e .[dev])")
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("lab-home")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        # a fresh signature store: no notebook is trusted; no user settings or workspaces
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [str(exe), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly",  # no look-up on PyPI
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (home / "lab.log").read_text())
                time.sleep(0.5)
        yield root, base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _as_executed(tmp: Path) -> Path:
    """A notebook as papermill leaves it: a switcher's output (every view, its script)."""
    html = views.switcher(
        lambda g, p: f"<table class='perf'><tr><th>{g}</th><td>{p}</td></tr></table>",
        [("force", "Force"), ("lpa", "North"), ("district", "Colchester")],
        ["rolling-12m", "fytd"],
    ).data
    cell = new_code_cell("page.performance_information()", execution_count=1)
    cell.outputs = [new_output("execute_result", {"text/html": html}, execution_count=1)]
    nb = new_notebook(cells=[new_code_cell('geography = "Force"'), cell])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["papermill"] = {"parameters": {"geography": "Force", "period": "rolling-12m"}}
    path = tmp / "as_executed.ipynb"
    nbformat.write(nb, path)
    return path


def _open_in_lab(driver, base: str, token: str, name: str) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/lab/tree/{name}?token={token}&reset")
    WebDriverWait(driver, 60).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-OutputArea-output table")
    )
    time.sleep(1)  # let the sanitised outputs settle
    return driver.execute_script(
        """
        function shown(e) { return !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length); }
        var all = Array.from(document.querySelectorAll('.jp-Notebook .ppw-view'));
        var editors = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea'));
        return {
          views: all.filter(shown).map(function (v) { return v.textContent.trim(); }),
          selects: Array.from(document.querySelectorAll('.jp-Notebook select')).filter(shown).length,
          code_shown: editors.filter(shown).length,
          code_cells: document.querySelectorAll('.jp-Notebook .jp-CodeCell').length,
        };
        """
    )


@pytest.mark.browser
def test_jupyterlab_shows_one_view_of_the_copy_opened_untrusted(lab, tmp_path, published):
    root, base, token = lab
    executed = _as_executed(tmp_path)
    shutil.copy(executed, root / "as_executed.ipynb")
    (root / "copy.ipynb").write_text(commander_copy(executed.read_text()), encoding="utf-8")
    _, _, out = published
    shutil.copy(out / "notebooks" / "01_domestic_abuse.ipynb", root / "published.ipynb")
    driver = chrome(tmp_path / "chromium", offline=False)
    try:
        before = _open_in_lab(driver, base, token, "as_executed.ipynb")
        # the problem as reported: untrusted, the script is dropped and every view shows
        assert len(before["views"]) == 6 and before["code_shown"] == 2
        for name in ("copy.ipynb", "published.ipynb"):
            after = _open_in_lab(driver, base, token, name)
            assert after["views"] == ["Forcerolling-12m"], name
            assert after["selects"] == 0, name
            assert after["code_cells"] >= 2 and after["code_shown"] == 0, name
    finally:
        driver.quit()
