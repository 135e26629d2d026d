"""Options and messages (issue 6, point 5): --debug on either side of the command name, template
overrides blamed on the override, and the small wording and exit-code mistakes."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir, templates_dir

PRESET = presets_dir() / "lifecycle.yaml"


def run(*args: str, **kw):
    return CliRunner().invoke(main_group, list(args), **kw)


def every_command(group: click.Group = main_group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += every_command(command, (*path, name))
    return found


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_debug_is_accepted_after_every_command_name(command):
    result = run(*command, "--debug", "--help")
    assert result.exit_code == 0, result.output
    assert "--debug" in result.output
    before = run("--debug", *command, "--help")
    assert before.exit_code == 0, before.output


def test_debug_after_the_command_shows_the_traceback_of_an_internal_error(tmp_path, monkeypatch):
    import leadsync.build

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(leadsync.build, "check", broken)
    quiet = run("validate", str(PRESET))
    assert quiet.exit_code == 1 and "internal error: RuntimeError: boom" in quiet.output
    assert "Traceback" not in quiet.output
    for args in (("validate", str(PRESET), "--debug"), ("--debug", "validate", str(PRESET))):
        loud = run(*args)
        assert loud.exit_code == 1
        assert isinstance(loud.exception, RuntimeError), args  # --debug re-raises: the traceback is printed


def test_debug_after_the_command_shows_a_usage_errors_traceback_too(tmp_path):
    (tmp_path / "x.yaml").write_text("mine\n")
    result = run("init", str(tmp_path / "x.yaml"), "--debug")
    assert result.exit_code == 2 and "already exists" in result.output


# --- template overrides -------------------------------------------------------------------------


def override(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def test_an_override_that_breaks_the_schema_is_a_template_error_at_the_override(tmp_path):
    original = (templates_dir() / "PermissionSet.xml.j2").read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(original) if "<label>" in line)
    lines = original[:at] + ["    <bogus>1</bogus>\n"] + original[at:]
    folder = override(tmp_path, "PermissionSet.xml.j2", "".join(lines))
    result = run("validate", str(PRESET), "--templates", str(folder), "--no-cache")
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if "error LS" in l)
    assert line.startswith(f"{folder / 'PermissionSet.xml.j2'}:{at + 1}:1: error LS901: "), line
    assert "LS900" not in result.output and "internal error" not in result.output
    assert "bogus" in line  # the element is named (in libxml2's words, which no test depends on)


def test_an_override_with_a_syntax_error_or_an_undefined_name_points_at_the_override(tmp_path):
    folder = override(tmp_path, "Flow.xml.j2", "<?xml version=\"1.0\"?>\n{% if %}\n")
    result = run("validate", str(PRESET), "--templates", str(folder), "--no-cache")
    assert result.exit_code == 1
    assert result.output.startswith(f"{folder / 'Flow.xml.j2'}:2:1: error LS901: ")
    shutil.rmtree(folder)
    folder = override(tmp_path, "Flow.xml.j2", "<?xml version=\"1.0\"?>\n<Flow>\n{{ nope }}\n</Flow>\n")
    result = run("render", str(PRESET), "-o", str(tmp_path / "out"), "--templates", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'Flow.xml.j2'}:3:1: error LS901: " in result.output and "nope" in result.output


@pytest.mark.parametrize("text, line", [('<?xml version="1.0"?>\n{% extends "nope.j2" %}\n', 2),
                                        ('<?xml version="1.0"?>\n<Flow>\n{% include "nope.j2" %}\n</Flow>\n', 3)])
def test_an_override_naming_a_missing_template_points_at_the_override_line(tmp_path, text, line):
    folder = override(tmp_path, "Flow.xml.j2", text)
    result = run("validate", str(PRESET), "--templates", str(folder), "--no-cache")
    assert result.exit_code == 1
    assert result.output.startswith(f"{folder / 'Flow.xml.j2'}:{line}:1: error LS901: "), result.output
    assert "no template named 'nope.j2'" in result.output


# --- small things -------------------------------------------------------------------------------


def test_init_list_presets_takes_no_path(tmp_path):
    result = run("init", "--list-presets", str(tmp_path / "foo.yaml"))
    assert result.exit_code == 2 and "foo.yaml" in result.output
    assert not (tmp_path / "foo.yaml").exists()
    assert run("init", "--list-presets").exit_code == 0


def test_init_mistakes_are_all_usage_errors(tmp_path):
    existing = tmp_path / "x.yaml"
    existing.write_text("mine\n")
    assert run("init", str(existing)).exit_code == 2
    assert run("init", str(tmp_path / "y.yaml"), "--preset", "nope").exit_code == 2
    assert run("init", str(tmp_path)).exit_code == 2


def test_tls_failure_message_closes_its_brackets(local_org):
    import certifi
    import requests

    from leadsync.org.session import classify

    with pytest.raises(requests.exceptions.SSLError) as raised:
        requests.get(local_org.instance_url, verify=certifi.where(), timeout=30)
    message = str(classify(raised.value, what="a query", host="127.0.0.1"))
    assert "certificate verify failed: " in message and "_ssl.c" not in message
    assert message.count("(") == message.count(")"), message


def test_resumed_and_canceled_validations_say_validation_and_a_cancel_says_in():
    from leadsync.org.client import DeployStatus, OrgInfo
    from leadsync.org.deploy import DeployOutcome
    from leadsync.report.deploy import format_text

    org = OrgInfo("00D5g00000ORGIDAAA", "Acme UAT", True, "Enterprise Edition", "https://127.0.0.1:8443")
    checked = DeployStatus(id="0Af5g00000DEPLOYAA", status="Succeeded", done=True, success=True, check_only=True,
                           components_total=2, components_deployed=2)
    text = format_text(DeployOutcome("resume", checked.id, checked, org))
    assert text.startswith("validation (check-only deploy) 0Af5g00000DEPLOYAA Succeeded in 'Acme UAT'"), text
    canceled = DeployStatus(id="0Af5g00000DEPLOYAA", status="Canceled", done=True, success=False,
                            components_total=2)
    text = format_text(DeployOutcome("deploy", canceled.id, canceled, org))
    assert "Canceled in 'Acme UAT'" in text and "Canceled to" not in text
