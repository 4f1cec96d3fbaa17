"""Police Performance Workbooks: the shared helpers behind the notebooks.

One package per layer, top down; a module imports its own layer and those below it, never one
above (``tests/unit/test_layers.py`` checks every import; README.md lists what each module holds):

- ``pack``: the monthly pack — command line and run steps, publishing, timings
- ``pages``: what a notebook calls — the page facade (``report``) and the areas' items
- ``render``: tables, charts, SPC charts, kernel-free views, the analysts' filter bar
- ``analysis``: performance rows, the published comparisons, disclosure control
- ``measures``: the SQL of each measure family, its runner, the cube (build, cache, queries)
- ``sources``: reading and validating extracts, the demo-force generator, data.police.uk
- ``contract``: the extracts' schemas and the catalog of measures
- foundations (modules directly here): ``config``, ``periods``, ``geography``, ``spc``
"""

__version__ = "0.1.0"

#: The layers, top down (the foundations are the modules of this package itself).
LAYERS = ("pack", "pages", "render", "analysis", "measures", "sources", "contract", "foundations")
