"""REST against the local org through simple-salesforce: versions, the Organization, users, leads, 404s."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound


def test_versions_need_no_session(local_org):
    versions = requests.get(f"{local_org.instance_url}/services/data", verify=str(local_org.ca_file)).json()
    assert {"label": "Spring '25", "url": "/services/data/v63.0", "version": "63.0"} in versions
    assert versions[-1]["version"] == "65.0"


def test_sandbox_organization(local_org, sf_client):
    sf = sf_client(local_org)
    (org,) = sf.query("SELECT IsSandbox, OrganizationType, Name, Id FROM Organization")["records"]
    assert (org["IsSandbox"], org["OrganizationType"], org["Id"]) == (True, "Enterprise Edition", local_org.org_id)
    assert sf.is_sandbox() is True


def test_production_organization(local_org_factory, sf_client):
    sf = sf_client(local_org_factory(production=True))
    (org,) = sf.query("select issandbox, organizationtype, TrialExpirationDate, NamespacePrefix from organization")["records"]
    assert org == {"attributes": org["attributes"], "IsSandbox": False, "OrganizationType": "Enterprise Edition",
                   "TrialExpirationDate": None, "NamespacePrefix": None}


def test_user_queries_and_reads(local_org, sf_client):
    sf = sf_client(local_org)
    (user,) = sf.query(f"SELECT Id, Username, Name FROM User WHERE Username = '{local_org.username}'")["records"]
    assert user["Id"] == local_org.user_id
    assert sf.query("SELECT Id FROM User WHERE Username = 'someone@else.com'")["totalSize"] == 0
    assert sf.User.get(local_org.user_id)["Username"] == local_org.username
    assert sf.Organization.get(local_org.org_id)["IsSandbox"] is True


def test_lead_queries_answer_empty(local_org, sf_client):
    sf = sf_client(local_org)
    assert sf.query("SELECT Status, COUNT(Id) FROM Lead GROUP BY Status") == {"totalSize": 0, "done": True, "records": []}
    assert sf.query("SELECT COUNT() FROM Lead")["records"][0]["expr0"] == 0
    assert sf.query_all("SELECT Id, Status FROM Lead WHERE IsConverted = false")["records"] == []


def test_unknown_object_and_bad_query(local_org, sf_client):
    sf = sf_client(local_org)
    with pytest.raises(SalesforceMalformedRequest, match="INVALID_TYPE"):
        sf.query("SELECT Id FROM ScratchOrgInfo LIMIT 1")  # what sf asks to see whether an org is a Dev Hub
    with pytest.raises(SalesforceMalformedRequest, match="MALFORMED_QUERY"):
        sf.query("SELEKT nothing")


def test_anything_else_is_salesforce_shaped_404(local_org, sf_client):
    with pytest.raises(SalesforceResourceNotFound) as err:
        sf_client(local_org).Lead.describe()
    assert err.value.content == [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
    r = requests.get(f"{local_org.instance_url}/nowhere", verify=str(local_org.ca_file))
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"


def test_calls_are_recorded(local_org, sf_client):
    sf = sf_client(local_org)
    sf.query("SELECT Id FROM Organization")
    assert local_org.calls.names() == ["query"]
    assert local_org.calls.of("query")[0].detail["q"] == "SELECT Id FROM Organization"
