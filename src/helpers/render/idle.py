"""Drawing in the background only while nothing else runs: the filter bar's one worker thread.

The filter bar (:mod:`helpers.render.widgets`) draws two kinds of work off the kernel's main thread:

- *urgent* work: the charts of the view the analyst has just picked, shown as each is drawn (the
  table and every view already drawn are shown at once by the bar itself);
- *background* work: the views the analyst is likely to pick next (every place for the period on
  show, the other periods, the months either side), rendered into the page's cache so that picking
  one shows it at once. Background work starts only once the kernel has been idle for ``quiet_s``,
  and always after the urgent work.

Both are done by one daemon thread per bar, one task at a time, and only while the worker is not
*paused*. The bar pauses it for the few milliseconds it handles a drop-down change, and — the
reason this module exists — it is paused for as long as a notebook cell runs (IPython's
``pre_run_cell`` / ``post_run_cell`` events, :meth:`IdleWorker.attach`). matplotlib's style
(``rcParams``, entered with ``rc_context`` by every chart builder) is one per process: a chart drawn
in a thread while the analyst's own cell plots would lend that cell the house style, and on leaving
its ``rc_context`` put back the ``rcParams`` as they were before — undoing whatever the cell set
meanwhile. :meth:`IdleWorker.pause` returns only once the task in flight has finished, so no chart
of ours is ever drawn while a cell runs.

Nothing here is shared between workers or kept at module level: each bar owns its worker.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

Task = Callable[[], object]


class IdleWorker:
    """One background thread running urgent tasks, then background tasks, while not paused.

    Parameters
    ----------
    quiet_s
        Background tasks start only when the worker has been resumed (or created) for this long:
        during "Run All" the cells follow each other within milliseconds, so nothing is prefetched
        until the notebook has finished.
    name
        The thread's name (shown by debuggers and ``threading.enumerate``).

    The thread is started when there is work and ends when there is none left.
    """

    def __init__(self, *, quiet_s: float = 0.25, name: str = "ppw-idle"):
        self.quiet_s = quiet_s
        self.name = name
        self._cond = threading.Condition()
        self._urgent: collections.deque[Task] = collections.deque()
        self._background: collections.deque[Task] = collections.deque()
        self._pauses = 0  # pause() calls not yet resumed: a change handled inside a running cell
        self._busy: str | None = None  # "urgent" / "background" while a task runs
        self._resumed_at = time.monotonic()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._shell = None
        #: Background tasks that raised (their view is drawn again, in the open, when picked).
        self.failures = 0
        #: Background tasks done (tests, benchmarks).
        self.background_done = 0

    # ---- work ----------------------------------------------------------------------------------
    def set_urgent(self, tasks: Iterable[Task]) -> None:
        """Replace the urgent tasks (those of an earlier change are dropped, not run)."""
        with self._cond:
            self._urgent = collections.deque(tasks)
            self._start()
            self._cond.notify_all()  # a thread waiting out the quiet time takes them at once

    def set_background(self, tasks: Iterable[Task]) -> None:
        """Replace the background tasks (the plan of an earlier view is dropped)."""
        with self._cond:
            self._background = collections.deque(tasks)
            self._start()
            self._cond.notify_all()

    def pending(self) -> tuple[int, int]:
        """(urgent, background) tasks not yet started."""
        with self._cond:
            return len(self._urgent), len(self._background)

    def idle(self) -> bool:
        """Whether nothing is queued or running."""
        with self._cond:
            return not (self._urgent or self._background or self._busy)

    # ---- pausing -------------------------------------------------------------------------------
    def pause(self, *_args) -> None:
        """Stop taking tasks; return once the task in flight (if any) has finished.

        Pauses nest: the worker runs again when every ``pause`` has had its :meth:`resume` (a
        drop-down changed by a running cell does not let the worker draw before the cell ends).
        Extra arguments are ignored, so this is an IPython ``pre_run_cell`` callback as it stands.
        """
        with self._cond:
            self._pauses += 1
            while self._busy is not None and self._thread is not threading.current_thread():
                self._cond.wait()

    def resume(self, *_args) -> None:
        """Undo one :meth:`pause` (background tasks start ``quiet_s`` after the last); an IPython
        ``post_run_cell`` callback. A resume without a pause (a bar made inside a running cell
        hears that cell's end) does nothing more."""
        with self._cond:
            self._pauses = max(0, self._pauses - 1)
            self._resumed_at = time.monotonic()
            self._start()
            self._cond.notify_all()

    @property
    def _paused(self) -> bool:
        return self._pauses > 0

    @property
    def paused(self) -> bool:
        """Whether the worker is held (a cell runs, or the bar is handling a change)."""
        return self._paused

    def attach(self, shell) -> None:
        """Pause while each of ``shell``'s cells runs (an IPython shell: ``get_ipython()``)."""
        if shell is None or self._shell is not None:
            return
        shell.events.register("pre_run_cell", self.pause)
        shell.events.register("post_run_cell", self.resume)
        self._shell = shell

    def close(self) -> None:
        """Drop every task, stop listening to the shell; the thread ends after its task in flight."""
        with self._cond:
            self._closed = True
            self._urgent.clear()
            self._background.clear()
            self._cond.notify_all()
        if self._shell is not None:
            for event, callback in (("pre_run_cell", self.pause), ("post_run_cell", self.resume)):
                with contextlib.suppress(ValueError):
                    self._shell.events.unregister(event, callback)
            self._shell = None

    # ---- waiting -------------------------------------------------------------------------------
    def flush_urgent(self, timeout: float | None = 60) -> bool:
        """Wait until the urgent tasks are done; return whether they are.

        While paused (called from a running cell: the worker is waiting for the cell to end) the
        urgent tasks are run here, in the caller's thread, rather than waited for.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._cond:
                while True:
                    if not self._urgent and self._busy != "urgent":
                        return True
                    if self._paused and self._busy is None:
                        task = self._urgent.popleft()  # the worker waits for the cell: run it here
                        break
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._cond.wait(left)
            task()

    def join(self, timeout: float | None = 60) -> bool:
        """Wait until every task, urgent and background, is done (tests, benchmarks)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._urgent or self._background or self._busy:
                if self._paused and self._busy is None:
                    return False  # nothing can run until resumed
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left if left is not None else 1.0)
            return True

    # ---- the thread ----------------------------------------------------------------------------
    def _start(self) -> None:
        # called with the condition held
        if self._closed or (self._thread is not None and self._thread.is_alive()):
            return
        if not (self._urgent or self._background):
            return
        self._thread = threading.Thread(target=self._run, daemon=True, name=self.name)
        self._thread.start()

    def _next(self) -> tuple[str, Task] | None:
        """The next task to run (waiting as needed), or None when there is no work left."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if not (self._urgent or self._background):
                    self._thread = None
                    return None
                wait = None
                if not self._paused:
                    if self._urgent:
                        self._busy = "urgent"
                        return "urgent", self._urgent.popleft()
                    left = self.quiet_s - (time.monotonic() - self._resumed_at)
                    if left <= 0:
                        self._busy = "background"
                        return "background", self._background.popleft()
                    wait = left
                self._cond.wait(wait)

    def _run(self) -> None:
        while True:
            picked = self._next()
            if picked is None:
                return
            kind, task = picked
            try:
                task()
                if kind == "background":
                    self.background_done += 1
            except Exception:  # noqa: BLE001  (a view that fails is drawn again, in the open, when picked)
                if kind == "urgent":
                    log.exception("drawing a view failed")
                else:
                    self.failures += 1
                    log.debug("prefetching a view failed", exc_info=True)
            finally:
                with self._cond:
                    self._busy = None
                    self._cond.notify_all()
