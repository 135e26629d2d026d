"""LS028: text longer than Salesforce stores: picklist values and labels, process and transition names
(255 characters), field labels (40 characters). The deploy would fail.

Bad::

    statuses:
      - value: New
        label: New — not yet touched by anyone in sales, ... (300 characters)   # LS028

Good::

    statuses:
      - value: New
        label: New
        description: Not yet touched by anyone in sales, ...
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Spec

CODE = "LS028"
TEXT_MAX = 255
FIELD_LABEL_MAX = 40


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for text, path, limit in _texts(spec):
        if text is not None and len(text) > limit:
            yield diag(CODE, f"{dotted(path)} has {len(text)} characters; Salesforce allows at most {limit}",
                       locator.span(path))


def _texts(spec: Spec) -> Iterator[tuple[str | None, tuple, int]]:
    yield spec.stage_field.label, ("stage_field", "label"), FIELD_LABEL_MAX
    for name, items in (("stages", spec.stages), ("statuses", spec.statuses)):
        for i, item in enumerate(items):
            yield item.value, (name, i, "value"), TEXT_MAX
            yield item.label, (name, i, "label"), TEXT_MAX
    for i, status in enumerate(spec.statuses):
        yield status.renamed_from, ("statuses", i, "renamed_from"), TEXT_MAX
    if spec.unqualified_reasons:
        yield spec.unqualified_reasons.label, ("unqualified_reasons", "label"), FIELD_LABEL_MAX
        for i, value in enumerate(spec.unqualified_reasons.values):
            yield value, ("unqualified_reasons", "values", i), TEXT_MAX
    for name, items in (("lead_processes", spec.lead_processes), ("transitions", spec.transitions)):
        for i, item in enumerate(items):
            yield item.name, (name, i, "name"), TEXT_MAX
