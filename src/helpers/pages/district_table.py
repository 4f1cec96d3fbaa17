"""The key measures by district as an HTML table (this year and Better/Worse change), with the
records in no district (Unassigned) counted in the Force row, and a caution mark on a change that
rests on few records (:mod:`helpers.analysis.caution`). A screen reader gets the table's caption
and reads each figure with its district and column (``scope`` on the header cells).
"""

from __future__ import annotations

import html

import pandas as pd

from ..analysis import caution, compare
from ..analysis.performance import suppress_below_setting
from ..contract.catalog import Measure, measure
from ..geography import UNASSIGNED
from ..periods import PERIOD_LABELS
from ..render import flags, tables
from .context import Context

KEY_DISTRICT_MEASURES = [
    ("all_crime", "All crime"),
    ("victim_based_crime", "Victim-based crime"),
    ("solved_rate", "Solved rate"),
    ("asb_incidents", "ASB incidents"),
]


def _printed(pair, m: Measure):
    """Round (last year, this year) half-up as printed, so changes match the performance tables."""
    return tuple(
        None
        if v is None
        else float(compare.round_half_up(v, 0 if m.unit == "count" else m.decimals))
        for v in pair
    )


def district_table_html(ctx: Context, ids_labels=KEY_DISTRICT_MEASURES) -> str:
    """Key measures by district as an HTML table (this year and Better/Worse change, coloured).

    A measure whose source has no data is left out of the table and named in a note under it.
    Records in no district (``Unassigned``: no location, or outside the force's districts) are
    counted in the Force row; their own row, before it, says how many, so that the districts and
    it add up to the force. With disclosure control on, that row is not printed (the force less
    the districts shown would give back a withheld district's figure) and a note says so. A
    change resting on fewer records than the force's ``caution_below`` in either year carries the
    caution mark (‡), explained under the table.
    """
    absent = [(mid, label) for mid, label in ids_labels if not ctx.has_data(mid)]
    ids_labels = [x for x in ids_labels if x not in absent]
    caption = tables.hidden_caption(
        f"Key measures by district, {PERIOD_LABELS.get(ctx.period, ctx.period).lower()} to "
        f"{pd.Period(str(ctx.month), freq='M').strftime('%b %Y')}: this year and the Better/ "
        "Worse change on last year"
    )
    out = [f'<table class="ppw-table">{caption}<thead><tr>']
    out.append('<th scope="col" rowspan="2">District</th>')
    out += [f'<th scope="colgroup" colspan="2">{html.escape(lb)}</th>' for _, lb in ids_labels]
    out.append("</tr><tr>")
    out += ['<th scope="col">This year</th><th scope="col">Change</th>' for _ in ids_labels]
    out.append("</tr></thead><tbody>")
    suppressing = suppress_below_setting(None, ctx.cube) is not None
    below = caution.threshold(ctx.cube)
    cautioned = False
    rest = [] if suppressing or not _has_unassigned(ctx, ids_labels) else [UNASSIGNED]
    for g in [*ctx.districts(), *rest, "Force"]:
        name = {"Force": "<b>Force</b>", UNASSIGNED: "No district (Unassigned)"}.get(
            g, html.escape(g)
        )
        cells = [f'<td class="ppw-label">{name}</td>']
        for mid, _label in ids_labels:
            m = measure(mid)
            if ctx._level_of(g) not in m.levels:
                cells.append('<td class="ppw-na" colspan="2">not available at this level</td>')
                continue
            ly, ty = _printed(ctx.pair(mid, geography=g), m)
            change = (
                compare.better_worse(ly, ty, m.unit, m.decimals)
                if ly is not None and ty is not None
                else None
            )
            cells.append(f"<td>{tables.format_value(ty, m.unit, m.decimals)}</td>")
            cell = tables.change_cell(change, compare.direction(change, m.polarity))
            if change is not None and caution.rests_on_few(m.unit, _counts(ctx, m, g), below):
                cell, cautioned = flags.with_caution(cell, {"caution": below}), True
            cells.append(cell)
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if cautioned:
        out.append(tables.note_html(caution.legend(below) + "."))
    if rest:
        out.append(tables.note_html(
            "No district (Unassigned): records without a location or outside the force's "
            "districts, counted in the Force row and in no LPA or district." + _causes(ctx)
        ))  # fmt: skip
    elif suppressing and _has_unassigned(ctx, ids_labels):
        out.append(tables.note_html(
            "The Force row also counts records in no district (no location, or outside the "
            "force's districts); with disclosure control on, their number is not printed."
        ))  # fmt: skip
    if absent:
        names = ", ".join(label for _, label in absent)
        out.append(tables.note_html(f"{names}: {tables.NO_SOURCE}.", "warning"))
    return "".join(out)


def _counts(ctx: Context, m: Measure, geography: str) -> list[dict]:
    """The counts behind a district's last year and this year (as the change is worked out)."""
    win = ctx.window_for(m)
    geo = ctx.geography_for(m, geography)
    try:
        return caution.value_counts(
            ctx.value(m.id, win.last_year(), geo), ctx.value(m.id, win, geo)
        )
    except KeyError:
        return []


def _has_unassigned(ctx: Context, ids_labels) -> bool:
    """Whether any count of the table has records in no district this year."""
    for mid, _label in ids_labels:
        m = measure(mid)
        if m.unit == "count" and "district" in m.levels:
            # the cube's own count, not the printed one: only whether there are any is told
            value = ctx.cube.value(mid, ctx.window_for(m), UNASSIGNED)
            if value.available and value.numerator:
                return True
    return False


def _causes(ctx: Context) -> str:
    """Why records are Unassigned, where the source said (the data.police.uk import report)."""
    report = ctx.cube.extracts_report
    if report is None:
        return ""
    parts = [
        f"{n:,} {'crimes' if name == 'crimes' else 'incidents'} {cause}"
        for name in ("crimes", "incidents")
        if name in report.extracts
        for cause, n in report.extracts[name].unassigned_causes.items()
    ]
    return f" In the months imported: {'; '.join(parts)}." if parts else ""
