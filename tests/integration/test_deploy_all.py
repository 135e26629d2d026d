"""`leadsync deploy --all ORGS.yaml`: several real local orgs over TLS, each with its own CA and token;
one failing org never stops the others; secrets in the file are refused and never echoed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir

ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
BAD_SPEC = (Path(__file__).resolve().parents[1] / "fixtures" / "invalid" / "duplicate_status.yaml").read_text(
    encoding="utf-8")


def _client(folder: Path, name: str) -> None:
    (folder / "clients").mkdir(exist_ok=True)
    (folder / "base.yaml").write_bytes((presets_dir() / "lifecycle.yaml").read_bytes())
    (folder / "clients" / f"{name}.yaml").write_text(f"extends: ../base.yaml\nname: {name}\n")


def _run(monkeypatch, tmp_path: Path, orgs_yaml: str, *args: str, env: dict[str, str] | None = None):
    for name in ORG_ENV:
        monkeypatch.delenv(name, raising=False)  # each org's trust comes from ORGS.yaml alone
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    Path("ORGS.yaml").write_text(orgs_yaml)
    return CliRunner().invoke(main_group, ["deploy", "--all", "ORGS.yaml", *args])


@pytest.fixture
def three_orgs(local_org_factory, tmp_path: Path):
    orgs = [local_org_factory() for _ in range(3)]
    assert len({o.ca_file.read_bytes() for o in orgs}) == 3, "each local org has its own CA"
    for name in ("acme", "globex", "initech"):
        _client(tmp_path, name)
    return orgs


def _entry(name: str, org, spec: str | None = None) -> str:
    return (f"  {name}:\n    spec: {spec or f'clients/{name}.yaml'}\n    instance_url: {org.instance_url}\n"
            f"    access_token_env: {name.upper()}_TOKEN\n    ca_bundle: {org.ca_file}\n")


def test_one_failing_org_among_several(three_orgs, monkeypatch, tmp_path: Path):
    acme, globex, initech = three_orgs
    (tmp_path / "clients" / "globex.yaml").write_text(BAD_SPEC)  # globex's spec is invalid: nothing sent
    orgs_yaml = "orgs:\n" + _entry("acme", acme) + _entry("globex", globex) + _entry("initech", initech) + (
        "  hooli:\n    spec: clients/acme.yaml\n    instance_url: https://127.0.0.1:9\n"
        "    access_token_env: HOOLI_TOKEN\n")
    tokens = {"ACME_TOKEN": acme.access_token, "GLOBEX_TOKEN": globex.access_token,
              "INITECH_TOKEN": initech.access_token, "HOOLI_TOKEN": "00Dxx0000000001!AQ" + "x" * 40}
    result = _run(monkeypatch, tmp_path, orgs_yaml, "--jobs", "2", "--report-dir", "reports", env=tokens)
    out = result.output
    assert result.exit_code == 3, out  # the worst: hooli unreachable (3) beats globex's invalid spec (1)
    for token in tokens.values():
        assert token not in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in
            ("acme", "globex", "initech", "hooli")}
    assert "deployed" in rows["acme"] and "deployed" in rows["initech"], out
    assert "spec invalid" in rows["globex"] and "unreachable" in rows["hooli"], out
    assert "4 orgs: 2 ok, 2 failed (exit 3)" in out
    # The good orgs really got their lifecycle; the failing spec sent nothing to its org.
    assert acme.calls.count("deploy") == 1 and initech.calls.count("deploy") == 1
    assert globex.calls.count("deploy") == 0
    # Per-org JSON and JUnit.
    reports = tmp_path / "reports"
    doc = json.loads((reports / "acme.json").read_text())
    assert doc["org"] == "acme" and doc["ok"] is True and doc["numberComponentsDeployed"] > 0
    bad = json.loads((reports / "globex.json").read_text())
    assert bad["ok"] is False and bad["exitCode"] == 1 and bad["diagnostics"]
    hooli = json.loads((reports / "hooli.json").read_text())
    assert hooli["exitCode"] == 3 and hooli["error"]["message"]
    for name in ("acme", "globex", "initech", "hooli"):
        ET.fromstring((reports / f"{name}.junit.xml").read_bytes())
        assert tokens[f"{name.upper()}_TOKEN"] not in (reports / f"{name}.json").read_text()
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["exitCode"] == 3 and [o["org"] for o in summary["orgs"]] == ["acme", "globex", "initech", "hooli"]


def test_dry_run_json_and_a_guard(local_org_factory, monkeypatch, tmp_path: Path):
    sandbox = local_org_factory()
    production = local_org_factory(production=True)
    _client(tmp_path, "acme")
    _client(tmp_path, "globex")
    orgs_yaml = "orgs:\n" + _entry("acme", sandbox) + _entry("globex", production)
    result = _run(monkeypatch, tmp_path, orgs_yaml, "--dry-run", "--json", "--report-dir", "r",
                  env={"ACME_TOKEN": sandbox.access_token, "GLOBEX_TOKEN": production.access_token})
    assert result.exit_code == 4, result.output  # production refused without --allow-production
    doc = json.loads(result.stdout)
    by_name = {o["org"]: o for o in doc["orgs"]}
    assert by_name["acme"]["result"] == "validated" and by_name["acme"]["checkOnly"] is True
    assert by_name["globex"]["result"] == "refused" and by_name["globex"]["exitCode"] == 4
    assert sandbox.access_token not in result.output and production.access_token not in result.output


@pytest.mark.parametrize("line", [
    "    access_token: 00Dxx0000000001!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM\n",
    "    password: hunter2hunter2\n",
    "    instance_url: force://PlatformCLI::5Aep861_secretrefresh@example.my.salesforce.com\n",
    "    sfdx_auth_url: force://PlatformCLI::5Aep861_secretrefresh@example.my.salesforce.com\n",
    "    private_key: |\n      -----BEGIN PRIVATE KEY-----\n      MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n      -----END PRIVATE KEY-----\n",
])
def test_a_secret_in_the_file_is_refused_and_never_echoed(line: str, monkeypatch, tmp_path: Path):
    _client(tmp_path, "acme")
    orgs_yaml = "orgs:\n  acme:\n    spec: clients/acme.yaml\n    target_org: acme-uat\n" + line
    result = _run(monkeypatch, tmp_path, orgs_yaml)
    assert result.exit_code == 2, result.output
    assert "ORGS.yaml:5:5: acme." in result.output and "secret" in result.output
    for secret in ("00Dxx0000000001!AQ", "hunter2", "5Aep861_secretrefresh", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"):
        assert secret not in result.output
    assert "Traceback" not in result.output
    assert not Path("leadsync-reports").exists()


def test_bad_orgs_files_are_usage_errors_at_their_line(monkeypatch, tmp_path: Path):
    _client(tmp_path, "acme")
    result = _run(monkeypatch, tmp_path, "orgs:\n  acme:\n    spec: clients/acme.yaml\n    targt_org: x\n"
                                         "  bad name:\n    spec: a.yaml\n  globex:\n    target_org: x\n")
    assert result.exit_code == 2
    assert "ORGS.yaml:4:5: acme: unknown key 'targt_org'; did you mean 'target_org'?" in result.output
    assert "ORGS.yaml:5:3: org name 'bad name'" in result.output
    assert "ORGS.yaml:7:3: globex: missing `spec:`" in result.output
    assert _run(monkeypatch, tmp_path, "orgs: [\n").exit_code == 2
    assert _run(monkeypatch, tmp_path, "clients: {}\n").exit_code == 2


def test_missing_token_variable_fails_that_org_only(local_org_factory, monkeypatch, tmp_path: Path):
    org = local_org_factory()
    _client(tmp_path, "acme")
    _client(tmp_path, "globex")
    orgs_yaml = "orgs:\n" + _entry("acme", org) + _entry("globex", org, spec="clients/globex.yaml")
    result = _run(monkeypatch, tmp_path, orgs_yaml, "--jobs", "1", env={"ACME_TOKEN": org.access_token})
    assert result.exit_code == 2, result.output
    assert "GLOBEX_TOKEN is not set" in result.output
    assert "globex: globex:" not in result.output  # the row names the org once
    assert "acme" in result.output and org.calls.count("deploy") == 1


def test_all_refuses_single_org_options(monkeypatch, tmp_path: Path):
    _client(tmp_path, "acme")
    orgs_yaml = "orgs:\n  acme:\n    spec: clients/acme.yaml\n    target_org: x\n"
    assert _run(monkeypatch, tmp_path, orgs_yaml, "--target-org", "local").exit_code == 2
    assert _run(monkeypatch, tmp_path, orgs_yaml, "--junit", "x.xml").exit_code == 2
    result = CliRunner().invoke(main_group, ["deploy", "leadsync.yaml", "--jobs", "2", "--target-org", "local"])
    assert result.exit_code == 2 and "--jobs goes with --all" in result.output


def test_zeep_calls_trust_each_orgs_own_ca_concurrently(local_org_factory, monkeypatch, tmp_path: Path):
    """simple-salesforce's zeep client would trust only the process's REQUESTS_CA_BUNDLE: each OrgClient
    hands it its own session, so concurrent SOAP calls to orgs with different CAs all verify."""
    from concurrent.futures import ThreadPoolExecutor

    from leadsync.errors import OrgUnreachable
    from leadsync.org import auth

    orgs = [local_org_factory() for _ in range(3)]
    for name in ORG_ENV:
        monkeypatch.delenv(name, raising=False)

    def describe(org, ca_file):
        env = {"SF_ACCESS_TOKEN": org.access_token, "REQUESTS_CA_BUNDLE": str(ca_file)}
        with auth.connect(auth.OrgOptions(instance_url=org.instance_url), environ=env) as client:
            return client._call("describeMetadata", lambda: client._mdapi().describe_metadata())

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda o: describe(o, o.ca_file), orgs))
    assert all(r is not None for r in results)
    assert all(o.calls.count("describeMetadata") == 1 for o in orgs)
    with pytest.raises(OrgUnreachable, match="certificate"):
        describe(orgs[0], orgs[1].ca_file)  # another org's CA is not trusted


def test_an_org_without_its_ca_is_told_to_name_its_ca_bundle(local_org_factory, monkeypatch, tmp_path: Path):
    org = local_org_factory()
    _client(tmp_path, "acme")
    entry = _entry("acme", org).replace(f"    ca_bundle: {org.ca_file}\n", "")
    result = _run(monkeypatch, tmp_path, "orgs:\n" + entry, env={"ACME_TOKEN": org.access_token})
    assert result.exit_code == 3, result.output
    assert "TLS verification failed" in result.output and "ca_bundle" in result.output
    assert "REQUESTS_CA_BUNDLE" not in result.output
