"""The dependency bounds in pyproject.toml: each runtime dependency is capped below the release that
may change what the code relies on, and the lowest versions pinned for testing are inside them."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
UNCAPPED = {"chinesecalendar"}  # each year's holidays come in a new release; its API has stayed put


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]


def _lowest() -> dict[str, str]:
    text = (ROOT / "tests" / "lowest-versions.txt").read_text(encoding="utf-8")
    pins = (re.fullmatch(r"([\w.-]+)==(\S+)", line.strip()) for line in text.splitlines())
    return {m[1].lower(): m[2] for m in pins if m}


def test_every_runtime_dependency_is_capped():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    uncapped = [r.name for r in runtime if not any(s.operator in ("<", "<=", "~=", "==") for s in r.specifier)]
    assert sorted(n.lower() for n in uncapped) == sorted(UNCAPPED)


def test_the_lowest_versions_are_allowed_and_are_the_lowest():
    lowest = _lowest()
    for req in _requirements():
        name = req.name.lower()
        assert name in lowest, f"{name} has no pin in tests/lowest-versions.txt"
        assert req.specifier.contains(lowest[name]), f"{name}=={lowest[name]} is outside {req.specifier}"
        floor = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert floor == [Version(lowest[name])], f"{name}: pinned {lowest[name]}, allowed from {req.specifier}"
