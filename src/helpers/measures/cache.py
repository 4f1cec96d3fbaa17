"""The cube cache's files: a cached cube read back with every file checked against the
checksum recorded, written (tables first, its record last) and pruned to the most recently
used few. Where a folder's cubes are cached, and when, is :func:`helpers.measures.cube.load_cube`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import threading
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .. import periods
from ..contract.extracts import EXTRACTS
from ..sources.loading import LoadReport, latest_accepted
from .figures import Cube, Reference

#: Cached cubes kept per data folder: the newest by last use. A pack's notebooks load their run's
#: snapshot by fingerprint while the folder may change; keeping a few means a new cube written
#: meanwhile (or two) never deletes the one they are reading.
KEEP_CACHED = 3


_CACHE_TABLES = ("frame", "coverage", "peers", "measures")


class _CacheInvalid(Exception):
    """A cached cube that must not be used (absent, edited, incomplete, or no longer valid)."""


def _check_dates_still_accepted(d: Path, body: dict) -> None:
    """Refuse a cache whose files would no longer pass validation: the content is the same (the
    fingerprint says so), but a file's modification time may have been set before its records."""
    for file_name, latest in body["latest_dates"].items():
        try:
            limit, _ = latest_accepted(d / file_name)
        except OSError as exc:
            raise _CacheInvalid(f"{file_name} cannot be read ({exc.strerror})") from None
        if pd.Timestamp(latest) > pd.Timestamp(limit):
            raise _CacheInvalid(f"{file_name} now holds dates after the file's own date")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _read_cache(paths: dict[str, Path], fp: str, reference: Reference) -> tuple[Cube, dict]:
    """Read a cached cube and its record, every file checked against the checksum recorded.

    Each file is read once into memory, checked, and parsed from those very bytes, so what is
    checked is what is used even if another process rewrites the file meanwhile.
    """
    try:
        meta = json.loads(paths["meta"].read_bytes())
        body = meta["body"]
        if _digest(_canonical(body)) != meta["checksum"]:
            raise _CacheInvalid("its record does not match its checksum (edited?)")
        if body["fingerprint"] != fp:
            raise _CacheInvalid("its record is of another fingerprint")
        tables = {}
        for key in _CACHE_TABLES:
            data = paths[key].read_bytes()
            if _digest(data) != body["files"][key]:
                raise _CacheInvalid(f"{paths[key].name} does not match its checksum (edited?)")
            tables[key] = pd.read_parquet(io.BytesIO(data))
        report = body.get("extracts_report")
        cube = Cube(
            frame=tables["frame"],
            coverage=tables["coverage"],
            # in the contract's order, as a fresh build gives it (the JSON keeps its keys sorted)
            data_to={
                k: periods.parse_month(body["data_to"][k])
                for k in sorted(body["data_to"], key=list(EXTRACTS).index)
            },
            fingerprint=fp,
            peers=tables["peers"],
            measures=tables["measures"],
            reference=reference,
            extracts_report=None if report is None else LoadReport.from_record(report),
        )
    except FileNotFoundError as exc:
        raise _CacheInvalid(f"{Path(exc.filename).name} is missing") from None
    except _CacheInvalid:
        raise
    except Exception as exc:  # unreadable JSON or parquet, a key missing: never trusted
        raise _CacheInvalid(f"unreadable ({type(exc).__name__}: {exc})") from None
    with contextlib.suppress(OSError):  # last use, for keeping the most recently used few
        os.utime(paths["meta"])
    return cube, body


def _write_cache_in(cube: Cube, paths: dict[str, Path], latest_dates: dict[str, str]) -> None:
    """Write the cube's tables, then its record (checksums of each table, and of the record)."""
    base = paths["meta"].parent
    tag = f".{os.getpid()}-{threading.get_ident()}.tmp"  # two writers never share a temporary
    base.mkdir(parents=True, exist_ok=True)
    try:
        files = {}
        for key in _CACHE_TABLES:
            tmp = paths[key].with_name(paths[key].name + tag)
            getattr(cube, key).to_parquet(tmp, index=False)
            files[key] = _digest(tmp.read_bytes())
            os.replace(tmp, paths[key])
        report = cube.extracts_report
        body = {
            "fingerprint": cube.fingerprint,
            "data_to": {k: v.strftime("%Y-%m") for k, v in cube.data_to.items()},
            "files": files,
            "latest_dates": latest_dates,
            "extracts_report": None if report is None else asdict(report),
        }
        tmp = paths["meta"].with_name(paths["meta"].name + tag)
        record = {"body": body, "checksum": _digest(_canonical(body))}
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, paths["meta"])  # written last: its presence marks a complete cache
    except OSError:
        for left in base.glob(f"cube-*{tag}"):  # a full disk leaves no half-written temporary
            left.unlink(missing_ok=True)
        raise
    _prune_cache(base, keep=cube.fingerprint)


def _prune_cache(base: Path, keep: str) -> None:
    """Delete all but the :data:`KEEP_CACHED` most recently used cubes (and ``keep``)."""
    entries: dict[str, list[Path]] = {}
    for p in base.glob("cube-*"):
        fp = p.name[len("cube-") :].split(".")[0].split("-")[0]
        entries.setdefault(fp, []).append(p)

    def last_used(fp: str) -> float:
        times = []
        for p in entries[fp]:
            with contextlib.suppress(OSError):
                times.append(p.stat().st_mtime)
        return max(times, default=0.0)

    newest = sorted(entries, key=last_used, reverse=True)
    for fp in newest[KEEP_CACHED:]:
        if fp != keep:
            for p in entries[fp]:
                p.unlink(missing_ok=True)
