"""Fixtures shared by the unit, integration and golden tests.

Plain helpers (fixture notebooks, small extracts, extract rows) are in :mod:`support`; no test
file imports another.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from support.packs import tiny_cube

from helpers.config import DEMO_DATA_DIR, NOTEBOOKS_DIR
from helpers.measures.cube import Cube
from helpers.pack import runner as pack

#: The month of the demo pack the tests share (:func:`demo_pack`).
DEMO_PACK_MONTH = "2016-09"


@pytest.fixture(scope="session")
def small_real_cube() -> Cube:
    """:func:`support.packs.tiny_cube`, built once (treat as read-only)."""
    return tiny_cube()


@pytest.fixture
def stand_in(monkeypatch, small_real_cube):
    """The pack runner with a tiny real cube and a one-row tables.csv: the runner, not the
    report, is under test (the notebooks are :func:`support.packs.make_notebooks`)."""
    monkeypatch.setattr(pack, "load_cube", lambda data_dir, **_: small_real_cube)
    monkeypatch.setattr(
        pack, "tables_csv", lambda cube, month, period: pd.DataFrame({"measure_id": ["x"]})
    )
    return small_real_cube


@pytest.fixture(scope="module")
def synthetic_cube() -> Cube:
    """A cube of :func:`support.frames.synthetic_extracts`, built once per test module (treat as
    read-only)."""
    from support.frames import synthetic_extracts

    from helpers.measures.cube import build_cube

    return build_cube(synthetic_extracts())


@pytest.fixture
def fresh_fragments():
    """The pages' rendered fragments cleared before and after a test
    (``helpers.pages.report.clear_caches``)."""
    from helpers.pages import report

    report.clear_caches()
    yield
    report.clear_caches()


@pytest.fixture(scope="session")
def demo_pack(tmp_path_factory) -> Path:
    """The demo force's pack for September 2016 (rolling 12 months, with its PDF), made once per
    test run by the command a user types (``python -m helpers.pack --month 2016-09 --out …``)
    and shared, read-only, by every test that reads a real pack: the pack, accessibility, PDF and
    browser tests. Under pytest-xdist the workers share it through a lock file in the run's
    temporary folder: the first to ask makes it, the others wait for it; a failed run is
    reported to each of them, not retried.
    """
    if (
        not (DEMO_DATA_DIR / ".complete").exists()
        or len(list(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))) < 9
    ):
        pytest.skip("needs the demo data (make data) and the pack's nine notebooks")
    base = tmp_path_factory.getbasetemp()
    # under pytest-xdist each worker has a folder of its own in the run's: share the run's
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = root / "demo-pack" / DEMO_PACK_MONTH
    made = root / "demo-pack.json"
    with open(root / "demo-pack.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not made.exists():
            result = {"returncode": None, "stderr": "the pack did not finish"}
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "helpers.pack", "--month", DEMO_PACK_MONTH,
                     "--out", str(out)],
                    capture_output=True, text=True, timeout=1800,
                )  # fmt: skip
                result = {"returncode": done.returncode, "stderr": done.stderr[-3000:]}
            except subprocess.TimeoutExpired as exc:
                result["stderr"] = f"timed out after {exc.timeout:.0f} s"
            finally:  # every other worker reads this, and never runs the pack again
                made.write_text(json.dumps(result), encoding="utf-8")
    result = json.loads(made.read_text(encoding="utf-8"))
    assert result["returncode"] == 0, result["stderr"]
    return out


@pytest.fixture
def two_proportion_rule(monkeypatch):
    """Every cube's force settings with ``significance_rule: two_proportion`` (the demo profile's
    is ``ci_overlap``): for tests of what a page says about a significant change, which under the
    published rule no satisfaction change of the demo's September 2016 is."""
    import dataclasses

    from helpers import config
    from helpers.analysis import significance

    settings = dataclasses.replace(config.force_config(), significance_rule="two_proportion")
    monkeypatch.setattr(significance, "force_settings", lambda cube=None: settings)
    return settings
