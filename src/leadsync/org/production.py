"""Safety guards checked before anything is sent to an org. Pure: an OrgInfo in, a Refused out."""

from __future__ import annotations

from leadsync.errors import Refused
from leadsync.org.client import OrgInfo


def guard_production(org: OrgInfo, *, changes_org: bool, allow_production: bool) -> None:
    """Refuse to change a production org unless --allow-production was given.

    Production is judged conservatively: any org whose IsSandbox is false (so Developer Edition and
    scratch orgs count too). A check-only deploy (--dry-run) changes nothing and is allowed: it is how
    a production deploy is validated before `--quick` (which is guarded like any deploy).
    """
    if org.is_production and changes_org and not allow_production:
        raise Refused(
            f"refusing to deploy to the production org {org.describe()} "
            f"(IsSandbox is false, OrganizationType {org.organization_type or 'unknown'}); "
            "pass --allow-production to deploy anyway, or --dry-run to validate only"
        )
