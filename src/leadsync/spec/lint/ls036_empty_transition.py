"""LS036 (warning): a transition whose `set` changes nothing; it renders a flow branch that does
nothing, which is usually a half-written rule.

Bad::

    transitions:
      - name: Hot lead
        when: [{field: Rating, op: eq, value: Hot}]
        set: {}                  # LS036

Good::

    transitions:
      - name: Hot lead
        when: [{field: Rating, op: eq, value: Hot}]
        set: {stage: MQL}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS036"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for i, transition in enumerate(spec.transitions):
        action = transition.set
        if action.status is None and action.stage is None and not action.fields:
            yield diag(CODE, f"transition '{transition.name}' sets nothing; give `set` a status, a stage or "
                       "fields", locator.key_span(("transitions", i, "set")))
