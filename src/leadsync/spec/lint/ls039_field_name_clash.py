"""LS039: the stage picklist and the unqualified-reason picklist are two fields; they need two API
names (Salesforce field names ignore case).

Bad::

    stage_field: {name: Lead_Stage__c}
    unqualified_reasons: {field: lead_stage__c, values: [Not a Fit]}   # LS039

Good::

    stage_field: {name: Lead_Stage__c}
    unqualified_reasons: {field: Unqualified_Reason__c, values: [Not a Fit]}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS039"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    reasons = spec.unqualified_reasons
    if reasons is not None and reasons.field.lower() == spec.stage_field.name.lower():
        yield diag(CODE, f"unqualified_reasons.field '{reasons.field}' is the stage field's name; give the reason "
                   "picklist its own (e.g. Unqualified_Reason__c)", locator.span(("unqualified_reasons", "field")))
