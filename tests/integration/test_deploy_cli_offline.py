"""`leadsync deploy` before any org is reached: usage errors (2), a bad spec (1), an unknown org (3)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group

ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL")
DEPLOY_ID = "0Af5g00000ABCDEFGH"


@pytest.fixture
def run(monkeypatch, tmp_path):
    for name in ORG_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(main_group, ["deploy", *args], env=env)

    return invoke


@pytest.mark.parametrize("args, message", [
    (["--target-org", "x", "--tests", "A"], "RunSpecifiedTests only"),
    (["--target-org", "x", "--test-level", "RunSpecifiedTests"], "needs --tests"),
    (["--target-org", "x", "--test-level", "RunLocalTests", "--tests", "A"], "RunSpecifiedTests only"),
    (["--target-org", "x", "--test-level", "Everything"], "Invalid value for '--test-level'"),
    (["--target-org", "x", "--resume", DEPLOY_ID, "--cancel", DEPLOY_ID], "do not go together"),
    (["--target-org", "x", "--resume", DEPLOY_ID, "--dry-run"], "takes no --dry-run"),
    (["--target-org", "x", "--resume", "not-an-id"], "not a deploy id"),
    (["--target-org", "x", "--wait", "-1"], "Invalid value for '--wait'"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_no_org_is_a_usage_error(run):
    result = run("--resume", DEPLOY_ID)
    assert result.exit_code == 2
    assert "no org given" in result.stderr


def test_instance_url_without_token_is_a_usage_error(run):
    result = run("--resume", DEPLOY_ID, "--instance-url", "https://acme.my.salesforce.com")
    assert result.exit_code == 2
    assert "SF_ACCESS_TOKEN" in result.stderr


def test_two_org_options_are_a_usage_error(run):
    result = run("--resume", DEPLOY_ID, "--target-org", "a", "--instance-url", "https://x.my.salesforce.com")
    assert result.exit_code == 2
    assert "choose one way to reach the org" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--jwt-key-file", "{missing}", "--client-id", "x", "--username", "u@example.com"],
     "cannot read the JWT key file {missing}: No such file or directory"),
    (["--sfdx-url-file", "{missing}"], "cannot read the file {missing}: No such file or directory"),
])
def test_a_missing_key_or_auth_url_file_typed_is_a_clean_usage_error(run, tmp_path, args, message):
    missing = str(tmp_path / "missing.key")
    result = run("--resume", DEPLOY_ID, *(a.format(missing=missing) for a in args))
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {message.format(missing=missing)}\n"


def test_target_org_without_sf_installed_exits_3_with_a_clear_message(run, tmp_path):
    result = run("--resume", DEPLOY_ID, "--target-org", "my-uat", env={"PATH": str(tmp_path)})
    assert result.exit_code == 3, result.output
    assert "needs the Salesforce CLI (sf), which is not installed or not on PATH" in result.stderr
    assert "Traceback" not in result.output


def test_target_org_from_the_environment(run, tmp_path):
    result = run("--resume", DEPLOY_ID, env={"PATH": str(tmp_path), "SF_TARGET_ORG": "ci-org"})
    assert result.exit_code == 3
    assert "--target-org ci-org needs the Salesforce CLI" in result.stderr


def test_json_error_is_one_document(run, tmp_path):
    import json

    result = run("--resume", DEPLOY_ID, "--target-org", "my-uat", "--json", env={"PATH": str(tmp_path)})
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["exitCode"] == 3 and "Salesforce CLI" in doc["error"]["message"]


def test_help_lists_org_options_with_their_environment_variables(run):
    result = run("--help")
    assert result.exit_code == 0
    for text in ("--target-org", "SF_TARGET_ORG", "--instance-url", "SF_INSTANCE_URL", "--sfdx-url-file",
                 "SFDX_AUTH_URL", "--jwt-key-file", "SF_JWT_KEY_FILE", "--client-id", "SF_CLIENT_ID",
                 "--username", "SF_USERNAME", "--login-url", "SF_LOGIN_URL", "--resume", "--quick", "--cancel"):
        assert text in result.output
