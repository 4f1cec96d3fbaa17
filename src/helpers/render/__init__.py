"""Drawing: ``tables``, ``charts``, ``spc_charts``, ``views`` (kernel-free selectors for the pack's
HTML) and ``widgets`` (the analysts' filter bar in JupyterLab)."""
