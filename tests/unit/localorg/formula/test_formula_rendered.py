"""Every formula leadsync renders (validation rules, flow formulas) is accepted by check() as Salesforce
would accept it, and evaluates on a new and on an updated lead."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from leadsync.localorg.engine.schema import standard_lead_types
from leadsync.localorg.formula import FormulaContext, check, evaluate
from leadsync.metadata import model as m
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "specs"
SPECS = sorted([*presets_dir().glob("*.yaml"), *FIXTURES.glob("*.yaml")])
ORG_FIELDS = {"full.yaml": {"Lead_Score__c": "Number", "Became_Customer__c": "Checkbox",
                            "Last_Touched_By_Flow__c": "Checkbox"}}  # as test_localorg_rendered gives the org


def rendered(spec: Path) -> tuple[m.Bundle, dict[str, str]]:
    """The bundle as the org would read it back from the rendered mdapi files, and the Lead's field types."""
    loaded = load_spec(spec)
    assert loaded.spec is not None, [d.message for d in loaded.diagnostics]
    files = render_files(compile_spec(loaded.spec), "mdapi")
    bundle = parse_files(files)
    types = standard_lead_types()
    types.update(ORG_FIELDS.get(spec.name, {}))
    for f in bundle.lead.fields if bundle.lead else ():
        types[f.full_name] = "Picklist" if isinstance(f, m.PicklistField) else "DateTime"
    return bundle, types


def test_both_presets_are_covered():
    assert {p.name for p in SPECS} >= {"lifecycle.yaml", "salesforce-default.yaml"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_every_rendered_formula_passes_check_and_evaluates(spec):
    bundle, types = rendered(spec)
    rules = bundle.lead.validation_rules if bundle.lead else ()
    formulas = [(f, flow) for flow in bundle.flows for f in flow.formulas]
    assert rules or formulas, "the spec renders no formula"
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for rule in rules:
        assert check(rule.formula, types, "validation") == [], (rule.full_name, rule.formula)
        for prior in (None, {}):
            assert evaluate(rule.formula, FormulaContext({}, prior, types, now=now)) in (True, False)
    for formula, flow in formulas:
        names = {f.name for f in flow.formulas} | {e.name for e in (*flow.decisions, *flow.assignments)}
        assert check(formula.expression, types, "flow", names, formula.data_type) == [], (formula.name, formula.expression)
        evaluate(formula.expression, FormulaContext({}, None, types, now=now))
