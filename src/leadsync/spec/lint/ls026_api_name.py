"""LS026: an invalid Salesforce API name where the spec names a field, a record type or the guards'
bypass permission (a custom permission: no `__c`); the deploy
would fail, or a condition would test a field that cannot exist.

API names match `^[A-Za-z][A-Za-z0-9_]*$`, have no double underscore except the `__c` suffix, and
at most 40 characters before `__c`.

Bad::

    transitions:
      - name: Hot
        when: [{field: Lead Score__c, op: gte, value: 50}]   # LS026: a space
        set: {stage: MQL}

Good::

    transitions:
      - name: Hot
        when: [{field: Lead_Score__c, op: gte, value: 50}]
        set: {stage: MQL}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import conditions
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Changed, FieldCompare, Spec

CODE = "LS026"
_FIRST = re.compile(r"[^A-Za-z]")
_REST = re.compile(r"[^A-Za-z0-9_]")
_BYPASS = ("guards", "bypass_permission")


def problem(name: str) -> str | None:
    """Why `name` is not an API name, or None."""
    if not name:
        return "is empty"
    if _FIRST.match(name):
        return f"starts with {name[0]!r}; start with a letter"
    bad = _REST.search(name)
    if bad:
        return f"has the character {bad.group()!r}; use letters, digits and _ only"
    body = name[:-3] if name.endswith("__c") else name
    if "__" in body or (body != name and body.endswith("_")):
        return "has a double underscore; only the __c suffix may have one"
    if len(body) > 40:
        return f"has {len(body)} characters before __c; at most 40"
    return None


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for name, path, at_key in _api_names(spec):
        why = problem(name)
        if not why and path == _BYPASS and name.endswith("__c"):
            why = "ends with __c; a custom permission's name has no suffix"
        if why:
            span = locator.key_span(path) if at_key else locator.span(path)
            yield diag(CODE, f"{dotted(path)}: '{name}' is not a valid API name: it {why}", span)


def _api_names(spec: Spec) -> Iterator[tuple[str, tuple, bool]]:
    """(name, path, is the name a mapping key?) for every API name the spec writes."""
    yield spec.stage_field.name, ("stage_field", "name"), False
    if spec.unqualified_reasons:
        yield spec.unqualified_reasons.field, ("unqualified_reasons", "field"), False
    for i, process in enumerate(spec.lead_processes):
        if process.record_type is not None:
            yield process.record_type, ("lead_processes", i, "record_type"), False
    if spec.guards.bypass_permission is not None:
        yield spec.guards.bypass_permission, _BYPASS, False
    for i, transition in enumerate(spec.transitions):
        for cond, path in conditions(transition.when, ("transitions", i, "when")):
            if isinstance(cond, FieldCompare):
                yield cond.field, (*path, "field"), False
            elif isinstance(cond, Changed) and cond.changed not in ("status", "stage"):
                yield cond.changed, (*path, "changed"), False
        for field in transition.set.fields:
            yield field, ("transitions", i, "set", "fields", field), True
    for i, scenario in enumerate(spec.scenarios):
        for j, step in enumerate(scenario.steps):
            here = ("scenarios", i, "steps", j)
            for part, values in (("create", step.create), ("update", step.update), ("convert", step.convert)):
                for field in values or {}:
                    yield field, (*here, part, field), True
            for field in step.expect.fields:
                yield field, (*here, "expect", "fields", field), True
