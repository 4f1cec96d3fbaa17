"""The output folder: a pack replaces only what a pack wrote.

The output folder
-----------------
``--out`` (default ``reports/<month>``) is replaced only if it is absent, empty, or a pack: it holds
the marker ``.ppw-pack`` (``{"tool": "helpers.pack", "month": …}``), or — a pack published before
markers existed — only the files a pack writes and a ``run.json`` that is a pack's run record.
Never the data folder, the project folder, ``notebooks/``, ``params/``, ``src/``, ``reports/``
itself, anything holding ``.git``, or a parent of any of them: those are refused with exit 2.
"""

from __future__ import annotations

from pathlib import Path

from ..config import NOTEBOOKS_DIR, PROFILES_DIR, PROJECT_ROOT, REPORTS_DIR, display_path
from .errors import InvalidParameters
from .publish import PACK_MARKER, is_pack_folder


def protected_folders(
    data_dir: Path, notebooks_dir: Path, profile: Path | None = None
) -> dict[Path, str]:
    """Folders a pack never replaces, nor any of their parents, with what each is."""
    return {
        data_dir: "the data folder",
        PROJECT_ROOT: "the project folder",
        NOTEBOOKS_DIR: "the notebooks folder",
        notebooks_dir: "the notebooks folder",
        PROFILES_DIR: "the profiles folder",
        **({profile: "the force's profile"} if profile is not None else {}),
        PROJECT_ROOT / "src": "the source folder",
        REPORTS_DIR: "the reports folder (it holds every month's pack)",
    }


def check_output_folder(out: Path, protected: dict[Path, str]) -> None:
    """Refuse an ``--out`` that publishing could destroy (see the module docstring).

    Raises
    ------
    InvalidParameters
        ``out`` is (or is a parent of) a protected folder, holds ``.git``, is a file, or holds files
        a pack did not write. The message names the folder and why.
    """
    shown = display_path(out)
    for folder, what in protected.items():
        folder = Path(folder).resolve()
        if out == folder or out in folder.parents:
            holds = "is" if out == folder else "holds"
            raise InvalidParameters(
                f"--out {shown} {holds} {what} ({display_path(folder)}): publishing would "
                "replace it; choose a folder of its own, e.g. reports/<month>"
            )
    if ".git" in out.parts:
        raise InvalidParameters(f"--out {shown} is inside a git repository's .git folder")
    if not out.exists():
        return
    if not out.is_dir():
        raise InvalidParameters(f"--out {shown} is a file, not a folder")
    if (out / ".git").exists():
        raise InvalidParameters(f"--out {shown} holds a git repository (.git): never replaced")
    if is_pack_folder(out):
        return
    names = sorted(p.name for p in out.iterdir())
    if names:
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        raise InvalidParameters(
            f"--out {shown} holds files a pack did not write ({', '.join(names[:5])}{more}); "
            f"a pack replaces only an empty folder or one a pack wrote (it holds {PACK_MARKER}): "
            "choose another --out"
        )
