"""`leadsync init --ci github`: the workflow parses, does what docs/ci.md says, is the one in docs/ci.md,
and every leadsync command in it exists with options leadsync's own parser accepts."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from leadsync.ci import GITHUB_WORKFLOW, WORKFLOW_PATH
from leadsync.cli import main_group
from leadsync.resources import presets_dir

REPO = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


def _workflow(text: str) -> dict:
    doc = yaml.safe_load(text)
    doc["on"] = doc.pop(True, doc.get("on"))  # PyYAML reads the key `on` as YAML 1.1's true
    return doc


def test_init_ci_writes_the_workflow_and_never_clobbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "--ci", "github")
    assert result.exit_code == 0, result.output
    assert WORKFLOW_PATH.read_text() == GITHUB_WORKFLOW
    assert not Path("leadsync.yaml").exists()
    assert run("init", "--ci", "github").exit_code == 2
    assert run("init", "--ci", "github", "--force").exit_code == 0
    assert run("init", "x.yaml", "--ci", "github").exit_code == 2
    assert run("init", "--ci", "gitlab").exit_code == 2


def test_the_workflow_validates_on_prs_dry_runs_to_a_sandbox_and_deploys_on_merge():
    doc = _workflow(GITHUB_WORKFLOW)
    assert "pull_request" in doc["on"] and doc["on"]["push"]["branches"] == ["main"]
    jobs = doc["jobs"]
    validate = " ".join(step.get("run", "") for step in jobs["validate"]["steps"])
    assert "leadsync validate . --format github" in validate
    dry, deploy = jobs["dry-run"], jobs["deploy"]
    assert dry["if"].startswith("github.event_name == 'pull_request' && ")
    assert "head.repo.full_name == github.repository" in dry["if"]  # forks get no secrets: no dry-run
    assert "github.event_name == 'push'" in deploy["if"] and "refs/heads/main" in deploy["if"]
    for job in (dry, deploy):
        assert job["strategy"]["matrix"]["spec"] == "${{ fromJSON(needs.clients.outputs.specs) }}"
        assert set(job["needs"]) == {"validate", "clients"}
        step = next(s for s in job["steps"] if "leadsync deploy" in s.get("run", ""))
        assert step["env"] == {"SFDX_AUTH_URL": "${{ secrets.LEADSYNC_SANDBOX_AUTH_URL }}",
                               "SPEC": "${{ matrix.spec }}"}
    assert "--dry-run" in next(s["run"] for s in dry["steps"] if "leadsync deploy" in s.get("run", ""))
    assert "--dry-run" not in next(s["run"] for s in deploy["steps"] if "leadsync deploy" in s.get("run", ""))
    assert jobs["clients"]["outputs"]["specs"] == "${{ steps.list.outputs.specs }}"
    for job in (dry, deploy):  # an empty matrix is an error in GitHub Actions: no clients, no job
        assert job["if"].endswith(" && needs.clients.outputs.specs != '[]'")


def test_the_clients_step_lists_the_specs_under_clients(tmp_path: Path):
    if not (shutil.which("jq") and shutil.which("bash")):
        pytest.skip("needs bash and jq (both on GitHub's ubuntu runners)")
    step = next(s for s in _workflow(GITHUB_WORKFLOW)["jobs"]["clients"]["steps"] if s.get("id") == "list")
    (tmp_path / "clients" / "eu").mkdir(parents=True)
    (tmp_path / "clients" / "acme.yaml").write_text("extends: ../base.yaml\nname: acme\n")
    (tmp_path / "clients" / "eu" / "initech.yml").write_text("leadsync: 1\n")
    (tmp_path / "clients" / "notes.yaml").write_text("owner: me\n")  # not a spec
    out = tmp_path / "out"
    env = {"PATH": os.environ["PATH"], "CLIENTS": "clients", "GITHUB_OUTPUT": str(out)}
    for clients, expected in (("clients", '["clients/acme.yaml","clients/eu/initech.yml"]'), ("none", "[]")):
        out.write_text("")
        subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env={**env, "CLIENTS": clients},
                       check=True, capture_output=True)
        assert out.read_text() == f"specs={expected}\n"


def test_docs_ci_shows_the_same_workflow():
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert GITHUB_WORKFLOW in blocks, "docs/ci.md must show the workflow `leadsync init --ci github` writes"


def _leadsync_commands(text: str) -> list[list[str]]:
    """Every `leadsync ...` command of the workflow's run steps, matrix values filled in, shell cut off."""
    commands = []
    for job in _workflow(text)["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                line = line.replace('"$SPEC"', "clients/acme.yaml")
                assert "${{" not in line or "leadsync" not in line, line
                words = shlex.split(line, comments=True)
                if words[:1] != ["leadsync"]:
                    continue
                for stop in (">", "|", "&&", "2>&1"):
                    if stop in words:
                        words = words[:words.index(stop)]
                commands.append(words[1:])
    return commands


def test_every_leadsync_command_in_the_workflow_exists_and_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("clients").mkdir()
    Path("clients/acme.yaml").write_bytes((presets_dir() / "lifecycle.yaml").read_bytes())
    commands = _leadsync_commands(GITHUB_WORKFLOW)
    assert {c[0] for c in commands} == {"validate", "deploy"}
    for args in commands:
        with main_group.make_context("leadsync", list(args)) as ctx:
            command = main_group.get_command(ctx, args[0])
            assert command is not None, args
            try:
                command.make_context(args[0], args[1:], parent=ctx)  # click's parser: names, types, choices
            except click.ClickException as err:
                pytest.fail(f"leadsync {shlex.join(args)}: {err.format_message()}")
        assert run(args[0], "--help").exit_code == 0


def test_no_expression_is_expanded_into_a_script_and_pip_is_cached():
    # GitHub's hardening guide: `${{ }}` inside `run:` is pasted into the shell script before it runs
    # (a file name like `$(curl ...).yaml` would run); values go through `env:` instead.
    for job in _workflow(GITHUB_WORKFLOW)["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step
            if step.get("uses", "").startswith("actions/setup-python@"):
                assert step["with"]["cache"] == "pip"
                assert step["with"]["cache-dependency-path"] == str(WORKFLOW_PATH.as_posix())
