"""LS055 (warning): a create transition that sets the status overwrites the status a web-to-lead form,
an import or an integration gives the new lead. Keep the status they set: the LeadStatus default
already applies when they give none, or restrict the transition to leads at the default status.

Bad::

    transitions:
      - name: New lead
        on: create
        set: {stage: Lead, status: New}    # LS055

Good::

    transitions:
      - name: New lead
        on: create
        set: {stage: Lead}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec, StatusIs

CODE = "LS055"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    default = spec.default_status.value if any(s.default for s in spec.statuses) else None
    for i, t in enumerate(spec.transitions):
        if t.on != "create" or t.set.status is None:
            continue
        keyed = [c for c in t.when if isinstance(c, StatusIs)]
        if any(default in ([c.status] if isinstance(c.status, str) else c.status) and
               set([c.status] if isinstance(c.status, str) else c.status) <= {default, t.set.status} for c in keyed):
            continue  # it only rewrites leads created with the default status
        yield diag(CODE, f"transition '{t.name}' sets the status of every new lead to '{t.set.status}', overwriting "
                   "the status a web-to-lead form or an import sets; drop `status` (the default status already "
                   f"applies) or add `when: [{{status: {default}}}]`", locator.span(("transitions", i, "set", "status")))
