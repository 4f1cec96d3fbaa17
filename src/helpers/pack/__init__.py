"""The monthly pack: ``python -m helpers.pack --month YYYY-MM`` (see :mod:`helpers.pack.runner`).

- ``runner``: the command line and the run's steps, in the order :func:`runner.main` takes them
- ``plan``: the checked parameters of a run and the pack's notebooks, in order
- ``execute``: one notebook with papermill — retries, time-outs, what a stopped run leaves
- ``export``: HTML for commanders — no code, the page shell, no request to another host
- ``record``: the run record (``run.json``), what a failed run keeps, paths without the machine's
- ``errors``: the exit codes, the errors that end a run with one of them, the log line
- ``publish``: the pack folder's marker, the atomic swap of a finished pack into place, recovery
- ``timing``: how long an analyst waits for a view (``make bench``)
"""
