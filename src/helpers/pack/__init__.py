"""The monthly pack: ``python -m helpers.pack --month YYYY-MM`` (see :mod:`helpers.pack.runner`).

- ``runner``: the command line and the run's steps — check, build the cube, execute the
  notebooks, export the HTML, write the run record
- ``publish``: the pack folder's marker, the atomic swap of a finished pack into place, recovery
- ``timing``: how long an analyst waits for a view (``make bench``)
"""
