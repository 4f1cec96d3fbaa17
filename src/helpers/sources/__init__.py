"""Where the data comes from: ``loading`` (read and validate extracts, with DuckDB), ``demo`` (the
demo force's generator: ``python -m helpers.sources.demo``) and ``police_uk`` (data.police.uk
street-level files: ``python -m helpers.sources.police_uk``)."""
