"""Third-party check: the Salesforce CLI retrieves what leadsync deployed to the local org (source format,
the page layout included), and `leadsync import --from-dir` on sf's project plans no changes.

Needs the Salesforce CLI of ../shared/checks (its full set-up; `--light` leaves sf out): skips without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir

ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
           "LEADSYNC_LOCAL_ORG_STATE")
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>Lead</members><name>CustomObject</name></types>
    <types><members>*</members><name>Flow</name></types>
    <types><members>Lead-Lead Layout</members><name>Layout</name></types>
    <types><members>LeadStatus</members><name>StandardValueSet</name></types>
    <version>63.0</version>
</Package>
"""


def cli(org, *args: str):
    env: dict[str, str | None] = {name: None for name in ORG_ENV}
    env.update(REQUESTS_CA_BUNDLE=str(org.ca_file), SF_ACCESS_TOKEN=org.access_token)
    return CliRunner().invoke(main_group, [*args], env=env)


def test_sf_retrieves_the_deploy_and_its_import_plans_no_changes(local_org, checkers, tmp_path):
    if not checkers.has("sf"):
        pytest.skip("the Salesforce CLI is not installed (`setup --light` leaves it out)")
    org = local_org
    org.add_leads([{"LastName": "Doe", "Company": "Acme", "Status": "Working - Contacted"}])
    deployed = cli(org, "deploy", str(presets_dir() / "lifecycle.yaml"), "--instance-url", org.instance_url)
    assert deployed.exit_code == 0, deployed.output
    project = tmp_path / "proj"
    (project / "force-app").mkdir(parents=True)
    (project / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app", "default": true}], '
                                               '"sourceApiVersion": "63.0", "name": "x"}')
    (project / "package.xml").write_text(MANIFEST)
    env = {**checkers.env, "HOME": str(tmp_path / "home"), "NODE_EXTRA_CA_CERTS": str(org.ca_file),
           "SF_ACCESS_TOKEN": org.access_token}
    Path(env["HOME"]).mkdir()

    def sf(*args: str):
        import subprocess

        return subprocess.run(["sf", *args], env=env, cwd=project, capture_output=True, text=True, timeout=300)

    login = sf("org", "login", "access-token", "--instance-url", org.instance_url, "--no-prompt", "--alias", "loc")
    assert login.returncode == 0, login.stderr
    retrieved = sf("project", "retrieve", "start", "--manifest", "package.xml", "--target-org", "loc")
    assert retrieved.returncode == 0, retrieved.stdout + retrieved.stderr
    layout = project / "force-app/main/default/layouts/Lead-Lead Layout.layout-meta.xml"
    assert "<label>Lead Lifecycle</label>" in layout.read_text()
    spec = tmp_path / "imported.yaml"
    imported = cli(org, "import", "--from-dir", str(project), "-o", str(spec))
    assert imported.exit_code == 0, imported.output
    assert "transitions:\n  - name:" in spec.read_text()
    if "plan" in main_group.list_commands(None):
        planned = cli(org, "plan", str(spec), "--instance-url", org.instance_url)
        assert planned.exit_code == 0, planned.output
        assert "No changes." in planned.stdout, planned.stdout
