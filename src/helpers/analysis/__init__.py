"""Figures worked out from the cube: ``performance`` (the tables' rows and ``tables.csv``),
``compare`` (the published comparison rules) and ``disclosure`` (withholding small figures)."""
