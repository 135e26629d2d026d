"""LS040: `set.fields` may not write the stage or the status. `set.stage` keeps the stage from moving
backward and `set.status` is checked against the declared statuses; a literal field write skips both.

Bad::

    set: {fields: {Lead_Stage__c: Lead}}     # LS040: could move a stage backward

Good::

    set: {stage: Lead}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS040"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    managed = {spec.stage_field.name.lower(): "stage", "status": "status"}
    for i, transition in enumerate(spec.transitions):
        for name in transition.set.fields:
            key = managed.get(name.lower())
            if key:
                yield diag(CODE, f"transition '{transition.name}' writes {name} through `fields`; use "
                           f"`set: {{{key}: ...}}` instead", locator.key_span(("transitions", i, "set", "fields", name)))
