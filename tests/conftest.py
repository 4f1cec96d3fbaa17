"""Fixtures shared by the unit, integration and golden tests.

Plain helpers (fixture notebooks, small extracts, extract rows) are in :mod:`support`; no test
file imports another.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support.packs import tiny_cube

from helpers.measures.cube import Cube
from helpers.pack import runner as pack


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
