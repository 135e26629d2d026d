"""LS050 (warning): a transition keyed on a converted status. A lead holds a converted status only once
it is converted, and Salesforce converts without running the Lead's flows unless "Require Validation
for Converted Leads" is on; so the transition fires at most during conversion, never when sales
"qualifies" a lead beforehand. Key the transition on `converted: true` (leadsync then turns that
setting on) or on a status sales sets before converting.

Bad::

    statuses:
      - {value: Qualified, converted: true}
    transitions:
      - name: Qualified becomes SQL
        when: [{status: Qualified}]      # LS050
        set: {stage: SQL}

Good::

    transitions:
      - name: Converted becomes Opportunity
        when: [{converted: true}]
        set: {stage: Opportunity}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import as_list, conditions
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec, StatusIs

CODE = "LS050"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    converted = {s.value for s in spec.converted_statuses}
    for i, transition in enumerate(spec.transitions):
        for cond, path in conditions(transition.when, ("transitions", i, "when")):
            if not isinstance(cond, StatusIs):
                continue
            for value, suffix in as_list(cond.status):
                if value in converted:
                    yield diag(CODE, f"transition '{transition.name}' is keyed on '{value}', a converted status: a "
                               "lead only holds it once converted, so this fires at most during conversion; use "
                               "`{converted: true}`, or a status sales sets before converting",
                               locator.span((*path, "status", *suffix)))
