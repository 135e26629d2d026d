"""`leadsync deploy` end to end: the CLI, simple-salesforce unmodified, real TLS, the local org.

Each test starts its own local org (a fresh state dir, a free port) and reaches it with the ORG-OPTIONS
a user would type. What the org was asked is checked in `org.calls`; every output is checked for the
org's secrets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.localorg.server import LocalOrg
from leadsync.resources import presets_dir, templates_dir

PRESET = presets_dir() / "lifecycle.yaml"
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
           "LEADSYNC_LOCAL_ORG_STATE")
BAD_SPEC = (Path(__file__).resolve().parents[1] / "fixtures" / "invalid" / "duplicate_status.yaml").read_text(encoding="utf-8")


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def org(local_org_factory):
    return local_org_factory(deploy_seconds=0.2)  # long enough to see Pending/InProgress once


def deploy(org, *args: str, env: dict[str, str | None] | None = None, token: bool = True, trust: bool = True):
    """`leadsync deploy ARGS` in this process (click's CliRunner), in a clean org environment."""
    base: dict[str, str | None] = {name: None for name in ORG_ENV}
    if trust:
        base["REQUESTS_CA_BUNDLE"] = str(org.ca_file)
    if token:
        base["SF_ACCESS_TOKEN"] = org.access_token
    base.update(env or {})
    return CliRunner().invoke(main_group, ["deploy", *args], env=base)


def by_url(org) -> list[str]:
    return ["--instance-url", org.instance_url]


def assert_no_secret(result, org, *extra: str) -> None:
    for secret in (org.access_token, org.refresh_token, org.client_secret, org.password, *extra):
        assert secret not in result.stdout, "a secret appears on stdout"
        assert secret not in result.stderr, "a secret appears on stderr"


def auth_url(org, secret: bool = True) -> str:
    host = org.instance_url.removeprefix("https://")
    return f"force://{org.client_id}:{org.client_secret if secret else ''}:{org.refresh_token}@{host}"


def deploy_id_of(result) -> str:
    return json.loads(result.stdout)["id"]


def status_calls(org) -> int:
    return org.calls.count("checkDeployStatus")


# Authenticated calls up to the deploy itself, on a fresh org: the Organization query; the plan's
# listMetadata (Lead layouts), retrieve, checkRetrieveStatus twice (state, then the zip) and its Lead
# query (renamed statuses); the deploy.
CALLS_TO_DEPLOY = 7


# --- deploying ------------------------------------------------------------------------------------


def test_deploy_succeeds(org):
    result = deploy(org, str(PRESET), *by_url(org))
    assert result.exit_code == 0, result.output
    assert "Succeeded" in result.stdout and "'leadsync local org'" in result.stdout
    assert "deploy submitted: 0Af" in result.stderr  # the id is in CI logs before the wait
    (call,) = org.calls.of("deploy")
    assert call.detail["checkOnly"] is False and call.detail["rollbackOnError"] is True
    before = org.calls.names()[:org.calls.names().index("deploy")]
    # the Organization, the Lead layouts' names, then one retrieve of what the spec manages (the plan)
    assert before[:3] == ["query", "listMetadata", "retrieve"] and before.count("retrieve") == 1
    assert 1 <= status_calls(org) <= 3
    assert_no_secret(result, org)


def test_dry_run_is_check_only_and_leaves_the_org_unchanged(org):
    result = deploy(org, str(PRESET), *by_url(org), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "nothing was changed (check-only)" in result.stdout
    assert org.calls.of("deploy")[0].detail["checkOnly"] is True
    assert "leadsync deploy --quick 0Af" in result.stdout
    # nothing was committed: a real deploy now creates every component
    result = deploy(org, str(PRESET), *by_url(org), "--json")
    assert any(c["created"] for c in json.loads(result.stdout)["components"])


def test_quick_deploy_of_a_validation(org):
    validation = deploy(org, str(PRESET), *by_url(org), "--dry-run", "--json")
    assert validation.exit_code == 0
    validation_id = deploy_id_of(validation)
    quick = deploy(org, *by_url(org), "--quick", validation_id, "--json")
    assert quick.exit_code == 0, quick.output
    doc = json.loads(quick.stdout)
    assert doc["action"] == "quick" and doc["success"] and not doc["checkOnly"] and doc["id"] != validation_id
    assert org.calls.of("deployRecentValidation")[0].detail["validationId"] == validation_id


@pytest.mark.parametrize("level, tests", [("RunSpecifiedTests", ["LeadLifecycleTest", "LeadStageTest"]),
                                          ("RunLocalTests", []), ("NoTestRun", [])])
def test_test_levels_are_sent(org, level, tests):
    args = ["--test-level", level] + (["--tests", ",".join(tests)] if tests else [])
    result = deploy(org, str(PRESET), *by_url(org), "--dry-run", *args)
    assert result.exit_code == 0, result.output
    call = org.calls.of("deploy")[0]
    assert call.detail["testLevel"] == level and call.detail["runTests"] == tests


def test_spec_errors_exit_1_and_nothing_is_sent(org, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    result = deploy(org, str(spec), *by_url(org))
    assert result.exit_code == 1
    assert f"{spec}:" in result.stdout and "error LS" in result.stdout
    assert "nothing was sent" in result.stdout
    assert len(org.calls) == 0


def broken_templates(tmp_path: Path, status: str = "Not A Status") -> Path:
    """A template override whose lead process offers a status that does not exist: valid XML, refused by the org."""
    folder = tmp_path / "templates"
    folder.mkdir()
    original = (templates_dir() / "BusinessProcess.xml.j2").read_text()
    extra = f"<values><fullName>{status}</fullName><default>false</default></values>\n"
    lines = original.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "<isActive>" in line) + 1
    (folder / "BusinessProcess.xml.j2").write_text("".join(lines[:at] + [extra] + lines[at:]))
    return folder


def test_component_failure_is_listed_and_exits_1(org, tmp_path):
    result = deploy(org, str(PRESET), *by_url(org), "--templates", str(broken_templates(tmp_path)))
    assert result.exit_code == 1, result.output
    line = next(l for l in result.stdout.splitlines() if "error BusinessProcess" in l)
    # the preset declares no lead process: the default one is named after the spec's `name`
    assert line.startswith(f"{PRESET}:{name_line(PRESET)}:"), line
    assert "error BusinessProcess Lead.lifecycle Lead Process:" in line and "Not A Status" in line
    assert "(in objects/Lead.object:" in line
    assert "Failed" in result.stdout and "rolled back, nothing was changed" in result.stdout


def name_line(spec) -> int:
    return next(i for i, text in enumerate(spec.read_text().splitlines(), start=1) if text.startswith("name:"))


def test_json_is_one_document_with_every_component(org, tmp_path):
    result = deploy(org, str(PRESET), *by_url(org), "--templates", str(broken_templates(tmp_path)), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)  # exactly one document: anything else would not parse
    assert (doc["status"], doc["success"], doc["checkOnly"], doc["exitCode"]) == ("Failed", False, False, 1)
    failed = [c for c in doc["components"] if not c["success"]]
    assert failed[0]["type"] == "BusinessProcess" and failed[0]["file"] == "objects/Lead.object"
    assert failed[0]["line"] and "Not A Status" in failed[0]["problem"]
    assert set(doc["tests"]) >= {"total", "failures"}


def test_junit_has_one_case_per_component(org, tmp_path):
    junit = tmp_path / "reports" / "deploy.xml"
    result = deploy(org, str(PRESET), *by_url(org), "--templates", str(broken_templates(tmp_path)),
                    "--junit", str(junit), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert len(cases) == len(doc["components"])
    failing = [c for c in cases if c.find("failure") is not None]
    assert len(failing) == sum(1 for c in doc["components"] if not c["success"]) >= 1
    assert not list(junit.parent.glob(".*"))  # written atomically: no temp file left behind


def test_junit_is_redacted_like_the_other_outputs(org, tmp_path):
    """The org echoes the unknown status in its problem; here that status is the access token."""
    junit = tmp_path / "deploy.xml"
    result = deploy(org, str(PRESET), *by_url(org), "--templates", str(broken_templates(tmp_path, org.access_token)),
                    "--junit", str(junit))
    assert result.exit_code == 1, result.output
    assert_no_secret(result, org)
    text = junit.read_text()
    assert "error BusinessProcess" in text and "***" in text
    assert org.access_token not in text


def junit_cases(junit: Path) -> list[ET.Element]:
    return ET.parse(junit).getroot().findall(".//testcase")


def refused_connection_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"https://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("case, code, message", [
    ("production", 4, "refusing to deploy to the production org"),
    ("unreachable", 3, "connection refused"),
    ("bad auth url", 3, "authentication failed"),
])
def test_junit_is_written_when_the_deploy_ends_with_an_error(local_org_factory, tmp_path, case, code, message):
    org = local_org_factory(production=case == "production")
    junit = tmp_path / "reports" / "deploy.xml"
    bad_token = "5Aep861NotTheRightRefreshTokenAtAll"
    if case == "bad auth url":
        result = deploy(org, str(PRESET), "--junit", str(junit), token=False,
                        env={"SFDX_AUTH_URL": auth_url(org).replace(org.refresh_token, bad_token)})
    else:
        url = refused_connection_url() if case == "unreachable" else org.instance_url
        result = deploy(org, str(PRESET), "--instance-url", url, "--junit", str(junit))
    assert result.exit_code == code, result.output
    (only,) = junit_cases(junit)
    failure = only.find("failure")
    assert failure is not None and message in failure.text and message in failure.get("message")
    assert (only.get("name"), only.get("classname")) == ("deploy", "leadsync.deploy")
    text = junit.read_text()
    for secret in (org.access_token, org.refresh_token, org.client_secret, bad_token):
        assert secret not in text


def test_junit_of_a_spec_with_errors_has_a_failing_case_per_error(org, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    junit = tmp_path / "deploy.xml"
    result = deploy(org, str(spec), *by_url(org), "--junit", str(junit))
    assert result.exit_code == 1, result.output
    cases = junit_cases(junit)
    assert cases and all(c.find("failure") is not None and c.get("classname") == "leadsync.spec" for c in cases)
    missing = deploy(org, str(tmp_path / "nowhere.yaml"), *by_url(org), "--junit", str(junit))
    assert missing.exit_code == 1, missing.output
    (only,) = junit_cases(junit)
    assert "no such file" in only.find("failure").text


# --- a rough network ----------------------------------------------------------------------------


def test_503s_and_dropped_connections_while_polling_are_retried(org):
    org.faults.status_calls = ("checkDeployStatus",)  # not the retrieve of the value-removal guard
    org.faults.status_503 = 2
    org.faults.drop_connections = 2
    result = deploy(org, str(PRESET), *by_url(org))
    assert result.exit_code == 0, result.output
    assert org.calls.count("deploy") == 1  # never submitted twice
    assert status_calls(org) >= 5  # four refused, then the real answer


def test_too_many_failures_give_up_with_the_deploy_id(org):
    """The use case itself, with a fast backoff policy (the CLI's waits 23 s before giving up)."""
    from leadsync.errors import OrgUnreachable
    from leadsync.org import auth
    from leadsync.org import deploy as use_case
    from leadsync.org.poll import PollPolicy

    org.faults.status_calls = ("checkDeployStatus",)
    org.faults.status_503 = 50
    options = auth.OrgOptions(instance_url=org.instance_url)
    env = {"SF_ACCESS_TOKEN": org.access_token, "REQUESTS_CA_BUNDLE": str(org.ca_file)}
    fast = use_case.Waiting(policy=PollPolicy(backoff_first=0.01, backoff_max=0.02))
    with pytest.raises(OrgUnreachable) as raised:
        use_case.deploy_spec(PRESET, lambda v: auth.connect(options, api_version=v, environ=env),
                             use_case.DeployRequest(), waiting=fast)
    message = str(raised.value)
    assert "HTTP 503" in message and "leadsync deploy --resume 0Af" in message
    assert org.calls.count("deploy") == 1 and status_calls(org) == 7


def test_session_expiry_is_renewed_with_an_auth_url(org):
    org.faults.expire_session_after = CALLS_TO_DEPLOY  # the deploy passes; then the token is dead
    org.faults.deploy_seconds = 1
    result = deploy(org, str(PRESET), env={"SFDX_AUTH_URL": auth_url(org)}, token=False)
    assert result.exit_code == 0, result.output
    assert org.calls.count("token") == 2 and org.calls.count("deploy") == 1
    assert_no_secret(result, org, auth_url(org))


def test_session_expiry_with_an_access_token_exits_3(org):
    org.faults.expire_session_after = CALLS_TO_DEPLOY
    org.faults.deploy_seconds = 2
    result = deploy(org, str(PRESET), *by_url(org))
    assert result.exit_code == 3, result.output
    assert "INVALID_SESSION_ID" in result.stderr and "cannot be renewed" in result.stderr
    assert "leadsync deploy --resume 0Af" in result.stderr
    assert "Traceback" not in result.output
    assert_no_secret(result, org)


# --- guards and waiting -------------------------------------------------------------------------


@pytest.fixture
def production(local_org_factory):
    return local_org_factory(production=True)


def test_production_is_refused_with_exit_4(production):
    result = deploy(production, str(PRESET), *by_url(production))
    assert result.exit_code == 4, result.output
    for part in ("production", production.org_id, production.instance_url, "--allow-production"):
        assert part in result.stderr
    assert production.calls.count("deploy") == 0
    assert production.calls.names() == ["query"]  # refused before the value-removal guard asks anything


def test_production_is_deployed_with_allow_production(production):
    result = deploy(production, str(PRESET), *by_url(production), "--allow-production",
                    "--test-level", "RunLocalTests")
    assert result.exit_code == 0, result.output
    assert production.calls.count("deploy") == 1


@pytest.mark.parametrize("args, action, check_only", [
    ([str(PRESET)], "deploy", False),
    ([str(PRESET), "--dry-run"], "validate", True),
    (["--quick", "0Af5g00000ABCDEFGH"], "quick", False),
    (["--resume", "0Af5g00000ABCDEFGH"], "resume", False),
    (["--cancel", "0Af5g00000ABCDEFGH"], "cancel", False),
])
def test_refused_json_says_the_action_and_check_only(production, args, action, check_only):
    result = deploy(production, *args, *by_url(production), "--json")
    assert result.exit_code == 4, result.output
    doc = json.loads(result.stdout)
    assert (doc["action"], doc["checkOnly"], doc["exitCode"]) == (action, check_only, 4)
    assert "production org" in doc["error"]["message"]


def test_cancel_and_resume_in_production_need_the_flag(production):
    production.faults.deploy_seconds = 30
    started = deploy(production, str(PRESET), *by_url(production), "--allow-production", "--wait", "0", "--json")
    assert started.exit_code == 5, started.output
    deploy_id = deploy_id_of(started)
    assert "--allow-production" in json.loads(started.stdout)["resumeCommand"]  # the printed command works
    for flag, doing in (("--resume", "wait for a deploy in"), ("--cancel", "cancel a deploy in")):
        before = len(production.calls)
        refused = deploy(production, *by_url(production), flag, deploy_id)
        assert refused.exit_code == 4, refused.output
        assert f"refusing to {doing} the production org" in refused.stderr and "--allow-production" in refused.stderr
        assert production.calls.names()[before:] == ["query"]  # the Organization, nothing else
    canceled = deploy(production, *by_url(production), "--cancel", deploy_id, "--allow-production")
    assert canceled.exit_code == 0, canceled.output
    assert f"deploy {deploy_id} Canceled in 'leadsync local org'" in canceled.stdout
    assert production.calls.of("cancelDeploy")[0].detail["id"] == deploy_id


def test_org_error_names_its_code_once(production):
    result = deploy(production, str(PRESET), *by_url(production), "--allow-production", "--test-level", "NoTestRun")
    assert result.exit_code == 1, result.output
    # the plan's summary lines come first on stderr, then the one error line
    assert result.stderr.endswith("\nerror: the org refused deploy: INVALID_OPERATION: testLevel of NoTestRun "
                                  "cannot be used in production organizations\n")
    assert result.stderr.count("INVALID_OPERATION") == 1
    unknown = deploy(production, *by_url(production), "--cancel", "0Af5g00000ABCDEFGH", "--allow-production")
    assert unknown.exit_code == 1, unknown.output
    assert "refused cancelDeploy: INVALID_CROSS_REFERENCE_KEY: invalid cross reference id" in unknown.stderr


def test_production_validation_is_refused_too_without_the_flag(production):
    result = deploy(production, str(PRESET), *by_url(production), "--dry-run", "--test-level", "RunLocalTests")
    assert result.exit_code == 4, result.output
    assert production.calls.count("deploy") == 0
    allowed = deploy(production, str(PRESET), *by_url(production), "--dry-run", "--allow-production")
    assert allowed.exit_code == 0, allowed.output


# --- value removal (--allow-destructive) ---------------------------------------------------------

GUARD_QUERY = "SELECT {0}, IsConverted, COUNT(Id) n FROM Lead GROUP BY {0}, IsConverted"
FRESH_ORG_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted")
# The presets rename Salesforce's four default statuses (their leads move): this overlay drops them instead.
NO_RENAMES = "".join(f"  - {{value: {v}, renamed_from: null}}\n"
                     for v in ("New", "Attempted to Contact", "Open Deal", "Unqualified"))


def add_leads(org, n: int, **fields: str) -> None:
    org.add_leads([{"LastName": f"Lead {i}", "Company": "Acme", **fields} for i in range(n)])


def add_converted_leads(org, n: int, status: str) -> None:
    """Converted leads, as lead conversion leaves them (read-only; IsConverted cannot be set by an insert)."""
    from leadsync.localorg import ids
    from leadsync.localorg.records import RecordStore

    rows = [{"Id": ids.new_id("Lead"), "LastName": f"Converted {i}", "Company": "Acme", "Status": status,
             "IsConverted": True, "IsDeleted": False} for i in range(n)]
    RecordStore(org.state.records_dir).insert("Lead", rows)


def lead_queries(org) -> list[str]:
    return [c.detail["q"] for c in org.calls.of("query") if " FROM Lead " in c.detail["q"] and "COUNT(" in c.detail["q"]]


def active_in_org(org, field: str = "Status") -> dict[str, bool]:
    """The org's values of a picklist, as it stores them: value -> active."""
    from leadsync.metadata import parse

    if field == "Status":
        data = org.store.get("StandardValueSet", "LeadStatus").content
        values = parse.parse_standard_value_set(parse.parse_xml(field, data), "LeadStatus").values
    else:
        data = org.store.get("CustomField", f"Lead.{field}").content
        values = parse.parse_custom_field(parse.parse_xml(field, data), field).values
    return {v.full_name: v.is_active for v in values}


def overlay(tmp_path: Path, text: str, name: str = "overlay.yaml", base: Path = PRESET) -> Path:
    spec = tmp_path / name
    spec.write_text(f"leadsync: 1\nextends: {base}\n{text}")
    return spec


@pytest.fixture
def dropping(tmp_path) -> Path:
    """The lifecycle preset without its renames: Salesforce's default statuses are simply left out."""
    return overlay(tmp_path, f"statuses:\n{NO_RENAMES}", name="dropping.yaml")


def test_a_fresh_org_loses_only_values_no_lead_holds_so_no_flag_is_needed(org, dropping):
    result = deploy(org, str(dropping), *by_url(org))
    assert result.exit_code == 0, result.output
    deactivated = ", ".join(f"Lead.Status '{v}' (0 leads)" for v in FRESH_ORG_STATUSES)
    assert f"deactivated: {deactivated}\n" in result.stdout
    (retrieve,) = org.calls.of("retrieve")  # the plan's one retrieve: the Lead object, LeadStatus, the rest by name
    assert retrieve.detail["types"]["CustomObject"] == ["Lead"]
    assert retrieve.detail["types"]["StandardValueSet"] == ["LeadStatus"]
    # Leads are counted only for fields the org has: the stage and reason fields do not exist yet.
    assert lead_queries(org) == [GUARD_QUERY.format("Status")]
    again = deploy(org, str(dropping), *by_url(org))
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout and org.calls.count("deploy") == 1  # nothing differs: nothing sent
    assert "deactivated" not in again.stdout and len(lead_queries(org)) == 1  # nothing removed, nothing counted


def test_leads_on_a_status_the_spec_drops_refuse_the_deploy_with_exit_4(org, dropping):
    add_leads(org, 3, Status="Working - Contacted")
    add_leads(org, 1)  # the org's default status
    result = deploy(org, str(dropping), *by_url(org))
    assert result.exit_code == 4, result.output
    assert result.stderr.endswith(
        "error: refusing to deactivate values that leads hold: Lead.Status 'Open - Not Contacted' (1 lead), "
        "Lead.Status 'Working - Contacted' (3 leads); keep them in the spec, move their leads with renamed_from, "
        "or pass --allow-destructive\n")
    assert org.calls.count("deploy") == 0
    as_json = deploy(org, str(dropping), *by_url(org), "--json")
    doc = json.loads(as_json.stdout)
    assert (as_json.exit_code, doc["exitCode"], doc["ok"], doc["id"]) == (4, 4, False, None)
    assert "Lead.Status 'Working - Contacted' (3 leads)" in doc["error"]["message"]
    assert org.calls.count("deploy") == 0
    assert all(active_in_org(org).values())


def test_a_value_only_converted_leads_hold_is_deactivated_without_the_flag(org, dropping):
    """Converted leads are read-only and keep their values: the first deploy to an org with converted
    leads is not refused on the old converted status."""
    add_converted_leads(org, 4, "Closed - Converted")
    add_leads(org, 1, Status="Working - Contacted")
    add_converted_leads(org, 2, "Working - Contacted")
    refused = deploy(org, str(dropping), *by_url(org))
    assert refused.exit_code == 4, refused.output  # an open lead holds 'Working - Contacted' ...
    assert "Lead.Status 'Working - Contacted' (1 lead, 2 converted)" in refused.stderr
    assert "Closed - Converted" not in refused.stderr  # ... only converted leads hold 'Closed - Converted'
    assert "SELECT Status, IsConverted, COUNT(Id) n FROM Lead GROUP BY Status, IsConverted" in lead_queries(org)
    keep = overlay(tmp_path_of(dropping), "statuses:\n  - value: Working - Contacted\n", name="keep.yaml",
                   base=dropping)
    result = deploy(org, str(keep), *by_url(org), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"field": "Lead.Status", "value": "Closed - Converted", "leads": 0, "converted": 4} in doc["deactivated"]
    assert active_in_org(org)["Closed - Converted"] is False
    held = sorted(lead["Status"] for lead in org.leads.all() if lead.get("IsConverted"))
    assert held == ["Closed - Converted"] * 4 + ["Working - Contacted"] * 2  # converted leads keep their values


def tmp_path_of(spec: Path) -> Path:
    return spec.parent


@pytest.mark.parametrize("as_json", [False, True])
def test_allow_destructive_deploys_and_reports_what_was_deactivated(org, dropping, as_json):
    add_leads(org, 3, Status="Working - Contacted")
    result = deploy(org, str(dropping), *by_url(org), "--allow-destructive", *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    if as_json:
        doc = json.loads(result.stdout)
        assert doc["success"] and {"field": "Lead.Status", "value": "Working - Contacted", "leads": 3,
                                   "converted": 0} in doc["deactivated"]
        assert len(doc["deactivated"]) == 4
    else:
        line = next(l for l in result.stdout.splitlines() if l.startswith("deactivated: "))
        assert "Lead.Status 'Working - Contacted' (3 leads)" in line
    assert active_in_org(org)["Working - Contacted"] is False  # inactive in the org ...
    assert [lead["Status"] for lead in org.leads.all()] == ["Working - Contacted"] * 3  # ... and still held


def test_dry_run_warns_and_goes_on(org, dropping):
    add_leads(org, 2, Status="Working - Contacted")
    result = deploy(org, str(dropping), *by_url(org), "--dry-run")
    assert result.exit_code == 0, result.output
    warning = next(l for l in result.stdout.splitlines() if l.startswith("warning: "))
    assert "Lead.Status 'Working - Contacted' (2 leads)" in warning and "--allow-destructive" in warning
    assert "Open - Not Contacted" not in warning  # no lead holds it
    assert org.calls.of("deploy")[0].detail["checkOnly"] is True
    doc = json.loads(deploy(org, str(dropping), *by_url(org), "--dry-run", "--json").stdout)
    assert doc["checkOnly"] and {"field": "Lead.Status", "value": "Working - Contacted", "leads": 2,
                                 "converted": 0} in doc["deactivated"]
    assert all(active_in_org(org).values())


def test_leads_on_a_stage_value_the_spec_drops_refuse_the_deploy(org, sf_client, dropping, tmp_path):
    assert deploy(org, str(dropping), *by_url(org)).exit_code == 0
    sf = sf_client(org)
    for name in ("Ada", "Bob"):
        assert sf.Lead.create({"LastName": name, "Company": "Acme", "Lead_Stage__c": "Evangelist"})["success"]
    spec = overlay(tmp_path, "stages:\n  - value: Evangelist\n    remove: true\n", base=dropping)
    result = deploy(org, str(spec), *by_url(org))
    assert result.exit_code == 4, result.output
    assert "Lead.Lead_Stage__c 'Evangelist' (2 leads)" in result.stderr
    assert org.calls.count("deploy") == 1  # the first deploy only
    # Counted only where a value goes: not Status (the overlay keeps every status), not the reason field;
    # and the leads holding a value in the stamp field that goes with the stage (plan.md).
    assert lead_queries(org) == [GUARD_QUERY.format("Status"), GUARD_QUERY.format("Lead_Stage__c"),
                                 "SELECT COUNT(Id) n FROM Lead WHERE Evangelist_Date__c != null"]
    allowed = deploy(org, str(spec), *by_url(org), "--allow-destructive")
    assert allowed.exit_code == 0, allowed.output
    assert "deactivated: Lead.Lead_Stage__c 'Evangelist' (2 leads)" in allowed.stdout
    assert active_in_org(org, "Lead_Stage__c")["Evangelist"] is False


def test_wait_running_out_exits_5_with_the_id_and_resume_command_then_resume(org):
    org.faults.deploy_seconds = 2.5
    result = deploy(org, str(PRESET), *by_url(org), "--wait", "0.01")
    assert result.exit_code == 5, result.output
    deploy_id = next(l for l in result.stdout.splitlines() if l.startswith("deploy id: ")).split(": ")[1]
    assert f"leadsync deploy --resume {deploy_id} --instance-url {org.instance_url}" in result.stdout
    resumed = deploy(org, *by_url(org), "--resume", deploy_id)
    assert resumed.exit_code == 0, resumed.output
    assert "Succeeded" in resumed.stdout
    assert org.calls.count("deploy") == 1


def test_wait_zero_json(org):
    org.faults.deploy_seconds = 5
    result = deploy(org, str(PRESET), *by_url(org), "--wait", "0", "--json")
    assert result.exit_code == 5
    doc = json.loads(result.stdout)
    assert doc["stillRunning"] and doc["id"] and doc["resumeCommand"].startswith(f"leadsync deploy --resume {doc['id']}")


def test_cancel(org):
    org.faults.deploy_seconds = 30
    started = deploy(org, str(PRESET), *by_url(org), "--wait", "0", "--json")
    deploy_id = deploy_id_of(started)
    result = deploy(org, *by_url(org), "--cancel", deploy_id)
    assert result.exit_code == 0, result.output
    assert f"deploy {deploy_id} Canceled" in result.stdout
    assert org.calls.of("cancelDeploy")[0].detail["id"] == deploy_id


# --- every way to log in --------------------------------------------------------------------------


def test_sfdx_url_file(org, tmp_path):
    auth_file = tmp_path / "auth.txt"
    auth_file.write_text(auth_url(org, secret=False))
    result = deploy(org, str(PRESET), "--sfdx-url-file", str(auth_file), token=False)
    assert result.exit_code == 0, result.output
    assert org.calls.of("token")[0].detail["grant_type"] == "refresh_token"
    assert_no_secret(result, org)


def test_sfdx_auth_url_from_the_environment(org):
    result = deploy(org, str(PRESET), env={"SFDX_AUTH_URL": auth_url(org)}, token=False)
    assert result.exit_code == 0, result.output


def test_bad_refresh_token_exits_3_without_echoing_it(org):
    bad = auth_url(org).replace(org.refresh_token, "5Aep861NotTheRightRefreshTokenAtAll")
    result = deploy(org, str(PRESET), env={"SFDX_AUTH_URL": bad}, token=False)
    assert result.exit_code == 3
    assert "authentication failed" in result.stderr and "invalid_grant" in result.stderr
    assert_no_secret(result, org, "5Aep861NotTheRightRefreshTokenAtAll")


@pytest.fixture
def jwt_org(tmp_path, local_org_factory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key_file = tmp_path / "server.key"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return local_org_factory(jwt_public_key_pem=public), key_file


def test_jwt_bearer(jwt_org):
    org, key_file = jwt_org
    result = deploy(org, str(PRESET), "--jwt-key-file", str(key_file), "--client-id", org.client_id,
                    "--username", org.username, "--login-url", org.instance_url, token=False)
    assert result.exit_code == 0, result.output
    assert org.calls.of("token")[0].detail["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    key_lines = [l for l in key_file.read_text().splitlines() if not l.startswith("-----")]
    assert_no_secret(result, org, *key_lines)


def test_an_unused_jwt_key_file_in_the_environment_does_not_stop_target_org_local(tmp_path):
    """An option typed on the command line wins over the environment, whatever the environment holds."""
    env = {name: None for name in ORG_ENV}
    env.update(SF_JWT_KEY_FILE=str(tmp_path / "nowhere.key"), SF_CLIENT_ID="someone", SF_USERNAME="a@b.example",
               LEADSYNC_LOCAL_ORG_STATE=str(tmp_path / "local-org"))
    result = CliRunner().invoke(main_group, ["deploy", str(PRESET), "--target-org", "local", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["success"]


def test_jwt_from_the_environment_with_a_wrong_user_exits_3(jwt_org):
    org, key_file = jwt_org
    result = deploy(org, str(PRESET), token=False, env={
        "SF_JWT_KEY_FILE": str(key_file), "SF_CLIENT_ID": org.client_id, "SF_USERNAME": "someone@else.example",
        "SF_LOGIN_URL": org.instance_url})
    assert result.exit_code == 3, result.output
    assert "authentication failed" in result.stderr


def test_target_org_through_a_salesforce_cli(org, tmp_path):
    """A stand-in `sf` on PATH that knows one alias: the way leadsync asks it is the real one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    display = json.dumps({"status": 0, "result": {"accessToken": org.access_token,
                                                  "instanceUrl": org.instance_url, "username": org.username}})
    sf = bin_dir / "sf"
    sf.write_text("#!/bin/sh\n"
                  '[ "$1 $2 $3 $4 $5" = "org display --json --target-org uat" ] || '
                  "{ echo '{\"status\": 1, \"name\": \"NamedOrgNotFoundError\"}'; exit 1; }\n"
                  f"echo '{display}'\n")
    sf.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    result = deploy(org, str(PRESET), "--target-org", "uat", env={"PATH": path}, token=False)
    assert result.exit_code == 0, result.output
    unknown = deploy(org, str(PRESET), "--target-org", "prod", env={"PATH": path}, token=False)
    assert unknown.exit_code == 3
    assert "does not know an org 'prod' (NamedOrgNotFoundError)" in unknown.stderr
    assert_no_secret(result, org)


def test_untrusted_certificate_exits_3(org):
    result = deploy(org, str(PRESET), *by_url(org), trust=False)
    assert result.exit_code == 3
    assert "TLS verification failed" in result.stderr and "REQUESTS_CA_BUNDLE" in result.stderr


def test_refused_connection_exits_3_at_once(org):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = deploy(org, str(PRESET), "--instance-url", f"https://127.0.0.1:{port}")
    assert result.exit_code == 3
    assert "connection refused" in result.stderr


def test_debug_shows_requests_but_never_a_secret(org):
    org.faults.expire_session_after = 3
    result = deploy(org, "--debug", str(PRESET), env={"SFDX_AUTH_URL": auth_url(org)}, token=False)
    assert result.exit_code == 0, result.output
    assert "debug: leadsync.org: POST https://127.0.0.1" in result.stderr
    assert "/services/oauth2/token -> 200" in result.stderr
    assert_no_secret(result, org, auth_url(org))
    failing = deploy(org, "--debug", str(PRESET), *by_url(org), env={"SF_ACCESS_TOKEN": org.access_token + "x"})
    assert failing.exit_code == 3
    assert "Traceback" in failing.stderr  # --debug shows it ...
    assert_no_secret(failing, org, org.access_token + "x")  # ... masked


# --- the real process: exit codes and the local org started in-process --------------------------


def run_leadsync(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
    return subprocess.run([sys.executable, "-m", "leadsync", *args], env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_target_org_local_in_a_real_process(tmp_path):
    state = tmp_path / "local-org"
    done = run_leadsync("deploy", str(PRESET), "--target-org", "local", "--json",
                        env={"LEADSYNC_LOCAL_ORG_STATE": str(state)})
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["success"] and doc["org"]["instanceUrl"].startswith("https://127.0.0.1:")
    with LocalOrg(state) as org:  # the same org, restarted: it kept what was deployed
        assert org.deploys.get(doc["id"]).success
        assert org.access_token not in done.stdout + done.stderr


def test_real_exit_code_5(tmp_path):
    with LocalOrg(tmp_path / "org", deploy_seconds=5) as org:
        done = run_leadsync("deploy", str(PRESET), "--instance-url", org.instance_url, "--wait", "0",
                            env={"SF_ACCESS_TOKEN": org.access_token, "REQUESTS_CA_BUNDLE": str(org.ca_file)})
    assert done.returncode == 5, done.stderr
    assert "resume waiting with: leadsync deploy --resume 0Af" in done.stdout
