"""JupyterLab's settings for the workbooks, written into the venv (``make setup`` and ``make lab`` run this).

One setting matters: the widget manager's ``saveState``
(``@jupyter-widgets/jupyterlab-manager:plugin``, off by default). With it on, saving a notebook
also saves the state of its widgets (the drop-downs' values and what each view shows) in the
notebook's metadata, so a notebook saved after filtering reopens showing the analyst's last view
instead of "Error displaying widget: model not found".

JupyterLab reads defaults that override the extensions' own from ``overrides.json`` in its
application settings folder, ``<sys.prefix>/share/jupyter/lab/settings/``. This script merges the
workbooks' keys into that file, keeping any other key already there, and checks each key against
the extension's schema (so a renamed setting fails here, not silently in the browser).

Usage::

    .venv/bin/python scripts/lab_settings.py            # write (idempotent)
    .venv/bin/python scripts/lab_settings.py --check    # exit 1 unless the settings are in place
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: plugin id → {setting: value} the workbooks need.
OVERRIDES = {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}


def prefix_dir() -> Path:
    """The environment JupyterLab runs from (the venv's ``sys.prefix``)."""
    return Path(sys.prefix)


def overrides_path(prefix: Path | None = None) -> Path:
    """``<prefix>/share/jupyter/lab/settings/overrides.json``."""
    return (prefix or prefix_dir()) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def schema_path(plugin: str, prefix: Path | None = None) -> Path:
    """The JSON schema an installed extension ships for ``plugin`` ("package:name")."""
    package, name = plugin.split(":")
    labext = (prefix or prefix_dir()) / "share" / "jupyter" / "labextensions"
    return labext / package / "schemas" / package / f"{name}.json"


def check_against_schema(overrides: dict, prefix: Path | None = None) -> None:
    """Raise ``SystemExit`` naming the plugin and key when a setting is not in its schema."""
    for plugin, settings in overrides.items():
        path = schema_path(plugin, prefix)
        if not path.exists():
            raise SystemExit(f"{plugin}: no schema at {path} (is the extension installed?)")
        properties = json.loads(path.read_text(encoding="utf-8")).get("properties", {})
        for key in settings:
            if key not in properties:
                raise SystemExit(
                    f"{plugin}: {key!r} is not a setting of {path} (has: {sorted(properties)})"
                )


def write(prefix: Path | None = None) -> Path:
    """Merge :data:`OVERRIDES` into ``overrides.json`` (other keys kept); return its path."""
    check_against_schema(OVERRIDES, prefix)
    path = overrides_path(prefix)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if not isinstance(current, dict):
        raise SystemExit(f"{path}: expected a JSON object, found {type(current).__name__}")
    for plugin, settings in OVERRIDES.items():
        current.setdefault(plugin, {}).update(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def missing(prefix: Path | None = None) -> list[str]:
    """The ``plugin.key`` settings not (yet) in ``overrides.json`` with the workbooks' value."""
    path = overrides_path(prefix)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return [
        f"{plugin}.{key}"
        for plugin, settings in OVERRIDES.items()
        for key, value in settings.items()
        if current.get(plugin, {}).get(key) != value
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if missing")
    args = parser.parse_args(argv)
    if args.check:
        gaps = missing()
        if gaps:
            print(f"{overrides_path()}: missing {', '.join(gaps)}", file=sys.stderr)
            return 1
        return 0
    print(f"JupyterLab settings: {write()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
