"""The pack's one significance rule: when a change in a survey rate is "statistically significant".

Every place that says a change is (or is not) significant asks :func:`significant` and states the
rule with :func:`rule_text` (or :func:`rule_sentence`): the tables' bold "*", the chart captions of
the satisfaction page, the master's exceptions and executive summary, the district explorer and
the commentary check. One rule per force, stated wherever it is used, so that no two parts of a
page can disagree.

The rule is a force setting, ``significance_rule`` of the profile's ``force.yaml``
(:class:`helpers.config.ForceConfig`, checked when the file is read), one of :data:`RULES`:

``ci_overlap`` (the default)
    Significant when the two years' 95 % confidence intervals do not overlap: the rates differ by
    more than the sum of their half-widths (:func:`helpers.analysis.compare.confidence_interval`,
    z = 1.959964). This is what the published reports' statements follow: the September 2016
    report calls none of its five satisfaction falls significant (the largest, action taken
    76.1 % ± 2.0 → 72.5 % ± 2.3, has overlapping intervals) and the March 2014 report calls the
    0.6-point fall in satisfaction with treatment not significant.
``two_proportion``
    A two-sided pooled two-proportion z-test of last year's and this year's survey rates
    (successes ``x`` of ``n`` responses), significant when p < 0.05
    (:func:`helpers.analysis.compare.two_proportion_test`). Stricter about calling a change
    nothing: two intervals may overlap a little and the change still be significant by the test.

Intervals that only touch (a difference exactly equal to the sum of the half-widths) overlap.
Counts (crimes, incidents) have no significance test under either rule: for them the pack reports
special-cause variation on the monthly series (statistical process control, :mod:`helpers.spc`),
which is a different question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import SIGNIFICANCE_RULES
from . import compare
from .disclosure import force_settings

#: The significance level of the two-proportion test (the intervals are 95 % intervals, so the
#: overlap rule works at the same nominal level).
ALPHA = 0.05

_COUNTS_SENTENCE = (
    "counts have no significance test (their unusual months are found by statistical process "
    "control instead)."
)


@dataclass(frozen=True)
class Rule:
    """One significance rule: its setting name, its words and its test."""

    name: str
    #: The rule in a few words, for legends, captions and warnings.
    text: str
    #: The rule in a sentence, for the page that states it.
    sentence: str
    test: Callable[[float, float, float, float], bool | None]

    def significant(self, x1, n1, x2, n2) -> bool | None:
        """Whether ``x1`` of ``n1`` → ``x2`` of ``n2`` is significant (None: nothing to test)."""
        return self.test(x1, n1, x2, n2)


def intervals_apart(x1, n1, x2, n2) -> bool | None:
    """Whether the 95 % confidence intervals of ``x1/n1`` and ``x2/n2`` do not overlap.

    None when either year has no responses.

    >>> intervals_apart(1261, 1384, 1180, 1384)   # 91.1 % ± 1.5 against 85.3 % ± 1.9
    True
    >>> intervals_apart(761, 1000, 725, 1000)      # 76.1 % ± 2.6 against 72.5 % ± 2.8: overlap
    False
    >>> intervals_apart(5, 0, 6, 10) is None
    True
    """
    h1 = compare.confidence_interval(x1, n1)
    h2 = compare.confidence_interval(x2, n2)
    if h1 is None or h2 is None:
        return None
    return abs(100 * x2 / n2 - 100 * x1 / n1) > h1 + h2


def two_proportion(x1, n1, x2, n2) -> bool | None:
    """Whether a two-sided pooled two-proportion z-test gives p < :data:`ALPHA`.

    None when either year has no responses.

    >>> two_proportion(1261, 1384, 1180, 1384)
    True
    >>> two_proportion(761, 1000, 725, 1000)       # p = 0.07
    False
    >>> two_proportion(50, 100, 52, 100), two_proportion(5, 0, 6, 10) is None
    (False, True)
    """
    p = compare.two_proportion_test(x1, n1, x2, n2)
    return None if p is None else p < ALPHA


#: The rules a force may choose (``significance_rule`` in ``force.yaml``), by setting name.
RULES: dict[str, Rule] = {
    "ci_overlap": Rule(
        "ci_overlap",
        "95% confidence intervals do not overlap",
        "A change in a survey rate is statistically significant when last year's and this "
        "year's 95% confidence intervals do not overlap; " + _COUNTS_SENTENCE,
        intervals_apart,
    ),
    "two_proportion": Rule(
        "two_proportion",
        "two-proportion test, p < 0.05",
        "A change in a survey rate is statistically significant when a two-sided two-proportion "
        "test of last year's and this year's responses gives p < 0.05; " + _COUNTS_SENTENCE,
        two_proportion,
    ),
}
assert tuple(RULES) == SIGNIFICANCE_RULES, "config.SIGNIFICANCE_RULES must name the rules here"


def rule(cube=None, name: str | None = None) -> Rule:
    """The rule in force: ``name`` if given, else ``significance_rule`` of the cube's profile (a
    cube built in code, or no cube: the demo profile's).

    >>> rule(name="two_proportion").text
    'two-proportion test, p < 0.05'
    >>> rule().name  # the demo profile's
    'ci_overlap'
    """
    chosen = name if name is not None else force_settings(cube).significance_rule
    try:
        return RULES[chosen]
    except KeyError:
        raise ValueError(
            f"unknown significance rule {chosen!r}; the rules are {', '.join(RULES)}"
        ) from None


def significant(x1, n1, x2, n2, *, cube=None, name: str | None = None) -> bool | None:
    """Whether the change from ``x1`` of ``n1`` to ``x2`` of ``n2`` is significant under the rule
    in force (:func:`rule`).

    None when either year has no responses (nothing to test).

    >>> significant(1261, 1384, 1180, 1384)
    True
    >>> significant(761, 1000, 725, 1000, name="ci_overlap")
    False
    >>> significant(5, 0, 6, 10) is None
    True
    """
    return rule(cube, name).significant(x1, n1, x2, n2)


def rule_text(cube=None) -> str:
    """The rule in force in a few words (:attr:`Rule.text`), for legends and captions."""
    return rule(cube).text


def stated_or_default(stated) -> str:
    """The rule a performance row states (its ``significance_rule``), in words; a row made in
    code without one was decided by the demo profile's rule.

    >>> stated_or_default("two-proportion test, p < 0.05"), stated_or_default(None)
    ('two-proportion test, p < 0.05', '95% confidence intervals do not overlap')
    """
    return str(stated) if stated and not compare.is_missing(stated) else rule_text()


def rule_sentence(cube=None) -> str:
    """The rule in force in a sentence (:attr:`Rule.sentence`), for the page that states it."""
    return rule(cube).sentence
