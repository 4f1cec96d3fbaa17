"""A chart's data as a table, under the chart: ``<details><summary>Chart data</summary>…</details>``.

A chart is a picture: a reader who cannot see it, or who wants the figures behind a bar, gets
only its alternative text and caption. Every chart of the pages is drawn by a builder of
:mod:`helpers.render.charts` or :mod:`helpers.render.spc_charts` from data handed to it in full
(see ``helpers.pages.charting._chart``), so the table is made from exactly those arguments,
never from the cube again: it shows what the chart shows (blanked where withheld), in the pack's
number format (:mod:`helpers.render.numbers`).

:func:`chart_table` gives the table (:class:`ChartTable`: one row per bar, month or point, one
column per series; an SPC chart's mean and process limits, the same for a stretch of months,
once per stretch in its ``note`` rather than on every row, to keep pages small);
:func:`chart_data_html` the closed ``<details>`` element. A chart drawn from no data
(``no_data_figure``) has no table. Tables are made for every view of every chart of a pack, so
they are built from plain lists, not data frames.

Examples
--------
>>> import pandas as pd
>>> from helpers.render import charts
>>> df = pd.DataFrame({"category": ["A", "A", "B"], "year": ["Last year", "This year",
...                    "This year"], "value": [10.0, 12.0, 3.0]})
>>> chart_table(charts.grouped_bar, (df,), {"category": "category", "value": "value",
...             "title": "T", "value_label": "Crimes"}).rows
[['A', '10', '12'], ['B', 'N/A', '3']]
"""

from __future__ import annotations

import calendar
import html
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from .numbers import format_value, is_missing

#: What the table prints where the chart has no point (a gap, a withheld figure).
NO_VALUE = "N/A"

#: The special-cause rules (:data:`helpers.spc.RULES`) in a word or two; the chart's caption says
#: what each means.
_RULE_WORDS = {
    "outside_limits": "outside the limits",
    "shift": "run",
    "trend": "trend",
    "two_in_three": "near a limit",
}
_POINT_WORDS = {"improvement": "improvement", "concern": "concern"}


@dataclass
class ChartTable:
    """A chart's data as text: the headings, the rows (the first cell of each names the row) and
    a note printed under the table ("" for none)."""

    columns: list[str]
    rows: list[list[str]]
    note: str = ""

    def column(self, heading: str) -> list[str]:
        """The cells under ``heading``."""
        i = self.columns.index(heading)
        return [row[i] for row in self.rows]


def _arguments(builder: Callable, args: Sequence, kwargs: dict) -> dict:
    """The builder's arguments by name, defaults filled in (those caught by a ``**kwargs`` of a
    stand-in for the builder, as tests wrap one, by their own names)."""
    signature = inspect.signature(builder)
    bound = signature.bind_partial(*args, **kwargs)
    bound.apply_defaults()
    out = dict(bound.arguments)
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            out.update(out.pop(name, {}))
    return out


def _month(value) -> pd.Period | None:
    if is_missing(value):
        return None
    return value if isinstance(value, pd.Period) else pd.Period(value, freq="M")


def _month_text(month: pd.Period | None) -> str:
    """``Sep 2016`` (as the charts' axes and the pages print months)."""
    return NO_VALUE if month is None else f"{calendar.month_abbr[month.month]} {month.year}"


def _fraction_decimals(values) -> int:
    """1 where plain numbers have fractions (an SPC chart's mean and limits of counts), else 0."""
    return int(any(not is_missing(v) and float(v) != round(float(v)) for v in values))


def _formatter(unit: str, decimals: int) -> Callable[[object], str]:
    def fmt(value) -> str:
        return NO_VALUE if is_missing(value) else format_value(value, unit, decimals)

    return fmt


def _numbers(values: pd.Series) -> list:
    return pd.to_numeric(values, errors="coerce").tolist()


def _pivot(keys: list, columns: list, values: list) -> dict:
    """Long data as ``{(key, column): mean value}`` (the mean where several rows share a cell, as
    the bar charts draw them; missing values left out)."""
    sums: dict = {}
    for k, c, v in zip(keys, columns, values, strict=True):
        if not is_missing(v):
            total = sums.setdefault((k, c), [0.0, 0])
            total[0] += v
            total[1] += 1
    return {cell: total / n for cell, (total, n) in sums.items()}


def _seen(values: list, first: Sequence | None = None) -> list:
    """The values of ``first`` that occur, then the others as first seen (missing left out)."""
    present = list(dict.fromkeys(v for v in values if not is_missing(v)))
    head = [v for v in (first or ()) if v in present]
    return head + [v for v in present if v not in head]


def _bars(a: dict) -> ChartTable:
    """grouped_bar: a row per category, a column per series (last year, this year)."""
    df = a["df"]
    keys, series = df[a["category"]].tolist(), df[a["series"]].tolist()
    cells = _pivot(keys, series, _numbers(df[a["value"]]))
    rows, names = _seen(keys, a.get("order")), _seen(series, a["series_order"])
    fmt = _formatter(a["unit"], a["decimals"])
    return ChartTable(
        [a["category_label"] or "Category", *map(str, names)],
        [[str(r), *(fmt(cells.get((r, n))) for n in names)] for r in rows],
    )


def _points(a: dict) -> ChartTable:
    """point_interval: a row per category; per series its value and 95% interval."""
    df = a["df"]
    keys, series = df[a["category"]].tolist(), df[a["series"]].tolist()
    values = _pivot(keys, series, _numbers(df[a["value"]]))
    widths = _pivot(keys, series, _numbers(df[a["half_width"]]))
    rows, names = _seen(keys, a.get("order")), _seen(series, a["series_order"])

    def cell(r, n) -> str:
        if (r, n) not in values:
            return NO_VALUE
        width = widths.get((r, n))
        return f"{values[(r, n)]:.1f}%" + ("" if width is None else f" ±{width:.1f}")

    return ChartTable(
        ["Category", *(f"{n} (%)" for n in names)],
        [[str(r), *(cell(r, n) for n in names)] for r in rows],
    )


def _months(a: dict, value_columns: dict[str, str]) -> ChartTable:
    """A row per month: line_chart (a column per series), bar_by_month, plan_vs_delivered
    (``value_columns``: column → heading, when there is no ``series``)."""
    df = a["df"]
    months = [_month(v) for v in df[a.get("x", "month")].tolist()]
    if a.get("series"):  # long data: one column per series
        series = df[a["series"]].tolist()
        cells = _pivot(months, series, _numbers(df[a["value"]]))
        names = _seen(series, a.get("series_order"))
        headings = [str(n) for n in names]
    else:
        cells, names, headings = {}, [], []
        for column, heading in value_columns.items():
            if column in df:
                cells.update(_pivot(months, [heading] * len(df), _numbers(df[column])))
                names.append(heading)
                headings.append(heading)
    fmt = _formatter(a.get("unit", "count"), a.get("decimals", 0))
    rows = sorted({m for m in months if m is not None})
    return ChartTable(
        [a.get("x_label") or "Month", *headings],
        [[_month_text(m), *(fmt(cells.get((m, n))) for n in names)] for m in rows],
    )


def _ranked(a: dict) -> ChartTable:
    """ranked_bar: the rows in the chart's order, the highlighted one named."""
    df = a["df"].dropna(subset=[a["value"]]).sort_values(a["value"], ascending=a["ascending"])
    fmt = _formatter(a["unit"], a["decimals"])
    return ChartTable(
        [str(a["label"]).replace("_", " ").capitalize(), a["value_label"]],
        [
            [f"{n} (this force)" if n == a["highlight"] else str(n), fmt(v)]
            for n, v in zip(df[a["label"]].tolist(), df[a["value"]].tolist(), strict=True)
        ],
    )


def _spc(a: dict) -> ChartTable:
    """spc_chart: a row per month (its value and any special cause), then the projection's
    flagged horizons; the mean and process limits of each stretch of months in the note."""
    df = a["df"]
    keep = (df["value"].notna() | df["mean"].notna()).tolist()
    columns = ("value", "mean", "lower_limit", "upper_limit", "rule", "point_type")
    months = [_month(m) for m, k in zip(df.index, keep, strict=True) if k]
    value, mean, lower, upper, rule, kind = (
        [v for v, k in zip(df[c].tolist(), keep, strict=True) if k] for c in columns
    )
    fmt = _formatter("number", _fraction_decimals(value))
    fmt_line = _formatter("number", _fraction_decimals([*value, *mean]))
    same_polarity = a["polarity"] in (None, df.attrs.get("polarity"))

    def cause(r, point_type) -> str:
        if not r:
            return ""
        word = _POINT_WORDS.get(point_type, "special cause") if same_polarity else "special cause"
        return f"{word} ({_RULE_WORDS.get(r, r)})"

    causes = [cause(r, t) for r, t in zip(rule, kind, strict=True)]
    rows = [[_month_text(m), fmt(v), c] for m, v, c in zip(months, value, causes, strict=True)]
    projection = a.get("projection")
    if projection is not None and len(projection):
        flagged = projection[projection["horizon_flag"]]
        rows += [
            [_month_text(_month(m)), f"{fmt(p)} projected (95%: {fmt(lo)} to {fmt(hi)})", ""]
            for m, p, lo, hi in zip(
                flagged.index, flagged["projection"], flagged["lower"], flagged["upper"],
                strict=True,
            )
        ]  # fmt: skip
    headings = ["Month", a["unit_label"], "Special cause"]
    if not any(causes):  # none to show (the caption says so): no empty column
        headings, rows = headings[:2], [row[:2] for row in rows]
    return ChartTable(headings, rows, _lines_note(months, mean, lower, upper, fmt_line))


def _lines_note(months, mean, lower, upper, fmt: Callable[[object], str]) -> str:
    """The chart's mean and process limits, once for each stretch of months they hold for:
    "Oct 2012 – Sep 2016: mean 8,741.0, process limits 7,438.9 to 10,043.1."."""
    stretches: list[list] = []  # [first month, last month, (mean, lower, upper)]
    for month, *values in zip(months, mean, lower, upper, strict=True):
        key = tuple(None if is_missing(v) else round(float(v), 6) for v in values)
        if stretches and stretches[-1][2] == key:
            stretches[-1][1] = month
        else:
            stretches.append([month, month, key])
    parts = []
    for first, last, (m, lo, hi) in stretches:
        if m is None:
            continue
        text = f"{_month_text(first)} – {_month_text(last)}: mean {fmt(m)}"
        if lo is not None and hi is not None:
            text += f", process limits {fmt(lo)} to {fmt(hi)}"
        parts.append(text)
    return "; ".join(parts) + "." if parts else ""


def _seasonal(a: dict) -> ChartTable:
    """seasonality_chart: each calendar month's factor, as % above or below an average month."""
    factors = a["factors"]
    return ChartTable(
        ["Month", "Against an average month"],
        [
            [calendar.month_name[int(k)], NO_VALUE if is_missing(f) else f"{100 * (f - 1):+.0f}%"]
            for k, f in zip(factors.index, factors.tolist(), strict=True)
        ],
    )


_TABLES: dict[str, Callable[[dict], ChartTable]] = {
    "grouped_bar": _bars,
    "point_interval": _points,
    "line_chart": lambda a: _months(a, {a["value"]: a["value_label"]}),
    "bar_by_month": lambda a: _months(a, {a["value"]: a["value_label"]}),
    "plan_vs_delivered": lambda a: _months(
        {**a, "unit": "money", "decimals": 3},
        {a["delivered"]: "Delivered", a["plan"]: "Plan to date"},
    ),
    "ranked_bar": _ranked,
    "spc_chart": _spc,
    "seasonality_chart": _seasonal,
}


def chart_table(
    builder: Callable, args: Sequence = (), kwargs: dict | None = None
) -> ChartTable | None:
    """The data of ``builder(*args, **kwargs)`` as a :class:`ChartTable`, or None for no table.

    None for a chart of no data (``no_data_figure``, an empty or missing frame, a frame without
    the value column: the builder draws "No data to show") and for a builder this module does
    not know (its data cannot be read without knowing its arguments).
    """
    make = _TABLES.get(getattr(builder, "__name__", ""))
    if make is None:
        return None
    a = _arguments(builder, args, kwargs or {})
    data = a.get("df", a.get("factors"))
    if data is None or len(data) == 0:
        return None
    needed = [a[k] for k in ("value", "delivered") if isinstance(a.get(k), str)]
    if isinstance(data, pd.DataFrame) and any(c not in data.columns for c in needed):
        return None
    try:
        table = make(a)
    except (
        KeyError
    ):  # a stand-in that does not take the builder's arguments: no table, not a wrong one
        return None
    return table if table.rows else None


def table_html(table: ChartTable, caption: str) -> str:
    """A chart's table as HTML: a visually hidden caption, column headers with ``scope="col"``,
    the first cell of each row a row header (``scope="row"``), the note under it."""
    esc = html.escape
    heads = "".join(f'<th scope="col">{esc(c)}</th>' for c in table.columns)
    rows = "".join(
        f'<tr><th scope="row">{esc(r[0])}</th>'
        + "".join(f"<td>{esc(v)}</td>" for v in r[1:])
        + "</tr>"
        for r in table.rows
    )
    note = f'<p class="ppw-legend">{esc(table.note)}</p>' if table.note else ""
    return (
        f'<table class="ppw-small ppw-chart-table"><caption class="ppw-sr-only">{esc(caption)}'
        f"</caption><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>{note}"
    )


def chart_data_html(builder: Callable, args: Sequence = (), kwargs: dict | None = None) -> str:
    """``<details class="ppw-chart-data"><summary>Chart data</summary><table>…</details>`` for
    a chart, closed; "" when it has no table (:func:`chart_table`)."""
    table = chart_table(builder, args, kwargs)
    if table is None:
        return ""
    title = str(_arguments(builder, args, kwargs or {}).get("title") or "the chart")
    return (
        '<details class="ppw-chart-data"><summary>Chart data</summary>'
        + table_html(table, f"Data of the chart: {title}")
        + "</details>"
    )


__all__ = ["NO_VALUE", "ChartTable", "chart_data_html", "chart_table", "table_html"]
