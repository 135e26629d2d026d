"""LS030 (warning): more than 8 statuses. Each is a choice sales makes on every lead; past a handful
people stop choosing carefully (decision paralysis).

Bad::

    statuses: [New, Attempted, Connected, Nurture, Bad Timing, Qualified, Unqualified, Duplicate, Junk]

Good::

    statuses: [New, Attempted, Connected, Bad Timing, Qualified, Unqualified]
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS030"
MAX_STATUSES = 8


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    if len(spec.statuses) > MAX_STATUSES:
        yield diag(CODE, f"{len(spec.statuses)} statuses; more than {MAX_STATUSES} slows sales down (decision "
                   "paralysis); consider merging some", locator.key_span(("statuses",)))
