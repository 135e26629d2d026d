"""Lead conversion in the local org through the SOAP partner API's convertLead, as a client posts it:
what a converted lead becomes, that it is read-only, and that Lead automation runs during conversion
only when the deployed Lead settings require validation for converted leads."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from localorg_pkg import HEAD, NS, STATUSES, deploy_and_wait, lead_object, manifest

PARTNER = "urn:partner.soap.sforce.com"
RULE = lead_object(
    "<validationRules><fullName>Title_To_Convert</fullName><active>true</active>"
    "<errorConditionFormula>AND(IsConverted, ISBLANK(Title))</errorConditionFormula>"
    "<errorDisplayField>Title</errorDisplayField><errorMessage>A converted lead needs a title.</errorMessage>"
    "</validationRules>")
FLOW = (f'{HEAD}<Flow xmlns="{NS}"><apiVersion>63.0</apiVersion>'
        "<assignments><name>Hot</name><label>Hot</label><locationX>0</locationX><locationY>0</locationY>"
        "<assignmentItems><assignToReference>$Record.Rating</assignToReference><operator>Assign</operator>"
        "<value><stringValue>Hot</stringValue></value></assignmentItems></assignments>"
        "<decisions><name>Converted</name><label>Converted</label><locationX>0</locationX><locationY>0</locationY>"
        "<defaultConnectorLabel>No</defaultConnectorLabel><rules><name>Yes</name><conditionLogic>and</conditionLogic>"
        "<conditions><leftValueReference>$Record.IsConverted</leftValueReference><operator>EqualTo</operator>"
        "<rightValue><booleanValue>true</booleanValue></rightValue></conditions>"
        "<connector><targetReference>Hot</targetReference></connector><label>Yes</label></rules></decisions>"
        "<label>On convert</label><processType>AutoLaunchedFlow</processType><start><locationX>0</locationX>"
        "<locationY>0</locationY><connector><targetReference>Converted</targetReference></connector>"
        "<object>Lead</object><recordTriggerType>Update</recordTriggerType><triggerType>RecordBeforeSave</triggerType>"
        "</start><status>Active</status></Flow>")


def settings(require: bool) -> str:
    return (f'{HEAD}<LeadConfigSettings xmlns="{NS}"><shouldLeadConvertRequireValidation>{str(require).lower()}'
            "</shouldLeadConvertRequireValidation></LeadConfigSettings>")


def convert_lead(org, token: str, *converts: dict) -> tuple[int, ET.Element]:
    import requests

    def item(c: dict) -> str:
        return "<urn:leadConverts>" + "".join(f"<urn:{k}>{str(v).lower() if isinstance(v, bool) else v}</urn:{k}>"
                                              for k, v in c.items()) + "</urn:leadConverts>"

    envelope = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                f'xmlns:urn="{PARTNER}"><soapenv:Header><urn:SessionHeader><urn:sessionId>{token}</urn:sessionId>'
                f'</urn:SessionHeader></soapenv:Header><soapenv:Body><urn:convertLead>{"".join(map(item, converts))}'
                "</urn:convertLead></soapenv:Body></soapenv:Envelope>")
    r = requests.post(f"{org.instance_url}/services/Soap/u/63.0", data=envelope.encode(),
                      headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}, verify=str(org.ca_file))
    return r.status_code, ET.fromstring(r.content)


def results(root: ET.Element) -> list[dict]:
    out = []
    for r in root.iter(f"{{{PARTNER}}}result"):
        row = {c.tag.split("}")[1]: c.text for c in r if not c.tag.endswith("errors")}
        row["errors"] = [{c.tag.split("}")[1]: c.text for c in e} for e in r.findall(f"{{{PARTNER}}}errors")]
        out.append(row)
    return out


@pytest.fixture
def org(local_org, sf_client):
    sf = sf_client(local_org)
    files = {"package.xml": manifest({"StandardValueSet": ["LeadStatus"], "ValidationRule": ["Lead.Title_To_Convert"],
                                      "Flow": ["On_Convert"]}),
             "standardValueSets/LeadStatus.standardValueSet": STATUSES, "objects/Lead.object": RULE,
             "flows/On_Convert.flow": FLOW}
    assert deploy_and_wait(sf, files)["status"] == "Succeeded"
    return local_org, sf


def test_convert_without_the_setting_runs_no_lead_automation(org):
    local_org, sf = org
    (lead_id,) = local_org.add_leads([{"LastName": "Doe", "Company": "Acme"}])
    status, root = convert_lead(local_org, local_org.access_token,
                                {"leadId": lead_id, "convertedStatus": "Qualified", "doNotCreateOpportunity": False})
    assert status == 200
    (result,) = results(root)
    assert result["success"] == "true" and result["leadId"] == lead_id and result["errors"] == []
    assert (result["accountId"][:3], result["contactId"][:3], result["opportunityId"][:3]) == ("001", "003", "006")
    lead = sf.Lead.get(lead_id)
    assert (lead["IsConverted"], lead["Status"], lead["ConvertedDate"]) == (True, "Qualified", dt.date.today().isoformat())
    assert (lead["ConvertedAccountId"], lead["ConvertedContactId"], lead["ConvertedOpportunityId"]) == (
        result["accountId"], result["contactId"], result["opportunityId"])
    assert lead["Rating"] is None  # the before-save flow did not run, nor the validation rule
    assert local_org.calls.count("convertLead") == 1

    with pytest.raises(SalesforceMalformedRequest) as raised:  # converted leads are read-only
        sf.Lead.update(lead_id, {"Title": "CEO"})
    assert raised.value.content == [{"message": "cannot reference converted lead",
                                     "errorCode": "CANNOT_UPDATE_CONVERTED_LEAD", "fields": []}]
    _, root = convert_lead(local_org, local_org.access_token, {"leadId": lead_id, "convertedStatus": "Qualified"})
    assert results(root)[0]["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_with_require_validation_the_flow_and_rules_run_during_conversion(org):
    local_org, sf = org
    files = {"package.xml": manifest({"Settings": ["LeadConfig"]}), "settings/LeadConfig.settings": settings(True)}
    assert deploy_and_wait(sf, files)["status"] == "Succeeded"
    untitled, titled = local_org.add_leads([{"LastName": "A", "Company": "X"},
                                            {"LastName": "B", "Company": "Y", "Title": "CEO"}])
    _, root = convert_lead(local_org, local_org.access_token,
                           {"leadId": untitled, "convertedStatus": "Qualified"},
                           {"leadId": titled, "convertedStatus": "Qualified", "doNotCreateOpportunity": True},
                           {"leadId": "00Q000000000000AAA", "convertedStatus": "Qualified"},
                           {"leadId": untitled, "convertedStatus": "Working"})
    refused, converted, unknown, not_converted_status = results(root)
    assert refused["success"] == "false" and refused["errors"] == [
        {"fields": "Title", "message": "A converted lead needs a title.", "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION"}]
    assert converted["success"] == "true" and converted["opportunityId"] is None
    assert unknown["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert not_converted_status["errors"][0]["statusCode"] == "INVALID_STATUS"
    assert sf.Lead.get(titled)["Rating"] == "Hot" and sf.Lead.get(titled)["ConvertedOpportunityId"] is None
    assert sf.Lead.get(untitled)["IsConverted"] is False


def test_convert_needs_a_session_and_answers_convert_lead_only(local_org):
    status, root = convert_lead(local_org, "not-a-token", {"leadId": "00Q000000000000AAA", "convertedStatus": "X"})
    assert status == 500 and "INVALID_SESSION_ID" in ET.tostring(root, encoding="unicode")


def test_a_settings_deploy_changes_only_the_settings_it_names(org):
    local_org, sf = org
    both = (f'{HEAD}<LeadConfigSettings xmlns="{NS}"><doesPreserveLeadStatus>true</doesPreserveLeadStatus>'
            "<shouldLeadConvertRequireValidation>false</shouldLeadConvertRequireValidation></LeadConfigSettings>")
    for content in (both, settings(True)):  # the second names one setting only
        files = {"package.xml": manifest({"Settings": ["LeadConfig"]}), "settings/LeadConfig.settings": content}
        assert deploy_and_wait(sf, files)["status"] == "Succeeded"
    stored = local_org.store.get("Settings", "LeadConfig").content.decode()
    assert "<doesPreserveLeadStatus>true</doesPreserveLeadStatus>" in stored  # kept, as Salesforce keeps it
    assert "<shouldLeadConvertRequireValidation>true</shouldLeadConvertRequireValidation>" in stored
