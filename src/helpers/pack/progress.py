"""Progress and sizes on stderr: a bar on a terminal, plain lines (no timestamps; cron adds its own)
otherwise, and each page's size against its budget.
"""

from __future__ import annotations

import sys
import threading

from .errors import log
from .execute import Result
from .export import PACK_BUDGET, PAGE_BUDGET


class Progress:
    """Report progress on stderr: tqdm when stderr is a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._bar = None
        if total and hasattr(self.stream, "isatty") and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="notebook", file=self.stream, leave=False)

    def log(self, message: str) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.write(message, file=self.stream)
            else:
                print(message, file=self.stream, flush=True)

    def step(self, message: str) -> None:
        with self._lock:
            self.done += 1
            line = f"[{self.done}/{self.total}] {message}"
            if self._bar is not None:
                self._bar.write(line, file=self.stream)
                self._bar.update(1)
            else:
                print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.2f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"


def report_sizes(results: list[Result]) -> list[str]:
    """Print each page's size; return warnings for pages over budget."""
    warnings = []
    for r in results:
        if r.page_bytes is None:
            continue
        budget = PAGE_BUDGET[r.notebook.kind]
        log(f"  {r.notebook.page:<40} {_size(r.page_bytes):>9}  (budget {_size(budget)})")
        if r.page_bytes > budget:
            warnings.append(
                f"warning: {r.notebook.page} is {_size(r.page_bytes)}, over the "
                f"{_size(budget)} budget for an {r.notebook.kind} page"
            )
    total = sum(r.page_bytes or 0 for r in results)
    log(f"  {'all pages':<40} {_size(total):>9}  (budget {_size(PACK_BUDGET)})")
    if total > PACK_BUDGET:
        warnings.append(
            f"warning: the pages total {_size(total)}, over the {_size(PACK_BUDGET)} budget "
            "for sending the pack as one e-mail"
        )
    for w in warnings:
        log(w)
    return warnings
