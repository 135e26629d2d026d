"""leadsync import on real metadata (../shared/corpus): every file imports without an error; the
importable ones (a LeadStatus, alone or with the same org's processes, record types and fields) give a
valid spec that renders the same statuses, processes and reasons back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadsync.importer import import_files
from leadsync.metadata import parse as p


def corpus_files(corpus_dir: Path) -> dict[str, tuple[str, bytes]]:
    """local file name -> (its path in the original repository, bytes), from SOURCES.md."""
    rows = re.findall(r"^\| (\S[^|]*?) \| [^|]+ \| `([^`]+)` \|", (corpus_dir / "SOURCES.md").read_text(), re.M)
    return {local: (orig, (corpus_dir / local).read_bytes()) for local, orig in rows}


def by_repo(corpus_dir: Path) -> dict[str, dict[str, bytes]]:
    """repository -> its corpus files at their original paths (flows excepted: they do not render back)."""
    out: dict[str, dict[str, bytes]] = {}
    for local, (orig, data) in corpus_files(corpus_dir).items():
        repo = local.split("/", 1)[1].split("__")[0]
        if not local.startswith(("flow", "package/")):
            out.setdefault(repo, {})[orig] = data
    return out


def round_trip(tmp_path: Path, files: dict[str, bytes]):
    """import -> spec on disk -> build (load, lint, compile, render mdapi) -> parse back."""
    from leadsync.build import build

    imported = import_files(files, name="corpus")
    spec = tmp_path / "imported.yaml"
    spec.write_text(imported.text, encoding="utf-8")
    built = build(spec, layout="mdapi")
    return imported, built


@pytest.mark.shared
def test_every_corpus_file_imports(corpus_dir):
    for local, (orig, data) in corpus_files(corpus_dir).items():
        imported = import_files({orig: data}, name="x")
        assert imported.text.startswith("# Imported by `leadsync import`"), local
        assert imported.warnings, f"{local}: a lone file always lacks something, and says so"


@pytest.mark.shared
def test_lead_status_files_round_trip(corpus_dir, tmp_path):
    for local, (orig, data) in corpus_files(corpus_dir).items():
        if not local.startswith("standardValueSet/"):
            continue
        imported, built = round_trip(tmp_path, {orig: data})
        assert built.ok, (local, [d.message for d in built.diagnostics if d.severity.name == "ERROR"])
        (source,) = p.parse_files({orig: data}).standard_value_sets
        (mine,) = p.parse_files(built.files).standard_value_sets
        key = lambda v: (v.full_name, v.label, v.default, v.converted)  # noqa: E731
        assert [key(v) for v in mine.active_values] == [key(v) for v in source.active_values], local
        inactive = [v.full_name for v in source.values if not v.is_active]
        for name in inactive:
            assert name in imported.text, f"{local}: inactive {name} is not mentioned"
        assert "leadsync's defaults" in imported.text  # no stage field in a LeadStatus file


@pytest.mark.shared
def test_each_orgs_files_round_trip_together(corpus_dir, tmp_path):
    checked = 0
    for repo, files in by_repo(corpus_dir).items():
        if not any(path.endswith((".standardValueSet", ".standardValueSet-meta.xml")) for path in files):
            continue
        imported, built = round_trip(tmp_path, files)
        errors = [d.message for d in built.diagnostics if d.severity.name == "ERROR"]
        assert built.ok, (repo, errors, imported.text)
        source, mine = p.parse_files(files), p.parse_files(built.files)
        active = {v.full_name for v in source.standard_value_sets[0].active_values}
        for bp in source.lead.business_processes:
            (again,) = [b for b in mine.lead.business_processes if b.full_name == bp.full_name]
            wanted = [v.full_name for v in bp.values if v.full_name in active]
            # a process offers its values in the picklist's order, whatever order its file lists them in
            assert sorted(v.full_name for v in again.values) == sorted(wanted), (repo, bp.full_name)
            assert [v.full_name for v in again.values if v.default] == [v.full_name for v in bp.values if v.default]
        reasons = [f for f in source.lead.fields if f.full_name == "Unqualified_Reason__c"]
        if reasons:
            (again,) = [f for f in mine.lead.fields if f.full_name == "Unqualified_Reason__c"]
            assert [v.full_name for v in again.values] == [v.full_name for v in reasons[0].active_values]
        checked += 1
    assert checked >= 3


def test_no_stage_field_gives_default_stages_and_says_so():
    data = (b'<?xml version="1.0" encoding="UTF-8"?>\n<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">'
            b"<standardValue><fullName>Open</fullName><default>true</default><label>Open</label></standardValue>"
            b"<standardValue><fullName>Won</fullName><default>false</default><label>Won</label>"
            b"<converted>true</converted></standardValue>"
            b"<standardValue><fullName>Old</fullName><default>false</default><label>Old</label>"
            b"<isActive>false</isActive></standardValue></StandardValueSet>")
    imported = import_files({"standardValueSets/LeadStatus.standardValueSet": data}, name="acme")
    assert "# No stage field was found in the org" in imported.text
    assert "# inactive in the org, not imported (leads may still hold them): Old" in imported.text
    assert [s["value"] for s in imported.spec["statuses"]] == ["Open", "Won"]
    assert any("no stage field" in w for w in imported.warnings)
    assert import_files({"standardValueSets/LeadStatus.standardValueSet": data}, name="acme").text == imported.text


def test_scalars_are_quoted_where_yaml_needs_it():
    from leadsync.importer import scalar

    assert scalar("Open - Not Contacted") == "Open - Not Contacted"
    assert scalar("yes") == "'yes'"
    assert scalar("a: b") == "'a: b'"
    assert scalar("#1") == "'#1'"
    assert scalar(["x", "on"]) == "[x, 'on']"
    assert scalar(True) == "true"


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "specs"
PRESETS = Path(__file__).resolve().parents[3] / "config" / "presets"


@pytest.mark.parametrize("path", [*sorted(FIXTURES.glob("*.yaml")), *sorted(PRESETS.glob("*.yaml"))],
                         ids=lambda p: p.name)
def test_a_rendered_spec_imports_back_to_the_same_metadata(path, tmp_path):
    """render a spec -> import the files -> render the imported spec: the same statuses, stages, reasons,
    processes, rules and flow (transitions read back from the flow and checked by compiling them)."""
    from leadsync.build import build
    from leadsync.importer.flow import same_flow

    first = build(path, layout="mdapi")
    assert first.ok
    imported, again = round_trip(tmp_path, first.files)
    assert again.ok, [d.message for d in again.diagnostics]
    a, b = p.parse_files(first.files), p.parse_files(again.files)
    key = lambda v: (v.full_name, v.label, v.default, v.converted, v.is_active)  # noqa: E731
    assert [key(v) for v in b.standard_value_sets[0].active_values] == [key(v) for v in a.standard_value_sets[0].active_values]
    assert b.lead.fields == a.lead.fields
    assert [(r.full_name, r.formula, r.active) for r in b.lead.validation_rules] == \
        [(r.full_name, r.formula, r.active) for r in a.lead.validation_rules]
    assert [(bp.full_name, bp.values) for bp in b.lead.business_processes] == \
        [(bp.full_name, bp.values) for bp in a.lead.business_processes]
    assert [(rt.full_name, rt.business_process) for rt in b.lead.record_types] == \
        [(rt.full_name, rt.business_process) for rt in a.lead.record_types]
    assert len(b.flows) == len(a.flows) and all(same_flow(x, y) for x, y in zip(a.flows, b.flows)), imported.text
