"""metadata/parse.py: real files from public orgs (../shared/corpus) and small hand-written cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadsync.metadata import model as m
from leadsync.metadata import parse as p

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def corpus_files(corpus_dir: Path) -> dict[str, tuple[str, bytes]]:
    """local file name -> (its path in the original repository, bytes), from SOURCES.md."""
    rows = re.findall(r"^\| (\S[^|]*?) \| [^|]+ \| `([^`]+)` \|", (corpus_dir / "SOURCES.md").read_text(), re.M)
    assert rows, "SOURCES.md lists no files"
    return {local: (orig, (corpus_dir / local).read_bytes()) for local, orig in rows}


@pytest.mark.shared
def test_every_corpus_file_parses(corpus_dir):
    for local, (orig, data) in corpus_files(corpus_dir).items():
        if orig.endswith("package.xml"):
            assert p.parse_manifest(data, orig).types, local
            continue
        components = p.components_of(orig, data)
        assert components, f"{local}: no component recognised at {orig}"
        for c in components:
            p.to_model(c)  # must not raise on anything real orgs contain
        p.parse_files({orig: data})


@pytest.mark.shared
def test_corpus_models_hold_the_values(corpus_dir):
    files = corpus_files(corpus_dir)
    orig, data = files["standardValueSet/jnelson-prosci__prosci-sfdc__LeadStatus.standardValueSet-meta.xml"]
    (svs,) = p.parse_files({orig: data}).standard_value_sets
    assert svs.full_name == "LeadStatus"
    assert [v.full_name for v in svs.values if v.converted] == ["Identify Opportunity", "Qualified"]
    assert [v.full_name for v in svs.values if v.default] == ["Open"]

    orig, data = files["field/moechapa__ubiquity-org-monitoring__Firm_Type__c.field-meta.xml"]
    (fld,) = p.parse_files({orig: data}).lead.fields
    assert isinstance(fld, m.PicklistField) and fld.restricted
    assert [v.full_name for v in fld.active_values] == ["RIA", "Broker Dealer", "Dually-Registered", "Other"]
    assert len(fld.values) == 10

    orig, data = files["validationRule/moechapa__ubiquity-org-monitoring__Validate_Qualified_Status_IsConverted.validationRule-meta.xml"]
    (rule,) = p.parse_files({orig: data}).lead.validation_rules
    assert rule.formula == 'ISPICKVAL(Status,"Qualified") && IsConverted = FALSE' and not rule.active

    orig, data = files["recordType/cbrigham-flexcon__FLEXcon-Salesforce__General_Lead.recordType-meta.xml"]
    (rt,) = p.parse_files({orig: data}).lead.record_types
    assert (rt.full_name, rt.business_process, rt.label) == ("General_Lead", "FLEXcon process", "General Lead")

    orig, data = files["flow/justinsohn__baker-snapshot-2025-11__Lead_Before.flow-meta.xml"]
    (flow,) = p.parse_files({orig: data}).flows
    assert flow.start == m.FlowStart("Lead", "RecordBeforeSave", "CreateAndUpdate", connector="Created_or_Updated")
    assert flow.element("Created_or_Updated").rules[0].conditions[0] == m.FlowCondition(
        "isNew", "EqualTo", m.FlowValue("booleanValue", True)
    )
    assert flow.formulas[0].expression == "ISNEW()"


@pytest.mark.shared
def test_corpus_lead_object_splits_into_components(corpus_dir):
    orig, data = corpus_files(corpus_dir)["object_mdapi/Balderione__devTest__Lead.object"]
    components = p.components_of(orig, data)
    assert components[0].type == "CustomObject" and components[0].full_name == "Lead"
    kinds = {c.type for c in components}
    assert {"CustomField", "BusinessProcess", "RecordType", "ValidationRule", "ListView"} <= kinds
    bundle = p.parse_files({orig: data})
    assert [bp.full_name for bp in bundle.lead.business_processes] == ["Client Lead Process", "Merchant Lead Process"]
    assert bundle.lead.enable_history is True
    assert all(c.line > 0 for c in components)


def test_mdapi_and_source_layouts_give_the_same_bundle():
    field = b"<fullName>Stage__c</fullName><label>Stage</label><type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted><value><fullName>MQL</fullName><default>true</default><label>MQL</label></value></valueSetDefinition></valueSet>"
    bp = b"<fullName>Inbound</fullName><isActive>true</isActive><values><fullName>Can%E2%80%99t reach</fullName><default>true</default></values>"
    mdapi = {
        "package.xml": f"{HEAD}<Package {NS}><version>63.0</version></Package>".encode(),
        "objects/Lead.object": HEAD.encode()
        + f"<CustomObject {NS}><fields>".encode() + field + b"</fields><businessProcesses>" + bp
        + b"</businessProcesses><unknownThing><x/></unknownThing></CustomObject>",
    }
    source = {
        "sfdx-project.json": b'{"sourceApiVersion": "63.0"}',
        "force-app/main/default/objects/Lead/fields/Stage__c.field-meta.xml": HEAD.encode()
        + f"<CustomField {NS}>".encode() + field + b"</CustomField>",
        "force-app/main/default/objects/Lead/businessProcesses/Inbound.businessProcess-meta.xml": HEAD.encode()
        + f"<BusinessProcess {NS}>".encode() + bp + b"</BusinessProcess>",
    }
    a, b = p.parse_files(mdapi), p.parse_files(source)
    assert a == b
    assert a.api_version == "63.0"
    assert a.lead.business_processes[0].values == (m.BusinessProcessValue("Can\u2019t reach", True),)
    assert a.members() == {"BusinessProcess": ["Lead.Inbound"], "CustomField": ["Lead.Stage__c"]}


def test_other_objects_and_unmodelled_types_are_skipped():
    files = {
        "objects/Account.object": f"<CustomObject {NS}><fields><fullName>X__c</fullName><type>Picklist</type></fields></CustomObject>".encode(),
        "classes/Foo.cls": b"public class Foo {}",
        "classes/Foo.cls-meta.xml": f"<ApexClass {NS}><apiVersion>63.0</apiVersion></ApexClass>".encode(),
        "objects/Lead.object": f"<CustomObject {NS}><fields><fullName>Note__c</fullName><type>Text</type></fields></CustomObject>".encode(),
    }
    # Apex classes are modelled (the scenarios' test class): the body comes from the .cls beside the meta file
    assert p.parse_files(files) == m.Bundle(api_version="", apex_classes=(
        m.ApexClass("Foo", "public class Foo {}", "63.0"),))
    assert [(c.type, c.full_name) for c in p.read_components(files)] == [
        ("ApexClass", "Foo"), ("ApexClass", "Foo"), ("CustomObject", "Account"), ("CustomField", "Account.X__c"),
        ("CustomObject", "Lead"), ("CustomField", "Lead.Note__c"),
    ]


def test_files_without_the_namespace_are_read():
    svs = b"<StandardValueSet><standardValue><fullName>New</fullName><default>true</default></standardValue></StandardValueSet>"
    (got,) = p.parse_files({"standardValueSets/LeadStatus.standardValueSet": svs}).standard_value_sets
    assert got == m.StandardValueSet("LeadStatus", (m.StandardValue("New", "New", default=True),))


def test_malformed_xml_names_file_line_and_column():
    with pytest.raises(p.MetadataParseError) as err:
        p.components_of("flows/X.flow", b"<Flow>\n  <label>x</lable>\n</Flow>")
    assert (err.value.path, err.value.line) == ("flows/X.flow", 2)
    assert str(err.value).startswith("flows/X.flow:2:")


def test_wrong_root_element_is_an_error():
    with pytest.raises(p.MetadataParseError, match="expected a <Flow> root"):
        p.components_of("flows/X.flow", f"<CustomObject {NS}/>".encode())


def test_entities_are_not_expanded():
    evil = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><StandardValueSet><standardValue><fullName>&e;</fullName></standardValue></StandardValueSet>'
    (svs,) = p.parse_files({"standardValueSets/LeadStatus.standardValueSet": evil}).standard_value_sets
    assert "root:" not in svs.values[0].full_name


def test_classify_paths():
    assert p.classify("unpackaged/objects/Lead.object") == ("CustomObject", "Lead")
    assert p.classify("force-app/main/default/objects/Lead/Lead.object-meta.xml") == ("CustomObject", "Lead")
    assert p.classify("objects/Lead/validationRules/R.validationRule-meta.xml") == ("ValidationRule", "Lead.R")
    assert p.classify("standardValueSets/LeadStatus.standardValueSet-meta.xml") == ("StandardValueSet", "LeadStatus")
    assert p.classify("layouts/Lead-Lead Layout.layout") == ("Layout", "Lead-Lead Layout")
    assert p.classify("package.xml") is None
    assert p.classify("README.md") is None


def test_manifest_wildcards():
    man = p.parse_manifest(
        f"<Package {NS}><types><members>*</members><name>Flow</name></types>"
        f"<types><members>Lead.A__c</members><name>CustomField</name></types><version>63.0</version></Package>".encode()
    )
    assert man.includes("Flow", "Anything") and man.includes("CustomField", "Lead.A__c")
    assert not man.includes("CustomField", "Lead.B__c") and man.version == "63.0"
