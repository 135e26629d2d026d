"""What the lifecycle rules (LS050-LS055) know about when a transition can fire.

A transition's conditions are read as constraints on one save: `on` (a create or an update), the
statuses and stages the lead may hold, whether it is being converted, and equalities on other fields.
`any:` groups are not analysed (they constrain nothing here). Only the top level of `when` counts, so a
transition found to fire "never" really cannot: the rules built on this prefer missing a problem to
reporting one that is not there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from leadsync.spec.model import AnyOf, Converted, FieldCompare, Spec, StageIs, StatusIs, Transition


def converts_in_flow(spec: Spec) -> bool:
    """Does a transition test `converted`? Then the flow must run during lead conversion (render/compile.py
    renders the Lead setting for it)."""
    def tests_converted(cond) -> bool:
        if isinstance(cond, Converted):
            return True
        return isinstance(cond, AnyOf) and any(tests_converted(c) for c in cond.any)

    return any(tests_converted(c) for t in spec.transitions for c in t.when)


def _values(value: str | list[str]) -> frozenset[str]:
    return frozenset([value] if isinstance(value, str) else value)


@dataclass
class Constraints:
    is_new: bool | None = None  # True: only on create; False: only on update
    statuses: frozenset[str] | None = None  # None: any status
    stages: frozenset[str] | None = None
    converted: bool | None = None
    equal: dict[str, object] = field(default_factory=dict)  # field -> the value it must equal
    null: dict[str, bool] = field(default_factory=dict)  # field -> must be blank (True) / filled (False)
    reasons: list[str] = field(default_factory=list)  # why the constraints contradict, when they do

    @property
    def contradictory(self) -> bool:
        return bool(self.reasons)


def constraints(spec: Spec, transitions: list[Transition]) -> Constraints:
    """The constraints of every transition given holding on one save (one transition, or several
    that would have to fire together)."""
    c = Constraints()
    for t in transitions:
        if t.on != "any":
            new = t.on == "create"
            if c.is_new is not None and c.is_new != new:
                c.reasons.append("it is both on create and on update")
            c.is_new = new
        for cond in t.when:
            if isinstance(cond, StatusIs):
                allowed = _values(cond.status)
                c.statuses = allowed if c.statuses is None else c.statuses & allowed
                if not c.statuses:
                    c.reasons.append("its status conditions have no value in common")
            elif isinstance(cond, StageIs):
                allowed = _values(cond.stage)
                c.stages = allowed if c.stages is None else c.stages & allowed
                if not c.stages:
                    c.reasons.append("its stage conditions have no value in common")
            elif isinstance(cond, Converted):
                if c.converted is not None and c.converted != cond.converted:
                    c.reasons.append("it asks for a converted and a not converted lead")
                c.converted = cond.converted
            elif isinstance(cond, FieldCompare):
                _field(c, cond)
    if c.is_new and c.converted:
        c.reasons.append("a new lead is never being converted (on: create with converted: true)")
    converted_values = {s.value for s in spec.converted_statuses}
    if c.converted and c.statuses is not None and not (c.statuses & converted_values):
        c.reasons.append("a lead being converted holds a converted status, and none of "
                         f"{_shown(c.statuses)} is one")
    if c.statuses is not None and spec.lead_processes:
        offered = {s.value for p in spec.effective_lead_processes for s in spec.process_statuses(p)}
        if c.statuses and not (c.statuses & offered):
            c.reasons.append(f"no lead process offers {_shown(c.statuses)}")
    return c


def _field(c: Constraints, cond: FieldCompare) -> None:
    name = cond.field.lower()
    if cond.op in ("is_null", "not_null"):
        blank = cond.op == "is_null"
        if name in c.null and c.null[name] != blank:
            c.reasons.append(f"{cond.field} must be both blank and filled")
        if blank and name in c.equal:
            c.reasons.append(f"{cond.field} must be both blank and equal to {c.equal[name]!r}")
        c.null[name] = blank
    elif cond.op == "eq":
        if name in c.equal and c.equal[name] != cond.value:
            c.reasons.append(f"{cond.field} must equal both {c.equal[name]!r} and {cond.value!r}")
        if c.null.get(name) is True:
            c.reasons.append(f"{cond.field} must be both blank and equal to {cond.value!r}")
        c.equal[name] = cond.value


def condition_keys(t: Transition) -> frozenset[str]:
    """A transition's conditions (and `on`) as comparable texts."""
    keys = {json.dumps(c.model_dump(exclude_none=True), sort_keys=True) for c in t.when}
    if t.on != "any":
        keys.add(f"on:{t.on}")
    return frozenset(keys)


def fires_whenever(specific: Transition, general: Transition) -> bool:
    """Does `general` fire on every save on which `specific` fires? (its conditions are a subset)"""
    return condition_keys(general) <= condition_keys(specific)


def _shown(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))
