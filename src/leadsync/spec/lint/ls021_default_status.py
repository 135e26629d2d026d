"""LS021: exactly one status is the default (the status a new lead gets).

Bad::

    statuses:
      - value: New            # LS021: no status has default: true
      - value: Qualified
        converted: true

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
from leadsync.spec.lint.common import first_at
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS021"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    defaults = [i for i, s in enumerate(spec.statuses) if s.default]
    if not defaults:
        # a new lead's status is neither a converted one nor one that needs a reason
        fit = next((s.value for s in spec.statuses if not s.converted and not s.requires_reason), None)
        yield diag(CODE, "no status has `default: true`; mark the one a new lead gets"
                   + (f" (e.g. '{fit}')" if fit else ""), locator.key_span(("statuses",)))
        return
    first = spec.statuses[defaults[0]].value
    for i in defaults[1:]:
        here = locator.key_span(("statuses", i, "default"))
        yield diag(CODE, f"statuses: '{spec.statuses[i].value}' is a second default (first: '{first}' at "
                   f"{first_at(locator.key_span(('statuses', defaults[0], 'default')), here)}); "
                   "exactly one status is the default", here)
