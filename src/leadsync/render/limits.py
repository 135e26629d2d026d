"""Salesforce's limits on what leadsync renders, checked before anything reaches an org.

A validation rule's errorConditionFormula and a flow formula hold at most 3,900 characters
(`formula.FORMULA_MAX`). compile.py already renders the shortest of equivalent formulas; when even
that is too long (many or long stage values), `formula_limits` reports it as LS902 at the spec node
the formula comes from: the guard, or the transition that sets the stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadsync.diagnostics import Diagnostic
from leadsync.metadata.formula import FORMULA_MAX
from leadsync.spec.codes import diag

if TYPE_CHECKING:
    from leadsync.metadata.model import Bundle
    from leadsync.spec.load import LoadResult

FORMULA_TOO_LONG = "LS902"


def formula_limits(bundle: Bundle, loaded: LoadResult) -> list[Diagnostic]:
    from leadsync.render.provenance import component_origins

    spec, locator = loaded.spec, loaded.locator
    origins = component_origins(spec, bundle)
    found = []
    for rule in bundle.lead.validation_rules:
        if len(rule.formula) > FORMULA_MAX:
            where = origins.get(("ValidationRule", f"Lead.{rule.full_name}"), ())
            written = len(locator.resolve(where)[0]) == len(where)
            found.append(diag(FORMULA_TOO_LONG, (
                f"{_named(spec, where)} renders the validation rule {rule.full_name} with a formula of "
                f"{len(rule.formula):,} characters; Salesforce allows {FORMULA_MAX:,}"),
                # a guard on by default is not written: its formula is long because of the stages
                locator.span(where if written else ("stages",))))
    for flow in bundle.flows:
        for formula in flow.formulas:
            if len(formula.expression) > FORMULA_MAX:
                where = _flow_origin(spec, flow, formula.name)
                found.append(diag(FORMULA_TOO_LONG, (
                    f"{_named(spec, where)} renders the flow formula {formula.name} ({flow.full_name}) of "
                    f"{len(formula.expression):,} characters; Salesforce allows {FORMULA_MAX:,}"),
                    locator.span(where)))
    return found


def _flow_origin(spec, flow, name: str) -> tuple:
    """The first transition whose assignment uses the formula (assignments follow the transitions
    that set something, in spec order), else the stages (a stamp formula)."""
    setting = [i for i, t in enumerate(spec.transitions) if t.set.status or t.set.stage or t.set.fields]
    for k, assignment in enumerate(flow.assignments[:len(setting)]):
        if any(item.value.value == name for item in assignment.items):
            return ("transitions", setting[k], "set", "stage")
    return ("stages",)


def _named(spec, where: tuple) -> str:
    if where[:1] == ("guards",) and len(where) > 1:
        return f"the guard {where[1]}"
    if where[:1] == ("transitions",) and len(where) > 1:
        return f"transition '{spec.transitions[where[1]].name}'"
    return ".".join(str(p) for p in where) or "the spec"
