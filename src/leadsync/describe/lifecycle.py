"""A spec in plain words: which stage each status applies from, what each transition and guard means.

One view (`describe(spec) -> Lifecycle`) feeds the diagram and the handbook, so both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.spec.model import AnyOf, Changed, Converted, FieldCompare, Spec, StageIs, StatusIs, Transition

_OPS = {"eq": "is", "ne": "is not", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "contains": "contains"}
_TRIGGER = {"create": "when a lead is created", "update": "when a lead is edited", "any": "whenever a lead is saved"}


@dataclass(frozen=True)
class Move:
    """One transition, in words and as an edge: from stages (empty: any earlier stage) to a stage/status."""

    name: str
    description: str | None
    trigger: str  # "when a lead is created"
    conditions: tuple[str, ...]  # each in plain words; all must hold
    effects: tuple[str, ...]  # "stage becomes SQL (never backward)"
    on_create: bool
    from_stages: tuple[str, ...]
    from_statuses: tuple[str, ...]
    to_stage: str | None
    to_status: str | None

    @property
    def sentence(self) -> str:
        when = self.trigger + ("" if not self.conditions else " and " + " and ".join(self.conditions))
        return f"{when[0].upper()}{when[1:]}: {'; '.join(self.effects) or 'nothing changes'}."


@dataclass(frozen=True)
class Guard:
    """A validation rule in words, and where the diagram marks it."""

    text: str
    stage: str | None = None  # marked on this stage
    status: str | None = None  # marked on this status


@dataclass(frozen=True)
class Lifecycle:
    spec: Spec
    status_stage: dict[str, str]  # status value -> the stage it applies from
    moves: tuple[Move, ...]
    guards: tuple[Guard, ...]

    def statuses_at(self, stage: str) -> list[str]:
        return [s.value for s in self.spec.statuses if self.status_stage[s.value] == stage]


def describe(spec: Spec) -> Lifecycle:
    moves = tuple(_move(spec, t) for t in spec.transitions)
    return Lifecycle(spec, _status_stages(spec), moves, tuple(_guards(spec)))


def condition_words(spec: Spec, cond) -> str:
    stage_field = spec.stage_field.name
    if isinstance(cond, StatusIs):
        return f"status is {_one_of(cond.status)}"
    if isinstance(cond, StageIs):
        return f"stage is {_one_of(cond.stage)}"
    if isinstance(cond, Converted):
        return "the lead is being converted" if cond.converted else "the lead is not converted"
    if isinstance(cond, Changed):
        name = {"status": "status", "stage": "stage", stage_field: "stage"}.get(cond.changed, cond.changed)
        return f"{name} changes"
    if isinstance(cond, FieldCompare):
        if cond.op == "is_null":
            return f"{cond.field} is blank"
        if cond.op == "not_null":
            return f"{cond.field} is not blank"
        return f"{cond.field} {_OPS[cond.op]} {_literal(cond.value)}"
    if isinstance(cond, AnyOf):
        return "(" + " or ".join(condition_words(spec, c) for c in cond.any) + ")"
    raise TypeError(f"no words for condition {type(cond).__name__}")


def _move(spec: Spec, t: Transition) -> Move:
    effects = []
    if t.set.stage:
        effects.append(f"stage becomes {t.set.stage} (unless it is already there or later)")
    if t.set.status:
        effects.append(f"status becomes {t.set.status}")
    effects += [f"{name} becomes {_literal(value)}" for name, value in t.set.fields.items()]
    stages = tuple(v for c in t.when if isinstance(c, StageIs) for v in _values(c.stage))
    statuses = tuple(v for c in t.when if isinstance(c, StatusIs) for v in _values(c.status))
    return Move(
        name=t.name, description=t.description, trigger=_TRIGGER[t.on],
        conditions=tuple(condition_words(spec, c) for c in t.when), effects=tuple(effects),
        on_create=t.on == "create", from_stages=stages, from_statuses=statuses,
        to_stage=t.set.stage, to_status=t.set.status,
    )


def _status_stages(spec: Spec) -> dict[str, str]:
    """The stage from which leads hold each status: where new leads start (the default stage), raised
    by the guard's floor and by the automation.

    `status_requires_stage` keeps every non-default status at that stage or later; a transition keyed on
    nothing but a status (or on conversion, for converted statuses) moves leads holding it to its stage.
    """
    first = spec.stages[0].value
    floor = spec.guards.status_requires_stage
    start = spec.stage_rank(spec.default_stage.value)
    result = {}
    for status in spec.statuses:
        rank = max(start, spec.stage_rank(floor)) if floor and not status.default else start
        for t in spec.transitions:
            if t.on == "create" or not t.set.stage:
                continue
            if _keyed_on_status(t, status.value) or (status.converted and _keyed_on_conversion(t)):
                rank = max(rank, spec.stage_rank(t.set.stage))
        result[status.value] = spec.stages[rank - 1].value if rank else first
    return result


def _keyed_on_status(t: Transition, status: str) -> bool:
    return len(t.when) == 1 and isinstance(t.when[0], StatusIs) and status in _values(t.when[0].status)


def _keyed_on_conversion(t: Transition) -> bool:
    return len(t.when) == 1 and isinstance(t.when[0], Converted) and t.when[0].converted


def _guards(spec: Spec):
    stage_label = spec.stage_field.label
    if spec.guards.forward_only_stages:
        yield Guard(f"{stage_label} never moves back: a save that sets an earlier stage is refused.")
    if floor := spec.guards.status_requires_stage:
        default = spec.default_status.value
        yield Guard(f"Any status other than {default} needs the stage at {floor} or later.", stage=floor)
    if spec.unqualified_reasons:
        reason = spec.unqualified_reasons.label
        for status in spec.statuses:
            if status.requires_reason:
                yield Guard(f"Status {status.value} needs a value in {reason}.", status=status.value)
    if spec.guards.bypass_permission:
        yield Guard(f"Users holding the custom permission {spec.guards.bypass_permission} pass every guard.")


def _values(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _one_of(v: str | list[str]) -> str:
    values = _values(v)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "blank"
    return str(value) if not isinstance(value, str) else f"“{value}”"
