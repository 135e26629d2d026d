"""LS044: `set.fields` or a scenario step writes a standard Lead field that no flow or save can write
(a system field such as CreatedDate, a compound field such as Name or Address, or IsConverted).

Bad::

    set: {fields: {IsConverted: true}}     # LS044

Good::

    set: {fields: {DoNotCall: true}}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.metadata.lead_fields import is_custom, lead_field
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import lead_field_uses
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS044"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for name, path, _, _, written in lead_field_uses(spec):
        field = None if is_custom(name) else lead_field(name)
        if written and field is not None and not field.writable:
            yield diag(CODE, f"Lead.{field.name} is read-only: Salesforce sets it, and neither a flow nor a save "
                       "can",
                       locator.key_span(path))
