"""The measures: one SQL file per family of measures (``*.sql``) and the runner that runs them.

Open a ``.sql`` file to read a measure's definition; ``runner.py`` turns the SQL's cells into
the cube's arrays and works out which months each measure covers.
"""
