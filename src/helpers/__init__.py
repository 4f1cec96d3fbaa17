"""Police Performance Workbooks: the shared helpers behind the notebooks.

Layers (arrows point down only):

- orchestration: ``pack``
- presentation: ``tables``, ``charts``, ``spc_charts``, ``views``, ``widgets``, ``report``
- core: ``cube`` (the monthly measure cube), ``compare`` (windows, changes, significance, ranks)
- sources: ``loading`` (read + validate), ``demo`` (the demo-force generator), ``police_uk``
- contract: ``contract`` (the extracts' schemas), ``catalog`` (the measures)
- foundations: ``config`` (paths, force configuration), ``periods``, ``spc``
"""

__version__ = "0.1.0"
