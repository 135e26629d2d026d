"""leadsync's lifecycle flow turned back into `transitions` (for `leadsync import`).

The flow compile_spec writes is a chain: each transition is a decision (its label is the transition's
name, one rule whose conditions are the `on` and `when` of the transition) leading to an assignment (the
`set`), or an assignment alone when there is no condition; the stamp-date assignment ends the chain.
`transitions_of(flow)` walks that chain and reads each piece back. The importer then compiles the
imported spec and keeps the transitions only if the flow they compile to is the org's flow (elements,
conditions, assignments, formulas): anything else becomes a comment, never a guess.
"""

from __future__ import annotations

import re
from typing import Any

from leadsync.metadata import model as m

RECORD = "$Record."
_OPS = {"EqualTo": "eq", "NotEqualTo": "ne", "GreaterThan": "gt", "GreaterThanOrEqualTo": "gte",
        "LessThan": "lt", "LessThanOrEqualTo": "lte", "Contains": "contains"}
_STAGE_FORMULA = re.compile(r"^(?P<stage>.*), unless the lead is already at ")


class NotMine(Exception):
    """The flow has a shape leadsync does not write."""


def transitions_of(flow: m.Flow, stage_field: str) -> tuple[list[dict], bool]:
    """(transitions, stamps the dates) read from a lifecycle flow; NotMine when it cannot be read back."""
    elements = {e.name: e for e in (*flow.decisions, *flow.assignments)}
    formulas = {f.name: f for f in flow.formulas}
    out: list[dict] = []
    stamps = False
    at = flow.start.connector
    seen: set[str] = set()
    while at is not None:
        if at in seen or at not in elements:
            raise NotMine(f"the chain of elements breaks at {at}")
        seen.add(at)
        el = elements[at]
        if isinstance(el, m.FlowDecision):
            if len(el.rules) != 1 or el.rules[0].connector not in elements:
                raise NotMine(f"decision {el.name} is not one rule leading to an assignment")
            assignment = elements[el.rules[0].connector]
            if not isinstance(assignment, m.FlowAssignment) or assignment.connector != el.default_connector:
                raise NotMine(f"decision {el.name} does not rejoin the chain")
            seen.add(assignment.name)
            item = {"name": el.label}
            item.update(_conditions(el.rules[0], stage_field))
            item["set"] = _set(assignment, stage_field, formulas)
            _description(item, assignment)
            out.append(item)
            at = el.default_connector
        else:
            if el.name.startswith("Stamp_Stage_Dates"):
                stamps = True
                at = el.connector
                continue
            if not el.label.startswith("Apply: "):
                raise NotMine(f"assignment {el.name} is not a transition")
            item = {"name": el.label[len("Apply: "):], "set": _set(el, stage_field, formulas)}
            _description(item, el)
            out.append(item)
            at = el.connector
    return out, stamps


def _description(item: dict, assignment: m.FlowAssignment) -> None:
    from leadsync.metadata.ownership import unmark

    text = unmark(assignment.description)
    if text and not text.startswith(f"{item['name']}: set "):
        item["description"] = text


def _groups(rule: m.FlowRule) -> list[list[m.FlowCondition]]:
    conds = list(rule.conditions)
    logic = rule.condition_logic.strip().lower()
    if logic == "and":
        return [[c] for c in conds]
    if logic == "or":
        return [conds]
    groups = []
    for part in re.split(r"\s+and\s+", logic):
        nums = [int(n) for n in re.findall(r"\d+", part)]
        if not nums or any(n < 1 or n > len(conds) for n in nums):
            raise NotMine(f"condition logic {rule.condition_logic!r}")
        groups.append([conds[n - 1] for n in nums])
    return groups


def _conditions(rule: m.FlowRule, stage_field: str) -> dict:
    groups = _groups(rule)
    out: dict[str, Any] = {}
    if groups and len(groups[0]) == 1 and groups[0][0].left == f"{RECORD}Id" and groups[0][0].operator == "IsNull":
        out["on"] = "create" if groups[0][0].right and groups[0][0].right.value is True else "update"
        groups = groups[1:]
    when = [_group(g, stage_field) for g in groups]
    if when:
        out["when"] = when
    return out


def _group(group: list[m.FlowCondition], stage_field: str) -> dict:
    refs = {c.left for c in group}
    if len(refs) == 1 and all(c.operator == "EqualTo" and c.right and c.right.kind == "stringValue" for c in group):
        ref = group[0].left
        key = "status" if ref == f"{RECORD}Status" else "stage" if ref == f"{RECORD}{stage_field}" else None
        if key is not None:
            values = [c.right.value for c in group]
            return {key: values[0] if len(values) == 1 else values}
    atoms = [_atom(c, stage_field) for c in group]
    return atoms[0] if len(atoms) == 1 else {"any": atoms}


def _atom(c: m.FlowCondition, stage_field: str) -> dict:
    if not c.left.startswith(RECORD):
        raise NotMine(f"a condition on {c.left}")
    field = c.left[len(RECORD):]
    value = c.right.value if c.right is not None else None
    if field == "Status" and c.operator == "EqualTo" and c.right and c.right.kind == "stringValue":
        return {"status": value}
    if field == stage_field and c.operator == "EqualTo" and c.right and c.right.kind == "stringValue":
        return {"stage": value}
    if field == "IsConverted" and c.operator == "EqualTo" and c.right and c.right.kind == "booleanValue":
        return {"converted": value}
    if c.operator == "IsChanged":
        return {"changed": "status" if field == "Status" else "stage" if field == stage_field else field}
    if c.operator == "IsNull":
        return {"field": field, "op": "is_null" if value is True else "not_null"}
    if c.operator in _OPS and c.right is not None:
        return {"field": field, "op": _OPS[c.operator], "value": _plain(c.right)}
    raise NotMine(f"operator {c.operator}")


def _plain(v: m.FlowValue):
    if v.kind == "numberValue":
        number = float(v.value)
        return int(number) if number.is_integer() else number
    if v.kind == "elementReference" and v.value == "$GlobalConstant.EmptyString":
        return None
    if v.kind in ("stringValue", "booleanValue"):
        return v.value
    raise NotMine(f"a {v.kind} value")


def _set(a: m.FlowAssignment, stage_field: str, formulas: dict[str, m.FlowFormula]) -> dict:
    from leadsync.metadata.ownership import unmark

    out: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for item in a.items:
        if not item.assign_to.startswith(RECORD) or item.operator != "Assign":
            raise NotMine(f"assignment to {item.assign_to}")
        name = item.assign_to[len(RECORD):]
        if name == "Status" and item.value.kind == "stringValue":
            out["status"] = item.value.value
        elif name == stage_field and item.value.kind == "elementReference":
            formula = formulas.get(str(item.value.value))
            found = _STAGE_FORMULA.match(unmark(formula.description) or "") if formula else None
            if not found:
                raise NotMine(f"stage formula {item.value.value}")
            out["stage"] = found.group("stage")
        else:
            fields[name] = _plain(item.value)
    if fields:
        out["fields"] = fields
    return out


def same_flow(a: m.Flow, b: m.Flow) -> bool:
    """Equal as Salesforce runs them: elements, conditions, assignments, formulas (not canvas places or
    the ownership marker in descriptions)."""
    import dataclasses

    def norm(flow: m.Flow):
        def strip(record):
            if dataclasses.is_dataclass(record):
                changes = {f.name: strip(getattr(record, f.name)) for f in dataclasses.fields(record)}
                for key in ("location_x", "location_y", "description"):
                    if key in changes:
                        changes[key] = None
                return dataclasses.replace(record, **changes)
            if isinstance(record, tuple):
                return tuple(strip(r) for r in record)
            return record

        return strip(dataclasses.replace(flow, api_version="", description=None))

    return norm(a) == norm(b)
