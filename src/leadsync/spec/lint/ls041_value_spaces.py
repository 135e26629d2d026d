"""LS041: a picklist value with leading or trailing spaces. Salesforce trims a picklist value's API
name, so the deployed value would differ from the one the spec (and its flow) names.

Bad::

    statuses:
      - value: "Working "       # LS041

Good::

    statuses:
      - value: Working
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Spec
from leadsync.spec.nodes import shorten

CODE = "LS041"
_SPACES = " \t\r\n\u00a0"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for value, path in _values(spec):
        trimmed = value.strip(_SPACES)
        if value != trimmed and trimmed:
            where = "starts" if value[0] in _SPACES else "ends"
            yield diag(CODE, f"{dotted(path)}: '{shorten(value)}' {where} with a space; Salesforce trims picklist "
                       f"values, so write '{shorten(trimmed)}'", locator.span(path))


def _values(spec: Spec) -> Iterator[tuple[str, tuple]]:
    for name, items in (("stages", spec.stages), ("statuses", spec.statuses)):
        for i, item in enumerate(items):
            yield item.value, (name, i, "value")
    if spec.unqualified_reasons:
        for i, value in enumerate(spec.unqualified_reasons.values):
            yield value, ("unqualified_reasons", "values", i)
