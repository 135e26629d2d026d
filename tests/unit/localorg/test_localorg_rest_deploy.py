"""The REST form of deploys (what sf uses with org-metadata-rest-deploy): start, poll, quick deploy, cancel."""

from __future__ import annotations

import json
import time

import requests

from localorg_pkg import STATUSES, business_process, lead_object, manifest, zipped

FILES = {
    "package.xml": manifest({"StandardValueSet": ["LeadStatus"], "BusinessProcess": ["Lead.P"]}),
    "standardValueSets/LeadStatus.standardValueSet": STATUSES,
    "objects/Lead.object": lead_object(business_process("P", ("New", True), ("Nope", False))),
}


def post(org, **kwargs):
    return requests.post(f"{org.instance_url}/services/data/v63.0/metadata/deployRequest", verify=str(org.ca_file),
                         headers={"Authorization": f"Bearer {org.access_token}"}, **kwargs)


def start(org, files, **options) -> str:
    r = post(org, files={"entity_content": (None, json.dumps({"deployOptions": options}), "application/json"),
                         "file": ("deploy.zip", zipped(files).read(), "application/zip")})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def status(org, deploy_id: str) -> dict:
    r = requests.get(f"{org.instance_url}/services/data/v63.0/metadata/deployRequest/{deploy_id}",
                     params={"includeDetails": "true"}, headers={"Authorization": f"Bearer {org.access_token}"},
                     verify=str(org.ca_file))
    assert r.status_code == 200, r.text
    return r.json()["deployResult"]


def finished(org, deploy_id: str) -> dict:
    for _ in range(200):
        result = status(org, deploy_id)
        if result["done"]:
            return result
        time.sleep(0.02)
    raise AssertionError("not done")


def test_rest_deploy_failure_names_the_component(local_org):
    result = finished(local_org, start(local_org, FILES, rollbackOnError=True))
    assert (result["status"], result["success"], result["numberComponentErrors"]) == ("Failed", False, 1)
    (failure,) = result["details"]["componentFailures"]
    assert (failure["componentType"], failure["fullName"]) == ("BusinessProcess", "Lead.P")
    assert local_org.calls.names()[:2] == ["deploy", "checkDeployStatus"]


def test_rest_validation_then_quick_deploy(local_org):
    files = {**FILES, "objects/Lead.object": lead_object(business_process("P", ("New", True)))}
    validation = start(local_org, files, checkOnly=True, testLevel="RunLocalTests")
    assert finished(local_org, validation)["checkOnly"] is True
    r = post(local_org, json={"validatedDeployRequestId": validation})
    assert r.status_code == 201 and r.json()["validatedDeployRequestId"] == validation
    assert finished(local_org, r.json()["id"])["status"] == "Succeeded"
    assert local_org.store.get("BusinessProcess", "Lead.P") is not None


def test_rest_cancel(local_org_factory):
    org = local_org_factory(deploy_seconds=30)
    deploy_id = start(org, FILES)
    r = requests.patch(f"{org.instance_url}/services/data/v63.0/metadata/deployRequest/{deploy_id}",
                       json={"deployResult": {"status": "Canceling"}}, verify=str(org.ca_file),
                       headers={"Authorization": f"Bearer {org.access_token}"})
    assert r.status_code == 202 and status(org, deploy_id)["status"] == "Canceled"


def test_rest_status_calls_take_faults_and_need_a_session(local_org):
    deploy_id = start(local_org, FILES)
    local_org.faults.status_503 = 1
    r = requests.get(f"{local_org.instance_url}/services/data/v63.0/metadata/deployRequest/{deploy_id}",
                     headers={"Authorization": f"Bearer {local_org.access_token}"}, verify=str(local_org.ca_file))
    assert r.status_code == 503
    r = requests.get(f"{local_org.instance_url}/services/data/v63.0/metadata/deployRequest/{deploy_id}",
                     headers={"Authorization": "Bearer nope"}, verify=str(local_org.ca_file))
    assert r.status_code == 401
