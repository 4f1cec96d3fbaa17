"""``python -m helpers.sources.demo``: write the demo folder (see :func:`helpers.sources.demo.main`)."""

import sys

from .driver import main

sys.exit(main())
