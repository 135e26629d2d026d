"""Faults on demand (503s, dropped connections, expiring sessions) and the SOAP faults Salesforce answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
import zeep.exceptions
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceGeneralError

from localorg_pkg import STATUSES, deploy, manifest, retrieve, wait

PACKAGE = {"package.xml": manifest({"StandardValueSet": ["LeadStatus"]}),
           "standardValueSets/LeadStatus.standardValueSet": STATUSES}
ENVELOPE = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:met="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><met:SessionHeader>
 <met:sessionId>{session}</met:sessionId></met:SessionHeader></soapenv:Header>
 <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"""


def soap_post(org, body: str, session: str, version: str = "63.0"):
    return requests.post(f"{org.instance_url}/services/Soap/m/{version}", data=ENVELOPE.format(session=session, body=body),
                         headers={"Content-Type": "text/xml", "SOAPAction": '""'}, verify=str(org.ca_file))


def fault_of(response) -> tuple[str, str]:
    root = ET.fromstring(response.content)
    fault = root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring")


def test_503_on_the_next_status_calls(local_org, sf_client):
    sf = sf_client(local_org)
    deploy_id = deploy(sf, PACKAGE)
    local_org.faults.status_503 = 2
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError) as err:
            sf.mdapi.check_deploy_status(deploy_id)
        assert err.value.status == 503
    assert wait(sf, deploy_id)["status"] == "Succeeded"
    assert local_org.calls.count("checkDeployStatus") >= 3 and local_org.faults.status_503 == 0


def test_status_faults_can_be_kept_to_deploy_status_calls(local_org, sf_client):
    sf = sf_client(local_org)
    local_org.faults.status_calls = ("checkDeployStatus",)
    local_org.faults.status_503 = 1
    files, _messages = retrieve(sf, {"StandardValueSet": ["LeadStatus"]})  # its status calls are spared
    assert "standardValueSets/LeadStatus.standardValueSet" in files
    with pytest.raises(SalesforceGeneralError):
        sf.mdapi.check_deploy_status(deploy(sf, PACKAGE))
    assert local_org.faults.status_503 == 0


def test_dropped_status_connection(local_org, sf_client):
    sf = sf_client(local_org)
    deploy_id = deploy(sf, PACKAGE)
    local_org.faults.drop_connections = 1
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.mdapi.check_deploy_status(deploy_id)
    assert wait(sf, deploy_id)["status"] == "Succeeded"


def test_session_expires_after_n_calls_and_a_new_token_works(local_org, sf_client):
    sf = sf_client(local_org)
    local_org.faults.expire_session_after = 2
    sf.query("SELECT Id FROM Organization")
    deploy_id = deploy(sf, PACKAGE)  # the second call still passes
    with pytest.raises(SalesforceGeneralError) as err:
        sf.mdapi.check_deploy_status(deploy_id)
    assert err.value.status == 500 and "INVALID_SESSION_ID" in str(err.value.content)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Organization")
    fresh = requests.post(f"{local_org.instance_url}/services/oauth2/token", verify=str(local_org.ca_file),
                          data={"grant_type": "refresh_token", "client_id": local_org.client_id,
                                "refresh_token": local_org.refresh_token}).json()["access_token"]
    assert wait(sf_client(local_org, token=fresh), deploy_id)["status"] == "Succeeded"


def test_invalid_session_is_salesforce_s_soap_fault(local_org):
    r = soap_post(local_org, "<met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion></met:describeMetadata>", "bogus")
    assert r.status_code == 500 and r.headers["Content-Type"].startswith("text/xml")
    assert fault_of(r) == ("sf:INVALID_SESSION_ID",
                           "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session")


def test_invalid_session_through_zeep(local_org, sf_client):
    sf = sf_client(local_org, token="00Dxx0000000000!bogus")
    with pytest.raises(zeep.exceptions.Fault, match="INVALID_SESSION_ID"):
        sf.mdapi.describe_metadata()


def test_routing_is_by_the_body_not_the_soap_action(local_org):
    r = soap_post(local_org, "<met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion></met:describeMetadata>",
                  local_org.access_token)
    assert r.status_code == 200 and b"describeMetadataResponse" in r.content


def test_unknown_operation_and_bad_xml_are_client_faults(local_org):
    r = soap_post(local_org, "<met:frobnicate/>", local_org.access_token)
    assert r.status_code == 500 and fault_of(r)[0] == "soapenv:Client"
    r = requests.post(f"{local_org.instance_url}/services/Soap/m/63.0", data=b"<not-xml", verify=str(local_org.ca_file))
    assert r.status_code == 500 and fault_of(r)[0] == "soapenv:Client"


def test_unsupported_api_version(local_org):
    r = soap_post(local_org, "<met:describeMetadata/>", local_org.access_token, version="99.0")
    assert fault_of(r) == ("sf:UNSUPPORTED_API_VERSION", "UNSUPPORTED_API_VERSION: Invalid Api version specified on URL")


def test_crud_calls_are_refused(local_org):
    r = soap_post(local_org, "<met:deleteMetadata><met:type>Flow</met:type></met:deleteMetadata>", local_org.access_token)
    assert fault_of(r)[0] == "sf:INVALID_OPERATION"
