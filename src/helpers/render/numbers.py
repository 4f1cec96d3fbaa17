"""The pack's one number format: figures, changes and money as every page prints them.

A count has thousands separators (``28,111``), a percentage its "%", money is in £ million with
the sign before the pound sign (``-£0.333m``), and a change carries its unit
(:func:`helpers.analysis.compare.change_text`: "15.7%", "-5.3% pt.", "+£0.071m"). Tables,
captions, district tables and the summary all print through these functions, so one figure never
appears in two formats. Extract names a reader cannot know (``drug_tests``) are given by their
titles in the data contract (:func:`reader_text`).
"""

from __future__ import annotations

import re

from ..analysis.compare import change_text, is_missing, money_text
from ..contract.extracts import EXTRACTS


def _reader_title(title: str) -> str:
    """A contract title inside a sentence: "Drug tests on arrest" → "drug tests on arrest"; a
    name ("Most Similar Group peer figures") keeps its capitals."""
    words = title.split()
    keep = len(words) > 1 and words[1][:1].isupper()
    return title if keep else title[:1].lower() + title[1:]


#: Extract names as a reader cannot know them (``drug_tests``) → their titles in the data contract.
_EXTRACT_TITLES = {n: _reader_title(e.title) for n, e in EXTRACTS.items() if "_" in n}
_EXTRACT_NAME = re.compile(r"\b(" + "|".join(map(re.escape, _EXTRACT_TITLES)) + r")\b")


def reader_text(text: str) -> str:
    """Text for the page with the extract names it quotes (a row's note: "no data for Oct 2015 in
    drug_tests") given by their titles in the data contract ("… in drug tests on arrest").

    Only names a sentence cannot contain otherwise (``snake_case``) are replaced; ``tables.csv``
    keeps the names, which match the files.

    >>> reader_text("no data for Oct 2015 in drug_tests")
    'no data for Oct 2015 in drug tests on arrest'
    """
    return _EXTRACT_NAME.sub(lambda m: _EXTRACT_TITLES[m.group(1)], str(text))


def format_value(value, unit: str, decimals: int = 0) -> str:
    """Print a figure (last year, this year, a latest value) with the published precision.

    The one number format of the pack: counts as whole numbers with thousands separators
    (``28,111``), percentages with "%" (``34.6%``), times and rates as plain numbers (with
    separators from 1,000), money in £ million (the cube keeps money in £ million) with the sign
    before the pound sign (``£6.633m``, ``-£0.333m``), as :func:`format_change` prints a change.
    Missing → ``N/A``.

    >>> format_value(34.6, "percent", 1), format_value(28111.0, "count"), format_value(None, "count")
    ('34.6%', '28,111', 'N/A')
    """
    if is_missing(value):
        return "N/A"
    v = float(value)
    if unit == "count":
        return f"{v:,.0f}"
    if unit == "percent":
        return f"{v:.{decimals}f}%"
    if unit == "money":
        return money_text(v, max(decimals, 1))
    return f"{v:,.{decimals}f}"


def format_change(change, unit: str) -> str:
    """A Better/Worse figure with its unit ("15.7%", "-5.3% pt.", "-£0.333m"); None → "N/A"."""
    return "N/A" if is_missing(change) else change_text(change, unit)


__all__ = ["format_change", "format_value", "is_missing", "money_text", "reader_text"]
