"""Safe to publish: the pack runner loses nothing, discloses no record value and says what went wrong.

Issue 16, the pack's part. Each test reproduces one finding and fails on the code before the fix
(``PYTHONPATH=/tmp/orig/src``):

- ``--out`` replaces only a folder a pack wrote (never the data, the repository, their parents);
- publishing completes or leaves the previous pack, also after ``kill -9`` at any step, and the
  next run cleans up what a killed one left;
- a ``--notebooks`` re-run after the settings changed (``suppress_below``) is refused;
- every page and tables.csv come from the one data snapshot built at the start;
- failed notebooks, their run record and the log carry no record values;
- exit codes say what to do: configuration 2, busy 5, output unwritable 6, without a traceback;
- a time-out or a dead kernel names the cell it happened in.

Most tests run the runner on small notebooks (see ``test_pack.py``) with a stand-in cube; the
snapshot test builds a real cube from a copy of the demo data.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell
from support.packs import fixture_notebook, make_data, make_notebooks, run_pack, tree_digest

from helpers.config import NOTEBOOKS_DIR, PROFILES_DIR, PROJECT_ROOT
from helpers.pack import execute, plan, publish
from helpers.pack import runner as pack

CANARY = "CANARY-ROW-5e1f"


def _argv(tmp_path: Path, out, *extra: str, notebooks: Path | None = None) -> list[str]:
    return [
        "--month",
        "2016-09",
        "--data",
        str(tmp_path / "data"),
        "--notebooks-dir",
        str(notebooks or tmp_path / "nb"),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--timeout",
        "120",
        "--no-pdf",  # pack.pdf has tests of its own (test_pdf)
        *extra,
    ]


def _listing(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------------------------------
# 1. --out replaces only what a pack wrote


@pytest.fixture
def nothing_runs(monkeypatch):
    """build_pack replaced by a recorder: a refused --out must stop before anything runs.

    Also keeps a guard that is missing (the code before the fix) from replacing real folders.
    """
    calls = []
    monkeypatch.setattr(pack, "build_pack", lambda run: calls.append(run.out) or pack.EXIT_OK)
    return calls


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{data}", "is the data folder"),
        ("{parent}", "holds the data folder"),
        (".", "is the project folder"),
        ("notebooks", "is the notebooks folder"),
        ("profiles", "is the profiles folder"),
        ("src", "is the source folder"),
        ("reports", "is the reports folder"),
        ("{root}", "holds the project folder"),
    ],
)
def test_out_that_is_or_holds_a_protected_folder_exits_2_and_nothing_runs(
    tmp_path, nothing_runs, capsys, target, message
):
    data = make_data(tmp_path / "parent" / "data")
    make_notebooks(tmp_path / "nb")
    before = _listing(tmp_path / "parent")
    out = target.format(data=data, parent=data.parent, root=PROJECT_ROOT.parent)
    argv = _argv(tmp_path, out)
    argv[argv.index("--data") + 1] = str(data)

    assert pack.main(argv) == pack.EXIT_INVALID_PARAMETERS

    err = capsys.readouterr().err
    assert message in err and "--out" in err
    assert "Traceback" not in err
    assert nothing_runs == []
    assert _listing(tmp_path / "parent") == before
    for folder in (PROJECT_ROOT / ".git", NOTEBOOKS_DIR, PROFILES_DIR):
        assert folder.exists()


def test_out_holding_unrelated_files_exits_2_and_keeps_them(tmp_path, nothing_runs, capsys):
    make_data(tmp_path / "data")
    make_notebooks(tmp_path / "nb")
    out = tmp_path / "my documents"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"figures")
    (out / "run.json").write_text('{"not": "a pack"}')  # a file of that name is not enough

    assert pack.main(_argv(tmp_path, out)) == pack.EXIT_INVALID_PARAMETERS

    err = capsys.readouterr().err
    assert "my documents holds files a pack did not write (budget.xlsx, run.json)" in err
    assert nothing_runs == []
    assert _listing(out) == {"budget.xlsx": b"figures", "run.json": b'{"not": "a pack"}'}


def test_out_holding_a_git_repository_exits_2(tmp_path, nothing_runs, capsys):
    make_data(tmp_path / "data")
    make_notebooks(tmp_path / "nb")
    out = tmp_path / "repo"
    (out / ".git").mkdir(parents=True)
    assert pack.main(_argv(tmp_path, out)) == pack.EXIT_INVALID_PARAMETERS
    assert "holds a git repository" in capsys.readouterr().err
    assert nothing_runs == []


def test_out_may_be_absent_empty_a_marked_pack_or_a_pack_made_before_markers(
    tmp_path, nothing_runs
):
    make_data(tmp_path / "data")
    make_notebooks(tmp_path / "nb")
    empty = tmp_path / "empty"
    empty.mkdir()
    marked = tmp_path / "marked"
    marked.mkdir()
    publish.write_marker(marked, "2016-09")
    (marked / "notes.txt").write_text("a pack's folder may hold anything once marked")
    legacy = tmp_path / "legacy"  # published before the marker existed: its run.json says so
    (legacy / "notebooks").mkdir(parents=True)
    (legacy / "index.html").write_text("<html></html>")
    (legacy / "run.json").write_text(
        json.dumps(
            {"status": "ok", "parameters": {"month": "2016-09"}, "notebooks": [], "packages": {}}
        )
    )
    for out in (tmp_path / "absent", empty, marked, legacy):
        assert pack.main(_argv(tmp_path, out)) == pack.EXIT_OK, out.name
    assert len(nothing_runs) == 4


def test_a_published_pack_is_marked_and_a_failed_first_run_can_be_replaced(tmp_path, stand_in):
    make_data(tmp_path / "data")
    out = tmp_path / "reports" / "2016-09"
    failing = make_notebooks(tmp_path / "bad", failing="01_domestic_abuse.ipynb")
    assert run_pack(tmp_path, failing) == pack.EXIT_NOTEBOOK_FAILED
    assert run_pack(tmp_path, make_notebooks(tmp_path / "good")) == pack.EXIT_OK
    marker = json.loads((out / publish.PACK_MARKER).read_text())
    assert marker == {"tool": "helpers.pack", "month": "2016-09"}


# --------------------------------------------------------------------------------------------------
# 2. Publishing is atomic, also after kill -9 at any step

#: Runs publish.publish with every file-system step (rename, replace, unlink, rmdir, fsync and the
#: atomic exchange) counted; at step ``stop_at`` it says "paused" and waits to be killed.
PUBLISH_CHILD = r"""
import os, sys, time
from pathlib import Path
from helpers.pack import publish

staging, out, stop_at, mode = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
steps = 0

def pausing(fn):
    def step(*args, **kwargs):
        global steps
        steps += 1
        if steps == stop_at:
            print("paused", flush=True)
            time.sleep(600)
        return fn(*args, **kwargs)
    return step

if mode == "fallback":  # a system without an atomic exchange: two renames
    publish.exchange_paths = lambda a, b: False
else:
    publish.exchange_paths = pausing(publish.exchange_paths)
for name in ("rename", "replace", "unlink", "rmdir", "fsync"):
    setattr(os, name, pausing(getattr(os, name)))
publish.publish(staging, out)
print("done", flush=True)
"""


def _fake_pack(folder: Path, edition: str, pages: list[str]) -> dict[str, bytes]:
    (folder / "notebooks").mkdir(parents=True)
    publish.write_marker(folder, "2016-09")
    for page in pages:
        (folder / page).write_text(f"<p>{edition} edition of {page}</p>")
        (folder / "notebooks" / page.replace(".html", ".ipynb")).write_text(edition)
    (folder / "run.json").write_text(json.dumps({"edition": edition}))
    (folder / "tables.csv").write_text(f"edition\n{edition}\n")
    return _listing(folder)


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_publish_killed_at_every_step_leaves_a_complete_pack_and_the_next_run_cleans_up(
    tmp_path, mode
):
    outcomes, missing_before_recovery = [], 0
    for stop_at in range(1, 100):
        parent = tmp_path / f"kill{stop_at}" / "reports"
        out = parent / "2016-09"
        old = _fake_pack(out, "old", ["index.html", "01_domestic_abuse.html"])
        staging = parent / ".staging-2016-09-4242"
        new = _fake_pack(
            staging, "new", ["index.html", "01_domestic_abuse.html", "02_victims.html"]
        )
        child = subprocess.Popen(
            [sys.executable, "-c", PUBLISH_CHILD, str(staging), str(out), str(stop_at), mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said = child.stdout.readline().strip()
        if said == "paused":
            os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        assert said in ("paused", "done"), child.stderr.read()[-2000:]

        if mode == "exchange":  # at no moment is there no published pack, or half of one
            assert out.is_dir() and _listing(out) in (old, new), f"killed at step {stop_at}"
        elif not out.exists():
            missing_before_recovery += 1
        # the next run (holding the folder's lock) restores and cleans up
        publish.recover_interrupted_publish(out)
        assert _listing(out) in (old, new), f"killed at step {stop_at}"
        outcomes.append("new" if _listing(out) == new else "old")
        assert sorted(p.name for p in parent.iterdir()) == ["2016-09"], f"step {stop_at}"
        if said == "done":
            assert outcomes[-1] == "new"
            break
    else:
        pytest.fail("publish never finished")
    assert "old" in outcomes and "new" in outcomes[:-1]  # killed before and after the swap
    if mode == "fallback":  # killed between the two renames: the old pack had to be restored
        assert missing_before_recovery >= 1


def test_exchange_paths_swaps_two_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from_a").touch()
    (tmp_path / "b" / "from_b").touch()
    if not publish.exchange_paths(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this system has no atomic exchange (the fallback is tested above)")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["from_b"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["from_a"]


def test_the_next_run_restores_a_pack_left_aside_and_removes_leftovers(tmp_path, stand_in, capsys):
    """What a run killed between the two renames of the code before the fix left behind."""
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OK
    parent = tmp_path / "reports"
    out = parent / "2016-09"
    published = tree_digest(out)
    out.rename(parent / ".old-2016-09-31337")  # killed after moving the old pack aside
    (parent / ".staging-2016-09-31337" / "notebooks").mkdir(parents=True)
    (out.parent / ".ppw-publish-2016-09.json.tmp").write_text("{")
    capsys.readouterr()

    # a run that fails still restores the published pack first
    failing = make_notebooks(tmp_path / "bad", failing="02_victims.ipynb")
    assert run_pack(tmp_path, failing) == pack.EXIT_NOTEBOOK_FAILED

    assert "restored the published pack" in capsys.readouterr().err
    assert tree_digest(out) == published
    assert sorted(p.name for p in parent.iterdir() if not p.name.startswith(".lock")) == ["2016-09"]


# --------------------------------------------------------------------------------------------------
# 3. A --notebooks re-run after the settings changed is refused


def _profile(folder: Path, **values) -> Path:
    """A copy of the demo force's profile with ``values`` set in its force.yaml."""
    import shutil

    import yaml

    from helpers.config import DEMO_PROFILE_DIR

    shutil.copytree(DEMO_PROFILE_DIR, folder)
    path = folder / "force.yaml"
    data = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**data, **values}))
    return folder


def test_a_notebooks_rerun_after_suppression_was_switched_on_is_refused(
    tmp_path, stand_in, monkeypatch, capsys
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    profile = _profile(tmp_path / "profile", suppress_below=None)
    assert run_pack(tmp_path, notebooks, "--profile", str(profile)) == pack.EXIT_OK
    out = tmp_path / "reports" / "2016-09"
    before = tree_digest(out, skip="")
    assert (
        json.loads((out / "run.json").read_text())["settings"]["force_config"]["suppress_below"]
        is None
    )

    force_yaml = profile / "force.yaml"
    force_yaml.write_text(
        force_yaml.read_text().replace("suppress_below: null", "suppress_below: 10")
    )
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))
    capsys.readouterr()

    assert (
        run_pack(tmp_path, notebooks, "--notebooks", "01", "--profile", str(profile))
        == pack.EXIT_INVALID_PARAMETERS
    )

    err = capsys.readouterr().err
    assert "suppress_below: None → 10" in err and "run the whole pack" in err
    assert "Traceback" not in err
    # nothing published: no page made without [c] sits beside a run.json that says 10
    assert tree_digest(out, skip="") == before


def test_a_notebooks_rerun_with_another_profile_is_refused(tmp_path, stand_in, monkeypatch, capsys):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OK
    other = _profile(tmp_path / "other")
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))
    capsys.readouterr()
    assert (
        run_pack(tmp_path, notebooks, "--notebooks", "01", "--profile", str(other))
        == pack.EXIT_INVALID_PARAMETERS
    )
    assert "the profile (profiles/demo → " in capsys.readouterr().err


@pytest.mark.parametrize("change", ["commentary", "catalog", "version"])
def test_a_notebooks_rerun_after_commentary_catalog_or_version_changed_is_refused(
    tmp_path, stand_in, monkeypatch, capsys, change
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OK
    real = pack.page_settings
    altered = {
        "commentary": lambda s: {**s, "commentary": {**s["commentary"], "01_x.md": "0" * 64}},
        "catalog": lambda s: {**s, "catalog_sha256": "0" * 64},
        "version": lambda s: {**s, "helpers_version": "99.0"},
    }[change]
    monkeypatch.setattr(pack, "page_settings", lambda month, profile: altered(real(month, profile)))
    capsys.readouterr()
    assert run_pack(tmp_path, notebooks, "--notebooks", "01") == pack.EXIT_INVALID_PARAMETERS
    named = {"commentary": "01_x.md", "catalog": "measure catalog", "version": "99.0"}[change]
    assert named in capsys.readouterr().err


def test_a_notebooks_rerun_with_the_same_settings_keeps_the_other_pages(tmp_path, stand_in):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OK
    assert run_pack(tmp_path, notebooks, "--notebooks", "01") == pack.EXIT_OK
    record = json.loads((tmp_path / "reports" / "2016-09" / "run.json").read_text())
    assert set(record["settings"]) == {
        "profile",
        "force_config",
        "commentary",
        "catalog_sha256",
        "helpers_version",
    }


# --------------------------------------------------------------------------------------------------
# 5. Failed notebooks and the log carry no record values


def invalid_extracts(folder: Path) -> Path:
    """A crimes.csv that breaks the contract: a duplicate id, which the loader quotes."""
    folder.mkdir(parents=True)
    header = (
        "crime_id,recorded_date,offence_group,victim_based,district,domestic_abuse,da_risk_level,"
        "night_time_economy,rural,business,class_a_supply,victim_id,outcome_type,outcome_date,"
        "evidence_led_prosecution"
    )
    rows = [
        f"{CANARY}-1,2016-09-0{d},Robbery,true,Colchester,false,,false,false,false,false,"
        f"{CANARY}-victim-{d},,,false"
        for d in (1, 2)
    ]
    (folder / "crimes.csv").write_text("\n".join([header, *rows]) + "\n")
    return folder


def test_a_notebook_failing_on_invalid_data_keeps_no_record_value(tmp_path, stand_in, capsys):
    """The loader's DataValidationError (it quotes example rows) raised in a notebook: withheld."""
    make_data(tmp_path / "data")
    bad = invalid_extracts(tmp_path / "bad_extracts")
    notebooks = make_notebooks(tmp_path / "nb")
    nb = nbformat.read(notebooks / "02_victims.ipynb", as_version=4)
    nb.cells.append(
        new_code_cell(
            f"from helpers.sources.loading import load_extracts\n\nload_extracts(r'{bad}')"
        )
    )
    nb.cells.append(new_code_cell("print('footer')"))
    nbformat.write(nb, notebooks / "02_victims.ipynb")

    assert run_pack(tmp_path, notebooks) == pack.EXIT_NOTEBOOK_FAILED

    err = capsys.readouterr().err
    failed = tmp_path / "reports" / "2016-09" / "failed"
    kept = {name: text.decode() for name, text in _listing(failed).items()}
    assert sorted(kept) == ["02_victims.ipynb", "run.json"]
    for where, text in [("log", err), *kept.items()]:
        assert CANARY not in text, where
    assert "02_victims.ipynb failed at cell 5" in err and "DataValidationError" in err
    assert "python -m helpers.sources.loading" in err  # where to look instead
    errors = [
        o
        for c in nbformat.reads(kept["02_victims.ipynb"], as_version=4).cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert [e.ename for e in errors] == ["DataValidationError"]


def test_withhold_record_values_covers_chained_errors_and_printed_messages():
    nb = fixture_notebook("x")
    nb.cells[2].outputs = [
        nbformat.v4.new_output(
            "error",
            ename="RuntimeError",
            evalue="page failed",
            traceback=[f"DataValidationError: crimes.csv: rows 3 ({CANARY})", "RuntimeError"],
        ),
        nbformat.v4.new_output("stream", name="stdout", text=f"DataValidationError: {CANARY}\n"),
        nbformat.v4.new_output("stream", name="stdout", text="kept\n"),
    ]
    assert execute.withhold_record_values(nb) == 2
    assert CANARY not in nbformat.writes(nb)
    assert nb.cells[2].outputs[2].text == "kept\n"


# --------------------------------------------------------------------------------------------------
# 6. Exit codes that tell the operator what to do


def test_a_busy_output_folder_exits_5_with_one_line(tmp_path, stand_in, capsys):
    import fcntl

    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    (tmp_path / "reports").mkdir()
    with open(tmp_path / "reports" / ".lock-2016-09", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run's lock
        assert run_pack(tmp_path, notebooks) == pack.EXIT_BUSY
    err = capsys.readouterr().err
    assert "another pack run is publishing to" in err and "wait" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "reports" / "2016-09").exists()


def test_an_unwritable_output_folder_exits_6_naming_it(tmp_path, stand_in, capsys):
    """/sys refuses every write (even root's): a real unwritable place, not a mocked one."""
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    if os.access("/sys", os.W_OK) and Path("/sys/ppw-probe").exists():  # pragma: no cover
        pytest.skip("/sys is writable here")
    code = run_pack(tmp_path, notebooks, out=Path("/sys/ppw-reports/2016-09"))
    err = capsys.readouterr().err
    assert code == pack.EXIT_OUTPUT_UNWRITABLE, err
    assert "cannot write the pack to ppw-reports/" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM]
)
def test_each_cannot_write_error_is_exit_6_naming_the_folder(tmp_path, code):
    out = tmp_path / "reports" / "2016-09"
    with pytest.raises(publish.OutputUnwritable) as raised, publish.writing_to(out):
        raise OSError(code, os.strerror(code))
    assert raised.value.exit_code == pack.EXIT_OUTPUT_UNWRITABLE == 6
    assert os.strerror(code) in str(raised.value) and "2016-09" in str(raised.value)
    with pytest.raises(FileNotFoundError), publish.writing_to(out):  # not an output error: a bug
        raise FileNotFoundError(errno.ENOENT, "gone")


def test_a_full_disk_while_publishing_exits_6_and_keeps_the_published_pack(
    tmp_path, stand_in, monkeypatch, capsys
):
    code = errno.ENOSPC
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OK
    out = tmp_path / "reports" / "2016-09"
    before = tree_digest(out, skip="")

    def full(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(publish, "exchange_paths", full)
    monkeypatch.setattr(pack.os, "rename", full)
    capsys.readouterr()
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OUTPUT_UNWRITABLE
    err = capsys.readouterr().err
    assert os.strerror(code) in err and "2016-09" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert tree_digest(out, skip="") == before


def test_a_full_disk_while_writing_pages_exits_6(tmp_path, stand_in, monkeypatch, capsys):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.suffix == ".html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    assert run_pack(tmp_path, notebooks) == pack.EXIT_OUTPUT_UNWRITABLE
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    monkeypatch.undo()
    assert not (tmp_path / "reports" / "2016-09").exists()


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("force_name: Essex\nsuppress_below: [10\n", "line"),  # a YAML syntax error
        ("force_name: Essex\nsuppres_below: 10\n", "suppres_below"),  # a mistyped key
        ("force_name: Essex\nsuppress_below: ten\n", "suppress_below"),  # a mistyped value
    ],
)
def test_a_configuration_error_exits_2_naming_the_file_and_key_without_traceback(
    tmp_path, stand_in, monkeypatch, capsys, content, named
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    profile = _profile(tmp_path / "profile")
    (profile / "force.yaml").write_text(content)
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))

    assert run_pack(tmp_path, notebooks, "--profile", str(profile)) == pack.EXIT_INVALID_PARAMETERS

    err = capsys.readouterr().err
    assert "force.yaml" in err and named in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_missing_force_configuration_exits_2_never_the_demo_defaults(
    tmp_path, stand_in, monkeypatch, capsys
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    profile = _profile(tmp_path / "profile")
    (profile / "force.yaml").unlink()
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))
    assert run_pack(tmp_path, notebooks, "--profile", str(profile)) == pack.EXIT_INVALID_PARAMETERS
    err = capsys.readouterr().err
    assert "force.yaml not found" in err and "Traceback" not in err


@pytest.mark.parametrize("broken", ["no folder", "no districts", "no msg_forces"])
def test_a_missing_or_broken_profile_exits_2_naming_it(
    tmp_path, stand_in, monkeypatch, capsys, broken
):
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "nb")
    profile = tmp_path / "profile"
    if broken != "no folder":
        _profile(profile)
        (
            profile / {"no districts": "districts.csv", "no msg_forces": "msg_forces.csv"}[broken]
        ).unlink()
    monkeypatch.setattr(pack, "execute_notebook", lambda *a, **k: pytest.fail("notebook started"))
    assert run_pack(tmp_path, notebooks, "--profile", str(profile)) == pack.EXIT_INVALID_PARAMETERS
    err = capsys.readouterr().err
    named = {
        "no folder": "profile",
        "no districts": "districts.csv",
        "no msg_forces": "msg_forces.csv",
    }
    assert named[broken] in err and "not found" in err and "Traceback" not in err


def test_help_lists_the_new_exit_codes():
    done = subprocess.run(
        [sys.executable, "-m", "helpers.pack", "--help"], capture_output=True, text=True, check=True
    )
    assert "5  busy" in done.stdout and "6  the output folder cannot be written" in done.stdout


# --------------------------------------------------------------------------------------------------
# 7. Time-outs and dead kernels name the cell they happened in


def _notebooks_with(tmp_path: Path, source: str) -> Path:
    notebooks = make_notebooks(tmp_path / "nb")
    nb = nbformat.read(notebooks / "02_victims.ipynb", as_version=4)
    nb.cells.append(new_code_cell(source))
    nb.cells.append(new_code_cell("print('the footer')"))
    nbformat.write(nb, notebooks / "02_victims.ipynb")
    return notebooks


def _statuses(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.metadata.get("papermill", {}).get("status") for c in nb.cells]


def test_a_time_out_names_the_cell_that_timed_out_not_the_footer(tmp_path, stand_in, capsys):
    make_data(tmp_path / "data")
    notebooks = _notebooks_with(tmp_path, "import time\n\ntime.sleep(60)")
    code = run_pack(tmp_path, notebooks, "--notebooks", "02", "--timeout", "2")
    assert code == pack.EXIT_NOTEBOOK_FAILED
    err = capsys.readouterr().err
    assert "02_victims.ipynb failed at cell 5 ('import time'): CellTimeoutError" in err
    assert "more than 2 s" in err
    failed = tmp_path / "reports" / "2016-09" / "failed" / "02_victims.ipynb"
    # the cells before ran, the hung one failed, the footer never ran
    assert _statuses(failed) == ["completed"] * 5 + ["failed", "pending"]
    outputs = nbformat.read(failed, as_version=4).cells[5].outputs
    # the kernel's own KeyboardInterrupt (nbclient interrupts it), then why the pack stopped it
    assert [o.ename for o in outputs if o.output_type == "error"][-1] == "CellTimeoutError"


def test_a_kernel_that_dies_names_its_cell_and_suggests_memory(tmp_path, stand_in, capsys):
    make_data(tmp_path / "data")
    notebooks = _notebooks_with(
        tmp_path, "import os, signal\n\nos.kill(os.getpid(), signal.SIGKILL)"
    )
    assert run_pack(tmp_path, notebooks, "--notebooks", "02") == pack.EXIT_NOTEBOOK_FAILED
    err = capsys.readouterr().err
    assert "02_victims.ipynb failed at cell 5 ('import os, signal'): DeadKernelError" in err
    assert "the kernel died" in err and "out of memory?" in err
    failed = tmp_path / "reports" / "2016-09" / "failed" / "02_victims.ipynb"
    assert _statuses(failed) == ["completed"] * 5 + ["failed", "pending"]


# --------------------------------------------------------------------------------------------------
# 4. One data snapshot for the whole run (and 5: an invalid file swapped in leaves no trace)

SNAPSHOT_PARAMETERS = """month: str = "2016-09"
period: str = "rolling-12m"
geography: str = "Force"
data_dir: str = "data/demo"
data_fingerprint: str = ""
interactive: bool = True"""


def snapshot_notebook(title: str, *, wait_for: Path | None = None, started: Path | None = None):
    """A page that prints the force's crimes in the window from the cube the pack hands it."""
    cells = [nbformat.v4.new_markdown_cell(f"# {title}")]
    cells.append(new_code_cell(SNAPSHOT_PARAMETERS, metadata={"tags": ["parameters"]}))
    if wait_for is not None:  # the test changes the data folder meanwhile
        cells.append(
            new_code_cell(
                "import time\nfrom pathlib import Path\n\n"
                f"Path(r'{started}').touch()\n"
                f"while not Path(r'{wait_for}').exists():\n    time.sleep(0.1)"
            )
        )
    cells.append(
        new_code_cell(
            "from helpers import periods\nfrom helpers.pages import report\n\n"
            "cube = report.get_cube(data_dir, data_fingerprint)\n"
            "value = cube.value('all_crime', periods.window(period, month)).value\n"
            "print(f'all crime: {value:.0f}')"
        )
    )
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def _demo_ready() -> bool:
    from helpers.config import DEMO_DATA_DIR

    return (DEMO_DATA_DIR / ".complete").exists() and (DEMO_DATA_DIR / "crimes.parquet").exists()


def _change_crimes(path: Path, how: str) -> None:
    crimes = pd.read_parquet(path)
    if how == "valid":  # 2,000 crimes of the report month recorded two years earlier instead
        in_month = crimes.index[crimes["recorded_date"].dt.strftime("%Y-%m") == "2016-09"][:2000]
        crimes.loc[in_month, "recorded_date"] -= pd.DateOffset(years=2)
        crimes.loc[in_month, "outcome_date"] = pd.NaT
    else:  # a duplicated crime id: the loader would refuse it, quoting the rows
        crimes.loc[crimes.index[:2], "crime_id"] = f"{CANARY}-crime"
    tmp = path.with_name("crimes.tmp")
    crimes.to_parquet(tmp, index=False)
    os.replace(tmp, path)


@pytest.mark.slow
@pytest.mark.skipif(
    not _demo_ready(), reason="needs the demo data (python -m helpers.sources.demo)"
)
@pytest.mark.parametrize("how", ["valid", "invalid"])
def test_a_data_folder_changed_during_the_run_gives_one_consistent_pack(tmp_path, how):
    import shutil

    from helpers import periods
    from helpers.config import DEMO_DATA_DIR
    from helpers.measures.cube import load_cube

    extracts = tmp_path / "extracts"
    shutil.copytree(DEMO_DATA_DIR, extracts)  # with its cube cache: the start is quick
    expected = load_cube(extracts).value("all_crime", periods.window("rolling-12m", "2016-09"))
    rows = len(pd.read_parquet(extracts / "crimes.parquet"))
    go, started = tmp_path / "go", tmp_path / "started"
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    nbformat.write(snapshot_notebook("Master"), notebooks / "00_master.ipynb")
    for name in ("01_domestic_abuse", "02_victims"):
        nb = snapshot_notebook(name, wait_for=go, started=started)
        nbformat.write(nb, notebooks / f"{name}.ipynb")
    out = tmp_path / "out"
    argv = ["--month", "2016-09", "--data", str(extracts), "--notebooks-dir", str(notebooks)]
    child = subprocess.Popen(
        [sys.executable, "-m", "helpers.pack", *argv, "--out", str(out), "--jobs", "2", "--no-pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(3000):  # until a page is waiting (at most 5 minutes)
            if started.exists() or child.poll() is not None:
                break
            subprocess.run(["sleep", "0.1"])
        assert started.exists(), child.communicate()[1][-3000:]
        _change_crimes(extracts / "crimes.parquet", how)
        go.touch()
        _, err = child.communicate(timeout=600)
    finally:
        if child.poll() is None:
            child.kill()

    assert child.returncode == pack.EXIT_OK, err[-3000:]
    assert "changed during the run" in err
    shown = {
        page.name: re.findall(r"all crime: (\d+)", page.read_text(encoding="utf-8"))
        for page in sorted(out.glob("*.html"))
    }
    assert shown == {p: [f"{expected.value:.0f}"] for p in shown} and len(shown) == 3
    table = pd.read_csv(out / "tables.csv")
    force = table[
        (table.measure_id == "all_crime")
        & (table.geography == "Force")
        & (table.period == "rolling-12m")
    ]
    assert force["this_year"].tolist() == [expected.value]
    record = json.loads((out / "run.json").read_text())
    assert record["data"]["changed_during_run"] is True
    assert any("changed during the run" in w for w in record["warnings"])
    assert record["load_report"]["extracts"]["crimes"]["rows_read"] == rows  # the snapshot's
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":  # pack.pdf: printed from these pages
            assert CANARY not in path.read_text(encoding="utf-8"), path.name
    assert CANARY not in err


def test_every_notebook_of_the_pack_takes_the_snapshot_parameter():
    import papermill

    for path in sorted(NOTEBOOKS_DIR.glob(plan.NOTEBOOK_GLOB)):
        assert "data_fingerprint" in papermill.inspect_notebook(str(path)), path.name
        nb = nbformat.read(path, as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert 'data_fingerprint: str = ""' in params.source, path.name
        assert any("data_fingerprint=data_fingerprint" in c.source for c in nb.cells), path.name


@pytest.mark.slow
@pytest.mark.skipif(
    not _demo_ready(), reason="needs the demo data (python -m helpers.sources.demo)"
)
def test_settings_changed_in_force_yaml_refuse_a_partial_rerun_and_reach_the_kernels(tmp_path):
    """End to end: the profile the pack records is the one the kernels use (its parameter)."""
    profile = _profile(tmp_path / "profile")
    notebooks = make_notebooks(tmp_path / "nb")
    for path in sorted(notebooks.glob(plan.NOTEBOOK_GLOB)):
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(
            new_code_cell(
                "from helpers.profile import load_profile\n\n"
                "print('kernel suppress_below:', load_profile(profile).force.suppress_below)"
            )
        )
        nbformat.write(nb, path)
    out = tmp_path / "out"

    def run(*extra: str) -> subprocess.CompletedProcess:
        argv = [
            "--month",
            "2016-09",
            "--notebooks-dir",
            str(notebooks),
            "--out",
            str(out),
            "--no-pdf",
        ]
        return subprocess.run(
            [sys.executable, "-m", "helpers.pack", *argv, "--profile", str(profile), *extra],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=900,
        )

    def kernels_saw() -> set[str]:
        return {
            m
            for page in out.glob("*.html")
            for m in re.findall(r"kernel suppress_below: (\w+)", page.read_text(encoding="utf-8"))
        }

    first = run()
    assert first.returncode == pack.EXIT_OK, first.stderr[-3000:]
    assert kernels_saw() == {"None"}
    before = tree_digest(out, skip="")

    force_yaml = profile / "force.yaml"
    text = force_yaml.read_text()
    assert "suppress_below: null" in text
    force_yaml.write_text(text.replace("suppress_below: null", "suppress_below: 10"))

    partial = run("--notebooks", "01")
    assert partial.returncode == pack.EXIT_INVALID_PARAMETERS, partial.stderr[-3000:]
    assert "suppress_below: None → 10" in partial.stderr
    assert tree_digest(out, skip="") == before  # no page without [c] beside a record saying 10

    whole = run()
    assert whole.returncode == pack.EXIT_OK, whole.stderr[-3000:]
    assert kernels_saw() == {"10"}
    record = json.loads((out / "run.json").read_text())
    assert record["suppress_below"] == 10
    assert record["settings"]["force_config"]["suppress_below"] == 10


@pytest.mark.slow
@pytest.mark.skipif(
    not _demo_ready(), reason="needs the demo data (python -m helpers.sources.demo)"
)
def test_a_month_far_beyond_the_data_cannot_publish(tmp_path, capsys):
    """A crime dated 2050 no longer widens the months a pack may be made for (was all N/A)."""
    import shutil

    from helpers.config import DEMO_DATA_DIR

    extracts = tmp_path / "extracts"
    shutil.copytree(DEMO_DATA_DIR, extracts, ignore=shutil.ignore_patterns(".cache"))
    crimes = pd.read_parquet(extracts / "crimes.parquet")
    crimes.loc[crimes.index[-1], "recorded_date"] = pd.Timestamp("2050-01-15")
    crimes.loc[crimes.index[-1], "outcome_date"] = pd.NaT
    crimes.to_parquet(extracts / "crimes.parquet", index=False)
    notebooks = make_notebooks(tmp_path / "nb")
    out = tmp_path / "out"
    argv = ["--month", "2050-01", "--data", str(extracts), "--notebooks-dir", str(notebooks)]
    code = pack.main([*argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code in (pack.EXIT_INVALID_PARAMETERS, pack.EXIT_DATA_VALIDATION), err
    assert "2050" in err and "Traceback" not in err
    assert not out.exists()
