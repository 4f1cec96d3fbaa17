"""The executed notebook a commander is sent: one view per switcher, no script, code collapsed."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.pack.notebook_copy import commander_copy, for_commanders, single_views
from helpers.render import views

GEOS = [("force", "Force"), ("lpa", "North"), ("district", "Colchester")]
PERIODS = ["rolling-12m", "fytd"]


def table(g: str, p: str) -> str:
    return f"<table class='perf'><tr><th>{g}</th><td>{p}</td></tr></table>"


def switcher_html(render=table, default=None, geos=GEOS) -> str:
    return views.switcher(render, geos, PERIODS, default=default).data


def view_divs(html: str) -> list[str]:
    return re.findall(r'<div class="ppw-view"[^>]*>', html)


@pytest.mark.parametrize(
    "geography, period",
    [("Force", "rolling-12m"), ("Colchester", "fytd"), ("North", "rolling-12m")],
)
def test_one_view_is_kept_the_runs_with_no_selector_script_or_hidden_view(geography, period):
    html = switcher_html(default=(geography, period))
    assert len(view_divs(html)) == 6 and "<script" in html  # what the page has
    out = single_views(html, geography, period)
    assert view_divs(out) == [
        f'<div class="ppw-view" data-geography="{geography}" data-period="{period}">'
    ]
    assert re.findall(r"<table.*?</table>", out) == [table(geography, period)]
    for absent in ("<script", "<select", "hidden", "ppw-switcher", "ppw-print-label"):
        assert absent not in out, absent


def test_the_runs_view_is_found_when_the_page_shows_another_by_default():
    # the page may open on the force view (JavaScript off); the copy shows the run's own
    html = switcher_html(default=("Force", "rolling-12m"))
    out = single_views(html, "Colchester", "fytd")
    assert re.findall(r"<table.*?</table>", out) == [table("Colchester", "fytd")]


def test_a_view_stored_once_is_written_out_for_the_view_that_points_at_it():
    html = switcher_html(render=lambda g, p: f"<p>force-only {p}</p>")
    assert "data-same-as" in html
    out = single_views(html, "Colchester", "fytd").strip()
    assert out == (
        '<div class="ppw-view" data-geography="Colchester" data-period="fytd">'
        "<p>force-only fytd</p></div>"
    )


@pytest.mark.parametrize("geography, says", [("Colchester", True), ("Force", False)])
def test_a_force_only_item_says_so_on_a_districts_copy_as_on_its_page(geography, says):
    html = views.switcher(
        lambda g, p: f"<p>sickness {g} {p}</p>", GEOS, PERIODS,
        default=(geography, "fytd"), force_only="drawn for the force only",
    ).data  # fmt: skip
    out = single_views(html, geography, "fytd")
    line = "Force figures: this chart is not kept by district (drawn for the force only)."
    assert (f'<p class="ppw-info ppw-force-only">{line}</p>' in out) is says
    assert "<p>sickness Force fytd</p>" in out and "hidden" not in out


def test_a_geography_the_switcher_does_not_offer_falls_back_to_its_default_view():
    html = switcher_html(default=("North", "fytd"))
    out = single_views(html, "Basildon", "month")
    assert re.findall(r"<table.*?</table>", out) == [table("North", "fytd")]
    assert single_views(html) == out  # no parameters recorded: the same


def test_several_switchers_in_one_output_and_text_around_them_are_kept_in_order():
    html = (
        "<h3>Before</h3><style>.x{}</style>"
        + switcher_html()
        + "<p>between</p>"
        + switcher_html(render=lambda g, p: f"<p>trend {g}</p>")
        + "<p>after</p>"
    )
    out = single_views(html, "North", "fytd")
    assert len(view_divs(out)) == 2
    text = re.sub(r"<[^>]+>", "|", out)
    assert [t for t in text.split("|") if t.strip()] == [
        "Before", ".x{}", "North", "fytd", "between", "trend North", "after"
    ]  # fmt: skip


def test_a_switcher_inside_a_view_is_made_single_too():
    inner = switcher_html(render=lambda g, p: f"<p>inner {g} {p}</p>")
    html = switcher_html(render=lambda g, p: f"<div class='ppw'><h4>{g}</h4>{inner}</div>")
    out = single_views(html, "Colchester", "fytd")
    assert len(view_divs(out)) == 2 and "<script" not in out and "hidden" not in out
    assert "<h4>Colchester</h4>" in out and "<p>inner Colchester fytd</p>" in out


def test_markup_that_looks_like_a_switcher_inside_text_or_an_attribute_is_left_alone():
    html = (
        '<p title="&lt;div class=&quot;ppw-switcher&quot;&gt;">'
        "&lt;div class=&quot;ppw-view&quot; hidden&gt;</p>" + switcher_html()
    )
    out = single_views(html, "Force", "fytd")
    assert out.startswith('<p title="&lt;div class=&quot;ppw-switcher&quot;&gt;">&lt;div')
    assert len(view_divs(out)) == 1


def test_a_script_outside_any_switcher_is_removed_and_other_html_is_untouched():
    html = '<div class="ppw"><p>a</p><script>alert(1)</script><p>b</p></div>'
    assert single_views(html) == '<div class="ppw"><p>a</p><p>b</p></div>'
    assert single_views("<p>plain</p>\n<img src='data:,x' alt='x'>") == (
        "<p>plain</p>\n<img src='data:,x' alt='x'>"
    )


def test_an_unclosed_switcher_is_an_error_that_quotes_it():
    html = switcher_html()
    with pytest.raises(ValueError, match="not closed.*ppw-switcher"):
        single_views(html[: html.rindex("</div>")])


def executed_notebook() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: parameters recorded, outputs of every kind."""

    def html_output(html: str):
        return new_output(
            "execute_result", {"text/html": html, "text/plain": "<HTML>"}, execution_count=1
        )

    cells = [
        new_markdown_cell("# 6. Improving Crime Prevention"),
        new_code_cell('month = "2016-09"', metadata={"tags": ["parameters"]}),
        new_code_cell('geography = "Colchester"', metadata={"tags": ["injected-parameters"]}),
        new_code_cell("page.performance_information()", outputs=[html_output(switcher_html())]),
        new_markdown_cell("Analyst's note", metadata={"tags": ["remove-cell"]}),
        new_code_cell(
            "print('hello')",
            outputs=[
                new_output("stream", name="stdout", text="hello\n"),
                new_output("display_data", {"application/javascript": "alert(1)"}),
                new_output(
                    "display_data", {"text/html": "<b>x</b>", "application/javascript": "1"}
                ),
            ],
        ),
        new_code_cell(
            "secret()",
            metadata={"tags": ["remove-output"]},
            outputs=[new_output("stream", name="stdout", text="analyst only\n")],
        ),  # fmt: skip
        new_code_cell("frame = page.explore()", metadata={"tags": ["remove-cell"]}),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["papermill"] = {"parameters": {"geography": "Colchester", "period": "fytd"}}
    return nb


def test_the_commanders_copy_of_a_notebook():
    nb = executed_notebook()
    copy = for_commanders(nb)
    assert [c.source for c in copy.cells] == [
        "# 6. Improving Crime Prevention",
        'month = "2016-09"',
        'geography = "Colchester"',
        "page.performance_information()",
        "print('hello')",
        "secret()",
    ]
    code = [c for c in copy.cells if c.cell_type == "code"]
    assert all(c.metadata["jupyter"]["source_hidden"] is True for c in code)
    assert "jupyter" not in copy.cells[0].metadata  # markdown is shown
    (table_output,) = code[2].outputs
    html = table_output.data["text/html"]
    assert view_divs(html) == [
        '<div class="ppw-view" data-geography="Colchester" data-period="fytd">'
    ]
    assert "<script" not in html and table_output.data["text/plain"] == "<HTML>"
    # stdout kept, a JavaScript output dropped, JavaScript beside HTML dropped from it
    assert [o.get("text") or dict(o.data) for o in code[3].outputs] == [
        "hello\n",
        {"text/html": "<b>x</b>"},
    ]
    assert code[4].outputs == []  # remove-output: cleared, as on the page
    nbformat.validate(copy)
    # the notebook given is not changed; the copy of a copy is the same copy
    assert len(nb.cells) == 8 and "<script" in nb.cells[3].outputs[0].data["text/html"]
    assert for_commanders(copy) == copy


def test_commander_copy_reads_and_writes_notebook_text():
    nb = executed_notebook()
    out = nbformat.reads(commander_copy(nbformat.writes(nb)), as_version=4)
    assert out == for_commanders(nb)
