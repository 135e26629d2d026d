"""LS053 (warning): `guards.status_requires_stage` blocks a status for leads below that stage, and no
transition moves a lead there when the status is set (the flow runs before the guard). Leads where
they are cannot get the status: a junk lead at stage Lead cannot be marked Unqualified without first
being pushed to SQL for good. Converted statuses count when the flow runs during conversion.

Bad::

    guards: {status_requires_stage: SQL}
    statuses:
      - {value: New, default: true}
      - {value: Unqualified}             # LS053: a lead at stage Lead cannot be disqualified

Good::

    guards: {status_requires_stage: SQL}
    transitions:
      - name: Worked leads are SQL
        when: [{status: [Connected, Unqualified]}]
        set: {stage: SQL}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.lifecycle import constraints, converts_in_flow
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec, StatusIs, Transition

CODE = "LS053"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    needed = spec.guards.status_requires_stage
    rank = spec.stage_rank(needed) if needed else 0
    if not rank:
        return
    below = [s.value for s in spec.stages if spec.stage_rank(s.value) < rank]
    if not below:
        return
    for i, status in enumerate(spec.statuses):
        if status.default or (status.converted and not converts_in_flow(spec)):
            continue
        if any(_lifts(spec, t, status.value, rank) for t in spec.transitions):
            continue
        yield diag(CODE, f"status '{status.value}' cannot be set on a lead below stage {needed} ({', '.join(below)}): "
                   "guards.status_requires_stage blocks it and no transition moves the lead to "
                   f"{needed} when it is set; add such a transition, or lower the guard",
                   locator.span(("statuses", i, "value")))


def _lifts(spec: Spec, t: Transition, status: str, rank: int) -> bool:
    """Does `t` fire whenever a lead gets `status` (whatever else holds), setting a stage at `rank` or later?"""
    if t.set.stage is None or spec.stage_rank(t.set.stage) < rank:
        return False
    for cond in t.when:
        if isinstance(cond, StatusIs):
            if status not in ([cond.status] if isinstance(cond.status, str) else cond.status):
                return False
        elif cond.model_dump(exclude_none=True) == {"converted": True}:
            if not any(s.value == status and s.converted for s in spec.statuses):
                return False
        elif cond.model_dump(exclude_none=True) != {"changed": "status"}:
            return False  # any other condition may not hold
    return not constraints(spec, [t]).contradictory
