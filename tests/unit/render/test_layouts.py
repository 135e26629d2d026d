"""render/layouts.py: the source and mdapi layouts, their XML form, package.xml, determinism."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from leadsync.metadata import model as m
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files

from .conftest import FULL, SPEC_IDS, SPECS, bundle_of, files_of
from .specload import load
from .test_compile import make

NS = "{http://soap.sforce.com/2006/04/metadata}"
SRC = "force-app/main/default"


def test_source_layout_paths_of_the_full_spec():
    assert sorted(files_of(FULL, "source")) == sorted([
        "sfdx-project.json",
        f"{SRC}/classes/acme_Lifecycle_Test.cls",
        f"{SRC}/classes/acme_Lifecycle_Test.cls-meta.xml",
        f"{SRC}/flows/acme_Lead_Lifecycle.flow-meta.xml",
        f"{SRC}/objects/Lead/Lead.object-meta.xml",
        f"{SRC}/objects/Lead/businessProcesses/Inbound Sales.businessProcess-meta.xml",
        f"{SRC}/objects/Lead/businessProcesses/Partner Referral.businessProcess-meta.xml",
        *(f"{SRC}/objects/Lead/fields/{n}.field-meta.xml" for n in [
            "Customer_Date__c", "Lead_Date__c", "Lead_Stage__c", "MQL_Date__c", "Opportunity_Date__c",
            "SQL_Date__c", "Subscriber_Date__c", "Unqualified_Reason__c"]),
        f"{SRC}/objects/Lead/recordTypes/Inbound.recordType-meta.xml",
        *(f"{SRC}/objects/Lead/validationRules/{n}.validationRule-meta.xml" for n in [
            "Lead_Stage_Forward_Only", "Status_Requires_Lead_Stage", "Unqualified_Reason_Required"]),
        f"{SRC}/permissionsets/acme_Lead_Lifecycle.permissionset-meta.xml",
        f"{SRC}/settings/LeadConfig.settings-meta.xml",
        f"{SRC}/standardValueSets/LeadStatus.standardValueSet-meta.xml",
    ])


def test_mdapi_layout_paths_of_the_full_spec():
    assert list(files_of(FULL, "mdapi")) == [
        "classes/acme_Lifecycle_Test.cls",
        "classes/acme_Lifecycle_Test.cls-meta.xml",
        "flows/acme_Lead_Lifecycle.flow",
        "objects/Lead.object",
        "package.xml",
        "permissionsets/acme_Lead_Lifecycle.permissionset",
        "settings/LeadConfig.settings",
        "standardValueSets/LeadStatus.standardValueSet",
    ]


def test_sfdx_project_json():
    project = json.loads(files_of(FULL, "source")["sfdx-project.json"])
    assert project["packageDirectories"] == [{"default": True, "path": "force-app"}]
    assert project["sourceApiVersion"] == "63.0"


@pytest.mark.parametrize("layout", ["source", "mdapi"])
@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_xml_form_like_salesforce(path, layout):
    for name, data in files_of(path, layout).items():
        if name.endswith((".json", ".cls")):  # JSON and Apex source are not XML
            continue
        text = data.decode("utf-8")
        assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<'), name
        assert text.endswith(">\n") and not text.endswith("\n\n"), name
        for line in text.splitlines()[1:]:
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 4 == 0 and line.strip() and line == line.rstrip() and "\t" not in line, (name, line)
        assert "\r" not in text


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_full_name_only_where_sf_writes_it(path):
    for name, data in files_of(path, "source").items():
        if not name.endswith(".xml"):
            continue
        root = ET.fromstring(data)
        has = root.find(f"{NS}fullName") is not None
        child = "/objects/Lead/" in name and not name.endswith("Lead.object-meta.xml")
        assert has == child, name
        if child:
            assert name.rsplit("/", 1)[1].startswith(root.findtext(f"{NS}fullName") + "."), name
    obj = ET.fromstring(files_of(path, "mdapi")["objects/Lead.object"])
    assert obj.find(f"{NS}fullName") is None
    children = [c for c in obj if c.tag != f"{NS}enableHistory"]
    assert children and all(c.find(f"{NS}fullName") is not None for c in children)


def _components(files: dict[str, bytes]) -> set[tuple[str, str]]:
    """(type, member) of every component in an mdapi file set, read from the files themselves."""
    found = set()
    kinds = {"fields": "CustomField", "businessProcesses": "BusinessProcess", "recordTypes": "RecordType",
             "validationRules": "ValidationRule"}
    for name, data in files.items():
        folder, _, file = name.partition("/")
        if folder == "objects":
            root = ET.fromstring(data)
            for child in root:
                tag = child.tag.removeprefix(NS)
                if tag in kinds:
                    found.add((kinds[tag], f"Lead.{child.findtext(f'{NS}fullName')}"))
                else:
                    found.add(("CustomObject", file.removesuffix(".object")))
        elif folder in ("standardValueSets", "flows", "permissionsets", "customPermissions", "settings"):
            kind = {"standardValueSets": "StandardValueSet", "flows": "Flow", "permissionsets": "PermissionSet",
                    "customPermissions": "CustomPermission", "settings": "Settings"}[folder]
            found.add((kind, file.rsplit(".", 1)[0]))
        elif folder == "classes" and file.endswith(".cls"):
            assert f"{name}-meta.xml" in files
            found.add(("ApexClass", file.removesuffix(".cls")))
    return found


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_package_xml_lists_exactly_the_rendered_components(path):
    files = files_of(path, "mdapi")
    root = ET.fromstring(files["package.xml"])
    listed = {(t.findtext(f"{NS}name"), mem.text) for t in root.iter(f"{NS}types") for mem in t.iter(f"{NS}members")}
    assert listed == _components(files)
    assert root.findtext(f"{NS}version") == bundle_of(path).api_version
    names = [t.findtext(f"{NS}name") for t in root.iter(f"{NS}types")]
    assert names == sorted(names)


def test_lead_object_settings_only_when_history_is_tracked():
    b = compile_spec(make(stage_field={"track_history": False}))
    source = render_files(b, "source")
    assert not any(n.endswith("Lead.object-meta.xml") for n in source)
    assert "<enableHistory>" not in render_files(b, "mdapi")["objects/Lead.object"].decode()
    assert "CustomObject" not in b.members()
    settings = files_of(FULL, "source")[f"{SRC}/objects/Lead/Lead.object-meta.xml"].decode()
    assert settings.splitlines()[1:] == [
        '<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">',
        "    <enableHistory>true</enableHistory>",
        "</CustomObject>",
    ]


def test_mdapi_lead_object_children_in_schema_order():
    obj = ET.fromstring(files_of(FULL, "mdapi")["objects/Lead.object"])
    tags = [c.tag.removeprefix(NS) for c in obj]
    order = ["businessProcesses", "enableHistory", "fields", "recordTypes", "validationRules"]
    assert sorted(tags, key=order.index) == tags and set(tags) == set(order)


@pytest.mark.parametrize("layout", ["source", "mdapi"])
@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_rendering_is_byte_deterministic(path, layout):
    first = render_files(bundle_of(path), layout)
    again = render_files(compile_spec(load(path)), layout)  # a new spec object, compiled and rendered again
    assert first == again and list(first) == sorted(first)


def _sorted_lead(b: m.Bundle) -> m.Bundle:
    from dataclasses import replace

    lead = b.lead
    key = lambda x: x.full_name  # noqa: E731
    return replace(b, permission_sets=tuple(sorted(b.permission_sets, key=key)),  # files come in name order
                   lead=replace(lead, fields=tuple(sorted(lead.fields, key=key)),
                                   business_processes=tuple(sorted(lead.business_processes, key=key)),
                                   record_types=tuple(sorted(lead.record_types, key=key)),
                                   validation_rules=tuple(sorted(lead.validation_rules, key=key))))


@pytest.mark.parametrize("layout", ["source", "mdapi"])
@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_parsing_the_rendered_files_gives_back_the_bundle(path, layout):
    """metadata/parse.py (written by another hand) reads every value back: nothing lost in escaping."""
    assert _sorted_lead(parse_files(files_of(path, layout))) == _sorted_lead(bundle_of(path))


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="layout"):
        render_files(bundle_of(FULL), "zip")
