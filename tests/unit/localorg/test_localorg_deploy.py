"""Deploys through simple-salesforce, unmodified, over real TLS: what Salesforce accepts, refuses and keeps."""

from __future__ import annotations

import pytest

from leadsync.metadata import parse
from localorg_pkg import (
    NS, STATUSES, assignment, business_process, deploy, deploy_and_wait, flow, lead_object, lead_status, manifest,
    picklist_field, record_type, result, retrieve, validation_rule, wait,
)


def package(objects: str | None = None, statuses: str | None = STATUSES, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A package of LeadStatus, Lead.object children and more files; package.xml lists what is there."""
    files: dict[str, str] = {}
    types: dict[str, list[str]] = {}
    if statuses is not None:
        files["standardValueSets/LeadStatus.standardValueSet"] = statuses
        types["StandardValueSet"] = ["LeadStatus"]
    if objects is not None:
        files["objects/Lead.object"] = objects
        for c in parse.components_of("objects/Lead.object", objects.encode())[1:]:
            types.setdefault(c.type, []).append(c.full_name)
    for path, data in (extra or {}).items():
        files[path] = data
        type_, name = parse.classify(path)
        types.setdefault(type_, []).append(name)
    files["package.xml"] = manifest(types)
    return files


def failures(r: dict) -> list[tuple[str, str, str]]:
    return [(f["componentType"] or "", f["fullName"], f["problem"]) for f in r["failures"]]


def stored_values(org) -> dict[str, bool]:
    svs = parse.parse_standard_value_set(parse.parse_xml("x", org.store.get("StandardValueSet", "LeadStatus").content), "LeadStatus")
    return {v.full_name: v.is_active for v in svs.values}


# --- success --------------------------------------------------------------------------------------


def test_deploy_succeeds_and_changes_the_org(local_org, sf_client):
    sf = sf_client(local_org)
    files = package(lead_object(business_process("Inbound", ("New", True), ("Qualified", False))))
    deploy_id = deploy(sf, files)
    assert sf.mdapi.check_deploy_status(deploy_id)[0] in ("Pending", "InProgress", "Succeeded")
    r = wait(sf, deploy_id)
    assert (r["status"], r["success"], r["numberComponentsTotal"], r["numberComponentErrors"]) == ("Succeeded", "true", "2", "0")
    created = {(s["componentType"], s["fullName"]): (s["created"], s["changed"]) for s in r["successes"]}
    assert created[("BusinessProcess", "Lead.Inbound")] == ("true", "false")
    assert created[("StandardValueSet", "LeadStatus")] == ("false", "true")
    assert local_org.store.get("BusinessProcess", "Lead.Inbound") is not None


def test_deploy_goes_pending_then_in_progress_then_done(local_org_factory, sf_client):
    org = local_org_factory(deploy_seconds=0.6)
    sf = sf_client(org)
    deploy_id = deploy(sf, package())
    seen = []
    while not seen or seen[-1] not in ("Succeeded", "Failed"):
        seen.append(sf.mdapi.check_deploy_status(deploy_id)[0])
    assert seen[0] == "Pending" and "InProgress" in seen and seen[-1] == "Succeeded"


def test_deploying_the_same_package_again_changes_nothing(local_org, sf_client):
    sf = sf_client(local_org)
    files = package(lead_object(business_process("Inbound", ("New", True), ("Qualified", False))))
    deploy_and_wait(sf, files)
    again = deploy_and_wait(sf, files)
    assert all(s["changed"] == "false" and s["created"] == "false" for s in again["successes"] if s["componentType"])


# --- the judge: each failure names its component -------------------------------------------------


@pytest.mark.parametrize(
    "statuses, problem",
    [
        (lead_status(("New", False, False), ("Won", False, True)), "exactly one default value (found: none)"),
        (lead_status(("New", True, False), ("Won", True, True)), "exactly one default value (found: New, Won)"),
        (lead_status(("New", True, False), ("Lost", False, False)), "at least one converted value"),
    ],
)
def test_lead_status_needs_one_default_and_a_converted_value(local_org, sf_client, statuses, problem):
    r = deploy_and_wait(sf_client(local_org), package(statuses=statuses))
    assert r["status"] == "Failed"
    ((kind, name, text),) = failures(r)
    assert (kind, name) == ("StandardValueSet", "LeadStatus") and problem in text


def test_business_process_with_an_unknown_status_is_refused_by_name(local_org, sf_client):
    objects = lead_object(business_process("Inbound", ("New", True), ("No Such Status", False)))
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert failures(r) == [("BusinessProcess", "Lead.Inbound", "Picklist value: No Such Status in picklist: Status not found")]
    (failure,) = r["failures"]
    assert failure["fileName"] == "objects/Lead.object" and int(failure["lineNumber"]) >= 1


def test_business_process_may_not_use_a_status_this_deploy_deactivates(local_org, sf_client):
    objects = lead_object(business_process("Old", ("Open - Not Contacted", True)))
    r = deploy_and_wait(sf_client(local_org), package(objects))  # LeadStatus without the standard values
    assert failures(r) == [("BusinessProcess", "Lead.Old", "Picklist value: Open - Not Contacted in picklist: Status is inactive")]


def test_business_process_may_use_the_org_s_statuses(local_org, sf_client):
    objects = lead_object(business_process("Std", ("Open - Not Contacted", True), ("Closed - Converted", False)))
    r = deploy_and_wait(sf_client(local_org), package(objects, statuses=None))
    assert r["status"] == "Succeeded", failures(r)


def test_business_process_needs_exactly_one_default(local_org, sf_client):
    objects = lead_object(business_process("Inbound", ("New", False), ("Qualified", False)))
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert failures(r) == [("BusinessProcess", "Lead.Inbound", "Business process Inbound must have exactly one default value (found 0)")]


def test_record_type_needs_an_existing_business_process(local_org, sf_client):
    r = deploy_and_wait(sf_client(local_org), package(lead_object(record_type("Inbound", "Missing Process"))))
    assert failures(r) == [("RecordType", "Lead.Inbound", "Cannot find business process: Missing Process")]


def test_record_type_picklist_values_must_exist_in_the_field(local_org, sf_client):
    offered = ("<picklistValues><picklist>Stage__c</picklist>"
               "<values><fullName>Lead</fullName><default>true</default></values>"
               "<values><fullName>Ghost%2FStage</fullName><default>false</default></values></picklistValues>"
               "<picklistValues><picklist>Nope__c</picklist></picklistValues>"
               "<picklistValues><picklist>Industry</picklist>"
               "<values><fullName>Anything</fullName><default>false</default></values></picklistValues>")
    rt = record_type("Inbound", "P").replace("</recordTypes>", offered + "</recordTypes>")
    objects = lead_object(picklist_field("Stage__c", "Lead", "MQL"), business_process("P", ("New", True)), rt)
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert sorted(p for k, _, p in failures(r) if k == "RecordType") == [
        "Picklist value: Ghost/Stage in picklist: Stage__c not found", "Picklist: Nope__c not found"]


def test_record_type_may_use_a_process_from_the_same_package(local_org, sf_client):
    objects = lead_object(business_process("P", ("New", True)), record_type("Inbound", "P"))
    assert deploy_and_wait(sf_client(local_org), package(objects))["status"] == "Succeeded"


def test_validation_rule_naming_an_unknown_field_is_refused_with_its_line(local_org, sf_client):
    formula = "AND(\nISPICKVAL(Status, &quot;Unqualified&quot;),\nISBLANK(TEXT(Reason__c))\n)"
    r = deploy_and_wait(sf_client(local_org), package(lead_object(validation_rule("Needs_Reason", formula))))
    assert failures(r) == [("ValidationRule", "Lead.Needs_Reason", "Field Reason__c does not exist. Check spelling.")]
    (failure,) = r["failures"]
    assert (failure["lineNumber"], failure["columnNumber"]) == ("4", "14")  # line 1 is the XML declaration


def test_validation_rule_may_name_standard_fields_and_fields_of_the_package(local_org, sf_client):
    formula = "ISPICKVAL(Status, &quot;X&quot;) &amp;&amp; ISBLANK(TEXT(Reason__c)) &amp;&amp; Owner.Alias = $User.Alias &amp;&amp; IsConverted"
    objects = lead_object(picklist_field("Reason__c", "A", "B"), validation_rule("Needs_Reason", formula))
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert r["status"] == "Succeeded", failures(r)


def test_validation_rule_using_a_picklist_outside_ispickval_text_case_is_refused(local_org, sf_client):
    """Salesforce Help, "Tips for Working with Picklist and Multi-Select Picklist Values in Formulas": to
    reference picklist values use only ISPICKVAL, CASE and TEXT; ISBLANK(picklist) is refused (use
    ISBLANK(TEXT(field)) or ISPICKVAL(field, ""))."""
    objects = lead_object(picklist_field("Stage__c", "A", "B"), validation_rule("R", "ISBLANK(Stage__c)"))
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert failures(r) == [("ValidationRule", "Lead.R", "Field Stage__c is a picklist field. Picklist fields are "
                            "only supported in certain functions.")]


def test_a_standard_picklist_stays_a_picklist_when_the_package_carries_its_settings(local_org, sf_client):
    status = "<fields><fullName>Status</fullName><trackHistory>false</trackHistory></fields>"
    objects = lead_object(status, validation_rule("R", "Status = &quot;New&quot;"))
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert failures(r) == [("ValidationRule", "Lead.R", "Field Status is a picklist field. Picklist fields are "
                            "only supported in certain functions.")]


def test_validation_rule_formula_errors_are_worded_as_salesforce_words_them(local_org, sf_client):
    rules = [validation_rule("Syntax", "AND(IsConverted, DoNotCall"),
             validation_rule("Unknown", "ISPICKVALUE(Status, &quot;New&quot;)"),
             validation_rule("Count", "IF(IsConverted, TRUE)"),
             validation_rule("Result", "TEXT(Status)")]
    r = deploy_and_wait(sf_client(local_org), package(lead_object(*rules)))
    assert sorted(failures(r)) == [
        ("ValidationRule", "Lead.Count", "Incorrect number of parameters for function 'IF()'. Expected 3, received 2"),
        ("ValidationRule", "Lead.Result", "Formula result is data type (Text), incompatible with expected data type "
                                          "(true or false)."),
        ("ValidationRule", "Lead.Syntax", "Syntax error. Missing ')'"),
        ("ValidationRule", "Lead.Unknown", "Unknown function ISPICKVALUE. Check spelling."),
    ]


def test_validation_rule_naming_a_custom_permission_the_org_lacks_is_refused(local_org, sf_client):
    perm = ('<?xml version="1.0" encoding="UTF-8"?>\n<CustomPermission xmlns="http://soap.sforce.com/2006/04/metadata">'
            "<isLicensed>false</isLicensed><label>Bypass</label></CustomPermission>")
    rule = validation_rule("R", "NOT($Permission.Bypass) &amp;&amp; NOT($Permission.Missing) &amp;&amp; IsConverted")
    r = deploy_and_wait(sf_client(local_org), package(lead_object(rule), extra={"customPermissions/Bypass.customPermission": perm}))
    assert failures(r) == [("ValidationRule", "Lead.R", "Field $Permission.Missing does not exist. Check spelling.")]


def test_flow_formula_errors_are_refused(local_org, sf_client):
    objects = lead_object(picklist_field("Stage__c", "MQL"))
    formulas = ("<formulas><name>Stage_Text</name><dataType>String</dataType>"
                "<expression>IF({!$Record.Stage__c} = &quot;MQL&quot;, &quot;x&quot;, &quot;y&quot;)</expression></formulas>"
                "<formulas><name>Uses_Other</name><dataType>String</dataType>"
                "<expression>{!Stage_Text} &amp; {!Missing_Resource}</expression></formulas>")
    body = flow("Lifecycle", "Set_Stage", assignment("Set_Stage", "Stage__c", "MQL") + formulas)
    r = deploy_and_wait(sf_client(local_org), package(objects, extra={"flows/Lifecycle.flow": body}))
    assert sorted(failures(r)) == [
        ("Flow", "Lifecycle", "The formula expression is invalid: Field $Record.Stage__c is a picklist field. "
                              "Picklist fields are only supported in certain functions."),
        ("Flow", "Lifecycle", "The formula expression is invalid: Field Missing_Resource does not exist. Check spelling."),
    ]


def test_flow_entry_condition_formula_is_checked_with_its_line(local_org, sf_client):
    """A record-triggered flow's entry condition may use ISCHANGED and PRIORVALUE (not a formula resource)."""
    sf = sf_client(local_org)
    good = "ISCHANGED({!$Record.Status}) &amp;&amp; ISPICKVAL(PRIORVALUE({!$Record.Status}), &quot;New&quot;)"
    body = flow("Lifecycle", "Set_Status", assignment("Set_Status", "Status", "New"))
    with_entry = body.replace("<object>Lead</object>", f"<filterFormula>{good}</filterFormula><object>Lead</object>")
    assert deploy_and_wait(sf, package(extra={"flows/Lifecycle.flow": with_entry}))["status"] == "Succeeded"
    bad = body.replace("<object>Lead</object>", "<filterFormula>OR(ISNEW(),\nISCHANGED({!$Record.Status})</filterFormula>"
                       "<object>Lead</object>")
    r = deploy_and_wait(sf, package(extra={"flows/Lifecycle.flow": bad}))
    assert failures(r) == [("Flow", "Lifecycle", "The formula expression is invalid: Syntax error. Missing ')'")]


def test_flow_naming_an_unknown_lead_field_is_refused(local_org, sf_client):
    body = flow("Lifecycle", "Set_Stage", assignment("Set_Stage", "Stage__c", "MQL"))
    r = deploy_and_wait(sf_client(local_org), package(extra={"flows/Lifecycle.flow": body}))
    assert failures(r) == [("Flow", "Lifecycle", 'The field "Stage__c" for the object "Lead" doesn\'t exist.')]


def test_flow_connector_to_a_missing_element_is_refused(local_org, sf_client):
    body = flow("Lifecycle", "Set_Status", assignment("Set_Status", "Status", "New", connector="Nowhere"))
    r = deploy_and_wait(sf_client(local_org), package(extra={"flows/Lifecycle.flow": body}))
    assert failures(r) == [("Flow", "Lifecycle", 'The "Set_Status" element connects to "Nowhere", which does not exist in this flow')]


def test_flow_on_existing_fields_is_accepted(local_org, sf_client):
    objects = lead_object(picklist_field("Stage__c", "MQL"))
    body = flow("Lifecycle", "Set_Stage", assignment("Set_Stage", "Stage__c", "MQL"))
    r = deploy_and_wait(sf_client(local_org), package(objects, extra={"flows/Lifecycle.flow": body}))
    assert r["status"] == "Succeeded", failures(r)


def test_permission_set_on_an_unknown_field_is_refused(local_org, sf_client):
    body = ('<?xml version="1.0" encoding="UTF-8"?><PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">'
            "<fieldPermissions><editable>true</editable><field>Lead.Ghost__c</field><readable>true</readable>"
            "</fieldPermissions><label>PS</label></PermissionSet>")
    r = deploy_and_wait(sf_client(local_org), package(extra={"permissionsets/PS.permissionset": body}))
    assert failures(r) == [("PermissionSet", "PS", "In field: field - no CustomField named Lead.Ghost__c found")]


def test_member_named_in_package_xml_without_a_file(local_org, sf_client):
    files = package()
    files["package.xml"] = manifest({"StandardValueSet": ["LeadStatus"], "Flow": ["Ghost"]})
    r = deploy_and_wait(sf_client(local_org), files)
    assert failures(r) == [("Flow", "Ghost", "An object 'Ghost' of type Flow was named in package.xml, but was not found in zipped directory")]


def test_file_not_named_in_package_xml(local_org, sf_client):
    files = package(lead_object(business_process("Inbound", ("New", True))))
    files["package.xml"] = manifest({"StandardValueSet": ["LeadStatus"]})
    r = deploy_and_wait(sf_client(local_org), files)
    assert failures(r) == [("BusinessProcess", "Lead.Inbound", "An object 'Lead.Inbound' of type BusinessProcess was found in zipped directory, but was not named in package.xml")]


def test_malformed_xml_is_refused_with_line_and_column(local_org, sf_client):
    r = deploy_and_wait(sf_client(local_org), package(statuses='<StandardValueSet xmlns="x">\n<sorted>false</sort>'))
    ((kind, name, text),) = failures(r)
    assert (kind, name) == ("StandardValueSet", "LeadStatus") and text.startswith("Error parsing file:")
    assert r["failures"][0]["lineNumber"] == "2"


def test_schema_violation_is_refused(local_org, sf_client):
    bad = lead_object("<businessProcesses><fullName>P</fullName><bogus>1</bogus></businessProcesses>")
    r = deploy_and_wait(sf_client(local_org), package(bad))
    assert any(kind == "BusinessProcess" and "bogus" in text for kind, _, text in failures(r)), failures(r)


def test_zip_without_package_xml_fails(local_org, sf_client):
    r = deploy_and_wait(sf_client(local_org), {"standardValueSets/LeadStatus.standardValueSet": STATUSES})
    assert failures(r) == [("", "package.xml", "No package.xml found")]


# --- what a deploy keeps and what it does not ----------------------------------------------------


def test_check_only_changes_nothing(local_org, sf_client):
    before = local_org.store.generation
    r = deploy_and_wait(sf_client(local_org), package(lead_object(business_process("P", ("New", True)))), checkOnly=True)
    assert (r["status"], r["checkOnly"]) == ("Succeeded", "true")
    assert local_org.store.generation == before and local_org.store.get("BusinessProcess", "Lead.P") is None


def test_failed_deploy_rolls_everything_back(local_org, sf_client):
    objects = lead_object(business_process("Good", ("New", True)), record_type("Bad", "Missing"))
    r = deploy_and_wait(sf_client(local_org), package(objects))
    assert r["status"] == "Failed" and r["numberComponentErrors"] == "1"
    assert {s["fullName"] for s in r["successes"]} >= {"Lead.Good", "LeadStatus"}
    assert local_org.store.get("BusinessProcess", "Lead.Good") is None
    assert stored_values(local_org)["Open - Not Contacted"] is True


def test_without_rollback_a_sandbox_keeps_what_passed(local_org, sf_client):
    objects = lead_object(business_process("Good", ("New", True)), record_type("Bad", "Missing"))
    r = deploy_and_wait(sf_client(local_org), package(objects), rollbackOnError=False)
    assert r["status"] == "SucceededPartial" and r["success"] == "false"
    assert local_org.store.get("BusinessProcess", "Lead.Good") is not None
    assert local_org.store.get("RecordType", "Lead.Bad") is None


def test_omitted_picklist_values_are_deactivated_not_deleted(local_org, sf_client):
    sf = sf_client(local_org)
    deploy_and_wait(sf, package(lead_object(picklist_field("Stage__c", "A", "B", "C"))))
    deploy_and_wait(sf, package(lead_object(picklist_field("Stage__c", "A", "C")), statuses=lead_status(("New", True, False), ("Won", False, True))))
    assert stored_values(local_org) == {"New": True, "Won": True, "Open - Not Contacted": False, "Working - Contacted": False,
                                        "Closed - Converted": False, "Closed - Not Converted": False, "Working": False,
                                        "Qualified": False}
    field = parse.parse_custom_field(parse.parse_xml("f", local_org.store.get("CustomField", "Lead.Stage__c").content), "Stage__c")
    assert [(v.full_name, v.is_active) for v in field.values] == [("A", True), ("C", True), ("B", False)]


def test_state_survives_a_restart(local_org_factory, sf_client, tmp_path):
    first = local_org_factory(state_dir=tmp_path / "kept")
    deploy_id = deploy(sf_client(first), package(lead_object(business_process("P", ("New", True)))))
    wait(sf_client(first), deploy_id)
    token, ca = first.access_token, first.ca_file.read_bytes()
    first.stop()
    second = local_org_factory(state_dir=tmp_path / "kept")
    assert (second.access_token, second.ca_file.read_bytes()) == (token, ca)
    sf = sf_client(second)
    assert result(sf, deploy_id)["status"] == "Succeeded"  # the finished deploy is still known
    files, _ = retrieve(sf, {"BusinessProcess": ["Lead.P"]})
    assert b"<fullName>P</fullName>" in files["objects/Lead.object"]


def test_a_deploy_running_when_the_org_stops_is_finished(local_org_factory, sf_client, tmp_path):
    first = local_org_factory(state_dir=tmp_path / "kept", deploy_seconds=30)
    deploy_id = deploy(sf_client(first), package(lead_object(business_process("P", ("New", True)))))
    first.stop()
    second = local_org_factory(state_dir=tmp_path / "kept")
    assert result(sf_client(second), deploy_id)["status"] == "Succeeded"


# --- retrieve ---------------------------------------------------------------------------------------


def test_retrieve_round_trip(local_org, sf_client):
    sf = sf_client(local_org)
    objects = lead_object(business_process("P", ("New", True)), picklist_field("Stage__c", "A", "B"),
                          record_type("T", "P"), validation_rule("R", "ISBLANK(TEXT(Stage__c))"))
    sent = package(objects)
    deploy_and_wait(sf, sent)
    types = {"StandardValueSet": ["LeadStatus"], "CustomField": ["Lead.Stage__c"], "BusinessProcess": ["Lead.P"],
             "ValidationRule": ["Lead.R"], "RecordType": ["Lead.T"]}
    got, messages = retrieve(sf, types)
    assert messages == []
    assert set(got) == {"package.xml", "objects/Lead.object", "standardValueSets/LeadStatus.standardValueSet"}
    want = parse.parse_files({k: v.encode() for k, v in sent.items()})
    back = parse.parse_files(got)
    assert back.lead == want.lead
    assert [v for v in back.standard_value_sets[0].values if v.is_active] == list(want.standard_value_sets[0].values)
    assert deploy_and_wait(sf, got)["status"] == "Succeeded"  # what comes back deploys back


def test_retrieve_reports_missing_members(local_org, sf_client):
    sf = sf_client(local_org)
    retrieve_id, _ = sf.mdapi.retrieve("unused", unpackaged={"Flow": ["Ghost"]})
    # RetrieveResult.messages, as the WSDL has it (simple-salesforce looks under details/ and finds none)
    found = sf.mdapi.retrieve_retrieve_result(retrieve_id, "false").findall(f"{{{NS}}}messages")
    assert [(m.findtext(f"{{{NS}}}fileName"), m.findtext(f"{{{NS}}}problem")) for m in found] == [
        ("package.xml", "Entity of type 'Flow' named 'Ghost' cannot be found")]


def test_retrieve_custom_object_lead_brings_every_child(local_org, sf_client):
    sf = sf_client(local_org)
    deploy_and_wait(sf, package(lead_object(business_process("P", ("New", True)), picklist_field("Stage__c", "A"))))
    got, _ = retrieve(sf, {"CustomObject": ["Lead"]})
    names = [c.full_name for c in parse.components_of("objects/Lead.object", got["objects/Lead.object"])]
    assert names == ["Lead", "Lead.P", "Lead.Stage__c"]


def test_list_and_read_metadata(local_org, sf_client):
    sf = sf_client(local_org)
    deploy_and_wait(sf, package(lead_object(picklist_field("Stage__c", "A"))))
    listed = sf.mdapi.list_metadata([sf.mdapi.ListMetadataQuery(type="CustomField")])
    assert [(p.fullName, p.fileName, p.type) for p in listed] == [("Lead.Stage__c", "objects/Lead.object", "CustomField")]
    field = sf.mdapi.CustomField.read(["Lead.Stage__c"])
    assert field.fullName == "Lead.Stage__c" and [v.fullName for v in field.valueSet.valueSetDefinition.value] == ["A"]
    statuses = sf.mdapi.StandardValueSet.read(["LeadStatus"])
    assert [(v.fullName, v.isActive) for v in statuses.standardValue][2:4] == [("Qualified", None), ("Open - Not Contacted", False)]
    described = sf.mdapi.describe_metadata()
    assert "StandardValueSet" in [o.xmlName for o in described.metadataObjects] and described.partialSaveAllowed


# --- quick deploy, cancel, test levels ------------------------------------------------------------


def test_quick_deploy_of_a_validation(local_org, sf_client):
    sf = sf_client(local_org)
    validation = deploy_and_wait(sf, package(lead_object(business_process("P", ("New", True)))), checkOnly=True)
    quick_id = sf.mdapi._service.deployRecentValidation(validation["id"], _soapheaders=[sf.mdapi._session_header])
    assert quick_id != validation["id"]
    assert wait(sf, quick_id)["status"] == "Succeeded"
    assert local_org.store.get("BusinessProcess", "Lead.P") is not None
    with pytest.raises(Exception, match="not eligible for a quick deploy"):  # a validation deploys once
        sf.mdapi._service.deployRecentValidation(validation["id"], _soapheaders=[sf.mdapi._session_header])


def test_quick_deploy_refused_once_the_org_changed(local_org, sf_client):
    sf = sf_client(local_org)
    validation = deploy_and_wait(sf, package(lead_object(business_process("P", ("New", True)))), checkOnly=True)
    deploy_and_wait(sf, package())
    with pytest.raises(Exception, match="INVALID_ID_FIELD"):
        sf.mdapi._service.deployRecentValidation(validation["id"], _soapheaders=[sf.mdapi._session_header])


def test_cancel_a_running_deploy(local_org_factory, sf_client):
    org = local_org_factory(deploy_seconds=30)
    sf = sf_client(org)
    deploy_id = deploy(sf, package(lead_object(business_process("P", ("New", True)))))
    canceled = sf.mdapi._service.cancelDeploy(deploy_id, _soapheaders=[sf.mdapi._session_header])
    assert (canceled.id, canceled.done) == (deploy_id, True)
    r = result(sf, deploy_id)
    assert (r["status"], r["done"], r["canceledBy"]) == ("Canceled", "true", org.user_id)
    assert org.store.get("BusinessProcess", "Lead.P") is None


def test_test_levels_are_recorded_and_echoed(local_org, sf_client):
    sf = sf_client(local_org)
    deploy_id = deploy(sf, package(), testLevel="RunSpecifiedTests", tests=["LeadLifecycleTest", "OtherTest"])
    r = wait(sf, deploy_id)
    assert (r["runTestsEnabled"], r["numberTestsTotal"]) == ("true", "0")
    (call,) = local_org.calls.of("deploy")
    assert call.detail["testLevel"] == "RunSpecifiedTests" and call.detail["runTests"] == ["LeadLifecycleTest", "OtherTest"]
    assert local_org.deploys.get(deploy_id).options.run_tests == ["LeadLifecycleTest", "OtherTest"]


def test_production_refuses_no_test_run(local_org_factory, sf_client):
    sf = sf_client(local_org_factory(production=True))
    with pytest.raises(Exception, match="NoTestRun cannot be used in production"):
        deploy(sf, package(), testLevel="NoTestRun")


def test_unknown_deploy_id_is_a_fault(local_org, sf_client):
    with pytest.raises(Exception, match="INVALID_CROSS_REFERENCE_KEY"):
        sf_client(local_org).mdapi.check_deploy_status("0Af000000000000AAA")


def test_elements_out_of_schema_order_are_accepted_as_salesforce_does(local_org, sf_client):
    # `sf project convert source` writes Lead.object's own elements first and its children after.
    converted = lead_object("<enableHistory>true</enableHistory>"
                            + business_process("Inbound", ("New", True), ("Qualified", False)))
    files = package(converted)
    files["package.xml"] = manifest({"CustomObject": ["Lead"], "BusinessProcess": ["Lead.Inbound"],
                                     "StandardValueSet": ["LeadStatus"]})
    r = deploy_and_wait(sf_client(local_org), files)
    assert (r["status"], failures(r)) == ("Succeeded", [])
    misplaced = lead_object(business_process("Inbound", ("New", True)).replace(
        "<isActive>true</isActive>", "<isActive>true</isActive><bogus>1</bogus>"))
    r = deploy_and_wait(sf_client(local_org), package(misplaced))
    assert any("bogus" in text for _, _, text in failures(r)), "reordering must not hide unknown elements"
