"""The one door from the record engine to the formula interpreter (`leadsync.localorg.formula`).

Records are handed over with datetimes and dates as Python objects; flow resources (`{!name}`,
`{!$Flow.CurrentDateTime}`, other formulas) are resolved lazily through the running interview. A
formula the interpreter refuses becomes `FormulaFailure`, which the engine turns into a refused save
naming the rule or flow (never skipped).
"""

from __future__ import annotations

import datetime as dt
import functools
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


@functools.lru_cache(maxsize=512)
def _parsed(text: str):
    from leadsync.localorg.formula import parse

    return parse(text)


def evaluate(text: str, record: dict | None, prior: dict | None, rules: OrgRules, now: dt.datetime,
             result_type: str, resources: Mapping | None = None) -> Any:
    try:
        from leadsync.localorg.formula import FormulaContext, FormulaError
        from leadsync.localorg.formula import evaluate as run
    except ImportError as err:  # the interpreter is built beside this engine
        raise FormulaFailure(f"the formula interpreter is not available ({err})") from None
    context = FormulaContext(
        record=_typed(record or {}, rules), prior=_typed(prior, rules) if prior is not None else None,
        field_types=rules.types, permissions=frozenset(), now=now, resources=resources if resources is not None else {},
    )
    try:
        return run(_parsed(text), context)
    except FormulaError as err:
        raise FormulaFailure(str(err)) from None


def _typed(record: dict, rules: OrgRules) -> dict:
    types = rules.types
    return {k: (to_typed(v, types[k]) if types.get(k) in ("DateTime", "Date") else v) for k, v in record.items()}
