"""LS045: a lead process with no converted status: users of its record type could not convert a lead.

Bad::

    lead_processes:
      - name: Inbound
        statuses: [New, Working]       # LS045: neither is converted

Good::

    lead_processes:
      - name: Inbound
        statuses: [New, Working, Qualified]    # Qualified has converted: true
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS045"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    converted = [s.value for s in spec.converted_statuses]
    if not converted:
        return  # LS022 says so once for the whole spec
    for i, process in enumerate(spec.lead_processes):
        if not any(s.converted for s in spec.process_statuses(process)):
            yield diag(CODE, f"lead process '{process.name}' has no converted status, so its leads cannot be "
                       f"converted; add one of: {', '.join(converted)}", locator.span(("lead_processes", i, "statuses")))
