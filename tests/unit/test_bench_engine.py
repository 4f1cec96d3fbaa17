"""scripts/bench_engine.py: per-child peak memory, the bench data it reuses, the side-by-side table."""

from __future__ import annotations

import json
import sys

import pytest

from helpers.config import PROJECT_ROOT
from helpers.sources import demo

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import bench_engine  # noqa: E402

ALLOCATE = "import sys; b = bytearray(int(sys.argv[1]) * 2**20); b[::4096] = b'x' * len(b[::4096])"


def test_peak_memory_is_each_childs_own():
    """A child's peak is its own: not the largest so far, nor this (large) test process's.

    ``ru_maxrss`` would fail the second: Linux starts a child's from its parent's peak at the fork.
    """
    ballast = bytearray(300 * 2**20)  # this process's peak is now above 0.3 GiB
    ballast[::4096] = b"x" * len(ballast[::4096])
    _, big = bench_engine.run_child(ALLOCATE, ["400"], tree=PROJECT_ROOT)
    _, small = bench_engine.run_child(ALLOCATE, ["10"], tree=PROJECT_ROOT)
    del ballast
    assert 0.38 < big["peak_rss_gib"] < 0.5
    assert small["peak_rss_gib"] < 0.1
    assert big["child_cpu_s"] > 0 and big["child_wall_s"] > 0


def test_a_failing_child_is_a_bench_error_with_its_message():
    with pytest.raises(bench_engine.BenchError, match=r"exit 3\)[^\n]*\nno data here$"):
        bench_engine.run_child(
            "import sys; sys.stderr.write('no data here'); sys.exit(3)", [], tree=PROJECT_ROOT
        )


def test_bench_data_is_reused_when_its_marker_fits(tmp_path):
    folder = tmp_path / "k4"
    folder.mkdir()
    marker = {
        "scale": 4,
        "seed": demo.DEFAULT_SEED,
        "version": demo.GENERATOR_VERSION,
        "start": demo.DEFAULT_START,
        "end": demo.DEFAULT_END,
    }
    (folder / ".complete").write_text(json.dumps(marker))
    assert bench_engine.demo_data(4, folder) == (folder, {})  # nothing generated
    with pytest.raises(FileNotFoundError, match="scale-64.*marker says scale 4"):
        bench_engine.demo_data(64, folder, make=False)
    with pytest.raises(FileNotFoundError, match="no .complete marker"):
        bench_engine.demo_data(64, tmp_path / "absent", make=False)


def test_the_table_sets_both_engines_beside_the_targets():
    figures = {"engine_scales": [1, 16, 64], "engine_baseline_commit": "1a77661c5fbf"}
    for prefix, k1, k16, peak in (("baseline_", 1.5, 25.7, 4.35), ("", 0.5, 7.0, 2.5)):
        figures |= {
            f"{prefix}cube_cold_k1_s": k1,
            f"{prefix}cube_cold_k16_s": k16,
            f"{prefix}cube_cold_cpu_k16_s": k16,
            f"{prefix}cube_peak_k16_gib": peak,
            f"{prefix}cube_cold_growth_k16_over_k1": k16 / k1,
        }
    figures |= {
        "engines_differ_k16": ["solved_rate_r12"],
        "cube_cold_k64_s": 30.0,
        "cube_cold_cpu_k64_s": 50.0,
        "cube_peak_k64_gib": 3.0,
        "scale64_completes": True,
        "all_crime_r12_k64": [7369344.0, None],
    }
    text = bench_engine.table(figures)
    k16 = next(line for line in text.splitlines() if line.startswith("K = 16"))
    assert "25.70" in k16 and "7.00" in k16
    assert "cold ≤ 12 s ok" in k16 and "peak ≤ 2 GiB MISSED" in k16 and "DIFFER" in k16
    assert "differ on: solved_rate_r12" in text
    growth = next(line for line in text.splitlines() if line.startswith("growth"))
    assert "17.1 ×" in growth and "14.0 ×" in growth and "≤ 16 × ok" in growth
    assert "completes ok" in text and "7,369,344" in text
