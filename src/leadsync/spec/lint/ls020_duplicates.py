"""LS020: a value or name declared twice: Salesforce needs each picklist value, process, record type
and flow decision once, and an overlay could not tell which one a key means. Picklist values (stages,
statuses, unqualified reasons) that differ only in letter case (`MQL` / `mql`) are one value to
Salesforce, so they are duplicates too.

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
        named = ((getattr(item, key), (name, i, key)) for i, item in enumerate(items))
        yield from _twice(name, named, locator, picklist=key == "value")
    if spec.unqualified_reasons:
        reasons = spec.unqualified_reasons.values
        yield from _twice("unqualified_reasons.values",
                          ((v, ("unqualified_reasons", "values", i)) for i, v in enumerate(reasons)), locator,
                          picklist=True)
    if isinstance(spec.layouts, list):
        yield from _twice("layouts", ((v, ("layouts", i)) for i, v in enumerate(spec.layouts)), locator)
    record_types = ((p.record_type, ("lead_processes", i, "record_type"))
                    for i, p in enumerate(spec.lead_processes) if p.record_type)
    yield from _twice("record_type", record_types, locator)


def _twice(where: str, named: Iterable[tuple[str, tuple]], locator: Locator,
           picklist: bool = False) -> Iterator[Diagnostic]:
    """Names declared twice; picklist values also when they differ only in letter case, since
    Salesforce compares picklist values without case."""
    first: dict[str, tuple[str, tuple]] = {}
    for value, path in named:
        key = value.casefold() if picklist else value
        if key not in first:
            first[key] = (value, path)
            continue
        here = locator.span(path)
        earlier, earlier_path = first[key]
        at = first_at(locator.span(earlier_path), here)
        if earlier == value:
            yield diag(CODE, f"{where}: '{value}' is declared twice (first at {at}); remove one", here)
        else:
            yield diag(CODE, f"{where}: '{value}' and '{earlier}' ({at}) differ only in letter case, and "
                       "Salesforce treats them as one value; remove or rename one", here)
