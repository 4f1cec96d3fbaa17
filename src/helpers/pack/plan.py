"""What a run runs: its checked parameters (:class:`Run`) and the pack's notebooks, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..config import DEMO_PROFILE_DIR, display_path
from .errors import InvalidParameters

#: Notebooks of the pack: ``00_master.ipynb`` (the index page) and ``01_…`` … ``08_…``.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
MASTER_PREFIX = "00"


@dataclass(frozen=True)
class Notebook:
    """One notebook of the pack and the page it becomes."""

    path: Path
    prefix: str
    title: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def page(self) -> str:
        return "index.html" if self.prefix == MASTER_PREFIX else f"{self.path.stem}.html"

    @property
    def kind(self) -> str:
        return "index" if self.prefix == MASTER_PREFIX else "area"


@dataclass
class Run:
    """The checked parameters of one pack run."""

    month: str
    period: str
    data_dir: Path
    out: Path
    jobs: int
    timeout: int
    notebooks: list[Notebook]
    notebooks_dir: Path
    #: Every notebook of the pack (``notebooks`` may be a subset, ``--notebooks``).
    all_notebooks: list[Notebook] = field(default_factory=list)
    #: The pages of the published pack, in order: ``notebooks`` plus any carried over unchanged.
    pages: list[Notebook] = field(default_factory=list)
    #: run.json entries of the pages carried over from the previous pack.
    carried: list[dict] = field(default_factory=list)
    #: The fingerprint of the cube the run built (its data snapshot): every notebook loads that
    #: cached cube and nothing else (``helpers.measures.cube.load_cube(data_dir, fingerprint=…)``).
    data_fingerprint: str = ""
    #: The force's profile folder (``--profile``; :func:`helpers.profile.profile_for`).
    profile: Path = DEMO_PROFILE_DIR
    #: Also write ``pack.pdf`` (:mod:`helpers.pack.pdf`); ``--no-pdf`` turns it off.
    pdf: bool = True

    @property
    def parameters(self) -> dict:
        """The papermill parameters every notebook receives."""
        return {
            "month": self.month,
            "period": self.period,
            "geography": "Force",
            "data_dir": str(self.data_dir),
            "data_fingerprint": self.data_fingerprint,
            "profile": str(self.profile),
            "interactive": False,
        }


def notebook_title(path: Path) -> str:
    """Return the first level-1 heading of a notebook, else a title made from its file name."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # an unreadable notebook fails later, with papermill's message
        nb = None
    for cell in nb.cells if nb is not None else []:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem[3:].replace("_", " ").capitalize()


def discover_notebooks(notebooks_dir: Path, only: Sequence[str] | None = None) -> list[Notebook]:
    """Return the pack's notebooks (``NN_*.ipynb``) in order, optionally only those numbered ``only``.

    Raises
    ------
    InvalidParameters
        No notebooks, or a number in ``only`` that matches none (the message lists the valid ones).
    """
    paths = sorted(Path(notebooks_dir).glob(NOTEBOOK_GLOB))
    if not paths:
        raise InvalidParameters(
            f"no notebooks matching {NOTEBOOK_GLOB} in {display_path(notebooks_dir)}"
        )
    by_prefix = {p.name[:2]: p for p in paths}
    if only:
        wanted = [o.strip().zfill(2) for o in only if o.strip()]
        unknown = [w for w in wanted if w not in by_prefix]
        if unknown:
            raise InvalidParameters(
                f"no notebook numbered {', '.join(unknown)}; valid numbers are "
                f"{', '.join(sorted(by_prefix))}"
            )
        paths = [by_prefix[w] for w in sorted(set(wanted))]
    return [Notebook(p, p.name[:2], notebook_title(p)) for p in paths]
