"""Chart builders: titled, labelled axes; empty or missing data never crash; PNGs as before."""

import base64
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

from helpers.render import charts


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


@pytest.mark.parametrize("caption", ["", "Caption & more"])
def test_figure_html_is_its_image_in_a_figure_element(caption):
    # the chart cache keeps image_html and the pages wrap it: the same HTML as figure_html
    def fig():
        return charts.no_data_figure("Drug tests <on arrest>", "not available")

    img = charts.image_html(fig(), dpi=charts.SMALL_DPI, compact=True)
    assert img.startswith('<img src="data:image/png;base64,') and img.endswith(">")
    assert charts.figure_element(img, caption) == charts.figure_html(
        fig(), caption, dpi=charts.SMALL_DPI, compact=True
    )


def test_png_output_is_deterministic():
    def make():
        return charts.png_data_uri(
            charts.line_chart(
                pd.DataFrame({"month": _months(12), "value": range(12)}), title="T", value_label="N"
            )
        )

    assert make() == make()


def _png(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.removeprefix("data:image/png;base64,"))))


LINES = pd.DataFrame(
    {
        "month": list(_months()) * 2,
        "value": np.r_[np.linspace(80, 90, 24), np.linspace(5, 9, 24)],
        "series": ["Repeat incidents"] * 24 + ["Individual repeat victims"] * 24,
    }
)
POINTS = pd.DataFrame(
    {
        "q": ["Contact", "Contact", "Action", "Action"],
        "year": ["Last year", "This year"] * 2,
        "value": [91.1, 89.4, 80.0, 82.5],
        "ci": [1.5, 1.6, 2.0, 2.2],
    }
)
FORCES = pd.DataFrame({"force": ["Essex", "Kent", "Sussex"], "value": [60.1, 70.2, 55.0]})
BUILDERS = {
    "grouped bar": lambda: charts.grouped_bar(
        YEARS, category="category", value="value", title="T", value_label="N", unit="percent"
    ),
    "horizontal bar": lambda: charts.grouped_bar(
        YEARS, category="category", value="value", title="T", value_label="N", horizontal=True
    ),
    "lines": lambda: charts.line_chart(
        LINES, series="series", title="T", value_label="N", target=85, target_label="Standard"
    ),
    "points": lambda: charts.point_interval(POINTS, category="q", title="T", value_label="N"),
    "ranked": lambda: charts.ranked_bar(
        FORCES, label="force", highlight="Essex", title="T", value_label="N"
    ),
    "by month": lambda: charts.bar_by_month(
        pd.DataFrame({"month": _months(6), "value": [10.0, np.nan, 12.0, 11.0, 9.0, 13.0]}),
        title="T",
        value_label="N",
    ),
    "plan": lambda: charts.plan_vs_delivered(
        pd.DataFrame({"month": _months(6, "2016-04"), "delivered": np.arange(1.0, 7.0)}),
        title="T",
        requirement=8.0,
    ),
    "no data": lambda: charts.no_data_figure("T", "not available"),
}


@pytest.mark.parametrize("compact", [True, False], ids=["palette", "fast"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_the_same_chart_gives_the_same_png_bytes(name, compact):
    # "same data and parameters -> same output, byte for byte", with another chart drawn between
    first = charts.png_data_uri(BUILDERS[name](), compact=compact)
    other = "lines" if name != "lines" else "points"
    charts.png_data_uri(BUILDERS[other](), compact=compact)
    assert charts.png_data_uri(BUILDERS[name](), compact=compact) == first


@pytest.mark.parametrize(
    ("name", "dpi", "size"),
    [
        ("grouped bar", charts.DPI, (900, 340)),
        ("horizontal bar", charts.DPI, (900, 340)),
        ("lines", charts.DPI, (900, 340)),
        ("points", charts.SMALL_DPI, (648, 244)),
        ("ranked", charts.SMALL_DPI, (648, 244)),
        ("no data", charts.DPI, (900, 160)),
        ("no data", charts.SMALL_DPI, (648, 115)),
    ],
)
@pytest.mark.parametrize("compact", [True, False], ids=["palette", "fast"])
def test_png_size_in_pixels_is_the_report_size(name, dpi, size, compact):
    with _png(charts.png_data_uri(BUILDERS[name](), dpi, compact=compact)) as image:
        assert image.size == size
        assert image.mode == ("P" if compact else "RGB")  # a 256-colour palette, or full colour


def test_a_taller_chart_keeps_its_height():
    fig = charts.grouped_bar(
        YEARS, category="category", value="value", title="T", value_label="N", height=4.0
    )
    with _png(charts.png_data_uri(fig)) as image:
        assert image.size == (900, 400)


@pytest.mark.parametrize("name", ["grouped bar", "horizontal bar", "lines", "points", "ranked"])
def test_constrained_layout_fits_title_labels_and_legend_inside_the_figure(name):
    fig = BUILDERS[name]()
    if name in ("grouped bar", "horizontal bar"):  # long labels and title: the hard case
        fig = charts.grouped_bar(
            YEARS.assign(category=YEARS["category"] + " risk, a long category label"),
            category="category",
            value="value",
            title="Solved rate by risk level — a title long enough to matter",
            value_label="Solved rate (%)",
            horizontal=name == "horizontal bar",
        )
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    box, page = ax.get_tightbbox(renderer), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    legend = ax.get_legend()
    if legend is not None:
        assert legend.get_window_extent(renderer).x1 <= page.x1
    (title,) = [
        t.get_window_extent(renderer) for t in fig.texts if t.get_text() == fig.get_suptitle()
    ]
    assert title.y0 >= ax.get_window_extent(renderer).y1  # above the plot
    assert title.x0 >= page.x0 and title.y1 <= page.y1


@pytest.mark.parametrize("horizontal", [False, True])
def test_grouped_bar_keeps_the_given_order_of_bars_labels_and_legend(horizontal):
    fig = charts.grouped_bar(
        YEARS.iloc[::-1],  # this year's rows first: the legend still follows series_order
        category="category",
        value="value",
        title="t",
        value_label="Solved rate (%)",
        unit="percent",
        decimals=1,
        order=["High", "Standard", "Medium"],
        horizontal=horizontal,
    )
    ax = fig.axes[0]
    ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
    assert [t.get_text() for t in ticks] == ["High", "Standard", "Medium"]
    last, this = ax.containers  # in series order
    length = (lambda b: b.get_width()) if horizontal else (lambda b: b.get_height())
    assert [length(b) for b in last] == [56.7, 36.5, 41.7]
    assert [length(b) for b in this] == [57.5, 36.3, 41.4]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Last year", "This year"]
    assert ax.get_legend().get_title().get_text() == ""
    # value labels on the bars, series by series, in category order
    assert [t.get_text() for t in ax.texts] == [
        "56.7%",
        "36.5%",
        "41.7%",
        "57.5%",
        "36.3%",
        "41.4%",
    ]
    assert to_hex(last[0].get_facecolor()) == charts.LAST_YEAR_COLOUR
    assert to_hex(this[0].get_facecolor()) == to_hex(charts._desaturate(charts.THIS_YEAR_COLOUR))
    # the first category at the top of a horizontal chart, at the left of a vertical one
    first, second = this[0], this[1]
    if horizontal:
        assert ax.yaxis_inverted() and first.get_y() < second.get_y()
    else:
        assert not ax.xaxis_inverted() and first.get_x() < second.get_x()


def test_grouped_bar_with_three_series_uses_the_palette_and_no_error_bars():
    three = pd.concat([YEARS, YEARS.assign(year="Target", value=50.0)])
    fig = charts.grouped_bar(
        three,
        category="category",
        value="value",
        title="t",
        value_label="v",
        series_order=("Last year", "This year", "Target"),
        annotate=False,
    )
    ax = fig.axes[0]
    assert [to_hex(c[0].get_facecolor()) for c in ax.containers] == [
        to_hex(charts._desaturate(c)) for c in charts.PALETTE[:3]
    ]
    assert not ax.lines and not ax.texts  # no error bars, no value labels
    assert all(b.get_width() == pytest.approx(0.8 / 3) for c in ax.containers for b in c)


@pytest.mark.parametrize("ascending", [True, False])
def test_ranked_bar_orders_by_value_and_highlights_the_home_force(ascending):
    fig = charts.ranked_bar(
        FORCES,
        label="force",
        highlight="Essex",
        title="Crimes per 1,000",
        value_label="Crimes per 1,000 residents",
        ascending=ascending,
    )
    ax = fig.axes[0]
    order = ["Sussex", "Essex (this force)", "Kent"]
    labels = ax.get_yticklabels()
    assert [t.get_text() for t in labels] == (order if ascending else order[::-1])
    assert [t.get_fontweight() for t in labels if t.get_text().startswith("Essex")] == ["bold"]
    (bars,) = ax.containers
    assert [b.get_width() for b in bars] == (
        [55.0, 60.1, 70.2] if ascending else [70.2, 60.1, 55.0]
    )
    colours = [to_hex(b.get_facecolor()) for b in bars]
    assert colours == ([charts.THIS_YEAR_COLOUR, charts.HIGHLIGHT_COLOUR, charts.THIS_YEAR_COLOUR])
    assert [t.get_text() for t in ax.texts] == (
        ["55.0", "60.1", "70.2"] if ascending else ["70.2", "60.1", "55.0"]
    )
    assert ax.yaxis_inverted()  # the first bar at the top
    assert ax.get_ylabel() == ""


def test_seaborn_and_pyplot_are_imported_only_for_the_charts_that_use_them():
    # the pack's kernels import helpers.render.charts; seaborn (and the pyplot it loads) cost 0.13 s
    code = """
import sys
import pandas as pd
from helpers.render import charts, spc_charts
charts.figure_html(charts.line_chart(pd.DataFrame({"month": ["2016-01"], "value": [1]}),
                                     title="t", value_label="v"))
charts.figure_html(charts.grouped_bar(None, category="c", value="v", title="t", value_label="v"))
assert "seaborn" not in sys.modules and "matplotlib.pyplot" not in sys.modules, "too early"
charts.grouped_bar(pd.DataFrame({"c": ["a"], "year": ["This year"], "v": [1.0]}),
                   category="c", value="v", title="t", value_label="v")
assert "seaborn" in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
