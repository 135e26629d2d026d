"""`leadsync init`: presets are found from the installed package; existing files are never clobbered."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


def test_list_presets_prints_one_name_a_line():
    result = run("init", "--list-presets")
    assert result.exit_code == 0
    names = result.output.split()
    assert {"salesforce-default", "lifecycle"} <= set(names)
    assert names == sorted(names)


def test_init_writes_the_preset_byte_for_byte(tmp_path: Path):
    target = tmp_path / "leadsync.yaml"
    result = run("init", str(target), "--preset", "lifecycle")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == (presets_dir() / "lifecycle.yaml").read_bytes()


def test_init_refuses_to_overwrite_without_force(tmp_path: Path):
    target = tmp_path / "leadsync.yaml"
    target.write_text("mine\n")
    result = run("init", str(target))
    assert result.exit_code == 2, "a usage error, like an unknown preset"
    assert "already exists" in result.output and "--force" in result.output
    assert target.read_text() == "mine\n"
    assert run("init", str(target), "--force").exit_code == 0
    assert target.read_text() != "mine\n"


def test_unknown_preset_is_a_usage_error_listing_the_choices(tmp_path: Path):
    result = run("init", str(tmp_path / "x.yaml"), "--preset", "nope")
    assert result.exit_code == 2
    assert "salesforce-default" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_init_into_a_folder_is_refused(tmp_path: Path):
    result = run("init", str(tmp_path))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
