"""LS043: a value that a standard Lead field cannot hold: text for a number, a date that is not a date,
a value its standard picklist does not have (Rating, LeadSource, Industry...), a status the spec
does not declare for `Status`, or `contains` on a field that is not text. The flow would fail to deploy, or fail on every save.

Bad::

    transitions:
      - name: Big company
        when: [{field: Industry, op: eq, value: Bankng}]   # LS043: did you mean 'Banking'?
        set: {fields: {AnnualRevenue: lots}}               # LS043: expected a number

Good::

    transitions:
      - name: Big company
        when: [{field: Industry, op: eq, value: Banking}]
        set: {fields: {AnnualRevenue: 1000000}}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.metadata.lead_fields import is_custom, lead_field, value_problem
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import lead_field_uses
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec
from leadsync.spec.nodes import describe
from leadsync.spec.suggest import did_you_mean

CODE = "LS043"
_TEXT_TYPES = ("string", "textarea", "email", "phone", "url", "picklist")  # what Contains can search


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    statuses = tuple(s.value for s in spec.statuses)
    for name, path, value, op, _ in lead_field_uses(spec):
        field = None if is_custom(name) else lead_field(name)
        if field is None or op in ("changed", "is_null", "not_null"):
            continue
        in_mapping = op in (None, "expect")  # set.fields or a scenario step: the value is the key's
        if field.name == "Status" and in_mapping:
            continue  # LS040 refuses Status in set.fields; LS024 checks the statuses scenarios name
        at = path if in_mapping else (*path[:-1], "value")
        given = describe(locator.node(at))
        if op == "contains" and field.type not in _TEXT_TYPES:
            yield diag(CODE, f"{field.name}: `contains` compares text, and {field.name} is a {field.type} field; "
                             "use eq, ne, gt, gte, lt or lte", locator.span((*path[:-1], "op")))
            continue
        choices = statuses if field.name == "Status" else field.values
        if field.type == "picklist" and isinstance(value, str) and op != "contains" and value not in choices:
            hint = did_you_mean(value, choices) or f"; its values: {', '.join(choices)}"
            yield diag(CODE, f"{field.name}: {given} is not a value of the {field.name} picklist{hint}",
                       locator.span(at))
            continue
        why = value_problem(field, value, picklist=())
        if why:
            yield diag(CODE, f"{field.name}: {why}, got {given}", locator.span(at))
