"""LS029: a transition that only runs when the stage is later than the stage it sets. Stages never
move backward (automation leaves a later stage alone), so it does nothing; it was meant as a
demotion, which the lifecycle does not allow.

Bad::

    transitions:
      - name: Back to marketing
        when: [{stage: SQL}]
        set: {stage: MQL}          # LS029

Good::

    transitions:
      - name: Back to marketing
        when: [{stage: SQL}]
        set: {status: Bad Timing}  # the status moves; the stage stays SQL
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import as_list
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec, StageIs

CODE = "LS029"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    rank = {s.value: i for i, s in enumerate(spec.stages)}
    for i, transition in enumerate(spec.transitions):
        target = transition.set.stage
        allowed = _required_stages(transition.when)
        if target not in rank or not allowed or not allowed <= rank.keys():
            continue
        if all(rank[s] > rank[target] for s in allowed):
            shown = ", ".join(f"'{s}'" for s in sorted(allowed, key=rank.get))
            yield diag(CODE, f"transition '{transition.name}' sets stage '{target}' but only runs when the stage "
                       f"is {shown}, which is later; stages never move backward, so it does nothing. Remove it "
                       "or set a status instead", locator.span(("transitions", i, "set", "stage")))


def _required_stages(when: list) -> set[str] | None:
    """The stages every top-level `stage:` condition allows together (AND), or None if none."""
    allowed: set[str] | None = None
    for cond in when:
        if isinstance(cond, StageIs):
            these = {v for v, _ in as_list(cond.stage)}
            allowed = these if allowed is None else allowed & these
    return allowed
