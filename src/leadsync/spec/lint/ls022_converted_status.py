"""LS022: at least one status is a converted status, or Salesforce cannot convert leads.

Bad::

    statuses:
      - value: New
        default: true
      - value: Qualified      # LS022: nothing has converted: true

Good::

    statuses:
      - value: New
        default: true
      - value: Qualified
        converted: true
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS022"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    if not any(s.converted for s in spec.statuses):
        yield diag(CODE, "no status has `converted: true`; mark the status converted leads get "
                   f"(e.g. '{spec.statuses[-1].value}')", locator.key_span(("statuses",)))
