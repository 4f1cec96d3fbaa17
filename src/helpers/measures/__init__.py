"""The measures: one SQL file per family of measures (``*.sql``), the runner that runs them, and the
cube they fill.

Open a ``.sql`` file to read a measure's definition; ``runner.py`` turns the SQL's cells into
the cube's arrays and works out which months each measure covers; ``cube.py`` builds the cube
and keeps it in a content-keyed cache; ``figures.py`` is the built cube's query side (values,
series, the window arithmetic).
"""
