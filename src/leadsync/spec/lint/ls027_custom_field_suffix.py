"""LS027: the fields leadsync creates are custom fields, and custom field API names end with `__c`.

Bad::

    stage_field:
      name: Lead_Stage            # LS027

Good::

    stage_field:
      name: Lead_Stage__c
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Spec

CODE = "LS027"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    created = [(spec.stage_field.name, ("stage_field", "name"))]
    if spec.unqualified_reasons:
        created.append((spec.unqualified_reasons.field, ("unqualified_reasons", "field")))
    for name, path in created:
        if not name.endswith("__c"):
            yield diag(CODE, f"{dotted(path)}: '{name}' is a custom field leadsync creates; its API name must end "
                       f"with __c (e.g. '{name.rstrip('_')}__c')", locator.span(path))
