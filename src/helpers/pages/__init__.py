"""What a notebook calls: ``report`` (the area and master pages) and ``sections`` (their items)."""
