"""The pack's exit codes, the errors that end a run with one of them, and its log lines."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_NOTEBOOK_FAILED = 1
EXIT_INVALID_PARAMETERS = 2
EXIT_DATA_VALIDATION = 3
EXIT_INTERNAL = 4


EXIT_CODES_HELP = """\
exit codes:
  0  the pack was published to the output folder
  1  a notebook failed: the message names the notebook, the cell and the error; the partly
     executed notebook is kept under <out>/failed/ and the previously published pack is untouched
  2  invalid parameters (month, period, data folder, notebooks, jobs, timeout, an output folder
     that is not a pack's) or configuration (params/force.yaml missing, a YAML syntax error, an
     unknown or mistyped key: the message names the file and the key or line): nothing was run
  3  the data failed validation (the message names the file, the column and example rows)
  4  internal or export error (for example a page that would load something from the internet)
  5  busy: another run is publishing to the same output folder; wait for it, then run again
  6  the output folder cannot be written (no permission, read-only, disk full or over quota):
     the message names the folder; the previously published pack is untouched
"""


class PackError(Exception):
    """A run that stops with an exit code and a message for the operator."""

    exit_code = EXIT_INTERNAL


class InvalidParameters(PackError):
    exit_code = EXIT_INVALID_PARAMETERS


class ExportError(PackError):
    exit_code = EXIT_INTERNAL


def one_line(text: str) -> str:
    return " ".join(text.split())


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
