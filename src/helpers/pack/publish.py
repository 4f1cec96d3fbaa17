"""Publishing a pack safely: the output folder's marker, the atomic swap, recovery after a kill.

What this module promises (``helpers.pack.runner`` calls it; it imports nothing but the standard library,
so a process that only publishes starts in milliseconds):

- **Only a pack is replaced.** Every folder a pack publishes holds :data:`PACK_MARKER`;
  :func:`is_pack_folder` recognises it (or a pack made before markers, by its content and run
  record). The pack refuses any other ``--out``.
- **Publishing completes or leaves the previous pack.** :func:`publish` swaps the staged pack in
  with one atomic exchange where the system has one (Linux ``renameat2(RENAME_EXCHANGE)``), else
  with two renames, after writing a journal; :func:`recover_interrupted_publish` (called by the
  next run under :func:`output_lock`) restores the old pack if a kill left none and removes what
  a killed run left.
- **Failures to write say so.** :func:`writing_to` turns "no permission", "read-only" and "disk
  full" into :class:`OutputUnwritable` (exit 6); a second run for the same folder gets
  :class:`OutputBusy` (exit 5).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import shutil
import sys
from pathlib import Path

from ..config import display_path

EXIT_BUSY = 5
EXIT_OUTPUT_UNWRITABLE = 6
#: errno values that mean the output folder cannot take the pack: no permission, a read-only
#: file system, no space left, over quota. Raised while staging or publishing they exit 6.
OUTPUT_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT})


class OutputError(Exception):
    """The output folder cannot take the pack now; ``exit_code`` tells the operator why."""

    exit_code = EXIT_OUTPUT_UNWRITABLE


class OutputBusy(OutputError):
    """Another run holds the output folder's lock."""

    exit_code = EXIT_BUSY


class OutputUnwritable(OutputError):
    """Staging or publishing failed because the output folder cannot be written."""

    exit_code = EXIT_OUTPUT_UNWRITABLE


# --------------------------------------------------------------------------------------------------
# The output folder: a pack replaces only what a pack wrote

#: The marker a pack writes into every folder it publishes (JSON: the tool and the month).
PACK_MARKER = ".ppw-pack"
PACK_TOOL = "helpers.pack"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_run_record(record) -> bool:
    """Whether ``record`` (parsed JSON) is a pack's run.json."""
    return (
        isinstance(record, dict)
        and record.get("status") in ("ok", "failed")
        and isinstance(record.get("parameters"), dict)
        and "month" in record["parameters"]
        and isinstance(record.get("notebooks"), list)
        and isinstance(record.get("packages"), dict)
    )


def _written_by_a_pack(name: str) -> bool:
    """Whether an entry of a pack folder has a name a pack gives to what it writes."""
    return (
        name in ("run.json", "tables.csv", "notebooks", "failed", PACK_MARKER)
        or name.endswith(".html")
        or name.startswith(".failed-")  # keep_failed's temporary folder, left by a killed run
    )


def is_pack_folder(folder: Path) -> bool:
    """Whether ``folder`` is a pack: it holds the marker, or is a pack made before markers.

    A folder published before the marker existed is recognised by its content: only names a pack
    writes (pages, ``notebooks/``, ``tables.csv``, ``run.json``, ``failed/``) and a run record
    (``run.json``, or ``failed/run.json`` when only a failed run wrote it). Users' current packs
    keep being updated; a folder that merely holds a file called run.json is not taken for one.
    """
    marker = _read_json(folder / PACK_MARKER)
    if isinstance(marker, dict) and marker.get("tool") == PACK_TOOL:
        return True
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return False
    if not names or not all(_written_by_a_pack(n) for n in names):
        return False
    return any(_is_run_record(_read_json(folder / r)) for r in ("run.json", "failed/run.json"))


# --------------------------------------------------------------------------------------------------
# Publishing


def _fsync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a power cut after publishing keeps the new pack)."""
    with contextlib.suppress(OSError, AttributeError):  # not every system can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_json_atomically(path: Path, value) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(value, indent=1) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


#: ``renameat2`` flag (linux/fs.h): swap the two paths.
RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2():
    """libc's ``renameat2`` (glibc 2.28+, musl 1.2.3+), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange_paths(a: Path, b: Path) -> bool:
    """Swap two existing folders in one atomic step; False where the system cannot.

    Linux's ``renameat2(2)`` with ``RENAME_EXCHANGE`` (a documented system call, reached through
    libc with :mod:`ctypes`): at every moment each path names one complete folder. Without it
    (another system, an old kernel or C library, a file system without the flag) the caller
    falls back to two renames.

    Raises
    ------
    OSError
        The swap failed for another reason (permission, read-only file system…).
    """
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _journal(out: Path) -> Path:
    return out.parent / f".ppw-publish-{out.name}.json"


def staging_folder(out: Path) -> Path:
    """Where a run writes its pack before publishing it (beside ``out``: a rename, not a copy)."""
    return out.parent / f".staging-{out.name}-{os.getpid()}"


def publish(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` so that ``out`` is always a complete pack, old or new.

    ``out`` absent: one rename. Otherwise a journal naming the folders is written first, then
    the two folders are swapped atomically (:func:`exchange_paths`), the old pack (now at the
    staging path) deleted and the journal removed. Where no atomic swap exists the old pack is
    renamed aside first and the new one renamed in; a run killed between the two leaves no
    ``out``, and :func:`recover_interrupted_publish` (the next run) puts the old one back.
    """
    parent = out.parent
    if not out.exists():
        os.rename(staging, out)
        _fsync_dir(parent)
        return
    old = parent / f".old-{out.name}-{os.getpid()}"
    journal = _journal(out)
    _write_json_atomically(journal, {"out": out.name, "staging": staging.name, "old": old.name})
    if exchange_paths(staging, out):
        _fsync_dir(parent)
        shutil.rmtree(staging)  # the old pack, swapped out
    else:
        os.rename(out, old)
        os.rename(staging, out)
        _fsync_dir(parent)
        shutil.rmtree(old)
    journal.unlink()


def _leftover(parent: Path, name: str | None, kind: str, out: Path) -> Path | None:
    """A folder named in a journal, if it is one a publish of ``out`` makes (never anything else)."""
    if not isinstance(name, str) or not name.startswith(f".{kind}-{out.name}-") or "/" in name:
        return None
    return parent / name


def recover_interrupted_publish(out: Path) -> list[str]:
    """Clean up after a run for ``out`` that was killed; return what was done, for the log.

    Call it holding the folder's lock (:func:`output_lock`): then no other run is using the
    staging folders beside ``out``. A published pack missing because a run was killed between
    the two renames of the fallback is restored from the swapped-out copy the journal names (or,
    for a run of an older version without a journal, the only ``.old-<name>-*`` folder that is a
    pack). Then staging folders, swapped-out packs, ``failed/``'s temporary copies and the
    journal are deleted.
    """
    parent, done = out.parent, []
    journal = _journal(out)
    record = _read_json(journal)
    olds = sorted(p for p in parent.glob(f".old-{out.name}-*") if p.is_dir())
    if isinstance(record, dict):
        named = _leftover(parent, record.get("old"), "old", out)
        olds = [named] if named is not None and named.is_dir() else olds
    if not out.exists():
        packs = [p for p in olds if is_pack_folder(p)]
        if len(packs) == 1:
            os.rename(packs[0], out)
            _fsync_dir(parent)
            done.append(f"restored the published pack {display_path(out)}/ (a run was killed)")
    leftovers = [
        *parent.glob(f".staging-{out.name}-*"),
        *parent.glob(f".old-{out.name}-*"),
        *(out.glob(".failed-*") if out.is_dir() else []),
    ]
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    if leftovers:
        done.append(f"removed {len(leftovers)} folder(s) left by a run that was killed")
    for path in (journal, journal.with_name(journal.name + ".tmp")):
        path.unlink(missing_ok=True)
    return done


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold ``<parent>/.lock-<name>`` so that two runs never publish to the same folder at once.

    Raises
    ------
    OutputBusy
        Another run holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, the publish is still atomic
        yield
        return

    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.parent / f".lock-{out.name}"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(
                f"another pack run is publishing to {display_path(out)}/ (it holds "
                f"{path.name}); wait until it has finished, then run again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def writing_to(out: Path):
    """Turn a failure to write the pack (permission, read-only, disk full) into exit 6.

    Raises
    ------
    OutputUnwritable
        An :class:`OSError` with an errno of :data:`OUTPUT_ERRNOS` was raised inside.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        raise OutputUnwritable(
            f"cannot write the pack to {display_path(out.parent)}/ for {display_path(out)}/: "
            f"{os.strerror(exc.errno)}; free space, allow writing, or choose another --out "
            "(the published pack, if any, was not changed)"
        ) from None


def write_marker(folder: Path, month: str) -> None:
    """Mark ``folder`` as a pack (:data:`PACK_MARKER`): a later run may replace it."""
    (folder / PACK_MARKER).write_text(
        json.dumps({"tool": PACK_TOOL, "month": month}) + "\n", encoding="utf-8"
    )
