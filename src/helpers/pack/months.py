"""Which months the data holds, and a report month outside them refused (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..periods import as_month, parse_month
from .errors import InvalidParameters

if TYPE_CHECKING:  # the cube is imported when it is loaded (the command line starts faster)
    from ..measures.cube import Cube


def crimes_months(data_dir: Path) -> tuple[pd.Period, pd.Period] | None:
    """First and last month of the crimes extract, read cheaply (one column); None if unknown.

    A file that cannot be read here is left to the cube's validation, which explains what is wrong.
    """
    from ..contract.extracts import EXTRACTS
    from ..sources.loading import extract_path

    path = extract_path(data_dir, "crimes")
    column = EXTRACTS["crimes"].date_column
    if path is None or column is None:
        return None
    try:
        if path.suffix == ".parquet":
            values = pd.read_parquet(path, columns=[column])[column]
        else:
            values = pd.read_csv(path, usecols=[column])[column]
        dates = pd.to_datetime(values, errors="coerce", format="ISO8601").dropna()
    except Exception:
        return None
    if dates.empty:
        return None
    return dates.min().to_period("M"), dates.max().to_period("M")


def cube_months(cube: Cube) -> tuple[pd.Period, pd.Period] | None:
    """First and last month the cube has data for (its coverage); None if it has none."""
    months = sorted({m for m in map(as_month, cube.coverage["month"]) if m is not None})
    return (months[0], months[-1]) if months else None


def check_month_in_data(month: str, months: tuple[pd.Period, pd.Period] | None) -> None:
    """Refuse a month outside the data, naming the months that are valid."""
    if months is None:
        return
    first, last = months
    m = parse_month(month)
    if not first <= m <= last:
        raise InvalidParameters(f"month {month} is outside the data ({first} … {last})")
