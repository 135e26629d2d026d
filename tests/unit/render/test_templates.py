"""render/templates.py: XML escaping, strictness, user overrides, and errors that say where."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from leadsync.metadata import formula as fx
from leadsync.metadata import model as m
from leadsync.render import templates
from leadsync.render.layouts import render_files
from leadsync.render.templates import RenderError, picklist_ref

from .conftest import ESCAPING, bundle_of, files_of, spec_of

NS = "{http://soap.sforce.com/2006/04/metadata}"
TRICKY = ['Lead "Hot" & <New>', "O'Brien stage", "Back\\slash {!Stage__c}", "Präqualifiziert", "Prä-qualifiziert ✓"]


def test_special_characters_are_escaped_for_xml_and_read_back_unchanged():
    obj = files_of(ESCAPING, "mdapi")["objects/Lead.object"]
    text = obj.decode()
    assert "&quot;Hot&quot; &amp; &lt;New&gt;" in text and "O&apos;Brien" in text  # as Salesforce writes them
    root = ET.fromstring(obj)
    stage = next(f for f in root.iter(f"{NS}fields") if f.findtext(f"{NS}fullName") == "Stage__c")
    labels = [v.findtext(f"{NS}label") for v in stage.iter(f"{NS}value")]
    assert [s.display_label for s in spec_of(ESCAPING).stages] == labels
    for value in TRICKY:
        assert value in labels or value in [v.findtext(f"{NS}fullName") for v in stage.iter(f"{NS}value")]


def test_line_breaks_in_values_survive_nesting():
    flow = ET.fromstring(next(v for k, v in files_of(ESCAPING, "mdapi").items() if k.startswith("flows/")))
    assert flow.findtext(f"{NS}description") == 'Line one\nLine two: "quoted" & <tagged> [managed by leadsync]'
    raw = next(v for k, v in files_of(ESCAPING, "mdapi").items() if k.startswith("flows/")).decode()
    assert "Line one&#10;Line two" in raw


def test_formula_literals_are_escaped_for_the_formula_then_for_xml():
    root = ET.fromstring(files_of(ESCAPING, "mdapi")["objects/Lead.object"])
    formulas = {r.findtext(f"{NS}fullName"): r.findtext(f"{NS}errorConditionFormula")
                for r in root.iter(f"{NS}validationRules")}
    reason = formulas["Unqualified_Reason_Required"]
    assert reason == ('AND(OR(ISNEW(), ISCHANGED(Status), ISCHANGED(Unqualified_Reason__c)), '
                      'OR(ISPICKVAL(Status, "Can\'t \\\\ reach"), ISPICKVAL(Status, "Überprüft, 100% (ok).")), '
                      "ISBLANK(TEXT(Unqualified_Reason__c)))")
    literals = _literals(formulas["Stage_Forward_Only"])
    assert [s.value for s in spec_of(ESCAPING).stages] == literals[: len(spec_of(ESCAPING).stages)]
    raw = files_of(ESCAPING, "mdapi")["objects/Lead.object"].decode()
    assert "&quot;Lead \\&quot;Hot\\&quot; &amp; &lt;New&gt;&quot;, 1" in raw


def _literals(formula: str) -> list[str]:
    out, i = [], 0
    while i < len(formula):
        if formula[i] == '"':
            value, i = fx.parse_string_literal(formula, i)
            out.append(value)
        else:
            i += 1
    return out


def test_flow_values_and_formula_literals_round_trip():
    flow = bundle_of(ESCAPING).flows[0]
    raw = next(v for k, v in files_of(ESCAPING, "mdapi").items() if k.startswith("flows/"))
    root = ET.fromstring(raw)
    strings = [e.text for e in root.iter(f"{NS}stringValue")]
    assert "He said \"hi\" & <left>\n'bye' \\" in strings
    assert 'a "b" & <c> \\ d\ne' in strings
    expressions = [e.text for e in root.iter(f"{NS}expression")]
    assert expressions == [f.expression for f in flow.formulas]
    assert all("{!Stage__c}" not in e for e in expressions), "a value never becomes a merge field"


def test_business_process_values_are_url_encoded_like_salesforce():
    assert picklist_ref("Can't buy, Inc. (100%) Ü") == "Can%27t buy%2C Inc%2E %28100%25%29 %C3%9C"
    assert picklist_ref("Attempted to Contact - x_y") == "Attempted to Contact - x_y"
    raw = files_of(ESCAPING, "mdapi")["objects/Lead.object"].decode()
    assert "<fullName>Won %22Big%22 %26 %3CFast%3E</fullName>" in raw


def test_booleans_print_lowercase():
    raw = files_of(ESCAPING, "mdapi")["standardValueSets/LeadStatus.standardValueSet"].decode()
    assert "<default>true</default>" in raw and "<converted>false</converted>" in raw
    assert "True" not in raw and "False" not in raw


def test_env_is_strict_and_autoescaping():
    env = templates.environment(None)
    assert env.autoescape is True and env.trim_blocks and env.lstrip_blocks
    with pytest.raises(RenderError, match="undefined"):
        templates.render("CustomField.xml.j2", "CustomField Lead.X__c", None, nested=False)


def test_printing_none_is_an_error_naming_template_and_node(tmp_path: Path):
    (tmp_path / "RecordType.xml.j2").write_text("<x>{{ record_type.description }}</x>\n")
    rt = m.RecordType(full_name="Inbound", label="Inbound")
    with pytest.raises(RenderError) as err:
        templates.render("RecordType.xml.j2", "RecordType Lead.Inbound", tmp_path, record_type=rt, nested=False)
    assert "RecordType.xml.j2" in str(err.value) and "RecordType Lead.Inbound" in str(err.value)
    assert "None" in str(err.value)
    d = err.value.diagnostic
    assert d.code == "LS901" and d.span.path.endswith("RecordType.xml.j2") and d.span.line == 1


def test_control_characters_that_xml_cannot_hold_are_refused():
    rt = m.RecordType(full_name="Inbound", label="bell\x07")
    with pytest.raises(RenderError, match="U\\+0007"):
        templates.render("RecordType.xml.j2", "RecordType Lead.Inbound", None, record_type=rt, nested=False)


def test_error_in_an_included_template_names_it_and_its_line(tmp_path: Path):
    (tmp_path / "ValidationRule.xml.j2").write_text("<validationRules>\n{{ rule.nope }}\n</validationRules>\n")
    with pytest.raises(RenderError) as err:
        render_files(bundle_of(ESCAPING), "mdapi", template_dir=tmp_path)
    message = str(err.value)
    assert "ValidationRule.xml.j2" in message and "CustomObject Lead" in message
    assert "included from CustomObject.xml.j2" in message and "nope" in message
    assert err.value.diagnostic.span.path == str(tmp_path / "ValidationRule.xml.j2")
    assert err.value.diagnostic.span.line == 2


def test_syntax_error_names_the_template_and_line(tmp_path: Path):
    (tmp_path / "PermissionSet.xml.j2").write_text("ok\n{% if %}\n")
    with pytest.raises(RenderError) as err:
        render_files(bundle_of(ESCAPING), "mdapi", template_dir=tmp_path)
    assert err.value.diagnostic.span.line == 2
    assert "PermissionSet.xml.j2" in str(err.value) and "PermissionSet Tricky_Co_Ltd_Lead_Lifecycle" in str(err.value)


def test_user_template_wins_over_the_builtin_and_can_extend_it(tmp_path: Path):
    builtin = (templates.templates_dir() / "PermissionSet.xml.j2").read_text()
    (tmp_path / "PermissionSet.xml.j2").write_text(builtin.replace("<hasActivationRequired>false", "<hasActivationRequired>true"))
    files = render_files(bundle_of(ESCAPING), "mdapi", template_dir=tmp_path)
    ps = next(v for k, v in files.items() if k.startswith("permissionsets/")).decode()
    assert "<hasActivationRequired>true</hasActivationRequired>" in ps
    # the other templates are still the built-ins
    assert files["objects/Lead.object"] == files_of(ESCAPING, "mdapi")["objects/Lead.object"]


def test_macros_are_override_points(tmp_path: Path):
    base = (templates.templates_dir() / "macros.j2").read_text()
    assert "MAY be overridden" in base
    (tmp_path / "macros.j2").write_text(
        base + '{% macro flow_tail(flow) %}\n    <triggerOrder>{{ 100 }}</triggerOrder>\n{% endmacro %}\n'
        '{% macro permission_set_tail(ps) %}\n    <license>Salesforce</license>\n{% endmacro %}\n'
    )
    files = render_files(bundle_of(ESCAPING), "mdapi", template_dir=tmp_path)
    flow = next(v for k, v in files.items() if k.startswith("flows/")).decode()
    assert flow.endswith("    <status>Active</status>\n    <triggerOrder>100</triggerOrder>\n</Flow>\n")
    ps = next(v for k, v in files.items() if k.startswith("permissionsets/")).decode()
    # the tail comes right after <label>, before the record types' visibility (schema order)
    assert re.search(r"<label>[^<]*</label>\n    <license>Salesforce</license>\n(    <recordTypeVisibilities>|</PermissionSet>\n$)", ps)


def test_user_template_can_import_the_builtin_of_the_same_name(tmp_path: Path):
    (tmp_path / "macros.j2").write_text(
        '{% import "builtin/macros.j2" as base %}\n'
        "{% macro xml_declaration() %}{{ base.xml_declaration() }}{% endmacro %}\n"
        "{% macro namespace() %}{{ base.namespace() }}{% endmacro %}\n"
        "{% macro component_start(root, child, nested) %}{{ base.component_start(root, child, nested) }}{% endmacro %}\n"
        "{% macro component_end(root, child, nested) %}{{ base.component_end(root, child, nested) }}{% endmacro %}\n"
        "{% macro flow_value(value) %}{{ base.flow_value(value) }}{% endmacro %}\n"
        "{% macro flow_builder_metadata() %}{{ base.flow_builder_metadata() }}{% endmacro %}\n"
        "{% macro flow_tail(flow) %}{% endmacro %}\n"
        "{% macro permission_set_tail(ps) %}{% endmacro %}\n"
    )
    assert render_files(bundle_of(ESCAPING), "mdapi", template_dir=tmp_path) == files_of(ESCAPING, "mdapi")
