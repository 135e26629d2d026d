"""The one door from the record engine to the formula interpreter (`leadsync.localorg.formula`).

Records are handed over with datetimes and dates as Python objects; flow resources (`{!name}`,
`{!$Flow.CurrentDateTime}`, other formulas) are resolved lazily through the running interview. A
formula the interpreter refuses becomes `FormulaFailure`, which the engine turns into a refused save
naming the rule or flow (never skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, Iterator

from leadsync.localorg.engine.schema import OrgRules
from leadsync.localorg.engine.values import to_typed


class FormulaFailure(Exception):
    pass


class FlowResources(Mapping):
    """Flow resources by name, each resolved (formulas evaluated) only when the formula reads it."""

    def __init__(self, interview):
        self._interview = interview

    def __getitem__(self, name: str) -> Any:
        from leadsync.localorg.engine.errors import UnsupportedAutomation

        try:
            return self._interview.resolve(name)
        except UnsupportedAutomation:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        try:
            self[name]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        flow = self._interview.flow
        names = [f.name for f in flow.model.formulas] + list(self._interview.variables) + list(flow.constants)
        return iter([*names, "$Flow.CurrentDateTime", "$Flow.CurrentDate"])

    def __len__(self) -> int:
        return len(list(iter(self)))


@dataclass(frozen=True)
class _Plan:
    """What one formula reads: the parsed tree, the Lead fields it names, the flow resources it names."""

    tree: Any
    fields: tuple[str, ...]
    resources: tuple[str, ...]


_plans: dict[tuple[str, int], _Plan] = {}
_memo: dict[tuple, Any] = {}
MEMO_SIZE = 20_000


def _plan(text: str, rules: OrgRules) -> _Plan:
    key = (text, rules.generation)
    plan = _plans.get(key)
    if plan is None:
        from leadsync.localorg.formula import parse
        from leadsync.localorg.formula.ast import Ref

        _interpreter()
        tree = parse(text)
        fields: dict[str, None] = {}
        resources: dict[str, None] = {}
        for node in _walk(tree):
            if not isinstance(node, Ref):
                continue
            parts = node.parts
            head = parts[0].lower()
            if head in ("$record", "$record__prior") and len(parts) >= 2:
                spelled = rules.spelling(parts[1])
                if spelled:
                    fields[spelled] = None
            elif not head.startswith("$"):
                spelled = rules.spelling(parts[0]) if not node.merge else None
                if spelled:
                    fields[spelled] = None
                else:
                    resources[node.name] = None
        plan = _Plan(tree, tuple(fields), tuple(resources))
        if len(_plans) > 2000:
            _plans.clear()
        _plans[key] = plan
    return plan


def _walk(node):
    yield node
    for name in ("args", "operand", "left", "right"):
        child = getattr(node, name, None)
        if isinstance(child, tuple):
            for c in child:
                yield from _walk(c)
        elif child is not None:
            yield from _walk(child)


_loaded: tuple = ()


def _interpreter() -> tuple:
    """(FormulaContext, FormulaError, evaluate), imported once."""
    global _loaded
    if not _loaded:
        try:
            from leadsync.localorg.formula import FormulaContext, FormulaError
            from leadsync.localorg.formula import evaluate as run
        except ImportError as err:  # the interpreter is built beside this engine
            raise FormulaFailure(f"the formula interpreter is not available ({err})") from None
        _loaded = (FormulaContext, FormulaError, run)
    return _loaded


def evaluate(text: str, record: dict | None, prior: dict | None, rules: OrgRules, now: dt.datetime,
             result_type: str, resources: Mapping | None = None, permissions: frozenset[str] = frozenset()) -> Any:
    """The formula's value for the record. Only the fields and resources it names are handed over,
    and a result is remembered for the same inputs (a formula is a pure function of them and `now`)."""
    FormulaContext, FormulaError, run = _interpreter()
    try:
        plan = _plan(text, rules)
    except FormulaError as err:
        raise FormulaFailure(str(err)) from None
    record = record or {}
    raw = tuple(record.get(f) for f in plan.fields)
    raw_prior = tuple(prior.get(f) for f in plan.fields) if prior is not None else None
    if plan.resources:
        if resources is None:
            resources = {}
        try:
            found = tuple((name, resources[name]) for name in plan.resources if name in resources)
        except KeyError:
            found = ()
    else:
        found = ()
    key = (text, rules.generation, now, raw, raw_prior, found, permissions)
    try:
        return _memo[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value: evaluate without remembering
        key = None
    types = rules.types
    context = FormulaContext(
        record={f: to_typed(v, types.get(f, "Text")) for f, v in zip(plan.fields, raw)},
        prior={f: to_typed(v, types.get(f, "Text")) for f, v in zip(plan.fields, raw_prior)} if raw_prior is not None else None,
        field_types={f: types.get(f, "Text") for f in plan.fields} or {"Id": "Id"},
        permissions=permissions, now=now, resources=dict(found),
    )
    try:
        value = run(plan.tree, context)
    except FormulaError as err:
        raise FormulaFailure(str(err)) from None
    if key is not None:
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = value
    return value
