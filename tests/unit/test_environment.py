"""environment.yml (conda) and pyproject.toml (pip) pin the same packages at the same versions."""

import re
import tomllib

import yaml

from helpers.config import PROJECT_ROOT


def _pip_pins() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [
        d for ds in project["optional-dependencies"].values() for d in ds
    ]
    return {
        m.group(1).lower(): m.group(2)
        for m in (re.match(r"([A-Za-z0-9_.-]+)==(\S+)", s) for s in specs)
    }


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            pins[name.lower()] = version
    pins.pop("python", None)
    return pins


def test_every_pip_pin_is_in_environment_yml_at_the_same_version():
    assert _pip_pins() == _conda_pins()


def _all_specs() -> list[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + [
        d for ds in project["optional-dependencies"].values() for d in ds
    ]


def test_every_dependency_is_pinned_exactly():
    loose = [s for s in _all_specs() if not re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", s)]
    assert loose == [], f"not pinned to one version: {loose}"
