"""Read extracts from a data folder (parquet or csv) into the contract's dtypes.

MINIMAL VERSION — the validation helper replaces the body; the public signatures stay.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import REFERENCE_DIR, resolve_path
from .contract import EXTRACTS


class DataValidationError(ValueError):
    """An extract does not meet the data contract. The message names the file, the column and rows."""


def extract_path(data_dir, name: str) -> Path | None:
    """The file holding extract ``name`` in ``data_dir`` (parquet preferred), or None if absent."""
    d = resolve_path(data_dir)
    for suffix in (".parquet", ".csv", ".csv.gz"):
        p = d / f"{name}{suffix}"
        if p.exists():
            return p
    return None


def available_extracts(data_dir) -> list[str]:
    """Names of the contract's extracts present in ``data_dir``, in contract order."""
    return [n for n in EXTRACTS if extract_path(data_dir, n) is not None]


def load_extract(data_dir, name: str) -> pd.DataFrame:
    """Read one extract and return it in the contract's dtypes."""
    p = extract_path(data_dir, name)
    if p is None:
        raise DataValidationError(f"{resolve_path(data_dir) / (name + '.parquet')}: file not found")
    return pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p)


def load_extracts(data_dir, names=None) -> dict[str, pd.DataFrame]:
    """Read every extract present (or those named); absent extracts are simply not in the dict."""
    names = available_extracts(data_dir) if names is None else names
    return {n: load_extract(data_dir, n) for n in names if extract_path(data_dir, n) is not None}


def districts(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The district reference table: ``district, lpa, population_2016``."""
    return pd.read_csv(reference_dir / "districts.csv")


def msg_forces(reference_dir: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The force and its Most Similar Group: ``force, police_uk_slug, population_2016``."""
    return pd.read_csv(reference_dir / "msg_forces.csv")
