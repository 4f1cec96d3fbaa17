"""The commentary contradiction check (helpers.pages.commentary_check).

A sentence that claims (not) significant, up or down, better or worse against the figures of the
page is reported, naming the file, the line and the sentence; a true sentence is not. The demo's
September 2016 commentary and every template say nothing the figures contradict.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from helpers.analysis import significance
from helpers.config import DEMO_DATA_DIR, DEMO_PROFILE_DIR
from helpers.pages.commentary_check import (
    Claim,
    Matcher,
    check_month,
    check_text,
    claims,
    contradicted,
    sentences,
)
from helpers.pages.commentary_fill import CommentaryError, Figures, area_files

demo_data = pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="the demo data is not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)

#: The demo's victims commentary as it was before placeholders (issue 17): its second sentence
#: says the falls are not significant, as the published report does; the table stars "Action
#: taken" under the two-proportion test, not under the intervals' overlap (the demo's rule).
HAND_TYPED = """### Commentary

**User satisfaction.** Victims' satisfaction has fallen against the previous 12 months at every stage
of service measured — initial contact, actions, follow-up, treatment and the whole experience.
The falls are not statistically significant, but despite a high level of focus satisfaction has not
improved.
"""


@pytest.fixture(scope="module")
def cube():
    from helpers.measures.cube import load_cube

    return load_cube(DEMO_DATA_DIR)


@pytest.fixture(scope="module")
def sep_2016(cube):
    return Figures(cube, "2016-09", "rolling-12m")


# --------------------------------------------------------------------------------------------
# Against the demo figures


@demo_data
def test_the_published_not_significant_holds_under_the_demos_rule(sep_2016):
    """The demo profile's rule (the intervals' overlap) calls none of the five falls significant,
    as the September 2016 report does: its sentence is true, and the opposite claim is reported."""
    rows = [
        r
        for r in sep_2016.rows(2).values()
        if r["area"] == 2 and r["measure_id"].startswith("satisfaction_")
    ]
    assert rows and all(
        r["significant"] is False for r in rows if r["measure_id"] != "satisfaction_overall_bme"
    )
    assert check_text(HAND_TYPED, 2, sep_2016, "02_victims.md") == []
    claim = "The fall in satisfaction with the action taken is statistically significant."
    found = check_text(f"### Commentary\n\n{claim}\n", 2, sep_2016, "x.md")
    assert len(found) == 1
    assert (
        "User Satisfaction - Action taken by the police -3.6% pt. (76.1% → 72.5%) is not "
        f"significant ({significance.RULES['ci_overlap'].text})"
    ) in str(found[0])


@demo_data
def test_not_significant_about_satisfaction_is_reported_when_one_row_is_significant(
    cube, two_proportion_rule
):
    sep_2016 = Figures(cube, "2016-09", "rolling-12m")
    significant = [
        r["label"] for r in sep_2016.rows(2).values() if r["significant"] is True and r["area"] == 2
    ]
    assert "User Satisfaction - Action taken by the police" in significant
    found = check_text(HAND_TYPED, 2, sep_2016, "02_victims.md")
    assert len(found) == 1
    warning = str(found[0])
    assert warning.startswith(
        '02_victims.md line 5: "The falls are not statistically significant, but despite'
    )
    assert "says the change is not statistically significant" in warning
    assert (
        "User Satisfaction - Action taken by the police -3.6% pt. (76.1% → 72.5%) is significant "
        f"({significance.RULES['two_proportion'].text})" in warning
    )
    # only the significant stage is named against the claim
    assert "Making contact" not in warning


@demo_data
def test_a_true_sentence_is_not_reported(sep_2016):
    true = {
        2: "Victims' satisfaction has fallen at every stage of service. The falls in satisfaction "
        "are not statistically significant, and it has not improved.",
        6: "All crime has risen. Crime traditionally rises over the summer.",
        8: "Days lost per officer have fallen.",
    }
    for area, text in true.items():
        assert check_text(text, area, sep_2016, "x.md") == []
    false = {2: "Satisfaction has risen.", 6: "Crime has fallen.", 8: "Days lost per officer rose."}
    for area, text in false.items():  # the same sentences, turned round: reported
        assert len(check_text(f"{true[area]} {text}", area, sep_2016, "x.md")) == 1


@demo_data
@pytest.mark.parametrize(
    ("area", "sentence", "claim", "named"),
    [
        (
            6,
            "All crime has fallen against last year.",
            "a fall",
            "The number of all crime offences",
        ),
        (6, "All crime was lower than last year.", "a fall", "The number of all crime offences"),
        (2, "Satisfaction with the action taken has improved.", "an improvement", "Action taken"),
        (2, "Satisfaction with the action taken did not fall.", "no fall", "Action taken"),
        (
            2,
            "The fall in satisfaction with making contact is statistically significant.",
            "the change is statistically significant",
            "Making contact with the police -1.7% pt. (91.1% → 89.4%) is not significant",
        ),
        (
            6,
            "All crime rose significantly.",
            "the change is statistically significant",
            "has no significance test",
        ),
        (8, "Average days lost per officer rose.", "a rise", "Average days lost per officer"),
    ],
)
def test_a_false_claim_is_reported_with_its_figures(sep_2016, area, sentence, claim, named):
    found = check_text(f"### Commentary\n\n{sentence}\n", area, sep_2016, "x.md")
    assert len(found) == 1, found
    assert found[0].line == 3 and found[0].sentence == sentence
    assert found[0].claim == claim
    assert named in str(found[0])


@demo_data
def test_a_sentence_inherits_the_measures_of_the_one_before_in_its_paragraph(sep_2016):
    # action taken is not significant under the demo's rule (the intervals overlap)
    text = "Satisfaction with the action taken fell. It is statistically significant.\n"
    assert [w.line for w in check_text(text, 2, sep_2016, "x.md")] == [1]
    apart = "Satisfaction with the action taken fell.\n\nIt is statistically significant.\n"
    assert check_text(apart, 2, sep_2016, "x.md") == []


@demo_data
def test_the_measures_of_placeholders_are_the_sentences_measures(cube, two_proportion_rule):
    # under the two-proportion test action taken is significant, contact and treatment are not
    sep_2016 = Figures(cube, "2016-09", "rolling-12m")
    text = (
        'Satisfaction fell: contact {{ change("satisfaction_contact") }}, treatment '
        '{{ change("satisfaction_treatment") }}; these falls are not statistically significant.\n'
    )
    assert check_text(text, 2, sep_2016, "x.md") == []
    wrong = text.replace("satisfaction_treatment", "satisfaction_actions")
    [found] = check_text(wrong, 2, sep_2016, "x.md")
    assert "-1.7% pt." in found.sentence and "-3.6% pt." in found.sentence  # quoted as filled
    assert "Action taken by the police -3.6% pt." in str(found)


@demo_data
def test_the_demo_september_2016_commentary_gives_no_warning(cube):
    root = DEMO_PROFILE_DIR / "commentary"
    assert len(area_files(root / "2016-09")) == 4
    assert check_month(root, cube, "2016-09", "rolling-12m") == []


@demo_data
@pytest.mark.parametrize("month", ["2016-09", "2014-03"])
@pytest.mark.parametrize("period", ["rolling-12m", "fytd"])
def test_no_template_says_what_the_figures_do_not(cube, month, period):
    figures = Figures(cube, month, period)
    for area, path in area_files(DEMO_PROFILE_DIR / "commentary" / "template").items():
        text = path.read_text(encoding="utf-8")
        assert check_text(text, area, figures, path.name) == [], path.name


@demo_data
def test_a_placeholder_that_cannot_be_filled_is_an_error_naming_the_file(sep_2016):
    with pytest.raises(CommentaryError, match=r"02_victims\.md line 1: .*: unknown measure"):
        check_text('{{ change("satisfaction_action") }}', 2, sep_2016, "02_victims.md")


# --------------------------------------------------------------------------------------------
# The pieces, without figures


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The falls are not statistically significant.",
            ["a fall", "the change is not statistically significant"],
        ),
        ("There was no significant change.", ["the change is not statistically significant"]),
        (
            "The rise is statistically significant.",
            ["a rise", "the change is statistically significant"],
        ),
        ("Crime rose significantly.", ["a rise", "the change is statistically significant"]),
        ("Satisfaction has not improved.", ["no improvement"]),
        ("It hasn't risen.", ["no rise"]),
        ("Incidents were up 5% on last year.", ["a rise"]),
        ("A significant amount of work was set up.", []),
        ("More than 1,000 officers were trained; data broken down by district.", []),
        ("Burglary fell while robbery rose.", []),  # both: which is which is not known
        ('Crime was {{ direction("all_crime") }}, {{ significance("all_crime") }}.', []),
        ("Training helps officers to better understand the Code.", []),
    ],
)
def test_claims(sentence, expected):
    assert [str(c) for c in claims(sentence)] == expected


@pytest.mark.parametrize(
    ("area", "sentence", "named"),
    [
        (8, "Average days lost per officer have fallen.", ["days_lost_officer"]),
        (8, "Days lost fell.", []),  # every measure of the area: which one is not said
        (
            2,
            "More emergency incidents were attended within standard.",
            ["emergency_attendance"],  # not the 999 calls answered within standard
        ),
        (2, "Emergency calls answered within standard fell.", ["calls_999_within_standard"]),
        (2, "Satisfaction with the action taken fell.", ["satisfaction_actions"]),
        (
            2,
            "Satisfaction fell at every stage: contact, actions and treatment.",
            [
                "satisfaction_contact",
                "satisfaction_actions",
                "satisfaction_follow_up",
                "satisfaction_treatment",
                "satisfaction_overall",
            ],
        ),
        (1, "Juno teams investigate most domestic abuse.", []),  # the page's topic only
        (1, "Domestic abuse incidents rose.", ["da_incidents"]),
        (1, "Repeat incidents of domestic abuse rose.", ["da_repeat_incidents"]),
        (5, "Fatalities fell.", ["ksi_fatal"]),
        (6, "All crime rose.", ["all_crime"]),
    ],
)
def test_which_measures_a_sentence_names(area, sentence, named):
    assert Matcher.for_area(area, "2016-09").named(sentence) == named


def test_sentences_keep_a_placeholder_whole_and_know_their_line():
    text = (
        '### Commentary\n\n**Lead.** Satisfaction was {{ change("satisfaction_actions") }}. It'
        "\nfell, e.g. Basildon fell. Then\nanother.\n\n- A list item.\n"
    )
    assert [(s.line, s.text, s.paragraph) for s in sentences(text)] == [
        (1, "Commentary", 1),
        (3, "Lead.", 2),
        (3, 'Satisfaction was {{ change("satisfaction_actions") }}.', 2),
        (3, "It fell, e.g. Basildon fell.", 2),
        (4, "Then another.", 2),
        (7, "A list item.", 3),
    ]


def _row(change, direction="worse", significant=None, unit="percent") -> dict:
    return {
        "label": "A rate",
        "unit": unit,
        "decimals": 1,
        "last_year": 50.0,
        "this_year": 50.0 + float(change),
        "change": Decimal(str(change)),
        "direction": direction,
        "significant": significant,
        "suppressed": False,
    }


@pytest.mark.parametrize(
    ("claim", "rows", "contradicts"),
    [
        (Claim("direction", "up"), [_row(-1)], True),
        (Claim("direction", "up"), [_row(0, "same")], True),
        (Claim("direction", "up"), [_row(2, "better")], False),
        (Claim("direction", "not down"), [_row(-1)], True),
        (Claim("direction", "not down"), [_row(0, "same")], False),
        (Claim("quality", "better"), [_row(1, "worse")], True),
        (Claim("quality", "better"), [_row(1, "neutral")], False),  # no better direction
        (Claim("quality", "not better"), [_row(1, "better")], True),
        (Claim("significance", "not significant"), [_row(-1, significant=True)], True),
        (Claim("significance", "not significant"), [_row(-1, significant=False)], False),
        (Claim("significance", "significant"), [_row(-1, significant=False)], True),
        (
            Claim("significance", "significant"),
            [_row(-1, significant=False), _row(-3, significant=True)],
            False,
        ),
    ],
)
def test_a_claim_against_rows(claim, rows, contradicts):
    assert bool(contradicted(claim, rows)) is contradicts


def test_a_row_without_a_figure_contradicts_nothing():
    missing = {**_row(-1, significant=True), "change": None}
    withheld = {**_row(-1, significant=True), "suppressed": True}
    for claim in (Claim("significance", "not significant"), Claim("direction", "up")):
        assert contradicted(claim, [missing, withheld]) == []


@demo_data
def test_the_packs_hook_checks_the_profiles_commentary_of_the_month(
    cube, tmp_path, two_proportion_rule
):
    import shutil

    from helpers.pack import runner
    from helpers.profile import load_profile

    folder = tmp_path / "profile"
    shutil.copytree(DEMO_PROFILE_DIR, folder)
    month = folder / "commentary" / "2016-09" / "02_victims.md"
    month.write_text(
        month.read_text("utf-8").replace("Although the falls are not", "Although the falls are"),
        encoding="utf-8",
    )  # true under the demo's rule, false under the two-proportion test
    assert runner.commentary_warnings(cube, load_profile(folder), "2016-09", "rolling-12m") == []
    month.write_text(HAND_TYPED, encoding="utf-8")
    [warning] = runner.commentary_warnings(cube, load_profile(folder), "2016-09", "rolling-12m")
    assert warning.startswith('02_victims.md line 5: "The falls are not statistically significant')


def test_private_use_characters_in_the_text_do_not_break_the_check():
    from helpers.pages.commentary_check import sentences

    assert sentences("Crime rose \ue0007\ue001 sharply. It fell.")
