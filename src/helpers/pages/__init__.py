"""What a notebook calls: ``report`` (the area and master pages), ``sections`` (what the items of
the areas share) and ``areas`` (the management-information items, one module per area)."""
