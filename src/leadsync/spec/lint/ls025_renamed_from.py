"""LS025: `renamed_from` names an old org value whose leads move to this status before the old value
is deactivated; if the spec also declares that value, the rename would deactivate a live status.

Bad::

    statuses:
      - value: Contacted
      - value: Working
        renamed_from: Contacted   # LS025

Good::

    statuses:
      - value: Working
        renamed_from: Contacted
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS025"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    declared = {s.value for s in spec.statuses}
    for i, status in enumerate(spec.statuses):
        if status.renamed_from is not None and status.renamed_from in declared:
            yield diag(CODE, f"statuses: '{status.value}' is renamed from '{status.renamed_from}', which the spec "
                       "also declares; remove `renamed_from` or the other status",
                       locator.span(("statuses", i, "renamed_from")))
