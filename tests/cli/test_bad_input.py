"""Every error case of the spec tests, end to end through `leadsync render`: exit 1, the file and
line of each error, no traceback, and nothing written (neither the output folder nor the zip)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.diagnostics import Severity
from leadsync.spec.codes import CODES

CASES = Path(__file__).resolve().parents[1] / "unit" / "spec"


def error_cases():
    for name in ("rule_cases.yaml", "load_cases.yaml"):
        for case in yaml.safe_load((CASES / name).read_text(encoding="utf-8")):
            if any(_is_error(line) for line in case["expect"]):
                yield pytest.param(case, id=f"{name.split('_')[0]}: {case['name']}")


def _is_error(expect_line: str) -> bool:
    return CODES[expect_line.split(" ", 1)[0]].severity is Severity.ERROR


@pytest.mark.parametrize("case", list(error_cases()))
def test_render_refuses_with_file_line_and_writes_nothing(case: dict, tmp_path: Path, monkeypatch):
    files = case.get("files") or {"spec.yaml": case["spec"]}
    main = case.get("main", "spec.yaml")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main_group, ["render", main, "-o", "out", "--zip", "out.zip"])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception
    for line in case["expect"]:
        code, at, _ = line.split(" ", 2)
        where = at if at.count(":") == 2 else f"{main}:{at}"
        assert f"{where}: " in result.output and code in result.output, result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()
