"""The local org refuses at deploy what Salesforce refuses (issue 6, points 3 and 6): picklist values
that differ only in case, a value twice, two defaults, and visibility of a record type nobody has."""

from __future__ import annotations

import pytest

from localorg_pkg import HEAD, NS, STATUSES, deploy_and_wait, lead_object, lead_status, manifest


def picklist_field(name: str, *values: tuple[str, bool]) -> str:
    body = "".join(f"<value><fullName>{v}</fullName><default>{str(d).lower()}</default><label>{v}</label></value>"
                   for v, d in values)
    return (f"<fields><fullName>{name}</fullName><label>{name}</label><type>Picklist</type><valueSet>"
            f"<restricted>true</restricted><valueSetDefinition><sorted>false</sorted>{body}</valueSetDefinition>"
            f"</valueSet></fields>")


def deploy_field(sf, *values: tuple[str, bool]) -> dict:
    files = {"objects/Lead.object": lead_object(picklist_field("Stage__c", *values)),
             "package.xml": manifest({"CustomField": ["Lead.Stage__c"]})}
    return deploy_and_wait(sf, files)


def deploy_statuses(sf, *values: tuple[str, bool, bool]) -> dict:
    files = {"standardValueSets/LeadStatus.standardValueSet": lead_status(*values),
             "package.xml": manifest({"StandardValueSet": ["LeadStatus"]})}
    return deploy_and_wait(sf, files)


@pytest.mark.parametrize("values, message", [
    ((("MQL", False), ("mql", False)), "Duplicate picklist value mql"),
    ((("MQL", False), ("MQL", False)), "Duplicate picklist value mql"),
    ((("Lead", True), ("MQL", True)), "Only one default value is allowed in picklist Stage__c"),
])
def test_a_custom_picklist_with_duplicates_or_two_defaults_is_refused(local_org, sf_client, values, message):
    r = deploy_field(sf_client(local_org), *values)
    assert r["status"] == "Failed"
    failure = r["failures"][0]
    assert (failure["componentType"], failure["fullName"]) == ("CustomField", "Lead.Stage__c")
    assert message in failure["problem"], failure["problem"]


def test_a_clean_custom_picklist_is_accepted(local_org, sf_client):
    assert deploy_field(sf_client(local_org), ("Lead", True), ("MQL", False))["status"] == "Succeeded"


@pytest.mark.parametrize("values", [
    (("New", True, False), ("new", False, False), ("Qualified", False, True)),
    (("New", True, False), ("New", False, False), ("Qualified", False, True)),
])
def test_lead_status_values_that_differ_only_in_case_are_refused(local_org, sf_client, values):
    r = deploy_statuses(sf_client(local_org), *values)
    assert r["status"] == "Failed"
    problems = [f["problem"] for f in r["failures"] if f["fullName"] == "LeadStatus"]
    assert any("Duplicate picklist value new" in p for p in problems), r["failures"]


def test_permission_set_visibility_of_a_missing_record_type_is_refused(local_org, sf_client):
    ps = (f'{HEAD}<PermissionSet xmlns="{NS}"><hasActivationRequired>false</hasActivationRequired><label>P</label>'
          "<recordTypeVisibilities><recordType>Lead.Nope</recordType><visible>true</visible>"
          "</recordTypeVisibilities></PermissionSet>")
    files = {"permissionsets/P.permissionset": ps, "package.xml": manifest({"PermissionSet": ["P"]})}
    r = deploy_and_wait(sf_client(local_org), files)
    assert r["status"] == "Failed"
    assert "In field: recordType - no RecordType named Lead.Nope found" in r["failures"][0]["problem"]


def test_statuses_fixture_is_accepted(local_org, sf_client):
    assert deploy_statuses(sf_client(local_org), *[("New", True, False), ("Qualified", False, True)])["status"] \
        == "Succeeded"
    assert STATUSES  # the shared fixture stays importable
