"""A validation rule or flow formula using a function Salesforce has and the local org does not evaluate
deploys (Salesforce accepts it), and then every save it would run on is refused, naming the rule or flow
and the function: never skipped (issue 8). And before-save flows run in Salesforce's order."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from localorg_pkg import HEAD, NS, deploy_and_wait, lead_object, manifest


def refused(sf) -> dict:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Lead.create({"LastName": "Doe", "Company": "Acme", "Title": "CEO"})
    (error,) = raised.value.content
    return error


def test_a_rule_with_a_function_the_local_org_does_not_evaluate_refuses_saves_naming_it(local_org, sf_client):
    sf = sf_client(local_org)
    rule = ("<validationRules><fullName>Title_Find</fullName><active>true</active><errorConditionFormula>"
            "FIND(&quot;x&quot;, Title) &gt; 0</errorConditionFormula><errorMessage>No x.</errorMessage></validationRules>")
    deployed = deploy_and_wait(sf, {"package.xml": manifest({"ValidationRule": ["Lead.Title_Find"]}),
                                    "objects/Lead.object": lead_object(rule)})
    assert deployed["status"] == "Succeeded"
    error = refused(sf)
    assert error["errorCode"] == "LOCAL_ORG_CANNOT_RUN"
    assert "Title_Find" in error["message"] and "FIND()" in error["message"], error["message"]
    assert local_org.leads.all() == []


def test_a_flow_formula_with_a_function_the_local_org_does_not_evaluate_refuses_saves_naming_it(local_org, sf_client):
    sf = sf_client(local_org)
    body = ("<assignments><name>Set</name><label>Set</label><locationX>0</locationX><locationY>0</locationY>"
            "<assignmentItems><assignToReference>$Record.Title</assignToReference><operator>Assign</operator>"
            "<value><elementReference>Later</elementReference></value></assignmentItems></assignments>"
            "<formulas><name>Later</name><dataType>String</dataType>"
            "<expression>TEXT(ADDMONTHS({!$Flow.CurrentDate}, 1))</expression></formulas>")
    flow = (f'{HEAD}<Flow xmlns="{NS}"><apiVersion>63.0</apiVersion>{body}<label>Later</label>'
            "<processType>AutoLaunchedFlow</processType><start><locationX>0</locationX><locationY>0</locationY>"
            "<connector><targetReference>Set</targetReference></connector><object>Lead</object>"
            "<recordTriggerType>Create</recordTriggerType><triggerType>RecordBeforeSave</triggerType>"
            "</start><status>Active</status></Flow>")
    assert deploy_and_wait(sf, {"package.xml": manifest({"Flow": ["Later"]}), "flows/Later.flow": flow})["status"] == "Succeeded"
    error = refused(sf)
    assert error["errorCode"] == "LOCAL_ORG_CANNOT_RUN"
    assert local_org.leads.all() == []
    assert "Later" in error["message"] and "ADDMONTHS()" in error["message"], error["message"]


def test_flows_run_in_salesforce_s_trigger_order_bands(local_org, sf_client):
    """Salesforce Help, "Define the Run Order of Record-Triggered Flows for an Object": trigger orders 1 to
    1,000 first, then flows without one, then 1,001 to 2,000."""
    sf = sf_client(local_org)
    files = {"package.xml": manifest({"Flow": ["A_Late", "B_Early", "C_Unordered"]})}
    for name, order in (("A_Late", 1500), ("B_Early", 900), ("C_Unordered", None)):
        body = ("<assignments><name>Mark</name><label>Mark</label><locationX>0</locationX><locationY>0</locationY>"
                "<assignmentItems><assignToReference>$Record.Description</assignToReference><operator>Add</operator>"
                f"<value><stringValue>{name};</stringValue></value></assignmentItems></assignments>")
        trigger_order = f"<triggerOrder>{order}</triggerOrder>" if order else ""
        files[f"flows/{name}.flow"] = (
            f'{HEAD}<Flow xmlns="{NS}"><apiVersion>63.0</apiVersion>{body}<label>{name}</label>'
            "<processType>AutoLaunchedFlow</processType><start><locationX>0</locationX><locationY>0</locationY>"
            "<connector><targetReference>Mark</targetReference></connector><object>Lead</object>"
            "<recordTriggerType>Create</recordTriggerType><triggerType>RecordBeforeSave</triggerType>"
            f"</start><status>Active</status>{trigger_order}</Flow>")
    deployed = deploy_and_wait(sf, files)
    assert deployed["status"] == "Succeeded", deployed
    lead_id = sf.Lead.create({"LastName": "Doe", "Company": "Acme"})["id"]
    assert sf.Lead.get(lead_id)["Description"] == "B_Early;C_Unordered;A_Late;"
