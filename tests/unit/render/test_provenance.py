"""Component failures an org reports point back at the spec node to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.render.compile import compile_spec
from leadsync.render.provenance import component_origins, spec_path
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec
from leadsync.spec.model import Spec

REPO = Path(__file__).resolve().parents[3]
SPECS = [*sorted(presets_dir().glob("*.yaml")), REPO / "config" / "clients" / "acme.yaml",
         REPO / "tests" / "fixtures" / "specs" / "full.yaml"]
FULL = load_spec(REPO / "tests" / "fixtures" / "specs" / "full.yaml").spec
ACME = load_spec(REPO / "config" / "clients" / "acme.yaml").spec


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_package_member_has_an_origin_the_spec_has(path: Path):
    loaded = load_spec(path)
    origins = component_origins(loaded.spec)
    members = {(kind, name) for kind, names in compile_spec(loaded.spec).members().items() for name in names}
    assert members <= set(origins)
    for origin in origins.values():
        assert loaded.locator.span(origin).line > 0


def test_a_flow_field_problem_points_at_the_field_in_set_fields_or_conditions():
    flow = compile_spec(FULL).flows[0].full_name
    problem = 'The field "{}" for the object "Lead" doesn\'t exist.'
    assert spec_path(FULL, "Flow", flow, problem.format("Became_Customer__c")) == \
        ("transitions", 3, "set", "fields", "Became_Customer__c")
    assert spec_path(FULL, "Flow", flow, problem.format("Lead_Score__c")) == ("transitions", 1, "when", 0, "field")
    assert spec_path(FULL, "Flow", flow, "connector to nowhere") == ("transitions",)


def test_conditions_inside_any_and_changed_are_found():
    spec = Spec.model_validate({
        "leadsync": 1, "name": "t", "stages": [{"value": "A"}, {"value": "B"}],
        "statuses": [{"value": "New", "default": True}, {"value": "Won", "converted": True}],
        "transitions": [
            {"name": "one", "when": [{"status": "New"}, {"any": [{"status": "Won"}, {"field": "Region__c", "op": "eq",
                                                                                   "value": "EU"}]}],
             "set": {"stage": "B"}},
            {"name": "two", "when": [{"changed": "Score__c"}], "set": {"status": "Won"}},
        ],
    })
    flow = compile_spec(spec).flows[0].full_name
    missing = 'The field "{}" for the object "Lead" doesn\'t exist.'
    assert spec_path(spec, "Flow", flow, missing.format("Region__c")) == ("transitions", 0, "when", 1, "any", 1, "field")
    assert spec_path(spec, "Flow", flow, missing.format("Score__c")) == ("transitions", 1, "when", 0, "changed")


def test_a_process_problem_points_at_the_status_it_names():
    partner = next(i for i, p in enumerate(ACME.lead_processes) if p.name == "Partner Referral")
    problem = "Picklist value: Connected in picklist: Status not found"
    assert spec_path(ACME, "BusinessProcess", "Lead.Partner Referral", problem) == \
        ("lead_processes", partner, "statuses", 1)
    assert spec_path(ACME, "BusinessProcess", "Lead.Partner Referral", "no default") == \
        ("lead_processes", partner, "name")
    assert spec_path(ACME, "RecordType", "Lead.Partner_Referral", "Cannot find business process") == \
        ("lead_processes", partner, "record_type")


def test_rules_fields_and_the_value_set_point_at_their_declarations():
    assert spec_path(FULL, "ValidationRule", "Lead.Lead_Stage_Forward_Only", "x") == ("guards", "forward_only_stages")
    assert spec_path(FULL, "ValidationRule", "Lead.Unqualified_Reason_Required",
                     "Field Unqualified_Reason__c does not exist. Check spelling.") == ("unqualified_reasons", "field")
    assert spec_path(FULL, "CustomField", "Lead.Lead_Stage__c", "x") == ("stage_field", "name")
    qualified = next(i for i, s in enumerate(FULL.statuses) if s.value == "Qualified")
    assert spec_path(FULL, "StandardValueSet", "LeadStatus", "value 'Qualified' is broken") == \
        ("statuses", qualified, "value")


def test_a_component_the_spec_did_not_render_has_no_origin():
    assert spec_path(FULL, "ApexClass", "Foo", "x") is None
    assert spec_path(FULL, "BusinessProcess", "Lead.Somebody Else's", "x") is None
