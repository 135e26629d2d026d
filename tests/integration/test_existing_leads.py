"""Existing leads at deploy: renamed_from moves them, stage_field.backfill gives them a stage; layouts
are patched; through the CLI, simple-salesforce unmodified, real TLS and the local org.

Every test seeds leads in its own local org, deploys a spec with `leadsync deploy --json`, and then
reads the org's leads and metadata back: no lead lost, none left on an inactive value, converted leads
untouched and counted apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.metadata import parse

ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
           "LEADSYNC_LOCAL_ORG_STATE")

SPEC = """\
leadsync: 1
name: adopt
stage_field:
  backfill: {Attempted to Contact: SQL}
stages: [{value: Lead}, {value: MQL}, {value: SQL}]
statuses:
  - {value: New, default: true, renamed_from: Open - Not Contacted}
  - {value: Attempted to Contact, renamed_from: Working - Contacted}
  - {value: Qualified, converted: true, renamed_from: Closed - Converted}
  - {value: Unqualified, renamed_from: Closed - Not Converted}
unqualified_reasons: {values: [Not a Fit, No Budget]}
"""


@pytest.fixture
def org(local_org_factory):
    return local_org_factory()


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "leadsync.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def cli(org, *args: str):
    env: dict[str, str | None] = {name: None for name in ORG_ENV}
    env.update(REQUESTS_CA_BUNDLE=str(org.ca_file), SF_ACCESS_TOKEN=org.access_token)
    return CliRunner().invoke(main_group, [*args, "--instance-url", org.instance_url], env=env)


def seed(org, statuses: dict[str, int], converted: dict[str, int] = {}) -> None:
    rows = [{"LastName": f"L{i}", "Company": "Acme", "Status": s}
            for s, n in {**statuses, **{k: statuses.get(k, 0) + v for k, v in converted.items()}}.items()
            for i in range(n)]
    ids = org.add_leads(rows)
    left = dict(converted)
    for lead_id, row in zip(ids, rows):
        if left.get(row["Status"], 0) > 0:
            left[row["Status"]] -= 1
            org.leads.save_converted({**org.leads.get(lead_id), "IsConverted": True})


def statuses_in_org(org) -> dict[str, bool]:
    stored = org.store.get("StandardValueSet", "LeadStatus")
    svs = parse.parse_standard_value_set(parse.parse_xml("LeadStatus", stored.content), "LeadStatus")
    return {v.full_name: v.is_active for v in svs.values}


def by_status(org, converted: bool | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for lead in org.leads.all():
        if converted is None or bool(lead.get("IsConverted")) == converted:
            out[lead["Status"]] = out.get(lead["Status"], 0) + 1
    return out


def assert_every_open_lead_active(org) -> None:
    active = statuses_in_org(org)
    for lead in org.leads.all():
        if not lead.get("IsConverted"):
            assert active.get(lead["Status"]), f"lead {lead['Id']} is on {lead['Status']!r}, not active"


# --- renames --------------------------------------------------------------------------------------


def test_rename_moves_open_leads_and_deactivates_the_old_values_without_a_flag(org, spec):
    seed(org, {"Working - Contacted": 7, "Open - Not Contacted": 3}, converted={"Closed - Converted": 2})
    result = cli(org, "deploy", str(spec), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    renames = {r["from"]: r for r in doc["migration"]["renames"]}
    assert renames["Working - Contacted"]["moved"] == 7
    assert renames["Open - Not Contacted"]["moved"] == 3
    assert renames["Closed - Converted"]["converted"] == 2 and renames["Closed - Converted"]["moved"] == 0
    assert doc["migration"]["complete"] is True
    assert doc["migration"]["apis"] == ["collections", "collections"]
    assert by_status(org, converted=False) == {"Attempted to Contact": 7, "New": 3}
    assert by_status(org, converted=True) == {"Closed - Converted": 2}  # read-only: they keep it
    active = statuses_in_org(org)
    assert not any(active[v] for v in ("Working - Contacted", "Open - Not Contacted", "Closed - Converted"))
    assert all(active[v] for v in ("New", "Attempted to Contact", "Qualified", "Unqualified"))
    assert len(org.leads.all()) == 12


def test_rename_text_output_counts(org, spec):
    seed(org, {"Working - Contacted": 2}, converted={"Working - Contacted": 1})
    result = cli(org, "deploy", str(spec))
    assert result.exit_code == 0, result.output
    assert ("renamed: Lead.Status 'Working - Contacted' → 'Attempted to Contact': 2 leads moved, "
            "1 converted lead keeps it (read-only), 'Working - Contacted' deactivated") in result.stdout
    assert "backfilled: Lead.Lead_Stage__c on 2 leads" in result.stdout
    # a later deploy (a new stage) renames and backfills nothing: it does not repeat those lines
    spec.write_text(SPEC.replace("{value: SQL}]", "{value: SQL}, {value: Customer}]"), encoding="utf-8")
    for args in (("--dry-run",), ()):
        later = cli(org, "deploy", str(spec), *args)
        assert later.exit_code == 0 and "~ CustomField Lead.Lead_Stage__c (1 added)" in later.stderr, later.output
        assert "rename" not in later.stdout and "backfill" not in later.stdout, later.stdout


def test_dry_run_counts_and_moves_nothing(org, spec):
    seed(org, {"Working - Contacted": 4})
    result = cli(org, "deploy", str(spec), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["migration"]
    assert doc["applied"] is False
    assert {r["from"]: r["leads"] for r in doc["renames"]}["Working - Contacted"] == 4
    assert doc["backfill"]["leads"] == 4
    assert by_status(org) == {"Working - Contacted": 4}


# --- backfill -------------------------------------------------------------------------------------


def test_backfill_gives_leads_without_a_stage_one_by_status(org, spec):
    seed(org, {"Working - Contacted": 3, "Open - Not Contacted": 2})
    result = cli(org, "deploy", str(spec), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["migration"]["backfill"]
    assert doc["filled"] == 5 and doc["failed"] == 0
    stages = {(lead["Status"], lead.get("Lead_Stage__c")) for lead in org.leads.all()}
    # Working - Contacted is read as its new name, Attempted to Contact: SQL; others get the default stage
    assert stages == {("Attempted to Contact", "SQL"), ("New", "Lead")}


def test_second_deploy_finds_nothing_to_move(org, spec):
    seed(org, {"Working - Contacted": 2})
    assert cli(org, "deploy", str(spec)).exit_code == 0
    result = cli(org, "deploy", str(spec), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["migration"]  # null when the deploy had nothing to send
    assert doc is None or (all(r["leads"] == 0 for r in doc["renames"]) and doc["backfill"]["leads"] == 0)
    assert by_status(org) == {"Attempted to Contact": 2}


# --- large volumes, faults ------------------------------------------------------------------------


def test_bulk_api_for_large_volumes_and_an_interrupted_move_finishes_on_the_next_deploy(org, spec):
    seed(org, {"Working - Contacted": 2_500})
    org.faults.bulk_job_failures = 1  # the first Bulk API job stops half-way
    first = cli(org, "deploy", str(spec), "--json")
    assert first.exit_code != 0
    assert len(org.leads.all()) == 2_500
    assert_every_open_lead_active(org)  # new values active before any move; old still active
    assert statuses_in_org(org)["Working - Contacted"] is True
    staged = sum(1 for lead in org.leads.all() if lead.get("Lead_Stage__c"))
    assert 0 < staged < 2_500  # the backfill job stopped half-way: the first half is in
    second = cli(org, "deploy", str(spec), "--json")
    assert second.exit_code == 0, second.output
    doc = json.loads(second.stdout)["migration"]
    assert "bulk2" in doc["apis"] and doc["complete"] is True
    assert doc["backfill"]["filled"] == 2_500 - staged  # the counts add up
    assert {r["from"]: r["moved"] for r in doc["renames"]}["Working - Contacted"] == 2_500
    assert by_status(org) == {"Attempted to Contact": 2_500}
    assert statuses_in_org(org)["Working - Contacted"] is False
    assert {lead.get("Lead_Stage__c") for lead in org.leads.all()} == {"SQL"}
    assert_every_open_lead_active(org)


# --- layouts --------------------------------------------------------------------------------------


def test_layout_gets_the_generated_fields_and_keeps_everything_else(org, spec):
    before = org.store.get("Layout", "Lead-Lead Layout").content
    result = cli(org, "deploy", str(spec), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["layouts"] == [{"name": "Lead-Lead Layout", "added": [
        {"field": "Lead_Stage__c", "behavior": "Edit"}, {"field": "Unqualified_Reason__c", "behavior": "Edit"}]}]
    after = org.store.get("Layout", "Lead-Lead Layout").content
    assert b"<label>Lead Lifecycle</label>" in after and b"<field>Lead_Stage__c</field>" in after
    # every byte of the original is still there, in order: one section was inserted
    inserted = len(after) - len(before)
    start = next(i for i in range(len(before)) if before[i] != after[i])
    assert after[:start] + after[start + inserted:] == before
    again = cli(org, "deploy", str(spec), "--json")
    assert json.loads(again.stdout)["layouts"] == []  # nothing missing any more: not sent again


def test_layouts_none_leaves_layouts_alone(org, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SPEC + "layouts: none\n", encoding="utf-8")
    before = org.store.get("Layout", "Lead-Lead Layout").content
    result = cli(org, "deploy", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert org.store.get("Layout", "Lead-Lead Layout").content == before


def test_a_layout_the_org_lacks_is_a_warning_in_plan_and_deploy(org, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SPEC + "layouts: [Lead-Lead Layout, Nope Layout]\n", encoding="utf-8")
    warning = "warning: layout 'Lead-Nope Layout' is named in the spec's layouts but the org does not have it: skipped"
    plan = cli(org, "plan", str(path))
    assert plan.exit_code == 0, plan.output
    assert warning in plan.stdout.splitlines()
    assert "~ Layout Lead-Lead Layout (section 'Lead Lifecycle')" in plan.stdout
    deploy = cli(org, "deploy", str(path))
    assert deploy.exit_code == 0, deploy.output
    assert warning in deploy.stdout.splitlines()
    assert b"<field>Lead_Stage__c</field>" in org.store.get("Layout", "Lead-Lead Layout").content


# --- import ---------------------------------------------------------------------------------------


def test_import_from_the_org_renders_what_the_org_holds(org, spec, tmp_path):
    from leadsync.build import build

    assert cli(org, "deploy", str(spec)).exit_code == 0
    out = tmp_path / "imported.yaml"
    result = cli(org, "import", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "# inactive in the org, not imported" in text
    built = build(out, layout="mdapi")
    assert built.ok, built.diagnostics
    mine = parse.parse_files(built.files)
    org_svs = parse.parse_standard_value_set(
        parse.parse_xml("LeadStatus", org.store.get("StandardValueSet", "LeadStatus").content), "LeadStatus")
    assert [(v.full_name, v.default, v.converted) for v in mine.standard_value_sets[0].active_values] == \
        [(v.full_name, v.default, v.converted) for v in org_svs.active_values]
    stage = next(f for f in mine.lead.fields if f.full_name == "Lead_Stage__c")
    assert [v.full_name for v in stage.values] == ["Lead", "MQL", "SQL"]
    assert [r.full_name for r in mine.lead.validation_rules] == ["Lead_Stage_Forward_Only"]


def test_a_collections_move_cut_by_a_dead_session_finishes_on_the_next_deploy(org, spec):
    """The session dies during the sObject collections calls (3 of 200 leads each): exit 3; every lead
    is still on an active value; the next deploy moves the rest and deactivates the old value."""
    from leadsync.errors import OrgUnreachable
    from leadsync.org import auth
    from leadsync.org import deploy as use_case
    from leadsync.org.session import SessionExpired

    seed(org, {"Working - Contacted": 500})

    class CutAfterOneCall(use_case.NoProgress):
        def moving(self, label: str, total: int) -> None:
            if "moving" in label:
                org.faults.expire_session_after = 2  # one collections call passes, the next is refused

        def moved(self, count: int) -> None:
            pass

        def moved_all(self) -> None:
            pass

    options = auth.OrgOptions(instance_url=org.instance_url)
    env = {"SF_ACCESS_TOKEN": org.access_token, "REQUESTS_CA_BUNDLE": str(org.ca_file)}
    with pytest.raises((SessionExpired, OrgUnreachable)) as cut:
        use_case.deploy_spec(spec, lambda v: auth.connect(options, api_version=v, environ=env),
                             use_case.DeployRequest(), progress=CutAfterOneCall())
    # the message says the guards are off until the deploy runs again (the first package is in)
    assert "validation rules stay inactive until the same deploy is run again" in str(cut.value)
    rules = [org.store.get(*k).content for k in org.store.keys() if k[0] == "ValidationRule"]
    assert rules and all(b"<active>false</active>" in r for r in rules)  # as the message says
    moved = by_status(org).get("Attempted to Contact", 0)
    assert 0 < moved < 500 and moved + by_status(org)["Working - Contacted"] == 500
    assert_every_open_lead_active(org)
    # the token is dead: log in again (refresh-token grant of an SFDX auth URL) and deploy again
    host = org.instance_url.removeprefix("https://")
    env: dict[str, str | None] = {name: None for name in ORG_ENV}
    env.update(REQUESTS_CA_BUNDLE=str(org.ca_file),
               SFDX_AUTH_URL=f"force://{org.client_id}:{org.client_secret}:{org.refresh_token}@{host}")
    result = CliRunner().invoke(main_group, ["deploy", str(spec), "--json"], env=env)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["migration"]
    assert {r["from"]: r["moved"] for r in doc["renames"]}["Working - Contacted"] == 500 - moved
    assert by_status(org) == {"Attempted to Contact": 500}
    assert statuses_in_org(org)["Working - Contacted"] is False


def test_ctrl_c_while_leads_move_says_to_deploy_again_not_to_resume_a_finished_deploy(org, spec, monkeypatch):
    """Ctrl-C after the first package is in: that deploy is done (there is nothing to resume); the rules
    are off until the same deploy runs again, which finishes the job."""
    from leadsync.org.records import LeadRecords

    seed(org, {"Working - Contacted": 5})
    real = LeadRecords.update_column

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt  # as Ctrl-C during the first save of leads

    monkeypatch.setattr(LeadRecords, "update_column", interrupted)
    result = cli(org, "deploy", str(spec))
    assert result.exit_code == 130, result.output
    assert "goes on in the org" not in result.stderr and "--resume" not in result.stderr
    assert ("interrupted; the deploy is in but moving the leads did not finish: every lead is on an active value, "
            "and leadsync's validation rules stay inactive until the same deploy is run again") in result.stderr
    assert_every_open_lead_active(org)
    monkeypatch.setattr(LeadRecords, "update_column", real)
    again = cli(org, "deploy", str(spec))
    assert again.exit_code == 0, again.output
    assert by_status(org) == {"Attempted to Contact": 5} and statuses_in_org(org)["Working - Contacted"] is False


def test_wait_running_out_before_leads_move_says_resume_is_not_enough(org, spec):
    """--resume only waits: it would report the first package (rules off) Succeeded, with no lead moved."""
    seed(org, {"Working - Contacted": 2})
    org.faults.deploy_seconds = 1
    result = cli(org, "deploy", str(spec), "--wait", "0")
    assert result.exit_code == 5, result.output
    assert "resume waiting with: leadsync deploy --resume" in result.stdout
    assert ("leads are still to move (renamed_from, backfill), and this deploy turns leadsync's validation rules "
            "off until they have: once it has finished, run the same deploy again (--resume only waits)") in result.stdout
    as_json = cli(org, "deploy", str(spec), "--wait", "0", "--json")
    assert as_json.exit_code == 5, as_json.output
    document = json.loads(as_json.stdout)
    assert document["resumeCommand"] and "--resume only waits" in document["movesPending"]


@pytest.mark.parametrize("preset", ["lifecycle", "salesforce-default"])
def test_import_of_a_deployed_preset_plans_no_changes(org, tmp_path, preset):
    """deploy a preset -> import the org -> the imported spec compiles to what the org holds, and plan
    (once it is there) says so."""
    from leadsync.build import build
    from leadsync.resources import presets_dir

    assert cli(org, "deploy", str(presets_dir() / f"{preset}.yaml")).exit_code == 0
    out = tmp_path / "imported.yaml"
    result = cli(org, "import", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "transitions:\n  - name:" in text  # leadsync's flow read back into transitions
    original = parse.parse_files(build(presets_dir() / f"{preset}.yaml", layout="mdapi").files)
    imported = parse.parse_files(build(out, layout="mdapi").files)
    assert imported.flows and original.flows
    from leadsync.importer.flow import same_flow

    assert same_flow(imported.flows[0], original.flows[0])
    assert [(v.full_name, v.default, v.converted) for v in imported.standard_value_sets[0].active_values] == \
        [(v.full_name, v.default, v.converted) for v in original.standard_value_sets[0].active_values]
    assert [r.formula for r in imported.lead.validation_rules] == [r.formula for r in original.lead.validation_rules]
    assert [f.full_name for f in imported.lead.fields] == [f.full_name for f in original.lead.fields]
    if "plan" in main_group.list_commands(None):
        planned = cli(org, "plan", str(out))
        assert planned.exit_code == 0, planned.output
        assert "No changes." in planned.stdout, planned.stdout


def test_the_local_org_refuses_a_layout_naming_a_field_lead_lacks(org, sf_client):
    import io
    import zipfile

    from leadsync.localorg.standard_layout import layout_xml

    bad = layout_xml().replace(b"<field>Title</field>", b"<field>Nope__c</field>")
    package = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">'
               b"<types><members>Lead-Lead Layout</members><name>Layout</name></types><version>63.0</version></Package>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("package.xml", package)
        z.writestr("layouts/Lead-Lead Layout.layout", bad)
    sf = sf_client(org)
    deploy_id, _ = sf.mdapi.deploy(io.BytesIO(buf.getvalue()), sandbox=True)
    import time

    for _ in range(100):
        status = sf.mdapi.check_deploy_status(deploy_id)
        if status[0] in ("Succeeded", "Failed"):
            break
        time.sleep(0.05)
    assert status[0] == "Failed"
    assert "no CustomField named Lead.Nope__c found" in str(status)
    assert b"Nope__c" not in org.store.get("Layout", "Lead-Lead Layout").content


def _deploy_zip(org, sf_client, files: dict[str, bytes]) -> None:
    import io
    import time
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    sf = sf_client(org)
    deploy_id, _ = sf.mdapi.deploy(io.BytesIO(buf.getvalue()), sandbox=True)
    for _ in range(200):
        state = sf.mdapi.check_deploy_status(deploy_id)[0]
        if state in ("Succeeded", "Failed"):
            break
        time.sleep(0.05)
    assert state == "Succeeded", sf.mdapi.check_deploy_status(deploy_id)


@pytest.mark.parametrize("others", [2, 2_100], ids=["collections", "bulk2"])
def test_leads_the_org_refuses_to_move_keep_the_old_value_active(org, spec, sf_client, others):
    """The org's own validation rule (not leadsync's: it stays on) refuses some moves: they are counted
    and listed, the old status stays active, leadsync's rules are on again, and the deploy exits 1."""
    ns = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
    _deploy_zip(org, sf_client, {
        "package.xml": f'<?xml version="1.0" encoding="UTF-8"?><Package {ns}><types><members>Lead.No_Blocked_Work'
                       f"</members><name>ValidationRule</name></types><version>63.0</version></Package>".encode(),
        "objects/Lead.object": f'<?xml version="1.0" encoding="UTF-8"?><CustomObject {ns}><validationRules>'
                               "<fullName>No_Blocked_Work</fullName><active>true</active>"
                               "<errorConditionFormula>AND(ISPICKVAL(Status, &quot;Attempted to Contact&quot;), "
                               "Company = &quot;Blocked&quot;)</errorConditionFormula>"
                               "<errorMessage>Blocked companies are not worked.</errorMessage>"
                               "</validationRules></CustomObject>".encode(),
    })
    org.add_leads([{"LastName": f"B{i}", "Company": "Blocked", "Status": "Working - Contacted"} for i in range(3)]
                  + [{"LastName": f"A{i}", "Company": "Acme", "Status": "Working - Contacted"} for i in range(others)])
    result = cli(org, "deploy", str(spec), "--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    rename = {r["from"]: r for r in doc["migration"]["renames"]}["Working - Contacted"]
    assert (rename["moved"], rename["failed"], rename["remaining"]) == (others, 3, 3)
    assert doc["migration"]["apis"][-1] == ("bulk2" if others > 2_000 else "collections")
    assert doc["migration"]["complete"] is False and doc["ok"] is False
    assert len(doc["migration"]["failures"]) == 3
    assert "Blocked companies are not worked." in doc["migration"]["failures"][0]["error"]
    assert statuses_in_org(org)["Working - Contacted"] is True
    assert_every_open_lead_active(org)
    stored = org.store.get("ValidationRule", "Lead.Lead_Stage_Forward_Only")
    assert b"<active>true</active>" in stored.content
    text = cli(org, "deploy", str(spec))
    assert "'Working - Contacted' stays active while 3 leads hold it: deploy again to finish" in text.stdout
