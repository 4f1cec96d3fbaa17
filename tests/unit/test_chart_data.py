"""Each chart's data as a table under it (issue 20, "Accessible"): the figures the chart was drawn
from, in the pack's number format, in the chart's order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.html_tables import table_problems, tables_of

from helpers import spc
from helpers.pages import charting, sections
from helpers.render import charts
from helpers.render.chart_data import NO_VALUE, chart_data_html, chart_table
from helpers.render.spc_charts import seasonality_chart, spc_chart

YEARS = pd.DataFrame(
    {
        "category": ["Standard", "Standard", "Medium", "High", "High"],
        "year": ["Last year", "This year", "This year", "Last year", "This year"],
        "value": [36.5, 36.3, 41.4, 56.7, 57.55],
    }
)
BAR = {"category": "category", "value": "value", "title": "Solved rate", "value_label": "%"}


def rows(table) -> list[list[str]]:
    return [table.columns, *table.rows]


def test_grouped_bar_a_row_per_category_a_column_per_year_gaps_not_zero():
    table = chart_table(
        charts.grouped_bar, (YEARS,), {**BAR, "unit": "percent", "decimals": 1,
                                       "category_label": "Risk", "order": ["High", "Standard"]},
    )  # fmt: skip
    assert rows(table) == [
        ["Risk", "Last year", "This year"],
        ["High", "56.7%", "57.5%"],
        ["Standard", "36.5%", "36.3%"],
        ["Medium", NO_VALUE, "41.4%"],
    ]


def test_grouped_bar_table_holds_the_heights_of_the_bars_drawn():
    df = pd.DataFrame({"category": ["A", "A", "B", "B", "C", "C"],
                       "year": ["Last year", "This year"] * 3,
                       "value": [10.0, 12.0, 7.0, 3.0, 4.0, 5.0]})  # fmt: skip
    fig = charts.grouped_bar(df, **BAR)
    drawn = [list(c.datavalues) for c in fig.axes[0].containers]  # per series, per category
    table = chart_table(charts.grouped_bar, (df,), BAR)
    assert drawn == [[float(v) for v in table.column(s)] for s in ("Last year", "This year")]


def test_line_chart_a_row_per_month_a_column_per_series():
    df = pd.DataFrame(
        {
            "month": ["2016-08", "2016-07", "2016-08", "2016-07"],
            "series": ["Alcohol", "Alcohol", "Drugs", "Drugs"],
            "value": [1200.0, 1100.0, np.nan, 300.0],
        }
    )
    kwargs = {"series": "series", "title": "T", "value_label": "Incidents per month"}
    table = chart_table(charts.line_chart, (df,), kwargs)
    assert rows(table) == [
        ["Month", "Alcohol", "Drugs"],
        ["Jul 2016", "1,100", "300"],
        ["Aug 2016", "1,200", NO_VALUE],
    ]
    fig = charts.line_chart(df, **kwargs)
    drawn = [list(line.get_ydata()) for line in fig.axes[0].lines]
    assert drawn[0] == [1100.0, 1200.0] and drawn[1][0] == 300.0 and np.isnan(drawn[1][1])


def test_a_single_line_or_bar_by_month_is_headed_by_its_value_label():
    df = pd.DataFrame({"month": pd.period_range("2016-01", periods=2, freq="M"),
                       "value": [91.26, 88.0]})  # fmt: skip
    kwargs = {"title": "T", "value_label": "Answered (%)", "unit": "percent", "decimals": 1}
    for builder in (charts.line_chart, charts.bar_by_month):
        assert rows(chart_table(builder, (df,), kwargs)) == [
            ["Month", "Answered (%)"], ["Jan 2016", "91.3%"], ["Feb 2016", "88.0%"]
        ]  # fmt: skip


def test_ranked_bar_in_the_charts_order_with_the_force_named():
    df = pd.DataFrame({"force": ["Essex", "Kent", "Sussex"], "value": [61.04, 58.2, 70.0]})
    table = chart_table(
        charts.ranked_bar, (df,),
        {"label": "force", "highlight": "Essex", "title": "T", "value_label": "Crimes per 1,000"},
    )  # fmt: skip
    assert rows(table) == [
        ["Force", "Crimes per 1,000"], ["Kent", "58.2"], ["Essex (this force)", "61.0"],
        ["Sussex", "70.0"],
    ]  # fmt: skip


def test_point_interval_gives_each_years_rate_and_interval():
    df = pd.DataFrame(
        {
            "question": ["Ease of contact", "Ease of contact", "Actions"],
            "year": ["Last year", "This year", "This year"],
            "value": [95.01, 96.2, 80.0],
            "ci": [1.24, 1.1, np.nan],
        }
    )
    table = chart_table(
        charts.point_interval, (df,), {"category": "question", "title": "T", "value_label": "%"}
    )
    assert rows(table) == [
        ["Category", "Last year (%)", "This year (%)"],
        ["Ease of contact", "95.0% ±1.2", "96.2% ±1.1"],
        ["Actions", NO_VALUE, "80.0%"],
    ]


def test_plan_vs_delivered_in_pounds_million():
    df = pd.DataFrame({"month": ["2014-02", "2014-03"], "delivered": [6.1, 6.704],
                       "plan": [6.0, 6.633]})  # fmt: skip
    table = chart_table(charts.plan_vs_delivered, (df,), {"title": "Savings"})
    assert rows(table) == [
        ["Month", "Delivered", "Plan to date"],
        ["Feb 2014", "£6.100m", "£6.000m"],
        ["Mar 2014", "£6.704m", "£6.633m"],
    ]


def test_spc_chart_gives_months_special_causes_projection_and_the_lines_once():
    values = pd.Series(
        [95.0, 105.0] * 8 + [160.0, 100.0], index=pd.period_range("2015-03", periods=18, freq="M")
    )
    frame = spc.xmr(values, polarity="lower_better")
    assert frame["rule"].tolist().count("") == 17  # the spike alone is a special cause
    projection = spc.project(values, horizons=(3,), seasonal=False)
    kwargs = {"title": "All crime", "unit_label": "Crimes per month", "projection": projection}
    table = chart_table(spc_chart, (frame,), kwargs)
    assert table.columns == ["Month", "Crimes per month", "Special cause"]
    assert table.rows[0] == ["Mar 2015", "95", ""]
    assert table.rows[16] == ["Jul 2016", "160", "concern (outside the limits)"]
    assert sum(c != "" for c in table.column("Special cause")) == (frame["rule"] != "").sum()
    month, value, cause = table.rows[-1]
    flagged = projection[projection["horizon_flag"]].iloc[-1]
    assert month == flagged.name.strftime("%b %Y") and cause == ""
    assert value.startswith(f"{flagged['projection']:,.0f} projected (95%: ")
    assert len(table.rows) == len(values) + len(projection[projection["horizon_flag"]])
    assert frame["mean"].nunique() == 1  # one stretch of months: the lines are stated once
    mean, lower, upper = frame[["mean", "lower_limit", "upper_limit"]].iloc[0]
    assert table.note == (
        f"Mar 2015 – Aug 2016: mean {mean:,.1f}, process limits {lower:,.1f} to {upper:,.1f}."
    )
    html = chart_data_html(spc_chart, (frame,), kwargs)
    assert html.endswith(f'</table><p class="ppw-legend">{table.note}</p></details>')


def test_spc_lines_that_change_are_stated_for_each_stretch_and_no_cause_no_column():
    values = pd.Series(
        [10.0, 12, 11, 13] * 4 + [30.0, 32, 31, 33] * 4,
        index=pd.period_range("2014-01", periods=32, freq="M"),
    )
    frame = spc.xmr(values, rebase_at="2015-05").assign(rule="")  # no month a special cause
    table = chart_table(spc_chart, (frame,), {"title": "T", "unit_label": "n"})
    assert table.columns == ["Month", "n"]
    first, second = (frame[frame["period"] == p].iloc[0] for p in (1, 2))
    assert table.note == (
        f"Jan 2014 – Apr 2015: mean {first['mean']:,.1f}, process limits "
        f"{first['lower_limit']:,.1f} to {first['upper_limit']:,.1f}; May 2015 – Aug 2016: mean "
        f"{second['mean']:,.1f}, process limits {second['lower_limit']:,.1f} to "
        f"{second['upper_limit']:,.1f}."
    )


def test_seasonality_as_percent_above_or_below_an_average_month():
    factors = pd.Series([1.12, 0.9] + [1.0] * 10, index=range(1, 13))
    table = chart_table(seasonality_chart, (), {"factors": factors, "title": "Seasonal"})
    assert rows(table)[:3] == [
        ["Month", "Against an average month"], ["January", "+12%"], ["February", "-10%"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    "builder, args, kwargs",
    [
        (charts.no_data_figure, ("T", "No monthly data"), {}),
        (charts.line_chart, (None,), {"title": "T", "value_label": "v"}),
        (charts.grouped_bar, (YEARS.iloc[0:0],), BAR),
        (
            charts.bar_by_month,
            (pd.DataFrame({"month": ["2016-01"]}),),
            {"title": "T", "value_label": "v"},
        ),
    ],
)
def test_a_chart_of_no_data_has_no_table(builder, args, kwargs):
    assert chart_table(builder, args, kwargs) is None
    assert chart_data_html(builder, args, kwargs) == ""


def test_the_details_element_is_closed_captioned_scoped_and_escaped():
    html = chart_data_html(charts.grouped_bar, (YEARS,), {**BAR, "title": "Solved <rate>"})
    assert html.startswith('<details class="ppw-chart-data"><summary>Chart data</summary><table')
    assert html.endswith("</table></details>") and " open" not in html
    (table,) = tables_of(html)
    assert table.caption == "Data of the chart: Solved <rate>" and "&lt;rate&gt;" in html
    assert table.headers[3:] == [("Standard", "row"), ("Medium", "row"), ("High", "row")]
    assert table_problems(html) == []


def test_every_chart_of_a_page_is_followed_by_its_data(small_real_cube):
    ctx = sections.Context(small_real_cube, pd.Period("2016-09", "M"), "rolling-12m",
                           chart_cache=None, hierarchy=small_real_cube.hierarchy)  # fmt: skip
    html = charting._chart(ctx, charts.grouped_bar, "Caption", YEARS, **BAR)
    figure, details = html.split("</figure>")
    assert figure.startswith('<figure class="ppw-figure"><img src="data:image/png;base64,')
    assert details == chart_data_html(charts.grouped_bar, (YEARS,), BAR)
    no_data = charting._chart(ctx, charts.no_data_figure, "", "T", "No data")
    assert no_data.endswith("</figure>")


def test_a_stand_in_for_a_builder_gets_a_table_when_it_is_given_what_the_table_needs():
    def line_chart(df, **kw):  # as a test wraps a builder to watch it
        return charts.line_chart(df, **kw)

    df = pd.DataFrame({"month": ["2016-01"], "value": [3.0]})
    table = chart_table(line_chart, (df,), {"value": "value", "title": "T", "value_label": "n"})
    assert rows(table) == [["Month", "n"], ["Jan 2016", "3"]]
    assert chart_table(line_chart, (df,), {"title": "T", "value_label": "n"}) is None
