"""Rendered metadata through tools nobody on this project wrote (../shared/checks, see its README):
Lightning Flow Scanner, formulon + sformula, and the Salesforce CLI's source-to-mdapi conversion.

Skipped when ../shared or the tools are absent (failed instead where CI installed them): see
tests/checkers.py.
"""

from __future__ import annotations

import re
import sys

import pytest

from leadsync.render.output import write_tree
from leadsync.resources import presets_dir

from .conftest import ESCAPING, FULL, SPEC_IDS, SPECS, files_of

pytestmark = pytest.mark.shared
INLINE_SPECS = [FULL, *sorted(presets_dir().glob("*.yaml"))]  # formulas.py reads the YAML itself: no extends


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_flow_scanner_reports_nothing_but_trigger_order(path, checkers, tmp_path):
    write_tree(files_of(path, "mdapi"), tmp_path / "md")
    flows = sorted(str(p) for p in (tmp_path / "md" / "flows").glob("*.flow"))
    assert flows
    done = checkers.run(["node", str(checkers.scripts / "scanflow.js"), *flows])
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


@pytest.mark.parametrize("path", INLINE_SPECS, ids=lambda p: p.name)
def test_formulas_parse_in_formulon_and_evaluate_in_sformula(path, checkers, tmp_path):
    files = files_of(path, "mdapi")
    write_tree(files, tmp_path / "md")
    done = checkers.run([sys.executable, str(checkers.scripts / "formulas.py"), str(path), str(tmp_path / "md")])
    # Guards run on create and when their field changes (ISNEW, ISCHANGED): sformula cannot evaluate
    # those, so the rendered rules are only parsed here...
    assert "formulon:" not in done.stdout and "sformula:" not in done.stdout, done.stdout + done.stderr
    # ...and evaluated as on a create by a user without the bypass permission, where OR(ISNEW(), ...)
    # and NOT($Permission.X) are TRUE (sformula knows neither).
    on_create = re.sub(rb"OR\(ISNEW\(\), ISCHANGED\([^()]*\)(, ISCHANGED\([^()]*\))*\)", b"TRUE",
                       files["objects/Lead.object"])
    on_create = re.sub(rb"NOT\(\$Permission\.[A-Za-z0-9_]+\)", b"TRUE", on_create)
    write_tree({**files, "objects/Lead.object": on_create}, tmp_path / "created")
    done = checkers.run([sys.executable, str(checkers.scripts / "formulas.py"), str(path), str(tmp_path / "created")])
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_the_generated_apex_test_class_parses(path, checkers, tmp_path):
    classes = {p: data for p, data in files_of(path, "mdapi").items() if p.endswith(".cls")}
    if not classes:
        pytest.skip("no scenarios, no Apex")
    write_tree(classes, tmp_path / "md")
    done = checkers.run(["node", str(checkers.scripts / "apexparse.js"), *(str(tmp_path / "md" / p) for p in classes)])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [FULL, presets_dir() / "lifecycle.yaml"], ids=lambda p: p.name)
def test_sf_converts_the_source_layout_to_the_same_package(path, checkers, tmp_path):
    if not checkers.has("sf"):
        pytest.skip("the Salesforce CLI is not installed (`setup --light` leaves it out)")
    write_tree(files_of(path, "source"), tmp_path / "src")
    write_tree(files_of(path, "mdapi"), tmp_path / "md")
    done = checkers.run(["sf", "project", "convert", "source", "--root-dir", "force-app", "--output-dir",
                         str(tmp_path / "out")], cwd=tmp_path / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    done = checkers.run([sys.executable, str(checkers.scripts / "compare_packages.py"),
                         str(tmp_path / "md" / "package.xml"), str(tmp_path / "out" / "package.xml")])
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()) \
        == sorted(files_of(path, "mdapi"))


_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def test_the_escaping_fixtures_formulas_pass_formulon_and_sformula_but_for_what_they_cannot_read(checkers, tmp_path):
    """formulon (not Salesforce) refuses a backslash escape in a text literal (`"Back\\\\slash"`,
    `"Lead \\"Hot\\""`), and sformula an apostrophe inside one (`"O'Brien stage"`); Salesforce's formula
    syntax has both. So, for the escaping fixture only, every literal holding a backslash or an
    apostrophe becomes a plain placeholder, in the formulas and in the spec's values alike; everything
    else (the formulas' shape, and what sformula evaluates them to) is checked as it is."""
    import xml.etree.ElementTree as ET

    import yaml

    from leadsync.metadata.formula import parse_string_literal

    ns = "{http://soap.sforce.com/2006/04/metadata}"
    files = files_of(ESCAPING, "mdapi")
    root = ET.fromstring(files["objects/Lead.object"])
    placeholders: dict[str, str] = {}

    def plain(match: re.Match) -> str:
        if "\\" not in match.group(1) and "'" not in match.group(1):
            return match.group(0)
        value = parse_string_literal(match.group(0))[0]
        return '"' + placeholders.setdefault(value, f"escaped value {len(placeholders) + 1}") + '"'

    for formula in root.iter(f"{ns}errorConditionFormula"):
        formula.text = _LITERAL.sub(plain, formula.text)
    assert any("\\" in v or '"' in v for v in placeholders), "the escaping fixture's formulas hold escapes"
    ET.register_namespace("", ns[1:-1])
    spec = yaml.safe_load(ESCAPING.read_text(encoding="utf-8"))
    for key in ("stages", "statuses"):
        for item in spec[key]:
            item["value"] = placeholders.get(item["value"], item["value"])
    reasons = spec.get("unqualified_reasons") or {}
    reasons["values"] = [placeholders.get(v, v) for v in reasons.get("values", [])]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    lead = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    on_create = re.sub(rb"OR\(ISNEW\(\), ISCHANGED\([^()]*\)(, ISCHANGED\([^()]*\))*\)", b"TRUE", lead)
    for name, data in (("parsed", lead), ("created", on_create)):
        write_tree({**files, "objects/Lead.object": data}, tmp_path / name)
        done = checkers.run([sys.executable, str(checkers.scripts / "formulas.py"), str(tmp_path / "spec.yaml"),
                             str(tmp_path / name)])
        if name == "parsed":
            assert "formulon:" not in done.stdout, done.stdout + done.stderr
        else:
            assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
