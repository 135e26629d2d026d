"""The local org's data APIs through simple-salesforce, unmodified, over TLS: one-record REST calls,
query paging, sObject collections and Bulk API 2.0 jobs."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from localorg_pkg import deploy, lead_object, manifest, picklist_field, wait

STAGE = lead_object(picklist_field("Lead_Stage__c", "Lead", "MQL", "SQL"))


def test_get_update_delete_one_lead(local_org, sf_client):
    sf = sf_client(local_org)
    lead_id = sf.Lead.create({"LastName": "Doe", "Company": "Acme"})["id"]
    assert sf.Lead.update(lead_id, {"Status": "Working - Contacted", "FirstName": "Jane"}) == 204
    lead = sf.Lead.get(lead_id)
    assert (lead["Status"], lead["Name"], lead["attributes"]["type"]) == ("Working - Contacted", "Jane Doe", "Lead")
    assert lead["LastModifiedDate"] >= lead["CreatedDate"]
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Lead.update(lead_id, {"Status": "Nope"})
    assert raised.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    with pytest.raises(SalesforceMalformedRequest, match="REQUIRED_FIELD_MISSING"):
        sf.Lead.update(lead_id, {"LastName": None})
    assert sf.Lead.delete(lead_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get(lead_id)
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.update(lead_id, {"Company": "X"})
    assert [c.name for c in local_org.calls if c.name in ("update", "delete")] == ["update", "update", "update",
                                                                                   "delete", "update"]


def test_large_queries_page_through_next_records_url(local_org, sf_client):
    sf = sf_client(local_org)
    local_org.add_leads([{"LastName": f"L{i}", "Company": "Acme"} for i in range(4500)])
    first = sf.query("SELECT Id, LastName FROM Lead WHERE IsConverted = false")
    assert (first["totalSize"], first["done"], len(first["records"])) == (4500, False, 2000)
    assert first["nextRecordsUrl"].startswith("/services/data/v63.0/query/")
    everything = sf.query_all("SELECT Id FROM Lead WHERE Status IN ('Open - Not Contacted', 'x') AND Email = null")
    assert everything["totalSize"] == 4500 and len({r["Id"] for r in everything["records"]}) == 4500
    assert local_org.calls.count("query_more") == 2
    rows = sf.query("SELECT Company, COUNT(Id) n FROM Lead WHERE Status != 'Working - Contacted' GROUP BY Company")
    assert [(r["Company"], r["n"]) for r in rows["records"]] == [("Acme", 4500)]


def test_collections_answer_per_record_and_honour_all_or_none(local_org, sf_client):
    sf = sf_client(local_org)
    ids = local_org.add_leads([{"LastName": f"L{i}", "Company": "Acme"} for i in range(3)])
    rows = [{"attributes": {"type": "Lead"}, "Id": ids[0], "Status": "Working - Contacted"},
            {"attributes": {"type": "Lead"}, "Id": ids[1], "Status": "Not A Status"},
            {"attributes": {"type": "Lead"}, "Id": ids[2], "Company": "Initech"}]
    results = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": True, "records": rows})
    assert [r["success"] for r in results] == [False, False, False]
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert {r["Status"] for r in local_org.leads.all()} == {"Open - Not Contacted"}  # nothing written
    results = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": False, "records": rows})
    assert [(r["id"], r["success"]) for r in results] == [(ids[0], True), (ids[1], False), (ids[2], True)]
    assert [r["Status"] for r in local_org.leads.all()] == ["Working - Contacted", "Open - Not Contacted",
                                                             "Open - Not Contacted"]
    created = sf.restful("composite/sobjects", method="POST", json={"records": [
        {"attributes": {"type": "Lead"}, "LastName": "New", "Company": "X"},
        {"attributes": {"type": "Lead"}, "LastName": "NoCompany"}]})
    assert created[0]["success"] and created[0]["id"].startswith("00Q")
    assert created[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": f"{ids[2]},{ids[2][:3]}xyz"})
    assert [r["success"] for r in deleted] == [True, False]
    with pytest.raises(SalesforceMalformedRequest, match="EXCEEDED_ID_LIMIT"):
        sf.restful("composite/sobjects", method="PATCH",
                   json={"records": [{"attributes": {"type": "Lead"}, "Id": ids[0]}] * 201})


def test_bulk2_update_job_end_to_end(local_org, sf_client):
    sf = sf_client(local_org)
    assert wait(sf, deploy(sf, {"package.xml": manifest({"CustomField": ["Lead.Lead_Stage__c"]}),
                                "objects/Lead.object": STAGE.encode()}))["status"] == "Succeeded"
    ids = local_org.add_leads([{"LastName": f"L{i}", "Company": "Acme", "Lead_Stage__c": "Lead"} for i in range(50)])
    rows = [{"Id": i, "Lead_Stage__c": "MQL"} for i in ids[:49]] + [{"Id": ids[49], "Lead_Stage__c": "Bogus"}]
    (result,) = sf.bulk2.Lead.update(records=rows, wait=0.05)
    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"], result["numberRecordsTotal"]) == (50, 1, 50)
    failed = sf.bulk2.Lead.get_failed_records(result["job_id"])
    assert "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Lead_Stage__c: bad value for restricted picklist field: Bogus" \
           in failed
    assert sf.bulk2.Lead.get_successful_records(result["job_id"]).count("\n") == 50  # header + 49
    counts = {r["Lead_Stage__c"]: r["n"] for r in sf.query(
        "SELECT Lead_Stage__c, COUNT(Id) n FROM Lead GROUP BY Lead_Stage__c")["records"]}
    assert counts == {"MQL": 49, "Lead": 1}
    (inserted,) = sf.bulk2.Lead.insert(records=[{"LastName": "B", "Company": "C"}], wait=0.05)
    assert inserted["numberRecordsFailed"] == 0 and len(local_org.leads.all()) == 51
    pages = list(sf.bulk2.Lead.query("SELECT Id, Lead_Stage__c FROM Lead WHERE Lead_Stage__c = 'MQL'",
                                     max_records=30, wait=0.05))
    assert len(pages) == 2 and sum(p.count("\n") - 1 for p in pages) == 49


def test_an_interrupted_bulk_job_commits_half_and_reports_the_rest_unprocessed(local_org, sf_client):
    from simple_salesforce.exceptions import SalesforceOperationError

    sf = sf_client(local_org)
    ids = local_org.add_leads([{"LastName": f"L{i}", "Company": "Acme"} for i in range(10)])
    local_org.faults.bulk_job_failures = 1
    with pytest.raises(SalesforceOperationError, match="interrupted"):
        sf.bulk2.Lead.update(records=[{"Id": i, "Status": "Working - Contacted"} for i in ids], wait=0.05)
    assert sorted(r["Status"] for r in local_org.leads.all()).count("Working - Contacted") == 5
    (again,) = sf.bulk2.Lead.update(records=[{"Id": i, "Status": "Working - Contacted"} for i in ids], wait=0.05)
    assert again["numberRecordsFailed"] == 0
    assert {r["Status"] for r in local_org.leads.all()} == {"Working - Contacted"}


def test_seeded_converted_leads_are_read_only_in_every_api(local_org, sf_client):
    sf = sf_client(local_org)
    converted, open_lead = local_org.seed_leads([
        {"LastName": "Old", "Company": "Acme", "Status": "Closed - Converted", "IsConverted": True,
         "ConvertedDate": "2020-01-02"},
        {"LastName": "Open", "Company": "Acme"}])
    assert sf.Lead.get(converted)["IsConverted"] is True
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Lead"}, "Id": converted, "Status": "Working - Contacted"},
        {"attributes": {"type": "Lead"}, "Id": open_lead, "Status": "Working - Contacted"}]})
    assert results[0] == {"id": converted, "success": False, "errors": [
        {"statusCode": "CANNOT_UPDATE_CONVERTED_LEAD", "message": "cannot reference converted lead", "fields": []}]}
    assert results[1]["success"] is True
    assert sf.Lead.get(converted)["Status"] == "Closed - Converted"


def test_a_lost_answer_to_a_collection_call_leaves_the_update_done(local_org, sf_client):
    import requests

    sf = sf_client(local_org)
    (lead_id,) = local_org.add_leads([{"LastName": "A", "Company": "X"}])
    local_org.faults.status_calls = ("collections",)
    local_org.faults.drop_connections = 1
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.restful("composite/sobjects", method="PATCH", json={"records": [
            {"attributes": {"type": "Lead"}, "Id": lead_id, "Status": "Working - Contacted"}]})
    assert local_org.leads.get(lead_id)["Status"] == "Working - Contacted"
    assert local_org.calls.count("collections") == 1
