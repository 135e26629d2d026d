"""render/schema.py: every rendered file matches the Metadata API XSD; violations say which template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leadsync.render import schema, templates
from leadsync.render.layouts import render_files

from .conftest import ESCAPING, FULL, SPEC_IDS, SPECS, bundle_of, files_of


@pytest.mark.parametrize("layout", ["source", "mdapi"])
@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_every_rendered_file_is_schema_valid(path, layout):
    assert schema.validate_files(files_of(path, layout)) == []


def test_reduced_schema_has_a_root_element_per_type_and_only_what_they_need():
    from lxml import etree

    xsd = etree.fromstring(schema.reduced_xsd())
    xs = "{http://www.w3.org/2001/XMLSchema}"
    roots = {e.get("name") for e in xsd.findall(f"{xs}element")}
    assert roots == set(schema.ROOT_TYPES) == {
        "CustomObject", "CustomField", "BusinessProcess", "RecordType", "ValidationRule",
        "StandardValueSet", "Flow", "PermissionSet", "CustomPermission", "ApexClass", "LeadConfigSettings", "Package",
    }
    types = {e.get("name") for e in xsd if e.get("name")}
    assert {"FlowDecision", "FlowElementReferenceOrValue", "PermissionSetFieldPermissions", "Metadata"} <= types
    assert "ApexTrigger" not in types and "DeployResult" not in types


def _broken_override(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (templates.templates_dir() / name).read_text()
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new))
    return tmp_path


def test_wrong_element_order_in_an_override_is_an_internal_error_naming_the_template(tmp_path: Path):
    # <label> moved before <description>: well-formed, but out of the schema's sequence
    tdir = _broken_override(
        tmp_path, "PermissionSet.xml.j2",
        "{% if permission_set.description is not none %}",
        "    <label>{{ permission_set.label }}</label>\n{% if permission_set.description is not none %}",
    )
    for layout in ("mdapi", "source"):
        found = schema.validate_files(render_files(bundle_of(FULL), layout, template_dir=tdir))
        assert found, layout
        d = found[0]
        assert d.code == "LS900" and d.is_error
        assert "PermissionSet.xml.j2" in d.message and "internal error" in d.message
        assert "description" in d.message  # named; the rest is libxml2's wording, which no test depends on
        assert "(at /PermissionSet/description)" in d.message and d.span.line == 4
        assert d.span.path.endswith(("acme_Lead_Lifecycle.permissionset", "acme_Lead_Lifecycle.permissionset-meta.xml"))


def test_violation_inside_the_mdapi_lead_object_names_the_child_template(tmp_path: Path):
    tdir = _broken_override(tmp_path, "ValidationRule.xml.j2", "<active>{{ rule.active }}</active>\n", "")
    found = schema.validate_files(render_files(bundle_of(FULL), "mdapi", template_dir=tdir))
    assert {d.span.path for d in found} == {"objects/Lead.object"}
    assert all("ValidationRule.xml.j2" in d.message for d in found)
    assert len(found) == 3  # one per rule, each naming the element and the rule
    assert "(at /CustomObject/validationRules[1]/description of Unqualified_Reason_Required)" in found[0].message


def test_not_well_formed_or_unknown_root_is_reported():
    found = schema.validate_files({"flows/X.flow": b"<Flow", "package.xml": b"<Other/>", "sfdx-project.json": b"{"})
    assert [d.span.path for d in found] == ["flows/X.flow", "package.xml"]
    assert "Flow.xml.j2" in found[0].message and "package.xml.j2" in found[1].message


def test_disk_cache_is_used(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LEADSYNC_CACHE_DIR", raising=False)  # it would win over XDG_CACHE_HOME
    monkeypatch.delenv("LEADSYNC_NO_CACHE", raising=False)
    text = schema.reduced_xsd()
    cached = list((tmp_path / "cache" / "leadsync").glob("metadata-*.xsd"))
    assert len(cached) == 1 and cached[0].read_bytes() == text
    assert not list(cached[0].parent.glob(".tmp-*")), "no temp file left behind"
    monkeypatch.setattr(schema, "reduce_wsdl", lambda *a: pytest.fail("the WSDL was parsed again"))
    assert schema.reduced_xsd() == text


def test_an_unwritable_cache_folder_is_skipped(tmp_path: Path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # user_cache_dir is then below a file
    assert schema.reduced_xsd() == schema.reduce_wsdl(schema.wsdl_path().read_bytes())


def test_the_wsdl_is_found_without_importing_simple_salesforce_and_heavy_modules_load_late():
    code = (
        "import sys\n"
        "import leadsync.render.schema as s, leadsync.render.layouts, leadsync.render.compile, leadsync.render.output\n"
        "assert s.wsdl_path().is_file()\n"
        "print(sorted(m for m in ('simple_salesforce', 'lxml', 'jinja2', 'zeep', 'requests') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_validate_files_of_an_escaping_heavy_spec_in_both_layouts():
    for layout in ("source", "mdapi"):
        assert schema.validate_files(files_of(ESCAPING, layout)) == []
