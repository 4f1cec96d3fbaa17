"""The demo force's emergency incidents of April–September 2015 and 2016 (the September 2016
report's table, helpers.sources.demo.incidents): the targets' arithmetic, and the generated
records giving the published counts and rates by LPA, at scale 1 and in blocks."""

from __future__ import annotations

import doctest
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import compare
from helpers.geography import UNASSIGNED
from helpers.sources import demo
from helpers.sources.demo import incidents
from helpers.sources.demo.targets import HALF_YEAR_EMERGENCY_TARGETS


def test_doctests():
    assert doctest.testmod(incidents).failed == 0


@pytest.mark.parametrize("scale", [1, 4, 16])
@pytest.mark.parametrize("key", sorted(HALF_YEAR_EMERGENCY_TARGETS))
def test_half_year_targets_print_the_published_figures(key, scale):
    targets = HALF_YEAR_EMERGENCY_TARGETS[key]
    n, w = incidents.half_year_targets(targets, scale)
    for i, name in enumerate(incidents.LPA_NAMES):
        assert n[i] == targets[name][0] * scale
        rate = compare.round_half_up(float(100 * w[i] / n[i]), 1)
        assert rate == Decimal(repr(targets[name][1])), name
    assert n.sum() == targets["Force"][0] * scale
    assert compare.round_half_up(float(100 * w.sum() / n.sum()), 1) == Decimal(
        repr(targets["Force"][1])
    )
    assert 0 < w[3] < n[3]


def test_the_rest_of_the_force_is_its_incidents_of_no_known_district():
    n, w = incidents.half_year_targets(HALF_YEAR_EMERGENCY_TARGETS["h1509"])
    assert n[3] == 24793 - 9886 - 7551 - 6427 == 929
    n, _ = incidents.half_year_targets(HALF_YEAR_EMERGENCY_TARGETS["h1609"])
    assert n[3] == 27418 - 11575 - 8233 - 6954 == 656


@pytest.mark.parametrize(
    "force",
    [(80, 50.0), (100, 10.0), (100, 95.0)],  # fewer than the LPAs; too few or too many within
)
def test_a_force_its_lpas_do_not_fit_in_is_refused(force):
    targets = {"Force": force, "North": (40, 50.0), "South": (30, 60.0), "West": (20, 40.0)}
    with pytest.raises(ValueError, match="do not fit"):
        incidents.half_year_targets(targets)


@pytest.mark.parametrize(("count", "rate"), [(11575, 75.2), (8233, 73.0), (1, 50.0), (7, 14.3)])
def test_within_count_is_the_nearest_count_half_up(count, rate):
    w = incidents.within_count(count, rate)
    assert abs(w - count * rate / 100) <= 0.5
    assert w == int(compare.round_half_up(count * rate / 100, 0))


@pytest.mark.parametrize("n", [0, 1, 5, 9])
def test_allot_shares_within_the_caps(n):
    cap = np.array([6, 0, 3, 0])
    share = incidents._allot(n, cap)
    assert share.sum() == n and (share >= 0).all() and (share <= cap).all()


def _figures(inc: pd.DataFrame, start: str, end: str, lpa: dict) -> dict:
    """(count, within standard) of emergency incidents by LPA and force, read as the measure reads
    them: arrival in whole seconds at most 15 (urban) or 20 (rural) minutes after opening."""
    g1 = inc[(inc["grade"] == 1) & inc["opened_at"].between(start, end + " 23:59:59")]
    secs = (g1["arrived_at"] - g1["opened_at"]).dt.total_seconds()
    std = np.where(g1["urban_rural"] == "rural", 20 * 60, 15 * 60)
    within = (secs <= std).to_numpy()  # NaT (never attended) compares False
    geo = g1["district"].map(lpa).fillna(UNASSIGNED).to_numpy()
    out = {"Force": (len(g1), int(within.sum()))}
    for g in (*incidents.LPA_NAMES, UNASSIGNED):
        sel = geo == g
        out[g] = (int(sel.sum()), int(within[sel].sum()))
    return out


@pytest.fixture(scope="module")
def lpa_of() -> dict:
    from helpers.sources.loading import districts

    d = districts()
    return dict(zip(d["district"], d["lpa"], strict=True))


@pytest.mark.parametrize("block_scale", [2, 1])
def test_the_half_year_is_exact_at_scale_two_and_in_blocks(lpa_of, block_scale):
    opts = demo.DemoOptions(seed=2016, scale=2, start="2016-04", end="2016-09")
    report: dict = {}
    inc = demo.generate_frames(opts, report=report, block_scale=block_scale)["incidents"]
    got = _figures(inc, "2016-04-01", "2016-09-30", lpa_of)
    targets = HALF_YEAR_EMERGENCY_TARGETS["h1609"]
    for g, (count, rate) in targets.items():
        n, w = got[g]
        assert n == 2 * count, g
        assert compare.round_half_up(100 * w / n, 1) == Decimal(repr(rate)), g
    assert got[UNASSIGNED][0] == 2 * 656
    residuals = [report] if block_scale == 2 else [report["block 0"], report["block 1"]]
    for r in residuals:
        assert set(r["emergency_half_years"].values()) == {(0, 0)}


def test_the_rolling_year_keeps_its_rate_and_the_half_year_is_exact(lpa_of):
    """Oct 2014 – Sep 2015 (the rolling year to September 2015) and its April–September."""
    inc = demo.generate_frames(demo.DemoOptions(start="2014-10", end="2015-09"))["incidents"]
    half = _figures(inc, "2015-04-01", "2015-09-30", lpa_of)
    for g, (count, rate) in HALF_YEAR_EMERGENCY_TARGETS["h1509"].items():
        n, w = half[g]
        assert n == count and compare.round_half_up(100 * w / n, 1) == Decimal(repr(rate)), g
    n, w = _figures(inc, "2014-10-01", "2015-09-30", lpa_of)["Force"]
    assert compare.round_half_up(100 * w / n, 1) == Decimal("76.8")
    # only incidents of no qualifier change district: those of one keep the few drawn Unassigned
    g1 = inc[(inc["grade"] == 1) & inc["opened_at"].between("2015-04-01", "2015-09-30 23:59:59")]
    qualified = g1[["domestic_abuse", "asb", "alcohol", "drugs", "mental_health"]].any(axis=1)
    unassigned = g1["district"] == UNASSIGNED
    assert (unassigned & qualified).sum() < 0.01 * qualified.sum()
    assert (unassigned & ~qualified).sum() > 0.04 * (~qualified).sum()
