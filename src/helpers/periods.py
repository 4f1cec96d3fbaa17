"""Months and reporting windows.

A *month* is a ``pandas.Period`` with monthly frequency. A *window* is a run of consecutive months
ending at a month: the published reports use

- ``rolling-12m``: the 12 months ending at the month (September 2016 report style);
- ``fytd``: the financial year to date, April to the month (March 2014 report style, "cumulative");
- ``month``: the single month.

"Last year" is always the same window one year earlier. A measure reported "in arrears" (re-offending)
uses the month ``lag`` months before the report month.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

PERIODS = ("rolling-12m", "fytd", "month")
PERIOD_LABELS = {
    "rolling-12m": "Rolling 12 months",
    "fytd": "Financial year to date",
    "month": "Single month",
}
#: Column headings as printed in the published tables.
PERIOD_HEADINGS = {"rolling-12m": "12m", "fytd": "Cumulative", "month": "Monthly"}


class PeriodError(ValueError):
    """A month or period that cannot be understood."""


def parse_month(value: str | pd.Period | pd.Timestamp) -> pd.Period:
    """Return the month as a monthly ``Period``.

    Accepts ``"2016-09"``, a ``Period`` or a ``Timestamp``. Papermill's ``-p month 2016-09`` passes a
    string; YAML leaves ``2016-09`` as a string too, so notebooks parse the month themselves.

    Examples
    --------
    >>> parse_month("2016-09")
    Period('2016-09', 'M')
    """
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, pd.Timestamp):
        return value.to_period("M")
    text = str(value).strip()
    try:
        if len(text) != 7 or text[4] != "-":
            raise ValueError
        return pd.Period(text, freq="M")
    except (ValueError, TypeError):
        raise PeriodError(
            f"month {value!r} is not of the form YYYY-MM (for example 2016-09)"
        ) from None


def as_month(value) -> pd.Period | None:
    """``value`` as a month, or None where it is empty or not a month (for values read back from
    files: ``"2016-09"``, ``"2016-09-30"``, a ``Period`` or a ``Timestamp``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return parse_month(value) if not isinstance(value, str) else pd.Period(value[:7], "M")
    except (PeriodError, ValueError, TypeError):
        return None


def check_period(period: str) -> str:
    """Return ``period`` if it is one of :data:`PERIODS`, else raise listing the valid ones."""
    if period not in PERIODS:
        raise PeriodError(f"period {period!r} is not known; valid periods are {', '.join(PERIODS)}")
    return period


def financial_year_start(month: pd.Period, start_month: int = 4) -> pd.Period:
    """Return the first month of the financial year that contains ``month`` (April start).

    >>> financial_year_start(pd.Period("2014-03", "M"))
    Period('2013-04', 'M')
    >>> financial_year_start(pd.Period("2014-04", "M"))
    Period('2014-04', 'M')
    """
    year = month.year if month.month >= start_month else month.year - 1
    return pd.Period(year=year, month=start_month, freq="M")


def financial_year_label(month: pd.Period, start_month: int = 4) -> str:
    """Return the financial year as printed, e.g. ``2013/14``."""
    start = financial_year_start(month, start_month)
    return f"{start.year}/{(start.year + 1) % 100:02d}"


@dataclass(frozen=True)
class Window:
    """Consecutive months ``start`` … ``end`` (both included) of a given kind."""

    kind: str
    start: pd.Period
    end: pd.Period

    @property
    def months(self) -> list[pd.Period]:
        """The months of the window in order."""
        return list(pd.period_range(self.start, self.end, freq="M"))

    @property
    def n_months(self) -> int:
        return (self.end - self.start).n + 1

    def shift(self, months: int) -> Window:
        """The same window moved by ``months`` (negative is earlier)."""
        return Window(self.kind, self.start + months, self.end + months)

    def last_year(self) -> Window:
        """The same window one year earlier."""
        return self.shift(-12)

    @property
    def label(self) -> str:
        """Human label, e.g. ``Oct 2015 – Sep 2016`` or ``Sep 2016``."""
        if self.start == self.end:
            return self.end.strftime("%b %Y")
        return f"{self.start.strftime('%b %Y')} – {self.end.strftime('%b %Y')}"


def window(kind: str, month: str | pd.Period, *, lag: int = 0, start_month: int = 4) -> Window:
    """Return the window of ``kind`` ending at ``month`` (less ``lag`` months).

    Parameters
    ----------
    kind
        ``rolling-12m``, ``fytd`` or ``month``.
    month
        The report month.
    lag
        Months in arrears (re-offending is reported six months behind).
    start_month
        First month of the financial year (4 = April).

    Examples
    --------
    >>> window("fytd", "2014-03").label
    'Apr 2013 – Mar 2014'
    >>> window("rolling-12m", "2016-09").last_year().label
    'Oct 2014 – Sep 2015'
    >>> window("month", "2016-09", lag=6).label
    'Mar 2016'
    """
    check_period(kind)
    end = parse_month(month) - lag
    if kind == "month":
        start = end
    elif kind == "rolling-12m":
        start = end - 11
    else:
        start = financial_year_start(end, start_month)
    return Window(kind, start, end)


def month_label(month: str | pd.Period) -> str:
    """``Sep 2016`` for 2016-09, as the reports print it."""
    return parse_month(month).strftime("%b %Y")
