"""The February 2014 calibration's arithmetic (helpers.sources.demo.february): the counts and
numerators chosen give, against the years' changes, the change since last month asked for under
the product's rule (the difference of the unrounded changes, rounded once), and a change no
counts can give is refused."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from helpers.analysis import compare
from helpers.sources.demo import february, february_roads


def test_doctests():
    assert doctest.testmod(february).failed == 0
    assert doctest.testmod(february_roads).failed == 0


def _label(full, feb, unit="count", decimals=1):
    """The product's label of a March (``full``) and a February pair of figures."""
    return compare.year_on_year_change_since_last_month(
        compare.unrounded_change(*full, unit),
        compare.unrounded_change(*feb, unit),
        "lower_better",
        decimals,
        unit=unit,
    )


@pytest.mark.parametrize(
    ("full", "now", "since"),
    [
        ((100144, 99346), (91800, 91100), 0.5),
        ((15, 29), (14, 28), -22.1),
        ((42, 37), (39, 33), -11.9),
        # young car drivers KSI: out of reach of the printed changes, not of the unrounded ones
        ((104, 134), (95, 125), -21.7),
    ],
)
def test_counts_for_change_give_the_label_and_fit_the_year(full, now, since):
    want = compare.since_last_month(Decimal(str(since)), "lower_better", unit="count")
    last, this = february.counts_for_change(full, now, since)
    assert 0 < last <= full[0] and 0 <= this <= full[1]
    assert _label(full, (last, this)) == want
    for cand in february.count_candidates(full, now, since)[:20]:
        assert _label(full, cand) == want


def test_the_young_drivers_february_is_not_the_printed_rules():
    # 89 → 134 prints 50.6 %: the printed rule's 28.8 − 50.6 = -21.8, the product's -21.7
    cands = february.count_candidates((104, 134), (95, 125), -21.7)
    assert (89, 134) in cands
    assert compare.better_worse(89, 134, "count") == Decimal("50.6")
    printed = compare.better_worse(104, 134, "count") - compare.better_worse(89, 134, "count")
    assert printed == Decimal("-21.8")


def test_a_change_no_counts_within_the_year_give_is_refused():
    # 3 → 4 in the years (+33.3 %): no April–February counts of at most 3 and 4 give 80.0 points
    with pytest.raises(ValueError, match="no counts within"):
        february.counts_for_change((3, 4), (2, 3), 80.0)


def test_since_figure_rounds_the_difference_once_and_refuses_an_edge():
    assert february.since_figure(Decimal("0.349"), Decimal("0.35")) == Decimal("0.0")
    assert february.since_figure(Decimal("28.846"), Decimal("50.562")) == Decimal("-21.7")
    assert february.since_figure(Decimal("0.3"), Decimal("0.25")) is None  # exactly a half
    assert february.since_figure(Decimal("2.1697"), Decimal("2.1573"), 2) == Decimal("0.01")


def test_numerators_for_change_give_the_label_in_points():
    for last, this, full, since, decimals in (
        ((1000, 930), (1000, 945), ((1100, 1023), (1100, 1040)), -0.2, 1),
        ((60000, 16200), (59000, 17210), ((66000, 17800), (65000, 18900)), 0.02, 2),
        ((5000, 4000), (5200, 4100), ((5500, 4400), (5700, 4500)), 0.3, 1),
    ):
        a, b = february.numerators_for_change(last, this, since, decimals, full=full)
        assert 0 <= a <= last[0] and 0 <= b <= this[0]
        rates = [(100 * s / n) for n, s in (*full, (last[0], a), (this[0], b))]
        label = _label(rates[:2], rates[2:], "percent", decimals)
        assert label == compare.since_last_month(Decimal(str(since)), "lower_better", decimals)
