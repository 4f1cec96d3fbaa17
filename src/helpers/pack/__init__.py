"""The monthly pack: ``python -m helpers.pack --month YYYY-MM`` (see :mod:`helpers.pack.runner`).

- ``runner``: the run's steps, in the order :func:`runner.main` takes them
- ``cli``: the command line's options and their help (``--help``)
- ``output``: the output folder a pack may replace, and the folders it never replaces
- ``months``: the months the data holds; a report month outside them refused
- ``previous``: what the published pack tells the next run (pages a ``--notebooks`` run keeps,
  the order to start the notebooks in)
- ``progress``: progress on stderr and each page's size against its budget
- ``plan``: the checked parameters of a run and the pack's notebooks, in order
- ``execute``: one notebook with papermill — retries, time-outs, what a stopped run leaves
- ``export``: HTML for commanders — no code, the page shell, no request to another host
- ``record``: the run record (``run.json``), what a failed run keeps, paths without the machine's
- ``errors``: the exit codes, the errors that end a run with one of them, the log line
- ``publish``: the pack folder's marker, the atomic swap of a finished pack into place, recovery
- ``timing``: how long an analyst waits for a view (``make bench``)
"""
