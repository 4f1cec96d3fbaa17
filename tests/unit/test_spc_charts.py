"""SPC charts (helpers.render.spc_charts): the artists a reader relies on, and the PNG data URI."""

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from helpers.render.spc_charts import (  # noqa: E402
    COMMON_CAUSE,
    CONCERN,
    IMPROVEMENT,
    NEUTRAL,
    TARGET,
    fig_to_base64_png,
    icon_artists,
    seasonality_chart,
    spc_chart,
)
from helpers.spc import project, xmr  # noqa: E402

BASELINE = [11, 9] * 6


def monthly(values, start="2013-04"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


def lines_by_label(fig):
    return {line.get_label(): line for ax in fig.axes for line in ax.get_lines()}


def scatter_colours(ax):
    """Hex colour of every monthly point drawn on ``ax`` (markers without a line, one per kind)."""
    kinds = {"_common_cause", "_improvement", "_concern", "_neutral_special"}
    colours = []
    for line in ax.get_lines():
        if line.get_label() in kinds and line.get_linestyle() == "None":
            colours += [to_hex(line.get_markerfacecolor())] * len(line.get_xdata())
    return colours


@pytest.fixture
def example():
    rng = np.random.default_rng(4)
    values = list(30 + rng.normal(0, 1, 30).round(1)) + [40.0]
    return xmr(monthly(values), polarity="lower_better", target=31)


def test_returns_a_figure_with_values_mean_and_limits(example):
    fig = spc_chart(example, title="Repeat victims", unit_label="Victims")
    assert isinstance(fig, Figure)
    lines = lines_by_label(fig)
    assert {"_mean", "_upper_limit", "_lower_limit", "_target"} <= set(lines)
    assert lines["_mean"].get_linestyle() == "-"
    assert lines["_upper_limit"].get_linestyle() == "--"
    assert to_hex(lines["_target"].get_color()) == TARGET
    np.testing.assert_allclose(lines["_upper_limit"].get_ydata(), example["upper_limit"])
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Victims"
    assert ax.get_title(loc="left") == "Repeat victims"


def test_points_are_coloured_by_point_type(example):
    fig = spc_chart(example, title="t", unit_label="u")
    colours = scatter_colours(fig.axes[0])
    assert len(colours) == len(example)
    assert colours.count(CONCERN) == (example["point_type"] == "concern").sum() >= 1
    assert COMMON_CAUSE in colours


def test_polarity_argument_recolours_special_causes(example):
    fig = spc_chart(example, title="t", unit_label="u", polarity="higher_better")
    colours = scatter_colours(fig.axes[0])
    assert IMPROVEMENT in colours and CONCERN not in colours


def test_neutral_special_causes_are_purple():
    fig = spc_chart(xmr(BASELINE + [30]), title="t", unit_label="u")
    assert NEUTRAL in scatter_colours(fig.axes[0])


def test_variation_and_assurance_icons(example):
    fig = spc_chart(example, title="t", unit_label="u")
    icons = icon_artists(fig)
    assert {"icon_variation_concern_high", "icon_assurance_hit_and_miss"} <= set(icons)
    circle, letter, caption = icons["icon_variation_concern_high"]
    assert to_hex(circle.get_facecolor()) == CONCERN
    assert letter.get_text() == "H"
    assert caption.get_text() == "Latest month:\nconcern\n(higher)"  # the icon is about it
    assert len(fig.axes) == 1  # icons are drawn on the figure, not on axes of their own


def test_no_assurance_icon_without_a_target():
    fig = spc_chart(xmr(BASELINE + [10, 10.5]), title="t", unit_label="u")
    icons = icon_artists(fig)
    assert "icon_variation_common_cause" in icons
    assert not any(name.startswith("icon_assurance") for name in icons)
    assert "_target" not in lines_by_label(fig)


def test_icons_are_round_at_any_resolution(example):
    fig = spc_chart(example, title="t", unit_label="u")
    circle = icon_artists(fig)["icon_variation_concern_high"][0]
    for dpi in (72, 100):
        fig.set_dpi(dpi)
        fig.canvas.draw()
        box = circle.get_window_extent(fig.canvas.get_renderer())
        assert box.width == pytest.approx(box.height)
        assert box.width == pytest.approx(0.36 / 1.05 * dpi, rel=0.02)


def test_icons_and_legend_sit_beside_the_plot(example):
    fig = spc_chart(
        example, title="t", unit_label="u", projection=project(example["value"], seasonal=False)
    )
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    plot = fig.axes[0].get_window_extent(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    assert legend.x0 > plot.x1
    width = fig.get_size_inches()[0] * fig.dpi
    for artists in icon_artists(fig).values():
        for artist in artists:
            box = artist.get_window_extent(renderer)
            assert plot.x1 < box.x0 and box.x1 <= width
    assert legend.x1 <= width


def test_month_labels_are_readable_and_do_not_overlap(example):
    fig = spc_chart(example, title="t", unit_label="u")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    texts = [t.get_text() for t in labels]
    assert texts[-1] == "Oct 15"  # the latest month is labelled
    assert all(len(t) == 6 and t[3] == " " for t in texts)  # 'Sep 16'
    assert len(texts) <= 13
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:], strict=False))
    assert labels[0].get_fontsize() >= 7


@pytest.mark.parametrize(("months", "step"), [(24, 3), (48, 6), (100, 12)])
def test_tick_spacing_grows_with_the_span(months, step):
    df = xmr(monthly(([11, 9] * 60)[:months]))
    fig = spc_chart(df, title="t", unit_label="u")
    ticks = fig.axes[0].get_xticks()
    assert set(np.diff(ticks)) == {step}


def test_projection_band_dotted_line_and_horizon_labels():
    s = monthly(100 + np.arange(40) + np.tile([2.0, -2.0], 20))
    df = xmr(s)
    fig = spc_chart(df, title="t", unit_label="u", projection=project(s))
    ax = fig.axes[0]
    lines = lines_by_label(fig)
    assert lines["_projection"].get_linestyle() == ":"
    assert len(lines["_projection"].get_xdata()) == 13  # the last value + 12 months
    bands = [c for c in ax.collections if c.get_label() == "_interval"]
    assert len(bands) == 1
    assert {t.get_text() for t in ax.texts} >= {"3m", "6m", "12m"}
    assert ax.get_xlim()[1] > len(s) + 10
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Jul 17"


def test_rebase_marker_and_separate_limits():
    s = monthly([11, 9] * 8 + [31, 29] * 8, start="2013-04")
    fig = spc_chart(xmr(s, rebase_at=["2014-08"]), title="t", unit_label="u")
    ax = fig.axes[0]
    assert "Rebased Aug 14" in [t.get_text() for t in ax.texts]
    vertical = [ln for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
    assert vertical and vertical[0].get_xdata()[0] == pytest.approx(15.5)
    means = [ln for ln in ax.get_lines() if ln.get_label() == "_mean"]
    assert sorted(ln.get_ydata()[0] for ln in means) == [10, 30]


def test_short_series_has_no_limit_lines_in_the_legend():
    fig = spc_chart(xmr(BASELINE[:10]), title="t", unit_label="u")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Process limits" not in texts
    assert "Mean" in texts


def test_draws_on_given_axes():
    fig, axes = plt.subplots(2, 1)
    try:
        returned = spc_chart(xmr(BASELINE + [10]), title="t", unit_label="u", ax=axes[1])
        assert returned is fig
        assert axes[1].get_title(loc="left") == "t"
        assert not axes[0].get_lines()
    finally:
        plt.close(fig)


def test_empty_frame_is_refused():
    with pytest.raises(ValueError, match="no points"):
        spc_chart(xmr([]), title="Empty", unit_label="u")


def test_base64_png_decodes_is_small_and_closes_the_figure(example):
    fig = plt.figure(figsize=(9, 3.6))
    number = fig.number
    uri = fig_to_base64_png(fig)
    assert number not in plt.get_fignums()
    chart = spc_chart(
        example, title="t", unit_label="u", projection=project(example["value"], seasonal=False)
    )
    uri = fig_to_base64_png(chart)
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    data = base64.b64decode(uri[len(prefix) :], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) < 45 * 1024
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (900, 360)


def test_base64_png_is_deterministic(example):
    first = fig_to_base64_png(spc_chart(example, title="t", unit_label="u"))
    second = fig_to_base64_png(spc_chart(example, title="t", unit_label="u"))
    assert first == second


def test_charts_drawn_in_turn_do_not_leak_into_each_other(example):
    # each image holds only its own chart, whatever was drawn before it
    def draw(values, title):
        return fig_to_base64_png(spc_chart(xmr(monthly(values)), title=title, unit_label="u"))

    first = draw(BASELINE + [10], "first")
    other = draw(BASELINE + [30, 31], "other")
    small = fig_to_base64_png(Figure(figsize=(2, 1)))
    assert draw(BASELINE + [10], "first") == first
    assert other != first and small not in (first, other)


def test_render_image_gives_matplotlibs_own_pixels(example):
    # drawn plainly: the pixels savefig gives for the same chart, nothing pasted or kept
    from helpers.render.spc_charts import render_image

    def chart():
        return spc_chart(
            example, title="t", unit_label="u", projection=project(example["value"], seasonal=False)
        )

    for dpi in (100, 72):
        buffer = io.BytesIO()
        fig = chart()
        fig.savefig(buffer, format="rgba", dpi=dpi, facecolor="white")
        width, height = (round(v * dpi) for v in fig.get_size_inches())
        saved = np.frombuffer(buffer.getvalue(), np.uint8).reshape(height, width, 4)
        assert np.array_equal(np.asarray(render_image(chart(), dpi)), saved)


@pytest.mark.parametrize(
    ("dpi", "spc_size", "seasonality_size"),
    [(100, (900, 360), (600, 260)), (72, (648, 259), (432, 187))],
)
def test_png_sizes_in_pixels(example, dpi, spc_size, seasonality_size):
    factors = pd.Series(np.linspace(0.9, 1.1, 12), index=range(1, 13))
    for fig, size in (
        (spc_chart(example, title="t", unit_label="u"), spc_size),
        (seasonality_chart(factors=factors, title="t"), seasonality_size),
    ):
        uri = fig_to_base64_png(fig, dpi)
        with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
            assert image.size == size
            assert image.mode == "P"  # the 256-colour palette PNG


def test_seasonality_png_is_deterministic():
    factors = pd.Series(np.linspace(0.9, 1.1, 12), index=range(1, 13))
    first = fig_to_base64_png(seasonality_chart(factors=factors, title="t"))
    fig_to_base64_png(seasonality_chart(factors=factors[::-1].set_axis(range(1, 13)), title="u"))
    assert fig_to_base64_png(seasonality_chart(factors=factors, title="t")) == first


def test_seasonality_chart_has_twelve_bars():
    idx = pd.period_range("2012-01", periods=48, freq="M")
    pattern = np.array([0.8, 0.9, 1.0, 1.1, 1.2, 1.0, 1.05, 1.15, 1.0, 0.9, 0.95, 0.95])
    s = pd.Series(100 * pattern[idx.month - 1], index=idx)
    fig = seasonality_chart(s, title="Seasonal pattern")
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert len(heights) == 12
    np.testing.assert_allclose(heights, (pattern - 1) * 100, atol=1e-9)
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["Jan", "Feb"]


def test_seasonality_chart_needs_data():
    with pytest.raises(ValueError, match="series or its seasonal factors"):
        seasonality_chart()


def test_making_data_count_colours():
    assert (COMMON_CAUSE, IMPROVEMENT, CONCERN, NEUTRAL, TARGET) == (
        "#a6a6a6",
        "#00b0f0",
        "#e46c0a",
        "#490092",
        "#de1b1b",
    )


def test_datetime_index_gets_month_labels():
    s = monthly(BASELINE + [10, 10.5])
    s.index = s.index.to_timestamp()
    fig = spc_chart(xmr(s), title="t", unit_label="u")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][-1] == "May 14"


def test_text_labels_are_used_for_a_non_month_index():
    df = xmr(BASELINE + [10], index=[f"week {i}" for i in range(13)])
    fig = spc_chart(df, title="t", unit_label="u")
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert texts and all(t.startswith("week ") for t in texts)


def test_docstring_examples_run():
    import doctest

    from helpers.render import spc_charts

    results = doctest.testmod(spc_charts)
    assert results.attempted >= 3
    assert results.failed == 0


def test_an_spc_chart_is_keyed_on_its_frames_polarity_target_and_projection(example):
    # spc_chart reads the polarity and target from the frame's attrs: they are in its cache key
    from helpers.render.chart_cache import chart_key

    def key(frame, **kwargs):
        options = {"dpi": 100, "compact": True, "renderer": "r", "state": "s"}
        return chart_key(
            spc_chart, (frame,), {"title": "t", "unit_label": "u", **kwargs}, **options
        )

    values = example["value"].rename(None)  # the series xmr was given
    assert key(example) == key(xmr(values, polarity="lower_better", target=31))
    assert key(example) != key(xmr(values, polarity="higher_better", target=31))
    assert key(example) != key(xmr(values, polarity="lower_better", target=32))
    proj = project(values, horizons=(3, 6, 12), seasonal="auto")
    assert key(example, projection=proj) != key(example)
