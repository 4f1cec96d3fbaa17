"""``python -m helpers.contract.extracts --markdown``: print the body of ``data/README.md``."""

from __future__ import annotations

import sys

from . import markdown

if __name__ == "__main__":  # pragma: no cover - a small CLI
    if "--markdown" in sys.argv:
        print(markdown())
