"""The local org runs the deployed automation when leads are saved: before-save flows (every decision
operator, formulas, start filters, custom logic), validation rules (Salesforce's REST error shape),
restricted and deactivated picklist values, and refuses what it cannot run, naming it."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from localorg_pkg import HEAD, NS, deploy_and_wait, lead_object, lead_status, manifest


def _value(v) -> str:
    if isinstance(v, bool):
        return f"<booleanValue>{str(v).lower()}</booleanValue>"
    if isinstance(v, (int, float)):
        return f"<numberValue>{v}</numberValue>"
    if isinstance(v, str) and v.startswith("ref:"):
        return f"<elementReference>{v[4:]}</elementReference>"
    return f"<stringValue>{v}</stringValue>"


def decision(name: str, conditions: list[tuple[str, str, object]], then: str, otherwise: str | None,
             logic: str = "and") -> str:
    conds = "".join(f"<conditions><leftValueReference>{left}</leftValueReference><operator>{op}</operator>"
                    f"<rightValue>{_value(right)}</rightValue></conditions>" for left, op, right in conditions)
    default = f"<defaultConnector><targetReference>{otherwise}</targetReference></defaultConnector>" if otherwise else ""
    return (f"<decisions><name>{name}</name><label>{name}</label><locationX>0</locationX><locationY>0</locationY>"
            f"{default}<defaultConnectorLabel>Otherwise</defaultConnectorLabel><rules><name>{name}_yes</name>"
            f"<conditionLogic>{logic}</conditionLogic>{conds}<connector><targetReference>{then}</targetReference>"
            f"</connector><label>yes</label></rules></decisions>")


def mark(name: str, text: str, nxt: str | None) -> str:
    connector = f"<connector><targetReference>{nxt}</targetReference></connector>" if nxt else ""
    return (f"<assignments><name>{name}</name><label>{name}</label><locationX>0</locationX><locationY>0</locationY>"
            f"<assignmentItems><assignToReference>$Record.Description</assignToReference><operator>Add</operator>"
            f"<value><stringValue>{text};</stringValue></value></assignmentItems>{connector}</assignments>")


def flow_xml(name: str, first: str, body: str, trigger: str = "Update", start_extra: str = "") -> str:
    return (f'{HEAD}<Flow xmlns="{NS}"><apiVersion>63.0</apiVersion>{body}<label>{name}</label>'
            f"<processType>AutoLaunchedFlow</processType><start><locationX>0</locationX><locationY>0</locationY>"
            f"<connector><targetReference>{first}</targetReference></connector>{start_extra}<object>Lead</object>"
            f"<recordTriggerType>{trigger}</recordTriggerType><triggerType>RecordBeforeSave</triggerType>"
            f"</start><status>Active</status></Flow>")


# (label, conditions, logic, expected to hold for the lead below after its update)
CASES = [
    ("EqualTo", [("$Record.Status", "EqualTo", "Working - Contacted")], "and", True),
    ("EqualToNot", [("$Record.Status", "EqualTo", "working - contacted")], "and", False),  # case-sensitive
    ("NotEqualTo", [("$Record.LeadSource", "NotEqualTo", "Web")], "and", True),
    ("GreaterThan", [("$Record.NumberOfEmployees", "GreaterThan", 10)], "and", True),
    ("GreaterThanNot", [("$Record.NumberOfEmployees", "GreaterThan", 50)], "and", False),
    ("GreaterThanOrEqualTo", [("$Record.NumberOfEmployees", "GreaterThanOrEqualTo", 50)], "and", True),
    ("LessThan", [("$Record.AnnualRevenue", "LessThan", 1000.5)], "and", True),
    ("LessThanOrEqualTo", [("$Record.NumberOfEmployees", "LessThanOrEqualTo", 50)], "and", True),
    ("IsNull", [("$Record.Email", "IsNull", True)], "and", True),
    ("IsNullFalse", [("$Record.Company", "IsNull", False)], "and", True),
    ("IsBlank", [("$Record.Title", "IsBlank", True)], "and", True),
    ("IsChanged", [("$Record.Status", "IsChanged", True)], "and", True),
    ("IsChangedNot", [("$Record.Company", "IsChanged", True)], "and", False),
    ("Contains", [("$Record.Company", "Contains", "cm")], "and", True),
    ("ContainsNot", [("$Record.Company", "Contains", "CM")], "and", False),
    ("StartsWith", [("$Record.Company", "StartsWith", "Ac")], "and", True),
    ("EndsWith", [("$Record.Company", "EndsWith", "me")], "and", True),
    ("Prior", [("$Record__Prior.Status", "EqualTo", "Open - Not Contacted")], "and", True),
    ("Formula", [("IsBig", "EqualTo", True)], "and", True),
    ("CustomLogic", [("$Record.Email", "IsNull", False), ("$Record.Company", "EqualTo", "x"),
                     ("$Record.Company", "EqualTo", "Acme")], "(1 OR 3) AND NOT 2", True),
    ("Or", [("$Record.Company", "EqualTo", "x"), ("$Record.Company", "EqualTo", "y")], "or", False),
]


def operator_flow() -> str:
    parts = []
    for n, (label, conditions, logic, _holds) in enumerate(CASES):
        nxt = f"D{n + 1}" if n + 1 < len(CASES) else None
        parts.append(decision(f"D{n}", conditions, f"M{n}", nxt, logic))
        parts.append(mark(f"M{n}", label, nxt))
    formula = ("<formulas><name>IsBig</name><dataType>Boolean</dataType>"
               "<expression>{!$Record.NumberOfEmployees} &gt; 20</expression></formulas>")
    return flow_xml("Operators", "D0", "".join(parts) + formula)


def test_a_before_save_flow_runs_every_operator(local_org, sf_client):
    sf = sf_client(local_org)
    assert deploy_and_wait(sf, {"package.xml": manifest({"Flow": ["Operators"]}),
                                "flows/Operators.flow": operator_flow()})["status"] == "Succeeded"
    (lead_id,) = local_org.add_leads([{"LastName": "Doe", "Company": "Acme", "NumberOfEmployees": 50,
                                       "AnnualRevenue": 1000, "LeadSource": "Phone"}])
    assert local_org.leads.get(lead_id).get("Description") is None  # an Update flow: not on create
    sf.Lead.update(lead_id, {"Status": "Working - Contacted"})
    marks = sf.Lead.get(lead_id)["Description"].rstrip(";").split(";")
    assert marks == [label for label, _c, _l, holds in CASES if holds]


def test_start_filters_and_only_when_updated_to_meet_them(local_org, sf_client):
    sf = sf_client(local_org)
    start = ("<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>"
             "<filterLogic>and</filterLogic><filters><field>Status</field><operator>EqualTo</operator>"
             "<value><stringValue>Working - Contacted</stringValue></value></filters>")
    hot = ("<assignments><name>Hot</name><label>Hot</label><locationX>0</locationX><locationY>0</locationY>"
           "<assignmentItems><assignToReference>$Record.Rating</assignToReference><operator>Assign</operator>"
           "<value><stringValue>Hot</stringValue></value></assignmentItems></assignments>")
    flow = flow_xml("Hot", "Hot", hot, trigger="CreateAndUpdate", start_extra=start)
    assert deploy_and_wait(sf, {"package.xml": manifest({"Flow": ["Hot"]}), "flows/Hot.flow": flow})["status"] == "Succeeded"
    cold, warm = local_org.add_leads([{"LastName": "A", "Company": "X"},
                                      {"LastName": "B", "Company": "X", "Status": "Working - Contacted"}])
    assert local_org.leads.get(cold).get("Rating") is None and local_org.leads.get(warm)["Rating"] == "Hot"
    sf.Lead.update(cold, {"Status": "Working - Contacted"})
    assert sf.Lead.get(cold)["Rating"] == "Hot"
    sf.Lead.update(cold, {"Rating": "Cold"})  # still meets the filter, but was not updated to meet it
    assert sf.Lead.get(cold)["Rating"] == "Cold"


def test_a_failing_validation_rule_refuses_the_save_in_salesforce_shape(local_org, sf_client):
    sf = sf_client(local_org)
    rules = lead_object(
        "<validationRules><fullName>Title_Needed</fullName><active>true</active><errorConditionFormula>"
        "AND(ISPICKVAL(Status, &quot;Closed - Not Converted&quot;), ISBLANK(Title))</errorConditionFormula>"
        "<errorDisplayField>Title</errorDisplayField><errorMessage>Title is needed to close a lead.</errorMessage>"
        "</validationRules>"
        "<validationRules><fullName>No_Acme</fullName><active>true</active><errorConditionFormula>"
        "AND(NOT(ISNEW()), ISCHANGED(Status), Company = &quot;Acme&quot;)</errorConditionFormula>"
        "<errorMessage>Acme leads keep their status.</errorMessage></validationRules>"
        "<validationRules><fullName>Off</fullName><active>false</active><errorConditionFormula>true"
        "</errorConditionFormula><errorMessage>inactive</errorMessage></validationRules>")
    assert deploy_and_wait(sf, {"package.xml": manifest({"ValidationRule": ["Lead.Title_Needed", "Lead.No_Acme", "Lead.Off"]}),
                                "objects/Lead.object": rules})["status"] == "Succeeded"
    lead_id = sf.Lead.create({"LastName": "Doe", "Company": "Acme"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Lead.update(lead_id, {"Status": "Closed - Not Converted"})
    assert raised.value.status == 400
    assert raised.value.content == [  # every failing rule, in rule name order
        {"message": "Acme leads keep their status.", "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": []},
        {"message": "Title is needed to close a lead.", "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Title"]},
    ]
    with pytest.raises(SalesforceMalformedRequest, match="Title is needed"):
        sf.Lead.create({"LastName": "Roe", "Company": "Initech", "Status": "Closed - Not Converted"})
    sf.Lead.update(lead_id, {"Title": "CEO", "Company": "Initech"})
    sf.Lead.update(lead_id, {"Status": "Closed - Not Converted"})
    assert sf.Lead.get(lead_id)["Status"] == "Closed - Not Converted"


def test_deactivated_values_stay_on_leads_that_hold_them_and_cannot_be_chosen(local_org, sf_client):
    sf = sf_client(local_org)
    keeper, other = local_org.add_leads([{"LastName": "A", "Company": "X", "Status": "Working - Contacted"},
                                         {"LastName": "B", "Company": "X"}])
    statuses = lead_status(("Open - Not Contacted", True, False), ("Closed - Converted", False, True))
    assert deploy_and_wait(sf, {"package.xml": manifest({"StandardValueSet": ["LeadStatus"]}),
                                "standardValueSets/LeadStatus.standardValueSet": statuses})["status"] == "Succeeded"
    sf.Lead.update(keeper, {"Company": "Y"})  # keeps its now inactive status
    assert sf.Lead.get(keeper)["Status"] == "Working - Contacted"
    for attempt in (lambda: sf.Lead.update(other, {"Status": "Working - Contacted"}),
                    lambda: sf.Lead.create({"LastName": "C", "Company": "Z", "Status": "Working - Contacted"})):
        with pytest.raises(SalesforceMalformedRequest) as raised:
            attempt()
        assert raised.value.content == [{"message": "Status: bad value for restricted picklist field: Working - Contacted",
                                         "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Status"]}]


def test_automation_the_local_org_cannot_run_refuses_the_save_naming_it(local_org, sf_client):
    sf = sf_client(local_org)
    lookup = ("<recordLookups><name>Find_Owner</name><label>Find</label><locationX>0</locationX><locationY>0</locationY>"
              "<object>User</object></recordLookups>")
    flow = flow_xml("Lookup", "Find_Owner", lookup, trigger="Create")
    assert deploy_and_wait(sf, {"package.xml": manifest({"Flow": ["Lookup"]}), "flows/Lookup.flow": flow})["status"] == "Succeeded"
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Lead.create({"LastName": "Doe", "Company": "Acme"})
    (error,) = raised.value.content
    assert error["errorCode"] == "LOCAL_ORG_CANNOT_RUN"
    assert "Flow Lookup: element recordLookups Find_Owner is not supported" in error["message"]
    assert local_org.leads.all() == []


def test_a_custom_permission_the_user_holds_bypasses_a_guard(local_org, sf_client):
    sf = sf_client(local_org)
    rules = lead_object(
        "<validationRules><fullName>Guard</fullName><active>true</active><errorConditionFormula>"
        "AND(ISCHANGED(Status), NOT($Permission.Lead_Bypass))</errorConditionFormula>"
        "<errorMessage>Status is locked.</errorMessage></validationRules>")
    permission = (f'{HEAD}<CustomPermission xmlns="{NS}"><isLicensed>false</isLicensed><label>Bypass</label>'
                  "</CustomPermission>")
    deployed = deploy_and_wait(sf, {"package.xml": manifest({"ValidationRule": ["Lead.Guard"],
                                                             "CustomPermission": ["Lead_Bypass"]}),
                                    "objects/Lead.object": rules,
                                    "customPermissions/Lead_Bypass.customPermission": permission})
    assert deployed["status"] == "Succeeded", deployed["failures"]
    lead_id = sf.Lead.create({"LastName": "Doe", "Company": "Acme"})["id"]
    with pytest.raises(SalesforceMalformedRequest, match="Status is locked"):
        sf.Lead.update(lead_id, {"Status": "Working - Contacted"})
    local_org.leads.engine.permissions = frozenset({"Lead_Bypass"})
    sf.Lead.update(lead_id, {"Status": "Working - Contacted"})
    assert sf.Lead.get(lead_id)["Status"] == "Working - Contacted"


def test_an_entry_formula_gates_the_flow_and_an_unknown_operator_is_named(local_org, sf_client):
    sf = sf_client(local_org)
    start = ("<filterFormula>AND(ISPICKVAL({!$Record.Status}, &quot;Working - Contacted&quot;), "
             "{!$Record.NumberOfEmployees} &gt; 5)</filterFormula>")
    count = ("<assignments><name>Count</name><label>Count</label><locationX>0</locationX><locationY>0</locationY>"
             "<assignmentItems><assignToReference>$Record.NumberOfEmployees</assignToReference><operator>Add</operator>"
             "<value><numberValue>1</numberValue></value></assignmentItems></assignments>")
    flow = flow_xml("Counter", "Count", count, trigger="Update", start_extra=start)
    assert deploy_and_wait(sf, {"package.xml": manifest({"Flow": ["Counter"]}),
                                "flows/Counter.flow": flow})["status"] == "Succeeded"
    small, big = local_org.add_leads([{"LastName": "A", "Company": "X", "NumberOfEmployees": 3},
                                      {"LastName": "B", "Company": "X", "NumberOfEmployees": 30}])
    results = local_org.leads.update([{"Id": small, "Status": "Working - Contacted"},
                                      {"Id": big, "Status": "Working - Contacted"}])
    assert all(r["success"] for r in results)
    assert (local_org.leads.get(small)["NumberOfEmployees"], local_org.leads.get(big)["NumberOfEmployees"]) == (3, 31)

    was_set = decision("Check", [("$Record.Title", "WasSet", True)], "Count", None)
    flow = flow_xml("Counter", "Check", was_set + count, trigger="Update")
    assert deploy_and_wait(sf, {"package.xml": manifest({"Flow": ["Counter"]}),
                                "flows/Counter.flow": flow})["status"] == "Succeeded"
    (result,) = local_org.leads.update([{"Id": small, "Title": "CEO"}])
    assert result["errors"][0]["statusCode"] == "LOCAL_ORG_CANNOT_RUN"
    assert "operator WasSet (in conditions) is not supported" in result["errors"][0]["message"]
