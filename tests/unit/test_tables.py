"""Performance tables: published headings, N/A rules, CI sub-rows, colours and markers, escaping."""

from decimal import Decimal

import pandas as pd
import pytest

from helpers.render import tables
from helpers.render.scorecard import scorecard_table


def _row(**kw):
    base = {
        "measure_id": "da_incidents",
        "label": "Number of domestic abuse incidents",
        "unit": "count",
        "decimals": 1,
        "polarity": "neutral",
        "window_label": "Oct 2015 – Sep 2016",
        "window_kind": "rolling-12m",
        "last_year": 28111.0,
        "this_year": 32538.0,
        "change": Decimal("15.7"),
        "change_unit": "%",
        "since_last_month": "N/A",
        "ci_last": None,
        "ci_this": None,
        "significant": None,
        "msg_rank": None,
        "msg_colour": None,
        "direction": "neutral",
        "available": True,
        "note": "",
        "footnote": "",
    }
    base.update(kw)
    return base


def _table(rows, period="rolling-12m", month="2016-09", **kw):
    frame = pd.DataFrame(rows)
    if (frame["window_kind"] == "rolling-12m").all():
        frame["window_kind"] = period  # rows follow the run's period unless a test says otherwise
    return tables.performance_table(
        frame, title="1. Reducing Domestic Abuse", month=month, period=period, **kw
    )


@pytest.mark.parametrize(
    ("period", "word"), [("rolling-12m", "12m"), ("fytd", "Cumulative"), ("month", "Monthly")]
)
def test_table_has_the_published_column_headings_for_each_period(period, word):
    html = _table([_row()], period=period)
    assert f"{word} Last Year" in html
    assert f"{word} This Year" in html
    assert "Better/ Worse % or % pt. diff." in html
    assert "Data to Sep 2016 (unless stated otherwise)" in html
    assert "1. Reducing Domestic Abuse" in html


def test_msg_and_since_last_month_columns_appear_only_where_data_exist():
    plain = _table([_row()])
    assert "MSG Ranking" not in plain and "Worsened since" not in plain
    with_data = _table(
        [_row(msg_rank=7, msg_colour="worse", since_last_month="Worsened (-0.2% pt.)")],
        period="fytd",
        month="2014-03",
    )
    assert "MSG Ranking" in with_data
    assert "Yr on Yr diff. Improved/ Worsened since Feb 2014" in with_data
    assert "Worsened (-0.2% pt.)" in with_data


def test_missing_last_year_prints_na_and_the_change_na():
    html = _table([_row(last_year=float("nan"), change=None, direction="na")])
    cells = html.split("<tbody>")[1].split("</tbody>")[0]
    assert cells.count("N/A") == 2
    assert "32,538" in cells


def test_rates_carry_percent_sign_and_published_precision():
    html = _table(
        [
            _row(
                label="The solved crime rate",
                unit="percent",
                decimals=2,
                last_year=23.16,
                this_year=21.28,
                change=Decimal("-1.88"),
                direction="worse",
                polarity="higher_better",
            )
        ]
    )
    assert "23.16%" in html and "21.28%" in html and "-1.88" in html


def test_survey_rate_has_a_confidence_interval_sub_row():
    html = _table(
        [
            _row(
                label="User Satisfaction - Making contact with the police",
                unit="percent",
                last_year=91.1,
                this_year=89.4,
                change=Decimal("-1.7"),
                ci_last=1.5,
                ci_this=1.6,
                direction="worse",
                polarity="higher_better",
                significant=False,
            )
        ]
    )
    assert '<tr class="ppw-ci"><td class="ppw-label">Confidence interval</td>' in html
    assert "±1.5%" in html and "±1.6%" in html


@pytest.mark.parametrize(
    ("direction", "colour", "word"),
    [
        ("better", tables.BETTER, "better"),
        ("worse", tables.WORSE, "worse"),
        ("same", tables.SAME, ""),
    ],
)
def test_change_is_coloured_by_direction_and_never_by_colour_alone(direction, colour, word):
    cell = tables.change_cell(Decimal("2.5") if direction != "same" else Decimal("0.0"), direction)
    assert f"color:{colour}" in cell
    if word:
        assert f'<span class="ppw-tag">{word}</span>' in cell
        assert "▲" in cell
    else:
        assert "▲" not in cell and "▼" not in cell


def test_a_fall_gets_a_down_arrow():
    assert "▼" in tables.change_cell(Decimal("-12.8"), "better")


def test_significant_change_is_bold_starred_and_explained_in_the_legend():
    html = _table(
        [
            _row(
                unit="percent",
                last_year=70.0,
                this_year=75.0,
                change=Decimal("5.0"),
                direction="better",
                significant=True,
                ci_last=2.0,
                ci_this=2.0,
            )
        ]
    )
    assert "ppw-sig" in html and "5.0% pt.*" in html
    assert "statistically significant" in html


def test_measure_not_available_at_level_says_so_in_its_row():
    html = _table(
        [
            _row(
                label="Emergency calls answered within standard (90% within 10 seconds)",
                available=False,
                note="not available at this level",
                last_year=None,
                this_year=None,
                change=None,
            )
        ]
    )
    assert "not available at this level" in html
    assert "N/A" not in html.split("<tbody>")[1].split("</tbody>")[0]


def test_row_whose_source_has_no_data_says_so_never_zero():
    html = _table([_row(no_source=True, last_year=None, this_year=None, change=None)])
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert tables.NO_SOURCE in body
    assert ">0<" not in body


def test_footnotes_are_deduplicated_and_window_notes_added():
    note = "Re-offending data are six months in arrears."
    html = _table(
        [
            _row(
                label="The number of youth offenders",
                footnote=note,
                window_kind="month",
                window_label="Mar 2016",
            ),
            _row(label="Youth re-offending rate", footnote=note),
        ]
    )
    assert html.count(note) == 1
    assert "The number of youth offenders is for the month of Mar 2016." in html
    assert "†" in html


def test_text_from_data_is_escaped():
    html = _table([_row(label="<script>alert(1)</script>", footnote="a & b <i>")])
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html and "a &amp; b &lt;i&gt;" in html


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (28111.0, "count", 1, "28,111"),
        (999.0, "count", 1, "999"),
        (1234567.0, "count", 0, "1,234,567"),
        (1234.5, "minutes", 1, "1,234.5"),
        (34.6, "percent", 1, "34.6%"),
        (23.16, "percent", 2, "23.16%"),
        (7.0, "seconds", 0, "7"),
        (11.97, "days", 2, "11.97"),
        # money is in £ million, as the cube keeps it, and prints as a change does
        (6.633, "money", 3, "£6.633m"),
        (-0.333, "money", 3, "-£0.333m"),
        (12000.0, "money", 3, "£12,000.000m"),
        (None, "count", 0, "N/A"),
        (float("nan"), "percent", 1, "N/A"),
    ],
)
def test_format_value(value, unit, decimals, expected):
    assert tables.format_value(value, unit, decimals) == expected


def test_simple_table_escapes_and_prints_missing_as_na():
    df = pd.DataFrame({"LPA": ["<North>", "South"], "Minutes": [12.0, None]})
    html = tables.simple_table(df, formats={"Minutes": "{:.0f}"})
    assert "&lt;North&gt;" in html and ">12<" in html and ">N/A<" in html


def test_scorecard_groups_by_area_with_arrows_and_words():
    rows = pd.DataFrame(
        [
            {
                "area": 1,
                "area_title": "1. Reducing Domestic Abuse",
                "label": "DA solved rate",
                "unit": "percent",
                "decimals": 1,
                "this_year": 29.3,
                "change": Decimal("-5.3"),
                "direction": "worse",
                "significant": None,
                "available": True,
            },
            {
                "area": 6,
                "area_title": "6. Improving Crime Prevention",
                "label": "ASB",
                "unit": "count",
                "decimals": 1,
                "this_year": 52630.0,
                "change": Decimal("-3.0"),
                "direction": "better",
                "significant": None,
                "available": True,
            },
        ]
    )
    html = scorecard_table(rows, month="2016-09", period="rolling-12m")
    assert "1. Reducing Domestic Abuse" in html and "6. Improving Crime Prevention" in html
    assert "▼ Worse" in html and "▼ Better" in html


def test_a_table_all_on_one_lagged_month_is_headed_as_published():
    rows = [
        _row(
            label="The number of youth offenders",
            window_kind="month",
            window_label="Mar 2016",
            since_last_month="Worsened (16.9% pt.)",
        ),
        _row(
            label="Youth re-offending rate",
            unit="percent",
            window_kind="month",
            window_label="Mar 2016",
            since_last_month="Improved (-2.9% pt.)",
        ),
    ]
    html = _table(rows)
    assert "Data for Mar 2016 (unless stated otherwise)" in html
    assert "Monthly Last Year" in html and "Monthly This Year" in html
    assert "since Feb 2016" in html
    assert "†" not in html


def test_since_last_month_prints_the_rows_label_with_its_unit():
    # the unit is the row's (helpers.analysis.compare.since_last_month), not patched by the table
    html = _table([_row(unit="days", decimals=2, since_last_month="Improved (-0.52 days)")])
    assert "Improved (-0.52 days)" in html and "% pt." not in html.split("<tbody>")[1]


@pytest.mark.parametrize(
    ("unit", "change", "printed"),
    [
        ("count", "15.7", "15.7% ▲"),
        ("percent", "-5.3", "-5.3% pt. ▼"),
        ("seconds", "2", "2 s ▲"),
        ("minutes", "-0.4", "-0.4 min ▼"),
        ("days", "-0.52", "-0.52 days ▼"),
        ("money", "-0.333", "-£0.333m ▼"),
        ("money", "0.071", "+£0.071m ▲"),
    ],
)
def test_every_change_is_printed_with_its_unit(unit, change, printed):
    html = _table([_row(unit=unit, change=Decimal(change), direction="worse")])
    assert printed in html.split("<tbody>")[1]


def _plan_row(**kw):
    plan = {
        "label": "Savings delivered against plan",
        "unit": "money",
        "decimals": 3,
        "window_kind": "month",
        "window_label": "Mar 2014",
        "last_year": float("nan"),
        "this_year": 6.704,
        "plan": 6.633,
        "change": Decimal("0.071"),
        "direction": "better",
        "since_last_month": "Improved (+£0.323m)",
        "note": "against the plan to date of £6.633m; requirement for 2013/14 £6.633m",
    }
    return _row(**{**plan, **kw})


def test_a_table_of_rows_compared_with_their_plan_is_headed_by_the_plan():
    html = _table([_plan_row()], month="2014-03")
    head, body = html.split("<tbody>")[0], html.split("<tbody>")[1].split("</tbody>")[0]
    assert "Cumulative Plan" in head and "Last Year" not in head
    assert "Ahead (+)/ Behind (-) plan" in head
    assert "Diff. from plan Improved/ Worsened since Feb 2014" in head
    assert "<td>£6.633m</td><td>£6.704m</td>" in body
    assert "+£0.071m ▲" in body and 'title="ahead of the plan"' in body
    assert "Improved (+£0.323m)" in body and ">N/A<" not in body
    assert (
        "Savings delivered against plan is compared with the plan to date, not with last year: "
        "£6.704m to date, +£0.071m against the plan to date of £6.633m; requirement for 2013/14 "
        "£6.633m." in html
    )


def test_a_plan_row_among_last_years_names_the_plan_in_its_cell():
    html = _table([_plan_row(window_kind="rolling-12m"), _row()])
    head, body = html.split("<tbody>")[0], html.split("<tbody>")[1]
    assert "12m Last Year" in head and "Better/ Worse % or % pt. diff." in head
    assert "<td>Plan £6.633m</td>" in body and "<td>28,111</td>" in body
    behind = _table([_plan_row(change=Decimal("-0.104"), direction="worse")], month="2014-03")
    assert "-£0.104m ▼" in behind and 'title="behind the plan"' in behind


def test_a_note_names_an_extract_as_the_data_contract_titles_it():
    html = _table([_row(note="no data for Oct 2015 in drug_tests")])
    assert 'title="no data for Oct 2015 in drug tests on arrest"' in html
    assert "drug_tests" not in html
    assert (
        tables.reader_text("crimes and msg_peers") == "crimes and Most Similar Group peer figures"
    )


def test_legend_names_what_a_change_is_against():
    assert "than last year" in tables.legend_html()
    assert "ahead" in tables.legend_html(plan="all") and "last year" not in tables.legend_html(
        plan="all"
    )
    assert "compared with its plan" in tables.legend_html(plan="some")
