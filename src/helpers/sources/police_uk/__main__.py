"""``python -m helpers.sources.police_uk --input ... --force ... --out ...`` (:func:`.cli.main`)."""

import sys

from .cli import main

sys.exit(main())
