"""LS033 (warning): a description over 1000 characters; Salesforce keeps at most 1000 characters of a
field or validation rule description.

Bad::

    stage_field:
      description: (1200 characters of history)   # LS033

Good::

    stage_field:
      description: Where the person is in the buyer journey; only moves forward.
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Spec

CODE = "LS033"
DESCRIPTION_MAX = 1000


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for text, path in _descriptions(spec):
        if text is not None and len(text) > DESCRIPTION_MAX:
            yield diag(CODE, f"{dotted(path)} has {len(text)} characters; Salesforce keeps at most "
                       f"{DESCRIPTION_MAX}", locator.span(path))


def _descriptions(spec: Spec) -> Iterator[tuple[str | None, tuple]]:
    yield spec.description, ("description",)
    yield spec.stage_field.description, ("stage_field", "description")
    if spec.unqualified_reasons:
        yield spec.unqualified_reasons.description, ("unqualified_reasons", "description")
    for name in ("stages", "statuses", "lead_processes", "transitions", "scenarios"):
        for i, item in enumerate(getattr(spec, name)):
            yield item.description, (name, i, "description")
