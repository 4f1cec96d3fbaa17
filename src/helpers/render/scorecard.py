"""The master page's one-page scorecard: every in-table measure of the eight areas, grouped by
area, with last year, this year and the change (coloured by polarity, starred if significant,
marked where it rests on few records or a stale source)."""

from __future__ import annotations

import pandas as pd

from ..periods import PERIOD_HEADINGS, PERIOD_LABELS
from . import flags
from .numbers import format_value, is_missing
from .tables import (
    COLOURS,
    NO_SOURCE,
    SAME,
    arrow_of,
    change_cell,
    esc,
    hidden_caption,
    legend_html,
    notes_html,
    records,
    rule_of,
    withheld_cell,
)


def scorecard_table(rows: pd.DataFrame, *, month, period: str, geography: str = "Force") -> str:
    """The master notebook's one-page scorecard: every in-table measure, grouped by area, with
    last year, this year and the change.

    ``rows`` has columns area, area_title, label, unit, decimals, last_year, this_year, change, direction,
    significant, available, note. ``geography`` names the view in the table's caption (read by
    screen readers; the page's heading shows it).
    """
    word = PERIOD_HEADINGS.get(period, "12m")
    when = pd.Period(str(month), freq="M").strftime("%b %Y")
    caption = f"Scorecard: every measure by area, {geography}, {PERIOD_LABELS.get(period, period)}"
    out = [
        f'<table class="ppw-table">{hidden_caption(f"{caption} to {when}")}<thead><tr>',
        '<th scope="col" class="ppw-measure">Measure</th>',
        f'<th scope="col">{esc(word)} Last Year</th><th scope="col">{esc(word)} This Year</th>',
        '<th scope="col">Better/ Worse % or % pt. diff.</th>',
        '<th scope="col">Direction</th><th scope="col">Window</th></tr></thead><tbody>',
    ]
    current = None
    any_sig = False
    for row in records(rows):
        if row["area"] != current:
            current = row["area"]
            out.append(
                f'<tr><td class="ppw-label" colspan="6" style="background:#e8eef5;font-weight:bold">'
                f"{esc(row['area_title'])}</td></tr>"
            )
        label = esc(row["label"]) + flags.stale_flag(row)
        if row.get("no_source") is True:
            out.append(
                f'<tr><td class="ppw-label">{label}</td><td class="ppw-na" colspan="5">'
                f"{esc(NO_SOURCE)}</td></tr>"
            )
            continue
        if row.get("suppressed") is True:
            out.append(
                f'<tr><td class="ppw-label">{label}</td>{withheld_cell()}{withheld_cell()}'
                f'{withheld_cell()}{withheld_cell()}<td style="white-space:nowrap;font-size:12px">'
                f"{esc(row.get('window_label') or '')}</td></tr>"
            )
            continue
        change = row.get("change")
        change = None if is_missing(change) else change
        direction = str(row.get("direction") or "na")
        sig = row.get("significant") is True
        any_sig = any_sig or sig
        arrow = arrow_of(change)
        word_dir = {"better": "Better", "worse": "Worse", "same": "Same", "neutral": "Changed"}.get(
            direction, "N/A"
        )
        colour = COLOURS.get(direction, SAME)
        unit, decimals = row["unit"], int(row.get("decimals") or 0)
        plan = row.get("plan")
        by_plan = not is_missing(plan)
        # a measure compared with its plan (savings) prints the plan, named, where last year would be
        before = (
            f"Plan {format_value(plan, unit, decimals)}"
            if by_plan
            else format_value(row.get("last_year"), unit, decimals)
        )
        out.append(
            f'<tr><td class="ppw-label">{label}</td><td>{before}</td>'
            f"<td>{format_value(row.get('this_year'), unit, decimals)}</td>"
            + flags.with_caution(
                change_cell(
                    change,
                    direction,
                    sig,
                    tag=False,
                    unit=unit,
                    against="the plan" if by_plan else "last year",
                ),
                row,
            )
            + f'<td style="color:{colour};text-align:center">{arrow} {word_dir}</td>'
            + f'<td style="white-space:nowrap;font-size:12px">{esc(row.get("window_label") or "")}</td>'
            + "</tr>"
        )
    out.append("</tbody></table>")
    plans = "plan" in rows and any(not is_missing(v) for v in rows["plan"])
    out.append(
        legend_html(significance=any_sig, plan="some" if plans else "none", rule=rule_of(rows))
    )
    out.append(notes_html(flags.notes(records(rows))))
    return "".join(out)
