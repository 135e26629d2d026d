"""LS024: a status or stage named somewhere (transitions, lead processes, guards, scenarios,
`stage_field.backfill`) that the spec does not declare; the rendered flow, process or rule would
point at nothing. Also a process `default` that is not among the process's own statuses. When an
overlay's `remove` dropped the value that its base still names, the error is at the `remove`.

Bad::

    transitions:
      - name: Sales qualified
        when: [{status: Qualifed}]     # LS024: did you mean 'Qualified'?
        set: {stage: SQL}

Good::

    transitions:
      - name: Sales qualified
        when: [{status: Qualified}]
        set: {stage: SQL}
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic, Span
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import as_list, conditions
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import Spec, StageIs, StatusIs
from leadsync.spec.suggest import did_you_mean

CODE = "LS024"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    declared = {"status": [s.value for s in spec.statuses], "stage": [s.value for s in spec.stages]}
    broken: dict[tuple[str, str], list[tuple[Span, tuple]]] = {}  # an overlay's removal → base uses
    for kind, value, path, at_key in _references(spec):
        if value in declared[kind]:
            continue
        removal = locator.removed.get((_PLURAL[kind], value))
        here = locator.key_span(path) if at_key else locator.span(path)
        if removal and removal.path != here.path:
            broken.setdefault((kind, value), []).append((here, path))
        else:
            hint = did_you_mean(value, declared[kind]) or f"; declare it under `{_PLURAL[kind]}` or fix the name"
            yield diag(CODE, f"{dotted(path)}: {kind} '{value}' is not declared{hint}", here)
    for (kind, value), uses in broken.items():
        uses.sort()
        places = ", ".join(f"{span.path}:{span.line} ({dotted(path)})" for span, path in uses[:3])
        more = f" and {len(uses) - 3} more" if len(uses) > 3 else ""
        them = "that item" if len(uses) == 1 else "those items"
        yield diag(CODE, f"removing {kind} '{value}' breaks {places}{more}, which still name{'s' * (len(uses) == 1)} "
                   f"it; override {them} in this overlay too, or keep the {kind}",
                   locator.removed[(_PLURAL[kind], value)])
    for i, process in enumerate(spec.lead_processes):
        own = process.statuses
        if process.default in declared["status"] and isinstance(own, list) and process.default not in own:
            yield diag(CODE, f"lead_processes[{i}].default: '{process.default}' is not one of the process's "
                       "statuses; add it to `statuses` or pick one of them",
                       locator.span(("lead_processes", i, "default")))


_PLURAL = {"status": "statuses", "stage": "stages"}


def _references(spec: Spec) -> Iterator[tuple[str, str, tuple, bool]]:
    """(kind, value, path, is the value the mapping key at path?) for every place that names a status
    or a stage."""
    for status, stage in spec.stage_field.backfill.items():
        yield "status", status, ("stage_field", "backfill", status), True
        yield "stage", stage, ("stage_field", "backfill", status), False
    yield from ((*ref, False) for ref in _values_named(spec))


def _values_named(spec: Spec) -> Iterator[tuple[str, str, tuple]]:
    for i, transition in enumerate(spec.transitions):
        here = ("transitions", i)
        for kind in ("status", "stage"):
            if getattr(transition.set, kind) is not None:
                yield kind, getattr(transition.set, kind), (*here, "set", kind)
        for cond, path in conditions(transition.when, (*here, "when")):
            if isinstance(cond, (StatusIs, StageIs)):
                kind = "status" if isinstance(cond, StatusIs) else "stage"
                for value, suffix in as_list(getattr(cond, kind)):
                    yield kind, value, (*path, kind, *suffix)
    for i, process in enumerate(spec.lead_processes):
        if isinstance(process.statuses, list):
            for j, value in enumerate(process.statuses):
                yield "status", value, ("lead_processes", i, "statuses", j)
        if process.default is not None:
            yield "status", process.default, ("lead_processes", i, "default")
    if spec.guards.status_requires_stage is not None:
        yield "stage", spec.guards.status_requires_stage, ("guards", "status_requires_stage")
    field_kinds = {"Status": "status", spec.stage_field.name: "stage"}
    for i, scenario in enumerate(spec.scenarios):
        for j, step in enumerate(scenario.steps):
            here = ("scenarios", i, "steps", j)
            for kind in ("status", "stage"):
                if getattr(step.expect, kind) is not None:
                    yield kind, getattr(step.expect, kind), (*here, "expect", kind)
            for part, values in (("create", step.create), ("update", step.update),
                                 (("expect", "fields"), step.expect.fields)):
                prefix = part if isinstance(part, tuple) else (part,)
                for field, value in (values or {}).items():
                    if field in field_kinds and isinstance(value, str):
                        yield field_kinds[field], value, (*here, *prefix, field)
