"""LS051 (warning): a transition that can never fire: its conditions contradict each other (two
statuses at once, created and converted, a field both blank and filled...) or name only statuses no
lead process offers. It renders a flow branch nobody reaches.

Bad::

    transitions:
      - name: Converted on create
        on: create
        when: [{converted: true}]        # LS051: a new lead is never being converted
        set: {stage: Opportunity}

Good::

    transitions:
      - name: Converted
        when: [{converted: true}]
        set: {stage: Opportunity}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.lifecycle import constraints
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS051"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for i, transition in enumerate(spec.transitions):
        found = constraints(spec, [transition])
        if found.contradictory:
            where = ("transitions", i, "when") if transition.when else ("transitions", i, "on")
            yield diag(CODE, f"transition '{transition.name}' can never fire: {found.reasons[0]}", locator.key_span(where))
