"""Police Performance Workbooks: the shared helpers behind the notebooks.

Layers (arrows point down only; README.md lists what each module holds):

- orchestration: ``pack``, ``publish``
- presentation: ``report``, ``sections``, ``tables``, ``charts``, ``spc_charts``, ``views``, ``widgets``
- analysis: ``figures`` (the cube's queries), ``performance``, ``compare``, ``disclosure``
- measures: ``cube`` (build and cache), ``measures`` (the SQL of each measure family, its runner)
- sources: ``loading`` (read + validate), ``demo`` (the demo-force generator), ``police_uk``
- contract: ``contract`` (the extracts' schemas), ``catalog`` (the measures)
- foundations: ``config`` (paths, force configuration), ``periods``, ``spc``
"""

__version__ = "0.1.0"
