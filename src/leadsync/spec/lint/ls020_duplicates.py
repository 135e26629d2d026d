"""LS020: a value or name declared twice: Salesforce needs each picklist value, process, record type
and flow decision once, and an overlay could not tell which one a key means.

Bad::

    statuses:
      - value: Working
      - value: Working        # LS020

Good::

    statuses:
      - value: Working
      - value: Nurture
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import first_at
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS020"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for name, key, items in (
        ("stages", "value", spec.stages),
        ("statuses", "value", spec.statuses),
        ("lead_processes", "name", spec.lead_processes),
        ("transitions", "name", spec.transitions),
        ("scenarios", "name", spec.scenarios),
    ):
        yield from _twice(name, ((getattr(item, key), (name, i, key)) for i, item in enumerate(items)), locator)
    if spec.unqualified_reasons:
        reasons = spec.unqualified_reasons.values
        yield from _twice("unqualified_reasons.values",
                          ((v, ("unqualified_reasons", "values", i)) for i, v in enumerate(reasons)), locator)
    if isinstance(spec.layouts, list):
        yield from _twice("layouts", ((v, ("layouts", i)) for i, v in enumerate(spec.layouts)), locator)
    record_types = ((p.record_type, ("lead_processes", i, "record_type"))
                    for i, p in enumerate(spec.lead_processes) if p.record_type)
    yield from _twice("record_type", record_types, locator)


def _twice(where: str, named: Iterable[tuple[str, tuple]], locator: Locator) -> Iterator[Diagnostic]:
    first: dict[str, tuple] = {}
    for value, path in named:
        if value not in first:
            first[value] = path
            continue
        here = locator.span(path)
        yield diag(CODE, f"{where}: '{value}' is declared twice (first at "
                   f"{first_at(locator.span(first[value]), here)}); remove one", here)
