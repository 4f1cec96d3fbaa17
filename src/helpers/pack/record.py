"""The run record (``run.json``), what a failed run keeps, and paths shown without the machine's."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from .. import __version__
from ..config import (
    ForceConfig,
    display_path,
)
from ..periods import as_month
from ..profile import Profile
from .execute import Result, withhold_record_values
from .export import PACK_BUDGET, PAGE_BUDGET
from .plan import Run

#: Versions recorded in run.json.
RECORDED_PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "papermill",
    "nbclient",
    "nbconvert",
    "matplotlib",
    "seaborn",
    "ipywidgets",
)


# --------------------------------------------------------------------------------------------------
# Paths shown to people never carry the machine's absolute paths.


#: The temporary file a kernel names a cell by in warnings and tracebacks
#: (``/tmp/ipykernel_4242/3949487693.py``). No base64 payload can hold it ("_" and "." are not
#: base64 characters), so replacing it never touches an image.
_KERNEL_CELL_FILE = re.compile(r"(?:/[\w.-]+)*/ipykernel_\d+/\d+\.py")


@dataclass
class Scrubber:
    """Replace absolute paths by their display form in text written to the pack.

    Besides the folders added, the kernel's temporary cell files (warnings and tracebacks name
    them) are replaced by ``<cell>``.
    """

    replacements: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: Path, shown: str) -> None:
        for p in {str(Path(path)), str(Path(path).resolve())}:
            if p not in ("", "/"):
                self.replacements.append((p, shown))
        # Longest first: a data folder inside the project is replaced before the project root.
        self.replacements.sort(key=lambda r: -len(r[0]))

    def __call__(self, text: str) -> str:
        for old, new in self.replacements:
            text = text.replace(old, new)
        if "ipykernel_" not in text:  # the pattern, run over a page's images, is slow to say no
            return text
        return _KERNEL_CELL_FILE.sub("<cell>", text)


# --------------------------------------------------------------------------------------------------
# Run record


def data_fingerprint(data_dir: Path, names: Iterable[str]) -> str:
    """A sha256 over the extract files (name and content), or the loading helper's fingerprint."""
    from ..sources import loading

    own = getattr(loading, "fingerprint", None)
    if callable(own):
        with contextlib.suppress(Exception):
            return str(own(data_dir))
    digest = hashlib.sha256()
    for name in sorted(names):
        path = loading.extract_path(data_dir, name)
        if path is None:
            continue
        digest.update(f"{path.name}\0".encode())
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0], "helpers": __version__}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _jsonable(value):
    """Plain JSON types for run.json (Periods, Timestamps, numpy scalars, DataFrames, dataclasses)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return _jsonable(value.to_dict(orient="records"))
    if hasattr(value, "to_dict") and not isinstance(value, pd.Series):
        with contextlib.suppress(Exception):
            return _jsonable(value.to_dict())
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, str | int | float | bool) or value is None:
        if isinstance(value, float) and pd.isna(value):
            return None
        return value
    if hasattr(value, "item"):
        with contextlib.suppress(Exception):
            return _jsonable(value.item())
    if hasattr(value, "to_dict"):
        with contextlib.suppress(Exception):
            return _jsonable(value.to_dict())
    return str(value)


def load_report(cube, data_dir: Path, month: str | None = None):
    """The report of what was read to build ``cube`` (rows, warnings), for run.json.

    The cube's own (``Cube.extracts_report``: the snapshot's, never the folder re-read). A cube
    without one (a stand-in) gets the loading helper's report of the folder. With the report
    ``month`` each extract also carries its reconciliation: rows read, counted, excluded and why
    (``helpers.sources.loading.ExtractReport.reconcile``).
    """
    report = cube.extracts_report
    if report is not None:
        return _jsonable(report.to_dict(month))
    from ..sources import loading

    with contextlib.suppress(Exception):
        return _jsonable(loading.load_report(data_dir, month))
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_settings(month: str, profile: Profile) -> dict:
    """The settings besides the data that change what a page shows, as recorded in run.json.

    The force's profile: its folder, its force configuration (every field of its ``force.yaml``:
    the name and marking printed, ``suppress_below`` deciding which figures print ``[c]``, the
    financial year, the thresholds of the data checks) and the commentary files of the month
    (sha256 of each); the measure catalog (sha256) and the helpers version. (Its districts and
    Most Similar Group are in the data fingerprint.) A ``--notebooks`` run keeps the other pages
    only if these are unchanged (:func:`pages_to_carry`).
    """
    from ..contract.catalog import CATALOG_FILE

    folder = profile.commentary_dir / month
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return {
        "profile": profile.name,
        "force_config": _jsonable(dataclasses.asdict(profile.force)),
        "commentary": {f.name: _sha256(f.read_bytes()) for f in files},
        "catalog_sha256": _sha256(CATALOG_FILE.read_bytes()),
        "helpers_version": __version__,
    }


def settings_changes(before: dict, now: dict) -> list[str]:
    """What differs between two :func:`page_settings`, in words (``suppress_below None → 10``)."""
    changes = []
    if before.get("profile") != now.get("profile"):
        changes.append(f"the profile ({before.get('profile')} → {now.get('profile')})")
    old_cfg, new_cfg = before.get("force_config") or {}, now["force_config"]
    keys = [k for k in new_cfg if old_cfg.get(k) != new_cfg[k]]
    if keys:
        changes.append(
            "the force configuration ("
            + ", ".join(f"{k}: {old_cfg.get(k)!r} → {new_cfg[k]!r}" for k in keys)
            + ")"
        )
    old_notes, new_notes = before.get("commentary") or {}, now["commentary"]
    notes = sorted(
        n for n in set(old_notes) | set(new_notes) if old_notes.get(n) != new_notes.get(n)
    )
    if notes:
        changes.append(f"the commentary ({', '.join(notes)})")
    if before.get("catalog_sha256") != now["catalog_sha256"]:
        changes.append("the measure catalog")
    if before.get("helpers_version") != now["helpers_version"]:
        changes.append(
            f"the helpers version ({before.get('helpers_version')} → {now['helpers_version']})"
        )
    return changes


def run_record(
    run: Run,
    *,
    cube,
    results: list[Result],
    timings: dict,
    status: str,
    fingerprint: str,
    loaded=None,
    settings: dict,
    config: ForceConfig,
    commentary_warnings: Iterable[str] = (),
    pdf: dict | None = None,
) -> dict:
    """The content of run.json: what was run, on which data, with what, how long it took
    (``settings``: :func:`page_settings` of the run; ``config``: the force configuration;
    ``commentary_warnings``: the commentary sentences that contradict the figures,
    :func:`helpers.pages.commentary_check.commentary_warnings`).

    ``pdf`` says whether ``pack.pdf`` was written (:meth:`helpers.pack.pdf.PdfResult.record`:
    ``written``, ``file``, ``bytes``, ``seconds`` and the ``reason`` when not, such as
    ``--no-pdf`` or Chromium missing); None when the run did not get that far (a failed run)."""
    names = extract_names(run.data_dir)
    data_to = cube.data_to
    return {
        "status": status,
        "force_name": config.force_name,
        "protective_marking": config.protective_marking,
        "suppress_below": config.suppress_below,
        "settings": settings,
        "parameters": {
            "month": run.month,
            "period": run.period,
            "geography": "Force",
            "data_dir": display_path(run.data_dir),
            "interactive": False,
            "jobs": run.jobs,
            "timeout_seconds_per_cell": run.timeout,
            "notebooks": [nb.name for nb in run.notebooks],
        },
        "data": {
            "dir": display_path(run.data_dir),
            "fingerprint": fingerprint,
            "snapshot": run.data_fingerprint,
            "extracts": names,
            "data_to": _jsonable(
                {
                    k: (str(as_month(v)) if as_month(v) is not None else None)
                    for k, v in data_to.items()
                }
            )
            if isinstance(data_to, dict)
            else None,
        },
        "load_report": loaded,
        "commentary_warnings": list(commentary_warnings),
        "packages": package_versions(),
        "notebooks": [
            {
                "notebook": r.notebook.name,
                "title": r.notebook.title,
                "page": r.notebook.page if r.ok else None,
                "status": "ok" if r.ok else "failed",
                "seconds": round(r.seconds, 2),
                "attempts": r.attempts,
                "page_bytes": r.page_bytes,
                "stderr_outputs_not_in_page": r.dropped_stderr,
                "error": r.failure.describe() if r.failure else r.export_error,
            }
            for r in results
        ]
        + run.carried,
        "pdf": pdf,
        "page_budget_bytes": {**PAGE_BUDGET, "all_pages": PACK_BUDGET},
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }


# --------------------------------------------------------------------------------------------------
# Publishing


def keep_failed(out: Path, results: list[Result], scrub: Scrubber, record: dict) -> Path:
    """Copy the failed notebooks (paths scrubbed, record values withheld) and a run record to
    ``<out>/failed/``.

    Only ``failed/`` is touched: the published pack beside it stays as it was.
    """
    failed = out / "failed"
    tmp = out / f".failed-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for r in results:
        if r.failure is not None and r.output.exists():
            nb = nbformat.read(r.output, as_version=4)
            withhold_record_values(nb)
            (tmp / r.notebook.name).write_text(scrub(nbformat.writes(nb)), encoding="utf-8")
    (tmp / "run.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
    shutil.rmtree(failed, ignore_errors=True)
    os.replace(tmp, failed)
    return failed


def extract_names(data_dir: Path) -> list[str]:
    from ..sources.loading import available_extracts

    return available_extracts(data_dir)
