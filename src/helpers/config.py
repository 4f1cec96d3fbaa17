"""Paths and force configuration.

Every path is built from the project root, never from the current directory, so a notebook run by
papermill from ``notebooks/``, a test run from the repository root and a cron job run from ``/``
all find the same files.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import yaml

#: The repository root: ``src/helpers/config.py`` → two levels up from ``src``.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DATA_DIR = DATA_DIR / "demo"
#: Force profiles (:mod:`helpers.profile`): the demo force's is shipped, others are made by the
#: data.police.uk importer or by hand.
PROFILES_DIR = PROJECT_ROOT / "profiles"
DEMO_PROFILE_DIR = PROFILES_DIR / "demo"
#: The demo profile's tables (``districts.csv``, ``msg_forces.csv``): what a cube built in code,
#: with no profile named, is built against.
REFERENCE_DIR = DEMO_PROFILE_DIR
COMMENTARY_DIR = DEMO_PROFILE_DIR / "commentary"
FORCE_CONFIG_FILE = DEMO_PROFILE_DIR / "force.yaml"
#: Tables of every force of England and Wales (``forces.csv``: name, data.police.uk slug,
#: residents), for the importer's profiles and the national rank.
NATIONAL_DIR = DATA_DIR / "reference"
REPORTS_DIR = PROJECT_ROOT / "reports"
#: Rebuildable files of the project itself: rendered charts (``charts/``, kept by content) and
#: the cubes of data folders that cannot be written.
CACHE_DIR = PROJECT_ROOT / ".cache"


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


def display_path(path: str | os.PathLike[str]) -> str:
    """Return ``path`` relative to the project root, or just its name when it lies outside.

    Messages and published files name folders this way: never an absolute path of the machine.
    """
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix() or "."
    except ValueError:
        return path.name


class ConfigError(ValueError):
    """A configuration file is missing, is not valid YAML, or has a missing, unknown or badly
    typed key. The message names the file (and the key, or the line of a syntax error)."""


def display_config_path(path: Path) -> str:
    """Name a configuration file for a message: relative to the project root where it is inside."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def read_yaml(
    path: Path,
    what: str,
    hint: str = "",
    loader=yaml.SafeLoader,
    error: type[ConfigError] = ConfigError,
):
    """Read a YAML file; a missing or unreadable file or a syntax error raises ``error``.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for the message ("the force configuration").
    hint
        What to do when the file is missing.
    loader
        A safe PyYAML loader class (``yaml.CSafeLoader`` where speed matters).
    error
        :class:`ConfigError` or a subclass (the catalog's ``CatalogError``).
    """
    shown = display_config_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{shown} not found: {what} is required{hint}") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{shown}: not UTF-8 text (byte 0x{exc.object[exc.start]:02X} at offset "
            f"{exc.start:,}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise error(f"{shown}: cannot be read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - callers pass safe loaders only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{shown}: YAML syntax error{where}: {problem}") from None


#: The significance rules a force may choose (``significance_rule``; the rules themselves are
#: :data:`helpers.analysis.significance.RULES`): the two 95% confidence intervals do not overlap,
#: or a pooled two-proportion z-test gives p < 0.05.
SIGNIFICANCE_RULES = ("ci_overlap", "two_proportion")
#: The rule the published reports' statements follow.
DEFAULT_SIGNIFICANCE_RULE = "ci_overlap"


@dataclass(frozen=True)
class ForceConfig:
    """The force the pack is produced for: ``force.yaml`` of its profile (:mod:`helpers.profile`).

    The defaults describe the demo force, for tests that build a configuration in code; a file
    must state the keys of :data:`REQUIRED_KEYS` itself, so a force's pack never goes out under
    the demo's name, marking or suppression setting by omission.
    """

    force_name: str = "Essex Police (demo force)"
    short_name: str = "Essex"
    protective_marking: str = "OFFICIAL"
    financial_year_start_month: int = 4
    suppress_below: int | None = None
    #: The largest share of a file's records that may be Unassigned (no location, outside the
    #: force area) before the data is taken not to fit the profile and refused.
    max_unassigned_share: float = 0.05
    #: Data-quality warnings a run accepts; more refuse it (None: warnings never refuse).
    max_data_warnings: int | None = None
    #: A change resting on fewer records than this in a year compared is marked for caution
    #: (:mod:`helpers.analysis.caution`); None: never marked.
    caution_below: int | None = 30
    #: When a change in a survey rate is called statistically significant: one of
    #: :data:`SIGNIFICANCE_RULES` (:mod:`helpers.analysis.significance`).
    significance_rule: str = DEFAULT_SIGNIFICANCE_RULE
    #: The medium-term savings plan: its financial years ("2015/16 to 2019/20") and the savings it
    #: requires over them, £; both None when the force states none. The efficiency page puts the
    #: years' requirements to date beside it.
    savings_plan_years: str | None = None
    savings_plan_gbp: float | None = None

    @property
    def savings_plan(self) -> tuple[int, int] | None:
        """The first and last years of the savings plan (their Aprils: 2015, 2019), or None."""
        if self.savings_plan_years is None:
            return None
        first, last = self.savings_plan_years.split(" to ")
        return int(first[:4]), int(last[:4])

    @classmethod
    def from_mapping(cls, data: dict, source: str = "force configuration") -> ForceConfig:
        """Build and validate a configuration; an unknown, mistyped or missing key names itself."""
        known = {f.name: f for f in fields(cls)}
        if "msg_forces" in data:
            raise ConfigError(
                f"{source}: key 'msg_forces' is no longer read: the Most Similar Group is "
                "msg_forces.csv of the profile (force, police_uk_slug, population_2016; the force "
                "itself on the first row); delete the key"
            )
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"{source}: unknown key(s) {unknown}; valid keys are {sorted(known)}")
        expected = {
            "force_name": str,
            "short_name": str,
            "protective_marking": str,
            "financial_year_start_month": int,
            "suppress_below": (int, type(None)),
            "max_unassigned_share": (float, int),
            "max_data_warnings": (int, type(None)),
            "caution_below": (int, type(None)),
            "significance_rule": str,
            "savings_plan_years": (str, type(None)),
            "savings_plan_gbp": (float, int, type(None)),
        }
        for key, value in data.items():
            if not isinstance(value, expected[key]) or isinstance(value, bool):
                raise ConfigError(f"{source}: key {key!r} should be {expected[key]}, got {value!r}")
            if isinstance(value, str) and not value.strip():
                raise ConfigError(f"{source}: key {key!r} is empty")
        if (
            "financial_year_start_month" in data
            and not 1 <= data["financial_year_start_month"] <= 12
        ):
            raise ConfigError(f"{source}: key 'financial_year_start_month' must be 1..12")
        if data.get("financial_year_start_month", 4) != 4:
            raise ConfigError(
                f"{source}: key 'financial_year_start_month' is "
                f"{data['financial_year_start_month']}; the measures support an April start only "
                "(the financial year of every force in England and Wales)"
            )
        if (data.get("suppress_below") or 0) < 0:
            raise ConfigError(f"{source}: key 'suppress_below' must be a count (or null for off)")
        if not 0 <= data.get("max_unassigned_share", 0.05) < 1:
            raise ConfigError(
                f"{source}: key 'max_unassigned_share' must be a share from 0 to below 1 "
                "(0.05 = 5 %)"
            )
        if (data.get("max_data_warnings") or 0) < 0:
            raise ConfigError(
                f"{source}: key 'max_data_warnings' must be a count (or null: warnings never refuse)"
            )
        if (data.get("caution_below") or 0) < 0:
            raise ConfigError(
                f"{source}: key 'caution_below' must be a count of records (or null: no caution)"
            )
        rule = data.get("significance_rule", DEFAULT_SIGNIFICANCE_RULE)
        if rule not in SIGNIFICANCE_RULES:
            raise ConfigError(
                f"{source}: key 'significance_rule' is {rule!r}; it must be one of "
                f"{', '.join(SIGNIFICANCE_RULES)} (ci_overlap: the two 95% confidence intervals "
                "do not overlap; two_proportion: a two-proportion test gives p < 0.05)"
            )
        years, gbp = data.get("savings_plan_years"), data.get("savings_plan_gbp")
        if (years is None) != (gbp is None):
            raise ConfigError(
                f"{source}: keys 'savings_plan_years' and 'savings_plan_gbp' go together "
                "(both, or neither: null)"
            )
        if years is not None:
            found = re.fullmatch(r"(\d{4})/(\d{2}) to (\d{4})/(\d{2})", years.strip())
            ok = (
                found
                and all(int(found[i + 1]) == (int(found[i]) + 1) % 100 for i in (1, 3))
                and int(found[3]) >= int(found[1])
            )
            if not ok:
                raise ConfigError(
                    f"{source}: key 'savings_plan_years' is {years!r}; write the plan's first and "
                    "last financial years as '2015/16 to 2019/20'"
                )
            if gbp < 0:
                raise ConfigError(f"{source}: key 'savings_plan_gbp' must be an amount in £ (≥ 0)")
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise ConfigError(
                f"{source}: missing key(s) {missing} (required: {list(REQUIRED_KEYS)}; "
                "suppress_below: null turns disclosure control off explicitly)"
            )
        return cls(**data)


#: Keys a force configuration file must state (no default stands in for them).
REQUIRED_KEYS = ("force_name", "short_name", "protective_marking", "suppress_below")


@cache
def force_config(path: Path = FORCE_CONFIG_FILE) -> ForceConfig:
    """The demo profile's ``force.yaml`` (or the one at ``path``), loaded once per path: the
    settings a cube built in code, with no profile, is read with. A run for a force reads its
    profile instead (:func:`helpers.profile.load_profile`)."""
    return read_force_config(path)


def read_force_config(path: Path) -> ForceConfig:
    """Load and check a profile's ``force.yaml``.

    Raises
    ------
    ConfigError
        The file is missing (the force configuration is required: the demo's is never put in its
        place), is not valid YAML (the message names the line), or has a missing, unknown or
        badly typed key (named).
    """
    hint = (
        f": a profile's {path.name} names the force, its protective marking and suppress_below "
        "(see profiles/demo/force.yaml)"
    )
    data = read_yaml(path, "the force configuration", hint)
    shown = display_config_path(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}: expected a mapping of keys to values")
    return ForceConfig.from_mapping(data, source=shown)
