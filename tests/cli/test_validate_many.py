"""`leadsync validate DIR` and many files: one summary line, exit 1 if any fails; github and sarif formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir

REPO = Path(__file__).resolve().parents[2]
BAD = (REPO / "tests" / "fixtures" / "invalid" / "duplicate_status.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


def _clients(tmp_path: Path, n: int = 3) -> Path:
    (tmp_path / "base.yaml").write_bytes((presets_dir() / "lifecycle.yaml").read_bytes())
    clients = tmp_path / "clients"
    (clients / "eu").mkdir(parents=True)
    for i in range(n):
        folder = clients / "eu" if i == 0 else clients
        (folder / f"c{i}.yaml").write_text(f"extends: {'../' * (2 if i == 0 else 1)}base.yaml\nname: c{i}\n")
    # YAML that is not a spec, and a hidden folder: skipped
    (clients / "ORGS.yaml").write_text("orgs:\n  a: {spec: c1.yaml, target_org: local}\n")
    (clients / ".github" / "workflows").mkdir(parents=True)
    (clients / ".github" / "workflows" / "ci.yml").write_text("leadsync: not a spec but hidden\n")
    return clients


def test_a_folder_checks_every_spec_recursively_and_skips_other_yaml(tmp_path: Path):
    clients = _clients(tmp_path)
    result = run("validate", "--no-cache", str(clients))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 specs: 3 ok, 0 failed"


def test_one_failing_spec_among_many_exits_1_and_is_counted(tmp_path: Path):
    clients = _clients(tmp_path)
    (clients / "bad.yaml").write_text(BAD)
    result = run("validate", "--no-cache", str(clients), str(presets_dir() / "lifecycle.yaml"))
    assert result.exit_code == 1
    assert f"{clients / 'bad.yaml'}:10:" in result.output
    assert result.output.splitlines()[-1] == "5 specs: 4 ok, 1 failed (2 errors, 0 warnings)"


def test_a_folder_without_specs_is_a_usage_error(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "holds no spec" in result.output
    assert "Traceback" not in result.output


def test_the_same_file_twice_is_checked_once(tmp_path: Path):
    spec = presets_dir() / "lifecycle.yaml"
    result = run("validate", str(spec), str(spec))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 spec checked, no problems"


def test_json_and_junit_cover_a_folder(tmp_path: Path):
    clients = _clients(tmp_path)
    (clients / "bad.yaml").write_text(BAD)
    doc = json.loads(run("validate", str(clients), "--format", "json").output)
    assert doc["ok"] is False and {d["path"] for d in doc["diagnostics"]} == {str(clients / "bad.yaml")}
    junit = run("validate", str(clients), "--format", "junit").output
    assert junit.count("<testcase ") == 4


def test_github_format_prints_annotations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(BAD)
    result = run("validate", "bad.yaml", "--format", "github")
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::")]
    assert "::error file=bad.yaml,line=10,col=12,title=leadsync LS020::LS020: statuses: 'Working'" in result.output
    assert len(annotations) == 2
    # An absolute path inside the working folder is made relative (GitHub matches repository paths).
    absolute = run("validate", str(tmp_path / "bad.yaml"), "--format", "github").output
    assert "::error file=bad.yaml,line=10" in absolute


def test_sarif_format_lists_rules_and_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(BAD)
    result = run("validate", "bad.yaml", str(presets_dir() / "lifecycle.yaml"), "--format", "sarif")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    assert {r["ruleId"] for r in results} == {"LS020", "LS022"}
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "bad.yaml", "uriBaseId": "%SRCROOT%"}
        assert loc["region"]["startLine"] >= 1
    assert len(run_["artifacts"]) == 2


def test_many_specs_are_checked_in_parallel_with_the_same_answers_in_order(tmp_path: Path):
    from leadsync.batch import PARALLEL_FROM, check_all
    from leadsync.build import check

    clients = _clients(tmp_path, n=PARALLEL_FROM + 4)
    (clients / "c7.yaml").write_text(BAD)
    result = run("validate", "--no-cache", str(clients), "--format", "json")
    assert result.exit_code == 1
    paths = [str(p) for p in sorted(clients.rglob("c*.y*ml"))]
    together = check_all(paths, use_cache=False)
    assert list(together) == paths
    assert together == {p: check(p, use_cache=False) for p in paths}
    assert {d["path"] for d in json.loads(result.output)["diagnostics"]} == {str(clients / "c7.yaml")}
    text = run("validate", "--no-cache", str(clients)).output
    assert text.splitlines()[-1] == f"{PARALLEL_FROM + 4} specs: {PARALLEL_FROM + 3} ok, 1 failed (2 errors, 0 warnings)"
