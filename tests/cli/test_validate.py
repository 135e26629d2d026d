"""`leadsync validate`: exit codes, the three formats, several files at once, presets stay valid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir

REPO = Path(__file__).resolve().parents[2]
PRESETS = sorted(presets_dir().glob("*.yaml"))
CLIENTS = sorted((REPO / "config" / "clients").glob("*.yaml"))

BAD = (REPO / "tests" / "fixtures" / "invalid" / "duplicate_status.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


@pytest.mark.parametrize("spec", PRESETS + CLIENTS, ids=lambda p: p.name)
def test_presets_and_clients_validate_clean(spec: Path):
    result = run("validate", str(spec))
    assert result.exit_code == 0, result.output
    assert "error" not in result.output


def test_errors_exit_1_with_path_line_col(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = run("validate", str(bad))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": error " in line]
    assert any(line.startswith(f"{bad}:10:") and "'Working'" in line for line in lines), result.output
    assert any("converted" in line for line in lines), "no converted status must be reported too"


def test_json_format_is_one_document(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = run("validate", str(bad), str(PRESETS[0]), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["ok"] is False
    first = doc["diagnostics"][0]
    assert set(first) == {"path", "line", "column", "severity", "code", "message"}
    assert all(d["path"] == str(bad) for d in doc["diagnostics"])


def test_junit_has_one_case_per_spec_file(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = run("validate", str(bad), str(PRESETS[0]), "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.output)
    cases = root.findall(".//testcase")
    assert len(cases) == 2
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and str(bad) in (failed[0].get("name", "") + failed[0].get("classname", ""))


def test_missing_file_is_a_clean_error(tmp_path: Path):
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "nope.yaml" in result.output and "Traceback" not in result.output


def test_fresh_process_has_no_traceback_and_right_exit_code(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    done = subprocess.run([sys.executable, "-m", "leadsync", "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert str(bad) in done.stdout + done.stderr


def test_validate_does_not_import_the_org_machinery():
    code = ("import sys; from leadsync.cli import main_group; "
            "from click.testing import CliRunner; "
            f"CliRunner().invoke(main_group, ['validate', r'{PRESETS[0]}']); "
            "print(sorted(m for m in ('simple_salesforce', 'zeep', 'rich', 'requests', 'cryptography') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
