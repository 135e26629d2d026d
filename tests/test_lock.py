"""requirements.lock pins everything a fresh clone installs: the dependencies, the test extra and the
build backend (README and .ci/run install with PIP_CONSTRAINT=requirements.lock; docs/development.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_every_declared_requirement_is_pinned_in_the_lock():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    declared = [*project["build-system"]["requires"], *project["project"]["dependencies"],
                *(r for extra in project["project"]["optional-dependencies"].values() for r in extra)]
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line):
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    missing = sorted(_name(r) for r in declared if _name(r) not in pins)
    assert missing == [], f"not pinned in requirements.lock (refresh it: docs/development.md): {missing}"


def test_readme_and_ci_install_through_the_lock():
    for text in ((REPO / "README.md").read_text(encoding="utf-8"), (REPO / ".ci" / "run").read_text(encoding="utf-8")):
        installs = [line for line in text.splitlines() if "pip install" in line and line.startswith("python3 -m venv")]
        assert installs and all("PIP_CONSTRAINT=requirements.lock " in line for line in installs)
