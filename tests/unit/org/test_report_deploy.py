"""Deploy outcomes as text and JSON (JUnit is checked end to end in tests/integration)."""

from __future__ import annotations

import json

from leadsync.diagnostics import Span, error
from leadsync.org.client import ComponentMessage, DeployStatus, OrgInfo, ApexTestFailure, ApexTestResults
from leadsync.org.deploy import DeployOutcome
from leadsync.org.guards import Removal
from leadsync.report.deploy import component_line, format_text, to_json

ORG = OrgInfo("00D5g00000ORGIDAAA", "Acme UAT", True, "Enterprise Edition", "https://127.0.0.1:8443")
FAIL = ComponentMessage("CustomField", "Lead.Lead_Stage__c", "objects/Lead.object", False,
                        problem="Picklist value: MQL not found", problem_type="Error", line=12, column=5)
OK = ComponentMessage("Flow", "Lead_Lifecycle", "flows/Lead_Lifecycle.flow", True, changed=True)


def status(**kw) -> DeployStatus:
    base = dict(id="0Af5g00000DEPLOYAA", status="Succeeded", done=True, success=True, components_total=2,
                components_deployed=2, components=(OK,))
    base.update(kw)
    return DeployStatus(**base)


def test_component_failure_reads_like_a_diagnostic():
    assert component_line(FAIL) == ("objects/Lead.object:12:5: error CustomField Lead.Lead_Stage__c: "
                                    "Picklist value: MQL not found")
    no_line = ComponentMessage("", "package.xml", "package.xml", False, problem="No package.xml found")
    assert component_line(no_line) == "package.xml: error package.xml: No package.xml found"


def test_success_text():
    text = format_text(DeployOutcome("deploy", "0Af5g00000DEPLOYAA", status(), ORG, elapsed=1.24))
    assert text == ("deploy 0Af5g00000DEPLOYAA Succeeded to 'Acme UAT' (00D5g00000ORGIDAAA, https://127.0.0.1:8443)"
                    " in 1.2 s: 2/2 components\n")


def test_failure_text_lists_every_failure_and_tests():
    failed = status(status="Failed", success=False, components_deployed=1, component_errors=1,
                    components=(FAIL, OK), tests_total=1, tests_completed=1, test_errors=1,
                    tests=ApexTestResults(run=1, failures=(ApexTestFailure("LeadTest", "testStage", "Assertion Failed",
                                                                   "Class.LeadTest.testStage: line 9"),)))
    lines = format_text(DeployOutcome("deploy", failed.id, failed, ORG)).splitlines()
    assert lines[0].startswith("objects/Lead.object:12:5: error CustomField Lead.Lead_Stage__c:")
    assert lines[1] == "test LeadTest.testStage: error: Assertion Failed"
    assert lines[2] == "    Class.LeadTest.testStage: line 9"
    assert "Failed" in lines[-1] and "rolled back, nothing was changed" in lines[-1]


def test_validation_success_offers_the_quick_deploy_command():
    checked = status(check_only=True)
    text = format_text(DeployOutcome("validate", checked.id, checked, ORG), ("--target-org", "my uat"))
    assert "nothing was changed (check-only)" in text
    assert "leadsync deploy --quick 0Af5g00000DEPLOYAA --target-org 'my uat'" in text


def test_still_running_prints_the_id_and_the_resume_command():
    running = status(status="InProgress", done=False, success=False, components_deployed=1)
    outcome = DeployOutcome("deploy", running.id, running, ORG, still_running=True, wait_seconds=6)
    text = format_text(outcome, ("--target-org", "local"))
    assert "still running: InProgress (1/2 components) after --wait 0.1 min" in text
    assert "deploy id: 0Af5g00000DEPLOYAA" in text
    assert "resume waiting with: leadsync deploy --resume 0Af5g00000DEPLOYAA --target-org local" in text
    doc = to_json(outcome, exit_code=5, org_args=("--target-org", "local"))
    assert doc["stillRunning"] and doc["exitCode"] == 5
    assert doc["resumeCommand"] == "leadsync deploy --resume 0Af5g00000DEPLOYAA --target-org local"


def test_spec_errors_text_and_json():
    d = error("LS012", "duplicate status 'Working'", Span("leadsync.yaml", 9, 5))
    outcome = DeployOutcome("deploy", diagnostics=(d,))
    assert format_text(outcome) == ("leadsync.yaml:9:5: error LS012: duplicate status 'Working'\n"
                                    "the spec has errors: nothing was sent to the org\n")
    doc = to_json(outcome, exit_code=1)
    assert doc["id"] is None and doc["diagnostics"][0]["code"] == "LS012" and doc["ok"] is False


def test_json_has_the_contract_keys_and_is_serialisable():
    failed = status(status="Failed", success=False, component_errors=1, components=(FAIL, OK))
    doc = json.loads(json.dumps(to_json(DeployOutcome("deploy", failed.id, failed, ORG, elapsed=2.0), exit_code=1)))
    for key in ("id", "status", "success", "checkOnly", "components", "tests"):
        assert key in doc
    assert doc["components"][0] == {
        "type": "CustomField", "name": "Lead.Lead_Stage__c", "file": "objects/Lead.object", "line": 12,
        "column": 5, "problem": "Picklist value: MQL not found", "problemType": "Error", "success": False,
        "created": False, "changed": False, "deleted": False, "spec": None}
    assert doc["org"]["isSandbox"] is True


def test_cancel_outcomes():
    canceled = status(status="Canceled", success=False)
    assert DeployOutcome("cancel", canceled.id, canceled).success
    assert not DeployOutcome("cancel", "x", status()).success
    assert "finished before it could be canceled" in format_text(DeployOutcome("cancel", "x", status()))


REMOVALS = (Removal("Lead.Status", "Open - Not Contacted", 0), Removal("Lead.Status", "Working - Contacted", 1204))


def test_a_deploy_that_deactivated_values_says_which_with_their_leads():
    outcome = DeployOutcome("deploy", "0Af5g00000DEPLOYAA", status(), ORG, removals=REMOVALS, allow_destructive=True)
    lines = format_text(outcome).splitlines()
    assert lines[-2] == ("deactivated: Lead.Status 'Open - Not Contacted' (0 leads), "
                         "Lead.Status 'Working - Contacted' (1,204 leads)")
    assert to_json(outcome)["deactivated"] == [
        {"field": "Lead.Status", "value": "Open - Not Contacted", "leads": 0, "converted": 0},
        {"field": "Lead.Status", "value": "Working - Contacted", "leads": 1204, "converted": 0}]


def test_a_failed_deploy_deactivated_nothing():
    failed = status(status="Failed", success=False, component_errors=1, components=(FAIL, OK))
    assert "deactivated" not in format_text(DeployOutcome("deploy", failed.id, failed, ORG, removals=REMOVALS))


def test_a_validation_warns_about_values_that_leads_hold():
    checked = status(check_only=True)
    text = format_text(DeployOutcome("validate", checked.id, checked, ORG, removals=REMOVALS))
    (warning,) = [line for line in text.splitlines() if line.startswith("warning:")]
    assert warning.startswith("warning: this would deactivate values that leads hold: "
                              "Lead.Status 'Working - Contacted' (1,204 leads); deploying the spec without "
                              "--allow-destructive is refused")
    assert "Open - Not Contacted" not in warning
    unheld = format_text(DeployOutcome("validate", checked.id, checked, ORG, removals=REMOVALS[:1]))
    assert "warning" not in unheld and "deactivated" not in unheld


def test_json_lists_no_deactivated_values_when_there_are_none():
    assert to_json(DeployOutcome("deploy", "x", status(), ORG))["deactivated"] == []
    assert to_json(None, error=Exception("refused"), exit_code=4)["deactivated"] == []
