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


# --- every command block, run as written --------------------------------------------------------------
# The set-up blocks create a venv and pip-install: the install itself is what `.ci/run` does (it runs the
# test block exactly, see above), so here `.venv` is this test run's own environment and the rest of each
# chain runs as written. Org commands reach the local org: `--target-org local` keeps its state in tmp, and
# an alias such as `my-sandbox` goes through a stand-in Salesforce CLI (`sf org display`) that answers with
# a local org started for the test. `leadsync local-org serve` runs until it printed its URL, then stops.

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys

import pytest

SETUP_STEPS = ("python3 -m venv .venv", "PIP_CONSTRAINT=requirements.lock .venv/bin/pip install ")


def sh_blocks() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [[line for line in block.splitlines() if line.strip()] for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def runnable(line: str) -> str | None:
    """The part of a README line this test runs: a set-up chain without its venv and install steps;
    None for the test command itself (pytest inside pytest: `.ci/run` runs it)."""
    steps = line.split(" && ")
    if not steps[0].startswith(SETUP_STEPS[0]):
        return line
    assert steps[0] == SETUP_STEPS[0] and steps[1].startswith(SETUP_STEPS[1]), line
    rest = steps[2:]
    if any("pytest" in step for step in rest):
        return None
    return " && ".join(rest)


@pytest.fixture
def readme_shell(tmp_path, local_org):
    """A folder to run README lines in, and the environment: this venv as `.venv` and on PATH, a
    stand-in `sf` that knows every alias README uses, all state and caches in tmp."""
    bindir = Path(sys.executable).parent
    if not (bindir / "leadsync").exists():
        pytest.skip("the leadsync console script is not installed beside this Python")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".venv").symlink_to(Path(sys.prefix))
    tools = tmp_path / "tools"
    tools.mkdir()
    display = json.dumps({"status": 0, "result": {"accessToken": local_org.access_token,
                                                  "instanceUrl": local_org.instance_url,
                                                  "username": local_org.username}})
    sf = tools / "sf"
    sf.write_text("#!/bin/sh\n"
                  '[ "$1 $2" = "org display" ] || { echo \'{"status": 1}\'; exit 1; }\n'
                  f"echo {shlex.quote(display)}\n")
    sf.chmod(0o755)
    env = {**os.environ,
           "PATH": os.pathsep.join([str(tools), str(bindir), os.environ.get("PATH", "")]),
           "LEADSYNC_LOCAL_ORG_STATE": str(tmp_path / "local-org"),
           "LEADSYNC_CACHE_DIR": str(tmp_path / "cache"),
           "XDG_DATA_HOME": str(tmp_path / "data"),  # `local-org serve`'s default state folder
           "PYDANTIC_DISABLE_PLUGINS": "__all__"}
    return work, env


def run_line(line: str, work: Path, env: dict) -> None:
    if "leadsync local-org serve" in line:
        return serve_briefly(line, work, env)
    done = subprocess.run(["bash", "-c", "set -o pipefail; " + line], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"README line failed ({done.returncode}): {line}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, line


def serve_briefly(line: str, work: Path, env: dict) -> None:
    proc = subprocess.Popen(["bash", "-c", "exec " + line], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        info = json.loads(first)
        assert info["instance_url"].startswith("https://127.0.0.1:"), first
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, f"{line}\n{out}\n{err}"


def test_every_readme_command_block_runs_as_written(readme_shell):
    work, env = readme_shell
    # What README's lines read and do not make themselves: a folder of specs for `validate specs/*.yaml`.
    (work / "specs").mkdir()
    shutil.copy(REPO / "config" / "presets" / "lifecycle.yaml", work / "specs" / "lifecycle.yaml")
    ran = []
    for block in sh_blocks():
        for line in block:
            command = runnable(line)
            if command is not None:
                run_line(command, work, env)
                ran.append(command)
    assert any("deploy demo.yaml --target-org local" in c for c in ran)
    assert any("--zip lead.zip" in c for c in ran) and (work / "lead.zip").is_file()
    assert (work / "build" / "package.xml").is_file() and (work / "validate.xml").is_file()
    assert json.loads((work / "leadsync.schema.json").read_text())["title"]
