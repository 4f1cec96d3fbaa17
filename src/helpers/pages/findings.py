"""What changed: the findings the master's executive summary and exceptions list are made of.

A *finding* is one measure, at one place, that needs a reader's attention, for one or both of two
reasons, judged by the pack's two stated rules and no other:

- **a significant change** on last year: the row's ``significant`` flag, decided by the one
  significance rule (:mod:`helpers.analysis.significance`) — the same flag that puts the "*" in the
  tables;
- **special cause** in the monthly series (statistical process control, :mod:`helpers.spc`): the
  latest month outside the usual range (the process limits), or part of a run, a trend or two of
  three months near a limit.

A measure has at most one finding per place (both reasons in it), so a list never names a measure
twice with two different figures. Whether a finding is a concern or an improvement follows the
measure's polarity: a significant change by its direction against last year, special cause by the
side of the limits it is on. A measure with no better direction is "unusual".

:func:`scan` finds them for one view (geography and period), :func:`projections` the measures
whose projected line would leave the usual range within six months, and :func:`as_at` the figures
that are for another window than the view's (lagged, survey or ranked figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import spc
from ..analysis.caution import MARK
from ..contract.catalog import measure
from ..render.tables import format_value, is_missing
from .charting import spc_months

#: The SPC rule in plain English: (rule, direction) → phrase, ``{n}`` the months in the run and
#: ``{month}`` the latest month.
PLAIN_RULES = {
    ("outside_limits", "high"): "{month} above the usual range",
    ("outside_limits", "low"): "{month} below the usual range",
    ("trend", "high"): "{n} months rising in a row",
    ("trend", "low"): "{n} months falling in a row",
    ("two_in_three", "high"): "2 of the last 3 months near the top of the usual range",
    ("two_in_three", "low"): "2 of the last 3 months near the bottom of the usual range",
    ("shift", "high"): "{n} months running above the average",
    ("shift", "low"): "{n} months running below the average",
}
#: The fewest months that give a control chart limits (the history read is the chart's own:
#: :func:`helpers.pages.charting.spc_months`).
SPC_MIN_POINTS = 13
#: How far ahead a projection is asked whether it leaves the usual range.
PROJECTION_HORIZON = 6

#: The kinds of finding, in list order. "mixed": a significant change one way and special cause
#: the other way (e.g. better than last year, but the latest month below the usual range).
KIND_ORDER = {"concern": 0, "improvement": 1, "mixed": 2, "unusual": 3}


def month_text(value) -> str:
    """A month as the pages print it: ``Period('2016-09')`` or ``"2016-09-01"`` → "Sep 2016"."""
    return pd.Period(str(value)[:7], "M").strftime("%b %Y")


@dataclass(frozen=True)
class Finding:
    """One measure at one place that changed significantly or shows special cause."""

    area: int
    measure_id: str
    label: str
    geography: str
    kind: str  # concern | improvement | mixed | unusual
    up: bool  # the change (or the special-cause side) is upward
    significant: bool  # significant change on last year (the tables' "*")
    special_cause: bool  # special cause in the monthly series
    this_year: str  # the view's figure, formatted as the tables print it
    window_label: str
    change: str  # "up 10.1% on last year", "" without a change
    spc: str  # "9 months running above the average", "" without special cause
    latest_month: str  # the latest month of the monthly series (the report month without one)
    latest_value: str  # its value, formatted
    #: ``caution_below`` where the change rests on fewer records than it (a reading aid:
    #: :mod:`helpers.analysis.caution`), else None
    few_records: int | None = None

    @property
    def reasons(self) -> str:
        """Why it is listed, in words: "down 3.6 points on last year, a statistically significant
        change; Sep 2016 below the usual range"."""
        parts = []
        if self.significant:
            parts.append(f"{self.change}, a statistically significant change")
        if self.special_cause:
            parts.append(f"{self.spc} (special cause)")
        if self.few_records:
            parts.append(self.caution)
        return "; ".join(parts)

    @property
    def caution(self) -> str:
        """ "" or "‡ fewer than 30 records: read with care"."""
        if not self.few_records:
            return ""
        return f"{MARK} fewer than {self.few_records} records: read with care"

    @property
    def headline(self) -> str:
        """The summary's sentence: "The number of all crime offences 115,146, up 10.1% on last
        year; 9 months running above the average"."""
        text = f"{self.label} {self.this_year}"
        if self.change:
            text += f", {self.change}"
            if self.significant:
                text += " (significant)"
        if self.special_cause:
            text += f"; {self.spc}"
        if self.few_records:
            text += f" ({self.caution})"
        return text


def change_words(change, unit: str, *, against: str = "on last year") -> str:
    """ "up 10.1% on last year", "down 3.6 points on last year", "no change on last year".

    ``unit`` is the row's ``change_unit`` ("%", "% pt.", "£m", "s", "min", "days").

    >>> change_words(10.1, "%"), change_words(-3.6, "% pt."), change_words(0, "%")
    ('up 10.1% on last year', 'down 3.6 points on last year', 'no change on last year')
    >>> change_words(0.071, "£m", against="against plan")
    'up £0.071m against plan'
    """
    if change is None or is_missing(change):
        return ""
    value = float(change)
    if value == 0:
        return f"no change {against}"
    size = str(abs(change)) if not isinstance(change, float) else f"{abs(change):g}"
    if unit == "%":
        amount = f"{size}%"
    elif unit == "% pt.":
        amount = f"{size} points"
    elif unit == "£m":
        amount = f"£{size}m"
    else:
        amount = f"{size} {unit}".strip()
    return f"{'up' if value > 0 else 'down'} {amount} {against}"


def spc_words(summary: dict) -> str:
    """The special cause of an :func:`helpers.spc.summarise` result in plain English ("" if none)."""
    if not summary.get("special_cause"):
        return ""
    phrase = PLAIN_RULES.get((summary["rule"], summary["direction"]), "")
    return phrase.format(n=summary.get("run_length") or 0, month=month_text(summary["latest"]))


def _kind(direction: str) -> str:
    return {"better": "improvement", "worse": "concern"}.get(direction, "unusual")


def _spc_kind(point_type: str) -> str:
    return {"improvement": "improvement", "concern": "concern"}.get(point_type, "unusual")


@dataclass(frozen=True)
class Monthly:
    """A measure's monthly series at one place, its control chart and the chart's summary."""

    values: pd.Series  # by month (PeriodIndex), oldest first
    process: pd.DataFrame  # :func:`helpers.spc.xmr` of the values
    summary: dict  # :func:`helpers.spc.summarise` of the process


def monthly(ctx, m) -> Monthly | None:
    """Measure ``m``'s monthly series at ``ctx``'s place with its control chart, or None.

    None where the measure has no monthly series the pack charts (a fixed-window measure, a unit
    other than a count or a rate), is not kept at this level, or has fewer than
    :data:`SPC_MIN_POINTS` months. The series does not depend on the period.
    """
    if m.window != "period" or m.unit not in ("count", "percent"):
        return None
    if ctx.geography_for(m) != ctx.geography:
        return None
    s = ctx.series(m.id, months=spc_months(m.id))
    values = s.set_index("month")["value"].astype(float) if len(s) else pd.Series(dtype=float)
    if values.notna().sum() < SPC_MIN_POINTS:
        return None
    process = spc.xmr(values, polarity=m.polarity)
    return Monthly(values, process, spc.summarise(process, m.polarity))


def _shown(row: dict) -> bool:
    """Whether a scorecard row has figures a reader sees (not withheld, not without a source)."""
    return bool(
        row.get("available")
        and row.get("suppressed") is not True
        and row.get("no_source") is not True
    )


def scan(ctx, card: pd.DataFrame, series: dict[str, Monthly]) -> list[Finding]:
    """The findings of one view: ``card`` is its scorecard frame (every in-table row), ``ctx``
    the :class:`helpers.pages.sections.Context` of its place, ``series`` measure id →
    :func:`monthly` at that place.
    """
    out = []
    for row in card.to_dict("records"):
        if not _shown(row):
            continue
        m = measure(row["measure_id"])
        summary = series[m.id].summary if m.id in series else None
        significant = row.get("significant") is True
        special = bool(summary and summary["special_cause"])
        if not significant and not special:
            continue
        change = row.get("change")
        change = None if is_missing(change) else change
        against = "against plan" if getattr(m, "compare", None) == "plan" else "on last year"
        decimals = int(row.get("decimals") or 0)
        if significant:
            kind, up = _kind(str(row.get("direction"))), change is not None and change > 0
            if special and {kind, _spc_kind(summary["point_type"])} == {"improvement", "concern"}:
                kind = "mixed"
        else:
            kind, up = _spc_kind(summary["point_type"]), summary["direction"] == "high"
        out.append(
            Finding(
                area=int(row["area"]),
                measure_id=m.id,
                label=str(row["label"]),
                geography=ctx.geography,
                kind=kind,
                up=up,
                significant=significant,
                special_cause=special,
                this_year=format_value(row.get("this_year"), row["unit"], decimals),
                window_label=str(row.get("window_label") or ""),
                change=change_words(change, str(row.get("change_unit") or ""), against=against),
                spc=spc_words(summary) if special else "",
                latest_month=month_text(summary["latest"]) if special else month_text(ctx.month),
                latest_value=(
                    format_value(summary["latest_value"], m.unit, m.decimals)
                    if special
                    else format_value(row.get("this_year"), row["unit"], decimals)
                ),
                few_records=None if is_missing(row.get("caution")) else int(row["caution"]),
            )
        )
    return sorted(out, key=lambda f: (KIND_ORDER[f.kind], f.area))


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a frame (one row each), concerns first, by area within each kind."""
    columns = list(Finding.__dataclass_fields__) + ["reasons"]
    rows = [{**f.__dict__, "reasons": f.reasons} for f in findings]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Projection:
    """A measure whose projected line leaves the usual range within the horizon."""

    area: int
    measure_id: str
    label: str
    kind: str  # concern | improvement | unusual
    up: bool
    month: str  # the first month it would be outside the range

    @property
    def sentence(self) -> str:
        side = "above" if self.up else "below"
        return f"{self.label}: projected {side} the usual range by {self.month}"


def projections(series: dict[str, Monthly]) -> list[Projection]:
    """The measures whose projection (:func:`helpers.spc.project`, seasonal where there are 36
    months) would be outside the current process limits within :data:`PROJECTION_HORIZON`
    months; ``series`` as for :func:`scan` (a place's monthly series: projections do not depend
    on the period)."""
    out = []
    for measure_id, monthly_ in series.items():
        m = measure(measure_id)
        values = monthly_.values
        if len(values) < 24 or values.isna().any():
            continue
        try:
            proj = spc.project(
                values,
                horizons=(PROJECTION_HORIZON,),
                seasonal="auto",
                process=monthly_.process,
                floor=0,
                ceiling=100 if m.unit == "percent" else None,
            )
        except ValueError:
            continue
        ahead = proj[(proj["horizon"] <= PROJECTION_HORIZON) & proj["would_be_exception"]]
        if ahead.empty:
            continue
        first = ahead.iloc[0]
        up = float(first["projection"]) > float(monthly_.process["mean"].iloc[-1])
        if m.polarity == "neutral":
            kind = "unusual"
        else:
            kind = "improvement" if up == (m.polarity == "higher_better") else "concern"
        out.append(Projection(m.area, m.id, m.label, kind, up, ahead.index[0].strftime("%b %Y")))
    return out


def _ends(label: str) -> pd.Period | None:
    """The last month of a window label ("Oct 2015 – Sep 2016" → Sep 2016), None if none."""
    try:
        return pd.Period(pd.to_datetime(label[-8:], format="%b %Y"), "M")
    except ValueError:
        return None


def as_at(card: pd.DataFrame, month) -> list[tuple[list[str], str]]:
    """The lagged and ranked figures of a view, with the date they are as at:
    ``[(["Adult re-offending rate", …], "Oct 2014 – Sep 2015"), (["Most Similar Group ranks"],
    "Oct 2015 – Sep 2016")]``.

    A figure is listed when its window ends before the report month (a re-offending cohort read
    with its lag, a survey read for the last quarter published, a source that ends earlier);
    the Most Similar Group and national ranks are listed with the windows they rank.
    """
    month = pd.Period(str(month), "M")
    groups: dict[str, list[str]] = {}
    ranked: list[str] = []
    for row in card.to_dict("records"):
        if row.get("no_source") is True or not row.get("available"):
            continue
        label = str(row.get("window_label") or "")
        end = _ends(label)
        if end is not None and end < month:
            groups.setdefault(label, []).append(str(row["label"]))
        if not is_missing(row.get("msg_rank")) and label not in ranked:
            ranked.append(label)
    out = [(names, label) for label, names in groups.items()]
    if ranked:
        out.append((["Most Similar Group ranks"], ", ".join(ranked)))
    return out
