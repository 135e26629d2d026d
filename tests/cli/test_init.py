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
    first, rest = target.read_bytes().split(b"\n", 1)  # the first line points editors at the schema
    assert first == b"# yaml-language-server: $schema=leadsync.schema.json"
    assert rest == (presets_dir() / "lifecycle.yaml").read_bytes()


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


def test_init_writes_the_schema_beside_the_spec_and_the_spec_still_validates(tmp_path: Path):
    import json

    import jsonschema
    import yaml

    target = tmp_path / "specs" / "acme.yaml"
    target.parent.mkdir()
    assert run("init", str(target), "--preset", "lifecycle").exit_code == 0
    schema_file = tmp_path / "specs" / "leadsync.schema.json"
    schema = json.loads(schema_file.read_text())
    assert schema_file.read_text() == run("schema").output  # the same schema `leadsync schema` prints
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(target.read_text()))
    assert run("validate", "--no-cache", str(target)).exit_code == 0
    # A second spec beside it shares the schema; an unrelated file of that name is never clobbered.
    assert run("init", str(tmp_path / "specs" / "globex.yaml")).exit_code == 0
    schema_file.write_text('{"title": "something else"}')
    result = run("init", str(tmp_path / "specs" / "initech.yaml"))
    assert result.exit_code == 2 and "leadsync.schema.json" in result.output
    assert not (tmp_path / "specs" / "initech.yaml").exists()
    assert run("schema", "-o", str(schema_file)).exit_code == 0
    assert json.loads(schema_file.read_text()) == schema
