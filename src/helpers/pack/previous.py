"""What the published pack tells the next run: the pages a ``--notebooks`` run keeps from it, and
the order to start the notebooks in (their times in its ``run.json``, longest first).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import display_path
from ..profile import load_profile
from .errors import InvalidParameters, log
from .plan import Notebook, Run
from .record import page_settings, settings_changes


def pages_to_carry(
    run: Run, fingerprint: str, settings: dict | None = None
) -> tuple[list[Notebook], list[dict]]:
    """The pages a ``--notebooks`` run keeps from the published pack, and their run.json entries.

    Only from a pack of the same month, period and data (fingerprint), made with the same
    settings (:func:`page_settings`: force configuration, commentary, catalog, helpers version):
    a page made from other data, or before ``suppress_below`` was set, would sit beside the new
    ones as if current. With no published pack there is nothing to keep and the new pack holds
    only the notebooks run.

    Raises
    ------
    InvalidParameters
        A pack is published at ``run.out`` but from another month, period or data, or with other
        settings (the message names what changed): updating some of its pages would mix two runs,
        and replacing it would lose the others.
    """
    wanted = {nb.name for nb in run.notebooks}
    if wanted >= {nb.name for nb in run.all_notebooks}:
        return [], []
    if not (run.out / "run.json").is_file():
        log(f"publishing only {', '.join(sorted(wanted))}: no published pack to update")
        return [], []
    try:
        record = json.loads((run.out / "run.json").read_text(encoding="utf-8"))
        same = (
            record["status"] == "ok"
            and record["parameters"]["month"] == run.month
            and record["parameters"]["period"] == run.period
            and record["data"]["fingerprint"] == fingerprint
        )
        previous = {n["notebook"]: n for n in record["notebooks"] if n.get("page")}
    except (OSError, ValueError, KeyError, TypeError):
        same, previous = False, {}
    numbers = ",".join(nb.prefix for nb in run.notebooks)
    if not same:
        raise InvalidParameters(
            f"--notebooks {numbers}: the pack published in "
            f"{display_path(run.out)}/ was made from another month, period or data, so its other "
            "pages cannot be kept; run the whole pack, or choose another --out"
        )
    settings = (
        settings if settings is not None else page_settings(run.month, load_profile(run.profile))
    )
    recorded = record.get("settings")
    changes = (
        settings_changes(recorded, settings)
        if isinstance(recorded, dict)
        else ["not recorded (the pack was made by an older version)"]
    )
    if changes:
        raise InvalidParameters(
            f"--notebooks {numbers}: the settings of the pack published in "
            f"{display_path(run.out)}/ differ: {'; '.join(changes)}; its other pages would not "
            "show the change, so they cannot be kept: run the whole pack"
        )
    carry = [
        nb
        for nb in run.all_notebooks
        if nb.name not in wanted
        and nb.name in previous
        and (run.out / nb.page).is_file()
        and (run.out / "notebooks" / nb.name).is_file()
    ]
    entries = [
        {**previous[nb.name], "status": "carried over from the previous run"} for nb in carry
    ]
    return carry, entries


def longest_first(notebooks: list[Notebook], out: Path) -> list[Notebook]:
    """Order notebooks by their time in the last published run, longest first.

    With fewer workers than notebooks, starting the long ones first keeps a long notebook from
    running alone at the end (the order of the pages is not affected).
    """
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        seconds = {n["notebook"]: float(n["seconds"]) for n in record["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return list(notebooks)
    return sorted(notebooks, key=lambda nb: -seconds.get(nb.name, 0.0))
