"""Safety guards checked before anything is sent to an org. Pure: an OrgInfo in, a Refused out."""

from __future__ import annotations

from leadsync.errors import Refused
from leadsync.org.client import OrgInfo


def guard_production(org: OrgInfo, *, allow_production: bool) -> None:
    """Refuse to touch a production org unless --allow-production was given.

    Production is judged conservatively: any org whose IsSandbox is false (so Developer Edition and
    scratch orgs count too). A check-only deploy (--dry-run) is refused as well: the contract says a
    production org is never touched without the flag, and a validation still runs in that org.
    """
    if org.is_production and not allow_production:
        raise Refused(
            f"refusing to deploy to the production org {org.describe()} "
            f"(IsSandbox is false, OrganizationType {org.organization_type or 'unknown'}); "
            "pass --allow-production if you mean it"
        )
