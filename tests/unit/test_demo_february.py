"""The February 2014 calibration's arithmetic (helpers.sources.demo.february): the counts and
numerators chosen print the change asked for, and a change no counts can print is refused."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from helpers.sources.demo import february, february_roads


def test_doctests():
    assert doctest.testmod(february).failed == 0
    assert doctest.testmod(february_roads).failed == 0


@pytest.mark.parametrize(
    ("full", "now", "change"),
    [
        ((100144, 99346), (91800, 91100), -1.3),
        ((15, 29), (14, 28), 115.4),
        ((42, 37), (39, 33), 0.0),
    ],
)
def test_counts_for_change_print_the_change_and_fit_the_year(full, now, change):
    last, this = february.counts_for_change(full, now, change)
    assert february.printed_change(last, this, True) == Decimal(str(change))
    assert 0 < last <= full[0] and 0 <= this <= full[1]
    for cand in february.count_candidates(full, now, change)[:20]:
        assert february.printed_change(*cand, True) == Decimal(str(change))


def test_a_change_no_counts_within_the_year_print_is_refused():
    # young car drivers KSI: 104 and 134 in the years, 50.5 % is out of reach
    with pytest.raises(ValueError, match="no counts within"):
        february.counts_for_change((104, 134), (95, 125), 50.5)


def test_numerators_for_change_print_the_change_in_points():
    for last, this, change, decimals in (
        ((1000, 930), (1000, 945), 1.7, 1),
        ((60000, 16200), (59000, 17210), 2.15, 2),
        ((5000, 4000), (5200, 4100), -0.9, 1),
    ):
        a, b = february.numerators_for_change(last, this, change, decimals)
        got = february.printed_change(100 * a / last[0], 100 * b / this[0], False, decimals)
        assert got == Decimal(str(change))
        assert 0 <= a <= last[0] and 0 <= b <= this[0]
