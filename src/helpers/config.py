"""Paths and force configuration.

Every path is built from the project root, never from the current directory, so a notebook run by
papermill from ``notebooks/``, a test run from the repository root and a cron job run from ``/``
all find the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

import yaml

#: The repository root: ``src/helpers/config.py`` → two levels up from ``src``.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DEMO_DATA_DIR = DATA_DIR / "demo"
PARAMS_DIR = PROJECT_ROOT / "params"
COMMENTARY_DIR = PARAMS_DIR / "commentary"
REPORTS_DIR = PROJECT_ROOT / "reports"
FORCE_CONFIG_FILE = PARAMS_DIR / "force.yaml"


def resolve_path(path: str | os.PathLike[str] | None, default: Path = DEMO_DATA_DIR) -> Path:
    """Return an absolute path: relative paths are taken from the project root.

    Parameters
    ----------
    path
        A path as a user typed it (``data/demo``), an absolute path, or None for ``default``.
    default
        What None means.

    Examples
    --------
    >>> resolve_path("data/demo") == PROJECT_ROOT / "data" / "demo"
    True
    """
    if path is None or str(path) == "":
        return default
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p)


class ConfigError(ValueError):
    """A configuration file has a missing, unknown or badly typed key."""


@dataclass(frozen=True)
class ForceConfig:
    """The force the pack is produced for (``params/force.yaml``)."""

    force_name: str = "Essex Police (demo force)"
    short_name: str = "Essex"
    protective_marking: str = "OFFICIAL"
    financial_year_start_month: int = 4
    suppress_below: int | None = None
    msg_forces: list[str] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: dict, source: str = "force configuration") -> ForceConfig:
        """Build and validate a configuration; an unknown or mistyped key names itself."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"{source}: unknown key(s) {unknown}; valid keys are {sorted(known)}")
        expected = {
            "force_name": str,
            "short_name": str,
            "protective_marking": str,
            "financial_year_start_month": int,
            "suppress_below": (int, type(None)),
            "msg_forces": list,
        }
        for key, value in data.items():
            if not isinstance(value, expected[key]) or isinstance(value, bool):
                raise ConfigError(f"{source}: key {key!r} should be {expected[key]}, got {value!r}")
        if (
            "financial_year_start_month" in data
            and not 1 <= data["financial_year_start_month"] <= 12
        ):
            raise ConfigError(f"{source}: key 'financial_year_start_month' must be 1..12")
        return cls(**data)


@cache
def force_config(path: Path = FORCE_CONFIG_FILE) -> ForceConfig:
    """Load ``params/force.yaml`` (cached); defaults when the file is absent."""
    if not path.exists():
        return ForceConfig()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values")
    return ForceConfig.from_mapping(data, source=str(path))
