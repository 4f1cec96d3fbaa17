"""CSV injection: text cells a spreadsheet would run as a formula, prefixed with a quote."""

from __future__ import annotations

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------------------------------
# CSV injection


def csv_safe_value(value):
    """Prefix text that a spreadsheet would run as a formula with a single quote; others as they are.

    >>> csv_safe_value('=HYPERLINK("http://x","y")'), csv_safe_value("North"), csv_safe_value(-1.5)
    ('\\'=HYPERLINK("http://x","y")', 'North', -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells and headings cannot run as spreadsheet formulas.

    Only text is changed: numbers (a negative change, a Decimal) stay numbers.
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(
                lambda v: csv_safe_value(v) if isinstance(v, str) else v, na_action="ignore"
            )
    out.columns = [csv_safe_value(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def is_formula_like(value) -> bool:
    """Whether a cell would be read by a spreadsheet as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
