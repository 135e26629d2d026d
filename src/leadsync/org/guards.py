"""Safety guards checked before anything is deployed to an org.

The guards are pure: `guard_production` judges an `OrgInfo`; `guard_value_removal` judges the values
a deploy would deactivate (`Removal`s, found by the plan: org/plan.py); `guard_obsolete` the components
leadsync rendered before and no longer renders; each refusal is a `Refused` (exit 4).
`lead_counts_by_conversion` is the one function here that asks the org (one GROUP BY query).
`removed_values` compares two Bundles' picklists (metadata/diff.py does it for the plan).

Why values matter: a deploy that leaves a picklist value out does not delete it, Salesforce deactivates
it, and leads that hold it keep an inactive value (reports, list views and automation that name it stop
matching). A removed value no open lead holds loses nothing (a fresh org's standard statuses, say);
converted leads are read-only and keep their values whatever happens, so they never block: only values
that open leads hold need `--allow-destructive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadsync.errors import Refused
from leadsync.metadata import model as m
from leadsync.org.client import OrgInfo

if TYPE_CHECKING:
    from leadsync.org.client import OrgClient

# Standard value sets and the Lead field whose values they are.
STANDARD_VALUE_SET_FIELDS = {"LeadStatus": "Status"}


def guard_production(org: OrgInfo, *, allow_production: bool, doing: str = "deploy to") -> None:
    """Refuse to touch a production org unless --allow-production was given.

    Production is judged conservatively: any org whose IsSandbox is false (so Developer Edition and
    scratch orgs count too). A check-only deploy (--dry-run) is refused as well: the contract says a
    production org is never touched without the flag, and a validation still runs in that org. So are
    canceling a deploy and waiting for one (`doing` names what was refused).
    """
    if org.is_production and not allow_production:
        raise Refused(
            f"refusing to {doing} the production org {org.describe()} "
            f"(IsSandbox is false, OrganizationType {org.organization_type or 'unknown'}); "
            "pass --allow-production if you mean it"
        )


# --- value removal ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    """A picklist value active in the org that the deploy leaves inactive, and the leads holding it."""

    field: str  # "Lead.Status", "Lead.Lead_Stage__c"
    value: str  # the value's API name (fullName)
    leads: int = 0  # open leads (not converted): they would hold an inactive value
    converted: int = 0  # converted leads: read-only, they keep the value whatever happens; never blocking

    def describe(self) -> str:
        held = f"{self.leads:,} lead{'' if self.leads == 1 else 's'}"
        if self.converted:
            held += f", {self.converted:,} converted"
        return f"{self.field} '{self.value}' ({held})"


def removed_values(org: m.Bundle, deployed: m.Bundle) -> tuple[Removal, ...]:
    """Values active in `org` and not active in `deployed`, field by field, in the org's order.

    Only picklists `deployed` holds count (what a deploy does not name, it does not touch); a picklist
    the org does not have yet loses nothing. A value the deploy lists as inactive (`renamed_from`) is
    removed too; one the org has inactive and the deploy activates is not. Lead counts are left at 0.
    """
    in_org = active_values(org)
    out: list[Removal] = []
    for field_name, kept in active_values(deployed).items():
        out += [Removal(field_name, v) for v in in_org.get(field_name, ()) if v not in kept]
    return tuple(out)


def active_values(bundle: m.Bundle) -> dict[str, tuple[str, ...]]:
    """Lead field ("Lead.Status", "Lead.X__c") -> the active values of its picklist, for every picklist held."""
    out: dict[str, tuple[str, ...]] = {}
    for svs in bundle.standard_value_sets:
        if svs.full_name in STANDARD_VALUE_SET_FIELDS:
            out[f"{m.OBJECT}.{STANDARD_VALUE_SET_FIELDS[svs.full_name]}"] = tuple(v.full_name for v in svs.active_values)
    for f in bundle.lead.fields:
        if isinstance(f, m.PicklistField):
            out[f"{m.OBJECT}.{f.full_name}"] = tuple(v.full_name for v in f.active_values)
    return out


def held(removals: tuple[Removal, ...]) -> tuple[Removal, ...]:
    return tuple(r for r in removals if r.leads > 0)


def guard_value_removal(removals: tuple[Removal, ...], *, allow_destructive: bool) -> None:
    """Refuse a deploy that would deactivate values leads hold, unless --allow-destructive was given."""
    blocking = held(removals)
    if blocking and not allow_destructive:
        raise Refused(
            "refusing to deactivate values that leads hold: "
            + ", ".join(r.describe() for r in blocking)
            + "; keep them in the spec, move their leads with renamed_from, or pass --allow-destructive"
        )


def guard_obsolete(components, *, allow_destructive: bool) -> None:
    """Refuse a deploy while the org holds components leadsync rendered before and the spec no longer
    renders (metadata/diff.py `-`), unless --allow-destructive was given: then they are deleted."""
    if components and not allow_destructive:
        names = ", ".join(f"{c.type} {c.name}" for c in components)
        raise Refused(
            f"refusing to remove components leadsync rendered before and the spec no longer renders: {names}; "
            "pass --allow-destructive to remove them (record types are deactivated, the rest deleted), or keep "
            "them in the spec"
        )


def picklist_members(bundle: m.Bundle) -> dict[str, list[str]]:
    """package.xml members of the picklists `bundle` holds: LeadStatus and the custom picklist fields."""
    members: dict[str, list[str]] = {}
    for svs in bundle.standard_value_sets:
        if svs.full_name in STANDARD_VALUE_SET_FIELDS:
            members.setdefault("StandardValueSet", []).append(svs.full_name)
    for f in bundle.lead.fields:
        if isinstance(f, m.PicklistField):
            members.setdefault("CustomField", []).append(f"{m.OBJECT}.{f.full_name}")
    return members


def lead_counts_by_conversion(org: OrgClient, field_name: str) -> dict[str, tuple[int, int]]:
    """Leads by value of one Lead field (casefolded): (open, converted), one GROUP BY query. Null is left out.

    Converted leads are read-only and keep their values: deactivating a value only they hold loses nothing."""
    out: dict[str, tuple[int, int]] = {}
    soql = f"SELECT {field_name}, IsConverted, COUNT(Id) n FROM {m.OBJECT} GROUP BY {field_name}, IsConverted"
    for row in org.query(soql):
        value = next((v for k, v in row.items() if k.lower() == field_name.lower()), None)
        if value is None:
            continue
        converted = next((v for k, v in row.items() if k.lower() == "isconverted"), False)
        n = int(row.get("n") or row.get("expr0") or 0)
        open_, conv = out.get(str(value).casefold(), (0, 0))
        is_converted = converted is True or str(converted).lower() == "true"
        out[str(value).casefold()] = (open_, conv + n) if is_converted else (open_ + n, conv)
    return out


__all__ = [
    "Removal",
    "active_values",
    "guard_obsolete",
    "guard_production",
    "guard_value_removal",
    "held",
    "lead_counts_by_conversion",
    "picklist_members",
    "removed_values",
]
