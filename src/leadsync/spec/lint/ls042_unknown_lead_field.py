"""LS042: a transition or a scenario step names a standard Lead field that does not exist. Custom fields (ending in
`__c`) pass here; deploy checks them against the org.

Bad::

    transitions:
      - name: Hot lead
        when: [{field: Ratng, op: eq, value: Hot}]     # LS042: did you mean 'Rating'?
        set: {stage: MQL}

Good::

    transitions:
      - name: Hot lead
        when: [{field: Rating, op: eq, value: Hot}]
        set: {stage: MQL}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.metadata.lead_fields import STANDARD_LEAD_FIELDS, is_custom, lead_field
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import lead_field_uses
from leadsync.spec.lint.ls026_api_name import problem as api_name_problem
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Spec
from leadsync.spec.suggest import did_you_mean

CODE = "LS042"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for name, path, _, op, _ in lead_field_uses(spec):
        if is_custom(name) or lead_field(name) is not None or api_name_problem(name):
            continue  # LS026 reports a name that is no API name
        hint = did_you_mean(name, STANDARD_LEAD_FIELDS) or "; a custom field's API name ends with __c"
        at_key = op in (None, "expect")  # the field name is a mapping key
        span = locator.key_span(path) if at_key else locator.span(path)
        yield diag(CODE, f"{dotted(path[:-1]) if at_key else dotted(path)}: '{name}' is not a standard Lead "
                   f"field{hint}", span)
