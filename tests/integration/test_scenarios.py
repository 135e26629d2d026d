"""`leadsync test` end to end: a preset deployed to the local org (its flow and validation rules run on
every save), then its scenarios run through the CLI with simple-salesforce and the SOAP partner
convertLead, over real TLS.

Also here: guards that run on create and when their field changes (existing leads stay editable), and
the mutation test: a template altered so that a flow condition is inverted or a guard dropped makes the
scenarios fail.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir, templates_dir
from leadsync.spec.load import load_spec

PRESETS = sorted(presets_dir().glob("*.yaml"))
LIFECYCLE = presets_dir() / "lifecycle.yaml"
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
           "LEADSYNC_LOCAL_ORG_STATE")


def invoke(org, *args: str, url: str | None = None):
    env: dict[str, str | None] = {name: None for name in ORG_ENV}
    env.update(REQUESTS_CA_BUNDLE=str(org.ca_file), SF_ACCESS_TOKEN=org.access_token)
    command, rest = args[0], args[1:]
    return CliRunner().invoke(main_group, [command, *rest[:1], "--instance-url", url or org.instance_url, *rest[1:]],
                              env=env)


def deployed(org, spec: Path, *extra: str) -> None:
    result = invoke(org, "deploy", str(spec), *extra)
    assert result.exit_code == 0, result.output


def steps_of(spec: Path) -> int:
    return sum(len(s.steps) for s in load_spec(spec).spec.scenarios)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_every_preset_scenario_passes_in_the_local_org(local_org, preset):
    deployed(local_org, preset)
    result = invoke(local_org, "test", str(preset))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert sum(line.startswith("  ok    ") for line in lines) == steps_of(preset)  # a line per step
    assert lines[-1].startswith(f"{len(load_spec(preset).spec.scenarios)} scenarios, {steps_of(preset)} steps")
    assert "all passed" in lines[-1]
    assert local_org.access_token not in result.output
    # Each scenario's lead is deleted afterwards, and so are the account, contact and opportunity of a
    # conversion.
    assert [lead for lead in local_org.leads.all() if not lead.get("IsConverted")] == []
    assert "not cleaned up" not in result.output
    assert all(local_org.leads.store.count(kind) == 0 for kind in ("Account", "Contact", "Opportunity"))
    assert local_org.calls.count("convertLead") == sum(
        1 for s in load_spec(preset).spec.scenarios for st in s.steps if st.action == "convert")


def test_a_failed_expectation_names_the_scenario_step_expected_and_actual(local_org, tmp_path):
    deployed(local_org, LIFECYCLE)
    spec = tmp_path / "wrong.yaml"
    spec.write_text(f"""leadsync: 1
name: lifecycle
extends: {LIFECYCLE}
scenarios:
  - name: Wrong on purpose
    steps:
      - create: {{LastName: Doe, Company: Acme}}
        expect: {{stage: Lead}}
      - update: {{Status: Connected}}
        expect: {{stage: MQL, status: Connected}}
      - update: {{Title: CEO}}
        expect: {{error: Unqualified Reason}}
      - update: {{Status: Unqualified}}
        expect: {{stage: SQL}}
""")
    junit = tmp_path / "junit.xml"
    result = invoke(local_org, "test", str(spec), "--junit", str(junit))
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "Scenario: Wrong on purpose" in out
    assert "  FAIL  2 update {Status: Connected}" in out
    assert "expected: stage MQL, status Connected" in out and "actual:   stage SQL, status Connected" in out
    assert "stage: expected MQL, got SQL" in out
    assert "  FAIL  3 update {Title: CEO}" in out and "expected a validation error containing 'Unqualified Reason'; " \
        "the save succeeded" in out
    assert "  FAIL  4 update {Status: Unqualified}" in out and "the save failed: FIELD_CUSTOM_VALIDATION_EXCEPTION" in out
    assert "3 steps failed" in out.splitlines()[-1]
    suite = ET.parse(junit).getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["Wrong on purpose"].find("failure").get("message").startswith("step 2 (update): stage: expected MQL")
    assert cases["Working a lead makes it SQL"].find("failure") is None


def test_json_reports_every_step(local_org):
    deployed(local_org, LIFECYCLE)
    result = invoke(local_org, "test", str(LIFECYCLE), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["exit_code"] == 0 and doc["spec"] == "lifecycle"
    steps = [st for s in doc["scenarios"] for st in s["steps"]]
    assert len(steps) == steps_of(LIFECYCLE) and all(st["ok"] for st in steps)
    convert = next(st for st in steps if st["action"] == "convert")
    assert convert["actual"]["stage"] == "Opportunity" and convert["actual"]["status"] == "Open Deal"
    error = next(st for st in steps if "error" in st["expected"])
    assert "Unqualified Reason is required" in error["actual"]["error"]


def test_an_org_that_cannot_be_reached_exits_3(local_org):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = invoke(local_org, "test", str(LIFECYCLE), "--json", url=f"https://127.0.0.1:{port}")
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["exit_code"] == 3


def test_a_spec_without_scenarios_has_nothing_to_test(local_org, tmp_path):
    spec = tmp_path / "none.yaml"
    spec.write_text("leadsync: 1\nname: x\nstages: [{value: Lead}, {value: SQL}]\n"
                    "statuses: [{value: New, default: true}, {value: Won, converted: true}]\n")
    result = invoke(local_org, "test", str(spec))
    assert result.exit_code == 0 and "no scenarios" in result.stderr


def test_guards_run_on_create_and_when_their_field_changes(local_org, sf_client):
    """Issue 7: leads saved before the guards existed (no stage, Unqualified without a reason) can still
    be edited; changing the guarded field checks them again."""
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    deployed(local_org, LIFECYCLE)
    old_unqualified, no_stage = local_org.seed_leads([
        {"LastName": "Old", "Company": "Legacy", "Status": "Unqualified", "Lead_Stage__c": "SQL"},
        {"LastName": "Stageless", "Company": "Legacy", "Status": "New"},
    ])
    sf = sf_client(local_org)
    sf.Lead.update(old_unqualified, {"Title": "VP Sales"})  # an edit of another field passes
    sf.Lead.update(no_stage, {"Rating": "Warm"})
    assert sf.Lead.get(old_unqualified)["Title"] == "VP Sales"
    with pytest.raises(SalesforceMalformedRequest, match="Unqualified Reason is required"):
        sf.Lead.update(no_stage, {"Status": "Unqualified"})  # the guarded field changes: checked again
    with pytest.raises(SalesforceMalformedRequest, match="Unqualified Reason is required"):
        sf.Lead.create({"LastName": "New", "Company": "Acme", "Status": "Unqualified"})  # on create


MUTATIONS = {
    # Every flow condition inverted: leads are lifted to SQL on the wrong statuses, converted on saves.
    "flow condition inverted": ("Flow.xml.j2", "<operator>{{ condition.operator }}</operator>",
                                '<operator>{{ "NotEqualTo" if condition.operator == "EqualTo" '
                                'else condition.operator }}</operator>'),
    # Every guard deployed inactive: the saves that must fail pass.
    "guard dropped": ("ValidationRule.xml.j2", "<active>{{ rule.active }}</active>", "<active>false</active>"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_mutated_template_makes_the_scenarios_fail(local_org, tmp_path, mutation):
    name, old, new = MUTATIONS[mutation]
    text = (templates_dir() / name).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / name).write_text(text.replace(old, new), encoding="utf-8")
    deployed(local_org, LIFECYCLE, "--templates", str(tmp_path / "templates"))
    result = invoke(local_org, "test", str(LIFECYCLE), "--json")
    assert result.exit_code == 1, result.output
    failed = [st for s in json.loads(result.stdout)["scenarios"] for st in s["steps"] if not st["ok"]]
    assert failed
    if mutation == "guard dropped":
        assert any("error" in st["expected"] for st in failed)  # the saves that had to fail passed


def test_deploy_runs_the_scenarios_apex_test_unless_told_otherwise(local_org):
    deployed(local_org, LIFECYCLE)
    (first,) = local_org.calls.of("deploy")
    assert first.detail["testLevel"] == "RunSpecifiedTests"
    assert first.detail["runTests"] == ["lifecycle_Lifecycle_Test"]
    spec = load_spec(LIFECYCLE).spec
    changed = LIFECYCLE.read_text(encoding="utf-8").replace("label: Lifecycle Stage", "label: Journey Stage")
    other = local_org.state_dir.parent / "changed.yaml"
    other.write_text(changed.replace("extends:", "# extends:"), encoding="utf-8")
    deployed(local_org, other, "--test-level", "NoTestRun")
    assert local_org.calls.of("deploy")[-1].detail["testLevel"] == "NoTestRun"
    assert spec.scenarios


@pytest.mark.parametrize("allowed", [None, True, False])
def test_plan_says_whether_a_production_org_deploys_the_flow_active(local_org_factory, tmp_path, allowed):
    org = local_org_factory(production=True)
    if allowed is not None:  # an org whose admin set "Deploy processes and flows as active"
        settings = tmp_path / "settings"
        settings.mkdir()
        (settings / "package.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">'
            "<types><members>Flow</members><name>Settings</name></types><version>63.0</version></Package>")
        (settings / "settings").mkdir()
        (settings / "settings" / "Flow.settings").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><FlowSettings xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"<enableFlowDeployAsActiveEnabled>{str(allowed).lower()}</enableFlowDeployAsActiveEnabled></FlowSettings>")
        import io
        import zipfile

        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as z:
            for path in settings.rglob("*"):
                if path.is_file():
                    z.write(path, path.relative_to(settings).as_posix())
        from leadsync.localorg.deploys import Options

        org.deploys.submit(data.getvalue(), Options(test_level="RunLocalTests"))
        org.deploys.finish_all()
    result = invoke(org, "plan", str(LIFECYCLE))
    assert result.exit_code == 0, result.output
    if allowed:
        assert "deploys active" in result.output and "lifecycle_Lifecycle_Test" in result.output
    else:
        assert "arrives inactive" in result.output


def test_the_local_org_refuses_a_bypass_permission_that_does_not_exist(local_org):
    """The permission set and every guard name the custom permission: without it the deploy fails."""
    import io
    import re
    import zipfile

    from leadsync.build import build
    from leadsync.localorg.deploys import Options

    files = dict(build(LIFECYCLE, layout="mdapi").files)
    assert "customPermissions/Lifecycle_Override.customPermission" in files
    del files["customPermissions/Lifecycle_Override.customPermission"]
    files["package.xml"] = re.sub(rb"\s*<types>\s*<members>Lifecycle_Override</members>\s*<name>CustomPermission</name>"
                                  rb"\s*</types>", b"", files["package.xml"])
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for path, content in files.items():
            z.writestr(path, content)
    job = local_org.deploys.submit(data.getvalue(), Options(test_level="NoTestRun"))
    local_org.deploys.finish_all()
    problems = " | ".join(f.problem or "" for f in job.failures)
    assert job.status == "Failed"
    assert "no CustomPermission named Lifecycle_Override found" in problems
    assert "Lifecycle_Override" in problems.replace("no CustomPermission named Lifecycle_Override found", "") \
        or len(job.failures) >= 2  # the guards' $Permission.Lifecycle_Override too


def test_bad_input_gives_exit_codes_not_tracebacks(tmp_path):
    env = {name: None for name in ORG_ENV}
    bad = tmp_path / "bad.yaml"
    bad.write_text("leadsync: 1\nname: x\nstages: [{value: A}]\n")
    invalid = CliRunner().invoke(main_group, ["test", str(bad), "--instance-url", "https://127.0.0.1:9"], env=env)
    assert invalid.exit_code == 1 and "bad.yaml:" in invalid.stderr and "Traceback" not in invalid.output
    no_org = CliRunner().invoke(main_group, ["test", str(LIFECYCLE)], env=env)
    assert no_org.exit_code == 2 and "no org given" in no_org.stderr
    junit = tmp_path / "out.xml"
    CliRunner().invoke(main_group, ["test", str(bad), "--junit", str(junit), "--instance-url", "https://x"], env=env)
    assert ET.parse(junit).getroot().find(".//failure") is not None


def test_a_production_org_is_refused_without_allow_production(local_org_factory):
    org = local_org_factory(production=True)
    deployed(org, LIFECYCLE, "--allow-production")
    refused = invoke(org, "test", str(LIFECYCLE))
    assert refused.exit_code == 4, refused.output
    assert "--allow-production" in refused.output and "production org" in refused.output
    assert org.calls.count("create") == 0 and org.leads.all() == []  # not one lead written
    allowed = invoke(org, "test", str(LIFECYCLE), "--allow-production")
    assert allowed.exit_code == 0, allowed.output
