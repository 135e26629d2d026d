"""LS046: a transition gives new leads the spec's default status, but a lead process does not have it:
leads of that process's record type would fail to save on create.

Bad::

    statuses:
      - {value: New, default: true}
    lead_processes:
      - name: Partner
        statuses: [Working, Qualified]     # LS046: the create transition sets New
    transitions:
      - {name: New lead, on: create, set: {status: New}}

Good::

    lead_processes:
      - name: Partner
        statuses: [New, Working, Qualified]
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS046"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    defaults = [s.value for s in spec.statuses if s.default]
    if len(defaults) != 1:
        return  # LS021
    default = defaults[0]
    setting = next((t for t in spec.transitions if t.on in ("create", "any") and t.set.status == default), None)
    if setting is None:
        return
    for i, process in enumerate(spec.lead_processes):
        if default not in [s.value for s in spec.process_statuses(process)]:
            yield diag(CODE, f"lead process '{process.name}' does not have the default status '{default}', which "
                       f"transition '{setting.name}' sets on create; add it to the process's statuses",
                       locator.span(("lead_processes", i, "statuses")))
