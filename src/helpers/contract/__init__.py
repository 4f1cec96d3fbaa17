"""What the data and the measures must be: ``extracts`` (each extract's columns, types and plausible
ranges) and ``catalog`` (every measure, declared once in ``catalog.yaml``)."""
