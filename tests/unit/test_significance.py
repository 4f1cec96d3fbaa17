"""The significance rule as a force setting (helpers.analysis.significance, ``significance_rule`` of
``force.yaml``): both rules, the setting's check, and the published statements reproduced by the
default on the demo force through the pack's own rows and pages."""

from __future__ import annotations

import html

import pytest

from helpers import config
from helpers.analysis import performance, significance
from helpers.config import DEMO_DATA_DIR, ConfigError, ForceConfig, read_force_config

demo_data = pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="the demo data is not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)

#: The September 2016 report's "action taken": 76.1 % ± 2.0 (1,329 of 1,747) → 72.5 % ± 2.3
#: (1,050 of 1,448). The intervals overlap (74.1–78.1 and 70.2–74.8); the pooled test gives
#: p = 0.02.
ACTION_TAKEN = (1329, 1747, 1050, 1448)


def test_the_two_rules_disagree_where_the_intervals_overlap_but_the_test_rejects():
    x1, n1, x2, n2 = ACTION_TAKEN
    assert round(significance.compare.confidence_interval(x1, n1), 1) == 2.0
    assert round(significance.compare.confidence_interval(x2, n2), 1) == 2.3
    assert significance.compare.two_proportion_test(x1, n1, x2, n2) < 0.05
    assert significance.significant(x1, n1, x2, n2, name="two_proportion") is True
    assert significance.significant(x1, n1, x2, n2, name="ci_overlap") is False
    assert significance.intervals_apart(x1, n1, x2, n2) is False


def test_both_rules_call_a_clear_change_significant_and_nothing_without_responses():
    for name in significance.RULES:
        assert significance.significant(500, 1000, 600, 1000, name=name) is True
        assert significance.significant(500, 1000, 505, 1000, name=name) is False
        assert significance.significant(0, 0, 5, 10, name=name) is None
        assert significance.significant(5, 10, 0, 0, name=name) is None


def test_intervals_apart_compares_the_gap_with_the_sum_of_the_half_widths():
    # 90 % of 400 (± 2.94) against 80 % of 400 (± 3.92): 10 points apart, 6.86 of intervals
    assert significance.intervals_apart(360, 400, 320, 400) is True
    # 90 % against 84 % of 400 (± 3.59): 6 points apart, 6.53 of intervals: they overlap
    assert significance.intervals_apart(360, 400, 336, 400) is False
    # a rate of 0 or 1 has no width: two different ones are apart, two equal ones are not
    assert significance.intervals_apart(0, 50, 50, 50) is True
    assert significance.intervals_apart(50, 50, 50, 50) is False


def test_the_rule_names_of_the_setting_are_the_rules_and_the_default_is_the_published_one():
    assert tuple(significance.RULES) == config.SIGNIFICANCE_RULES
    assert ForceConfig().significance_rule == config.DEFAULT_SIGNIFICANCE_RULE == "ci_overlap"
    assert config.force_config().significance_rule == "ci_overlap"  # profiles/demo/force.yaml
    assert significance.rule().name == "ci_overlap"
    assert significance.rule(name="two_proportion").text == "two-proportion test, p < 0.05"
    with pytest.raises(ValueError, match="unknown significance rule 'bonferroni'"):
        significance.rule(name="bonferroni")


def _force_yaml(tmp_path, extra: str):
    path = tmp_path / "force.yaml"
    path.write_text(
        "force_name: Test\nshort_name: T\nprotective_marking: OFFICIAL\nsuppress_below: null\n"
        + extra,
        encoding="utf-8",
    )
    return path


def test_the_setting_is_read_and_an_unknown_or_mistyped_rule_is_refused_naming_file_and_key(
    tmp_path,
):
    path = _force_yaml(tmp_path, "significance_rule: two_proportion\n")
    assert read_force_config(path).significance_rule == "two_proportion"
    assert read_force_config(_force_yaml(tmp_path, "")).significance_rule == "ci_overlap"
    for bad, said in (("bonferroni", "'bonferroni'"), ("CI_OVERLAP", "'CI_OVERLAP'")):
        with pytest.raises(ConfigError) as err:
            read_force_config(_force_yaml(tmp_path, f"significance_rule: {bad}\n"))
        message = str(err.value)
        assert "force.yaml" in message and "'significance_rule'" in message and said in message
        assert "ci_overlap, two_proportion" in message
    with pytest.raises(ConfigError, match=r"force.yaml: key 'significance_rule' should be"):
        read_force_config(_force_yaml(tmp_path, "significance_rule: 1\n"))
    with pytest.raises(ConfigError, match=r"key 'significance_rule' is empty"):
        read_force_config(_force_yaml(tmp_path, "significance_rule: ' '\n"))


# --------------------------------------------------------------------------------------------
# The published statements, through the pack's rows and pages


@pytest.fixture(scope="module")
def cube():
    from helpers.measures.cube import load_cube

    return load_cube(DEMO_DATA_DIR)


def _satisfaction(cube, month, period):
    rows = performance.performance_rows(cube, area=2, month=month, period=period)
    rows = rows[rows["measure_id"].isin([f"satisfaction_{q}" for q in STAGES])]
    assert len(rows) == 5
    return {r.measure_id.removeprefix("satisfaction_"): r for r in rows.itertuples()}


STAGES = ("contact", "actions", "follow_up", "treatment", "overall")


@demo_data
def test_september_2016_none_of_the_five_falls_is_significant(cube):
    rows = _satisfaction(cube, "2016-09", "rolling-12m")
    assert all(float(r.change) < 0 for r in rows.values())
    assert {q: r.significant for q, r in rows.items()} == dict.fromkeys(STAGES, False)
    assert {r.significance_rule for r in rows.values()} == {
        "95% confidence intervals do not overlap"
    }


@demo_data
def test_march_2014_the_fall_in_treatment_is_not_significant(cube):
    rows = _satisfaction(cube, "2014-03", "fytd")
    assert float(rows["treatment"].change) == -0.6
    assert rows["treatment"].significant is False


@demo_data
def test_under_the_two_proportion_rule_action_taken_2016_is_significant(cube, two_proportion_rule):
    rows = _satisfaction(cube, "2016-09", "rolling-12m")
    assert rows["actions"].significant is True
    assert rows["actions"].significance_rule == "two-proportion test, p < 0.05"


@demo_data
def test_the_satisfaction_page_stars_nothing_and_states_the_rule(cube):
    from helpers.pages import report

    page = report.AreaPage(2, month="2016-09", cube=cube)
    table = page.table_html()
    assert "-3.6% pt." in table and "% pt.*" not in table  # no change starred
    assert "statistically significant change (95% confidence intervals do not overlap)" in table
    caption = page.item_html("satisfaction")
    assert (
        html.escape(
            "None of the changes is statistically significant (95% confidence intervals do not overlap)."
        )
        in caption
    )


@demo_data
def test_the_satisfaction_page_under_the_two_proportion_rule_stars_action_taken(
    cube, two_proportion_rule
):
    from helpers.pages import report

    page = report.AreaPage(2, month="2016-09", cube=cube)
    table = page.table_html()
    assert "statistically significant change (two-proportion test, p &lt; 0.05)" in table
    assert "-3.6% pt.*" in table
    assert "Statistically significant changes (two-proportion test, p &lt; 0.05): action taken" in (
        page.item_html("satisfaction")
    )
