"""The production guard."""

import pytest

from leadsync.errors import Refused
from leadsync.exitcodes import ExitCode
from leadsync.org.client import OrgInfo
from leadsync.org.production import guard_production

PROD = OrgInfo("00D000000000001", "Acme", False, "Enterprise Edition", "https://acme.my.salesforce.com")
SANDBOX = OrgInfo("00D000000000002", "Acme UAT", True, "Enterprise Edition", "https://acme--uat.sandbox.my.salesforce.com")


def test_production_is_refused_naming_the_org():
    with pytest.raises(Refused) as raised:
        guard_production(PROD, allow_production=False)
    assert raised.value.exit_code == ExitCode.REFUSED
    for part in ("'Acme'", "00D000000000001", "https://acme.my.salesforce.com", "--allow-production"):
        assert part in str(raised.value)


def test_allowed_with_the_flag_and_for_sandboxes():
    guard_production(PROD, allow_production=True)
    guard_production(SANDBOX, allow_production=False)
