"""helpers.render.views: pre-rendered geography × period views switched without a kernel."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from helpers.geography import Hierarchy
from helpers.pack.export import external_references
from helpers.render import views

GEOS = [("force", "Force"), ("lpa", "North"), ("district", "Colchester"), ("district", "Basildon")]
PERIODS = ["rolling-12m", "fytd"]


class _Elements(HTMLParser):
    """Collect (tag, attrs) of every start tag and the text of <script> blocks."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(html: str) -> _Elements:
    p = _Elements()
    p.feed(html)
    return p


def view_divs(html: str) -> list[dict]:
    return [a for t, a in parse(html).elements if t == "div" and a.get("class") == "ppw-view"]


def table(geography: str, period: str) -> str:
    return f"<table><tr><th>{geography}</th><td>{period}</td></tr></table>"


def test_switcher_holds_one_view_per_geography_and_period():
    html = views.switcher(table, GEOS, PERIODS).data
    divs = view_divs(html)
    assert [(d["data-geography"], d["data-period"]) for d in divs] == [
        (g, p) for _, g in GEOS for p in PERIODS
    ]


def test_switcher_calls_render_once_per_combination():
    calls = []
    views.switcher(lambda g, p: calls.append((g, p)) or table(g, p), GEOS, PERIODS)
    assert sorted(calls) == sorted((g, p) for _, g in GEOS for p in PERIODS)


def test_only_the_default_view_is_visible():
    html = views.switcher(table, GEOS, PERIODS, default=("Colchester", "fytd")).data
    visible = [d for d in view_divs(html) if "hidden" not in d]
    assert [(d["data-geography"], d["data-period"]) for d in visible] == [("Colchester", "fytd")]
    assert "<th>Colchester</th><td>fytd</td>" in html


def test_first_geography_and_period_are_the_default():
    html = views.switcher(table, GEOS, PERIODS).data
    visible = [d for d in view_divs(html) if "hidden" not in d]
    assert [(d["data-geography"], d["data-period"]) for d in visible] == [("Force", "rolling-12m")]


def test_selectors_have_the_classes_and_option_groups():
    html = views.switcher(table, GEOS, PERIODS).data
    elements = parse(html).elements
    selects = [a["class"] for t, a in elements if t == "select"]
    assert selects == ["ppw-geography", "ppw-period"]
    groups = [a["label"] for t, a in elements if t == "optgroup"]
    assert groups == ["Force", "LPA", "District"]
    options = [a["value"] for t, a in elements if t == "option"]
    assert options == ["Force", "North", "Colchester", "Basildon", "rolling-12m", "fytd"]
    assert ">Rolling 12 months<" in html and ">Financial year to date<" in html


def test_identical_renders_are_stored_once_and_referenced():
    # A force-only measure reads the same for every geography: one copy per period.
    html = views.switcher(lambda g, p: f"<p>force only, {p}</p>", GEOS, PERIODS).data
    divs = view_divs(html)
    holders = [d for d in divs if "id" in d]
    references = [d for d in divs if "data-same-as" in d]
    assert len(holders) == len(PERIODS)
    assert len(references) == len(divs) - len(PERIODS)
    ids = {d["id"] for d in holders}
    assert {d["data-same-as"] for d in references} <= ids
    assert html.count("force only, fytd") == 1


@pytest.mark.parametrize(
    ("varies_with", "expected_calls"),
    [
        (("geography", "period"), len(GEOS) * len(PERIODS)),
        (("geography",), len(GEOS)),
        (("period",), len(PERIODS)),
        ((), 1),
    ],
)
def test_varies_with_renders_each_distinct_view_once(varies_with, expected_calls):
    calls = []

    def render(g, p):
        calls.append((g, p))
        return table(g, p)

    html = views.switcher(
        render, GEOS, PERIODS, default=("North", "fytd"), varies_with=varies_with
    ).data
    assert len(calls) == expected_calls
    assert len(view_divs(html)) == len(GEOS) * len(PERIODS)
    if varies_with == ("geography",):
        assert set(calls) == {(g, "fytd") for _, g in GEOS}  # the default period stands in


def test_varies_with_refuses_unknown_dimensions():
    with pytest.raises(ValueError, match="varies_with"):
        views.switcher(table, GEOS, PERIODS, varies_with=("district",))


def test_default_that_is_a_repeat_shows_the_stored_copy():
    html = views.switcher(lambda g, p: "<p>same</p>", GEOS, PERIODS, default=("Basildon", "fytd"))
    visible = [d for d in view_divs(html.data) if "hidden" not in d]
    assert len(visible) == 1 and "id" in visible[0]


def test_element_ids_are_unique_across_switchers_on_a_page():
    page = views.switcher(table, GEOS, PERIODS).data + views.switcher(table, GEOS, PERIODS).data
    ids = [a["id"] for t, a in parse(page).elements if "id" in a]
    assert len(ids) == len(set(ids))


def test_switcher_escapes_names_and_labels():
    html = views.switcher(table, [("district", 'Brent & "Harrow"')], ["month"]).data
    assert 'data-geography="Brent &amp; &quot;Harrow&quot;"' in html
    assert '<option value="Brent &amp; &quot;Harrow&quot;"' in html


def test_a_single_choice_selector_is_hidden_but_present():
    html = views.switcher(table, [("force", "Force")], PERIODS).data
    labels = [a for t, a in parse(html).elements if t == "label"]
    assert "hidden" in labels[0] and "hidden" not in labels[1]
    assert 'class="ppw-geography"' in html


def test_switcher_carries_its_key_for_synchronised_selectors():
    html = views.switcher(table, GEOS, PERIODS, key="districts").data
    elements = parse(html).elements
    assert {a.get("data-key") for t, a in elements if t in ("select",)} == {"districts"}
    assert [a["data-key"] for t, a in elements if a.get("class") == "ppw-switcher"] == ["districts"]


def test_switcher_script_is_inline_and_makes_no_request():
    html = views.switcher(table, GEOS, PERIODS).data
    parsed = parse(html)
    assert all("src" not in a for t, a in parsed.elements if t == "script")
    assert "ppwViews" in "".join(parsed.scripts)
    assert external_references(html) == []
    assert not re.search(r"https?://", html)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default": ("Chelmsford", "fytd")}, "default geography 'Chelmsford'"),
        ({"default": ("Force", "month")}, "default period 'month'"),
    ],
)
def test_switcher_refuses_a_default_that_is_not_offered(kwargs, message):
    with pytest.raises(ValueError, match=message):
        views.switcher(table, GEOS, PERIODS, **kwargs)


def test_switcher_needs_geographies_and_periods():
    with pytest.raises(ValueError, match="geography"):
        views.switcher(table, [], PERIODS)
    with pytest.raises(ValueError, match="period"):
        views.switcher(table, GEOS, [])


def test_plain_names_are_accepted_as_geographies():
    html = views.switcher(table, ["Force", "Colchester"], ["month"]).data
    assert [d["data-geography"] for d in view_divs(html)] == ["Force", "Colchester"]


class _Cube:
    """What ``geography_options`` reads of a cube: its hierarchy."""

    hierarchy = Hierarchy.from_districts(
        pd.DataFrame({"district": ["Uttlesford", "Basildon"], "lpa": ["West", "North"]})
    )


def test_geography_options_orders_force_then_lpas_then_districts():
    assert views.geography_options(_Cube()) == [
        ("force", "Force"),
        ("lpa", "North"),
        ("lpa", "West"),
        ("district", "Basildon"),
        ("district", "Uttlesford"),
    ]


def test_geography_options_can_offer_unassigned_last():
    options = views.geography_options(_Cube(), include_unassigned=True)
    assert options[-1] == ("district", "Unassigned")


def test_geography_options_without_a_cube_reads_the_reference_table():
    options = views.geography_options(None)
    levels = [level for level, _ in options]
    assert options[0] == ("force", "Force")
    assert levels.count("lpa") == 3 and levels.count("district") == 14


# --------------------------------------------------------------------------------------------------
# Honest selectors (issue 20): hidden until the script runs, the view shown named on the block,
# blocks that follow the page's selectors, force-only items that say so.


def test_selectors_are_hidden_until_the_script_shows_them():
    """Without JavaScript a selector could be changed to name a view that is not shown."""
    html = views.switcher(table, GEOS, PERIODS).data
    holders = [a for t, a in parse(html).elements if a.get("class") == "ppw-selectors"]
    assert len(holders) == 1 and "hidden" in holders[0]
    assert "el.hidden = false" in views._script()  # the script shows them


def test_the_block_names_the_view_it_shows():
    html = views.switcher(table, GEOS, PERIODS, default=("North", "fytd")).data
    block = [a for t, a in parse(html).elements if a.get("class") == "ppw-switcher"][0]
    assert (block["data-shown-geography"], block["data-shown-period"]) == ("North", "fytd")
    label = html.split('class="ppw-print-label"')[1].split("</div>")[0]
    assert label.endswith(">North · Financial year to date")


def test_a_block_without_selectors_follows_the_page_and_carries_no_script():
    html = views.switcher(table, GEOS, PERIODS, selectors=False).data
    parsed = parse(html)
    assert [t for t, _ in parsed.elements if t in ("select", "script")] == []
    assert len(view_divs(html)) == len(GEOS) * len(PERIODS)


def force_line(html: str) -> dict | None:
    lines = [a for t, a in parse(html).elements if "ppw-force-only" in a.get("class", "")]
    assert len(lines) <= 1
    return lines[0] if lines else None


def test_a_force_only_block_draws_the_force_for_every_place_once_per_period():
    calls = []

    def render(g, p):
        calls.append((g, p))
        return f"<figure><img alt='{g}'></figure><p>{p}</p>"

    html = views.switcher(render, GEOS, PERIODS, force_only="kept for the force").data
    assert sorted(calls) == [("Force", "fytd"), ("Force", "rolling-12m")]
    assert len(view_divs(html)) == len(GEOS) * len(PERIODS)  # every view, two stored
    assert len([d for d in view_divs(html) if "id" in d]) == 2
    line = force_line(html)
    assert line["data-ppw-force-only"] == "Force" and "hidden" in line  # the force is shown
    text = re.search(r'<p class="ppw-info ppw-force-only"[^>]*>(.*?)</p>', html).group(1)
    assert text == "Force figures: this chart is not kept by district (kept for the force)."


def test_the_force_only_line_shows_when_the_default_is_not_the_force():
    html = views.switcher(table, GEOS, PERIODS, default=("Basildon", "fytd"), force_only="x").data
    assert "hidden" not in force_line(html)
    assert force_line(views.switcher(table, GEOS, PERIODS).data) is None  # no line unless asked


def test_the_force_only_line_counts_the_charts():
    two = views.force_only_line("why", "<img src=a><img src=b>")
    assert two == "Force figures: these charts are not kept by district (why)."
    assert views.force_only_line("why", "<img src=a>").startswith("Force figures: this chart is")


def test_force_only_needs_the_force_among_the_geographies():
    with pytest.raises(ValueError, match="force_only needs the force"):
        views.switcher(table, [("lpa", "North"), ("district", "Basildon")], PERIODS, force_only="x")


def test_the_script_reports_a_hash_naming_no_view():
    """The notice's words (the browser test checks that it shows)."""
    script = views._script()
    assert "No view for geography '" in script and "No view for period '" in script
    assert "toLowerCase()" in script  # a known name in another case is that view
