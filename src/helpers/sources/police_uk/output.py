"""Writing an import: the output folder's marker and check, the extracts and the report written
atomically, and the report as Markdown."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ...config import PROJECT_ROOT, resolve_path
from .mapping import ImportResult, PoliceUkImportError
from .profiling import write_profile

#: The folder of ``--out`` the importer writes a profile it made into (never over one there).
PROFILE_FOLDER = "profile"

#: The marker the importer writes into every folder it fills (JSON: the tool and its files).
IMPORT_MARKER = ".ppw-import"
IMPORT_TOOL = (
    "helpers.police_uk"  # the name folders were marked with (kept: earlier imports are recognised)
)


class OutputFolderError(PoliceUkImportError):
    """``--out`` holds files the importer did not write: writing there could destroy extracts."""


def _written_by_importer(folder: Path) -> bool:
    try:
        marker = json.loads((folder / IMPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("tool") == IMPORT_TOOL


def check_output_folder(out_dir: str | os.PathLike) -> Path:
    """Return the absolute output folder if the importer may write there, else raise.

    Allowed: a folder that does not exist yet, an empty folder, or one holding the importer's
    marker (:data:`IMPORT_MARKER`, written by an earlier import). Anything else may be a force's
    own extracts, which an import would silently replace.

    Raises
    ------
    OutputFolderError
        The folder is a file, or holds files without the marker (the message names the folder and
        a few of its files).
    """
    out = resolve_path(out_dir)
    shown = _shown(out)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {shown} is a file, not a folder")
    if not out.exists() or _written_by_importer(out):
        return out
    entries = sorted(p.name for p in out.iterdir())
    if entries:
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        raise OutputFolderError(
            f"--out {shown} holds files the importer did not write ({', '.join(entries[:5])}"
            f"{more}); it writes only into a new or empty folder or one it wrote before "
            f"(holding {IMPORT_MARKER}): choose another --out"
        )
    return out


def _shown(path: Path) -> str:
    """``path`` relative to the project root when inside it (messages name no machine paths)."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix() or "."
    except ValueError:
        return str(path)


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file renamed into place: a killed import leaves no half file."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_import(result: ImportResult, out_dir: str | os.PathLike) -> Path:
    """Write the extracts (parquet) and ``import_report.json`` / ``.md`` into ``out_dir``, and the
    profile the import made (``result.profile_draft``) into ``out_dir/profile/``.

    The folder is checked first (:func:`check_output_folder`) and marked as the importer's before
    any extract is written, so a re-import into it is allowed and nothing else is overwritten. A
    profile already in ``out_dir/profile/`` is never overwritten (the command line imports with
    it instead: an analyst's edits to it are kept).

    Raises
    ------
    OutputFolderError
        ``out_dir`` holds files the importer did not write, or a made profile would replace one.
    """
    out = check_output_folder(out_dir)
    profile_dir = out / PROFILE_FOLDER
    if result.profile_draft is not None and profile_dir.exists():
        raise OutputFolderError(
            f"{_shown(profile_dir)} exists: a profile is never overwritten; import with it "
            f"(--profile {_shown(profile_dir)}) or move it away"
        )
    out.mkdir(parents=True, exist_ok=True)
    # No peers chosen: no msg_peers file (an empty extract is refused; its areas say "no data"),
    # and none left behind by an earlier import of this folder.
    extracts = {n: f for n, f in result.extracts.items() if len(f) or n != "msg_peers"}
    for name in set(result.extracts) - set(extracts):
        (out / f"{name}.parquet").unlink(missing_ok=True)
    files = [f"{name}.parquet" for name in extracts] + [
        "import_report.json",
        "import_report.md",
    ]
    marker = json.dumps({"tool": IMPORT_TOOL, "files": files}, indent=1) + "\n"
    _write_atomically(out / IMPORT_MARKER, lambda p: p.write_text(marker, encoding="utf-8"))
    for name, frame in extracts.items():
        _write_atomically(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    report = json.dumps(result.report, indent=1, ensure_ascii=False) + "\n"
    _write_atomically(out / "import_report.json", lambda p: p.write_text(report, encoding="utf-8"))
    text = report_markdown(result.report)
    _write_atomically(out / "import_report.md", lambda p: p.write_text(text, encoding="utf-8"))
    if result.profile_draft is not None:
        tmp = out / f".{PROFILE_FOLDER}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        write_profile(result.profile_draft, tmp)
        os.replace(tmp, profile_dir)
    return out


def report_markdown(report: dict) -> str:
    """Render the import report for a reader."""
    r = report
    lines = [
        f"# Import report: {r['source']}",
        "",
        f"- Input folder: `{r['input']}`",
        f"- Force: {r['force']['name']} (`{r['force']['slug']}`)",
        "- Peers: " + (", ".join(f"{p['name']} (`{p['slug']}`)" for p in r["peers"]) or "none"),
        f"- Months requested: {r['months_requested'] or 'all found'}; expected "
        f"{r['months_expected'][0]} to {r['months_expected'][-1]}",
        *_national_line(r.get("national")),
        "",
        "## Warnings",
        "",
    ]
    lines += [f"- {w}" for w in r["warnings"]] or ["- none"]
    lines += ["", "## Caveats", ""] + [f"- {c}" for c in r["caveats"]]
    lines += ["", "## Not recorded in this source (written empty; their measures read N/A)", ""]
    lines += [
        f"- {extract}: " + ", ".join(f"`{c}`" for c in cols)
        for extract, cols in r.get("not_recorded", {}).items()
    ]
    lines += ["", "## Rows", "", "| force | rows read | crimes | ASB | duplicate rows dropped |"]
    lines += ["|---|---:|---:|---:|---:|"]
    for slug, v in r["rows_read"]["by_force"].items():
        lines.append(
            f"| {slug} | {v['rows_read']:,} | {v['crimes']:,} | {v['asb']:,} | "
            f"{v['duplicate_rows_dropped']:,} |"
        )
    lines += ["", "Written: " + ", ".join(f"{k} {v:,}" for k, v in r["rows_written"].items()), ""]
    lines += ["## Months", "", "| force | months found | missing |", "|---|---|---|"]
    for slug, ms in r["months_found"].items():
        miss = r["missing_months"].get(slug, [])
        lines.append(
            f"| {slug} | {len(ms)} ({ms[0] if ms else '-'} to {ms[-1] if ms else '-'}) | "
            f"{', '.join(miss) or 'none'} |"
        )
    lines += ["", "## No location (district Unassigned)", ""]
    nl = r["no_location"]
    lines.append(f"Crimes {nl['count']['crimes']}, incidents {nl['count']['incidents']}.")
    lines += [""] + [f"- `{x['where']}` {x['crime_type']}" for x in nl["rows"]]
    lines += ["", "## Outside the force area (district Unassigned)", ""]
    of = r["outside_force_area"]
    lines.append(
        f"Crimes {of['count']['crimes']}, incidents {of['count']['incidents']}, by the "
        "district of the LSOA:"
    )
    lines += [""] + [f"- {d}: {n}" for d, n in of["districts"].items()]
    lines += ["", "## Duplicate Crime IDs", ""]
    lines += [
        f"- `{d['crime_id']}` ({d['force']}): kept `{d['kept']}`, not counted again "
        + ", ".join(f"`{x}`" for x in d["dropped"])
        for d in r["duplicate_crime_ids"]
    ] or ["none"]
    lines += ["", "## Unknown outcome categories (imported as no outcome)", ""]
    lines += [
        f"- {u['category']!r}: {u['rows']} crimes, e.g. " + ", ".join(u["examples"])
        for u in r["unknown_outcome_categories"]
    ] or ["none"]
    lines += ["", "## Header problems", ""]
    lines += [f"- `{h['file']}`: " + "; ".join(h["problems"]) for h in r["header_problems"]] or [
        "none"
    ]
    lines += ["", "## Outcome mapping (crimes of the home force)", ""]
    lines += ["| Last outcome category | outcome_type | crimes |", "|---|---|---:|"]
    lines += [
        f"| {o['category'] or '(empty)'} | {o['outcome_type']} | {o['crimes']:,} |"
        for o in r["outcome_mapping"]
    ]
    lines += ["", "## Files read", "", "| file | rows | sha256 (uncompressed) |", "|---|---:|---|"]
    lines += [f"| `{f['file']}` | {f['rows']:,} | `{f['sha256']}` |" for f in r["files"]]
    if r["files_not_read"]:
        lines += ["", "## Files not read", ""]
        lines += [f"- `{f['file']}`: {f['reason']}" for f in r["files_not_read"]]
    return "\n".join(lines) + "\n"


def _national_line(national: dict | None) -> list[str]:
    """The report's line on the national rank (none for a report written before it had one)."""
    if national is None:
        return []
    n = national["forces_with_files"]
    if national["complete"]:
        return [f"- National: files of all {n} forces for every month: their counts are written"]
    return [
        f"- National: files of {n} forces for every month, not of every force of "
        "data/reference/forces.csv: only the peers' counts are written"
    ]
