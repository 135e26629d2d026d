"""What a reference in a formula names: a field of the record, its prior value, a custom permission,
a flow global or resource, or another global ($User, $Organization...)."""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.localorg.formula.ast import Ref
from leadsync.localorg.formula.functions import FLOW, FLOW_ENTRY

# Globals a formula may name; the local org validates none of their fields (Salesforce's flows do not
# either: "References to global variables in formulas aren't validated").
GLOBALS = frozenset({"$USER", "$PROFILE", "$ORGANIZATION", "$USERROLE", "$SETUP", "$LABEL", "$API",
                     "$SYSTEM", "$CUSTOMMETADATA", "$OBJECTTYPE", "$RESOURCE", "$ACTION", "$SITE",
                     "$RECORDTYPE", "$COMPONENT", "$CURRENTPAGE", "$NETWORK", "$USERINTERFACE"})
# Lead's standard relationships: `Owner.Name` needs OwnerId.
FLOW_CONTEXTS = (FLOW, FLOW_ENTRY)


@dataclass(frozen=True)
class Target:
    kind: str  # "field", "prior", "permission", "flow", "global", "resource", "unknown"
    path: tuple[str, ...]  # the field path for field/prior, the rest of the name otherwise


def classify(ref: Ref, context: str) -> Target:
    parts = tuple(ref.parts)
    head = parts[0].upper()
    flow = context in FLOW_CONTEXTS
    if head.startswith("$"):
        if head == "$PERMISSION" and len(parts) == 2:
            return Target("permission", parts[1:])
        if flow and head in ("$RECORD", "$RECORD__PRIOR") and len(parts) >= 2:
            return Target("field" if head == "$RECORD" else "prior", parts[1:])
        if flow and head == "$FLOW" and len(parts) == 2:
            return Target("flow", parts[1:])
        if head in GLOBALS and len(parts) >= 2:
            return Target("global", parts)
        return Target("unknown", parts)
    if flow:
        return Target("resource", parts)
    return Target("field", parts)


def needed_field(path: tuple[str, ...]) -> str:
    """The record's own field a field path needs: `Status` -> Status, `Owner.Name` and
    `Owner:User.Name` -> OwnerId, `Partner__r.Name` -> Partner__c."""
    first = path[0].split(":")[0]  # Owner:User.LastName -> Owner
    if len(path) == 1:
        return first
    if first.lower().endswith("__r"):
        return first[:-3] + "__c"
    return first + "Id"
