"""The README's quick start is what CI runs, and every make target it names exists."""

import re

from helpers.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [
        line.split("#", 1)[0].strip()
        for line in block.splitlines()
        if line.split("#", 1)[0].strip()
    ]


def test_ci_runs_the_readme_quick_start_in_order():
    commands = _quick_start_commands()
    assert commands == ["make report", "make test"]
    ci_lines = [
        line.strip()
        for line in (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    positions = [ci_lines.index(c) for c in commands]
    assert positions == sorted(positions)


def test_every_make_target_the_readme_names_exists():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z-]+)", README)) | set(
        re.findall(r"^make ([a-z-]+)", README, re.M)
    )
    assert named, "the README names no make target"
    assert named <= targets, f"README names missing targets: {sorted(named - targets)}"


def test_readme_test_command_is_make_test():
    assert "make test" in README and "make report" in README
