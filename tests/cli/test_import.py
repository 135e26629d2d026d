"""`leadsync import --from-dir`: a folder in, a spec out; bad input is a clean message and an exit code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from leadsync.cli import main_group

STATUS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">\n'
          b"    <standardValue><fullName>Open</fullName><default>true</default><label>Open</label></standardValue>\n"
          b"    <standardValue><fullName>Won</fullName><default>false</default><label>Won</label>"
          b"<converted>true</converted></standardValue>\n</StandardValueSet>\n")


def run(*args: str):
    return CliRunner().invoke(main_group, ["import", *args])


def source_project(root: Path) -> Path:
    folder = root / "force-app" / "main" / "default" / "standardValueSets"
    folder.mkdir(parents=True)
    (folder / "LeadStatus.standardValueSet-meta.xml").write_bytes(STATUS)
    return root


def test_from_dir_writes_a_valid_spec_and_warns(tmp_path):
    out = tmp_path / "leadsync.yaml"
    result = run("--from-dir", str(source_project(tmp_path / "proj")), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "warning: no stage field found" in result.stderr
    assert f"wrote {out}: 2 statuses, 5 stages" in result.stdout
    assert "name: proj" in out.read_text()
    assert CliRunner().invoke(main_group, ["validate", str(out)]).exit_code == 0


def test_existing_output_needs_force(tmp_path):
    out = tmp_path / "leadsync.yaml"
    out.write_text("mine\n")
    result = run("--from-dir", str(source_project(tmp_path / "proj")), "-o", str(out))
    assert result.exit_code == 2 and "pass --force" in result.output
    assert out.read_text() == "mine\n"
    assert run("--from-dir", str(tmp_path / "proj"), "-o", str(out), "--force").exit_code == 0


def test_bad_input_is_a_message_not_a_traceback(tmp_path):
    out = tmp_path / "s.yaml"
    missing = run("--from-dir", str(tmp_path / "nope"), "-o", str(out))
    assert missing.exit_code == 2 and "not a folder" in missing.output
    broken = tmp_path / "broken" / "standardValueSets"
    broken.mkdir(parents=True)
    (broken / "LeadStatus.standardValueSet").write_bytes(b"<StandardValueSet><oops></StandardValueSet>")
    result = run("--from-dir", str(tmp_path / "broken"), "-o", str(out))
    assert result.exit_code == 1, result.output
    where = (tmp_path / "broken" / "standardValueSets" / "LeadStatus.standardValueSet").as_posix()
    assert f"error: {where}:1:" in result.output and "Traceback" not in result.output  # a path that opens
    assert not out.exists()
    (tmp_path / "empty").mkdir()
    empty = run("--from-dir", str(tmp_path / "empty"), "-o", str(out))
    assert empty.exit_code == 1 and "no metadata files under" in empty.output and not out.exists()
    both = run("--from-dir", str(tmp_path / "broken"), "--target-org", "x", "-o", str(out))
    assert both.exit_code == 2 and "takes no ORG-OPTIONS" in both.output
