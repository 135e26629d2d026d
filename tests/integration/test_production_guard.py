"""The production guard (issue 6, point 7): every production edition is refused without
--allow-production, whatever its OrganizationType; only IsSandbox true lets a deploy through.

Salesforce reports the edition in Organization.OrganizationType; a Developer Edition (or Personal,
Team...) org is as much a production org as an Enterprise one. The local org answers the
Organization query with the edition each test sets.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.errors import Refused
from leadsync.org.client import OrgInfo
from leadsync.org.guards import guard_production
from leadsync.resources import presets_dir

PRESET = presets_dir() / "lifecycle.yaml"
# Organization.OrganizationType values of production orgs.
EDITIONS = ("Team Edition", "Professional Edition", "Enterprise Edition", "Developer Edition", "Personal Edition",
            "Unlimited Edition", "Contact Manager Edition", "Base Edition", "Group Edition", "Performance Edition",
            "")


@pytest.mark.parametrize("edition", EDITIONS)
def test_guard_refuses_every_production_edition(edition):
    org = OrgInfo("00D5g00000ORGIDAAA", "Acme", False, edition, "https://acme.my.salesforce.com")
    assert org.is_production
    with pytest.raises(Refused, match="production org"):
        guard_production(org, allow_production=False)
    guard_production(org, allow_production=True)


@pytest.mark.parametrize("edition", EDITIONS)
def test_guard_lets_a_sandbox_of_any_edition_through(edition):
    org = OrgInfo("00D5g00000ORGIDAAA", "Acme UAT", True, edition, "https://acme--uat.sandbox.my.salesforce.com")
    assert not org.is_production
    guard_production(org, allow_production=False)


def deploy(org, *args: str):
    env = {"REQUESTS_CA_BUNDLE": str(org.ca_file), "SF_ACCESS_TOKEN": org.access_token, "SF_TARGET_ORG": None,
           "SFDX_AUTH_URL": None, "CURL_CA_BUNDLE": None}
    return CliRunner().invoke(main_group, ["deploy", str(PRESET), "--instance-url", org.instance_url, *args], env=env)


@pytest.mark.parametrize("edition", ["Developer Edition", "Personal Edition", "Team Edition", "Enterprise Edition"])
def test_deploy_to_a_production_org_of_any_edition_exits_4(local_org_factory, edition):
    org = local_org_factory(production=True)
    org.organization_type = edition
    for args in ((), ("--dry-run",)):
        result = deploy(org, *args)
        assert result.exit_code == 4, result.output
        assert f"OrganizationType {edition}" in result.stderr
    assert org.calls.count("deploy") == 0


def test_deploy_to_a_developer_edition_sandbox_goes_through(local_org_factory):
    org = local_org_factory()
    org.organization_type = "Developer Edition"
    result = deploy(org, "--dry-run")
    assert result.exit_code == 0, result.output
    assert org.calls.count("deploy") == 1
