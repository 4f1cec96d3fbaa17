"""The filter bar's worker: urgent work first, background work only when idle, nothing while a cell runs."""

from __future__ import annotations

import threading
import time

from IPython.core.events import EventManager, available_events

from helpers.render.idle import IdleWorker


class FakeShell:
    """What :meth:`IdleWorker.attach` uses of an IPython shell: its events (IPython's own class)."""

    def __init__(self):
        self.events = EventManager(self, available_events)


def test_urgent_tasks_run_before_background_ones():
    done = []
    worker = IdleWorker(quiet_s=0.0)
    worker.pause()
    worker.set_background([lambda: done.append("b1"), lambda: done.append("b2")])
    worker.set_urgent([lambda: done.append("u1")])
    worker.resume()
    assert worker.join(5)
    assert done == ["u1", "b1", "b2"] and worker.background_done == 2


def test_background_waits_for_quiet_time():
    started = []
    worker = IdleWorker(quiet_s=0.4)
    t0 = time.monotonic()
    worker.set_background([lambda: started.append(time.monotonic() - t0)])
    assert worker.join(5)
    assert started[0] >= 0.35


def test_pause_returns_after_the_task_in_flight_and_holds_the_rest():
    running, finished, later = threading.Event(), threading.Event(), []

    def slow():
        running.set()
        time.sleep(0.3)
        finished.set()

    worker = IdleWorker(quiet_s=0.0)
    worker.set_background([slow, lambda: later.append(1)])
    assert running.wait(5)
    worker.pause()
    assert finished.is_set(), "pause returned while a task was still running"
    time.sleep(0.2)
    assert later == [], "a task started while paused"
    worker.resume()
    assert worker.join(5) and later == [1]


def test_pauses_nest():
    ran = []
    worker = IdleWorker(quiet_s=0.0)
    worker.pause()  # a cell runs
    worker.pause()  # …and changes a drop-down
    worker.set_background([lambda: ran.append(1)])
    worker.resume()  # the change is handled
    time.sleep(0.2)
    assert ran == [] and worker.paused
    worker.resume()  # the cell ends
    assert worker.join(5) and ran == [1]
    worker.resume()  # a resume without a pause changes nothing
    assert not worker.paused


def test_a_new_plan_replaces_the_old_one():
    ran = []
    worker = IdleWorker(quiet_s=0.0)
    worker.pause()
    worker.set_urgent([lambda: ran.append("old")])
    worker.set_urgent([lambda: ran.append("new")])
    worker.resume()
    assert worker.join(5) and ran == ["new"]


def test_flush_while_paused_runs_urgent_work_in_the_callers_thread():
    threads = []
    worker = IdleWorker(quiet_s=0.0)
    worker.pause()  # a cell is running and waits for the charts of its change
    worker.set_urgent([lambda: threads.append(threading.current_thread())] * 2)
    assert worker.flush_urgent(timeout=5)
    assert threads == [threading.current_thread()] * 2


def test_a_failing_background_task_is_counted_and_the_rest_run():
    ran = []
    worker = IdleWorker(quiet_s=0.0)
    worker.set_background([lambda: 1 / 0, lambda: ran.append(1)])
    assert worker.join(5)
    assert worker.failures == 1 and ran == [1]


def test_cells_pause_the_worker_through_ipython_events():
    shell = FakeShell()
    worker = IdleWorker(quiet_s=0.0)
    worker.attach(shell)
    shell.events.trigger("pre_run_cell", None)
    assert worker.paused
    ran = []
    worker.set_background([lambda: ran.append(1)])
    time.sleep(0.2)
    assert ran == []
    shell.events.trigger("post_run_cell", None)
    assert worker.join(5) and ran == [1]
    worker.close()
    shell.events.trigger("pre_run_cell", None)
    assert not worker.paused  # no longer listening


def test_urgent_work_does_not_wait_out_the_quiet_time():
    worker = IdleWorker(quiet_s=5.0)
    worker.set_background([lambda: None])  # the thread now waits for 5 quiet seconds
    time.sleep(0.1)
    ran = threading.Event()
    t0 = time.monotonic()
    worker.set_urgent([ran.set])
    assert ran.wait(2) and time.monotonic() - t0 < 1.0
    worker.close()
