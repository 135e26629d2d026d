"""OrgClient against the local org over real TLS, through simple-salesforce unmodified."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from leadsync.build import build
from leadsync.errors import OrgUnreachable
from leadsync.org.auth import OrgOptions, connect
from leadsync.org.client import DeployOptions
from leadsync.org.session import OrgFault, SessionExpired
from leadsync.render.output import zip_bytes
from leadsync.resources import presets_dir

PRESET = presets_dir() / "lifecycle.yaml"


@pytest.fixture
def org(local_org_factory):
    return local_org_factory(deploy_seconds=0.2)


@pytest.fixture
def files() -> dict[str, bytes]:
    return dict(build(PRESET).files)


def client_for(org, login: str = "token"):
    env = {"REQUESTS_CA_BUNDLE": str(org.ca_file)}
    if login == "token":
        env["SF_ACCESS_TOKEN"] = org.access_token
        return connect(OrgOptions(instance_url=org.instance_url), environ=env)
    host = org.instance_url.removeprefix("https://")
    env["SFDX_AUTH_URL"] = f"force://{org.client_id}::{org.refresh_token}@{host}"
    return connect(OrgOptions(), environ=env)


def wait_done(client, deploy_id: str, seconds: float = 10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = client.deploy_status(deploy_id)
        if status.done:
            return status
        time.sleep(0.1)
    raise AssertionError("the deploy did not finish")


def test_org_info(org):
    with client_for(org) as client:
        info = client.org_info()
    assert (info.id, info.is_sandbox, info.instance_url) == (org.org_id, True, org.instance_url)
    assert not info.is_production


def test_deploy_status_and_retrieve(org, files):
    with client_for(org) as client:
        deploy_id = client.deploy(zip_bytes(files), DeployOptions())
        status = wait_done(client, deploy_id)
        assert (status.status, status.success, status.check_only) == ("Succeeded", True, False)
        assert status.components_total == status.components_deployed > 0
        assert {c.type for c in status.components} >= {"CustomField", "Flow", "StandardValueSet"}
        retrieved = client.retrieve({"CustomField": ["Lead.Lead_Stage__c"]})
    names = zipfile.ZipFile(io.BytesIO(retrieved)).namelist()
    assert any(n.endswith("Lead.object") or "Lead_Stage__c" in n for n in names)
    deploy_call = org.calls.of("deploy")[0]
    assert deploy_call.detail["rollbackOnError"] is True and deploy_call.detail["checkOnly"] is False


def test_component_failure_has_type_name_file_line(org, files):
    """A hand-made bad package: a lead process offering a status the org does not have."""
    lead = files["objects/Lead.object"].decode()
    files["objects/Lead.object"] = lead.replace("<fullName>Attempted to Contact</fullName>",
                                                "<fullName>Not A Status</fullName>", 1).encode()
    with client_for(org) as client:
        status = wait_done(client, client.deploy(zip_bytes(files), DeployOptions()))
    assert (status.status, status.success) == ("Failed", False)
    failure = status.failures[0]
    assert (failure.type, failure.name, failure.file) == ("BusinessProcess", "Lead.lifecycle Lead Process",
                                                          "objects/Lead.object")
    assert failure.line and "Not A Status" in failure.problem


def test_quick_deploy_of_a_validation(org, files):
    with client_for(org) as client:
        validation = wait_done(client, client.deploy(zip_bytes(files), DeployOptions(check_only=True)))
        assert validation.success and validation.check_only
        quick = wait_done(client, client.quick_deploy(validation.id))
    assert quick.success and not quick.check_only
    assert org.calls.of("deployRecentValidation")[0].detail["validationId"] == validation.id


def test_cancel(org, files):
    org.faults.deploy_seconds = 30
    with client_for(org) as client:
        deploy_id = client.deploy(zip_bytes(files), DeployOptions())
        client.cancel(deploy_id)
        assert wait_done(client, deploy_id).status == "Canceled"


def test_unknown_deploy_id_is_an_org_fault(org):
    with client_for(org) as client, pytest.raises(OrgFault):
        client.deploy_status("0Af5g00000ABCDEFGH")


def test_expired_session_is_renewed_once_with_a_refresh_token(org):
    with client_for(org, login="auth-url") as client:
        client.org_info()
        org.faults.expire_session_after = 1
        assert client.query("SELECT Id FROM Organization")  # passes, then the token is revoked
        assert client.query("SELECT Id FROM Organization")  # refused, renewed, called again
    assert org.calls.count("token") == 2


def test_expired_session_without_a_way_to_renew_is_org_unreachable(org):
    with client_for(org) as client:
        org.faults.expire_session_after = 1
        client.query("SELECT Id FROM Organization")
        with pytest.raises(SessionExpired) as raised:
            client.query("SELECT Id FROM Organization")
    assert isinstance(raised.value, OrgUnreachable)
    assert "cannot be renewed" in str(raised.value)
    assert org.access_token not in str(raised.value)
