"""The contradiction check: a commentary sentence that says what the figures do not.

For each sentence of an area's commentary the check finds the measures it speaks of and what it
claims about them, and compares the claims with the rows the page prints
(:class:`helpers.pages.commentary_fill.Figures`). A contradiction is a warning naming the file, the
line, the sentence, the claim and the figures (:class:`Contradiction`); the pack prints them and
records them in ``run.json``, and they do not stop the run. Nothing here computes a figure or a
test: significance is the row's ``significant``, decided by :mod:`helpers.analysis.significance`,
whose rule (the row's ``significance_rule``, :func:`~helpers.analysis.significance.rule_text`)
the warnings quote.

Which measures a sentence speaks of
    1. the measures of its placeholders, if it has any (``{{ change("all_crime") }}``);
    2. else the measures of the area's table it names by their words (:class:`Matcher`): a measure
       is named when the sentence has two of the words of its title or label, or all of them if it
       has fewer, and one of them says more than the area's topic (a word in more than half of
       the area's measures, such as "domestic" and "abuse" on the domestic-abuse page); when the
       words that name one measure name another more fully, the sentence means the other ("days
       lost per officer" is the officers' measure, not the staff's). A label of the form "Group -
       Detail" also names its group by the group's words ("satisfaction": all the User
       Satisfaction measures) when the sentence names none of them more precisely;
    3. else the measures of the sentence before it in the same paragraph.

What a sentence claims (:func:`claims`)
    - significance: "statistically significant", "significant(ly)" beside a word of change
      ("a significant rise", "rose significantly"); negated: "not statistically significant", "no
      significant change", "insignificant";
    - direction: rose, risen, increase(d), higher, more, up (before a figure) …; fell, fallen,
      decrease(d), lower, fewer, reduction, down (before a figure) … ("more than 1,000" is no claim);
    - quality: improved, improvement, better; worse, worsened, deteriorated.
    A "not", "no", "never" or "n't" up to three words before a claim negates it ("has not
    improved"). Words inside placeholders are the figures themselves and are not claims. A sentence
    that says both (rose and fell, improved and worsened) is not checked for that kind of claim:
    which measure each word is about is not known.

When a claim contradicts the rows (rows without a figure are left out)
    - "not significant" and a named measure's change is significant; "significant" and none is;
    - a rise and a change of zero or below (a fall and one of zero or above); "not risen" and a
      rise (and so on);
    - "improved" and a measure that is worse or unchanged; "worse" and one that is better or
      unchanged; "not improved" and one that is better. A measure with no better direction has no
      quality to claim.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import significance
from ..contract import catalog
from ..geography import FORCE
from ..render.numbers import format_change
from ..render.tables import format_value, is_missing
from .commentary import markdown_tokens
from .commentary_fill import PLACEHOLDER, Figures, area_files, fill_text, placeholders


def _set(text: str) -> frozenset[str]:
    """The words of ``text`` (a list written as a sentence of words, for reading)."""
    return frozenset(text.split())


#: Words that name no measure: function words and what every label has ("number", "average").
STOPWORDS = _set(
    """a about after against also an and any are as at be been being but by can do does each for
    from had has have how in into is it its last month months more no not of on or our over per
    person people police than that the their them there these they this those through to under up
    was we were what when which who whole will with within year years number average ensure user"""
)
#: Claim words: a change up, a change down, better, worse.
UP_WORDS = _set(
    "rose risen rise rises rising increase increased increases increasing higher more grew grown up"
)
DOWN_WORDS = _set(
    "fell fallen fall falls falling decrease decreased decreases decreasing lower fewer reduction "
    "reductions reduced down drop dropped drops"
)
BETTER_WORDS = _set("improved improvement improvements improving better")
WORSE_WORDS = _set("worse worsened worsening deteriorated deterioration")
#: "more than 1,000", "lower than 10": a comparison with a number, not a change.
_COMPARATIVES = _set("more fewer higher lower")
#: Words that make the claim after them its opposite.
NEGATIONS = _set("not no never neither nor without")
#: Words of change beside which "significant" is a claim about significance.
_CHANGE_WORDS = UP_WORDS | DOWN_WORDS | BETTER_WORDS | WORSE_WORDS | {"change", "difference"}
#: How far before a claim a negation reaches (words).
NEGATION_REACH = 3
#: A sentence quoted in a warning is cut to this many characters.
QUOTE_LENGTH = 100

_WORD = re.compile(r"[A-Za-z0-9£%]+(?:['’-][A-Za-z0-9]+)*")
#: A sentence ends at . ! or ? (and closing quotes or brackets) before a space and a capital,
#: a digit, a quote, or the end.
_SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)[.!?][\"'’”)\]]*(?=\s+[A-Z0-9\"'“‘(\ue000]|\s*$)"
)
#: A placeholder in the text the check reads: a private-use character around its index.
_MARK = "\ue000{}\ue001"
_MARKED = re.compile("\ue000(\\d+)\ue001")


def stem(word: str) -> str:
    """A word as the matcher compares it: lower case, no possessive, no plural ending.

    >>> [stem(w) for w in ("Victims'", "fatalities", "PCSOs", "progress", "offences")]
    ['victim', 'fatality', 'pcso', 'progress', 'offence']
    """
    w = word.lower().replace("’", "'")
    w = w[:-2] if w.endswith("'s") else w.rstrip("'")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def words(text: str) -> list[str]:
    """The words of ``text`` in order, lower case (hyphenated words whole: "follow-up")."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _content(text: str) -> set[str]:
    """The stemmed words of ``text`` that can name a measure (no stopwords, no figures)."""
    return {
        s
        for s in (stem(w) for w in words(text))
        if s not in STOPWORDS and not any(c.isdigit() for c in s)
    }


# --------------------------------------------------------------------------------------------
# Which measures a sentence names


@dataclass(frozen=True)
class Matcher:
    """The measures of an area's table and the words that name them (see the module docstring).

    ``keys``: measure id → its words (title and label; the group's words left out);
    ``groups``: the words of a group ("satisfaction") → its measures; ``topic``: the area's words
    in more than half of its measures.
    """

    keys: dict[str, frozenset[str]]
    groups: dict[frozenset[str], tuple[str, ...]]
    topic: frozenset[str]

    @classmethod
    def for_area(cls, area: int, month) -> Matcher:
        """The matcher of ``area``'s table measures reported in ``month``."""
        measures = catalog.measures_for(area, month, in_table=True)
        prefixes: dict[frozenset[str], list[str]] = {}
        for m in measures:
            parts = re.split(r"\s+[-–]\s+", m.label, maxsplit=1)
            if len(parts) == 2 and _content(parts[0]):
                prefixes.setdefault(frozenset(_content(parts[0])), []).append(m.id)
        groups = {g: tuple(ids) for g, ids in prefixes.items() if len(ids) >= 2}
        member_of = {mid: g for g, ids in groups.items() for mid in ids}
        keys = {
            m.id: frozenset((_content(m.title) | _content(m.label)) - member_of.get(m.id, set()))
            for m in measures
        }
        counts: dict[str, int] = {}
        for ks in keys.values():
            for k in ks:
                counts[k] = counts.get(k, 0) + 1
        topic = frozenset(k for k, n in counts.items() if n > len(keys) / 2)
        return cls(keys, groups, topic)

    def named(self, sentence: str) -> list[str]:
        """The measure ids ``sentence`` names by their words (catalog order), or []."""
        found_words = _content(sentence)
        found = {}
        for mid, ks in self.keys.items():
            hit = ks & found_words
            if not hit or len(hit) < min(2, len(ks)):
                continue
            if hit - self.topic or hit == ks:
                found[mid] = hit

        def more_fully(other: str, mid: str) -> bool:
            a, b = found[other], found[mid]
            missing_a, missing_b = len(self.keys[other] - a), len(self.keys[mid] - b)
            return b <= a and (len(a), -missing_a) > (len(b), -missing_b)

        ids = [mid for mid in found if not any(more_fully(o, mid) for o in found if o != mid)]
        if ids:
            return ids
        return [mid for g, members in self.groups.items() if g <= found_words for mid in members]


# --------------------------------------------------------------------------------------------
# What a sentence claims


@dataclass(frozen=True)
class Claim:
    """One claim of a sentence: its ``kind`` (significance, direction, quality) and ``value``."""

    kind: str
    value: str  # significance: "significant" | "not significant"; direction: "up" | "down" |
    # "not up" | "not down"; quality: "better" | "worse" | "not better" | "not worse"

    def __str__(self) -> str:
        return {
            "significant": "the change is statistically significant",
            "not significant": "the change is not statistically significant",
            "up": "a rise",
            "down": "a fall",
            "not up": "no rise",
            "not down": "no fall",
            "better": "an improvement",
            "worse": "a worsening",
            "not better": "no improvement",
            "not worse": "no worsening",
        }[self.value]


def _negated(ws: list[str], i: int) -> bool:
    before = ws[max(0, i - NEGATION_REACH) : i]
    return any(w in NEGATIONS or w.endswith("n't") for w in before)


def _is_number(word: str) -> bool:
    return any(c.isdigit() for c in word)


def claims(sentence: str) -> list[Claim]:
    """The claims ``sentence`` makes (placeholders removed first: they are the figures).

    >>> [str(c) for c in claims("The falls are not statistically significant.")]
    ['a fall', 'the change is not statistically significant']
    >>> claims("More than 1,000 officers set up the follow-up teams.")
    []
    """
    ws = words(PLACEHOLDER.sub(" ", sentence))
    out: list[Claim] = []
    for i, w in enumerate(ws):
        nxt = ws[i + 1] if i + 1 < len(ws) else ""
        after = ws[i + 2] if i + 2 < len(ws) else ""
        if w in ("significant", "significantly", "insignificant"):
            beside = {ws[j] for j in (i - 1, i + 1, i + 2) if 0 <= j < len(ws)}
            stated = (i > 0 and ws[i - 1] in ("statistically", "not", "no")) or (
                beside & _CHANGE_WORDS
            )
            if w == "insignificant" or (stated and _negated(ws, i)):
                out.append(Claim("significance", "not significant"))
            elif stated:
                out.append(Claim("significance", "significant"))
            continue
        if w in ("up", "down") and not (
            _is_number(nxt) or nxt == "on" or (nxt == "by" and _is_number(after))
        ):
            continue  # "set up", "broken down by district": not a change
        if w == "better" and i > 0 and ws[i - 1] == "to":
            continue  # "to better understand": a verb
        if w in _COMPARATIVES and nxt == "than" and _is_number(after):
            continue  # "more than 1,000": a comparison with a number
        no = "not " if _negated(ws, i) else ""
        if w in UP_WORDS:
            out.append(Claim("direction", no + "up"))
        elif w in DOWN_WORDS:
            out.append(Claim("direction", no + "down"))
        elif w in BETTER_WORDS:
            out.append(Claim("quality", no + "better"))
        elif w in WORSE_WORDS:
            out.append(Claim("quality", no + "worse"))
    unique = list(dict.fromkeys(out))
    kinds = [c.kind for c in unique]
    return [c for c in unique if kinds.count(c.kind) == 1]  # a sentence saying both: unchecked


# --------------------------------------------------------------------------------------------
# Claims against the rows


def _figures(row: dict) -> str:
    """A row's figures in words, as the table prints them: "User Satisfaction - Action taken by
    the police -3.6% pt. (76.1% → 72.5%)" (a measure compared with its plan: "(plan £6.633m →
    £6.704m)")."""
    unit, decimals = row["unit"], int(row.get("decimals") or 0)
    plan = row.get("plan")
    last = (
        format_value(row.get("last_year"), unit, decimals)
        if is_missing(plan)
        else f"plan {format_value(plan, unit, decimals)}"
    )
    this = format_value(row.get("this_year"), unit, decimals)
    return f"{row['label']} {format_change(row['change'], unit)} ({last} → {this})"


def _rule(row: dict) -> str:
    """The significance rule the row was decided by, in words."""
    return significance.stated_or_default(row.get("significance_rule"))


def contradicted(claim: Claim, rows: list[dict]) -> list[str]:
    """The figures that contradict ``claim``, each in words (an empty list: none do).

    ``rows`` are the named measures' rows; those without a change (N/A, withheld) are left out.
    """
    rows = [
        r
        for r in rows
        if r.get("suppressed") is not True and r.get("change") is not None
        if not is_missing(r.get("change"))
    ]
    if not rows:
        return []
    if claim.value == "not significant":
        return [
            f"{_figures(r)} is significant ({_rule(r)})" for r in rows if r["significant"] is True
        ]
    if claim.value == "significant":
        if any(r["significant"] is True for r in rows):
            return []
        return [
            f"{_figures(r)} is not significant ({_rule(r)})"
            if r["significant"] is False
            else f"{_figures(r)} has no significance test"
            for r in rows
        ]
    if claim.kind == "direction":
        wrong = {
            "up": lambda c: c <= 0,
            "down": lambda c: c >= 0,
            "not up": lambda c: c > 0,
            "not down": lambda c: c < 0,
        }[claim.value]
        return [_figures(r) for r in rows if wrong(r["change"])]
    wrong_directions = {
        "better": ("worse", "same"),
        "worse": ("better", "same"),
        "not better": ("better",),
        "not worse": ("worse",),
    }[claim.value]
    return [
        f"{_figures(r)} is {'no change' if r['direction'] == 'same' else r['direction']}"
        for r in rows
        if r["direction"] in wrong_directions
    ]


# --------------------------------------------------------------------------------------------
# Sentences of a commentary file


@dataclass(frozen=True)
class Sentence:
    """A sentence of a commentary: its first line in the file, its text (placeholders as written,
    markdown removed), and the paragraph it is in (sentences of one paragraph share a number)."""

    line: int
    text: str
    paragraph: int


def _split(plain: str) -> list[tuple[int, str]]:
    """The sentences of one paragraph's text: (its line within the paragraph, from 0; text)."""
    # each placeholder becomes one mark, so that its value ("-3.6% pt.") cannot end a sentence;
    # the marks' own characters are private-use ones, taken out of the text first
    plain = plain.replace("\ue000", "").replace("\ue001", "")
    marks = [m.group(0) for m in PLACEHOLDER.finditer(plain)]
    counter = itertools.count()
    marked = PLACEHOLDER.sub(lambda _: _MARK.format(next(counter)), plain)
    out, start = [], 0
    for end in [m.end() for m in _SENTENCE_END.finditer(marked)] + [len(marked)]:
        piece = marked[start:end]
        first = start + len(piece) - len(piece.lstrip())
        start = end
        restored = _MARKED.sub(lambda m: marks[int(m.group(1))], piece)
        if restored.strip():
            out.append((marked.count("\n", 0, first), " ".join(restored.split())))
    return out


def sentences(text: str) -> list[Sentence]:
    """The sentences of a commentary, paragraph by paragraph (headings, list items and table
    cells are paragraphs), as the page shows them: emphasis, links and code marks removed.

    >>> [(s.line, s.text) for s in sentences("**Crime.** All crime rose.\\nBurglary fell.")]
    [(1, 'Crime.'), (1, 'All crime rose.'), (2, 'Burglary fell.')]
    """
    out = []
    paragraph = 0
    for token in markdown_tokens(text):
        if token.type != "inline" or not token.children:
            continue
        paragraph += 1
        first_line = (token.map[0] if token.map else 0) + 1
        plain = "".join(
            "\n" if c.type in ("softbreak", "hardbreak") else c.content
            for c in token.children
            if c.type in ("text", "code_inline", "softbreak", "hardbreak", "image")
        )
        for line, sentence in _split(plain):
            out.append(Sentence(first_line + line, sentence, paragraph))
    return out


@dataclass(frozen=True)
class Contradiction:
    """A sentence of a commentary that says what the figures do not: one warning of the pack."""

    file: str
    line: int
    sentence: str
    claim: str
    figures: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        quoted = (
            self.sentence
            if len(self.sentence) <= QUOTE_LENGTH
            else (self.sentence[: QUOTE_LENGTH - 1].rstrip() + "…")
        )
        return f'{self.file} line {self.line}: "{quoted}" says {self.claim}, but ' + "; ".join(
            self.figures
        )


def check_text(text: str, area: int, figures: Figures, source: str = "commentary") -> list:
    """The :class:`Contradiction` s of one area's commentary ``text`` against ``figures``.

    ``source`` names the file in the warnings. A placeholder that cannot be filled raises
    :class:`helpers.pages.commentary_fill.CommentaryError`.
    """
    placeholders(text, source, figures.month)
    matcher = Matcher.for_area(area, figures.month)
    out = []
    previous: tuple[int, list[str]] = (0, [])
    for s in sentences(text):
        ids = list(dict.fromkeys(m["id"] for m in PLACEHOLDER.finditer(s.text)))
        ids = ids or matcher.named(s.text)
        if not ids and previous[0] == s.paragraph:
            ids = previous[1]
        previous = (s.paragraph, ids)
        if not ids:
            continue
        rows = [figures.row(mid) for mid in ids]
        for claim in claims(s.text):
            against = contradicted(claim, rows)
            if against:
                shown = fill_text(s.text, figures)
                out.append(Contradiction(source, s.line, shown, str(claim), tuple(against)))
    return out


def check_month(
    commentary_dir: Path, cube, month, period: str, geography: str = FORCE
) -> list[Contradiction]:
    """Every contradiction of the month's commentary files, for the pack's view of the pages.

    ``<commentary_dir>/<YYYY-MM>/<NN>_<slug>.md``, each checked against its area's rows for the
    month, ``period`` and ``geography`` (the pack's pages open on the force).
    """
    figures = Figures(cube, month, period, geography)
    folder = Path(commentary_dir) / str(figures.month)
    out = []
    for area, path in area_files(folder).items():
        source = path.name
        out += check_text(path.read_text(encoding="utf-8"), area, figures, source)
    return out


def commentary_warnings(commentary_dir: Path, cube, month, period: str) -> list[str]:
    """The pack's commentary warnings, one line each ("02_victims.md line 6: "…" says …")."""
    return [str(c) for c in check_month(commentary_dir, cube, month, period)]


__all__ = [
    "Claim",
    "Contradiction",
    "Matcher",
    "Sentence",
    "check_month",
    "check_text",
    "claims",
    "commentary_warnings",
    "contradicted",
    "sentences",
]
