"""Performance tables as styled HTML, in the published layout.

:func:`performance_table` turns the rows of :func:`helpers.analysis.performance.performance_rows` into the
"Performance Information" table of an area: measure, last year, this year, "Better/ Worse % or % pt.
diff.", and where the data exist "MSG Ranking" and "Yr on Yr diff. Improved/ Worsened since <last
month>"; a "Confidence interval" sub-row under survey rates; the catalog's footnotes under it.

Colour is never the only cue: a change carries an arrow (▲ up, ▼ down) for its direction and a word
("better" / "worse") for its meaning; a statistically significant change is bold and marked "*".
Every piece of text that comes from data or the catalog is HTML-escaped. Every table has a
``<caption>`` (visually hidden where the table's first heading already says it:
:func:`hidden_caption`) and ``scope`` on its header cells, so a screen reader names the table and
reads each figure with its column.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

import pandas as pd

from ..analysis import disclosure
from ..analysis import significance as significance_rule
from ..periods import PERIOD_HEADINGS, PERIOD_LABELS
from . import flags
from .numbers import format_change, format_value, is_missing, reader_text

BETTER = "#1a7334"  # green, 7:1 contrast on white
WORSE = "#b3261e"  # red, 6:1 contrast on white
SAME = "#000000"
COLOURS = {"better": BETTER, "worse": WORSE, "same": SAME, "neutral": SAME, "na": SAME}

NOT_AT_LEVEL = "not available at this level"
NO_SOURCE = "No data for this area from this source"

#: Styles shared by every fragment of a page (included once, by the page header).
CSS = """
<style>
.ppw{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;font-size:14px;color:#111;max-width:1000px}
.ppw h2,.ppw h3{font-family:inherit;color:#1f4e79;margin:14px 0 6px}
.ppw-marking{font-weight:bold;text-align:center;letter-spacing:.05em;color:#333;margin:4px 0}
.ppw-sub{color:#333;margin:2px 0}
table.ppw-table{border-collapse:collapse;margin:6px 0 4px;font-size:13.5px;width:100%}
table.ppw-table th{background:#1f4e79;color:#fff;font-weight:bold;padding:5px 7px;text-align:center;
 vertical-align:bottom;border:1px solid #1f4e79}
table.ppw-table th.ppw-measure{text-align:left;width:44%}
table.ppw-table td{border:1px solid #c8c8c8;padding:4px 7px;text-align:right;vertical-align:top}
table.ppw-table td.ppw-label{text-align:left}
table.ppw-table tr.ppw-ci td{font-size:12px;color:#444;border-top:none;background:#f7f7f7}
table.ppw-table tr.ppw-ci td.ppw-label{padding-left:22px}
table.ppw-table td.ppw-na{text-align:center;color:#555;font-style:italic}
.ppw-tag{font-size:11px;margin-left:4px}
td.ppw-change{white-space:nowrap}
.ppw-sig{font-weight:bold}
.ppw-notes{font-size:12.5px;color:#222;margin:4px 0 10px;padding-left:18px}
.ppw-notes li{margin:2px 0}
.ppw-legend{font-size:12px;color:#333;margin:4px 0}
.ppw-warning{border-left:4px solid #b3261e;background:#fbeeee;padding:6px 10px;margin:6px 0}
.ppw-info{border-left:4px solid #1f4e79;background:#eef3f8;padding:6px 10px;margin:6px 0}
figure.ppw-figure{margin:6px 0 14px}
figure.ppw-figure figcaption{font-size:12.5px;color:#333;margin-top:2px}
table.ppw-small{border-collapse:collapse;font-size:13px;margin:6px 0}
table.ppw-small th{background:#e8eef5;border:1px solid #c8c8c8;padding:4px 8px;text-align:center}
table.ppw-small td{border:1px solid #c8c8c8;padding:4px 8px;text-align:right}
table.ppw-small td:first-child,table.ppw-small th:first-child{text-align:left;white-space:nowrap}
table.ppw-small.ppw-wrap td:first-child{white-space:normal}
.ppw-commentary{border-top:1px solid #c8c8c8;margin-top:10px;padding-top:4px}
.ppw-sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;
 clip:rect(0 0 0 0);white-space:nowrap;border:0}
details.ppw-chart-data{margin:-8px 0 14px;font-size:12.5px}
details.ppw-chart-data summary{cursor:pointer;color:#1f4e79}
@media print{details.ppw-chart-data{display:none}}
</style>
"""


def esc(value) -> str:
    """HTML-escape any value as text (None → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def hidden_caption(text: str) -> str:
    """A table's ``<caption>``, read by screen readers but not shown (class ``ppw-sr-only``)."""
    return f'<caption class="ppw-sr-only">{esc(text)}</caption>'


def arrow_of(change) -> str:
    """▲ for a rise, ▼ for a fall, "" for none."""
    if change is None or change == 0:
        return ""
    return "▲" if change > 0 else "▼"


def change_cell(
    change,
    direction: str,
    significant=None,
    *,
    tag: bool = True,
    unit: str | None = None,
    against: str = "last year",
) -> str:
    """The Better/Worse cell: value with its unit, direction arrow, a "better"/"worse" word,
    colour, "*" if significant.

    ``unit`` is the measure's unit (``count``, ``percent``, ``money``, …): the change is printed
    with it ("15.7%", "-5.3% pt.", "-£0.333m"); None prints the bare figure. ``against`` names
    what the change is measured against, for the cell's tooltip ("last year", "the plan").

    >>> "▲" in change_cell(Decimal("15.7"), "worse") and "worse" in change_cell(Decimal("15.7"), "worse")
    True
    >>> "15.7% ▲" in change_cell(Decimal("15.7"), "worse", unit="count")
    True
    """
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "<td>N/A</td>"
    d = change if isinstance(change, Decimal) else Decimal(str(change))
    colour = COLOURS.get(direction, SAME)
    word = direction if direction in ("better", "worse") else ""
    sig = significant is True
    text = f"{esc(d if unit is None else format_change(d, unit))}{'*' if sig else ''}"
    arrow = arrow_of(d)
    tag = f'<span class="ppw-tag">{word}</span>' if word and tag else ""
    classes = "ppw-change" + (" ppw-sig" if sig else "")
    ahead = against != "last year"  # a plan: ahead of it or behind it
    title = {
        "better": f"ahead of {against}" if ahead else "better than last year",
        "worse": f"behind {against}" if ahead else "worse than last year",
        "same": f"on {against}" if ahead else "no change",
        "neutral": "change (no better or worse direction for this measure)",
    }.get(direction, "")
    return (
        f'<td class="{classes} ppw-{esc(direction)}" style="color:{colour}" title="{title}">'
        f"{text} {arrow}{tag}</td>"
    )


def _since_cell(text) -> str:
    """The since-last-month cell: the row's label as made, with its unit
    (:func:`helpers.analysis.compare.since_last_month`), green when improved, red when worsened."""
    if is_missing(text) or not str(text).strip():
        return "<td>N/A</td>"
    s = str(text)
    colour = BETTER if s.startswith("Improved") else WORSE if s.startswith("Worsened") else SAME
    return f'<td style="color:{colour}">{esc(s)}</td>'


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _msg_cell(rank, colour, of=None) -> str:
    """The MSG column: "4th of 7" (the rank among the forces with figures; 1 = best)."""
    if is_missing(rank):
        return "<td>n/a</td>"
    c = COLOURS.get(str(colour), SAME)
    word = {"better": "better", "worse": "worse"}.get(str(colour), "")
    tag = f'<span class="ppw-tag">{word}</span>' if word else ""
    text = f"{ordinal(int(rank))} of {int(of)}" if not is_missing(of) else str(int(rank))
    return f'<td style="color:{c}" title="{esc(colour)} than the MSG average">{text}{tag}</td>'


def national_note(row) -> str | None:
    """The note on a row's national rank (``national_rank``, ``national_of``), else None:
    "National rank of the number of all crime offences: 34th of 43 forces on Oct 2015 – Sep
    2016." (the measure named: all crime and victim-based crime may share a table)."""
    rank, of = _row_value(row, "national_rank"), _row_value(row, "national_of")
    if is_missing(rank) or is_missing(of):
        return None
    label = str(_row_value(row, "label") or _row_value(row, "measure", ""))
    return (
        f"National rank of {label[:1].lower()}{label[1:]}: {ordinal(int(rank))} of {int(of)} "
        f"forces on {_row_value(row, 'window_label', '')}."
    )


def plan_note(row) -> str:
    """The note under a table on a row compared with its plan, not with last year:
    "Savings delivered against plan is compared with the plan to date, not with last year:
    £6.704m to date, +£0.071m against the plan to date of £6.633m; requirement for 2013/14
    £6.633m." (the row's ``note`` states the plan and the requirement)."""
    unit = _row_value(row, "unit", "money")
    decimals = int(_row_value(row, "decimals", 0) or 0)
    label = str(_row_value(row, "label") or _row_value(row, "measure", ""))
    change = _row_value(row, "change")
    note = str(_row_value(row, "note") or "")
    text = f"{label} is compared with the plan to date, not with last year: "
    text += format_value(_row_value(row, "this_year"), unit, decimals) + " to date"
    if change is not None:
        text += f", {format_change(change, unit)}"
    return text + (f" {note}" if note.startswith("against") else f"; {note}" if note else "") + "."


def withheld_cell() -> str:
    """A figure withheld for public release (``suppressed`` rows; see the note under the table)."""
    return f'<td class="ppw-withheld" title="not published (small numbers)">{disclosure.MARK}</td>'


def _ci_text(value) -> str:
    return "" if is_missing(value) else f"±{float(value):.1f}%"


def previous_month_label(month) -> str:
    """``Feb 2014`` for a report of March 2014: the month the "since" column compares with."""
    m = pd.Period(str(month), freq="M") - 1
    return m.strftime("%b %Y")


def column_headings(period: str, month, *, msg: bool, since: bool, plan: bool = False) -> list[str]:
    """The published column headings for a period (12m / Cumulative / Monthly).

    ``plan``: every row is compared with its plan, not last year (savings): the headings say so.
    """
    word = PERIOD_HEADINGS.get(period, "12m")
    heads = [
        f"{word} Plan" if plan else f"{word} Last Year",
        f"{word} This Year",
        "Ahead (+)/ Behind (-) plan" if plan else "Better/ Worse % or % pt. diff.",
    ]
    if msg:
        heads.append("MSG Ranking")
    if since:
        what = "Diff. from plan" if plan else "Yr on Yr diff."
        heads.append(f"{what} Improved/ Worsened since {previous_month_label(month)}")
    return heads


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as dicts of Python values (``True``, ``1.5``, as ``iterrows`` gives them).

    A table reads each row's fields many times; a dict answers at once where a row Series takes
    microseconds per field, and this makes the dicts faster than ``DataFrame.to_dict``.
    """
    columns = list(frame.columns)
    if not columns:
        return [{} for _ in range(len(frame))]
    columns_values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns_values, strict=True)]


def _present(values: pd.Series) -> list:
    """The values that are not missing (as ``Series.dropna``), as Python values."""
    return [v for v in values.tolist() if not is_missing(v)]


def _row_value(row, key, default=None):
    value = row.get(key, default) if hasattr(row, "get") else getattr(row, key, default)
    return default if is_missing(value) and not isinstance(value, str) else value


def performance_table(
    rows: pd.DataFrame,
    *,
    title: str,
    month,
    period: str,
    geography: str = "Force",
    show_msg: bool | None = None,
    show_since: bool | None = None,
    extra_notes: Iterable[str] = (),
) -> str:
    """Return the Performance Information table of an area as HTML.

    Parameters
    ----------
    rows
        From :func:`helpers.analysis.performance.performance_rows` (columns label, unit, decimals,
        last_year, this_year, change, direction, significant, ci_last, ci_this, msg_rank, msg_colour,
        since_last_month, available, note, footnote, window_label, window_kind). Extra column
        ``no_source`` (bool) marks a row whose source has no data.
    title
        "1. Reducing Domestic Abuse".
    month, period, geography
        The run: the heading says "Data to Sep 2016 (unless stated otherwise)".
    show_msg, show_since
        Force the "MSG Ranking" / "since last month" columns on or off; by default each is shown
        when any row has a value for it.
    extra_notes
        Further notes printed under the table (already plain text; escaped here).

    Returns
    -------
    str
        ``<table class="ppw-table">`` followed by a legend and the footnotes.
    """
    month_text = pd.Period(str(month), freq="M").strftime("%b %Y")
    rows = rows if rows is not None else pd.DataFrame()
    if show_msg is None:
        show_msg = "msg_rank" in rows and bool(_present(rows["msg_rank"]))
    if show_since is None:
        show_since = "since_last_month" in rows and any(
            str(v) not in ("", "N/A") for v in _present(rows["since_last_month"])
        )
    # A table whose every row is on one fixed window other than the run's (re-offending: one month,
    # six months in arrears) is headed as published: "Monthly …", "Data for Mar 2016".
    uniform = _uniform_window(rows)
    table_period, since_month, data_line = period, month, f"Data to {month_text}"
    if uniform is not None and uniform[0] != period:
        table_period = uniform[0]
        if table_period == "month" and set(rows["unit"]) == {"money"}:
            table_period = "fytd"  # savings are delivered to date in the financial year
        since_month = uniform[2]
        data_line = f"Data for {uniform[1]}"
    # a table of rows compared with their plan only (area 7) is headed by the plan
    by_plan = "plan" in rows and len(rows) > 0 and not any(map(is_missing, rows["plan"]))
    heads = column_headings(
        table_period, since_month, msg=bool(show_msg), since=bool(show_since), plan=by_plan
    )
    geo = "" if geography in (None, "", "Force") else f"<br>{esc(geography)}"
    first = f"{esc(title)}<br>{esc(data_line)} (unless stated otherwise){geo}"
    place = geography if geography not in (None, "") else "Force"
    caption = hidden_caption(f"Performance Information: {title}, {place}, {data_line}")
    out = [f'<table class="ppw-table">{caption}<thead><tr>']
    out.append(f'<th scope="col" class="ppw-measure">{first}</th>')
    out += [f'<th scope="col">{esc(h)}</th>' for h in heads]
    out.append("</tr></thead><tbody>")
    ncols = len(heads)
    notes: list[str] = []
    window_notes: list[str] = []
    msg_notes: list[str] = []
    any_sig = False
    any_ci = False
    for row in records(rows):
        label = esc(_row_value(row, "label") or _row_value(row, "measure", ""))
        marker = ""
        kind = _row_value(row, "window_kind")
        wlabel = _row_value(row, "window_label")
        if kind and uniform is None and kind != table_period and wlabel:
            marker = "†"
            window_notes.append(
                f"{_row_value(row, 'label')} is for {_describe_window(kind, wlabel)}."
            )
        footnote = _row_value(row, "footnote")
        if footnote and footnote not in notes:
            notes.append(str(footnote))
        available = _row_value(row, "available", True)
        note = _row_value(row, "note") or ""
        if available is False and NOT_AT_LEVEL in str(note).lower():
            out.append(
                f'<tr><td class="ppw-label">{label}</td>'
                f'<td class="ppw-na" colspan="{ncols}">{esc(NOT_AT_LEVEL)}</td></tr>'
            )
            continue
        if _row_value(row, "no_source", False) is True:
            out.append(
                f'<tr><td class="ppw-label">{label}</td>'
                f'<td class="ppw-na" colspan="{ncols}">{esc(NO_SOURCE)}</td></tr>'
            )
            continue
        unit = _row_value(row, "unit", "count")
        decimals = int(_row_value(row, "decimals", 0) or 0)
        change = _row_value(row, "change")
        significant = _row_value(row, "significant")
        any_sig = any_sig or significant is True
        plan = _row_value(row, "plan")
        marker += flags.stale_flag(row)  # a stale source: "(data to Mar 2015)"
        if _row_value(row, "suppressed", False) is True:
            cells = [f'<td class="ppw-label">{label}{marker}</td>'] + [withheld_cell()] * 3
        else:
            # a measure compared with its plan prints the plan, named, where last year would be
            before = (
                f"<td>{'' if by_plan else 'Plan '}{format_value(plan, unit, decimals)}</td>"
                if not is_missing(plan)
                else f"<td>{format_value(_row_value(row, 'last_year'), unit, decimals)}</td>"
            )
            cells = [
                f'<td class="ppw-label">{label}{marker}</td>',
                before,
                f"<td>{format_value(_row_value(row, 'this_year'), unit, decimals)}</td>",
                flags.with_caution(
                    change_cell(
                        change,
                        str(_row_value(row, "direction", "na")),
                        significant,
                        unit=unit,
                        against="last year" if is_missing(plan) else "the plan",
                    ),
                    row,
                ),
            ]
            if not is_missing(plan):
                notes.append(plan_note(row))
        if show_msg:
            cells.append(
                _msg_cell(
                    _row_value(row, "msg_rank"),
                    _row_value(row, "msg_colour"),
                    _row_value(row, "msg_of"),
                )
            )
            msg_note = _row_value(row, "msg_note")
            if show_msg and not is_missing(msg_note) and msg_note and msg_note not in msg_notes:
                msg_notes.append(str(msg_note))
        national = national_note(row)
        if national and national not in msg_notes:
            msg_notes.append(national)
        if show_since:
            cells.append(_since_cell(_row_value(row, "since_last_month")))
        title_attr = f' title="{esc(reader_text(note))}"' if note else ""
        out.append(f"<tr{title_attr}>" + "".join(cells) + "</tr>")
        ci_last, ci_this = _row_value(row, "ci_last"), _row_value(row, "ci_this")
        if not (is_missing(ci_last) and is_missing(ci_this)):
            any_ci = True
            blanks = "".join("<td></td>" for _ in range(ncols - 2))
            out.append(
                '<tr class="ppw-ci"><td class="ppw-label">Confidence interval</td>'
                f"<td>{_ci_text(ci_last)}</td><td>{_ci_text(ci_this)}</td>{blanks}</tr>"
            )
    out.append("</tbody></table>")
    plans = "plan" in rows and any(not is_missing(v) for v in rows["plan"])
    out.append(
        legend_html(
            msg=bool(show_msg),
            significance=any_sig or any_ci,
            ci=any_ci,
            rule=rule_of(rows),
            plan="all" if by_plan else "some" if plans else "none",
        )
    )
    withheld = "suppressed" in rows and any(map(bool, _present(rows["suppressed"])))
    withheld_note = disclosure.footnote(rows) if withheld else None
    all_notes = list(
        dict.fromkeys(
            [*window_notes, *msg_notes, *notes, *extra_notes, *flags.notes(records(rows))]
        )
    )
    if withheld_note:
        all_notes.append(withheld_note)
    out.append(notes_html(all_notes, daggers=len(window_notes)))
    return "".join(out)


def _uniform_window(rows: pd.DataFrame) -> tuple[str, str, pd.Period] | None:
    """(kind, label, end month) when every row has the same window, else None."""
    if rows.empty or "window_kind" not in rows or "window_label" not in rows:
        return None
    kinds, labels = set(_present(rows["window_kind"])), set(_present(rows["window_label"]))
    if len(kinds) != 1 or len(labels) != 1:
        return None
    label = next(iter(labels))
    try:
        end = pd.Period(pd.Timestamp(label.split("–")[-1].strip()), freq="M")
    except ValueError:
        return None
    return next(iter(kinds)), label, end


def _describe_window(kind: str, label: str) -> str:
    if kind == "month":
        return f"the month of {label}"
    if kind == "rolling-12m":
        return f"the 12 months {label}"
    return f"{PERIOD_LABELS.get(kind, kind).lower()} {label}"


def rule_of(rows: pd.DataFrame) -> str:
    """The significance rule the rows' ``significant`` was decided by, in words: their
    ``significance_rule`` (:func:`helpers.analysis.performance.measure_row` states it on every
    tested row); rows made without it (in code) were decided by the demo profile's rule."""
    stated = set()
    if "significance_rule" in rows:
        stated = {str(v) for v in rows["significance_rule"] if not is_missing(v) and v}
    if len(stated) > 1:
        raise ValueError(f"rows decided by more than one significance rule: {sorted(stated)}")
    return significance_rule.stated_or_default(next(iter(stated), None))


def legend_html(
    *,
    msg: bool = False,
    significance: bool = False,
    ci: bool = False,
    plan: str = "none",
    rule: str | None = None,
) -> str:
    """The key to the colours and markers (so colour is never the only cue).

    ``plan``: ``"none"`` (every row is compared with last year), ``"all"`` (every row with its
    plan: savings) or ``"some"``. ``rule``: the significance rule in words (:func:`rule_of`;
    None: the demo profile's).
    """
    against = {
        "none": "than last year",
        "all": "ahead of / behind the plan",
        "some": "than last year (a row compared with its plan: ahead of / behind it)",
    }[plan]
    better, worse = ("ahead", "behind") if plan == "all" else ("better", "worse")
    parts = [
        f'<span style="color:{BETTER}">green ▲/▼ {better}</span> and '
        f'<span style="color:{WORSE}">red ▲/▼ {worse}</span> {against}; '
        "black: no change, or a measure with no better direction; ▲ up, ▼ down; N/A: not available"
    ]
    if significance:
        parts.append(
            "<b>bold*</b>: statistically significant change "
            f"({html.escape(rule or significance_rule.rule_text())})"
        )
    if ci:
        parts.append("Confidence interval: ± the 95% confidence interval of the survey rate")
    if msg:
        parts.append(
            "MSG (Most Similar Group of forces) Ranking: 1 = best; green/red: better/worse than "
            "the MSG average"
        )
    return '<p class="ppw-legend">' + ". ".join(parts) + ".</p>"


def notes_html(notes: Sequence[str], daggers: int = 0) -> str:
    """Footnotes as a list (plain text, escaped); the first ``daggers`` notes are marked †."""
    if not notes:
        return ""
    items = []
    for i, n in enumerate(notes):
        prefix = "† " if i < daggers else ""
        items.append(f"<li>{prefix}{esc(n)}</li>")
    return '<ul class="ppw-notes">' + "".join(items) + "</ul>"


def simple_table(
    df: pd.DataFrame,
    *,
    caption: str = "",
    formats: dict[str, str] | None = None,
    index: bool = False,
    na: str = "N/A",
    hidden: str = "",
    wrap: bool = False,
) -> str:
    """Return a small management-information table (escaped), e.g. response times by LPA.

    ``formats`` maps a column to a format string (``"{:,.0f}"``, ``"{:.1f}%"``); missing values print
    as ``na``. ``caption`` is shown above the table; ``hidden`` is a caption for screen readers
    only (the table sits under a heading that says what it is). With neither, the hidden caption
    names the columns. ``wrap``: the first column holds sentences and wraps (it is kept on one
    line otherwise, which would make a page scroll sideways).
    """
    formats = formats or {}
    frame = df.reset_index() if index else df
    out = [f'<table class="ppw-small{" ppw-wrap" if wrap else ""}">']
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:bold">{esc(caption)}</caption>')
    else:
        out.append(hidden_caption(hidden or "Table of " + ", ".join(map(str, frame.columns))))
    out.append(
        "<thead><tr>"
        + "".join(f'<th scope="col">{esc(c)}</th>' for c in frame.columns)
        + "</tr></thead>"
    )
    out.append("<tbody>")
    for _, row in frame.iterrows():
        cells = []
        for col in frame.columns:
            v = row[col]
            if is_missing(v):
                text = na
            elif col in formats:
                try:
                    text = formats[col].format(v)
                except (TypeError, ValueError):
                    text = str(v)
            else:
                text = str(v)
            # text reads from the left, numbers line up on the right
            left = isinstance(v, str) and col not in formats
            cells.append(
                f'<td style="text-align:left">{esc(text)}</td>' if left else f"<td>{esc(text)}</td>"
            )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def note_html(text: str, kind: str = "info") -> str:
    """A visible note box ("info" or "warning"), escaped."""
    cls = "ppw-warning" if kind == "warning" else "ppw-info"
    return f'<div class="{cls}">{esc(text)}</div>'
