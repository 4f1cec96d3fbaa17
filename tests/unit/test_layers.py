"""The helpers' layers: folders that show them, arrows that point down, a README that says so.

``helpers.LAYERS`` names the layers top down; each is a package of ``src/helpers/`` (the
foundations are the modules directly in it). A module may import its own layer and the layers
below it, never one above: checked on the source (every import, including those inside
functions) and on a fresh interpreter (what importing a layer's package actually loads).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import helpers
from helpers.config import PROJECT_ROOT

SRC = PROJECT_ROOT / "src" / "helpers"
README = PROJECT_ROOT / "README.md"


def layer_of(module: str) -> str:
    """``helpers.render.charts`` → ``render``; ``helpers.config`` → ``foundations``."""
    parts = module.split(".")
    assert parts[0] == "helpers", module
    if len(parts) > 1 and parts[1] in helpers.LAYERS and (SRC / parts[1]).is_dir():
        return parts[1]
    return "foundations"


def rank(layer: str) -> int:
    return helpers.LAYERS.index(layer)


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """Every helpers module ``module`` imports (absolute or relative, anywhere in the file)."""
    is_package = path.name == "__init__.py"
    package = module.split(".") if is_package else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("helpers"):
                continue
            out.append((target, node.lineno))
            # ``from helpers.render import charts``: the names may be modules of the package
            out += [(f"{target}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("helpers")]
    known = modules()
    return [(t, line) for t, line in out if t in known]


def test_every_layer_is_a_folder_and_every_module_is_in_one():
    for layer in helpers.LAYERS:
        if layer != "foundations":
            assert (SRC / layer / "__init__.py").is_file(), f"layer {layer} has no package"
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(helpers.LAYERS), (
        f"packages that are no layer: {folders - set(helpers.LAYERS)}"
    )


def test_imports_point_down_only():
    upward = []
    for module, path in modules().items():
        if module == "helpers":
            continue
        for target, line in imports_of(module, path):
            if target == "helpers":
                continue
            if rank(layer_of(target)) < rank(layer_of(module)):
                upward.append(f"{path.relative_to(PROJECT_ROOT)}:{line} {module} → {target}")
    assert not upward, "imports pointing up a layer:\n" + "\n".join(upward)


@pytest.mark.parametrize("layer", [layer for layer in helpers.LAYERS if layer != "foundations"])
def test_importing_a_layer_loads_nothing_above_it(layer):
    package = f"helpers.{layer}"
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if not m.name.endswith('.__main__'):  # the command line: running it is not importing\n"
        "        importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('helpers'))))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=False
    )
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    above = [m for m in loaded if m != "helpers" and rank(layer_of(m)) < rank(layer)]
    assert not above, f"importing {package} loads modules of a layer above it: {above}"


def test_the_readme_lists_the_layers_and_their_modules_as_they_are():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("Inside `src/helpers/`") :].split("\n\n")[0]
    listed = re.findall(r"\*\*(\w+)\*\* `([\w/]+)/`", section)
    assert [layer for layer, _ in listed] == [
        layer for layer in helpers.LAYERS if layer != "foundations"
    ]
    assert all(folder == layer for layer, folder in listed)
    for layer in helpers.LAYERS:
        if layer == "foundations":
            names = {p.stem for p in SRC.glob("*.py") if not p.stem.startswith("__")}
            part = section[section.index("**foundations**") :]
        else:
            names = {p.stem for p in (SRC / layer).glob("*.py") if not p.stem.startswith("__")}
            start = section.index(f"**{layer}**")
            nxt = [section.index(f"**{o}**") for o in helpers.LAYERS if f"**{o}**" in section]
            end = min([i for i in nxt if i > start], default=len(section))
            part = section[start:end]
        shown = set(re.findall(r"`(\w+)`", part)) - {layer}
        assert shown == names, (
            f"README's {layer}: lists {sorted(shown)}, the folder holds {sorted(names)}"
        )
