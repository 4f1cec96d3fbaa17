"""helpers.pack.runner: the monthly pack runner.

Most tests run the runner on small notebooks generated here (a few seconds each) with a stand-in
cube, so they test the runner, not the report. The ``slow`` tests run the real pack on data/demo
when the real notebooks and demo data exist.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from support.packs import (
    fixture_notebook,
    make_data,
    make_notebooks,
    run_pack,
    tiny_cube,
    tree_digest,
)

from helpers import config
from helpers.config import DEMO_DATA_DIR, NOTEBOOKS_DIR, PROJECT_ROOT, force_config
from helpers.pack import export, pdf, plan, publish
from helpers.pack import runner as pack
from helpers.sources.loading import DataValidationError


@pytest.fixture
def stand_in_core(monkeypatch, small_real_cube):
    """A tiny real cube and a stand-in tables_csv, recording that the cube was built before the
    notebooks."""
    calls = []
    monkeypatch.setattr(
        pack, "load_cube", lambda data_dir, **_: calls.append("cube") or small_real_cube
    )
    monkeypatch.setattr(
        pack,
        "tables_csv",
        lambda cube, month, period: pd.DataFrame(
            {"measure_id": ["all_crime"], "geography": ["Force"], "period": [period]}
        ),
    )
    return calls


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One successful run on the fixture notebooks, shared by the read-only checks."""
    tmp_path = tmp_path_factory.mktemp("pack")
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "notebooks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack, "load_cube", lambda data_dir, **_: tiny_cube())
        mp.setattr(pack, "tables_csv", lambda c, m, p: pd.DataFrame({"measure_id": ["x"]}))
        code = run_pack(tmp_path, notebooks, pdf=True)
    return code, tmp_path, tmp_path / "reports" / "2016-09"


PAGES = ["index.html", "01_domestic_abuse.html", "02_victims.html"]


def test_success_publishes_pages_notebooks_tables_and_run_record(published):
    code, tmp_path, out = published
    assert code == pack.EXIT_OK
    printed = ["pack.pdf"] if pdf.CHROMIUM.exists() else []  # helpers.pack.pdf (Chromium)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*PAGES, *printed, "notebooks", "run.json", "tables.csv", publish.PACK_MARKER]
    )
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
        "00_master.ipynb",
        "01_domestic_abuse.ipynb",
        "02_victims.ipynb",
    ]
    # Atomic publish: no staging or old copy is left beside the pack.
    assert [p.name for p in out.parent.iterdir() if not p.name.startswith(".lock")] == ["2016-09"]


def test_notebooks_ran_with_the_pack_parameters(published):
    _, _, out = published
    nb = nbformat.read(out / "notebooks" / "01_domestic_abuse.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'month = "2016-09"' in injected.source
    assert "interactive = False" in injected.source
    assert 'geography = "Force"' in injected.source
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "parameters: 2016-09 rolling-12m Force" in text


def test_run_record_names_parameters_data_versions_and_timings(published):
    _, _, out = published
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "ok"
    assert record["parameters"]["month"] == "2016-09"
    assert record["parameters"]["period"] == "rolling-12m"
    assert record["parameters"]["data_dir"] == "data"  # outside the project: its name only
    assert record["force_name"] == force_config().force_name
    assert record["protective_marking"] == force_config().protective_marking
    assert record["data"]["data_to"] == {
        "crimes": "2016-09",
        "incidents": "2016-09",
        "workforce": "2016-08",
    }
    assert re.fullmatch(r"(sha256:)?[0-9a-f]{64}", record["data"]["fingerprint"])
    assert {
        "pandas",
        "numpy",
        "papermill",
        "nbconvert",
        "matplotlib",
        "seaborn",
        "ipywidgets",
        "python",
    } <= set(record["packages"])
    assert [n["notebook"] for n in record["notebooks"]] == [
        "00_master.ipynb",
        "01_domestic_abuse.ipynb",
        "02_victims.ipynb",
    ]
    assert all(n["seconds"] > 0 and n["page_bytes"] > 0 for n in record["notebooks"])


def test_no_absolute_path_in_any_output(published):
    _, tmp_path, out = published
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")  # pack.pdf is binary
            assert str(tmp_path) not in text, path.name
            assert str(PROJECT_ROOT) not in text, path.name
            assert ".staging-" not in text, path.name
    record = json.loads((out / "run.json").read_text())

    def strings(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
        elif isinstance(value, str):
            yield value

    assert not [s for s in strings(record) if s.startswith("/") or re.match(r"[A-Za-z]:\\", s)]


@pytest.mark.parametrize("page", PAGES)
def test_pages_have_no_code_and_make_no_external_request(published, page):
    _, _, out = published
    html = (out / page).read_text(encoding="utf-8")
    assert export.external_references(html) == []
    assert not re.search(r"<script[^>]+\bsrc=", html)
    assert not re.search(r"<link[^>]+\bhref=", html)
    assert not re.search(r"""href=["']?(https?:)?//""", html)
    # No code cells, no prompts: only outputs and markdown.
    assert "jp-InputArea-editor" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "views.switcher" not in html and "import sys" not in html
    assert "a warning for the analyst" not in html  # stderr stays in the executed notebook
    # The link to the source site stays readable as text.
    assert "data.police.uk" in html
    # HTML does not close <a/> or <div/>: one would swallow the rest of the page.
    assert not re.search(r"<(a|div|span|p|table|td|th|tr|script|iframe|select)\b[^>]*/>", html)


@pytest.mark.parametrize("page", PAGES)
def test_pages_carry_the_shell_marking_and_navigation(published, page):
    _, _, out = published
    html = (out / page).read_text(encoding="utf-8")
    marking = force_config().protective_marking
    assert html.count(f">{marking}</div>") == 2  # top and bottom of the page
    assert f'@top-center {{ content: "{marking}";' in html  # every printed page
    assert f'@bottom-center {{ content: "{marking}";' in html
    assert force_config().force_name in html
    assert "September 2016" in html and "Rolling 12 months" in html
    assert "Data to: crimes Sep 2016 · incidents Sep 2016 · workforce Aug 2016" in html
    assert 'href="index.html"' in html
    for other in PAGES:
        assert f'href="{other}"' in html  # contents list
    assert 'class="ppw-geography"' in html


def test_navigation_runs_prev_and_next_in_notebook_order(published):
    _, _, out = published
    html = (out / "01_domestic_abuse.html").read_text(encoding="utf-8")
    assert re.search(r'class="ppw-nav-link ppw-prev"[^>]*href="index.html"', html)
    assert re.search(r'class="ppw-nav-link ppw-next"[^>]*href="02_victims.html"', html)


def test_failing_notebook_exits_1_names_the_cell_and_keeps_the_earlier_pack(
    tmp_path, stand_in_core, capsys
):
    make_data(tmp_path / "data")
    assert run_pack(tmp_path, make_notebooks(tmp_path / "good")) == pack.EXIT_OK
    out = tmp_path / "reports" / "2016-09"
    before = tree_digest(out)
    capsys.readouterr()

    code = run_pack(tmp_path, make_notebooks(tmp_path / "bad", failing="02_victims.ipynb"))

    assert code == pack.EXIT_NOTEBOOK_FAILED
    err = capsys.readouterr().err
    assert "02_victims.ipynb" in err
    assert "cell 5" in err and "total = 1" in err  # the failing cell's index and first line
    assert "ValueError: broken on purpose" in err
    assert tree_digest(out) == before  # the earlier pack survives byte-identical
    failed = out / "failed"
    assert sorted(p.name for p in failed.iterdir()) == ["02_victims.ipynb", "run.json"]
    partial = nbformat.read(failed / "02_victims.ipynb", as_version=4)
    errors = [o for c in partial.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]
    assert str(tmp_path) not in (failed / "02_victims.ipynb").read_text()
    assert json.loads((failed / "run.json").read_text())["status"] == "failed"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".staging")] == []


def test_a_hung_cell_times_out_and_fails_the_notebook(tmp_path, stand_in_core, capsys):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    nb = nbformat.read(notebooks / "02_victims.ipynb", as_version=4)
    nb.cells.append(new_code_cell("import time\n\ntime.sleep(120)"))
    nbformat.write(nb, notebooks / "02_victims.ipynb")
    code = run_pack(tmp_path, notebooks, "--notebooks", "02", "--timeout", "2")
    assert code == pack.EXIT_NOTEBOOK_FAILED
    err = capsys.readouterr().err
    assert "02_victims.ipynb failed at cell 5 ('import time'): CellTimeoutError" in err
    partial = nbformat.read(
        tmp_path / "reports" / "2016-09" / "failed" / "02_victims.ipynb", as_version=4
    )
    # written when the run stopped, with what the cells before the hung one printed
    printed = "".join(o.get("text", "") for o in partial.cells[3].outputs)
    assert "parameters: 2016-09" in printed
    assert partial.cells[4].outputs  # the switcher's HTML


def test_failure_without_an_earlier_pack_publishes_nothing(tmp_path, stand_in_core):
    make_data(tmp_path / "data")
    code = run_pack(tmp_path, make_notebooks(tmp_path / "bad", failing="01_domestic_abuse.ipynb"))
    assert code == pack.EXIT_NOTEBOOK_FAILED
    out = tmp_path / "reports" / "2016-09"
    assert sorted(p.name for p in out.iterdir()) == ["failed"]


def test_a_later_success_replaces_the_pack_and_clears_failed(tmp_path, stand_in_core):
    make_data(tmp_path / "data")
    run_pack(tmp_path, make_notebooks(tmp_path / "bad", failing="01_domestic_abuse.ipynb"))
    assert run_pack(tmp_path, make_notebooks(tmp_path / "good")) == pack.EXIT_OK
    out = tmp_path / "reports" / "2016-09"
    assert "failed" not in {p.name for p in out.iterdir()}
    assert (out / "index.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2016-9"], "not of the form YYYY-MM"),
        (["--month", "2016-13"], "not of the form YYYY-MM"),
        (["--month", "2030-01"], "month 2030-01 is outside the data (2016-01 … 2016-09)"),
        (["--month", "2015-12"], "outside the data (2016-01 … 2016-09)"),
        (["--period", "weekly"], "valid periods are rolling-12m, fytd, month"),
        (["--data", "{tmp}/nowhere"], "does not exist"),
        (["--data", "{tmp}/empty"], "holds no extract"),
        (["--notebooks", "00,09"], "no notebook numbered 09; valid numbers are 00, 01, 02"),
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--timeout", "0"], "--timeout must be at least 1"),
    ],
)
def test_invalid_parameters_are_refused_before_any_notebook_starts(
    tmp_path, monkeypatch, capsys, args, message
):
    make_data(tmp_path / "data")
    (tmp_path / "empty").mkdir()
    notebooks = make_notebooks(tmp_path / "notebooks")
    started = []
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: started.append(a))
    monkeypatch.setattr(pack, "load_cube", lambda d, **_: tiny_cube())
    argv = [
        "--month",
        "2016-09",
        "--data",
        str(tmp_path / "data"),
        "--notebooks-dir",
        str(notebooks),
        "--out",
        str(tmp_path / "reports" / "x"),
    ]
    for i in range(0, len(args), 2):
        value = args[i + 1].format(tmp=tmp_path)
        if args[i] in argv:
            argv[argv.index(args[i]) + 1] = value
        else:
            argv += [args[i], value]
    code = pack.main(argv)
    assert code == pack.EXIT_INVALID_PARAMETERS
    assert message in capsys.readouterr().err
    assert started == []
    assert not (tmp_path / "reports" / "x").exists()


def test_month_outside_the_cube_coverage_is_refused_when_there_is_no_crimes_extract(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "workforce.csv").write_text(
        "month,group,strength_fte,days_lost\n"
        + "".join(f"{m}-01,officer,10,2\n" for m in ("2015-04", "2015-05", "2016-03"))
    )
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))
    code = run_pack(tmp_path, make_notebooks(tmp_path / "notebooks"), month="2016-09")
    assert code == pack.EXIT_INVALID_PARAMETERS
    assert "month 2016-09 is outside the data (2015-04 … 2016-03)" in capsys.readouterr().err


def test_cube_is_built_once_before_any_notebook(tmp_path, stand_in_core, monkeypatch):
    make_data(tmp_path / "data")
    order = stand_in_core
    real = pack.execute_notebook
    monkeypatch.setattr(
        pack, "execute_notebook", lambda *a, **k: order.append("notebook") or real(*a, **k)
    )
    assert run_pack(tmp_path, make_notebooks(tmp_path / "nb"), "--notebooks", "00,1") == 0
    assert order == ["cube", "notebook", "notebook"]
    out = tmp_path / "reports" / "2016-09"
    assert sorted(p.name for p in out.glob("*.html")) == ["01_domestic_abuse.html", "index.html"]


def test_a_notebooks_subset_updates_those_pages_and_keeps_the_others(tmp_path, stand_in_core):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks, pdf=True) == 0
    out = tmp_path / "reports" / "2016-09"
    before = tree_digest(out)
    nb = nbformat.read(notebooks / "01_domestic_abuse.ipynb", as_version=4)
    nb.cells.append(new_code_cell("print('second edition')"))
    nbformat.write(nb, notebooks / "01_domestic_abuse.ipynb")

    assert run_pack(tmp_path, notebooks, "--notebooks", "01", pdf=True) == 0

    after = tree_digest(out)
    assert sorted(after) == sorted(before)
    changed = {name for name in after if after[name] != before[name]}
    # tables.csv is rebuilt every run (here by the stand-in, so unchanged); pack.pdf is printed
    # again from every page, the new one and those carried over.
    printed = {"pack.pdf"} if pdf.CHROMIUM.exists() else set()
    assert changed - {"tables.csv"} == {
        "01_domestic_abuse.html",
        "notebooks/01_domestic_abuse.ipynb",
        "run.json",
        *printed,
    }
    assert "second edition" in (out / "01_domestic_abuse.html").read_text()
    record = json.loads((out / "run.json").read_text())
    status = {n["notebook"]: n["status"] for n in record["notebooks"]}
    assert status == {
        "01_domestic_abuse.ipynb": "ok",
        "00_master.ipynb": "carried over from the previous run",
        "02_victims.ipynb": "carried over from the previous run",
    }


def test_a_notebooks_subset_refuses_to_mix_with_a_pack_of_other_parameters(
    tmp_path, stand_in_core, monkeypatch, capsys
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == 0
    out = tmp_path / "reports" / "2016-09"
    before = tree_digest(out, skip="")
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))
    code = run_pack(tmp_path, notebooks, "--notebooks", "01", "--period", "fytd")
    assert code == pack.EXIT_INVALID_PARAMETERS
    assert "was made from another month, period or data" in capsys.readouterr().err
    assert tree_digest(out, skip="") == before


def test_data_validation_error_exits_3_and_keeps_the_earlier_pack(
    tmp_path, stand_in_core, monkeypatch, capsys
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == 0
    out = tmp_path / "reports" / "2016-09"
    before = tree_digest(out, skip="")

    def broken(data_dir, **_):
        raise DataValidationError(f"{data_dir}/crimes.csv: column recorded_date: 2 rows not a date")

    monkeypatch.setattr(pack, "load_cube", broken)
    assert run_pack(tmp_path, notebooks) == pack.EXIT_DATA_VALIDATION
    err = capsys.readouterr().err
    assert "data validation error: data/crimes.csv: column recorded_date" in err
    assert str(tmp_path) not in err
    assert tree_digest(out, skip="") == before


def test_export_error_exits_4_and_publishes_nothing(tmp_path, stand_in_core, monkeypatch):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    nb = nbformat.read(notebooks / "01_domestic_abuse.ipynb", as_version=4)
    nb.cells.append(
        new_code_cell(
            "from IPython.display import HTML\n"
            "HTML('<script src=\"https://cdn.example.org/lib.js\"></script>')"
        )
    )
    nbformat.write(nb, notebooks / "01_domestic_abuse.ipynb")
    assert run_pack(tmp_path, notebooks) == pack.EXIT_INTERNAL
    assert not (tmp_path / "reports" / "2016-09").exists()


# --- units of the runner -----------------------------------------------------------------------


def test_kernel_start_race_is_retried_once(tmp_path):
    import zmq

    calls = []

    def flaky(input_path, output_path, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise zmq.ZMQError(98, "Address already in use")
        shutil.copy(input_path, output_path)

    nb_path = tmp_path / "01_x.ipynb"
    nbformat.write(fixture_notebook("x"), nb_path)
    notebook = pack.Notebook(nb_path, "01", "x")
    result = pack.execute_notebook(
        notebook, tmp_path / "out.ipynb", {}, timeout=5, cwd=tmp_path, execute=flaky, on_retry=print
    )
    assert result.ok and result.attempts == 2
    assert calls[0]["kernel_name"] == "python3" and calls[0]["execution_timeout"] == 5


def test_a_kernel_that_dies_mid_notebook_is_not_retried(tmp_path):
    from nbclient.exceptions import DeadKernelError

    def dies(input_path, output_path, **kwargs):
        nb = nbformat.read(input_path, as_version=4)
        for i, cell in enumerate(nb.cells):
            cell.metadata["papermill"] = {"status": "completed" if i < 2 else "pending"}
        nb.cells[2].metadata["papermill"]["status"] = "running"
        nbformat.write(nb, output_path)
        raise DeadKernelError("Kernel died")

    nb_path = tmp_path / "01_x.ipynb"
    nbformat.write(fixture_notebook("x"), nb_path)
    result = pack.execute_notebook(
        pack.Notebook(nb_path, "01", "x"),
        tmp_path / "o.ipynb",
        {},
        timeout=5,
        cwd=tmp_path,
        execute=dies,
    )
    assert result.attempts == 1
    assert result.failure.cell_index == 2 and result.failure.ename == "DeadKernelError"


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdnjs.cloudflare.com/require.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css">',
        '<img src="http://example.org/a.png">',
        "<style>@import url(https://example.org/x.css);</style>",
        "<style>body { background: url('https://example.org/bg.png') }</style>",
        '<script>import("https://esm.sh/mermaid")</script>',
        '<iframe src="https://example.org"></iframe>',
        '<img src="data:image/png;base64,iVBO//Rw0K+g==" srcset="https://example.org/a.png">',
    ],
)
def test_external_references_are_found(html):
    assert export.external_references(html)


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://data.police.uk/">data.police.uk</a>',
        '<svg xmlns="http://www.w3.org/2000/svg"><use xlink:href="#p1"/></svg>',
        "<p>Source: https://data.police.uk/data/</p>",
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<a href="01_domestic_abuse.html#geography=Colchester">Colchester</a>',
    ],
)
def test_local_content_and_plain_links_are_not_external_requests(html):
    assert export.external_references(html) == []


def test_external_anchors_become_plain_text_showing_the_address():
    html = '<p>See <a href="https://www.gov.uk/x" target="_blank">the guidance</a>.</p>'
    assert export.unlink_external_anchors(html) == (
        '<p>See the guidance <span class="ppw-url">(https://www.gov.uk/x)</span>.</p>'
    )


def test_prepare_for_html_drops_widgets_stderr_and_removed_cells():
    nb = new_notebook(
        cells=[
            new_code_cell("a", metadata={"tags": ["remove-cell"]}),
            new_code_cell("b"),
        ]
    )
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: …"),
        nbformat.v4.new_output("stream", name="stdout", text="kept"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                "text/plain": "HBox()",
            },
        ),
    ]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    clean, dropped = export.prepare_for_html(nb)
    assert dropped == 1
    assert len(clean.cells) == 1
    assert [o.get("text") for o in clean.cells[0].outputs] == ["kept"]
    assert "widgets" not in clean.metadata
    assert len(nb.cells) == 2  # the executed notebook itself is not changed


def test_help_documents_the_exit_codes():
    done = subprocess.run(
        [sys.executable, "-m", "helpers.pack", "--help"], capture_output=True, text=True, check=True
    )
    for line in ("0  the pack was published", "1  a notebook failed", "2  invalid parameters",
                 "3  the data failed validation", "4  internal or export error"):  # fmt: skip
        assert line in done.stdout


def test_progress_is_plain_lines_without_timestamps_off_a_terminal():
    stream = io.StringIO()
    progress = pack.Progress(2, stream)
    progress.step("00_master.ipynb ok (3.1 s, 500 kB)")
    progress.log("a note")
    progress.close()
    assert stream.getvalue() == "[1/2] 00_master.ipynb ok (3.1 s, 500 kB)\na note\n"


def test_progress_shows_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = pack.Progress(2, stream)
    progress.step("00_master.ipynb ok")
    progress.close()
    assert "[1/2] 00_master.ipynb ok" in stream.getvalue()
    assert "notebook" in stream.getvalue() and "\r" in stream.getvalue()  # tqdm's bar


def test_data_to_is_shown_up_to_the_report_month():
    data_to = {"crimes": pd.Period("2016-12", "M"), "drug_tests": "2015-03", "savings": None}
    assert export.data_to_text(data_to, "2016-09") == (
        "crimes Sep 2016 · drug tests Mar 2015 · savings no data"
    )


def test_display_path_is_relative_to_the_project_or_just_the_name(tmp_path):
    assert config.display_path(PROJECT_ROOT / "data" / "demo") == "data/demo"
    assert config.display_path(tmp_path / "extracts") == "extracts"


# --- the real pack ------------------------------------------------------------------------------

REAL_NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob(plan.NOTEBOOK_GLOB))
needs_real_pack = pytest.mark.skipif(
    len(REAL_NOTEBOOKS) < 9 or not any(DEMO_DATA_DIR.glob("crimes.*")),
    reason="needs notebooks/00_master … 08_* and the demo data (make data)",
)


def _cube_available() -> bool:
    try:
        import helpers.measures.cube  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@needs_real_pack
def test_real_pack_for_september_2016(demo_pack):
    out = demo_pack  # python -m helpers.pack --month 2016-09 (conftest, shared)
    pages = sorted(p.name for p in out.glob("*.html"))
    assert len(pages) == 9 and "index.html" in pages
    for page in pages:
        html = (out / page).read_text(encoding="utf-8")
        assert export.external_references(html) == [], page
        assert "jp-InputArea-editor" not in html, page
        assert str(PROJECT_ROOT) not in html, page
        assert "September 2016" in html
        budget = pack.PAGE_BUDGET["index" if page == "index.html" else "area"]
        assert len(html.encode()) <= budget, f"{page} is over its budget"
    record = json.loads((out / "run.json").read_text())
    assert record["parameters"]["data_dir"] == "data/demo"
    assert len(pd.read_csv(out / "tables.csv")) > 0


@pytest.mark.slow
@pytest.mark.skipif(not _cube_available(), reason="needs helpers.measures.cube")
def test_broken_crimes_extract_exits_3_and_keeps_the_earlier_pack(tmp_path, capsys):
    """A data folder whose crimes.csv breaks the contract: exit 3 with the loader's message."""
    make_data(tmp_path / "data")
    out = tmp_path / "reports" / "2016-09"
    notebooks = make_notebooks(tmp_path / "nb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack, "load_cube", lambda d, **_: tiny_cube())
        mp.setattr(pack, "tables_csv", lambda c, m, p: pd.DataFrame({"x": [1]}))
        assert run_pack(tmp_path, notebooks, pdf=True) == 0
    before = tree_digest(out, skip="")
    capsys.readouterr()

    broken = tmp_path / "broken"
    if any(DEMO_DATA_DIR.glob("crimes.*")):
        shutil.copytree(DEMO_DATA_DIR, broken, ignore=shutil.ignore_patterns(".cache", "crimes.*"))
    else:
        broken.mkdir()
    header = "crime_id,recorded_date,offence_group,victim_based,district,domestic_abuse"
    (broken / "crimes.csv").write_text(
        header
        + "\nC1,2016-09-31,Robbery,true,Colchester,false\nC2,not a date,Theft,true,Nowhere,false\n"
    )
    code = pack.main(
        [
            "--month",
            "2016-09",
            "--data",
            str(broken),
            "--notebooks-dir",
            str(notebooks),
            "--out",
            str(out),
        ]  # fmt: skip
    )
    err = capsys.readouterr().err
    assert code == pack.EXIT_DATA_VALIDATION, err
    assert "crimes.csv" in err
    assert str(tmp_path) not in err
    assert tree_digest(out, skip="") == before


def test_scrubber_names_kernel_cell_files_and_leaves_images_alone(tmp_path):
    scrub = pack.Scrubber()
    scrub.add(tmp_path / "data", "data")
    image = "data:image/png;base64,iVBORw0KGgo//ipykernel/AAAA+/x9=="
    warning = f"{tmp_path}/data/x.csv read; /tmp/ipykernel_4242/3949487693.py:3: UserWarning"
    assert scrub(warning) == "data/x.csv read; <cell>:3: UserWarning"
    assert scrub(image) == image
    assert scrub(f"{image} {warning}") == f"{image} data/x.csv read; <cell>:3: UserWarning"
