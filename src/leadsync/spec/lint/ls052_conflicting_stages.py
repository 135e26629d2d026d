"""LS052 (warning): two transitions that always fire together set different stages. Whenever the
more specific one fires the other fires too (its conditions are a subset), so one of the two stages
never shows: the flow keeps the later stage, whatever the order. Merge them, or give one a condition
that tells them apart.

Bad::

    transitions:
      - name: Connected is SQL
        when: [{status: Connected}]
        set: {stage: SQL}
      - name: Connected is MQL
        when: [{status: Connected}]       # LS052
        set: {stage: MQL}

Good::

    transitions:
      - name: Connected is SQL
        when: [{status: Connected}]
        set: {stage: SQL}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.lifecycle import constraints, fires_whenever
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS052"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    setting = [(i, t) for i, t in enumerate(spec.transitions) if t.set.stage is not None]
    for a, (i, first) in enumerate(setting):
        for j, second in setting[a + 1:]:
            if first.set.stage == second.set.stage:
                continue
            if not (fires_whenever(first, second) or fires_whenever(second, first)):
                continue
            if constraints(spec, [first, second]).contradictory:
                continue
            yield diag(CODE, f"transitions '{first.name}' and '{second.name}' fire together and set different stages "
                       f"('{first.set.stage}' and '{second.set.stage}'); merge them or tell them apart with a condition",
                       locator.span(("transitions", j, "set", "stage")))
