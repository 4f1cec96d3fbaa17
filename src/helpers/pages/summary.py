"""The master's executive summary and exceptions list: a commander's two-minute read and the full
list behind it, both made of the same findings (:mod:`helpers.pages.findings`), so the two can
never disagree.

For one view (geography and period): how many measures are better and worse than last year; the
concerns and the improvements side by side, each in a sentence with its figures; measures with no
better direction that are unusual; the districts with exceptions (every district scanned, not only
the force); projections that would leave the usual range; and the date every figure of another
window is as at. The rules behind it are stated at its foot.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from ..analysis import significance
from ..render import tables
from .findings import Finding, Projection

#: The most findings listed in each column of the first screen; the rest are in the exceptions.
MOST_LISTED = 7


@dataclass(frozen=True)
class SummaryInput:
    """Everything one summary view shows, worked out by :class:`helpers.pages.master.MasterPage`."""

    place: str  # "the force", "North LPA", "Colchester"
    window_label: str  # "Oct 2015 – Sep 2016"
    findings: list[Finding]
    #: measure id → (districts with the same finding in the same direction, districts scanned)
    same_in_districts: dict[str, tuple[int, int]]
    #: district → its findings (every district of the view's area)
    districts: dict[str, list[Finding]]
    projections: list[Projection]
    as_at: list[tuple[list[str], str]]  # (what, the window it is as at)
    stale_sources: list[tuple[str, str]]  # (source, data to) for sources ending before the month
    better: int
    worse: int
    with_figures: int
    #: The force's significance rule in a sentence (:func:`helpers.analysis.significance.rule_sentence`).
    significance_sentence: str


def _esc(text) -> str:
    return html.escape(str(text))


def short_label(label: str) -> str:
    """A measure's label without its definition in brackets: "Emergency incidents attended
    within standard (90% attended within 15 mins …)" → "Emergency incidents attended within
    standard"."""
    return label.split(" (", 1)[0]


def _item(f: Finding, same: tuple[int, int] | None) -> str:
    parts = [f"<b>{_esc(short_label(f.label))}</b> {_esc(f.this_year)}"]
    if f.change:
        parts.append(f", {_esc(f.change)}")
        if f.significant:
            parts.append(" (statistically significant)")
    if f.special_cause:
        parts.append(f"; {_esc(f.spc)}")
    if same and same[0]:
        parts.append(f"; the same in {same[0]} of {same[1]} districts")
    if f.few_records:
        parts.append(f" ({_esc(f.caution)})")
    return f"<li>{''.join(parts)}.</li>"


def _column(title: str, colour: str, arrow: str, items: list[Finding], data: SummaryInput) -> str:
    shown = items[:MOST_LISTED]
    rest = len(items) - len(shown)
    body = "".join(_item(f, data.same_in_districts.get(f.measure_id)) for f in shown)
    if not items:
        body = "<li>None.</li>"
    more = f'<p class="ppw-sub">… and {rest} more in the exceptions below.</p>' if rest else ""
    return (
        f'<section><h3 style="color:{colour};margin:4px 0">{arrow} {_esc(title)} ({len(items)})'
        f'</h3><ul style="margin:0;padding-left:18px">{body}</ul>{more}</section>'
    )


def _districts_text(districts: dict[str, list[Finding]]) -> str:
    if not districts:
        return ""
    concerns = Counter({d: sum(f.kind == "concern" for f in fs) for d, fs in districts.items()})
    improvements = {d: sum(f.kind == "improvement" for f in fs) for d, fs in districts.items()}
    with_concern = [d for d, n in concerns.most_common() if n]
    total = len(districts)
    if not with_concern:
        text = f"None of the {total} districts has a concern."
    else:
        listed = ", ".join(
            f"{_esc(d)} ({concerns[d]} concern{'s' if concerns[d] != 1 else ''}"
            + (f", {improvements[d]} improving" if improvements[d] else "")
            + ")"
            for d in with_concern[:6]
        )
        more = f" and {len(with_concern) - 6} more" if len(with_concern) > 6 else ""
        text = f"{len(with_concern)} of {total} districts have a concern: {listed}{more}."
    return f"<p><b>Districts.</b> {text}</p>"


def _projections_text(projections: list[Projection]) -> str:
    if not projections:
        return ""
    order = {"concern": 0, "unusual": 1, "improvement": 2}
    items = sorted(projections, key=lambda p: (order[p.kind], p.area))
    text = "; ".join(
        f"{_esc(short_label(p.label))}: projected {'above' if p.up else 'below'} the usual range "
        f"by {_esc(p.month)}"
        for p in items[:5]
    )
    more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
    return (
        "<p><b>Projections.</b> On the trend of the last three years (seasonally adjusted), "
        f"{text}{more}.</p>"
    )


def _as_at_text(as_at: list[tuple[list[str], str]], stale: list[tuple[str, str]]) -> str:
    parts = [
        f"{_esc(', '.join(short_label(n) for n in names[:3]))}"
        f"{f' and {len(names) - 3} more' if len(names) > 3 else ''}: {_esc(when)}"
        for names, when in as_at
    ]
    parts += [f"{_esc(source)} data only to {_esc(to)}" for source, to in stale]
    if not parts:
        return ""
    return "<p><b>As at.</b> Lagged and ranked figures: " + "; ".join(parts) + ".</p>"


def render_summary(data: SummaryInput) -> str:
    """The executive summary of one view as HTML (the master's first screen)."""
    concerns = [f for f in data.findings if f.kind == "concern"]
    better = [f for f in data.findings if f.kind == "improvement"]
    unusual = [f for f in data.findings if f.kind == "unusual"]
    attention = len(concerns) + len(better)
    intro = (
        f"<p style='margin:4px 0'>For {_esc(data.place)}, {_esc(data.window_label)}: of "
        f"{data.with_figures} measures with figures, <span style='color:{tables.BETTER}'>"
        f"{data.better} are better</span> and <span style='color:{tables.WORSE}'>{data.worse} "
        f"worse</span> than last year. {attention} stand out (a statistically significant change, "
        "or special cause in the monthly series): "
        f"{len(concerns)} concern{'s' if len(concerns) != 1 else ''} and {len(better)} "
        f"improvement{'s' if len(better) != 1 else ''}.</p>"
    )
    grid = (
        '<div style="display:grid;grid-template-columns:1fr 1fr;gap:12px 24px;margin:6px 0">'
        + _column("Getting worse", tables.WORSE, "▼", concerns, data)
        + _column("Getting better", tables.BETTER, "▲", better, data)
        + "</div>"
    )
    mixed = [f for f in data.findings if f.kind == "mixed"]
    mixed_text = ""
    if mixed:
        mixed_text = (
            "<p><b>Mixed signals</b> (a significant change one way, the latest months the other): "
            + "; ".join(_esc(f.headline) for f in mixed)
            + ".</p>"
        )
    unusual_text = ""
    if unusual:
        unusual_text = (
            "<p><b>Unusual</b> (measures with no better direction): "
            + "; ".join(_esc(f.headline) for f in unusual[:MOST_LISTED])
            + (f"; and {len(unusual) - MOST_LISTED} more" if len(unusual) > MOST_LISTED else "")
            + ".</p>"
        )
    legend = (
        '<p class="ppw-legend">How to read this: "the usual range" is the process limits of the '
        "measure's monthly control chart (statistical process control); a month outside it, 7 or "
        "more months on one side of the average, 7 rising or falling in a row, or 2 of 3 months "
        "near a limit is special cause, unlikely to be chance. "
        f"{_esc(data.significance_sentence)} The exceptions below list every finding.</p>"
    )
    return (
        '<div class="ppw ppw-summary" style="font-size:14px">'
        + intro
        + grid
        + mixed_text
        + unusual_text
        + _districts_text(data.districts)
        + _projections_text(data.projections)
        + _as_at_text(data.as_at, data.stale_sources)
        + legend
        + "</div>"
    )


#: The exceptions list's words for each kind of finding.
KIND_WORDS = {
    "improvement": "improvement", "concern": "concern", "mixed": "mixed", "unusual": "unusual"
}  # fmt: skip
#: How to read the exceptions list (below it).
SPC_RULE_SENTENCE = (
    "Special cause: the latest month is outside the usual range (the process limits of the "
    "monthly control chart), or part of a run, a trend or two of three months near a limit "
    "(statistical process control)."
)


def exceptions_frame(findings: list[Finding]) -> pd.DataFrame:
    """The findings as the exceptions list: one row per measure, concerns first, then
    improvements, then unusual months of measures with no better direction; by area within
    each. ``Why`` gives every reason (a significant change, special cause) in words."""
    columns = [
        "Area", "Measure", "This year", "Latest month", "Latest value", "Why", "kind", "up",
        "significant", "measure_id",
    ]  # fmt: skip
    rows = [
        [
            f.area,
            f.label,
            f"{f.this_year} ({f.window_label})",
            f.latest_month,
            f.latest_value,
            f.reasons,
            f.kind,
            f.up,
            f.significant,
            f.measure_id,
        ]  # fmt: skip
        for f in findings
    ]
    return pd.DataFrame(rows, columns=columns)


def render_exceptions(
    findings: list[Finding], place: str, significance_sentence: str | None = None
) -> str:
    """The exceptions list of one view as HTML: a table of every finding with its reasons.

    ``significance_sentence``: the force's significance rule in a sentence (None: the demo
    profile's, :func:`helpers.analysis.significance.rule_sentence`)."""
    sentence = significance_sentence or significance.rule_sentence()
    if not findings:
        return (
            '<div class="ppw">'
            + tables.note_html(
                f"No exceptions for {place}: no measure changed significantly on last year and "
                f"none shows special cause in its monthly series. {sentence}"
            )
            + "</div>"
        )
    colours = {"improvement": tables.BETTER, "concern": tables.WORSE}
    out = [
        f'<table class="ppw-table"><caption>Exceptions: {_esc(place)}</caption><thead><tr>'
        '<th scope="col">Type</th><th scope="col">Area</th>'
        '<th scope="col" class="ppw-measure">Measure</th><th scope="col">This year</th>'
        '<th scope="col">Latest month</th><th scope="col">Why</th></tr></thead><tbody>'
    ]
    for f in findings:
        colour = colours.get(f.kind, tables.SAME)
        arrow = "▲" if f.up else "▼"
        out.append(
            f'<tr><td style="color:{colour};white-space:nowrap;text-align:left">{arrow} '
            f"{_esc(KIND_WORDS.get(f.kind, f.kind))}</td>"
            f'<td style="text-align:center">{f.area}</td>'
            f'<td class="ppw-label">{_esc(f.label)}</td>'
            f"<td>{_esc(f.this_year)} ({_esc(f.window_label)})</td>"
            f'<td style="white-space:nowrap">{_esc(f.latest_month)}: {_esc(f.latest_value)}</td>'
            f'<td class="ppw-label">{_esc(f.reasons)}</td></tr>'
        )
    out.append("</tbody></table>")
    return (
        '<div class="ppw">'
        + "".join(out)
        + f'<p class="ppw-legend">▲/▼: up/down. {_esc(SPC_RULE_SENTENCE)} '
        f"{_esc(sentence)}</p></div>"
    )
