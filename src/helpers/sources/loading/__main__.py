"""``python -m helpers.sources.loading <folder>``: check an extract folder (:func:`.api.main`)."""

from .api import main

raise SystemExit(main())
