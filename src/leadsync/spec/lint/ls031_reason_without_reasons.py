"""LS031: a status requires an unqualified reason, but the spec declares no reason picklist, so the
validation rule that requires it cannot be built.

Bad::

    statuses:
      - value: Unqualified
        requires_reason: true     # LS031: no unqualified_reasons

Good::

    statuses:
      - value: Unqualified
        requires_reason: true
    unqualified_reasons:
      values: [Not a Fit, No Budget]
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS031"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    if spec.unqualified_reasons is not None:
        return
    for i, status in enumerate(spec.statuses):
        if status.requires_reason:
            yield diag(CODE, f"statuses: '{status.value}' requires a reason, but the spec declares no "
                       "`unqualified_reasons`; add them (with `values`) or drop `requires_reason`",
                       locator.key_span(("statuses", i, "requires_reason")))
