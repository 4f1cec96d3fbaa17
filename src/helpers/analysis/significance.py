"""The pack's one significance rule: when a change in a survey rate is "statistically significant".

Every place that says a change is (or is not) significant asks :func:`significant` and states the
rule with :data:`RULE` (or :func:`rule_sentence`): the tables' bold "*", the chart captions of the
satisfaction page, the master's exceptions and executive summary, and the commentary check. One
rule, stated once, so that no two parts of a page can disagree.

The rule: a two-sided pooled two-proportion z-test of last year's and this year's survey rates
(successes ``x`` of ``n`` responses), significant when p < 0.05
(:func:`helpers.analysis.compare.two_proportion_test`). Counts (crimes, incidents) have no
significance test: for them the pack reports special-cause variation on the monthly series
(statistical process control, :mod:`helpers.spc`), which is a different question.
"""

from __future__ import annotations

from . import compare

#: The significance level.
ALPHA = 0.05
#: The rule in a few words, for legends and captions.
RULE = "two-proportion test, p < 0.05"
#: The rule in a sentence, for the page that states it.
RULE_SENTENCE = (
    "A change in a survey rate is statistically significant when a two-sided two-proportion test "
    "of last year's and this year's responses gives p < 0.05; counts have no significance test "
    "(their unusual months are found by statistical process control instead)."
)


def significant(x1, n1, x2, n2) -> bool | None:
    """Whether the change from ``x1`` of ``n1`` to ``x2`` of ``n2`` is significant under the rule.

    None when either year has no responses (nothing to test).

    >>> significant(1261, 1384, 1180, 1384)
    True
    >>> significant(50, 100, 52, 100)
    False
    >>> significant(5, 0, 6, 10) is None
    True
    """
    p = compare.two_proportion_test(x1, n1, x2, n2)
    return None if p is None else p < ALPHA


def rule_sentence() -> str:
    """:data:`RULE_SENTENCE` (a function so that a force setting can choose the rule later)."""
    return RULE_SENTENCE
