"""Chart builders: titled, labelled axes; empty or missing data never crash."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from helpers import charts


def _months(n=24, start="2014-10"):
    return pd.period_range(start, periods=n, freq="M")


def _axes_titled(fig):
    return bool(charts.chart_title(fig))


YEARS = pd.DataFrame(
    {
        "category": ["Standard", "Standard", "Medium", "Medium", "High", "High"],
        "year": ["Last year", "This year"] * 3,
        "value": [36.5, 36.3, 41.7, 41.4, 56.7, 57.5],
    }
)


def test_grouped_bar_has_title_and_axis_labels_with_units():
    fig = charts.grouped_bar(
        YEARS,
        category="category",
        value="value",
        title="Solved rate by risk",
        value_label="Solved rate (%)",
        category_label="Risk level",
        unit="percent",
        decimals=1,
    )
    ax = fig.axes[0]
    assert charts.chart_title(fig) == "Solved rate by risk"
    assert ax.get_ylabel() == "Solved rate (%)"
    assert ax.get_xlabel() == "Risk level"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Last year", "This year"]


@pytest.mark.parametrize("horizontal", [False, True])
def test_grouped_bars_sit_side_by_side_in_their_category_slot(horizontal):
    # "Medium" has no figure last year: its this-year bar keeps its own slot, nothing in the other
    data = YEARS.drop(index=2)
    fig = charts.grouped_bar(
        data, category="category", value="value", title="t", value_label="v", horizontal=horizontal
    )
    ax = fig.axes[0]
    last, this = ax.containers
    start = (lambda b: b.get_y()) if horizontal else (lambda b: b.get_x())
    size = (lambda b: b.get_height()) if horizontal else (lambda b: b.get_width())
    length = (lambda b: b.get_width()) if horizontal else (lambda b: b.get_height())
    assert [round(start(b), 2) for b in last] == [-0.4, 1.6]
    assert [round(start(b), 2) for b in this] == [0.0, 1.0, 2.0]
    assert all(size(b) == pytest.approx(0.4) for b in [*last, *this])
    assert [length(b) for b in this] == [36.3, 41.4, 57.5]
    labels = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
    assert [t.get_text() for t in labels] == ["Standard", "Medium", "High"]
    # the published colours at three-quarters saturation; grey stays grey
    assert to_hex(last[0].get_facecolor()) == charts.LAST_YEAR_COLOUR
    assert to_hex(this[0].get_facecolor()) == to_hex(charts._desaturate(charts.THIS_YEAR_COLOUR))
    assert to_hex(this[0].get_facecolor()) != charts.THIS_YEAR_COLOUR


def test_line_chart_by_month_with_series_and_target():
    df = pd.DataFrame(
        {
            "month": list(_months()) * 2,
            "value": np.r_[np.linspace(80, 90, 24), np.linspace(5, 9, 24)],
            "series": ["a"] * 24 + ["b"] * 24,
        }
    )
    fig = charts.line_chart(
        df,
        series="series",
        title="Calls",
        value_label="Answered (%)",
        unit="percent",
        target=90,
        target_label="Standard: 90%",
    )
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Answered (%)" and ax.get_xlabel() == "Month"
    assert len(ax.get_lines()) == 3  # two series and the target
    assert len(ax.get_xticks()) <= 13  # labels never crowd


def test_point_interval_draws_an_error_bar_per_year():
    df = pd.DataFrame(
        {
            "q": ["Contact", "Contact"],
            "year": ["Last year", "This year"],
            "value": [91.1, 89.4],
            "ci": [1.5, 1.6],
        }
    )
    fig = charts.point_interval(df, category="q", title="Satisfaction", value_label="Satisfied (%)")
    assert fig.axes[0].get_xlabel() == "Satisfied (%)"
    assert len(fig.axes[0].containers) == 2


def test_ranked_bar_highlights_and_labels_the_home_force():
    df = pd.DataFrame({"force": ["Essex", "Kent", "Sussex"], "value": [60.1, 70.2, 55.0]})
    fig = charts.ranked_bar(
        df,
        label="force",
        highlight="Essex",
        title="Crimes per 1,000",
        value_label="Crimes per 1,000 residents",
    )
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Essex (this force)" in labels
    assert fig.axes[0].get_xlabel() == "Crimes per 1,000 residents"


def test_bar_by_month_marks_missing_months_not_zero():
    df = pd.DataFrame({"month": _months(6), "value": [10.0, np.nan, 12.0, 11.0, 9.0, 13.0]})
    fig = charts.bar_by_month(
        df, title="Positive tests", value_label="Positive (%)", unit="percent"
    )
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "n/a" in texts


def test_plan_vs_delivered_in_pounds_million():
    df = pd.DataFrame(
        {
            "month": _months(6, "2016-04"),
            "delivered": [1, 2, 3, 4, 5, 6.0],
            "plan": [1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
        }
    )
    fig = charts.plan_vs_delivered(df, title="Savings", requirement=17.6)
    assert fig.axes[0].get_ylabel() == "£ million"


@pytest.mark.parametrize(
    "builder",
    [
        lambda d: charts.grouped_bar(
            d, category="category", value="value", title="T", value_label="N"
        ),
        lambda d: charts.line_chart(d, title="T", value_label="N"),
        lambda d: charts.line_chart(d, series="series", title="T", value_label="N"),
        lambda d: charts.bar_by_month(d, title="T", value_label="N"),
        lambda d: charts.point_interval(d, category="category", title="T", value_label="N"),
        lambda d: charts.ranked_bar(d, label="force", title="T", value_label="N"),
        lambda d: charts.plan_vs_delivered(d, title="T"),
    ],
)
@pytest.mark.parametrize(
    "data",
    [
        None,
        pd.DataFrame(),
        pd.DataFrame(
            {
                "month": _months(3),
                "category": list("abc"),
                "year": ["This year"] * 3,
                "series": ["s"] * 3,
                "force": list("xyz"),
                "value": [np.nan] * 3,
                "delivered": [np.nan] * 3,
                "ci": [np.nan] * 3,
            }
        ),
    ],
    ids=["none", "empty", "all-missing"],
)
def test_every_builder_survives_empty_or_missing_data(builder, data):
    fig = builder(data)
    assert _axes_titled(fig)
    assert "No data to show" in [t.get_text() for t in fig.axes[0].texts]


def test_figure_html_is_an_inline_png_with_caption_and_alt_text():
    fig = charts.no_data_figure("Drug tests <on arrest>", "not available")
    html = charts.figure_html(fig, "Caption & more")
    assert html.startswith('<figure class="ppw-figure"><img src="data:image/png;base64,')
    assert 'alt="Drug tests &lt;on arrest&gt;"' in html
    assert "<figcaption>Caption &amp; more</figcaption>" in html


def test_png_output_is_deterministic():
    def make():
        return charts.png_data_uri(
            charts.line_chart(
                pd.DataFrame({"month": _months(12), "value": range(12)}), title="T", value_label="N"
            )
        )

    assert make() == make()


@pytest.mark.parametrize("horizontal", [False, True])
def test_fit_layout_places_the_axes_where_constrained_layout_does(horizontal):
    data = YEARS.assign(category=YEARS["category"] + " risk, a long category label")

    def placed(layout):
        fig = charts.grouped_bar(
            data,
            category="category",
            value="value",
            title="Solved rate by risk level — a title long enough to matter",
            value_label="Solved rate (%)",
            horizontal=horizontal,
        )
        if layout is not None:
            fig.set_layout_engine(layout)
        fig.canvas.draw()
        return fig

    fit, constrained = placed(None), placed("constrained")
    assert isinstance(fit.get_layout_engine(), charts.FitLayout)
    np.testing.assert_allclose(
        fit.axes[0].get_position().bounds, constrained.axes[0].get_position().bounds, atol=0.002
    )
    renderer = fit.canvas.get_renderer()
    figure_box = fit.bbox
    for artist in (fit.axes[0], fit._ppw_title):
        box = artist.get_tightbbox(renderer)
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1
        assert figure_box.y0 <= box.y0 and box.y1 <= figure_box.y1
    # the title sits above everything the axes draws
    assert fit._ppw_title.get_window_extent(renderer).y0 >= fit.axes[0].get_tightbbox(renderer).y1


def _reuse_cases():
    months = _months()
    lines_a = pd.DataFrame(
        {
            "month": list(months) * 2,
            "value": np.r_[np.linspace(80, 90, 24), np.linspace(5, 9, 24)],
            "series": ["a"] * 24 + ["b"] * 24,
        }
    )
    lines_b = pd.DataFrame({"month": list(_months(12, "2015-04")), "value": np.arange(12) * 1e3})
    points = pd.DataFrame(
        {
            "q": ["Contact", "Contact", "Action", "Action"],
            "year": ["Last year", "This year"] * 2,
            "value": [91.1, 89.4, 80.0, 82.5],
            "ci": [1.5, 1.6, 2.0, 2.2],
        }
    )
    return [
        (
            lambda: charts.line_chart(
                lines_a, series="series", title="a", value_label="%", unit="percent", target=90
            ),
            lambda: charts.line_chart(lines_b, title="b", value_label="n", ylim_zero=False),
        ),
        (
            lambda: charts.point_interval(points, category="q", title="a", value_label="%"),
            lambda: charts.point_interval(
                points.iloc[2:], category="q", title="b", value_label="p"
            ),
        ),
        (
            lambda: charts.grouped_bar(
                YEARS,
                category="category",
                value="value",
                title="a",
                value_label="v",
                horizontal=True,
            ),
            lambda: charts.grouped_bar(
                YEARS.assign(value=YEARS["value"] * 100),
                category="category",
                value="value",
                title="b",
                value_label="w",
                horizontal=True,
            ),
        ),
    ]


@pytest.mark.parametrize("first, second", _reuse_cases())
def test_a_reused_figure_draws_the_same_chart_as_a_new_one(first, second):
    from helpers.spc_charts import clear_figure_pool

    clear_figure_pool()
    fresh = charts.png_data_uri(second(), compact=True)
    clear_figure_pool()
    before = first()
    charts.png_data_uri(before, compact=True)  # drawn: its figure is kept for the next chart
    after = second()
    assert after is before
    assert charts.png_data_uri(after, compact=True) == fresh


def test_a_no_data_chart_is_not_kept_for_reuse():
    from helpers.spc_charts import clear_figure_pool

    clear_figure_pool()
    empty = charts.line_chart(pd.DataFrame(columns=["month", "value"]), title="t", value_label="v")
    charts.png_data_uri(empty)
    assert (
        charts.line_chart(pd.DataFrame(columns=["month", "value"]), title="t", value_label="v")
        is not empty
    )
