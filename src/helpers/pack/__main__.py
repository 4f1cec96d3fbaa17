"""``python -m helpers.pack``: run the monthly pack (:func:`helpers.pack.runner.main`)."""

from .runner import main

raise SystemExit(main())
