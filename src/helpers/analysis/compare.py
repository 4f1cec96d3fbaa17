"""Comparisons exactly as the published tables make them.

- counts → % change; rates → percentage-point difference; times → plain difference;
- rounded half-up to the published precision (``round(31.25, 1)`` is 31.2 in Python; the
  reports print 31.3), computed in decimal arithmetic from decimal strings;
- "N/A" where last year is missing or not comparable;
- change since last month (March 2014 style): this month's year-on-year change minus last
  month's, each *unrounded* (:func:`unrounded_change`), the difference rounded once, labelled
  Improved / Worsened / Same by the measure's polarity, with its unit ("% pt." for counts and
  percentages, "days", "s", "min", money as "-£0.333m");
- a change printed with its unit (:func:`change_text`) and money as "-£0.333m" (:func:`money_text`);
- survey rates: 95% confidence interval half-width and a two-proportion test of the change;
- Most Similar Group rank (1 = best by polarity) and the MSG-average colouring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

PERCENT_UNITS = ("percent", "rate")
#: Units compared by plain difference.
DIFFERENCE_UNITS = ("seconds", "minutes", "days", "money")
Z_95 = 1.959963984540054
#: The unit printed after a Better/Worse figure, by the measure's unit (money is printed whole by
#: :func:`money_text`: "+£0.071m").
CHANGE_UNITS = {
    "count": "%",
    "percent": "% pt.",
    "rate": "per 1,000",
    "seconds": "s",
    "minutes": "min",
    "days": "days",
    "money": "£m",
}
#: The unit of a change since last month: for a count it is the difference of two % changes, so
#: percentage points (as the published reports print it: "Worsened (5.1% pt.)").
SINCE_UNITS = {**CHANGE_UNITS, "count": "% pt."}


def is_missing(value) -> bool:
    """True for None, NaN and pandas NA (a figure that is not there), False for anything else.

    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(0), is_missing("x")
    (True, True, True, False, False)
    """
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_decimal(value) -> Decimal | None:
    """Exact decimal of a number as written (``31.25`` → ``Decimal('31.25')``); None for missing."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # repr gives the shortest string that round-trips, i.e. the number as a person wrote it.
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        return None


def round_half_up(value, decimals: int) -> Decimal | None:
    """Round half away from zero to ``decimals`` places, as the published tables do.

    >>> round_half_up(31.25, 1)
    Decimal('31.3')
    >>> round_half_up(-0.04, 1)
    Decimal('0.0')
    """
    d = to_decimal(value)
    if d is None:
        return None
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # no "-0.0"
    return q


def unrounded_change(last, this, unit: str) -> Decimal | None:
    """The comparison of two figures before any rounding: what the change since last month is
    made of (:func:`year_on_year_change_since_last_month`).

    ``count`` → percentage change; ``percent`` (or ``rate``) → percentage-point difference; a
    time, days or money → plain difference. ``last`` and ``this`` are the figures as computed
    (unrounded rates, e.g. ``43.2573…``), not as printed. None means "N/A": a figure missing, or a
    percentage change from zero.

    >>> unrounded_change(104, 134, "count").quantize(Decimal("0.001"))
    Decimal('28.846')
    >>> unrounded_change(27.25, 26.5, "percent")
    Decimal('-0.75')
    >>> unrounded_change(0, 5, "count") is None
    True
    """
    last_d, this_d = to_decimal(last), to_decimal(this)
    if last_d is None or this_d is None:
        return None
    if unit == "count":
        if last_d == 0:
            return None
        return (this_d - last_d) / last_d * 100
    if unit in PERCENT_UNITS or unit in DIFFERENCE_UNITS:
        return this_d - last_d
    raise ValueError(
        f"unknown unit {unit!r}; expected count, percent, seconds, minutes, days, money or rate"
    )


def better_worse(last, this, unit: str, decimals: int = 1) -> Decimal | None:
    """The "Better/ Worse % or % pt. diff." column: :func:`unrounded_change` of the figures as
    printed, rounded half-up to ``decimals``.

    Parameters
    ----------
    last, this
        Last year's and this year's figures as printed (rates in percent, e.g. ``34.6``).
    unit
        ``count`` → percentage change; ``percent`` (or ``rate``) → percentage-point difference;
        ``seconds`` (or another time/money unit) → plain difference.
    decimals
        Published precision of the difference.

    Returns
    -------
    Decimal or None
        None means "N/A": last year missing, or a percentage change from zero.

    Examples
    --------
    >>> better_worse(16, 21, "count")
    Decimal('31.3')
    >>> better_worse(34.6, 29.3, "percent")
    Decimal('-5.3')
    >>> better_worse(7, 9, "seconds", decimals=0)
    Decimal('2')
    >>> better_worse(None, 1176, "count") is None
    True
    """
    return round_half_up(unrounded_change(last, this, unit), decimals)


def format_decimal(value: Decimal | None, na: str = "N/A") -> str:
    """Print a comparison as the tables do: ``-5.3``, ``0.0``, ``N/A``."""
    return na if value is None else str(value)


def money_text(value, decimals: int = 3, *, signed: bool = False) -> str:
    """Money in £ million as printed: the sign before the pound sign.

    ``value`` is in £ million. ``signed`` (a change): "+" before a rise as well as "-" before a
    fall; zero has no sign. Rounded half-up to ``decimals``; None or NaN → "N/A".

    >>> money_text(6.633), money_text(-0.333), money_text(0.071, signed=True)
    ('£6.633m', '-£0.333m', '+£0.071m')
    """
    d = round_half_up(value, decimals)
    if d is None:
        return "N/A"
    sign = "-" if d < 0 else "+" if signed and d > 0 else ""
    return f"{sign}£{abs(d):,}m"


def change_text(change, unit: str, decimals: int | None = None, *, since: bool = False) -> str:
    """A change with its unit, as tables, captions and labels print it.

    ``unit`` is the measure's unit (``count``, ``percent``, ``days``, ``money``, …): a count's
    change is a % change ("15.7%"), a percentage's a difference in percentage points ("-5.3%
    pt."), a time's or a day's in its own unit ("-3 s", "-0.52 days"), money in £ million with its
    sign ("-£0.333m", "+£0.071m"). ``since``: a change since last month, whose unit for a count
    is percentage points (the difference of two % changes). ``decimals`` rounds half-up first
    (None: as given). None → "N/A".

    >>> change_text(Decimal("15.7"), "count"), change_text(Decimal("-0.52"), "days")
    ('15.7%', '-0.52 days')
    >>> change_text(Decimal("5.1"), "count", since=True), change_text(Decimal("-0.333"), "money")
    ('5.1% pt.', '-£0.333m')
    """
    d = to_decimal(change) if decimals is None else round_half_up(change, decimals)
    if d is None:
        return "N/A"
    if unit == "money":
        places = -d.as_tuple().exponent if decimals is None else decimals
        return money_text(d, max(int(places), 0), signed=True)
    units = SINCE_UNITS if since else CHANGE_UNITS
    if unit not in units:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(units)}")
    text = units[unit]
    return f"{d}{text}" if text.startswith("%") else f"{d} {text}"


def since_last_month(diff, polarity: str, decimals: int = 1, *, unit: str = "percent") -> str:
    """Label the change in the year-on-year figure since last month.

    ``diff`` is this month's unrounded change minus last month's
    (:func:`year_on_year_change_since_last_month`), rounded here, once, half-up to ``decimals``;
    "Same" when that is 0. A rise is an improvement for a
    measure where higher is better and a deterioration where lower is better. ``unit`` is the
    measure's unit: percentage points for counts and percentages (the published wording), the
    measure's own unit for times, days and money (:func:`change_text`).

    >>> since_last_month(4.4, "lower_better")
    'Worsened (4.4% pt.)'
    >>> since_last_month(0.0, "higher_better")
    'Same'
    >>> since_last_month(-0.2, "higher_better")
    'Worsened (-0.2% pt.)'
    >>> since_last_month(-0.333, "higher_better", 3, unit="money")
    'Worsened (-£0.333m)'
    """
    d = round_half_up(diff, decimals)
    if d is None:
        return "N/A"
    text = change_text(d, unit, since=True)
    if d == 0 or polarity == "neutral":
        return "Same" if d == 0 else f"Changed ({text})"
    improved = (d > 0) == (polarity == "higher_better")
    return f"{'Improved' if improved else 'Worsened'} ({text})"


def year_on_year_change_since_last_month(
    this_month_change, last_month_change, polarity: str, decimals: int = 1, *, unit="percent"
) -> str:
    """The change since last month: the difference of the two months' *unrounded* changes,
    rounded once (half-up to ``decimals``), labelled by :func:`since_last_month`.

    ``this_month_change`` and ``last_month_change`` are :func:`unrounded_change` of each month's
    unrounded figures (a count's % change, a rate's point difference from the unrounded rates, a
    time's, days' or money's difference in its own unit; for a measure compared with its plan,
    each month's unrounded difference from the plan). Not the printed Better/Worse figures: the
    printed column stays as :func:`better_worse` makes it, but the label is not the difference of
    two rounded numbers. This is the one rule consistent with all 36 labels of the March 2014
    report, as the force's spreadsheet computes them; the difference of the printed changes
    contradicts one. Young car drivers KSI: 104 → 134 (+28.846 %, printed 28.8) in March, and
    in February (the demo force's April–February, 89 → 134) +50.562 % (printed 50.6):

    >>> now = unrounded_change(104, 134, "count")
    >>> feb = unrounded_change(89, 134, "count")
    >>> feb.quantize(Decimal("0.001"))
    Decimal('50.562')
    >>> year_on_year_change_since_last_month(now, feb, "lower_better", 1, unit="count")
    'Improved (-21.7% pt.)'

    The printed figures would give 28.8 − 50.6 = -21.8, which the report does not print:

    >>> printed = better_worse(104, 134, "count"), better_worse(89, 134, "count")
    >>> printed
    (Decimal('28.8'), Decimal('50.6'))
    >>> year_on_year_change_since_last_month(*printed, "lower_better", 1, unit="count")
    'Improved (-21.8% pt.)'

    None for either month → "N/A".
    """
    a, b = to_decimal(this_month_change), to_decimal(last_month_change)
    if a is None or b is None:
        return "N/A"
    return since_last_month(a - b, polarity, decimals, unit=unit)


def confidence_interval(successes: float, n: float, z: float = Z_95) -> float | None:
    """Half-width, in percentage points, of the normal-approximation 95% interval of a rate.

    >>> round(confidence_interval(1261, 1384), 1)
    1.5
    """
    if not n or n <= 0:
        return None
    p = successes / n
    return 100 * z * math.sqrt(p * (1 - p) / n)


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> float | None:
    """Two-sided p-value of the difference between two proportions (pooled z-test)."""
    if not n1 or not n2 or n1 <= 0 or n2 <= 0:
        return None
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x2 / n2 - x1 / n1) / se
    return math.erfc(abs(z) / math.sqrt(2))


def msg_rank(value: float, peer_values: Sequence[float], polarity: str) -> int | None:
    """Rank of ``value`` among itself and its peers, 1 = best by polarity.

    Ties share the better rank. None for a neutral measure or a missing value.

    >>> msg_rank(60.0, [55.0, 65.0, 70.0], "higher_better")
    3
    """
    if value is None or polarity == "neutral" or (isinstance(value, float) and math.isnan(value)):
        return None
    peers = [
        v for v in peer_values if v is not None and not (isinstance(v, float) and math.isnan(v))
    ]
    if polarity == "higher_better":
        better = sum(1 for v in peers if v > value)
    else:
        better = sum(1 for v in peers if v < value)
    return better + 1


def msg_average_colour(
    value: float, peer_values: Sequence[float], polarity: str, decimals: int = 1
) -> str:
    """``better`` / ``worse`` / ``same`` against the MSG average (green / red / black in print)."""
    values = [value, *peer_values]
    values = [v for v in values if v is not None]
    if value is None or not values or polarity == "neutral":
        return "same"
    avg = sum(values) / len(values)
    diff = round_half_up(value - avg, decimals)
    if diff == 0:
        return "same"
    return "better" if (diff > 0) == (polarity == "higher_better") else "worse"


def direction(change: Decimal | None, polarity: str) -> str:
    """``better`` / ``worse`` / ``same`` / ``neutral`` / ``na`` for colouring a Better/Worse figure."""
    if change is None:
        return "na"
    if change == 0:
        return "same"
    if polarity == "neutral":
        return "neutral"
    return "better" if (change > 0) == (polarity == "higher_better") else "worse"
