"""Commentary placeholders (helpers.pages.commentary_fill): figures quoted from the pack's rows.

A placeholder reads as the page's table prints the same figure; a placeholder the pack cannot
fill is an authoring error naming the file, the line and the nearest known names; a value is text
and can never become markup.
"""

from __future__ import annotations

import html as html_module
import re
import shutil

import pytest
from support.packs import make_data, make_notebooks, run_pack

from helpers.config import DEMO_DATA_DIR, DEMO_PROFILE_DIR
from helpers.contract import catalog
from helpers.pages import commentary, report
from helpers.pages.commentary_fill import (
    FUNCTIONS,
    CommentaryError,
    Figures,
    check_month,
    placeholders,
    value_text,
)
from helpers.periods import PeriodError, parse_month

demo_data = pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="the demo data is not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)


@pytest.fixture(scope="module")
def cube():
    from helpers.measures.cube import load_cube

    return load_cube(DEMO_DATA_DIR)


def _row_html(table: str, label: str) -> str:
    """The ``<tr>`` of the table whose label cell is ``label``."""
    rows = re.findall(r"<tr>.*?</tr>", table, flags=re.S)
    mine = [r for r in rows if f'<td class="ppw-label">{label}' in r]
    assert len(mine) == 1, label
    return mine[0]


# --------------------------------------------------------------------------------------------
# Filled from a real cube, as the table prints it


@demo_data
@pytest.mark.parametrize(("month", "period"), [("2016-09", "rolling-12m"), ("2014-03", "fytd")])
@pytest.mark.parametrize("area", [2, 6, 8])
def test_a_placeholder_reads_as_the_table_prints_the_figure(cube, month, period, area):
    page = report.AreaPage(area, month=month, period=period, cube=cube)
    table = page.table_html()
    figures = Figures(cube, month, period)
    checked = 0
    for m in catalog.measures_for(area, month):
        if not figures.row(m.id)["available"] or figures.row(m.id)["change"] is None:
            continue
        row = _row_html(table, m.label)
        for function in ("last_year", "this_year", "change"):
            assert f">{figures.text(function, m.id)}" in row, (m.id, function, row)
        checked += 1
    assert checked >= 3


@demo_data
def test_the_issues_example_reads_minus_3_6_points_and_not_significant(cube):
    figures = Figures(cube, "2016-09", "rolling-12m")
    assert figures.text("change", "satisfaction_actions") == "-3.6% pt."
    # the demo's rule, the published one: the intervals overlap
    assert figures.text("significance", "satisfaction_actions") == "not statistically significant"
    assert figures.text("significance", "satisfaction_contact") == "not statistically significant"
    assert figures.text("direction", "satisfaction_actions") == "worse"
    assert figures.text("window", "satisfaction_actions") == "Oct 2015 – Sep 2016"
    assert figures.text("significance", "all_crime") == "not tested for significance"


@demo_data
def test_significance_in_words_follows_the_forces_rule(cube, two_proportion_rule):
    figures = Figures(cube, "2016-09", "rolling-12m")
    assert figures.text("significance", "satisfaction_actions") == "statistically significant"
    assert figures.text("significance", "satisfaction_contact") == "not statistically significant"


@demo_data
def test_the_area_page_fills_its_commentary_from_its_own_view(cube):
    force = report.AreaPage(6, month="2016-09", cube=cube).commentary().data
    district = report.AreaPage(6, month="2016-09", cube=cube, geography="Basildon")
    local = district.commentary().data
    assert "{{" not in force and "{{" not in local
    for html, geography in ((force, "Force"), (local, "Basildon")):
        expected = Figures(cube, "2016-09", "rolling-12m", geography).text("this_year", "all_crime")
        assert f"to\n{expected} offences" in html, geography
    assert force != local


@demo_data
def test_every_template_fills_for_both_months_and_periods(cube):
    template = DEMO_PROFILE_DIR / "commentary" / "template"
    files = sorted(template.glob("*.md"))
    assert [p.name[:2] for p in files] == [f"{a:02d}" for a in catalog.AREAS]
    for month in ("2016-09", "2014-03"):
        for period in ("rolling-12m", "fytd"):
            figures = Figures(cube, month, period)
            for path in files:
                text = path.read_text(encoding="utf-8")
                assert len(placeholders(text, path.name, month)) >= 3, path.name
                html = commentary.render_markdown(text, figures)
                assert "{{" not in html and "}}" not in html, (path.name, month)
                assert "<h3>Commentary</h3>" in html


# --------------------------------------------------------------------------------------------
# Authoring errors: file, line, nearest names


def test_an_unknown_measure_names_the_file_the_line_and_the_nearest_ids():
    text = '### Commentary\n\nAction taken\n{{ change("satisfaction_action") }} fell.\n'
    with pytest.raises(CommentaryError) as err:
        placeholders(text, "02_victims.md", "2016-09")
    message = str(err.value)
    assert message.startswith(
        '02_victims.md line 4: {{ change("satisfaction_action") }}: unknown measure '
        "'satisfaction_action'; did you mean satisfaction_actions"
    )
    assert "did you mean satisfaction_actions" in message


def test_an_unknown_function_is_named_with_the_nearest_function():
    with pytest.raises(
        CommentaryError,
        match=r"x\.md line 1: \{\{ thisyear\(\"all_crime\"\) \}\}: unknown placeholder function ",
    ):
        placeholders('{{ thisyear("all_crime") }}', "x.md")
    with pytest.raises(CommentaryError, match="did you mean this_year"):
        placeholders('{{ thisyear("all_crime") }}', "x.md")


@pytest.mark.parametrize(
    "written",
    [
        "{{ change(all_crime) }}",  # not quoted
        '{{ change("all_crime", "fytd") }}',  # two arguments
        '{{ change("all_crime").__class__ }}',  # not a call of one function
        "{{ 1 + 1 }}",
        "{% if x %}crime{% endif %}",  # a template block
        '{{ change("all_crime")\n}}',  # not on one line
    ],
)
def test_anything_but_one_function_of_one_quoted_id_is_refused(written):
    with pytest.raises(CommentaryError, match=r"x\.md line 1: .* is not a placeholder"):
        placeholders(f"{written}\n", "x.md")


def test_every_problem_of_a_file_is_named_at_once():
    text = '{{ change("all_crim") }}\n\n{{ chnage("all_crime") }}\n'
    with pytest.raises(CommentaryError) as err:
        placeholders(text, "x.md")
    assert [line.split(":")[0] for line in str(err.value).splitlines()] == [
        "x.md line 1",
        "x.md line 3",
    ]


def test_a_measure_not_reported_in_the_month_points_to_the_one_that_is():
    with pytest.raises(CommentaryError) as err:
        placeholders('{{ this_year("da_repeat_incidents") }}', "01.md", "2014-03")
    assert "not reported in Mar 2014 (from Apr 2016)" in str(err.value)
    assert "use 'da_repeat_incidents_fy'" in str(err.value)
    assert placeholders('{{ this_year("da_repeat_incidents") }}', "01.md", "2016-09")


def test_the_function_list_is_the_documented_one():
    readme = (DEMO_PROFILE_DIR / "commentary" / "README.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `\{\{ (\w+)\(", readme, flags=re.M)
    assert documented == list(FUNCTIONS)


def test_a_commentary_with_placeholders_is_not_shown_unfilled(tmp_path):
    path = commentary.commentary_path("2016-09", 6, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('All crime {{ change("all_crime") }}.\n', encoding="utf-8")
    with pytest.raises(CommentaryError, match=r"06_crime_prevention\.md line 1: .*needs"):
        commentary.commentary_html("2016-09", 6, tmp_path)


# --------------------------------------------------------------------------------------------
# Values are text


class Stub:
    """Figures that answer every placeholder with the same text."""

    def __init__(self, value: str):
        self.value = value

    def text(self, function: str, measure_id: str) -> str:
        return self.value


@pytest.mark.parametrize(
    "value",
    ["<script>alert(1)</script>", "**bold** [link](https://x.org/)", "- a list", "[c]"],
)
def test_a_value_is_shown_as_text_never_as_markup(value):
    html = commentary.render_markdown(
        '{{ change("all_crime") }} and `{{ window("all_crime") }}`', Stub(value)
    )
    assert html_module.unescape(html) == f"<p>{value} and <code>{value}</code></p>\n"
    assert "<script" not in html and "<strong>" not in html and "<a " not in html


def _row(**changes) -> dict:
    row = {
        "unit": "count",
        "decimals": 0,
        "this_year": 115146.0,
        "last_year": 104561.0,
        "change": None,
        "direction": "na",
        "significant": None,
        "window_label": "Oct 2015 – Sep 2016",
        "suppressed": False,
    }
    return {**row, **changes}


def test_a_withheld_figure_reads_c_and_a_missing_one_n_a():
    withheld = _row(suppressed=True)
    assert {value_text(f, withheld) for f in FUNCTIONS if f != "window"} == {"[c]"}
    assert value_text("window", withheld) == "Oct 2015 – Sep 2016"
    missing = _row(last_year=float("nan"))
    assert value_text("last_year", missing) == "N/A"
    assert value_text("change", missing) == value_text("direction", missing) == "N/A"


def test_a_measure_with_no_better_direction_reads_up_or_down():
    from decimal import Decimal

    assert value_text("direction", _row(change=Decimal("15.7"), direction="neutral")) == "up"
    assert value_text("direction", _row(change=Decimal("-1.2"), direction="neutral")) == "down"
    assert value_text("direction", _row(change=Decimal("0.0"), direction="same")) == "no change"


# --------------------------------------------------------------------------------------------
# The month's files; the pack stops before running anything


def test_template_is_never_a_month():
    with pytest.raises(PeriodError):
        parse_month("template")
    assert check_month(DEMO_PROFILE_DIR / "commentary", "2016-09")  # the 2016-09 files are fine


def test_a_file_that_is_no_areas_is_named(tmp_path):
    folder = tmp_path / "2016-09"
    folder.mkdir()
    (folder / "02_victim.md").write_text("Text.\n", encoding="utf-8")
    with pytest.raises(CommentaryError, match=r"02_victim\.md: not an area's.*02_victims\.md"):
        check_month(tmp_path, "2016-09")


def test_the_pack_stops_with_exit_2_on_an_unknown_placeholder(tmp_path, capsys):
    profile = tmp_path / "profile"
    shutil.copytree(DEMO_PROFILE_DIR, profile)
    bad = profile / "commentary" / "2016-09" / "02_victims.md"
    bad.write_text(
        '### Commentary\n\nSatisfaction {{ change("satisfaction_action") }}.\n', encoding="utf-8"
    )
    make_data(tmp_path / "data")
    notebooks = make_notebooks(tmp_path / "notebooks")
    code = run_pack(tmp_path, notebooks, "--profile", str(profile))
    err = capsys.readouterr().err
    assert code == 2
    assert '02_victims.md line 3: {{ change("satisfaction_action") }}: unknown measure' in err
    assert "did you mean satisfaction_actions" in err
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*.html"))


@pytest.mark.parametrize(
    "text",
    [r'{\{ chnage("all_crime") }}', '&#123;&#123; change("nope") &#125;&#125;'],
)
def test_an_escaped_placeholder_is_checked_as_the_parser_will_read_it(text):
    from helpers.pages.commentary_fill import CommentaryError, placeholders

    with pytest.raises(CommentaryError, match="line 1"):
        placeholders(text, "02_victims.md")


def test_the_filler_refuses_what_the_check_refuses():
    from helpers.pages.commentary_fill import CommentaryError, fill_text

    with pytest.raises(CommentaryError, match="unknown measure 'nope'"):
        fill_text('{{ change("nope") }}', figures=None)
