"""The findings behind the executive summary and the exceptions (``helpers.pages.findings``)."""

from __future__ import annotations

import doctest
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from helpers import spc
from helpers.pages import findings
from helpers.pages.findings import Monthly, as_at, change_words, projections, scan, spc_words


def test_doctests():
    assert doctest.testmod(findings).failed == 0


def _monthly(values, polarity="lower_better") -> Monthly:
    s = pd.Series(
        values, index=pd.period_range(end="2016-09", periods=len(values), freq="M"), dtype=float
    )
    process = spc.xmr(s, polarity=polarity)
    return Monthly(s, process, spc.summarise(process, polarity))


class _Ctx:
    """The two things :func:`scan` asks of a page context."""

    geography = "Force"
    month = pd.Period("2016-09", "M")


def _row(measure_id, **kw):
    row = {
        "area": 6, "measure_id": measure_id, "label": measure_id, "unit": "count", "decimals": 0,
        "this_year": 1500.0, "last_year": 1000.0, "change": Decimal("50.0"), "change_unit": "%",
        "direction": "worse", "significant": None, "available": True, "suppressed": False,
        "no_source": False, "window_label": "Oct 2015 – Sep 2016", "msg_rank": None,
    }  # fmt: skip
    row.update(kw)
    return row


def test_plain_words_for_every_spc_rule():
    steady = [100.0 + (i % 2) for i in range(24)]
    assert spc_words(_monthly(steady).summary) == ""
    shifted = _monthly(steady[:17] + [110.0] * 7)
    assert shifted.summary["special_cause"]
    words = spc_words(shifted.summary)
    assert "above" in words and ("average" in words or "usual range" in words)
    for (rule, direction), phrase in findings.PLAIN_RULES.items():
        assert rule in spc.RULES and direction in ("high", "low") and phrase


def test_change_words_carry_the_unit():
    assert change_words(Decimal("-0.333"), "£m", against="against plan") == (
        "down £0.333m against plan"
    )
    assert change_words(Decimal("12"), "s") == "up 12 s on last year"
    assert change_words(None, "%") == ""


def test_one_finding_per_measure_with_both_reasons():
    card = pd.DataFrame(
        [
            _row("all_crime", change=Decimal("10.0")),  # special cause only
            _row("victim_based_crime", change=Decimal("1.0")),  # nothing
            _row(
                "satisfaction_actions",
                unit="percent",
                decimals=1,
                this_year=72.5,
                change=Decimal("-3.6"),
                change_unit="% pt.",
                significant=True,
                area=2,
            ),  # fmt: skip
        ]
    )
    steady = [100.0 + (i % 2) for i in range(24)]
    series = {
        "all_crime": _monthly(steady[:23] + [200.0]),
        "victim_based_crime": _monthly(steady),
        "satisfaction_actions": _monthly(steady[:23] + [50.0], "higher_better"),
    }
    found = scan(_Ctx(), card, series)
    assert [f.measure_id for f in found] == ["satisfaction_actions", "all_crime"]
    action, crime = found
    assert action.kind == "concern" and action.significant and action.special_cause
    assert "down 3.6 points on last year, a statistically significant change" in action.reasons
    assert "below the usual range" in action.reasons
    assert crime.kind == "concern" and not crime.significant and crime.up
    assert (
        crime.headline == "all_crime 1,500, up 10.0% on last year; Sep 2016 above the usual range"
    )
    assert not crime.few_records and "records" not in crime.reasons


def test_a_finding_on_few_records_carries_the_caution():
    card = pd.DataFrame([_row("ksi_drug_drivers", this_year=1.0, caution=30)])
    steady = [5.0 + (i % 2) for i in range(23)]
    (f,) = scan(_Ctx(), card, {"ksi_drug_drivers": _monthly(steady + [0.0])})
    assert f.few_records == 30
    assert "fewer than 30 records" in f.reasons and "fewer than 30 records" in f.headline


def test_withheld_and_sourceless_rows_are_never_findings():
    card = pd.DataFrame(
        [
            _row("all_crime", suppressed=True, significant=True),
            _row("asb_incidents", no_source=True),
        ]
    )
    steady = [100.0 + (i % 2) for i in range(23)]
    series = {"all_crime": _monthly(steady + [300.0]), "asb_incidents": _monthly(steady + [300.0])}
    assert scan(_Ctx(), card, series) == []


def test_a_rising_line_is_projected_out_of_its_range():
    rng = np.random.default_rng(1)
    flat = list(100 + rng.normal(0, 2, 30))
    rising = flat[:24] + [100 + 4 * i for i in range(1, 7)]
    series = {"all_crime": _monthly(rising), "victim_based_crime": _monthly(flat)}
    found = projections(series)
    assert [p.measure_id for p in found] == ["all_crime"]
    assert found[0].up and found[0].kind == "concern"
    assert "projected above the usual range by" in found[0].sentence


def test_as_at_lists_lagged_and_ranked_figures():
    card = pd.DataFrame(
        [
            _row("all_crime", msg_rank=3),
            _row("reoffending_adult", window_label="Oct 2014 – Mar 2016"),
            _row("drug_tests", window_label="Apr 2014 – Mar 2015", available=False),
        ]
    )
    assert as_at(card, "2016-09") == [
        (["reoffending_adult"], "Oct 2014 – Mar 2016"),
        (["Most Similar Group ranks"], "Oct 2015 – Sep 2016"),
    ]


@pytest.mark.parametrize("label", ["", "not a window"])
def test_as_at_ignores_labels_without_a_month(label):
    assert as_at(pd.DataFrame([_row("x", window_label=label)]), "2016-09") == []


def test_significant_one_way_and_special_cause_the_other_is_mixed():
    # better than last year (significant), but the latest month far below the usual range
    card = pd.DataFrame(
        [
            _row(
                "satisfaction_actions", unit="percent", decimals=1, this_year=80.0, area=2,
                change=Decimal("3.0"), change_unit="% pt.", significant=True, direction="better",
            )
        ]
    )  # fmt: skip
    steady = [80.0 + (i % 2) for i in range(23)]
    (f,) = scan(_Ctx(), card, {"satisfaction_actions": _monthly(steady + [40.0], "higher_better")})
    assert f.kind == "mixed" and f.up
    assert "up 3.0 points" in f.reasons and "below the usual range" in f.reasons


def test_month_text():
    assert findings.month_text(pd.Period("2016-09", "M")) == "Sep 2016"
    assert findings.month_text("2014-03-01") == "Mar 2014"
