"""Compare two Bundles value by value: what deploying `desired` would change in an org that holds `org`.

Pure: no org, no files. Both sides are the one model (`metadata/model.py`): the org's side parsed from
a retrieve, the desired side compiled from the spec. Components are matched by (metadata type,
package.xml member); inside a component, records are matched by their name (a picklist value by its
API name, a flow element by its name, a field permission by its field), so a change reads "value
'Lost' deactivated" or "label: 'Old' → 'New'", never "the file differs".

Salesforce's rules that shape the answer:
- A picklist value a deploy leaves out is deactivated, not deleted; a value already inactive in the
  org and left out changes nothing. A value the deploy lists inactive (`renamed_from`) that the org
  lacks changes nothing either.
- A component the deploy does not hold is not touched, except the org's components that leadsync
  rendered before (their description carries the ownership marker, `metadata/ownership.py`) and no
  longer renders: those are `-`, removed only by a destructive deploy.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Iterator

from leadsync.metadata import model as m
from leadsync.metadata.ownership import is_owned

Key = tuple[str, str]  # (metadata type, package.xml member), e.g. ("CustomField", "Lead.Lead_Stage__c")

ADD, CHANGE, REMOVE = "+", "~", "-"

# Bundle attributes and their metadata types (Lead's children are named "Lead.X" in package.xml).
_LEAD_CHILDREN = (("fields", "CustomField"), ("business_processes", "BusinessProcess"),
                  ("record_types", "RecordType"), ("validation_rules", "ValidationRule"))
_TOP = {"standard_value_sets": "StandardValueSet", "flows": "Flow", "permission_sets": "PermissionSet"}
# Lead children leadsync may have rendered before and can remove (destructiveChanges).
REMOVABLE_TYPES = ("CustomField", "BusinessProcess", "RecordType", "ValidationRule")
_KEYS = ("full_name", "name", "field", "picklist", "assign_to")  # how records inside a component are matched


@dataclass(frozen=True)
class Change:
    """One value-level difference inside a component."""

    sign: str  # + added, ~ changed, - removed or deactivated
    what: str  # "value 'Lost'", "label", "value 'New' label"
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        if self.sign == CHANGE and _multiline(self.old) and _multiline(self.new):
            return f"{self.what} changed ({_line_counts(self.old, self.new)})"  # a class body: not twice in full
        if self.sign == CHANGE:
            old, new = show(self.old), show(self.new)
            return f"{self.what} changed" if old == new == "(changed)" else f"{self.what}: {old} → {new}"
        if self.sign == ADD and self.old == "inactive":
            return f"{self.what} reactivated"
        return self.what

    def to_json(self) -> dict:
        return {"change": self.sign, "what": self.what, "old": _plain(self.old), "new": _plain(self.new)}


@dataclass(frozen=True)
class ComponentDiff:
    type: str
    name: str  # package.xml member
    sign: str  # + the org lacks it, ~ it differs, - leadsync rendered it before and no longer does
    changes: tuple[Change, ...] = ()

    @property
    def key(self) -> Key:
        return (self.type, self.name)


# --- components of a bundle ---------------------------------------------------------------------


def components(bundle: m.Bundle) -> dict[Key, Any]:
    """Every component a bundle holds, by (type, member), in the bundle's order.

    Top-level tuples of records the model grows later (custom permissions, Apex classes, layouts)
    are found generically: their type is the record's class name.
    """
    out: dict[Key, Any] = {}
    if bundle.lead.enable_history is not None:
        out[("CustomObject", m.OBJECT)] = bundle.lead.enable_history
    for attr, type_ in _LEAD_CHILDREN:
        for c in getattr(bundle.lead, attr):
            out[(type_, f"{m.OBJECT}.{c.full_name}")] = c
    for attr, records in _top_level(bundle):
        type_ = _TOP.get(attr) or type(records[0]).__name__
        for c in records:
            out[(type_, c.full_name)] = c
    lead_config = getattr(bundle, "lead_config", None)
    if lead_config is not None:
        out[("Settings", "LeadConfig")] = lead_config
    return out


def _top_level(bundle: m.Bundle) -> Iterator[tuple[str, tuple]]:
    for f in dataclasses.fields(bundle):
        value = getattr(bundle, f.name)
        if isinstance(value, tuple) and value and all(hasattr(v, "full_name") for v in value):
            yield f.name, value


def subset(bundle: m.Bundle, keys: set[Key]) -> m.Bundle:
    """The bundle reduced to the components named in `keys` (what an incremental deploy sends)."""
    lead = bundle.lead
    lead = dataclasses.replace(
        lead,
        enable_history=lead.enable_history if ("CustomObject", m.OBJECT) in keys else None,
        **{attr: tuple(c for c in getattr(lead, attr) if (type_, f"{m.OBJECT}.{c.full_name}") in keys)
           for attr, type_ in _LEAD_CHILDREN},
    )
    top = {attr: tuple(c for c in records if ((_TOP.get(attr) or type(c).__name__), c.full_name) in keys)
           for attr, records in _top_level(bundle)}
    if getattr(bundle, "lead_config", None) is not None and ("Settings", "LeadConfig") not in keys:
        top["lead_config"] = None
    return dataclasses.replace(bundle, lead=lead, **top)


# --- the comparison ------------------------------------------------------------------------------


def compare(org: m.Bundle, desired: m.Bundle, same_content: dict[Key, bool] | None = None) -> tuple[ComponentDiff, ...]:
    """What deploying `desired` changes in `org`: added and changed components in the desired
    bundle's order, then the org's own leadsync components that `desired` no longer holds.

    `same_content` speaks for components the org has that the model does not parse (yet): whether
    the org's XML equals the rendered XML (compared as XML, not value by value)."""
    have = components(org)
    want = components(desired)
    same_content = same_content or {}
    out: list[ComponentDiff] = []
    for key, new in want.items():
        old = have.get(key)
        if old is None and key[0] == "CustomObject":
            old = False  # the org's Lead object without enableHistory: history is off
        if old is None and key in same_content:
            if not same_content[key]:
                out.append(ComponentDiff(*key, CHANGE, (Change(CHANGE, "content", "the org's", "the spec's"),)))
            continue
        if old is None:
            out.append(ComponentDiff(*key, ADD, _summary(new)))
            continue
        changes = tuple(_changes(old, new, "enable history " if key[0] == "CustomObject" else ""))
        if changes:
            out.append(ComponentDiff(*key, CHANGE, changes))
    for key, old in have.items():
        if key not in want and key[0] in REMOVABLE_TYPES and is_owned(getattr(old, "description", None)) \
                and getattr(old, "active", True) and getattr(old, "is_active", True):  # not retired already
            out.append(ComponentDiff(*key, REMOVE))
    return tuple(out)


def _summary(new: Any) -> tuple[Change, ...]:
    """What a new component brings, in a word or two: its values, for a picklist."""
    values = getattr(new, "values", None)
    if isinstance(new, (m.StandardValueSet, m.PicklistField)) and values:
        return tuple(Change(ADD, f"value '{v.full_name}'") for v in values if v.is_active)
    return ()


def _key_of(record: Any) -> str | None:
    return next((getattr(record, k) for k in _KEYS if hasattr(record, k)), None)


def _keyed(records: tuple) -> bool:
    keys = [_key_of(r) if dataclasses.is_dataclass(r) else None for r in records]
    return None not in keys and len(set(keys)) == len(keys)  # unique names: matched by name, else compared whole


def _is_picklist_values(old: tuple, new: tuple) -> bool:
    return any(isinstance(v, (m.StandardValue, m.PicklistValue)) for v in (*old, *new))


def _changes(old: Any, new: Any, prefix: str) -> Iterator[Change]:
    if not (dataclasses.is_dataclass(new) and type(old) is type(new)):
        if _norm(old) != _norm(new):
            yield Change(CHANGE, prefix.strip() or "value", old, new)
        return
    for f in dataclasses.fields(new):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if _norm(a) == _norm(b):
            continue
        label = f"{prefix}{_element(f.name)}"
        if isinstance(a, tuple) and isinstance(b, tuple) and _keyed(a) and _keyed(b) and (a or b):
            yield from _tuple_changes(a, b, label)
        elif dataclasses.is_dataclass(b) and type(a) is type(b):
            yield from _changes(a, b, label + " ")
        else:
            yield Change(CHANGE, label, a, b)


def _tuple_changes(old: tuple, new: tuple, label: str) -> Iterator[Change]:
    """Records matched by name: added, removed, changed; for picklist values, Salesforce's rules."""
    singular = label[:-1] if label.endswith("s") else label
    picklist = _is_picklist_values(old, new)
    olds = {_key_of(r): r for r in old}
    news = {_key_of(r): r for r in new}
    for k, r in news.items():
        was = olds.get(k)
        if was is None:
            if picklist and not r.is_active:
                continue  # an inactive value the org lacks: nothing to deactivate
            yield Change(ADD, f"{singular} '{k}'")
            continue
        if picklist and was.is_active != r.is_active:
            yield Change(REMOVE if was.is_active else ADD, f"{singular} '{k}'",
                         "active" if was.is_active else "inactive", "inactive" if was.is_active else "active")
            if not r.is_active:
                continue  # a deactivated value's other attributes do not matter
            was = dataclasses.replace(was, is_active=r.is_active)  # said already
        yield from _changes(was, r, f"{singular} '{k}' ") if dataclasses.is_dataclass(r) else ()
    for k, r in olds.items():
        if k in news:
            continue
        if picklist and not r.is_active:
            continue  # already inactive in the org: Salesforce keeps it as it is
        yield Change(REMOVE, f"{singular} '{k}'", "active" if picklist else None, "inactive" if picklist else None)
    kept_old = [k for k in olds if k in news and _active(olds[k]) and _active(news[k])]
    kept_new = [k for k in news if k in olds and _active(olds[k]) and _active(news[k])]
    if kept_old != kept_new:
        yield Change(CHANGE, f"{label} order", kept_old, kept_new)


def _active(record: Any) -> bool:
    return bool(getattr(record, "is_active", True))


def _norm(value: Any) -> Any:
    return None if value == "" else value


def _element(name: str) -> str:
    return {"full_name": "name", "is_active": "active"}.get(name, name).replace("_", " ")


def _multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.strip()


def _line_counts(old: str, new: str) -> str:
    """How two texts differ, in lines: what a plan says of a changed Apex class body."""
    import difflib

    removed = added = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++")):
            continue
        removed += line.startswith("-")
        added += line.startswith("+")
    return f"{removed} line{'' if removed == 1 else 's'} removed, {added} added"


def show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if dataclasses.is_dataclass(value) or isinstance(value, tuple):
        return "(changed)"
    return str(value)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, bool, int, float)) for v in value):
        return list(value)
    if dataclasses.is_dataclass(value) or isinstance(value, tuple):
        return show(value)
    return str(value)


__all__ = ["ADD", "CHANGE", "REMOVE", "REMOVABLE_TYPES", "Change", "ComponentDiff", "Key", "compare",
           "components", "show", "subset"]
