"""`--format json`: one document, `{"ok": bool, "diagnostics": [...]}` with the contract's six keys."""

from __future__ import annotations

import json

from leadsync.diagnostics import Span, error, warning
from leadsync.report.json import format_json
from leadsync.spec.load import load_spec

E = error("LS020", "dup", Span("a.yaml", 10, 12))
W = warning("LS030", "many", Span("b.yaml", 6, 1))


def test_document_shape():
    doc = json.loads(format_json([E, W]))
    assert doc == {"ok": False, "diagnostics": [
        {"path": "a.yaml", "line": 10, "column": 12, "severity": "error", "code": "LS020", "message": "dup"},
        {"path": "b.yaml", "line": 6, "column": 1, "severity": "warning", "code": "LS030", "message": "many"},
    ]}


def test_accepts_a_per_file_mapping_and_load_results(tmp_path):
    assert json.loads(format_json({"a.yaml": [E], "b.yaml": [W]}))["diagnostics"][1]["path"] == "b.yaml"
    missing = load_spec(tmp_path / "nope.yaml")
    doc = json.loads(format_json([missing]))
    assert doc["ok"] is False and doc["diagnostics"][0]["code"] == "LS001"


def test_ok_follows_errors_unless_given():
    assert json.loads(format_json([W]))["ok"] is True
    assert json.loads(format_json({}))["ok"] is True
    assert json.loads(format_json([W], ok=False))["ok"] is False


def test_non_ascii_survives():
    doc = json.loads(format_json([error("LS024", "stage 'Präqualifiziert' is not declared", Span("ä.yaml", 1, 1))]))
    assert doc["diagnostics"][0]["message"] == "stage 'Präqualifiziert' is not declared"
