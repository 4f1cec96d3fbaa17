"""Executing one notebook with papermill: retries, time-outs, what a stopped run leaves."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import log, one_line
from .plan import Notebook
from .publish import (  # exits 5 (busy) and 6 (output unwritable) come with publishing
    EXIT_BUSY,  # noqa: F401 - one of the pack's exit codes, re-exported beside the others
    EXIT_OUTPUT_UNWRITABLE,  # noqa: F401 - likewise
    OUTPUT_ERRNOS,
)

KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 600


# --------------------------------------------------------------------------------------------------
# Executing notebooks


@dataclass
class Failure:
    """Where and how a notebook failed."""

    notebook: str
    cell_index: int | None
    first_line: str
    ename: str
    evalue: str
    execution_count: int | None = None

    def describe(self) -> str:
        """``02_victims.ipynb failed at cell 5 (In [4]: 'x = 1'): ValueError: …``."""
        if self.cell_index is None:
            where = "before any cell ran"
        else:
            prompt = f"In [{self.execution_count}]: " if self.execution_count else ""
            where = f"cell {self.cell_index} ({prompt}{self.first_line!r})"
        return f"{self.notebook} failed at {where}: {self.ename}: {self.evalue}"


@dataclass
class Result:
    """The outcome of one notebook."""

    notebook: Notebook
    output: Path
    seconds: float = 0.0
    attempts: int = 0
    failure: Failure | None = None
    page_bytes: int | None = None
    dropped_stderr: int = 0
    export_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and self.export_error is None


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _cell_states(output: Path) -> list[str]:
    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:
        return []
    return [c.get("metadata", {}).get("papermill", {}).get("status", "") for c in nb.cells]


def _stopped_cell(nb: nbformat.NotebookNode) -> int | None:
    """The index of the cell a notebook stopped in without a cell error; None if none started.

    On a time-out or a dead kernel papermill marks the cell it was running "completed", and then
    every cell it never reached "completed" too (``notebook_complete``), so the status cannot
    tell. The start time can: a cell not reached has none. The last cell that started is the one.
    """
    last = None
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") in ("running", "failed") or meta.get("exception"):
            return i
        if meta.get("start_time"):
            last = i
    return last


def _stop_reason(exc: BaseException, timeout: int) -> str:
    """One line saying why a notebook stopped without a cell error, for the operator."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, CellTimeoutError):
        return f"the cell ran for more than {timeout} s (--timeout {timeout})"
    if isinstance(exc, DeadKernelError):
        detail = one_line(str(exc))
        return (
            "the kernel died while running this cell — out of memory? (the system stops a "
            "process that uses too much memory; run fewer --jobs at once or on a larger machine)"
            + (f" [{detail}]" if detail else "")
        )
    return one_line(str(exc)) or f"{type(exc).__name__} (no message)"


def record_stop(output: Path, ename: str, reason: str) -> tuple[int | None, str]:
    """Mark in the executed notebook where and why it stopped; return the cell and its first line.

    The cell it stopped in is marked failed and given an error output with ``reason``; the cells
    after it keep no status but "pending" (they were not executed). Without this the notebook
    kept under ``failed/`` shows every cell completed and no error.
    """
    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:  # nothing written yet: the kernel never started
        return None, ""
    index = _stopped_cell(nb)
    if index is None:
        return None, ""
    for i, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {}).setdefault("papermill", {})
        if i == index:
            meta["status"], meta["exception"] = "failed", True
        elif i > index:
            meta["status"], meta["exception"] = "pending", None
    cell = nb.cells[index]
    if cell.cell_type == "code":
        cell.outputs.append(
            nbformat.v4.new_output(
                "error", ename=ename, evalue=reason, traceback=[f"{ename}: {reason}"]
            )
        )
    nb.metadata.setdefault("papermill", {})["exception"] = True
    nbformat.write(nb, output)
    return index, _first_line(cell.source)


#: Errors whose message quotes rows of the data: a DataValidationError names example rows (ids,
#: names). Their text never goes into ``failed/``, run.json or the log (the pack's own exit-3
#: message, printed for the operator before any notebook runs, still shows them).
RECORD_QUOTING_ERRORS = ("DataValidationError",)
WITHHELD = (
    "the data failed validation while the notebook ran; the message quotes rows of the data, so "
    "it is not kept here: check the data folder with `python -m helpers.sources.loading <data folder>`"
)


def _quotes_records(*texts: str) -> bool:
    return any(name in text for name in RECORD_QUOTING_ERRORS for text in texts)


def withhold_record_values(nb: nbformat.NotebookNode) -> int:
    """Replace every output of ``nb`` that may quote rows of the data; return how many.

    Error outputs of a :data:`RECORD_QUOTING_ERRORS` error (also when chained behind another
    error) lose their message and traceback; streams and displayed values that print one are
    replaced by a note. The notebooks of a pack never validate the data (they load the run's
    snapshot), so this is the defence in depth behind that.
    """
    replaced = 0
    for cell in nb.cells:
        for i, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") == "error":
                texts = [out.get("ename", ""), out.get("evalue", ""), *out.get("traceback", [])]
                if _quotes_records(*texts):
                    out["evalue"] = WITHHELD
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {WITHHELD}"]
                    replaced += 1
            elif _quotes_records(json.dumps(out.get("text", "")), json.dumps(out.get("data", {}))):
                cell.outputs[i] = nbformat.v4.new_output(
                    "stream", name="stderr", text=f"(output not kept: {WITHHELD})\n"
                )
                replaced += 1
    return replaced


def is_kernel_start_failure(exc: BaseException, output: Path) -> bool:
    """Whether ``exc`` is the kernel start-up race (papermill #511) rather than the notebook's fault.

    ZMQError ("Address already in use") or a RuntimeError from the kernel start, and no cell has
    started: then one retry is safe. A kernel that died while running a cell is not retried.
    """
    try:
        from nbclient.exceptions import DeadKernelError
    except ImportError:  # pragma: no cover - nbclient is a dependency
        DeadKernelError = ()  # noqa: N806
    try:
        import zmq

        zmq_error: tuple = (zmq.ZMQError,)
    except ImportError:  # pragma: no cover - pyzmq comes with jupyter_client
        zmq_error = ()
    if not isinstance(exc, (*zmq_error, RuntimeError)) or isinstance(exc, DeadKernelError):
        return False
    return all(s in ("", "pending") for s in _cell_states(output))


def execute_notebook(
    notebook: Notebook,
    output: Path,
    parameters: dict,
    *,
    timeout: int,
    cwd: Path,
    ipc_prefix: Path | None = None,
    on_retry: Callable[[str], None] = log,
    execute: Callable | None = None,
) -> Result:
    """Execute one notebook with papermill in its own kernel; retry once if the kernel fails to start.

    Parameters
    ----------
    notebook, output
        The notebook and where the executed copy is written (papermill writes it as each cell
        starts and ends, so a run stopped by an error, a time-out or a dead kernel leaves the
        partly executed notebook).
    parameters
        papermill parameters.
    timeout
        Seconds any one cell may run (papermill ``execution_timeout``).
    cwd
        Working directory of the kernel. Passed to the kernel, not set with ``os.chdir``: the
        working directory is per process and the notebooks run in threads.
    ipc_prefix
        Talk to the kernel over Unix sockets named ``<ipc_prefix>-<n>`` instead of TCP ports. TCP
        ports are picked by binding and releasing them, which races when kernels start together
        (papermill #511); unique socket paths cannot collide. None: TCP.
    execute
        Stand-in for ``papermill.execute_notebook`` (tests).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    execute = execute or papermill.execute_notebook
    extra = {}
    if ipc_prefix is not None:
        from traitlets.config import Config

        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(ipc_prefix)
        extra["config"] = config
    result = Result(notebook, output)
    start = time.perf_counter()
    for attempt in (1, 2):
        result.attempts = attempt
        try:
            execute(
                str(notebook.path),
                str(output),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=True,  # a stopped run leaves what it executed
                execution_timeout=timeout,
                start_timeout=120,
                resources={"metadata": {"path": str(cwd)}},
                # The kernel's own log (jupyter_client interrupts a kernel before shutting it down,
                # which it logs as an ERROR) is noise in a cron mail; cell errors come as messages.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                **extra,
            )
            break
        except PapermillExecutionError as exc:
            evalue = str(exc.evalue)
            if _quotes_records(exc.ename, evalue, *exc.traceback):
                evalue = WITHHELD
            result.failure = Failure(
                notebook.name,
                exc.cell_index,
                _first_line(exc.source),
                exc.ename,
                evalue,
                exc.exec_count,
            )
            break
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in OUTPUT_ERRNOS:
                raise  # the executed notebook cannot be written: the output folder's problem
            if attempt == 1 and is_kernel_start_failure(exc, output):
                on_retry(
                    f"{notebook.name}: kernel failed to start ({type(exc).__name__}: {exc}); retrying once"
                )
                with contextlib.suppress(FileNotFoundError):
                    output.unlink()
                continue
            ename, reason = type(exc).__name__, _stop_reason(exc, timeout)
            index, first = record_stop(output, ename, reason)
            result.failure = Failure(notebook.name, index, first, ename, reason)
            break
    result.seconds = time.perf_counter() - start
    return result
