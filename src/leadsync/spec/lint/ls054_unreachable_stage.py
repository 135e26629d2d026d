"""LS054 (warning): a stage nothing can reach. A transition without conditions that runs on every
create (or every save) lifts each lead to at least its stage, and stages only move forward: the stages
before it can never be held, not even by an import that sets them.

Bad::

    stages: [{value: Subscriber}, {value: Lead, default: true}, {value: MQL}]
    transitions:
      - name: New lead
        on: create
        set: {stage: Lead}               # LS054: Subscriber can never be reached

Good::

    # no transition needed: the stage picklist's default gives new leads stage Lead, and an import
    # may still create Subscribers
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS054"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    floor, by = 0, None
    for i, t in enumerate(spec.transitions):
        if t.when or t.on == "update" or t.set.stage is None:
            continue
        if t.on == "create" and not spec.guards.forward_only_stages:
            continue  # an update may still move the stage back
        rank = spec.stage_rank(t.set.stage)
        if rank > floor:
            floor, by = rank, (i, t)
    if by is None:
        return
    i, t = by
    for j, stage in enumerate(spec.stages[: floor - 1]):
        yield diag(CODE, f"stage '{stage.value}' can never be reached: transition '{t.name}' lifts every "
                   f"{'new lead' if t.on == 'create' else 'lead'} to at least '{t.set.stage}', and stages only move "
                   "forward", locator.span(("stages", j, "value")))
