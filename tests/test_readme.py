"""README's fresh-machine commands stay true: CI runs exactly README's test command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S) if "python3 -m venv" in block]


def test_readme_has_the_two_set_up_commands():
    commands = readme_commands()
    assert len(commands) == 2
    main_job, tests = commands
    assert "leadsync deploy" in main_job and "--target-org local" in main_job
    assert "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()
