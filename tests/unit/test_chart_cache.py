"""The chart cache: keyed by what a chart is drawn from, a hit draws nothing, a page is the same.

Every test uses a cache folder of its own (``tmp_path``); the page tests point the project's
cache folder (``config.CACHE_DIR``) there.
"""

from __future__ import annotations

import functools
import hashlib
import os

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from support.frames import synthetic_extracts

from helpers import config, periods
from helpers.analysis import disclosure
from helpers.config import ForceConfig
from helpers.pages import report, sections
from helpers.render import chart_cache, charts
from helpers.render.chart_cache import ChartCache, Uncacheable, chart_key

MONTHS = pd.period_range("2015-01", periods=12, freq="M")
FRAME = pd.DataFrame({"month": MONTHS, "value": np.arange(12.0) + 10})


def line(df=FRAME, **extra):
    return ((df,), {"title": "Crimes by month", "value_label": "Crimes", **extra})


def key(builder=charts.line_chart, args=(FRAME,), kwargs=None, **over) -> str:
    options = {"dpi": 100, "compact": True, "renderer": "r1", "state": "s1", **over}
    return chart_key(builder, args, kwargs or {"title": "T", "value_label": "N"}, **options)


@pytest.fixture
def drawn(monkeypatch):
    """Count the figures built and drawn (every miss draws once; a hit draws nothing)."""
    calls = []
    real = chart_cache.draw_image_html

    @functools.wraps(real)
    def counting(builder, *args, **kwargs):
        calls.append(builder.__name__)
        return real(builder, *args, **kwargs)

    monkeypatch.setattr(chart_cache, "draw_image_html", counting)
    return calls


def entries(folder) -> list:
    return sorted(p for p in folder.rglob("*.html") if not p.name.startswith(".tmp-"))


# ---- the key -----------------------------------------------------------------------------------


def test_the_same_data_gives_the_same_key_and_a_copy_too():
    assert key() == key(args=(FRAME.copy(),))
    assert len(key()) == 64


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(
            FRAME.assign(value=FRAME["value"].where(FRAME.index != 3)), id="a value blank"
        ),
        pytest.param(FRAME.assign(value=FRAME["value"] + 1e-9), id="a value by 1e-9"),
        pytest.param(FRAME.rename(columns={"value": "count"}), id="a column's name"),
        pytest.param(FRAME.astype({"value": "float32"}), id="a dtype"),
        pytest.param(FRAME.set_axis(range(1, 13)), id="the index"),
        pytest.param(FRAME.assign(month=FRAME["month"].astype(str)), id="months as text"),
        pytest.param(FRAME[["value", "month"]], id="the column order"),
        pytest.param(FRAME.iloc[::-1], id="the row order"),
    ],
)
def test_different_data_gives_a_different_key(changed):
    assert key(args=(changed,)) != key()


def test_attrs_are_part_of_a_frames_key():
    # an SPC frame carries its polarity and target in attrs: spc_chart reads them
    other = FRAME.copy()
    other.attrs["target"] = 12.0
    assert key(args=(other,)) != key()


@pytest.mark.parametrize(
    "over",
    [
        {"dpi": 72},
        {"compact": False},
        {"renderer": "r2"},
        {"state": "s2"},
        {"builder": charts.bar_by_month},
        {"kwargs": {"title": "T", "value_label": "N", "unit": "percent"}},
        {"kwargs": {"title": "T", "value_label": "n"}},
    ],
)
def test_resolution_png_kind_renderer_draw_state_builder_and_options_are_in_the_key(over):
    assert key(**over) != key()


@pytest.mark.parametrize("a, b", [(1, 1.0), (1, "1"), (None, "None"), (True, 1), ((1,), [1])])
def test_arguments_are_told_apart_by_type(a, b):
    assert key(args=(FRAME, a)) != key(args=(FRAME, b))


@pytest.mark.parametrize(
    "value",
    [object(), {1: "not text keys"}, pd.DataFrame({"x": [object()]}), lambda: 1],
    ids=["object", "dict", "frame of objects", "function"],
)
def test_an_argument_that_cannot_be_hashed_refuses_the_key(value):
    with pytest.raises(Uncacheable):
        key(args=(FRAME, value))


def test_only_the_rendering_modules_builders_are_cached():
    with pytest.raises(Uncacheable):
        key(builder=lambda df, **kw: charts.line_chart(df, **kw))
    with pytest.raises(Uncacheable):
        key(builder=sections.spc_figures)


def test_the_draw_state_follows_the_rcparams():
    before = chart_cache.draw_state()
    with mpl.rc_context({"lines.linewidth": 3.5}):
        assert chart_cache.draw_state() != before
    assert chart_cache.draw_state() == before


def test_the_renderer_version_follows_the_rendering_sources_and_the_libraries(tmp_path):
    source = tmp_path / "charts.py"
    source.write_text("A = 1\n")
    first = chart_cache.renderer_fingerprint([source], {"matplotlib": "3.10.8"})
    assert chart_cache.renderer_fingerprint([source], {"matplotlib": "3.10.9"}) != first
    source.write_text("A = 2\n")
    assert chart_cache.renderer_fingerprint([source], {"matplotlib": "3.10.8"}) != first
    # the real one covers the builders, the PNG writer, the figure re-use, the SPC rules and
    # this cache's own format
    names = {p.name for p in chart_cache.RENDERER_SOURCES}
    assert names == {"charts.py", "chart_html.py", "spc_charts.py", "figure_reuse.py", "spc.py",
                     "spc_xmr.py", "spc_seasonality.py", "chart_cache.py"}  # fmt: skip
    assert all(p.is_file() for p in chart_cache.RENDERER_SOURCES)


# ---- the cache ---------------------------------------------------------------------------------


def test_a_hit_draws_nothing_and_gives_the_same_bytes(tmp_path, drawn):
    cache = ChartCache(tmp_path)
    args, kwargs = line()
    first = cache.image_html(charts.line_chart, args, kwargs, dpi=72, compact=True)
    again = cache.image_html(charts.line_chart, args, kwargs, dpi=72, compact=True)
    assert drawn == ["line_chart"]
    assert again == first
    assert first == charts.image_html(charts.line_chart(*args, **kwargs), dpi=72, compact=True)
    (entry,) = entries(tmp_path)
    assert entry.parent.name == entry.stem[:2]


def test_another_renderer_version_is_a_miss(tmp_path, drawn):
    args, kwargs = line()
    ChartCache(tmp_path, renderer="a").image_html(charts.line_chart, args, kwargs, dpi=72)
    ChartCache(tmp_path, renderer="a").image_html(charts.line_chart, args, kwargs, dpi=72)
    assert len(drawn) == 1
    ChartCache(tmp_path, renderer="b").image_html(charts.line_chart, args, kwargs, dpi=72)
    assert len(drawn) == 2
    assert len(entries(tmp_path)) == 2


def test_changed_rcparams_are_a_miss(tmp_path, drawn):
    cache = ChartCache(tmp_path)
    args, kwargs = line()
    plain = cache.image_html(charts.line_chart, args, kwargs, dpi=72)
    with mpl.rc_context({"axes.facecolor": "#eeeeee"}):  # not set by the house style
        grey = cache.image_html(charts.line_chart, args, kwargs, dpi=72)
    assert len(drawn) == 2 and grey != plain


def test_a_chart_whose_drawing_changed_the_rcparams_is_shown_not_kept(tmp_path):
    # as a library imported for the first time while drawing might: the key no longer says
    # what was drawn
    @functools.wraps(charts.line_chart)
    def restyling(*args, **kwargs):
        mpl.rcParams["axes.facecolor"] = "#eeeeee"
        return charts.line_chart(*args, **kwargs)

    args, kwargs = line()
    with mpl.rc_context():
        html = ChartCache(tmp_path).image_html(restyling, args, kwargs, dpi=72)
    assert html.startswith(chart_cache.IMG_START)
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b.replace(b"base64,", b"base64,A", 1), id="edited"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b.split(b"\n", 1)[1], id="no header"),
    ],
)
def test_a_damaged_entry_is_drawn_again_never_shown(tmp_path, drawn, damage):
    cache = ChartCache(tmp_path)
    args, kwargs = line()
    first = cache.image_html(charts.line_chart, args, kwargs, dpi=72)
    (entry,) = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))
    assert cache.image_html(charts.line_chart, args, kwargs, dpi=72) == first
    assert len(drawn) == 2
    assert cache.get(entry.stem) == first  # and written whole again


def test_an_entry_under_another_key_is_not_shown(tmp_path):
    cache = ChartCache(tmp_path)
    args, kwargs = line()
    cache.image_html(charts.line_chart, args, kwargs, dpi=72)
    (entry,) = entries(tmp_path)
    other = "0" * 64
    cache.path(other).parent.mkdir(parents=True, exist_ok=True)
    cache.path(other).write_bytes(entry.read_bytes())  # a whole entry, in the wrong place
    assert cache.get(other) is None


def test_an_uncacheable_argument_is_drawn_every_time_and_not_kept(tmp_path, drawn):
    cache = ChartCache(tmp_path)
    odd = FRAME.assign(month=[m.to_timestamp().date() for m in MONTHS])  # datetime.date
    with pytest.raises(Uncacheable):
        key(args=(odd,))
    for _ in range(2):
        cache.image_html(charts.line_chart, (odd,), {"title": "T", "value_label": "N"}, dpi=72)
    assert len(drawn) == 2 and entries(tmp_path) == []


@pytest.mark.parametrize("where", ["a file", "read-only"])
def test_a_folder_that_cannot_be_written_draws_without_caching(tmp_path, drawn, where):
    if where == "a file":
        folder = tmp_path / "cache"
        folder.write_text("not a folder")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        if os.access(folder, os.W_OK):  # root writes anyway
            pytest.skip("this user can write to a read-only folder")
    cache = ChartCache(folder)
    args, kwargs = line()
    first = cache.image_html(charts.line_chart, args, kwargs, dpi=72)
    assert cache.image_html(charts.line_chart, args, kwargs, dpi=72) == first
    assert len(drawn) == 2


def test_writes_leave_no_temporary_files_and_entries_say_their_key_and_checksum(tmp_path):
    cache = ChartCache(tmp_path)
    args, kwargs = line()
    html = cache.image_html(charts.line_chart, args, kwargs, dpi=72)
    (entry,) = entries(tmp_path)
    head, body = entry.read_bytes().split(b"\n", 1)
    assert head.decode().split() == [
        chart_cache.MAGIC,
        entry.stem,
        hashlib.sha256(body).hexdigest(),
    ]
    assert body.decode() == html and html.startswith(chart_cache.IMG_START)
    assert [p.name for p in tmp_path.rglob(".tmp-*")] == []


def test_the_cache_keeps_to_its_budget_least_recently_used_first(tmp_path):
    # a budget of about two entries per prefix folder; every key written to one folder
    cache = ChartCache(tmp_path, max_bytes=256 * 2500)
    keys = [f"ab{i:062d}" for i in range(6)]
    body = chart_cache.IMG_START + "A" * 1000 + '">'
    for i, k in enumerate(keys[:2]):
        assert cache.put(k, body)
        os.utime(cache.path(k), ns=(i * 10**9, i * 10**9))  # written long ago, in this order
    assert cache.get(keys[0]) == body  # used now: keys[1] is the least recently used
    cache.put(keys[2], body)
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) == body and cache.get(keys[2]) == body
    for k in keys[3:]:
        cache.put(k, body)
    total = sum(p.stat().st_size for p in entries(tmp_path))
    assert total <= cache.max_bytes // 256 and cache.get(keys[-1]) == body


def test_a_stale_temporary_file_is_removed_when_its_folder_is_written(tmp_path):
    cache = ChartCache(tmp_path)
    k = "cd" + "0" * 62
    cache.path(k).parent.mkdir(parents=True)
    stale = cache.path(k).parent / ".tmp-killed.html"
    stale.write_text("half an entry")
    os.utime(stale, (0, 0))
    fresh = cache.path(k).parent / ".tmp-writing.html"
    fresh.write_text("another kernel is writing")
    cache.put(k, chart_cache.IMG_START + '">')
    assert not stale.exists() and fresh.exists()


# ---- the pages ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cube():
    from helpers.measures.cube import build_cube

    return build_cube(synthetic_extracts())


@pytest.fixture
def project_cache(tmp_path, monkeypatch):
    """The project's chart cache (``config.CACHE_DIR / "charts"``) in a folder of this test."""
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "project-cache")
    report.clear_caches()
    yield tmp_path / "project-cache" / "charts"
    report.clear_caches()


def render_page(cube, area: int, views) -> str:
    page = report.AreaPage(area, month="2016-09", cube=cube)  # its fragments: none yet
    return "".join(page.render_html(g, p) for g, p in views)


VIEWS = [("Force", "rolling-12m"), ("Basildon", "fytd")]


def test_a_page_is_the_same_with_a_cold_a_warm_and_no_cache(cube, project_cache, drawn):
    cold = render_page(cube, 6, VIEWS)
    assert drawn, "the cold page drew its charts"
    assert cold.count("data:image/png;base64,") == len(drawn)
    kept = len(entries(project_cache))
    assert kept == len(drawn)  # every chart of the page could be keyed
    drawn.clear()
    warm = render_page(cube, 6, VIEWS)
    assert drawn == []  # nothing built, nothing drawn
    assert warm == cold
    # and no cache at all: the folder cannot be made, every chart is drawn, the page the same
    config.CACHE_DIR.rename(config.CACHE_DIR.with_name("elsewhere"))
    config.CACHE_DIR.write_text("a file where the cache would be")
    assert render_page(cube, 6, VIEWS) == cold
    assert len(drawn) == kept


def test_context_without_a_cache_draws_every_time(cube, project_cache, drawn):
    def context(cache):
        return sections.Context(
            cube=cube,
            month=periods.parse_month("2016-09"),
            period="rolling-12m",
            hierarchy=cube.hierarchy,
            chart_cache=cache,
        )

    it = sections.item("all_crime_spc")
    off = [sections.render_item(it, context(None)) for _ in range(2)]
    assert len(drawn) == 4  # the SPC chart and the seasonal pattern, twice
    assert entries(project_cache) == []
    on = [sections.render_item(it, context(ChartCache(project_cache))) for _ in range(2)]
    assert len(drawn) == 6  # drawn once more, then from the cache
    assert on == off
    default = sections.Context(cube=cube, month=periods.parse_month("2016-09"), period="fytd")
    assert default.chart_cache == ChartCache(project_cache)  # the project's cache folder


def test_a_withheld_figure_is_another_chart(cube, project_cache, drawn, monkeypatch):
    # disclosure control blanks the frame before the builder sees it: its key differs, so the
    # chart drawn with the small figures is never shown for the withheld place
    def nte(geography):
        ctx = sections.Context(
            cube=cube,
            month=periods.parse_month("2016-09"),
            period="rolling-12m",
            geography=geography,
            level="district",
            hierarchy=cube.hierarchy,
        )
        return sections.render_item(sections.item("nte_by_month"), ctx)

    shown = nte("Basildon")
    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(suppress_below=5))
    assert disclosure.threshold_in_force() == 5
    withheld = nte("Basildon")
    assert withheld != shown
    assert len(drawn) == 2
    assert len(entries(project_cache)) == 2
