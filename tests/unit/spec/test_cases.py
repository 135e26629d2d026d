"""Runs the data-driven cases: rule_cases.yaml (lint rules) and load_cases.yaml (YAML, shape, overlays).

Each case is written to a temporary folder and loaded by its relative path from there, so the
expected positions read `spec.yaml:LINE:COL` exactly as a user who typed `spec.yaml` sees them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from leadsync.spec.load import load_spec

HERE = Path(__file__).parent
CASE_FILES = ("rule_cases.yaml", "load_cases.yaml")


def read_cases(name: str) -> list[dict]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def all_cases():
    for name in CASE_FILES:
        for case in read_cases(name):
            yield pytest.param(case, id=f"{name.split('_')[0]}: {case['name']}")


def expected(line: str, main: str) -> tuple[str, str, str]:
    code, at, text = line.split(" ", 2)
    if at.count(":") == 1:
        at = f"{main}:{at}"
    return code, at, text


@pytest.mark.parametrize("case", list(all_cases()))
def test_case(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    files = case.get("files") or {"spec.yaml": case["spec"]}
    main = case.get("main", "spec.yaml")
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = load_spec(main)

    report = "\n".join(str(d) for d in result.diagnostics)
    got = [(d.code, str(d.span), d.message) for d in result.diagnostics]
    want = [expected(line, main) for line in case["expect"]]
    assert [g[:2] for g in got] == [w[:2] for w in want], report
    for (_, at, message), (_, _, text) in zip(got, want):
        assert text in message, f"{at}: {message!r} lacks {text!r}"
    if not any(d.is_error for d in result.diagnostics):
        assert result.ok and result.spec is not None
    else:
        assert not result.ok
