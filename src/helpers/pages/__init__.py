"""What a notebook calls: ``report`` (the area page, and every name of the pages), ``page`` (what
both pages share), ``rows`` (table rows), ``commentary``, ``master`` (the master page),
``sections`` (what the items of the areas share) and ``areas`` (the management-information items,
one module per area)."""
