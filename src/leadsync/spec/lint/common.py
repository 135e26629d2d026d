"""Small helpers several lint rules share."""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Span
from leadsync.spec.model import AnyOf, Spec


def first_at(first: Span, here: Span) -> str:
    """"line 8" when both are in one file, else "base.yaml:8"."""
    return f"line {first.line}" if first.path == here.path else f"{first.path}:{first.line}"


def conditions(when: list, path: tuple) -> Iterator[tuple[object, tuple]]:
    """Every condition of a `when` list with its model path, `any:` branches included."""
    for i, cond in enumerate(when):
        yield cond, (*path, i)
        if isinstance(cond, AnyOf):
            yield from conditions(cond.any, (*path, i, "any"))


def as_list(value: str | list[str]) -> list[tuple[str, tuple]]:
    """A `str | list[str]` condition value as (value, path suffix) pairs."""
    return [(value, ())] if isinstance(value, str) else [(v, (i,)) for i, v in enumerate(value)]


def values(spec: Spec, kind: str) -> list[str]:
    return [s.value for s in (spec.stages if kind == "stage" else spec.statuses)]


def lead_field_uses(spec: Spec) -> Iterator[tuple[str, tuple, object, str | None, bool]]:
    """Every Lead field a transition or a scenario step names: (name, path of the name, value, op, is
    it written?). `op` is None for `set.fields` and a step's `create`/`update`, "expect" for a step's
    `expect.fields`, "changed" for `changed:` (no value)."""
    from leadsync.spec.model import Changed, FieldCompare

    for i, transition in enumerate(spec.transitions):
        for cond, path in conditions(transition.when, ("transitions", i, "when")):
            if isinstance(cond, FieldCompare):
                yield cond.field, (*path, "field"), cond.value, cond.op, False
            elif isinstance(cond, Changed) and cond.changed not in ("status", "stage"):
                yield cond.changed, (*path, "changed"), None, "changed", False
        for name, value in transition.set.fields.items():
            yield name, ("transitions", i, "set", "fields", name), value, None, True
    for i, scenario in enumerate(spec.scenarios):
        for j, step in enumerate(scenario.steps):
            here = ("scenarios", i, "steps", j)
            for part, values in (("create", step.create), ("update", step.update)):
                for name, value in (values or {}).items():
                    yield name, (*here, part, name), value, None, True
            for name, value in step.expect.fields.items():
                yield name, (*here, "expect", "fields", name), value, "expect", False
