"""What several test files share: extract rows, small extracts, fixture notebooks, a tiny cube.

Not test files (pytest collects none of them): plain modules, imported as ``support.<module>``
(``tests/`` is on the path through ``tests/conftest.py``). Fixtures are in ``tests/conftest.py``.
"""
