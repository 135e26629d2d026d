"""`leadsync plan` and deploy = plan + apply, end to end: the CLI, real TLS, the local org.

What the org was asked is checked in `org.calls`; what it holds afterwards in `org.store`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.localorg.store import Content
from leadsync.resources import presets_dir

PRESET = presets_dir() / "lifecycle.yaml"
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
           "LEADSYNC_LOCAL_ORG_STATE")
STAMPS = [f"Lead.{s}_Date__c" for s in ("Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer", "Evangelist")]


def run(org, command: str, *args: str):
    env: dict[str, str | None] = {name: None for name in ORG_ENV}
    env.update(REQUESTS_CA_BUNDLE=str(org.ca_file), SF_ACCESS_TOKEN=org.access_token)
    return CliRunner().invoke(main_group, [command, *args, "--instance-url", org.instance_url], env=env)


def plan(org, *args: str):
    return run(org, "plan", *args)


def deploy(org, *args: str):
    return run(org, "deploy", *args)


def overlay(tmp_path: Path, text: str, name: str = "overlay.yaml") -> Path:
    spec = tmp_path / name
    spec.write_text(f"leadsync: 1\nextends: {PRESET}\n{text}")
    return spec


def add_converted_leads(org, n: int, **fields) -> None:
    """Converted leads, as conversion leaves them (an insert cannot set IsConverted)."""
    from leadsync.localorg import ids
    from leadsync.localorg.records import RecordStore

    RecordStore(org.state.records_dir).insert("Lead", [
        {"Id": ids.new_id("Lead"), "LastName": f"Converted {i}", "Company": "Acme", "IsConverted": True,
         "IsDeleted": False, **fields} for i in range(n)])


@pytest.fixture
def org(local_org_factory):
    return local_org_factory()


@pytest.fixture
def deployed(org):
    result = deploy(org, str(PRESET))
    assert result.exit_code == 0, result.output
    org.calls.clear()
    return org


# --- plan -----------------------------------------------------------------------------------------


def test_plan_of_a_fresh_org_lists_what_a_deploy_would_add_and_change(org):
    result = plan(org, str(PRESET))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("plan for 'leadsync local org'")
    assert "  + CustomField Lead.Lead_Stage__c\n      + value 'Subscriber'\n" in out
    assert "  ~ StandardValueSet LeadStatus\n      + value 'New'\n" in out
    assert "      - value 'Working - Contacted' (renamed to 'Attempted to Contact': 0 leads move)\n" in out
    assert "  ~ CustomObject Lead\n      ~ enable history: false → true\n" in out
    assert "  ~ Layout Lead-Lead Layout (section 'Lead Lifecycle')\n      + field 'Lead_Stage__c' (edit)\n" in out
    assert re.search(r"\n\nPlan: \d+ to add, \d+ to change, 0 to remove\.\n$", out)
    names = org.calls.names()
    assert names.count("retrieve") == 1 and "deploy" not in names  # one retrieve, nothing deployed
    (retrieve,) = org.calls.of("retrieve")
    assert retrieve.detail["types"]["CustomObject"] == ["Lead"] and retrieve.detail["types"]["Layout"] == ["Lead-Lead Layout"]


def test_plan_json_and_detailed_exit_code(org):
    result = plan(org, str(PRESET), "--json", "--detailed-exitcode")
    assert result.exit_code == 10, result.output
    doc = json.loads(result.stdout)
    assert (doc["ok"], doc["exitCode"], doc["changes"]) == (True, 10, True)
    assert doc["summary"]["add"] >= 17 and doc["summary"]["remove"] == 0
    status = next(c for c in doc["components"] if c["name"] == "LeadStatus")
    assert status["change"] == "~"
    assert {"change": "-", "what": "value 'Closed - Converted'", "old": "active", "new": "inactive"} in status["changes"]
    assert {"field": "Lead.Status", "value": "Closed - Converted", "leads": 0, "converted": 0,
            "renamedTo": "Open Deal"} in doc["leads"]
    assert doc["org"]["name"] == "leadsync local org" and doc["error"] is None


def test_no_changes_after_a_deploy(deployed):
    org = deployed
    result = plan(org, str(PRESET), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("\nNo changes.\n")
    doc = json.loads(plan(org, str(PRESET), "--json", "--detailed-exitcode").stdout)
    assert (doc["changes"], doc["exitCode"], doc["components"]) == (False, 0, [])
    again = deploy(org, str(PRESET), "--json")
    assert again.exit_code == 0, again.output
    doc = json.loads(again.stdout)
    assert doc["ok"] and doc["success"] and doc["done"] and doc["id"] is None and doc["plan"]["changes"] is False
    assert org.calls.count("deploy") == 0  # nothing differs: nothing is sent
    text = deploy(org, str(PRESET))
    assert "No changes. Nothing was sent" in text.stdout and "No changes." in text.stderr


def test_value_level_changes_and_lead_counts_with_converted_apart(deployed, tmp_path):
    org = deployed
    org.add_leads([{"LastName": f"L{i}", "Company": "Acme", "Lead_Stage__c": "Evangelist"} for i in range(3)])
    add_converted_leads(org, 2, Lead_Stage__c="Evangelist", Status="Open Deal")
    spec = overlay(tmp_path, "stages:\n  - value: Evangelist\n    remove: true\n"
                             "statuses:\n  - value: Connected\n    label: Talking\n")
    result = plan(org, str(spec), "--detailed-exitcode")
    assert result.exit_code == 10, result.output
    out = result.stdout
    assert "  ~ CustomField Lead.Lead_Stage__c\n      - value 'Evangelist' deactivated (3 leads, 2 converted)\n" in out
    assert "      ~ value 'Connected' label: \"Connected\" → \"Talking\"\n" in out
    # rendered by leadsync before, no longer in the spec: the Evangelist stamp date field
    assert "  - CustomField Lead.Evangelist_Date__c (rendered by leadsync before" in out
    assert "SELECT Lead_Stage__c, IsConverted, COUNT(Id) n FROM Lead GROUP BY Lead_Stage__c, IsConverted" in [
        c.detail["q"] for c in org.calls.of("query")]


# --- deploy = plan + apply ------------------------------------------------------------------------


def test_incremental_deploy_sends_only_the_components_that_differ(deployed, tmp_path):
    org = deployed
    spec = overlay(tmp_path, "statuses:\n  - value: Connected\n    label: Talking\n")
    result = deploy(org, str(spec), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    sent = [(c["type"], c["name"]) for c in doc["components"] if c["type"]]
    assert sent == [("StandardValueSet", "LeadStatus")]
    assert [c["name"] for c in doc["plan"]["components"]] == ["LeadStatus"]
    assert "~ StandardValueSet LeadStatus (1 changed)" in result.stderr  # the plan's summary line, in CI logs
    assert b"<label>Talking</label>" in org.store.get("StandardValueSet", "LeadStatus").content
    assert org.calls.count("deploy") == 1


def test_obsolete_components_need_allow_destructive_and_are_deleted_with_it(deployed, tmp_path):
    org = deployed
    from leadsync.localorg import ids
    from leadsync.localorg.records import RecordStore

    RecordStore(org.state.records_dir).insert("Lead", [  # as the flow stamped them
        {"Id": ids.new_id("Lead"), "LastName": f"Stamped {i}", "Company": "Acme", "Status": "New",
         "IsConverted": False, "IsDeleted": False, "MQL_Date__c": "2026-01-05T10:00:00.000+0000"} for i in range(2)])
    spec = overlay(tmp_path, "stage_field:\n  stamp_dates: false\nguards:\n  forward_only_stages: false\n")
    planned = plan(org, str(spec))
    assert planned.exit_code == 0, planned.output
    assert "- CustomField Lead.MQL_Date__c (rendered by leadsync before, no longer in the spec: deleted only with " \
           "--allow-destructive; 2 leads hold a value in it)" in planned.stdout
    fields = {c["name"]: c for c in json.loads(plan(org, str(spec), "--json").stdout)["components"]}
    assert fields["Lead.MQL_Date__c"]["leadsWithValue"] == 2 and fields["Lead.SQL_Date__c"]["leadsWithValue"] == 0
    for name in [*STAMPS, "Lead.Lead_Stage_Forward_Only"]:
        assert f"- {'ValidationRule' if 'Forward' in name else 'CustomField'} {name} (rendered by leadsync" in planned.stdout
    refused = deploy(org, str(spec))
    assert refused.exit_code == 4, refused.output
    assert "refusing to remove components leadsync rendered before" in refused.stderr
    assert "CustomField Lead.MQL_Date__c" in refused.stderr and "ValidationRule Lead.Lead_Stage_Forward_Only" in refused.stderr
    assert org.calls.count("deploy") == 0 and org.store.get("CustomField", "Lead.MQL_Date__c") is not None
    allowed = deploy(org, str(spec), "--allow-destructive", "--json")
    assert allowed.exit_code == 0, allowed.output
    doc = json.loads(allowed.stdout)
    deleted = {c["name"] for c in doc["components"] if c["deleted"]}
    assert deleted == {*STAMPS, "Lead.Lead_Stage_Forward_Only"}
    assert all(org.store.get("CustomField", n) is None for n in STAMPS)
    assert org.store.get("ValidationRule", "Lead.Lead_Stage_Forward_Only") is None
    assert plan(org, str(spec)).stdout.endswith("No changes.\n")
    # as in Salesforce, the layout loses the deleted fields: turning stamp dates on again shows them again
    layout = org.store.get("Layout", "Lead-Lead Layout").content
    assert b"MQL_Date__c" not in layout and b"<field>Lead_Stage__c</field>" in layout
    again = plan(org, str(PRESET)).stdout
    assert "  ~ Layout Lead-Lead Layout (section 'Lead Lifecycle')\n" in again
    assert "      + field 'MQL_Date__c' (read-only)\n" in again


def test_the_admins_own_components_are_never_proposed_for_removal(deployed):
    org = deployed
    own = (b'<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
           b"<fullName>Partner_Score__c</fullName><label>Partner Score</label><type>DateTime</type>"
           b"<description>Ours, not leadsync's.</description></CustomField>\n")
    org.store.commit({("CustomField", "Lead.Partner_Score__c"): Content(own)})
    result = plan(org, str(PRESET), "--detailed-exitcode")
    assert result.exit_code == 0 and result.stdout.endswith("No changes.\n"), result.output


# --- faults and preflight -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "deploy"])
def test_a_failed_retrieve_exits_3_and_deploys_nothing(org, command):
    org.faults.retrieve_failures = 1
    result = run(org, command, str(PRESET))
    assert result.exit_code == 3, result.output
    assert "could not retrieve the org's current metadata" in result.stderr and "nothing was deployed" in result.stderr
    assert "Traceback" not in result.output and org.calls.count("deploy") == 0


def test_a_retrieve_that_does_not_finish_in_time_exits_3(org):
    from leadsync.errors import OrgUnreachable
    from leadsync.org import auth
    from leadsync.org import plan as use_case

    org.faults.retrieve_seconds = 30
    options = auth.OrgOptions(instance_url=org.instance_url)
    env = {"SF_ACCESS_TOKEN": org.access_token, "REQUESTS_CA_BUNDLE": str(org.ca_file)}
    with pytest.raises(use_case.RetrieveFailed) as raised:
        use_case.plan_spec(PRESET, lambda v: auth.connect(options, api_version=v, environ=env), timeout=0.5)
    assert isinstance(raised.value, OrgUnreachable) and raised.value.exit_code == 3
    assert "did not finish within" in str(raised.value)
    assert org.calls.count("checkRetrieveStatus") >= 2


def tracked_field(name: str) -> Content:
    return Content(f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/'
                   f'metadata"><fullName>{name}</fullName><label>{name}</label><trackHistory>true</trackHistory>'
                   "<type>Text</type><length>40</length></CustomField>\n".encode())


def test_preflight_findings(org, tmp_path):
    org.store.commit({("CustomField", f"Lead.Tracked_{i}__c"): tracked_field(f"Tracked_{i}__c") for i in range(20)})
    other = (b'<?xml version="1.0" encoding="UTF-8"?>\n<BusinessProcess xmlns="http://soap.sforce.com/2006/04/metadata">'
             b"<fullName>Partner Sales</fullName><isActive>true</isActive><values><fullName>Open - Not Contacted"
             b"</fullName><default>true</default></values></BusinessProcess>\n")
    org.store.commit({("BusinessProcess", "Lead.Partner Sales"): Content(other)})
    spec = overlay(tmp_path, "transitions:\n  - name: Hot\n    when: [{field: Lead_Score__c, op: gte, value: 50}]\n"
                             "    set: {stage: MQL}\n")
    result = plan(org, str(spec), "--json")
    assert result.exit_code == 0, result.output
    kinds = {f["kind"]: f["message"] for f in json.loads(result.stdout)["findings"]}
    assert "Lead would track 21 fields (20 tracked in the org, 1 added by the spec)" in kinds["history-limit"]
    assert "Lead.Lead_Score__c does not exist in the org (transition 'Hot')" in kinds["missing-field"]
    assert "lead process 'Partner Sales' is not managed by this spec" in kinds["process-statuses"]
    assert "'New'" in kinds["process-statuses"]
    text = plan(org, str(spec)).stdout
    assert "\nwarning: field history tracking: Lead would track 21 fields" in text


def test_plan_reads_a_production_org_without_the_flag(local_org_factory):
    production = local_org_factory(production=True)
    result = plan(production, str(PRESET))
    assert result.exit_code == 0, result.output  # read-only: nothing is deployed
    assert production.calls.count("deploy") == 0


def test_a_spec_with_errors_exits_1_and_asks_the_org_nothing(org, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("leadsync: 1\nname: x\nstatuses: nope\n")
    result = plan(org, str(spec), "--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert not doc["ok"] and doc["diagnostics"] and len(org.calls) == 0


def test_junit_and_dry_run_of_a_deploy_with_nothing_or_obsolete_to_do(deployed, tmp_path):
    import xml.etree.ElementTree as ET

    org = deployed
    junit = tmp_path / "deploy.xml"
    result = deploy(org, str(PRESET), "--junit", str(junit))
    assert result.exit_code == 0, result.output
    (case,) = ET.parse(junit).getroot().findall(".//testcase")
    assert case.get("name") == "no changes" and case.find("failure") is None
    spec = overlay(tmp_path, "guards:\n  forward_only_stages: false\n")
    validation = deploy(org, str(spec), "--dry-run")
    assert validation.exit_code == 0, validation.output  # a validation warns and goes on, deleting nothing
    assert "warning: leadsync rendered these before and the spec no longer does: ValidationRule " \
           "Lead.Lead_Stage_Forward_Only" in validation.stdout
    assert "the only changes are deletions, which need --allow-destructive" in validation.stdout
    assert org.calls.count("deploy") == 0  # nothing else differs: nothing to validate
    assert org.store.get("ValidationRule", "Lead.Lead_Stage_Forward_Only") is not None
    both = deploy(org, str(spec), "--dry-run", "--allow-destructive", "--json")
    assert both.exit_code == 0, both.output
    assert org.calls.of("deploy")[0].detail["checkOnly"] is True
    assert [c["name"] for c in json.loads(both.stdout)["components"] if c["deleted"]] == ["Lead.Lead_Stage_Forward_Only"]
    assert org.store.get("ValidationRule", "Lead.Lead_Stage_Forward_Only") is not None  # check-only


def test_an_unreachable_org_exits_3_with_one_json_document(org):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"https://127.0.0.1:{s.getsockname()[1]}"
    env: dict[str, str | None] = {name: None for name in ORG_ENV}
    env.update(REQUESTS_CA_BUNDLE=str(org.ca_file), SF_ACCESS_TOKEN=org.access_token)
    result = CliRunner().invoke(main_group, ["plan", str(PRESET), "--instance-url", url, "--json"], env=env)
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    assert (doc["ok"], doc["exitCode"]) == (False, 3) and "connection refused" in doc["error"]["message"]
    assert org.access_token not in result.output


def test_an_obsolete_record_type_and_its_process_are_deactivated_not_deleted(org, tmp_path):
    """Salesforce does not delete record types through the API; a process a record type uses cannot go either."""
    processes = ("lead_processes:\n  - {name: Inbound Sales, statuses: all, record_type: Inbound}\n"
                 "  - {name: Partner Sales, statuses: all, record_type: Partner}\n")
    both = overlay(tmp_path, processes, name="both.yaml")
    assert deploy(org, str(both)).exit_code == 0
    one = overlay(tmp_path, processes.split("  - {name: Partner")[0], name="one.yaml")
    planned = plan(org, str(one)).stdout
    assert "  - RecordType Lead.Partner (rendered by leadsync before, no longer in the spec: deactivated only with " \
           "--allow-destructive; Salesforce does not delete record types through the API)" in planned
    assert "  - BusinessProcess Lead.Partner Sales (" in planned and "a record type of the org uses it" in planned
    result = deploy(org, str(one), "--allow-destructive")
    assert result.exit_code == 0, result.output
    from leadsync.metadata import parse

    record_type = org.store.get("RecordType", "Lead.Partner")
    assert record_type is not None and parse.flag(parse.parse_xml("rt", record_type.content), "active", True) is False
    process = org.store.get("BusinessProcess", "Lead.Partner Sales")
    assert process is not None and parse.flag(parse.parse_xml("bp", process.content), "isActive", True) is False
    assert plan(org, str(one)).stdout.endswith("No changes.\n")  # retired: no longer proposed
