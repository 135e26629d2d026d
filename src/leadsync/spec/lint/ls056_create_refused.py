"""LS056 (error): a create transition sets a status that a guard refuses on every lead it fires on, so
those leads can never be saved: the flow runs before the validation rules, and the rules check every
create. Either the status needs a reason the transition does not set, or `guards.status_requires_stage`
needs a stage the lead does not reach (its default stage, lifted by create transitions without
conditions).

Bad::

    guards: {status_requires_stage: SQL}
    transitions:
      - name: Web leads are worked
        on: create
        when: [{field: LeadSource, op: eq, value: Web}]
        set: {status: Working}           # LS056: a new lead at stage Lead cannot be Working

Good::

    transitions:
      - name: Web leads are worked
        on: create
        when: [{field: LeadSource, op: eq, value: Web}]
        set: {status: Working, stage: SQL}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.lifecycle import constraints
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS056"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    statuses = {s.value: s for s in spec.statuses}
    reasons = spec.unqualified_reasons
    needed = spec.guards.status_requires_stage
    default_stage = spec.stage_rank(spec.default_stage.value)
    lifted = max([default_stage] + [spec.stage_rank(t.set.stage) for t in spec.transitions
                                    if not t.when and t.on != "update" and t.set.stage is not None])
    for i, t in enumerate(spec.transitions):
        status = statuses.get(t.set.status or "")
        if t.on != "create" or status is None or constraints(spec, [t]).contradictory:
            continue
        where = locator.span(("transitions", i, "set", "status"))
        if status.requires_reason and reasons is not None and reasons.field not in t.set.fields:
            yield diag(CODE, f"transition '{t.name}' gives new leads the status '{status.value}', which needs "
                       f"{reasons.label}, and does not set it: every lead it fires on is refused", where)
        reached = max(lifted, spec.stage_rank(t.set.stage) if t.set.stage else 0)
        if needed and not status.default and spec.stage_rank(needed) and reached < spec.stage_rank(needed):
            yield diag(CODE, f"transition '{t.name}' gives new leads the status '{status.value}', which "
                       f"guards.status_requires_stage refuses below stage {needed}, and new leads are not there: "
                       "every lead it fires on is refused; set `stage` too", where)
