"""LS035 (warning): two stages or two statuses with different values show the same label; in a
picklist users could not tell them apart.

Bad::

    statuses:
      - value: Working
      - value: In Progress
        label: Working         # LS035

Good::

    statuses:
      - value: Working
      - value: In Progress
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import first_at
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS035"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for name, items in (("stages", spec.stages), ("statuses", spec.statuses)):
        first: dict[str, int] = {}
        values: set[str] = set()
        for i, item in enumerate(items):
            if item.value in values:
                continue  # the same value twice is LS020
            values.add(item.value)
            label = item.display_label
            if label not in first:
                first[label] = i
                continue
            here = locator.span((name, i, "label") if item.label is not None else (name, i, "value"))
            then = locator.span((name, first[label]))
            yield diag(CODE, f"{name}: '{item.value}' shows the label '{label}' like '{items[first[label]].value}' "
                       f"(at {first_at(then, here)}); give it its own label", here)
