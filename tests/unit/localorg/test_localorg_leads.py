"""Lead records in the local org: created over REST (simple-salesforce) or by `add_leads`, stored in the
state dir, answered by SOQL (aggregates too), refused as Salesforce refuses them."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from leadsync.localorg import state
from leadsync.localorg.leads import RecordError

from localorg_pkg import deploy, manifest, wait

NS = "http://soap.sforce.com/2006/04/metadata"
STAGE_FIELD = f"""<CustomObject xmlns="{NS}"><fields><fullName>Lead_Stage__c</fullName><label>Lead Stage</label>
<type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted>
<value><fullName>Lead</fullName><default>true</default><label>Lead</label></value>
<value><fullName>MQL</fullName><default>false</default><label>MQL</label></value>
</valueSetDefinition></valueSet></fields></CustomObject>""".encode()


def counts(sf, field: str) -> dict:
    rows = sf.query(f"SELECT {field}, COUNT(Id) n FROM Lead GROUP BY {field}")["records"]
    return {r[field]: r["n"] for r in rows}


def test_leads_created_over_rest_get_an_id_and_the_default_status(local_org, sf_client):
    sf = sf_client(local_org)
    created = sf.Lead.create({"LastName": "Doe", "Company": "Acme"})
    assert created["success"] is True and created["errors"] == [] and created["id"].startswith("00Q")
    assert len(created["id"]) == 18
    lead = sf.Lead.get(created["id"])
    assert (lead["Status"], lead["Name"], lead["IsConverted"], lead["OwnerId"]) == (
        "Open - Not Contacted", "Doe", False, local_org.user_id)
    assert local_org.calls.of("create")[0].detail["path"].endswith("/sobjects/Lead/")


def test_aggregate_query_counts_leads_by_status(local_org, sf_client):
    sf = sf_client(local_org)
    local_org.add_leads([{"LastName": f"L{i}", "Company": "Acme", "Status": "Working - Contacted"} for i in range(3)])
    sf.Lead.create({"LastName": "Roe", "Company": "Initech"})
    assert counts(sf, "Status") == {"Working - Contacted": 3, "Open - Not Contacted": 1}
    rows = sf.query("SELECT Status, COUNT(Id) FROM Lead WHERE Company = 'acme' GROUP BY Status")["records"]
    assert [(r["Status"], r["expr0"]) for r in rows] == [("Working - Contacted", 3)]
    assert sf.query("SELECT COUNT() FROM Lead")["records"][0]["expr0"] == 4
    with pytest.raises(SalesforceMalformedRequest, match="Field must be grouped or aggregated: Company"):
        sf.query("SELECT Company, COUNT(Id) FROM Lead GROUP BY Status")


def test_leads_persist_in_the_state_dir(local_org_factory, tmp_path, sf_client):
    org = local_org_factory(state_dir=tmp_path / "s")
    (lead_id,) = org.add_leads([{"LastName": "Doe", "Company": "Acme"}])
    org.stop()
    again = local_org_factory(state_dir=tmp_path / "s")
    assert [r["Id"] for r in sf_client(again).query("SELECT Id FROM Lead")["records"]] == [lead_id]
    again.stop()
    state.reset(tmp_path / "s")
    assert local_org_factory(state_dir=tmp_path / "s").leads.all() == []


def test_two_orgs_on_one_state_dir_see_each_others_leads(local_org_factory, tmp_path):
    first = local_org_factory(state_dir=tmp_path / "s")
    second = local_org_factory(state_dir=tmp_path / "s")
    first.add_leads([{"LastName": "A", "Company": "X"}])
    second.add_leads([{"LastName": "B", "Company": "Y"}])
    assert sorted(r["LastName"] for r in first.leads.all()) == ["A", "B"]


@pytest.mark.parametrize("lead, code, message", [
    ({"LastName": "Doe"}, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]"),
    ({"LastName": "Doe", "Company": "Acme", "Status": "Nope"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
     "Status: bad value for restricted picklist field: Nope"),
    ({"LastName": "Doe", "Company": "Acme", "Lead_Stage__c": "MQL"}, "INVALID_FIELD",
     "No such column 'Lead_Stage__c' on sobject of type Lead"),
    ({"LastName": "Doe", "Company": "Acme", "IsConverted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE",
     "Unable to create/update fields: IsConverted."),
])
def test_leads_salesforce_would_refuse_are_refused(local_org, sf_client, lead, code, message):
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf_client(local_org).Lead.create(lead)
    (error,) = raised.value.content
    assert error["errorCode"] == code and error["message"].startswith(message)
    with pytest.raises(RecordError, match=code):
        local_org.add_leads([{"LastName": "Fine", "Company": "Acme"}, lead])
    assert local_org.leads.all() == []  # all or none


def test_custom_picklists_are_checked_and_defaulted_once_deployed(local_org, sf_client):
    sf = sf_client(local_org)
    deployed = wait(sf, deploy(sf, {"package.xml": manifest({"CustomField": ["Lead.Lead_Stage__c"]}),
                                    "objects/Lead.object": STAGE_FIELD}))
    assert deployed["status"] == "Succeeded"
    local_org.add_leads([{"LastName": "A", "Company": "X", "lead_stage__c": "MQL"}, {"LastName": "B", "Company": "Y"}])
    assert counts(sf, "Lead_Stage__c") == {"MQL": 1, "Lead": 1}
    with pytest.raises(SalesforceMalformedRequest, match="Lead Stage: bad value for restricted picklist field: SQL"):
        sf.Lead.create({"LastName": "C", "Company": "Z", "Lead_Stage__c": "SQL"})


def test_lead_queries_name_only_fields_the_org_has(local_org, sf_client):
    sf = sf_client(local_org)
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query("SELECT Lead_Stage__c, COUNT(Id) n FROM Lead GROUP BY Lead_Stage__c")
    (error,) = raised.value.content
    assert error["errorCode"] == "INVALID_FIELD"
    assert error["message"].startswith("No such column 'Lead_Stage__c' on entity 'Lead'.")
    assert sf.query("SELECT Id, Owner.Name FROM Lead WHERE status != 'x'")["records"] == []


def test_bad_json_and_other_objects(local_org, sf_client):
    import requests

    url = f"{local_org.instance_url}/services/data/v63.0/sobjects/Lead"
    headers = {"Authorization": f"Bearer {local_org.access_token}", "Content-Type": "application/json"}
    r = requests.post(url, data=b"{not json", headers=headers, verify=str(local_org.ca_file))
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    r = requests.post(url.replace("Lead", "Contact"), json={"LastName": "x"}, headers=headers,
                      verify=str(local_org.ca_file))
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"
